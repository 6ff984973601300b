//! JPEG 2000 page images (`.jp2`, `.j2k`, and `JPXDecode` images in PDFs)
//! through the real `newsclip` binary.
//!
//! Known truth: a page of our own OCR fixtures (`fixtures/ocr/`, a grey PNG
//! at 200 dpi) is encoded losslessly by OpenJPEG's `opj_compress` (Debian
//! `libopenjp2-tools`, installed by `scripts/lib.sh`) at test time, so the
//! JPEG 2000 file holds exactly the PNG's pixels: read with the same
//! language, it must give the same articles as the PNG. `opj_compress` writes
//! no resolution, so the test adds the JP2 capture-resolution box the way a
//! scanner's software does. Damaged files fail with their name, and the
//! batch goes on.

mod common;
use common::*;

use std::fs;
use std::path::{Path, PathBuf};
use std::process::Command;

use newsclip::model::Document;

const PAGE: &str = "fixtures/ocr/en-06-200dpi-png.png";

/// `opj_compress` the page into `dir/NAME` (the extension picks JP2 or a
/// raw codestream); lossless, as the encoder does by default.
fn compress(dir: &Path, name: &str) -> PathBuf {
    let out = dir.join(name);
    let o = Command::new("opj_compress")
        .arg("-i")
        .arg(root().join(PAGE))
        .arg("-o")
        .arg(&out)
        .output()
        .expect("opj_compress (libopenjp2-tools) is installed");
    assert!(o.status.success(), "opj_compress: {}", stderr(&o));
    out
}

/// A JP2 file with a capture resolution of `dpi` added to its header box
/// (`jp2h` gets a `res ` box holding `resc`; ISO/IEC 15444-1 I.5.3.7).
fn with_resolution(jp2: &[u8], dpi: u16) -> Vec<u8> {
    let per_metre = (dpi as f64 / 0.0254).round() as u16;
    let mut resc = vec![0, 0, 0, 18];
    resc.extend_from_slice(b"resc");
    for _ in 0..2 {
        resc.extend_from_slice(&per_metre.to_be_bytes());
        resc.extend_from_slice(&1u16.to_be_bytes());
    }
    resc.extend_from_slice(&[0, 0]);
    let mut res = ((8 + resc.len()) as u32).to_be_bytes().to_vec();
    res.extend_from_slice(b"res ");
    res.extend_from_slice(&resc);
    // Walk the top-level boxes to jp2h and grow it.
    let mut pos = 0;
    while pos + 8 <= jp2.len() {
        let len = u32::from_be_bytes(jp2[pos..pos + 4].try_into().unwrap()) as usize;
        assert!(len >= 8, "opj_compress wrote an unexpected box length");
        if &jp2[pos + 4..pos + 8] == b"jp2h" {
            let mut out = jp2[..pos].to_vec();
            out.extend_from_slice(&((len + res.len()) as u32).to_be_bytes());
            out.extend_from_slice(&jp2[pos + 4..pos + len]);
            out.extend_from_slice(&res);
            out.extend_from_slice(&jp2[pos + len..]);
            return out;
        }
        pos += len;
    }
    panic!("no jp2h box");
}

/// `newsclip extract -l eng -o OUT PATHS...`: its output and exit code.
fn extract(out: &Path, paths: &[PathBuf]) -> std::process::Output {
    bin()
        .args(["extract", "-q", "-l", "eng", "-o"])
        .arg(out)
        .args(paths)
        .output()
        .unwrap()
}

/// What a reader gets: each article's headline and body texts.
fn articles(doc: &Document) -> Vec<(Option<String>, Vec<String>)> {
    doc.articles
        .iter()
        .map(|a| {
            (
                a.headline.clone(),
                a.body.iter().map(|b| b.text.clone()).collect(),
            )
        })
        .collect()
}

#[test]
fn a_jp2_page_reads_as_its_png() {
    let dir = tempfile::tempdir().unwrap();
    let raw = compress(dir.path(), "raw.jp2");
    let page = dir.path().join("page.jp2");
    fs::write(&page, with_resolution(&fs::read(&raw).unwrap(), 200)).unwrap();
    fs::remove_file(&raw).unwrap();
    let png = dir.path().join("page-png.png");
    fs::copy(root().join(PAGE), &png).unwrap();
    let out = dir.path().join("out");
    let o = extract(&out, &[page.clone(), png]);
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    let from_jp2 = load(&out.join("page.jp2.json"));
    let from_png = load(&out.join("page-png.png.json"));
    assert_eq!(from_jp2.source.format, "image");
    assert!(!from_png.articles.is_empty());
    assert_eq!(articles(&from_jp2), articles(&from_png));
    // The resolution came from the JP2 box: nothing assumed.
    assert!(
        !from_jp2
            .warnings
            .iter()
            .any(|w| w.code == "resolution-assumed"),
        "{:?}",
        from_jp2.warnings
    );
}

#[test]
fn folders_find_jpeg2000_and_damaged_files_are_named() {
    let dir = tempfile::tempdir().unwrap();
    let input = dir.path().join("in");
    fs::create_dir_all(&input).unwrap();
    // A raw codestream (.j2k), found by its extension in the folder.
    compress(&input, "scan.j2k");
    // A JP2 cut short in its codestream, and one that is only a header.
    let whole = fs::read(compress(dir.path(), "whole.jp2")).unwrap();
    fs::write(input.join("cut.jp2"), &whole[..whole.len() / 3]).unwrap();
    fs::write(input.join("header.jp2"), &whole[..12]).unwrap();
    let out = dir.path().join("out");
    let o = extract(&out, &[input]);
    assert_eq!(code(&o), 1, "{}", stderr(&o));
    let err = stderr(&o);
    assert!(
        err.contains("header.jp2") && err.contains("JPEG 2000"),
        "{err}"
    );
    assert!(!out.join("header.jp2.json").exists());
    // The codestream was read in spite of the bad files beside it.
    let doc = load(&out.join("scan.j2k.json"));
    assert!(!doc.articles.is_empty(), "{:?}", doc.warnings);
    // A truncated codestream is either refused, named, or read as far as
    // it goes (JPEG 2000 is progressive); never a crash.
    if !out.join("cut.jp2.json").exists() {
        assert!(err.contains("cut.jp2"), "{err}");
    }
}

#[test]
fn jpx_images_in_pdfs_are_read() {
    let dir = tempfile::tempdir().unwrap();
    let j2k = fs::read(compress(dir.path(), "page.j2k")).unwrap();
    let img = image::open(root().join(PAGE)).unwrap();
    let (w, h) = (img.width(), img.height());
    let stream = image_xobject(w, h, Some("JPXDecode"), j2k);
    // The page the image's size at 200 dpi.
    let (wp, hp) = (w as f32 * 72.0 / 200.0, h as f32 * 72.0 / 200.0);
    let pdf = dir.path().join("scan.pdf");
    fs::write(&pdf, scanned_pdf(stream, wp, hp, None)).unwrap();
    let png = dir.path().join("scan-png.png");
    fs::copy(root().join(PAGE), &png).unwrap();
    let out = dir.path().join("out");
    let o = extract(&out, &[pdf, png]);
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    let from_pdf = load(&out.join("scan.pdf.json"));
    let from_png = load(&out.join("scan-png.png.json"));
    assert_eq!(from_pdf.source.format, "pdf");
    assert!(from_pdf.warnings.iter().any(|w| w.code == "ocr"));
    // The same pixels at the same resolution: the same articles.
    assert_eq!(articles(&from_pdf), articles(&from_png));
}
