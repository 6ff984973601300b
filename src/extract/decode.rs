//! Input decoding: raw dump bytes to one normalised `String`.
//!
//! Contract of [`decode`]:
//!
//! * Empty input, or input that decodes to whitespace only, is
//!   [`ErrorKind::Empty`].
//! * A forced encoding (`--encoding`, see [`encoding_by_label`]) is used as
//!   is: a BOM of that encoding is removed, undecodable bytes become U+FFFD
//!   and an `encoding-replacement` warning gives their count.
//! * Otherwise, in this order:
//!   1. a BOM decides: UTF-8 (removed), UTF-16LE or UTF-16BE; bytes that do
//!      not decode become U+FFFD with an `encoding-replacement` warning;
//!   2. NUL bytes mean UTF-16 without BOM when they follow its pattern (every
//!      other byte NUL in ASCII-heavy text, decoded strictly and then checked
//!      for plausibility), and binary data otherwise;
//!   3. valid UTF-8 is UTF-8 (validated once, copied once by [`decode`],
//!      moved by [`decode_owned`], borrowed by [`decode_borrowed`]); UTF-8 with a few invalid sequences among
//!      many valid multi-byte characters (a corrupted byte, a file cut in the
//!      middle of a character) is UTF-8 too, with U+FFFD for each sequence
//!      and an `encoding-replacement` warning;
//!   4. GB18030, decoded strictly, when the result is plausible Chinese text
//!      (unless chardetng names another CJK double-byte encoding, EUC-KR,
//!      EUC-JP, Shift_JIS or Big5, that decodes plausibly: those bytes often
//!      decode as GB18030 too);
//!   5. chardetng's guess, decoded strictly, when the result is plausible
//!      text;
//!   6. else [`ErrorKind::Decode`], naming the encodings tried and suggesting
//!      `--encoding`.
//!
//!   Guesses (steps 2, 4 and 5) add an `encoding-guessed` warning.
//! * Binary data (NUL characters, many C0 control characters other than
//!   `\t \n \f \r`, an implausible mix of scripts) is [`ErrorKind::Decode`]
//!   "does not look like text": never silent mojibake.
//! * Line ends are normalised: CRLF and lone CR become LF; `\f` page breaks
//!   are kept.
//!
//! [`Decoded::encoding`] is the encoding_rs name of the encoding used
//! (`UTF-8`, `UTF-16LE`, `GBK`, `Big5`...), except that GB18030 is spelled
//! `GB18030`.
//!
//! The caller adds the input path to errors (`Error::with_path`).

use std::borrow::Cow;

use chardetng::{EncodingDetector, Iso2022JpDetection, Utf8Detection};
use encoding_rs::{
    DecoderResult, Encoding, BIG5, EUC_JP, EUC_KR, GB18030, GBK, SHIFT_JIS, UTF_16BE, UTF_16LE,
    UTF_8,
};

use crate::error::{Error, ErrorKind, Result};
use crate::model::Warning;

/// Decoded input text and how it was decoded.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Decoded {
    /// The text, line ends normalised to LF (`\f` kept).
    pub text: String,
    /// Name of the encoding used: `UTF-8`, `GB18030`, `UTF-16LE`, ...
    pub encoding: &'static str,
    pub warnings: Vec<Warning>,
}

/// [`Decoded`] whose text may borrow the input: see [`decode_borrowed`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DecodedText<'a> {
    /// The text, line ends normalised to LF (`\f` kept).
    pub text: Cow<'a, str>,
    /// Name of the encoding used: `UTF-8`, `GB18030`, `UTF-16LE`, ...
    pub encoding: &'static str,
    pub warnings: Vec<Warning>,
}

impl DecodedText<'_> {
    fn into_owned(self) -> Decoded {
        Decoded {
            text: self.text.into_owned(),
            encoding: self.encoding,
            warnings: self.warnings,
        }
    }
}

/// How much of the input chardetng looks at; its guess does not improve
/// beyond a few hundred KB and it is the slowest step (~10 MB/s).
const DETECT_PREFIX: usize = 1 << 20;
/// How much of the input the BOM-less UTF-16 sniffer looks at.
const UTF16_SNIFF_PREFIX: usize = 64 << 10;

/// Decodes `bytes` as described in the module documentation.
pub fn decode(bytes: &[u8], forced: Option<&'static Encoding>) -> Result<Decoded> {
    decode_borrowed(bytes, forced).map(DecodedText::into_owned)
}

/// Like [`decode`], but text that needs no change (valid UTF-8 without BOM
/// or CR) borrows `bytes` instead of copying them: a large dump is then in
/// memory once.
pub fn decode_borrowed<'a>(
    bytes: &'a [u8],
    forced: Option<&'static Encoding>,
) -> Result<DecodedText<'a>> {
    if let Some(early) = decode_special(bytes, forced) {
        return early;
    }
    match std::str::from_utf8(bytes) {
        Ok(text) => decode_utf8(Cow::Borrowed(text)),
        Err(err) => decode_legacy(bytes, err.valid_up_to()),
    }
}

/// Like [`decode`], but takes the buffer: valid UTF-8 without BOM becomes
/// the `String` without a copy (unless line ends need normalising).
pub fn decode_owned(bytes: Vec<u8>, forced: Option<&'static Encoding>) -> Result<Decoded> {
    if let Some(early) = decode_special(&bytes, forced) {
        return early.map(DecodedText::into_owned);
    }
    match String::from_utf8(bytes) {
        Ok(text) => decode_utf8(Cow::Owned(text)).map(DecodedText::into_owned),
        Err(err) => {
            let valid_up_to = err.utf8_error().valid_up_to();
            decode_legacy(&err.into_bytes(), valid_up_to).map(DecodedText::into_owned)
        }
    }
}

/// Empty input, a forced encoding and BOMs: everything decided before
/// looking at the content.
fn decode_special<'a>(
    bytes: &'a [u8],
    forced: Option<&'static Encoding>,
) -> Option<Result<DecodedText<'a>>> {
    if bytes.is_empty() {
        return Some(Err(Error::new(
            ErrorKind::Empty,
            "input is empty (0 bytes)",
        )));
    }
    if let Some(encoding) = forced {
        return Some(decode_forced(bytes, encoding));
    }
    let (encoding, bom_len) = Encoding::for_bom(bytes)?;
    let (text, replaced) = decode_replacing(encoding, &bytes[bom_len..], false);
    let mut warnings = Vec::new();
    if replaced > 0 {
        warnings.push(replacement_warning(
            encoding,
            replaced,
            "its byte order mark",
        ));
    }
    Some(finish(Cow::Owned(text), encoding, warnings, None))
}

/// Valid UTF-8 without BOM: text, unless it has NULs (UTF-16 or binary).
/// One pass over the bytes besides validation (and a copy when borrowed).
fn decode_utf8(text: Cow<'_, str>) -> Result<DecodedText<'_>> {
    let stats = ControlStats::of(text.as_bytes());
    if stats.nuls > 0 {
        // ASCII in UTF-16 is valid UTF-8 with every other byte NUL.
        return decode_with_nuls(text.as_bytes());
    }
    finish(text, UTF_8, Vec::new(), Some(stats))
}

/// The encoding for a `--encoding` label: WHATWG labels (`utf-8`, `gbk`,
/// `gb18030`, `utf-16le`, `big5`, `shift_jis`, `latin1`...) plus a few
/// common spellings (`utf16le`, `UTF_16BE`, `cp936`, `sjis`).
pub fn encoding_by_label(label: &str) -> Option<&'static Encoding> {
    let label = label.trim();
    if let Some(encoding) = Encoding::for_label_no_replacement(label.as_bytes()) {
        return Some(encoding);
    }
    let squashed: String = label
        .chars()
        .filter(|c| c.is_ascii_alphanumeric())
        .map(|c| c.to_ascii_lowercase())
        .collect();
    Some(match squashed.as_str() {
        "utf8" => UTF_8,
        "utf16" | "utf16le" => UTF_16LE,
        "utf16be" => UTF_16BE,
        "gb18030" => GB18030,
        "gbk" | "cp936" | "windows936" | "gb2312" => GBK,
        "big5" | "cp950" => encoding_rs::BIG5,
        "shiftjis" | "sjis" | "cp932" | "windows31j" => encoding_rs::SHIFT_JIS,
        "eucjp" => encoding_rs::EUC_JP,
        "euckr" | "cp949" => encoding_rs::EUC_KR,
        "latin1" | "iso88591" | "cp1252" => encoding_rs::WINDOWS_1252,
        _ => return None,
    })
}

/// The name reported in `Decoded::encoding` and messages.
fn display_name(encoding: &'static Encoding) -> &'static str {
    if encoding == GB18030 {
        "GB18030"
    } else {
        encoding.name()
    }
}

fn not_text(reason: impl std::fmt::Display) -> Error {
    Error::new(
        ErrorKind::Decode,
        format!("does not look like text ({reason})"),
    )
}

fn guessed_warning(encoding: &'static Encoding, why: &str) -> Warning {
    Warning::new(
        "encoding-guessed",
        format!(
            "decoded as {} ({why}); pass --encoding LABEL if that is wrong",
            display_name(encoding)
        ),
    )
}

fn replacement_warning(encoding: &'static Encoding, replaced: usize, source: &str) -> Warning {
    Warning::new(
        "encoding-replacement",
        format!(
            "{replaced} undecodable byte sequence(s) replaced with U+FFFD while decoding as {} \
             (from {source})",
            display_name(encoding)
        ),
    )
}

fn decode_forced<'a>(bytes: &'a [u8], encoding: &'static Encoding) -> Result<DecodedText<'a>> {
    // Valid UTF-8 takes the validate-once, copy-once path.
    if encoding == UTF_8 {
        let body = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
        if let Ok(text) = std::str::from_utf8(body) {
            return finish(Cow::Borrowed(text), UTF_8, Vec::new(), None);
        }
    }
    let (text, replaced) = decode_replacing(encoding, bytes, true);
    let mut warnings = Vec::new();
    if replaced > 0 {
        warnings.push(replacement_warning(encoding, replaced, "--encoding"));
    }
    finish(Cow::Owned(text), encoding, warnings, None)
}

/// Input with NUL bytes: UTF-16 without BOM, or binary.
fn decode_with_nuls(bytes: &[u8]) -> Result<DecodedText<'static>> {
    let Some(encoding) = sniff_utf16(bytes) else {
        return Err(not_text("NUL bytes, and not in a UTF-16 pattern"));
    };
    let text = decode_strict(encoding, bytes).map_err(|offset| {
        not_text(format_args!(
            "NUL bytes in a {} pattern, but invalid {} at byte {offset}; \
             pass --encoding {} to decode it anyway",
            encoding.name(),
            encoding.name(),
            encoding.name().to_ascii_lowercase()
        ))
    })?;
    if let Err(reason) = plausible(&text) {
        return Err(not_text(format_args!(
            "NUL bytes; as {} it {reason}",
            encoding.name()
        )));
    }
    let warning = guessed_warning(encoding, "no byte order mark, NUL-byte pattern of UTF-16");
    finish(Cow::Owned(text), encoding, vec![warning], None)
}

/// UTF-16LE when NULs sit mostly at odd offsets (ASCII `x\0`), UTF-16BE
/// when mostly at even offsets; `None` when there is no clear pattern.
fn sniff_utf16(bytes: &[u8]) -> Option<&'static Encoding> {
    let sample = &bytes[..bytes.len().min(UTF16_SNIFF_PREFIX) & !1];
    let pairs = sample.len() / 2;
    if pairs == 0 {
        return None;
    }
    let (mut even, mut odd) = (0usize, 0usize);
    for pair in sample.chunks_exact(2) {
        even += usize::from(pair[0] == 0);
        odd += usize::from(pair[1] == 0);
    }
    // ASCII-heavy text has a NUL in most pairs; CJK text still has one for
    // every newline, space, digit... A few code points have a NUL on the
    // other side too (U+4E00 is 00 4E in LE), hence the 1:4 tolerance.
    let clear = |heavy: usize, light: usize| heavy * 20 >= pairs && light * 4 <= heavy;
    if clear(odd, even) {
        Some(UTF_16LE)
    } else if clear(even, odd) {
        Some(UTF_16BE)
    } else {
        None
    }
}

/// UTF-8 with a few invalid sequences (a corrupted byte, a file cut in the
/// middle of a character): the text with U+FFFD for each and their count.
/// `None` when errors are more than 8 + 1 per 100 KB, or when valid
/// multi-byte characters are not at least 100 times as many as errors
/// (text in a legacy encoding has errors but hardly any valid sequences).
fn nearly_utf8(bytes: &[u8]) -> Option<(String, usize)> {
    let max_errors = 8 + bytes.len() / 100_000;
    let mut out = String::with_capacity(bytes.len());
    let (mut errors, mut multibyte) = (0usize, 0usize);
    for chunk in bytes.utf8_chunks() {
        let valid = chunk.valid();
        multibyte += valid.bytes().filter(|b| *b >= 0xC0).count();
        out.push_str(valid);
        if !chunk.invalid().is_empty() {
            errors += 1;
            if errors > max_errors {
                return None;
            }
            out.push('\u{FFFD}');
        }
    }
    (multibyte >= errors * 100).then_some((out, errors))
}

/// chardetng's guess from the first few MB.
fn detect(bytes: &[u8]) -> &'static Encoding {
    let mut detector = EncodingDetector::new(Iso2022JpDetection::Deny);
    let prefix = &bytes[..bytes.len().min(DETECT_PREFIX)];
    detector.feed(prefix, prefix.len() == bytes.len());
    detector.guess(None, Utf8Detection::Deny)
}

/// Input that is not valid UTF-8: GB18030, then chardetng's guess.
fn decode_legacy(bytes: &[u8], utf8_valid_up_to: usize) -> Result<DecodedText<'static>> {
    // C0 control bytes are single bytes (never trail bytes) in every
    // ASCII-compatible encoding we may try: many of them mean binary data.
    let stats = ControlStats::of(bytes);
    if stats.nuls > 0 {
        return decode_with_nuls(bytes);
    }
    if let Err(reason) = stats.check() {
        return Err(not_text(reason));
    }
    if let Some((text, replaced)) = nearly_utf8(bytes) {
        let warning = Warning::new(
            "encoding-replacement",
            format!(
                "{replaced} invalid UTF-8 byte sequence(s) replaced with U+FFFD \
                 (the rest is valid UTF-8)"
            ),
        );
        return finish(Cow::Owned(text), UTF_8, vec![warning], None);
    }
    let mut tried = vec![format!("UTF-8 (invalid byte at offset {utf8_valid_up_to})")];

    let guess = detect(bytes);
    // Other CJK double-byte encodings mostly decode as GB18030 too (EUC-KR
    // hangul sits where GB2312 has its commonest hanzi): when chardetng,
    // whose frequency models tell them apart, names one of them, it goes
    // first.
    let cjk_guess = [EUC_KR, EUC_JP, SHIFT_JIS, BIG5].contains(&guess);
    let order: &[&'static Encoding] = if cjk_guess {
        &[guess, GB18030]
    } else {
        &[GB18030, guess]
    };
    for &encoding in order {
        if encoding == UTF_8 || encoding == GBK {
            continue; // excluded by Deny; GBK decodes as GB18030, tried anyway
        }
        let detected = if encoding == guess {
            " as detected"
        } else {
            ""
        };
        let name = display_name(encoding);
        match decode_strict(encoding, bytes) {
            Ok(text) => {
                let check = if encoding == GB18030 {
                    gb_plausible(bytes).and_then(|()| plausible(&text))
                } else {
                    plausible(&text)
                };
                match check {
                    Ok(()) => {
                        let why = if encoding == GB18030 {
                            "not valid UTF-8"
                        } else {
                            "not valid UTF-8; detected"
                        };
                        let warning = guessed_warning(encoding, why);
                        return finish(Cow::Owned(text), encoding, vec![warning], None);
                    }
                    Err(reason) => tried.push(format!("{name}{detected} (decodes, but {reason})")),
                }
            }
            Err(offset) => tried.push(format!("{name}{detected} (invalid at offset {offset})")),
        }
    }

    if let Some(mixed) = decode_mixed_lines(bytes) {
        return mixed;
    }
    tried.push("UTF-8 and GB18030 line by line".into());

    Err(Error::new(
        ErrorKind::Decode,
        format!(
            "cannot decode as text; tried {}; pass --encoding LABEL (e.g. --encoding gbk, \
             big5, shift_jis, windows-1252) if you know the encoding",
            tried.join(", ")
        ),
    ))
}

/// A dump whose lines are in two encodings, UTF-8 and GB18030/GBK (files
/// pasted together from two systems, an old archive appended to by a new
/// one): each line decoded on its own, valid UTF-8 first. Only when both
/// kinds of line are there, nearly every line decodes one way or the other
/// (the rest get U+FFFD), and the whole is plausible text; an
/// `encoding-mixed` warning counts the lines of each.
fn decode_mixed_lines(bytes: &[u8]) -> Option<Result<DecodedText<'static>>> {
    let mut text = String::with_capacity(bytes.len() * 3 / 2);
    let (mut utf8_lines, mut gb_lines, mut bad_lines, mut lines) = (0usize, 0usize, 0usize, 0usize);
    let mut first_gb = 0usize;
    for (i, line) in bytes.split(|&b| b == b'\n').enumerate() {
        if i > 0 {
            text.push('\n');
        }
        lines += 1;
        match std::str::from_utf8(line) {
            Ok(s) => {
                utf8_lines += usize::from(!s.is_ascii());
                text.push_str(s);
            }
            Err(_) => match decode_strict(GB18030, line) {
                Ok(s) => {
                    gb_lines += 1;
                    if first_gb == 0 {
                        first_gb = i + 1;
                    }
                    text.push_str(&s);
                }
                Err(_) => {
                    bad_lines += 1;
                    text.push_str(&String::from_utf8_lossy(line));
                }
            },
        }
    }
    // A stray damaged line or two is tolerated, as in `nearly_utf8`.
    let few_bad = bad_lines <= 2 + lines / 100;
    if utf8_lines == 0 || gb_lines == 0 || !few_bad || plausible(&text).is_err() {
        return None;
    }
    let bad = if bad_lines > 0 {
        format!("; {bad_lines} line(s) in neither, with U+FFFD for what does not decode")
    } else {
        String::new()
    };
    let warning = Warning::new(
        "encoding-mixed",
        format!(
            "the lines are in two encodings, decoded line by line: {utf8_lines} line(s) of \
             UTF-8 and {gb_lines} of GB18030/GBK (the first at line {first_gb}){bad}"
        ),
    );
    Some(
        finish(Cow::Owned(text), UTF_8, vec![warning], None).map(|mut d| {
            d.encoding = "UTF-8+GB18030";
            d
        }),
    )
}

/// Last checks shared by every path, then line-end normalisation.
/// `stats` are those of `text`'s bytes when the caller has them already.
fn finish<'a>(
    text: Cow<'a, str>,
    encoding: &'static Encoding,
    warnings: Vec<Warning>,
    stats: Option<ControlStats>,
) -> Result<DecodedText<'a>> {
    if text.trim().is_empty() {
        return Err(Error::new(
            ErrorKind::Empty,
            "input is empty (whitespace only)",
        ));
    }
    let stats = stats.unwrap_or_else(|| ControlStats::of(text.as_bytes()));
    if let Err(reason) = stats.check() {
        return Err(not_text(format_args!(
            "{reason}, decoded as {}",
            display_name(encoding)
        )));
    }
    let text = if stats.crs > 0 {
        Cow::Owned(normalize_line_ends(&text))
    } else {
        text
    };
    Ok(DecodedText {
        text,
        encoding: display_name(encoding),
        warnings,
    })
}

/// CRLF and lone CR to LF.
fn normalize_line_ends(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(i) = rest.find('\r') {
        out.push_str(&rest[..i]);
        out.push('\n');
        rest = &rest[i + 1..];
        if let Some(after) = rest.strip_prefix('\n') {
            rest = after;
        }
    }
    out.push_str(rest);
    out
}

/// Counts of characters and of control characters that text does not use.
struct ControlStats {
    chars: usize,
    /// C0 controls other than `\t \n \f \r`, and DEL.
    controls: usize,
    nuls: usize,
    crs: usize,
}

impl ControlStats {
    /// Over UTF-8 (or ASCII-compatible) bytes: continuation bytes are not
    /// counted as characters.
    fn of(bytes: &[u8]) -> ControlStats {
        let mut stats = ControlStats {
            chars: 0,
            controls: 0,
            nuls: 0,
            crs: 0,
        };
        // Branch-free comparisons on u8 lanes (the compiler vectorises this),
        // summed per chunk short enough for the u8 counters not to wrap.
        for chunk in bytes.chunks(255) {
            let (mut c, mut k, mut z, mut r) = (0u8, 0u8, 0u8, 0u8);
            for &b in chunk {
                c += u8::from((b as i8) >= -0x40); // not a continuation byte
                let text_c0 = (b == b'\t') | (b == b'\n') | (b == b'\x0c') | (b == b'\r');
                k += u8::from(((b < 0x20) & !text_c0) | (b == 0x7F));
                z += u8::from(b == 0);
                r += u8::from(b == b'\r');
            }
            stats.chars += usize::from(c);
            stats.controls += usize::from(k);
            stats.nuls += usize::from(z);
            stats.crs += usize::from(r);
        }
        stats
    }

    fn check(&self) -> std::result::Result<(), String> {
        if self.nuls > 0 {
            return Err(format!("{} NUL character(s)", self.nuls));
        }
        // More than 2% (and more than a stray one or two) is binary.
        if self.controls > 2 && self.controls * 50 > self.chars {
            return Err(format!(
                "{:.1}% control characters",
                self.controls as f64 * 100.0 / self.chars.max(1) as f64
            ));
        }
        Ok(())
    }
}

/// GB18030-specific plausibility on the raw bytes: in real Chinese text
/// almost every double-byte character is a GB2312 symbol (rows A1-A9) or a
/// level-1 hanzi (rows B0-D7), the 3,755 commonest characters. Other bytes
/// that happen to decode (Cyrillic windows-1251, random high bytes) mostly
/// land elsewhere.
fn gb_plausible(all: &[u8]) -> std::result::Result<(), String> {
    let (mut common, mut total) = (0usize, 0usize);
    for (mut start, end) in sample_windows(all.len()) {
        if start > 0 {
            // Resynchronise on an ASCII byte: a window may start mid-character.
            start += all[start..end].iter().position(|b| *b < 0x80).unwrap_or(0);
        }
        let (c, t) = gb_counts(&all[start..end]);
        common += c;
        total += t;
    }
    if common * 2 >= total {
        Ok(())
    } else {
        Err(format!(
            "only {common} of {total} double-byte characters are common hanzi or punctuation"
        ))
    }
}

/// (common, all) double-byte characters of GB18030 bytes.
fn gb_counts(bytes: &[u8]) -> (usize, usize) {
    let (mut common, mut total) = (0usize, 0usize);
    let mut i = 0;
    while i < bytes.len() {
        let b = bytes[i];
        if !(0x81..=0xFE).contains(&b) {
            i += 1;
            continue;
        }
        total += 1;
        let trail = bytes.get(i + 1).copied().unwrap_or(0);
        if (0x30..=0x39).contains(&trail) {
            i += 4; // four-byte sequence: rare characters
            continue;
        }
        if ((0xA1..=0xA9).contains(&b) || (0xB0..=0xD7).contains(&b))
            && (0xA1..=0xFE).contains(&trail)
        {
            common += 1;
        }
        i += 2;
    }
    (common, total)
}

/// How much of a large input the plausibility checks read, in
/// [`SAMPLE_WINDOWS`] windows spread over it: enough for statistics, and a
/// 200 MB input is not classified character by character.
const SAMPLE_WINDOW: usize = 1 << 20;
const SAMPLE_WINDOWS: usize = 4;

/// Byte ranges (start, end) to sample from an input of `len` bytes: all of it when
/// small, else evenly spread windows including the start and the end.
fn sample_windows(len: usize) -> Vec<(usize, usize)> {
    if len <= SAMPLE_WINDOW * SAMPLE_WINDOWS {
        return vec![(0, len)];
    }
    let last_start = len - SAMPLE_WINDOW;
    (0..SAMPLE_WINDOWS)
        .map(|k| {
            let start = last_start * k / (SAMPLE_WINDOWS - 1);
            (start, start + SAMPLE_WINDOW)
        })
        .collect()
}

/// Script groups for [`plausible`].
#[derive(Clone, Copy, PartialEq, Eq)]
enum Script {
    Latin,
    Greek,
    Cyrillic,
    Hebrew,
    Arabic,
    Thai,
    /// Han, kana, hangul, bopomofo: they mix in real text.
    Cjk,
}

const SCRIPTS: [Script; 7] = [
    Script::Latin,
    Script::Greek,
    Script::Cyrillic,
    Script::Hebrew,
    Script::Arabic,
    Script::Thai,
    Script::Cjk,
];

enum Class {
    AsciiLetter,
    Ascii,
    Letter(Script),
    /// CJK and fullwidth punctuation, general punctuation, NBSP: neutral.
    Punctuation,
    /// Latin-1 symbols, box drawing, arrows, shapes... fine in small doses.
    Symbol,
    /// C1 controls, private use, U+FFFD, noncharacters.
    Bad,
    Other,
}

fn classify(c: char) -> Class {
    let u = c as u32;
    match u {
        0x41..=0x5A | 0x61..=0x7A => Class::AsciiLetter,
        0x00..=0x7F => Class::Ascii,
        0x80..=0x9F => Class::Bad,
        0xA0 => Class::Punctuation,
        0xD7 | 0xF7 => Class::Symbol,
        0xA1..=0xBF => Class::Symbol,
        0xC0..=0x24F | 0x1E00..=0x1EFF => Class::Letter(Script::Latin),
        0x300..=0x36F => Class::Punctuation, // combining marks
        0x370..=0x3FF | 0x1F00..=0x1FFF => Class::Letter(Script::Greek),
        0x400..=0x52F => Class::Letter(Script::Cyrillic),
        0x590..=0x5FF => Class::Letter(Script::Hebrew),
        0x600..=0x6FF | 0x750..=0x77F => Class::Letter(Script::Arabic),
        0xE00..=0xE7F => Class::Letter(Script::Thai),
        0x1100..=0x11FF
        | 0x3040..=0x30FF
        | 0x3100..=0x312F
        | 0x3130..=0x318F
        | 0x31F0..=0x31FF
        | 0x3400..=0x4DBF
        | 0x4E00..=0x9FFF
        | 0xAC00..=0xD7AF
        | 0xF900..=0xFAFF
        | 0x20000..=0x3134F => Class::Letter(Script::Cjk),
        0x2000..=0x206F | 0x3000..=0x303F | 0xFE30..=0xFE4F | 0xFF00..=0xFFEF => Class::Punctuation,
        0x2070..=0x2BFF | 0x3200..=0x33FF => Class::Symbol,
        0xE000..=0xF8FF | 0xF0000.. | 0xFDD0..=0xFDEF | 0xFFFD..=0xFFFF => Class::Bad,
        _ => Class::Other,
    }
}

/// Does a guessed decoding read like text? Few control or private-use
/// characters, few stray symbols, non-ASCII letters from one script group,
/// and Latin text mostly ASCII (an 8-bit code page accepts any byte, so
/// random high bytes "decode" to accented letters and symbols).
fn plausible(all: &str) -> std::result::Result<(), String> {
    let (mut ascii_letters, mut non_ascii, mut symbols, mut bad, mut other) =
        (0usize, 0usize, 0usize, 0usize, 0usize);
    let mut letters = [0usize; SCRIPTS.len()];
    let mut chars = 0usize;
    let windows = sample_windows(all.len())
        .into_iter()
        .map(|(mut start, mut end)| {
            while !all.is_char_boundary(start) {
                start += 1;
            }
            while !all.is_char_boundary(end) {
                end += 1;
            }
            &all[start..end]
        });
    for c in windows.flat_map(str::chars) {
        chars += 1;
        if (c as u32) >= 0x80 {
            non_ascii += 1;
        }
        match classify(c) {
            Class::AsciiLetter => ascii_letters += 1,
            Class::Ascii | Class::Punctuation => {}
            Class::Letter(script) => {
                letters[SCRIPTS.iter().position(|s| *s == script).unwrap_or(0)] += 1
            }
            Class::Symbol => symbols += 1,
            Class::Bad => bad += 1,
            Class::Other => other += 1,
        }
    }
    if bad * 100 > chars {
        return Err(format!(
            "has {bad} control, private-use or replacement characters"
        ));
    }
    if non_ascii == 0 {
        return Ok(());
    }
    if (symbols + other) * 10 > non_ascii * 3 {
        return Err(format!(
            "{} of its {non_ascii} non-ASCII characters are symbols or rare characters",
            symbols + other
        ));
    }
    let script_letters: usize = letters.iter().sum();
    let (dominant, dominant_count) = SCRIPTS
        .iter()
        .zip(letters)
        .max_by_key(|(_, n)| *n)
        .map(|(s, n)| (*s, n))
        .unwrap_or((Script::Latin, 0));
    if dominant_count * 10 < script_letters * 9 {
        return Err("mixes letters of unrelated scripts".to_string());
    }
    if dominant == Script::Latin && dominant_count > 2 && dominant_count > ascii_letters {
        return Err("has more accented than plain Latin letters".to_string());
    }
    Ok(())
}

/// Strict decoding without BOM handling; `Err(offset)` of the first
/// malformed sequence.
fn decode_strict(encoding: &'static Encoding, bytes: &[u8]) -> std::result::Result<String, usize> {
    let mut decoder = encoding.new_decoder_without_bom_handling();
    let capacity = decoder
        .max_utf8_buffer_length_without_replacement(bytes.len())
        .unwrap_or(bytes.len());
    let mut out = String::with_capacity(capacity);
    let mut pos = 0;
    loop {
        let (result, read) =
            decoder.decode_to_string_without_replacement(&bytes[pos..], &mut out, true);
        pos += read;
        match result {
            DecoderResult::InputEmpty => return Ok(out),
            DecoderResult::OutputFull => out.reserve(out.capacity().max(64)),
            DecoderResult::Malformed(bad, after) => {
                return Err(pos.saturating_sub(usize::from(bad) + usize::from(after)))
            }
        }
    }
}

/// Decoding with U+FFFD for malformed sequences, counting them. With
/// `bom_removal`, a BOM of `encoding` itself is removed.
fn decode_replacing(
    encoding: &'static Encoding,
    bytes: &[u8],
    bom_removal: bool,
) -> (String, usize) {
    let mut decoder = if bom_removal {
        encoding.new_decoder_with_bom_removal()
    } else {
        encoding.new_decoder_without_bom_handling()
    };
    let capacity = decoder
        .max_utf8_buffer_length_without_replacement(bytes.len())
        .unwrap_or(bytes.len());
    let mut out = String::with_capacity(capacity);
    let (mut pos, mut replaced) = (0, 0);
    loop {
        let (result, read) =
            decoder.decode_to_string_without_replacement(&bytes[pos..], &mut out, true);
        pos += read;
        match result {
            DecoderResult::InputEmpty => return (out, replaced),
            DecoderResult::OutputFull => out.reserve(out.capacity().max(64)),
            DecoderResult::Malformed(_, _) => {
                replaced += 1;
                out.push('\u{FFFD}');
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const ZH: &str = "魏都区区长何长成主持召开2023年第2次重点工作落实推进会。\
                      各相关县级领导、各街道办事处、区直各相关单位主要负责人参加。\n\n\
                      就落实好市政府周交办会议精神，何长成强调，要抓好经济运行。\n";

    fn kind(result: Result<Decoded>) -> ErrorKind {
        result.expect_err("expected an error").kind
    }

    fn utf16(text: &str, big_endian: bool, bom: bool) -> Vec<u8> {
        let mut out = Vec::new();
        let units = std::iter::once(0xFEFF)
            .filter(|_| bom)
            .chain(text.encode_utf16());
        for unit in units {
            if big_endian {
                out.extend_from_slice(&unit.to_be_bytes());
            } else {
                out.extend_from_slice(&unit.to_le_bytes());
            }
        }
        out
    }

    fn gbk(text: &str) -> Vec<u8> {
        let (bytes, _, had_errors) = GBK.encode(text);
        assert!(!had_errors);
        bytes.into_owned()
    }

    #[test]
    fn utf8_without_bom() {
        let d = decode(ZH.as_bytes(), None).unwrap();
        assert_eq!(d.text, ZH);
        assert_eq!(d.encoding, "UTF-8");
        assert!(d.warnings.is_empty());
    }

    #[test]
    fn utf8_bom_is_stripped() {
        let mut bytes = b"\xEF\xBB\xBF".to_vec();
        bytes.extend_from_slice(ZH.as_bytes());
        let d = decode(&bytes, None).unwrap();
        assert_eq!(d.text, ZH);
        assert_eq!(d.encoding, "UTF-8");
        assert!(d.warnings.is_empty());
    }

    #[test]
    fn utf8_bom_with_bad_bytes_replaces_and_warns() {
        let mut bytes = b"\xEF\xBB\xBF".to_vec();
        bytes.extend_from_slice("正文 ".as_bytes());
        bytes.extend_from_slice(b"\xFF\xFF");
        let d = decode(&bytes, None).unwrap();
        assert_eq!(d.text, "正文 \u{FFFD}\u{FFFD}");
        assert_eq!(d.warnings.len(), 1);
        assert_eq!(d.warnings[0].code, "encoding-replacement");
        assert!(d.warnings[0].message.starts_with("2 "));
    }

    #[test]
    fn utf16le_with_bom() {
        let d = decode(&utf16(ZH, false, true), None).unwrap();
        assert_eq!(d.text, ZH);
        assert_eq!(d.encoding, "UTF-16LE");
        assert!(d.warnings.is_empty());
    }

    #[test]
    fn utf16be_with_bom() {
        let d = decode(&utf16(ZH, true, true), None).unwrap();
        assert_eq!(d.text, ZH);
        assert_eq!(d.encoding, "UTF-16BE");
    }

    #[test]
    fn utf16le_without_bom_ascii_heavy() {
        let text = "Page 1\nCity council meets on Tuesday\n\nBy A. Reporter\n";
        let d = decode(&utf16(text, false, false), None).unwrap();
        assert_eq!(d.text, text);
        assert_eq!(d.encoding, "UTF-16LE");
        assert_eq!(d.warnings[0].code, "encoding-guessed");
    }

    #[test]
    fn utf16le_without_bom_chinese() {
        let d = decode(&utf16(ZH, false, false), None).unwrap();
        assert_eq!(d.text, ZH);
        assert_eq!(d.encoding, "UTF-16LE");
    }

    #[test]
    fn utf16be_without_bom() {
        let text = "Page 1\r\nCity council meets\r\n";
        let d = decode(&utf16(text, true, false), None).unwrap();
        assert_eq!(d.text, "Page 1\nCity council meets\n");
        assert_eq!(d.encoding, "UTF-16BE");
    }

    #[test]
    fn gbk_bytes_decode_as_gb18030() {
        let bytes = gbk(ZH);
        assert!(std::str::from_utf8(&bytes).is_err());
        let d = decode(&bytes, None).unwrap();
        assert_eq!(d.text, ZH);
        assert_eq!(d.encoding, "GB18030");
        assert_eq!(d.warnings.len(), 1);
        assert_eq!(d.warnings[0].code, "encoding-guessed");
    }

    #[test]
    fn gbk_with_crlf() {
        let d = decode(&gbk("第一行\r\n第二行\r\n"), None).unwrap();
        assert_eq!(d.text, "第一行\n第二行\n");
    }

    #[test]
    fn utf8_and_gbk_lines_are_decoded_line_by_line() {
        let lines = [
            "魏都区区长何长成主持召开2023年第2次重点工作落实推进会。",
            "各相关县级领导、各街道办事处、区直各相关单位主要负责人参加。",
            "",
            "就落实好市政府周交办会议精神，何长成强调，要抓好经济运行。",
            "会议要求各单位狠抓落实，确保全年目标任务圆满完成。",
        ];
        let mut bytes = Vec::new();
        for (i, line) in lines.iter().enumerate() {
            if i % 2 == 0 {
                bytes.extend_from_slice(line.as_bytes());
            } else {
                bytes.extend(gbk(line));
            }
            bytes.push(b'\n');
        }
        let d = decode(&bytes, None).expect("mixed lines decode");
        assert_eq!(d.text, lines.join("\n") + "\n");
        assert_eq!(d.encoding, "UTF-8+GB18030");
        assert!(d.warnings.iter().any(|w| w.code == "encoding-mixed"));
    }

    #[test]
    fn utf8_with_a_few_bad_bytes_stays_utf8() {
        // Cut in the middle of the last character.
        let bytes = ZH.repeat(20).into_bytes();
        let cut = &bytes[..bytes.len() - 2];
        let d = decode(cut, None).unwrap();
        assert_eq!(d.encoding, "UTF-8");
        assert!(d.text.ends_with('\u{FFFD}'));
        assert_eq!(d.warnings[0].code, "encoding-replacement");
        // One stray byte in the middle.
        let mut bytes = ZH.repeat(20).into_bytes();
        bytes.insert(ZH.len() * 3, 0xFF);
        let d = decode(&bytes, None).unwrap();
        assert_eq!(d.encoding, "UTF-8");
        assert_eq!(d.text.matches('\u{FFFD}').count(), 1);
        assert!(d.warnings[0].message.starts_with("1 "));
        // Latin-1 in ASCII text is not "nearly UTF-8": no valid multi-byte
        // characters around the errors.
        let d = decode(b"The caf\xE9 on the corner opened in 1998.\n", None).unwrap();
        assert_eq!(d.encoding, "windows-1252");
        assert_eq!(d.text, "The caf\u{e9} on the corner opened in 1998.\n");
    }

    #[test]
    fn invalid_utf8_and_not_gb18030_is_a_decode_error() {
        // 0xFF is never valid in UTF-8 nor GB18030, and as windows-1252 the
        // bytes are symbols and accented letters.
        let bytes: &[u8] =
            b"\xFF\xA4\xB6 \xFF\xA7\xA9\xAE \xB1\xBC\xFF\xE9 \xFE\xFF\xD7\xA2\n\xFF\xF7\xAB\xBB\n";
        assert!(std::str::from_utf8(std::hint::black_box(bytes)).is_err());
        assert!(GB18030
            .decode_without_bom_handling_and_without_replacement(bytes)
            .is_none());
        let err = decode(bytes, None).unwrap_err();
        assert_eq!(err.kind, ErrorKind::Decode);
        assert!(err.message.contains("--encoding"), "{}", err.message);
        assert!(err.message.contains("UTF-8"), "{}", err.message);
        assert!(err.message.contains("GB18030"), "{}", err.message);
    }

    #[test]
    fn windows_1251_is_detected_not_read_as_gb18030() {
        let text = "Городской совет обсудил бюджет на следующий год. \
                    Депутаты приняли решение о ремонте дорог и школ.\n";
        let (bytes, _, _) = encoding_rs::WINDOWS_1251.encode(text);
        let d = decode(&bytes, None).unwrap();
        assert_eq!(d.text, text);
        assert_eq!(d.encoding, "windows-1251");
    }

    #[test]
    fn euc_kr_is_not_read_as_gb18030() {
        let text = "서울시는 새로운 예산안을 발표했습니다. 시민의 생활을 지키기 위한 정책입니다.\n";
        let (bytes, _, _) = EUC_KR.encode(text);
        // The trap: these bytes are valid GB18030 made of common hanzi.
        assert!(GB18030
            .decode_without_bom_handling_and_without_replacement(&bytes)
            .is_some());
        let d = decode(&bytes, None).unwrap();
        assert_eq!(d.text, text);
        assert_eq!(d.encoding, "EUC-KR");
    }

    #[test]
    fn shift_jis_and_big5_are_detected() {
        let text = "東京都は新しい予算案を発表しました。市民の生活を守るための政策です。\n";
        let (bytes, _, _) = SHIFT_JIS.encode(text);
        let d = decode(&bytes, None).unwrap();
        assert_eq!((d.text.as_str(), d.encoding), (text, "Shift_JIS"));
        let text = "臺北市政府今天公布明年度預算，市議會將於下週審查。\n";
        let (bytes, _, _) = BIG5.encode(text);
        let d = decode(&bytes, None).unwrap();
        assert_eq!((d.text.as_str(), d.encoding), (text, "Big5"));
    }

    #[test]
    fn random_high_bytes_are_rejected() {
        // Even runs of 0x81..0xFE decode as GB18030; the hanzi they make are
        // mostly rare ones, so they must not be accepted.
        let mut x: u64 = 0x9E37_79B9_7F4A_7C15;
        let bytes: Vec<u8> = (0..4096)
            .map(|i| {
                x ^= x << 13;
                x ^= x >> 7;
                x ^= x << 17;
                if i % 8 == 7 {
                    b' '
                } else {
                    0x81 + (x >> 11) as u8 % 0x7E
                }
            })
            .collect();
        assert_eq!(kind(decode(&bytes, None)), ErrorKind::Decode);
    }

    #[test]
    fn latin1_text_is_detected() {
        let text = "Le conseil municipal a voté le budget de l'année prochaine.\n";
        let (bytes, _, _) = encoding_rs::WINDOWS_1252.encode(text);
        let d = decode(&bytes, None).unwrap();
        assert_eq!(d.text, text);
        assert_eq!(d.encoding, "windows-1252");
    }

    #[test]
    fn binary_with_nuls_is_not_text() {
        let mut bytes = Vec::new();
        let mut x: u32 = 12345;
        for _ in 0..4096 {
            x = x.wrapping_mul(1_103_515_245).wrapping_add(12345);
            bytes.push((x >> 16) as u8);
        }
        bytes[100] = 0;
        let err = decode(&bytes, None).unwrap_err();
        assert_eq!(err.kind, ErrorKind::Decode);
        assert!(
            err.message.contains("does not look like text"),
            "{}",
            err.message
        );
    }

    #[test]
    fn ascii_with_nuls_is_not_text() {
        let err = decode(b"hello\0world\0\0\0abc\0\0", None).unwrap_err();
        assert_eq!(err.kind, ErrorKind::Decode);
        assert!(err.message.contains("does not look like text"));
    }

    #[test]
    fn control_heavy_bytes_are_not_text() {
        let bytes: Vec<u8> = (0..2000u32)
            .map(|i| [0x01, 0x02, b'a', 0x1B, 0x90][i as usize % 5])
            .collect();
        let err = decode(&bytes, None).unwrap_err();
        assert_eq!(err.kind, ErrorKind::Decode);
        assert!(
            err.message.contains("does not look like text"),
            "{}",
            err.message
        );
        // Valid UTF-8 with many controls too.
        let err = decode(&b"ab\x01\x02\x03\x04cd\x05\x06\x07\x08".repeat(10), None).unwrap_err();
        assert!(
            err.message.contains("does not look like text"),
            "{}",
            err.message
        );
    }

    #[test]
    fn stray_control_character_is_tolerated() {
        let text = format!("{ZH}\x0b{ZH}");
        assert_eq!(decode(text.as_bytes(), None).unwrap().text, text);
    }

    #[test]
    fn empty_and_whitespace_only() {
        assert_eq!(kind(decode(b"", None)), ErrorKind::Empty);
        assert_eq!(kind(decode(b" \n\r\n\t\x0c  ", None)), ErrorKind::Empty);
        assert_eq!(kind(decode(b"\xEF\xBB\xBF", None)), ErrorKind::Empty);
        assert_eq!(
            kind(decode(&utf16(" \n", false, true), None)),
            ErrorKind::Empty
        );
        assert_eq!(kind(decode(b"", Some(GBK))), ErrorKind::Empty);
        let err = decode(b"  \n", None).unwrap_err();
        assert!(err.message.contains("empty"));
    }

    #[test]
    fn line_ends_are_normalised_and_page_breaks_kept() {
        let d = decode(b"a\r\nb\rc\n\x0cd\r\r\ne\r", None).unwrap();
        assert_eq!(d.text, "a\nb\nc\n\x0cd\n\ne\n");
        let d = decode("标题\r\n\r\n正文\x0c第二页\r".as_bytes(), None).unwrap();
        assert_eq!(d.text, "标题\n\n正文\x0c第二页\n");
    }

    #[test]
    fn forced_encoding_replaces_and_counts() {
        let mut bytes = gbk("第一行");
        bytes.extend_from_slice(b"\xFF \xFF\n");
        let d = decode(&bytes, Some(GBK)).unwrap();
        assert_eq!(d.text, "第一行\u{FFFD} \u{FFFD}\n");
        assert_eq!(d.encoding, "GBK");
        assert_eq!(d.warnings.len(), 1);
        assert_eq!(d.warnings[0].code, "encoding-replacement");
        assert!(
            d.warnings[0].message.starts_with("2 "),
            "{}",
            d.warnings[0].message
        );
    }

    #[test]
    fn forced_encoding_without_errors_has_no_warning() {
        let d = decode(&gbk(ZH), Some(GBK)).unwrap();
        assert_eq!(d.text, ZH);
        assert!(d.warnings.is_empty());
        // Forcing wins over detection: GBK bytes read as windows-1252.
        let d = decode(&gbk("中文"), Some(encoding_rs::WINDOWS_1252)).unwrap();
        assert_eq!(d.encoding, "windows-1252");
        assert_ne!(d.text, "中文");
    }

    #[test]
    fn forced_utf8_on_valid_utf8_strips_bom() {
        let mut bytes = b"\xEF\xBB\xBF".to_vec();
        bytes.extend_from_slice(ZH.as_bytes());
        let d = decode(&bytes, Some(UTF_8)).unwrap();
        assert_eq!(d.text, ZH);
        assert!(d.warnings.is_empty());
    }

    #[test]
    fn forced_utf8_on_gbk_counts_replacements() {
        let d = decode(&gbk("中文abc"), Some(UTF_8)).unwrap();
        assert!(d.text.ends_with("abc"));
        assert_eq!(d.warnings[0].code, "encoding-replacement");
    }

    #[test]
    fn forced_utf16le() {
        let d = decode(&utf16(ZH, false, false), Some(UTF_16LE)).unwrap();
        assert_eq!(d.text, ZH);
        assert_eq!(d.encoding, "UTF-16LE");
        let d = decode(&utf16(ZH, false, true), Some(UTF_16LE)).unwrap();
        assert_eq!(d.text, ZH);
    }

    #[test]
    fn forced_encoding_on_binary_is_not_text() {
        let err = decode(b"\0\0\0\0abc\0\0\0", Some(GBK)).unwrap_err();
        assert_eq!(err.kind, ErrorKind::Decode);
        assert!(err.message.contains("does not look like text"));
    }

    #[test]
    fn labels() {
        for (label, name) in [
            ("utf-8", "UTF-8"),
            ("UTF8", "UTF-8"),
            ("gbk", "GBK"),
            ("GB2312", "GBK"),
            ("cp936", "GBK"),
            ("gb18030", "gb18030"),
            ("utf-16le", "UTF-16LE"),
            ("utf16le", "UTF-16LE"),
            ("UTF_16BE", "UTF-16BE"),
            ("big5", "Big5"),
            ("shift_jis", "Shift_JIS"),
            ("sjis", "Shift_JIS"),
            ("latin1", "windows-1252"),
            (" windows-1251 ", "windows-1251"),
        ] {
            assert_eq!(
                encoding_by_label(label).map(|e| e.name()),
                Some(name),
                "{label}"
            );
        }
        assert!(encoding_by_label("no-such-encoding").is_none());
        assert!(encoding_by_label("iso-2022-kr").is_none()); // "replacement"
    }

    #[test]
    fn decode_owned_agrees_with_decode() {
        let inputs: Vec<Vec<u8>> = vec![
            ZH.as_bytes().to_vec(),
            "a\r\nb\rc".as_bytes().to_vec(),
            gbk(ZH),
            utf16(ZH, false, true),
            utf16("ASCII text\n", false, false),
            b"\xEF\xBB\xBFbom".to_vec(),
            b"bin\0ary\0\0\0".to_vec(),
            Vec::new(),
        ];
        for bytes in inputs {
            assert_eq!(decode_owned(bytes.clone(), None), decode(&bytes, None));
            assert_eq!(
                decode_owned(bytes.clone(), Some(GBK)),
                decode(&bytes, Some(GBK))
            );
        }
    }

    #[test]
    fn sample_windows_cover_start_and_end() {
        assert_eq!(sample_windows(10), vec![(0, 10)]);
        let len = 10 * SAMPLE_WINDOW + 7;
        let w = sample_windows(len);
        assert_eq!(w.len(), SAMPLE_WINDOWS);
        assert_eq!(w[0], (0, SAMPLE_WINDOW));
        assert_eq!(w[SAMPLE_WINDOWS - 1], (len - SAMPLE_WINDOW, len));
    }

    #[test]
    fn large_gbk_input_is_sampled() {
        // Larger than the sampled windows; windows start mid-character.
        let page = format!("{ZH}\x0c");
        let n = 5 * SAMPLE_WINDOW / page.len();
        let d = decode(&gbk(&page).repeat(n), None).unwrap();
        assert_eq!(d.encoding, "GB18030");
        assert!(d.text == page.repeat(n));
    }

    #[test]
    fn large_utf8_input() {
        let page = format!("{ZH}\r\n\x0c");
        let bytes = page.repeat(20_000).into_bytes();
        let d = decode(&bytes, None).unwrap();
        assert_eq!(d.encoding, "UTF-8");
        assert!(!d.text.contains('\r'));
        assert_eq!(d.text.matches('\x0c').count(), 20_000);
    }
}
