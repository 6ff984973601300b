//! `newsclip._core`: the native side of the Python package (see
//! python/newsclip/__init__.py for the public API).
//!
//! Contract: a thin binding. Every decision (input kinds, pipeline, output
//! formats) is the `newsclip` library's; this module converts Python
//! arguments into `pipeline::Options` and returns what the library wrote.
//! Work on an input runs with the GIL released (`Python::detach`), so
//! Python threads calling `extract` run in parallel, and other Python
//! threads go on meanwhile.
//!
//! Documents are returned as the exact bytes the CLI writes for the format
//! (decoded by the Python side), so a dict from `newsclip.extract` is the
//! CLI's JSON, not a second serialisation of the model.
//!
//! For drivers (`newsclip.dask`), the batch core as it is: `plan` (manifest,
//! output names, shards, resume), `process_one` (one input read, processed
//! and written atomically; its journal record back), `Journal` and
//! `read_journal`. Records and plans cross as JSON text, the journal's own
//! format, so Python never re-implements a naming, journal or resume rule.

use std::path::PathBuf;

use pyo3::create_exception;
use pyo3::exceptions::{PyException, PyOSError, PyValueError};
use pyo3::prelude::*;
use pyo3::types::{PyBytes, PyDict};

use newsclip::batch;
use newsclip::extract::decode;
use newsclip::extract::ocr::{EngineKind, OcrMode, OcrOptions};
use newsclip::output::{self, Format};
use newsclip::pipeline::{self, Options};

create_exception!(
    _core,
    NewsclipError,
    PyException,
    "An input could not be processed; the message names the file (and page)."
);
create_exception!(
    _core,
    PlanError,
    PyException,
    "A batch run cannot start (the CLI's usage errors: a bad manifest, colliding outputs...)."
);

/// The CLI's option values, parsed the way `newsclip extract` spells them.
fn parse_options(
    encoding: Option<&str>,
    engine: &str,
    lang: Option<String>,
    ocr: &str,
    ppocr_dir: Option<PathBuf>,
) -> PyResult<Options> {
    let encoding = match encoding {
        Some(label) => Some(decode::encoding_by_label(label).ok_or_else(|| {
            PyValueError::new_err(format!(
                "unknown encoding '{label}' (try utf-8, gb18030, gbk, big5, utf-16le, utf-16be)"
            ))
        })?),
        None => None,
    };
    let engine = match engine {
        "auto" => EngineKind::Auto,
        "tesseract" => EngineKind::Tesseract,
        "ppocr" => EngineKind::PpOcr,
        other => {
            return Err(PyValueError::new_err(format!(
                "unknown engine '{other}' (auto, tesseract, ppocr)"
            )))
        }
    };
    let mode = match ocr {
        "auto" => OcrMode::Auto,
        "always" => OcrMode::Always,
        "never" => OcrMode::Never,
        other => {
            return Err(PyValueError::new_err(format!(
                "unknown ocr mode '{other}' (auto, always, never)"
            )))
        }
    };
    Ok(Options {
        encoding,
        ocr: OcrOptions {
            engine,
            // As the CLI: an empty list or `auto` means chosen per page.
            lang: lang.filter(|l| !l.is_empty() && l != "auto"),
            mode,
            ppocr_dir,
        },
        // Page isolation (`--page-timeout`, `--max-memory`) is the CLI's
        // supervisor's; in-process calls run every page.
        ..Options::default()
    })
}

fn parse_format(format: &str) -> PyResult<Format> {
    match format {
        "json" => Ok(Format::Json),
        "jsonl" => Ok(Format::Jsonl),
        "text" => Ok(Format::Text),
        "alto" => Ok(Format::Alto),
        "mets" => Ok(Format::Mets),
        "page" => Ok(Format::Page),
        "hocr" => Ok(Format::Hocr),
        other => Err(PyValueError::new_err(format!(
            "unknown format '{other}' (json, jsonl, text, alto, mets, page, hocr)"
        ))),
    }
}

/// A library error as a `NewsclipError` with `path`, `page` and `kind`
/// attributes beside its message.
fn to_py_error(py: Python<'_>, e: newsclip::Error) -> PyErr {
    let err = NewsclipError::new_err(e.to_string());
    let value = err.value(py);
    let path = e.location.path.as_ref().map(|p| p.display().to_string());
    // Setting attributes on a fresh exception instance cannot fail in
    // practice; if it did, the message still names the file.
    let _ = value.setattr("path", path);
    let _ = value.setattr("page", e.location.page);
    let _ = value.setattr("kind", format!("{:?}", e.kind).to_lowercase());
    err
}

/// Where the input comes from: a file read by Rust (without the GIL), or
/// bytes copied out of Python.
enum Input {
    File(PathBuf),
    Bytes(Vec<u8>),
}

/// extract(source, *, name=None, format="json", encoding=None,
/// engine="auto", lang=None, ocr="auto", ppocr_dir=None) -> bytes
///
/// Runs the pipeline on a path (str or os.PathLike) or on bytes and returns
/// the output exactly as `newsclip extract --format FORMAT` writes it.
/// `name` is the path shown in the document and in errors (default: the
/// path, or "<bytes>").
#[pyfunction]
#[pyo3(signature = (source, *, name=None, format="json", encoding=None, engine="auto", lang=None, ocr="auto", ppocr_dir=None))]
#[allow(clippy::too_many_arguments)] // the CLI's options, as keywords
fn extract<'py>(
    py: Python<'py>,
    source: &Bound<'py, PyAny>,
    name: Option<String>,
    format: &str,
    encoding: Option<&str>,
    engine: &str,
    lang: Option<String>,
    ocr: &str,
    ppocr_dir: Option<PathBuf>,
) -> PyResult<Bound<'py, PyBytes>> {
    let mut options = parse_options(encoding, engine, lang, ocr, ppocr_dir)?;
    let format = parse_format(format)?;
    if matches!(format, Format::Mets | Format::Page) {
        return Err(PyValueError::new_err(
            "mets and page write several files: use newsclip extract -o, or process_one",
        ));
    }
    // As the CLI: the XML formats need the laid-out pages kept.
    options.keep_layout = format.needs_layout();
    let input = if let Ok(bytes) = source.cast::<PyBytes>() {
        Input::Bytes(bytes.as_bytes().to_vec())
    } else {
        Input::File(source.extract::<PathBuf>().map_err(|_| {
            pyo3::exceptions::PyTypeError::new_err(
                "source must be a path (str or os.PathLike) or bytes",
            )
        })?)
    };
    let result = py.detach(|| -> Result<Vec<u8>, newsclip::Error> {
        let (bytes, shown) = match input {
            Input::File(path) => {
                let shown = name.unwrap_or_else(|| path.display().to_string());
                let bytes =
                    std::fs::read(&path).map_err(|e| newsclip::Error::io(e, shown.as_str()))?;
                (bytes, shown)
            }
            Input::Bytes(bytes) => (bytes, name.unwrap_or_else(|| "<bytes>".to_string())),
        };
        let doc = pipeline::process_bytes(&bytes, &shown, &options)?;
        let mut out = Vec::new();
        output::write_document(&mut out, &doc, format)
            .map_err(|e| newsclip::Error::io(e, shown.as_str()))?;
        Ok(out)
    });
    match result {
        Ok(out) => Ok(PyBytes::new(py, &out)),
        Err(e) => Err(to_py_error(py, e)),
    }
}

/// check_options(*, encoding=None, engine="auto", lang=None, ocr="auto",
/// ppocr_dir=None): raises ValueError for a value `extract` and
/// `process_one` would refuse (a driver checks once, before the cluster).
#[pyfunction]
#[pyo3(signature = (*, encoding=None, engine="auto", lang=None, ocr="auto", ppocr_dir=None))]
fn check_options(
    encoding: Option<&str>,
    engine: &str,
    lang: Option<String>,
    ocr: &str,
    ppocr_dir: Option<PathBuf>,
) -> PyResult<()> {
    parse_options(encoding, engine, lang, ocr, ppocr_dir).map(|_| ())
}

fn to_json<T: serde::Serialize>(value: &T) -> PyResult<String> {
    serde_json::to_string(value).map_err(|e| PyValueError::new_err(e.to_string()))
}

fn spec_json(spec: &batch::InputSpec) -> serde_json::Value {
    serde_json::json!({
        "id": spec.id,
        "path": spec.path.to_string_lossy(),
        "output": spec.output.as_ref().map(|o| o.to_string_lossy()),
    })
}

/// plan(*, manifest, output, format="json", shard=None, resume=False,
/// journal=None) -> str
///
/// The batch core's plan of a manifest run into the folder `output`, as
/// JSON: `{"inputs": [{"id", "path", "output"}...], "skipped": [...],
/// "other_shards": N, "journal": PATH, "walk_errors": [...]}`. The same
/// names, refusals, `--shard K/N` and `--resume` rules as `newsclip
/// extract --manifest`; raises PlanError when the CLI would refuse the run.
#[pyfunction]
#[pyo3(signature = (*, manifest, output, format="json", shard=None, resume=false, journal=None))]
fn plan(
    py: Python<'_>,
    manifest: PathBuf,
    output: PathBuf,
    format: &str,
    shard: Option<&str>,
    resume: bool,
    journal: Option<PathBuf>,
) -> PyResult<String> {
    let format = parse_format(format)?;
    let shard = shard
        .map(|s| s.parse::<batch::Shard>())
        .transpose()
        .map_err(PlanError::new_err)?;
    let request = batch::PlanRequest {
        arguments: Vec::new(),
        manifest: Some(manifest),
        output: Some(output),
        format,
        shard,
        resume,
        journal,
    };
    // Planning reads the manifest, searches folders and the journal.
    let planned = py
        .detach(|| batch::plan(&request))
        .map_err(|e| PlanError::new_err(e.to_string()))?;
    to_json(&serde_json::json!({
        "inputs": planned.inputs.iter().map(spec_json).collect::<Vec<_>>(),
        "skipped": planned.skipped.iter().map(spec_json).collect::<Vec<_>>(),
        "other_shards": planned.other_shards,
        "journal": planned.journal.as_ref().map(|j| j.to_string_lossy()),
        "walk_errors": planned.walk_errors,
    }))
}

/// process_one(spec, *, format="json", encoding=None, engine="auto",
/// lang=None, ocr="auto", ppocr_dir=None) -> str
///
/// One input of a batch (`spec`: a dict with `id`, `path`, `output`) read,
/// processed and written by the batch core (atomically), with the GIL
/// released; returns its journal record as JSON. A bad input is a
/// `failed` record, not an exception.
#[pyfunction]
#[pyo3(signature = (spec, *, format="json", encoding=None, engine="auto", lang=None, ocr="auto", ppocr_dir=None))]
#[allow(clippy::too_many_arguments)] // the CLI's options, as keywords
fn process_one(
    py: Python<'_>,
    spec: &Bound<'_, PyDict>,
    format: &str,
    encoding: Option<&str>,
    engine: &str,
    lang: Option<String>,
    ocr: &str,
    ppocr_dir: Option<PathBuf>,
) -> PyResult<String> {
    let mut options = parse_options(encoding, engine, lang, ocr, ppocr_dir)?;
    let format = parse_format(format)?;
    options.keep_layout = format.needs_layout();
    let field = |key: &str| -> PyResult<Option<Bound<'_, PyAny>>> {
        Ok(spec.get_item(key)?.filter(|v| !v.is_none()))
    };
    let missing = |key: &str| PyValueError::new_err(format!("spec has no '{key}'"));
    let spec = batch::InputSpec {
        id: field("id")?.ok_or_else(|| missing("id"))?.extract()?,
        path: field("path")?.ok_or_else(|| missing("path"))?.extract()?,
        output: field("output")?.map(|o| o.extract()).transpose()?,
    };
    let record = py.detach(|| batch::process_one(&spec, format, &options));
    to_json(&record)
}

/// The run journal (JSON Lines), appended by one process: the batch core's
/// `Journal` (one whole line per write, flushed).
#[pyclass(module = "newsclip._core")]
struct Journal {
    inner: batch::Journal,
}

#[pymethods]
impl Journal {
    /// Opens (or creates) the journal for appending.
    #[new]
    fn new(path: PathBuf) -> PyResult<Journal> {
        batch::Journal::open(&path)
            .map(|inner| Journal { inner })
            .map_err(|e| {
                PyOSError::new_err(format!("{}: cannot open the journal: {e}", path.display()))
            })
    }

    /// Appends one record, given as JSON (checked against the record's
    /// fields: a record the CLI could not read back is refused).
    fn append(&self, py: Python<'_>, record: &str) -> PyResult<()> {
        let record: batch::JournalRecord = serde_json::from_str(record)
            .map_err(|e| PyValueError::new_err(format!("not a journal record: {e}")))?;
        py.detach(|| self.inner.append(&record)).map_err(|e| {
            PyOSError::new_err(format!(
                "{}: cannot write the journal: {e}",
                self.inner.path().display()
            ))
        })
    }

    #[getter]
    fn path(&self) -> String {
        self.inner.path().to_string_lossy().into_owned()
    }
}

/// read_journal(path) -> str: the last record of each input id, as a JSON
/// object keyed by id (a missing journal is empty; a torn line is ignored).
#[pyfunction]
fn read_journal(py: Python<'_>, path: PathBuf) -> PyResult<String> {
    let records = py.detach(|| batch::read_journal(&path)).map_err(|e| {
        PyOSError::new_err(format!("{}: cannot read the journal: {e}", path.display()))
    })?;
    to_json(
        &records
            .into_iter()
            .collect::<std::collections::BTreeMap<_, _>>(),
    )
}

#[pymodule]
fn _core(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add("__version__", env!("CARGO_PKG_VERSION"))?;
    m.add("NewsclipError", m.py().get_type::<NewsclipError>())?;
    m.add("PlanError", m.py().get_type::<PlanError>())?;
    m.add_function(wrap_pyfunction!(extract, m)?)?;
    m.add_function(wrap_pyfunction!(check_options, m)?)?;
    m.add_function(wrap_pyfunction!(plan, m)?)?;
    m.add_function(wrap_pyfunction!(process_one, m)?)?;
    m.add_function(wrap_pyfunction!(read_journal, m)?)?;
    m.add_class::<Journal>()?;
    Ok(())
}
