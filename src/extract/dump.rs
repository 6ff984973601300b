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
    page_texts(text)
        .map(|(number, first_line, t)| page_from_text(t, number, first_line))
        .collect()
}

/// The form-feed separated parts of a dump: (page number, index of the
/// page's first line in the dump, text). A trailing form feed (pdftotext
/// ends with one) makes no empty last page.
pub fn page_texts(text: &str) -> impl Iterator<Item = (u32, usize, &str)> + Clone {
    let trimmed = text.trim_end_matches(|c: char| c == '\u{c}' || c.is_whitespace());
    let body = if trimmed.is_empty() { text } else { trimmed };
    let mut line_no = 0usize;
    body.split('\u{c}').enumerate().map(move |(i, t)| {
        let first = line_no;
        // The line the form feed sits on is shared by both pages.
        line_no += t.matches('\n').count();
        ((i + 1) as u32, first, t)
    })
}

/// One page of a dump: blocks of non-blank lines between blank lines.
pub fn page_from_text(page_text: &str, number: u32, first_line: usize) -> Page {
    let mut page = Page {
        number,
        ..Page::default()
    };
    let mut block = Block::default();
    for (n, raw) in page_text.split('\n').enumerate() {
        let trimmed = raw.trim_matches(|c: char| c.is_whitespace() || c == '\u{feff}');
        if trimmed.is_empty() {
            if !block.lines.is_empty() {
                page.blocks.push(std::mem::take(&mut block));
            }
        } else {
            block.lines.push(Line::from_text(trimmed, first_line + n));
        }
    }
    if !block.lines.is_empty() {
        page.blocks.push(block);
    }
    page
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
