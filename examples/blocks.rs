//! Prints the blocks of a PDF page in reading order with their boxes
//! (for debugging layout): `cargo run --release --example blocks -- FILE PAGE`.
fn main() {
    let args: Vec<String> = std::env::args().collect();
    if args.len() < 3 {
        eprintln!("usage: blocks FILE PAGE");
        std::process::exit(2);
    }
    let bytes = std::fs::read(&args[1]).expect("read");
    let pages = newsclip::pipeline::pdf_layout(&bytes).expect("layout");
    let n: usize = args[2].parse().expect("page");
    let Some(page) = pages.get(n.saturating_sub(1)) else {
        return;
    };
    for (i, b) in page.blocks.iter().enumerate() {
        let bb = b.bbox.expect("box");
        let first: String = b.lines[0].text.chars().take(16).collect();
        println!(
            "b{i:<3} {:>6.1} {:>6.1} {:>6.1} {:>6.1} {:?} lines={} size={:.1} {first}",
            bb.x0,
            bb.y0,
            bb.x1,
            bb.y1,
            b.lines[0].role,
            b.lines.len(),
            b.lines[0].font_size.unwrap_or(0.0)
        );
    }
}
