//! The `newsclip` command: arguments, reading inputs, writing outputs,
//! progress and exit codes. No pipeline logic lives here.
//!
//! Exit codes (the same table is in the README):
//! - 0: every input was read whole and written (or skipped by `--resume`);
//! - 1: at least one input failed (unreadable, not a regular file, not an
//!   input newsclip reads, a folder entry that could not be searched); the
//!   others were still processed and written;
//! - 2: usage error (bad arguments, output collisions, an output that is
//!   an input), or an output, the journal or standard output could not be
//!   written;
//! - 3: no input failed, but some pages did (timeout, memory limit,
//!   damaged page, OCR not available): their inputs are written without
//!   them, recorded as `partial`.
//!
//! When several apply, the lowest non-zero code of 2, 1, 3 in that order
//! wins: 2 before 1 before 3.

use std::fs;
use std::io::{self, IsTerminal, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Mutex;

use clap::{Parser, Subcommand};

use newsclip::batch;
use newsclip::eval;
use newsclip::extract::decode;
use newsclip::extract::ocr::{EngineKind, OcrMode};
use newsclip::model::Document;
use newsclip::output::{self, Format};
use newsclip::pipeline::{self, Options};

#[derive(Parser)]
#[command(
    name = "newsclip",
    version,
    about = "Newspaper pages to clean, article-level structured data"
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Find the articles in newspaper pages: text dumps, PDFs (born-digital
    /// or scanned) and page images (PNG, JPEG, TIFF), by OCR where needed.
    Extract(Box<ExtractArgs>),
    /// Score a prediction against a gold file (or directories of them).
    Eval(EvalArgs),
    /// Show the role layout gave each line of a dump (for tuning rules on
    /// your own pages).
    Lines(LinesArgs),
    /// Draw what layout decided over each page (blocks by role, regions,
    /// separators, figures, reading order) as DIR/<stem>-p<N>.png, with the
    /// same facts as DIR/<stem>-p<N>.json.
    Debug(DebugArgs),
}

#[derive(clap::Args)]
struct DebugArgs {
    /// PDFs, page images (read by OCR) or text dumps (JSON only).
    #[arg(required = true)]
    inputs: Vec<PathBuf>,
    /// Folder to write into (created when missing).
    #[arg(short, long, value_name = "DIR")]
    output: PathBuf,
}

#[derive(clap::Args)]
struct LinesArgs {
    /// A text dump, a PDF, a page image (read by OCR) or an ALTO file.
    input: PathBuf,
}

#[derive(clap::Args)]
struct ExtractArgs {
    /// Files, directories (searched recursively for .txt dumps, .pdf files,
    /// .png/.jpg/.tif images, .xml ALTO/METS and .hocr files) or `-` for
    /// standard input.
    #[arg(required_unless_present_any = ["manifest", "worker_input"])]
    inputs: Vec<PathBuf>,
    /// Output file (one input) or directory (several inputs, a directory
    /// input or a manifest; outputs mirror the input tree and keep the
    /// input's extension: d/a.pdf -> OUT/d/a.pdf.json); standard output
    /// when absent or `-`.
    #[arg(short, long)]
    output: Option<PathBuf>,
    #[arg(long, value_enum, default_value = "json")]
    format: Format,
    /// Indent JSON output (the default on a terminal; files and pipes get
    /// compact JSON, one line per document).
    #[arg(long)]
    pretty: bool,
    /// Decode dumps with this encoding (utf-8, gb18030, gbk, utf-16le...)
    /// instead of detecting it.
    #[arg(long)]
    encoding: Option<String>,
    /// Inputs processed at once; 0 means one per core.
    #[arg(short, long, default_value_t = 0)]
    jobs: usize,
    /// No progress bar.
    #[arg(short, long)]
    quiet: bool,
    /// A list of inputs: one path a line, or JSON Lines with `id`, `path`
    /// and optional `output` (relative paths from the manifest's folder).
    #[arg(long, value_name = "FILE")]
    manifest: Option<PathBuf>,
    /// Process only part K of N (1 <= K <= N) of the inputs, split by a
    /// stable hash of their ids (for N machines or a Slurm array).
    #[arg(long, value_name = "K/N")]
    shard: Option<batch::Shard>,
    /// Skip inputs the journal records as done whose output is in place;
    /// redo the others.
    #[arg(long)]
    resume: bool,
    /// Run journal (JSON Lines, one record per input). Default, when
    /// writing to a folder: OUT/newsclip-journal.jsonl
    /// (newsclip-journal-K-of-N.jsonl with --shard).
    #[arg(long, value_name = "PATH")]
    journal: Option<PathBuf>,
    /// A page still running after this many seconds is given up (recorded
    /// as failed, naming file and page); the other pages and inputs go on.
    /// Each input is then read by a worker process (needs -o).
    #[arg(long, value_name = "SECONDS")]
    page_timeout: Option<f64>,
    /// Memory (address space) each worker may use, in MB; a page that
    /// needs more is given up like a page past the timeout (needs -o).
    #[arg(long, value_name = "MB")]
    max_memory: Option<u64>,
    /// An input still running after this many seconds is given up: pages
    /// not yet started are not read (recorded as failed, naming file and
    /// page) and the batch goes on. With -o, each input then runs in a
    /// worker process that is stopped at the limit even inside a page.
    /// Default 3600 (pages only); 0: no limit.
    #[arg(long, value_name = "SECONDS")]
    timeout: Option<f64>,
    /// Memory for page images decoded and read at once, in MB, across all
    /// inputs of the run: pages wait for their share, so `-j 8` over huge
    /// scans holds only what fits. Default: half the machine's memory (or
    /// of the container's limit).
    #[arg(long, value_name = "MB")]
    memory_budget: Option<u64>,
    /// Progress: auto (a bar on a terminal), bar, jsonl (JSON lines on
    /// standard error, for machines), none.
    #[arg(long, value_enum, default_value = "auto")]
    progress: ProgressArg,
    /// Worker mode (internal): read this one input for a supervising run.
    #[arg(long, hide = true, value_name = "PATH")]
    worker_input: Option<PathBuf>,
    #[arg(long, hide = true)]
    worker_id: Option<String>,
    #[arg(long, hide = true)]
    worker_output: Option<PathBuf>,
    /// PAGE=REASON: a page to leave out, and why.
    #[arg(long, hide = true)]
    worker_skip: Vec<String>,
    /// Bytes.
    #[arg(long, hide = true)]
    worker_max_memory: Option<u64>,
    /// OCR engine for images and scanned pages: auto (languages from a
    /// sample; PP-OCR for Chinese when it is installed, Tesseract for
    /// Latin-only pages), tesseract, ppocr.
    #[arg(long, value_enum, default_value = "auto")]
    engine: EngineArg,
    /// Folder of the PP-OCR models and libonnxruntime (installed by
    /// scripts/fetch-ppocr). Default: $NEWSCLIP_PPOCR_DIR, else
    /// $XDG_CACHE_HOME/newsclip/ppocr, else ~/.cache/newsclip/ppocr.
    #[arg(long, value_name = "DIR")]
    ppocr_dir: Option<PathBuf>,
    /// OCR languages, Tesseract style (`chi_sim+eng`, `eng`). Default:
    /// chosen per page among chi_sim, eng and chi_sim+eng from a quick pass.
    #[arg(short = 'l', long = "lang")]
    lang: Option<String>,
    /// When to OCR: auto (images and PDF pages without a text layer),
    /// always (also re-read pages whose text is an invisible OCR layer),
    /// never.
    #[arg(long, value_enum, default_value = "auto")]
    ocr: OcrArg,
}

#[derive(Clone, Copy, clap::ValueEnum)]
enum EngineArg {
    Auto,
    Tesseract,
    Ppocr,
}

#[derive(Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
enum ProgressArg {
    Auto,
    Bar,
    Jsonl,
    None,
}

#[derive(Clone, Copy, clap::ValueEnum)]
enum OcrArg {
    Auto,
    Always,
    Never,
}

#[derive(clap::Args)]
struct EvalArgs {
    /// Gold document, or a directory of `NAME.gold.json` / `NAME.json`
    /// (with --gold-mets: the predicted document only).
    gold: PathBuf,
    /// Predicted document, or a directory of `NAME.json` (or `NAME.EXT.json`).
    #[arg(required_unless_present = "gold_mets")]
    pred: Option<PathBuf>,
    /// Take the gold articles from a METS issue and its ALTO files (one per
    /// ARTICLE div); the one positional argument is then the prediction.
    #[arg(long, value_name = "METS")]
    gold_mets: Option<PathBuf>,
    /// Print the report as JSON.
    #[arg(long)]
    json: bool,
}

/// Tesseract's OpenMP threads busy-wait: with one OpenMP thread per core on
/// top of our one page per core, a page took 2.4 times longer on two cores.
/// libgomp reads `OMP_THREAD_LIMIT` once, when it is loaded, and it is
/// loaded with libtesseract, which is opened at run time only when a page
/// needs OCR (src/extract/ocr/tesseract.rs). Setting the variable here, first
/// thing in `main` while the process has a single thread (before the rayon
/// pool or any OCR), is therefore early enough and race-free. A value the
/// user set is kept.
fn limit_openmp_threads() {
    const VAR: &str = "OMP_THREAD_LIMIT";
    if std::env::var_os(VAR).is_none() {
        std::env::set_var(VAR, "1");
    }
}

fn main() -> ExitCode {
    limit_openmp_threads();
    let cli = Cli::parse();
    match cli.command {
        Command::Extract(mut args) => {
            // `-o -` is standard output, as for the inputs.
            if args.output.as_deref().is_some_and(|o| o.as_os_str() == "-") {
                args.output = None;
            }
            if args.pretty || (args.output.is_none() && io::stdout().is_terminal()) {
                args.format = args.format.pretty();
            }
            run_extract(*args)
        }
        Command::Eval(args) => run_eval(args),
        Command::Lines(args) => run_lines(args),
        Command::Debug(args) => run_debug(args),
    }
}

fn run_extract(args: ExtractArgs) -> ExitCode {
    let encoding = match &args.encoding {
        Some(label) => match decode::encoding_by_label(label) {
            Some(e) => Some(e),
            None => {
                eprintln!("newsclip: unknown encoding '{label}' (try utf-8, gb18030, gbk, big5, utf-16le, utf-16be)");
                return ExitCode::from(2);
            }
        },
        None => None,
    };
    let ocr = newsclip::extract::ocr::OcrOptions {
        engine: match args.engine {
            EngineArg::Auto => EngineKind::Auto,
            EngineArg::Tesseract => EngineKind::Tesseract,
            EngineArg::Ppocr => EngineKind::PpOcr,
        },
        lang: args.lang.clone().filter(|l| !l.is_empty() && l != "auto"),
        mode: match args.ocr {
            OcrArg::Auto => OcrMode::Auto,
            OcrArg::Always => OcrMode::Always,
            OcrArg::Never => OcrMode::Never,
        },
        ppocr_dir: args.ppocr_dir.clone(),
    };
    let seconds = args.timeout.unwrap_or(DEFAULT_TIMEOUT_SECONDS);
    if !(seconds.is_finite() && seconds >= 0.0) {
        eprintln!("newsclip: --timeout {seconds}: give a number of seconds (0: no limit)");
        return ExitCode::from(2);
    }
    let mut options = Options {
        encoding,
        ocr,
        keep_layout: args.format.needs_layout(),
        ..Options::default()
    };
    if seconds > 0.0 {
        options.pages.time_limit = Some(newsclip::pipeline::TimeLimit {
            started: std::time::Instant::now(),
            seconds,
        });
    }
    if let Some(mb) = args.memory_budget {
        if mb == 0 {
            eprintln!("newsclip: --memory-budget 0: give a number of MB above 0");
            return ExitCode::from(2);
        }
        newsclip::memory::set_budget(mb.saturating_mul(1_000_000));
    }
    if let Some(input) = &args.worker_input {
        return run_worker(&args, input, options);
    }
    let request = batch::PlanRequest {
        arguments: args.inputs.clone(),
        manifest: args.manifest.clone(),
        output: args.output.clone(),
        format: args.format,
        shard: args.shard,
        resume: args.resume,
        journal: args.journal.clone(),
    };
    let plan = match batch::plan(&request) {
        Ok(p) => p,
        Err(e) => {
            eprintln!("newsclip: {e}");
            return ExitCode::from(2);
        }
    };
    for e in &plan.walk_errors {
        eprintln!("newsclip: {e}");
    }
    if args.format.needs_path() && plan.inputs.iter().any(|s| s.output.is_none()) {
        eprintln!(
            "newsclip: --format {} writes several files per input: give an output path with -o",
            args.format.extension().trim_end_matches(".xml")
        );
        return ExitCode::from(2);
    }
    let nothing_found = plan.inputs.is_empty() && plan.skipped.is_empty() && plan.other_shards == 0;
    if nothing_found {
        eprintln!("newsclip: no input files found (folders are searched for .txt, .pdf, .png, .jpg, .tif, .xml and .hocr files)");
        return ExitCode::from(1);
    }
    let journal = match plan
        .journal
        .as_deref()
        .map(batch::Journal::open)
        .transpose()
    {
        Ok(j) => j,
        Err(e) => {
            let path = plan.journal.as_deref().unwrap_or(Path::new(""));
            eprintln!("newsclip: {}: cannot open the journal: {e}", path.display());
            return ExitCode::from(2);
        }
    };
    let isolation = match isolation(&args, &plan) {
        Ok(i) => i,
        Err(e) => {
            eprintln!("newsclip: {e}");
            return ExitCode::from(2);
        }
    };
    let pool = match rayon::ThreadPoolBuilder::new()
        .num_threads(args.jobs)
        .build()
    {
        Ok(p) => p,
        Err(e) => {
            eprintln!("newsclip: cannot start worker threads: {e}");
            return ExitCode::from(2);
        }
    };
    let total = plan.inputs.len();
    let show = match args.progress {
        ProgressArg::Auto if args.quiet => ProgressArg::None,
        ProgressArg::Auto if total > 1 && io::stderr().is_terminal() => ProgressArg::Bar,
        ProgressArg::Auto => ProgressArg::None,
        other => other,
    };
    let bar = (show == ProgressArg::Bar).then(|| {
        let bar = indicatif::ProgressBar::new(total as u64);
        bar.set_style(
            indicatif::ProgressStyle::with_template(
                "{bar:30} {pos}/{len} inputs, {msg} {elapsed} (eta {eta})",
            )
            .unwrap_or_else(|_| indicatif::ProgressStyle::default_bar()),
        );
        bar
    });
    let report = |msg: &str| match &bar {
        Some(bar) => bar.suspend(|| eprintln!("newsclip: {msg}")),
        None => eprintln!("newsclip: {msg}"),
    };
    let started = std::time::Instant::now();
    let tally = Mutex::new(Tally::default());
    let on_record = |record: &batch::JournalRecord| {
        let Ok(mut t) = tally.lock() else { return };
        t.add(record);
        let seconds = started.elapsed().as_secs_f64();
        let pages_per_second = t.pages as f64 / seconds.max(1e-9);
        // Inputs left at the rate so far (pages per input vary too much
        // for a page-based estimate before the pages are known).
        let finished = t.done + t.partial + t.failed;
        let eta = (total - finished) as f64 * seconds / finished.max(1) as f64;
        match show {
            ProgressArg::Bar => {
                if let Some(bar) = &bar {
                    bar.set_message(format!(
                        "{} pages, {pages_per_second:.1} pages/s, {} failed",
                        t.pages,
                        t.failed + t.partial
                    ));
                    bar.inc(1);
                }
            }
            ProgressArg::Jsonl => {
                let line = serde_json::json!({
                    "event": "input",
                    "finished": finished,
                    "total": total,
                    "failed": t.failed,
                    "partial": t.partial,
                    "pages": t.pages,
                    "seconds": seconds,
                    "pages_per_second": pages_per_second,
                    "eta_seconds": eta,
                    "record": record,
                });
                eprintln!("{line}");
            }
            _ => {}
        }
        if record.status != batch::Status::Done {
            if let Some(e) = &record.error {
                if record.status == batch::Status::Partial {
                    report(&format!("warning: {e}"));
                } else {
                    report(e);
                }
            }
        }
    };
    let stdout = io::stdout();
    let stdout_failed = AtomicBool::new(false);
    let sink = |doc: &Document| -> io::Result<()> {
        let mut out = stdout.lock();
        let written = output::write_document(&mut out, doc, args.format).and_then(|_| out.flush());
        if let Err(e) = &written {
            if !stdout_failed.swap(true, Ordering::Relaxed) && e.kind() != io::ErrorKind::BrokenPipe
            {
                report(&format!("cannot write to standard output: {e}"));
            }
        }
        written
    };
    let summary = pool.install(|| {
        batch::run(
            &plan.inputs,
            args.format,
            &options,
            isolation.as_ref(),
            journal.as_ref(),
            &on_record,
            &sink,
        )
    });
    if let Some(bar) = bar {
        bar.finish_and_clear();
    }
    let seconds = started.elapsed().as_secs_f64();
    let failed = summary.failed + plan.walk_errors.len();
    match show {
        ProgressArg::Jsonl => eprintln!(
            "{}",
            serde_json::json!({
                "event": "summary",
                "done": summary.done,
                "partial": summary.partial,
                "failed": failed,
                "skipped": plan.skipped.len(),
                "other_shards": plan.other_shards,
                "pages": summary.pages,
                "seconds": seconds,
            })
        ),
        _ if args.quiet || total + plan.skipped.len() < 2 => {}
        _ => eprintln!(
            "newsclip: summary: {} done, {} partial, {failed} failed, {} skipped; {} pages in {seconds:.1} s",
            summary.done,
            summary.partial,
            plan.skipped.len(),
            summary.pages
        ),
    }
    if summary.output_failed {
        ExitCode::from(2)
    } else if failed > 0 {
        ExitCode::from(1)
    } else if summary.partial > 0 {
        ExitCode::from(3)
    } else {
        ExitCode::SUCCESS
    }
}

/// Counts for progress.
#[derive(Default)]
struct Tally {
    done: usize,
    partial: usize,
    failed: usize,
    pages: u64,
}

impl Tally {
    fn add(&mut self, record: &batch::JournalRecord) {
        match record.status {
            batch::Status::Done => self.done += 1,
            batch::Status::Partial => self.partial += 1,
            batch::Status::Failed => self.failed += 1,
        }
        self.pages += u64::from(record.pages);
    }
}

/// `--timeout` when not given: an hour, far beyond any page's needs (a
/// scanned page takes seconds), so that only a pathological input meets it.
const DEFAULT_TIMEOUT_SECONDS: f64 = 3600.0;

/// The worker processes of `--page-timeout` / `--max-memory`: this same
/// program, given the same arguments (so every pipeline option carries
/// over) and the one input to read.
fn isolation(args: &ExtractArgs, plan: &batch::Plan) -> Result<Option<batch::Isolation>, String> {
    let to_files = plan.inputs.iter().all(|s| s.output.is_some());
    // An explicit --timeout is enforced by workers when outputs go to
    // files (a worker can be stopped inside a page; a thread cannot).
    let input_timeout = args
        .timeout
        .filter(|t| *t > 0.0 && t.is_finite())
        .map(std::time::Duration::from_secs_f64);
    let page_limits = args.page_timeout.is_some() || args.max_memory.is_some();
    if !page_limits && (input_timeout.is_none() || !to_files) {
        return Ok(None);
    }
    if plan.inputs.iter().any(|s| s.output.is_none()) {
        return Err("--page-timeout and --max-memory need outputs written to files (-o)".into());
    }
    let page_timeout = match args.page_timeout {
        Some(t) if t.is_finite() && t > 0.0 => Some(std::time::Duration::from_secs_f64(t)),
        Some(t) => {
            return Err(format!(
                "--page-timeout {t}: give a number of seconds above 0"
            ))
        }
        None => None,
    };
    let exe = std::env::current_exe().map_err(|e| format!("cannot find this program: {e}"))?;
    // Inputs after a `--` are left out: the worker reads only its own, and
    // its flags must not land after a `--`.
    let mut command = vec![exe.into_os_string()];
    command.extend(std::env::args_os().skip(1).take_while(|a| a != "--"));
    Ok(Some(batch::Isolation {
        command,
        input_timeout,
        page_timeout,
        max_memory: args.max_memory.map(|mb| mb.saturating_mul(1_000_000)),
    }))
}

/// Worker mode: one input, its pages one at a time, the memory limited;
/// what happens is told on standard output (src/batch.rs).
fn run_worker(args: &ExtractArgs, input: &Path, mut options: Options) -> ExitCode {
    if let Some(bytes) = args.worker_max_memory {
        if let Err(e) = batch::worker::limit_memory(bytes) {
            eprintln!("newsclip: cannot limit memory: {e}");
            return ExitCode::from(2);
        }
    }
    for skip in &args.worker_skip {
        if let Some((page, why)) = skip.split_once('=') {
            if let Ok(page) = page.parse() {
                options.pages.skip.push((page, why.to_string()));
            }
        }
    }
    let spec = batch::InputSpec {
        id: args.worker_id.clone().unwrap_or_default(),
        path: input.to_path_buf(),
        output: args.worker_output.clone(),
    };
    let pool = match rayon::ThreadPoolBuilder::new().num_threads(1).build() {
        Ok(p) => p,
        Err(e) => {
            eprintln!("newsclip: cannot start a thread: {e}");
            return ExitCode::from(2);
        }
    };
    pool.install(|| batch::worker::run(&spec, args.format, options));
    ExitCode::SUCCESS
}

fn load_document(path: &Path) -> Result<Document, String> {
    let bytes = fs::read(path).map_err(|e| format!("{}: {e}", path.display()))?;
    serde_json::from_slice(&bytes)
        .map_err(|e| format!("{}: not a newsclip document: {e}", path.display()))
}

/// Pairs gold and predicted files: two files, or two directories where
/// `NAME.gold.json` (or, in a folder without those, `NAME.json`) in GOLD
/// pairs with `NAME.json` or `NAME.EXT.json` (as `extract` names the output
/// of `NAME.EXT`) in PRED.
fn eval_pairs(gold: &Path, pred: &Path) -> Result<Vec<(PathBuf, PathBuf)>, String> {
    if !gold.is_dir() {
        return Ok(vec![(gold.to_path_buf(), pred.to_path_buf())]);
    }
    if !pred.is_dir() {
        return Err(format!(
            "{} is a directory, so {} must be one too",
            gold.display(),
            pred.display()
        ));
    }
    let mut pairs = Vec::new();
    let mut entries: Vec<PathBuf> = fs::read_dir(gold)
        .map_err(|e| format!("{}: {e}", gold.display()))?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|e| e == "json"))
        .collect();
    // A fixture folder holds other JSON beside its gold (`NAME.jumps.json`):
    // where `*.gold.json` files are present, they alone are the gold.
    let is_gold = |p: &PathBuf| {
        p.file_name()
            .and_then(|n| n.to_str())
            .is_some_and(|n| n.ends_with(".gold.json"))
    };
    if entries.iter().any(is_gold) {
        entries.retain(is_gold);
    }
    entries.sort();
    for g in entries {
        let name = g.file_name().and_then(|n| n.to_str()).unwrap_or_default();
        let stem = name.trim_end_matches(".json").trim_end_matches(".gold");
        let p = prediction_for(pred, stem).ok_or_else(|| {
            format!(
                "{}: no prediction {} (or {}) for it",
                g.display(),
                pred.join(format!("{stem}.json")).display(),
                pred.join(format!("{stem}.<ext>.json")).display()
            )
        })?;
        pairs.push((g, p));
    }
    if pairs.is_empty() {
        return Err(format!("{}: no .json gold files", gold.display()));
    }
    Ok(pairs)
}

/// The prediction for gold `STEM`: `PRED/STEM.json`, else the output
/// `extract` wrote for an input `STEM.EXT` (`PRED/STEM.EXT.json`, when
/// exactly one such input kind is there).
fn prediction_for(pred: &Path, stem: &str) -> Option<PathBuf> {
    let plain = pred.join(format!("{stem}.json"));
    if plain.is_file() {
        return Some(plain);
    }
    let mut found = fs::read_dir(pred).ok()?.filter_map(|e| {
        let path = e.ok()?.path();
        let name = path.file_name()?.to_str()?;
        let input = name.strip_suffix(".json")?;
        let ext = input.strip_prefix(stem)?.strip_prefix('.')?;
        (!ext.contains('.') && batch::is_input_file(Path::new(input))).then_some(path)
    });
    let first = found.next()?;
    found.next().is_none().then_some(first)
}

/// The gold document of a METS issue; areas not found in the ALTO files
/// are reported on stderr (scoring goes on without them).
fn load_mets_gold(path: &Path) -> Result<Document, String> {
    let bytes = fs::read(path).map_err(|e| format!("{}: {e}", path.display()))?;
    let gold = eval::mets_gold::gold_from_mets(&bytes, &path.display().to_string())
        .map_err(|e| e.to_string())?;
    for w in &gold.document.warnings {
        eprintln!("newsclip: warning: {}", w.message);
    }
    Ok(gold.document)
}

fn run_eval(args: EvalArgs) -> ExitCode {
    let pairs = match (&args.gold_mets, &args.pred) {
        (Some(mets), None) => match (load_mets_gold(mets), load_document(&args.gold)) {
            (Ok(g), Ok(p)) => return print_report(&eval::evaluate(&g, &p), args.json),
            (Err(e), _) | (_, Err(e)) => {
                eprintln!("newsclip: {e}");
                return ExitCode::from(1);
            }
        },
        (Some(_), Some(_)) => {
            eprintln!("newsclip: with --gold-mets give only the prediction");
            return ExitCode::from(2);
        }
        (None, None) => {
            eprintln!("newsclip: give GOLD and PRED");
            return ExitCode::from(2);
        }
        (None, Some(pred)) => eval_pairs(&args.gold, pred),
    };
    let pairs = match pairs {
        Ok(p) => p,
        Err(e) => {
            eprintln!("newsclip: {e}");
            return ExitCode::from(1);
        }
    };
    let mut docs = Vec::new();
    for (g, p) in &pairs {
        match (load_document(g), load_document(p)) {
            (Ok(g), Ok(p)) => docs.push((g, p)),
            (Err(e), _) | (_, Err(e)) => {
                eprintln!("newsclip: {e}");
                return ExitCode::from(1);
            }
        }
    }
    print_report(&eval::evaluate_many(&docs), args.json)
}

fn print_report(report: &eval::Report, json: bool) -> ExitCode {
    let text = if json {
        match serde_json::to_string_pretty(&report) {
            Ok(s) => s,
            Err(e) => {
                eprintln!("newsclip: {e}");
                return ExitCode::from(2);
            }
        }
    } else {
        report.to_table()
    };
    let mut out = io::stdout().lock();
    if writeln!(out, "{text}").is_err() {
        return ExitCode::from(2);
    }
    ExitCode::SUCCESS
}

fn run_lines(args: LinesArgs) -> ExitCode {
    let pages = match fs::read(&args.input)
        .map_err(|e| newsclip::Error::io(e, &args.input))
        .and_then(|b| {
            if pipeline::is_pdf(&b) {
                pipeline::pdf_layout(&b).map_err(|e| e.with_path(&args.input))
            } else if newsclip::extract::ocr::input::sniff(&b).is_some() {
                pipeline::image_layout(&b, &Default::default())
                    .map_err(|e| e.with_path(&args.input))
            } else if newsclip::extract::alto::is_alto(&b) {
                let shown = args.input.display().to_string();
                newsclip::extract::alto::read_alto(&b, &shown).map(|f| {
                    f.pages
                        .iter()
                        .enumerate()
                        .map(|(i, p)| pipeline::lay_out_alto_page(p, i as u32 + 1))
                        .collect()
                })
            } else {
                decode::decode(&b, None)
                    .map(|d| pipeline::dump_layout(&d.text))
                    .map_err(|e| e.with_path(&args.input))
            }
        }) {
        Ok(p) => p,
        Err(e) => {
            eprintln!("newsclip: {e}");
            return ExitCode::from(1);
        }
    };
    let mut out = io::stdout().lock();
    for page in pages {
        for (b, block) in page.blocks.iter().enumerate() {
            for line in &block.lines {
                let measure = block
                    .measure
                    .map(|m| format!("{m:5.1}"))
                    .unwrap_or_else(|| "    -".into());
                let width = line
                    .width
                    .unwrap_or_else(|| newsclip::script::line_shape(&line.text).0);
                let role = format!("{:?}", line.role);
                if writeln!(
                    out,
                    "p{} b{b:<3} {role:<10} {width:5.1}/{measure} {}",
                    page.number, line.text
                )
                .is_err()
                {
                    return ExitCode::from(2);
                }
            }
        }
    }
    ExitCode::SUCCESS
}

/// Writes `bytes` through a temporary file and a rename (see
/// `output::write_file`).
fn write_bytes_atomically(path: &Path, bytes: &[u8]) -> io::Result<()> {
    let mut tmp = path.as_os_str().to_owned();
    tmp.push(".part");
    let tmp = PathBuf::from(tmp);
    fs::write(&tmp, bytes)?;
    fs::rename(&tmp, path)
}

/// `newsclip debug`: one PNG (not for dumps) and one JSON per page. A bad
/// input is reported and the others go on (exit 1); an output that cannot
/// be written stops the run (exit 2).
fn run_debug(args: DebugArgs) -> ExitCode {
    use newsclip::debug;
    if let Err(e) = fs::create_dir_all(&args.output) {
        eprintln!(
            "newsclip: {}: cannot create the folder: {e}",
            args.output.display()
        );
        return ExitCode::from(2);
    }
    let mut font_noted = false;
    let mut failed = false;
    for input in &args.inputs {
        let laid = fs::read(input)
            .map_err(|e| newsclip::Error::io(e, input))
            .and_then(|b| {
                debug::DebugInput::read(&b, &Default::default()).map_err(|e| e.with_path(input))
            });
        let laid = match laid {
            Ok(l) => l,
            Err(e) => {
                eprintln!("newsclip: {e}");
                failed = true;
                continue;
            }
        };
        let stem = input
            .file_stem()
            .map(|s| s.to_string_lossy().into_owned())
            .unwrap_or_else(|| "input".into());
        for page in &laid.pages {
            // Named by hand, not with_extension, which would cut a stem
            // that has a dot in it.
            let name = |ext: &str| args.output.join(format!("{stem}-p{}.{ext}", page.number));
            let facts = debug::page_facts(page);
            let json = serde_json::to_vec_pretty(&facts).unwrap_or_default();
            let mut written = write_bytes_atomically(&name("json"), &json);
            let backdrop = laid.backdrop(page).map(|b| {
                b.or_else(|e| {
                    let e = e.with_path(input).with_page(page.number);
                    eprintln!("newsclip: {e}; the layout is drawn on a blank page");
                    debug::blank_page(page).ok_or(e)
                })
            });
            if let Some(Ok((base, scale))) = backdrop {
                if debug::label_font().is_none() && !font_noted {
                    font_noted = true;
                    eprintln!("newsclip: note: no DejaVu Sans font found (Debian: fonts-dejavu-core), so the images carry no labels");
                }
                let overlay = debug::render_overlay(page, base, scale);
                let mut png = Vec::new();
                written = written.and_then(|_| {
                    overlay
                        .write_to(&mut io::Cursor::new(&mut png), image::ImageFormat::Png)
                        .map_err(io::Error::other)?;
                    write_bytes_atomically(&name("png"), &png)
                });
            }
            if let Err(e) = written {
                eprintln!("newsclip: {}: cannot write: {e}", args.output.display());
                return ExitCode::from(2);
            }
        }
    }
    if failed {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    }
}
