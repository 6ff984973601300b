//! The laid-out pages as the archive formats (ALTO, METS, PAGE-XML, hOCR)
//! write them: one [`Sheet`] per page, shared by every writer so that they
//! all give the same blocks the same IDs.
//!
//! Contract: input is a [`Document`] whose `layout` the pipeline kept
//! (`pipeline::Options::keep_layout`). Output, per laid-out page:
//! - text blocks: a layout block cut where its lines' part changes
//!   (headline, kicker, byline, body...), so that each block has one part
//!   and a METS can point at exactly the headline or the body; each knows
//!   the article it belongs to, through `Block::region` and the article's
//!   `regions` (set by split), never by pairing text again;
//! - lines and words with boxes in points (top-left origin); a line
//!   without words (a dump's) gets its text's words;
//! - figures and separators as layout found them.
//!
//! IDs are stable for a given layout: `P{page}_TB{n}` (blocks, in reading
//! order, 1-based, five digits), `P{page}_TL{n}` (lines), `P{page}_ST{n}`
//! (words), `P{page}_IL{n}` (figures), `P{page}_GE{n}` (separators).
//!
//! Dumps have no geometry; their pages get a synthetic grid so that the
//! formats' required coordinates are present: a page 595 pt wide (A4), one
//! line every [`GRID_LINE`] points from the top, a blank line's height
//! between blocks, each character [`GRID_CHAR`] points wide (a CJK
//! character twice that). The grid says nothing about the print;
//! [`Sheet::synthetic`] marks it.

use std::collections::HashMap;

use crate::model::{BBox, Document, Page, RegionKind, RegionRef, Role};
use crate::script::is_cjk;

/// Line pitch of the synthetic grid, in points.
pub const GRID_LINE: f32 = 14.0;
/// Width of a Latin character on the synthetic grid, in points.
pub const GRID_CHAR: f32 = 6.0;
const GRID_MARGIN: f32 = 36.0;
const GRID_PAGE_WIDTH: f32 = 595.0;

/// What a text block is in its article (the METS logical parts).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Part {
    /// The article's headline.
    Title,
    /// Kicker over the headline.
    Overline,
    /// Subtitle or deck under the headline.
    Subheadline,
    /// A sub-heading inside the body.
    Subheading,
    Author,
    Body,
    Caption,
    /// Running heads, page numbers: no article.
    Furniture,
}

impl Part {
    fn of(role: Role) -> Part {
        match role {
            Role::Heading => Part::Title,
            Role::Kicker => Part::Overline,
            Role::Subtitle => Part::Subheadline,
            Role::Subheading => Part::Subheading,
            Role::Byline => Part::Author,
            Role::Caption | Role::Credit => Part::Caption,
            Role::Furniture => Part::Furniture,
            Role::Body | Role::SourceTag | Role::Jump => Part::Body,
        }
    }
}

#[derive(Debug, Clone)]
pub struct SheetWord {
    pub id: String,
    pub text: String,
    pub bbox: BBox,
    pub confidence: Option<f32>,
    pub font_size: Option<f32>,
}

#[derive(Debug, Clone)]
pub struct SheetLine {
    pub id: String,
    pub text: String,
    pub bbox: BBox,
    pub font_size: Option<f32>,
    pub words: Vec<SheetWord>,
}

#[derive(Debug, Clone)]
pub struct SheetBlock {
    pub id: String,
    pub part: Part,
    /// Index in `Document::articles`; `None` for furniture and text no
    /// article holds.
    pub article: Option<usize>,
    /// The kind of the layout region holding the block.
    pub region_kind: Option<RegionKind>,
    pub bbox: BBox,
    pub lines: Vec<SheetLine>,
}

impl SheetBlock {
    /// The block's text, lines joined by a newline.
    pub fn text(&self) -> String {
        let lines: Vec<&str> = self.lines.iter().map(|l| l.text.as_str()).collect();
        lines.join("\n")
    }
}

/// A figure or separator with its ID.
#[derive(Debug, Clone)]
pub struct SheetShape {
    pub id: String,
    pub bbox: BBox,
}

/// One page as the archive formats write it.
#[derive(Debug, Clone)]
pub struct Sheet {
    pub number: u32,
    /// In points.
    pub width: f32,
    pub height: f32,
    /// The page's image, as `Document::pages` names it.
    pub image: Option<String>,
    /// Coordinates are the synthetic grid of a dump, not the print's.
    pub synthetic: bool,
    pub blocks: Vec<SheetBlock>,
    pub figures: Vec<SheetShape>,
    pub separators: Vec<SheetShape>,
}

/// The sheets of a document, one per laid-out page, in page order.
pub fn sheets(doc: &Document) -> Vec<Sheet> {
    let mut owner: HashMap<RegionRef, usize> = HashMap::new();
    for (i, a) in doc.articles.iter().enumerate() {
        for r in &a.regions {
            owner.entry(*r).or_insert(i);
        }
    }
    let mut out: Vec<Sheet> = doc
        .layout
        .iter()
        .map(|page| {
            let image = doc
                .pages
                .iter()
                .find(|p| p.number == page.number)
                .and_then(|p| p.image.clone());
            sheet(page, &owner, image)
        })
        .collect();
    resolve_parts(&mut out, doc);
    out
}

fn normalised(s: &str) -> String {
    s.chars().filter(|c| !c.is_whitespace()).collect()
}

fn sheet(page: &Page, owner: &HashMap<RegionRef, usize>, image: Option<String>) -> Sheet {
    let synthetic = page
        .blocks
        .iter()
        .all(|b| b.lines.iter().all(|l| l.bbox.is_none()));
    let n = page.number;
    let mut counters = (0usize, 0usize, 0usize);
    let mut blocks = Vec::new();
    let mut grid_y = GRID_MARGIN;
    for block in &page.blocks {
        let region = block.region;
        let article = region.and_then(|r| owner.get(&RegionRef { page: n, region: r }).copied());
        let region_kind = region.and_then(|r| page.regions.get(r as usize).map(|r| r.kind));
        let mut current: Option<SheetBlock> = None;
        for line in &block.lines {
            let part = Part::of(line.role);
            let (bbox, words) = if synthetic {
                let placed = grid_line(&line.text, grid_y);
                grid_y += GRID_LINE;
                placed
            } else {
                real_line(line)
            };
            let Some(bbox) = bbox else { continue };
            if current.as_ref().is_some_and(|c| c.part != part) {
                blocks.extend(current.take());
            }
            let b = current.get_or_insert_with(|| {
                counters.0 += 1;
                SheetBlock {
                    id: format!("P{n}_TB{:05}", counters.0),
                    part,
                    article: if part == Part::Furniture {
                        None
                    } else {
                        article
                    },
                    region_kind,
                    bbox,
                    lines: Vec::new(),
                }
            });
            b.bbox = b.bbox.union(&bbox);
            counters.1 += 1;
            let words = words
                .into_iter()
                .map(|(text, bbox, confidence, font_size)| {
                    counters.2 += 1;
                    SheetWord {
                        id: format!("P{n}_ST{:05}", counters.2),
                        text,
                        bbox,
                        confidence,
                        font_size,
                    }
                })
                .collect();
            b.lines.push(SheetLine {
                id: format!("P{n}_TL{:05}", counters.1),
                text: line.text.clone(),
                bbox,
                font_size: line.font_size,
                words,
            });
        }
        blocks.extend(current.take());
        if synthetic {
            grid_y += GRID_LINE;
        }
    }
    let shapes = |boxes: &[BBox], tag: &str| -> Vec<SheetShape> {
        boxes
            .iter()
            .enumerate()
            .map(|(i, b)| SheetShape {
                id: format!("P{n}_{tag}{:03}", i + 1),
                bbox: *b,
            })
            .collect()
    };
    let (width, height) = if synthetic {
        let right = blocks.iter().map(|b| b.bbox.x1).fold(0.0, f32::max);
        (
            GRID_PAGE_WIDTH.max(right + GRID_MARGIN),
            grid_y + GRID_MARGIN,
        )
    } else {
        let extent = BBox::union_all(blocks.iter().map(|b| &b.bbox));
        (
            page.width
                .or(extent.map(|e| e.x1))
                .unwrap_or(GRID_PAGE_WIDTH),
            page.height.or(extent.map(|e| e.y1)).unwrap_or(842.0),
        )
    };
    Sheet {
        number: n,
        width,
        height,
        image,
        synthetic,
        blocks,
        figures: shapes(&page.figures, "IL"),
        separators: shapes(&page.separators, "GE"),
    }
}

/// Layout gives display lines the role `Heading` and leaves it to split to
/// decide which is the headline: a display block (heading, kicker, deck,
/// sub-heading) is the part whose text holds it (headline, kicker,
/// subheadline), else a heading is a sub-heading of the text. Split
/// may also have read a run of text lines as the headline of an item with
/// no text of its own (a notice): such a block is the title too.
fn resolve_parts(sheets: &mut [Sheet], doc: &Document) {
    for sheet in sheets.iter_mut() {
        for b in sheet.blocks.iter_mut() {
            if b.part == Part::Body {
                let in_headline = b
                    .article
                    .and_then(|i| doc.articles.get(i))
                    .is_some_and(|a| {
                        let text = normalised(&b.text());
                        a.body.is_empty()
                            && a.headline
                                .as_deref()
                                .is_some_and(|h| !text.is_empty() && normalised(h).contains(&text))
                    });
                if in_headline {
                    b.part = Part::Title;
                }
                continue;
            }
            let display = matches!(
                b.part,
                Part::Title | Part::Overline | Part::Subheadline | Part::Subheading
            );
            if !display {
                continue;
            }
            let Some(a) = b.article.and_then(|i| doc.articles.get(i)) else {
                if b.part == Part::Title {
                    b.part = Part::Subheading;
                }
                continue;
            };
            let text = normalised(&b.text());
            let holds = |field: &Option<String>| {
                field
                    .as_deref()
                    .is_some_and(|f| !text.is_empty() && normalised(f).contains(&text))
            };
            b.part = if holds(&a.headline) {
                Part::Title
            } else if holds(&a.kicker) {
                Part::Overline
            } else if holds(&a.subheadline) {
                Part::Subheadline
            } else if b.part == Part::Title {
                Part::Subheading
            } else {
                b.part
            };
        }
    }
}

type PlacedWord = (String, BBox, Option<f32>, Option<f32>);

/// A line with geometry: its words, or, when it has none, its text as one
/// word over the line's box.
fn real_line(line: &crate::model::Line) -> (Option<BBox>, Vec<PlacedWord>) {
    let words: Vec<PlacedWord> = line
        .words
        .iter()
        .filter(|w| !w.text.trim().is_empty())
        .filter_map(|w| {
            w.bbox
                .map(|b| (w.text.trim().to_string(), b, w.confidence, w.font_size))
        })
        .collect();
    let bbox = line
        .bbox
        .or_else(|| BBox::union_all(words.iter().map(|w| &w.1)));
    if words.is_empty() {
        let text = line.text.trim();
        return match (bbox, text.is_empty()) {
            (Some(b), false) => (Some(b), vec![(text.to_string(), b, None, line.font_size)]),
            _ => (None, Vec::new()),
        };
    }
    (bbox, words)
}

/// A dump line on the synthetic grid: words at their character offsets.
fn grid_line(text: &str, y: f32) -> (Option<BBox>, Vec<PlacedWord>) {
    let width = |s: &str| -> f32 {
        s.chars()
            .map(|c| {
                if is_cjk(c) {
                    2.0 * GRID_CHAR
                } else {
                    GRID_CHAR
                }
            })
            .sum()
    };
    let mut words = Vec::new();
    let mut x = GRID_MARGIN;
    let mut rest = text;
    while !rest.is_empty() {
        let lead = rest.len() - rest.trim_start().len();
        x += width(&rest[..lead]);
        rest = &rest[lead..];
        let end = rest.find(char::is_whitespace).unwrap_or(rest.len());
        if end == 0 {
            break;
        }
        let word = &rest[..end];
        let w = width(word);
        let bbox = BBox {
            x0: x,
            y0: y,
            x1: x + w,
            y1: y + GRID_LINE * 0.85,
        };
        words.push((word.to_string(), bbox, None, None));
        x += w;
        rest = &rest[end..];
    }
    let bbox = BBox::union_all(words.iter().map(|w| &w.1));
    (bbox, words)
}
