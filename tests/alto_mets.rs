//! ALTO and METS inputs: the reader on small hand-written ALTO files of
//! each version (tests/data/alto), refusals through the binary, and the
//! real Luxemburger Zeitung issue of 7 December 1858 through its METS
//! (`../shared/corpus/de-luxemburger-zeitung-1858`, skipped with a note
//! when absent). No F1 threshold on the real issue: the layout it grades
//! is being rewritten; the score is printed.

use std::path::{Path, PathBuf};
use std::process::Command;

use newsclip::extract::alto::{read_alto, AltoPage, HyphenPart};
use newsclip::extract::mets;
use newsclip::model::BBox;

fn data(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests/data/alto")
        .join(name)
}

fn read_page(name: &str) -> AltoPage {
    let path = data(name);
    let bytes = std::fs::read(&path).expect("test data");
    let mut file = read_alto(&bytes, &path.display().to_string()).expect("valid ALTO");
    assert_eq!(file.pages.len(), 1, "{name}: one page");
    file.pages.remove(0)
}

fn close(a: f32, b: f32) -> bool {
    (a - b).abs() < 0.01
}

fn assert_box(got: BBox, want: [f32; 4]) {
    assert!(
        close(got.x0, want[0])
            && close(got.y0, want[1])
            && close(got.x1, want[2])
            && close(got.y1, want[3]),
        "box {got:?}, expected {want:?}"
    );
}

fn bin() -> Command {
    Command::new(env!("CARGO_BIN_EXE_newsclip"))
}

#[test]
fn alto_v2_pixels_at_assumed_300_dpi() {
    let page = read_page("v2-pixel.xml");
    // 2400 × 3000 px at 300 dpi: 8 × 10 inches.
    assert!(close(page.width, 576.0) && close(page.height, 720.0));
    let texts: Vec<&str> = page.words.iter().map(|w| w.text.as_str()).collect();
    assert_eq!(texts, ["Harbour", "reopens", "The", "harbour"]);
    // HPOS 300, VPOS 600, 600 × 120 px.
    assert_box(page.words[0].bbox, [72.0, 144.0, 216.0, 172.8]);
    assert!(page.words[0].bold && page.words[1].bold && !page.words[2].bold);
    assert_eq!(page.words[0].font_size, Some(24.0), "block STYLEREFS");
    assert_eq!(page.words[2].font_size, Some(9.0));
    assert_eq!(page.words[3].confidence, Some(0.5));
    assert_eq!(page.block_id(&page.words[3]), "TB2");
    assert!(
        page.warnings.iter().any(|w| w.code == "resolution-assumed"),
        "the assumed resolution is said: {:?}",
        page.warnings
    );
}

#[test]
fn alto_v3_mm10_styles_and_hyphenation() {
    let page = read_page("v3-mm10.xml");
    // 2540 × 3810 mm/10 = 10 × 15 inches.
    assert!(close(page.width, 720.0) && close(page.height, 1080.0));
    let texts: Vec<&str> = page.words.iter().map(|w| w.text.as_str()).collect();
    // The printed parts are kept, the first with its HYP.
    assert_eq!(
        texts,
        [
            "Revue",
            "politique.",
            "Malgré",
            "l'",
            "ar-",
            "ticle,",
            "rien."
        ]
    );
    assert_box(page.words[0].bbox, [72.0, 72.0, 213.732, 94.677]);
    let head = &page.words[0];
    assert_eq!(head.font_size, Some(18.0));
    assert!(head.bold && !head.italic);
    assert!(
        page.words[3].italic && !page.words[3].bold,
        "word STYLEREFS"
    );
    assert_eq!(page.words[2].font_size, Some(10.0));
    let first = &page.words[4];
    assert_eq!(first.hyphen, Some(HyphenPart::First));
    assert_eq!(first.subs_content.as_deref(), Some("article,"));
    // The HYP's box joins the word's: 534 + 60 + 20 mm/10.
    assert!(close(first.bbox.x1, 614.0 * 72.0 / 254.0));
    assert_eq!(page.words[5].hyphen, Some(HyphenPart::Second));
    assert_ne!(page.words[4].line, page.words[5].line);
    assert_eq!(page.block_id(&page.words[5]), "P1_TB00002");
    assert!(page.warnings.is_empty(), "{:?}", page.warnings);
    // Gold text takes the whole word.
    let words = page.words_of_block("P1_TB00002").expect("block");
    assert_eq!(
        newsclip::eval::mets_gold::text_of_words(&words),
        "Malgré l' article, rien."
    );
}

#[test]
fn alto_v3_through_the_pipeline_dehyphenates_in_reflow() {
    let path = data("v3-mm10.xml");
    let bytes = std::fs::read(&path).unwrap();
    let doc =
        newsclip::pipeline::process_bytes(&bytes, &path.display().to_string(), &Default::default())
            .expect("ALTO input");
    assert_eq!(doc.source.format, "alto");
    let all: String = doc
        .articles
        .iter()
        .flat_map(|a| {
            a.headline
                .iter()
                .cloned()
                .chain(a.body.iter().map(|p| p.text.clone()))
        })
        .collect::<Vec<_>>()
        .join("\n");
    assert!(
        all.contains("Malgré l' article, rien."),
        "reflow joins ar- ticle: {all}"
    );
    // The title line sits at the very top of the page, where layout may
    // take it for furniture: it must be somewhere.
    let furniture: Vec<&str> = doc.furniture.iter().map(|f| f.text.as_str()).collect();
    assert!(
        all.contains("Revue politique.") || furniture.contains(&"Revue politique."),
        "{all} / {furniture:?}"
    );
}

#[test]
fn alto_v4_inch1200_composed_blocks_and_figures() {
    let page = read_page("v4-inch1200.xml");
    assert!(close(page.width, 720.0) && close(page.height, 1080.0));
    assert_eq!(page.figures.len(), 1);
    assert_box(page.figures[0], [72.0, 72.0, 432.0, 252.0]);
    assert_box(page.words[0].bbox, [72.0, 258.0, 216.0, 272.4]);
    assert!(page.words[0].italic && !page.words[1].italic);
    assert_eq!(page.words[1].font_size, Some(12.0));
    // The composed block's ID finds the words of the blocks inside it.
    let inside = page.words_of_block("CB1").expect("composed block");
    let texts: Vec<&str> = inside.iter().map(|w| w.text.as_str()).collect();
    assert_eq!(texts, ["Photograph", "by"]);
    assert_eq!(page.block_id(&page.words[2]), "TB2");
    assert!(page.words_of_block("nope").is_none());
}

#[test]
fn malformed_alto_is_an_error_naming_the_file() {
    let path = data("malformed.xml");
    let bytes = std::fs::read(&path).unwrap();
    let err = read_alto(&bytes, &path.display().to_string()).unwrap_err();
    let text = err.to_string();
    assert!(text.contains("malformed.xml"), "{text}");
    assert!(text.contains("page 1"), "{text}");
    // Through the binary: exit code 1, the file named, no panic.
    let out = bin().arg("extract").arg(&path).output().unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{stderr}");
    assert!(stderr.contains("malformed.xml"), "{stderr}");
    assert!(!stderr.contains("panicked"), "{stderr}");
}

#[test]
fn hostile_alto_never_panics() {
    let cases: [&[u8]; 6] = [
        b"<alto>",
        b"<alto><Layout><Page WIDTH='-5' HEIGHT='NaN'><TextBlock><TextLine><String CONTENT='x' HPOS='1e39' VPOS='0' WIDTH='1' HEIGHT='1'/><HYP/></TextLine></TextBlock></Page></Layout></alto>",
        b"<alto><Layout><Page><String CONTENT='orphan' HPOS='0' VPOS='0' WIDTH='1' HEIGHT='1' SUBS_TYPE='HypPart1'/></Page></Layout></alto>",
        b"<alto><Description><MeasurementUnit>furlong</MeasurementUnit></Description></alto>",
        b"<alto \xff\xfe>",
        b"<?xml version='1.0'?>",
    ];
    for bytes in cases {
        let _ = read_alto(bytes, "hostile.xml");
        let _ = newsclip::pipeline::process_bytes(bytes, "hostile.xml", &Default::default());
    }
}

#[test]
fn unknown_xml_is_refused_not_read_as_a_dump() {
    let path = data("unknown.xml");
    let out = bin().arg("extract").arg(&path).output().unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{stderr}");
    assert!(stderr.contains("not supported yet"), "{stderr}");
    assert!(stderr.contains("unknown.xml"), "{stderr}");
    assert!(out.stdout.is_empty(), "nothing written");
}

fn luxemburger() -> Option<PathBuf> {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../shared/corpus/de-luxemburger-zeitung-1858");
    let mets = dir.join("2385348_newspaper_luxzeit1858_1858-12-07_01-mets.xml");
    if mets.is_file() {
        Some(mets)
    } else {
        println!(
            "note: {} is absent; the Luxemburger Zeitung tests are skipped",
            mets.display()
        );
        None
    }
}

/// ARTICLE divs of a METS's logical structure map, counted by a plain
/// quick-xml pass (independent of the code under test).
fn count_article_divs(mets: &Path) -> usize {
    use quick_xml::events::Event;
    let bytes = std::fs::read(mets).unwrap();
    let mut reader = quick_xml::Reader::from_reader(&bytes[..]);
    let mut logical = false;
    let mut n = 0;
    loop {
        match reader.read_event().expect("well-formed METS") {
            Event::Start(e) | Event::Empty(e) => {
                let name = e.local_name();
                let ty = e
                    .try_get_attribute("TYPE")
                    .ok()
                    .flatten()
                    .map(|a| String::from_utf8_lossy(&a.value).into_owned());
                if name.as_ref() == b"structMap" {
                    logical = ty.as_deref() == Some("LOGICAL");
                } else if logical && name.as_ref() == b"div" && ty.as_deref() == Some("ARTICLE") {
                    n += 1;
                }
            }
            Event::End(e) if e.local_name().as_ref() == b"structMap" => logical = false,
            Event::Eof => break,
            _ => {}
        }
    }
    n
}

#[test]
fn luxemburger_issue_through_its_mets() {
    let Some(path) = luxemburger() else { return };
    let bytes = std::fs::read(&path).unwrap();
    let display = path.display().to_string();
    let base = path.parent().unwrap();
    let m = mets::read_mets(&bytes, &display, base).expect("METS");
    assert_eq!(m.pages.len(), 4);
    // Every page's ALTO is read, and every block any METS article or
    // advertisement points at is in it.
    let mut pages = std::collections::HashMap::new();
    for page in &m.pages {
        let alto = mets::read_page_alto(&m, page).expect("ALTO page");
        assert!(alto.words.len() > 1000, "page {}: words", page.number);
        pages.insert(page.alto_file.clone().unwrap(), alto);
    }
    assert_eq!(pages.len(), 4);
    let mut areas = 0;
    for article in &m.articles {
        assert!(!article.parts.is_empty(), "{}: parts", article.id);
        for area in article.areas() {
            let alto = &pages[&area.file_id];
            let block = area.begin.as_deref().unwrap();
            assert!(
                alto.words_of_block(block).is_some(),
                "{}: block {block} of {} not found",
                article.id,
                area.file_id
            );
            areas += 1;
        }
    }
    let articles = count_article_divs(&path);
    let gold = newsclip::eval::mets_gold::gold_from_mets(&bytes, &display).expect("gold");
    assert_eq!(gold.pages_read, 4);
    assert!(gold.missing.is_empty(), "{:?}", gold.missing);
    assert_eq!(gold.document.articles.len(), articles);
    assert!(gold
        .document
        .articles
        .iter()
        .all(|a| a.headline.is_some() && !a.body.is_empty()));
    // The gold scores perfectly against itself (every article matchable).
    let own = newsclip::eval::evaluate(&gold.document, &gold.document);
    assert_eq!(own.matched, articles, "{}", own.to_table());
    let first = &gold.document.articles[0];
    assert_eq!(first.headline.as_deref(), Some("Revue politique."));
    assert_eq!(first.body.len(), 3, "three PARAGRAPH divs");
    for a in &gold.document.articles {
        println!(
            "  gold p{} {:?} / {:?}: {} paragraphs, {} chars",
            a.page,
            a.kicker,
            a.headline,
            a.body.len(),
            a.body_text().chars().count()
        );
    }
    println!(
        "Luxemburger Zeitung 1858-12-07: {articles} ARTICLE divs, {} METS areas found, gold articles {}",
        areas,
        gold.document.articles.len()
    );
    // The pipeline reads the same four pages.
    let doc = newsclip::pipeline::process_bytes(&bytes, &display, &Default::default())
        .expect("METS input");
    assert_eq!(doc.source.format, "mets");
    assert!(!doc.warnings.iter().any(|w| w.code == "page-failed"));
    let mut seen: Vec<u32> = doc.articles.iter().map(|a| a.page).collect();
    seen.dedup();
    assert_eq!(seen, [1, 2, 3, 4], "articles on every page, in page order");
}

#[test]
fn luxemburger_extract_then_eval_against_its_mets() {
    let Some(path) = luxemburger() else { return };
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("out.json");
    let extract = bin()
        .arg("extract")
        .arg(&path)
        .arg("-o")
        .arg(&out)
        .output()
        .unwrap();
    assert_eq!(
        extract.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&extract.stderr)
    );
    let eval = bin()
        .arg("eval")
        .arg("--gold-mets")
        .arg(&path)
        .arg(&out)
        .output()
        .unwrap();
    let report = String::from_utf8_lossy(&eval.stdout);
    assert_eq!(
        eval.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&eval.stderr)
    );
    let f1 = report
        .lines()
        .find(|l| l.starts_with("article P/R/F1"))
        .expect("an F1 line");
    println!("Luxemburger Zeitung vs its METS: {f1}");
    // `article P/R/F1   P / R / F1  (...)`: a regression floor under the
    // 0.40 measured when it was set (issue 13 asks 0.85; see README).
    let value: f64 = f1
        .split_whitespace()
        .nth(6)
        .and_then(|v| v.parse().ok())
        .unwrap_or_else(|| panic!("no F1 in {f1:?}"));
    assert!(
        value >= 0.38,
        "article F1 {value} against the METS articles"
    );
}

/// Strings with a non-empty CONTENT and TextBlocks, by a plain quick-xml
/// pass (independent of the reader under test).
fn count_strings_and_blocks(bytes: &[u8]) -> (usize, usize) {
    use quick_xml::events::Event;
    let mut reader = quick_xml::Reader::from_reader(bytes);
    let (mut strings, mut blocks) = (0, 0);
    loop {
        match reader.read_event().expect("well-formed ALTO") {
            Event::Start(e) | Event::Empty(e) => match e.local_name().as_ref() {
                b"String" => {
                    let content = e
                        .try_get_attribute("CONTENT")
                        .ok()
                        .flatten()
                        .map(|a| a.value.iter().any(|b| !b.is_ascii_whitespace()));
                    if content == Some(true) {
                        strings += 1;
                    }
                }
                b"TextBlock" => blocks += 1,
                _ => {}
            },
            Event::Eof => break,
            _ => {}
        }
    }
    (strings, blocks)
}

#[test]
fn national_tribune_vendor_alto() {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../shared/corpus/en/national-tribune-1898-11-10-p1.vendor-alto.xml");
    let Ok(bytes) = std::fs::read(&path) else {
        println!("note: {} is absent; skipped", path.display());
        return;
    };
    let display = path.display().to_string();
    let file = read_alto(&bytes, &display).expect("vendor ALTO");
    // A vendor namespace (not loc.gov's): no version.
    assert_eq!(file.version, None);
    assert_eq!(file.pages.len(), 1);
    let page = &file.pages[0];
    // inch1200: 29992 × 40104 units are 25 × 33.4 inches.
    assert!(close(page.width, 29992.0 * 72.0 / 1200.0));
    assert!(close(page.height, 40104.0 * 72.0 / 1200.0));
    let (strings, blocks) = count_strings_and_blocks(&bytes);
    assert_eq!(page.words.len(), strings);
    let text_blocks = page
        .blocks
        .iter()
        .filter(|b| b.element == "TextBlock")
        .count();
    assert_eq!(text_blocks, blocks);
    let hyphenated = page
        .words
        .iter()
        .filter(|w| w.hyphen == Some(HyphenPart::First))
        .count();
    let doc = newsclip::pipeline::process_bytes(&bytes, &display, &Default::default())
        .expect("ALTO input");
    println!(
        "National Tribune vendor ALTO: {} page, {} words, {} text blocks, {} hyphenated words, {} articles found",
        file.pages.len(),
        page.words.len(),
        text_blocks,
        hyphenated,
        doc.articles.len()
    );
}

#[test]
fn mets_with_a_missing_alto_file_warns_and_goes_on() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::copy(data("v3-mm10.xml"), dir.path().join("p2.xml")).unwrap();
    let mets = r#"<?xml version="1.0"?>
<mets:mets xmlns:mets="http://www.loc.gov/METS/" xmlns:xlink="http://www.w3.org/1999/xlink">
 <mets:fileSec><mets:fileGrp USE="FULLTEXT">
  <mets:file ID="F1" MIMETYPE="text/xml"><mets:FLocat LOCTYPE="URL" xlink:href="gone.xml"/></mets:file>
  <mets:file ID="F2" MIMETYPE="text/xml"><mets:FLocat LOCTYPE="URL" xlink:href="file://./p2.xml"/></mets:file>
 </mets:fileGrp></mets:fileSec>
 <mets:structMap TYPE="PHYSICAL"><mets:div TYPE="Newspaper">
  <mets:div TYPE="page" ORDER="2"><mets:fptr FILEID="F2"/></mets:div>
  <mets:div TYPE="page" ORDER="1"><mets:fptr FILEID="F1"/></mets:div>
 </mets:div></mets:structMap>
</mets:mets>"#;
    let path = dir.path().join("issue-mets.xml");
    std::fs::write(&path, mets).unwrap();
    let doc = newsclip::pipeline::process_bytes(
        mets.as_bytes(),
        &path.display().to_string(),
        &Default::default(),
    )
    .expect("one page is readable");
    assert_eq!(doc.source.format, "mets");
    let failed: Vec<_> = doc
        .warnings
        .iter()
        .filter(|w| w.code == "page-failed")
        .collect();
    assert_eq!(failed.len(), 1, "{:?}", doc.warnings);
    assert_eq!(failed[0].page, Some(1), "ORDER sets the page number");
    assert!(
        failed[0].message.contains("gone.xml"),
        "{}",
        failed[0].message
    );
    assert!(!doc.articles.is_empty());
    assert!(doc.articles.iter().all(|a| a.page == 2));
}

#[test]
fn a_directory_holding_an_issue_is_read_through_its_mets() {
    let Some(path) = luxemburger() else { return };
    let dir = tempfile::tempdir().unwrap();
    let out = bin()
        .arg("extract")
        .arg(path.parent().unwrap())
        .arg("-o")
        .arg(dir.path())
        .output()
        .unwrap();
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let written: Vec<String> = std::fs::read_dir(dir.path())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n != "newsclip-journal.jsonl")
        .collect();
    // One document for the issue; its four ALTO files are not read again.
    assert_eq!(
        written,
        ["2385348_newspaper_luxzeit1858_1858-12-07_01-mets.xml.json"]
    );
}
