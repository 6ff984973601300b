//! OCR: page images to positioned words that enter layout like PDF glyphs.
//!
//! The contract, shared by every engine:
//! - input: a preprocessed 8-bit grayscale image ([`image::GrayImage`],
//!   row-major, 0 = black) and its resolution in dpi;
//! - output: [`OcrWord`]s in the engine's reading order, each with its text,
//!   its box in *image pixels* (top-left origin), a confidence in 0..=1 and
//!   the index of the text line (and paragraph) it belongs to.
//!
//! Everything else is shared and engine-independent: decoding image files
//! ([`input`]), preprocessing ([`preprocess`]: grayscale, border cleanup,
//! deskew, upscaling of low-resolution scans), choosing the languages of a
//! page, and mapping pixel boxes to page units ([`words_to_glyphs`]: PDF
//! points, top-left origin, as [`crate::model`] requires). So a second
//! engine (PP-OCR through ONNX Runtime) only implements [`OcrEngine`].
//!
//! Engines are created once per worker thread and kept (model loading costs
//! a second or more); pages are spread over the rayon pool, one page per
//! thread. Tesseract's own OpenMP threads must be limited to one
//! (`OMP_THREAD_LIMIT=1`): on two cores, OpenMP busy-waiting made one page
//! 2.4 times slower. libgomp reads the variable when it is loaded, before
//! `main`, so the `newsclip` binary re-executes itself with the variable set
//! (see `main.rs`); library users should set it in their environment.

pub mod gutters;
pub mod input;
pub mod language;
pub mod pictures;
pub mod ppocr;
pub mod preprocess;
pub mod tesseract;

use std::sync::Mutex;

use image::GrayImage;

use crate::error::{Error, ErrorKind, Result};
use crate::model::{Article, BBox, BodyKind, Glyph, LowConfidenceWord, Page, Warning};

/// Words below this confidence are listed in their paragraph's
/// `low_confidence` field.
pub const LOW_CONFIDENCE: f32 = 0.6;

/// Which OCR engine to use.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum EngineKind {
    /// PP-OCR when it is installed and the languages are its own
    /// (`chi_sim`, `eng`, or not given), Tesseract otherwise.
    #[default]
    Auto,
    Tesseract,
    /// PP-OCR through ONNX Runtime (see [`ppocr`]).
    PpOcr,
}

/// When to OCR.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum OcrMode {
    /// Images, and PDF pages without a text layer.
    #[default]
    Auto,
    /// Also PDF pages whose text is an invisible OCR layer over a scan
    /// (the layer is replaced by our own OCR).
    Always,
    /// Never: images are refused, scanned PDF pages skipped.
    Never,
}

/// OCR options (see `newsclip extract --help`).
#[derive(Debug, Clone, Default)]
pub struct OcrOptions {
    pub engine: EngineKind,
    /// Tesseract-style language list (`chi_sim+eng`); `None` chooses per
    /// page from a quick sample: `chi_sim`, `chi_sim+eng`, or a Latin
    /// language (`eng`, `deu`, `fra`, `ita`, `nld`) in Antiqua, or Fraktur
    /// (`frk`, `Fraktur`), among the installed models.
    pub lang: Option<String>,
    pub mode: OcrMode,
    /// Where the PP-OCR models and ONNX Runtime are; `None`: the default
    /// ([`ppocr::ppocr_dir`]).
    pub ppocr_dir: Option<std::path::PathBuf>,
}

impl OcrOptions {
    /// The PP-OCR folder in force.
    pub fn ppocr_dir(&self) -> std::path::PathBuf {
        self.ppocr_dir.clone().unwrap_or_else(ppocr::ppocr_dir)
    }
}

/// One recognised word, in image pixels.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct OcrWord {
    pub text: String,
    /// `[x0, y0, x1, y1]` in pixels, top-left origin.
    pub bbox: [f32; 4],
    /// 0..=1.
    pub confidence: f32,
    /// Index of the text line in the engine's output (words of one line
    /// share it, in reading order).
    pub line: u32,
    /// Index of the paragraph in the engine's output.
    pub paragraph: u32,
}

/// What an engine found on a page.
#[derive(Debug, Clone, Default, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct Recognition {
    /// Words in reading order.
    pub words: Vec<OcrWord>,
    /// Picture regions (photos, drawings) the engine's page analysis found,
    /// `[x0, y0, x1, y1]` in pixels; empty when the engine does not say.
    pub images: Vec<[f32; 4]>,
}

/// An OCR engine: instances are pooled and reused across pages, one page
/// at a time each.
pub trait OcrEngine {
    fn name(&self) -> &'static str;
    /// Recognise the words of `image` (8-bit gray, `dpi` dots per inch) in
    /// the languages `lang` (`chi_sim+eng`).
    fn recognize(&mut self, image: &GrayImage, dpi: f32, lang: &str) -> Result<Recognition>;
    /// Whether the models for `lang` are installed; an error says how to
    /// install what is missing.
    fn check_languages(&self, lang: &str) -> Result<()>;
}

/// Idle engines, shared by all threads: a page takes one (or creates one
/// when none is idle) and puts it back when done. The number of engines is
/// then the most pages ever read at once, which the run's memory budget
/// bounds (src/memory.rs), not the number of threads: each engine holds
/// its models (about 100 to 250 MB), and one per thread at `-j 8` was
/// most of a run's memory.
static IDLE_TESSERACT: Mutex<Vec<tesseract::Tesseract>> = Mutex::new(Vec::new());
static IDLE_PPOCR: Mutex<Vec<(std::path::PathBuf, ppocr::PpOcr)>> = Mutex::new(Vec::new());
/// Why PP-OCR could not be loaded from a folder, kept so that a missing
/// installation is looked for once, not at every page.
static PPOCR_LOAD_ERRORS: Mutex<Vec<(std::path::PathBuf, Error)>> = Mutex::new(Vec::new());

fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    // A panic while the list was held leaves it whole (push and pop only).
    m.lock().unwrap_or_else(|e| e.into_inner())
}

/// Runs `f` with an idle Tesseract engine, creating one when none is idle.
fn with_tesseract<T>(f: impl FnOnce(&mut dyn OcrEngine) -> Result<T>) -> Result<T> {
    let idle = lock(&IDLE_TESSERACT).pop();
    let mut engine = idle.unwrap_or_default();
    let result = f(&mut engine);
    lock(&IDLE_TESSERACT).push(engine);
    result
}

/// Runs `f` with an idle PP-OCR engine loaded from `dir`, loading one when
/// none is idle; the error says how to install a missing engine.
fn with_ppocr<T>(
    dir: &std::path::Path,
    f: impl FnOnce(&mut dyn OcrEngine) -> Result<T>,
) -> Result<T> {
    if let Some((_, e)) = lock(&PPOCR_LOAD_ERRORS).iter().find(|(d, _)| d == dir) {
        return Err(e.clone());
    }
    let idle = {
        let mut idle = lock(&IDLE_PPOCR);
        let at = idle.iter().position(|(d, _)| d == dir);
        at.map(|i| idle.swap_remove(i).1)
    };
    let mut engine = match idle {
        Some(e) => e,
        None => match ppocr::PpOcr::load(dir) {
            Ok(e) => e,
            Err(e) => {
                lock(&PPOCR_LOAD_ERRORS).push((dir.to_path_buf(), e.clone()));
                return Err(e);
            }
        },
    };
    let result = f(&mut engine);
    lock(&IDLE_PPOCR).push((dir.to_path_buf(), engine));
    result
}

/// Whether the PP-OCR engine loads from the options' folder (the error
/// says how to install it).
pub fn ppocr_available(options: &OcrOptions) -> Result<()> {
    with_ppocr(&options.ppocr_dir(), |_| Ok(()))
}

/// The language lists tried when the user gave none: the main language and
/// the evidence-driven alternatives.
const AUTO_CJK: &str = "chi_sim";
const AUTO_LATIN: &str = "eng";
const AUTO_BOTH: &str = "chi_sim+eng";

/// Checks up front that the engine and its language models are installed,
/// so that a missing engine is one clear error rather than one per page.
pub fn check_available(options: &OcrOptions) -> Result<()> {
    if options.engine == EngineKind::PpOcr {
        return with_ppocr(&options.ppocr_dir(), |e| match &options.lang {
            Some(l) => e.check_languages(l),
            None => Ok(()),
        });
    }
    with_tesseract(|e| match &options.lang {
        Some(l) => e.check_languages(l),
        // Auto needs chi_sim or a Latin model; see `choose_language`.
        None => std::iter::once(AUTO_CJK)
            .chain(LATIN_MODELS.iter().copied())
            .find(|l| e.check_languages(l).is_ok())
            .map(|_| ())
            .ok_or_else(|| {
                e.check_languages(AUTO_BOTH)
                    .err()
                    .unwrap_or_else(|| Error::new(ErrorKind::Unsupported, "no OCR model"))
            }),
    })
}

/// A page image with what is known of its geometry.
#[derive(Debug, Clone)]
pub struct PageRaster {
    pub image: GrayImage,
    /// Resolution as recorded in the file (or derived from the PDF
    /// placement); `None` when unknown.
    pub dpi: Option<f32>,
    /// Where the image lies on the page, in points (top-left origin); for
    /// image files the whole page (`pixels * 72 / dpi`).
    pub placement: BBox,
    /// The page size in points.
    pub page_width: f32,
    pub page_height: f32,
    /// The decoder's complaint when the image was damaged and read only in
    /// part; reported as a `page-damaged` warning.
    pub damage: Option<String>,
    /// The page's share of the run's memory budget, held until its reading
    /// is over (see `crate::memory`).
    pub memory: Option<std::sync::Arc<crate::memory::Reservation>>,
}

/// One OCR'd page: glyphs for layout, and the words in page units for
/// confidences.
#[derive(Debug, Clone, Default)]
pub struct OcrPage {
    pub glyphs: Vec<Glyph>,
    /// Ruling lines found in the image, in page points.
    pub rules: Vec<BBox>,
    /// Picture regions, in page points.
    pub images: Vec<BBox>,
    /// Words in page points with their confidence.
    pub words: Vec<(String, BBox, f32)>,
    pub warnings: Vec<Warning>,
}

/// Resolution assumed when the file records none.
pub const DEFAULT_DPI: f32 = 300.0;

/// The recorded resolution, unless it makes the page larger than any
/// newspaper (over 40 × 50 inches) or is absurdly low.
pub fn plausible_dpi(dpi: Option<f32>, width_px: u32, height_px: u32) -> Option<f32> {
    dpi.filter(|d| {
        d.is_finite() && *d >= 20.0 && width_px as f32 / d <= 40.0 && height_px as f32 / d <= 50.0
    })
}

/// Pages inside [`ocr_page`] now, over all threads: the PP-OCR engine
/// shares the cores among them (see `ppocr::intra_threads`).
static PAGES_IN_FLIGHT: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);

/// The number of pages being read by OCR at this moment.
pub fn pages_in_flight() -> usize {
    PAGES_IN_FLIGHT.load(std::sync::atomic::Ordering::Relaxed)
}

/// Counts a page in flight while it lives.
struct InFlight;

impl InFlight {
    fn enter() -> InFlight {
        PAGES_IN_FLIGHT.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        InFlight
    }
}

impl Drop for InFlight {
    fn drop(&mut self) {
        PAGES_IN_FLIGHT.fetch_sub(1, std::sync::atomic::Ordering::Relaxed);
    }
}

/// Preprocesses and recognises one page, and maps the words to page units.
pub fn ocr_page(raster: PageRaster, number: u32, options: &OcrOptions) -> Result<OcrPage> {
    let _in_flight = InFlight::enter();
    let mut warnings = Vec::new();
    let mut warn = |code: &str, msg: String| {
        let mut w = Warning::new(code, msg);
        w.page = Some(number);
        warnings.push(w);
    };
    let (w0, h0) = raster.image.dimensions();
    if w0 < preprocess::MIN_SIDE || h0 < preprocess::MIN_SIDE {
        return Err(Error::new(
            ErrorKind::Empty,
            format!("the page image is {w0}×{h0} pixels, too small to hold text"),
        )
        .with_page(number));
    }
    let dpi = match plausible_dpi(raster.dpi, w0, h0) {
        Some(d) => d,
        None => {
            warn(
                "resolution-assumed",
                format!("the image records no plausible resolution; {DEFAULT_DPI} dpi assumed"),
            );
            DEFAULT_DPI
        }
    };
    let prepared = preprocess::prepare(raster.image, dpi);
    if prepared.skew_degrees.abs() > 0.0 {
        warn(
            "deskewed",
            format!(
                "the scan was rotated by {:.2}° to straighten it",
                prepared.skew_degrees
            ),
        );
    }
    if prepared.scale > 1.0 {
        warn(
            "upscaled",
            format!(
                "low-resolution scan ({dpi:.0} dpi) upscaled {:.2}× for OCR",
                prepared.scale
            ),
        );
    } else if prepared.scale < 1.0 {
        warn(
            "downscaled",
            format!(
                "{dpi:.0} dpi scan read at {:.0} dpi (faster, as accurate)",
                dpi * prepared.scale
            ),
        );
    }
    let work_dpi = dpi * prepared.scale;
    // Time inside the OCR engines (the language sample and the reading),
    // reported with NEWSCLIP_TIMINGS so benchmarks can tell our overhead
    // from the engine's work.
    let mut engine_seconds = 0.0;
    // `auto` chooses the languages from a sample and reads Chinese with
    // PP-OCR, Latin-only pages with Tesseract. PP-OCR read the generated
    // Latin pages of the layout families better (latin-broadsheet scans
    // article F1 0.90 against 0.69), but on a real 1856 English page
    // (Chicopee, 400 dpi bilevel) it read nothing usable: article F1 0.000
    // against Tesseract's 0.255. Archives' Latin scans look like the latter.
    // The Tesseract engine with no languages given reads the page and
    // chooses its languages from that read (see `read_choosing_language`):
    // no engine choice hangs on them.
    let tesseract_chooses = options.lang.is_none() && options.engine == EngineKind::Tesseract;
    let (lang, evidence) = match &options.lang {
        Some(l) => (l.clone(), String::new()),
        None if options.engine == EngineKind::PpOcr => (
            AUTO_BOTH.to_string(),
            "; PP-OCR's model reads Chinese and Latin".to_string(),
        ),
        None if tesseract_chooses => (String::new(), String::new()),
        None => {
            let started = std::time::Instant::now();
            let choice =
                with_tesseract(|engine| choose_language(engine, &prepared.image, work_dpi))
                    .map_err(|e| e.with_page(number))?;
            engine_seconds += started.elapsed().as_secs_f64();
            (choice.lang, format!("; {}", choice.evidence))
        }
    };
    let use_ppocr = match options.engine {
        EngineKind::PpOcr => true,
        EngineKind::Tesseract => false,
        EngineKind::Auto if lang.split('+').any(|l| l == AUTO_CJK) => {
            match ppocr_available(options) {
                Ok(()) => true,
                Err(e) => {
                    warn(
                        "engine-fallback",
                        format!(
                            "Chinese page read by Tesseract: {}; {}",
                            e.message,
                            e.hint.as_deref().unwrap_or(ppocr::INSTALL_HINT)
                        ),
                    );
                    false
                }
            }
        }
        EngineKind::Auto => false,
    };
    let started = std::time::Instant::now();
    let (found, engine_name, lang, evidence) = if tesseract_chooses {
        let (found, choice) =
            with_tesseract(|engine| read_choosing_language(engine, &prepared.image, work_dpi))
                .map_err(|e| e.with_page(number))?;
        let evidence = format!("; {}", choice.evidence);
        (found, "tesseract", choice.lang, evidence)
    } else {
        let recognize = |engine: &mut dyn OcrEngine| -> Result<(Recognition, &'static str)> {
            Ok((
                cached_read(engine, &prepared.image, work_dpi, &lang)?,
                engine.name(),
            ))
        };
        let (found, name) = if use_ppocr {
            with_ppocr(&options.ppocr_dir(), recognize)
        } else {
            with_tesseract(recognize)
        }
        .map_err(|e| e.with_page(number))?;
        (found, name, lang, evidence)
    };
    engine_seconds += started.elapsed().as_secs_f64();
    if timings_wanted() {
        eprintln!(
            "newsclip-timing page={number} engine={engine_name} engine_seconds={engine_seconds:.4}"
        );
    }
    let Recognition { mut words, images } = found;
    restore_cjk_dashes(&mut words);
    let mean = mean_confidence(&words);
    warn(
        "ocr",
        format!(
            "read by OCR ({engine_name}, {lang}, {:.0} dpi, {} words, mean confidence {:.2}{evidence})",
            work_dpi,
            words.len(),
            mean
        ),
    );
    // Pixels of the prepared image to page points.
    let (pw, ph) = prepared.image.dimensions();
    let sx = raster.placement.width() / pw as f32;
    let sy = raster.placement.height() / ph as f32;
    let map = |b: [f32; 4]| BBox {
        x0: raster.placement.x0 + b[0] * sx,
        y0: raster.placement.y0 + b[1] * sy,
        x1: raster.placement.x0 + b[2] * sx,
        y1: raster.placement.y0 + b[3] * sy,
    };
    let glyphs = words_to_glyphs(&words, &map);
    // Pictures: the engine's own, else found in the ink (PP-OCR's
    // detector finds text only; see `pictures`).
    let images = if images.is_empty() {
        let boxes: Vec<[f32; 4]> = words.iter().map(|w| w.bbox).collect();
        pictures::find(&prepared.image, &boxes)
    } else {
        images
    };
    // Rules: at least three quarters of an inch long, at most a
    // twentieth thick; none inside a picture, whose edges (a roof, a
    // horizon, its frame) are no separators of text.
    let rules = preprocess::find_rules(
        &prepared.image,
        (0.75 * work_dpi) as u32,
        ((0.05 * work_dpi) as u32).max(2),
    )
    .into_iter()
    .filter(|r| !images.iter().any(|p| inside_picture(r, p)))
    .map(map)
    .collect();
    let images = images.into_iter().map(map).collect();
    let words = words
        .iter()
        .map(|w| (w.text.clone(), map(w.bbox), w.confidence))
        .collect();
    Ok(OcrPage {
        glyphs,
        rules,
        images,
        words,
        warnings,
    })
}

/// Chinese text opens a line with a dash only as the 破折号 `——` (two em
/// dashes set as one long stroke: a subtitle `——2022年…综述`, a
/// dialogue); a hyphen never opens a line of Chinese. Recognisers read
/// the long stroke as one short dash (`-2022年…`), which hides the
/// subtitle from layout. A line whose first word starts with a single
/// `-`, `—` or `－` directly followed by a CJK character or a digit, in a
/// line holding CJK characters, gets its `——` back.
fn restore_cjk_dashes(words: &mut [OcrWord]) {
    let mut i = 0;
    while i < words.len() {
        let line = words[i].line;
        let end = i + words[i..].iter().take_while(|w| w.line == line).count();
        let has_cjk = words[i..end].iter().any(|w| {
            w.text
                .chars()
                .any(|c| crate::script::is_cjk(c) && c.is_alphabetic())
        });
        let first = &words[i].text;
        let mut chars = first.chars();
        let (c0, c1) = (chars.next(), chars.next());
        // The rest of the line may start in the next word (a CJK
        // character is a word of its own).
        let next = c1.or_else(|| {
            words
                .get(i + 1)
                .filter(|w| w.line == line)?
                .text
                .chars()
                .next()
        });
        let dash = matches!(c0, Some('-' | '—' | '－'));
        let opens_text = next
            .is_some_and(|c| c.is_ascii_digit() || (crate::script::is_cjk(c) && c.is_alphabetic()));
        if has_cjk && dash && opens_text {
            let rest: String = first.chars().skip(1).collect();
            words[i].text = format!("——{rest}");
        }
        i = end;
    }
}

/// Whether rule `r` lies within picture `p` (pixels), give or take a
/// twentieth of its smaller side (a picture found in the ink is known to
/// a cell, and its frame lies on its edge): a picture's frame and the
/// edges in it are not separators. A rule running on beyond the picture
/// is kept.
fn inside_picture(r: &[f32; 4], p: &[f32; 4]) -> bool {
    let slack = 0.05 * (p[2] - p[0]).min(p[3] - p[1]) + (r[2] - r[0]).min(r[3] - r[1]);
    r[0] >= p[0] - slack && r[1] >= p[1] - slack && r[2] <= p[2] + slack && r[3] <= p[3] + slack
}

/// Whether `NEWSCLIP_TIMINGS` asks for the seconds spent in the OCR engine
/// on standard error (one `newsclip-timing` line per page; `scripts/bench-ocr`
/// reads them).
fn timings_wanted() -> bool {
    static WANTED: std::sync::OnceLock<bool> = std::sync::OnceLock::new();
    *WANTED.get_or_init(|| std::env::var_os("NEWSCLIP_TIMINGS").is_some_and(|v| !v.is_empty()))
}

/// A developer's cache of engine output, for working on the stages after
/// OCR without waiting for the engine at every run: with
/// `NEWSCLIP_OCR_CACHE=DIR` set, what an engine recognised on a prepared
/// page image is stored in `DIR` as JSON, keyed by the engine, the
/// languages and a hash of the pixels, and read back on the next run.
/// Unset (the default), nothing is read or written. A changed engine or
/// preprocessing gives other pixels or another key; a stale cache after an
/// engine change is the developer's to clear.
mod recognition_cache {
    use super::Recognition;
    use image::GrayImage;
    use std::hash::{Hash, Hasher};
    use std::path::PathBuf;

    fn path(engine: &str, lang: &str, image: &GrayImage) -> Option<PathBuf> {
        let dir = std::env::var_os("NEWSCLIP_OCR_CACHE").filter(|d| !d.is_empty())?;
        let mut h = std::collections::hash_map::DefaultHasher::new();
        image.dimensions().hash(&mut h);
        image.as_raw().hash(&mut h);
        Some(PathBuf::from(dir).join(format!("{engine}-{lang}-{:016x}.json", h.finish())))
    }

    pub fn load(engine: &str, lang: &str, image: &GrayImage) -> Option<Recognition> {
        let bytes = std::fs::read(path(engine, lang, image)?).ok()?;
        serde_json::from_slice(&bytes).ok()
    }

    pub fn store(engine: &str, lang: &str, image: &GrayImage, found: &Recognition) {
        let Some(p) = path(engine, lang, image) else {
            return;
        };
        if let Some(dir) = p.parent() {
            let _ = std::fs::create_dir_all(dir);
        }
        if let Ok(json) = serde_json::to_vec(found) {
            let tmp = p.with_extension("tmp");
            if std::fs::write(&tmp, json).is_ok() {
                let _ = std::fs::rename(tmp, p);
            }
        }
    }
}

fn mean_confidence(words: &[OcrWord]) -> f32 {
    let mut n = 0usize;
    let mut sum = 0.0f32;
    for w in words {
        let c = w.text.chars().count();
        n += c;
        sum += w.confidence * c as f32;
    }
    if n == 0 {
        0.0
    } else {
        sum / n as f32
    }
}

/// The Fraktur models, best first: `frk` (German Fraktur) and the script
/// model `Fraktur` read German blackletter about as well (a Reichsanzeiger
/// quarter page: character F1 0.820 and 0.822; our German column 0.995 and
/// 0.997), `frk` in four fifths of the time.
const FRAKTUR_MODELS: &[&str] = &["frk", "Fraktur"];
/// The Latin-script models a page may be read with, besides `eng`.
const LATIN_MODELS: &[&str] = &["eng", "deu", "fra", "ita", "nld"];

/// The languages chosen for a page, and why (for its `ocr` warning).
#[derive(Debug, Clone, PartialEq)]
pub struct LanguageChoice {
    pub lang: String,
    pub evidence: String,
}

/// The models installed, as far as choosing languages goes.
struct Installed {
    cjk: bool,
    latin: Vec<&'static str>,
    fraktur: Option<&'static str>,
}

impl Installed {
    fn of(engine: &dyn OcrEngine) -> Installed {
        let installed = |l: &str| engine.check_languages(l).is_ok();
        Installed {
            cjk: installed(AUTO_CJK),
            latin: LATIN_MODELS
                .iter()
                .copied()
                .filter(|l| installed(l))
                .collect(),
            fraktur: FRAKTUR_MODELS.iter().copied().find(|l| installed(l)),
        }
    }

    /// The one model there is, when there is nothing to choose.
    fn only(&self) -> Option<&'static str> {
        match (self.cjk, &self.latin[..], self.fraktur) {
            (true, [], None) => Some(AUTO_CJK),
            (false, [only], None) => Some(only),
            _ => None,
        }
    }

    /// The model the first read (a sample or the whole page) is made
    /// with: `chi_sim` when installed, as it reads Chinese and Latin print
    /// (a Latin model reads no Chinese at all), else a Latin model.
    fn first(&self, engine: &dyn OcrEngine) -> Result<&'static str> {
        if self.cjk {
            Ok(AUTO_CJK)
        } else if let Some(l) = self.latin.first().copied() {
            Ok(l)
        } else {
            // Nothing we know: the error names what to install.
            engine.check_languages(AUTO_BOTH)?;
            Ok(AUTO_BOTH)
        }
    }
}

/// Chooses the languages of a page from evidence, with one quick sample
/// read (three bands, a fifth of the page; see [`preprocess::sample_bands`])
/// and, only when the print may be blackletter, two reads of one band (see
/// [`decide_language`]). Used when the engine that reads the page depends
/// on its languages (`--engine auto`: Chinese goes to PP-OCR), so that the
/// languages must be known before the page is read; with the Tesseract
/// engine the page's own first read decides ([`read_choosing_language`]).
fn choose_language(
    engine: &mut dyn OcrEngine,
    image: &GrayImage,
    dpi: f32,
) -> Result<LanguageChoice> {
    let models = Installed::of(engine);
    // One model only: nothing to choose, no sample to read.
    if let Some(only) = models.only() {
        return Ok(only_model(only));
    }
    let read_with = models.first(engine)?;
    let sample = preprocess::sample_bands(image);
    let words = engine.recognize(&sample, dpi, read_with)?.words;
    // One band of the sample (its middle third) for the Fraktur check.
    let band = || {
        let (w, h) = sample.dimensions();
        image::imageops::crop_imm(&sample, 0, h / 3, w, (h / 3).max(1)).to_image()
    };
    decide_language(engine, &models, words, read_with, band, dpi, "a sample")
}

/// Reads a page with Tesseract, choosing its languages from the read
/// itself: the page is read with the first model ([`Installed::first`]:
/// `chi_sim`, which reads Latin print too), its words decide the languages
/// as a sample's would ([`decide_language`]), and the page is read again
/// only when they differ from the model it was read with. A separate
/// sample cost about 3 s of a 5.6 s 300-dpi Chinese page (zh-04, one
/// thread); now a Chinese page is read once, like the tesseract CLI given
/// `-l chi_sim`. A Latin or mixed page is read twice: `chi_sim` reads
/// Latin letters, but worse than a Latin model does (en-01: character F1
/// 0.962 against `eng`'s 0.969), and the language of the Latin words
/// (German, French...) picks a model that reads them better still. The
/// second read is the price of no sample on a Chinese page: a chi_sim read
/// of a whole Latin page (4.0 s on en-01) instead of a fifth of it.
///
/// So one band of the page (7% of its height, at its middle) is read with
/// `chi_sim` first: when it holds plenty of confident Latin letters and
/// no Chinese ([`band_says_latin`]), the languages are chosen from
/// the band as from a sample and the page is read once, by them. Anything
/// else (Chinese, mixed, too little text in the band) goes the way above,
/// at the price of the band: a fifteenth of a `chi_sim` read.
fn read_choosing_language(
    engine: &mut dyn OcrEngine,
    image: &GrayImage,
    dpi: f32,
) -> Result<(Recognition, LanguageChoice)> {
    let models = Installed::of(engine);
    if let Some(only) = models.only() {
        return Ok((cached_read(engine, image, dpi, only)?, only_model(only)));
    }
    let first = models.first(engine)?;
    // The band the sample's Fraktur check read: 7% of the page's height
    // at its middle (see `preprocess::sample_bands`).
    let band = || {
        let (w, h) = image.dimensions();
        let bh = (h * 7 / 100).clamp(1, h);
        let y0 = (h / 2).saturating_sub(bh / 2).min(h - bh);
        image::imageops::crop_imm(image, 0, y0, w, bh).to_image()
    };
    if first == AUTO_CJK && !models.latin.is_empty() {
        let sample = engine.recognize(&band(), dpi, first)?.words;
        if band_says_latin(&sample) {
            let choice = decide_language(
                engine,
                &models,
                sample,
                first,
                band,
                dpi,
                "one band of the page",
            )?;
            if !choice.lang.contains(AUTO_CJK) {
                return Ok((cached_read(engine, image, dpi, &choice.lang)?, choice));
            }
        }
    }
    let found = cached_read(engine, image, dpi, first)?;
    let source = format!("the page read with {first}");
    let mut choice = decide_language(
        engine,
        &models,
        found.words.clone(),
        first,
        band,
        dpi,
        &source,
    )?;
    if choice.lang == first {
        return Ok((found, choice));
    }
    // The page needs other models than the one it was read with.
    let again = cached_read(engine, image, dpi, &choice.lang)?;
    choice
        .evidence
        .push_str(&format!("; read again with {}", choice.lang));
    Ok((again, choice))
}

/// `engine.recognize`, through the developer's cache (see
/// [`recognition_cache`]).
fn cached_read(
    engine: &mut dyn OcrEngine,
    image: &GrayImage,
    dpi: f32,
    lang: &str,
) -> Result<Recognition> {
    let key = engine.name();
    if let Some(found) = recognition_cache::load(key, lang, image) {
        return Ok(found);
    }
    let found = engine.recognize(image, dpi, lang)?;
    recognition_cache::store(key, lang, image, &found);
    Ok(found)
}

/// Chooses the languages from the `words` a first read with `read_with`
/// found (a sample, or the whole page):
///
/// 1. `chi_sim` read them when it is installed (else `eng`, else another
///    Latin model): 30% or more confident CJK characters among the
///    letters means `chi_sim` (which reads inline Latin well, at half the
///    time of `chi_sim+eng`), over 2.5% `chi_sim+eng`; else the page is
///    Latin.
/// 2. A Latin page's language comes from the same words
///    ([`language::latin_language`]: stop words and marked letters): `deu`,
///    `fra`, `ita` or `nld` when installed and clearly ahead, else `eng`.
/// 3. When a Fraktur model is installed and the Latin words were read
///    unsurely (under [`FRAKTUR_SUSPECT_CJK`] mean confidence by
///    `chi_sim`, [`FRAKTUR_SUSPECT_LATIN`] by a Latin model), one `band`
///    of the page (a fifteenth of it) is read by the Fraktur model, its
///    words join the evidence for the language, and that language's
///    Antiqua model reads the band too: the Fraktur model wins by a margin
///    of mean confidence ([`language::fraktur_wins`]).
///
/// Only installed models are chosen; with none of the above, whatever
/// `chi_sim`/`eng` there is. `source` names the first read in the evidence.
fn decide_language(
    engine: &mut dyn OcrEngine,
    models: &Installed,
    words: Vec<OcrWord>,
    read_with: &str,
    band: impl FnOnce() -> GrayImage,
    dpi: f32,
    source: &str,
) -> Result<LanguageChoice> {
    let installed = |engine: &dyn OcrEngine, l: &str| engine.check_languages(l).is_ok();
    let latin_models = &models.latin;
    let (cjk, latin) = script_counts(&words);
    let counts = format!("{cjk} CJK characters, {latin} Latin letters");
    if models.cjk {
        let l = language_for_counts(cjk, latin);
        if l != AUTO_LATIN || latin_models.is_empty() {
            let lang = if installed(engine, l) { l } else { AUTO_CJK };
            return Ok(LanguageChoice {
                lang: lang.to_string(),
                evidence: format!("languages chosen from {source}: {counts}"),
            });
        }
    }
    // A Latin page.
    let latin_words: Vec<OcrWord> = words
        .into_iter()
        .filter(|w| !w.text.chars().any(crate::script::is_cjk))
        .collect();
    let read_as = |choice: &language::LatinChoice| -> &'static str {
        if latin_models.contains(&choice.code) {
            choice.code
        } else {
            latin_models[0]
        }
    };
    let choice = language::latin_language(&latin_words, 0.3);
    let mut lang = read_as(&choice).to_string();
    let mut evidence = format!(
        "languages chosen from {source}: {counts}; {}",
        choice.describe()
    );
    if lang != choice.code {
        evidence.push_str(&format!(" (no '{}' model installed)", choice.code));
    }
    let sample_confidence = mean_confidence(&latin_words);
    let suspect = sample_confidence
        < if read_with == AUTO_CJK {
            FRAKTUR_SUSPECT_CJK
        } else {
            FRAKTUR_SUSPECT_LATIN
        };
    if let (true, Some(fraktur)) = (suspect, models.fraktur) {
        // One band tells the two types' confidences apart; a third of the
        // time of a whole sample.
        let band = band();
        let fraktur_words = engine.recognize(&band, dpi, fraktur)?.words;
        // The language from every Latin word read so far.
        let pooled = |more: &[OcrWord]| -> Vec<OcrWord> {
            latin_words.iter().chain(more).cloned().collect()
        };
        let by_fraktur = language::latin_language(&pooled(&fraktur_words), 0.3);
        let antiqua = read_as(&by_fraktur);
        let antiqua_words = engine.recognize(&band, dpi, antiqua)?.words;
        let (cf, ca) = (
            mean_confidence(&fraktur_words),
            mean_confidence(&antiqua_words),
        );
        let compared = format!(
            "the first read's Latin words at {sample_confidence:.2}; on one band \
             {fraktur} {cf:.2}, {antiqua} {ca:.2}"
        );
        if language::fraktur_wins(cf, ca) {
            // frk is German Fraktur; other languages get the script model
            // when it is there.
            let script = installed(engine, "Fraktur").then_some("Fraktur");
            lang = match (by_fraktur.code, script) {
                ("deu", _) | (_, None) => fraktur.to_string(),
                (_, Some(s)) => s.to_string(),
            };
            evidence = format!(
                "languages chosen from {source}: {counts}; Fraktur type ({compared}); {}",
                by_fraktur.describe()
            );
        } else {
            // Antiqua after all: its model's own reading adds to the
            // language evidence.
            let by_antiqua = language::latin_language(&pooled(&antiqua_words), 0.3);
            lang = read_as(&by_antiqua).to_string();
            evidence = format!(
                "languages chosen from {source}: {counts}; Antiqua type ({compared}); {}",
                by_antiqua.describe()
            );
        }
    }
    Ok(LanguageChoice { lang, evidence })
}

/// Confident CJK characters and Latin letters among `words`. chi_sim
/// reads noise and worn Latin print as stray Chinese characters of low
/// confidence: only confident ones count.
fn script_counts(words: &[OcrWord]) -> (usize, usize) {
    let (mut cjk, mut latin) = (0usize, 0usize);
    for w in words {
        for c in w.text.chars() {
            if crate::script::is_cjk(c) && w.confidence >= 0.6 {
                cjk += 1;
            } else if c.is_ascii_alphabetic() && w.confidence >= 0.3 {
                latin += 1;
            }
        }
    }
    (cjk, latin)
}

/// Whether a `chi_sim` read of one band shows a Latin page clearly enough
/// to choose its languages from the band alone: at least 150 confident
/// Latin letters (a few lines of body text; fewer, and the band may have
/// caught a headline, a picture or blank paper) and not one confident CJK
/// character. Why none: a Latin page with one Chinese item (mix-02: 3% of
/// its letters) showed only 2 CJK characters among 522 letters in the
/// band, under the 1.5% of stray hanzi that worn Latin print gives; any
/// CJK character sends the page to the whole first read, which tells
/// Latin, mixed and Chinese pages apart.
fn band_says_latin(words: &[OcrWord]) -> bool {
    let (cjk, latin) = script_counts(words);
    latin >= 150 && cjk == 0
}

fn only_model(lang: &str) -> LanguageChoice {
    LanguageChoice {
        lang: lang.to_string(),
        evidence: "languages: the only installed model".to_string(),
    }
}

/// Mean confidence of a `chi_sim` sample's Latin words under which the
/// print may be blackletter: the Reichsanzeiger text set in Fraktur came
/// out at 0.24, set in Antiqua at 0.61.
const FRAKTUR_SUSPECT_CJK: f32 = 0.5;
/// The same for a sample read by a Latin model (`eng` read the Fraktur
/// settings at 0.56 and 0.62, the Antiqua ones at 0.64 and 0.71): nearly
/// always compared.
const FRAKTUR_SUSPECT_LATIN: f32 = 0.75;

/// The language list for a sample with `cjk` CJK characters and `latin`
/// Latin letters.
pub fn language_for_counts(cjk: usize, latin: usize) -> &'static str {
    let total = cjk + latin;
    if total < 20 {
        AUTO_BOTH
    } else if cjk * 100 >= total * 30 {
        // A Chinese page: chi_sim reads its inline Latin.
        AUTO_CJK
    } else if cjk * 1000 <= total * 25 {
        // Worn Latin print gives about 1.5% confident stray hanzi; a Latin
        // page with a Chinese item (mix-02: 3% of its letters) more.
        AUTO_LATIN
    } else {
        AUTO_BOTH
    }
}

/// Words to glyphs for layout: one glyph per word, every word of a line on
/// the line's baseline (its bottom) and with the line's size; sizes are
/// evened out within a paragraph (the ink height of a line varies with its
/// letters, its type size does not).
pub fn words_to_glyphs(words: &[OcrWord], map: &dyn Fn([f32; 4]) -> BBox) -> Vec<Glyph> {
    use std::collections::BTreeMap;
    let font: std::sync::Arc<str> = std::sync::Arc::from("OCR");
    let split = split_lines_at_gutters(words);
    let words = &split[..];
    // Line boxes in page units.
    let mut lines: BTreeMap<u32, (BBox, u32)> = BTreeMap::new();
    for w in words.iter().filter(|w| !w.text.trim().is_empty()) {
        let b = map(w.bbox);
        lines
            .entry(w.line)
            .and_modify(|(l, _)| *l = l.union(&b))
            .or_insert((b, w.paragraph));
    }
    // Type size per line: the median of its words' estimates (see
    // `em_estimate`); the line's box is a poor guide, as a bracket or a
    // stretched word box makes it taller.
    let mut estimates: BTreeMap<u32, Vec<f32>> = BTreeMap::new();
    for w in words {
        let b = map(w.bbox);
        if let Some(e) = em_estimate(&w.text, b.width(), b.height()) {
            estimates.entry(w.line).or_default().push(e);
        }
    }
    let mut sizes: BTreeMap<u32, f32> = lines
        .iter()
        .map(|(&k, (b, _))| {
            let s = estimates
                .get_mut(&k)
                .filter(|v| !v.is_empty())
                .map(|v| {
                    v.sort_by(f32::total_cmp);
                    v[v.len() / 2]
                })
                .unwrap_or(b.height() / 0.92);
            (k, s.max(1.0))
        })
        .collect();
    let mut by_par: BTreeMap<u32, Vec<u32>> = BTreeMap::new();
    for (&k, (_, p)) in &lines {
        by_par.entry(*p).or_default().push(k);
    }
    // Lines of one paragraph share a size: a line's ink box is sometimes
    // far off (a word box stretched by noise).
    for members in by_par.values() {
        let mut v: Vec<f32> = members
            .iter()
            .filter_map(|k| sizes.get(k).copied())
            .collect();
        if v.len() < 2 {
            continue;
        }
        v.sort_by(f32::total_cmp);
        let median = v[v.len() / 2];
        for k in members {
            if let Some(s) = sizes.get_mut(k) {
                if (*s - median).abs() <= 0.3 * median {
                    *s = median;
                }
            }
        }
    }
    // Paragraphs whose size is within 10% of the page's main size get that
    // size: the estimate jitters by more than body and small text differ
    // in layout's rules, while headlines are at least 25% larger.
    let mut weighted: Vec<(f32, usize)> = Vec::new();
    for w in words {
        if let Some(s) = sizes.get(&w.line) {
            weighted.push((*s, w.text.chars().count()));
        }
    }
    weighted.sort_by(|a, b| a.0.total_cmp(&b.0));
    let half: usize = weighted.iter().map(|(_, n)| n).sum::<usize>() / 2;
    let mut acc = 0;
    let main = weighted.iter().find_map(|(s, n)| {
        acc += n;
        (acc > half).then_some(*s)
    });
    if let Some(main) = main {
        for s in sizes.values_mut() {
            if (*s - main).abs() <= 0.1 * main {
                *s = main;
            }
        }
    }
    let mut out = Vec::with_capacity(words.len() * 2);
    let mut prev: Option<(u32, BBox, char)> = None;
    for w in words {
        let text = w.text.trim();
        if text.is_empty() {
            continue;
        }
        let Some((line_box, _)) = lines.get(&w.line) else {
            continue;
        };
        let size = sizes.get(&w.line).copied().unwrap_or(10.0);
        let size = (size * 2.0).round() / 2.0;
        let b = map(w.bbox);
        if !(b.x0.is_finite() && b.y0.is_finite() && b.x1 > b.x0 && b.y1 > b.y0) {
            continue;
        }
        let glyph = |text: &str, bbox: BBox| Glyph {
            text: text.to_string(),
            bbox,
            origin: (bbox.x0, line_box.y1),
            font_size: size,
            font: font.clone(),
            bold: false,
            italic: false,
            color: [0.0; 3],
            invisible: false,
            unmapped: false,
        };
        // The engine's word boundaries are word spaces; tight boxes of
        // justified text show gaps too narrow to be read as spaces. Between
        // two CJK characters an engine's word break is its own
        // segmentation, never a space of the text.
        let first = text.chars().next().unwrap_or(' ');
        if let Some((line, p, last)) = prev {
            let cjk_pair = crate::script::is_cjk(last) && crate::script::is_cjk(first);
            if line == w.line && !cjk_pair {
                let x1 = b.x0.max(p.x1);
                out.push(glyph(
                    " ",
                    BBox {
                        x0: p.x1,
                        y0: p.y0,
                        x1,
                        y1: p.y1,
                    },
                ));
            }
        }
        out.push(glyph(text, b));
        prev = Some((w.line, b, text.chars().next_back().unwrap_or(' ')));
    }
    out
}

/// The type size (em) a word's ink height suggests: a CJK character's ink
/// is about 0.9 em high; a Latin word's depends on its letters: ascenders
/// (capitals, digits, the dots of i and j) and descenders (or brackets)
/// about 0.93 em, ascenders only 0.72, descenders only 0.7, x-height
/// letters only 0.48. `None` for other punctuation and symbols.
pub fn em_estimate(text: &str, width: f32, height: f32) -> Option<f32> {
    if !(height > 0.0 && height.is_finite()) {
        return None;
    }
    let mut cjk = 0;
    // Advance of the word in ems, for CJK words (ASCII about half an em).
    let mut units = 0.0f32;
    let (mut asc, mut desc, mut x) = (false, false, false);
    for c in text.chars() {
        if crate::script::is_cjk(c) {
            units += 1.0;
            if c.is_alphabetic() {
                cjk += 1;
            }
            continue;
        }
        units += if c.is_ascii() { 0.55 } else { 1.0 };
        // The dots of i and j reach about the ascender line; brackets
        // span ascender to descender.
        if "()[]{}|".contains(c) {
            asc = true;
            desc = true;
        } else if c.is_uppercase() || c.is_ascii_digit() || "bdfhiklt".contains(c) {
            asc = true;
            if c == 'Q' {
                desc = true;
            }
        } else if "gpqy".contains(c) {
            desc = true;
            x = true;
        } else if c == 'j' {
            asc = true;
            desc = true;
        } else if c.is_lowercase() {
            x = true;
        }
    }
    if cjk > 0 {
        // Square characters: the width says the size too, and either box
        // side can be stretched (justification, a stray mark), never
        // shrunk, so the smaller estimate is the better one.
        // (Ink is about 0.92 em wide; the line's median evens out narrow
        // characters.)
        let by_height = height / 0.9;
        if width > 0.0 {
            return Some(by_height.min(width / (units - 0.08).max(0.5) / 0.92));
        }
        return Some(by_height);
    }
    let ratio = match (asc, desc, x) {
        (true, true, _) => 0.93,
        (true, false, _) => 0.72,
        (false, true, _) => 0.7,
        (false, false, true) => 0.48,
        _ => return None,
    };
    Some(height / ratio)
}

/// Engines may run a text line across a column gutter: a line is cut where
/// the gap between two neighbouring words is wider than the line's height
/// (CJK on both sides: columns can be less than an em apart) or 1.5 times
/// its height. Line numbers are renumbered.
pub fn split_lines_at_gutters(words: &[OcrWord]) -> Vec<OcrWord> {
    use std::collections::HashMap;
    let mut heights: HashMap<u32, (f32, f32)> = HashMap::new();
    for w in words {
        let e = heights.entry(w.line).or_insert((f32::MAX, f32::MIN));
        e.0 = e.0.min(w.bbox[1]);
        e.1 = e.1.max(w.bbox[3]);
    }
    let mut out: Vec<OcrWord> = Vec::with_capacity(words.len());
    let mut next_id = 0u32;
    let mut prev: Option<&OcrWord> = None;
    for w in words {
        let new_line = match prev {
            None => true,
            Some(p) if p.line != w.line => true,
            Some(p) => {
                let h = heights.get(&w.line).map_or(1.0, |(a, b)| (b - a).max(1.0));
                let gap = w.bbox[0] - p.bbox[2];
                let cjk = p
                    .text
                    .chars()
                    .next_back()
                    .is_some_and(crate::script::is_cjk)
                    && w.text.chars().next().is_some_and(crate::script::is_cjk);
                gap > if cjk { 1.0 * h } else { 1.5 * h }
            }
        };
        if new_line && prev.is_some() {
            next_id += 1;
        }
        let mut w2 = w.clone();
        w2.line = next_id;
        out.push(w2);
        prev = Some(w);
    }
    out
}

/// Puts OCR confidences on the paragraphs of `articles` found on page
/// `number`: the character-weighted mean confidence of the words inside the
/// paragraph's box, and the words under [`LOW_CONFIDENCE`].
pub fn attach_confidence(articles: &mut [Article], number: u32, words: &[(String, BBox, f32)]) {
    for a in articles.iter_mut().filter(|a| a.page == number) {
        for item in a.body.iter_mut().filter(|i| i.kind == BodyKind::Paragraph) {
            let Some(b) = item.bbox else { continue };
            let mut n = 0usize;
            let mut sum = 0.0f32;
            let mut low = Vec::new();
            for (text, wb, conf) in words {
                let cx = (wb.x0 + wb.x1) / 2.0;
                let cy = (wb.y0 + wb.y1) / 2.0;
                if cx < b.x0 - 0.5 || cx > b.x1 + 0.5 || cy < b.y0 - 0.5 || cy > b.y1 + 0.5 {
                    continue;
                }
                let c = text.chars().count();
                n += c;
                sum += conf * c as f32;
                if *conf < LOW_CONFIDENCE {
                    low.push(LowConfidenceWord {
                        text: text.clone(),
                        confidence: round3(*conf),
                        bbox: *wb,
                    });
                }
            }
            if n > 0 {
                item.confidence = Some(round3(sum / n as f32));
                item.low_confidence = low;
            }
        }
    }
}

/// Puts OCR confidences on the words of a laid-out page (layout builds its
/// words from glyphs, which carry none): the character-weighted mean
/// confidence of the OCR words whose centre lies in the word's box. The
/// archive formats write it (ALTO `WC`, hOCR `x_wconf`, PAGE `conf`).
pub fn attach_word_confidence(page: &mut Page, words: &[(String, BBox, f32)]) {
    let lines = page.blocks.iter_mut().flat_map(|b| b.lines.iter_mut());
    for word in lines.flat_map(|l| l.words.iter_mut()) {
        let Some(b) = word.bbox else { continue };
        let (mut n, mut sum) = (0usize, 0.0f32);
        for (text, wb, conf) in words {
            let cx = (wb.x0 + wb.x1) / 2.0;
            let cy = (wb.y0 + wb.y1) / 2.0;
            if cx < b.x0 - 0.5 || cx > b.x1 + 0.5 || cy < b.y0 - 0.5 || cy > b.y1 + 0.5 {
                continue;
            }
            let c = text.chars().count().max(1);
            n += c;
            sum += conf * c as f32;
        }
        if n > 0 {
            word.confidence = Some(round3(sum / n as f32));
        }
    }
}

fn round3(v: f32) -> f32 {
    (v.clamp(0.0, 1.0) * 1000.0).round() / 1000.0
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn type_size_from_ink() {
        let e = |t: &str, h: f32| em_estimate(t, 0.0, h).unwrap();
        // 10 pt type: "ing" spans the dot of i to the tail of g.
        assert!((e("ing", 9.3) - 10.0).abs() < 0.1);
        assert!((e("Hold", 7.2) - 10.0).abs() < 0.1);
        assert!((e("were", 4.8) - 10.0).abs() < 0.1);
        assert!((e("(Staff", 9.3) - 10.0).abs() < 0.1);
        assert!((e("新闻", 9.0) - 10.0).abs() < 0.1);
        assert!(em_estimate("—", 0.0, 1.0).is_none());
    }

    #[test]
    fn a_dash_opening_a_chinese_line_is_the_long_dash() {
        let mut words = vec![
            word("-2022", [0.0, 0.0, 50.0, 20.0], 0),
            word("年", [50.0, 0.0, 70.0, 20.0], 0),
            word("—", [0.0, 30.0, 20.0, 50.0], 1),
            word("临", [20.0, 30.0, 40.0, 50.0], 1),
            word("-5-", [0.0, 60.0, 30.0, 80.0], 2),
            word("-", [0.0, 90.0, 10.0, 110.0], 3),
            word("well", [10.0, 90.0, 50.0, 110.0], 3),
            word("——", [0.0, 120.0, 40.0, 140.0], 4),
            word("记", [40.0, 120.0, 60.0, 140.0], 4),
        ];
        restore_cjk_dashes(&mut words);
        let texts: Vec<&str> = words.iter().map(|w| w.text.as_str()).collect();
        assert_eq!(
            texts,
            ["——2022", "年", "——", "临", "-5-", "-", "well", "——", "记"]
        );
    }

    #[test]
    fn languages_from_evidence() {
        assert_eq!(language_for_counts(500, 20), "chi_sim");
        assert_eq!(language_for_counts(2, 800), "eng");
        assert_eq!(language_for_counts(78, 5354), "eng");
        assert_eq!(language_for_counts(53, 1198), "chi_sim+eng");
        assert_eq!(language_for_counts(100, 400), "chi_sim+eng");
        assert_eq!(language_for_counts(3, 4), "chi_sim+eng");
    }

    fn word(text: &str, b: [f32; 4], line: u32) -> OcrWord {
        OcrWord {
            text: text.into(),
            bbox: b,
            confidence: 0.9,
            line,
            paragraph: 0,
        }
    }

    #[test]
    fn words_share_their_line_baseline_and_size() {
        let words = vec![
            word("Hello", [0.0, 10.0, 50.0, 40.0], 0),
            word("way", [60.0, 15.0, 90.0, 45.0], 0),
            word("next", [0.0, 60.0, 40.0, 88.0], 1),
        ];
        // 300 dpi to points.
        let k = 72.0 / 300.0;
        let map = |b: [f32; 4]| BBox {
            x0: b[0] * k,
            y0: b[1] * k,
            x1: b[2] * k,
            y1: b[3] * k,
        };
        let g = words_to_glyphs(&words, &map);
        let texts: Vec<&str> = g.iter().map(|g| g.text.as_str()).collect();
        assert_eq!(texts, ["Hello", " ", "way", "next"]);
        assert_eq!(g[0].origin.1, g[2].origin.1);
        assert_eq!(g[0].font_size, g[2].font_size);
        assert!((g[0].origin.1 - 45.0 * k).abs() < 1e-3);
        assert!(g[3].origin.1 > g[0].origin.1);
    }
}
