//! The layout-family fixtures (`fixtures/families/`, made by
//! `scripts/gen-layout-families --fixtures`: two pages per DEVELOPMENT
//! family, each as a PDF and as its `pdftotext -raw` dump): every gold file
//! follows the schema and reads as a document, every input processes into a
//! valid document, and the article figures stay above floors.
//!
//! The floors are regression guards set below the figures measured when the
//! fixtures were made (PDF: article F1 0.909; dump: 0.464): raise them as
//! the article finding improves. Held-out families are never committed and
//! never tested here (`scripts/eval-families` reports them).

use std::path::{Path, PathBuf};

use newsclip::model::Document;
use newsclip::pipeline::{process_bytes, Options};

fn dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("fixtures/families")
}

/// (input, gold) pairs of one input kind: `.pdf` or `.raw.txt`.
fn pairs(suffix: &str) -> Vec<(PathBuf, PathBuf)> {
    let mut v: Vec<(PathBuf, PathBuf)> = std::fs::read_dir(dir())
        .expect("fixtures/families")
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter_map(|p| {
            let name = p.file_name()?.to_str()?.to_string();
            let stem = name.strip_suffix(suffix)?;
            if stem.contains('.') {
                return None;
            }
            let gold_suffix = if suffix == ".pdf" {
                ".gold.json"
            } else {
                ".raw.gold.json"
            };
            Some((p.clone(), dir().join(format!("{stem}{gold_suffix}"))))
        })
        .collect();
    v.sort();
    v
}

fn run(path: &Path) -> Document {
    let bytes = std::fs::read(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    process_bytes(&bytes, &path.display().to_string(), &Options::default())
        .unwrap_or_else(|e| panic!("{e}"))
}

fn gold(path: &Path) -> (serde_json::Value, Document) {
    let bytes = std::fs::read(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    let value: serde_json::Value = serde_json::from_slice(&bytes).expect("gold JSON");
    let doc: Document = serde_json::from_slice(&bytes)
        .unwrap_or_else(|e| panic!("{}: not a document: {e}", path.display()));
    (value, doc)
}

fn validator() -> jsonschema::Validator {
    let schema: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(
            PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("schema/newsclip.schema.json"),
        )
        .expect("schema"),
    )
    .expect("schema is JSON");
    jsonschema::validator_for(&schema).expect("schema compiles")
}

#[test]
fn gold_and_output_follow_the_schema() {
    let v = validator();
    let mut n = 0;
    for suffix in [".pdf", ".raw.txt"] {
        for (input, gold_path) in pairs(suffix) {
            let (value, doc) = gold(&gold_path);
            let errors: Vec<String> = v.iter_errors(&value).map(|e| e.to_string()).collect();
            assert!(errors.is_empty(), "{}: {errors:?}", gold_path.display());
            assert!(!doc.articles.is_empty());
            let out = serde_json::to_value(run(&input)).expect("serialise");
            let errors: Vec<String> = v.iter_errors(&out).map(|e| e.to_string()).collect();
            assert!(errors.is_empty(), "{}: {errors:?}", input.display());
            n += 1;
        }
    }
    assert!(
        n >= 16,
        "expected 8 pages as PDF and as dump, found {n} inputs"
    );
}

fn score(suffix: &str) -> newsclip::eval::Report {
    let docs: Vec<(Document, Document)> = pairs(suffix)
        .iter()
        .map(|(input, g)| (gold(g).1, run(input)))
        .collect();
    let report = newsclip::eval::evaluate_many(&docs);
    eprintln!("{suffix}:\n{}", report.to_table());
    report
}

#[test]
fn articles_are_found_on_the_family_pages() {
    let pdf = score(".pdf");
    assert!(
        pdf.article_f1 >= 0.85,
        "PDF article F1 {:.3}",
        pdf.article_f1
    );
    assert!(pdf.body_cer <= 0.05, "PDF body CER {:.4}", pdf.body_cer);
    let dump = score(".raw.txt");
    assert!(
        dump.article_f1 >= 0.40,
        "dump article F1 {:.3}",
        dump.article_f1
    );
}
