//! hOCR input: a fixture page rasterised at 300 dpi (`pdftoppm`), read by
//! the `tesseract` CLI into hOCR, then given to `newsclip extract` as it
//! stands; its articles are scored against the fixture's gold with
//! `newsclip eval`. Both tools come from Debian (`poppler-utils`,
//! `tesseract-ocr`), installed by `scripts/test`.

mod common;
use common::{eval_report, root};

use std::process::Command;

fn bin() -> &'static str {
    env!("CARGO_BIN_EXE_newsclip")
}

fn run(cmd: &mut Command) {
    let out = cmd.output().unwrap_or_else(|e| panic!("{cmd:?}: {e}"));
    assert!(
        out.status.success(),
        "{cmd:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
}

#[test]
fn tesseract_hocr_of_a_fixture_page_gives_its_articles() {
    let dir = tempfile::tempdir().expect("temp dir");
    let d = dir.path();
    run(Command::new("pdftoppm")
        .args(["-r", "300", "-png", "-singlefile"])
        .arg(root().join("fixtures/pdf/en-01.pdf"))
        .arg(d.join("en-01")));
    run(Command::new("tesseract")
        .arg(d.join("en-01.png"))
        .arg(d.join("en-01"))
        .args(["-l", "eng", "hocr"]));
    let hocr = d.join("en-01.hocr");
    let (gold, pred) = (d.join("gold"), d.join("pred"));
    std::fs::create_dir_all(&gold).unwrap();
    std::fs::create_dir_all(&pred).unwrap();
    std::fs::copy(
        root().join("fixtures/pdf/en-01.gold.json"),
        gold.join("en-01.gold.json"),
    )
    .unwrap();
    run(Command::new(bin())
        .arg("extract")
        .arg(&hocr)
        .arg("-o")
        .arg(pred.join("en-01.json")));
    let doc: serde_json::Value =
        serde_json::from_slice(&std::fs::read(pred.join("en-01.json")).unwrap()).unwrap();
    assert_eq!(doc["source"]["format"], "hocr");
    // The words' confidences reach the paragraphs.
    assert!(
        doc["articles"][0]["body"][0]["confidence"].is_number(),
        "{doc}"
    );
    let r = eval_report(&gold, &pred);
    let f1 = r["article_f1"].as_f64().expect("F1");
    let cer = r["body_cer"].as_f64().expect("CER");
    // Measured 1.000 and 1.6% when written.
    assert!(f1 >= 0.95, "article F1 {f1}");
    assert!(cer <= 0.04, "body CER {cer}");
}
