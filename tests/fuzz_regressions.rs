//! Inputs found by the fuzzer (scripts/fuzz) fed to the entry point that
//! found them: no panic, and a named error or a result whose facts come
//! from the input itself. The inputs, made by libFuzzer's mutations of our
//! own seeds, are in fixtures/fuzz/.

use newsclip::extract::ocr::input::{self, MAX_PIXELS};

fn fixture(name: &str) -> Vec<u8> {
    let path = format!("{}/fixtures/fuzz/{name}", env!("CARGO_MANIFEST_DIR"));
    std::fs::read(&path).unwrap_or_else(|e| panic!("{path}: {e}"))
}

/// A 707-byte JP2 whose codestream declares 262,295 × 202 pixels (53
/// megapixels, under the 150-megapixel limit) in 1,737 tiles that hold
/// almost no coded data: the `image` target's 10 s timeout under the
/// instrumented build (13 s, 800 MB there). It is no hang: the work is that
/// of any 53-megapixel page, which the size limit bounds, not the file's
/// length. The decoder must not panic, and what it returns must be the
/// declared page, or that page reduced, or a named error for the file.
#[test]
fn jpeg2000_with_empty_tiles_decodes_to_its_declared_size_or_a_reduction() {
    let bytes = fixture("jp2-empty-tiles-53-megapixels.jp2");
    // Xsiz and Ysiz of the SIZ marker (ISO/IEC 15444-1 A.5.1), read here
    // by hand: the ground truth the decoder's page must match.
    let siz = bytes
        .windows(2)
        .position(|w| w == [0xff, 0x51])
        .expect("the fixture has a SIZ marker");
    let be32 = |at: usize| u32::from_be_bytes(bytes[at..at + 4].try_into().unwrap());
    let (width, height) = (be32(siz + 6), be32(siz + 10));
    assert_eq!((width, height), (262_295, 202));
    assert!(u64::from(width) * u64::from(height) <= MAX_PIXELS);
    match input::decode_pages(&bytes) {
        Ok(pages) => {
            assert_eq!(pages.len(), 1, "a JP2 file is one page");
            match &pages[0] {
                // Pages may be reduced by an integer factor while they
                // are decoded (src/extract/ocr/input.rs, ocr_reduction).
                Ok(page) => {
                    let by = page.reduced_by.max(1);
                    assert_eq!(
                        page.image.dimensions(),
                        (width.div_ceil(by), height.div_ceil(by)),
                        "reduced by {by}"
                    );
                }
                Err(e) => assert!(!e.message.is_empty(), "an unnamed page error"),
            }
        }
        Err(e) => assert!(!e.message.is_empty(), "an unnamed file error"),
    }
}
