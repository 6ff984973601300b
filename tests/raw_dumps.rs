//! Reading-order dumps: `pdftotext -raw` of the born-digital pages in
//! `fixtures/pdf/`, made at test time, run through `newsclip extract` as
//! text dumps and scored against the pages' gold. Such dumps have no blank
//! line between articles and cut justified CJK lines into pieces, so the
//! article boundaries come from the lines' shape and wording alone.
//!
//! Skipped, with a note, where `pdftotext` is not installed.

mod common;

use std::path::PathBuf;
use std::process::Command;

/// Article F1 bound, a little under the 0.866 measured last (0.780 when the
/// test was written), so that a regression fails but a small change in
/// pdftotext's output does not.
const MIN_ARTICLE_F1: f64 = 0.84;

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

#[test]
fn raw_dumps_of_pdf_fixtures_split_into_articles() {
    if Command::new("pdftotext").arg("-v").output().is_err() {
        eprintln!("pdftotext not found: skipping the raw-dump test");
        return;
    }
    let src = root().join("fixtures/pdf");
    let dir = tempfile::tempdir().expect("temp dir");
    let mut pages = 0;
    let mut entries: Vec<PathBuf> = std::fs::read_dir(&src)
        .expect("fixtures/pdf")
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|x| x == "pdf"))
        .collect();
    entries.sort();
    for pdf in entries {
        let stem = pdf
            .file_stem()
            .and_then(|s| s.to_str())
            .expect("file name")
            .to_string();
        let gold = src.join(format!("{stem}.gold.json"));
        if !gold.exists() {
            continue;
        }
        let txt = dir.path().join(format!("{stem}.txt"));
        let status = Command::new("pdftotext")
            .arg("-raw")
            .arg(&pdf)
            .arg(&txt)
            .status()
            .expect("run pdftotext");
        assert!(
            status.success(),
            "pdftotext -raw {}: {status}",
            pdf.display()
        );
        std::fs::copy(&gold, dir.path().join(format!("{stem}.gold.json"))).expect("copy gold");
        pages += 1;
    }
    assert!(pages >= 10, "too few PDF fixtures: {pages}");
    let pred = dir.path().join("pred");
    let status = Command::new(env!("CARGO_BIN_EXE_newsclip"))
        .arg("extract")
        .arg(dir.path())
        .arg("-o")
        .arg(&pred)
        .arg("--quiet")
        .status()
        .expect("run newsclip extract");
    assert!(status.success(), "extract failed: {status}");
    let report = common::eval_report(dir.path(), &pred);
    let f1 = report["article_f1"].as_f64().expect("article_f1");
    eprintln!("raw dumps: {pages} pages, article F1 {f1:.3}");
    assert!(
        f1 >= MIN_ARTICLE_F1,
        "article F1 {f1:.3} < {MIN_ARTICLE_F1} on pdftotext -raw dumps"
    );
}
