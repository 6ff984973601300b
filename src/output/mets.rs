//! METS 1.12 writer: the structure over its per-page ALTO files.
//!
//! Contract: given the document, its sheets and the href of each sheet's
//! ALTO file (written by the caller, see `mod.rs`), writes one METS with:
//! - `fileSec`: a `FULLTEXT` group with one ALTO file per page
//!   (`ALTO00001`...), and an `IMAGE` group with the page's image where the
//!   document names one (`IMG00001`...);
//! - a `PHYSICAL` structure map: one `page` div per page, pointing at its
//!   ALTO and image files;
//! - a `LOGICAL` structure map: under the issue, one div per article in
//!   reading order, `TYPE="ARTICLE"` (`ADVERTISEMENT` for advertisements),
//!   `LABEL` its headline, with the parts the Luxemburger Zeitung's vendor
//!   METS uses: `HEADING` holding `OVERLINE`, `TITLE`, `SUBHEADLINE`;
//!   `BODY`/`BODY_CONTENT` holding `PARAGRAPH`/`TEXT`, `SUBHEADING` and
//!   `AUTHOR` parts in reading order; `CAPTION`. Each part points at its
//!   ALTO blocks with `fptr/area FILEID=... BEGIN=blockID BETYPE="IDREF"`
//!   (in a `seq` when several). Dumps have no layout regions, so their
//!   articles are listed with their label and no areas.

use std::io::{self, Write};

use super::sheet::{Part, Sheet, SheetBlock};
use super::xml::{self, Xml};
use crate::model::{ArticleKind, Document};

const SCHEMA_LOCATION: &str =
    "http://www.loc.gov/METS/ http://www.loc.gov/standards/mets/version112/mets.xsd";

fn alto_id(page: u32) -> String {
    format!("ALTO{page:05}")
}

/// A MIME type for an image reference, by its extension.
fn mimetype(href: &str) -> Option<&'static str> {
    let ext = href.rsplit('.').next()?.to_ascii_lowercase();
    Some(match ext.as_str() {
        "png" => "image/png",
        "jpg" | "jpeg" => "image/jpeg",
        "tif" | "tiff" => "image/tiff",
        "jp2" => "image/jp2",
        "pdf" => "application/pdf",
        _ => return None,
    })
}

/// Writes the METS; `alto_hrefs[i]` is where `sheets[i]`'s ALTO file is,
/// relative to the METS, and `image_href` turns a page's image reference
/// into an href.
pub fn write_mets(
    w: &mut dyn Write,
    doc: &Document,
    sheets: &[Sheet],
    alto_hrefs: &[String],
    image_href: &dyn Fn(&str) -> String,
) -> io::Result<()> {
    let mut x = Xml::new(w)?;
    x.open(
        "mets",
        &[
            ("xmlns", "http://www.loc.gov/METS/".to_string()),
            ("xmlns:xlink", "http://www.w3.org/1999/xlink".to_string()),
            (
                "xmlns:xsi",
                "http://www.w3.org/2001/XMLSchema-instance".to_string(),
            ),
            ("xsi:schemaLocation", SCHEMA_LOCATION.to_string()),
            ("LABEL", doc.source.path.clone()),
            ("TYPE", "Newspaper".to_string()),
        ],
    )?;
    x.open("metsHdr", &[("CREATEDATE", xml::utc_now())])?;
    x.open(
        "agent",
        &[
            ("ROLE", "CREATOR".to_string()),
            ("TYPE", "OTHER".to_string()),
            ("OTHERTYPE", "SOFTWARE".to_string()),
        ],
    )?;
    x.text_element("name", &[], &format!("{} {}", xml::SOFTWARE, xml::VERSION))?;
    x.close("agent")?;
    x.close("metsHdr")?;

    x.open("fileSec", &[])?;
    x.open(
        "fileGrp",
        &[
            ("ID", "ALTOGRP".to_string()),
            ("USE", "FULLTEXT".to_string()),
        ],
    )?;
    for (s, href) in sheets.iter().zip(alto_hrefs) {
        x.open(
            "file",
            &[
                ("ID", alto_id(s.number)),
                ("MIMETYPE", "text/xml".to_string()),
                ("SEQ", s.number.to_string()),
            ],
        )?;
        x.empty(
            "FLocat",
            &[("LOCTYPE", "URL".to_string()), ("xlink:href", href.clone())],
        )?;
        x.close("file")?;
    }
    x.close("fileGrp")?;
    if sheets.iter().any(|s| s.image.is_some()) {
        x.open(
            "fileGrp",
            &[("ID", "IMGGRP".to_string()), ("USE", "IMAGE".to_string())],
        )?;
        for s in sheets {
            let Some(image) = &s.image else { continue };
            let mut attrs = vec![("ID", format!("IMG{:05}", s.number))];
            if let Some(m) = mimetype(image) {
                attrs.push(("MIMETYPE", m.to_string()));
            }
            attrs.push(("SEQ", s.number.to_string()));
            x.open("file", &attrs)?;
            x.empty(
                "FLocat",
                &[
                    ("LOCTYPE", "URL".to_string()),
                    ("xlink:href", image_href(image)),
                ],
            )?;
            x.close("file")?;
        }
        x.close("fileGrp")?;
    }
    x.close("fileSec")?;

    x.open(
        "structMap",
        &[
            ("ID", "PHYSICAL".to_string()),
            ("TYPE", "PHYSICAL".to_string()),
        ],
    )?;
    x.open(
        "div",
        &[
            ("ID", "PHYS_0000".to_string()),
            ("TYPE", "physSequence".to_string()),
        ],
    )?;
    for s in sheets {
        x.open(
            "div",
            &[
                ("ID", format!("PHYS_{:04}", s.number)),
                ("ORDER", s.number.to_string()),
                ("ORDERLABEL", s.number.to_string()),
                ("TYPE", "page".to_string()),
            ],
        )?;
        if s.image.is_some() {
            x.empty("fptr", &[("FILEID", format!("IMG{:05}", s.number))])?;
        }
        x.empty("fptr", &[("FILEID", alto_id(s.number))])?;
        x.close("div")?;
    }
    x.close("div")?;
    x.close("structMap")?;

    x.open(
        "structMap",
        &[
            ("ID", "LOGICAL".to_string()),
            ("TYPE", "LOGICAL".to_string()),
        ],
    )?;
    x.open(
        "div",
        &[
            ("ID", "LOG_0000".to_string()),
            ("TYPE", "ISSUE".to_string()),
            ("LABEL", doc.source.path.clone()),
        ],
    )?;
    let mut ids = 0usize;
    let mut next_id = |prefix: &str| {
        ids += 1;
        format!("{prefix}_{ids:05}")
    };
    for (i, a) in doc.articles.iter().enumerate() {
        let blocks: Vec<(u32, &SheetBlock)> = sheets
            .iter()
            .flat_map(|s| s.blocks.iter().map(move |b| (s.number, b)))
            .filter(|(_, b)| b.article == Some(i))
            .collect();
        let kind = if a.kind == ArticleKind::Advertisement {
            "ADVERTISEMENT"
        } else {
            "ARTICLE"
        };
        let mut attrs = vec![
            ("ID", format!("LOG_{}", a.id.replace('-', "_"))),
            ("ORDER", (i + 1).to_string()),
            ("TYPE", kind.to_string()),
        ];
        if let Some(h) = &a.headline {
            attrs.push(("LABEL", h.clone()));
        }
        x.open("div", &attrs)?;
        let of = |part: Part| -> Vec<(u32, &SheetBlock)> {
            blocks
                .iter()
                .filter(|(_, b)| b.part == part)
                .copied()
                .collect()
        };
        let heading: Vec<(Part, &str)> = [
            (Part::Overline, "OVERLINE"),
            (Part::Title, "TITLE"),
            (Part::Subheadline, "SUBHEADLINE"),
        ]
        .into_iter()
        .filter(|(p, _)| !of(*p).is_empty())
        .collect();
        if !heading.is_empty() {
            x.open("div", &[("ID", next_id("LOG")), ("TYPE", "HEADING".into())])?;
            for (part, name) in heading {
                part_div(&mut x, &next_id("LOG"), name, &of(part))?;
            }
            x.close("div")?;
        }
        let body: Vec<(u32, &SheetBlock)> = blocks
            .iter()
            .filter(|(_, b)| matches!(b.part, Part::Body | Part::Subheading | Part::Author))
            .copied()
            .collect();
        if !body.is_empty() {
            x.open("div", &[("ID", next_id("LOG")), ("TYPE", "BODY".into())])?;
            x.open(
                "div",
                &[("ID", next_id("LOG")), ("TYPE", "BODY_CONTENT".into())],
            )?;
            for (order, block) in body.iter().enumerate() {
                let order = (order + 1).to_string();
                match block.1.part {
                    Part::Body => {
                        x.open(
                            "div",
                            &[
                                ("ID", next_id("LOG")),
                                ("ORDER", order),
                                ("TYPE", "PARAGRAPH".into()),
                            ],
                        )?;
                        part_div(&mut x, &next_id("LOG"), "TEXT", &[*block])?;
                        x.close("div")?;
                    }
                    Part::Subheading => part_div(&mut x, &next_id("LOG"), "SUBHEADING", &[*block])?,
                    _ => part_div(&mut x, &next_id("LOG"), "AUTHOR", &[*block])?,
                }
            }
            x.close("div")?;
            x.close("div")?;
        }
        let captions = of(Part::Caption);
        if !captions.is_empty() {
            part_div(&mut x, &next_id("LOG"), "CAPTION", &captions)?;
        }
        x.close("div")?;
    }
    x.close("div")?;
    x.close("structMap")?;
    x.close("mets")?;
    x.finish()
}

/// `<div TYPE=...><fptr>` with one `area` per block (in a `seq` when
/// there are several).
fn part_div(
    x: &mut Xml,
    id: &str,
    div_type: &str,
    blocks: &[(u32, &SheetBlock)],
) -> io::Result<()> {
    x.open(
        "div",
        &[("ID", id.to_string()), ("TYPE", div_type.to_string())],
    )?;
    x.open("fptr", &[])?;
    let several = blocks.len() > 1;
    if several {
        x.open("seq", &[])?;
    }
    for (page, b) in blocks {
        x.empty(
            "area",
            &[
                ("FILEID", alto_id(*page)),
                ("BEGIN", b.id.clone()),
                ("BETYPE", "IDREF".to_string()),
            ],
        )?;
    }
    if several {
        x.close("seq")?;
    }
    x.close("fptr")?;
    x.close("div")
}
