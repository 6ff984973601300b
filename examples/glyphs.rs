//! Prints the glyphs of one PDF page (for debugging layout):
//! `cargo run --release --example glyphs -- FILE PAGE [FILTER | --graphics]`.
fn main() {
    let args: Vec<String> = std::env::args().collect();
    if args.len() < 3 {
        eprintln!("usage: glyphs FILE PAGE [FILTER]");
        std::process::exit(2);
    }
    let bytes = std::fs::read(&args[1]).expect("read");
    let doc = newsclip::extract::pdf::PdfDocument::open(&bytes).expect("open");
    let page = doc
        .page(args[2].parse().expect("page number"))
        .expect("page");
    let filter = args.get(3).cloned().unwrap_or_default();
    if filter == "--graphics" {
        for i in &page.images {
            println!("image {:?} {}", i.bbox, i.name);
        }
        for r in &page.rules {
            println!("rule {r:?}");
        }
        for b in &page.boxes {
            println!("box {b:?}");
        }
        return;
    }
    let text: String = page.glyphs.iter().map(|g| g.text.as_str()).collect();
    let start = if filter.is_empty() {
        Some(0)
    } else {
        text.find(&filter)
    };
    let Some(start) = start else { return };
    let mut offset = 0;
    for g in &page.glyphs {
        if offset >= start && offset < start + filter.len().max(200) {
            println!(
                "{:?} x0={:.2} x1={:.2} y={:.2} size={:.2} font={} inv={}",
                g.text, g.bbox.x0, g.bbox.x1, g.origin.1, g.font_size, g.font, g.invisible
            );
        }
        offset += g.text.len();
    }
}
