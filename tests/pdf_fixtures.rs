//! The typeset PDF fixtures (`fixtures/pdf/`, made by
//! `scripts/gen-pdf-fixtures` with typst) and the LoC newsletter run
//! end to end: every page processes, every output follows the schema, every
//! box lies on its page, and no space is put inside CJK text; the article
//! figures on the fixtures meet the PDF issue's bounds and the newsletter's
//! articles are all found in reading order.

use std::path::PathBuf;

use newsclip::model::{BodyKind, Document};
use newsclip::pipeline::{process_bytes, Options};

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn pdfs() -> Vec<PathBuf> {
    let mut v: Vec<PathBuf> = std::fs::read_dir(root().join("fixtures/pdf"))
        .expect("fixtures/pdf")
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|x| x == "pdf"))
        .collect();
    v.sort();
    v.push(root().join("../shared/corpus/en/loc-digital-preservation-newsletter-2013-06.pdf"));
    v
}

fn run(path: &PathBuf) -> Document {
    let bytes = std::fs::read(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    process_bytes(&bytes, &path.display().to_string(), &Options::default())
        .unwrap_or_else(|e| panic!("{e}"))
}

#[test]
fn every_page_processes_into_valid_documents() {
    let schema: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(root().join("schema/newsclip.schema.json")).expect("schema"),
    )
    .expect("schema is JSON");
    let validator = jsonschema::validator_for(&schema).expect("schema compiles");
    let files = pdfs();
    assert!(
        files.len() >= 15,
        "expected the 14 fixture pages and the newsletter"
    );
    for path in &files {
        let doc = run(path);
        assert_eq!(doc.source.format, "pdf");
        assert!(!doc.articles.is_empty(), "{}: no articles", path.display());
        let value = serde_json::to_value(&doc).expect("serialise");
        let errors: Vec<String> = validator
            .iter_errors(&value)
            .map(|e| e.to_string())
            .collect();
        assert!(errors.is_empty(), "{}: {errors:?}", path.display());
        for a in &doc.articles {
            let b = a.bbox.expect("articles from a PDF carry a box");
            assert!(
                b.x0 >= -1.0 && b.y0 >= -1.0 && b.x1 > b.x0 && b.y1 > b.y0,
                "{}: bad box {b:?}",
                a.id
            );
            for item in a.body.iter().filter(|i| i.kind == BodyKind::Paragraph) {
                let chars: Vec<char> = item.text.chars().collect();
                for w in chars.windows(3) {
                    let cjk = |c: char| newsclip::script::is_cjk_letter(c);
                    assert!(
                        !(w[1] == ' ' && cjk(w[0]) && cjk(w[2])),
                        "{}: space inside CJK text: {}",
                        path.display(),
                        item.text
                    );
                }
            }
        }
    }
}

#[test]
fn articles_come_back_from_the_typeset_pages() {
    // Article matching, body CER, headlines and CJK spaces over all fixture
    // pages, with `newsclip eval`'s scorer, at the levels the PDF issue asks
    // for (page CER is not used: it depends on the order of articles on the
    // page, where the fixture gold follows its own convention).
    let mut pairs = Vec::new();
    for path in pdfs()
        .iter()
        .filter(|p| p.starts_with(root().join("fixtures")))
    {
        let gold_path = path.with_extension("gold.json");
        let gold: Document =
            serde_json::from_slice(&std::fs::read(&gold_path).expect("gold")).expect("gold JSON");
        pairs.push((gold, run(path)));
    }
    let report = newsclip::eval::evaluate_many(&pairs);
    eprintln!("{}", report.to_table());
    assert!(
        report.article_f1 >= 0.95,
        "article F1 {:.3}",
        report.article_f1
    );
    assert!(report.body_cer <= 0.002, "body CER {:.4}", report.body_cer);
    assert!(
        report.headline.accuracy >= 0.95,
        "headline accuracy {:.3}",
        report.headline.accuracy
    );
    assert_eq!(report.cjk_spaces_spurious, 0, "spurious CJK spaces");
}

#[test]
fn every_newsletter_article_is_found_in_reading_order() {
    // The LoC newsletter's gold was written by hand (fixtures/pdf-real):
    // each of its articles must be matched, and the matched articles must
    // come out in the gold's reading order.
    let path = root().join("../shared/corpus/en/loc-digital-preservation-newsletter-2013-06.pdf");
    let gold_path =
        root().join("fixtures/pdf-real/loc-digital-preservation-newsletter-2013-06.gold.json");
    let gold: Document =
        serde_json::from_slice(&std::fs::read(&gold_path).expect("gold")).expect("gold JSON");
    let pred = run(&path);
    let report = newsclip::eval::evaluate(&gold, &pred);
    eprintln!("{}", report.to_table());
    assert_eq!(report.gold_articles, 10);
    assert_eq!(report.matched, report.gold_articles, "every article found");
    let order: Vec<usize> = report
        .articles
        .iter()
        .filter(|a| a.gold_index.is_some())
        .filter_map(|a| a.pred_index)
        .collect();
    assert!(
        order.windows(2).all(|w| w[0] < w[1]),
        "predicted order of the gold articles: {order:?}"
    );
    assert!(
        report.headline.accuracy >= 0.9,
        "headlines {:.2}",
        report.headline.accuracy
    );
}

#[test]
fn jump_lines_become_links_not_text() {
    // Every jump line the generator printed (`*.jumps.json`) comes back as
    // a link with its direction and page, and never as body text.
    let mut expected = 0;
    let mut found = 0;
    for path in pdfs()
        .iter()
        .filter(|p| p.starts_with(root().join("fixtures")))
    {
        let sidecar = path.with_extension("jumps.json");
        let jumps: serde_json::Value =
            serde_json::from_slice(&std::fs::read(&sidecar).expect("jumps sidecar")).expect("JSON");
        let doc = run(path);
        for j in jumps["jumps"].as_array().expect("jumps") {
            expected += 1;
            let text = j["text"].as_str().expect("text");
            let direction = if j["position"] == "end" { "to" } else { "from" };
            let hit = doc.articles.iter().flat_map(|a| a.jumps.iter()).any(|x| {
                x.text == text && serde_json::to_value(x.direction).expect("direction") == direction
            });
            found += usize::from(hit);
            for a in &doc.articles {
                assert!(
                    a.body.iter().all(|b| !b.text.contains(text)),
                    "{}: jump line left in the body: {text}",
                    path.display()
                );
            }
        }
    }
    assert!(expected >= 10, "the fixtures print {expected} jump lines");
    assert_eq!(found, expected, "jump lines recorded as links");
}

#[test]
fn federal_register_running_heads_and_page_numbers_are_furniture() {
    let path = root().join("../shared/corpus/en/federal-register-2020-17221.pdf");
    let doc = run(&path);
    let page_numbers: Vec<u32> = doc
        .furniture
        .iter()
        .filter(|f| f.kind == newsclip::model::FurnitureKind::PageNumber)
        .map(|f| f.page)
        .collect();
    assert_eq!(
        page_numbers,
        (1..=15).collect::<Vec<u32>>(),
        "one page number per page"
    );
    let running_heads = doc
        .furniture
        .iter()
        .filter(|f| f.kind == newsclip::model::FurnitureKind::RunningHead)
        .count();
    assert!(
        running_heads >= 14,
        "running heads of pages 2-15 as furniture: {running_heads}"
    );
    // Pages 2-15 carry `Federal Register/Vol. 85, No. 152/...` at the top:
    // none of them may end up in an article.
    let in_body = doc
        .articles
        .iter()
        .filter(|a| a.page >= 2)
        .flat_map(|a| a.body.iter())
        .filter(|b| b.text.contains("Federal Register/Vol. 85"))
        .count();
    assert_eq!(in_body, 0);
    // Page 1 sets the same folio over three lines above the rule that
    // closes its header band.
    let folio_in_articles = doc
        .articles
        .iter()
        .flat_map(|a| {
            a.body
                .iter()
                .map(|b| b.text.as_str())
                .chain(a.headline.as_deref())
        })
        .filter(|t| t.contains("Vol. 85, No. 152") || t.contains("Thursday, August 6, 2020"))
        .count();
    assert_eq!(folio_in_articles, 0, "page 1 folio lines in articles");
}

#[test]
fn broken_cross_reference_tables_are_recovered() {
    // A typeset page with its `startxref` pointing nowhere, its `xref`
    // keyword garbled, or every offset in the table wrong by a few bytes:
    // the objects are found again by scanning the file, and the page reads
    // as it does intact.
    let path = root().join("fixtures/pdf/en-02.pdf");
    let bytes = std::fs::read(&path).expect("fixture");
    let intact = run(&path).articles.len();
    let find_last = |needle: &[u8]| {
        bytes
            .windows(needle.len())
            .rposition(|w| w == needle)
            .expect("marker")
    };
    let table = find_last(b"\nxref\n");
    let start = find_last(b"startxref");
    let mut variants: Vec<(&str, Vec<u8>)> = Vec::new();
    let mut bad_start = bytes[..start].to_vec();
    bad_start.extend_from_slice(b"startxref\n12345\n%%EOF\n");
    variants.push(("startxref points nowhere", bad_start));
    let mut garbled = bytes.clone();
    garbled[table + 1..table + 5].copy_from_slice(b"XXXX");
    variants.push(("xref keyword garbled", garbled));
    // The table is ASCII: shift each in-use entry's offset.
    let tail = std::str::from_utf8(&bytes[table..]).expect("ASCII xref table");
    let shifted: String = tail
        .split_inclusive('\n')
        .map(|l| {
            let entry = l.trim_end();
            match entry.strip_suffix(" 00000 n") {
                Some(offset) if offset.len() == 10 => {
                    let n: u64 = offset.parse().expect("offset");
                    format!("{:010} 00000 n{}", n + 7, &l[entry.len()..])
                }
                _ => l.to_string(),
            }
        })
        .collect();
    assert_ne!(shifted, tail, "offsets were shifted");
    let mut wrong_offsets = bytes[..table].to_vec();
    wrong_offsets.extend_from_slice(shifted.as_bytes());
    variants.push(("offsets off by 7", wrong_offsets));
    for (what, bad) in variants {
        let doc = process_bytes(&bad, what, &Options::default())
            .unwrap_or_else(|e| panic!("{what}: {e}"));
        assert_eq!(doc.articles.len(), intact, "{what}");
    }
}
