//! Layout for text dumps: a role for every line, from the line's shape and
//! wording, without geometry.
//!
//! Input: a [`Page`] from `extract::dump` (blocks of lines, all `Body`).
//! Output: the same page with a [`Role`] on every line, each block's column
//! measure set, and a headline line that the dump glued onto the next
//! fragment's first line split back into two lines. Text is not changed
//! otherwise; joining lines is left to `reflow`, article structure to
//! `split`.
//!
//! The evidence, in order of strength:
//! 1. wording cues (`cues`): furniture at the page's top and bottom, source
//!    tags, credits, captions with credits, bylines, subtitles;
//! 2. prose punctuation: a line holding `。` or ending in `，、：；` is text;
//! 3. the column measure: the typical width (in ems, see `script`) of the
//!    lines of a block. Running text fills the measure except on a
//!    paragraph's last line and (in CJK) its indented first line; a display
//!    line is shorter or wider than the measure and does not end a
//!    sentence;
//! 4. continuity: a full line that does not end a sentence runs on into the
//!    next line, across a blank line (a column break) if need be.

use crate::layout::cues;
use crate::model::{Block, Line, Page, Role};
use crate::script::{
    char_width, char_width_with, ends_sentence, holds_any, is_cjk_punct, is_closing_punct,
    is_opening_punct, line_shape_counted, text_width, text_width_with, COMPRESSED_PUNCT_WIDTH,
};

/// How far below the measure (in ems) a CJK line may fall and still count as
/// full: punctuation compression and kinsoku shift lines by about one em.
const CJK_FULL_SLACK: f32 = 1.25;
/// A line this much wider than the measure spans more than its column.
const OVERWIDE: f32 = 1.75;
/// A CJK paragraph's first line is indented two ems; with punctuation
/// compression it can hold up to about four ems less than a full line.
const MAX_INDENT: f32 = 4.5;
/// Lines of page furniture sit among the first and last few lines.
const FURNITURE_LINES: usize = 3;
/// The widest name (in ems) a byline may carry over to a line of its own
/// (a CJK personal name has two to four characters).
const BYLINE_NAME_WIDTH: f32 = 4.0;
/// Text this many times as wide as the paragraph before it is set over
/// more columns than that paragraph (a caption under a wide photo, an
/// article over two columns).
const WIDER_ITEM: f32 = 1.25;
/// The same for Latin text, whose widths are rougher estimates.
const WIDER_LATIN_ITEM: f32 = 1.5;
/// A CJK paragraph's first line is indented by two ems.
const INDENT: f32 = 2.0;

#[derive(Debug, Clone)]
struct Item {
    line: Line,
    block: usize,
    width: f32,
    /// Compressible CJK punctuation marks in the line.
    punct: u32,
    cjk: bool,
    /// [`prose_wording`] of the text, kept with it: several passes ask it
    /// of every line and its neighbours.
    prose: bool,
    /// [`stands_alone`] of the text, once asked (neighbouring lines ask it
    /// of each other more than once).
    alone: std::cell::Cell<Option<bool>>,
    /// Role decided by wording, before shape is looked at.
    fixed: bool,
}

impl Item {
    fn new(line: Line, block: usize) -> Item {
        let (width, cjk, punct) = line_shape_counted(&line.text);
        Item {
            width,
            punct,
            cjk,
            prose: prose_wording(&line.text, cjk),
            alone: std::cell::Cell::new(None),
            line,
            block,
            fixed: false,
        }
    }
    fn set_text(&mut self, text: String, punct_width: f32) {
        let (width, _, punct) = line_shape_counted(&text);
        self.prose = prose_wording(&text, self.cjk);
        self.alone.set(None);
        self.line.text = text;
        self.punct = punct;
        self.width = width + (punct_width - COMPRESSED_PUNCT_WIDTH) * punct as f32;
    }
    /// [`stands_alone`] of the line's text.
    fn alone(&self) -> bool {
        if let Some(known) = self.alone.get() {
            return known;
        }
        let alone = stands_alone(&self.line.text);
        self.alone.set(Some(alone));
        alone
    }
}

/// Assigns roles to the lines of a dump page; see the module doc.
pub fn assign_roles(page: &mut Page) {
    let mut items: Vec<Item> = Vec::new();
    let n_blocks = page.blocks.len();
    for (b, block) in std::mem::take(&mut page.blocks).into_iter().enumerate() {
        for line in block.lines {
            items.push(Item::new(line, b));
        }
    }
    rejoin_fragments(&mut items);
    mark_by_wording(&mut items);
    let punct_width = calibrate_punct_width(&mut items);
    let measures = block_measures(&items, n_blocks);
    let shape: Vec<(f32, f32, &str)> = items
        .iter()
        .filter(|it| !it.fixed && it.cjk)
        .map(|it| {
            (
                it.width,
                measures[it.block].unwrap_or(it.width),
                it.line.text.as_str(),
            )
        })
        .collect();
    let indented = paragraphs_indented(&shape);
    classify_by_shape(&mut items, &measures, punct_width, indented);
    // Rebuild blocks; a glued line split in two starts a new block with its
    // body part (the headline and the text were separate in print).
    let unit_starts = spanning_headline_starts(&items, &measures);
    let mut blocks: Vec<Block> = Vec::new();
    let mut last_block = usize::MAX;
    for (it, unit_start) in items.into_iter().zip(unit_starts) {
        if it.block != last_block || unit_start {
            blocks.push(Block {
                lines: Vec::new(),
                bbox: None,
                measure: measures.get(it.block).copied().flatten(),
                starts_unit: unit_start,
                region: None,
            });
            last_block = it.block;
        }
        if let Some(b) = blocks.last_mut() {
            let mut line = it.line;
            line.width = Some(it.width);
            b.lines.push(line);
        }
    }
    page.blocks = blocks;
}

/// Lines that open an article although no blank line sets them off: a CJK
/// heading line or text wider than the column, right after a finished
/// paragraph or a closing tag or credit. A sub-heading sits inside its
/// column; a line spanning more than the column is a headline over several
/// columns, so the text before it is complete.
fn spanning_headline_starts(items: &[Item], measures: &[Option<f32>]) -> Vec<bool> {
    let mut out = vec![false; items.len()];
    for k in 1..items.len() {
        let (prev, it) = (&items[k - 1], &items[k]);
        let Some(m) = measures.get(it.block).copied().flatten() else {
            continue;
        };
        let closed = match prev.line.role {
            Role::Body => ends_sentence(&prev.line.text),
            Role::SourceTag | Role::Credit => true,
            _ => false,
        };
        let wide = |x: &Item| x.cjk && !x.fixed && x.width > m + OVERWIDE;
        // Text set wider than the paragraph before it, after that paragraph
        // finished, is another item's (a photo's caption, an article over
        // more columns): its first line, or the line after a short first
        // piece. The paragraph's measure is its last full line (one that
        // runs on), as a block may hold text of several measures.
        let local = items[..k - 1]
            .iter()
            .rev()
            .take(3)
            .take_while(|p| p.line.role == Role::Body && p.block == it.block)
            .find(|p| !ends_sentence(&p.line.text))
            .map(|p| p.width);
        // Widths in a dump are estimates (digits, spaces), so "wider" is
        // by a quarter at least, as a span of more columns is.
        // Latin widths come from character counts and word wrap leaves
        // lines ragged, so Latin text must be clearly wider.
        let wider = |x: &Item| {
            let ratio = if x.cjk { WIDER_ITEM } else { WIDER_LATIN_ITEM };
            local.is_some_and(|l| {
                x.line.role == Role::Body && !x.fixed && x.width > (l + OVERWIDE).max(l * ratio)
            })
        };
        let piece = local.is_some_and(|l| it.width < l - INDENT - CJK_FULL_SLACK);
        let wide_text = wider(it)
            || (it.line.role == Role::Body
                && !it.fixed
                && piece
                && !ends_sentence(&it.line.text)
                && items.get(k + 1).is_some_and(wider));
        out[k] = closed
            && prev.block == it.block
            && ((it.line.role == Role::Heading && wide(it)) || wide_text);
    }
    out
}

fn mark_by_wording(items: &mut Vec<Item>) {
    // A source tag printed at the end of a paragraph's last line is a line
    // of its own for what follows: the sentence before it is complete.
    let mut k = 0;
    while k < items.len() {
        if let Some((cut, _)) = cues::trailing_source_tag(&items[k].line.text) {
            if cut > 0 {
                let mut tag = items[k].clone();
                tag.set_text(
                    items[k].line.text[cut..].trim().to_string(),
                    COMPRESSED_PUNCT_WIDTH,
                );
                let head = items[k].line.text[..cut].to_string();
                items[k].set_text(head, COMPRESSED_PUNCT_WIDTH);
                items.insert(k + 1, tag);
                k += 1;
            }
        }
        k += 1;
    }
    let n = items.len();
    // A bracket after a sentence that has not ended is part of that
    // sentence (`（以下简称…）`): a source tag closes finished text.
    let mid_sentence: Vec<bool> = (0..n)
        .map(|k| {
            k > 0 && {
                let p = &items[k - 1];
                !p.fixed && looks_like_prose(p) && !ends_sentence(&p.line.text)
            }
        })
        .collect();
    for (k, item) in items.iter_mut().enumerate() {
        let text = item.line.text.as_str();
        let near_edge = k < FURNITURE_LINES || k + FURNITURE_LINES >= n;
        let furniture = if near_edge || text.len() < 120 && cues::is_editor_line(text) {
            cues::furniture_kind(text)
        } else {
            None
        };
        let role = if furniture.is_some() {
            Some(Role::Furniture)
        } else if cues::jump(text).is_some() {
            Some(Role::Jump)
        } else if cues::is_source_tag(text) && !mid_sentence[k] {
            Some(Role::SourceTag)
        } else if cues::credit_names(text).is_some() {
            Some(Role::Credit)
        } else if cues::is_byline(text) {
            Some(Role::Byline)
        } else if cues::caption_with_credit(text).is_some() {
            Some(Role::Caption)
        } else {
            None
        };
        if let Some(r) = role {
            item.line.role = r;
            item.fixed = true;
        }
    }
    // A photo printed between an article's heading and its text: the
    // sentence right above the credit, right under a display line (no
    // punctuation, or a subtitle's dash), is its caption, and the byline
    // right under the credit opens the text, so the credit closes no
    // article.
    for k in 1..n.saturating_sub(2) {
        let above = items[k - 1].line.text.as_str();
        let under_display = !items[k - 1].fixed
            && (cues::is_subtitle(above)
                || !above.contains(['，', '、', '。', ',', '.', ';', '；', '：', ':']));
        let is_caption = under_display
            && !items[k].fixed
            && ends_sentence(&items[k].line.text)
            && items[k + 1].line.role == Role::Credit
            && items[k + 2].line.role == Role::Byline;
        if is_caption {
            items[k].line.role = Role::Caption;
            items[k].fixed = true;
        }
    }
}

/// Does the page indent the first lines of its CJK paragraphs? The line
/// after a clearly short sentence end (a paragraph's last line) starts a
/// paragraph; when it reads as text (it holds a comma) and does not end a
/// sentence itself, its width tells. Most such lines short: the page
/// indents. With too little evidence, CJK typesetting's usual indent is
/// assumed. `lines` are (width, measure, text) of CJK lines in order.
pub(crate) fn paragraphs_indented(lines: &[(f32, f32, &str)]) -> bool {
    const MIN_EVIDENCE: usize = 3;
    let (mut short, mut total) = (0usize, 0usize);
    for w in lines.windows(2) {
        let ((aw, am, at), (bw, bm, bt)) = (w[0], w[1]);
        let starts = ends_sentence(at) && aw <= am - 3.0;
        let text_line = !ends_sentence(bt) && bt.contains(['，', '、']);
        if starts && text_line {
            total += 1;
            short += usize::from(bw <= bm - CJK_FULL_SLACK);
        }
    }
    total < MIN_EVIDENCE || short * 2 > total
}

/// The index ranges of the items of each block, in order.
fn block_ranges(items: &[Item]) -> Vec<std::ops::Range<usize>> {
    let mut out = Vec::new();
    let mut start = 0;
    while start < items.len() {
        let b = items[start].block;
        let mut end = start;
        while end < items.len() && items[end].block == b {
            end += 1;
        }
        out.push(start..end);
        start = end;
    }
    out
}

/// Chooses how wide CJK punctuation is set on this page and re-measures
/// the lines: some papers compress `，。“”` to half a cell, others set them
/// in full cells. The choice that makes the inner lines of running text
/// (neither first nor last of their block) most even wins; with too few
/// such lines, compression is assumed.
fn calibrate_punct_width(items: &mut [Item]) -> f32 {
    const MIN_LINES: usize = 6;
    let mut by_block: Vec<Vec<(f32, u32)>> = Vec::new();
    for std::ops::Range { start, end } in block_ranges(items) {
        if end - start >= 3 {
            let inner: Vec<(f32, u32)> = items[start + 1..end - 1]
                .iter()
                .filter(|it| !it.fixed && it.cjk)
                .map(|it| (it.width, it.punct))
                .collect();
            if !inner.is_empty() {
                by_block.push(inner);
            }
        }
    }
    let spread = |p: f32| -> f32 {
        by_block
            .iter()
            .map(|lines| {
                let mut w: Vec<f32> = lines
                    .iter()
                    .map(|(w, n)| w + (p - COMPRESSED_PUNCT_WIDTH) * *n as f32)
                    .collect();
                w.sort_by(|a, b| a.total_cmp(b));
                let median = w[w.len() / 2];
                w.iter().map(|x| (x - median).abs()).sum::<f32>()
            })
            .sum()
    };
    let lines: usize = by_block.iter().map(Vec::len).sum();
    // Full cells must be clearly more even: on a page that mixes the two
    // styles the spreads are close, and compression is the safer guess.
    let p = if lines >= MIN_LINES && spread(1.0) < 0.8 * spread(COMPRESSED_PUNCT_WIDTH) {
        1.0
    } else {
        COMPRESSED_PUNCT_WIDTH
    };
    if p != COMPRESSED_PUNCT_WIDTH {
        for it in items.iter_mut() {
            it.width += (p - COMPRESSED_PUNCT_WIDTH) * it.punct as f32;
        }
    }
    p
}

/// The measure of each block: the median width of its lines other than the
/// last (a paragraph's last line is short), over lines not fixed by wording.
/// Blocks too small to tell borrow from the nearest block after them (a
/// heading usually precedes its text), else before them.
fn block_measures(items: &[Item], n_blocks: usize) -> Vec<Option<f32>> {
    let mut own: Vec<Option<f32>> = vec![None; n_blocks];
    for std::ops::Range { start, end } in block_ranges(items) {
        let b = items[start].block;
        let mut widths: Vec<f32> = items[start..end.saturating_sub(1)]
            .iter()
            .filter(|it| !it.fixed)
            .map(|it| it.width)
            .collect();
        // Only running text has a measure: a block of display lines
        // (kicker, two-line headline) would give a false one.
        let prose = items[start..end]
            .iter()
            .filter(|it| !it.fixed && looks_like_prose(it))
            .count();
        // Two lines only count when they agree (a display line and a text
        // line in one block would give a false measure).
        let consistent = widths.len() >= 3
            || (widths.len() == 2 && (widths[0] - widths[1]).abs() <= CJK_FULL_SLACK);
        if consistent && prose * 2 >= end - start {
            widths.sort_by(|a, b| a.total_cmp(b));
            own[b] = Some(widths[widths.len() / 2]);
        }
    }
    // A typical line of each block, to choose between neighbours: the
    // narrowest line (a glued or spanning line is wider than the column),
    // leaving out the last line of blocks of three or more (it is short).
    let mut typical: Vec<Option<f32>> = vec![None; n_blocks];
    for (k, it) in items.iter().enumerate() {
        let last_in_block = items.get(k + 1).is_none_or(|n| n.block != it.block);
        let third_or_later =
            k >= 2 && items[k - 1].block == it.block && items[k - 2].block == it.block;
        // The last line is left out only where a block has others enough.
        if it.fixed || (last_in_block && third_or_later) {
            continue;
        }
        let t = &mut typical[it.block];
        *t = Some(t.map_or(it.width, |w: f32| w.min(it.width)));
    }
    let mut out = own.clone();
    for b in 0..n_blocks {
        if out[b].is_none() {
            let after = own[b + 1..].iter().flatten().next().copied();
            let before = own[..b].iter().rev().flatten().next().copied();
            out[b] = match (before, after) {
                // A fragment of running text matches the column it continues;
                // display lines are narrower than both, so either will do.
                (Some(x), Some(y)) if typical[b].is_some_and(|t| t > x.min(y) + CJK_FULL_SLACK) => {
                    let t = typical[b].unwrap_or(0.0);
                    Some(if (t - x).abs() < (t - y).abs() { x } else { y })
                }
                (x, y) => y.or(x),
            };
        }
    }
    out
}

/// Can a line be a display line (headline, kicker, sub-heading) by its
/// punctuation? Display lines hold no full stop and do not end in
/// punctuation that continues a sentence.
fn has_prose_punctuation(text: &str) -> bool {
    let t = text.trim_end();
    t.contains('。') || t.contains(". ") || ends_mid_sentence(t)
}

/// Does a line end in punctuation that continues a sentence? A wrapped
/// Latin headline may end a line with a comma, so only the CJK marks and a
/// line-end hyphen count.
fn ends_mid_sentence(text: &str) -> bool {
    text.trim_end()
        .ends_with(['，', '、', '：', '；', '-', '⸗', '¬'])
}

fn is_full(it: &Item, measure: f32, next: Option<&Item>) -> bool {
    if it.cjk {
        it.width >= measure - CJK_FULL_SLACK
    } else {
        // Latin lines wrap at word boundaries: a line is full when the next
        // line's first word would not have fitted on it.
        let next_word = next
            .and_then(|n| n.line.text.split_whitespace().next())
            .map(text_width)
            .unwrap_or(2.0);
        it.width + 0.5 + next_word > measure - (0.08 * measure).max(1.0)
    }
}

fn classify_by_shape(
    items: &mut Vec<Item>,
    measures: &[Option<f32>],
    punct_width: f32,
    indented: bool,
) {
    let mut k = 0;
    while k < items.len() {
        if items[k].fixed {
            k += 1;
            continue;
        }
        let m = measures[items[k].block].unwrap_or(items[k].width);
        let role = decide(items, k, m, measures, punct_width, indented);
        match role {
            Decision::Role(r) => items[k].line.role = r,
            Decision::SplitGlued(at) => {
                let it = items[k].clone();
                let (head, tail) = {
                    let (h, t) = it.line.text.split_at(at);
                    (h.to_string(), t.to_string())
                };
                let mut head_item = it.clone();
                head_item.set_text(head.trim_end().to_string(), punct_width);
                head_item.line.role = Role::Heading;
                let mut tail_item = it;
                tail_item.set_text(tail.trim_start().to_string(), punct_width);
                tail_item.line.role = Role::Body;
                // The body part belongs with the text after it: give it the
                // block of the next line so the measure and flow match.
                if let Some(next) = items.get(k + 1) {
                    tail_item.block = next.block;
                }
                items[k] = head_item;
                items.insert(k + 1, tail_item);
                k += 1;
            }
        }
        k += 1;
    }
    heading_runs_before_openers(items);
    // A dash line directly under a display line is its subtitle.
    for k in 1..items.len() {
        if !items[k].fixed
            && cues::is_subtitle(&items[k].line.text)
            && items[k].width < 40.0
            && !items[k].line.text.contains('。')
            && items[k - 1].line.role == Role::Heading
        {
            items[k].line.role = Role::Subtitle;
        }
    }
}

/// Lines that do not end a sentence cannot end a paragraph: a short run of
/// them (up to three lines) right before a heading, a byline, an opener or
/// a `Continued from` line,
/// after a finished sentence, is display type too (a headline whose last line the
/// shape rules took for text).
fn heading_runs_before_openers(items: &mut [Item]) {
    const MAX_HEADING_LINES: usize = 3;
    let mut k = items.len();
    while k > 1 {
        k -= 1;
        let next = &items[k];
        let next_starts = matches!(next.line.role, Role::Heading | Role::Byline)
            || (next.line.role == Role::Body && opens_with_opener(items, k))
            // A continuation is printed under its own heading, above the
            // `Continued from` line.
            || (next.line.role == Role::Jump
                && cues::jump(&next.line.text)
                    .is_some_and(|(d, _)| d == crate::model::JumpDirection::From));
        if !next_starts {
            continue;
        }
        let is_candidate = |it: &Item| {
            it.line.role == Role::Body
                && !it.fixed
                && !ends_sentence(&it.line.text)
                && !has_prose_punctuation(&it.line.text)
                && !it.line.text.contains(['，', '、', '；'])
        };
        let mut start = k;
        while start > 0 && k - start < MAX_HEADING_LINES && is_candidate(&items[start - 1]) {
            start -= 1;
        }
        if start == k {
            continue;
        }
        let closed_before = start == 0 || {
            let p = &items[start - 1];
            p.fixed || p.line.role != Role::Body || ends_sentence(&p.line.text)
        };
        if closed_before {
            for it in &mut items[start..k] {
                it.line.role = Role::Heading;
            }
            k = start;
        }
    }
}

enum Decision {
    Role(Role),
    /// Split the line at this byte offset: heading before, body after.
    SplitGlued(usize),
}

fn decide(
    items: &[Item],
    k: usize,
    m: f32,
    measures: &[Option<f32>],
    punct_width: f32,
    indented: bool,
) -> Decision {
    let it = &items[k];
    let text = it.line.text.as_str();
    let prev = k.checked_sub(1).map(|p| &items[p]);
    let next = items.get(k + 1);
    let overwide_limit = if it.cjk { m + OVERWIDE } else { m * 1.15 + 1.0 };
    let prev_closed =
        prev.is_none_or(|p| p.fixed || p.line.role != Role::Body || ends_sentence(&p.line.text));

    // A line wider than its column that starts like a heading and ends like
    // text, where a new unit may start (under a display line, after a
    // finished sentence or at the page's top) and whose next line is of the
    // narrower column: a headline line glued to a body line.
    let may_start =
        prev.is_none_or(|p| p.line.role == Role::Heading || p.fixed || ends_sentence(&p.line.text));
    let next_narrow = next.is_some_and(|n| n.width <= m + 1.0);
    // Under a heading line, the text's column is the next line's (the block
    // measure may mix columns when the dump has no blank line between them).
    let under_heading = prev.is_some_and(|p| p.line.role == Role::Heading);
    let m_glue = match next {
        Some(n) if under_heading && !n.fixed && n.width < it.width - 2.0 => n.width.max(m),
        _ => m,
    };
    let glue_limit = if under_heading {
        m_glue + OVERWIDE
    } else {
        overwide_limit
    };
    let next_narrow =
        next_narrow || (under_heading && next.is_some_and(|n| n.width < it.width - 2.0));
    // An opener inside the line after a heading-like start: a headline
    // printed at the head of its text with no line break.
    if it.cjk && may_start {
        if let Some(at) = opener_split(text, 4.0, punct_width) {
            return Decision::SplitGlued(at);
        }
    }
    // An opener may run over a line break (`新华社北京 1 月 8` / `日电…`):
    // a dateline is printed in the text's measure like any first line.
    let starts_with_opener = opens_with_opener(items, k);
    if it.cjk && it.width > glue_limit && may_start && next_narrow && !starts_with_opener {
        let above = prev
            .filter(|p| p.line.role == Role::Heading)
            .map(|p| p.width);
        // Without a heading line above, only a clear overflow (a heading
        // part of several characters) counts: measures are estimates.
        let min_head = if above.is_some() { 2.0 } else { 4.0 };
        let clear_overflow = above.is_some() || it.width >= m + 4.0;
        // The text part is a paragraph's first line: indented on pages that
        // indent.
        let first_line = if indented { m_glue - 2.0 } else { m_glue };
        if let Some(at) =
            glued_split(text, above, first_line, min_head, punct_width).filter(|_| clear_overflow)
        {
            return Decision::SplitGlued(at);
        }
    }
    if has_prose_punctuation(text)
        || (it.cjk && holds_any(text, &['，', '、', '；', '：', '（', '）']))
        || starts_with_opener
        // `图为…` (pictured: …) opens a caption, never a heading.
        || text.starts_with("图为")
    {
        return Decision::Role(Role::Body);
    }
    // A sentence that has not ended goes on: the line after running text
    // that stops mid-sentence is more of that text. A headline follows a
    // finished paragraph, a closing tag or credit, or the page's top, never
    // half a sentence (a reading-order dump cuts printed lines into pieces,
    // so such a piece may be of any width).
    if prev.is_some_and(|p| p.line.role == Role::Body && !p.fixed && !ends_sentence(&p.line.text)) {
        return Decision::Role(Role::Body);
    }
    // A line whose characters are spaced apart was stretched to fill its
    // column: justification spreads a text line that holds few characters
    // (before a long number or word) over the full measure, while display
    // type is set solid or with one deliberate gap.
    if it.cjk && letter_spaced(text) {
        return Decision::Role(Role::Body);
    }
    // Wider than the column: a heading spanning columns. Latin line widths
    // are only estimated from character counts, so a Latin line must also
    // look like display type (mostly capitalised words).
    if it.width > overwide_limit && !text.contains('，') && (it.cjk || mostly_capitalised(text)) {
        return Decision::Role(Role::Heading);
    }
    // Display type by its wording: the deliberate gap between a headline's
    // two halves, a subtitle's dash, or a byline right under it.
    if has_halves_gap(text)
        || (cues::is_subtitle(text) && it.width < 40.0)
        || (!ends_sentence(text)
            && next.is_some_and(|n| n.line.role == Role::Byline)
            && prev_closed)
    {
        return Decision::Role(Role::Heading);
    }
    // Latin: a one-line block between a finished sentence and a new one
    // (the next line opens with a capital) cannot be a column fragment,
    // unless its last word cannot end a phrase (`of the`), or a name runs
    // on (`director Marcus` / `Whitfield said`), or the next line is the
    // short end of a paragraph.
    if !it.cjk
        && !ends_sentence(text)
        && prev_closed
        && is_alone_in_block(items, k)
        && next.is_some_and(|n| {
            let t = n.line.text.as_str();
            t.starts_with(|c: char| c.is_uppercase() || c == '"' || c == '“')
                && !(ends_sentence(t) && is_alone_in_block(items, k + 1))
        })
        && latin_phrase_can_end(text)
    {
        return Decision::Role(Role::Heading);
    }
    // Latin: the lines right under a heading line that do not read as a
    // sentence belong to the heading, up to the end of its block.
    if !it.cjk
        && !ends_sentence(text)
        && prev.is_some_and(|p| p.line.role == Role::Heading && p.block == it.block)
        && next.is_none_or(|n| n.block != it.block || n.fixed)
    {
        return Decision::Role(Role::Heading);
    }
    if ends_sentence(text) {
        // A one-line block ending in ? or ! between finished paragraphs is a
        // question or exclamation headline.
        let isolated = is_alone_in_block(items, k)
            && text.ends_with(['？', '?', '！', '!'])
            && prev.is_none_or(|p| p.line.role != Role::Body || ends_sentence(&p.line.text));
        return Decision::Role(if isolated && it.width < m - 2.0 {
            Role::Heading
        } else {
            Role::Body
        });
    }
    if let Some(p) = prev {
        let pm = measures[p.block].unwrap_or(p.width);
        if p.line.role == Role::Body && !ends_sentence(&p.line.text) && is_full(p, pm, Some(it)) {
            return Decision::Role(Role::Body);
        }
    }
    let full = is_full(it, m, next);
    let next_full_text = next.is_some_and(|n| {
        !n.fixed && {
            let nm = measures[n.block].unwrap_or(n.width);
            is_full(n, nm, items.get(k + 2))
                && !starts_paragraph(n)
                && !(n.cjk && n.width > nm + OVERWIDE)
        }
    });
    if !full {
        // An indented first line whose paragraph goes on after it, in the
        // same block or after a column break (not the second line of a
        // headline: that one is followed by the text's first line; a
        // two-part headline line is complete, though).
        if it.cjk
            && indented
            && next_full_text
            && m - it.width <= MAX_INDENT
            && prev.is_none_or(|p| {
                p.line.role != Role::Heading
                    || has_halves_gap(&p.line.text)
                    // A headline's two lines are balanced; a heading line
                    // far shorter than this one is the tail of a heading
                    // wrapped at the measure, so this is the text's start.
                    || p.width + INDENT < it.width
            })
        {
            return Decision::Role(Role::Body);
        }
        return Decision::Role(Role::Heading);
    }
    // A full line that does not end a sentence and is not continued by a
    // full line: a heading as wide as the column, unless the text goes on.
    if next_full_text && next.is_some_and(|n| n.cjk == it.cjk) {
        return Decision::Role(Role::Body);
    }
    // Followed in its block by a line that ends a sentence: the two are the
    // end of a paragraph (a headline is never followed by its text's last
    // line without a break).
    if next.is_some_and(|n| {
        n.block == it.block
            && !n.fixed
            && ends_sentence(&n.line.text)
            && !has_display_cue(&n.line.text)
    }) {
        return Decision::Role(Role::Body);
    }
    if prev_closed && it.cjk {
        Decision::Role(Role::Heading)
    } else {
        Decision::Role(Role::Body)
    }
}

/// Running text, by its wording (see [`prose_wording`]).
fn looks_like_prose(it: &Item) -> bool {
    it.prose
}

/// Running text, by its wording: CJK with punctuation, or Latin with
/// punctuation or mostly lower-case words.
fn prose_wording(t: &str, cjk: bool) -> bool {
    if cjk {
        return holds_any(t, &['，', '。', '、', '；', '：']);
    }
    if t.contains([',', '.', ';', ':']) {
        return true;
    }
    let (mut words, mut lower) = (0usize, 0usize);
    for w in t.split_whitespace() {
        words += 1;
        lower += usize::from(w.starts_with(|c: char| c.is_lowercase()));
    }
    words >= 3 && lower * 2 >= words
}

/// Can a Latin display line end with this word? Not with an article, a
/// preposition or a conjunction, nor with a capitalised word (other than the
/// first) that a name may continue on the next line.
fn latin_phrase_can_end(text: &str) -> bool {
    const RUNS_ON: [&str; 16] = [
        "the", "a", "an", "of", "to", "and", "or", "in", "on", "at", "for", "by", "with", "from",
        "as", "that",
    ];
    let words: Vec<&str> = text.split_whitespace().collect();
    let Some(last) = words.last() else {
        return false;
    };
    let bare = last
        .trim_matches(|c: char| !c.is_alphanumeric())
        .to_lowercase();
    let capitalised_tail = words.len() > 1 && last.starts_with(|c: char| c.is_uppercase());
    !RUNS_ON.contains(&bare.as_str()) && !capitalised_tail
}

/// Title Case or capitals: most words start with a capital letter.
fn mostly_capitalised(text: &str) -> bool {
    let words: Vec<&str> = text
        .split_whitespace()
        .filter(|w| w.chars().any(char::is_alphabetic))
        .collect();
    let caps = words
        .iter()
        .filter(|w| {
            w.chars()
                .find(|c| c.is_alphabetic())
                .is_some_and(char::is_uppercase)
        })
        .count();
    !words.is_empty() && caps * 10 >= words.len() * 6
}

/// One gap between two runs of three or more CJK letters, and nothing
/// else: the two halves of a headline (`聚焦人居环境整治 争创“生态宜居星”`).
/// Justification spaces come in numbers or next to digits and punctuation.
fn has_halves_gap(text: &str) -> bool {
    let mut parts = text.split_whitespace();
    let (Some(a), Some(b), None) = (parts.next(), parts.next(), parts.next()) else {
        return false;
    };
    use crate::script::is_cjk_letter;
    let letters = |t: &str| t.chars().filter(|c| is_cjk_letter(*c)).count();
    // Halves hold letters, digits and quotation marks only.
    let clean = |t: &str| {
        t.chars().all(|c| {
            is_cjk_letter(c)
                || c.is_ascii_digit()
                || matches!(c, '“' | '”' | '‘' | '’' | '《' | '》' | '「' | '」')
        })
    };
    let edge_ok =
        a.chars().last().is_some_and(is_cjk_letter) && b.chars().next().is_some_and(is_cjk_letter);
    edge_ok && letters(a) >= 3 && letters(b) >= 3 && clean(a) && clean(b)
}

/// Five or more pieces between spaces, nearly all of one character: the
/// letters of a line spread apart (`社 区 负 责 人 介`).
fn letter_spaced(text: &str) -> bool {
    const MIN_PIECES: usize = 5;
    let pieces: Vec<&str> = text.split_whitespace().collect();
    let single = pieces.iter().filter(|p| p.chars().count() == 1).count();
    pieces.len() >= MIN_PIECES && single * 5 >= pieces.len() * 4
}

/// Wording that marks a display line: a sub-heading marker or a subtitle
/// dash.
fn has_display_cue(text: &str) -> bool {
    cues::has_subheading_marker(text) || cues::is_subtitle(text)
}

fn is_alone_in_block(items: &[Item], k: usize) -> bool {
    let b = items[k].block;
    k.checked_sub(1).is_none_or(|p| items[p].block != b)
        && items.get(k + 1).is_none_or(|n| n.block != b)
}

/// Does a line look like the first line of a paragraph (an opener, an
/// opening quote)?
fn starts_paragraph(it: &Item) -> bool {
    let t = it.line.text.as_str();
    t.chars().next().is_some_and(is_opening_punct) || cues::opener(t).is_some()
}

/// Where to cut a glued line: the body part must be about one column wide
/// (a full or indented first line) and the heading part must hold no
/// sentence punctuation; among the candidates, the heading part closest in
/// width to the heading line above wins (two-line headlines are balanced).
/// An opener (`本报讯（…）`, `新华社…电`) inside a line, after a part that
/// reads as a heading: the cut is exact.
fn opener_split(text: &str, min_head: f32, punct_width: f32) -> Option<usize> {
    if !(text.contains("本报") || text.contains("新华社") || text.contains("中新社")) {
        return None;
    }
    // One pass with a running head width: measuring every prefix anew is
    // quadratic on a long line (a 1 MB line took seconds).
    let mut head_width = 0.0f32;
    for (k, (pos, c)) in text.char_indices().enumerate() {
        // A heading holds no comma, space or full stop, so once the head
        // has one no later cut can qualify.
        if matches!(c, '，' | ' ' | '。') {
            return None;
        }
        if k >= 2
            && matches!(c, '本' | '新' | '中')
            && head_width >= min_head
            // The head has no full stop and no space (see above), so of
            // the prose marks only its last character is left to test.
            && !ends_mid_sentence(&text[..pos])
            && cues::opener(&text[pos..]).is_some()
        {
            return Some(pos);
        }
        head_width += char_width_with(c, punct_width);
    }
    None
}

fn glued_split(
    text: &str,
    heading_above: Option<f32>,
    measure: f32,
    min_head: f32,
    punct_width: f32,
) -> Option<usize> {
    if let Some(pos) = opener_split(text, min_head, punct_width) {
        return Some(pos);
    }
    // Widths are additive per character, so the tail's width is the whole
    // line's minus the head's: one pass, linear in the line. The costlier
    // head tests run only where the tail fits the column, a handful of
    // positions whatever the line's length.
    let total = text_width_with(text, punct_width);
    // The body part must hold sentence punctuation somewhere.
    let last_prose_mark = text.rfind(['，', '。', '、', '；', '：']);
    let mut best: Option<(f32, usize)> = None;
    let mut head_width = 0.0f32;
    let mut exact_head = 0.0f32;
    let mut head_has_comma = false;
    for (pos, c) in text.char_indices() {
        if pos > 0 {
            let tail_width = total - exact_head;
            let tail_ok = tail_width <= measure + 0.75 && tail_width >= measure - 3.5;
            if tail_ok && head_width >= min_head && !head_has_comma {
                // The heading part holds no sentence punctuation and no
                // space but a headline's deliberate gap; the body part
                // reads as prose.
                let head = &text[..pos];
                // A number and its measure word (`1 月`) are not cut apart.
                let splits_number = head.ends_with(|c: char| c.is_ascii_digit())
                    && text[pos..]
                        .trim_start()
                        .starts_with(|c: char| crate::script::is_cjk_letter(c));
                let head_ok = !splits_number
                    && !has_prose_punctuation(head)
                    && (!head.contains(' ') || has_halves_gap(head))
                    && last_prose_mark.is_some_and(|m| m >= pos);
                if head_ok {
                    // Mostly the text part's fit to the column; a little
                    // the balance with the heading line above (two-line
                    // headlines tend to even halves, but not always).
                    let target = heading_above.unwrap_or(head_width);
                    let cost = (head_width - target).abs() * 0.5 + (measure - tail_width).abs();
                    if best.is_none_or(|(c0, _)| cost < c0) {
                        best = Some((cost, pos));
                    }
                }
            }
        }
        head_has_comma |= c == '，';
        exact_head += char_width_with(c, punct_width);
        head_width += if crate::script::char_width(c) == COMPRESSED_PUNCT_WIDTH && !c.is_ascii() {
            punct_width
        } else {
            crate::script::char_width(c)
        };
    }
    best.map(|(_, pos)| pos)
}

/// The dump's full-line width: the most common width (to the nearest em)
/// among its CJK lines of some length, refined to the median of the lines
/// within an em of it. Running text is most of a page and its lines all
/// fill the column, while fragments, headlines and last lines spread over
/// every width. `None` with too few lines to tell.
fn dump_measure<'a>(items: impl Iterator<Item = &'a Item>) -> Option<f32> {
    const MIN_LINES: usize = 8;
    // Shorter lines are fragments or display lines; they would swamp the
    // count on a page cut up by a reading-order dump.
    const MIN_WIDTH: f32 = 4.0;
    let widths: Vec<f32> = items
        .filter(|it| it.cjk && it.width >= MIN_WIDTH)
        .map(|it| it.width)
        .collect();
    if widths.len() < MIN_LINES {
        return None;
    }
    let mut counts: std::collections::BTreeMap<i32, usize> = std::collections::BTreeMap::new();
    for w in &widths {
        *counts.entry(w.round() as i32).or_default() += 1;
    }
    // The bin with most lines, counting its neighbours half (widths near a
    // bin edge fall either side); ties go to the wider bin, since fragments
    // are narrower than full lines.
    let score = |b: i32| {
        2 * counts.get(&b).copied().unwrap_or(0)
            + counts.get(&(b - 1)).copied().unwrap_or(0)
            + counts.get(&(b + 1)).copied().unwrap_or(0)
    };
    let best = counts.keys().copied().max_by_key(|b| (score(*b), *b))?;
    let mut near: Vec<f32> = widths
        .into_iter()
        .filter(|w| (w - best as f32).abs() <= 1.0)
        .collect();
    near.sort_by(|a, b| a.total_cmp(b));
    near.get(near.len() / 2).copied()
}

/// The column measure around each line of a long block, from the running
/// text near it: the second widest of the nearby CJK lines that hold prose
/// punctuation. A reading-order dump cuts printed lines into pieces of any
/// width, but no piece of running text is wider than its column, and the
/// full lines among them reach it; display lines (no punctuation) and one
/// line spanning more columns (a caption) are left out. A dump without
/// blank lines is one block holding columns of several measures, so the
/// measure is taken near the line, not over the block. `None` where too
/// few such lines are near.
fn local_measures(items: &[Item]) -> Vec<Option<f32>> {
    const REACH: usize = 8;
    const MIN_LINES: usize = 4;
    (0..items.len())
        .map(|k| {
            let lo = k.saturating_sub(REACH);
            let hi = (k + REACH + 1).min(items.len());
            // The two widest, without a vector per line.
            let (mut count, mut widest, mut second) = (0usize, f32::MIN, f32::MIN);
            for it in &items[lo..hi] {
                if it.block == items[k].block && it.cjk && looks_like_prose(it) {
                    count += 1;
                    if it.width > widest {
                        second = widest;
                        widest = it.width;
                    } else if it.width > second {
                        second = it.width;
                    }
                }
            }
            (count >= MIN_LINES).then_some(second)
        })
        .collect()
}

/// Characters next to which a justified CJK line gets its stretch (the
/// compressible punctuation marks, and the spacing around Latin letters and
/// digits), which is where a reading-order dump breaks a printed line.
fn gap_char(c: char) -> bool {
    c.is_ascii_alphanumeric()
        || (!c.is_ascii() && char_width(c) == COMPRESSED_PUNCT_WIDTH && is_cjk_punct(c))
}

/// Ends a paragraph-final sentence: `。！？…`, maybe followed by closing marks.
/// (`；` does not end a paragraph.)
fn ends_paragraph_sentence(s: &str) -> bool {
    for c in s.chars().rev() {
        if c.is_whitespace() || is_closing_punct(c) {
            continue;
        }
        return matches!(c, '。' | '！' | '？' | '…' | '!' | '?');
    }
    false
}

/// Does the wording make the line a unit of its own (byline, credit,
/// source tag, jump), or open a paragraph (an opener)? Such lines are never
/// glued to their neighbours.
fn stands_alone(text: &str) -> bool {
    cues::is_byline(text)
        || cues::is_source_tag(text)
        || cues::credit_names(text).is_some()
        || cues::jump(text).is_some()
        || cues::is_subtitle(text)
}

/// Does the text open a bracket it does not close?
fn unclosed_bracket(text: &str) -> bool {
    let mut depth = 0i32;
    for c in text.chars() {
        match c {
            '（' | '(' => depth += 1,
            '）' | ')' => depth = (depth - 1).max(0),
            _ => {}
        }
    }
    depth > 0
}

/// Does line `k` start with an opener? The opener may run over a line
/// break (`新华社北京 1 月 8` / `日电…`): a dateline is printed in the
/// text's measure like any first line.
fn opens_with_opener(items: &[Item], k: usize) -> bool {
    let text = items[k].line.text.as_str();
    cues::opener(text).is_some()
        || (items[k].cjk
            && items.get(k + 1).is_some_and(|n| {
                !n.fixed
                    && cues::opener_possible_in_join(text, &n.line.text)
                    && cues::opener(&join_text(text, &n.line.text))
                        .is_some_and(|o| o.len > text.len())
            }))
}

/// Does a line end with a byline's title, its name still to come?
fn ends_with_byline_title(text: &str) -> bool {
    const TITLES: [&str; 7] = ["记者", "通讯员", "实习生", "摄影", "文/", "图/", "文／"];
    let t = text.trim_end();
    TITLES.iter().any(|w| t.ends_with(w))
}

fn join_text(a: &str, b: &str) -> String {
    // Digits and Latin keep a space from CJK, as dumps print them; reflow
    // removes it where it is only justification.
    let space = a.ends_with(|c: char| c.is_ascii_alphanumeric())
        || b.starts_with(|c: char| c.is_ascii_alphanumeric());
    if space {
        format!("{a} {b}")
    } else {
        format!("{a}{b}")
    }
}

/// Puts back together the printed lines that a reading-order dump
/// (`pdftotext -raw`) cut into pieces. Justified CJK text gets its stretch
/// next to punctuation and around Latin and digits; the dump breaks the
/// line at such a gap, so a printed line arrives as a fragment ending
/// (or the next one starting) at a gap character, and the pieces together
/// are no wider than the column. A mark left on a line of its own (`”`,
/// `。`) is the end of the line before. Only lines of one block are joined
/// (a blank line is a real break), and only on a page that has a measure:
/// its block's own where the block is long enough, else the page's (dumps
/// with blank lines may mix column widths).
fn rejoin_fragments(items: &mut Vec<Item>) {
    let Some(page_m) = dump_measure(items.iter()) else {
        return;
    };
    let mut block_m: Vec<f32> = Vec::new();
    for r in block_ranges(items) {
        let m = dump_measure(items[r.clone()].iter()).unwrap_or(page_m);
        let b = items[r.start].block;
        if block_m.len() <= b {
            block_m.resize(b + 1, page_m);
        }
        block_m[b] = m;
    }
    let measure = |b: usize| block_m.get(b).copied().unwrap_or(page_m);
    // Pass 1: pieces joined at gaps, never after a sentence end.
    let mut out: Vec<Item> = Vec::with_capacity(items.len());
    // Per line of `out`: does it start after a finished sentence or at a
    // block's top (so that it could be a display line)?
    let mut starts_after_close: Vec<bool> = Vec::with_capacity(items.len());
    let local = local_measures(items);
    for (it, local_m) in std::mem::take(items).into_iter().zip(local) {
        let joined = match out.last_mut() {
            Some(cur) if cur.block == it.block && (cur.cjk || it.cjk) => {
                let a = cur.line.text.as_str();
                let b = it.line.text.as_str();
                let a_last = a.chars().last().unwrap_or(' ');
                let b_first = b.chars().next().unwrap_or(' ');
                // A closing mark or a lone stop at the start of a line
                // cannot start a printed line (kinsoku): it ends the one
                // before.
                let closes = is_closing_punct(b_first)
                    || matches!(b_first, '。' | '，' | '、' | '；' | '：' | '！' | '？');
                let at_gap = gap_char(a_last) || gap_char(b_first);
                let m = local_m.unwrap_or_else(|| measure(cur.block));
                let fits = cur.width + it.width <= m + CJK_FULL_SLACK;
                // A line with no punctuation after a finished sentence may
                // be a headline: it takes a piece only when the whole is
                // a full line, as a headline and its text's first line
                // rarely add up to exactly the column.
                let maybe_display = *starts_after_close.last().unwrap_or(&true)
                    && !a.chars().any(|c| is_cjk_punct(c) && c != '“' && c != '”');
                // A bracketed tag in running text (`（原社区卫生室）`) is
                // a source tag only after a finished sentence.
                // (Asked last: most pairs are decided before.)
                let b_alone = || {
                    if cues::is_source_tag(b) {
                        ends_paragraph_sentence(a)
                    } else {
                        it.alone()
                    }
                };
                // Brackets come in pairs: a piece that opens one and a
                // short piece that closes it are one line (`（据新` /
                // `华社）`), whatever the gap.
                let bracket = unclosed_bracket(a) && b.contains(['）', ')']) && fits;
                // A byline broken between a title and its name
                // (`本报记者沈立群 通讯员` / `季文博`).
                // The byline may span more columns than the text, so no
                // measure: the name is short and the whole reads as a byline.
                let byline = ends_with_byline_title(a)
                    && it.width <= BYLINE_NAME_WIDTH
                    && cues::is_byline(&join_text(a, b));
                let ok = closes
                    || bracket
                    || byline
                    || (at_gap
                        && fits
                        && !ends_paragraph_sentence(a)
                        && !cur.alone()
                        && !b_alone()
                        && cues::opener(b).is_none()
                        && (!maybe_display || cur.width + it.width >= m - CJK_FULL_SLACK));
                if ok {
                    let text = join_text(a, b);
                    cur.set_text(text, COMPRESSED_PUNCT_WIDTH);
                }
                ok
            }
            _ => false,
        };
        if !joined {
            let new_block = out.last().is_none_or(|p| p.block != it.block);
            starts_after_close.push(
                new_block
                    || out
                        .last()
                        .is_some_and(|p| ends_paragraph_sentence(&p.line.text) || p.alone()),
            );
            out.push(it);
        }
    }
    // Pass 2: a printed line that ends a sentence before its end goes on
    // after the stop with a piece too short to be a paragraph's (indented)
    // first line, and together they fill the column, with the paragraph
    // going on after them in a full line (not a wider one: a headline glued
    // to its text's first line would fake the pattern) or in the short last
    // line of the paragraph (`…增收。”高振` / `东说。`).
    let mut merged: Vec<Item> = Vec::with_capacity(out.len());
    let local = local_measures(&out);
    let mut k = 0;
    while k < out.len() {
        let mut cur = out[k].clone();
        while let Some(next) = out.get(k + 1) {
            let after = out.get(k + 2);
            let m = local[k].unwrap_or_else(|| measure(cur.block));
            let is_full = |w: f32| w >= m - CJK_FULL_SLACK && w <= m + CJK_FULL_SLACK;
            let ok = next.block == cur.block
                && cur.cjk
                && next.cjk
                && ends_paragraph_sentence(&cur.line.text)
                && next.width < m - INDENT - CJK_FULL_SLACK
                && is_full(cur.width + next.width)
                && after.is_some_and(|a| {
                    a.block == next.block
                        && (is_full(a.width)
                            || (ends_paragraph_sentence(&a.line.text)
                                && a.width < m - CJK_FULL_SLACK
                                && cues::opener(&a.line.text).is_none()))
                })
                && !next.alone()
                && cues::opener(&next.line.text).is_none();
            if !ok {
                break;
            }
            let text = join_text(&cur.line.text, &next.line.text);
            cur.set_text(text, COMPRESSED_PUNCT_WIDTH);
            k += 1;
        }
        merged.push(cur);
        k += 1;
    }
    *items = merged;
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::extract::dump::pages_from_text;

    fn roles(text: &str) -> Vec<(String, Role)> {
        let mut page = pages_from_text(text).remove(0);
        assign_roles(&mut page);
        page.blocks
            .iter()
            .flat_map(|b| b.lines.iter().map(|l| (l.text.clone(), l.role)))
            .collect()
    }

    #[test]
    fn headline_before_indented_paragraph() {
        let r = roles(
            "全市召开春季防火工作会议\n\n日前，全市召开春季森林\n防火工作会议，对今年的防火\n工作进行安排部署，要求各地\n压实责任，确保不发生火灾。\n",
        );
        assert_eq!(r[0].1, Role::Heading);
        assert!(r[1..].iter().all(|(_, role)| *role == Role::Body));
    }

    #[test]
    fn column_fragment_of_one_line_is_text() {
        // The lone first line is indented and its paragraph runs on in the
        // next block, which starts with a full line.
        let r = roles(
            "该社区持续开展环境整治，清理\n卫生死角，改善居住环境，群众\n满意度明显提升。\n\n社区围绕创建目标开展工作\n\n以创为动力，以建为抓手，不断\n夯实基层治理基础，全面提升居\n民幸福感。\n",
        );
        assert!(r.iter().all(|(_, role)| *role == Role::Body), "{r:?}");
    }

    #[test]
    fn glued_headline_is_split() {
        let r = roles(
            "群众满意度明显提升，社区环境\n越来越好，居民纷纷点赞称好。\n\n好人好事传美德\n志愿服务暖人心社区开展志愿服务活动，组\n\n织党员志愿者走进小区，为居\n民提供便民服务，受到群众欢迎\n和好评。\n",
        );
        let texts: Vec<&str> = r.iter().map(|(t, _)| t.as_str()).collect();
        assert!(texts.contains(&"志愿服务暖人心"), "{r:?}");
        assert!(texts.contains(&"社区开展志愿服务活动，组"), "{r:?}");
        assert_eq!(
            r.iter().find(|(t, _)| t == "志愿服务暖人心").map(|x| x.1),
            Some(Role::Heading)
        );
        assert_eq!(
            r.iter()
                .find(|(t, _)| t == "社区开展志愿服务活动，组")
                .map(|x| x.1),
            Some(Role::Body)
        );
    }
}
