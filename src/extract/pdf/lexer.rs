//! A tolerant tokenizer for content streams (and CMaps, which share the
//! syntax): operands are collected on a stack until an operator arrives.
//!
//! It never fails: bytes it cannot read are skipped, like viewers do, so one
//! bad token does not lose the rest of a page. Limits on nesting, array
//! length and stack size keep hostile input bounded.

use std::borrow::Cow;

/// Most operands kept on the stack; more are dropped.
const MAX_OPERANDS: usize = 1 << 16;
/// Most elements kept in one array or dictionary.
const MAX_ARRAY: usize = 1 << 16;
/// Deepest array/dictionary nesting read as structure.
const MAX_DEPTH: usize = 32;

/// An operand.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Obj<'a> {
    Num(f64),
    Bool(bool),
    Null,
    Name(Cow<'a, [u8]>),
    Str(Cow<'a, [u8]>),
    Array(Vec<Obj<'a>>),
    Dict(Vec<(Cow<'a, [u8]>, Obj<'a>)>),
}

impl<'a> Obj<'a> {
    pub(crate) fn num(&self) -> Option<f64> {
        match self {
            Obj::Num(n) => Some(*n),
            _ => None,
        }
    }
    pub(crate) fn name(&self) -> Option<&[u8]> {
        match self {
            Obj::Name(n) => Some(n),
            _ => None,
        }
    }
    pub(crate) fn string(&self) -> Option<&[u8]> {
        match self {
            Obj::Str(s) => Some(s),
            _ => None,
        }
    }
}

/// An inline image as read between `BI` and `EI`.
#[derive(Debug, Clone, Default)]
pub(crate) struct InlineImage<'a> {
    pub dict: Vec<(Cow<'a, [u8]>, Obj<'a>)>,
    pub data_len: usize,
}

impl<'a> InlineImage<'a> {
    /// Value by full or abbreviated key.
    pub(crate) fn get(&self, full: &[u8], abbr: &[u8]) -> Option<&Obj<'a>> {
        self.dict
            .iter()
            .find(|(k, _)| k.as_ref() == full || k.as_ref() == abbr)
            .map(|(_, v)| v)
    }
}

pub(crate) struct Lexer<'a> {
    data: &'a [u8],
    pos: usize,
    /// Operands of the operator last returned by [`Lexer::next_op`].
    pub operands: Vec<Obj<'a>>,
    /// The image of the last `BI` operator.
    pub inline_image: Option<InlineImage<'a>>,
}

#[inline]
pub(crate) fn is_white(c: u8) -> bool {
    matches!(c, b' ' | b'\n' | b'\r' | b'\t' | b'\x0c' | b'\0')
}

#[inline]
pub(crate) fn is_delim(c: u8) -> bool {
    matches!(
        c,
        b'(' | b')' | b'<' | b'>' | b'[' | b']' | b'{' | b'}' | b'/' | b'%'
    )
}

#[inline]
fn is_regular(c: u8) -> bool {
    !is_white(c) && !is_delim(c)
}

fn hex_val(c: u8) -> Option<u8> {
    match c {
        b'0'..=b'9' => Some(c - b'0'),
        b'a'..=b'f' => Some(c - b'a' + 10),
        b'A'..=b'F' => Some(c - b'A' + 10),
        _ => None,
    }
}

/// Parse a PDF number leniently (`-.5`, `4.`, `--3`, `1.2.3` read as far as
/// it makes sense); garbage reads as 0.
pub(crate) fn parse_number(tok: &[u8]) -> f64 {
    let mut i = 0;
    let mut neg = false;
    while i < tok.len() && (tok[i] == b'-' || tok[i] == b'+') {
        if tok[i] == b'-' {
            neg = !neg;
        }
        i += 1;
    }
    let mut int: f64 = 0.0;
    while i < tok.len() && tok[i].is_ascii_digit() {
        int = int * 10.0 + f64::from(tok[i] - b'0');
        i += 1;
    }
    if i < tok.len() && tok[i] == b'.' {
        i += 1;
        let mut scale = 0.1;
        while i < tok.len() && tok[i].is_ascii_digit() {
            int += f64::from(tok[i] - b'0') * scale;
            scale *= 0.1;
            i += 1;
        }
    }
    if neg {
        -int
    } else {
        int
    }
}

enum Token<'a> {
    Obj(Obj<'a>),
    Keyword(&'a [u8]),
    ArrayStart,
    ArrayEnd,
    DictStart,
    DictEnd,
    /// A stray character (`)`, `>`, `{`, `}`) or nothing useful.
    Skip,
}

impl<'a> Lexer<'a> {
    pub(crate) fn new(data: &'a [u8]) -> Lexer<'a> {
        Lexer {
            data,
            pos: 0,
            operands: Vec::new(),
            inline_image: None,
        }
    }

    fn skip_space(&mut self) {
        while let Some(&c) = self.data.get(self.pos) {
            if is_white(c) {
                self.pos += 1;
            } else if c == b'%' {
                while let Some(&c) = self.data.get(self.pos) {
                    if c == b'\n' || c == b'\r' {
                        break;
                    }
                    self.pos += 1;
                }
            } else {
                break;
            }
        }
    }

    fn token(&mut self) -> Option<Token<'a>> {
        self.skip_space();
        let data = self.data;
        let c = *data.get(self.pos)?;
        match c {
            b'/' => {
                self.pos += 1;
                let start = self.pos;
                while self.pos < data.len() && is_regular(data[self.pos]) {
                    self.pos += 1;
                }
                let raw = &data[start..self.pos];
                Some(Token::Obj(Obj::Name(unescape_name(raw))))
            }
            b'(' => Some(Token::Obj(Obj::Str(self.literal_string()))),
            b'<' => {
                if data.get(self.pos + 1) == Some(&b'<') {
                    self.pos += 2;
                    Some(Token::DictStart)
                } else {
                    Some(Token::Obj(Obj::Str(Cow::Owned(self.hex_string()))))
                }
            }
            b'>' => {
                if data.get(self.pos + 1) == Some(&b'>') {
                    self.pos += 2;
                    Some(Token::DictEnd)
                } else {
                    self.pos += 1;
                    Some(Token::Skip)
                }
            }
            b'[' => {
                self.pos += 1;
                Some(Token::ArrayStart)
            }
            b']' => {
                self.pos += 1;
                Some(Token::ArrayEnd)
            }
            b')' | b'{' | b'}' => {
                self.pos += 1;
                Some(Token::Skip)
            }
            _ => {
                let start = self.pos;
                while self.pos < data.len() && is_regular(data[self.pos]) {
                    self.pos += 1;
                }
                let tok = &data[start..self.pos];
                if tok.is_empty() {
                    self.pos += 1;
                    return Some(Token::Skip);
                }
                if tok
                    .iter()
                    .all(|&b| b.is_ascii_digit() || b == b'-' || b == b'+' || b == b'.')
                {
                    return Some(Token::Obj(Obj::Num(parse_number(tok))));
                }
                match tok {
                    b"true" => Some(Token::Obj(Obj::Bool(true))),
                    b"false" => Some(Token::Obj(Obj::Bool(false))),
                    b"null" => Some(Token::Obj(Obj::Null)),
                    _ => Some(Token::Keyword(tok)),
                }
            }
        }
    }

    fn literal_string(&mut self) -> Cow<'a, [u8]> {
        let data = self.data;
        // self.pos is at '('
        self.pos += 1;
        let start = self.pos;
        let mut depth = 1usize;
        let mut simple = true;
        let mut i = self.pos;
        while i < data.len() {
            match data[i] {
                b'\\' => {
                    simple = false;
                    i += 2;
                    continue;
                }
                b'\r' => simple = false,
                b'(' => depth += 1,
                b')' => {
                    depth -= 1;
                    if depth == 0 {
                        break;
                    }
                }
                _ => {}
            }
            i += 1;
        }
        let end = i.min(data.len());
        self.pos = (end + 1).min(data.len());
        let raw = &data[start..end];
        if simple {
            return Cow::Borrowed(raw);
        }
        let mut out = Vec::with_capacity(raw.len());
        let mut j = 0;
        while j < raw.len() {
            let c = raw[j];
            if c == b'\\' {
                j += 1;
                let Some(&e) = raw.get(j) else { break };
                match e {
                    b'n' => out.push(b'\n'),
                    b'r' => out.push(b'\r'),
                    b't' => out.push(b'\t'),
                    b'b' => out.push(8),
                    b'f' => out.push(12),
                    b'0'..=b'7' => {
                        let mut v: u32 = 0;
                        let mut k = 0;
                        while k < 3 {
                            match raw.get(j) {
                                Some(&d @ b'0'..=b'7') => {
                                    v = v * 8 + u32::from(d - b'0');
                                    j += 1;
                                    k += 1;
                                }
                                _ => break,
                            }
                        }
                        out.push((v & 0xff) as u8);
                        continue;
                    }
                    b'\r' => {
                        if raw.get(j + 1) == Some(&b'\n') {
                            j += 1;
                        }
                    }
                    b'\n' => {}
                    other => out.push(other),
                }
                j += 1;
            } else if c == b'\r' {
                out.push(b'\n');
                if raw.get(j + 1) == Some(&b'\n') {
                    j += 1;
                }
                j += 1;
            } else {
                out.push(c);
                j += 1;
            }
        }
        Cow::Owned(out)
    }

    fn hex_string(&mut self) -> Vec<u8> {
        let data = self.data;
        self.pos += 1; // '<'
        let mut out = Vec::new();
        let mut hi: Option<u8> = None;
        while let Some(&c) = data.get(self.pos) {
            self.pos += 1;
            if c == b'>' {
                break;
            }
            if let Some(v) = hex_val(c) {
                match hi.take() {
                    Some(h) => out.push(h << 4 | v),
                    None => hi = Some(v),
                }
            }
        }
        if let Some(h) = hi {
            out.push(h << 4);
        }
        out
    }

    /// Read an object that starts with `first`; arrays and dictionaries are
    /// read to their end.
    fn object(&mut self, first: Token<'a>, depth: usize) -> Option<Obj<'a>> {
        match first {
            Token::Obj(o) => Some(o),
            Token::ArrayStart => {
                let mut items = Vec::new();
                loop {
                    let save = self.pos;
                    let Some(tok) = self.token() else { break };
                    match tok {
                        Token::ArrayEnd => break,
                        // An operator inside an array: the `]` is missing.
                        // End the array there so the operator still runs.
                        Token::Keyword(_) => {
                            self.pos = save;
                            break;
                        }
                        Token::Skip | Token::DictEnd => {}
                        t => {
                            if depth >= MAX_DEPTH {
                                // Too deep: read and drop.
                                self.skip_nested(&t);
                                continue;
                            }
                            if let Some(o) = self.object(t, depth + 1) {
                                if items.len() < MAX_ARRAY {
                                    items.push(o);
                                }
                            }
                        }
                    }
                }
                Some(Obj::Array(items))
            }
            Token::DictStart => Some(Obj::Dict(self.dict_body(depth))),
            _ => None,
        }
    }

    /// Skip the rest of an array or dictionary that `first` opens, without
    /// recursion.
    fn skip_nested(&mut self, first: &Token<'a>) {
        if !matches!(first, Token::ArrayStart | Token::DictStart) {
            return;
        }
        let mut open = 1usize;
        while open > 0 {
            let save = self.pos;
            match self.token() {
                None => break,
                Some(Token::ArrayStart | Token::DictStart) => open += 1,
                Some(Token::ArrayEnd | Token::DictEnd) => open -= 1,
                Some(Token::Keyword(_)) => {
                    self.pos = save;
                    break;
                }
                Some(_) => {}
            }
        }
    }

    /// Key/value pairs until `>>` (consumed) or an operator such as the
    /// `ID` of an inline image (left to read), or the end of the data.
    fn dict_body(&mut self, depth: usize) -> Vec<(Cow<'a, [u8]>, Obj<'a>)> {
        let mut entries = Vec::new();
        let mut key: Option<Cow<'a, [u8]>> = None;
        loop {
            let save = self.pos;
            let Some(tok) = self.token() else { break };
            match tok {
                Token::DictEnd => break,
                Token::Keyword(_) => {
                    self.pos = save;
                    break;
                }
                _ => {}
            }
            match (key.take(), tok) {
                (None, Token::Obj(Obj::Name(n))) => key = Some(n),
                (None, _) => {}
                (Some(k), t) => {
                    if depth >= MAX_DEPTH {
                        self.skip_nested(&t);
                        continue;
                    }
                    if let Some(v) = self.object(t, depth + 1) {
                        if entries.len() < MAX_ARRAY {
                            entries.push((k, v));
                        }
                    }
                }
            }
        }
        entries
    }

    /// Read an inline image after `BI`: its dictionary, `ID`, the data and
    /// `EI`.
    fn inline_image(&mut self) -> InlineImage<'a> {
        let dict = self.dict_body(0);
        // Expect ID (dict_body stops just before it or at EOF).
        self.skip_space();
        if self.data[self.pos.min(self.data.len())..].starts_with(b"ID") {
            self.pos += 2;
        }
        // One white-space byte after ID.
        if let Some(&c) = self.data.get(self.pos) {
            if is_white(c) {
                self.pos += 1;
            }
        }
        let start = self.pos;
        let mut image = InlineImage { dict, data_len: 0 };
        let data = self.data;
        // Exact length when the image is not filtered.
        if image.get(b"Filter", b"F").is_none() {
            if let Some(len) = raw_image_len(&image) {
                let end = start.saturating_add(len);
                if end <= data.len() {
                    let mut k = end;
                    while k < data.len() && is_white(data[k]) {
                        k += 1;
                    }
                    if data[k..].starts_with(b"EI")
                        && data.get(k + 2).is_none_or(|&c| is_white(c) || is_delim(c))
                    {
                        image.data_len = len;
                        self.pos = k + 2;
                        return image;
                    }
                }
            }
        }
        // Otherwise scan for white space, EI, then white space or the end.
        let mut i = start;
        while i + 2 <= data.len() {
            if data[i] == b'E'
                && data.get(i + 1) == Some(&b'I')
                && (i == start || is_white(data[i - 1]))
                && data.get(i + 2).is_none_or(|&c| is_white(c))
                && looks_like_content(&data[(i + 2).min(data.len())..])
            {
                image.data_len = i.saturating_sub(start);
                self.pos = i + 2;
                return image;
            }
            i += 1;
        }
        image.data_len = data.len() - start;
        self.pos = data.len();
        image
    }

    /// The next operator, with its operands in `self.operands`. `None` at
    /// the end of the data.
    pub(crate) fn next_op(&mut self) -> Option<&'a [u8]> {
        self.operands.clear();
        loop {
            let tok = self.token()?;
            match tok {
                Token::Keyword(k) => {
                    if k == b"BI" {
                        self.inline_image = Some(self.inline_image());
                    }
                    return Some(k);
                }
                Token::Skip | Token::ArrayEnd | Token::DictEnd => {}
                t => {
                    if let Some(o) = self.object(t, 0) {
                        if self.operands.len() < MAX_OPERANDS {
                            self.operands.push(o);
                        }
                    }
                }
            }
        }
    }
}

fn unescape_name(raw: &[u8]) -> Cow<'_, [u8]> {
    if !raw.contains(&b'#') {
        return Cow::Borrowed(raw);
    }
    let mut out = Vec::with_capacity(raw.len());
    let mut i = 0;
    while i < raw.len() {
        if raw[i] == b'#' {
            if let (Some(h), Some(l)) = (
                raw.get(i + 1).and_then(|&c| hex_val(c)),
                raw.get(i + 2).and_then(|&c| hex_val(c)),
            ) {
                out.push(h << 4 | l);
                i += 3;
                continue;
            }
        }
        out.push(raw[i]);
        i += 1;
    }
    Cow::Owned(out)
}

/// Bytes of an unfiltered inline image, when its dictionary tells.
fn raw_image_len(image: &InlineImage) -> Option<usize> {
    let w = image.get(b"Width", b"W")?.num()?;
    let h = image.get(b"Height", b"H")?.num()?;
    let mask = matches!(image.get(b"ImageMask", b"IM"), Some(Obj::Bool(true)));
    let bpc = if mask {
        1.0
    } else {
        image.get(b"BitsPerComponent", b"BPC")?.num()?
    };
    let comps = if mask {
        1.0
    } else {
        match image.get(b"ColorSpace", b"CS") {
            Some(Obj::Name(n)) => match n.as_ref() {
                b"DeviceGray" | b"G" | b"CalGray" => 1.0,
                b"DeviceRGB" | b"RGB" | b"CalRGB" => 3.0,
                b"DeviceCMYK" | b"CMYK" => 4.0,
                _ => return None,
            },
            Some(Obj::Array(a)) => match a.first().and_then(Obj::name) {
                Some(b"Indexed") | Some(b"I") => 1.0,
                _ => return None,
            },
            _ => return None,
        }
    };
    if !(w > 0.0 && h > 0.0 && bpc > 0.0 && w < 1e6 && h < 1e6 && bpc <= 16.0) {
        return None;
    }
    let row = ((w * bpc * comps) / 8.0).ceil();
    let len = row * h;
    if len > 1e9 {
        return None;
    }
    Some(len as usize)
}

/// After a candidate `EI`: the next bytes look like content-stream text
/// (guards against `EI` inside binary image data).
fn looks_like_content(rest: &[u8]) -> bool {
    rest.iter()
        .take(16)
        .all(|&c| c.is_ascii_graphic() || is_white(c))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ops(data: &[u8]) -> Vec<(String, Vec<Obj<'_>>)> {
        let mut lx = Lexer::new(data);
        let mut out = Vec::new();
        while let Some(op) = lx.next_op() {
            out.push((
                String::from_utf8_lossy(op).into_owned(),
                lx.operands.clone(),
            ));
        }
        out
    }

    #[test]
    fn numbers() {
        assert_eq!(parse_number(b"-.5"), -0.5);
        assert_eq!(parse_number(b"4."), 4.0);
        assert_eq!(parse_number(b"--3"), 3.0);
        assert_eq!(parse_number(b"12.25"), 12.25);
        assert_eq!(parse_number(b"+7"), 7.0);
    }

    #[test]
    fn operators_and_operands() {
        let o = ops(b"BT /F1 12 Tf 1 0 0 1 72.5 700 Tm [(A) -120 (B\\051)] TJ ET");
        assert_eq!(o.len(), 5);
        assert_eq!(o[1].0, "Tf");
        assert_eq!(o[1].1[0], Obj::Name(Cow::Borrowed(b"F1")));
        assert_eq!(o[2].1.len(), 6);
        assert_eq!(o[3].0, "TJ");
        match &o[3].1[0] {
            Obj::Array(a) => {
                assert_eq!(a.len(), 3);
                assert_eq!(a[2].string(), Some(&b"B)"[..]));
                assert_eq!(a[1].num(), Some(-120.0));
            }
            _ => panic!("array expected"),
        }
    }

    #[test]
    fn strings() {
        let o = ops(b"(a(b)c\\n\\101\\\nz) Tj <41 42 4> Tj /A#20B n");
        assert_eq!(o[0].1[0].string(), Some(&b"a(b)c\nAz"[..]));
        assert_eq!(o[1].1[0].string(), Some(&b"AB@"[..]));
        assert_eq!(o[2].1[0].name(), Some(&b"A B"[..]));
    }

    #[test]
    fn inline_image_with_filter() {
        let data = b"q BI /W 2 /H 2 /CS /G /BPC 8 /F /DCT ID \xff\xd8EI\x00 EI Q";
        let mut lx = Lexer::new(data);
        assert_eq!(lx.next_op(), Some(&b"q"[..]));
        assert_eq!(lx.next_op(), Some(&b"BI"[..]));
        let img = lx.inline_image.clone().unwrap();
        assert_eq!(img.get(b"Width", b"W").and_then(Obj::num), Some(2.0));
        assert_eq!(lx.next_op(), Some(&b"Q"[..]));
    }

    #[test]
    fn inline_image_exact_length() {
        // Data contains " EI " but the exact length skips it.
        let data = b"BI /W 4 /H 1 /CS /G /BPC 8 ID  EI \nEI Q";
        let mut lx = Lexer::new(data);
        assert_eq!(lx.next_op(), Some(&b"BI"[..]));
        assert_eq!(lx.inline_image.as_ref().map(|i| i.data_len), Some(4));
        assert_eq!(lx.next_op(), Some(&b"Q"[..]));
    }

    #[test]
    fn garbage_does_not_stop() {
        let o = ops(b") > } 1 2 re ]] >> f \xff\xfe 3 w");
        let names: Vec<&str> = o.iter().map(|(n, _)| n.as_str()).collect();
        assert!(names.contains(&"re"));
        assert!(names.contains(&"w"));
    }

    #[test]
    fn deep_nesting_is_bounded() {
        let mut data = vec![b'['; 10_000];
        data.extend_from_slice(b"1 TJ");
        let o = ops(&data);
        assert_eq!(o.len(), 1);
        assert_eq!(o[0].0, "TJ");
    }

    #[test]
    fn missing_bracket_does_not_swallow_the_page() {
        let o = ops(b"[(A) 10 (B) TJ (C) Tj << /K 1 BDC EMC");
        let names: Vec<&str> = o.iter().map(|(n, _)| n.as_str()).collect();
        assert_eq!(names, vec!["TJ", "Tj", "BDC", "EMC"]);
        assert!(matches!(&o[0].1[0], Obj::Array(a) if a.len() == 3));
    }
}
