//! Runs the stages in order for one input and collects warnings.
//!
//! No filesystem here: the caller passes bytes and a display path, and
//! gets a [`Document`] (or an [`Error`] naming the path).

use crate::error::{Error, ErrorKind, Result};
use crate::extract::{self, decode};
use crate::layout;
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
pub fn process_dump_text(text: &str, path: &str) -> Result<Document> {
    let pages = dump_layout(text);
    if pages.iter().all(|p| p.blocks.is_empty()) {
        return Err(Error::new(ErrorKind::Empty, "the dump holds no text").with_path(path));
    }
    let vocab = Vocabulary::from_pages(&pages);
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
    for page in &pages {
        let segments = reflow::reflow_page(page, &vocab);
        let mut found = split::split_page(page.number, segments);
        doc.articles.append(&mut found.articles);
        doc.furniture.append(&mut found.furniture);
    }
    if doc.articles.is_empty() {
        doc.warnings.push(Warning::new(
            "no-articles",
            "no article text was found in the input",
        ));
    }
    Ok(doc)
}
