//! Long PDFs: a 500-page PDF runs in bounded memory (the pipeline keeps
//! each page's articles, not its glyphs, so the peak memory of a 500-page
//! run stays near that of a 50-page run of the same pages); the pages of
//! one PDF run in parallel and give the same document, in page order, with
//! one thread or two; and a 1,000-page PDF whose streams are most of the
//! file runs under a memory limit that holding its streams twice would
//! pass (the stream data stays in the file's bytes until a page needs it).
//! The PDFs are generated here with lopdf: three columns of body text under
//! a headline per page.

mod common;

use std::path::Path;
use std::process::Command;

use common::{bin, code, stderr};
use lopdf::{dictionary, Document, Object, Stream};

/// A PDF of `pages` letter pages, each with a headline and three columns of
/// 60 lines of text in Helvetica.
fn many_pages(pages: usize) -> Vec<u8> {
    pages_with_images(pages, 0)
}

/// [`many_pages`], each page also showing a picture of `image_bytes` bytes
/// of uncompressed gray samples (no image when 0). The picture is small on
/// the page, whose text layer is what is read: its data is never decoded.
fn pages_with_images(pages: usize, image_bytes: usize) -> Vec<u8> {
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
        let mut resources = dictionary! { "Font" => dictionary! { "F1" => font, "F2" => bold } };
        if image_bytes > 0 {
            // A gray picture 100 samples wide, in the top right corner.
            let rows = image_bytes.div_ceil(100);
            let samples: Vec<u8> = (0..100 * rows).map(|i| (i * 7 + n) as u8).collect();
            let image = doc.add_object(Stream::new(
                dictionary! {
                    "Type" => "XObject", "Subtype" => "Image",
                    "Width" => 100, "Height" => rows as i64,
                    "ColorSpace" => "DeviceGray", "BitsPerComponent" => 8,
                },
                samples,
            ));
            resources.set("XObject", dictionary! { "Im1" => image });
            content.push_str("q 40 0 0 40 560 740 cm /Im1 Do Q\n");
        }
        let stream = doc.add_object(Stream::new(dictionary! {}, content.into_bytes()));
        let page = doc.add_object(dictionary! {
            "Type" => "Page",
            "Parent" => pages_id,
            "MediaBox" => vec![0.into(), 0.into(), 612.into(), 792.into()],
            "Contents" => stream,
            "Resources" => resources,
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

/// `extract -j JOBS` of one file to JSON (any further flags appended).
fn extract_json(input: &Path, output: &Path, jobs: &str, flags: &[&str]) -> serde_json::Value {
    let o = bin()
        .args(["extract", "-q", "-j", jobs])
        .args(flags)
        .arg(input)
        .arg("-o")
        .arg(output)
        .output()
        .expect("run newsclip");
    assert_eq!(code(&o), 0, "{}: {}", input.display(), stderr(&o));
    serde_json::from_slice(&std::fs::read(output).expect("output")).expect("JSON")
}

/// The page of the article whose headline is page `n`'s, for every page,
/// in the order the articles come.
fn headline_pages(doc: &serde_json::Value) -> Vec<(u64, u64)> {
    doc["articles"]
        .as_array()
        .expect("articles")
        .iter()
        .filter_map(|a| {
            let headline = a["headline"].as_str()?;
            let n: u64 = headline
                .strip_prefix("Council report number ")?
                .parse()
                .ok()?;
            Some((n, a["page"].as_u64()?))
        })
        .collect()
}

#[test]
fn pages_in_parallel_give_the_same_document_in_page_order() {
    let dir = tempfile::tempdir().expect("tempdir");
    let input = dir.path().join("pages-120.pdf");
    std::fs::write(&input, many_pages(120)).expect("write");
    let one = extract_json(&input, &dir.path().join("j1.json"), "1", &[]);
    let two = extract_json(&input, &dir.path().join("j2.json"), "2", &[]);
    assert!(one == two, "-j 1 and -j 2 give different documents");
    // Page n's headline is on page n, and the pages come in order.
    let found = headline_pages(&two);
    let expected: Vec<(u64, u64)> = (1..=120).map(|n| (n, n)).collect();
    assert_eq!(found, expected);
    let pages: Vec<u64> = two["articles"]
        .as_array()
        .expect("articles")
        .iter()
        .filter_map(|a| a["page"].as_u64())
        .collect();
    assert!(pages.windows(2).all(|w| w[0] <= w[1]), "{pages:?}");
    let listed: Vec<u64> = two["pages"]
        .as_array()
        .expect("pages")
        .iter()
        .filter_map(|p| p["number"].as_u64())
        .collect();
    assert_eq!(listed, (1..=120).collect::<Vec<u64>>());
}

/// The address-space limit (`--max-memory`, MB) of the 1,000-page run.
/// Measured on its 129 MB file: the run needs between 200 and 230 MB of
/// address space when stream data stays in the file's bytes, and between
/// 280 and 300 MB when the loaded document keeps a copy of every stream.
const MEMORY_LIMIT_MB: &str = "260";

#[test]
fn a_thousand_pages_of_heavy_streams_run_under_a_memory_limit() {
    // 1,000 pages with a 120 KB picture each: a 129 MB file whose stream
    // data is almost all of it. The limit leaves room for the file's bytes
    // (the program reads its input whole), the object dictionaries, the
    // pages in flight and the program itself, not for a second copy of the
    // streams.
    let dir = tempfile::tempdir().expect("tempdir");
    let input = dir.path().join("pictures-1000.pdf");
    let bytes = pages_with_images(1000, 120_000);
    assert!(bytes.len() > 120_000_000, "{} bytes", bytes.len());
    std::fs::write(&input, bytes).expect("write");
    let doc = extract_json(
        &input,
        &dir.path().join("out.json"),
        "1",
        &["--max-memory", MEMORY_LIMIT_MB],
    );
    let found = headline_pages(&doc);
    assert_eq!(found, (1..=1000).map(|n| (n, n)).collect::<Vec<_>>());
    let failed: Vec<&serde_json::Value> = doc["warnings"]
        .as_array()
        .expect("warnings")
        .iter()
        .filter(|w| w["code"] == "page-failed")
        .collect();
    assert!(failed.is_empty(), "{failed:?}");
}
