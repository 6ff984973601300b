//! Bulk runs that lose nothing: the one batch core behind `newsclip
//! extract`, the Python package and the Dask driver.
//!
//! Contract:
//! - [`InputSpec`] is one unit of work: an `id` (stable across runs: the
//!   manifest's `id`, else the path as given or as found in a folder), the
//!   `path` to read (`-` is standard input) and where to write (`output`;
//!   `None`: the caller takes the [`Document`] from [`process_document`]).
//! - [`process_one`] reads one input, runs the pipeline, writes its output
//!   with `output::write_file` (atomic: temporary file + rename) and returns
//!   a [`JournalRecord`]; it never panics (a panic in the pipeline is caught
//!   and recorded as `failed`).
//! - [`Journal`] appends one JSON line per finished input, one `write` of a
//!   whole line under a lock, so lines of different threads never
//!   interleave; a record says `done` only after its output was renamed
//!   into place. [`read_journal`] gives the last record of each id and
//!   ignores a torn line (a run killed while writing).
//! - [`plan`] turns command-line arguments (files, folders, a manifest) into
//!   specs: output names, collision checks, `--shard`, `--resume`, removal of
//!   stale temporary files. Every refusal happens before any work starts.
//! - [`run`] processes specs on a rayon pool; outputs go to files as each
//!   input finishes, documents without an output go to a sink in input
//!   order.
//!
//! Output names mirror the input tree and keep the input's extension:
//! `d/a.pdf` is written as `OUT/d/a.pdf.json`, so `x.txt` and `x.pdf` never
//! collide. The tree is mirrored relative to the deepest folder common to
//! all arguments (a folder argument counts as itself, a file as its
//! folder), so `d1/a.txt d2/a.txt` give `OUT/d1/a.txt.json` and
//! `OUT/d2/a.txt.json`, and `newsclip extract d -o OUT` gives
//! `OUT/<path inside d>.json`. The root is computed over the whole run
//! before sharding, so every shard of a manifest names outputs alike.
//!
//! Manifest (`--manifest FILE`): one input per line, either a path or a
//! JSON object `{"id": ..., "path": ..., "output": ...}` (`id` and `output`
//! optional). Blank lines and lines starting with `#` are skipped. Relative
//! paths are taken from the manifest's folder (so a manifest works from any
//! working directory); a relative `output` is taken from the output folder
//! (`-o`), else from the manifest's folder. A plain line naming a folder is
//! searched as a folder argument.
//!
//! Shards (`--shard K/N`, 1 ≤ K ≤ N): an input belongs to shard
//! `fnv1a64(id) % N + 1`, a hash fixed here (not std's, which may change
//! between Rust versions), so N machines or a Slurm array given the same
//! arguments split the work into disjoint parts that cover it all.

use std::collections::{BTreeMap, HashMap};
use std::fs;
use std::io::{self, Read, Write};
use std::path::{Component, Path, PathBuf};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::Mutex;
use std::time::Instant;

use rayon::prelude::*;
use serde::{Deserialize, Serialize};

use crate::error::{Error, ErrorKind};
use crate::model::Document;
use crate::output::{self, Format};
use crate::pipeline::{self, Options};

/// One input of a batch.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InputSpec {
    /// Stable name of the input (journal key, shard key).
    pub id: String,
    /// File to read; `-` is standard input.
    pub path: PathBuf,
    /// Output file; `None` when the caller writes the document itself.
    pub output: Option<PathBuf>,
}

/// How one input ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Status {
    /// Read, processed and written whole.
    Done,
    /// Nothing written: the input could not be read or processed, or its
    /// output could not be written.
    Failed,
    /// Written, but some pages failed (or could not be read for lack of
    /// OCR); `error` names them.
    Partial,
}

/// One line of the run journal (JSON Lines).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct JournalRecord {
    pub id: String,
    /// The input as read (lossy UTF-8).
    pub path: String,
    /// The output written (`null` when the document went to the caller).
    pub output: Option<String>,
    pub status: Status,
    /// Why the input failed, or which pages failed.
    pub error: Option<String>,
    /// The highest page number the document mentions (articles, furniture
    /// or warnings); 0 when it mentions none.
    pub pages: u32,
    pub articles: u32,
    pub warnings: u32,
    /// The OCR engine used, when the pipeline reports it (it does not yet,
    /// so this is always `null` today; kept so the format need not change).
    pub engine: Option<String>,
    /// Wall-clock time spent on the input.
    pub seconds: f64,
}

impl JournalRecord {
    fn new(spec: &InputSpec) -> JournalRecord {
        JournalRecord {
            id: spec.id.clone(),
            path: path_text(&spec.path),
            output: spec.output.as_ref().map(|o| path_text(o)),
            status: Status::Failed,
            error: None,
            pages: 0,
            articles: 0,
            warnings: 0,
            engine: None,
            seconds: 0.0,
        }
    }
}

/// A processed input: the record, and the document unless it failed.
pub struct Processed {
    pub record: JournalRecord,
    pub document: Option<Document>,
}

/// Warning codes that mean part of the input was not read.
const PAGE_LOST_CODES: [&str; 3] = ["page-failed", "page-damaged", "ocr-unavailable"];

/// A path as text for documents, the journal and ids: as it is when it is
/// valid UTF-8; otherwise each byte that is not UTF-8 is written `\xNN`
/// and a backslash is doubled, so that no byte is lost and two paths never
/// read the same (a lossy conversion would turn both into U+FFFD).
pub fn path_text(path: &Path) -> String {
    use std::os::unix::ffi::OsStrExt;
    let bytes = path.as_os_str().as_bytes();
    if let Ok(s) = std::str::from_utf8(bytes) {
        return s.to_string();
    }
    let mut out = String::with_capacity(bytes.len() + 16);
    for chunk in bytes.utf8_chunks() {
        out.push_str(&chunk.valid().replace('\\', "\\\\"));
        for b in chunk.invalid() {
            out.push_str(&format!("\\x{b:02X}"));
        }
    }
    out
}

/// An input's bytes: read into memory, or, for a large file, mapped (see
/// [`crate::mapped`]: a long PDF's bytes then need not stay resident).
pub enum InputBytes {
    Read(Vec<u8>),
    Mapped(crate::mapped::Mapped),
}

impl std::ops::Deref for InputBytes {
    type Target = [u8];
    fn deref(&self) -> &[u8] {
        match self {
            InputBytes::Read(v) => v,
            InputBytes::Mapped(m) => m,
        }
    }
}

/// Reads an input: `-` is standard input; anything else must be a regular
/// file (a FIFO or a device could block the batch forever). A file of at
/// least [`crate::mapped::MAP_MIN_BYTES`] is mapped (read when mapping
/// fails).
pub fn read_input(path: &Path) -> crate::Result<InputBytes> {
    if path.as_os_str() == "-" {
        let mut buf = Vec::new();
        io::stdin()
            .read_to_end(&mut buf)
            .map_err(|e| Error::io(e, "-"))?;
        return Ok(InputBytes::Read(buf));
    }
    let meta = fs::metadata(path).map_err(|e| Error::io(e, path))?;
    if !meta.is_file() {
        return Err(Error::new(ErrorKind::Io, "not a regular file").with_path(path));
    }
    if meta.len() >= crate::mapped::MAP_MIN_BYTES {
        let file = fs::File::open(path).map_err(|e| Error::io(e, path))?;
        // The open file's own length (the path may have changed since).
        let len = file.metadata().map_err(|e| Error::io(e, path))?.len();
        if let Ok(len) = usize::try_from(len) {
            if let Ok(m) = crate::mapped::Mapped::new(&file, len) {
                return Ok(InputBytes::Mapped(m));
            }
        }
    }
    fs::read(path)
        .map(InputBytes::Read)
        .map_err(|e| Error::io(e, path))
}

/// Reads and processes one input; writes nothing. Never panics.
pub fn process_document(spec: &InputSpec, options: &Options) -> Processed {
    let start = Instant::now();
    // The input's time limit counts from here (reading the file included).
    let timed;
    let options = match options.pages.time_limit {
        Some(limit) => {
            let mut o = options.clone();
            o.pages.time_limit = Some(pipeline::TimeLimit {
                started: start,
                seconds: limit.seconds,
            });
            timed = o;
            &timed
        }
        None => options,
    };
    let mut record = JournalRecord::new(spec);
    let display = path_text(&spec.path);
    let result = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
        read_input(&spec.path).and_then(|bytes| pipeline::process_bytes(&bytes, &display, options))
    }))
    .unwrap_or_else(|panic| {
        let what = panic
            .downcast_ref::<&str>()
            .map(|s| s.to_string())
            .or_else(|| panic.downcast_ref::<String>().cloned())
            .unwrap_or_default();
        Err(Error::new(
            ErrorKind::Malformed,
            format!("internal error while processing the input (please report it): {what}"),
        )
        .with_path(&spec.path))
    });
    let document = match result {
        Ok(doc) => {
            fill_counts(&mut record, &doc);
            Some(doc)
        }
        Err(e) => {
            record.error = Some(e.to_string());
            None
        }
    };
    record.seconds = start.elapsed().as_secs_f64();
    Processed { record, document }
}

fn fill_counts(record: &mut JournalRecord, doc: &Document) {
    let pages = doc
        .articles
        .iter()
        .map(|a| a.page)
        .chain(doc.furniture.iter().map(|f| f.page))
        .chain(doc.warnings.iter().filter_map(|w| w.page))
        .max()
        .unwrap_or(0);
    record.pages = pages;
    record.articles = doc.articles.len() as u32;
    record.warnings = doc.warnings.len() as u32;
    let lost: Vec<String> = doc
        .warnings
        .iter()
        .filter(|w| PAGE_LOST_CODES.contains(&w.code.as_str()))
        .map(|w| match w.page {
            Some(p) if !w.message.starts_with(&format!("page {p}")) => {
                format!("page {p}: {}", w.message)
            }
            _ => w.message.clone(),
        })
        .collect();
    if lost.is_empty() {
        record.status = Status::Done;
    } else {
        record.status = Status::Partial;
        record.error = Some(format!("{}: {}", doc.source.path, lost.join("; ")));
    }
}

/// Processes one input and writes its output (when `spec.output` is set).
/// Never panics.
pub fn process_one(spec: &InputSpec, format: Format, options: &Options) -> JournalRecord {
    process_and_write(spec, format, options).0
}

/// `process_one`, also telling whether writing the output failed (the CLI
/// exits 2 then: the output side, not the input, is at fault).
fn process_and_write(spec: &InputSpec, format: Format, options: &Options) -> (JournalRecord, bool) {
    let start = Instant::now();
    let Processed {
        mut record,
        document,
    } = process_document(spec, options);
    let mut write_failed = false;
    if let (Some(doc), Some(out)) = (&document, &spec.output) {
        if let Err(e) = output::write_file(out, doc, format) {
            record.status = Status::Failed;
            record.error = Some(format!("{}: cannot write output: {e}", out.display()));
            write_failed = true;
        }
    }
    record.seconds = start.elapsed().as_secs_f64();
    (record, write_failed)
}

/// The run journal: JSON Lines, appended one whole line per record.
pub struct Journal {
    path: PathBuf,
    file: Mutex<fs::File>,
}

impl Journal {
    /// Opens (or creates) the journal for appending. A torn last line (a
    /// run killed while writing) is closed with a newline first, so the
    /// next record starts on a line of its own.
    pub fn open(path: &Path) -> io::Result<Journal> {
        if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
            fs::create_dir_all(dir)?;
        }
        let mut file = fs::OpenOptions::new()
            .create(true)
            .append(true)
            .read(true)
            .open(path)?;
        let len = file.metadata()?.len();
        if len > 0 {
            use std::io::{Seek, SeekFrom};
            let mut last = [0u8; 1];
            file.seek(SeekFrom::Start(len - 1))?;
            file.read_exact(&mut last)?;
            if last[0] != b'\n' {
                file.write_all(b"\n")?;
            }
        }
        Ok(Journal {
            path: path.to_path_buf(),
            file: Mutex::new(file),
        })
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Appends one record as one line, in one write, then flushes.
    pub fn append(&self, record: &JournalRecord) -> io::Result<()> {
        let mut line = serde_json::to_string(record).map_err(io::Error::other)?;
        line.push('\n');
        let mut file = self
            .file
            .lock()
            .map_err(|_| io::Error::other("journal lock poisoned"))?;
        file.write_all(line.as_bytes())?;
        file.flush()
    }
}

/// The last record of each id in a journal; lines that do not parse (a torn
/// last line) are ignored. A missing journal is empty.
pub fn read_journal(path: &Path) -> io::Result<HashMap<String, JournalRecord>> {
    let bytes = match fs::read(path) {
        Ok(b) => b,
        Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(HashMap::new()),
        Err(e) => return Err(e),
    };
    let mut last = HashMap::new();
    for line in bytes.split(|&b| b == b'\n') {
        if let Ok(record) = serde_json::from_slice::<JournalRecord>(line) {
            last.insert(record.id.clone(), record);
        }
    }
    Ok(last)
}

// ---------------------------------------------------------------------------
// Planning: arguments to specs
// ---------------------------------------------------------------------------

/// `--shard K/N`: this run takes the inputs of part K (1-based) of N.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Shard {
    pub index: u64,
    pub count: u64,
}

impl std::str::FromStr for Shard {
    type Err = String;
    fn from_str(s: &str) -> Result<Shard, String> {
        let bad = || format!("--shard {s}: expected K/N with 1 <= K <= N (e.g. 2/8)");
        let (k, n) = s.split_once('/').ok_or_else(bad)?;
        let index: u64 = k.trim().parse().map_err(|_| bad())?;
        let count: u64 = n.trim().parse().map_err(|_| bad())?;
        if index == 0 || count == 0 || index > count {
            return Err(bad());
        }
        Ok(Shard { index, count })
    }
}

impl Shard {
    /// Does the input with this id belong to this shard?
    pub fn holds(&self, id: &str) -> bool {
        fnv1a64(id.as_bytes()) % self.count == self.index - 1
    }
}

/// 64-bit FNV-1a: fixed by its definition, so shards never move between
/// runs, machines or Rust versions.
pub fn fnv1a64(bytes: &[u8]) -> u64 {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for &b in bytes {
        h ^= u64::from(b);
        h = h.wrapping_mul(0x0000_0100_0000_01b3);
    }
    h
}

/// What the command line asks for.
#[derive(Debug, Clone)]
pub struct PlanRequest {
    /// Files, folders, or `-`.
    pub arguments: Vec<PathBuf>,
    pub manifest: Option<PathBuf>,
    /// Output file (one input) or folder; `None`: standard output.
    pub output: Option<PathBuf>,
    pub format: Format,
    pub shard: Option<Shard>,
    /// Skip inputs the journal says are done and whose output is whole.
    pub resume: bool,
    /// Journal path; default `OUT/newsclip-journal.jsonl` (with a shard,
    /// `OUT/newsclip-journal-K-of-N.jsonl`) when writing to a folder.
    pub journal: Option<PathBuf>,
}

/// A run ready to start.
#[derive(Debug, Default)]
pub struct Plan {
    /// The inputs to process, in order.
    pub inputs: Vec<InputSpec>,
    /// Inputs skipped by `--resume` (done with their output whole).
    pub skipped: Vec<InputSpec>,
    /// Inputs outside this shard.
    pub other_shards: usize,
    pub journal: Option<PathBuf>,
    /// Folder entries that could not be read while searching (each names
    /// its path); they count as failed inputs.
    pub walk_errors: Vec<String>,
}

/// Why a run cannot start (a usage error: the CLI exits 2).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PlanError(pub String);

impl std::fmt::Display for PlanError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

/// File extensions searched for in folders.
pub fn is_input_file(p: &Path) -> bool {
    matches!(
        p.extension()
            .and_then(|e| e.to_str())
            .map(|e| e.to_ascii_lowercase())
            .as_deref(),
        Some(
            "txt"
                | "pdf"
                | "png"
                | "jpg"
                | "jpeg"
                | "tif"
                | "tiff"
                | "jp2"
                | "jpx"
                | "j2k"
                | "j2c"
                | "xml"
                | "hocr"
        )
    )
}

/// An input found before naming: where it came from decides its name.
struct Found {
    id: String,
    path: PathBuf,
    /// The folder the output tree mirrors from (a folder argument, or the
    /// folder of a file argument).
    anchor: PathBuf,
    /// An output given by the manifest.
    output: Option<PathBuf>,
}

/// The path made absolute and `.`/`..` resolved by text (symlinks are
/// kept as named, so the output tree mirrors what the user sees).
fn normalise(p: &Path) -> PathBuf {
    let abs = if p.is_absolute() {
        p.to_path_buf()
    } else {
        std::env::current_dir().unwrap_or_default().join(p)
    };
    let mut out = PathBuf::new();
    for c in abs.components() {
        match c {
            Component::CurDir => {}
            Component::ParentDir => {
                out.pop();
            }
            other => out.push(other.as_os_str()),
        }
    }
    out
}

fn common_root(paths: impl IntoIterator<Item = PathBuf>) -> Option<PathBuf> {
    let mut root: Option<PathBuf> = None;
    for p in paths {
        root = Some(match root {
            None => p,
            Some(r) => r
                .components()
                .zip(p.components())
                .take_while(|(a, b)| a == b)
                .map(|(a, _)| a.as_os_str())
                .collect(),
        });
    }
    root
}

/// Searches a folder; unreadable entries are returned as errors naming
/// their path. Files inside `skip` (the output folder) are left out, so
/// outputs are never read back as inputs.
fn walk_folder(dir: &Path, skip: Option<&Path>, errors: &mut Vec<String>) -> Vec<PathBuf> {
    // Writing into the folder searched (or above it) skips nothing.
    let skip = skip.filter(|s| !normalise(dir).starts_with(s));
    let mut files = Vec::new();
    for entry in walkdir::WalkDir::new(dir).follow_links(true) {
        match entry {
            Ok(e) => {
                if e.file_type().is_file() && is_input_file(e.path()) {
                    let inside_output = skip.is_some_and(|s| normalise(e.path()).starts_with(s));
                    if !inside_output {
                        files.push(e.into_path());
                    }
                }
            }
            Err(e) => {
                let path = e
                    .path()
                    .map(|p| p.display().to_string())
                    .unwrap_or_else(|| dir.display().to_string());
                let why = if e.loop_ancestor().is_some() {
                    "symbolic link loop".to_string()
                } else {
                    e.io_error()
                        .map(|io| io.to_string())
                        .unwrap_or_else(|| e.to_string())
                };
                errors.push(format!("{path}: cannot search: {why}"));
            }
        }
    }
    files.sort();
    skip_alto_of_mets(files)
}

/// A folder holding METS issues: their ALTO files are read through the
/// METS (as one document), not a second time on their own.
fn skip_alto_of_mets(files: Vec<PathBuf>) -> Vec<PathBuf> {
    let key = |p: &Path| fs::canonicalize(p).unwrap_or_else(|_| p.to_path_buf());
    let mut covered = std::collections::HashSet::new();
    for f in files
        .iter()
        .filter(|f| f.extension().is_some_and(|e| e.eq_ignore_ascii_case("xml")))
    {
        // The root element is in the head; only METS files are read whole.
        let mut head = Vec::new();
        let read_head = fs::File::open(f).and_then(|file| file.take(65536).read_to_end(&mut head));
        if read_head.is_err()
            || crate::extract::alto::root_element(&head).as_deref() != Some("mets")
        {
            continue;
        }
        let Ok(bytes) = fs::read(f) else { continue };
        let base = f.parent().map(Path::to_path_buf).unwrap_or_default();
        let display = f.display().to_string();
        if let Ok(mets) = crate::extract::mets::read_mets(&bytes, &display, &base) {
            for alto in crate::extract::mets::alto_paths(&mets) {
                covered.insert(key(&alto));
            }
        }
    }
    files
        .into_iter()
        .filter(|f| !covered.contains(&key(f)))
        .collect()
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct ManifestEntry {
    id: Option<String>,
    path: String,
    output: Option<String>,
}

/// Reads a manifest into found inputs (folder lines are searched).
fn read_manifest(
    manifest: &Path,
    out_dir: Option<&Path>,
    skip: Option<&Path>,
    found: &mut Vec<Found>,
    walk_errors: &mut Vec<String>,
) -> Result<(), PlanError> {
    let text = fs::read_to_string(manifest).map_err(|e| {
        PlanError(format!(
            "{}: cannot read the manifest: {e}",
            manifest.display()
        ))
    })?;
    let base = manifest.parent().map(Path::to_path_buf).unwrap_or_default();
    for (n, line) in text.lines().enumerate() {
        let line = line.trim_end_matches('\r');
        if line.trim().is_empty() || line.starts_with('#') {
            continue;
        }
        let at = || format!("{} line {}", manifest.display(), n + 1);
        if line.trim_start().starts_with('{') {
            let entry: ManifestEntry = serde_json::from_str(line)
                .map_err(|e| PlanError(format!("{}: not a manifest entry: {e}", at())))?;
            let path = base.join(&entry.path);
            if path.is_dir() {
                return Err(PlanError(format!(
                    "{}: {} is a folder; a JSON entry names one file",
                    at(),
                    entry.path
                )));
            }
            let output = entry.output.map(|o| match out_dir {
                Some(dir) => dir.join(o),
                None => base.join(o),
            });
            found.push(Found {
                id: entry.id.unwrap_or_else(|| entry.path.clone()),
                anchor: path.parent().map(Path::to_path_buf).unwrap_or_default(),
                path,
                output,
            });
        } else {
            let path = base.join(line);
            if path.is_dir() {
                for f in walk_folder(&path, skip, walk_errors) {
                    found.push(Found {
                        id: path_text(&f),
                        anchor: path.clone(),
                        path: f,
                        output: None,
                    });
                }
            } else {
                found.push(Found {
                    id: line.to_string(),
                    anchor: path.parent().map(Path::to_path_buf).unwrap_or_default(),
                    path,
                    output: None,
                });
            }
        }
    }
    Ok(())
}

/// The journal's default name in the output folder.
pub fn default_journal(out_dir: &Path, shard: Option<Shard>) -> PathBuf {
    match shard {
        Some(s) => out_dir.join(format!("newsclip-journal-{}-of-{}.jsonl", s.index, s.count)),
        None => out_dir.join("newsclip-journal.jsonl"),
    }
}

/// Turns a request into specs, refusing (before any work) duplicate ids,
/// two inputs sharing an output, an output that is an input, and
/// `--resume` without a journal. With `resume`, inputs done with a whole
/// output are moved to `skipped`. Stale temporary files of this run's
/// outputs are removed.
pub fn plan(req: &PlanRequest) -> Result<Plan, PlanError> {
    let mut found = Vec::new();
    let mut walk_errors = Vec::new();
    let folder_args = req.arguments.iter().any(|a| a.is_dir());
    // Where outputs go: a folder when there can be several inputs.
    let out_dir_hint = req.output.as_ref().filter(|o| {
        req.manifest.is_some()
            || folder_args
            || req.arguments.len() > 1
            || o.is_dir()
            || o.to_string_lossy().ends_with('/')
    });
    let skip = out_dir_hint.map(|o| normalise(o));
    for arg in &req.arguments {
        if arg.as_os_str() == "-" {
            found.push(Found {
                id: "-".into(),
                path: arg.clone(),
                anchor: PathBuf::new(),
                output: None,
            });
        } else if arg.is_dir() {
            for f in walk_folder(arg, skip.as_deref(), &mut walk_errors) {
                found.push(Found {
                    id: path_text(&f),
                    anchor: arg.clone(),
                    path: f,
                    output: None,
                });
            }
        } else {
            found.push(Found {
                id: path_text(arg),
                anchor: arg.parent().map(Path::to_path_buf).unwrap_or_default(),
                path: arg.clone(),
                output: None,
            });
        }
    }
    if let Some(m) = &req.manifest {
        read_manifest(
            m,
            out_dir_hint.map(PathBuf::as_path),
            skip.as_deref(),
            &mut found,
            &mut walk_errors,
        )?;
    }
    let out_dir = out_dir_hint;
    let ext = req.format.extension();
    let root = common_root(
        found
            .iter()
            .filter(|f| f.path.as_os_str() != "-")
            .map(|f| normalise(&f.anchor)),
    )
    .unwrap_or_default();
    let mut specs: Vec<InputSpec> = found
        .into_iter()
        .map(|f| {
            let output = f.output.or_else(|| match (&req.output, out_dir) {
                (_, Some(dir)) => Some(if f.path.as_os_str() == "-" {
                    dir.join(format!("stdin.{ext}"))
                } else {
                    let abs = normalise(&f.path);
                    let rel = abs.strip_prefix(&root).unwrap_or(&abs);
                    let mut name = rel.as_os_str().to_owned();
                    name.push(format!(".{ext}"));
                    dir.join(name)
                }),
                (Some(file), None) => Some(file.clone()),
                (None, None) => None,
            });
            InputSpec {
                id: f.id,
                path: f.path,
                output,
            }
        })
        .collect();
    let journal = req
        .journal
        .clone()
        .or_else(|| out_dir.map(|d| default_journal(d, req.shard)));
    check_collisions(&specs, journal.as_deref())?;
    if req.resume && journal.is_none() {
        return Err(PlanError(
            "--resume needs a journal: write to a folder (-o DIR) or give --journal".into(),
        ));
    }
    let mut plan = Plan {
        journal,
        walk_errors,
        ..Plan::default()
    };
    if let Some(shard) = req.shard {
        let before = specs.len();
        specs.retain(|s| shard.holds(&s.id));
        plan.other_shards = before - specs.len();
    }
    if req.resume {
        let journal = plan.journal.as_deref().unwrap_or(Path::new(""));
        let done = read_journal(journal).map_err(|e| {
            PlanError(format!(
                "{}: cannot read the journal: {e}",
                journal.display()
            ))
        })?;
        let (skip, redo): (Vec<InputSpec>, Vec<InputSpec>) =
            specs.into_iter().partition(|s| is_done(s, done.get(&s.id)));
        plan.skipped = skip;
        specs = redo;
    }
    for s in &specs {
        if let Some(out) = &s.output {
            let part = output::temp_path(out, req.format);
            // A folder for the per-page formats (`page`).
            let removed = if part.is_dir() {
                Some(fs::remove_dir_all(&part))
            } else if part.is_file() {
                Some(fs::remove_file(&part))
            } else {
                None
            };
            if let Some(removed) = removed {
                removed.map_err(|e| {
                    PlanError(format!(
                        "{}: cannot remove a stale temporary file: {e}",
                        part.display()
                    ))
                })?;
            }
        }
    }
    plan.inputs = specs;
    Ok(plan)
}

/// Done according to the journal, and its output is there whole (outputs,
/// files or the `page` format's folders, appear only by rename, so an
/// existing output is complete).
fn is_done(spec: &InputSpec, record: Option<&JournalRecord>) -> bool {
    let Some(record) = record else { return false };
    let Some(out) = &spec.output else {
        return false;
    };
    record.status == Status::Done
        && record.output.as_deref() == Some(&*path_text(out))
        && fs::metadata(out).is_ok_and(|m| m.is_file() || m.is_dir())
}

fn check_collisions(specs: &[InputSpec], journal: Option<&Path>) -> Result<(), PlanError> {
    let mut ids: HashMap<&str, &Path> = HashMap::new();
    for s in specs {
        if let Some(first) = ids.insert(&s.id, &s.path) {
            return Err(PlanError(format!(
                "the input id '{}' is given twice ({} and {})",
                s.id,
                first.display(),
                s.path.display()
            )));
        }
    }
    // Inputs by their normalised and (where they exist) canonical paths.
    let same_file = |p: &Path| {
        let mut keys = vec![normalise(p)];
        if let Ok(c) = fs::canonicalize(p) {
            keys.push(c);
        } else if let (Some(dir), Some(name)) = (p.parent(), p.file_name()) {
            if let Ok(c) = fs::canonicalize(if dir.as_os_str().is_empty() {
                Path::new(".")
            } else {
                dir
            }) {
                keys.push(c.join(name));
            }
        }
        keys
    };
    let mut inputs: HashMap<PathBuf, &Path> = HashMap::new();
    for s in specs.iter().filter(|s| s.path.as_os_str() != "-") {
        for k in same_file(&s.path) {
            inputs.insert(k, &s.path);
        }
    }
    let mut outputs: HashMap<PathBuf, &InputSpec> = HashMap::new();
    for s in specs {
        let Some(out) = &s.output else { continue };
        if out == Path::new("/dev/null") {
            continue;
        }
        for k in same_file(out) {
            if let Some(input) = inputs.get(&k) {
                return Err(PlanError(format!(
                    "{}: the output of {} would overwrite an input",
                    input.display(),
                    s.path.display()
                )));
            }
            if let Some(other) = outputs.get(&k).filter(|o| o.id != s.id) {
                return Err(PlanError(format!(
                    "{} and {} would both be written to {}",
                    other.path.display(),
                    s.path.display(),
                    out.display()
                )));
            }
            outputs.insert(k, s);
        }
    }
    if let Some(j) = journal {
        for k in same_file(j) {
            if let Some(s) = outputs.get(&k) {
                return Err(PlanError(format!(
                    "the output of {} would be the journal {}",
                    s.path.display(),
                    j.display()
                )));
            }
            if let Some(input) = inputs.get(&k) {
                return Err(PlanError(format!(
                    "the journal {} is an input",
                    input.display()
                )));
            }
        }
    }
    Ok(())
}

// ---------------------------------------------------------------------------
// Running
// ---------------------------------------------------------------------------

/// What a run did, for the exit code and the closing summary.
#[derive(Debug, Default, Clone, PartialEq)]
pub struct Summary {
    pub done: usize,
    pub partial: usize,
    pub failed: usize,
    pub pages: u64,
    /// An output (or the journal, or standard output) could not be written.
    pub output_failed: bool,
}

/// Processes `specs` on the current rayon pool (in worker processes when
/// `isolation` is given; see [`Isolation`]). Inputs with an output are
/// written as each finishes; the documents of the others go to `sink` in
/// input order. Each record is appended to the journal (when given) and
/// then passed to `on_record` (progress, messages).
pub fn run(
    specs: &[InputSpec],
    format: Format,
    options: &Options,
    isolation: Option<&Isolation>,
    journal: Option<&Journal>,
    on_record: &(dyn Fn(&JournalRecord) + Sync),
    sink: &(dyn Fn(&Document) -> io::Result<()> + Sync),
) -> Summary {
    let done = AtomicU64::new(0);
    let partial = AtomicU64::new(0);
    let failed = AtomicU64::new(0);
    let pages = AtomicU64::new(0);
    let output_failed = AtomicBool::new(false);
    // Documents waiting for their turn on the sink: next index, finished.
    let ordered = Mutex::new((0usize, BTreeMap::<usize, Option<Document>>::new()));
    specs.par_iter().enumerate().for_each(|(i, spec)| {
        let (record, document) = if spec.output.is_some() {
            let (record, write_failed) = match isolation {
                Some(iso) => process_isolated(spec, format, iso),
                None => process_and_write(spec, format, options),
            };
            if write_failed {
                output_failed.store(true, Ordering::Relaxed);
            }
            (record, None)
        } else {
            let p = process_document(spec, options);
            (p.record, p.document)
        };
        if let Some(j) = journal {
            if j.append(&record).is_err() {
                output_failed.store(true, Ordering::Relaxed);
            }
        }
        match record.status {
            Status::Done => &done,
            Status::Partial => &partial,
            Status::Failed => &failed,
        }
        .fetch_add(1, Ordering::Relaxed);
        pages.fetch_add(u64::from(record.pages), Ordering::Relaxed);
        on_record(&record);
        if spec.output.is_none() {
            if let Ok(mut lock) = ordered.lock() {
                lock.1.insert(i, document);
                // Write everything that is now next in line.
                loop {
                    let next = lock.0;
                    if next < specs.len() && specs[next].output.is_some() {
                        lock.0 += 1;
                        continue;
                    }
                    let Some(entry) = lock.1.remove(&next) else {
                        break;
                    };
                    if let Some(doc) = entry {
                        if sink(&doc).is_err() {
                            output_failed.store(true, Ordering::Relaxed);
                        }
                    }
                    lock.0 += 1;
                }
            }
        }
    });
    Summary {
        done: done.into_inner() as usize,
        partial: partial.into_inner() as usize,
        failed: failed.into_inner() as usize,
        pages: pages.into_inner(),
        output_failed: output_failed.into_inner(),
    }
}

// ---------------------------------------------------------------------------
// Supervised runs: one worker process per input
// ---------------------------------------------------------------------------

/// How many times one input's worker is started before it counts as
/// failed (each new start skips the pages blamed so far).
const MAX_WORKER_STARTS: usize = 8;

/// A run where each input is read by a worker process (`newsclip extract
/// --worker-input PATH`),
/// so that one page cannot hang the batch or take all memory, and a crash
/// (an abort in a C library, an allocation failure) costs one page:
/// - the worker reports each page's start and end on its standard output;
/// - a page running longer than `page_timeout` gets the worker killed;
/// - the worker's address space is limited to `max_memory` bytes
///   (RLIMIT_AS), so an allocation beyond it aborts the worker;
/// - the pages running when a worker was killed or died are blamed, and a
///   new worker reads the input again without them (each recorded as a
///   `page-failed` warning naming the page, so the input is `partial`). A
///   worker that dies while no page runs (reading or decoding the file)
///   fails the input.
///
/// Workers run their pages one at a time, so blame is exact; inputs still
/// run `-j` at once.
#[derive(Debug, Clone)]
pub struct Isolation {
    /// The program and first arguments that start a worker (for the CLI:
    /// itself with its own arguments, so every pipeline option carries
    /// over); `--worker-id`, `--worker-output`, `--worker-skip PAGE=WHY`,
    /// `--worker-max-memory BYTES` and `--worker-input PATH` are appended.
    pub command: Vec<std::ffi::OsString>,
    /// The input's time limit (`--timeout`): a worker still running then
    /// is stopped and the input fails.
    pub input_timeout: Option<std::time::Duration>,
    pub page_timeout: Option<std::time::Duration>,
    pub max_memory: Option<u64>,
}

/// What a worker said before it ended.
#[derive(Default)]
struct WorkerState {
    running: HashMap<u32, Instant>,
    record: Option<JournalRecord>,
}

/// Worker side: the line protocol on standard output.
pub mod worker {
    use super::*;

    /// Limits this process's address space (RLIMIT_AS) to `bytes`.
    pub fn limit_memory(bytes: u64) -> io::Result<()> {
        let limit = libc::rlimit {
            rlim_cur: bytes as libc::rlim_t,
            rlim_max: bytes as libc::rlim_t,
        };
        // SAFETY: setrlimit reads the struct we pass and nothing else.
        if unsafe { libc::setrlimit(libc::RLIMIT_AS, &limit) } == 0 {
            Ok(())
        } else {
            Err(io::Error::last_os_error())
        }
    }

    fn say(line: &str) {
        let mut out = io::stdout().lock();
        // The supervisor is gone if this fails; nothing to do about it.
        let _ = out.write_all(line.as_bytes()).and_then(|_| out.flush());
    }

    /// Processes one input as the supervisor asked, reporting page starts
    /// and ends, then the record, on standard output.
    pub fn run(spec: &InputSpec, format: Format, mut options: Options) {
        options.pages.watch = Some(std::sync::Arc::new(|page, started| {
            say(&format!(
                "{} {page}\n",
                if started { "start" } else { "end" }
            ));
        }));
        let record = process_one(spec, format, &options);
        let json = serde_json::to_string(&record).unwrap_or_default();
        say(&format!("record {json}\n"));
    }
}

/// Supervisor side of [`Isolation`]: processes one input in worker
/// processes; also tells whether writing the output failed.
fn process_isolated(spec: &InputSpec, format: Format, iso: &Isolation) -> (JournalRecord, bool) {
    use std::process::{Command, Stdio};
    let start = Instant::now();
    let mut skip: Vec<(u32, String)> = Vec::new();
    let failed = |why: String| {
        let mut record = JournalRecord::new(spec);
        record.error = Some(format!("{}: {why}", spec.path.display()));
        record.seconds = start.elapsed().as_secs_f64();
        (record, false)
    };
    let Some((program, first_args)) = iso.command.split_first() else {
        return failed("no worker command".into());
    };
    let memory_note = iso
        .max_memory
        .map(|m| format!("; memory limit {} MB", m / 1_000_000))
        .unwrap_or_default();
    for _ in 0..MAX_WORKER_STARTS {
        let mut cmd = Command::new(program);
        cmd.args(first_args).arg("--worker-id").arg(&spec.id);
        if let Some(out) = &spec.output {
            cmd.arg("--worker-output").arg(out);
        }
        for (page, why) in &skip {
            cmd.arg("--worker-skip").arg(format!("{page}={why}"));
        }
        if let Some(m) = iso.max_memory {
            cmd.arg("--worker-max-memory").arg(m.to_string());
        }
        cmd.arg("--worker-input")
            .arg(&spec.path)
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped());
        let mut child = match cmd.spawn() {
            Ok(c) => c,
            Err(e) => return failed(format!("cannot start a worker: {e}")),
        };
        let state = std::sync::Arc::new(Mutex::new(WorkerState::default()));
        // The reader says when the worker closed its output (it is ending),
        // so the wait below ends then, not at its next tick.
        let (closed_tx, closed_rx) = std::sync::mpsc::channel::<()>();
        let reader = child.stdout.take().map(|out| {
            let state = state.clone();
            std::thread::spawn(move || {
                let _closed = closed_tx;
                use std::io::BufRead;
                for line in io::BufReader::new(out).lines().map_while(Result::ok) {
                    let Ok(mut st) = state.lock() else { return };
                    if let Some(n) = line.strip_prefix("start ") {
                        if let Ok(n) = n.parse() {
                            st.running.insert(n, Instant::now());
                        }
                    } else if let Some(n) = line.strip_prefix("end ") {
                        if let Ok(n) = n.parse::<u32>() {
                            st.running.remove(&n);
                        }
                    } else if let Some(json) = line.strip_prefix("record ") {
                        st.record = serde_json::from_str(json).ok();
                    }
                }
            })
        });
        let errors = child.stderr.take().map(|err| {
            std::thread::spawn(move || {
                let mut text = String::new();
                let _ = io::BufReader::new(err).read_to_string(&mut text);
                text
            })
        });
        // Pages blamed for this worker's end, and why.
        let mut overdue: Vec<u32> = Vec::new();
        let status = loop {
            match child.try_wait() {
                Ok(Some(status)) => break Some(status),
                Ok(None) => {}
                Err(_) => break None,
            }
            if let Some(limit) = iso.input_timeout {
                if start.elapsed() > limit {
                    let _ = child.kill();
                    let _ = child.wait();
                    if let Some(r) = reader {
                        let _ = r.join();
                    }
                    if let Some(out) = &spec.output {
                        let _ = fs::remove_file(output::temp_path(out, format));
                    }
                    return failed(format!(
                        "gave up: still running after its time limit (--timeout {} s)",
                        limit.as_secs_f64()
                    ));
                }
            }
            if let Some(limit) = iso.page_timeout {
                if let Ok(st) = state.lock() {
                    overdue = st
                        .running
                        .iter()
                        .filter(|(_, since)| since.elapsed() > limit)
                        .map(|(n, _)| *n)
                        .collect();
                }
                if !overdue.is_empty() {
                    let _ = child.kill();
                    let _ = child.wait();
                    break None;
                }
            }
            if let Ok(()) | Err(std::sync::mpsc::RecvTimeoutError::Disconnected) =
                closed_rx.recv_timeout(std::time::Duration::from_millis(20))
            {
                // Output closed: the worker is ending; collect its status.
                break child.wait().ok();
            }
        };
        if let Some(r) = reader {
            let _ = r.join();
        }
        let stderr_text = errors.and_then(|e| e.join().ok()).unwrap_or_default();
        let (record, running) = match state.lock() {
            Ok(mut st) => (
                st.record.take(),
                st.running.keys().copied().collect::<Vec<_>>(),
            ),
            Err(_) => (None, Vec::new()),
        };
        if let (Some(mut record), Some(status)) = (record, status) {
            if status.success() {
                record.seconds = start.elapsed().as_secs_f64();
                let write_failed = record.status == Status::Failed
                    && record
                        .error
                        .as_deref()
                        .is_some_and(|e| e.contains("cannot write output"));
                return (record, write_failed);
            }
        }
        // Killed or died: no output of this attempt may stay half-written.
        if let Some(out) = &spec.output {
            let _ = fs::remove_file(output::temp_path(out, format));
        }
        let (blamed, why) = if !overdue.is_empty() {
            let secs = iso.page_timeout.map(|t| t.as_secs_f64()).unwrap_or(0.0);
            (
                overdue,
                format!("not read: the page took longer than the page timeout ({secs} s)"),
            )
        } else {
            let how = match status {
                Some(s) => describe_exit(s),
                None => "it could not be watched".to_string(),
            };
            // The allocator's or the panic's own words, else the last line.
            let last = stderr_text
                .lines()
                .find(|l| l.contains("memory allocation") || l.contains("panicked"))
                .or_else(|| stderr_text.lines().rev().find(|l| !l.trim().is_empty()))
                .unwrap_or("")
                .trim()
                .to_string();
            let how = if last.is_empty() {
                format!("{how}{memory_note}")
            } else {
                format!("{how}{memory_note}: {last}")
            };
            if running.is_empty() {
                return failed(format!("the worker reading it ended abnormally ({how})"));
            }
            (
                running,
                format!("not read: the worker reading it ended abnormally ({how})"),
            )
        };
        for page in blamed {
            skip.push((page, why.clone()));
        }
    }
    failed(format!(
        "gave up after {MAX_WORKER_STARTS} workers ended abnormally on it"
    ))
}

fn describe_exit(status: std::process::ExitStatus) -> String {
    use std::os::unix::process::ExitStatusExt;
    match (status.code(), status.signal()) {
        (_, Some(libc::SIGABRT)) => "aborted, as on running out of memory".into(),
        (_, Some(libc::SIGKILL)) => "killed".into(),
        (_, Some(libc::SIGSEGV)) => "segmentation fault".into(),
        (_, Some(sig)) => format!("signal {sig}"),
        (Some(code), _) => format!("exit code {code} without a record"),
        (None, None) => "unknown end".into(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_that_are_not_utf8_keep_every_byte() {
        use std::os::unix::ffi::OsStrExt;
        let plain = Path::new("scans/1858/p1.pdf");
        assert_eq!(path_text(plain), "scans/1858/p1.pdf");
        // GBK bytes for 新闻 (none of them UTF-8) after a backslash.
        let gbk = Path::new(std::ffi::OsStr::from_bytes(b"d\\\xd0\xc2\xce\xc5.txt"));
        assert_eq!(path_text(gbk), "d\\\\\\xD0\\xC2\\xCE\\xC5.txt");
        // One byte different: a different text (lossy text would be equal).
        let other = Path::new(std::ffi::OsStr::from_bytes(b"d\\\xd0\xc2\xce\xc6.txt"));
        assert_ne!(path_text(gbk), path_text(other));
    }

    #[test]
    fn fnv1a_matches_the_published_vectors() {
        // Test vectors of the FNV specification.
        assert_eq!(fnv1a64(b""), 0xcbf29ce484222325);
        assert_eq!(fnv1a64(b"a"), 0xaf63dc4c8601ec8c);
        assert_eq!(fnv1a64(b"foobar"), 0x85944171f73967e8);
    }

    #[test]
    fn shards_are_disjoint_and_cover_everything() {
        let ids: Vec<String> = (0..500).map(|i| format!("scans/{i:04}.pdf")).collect();
        for n in [1u64, 2, 3, 7] {
            let mut seen = vec![0; ids.len()];
            for k in 1..=n {
                let shard = Shard { index: k, count: n };
                for (i, id) in ids.iter().enumerate() {
                    if shard.holds(id) {
                        seen[i] += 1;
                    }
                }
            }
            assert!(seen.iter().all(|&c| c == 1), "n={n}: {seen:?}");
        }
        assert!("0/3".parse::<Shard>().is_err());
        assert!("4/3".parse::<Shard>().is_err());
        assert!("x".parse::<Shard>().is_err());
        assert_eq!("2/3".parse::<Shard>(), Ok(Shard { index: 2, count: 3 }));
    }

    #[test]
    fn journal_keeps_the_last_record_and_survives_a_torn_line() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("j.jsonl");
        let spec = InputSpec {
            id: "a".into(),
            path: "a.txt".into(),
            output: Some("a.txt.json".into()),
        };
        let mut rec = JournalRecord::new(&spec);
        {
            let j = Journal::open(&path).unwrap();
            j.append(&rec).unwrap();
        }
        // A run killed in the middle of a line.
        let mut f = fs::OpenOptions::new().append(true).open(&path).unwrap();
        f.write_all(b"{\"id\":\"b\",\"pa").unwrap();
        drop(f);
        rec.status = Status::Done;
        Journal::open(&path).unwrap().append(&rec).unwrap();
        let read = read_journal(&path).unwrap();
        assert_eq!(read.len(), 1);
        assert_eq!(read["a"].status, Status::Done);
    }
}
