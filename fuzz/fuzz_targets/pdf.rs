//! PDFs without OCR (too slow to fuzz): `process_pdf_bytes` with
//! `--ocr never` (text layer, layout, reflow, split), then the page images
//! of the pages without a text layer decoded as OCR would get them (JPEG,
//! CCITT G4, JBIG2, JPEG 2000 and raw images inside the PDF), without the
//! engine.
#![no_main]

use libfuzzer_sys::fuzz_target;
use newsclip::extract::ocr::OcrMode;
use newsclip::extract::pdf::PdfDocument;
use newsclip::pipeline::{self, Options};

/// Scanned pages decoded per input: enough to reach every decoder, few
/// enough that a many-page input stays fast.
const MAX_IMAGE_PAGES: u32 = 2;

fuzz_target!(init: newsclip_fuzz::init(), |bytes: &[u8]| {
    let mut options = Options::default();
    options.ocr.mode = OcrMode::Never;
    let _ = newsclip_fuzz::run(|| pipeline::process_pdf_bytes(bytes, "fuzz.pdf", &options));
    newsclip_fuzz::run(|| {
        let Ok(pdf) = PdfDocument::open(bytes) else {
            return;
        };
        let mut decoded = 0;
        for number in 1..=pdf.page_count() as u32 {
            let Ok(page) = pdf.page(number) else {
                continue;
            };
            if page.has_text() || page.images.is_empty() {
                continue;
            }
            let _ = pdf.page_image(&page);
            decoded += 1;
            if decoded == MAX_IMAGE_PAGES {
                break;
            }
        }
    });
});
