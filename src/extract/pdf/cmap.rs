//! CMaps: ToUnicode maps (`bfchar`, `bfrange` with both destination forms)
//! and CID maps embedded in Type0 fonts (`cidchar`, `cidrange`), with their
//! code space ranges. Parsed with the content-stream lexer, which reads the
//! PostScript-like CMap syntax well enough.

use std::collections::HashMap;

use super::lexer::{Lexer, Obj};

/// Ranges up to this many codes are expanded into the single-code map.
const EXPAND_RANGE: u32 = 256;
/// Most entries kept from one CMap.
const MAX_ENTRIES: usize = 1 << 20;

#[derive(Debug, Clone)]
struct Codespace {
    lo: [u8; 4],
    hi: [u8; 4],
    len: usize,
}

/// A parsed CMap. One type serves both uses: a ToUnicode map fills the
/// Unicode part, an encoding CMap the CID part.
#[derive(Debug, Clone, Default)]
pub(crate) struct CMap {
    codespace: Vec<Codespace>,
    /// `/WMode 1`: vertical writing.
    pub wmode: u8,
    uni_single: HashMap<u32, Box<str>>,
    /// Large `bfrange`s: first code, last code, UTF-16 of the first code's text.
    uni_ranges: Vec<(u32, u32, Vec<u16>)>,
    cid_single: HashMap<u32, u32>,
    cid_ranges: Vec<(u32, u32, u32)>,
    /// Name given to `usecmap`, if any.
    pub usecmap: Option<Vec<u8>>,
    entries: usize,
}

fn code_of(bytes: &[u8]) -> Option<u32> {
    if bytes.is_empty() || bytes.len() > 4 {
        return None;
    }
    Some(bytes.iter().fold(0u32, |acc, &b| acc << 8 | u32::from(b)))
}

/// Text from UTF-16BE bytes (odd lengths padded in front), Latin
/// ligatures decomposed. `None` for nothing usable (empty, NUL, controls).
pub(crate) fn utf16be_text(bytes: &[u8]) -> Option<String> {
    let mut units: Vec<u16> = Vec::with_capacity(bytes.len() / 2 + 1);
    let mut i = 0;
    if bytes.len() % 2 == 1 {
        units.push(u16::from(bytes[0]));
        i = 1;
    }
    while i + 1 < bytes.len() {
        units.push(u16::from(bytes[i]) << 8 | u16::from(bytes[i + 1]));
        i += 2;
    }
    utf16_text(&units)
}

/// Text from UTF-16 units, see [`utf16be_text`].
pub(crate) fn utf16_text(units: &[u16]) -> Option<String> {
    let mut out = String::new();
    for ch in char::decode_utf16(units.iter().copied()).flatten() {
        push_char(&mut out, ch);
    }
    clean_text(out)
}

/// Push a character, decomposing the Latin ligatures U+FB00..U+FB06.
pub(crate) fn push_char(out: &mut String, ch: char) {
    match ch {
        '\u{FB00}' => out.push_str("ff"),
        '\u{FB01}' => out.push_str("fi"),
        '\u{FB02}' => out.push_str("fl"),
        '\u{FB03}' => out.push_str("ffi"),
        '\u{FB04}' => out.push_str("ffl"),
        '\u{FB05}' | '\u{FB06}' => out.push_str("st"),
        c => out.push(c),
    }
}

/// `None` when the text carries nothing (empty, only NUL or control
/// characters, only U+FFFD).
pub(crate) fn clean_text(s: String) -> Option<String> {
    if s.chars()
        .all(|c| (c.is_control() && c != '\t') || c == '\u{FFFD}')
    {
        None
    } else {
        Some(s)
    }
}

impl CMap {
    /// Parse CMap data; unreadable parts are skipped.
    pub(crate) fn parse(data: &[u8]) -> CMap {
        let mut cmap = CMap::default();
        let mut lx = Lexer::new(data);
        while let Some(op) = lx.next_op() {
            let ops = &lx.operands;
            match op {
                b"endcodespacerange" => {
                    for pair in ops.chunks_exact(2) {
                        if let (Some(lo), Some(hi)) = (pair[0].string(), pair[1].string()) {
                            cmap.add_codespace(lo, hi);
                        }
                    }
                }
                b"endbfchar" => {
                    for pair in ops.chunks_exact(2) {
                        let Some(src) = pair[0].string().and_then(code_of) else {
                            continue;
                        };
                        let text = match &pair[1] {
                            Obj::Str(dst) => utf16be_text(dst),
                            Obj::Name(n) => super::encoding::glyph_name_text(n),
                            _ => None,
                        };
                        if let Some(t) = text {
                            cmap.add_uni(src, t);
                        }
                    }
                }
                b"endbfrange" => {
                    for triple in ops.chunks_exact(3) {
                        let (Some(lo), Some(hi)) = (
                            triple[0].string().and_then(code_of),
                            triple[1].string().and_then(code_of),
                        ) else {
                            continue;
                        };
                        if hi < lo {
                            continue;
                        }
                        match &triple[2] {
                            Obj::Str(dst) => cmap.add_uni_range(lo, hi, dst),
                            Obj::Array(items) => {
                                for (k, item) in items.iter().enumerate() {
                                    let Some(code) = lo.checked_add(k as u32) else {
                                        break;
                                    };
                                    if code > hi {
                                        break;
                                    }
                                    let text = match item {
                                        Obj::Str(dst) => utf16be_text(dst),
                                        Obj::Name(n) => super::encoding::glyph_name_text(n),
                                        _ => None,
                                    };
                                    if let Some(t) = text {
                                        cmap.add_uni(code, t);
                                    }
                                }
                            }
                            _ => {}
                        }
                    }
                }
                b"endcidchar" => {
                    for pair in ops.chunks_exact(2) {
                        if let (Some(src), Some(cid)) =
                            (pair[0].string().and_then(code_of), pair[1].num())
                        {
                            if cid >= 0.0 && cmap.entries < MAX_ENTRIES {
                                cmap.entries += 1;
                                cmap.cid_single.insert(src, cid as u32);
                            }
                        }
                    }
                }
                b"endcidrange" => {
                    for triple in ops.chunks_exact(3) {
                        if let (Some(lo), Some(hi), Some(cid)) = (
                            triple[0].string().and_then(code_of),
                            triple[1].string().and_then(code_of),
                            triple[2].num(),
                        ) {
                            if hi >= lo && cid >= 0.0 && cmap.entries < MAX_ENTRIES {
                                cmap.entries += 1;
                                cmap.cid_ranges.push((lo, hi, cid as u32));
                            }
                        }
                    }
                }
                b"def" => {
                    if let (Some(Obj::Name(k)), Some(v)) = (ops.first(), ops.get(1)) {
                        if k.as_ref() == b"WMode" {
                            cmap.wmode = if v.num() == Some(1.0) { 1 } else { 0 };
                        }
                    }
                }
                b"usecmap" => {
                    if let Some(n) = ops.last().and_then(Obj::name) {
                        cmap.usecmap = Some(n.to_vec());
                    }
                }
                _ => {}
            }
        }
        cmap.cid_ranges.sort_by_key(|r| r.0);
        cmap
    }

    fn add_codespace(&mut self, lo: &[u8], hi: &[u8]) {
        let len = lo.len();
        if len == 0 || len > 4 || hi.len() != len || self.codespace.len() > 1024 {
            return;
        }
        let mut l = [0u8; 4];
        let mut h = [0u8; 4];
        l[..len].copy_from_slice(lo);
        h[..len].copy_from_slice(hi);
        self.codespace.push(Codespace { lo: l, hi: h, len });
    }

    fn add_uni(&mut self, code: u32, text: String) {
        if self.entries < MAX_ENTRIES {
            self.entries += 1;
            self.uni_single.insert(code, text.into_boxed_str());
        }
    }

    fn add_uni_range(&mut self, lo: u32, hi: u32, dst: &[u8]) {
        let mut units: Vec<u16> = Vec::with_capacity(dst.len() / 2 + 1);
        let mut i = 0;
        if dst.len() % 2 == 1 {
            units.push(u16::from(dst[0]));
            i = 1;
        }
        while i + 1 < dst.len() {
            units.push(u16::from(dst[i]) << 8 | u16::from(dst[i + 1]));
            i += 2;
        }
        if units.is_empty() {
            return;
        }
        if hi - lo < EXPAND_RANGE {
            for k in 0..=(hi - lo) {
                if let Some(t) = range_text(&units, k) {
                    self.add_uni(lo + k, t);
                }
            }
        } else if self.entries < MAX_ENTRIES {
            self.entries += 1;
            self.uni_ranges.push((lo, hi, units));
        }
    }

    /// Whether the map has any Unicode entries.
    pub(crate) fn has_unicode(&self) -> bool {
        !self.uni_single.is_empty() || !self.uni_ranges.is_empty()
    }

    /// Whether the map has any CID entries.
    pub(crate) fn has_cids(&self) -> bool {
        !self.cid_single.is_empty() || !self.cid_ranges.is_empty()
    }

    /// Whether the map declares code space ranges.
    pub(crate) fn has_codespace(&self) -> bool {
        !self.codespace.is_empty()
    }

    /// The Unicode text of a code.
    pub(crate) fn unicode(&self, code: u32) -> Option<String> {
        if let Some(t) = self.uni_single.get(&code) {
            return Some(t.to_string());
        }
        for (lo, hi, units) in self.uni_ranges.iter().rev() {
            if code >= *lo && code <= *hi {
                return range_text(units, code - lo);
            }
        }
        None
    }

    /// The CID of a code, when the map tells.
    pub(crate) fn cid(&self, code: u32) -> Option<u32> {
        if let Some(&c) = self.cid_single.get(&code) {
            return Some(c);
        }
        let idx = self.cid_ranges.partition_point(|r| r.0 <= code);
        // Ranges may overlap: look back over those that start before.
        for &(lo, hi, cid) in self.cid_ranges[..idx].iter().rev().take(8) {
            if code >= lo && code <= hi {
                return cid.checked_add(code - lo);
            }
        }
        None
    }

    /// Split the next code off `bytes` by the code space ranges: the code
    /// and its length in bytes (at least 1 when `bytes` is not empty).
    pub(crate) fn next_code(&self, bytes: &[u8]) -> (u32, usize) {
        if self.codespace.is_empty() {
            return two_byte_code(bytes);
        }
        for n in 1..=4usize {
            if n > bytes.len() {
                break;
            }
            let hit = self.codespace.iter().any(|cs| {
                cs.len == n && (0..n).all(|i| bytes[i] >= cs.lo[i] && bytes[i] <= cs.hi[i])
            });
            if hit {
                return (code_of(&bytes[..n]).unwrap_or(0), n);
            }
        }
        // No range matched: take the shortest length the map uses.
        let n = self
            .codespace
            .iter()
            .map(|c| c.len)
            .min()
            .unwrap_or(1)
            .clamp(1, bytes.len().max(1));
        let n = n.min(bytes.len());
        (code_of(&bytes[..n]).unwrap_or(0), n.max(1))
    }
}

/// Two-byte codes (Identity CMaps); a trailing odd byte is its own code.
pub(crate) fn two_byte_code(bytes: &[u8]) -> (u32, usize) {
    match bytes {
        [a, b, ..] => (u32::from(*a) << 8 | u32::from(*b), 2),
        [a] => (u32::from(*a), 1),
        [] => (0, 1),
    }
}

/// The text of code `lo + k` in a `bfrange` whose first code maps to
/// `units`: the last UTF-16 unit incremented by `k`.
fn range_text(units: &[u16], k: u32) -> Option<String> {
    let (last, head) = units.split_last()?;
    let v = u32::from(*last).checked_add(k)?;
    let mut buf: Vec<u16> = head.to_vec();
    if v > 0xffff {
        // Carry into a supplementary-plane character.
        let scalar = char::from_u32(v)?;
        let mut tmp = [0u16; 2];
        buf.extend_from_slice(scalar.encode_utf16(&mut tmp));
    } else {
        buf.push(v as u16);
    }
    utf16_text(&buf)
}

#[cfg(test)]
mod tests {
    use super::*;

    const TO_UNICODE: &[u8] = b"/CIDInit /ProcSet findresource begin
12 dict begin begincmap
/CIDSystemInfo << /Registry (Adobe) /Ordering (UCS) /Supplement 0 >> def
/CMapName /Adobe-Identity-UCS def /CMapType 2 def
1 begincodespacerange <0000> <FFFF> endcodespacerange
3 beginbfchar
<0003> <0020>
<0011> <0048>
<0050> <00660069>
endbfchar
3 beginbfrange
<0020> <0022> <0061>
<0030> <0032> [<0041> <FB01> <D835DC00>]
<1000> <2000> <4E00>
endbfrange
endcmap CMapName currentdict /CMap defineresource pop end end";

    #[test]
    fn bfchar_and_bfrange_forms() {
        let m = CMap::parse(TO_UNICODE);
        assert_eq!(m.unicode(0x0003).as_deref(), Some(" "));
        assert_eq!(m.unicode(0x0011).as_deref(), Some("H"));
        assert_eq!(m.unicode(0x0050).as_deref(), Some("fi"));
        assert_eq!(m.unicode(0x0020).as_deref(), Some("a"));
        assert_eq!(m.unicode(0x0022).as_deref(), Some("c"));
        assert_eq!(m.unicode(0x0030).as_deref(), Some("A"));
        assert_eq!(m.unicode(0x0031).as_deref(), Some("fi"));
        assert_eq!(m.unicode(0x0032).as_deref(), Some("\u{1D400}"));
        assert_eq!(m.unicode(0x1001).as_deref(), Some("\u{4E01}"));
        assert_eq!(m.unicode(0x0040), None);
        assert_eq!(m.next_code(&[0x00, 0x11, 0x05]), (0x11, 2));
    }

    #[test]
    fn cid_ranges_and_mixed_codespace() {
        let m = CMap::parse(
            b"2 begincodespacerange <00> <80> <8140> <FEFE> endcodespacerange
             1 begincidrange <20> <7e> 1 endcidrange
             1 begincidchar <8140> 633 endcidchar /WMode 1 def",
        );
        assert_eq!(m.next_code(b"A"), (0x41, 1));
        assert_eq!(m.next_code(&[0x81, 0x40]), (0x8140, 2));
        assert_eq!(m.cid(0x41), Some(0x41 - 0x20 + 1));
        assert_eq!(m.cid(0x8140), Some(633));
        assert_eq!(m.wmode, 1);
    }

    #[test]
    fn garbage_is_empty() {
        let m = CMap::parse(b"\x00\xff begincodespacerange ]] endbfrange <01> endbfchar");
        assert!(!m.has_unicode());
    }
}
