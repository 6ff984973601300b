//! ALTO (v2, v3, v4): archive OCR files to positioned words in page points.
//!
//! # Contract
//!
//! Input: the bytes of one ALTO file and its display path. Output: an
//! [`AltoFile`] with one [`AltoPage`] per `Page` element, each holding
//! - its size in PDF points (top-left origin, as [`crate::model`] requires),
//! - its blocks ([`AltoBlock`]: the ALTO `ID`, box, enclosing
//!   `ComposedBlock` IDs and the range of its words), in document order,
//! - its words ([`AltoWord`]: text as printed, box in points, `WC`
//!   confidence, font size and bold/italic from `STYLEREFS`/`STYLE`, the
//!   index of its block and line, and the `HypPart1`/`HypPart2` marks),
//! - its figures (`Illustration`, `GraphicalElement`) in points,
//! - warnings (e.g. an assumed resolution).
//!
//! Namespaces are ignored (elements are matched by local name), so every
//! ALTO version and vendor variants (`http://schema.ccs-gmbh.com/ALTO`)
//! read alike. Coordinates follow `MeasurementUnit`: `mm10` (×72/254),
//! `inch1200` (×72/1200) or `pixel` (×72/dpi, the dpi from the
//! `Description` when it says, else 300 with a warning).
//!
//! A word hyphenated across lines keeps its printed parts: the first part
//! ends with the `HYP` content (or `-` when the producer left `HYP` out),
//! so that reflow joins it like a hyphen in any other input. The whole word
//! (`SUBS_CONTENT`) is kept on both parts for readers who want it (the METS
//! gold does).
//!
//! Malformed XML is an error naming the file (and the page when inside
//! one), never a panic. Memory is bounded: the reader streams, and a file
//! with more than [`MAX_WORDS`] words is refused.

use std::collections::HashMap;
use std::ops::Range;

use quick_xml::events::{BytesStart, Event};
use quick_xml::Reader;

use crate::error::{Error, ErrorKind, Result};
use crate::model::{BBox, Warning};

/// More words than any newspaper page holds (a dense broadsheet has about
/// 15 000); beyond this the file is refused rather than filling memory.
pub const MAX_WORDS: usize = 2_000_000;

/// Resolution assumed for `pixel` coordinates when the file records none.
pub const DEFAULT_PIXEL_DPI: f32 = 300.0;

/// One ALTO file.
#[derive(Debug, Clone, Default)]
pub struct AltoFile {
    /// 2, 3 or 4 when the namespace says; `None` for vendor namespaces.
    pub version: Option<u8>,
    pub pages: Vec<AltoPage>,
}

/// Is a box a ruling line? Rules are hairlines to a few points thick and
/// many times longer than thick; a picture or an ornament is neither.
pub fn is_rule(b: &BBox) -> bool {
    const MAX_THICKNESS_PT: f32 = 4.0;
    const MIN_ASPECT: f32 = 8.0;
    let (thin, long) = (b.width().min(b.height()), b.width().max(b.height()));
    thin <= MAX_THICKNESS_PT && long >= MIN_ASPECT * thin.max(0.5)
}

/// One `Page` of an ALTO file, in PDF points (top-left origin).
#[derive(Debug, Clone, Default)]
pub struct AltoPage {
    /// The ALTO `Page/@ID`.
    pub id: Option<String>,
    pub width: f32,
    pub height: f32,
    pub blocks: Vec<AltoBlock>,
    pub words: Vec<AltoWord>,
    pub figures: Vec<BBox>,
    /// Ruling lines: thin `GraphicalElement`s (see [`is_rule`]).
    pub separators: Vec<BBox>,
    pub warnings: Vec<Warning>,
    /// The page's image as the file names it (ALTO
    /// `sourceImageInformation/fileName`, hOCR `image`, PAGE
    /// `imageFilename`).
    pub image: Option<String>,
}

/// A `TextBlock` (or a `ComposedBlock`/`Illustration`/`GraphicalElement`,
/// which hold no words of their own but can be pointed at by a METS).
#[derive(Debug, Clone, Default)]
pub struct AltoBlock {
    /// The ALTO `ID` (empty when the file gives none).
    pub id: String,
    /// The element: `TextBlock`, `ComposedBlock`, `Illustration`...
    pub element: String,
    pub bbox: Option<BBox>,
    /// IDs of the `ComposedBlock`s around this block, outermost first.
    pub composed: Vec<String>,
    /// This block's words in [`AltoPage::words`].
    pub words: Range<usize>,
}

/// Which part of a word hyphenated across lines a word is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum HyphenPart {
    /// `SUBS_TYPE="HypPart1"`: the part before the line break.
    First,
    /// `SUBS_TYPE="HypPart2"`: the part after it.
    Second,
}

/// One `String`, in points.
#[derive(Debug, Clone, PartialEq)]
pub struct AltoWord {
    /// As printed; a first part ends with its hyphen.
    pub text: String,
    pub bbox: BBox,
    /// `WC`, 0..=1.
    pub confidence: Option<f32>,
    /// From the `TextStyle` in force (`FONTSIZE` is in points).
    pub font_size: Option<f32>,
    pub bold: bool,
    pub italic: bool,
    /// Index of the word's block in [`AltoPage::blocks`].
    pub block: usize,
    /// Index of the word's `TextLine` on the page (0, 1, ... in order).
    pub line: u32,
    pub hyphen: Option<HyphenPart>,
    /// `SUBS_CONTENT`: the whole hyphenated word.
    pub subs_content: Option<String>,
}

impl AltoPage {
    /// The ID of the block a word belongs to.
    pub fn block_id(&self, word: &AltoWord) -> &str {
        self.blocks.get(word.block).map_or("", |b| b.id.as_str())
    }

    /// The words of the block with ALTO `ID` `id`, or of every block inside
    /// the `ComposedBlock` with that ID, in document order; `None` when no
    /// block has that ID.
    pub fn words_of_block(&self, id: &str) -> Option<Vec<&AltoWord>> {
        let mut found = false;
        let mut out = Vec::new();
        for b in &self.blocks {
            if b.id == id || b.composed.iter().any(|c| c == id) {
                found = true;
                out.extend(self.words.get(b.words.clone()).unwrap_or_default());
            }
        }
        found.then_some(out)
    }
}

/// Whether the bytes are an XML document whose root element is `alto`.
/// A box in image pixels, `[x0, y0, x1, y1]`, in points at `scale`
/// (72 / dpi): for the pixel-based formats (hOCR, PAGE).
pub(crate) fn pixel_box(b: [f32; 4], scale: f32) -> BBox {
    BBox {
        x0: b[0] * scale,
        y0: b[1] * scale,
        x1: b[2] * scale,
        y1: b[3] * scale,
    }
}

/// Points per pixel for a pixel-based page (hOCR, PAGE) at `dpi`, when the
/// file gives a plausible one (50 to 2400); else at [`DEFAULT_PIXEL_DPI`],
/// with the same `resolution-assumed` warning an ALTO file gets, saying
/// which field (`missing`) was not there.
pub(crate) fn pixel_scale(dpi: Option<f32>, path: &str, missing: &str) -> (f32, Option<Warning>) {
    match dpi.filter(|d| (50.0..=2400.0).contains(d)) {
        Some(d) => (72.0 / d, None),
        None => (
            72.0 / DEFAULT_PIXEL_DPI,
            Some(Warning::new(
                "resolution-assumed",
                format!("{path}: the page gives no {missing}; {DEFAULT_PIXEL_DPI} dpi assumed"),
            )),
        ),
    }
}

/// Text of an XML text event or entity reference with XML's entities
/// resolved; an entity XML does not know (`&nbsp;` in XHTML) is kept as
/// written rather than failing the file.
pub(crate) fn xml_text(raw: &[u8], entity: bool) -> String {
    let raw = String::from_utf8_lossy(raw);
    let raw = if entity {
        format!("&{raw};")
    } else {
        raw.into_owned()
    };
    quick_xml::escape::unescape(&raw)
        .map(|c| c.into_owned())
        .unwrap_or(raw)
}

pub fn is_alto(bytes: &[u8]) -> bool {
    root_element(bytes).is_some_and(|r| r.eq_ignore_ascii_case("alto"))
}

/// The local name of the root element of an XML document (`None` when the
/// bytes do not start like XML or hold no element in their first 64 KiB).
pub fn root_element(bytes: &[u8]) -> Option<String> {
    let bytes = strip_bom(bytes);
    let head = &bytes[..bytes.len().min(65536)];
    let first = head.iter().find(|b| !b.is_ascii_whitespace())?;
    if *first != b'<' {
        return None;
    }
    let mut reader = Reader::from_reader(head);
    reader.config_mut().check_end_names = false;
    loop {
        match reader.read_event() {
            Ok(Event::Start(e)) | Ok(Event::Empty(e)) => {
                return Some(String::from_utf8_lossy(e.local_name().as_ref()).into_owned())
            }
            Ok(Event::Eof) | Err(_) => return None,
            Ok(_) => {}
        }
    }
}

pub(crate) fn strip_bom(bytes: &[u8]) -> &[u8] {
    bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes)
}

/// How ALTO coordinates become points.
#[derive(Debug, Clone, Copy)]
enum Unit {
    Mm10,
    Inch1200,
    /// Pixels at this many dpi (`None`: not known yet).
    Pixel(Option<f32>),
}

/// A `TextStyle`.
#[derive(Debug, Clone, Copy, Default)]
struct Style {
    size: Option<f32>,
    bold: bool,
    italic: bool,
}

/// Reader state while streaming one file.
struct Parser<'a> {
    path: &'a str,
    unit: Unit,
    styles: HashMap<String, Style>,
    file: AltoFile,
    /// The page being read (always `file.pages.last()` while `in_page`).
    in_page: bool,
    in_description: bool,
    /// Text of the `Description` (for `MeasurementUnit` and a dpi).
    description_text: String,
    /// `sourceImageInformation/fileName`, for the pages that follow.
    source_image: Option<String>,
    /// Name of the innermost open element inside `Description`.
    description_element: String,
    composed: Vec<String>,
    /// The open `TextBlock` (index in the page's blocks) and its STYLEREFS.
    block: Option<(usize, String)>,
    line_style: String,
    line: u32,
    line_open: bool,
    words_in_file: usize,
    warned_units: bool,
}

/// Reads an ALTO file. `path` names it in errors and warnings.
pub fn read_alto(bytes: &[u8], path: &str) -> Result<AltoFile> {
    let bytes = strip_bom(bytes);
    let mut reader = Reader::from_reader(bytes);
    reader.config_mut().check_end_names = true;
    let mut p = Parser {
        path,
        unit: Unit::Pixel(None),
        styles: HashMap::new(),
        file: AltoFile::default(),
        in_page: false,
        in_description: false,
        description_text: String::new(),
        source_image: None,
        description_element: String::new(),
        composed: Vec::new(),
        block: None,
        line_style: String::new(),
        line: 0,
        line_open: false,
        words_in_file: 0,
        warned_units: false,
    };
    let mut root_seen = false;
    loop {
        let event = reader.read_event().map_err(|e| {
            let mut err = Error::new(
                ErrorKind::Malformed,
                format!(
                    "malformed ALTO XML at byte {}: {e}",
                    reader.error_position()
                ),
            )
            .with_path(path);
            if p.in_page {
                err = err.with_page(p.file.pages.len() as u32);
            }
            err
        })?;
        match event {
            Event::Start(e) => {
                if !root_seen {
                    root_seen = true;
                    p.check_root(&e)?;
                }
                p.start(&e, false)?;
            }
            Event::Empty(e) => {
                if !root_seen {
                    root_seen = true;
                    p.check_root(&e)?;
                }
                p.start(&e, true)?;
            }
            Event::End(e) => p.end(e.local_name().as_ref()),
            // Bounded: a Description is notes, not content.
            Event::Text(t) if p.in_description && p.description_text.len() < 65536 => {
                let text = t.decode().unwrap_or_default();
                p.note_description_text(&text);
            }
            Event::Eof => break,
            _ => {}
        }
    }
    if !root_seen {
        return Err(
            Error::new(ErrorKind::Malformed, "the ALTO file holds no XML element").with_path(path),
        );
    }
    Ok(p.file)
}

fn local(e: &BytesStart) -> String {
    String::from_utf8_lossy(e.local_name().as_ref()).into_owned()
}

/// The attributes of an element by local name (`xlink:href` is `href`).
pub(crate) fn attributes(e: &BytesStart) -> HashMap<String, String> {
    let mut out = HashMap::new();
    for a in e.attributes().with_checks(false).flatten() {
        let key = String::from_utf8_lossy(a.key.local_name().as_ref()).into_owned();
        let value = match a.unescape_value() {
            Ok(v) => v.into_owned(),
            Err(_) => String::from_utf8_lossy(&a.value).into_owned(),
        };
        out.insert(key, value);
    }
    out
}

fn number(attrs: &HashMap<String, String>, key: &str) -> Option<f32> {
    attrs
        .get(key)
        .and_then(|v| v.trim().parse::<f32>().ok())
        .filter(|v| v.is_finite())
}

/// `bold`, `italics` (ALTO's spelling) and `italic` in a style list.
fn style_flags(s: &str) -> (bool, bool) {
    let mut bold = false;
    let mut italic = false;
    for w in s.split_whitespace() {
        match w.to_ascii_lowercase().as_str() {
            "bold" => bold = true,
            "italics" | "italic" => italic = true,
            _ => {}
        }
    }
    (bold, italic)
}

impl Parser<'_> {
    fn check_root(&self, e: &BytesStart) -> Result<()> {
        let name = local(e);
        if !name.eq_ignore_ascii_case("alto") {
            return Err(Error::new(
                ErrorKind::Unsupported,
                format!("not an ALTO file: the root element is <{name}>"),
            )
            .with_path(self.path));
        }
        Ok(())
    }

    fn page_number(&self) -> u32 {
        self.file.pages.len() as u32
    }

    fn warn(&mut self, code: &str, message: String) {
        let number = self.page_number();
        if let Some(page) = self.file.pages.last_mut() {
            let mut w = Warning::new(code, format!("{}: {message}", self.path));
            w.page = Some(number);
            page.warnings.push(w);
        }
    }

    /// Points per unit of the file's coordinates.
    fn scale(&mut self) -> f32 {
        match self.unit {
            Unit::Mm10 => 72.0 / 254.0,
            Unit::Inch1200 => 72.0 / 1200.0,
            Unit::Pixel(Some(dpi)) => 72.0 / dpi,
            Unit::Pixel(None) => {
                // Said once per file, on its first page.
                if !self.warned_units {
                    self.warned_units = true;
                    self.warn(
                        "resolution-assumed",
                        format!(
                            "ALTO coordinates are in pixels and the file records no resolution; {DEFAULT_PIXEL_DPI} dpi assumed"
                        ),
                    );
                }
                72.0 / DEFAULT_PIXEL_DPI
            }
        }
    }

    fn bbox(&mut self, attrs: &HashMap<String, String>) -> Option<BBox> {
        let (x, y) = (number(attrs, "HPOS")?, number(attrs, "VPOS")?);
        let (w, h) = (number(attrs, "WIDTH")?, number(attrs, "HEIGHT")?);
        let k = self.scale();
        Some(BBox {
            x0: x * k,
            y0: y * k,
            x1: (x + w.max(0.0)) * k,
            y1: (y + h.max(0.0)) * k,
        })
    }

    fn note_description_text(&mut self, text: &str) {
        let text = text.trim();
        if text.is_empty() {
            return;
        }
        if self.description_element.eq_ignore_ascii_case("fileName") {
            self.source_image = Some(text.to_string());
        }
        if self
            .description_element
            .eq_ignore_ascii_case("MeasurementUnit")
        {
            self.unit = match text.to_ascii_lowercase().as_str() {
                "mm10" => Unit::Mm10,
                "inch1200" => Unit::Inch1200,
                _ => Unit::Pixel(None),
            };
        }
        self.description_text.push_str(text);
        self.description_text.push('\n');
    }

    /// A resolution recorded in the `Description`: ALTO has no field for
    /// it, but producers write it in processing notes (`xdpi:300`) or in an
    /// element of their own (`<xdpi>300</xdpi>`, `<dpi>`).
    fn description_dpi(&self) -> Option<f32> {
        let text = self.description_text.to_ascii_lowercase();
        for key in ["xdpi", "dpi", "resolution"] {
            let mut rest = text.as_str();
            while let Some(at) = rest.find(key) {
                rest = &rest[at + key.len()..];
                let value: String = rest
                    .trim_start_matches(|c: char| c == ':' || c == '=' || c.is_whitespace())
                    .chars()
                    .take_while(|c| c.is_ascii_digit() || *c == '.')
                    .collect();
                if let Ok(v) = value.parse::<f32>() {
                    if (20.0..=5000.0).contains(&v) {
                        return Some(v);
                    }
                }
            }
        }
        None
    }

    fn style_of(&self, refs: &str) -> Style {
        let mut out = Style::default();
        for id in refs.split_whitespace() {
            if let Some(s) = self.styles.get(id) {
                out.size = out.size.or(s.size);
                out.bold |= s.bold;
                out.italic |= s.italic;
            }
        }
        out
    }

    fn start(&mut self, e: &BytesStart, empty: bool) -> Result<()> {
        let name = local(e);
        if self.in_description {
            if !empty {
                self.description_element = name.clone();
            }
            // `<xdpi>` and the like: their text is noted with the rest.
            return Ok(());
        }
        match name.as_str() {
            "alto" => {
                if let Some(ns) = attributes(e).get("xmlns") {
                    self.file.version = ["v2", "v3", "v4"]
                        .iter()
                        .position(|v| ns.contains(&format!("ns-{v}")))
                        .map(|i| i as u8 + 2);
                }
            }
            "Description" if !empty => {
                self.in_description = true;
            }
            "TextStyle" => {
                let a = attributes(e);
                if let Some(id) = a.get("ID") {
                    let (bold, italic) = style_flags(a.get("FONTSTYLE").map_or("", |s| s));
                    self.styles.insert(
                        id.clone(),
                        Style {
                            size: number(&a, "FONTSIZE").filter(|s| *s > 0.0),
                            bold,
                            italic,
                        },
                    );
                }
            }
            "Page" => {
                if let Unit::Pixel(None) = self.unit {
                    if let Some(dpi) = self.description_dpi() {
                        self.unit = Unit::Pixel(Some(dpi));
                    }
                }
                let a = attributes(e);
                self.file.pages.push(AltoPage {
                    id: a.get("ID").cloned(),
                    image: self.source_image.clone(),
                    ..AltoPage::default()
                });
                self.in_page = !empty;
                let k = self.scale();
                let (w, h) = (number(&a, "WIDTH"), number(&a, "HEIGHT"));
                if let Some(page) = self.file.pages.last_mut() {
                    page.width = w.unwrap_or(0.0).max(0.0) * k;
                    page.height = h.unwrap_or(0.0).max(0.0) * k;
                }
                if w.is_none() || h.is_none() {
                    self.warn(
                        "page-size-missing",
                        "the ALTO Page gives no WIDTH/HEIGHT; the size is taken from its content"
                            .to_string(),
                    );
                }
            }
            _ if !self.in_page => {}
            "ComposedBlock" => {
                let a = attributes(e);
                let id = a.get("ID").cloned().unwrap_or_default();
                let bbox = self.bbox(&a);
                if a.get("TYPE")
                    .is_some_and(|t| t.eq_ignore_ascii_case("Illustration"))
                {
                    if let Some(b) = bbox {
                        self.push_figure(b);
                    }
                }
                self.push_block(id.clone(), "ComposedBlock", bbox);
                if !empty {
                    self.composed.push(id);
                }
            }
            "Illustration" | "GraphicalElement" => {
                let a = attributes(e);
                let bbox = self.bbox(&a);
                match bbox {
                    // ALTO's GraphicalElement is for lines and rules that
                    // separate blocks; a thin one is a separator for
                    // layout, not a picture (our own ALTO writes rules so).
                    Some(b) if name == "GraphicalElement" && is_rule(&b) => {
                        if let Some(page) = self.file.pages.last_mut() {
                            page.separators.push(b);
                        }
                    }
                    Some(b) => self.push_figure(b),
                    None => {}
                }
                self.push_block(a.get("ID").cloned().unwrap_or_default(), &name, bbox);
            }
            "TextBlock" => {
                let a = attributes(e);
                let bbox = self.bbox(&a);
                let index = self.push_block(a.get("ID").cloned().unwrap_or_default(), &name, bbox);
                if !empty {
                    self.block = Some((index, a.get("STYLEREFS").cloned().unwrap_or_default()));
                }
            }
            "TextLine" => {
                let a = attributes(e);
                self.line_style = a.get("STYLEREFS").cloned().unwrap_or_default();
                self.line_open = !empty;
            }
            "String" => self.push_word(e)?,
            "HYP" => self.push_hyphen(e),
            _ => {}
        }
        Ok(())
    }

    fn end(&mut self, name: &[u8]) {
        match name {
            b"Description" => {
                self.in_description = false;
                self.description_element.clear();
            }
            _ if self.in_description => self.description_element.clear(),
            b"Page" => self.in_page = false,
            b"ComposedBlock" => {
                self.composed.pop();
            }
            b"TextBlock" => self.block = None,
            b"TextLine" => {
                self.close_line();
            }
            _ => {}
        }
    }

    fn push_figure(&mut self, b: BBox) {
        if let Some(page) = self.file.pages.last_mut() {
            page.figures.push(b);
        }
    }

    fn push_block(&mut self, id: String, element: &str, bbox: Option<BBox>) -> usize {
        let composed = self.composed.clone();
        let Some(page) = self.file.pages.last_mut() else {
            return 0;
        };
        let at = page.words.len();
        page.blocks.push(AltoBlock {
            id,
            element: element.to_string(),
            bbox,
            composed,
            words: at..at,
        });
        page.blocks.len() - 1
    }

    /// A `String`: one word with its style and hyphenation marks.
    fn push_word(&mut self, e: &BytesStart) -> Result<()> {
        let a = attributes(e);
        let Some(text) = a.get("CONTENT").map(|t| t.trim().to_string()) else {
            return Ok(());
        };
        if text.is_empty() {
            return Ok(());
        }
        let Some(bbox) = self.bbox(&a) else {
            return Ok(());
        };
        self.words_in_file += 1;
        if self.words_in_file > MAX_WORDS {
            return Err(Error::new(
                ErrorKind::Malformed,
                format!("the ALTO file holds more than {MAX_WORDS} words; refused"),
            )
            .with_path(self.path)
            .with_page(self.page_number()));
        }
        // The style in force: the word's own, else its line's, else its
        // block's (ALTO lets each level carry STYLEREFS).
        let block_style = self.block.as_ref().map_or("", |(_, s)| s.as_str());
        let style = [
            a.get("STYLEREFS").map_or("", |s| s),
            &self.line_style,
            block_style,
        ]
        .iter()
        .map(|r| self.style_of(r))
        .fold(Style::default(), |acc, s| Style {
            size: acc.size.or(s.size),
            bold: acc.bold || s.bold,
            italic: acc.italic || s.italic,
        });
        // v2's `STYLE` attribute on the word itself.
        let (bold, italic) = style_flags(a.get("STYLE").map_or("", |s| s));
        let hyphen = match a.get("SUBS_TYPE").map(|s| s.as_str()) {
            Some("HypPart1") => Some(HyphenPart::First),
            Some("HypPart2") => Some(HyphenPart::Second),
            _ => None,
        };
        let block = match self.block {
            Some((i, _)) => i,
            None => {
                // A String outside any TextBlock (invalid, but seen): an
                // anonymous block keeps every word's block index valid.
                let i = self.push_block(String::new(), "TextBlock", None);
                self.block = Some((i, String::new()));
                i
            }
        };
        let word = AltoWord {
            text,
            bbox,
            confidence: number(&a, "WC").map(|c| c.clamp(0.0, 1.0)),
            font_size: style.size,
            bold: style.bold || bold,
            italic: style.italic || italic,
            block,
            line: self.line,
            hyphen,
            subs_content: a.get("SUBS_CONTENT").cloned().filter(|s| !s.is_empty()),
        };
        if let Some(page) = self.file.pages.last_mut() {
            page.words.push(word);
            let end = page.words.len();
            if let Some(b) = page.blocks.get_mut(block) {
                b.words.end = end;
            }
        }
        Ok(())
    }

    /// `HYP`: the printed hyphen at the end of a line belongs to the last
    /// word, so that reflow sees `ar-` + `ticle` as in any other input.
    fn push_hyphen(&mut self, e: &BytesStart) {
        let a = attributes(e);
        let content = a
            .get("CONTENT")
            .map(|c| c.trim().to_string())
            .filter(|c| !c.is_empty())
            .unwrap_or_else(|| "-".to_string());
        // HYP often has no HEIGHT (ABBYY/docWorks): its horizontal extent
        // is what widens the word.
        let k = self.scale();
        let right = match (number(&a, "HPOS"), number(&a, "WIDTH")) {
            (Some(x), Some(w)) => Some((x + w.max(0.0)) * k),
            _ => None,
        };
        let line = self.line;
        if let Some(w) = self
            .file
            .pages
            .last_mut()
            .and_then(|p| p.words.last_mut())
            .filter(|w| w.line == line)
        {
            if !w.text.ends_with(content.as_str()) {
                w.text.push_str(&content);
            }
            if let Some(x1) = right.filter(|x| x.is_finite()) {
                w.bbox.x1 = w.bbox.x1.max(x1);
            }
        }
    }

    fn close_line(&mut self) {
        if !self.line_open {
            return;
        }
        self.line_open = false;
        let line = self.line;
        // A first part without its HYP element: the word was printed
        // hyphenated, so the hyphen is restored for reflow to join it.
        if let Some(w) = self
            .file
            .pages
            .last_mut()
            .and_then(|p| p.words.last_mut())
            .filter(|w| w.line == line && w.hyphen == Some(HyphenPart::First))
        {
            if !w.text.ends_with(['-', '\u{ad}', '\u{2010}', '¬', '=', '⸗']) {
                w.text.push('-');
            }
        }
        self.line += 1;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn root_sniffing() {
        assert!(is_alto(
            b"\xEF\xBB\xBF<?xml version='1.0'?>\n<alto xmlns='x'/>"
        ));
        assert!(!is_alto(b"<mets:mets xmlns:mets='y'/>"));
        assert_eq!(
            root_element(b"<mets:mets xmlns:mets='y'/>").as_deref(),
            Some("mets")
        );
        assert!(root_element(b"plain text").is_none());
    }

    #[test]
    fn dpi_from_processing_notes() {
        let xml = br#"<alto><Description><MeasurementUnit>pixel</MeasurementUnit>
            <OCRProcessing><ocrProcessingStep><processingStepSettings>width:7498
xdpi:400
</processingStepSettings></ocrProcessingStep></OCRProcessing></Description>
            <Layout><Page WIDTH="4000" HEIGHT="8000"><PrintSpace>
            <TextBlock ID="b"><TextLine><String CONTENT="x" HPOS="400" VPOS="0" WIDTH="400" HEIGHT="400"/>
            </TextLine></TextBlock></PrintSpace></Page></Layout></alto>"#;
        let f = read_alto(xml, "t.xml").unwrap();
        let p = &f.pages[0];
        assert!((p.width - 720.0).abs() < 1e-3);
        assert!((p.words[0].bbox.x0 - 72.0).abs() < 1e-3);
        assert!(p.warnings.is_empty());
    }

    #[test]
    fn truncated_file_is_an_error_with_page() {
        let xml = br#"<alto><Layout><Page WIDTH="10" HEIGHT="10"><PrintSpace><TextBlock></Page>"#;
        let e = read_alto(xml, "bad.xml").unwrap_err();
        assert_eq!(e.kind, ErrorKind::Malformed);
        assert!(e.to_string().contains("bad.xml"), "{e}");
    }
}
