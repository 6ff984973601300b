//! Layout for pages with geometry: glyphs with boxes to lines, blocks,
//! reading order and roles.
//!
//! Input: a [`GeoPage`]: positioned glyphs (from a PDF text layer; OCR words
//! later), ruling lines and image placements. Output: a [`Page`] whose
//! blocks are in reading order, whose lines carry their text (word spaces
//! inserted where the geometry shows a gap, never inside a CJK run), box,
//! font size, width in body ems and [`Role`], and whose blocks carry their
//! measure in body ems, so that `reflow` and `split` treat them like dump
//! lines with better evidence.
//!
//! Steps:
//! 1. lines: glyphs on one baseline and of one size, cut where the gap is
//!    wider than a column gutter or a vertical rule runs between them;
//! 2. blocks: lines of one size stacked with normal leading and overlapping
//!    horizontally;
//! 3. reading order: recursive XY-cut over the blocks, cutting at the widest
//!    whitespace gap or along a rule; across a horizontal cut the upper part
//!    comes first, across a vertical cut the left part. A headline spanning
//!    its article's columns blocks vertical cuts through it, so its article
//!    is read as a unit: headline, then its columns left to right;
//! 4. roles: font size against the page's body size first (headlines are
//!    larger, captions and bylines smaller), wording second (`cues`), and
//!    position (running heads and page numbers in the margins, captions
//!    under photos).

use crate::layout::cues;
use crate::model::{BBox, Block, Glyph, Line, Page, Role, Word};
use crate::script::is_cjk;

/// What layout needs of a page with geometry.
pub struct GeoPage<'a> {
    pub number: u32,
    pub width: f32,
    pub height: f32,
    pub glyphs: &'a [Glyph],
    /// Ruling lines (article separators).
    pub rules: &'a [BBox],
    /// Photos and other images.
    pub images: &'a [BBox],
}

/// A line being built.
#[derive(Debug, Clone)]
struct GLine {
    bbox: BBox,
    size: f32,
    bold: bool,
    text: String,
    words: Vec<Word>,
}

/// A block of lines.
#[derive(Debug, Clone)]
struct GBlock {
    bbox: BBox,
    lines: Vec<GLine>,
    size: f32,
    /// First block of an article unit in reading order.
    unit_start: bool,
    /// Owned by no headline.
    loose: bool,
    /// Stands for the article with this index while articles are ordered
    /// as units (no lines of its own).
    unit: Option<usize>,
}

/// Heading lines are this much larger than the body text.
const HEADLINE_RATIO: f32 = 1.25;
/// Sub-headings and kickers: a little larger than body text.
const DISPLAY_RATIO: f32 = 1.08;
/// Captions, bylines, credits: smaller than body text.
const SMALL_RATIO: f32 = 0.93;
/// Running heads and page numbers sit in this share of the page's height
/// at its top and bottom.
const MARGIN_SHARE: f32 = 0.07;

/// Lays out one page; see the module doc.
pub fn layout_page(page: &GeoPage) -> Page {
    let body = body_size(page.glyphs);
    let (lines, side_lines) = build_lines(page, body);
    // Underlines (links, emphasis) are not separators: a horizontal rule in
    // the lower part of a line's box, under its text, goes.
    let rules: Vec<BBox> = page
        .rules
        .iter()
        .filter(|r| {
            !(r.width() > r.height()
                && lines.iter().any(|l| {
                    let overlap = r.x1.min(l.bbox.x1) - r.x0.max(l.bbox.x0);
                    r.y0 >= l.bbox.y0 + 0.5 * l.bbox.height()
                        && r.y1 <= l.bbox.y1 + 2.0
                        && overlap >= 0.9 * r.width()
                }))
        })
        .copied()
        .collect();
    let page_rules = GeoPage {
        rules: &rules,
        ..*page
    };
    let page = &page_rules;
    let blocks = build_blocks(lines, page.rules);
    let mut ordered = reading_order(blocks, page.rules, page.images, body);
    if !side_lines.is_empty() {
        let bbox =
            BBox::union_all(side_lines.iter().map(|l| &l.bbox)).unwrap_or(side_lines[0].bbox);
        ordered.push(GBlock {
            bbox,
            size: side_lines[0].size,
            lines: side_lines
                .into_iter()
                .map(|l| GLine {
                    text: format!("\u{0}{}", l.text),
                    ..l
                })
                .collect(),
            unit_start: false,
            loose: false,
            unit: None,
        });
    }
    let mut out = Page {
        number: page.number,
        width: Some(page.width),
        height: Some(page.height),
        blocks: Vec::new(),
    };
    let mut prev_loose_open = false;
    for b in ordered {
        let measure = b
            .lines
            .iter()
            .map(|l| l.bbox.width())
            .fold(0.0f32, f32::max)
            / body;
        let mut block = Block {
            lines: Vec::new(),
            bbox: Some(b.bbox),
            measure: Some(measure),
            starts_unit: b.unit_start,
        };
        // A block no headline owns starts an item of its own where one
        // can start: with an opener, right after an article, or after an
        // item that closed (source tag, credit). Otherwise it goes on from
        // the block before (a brief or photo text over two columns).
        let opener = b
            .lines
            .first()
            .is_some_and(|l| cues::opener(&l.text).is_some());
        if b.loose && !opener && prev_loose_open {
            block.starts_unit = false;
        }
        let closes = b.lines.iter().any(|l| {
            cues::credit_names(&l.text).is_some()
                || cues::trailing_source_tag(&l.text).is_some()
                || cues::is_source_tag(&l.text)
        });
        prev_loose_open = b.loose && !closes;
        for mut l in b.lines {
            // Vertical text was marked with a leading NUL above.
            let role = if let Some(t) = l.text.strip_prefix('\u{0}') {
                l.text = t.to_string();
                Role::Furniture
            } else {
                line_role(&l, page, body, &b.bbox)
            };
            block.lines.push(Line {
                width: Some(l.bbox.width() / body),
                text: l.text,
                words: l.words,
                bbox: Some(l.bbox),
                font_size: Some(l.size),
                role,
                source_index: 0,
            });
        }
        out.blocks.push(block);
    }
    mark_kickers_and_captions(&mut out, page, body);
    let mut n = 0;
    for b in out.blocks.iter_mut() {
        for l in b.lines.iter_mut() {
            l.source_index = n;
            n += 1;
        }
    }
    out
}

/// The body text size: the size most characters are set in.
fn body_size(glyphs: &[Glyph]) -> f32 {
    let mut counts: std::collections::HashMap<i32, usize> = std::collections::HashMap::new();
    for g in glyphs.iter().filter(|g| !g.text.trim().is_empty()) {
        *counts
            .entry((g.font_size * 2.0).round() as i32)
            .or_insert(0) += g.text.chars().count();
    }
    counts
        .into_iter()
        .max_by_key(|(size, n)| (*n, -*size))
        .map(|(s, _)| s as f32 / 2.0)
        .filter(|s| *s > 0.0)
        .unwrap_or(10.0)
}

fn vertical_rule_between(rules: &[BBox], x0: f32, x1: f32, y0: f32, y1: f32) -> bool {
    rules.iter().any(|r| {
        r.height() > r.width() && r.x0 >= x0 - 0.5 && r.x1 <= x1 + 0.5 && r.y0 <= y1 && r.y1 >= y0
    })
}

/// Lines in two steps: runs of glyphs in content-stream order (a PDF writes
/// a line's glyphs in sequence; a new run starts where the baseline moves,
/// the pen jumps back, a gutter-wide gap or a rule lies between, or the size
/// changes), then runs on one baseline that touch are merged (for files
/// that write a line in pieces). Sorting a whole baseline band by x instead
/// would interleave the letters of neighbouring lines set at slightly
/// different baselines.
fn build_lines(page: &GeoPage, body: f32) -> (Vec<GLine>, Vec<GLine>) {
    let all: Vec<&Glyph> = page
        .glyphs
        .iter()
        .filter(|g| {
            !g.text.is_empty()
                && g.font_size > 0.0
                && g.bbox.x1.is_finite()
                && g.bbox.y1.is_finite()
        })
        .collect();
    // Vertical text (rotated margin notes, production slugs): consecutive
    // glyphs that stay at one x while the baseline steps by about a
    // character. It is kept apart, as furniture.
    let steps_down = |p: &Glyph, g: &Glyph| {
        let dy = (g.origin.1 - p.origin.1).abs();
        (g.bbox.x0 - p.bbox.x0).abs() < 0.5 && dy > 0.3 * g.font_size && dy < 1.6 * g.font_size
    };
    // At least four glyphs in a column: two line-end marks that happen to
    // align are not vertical text.
    let mut vertical = vec![false; all.len()];
    for i in 3..all.len() {
        if (i - 2..=i).all(|k| steps_down(all[k - 1], all[k])) {
            for v in &mut vertical[i - 3..=i] {
                *v = true;
            }
        }
    }
    let side: Vec<&Glyph> = all
        .iter()
        .zip(&vertical)
        .filter(|(_, v)| **v)
        .map(|(g, _)| *g)
        .collect();
    let side_lines = side
        .chunk_by(|a, b| (a.bbox.x0 - b.bbox.x0).abs() < 0.5)
        .filter_map(|run| {
            let text: String = run.iter().map(|g| g.text.as_str()).collect();
            let bbox = BBox::union_all(run.iter().map(|g| &g.bbox))?;
            Some(GLine {
                bbox,
                size: run[0].font_size,
                bold: false,
                text: text.trim().to_string(),
                words: Vec::new(),
            })
        })
        .filter(|l| !l.text.is_empty())
        .collect();
    let glyphs: Vec<&Glyph> = all
        .iter()
        .zip(&vertical)
        .filter(|(_, v)| !**v)
        .map(|(g, _)| *g)
        .collect();
    let breaks_line = |prev: &Glyph, g: &Glyph| {
        let size = prev.font_size.max(g.font_size).min(body * 4.0);
        let baseline_moved = (prev.origin.1 - g.origin.1).abs() > 0.25 * size;
        let gap = g.bbox.x0 - prev.bbox.x1;
        let jumped_back = gap < -0.5 * size;
        let size_jump =
            (g.font_size - prev.font_size).abs() > 0.2 * size && !g.text.trim().is_empty();
        let gutter = gap > 1.2 * size
            || (gap > 0.0
                && vertical_rule_between(
                    page.rules,
                    prev.bbox.x1,
                    g.bbox.x0,
                    prev.bbox.y0,
                    prev.bbox.y1,
                ));
        baseline_moved || jumped_back || size_jump || gutter
    };
    let mut runs: Vec<Vec<&Glyph>> = Vec::new();
    for g in glyphs {
        match runs.last_mut() {
            Some(run) if !run.last().is_some_and(|p| breaks_line(p, g)) => run.push(g),
            _ => runs.push(vec![g]),
        }
    }
    // Merge runs that continue each other on the same baseline.
    runs.retain(|r| r.iter().any(|g| !g.text.trim().is_empty()));
    runs.sort_by(|a, b| {
        a[0].origin
            .1
            .total_cmp(&b[0].origin.1)
            .then(a[0].bbox.x0.total_cmp(&b[0].bbox.x0))
    });
    let mut merged: Vec<Vec<&Glyph>> = Vec::new();
    for run in runs {
        if let Some(last) = merged.last_mut() {
            let (p, g) = (last[last.len() - 1], run[0]);
            let same_base = (p.origin.1 - g.origin.1).abs() <= 0.1 * p.font_size.max(g.font_size);
            // A run that continues the line, or one drawn separately inside
            // its span (a coloured initial, a kerned letter shown apart).
            let x_start = last[0].bbox.x0.min(last[last.len() - 1].bbox.x0);
            let inside = same_base && g.bbox.x0 >= x_start && g.bbox.x0 <= p.bbox.x1;
            // Separate runs touch at most by a word space: a wider gap on
            // the same baseline is a column gutter (narrow ones are under an
            // em in CJK papers).
            let touching = g.bbox.x0 - p.bbox.x1 <= 0.35 * p.font_size.max(g.font_size);
            if same_base && (inside || (touching && !breaks_line(p, g))) {
                last.extend(run);
                if inside {
                    last.sort_by(|a, b| a.bbox.x0.total_cmp(&b.bbox.x0));
                }
                continue;
            }
        }
        merged.push(run);
    }
    (
        merged.iter().filter_map(|run| make_line(run)).collect(),
        side_lines,
    )
}

/// Text of a line: glyphs left to right, a space where the gap shows a
/// word break between non-CJK characters (or where the PDF drew a space),
/// never between CJK characters.
fn make_line(glyphs: &[&Glyph]) -> Option<GLine> {
    let visible: Vec<&&Glyph> = glyphs
        .iter()
        .filter(|g| !g.text.trim().is_empty())
        .collect();
    let first = visible.first()?;
    let mut text = String::new();
    let mut words: Vec<Word> = Vec::new();
    let mut word = Word::default();
    let mut pending_space = false;
    let mut prev: Option<&Glyph> = None;
    let size = visible.iter().map(|g| g.font_size).fold(0.0f32, f32::max);
    let bold_chars = visible.iter().filter(|g| g.bold).count();
    for g in glyphs {
        if g.text.trim().is_empty() {
            pending_space = true;
            continue;
        }
        if let Some(p) = prev {
            let gap = g.bbox.x0 - p.bbox.x1;
            let last = text.chars().last().unwrap_or(' ');
            let next = g.text.chars().next().unwrap_or(' ');
            let cjk_pair = is_cjk(last) || is_cjk(next);
            let wide = gap > 0.2 * g.font_size.max(p.font_size);
            // Next to a CJK character a gap is justification, not a word
            // break.
            if !cjk_pair && (pending_space || wide) {
                text.push(' ');
                if !word.text.is_empty() {
                    words.push(std::mem::take(&mut word));
                }
            }
        }
        pending_space = false;
        text.push_str(&g.text);
        word.text.push_str(&g.text);
        word.bbox = Some(word.bbox.map_or(g.bbox, |b: BBox| b.union(&g.bbox)));
        word.font_size = Some(g.font_size);
        word.bold = g.bold;
        prev = Some(g);
    }
    if !word.text.is_empty() {
        words.push(word);
    }
    let bbox = visible
        .iter()
        .skip(1)
        .fold(first.bbox, |b, g| b.union(&g.bbox));
    Some(GLine {
        bbox,
        size,
        bold: bold_chars * 2 > visible.len(),
        text,
        words,
    })
}

fn build_blocks(mut lines: Vec<GLine>, rules: &[BBox]) -> Vec<GBlock> {
    lines.sort_by(|a, b| {
        a.bbox
            .y0
            .total_cmp(&b.bbox.y0)
            .then(a.bbox.x0.total_cmp(&b.bbox.x0))
    });
    let mut blocks: Vec<GBlock> = Vec::new();
    for line in lines {
        let target = blocks.iter_mut().rev().find(|b| {
            let last = b.lines.last().map(|l| l.bbox).unwrap_or(b.bbox);
            let same_size = (b.size - line.size).abs() <= 0.06 * line.size;
            let gap = line.bbox.y0 - last.y1;
            let leading_ok = gap >= -0.3 * line.size && gap <= 0.9 * line.size;
            let overlap = line.bbox.x1.min(b.bbox.x1) - line.bbox.x0.max(b.bbox.x0);
            let min_width = line.bbox.width().min(b.bbox.width()).max(1.0);
            let aligned = overlap >= 0.5 * min_width;
            let ruled = rules.iter().any(|r| {
                r.width() > r.height()
                    && r.y0 >= last.y1 - 1.0
                    && r.y1 <= line.bbox.y0 + 1.0
                    && r.x0 < line.bbox.x1
                    && r.x1 > line.bbox.x0
            });
            same_size && leading_ok && aligned && !ruled
        });
        match target {
            Some(b) => {
                b.bbox = b.bbox.union(&line.bbox);
                b.lines.push(line);
            }
            None => blocks.push(GBlock {
                bbox: line.bbox,
                size: line.size,
                lines: vec![line],
                unit_start: false,
                loose: false,
                unit: None,
            }),
        }
    }
    blocks
}

/// Reading order by articles: a headline owns the blocks under its own
/// width, down to the next headline or rule across that width (and the
/// kicker just above it). Articles (and blocks owned by none) are ordered by
/// XY-cut as units; inside an article, the heading blocks come first, then
/// the rest by XY-cut (its columns left to right).
fn reading_order(blocks: Vec<GBlock>, rules: &[BBox], images: &[BBox], body: f32) -> Vec<GBlock> {
    // A subtitle (`——…`) is set large too, but belongs to the headline
    // above it.
    let is_headline = |b: &GBlock| {
        b.size >= HEADLINE_RATIO * body
            && b.lines.first().is_some_and(|l| !cues::is_subtitle(&l.text))
    };
    let mut heads: Vec<usize> = (0..blocks.len())
        .filter(|&i| is_headline(&blocks[i]))
        .collect();
    // A smaller headline-size block right above a larger headline is its
    // kicker: part of that headline's region, not one of its own.
    let kickers: Vec<usize> = heads
        .iter()
        .copied()
        .filter(|&k| {
            let kb = blocks[k].bbox;
            heads.iter().any(|&h| {
                let hb = blocks[h].bbox;
                h != k
                    && blocks[h].size > 1.2 * blocks[k].size
                    && hb.y0 >= kb.y1 - 1.0
                    && hb.y0 - kb.y1 <= 2.0 * body
                    && kb.x1.min(hb.x1) > kb.x0.max(hb.x0)
            })
        })
        .collect();
    heads.retain(|h| !kickers.contains(h));
    if heads.is_empty() {
        return xy_order(blocks, rules, images, body);
    }
    // Each headline's region.
    let regions: Vec<BBox> = heads
        .iter()
        .map(|&h| {
            let hb = blocks[h].bbox;
            let tol = body;
            // A centred headline is narrower than its columns: widen the
            // region over the first row of text blocks under it, column by
            // column, while they are top-aligned, a gutter apart and not
            // cut off by a vertical rule.
            let row: Vec<BBox> = blocks
                .iter()
                .filter(|b| {
                    !is_headline(b) && b.bbox.y0 >= hb.y1 - 2.0 && b.bbox.y0 <= hb.y1 + 4.0 * body
                })
                .map(|b| b.bbox)
                .collect();
            let (mut x0, mut x1) = (hb.x0 - tol, hb.x1 + tol);
            let top = row
                .iter()
                .filter(|b| b.x1.min(x1) - b.x0.max(x0) > 0.5 * b.width())
                .map(|b| b.y0)
                .fold(f32::INFINITY, f32::min);
            if top.is_finite() {
                // Columns the headline reaches into count whole.
                for b in &row {
                    if (b.y0 - top).abs() <= body && b.x1 > x0 && b.x0 < x1 {
                        x0 = x0.min(b.x0 - 0.5);
                        x1 = x1.max(b.x1 + 0.5);
                    }
                }
                loop {
                    let mut grew = false;
                    for b in &row {
                        let aligned = (b.y0 - top).abs() <= body;
                        let left = b.x1 <= x0 + tol && b.x1 >= x0 - 2.0 * body;
                        let right = b.x0 >= x1 - tol && b.x0 <= x1 + 2.0 * body;
                        let (gx0, gx1) = if left {
                            (b.x1, x0 + tol)
                        } else {
                            (x1 - tol, b.x0)
                        };
                        let ruled = vertical_rule_between(rules, gx0 - 1.0, gx1 + 1.0, b.y0, b.y1);
                        if aligned && (left || right) && !ruled {
                            // Only a real widening counts: a block narrower
                            // than the tolerance (one OCR'd character) stays
                            // "left" of the region it widened, forever.
                            let (nx0, nx1) = (x0.min(b.x0 - 0.5), x1.max(b.x1 + 0.5));
                            grew |= nx0 < x0 || nx1 > x1;
                            (x0, x1) = (nx0, nx1);
                        }
                    }
                    if !grew {
                        break;
                    }
                }
            }
            let overlaps = |b: &BBox| b.x1.min(x1) - b.x0.max(x0) > 0.3 * b.width().min(x1 - x0);
            let mut bottom = f32::INFINITY;
            for &o in &heads {
                let ob = blocks[o].bbox;
                if o != h && ob.y0 > hb.y1 && overlaps(&ob) {
                    bottom = bottom.min(ob.y0 - 0.5);
                }
            }
            for r in rules {
                if r.width() > r.height()
                    && r.y0 > hb.y1 + body
                    && r.x0 <= x0 + 2.0 * tol
                    && r.x1 >= x1 - 2.0 * tol
                {
                    bottom = bottom.min(r.y0);
                }
            }
            BBox {
                x0,
                y0: hb.y0 - 3.0 * body,
                x1,
                y1: bottom,
            }
        })
        .collect();
    // Owner of each block: the region holding its centre whose headline is
    // nearest above it.
    let mut owner: Vec<Option<usize>> = vec![None; blocks.len()];
    for (i, b) in blocks.iter().enumerate() {
        if let Some(k) = heads.iter().position(|&h| h == i) {
            owner[i] = Some(k);
            continue;
        }
        let (cx, cy) = ((b.bbox.x0 + b.bbox.x1) / 2.0, (b.bbox.y0 + b.bbox.y1) / 2.0);
        owner[i] = regions
            .iter()
            .enumerate()
            .filter(|(_, r)| cx >= r.x0 && cx <= r.x1 && cy >= r.y0 && cy <= r.y1)
            .min_by(|(a, _), (c, _)| {
                let da = (cy - blocks[heads[*a]].bbox.y0).abs();
                let dc = (cy - blocks[heads[*c]].bbox.y0).abs();
                da.total_cmp(&dc)
            })
            .map(|(k, _)| k);
    }
    let mut groups: Vec<Vec<GBlock>> = vec![Vec::new(); heads.len()];
    let mut loose: Vec<GBlock> = Vec::new();
    for (b, o) in blocks.into_iter().zip(owner) {
        match o {
            Some(k) => groups[k].push(b),
            None => loose.push(b),
        }
    }
    // Units for the page order: each article as one block spanning its parts.
    let mut units: Vec<GBlock> = Vec::new();
    let mut members: Vec<Vec<GBlock>> = Vec::new();
    for (k, g) in groups.into_iter().enumerate() {
        let Some(bbox) = BBox::union_all(g.iter().map(|b| &b.bbox)) else {
            continue;
        };
        let head_y = regions[k].y0 + 3.0 * body;
        let (top, rest): (Vec<GBlock>, Vec<GBlock>) = g
            .into_iter()
            .partition(|b| b.bbox.y0 <= head_y + 0.5 || b.size >= HEADLINE_RATIO * body);
        let mut ordered_top = top;
        ordered_top.sort_by(|a, b| {
            a.bbox
                .y0
                .total_cmp(&b.bbox.y0)
                .then(a.bbox.x0.total_cmp(&b.bbox.x0))
        });
        // Headline-level lines first, then the rest of the article in
        // column order.
        let mut all = ordered_top;
        let (heading_rest, body_rest): (Vec<GBlock>, Vec<GBlock>) =
            rest.into_iter().partition(|b| {
                b.lines.len() <= 2 && b.size > body * 1.0 && b.bbox.y0 < head_y + 6.0 * body
            });
        let mut heading_rest = heading_rest;
        heading_rest.sort_by(|a, b| a.bbox.y0.total_cmp(&b.bbox.y0));
        all.extend(heading_rest);
        let inside: Vec<BBox> = images
            .iter()
            .filter(|i| {
                i.x1.min(bbox.x1) > i.x0.max(bbox.x0) && i.y1.min(bbox.y1) > i.y0.max(bbox.y0)
            })
            .copied()
            .collect();
        all.extend(xy_order(body_rest, rules, &inside, body));
        units.push(GBlock {
            bbox,
            lines: Vec::new(),
            size: 0.0,
            unit_start: false,
            loose: false,
            unit: Some(members.len()),
        });
        members.push(all);
    }
    for b in loose {
        units.push(b);
    }
    let mut out = Vec::new();
    for u in xy_order(units, rules, images, body) {
        if let Some(k) = u.unit {
            if let Some(first) = members[k].first_mut() {
                first.unit_start = true;
            }
            out.append(&mut members[k]);
        } else {
            out.push(GBlock {
                unit_start: true,
                loose: true,
                ..u
            });
        }
    }
    out
}

/// Recursive XY-cut; see the module doc. Images take part as empty blocks:
/// they fill the space they occupy, so no cut runs through a photo.
fn xy_order(mut blocks: Vec<GBlock>, rules: &[BBox], images: &[BBox], body: f32) -> Vec<GBlock> {
    // An image placement that overlaps text is larger than what shows (its
    // clipping path is not read): it would hide the gutters, so it stays out.
    let overlaps_text = |img: &BBox| {
        blocks.iter().any(|b| {
            !b.lines.is_empty()
                && b.bbox.x1.min(img.x1) > b.bbox.x0.max(img.x0) + 1.0
                && b.bbox.y1.min(img.y1) > b.bbox.y0.max(img.y0) + 1.0
        })
    };
    let shown: Vec<BBox> = images
        .iter()
        .filter(|i| !overlaps_text(i))
        .copied()
        .collect();
    for img in &shown {
        if img.width() > body && img.height() > body {
            blocks.push(GBlock {
                bbox: *img,
                lines: Vec::new(),
                size: 0.0,
                unit_start: false,
                loose: false,
                unit: None,
            });
        }
    }
    let mut out = Vec::with_capacity(blocks.len());
    xy_cut(blocks, rules, &mut out, 0);
    // Drop the photos; keep text blocks and article units.
    out.retain(|b| !b.lines.is_empty() || b.unit.is_some());
    out
}

/// Top to bottom, then left to right.
fn sort_top_left(blocks: &mut [GBlock]) {
    blocks.sort_by(|a, b| {
        a.bbox
            .y0
            .total_cmp(&b.bbox.y0)
            .then(a.bbox.x0.total_cmp(&b.bbox.x0))
    });
}

fn xy_cut(mut blocks: Vec<GBlock>, rules: &[BBox], out: &mut Vec<GBlock>, depth: usize) {
    if blocks.len() <= 1 || depth > 64 {
        sort_top_left(&mut blocks);
        out.extend(blocks);
        return;
    }
    let h = best_gap(&blocks, rules, true);
    let v = best_gap(&blocks, rules, false);
    // Prefer the wider whitespace; a cut along a rule counts as wide.
    let choice = match (h, v) {
        (Some(h), Some(v)) => Some(if h.1 >= v.1 {
            (true, h.0)
        } else {
            (false, v.0)
        }),
        (Some(h), None) => Some((true, h.0)),
        (None, Some(v)) => Some((false, v.0)),
        (None, None) => None,
    };
    match choice {
        None => {
            sort_top_left(&mut blocks);
            out.extend(blocks);
        }
        Some((horizontal, at)) => {
            let (first, second): (Vec<GBlock>, Vec<GBlock>) = blocks.into_iter().partition(|b| {
                if horizontal {
                    (b.bbox.y0 + b.bbox.y1) / 2.0 < at
                } else {
                    (b.bbox.x0 + b.bbox.x1) / 2.0 < at
                }
            });
            if first.is_empty() || second.is_empty() {
                let mut all = first;
                all.extend(second);
                sort_top_left(&mut all);
                out.extend(all);
                return;
            }
            xy_cut(first, rules, out, depth + 1);
            xy_cut(second, rules, out, depth + 1);
        }
    }
}

/// The widest gap between the blocks' projections on one axis (y for a
/// horizontal cut, x for a vertical one): (position, width). A rule lying
/// in a gap and spanning the blocks across makes the gap count double.
fn best_gap(blocks: &[GBlock], rules: &[BBox], horizontal: bool) -> Option<(f32, f32)> {
    let mut spans: Vec<(f32, f32)> = blocks
        .iter()
        .map(|b| {
            if horizontal {
                (b.bbox.y0, b.bbox.y1)
            } else {
                (b.bbox.x0, b.bbox.x1)
            }
        })
        .collect();
    spans.sort_by(|a, b| a.0.total_cmp(&b.0));
    let region = BBox::union_all(blocks.iter().map(|b| &b.bbox))?;
    let mut best: Option<(f32, f32)> = None;
    let mut reach = spans[0].1;
    for s in spans.iter().skip(1) {
        if s.0 > reach {
            let (lo, hi) = (reach, s.0);
            let mut width = hi - lo;
            let ruled = rules.iter().any(|r| {
                if horizontal {
                    r.width() > r.height()
                        && r.y0 >= lo - 1.0
                        && r.y1 <= hi + 1.0
                        && r.width() >= 0.5 * region.width()
                } else {
                    r.height() > r.width()
                        && r.x0 >= lo - 1.0
                        && r.x1 <= hi + 1.0
                        && r.height() >= 0.5 * region.height()
                }
            });
            if ruled {
                width *= 2.0;
            }
            if best.is_none_or(|(_, w)| width > w) {
                best = Some(((lo + hi) / 2.0, width));
            }
        }
        reach = reach.max(s.1);
    }
    best
}

/// The role of a line by size first, wording second, position third.
fn line_role(l: &GLine, page: &GeoPage, body: f32, block: &BBox) -> Role {
    let text = l.text.as_str();
    let ratio = l.size / body;
    let in_margin =
        l.bbox.y1 <= page.height * MARGIN_SHARE || l.bbox.y0 >= page.height * (1.0 - MARGIN_SHARE);
    // A photo credit may sit at the page's foot: it is still a credit.
    if ratio <= 1.05 && cues::credit_names(text).is_some() {
        return Role::Credit;
    }
    // Margins hold running heads and page numbers, set at about body size.
    if in_margin && (cues::furniture_kind(text).is_some() || ratio < 1.6) {
        return Role::Furniture;
    }
    if cues::furniture_kind(text) == Some(crate::model::FurnitureKind::Other) {
        return Role::Furniture;
    }
    if cues::jump(text).is_some() {
        return Role::Jump;
    }
    if cues::is_source_tag(text) {
        return Role::SourceTag;
    }
    if ratio <= 1.05 && cues::credit_names(text).is_some() {
        return Role::Credit;
    }
    if ratio <= 1.05 && cues::is_byline(text) {
        return Role::Byline;
    }
    if cues::is_subtitle(text) && ratio >= SMALL_RATIO {
        return Role::Subtitle;
    }
    // Headline type is clearly larger than body type; a little larger, or
    // bold body type standing alone, is a sub-heading (or a kicker, see
    // below).
    if ratio >= HEADLINE_RATIO {
        return Role::Heading;
    }
    if ratio >= DISPLAY_RATIO {
        return Role::Subheading;
    }
    if l.bold
        && (block.height() - l.bbox.height()).abs() < 0.5
        && !crate::script::ends_sentence(text)
    {
        return Role::Subheading;
    }
    if ratio <= SMALL_RATIO && cues::caption_with_credit(text).is_some() {
        return Role::Caption;
    }
    Role::Body
}

/// Second pass with neighbours: a heading line right above a larger heading
/// line is a kicker; small text right under a photo is its caption (with
/// the credit line after it folded in).
fn mark_kickers_and_captions(page: &mut Page, geo: &GeoPage, body: f32) {
    // Flatten (block, line) positions in reading order.
    let mut pos: Vec<(usize, usize)> = Vec::new();
    for (b, block) in page.blocks.iter().enumerate() {
        for l in 0..block.lines.len() {
            pos.push((b, l));
        }
    }
    for k in 0..pos.len().saturating_sub(1) {
        let (a, b) = (pos[k], pos[k + 1]);
        let (la, lb) = (&page.blocks[a.0].lines[a.1], &page.blocks[b.0].lines[b.1]);
        if matches!(la.role, Role::Heading | Role::Subheading)
            && lb.role == Role::Heading
            && la.font_size.unwrap_or(0.0) < 0.85 * lb.font_size.unwrap_or(0.0)
            && lb.font_size.unwrap_or(0.0) >= HEADLINE_RATIO * body
        {
            page.blocks[a.0].lines[a.1].role = Role::Kicker;
        }
    }
    // A sub-heading-size line right under a rule that spans it opens a new
    // item (boxes of a sidebar, a rule-separated brief): a headline.
    for block in page.blocks.iter_mut() {
        for line in block.lines.iter_mut() {
            let Some(lb) = line.bbox else { continue };
            let ruled_above = geo.rules.iter().any(|r| {
                r.width() > r.height()
                    && r.y1 <= lb.y0 + 1.0
                    && lb.y0 - r.y1 <= 1.5 * body
                    && r.x0 <= lb.x0 + 0.2 * lb.width()
                    && r.x1 >= lb.x1 - 0.2 * lb.width()
            });
            if line.role == Role::Subheading && ruled_above {
                line.role = Role::Heading;
            }
        }
    }
    for block in page.blocks.iter_mut() {
        let Some(bb) = block.bbox else { continue };
        let under_photo = geo.images.iter().any(|img| {
            let overlap = bb.x1.min(img.x1) - bb.x0.max(img.x0);
            bb.y0 >= img.y1 - 2.0
                && bb.y0 - img.y1 <= 2.0 * body
                && overlap >= 0.5 * bb.width().min(img.width())
        });
        let small = block
            .lines
            .iter()
            .all(|l| l.font_size.unwrap_or(body) <= SMALL_RATIO * body);
        // Body-size text with a credit under a photo is photo news, not a
        // caption: it stays text, its credit line a credit.
        if under_photo && small {
            let text: Vec<String> = block.lines.iter().map(|l| l.text.clone()).collect();
            let joined = text.join(
                if block
                    .lines
                    .iter()
                    .all(|l| !crate::script::is_mostly_cjk(&l.text))
                {
                    " "
                } else {
                    ""
                },
            );
            let first = block.lines[0].clone();
            block.lines = vec![Line {
                text: joined,
                role: Role::Caption,
                bbox: block.bbox,
                width: first.width,
                ..first
            }];
        }
    }
}
