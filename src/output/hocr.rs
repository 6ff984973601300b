//! hOCR 1.2 writer: one XHTML file for the whole input.
//!
//! Contract: writes the given sheets (see `sheet.rs`) as one XHTML
//! document: an `ocr_page` per sheet (`image`, `bbox`, `ppageno`,
//! `scan_res`), in it one `ocr_carea` per run of blocks of one article
//! (its `id` names the article) or per block no article holds,
//! an `ocr_par` per sheet block (its ID), `ocr_line` with `x_size` (type
//! size in pixels) and `ocrx_word` with `x_wconf` (OCR confidence,
//! 0..100); figures as `ocr_photo`, separators as `ocr_separator`. Boxes
//! are pixels at [`PIXELS_PER_INCH`] (`scan_res` says so). The
//! `ocr-system` and `ocr-capabilities` metas name what is used.

use std::io::{self, Write};

use super::sheet::{Sheet, SheetBlock};
use super::xml::{self, Xml};
use crate::model::{BBox, Document};

/// The resolution boxes are written at.
pub const PIXELS_PER_INCH: f32 = 300.0;

fn px(pt: f32) -> i64 {
    (pt.max(0.0) * PIXELS_PER_INCH / 72.0).round() as i64
}

fn bbox(b: &BBox) -> String {
    format!("bbox {} {} {} {}", px(b.x0), px(b.y0), px(b.x1), px(b.y1))
}

/// The image name as an hOCR `image` property (quoted, no quotes inside).
fn image_property(image: &str) -> String {
    format!("image \"{}\"", image.replace('"', "'"))
}

pub fn write_hocr(w: &mut dyn Write, doc: &Document, sheets: &[Sheet]) -> io::Result<()> {
    let mut x = Xml::new(w)?;
    x.open(
        "html",
        &[("xmlns", "http://www.w3.org/1999/xhtml".to_string())],
    )?;
    x.open("head", &[])?;
    x.text_element("title", &[], &doc.source.path)?;
    x.empty(
        "meta",
        &[
            ("http-equiv", "Content-Type".to_string()),
            ("content", "text/html; charset=utf-8".to_string()),
        ],
    )?;
    x.empty(
        "meta",
        &[
            ("name", "ocr-system".to_string()),
            ("content", format!("{} {}", xml::SOFTWARE, xml::VERSION)),
        ],
    )?;
    x.empty(
        "meta",
        &[
            ("name", "ocr-capabilities".to_string()),
            (
                "content",
                "ocr_page ocr_carea ocr_par ocr_line ocrx_word ocr_photo ocr_separator".to_string(),
            ),
        ],
    )?;
    x.close("head")?;
    x.open("body", &[])?;
    for s in sheets {
        let page_box = BBox {
            x0: 0.0,
            y0: 0.0,
            x1: s.width,
            y1: s.height,
        };
        let image = s.image.clone().unwrap_or_else(|| doc.source.path.clone());
        let ppi = px(72.0);
        x.open(
            "div",
            &[
                ("class", "ocr_page".to_string()),
                ("id", format!("page_{}", s.number)),
                (
                    "title",
                    format!(
                        "{}; {}; ppageno {}; scan_res {ppi} {ppi}",
                        image_property(&image),
                        bbox(&page_box),
                        s.number - 1
                    ),
                ),
            ],
        )?;
        // Runs of consecutive blocks of one article share an ocr_carea.
        let mut runs: Vec<Vec<&SheetBlock>> = Vec::new();
        for b in &s.blocks {
            match runs.last_mut() {
                Some(run) if b.article.is_some() && run[0].article == b.article => run.push(b),
                _ => runs.push(vec![b]),
            }
        }
        for (r, run) in runs.iter().enumerate() {
            let area = BBox::union_all(run.iter().map(|b| &b.bbox)).unwrap_or(page_box);
            let id = match run[0].article.and_then(|i| doc.articles.get(i)) {
                Some(a) => format!("carea_{}_{}", a.id.replace('-', "_"), r + 1),
                None => format!("carea_p{}_{}", s.number, r + 1),
            };
            x.open(
                "div",
                &[
                    ("class", "ocr_carea".to_string()),
                    ("id", id),
                    ("title", bbox(&area)),
                ],
            )?;
            for b in run {
                x.open(
                    "p",
                    &[
                        ("class", "ocr_par".to_string()),
                        ("id", b.id.clone()),
                        ("title", bbox(&b.bbox)),
                    ],
                )?;
                for l in &b.lines {
                    let mut title = bbox(&l.bbox);
                    if let Some(size) = l.font_size.filter(|s| *s > 0.0 && s.is_finite()) {
                        title.push_str(&format!(
                            "; x_size {}",
                            xml::num(size * PIXELS_PER_INCH / 72.0)
                        ));
                    }
                    x.open(
                        "span",
                        &[
                            ("class", "ocr_line".to_string()),
                            ("id", l.id.clone()),
                            ("title", title),
                        ],
                    )?;
                    for word in &l.words {
                        let mut title = bbox(&word.bbox);
                        if let Some(c) = word.confidence {
                            title.push_str(&format!(
                                "; x_wconf {}",
                                (c.clamp(0.0, 1.0) * 100.0).round()
                            ));
                        }
                        x.text_element(
                            "span",
                            &[
                                ("class", "ocrx_word".to_string()),
                                ("id", word.id.clone()),
                                ("title", title),
                            ],
                            &word.text,
                        )?;
                    }
                    x.close("span")?;
                }
                x.close("p")?;
            }
            x.close("div")?;
        }
        for f in &s.figures {
            x.empty(
                "div",
                &[
                    ("class", "ocr_photo".to_string()),
                    ("id", f.id.clone()),
                    ("title", bbox(&f.bbox)),
                ],
            )?;
        }
        for g in &s.separators {
            x.empty(
                "div",
                &[
                    ("class", "ocr_separator".to_string()),
                    ("id", g.id.clone()),
                    ("title", bbox(&g.bbox)),
                ],
            )?;
        }
        x.close("div")?;
    }
    x.close("body")?;
    x.close("html")?;
    x.finish()
}
