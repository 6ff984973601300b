//! The Tesseract engine, through Tesseract's C API (`tesseract/capi.h`) in
//! the system's libtesseract (Debian: `libtesseract5`, models in
//! `tesseract-ocr-chi-sim`, `tesseract-ocr-eng`).
//!
//! The library is opened at run time (`dlopen`), the first time a page
//! needs OCR, not linked: linked, it and its dependencies (libcurl, ICU,
//! libarchive, libgomp...) made every run load 57 more shared libraries at
//! start-up, tripling the time of a one-page PDF that needs no OCR. libgomp,
//! which libtesseract loads, reads `OMP_THREAD_LIMIT` when it is loaded; the
//! binary sets it in `main` (see there), and programs using the library
//! should set it before their first OCR page.
//!
//! One [`Tesseract`] per thread keeps one initialised API per language
//! list. Page segmentation is set to automatic (3): the API's default is a
//! single block (6), which reads every line across all columns. Model files
//! are looked up in `TESSDATA_PREFIX` (which names the `tessdata` folder
//! itself) and then in the usual system folders; nothing is downloaded.

use std::collections::HashMap;
use std::ffi::{c_char, c_float, c_int, c_uchar, c_void, CStr, CString};
use std::path::{Path, PathBuf};
use std::sync::OnceLock;

use image::GrayImage;

use super::{OcrEngine, OcrWord, Recognition};
use crate::error::{Error, ErrorKind, Result};

/// Folders searched for `*.traineddata` after `TESSDATA_PREFIX`.
const SYSTEM_TESSDATA: &[&str] = &[
    "/usr/share/tesseract-ocr/5/tessdata",
    "/usr/share/tesseract-ocr/4.00/tessdata",
    "/usr/share/tessdata",
    "/usr/local/share/tessdata",
    "/usr/local/share/tesseract-ocr/tessdata",
    "/opt/homebrew/share/tessdata",
];

/// Names tried, in order, when opening the library.
const LIBRARY_NAMES: &[&str] = &[
    "libtesseract.so.5",
    "libtesseract.so",
    "libtesseract.5.dylib",
    "libtesseract.dylib",
];

// Values of the C API's enums (capi.h).
const PSM_AUTO: c_int = 3;
const RIL_PARA: c_int = 1;
const RIL_TEXTLINE: c_int = 2;
const RIL_WORD: c_int = 3;
const RIL_BLOCK: c_int = 0;
const PT_FLOWING_IMAGE: c_int = 9;
const PT_HEADING_IMAGE: c_int = 10;
const PT_PULLOUT_IMAGE: c_int = 11;

type Handle = *mut c_void;
type Iter = *mut c_void;
type Bool = c_int;

/// The functions of the C API used here, from the opened library.
struct Capi {
    create: unsafe extern "C" fn() -> Handle,
    delete: unsafe extern "C" fn(Handle),
    end: unsafe extern "C" fn(Handle),
    set_variable: unsafe extern "C" fn(Handle, *const c_char, *const c_char) -> Bool,
    init3: unsafe extern "C" fn(Handle, *const c_char, *const c_char) -> c_int,
    set_page_seg_mode: unsafe extern "C" fn(Handle, c_int),
    set_image: unsafe extern "C" fn(Handle, *const c_uchar, c_int, c_int, c_int, c_int),
    set_source_resolution: unsafe extern "C" fn(Handle, c_int),
    recognize: unsafe extern "C" fn(Handle, *mut c_void) -> c_int,
    get_iterator: unsafe extern "C" fn(Handle) -> Iter,
    clear: unsafe extern "C" fn(Handle),
    result_delete: unsafe extern "C" fn(Iter),
    result_page_iterator: unsafe extern "C" fn(Iter) -> Iter,
    result_next: unsafe extern "C" fn(Iter, c_int) -> Bool,
    result_utf8: unsafe extern "C" fn(Iter, c_int) -> *mut c_char,
    result_confidence: unsafe extern "C" fn(Iter, c_int) -> c_float,
    delete_text: unsafe extern "C" fn(*const c_char),
    page_begin: unsafe extern "C" fn(Iter),
    page_next: unsafe extern "C" fn(Iter, c_int) -> Bool,
    page_bounding_box:
        unsafe extern "C" fn(Iter, c_int, *mut c_int, *mut c_int, *mut c_int, *mut c_int) -> Bool,
    page_block_type: unsafe extern "C" fn(Iter) -> c_int,
    /// Kept open for the life of the process (the pointers above are into it).
    _lib: libloading::Library,
}

/// Opens libtesseract and looks up the functions, once per process.
fn capi() -> Result<&'static Capi> {
    static CAPI: OnceLock<std::result::Result<Capi, String>> = OnceLock::new();
    CAPI.get_or_init(open_capi).as_ref().map_err(|why| {
        Error::new(
            ErrorKind::Unsupported,
            format!("the Tesseract OCR library could not be loaded: {why}"),
        )
        .with_hint(
            "install Tesseract, e.g. `apt-get install libtesseract5 tesseract-ocr \
             tesseract-ocr-eng tesseract-ocr-chi-sim` on Debian/Ubuntu"
                .to_string(),
        )
    })
}

fn open_capi() -> std::result::Result<Capi, String> {
    let mut errors = Vec::new();
    let mut lib = None;
    for name in LIBRARY_NAMES {
        // SAFETY: loading libtesseract runs its (and its dependencies')
        // initialisers, which have no preconditions on our side.
        match unsafe { libloading::Library::new(*name) } {
            Ok(l) => {
                lib = Some(l);
                break;
            }
            Err(e) => errors.push(e.to_string()),
        }
    }
    let Some(lib) = lib else {
        return Err(errors.first().cloned().unwrap_or_default());
    };
    macro_rules! sym {
        ($name:literal) => {
            // SAFETY: the symbol is declared with the signature of capi.h
            // (Tesseract 5), and the library stays open in `_lib`.
            *unsafe { lib.get(concat!($name, "\0").as_bytes()) }
                .map_err(|e| format!("{} is missing: {e}", $name))?
        };
    }
    Ok(Capi {
        create: sym!("TessBaseAPICreate"),
        delete: sym!("TessBaseAPIDelete"),
        end: sym!("TessBaseAPIEnd"),
        set_variable: sym!("TessBaseAPISetVariable"),
        init3: sym!("TessBaseAPIInit3"),
        set_page_seg_mode: sym!("TessBaseAPISetPageSegMode"),
        set_image: sym!("TessBaseAPISetImage"),
        set_source_resolution: sym!("TessBaseAPISetSourceResolution"),
        recognize: sym!("TessBaseAPIRecognize"),
        get_iterator: sym!("TessBaseAPIGetIterator"),
        clear: sym!("TessBaseAPIClear"),
        result_delete: sym!("TessResultIteratorDelete"),
        result_page_iterator: sym!("TessResultIteratorGetPageIterator"),
        result_next: sym!("TessResultIteratorNext"),
        result_utf8: sym!("TessResultIteratorGetUTF8Text"),
        result_confidence: sym!("TessResultIteratorConfidence"),
        delete_text: sym!("TessDeleteText"),
        page_begin: sym!("TessPageIteratorBegin"),
        page_next: sym!("TessPageIteratorNext"),
        page_bounding_box: sym!("TessPageIteratorBoundingBox"),
        page_block_type: sym!("TessPageIteratorBlockType"),
        _lib: lib,
    })
}

/// One initialised `TessBaseAPI`, ended and deleted when dropped.
struct Api {
    capi: &'static Capi,
    handle: Handle,
}

impl Api {
    fn set_variable(&self, name: &str, value: &str) {
        let (Ok(n), Ok(v)) = (CString::new(name), CString::new(value)) else {
            return;
        };
        // SAFETY: a live handle and NUL-terminated strings.
        unsafe { (self.capi.set_variable)(self.handle, n.as_ptr(), v.as_ptr()) };
    }

    fn clear(&self) {
        // SAFETY: a live handle.
        unsafe { (self.capi.clear)(self.handle) };
    }
}

impl Drop for Api {
    fn drop(&mut self) {
        // SAFETY: the handle came from TessBaseAPICreate and is dropped once.
        unsafe {
            (self.capi.end)(self.handle);
            (self.capi.delete)(self.handle);
        }
    }
}

/// A result iterator, deleted when dropped.
struct ResultIter {
    capi: &'static Capi,
    it: Iter,
}

impl ResultIter {
    /// The same iterator seen as a page iterator (not a copy).
    fn page(&self) -> Iter {
        // SAFETY: a live iterator; the pointer is valid while `self` is.
        unsafe { (self.capi.result_page_iterator)(self.it) }
    }

    fn bounding_box(&self, level: c_int) -> Option<(i32, i32, i32, i32)> {
        let (mut x0, mut y0, mut x1, mut y1) = (0, 0, 0, 0);
        // SAFETY: a live iterator and four writable ints.
        let ok = unsafe {
            (self.capi.page_bounding_box)(self.page(), level, &mut x0, &mut y0, &mut x1, &mut y1)
        };
        (ok != 0).then_some((x0, y0, x1, y1))
    }

    fn text(&self, level: c_int) -> Option<String> {
        // SAFETY: a live iterator; the text is freed with TessDeleteText.
        unsafe {
            let p = (self.capi.result_utf8)(self.it, level);
            if p.is_null() {
                return None;
            }
            let s = CStr::from_ptr(p).to_string_lossy().into_owned();
            (self.capi.delete_text)(p);
            Some(s)
        }
    }

    fn confidence(&self, level: c_int) -> f32 {
        // SAFETY: a live iterator.
        unsafe { (self.capi.result_confidence)(self.it, level) }
    }

    fn next(&mut self, level: c_int) -> bool {
        // SAFETY: a live iterator.
        unsafe { (self.capi.result_next)(self.it, level) != 0 }
    }
}

impl Drop for ResultIter {
    fn drop(&mut self) {
        // SAFETY: the iterator came from TessBaseAPIGetIterator, deleted once.
        unsafe { (self.capi.result_delete)(self.it) };
    }
}

/// A Tesseract engine: one handle per language list, used by one page at
/// a time.
#[derive(Default)]
pub struct Tesseract {
    apis: HashMap<String, Api>,
}

// SAFETY: a TessBaseAPI has no tie to the thread that made it; it only
// must not be used by two threads at once, which `&mut self` on every use
// ensures (engines move between threads through the pool in ocr/mod.rs).
unsafe impl Send for Tesseract {}

impl Tesseract {
    pub fn new() -> Tesseract {
        Tesseract::default()
    }

    fn api(&mut self, lang: &str) -> Result<&Api> {
        if !self.apis.contains_key(lang) {
            let dir = tessdata_for(lang)?;
            let capi = capi()?;
            // SAFETY: no preconditions; null is checked.
            let handle = unsafe { (capi.create)() };
            if handle.is_null() {
                return Err(engine_error("cannot create the engine".to_string()));
            }
            let api = Api { capi, handle };
            // Quiet: Tesseract's diagnostics go to its debug file.
            api.set_variable("debug_file", "/dev/null");
            let init_error = |e: &str| {
                Error::new(
                    ErrorKind::Unsupported,
                    format!(
                        "Tesseract could not load the language models '{lang}' from {}: {e}",
                        dir.display()
                    ),
                )
                .with_hint(install_hint(lang))
            };
            let (Some(d), Ok(l)) = (dir.to_str().map(CString::new), CString::new(lang)) else {
                return Err(init_error("the path is not valid UTF-8"));
            };
            let d = d.map_err(|_| init_error("the path holds a NUL byte"))?;
            // SAFETY: a live handle and NUL-terminated strings.
            if unsafe { (capi.init3)(api.handle, d.as_ptr(), l.as_ptr()) } != 0 {
                return Err(init_error("initialisation failed"));
            }
            api.set_variable("debug_file", "/dev/null");
            // SAFETY: a live handle; PSM_AUTO is a valid mode.
            unsafe { (capi.set_page_seg_mode)(api.handle, PSM_AUTO) };
            self.apis.insert(lang.to_string(), api);
        }
        self.apis
            .get(lang)
            .ok_or_else(|| engine_error("engine vanished".to_string()))
    }
}

fn engine_error(message: String) -> Error {
    Error::new(ErrorKind::Malformed, format!("Tesseract failed: {message}"))
}

/// Debian package names of the language models.
fn install_hint(lang: &str) -> String {
    let packages: Vec<String> = lang
        .split('+')
        .filter(|l| !l.is_empty())
        .map(|l| format!("tesseract-ocr-{}", l.replace('_', "-").to_lowercase()))
        .collect();
    format!(
        "install Tesseract and its models, e.g. `apt-get install tesseract-ocr {}` on Debian/Ubuntu, \
         or set TESSDATA_PREFIX to the folder holding the .traineddata files",
        packages.join(" ")
    )
}

/// The folders that may hold models, in the order searched.
fn candidates() -> Vec<PathBuf> {
    let mut v = Vec::new();
    if let Some(p) = std::env::var_os("TESSDATA_PREFIX") {
        let p = PathBuf::from(p);
        // Accept the parent of `tessdata` too, as older Tesseracts did.
        v.push(p.join("tessdata"));
        v.push(p);
    }
    v.extend(SYSTEM_TESSDATA.iter().map(PathBuf::from));
    v
}

/// The first folder holding every model of `lang`, or an error naming
/// what is missing and how to install it.
pub fn tessdata_for(lang: &str) -> Result<PathBuf> {
    let langs: Vec<&str> = lang.split('+').filter(|l| !l.is_empty()).collect();
    if langs.is_empty()
        || langs.iter().any(|l| {
            !l.chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-')
        })
    {
        return Err(Error::new(
            ErrorKind::Unsupported,
            format!("'{lang}' is not a Tesseract language list (e.g. chi_sim+eng)"),
        ));
    }
    let has = |dir: &Path, l: &str| dir.join(format!("{l}.traineddata")).is_file();
    let dirs = candidates();
    if let Some(d) = dirs.iter().find(|d| langs.iter().all(|l| has(d, l))) {
        return Ok(d.clone());
    }
    let found: Vec<&PathBuf> = dirs.iter().filter(|d| d.is_dir()).collect();
    let missing: Vec<&str> = langs
        .iter()
        .copied()
        .filter(|l| !found.iter().any(|d| has(d, l)))
        .collect();
    let message = if found.is_empty() {
        "the Tesseract OCR engine's model files are not installed (no tessdata folder found)"
            .to_string()
    } else if missing.is_empty() {
        format!("the Tesseract models for '{lang}' are in different folders")
    } else {
        format!(
            "no Tesseract model for {} (searched {})",
            missing.join(", "),
            found
                .iter()
                .map(|d| d.display().to_string())
                .collect::<Vec<_>>()
                .join(", ")
        )
    };
    Err(Error::new(ErrorKind::Unsupported, message).with_hint(install_hint(lang)))
}

impl OcrEngine for Tesseract {
    fn name(&self) -> &'static str {
        "tesseract"
    }

    fn check_languages(&self, lang: &str) -> Result<()> {
        tessdata_for(lang)?;
        capi().map(|_| ())
    }

    fn recognize(&mut self, image: &GrayImage, dpi: f32, lang: &str) -> Result<Recognition> {
        let (w, h) = image.dimensions();
        let (Ok(wi), Ok(hi)) = (i32::try_from(w), i32::try_from(h)) else {
            return Err(engine_error("image too large".into()));
        };
        let api = self.api(lang)?;
        let capi = api.capi;
        let raw = image.as_raw();
        if raw.len() < (w as usize) * (h as usize) {
            return Err(engine_error("the image buffer is too short".into()));
        }
        // SAFETY: a live handle; the buffer holds `h` rows of `w` 8-bit
        // pixels and outlives the recognition (Tesseract copies it).
        unsafe {
            (capi.set_image)(api.handle, raw.as_ptr(), wi, hi, 1, wi);
            (capi.set_source_resolution)(api.handle, dpi.round().clamp(70.0, 2400.0) as i32);
        }
        // SAFETY: a live handle with an image; no progress monitor.
        if unsafe { (capi.recognize)(api.handle, std::ptr::null_mut()) } != 0 {
            api.clear();
            return Err(engine_error("recognition failed".into()));
        }
        // SAFETY: a live, recognised handle; null (no text) is checked.
        let it = unsafe { (capi.get_iterator)(api.handle) };
        if it.is_null() {
            // No iterator when the page holds no text.
            api.clear();
            return Ok(Recognition::default());
        }
        let mut it = ResultIter { capi, it };
        let mut words = Vec::new();
        let mut line = 0u32;
        let mut paragraph = 0u32;
        let mut prev_line: Option<(i32, i32, i32, i32)> = None;
        let mut prev_par: Option<(i32, i32, i32, i32)> = None;
        loop {
            if let (Some(text), Some((x0, y0, x1, y1))) =
                (it.text(RIL_WORD), it.bounding_box(RIL_WORD))
            {
                let conf = it.confidence(RIL_WORD);
                let lb = it.bounding_box(RIL_TEXTLINE);
                let pb = it.bounding_box(RIL_PARA);
                if prev_line.is_some() && lb != prev_line {
                    line += 1;
                }
                if prev_par.is_some() && pb != prev_par {
                    paragraph += 1;
                }
                prev_line = lb;
                prev_par = pb;
                let text = text.trim();
                if !text.is_empty() && x1 > x0 && y1 > y0 {
                    words.push(OcrWord {
                        text: text.to_string(),
                        bbox: [x0 as f32, y0 as f32, x1 as f32, y1 as f32],
                        confidence: (conf / 100.0).clamp(0.0, 1.0),
                        line,
                        paragraph,
                    });
                }
            }
            if !it.next(RIL_WORD) {
                break;
            }
        }
        drop(it);
        // Picture blocks of Tesseract's page analysis (they hold no words).
        let mut images = Vec::new();
        // SAFETY: as above.
        let it = unsafe { (capi.get_iterator)(api.handle) };
        if !it.is_null() {
            let it = ResultIter { capi, it };
            let pi = it.page();
            // SAFETY: `pi` is `it` seen as a page iterator, live until `it`
            // is dropped below.
            unsafe { (capi.page_begin)(pi) };
            for _ in 0..100_000 {
                // SAFETY: as above.
                let kind = unsafe { (capi.page_block_type)(pi) };
                if let Some((x0, y0, x1, y1)) = it.bounding_box(RIL_BLOCK) {
                    let picture =
                        matches!(kind, PT_FLOWING_IMAGE | PT_HEADING_IMAGE | PT_PULLOUT_IMAGE);
                    if picture && x1 > x0 && y1 > y0 {
                        images.push([x0 as f32, y0 as f32, x1 as f32, y1 as f32]);
                    }
                }
                // SAFETY: as above.
                if unsafe { (capi.page_next)(pi, RIL_BLOCK) } == 0 {
                    break;
                }
            }
        }
        api.clear();
        Ok(Recognition { words, images })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hints_name_debian_packages() {
        let h = install_hint("chi_sim+eng");
        assert!(h.contains("tesseract-ocr-chi-sim tesseract-ocr-eng"), "{h}");
    }

    #[test]
    fn bad_language_lists_are_refused() {
        assert!(tessdata_for("").is_err());
        assert!(tessdata_for("../etc").is_err());
        let e = tessdata_for("xx_nonexistent").unwrap_err();
        assert!(e
            .hint
            .unwrap_or_default()
            .contains("tesseract-ocr-xx-nonexistent"));
    }
}
