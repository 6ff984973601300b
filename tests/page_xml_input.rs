//! PAGE-XML input on real files: the Reichsanzeiger ground-truth pages of
//! `../shared/corpus/de-reichsanzeiger/` (Transkribus PAGE 2013, lines
//! without words; read in place, never copied). Every page must come
//! through with its text: the characters of its line transcriptions, as
//! counted by an independent pass, are found in the output's articles and
//! furniture.

use std::path::PathBuf;

use newsclip::pipeline::{process_bytes, Options};

fn corpus() -> Option<PathBuf> {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../shared/corpus/de-reichsanzeiger");
    if dir.is_dir() {
        Some(dir)
    } else {
        eprintln!("skipped: {} is not there", dir.display());
        None
    }
}

/// Non-space characters of the line-level transcriptions (the last
/// `Unicode` inside each `TextLine`), by a plain quick-xml pass.
fn line_chars(bytes: &[u8]) -> usize {
    use quick_xml::events::Event;
    let mut reader = quick_xml::Reader::from_reader(bytes);
    let (mut in_line, mut in_unicode, mut last, mut total) = (false, false, String::new(), 0);
    loop {
        match reader.read_event().expect("well-formed PAGE") {
            Event::Start(e) => match e.local_name().as_ref() {
                b"TextLine" => in_line = true,
                b"Unicode" => {
                    in_unicode = true;
                    last.clear();
                }
                _ => {}
            },
            Event::Text(t) if in_line && in_unicode => last.push_str(&String::from_utf8_lossy(&t)),
            Event::GeneralRef(_) if in_line && in_unicode => last.push('&'),
            Event::End(e) => match e.local_name().as_ref() {
                b"Unicode" => in_unicode = false,
                b"TextLine" => {
                    in_line = false;
                    total += last.chars().filter(|c| !c.is_whitespace()).count();
                    last.clear();
                }
                _ => {}
            },
            Event::Eof => break,
            _ => {}
        }
    }
    total
}

#[test]
fn reichsanzeiger_page_files_come_through_whole() {
    let Some(dir) = corpus() else { return };
    let mut files: Vec<PathBuf> = std::fs::read_dir(&dir)
        .unwrap()
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|e| e == "xml"))
        .collect();
    files.sort();
    assert!(files.len() >= 5, "{files:?}");
    for f in files {
        let bytes = std::fs::read(&f).unwrap();
        let doc = process_bytes(&bytes, &f.display().to_string(), &Options::default())
            .unwrap_or_else(|e| panic!("{}: {e}", f.display()));
        assert_eq!(doc.source.format, "page");
        assert!(!doc.articles.is_empty(), "{}: no articles", f.display());
        let expected = line_chars(&bytes);
        let out: usize = doc
            .articles
            .iter()
            .flat_map(|a| {
                a.headline
                    .iter()
                    .chain(a.kicker.iter())
                    .chain(a.subheadline.iter())
                    .chain(a.dateline.iter())
                    .cloned()
                    .chain(a.body.iter().map(|b| b.text.clone()))
                    .chain(a.captions.iter().map(|c| c.text.clone()))
            })
            .chain(doc.furniture.iter().map(|f| f.text.clone()))
            .map(|t| t.chars().filter(|c| !c.is_whitespace()).count())
            .sum();
        // Hyphens at line ends (`⸗`, `-`) go when words are joined, bylines
        // and credits are kept apart: a few percent less, never more.
        let ratio = out as f64 / expected as f64;
        assert!(
            (0.9..=1.01).contains(&ratio),
            "{}: {out} characters out of {expected}",
            f.display()
        );
    }
}
