//! Prints the blocks of a page in reading order with their boxes, role,
//! line count and type size (for debugging layout):
//! `cargo run --release --example blocks -- FILE PAGE`. FILE is a PDF (its
//! text layer) or an image (read by OCR with the default options).
fn main() {
    let args: Vec<String> = std::env::args().collect();
    if args.len() < 3 {
        eprintln!("usage: blocks FILE PAGE");
        std::process::exit(2);
    }
    let bytes = std::fs::read(&args[1]).expect("read");
    let pages = if newsclip::pipeline::is_pdf(&bytes) {
        newsclip::pipeline::pdf_layout(&bytes).expect("layout")
    } else {
        let options = newsclip::extract::ocr::OcrOptions::default();
        newsclip::pipeline::image_layout(&bytes, &options).expect("layout")
    };
    let n: usize = args[2].parse().expect("page");
    let Some(page) = pages.get(n.saturating_sub(1)) else {
        return;
    };
    for (i, b) in page.blocks.iter().enumerate() {
        let bb = b.bbox.expect("box");
        let first: String = b.lines[0].text.chars().take(16).collect();
        println!(
            "b{i:<3} {:>6.1} {:>6.1} {:>6.1} {:>6.1} {:?} lines={} size={:.1} unit={} {first}",
            bb.x0,
            bb.y0,
            bb.x1,
            bb.y1,
            b.lines[0].role,
            b.lines.len(),
            b.lines[0].font_size.unwrap_or(0.0),
            b.starts_unit
        );
    }
}
