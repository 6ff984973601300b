//! Output: documents serialised to any writer.
//!
//! Contract: writers format what they are given; they open no files and
//! recompute nothing. Formats:
//! - `json`: one pretty-printed document per input (the schema's shape);
//! - `jsonl`: one line per article, the article's fields plus `source`;
//! - `text`: reading text (kicker, headline, subtitle, byline, paragraphs,
//!   captions), a blank line between articles.

use std::fs;
use std::io::{self, Write};
use std::path::{Path, PathBuf};

use serde::Serialize;

use crate::model::{Article, BodyKind, Document, Source};

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    Json,
    Jsonl,
    Text,
}

impl Format {
    pub fn extension(self) -> &'static str {
        match self {
            Format::Json => "json",
            Format::Jsonl => "jsonl",
            Format::Text => "txt",
        }
    }
}

/// Writes a document in the given format.
pub fn write_document(w: &mut dyn Write, doc: &Document, format: Format) -> io::Result<()> {
    match format {
        Format::Json => {
            serde_json::to_writer_pretty(&mut *w, doc)?;
            writeln!(w)
        }
        Format::Jsonl => write_jsonl(w, doc),
        Format::Text => write_text(w, doc),
    }
}

/// Writes `doc` to the file `path` through a temporary file and a rename,
/// so that an interrupted run never leaves a half-written output behind:
/// the output either exists whole or not at all. Missing folders are made.
pub fn write_file(path: &Path, doc: &Document, format: Format) -> io::Result<()> {
    if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
        fs::create_dir_all(dir)?;
    }
    if path == Path::new("/dev/null") {
        return write_document(&mut io::sink(), doc, format);
    }
    let tmp = temp_path(path, format);
    {
        let mut w = io::BufWriter::new(fs::File::create(&tmp)?);
        write_document(&mut w, doc, format)?;
        w.flush()?;
    }
    fs::rename(&tmp, path)
}

/// The temporary file `write_file` writes before renaming it to `path`;
/// a batch removes stale ones left by an interrupted run (src/batch.rs).
pub fn temp_path(path: &Path, format: Format) -> PathBuf {
    path.with_extension(format!("{}.part", format.extension()))
}

#[derive(Serialize)]
struct ArticleLine<'a> {
    source: &'a Source,
    #[serde(flatten)]
    article: &'a Article,
}

fn write_jsonl(w: &mut dyn Write, doc: &Document) -> io::Result<()> {
    for article in &doc.articles {
        serde_json::to_writer(
            &mut *w,
            &ArticleLine {
                source: &doc.source,
                article,
            },
        )?;
        writeln!(w)?;
    }
    Ok(())
}

fn write_text(w: &mut dyn Write, doc: &Document) -> io::Result<()> {
    for (i, a) in doc.articles.iter().enumerate() {
        if i > 0 {
            writeln!(w)?;
        }
        for line in [&a.kicker, &a.headline, &a.subheadline]
            .into_iter()
            .flatten()
        {
            writeln!(w, "{line}")?;
        }
        if let Some(b) = &a.byline {
            writeln!(w, "{}", b.raw)?;
        }
        if let Some(d) = &a.dateline {
            writeln!(w, "[{d}]")?;
        }
        for item in &a.body {
            match item.kind {
                BodyKind::Subheading => writeln!(w, "\n{}\n", item.text)?,
                BodyKind::Paragraph => writeln!(w, "{}", item.text)?,
            }
        }
        if let Some(t) = &a.source_tag {
            writeln!(w, "{t}")?;
        }
        for j in &a.jumps {
            let arrow = match j.direction {
                crate::model::JumpDirection::To => "continued on page",
                crate::model::JumpDirection::From => "continued from page",
            };
            writeln!(w, "[{arrow} {}]", j.page)?;
        }
        for c in &a.captions {
            match &c.credit {
                Some(credit) => writeln!(w, "[{}] ({credit})", c.text)?,
                None => writeln!(w, "[{}]", c.text)?,
            }
        }
    }
    Ok(())
}
