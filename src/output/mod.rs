//! Output: documents serialised to any writer, or written to files.
//!
//! Contract: writers format what they are given; they open no files and
//! recompute nothing ([`write_file`] is the one place that opens files).
//! Formats:
//! - `json`: one document per input (the schema's shape), compact: one
//!   line, no indentation (a file or a pipe is read by programs, and the
//!   indentation of a large document costs as much as its text); the CLI
//!   asks for [`Format::JsonPretty`] on a terminal or with `--pretty`;
//! - `jsonl`: typed records, one per line, each with the input's `source`:
//!   a `document` record first (`pages`), then `article` records (the
//!   article's fields), `furniture` and `warning` records, so that nothing
//!   of the document is lost in the stream;
//! - `text`: reading text (kicker, headline, subtitle, byline, paragraphs,
//!   captions), a blank line between articles;
//! - archive formats, from the laid-out pages the pipeline kept
//!   ([`Format::needs_layout`]; `sheet.rs` gives every writer the same
//!   blocks and IDs): `alto` (ALTO 4.2, one file, a `Page` per page),
//!   `hocr` (one XHTML file), `mets` (METS 1.12 plus one ALTO file per page
//!   beside it) and `page` (PAGE-XML 2019, one file per page, in a folder).
//!   `mets` and `page` write several files, so only to a path
//!   ([`Format::needs_path`]).

pub mod alto;
pub mod hocr;
pub mod mets;
pub mod page_xml;
pub mod sheet;
mod xml;

use std::fs;
use std::io::{self, Write};
use std::path::{Path, PathBuf};

use serde::Serialize;

use crate::model::{BodyKind, Document, PageInfo, Source};

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    Json,
    /// `json` indented for people: what the CLI writes to a terminal or
    /// with `--pretty` (not a `--format` value of its own).
    #[value(skip)]
    JsonPretty,
    Jsonl,
    Text,
    /// ALTO 4.2: one file, one `Page` per page.
    Alto,
    /// METS 1.12 with one ALTO file per page in the folder `NAME.alto/`.
    Mets,
    /// PAGE-XML 2019: the folder `NAME.page/`, one file per page.
    Page,
    /// hOCR (XHTML): one file.
    Hocr,
}

impl Format {
    /// The output's extension: a file's, or for `page` the folder's.
    pub fn extension(self) -> &'static str {
        match self {
            Format::Json | Format::JsonPretty => "json",
            Format::Jsonl => "jsonl",
            Format::Text => "txt",
            Format::Alto => "alto.xml",
            Format::Mets => "mets.xml",
            Format::Page => "page",
            Format::Hocr => "hocr",
        }
    }

    /// The same format indented for people: [`Format::JsonPretty`] for
    /// `json`; other formats have one layout.
    pub fn pretty(self) -> Format {
        match self {
            Format::Json => Format::JsonPretty,
            other => other,
        }
    }

    /// Whether the writer needs the laid-out pages
    /// ([`Document::layout`]), which the pipeline then keeps.
    pub fn needs_layout(self) -> bool {
        matches!(
            self,
            Format::Alto | Format::Mets | Format::Page | Format::Hocr
        )
    }

    /// Whether the format writes several files, and so needs an output
    /// path (`-o`) rather than standard output.
    pub fn needs_path(self) -> bool {
        matches!(self, Format::Mets | Format::Page)
    }
}

fn needs_path_error(format: Format) -> io::Error {
    io::Error::new(
        io::ErrorKind::Unsupported,
        format!(
            "--format {} writes several files: give an output path with -o",
            format.extension()
        ),
    )
}

fn needs_layout_error() -> io::Error {
    io::Error::new(
        io::ErrorKind::InvalidInput,
        "the archive formats need the laid-out pages: run the pipeline with keep_layout",
    )
}

/// Writes a document in the given format (the single-file formats; `mets`
/// and `page` need [`write_file`]).
pub fn write_document(w: &mut dyn Write, doc: &Document, format: Format) -> io::Result<()> {
    if format.needs_layout() && doc.layout.is_empty() && !doc.pages.is_empty() {
        return Err(needs_layout_error());
    }
    match format {
        Format::Json => {
            serde_json::to_writer(&mut *w, doc)?;
            writeln!(w)
        }
        Format::JsonPretty => {
            serde_json::to_writer_pretty(&mut *w, doc)?;
            writeln!(w)
        }
        Format::Jsonl => write_jsonl(w, doc),
        Format::Text => write_text(w, doc),
        Format::Alto => alto::write_alto(w, &sheet::sheets(doc), &doc.source.path),
        Format::Hocr => hocr::write_hocr(w, doc, &sheet::sheets(doc)),
        Format::Mets | Format::Page => Err(needs_path_error(format)),
    }
}

/// Writes `doc` to the file `path` through a temporary file and a rename,
/// so that an interrupted run never leaves a half-written output behind:
/// the output either exists whole or not at all. Missing folders are made.
///
/// The multi-file formats write their companions here too:
/// - `mets`: the ALTO files first, in the folder `STEM.alto/` beside `path`
///   (`00001.xml`, ... by page; `STEM` is the file name less `.mets.xml`),
///   then the METS itself, so that the METS existing means the set is
///   complete;
/// - `page`: the folder `path` itself, one `00001.xml`... per page.
///
/// A folder is built under a `.part` name and renamed into place, replacing
/// the one a previous run wrote.
pub fn write_file(path: &Path, doc: &Document, format: Format) -> io::Result<()> {
    if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
        fs::create_dir_all(dir)?;
    }
    if path == Path::new("/dev/null") {
        if format.needs_path() {
            return Ok(());
        }
        return write_document(&mut io::sink(), doc, format);
    }
    match format {
        Format::Mets => write_mets_files(path, doc),
        Format::Page => write_page_folder(path, doc),
        _ => write_atomically(path, |w| write_document(w, doc, format)),
    }
}

/// `path` with `suffix` added to its file name (`a.xml` + `.part`).
fn with_suffix(path: &Path, suffix: &str) -> PathBuf {
    let mut name = path.as_os_str().to_owned();
    name.push(suffix);
    PathBuf::from(name)
}

/// The temporary file (or, for `page`, folder) `write_file` writes before
/// renaming it to `path`; a batch removes stale files left by an
/// interrupted run (src/batch.rs). The same for every format: the name
/// with `.part` added.
pub fn temp_path(path: &Path, _format: Format) -> PathBuf {
    with_suffix(path, ".part")
}

fn write_atomically(
    path: &Path,
    write: impl FnOnce(&mut dyn Write) -> io::Result<()>,
) -> io::Result<()> {
    let tmp = with_suffix(path, ".part");
    let written = (|| {
        let mut w = io::BufWriter::new(fs::File::create(&tmp)?);
        write(&mut w)?;
        w.flush()
    })();
    if let Err(e) = written {
        let _ = fs::remove_file(&tmp);
        return Err(e);
    }
    fs::rename(&tmp, path)
}

/// Fills a fresh `DIR.part` folder with `fill`, then puts it in place of
/// `dir` (a previous run's folder is removed first).
fn write_folder(dir: &Path, fill: impl FnOnce(&Path) -> io::Result<()>) -> io::Result<()> {
    let tmp = with_suffix(dir, ".part");
    if tmp.exists() {
        fs::remove_dir_all(&tmp)?;
    }
    fs::create_dir_all(&tmp)?;
    if let Err(e) = fill(&tmp) {
        let _ = fs::remove_dir_all(&tmp);
        return Err(e);
    }
    if dir.is_dir() {
        fs::remove_dir_all(dir)?;
    }
    fs::rename(&tmp, dir)
}

/// The file name of page `n` in a folder of per-page files.
pub fn page_file_name(n: u32) -> String {
    format!("{n:05}.xml")
}

/// The ALTO folder beside a METS output: `NAME.mets.xml` -> `NAME.alto`.
pub fn mets_alto_folder(mets: &Path) -> PathBuf {
    let name = mets
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let stem = name
        .strip_suffix(".mets.xml")
        .or_else(|| name.strip_suffix(".xml"))
        .unwrap_or(&name);
    mets.with_file_name(format!("{stem}.alto"))
}

fn layout_required(doc: &Document) -> io::Result<()> {
    if doc.layout.is_empty() && !doc.pages.is_empty() {
        return Err(needs_layout_error());
    }
    Ok(())
}

/// An image reference as an href: a file that exists becomes an absolute
/// `file://` URL (the METS may sit in another folder than the input).
fn image_href(image: &str) -> String {
    match fs::canonicalize(image) {
        Ok(p) => format!("file://{}", p.display()),
        Err(_) => image.to_string(),
    }
}

fn write_mets_files(path: &Path, doc: &Document) -> io::Result<()> {
    layout_required(doc)?;
    let sheets = sheet::sheets(doc);
    let folder = mets_alto_folder(path);
    let folder_name = folder
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    write_folder(&folder, |tmp| {
        for s in &sheets {
            let file = tmp.join(page_file_name(s.number));
            write_atomically(&file, |w| {
                alto::write_alto(w, std::slice::from_ref(s), &doc.source.path)
            })?;
        }
        Ok(())
    })?;
    let hrefs: Vec<String> = sheets
        .iter()
        .map(|s| format!("{folder_name}/{}", page_file_name(s.number)))
        .collect();
    write_atomically(path, |w| {
        mets::write_mets(w, doc, &sheets, &hrefs, &image_href)
    })
}

fn write_page_folder(path: &Path, doc: &Document) -> io::Result<()> {
    layout_required(doc)?;
    let sheets = sheet::sheets(doc);
    write_folder(path, |tmp| {
        for s in &sheets {
            let file = tmp.join(page_file_name(s.number));
            write_atomically(&file, |w| page_xml::write_page(w, doc, s, &doc.source.path))?;
        }
        Ok(())
    })
}

/// One JSON Lines record: its type, the input, and the record's fields.
#[derive(Serialize)]
struct Record<'a, T: Serialize> {
    #[serde(rename = "type")]
    kind: &'static str,
    source: &'a Source,
    #[serde(flatten)]
    fields: T,
}

#[derive(Serialize)]
struct DocumentFields<'a> {
    pages: &'a [PageInfo],
}

fn write_jsonl(w: &mut dyn Write, doc: &Document) -> io::Result<()> {
    let source = &doc.source;
    let mut line = |value: &dyn erased::Record| -> io::Result<()> {
        value.write(&mut *w)?;
        writeln!(w)
    };
    line(&Record {
        kind: "document",
        source,
        fields: DocumentFields { pages: &doc.pages },
    })?;
    for article in &doc.articles {
        line(&Record {
            kind: "article",
            source,
            fields: article,
        })?;
    }
    for furniture in &doc.furniture {
        line(&Record {
            kind: "furniture",
            source,
            fields: furniture,
        })?;
    }
    for warning in &doc.warnings {
        line(&Record {
            kind: "warning",
            source,
            fields: warning,
        })?;
    }
    Ok(())
}

/// Records of different field types through one writer.
mod erased {
    use std::io::{self, Write};

    pub trait Record {
        fn write(&self, w: &mut dyn Write) -> io::Result<()>;
    }

    impl<T: serde::Serialize> Record for super::Record<'_, T> {
        fn write(&self, w: &mut dyn Write) -> io::Result<()> {
            serde_json::to_writer(w, self).map_err(io::Error::from)
        }
    }
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
