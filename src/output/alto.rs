//! ALTO 4 (schema 4.2) writer.
//!
//! Contract: writes the given sheets (see `sheet.rs`) as one ALTO file, one
//! `Page` per sheet (`--format alto` writes every page of the input into
//! one file, as ALTO's `Layout` allows; the METS writer calls this with one
//! sheet per file). Coordinates are in `mm10` (tenths of a millimetre), an
//! exact unit for our points whatever the scan's resolution; `FONTSIZE` is
//! in points as ALTO defines it. Per page: `PrintSpace` with a `TextBlock`
//! per sheet block (IDs from the sheet, so a METS can point at them),
//! `TextLine`s with `STYLEREFS` to their type size, `String`s with `WC`
//! (OCR confidence, 0..1) and `SP` between them, `Illustration` per figure
//! and `GraphicalElement` per separator. `sourceImageInformation/fileName`
//! names the page's image (else the input).

use std::collections::BTreeMap;
use std::io::{self, Write};

use super::sheet::Sheet;
use super::xml::{self, num, Xml};
use crate::model::BBox;

pub const NAMESPACE: &str = "http://www.loc.gov/standards/alto/ns-v4#";
const SCHEMA_LOCATION: &str =
    "http://www.loc.gov/standards/alto/ns-v4# http://www.loc.gov/standards/alto/v4/alto-4-2.xsd";

/// Points to mm10.
fn mm10(pt: f32) -> String {
    num((pt * 254.0 / 72.0).round())
}

fn position(b: &BBox) -> [(&'static str, String); 4] {
    [
        ("HPOS", mm10(b.x0)),
        ("VPOS", mm10(b.y0)),
        ("WIDTH", mm10(b.width().max(0.0))),
        ("HEIGHT", mm10(b.height().max(0.0))),
    ]
}

/// A type size's style ID (`TS10.5`).
fn style_id(size: f32) -> String {
    format!("TS{}", num((size * 10.0).round() / 10.0))
}

/// Writes `sheets` as one ALTO file; `source` names the input when a page
/// has no image of its own.
pub fn write_alto(w: &mut dyn Write, sheets: &[Sheet], source: &str) -> io::Result<()> {
    let mut x = Xml::new(w)?;
    x.open(
        "alto",
        &[
            ("xmlns", NAMESPACE.to_string()),
            (
                "xmlns:xsi",
                "http://www.w3.org/2001/XMLSchema-instance".to_string(),
            ),
            ("xsi:schemaLocation", SCHEMA_LOCATION.to_string()),
            ("SCHEMAVERSION", "4.2".to_string()),
        ],
    )?;
    x.open("Description", &[])?;
    x.text_element("MeasurementUnit", &[], "mm10")?;
    let image = sheets
        .iter()
        .find_map(|s| s.image.clone())
        .unwrap_or_else(|| source.to_string());
    x.open("sourceImageInformation", &[])?;
    x.text_element("fileName", &[], &image)?;
    x.close("sourceImageInformation")?;
    x.open("Processing", &[("ID", "PROC1".to_string())])?;
    x.text_element("processingDateTime", &[], &xml::utc_now())?;
    let synthetic = sheets.iter().any(|s| s.synthetic);
    let description = if synthetic {
        "layout analysis and article segmentation of a text dump; coordinates are a synthetic grid (no geometry in the input)"
    } else {
        "layout analysis and article segmentation"
    };
    x.text_element("processingStepDescription", &[], description)?;
    x.open("processingSoftware", &[])?;
    x.text_element("softwareName", &[], xml::SOFTWARE)?;
    x.text_element("softwareVersion", &[], xml::VERSION)?;
    x.close("processingSoftware")?;
    x.close("Processing")?;
    x.close("Description")?;

    let sizes: BTreeMap<String, f32> = sheets
        .iter()
        .flat_map(|s| s.blocks.iter())
        .flat_map(|b| b.lines.iter())
        .filter_map(|l| l.font_size.filter(|s| *s > 0.0 && s.is_finite()))
        .map(|s| (style_id(s), (s * 10.0).round() / 10.0))
        .collect();
    if !sizes.is_empty() {
        x.open("Styles", &[])?;
        for (id, size) in &sizes {
            x.empty("TextStyle", &[("ID", id.clone()), ("FONTSIZE", num(*size))])?;
        }
        x.close("Styles")?;
    }

    x.open("Layout", &[])?;
    for s in sheets {
        x.open(
            "Page",
            &[
                ("ID", format!("P{}", s.number)),
                ("PHYSICAL_IMG_NR", s.number.to_string()),
                ("WIDTH", mm10(s.width)),
                ("HEIGHT", mm10(s.height)),
            ],
        )?;
        let page_box = BBox {
            x0: 0.0,
            y0: 0.0,
            x1: s.width,
            y1: s.height,
        };
        x.open("PrintSpace", &position(&page_box))?;
        for b in &s.blocks {
            let mut attrs = vec![("ID", b.id.clone())];
            attrs.extend(position(&b.bbox));
            x.open("TextBlock", &attrs)?;
            for l in &b.lines {
                if l.words.is_empty() {
                    continue;
                }
                let mut attrs = vec![("ID", l.id.clone())];
                attrs.extend(position(&l.bbox));
                if let Some(size) = l.font_size.filter(|s| *s > 0.0 && s.is_finite()) {
                    attrs.push(("STYLEREFS", style_id(size)));
                }
                x.open("TextLine", &attrs)?;
                for (i, word) in l.words.iter().enumerate() {
                    if i > 0 {
                        x.empty("SP", &[])?;
                    }
                    let mut attrs = vec![("ID", word.id.clone()), ("CONTENT", word.text.clone())];
                    attrs.extend(position(&word.bbox));
                    if let Some(c) = word.confidence {
                        attrs.push(("WC", num(c.clamp(0.0, 1.0))));
                    }
                    x.empty("String", &attrs)?;
                }
                x.close("TextLine")?;
            }
            x.close("TextBlock")?;
        }
        for f in &s.figures {
            let mut attrs = vec![("ID", f.id.clone())];
            attrs.extend(position(&f.bbox));
            x.empty("Illustration", &attrs)?;
        }
        for g in &s.separators {
            let mut attrs = vec![("ID", g.id.clone())];
            attrs.extend(position(&g.bbox));
            x.empty("GraphicalElement", &attrs)?;
        }
        x.close("PrintSpace")?;
        x.close("Page")?;
    }
    x.close("Layout")?;
    x.close("alto")?;
    x.finish()
}
