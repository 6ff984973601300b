//! A 500-page PDF runs in bounded memory: the pipeline reads, lays out and
//! splits one page at a time, so the peak memory of a 500-page run stays
//! near that of a 50-page run of the same pages. The PDFs are generated
//! here with lopdf: three columns of body text under a headline per page.

use std::path::Path;
use std::process::Command;

use lopdf::{dictionary, Document, Object, Stream};

/// A PDF of `pages` letter pages, each with a headline and three columns of
/// 60 lines of text in Helvetica.
fn many_pages(pages: usize) -> Vec<u8> {
    let mut doc = Document::with_version("1.5");
    let pages_id = doc.new_object_id();
    let font = doc.add_object(dictionary! {
        "Type" => "Font", "Subtype" => "Type1", "BaseFont" => "Helvetica",
    });
    let bold = doc.add_object(dictionary! {
        "Type" => "Font", "Subtype" => "Type1", "BaseFont" => "Helvetica-Bold",
    });
    let mut kids = Vec::with_capacity(pages);
    for n in 1..=pages {
        let mut content =
            format!("BT /F2 22 Tf 1 0 0 1 54 730 Tm (Council report number {n}) Tj ET\n");
        for col in 0..3 {
            let x = 54 + col * 174;
            content.push_str(&format!("BT /F1 9 Tf 11 TL 1 0 0 1 {x} 690 Tm\n"));
            for line in 0..60 {
                content.push_str(&format!(
                    "(page {n} column {col} line {line} of the minutes) '\n"
                ));
            }
            content.push_str("ET\n");
        }
        content.push_str(&format!("BT /F1 9 Tf 1 0 0 1 300 30 Tm ({n}) Tj ET\n"));
        let stream = doc.add_object(Stream::new(dictionary! {}, content.into_bytes()));
        let page = doc.add_object(dictionary! {
            "Type" => "Page",
            "Parent" => pages_id,
            "MediaBox" => vec![0.into(), 0.into(), 612.into(), 792.into()],
            "Contents" => stream,
            "Resources" => dictionary! { "Font" => dictionary! { "F1" => font, "F2" => bold } },
        });
        kids.push(Object::Reference(page));
    }
    doc.objects.insert(
        pages_id,
        Object::Dictionary(dictionary! {
            "Type" => "Pages", "Kids" => kids, "Count" => pages as i64,
        }),
    );
    let catalog = doc.add_object(dictionary! { "Type" => "Catalog", "Pages" => pages_id });
    doc.trailer.set("Root", catalog);
    let mut bytes = Vec::new();
    doc.save_to(&mut bytes).expect("save");
    bytes
}

/// Runs `extract` on the file; returns the largest peak resident set (KiB)
/// of any child this test process has waited for so far.
fn extract(input: &Path, output: &Path) -> i64 {
    let status = Command::new(env!("CARGO_BIN_EXE_newsclip"))
        .args(["extract", "-j", "1"])
        .arg(input)
        .arg("-o")
        .arg(output)
        .status()
        .expect("run newsclip");
    assert!(status.success(), "{}: {status}", input.display());
    // SAFETY: getrusage only writes into the struct we pass.
    let mut usage: libc::rusage = unsafe { std::mem::zeroed() };
    let rc = unsafe { libc::getrusage(libc::RUSAGE_CHILDREN, &mut usage) };
    assert_eq!(rc, 0);
    usage.ru_maxrss
}

#[test]
fn five_hundred_pages_run_in_bounded_memory() {
    let dir = tempfile::tempdir().expect("tempdir");
    let small = dir.path().join("pages-50.pdf");
    let large = dir.path().join("pages-500.pdf");
    std::fs::write(&small, many_pages(50)).expect("write");
    std::fs::write(&large, many_pages(500)).expect("write");
    let peak_50 = extract(&small, &dir.path().join("out-50.json"));
    let peak_max = extract(&large, &dir.path().join("out-500.json"));
    let out: serde_json::Value =
        serde_json::from_slice(&std::fs::read(dir.path().join("out-500.json")).expect("output"))
            .expect("JSON");
    let articles = out["articles"].as_array().expect("articles");
    let last_page = articles
        .iter()
        .filter_map(|a| a["page"].as_u64())
        .max()
        .unwrap_or(0);
    assert_eq!(last_page, 500, "every page processed");
    assert!(articles.len() >= 500, "{} articles", articles.len());
    // Ten times the pages may add the output it keeps (a few MB of text)
    // but not ten times the memory.
    eprintln!("peak RSS: 50 pages {peak_50} KiB, 500 pages at most {peak_max} KiB");
    assert!(
        peak_max <= peak_50 * 2 + 64 * 1024,
        "500 pages peaked at {peak_max} KiB against {peak_50} KiB for 50"
    );
}
