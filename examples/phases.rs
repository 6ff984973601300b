//! Times each phase of the dump path on one file (for profiling):
//! `cargo run --release --example phases -- FILE`.
use std::time::Instant;

fn main() {
    let Some(path) = std::env::args().nth(1) else {
        eprintln!("usage: phases FILE");
        std::process::exit(2);
    };
    let t = Instant::now();
    let bytes = std::fs::read(&path).expect("read");
    eprintln!("read     {:?}", t.elapsed());
    let t = Instant::now();
    let d = newsclip::extract::decode::decode(&bytes, None).expect("decode");
    eprintln!("decode   {:?}", t.elapsed());
    let t = Instant::now();
    let doc = newsclip::pipeline::process_dump_text(&d.text, &path).expect("pipeline");
    eprintln!(
        "pipeline {:?} ({} articles)",
        t.elapsed(),
        doc.articles.len()
    );
    let t = Instant::now();
    newsclip::output::write_document(&mut std::io::sink(), &doc, newsclip::output::Format::Json)
        .expect("json");
    eprintln!("json     {:?}", t.elapsed());
    let t = Instant::now();
    drop(doc);
    eprintln!("drop     {:?}", t.elapsed());
}
