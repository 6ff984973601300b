//! Counting spaces that sit inside CJK text.
//!
//! Chinese, Japanese and Korean running text has no spaces between
//! characters; a space between two CJK characters, or between a CJK
//! character and a Latin letter or digit, is usually a leftover of
//! justification or a line join. Gold text has some legitimately (spaced
//! names, mixed-script copy), which is why the report compares pred with gold.

/// Characters that count as spaces: ASCII space, ideographic space, NBSP.
pub fn is_space(c: char) -> bool {
    matches!(c, ' ' | '\u{3000}' | '\u{00A0}')
}

/// Han ideographs, kana, hangul, CJK punctuation/symbols and full-width
/// (and half-width) forms. The ideographic space U+3000 is a space, not CJK.
pub fn is_cjk(c: char) -> bool {
    matches!(c as u32,
        0x1100..=0x11FF      // Hangul Jamo
        | 0x2E80..=0x2FDF    // CJK radicals, Kangxi radicals
        | 0x3001..=0x303F    // CJK symbols and punctuation (not U+3000)
        | 0x3040..=0x30FF    // Hiragana, Katakana
        | 0x3100..=0x312F    // Bopomofo
        | 0x3130..=0x318F    // Hangul compatibility Jamo
        | 0x31C0..=0x31FF    // CJK strokes, Katakana phonetic extensions
        | 0x3200..=0x33FF    // Enclosed CJK, CJK compatibility
        | 0x3400..=0x4DBF    // Han extension A
        | 0x4E00..=0x9FFF    // Han unified ideographs
        | 0xAC00..=0xD7AF    // Hangul syllables
        | 0xF900..=0xFAFF    // Han compatibility ideographs
        | 0xFE10..=0xFE1F    // Vertical forms
        | 0xFE30..=0xFE4F    // CJK compatibility forms
        | 0xFF00..=0xFFEF    // Half-width and full-width forms
        | 0x20000..=0x3FFFF  // Han extensions B..H, compatibility supplement
    )
}

fn qualifies(left: char, right: char) -> bool {
    let latin = |c: char| c.is_ascii_alphanumeric();
    (is_cjk(left) && (is_cjk(right) || latin(right))) || (latin(left) && is_cjk(right))
}

/// Number of space characters (U+0020, U+3000, U+00A0) lying in a run of spaces whose
/// nearest non-space neighbours on both sides are CJK/CJK, CJK/ASCII
/// alphanumeric or ASCII alphanumeric/CJK. Every space of such a run counts
/// (two spaces are two edits). Leading and trailing spaces (e.g. a U+3000
/// paragraph indent) have no left or right neighbour and never count.
///
/// `旺 能` → 1, `EOD 无` → 1, `hello world` → 0.
pub fn count_cjk_spaces(text: &str) -> usize {
    let mut count = 0;
    let mut left: Option<char> = None;
    let mut run = 0;
    for c in text.chars() {
        if is_space(c) {
            run += 1;
            continue;
        }
        if run > 0 && left.is_some_and(|l| qualifies(l, c)) {
            count += run;
        }
        run = 0;
        left = Some(c);
    }
    count
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counts_spaces_between_cjk_and_latin() {
        assert_eq!(count_cjk_spaces("旺 能"), 1);
        assert_eq!(count_cjk_spaces("EOD 无"), 1);
        assert_eq!(count_cjk_spaces("无 EOD"), 1);
        assert_eq!(count_cjk_spaces("hello world"), 0);
        assert_eq!(count_cjk_spaces("旺\u{3000}\u{3000}能"), 2);
        assert_eq!(count_cjk_spaces("旺\u{00A0}能。 下"), 2);
        assert_eq!(count_cjk_spaces("ＡＢ Ｃ"), 1); // full-width forms
        assert_eq!(count_cjk_spaces("한국 어"), 1);
        assert_eq!(count_cjk_spaces("\u{3000}\u{3000}段首缩进 "), 0);
        assert_eq!(count_cjk_spaces("旺 - 能"), 0); // '-' is neither
        assert_eq!(count_cjk_spaces(""), 0);
    }
}
