//! PAGE-XML 2019-07-15 writer: one file per page (PAGE holds exactly one
//! `Page` per file).
//!
//! Contract: writes one sheet (see `sheet.rs`) as a `PcGts` document:
//! - `Page` with `imageFilename` (the page's image, else the input),
//!   `imageWidth`/`imageHeight` in pixels at [`PIXELS_PER_INCH`] and that
//!   resolution in `imageXResolution`/`imageYResolution` (our boxes are
//!   points, whatever the scan's own resolution was);
//! - a `ReadingOrder`: one `OrderedGroup` over the page, in it one
//!   `OrderedGroupIndexed` per article (captioned with its headline)
//!   holding its regions in reading order, and the regions no article
//!   holds (furniture) on their own;
//! - `TextRegion` per sheet block, `type` heading (headline, kicker, deck,
//!   sub-heading), paragraph (body, byline), caption, header, footer or
//!   page-number (furniture by position and wording), with
//!   `custom="structure {type:...;}"` giving the finer part, its
//!   `TextLine`s and `Word`s with `Coords` and `TextEquiv` (`conf` for OCR);
//! - `ImageRegion` per figure and `SeparatorRegion` per separator.

use std::io::{self, Write};

use super::sheet::{Part, Sheet, SheetBlock};
use super::xml::{self, Xml};
use crate::model::{BBox, Document};

pub const NAMESPACE: &str = "http://schema.primaresearch.org/PAGE/gts/pagecontent/2019-07-15";

/// The resolution PAGE coordinates are written at.
pub const PIXELS_PER_INCH: f32 = 300.0;

fn px(pt: f32) -> i64 {
    (pt.max(0.0) * PIXELS_PER_INCH / 72.0).round() as i64
}

/// A box as PAGE's four corner points.
fn points(b: &BBox) -> String {
    let (x0, y0, x1, y1) = (px(b.x0), px(b.y0), px(b.x1), px(b.y1));
    format!("{x0},{y0} {x1},{y0} {x1},{y1} {x0},{y1}")
}

/// `type` and the finer part of a text region.
fn region_type(b: &SheetBlock, page_height: f32) -> (&'static str, &'static str) {
    match b.part {
        Part::Title => ("heading", "headline"),
        Part::Overline => ("heading", "kicker"),
        Part::Subheadline => ("heading", "subheadline"),
        Part::Subheading => ("heading", "subheading"),
        Part::Author => ("paragraph", "byline"),
        Part::Body => ("paragraph", "body"),
        Part::Caption => ("caption", "caption"),
        Part::Furniture => {
            let text = b.text();
            let t = text.trim();
            let folio = t.chars().count() <= 12
                && t.chars().any(|c| c.is_ascii_digit())
                && t.chars().all(|c| !c.is_alphabetic() || c.is_ascii());
            if folio {
                ("page-number", "page-number")
            } else if (b.bbox.y0 + b.bbox.y1) / 2.0 < page_height / 2.0 {
                ("header", "running-head")
            } else {
                ("footer", "footer")
            }
        }
    }
}

fn coords(x: &mut Xml, b: &BBox) -> io::Result<()> {
    x.empty("Coords", &[("points", points(b))])
}

fn text_equiv(x: &mut Xml, text: &str, conf: Option<f32>) -> io::Result<()> {
    let attrs: Vec<(&str, String)> = conf
        .map(|c| vec![("conf", xml::num(c.clamp(0.0, 1.0)))])
        .unwrap_or_default();
    x.open("TextEquiv", &attrs)?;
    x.text_element("Unicode", &[], text)?;
    x.close("TextEquiv")
}

/// Writes one page as PAGE-XML; `source` names the input when the page
/// has no image of its own.
pub fn write_page(w: &mut dyn Write, doc: &Document, s: &Sheet, source: &str) -> io::Result<()> {
    let mut x = Xml::new(w)?;
    x.open(
        "PcGts",
        &[
            ("xmlns", NAMESPACE.to_string()),
            (
                "xmlns:xsi",
                "http://www.w3.org/2001/XMLSchema-instance".to_string(),
            ),
            (
                "xsi:schemaLocation",
                format!("{NAMESPACE} {NAMESPACE}/pagecontent.xsd"),
            ),
            ("pcGtsId", format!("pc_P{}", s.number)),
        ],
    )?;
    let now = xml::utc_now();
    x.open("Metadata", &[])?;
    x.text_element(
        "Creator",
        &[],
        &format!("{} {}", xml::SOFTWARE, xml::VERSION),
    )?;
    x.text_element("Created", &[], &now)?;
    x.text_element("LastChange", &[], &now)?;
    let mut comments = format!("page {} of {}", s.number, source);
    if s.synthetic {
        comments.push_str("; the input has no geometry: coordinates are a synthetic grid");
    }
    x.text_element("Comments", &[], &comments)?;
    x.close("Metadata")?;
    let ppi = xml::num(PIXELS_PER_INCH);
    x.open(
        "Page",
        &[
            (
                "imageFilename",
                s.image.clone().unwrap_or_else(|| source.to_string()),
            ),
            ("imageWidth", px(s.width).max(1).to_string()),
            ("imageHeight", px(s.height).max(1).to_string()),
            ("imageXResolution", ppi.clone()),
            ("imageYResolution", ppi),
            ("imageResolutionUnit", "PPI".to_string()),
        ],
    )?;
    if !s.blocks.is_empty() {
        x.open("ReadingOrder", &[])?;
        x.open("OrderedGroup", &[("id", format!("P{}_RO", s.number))])?;
        // Groups in order of their first block.
        let mut groups: Vec<(Option<usize>, Vec<&SheetBlock>)> = Vec::new();
        for b in &s.blocks {
            match groups
                .iter_mut()
                .find(|(a, _)| a.is_some() && *a == b.article)
            {
                Some((_, g)) => g.push(b),
                None => groups.push((b.article, vec![b])),
            }
        }
        for (index, (article, blocks)) in groups.iter().enumerate() {
            let index = index.to_string();
            match article.and_then(|i| doc.articles.get(i)) {
                Some(a) => {
                    let mut attrs = vec![
                        ("id", format!("P{}_RO_{}", s.number, a.id.replace('-', "_"))),
                        ("index", index),
                    ];
                    if let Some(h) = &a.headline {
                        attrs.push(("caption", h.clone()));
                    }
                    attrs.push(("type", "article".to_string()));
                    x.open("OrderedGroupIndexed", &attrs)?;
                    for (i, b) in blocks.iter().enumerate() {
                        x.empty(
                            "RegionRefIndexed",
                            &[("index", i.to_string()), ("regionRef", b.id.clone())],
                        )?;
                    }
                    x.close("OrderedGroupIndexed")?;
                }
                None => {
                    for b in blocks {
                        x.empty(
                            "RegionRefIndexed",
                            &[("index", index.clone()), ("regionRef", b.id.clone())],
                        )?;
                    }
                }
            }
        }
        x.close("OrderedGroup")?;
        x.close("ReadingOrder")?;
    }
    for b in &s.blocks {
        let (kind, part) = region_type(b, s.height);
        x.open(
            "TextRegion",
            &[
                ("id", b.id.clone()),
                ("custom", format!("structure {{type:{part};}}")),
                ("type", kind.to_string()),
            ],
        )?;
        coords(&mut x, &b.bbox)?;
        for l in &b.lines {
            x.open("TextLine", &[("id", l.id.clone())])?;
            coords(&mut x, &l.bbox)?;
            for word in &l.words {
                x.open("Word", &[("id", word.id.clone())])?;
                coords(&mut x, &word.bbox)?;
                text_equiv(&mut x, &word.text, word.confidence)?;
                x.close("Word")?;
            }
            text_equiv(&mut x, &l.text, None)?;
            x.close("TextLine")?;
        }
        text_equiv(&mut x, &b.text(), None)?;
        x.close("TextRegion")?;
    }
    for f in &s.figures {
        x.open("ImageRegion", &[("id", f.id.clone())])?;
        coords(&mut x, &f.bbox)?;
        x.close("ImageRegion")?;
    }
    for g in &s.separators {
        x.open("SeparatorRegion", &[("id", g.id.clone())])?;
        coords(&mut x, &g.bbox)?;
        x.close("SeparatorRegion")?;
    }
    x.close("Page")?;
    x.close("PcGts")?;
    x.finish()
}
