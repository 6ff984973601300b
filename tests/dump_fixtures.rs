//! The generated text-dump fixtures (`fixtures/dump/`, made by
//! `scripts/gen-dump-fixtures` from article texts we wrote) run through
//! `newsclip extract`, and `newsclip eval` must give their gold back.
//!
//! The thresholds sit a little under what the pipeline reaches today (see
//! the issue notes and README), so a regression fails the test while a
//! layout the rules cannot resolve does not make it flaky. Every output is
//! also checked against the published JSON schema.

mod common;
use common::eval_report;

use std::path::{Path, PathBuf};
use std::process::Command;

fn bin() -> &'static str {
    env!("CARGO_BIN_EXE_newsclip")
}

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn extract_all(out: &Path) {
    let status = Command::new(bin())
        .arg("extract")
        .arg(root().join("fixtures/dump"))
        .arg("-o")
        .arg(out)
        .arg("--quiet")
        .status()
        .expect("run newsclip extract");
    assert!(status.success(), "extract failed: {status}");
}

fn num(v: &serde_json::Value, path: &[&str]) -> f64 {
    let mut cur = v;
    for p in path {
        cur = &cur[*p];
    }
    cur.as_f64()
        .unwrap_or_else(|| panic!("no number at {path:?} in {v}"))
}

#[test]
fn generated_pages_come_back_as_their_gold() {
    let tmp = tempfile::tempdir().expect("temp dir");
    extract_all(tmp.path());
    let report = eval_report(&root().join("fixtures/dump"), tmp.path());
    let gold_articles = num(&report, &["gold_articles"]);
    assert!(
        gold_articles >= 100.0,
        "too few fixture articles: {gold_articles}"
    );
    let checks: [(&[&str], f64, bool); 9] = [
        (&["article_f1"], 0.97, true),
        (&["article_recall"], 0.97, true),
        (&["body_cer"], 0.01, false),
        (&["page_cer"], 0.01, false),
        (&["headline", "accuracy"], 0.95, true),
        (&["byline", "accuracy"], 0.97, true),
        (&["dateline", "accuracy"], 0.97, true),
        (&["source_tag", "accuracy"], 0.97, true),
        (&["paragraph_f1"], 0.97, true),
    ];
    let mut failures = Vec::new();
    for (path, bound, at_least) in checks {
        let value = num(&report, path);
        let ok = if at_least {
            value >= bound
        } else {
            value <= bound
        };
        if !ok {
            failures.push(format!("{path:?} = {value:.4} (bound {bound})"));
        }
    }
    assert_eq!(
        num(&report, &["cjk_spaces_spurious"]),
        0.0,
        "spurious spaces inside CJK text"
    );
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn every_output_follows_the_schema() {
    let tmp = tempfile::tempdir().expect("temp dir");
    extract_all(tmp.path());
    let schema: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(root().join("schema/newsclip.schema.json")).expect("schema"),
    )
    .expect("schema is JSON");
    let validator = jsonschema::validator_for(&schema).expect("schema compiles");
    let mut checked = 0;
    for entry in std::fs::read_dir(tmp.path()).expect("outputs") {
        let path = entry.expect("entry").path();
        // The run journal (.jsonl) sits beside the documents.
        if path.extension().is_none_or(|e| e != "json") {
            continue;
        }
        let doc: serde_json::Value =
            serde_json::from_slice(&std::fs::read(&path).expect("read")).expect("JSON");
        let errors: Vec<String> = validator
            .iter_errors(&doc)
            .map(|e| format!("{} at {}", e, e.instance_path()))
            .collect();
        assert!(errors.is_empty(), "{}: {errors:?}", path.display());
        checked += 1;
    }
    assert!(checked >= 24, "only {checked} outputs checked");
    // The gold files follow the schema too: they are the contract's examples.
    for entry in std::fs::read_dir(root().join("fixtures/dump")).expect("fixtures") {
        let path = entry.expect("entry").path();
        if path.to_string_lossy().ends_with(".gold.json") {
            let doc: serde_json::Value =
                serde_json::from_slice(&std::fs::read(&path).expect("read")).expect("JSON");
            assert!(
                validator.is_valid(&doc),
                "{} does not follow the schema",
                path.display()
            );
        }
    }
}

#[test]
fn a_broken_prediction_scores_lower() {
    // The scorer must see damage: drop an article and split a paragraph in
    // one prediction and check recall and paragraph precision fall.
    let tmp = tempfile::tempdir().expect("temp dir");
    extract_all(tmp.path());
    let gold = root().join("fixtures/dump/zh-01.gold.json");
    let pred_path = tmp.path().join("zh-01.txt.json");
    let clean = eval_report(&gold, &pred_path);
    let mut doc: serde_json::Value =
        serde_json::from_slice(&std::fs::read(&pred_path).expect("read")).expect("JSON");
    let articles = doc["articles"].as_array_mut().expect("articles");
    articles.pop();
    let body = articles[0]["body"].as_array_mut().expect("body");
    let text = body[0]["text"].as_str().expect("text").to_string();
    let cut = text
        .char_indices()
        .nth(text.chars().count() / 2)
        .map(|(i, _)| i)
        .expect("middle");
    body[0]["text"] = text[..cut].into();
    body.insert(
        1,
        serde_json::json!({"kind": "paragraph", "text": &text[cut..]}),
    );
    let damaged = tmp.path().join("damaged.json");
    std::fs::write(&damaged, serde_json::to_vec(&doc).expect("json")).expect("write");
    let worse = eval_report(&gold, &damaged);
    assert!(num(&worse, &["article_recall"]) < num(&clean, &["article_recall"]));
    assert!(num(&worse, &["paragraph_precision"]) < num(&clean, &["paragraph_precision"]));
}

/// In a gold folder that also holds other JSON (a fixture's
/// `NAME.jumps.json`), only the `*.gold.json` files are gold.
#[test]
fn eval_pairs_only_gold_files_where_there_are_some() {
    let gold = tempfile::tempdir().expect("temp dir");
    let pred = tempfile::tempdir().expect("temp dir");
    let doc = std::fs::read(root().join("fixtures/dump/en-02.gold.json")).expect("fixture");
    std::fs::write(gold.path().join("en-02.gold.json"), &doc).unwrap();
    std::fs::write(gold.path().join("en-02.jumps.json"), b"[]").unwrap();
    std::fs::write(pred.path().join("en-02.json"), &doc).unwrap();
    let report = eval_report(gold.path(), pred.path());
    assert_eq!(num(&report, &["documents"]), 1.0, "{report}");
    assert_eq!(num(&report, &["article_f1"]), 1.0, "{report}");
}
