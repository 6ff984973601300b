//! Text dumps: a decoded string to [`Page`]s of blocks of lines.
//!
//! Input: the decoded text (line ends already normalised to `\n`).
//! Output: one [`Page`] per form-feed separated part (pdftotext writes
//! `\f` between pages); in each page, blocks are the runs of non-blank
//! lines between blank lines, lines keep their text as printed (trailing
//! whitespace removed, leading whitespace removed too since a dump's
//! indentation is not reliable) and their 0-based line number in the input.
//! Nothing is classified here.

use crate::model::{Block, Line, Page};

/// Splits a dump into pages and blocks. Pages with no text are kept (their
/// number still counts) but have no blocks.
pub fn pages_from_text(text: &str) -> Vec<Page> {
    let mut pages = Vec::new();
    let mut line_no = 0usize;
    for (i, page_text) in text.split('\u{c}').enumerate() {
        let mut page = Page {
            number: (i + 1) as u32,
            ..Page::default()
        };
        let mut block = Block::default();
        for raw in page_text.split('\n') {
            let trimmed = raw.trim_matches(|c: char| c.is_whitespace() || c == '\u{feff}');
            if trimmed.is_empty() {
                if !block.lines.is_empty() {
                    page.blocks.push(std::mem::take(&mut block));
                }
            } else {
                block.lines.push(Line::from_text(trimmed, line_no));
            }
            line_no += 1;
        }
        if !block.lines.is_empty() {
            page.blocks.push(block);
        }
        // `split('\n')` counts the line the form feed sits on twice.
        line_no = line_no.saturating_sub(1);
        pages.push(page);
    }
    // A trailing form feed (pdftotext ends with one) makes an empty last page.
    while pages.len() > 1 && pages.last().is_some_and(|p| p.blocks.is_empty()) {
        pages.pop();
    }
    pages
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn blocks_split_on_blank_lines_and_pages_on_form_feeds() {
        let pages = pages_from_text(" 标题\n\n第一行\n第二行\n  \n第三行\n\u{c}第二页\n\u{c}");
        assert_eq!(pages.len(), 2);
        let texts: Vec<Vec<&str>> = pages[0]
            .blocks
            .iter()
            .map(|b| b.lines.iter().map(|l| l.text.as_str()).collect())
            .collect();
        assert_eq!(
            texts,
            vec![vec!["标题"], vec!["第一行", "第二行"], vec!["第三行"]]
        );
        assert_eq!(pages[0].blocks[1].lines[1].source_index, 3);
        assert_eq!(pages[1].number, 2);
        assert_eq!(pages[1].blocks[0].lines[0].text, "第二页");
    }
}
