//! Image files (PNG, JPEG, TIFF with its pages, JPEG 2000) as the OCR path
//! reads them: `decode_pages`, then, for small pages, the preprocessing
//! that comes before the engine (border cleanup, deskew, scaling), without
//! the engine itself.
#![no_main]

use libfuzzer_sys::fuzz_target;
use newsclip::extract::ocr::{self, input, preprocess};

/// Pages whose working image (after the upscaling or downscaling that
/// `prepare` applies to reach 300 dpi) would exceed this many pixels are
/// decoded but not preprocessed: preprocessing a large page takes seconds
/// (bounded by the decoder's size limit, not by the input's length), which
/// would make every large input a timeout instead of a test.
const MAX_PREPARED_PIXELS: f32 = 512.0 * 512.0;

/// Inputs whose header declares more pixels than this are not decoded. The
/// library accepts up to `input::MAX_PIXELS` (150 million), and decoding a
/// page near that takes longer than the per-input timeout in this
/// instrumented build however short the file is: a 707-byte JPEG 2000 of
/// empty tiles declaring 53 megapixels took 13 s
/// (fixtures/fuzz/jp2-empty-tiles-53-megapixels.jp2, kept as a test in
/// tests/fuzz_regressions.rs). Such time is bounded by the size limit, not
/// a hang, so the fuzzer spends its time on smaller declared sizes.
const MAX_DECODED_PIXELS: u64 = 8_000_000;

/// The size the header declares, for the formats whose header we can read
/// without decoding (PNG, JPEG, JPEG 2000); TIFF's pages are decoded as
/// they are (within libFuzzer's input length, their pixels stay few).
fn declared_pixels(bytes: &[u8]) -> Option<u64> {
    let (w, h) = match input::sniff(bytes)? {
        input::ImageKind::Jpeg2000 => {
            let settings = hayro_jpeg2000::DecodeSettings::default();
            let image = hayro_jpeg2000::Image::new(bytes, &settings).ok()?;
            (image.width(), image.height())
        }
        kind => input::declared_size(bytes, kind)?,
    };
    Some(u64::from(w) * u64::from(h))
}

fuzz_target!(init: newsclip_fuzz::init(), |bytes: &[u8]| {
    if declared_pixels(bytes).is_some_and(|n| n > MAX_DECODED_PIXELS) {
        return;
    }
    newsclip_fuzz::run(|| {
        // The pipeline wraps the decoders as this does (src/pipeline.rs,
        // no_panic): a decoder's panic becomes the file's error.
        let Ok(pages) = std::panic::catch_unwind(|| input::decode_pages(bytes)) else {
            return;
        };
        let Ok(pages) = pages else {
            return;
        };
        for page in pages.into_iter().flatten() {
            let (w, h) = page.image.dimensions();
            let dpi = ocr::plausible_dpi(page.dpi, w, h).unwrap_or(ocr::DEFAULT_DPI);
            // At most the scale `prepare` applies (it caps upscaling at 4×).
            let scale = (preprocess::TARGET_DPI / dpi).min(4.0);
            if w < preprocess::MIN_SIDE
                || h < preprocess::MIN_SIDE
                || w as f32 * h as f32 * scale * scale > MAX_PREPARED_PIXELS
            {
                continue;
            }
            let prepared = preprocess::prepare(page.image, dpi);
            // The rule finder with the thresholds ocr_page derives from
            // the working resolution.
            let work_dpi = dpi * prepared.scale;
            let _ = preprocess::find_rules(
                &prepared.image,
                (0.75 * work_dpi) as u32,
                ((0.05 * work_dpi) as u32).max(2),
            );
        }
    });
});
