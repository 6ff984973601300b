//! Runs the PP-OCR engine alone on image files, as RapidOCR runs (no
//! newsclip preprocessing), and prints one JSON object per image: its
//! text lines in reading order with scores, and the seconds taken
//! (model loading excluded). Used by `scripts/ppocr-compare`:
//! `cargo run --release --example ppocr_lines -- IMAGE...`
//! (`NEWSCLIP_PPOCR_DIR` or the default folder must hold the engine).
use std::time::Instant;

fn main() {
    let paths: Vec<String> = std::env::args().skip(1).collect();
    if paths.is_empty() {
        eprintln!("usage: ppocr_lines IMAGE...");
        std::process::exit(2);
    }
    let dir = newsclip::extract::ocr::ppocr::ppocr_dir();
    let mut engine = match newsclip::extract::ocr::ppocr::PpOcr::load(&dir) {
        Ok(e) => e,
        Err(e) => {
            eprintln!("ppocr_lines: {e}");
            std::process::exit(1);
        }
    };
    for path in paths {
        let image = match image::open(&path) {
            Ok(i) => i.to_luma8(),
            Err(e) => {
                eprintln!("ppocr_lines: {path}: {e}");
                continue;
            }
        };
        let start = Instant::now();
        let lines = match engine.read_lines(&image) {
            Ok(l) => l,
            Err(e) => {
                eprintln!("ppocr_lines: {path}: {e}");
                continue;
            }
        };
        let seconds = start.elapsed().as_secs_f64();
        let lines: Vec<serde_json::Value> = lines
            .iter()
            .map(|l| serde_json::json!({"text": l.text, "score": l.score, "box": l.quad}))
            .collect();
        println!(
            "{}",
            serde_json::json!({"path": path, "seconds": seconds, "lines": lines})
        );
    }
}
