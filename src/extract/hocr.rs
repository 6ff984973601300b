//! hOCR (Tesseract's `-c tessedit_create_hocr=1` / `hocr` output and other
//! engines' XHTML): positioned words in page points.
//!
//! # Contract
//!
//! Input: the bytes of one hOCR file and its display path. Output: the
//! same [`AltoFile`] shape as the ALTO reader gives, so that hOCR pages go
//! through the same geometric layout as ALTO and OCR'd pages: one
//! [`AltoPage`] per `ocr_page`, with
//! - its size from the page's `bbox`,
//! - one [`AltoBlock`] per `ocr_carea` (or `ocr_par` outside any area),
//! - its words (`ocrx_word`) with their `bbox` and `x_wconf` confidence
//!   (0-100, given as 0-1), the index of their block and line (`ocr_line`,
//!   `ocrx_line`, `ocr_caption`, `ocr_header`, `ocr_textfloat`),
//! - figures from `ocr_photo` / `ocr_image` areas.
//!
//! hOCR boxes are image pixels: they become points at the page's
//! `scan_res` when the file gives it, else at 300 dpi with a warning.
//! Elements are matched by their `class`, whatever the tag; the file must
//! be well-formed XML (XHTML, as Tesseract writes it). HTML entities beyond
//! XML's own are kept as written rather than failing the file. Malformed
//! input is an error naming the file, never a panic; a file with more than
//! [`alto::MAX_WORDS`] words is refused.

use quick_xml::events::{BytesStart, Event};
use quick_xml::Reader;

use super::alto::{self, AltoBlock, AltoFile, AltoPage, AltoWord};
use crate::error::{Error, ErrorKind, Result};

/// Does this XHTML carry hOCR (an `ocr_page` element, or the `ocr-system`
/// meta that hOCR producers write in the head)?
pub fn is_hocr(bytes: &[u8]) -> bool {
    let head = &bytes[..bytes.len().min(1 << 20)];
    let has = |needle: &[u8]| head.windows(needle.len()).any(|w| w == needle);
    has(b"ocr_page") || has(b"ocr-system")
}

/// The `title` properties of an hOCR element: `bbox 1 2 3 4; x_wconf 95`.
fn property<'a>(title: &'a str, name: &str) -> Option<&'a str> {
    title.split(';').map(str::trim).find_map(|p| {
        let rest = p.strip_prefix(name)?;
        rest.starts_with(char::is_whitespace).then(|| rest.trim())
    })
}

fn numbers(s: &str) -> Vec<f32> {
    s.split_whitespace()
        .filter_map(|n| n.trim_matches('"').parse().ok())
        .collect()
}

fn bbox_of(title: &str) -> Option<[f32; 4]> {
    match numbers(property(title, "bbox")?).as_slice() {
        [x0, y0, x1, y1] if x1 >= x0 && y1 >= y0 => Some([*x0, *y0, *x1, *y1]),
        _ => None,
    }
}

/// The element's `class` and `title`.
fn class_and_title(e: &BytesStart) -> (String, String) {
    let (mut class, mut title) = (String::new(), String::new());
    for a in e.attributes().flatten() {
        let value = a
            .unescape_value()
            .map(|v| v.into_owned())
            .unwrap_or_else(|_| String::from_utf8_lossy(&a.value).into_owned());
        match a.key.local_name().as_ref() {
            b"class" => class = value,
            b"title" => title = value,
            _ => {}
        }
    }
    (class, title)
}

fn has_class(class: &str, name: &str) -> bool {
    class.split_whitespace().any(|c| c == name)
}

/// What an open element was, so that its end can be matched.
#[derive(Clone, Copy, PartialEq)]
enum Open {
    Page,
    Area,
    Line,
    Word,
    Other,
}

pub fn read_hocr(bytes: &[u8], path: &str) -> Result<AltoFile> {
    let bytes = alto::strip_bom(bytes);
    let mut reader = Reader::from_reader(bytes);
    reader.config_mut().check_end_names = false;
    let mut file = AltoFile::default();
    let mut stack: Vec<Open> = Vec::new();
    let mut scale = 72.0 / alto::DEFAULT_PIXEL_DPI;
    let mut word: Option<AltoWord> = None;
    let mut line: u32 = 0;
    let mut words_total = 0usize;
    let mut buf = Vec::new();
    let malformed = |e: &dyn std::fmt::Display, pages: usize| {
        Error::new(
            ErrorKind::Malformed,
            format!("not well-formed hOCR (page {}): {e}", pages.max(1)),
        )
        .with_path(path)
    };
    loop {
        let event = reader
            .read_event_into(&mut buf)
            .map_err(|e| malformed(&e, file.pages.len()))?;
        match event {
            Event::Start(ref e) | Event::Empty(ref e) => {
                let empty = matches!(event, Event::Empty(_));
                let (class, title) = class_and_title(e);
                let kind = if has_class(&class, "ocr_page") {
                    let dpi = property(&title, "scan_res")
                        .map(numbers)
                        .and_then(|n| n.first().copied());
                    let (points, warning) = alto::pixel_scale(dpi, path, "scan_res");
                    scale = points;
                    let image = property(&title, "image")
                        .map(|v| v.trim().trim_matches('"').to_string())
                        .filter(|v| !v.is_empty());
                    let mut page = AltoPage {
                        warnings: warning.into_iter().collect(),
                        image,
                        ..AltoPage::default()
                    };
                    if let Some([x0, y0, x1, y1]) = bbox_of(&title) {
                        page.width = (x1 - x0) * scale;
                        page.height = (y1 - y0) * scale;
                    }
                    file.pages.push(page);
                    Open::Page
                } else if has_class(&class, "ocr_photo") || has_class(&class, "ocr_image") {
                    if let (Some(page), Some(b)) = (file.pages.last_mut(), bbox_of(&title)) {
                        page.figures.push(alto::pixel_box(b, scale));
                    }
                    Open::Other
                } else if has_class(&class, "ocr_carea")
                    || (has_class(&class, "ocr_par") && !stack.contains(&Open::Area))
                {
                    if let Some(page) = file.pages.last_mut() {
                        let n = page.words.len();
                        page.blocks.push(AltoBlock {
                            id: e
                                .try_get_attribute("id")
                                .ok()
                                .flatten()
                                .map(|a| String::from_utf8_lossy(&a.value).into_owned())
                                .unwrap_or_else(|| format!("block_{}", page.blocks.len() + 1)),
                            element: class.clone(),
                            bbox: bbox_of(&title).map(|b| alto::pixel_box(b, scale)),
                            composed: Vec::new(),
                            words: n..n,
                        });
                    }
                    Open::Area
                } else if [
                    "ocr_line",
                    "ocrx_line",
                    "ocr_caption",
                    "ocr_header",
                    "ocr_textfloat",
                ]
                .iter()
                .any(|c| has_class(&class, c))
                {
                    line += 1;
                    Open::Line
                } else if has_class(&class, "ocrx_word") {
                    words_total += 1;
                    if words_total > alto::MAX_WORDS {
                        return Err(Error::new(
                            ErrorKind::Malformed,
                            format!(
                                "the hOCR file holds more than {} words; refused",
                                alto::MAX_WORDS
                            ),
                        )
                        .with_path(path));
                    }
                    word = bbox_of(&title).map(|b| AltoWord {
                        text: String::new(),
                        bbox: alto::pixel_box(b, scale),
                        confidence: property(&title, "x_wconf")
                            .map(numbers)
                            .and_then(|n| n.first().copied())
                            .map(|c| (c / 100.0).clamp(0.0, 1.0)),
                        font_size: None,
                        bold: false,
                        italic: false,
                        block: file
                            .pages
                            .last()
                            .map_or(0, |p| p.blocks.len().saturating_sub(1)),
                        line,
                        hyphen: None,
                        subs_content: None,
                    });
                    Open::Word
                } else {
                    // Emphasis inside a word (`<strong>`, `<em>`).
                    if let Some(w) = word.as_mut() {
                        match e.local_name().as_ref() {
                            b"strong" | b"b" => w.bold = true,
                            b"em" | b"i" => w.italic = true,
                            _ => {}
                        }
                    }
                    Open::Other
                };
                if !empty {
                    stack.push(kind);
                } else if kind == Open::Word {
                    word = None;
                }
            }
            Event::Text(t) => {
                if let Some(w) = word.as_mut() {
                    w.text.push_str(&alto::xml_text(t.as_ref(), false));
                }
            }
            Event::GeneralRef(r) => {
                // `&amp;` and friends inside a word.
                if let Some(w) = word.as_mut() {
                    w.text.push_str(&alto::xml_text(r.as_ref(), true));
                }
            }
            // (Every end closes the innermost open element; a word's end
            // also files the word.)
            Event::End(_) if stack.pop() == Some(Open::Word) => {
                if let (Some(w), Some(page)) = (word.take(), file.pages.last_mut()) {
                    let text = w.text.trim().to_string();
                    if !text.is_empty() {
                        page.words.push(AltoWord { text, ..w });
                        if let Some(b) = page.blocks.last_mut() {
                            b.words.end = page.words.len();
                        }
                    }
                }
            }
            Event::Eof => break,
            _ => {}
        }
        buf.clear();
    }
    if file.pages.is_empty() {
        return Err(
            Error::new(ErrorKind::Empty, "the hOCR file holds no ocr_page").with_path(path),
        );
    }
    Ok(file)
}

#[cfg(test)]
mod tests {
    use super::*;

    const PAGE: &str = r#"<?xml version="1.0" encoding="UTF-8"?>
<!DOCTYPE html PUBLIC "-//W3C//DTD XHTML 1.0 Transitional//EN" "http://www.w3.org/TR/xhtml1/DTD/xhtml1-transitional.dtd">
<html xmlns="http://www.w3.org/1999/xhtml" xml:lang="en" lang="en">
 <head><meta name='ocr-system' content='tesseract 5.3.0' /></head>
 <body>
  <div class='ocr_page' id='page_1' title='image "p.png"; bbox 0 0 2480 3508; ppageno 0; scan_res 300 300'>
   <div class='ocr_carea' id='block_1_1' title="bbox 100 100 1200 400">
    <p class='ocr_par' id='par_1_1' lang='eng' title="bbox 100 100 1200 400">
     <span class='ocr_line' id='line_1_1' title="bbox 100 100 1200 160; baseline 0 -10; x_size 50">
      <span class='ocrx_word' id='word_1_1' title='bbox 100 100 400 160; x_wconf 96'><strong>Smith</strong></span>
      <span class='ocrx_word' id='word_1_2' title='bbox 430 100 700 160; x_wconf 91'>&amp;</span>
      <span class='ocrx_word' id='word_1_3' title='bbox 730 100 1200 160; x_wconf 40'>Sons&#39;</span>
     </span>
     <span class='ocr_line' id='line_1_2' title="bbox 100 200 800 260">
      <span class='ocrx_word' id='word_1_4' title='bbox 100 200 800 260; x_wconf 88'>store.</span>
     </span>
    </p>
   </div>
   <div class='ocr_photo' id='block_1_2' title="bbox 100 500 1200 1500"></div>
  </div>
 </body>
</html>"#;

    #[test]
    fn reads_words_boxes_confidences_and_areas() {
        assert!(is_hocr(PAGE.as_bytes()));
        let file = read_hocr(PAGE.as_bytes(), "p.hocr").expect("reads");
        let page = &file.pages[0];
        assert!(page.warnings.is_empty());
        // 2480 x 3508 px at 300 dpi is an A4 page.
        assert!((page.width - 595.2).abs() < 0.1 && (page.height - 841.9).abs() < 0.1);
        let texts: Vec<&str> = page.words.iter().map(|w| w.text.as_str()).collect();
        assert_eq!(texts, ["Smith", "&", "Sons'", "store."]);
        assert!(page.words[0].bold && !page.words[1].bold);
        assert_eq!(page.words[0].confidence, Some(0.96));
        assert_eq!(page.words[0].bbox.x0, 24.0);
        assert_eq!(page.words[0].line, page.words[2].line);
        assert_ne!(page.words[2].line, page.words[3].line);
        assert_eq!(page.blocks.len(), 1);
        assert_eq!(page.blocks[0].words, 0..4);
        assert_eq!(page.figures.len(), 1);
    }

    #[test]
    fn no_resolution_is_assumed_with_a_warning_and_junk_is_an_error() {
        let page = PAGE.replace("; scan_res 300 300", "");
        let file = read_hocr(page.as_bytes(), "p.hocr").expect("reads");
        assert_eq!(file.pages[0].warnings.len(), 1);
        let broken = &PAGE[..PAGE.len() / 2];
        // A truncated file either fails cleanly or gives what it holds.
        let _ = read_hocr(broken.as_bytes(), "p.hocr");
        let e = read_hocr(b"<html><body><p>hello</p></body></html>", "x.html").unwrap_err();
        assert!(e.to_string().contains("x.html"), "{e}");
    }
}
