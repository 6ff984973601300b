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
    /// Size compared with other lines: the point size scaled so that the
    /// body size of the line's script equals the page's body size (on a
    /// Chinese page an English story set smaller is still body text).
    size: f32,
    /// The point size as printed.
    pt: f32,
    /// Most glyphs are bold.
    bold: bool,
    /// Every glyph is bold.
    all_bold: bool,
    /// Baseline of the first glyph.
    baseline: f32,
    /// Font of the first glyph.
    font: std::sync::Arc<str>,
    /// The first glyph is bold.
    first_bold: bool,
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

/// Display type (headlines, decks) runs to at most this many lines; more
/// lines of one size are running text.
const MAX_DISPLAY_LINES: usize = 4;
/// Heading lines are this much larger than the body text.
const HEADLINE_RATIO: f32 = 1.25;
/// Sub-headings and kickers: a little larger than body text.
const DISPLAY_RATIO: f32 = 1.08;
/// Captions, bylines, credits: smaller than body text.
const SMALL_RATIO: f32 = 0.93;
/// A rule closing the folio band lies in this top share of the page (a
/// nameplate and its band take up to a fifth of a page; below that are
/// articles).
const FOLIO_SHARE: f32 = 0.2;
/// At most this many text-size lines stand in a folio band.
const FOLIO_BAND_LINES: usize = 6;
/// Nameplates and running titles lie in this top share of the page.
const MASTHEAD_SHARE: f32 = 0.2;
/// A kicker's middle lies at most this many body sizes above its
/// headline's top.
const KICKER_REACH: f32 = 1.8;
/// Running heads and page numbers sit in this share of the page's height
/// at its top and bottom.
const MARGIN_SHARE: f32 = 0.07;

/// Lays out one page; see the module doc.
pub fn layout_page(page: &GeoPage) -> Page {
    let bodies = Bodies::of(page.glyphs);
    let body = bodies.main;
    let (lines, side_lines) = build_lines(page, &bodies);
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
    // The folio band: a rule across the whole text width near the top of
    // the page closes it; what lies above (date, paper, section, volume)
    // is furniture unless it is a headline (a nameplate is judged with the
    // headlines).
    let text_x0 = lines
        .iter()
        .map(|l| l.bbox.x0)
        .fold(f32::INFINITY, f32::min);
    let text_x1 = lines
        .iter()
        .map(|l| l.bbox.x1)
        .fold(f32::NEG_INFINITY, f32::max);
    // The band holds a few short lines (date, folio, edition, editor)
    // under the nameplate, never column text: a full-width rule with more
    // text-size lines above it than such a band holds is further down the
    // page, between articles.
    let text_lines_above = |y: f32| {
        lines
            .iter()
            .filter(|l| l.bbox.y1 <= y && l.size < HEADLINE_RATIO * body)
            .count()
    };
    let folio_rule = page
        .rules
        .iter()
        .filter(|r| {
            r.width() > r.height()
                && r.y1 <= FOLIO_SHARE * page.height
                && r.width() >= 0.8 * (text_x1 - text_x0)
                && text_lines_above(r.y0) <= FOLIO_BAND_LINES
        })
        .map(|r| r.y0)
        .fold(f32::NEG_INFINITY, f32::max);
    let mut blocks = split_display_lines(build_blocks(lines, page.rules));
    let (heads, side_lines) = vertical_headlines(side_lines, body);
    blocks.extend(heads);
    let mut ordered = reading_order(blocks, page.rules, page.images, body, page.height);
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
        ..Page::default()
    };
    let mut prev_loose_open = false;
    // Per output block: owned by no headline.
    let mut loose_blocks: Vec<bool> = Vec::new();
    let mut prev_bbox: Option<BBox> = None;
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
            region: None,
        };
        // A block no headline owns starts an item of its own where one
        // can start: with an opener, right after an article, or after an
        // item that closed (source tag, credit). Otherwise it goes on from
        // the block before (a brief or photo text over two columns).
        let b_loose = b.loose;
        let opener = b
            .lines
            .first()
            .is_some_and(|l| cues::opener(&l.text).is_some());
        // A rule or a photo between the two blocks separates items
        // whatever their wording.
        let ruled_off = prev_bbox.is_some_and(|p: BBox| {
            page.rules
                .iter()
                .filter(|r| r.width() > r.height())
                .chain(page.images.iter())
                .any(|r| {
                    r.y0 >= p.y1 - 1.0
                        && r.y1 <= b.bbox.y0 + 1.0
                        && r.x1.min(b.bbox.x1) - r.x0.max(b.bbox.x0) >= 0.6 * b.bbox.width()
                })
        });
        // Text right under a photo is its caption or photo news: an item
        // of its own, not the next column of the item before.
        let under_photo = page.images.iter().any(|img| {
            b.bbox.y0 >= img.y1 - 2.0
                && b.bbox.y0 - img.y1 <= 2.0 * body
                && b.bbox.x1.min(img.x1) - b.bbox.x0.max(img.x0) >= 0.5 * b.bbox.width()
        });
        if b.loose && !opener && prev_loose_open && !ruled_off && !under_photo {
            block.starts_unit = false;
        }
        prev_bbox = Some(b.bbox);
        let closes = b.lines.iter().any(|l| {
            cues::credit_names(&l.text).is_some()
                || cues::trailing_source_tag(&l.text).is_some()
                || cues::is_source_tag(&l.text)
        });
        prev_loose_open = b.loose && !closes;
        let bold_block = b.lines.len() <= 3 && b.lines.iter().all(|l| l.bold);
        let running = is_running_text(&b);
        // Single characters stacked in a margin: text set sideways whose
        // glyphs the file draws one per line.
        let stacked = b.lines.len() >= 3 && b.lines.iter().all(|l| l.text.chars().count() <= 2);
        for mut l in b.lines {
            // Vertical text was marked with a leading NUL above.
            let role = if let Some(t) = l.text.strip_prefix('\u{0}') {
                l.text = t.to_string();
                Role::Furniture
            } else {
                match line_role(&l, page, body, &b.bbox, bold_block, running) {
                    Role::Heading => Role::Heading,
                    _ if stacked || l.bbox.y1 <= folio_rule => Role::Furniture,
                    // No headline owns this block: a sub-heading here titles
                    // an item of its own (a sidebar's sections).
                    Role::Subheading if b_loose => Role::Heading,
                    role => role,
                }
            };
            block.lines.push(Line {
                width: Some(l.bbox.width() / body),
                text: l.text,
                words: l.words,
                bbox: Some(l.bbox),
                font_size: Some(l.pt),
                role,
                source_index: 0,
            });
        }
        join_wrapped_byline(&mut block, body);
        out.blocks.push(block);
        loose_blocks.push(b_loose);
    }
    mark_centred_headings(&mut out, &mut loose_blocks, body);
    continue_subtitles(&mut out, body);
    mark_kickers_and_captions(&mut out, page, &bodies, &loose_blocks);
    assign_regions(&mut out, body, page.rules, page.images);
    out.separators = page.rules.to_vec();
    out.figures = page.images.to_vec();
    let mut n = 0;
    for b in out.blocks.iter_mut() {
        for l in b.lines.iter_mut() {
            l.source_index = n;
            n += 1;
        }
    }
    out
}

/// Article regions from the reading order.
///
/// 1. A block that starts a unit starts a region and the blocks after it
///    belong to it; a headline after running text starts one too. Furniture
///    belongs to none.
/// 2. A region of kicker lines alone belongs to the headline it stands
///    over: a kicker is part of its headline's display group, whatever
///    space the page sets between them.
/// 3. A region without running text, caption or credit (a section label
///    over a column, a nameplate, a lone display line) is no article: its
///    lines are page furniture.
/// 4. A headless region at the head of the next column, after a region
///    that stops in mid-sentence, continues it (column flow).
/// 5. A region with less text than half a line of column text is a
///    fragment of the region before it.
/// 6. Advertisements: adjacent regions without a byline or opener whose
///    lines are mostly display type or centred, and whose wording carries
///    prices or phone numbers, form one advertisement region.
fn assign_regions(page: &mut Page, body: f32, rules: &[BBox], images: &[BBox]) {
    // 1. Blocks per region, in reading order.
    let mut parts: Vec<Vec<usize>> = Vec::new();
    let mut has_text = false;
    for (i, block) in page.blocks.iter_mut().enumerate() {
        block.region = None;
        if block.lines.iter().all(|l| l.role == Role::Furniture) || block.bbox.is_none() {
            continue;
        }
        // A headline after running text opens the next item even where
        // no headline region was drawn (the headed sections of a sidebar
        // that no larger headline governs).
        let heads_item = block.lines.first().is_some_and(|l| l.role == Role::Heading) && has_text;
        if block.starts_unit || parts.is_empty() || heads_item {
            parts.push(Vec::new());
            has_text = false;
        }
        has_text |= block.lines.iter().any(|l| is_text_role(l.role));
        if let Some(p) = parts.last_mut() {
            p.push(i);
        }
    }
    let lines_of = |p: &[usize], blocks: &[Block]| -> Vec<Line> {
        p.iter().flat_map(|&i| blocks[i].lines.clone()).collect()
    };
    // 2. Kickers join the headline after them.
    let mut k = 0;
    while k + 1 < parts.len() {
        let only_kickers = parts[k]
            .iter()
            .all(|&i| page.blocks[i].lines.iter().all(|l| l.role == Role::Kicker));
        let next_first = &page.blocks[parts[k + 1][0]];
        let next_headed = next_first
            .lines
            .first()
            .is_some_and(|l| l.role == Role::Heading);
        // A one-line label (a section word, an over-line) right above a
        // headline, nearer to it than a line of the headline's own size,
        // and within its width, is its kicker whatever its type.
        let label = parts[k].len() == 1 && {
            let b = &page.blocks[parts[k][0]];
            match (
                b.lines.as_slice(),
                b.bbox,
                next_first.bbox,
                next_first.lines.first(),
            ) {
                ([l], Some(lb), Some(hb), Some(h)) => {
                    let head_size = h.font_size.unwrap_or(body);
                    let gap = hb.y0 - lb.y1;
                    l.text.split_whitespace().count() <= 4
                        && l.text.chars().count() <= 24
                        && !crate::script::ends_sentence(&l.text)
                        && l.font_size.unwrap_or(body) < head_size
                        && gap >= -1.0
                        && gap <= 1.5 * head_size
                        && lb.x0 >= hb.x0 - body
                        && lb.x1 <= hb.x1 + body
                }
                _ => false,
            }
        };
        if (only_kickers || label) && next_headed {
            if label {
                for l in page.blocks[parts[k][0]].lines.iter_mut() {
                    l.role = Role::Kicker;
                }
            }
            let mut moved = parts.remove(k);
            moved.append(&mut parts[k]);
            parts[k] = moved;
        } else {
            k += 1;
        }
    }
    // 3. Regions without text are furniture.
    parts.retain(|p| {
        let text = p
            .iter()
            .any(|&i| page.blocks[i].lines.iter().any(|l| is_text_role(l.role)));
        if !text {
            for &i in p {
                for l in page.blocks[i].lines.iter_mut() {
                    l.role = Role::Furniture;
                }
            }
        }
        text
    });
    // 4. Column flow: text goes on from the foot of one column to the
    // head of the next. A region without a heading that opens at the head
    // of a column, beside a region whose last line (at the foot of the
    // column to the left) stops in mid-sentence, is the rest of that
    // region: no article starts in the middle of a sentence. Reading
    // order may have put the two apart (a label over the columns drew the
    // next column first), so the region is looked for by position.
    let last_body = |p: &[usize], blocks: &[Block]| -> Option<Line> {
        p.iter()
            .rev()
            .flat_map(|&i| blocks[i].lines.iter().rev())
            .find(|l| l.role == Role::Body)
            .cloned()
    };
    let mut k = 0;
    while k < parts.len() {
        // Text that opens in lower case (the tail of a hyphenated word, a
        // sentence going on) continues something even under a heading: the
        // heading over it is a section label (`PARTIE NON OFFICIELLE.`),
        // not its headline, and becomes furniture.
        let text_at = parts[k]
            .iter()
            .position(|&i| page.blocks[i].lines.iter().any(|l| l.role == Role::Body));
        let labelled = text_at.is_some_and(|t| {
            t > 0
                && parts[k][..t].iter().all(|&i| {
                    let b = &page.blocks[i];
                    b.lines.len() <= 2 && b.lines.iter().all(|l| l.role == Role::Heading)
                })
                && page.blocks[parts[k][t]]
                    .lines
                    .first()
                    .and_then(|l| l.text.chars().find(|c| c.is_alphabetic()))
                    .is_some_and(char::is_lowercase)
        });
        let skip = if labelled { text_at.unwrap_or(0) } else { 0 };
        let first = &page.blocks[parts[k][skip]];
        let headless = labelled
            || !parts[k]
                .iter()
                .any(|&i| page.blocks[i].lines.iter().any(|l| l.role == Role::Heading));
        // An opener (`本报讯`, a dateline) starts an item whatever came before.
        let first_text = first
            .lines
            .first()
            .is_some_and(|l| l.role == Role::Body && cues::opener(&l.text).is_none());
        // Text right under a photo is its caption or photo news.
        let under_photo = first.bbox.is_some_and(|b| {
            images.iter().any(|img| {
                b.y0 >= img.y1 - 2.0
                    && b.y0 - img.y1 <= 2.0 * body
                    && b.x1.min(img.x1) - b.x0.max(img.x0) > 0.0
            })
        });
        let (Some(fb), true) = (first.bbox, headless && first_text && !under_photo) else {
            k += 1;
            continue;
        };
        let from = (0..parts.len())
            .filter(|&q| q != k)
            .filter_map(|q| {
                let l = last_body(&parts[q], &page.blocks)?;
                let lb = l.bbox?;
                // A bracketed source tag after the last stop closes.
                let t = l.text.trim_end();
                let t = match t.strip_suffix(['）', ')']) {
                    Some(inner) => inner.rfind(['（', '(']).map_or(t, |at| &inner[..at]),
                    None => t,
                };
                let open = !crate::script::ends_sentence(t);
                let next_column =
                    fb.x0 >= lb.x1 - body && fb.x0 - lb.x1 <= 3.0 * body && fb.y0 < lb.y0;
                (open && next_column).then_some((q, fb.x0 - lb.x1))
            })
            .min_by(|a, b| a.1.total_cmp(&b.1))
            .map(|(q, _)| q);
        match from {
            Some(q) => {
                let mut moved = parts.remove(k);
                for i in moved.drain(..skip) {
                    for l in page.blocks[i].lines.iter_mut() {
                        l.role = Role::Furniture;
                    }
                }
                let q = if q > k { q - 1 } else { q };
                parts[q].extend(moved);
                k = k.min(q);
            }
            None => k += 1,
        }
    }
    // 5. Fragments: no item is shorter than one line of its page's column
    // text. A region holding fewer letters than half such a line (a table
    // cell, a label in a figure, OCR debris) is a piece of the region read
    // before it, or furniture when none was.
    let mut line_letters: Vec<usize> = page
        .blocks
        .iter()
        .flat_map(|b| b.lines.iter())
        .filter(|l| l.role == Role::Body)
        .map(|l| l.text.chars().filter(|c| c.is_alphabetic()).count())
        .collect();
    line_letters.sort_unstable();
    let line_measure = line_letters
        .get(line_letters.len() / 2)
        .copied()
        .unwrap_or(0);
    let mut k = 0;
    while k < parts.len() {
        let letters: usize = parts[k]
            .iter()
            .flat_map(|&i| page.blocks[i].lines.iter())
            .map(|l| l.text.chars().filter(|c| c.is_alphabetic()).count())
            .sum();
        if 2 * letters >= line_measure {
            k += 1;
            continue;
        }
        let moved = parts.remove(k);
        if k > 0 {
            parts[k - 1].extend(moved);
        } else {
            for i in moved {
                for l in page.blocks[i].lines.iter_mut() {
                    l.role = Role::Furniture;
                }
            }
        }
    }
    // 6. Advertisements.
    let looks_commercial: Vec<bool> = parts
        .iter()
        .map(|p| commercial_layout(&lines_of(p, &page.blocks), body))
        .collect();
    let mut ads = vec![false; parts.len()];
    let mut k = 0;
    while k < parts.len() {
        if !looks_commercial[k] {
            k += 1;
            continue;
        }
        // The run of adjacent display-set regions around it, not cut off
        // by a rule: the pieces of one ad (name, offer, phone).
        let mut end = k + 1;
        while end < parts.len() && looks_commercial[end] {
            let (a, b) = (bbox_of(&parts[end - 1], page), bbox_of(&parts[end], page));
            let overlap = a.x1.min(b.x1) - a.x0.max(b.x0) > 0.0;
            let gap_ok = b.y0 - a.y1 <= 3.0 * body && b.y0 >= a.y0;
            if !(overlap && gap_ok && !rule_between(rules, &a, &b)) {
                break;
            }
            end += 1;
        }
        let all: Vec<usize> = parts[k..end].iter().flatten().copied().collect();
        let text: String = lines_of(&all, &page.blocks)
            .iter()
            .map(|l| l.text.as_str())
            .collect::<Vec<_>>()
            .join(" ");
        if cues::commercial_marks(&text) > 0 {
            let merged: Vec<usize> = all;
            parts.splice(k..end, [merged]);
            ads.splice(k..end, [true]);
        }
        k += 1;
    }
    // A paid notice carries its order number, `(1285)`, on a line of its
    // own at its end (the way papers of the nineteenth and early twentieth
    // centuries numbered insertions): whatever its layout, it is an
    // advertisement.
    for (n, p) in parts.iter().enumerate() {
        if !ads[n]
            && p.iter()
                .flat_map(|&i| page.blocks[i].lines.iter())
                .any(|l| cues::is_insertion_number(&l.text))
        {
            ads[n] = true;
        }
    }
    let mut regions = Vec::with_capacity(parts.len());
    for (n, p) in parts.iter().enumerate() {
        let bbox = bbox_of(p, page);
        let headed = p
            .iter()
            .any(|&i| page.blocks[i].lines.iter().any(|l| l.role == Role::Heading));
        let kind = if ads[n] {
            crate::model::RegionKind::Advertisement
        } else if headed {
            crate::model::RegionKind::Article
        } else {
            crate::model::RegionKind::Brief
        };
        for (j, &i) in p.iter().enumerate() {
            page.blocks[i].region = Some(n as u32);
            // Text never runs on from one region into the next.
            page.blocks[i].starts_unit = j == 0;
        }
        regions.push(crate::model::Region {
            index: n as u32,
            kind,
            bbox,
        });
    }
    // Blocks of a region read together, regions in their order.
    let mut order: Vec<usize> = (0..page.blocks.len()).collect();
    let pos = |i: usize| -> (usize, usize) {
        match page.blocks[i].region {
            Some(r) => (
                parts[r as usize].iter().position(|&b| b == i).unwrap_or(0),
                r as usize,
            ),
            None => (0, usize::MAX),
        }
    };
    // Furniture keeps its place relative to the region read before it.
    let mut last_region = 0usize;
    let mut keys: Vec<(usize, usize, usize)> = Vec::with_capacity(order.len());
    for &i in &order {
        let (within, r) = pos(i);
        if r != usize::MAX {
            last_region = r;
            keys.push((r, 1, within));
        } else {
            keys.push((last_region, 0, i));
        }
    }
    order.sort_by_key(|&i| keys[i]);
    let mut blocks = std::mem::take(&mut page.blocks);
    let mut taken: Vec<Option<Block>> = blocks.drain(..).map(Some).collect();
    page.blocks = order.iter().filter_map(|&i| taken[i].take()).collect();
    page.regions = regions;
}

/// Lines that make a region an item: running text, captions, credits.
fn is_text_role(role: Role) -> bool {
    matches!(
        role,
        Role::Body | Role::Caption | Role::Credit | Role::SourceTag
    )
}

fn bbox_of(p: &[usize], page: &Page) -> BBox {
    BBox::union_all(p.iter().filter_map(|&i| page.blocks[i].bbox.as_ref())).unwrap_or(BBox {
        x0: 0.0,
        y0: 0.0,
        x1: 0.0,
        y1: 0.0,
    })
}

/// A horizontal rule between box `a` above and box `b` below.
fn rule_between(rules: &[BBox], a: &BBox, b: &BBox) -> bool {
    rules.iter().any(|r| {
        r.width() > r.height()
            && r.y0 >= a.y1 - 1.0
            && r.y1 <= b.y0 + 1.0
            && r.x1.min(a.x1.max(b.x1)) > r.x0.max(a.x0.min(b.x0))
    })
}

/// Set like an advertisement: no byline or news opener, and most lines in
/// display type (larger than the body or bold) or centred in the region
/// rather than filling a column measure, as running text does.
fn commercial_layout(lines: &[Line], body: f32) -> bool {
    if lines.is_empty()
        || lines.iter().any(|l| {
            l.role == Role::Byline || (l.role == Role::Body && cues::opener(&l.text).is_some())
        })
    {
        return false;
    }
    let Some(area) = BBox::union_all(lines.iter().filter_map(|l| l.bbox.as_ref())) else {
        return false;
    };
    // Running text filling its measure line after line is an article's
    // (a column in a second, larger body size is not display type).
    // (The measure: the width most lines reach, a column's, whatever
    // number of columns the region spans.)
    let mut widths: Vec<f32> = lines
        .iter()
        .filter_map(|l| l.bbox.map(|b| b.width()))
        .collect();
    widths.sort_by(f32::total_cmp);
    let measure = widths.get(widths.len() * 3 / 4).copied().unwrap_or(0.0);
    let full = widths.iter().filter(|&&w| w >= 0.9 * measure).count();
    if lines.len() > MAX_DISPLAY_LINES && 2 * full > lines.len() {
        return false;
    }
    let centre = (area.x0 + area.x1) / 2.0;
    let displayish = lines
        .iter()
        .filter(|l| {
            let big = l.font_size.is_some_and(|s| s >= DISPLAY_RATIO * body);
            let bold = !l.words.is_empty() && l.words.iter().all(|w| w.bold);
            let centred = l.bbox.is_some_and(|b| {
                ((b.x0 + b.x1) / 2.0 - centre).abs() <= 0.5 * body
                    && b.width() <= area.width() - 2.0 * body
            });
            big || bold || centred
        })
        .count();
    2 * displayish >= lines.len()
}

/// The four edges of a box as thin rules (half a point thick), so that a
/// frame separates like ruling lines do.
pub fn box_edges(b: &BBox) -> [BBox; 4] {
    let t = 0.25;
    [
        BBox {
            x0: b.x0,
            y0: b.y0 - t,
            x1: b.x1,
            y1: b.y0 + t,
        },
        BBox {
            x0: b.x0,
            y0: b.y1 - t,
            x1: b.x1,
            y1: b.y1 + t,
        },
        BBox {
            x0: b.x0 - t,
            y0: b.y0,
            x1: b.x0 + t,
            y1: b.y1,
        },
        BBox {
            x0: b.x1 - t,
            y0: b.y0,
            x1: b.x1 + t,
            y1: b.y1,
        },
    ]
}

/// A byline set over two or three lines in a block of its own
/// (`By Priya Natarajan and Tom` / `Eckhart, Staff Writers`, `本报记者
/// 沈立群 通讯员` / `季文博`) becomes one byline line: no line alone
/// reads as one.
fn join_wrapped_byline(block: &mut Block, body: f32) {
    let n = block.lines.len();
    if !(2..=3).contains(&n)
        || block.lines.iter().any(|l| {
            l.font_size.unwrap_or(body) > 1.05 * body
                || !matches!(l.role, Role::Body | Role::Byline | Role::Subheading)
        })
    {
        return;
    }
    let cjk = block
        .lines
        .iter()
        .any(|l| crate::script::is_mostly_cjk(&l.text));
    let joined = block
        .lines
        .iter()
        .map(|l| l.text.as_str())
        .collect::<Vec<_>>()
        .join(if cjk { "" } else { " " });
    if !cues::is_byline(&joined) {
        return;
    }
    let first = block.lines[0].clone();
    block.lines = vec![Line {
        text: joined,
        role: Role::Byline,
        bbox: block.bbox,
        ..first
    }];
}

/// `NEWSCLIP_DEBUG_LAYOUT` set: regions, owners and XY-cuts go to stderr.
/// Read once: XY-cut asks at every step.
fn debug_layout() -> bool {
    static ON: std::sync::OnceLock<bool> = std::sync::OnceLock::new();
    *ON.get_or_init(|| std::env::var_os("NEWSCLIP_DEBUG_LAYOUT").is_some())
}

/// Body text sizes: the size most characters are set in, on the page and
/// per script (a Chinese page may carry an English story set smaller).
struct Bodies {
    main: f32,
    cjk: f32,
    latin: f32,
}

impl Bodies {
    fn of(glyphs: &[Glyph]) -> Bodies {
        // A script needs this many characters before it has a body size of
        // its own.
        const ENOUGH: usize = 60;
        let mut all = std::collections::HashMap::new();
        let mut cjk = std::collections::HashMap::new();
        let mut latin = std::collections::HashMap::new();
        for g in glyphs.iter().filter(|g| !g.text.trim().is_empty()) {
            let key = (g.font_size * 2.0).round() as i32;
            let n = g.text.chars().count();
            *all.entry(key).or_insert(0) += n;
            let script = if g.text.chars().any(is_cjk) {
                &mut cjk
            } else {
                &mut latin
            };
            *script.entry(key).or_insert(0) += n;
        }
        let mode = |counts: &std::collections::HashMap<i32, usize>| {
            counts
                .iter()
                .max_by_key(|(size, n)| (**n, -**size))
                .map(|(s, _)| *s as f32 / 2.0)
                .filter(|s| *s > 0.0)
        };
        let main = mode(&all).unwrap_or(10.0);
        let own = |counts: &std::collections::HashMap<i32, usize>| {
            if counts.values().sum::<usize>() >= ENOUGH {
                mode(counts).unwrap_or(main)
            } else {
                main
            }
        };
        Bodies {
            main,
            cjk: own(&cjk),
            latin: own(&latin),
        }
    }

    fn script_body(&self, cjk: bool) -> f32 {
        if cjk {
            self.cjk
        } else {
            self.latin
        }
    }

    /// The factor that brings a line of this text to the page's scale.
    fn scale(&self, text: &str) -> f32 {
        self.main / self.script_body(crate::script::is_mostly_cjk(text))
    }
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
fn build_lines(page: &GeoPage, bodies: &Bodies) -> (Vec<GLine>, Vec<GLine>) {
    let body = bodies.main;
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
                pt: run[0].font_size,
                bold: false,
                all_bold: false,
                baseline: run[0].origin.1,
                font: run[0].font.clone(),
                first_bold: false,
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
        // After an explicit space glyph a wide gap is a loose justified
        // line (narrow columns stretch a space past an em), not a gutter.
        let spaced = prev.text.trim().is_empty();
        let gutter = gap > if spaced { 3.0 } else { 1.2 } * size
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
        merged
            .iter()
            .filter_map(|run| make_line(run, bodies))
            .collect(),
        side_lines,
    )
}

/// Text of a line: glyphs left to right, a space where the gap shows a
/// word break between non-CJK characters (or where the PDF drew a space),
/// never between CJK characters.
fn make_line(glyphs: &[&Glyph], bodies: &Bodies) -> Option<GLine> {
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
            // break. A space character the file itself shows between CJK
            // characters in display or bold type is the text's own (the
            // two halves of a headline couplet, names in a bold lead-in).
            let display_space = cjk_pair
                && pending_space
                && (g.font_size >= DISPLAY_RATIO * bodies.script_body(is_cjk(next))
                    || (g.bold && p.bold));
            if (!cjk_pair && (pending_space || wide)) || display_space {
                text.push(' ');
                if !word.text.is_empty() {
                    words.push(std::mem::take(&mut word));
                }
            }
        }
        pending_space = false;
        // A soft hyphen drawn inside a line is a hyphen whose glyph the
        // font's ToUnicode map shares with the soft hyphen (typst does
        // this); at the line's end it stays a soft hyphen for reflow.
        let last_visible = visible.last().is_some_and(|v| std::ptr::eq(**v, *g));
        let shown: &str = if g.text == "\u{ad}" && !last_visible {
            "-"
        } else {
            &g.text
        };
        text.push_str(shown);
        word.text.push_str(shown);
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
    let pt = size;
    let size = size * bodies.scale(&text);
    Some(GLine {
        bbox,
        size,
        pt,
        bold: bold_chars * 2 > visible.len(),
        all_bold: bold_chars == visible.len(),
        baseline: first.origin.1,
        font: first.font.clone(),
        first_bold: first.bold,
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
            // A paragraph's short last line under its indented first line
            // (`岁末回首，步履铿` / `锵。`) need not overlap it.
            let under_indent = b.lines.len() == 1
                && line.bbox.x0 < b.bbox.x0
                && b.bbox.x0 - line.bbox.x0 <= 2.2 * line.size
                && line.bbox.x1 <= b.bbox.x1 + 0.5 * line.size;
            let aligned = overlap >= 0.5 * min_width || under_indent;
            // A byline stands apart from the column text under it (it may
            // be set across the article, flush right or over one column);
            // a byline wrapped over two lines, flush left or centred under
            // the first, still reads as one.
            let centre = |x: &BBox| (x.x0 + x.x1) / 2.0;
            let wrapped = ((b.bbox.x0 - line.bbox.x0).abs() <= line.size
                || (centre(&b.bbox) - centre(&line.bbox)).abs() <= line.size)
                && cues::is_byline(&format!("{} {}", b.lines[0].text, line.text));
            let byline_apart = b.lines.len() == 1 && cues::is_byline(&b.lines[0].text) && !wrapped;
            let ruled = rules.iter().any(|r| {
                r.width() > r.height()
                    && r.y0 >= last.y1 - 1.0
                    && r.y1 <= line.bbox.y0 + 1.0
                    && r.x0 < line.bbox.x1
                    && r.x1 > line.bbox.x0
            });
            same_size && leading_ok && aligned && !ruled && !byline_apart
        });
        match target {
            Some(b) => {
                b.bbox = b.bbox.union(&line.bbox);
                b.lines.push(line);
            }
            None => blocks.push(GBlock::of_line(line)),
        }
    }
    blocks
}

/// A run of up to three bold lines inside a block of regular lines, its
/// last line stopping short of the right edge (an in-column sub-heading set
/// near the body size, wrapped or not), becomes a block of its own so that
/// its role is judged alone. A bold lead-in on a full-measure line
/// (`LONDON, Jan. 8 (Reuters) –`, `本报讯（记者…`) stays.
fn split_display_lines(blocks: Vec<GBlock>) -> Vec<GBlock> {
    let mut out = Vec::with_capacity(blocks.len());
    for b in blocks {
        let n = b.lines.len();
        // The block's usual line pitch.
        let mut steps: Vec<f32> = b
            .lines
            .windows(2)
            .map(|w| w[1].baseline - w[0].baseline)
            .collect();
        steps.sort_by(f32::total_cmp);
        let pitch = steps.get(steps.len() / 2).copied().unwrap_or(0.0);
        // Runs of bold lines: (first, end exclusive).
        let mut runs: Vec<(usize, usize)> = Vec::new();
        let mut i = 0;
        while i < n {
            if b.lines[i].all_bold {
                let start = i;
                while i < n && b.lines[i].all_bold {
                    i += 1;
                }
                let last = &b.lines[i - 1];
                let short = last.bbox.x1 < b.bbox.x1 - 0.25 * last.size;
                // Set off by extra space above or below, or in another
                // face than the text around it, as sub-headings are; a
                // bold lead-in runs on at the normal leading in the text's
                // face (and is rarely all bold to the line's end).
                let gap_before = start > 0
                    && b.lines[start].baseline - b.lines[start - 1].baseline > 1.1 * pitch;
                let gap_after = i < n && b.lines[i].baseline - last.baseline > 1.1 * pitch;
                let face = &b.lines[start].font;
                let other_face = (start > 0 && b.lines[start - 1].font != *face)
                    || (i < n && b.lines[i].font != *face);
                // Bold running on into the next line is a lead-in
                // (`新华社北京1月8日电` / `（记者…）春节…`).
                let run_text: String = b.lines[start..i].iter().map(|l| l.text.as_str()).collect();
                let runs_on = (i < n && b.lines[i].first_bold) || cues::opener(&run_text).is_some();
                if i - start <= 3
                    && i - start < n
                    && !runs_on
                    && (short || gap_before || gap_after || other_face)
                {
                    runs.push((start, i));
                }
            } else {
                i += 1;
            }
        }
        if runs.is_empty() {
            out.push(b);
            continue;
        }
        let mut cuts: Vec<usize> = runs.iter().flat_map(|&(s, e)| [s, e]).collect();
        cuts.push(n);
        let mut from = 0;
        for cut in cuts {
            if cut > from {
                let lines: Vec<GLine> = b.lines[from..cut].to_vec();
                if let Some(bbox) = BBox::union_all(lines.iter().map(|l| &l.bbox)) {
                    out.push(GBlock {
                        bbox,
                        size: lines[0].size,
                        lines,
                        ..b.clone_empty()
                    });
                }
                from = cut;
            }
        }
    }
    out
}

impl GBlock {
    /// A block of one line, owned by nothing yet.
    fn of_line(line: GLine) -> GBlock {
        GBlock {
            bbox: line.bbox,
            size: line.size,
            lines: vec![line],
            unit_start: false,
            loose: false,
            unit: None,
        }
    }

    /// The block's flags without its lines.
    fn clone_empty(&self) -> GBlock {
        GBlock {
            bbox: self.bbox,
            lines: Vec::new(),
            size: self.size,
            unit_start: self.unit_start,
            loose: self.loose,
            unit: self.unit,
        }
    }
}

/// Reading order by articles: a headline owns the blocks under its own
/// width, down to the next headline or rule across that width (and the
/// kicker just above it). Articles (and blocks owned by none) are ordered by
/// XY-cut as units; inside an article, the heading blocks come first, then
/// the rest by XY-cut (its columns left to right).
fn reading_order(
    blocks: Vec<GBlock>,
    rules: &[BBox],
    images: &[BBox],
    body: f32,
    page_height: f32,
) -> Vec<GBlock> {
    // A subtitle (`——…`) is set large too, but belongs to the headline
    // above it.
    let is_headline = |b: &GBlock| {
        b.size >= HEADLINE_RATIO * body
            && !is_running_text(b)
            && b.lines.first().is_some_and(|l| {
                !cues::is_subtitle(&l.text) && !is_margin_furniture(l, page_height)
            })
    };
    let mut heads: Vec<usize> = (0..blocks.len())
        .filter(|&i| is_headline(&blocks[i]))
        .collect();
    // A smaller headline-size block in a larger headline's display group
    // is part of that headline's region, not one of its own: right above
    // it (its kicker), or close under it (its deck, a magazine's
    // standfirst; the space under display type grows with its size) and
    // set as a deck is: on the headline's left edge, its centre, or within
    // its measure.
    let grouped: Vec<usize> = heads
        .iter()
        .copied()
        .filter(|&k| {
            let kb = blocks[k].bbox;
            heads.iter().any(|&h| {
                let hb = blocks[h].bbox;
                let kicker = hb.y0 >= kb.y1 - 1.0
                    && hb.y0 - kb.y1 <= 2.0 * body
                    && kb.x1.min(hb.x1) > kb.x0.max(hb.x0);
                let deck = kb.y0 >= hb.y1 - 1.0
                    && kb.y0 - hb.y1 <= (2.0 * body).max(1.5 * blocks[h].size)
                    && ((kb.x0 - hb.x0).abs() <= body
                        || ((kb.x0 + kb.x1) - (hb.x0 + hb.x1)).abs() <= 2.0 * body
                        || (kb.x0 >= hb.x0 - body && kb.x1 <= hb.x1 + body));
                h != k && blocks[h].size > 1.2 * blocks[k].size && (kicker || deck)
            })
        })
        .collect();
    heads.retain(|h| !grouped.contains(h));
    if heads.is_empty() {
        return xy_order(blocks, rules, images, body, Cuts::WidestGap);
    }
    // A column one gutter beside the region's columns can be its next
    // column: the reach is the page's own gutter (the grid's gutters are
    // one width on a page), never less than two body sizes.
    let reach = (measured_gutter(&blocks, body) + 0.5 * body).max(2.0 * body);
    // Each headline's region.
    let regions: Vec<BBox> = heads
        .iter()
        .map(|&h| {
            let hb = blocks[h].bbox;
            if is_vertical(&blocks[h]) {
                return vertical_headline_region(&blocks, h, rules, body, reach);
            }
            let tol = body;
            // A centred headline is narrower than its columns: widen the
            // region over the first row of text blocks under it, column by
            // column, while they are top-aligned, a gutter apart and not
            // cut off by a vertical rule.
            // Only text columns count: a byline or kicker centred under
            // the headline starts higher than the columns and would hide
            // their common top.
            // The first row may lie under a photo set between headline and
            // columns: it starts where the first column under the headline
            // does.
            let first_top = blocks
                .iter()
                .filter(|b| {
                    !is_headline(b)
                        && is_column_text(b, body)
                        && b.bbox.y0 >= hb.y1 - 2.0
                        && b.bbox.x1.min(hb.x1) - b.bbox.x0.max(hb.x0)
                            > 0.5 * b.bbox.width().min(hb.width())
                        && !heads.iter().any(|&o| {
                            let ob = blocks[o].bbox;
                            o != h
                                && ob.y0 >= hb.y1
                                && ob.y1 <= b.bbox.y0
                                && ob.x1.min(b.bbox.x1) > ob.x0.max(b.bbox.x0)
                        })
                })
                .map(|b| b.bbox.y0)
                .fold(f32::INFINITY, f32::min);
            let first_top = if first_top.is_finite() {
                first_top
            } else {
                hb.y1
            };
            let row: Vec<(BBox, f32)> = blocks
                .iter()
                .filter(|b| {
                    !is_headline(b)
                        && is_column_text(b, body)
                        && b.bbox.y0 >= hb.y1 - 2.0
                        && b.bbox.y0 <= first_top + 6.0 * body
                })
                .map(|b| {
                    // A byline, a caption or a photo set at the head of a
                    // column belongs to it: the column's top is theirs.
                    let mut top = b.bbox;
                    let own = b.bbox;
                    // (Repeatedly: a photo with its caption under it.)
                    loop {
                        let heads_it = |d: &BBox| {
                            d.y1 <= top.y0 + 1.0
                                && top.y0 - d.y1 <= 2.0 * body
                                && (d.x0 - top.x0).abs() <= body
                                && d.x1 <= top.x1 + body
                        };
                        let photo = images.iter().filter(|i| heads_it(i)).map(|i| i.y0);
                        let small = blocks
                            .iter()
                            .filter(|d| {
                                !is_headline(d)
                                    && !is_column_text(d, body)
                                    && d.lines.len() <= 3
                                    && heads_it(&d.bbox)
                            })
                            .map(|d| d.bbox.y0);
                        let next = photo.chain(small).fold(top.y0, f32::min);
                        if next >= top.y0 {
                            break;
                        }
                        top.y0 = next;
                    }
                    (own, top.y0)
                })
                // Columns another headline stands over (the nearest
                // headline above them in their own columns, with no rule
                // between) are that headline's.
                .filter(|(b, _)| {
                    let nearest = heads
                        .iter()
                        .filter(|&&o| {
                            let ob = blocks[o].bbox;
                            ob.y1 <= b.y0 + 1.0
                                && ob.x1.min(b.x1) - ob.x0.max(b.x0) > 0.3 * b.width()
                        })
                        .max_by(|&&p, &&q| blocks[p].bbox.y1.total_cmp(&blocks[q].bbox.y1));
                    let Some(&o) = nearest else { return true };
                    let ob = blocks[o].bbox;
                    let ruled = rules.iter().any(|r| {
                        r.width() > r.height()
                            && r.y0 >= ob.y1 - 1.0
                            && r.y1 <= b.y0 + 1.0
                            && r.x1.min(b.x1) - r.x0.max(b.x0) > 0.5 * b.width()
                    });
                    // A column the other article left off above this
                    // headline's top (white space down to the block) is
                    // free for this headline to take.
                    let above_end = blocks
                        .iter()
                        .map(|d| d.bbox)
                        .chain(images.iter().copied())
                        .filter(|d| {
                            d.y1 <= b.y0 + 1.0 && d.x1.min(b.x1) - d.x0.max(b.x0) > 0.5 * b.width()
                        })
                        .map(|d| d.y1)
                        .fold(f32::NEG_INFINITY, f32::max);
                    let released = b.y0 - above_end > 2.5 * body && hb.y0 >= above_end - 1.0;
                    o == h || ruled || released
                })
                .collect();
            let (mut x0, mut x1) = (hb.x0 - tol, hb.x1 + tol);
            // A picture set right under a headline is the article's, and
            // its width is the article's measure: a headline narrower than
            // its photo governs the columns under the whole photo.
            for img in images {
                let overlap = img.x1.min(hb.x1) - img.x0.max(hb.x0);
                if img.y0 >= hb.y1 - 1.0
                    && img.y0 - hb.y1 <= 2.0 * body
                    && overlap >= 0.5 * hb.width()
                {
                    x0 = x0.min(img.x0 - 0.5);
                    x1 = x1.max(img.x1 + 0.5);
                }
            }
            let under: Vec<&(BBox, f32)> = row
                .iter()
                .filter(|(b, _)| b.x1.min(x1) - b.x0.max(x0) > 0.5 * b.width().min(x1 - x0))
                .collect();
            let top = under
                .iter()
                .map(|(b, _)| b.y0)
                .fold(f32::INFINITY, f32::min);
            let head_top = under.iter().map(|(_, t)| *t).fold(f32::INFINITY, f32::min);
            // A column of this article has nothing of another item above
            // it up to the headline: text of its own in that column (a
            // brief set beside the headline) marks a neighbour.
            let clear_above = |b: &BBox| {
                !blocks.iter().any(|d| {
                    is_column_text(d, body)
                        && d.bbox.y1 <= b.y0 + 1.0
                        && d.bbox.y1 > hb.y0
                        && d.bbox.x1.min(b.x1) - d.bbox.x0.max(b.x0) > 0.5 * b.width()
                })
            };
            // Top-aligned: the column's own top with the text's, or the
            // top of what heads it (byline, photo) with theirs.
            // A column headed by something that starts above this headline
            // (a photo with its caption beside it) is another item's.
            let aligned = |b: &BBox, headed_top: f32| {
                headed_top >= hb.y0 - 1.0
                    && ((b.y0 - top).abs() <= body
                        || (headed_top - top).abs() <= body
                        || (headed_top - head_top).abs() <= 1.5 * body)
                    && clear_above(b)
            };
            if top.is_finite() {
                // Columns the headline reaches into count whole: by more
                // than the tolerance, which only lets a gutter's width of
                // slack in.
                for (b, bt) in &row {
                    if aligned(b, *bt) && b.x1 > hb.x0 + tol && b.x0 < hb.x1 - tol {
                        x0 = x0.min(b.x0 - 0.5);
                        x1 = x1.max(b.x1 + 0.5);
                    }
                }
                // An article's text starts in its first column: when the
                // leftmost column under the headline opens with an opener
                // (`本报讯`, a dateline), a column left of it is another's.
                let opens_at = |x0: f32, x1: f32| {
                    blocks
                        .iter()
                        .filter(|b| {
                            is_column_text(b, body)
                                && row.iter().any(|(r, _)| r == &b.bbox)
                                && b.bbox.x1.min(x1) - b.bbox.x0.max(x0) > 0.5 * b.bbox.width()
                        })
                        .min_by(|a, b| a.bbox.x0.total_cmp(&b.bbox.x0))
                        .and_then(|b| b.lines.first())
                        .is_some_and(|l| cues::opener(&l.text).is_some())
                };
                loop {
                    let mut grew = false;
                    let opened = opens_at(x0, x1);
                    for (b, bt) in &row {
                        let aligned = aligned(b, *bt);
                        let left = !opened && b.x1 <= x0 + tol && b.x1 >= x0 - reach;
                        let right = b.x0 >= x1 - tol && b.x0 <= x1 + reach;
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
            let bottom = whitespace_bottom(&blocks, images, (x0, x1), hb.y1, bottom, body);
            BBox {
                x0,
                // Above the headline only its kicker, set close to it.
                y0: hb.y0 - KICKER_REACH * body,
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
    if debug_layout() {
        for (k, &h) in heads.iter().enumerate() {
            let first: String = blocks[h].lines[0].text.chars().take(12).collect();
            eprintln!("head {k} {first} region {:?}", regions[k]);
        }
        for (i, b) in blocks.iter().enumerate() {
            let first: String = b.lines[0].text.chars().take(12).collect();
            eprintln!("  block {i} {first} {:?} owner {:?}", b.bbox, owner[i]);
        }
    }
    let mut groups: Vec<Vec<GBlock>> = vec![Vec::new(); heads.len()];
    let mut loose: Vec<GBlock> = Vec::new();
    // A headline near the top of the page that owns no running text is
    // the nameplate or a running title (`Library of Congress Digital
    // Preservation Newsletter`, `June 2013`): furniture, not an article.
    let owns_text: Vec<bool> = (0..heads.len())
        .map(|k| {
            blocks
                .iter()
                .zip(&owner)
                .any(|(b, o)| *o == Some(k) && is_column_text(b, body))
        })
        .collect();
    let masthead =
        |k: usize| !owns_text[k] && blocks[heads[k]].bbox.y1 <= MASTHEAD_SHARE * page_height;
    let mastheads: Vec<bool> = (0..heads.len()).map(masthead).collect();

    for (i, (mut b, o)) in blocks.into_iter().zip(owner).enumerate() {
        match o {
            Some(k) if mastheads[k] && heads[k] == i => {
                // Marked like vertical text: layout makes it furniture.
                for l in b.lines.iter_mut() {
                    l.text.insert(0, '\u{0}');
                }
                loose.push(b);
            }
            Some(k) if mastheads[k] => loose.push(b),
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
        let head_y = regions[k].y0 + KICKER_REACH * body;
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
        // Short blocks above every text column they overlap (subtitle,
        // byline, dateline line) come before the columns, top down; XY-cut
        // would put a byline centred over a gutter after the first column.
        // (All the columns: a sub-heading inside a later column is not
        // above the first one.)
        let columns_top = |b: &GBlock, rest: &[GBlock]| {
            let overlapped = rest.iter().any(|c| {
                is_column_text(c, body) && c.bbox.x1.min(b.bbox.x1) > c.bbox.x0.max(b.bbox.x0)
            });
            if !overlapped {
                return f32::INFINITY;
            }
            rest.iter()
                .filter(|c| is_column_text(c, body))
                .map(|c| c.bbox.y0)
                .fold(f32::INFINITY, f32::min)
        };
        let heading_like: Vec<bool> = rest
            .iter()
            .map(|b| {
                let high = b.size >= DISPLAY_RATIO * body && b.bbox.y0 < head_y + 6.0 * body;
                let top = columns_top(b, &rest);
                // Only a byline-like block: a body-size line at the top of a
                // column (a paragraph's end, a sub-heading) is column text.
                let byline_like = b.size <= SMALL_RATIO * body
                    || b.lines.first().is_some_and(|l| cues::is_byline(&l.text));
                let above = byline_like
                    && !is_column_text(b, body)
                    && top.is_finite()
                    && b.bbox.y1 <= top + 0.5;
                // A caption under a photo is not part of the column flow
                // (it may run across columns beside their first lines).
                let caption = b.lines.len() <= 6
                    && b.lines.iter().all(|l| l.size <= SMALL_RATIO * body)
                    && images.iter().any(|img| {
                        b.bbox.y0 >= img.y1 - 2.0
                            && b.bbox.y0 - img.y1 <= 2.0 * body
                            && b.bbox.x1.min(img.x1) - b.bbox.x0.max(img.x0)
                                >= 0.5 * b.bbox.width().min(img.width())
                    });
                (b.lines.len() <= 2 && (high || above)) || caption
            })
            .collect();
        let (mut heading_rest, mut body_rest) = (Vec::new(), Vec::new());
        for (b, h) in rest.into_iter().zip(heading_like) {
            if h {
                heading_rest.push(b);
            } else {
                body_rest.push(b);
            }
        }
        heading_rest.sort_by(|a, b| a.bbox.y0.total_cmp(&b.bbox.y0));
        all.extend(heading_rest);
        let inside: Vec<BBox> = images
            .iter()
            .filter(|i| {
                i.x1.min(bbox.x1) > i.x0.max(bbox.x0) && i.y1.min(bbox.y1) > i.y0.max(bbox.y0)
            })
            .copied()
            .collect();
        all.extend(xy_order(
            body_rest,
            rules,
            &inside,
            body,
            Cuts::ColumnsFirst,
        ));
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
    for u in xy_order(units, rules, images, body, Cuts::WidestGap) {
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

/// Chinese headlines are often set top to bottom beside their text. A
/// vertical run in headline type (larger than the body, CJK, two characters
/// or more) is such a headline, not a margin note; runs side by side in one
/// size are its lines, read right to left as vertical lines are. Other
/// vertical runs (production slugs, margin notes) stay apart.
fn vertical_headlines(side_lines: Vec<GLine>, body: f32) -> (Vec<GBlock>, Vec<GLine>) {
    let (mut display, rest): (Vec<GLine>, Vec<GLine>) = side_lines.into_iter().partition(|l| {
        l.size >= HEADLINE_RATIO * body
            && crate::script::is_mostly_cjk(&l.text)
            && l.text.chars().count() >= 2
    });
    display.sort_by(|a, b| b.bbox.x1.total_cmp(&a.bbox.x1));
    let mut heads: Vec<GBlock> = Vec::new();
    for l in display {
        // The next line of a headline: same size, one line space to the
        // left, level with it.
        let joins = heads.last().is_some_and(|h: &GBlock| {
            let last = &h.lines[h.lines.len() - 1];
            (l.size / last.size - 1.0).abs() <= 0.1
                && last.bbox.x0 - l.bbox.x1 <= 0.8 * l.size
                && l.bbox.y1.min(last.bbox.y1) - l.bbox.y0.max(last.bbox.y0)
                    > 0.3 * l.bbox.height().min(last.bbox.height())
        });
        match heads.last_mut() {
            Some(h) if joins => {
                h.bbox = h.bbox.union(&l.bbox);
                h.lines.push(l);
            }
            _ => heads.push(GBlock::of_line(l)),
        }
    }
    // Smaller vertical runs right beside a headline (its deck, `——…`, or
    // kicker set the same way) belong to its display group.
    let mut others = Vec::new();
    for l in rest {
        let beside = heads.iter_mut().find(|h| {
            let gap = (l.bbox.x0 - h.bbox.x1).max(h.bbox.x0 - l.bbox.x1);
            crate::script::is_mostly_cjk(&l.text)
                && l.text.chars().count() >= 2
                && l.bbox.height() > 2.0 * l.bbox.width()
                && gap <= l.size.max(0.5 * h.size)
                && l.bbox.y1.min(h.bbox.y1) - l.bbox.y0.max(h.bbox.y0) > 0.3 * l.bbox.height()
        });
        match beside {
            Some(h) => {
                h.bbox = h.bbox.union(&l.bbox);
                h.lines.push(l);
                // Vertical lines read from right to left.
                h.lines.sort_by(|a, b| b.bbox.x1.total_cmp(&a.bbox.x1));
            }
            None => others.push(l),
        }
    }
    (heads, others)
}

/// A block of vertical lines (taller than wide, two characters or more).
fn is_vertical(b: &GBlock) -> bool {
    !b.lines.is_empty()
        && b.lines
            .iter()
            .all(|l| l.bbox.height() > 2.0 * l.bbox.width() && l.text.chars().count() >= 2)
}

/// The region a vertical headline governs: the column text level with it
/// on one side, a gutter away (the side whose text starts level with the
/// headline's top, else the nearer), then the columns after those while
/// their tops stay level and no rule cuts them off, down to the foot of
/// that text.
fn vertical_headline_region(
    blocks: &[GBlock],
    h: usize,
    rules: &[BBox],
    body: f32,
    reach: f32,
) -> BBox {
    let hb = blocks[h].bbox;
    let level = |b: &BBox| b.y1.min(hb.y1) - b.y0.max(hb.y0) > 0.3 * hb.height().min(b.height());
    let text: Vec<BBox> = blocks
        .iter()
        .enumerate()
        .filter(|(i, b)| *i != h && is_column_text(b, body) && level(&b.bbox))
        .map(|(_, b)| b.bbox)
        .collect();
    let gap_right = |b: &BBox| b.x0 - hb.x1;
    let gap_left = |b: &BBox| hb.x0 - b.x1;
    let pick = |side: &dyn Fn(&BBox) -> f32| {
        text.iter()
            .filter(|b| side(b) >= -1.0 && side(b) <= reach)
            .min_by(|a, b| side(a).total_cmp(&side(b)))
            .copied()
    };
    let (right, left) = (pick(&gap_right), pick(&gap_left));
    let score = |b: &BBox, gap: f32| ((b.y0 - hb.y0).abs() > 1.5 * body, gap);
    let (first, to_right) = match (right, left) {
        (Some(r), Some(l)) => {
            if score(&r, gap_right(&r)) <= score(&l, gap_left(&l)) {
                (r, true)
            } else {
                (l, false)
            }
        }
        (Some(r), None) => (r, true),
        (None, Some(l)) => (l, false),
        (None, None) => return hb,
    };
    let mut area = hb.union(&first);
    loop {
        let next = text.iter().find(|b| {
            let beside = if to_right {
                b.x0 >= area.x1 - 1.0 && b.x0 - area.x1 <= reach
            } else {
                b.x1 <= area.x0 + 1.0 && area.x0 - b.x1 <= reach
            };
            let (g0, g1) = if to_right {
                (area.x1, b.x0)
            } else {
                (b.x1, area.x0)
            };
            beside
                && (b.y0 - first.y0).abs() <= 1.5 * body
                && !vertical_rule_between(rules, g0 - 1.0, g1 + 1.0, b.y0, b.y1)
        });
        match next {
            Some(b) => area = area.union(b),
            None => break,
        }
    }
    // Down each column the text goes on in blocks right under one another.
    loop {
        let below = blocks.iter().find(|b| {
            is_column_text(b, body)
                && b.bbox.y0 >= area.y1 - 1.0
                && b.bbox.y0 - area.y1 <= body
                && b.bbox.x0 >= area.x0 - 1.0
                && b.bbox.x1 <= area.x1 + 1.0
        });
        match below {
            Some(b) => area.y1 = b.bbox.y1,
            None => break,
        }
    }
    BBox {
        x0: area.x0 - 0.5,
        y0: area.y0 - 0.5,
        x1: area.x1 + 0.5,
        y1: area.y1 + 0.5,
    }
}

/// Where white space closes a headline's region before `bottom`: a band
/// across the region's whole width, at least one body line pitch tall,
/// with the region's running text above it and running text (not a
/// sub-heading, caption or photo) below it. Inside an article the columns
/// run on, and what interrupts them across the full width is a photo, its
/// caption or a sub-heading; an empty line across all its columns is the
/// space the page sets between items (a brief set under the article).
fn whitespace_bottom(
    blocks: &[GBlock],
    images: &[BBox],
    (x0, x1): (f32, f32),
    top: f32,
    bottom: f32,
    body: f32,
) -> f32 {
    // The body line pitch: text set at a leading of about 1.2 or more.
    let pitch = 1.2 * body;
    let inside = |b: &BBox| {
        let cx = (b.x0 + b.x1) / 2.0;
        cx >= x0 && cx <= x1 && b.y0 >= top - 1.0 && b.y0 < bottom
    };
    let mut spans: Vec<(f32, f32, Option<&GBlock>)> = blocks
        .iter()
        .filter(|b| inside(&b.bbox))
        .map(|b| (b.bbox.y0, b.bbox.y1, Some(b)))
        .chain(
            images
                .iter()
                .filter(|i| inside(i))
                .map(|i| (i.y0, i.y1, None)),
        )
        .collect();
    spans.sort_by(|a, b| a.0.total_cmp(&b.0));
    let mut reach = f32::NEG_INFINITY;
    let mut text_above = false;
    // Whether the text above stops at the end of a sentence or with a
    // closing tag (`（东卫）`): an article that has ended.
    let mut text_closed = false;
    for (y0, y1, b) in spans {
        // A photo after a band of white under text that has ended is an
        // item of its own (a photo with its caption), not this article's:
        // an article's pictures stand by its headline or inside its text.
        if text_above && text_closed && b.is_none() && y0 - reach >= pitch {
            return reach + 0.5 * (y0 - reach);
        }
        if text_above && y0 - reach >= pitch {
            // Running text below the band: body-size column text, or more
            // lines than display type takes in smaller type (a feuilleton,
            // verse, a second body size), which no caption runs to.
            let runs_text = b.is_some_and(|b| {
                (is_column_text(b, body)
                    || is_running_text(b)
                    || (b.lines.len() > MAX_DISPLAY_LINES && b.size < body))
                    && !b.lines.first().is_some_and(|l| l.all_bold)
            });
            if runs_text {
                return reach + 0.5 * (y0 - reach);
            }
        }
        if y1 >= reach {
            text_closed = b.and_then(|b| b.lines.last()).is_some_and(|l| {
                crate::script::ends_sentence(&l.text)
                    || cues::trailing_source_tag(&l.text).is_some()
            });
        }
        reach = reach.max(y1);
        text_above |= b.is_some_and(|b| is_column_text(b, body));
    }
    bottom
}

/// The gutter between side-by-side columns of running text on this page:
/// the upper quartile of the gaps from each column block to the nearest
/// one on its right at the same height (most such gaps are gutters, a few
/// are the wider space between articles). Only gaps narrower than the
/// column itself count: a gutter is always narrower than its columns.
fn measured_gutter(blocks: &[GBlock], body: f32) -> f32 {
    let columns: Vec<&BBox> = blocks
        .iter()
        .filter(|b| is_column_text(b, body))
        .map(|b| &b.bbox)
        .collect();
    let mut gaps: Vec<f32> = columns
        .iter()
        .filter_map(|a| {
            columns
                .iter()
                .filter(|b| b.x0 >= a.x1 && b.y1.min(a.y1) - b.y0.max(a.y0) > body)
                .map(|b| b.x0 - a.x1)
                .filter(|&g| g > 0.0 && g < a.width())
                .min_by(f32::total_cmp)
        })
        .collect();
    if gaps.is_empty() {
        return body;
    }
    gaps.sort_by(f32::total_cmp);
    gaps[(3 * gaps.len()) / 4]
}

/// A page number or running head set large in the top or bottom band
/// (`A5`): a short line or one worded like furniture.
/// More lines than display type is set in, most of them filling the
/// block's measure as justified running text does: text, at any size.
fn is_running_text(b: &GBlock) -> bool {
    let full = b
        .lines
        .iter()
        .filter(|l| l.bbox.width() >= 0.9 * b.bbox.width())
        .count();
    b.lines.len() > MAX_DISPLAY_LINES && 2 * full > b.lines.len()
}

fn is_margin_furniture(l: &GLine, page_height: f32) -> bool {
    let in_band =
        l.bbox.y1 <= page_height * MARGIN_SHARE || l.bbox.y0 >= page_height * (1.0 - MARGIN_SHARE);
    in_band && (l.text.chars().count() <= 4 || cues::furniture_kind(&l.text).is_some())
}

/// A block of running text: body-size type over several lines.
fn is_column_text(b: &GBlock, body: f32) -> bool {
    b.lines.len() >= 2 && b.size < DISPLAY_RATIO * body && b.size > SMALL_RATIO * body
}

/// How XY-cut chooses between a horizontal and a vertical cut.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Cuts {
    /// The wider whitespace (articles on a page).
    WidestGap,
    /// Any full-height gutter first (the columns of one article).
    ColumnsFirst,
}

/// Recursive XY-cut; see the module doc. Images take part as empty blocks:
/// they fill the space they occupy, so no cut runs through a photo.
fn xy_order(
    mut blocks: Vec<GBlock>,
    rules: &[BBox],
    images: &[BBox],
    body: f32,
    cuts: Cuts,
) -> Vec<GBlock> {
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
            // A photo's placement often runs a little past its column
            // (frame, bleed): inset it so it does not hide a narrow gutter.
            let inset = 0.3 * body;
            blocks.push(GBlock {
                bbox: BBox {
                    x0: img.x0 + inset,
                    y0: img.y0 + inset,
                    x1: img.x1 - inset,
                    y1: img.y1 - inset,
                },
                lines: Vec::new(),
                size: 0.0,
                unit_start: false,
                loose: false,
                unit: None,
            });
        }
    }
    let mut out = Vec::with_capacity(blocks.len());
    // Hanging punctuation reaches at most half an em past a column.
    xy_cut(blocks, rules, &mut out, 0, cuts, 0.5 * body);
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

fn xy_cut(
    mut blocks: Vec<GBlock>,
    rules: &[BBox],
    out: &mut Vec<GBlock>,
    depth: usize,
    cuts: Cuts,
    slack: f32,
) {
    if blocks.len() <= 1 || depth > 64 {
        sort_top_left(&mut blocks);
        out.extend(blocks);
        return;
    }
    let h = best_gap(&blocks, rules, true, 0.0);
    let v = best_gap(&blocks, rules, false, slack);
    if debug_layout() {
        let names: Vec<String> = blocks
            .iter()
            .map(|b| match b.lines.first() {
                Some(l) => l.text.chars().take(6).collect(),
                None => format!(
                    "[{:.0},{:.0},{:.0},{:.0}]",
                    b.bbox.x0, b.bbox.y0, b.bbox.x1, b.bbox.y1
                ),
            })
            .collect();
        eprintln!("xy {depth} h={h:?} v={v:?} {names:?}");
    }
    // Prefer the wider whitespace; a cut along a rule counts as wide.
    // Inside one article a gutter running its whole height wins: the text
    // goes down a column before the next, even where a line of space
    // happens to cross the columns at one height.
    let choice = match (h, v) {
        (Some(_), Some(v)) if cuts == Cuts::ColumnsFirst => Some((false, v.0)),
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
            xy_cut(first, rules, out, depth + 1, cuts, slack);
            xy_cut(second, rules, out, depth + 1, cuts, slack);
        }
    }
}

/// The widest gap between the blocks' projections on one axis (y for a
/// horizontal cut, x for a vertical one): (position, width). A rule lying
/// in a gap and spanning the blocks across makes the gap count double.
/// `slack`: projections may overlap by this much and still leave a gap
/// (CJK punctuation hanging into a narrow gutter).
fn best_gap(blocks: &[GBlock], rules: &[BBox], horizontal: bool, slack: f32) -> Option<(f32, f32)> {
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
        if s.0 > reach - slack {
            let (lo, hi) = (reach.min(s.0), s.0.max(reach));
            let mut width = (s.0 - reach).max(0.0);
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
/// `bold_block`: the line's block is one to three lines, all bold.
fn line_role(
    l: &GLine,
    page: &GeoPage,
    body: f32,
    block: &BBox,
    bold_block: bool,
    running_text: bool,
) -> Role {
    let text = l.text.as_str();
    let ratio = l.size / body;
    let in_margin =
        l.bbox.y1 <= page.height * MARGIN_SHARE || l.bbox.y0 >= page.height * (1.0 - MARGIN_SHARE);
    // A photo credit may sit at the page's foot: it is still a credit.
    if ratio <= 1.05 && cues::credit_names(text).is_some() {
        return Role::Credit;
    }
    // Margins hold running heads and page numbers, set at about body size,
    // each a line of its own (a column running into the band is text).
    let alone = block.height() < 1.5 * l.bbox.height();
    // (Headline type in the band is a headline: a nameplate or running
    // title there is found with the headlines, as owning no text.)
    if in_margin && alone && (cues::furniture_kind(text).is_some() || ratio < HEADLINE_RATIO) {
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
    // A line running to the right edge of a paragraph block, with more
    // lines under it, is prose even when it reads like a byline (an
    // indented `记者在多地超市和` wraps to `农贸市场看到`).
    let in_prose = l.bbox.x1 >= block.x1 - 0.5 * l.size
        && l.bbox.y1 < block.y1 - 0.5 * l.bbox.height()
        && block.height() > 2.5 * l.bbox.height();
    if ratio <= 1.05 && !in_prose && cues::is_byline(text) {
        return Role::Byline;
    }
    if cues::is_subtitle(text) && ratio >= SMALL_RATIO {
        return Role::Subtitle;
    }
    // A label (`Visit us at:`, `Find us on:`) introduces what follows; it
    // is no heading however it is set.
    if text.trim_end().ends_with([':', '：']) && text.chars().count() <= 40 {
        return Role::Body;
    }
    // Display type is set in a few lines; a block of many lines filling
    // its measure is running text in a second body size (a German column
    // beside a French one, a feature set larger), whatever the size.
    if running_text {
        return Role::Body;
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
    if l.bold && bold_block && !crate::script::ends_sentence(text) {
        return Role::Subheading;
    }
    if ratio <= SMALL_RATIO && cues::caption_with_credit(text).is_some() {
        return Role::Caption;
    }
    Role::Body
}

/// A deck too long for its measure wraps: the next line in the deck's own
/// size, set at the deck's tight leading right under it, goes on with the
/// deck (`——临河区中小学开展冬季体育` / `活动见闻`), whatever role its size
/// alone would give it. A deck line that ends a sentence has not wrapped.
fn continue_subtitles(page: &mut Page, body: f32) {
    let mut prev: Option<(f32, BBox, bool)> = None;
    for block in page.blocks.iter_mut() {
        for line in block.lines.iter_mut() {
            let size = line.font_size.unwrap_or(0.0);
            if let (Some((psize, pb, open)), Some(lb)) = (prev, line.bbox) {
                let same_size = size > 0.0 && (size / psize - 1.0).abs() <= 0.1;
                let tight = lb.y0 >= pb.y0 + 0.5 * pb.height() && lb.y0 - pb.y1 <= pb.height();
                if open
                    && same_size
                    && tight
                    && matches!(line.role, Role::Heading | Role::Subheading | Role::Body)
                    && !cues::is_subtitle(&line.text)
                    // The rest of a wrapped line is shorter than the line
                    // that wrapped; running text opening under the deck
                    // runs the full measure or opens with an opener.
                    && cues::opener(&line.text).is_none()
                    // A deck set larger than the body may wrap into lines
                    // of equal measure; one in body type must be told from
                    // the text under it by the rest being shorter.
                    && (psize >= DISPLAY_RATIO * body && lb.width() <= pb.width() + 0.5 * size
                        || lb.width() < pb.width())
                {
                    line.role = Role::Subtitle;
                }
            }
            prev = match (line.role, line.bbox) {
                (Role::Subtitle, Some(b)) if size > 0.0 => {
                    Some((size, b, !crate::script::ends_sentence(&line.text)))
                }
                _ => None,
            };
        }
    }
}

/// A line of body-size type centred over the column text right under it
/// titles that text. Papers that set their headings in the body face (most
/// of the nineteenth century, notices, many magazines) mark them by
/// centring and space alone; a paragraph's last line starts at the
/// column's left edge and never sits centred. The measure is the block's
/// own when the line heads a block of column text, else the column right
/// under it; "centred" asks both margins to be at least two ems (a
/// paragraph's last line or a slightly short line fills more) and to
/// differ by at most one (type is set on a grid of ems). Three or more centred lines in a row are verse, a table
/// or an advertisement, not a heading. A heading found inside a block
/// becomes a block of its own, so that it can open a region.
fn mark_centred_headings(page: &mut Page, loose: &mut Vec<bool>, body: f32) {
    // Column text: two lines or more, nearly all of them running text (a
    // dateline or a word in another face may be among them).
    let columns: Vec<(BBox, f32)> = page
        .blocks
        .iter()
        .filter(|b| {
            let body_lines = b.lines.iter().filter(|l| l.role == Role::Body).count();
            b.lines.len() >= 2 && 5 * body_lines >= 4 * b.lines.len()
        })
        .filter_map(|b| Some((b.bbox?, b.lines[0].font_size.unwrap_or(body))))
        .collect();
    let centred_in = |lb: &BBox, x0: f32, x1: f32| {
        let (left, right) = (lb.x0 - x0, x1 - lb.x1);
        left >= 2.0 * body && right >= 2.0 * body && (left - right).abs() <= body
    };
    let blocks = std::mem::take(&mut page.blocks);
    let flags = std::mem::take(loose);
    for (block, was_loose) in blocks.into_iter().zip(flags) {
        // Centred lines right under a heading belong to its display group:
        // they are its deck, not the next item's heading.
        let under_heading = page
            .blocks
            .last()
            .and_then(|b| b.lines.last())
            .is_some_and(|l| l.role == Role::Heading);
        let n = block.lines.len();
        let candidate = |l: &Line| {
            l.role == Role::Body
                && !l.text.trim_end().ends_with([':', '：', ',', '，', ';', '-'])
                // Chinese headings never close with a full stop; a line
                // that does is the end of a sentence.
                && !l.text.trim_end().ends_with(['。', '！', '？', '”'])
        };
        let centred: Vec<bool> = block
            .lines
            .iter()
            .enumerate()
            .map(|(i, l)| {
                let Some(lb) = l.bbox else { return false };
                if !candidate(l) {
                    return false;
                }
                // Inside a block of Chinese text a short, nearly centred
                // line is a two-em-indented paragraph opening or a line
                // beside a figure; Chinese papers mark headings in running
                // text by face (the bold rule), so only Latin text here.
                // A heading is set no smaller than the text it titles
                // (captions and credits are smaller); sizes measured from a
                // short line's ink vary by a tenth or so.
                let size = l.font_size.unwrap_or(body);
                if n >= 3 && i + 1 < n && !crate::script::is_mostly_cjk(&l.text) {
                    let bb = block.bbox.unwrap_or(lb);
                    let next = block.lines[i + 1].font_size.unwrap_or(body);
                    if size < 0.85 * next {
                        return false;
                    }
                    // A short paragraph's line set at the paragraph indent
                    // that other lines of the block also start at is no
                    // heading, however nearly centred it falls.
                    let at_indent = block.lines.iter().enumerate().any(|(j, o)| {
                        j != i && o.bbox.is_some_and(|ob| (ob.x0 - lb.x0).abs() <= 0.5 * body)
                    });
                    return !at_indent && centred_in(&lb, bb.x0, bb.x1);
                }
                if n == 1 {
                    return columns
                        .iter()
                        .filter(|(c, _)| {
                            c.y0 >= lb.y1 - 1.0
                                && c.y0 - lb.y1 <= 2.0 * lb.height().max(body)
                                && c.x0 <= lb.x0
                                && c.x1 >= lb.x1
                        })
                        .min_by(|a, b| a.0.y0.total_cmp(&b.0.y0))
                        .is_some_and(|(c, text_size)| {
                            size >= 0.85 * text_size && centred_in(&lb, c.x0, c.x1)
                        });
                }
                false
            })
            .collect();
        // Heading lines: runs of one or two centred lines.
        let mut heading = vec![false; n];
        let mut i = 0;
        while i < n {
            if !centred[i] {
                i += 1;
                continue;
            }
            let mut end = i;
            while end < n && centred[end] {
                end += 1;
            }
            if end - i <= 2 {
                heading[i..end].iter_mut().for_each(|h| *h = true);
            }
            i = end;
        }
        if !heading.iter().any(|&h| h) {
            page.blocks.push(block);
            loose.push(was_loose);
            continue;
        }
        // Cut the block before and after each heading run.
        let Block {
            lines,
            measure,
            starts_unit,
            region,
            ..
        } = block;
        let mut pieces: Vec<Vec<Line>> = Vec::new();
        let mut prev: Option<bool> = None;
        for (k, (mut l, h)) in lines.into_iter().zip(heading).enumerate() {
            if h {
                // Inside a region a larger headline governs, a centred line
                // of body type ranks below that headline: a cross-head of
                // its article, not the head of another.
                l.role = if under_heading && k < 2 {
                    Role::Subtitle
                } else if was_loose {
                    Role::Heading
                } else {
                    Role::Subheading
                };
            }
            if prev != Some(h) {
                pieces.push(Vec::new());
            }
            prev = Some(h);
            if let Some(p) = pieces.last_mut() {
                p.push(l);
            }
        }
        for (k, piece) in pieces.into_iter().enumerate() {
            let bbox = BBox::union_all(piece.iter().filter_map(|l| l.bbox.as_ref()));
            page.blocks.push(Block {
                lines: piece,
                bbox,
                measure,
                starts_unit: starts_unit && k == 0,
                region,
            });
            loose.push(was_loose);
        }
    }
}

/// Second pass with neighbours: a heading line right above a larger heading
/// line is a kicker; small text right under a photo is its caption (with
/// the credit line after it folded in).
/// `loose`: per block, owned by no headline.
fn mark_kickers_and_captions(page: &mut Page, geo: &GeoPage, bodies: &Bodies, loose: &[bool]) {
    let body = bodies.main;
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
        // A kicker over a headline at the top of the page lies in the
        // running-head band but hugs its headline, unlike a running head.
        let hugs = match (la.bbox, lb.bbox) {
            (Some(ka), Some(hb)) => {
                hb.y0 - ka.y1 >= -1.0
                    && hb.y0 - ka.y1 <= 1.0 * body
                    && ka.x0 >= hb.x0 - body
                    && ka.x1 <= hb.x1 + body
            }
            _ => false,
        };
        // So does a short label in body or small type (`COMMUNITY`).
        let label = la.text.split_whitespace().count() <= 4
            && la.text.chars().count() <= 24
            && !crate::script::ends_sentence(&la.text);
        if matches!(la.role, Role::Furniture | Role::Body)
            && label
            && hugs
            && lb.role == Role::Heading
            && cues::furniture_kind(&la.text).is_none()
            && la.font_size.unwrap_or(0.0) < lb.font_size.unwrap_or(0.0)
        {
            page.blocks[a.0].lines[a.1].role = Role::Kicker;
            continue;
        }
        if matches!(la.role, Role::Heading | Role::Subheading)
            && lb.role == Role::Heading
            && la.font_size.unwrap_or(0.0) < 0.85 * lb.font_size.unwrap_or(0.0)
            && lb.font_size.unwrap_or(0.0) >= HEADLINE_RATIO * body
        {
            page.blocks[a.0].lines[a.1].role = Role::Kicker;
            continue;
        }
        // Headline type clearly smaller than the headline right above it,
        // set close under it, is its deck.
        let close_under = match (la.bbox, lb.bbox) {
            (Some(h), Some(d)) => {
                d.y0 >= h.y1 - 1.0
                    && d.y0 - h.y1 <= (2.0 * body).max(1.5 * la.font_size.unwrap_or(body))
                    && ((d.x0 - h.x0).abs() <= body
                        || ((d.x0 + d.x1) - (h.x0 + h.x1)).abs() <= 2.0 * body
                        || (d.x0 >= h.x0 - body && d.x1 <= h.x1 + body))
            }
            _ => false,
        };
        if la.role == Role::Heading
            && matches!(lb.role, Role::Heading | Role::Subheading)
            && lb.font_size.unwrap_or(0.0) < 0.85 * la.font_size.unwrap_or(0.0)
            && la.font_size.unwrap_or(0.0) >= HEADLINE_RATIO * body
            && close_under
        {
            page.blocks[b.0].lines[b.1].role = Role::Subtitle;
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
    for (bi, block) in page.blocks.iter_mut().enumerate() {
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
            .all(|l| l.font_size.unwrap_or(body) * bodies.scale(&l.text) <= SMALL_RATIO * body);
        let ends_with_credit = block.lines.last().is_some_and(|l| l.role == Role::Credit);
        // Body-size text with a credit under a photo, owned by no
        // headline, is photo news, not a caption: it stays text, its credit
        // line a credit. Inside an article it is the photo's caption. A
        // long block is a column of text set smaller than the page's main
        // body (an English story on a Chinese page), not a caption.
        let in_article = !loose.get(bi).copied().unwrap_or(true);
        // Beside a photo: a caption set in the next column, level with it.
        let beside_photo = geo.images.iter().any(|img| {
            let gap = (bb.x0 - img.x1).max(img.x0 - bb.x1);
            gap >= -1.0 && gap <= 2.0 * body && bb.y1.min(img.y1) > bb.y0.max(img.y0)
        });
        let credited_caption = in_article && ends_with_credit && (under_photo || beside_photo);
        // A block whose last line ends with a credit (`… Road. Photo: Jonah
        // Pruitt`) is a caption as a whole, wherever its photo is.
        let ends_in_caption = in_article
            && block.lines.len() >= 2
            && block.lines.last().is_some_and(|l| l.role == Role::Caption)
            && block
                .lines
                .iter()
                .all(|l| matches!(l.role, Role::Body | Role::Caption));
        if ((under_photo && small) || credited_caption || ends_in_caption) && block.lines.len() <= 6
        {
            // The caption's lines become one caption line; a credit or a
            // byline line among them stays a line of its own (split
            // attaches a credit to the caption before it).
            let cjk = block
                .lines
                .iter()
                .any(|l| crate::script::is_mostly_cjk(&l.text));
            let mut lines: Vec<Line> = Vec::new();
            let mut caption: Option<Line> = None;
            for l in std::mem::take(&mut block.lines) {
                if matches!(l.role, Role::Credit | Role::Byline) {
                    lines.extend(caption.take());
                    lines.push(l);
                    continue;
                }
                match caption.as_mut() {
                    Some(c) => {
                        // A soft hyphen at a line's end joins the halves.
                        if c.text.ends_with('\u{ad}') {
                            c.text.pop();
                        } else if !cjk {
                            c.text.push(' ');
                        }
                        c.text.push_str(&l.text);
                        c.bbox = match (c.bbox, l.bbox) {
                            (Some(a), Some(b)) => Some(a.union(&b)),
                            (a, b) => a.or(b),
                        };
                    }
                    None => {
                        caption = Some(Line {
                            role: Role::Caption,
                            ..l
                        })
                    }
                }
            }
            lines.extend(caption);
            block.lines = lines;
        }
    }
}
