//! Runs the stages in order for one input and collects warnings.
//!
//! No filesystem here: the caller passes bytes and a display path, and
//! gets a [`Document`] (or an [`Error`] naming the path). The one exception
//! is a METS issue, which names its ALTO files: they are read relative to
//! the METS's path.

use rayon::prelude::*;

use crate::error::{Error, ErrorKind, Result};
use crate::extract::ocr::{self, OcrMode, OcrOptions, PageRaster};
use crate::extract::pdf::{PdfDocument, PdfPage};
use crate::extract::{self, decode};
use crate::layout;
use crate::layout::geometry::{self, GeoPage};
use crate::memory;
use crate::model::{Document, Page, PageInfo, Source, Warning};
use crate::reflow::{self, Vocabulary};
use crate::split;

/// Options for one run; one section per stage as stages gain options.
#[derive(Debug, Clone, Default)]
pub struct Options {
    /// Decode dumps with this encoding instead of detecting it.
    pub encoding: Option<&'static encoding_rs::Encoding>,
    /// OCR of images and scanned PDF pages.
    pub ocr: OcrOptions,
    /// Pages to leave out and who is told when a page starts and ends
    /// (the batch supervisor, src/batch.rs).
    pub pages: PageControl,
    /// Keep the laid-out pages in [`Document::layout`] (what the archive
    /// formats write); off by default, since a long input's pages would
    /// otherwise all be held in memory.
    pub keep_layout: bool,
}

/// Called with (page number, started): `true` when a page's work starts,
/// `false` when it ends.
pub type PageWatch = std::sync::Arc<dyn Fn(u32, bool) + Send + Sync>;

/// Per-page control of dumps, PDFs and images (ALTO, METS and hOCR are
/// read by streaming parsers and are not watched): a supervised run is
/// told which page is running, and a page that hung or exhausted memory in
/// an earlier attempt is skipped with its reason (a `page-failed`
/// warning, or the file's error when it was its only page to OCR).
#[derive(Clone, Default)]
pub struct PageControl {
    /// (page number, why it is skipped).
    pub skip: Vec<(u32, String)>,
    pub watch: Option<PageWatch>,
    /// The input's time limit (`--timeout`): pages that have not started
    /// when it has passed are not read (a `page-failed` warning each, so
    /// the pages done are kept and the input is `partial`; the input fails
    /// when no page was read).
    pub time_limit: Option<TimeLimit>,
}

/// When an input started and how long it may run.
#[derive(Debug, Clone, Copy)]
pub struct TimeLimit {
    pub started: std::time::Instant,
    pub seconds: f64,
}

impl std::fmt::Debug for PageControl {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PageControl")
            .field("skip", &self.skip)
            .field("watch", &self.watch.is_some())
            .field("time_limit", &self.time_limit)
            .finish()
    }
}

impl PageControl {
    /// The error of a page to skip, if it is one.
    fn skipped(&self, number: u32) -> Option<Error> {
        if let Some(limit) = &self.time_limit {
            if limit.started.elapsed().as_secs_f64() > limit.seconds {
                return Some(
                    Error::new(
                        ErrorKind::Malformed,
                        format!(
                            "not read: the input passed its time limit (--timeout {} s) before this page started",
                            limit.seconds
                        ),
                    )
                    .with_page(number),
                );
            }
        }
        self.skip
            .iter()
            .find(|(n, _)| *n == number)
            .map(|(_, why)| Error::new(ErrorKind::Malformed, why.clone()).with_page(number))
    }

    /// Runs one page's work, telling the watcher when it starts and ends.
    fn run<T>(&self, number: u32, work: impl FnOnce() -> T) -> T {
        let _running = PageRunning::start(self, number);
        work()
    }
}

/// Processes a text dump given as bytes.
pub fn process_dump_bytes(bytes: &[u8], path: &str, options: &Options) -> Result<Document> {
    // Borrowed when it needs no change: the dump is held once, not twice.
    let decoded =
        decode::decode_borrowed(bytes, options.encoding).map_err(|e| e.with_path(path))?;
    let mut doc = process_dump_pages(&decoded.text, path, &options.pages, options.keep_layout)?;
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
/// Pages, and the windows of a page longer than
/// [`extract::dump::MAX_WINDOW_LINES`], are processed on the current rayon
/// pool (a caller with several threads gets the pages of one large dump in
/// parallel; the output keeps page order), each laid out, reflowed and split
/// as soon as it is taken, so memory holds the input and the articles, not
/// every page's lines at once. Hyphenation evidence is gathered over the
/// whole dump first (in parallel too).
pub fn process_dump_text(text: &str, path: &str) -> Result<Document> {
    process_dump_pages(text, path, &PageControl::default(), false)
}

/// [`process_dump_text`] under a batch's page control, keeping the
/// laid-out pages in [`Document::layout`] when `keep_layout` is set.
fn process_dump_pages(
    text: &str,
    path: &str,
    control: &PageControl,
    keep_layout: bool,
) -> Result<Document> {
    if text
        .trim_matches(|c: char| c.is_whitespace() || c == '\u{feff}')
        .is_empty()
    {
        return Err(Error::new(ErrorKind::Empty, "the dump holds no text").with_path(path));
    }
    let vocab = Vocabulary::from_text(text);
    let pages: Vec<(u32, usize, &str)> = extract::dump::page_windows(text).collect();
    type DumpPage = (split::PageArticles, Option<Page>);
    // The windows of one page run together under the page's watch, so a
    // page limit applies to the page, not to each window of it.
    let mut by_page: Vec<&[(u32, usize, &str)]> = Vec::new();
    let mut rest = &pages[..];
    while let Some(&(number, _, _)) = rest.first() {
        let n = rest.iter().take_while(|w| w.0 == number).count();
        let (page, after) = rest.split_at(n);
        by_page.push(page);
        rest = after;
    }
    let found: Vec<std::result::Result<Vec<DumpPage>, Error>> = by_page
        .par_iter()
        .with_max_len(1)
        .map(|windows| {
            let number = windows[0].0;
            if let Some(e) = control.skipped(number) {
                return Err(e);
            }
            // The windows of a long page go over the cores too (a dump
            // without form feeds is one page); collect keeps their order.
            Ok(control.run(number, || {
                windows
                    .par_iter()
                    .with_max_len(1)
                    .map(|&(number, first_line, page_text)| {
                        let mut page = extract::dump::page_from_text(page_text, number, first_line);
                        layout::dump::assign_roles(&mut page);
                        let segments = reflow::reflow_page(&page, &vocab);
                        let found = split::split_page(page.number, segments);
                        (found, keep_layout.then_some(page))
                    })
                    .collect()
            }))
        })
        .collect();
    let mut doc = Document::new(Source {
        path: path.to_string(),
        format: "dump".to_string(),
        encoding: Some("UTF-8".to_string()),
    });
    // A long page is laid out in windows sharing its number: one entry.
    doc.pages = pages
        .iter()
        .map(|&(number, _, _)| PageInfo::new(number, None, None))
        .collect();
    doc.pages.dedup_by_key(|p| p.number);
    let windowed = pages.windows(2).any(|w| w[0].0 == w[1].0);
    if let Some(Err(e)) = found.first() {
        // No page was read (all skipped, past the time limit or blamed by
        // a supervisor): the input failed, as an image or PDF would.
        if found.iter().all(|f| f.is_err()) {
            return Err(e.clone().with_path(path));
        }
    }
    for f in found {
        match f {
            Ok(windows) => {
                for (mut f, laid) in windows {
                    doc.articles.append(&mut f.articles);
                    doc.furniture.append(&mut f.furniture);
                    if let Some(mut w) = laid {
                        // The windows of one page are one laid-out page.
                        let same = doc.layout.last().is_some_and(|l| l.number == w.number);
                        match doc.layout.last_mut() {
                            Some(last) if same => last.blocks.append(&mut w.blocks),
                            _ => doc.layout.push(w),
                        }
                    }
                }
            }
            Err(e) => doc
                .warnings
                .push(page_failed(e.location.page.unwrap_or(0), &e)),
        }
    }
    if windowed {
        // Windows of one page numbered their articles each from 1.
        split::number_articles_by_page(&mut doc.articles);
        doc.warnings.push(Warning::new(
            "page-windowed",
            format!(
                "a page holds more than {} lines (a dump without form feeds?): it was laid out in windows of at most that many lines, cut at blank lines",
                extract::dump::MAX_WINDOW_LINES
            ),
        ));
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

/// Processes any supported input: PDF by its header, PNG/JPEG/TIFF images
/// by their magic bytes, ALTO and METS by their XML root element (other XML
/// is refused), a text dump otherwise.
pub fn process_bytes(bytes: &[u8], path: &str, options: &Options) -> Result<Document> {
    if is_pdf(bytes) {
        process_pdf_bytes(bytes, path, options)
    } else if ocr::input::sniff(bytes).is_some() {
        process_image_bytes(bytes, path, options)
    } else if let Some(root) = xml_root(bytes) {
        process_xml_bytes(bytes, path, &root, options.keep_layout)
    } else {
        process_dump_bytes(bytes, path, options)
    }
}

fn empty_document(path: &str, format: &str) -> Document {
    Document::new(Source {
        path: path.to_string(),
        format: format.to_string(),
        encoding: None,
    })
}

/// What one OCR'd page gave.
struct OcrResult {
    found: split::PageArticles,
    warnings: Vec<Warning>,
    /// The page as layout placed it.
    laid: Page,
}

/// OCR and geometric layout of one page image.
fn lay_out_raster(
    raster: PageRaster,
    number: u32,
    options: &OcrOptions,
) -> Result<(Page, ocr::OcrPage)> {
    let (width, height) = (raster.page_width, raster.page_height);
    let page = ocr::ocr_page(raster, number, options)?;
    let laid = geometry::layout_page(&GeoPage {
        number,
        width,
        height,
        glyphs: &page.glyphs,
        rules: &page.rules,
        images: &page.images,
    });
    Ok((laid, page))
}

/// A decoded image page as a raster in page units.
fn page_raster(p: ocr::input::DecodedPage) -> PageRaster {
    let (w, h) = p.image.dimensions();
    let dpi = ocr::plausible_dpi(p.dpi, w, h);
    // Without a recorded resolution the page's size comes from its full
    // pixel size at the default resolution, whatever it was reduced by.
    let k = match dpi {
        Some(d) => 72.0 / d,
        None => 72.0 * p.reduced_by as f32 / ocr::DEFAULT_DPI,
    };
    PageRaster {
        page_width: w as f32 * k,
        page_height: h as f32 * k,
        placement: crate::model::BBox {
            x0: 0.0,
            y0: 0.0,
            x1: w as f32 * k,
            y1: h as f32 * k,
        },
        image: p.image,
        dpi,
        damage: p.damage,
        memory: None,
    }
}

/// Runs `f` and turns a panic (a decoder failing on hostile data, which is
/// not expected) into an error for the file.
fn no_panic<T>(f: impl FnOnce() -> Result<T>) -> Result<T> {
    std::panic::catch_unwind(std::panic::AssertUnwindSafe(f)).unwrap_or_else(|_| {
        Err(Error::new(
            ErrorKind::Malformed,
            "the image could not be decoded: the decoder failed on damaged data",
        ))
    })
}

/// An image's pages as a raster each, in page units.
fn image_rasters(bytes: &[u8]) -> Result<Vec<Result<PageRaster>>> {
    Ok(no_panic(|| ocr::input::decode_pages(bytes))?
        .into_iter()
        .map(|page| page.map(page_raster))
        .collect())
}

/// The laid-out pages of an image file (by OCR), for inspecting layout
/// (`newsclip lines`). Pages that fail are skipped.
pub fn image_layout(bytes: &[u8], options: &OcrOptions) -> Result<Vec<Page>> {
    ocr::check_available(options)?;
    Ok(image_rasters(bytes)?
        .into_iter()
        .enumerate()
        .filter_map(|(i, r)| {
            r.and_then(|r| lay_out_raster(r, i as u32 + 1, options))
                .ok()
                .map(|(p, _)| p)
        })
        .collect())
}

/// Appends OCR'd pages to the document in the order given; a page that
/// failed becomes a `page-failed` warning. Returns how many failed and the
/// first error.
fn append_ocr_pages(
    doc: &mut Document,
    results: Vec<(u32, Result<OcrResult>)>,
    keep_layout: bool,
) -> (usize, Option<Error>) {
    let mut failed = 0usize;
    let mut first_error = None;
    for (number, r) in results {
        match r {
            Ok(mut r) => {
                doc.articles.append(&mut r.found.articles);
                doc.furniture.append(&mut r.found.furniture);
                doc.warnings.append(&mut r.warnings);
                if keep_layout {
                    doc.layout.push(r.laid);
                }
            }
            Err(e) => {
                failed += 1;
                doc.warnings.push(page_failed(number, &e));
                first_error.get_or_insert(e);
            }
        }
    }
    (failed, first_error)
}

/// Reflow and split of one page that layout has placed (geometry): its
/// article regions, when layout found any, are kept one article each.
/// Hyphenation evidence is the page's own, since pages are not kept.
pub fn articles_of_laid_page(laid: &Page) -> split::PageArticles {
    let vocab = Vocabulary::from_pages(std::slice::from_ref(laid));
    let segments = reflow::reflow_page(laid, &vocab);
    if laid.regions.is_empty() {
        split::split_page(laid.number, segments)
    } else {
        split::split_regions(laid.number, &laid.regions, segments)
    }
}

/// OCR, then the same layout, reflow and split as PDF glyphs.
fn process_raster(mut raster: PageRaster, number: u32, options: &OcrOptions) -> Result<OcrResult> {
    let damage = raster.damage.take();
    // The page's memory is held until its reading is over.
    let _memory = raster.memory.take();
    let (mut laid, mut page) = lay_out_raster(raster, number, options)?;
    if let Some(fault) = damage {
        // A page read in part is a page failure, like one not read at all:
        // the batch reports it and the input is `partial`.
        let mut w = Warning::new(
            "page-damaged",
            format!("the page image is damaged ({fault}): it was read as far as it goes, and text after the fault is missing"),
        );
        w.page = Some(number);
        page.warnings.push(w);
    }
    let mut found = articles_of_laid_page(&laid);
    ocr::attach_confidence(&mut found.articles, number, &page.words);
    ocr::attach_word_confidence(&mut laid, &page.words);
    Ok(OcrResult {
        found,
        warnings: page.warnings,
        laid,
    })
}

/// A page's work is watched from its start to its end, whichever way it
/// ends (a PDF page's text-layer work leaves its loop iteration early on
/// some paths).
struct PageRunning<'a> {
    control: &'a PageControl,
    number: u32,
}

impl<'a> PageRunning<'a> {
    fn start(control: &'a PageControl, number: u32) -> PageRunning<'a> {
        if let Some(w) = &control.watch {
            w(number, true);
        }
        PageRunning { control, number }
    }
}

impl Drop for PageRunning<'_> {
    fn drop(&mut self) {
        if let Some(w) = &self.control.watch {
            w(self.number, false);
        }
    }
}

fn page_failed(number: u32, e: &Error) -> Warning {
    let mut w = Warning::new("page-failed", e.to_string());
    w.page = Some(number);
    w
}

/// Processes an image file (PNG, JPEG, TIFF with all its pages) by OCR.
/// Pages are recognised in parallel on the current rayon pool, one page
/// per thread; a page that fails is reported and the others go on.
pub fn process_image_bytes(bytes: &[u8], path: &str, options: &Options) -> Result<Document> {
    if options.ocr.mode == OcrMode::Never {
        return Err(Error::new(
            ErrorKind::Unsupported,
            "the input is an image, which needs OCR, and OCR is off (--ocr never)",
        )
        .with_path(path));
    }
    // Each page takes its share of the run's memory budget before it is
    // decoded (a single image is decoded when it is opened), estimated from
    // the size its header declares (the first page's, for a TIFF).
    let estimate = ocr::input::memory_estimate(bytes);
    let mut first_hold = Some(memory::reserve(estimate));
    let mut pages =
        no_panic(|| ocr::input::ImagePages::new(bytes)).map_err(|e| e.with_path(path))?;
    ocr::check_available(&options.ocr).map_err(|e| e.with_path(path))?;
    let mut doc = empty_document(path, "image");
    // Pages are decoded a pool's worth at a time and recognised in
    // parallel, so a long multi-page TIFF is never held whole.
    let batch = rayon::current_num_threads().max(1);
    let mut results: Vec<(u32, Result<OcrResult>)> = Vec::new();
    let mut number = 0u32;
    let mut stopped = false;
    loop {
        let mut chunk = Vec::with_capacity(batch);
        while chunk.len() < batch {
            let hold = first_hold
                .take()
                .unwrap_or_else(|| memory::reserve(estimate));
            let next = match std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| pages.next()))
            {
                Ok(next) => next,
                Err(_) => {
                    // The decoder's state is lost: no page after this one.
                    stopped = true;
                    Some(Err(Error::new(
                        ErrorKind::Malformed,
                        "the page could not be decoded: the decoder failed on damaged data",
                    )))
                }
            };
            let Some(page) = next else { break };
            number += 1;
            let raster = page.map(|p| PageRaster {
                memory: Some(std::sync::Arc::new(hold)),
                ..page_raster(p)
            });
            if let Ok(r) = &raster {
                let size = Some((r.page_width, r.page_height));
                doc.pages
                    .push(PageInfo::new(number, size, Some(path.to_string())));
            }
            chunk.push((number, raster));
            if stopped {
                break;
            }
        }
        if chunk.is_empty() {
            break;
        }
        let done: Vec<(u32, Result<OcrResult>)> = chunk
            .into_par_iter()
            .with_max_len(1)
            .map(|(number, page)| {
                let result = match options.pages.skipped(number) {
                    Some(e) => Err(e),
                    None => options.pages.run(number, || {
                        page.and_then(|raster| process_raster(raster, number, &options.ocr))
                    }),
                };
                (number, result.map_err(|e| e.with_page(number)))
            })
            .collect();
        results.extend(done);
        if stopped || number >= 10_000 {
            break;
        }
    }
    let total = results.len();
    let (failed, first_error) = append_ocr_pages(&mut doc, results, options.keep_layout);
    if let Some(e) = first_error {
        // Every page failed: the file failed.
        if failed == total {
            return Err(e.with_path(path));
        }
    }
    if doc.articles.is_empty() {
        doc.warnings.push(Warning::new(
            "no-articles",
            "no article text was found in the input",
        ));
    }
    Ok(doc)
}

/// What the text-layer pass made of one PDF page.
enum PdfPageOutcome {
    /// Skipped (an earlier attempt failed on it) or unreadable.
    Failed(Warning),
    Read(Box<PdfPageRead>),
}

struct PdfPageRead {
    info: PageInfo,
    /// The page's warnings, in the order the sequential run gave them.
    warnings: Vec<Warning>,
    text: PdfPageText,
}

enum PdfPageText {
    /// Laid out and split from its text layer.
    Found {
        found: split::PageArticles,
        laid: Option<Page>,
    },
    /// No text layer and OCR is off.
    Missing,
    /// To read by OCR (its glyphs dropped).
    NeedsOcr(PdfPage),
}

/// One PDF page through the text-layer stages: glyphs, geometric layout,
/// reflow, split. The page's glyphs and graphics are dropped before it
/// returns; what is kept is its articles (and its laid-out page when
/// `keep_layout` is set).
fn pdf_text_page(pdf: &PdfDocument, number: u32, path: &str, options: &Options) -> PdfPageOutcome {
    if let Some(e) = options.pages.skipped(number) {
        return PdfPageOutcome::Failed(page_failed(number, &e));
    }
    let _running = PageRunning::start(&options.pages, number);
    let mut page = match pdf.page(number) {
        Ok(p) => p,
        Err(e) => return PdfPageOutcome::Failed(page_failed(number, &e)),
    };
    let mut warnings = std::mem::take(&mut page.warnings);
    let info = PageInfo::new(
        number,
        Some((page.width, page.height)),
        Some(path.to_string()),
    );
    let mode = options.ocr.mode;
    let read = |warnings, text| {
        PdfPageOutcome::Read(Box::new(PdfPageRead {
            info,
            warnings,
            text,
        }))
    };
    if !page.has_text() {
        if mode == OcrMode::Never {
            return read(warnings, PdfPageText::Missing);
        }
        return read(warnings, PdfPageText::NeedsOcr(page));
    }
    let invisible = page.invisible_share() > 0.5;
    if invisible && mode == OcrMode::Always {
        page.glyphs = Vec::new();
        return read(warnings, PdfPageText::NeedsOcr(page));
    }
    let all = std::mem::take(&mut page.glyphs);
    let glyphs: Vec<crate::model::Glyph> = if invisible {
        let mut w = Warning::new(
            "invisible-text-layer",
            "the page's text is an invisible OCR layer over a scan; it is used as it is (its quality is the OCR's; --ocr always reads the scan again)",
        );
        w.page = Some(number);
        warnings.push(w);
        all
    } else {
        all.into_iter().filter(|g| !g.invisible).collect()
    };
    let laid = lay_out_pdf_page(&page, &glyphs);
    drop(glyphs);
    drop(page);
    let found = articles_of_laid_page(&laid);
    let laid = options.keep_layout.then_some(laid);
    read(warnings, PdfPageText::Found { found, laid })
}

/// Processes a PDF: glyphs, geometric layout, reflow, split, page by page.
///
/// Pages run in parallel on the current rayon pool (the pool of `-j`, so a
/// single long PDF uses every thread), one page per task, and their results
/// are put together in page order: the document is the same whatever the
/// number of threads. Memory holds the file, its object dictionaries, the
/// pages in flight and each finished page's articles, not every page's
/// glyphs (see [`crate::extract::pdf`]).
///
/// Pages without a text layer (scans) go through OCR of their page image
/// (unless `--ocr never`), as do pages whose text is an invisible OCR layer
/// when `--ocr always` is given. OCR pages run in parallel on the current
/// rayon pool, one page per thread, after the text pages. Hyphenation
/// evidence is gathered per page, since pages are not kept.
pub fn process_pdf_bytes(bytes: &[u8], path: &str, options: &Options) -> Result<Document> {
    let pdf = PdfDocument::open(bytes).map_err(|e| e.with_path(path))?;
    let mut doc = empty_document(path, "pdf");
    doc.warnings = pdf.warnings().to_vec();
    let outcomes: Vec<PdfPageOutcome> = (1..pdf.page_count() as u32 + 1)
        .into_par_iter()
        .with_max_len(1)
        .map(|number| pdf_text_page(&pdf, number, path, options))
        .collect();
    let mut without_text = Vec::new();
    let mut to_ocr: Vec<PdfPage> = Vec::new();
    let mut text_pages = 0usize;
    for outcome in outcomes {
        let PdfPageRead {
            info,
            mut warnings,
            text,
        } = match outcome {
            PdfPageOutcome::Failed(w) => {
                doc.warnings.push(w);
                continue;
            }
            PdfPageOutcome::Read(read) => *read,
        };
        let number = info.number;
        doc.warnings.append(&mut warnings);
        doc.pages.push(info);
        match text {
            PdfPageText::Missing => without_text.push(number),
            PdfPageText::NeedsOcr(page) => to_ocr.push(page),
            PdfPageText::Found { mut found, laid } => {
                text_pages += 1;
                doc.articles.append(&mut found.articles);
                doc.furniture.append(&mut found.furniture);
                doc.layout.extend(laid);
            }
        }
    }
    if !to_ocr.is_empty() {
        if let Err(e) = ocr::check_available(&options.ocr) {
            if text_pages == 0 {
                return Err(e.with_path(path));
            }
            let list: Vec<String> = to_ocr.iter().map(|p| p.number.to_string()).collect();
            doc.warnings.push(Warning::new(
                "ocr-unavailable",
                format!(
                    "pages {} need OCR, which is not available: {e}",
                    list.join(", ")
                ),
            ));
            to_ocr.clear();
        }
    }
    let ocr_total = to_ocr.len();
    let results: Vec<(u32, Result<OcrResult>)> = to_ocr
        .into_par_iter()
        .with_max_len(1)
        .map(|page| {
            let number = page.number;
            let r = match options.pages.skipped(number) {
                Some(e) => Err(e),
                None => options.pages.run(number, || {
                    pdf.page_image(&page)
                        .and_then(|raster| process_raster(raster, number, &options.ocr))
                }),
            }
            .map_err(|e| e.with_page(number));
            (number, r)
        })
        .collect();
    let ocr_done = !results.is_empty();
    let (ocr_failed, first_error) = append_ocr_pages(&mut doc, results, options.keep_layout);
    if ocr_done {
        // Text pages and OCR pages in page order.
        doc.articles.sort_by_key(|a| a.page);
        doc.furniture.sort_by_key(|f| f.page);
        doc.layout.sort_by_key(|p| p.number);
    }
    if let Some(e) = first_error {
        if text_pages == 0 && ocr_failed == ocr_total {
            return Err(e.with_path(path));
        }
    }
    if !without_text.is_empty() {
        if without_text.len() == pdf.page_count() {
            return Err(Error::new(
                ErrorKind::Unsupported,
                "the PDF has no text layer (its pages are scanned images) and OCR is off (--ocr never)",
            )
            .with_path(path)
            .with_hint("run without --ocr never to read the pages by OCR"));
        }
        let list: Vec<String> = without_text.iter().map(u32::to_string).collect();
        doc.warnings.push(Warning::new(
            "no-text-layer",
            format!(
                "pages without a text layer (scans, skipped: --ocr never): {}",
                list.join(", ")
            ),
        ));
    }
    Ok(doc)
}

fn lay_out_pdf_page(page: &crate::extract::pdf::PdfPage, glyphs: &[crate::model::Glyph]) -> Page {
    let images: Vec<crate::model::BBox> = page.images.iter().map(|i| i.bbox).collect();
    // A framed or tinted box separates what it holds from what is around
    // it, as rules do: its four edges join the rules. A box covering most
    // of the page is a background or page border, no separator.
    let mut rules = page.rules.clone();
    for b in &page.boxes {
        if b.width() * b.height() > 0.6 * page.width * page.height {
            continue;
        }
        rules.extend(geometry::box_edges(b));
    }
    geometry::layout_page(&GeoPage {
        number: page.number,
        width: page.width,
        height: page.height,
        glyphs,
        rules: &rules,
        images: &images,
    })
}

/// The laid-out pages of a PDF (visible text only), for inspecting layout
/// (`newsclip lines`). Pages that fail to read are skipped.
pub fn pdf_layout(bytes: &[u8]) -> Result<Vec<Page>> {
    let pdf = PdfDocument::open(bytes)?;
    let pages: Vec<Option<Page>> = (1..pdf.page_count() as u32 + 1)
        .into_par_iter()
        .with_max_len(1)
        .map(|number| {
            let mut page = pdf.page(number).ok()?;
            let visible: Vec<crate::model::Glyph> = std::mem::take(&mut page.glyphs)
                .into_iter()
                .filter(|g| !g.invisible)
                .collect();
            Some(lay_out_pdf_page(&page, &visible))
        })
        .collect();
    Ok(pages.into_iter().flatten().collect())
}

/// The root element of an XML input, when the bytes are XML: an XML
/// declaration, or a root element we know by name (so that a text dump
/// that happens to start with `<` stays a dump).
fn xml_root(bytes: &[u8]) -> Option<String> {
    let text = extract::alto::strip_bom(bytes);
    let start = text.iter().position(|b| !b.is_ascii_whitespace())?;
    let declared = text[start..].starts_with(b"<?xml");
    let root = extract::alto::root_element(text)?;
    let known = ["alto", "mets", "PcGts", "html", "ocr"].contains(&root.as_str());
    (declared || known).then_some(root)
}

/// XML inputs by their root element: ALTO (`<alto>`), METS (`<mets>`),
/// hOCR (`<html>` with `ocr_page`), PAGE-XML (`<PcGts>`); any other XML is
/// refused rather than read as a text dump.
fn process_xml_bytes(bytes: &[u8], path: &str, root: &str, keep: bool) -> Result<Document> {
    match root {
        "alto" => process_alto_file(extract::alto::read_alto(bytes, path)?, path, "alto", keep),
        "mets" => process_mets(bytes, path, keep),
        "html" if extract::hocr::is_hocr(bytes) => {
            process_alto_file(extract::hocr::read_hocr(bytes, path)?, path, "hocr", keep)
        }
        "PcGts" => {
            let file = extract::page_xml::read_page_xml(bytes, path)?;
            process_alto_file(file, path, "page", keep)
        }
        other => {
            let kind = match other {
                "html" => "HTML without hOCR",
                _ => "this XML",
            };
            Err(Error::new(
                ErrorKind::Unsupported,
                format!(
                    "{kind} input (root element <{other}>) is not supported yet; ALTO, METS, PAGE-XML and hOCR are"
                ),
            )
            .with_path(path))
        }
    }
}

/// ALTO words through the same geometric layout as OCR'd words: one glyph
/// per word on its line's baseline ([`ocr::words_to_glyphs`]), bold and
/// italic from the ALTO styles, ALTO illustrations as images.
pub fn lay_out_alto_page(alto: &extract::alto::AltoPage, number: u32) -> Page {
    let words: Vec<ocr::OcrWord> = alto
        .words
        .iter()
        .map(|w| ocr::OcrWord {
            text: w.text.clone(),
            bbox: [w.bbox.x0, w.bbox.y0, w.bbox.x1, w.bbox.y1],
            confidence: w.confidence.unwrap_or(1.0),
            line: w.line,
            paragraph: w.block as u32,
        })
        .collect();
    let identity = |b: [f32; 4]| crate::model::BBox {
        x0: b[0],
        y0: b[1],
        x1: b[2],
        y1: b[3],
    };
    let mut glyphs = ocr::words_to_glyphs(&words, &identity);
    // Glyphs come in word order (spaces between, blank or boxless words
    // left out): walk both to carry the styles over.
    let mut next = 0usize;
    for g in glyphs.iter_mut().filter(|g| g.text != " ") {
        while let Some(w) = alto.words.get(next) {
            next += 1;
            if w.bbox == g.bbox && w.text.trim() == g.text {
                g.bold = w.bold;
                g.italic = w.italic;
                break;
            }
        }
    }
    let (mut width, mut height) = (alto.width, alto.height);
    if !(width > 0.0 && height > 0.0) {
        // No page size given: the content's extent.
        let all = crate::model::BBox::union_all(
            alto.words
                .iter()
                .map(|w| &w.bbox)
                .chain(alto.figures.iter()),
        );
        width = all.map_or(0.0, |b| b.x1);
        height = all.map_or(0.0, |b| b.y1);
    }
    geometry::layout_page(&GeoPage {
        number,
        width,
        height,
        glyphs: &glyphs,
        rules: &alto.separators,
        images: &alto.figures,
    })
}

/// One ALTO page through layout, reflow and split, with its words'
/// confidences on the paragraphs.
fn process_alto_page(alto: &extract::alto::AltoPage, number: u32) -> (split::PageArticles, Page) {
    let mut laid = lay_out_alto_page(alto, number);
    let mut found = articles_of_laid_page(&laid);
    let words: Vec<(String, crate::model::BBox, f32)> = alto
        .words
        .iter()
        .filter_map(|w| w.confidence.map(|c| (w.text.clone(), w.bbox, c)))
        .collect();
    if !words.is_empty() {
        ocr::attach_confidence(&mut found.articles, number, &words);
        ocr::attach_word_confidence(&mut laid, &words);
    }
    (found, laid)
}

/// An ALTO page's size and image, as the document lists it.
fn alto_page_info(alto: &extract::alto::AltoPage, laid: &Page, image: Option<String>) -> PageInfo {
    let size = laid.width.zip(laid.height);
    PageInfo::new(laid.number, size, image.or_else(|| alto.image.clone()))
}

fn finish_xml_document(doc: &mut Document) {
    // Archive issues (METS, multi-page ALTO) are mostly older papers set in
    // continuous columns: an article runs on to the next page.
    split::join_page_continuations(&mut doc.articles);
    if doc.articles.is_empty() {
        doc.warnings.push(Warning::new(
            "no-articles",
            "no article text was found in the input",
        ));
    }
}

/// Processes an hOCR file: its pages' words through the same layout as
/// ALTO pages.
pub fn process_hocr_bytes(bytes: &[u8], path: &str) -> Result<Document> {
    let file = extract::hocr::read_hocr(bytes, path)?;
    process_alto_file(file, path, "hocr", false)
}

/// Processes an ALTO file: each of its pages as an OCR'd page.
pub fn process_alto_bytes(bytes: &[u8], path: &str) -> Result<Document> {
    let file = extract::alto::read_alto(bytes, path)?;
    process_alto_file(file, path, "alto", false)
}

/// The pages of an ALTO or hOCR file through layout, reflow and split.
fn process_alto_file(
    file: extract::alto::AltoFile,
    path: &str,
    format: &str,
    keep_layout: bool,
) -> Result<Document> {
    if file.pages.is_empty() {
        return Err(Error::new(ErrorKind::Empty, "the ALTO file holds no Page").with_path(path));
    }
    let mut doc = empty_document(path, format);
    let found: Vec<(split::PageArticles, Page)> = file
        .pages
        .par_iter()
        .with_max_len(1)
        .enumerate()
        .map(|(i, page)| process_alto_page(page, i as u32 + 1))
        .collect();
    for page in &file.pages {
        doc.warnings.extend(page.warnings.iter().cloned());
    }
    for (alto, (mut f, laid)) in file.pages.iter().zip(found) {
        doc.articles.append(&mut f.articles);
        doc.furniture.append(&mut f.furniture);
        doc.pages.push(alto_page_info(alto, &laid, None));
        if keep_layout {
            doc.layout.push(laid);
        }
    }
    finish_xml_document(&mut doc);
    Ok(doc)
}

/// What one METS page gave: its articles and its ALTO reader's warnings.
type AltoPageOutcome = (split::PageArticles, Page, Vec<Warning>, PageInfo);

/// Processes a METS issue: its ALTO files (relative to the METS file) in
/// physical page order, one page at a time per thread, into one document.
/// A missing or broken ALTO file is a `page-failed` warning naming it; the
/// other pages go on.
pub fn process_mets_bytes(bytes: &[u8], path: &str) -> Result<Document> {
    process_mets(bytes, path, false)
}

/// [`process_mets_bytes`], keeping the laid-out pages when asked.
fn process_mets(bytes: &[u8], path: &str, keep_layout: bool) -> Result<Document> {
    let base = std::path::Path::new(path)
        .parent()
        .map(std::path::Path::to_path_buf)
        .unwrap_or_default();
    let mets = extract::mets::read_mets(bytes, path, &base)?;
    if mets.pages.is_empty() {
        return Err(Error::new(
            ErrorKind::Empty,
            "the METS has no pages in its physical structure map",
        )
        .with_path(path));
    }
    let mut doc = empty_document(path, "mets");
    let results: Vec<(u32, Result<AltoPageOutcome>)> = mets
        .pages
        .par_iter()
        .with_max_len(1)
        .map(|page| {
            let r = extract::mets::read_page_alto(&mets, page).map(|alto| {
                let (found, laid) = process_alto_page(&alto, page.number);
                // The page's image: a file of an image type it points at.
                let image = page.file_ids.iter().find_map(|id| {
                    let f = mets.files.get(id)?;
                    f.mimetype
                        .as_deref()
                        .is_some_and(|m| m.starts_with("image/"))
                        .then(|| f.path.as_ref().map(|p| p.display().to_string()))?
                });
                let info = alto_page_info(&alto, &laid, image);
                (found, laid, alto.warnings, info)
            });
            (page.number, r)
        })
        .collect();
    let total = results.len();
    let mut failed = 0usize;
    let mut first_error = None;
    for (number, r) in results {
        match r {
            Ok((mut found, laid, mut warnings, info)) => {
                doc.articles.append(&mut found.articles);
                doc.furniture.append(&mut found.furniture);
                doc.warnings.append(&mut warnings);
                doc.pages.push(info);
                if keep_layout {
                    doc.layout.push(laid);
                }
            }
            Err(e) => {
                failed += 1;
                doc.warnings.push(page_failed(number, &e));
                first_error.get_or_insert(e);
            }
        }
    }
    if let Some(e) = first_error {
        if failed == total {
            return Err(Error::new(
                e.kind,
                format!("no page of the issue could be read; the first: {e}"),
            )
            .with_path(path));
        }
    }
    finish_xml_document(&mut doc);
    Ok(doc)
}
