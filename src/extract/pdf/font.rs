//! Fonts as the text interpreter needs them: how to split a string into
//! codes, each code's advance width and Unicode text, the vertical extent
//! and the style cues. Font programs are never parsed: positions come from
//! the widths in the PDF, text from ToUnicode and encodings.

use std::sync::Arc;

use lopdf::{Dictionary, Document, Object};

use super::cmap::{self, CMap};
use super::encoding::{glyph_name_text, BaseEncoding, StdFont};
use super::objects::{
    get, get_array, get_dict, get_name, get_num, get_stream, number_items, numbers, resolve,
    stream_data, NumItem, PdfFile,
};

/// Most entries read from a `/W` or `/W2` array.
const MAX_WIDTH_ENTRIES: usize = 1 << 20;

/// A loaded font.
#[derive(Debug)]
pub(crate) struct Font {
    /// Base name without subset prefix.
    pub name: Arc<str>,
    pub bold: bool,
    pub italic: bool,
    /// Ascent and descent in text space per unit of font size.
    pub ascent: f64,
    pub descent: f64,
    /// Font size multiplier for the effective size (1 except for Type3
    /// fonts whose glyph widths show an em far from one text unit).
    pub size_scale: f64,
    /// Vertical writing mode (Identity-V and friends).
    pub vertical: bool,
    /// The font gives no widths and is not one of the standard 14: glyph
    /// widths are a guess (half an em).
    pub widths_estimated: bool,
    kind: Kind,
}

#[derive(Debug)]
enum Kind {
    Simple {
        /// Advance per code in text space per unit of font size.
        widths: Box<[f64; 256]>,
        texts: Vec<Option<Box<str>>>,
    },
    Cid(Box<CidFont>),
}

#[derive(Debug)]
struct CidFont {
    codes: CodeMap,
    to_unicode: Option<CMap>,
    /// Sorted by first CID: (first, last, width in glyph units).
    widths: Vec<(u32, u32, f32)>,
    dw: f64,
    /// Sorted by first CID: (first, last, [w1y, vx, vy]) in glyph units.
    vmetrics: Vec<(u32, u32, [f32; 3])>,
    /// DW2: (vy, w1y).
    dw2: (f64, f64),
}

#[derive(Debug)]
enum CodeMap {
    /// Identity-H/V: two-byte codes equal to CIDs.
    Identity,
    /// An embedded CMap stream.
    Embedded(CMap),
    /// A predefined CMap we have no table for.
    Predefined(Predefined),
}

#[derive(Debug, Clone, Copy)]
enum Predefined {
    /// `Uni*-UCS2-*`: two-byte codes are UCS-2.
    Ucs2,
    /// `Uni*-UTF16-*`.
    Utf16,
    /// A legacy multi-byte encoding (GBK, Big5, Shift-JIS, EUC...).
    Legacy(&'static encoding_rs::Encoding),
    /// Anything else: two-byte codes, no text.
    Unknown,
}

/// Strip a subset prefix (`ABCDEF+`).
pub(crate) fn strip_subset(name: &str) -> &str {
    match name.split_once('+') {
        Some((prefix, rest))
            if prefix.len() == 6 && prefix.bytes().all(|b| b.is_ascii_uppercase()) =>
        {
            rest
        }
        _ => name,
    }
}

/// Bold and italic cues from a font name.
pub(crate) fn name_style(name: &str) -> (bool, bool) {
    let lower = name.to_ascii_lowercase();
    let style = name.rsplit(['-', ',']).next().unwrap_or("");
    let style_token = if style.len() < name.len() { style } else { "" };
    let bold = ["bold", "black", "heavy", "semibold", "demi"]
        .iter()
        .any(|k| lower.contains(k))
        || matches!(
            style_token,
            "B" | "BI" | "BO" | "Bd" | "BdIt" | "BoldIt" | "Blk"
        );
    let italic = ["italic", "oblique", "kursiv"]
        .iter()
        .any(|k| lower.contains(k))
        || matches!(
            style_token,
            "I" | "It" | "BI" | "BO" | "BdIt" | "Ita" | "Obl"
        )
        || (style_token.len() > 2 && style_token.ends_with("It"));
    (bold, italic)
}

impl Font {
    /// A font to use when a `Tf` names nothing loadable: no text, average
    /// widths.
    pub(crate) fn fallback(name: &str) -> Font {
        Font {
            name: Arc::from(name),
            bold: false,
            italic: false,
            ascent: 0.8,
            descent: -0.2,
            size_scale: 1.0,
            vertical: false,
            widths_estimated: true,
            kind: Kind::Simple {
                widths: Box::new([0.5; 256]),
                texts: vec![None; 256],
            },
        }
    }

    /// Load a font dictionary. Never fails: broken parts fall back to
    /// defaults (and unmapped codes are reported by the caller).
    pub(crate) fn load(doc: &PdfFile, dict: &Dictionary, resource_name: &[u8]) -> Font {
        match get_name(doc, dict, b"Subtype") {
            Some(b"Type0") => load_type0(doc, dict, resource_name),
            Some(b"Type3") => load_simple(doc, dict, resource_name, true),
            _ => load_simple(doc, dict, resource_name, false),
        }
    }

    /// Split the next code off `bytes`: (code, length in bytes >= 1).
    #[inline]
    pub(crate) fn next_code(&self, bytes: &[u8]) -> (u32, usize) {
        match &self.kind {
            Kind::Simple { .. } => (bytes.first().copied().map_or(0, u32::from), 1),
            Kind::Cid(cid) => match &cid.codes {
                CodeMap::Identity => cmap::two_byte_code(bytes),
                CodeMap::Embedded(m) => m.next_code(bytes),
                CodeMap::Predefined(p) => predefined_code(*p, bytes),
            },
        }
    }

    fn cid_of(cid: &CidFont, code: u32) -> Option<u32> {
        match &cid.codes {
            CodeMap::Identity => Some(code),
            CodeMap::Embedded(m) => Some(m.cid(code).unwrap_or(0)),
            CodeMap::Predefined(_) => None,
        }
    }

    /// The horizontal advance of a code, text space per unit font size.
    #[inline]
    pub(crate) fn width(&self, code: u32) -> f64 {
        match &self.kind {
            Kind::Simple { widths, .. } => widths.get(code as usize).copied().unwrap_or(0.0),
            Kind::Cid(cid) => {
                let w = Font::cid_of(cid, code)
                    .and_then(|c| lookup_range(&cid.widths, c))
                    .map_or(cid.dw, f64::from);
                w / 1000.0
            }
        }
    }

    /// Vertical metrics of a code: (w1y, vx) in text space per unit font
    /// size; `w0` is the horizontal advance (for the default vx). The glyph
    /// box spans the vertical advance below the pen, centred on it (the
    /// position vector's vy only matters for drawing the outline).
    pub(crate) fn vmetrics(&self, code: u32, w0: f64) -> (f64, f64) {
        match &self.kind {
            Kind::Simple { .. } => (-1.0, w0 / 2.0),
            Kind::Cid(cid) => {
                match Font::cid_of(cid, code).and_then(|c| lookup_range(&cid.vmetrics, c)) {
                    Some([w1y, vx, _vy]) => (f64::from(w1y) / 1000.0, f64::from(vx) / 1000.0),
                    None => (cid.dw2.1 / 1000.0, w0 / 2.0),
                }
            }
        }
    }

    /// The Unicode text of a code (`bytes` are its bytes in the string).
    pub(crate) fn text(&self, code: u32, bytes: &[u8]) -> Option<String> {
        match &self.kind {
            Kind::Simple { texts, .. } => texts
                .get(code as usize)
                .and_then(|t| t.as_deref())
                .map(str::to_string),
            Kind::Cid(cid) => {
                if let Some(t) = cid.to_unicode.as_ref().and_then(|m| m.unicode(code)) {
                    return Some(t);
                }
                match &cid.codes {
                    CodeMap::Predefined(Predefined::Ucs2) => {
                        cmap::utf16_text(&[(code & 0xffff) as u16])
                    }
                    CodeMap::Predefined(Predefined::Utf16) => cmap::utf16be_text(bytes),
                    CodeMap::Predefined(Predefined::Legacy(enc)) => {
                        let (s, had_errors) = enc.decode_without_bom_handling(bytes);
                        if had_errors {
                            None
                        } else {
                            cmap::clean_text(s.into_owned())
                        }
                    }
                    _ => None,
                }
            }
        }
    }
}

fn lookup_range<T: Copy>(ranges: &[(u32, u32, T)], key: u32) -> Option<T> {
    let idx = ranges.partition_point(|r| r.0 <= key);
    ranges[..idx]
        .iter()
        .rev()
        .take(8)
        .find(|r| key <= r.1)
        .map(|r| r.2)
}

fn predefined_code(p: Predefined, bytes: &[u8]) -> (u32, usize) {
    match p {
        Predefined::Legacy(enc) => {
            let first = bytes.first().copied().unwrap_or(0);
            let two = if enc == encoding_rs::SHIFT_JIS {
                matches!(first, 0x81..=0x9f | 0xe0..=0xfc)
            } else {
                first >= 0x81
            };
            if two && bytes.len() >= 2 {
                (u32::from(first) << 8 | u32::from(bytes[1]), 2)
            } else {
                (u32::from(first), 1)
            }
        }
        Predefined::Utf16 => {
            if let [a, b, c, d, ..] = bytes {
                if (0xd8..=0xdb).contains(a) {
                    let code = u32::from_be_bytes([*a, *b, *c, *d]);
                    return (code, 4);
                }
            }
            cmap::two_byte_code(bytes)
        }
        _ => cmap::two_byte_code(bytes),
    }
}

fn predefined(name: &[u8]) -> Predefined {
    let n = String::from_utf8_lossy(name);
    if n.contains("UCS2") {
        return Predefined::Ucs2;
    }
    if n.contains("UTF16") {
        return Predefined::Utf16;
    }
    let enc = if n.starts_with("GB") {
        Some(encoding_rs::GB18030)
    } else if n.starts_with("B5") || n.starts_with("ETen") || n.starts_with("HKscs") {
        Some(encoding_rs::BIG5)
    } else if n.contains("RKSJ") {
        Some(encoding_rs::SHIFT_JIS)
    } else if n.starts_with("KSC") {
        Some(encoding_rs::EUC_KR)
    } else if n.starts_with("EUC") {
        Some(encoding_rs::EUC_JP)
    } else {
        None
    };
    enc.map_or(Predefined::Unknown, Predefined::Legacy)
}

/// Descriptor metrics: (ascent, descent) in glyph units/1000, sanitized as
/// poppler does (negative ascent flipped, positive descent flipped, zero or
/// absurd values ignored).
fn descriptor_metrics(doc: &Document, desc: Option<&Dictionary>) -> (Option<f64>, Option<f64>) {
    let Some(desc) = desc else {
        return (None, None);
    };
    let ascent = get_num(doc, desc, b"Ascent")
        .map(|a| (a / 1000.0).abs())
        .filter(|a| *a > 0.0 && *a < 3.0);
    let descent = get_num(doc, desc, b"Descent")
        .map(|d| -(d / 1000.0).abs())
        .filter(|d| *d < 0.0 && *d > -3.0);
    (ascent, descent)
}

/// Style from the name and the descriptor.
fn style(doc: &Document, name: &str, desc: Option<&Dictionary>) -> (bool, bool) {
    let (mut bold, mut italic) = name_style(name);
    if let Some(desc) = desc {
        let flags = get_num(doc, desc, b"Flags").unwrap_or(0.0) as i64;
        if flags & (1 << 18) != 0 {
            bold = true;
        }
        if flags & (1 << 6) != 0 {
            italic = true;
        }
        if get_num(doc, desc, b"FontWeight").is_some_and(|w| w >= 600.0) {
            bold = true;
        }
        if get_num(doc, desc, b"ItalicAngle").is_some_and(|a| a.abs() >= 1.0) {
            italic = true;
        }
    }
    (bold, italic)
}

fn base_font_name(doc: &Document, dict: &Dictionary) -> Option<String> {
    get_name(doc, dict, b"BaseFont").map(|n| strip_subset(&String::from_utf8_lossy(n)).to_string())
}

fn load_tounicode(doc: &PdfFile, dict: &Dictionary) -> Option<CMap> {
    let stream = get_stream(doc, dict, b"ToUnicode")?;
    let data = stream_data(doc, stream).ok()?;
    let m = CMap::parse(&data);
    m.has_unicode().then_some(m)
}

fn load_simple(doc: &PdfFile, dict: &Dictionary, resource_name: &[u8], type3: bool) -> Font {
    let name = base_font_name(doc, dict)
        .or_else(|| get_name(doc, dict, b"Name").map(|n| String::from_utf8_lossy(n).into_owned()))
        .unwrap_or_else(|| String::from_utf8_lossy(resource_name).into_owned());
    let desc = get_dict(doc, dict, b"FontDescriptor");
    let std = StdFont::from_name(&name);
    let flags = desc.and_then(|d| get_num(doc, d, b"Flags")).unwrap_or(0.0) as i64;
    let symbolic = flags & 4 != 0 && flags & 32 == 0;
    let truetype = matches!(get_name(doc, dict, b"Subtype"), Some(b"TrueType"));

    // Type3 glyph space to text space.
    let font_matrix: [f64; 6] = if type3 {
        match get_array(doc, dict, b"FontMatrix") {
            Some(a) if a.len() == 6 => {
                let n = numbers(doc, a);
                let mut m = [0.001, 0.0, 0.0, 0.001, 0.0, 0.0];
                for (slot, v) in m.iter_mut().zip(n) {
                    if let Some(v) = v {
                        *slot = v;
                    }
                }
                m
            }
            _ => [0.001, 0.0, 0.0, 0.001, 0.0, 0.0],
        }
    } else {
        [0.001, 0.0, 0.0, 0.001, 0.0, 0.0]
    };

    // Code -> glyph name: base encoding, then Differences.
    let mut base: Option<BaseEncoding> = if type3 {
        None
    } else if std == Some(StdFont::Symbol) {
        Some(BaseEncoding::Symbol)
    } else if std == Some(StdFont::ZapfDingbats) {
        None
    } else if truetype || symbolic {
        Some(BaseEncoding::WinAnsi)
    } else {
        Some(BaseEncoding::Standard)
    };
    let mut differences: Vec<Option<&[u8]>> = vec![None; 256];
    match get(doc, dict, b"Encoding") {
        Some(Object::Name(n)) => {
            if let Some(b) = BaseEncoding::from_name(n) {
                base = Some(b);
            }
        }
        Some(Object::Dictionary(enc)) => {
            if let Some(b) = get_name(doc, enc, b"BaseEncoding").and_then(BaseEncoding::from_name) {
                base = Some(b);
            }
            if let Some(diffs) = get_array(doc, enc, b"Differences") {
                let mut code: i64 = 0;
                for item in diffs {
                    match resolve(doc, item) {
                        Some(Object::Integer(c)) => code = *c,
                        Some(Object::Real(c)) => code = *c as i64,
                        Some(Object::Name(n)) => {
                            if (0..256).contains(&code) {
                                differences[code as usize] = Some(n.as_slice());
                            }
                            code = code.saturating_add(1);
                        }
                        _ => {}
                    }
                }
            }
        }
        _ => {}
    }
    let glyph_name = |code: usize| -> Option<&[u8]> {
        differences[code].or_else(|| {
            base.and_then(|b| b.glyph_name(code as u8))
                .map(str::as_bytes)
        })
    };

    // Unicode: ToUnicode first, then glyph names.
    let to_unicode = load_tounicode(doc, dict);
    let mut texts: Vec<Option<Box<str>>> = Vec::with_capacity(256);
    for code in 0..256usize {
        let t = to_unicode
            .as_ref()
            .and_then(|m| m.unicode(code as u32))
            .or_else(|| glyph_name(code).and_then(glyph_name_text));
        texts.push(t.map(String::into_boxed_str));
    }

    // Widths.
    let mut widths = Box::new([0.0f64; 256]);
    let missing = desc
        .and_then(|d| get_num(doc, d, b"MissingWidth"))
        .unwrap_or(0.0);
    let scale = font_matrix[0];
    let mut widths_estimated = false;
    match number_items(doc, dict, b"Widths") {
        Some(ws) => {
            let first = get_num(doc, dict, b"FirstChar").unwrap_or(0.0).max(0.0) as usize;
            for w in widths.iter_mut() {
                *w = missing * scale;
            }
            for (i, w) in ws.iter().enumerate() {
                let code = first.saturating_add(i);
                if code >= 256 {
                    break;
                }
                if let NumItem::Num(v) = w {
                    widths[code] = v * scale;
                }
            }
        }
        None => {
            widths_estimated = std.is_none();
            for (code, w) in widths.iter_mut().enumerate() {
                let gname = glyph_name(code).and_then(|n| std::str::from_utf8(n).ok());
                let v = std
                    .and_then(|s| s.width(gname, code as u8))
                    .unwrap_or(if missing > 0.0 { missing } else { 500.0 });
                *w = v * scale;
            }
        }
    }

    // Type3 fonts: the font matrix normally makes the em one text unit, but
    // some (bitmap fonts from dvips) use pixels; widths far from an em tell.
    let size_scale = if type3 {
        let mut ws: Vec<f64> = widths.iter().copied().filter(|w| *w > 0.0).collect();
        ws.sort_by(f64::total_cmp);
        match ws.get(ws.len() / 2) {
            Some(&median) if !(0.1..=3.0).contains(&median) && median.is_finite() => {
                (median / 0.5).clamp(1e-3, 1e4)
            }
            _ => 1.0,
        }
    } else {
        1.0
    };

    // Vertical extent.
    let (mut ascent, mut descent) = descriptor_metrics(doc, desc);
    if type3 {
        let s = font_matrix[3].abs() * 1000.0;
        if s.is_finite() && s > 1e-3 && s < 1e3 {
            ascent = ascent.map(|a| a * s);
            descent = descent.map(|d| d * s);
        }
    }
    if type3 && (ascent.is_none() || descent.is_none()) {
        if let Some(bb) = get_array(doc, dict, b"FontBBox").filter(|a| a.len() == 4) {
            let n = numbers(doc, bb);
            if let (Some(lly), Some(ury)) = (n[1], n[3]) {
                let d = font_matrix[3];
                let (lo, hi) = if d >= 0.0 {
                    (lly * d, ury * d)
                } else {
                    (ury * d, lly * d)
                };
                if hi > 0.0 && hi < 3.0 * size_scale && ascent.is_none() {
                    ascent = Some(hi);
                }
                if lo < 0.0 && lo > -3.0 * size_scale && descent.is_none() {
                    descent = Some(lo);
                }
            }
        }
    }
    if let Some(s) = std {
        let (a, d) = s.ascent_descent();
        ascent = ascent.or(Some(a / 1000.0));
        descent = descent.or(Some(d / 1000.0));
    }
    let ascent = ascent.unwrap_or(0.8 * size_scale);
    let descent = descent.unwrap_or(-0.2 * size_scale);
    let (bold, italic) = style(doc, &name, desc);
    Font {
        name: Arc::from(name.as_str()),
        bold,
        italic,
        ascent,
        descent,
        size_scale,
        vertical: false,
        widths_estimated,
        kind: Kind::Simple { widths, texts },
    }
}

fn load_type0(doc: &PdfFile, dict: &Dictionary, resource_name: &[u8]) -> Font {
    let descendant = get_array(doc, dict, b"DescendantFonts")
        .and_then(|a| a.first())
        .and_then(|o| resolve(doc, o))
        .and_then(super::objects::as_dict);
    let desc = descendant.and_then(|d| get_dict(doc, d, b"FontDescriptor"));

    let mut vertical = false;
    let mut enc_name: Option<&[u8]> = None;
    let codes = match get(doc, dict, b"Encoding") {
        Some(Object::Name(n)) => {
            enc_name = Some(n);
            vertical = n.ends_with(b"-V");
            match n.as_slice() {
                b"Identity-H" | b"Identity-V" => CodeMap::Identity,
                other => CodeMap::Predefined(predefined(other)),
            }
        }
        Some(Object::Stream(s)) => {
            let m = stream_data(doc, s)
                .map(|d| CMap::parse(&d))
                .unwrap_or_default();
            vertical = m.wmode == 1
                || get_num(doc, &s.dict, b"WMode") == Some(1.0)
                || m.usecmap.as_deref().is_some_and(|u| u.ends_with(b"-V"));
            if m.has_cids() || m.has_codespace() {
                CodeMap::Embedded(m)
            } else {
                CodeMap::Identity
            }
        }
        _ => CodeMap::Identity,
    };

    let mut name = descendant
        .and_then(|d| base_font_name(doc, d))
        .or_else(|| base_font_name(doc, dict))
        .unwrap_or_else(|| String::from_utf8_lossy(resource_name).into_owned());
    if let Some(e) = enc_name {
        let suffix = format!("-{}", String::from_utf8_lossy(e));
        if let Some(stripped) = name.strip_suffix(&suffix) {
            name = stripped.to_string();
        }
    }

    let mut widths: Vec<(u32, u32, f32)> = Vec::new();
    let mut vmetrics: Vec<(u32, u32, [f32; 3])> = Vec::new();
    let mut dw = 1000.0;
    let mut dw2 = (880.0, -1000.0);
    if let Some(d) = descendant {
        dw = get_num(doc, d, b"DW").unwrap_or(1000.0);
        if let Some(w) = number_items(doc, d, b"W") {
            widths = parse_w(&w, 1)
                .into_iter()
                .map(|(a, b, v)| (a, b, v[0]))
                .collect();
        }
        if let Some(a) = get_array(doc, d, b"DW2").filter(|a| a.len() == 2) {
            let n = numbers(doc, a);
            if let (Some(vy), Some(w1)) = (n[0], n[1]) {
                dw2 = (vy, w1);
            }
        }
        if let Some(w2) = number_items(doc, d, b"W2") {
            vmetrics = parse_w(&w2, 3)
                .into_iter()
                .map(|(a, b, v)| (a, b, [v[0], v[1], v[2]]))
                .collect();
        }
    }
    widths.sort_by_key(|r| r.0);
    vmetrics.sort_by_key(|r| r.0);

    let (mut ascent, mut descent) = descriptor_metrics(doc, desc);
    if vertical {
        // CJK fonts: the em box, 0.88 above the baseline.
        ascent = ascent.or(Some(0.88));
        descent = descent.or(Some(-0.12));
    }
    let (bold, italic) = style(doc, &name, desc);
    Font {
        name: Arc::from(name.as_str()),
        bold,
        italic,
        ascent: ascent.unwrap_or(0.8),
        descent: descent.unwrap_or(-0.2),
        size_scale: 1.0,
        vertical,
        widths_estimated: false,
        kind: Kind::Cid(Box::new(CidFont {
            codes,
            to_unicode: load_tounicode(doc, dict),
            widths,
            dw,
            vmetrics,
            dw2,
        })),
    }
}

/// Parse a `/W` (`per` = 1) or `/W2` (`per` = 3) array in both forms:
/// `c [v ...]` and `cfirst clast v`.
fn parse_w(arr: &[NumItem], per: usize) -> Vec<(u32, u32, [f32; 3])> {
    let num = |i: usize| match arr.get(i) {
        Some(NumItem::Num(v)) => Some(*v),
        _ => None,
    };
    let mut out = Vec::new();
    let mut i = 0;
    while i < arr.len() && out.len() < MAX_WIDTH_ENTRIES {
        let Some(first) = num(i) else {
            i += 1;
            continue;
        };
        if first < 0.0 || first > f64::from(u32::MAX) {
            i += 1;
            continue;
        }
        let first = first as u32;
        match arr.get(i + 1) {
            Some(NumItem::List(vals)) => {
                for (k, chunk) in vals.chunks_exact(per).enumerate() {
                    if out.len() >= MAX_WIDTH_ENTRIES {
                        break;
                    }
                    let Some(cid) = first.checked_add(k as u32) else {
                        break;
                    };
                    let mut v = [0f32; 3];
                    for (slot, x) in v.iter_mut().zip(chunk) {
                        *slot = x.unwrap_or(0.0) as f32;
                    }
                    out.push((cid, cid, v));
                }
                i += 2;
            }
            Some(NumItem::Num(_) | NumItem::Other) => {
                let last = num(i + 1);
                let mut v = [0f32; 3];
                let mut ok = last.is_some();
                for (k, slot) in v.iter_mut().enumerate().take(per) {
                    match num(i + 2 + k) {
                        Some(x) => *slot = x as f32,
                        None => ok = false,
                    }
                }
                if let (true, Some(last)) = (ok, last) {
                    if last >= f64::from(first) && last <= f64::from(u32::MAX) {
                        out.push((first, last as u32, v));
                    }
                }
                i += 2 + per;
            }
            Some(NumItem::Null) | None => break,
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn subset_and_style() {
        assert_eq!(strip_subset("ABCDEF+Times-Bold"), "Times-Bold");
        assert_eq!(strip_subset("AbCDEF+X"), "AbCDEF+X");
        assert_eq!(name_style("Times-Bold"), (true, false));
        assert_eq!(name_style("Melior-Italic"), (false, true));
        assert_eq!(name_style("HelveticaNeue-HeavyItalic"), (true, true));
        assert_eq!(name_style("Utopia-Semibold"), (true, false));
        assert_eq!(name_style("FooSans-B"), (true, false));
        assert_eq!(name_style("FooSans-BI"), (true, true));
        assert_eq!(name_style("Minion-It"), (false, true));
        assert_eq!(name_style("Arial,BoldItalic"), (true, true));
        assert_eq!(name_style("Helvetica"), (false, false));
        assert_eq!(name_style("CenturyGothic"), (false, false));
    }

    #[test]
    fn w_array_both_forms() {
        let w = vec![
            NumItem::Num(3.0),
            NumItem::List(vec![Some(500.0), Some(250.5)]),
            NumItem::Num(10.0),
            NumItem::Num(20.0),
            NumItem::Num(600.0),
        ];
        let out = parse_w(&w, 1);
        assert_eq!(out.len(), 3);
        assert_eq!(lookup_range(&widths_of(&out), 3), Some(500.0));
        assert_eq!(lookup_range(&widths_of(&out), 4), Some(250.5));
        assert_eq!(lookup_range(&widths_of(&out), 15), Some(600.0));
        assert_eq!(lookup_range(&widths_of(&out), 21), None);
        assert_eq!(lookup_range(&widths_of(&out), 5), None);
    }

    fn widths_of(v: &[(u32, u32, [f32; 3])]) -> Vec<(u32, u32, f32)> {
        let mut w: Vec<_> = v.iter().map(|(a, b, x)| (*a, *b, x[0])).collect();
        w.sort_by_key(|r| r.0);
        w
    }
}
