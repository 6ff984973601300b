//! Gold articles from a METS issue (`newsclip eval --gold-mets METS PRED`).
//!
//! # Contract
//!
//! Input: a METS file (bytes and path; its ALTO files are read relative to
//! it). Output: a gold [`Document`] with one [`Article`] per METS `ARTICLE`
//! div, in METS order:
//! - `headline`: the text of its `TITLE` (or untyped `HEADING`) blocks,
//!   joined by a space; `kicker` and `subheadline` from `OVERLINE` and
//!   `SUBHEADLINE` blocks (separate fields, as the model has them);
//! - `body`: one paragraph per body part (a `PARAGRAPH`/`TEXT` div, or any
//!   other non-heading div such as a `TABLE`), its blocks joined by a space;
//!   a `SUBHEADING` (or `INTERTITLE`) div is a sub-heading there;
//! - `byline` from `AUTHOR` blocks, `captions` from `CAPTION` blocks;
//! - `page`: the physical page of its first block.
//!
//! `ADVERTISEMENT` divs are not articles. Block texts come from the same
//! ALTO reader as the pipeline, with a hyphenated word's two parts replaced
//! by its `SUBS_CONTENT` (gold is the article's text, not the print's line
//! breaks). The OCR text itself is uncorrected, so gold measures article
//! segmentation and reading order, not OCR accuracy. A METS area whose ALTO
//! file or block is missing is listed in [`MetsGold::missing`] and as a
//! warning; the rest goes on.

use std::collections::HashMap;
use std::path::Path;

use crate::error::Result;
use crate::extract::alto::{AltoPage, AltoWord, HyphenPart};
use crate::extract::mets::{self, Mets, PartKind};
use crate::model::{Article, BodyItem, Byline, Caption, Document, Source, Warning};

/// A gold document and what could not be found for it.
#[derive(Debug, Clone)]
pub struct MetsGold {
    pub document: Document,
    pub mets: Mets,
    /// ALTO pages read, of the METS's pages.
    pub pages_read: usize,
    /// Areas (`FILEID#BEGIN`) of articles whose block was not found.
    pub missing: Vec<String>,
}

/// Builds the gold document of a METS issue.
pub fn gold_from_mets(bytes: &[u8], path: &str) -> Result<MetsGold> {
    let base = Path::new(path)
        .parent()
        .map(Path::to_path_buf)
        .unwrap_or_default();
    let mets = mets::read_mets(bytes, path, &base)?;
    let mut warnings = Vec::new();
    // The ALTO pages the articles point at, by file ID.
    let mut altos: HashMap<String, AltoPage> = HashMap::new();
    for page in &mets.pages {
        match mets::read_page_alto(&mets, page) {
            Ok(alto) => {
                if let Some(id) = &page.alto_file {
                    altos.insert(id.clone(), alto);
                }
            }
            Err(e) => {
                let mut w = Warning::new("page-failed", e.to_string());
                w.page = Some(page.number);
                warnings.push(w);
            }
        }
    }
    let pages_read = altos.len();
    let mut missing = Vec::new();
    let mut articles = Vec::new();
    let mut per_page: HashMap<u32, usize> = HashMap::new();
    for logical in mets.articles.iter().filter(|a| !a.is_advertisement()) {
        let mut page = None;
        let mut title = Vec::new();
        let mut kicker = Vec::new();
        let mut subheadline = Vec::new();
        let mut author = Vec::new();
        let mut body = Vec::new();
        let mut captions = Vec::new();
        for part in &logical.parts {
            let mut words: Vec<&AltoWord> = Vec::new();
            for area in &part.areas {
                let label = format!("{}#{}", area.file_id, area.begin.as_deref().unwrap_or(""));
                let Some(alto) = altos.get(&area.file_id) else {
                    // Its page failed, which is already a warning.
                    missing.push(label);
                    continue;
                };
                let found = match &area.begin {
                    Some(id) => alto.words_of_block(id),
                    None => Some(alto.words.iter().collect()),
                };
                match found {
                    Some(w) => {
                        page = page.or_else(|| mets.page_of_file(&area.file_id));
                        words.extend(w);
                    }
                    None => {
                        warnings.push(Warning::new(
                            "mets-block-missing",
                            format!("{path}: the METS area {label} is not in its ALTO file"),
                        ));
                        missing.push(label);
                    }
                }
            }
            let text = text_of_words(&words);
            if text.is_empty() {
                continue;
            }
            match part.kind {
                PartKind::Title => title.push(text),
                PartKind::Overline => kicker.push(text),
                PartKind::Subheadline => subheadline.push(text),
                PartKind::Author => author.push(text),
                PartKind::Caption => captions.push(Caption { text, credit: None }),
                PartKind::Body => body.push(BodyItem::paragraph(text)),
                PartKind::Subheading => body.push(BodyItem::subheading(text)),
            }
        }
        let page = page.unwrap_or(1);
        let n = per_page.entry(page).or_insert(0);
        *n += 1;
        let joined = |v: Vec<String>| (!v.is_empty()).then(|| v.join(" "));
        articles.push(Article {
            kicker: joined(kicker),
            headline: joined(title),
            subheadline: joined(subheadline),
            dateline: None,
            byline: joined(author).map(|raw| Byline {
                authors: vec![raw.clone()],
                raw,
                ..Byline::default()
            }),
            body,
            captions,
            ..Article::new(page, *n)
        });
    }
    Ok(MetsGold {
        document: Document {
            source: Source {
                path: path.to_string(),
                format: "mets".to_string(),
                encoding: None,
            },
            articles,
            warnings,
            ..Document::new(Source {
                path: String::new(),
                format: String::new(),
                encoding: None,
            })
        },
        mets,
        pages_read,
        missing,
    })
}

/// The text of words in order, joined by spaces, with each hyphenated word
/// written whole (`SUBS_CONTENT`, else its parts joined without the
/// hyphen).
pub fn text_of_words(words: &[&AltoWord]) -> String {
    let mut out = String::new();
    // After a first part: whether it was written whole (`SUBS_CONTENT`).
    let mut after_first_part: Option<bool> = None;
    for w in words {
        let piece: &str = match w.hyphen {
            Some(HyphenPart::First) => {
                after_first_part = Some(w.subs_content.is_some());
                match &w.subs_content {
                    Some(whole) => whole,
                    None => {
                        // Parts joined: no space before the second part.
                        if !out.is_empty() {
                            out.push(' ');
                        }
                        out.push_str(w.text.trim_end_matches(['-', '\u{ad}', '¬', '⸗', '=']));
                        continue;
                    }
                }
            }
            Some(HyphenPart::Second) if after_first_part.is_some() => {
                if after_first_part == Some(false) {
                    out.push_str(&w.text);
                }
                after_first_part = None;
                continue;
            }
            _ => {
                after_first_part = None;
                &w.text
            }
        };
        if !out.is_empty() {
            out.push(' ');
        }
        out.push_str(piece);
    }
    out
}
