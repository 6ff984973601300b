//! PAGE-XML (2013 and 2019, as Transkribus, eScriptorium and OCR-D write
//! it): regions, lines and words to positioned words in page points.
//!
//! # Contract
//!
//! Input: the bytes of one PAGE file and its display path. Output: the
//! same [`AltoFile`] shape as the ALTO reader gives, so that PAGE pages go
//! through the same geometric layout: one [`AltoPage`] per `Page`, with
//! - its size from `imageWidth` and `imageHeight`,
//! - one [`AltoBlock`] per `TextRegion` (its `id`, its `type` as the
//!   element name, the box of its `Coords` polygon), in the order of the
//!   `ReadingOrder` when the file gives one, else in document order,
//! - its words: each `Word` with its polygon's box and `TextEquiv`
//!   (`conf` as confidence); a `TextLine` without words gives its line
//!   text split at spaces, each word's box a share of the line's box by
//!   its characters (transcriptions are often kept at line level),
//! - figures from `ImageRegion` and `GraphicRegion`.
//!
//! Coordinates are image pixels: they become points at the page's
//! `imageXResolution` when given, else at 300 dpi with a warning. Of
//! several `TextEquiv`, the one with the lowest `index` wins. Elements are
//! matched by local name, so both schema versions read alike. Malformed
//! XML is an error naming the file, never a panic; more than
//! [`alto::MAX_WORDS`] words is refused.

use std::collections::HashMap;

use quick_xml::events::{BytesStart, Event};
use quick_xml::Reader;

use super::alto::{self, AltoBlock, AltoFile, AltoPage, AltoWord};
use crate::error::{Error, ErrorKind, Result};

fn attr(e: &BytesStart, name: &[u8]) -> Option<String> {
    e.attributes()
        .flatten()
        .find(|a| a.key.local_name().as_ref() == name)
        .map(|a| {
            a.unescape_value()
                .map(|v| v.into_owned())
                .unwrap_or_else(|_| String::from_utf8_lossy(&a.value).into_owned())
        })
}

/// The box of a `points="x,y x,y …"` polygon.
fn polygon_box(points: &str) -> Option<[f32; 4]> {
    let mut b: Option<[f32; 4]> = None;
    for p in points.split_whitespace() {
        let (x, y) = p.split_once(',')?;
        let (x, y): (f32, f32) = (x.trim().parse().ok()?, y.trim().parse().ok()?);
        b = Some(match b {
            None => [x, y, x, y],
            Some([x0, y0, x1, y1]) => [x0.min(x), y0.min(y), x1.max(x), y1.max(y)],
        });
    }
    b
}

/// A transcription being read: its `index` and text.
#[derive(Default)]
struct Equiv {
    index: i64,
    conf: Option<f32>,
    text: String,
}

/// Whose polygon the next `Coords` is: the element opened last.
#[derive(Clone, Copy, PartialEq)]
enum Shape {
    Region,
    Figure,
    Line,
    Word,
}

/// What the reader is inside of.
#[derive(Default)]
struct Cursor {
    region: Option<usize>,
    coords_for: Option<Shape>,
    line_box: Option<[f32; 4]>,
    line_text: Option<Equiv>,
    line_has_words: bool,
    word_box: Option<[f32; 4]>,
    word_text: Option<Equiv>,
    in_word: bool,
    /// Inside `TextEquiv`, for the word or the line: (equiv, in Unicode).
    equiv: Option<(Equiv, bool)>,
}

pub fn read_page_xml(bytes: &[u8], path: &str) -> Result<AltoFile> {
    let bytes = alto::strip_bom(bytes);
    let mut reader = Reader::from_reader(bytes);
    reader.config_mut().check_end_names = true;
    let mut file = AltoFile::default();
    let mut scale = 72.0 / alto::DEFAULT_PIXEL_DPI;
    let mut cur = Cursor::default();
    let mut order: Vec<String> = Vec::new();
    let mut line_no: u32 = 0;
    let mut words_total = 0usize;
    let mut buf = Vec::new();
    let malformed = |e: &dyn std::fmt::Display| {
        Error::new(
            ErrorKind::Malformed,
            format!("not well-formed PAGE-XML: {e}"),
        )
        .with_path(path)
    };
    loop {
        let event = reader
            .read_event_into(&mut buf)
            .map_err(|e| malformed(&e))?;
        match &event {
            Event::Start(e) | Event::Empty(e) => match e.local_name().as_ref() {
                b"Page" => {
                    let num = |n: &[u8]| attr(e, n).and_then(|v| v.parse::<f32>().ok());
                    let (points, warning) =
                        alto::pixel_scale(num(b"imageXResolution"), path, "imageXResolution");
                    scale = points;
                    file.pages.push(AltoPage {
                        width: num(b"imageWidth").unwrap_or(0.0) * scale,
                        height: num(b"imageHeight").unwrap_or(0.0) * scale,
                        warnings: warning.into_iter().collect(),
                        image: attr(e, b"imageFilename").filter(|v| !v.is_empty()),
                        ..AltoPage::default()
                    });
                }
                b"RegionRefIndexed" | b"RegionRef" => {
                    if let Some(r) = attr(e, b"regionRef") {
                        let index = attr(e, b"index").and_then(|i| i.parse::<usize>().ok());
                        match index {
                            Some(i) if i < 100_000 => {
                                if order.len() <= i {
                                    order.resize(i + 1, String::new());
                                }
                                order[i] = r;
                            }
                            _ => order.push(r),
                        }
                    }
                }
                b"TextRegion" => {
                    if let Some(page) = file.pages.last_mut() {
                        let n = page.words.len();
                        page.blocks.push(AltoBlock {
                            id: attr(e, b"id").unwrap_or_default(),
                            element: attr(e, b"type").unwrap_or_else(|| "TextRegion".into()),
                            bbox: None,
                            composed: Vec::new(),
                            words: n..n,
                        });
                        cur.region = Some(page.blocks.len() - 1);
                        cur.coords_for = Some(Shape::Region);
                    }
                }
                b"ImageRegion" | b"GraphicRegion" => {
                    cur.region = None;
                    cur.coords_for = Some(Shape::Figure);
                }
                b"TextLine" => {
                    line_no += 1;
                    cur.line_box = None;
                    cur.line_text = None;
                    cur.line_has_words = false;
                    cur.coords_for = Some(Shape::Line);
                }
                b"Word" => {
                    cur.in_word = true;
                    cur.line_has_words = true;
                    cur.word_box = None;
                    cur.word_text = None;
                    cur.coords_for = Some(Shape::Word);
                }
                b"Coords" => {
                    let b = attr(e, b"points").and_then(|p| polygon_box(&p));
                    match (cur.coords_for.take(), b, file.pages.last_mut()) {
                        (Some(Shape::Word), Some(b), _) => cur.word_box = Some(b),
                        (Some(Shape::Line), Some(b), _) => cur.line_box = Some(b),
                        (Some(Shape::Figure), Some(b), Some(page)) => {
                            page.figures.push(alto::pixel_box(b, scale));
                        }
                        (Some(Shape::Region), Some(b), Some(page)) => {
                            if let Some(r) = cur.region {
                                page.blocks[r].bbox = Some(alto::pixel_box(b, scale));
                            }
                        }
                        _ => {}
                    }
                }
                b"TextEquiv" => {
                    let eq = Equiv {
                        index: attr(e, b"index").and_then(|i| i.parse().ok()).unwrap_or(0),
                        conf: attr(e, b"conf").and_then(|c| c.parse().ok()),
                        text: String::new(),
                    };
                    cur.equiv = Some((eq, false));
                }
                b"Unicode" => {
                    if let Some((_, inside)) = cur.equiv.as_mut() {
                        *inside = true;
                    }
                }
                _ => {}
            },
            Event::Text(t) => {
                if let Some((eq, true)) = cur.equiv.as_mut() {
                    eq.text.push_str(&alto::xml_text(t.as_ref(), false));
                }
            }
            Event::GeneralRef(r) => {
                if let Some((eq, true)) = cur.equiv.as_mut() {
                    eq.text.push_str(&alto::xml_text(r.as_ref(), true));
                }
            }
            Event::End(e) => match e.local_name().as_ref() {
                b"Unicode" => {
                    if let Some((_, inside)) = cur.equiv.as_mut() {
                        *inside = false;
                    }
                }
                b"TextEquiv" => {
                    if let Some((eq, _)) = cur.equiv.take() {
                        let slot = if cur.in_word {
                            &mut cur.word_text
                        } else {
                            &mut cur.line_text
                        };
                        if slot.as_ref().is_none_or(|s| eq.index < s.index) {
                            *slot = Some(eq);
                        }
                    }
                }
                b"Word" => {
                    cur.in_word = false;
                    if let (Some(b), Some(t)) = (cur.word_box.take(), cur.word_text.take()) {
                        push_words(&mut file, &cur, vec![(t.text, b)], t.conf, scale, line_no);
                        words_total += 1;
                    }
                }
                b"TextLine" => {
                    if !cur.line_has_words {
                        if let (Some(b), Some(t)) = (cur.line_box, cur.line_text.take()) {
                            let words = split_line(&t.text, b);
                            words_total += words.len();
                            push_words(&mut file, &cur, words, t.conf, scale, line_no);
                        }
                    }
                    cur.line_box = None;
                    cur.line_text = None;
                }
                b"TextRegion" => cur.region = None,
                b"Page" => {
                    if let Some(page) = file.pages.last_mut() {
                        apply_order(page, &order);
                    }
                    order.clear();
                }
                _ => {}
            },
            Event::Eof => break,
            _ => {}
        }
        if words_total > alto::MAX_WORDS {
            return Err(Error::new(
                ErrorKind::Malformed,
                format!(
                    "the PAGE file holds more than {} words; refused",
                    alto::MAX_WORDS
                ),
            )
            .with_path(path));
        }
        buf.clear();
    }
    if file.pages.is_empty() {
        return Err(Error::new(ErrorKind::Empty, "the PAGE file holds no Page").with_path(path));
    }
    Ok(file)
}

/// A line's text as words, each with a share of the line's box by its
/// characters (a space counts as one).
fn split_line(text: &str, [x0, y0, x1, y1]: [f32; 4]) -> Vec<(String, [f32; 4])> {
    let total = text.chars().count().max(1) as f32;
    let per = (x1 - x0) / total;
    let mut out = Vec::new();
    let mut at = 0usize;
    for (i, w) in text.split(' ').enumerate() {
        if i > 0 {
            at += 1;
        }
        let n = w.chars().count();
        if !w.trim().is_empty() {
            let a = x0 + at as f32 * per;
            out.push((w.trim().to_string(), [a, y0, a + n as f32 * per, y1]));
        }
        at += n;
    }
    out
}

fn push_words(
    file: &mut AltoFile,
    cur: &Cursor,
    words: Vec<(String, [f32; 4])>,
    conf: Option<f32>,
    scale: f32,
    line: u32,
) {
    let (Some(page), Some(region)) = (file.pages.last_mut(), cur.region) else {
        return;
    };
    for (text, b) in words {
        if text.is_empty() {
            continue;
        }
        page.words.push(AltoWord {
            text,
            bbox: alto::pixel_box(b, scale),
            confidence: conf.map(|c| c.clamp(0.0, 1.0)),
            font_size: None,
            bold: false,
            italic: false,
            block: region,
            line,
            hyphen: None,
            subs_content: None,
        });
    }
    // Regions are read one after the other: a region's words are a range.
    page.blocks[region].words.end = page.words.len();
}

/// Blocks (and their words) in the `ReadingOrder`; regions it leaves out
/// follow in document order.
fn apply_order(page: &mut AltoPage, order: &[String]) {
    if order.iter().all(String::is_empty) {
        return;
    }
    let rank: HashMap<&str, usize> = order
        .iter()
        .enumerate()
        .filter(|(_, id)| !id.is_empty())
        .map(|(i, id)| (id.as_str(), i))
        .collect();
    let mut idx: Vec<usize> = (0..page.blocks.len()).collect();
    idx.sort_by_key(|&b| {
        (
            rank.get(page.blocks[b].id.as_str())
                .copied()
                .unwrap_or(usize::MAX),
            b,
        )
    });
    let mut blocks = Vec::with_capacity(idx.len());
    let mut words = Vec::with_capacity(page.words.len());
    for (new, &old) in idx.iter().enumerate() {
        let b = &page.blocks[old];
        let start = words.len();
        for w in &page.words[b.words.clone()] {
            words.push(AltoWord {
                block: new,
                ..w.clone()
            });
        }
        blocks.push(AltoBlock {
            words: start..words.len(),
            ..b.clone()
        });
    }
    page.blocks = blocks;
    page.words = words;
}

#[cfg(test)]
mod tests {
    use super::*;

    const PAGE: &str = r#"<?xml version="1.0" encoding="UTF-8"?>
<PcGts xmlns="http://schema.primaresearch.org/PAGE/gts/pagecontent/2019-07-15">
  <Page imageFilename="p.png" imageWidth="2480" imageHeight="3508">
    <ReadingOrder><OrderedGroup id="g"><RegionRefIndexed index="0" regionRef="r2"/><RegionRefIndexed index="1" regionRef="r1"/></OrderedGroup></ReadingOrder>
    <TextRegion id="r1" type="paragraph">
      <Coords points="100,600 1200,600 1200,700 100,700"/>
      <TextLine id="l2"><Coords points="100,600 1200,600 1200,660 100,660"/>
        <TextEquiv index="1"><Unicode>wrong reading</Unicode></TextEquiv>
        <TextEquiv index="0" conf="0.9"><Unicode>Die Sitzung &amp; Schluss</Unicode></TextEquiv>
      </TextLine>
    </TextRegion>
    <TextRegion id="r2" type="heading">
      <Coords points="100,100 1200,100 1200,200 100,200"/>
      <TextLine id="l1"><Coords points="100,100 1200,100 1200,160 100,160"/>
        <Word id="w1"><Coords points="100,100 500,100 500,160 100,160"/><TextEquiv conf="0.8"><Unicode>Amtlicher</Unicode></TextEquiv></Word>
        <Word id="w2"><Coords points="540,100 900,100 900,160 540,160"/><TextEquiv><Unicode>Theil</Unicode></TextEquiv></Word>
        <TextEquiv><Unicode>Amtlicher Theil</Unicode></TextEquiv>
      </TextLine>
    </TextRegion>
    <ImageRegion id="i1"><Coords points="100,800 1200,800 1200,1600 100,1600"/></ImageRegion>
  </Page>
</PcGts>"#;

    #[test]
    fn reads_regions_words_lines_order_and_figures() {
        let file = read_page_xml(PAGE.as_bytes(), "p.xml").expect("reads");
        let page = &file.pages[0];
        assert_eq!(page.warnings.len(), 1, "300 dpi assumed");
        assert!((page.width - 595.2).abs() < 0.1);
        // The reading order puts r2 first.
        let ids: Vec<&str> = page.blocks.iter().map(|b| b.id.as_str()).collect();
        assert_eq!(ids, ["r2", "r1"]);
        let texts: Vec<&str> = page.words.iter().map(|w| w.text.as_str()).collect();
        assert_eq!(
            texts,
            ["Amtlicher", "Theil", "Die", "Sitzung", "&", "Schluss"]
        );
        assert_eq!(page.words[0].confidence, Some(0.8));
        assert_eq!(page.words[0].bbox.x0, 24.0);
        assert_eq!(page.blocks[1].words, 2..6);
        // Line-level words share the line's box by characters.
        let (d, s) = (&page.words[2], &page.words[3]);
        assert!(d.bbox.x0 == 24.0 && d.bbox.x1 < s.bbox.x0 && s.bbox.x1 <= 288.1);
        assert_eq!(page.figures.len(), 1);
        assert_eq!(page.figures[0].y0, 192.0);
    }

    #[test]
    fn broken_page_xml_is_an_error_naming_the_file() {
        let e = read_page_xml(&PAGE.as_bytes()[..400], "bad.xml").unwrap_err();
        assert!(e.to_string().contains("bad.xml"), "{e}");
    }
}
