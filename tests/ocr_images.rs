//! The OCR input path end to end, through the real `newsclip` binary, with
//! Tesseract (the models `chi_sim` and `eng` must be installed:
//! `scripts/lib.sh` `ensure_build_deps`).
//!
//! Known ground truth: our typeset PDF fixtures (`fixtures/pdf/*.pdf` with
//! their `*.gold.json`) are rasterised at 300 dpi with `pdftoppm` at test
//! time, and the articles read back from the images are scored against the
//! gold with the crate's own scorer. The bounds are regression guards at
//! the level reached (see the README for the figures). Bad inputs must
//! fail cleanly (exit 1, the file named, no panic) and never stop a batch.

mod common;
use common::*;

use std::fs;
use std::io::{Cursor, Write};
use std::path::PathBuf;

use image::{GrayImage, ImageFormat, Luma};
use lopdf::Stream;
use newsclip::model::{BodyKind, Document};

fn schema_errors(doc: &Document) -> Vec<String> {
    let schema: serde_json::Value = serde_json::from_str(
        &fs::read_to_string(root().join("schema/newsclip.schema.json")).expect("schema"),
    )
    .expect("schema is JSON");
    let validator = jsonschema::validator_for(&schema).expect("schema compiles");
    let value = serde_json::to_value(doc).expect("serialise");
    validator
        .iter_errors(&value)
        .map(|e| e.to_string())
        .collect()
}

fn png_bytes(img: &GrayImage) -> Vec<u8> {
    let mut buf = Vec::new();
    img.write_to(&mut Cursor::new(&mut buf), ImageFormat::Png)
        .expect("encode PNG");
    buf
}

#[test]
fn rasterised_fixture_pages_read_back_by_ocr() {
    let dir = tempfile::tempdir().unwrap();
    let names = ["en-01", "zh-01"];
    let inputs: Vec<PathBuf> = names
        .iter()
        .map(|n| rasterise(n, dir.path(), Colour::Rgb))
        .collect();
    let out = dir.path().join("out");
    let o = bin()
        .args(["extract", "-q", "-o"])
        .arg(&out)
        .args(&inputs)
        .output()
        .unwrap();
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    let mut pairs = Vec::new();
    for n in names {
        let doc = load(&out.join(format!("{n}.png.json")));
        assert_eq!(doc.source.format, "image");
        assert!(
            schema_errors(&doc).is_empty(),
            "{n}: {:?}",
            schema_errors(&doc)
        );
        assert!(
            doc.warnings.iter().any(|w| w.code == "ocr"),
            "{n}: no OCR note: {:?}",
            doc.warnings
        );
        // Every paragraph from OCR has a confidence and a box on the page
        // (300 dpi pixels mapped back to points: the page is 612 pt wide
        // or so, not 2550).
        for a in &doc.articles {
            for p in a.body.iter().filter(|p| p.kind == BodyKind::Paragraph) {
                let c = p.confidence.expect("paragraph confidence");
                assert!((0.0..=1.0).contains(&c));
                let b = p.bbox.expect("paragraph box");
                assert!(b.x1 <= 1300.0 && b.y1 <= 1800.0, "{b:?} not in points");
            }
        }
        pairs.push((gold(n), doc));
    }
    let report = newsclip::eval::evaluate_many(&pairs);
    eprintln!("{}", report.to_table());
    assert!(
        report.article_f1 >= 0.5,
        "article F1 {:.3}",
        report.article_f1
    );
    assert!(report.body_cer <= 0.25, "body CER {:.3}", report.body_cer);
    // The English page's first headline comes back word for word.
    let en = &pairs[0].1;
    assert!(
        en.articles
            .iter()
            .any(|a| a.headline.as_deref()
                == Some("Road crews stock up on salt ahead of weekend storm")),
        "{:?}",
        en.articles.iter().map(|a| &a.headline).collect::<Vec<_>>()
    );
}

/// An image-only PDF: one page whose only content is the page image.
fn image_pdf(image: Stream, width_pt: f32, height_pt: f32) -> Vec<u8> {
    scanned_pdf(image, width_pt, height_pt, None)
}

fn image_stream(img: &GrayImage, filter: Option<&str>, data: Vec<u8>) -> Stream {
    image_xobject(img.width(), img.height(), filter, data)
}

#[test]
fn image_only_pdfs_go_through_ocr() {
    let dir = tempfile::tempdir().unwrap();
    let png = rasterise("en-01", dir.path(), Colour::Rgb);
    let img = image::open(&png).unwrap().into_luma8();
    let (w, h) = (
        img.width() as f32 * 72.0 / 300.0,
        img.height() as f32 * 72.0 / 300.0,
    );
    // DCT: the page as a JPEG.
    let mut jpeg = Vec::new();
    image::codecs::jpeg::JpegEncoder::new_with_quality(&mut jpeg, 85)
        .encode_image(&img)
        .unwrap();
    let dct = image_pdf(image_stream(&img, Some("DCTDecode"), jpeg), w, h);
    // Flate: raw gray samples, deflated.
    let mut flate = image_stream(&img, None, img.as_raw().clone());
    flate.compress().unwrap();
    let flate = image_pdf(flate, w, h);
    // A broken image stream: a JPEG cut short after its header.
    let broken = image_pdf(
        image_stream(
            &img,
            Some("DCTDecode"),
            vec![0xFF, 0xD8, 0xFF, 0xE0, 0, 16, 1, 2, 3],
        ),
        w,
        h,
    );
    let paths: Vec<PathBuf> = [("dct", &dct), ("flate", &flate), ("broken", &broken)]
        .iter()
        .map(|(n, b)| {
            let p = dir.path().join(format!("{n}.pdf"));
            fs::write(&p, b).unwrap();
            p
        })
        .collect();
    let out = dir.path().join("out");
    let o = bin()
        .args(["extract", "-q", "-o"])
        .arg(&out)
        .args(&paths)
        .output()
        .unwrap();
    // The broken one fails, named; the others are written.
    assert_eq!(code(&o), 1, "{}", stderr(&o));
    let err = stderr(&o);
    assert!(
        err.contains("broken.pdf") && err.contains("page 1"),
        "{err}"
    );
    assert!(err.to_lowercase().contains("jpeg"), "{err}");
    assert!(!out.join("broken.pdf.json").exists());
    let gold = gold("en-01");
    for n in ["dct", "flate"] {
        let doc = load(&out.join(format!("{n}.pdf.json")));
        assert_eq!(doc.source.format, "pdf");
        assert!(doc.warnings.iter().any(|w| w.code == "ocr"), "{n}");
        let report = newsclip::eval::evaluate_many(&[(gold.clone(), doc)]);
        assert!(
            report.article_f1 >= 0.5 && report.body_cer <= 0.25,
            "{n}: {}",
            report.to_table()
        );
    }
    // --ocr never: the scanned PDF is refused with a way out.
    let o = bin()
        .args(["extract", "--ocr", "never"])
        .arg(&paths[0])
        .output()
        .unwrap();
    assert_eq!(code(&o), 1);
    assert!(stderr(&o).contains("--ocr never"), "{}", stderr(&o));
}

/// A PNG header declaring `w`×`h` pixels (valid CRCs), and no pixel data.
fn png_header(w: u32, h: u32) -> Vec<u8> {
    fn crc32(data: &[u8]) -> u32 {
        let mut crc = 0xFFFF_FFFFu32;
        for &b in data {
            crc ^= b as u32;
            for _ in 0..8 {
                crc = if crc & 1 != 0 {
                    (crc >> 1) ^ 0xEDB8_8320
                } else {
                    crc >> 1
                };
            }
        }
        !crc
    }
    let mut out = b"\x89PNG\r\n\x1a\n".to_vec();
    let mut chunk = b"IHDR".to_vec();
    chunk.extend_from_slice(&w.to_be_bytes());
    chunk.extend_from_slice(&h.to_be_bytes());
    chunk.extend_from_slice(&[8, 0, 0, 0, 0]);
    out.extend_from_slice(&13u32.to_be_bytes());
    out.extend_from_slice(&chunk);
    out.extend_from_slice(&crc32(&chunk).to_be_bytes());
    out
}

/// A two-page baseline TIFF (8-bit gray, uncompressed): page 1 is `page`,
/// page 2 declares a strip beyond the end of the file.
fn two_page_tiff(page: &GrayImage) -> Vec<u8> {
    let (w, h) = page.dimensions();
    let mut out = b"II*\0".to_vec();
    let data_off = 8u32;
    let ifd1 = data_off + page.as_raw().len() as u32;
    out.extend_from_slice(&ifd1.to_le_bytes());
    out.extend_from_slice(page.as_raw());
    let entries = |w: u32, h: u32, off: u32, len: u32| -> Vec<(u16, u16, u32)> {
        vec![
            (256, 4, w),   // ImageWidth
            (257, 4, h),   // ImageLength
            (258, 3, 8),   // BitsPerSample
            (259, 3, 1),   // Compression: none
            (262, 3, 1),   // Photometric: BlackIsZero
            (273, 4, off), // StripOffsets
            (277, 3, 1),   // SamplesPerPixel
            (278, 4, h),   // RowsPerStrip
            (279, 4, len), // StripByteCounts
        ]
    };
    let write_ifd = |out: &mut Vec<u8>, e: &[(u16, u16, u32)], next: u32| {
        out.extend_from_slice(&(e.len() as u16).to_le_bytes());
        for (tag, kind, value) in e {
            out.extend_from_slice(&tag.to_le_bytes());
            out.extend_from_slice(&kind.to_le_bytes());
            out.extend_from_slice(&1u32.to_le_bytes());
            if *kind == 3 {
                out.extend_from_slice(&(*value as u16).to_le_bytes());
                out.extend_from_slice(&[0, 0]);
            } else {
                out.extend_from_slice(&value.to_le_bytes());
            }
        }
        out.extend_from_slice(&next.to_le_bytes());
    };
    let e1 = entries(w, h, data_off, w * h);
    let ifd2 = ifd1 + 2 + 12 * e1.len() as u32 + 4;
    write_ifd(&mut out, &e1, ifd2);
    let e2 = entries(500, 500, 10_000_000, 250_000);
    write_ifd(&mut out, &e2, 0);
    out
}

#[test]
fn bad_images_fail_cleanly_and_the_batch_goes_on() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let png = rasterise("en-01", d, Colour::Rgb);
    let page = image::open(&png).unwrap().into_luma8();
    // The top of the page (masthead, first headline and some text), to
    // keep the OCR short.
    let top = image::imageops::crop_imm(&page, 0, 0, page.width(), page.height() / 3).to_image();
    let good = d.join("good.png");
    fs::write(&good, png_bytes(&top)).unwrap();
    // A PNG cut in the middle of its data.
    let full = png_bytes(&top);
    let corrupt = d.join("corrupt.png");
    fs::write(&corrupt, &full[..full.len() / 2]).unwrap();
    // Garbage after a PNG signature.
    let garbage = d.join("garbage.png");
    let mut g = b"\x89PNG\r\n\x1a\n".to_vec();
    g.extend_from_slice(&[0x55; 300]);
    fs::write(&garbage, g).unwrap();
    // 1×1.
    let tiny = d.join("tiny.png");
    fs::write(&tiny, png_bytes(&GrayImage::from_pixel(1, 1, Luma([0])))).unwrap();
    // 20,000×30,000 declared: refused from the header, nothing allocated.
    let huge = d.join("huge.png");
    fs::write(&huge, png_header(20_000, 30_000)).unwrap();
    // A two-page TIFF whose second page is broken.
    let tiff = d.join("two.tif");
    fs::write(&tiff, two_page_tiff(&top)).unwrap();

    let out = d.join("out");
    let o = bin()
        .args(["extract", "-q", "-o"])
        .arg(&out)
        .args([&corrupt, &garbage, &tiny, &huge, &good, &tiff])
        .output()
        .unwrap();
    assert_eq!(code(&o), 1, "{}", stderr(&o));
    let err = stderr(&o);
    for (name, says) in [
        ("garbage.png", "PNG"),
        ("tiny.png", "too small"),
        ("huge.png", "over the limit"),
    ] {
        let line = err
            .lines()
            .find(|l| l.contains(name))
            .unwrap_or_else(|| panic!("{name} not reported: {err}"));
        assert!(line.contains(says), "{name}: {line}");
        assert!(!out.join(format!("{name}.json")).exists());
    }
    // The good image and the TIFF's good page are written.
    let doc = load(&out.join("good.png.json"));
    assert!(
        doc.articles
            .iter()
            .any(|a| a.headline.as_deref()
                == Some("Road crews stock up on salt ahead of weekend storm")),
        "{:?}",
        doc.articles
    );
    let doc = load(&out.join("two.tif.json"));
    assert_eq!(doc.source.format, "image");
    assert!(!doc.articles.is_empty());
    assert!(doc.articles.iter().all(|a| a.page == 1));
    let failed: Vec<_> = doc
        .warnings
        .iter()
        .filter(|w| w.code == "page-failed")
        .collect();
    assert_eq!(failed.len(), 1, "{:?}", doc.warnings);
    assert_eq!(failed[0].page, Some(2));
    // The PNG cut in the middle keeps the rows before the cut: written,
    // with the damage named on stderr (file and page) and in the JSON.
    let line = err
        .lines()
        .find(|l| l.contains("corrupt.png"))
        .unwrap_or_else(|| panic!("corrupt.png not reported: {err}"));
    assert!(
        line.contains("page 1") && line.contains("damaged"),
        "{line}"
    );
    let doc = load(&out.join("corrupt.png.json"));
    assert!(
        doc.warnings
            .iter()
            .any(|w| w.code == "page-damaged" && w.page == Some(1)),
        "{:?}",
        doc.warnings
    );
}

#[test]
fn invisible_ocr_layers_are_read_again_on_request() {
    let dir = tempfile::tempdir().unwrap();
    let png = rasterise("en-01", dir.path(), Colour::Rgb);
    let page = image::open(&png).unwrap().into_luma8();
    let top = image::imageops::crop_imm(&page, 0, 0, page.width(), page.height() / 3).to_image();
    let (w, h) = (
        top.width() as f32 * 72.0 / 300.0,
        top.height() as f32 * 72.0 / 300.0,
    );
    let mut stream = image_stream(&top, None, top.as_raw().clone());
    stream.compress().unwrap();
    let pdf = scanned_pdf(stream, w, h, Some("Vendor garbled layer qqxq zzkw"));
    let path = dir.path().join("layer.pdf");
    fs::write(&path, pdf).unwrap();
    let run = |mode: &str| -> Document {
        let o = bin()
            .args(["extract", "--ocr", mode])
            .arg(&path)
            .output()
            .unwrap();
        assert_eq!(code(&o), 0, "{mode}: {}", stderr(&o));
        serde_json::from_slice(&o.stdout).unwrap()
    };
    let text = |d: &Document| serde_json::to_string(&d.articles).unwrap();
    // By default the layer is used as it is, and said so.
    let kept = run("auto");
    assert!(kept
        .warnings
        .iter()
        .any(|w| w.code == "invisible-text-layer"));
    assert!(text(&kept).contains("qqxq"));
    // --ocr always reads the scan instead.
    let read = run("always");
    assert!(read.warnings.iter().any(|w| w.code == "ocr"));
    assert!(!text(&read).contains("qqxq"));
    assert!(
        text(&read).contains("Road crews stock up on salt"),
        "{}",
        text(&read)
    );
}

#[test]
fn engine_and_language_errors_say_what_to_do() {
    let dir = tempfile::tempdir().unwrap();
    let img = dir.path().join("blank.png");
    fs::write(
        &img,
        png_bytes(&GrayImage::from_pixel(200, 100, Luma([255]))),
    )
    .unwrap();
    // PP-OCR asked for but not installed (an empty folder): how to
    // install it (tests/ocr_ppocr.rs has the rest).
    let empty = dir.path().join("no-ppocr");
    fs::create_dir_all(&empty).unwrap();
    let o = bin()
        .args(["extract", "--engine", "ppocr", "--ppocr-dir"])
        .arg(&empty)
        .arg(&img)
        .output()
        .unwrap();
    assert_eq!(code(&o), 1);
    assert!(
        stderr(&o).contains("PP-OCR") && stderr(&o).contains("scripts/fetch-ppocr"),
        "{}",
        stderr(&o)
    );
    // A language whose model is not installed: how to install it.
    let o = bin()
        .args(["extract", "-l", "xx_missing"])
        .arg(&img)
        .output()
        .unwrap();
    assert_eq!(code(&o), 1);
    let err = stderr(&o);
    assert!(
        err.contains("blank.png") && err.contains("apt-get install") && err.contains("xx_missing"),
        "{err}"
    );
    // A blank page: no text, a warning, not a failure.
    let o = bin()
        .args(["extract", "-l", "eng"])
        .arg(&img)
        .output()
        .unwrap();
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    let doc: Document = serde_json::from_slice(&o.stdout).unwrap();
    assert!(doc.articles.is_empty());
    assert!(doc.warnings.iter().any(|w| w.code == "no-articles"));
    // --ocr never refuses images.
    let o = bin()
        .args(["extract", "--ocr", "never"])
        .arg(&img)
        .output()
        .unwrap();
    assert_eq!(code(&o), 1);
    let _ = std::io::stderr().flush();
}
