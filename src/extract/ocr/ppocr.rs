//! The PP-OCR engine: PP-OCRv4 mobile detection, the v2.0 direction
//! classifier and PP-OCRv4 recognition, run through ONNX Runtime (the `ort`
//! crate, loading `libonnxruntime.so` at run time).
//!
//! The models and the library come from the Python wheels
//! `rapidocr-onnxruntime==1.4.4` and `onnxruntime`, which
//! `scripts/fetch-ppocr` unpacks into the PP-OCR folder ([`ppocr_dir`]:
//! `NEWSCLIP_PPOCR_DIR`, else `$XDG_CACHE_HOME/newsclip/ppocr`, else
//! `~/.cache/newsclip/ppocr`). Nothing is downloaded at run time. The
//! recognition dictionary is the model's own: the `character` entry of the
//! rec model's ONNX metadata (the wheel ships no `ppocr_keys_v1.txt`), to
//! which, as RapidOCR does, the CTC blank is prepended and a space appended.
//!
//! The pipeline reproduces RapidOCR 1.4.4 with its default configuration
//! (`config.yaml`), step by step:
//! - the page is shrunk so that its long side is at most 2000 pixels (sides
//!   rounded to multiples of 32, bilinear as `cv2.resize`);
//! - detection: resized so that the short side is at least 736 (limit type
//!   `min`), multiples of 32, `(x/255 - 0.5) / 0.5`; DB postprocess with
//!   threshold 0.3, a 2×2 dilation, contours (imageproc's `find_contours`,
//!   the Suzuki–Abe algorithm OpenCV uses), minimum-area rectangles
//!   (imageproc's `min_area_rect`), box score 0.5 ("fast": mean probability
//!   inside the box), unclip ratio 1.6 (a rectangle offset by
//!   `area × 1.6 / perimeter` whose minimum-area rectangle is the rectangle
//!   grown by that distance on each side), minimum sides 3 and 5;
//! - boxes sorted top to bottom, then left to right within 10 pixels;
//!   each box cut out by a perspective warp (bicubic, replicated border),
//!   turned 90° when 1.5 times taller than wide;
//! - classification at 48×192, turned 180° for label 1 above 0.9;
//! - recognition one crop at a time (RapidOCR: batches of 6 sorted by
//!   aspect; see [`REC_BATCH`]), height 48, width by the
//!   batch's widest aspect (at least 320/48), `(x/255 - 0.5) / 0.5`, CTC
//!   greedy decoding; lines scoring under 0.5 are dropped.
//!
//! Words: the recogniser gives a text line per box. Each decoded character
//! is placed at its CTC time steps (the columns of the line image where it
//! was emitted), and the line is cut into words there: every CJK character
//! is a word, runs of other characters between spaces are words. A word's
//! box spans from halfway to the previous character to halfway to the next,
//! along the line's box.

use std::path::{Path, PathBuf};
use std::sync::OnceLock;

use image::GrayImage;
use imageproc::point::Point;
use ort::session::{builder::GraphOptimizationLevel, Session};
use ort::value::Tensor;

use super::{OcrEngine, OcrWord, Recognition};
use crate::error::{Error, ErrorKind, Result};

/// The model files, as the wheel names them.
pub const DET_MODEL: &str = "ch_PP-OCRv4_det_infer.onnx";
pub const CLS_MODEL: &str = "ch_ppocr_mobile_v2.0_cls_infer.onnx";
pub const REC_MODEL: &str = "ch_PP-OCRv4_rec_infer.onnx";

/// The command that installs the engine.
pub const INSTALL_HINT: &str =
    "install PP-OCR with `scripts/fetch-ppocr` (needs python3 with pip; unpacks the models of \
     rapidocr-onnxruntime 1.4.4 and libonnxruntime into the PP-OCR folder), or point \
     NEWSCLIP_PPOCR_DIR / --ppocr-dir at a folder holding them";

// RapidOCR 1.4.4 defaults (config.yaml).
const MAX_SIDE_LEN: u32 = 2000;
const MIN_SIDE_LEN: u32 = 30;
const MIN_HEIGHT: u32 = 30;
const WIDTH_HEIGHT_RATIO: f32 = 8.0;
const DET_LIMIT_SIDE_LEN: u32 = 736;
const DET_THRESH: f32 = 0.3;
const BOX_THRESH: f32 = 0.5;
const MAX_CANDIDATES: usize = 1000;
const UNCLIP_RATIO: f32 = 1.6;
const MIN_SIZE: f32 = 3.0;
const CLS_W: usize = 192;
const CLS_H: usize = 48;
const CLS_BATCH: usize = 6;
const CLS_THRESH: f32 = 0.9;
const REC_H: usize = 48;
const REC_W: usize = 320;
/// Crops per recognition run. RapidOCR batches 6, sorted by aspect and
/// padded to the batch's widest; one at a time is faster on the CPU: on
/// zh-04-300dpi's 135 crops, RapidOCR's own recogniser took 7.6-8.2 s of
/// CPU in batches of 6 and 5.9-6.1 s one by one (one thread, ONNX Runtime
/// 1.22, same text), though the padding saved is only 3% of the pixels: a
/// batch's feature maps outgrow the caches. The crops stay sorted by
/// aspect, so a larger batch pads little if this changes.
const REC_BATCH: usize = 1;
const TEXT_SCORE: f32 = 0.5;

/// The folder holding the models and the library: `NEWSCLIP_PPOCR_DIR`,
/// else `$XDG_CACHE_HOME/newsclip/ppocr`, else `$HOME/.cache/newsclip/ppocr`.
pub fn ppocr_dir() -> PathBuf {
    if let Some(d) = std::env::var_os("NEWSCLIP_PPOCR_DIR").filter(|d| !d.is_empty()) {
        return PathBuf::from(d);
    }
    let cache = std::env::var_os("XDG_CACHE_HOME")
        .filter(|d| !d.is_empty())
        .map(PathBuf::from)
        .or_else(|| std::env::var_os("HOME").map(|h| PathBuf::from(h).join(".cache")))
        .unwrap_or_else(|| PathBuf::from(".cache"));
    cache.join("newsclip").join("ppocr")
}

/// The files of an installation in `dir`.
#[derive(Debug, Clone)]
pub struct Installation {
    pub det: PathBuf,
    pub cls: PathBuf,
    pub rec: PathBuf,
    pub library: PathBuf,
}

/// Finds the models and `libonnxruntime.so*` in `dir`; the error names what
/// is missing and how to install it.
pub fn locate(dir: &Path) -> Result<Installation> {
    let mut missing = Vec::new();
    let file = |name: &str, missing: &mut Vec<String>| {
        let p = dir.join(name);
        if !p.is_file() {
            missing.push(name.to_string());
        }
        p
    };
    let det = file(DET_MODEL, &mut missing);
    let cls = file(CLS_MODEL, &mut missing);
    let rec = file(REC_MODEL, &mut missing);
    let library = find_library(dir);
    if library.is_none() {
        missing.push(format!(
            "{}onnxruntime{}*",
            std::env::consts::DLL_PREFIX,
            std::env::consts::DLL_SUFFIX
        ));
    }
    match library {
        Some(library) if missing.is_empty() => Ok(Installation {
            det,
            cls,
            rec,
            library,
        }),
        _ => Err(Error::new(
            ErrorKind::Unsupported,
            format!(
                "the PP-OCR engine is not installed: {} missing in {}",
                missing.join(", "),
                dir.display()
            ),
        )
        .with_hint(INSTALL_HINT)),
    }
}

/// `libonnxruntime.so` or a versioned `libonnxruntime.so.1.22.1` in `dir`.
fn find_library(dir: &Path) -> Option<PathBuf> {
    let stem = format!(
        "{}onnxruntime{}",
        std::env::consts::DLL_PREFIX,
        std::env::consts::DLL_SUFFIX
    );
    let plain = dir.join(&stem);
    if plain.is_file() {
        return Some(plain);
    }
    let mut found: Vec<PathBuf> = std::fs::read_dir(dir)
        .ok()?
        .filter_map(|e| e.ok())
        .map(|e| e.path())
        .filter(|p| {
            p.is_file()
                && p.file_name()
                    .and_then(|n| n.to_str())
                    .is_some_and(|n| n.starts_with(&stem))
        })
        .collect();
    found.sort();
    found.pop()
}

/// The process-wide ONNX Runtime environment (one per process, and the
/// library can be loaded once).
static ENVIRONMENT: OnceLock<std::result::Result<ort::environment::Environment, String>> =
    OnceLock::new();

fn environment(library: &Path) -> Result<&'static ort::environment::Environment> {
    let env = ENVIRONMENT.get_or_init(|| {
        let builder = ort::init_from(library).map_err(|e| e.to_string())?;
        builder
            .with_name("newsclip")
            .build()
            .map_err(|e| e.to_string())
    });
    env.as_ref().map_err(|e| {
        Error::new(
            ErrorKind::Unsupported,
            format!(
                "the PP-OCR engine cannot load ONNX Runtime from {}: {e}",
                library.display()
            ),
        )
        .with_hint(INSTALL_HINT)
    })
}

/// The resolution the detector reads a page at, when the page's own is
/// known and higher (RapidOCR sizes it by pixels only: a long side of 2000,
/// which is 200 dpi of a letter-size 300 dpi scan). Text of 6 points is 12
/// pixels high at 150 dpi, as large as the detector needs to find its
/// lines; the recogniser still reads crops cut from the full image. On
/// zh-04-300dpi detection took a quarter of the time, and bag-of-characters
/// F1 moved by at most 0.002 on zh-04-300dpi, zh-01, en-06-300dpi and
/// mix-01 (120 dpi lost 0.004 on en-06, whose type is small).
const DET_DPI: f32 = 150.0;

/// Intra-op threads for one model run: the cores free for this page,
/// that is the machine's free cores ([`free_cores`]) shared among the pages
/// being read at that moment ([`super::pages_in_flight`]), at least one.
/// One page alone on two idle cores runs on both (1.7 times faster than
/// one thread); `-j 2` over many pages keeps one thread per page, as two
/// pages in flight already fill both cores and more threads would only
/// contend. `NEWSCLIP_ORT_THREADS` fixes the number.
fn intra_threads() -> usize {
    if let Some(n) = std::env::var("NEWSCLIP_ORT_THREADS")
        .ok()
        .and_then(|v| v.parse::<usize>().ok())
        .filter(|n| *n >= 1)
    {
        return n;
    }
    (free_cores() / super::pages_in_flight().max(1)).max(1)
}

/// The cores not busy with other work when the first page is read: all
/// cores less the one-minute load average (Linux's `/proc/loadavg`; all
/// cores elsewhere), at least one. Read once, before this process's own
/// work weighs on the average. Why: ONNX Runtime's threads spin while
/// they wait for each other, and on a machine already loaded (load 6 on 2
/// cores) two threads made detection 2.5 times slower than one.
fn free_cores() -> usize {
    static FREE: OnceLock<usize> = OnceLock::new();
    *FREE.get_or_init(|| {
        let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
        let busy = std::fs::read_to_string("/proc/loadavg")
            .ok()
            .and_then(|s| s.split_whitespace().next()?.parse::<f32>().ok())
            .filter(|l| l.is_finite() && *l >= 0.0)
            .map_or(0, |l| l.floor() as usize);
        cores.saturating_sub(busy).max(1)
    })
}

fn ort_error(what: &str, e: impl std::fmt::Display) -> Error {
    Error::new(ErrorKind::Malformed, format!("PP-OCR {what} failed: {e}"))
}

fn load_session(
    env: &ort::environment::Environment,
    path: &Path,
    threads: usize,
) -> Result<Session> {
    let what = format!("loading {}", path.display());
    Session::builder(env)
        .map_err(|e| ort_error(&what, e))?
        .with_optimization_level(GraphOptimizationLevel::All)
        .map_err(|e| ort_error(&what, e))?
        .with_intra_threads(threads)
        .map_err(|e| ort_error(&what, e))?
        .with_inter_threads(1)
        .map_err(|e| ort_error(&what, e))?
        // Pages differ in size, and an arena (and the memory pattern
        // planned for one input shape) keeps the largest page's buffers
        // for as long as the thread's session lives: with one session per
        // thread, memory would follow the largest pages ever read, not the
        // pages in flight that the run's memory budget counts.
        .with_memory_pattern(false)
        .map_err(|e| ort_error(&what, e))?
        .with_execution_providers([ort::ep::CPU::default().with_arena_allocator(false).build()])
        .map_err(|e| ort_error(&what, e))?
        .commit_from_file(path)
        .map_err(|e| ort_error(&what, e))
}

/// The three models' sessions, made for one number of intra-op threads.
struct Sessions {
    det: Session,
    cls: Session,
    rec: Session,
}

impl Sessions {
    fn load(
        env: &ort::environment::Environment,
        inst: &Installation,
        threads: usize,
    ) -> Result<Sessions> {
        Ok(Sessions {
            det: load_session(env, &inst.det, threads)?,
            cls: load_session(env, &inst.cls, threads)?,
            rec: load_session(env, &inst.rec, threads)?,
        })
    }
}

/// The PP-OCR engine of one thread (`Session::run` needs `&mut`).
pub struct PpOcr {
    det: Session,
    cls: Session,
    rec: Session,
    /// The intra-op threads of the sessions above.
    threads: usize,
    /// Sessions made for other numbers of threads, kept for when the
    /// number of pages in flight changes back (a session's thread pool is
    /// fixed when it is made; loading the three costs a fraction of a
    /// second).
    other: Vec<(usize, Sessions)>,
    env: &'static ort::environment::Environment,
    inst: Installation,
    /// Index 0 the CTC blank, then the model's characters, then a space.
    keys: Vec<String>,
    /// Seconds in detection, direction and recognition since the last
    /// [`PpOcr::take_timings`].
    timings: [f64; 3],
}

impl PpOcr {
    /// Loads the engine from `dir` (see [`ppocr_dir`]).
    pub fn load(dir: &Path) -> Result<PpOcr> {
        let inst = locate(dir)?;
        let env = environment(&inst.library)?;
        let threads = intra_threads();
        let Sessions { det, cls, rec } = Sessions::load(env, &inst, threads)?;
        let characters = rec
            .metadata()
            .ok()
            .and_then(|m| m.custom("character"))
            .ok_or_else(|| {
                Error::new(
                    ErrorKind::Unsupported,
                    format!(
                        "the recognition model {} has no character list in its metadata",
                        inst.rec.display()
                    ),
                )
                .with_hint(INSTALL_HINT)
            })?;
        let mut keys = vec![String::new()];
        keys.extend(characters.lines().map(str::to_string));
        keys.push(" ".to_string());
        Ok(PpOcr {
            det,
            cls,
            rec,
            threads,
            other: Vec::new(),
            env,
            inst,
            keys,
            timings: [0.0; 3],
        })
    }

    /// Makes the sessions in use those for `threads` intra-op threads.
    fn use_threads(&mut self, threads: usize) -> Result<()> {
        if threads == self.threads {
            return Ok(());
        }
        let wanted = match self.other.iter().position(|(t, _)| *t == threads) {
            Some(i) => self.other.swap_remove(i).1,
            None => Sessions::load(self.env, &self.inst, threads)?,
        };
        let old = Sessions {
            det: std::mem::replace(&mut self.det, wanted.det),
            cls: std::mem::replace(&mut self.cls, wanted.cls),
            rec: std::mem::replace(&mut self.rec, wanted.rec),
        };
        self.other.push((self.threads, old));
        self.threads = threads;
        Ok(())
    }

    /// Seconds spent in detection, direction classification and
    /// recognition since the last call.
    pub fn take_timings(&mut self) -> [f64; 3] {
        std::mem::take(&mut self.timings)
    }

    /// Text lines of `image`: each with its box (four corners, image
    /// pixels), text, score and the characters' positions (fractions of
    /// the line's length).
    pub fn read_lines(&mut self, image: &GrayImage) -> Result<Vec<Line>> {
        self.read(image, None)
    }

    /// Text lines as [`PpOcr::read_lines`] reads them, but with detected
    /// boxes cut at column gutters before recognition (see
    /// [`super::gutters`]); `dpi` is the image's resolution, by which
    /// ruling lines are told from text.
    pub fn read_page_lines(&mut self, image: &GrayImage, dpi: f32) -> Result<Vec<Line>> {
        self.read(image, Some(dpi))
    }

    fn read(&mut self, image: &GrayImage, gutters_at_dpi: Option<f32>) -> Result<Vec<Line>> {
        let (raw_w, raw_h) = image.dimensions();
        if raw_w == 0 || raw_h == 0 {
            return Ok(Vec::new());
        }
        // Global preprocess: long side at most 2000, short side at least 30.
        let mut img = image.clone();
        let (mut ratio_w, mut ratio_h) = (1.0f32, 1.0f32);
        if raw_w.max(raw_h) > MAX_SIDE_LEN {
            let r = MAX_SIDE_LEN as f32 / raw_w.max(raw_h) as f32;
            let (nw, nh) = (round32(raw_w as f32 * r), round32(raw_h as f32 * r));
            if nw == 0 || nh == 0 {
                return Ok(Vec::new());
            }
            img = resize_linear(&img, nw, nh);
            ratio_w = raw_w as f32 / nw as f32;
            ratio_h = raw_h as f32 / nh as f32;
        }
        let (w, h) = img.dimensions();
        if w.min(h) < MIN_SIDE_LEN {
            let r = MIN_SIDE_LEN as f32 / w.min(h) as f32;
            let (nw, nh) = (round32(w as f32 * r), round32(h as f32 * r));
            if nw == 0 || nh == 0 {
                return Ok(Vec::new());
            }
            img = resize_linear(&img, nw, nh);
            ratio_w = raw_w as f32 / nw as f32;
            ratio_h = raw_h as f32 / nh as f32;
        }
        // Letterbox for very flat images.
        let (w, h) = img.dimensions();
        let mut pad_top = 0u32;
        if h <= MIN_HEIGHT || w as f32 / h as f32 > WIDTH_HEIGHT_RATIO {
            let new_h = ((w as f32 / WIDTH_HEIGHT_RATIO) as u32).max(MIN_HEIGHT) * 2;
            pad_top = new_h.abs_diff(h) / 2;
            let mut padded = GrayImage::new(w, h + 2 * pad_top);
            image::imageops::replace(&mut padded, &img, 0, pad_top as i64);
            img = padded;
        }
        self.use_threads(intra_threads())?;
        let started = std::time::Instant::now();
        // The detector's input: the image at DET_DPI when its resolution
        // is known and higher (see there), else RapidOCR's sizing.
        let shrink = gutters_at_dpi.map_or(1.0, |dpi| DET_DPI / (dpi / ratio_w.max(ratio_h)));
        let boxes = self.detect(&img, shrink)?;
        self.timings[0] += started.elapsed().as_secs_f64();
        if boxes.is_empty() {
            return Ok(Vec::new());
        }
        let mut boxes = sorted_boxes(boxes);
        if let Some(dpi) = gutters_at_dpi {
            // Gutters are measured on the page at its own resolution: the
            // detection image (long side 2000) is a 300 dpi broadsheet at
            // about 100 dpi, where a gutter of half an em is a few blurred
            // pixels, hardly wider than the blanks between characters.
            let rules = super::preprocess::find_rules(
                image,
                (0.75 * dpi) as u32,
                ((0.05 * dpi) as u32).max(2),
            );
            let to_page = |p: [f32; 2]| [p[0] * ratio_w, (p[1] - pad_top as f32) * ratio_h];
            boxes = cut_at_gutters(boxes, &super::gutters::Ink::new(image, &rules), &to_page);
        }
        let mut crops: Vec<(GrayImage, bool)> = boxes
            .iter()
            .map(|b| rotate_crop(&img, b))
            .collect::<Vec<_>>();
        let started = std::time::Instant::now();
        let flipped = self.classify(&mut crops)?;
        self.timings[1] += started.elapsed().as_secs_f64();
        let started = std::time::Instant::now();
        let rec = self.recognize_crops(&crops)?;
        self.timings[2] += started.elapsed().as_secs_f64();
        let mut lines = Vec::new();
        for (i, (b, mut r)) in boxes.iter().zip(rec).enumerate() {
            if gutters_at_dpi.is_some() && !crops[i].1 {
                r = with_word_spaces(&crops[i].0, r);
            }
            if r.score < TEXT_SCORE || r.text.is_empty() {
                continue;
            }
            let mut quad = *b;
            for p in quad.iter_mut() {
                p[1] -= pad_top as f32;
                p[0] = (p[0] * ratio_w).clamp(0.0, raw_w as f32);
                p[1] = (p[1] * ratio_h).clamp(0.0, raw_h as f32);
            }
            lines.push(Line {
                quad,
                text: r.text,
                score: r.score,
                chars: r.chars,
                vertical: crops[i].1,
                flipped: flipped[i],
            });
        }
        Ok(lines)
    }

    /// Text boxes of `img`, read by the detector at `shrink` times its
    /// size (at most 1, and never under RapidOCR's short side of 736).
    fn detect(&mut self, img: &GrayImage, shrink: f32) -> Result<Vec<Quad>> {
        let (w, h) = img.dimensions();
        let floor = DET_LIMIT_SIDE_LEN as f32 / w.min(h) as f32;
        let ratio = if floor > 1.0 {
            floor
        } else {
            shrink.clamp(floor, 1.0)
        };
        let rw = round32((w as f32 * ratio) as u32 as f32);
        let rh = round32((h as f32 * ratio) as u32 as f32);
        if rw == 0 || rh == 0 {
            return Ok(Vec::new());
        }
        let resized = resize_linear(img, rw, rh);
        let plane: Vec<f32> = resized
            .as_raw()
            .iter()
            .map(|&v| (v as f32 / 255.0 - 0.5) / 0.5)
            .collect();
        let n = plane.len();
        let mut data = Vec::with_capacity(3 * n);
        for _ in 0..3 {
            data.extend_from_slice(&plane);
        }
        let input = Tensor::from_array(([1usize, 3, rh as usize, rw as usize], data))
            .map_err(|e| ort_error("detection input", e))?;
        let outputs = self
            .det
            .run(ort::inputs![input])
            .map_err(|e| ort_error("detection", e))?;
        let (shape, pred) = outputs[0]
            .try_extract_tensor::<f32>()
            .map_err(|e| ort_error("detection output", e))?;
        let (ph, pw) = match &shape[..] {
            [_, _, ph, pw] => (*ph as usize, *pw as usize),
            _ => return Err(ort_error("detection", "unexpected output shape")),
        };
        if pred.len() < ph * pw {
            return Err(ort_error("detection", "short output"));
        }
        Ok(db_postprocess(&pred[..ph * pw], pw, ph, w, h))
    }

    /// Direction classification; turns the crops read upside down and says
    /// which were turned.
    fn classify(&mut self, crops: &mut [(GrayImage, bool)]) -> Result<Vec<bool>> {
        let mut flipped = vec![false; crops.len()];
        let order = aspect_order(crops);
        for chunk in order.chunks(CLS_BATCH) {
            let mut data = Vec::with_capacity(chunk.len() * 3 * CLS_H * CLS_W);
            for &i in chunk {
                data.extend(normalized_padded(&crops[i].0, CLS_W));
            }
            let input = Tensor::from_array(([chunk.len(), 3, CLS_H, CLS_W], data))
                .map_err(|e| ort_error("classification input", e))?;
            let outputs = self
                .cls
                .run(ort::inputs![input])
                .map_err(|e| ort_error("classification", e))?;
            let (_, probs) = outputs[0]
                .try_extract_tensor::<f32>()
                .map_err(|e| ort_error("classification output", e))?;
            for (k, &i) in chunk.iter().enumerate() {
                let (Some(&p0), Some(&p1)) = (probs.get(2 * k), probs.get(2 * k + 1)) else {
                    continue;
                };
                if p1 > p0 && p1 > CLS_THRESH {
                    image::imageops::rotate180_in_place(&mut crops[i].0);
                    flipped[i] = true;
                }
            }
        }
        Ok(flipped)
    }

    fn recognize_crops(&mut self, crops: &[(GrayImage, bool)]) -> Result<Vec<Recognized>> {
        let mut out: Vec<Recognized> = (0..crops.len()).map(|_| Recognized::default()).collect();
        let order = aspect_order(crops);
        for chunk in order.chunks(REC_BATCH) {
            let mut max_ratio = REC_W as f32 / REC_H as f32;
            for &i in chunk {
                let (w, h) = crops[i].0.dimensions();
                max_ratio = max_ratio.max(w as f32 / h.max(1) as f32);
            }
            let width = (REC_H as f32 * max_ratio) as usize;
            let mut data = Vec::with_capacity(chunk.len() * 3 * REC_H * width);
            let mut used = Vec::with_capacity(chunk.len());
            for &i in chunk {
                let (w, h) = crops[i].0.dimensions();
                let r = w as f32 / h.max(1) as f32;
                used.push(((REC_H as f32 * r).ceil() as usize).min(width).max(1));
                data.extend(normalized_padded(&crops[i].0, width));
            }
            let input = Tensor::from_array(([chunk.len(), 3, REC_H, width], data))
                .map_err(|e| ort_error("recognition input", e))?;
            let outputs = self
                .rec
                .run(ort::inputs![input])
                .map_err(|e| ort_error("recognition", e))?;
            let (shape, probs) = outputs[0]
                .try_extract_tensor::<f32>()
                .map_err(|e| ort_error("recognition output", e))?;
            let (t, c) = match &shape[..] {
                [_, t, c] => (*t as usize, *c as usize),
                _ => return Err(ort_error("recognition", "unexpected output shape")),
            };
            for (k, &i) in chunk.iter().enumerate() {
                let Some(seq) = probs.get(k * t * c..(k + 1) * t * c) else {
                    continue;
                };
                // Time steps to fractions of the crop: the image filled
                // `used` of `width` columns.
                let scale = width as f32 / used[k] as f32 / t.max(1) as f32;
                out[i] = ctc_decode(seq, t, c, &self.keys, scale);
            }
        }
        Ok(out)
    }
}

/// A box: four corners (x, y), clockwise from the top left.
pub type Quad = [[f32; 2]; 4];

/// A recognised text line.
#[derive(Debug, Clone)]
pub struct Line {
    pub quad: Quad,
    pub text: String,
    pub score: f32,
    /// Per character: (start, end) along the line as fractions of its
    /// length, and the character's probability.
    pub chars: Vec<(f32, f32, f32)>,
    /// Read turned by 90° (a tall box).
    pub vertical: bool,
    /// Read turned by 180°.
    pub flipped: bool,
}

#[derive(Debug, Clone, Default)]
struct Recognized {
    text: String,
    score: f32,
    chars: Vec<(f32, f32, f32)>,
}

fn round32(v: f32) -> u32 {
    ((v as u32) as f32 / 32.0).round_ties_even() as u32 * 32
}

/// Indices sorted by aspect ratio (width / height), as RapidOCR batches.
fn aspect_order(crops: &[(GrayImage, bool)]) -> Vec<usize> {
    let ratios: Vec<f32> = crops
        .iter()
        .map(|(c, _)| c.width() as f32 / c.height().max(1) as f32)
        .collect();
    let mut order: Vec<usize> = (0..crops.len()).collect();
    order.sort_by(|&a, &b| ratios[a].total_cmp(&ratios[b]));
    order
}

/// `crop` resized to height 48 (width by aspect, at most `width`),
/// normalised to -1..1, zero-padded to `width`, three equal channels.
fn normalized_padded(crop: &GrayImage, width: usize) -> Vec<f32> {
    let (w, h) = crop.dimensions();
    let r = w as f32 / h.max(1) as f32;
    let rw = ((REC_H as f32 * r).ceil() as usize).clamp(1, width);
    let resized = resize_linear(crop, rw as u32, REC_H as u32);
    let mut plane = vec![0.0f32; REC_H * width];
    for y in 0..REC_H {
        for x in 0..rw {
            let v = resized.get_pixel(x as u32, y as u32)[0] as f32;
            plane[y * width + x] = (v / 255.0 - 0.5) / 0.5;
        }
    }
    let mut out = Vec::with_capacity(3 * plane.len());
    for _ in 0..3 {
        out.extend_from_slice(&plane);
    }
    out
}

/// CTC greedy decoding: the best class per step, repeats merged, blanks
/// dropped; the score is the mean probability of the kept steps. Each
/// character gets the span of its steps (`scale` turns a step into a
/// fraction of the crop).
fn ctc_decode(seq: &[f32], t: usize, c: usize, keys: &[String], scale: f32) -> Recognized {
    let mut text = String::new();
    let mut chars: Vec<(f32, f32, f32)> = Vec::new();
    let mut probs = Vec::new();
    let mut prev = usize::MAX;
    // Steps of the current character: first and last.
    let mut spans: Vec<(usize, usize)> = Vec::new();
    for step in 0..t {
        let row = &seq[step * c..(step + 1) * c];
        let (best, p) =
            row.iter().enumerate().fold(
                (0usize, f32::MIN),
                |acc, (i, &v)| {
                    if v > acc.1 {
                        (i, v)
                    } else {
                        acc
                    }
                },
            );
        if best != 0 && best == prev {
            if let Some(s) = spans.last_mut() {
                s.1 = step;
            }
        }
        if best != 0 && best != prev {
            if let Some(k) = keys.get(best) {
                text.push_str(k);
                probs.push(p);
                spans.push((step, step));
                chars.push((0.0, 0.0, p));
            }
        }
        prev = best;
    }
    // Character extents: half the line's median pitch (the distance
    // between neighbouring characters' steps) on each side of a
    // character's centre, and never past halfway to a neighbour; so a
    // column gutter inside one detected box stays a gap.
    let n = spans.len();
    if n > 0 {
        let centres: Vec<f32> = spans
            .iter()
            .map(|s| (s.0 + s.1) as f32 / 2.0 + 0.5)
            .collect();
        let mut gaps: Vec<f32> = centres.windows(2).map(|w| w[1] - w[0]).collect();
        gaps.sort_by(f32::total_cmp);
        let pitch = if gaps.is_empty() {
            (spans[0].1 - spans[0].0 + 2) as f32
        } else {
            gaps[gaps.len() / 2]
        };
        for i in 0..n {
            let mut start = centres[i] - pitch / 2.0;
            let mut end = centres[i] + pitch / 2.0;
            if i > 0 {
                start = start.max((centres[i - 1] + centres[i]) / 2.0);
            }
            if i + 1 < n {
                end = end.min((centres[i] + centres[i + 1]) / 2.0);
            }
            chars[i].0 = (start * scale).clamp(0.0, 1.0);
            chars[i].1 = (end * scale).clamp(0.0, 1.0);
        }
    }
    let score = if probs.is_empty() {
        0.0
    } else {
        probs.iter().sum::<f32>() / probs.len() as f32
    };
    Recognized { text, score, chars }
}

/// A word's box narrowed in height to its ink.
///
/// Why: the detector's box is the line's, with a margin, for every word
/// in it; layout estimates type sizes from ink heights and the letters a
/// word has (an x-height-only word like `on` is about half an em high), as
/// it does for Tesseract's tight boxes. The ink is the run of rows with
/// dark pixels holding the most ink, bridging blank rows up to a tenth of
/// the box (the dot of an i), so that noise specks above or below are left
/// out.
fn ink_rows(image: &GrayImage, threshold: u8, bbox: [f32; 4]) -> [f32; 4] {
    let (iw, ih) = image.dimensions();
    let x0 = (bbox[0].max(0.0) as u32).min(iw);
    let x1 = (bbox[2].max(0.0).ceil() as u32).min(iw);
    let y0 = (bbox[1].max(0.0) as u32).min(ih);
    let y1 = (bbox[3].max(0.0).ceil() as u32).min(ih);
    if x1 <= x0 || y1 <= y0 + 2 {
        return bbox;
    }
    let counts: Vec<u32> = (y0..y1)
        .map(|y| {
            (x0..x1)
                .filter(|&x| image.get_pixel(x, y).0[0] <= threshold)
                .count() as u32
        })
        .collect();
    let bridge = ((y1 - y0) / 10).max(1) as usize;
    let (mut best, mut best_ink) = (None::<(usize, usize)>, 0u32);
    let mut k = 0;
    while k < counts.len() {
        if counts[k] == 0 {
            k += 1;
            continue;
        }
        let (start, mut end, mut ink, mut blank) = (k, k, 0u32, 0usize);
        while k < counts.len() && blank <= bridge {
            if counts[k] > 0 {
                end = k;
                ink += counts[k];
                blank = 0;
            } else {
                blank += 1;
            }
            k += 1;
        }
        if ink > best_ink {
            (best, best_ink) = (Some((start, end)), ink);
        }
    }
    match best {
        Some((a, z)) => [
            bbox[0],
            (y0 + a as u32) as f32,
            bbox[2],
            (y0 + z as u32 + 1) as f32,
        ],
        None => bbox,
    }
}

/// The ASCII form of a full-width punctuation mark.
fn ascii_punctuation(c: char) -> Option<char> {
    Some(match c {
        '，' => ',',
        '。' => '.',
        '：' => ':',
        '；' => ';',
        '！' => '!',
        '？' => '?',
        '（' => '(',
        '）' => ')',
        _ => return None,
    })
}

/// Puts back the spaces between Latin words that the recogniser left out.
///
/// Why: PP-OCR's Chinese recogniser reads Latin letters well but often
/// drops the spaces between words (`Skaterscrowd`), and the page's layout
/// and the reader need words. The ink of the line crop says where they
/// were: between two Latin characters that follow each other in the
/// reading, a word space is a blank run of pixel columns much wider than
/// the blank between letters of a word. Both are measured against the
/// crop's height (about 1.4 em for a detector's box): letters of a word
/// leave at most about 0.1 of it after blur, a word space 0.2 or more.
/// Full-width punctuation in such lines becomes ASCII.
fn with_word_spaces(crop: &GrayImage, mut r: Recognized) -> Recognized {
    let chars: Vec<char> = r.text.chars().collect();
    if chars.len() != r.chars.len() || chars.len() < 2 {
        return r;
    }
    // Chinese text has no word spaces, also around the digits and Latin
    // words inside it: only lines that are mostly Latin get them.
    let letters = chars.iter().filter(|c| c.is_ascii_alphabetic()).count();
    let cjk = chars.iter().filter(|c| crate::script::is_cjk(**c)).count();
    if letters < 2 || letters <= cjk {
        return r;
    }
    // The recogniser's dictionary is Chinese first: in Latin text it
    // often picks the full-width form of a punctuation mark (`before，`).
    let mut chars = chars;
    for c in chars.iter_mut() {
        if let Some(ascii) = ascii_punctuation(*c) {
            *c = ascii;
        }
    }
    r.text = chars.iter().collect();
    let latin = |c: char| c.is_ascii_graphic() && !matches!(c, '(' | '[' | '{');
    let (w, h) = crop.dimensions();
    if w < 4 || h < 4 {
        return r;
    }
    let t = super::preprocess::otsu(crop);
    let speck = 1 + h / 30;
    let blank: Vec<bool> = (0..w)
        .map(|x| (0..h).filter(|&y| crop.get_pixel(x, y).0[0] <= t).count() as u32 <= speck)
        .collect();
    // The widest blank run between the centres of characters k-1 and k,
    // for each pair of Latin characters the recogniser put together.
    let gaps: Vec<Option<usize>> = (0..chars.len())
        .map(|k| {
            if k == 0 || !latin(chars[k - 1]) || !latin(chars[k]) {
                return None;
            }
            let centre = |c: (f32, f32, f32)| ((c.0 + c.1) / 2.0 * w as f32) as usize;
            let (from, to) = (centre(r.chars[k - 1]), centre(r.chars[k]).min(w as usize));
            let (mut best, mut run) = (0usize, 0usize);
            for &b in &blank[from.min(to)..to] {
                run = if b { run + 1 } else { 0 };
                best = best.max(run);
            }
            Some(best)
        })
        .collect();
    let mut sorted: Vec<usize> = gaps.iter().flatten().copied().collect();
    if sorted.is_empty() {
        return r;
    }
    sorted.sort_unstable();
    // Most pairs are letters of one word: a space is well above their
    // typical blank (letter-spaced display type has wide blanks between
    // all its letters) and above an absolute floor.
    let typical = sorted[sorted.len() / 2] as f32;
    let needed = (0.13 * h as f32).max(2.0 * typical + 1.0);
    let mut text = String::new();
    let mut positions = Vec::new();
    for (k, &ch) in chars.iter().enumerate() {
        if gaps[k].is_some_and(|g| g as f32 >= needed) {
            let edge = r.chars[k - 1].1;
            text.push(' ');
            positions.push((edge, edge, 1.0));
        }
        text.push(ch);
        positions.push(r.chars[k]);
    }
    r.text = text;
    r.chars = positions;
    r
}

/// Bilinear resize with OpenCV's pixel-centre convention (no
/// anti-aliasing, as `cv2.resize(..., INTER_LINEAR)`).
fn resize_linear(src: &GrayImage, nw: u32, nh: u32) -> GrayImage {
    let (w, h) = src.dimensions();
    if (w, h) == (nw, nh) {
        return src.clone();
    }
    let sx = w as f32 / nw as f32;
    let sy = h as f32 / nh as f32;
    let raw = src.as_raw();
    let wu = w as usize;
    let xs: Vec<(usize, usize, f32)> = (0..nw)
        .map(|x| {
            let fx = ((x as f32 + 0.5) * sx - 0.5).max(0.0);
            let x0 = (fx.floor() as usize).min(wu - 1);
            let x1 = (x0 + 1).min(wu - 1);
            (x0, x1, fx - x0 as f32)
        })
        .collect();
    let mut out = GrayImage::new(nw, nh);
    let buf: &mut [u8] = &mut out;
    for y in 0..nh as usize {
        let fy = ((y as f32 + 0.5) * sy - 0.5).max(0.0);
        let y0 = (fy.floor() as usize).min(h as usize - 1);
        let y1 = (y0 + 1).min(h as usize - 1);
        let ay = fy - y0 as f32;
        let r0 = &raw[y0 * wu..(y0 + 1) * wu];
        let r1 = &raw[y1 * wu..(y1 + 1) * wu];
        for (x, &(x0, x1, ax)) in xs.iter().enumerate() {
            let top = r0[x0] as f32 * (1.0 - ax) + r0[x1] as f32 * ax;
            let bot = r1[x0] as f32 * (1.0 - ax) + r1[x1] as f32 * ax;
            buf[y * nw as usize + x] =
                (top * (1.0 - ay) + bot * ay).round().clamp(0.0, 255.0) as u8;
        }
    }
    out
}

/// DB postprocess on the probability map `pred` (`pw`×`ph`), boxes scaled
/// to the `dest_w`×`dest_h` image.
fn db_postprocess(pred: &[f32], pw: usize, ph: usize, dest_w: u32, dest_h: u32) -> Vec<Quad> {
    // Threshold and dilate with a 2×2 kernel (anchor at its centre: each
    // pixel takes the maximum of itself, its left, upper and upper-left).
    let mut bitmap = GrayImage::new(pw as u32, ph as u32);
    {
        let buf: &mut [u8] = &mut bitmap;
        for y in 0..ph {
            for x in 0..pw {
                let on = |xx: usize, yy: usize| pred[yy * pw + xx] > DET_THRESH;
                let v = on(x, y)
                    || (x > 0 && on(x - 1, y))
                    || (y > 0 && on(x, y - 1))
                    || (x > 0 && y > 0 && on(x - 1, y - 1));
                buf[y * pw + x] = if v { 255 } else { 0 };
            }
        }
    }
    let contours = imageproc::contours::find_contours::<i32>(&bitmap);
    let mut boxes = Vec::new();
    for contour in contours.iter().take(MAX_CANDIDATES) {
        let pts: Vec<Point<f64>> = contour
            .points
            .iter()
            .map(|p| Point::new(p.x as f64, p.y as f64))
            .collect();
        let Some((quad, sside)) = mini_box(&pts) else {
            continue;
        };
        if sside < MIN_SIZE {
            continue;
        }
        let score = box_score_fast(pred, pw, ph, &quad);
        if score < BOX_THRESH {
            continue;
        }
        let Some((quad, sside)) = unclip(&quad) else {
            continue;
        };
        if sside < MIN_SIZE + 2.0 {
            continue;
        }
        let mut q = quad;
        for p in q.iter_mut() {
            p[0] = (p[0] / pw as f32 * dest_w as f32)
                .round()
                .clamp(0.0, dest_w as f32)
                .trunc();
            p[1] = (p[1] / ph as f32 * dest_h as f32)
                .round()
                .clamp(0.0, dest_h as f32)
                .trunc();
        }
        // filter_tag_det_res: corners clockwise, clipped, boxes of 3
        // pixels or less dropped.
        let mut q = order_clockwise(q);
        for p in q.iter_mut() {
            p[0] = p[0].clamp(0.0, dest_w as f32 - 1.0).trunc();
            p[1] = p[1].clamp(0.0, dest_h as f32 - 1.0).trunc();
        }
        let rw = dist(q[0], q[1]) as i32;
        let rh = dist(q[0], q[3]) as i32;
        if rw <= 3 || rh <= 3 {
            continue;
        }
        boxes.push(q);
    }
    boxes
}

fn dist(a: [f32; 2], b: [f32; 2]) -> f32 {
    ((a[0] - b[0]).powi(2) + (a[1] - b[1]).powi(2)).sqrt()
}

/// RapidOCR's `get_mini_boxes`: the minimum-area rectangle, corners in
/// the order top-left, top-right, bottom-right, bottom-left (by its
/// sorting rule), and its shorter side.
fn mini_box(pts: &[Point<f64>]) -> Option<(Quad, f32)> {
    if pts.is_empty() {
        return None;
    }
    let r = imageproc::geometry::min_area_rect(pts);
    let corners: Vec<[f32; 2]> = r.iter().map(|p| [p.x as f32, p.y as f32]).collect();
    let w = dist(corners[0], corners[1]);
    let h = dist(corners[1], corners[2]);
    Some((order_mini(corners), w.min(h)))
}

fn order_mini(mut pts: Vec<[f32; 2]>) -> Quad {
    pts.sort_by(|a, b| a[0].total_cmp(&b[0]));
    let (i1, i4) = if pts[1][1] > pts[0][1] {
        (0, 1)
    } else {
        (1, 0)
    };
    let (i2, i3) = if pts[3][1] > pts[2][1] {
        (2, 3)
    } else {
        (3, 2)
    };
    [pts[i1], pts[i2], pts[i3], pts[i4]]
}

/// imutils' `order_points`: top-left, top-right, bottom-right, bottom-left.
fn order_clockwise(q: Quad) -> Quad {
    let mut pts = q.to_vec();
    pts.sort_by(|a, b| a[0].total_cmp(&b[0]));
    let mut left = [pts[0], pts[1]];
    let mut right = [pts[2], pts[3]];
    left.sort_by(|a, b| a[1].total_cmp(&b[1]));
    right.sort_by(|a, b| a[1].total_cmp(&b[1]));
    [left[0], right[0], right[1], left[1]]
}

/// Mean of `pred` over the box's pixels (corners truncated to integers, as
/// `fillPoly` gets them).
fn box_score_fast(pred: &[f32], pw: usize, ph: usize, quad: &Quad) -> f32 {
    let xs = quad.iter().map(|p| p[0]);
    let ys = quad.iter().map(|p| p[1]);
    let clampx = |v: f32| (v as i64).clamp(0, pw as i64 - 1) as usize;
    let clampy = |v: f32| (v as i64).clamp(0, ph as i64 - 1) as usize;
    let xmin = clampx(xs.clone().fold(f32::MAX, f32::min).floor());
    let xmax = clampx(xs.fold(f32::MIN, f32::max).ceil());
    let ymin = clampy(ys.clone().fold(f32::MAX, f32::min).floor());
    let ymax = clampy(ys.fold(f32::MIN, f32::max).ceil());
    let poly: Vec<[f32; 2]> = quad.iter().map(|p| [p[0].trunc(), p[1].trunc()]).collect();
    let (mut sum, mut n) = (0.0f64, 0usize);
    for y in ymin..=ymax {
        for x in xmin..=xmax {
            if inside_convex(&poly, x as f32, y as f32) {
                sum += pred[y * pw + x] as f64;
                n += 1;
            }
        }
    }
    if n == 0 {
        0.0
    } else {
        (sum / n as f64) as f32
    }
}

/// Whether (x, y) lies in the convex polygon, edges included.
fn inside_convex(poly: &[[f32; 2]], x: f32, y: f32) -> bool {
    let (mut pos, mut neg) = (false, false);
    for i in 0..poly.len() {
        let a = poly[i];
        let b = poly[(i + 1) % poly.len()];
        let cross = (b[0] - a[0]) * (y - a[1]) - (b[1] - a[1]) * (x - a[0]);
        if cross > 0.5 {
            pos = true;
        } else if cross < -0.5 {
            neg = true;
        }
    }
    !(pos && neg)
}

/// The box grown by `area × ratio / perimeter` on every side (the
/// minimum-area rectangle of the round-joined offset polygon), with its
/// shorter side.
fn unclip(q: &Quad) -> Option<(Quad, f32)> {
    let w = dist(q[0], q[1]);
    let h = dist(q[1], q[2]);
    let perimeter = 2.0 * (w + h);
    if perimeter <= 0.0 {
        return None;
    }
    let d = w * h * UNCLIP_RATIO / perimeter;
    let cx = q.iter().map(|p| p[0]).sum::<f32>() / 4.0;
    let cy = q.iter().map(|p| p[1]).sum::<f32>() / 4.0;
    // Unit vectors along the sides.
    let ux = if w > 0.0 {
        [(q[1][0] - q[0][0]) / w, (q[1][1] - q[0][1]) / w]
    } else {
        [1.0, 0.0]
    };
    let uy = [-ux[1], ux[0]];
    let (hw, hh) = (w / 2.0 + d, h / 2.0 + d);
    let corners = [(-hw, -hh), (hw, -hh), (hw, hh), (-hw, hh)]
        .iter()
        .map(|&(a, b)| [cx + a * ux[0] + b * uy[0], cy + a * ux[1] + b * uy[1]])
        .collect::<Vec<_>>();
    let (w2, h2) = (2.0 * hw, 2.0 * hh);
    Some((order_mini(corners), w2.min(h2)))
}

/// Boxes cut where a column gutter runs through them (horizontal boxes
/// only), each piece in the place of its box.
fn cut_at_gutters(
    boxes: Vec<Quad>,
    ink: &super::gutters::Ink,
    to_ink: &dyn Fn([f32; 2]) -> [f32; 2],
) -> Vec<Quad> {
    let bounds: Vec<[f32; 4]> = boxes
        .iter()
        .map(|q| {
            let q = q.map(to_ink);
            let xs = q.iter().map(|p| p[0]);
            let ys = q.iter().map(|p| p[1]);
            [
                xs.clone().fold(f32::MAX, f32::min),
                ys.clone().fold(f32::MAX, f32::min),
                xs.fold(f32::MIN, f32::max),
                ys.fold(f32::MIN, f32::max),
            ]
        })
        .collect();
    let cuts = super::gutters::cuts(ink, &bounds);
    let mut out = Vec::with_capacity(boxes.len());
    for ((q, b), xs) in boxes.into_iter().zip(&bounds).zip(cuts) {
        if xs.is_empty() {
            out.push(q);
            continue;
        }
        let span = (b[2] - b[0]).max(1.0);
        let lerp =
            |p: [f32; 2], r: [f32; 2], t: f32| [p[0] + (r[0] - p[0]) * t, p[1] + (r[1] - p[1]) * t];
        let mut edges: Vec<f32> = vec![0.0];
        edges.extend(xs.iter().map(|x| ((x - b[0]) / span).clamp(0.0, 1.0)));
        edges.push(1.0);
        for w in edges.windows(2) {
            let (ta, tb) = (w[0], w[1]);
            if tb - ta <= 0.0 {
                continue;
            }
            out.push([
                lerp(q[0], q[1], ta),
                lerp(q[0], q[1], tb),
                lerp(q[3], q[2], tb),
                lerp(q[3], q[2], ta),
            ]);
        }
    }
    out
}

/// Top to bottom, then left to right for boxes whose tops are within 10
/// pixels (RapidOCR's `sorted_boxes`).
fn sorted_boxes(mut boxes: Vec<Quad>) -> Vec<Quad> {
    boxes.sort_by(|a, b| {
        a[0][1]
            .total_cmp(&b[0][1])
            .then(a[0][0].total_cmp(&b[0][0]))
    });
    let n = boxes.len();
    for i in 0..n.saturating_sub(1) {
        let mut j = i as isize;
        while j >= 0 {
            let ju = j as usize;
            if (boxes[ju + 1][0][1] - boxes[ju][0][1]).abs() < 10.0
                && boxes[ju + 1][0][0] < boxes[ju][0][0]
            {
                boxes.swap(ju, ju + 1);
                j -= 1;
            } else {
                break;
            }
        }
    }
    boxes
}

/// The box cut out and straightened by a perspective warp (bicubic,
/// replicated border); turned 90° counter-clockwise when 1.5 times taller
/// than wide (the flag says so).
fn rotate_crop(img: &GrayImage, q: &Quad) -> (GrayImage, bool) {
    let cw = dist(q[0], q[1]).max(dist(q[2], q[3])) as u32;
    let ch = dist(q[0], q[3]).max(dist(q[1], q[2])) as u32;
    let (cw, ch) = (cw.max(1), ch.max(1));
    let dst = [
        [0.0, 0.0],
        [cw as f32, 0.0],
        [cw as f32, ch as f32],
        [0.0, ch as f32],
    ];
    // Map destination pixels to source points.
    let Some(m) = homography(&dst, q) else {
        return (GrayImage::new(cw, ch), false);
    };
    let mut out = GrayImage::new(cw, ch);
    for y in 0..ch {
        for x in 0..cw {
            let (xf, yf) = (x as f64, y as f64);
            let den = m[6] * xf + m[7] * yf + m[8];
            if den.abs() < 1e-12 {
                continue;
            }
            let sx = (m[0] * xf + m[1] * yf + m[2]) / den;
            let sy = (m[3] * xf + m[4] * yf + m[5]) / den;
            out.put_pixel(x, y, image::Luma([bicubic(img, sx as f32, sy as f32)]));
        }
    }
    if ch as f32 / cw as f32 >= 1.5 {
        (image::imageops::rotate270(&out), true)
    } else {
        (out, false)
    }
}

/// The 3×3 perspective transform (row-major) taking `from` to `to`.
fn homography(from: &[[f32; 2]; 4], to: &Quad) -> Option<[f64; 9]> {
    let mut a = [[0.0f64; 9]; 8];
    for i in 0..4 {
        let (x, y) = (from[i][0] as f64, from[i][1] as f64);
        let (u, v) = (to[i][0] as f64, to[i][1] as f64);
        a[2 * i] = [x, y, 1.0, 0.0, 0.0, 0.0, -u * x, -u * y, u];
        a[2 * i + 1] = [0.0, 0.0, 0.0, x, y, 1.0, -v * x, -v * y, v];
    }
    // Gaussian elimination with partial pivoting.
    for col in 0..8 {
        let piv = (col..8).max_by(|&i, &j| a[i][col].abs().total_cmp(&a[j][col].abs()))?;
        if a[piv][col].abs() < 1e-12 {
            return None;
        }
        a.swap(col, piv);
        let pivot_row = a[col];
        for (row, r) in a.iter_mut().enumerate() {
            if row != col {
                let f = r[col] / pivot_row[col];
                for (v, p) in r.iter_mut().zip(pivot_row.iter()).skip(col) {
                    *v -= f * p;
                }
            }
        }
    }
    let mut h = [0.0f64; 9];
    for (i, (hi, r)) in h.iter_mut().zip(a.iter()).enumerate() {
        *hi = r[8] / r[i];
    }
    h[8] = 1.0;
    Some(h)
}

/// Bicubic sample (OpenCV's a = -0.75), border replicated.
fn bicubic(img: &GrayImage, x: f32, y: f32) -> u8 {
    let (w, h) = img.dimensions();
    let x0 = x.floor();
    let y0 = y.floor();
    let (dx, dy) = (x - x0, y - y0);
    let weights = |t: f32| -> [f32; 4] {
        const A: f32 = -0.75;
        let w0 = ((A * (t + 1.0) - 5.0 * A) * (t + 1.0) + 8.0 * A) * (t + 1.0) - 4.0 * A;
        let w1 = ((A + 2.0) * t - (A + 3.0)) * t * t + 1.0;
        let w2 = ((A + 2.0) * (1.0 - t) - (A + 3.0)) * (1.0 - t) * (1.0 - t) + 1.0;
        [w0, w1, w2, 1.0 - w0 - w1 - w2]
    };
    let wx = weights(dx);
    let wy = weights(dy);
    let raw = img.as_raw();
    let mut acc = 0.0f32;
    for (j, wyj) in wy.iter().enumerate() {
        let yy = (y0 as i64 - 1 + j as i64).clamp(0, h as i64 - 1) as usize;
        let row = &raw[yy * w as usize..(yy + 1) * w as usize];
        let mut s = 0.0f32;
        for (i, wxi) in wx.iter().enumerate() {
            let xx = (x0 as i64 - 1 + i as i64).clamp(0, w as i64 - 1) as usize;
            s += row[xx] as f32 * wxi;
        }
        acc += s * wyj;
    }
    acc.round().clamp(0.0, 255.0) as u8
}

/// Words of a line: every CJK character alone, runs of other characters
/// between spaces together; boxes along the line's box.
pub fn line_words(line: &Line, index: u32) -> Vec<OcrWord> {
    let chars: Vec<char> = line.text.chars().collect();
    // keys are single characters, so text and positions align; guard anyway.
    if chars.len() != line.chars.len() {
        return vec![OcrWord {
            text: line.text.clone(),
            bbox: quad_bbox(&line.quad, 0.0, 1.0, line),
            confidence: line.score,
            line: index,
            paragraph: index,
        }];
    }
    let mut words = Vec::new();
    let mut cur: Option<(String, f32, f32, f32, usize)> = None;
    // A detected box may run across a narrow column gutter: the line is
    // cut where the gap between two characters exceeds 0.8 of the line's
    // median character width (text inside a line has no gaps: the
    // characters' extents meet, a space is a character).
    let mut widths: Vec<f32> = line.chars.iter().map(|c| c.1 - c.0).collect();
    widths.sort_by(f32::total_cmp);
    let pitch = widths.get(widths.len() / 2).copied().unwrap_or(0.0);
    // Between Latin characters a gutter is also at least about two thirds
    // of the line's height wide: letters are of uneven widths, and the
    // recogniser's steps leave gaps of a letter's width inside a word.
    let (len, height) = (
        dist(line.quad[0], line.quad[1]),
        dist(line.quad[0], line.quad[3]),
    );
    let (len, height) = if line.vertical {
        (height, len)
    } else {
        (len, height)
    };
    let min_gutter = if len > 0.0 { 0.65 * height / len } else { 0.0 };
    let mut sub = 0u32;
    let mut prev_end: Option<f32> = None;
    let mut prev_char: Option<char> = None;
    let id = |sub: u32| index.saturating_mul(64).saturating_add(sub.min(63));
    let flush =
        |cur: &mut Option<(String, f32, f32, f32, usize)>, words: &mut Vec<OcrWord>, sub: u32| {
            if let Some((text, a, b, psum, n)) = cur.take() {
                words.push(OcrWord {
                    text,
                    bbox: quad_bbox(&line.quad, a, b, line),
                    confidence: psum / n.max(1) as f32,
                    line: id(sub),
                    paragraph: id(sub),
                });
            }
        };
    for (ch, &(a, b, p)) in chars.iter().zip(&line.chars) {
        let latin_pair = prev_char.is_some_and(|p: char| !crate::script::is_cjk(p))
            && !crate::script::is_cjk(*ch);
        let needed = if latin_pair {
            (0.8 * pitch).max(min_gutter)
        } else {
            0.8 * pitch
        };
        prev_char = Some(*ch);
        if prev_end.is_some_and(|e| pitch > 0.0 && a - e > needed) {
            flush(&mut cur, &mut words, sub);
            sub += 1;
        }
        prev_end = Some(b);
        if ch.is_whitespace() {
            flush(&mut cur, &mut words, sub);
            continue;
        }
        let cjk = crate::script::is_cjk(*ch);
        if cjk {
            flush(&mut cur, &mut words, sub);
            cur = Some((ch.to_string(), a, b, p, 1));
            flush(&mut cur, &mut words, sub);
            continue;
        }
        match cur.as_mut() {
            Some((t, _, e, psum, n)) => {
                t.push(*ch);
                *e = b;
                *psum += p;
                *n += 1;
            }
            None => cur = Some((ch.to_string(), a, b, p, 1)),
        }
    }
    flush(&mut cur, &mut words, sub);
    words
}

/// The axis-aligned box of the part of the line between fractions `a` and
/// `b` of its length (in reading direction).
fn quad_bbox(q: &Quad, a: f32, b: f32, line: &Line) -> [f32; 4] {
    let (a, b) = if line.flipped {
        (1.0 - b, 1.0 - a)
    } else {
        (a, b)
    };
    let lerp =
        |p: [f32; 2], r: [f32; 2], t: f32| [p[0] + (r[0] - p[0]) * t, p[1] + (r[1] - p[1]) * t];
    // Reading direction: along the top edge, or down the left edge for
    // lines read turned by 90°.
    let pts = if line.vertical {
        [
            lerp(q[0], q[3], a),
            lerp(q[0], q[3], b),
            lerp(q[1], q[2], a),
            lerp(q[1], q[2], b),
        ]
    } else {
        [
            lerp(q[0], q[1], a),
            lerp(q[0], q[1], b),
            lerp(q[3], q[2], a),
            lerp(q[3], q[2], b),
        ]
    };
    let x0 = pts.iter().map(|p| p[0]).fold(f32::MAX, f32::min);
    let x1 = pts.iter().map(|p| p[0]).fold(f32::MIN, f32::max);
    let y0 = pts.iter().map(|p| p[1]).fold(f32::MAX, f32::min);
    let y1 = pts.iter().map(|p| p[1]).fold(f32::MIN, f32::max);
    [x0, y0, x1.max(x0 + 1.0), y1.max(y0 + 1.0)]
}

impl OcrEngine for PpOcr {
    fn name(&self) -> &'static str {
        "ppocr"
    }

    /// PP-OCR's model reads Chinese and Latin alike: `lang` is not used.
    fn recognize(&mut self, image: &GrayImage, dpi: f32, _lang: &str) -> Result<Recognition> {
        let lines = self.read_page_lines(image, dpi)?;
        if super::timings_wanted() {
            let [d, c, r] = self.take_timings();
            eprintln!(
                "newsclip-timing ppocr detection={d:.4} direction={c:.4} recognition={r:.4} \
                 threads={}",
                self.threads
            );
        }
        let mut pieces: Vec<Vec<OcrWord>> = Vec::new();
        for (i, line) in lines.iter().enumerate() {
            for w in line_words(line, i as u32) {
                match pieces.last_mut() {
                    Some(p) if p[0].line == w.line => p.push(w),
                    _ => pieces.push(vec![w]),
                }
            }
        }
        // Layout forms lines from runs of words in the engine's order and
        // continues a run across a gap narrower than a gutter on the same
        // baseline: RapidOCR's order (rows across the page) would chain
        // the lines of neighbouring columns. Lines by their left edge (a
        // column's lines come together, one baseline after another) avoid
        // that; layout orders them again by geometry.
        pieces.sort_by(|a, b| {
            a[0].bbox[0]
                .total_cmp(&b[0].bbox[0])
                .then(a[0].bbox[1].total_cmp(&b[0].bbox[1]))
        });
        let threshold = super::preprocess::otsu(image);
        let mut words: Vec<OcrWord> = pieces.into_iter().flatten().collect();
        for w in &mut words {
            w.bbox = ink_rows(image, threshold, w.bbox);
        }
        Ok(Recognition {
            words,
            // Detection finds text only; photos come from the page's own
            // analysis in layout.
            images: Vec::new(),
        })
    }

    /// The model reads Simplified Chinese and English; other languages are
    /// refused.
    fn check_languages(&self, lang: &str) -> Result<()> {
        for l in lang.split('+').filter(|l| !l.is_empty()) {
            if !matches!(l, "chi_sim" | "eng") {
                return Err(Error::new(
                    ErrorKind::Unsupported,
                    format!("the PP-OCR engine reads chi_sim and eng, not '{l}'"),
                )
                .with_hint("use --engine tesseract for other languages"));
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn missing_installation_says_how_to_install() {
        let dir = std::env::temp_dir().join("newsclip-ppocr-empty-test");
        let _ = std::fs::create_dir_all(&dir);
        let err = locate(&dir).unwrap_err();
        let text = format!("{err} {}", err.hint.clone().unwrap_or_default());
        assert!(text.contains(DET_MODEL), "{text}");
        assert!(text.contains("scripts/fetch-ppocr"), "{text}");
    }

    #[test]
    fn ctc_merges_repeats_and_drops_blanks() {
        let keys: Vec<String> = ["", "a", "b", " "].iter().map(|s| s.to_string()).collect();
        // Steps: a a blank a b b
        let best = [1usize, 1, 0, 1, 2, 2];
        let mut seq = vec![0.0f32; best.len() * 4];
        for (t, &k) in best.iter().enumerate() {
            seq[t * 4 + k] = 0.9;
        }
        let r = ctc_decode(&seq, best.len(), 4, &keys, 1.0 / 6.0);
        assert_eq!(r.text, "aab");
        assert!((r.score - 0.9).abs() < 1e-6);
        assert_eq!(r.chars.len(), 3);
        assert!(r.chars[0].0 < r.chars[1].0 && r.chars[1].1 <= r.chars[2].1);
    }

    #[test]
    fn boxes_sort_by_rows_then_columns() {
        let q = |x: f32, y: f32| [[x, y], [x + 10.0, y], [x + 10.0, y + 5.0], [x, y + 5.0]];
        let s = sorted_boxes(vec![q(50.0, 3.0), q(0.0, 40.0), q(0.0, 0.0)]);
        assert_eq!(s[0][0], [0.0, 0.0]);
        assert_eq!(s[1][0], [50.0, 3.0]);
        assert_eq!(s[2][0], [0.0, 40.0]);
    }

    #[test]
    fn homography_maps_corners() {
        let from = [[0.0, 0.0], [10.0, 0.0], [10.0, 5.0], [0.0, 5.0]];
        let to: Quad = [[3.0, 4.0], [13.0, 5.0], [12.0, 10.0], [2.0, 9.0]];
        let m = homography(&from, &to).unwrap();
        for (f, t) in from.iter().zip(&to) {
            let (x, y) = (f[0] as f64, f[1] as f64);
            let d = m[6] * x + m[7] * y + m[8];
            assert!(((m[0] * x + m[1] * y + m[2]) / d - t[0] as f64).abs() < 1e-6);
            assert!(((m[3] * x + m[4] * y + m[5]) / d - t[1] as f64).abs() < 1e-6);
        }
    }
}
