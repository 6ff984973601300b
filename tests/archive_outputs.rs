//! The archive output formats (issue 14, part 2) through the binary:
//! `--format alto`, `mets` (with its per-page ALTO files), `page` and
//! `hocr` of a born-digital PDF, a scan read by OCR, a text dump and the
//! real Luxemburger Zeitung issue (its METS, `../shared/corpus/`, skipped
//! with a note when absent) are validated against the official schemas
//! with `xmllint --schema` (ALTO 4.2, METS 1.12, PAGE 2019; installed by
//! `scripts/fetch-schemas`, which `scripts/test` runs: a missing schema or
//! xmllint fails these tests), the hOCR is checked well-formed and read
//! back by our own hOCR reader. Round trips: the METS's logical structure
//! read back (`eval::mets_gold`) gives the document's articles, and the
//! METS given back to `newsclip extract` is scored against the first run.

mod common;
use common::{bin, code, load, root, stderr};

use std::fs;
use std::path::{Path, PathBuf};
use std::process::Command;

use newsclip::model::Document;

/// The folder of the XSDs: `$NEWSCLIP_SCHEMA_DIR`, else the cache folder
/// `scripts/fetch-schemas` fills. Fails, never skips, when a file or
/// xmllint is missing.
fn schema(name: &str) -> PathBuf {
    let dir = std::env::var_os("NEWSCLIP_SCHEMA_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| {
            let cache = std::env::var_os("XDG_CACHE_HOME")
                .map(PathBuf::from)
                .unwrap_or_else(|| {
                    PathBuf::from(std::env::var_os("HOME").expect("HOME")).join(".cache")
                });
            cache.join("newsclip/schemas")
        });
    let path = dir.join(name);
    assert!(
        path.is_file(),
        "{} is missing: run scripts/fetch-schemas (or set NEWSCLIP_SCHEMA_DIR)",
        path.display()
    );
    path
}

fn xmllint() -> Command {
    let probe = Command::new("xmllint").arg("--version").output();
    assert!(
        probe.is_ok_and(|o| o.status.success()),
        "xmllint is missing: install Debian's libxml2-utils (scripts/fetch-schemas does)"
    );
    let mut cmd = Command::new("xmllint");
    // Offline: a schema import that is not local fails instead of loading.
    cmd.args(["--noout", "--nonet"]);
    cmd
}

/// `xmllint --schema XSD FILE` must pass.
fn validate(xsd: &str, file: &Path) {
    let out = xmllint()
        .arg("--schema")
        .arg(schema(xsd))
        .arg(file)
        .output()
        .expect("run xmllint");
    assert!(
        out.status.success(),
        "{} does not validate against {xsd}:\n{}",
        file.display(),
        stderr(&out)
    );
}

fn well_formed(file: &Path) {
    let out = xmllint().arg(file).output().expect("run xmllint");
    assert!(
        out.status.success(),
        "{} is not well-formed XML:\n{}",
        file.display(),
        stderr(&out)
    );
}

fn extract(input: &Path, format: &str, out: &Path) {
    let o = bin()
        .arg("extract")
        .arg(input)
        .args(["--format", format, "-q", "-o"])
        .arg(out)
        .output()
        .expect("run newsclip");
    assert_eq!(code(&o), 0, "extract --format {format}: {}", stderr(&o));
}

fn xml_files(dir: &Path) -> Vec<PathBuf> {
    let mut files: Vec<PathBuf> = fs::read_dir(dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .map(|e| e.expect("entry").path())
        .collect();
    files.sort();
    files
}

/// What the outputs of one input held, for the callers' own checks.
struct Written {
    doc: Document,
    mets: PathBuf,
    alto_pages: usize,
    alto_words: Vec<String>,
}

/// Every archive format of `input` into `dir`, each validated; the hOCR
/// read back by our reader gives the ALTO's words.
fn write_and_validate(input: &Path, dir: &Path, stem: &str) -> Written {
    let json = dir.join(format!("{stem}.json"));
    extract(input, "json", &json);
    let doc = load(&json);
    let pages = doc.pages.len();
    assert!(pages > 0, "{stem}: the JSON lists its pages");

    let alto = dir.join(format!("{stem}.alto.xml"));
    extract(input, "alto", &alto);
    validate("alto-4-2.xsd", &alto);
    let shown = alto.display().to_string();
    let file = newsclip::extract::alto::read_alto(&fs::read(&alto).unwrap(), &shown)
        .expect("our ALTO reads back");
    assert_eq!(file.pages.len(), pages, "{stem}: one ALTO Page per page");
    let alto_words: Vec<String> = file
        .pages
        .iter()
        .flat_map(|p| p.words.iter().map(|w| w.text.clone()))
        .collect();
    assert!(!alto_words.is_empty(), "{stem}: the ALTO holds words");

    let mets = dir.join(format!("{stem}.mets.xml"));
    extract(input, "mets", &mets);
    validate("mets-1-12.xsd", &mets);
    let folder = dir.join(format!("{stem}.alto"));
    let per_page = xml_files(&folder);
    assert_eq!(per_page.len(), pages, "{stem}: one ALTO file per page");
    for f in &per_page {
        validate("alto-4-2.xsd", f);
    }

    let page = dir.join(format!("{stem}.page"));
    extract(input, "page", &page);
    let page_files = xml_files(&page);
    assert_eq!(page_files.len(), pages, "{stem}: one PAGE file per page");
    for f in &page_files {
        validate("page-2019-07-15.xsd", f);
    }

    let hocr = dir.join(format!("{stem}.hocr"));
    extract(input, "hocr", &hocr);
    well_formed(&hocr);
    let shown = hocr.display().to_string();
    let read = newsclip::extract::hocr::read_hocr(&fs::read(&hocr).unwrap(), &shown)
        .expect("our hOCR reads back");
    assert_eq!(read.pages.len(), pages, "{stem}: one ocr_page per page");
    let hocr_words: Vec<String> = read
        .pages
        .iter()
        .flat_map(|p| p.words.iter().map(|w| w.text.clone()))
        .collect();
    assert_eq!(
        hocr_words, alto_words,
        "{stem}: hOCR and ALTO hold the same words"
    );
    Written {
        doc,
        mets,
        alto_pages: file.pages.len(),
        alto_words,
    }
}

fn squeeze(s: &str) -> String {
    s.chars()
        .filter(|c| !c.is_whitespace() && !matches!(c, '-' | '\u{ad}' | '⸗'))
        .collect()
}

/// Whether the body read back from the METS is the article's body: every
/// paragraph comes back in order, and the only other text is what split
/// took out of the running text into fields (the dateline, a byline inside
/// it, the source tag, jump lines) and the punctuation around them (two
/// characters per field: a dash, a pair of brackets). Compared without spaces and hyphens: ALTO keeps
/// the print's line-end hyphens, the document rejoins the words.
fn body_comes_back(a: &newsclip::model::Article, back: &str) -> bool {
    let back = squeeze(back);
    let mut at = 0usize;
    let mut found = 0usize;
    for p in a
        .body
        .iter()
        .filter(|p| p.kind == newsclip::model::BodyKind::Paragraph)
    {
        let p = squeeze(&p.text);
        match back[at..].find(&p) {
            Some(i) => {
                at += i + p.len();
                found += p.chars().count();
            }
            None => return false,
        }
    }
    let mut fields: Vec<String> = a.dateline.iter().cloned().collect();
    fields.extend(a.byline.iter().map(|b| b.raw.clone()));
    fields.extend(a.source_tag.iter().cloned());
    fields.extend(a.jumps.iter().map(|j| j.text.clone()));
    let allowed: usize = fields.iter().map(|f| squeeze(f).chars().count() + 2).sum();
    back.chars().count() <= found + allowed
}

/// The METS's logical structure read back as articles: the same count,
/// headlines and body text (compared without spaces and hyphens: ALTO
/// keeps the print's line-end hyphens, the document rejoins the words).
/// A body that differs is told apart: text the METS holds that the whole
/// document lacks was lost by the pipeline (split dropping a line), not by
/// the writers, which format the layout as it is.
/// Returns (articles, headlines equal, bodies equal, bodies whose
/// difference the document lost).
fn logical_round_trip(w: &Written) -> (usize, usize, usize, usize) {
    let shown = w.mets.display().to_string();
    let gold = newsclip::eval::mets_gold::gold_from_mets(&fs::read(&w.mets).unwrap(), &shown)
        .expect("our METS reads back");
    assert!(
        gold.missing.is_empty(),
        "areas not found: {:?}",
        gold.missing
    );
    let ours: Vec<_> = w
        .doc
        .articles
        .iter()
        .filter(|a| a.kind != newsclip::model::ArticleKind::Advertisement)
        .collect();
    let back = &gold.document.articles;
    assert_eq!(back.len(), ours.len(), "article count through the METS");
    let mut headlines = 0;
    let mut bodies = 0;
    let mut lost = 0;
    let everything = squeeze(&document_text(&w.doc));
    for (a, b) in ours.iter().zip(back) {
        let h = |x: &Option<String>| x.as_deref().map(squeeze).unwrap_or_default();
        if h(&a.headline) == h(&b.headline) {
            headlines += 1;
        } else {
            eprintln!("headline: {:?} came back as {:?}", a.headline, b.headline);
        }
        if body_comes_back(a, &b.body_text()) {
            bodies += 1;
        } else if !everything.contains(&squeeze(&b.body_text())) {
            lost += 1;
            eprintln!(
                "body of {:?}: the METS holds {:?}, which the document lost",
                a.headline,
                b.body_text()
            );
        } else {
            eprintln!(
                "body of {:?} differs:\n  {:.200}\n  {:.200}",
                a.headline,
                a.body_text(),
                b.body_text()
            );
        }
    }
    (ours.len(), headlines, bodies, lost)
}

/// All the text of a document, in order, without separators.
fn document_text(doc: &Document) -> String {
    let mut out = String::new();
    for a in &doc.articles {
        for f in [
            &a.kicker,
            &a.headline,
            &a.subheadline,
            &a.dateline,
            &a.source_tag,
        ] {
            out.extend(f.iter().cloned());
        }
        out.extend(a.byline.iter().map(|b| b.raw.clone()));
        out.extend(a.body.iter().map(|p| p.text.clone()));
        out.extend(a.captions.iter().map(|c| c.text.clone()));
        out.extend(a.jumps.iter().map(|j| j.text.clone()));
    }
    out.extend(doc.furniture.iter().map(|f| f.text.clone()));
    out
}

fn eval_f1(gold: &Path, pred: &Path) -> f64 {
    let report = common::eval_report(gold, pred);
    report["article_f1"]
        .as_f64()
        .unwrap_or_else(|| panic!("no article_f1 in {report}"))
}

#[test]
fn born_digital_pdf_outputs_validate_and_round_trip() {
    let dir = tempfile::tempdir().expect("temp dir");
    let input = root().join("fixtures/pdf/en-01.pdf");
    let w = write_and_validate(&input, dir.path(), "en-01");
    assert_eq!(w.alto_pages, 1);
    let page = &w.doc.pages[0];
    assert_eq!(page.unit, "pt");
    assert!(page.width.is_some_and(|x| x > 100.0) && page.height.is_some());
    let (n, headlines, bodies, lost) = logical_round_trip(&w);
    eprintln!(
        "en-01 through its METS: {n} articles, {headlines} headlines and {bodies} bodies equal, {lost} bodies with text the document lost"
    );
    assert_eq!(headlines, n, "every headline comes back");
    assert_eq!((bodies, lost), (n, 0), "every body comes back");
    // The METS given back to newsclip: the ALTO words are laid out again.
    let again = dir.path().join("again.json");
    extract(&w.mets, "json", &again);
    let f1 = eval_f1(&dir.path().join("en-01.json"), &again);
    eprintln!("en-01 re-extracted from its own METS: article F1 {f1:.3} against the first run");
    assert!(f1 >= 0.8, "re-extracted F1 {f1}");
}

#[test]
fn chinese_pdf_outputs_validate() {
    let dir = tempfile::tempdir().expect("temp dir");
    let input = root().join("fixtures/pdf/zh-01.pdf");
    let w = write_and_validate(&input, dir.path(), "zh-01");
    let (n, headlines, bodies, lost) = logical_round_trip(&w);
    eprintln!(
        "zh-01 through its METS: {n} articles, {headlines} headlines and {bodies} bodies equal, {lost} bodies with text the document lost"
    );
    assert_eq!(headlines, n);
    assert_eq!((bodies, lost), (n, 0));
}

#[test]
fn scan_outputs_validate_with_confidences() {
    let dir = tempfile::tempdir().expect("temp dir");
    let input = root().join("fixtures/ocr/en-01-200dpi-jpg.jpg");
    let w = write_and_validate(&input, dir.path(), "scan");
    assert_eq!(
        w.doc.pages[0].image.as_deref(),
        Some(input.display().to_string().as_str()),
        "the page names its image"
    );
    let alto = fs::read_to_string(dir.path().join("scan.alto.xml")).unwrap();
    assert!(alto.contains(" WC=\""), "OCR words carry WC");
    let hocr = fs::read_to_string(dir.path().join("scan.hocr")).unwrap();
    assert!(hocr.contains("x_wconf"), "OCR words carry x_wconf");
    let (n, headlines, _, _) = logical_round_trip(&w);
    assert_eq!(headlines, n);
}

#[test]
fn dump_outputs_validate_on_a_synthetic_grid() {
    let dir = tempfile::tempdir().expect("temp dir");
    let input = root().join("fixtures/dump/en-02.txt");
    let w = write_and_validate(&input, dir.path(), "dump");
    assert!(
        w.doc.pages.iter().all(|p| p.width.is_none()),
        "dumps have no size"
    );
    let text = fs::read_to_string(&input).unwrap();
    let words: usize = text
        .split('\u{c}')
        .map(|p| p.split_whitespace().count())
        .sum();
    assert_eq!(
        w.alto_words.len(),
        words,
        "every word of the dump is in the ALTO"
    );
    let alto = fs::read_to_string(dir.path().join("dump.alto.xml")).unwrap();
    assert!(
        alto.contains("synthetic grid"),
        "the ALTO says its coordinates are made up"
    );
}

fn luxemburger() -> Option<PathBuf> {
    let dir = root().join("../shared/corpus/de-luxemburger-zeitung-1858");
    let mets = fs::read_dir(&dir).ok()?.find_map(|e| {
        let p = e.ok()?.path();
        p.to_string_lossy().ends_with("-mets.xml").then_some(p)
    });
    if mets.is_none() {
        eprintln!("note: {} not found, test skipped", dir.display());
    }
    mets
}

#[test]
fn luxemburger_issue_outputs_validate_and_round_trip() {
    let Some(input) = luxemburger() else { return };
    let dir = tempfile::tempdir().expect("temp dir");
    let w = write_and_validate(&input, dir.path(), "lux");
    assert_eq!(w.alto_pages, 4);
    let (n, headlines, bodies, lost) = logical_round_trip(&w);
    eprintln!("Luxemburger through our METS: {n} articles, {headlines} headlines and {bodies} bodies equal, {lost} bodies with text the document lost");
    assert_eq!(headlines, n);
    assert_eq!(
        bodies + lost,
        n,
        "every body comes back but text split lost"
    );
    // The vendor's METS scores our METS's articles as it scores the JSON.
    let direct = gold_f1(&input, &dir.path().join("lux.json"));
    let again = dir.path().join("again.json");
    extract(&w.mets, "json", &again);
    let through_ours = gold_f1(&input, &again);
    eprintln!(
        "Luxemburger article F1 against the vendor METS: {direct:.3} from the vendor ALTO, {through_ours:.3} re-extracted from our own METS/ALTO"
    );
    assert!(through_ours >= direct - 0.15, "{through_ours} vs {direct}");
}

fn gold_f1(mets: &Path, pred: &Path) -> f64 {
    let o = bin()
        .arg("eval")
        .arg("--gold-mets")
        .arg(mets)
        .arg(pred)
        .arg("--json")
        .output()
        .expect("run newsclip eval");
    assert!(o.status.success(), "eval: {}", stderr(&o));
    let report: serde_json::Value = serde_json::from_slice(&o.stdout).expect("JSON");
    report["article_f1"]
        .as_f64()
        .unwrap_or_else(|| panic!("no article_f1 in {report}"))
}

#[test]
fn multi_file_formats_need_an_output_path() {
    for format in ["mets", "page"] {
        let o = bin()
            .arg("extract")
            .arg(root().join("fixtures/dump/en-02.txt"))
            .args(["--format", format])
            .output()
            .expect("run newsclip");
        assert_eq!(code(&o), 2, "{format} to standard output");
        assert!(stderr(&o).contains("-o"), "{}", stderr(&o));
    }
}

#[test]
fn jsonl_keeps_pages_furniture_and_warnings() {
    let input = root().join("fixtures/pdf/en-01.pdf");
    let o = bin()
        .arg("extract")
        .arg(&input)
        .args(["--format", "jsonl"])
        .output()
        .expect("run newsclip");
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    let json = bin()
        .arg("extract")
        .arg(&input)
        .output()
        .expect("run newsclip");
    let doc: Document = serde_json::from_slice(&json.stdout).expect("JSON");
    let records: Vec<serde_json::Value> = String::from_utf8(o.stdout)
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str(l).expect("one JSON value a line"))
        .collect();
    let count = |t: &str| records.iter().filter(|r| r["type"] == t).count();
    assert_eq!(records[0]["type"], "document");
    assert_eq!(
        records[0]["pages"].as_array().map(Vec::len),
        Some(doc.pages.len())
    );
    assert_eq!(count("article"), doc.articles.len());
    assert_eq!(count("furniture"), doc.furniture.len());
    assert_eq!(count("warning"), doc.warnings.len());
    assert!(records.iter().all(|r| r["source"]["path"].is_string()));
}
