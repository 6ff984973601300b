//! Latin reflow on real ground truth: the five Reichsanzeiger pages of
//! `../shared/corpus/de-reichsanzeiger` (PAGE-XML, hand-corrected lines, line-end
//! hyphens kept as `⸗`). Each page's regions are written out as a dump in the
//! file's reading order, one line per text line and a blank line between
//! regions, and run through the pipeline. Every word the ground truth breaks
//! at a line end before a lower-case continuation must come out whole.

use std::path::PathBuf;

use newsclip::model::BodyKind;
use quick_xml::events::Event;

/// The text lines of each region, regions in reading order.
fn regions(path: &PathBuf) -> Vec<Vec<String>> {
    let xml = std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    let mut reader = quick_xml::Reader::from_str(&xml);
    let mut order: Vec<String> = Vec::new();
    let mut regions: Vec<(String, Vec<String>)> = Vec::new();
    let (mut in_line, mut in_unicode, mut line_done) = (false, false, false);
    loop {
        match reader.read_event().expect("well-formed PAGE-XML") {
            Event::Start(e) | Event::Empty(e) => match e.local_name().as_ref() {
                b"RegionRefIndexed" => {
                    if let Some(r) = e.try_get_attribute("regionRef").ok().flatten() {
                        order.push(String::from_utf8_lossy(&r.value).into_owned());
                    }
                }
                b"TextRegion" => {
                    let id = e
                        .try_get_attribute("id")
                        .ok()
                        .flatten()
                        .map(|a| String::from_utf8_lossy(&a.value).into_owned());
                    regions.push((id.unwrap_or_default(), Vec::new()));
                }
                b"TextLine" => {
                    in_line = true;
                    line_done = false;
                }
                b"Unicode" if in_line && !line_done => in_unicode = true,
                _ => {}
            },
            Event::Text(t) if in_unicode => {
                let text = t.decode().expect("utf-8").into_owned();
                if let Some(r) = regions.last_mut() {
                    r.1.push(
                        quick_xml::escape::unescape(&text)
                            .map(|c| c.into_owned())
                            .unwrap_or(text),
                    );
                }
                in_unicode = false;
                line_done = true;
            }
            Event::End(e) => match e.local_name().as_ref() {
                b"TextLine" => in_line = false,
                b"Unicode" => in_unicode = false,
                _ => {}
            },
            Event::Eof => break,
            _ => {}
        }
    }
    let rank = |id: &str| order.iter().position(|o| o == id).unwrap_or(usize::MAX);
    regions.sort_by_key(|(id, _)| rank(id));
    regions.into_iter().map(|(_, lines)| lines).collect()
}

#[test]
fn line_end_hyphens_are_rejoined_on_real_pages() {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../shared/corpus/de-reichsanzeiger");
    let mut files: Vec<PathBuf> = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|x| x == "xml"))
        .collect();
    files.sort();
    assert_eq!(files.len(), 5);
    let (mut expected, mut found) = (0usize, 0usize);
    let mut missing = Vec::new();
    for file in &files {
        let regions = regions(file);
        let dump = regions
            .iter()
            .map(|r| r.join("\n"))
            .collect::<Vec<_>>()
            .join("\n\n");
        let doc = newsclip::pipeline::process_dump_text(&dump, &file.display().to_string())
            .expect("page processes");
        let text: String = doc
            .articles
            .iter()
            .flat_map(|a| {
                a.body
                    .iter()
                    .filter(|b| b.kind == BodyKind::Paragraph)
                    .map(|b| b.text.clone())
            })
            .collect::<Vec<_>>()
            .join("\n");
        for lines in &regions {
            for pair in lines.windows(2) {
                let Some(stem) = pair[0].trim_end().strip_suffix('⸗') else {
                    continue;
                };
                let left: String = stem
                    .chars()
                    .rev()
                    .take_while(|c| c.is_alphabetic())
                    .collect::<Vec<_>>()
                    .into_iter()
                    .rev()
                    .collect();
                let right: String = pair[1].chars().take_while(|c| c.is_alphabetic()).collect();
                if left.chars().count() < 2 || !right.chars().next().is_some_and(char::is_lowercase)
                {
                    continue;
                }
                expected += 1;
                let whole = format!("{left}{right}");
                if text.contains(&whole) {
                    found += 1;
                } else {
                    missing.push(whole);
                }
            }
        }
    }
    assert!(
        expected > 200,
        "only {expected} hyphenated words in the ground truth"
    );
    let share = found as f64 / expected as f64;
    eprintln!(
        "rejoined {found}/{expected} ({:.1}%); missing: {:?}",
        share * 100.0,
        &missing[..missing.len().min(20)]
    );
    assert!(
        share >= 0.98,
        "rejoined only {found}/{expected}; missing: {missing:?}"
    );
}
