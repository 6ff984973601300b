//! Helpers shared by the tests that run the binary (the OCR tests, the
//! hOCR and dump tests): the binary, its exit code without a panic, the
//! PDF fixtures rasterised with `pdftoppm`, their gold, and `newsclip eval`
//! as JSON. Each test crate
//! compiles this module on its own and uses part of it.
#![allow(dead_code)]

use std::fs;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use newsclip::model::Document;

pub fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

pub fn bin() -> Command {
    Command::new(env!("CARGO_BIN_EXE_newsclip"))
}

pub fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

/// Exit code of a run that must not have panicked (Rust panics exit 101).
pub fn code(o: &Output) -> i32 {
    let c = o.status.code().expect("exited");
    assert_ne!(c, 101, "panicked: {}", stderr(o));
    c
}

/// How `rasterise` renders a page.
#[derive(Clone, Copy)]
pub enum Colour {
    Rgb,
    Gray,
}

/// `fixtures/pdf/NAME.pdf` page 1 at 300 dpi as a PNG in `dir`.
pub fn rasterise(name: &str, dir: &Path, colour: Colour) -> PathBuf {
    let pdf = root().join(format!("fixtures/pdf/{name}.pdf"));
    let stem = dir.join(name);
    let mut cmd = Command::new("pdftoppm");
    cmd.args(["-r", "300"]);
    if let Colour::Gray = colour {
        cmd.arg("-gray");
    }
    let out = cmd
        .args(["-png", "-singlefile"])
        .arg(&pdf)
        .arg(&stem)
        .output()
        .expect("pdftoppm (poppler-utils) is installed");
    assert!(out.status.success(), "pdftoppm: {}", stderr(&out));
    stem.with_extension("png")
}

pub fn gold(name: &str) -> Document {
    let p = root().join(format!("fixtures/pdf/{name}.gold.json"));
    serde_json::from_slice(&fs::read(&p).expect("gold")).expect("gold JSON")
}

pub fn load(p: &Path) -> Document {
    serde_json::from_slice(&fs::read(p).unwrap_or_else(|e| panic!("{}: {e}", p.display())))
        .expect("newsclip JSON")
}

/// `newsclip eval GOLD PRED --json`: the report, asserting the run worked.
pub fn eval_report(gold: &Path, pred: &Path) -> serde_json::Value {
    let out = bin()
        .arg("eval")
        .arg(gold)
        .arg(pred)
        .arg("--json")
        .output()
        .expect("run newsclip eval");
    assert!(
        out.status.success(),
        "eval failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).expect("eval prints JSON")
}
