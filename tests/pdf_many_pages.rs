//! Long PDFs: a 500-page PDF runs in bounded memory (the pipeline keeps
//! each page's articles, not its glyphs, so the peak memory of a 500-page
//! run stays near that of a 50-page run of the same pages); the pages of
//! one PDF run in parallel and give the same document, in page order, with
//! one thread or two; and a 1,000-page PDF whose streams are most of the
//! file runs under a memory limit that holding its streams twice would
//! pass (the stream data stays in the file's bytes until a page needs it).
//! The PDFs are generated here: three columns of body text under a
//! headline per page (with lopdf, and written object by object for the
//! 1,000-page one).

mod common;

use std::io::Write;
use std::path::Path;

use common::{bin, code, run_measured, stderr};
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
        let content = page_text(n);
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

/// Page `n`'s content: a headline and three columns of 60 lines.
fn page_text(n: usize) -> String {
    let mut content = format!("BT /F2 22 Tf 1 0 0 1 54 730 Tm (Council report number {n}) Tj ET\n");
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
    content
}

/// Writes a PDF of `pages` pages of [`page_text`], each also showing a
/// picture of `image_bytes` bytes of uncompressed gray samples, small in a
/// corner: the text layer is what is read, the picture's data is never
/// decoded. Written object by object, so that this test process stays
/// small: a child started from it begins with its parent's peak memory,
/// which the other tests' measurements would otherwise include.
fn write_pages_with_images(path: &Path, pages: usize, image_bytes: usize) -> u64 {
    let mut out = PdfWriter {
        out: std::io::BufWriter::new(std::fs::File::create(path).expect("create")),
        offset: 0,
        offsets: Vec::new(),
    };
    out.raw(b"%PDF-1.5\n");
    // 1 catalog, 2 page tree, 3 and 4 fonts, then image, content and page
    // of each page.
    let kids: Vec<String> = (0..pages).map(|i| format!("{} 0 R", 7 + 3 * i)).collect();
    out.object(&[b"<< /Type /Catalog /Pages 2 0 R >>"]);
    let tree = format!(
        "<< /Type /Pages /Kids [{}] /Count {pages} >>",
        kids.join(" ")
    );
    out.object(&[tree.as_bytes()]);
    out.object(&[b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>"]);
    out.object(&[b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica-Bold >>"]);
    let rows = image_bytes.div_ceil(100);
    for n in 1..=pages {
        let samples: Vec<u8> = (0..100 * rows).map(|i| (i * 7 + n) as u8).collect();
        let dict = format!(
            "<< /Type /XObject /Subtype /Image /Width 100 /Height {rows} /ColorSpace /DeviceGray \
             /BitsPerComponent 8 /Length {} >>\nstream\n",
            samples.len()
        );
        out.object(&[dict.as_bytes(), &samples, b"\nendstream"]);
        let content = page_text(n) + "q 40 0 0 40 560 740 cm /Im1 Do Q\n";
        let dict = format!("<< /Length {} >>\nstream\n", content.len());
        out.object(&[dict.as_bytes(), content.as_bytes(), b"\nendstream"]);
        let page = format!(
            "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents {} 0 R \
             /Resources << /Font << /F1 3 0 R /F2 4 0 R >> /XObject << /Im1 {} 0 R >> >> >>",
            3 + 3 * n,
            2 + 3 * n
        );
        out.object(&[page.as_bytes()]);
    }
    let count = out.offsets.len() + 1;
    let mut xref = format!("xref\n0 {count}\n0000000000 65535 f \n");
    for o in &out.offsets {
        xref.push_str(&format!("{o:010} 00000 n \n"));
    }
    let start = out.offset;
    xref.push_str(&format!(
        "trailer\n<< /Size {count} /Root 1 0 R >>\nstartxref\n{start}\n%%EOF\n"
    ));
    out.raw(xref.as_bytes());
    out.out.flush().expect("flush");
    out.offset
}

/// Writes numbered objects, noting their offsets for the xref table.
struct PdfWriter {
    out: std::io::BufWriter<std::fs::File>,
    offset: u64,
    offsets: Vec<u64>,
}

impl PdfWriter {
    fn raw(&mut self, bytes: &[u8]) {
        self.out.write_all(bytes).expect("write");
        self.offset += bytes.len() as u64;
    }

    /// The next object (numbered from 1), its body in parts.
    fn object(&mut self, body: &[&[u8]]) {
        self.offsets.push(self.offset);
        let head = format!("{} 0 obj\n", self.offsets.len());
        self.raw(head.as_bytes());
        for part in body {
            self.raw(part);
        }
        self.raw(b"\nendobj\n");
    }
}

/// Runs `extract` on the file; returns its peak resident set (KiB), read
/// from this child's own resource usage: the other tests of this file run
/// children at the same time.
fn extract(input: &Path, output: &Path) -> i64 {
    let (code, peak_kb, err) = run_measured(
        bin()
            .args(["extract", "-j", "1"])
            .arg(input)
            .arg("-o")
            .arg(output),
    );
    assert_eq!(code, 0, "{}: {err}", input.display());
    peak_kb as i64
}

#[test]
fn five_hundred_pages_run_in_bounded_memory() {
    let dir = tempfile::tempdir().expect("tempdir");
    let small = dir.path().join("pages-50.pdf");
    let large = dir.path().join("pages-500.pdf");
    std::fs::write(&small, many_pages(50)).expect("write");
    std::fs::write(&large, many_pages(500)).expect("write");
    let peak_50 = extract(&small, &dir.path().join("out-50.json"));
    let peak_500 = extract(&large, &dir.path().join("out-500.json"));
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
    eprintln!("peak RSS: 50 pages {peak_50} KiB, 500 pages {peak_500} KiB");
    assert!(
        peak_500 <= peak_50 * 2 + 64 * 1024,
        "500 pages peaked at {peak_500} KiB against {peak_50} KiB for 50"
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
    let size = write_pages_with_images(&input, 1000, 120_000);
    assert_eq!(std::fs::metadata(&input).expect("written").len(), size);
    assert!(size > 120_000_000, "{size} bytes");
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
