//! Glyph names to Unicode, the standard single-byte encodings and the
//! metrics of the standard 14 fonts (for files that do not embed or even
//! describe them, like OCR text layers in `Times-Roman`).

use super::tables::{
    GLYPH_NAMES, MAC_ROMAN, STANDARD, SYMBOL, WIN_ANSI, W_HELVETICA, W_HELVETICA_BOLD, W_SYMBOL,
    W_TIMES_BOLD, W_TIMES_BOLD_ITALIC, W_TIMES_ITALIC, W_TIMES_ROMAN, W_ZAPF_DINGBATS,
};

/// A built-in single-byte encoding.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum BaseEncoding {
    Standard,
    WinAnsi,
    MacRoman,
    /// The Symbol font's own encoding.
    Symbol,
}

impl BaseEncoding {
    pub(crate) fn from_name(name: &[u8]) -> Option<BaseEncoding> {
        match name {
            b"WinAnsiEncoding" => Some(BaseEncoding::WinAnsi),
            b"MacRomanEncoding" => Some(BaseEncoding::MacRoman),
            b"StandardEncoding" => Some(BaseEncoding::Standard),
            // MacExpert holds small caps and old-style figures; Standard
            // names are a better guess than nothing for its common codes.
            b"MacExpertEncoding" => Some(BaseEncoding::MacRoman),
            _ => None,
        }
    }

    fn table(self) -> &'static [u16; 256] {
        match self {
            BaseEncoding::Standard => &STANDARD,
            BaseEncoding::WinAnsi => &WIN_ANSI,
            BaseEncoding::MacRoman => &MAC_ROMAN,
            BaseEncoding::Symbol => &SYMBOL,
        }
    }

    /// The glyph name of a code.
    pub(crate) fn glyph_name(self, code: u8) -> Option<&'static str> {
        let idx = usize::from(self.table()[usize::from(code)]);
        idx.checked_sub(1)
            .and_then(|i| GLYPH_NAMES.get(i))
            .map(|(n, _)| *n)
    }
}

/// Index of a name in `GLYPH_NAMES`.
fn glyph_index(name: &[u8]) -> Option<usize> {
    GLYPH_NAMES
        .binary_search_by(|(n, _)| n.as_bytes().cmp(name))
        .ok()
}

fn hex_digits(s: &[u8]) -> Option<u32> {
    if s.is_empty() || s.len() > 8 {
        return None;
    }
    let mut v: u32 = 0;
    for &c in s {
        let d = (c as char).to_digit(16)?;
        v = v << 4 | d;
    }
    Some(v)
}

/// The Unicode text of a glyph name: the compact Adobe Glyph List table,
/// `uniXXXX[XXXX...]`, `uXXXX[XX]`, `name.suffix` and `a_b_c` ligatures.
pub(crate) fn glyph_name_text(name: &[u8]) -> Option<String> {
    glyph_name_text_depth(name, 0)
}

fn glyph_name_text_depth(name: &[u8], depth: u8) -> Option<String> {
    if name.is_empty() || depth > 2 {
        return None;
    }
    if let Some(i) = glyph_index(name) {
        return GLYPH_NAMES.get(i).map(|(_, t)| (*t).to_string());
    }
    if let Some(dot) = name.iter().position(|&c| c == b'.') {
        if dot > 0 {
            return glyph_name_text_depth(&name[..dot], depth + 1);
        }
        return None;
    }
    if name.contains(&b'_') {
        let mut out = String::new();
        for part in name.split(|&c| c == b'_') {
            out.push_str(&glyph_name_text_depth(part, depth + 1)?);
        }
        return Some(out);
    }
    if let Some(hex) = name.strip_prefix(b"uni") {
        if !hex.is_empty() && hex.len() % 4 == 0 {
            let mut out = String::new();
            for chunk in hex.chunks(4) {
                let v = hex_digits(chunk)?;
                if (0xD800..0xE000).contains(&v) {
                    return None;
                }
                super::cmap::push_char(&mut out, char::from_u32(v)?);
            }
            return super::cmap::clean_text(out);
        }
        return None;
    }
    if let Some(hex) = name.strip_prefix(b"u") {
        if (4..=6).contains(&hex.len()) {
            let v = hex_digits(hex)?;
            let mut out = String::new();
            super::cmap::push_char(&mut out, char::from_u32(v)?);
            return super::cmap::clean_text(out);
        }
    }
    None
}

/// One of the standard 14 fonts (families folded where metrics agree).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum StdFont {
    Helvetica,
    HelveticaBold,
    TimesRoman,
    TimesBold,
    TimesItalic,
    TimesBoldItalic,
    Courier,
    Symbol,
    ZapfDingbats,
}

impl StdFont {
    /// The standard font a base name stands for (with the common aliases:
    /// Arial, Times New Roman, Courier New).
    pub(crate) fn from_name(name: &str) -> Option<StdFont> {
        let lower: String = name
            .chars()
            .filter(|c| !matches!(c, '-' | ',' | ' ' | '_'))
            .flat_map(char::to_lowercase)
            .collect();
        let bold = lower.contains("bold");
        let italic = lower.contains("italic") || lower.contains("oblique");
        if lower.starts_with("helvetica") || lower.starts_with("arial") {
            Some(if bold {
                StdFont::HelveticaBold
            } else {
                StdFont::Helvetica
            })
        } else if lower.starts_with("times") {
            Some(match (bold, italic) {
                (false, false) => StdFont::TimesRoman,
                (true, false) => StdFont::TimesBold,
                (false, true) => StdFont::TimesItalic,
                (true, true) => StdFont::TimesBoldItalic,
            })
        } else if lower.starts_with("courier") {
            Some(StdFont::Courier)
        } else if lower.starts_with("symbol") {
            Some(StdFont::Symbol)
        } else if lower.starts_with("zapfdingbats") || lower.starts_with("dingbats") {
            Some(StdFont::ZapfDingbats)
        } else {
            None
        }
    }

    /// The width (glyph units) of a glyph name or, for ZapfDingbats, code.
    pub(crate) fn width(self, glyph: Option<&str>, code: u8) -> Option<f64> {
        let table: &[u16] = match self {
            StdFont::Courier => return Some(600.0),
            StdFont::ZapfDingbats => {
                let w = W_ZAPF_DINGBATS[usize::from(code)];
                return (w > 0).then_some(f64::from(w));
            }
            StdFont::Helvetica => &W_HELVETICA,
            StdFont::HelveticaBold => &W_HELVETICA_BOLD,
            StdFont::TimesRoman => &W_TIMES_ROMAN,
            StdFont::TimesBold => &W_TIMES_BOLD,
            StdFont::TimesItalic => &W_TIMES_ITALIC,
            StdFont::TimesBoldItalic => &W_TIMES_BOLD_ITALIC,
            StdFont::Symbol => &W_SYMBOL,
        };
        let i = glyph_index(glyph?.as_bytes())?;
        let w = *table.get(i)?;
        (w > 0).then_some(f64::from(w))
    }

    /// Ascent and descent (glyph units) from the fonts' AFM files.
    pub(crate) fn ascent_descent(self) -> (f64, f64) {
        match self {
            StdFont::Helvetica | StdFont::HelveticaBold => (718.0, -207.0),
            StdFont::TimesRoman | StdFont::TimesBold => (683.0, -217.0),
            StdFont::TimesItalic | StdFont::TimesBoldItalic => (683.0, -217.0),
            StdFont::Courier => (629.0, -157.0),
            StdFont::Symbol => (1010.0, -293.0),
            StdFont::ZapfDingbats => (820.0, -143.0),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names() {
        assert_eq!(glyph_name_text(b"A").as_deref(), Some("A"));
        assert_eq!(glyph_name_text(b"eacute").as_deref(), Some("é"));
        assert_eq!(glyph_name_text(b"fi").as_deref(), Some("fi"));
        assert_eq!(glyph_name_text(b"f_f_i").as_deref(), Some("ffi"));
        assert_eq!(glyph_name_text(b"uni20AC").as_deref(), Some("€"));
        assert_eq!(glyph_name_text(b"uni00410042").as_deref(), Some("AB"));
        assert_eq!(glyph_name_text(b"u1F600").as_deref(), Some("\u{1F600}"));
        assert_eq!(glyph_name_text(b"a.sc").as_deref(), Some("a"));
        assert_eq!(
            glyph_name_text(b"quotedblleft").as_deref(),
            Some("\u{201C}")
        );
        assert_eq!(glyph_name_text(b"g123"), None);
        assert_eq!(glyph_name_text(b".notdef"), None);
        assert_eq!(glyph_name_text(b"uniD800"), None);
    }

    #[test]
    fn encodings() {
        assert_eq!(BaseEncoding::WinAnsi.glyph_name(0x41), Some("A"));
        assert_eq!(BaseEncoding::WinAnsi.glyph_name(0x93), Some("quotedblleft"));
        assert_eq!(BaseEncoding::MacRoman.glyph_name(0x8e), Some("eacute"));
        assert_eq!(BaseEncoding::Standard.glyph_name(0xae), Some("fi"));
        assert_eq!(BaseEncoding::Standard.glyph_name(0x27), Some("quoteright"));
        assert_eq!(BaseEncoding::Symbol.glyph_name(0x61), Some("alpha"));
        assert_eq!(BaseEncoding::WinAnsi.glyph_name(0x05), None);
    }

    #[test]
    fn standard_widths() {
        let t = StdFont::from_name("Times-Roman").unwrap();
        assert_eq!(t, StdFont::TimesRoman);
        assert_eq!(t.width(Some("a"), 0x61), Some(444.0));
        assert_eq!(
            StdFont::from_name("Arial,Bold"),
            Some(StdFont::HelveticaBold)
        );
        assert_eq!(
            StdFont::from_name("TimesNewRomanPS-BoldItalicMT"),
            Some(StdFont::TimesBoldItalic)
        );
        assert_eq!(StdFont::Helvetica.width(Some("space"), 32), Some(278.0));
        assert_eq!(StdFont::Courier.width(None, 1), Some(600.0));
        assert_eq!(StdFont::from_name("Melior"), None);
    }
}
