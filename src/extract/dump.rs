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

/// The most lines layout takes at once. A printed page holds at most a
/// couple of thousand lines (eight broadsheet columns of 150 lines are
/// 1,200), so a longer "page" is a dump that lost its form feeds, and
/// layout and split, whose in-page edits cost more than linear time in the
/// page's length, would take quadratic time over the whole file on it.
pub const MAX_WINDOW_LINES: usize = 4000;

/// [`page_texts`] with each page longer than [`MAX_WINDOW_LINES`] cut into
/// windows that layout takes one at a time: (page number, index of the
/// window's first line in the dump, text). A window ends at the last blank
/// line of its final quarter when there is one, since a blank line is where
/// a paragraph or an article can end; else it is cut at the limit. Windows
/// of one page keep its number.
pub fn page_windows(text: &str) -> impl Iterator<Item = (u32, usize, &str)> + Clone {
    page_texts(text).flat_map(|(number, first_line, page_text)| {
        line_windows(page_text, MAX_WINDOW_LINES)
            .into_iter()
            .map(move |(offset, t)| (number, first_line + offset, t))
    })
}

/// Cuts `text` into runs of at most `max_lines` lines (see
/// [`page_windows`]): (index of the run's first line in `text`, run). One
/// pass over the text.
fn line_windows(text: &str, max_lines: usize) -> Vec<(usize, &str)> {
    let max_lines = max_lines.max(4);
    let mut windows = Vec::new();
    let (mut start, mut start_line) = (0usize, 0usize);
    let mut lines_in = 0usize;
    let mut last_blank: Option<(usize, usize)> = None; // (byte after it, line after it)
    let mut line_begin = 0usize;
    for (i, b) in text.bytes().enumerate() {
        if b != b'\n' {
            continue;
        }
        let line = &text[line_begin..i];
        line_begin = i + 1;
        lines_in += 1;
        if lines_in * 4 >= max_lines * 3 && line.trim().is_empty() {
            last_blank = Some((i + 1, start_line + lines_in));
        }
        if lines_in >= max_lines {
            let (end, end_line) = last_blank.unwrap_or((i + 1, start_line + lines_in));
            windows.push((start_line, &text[start..end]));
            // Lines after the cut belong to the next window.
            lines_in = start_line + lines_in - end_line;
            start = end;
            start_line = end_line;
            last_blank = None;
        }
    }
    if start < text.len() || windows.is_empty() {
        windows.push((start_line, &text[start..]));
    }
    windows
}

/// One page of a dump: blocks of non-blank lines between blank lines.
pub fn page_from_text(page_text: &str, number: u32, first_line: usize) -> Page {
    let mut page = Page {
        number,
        ..Page::default()
    };
    let mut block = Block::default();
    for (n, raw) in crate::script::split_lines(page_text).enumerate() {
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

    #[test]
    fn long_pages_are_cut_into_windows_at_blank_lines() {
        // 25 paragraphs of 3 lines and a blank line: 100 lines.
        let text: String = (0..25)
            .map(|p| format!("p{p} a\np{p} b\np{p} c\n\n"))
            .collect();
        let windows = line_windows(&text, 10);
        // Every line is in exactly one window, in order.
        let joined: String = windows.iter().map(|(_, t)| *t).collect();
        assert_eq!(joined, text);
        for (first, t) in &windows {
            let lines = t.matches('\n').count();
            assert!(lines <= 10, "a window of {lines} lines");
            // Each window starts where its first line is in the page, and
            // at a paragraph's first line (cut at a blank line).
            assert_eq!(text.split('\n').nth(*first), t.split('\n').next());
            assert!(t.ends_with("\n\n") || *first + lines >= 100, "{t:?}");
        }
        // A page within the limit is one window.
        assert_eq!(line_windows("a\nb\n", 10), vec![(0, "a\nb\n")]);
        // No blank line at all: cut at the limit.
        let solid = "x\n".repeat(25);
        let sizes: Vec<usize> = line_windows(&solid, 10)
            .iter()
            .map(|(_, t)| t.matches('\n').count())
            .collect();
        assert_eq!(sizes, vec![10, 10, 5]);
    }
}
