//! Runs the stages in order for one input and collects warnings.
//!
//! No filesystem here: the caller passes bytes and a display path, and
//! gets a [`Document`] (or an [`Error`] naming the path).

use crate::error::{Error, ErrorKind, Result};
use crate::extract::pdf::PdfDocument;
use crate::extract::{self, decode};
use crate::layout;
use crate::layout::geometry::{self, GeoPage};
use crate::model::{Document, Page, Source, Warning};
use crate::reflow::{self, Vocabulary};
use crate::split;

/// Options for one run; one section per stage as stages gain options.
#[derive(Debug, Clone, Default)]
pub struct Options {
    /// Decode dumps with this encoding instead of detecting it.
    pub encoding: Option<&'static encoding_rs::Encoding>,
}

/// Processes a text dump given as bytes.
pub fn process_dump_bytes(bytes: &[u8], path: &str, options: &Options) -> Result<Document> {
    let decoded = decode::decode(bytes, options.encoding).map_err(|e| e.with_path(path))?;
    let mut doc = process_dump_text(&decoded.text, path)?;
    doc.source.encoding = Some(decoded.encoding.to_string());
    let mut warnings = decoded.warnings;
    warnings.append(&mut doc.warnings);
    doc.warnings = warnings;
    Ok(doc)
}

/// The first two stages of a dump: pages whose lines carry roles.
pub fn dump_layout(text: &str) -> Vec<Page> {
    let mut pages = extract::dump::pages_from_text(text);
    for page in pages.iter_mut() {
        layout::dump::assign_roles(page);
    }
    pages
}

/// Processes an already decoded dump: extract, layout, reflow, split.
///
/// Pages are processed one at a time (on the current rayon pool, so a
/// caller with several threads gets the pages of one large dump in
/// parallel), so memory holds the input and the articles, not every page's
/// lines at once. Hyphenation evidence is gathered over the whole dump first.
pub fn process_dump_text(text: &str, path: &str) -> Result<Document> {
    use rayon::prelude::*;
    if text
        .trim_matches(|c: char| c.is_whitespace() || c == '\u{feff}')
        .is_empty()
    {
        return Err(Error::new(ErrorKind::Empty, "the dump holds no text").with_path(path));
    }
    let vocab = Vocabulary::from_lines(text.split('\n'));
    let pages: Vec<(u32, usize, &str)> = extract::dump::page_texts(text).collect();
    let found: Vec<split::PageArticles> = pages
        .par_iter()
        .with_max_len(1)
        .map(|&(number, first_line, page_text)| {
            let mut page = extract::dump::page_from_text(page_text, number, first_line);
            layout::dump::assign_roles(&mut page);
            let segments = reflow::reflow_page(&page, &vocab);
            split::split_page(page.number, segments)
        })
        .collect();
    let mut doc = Document {
        source: Source {
            path: path.to_string(),
            format: "dump".to_string(),
            encoding: Some("UTF-8".to_string()),
        },
        articles: Vec::new(),
        furniture: Vec::new(),
        warnings: Vec::new(),
    };
    for mut f in found {
        doc.articles.append(&mut f.articles);
        doc.furniture.append(&mut f.furniture);
    }
    if doc.articles.is_empty() {
        doc.warnings.push(Warning::new(
            "no-articles",
            "no article text was found in the input",
        ));
    }
    Ok(doc)
}

/// Does the input look like a PDF? (`%PDF-` near the start, as readers
/// accept some junk before the header.)
pub fn is_pdf(bytes: &[u8]) -> bool {
    bytes.len() >= 5
        && bytes[..bytes.len().min(1024)]
            .windows(5)
            .any(|w| w == b"%PDF-")
}

/// Processes any supported input: PDF by its header, a text dump otherwise.
pub fn process_bytes(bytes: &[u8], path: &str, options: &Options) -> Result<Document> {
    if is_pdf(bytes) {
        process_pdf_bytes(bytes, path, options)
    } else {
        process_dump_bytes(bytes, path, options)
    }
}

/// Processes a born-digital PDF page by page (memory stays bounded by the
/// largest page): glyphs, geometric layout, reflow, split.
///
/// Pages without a text layer (scans) are reported; a file with no text
/// layer at all is an `Unsupported` error until the OCR path exists.
/// Hyphenation evidence is gathered per page, since pages are not kept.
pub fn process_pdf_bytes(bytes: &[u8], path: &str, _options: &Options) -> Result<Document> {
    let pdf = PdfDocument::open(bytes).map_err(|e| e.with_path(path))?;
    let mut doc = Document {
        source: Source {
            path: path.to_string(),
            format: "pdf".to_string(),
            encoding: None,
        },
        articles: Vec::new(),
        furniture: Vec::new(),
        warnings: pdf.warnings().to_vec(),
    };
    let mut without_text = Vec::new();
    for number in 1..=pdf.page_count() as u32 {
        let page = match pdf.page(number) {
            Ok(p) => p,
            Err(e) => {
                let mut w = Warning::new("page-failed", e.to_string());
                w.page = Some(number);
                doc.warnings.push(w);
                continue;
            }
        };
        doc.warnings.extend(page.warnings.iter().cloned());
        if !page.has_text() {
            without_text.push(number);
            continue;
        }
        let invisible = page.invisible_share() > 0.5;
        let mut page = page;
        let all = std::mem::take(&mut page.glyphs);
        let glyphs: Vec<crate::model::Glyph> = if invisible {
            let mut w = Warning::new(
                "invisible-text-layer",
                "the page's text is an invisible OCR layer over a scan; it is used as it is (its quality is the OCR's)",
            );
            w.page = Some(number);
            doc.warnings.push(w);
            all
        } else {
            all.into_iter().filter(|g| !g.invisible).collect()
        };
        let laid = lay_out_pdf_page(&page, &glyphs);
        let vocab = Vocabulary::from_pages(std::slice::from_ref(&laid));
        let segments = reflow::reflow_page(&laid, &vocab);
        let mut found = split::split_page(number, segments);
        doc.articles.append(&mut found.articles);
        doc.furniture.append(&mut found.furniture);
    }
    if !without_text.is_empty() {
        if without_text.len() == pdf.page_count() {
            return Err(Error::new(
                ErrorKind::Unsupported,
                "the PDF has no text layer (its pages are scanned images); OCR is needed",
            )
            .with_path(path)
            .with_hint("OCR of scanned pages arrives with the OCR input path; until then, run the file through OCR (e.g. ocrmypdf) first"));
        }
        let list: Vec<String> = without_text.iter().map(u32::to_string).collect();
        doc.warnings.push(Warning::new(
            "no-text-layer",
            format!(
                "pages without a text layer (scans, skipped until OCR is available): {}",
                list.join(", ")
            ),
        ));
    }
    Ok(doc)
}

fn lay_out_pdf_page(page: &crate::extract::pdf::PdfPage, glyphs: &[crate::model::Glyph]) -> Page {
    let images: Vec<crate::model::BBox> = page.images.iter().map(|i| i.bbox).collect();
    geometry::layout_page(&GeoPage {
        number: page.number,
        width: page.width,
        height: page.height,
        glyphs,
        rules: &page.rules,
        images: &images,
    })
}

/// The laid-out pages of a PDF (visible text only), for inspecting layout
/// (`newsclip lines`). Pages that fail to read are skipped.
pub fn pdf_layout(bytes: &[u8]) -> Result<Vec<Page>> {
    let pdf = PdfDocument::open(bytes)?;
    let mut pages = Vec::new();
    for number in 1..=pdf.page_count() as u32 {
        if let Ok(mut page) = pdf.page(number) {
            let visible: Vec<crate::model::Glyph> = std::mem::take(&mut page.glyphs)
                .into_iter()
                .filter(|g| !g.invisible)
                .collect();
            pages.push(lay_out_pdf_page(&page, &visible));
        }
    }
    Ok(pages)
}
