//! The shared data model: what every stage reads and writes.
//!
//! Units and origin: boxes are in PDF points (1/72 in) with the origin at the
//! page's top-left corner, y growing downwards, whatever the input was (PDF
//! user space is flipped on extraction, OCR pixels are scaled by the image's
//! resolution). Inputs without geometry (text dumps) carry `None` boxes.
//!
//! Reading order is the order of the vectors: `Page::blocks`, `Block::lines`,
//! `Line::words` and `Article::body` are always in reading order.
//!
//! The output types (`Document`, `Article`, ...) are the published JSON
//! contract, `schema/newsclip.schema.json`; optional geometry fields are
//! omitted when absent so that geometry-less inputs and later input paths
//! produce the same shape.

use serde::{Deserialize, Serialize};

/// An axis-aligned box in points, origin top-left.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct BBox {
    pub x0: f32,
    pub y0: f32,
    pub x1: f32,
    pub y1: f32,
}

impl BBox {
    pub fn width(&self) -> f32 {
        self.x1 - self.x0
    }
    pub fn height(&self) -> f32 {
        self.y1 - self.y0
    }
    /// The smallest box holding both.
    pub fn union(&self, other: &BBox) -> BBox {
        BBox {
            x0: self.x0.min(other.x0),
            y0: self.y0.min(other.y0),
            x1: self.x1.max(other.x1),
            y1: self.y1.max(other.y1),
        }
    }
    /// Union of all boxes, `None` when there are none.
    pub fn union_all<'a>(boxes: impl IntoIterator<Item = &'a BBox>) -> Option<BBox> {
        boxes.into_iter().fold(None, |acc: Option<BBox>, b| {
            Some(acc.map_or(*b, |a| a.union(b)))
        })
    }
}

/// A word (Latin) or a run of glyphs (CJK) with what the input told about it.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Word {
    pub text: String,
    pub bbox: Option<BBox>,
    pub font_size: Option<f32>,
    pub bold: bool,
    /// OCR confidence in 0..=1; `None` for text layers and dumps.
    pub confidence: Option<f32>,
}

/// One glyph of a PDF text layer, positioned on the page.
///
/// `bbox` spans the glyph's advance horizontally and its font's ascent to
/// descent vertically (top-left origin, points, the page's rotation
/// applied). `text` is the glyph's Unicode mapping: usually one character,
/// several for a ligature, empty when the font gives no mapping (`unmapped`).
#[derive(Debug, Clone, PartialEq)]
pub struct Glyph {
    pub text: String,
    pub bbox: BBox,
    /// The baseline origin (x, y), same space as `bbox`.
    pub origin: (f32, f32),
    /// Effective size in points after the text and CTM matrices.
    pub font_size: f32,
    /// The font's base name without a subset prefix (`ABCDEF+`).
    pub font: std::sync::Arc<str>,
    pub bold: bool,
    pub italic: bool,
    /// Fill colour as RGB in 0..=1.
    pub color: [f32; 3],
    /// Text render mode 3 (invisible), as OCR layers use.
    pub invisible: bool,
    pub unmapped: bool,
}

/// The role layout gives a line; split turns roles into article fields.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    /// Running text of an article.
    Body,
    /// A display line: headline, kicker or sub-heading; split decides which
    /// from its neighbours.
    Heading,
    /// Over-line above a headline (引题).
    Kicker,
    /// Line below a headline that starts with a dash (副题).
    Subtitle,
    /// Sub-heading inside an article.
    Subheading,
    Byline,
    /// A photo caption (may carry its credit on the same line).
    Caption,
    /// A photo credit on its own (`许廷合 摄`, `Photo: X`).
    Credit,
    /// A source tag ending an article (`（魏宣）`).
    SourceTag,
    /// Page furniture: page numbers, running heads, edition lines.
    Furniture,
    /// A jump line: `转第3版`, `上接第1版`, `Continued on Page A8`.
    Jump,
}

/// One printed line. For dumps `text` is the raw line (trailing whitespace
/// removed) and `words` is empty.
#[derive(Debug, Clone, PartialEq)]
pub struct Line {
    pub text: String,
    pub words: Vec<Word>,
    pub bbox: Option<BBox>,
    pub font_size: Option<f32>,
    pub role: Role,
    /// 0-based index of the line in its source (dump line number, or order
    /// of extraction), for messages and tests.
    pub source_index: usize,
    /// Layout's estimate of the line's width: ems for dumps (see
    /// `script::text_width`), points for geometry. `None` until layout ran.
    pub width: Option<f32>,
}

impl Line {
    /// A geometry-less line, as read from a dump.
    pub fn from_text(text: impl Into<String>, source_index: usize) -> Line {
        Line {
            text: text.into(),
            words: Vec::new(),
            bbox: None,
            font_size: None,
            role: Role::Body,
            source_index,
            width: None,
        }
    }
}

/// Lines that belong together visually: a run of lines between blank lines
/// in a dump, a paragraph or display group on a page with geometry.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Block {
    pub lines: Vec<Line>,
    pub bbox: Option<BBox>,
    /// Width of a full line of the block's column: ems for dumps (see
    /// `script::text_width`), points for geometry. Set by layout.
    pub measure: Option<f32>,
    /// Layout saw an article boundary before this block (geometry: a new
    /// headline's region, or an item no headline owns). Text never runs on
    /// across it.
    pub starts_unit: bool,
    /// The article region of the page ([`Page::regions`]) this block
    /// belongs to, for inputs with geometry; `None` for dumps, whose
    /// articles are found along the line sequence instead.
    pub region: Option<u32>,
}

/// One page in reading order.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Page {
    /// 1-based page number within the input.
    pub number: u32,
    pub width: Option<f32>,
    pub height: Option<f32>,
    pub blocks: Vec<Block>,
    /// The article regions layout found, in reading order: each is one
    /// article (or photo item, brief, advertisement) from layout to output.
    /// Empty for dumps.
    pub regions: Vec<Region>,
    /// Ruling lines and box edges layout used as separators (geometry only).
    pub separators: Vec<BBox>,
    /// Photos and other figures placed on the page (geometry only).
    pub figures: Vec<BBox>,
}

/// What an article region of a page holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RegionKind {
    /// A story under a headline.
    Article,
    /// A photo with its caption and credit, no story of its own.
    Photo,
    /// Running text no headline governs (a brief, a column of shorts).
    Brief,
    /// An advertisement box or classified column: kept out of the articles.
    Advertisement,
}

/// One article region: an area of the page and the blocks in it
/// (`Block::region` points here). Layout decides regions; later stages
/// never move text from one region to another.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Region {
    /// Index in `Page::regions`.
    pub index: u32,
    pub kind: RegionKind,
    pub bbox: BBox,
}

// ---------------------------------------------------------------------------
// Output contract (schema/newsclip.schema.json)
// ---------------------------------------------------------------------------

/// Everything newsclip found in one input file.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Document {
    pub source: Source,
    /// The input's pages in order: their size and image, so that boxes can
    /// be placed (on an IIIF canvas, over the scan).
    #[serde(default)]
    pub pages: Vec<PageInfo>,
    pub articles: Vec<Article>,
    #[serde(default)]
    pub furniture: Vec<Furniture>,
    #[serde(default)]
    pub warnings: Vec<Warning>,
    /// The laid-out pages (blocks, lines, words, regions, figures) the
    /// articles were cut from, in page order: what the archive formats
    /// (ALTO, METS, PAGE-XML, hOCR) write. Kept only when the pipeline is
    /// asked to (`pipeline::Options::keep_layout`); never serialised.
    #[serde(skip)]
    pub layout: Vec<Page>,
}

impl Document {
    /// A document with no pages, articles or warnings yet.
    pub fn new(source: Source) -> Document {
        Document {
            source,
            pages: Vec::new(),
            articles: Vec::new(),
            furniture: Vec::new(),
            warnings: Vec::new(),
            layout: Vec::new(),
        }
    }
}

/// One page of the input: its size and where its image is.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PageInfo {
    /// 1-based, as articles' `page`.
    pub number: u32,
    /// Size in `unit`; absent for text dumps, which have no geometry.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub width: Option<f32>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub height: Option<f32>,
    /// The unit of the size and of every `bbox`: always `pt` (1/72 in,
    /// origin top-left).
    pub unit: String,
    /// The page's image as the input names it: the image file itself, the
    /// PDF (the page is `number`), or the scan an ALTO, METS, PAGE or hOCR
    /// file points at. Absent when there is none (dumps, born-digital
    /// pages described by ALTO without an image).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub image: Option<String>,
}

impl PageInfo {
    /// A page of the given size in points (`None` for dumps).
    pub fn new(number: u32, size: Option<(f32, f32)>, image: Option<String>) -> PageInfo {
        PageInfo {
            number,
            width: size.map(|s| s.0),
            height: size.map(|s| s.1),
            unit: "pt".to_string(),
            image,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Source {
    /// The input path as given (`-` for stdin).
    pub path: String,
    /// `dump`, `pdf`, `image`.
    pub format: String,
    /// The text encoding used to decode a dump (`UTF-8`, `GB18030`,
    /// `UTF-16LE`, ...); `null` for binary formats.
    pub encoding: Option<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ArticleKind {
    /// A story with running text.
    News,
    /// A photo with a text block and a credit, no separate story.
    Photo,
    /// A short item without a headline.
    Brief,
    /// An advertisement (boxed display copy, prices, phone numbers): output
    /// so that nothing is lost, never counted as an article.
    Advertisement,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Article {
    /// Stable within a document: `p{page}-a{n}` in reading order.
    pub id: String,
    pub page: u32,
    pub kind: ArticleKind,
    pub kicker: Option<String>,
    pub headline: Option<String>,
    pub subheadline: Option<String>,
    pub dateline: Option<String>,
    pub byline: Option<Byline>,
    pub source_tag: Option<String>,
    pub body: Vec<BodyItem>,
    #[serde(default)]
    pub captions: Vec<Caption>,
    /// Where the article continues on, or comes from, another page.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub jumps: Vec<Jump>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub bbox: Option<BBox>,
    /// The layout regions the article was cut from (one; more when it runs
    /// on to the next page), so that the archive formats point at its
    /// blocks without pairing anything again. Empty for dumps. Never
    /// serialised.
    #[serde(skip)]
    pub regions: Vec<RegionRef>,
}

/// A region of a page: `Page::regions[region]` of page `page`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct RegionRef {
    pub page: u32,
    pub region: u32,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum JumpDirection {
    /// `转第3版`, `Continued on Page A8`: the text goes on there.
    To,
    /// `上接第1版`, `Continued from Page A1`: the text comes from there.
    From,
}

/// A jump line, kept out of the body as a link.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Jump {
    pub direction: JumpDirection,
    /// The other page as printed (`8`, `A8`, `13`).
    pub page: String,
    /// The line as printed.
    pub text: String,
}

/// A byline as printed plus the names it contains, by function.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
pub struct Byline {
    pub raw: String,
    #[serde(default)]
    pub reporters: Vec<String>,
    #[serde(default)]
    pub correspondents: Vec<String>,
    #[serde(default)]
    pub photographers: Vec<String>,
    #[serde(default)]
    pub authors: Vec<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum BodyKind {
    Paragraph,
    Subheading,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct BodyItem {
    pub kind: BodyKind,
    pub text: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub bbox: Option<BBox>,
    /// OCR only: the character-weighted mean confidence of the
    /// paragraph's words, 0..=1.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub confidence: Option<f32>,
    /// OCR only: the paragraph's words read with low confidence (below
    /// 0.6), to check against the page.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub low_confidence: Vec<LowConfidenceWord>,
    /// Only where the paragraph stands on another page than the article's
    /// own (an article continued on the next page): that page, so that
    /// `bbox` can be placed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub page: Option<u32>,
}

/// A word OCR was unsure of, with its box on the page.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct LowConfidenceWord {
    pub text: String,
    pub confidence: f32,
    pub bbox: BBox,
}

impl BodyItem {
    pub fn paragraph(text: impl Into<String>) -> BodyItem {
        BodyItem {
            kind: BodyKind::Paragraph,
            text: text.into(),
            bbox: None,
            confidence: None,
            low_confidence: Vec::new(),
            page: None,
        }
    }
    pub fn subheading(text: impl Into<String>) -> BodyItem {
        BodyItem {
            kind: BodyKind::Subheading,
            ..BodyItem::paragraph(text)
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Caption {
    pub text: String,
    pub credit: Option<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum FurnitureKind {
    PageNumber,
    RunningHead,
    Other,
}

/// A line of page furniture, kept out of the articles.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Furniture {
    pub page: u32,
    pub kind: FurnitureKind,
    pub text: String,
}

/// Something worth knowing that did not stop the run.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Warning {
    /// Stable machine-readable code, e.g. `encoding-guessed`.
    pub code: String,
    pub message: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub page: Option<u32>,
}

impl Warning {
    pub fn new(code: &str, message: impl Into<String>) -> Warning {
        Warning {
            code: code.to_string(),
            message: message.into(),
            page: None,
        }
    }
}

impl Article {
    /// The `n`th news item of page `page` (id `p{page}-a{n}`), with no
    /// fields yet: the one place an article is made before it is filled.
    pub fn new(page: u32, n: usize) -> Article {
        Article {
            id: format!("p{page}-a{n}"),
            page,
            kind: ArticleKind::News,
            kicker: None,
            headline: None,
            subheadline: None,
            dateline: None,
            byline: None,
            source_tag: None,
            body: Vec::new(),
            captions: Vec::new(),
            jumps: Vec::new(),
            bbox: None,
            regions: Vec::new(),
        }
    }

    /// Body paragraphs joined with newlines (sub-headings excluded): the text
    /// that body CER is computed on.
    pub fn body_text(&self) -> String {
        let mut out = String::new();
        for item in self.body.iter().filter(|b| b.kind == BodyKind::Paragraph) {
            if !out.is_empty() {
                out.push('\n');
            }
            out.push_str(&item.text);
        }
        out
    }
}
