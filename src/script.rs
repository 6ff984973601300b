//! Character classes and text measures shared by the stages.
//!
//! Widths are in ems of the body font: a CJK ideograph is 1 em, an ASCII
//! character 0.5 em, and CJK punctuation 0.5 em because newspaper
//! typesetters compress it (`，`, `。`, quotes and brackets occupy half a cell
//! in justified columns). With this measure the lines of one column come out
//! within about one em of each other, which is what the dump layout needs to
//! tell a full line from a short one.

/// Han ideographs, kana, hangul and the CJK symbol/punctuation blocks:
/// characters between which a space is never part of the text.
pub fn is_cjk(c: char) -> bool {
    // Fast path: nothing below the general punctuation block is CJK but
    // the middle dot used in transcribed names.
    let u = c as u32;
    if u < 0x2010 {
        return u == 0xB7;
    }
    is_cjk_letter(c) || is_cjk_punct(c)
}

/// CJK characters that are letters (ideographs, kana, hangul).
pub fn is_cjk_letter(c: char) -> bool {
    matches!(c as u32,
        0x3040..=0x30FF      // kana
        | 0x3100..=0x312F    // bopomofo
        | 0x31F0..=0x31FF
        | 0x3400..=0x4DBF    // ext A
        | 0x4E00..=0x9FFF    // unified ideographs
        | 0xAC00..=0xD7AF    // hangul
        | 0xF900..=0xFAFF    // compatibility ideographs
        | 0x20000..=0x3134F  // ext B..G
        | 0x3005 | 0x3007    // 々 〇
    )
}

/// CJK punctuation, including the ambiguous-width quotes, dashes and
/// ellipsis as used in Chinese text, and the full-width forms block.
pub fn is_cjk_punct(c: char) -> bool {
    matches!(c as u32,
        0x3000..=0x3004 | 0x3008..=0x303F // CJK symbols and punctuation
        | 0xFF01..=0xFF0F | 0xFF1A..=0xFF20 | 0xFF3B..=0xFF40 | 0xFF5B..=0xFF65
        | 0xFE30..=0xFE4F // compatibility forms
    ) || matches!(
        c,
        '“' | '”'
            | '‘'
            | '’'
            | '…'
            | '—'
            | '·'
            | '•'
            | '■'
            | '◆'
            | '▲'
            | '●'
            | '★'
            | '◎'
            | '□'
            | '△'
            | '○'
    )
}

/// Full-width digits and Latin letters (０-９, Ａ-Ｚ, ａ-ｚ).
pub fn is_fullwidth_alnum(c: char) -> bool {
    matches!(c as u32, 0xFF10..=0xFF19 | 0xFF21..=0xFF3A | 0xFF41..=0xFF5A)
}

/// Width of one character in ems (see the module doc).
pub fn char_width(c: char) -> f32 {
    if c.is_ascii() {
        return if c.is_ascii_whitespace() { 0.0 } else { 0.5 };
    }
    if c.is_whitespace() {
        0.0
    } else if is_compressible_punct(c) {
        0.5
    } else if is_cjk(c) || is_fullwidth_alnum(c) || matches!(c, '…' | '—') {
        1.0
    } else {
        0.5
    }
}

/// CJK punctuation that typesetters set in half a cell in justified text.
fn is_compressible_punct(c: char) -> bool {
    matches!(
        c,
        '，' | '。'
            | '、'
            | '；'
            | '：'
            | '？'
            | '！'
            | '“'
            | '”'
            | '‘'
            | '’'
            | '（'
            | '）'
            | '《'
            | '》'
            | '〈'
            | '〉'
            | '「'
            | '」'
            | '『'
            | '』'
            | '【'
            | '】'
            | '〔'
            | '〕'
            | '·'
    )
}

/// Width of a line in ems and whether it is mostly CJK, in one pass (see
/// [`text_width`] and [`is_mostly_cjk`]).
pub fn line_shape(s: &str) -> (f32, bool) {
    let (width, cjk, _) = line_shape_counted(s);
    (width, cjk)
}

/// [`line_shape`] plus the number of compressible punctuation marks, so a
/// caller can re-weigh them (see [`COMPRESSED_PUNCT_WIDTH`]).
pub fn line_shape_counted(s: &str) -> (f32, bool, u32) {
    // Widths are counted in half cells: char_width gives only 0, 0.5 and 1,
    // so the sum in halves is exact, and cheaper than a float per character.
    let (mut halves, mut cjk, mut latin, mut punct) = (0u64, 0usize, 0usize, 0u32);
    let b = s.as_bytes();
    let mut i = 0;
    while i < b.len() {
        let lead = b[i];
        if lead < 0x80 {
            // ASCII: half a cell unless it is whitespace.
            halves += u64::from(!lead.is_ascii_whitespace());
            latin += usize::from(lead.is_ascii_alphabetic());
            i += 1;
            continue;
        }
        // Most characters of a Chinese dump, U+4E00-U+9FFF (lead E4 with a
        // second byte from B8, or E5-E9): a full-width letter, told from
        // its bytes.
        if (0xE5..=0xE9).contains(&lead) || (lead == 0xE4 && b.get(i + 1) >= Some(&0xB8)) {
            halves += 2;
            cjk += 1;
            i += 3;
            continue;
        }
        let c = s[i..].chars().next().unwrap_or(' ');
        i += c.len_utf8();
        halves += match char_width(c) {
            w if w >= 1.0 => 2,
            w if w > 0.0 => 1,
            _ => 0,
        };
        punct += u32::from(is_compressible_punct(c));
        if is_cjk_letter(c) {
            cjk += 1;
        } else if !is_cjk_punct(c) && c.is_alphabetic() {
            latin += 1;
        }
    }
    (halves as f32 * 0.5, cjk > 0 && cjk * 2 >= latin, punct)
}

/// The width [`char_width`] gives compressible CJK punctuation. Papers that
/// set punctuation in full cells are measured by adding the difference per
/// mark (layout chooses per page, see `layout::dump`).
pub const COMPRESSED_PUNCT_WIDTH: f32 = 0.5;

/// Width of a line with compressible punctuation counted at `punct_width`.
pub fn text_width_with(s: &str, punct_width: f32) -> f32 {
    s.chars().map(|c| char_width_with(c, punct_width)).sum()
}

/// Width of one character with compressible punctuation counted at
/// `punct_width`: the per-character term of [`text_width_with`], so that a
/// caller scanning a line can keep running widths instead of measuring
/// every prefix again (which is quadratic on a long line).
pub fn char_width_with(c: char, punct_width: f32) -> f32 {
    if !c.is_ascii() && is_compressible_punct(c) {
        punct_width
    } else {
        char_width(c)
    }
}

/// Width of a line in ems, spaces excluded: justification spaces fill the
/// column in print but carry no width of their own in a dump.
pub fn text_width(s: &str) -> f32 {
    s.chars().map(char_width).sum()
}

/// The lines of `text`: the same pieces as `text.split('\n')`, the line
/// ends found with the memchr crate's vector search (the standard
/// library's `split` looks a word at a time), since a dump is split into
/// lines more than once.
pub fn split_lines(text: &str) -> impl Iterator<Item = &str> + Clone {
    let mut ends = memchr::memchr_iter(b'\n', text.as_bytes());
    let mut start = Some(0);
    std::iter::from_fn(move || {
        let from = start?;
        match ends.next() {
            Some(end) => {
                start = Some(end + 1);
                Some(&text[from..end])
            }
            None => {
                start = None;
                Some(&text[from..])
            }
        }
    })
}

/// Does `text` hold any of `marks`? The same answer as
/// `text.contains(marks)`, found by the marks' first UTF-8 bytes: in CJK
/// text the lead bytes of punctuation (E3, EF) are rare next to those of
/// ideographs (E4–E9), so SIMD skips most of a line instead of decoding
/// every character. Marks with more than three distinct first bytes fall
/// back to `contains`.
pub fn holds_any(text: &str, marks: &[char]) -> bool {
    let mut leads: [u8; 3] = [0; 3];
    let mut n = 0;
    for m in marks {
        let mut buf = [0u8; 4];
        let lead = m.encode_utf8(&mut buf).as_bytes()[0];
        if !leads[..n].contains(&lead) {
            if n == 3 {
                return text.contains(marks);
            }
            leads[n] = lead;
            n += 1;
        }
    }
    let bytes = text.as_bytes();
    let hit = |at: usize| marks.iter().any(|m| text[at..].starts_with(*m));
    // A lead byte (ASCII or 0xC0 and above) always starts a character, so
    // slicing at it is valid.
    match n {
        0 => false,
        1 => memchr::memchr_iter(leads[0], bytes).any(hit),
        2 => memchr::memchr2_iter(leads[0], leads[1], bytes).any(hit),
        _ => memchr::memchr3_iter(leads[0], leads[1], leads[2], bytes).any(hit),
    }
}

/// Punctuation that ends a sentence, in CJK and Latin text.
pub fn is_terminal_punct(c: char) -> bool {
    matches!(
        c,
        '。' | '！' | '？' | '.' | '!' | '?' | '…' | '；' | ';' | '．' | '｡'
    )
}

/// Closing marks that may follow a terminal punctuation mark.
pub fn is_closing_punct(c: char) -> bool {
    matches!(
        c,
        '”' | '’' | '）' | ')' | '」' | '』' | '》' | '"' | '\'' | '】' | '〕' | '］' | ']'
    )
}

/// Opening marks: a line starting with one often starts a paragraph.
pub fn is_opening_punct(c: char) -> bool {
    matches!(
        c,
        '“' | '‘' | '（' | '(' | '「' | '『' | '《' | '"' | '【' | '〔' | '［' | '['
    )
}

/// Does the text end a sentence (terminal punctuation, possibly followed by
/// closing quotes or brackets)?
pub fn ends_sentence(s: &str) -> bool {
    for c in s.chars().rev() {
        if c.is_whitespace() || is_closing_punct(c) {
            continue;
        }
        return is_terminal_punct(c);
    }
    false
}

/// Is the text predominantly CJK (more CJK letters than Latin letters)?
pub fn is_mostly_cjk(s: &str) -> bool {
    line_shape_counted(s).1
}

/// The character a space must sit next to for it to be a justification
/// space rather than a word space: CJK on one side and CJK, a digit or a
/// Latin letter on the other.
fn space_is_justification(prev: char, next: char) -> bool {
    let side = |c: char| is_cjk(c) || c.is_ascii_alphanumeric() || is_fullwidth_alnum(c);
    (is_cjk(prev) && side(next)) || (is_cjk(next) && side(prev))
}

/// Removes the spaces that justification leaves in CJK text and collapses
/// runs of whitespace between Latin words to one space.
///
/// A space is dropped when a CJK character (ideograph or CJK punctuation)
/// stands on one side and a CJK character, a digit or a Latin letter on the
/// other: `旺 能 环 境` -> `旺能环境`, `1 月 9 日` -> `1月9日`,
/// `III 类水` -> `III类水`, `公司 （以下` -> `公司（以下`. Spaces between
/// Latin words and between digits (`2000 300`) are kept.
pub fn remove_justification_spaces(s: &str) -> String {
    let b = s.as_bytes();
    // Fast path: no whitespace at all (most CJK lines), found in one pass
    // over the bytes without decoding a character.
    let Some((first_at, _)) = next_whitespace(b, 0) else {
        return s.to_string();
    };
    let mut out = String::with_capacity(s.len());
    let mut pending_space = false;
    let mut prev: Option<char> = None;
    // Runs between spaces are found by their bytes and copied whole.
    fn flush(run: &str, out: &mut String, prev: &mut Option<char>, pending_space: &mut bool) {
        let Some(first) = run.chars().next() else {
            return;
        };
        if *pending_space {
            if let Some(p) = *prev {
                if !space_is_justification(p, first) {
                    out.push(' ');
                }
            }
        }
        out.push_str(run);
        *prev = run.chars().next_back();
        *pending_space = false;
    }
    let mut run_start = 0;
    let mut next = Some((first_at, whitespace_len(b, first_at)));
    while let Some((at, len)) = next {
        flush(&s[run_start..at], &mut out, &mut prev, &mut pending_space);
        pending_space = prev.is_some();
        run_start = at + len;
        next = next_whitespace(b, run_start);
    }
    flush(&s[run_start..], &mut out, &mut prev, &mut pending_space);
    out
}

/// `s.trim()`, with the common case, nothing to trim, told from the bytes
/// of the first and last characters: the cues trim every line they are
/// asked about, and nearly every line of a dump is trimmed already.
pub fn trim(s: &str) -> &str {
    let b = s.as_bytes();
    let Some(&last) = b.last() else {
        return s;
    };
    // The last character starts at most three bytes before the end.
    let last_start = if last < 0x80 {
        b.len() - 1
    } else {
        (b.len().saturating_sub(4)..b.len())
            .rev()
            .find(|&i| s.is_char_boundary(i))
            .unwrap_or(0)
    };
    if whitespace_len(b, 0) == 0 && whitespace_len(b, last_start) == 0 {
        s
    } else {
        s.trim()
    }
}

/// The byte offset and length of the first whitespace character
/// (`char::is_whitespace`, Unicode White_Space) at or after `from`, told
/// from its UTF-8 bytes alone. `from` must be a character boundary.
fn next_whitespace(b: &[u8], from: usize) -> Option<(usize, usize)> {
    let mut i = from;
    while i < b.len() {
        // Only these bytes can start a whitespace character: ASCII tab to
        // carriage return and space; the lead bytes of U+0085/U+00A0 (C2),
        // U+1680 (E1), U+2000-U+205F (E2) and U+3000 (E3). Every other
        // byte starts none, or is inside a character.
        if matches!(b[i], 0x09..=0x0D | 0x20 | 0xC2 | 0xE1 | 0xE2 | 0xE3) {
            let len = whitespace_len(b, i);
            if len > 0 {
                return Some((i, len));
            }
        }
        i += 1;
    }
    None
}

/// The UTF-8 length of the whitespace character starting at `b[i]`, or 0
/// when the character there is not whitespace. Continuation bytes are
/// never taken for a start, since no pattern below begins with one.
fn whitespace_len(b: &[u8], i: usize) -> usize {
    let at = |k: usize| b.get(i + k).copied().unwrap_or(0);
    match b[i] {
        0x09..=0x0D | 0x20 => 1,
        // U+0085 next line, U+00A0 no-break space.
        0xC2 if matches!(at(1), 0x85 | 0xA0) => 2,
        // U+1680 Ogham space mark.
        0xE1 if at(1) == 0x9A && at(2) == 0x80 => 3,
        // U+2000-U+200A spaces, U+2028/U+2029 separators, U+202F narrow
        // no-break space; U+205F medium mathematical space.
        0xE2 if at(1) == 0x80 && matches!(at(2), 0x80..=0x8A | 0xA8 | 0xA9 | 0xAF) => 3,
        0xE2 if at(1) == 0x81 && at(2) == 0x9F => 3,
        // U+3000 ideographic space.
        0xE3 if at(1) == 0x80 && at(2) == 0x80 => 3,
        _ => 0,
    }
}

/// Like [`remove_justification_spaces`], for a display line (headline,
/// sub-heading): a single gap between two CJK runs of two or more
/// characters each is the deliberate gap between a headline's halves
/// (`聚焦人居环境整治 争创“生态宜居星”`) and is kept as one space; spread
/// lines whose tokens are single characters are closed up.
pub fn normalize_display_line(s: &str) -> String {
    let tokens: Vec<&str> = s.split_whitespace().collect();
    if tokens.len() <= 1 {
        return tokens.first().map(|t| t.to_string()).unwrap_or_default();
    }
    let mut out = String::with_capacity(s.len());
    for (i, tok) in tokens.iter().enumerate() {
        if i > 0 {
            let left = tokens[i - 1];
            let (lc, rc) = (left.chars().last(), tok.chars().next());
            // Between two CJK runs of two or more letters a single gap is
            // deliberate; any other gap next to CJK is justification.
            let gap = match (lc, rc) {
                (Some(l), Some(r)) if space_is_justification(l, r) => {
                    let run_len = |t: &str| t.chars().filter(|c| is_cjk_letter(*c)).count();
                    run_len(left) >= 2
                        && run_len(tok) >= 2
                        && !is_cjk_punct(l)
                        && is_cjk(l)
                        && (is_cjk_letter(r) || is_opening_punct(r))
                }
                _ => true,
            };
            if gap {
                out.push(' ');
            }
        }
        out.push_str(tok);
    }
    out
}

/// Joins two hard-wrapped pieces of running text: CJK joins with nothing,
/// Latin with one space. Line-end hyphens are handled by `reflow`.
pub fn needs_space_between(prev: &str, next: &str) -> bool {
    match (prev.chars().last(), next.chars().next()) {
        (Some(a), Some(b)) => !(is_cjk(a) || is_cjk(b)),
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn ideograph_shortcut_in_line_shape_matches_the_general_rules() {
        // The shortcut for U+4E00..U+9FFF gives what char_width and the
        // letter classes give.
        for c in '\u{4e00}'..='\u{9fff}' {
            assert_eq!(char_width(c), 1.0, "{c:?}");
            assert!(is_cjk_letter(c) && !is_compressible_punct(c), "{c:?}");
        }
        assert_eq!(line_shape_counted("中文，ab"), (3.5, true, 1));
    }

    use super::*;

    /// The definition `line_shape_counted` must agree with, one character
    /// at a time.
    fn line_shape_by_chars(s: &str) -> (f32, bool, u32) {
        let (mut width, mut cjk, mut latin, mut punct) = (0.0f32, 0usize, 0usize, 0u32);
        for c in s.chars() {
            width += char_width(c);
            punct += u32::from(!c.is_ascii() && is_compressible_punct(c));
            if c.is_ascii() {
                latin += usize::from(c.is_ascii_alphabetic());
            } else if is_cjk_letter(c) {
                cjk += 1;
            } else if !is_cjk_punct(c) && c.is_alphabetic() {
                latin += 1;
            }
        }
        (width, cjk > 0 && cjk * 2 >= latin, punct)
    }

    #[test]
    fn line_shape_from_bytes_matches_the_per_character_definition() {
        // Every scalar value beside an ideograph and a Latin letter, then
        // lines mixing scripts.
        for c in (0..=0x10FFFFu32).filter_map(char::from_u32) {
            for line in [format!("中{c}"), format!("{c}a"), format!("{c}{c}")] {
                assert_eq!(
                    line_shape_counted(&line),
                    line_shape_by_chars(&line),
                    "{line:?}"
                );
            }
        }
        for line in [
            "新华社北京12月6日电（记者 王 伟）",
            "LONDON — The “Times”， 中文 ab",
            "",
        ] {
            assert_eq!(
                line_shape_counted(line),
                line_shape_by_chars(line),
                "{line:?}"
            );
        }
    }

    #[test]
    fn split_lines_gives_the_pieces_split_gives() {
        for text in [
            "",
            "\n",
            "a",
            "a\n",
            "\na",
            "a\nb",
            "a\n\nb\n",
            "中文\n\u{c}x\r\n",
        ] {
            let ours: Vec<&str> = split_lines(text).collect();
            let std: Vec<&str> = text.split('\n').collect();
            assert_eq!(ours, std, "{text:?}");
        }
    }

    #[test]
    fn trim_agrees_with_str_trim() {
        for c in (0..=0x10FFFFu32).filter_map(char::from_u32) {
            for text in [
                format!("{c}"),
                format!("a{c}"),
                format!("{c}中"),
                format!(" {c} "),
            ] {
                assert_eq!(trim(&text), text.trim(), "U+{:04X}", c as u32);
            }
        }
        assert_eq!(trim(""), "");
    }

    #[test]
    fn whitespace_is_told_from_bytes_as_char_is_whitespace_tells_it() {
        // Every scalar value, alone and between two letters.
        for c in (0..=0x10FFFFu32).filter_map(char::from_u32) {
            let text = format!("a{c}b");
            let b = text.as_bytes();
            let expected = c.is_whitespace().then_some((1, c.len_utf8()));
            assert_eq!(next_whitespace(b, 0), expected, "U+{:04X}", c as u32);
        }
    }

    #[test]
    fn justification_spaces_between_cjk_digits_and_latin_go() {
        assert_eq!(
            remove_justification_spaces("园 、 旺 能 环 境 EOD 无 废 产 业 园"),
            "园、旺能环境EOD无废产业园"
        );
        assert_eq!(remove_justification_spaces("1 月 9 日下午"), "1月9日下午");
        assert_eq!(
            remove_justification_spaces("达到 III 类水以上"),
            "达到III类水以上"
        );
        assert_eq!(
            remove_justification_spaces("公司 （以下简称世纪通讯） 与"),
            "公司（以下简称世纪通讯）与"
        );
    }

    #[test]
    fn holds_any_answers_as_contains() {
        let marks: [&[char]; 4] = [
            &['，', '。', '、', '；', '：'],
            &['（', '）', '，'],
            &['a', '，', '版'],
            &['，', '、', '。', ',', '.', ';', '；', '：', ':'],
        ];
        let texts = [
            "本报讯记者王明",
            "中文，对",
            "a（b）",
            "版面",
            "",
            "x.y",
            "、",
            "全角：冒号",
        ];
        for m in marks {
            for t in texts {
                assert_eq!(holds_any(t, m), t.contains(m), "{t} {m:?}");
            }
        }
    }

    #[test]
    fn every_kind_of_space_is_judged_the_same() {
        // Ideographic, no-break, en and tab spaces, and runs of them, at
        // the ends and between scripts (the byte scan decodes only bytes
        // that can start whitespace).
        assert_eq!(
            remove_justification_spaces(
                "\u{3000}本报\u{3000}讯 \u{a0}记者\u{2002}王 明\tsaid  so\u{3000}"
            ),
            "本报讯记者王明said so"
        );
        assert_eq!(remove_justification_spaces("中文 — 对"), "中文—对");
        assert_eq!(remove_justification_spaces("é\u{a0}ü ß"), "é ü ß");
    }

    #[test]
    fn latin_word_spaces_stay() {
        assert_eq!(
            remove_justification_spaces("the  state-run   paper, 2000 300"),
            "the state-run paper, 2000 300"
        );
    }

    #[test]
    fn headline_gap_kept_spread_closed() {
        assert_eq!(
            normalize_display_line("聚焦人居环境整治 争创“生态宜居星”"),
            "聚焦人居环境整治 争创“生态宜居星”"
        );
        assert_eq!(normalize_display_line("金 湾 社 区"), "金湾社区");
        assert_eq!(
            normalize_display_line("召开 2023 年第 2 次会议"),
            "召开2023年第2次会议"
        );
        assert_eq!(
            normalize_display_line("City Council votes"),
            "City Council votes"
        );
    }

    #[test]
    fn widths_and_sentence_ends() {
        assert_eq!(text_width("魏都区"), 3.0);
        assert_eq!(text_width("1 月"), 1.5);
        assert_eq!(text_width("区，"), 1.5);
        assert!(ends_sentence("品质。”"));
        assert!(ends_sentence("He said."));
        assert!(!ends_sentence("要抓好安全"));
        assert!(!ends_sentence("（党委）"));
    }
}
