//! Helpers shared by the tests that run the binary (the OCR tests, the
//! hOCR and dump tests): the binary, its exit code without a panic, the
//! PDF fixtures rasterised with `pdftoppm`, their gold, and `newsclip eval`
//! as JSON. Each test crate
//! compiles this module on its own and uses part of it.
#![allow(dead_code)]

use std::fs;
use std::io::Read;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

use lopdf::{dictionary, Document as PdfDoc, Object, Stream};
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

/// A scanned page as a one-page PDF: `image` (an image XObject) drawn over
/// the whole `width_pt` × `height_pt` page, under an invisible text layer
/// (render mode 3) when `hidden` is given.
pub fn scanned_pdf(image: Stream, width_pt: f32, height_pt: f32, hidden: Option<&str>) -> Vec<u8> {
    let mut doc = PdfDoc::with_version("1.5");
    let pages_id = doc.new_object_id();
    let im = doc.add_object(image);
    let font = doc.add_object(dictionary! {
        "Type" => "Font",
        "Subtype" => "Type1",
        "BaseFont" => "Helvetica",
    });
    let mut content = format!("q {width_pt} 0 0 {height_pt} 0 0 cm /Im0 Do Q");
    if let Some(text) = hidden {
        content.push_str(&format!(
            " BT 3 Tr /F1 12 Tf 40 {} Td ({text}) Tj ET",
            height_pt - 100.0
        ));
    }
    let content_id = doc.add_object(Stream::new(dictionary! {}, content.into_bytes()));
    let page = doc.add_object(dictionary! {
        "Type" => "Page",
        "Parent" => pages_id,
        "MediaBox" => vec![0.into(), 0.into(), Object::Real(width_pt), Object::Real(height_pt)],
        "Contents" => content_id,
        "Resources" => dictionary! {
            "XObject" => dictionary! { "Im0" => im },
            "Font" => dictionary! { "F1" => font },
        },
    });
    doc.objects.insert(
        pages_id,
        Object::Dictionary(dictionary! {
            "Type" => "Pages",
            "Kids" => vec![page.into()],
            "Count" => 1,
        }),
    );
    let catalog = doc.add_object(dictionary! { "Type" => "Catalog", "Pages" => pages_id });
    doc.trailer.set("Root", catalog);
    let mut out = Vec::new();
    doc.save_to(&mut out).expect("save PDF");
    out
}

/// An image XObject of `width` × `height` samples: `data` as stored,
/// encoded with `filter` when given (8-bit gray unless the codec carries
/// its own colour space).
pub fn image_xobject(width: u32, height: u32, filter: Option<&str>, data: Vec<u8>) -> Stream {
    let mut dict = dictionary! {
        "Type" => "XObject",
        "Subtype" => "Image",
        "Width" => width as i64,
        "Height" => height as i64,
        "BitsPerComponent" => 8,
    };
    if filter != Some("JPXDecode") {
        dict.set("ColorSpace", "DeviceGray");
    }
    if let Some(f) = filter {
        dict.set("Filter", Object::Name(f.as_bytes().to_vec()));
    }
    Stream::new(dict, data)
}

/// Exit code, peak resident memory (kB) and standard error of `cmd`,
/// waited for with `wait4` so that the child's own peak is read (not
/// `RUSAGE_CHILDREN`, which counts every child of the test process) (which is why clippy's
/// `Child::wait` is not used: it would reap the child without its usage).
#[allow(clippy::zombie_processes)]
pub fn run_measured(cmd: &mut Command) -> (i32, u64, String) {
    let mut child = cmd
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .expect("start newsclip");
    let mut err = child.stderr.take().unwrap();
    let reader = std::thread::spawn(move || {
        let mut s = String::new();
        let _ = err.read_to_string(&mut s);
        s
    });
    let mut status = 0;
    // SAFETY: an all-zero rusage is a valid value for wait4 to fill.
    let mut usage: libc::rusage = unsafe { std::mem::zeroed() };
    // SAFETY: waits for our own child, writing into the two locals.
    let pid = unsafe { libc::wait4(child.id() as i32, &mut status, 0, &mut usage) };
    assert_eq!(pid, child.id() as i32, "wait4");
    let text = reader.join().unwrap();
    assert!(libc::WIFEXITED(status), "killed: {text}");
    let code = libc::WEXITSTATUS(status);
    assert_ne!(code, 101, "panicked: {text}");
    (code, usage.ru_maxrss as u64, text)
}
