//! The Tesseract engine, through `tesseract-rs` linked against the system's
//! libtesseract (Debian: `libtesseract-dev`, models in
//! `tesseract-ocr-chi-sim`, `tesseract-ocr-eng`).
//!
//! One [`Tesseract`] per thread keeps one initialised API per language
//! list. Page segmentation is set to automatic (3): the API's default is a
//! single block (6), which reads every line across all columns. Model files
//! are looked up in `TESSDATA_PREFIX` (which names the `tessdata` folder
//! itself) and then in the usual system folders; nothing is downloaded.

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use image::GrayImage;
use tesseract_rs::{TessPageIteratorLevel, TessPageSegMode, TessPolyBlockType, TesseractAPI};

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

/// The Tesseract engine of one thread.
#[derive(Default)]
pub struct Tesseract {
    apis: HashMap<String, TesseractAPI>,
}

impl Tesseract {
    pub fn new() -> Tesseract {
        Tesseract::default()
    }

    fn api(&mut self, lang: &str) -> Result<&TesseractAPI> {
        if !self.apis.contains_key(lang) {
            let dir = tessdata_for(lang)?;
            let api = TesseractAPI::new();
            // Quiet: Tesseract's diagnostics go to its debug file.
            let _ = api.set_variable("debug_file", "/dev/null");
            api.init(&dir, lang).map_err(|e| {
                Error::new(
                    ErrorKind::Unsupported,
                    format!(
                        "Tesseract could not load the language models '{lang}' from {}: {e}",
                        dir.display()
                    ),
                )
                .with_hint(install_hint(lang))
            })?;
            let _ = api.set_variable("debug_file", "/dev/null");
            api.set_page_seg_mode(TessPageSegMode::PSM_AUTO)
                .map_err(|e| engine_error(format!("cannot set the page mode: {e}")))?;
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
        tessdata_for(lang).map(|_| ())
    }

    fn recognize(&mut self, image: &GrayImage, dpi: f32, lang: &str) -> Result<Recognition> {
        let (w, h) = image.dimensions();
        let (Ok(wi), Ok(hi)) = (i32::try_from(w), i32::try_from(h)) else {
            return Err(engine_error("image too large".into()));
        };
        let api = self.api(lang)?;
        api.set_image(image.as_raw(), wi, hi, 1, wi)
            .map_err(|e| engine_error(format!("cannot set the image: {e}")))?;
        api.set_source_resolution(dpi.round().clamp(70.0, 2400.0) as i32)
            .map_err(|e| engine_error(format!("cannot set the resolution: {e}")))?;
        api.recognize()
            .map_err(|e| engine_error(format!("recognition failed: {e}")))?;
        let mut words = Vec::new();
        // No iterator when the page holds no text.
        let Ok(it) = api.get_iterator() else {
            let _ = api.clear();
            return Ok(Recognition::default());
        };
        let mut line = 0u32;
        let mut paragraph = 0u32;
        let mut prev_line: Option<(i32, i32, i32, i32)> = None;
        let mut prev_par: Option<(i32, i32, i32, i32)> = None;
        loop {
            if let Ok((text, x0, y0, x1, y1, conf)) = it.get_word_with_bounds() {
                let lb = it
                    .get_bounding_box(TessPageIteratorLevel::RIL_TEXTLINE)
                    .ok();
                let pb = it.get_bounding_box(TessPageIteratorLevel::RIL_PARA).ok();
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
            match it.next(TessPageIteratorLevel::RIL_WORD) {
                Ok(true) => {}
                _ => break,
            }
        }
        drop(it);
        // Picture blocks of Tesseract's page analysis (they hold no words).
        let mut images = Vec::new();
        if let Ok(pi) = api.get_page_iterator() {
            let _ = pi.begin();
            for _ in 0..100_000 {
                if let (Ok(kind), Ok((x0, y0, x1, y1))) = (
                    pi.block_type(),
                    pi.bounding_box(TessPageIteratorLevel::RIL_BLOCK),
                ) {
                    let picture = matches!(
                        kind,
                        TessPolyBlockType::PT_FLOWING_IMAGE
                            | TessPolyBlockType::PT_HEADING_IMAGE
                            | TessPolyBlockType::PT_PULLOUT_IMAGE
                    );
                    if picture && x1 > x0 && y1 > y0 {
                        images.push([x0 as f32, y0 as f32, x1 as f32, y1 as f32]);
                    }
                }
                match pi.next(TessPageIteratorLevel::RIL_BLOCK) {
                    Ok(true) => {}
                    _ => break,
                }
            }
        }
        let _ = api.clear();
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
