//! Split: segments of a page assembled into articles.
//!
//! Input: a page's [`Segment`]s in reading order (from `reflow`). Output:
//! the page's [`Article`]s in reading order and its furniture. Split knows
//! nothing of input formats: dumps and geometric pages arrive here alike.
//!
//! How articles are assembled:
//! 1. Consecutive display segments (headings, subtitle, byline) form a
//!    heading group; consecutive paragraphs form a run. A run is cut where a
//!    paragraph opens with an opener (`本报讯（…）`, `…电`, `CITY — `) and
//!    after a source tag or photo credit, which close an article.
//! 2. A single heading line between two runs of one flow (the run before
//!    it not closed by a tag or credit, the run after it not opened by an
//!    opener) is a sub-heading inside the article, as is a numbered one
//!    (`一、`, `（二）`, `■`); so is a last single heading line after a run,
//!    whose section text was printed elsewhere.
//! 3. Each heading group belongs to the run just before it or just after it
//!    (dumps print headlines on either side). The choice is made for the
//!    whole page at once by dynamic programming: as many groups as possible
//!    get a run; a run that opens an article (opener, or right after a
//!    closed article) should not be left without a heading; ties go to the
//!    run after the group (the usual print order).
//! 4. Runs left without a group: with a photo credit they are photo news;
//!    otherwise they fill an article's sub-heading that has no text (a
//!    section printed away from its heading), continue the article before
//!    them when they do not open an article, or stand alone (a `brief` when
//!    short).
//! 5. Fields: a heading line set off by a blank line above the headline is
//!    the kicker; a dash line is the subtitle; an opener is removed from the
//!    first paragraph into `dateline` and `byline`; captions go to the
//!    article before them.
//!
//! Pages with geometry arrive with their article regions decided by layout
//! ([`split_regions`]): the steps above then run inside one region at a
//! time and every region gives exactly one article, so a headline is never
//! paired with text from another region. The pairing along the sequence is
//! for dumps alone.

use crate::layout::cues;
use crate::model::{
    Article, ArticleKind, BBox, BodyItem, BodyKind, Byline, Caption, Furniture, FurnitureKind,
    Jump, JumpDirection, Region, RegionKind, Role,
};
use crate::reflow::Segment;
use crate::script::{self, ends_sentence};

/// Articles and furniture of one page.
#[derive(Debug, Default)]
pub struct PageArticles {
    pub articles: Vec<Article>,
    pub furniture: Vec<Furniture>,
}

#[derive(Debug, Clone)]
struct Group {
    segments: Vec<Segment>,
}

impl Group {
    fn headings(&self) -> impl Iterator<Item = &Segment> {
        self.segments
            .iter()
            .filter(|s| matches!(s.role, Role::Heading | Role::Subheading))
    }
    fn has_byline(&self) -> bool {
        self.segments.iter().any(|s| s.role == Role::Byline)
    }
    /// A lone heading line, with no subtitle, byline or second line: it may
    /// be a sub-heading, unless layout saw it open an article (a heading
    /// wider than its text's column).
    fn is_weak(&self) -> bool {
        self.segments.len() == 1
            && self.segments[0].role == Role::Heading
            && self.segments[0].bbox.is_none()
            && !self.segments[0].starts_unit
    }
    /// Sub-heading type by geometry (smaller than headlines): a sub-heading
    /// whenever text of an open article comes before it.
    fn is_subheading_type(&self) -> bool {
        self.segments.iter().all(|s| s.role == Role::Subheading)
    }
}

#[derive(Debug, Clone)]
enum RunItem {
    Para(Segment),
    Sub(String),
}

#[derive(Debug, Clone, Default)]
struct Run {
    items: Vec<RunItem>,
    /// A byline printed right above the text, apart from any headline.
    bylines: Vec<Segment>,
    /// Jump lines of this text (`转第3版`, `Continued from Page A1`).
    jumps: Vec<Jump>,
    /// It opens an article: an opener, or it follows a closed article.
    opens: bool,
    /// Has an opener with a byline in it.
    opener_byline: bool,
    /// Starts with an opener (`本报讯`, a dateline).
    has_opener: bool,
    source_tag: Option<String>,
    /// Photo credit closing the run: (as printed, names).
    credit: Option<(String, Vec<String>)>,
}

impl Run {
    fn closed(&self) -> bool {
        self.source_tag.is_some() || self.credit.is_some()
    }
    fn is_brief(&self) -> bool {
        self.source_tag.is_some()
            && self.items.len() == 1
            && matches!(&self.items[0], RunItem::Para(p) if p.text.chars().count() < BRIEF_MAX_CHARS)
    }
}

#[derive(Debug, Clone)]
enum Unit {
    Group(Group),
    Run(Run),
    Caption(Caption),
}

/// Assembles a page's articles; see the module doc.
pub fn split_page(page: u32, segments: Vec<Segment>) -> PageArticles {
    let mut out = PageArticles::default();
    let mut units = build_units(segments, page, &mut out.furniture);
    merge_subheadings(&mut units);
    out.articles = assemble(page, units);
    out
}

/// Assembles the articles of a page whose regions layout found: one
/// article per region, in the regions' order; segments outside every
/// region can only be furniture (anything else there is kept as an item of
/// its own rather than lost).
pub fn split_regions(page: u32, regions: &[Region], segments: Vec<Segment>) -> PageArticles {
    let mut out = PageArticles::default();
    // Segments grouped by region, in order of first appearance.
    let mut groups: Vec<(Option<u32>, Vec<Segment>)> = Vec::new();
    for seg in segments {
        match groups.iter_mut().find(|(r, _)| *r == seg.region) {
            Some((_, g)) => g.push(seg),
            None => groups.push((seg.region, vec![seg])),
        }
    }
    for (region, segs) in groups {
        let found = split_page(page, segs);
        out.furniture.extend(found.furniture);
        let Some(mut article) = merge_region_articles(found.articles) else {
            continue;
        };
        if let Some(r) = region.and_then(|r| regions.get(r as usize)) {
            article.regions = vec![crate::model::RegionRef {
                page,
                region: r.index,
            }];
            article.bbox = Some(r.bbox);
            if r.kind == RegionKind::Advertisement {
                article.kind = ArticleKind::Advertisement;
            }
        }
        out.articles.push(article);
    }
    for (n, a) in out.articles.iter_mut().enumerate() {
        a.id = format!("p{page}-a{}", n + 1);
    }
    out
}

/// Numbers articles `p{page}-a{n}`, `n` counting from 1 on each page in
/// the order given (for a page whose articles were found in several
/// parts).
pub fn number_articles_by_page(articles: &mut [Article]) {
    let mut counts: std::collections::HashMap<u32, usize> = std::collections::HashMap::new();
    for a in articles.iter_mut() {
        let n = counts.entry(a.page).or_default();
        *n += 1;
        a.id = format!("p{}-a{n}", a.page);
    }
}

/// Joins an article that runs on from one page to the next without a jump
/// line, as papers set in continuous columns did: the first item of a page
/// that has no headline and opens in lower case (a sentence going on, the
/// tail of a hyphenated word; no item begins so) is the rest of an article
/// of the page before. That article is the one whose text stops in
/// mid-sentence, else the one at the foot of the last column (the column
/// the text comes from). Its paragraphs keep their boxes and say their
/// page. Chinese text has no case, and modern papers print jump lines, so
/// neither is touched.
pub fn join_page_continuations(articles: &mut Vec<Article>) {
    let opens_lower = |a: &Article| {
        a.headline.is_none()
            && a.kicker.is_none()
            && a.dateline.is_none()
            && matches!(a.kind, ArticleKind::News | ArticleKind::Brief)
            && a.body
                .first()
                .and_then(|b| b.text.chars().find(|c| c.is_alphabetic()))
                .is_some_and(char::is_lowercase)
    };
    let mut i = 0;
    while i < articles.len() {
        let page = articles[i].page;
        let first_of_page = i == 0 || articles[i - 1].page != page;
        if !(first_of_page && page > 1 && opens_lower(&articles[i])) {
            i += 1;
            continue;
        }
        let before: Vec<usize> = (0..i)
            .filter(|&k| {
                articles[k].page + 1 == page && articles[k].kind != ArticleKind::Advertisement
            })
            .collect();
        let open = before.iter().rev().copied().find(|&k| {
            articles[k]
                .body
                .iter()
                .rev()
                .find(|b| b.kind == BodyKind::Paragraph)
                .is_some_and(|b| !crate::script::ends_sentence(&b.text))
        });
        let foot = || {
            before.iter().copied().max_by(|&a, &b| {
                let key = |k: usize| {
                    articles[k]
                        .bbox
                        .map_or((0.0, 0.0), |r| ((r.x0 / 20.0).floor(), r.y1))
                };
                let (ka, kb) = (key(a), key(b));
                ka.0.total_cmp(&kb.0).then(ka.1.total_cmp(&kb.1))
            })
        };
        let Some(target) = open.or_else(foot) else {
            i += 1;
            continue;
        };
        let mut cont = articles.remove(i);
        for b in cont.body.iter_mut() {
            b.page = Some(page);
        }
        let into = &mut articles[target];
        into.body.append(&mut cont.body);
        into.captions.append(&mut cont.captions);
        into.jumps.append(&mut cont.jumps);
        into.regions.append(&mut cont.regions);
        // Ids stay `p{page}-a{n}` in order on the page the item left.
        let mut n = 0;
        for a in articles.iter_mut().filter(|a| a.page == page) {
            n += 1;
            a.id = format!("p{page}-a{n}");
        }
    }
}

/// One region is one article: when the sequence steps found several items
/// inside it (a run after a caption, a second display line read as a
/// headline), they are parts of the first one with a headline, in order.
/// A later item's headline stays in the text as a sub-heading.
fn merge_region_articles(articles: Vec<Article>) -> Option<Article> {
    let lead = articles
        .iter()
        .position(|a| a.headline.is_some())
        .unwrap_or(0);
    let mut parts = articles.into_iter().enumerate();
    let mut merged: Option<Article> = None;
    let mut before: Vec<Article> = Vec::new();
    for (i, a) in parts.by_ref() {
        if i == lead {
            merged = Some(a);
            break;
        }
        before.push(a);
    }
    let mut merged = merged?;
    let absorb = |m: &mut Article, a: Article, front: bool| {
        let mut body = Vec::new();
        if let Some(h) = a.headline {
            body.push(BodyItem::subheading(h));
        }
        body.extend(a.body);
        if front {
            body.append(&mut m.body);
            m.body = body;
        } else {
            m.body.extend(body);
        }
        m.captions.extend(a.captions);
        m.jumps.extend(a.jumps);
        if m.byline.is_none() {
            m.byline = a.byline;
        } else if let Some(b) = a.byline {
            merge_byline(&mut m.byline, b);
        }
        m.dateline = m.dateline.take().or(a.dateline);
        m.source_tag = a.source_tag.or(m.source_tag.take());
        m.kicker = m.kicker.take().or(a.kicker);
        m.subheadline = m.subheadline.take().or(a.subheadline);
        if m.kind == ArticleKind::Brief && a.kind == ArticleKind::Photo {
            m.kind = ArticleKind::Photo;
        }
    };
    // Items read before the headline (a caption over the photo that opens
    // the region) go in front of its text.
    for a in before.into_iter().rev() {
        absorb(&mut merged, a, true);
    }
    for (_, a) in parts {
        absorb(&mut merged, a, false);
    }
    if merged.headline.is_some() && merged.kind == ArticleKind::Brief {
        merged.kind = ArticleKind::News;
    }
    Some(merged)
}

fn build_units(segments: Vec<Segment>, page: u32, furniture: &mut Vec<Furniture>) -> Vec<Unit> {
    let mut units: Vec<Unit> = Vec::new();
    let mut run: Option<Run> = None;
    let mut last_closed = true; // the page's first run opens an article
    fn close(run: &mut Option<Run>, units: &mut Vec<Unit>, last_closed: &mut bool) {
        if let Some(r) = run.take() {
            *last_closed = r.closed();
            units.push(Unit::Run(r));
        }
    }
    // A `from` jump printed before its text waits for the run it opens.
    let mut pending_jumps: Vec<Jump> = Vec::new();
    for seg in segments {
        if seg.role == Role::Body && !pending_jumps.is_empty() {
            if let Some(r) = run.as_mut() {
                r.jumps.append(&mut pending_jumps);
            }
        }
        match seg.role {
            Role::Jump => {
                let Some((direction, page)) = cues::jump(&seg.text) else {
                    continue;
                };
                let jump = Jump {
                    direction,
                    page,
                    text: seg.text.clone(),
                };
                let open_run = match run.as_mut() {
                    Some(r) => Some(r),
                    None => match units.last_mut() {
                        Some(Unit::Run(r)) => Some(r),
                        _ => None,
                    },
                };
                match (direction, open_run) {
                    (JumpDirection::To, Some(r)) => r.jumps.push(jump),
                    _ => pending_jumps.push(jump),
                }
            }
            Role::Furniture => furniture.push(Furniture {
                page,
                kind: cues::furniture_kind(&seg.text).unwrap_or(FurnitureKind::Other),
                text: seg.text,
            }),
            Role::Body => {
                let opener = cues::opener(&seg.raw);
                if (opener.is_some() || seg.starts_unit)
                    && run.as_ref().is_some_and(|r| !r.items.is_empty())
                {
                    close(&mut run, &mut units, &mut last_closed);
                }
                // Layout saw a new article here: the text before is complete.
                if seg.starts_unit {
                    last_closed = true;
                }
                let r = run.get_or_insert_with(|| {
                    let jumps = std::mem::take(&mut pending_jumps);
                    // Text under a `Continued from` line is a continued
                    // article's, not the one before it going on.
                    let continued = jumps.iter().any(|j| j.direction == JumpDirection::From);
                    Run {
                        opens: last_closed || continued,
                        jumps,
                        ..Run::default()
                    }
                });
                if r.items.is_empty() {
                    if let Some(o) = &opener {
                        r.opens = true;
                        r.opener_byline = o.byline.is_some();
                        r.has_opener = true;
                    }
                }
                let mut seg = seg;
                let tag = cues::trailing_source_tag(&seg.text);
                if let Some((cut, tag)) = tag {
                    seg.text.truncate(cut);
                    if let Some((raw_cut, _)) = cues::trailing_source_tag(&seg.raw) {
                        seg.raw.truncate(raw_cut);
                    }
                    r.items.push(RunItem::Para(seg));
                    r.source_tag = Some(tag);
                    close(&mut run, &mut units, &mut last_closed);
                } else {
                    r.items.push(RunItem::Para(seg));
                }
            }
            Role::SourceTag | Role::Credit => {
                let target = match run.as_mut() {
                    Some(r) => Some(r),
                    None => match units.last_mut() {
                        Some(Unit::Run(r)) if !r.closed() => Some(r),
                        _ => None,
                    },
                };
                if let Some(r) = target {
                    if seg.role == Role::SourceTag {
                        r.source_tag = Some(seg.text.clone());
                    } else {
                        let names = cues::credit_names(&seg.raw).unwrap_or_default();
                        r.credit = Some((seg.raw.clone(), names));
                    }
                    let closed_now = run.is_some();
                    if closed_now {
                        close(&mut run, &mut units, &mut last_closed);
                    } else {
                        last_closed = true;
                    }
                } else if let (Role::Credit, Some(Unit::Caption(c))) = (seg.role, units.last_mut())
                {
                    // A credit under a caption that has none is its credit.
                    let names = cues::credit_names(&seg.raw).unwrap_or_default();
                    if c.credit.is_none() {
                        c.credit = Some(names.join("、"));
                    } else {
                        units.push(Unit::Caption(Caption {
                            text: String::new(),
                            credit: Some(names.join("、")),
                        }));
                    }
                } else if seg.role == Role::Credit {
                    // A credit with nothing before it: keep it as a caption.
                    let names = cues::credit_names(&seg.raw).unwrap_or_default();
                    units.push(Unit::Caption(Caption {
                        text: String::new(),
                        credit: Some(names.join("、")),
                    }));
                }
            }
            Role::Caption => {
                close(&mut run, &mut units, &mut last_closed);
                let (text, credit) = match cues::caption_with_credit(&seg.raw) {
                    Some((t, c)) => (
                        script::remove_justification_spaces(&t),
                        cues::credit_names(&c).map(|n| join_names(&n)),
                    ),
                    None => (seg.text.clone(), None),
                };
                units.push(Unit::Caption(Caption { text, credit }));
            }
            Role::Heading | Role::Kicker | Role::Subtitle | Role::Byline | Role::Subheading => {
                close(&mut run, &mut units, &mut last_closed);
                match units.last_mut() {
                    Some(Unit::Group(g)) => g.segments.push(seg),
                    _ => units.push(Unit::Group(Group {
                        segments: vec![seg],
                    })),
                }
            }
        }
    }
    close(&mut run, &mut units, &mut last_closed);
    attach_lone_bylines(&mut units);
    units
}

/// A group that is only a byline, right before a run, is that run's
/// byline: dumps print it above the text even when the headline comes
/// after the text.
fn attach_lone_bylines(units: &mut Vec<Unit>) {
    let mut i = 0;
    while i + 1 < units.len() {
        let lone = matches!(&units[i], Unit::Group(g) if g.segments.iter().all(|s| s.role == Role::Byline));
        if lone && matches!(units[i + 1], Unit::Run(_)) {
            if let Unit::Group(g) = units.remove(i) {
                if let Some(Unit::Run(r)) = units.get_mut(i) {
                    r.bylines = g.segments;
                    r.opens = true;
                }
            }
        }
        i += 1;
    }
}

fn join_names(names: &[String]) -> String {
    if names
        .iter()
        .any(|n| n.chars().any(|c| c.is_ascii_alphabetic()))
    {
        names.join(", ")
    } else {
        names.join("、")
    }
}

/// Turns lone heading lines inside a flow into sub-headings (rule 2 of the
/// module doc) and merges the runs on both sides.
fn merge_subheadings(units: &mut Vec<Unit>) {
    let mut i = 0;
    while i < units.len() {
        let is_sub = match (&units.get(i.wrapping_sub(1)), &units[i], units.get(i + 1)) {
            // A run that opens an article with no heading group before it
            // still needs its headline: a lone heading line after it is
            // that headline, printed after the text.
            (Some(Unit::Run(before)), Unit::Group(g), _)
                if g.is_subheading_type() && !before.closed() =>
            {
                true
            }
            (Some(Unit::Run(before)), Unit::Group(g), after)
                if g.is_weak()
                    && !before.closed()
                    && (!before.opens || (i >= 2 && matches!(units[i - 2], Unit::Group(_)))) =>
            {
                let text = &g.segments[0].text;
                let marked = cues::has_subheading_marker(text);
                match after {
                    // The column measure is no evidence either way: a
                    // feature's lead is often set wider than its sections.
                    Some(Unit::Run(a)) => marked || !a.opens,
                    // A last heading with no text after it on the page, or
                    // followed by a caption: its section was printed
                    // elsewhere.
                    None | Some(Unit::Caption(_)) => true,
                    Some(Unit::Group(_)) => marked,
                }
            }
            _ => false,
        };
        if !is_sub {
            i += 1;
            continue;
        }
        let Unit::Group(g) = units.remove(i) else {
            unreachable!("checked above")
        };
        let lines: Vec<&str> = g.segments.iter().map(|s| s.text.as_str()).collect();
        let heading = join_headline_lines(&lines);
        let next_run = match units.get(i) {
            Some(Unit::Run(_)) => match units.remove(i) {
                Unit::Run(r) => Some(r),
                _ => None,
            },
            _ => None,
        };
        if let Some(Unit::Run(before)) = units.get_mut(i - 1) {
            before.items.push(RunItem::Sub(heading));
            if let Some(r) = next_run {
                before.items.extend(r.items);
                before.source_tag = r.source_tag;
                before.credit = r.credit;
            }
        }
        // Stay at `i`: the unit now there may be another lone heading.
    }
}

/// Which run each heading group takes: `Left`, `Right` or none.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Side {
    Left,
    Right,
    None,
}

const GROUP_MATCHED: i32 = 10;
const LEFT_COST: i32 = 1;
const BYLINE_CLASH: i32 = 3;
const PHOTO_WITH_HEADLINE: i32 = 2;
const OPENING_RUN_ORPHANED: i32 = 6;
const BRIEF_WITH_HEADLINE: i32 = 2;
/// A brief: one short paragraph closed by a source tag.
const BRIEF_MAX_CHARS: usize = 150;

/// Chooses a side for every group (rule 3 of the module doc) by dynamic
/// programming over the page's groups and runs in order (captions removed).
///
/// The state at position `i` is one flag: for a run, whether the group
/// before it took it; for a group, whether the run before it is taken. An
/// orphaned run pays its penalty when it is passed; a group taking it from
/// the right side (`Left`) refunds it.
fn choose_sides(seq: &[&Unit]) -> Vec<Side> {
    let n = seq.len();
    // A section printed away from its sub-heading has a home to go to: the
    // empty section. Such a page's runs without an opener or byline may be
    // left without a heading group at no cost.
    let empty_section = seq
        .iter()
        .any(|u| matches!(u, Unit::Run(r) if matches!(r.items.last(), Some(RunItem::Sub(_)))));
    let orphan_penalty = |r: &Run| {
        if empty_section && !r.has_opener && r.bylines.is_empty() && r.source_tag.is_none() {
            0
        } else {
            orphan_penalty(r)
        }
    };
    let mut best = vec![[0i32; 2]; n + 1];
    let mut choice = vec![[Side::None; 2]; n + 1];
    let next_flag_after_run = |i: usize, t: usize| match seq.get(i + 1) {
        Some(Unit::Group(_)) => t,
        _ => 0,
    };
    for i in (0..n).rev() {
        for t in 0..2 {
            let (score, side) = match seq[i] {
                Unit::Run(r) => {
                    let orphan = if t == 1 { 0 } else { orphan_penalty(r) };
                    (best[i + 1][next_flag_after_run(i, t)] - orphan, Side::None)
                }
                Unit::Group(g) => {
                    let mut options = vec![(best[i + 1][0], Side::None)];
                    if let (0, Some(Unit::Run(r))) = (t, i.checked_sub(1).map(|p| seq[p])) {
                        let gain = GROUP_MATCHED - LEFT_COST - pair_cost(g, r) + orphan_penalty(r);
                        options.push((best[i + 1][0] + gain, Side::Left));
                    }
                    if let Some(Unit::Run(r)) = seq.get(i + 1) {
                        let gain = GROUP_MATCHED - pair_cost(g, r);
                        options.push((best[i + 1][1] + gain, Side::Right));
                    }
                    // Ties keep the earlier option: None, then Left, then
                    // Right only when strictly better... except that the
                    // usual print order (heading before text) should win a
                    // tie against Left, which LEFT_COST already ensures.
                    options.into_iter().fold((i32::MIN, Side::None), |acc, o| {
                        if o.0 > acc.0 {
                            o
                        } else {
                            acc
                        }
                    })
                }
                Unit::Caption(_) => (best[i + 1][0], Side::None),
            };
            best[i][t] = score;
            choice[i][t] = side;
        }
    }
    let mut sides = vec![Side::None; n];
    let mut t = 0usize;
    for i in 0..n {
        let side = choice[i][t];
        sides[i] = side;
        t = match seq[i] {
            Unit::Group(_) => usize::from(side == Side::Right),
            _ => next_flag_after_run(i, t),
        };
    }
    sides
}

/// The orphan penalty is paid by a run when no group takes it. A Left
/// choice refunds it (it was charged when the run was scored, walking
/// backwards), which keeps the recursion one flag deep.
fn orphan_penalty(r: &Run) -> i32 {
    if r.opens && r.credit.is_none() && !r.is_brief() {
        OPENING_RUN_ORPHANED
    } else {
        0
    }
}

fn pair_cost(g: &Group, r: &Run) -> i32 {
    let mut c = 0;
    if g.has_byline() && r.opener_byline {
        c += BYLINE_CLASH;
    }
    if r.credit.is_some() && g.headings().next().is_some() && r.source_tag.is_none() {
        c += PHOTO_WITH_HEADLINE;
    }
    // Briefs are printed without a headline.
    if r.is_brief() {
        c += BRIEF_WITH_HEADLINE;
    }
    c
}

struct Draft {
    order: usize,
    group: Option<Group>,
    run: Option<Run>,
    captions: Vec<Caption>,
}

fn assemble(page: u32, units: Vec<Unit>) -> Vec<Article> {
    let seq: Vec<&Unit> = units
        .iter()
        .filter(|u| !matches!(u, Unit::Caption(_)))
        .collect();
    let sides = choose_sides(&seq);
    if std::env::var_os("NEWSCLIP_DEBUG_SPLIT").is_some() {
        for (u, side) in seq.iter().zip(&sides) {
            match u {
                Unit::Group(g) => eprintln!(
                    "G {:?} {:?}",
                    side,
                    g.segments
                        .iter()
                        .map(|s| s.text.chars().take(8).collect::<String>())
                        .collect::<Vec<_>>()
                ),
                Unit::Run(r) => eprintln!(
                    "R opens={} tag={:?} items={} first={:?}",
                    r.opens,
                    r.source_tag,
                    r.items.len(),
                    r.items.first().map(|i| match i {
                        RunItem::Para(p) => p.text.chars().take(10).collect::<String>(),
                        RunItem::Sub(t) => t.clone(),
                    })
                ),
                Unit::Caption(_) => {}
            }
        }
    }
    // Map each run (by position in seq) to the group that took it.
    let mut run_group: Vec<Option<usize>> = vec![None; seq.len()];
    for (i, side) in sides.iter().enumerate() {
        match side {
            Side::Left if i > 0 => run_group[i - 1] = Some(i),
            Side::Right if i + 1 < seq.len() => run_group[i + 1] = Some(i),
            _ => {}
        }
    }
    let mut drafts: Vec<Draft> = Vec::new();
    let mut orphans: Vec<(usize, Run)> = Vec::new();
    let mut unit_draft: Vec<Option<usize>> = vec![None; units.len()];
    // Positions of seq items in `units`.
    let positions: Vec<usize> = units
        .iter()
        .enumerate()
        .filter(|(_, u)| !matches!(u, Unit::Caption(_)))
        .map(|(i, _)| i)
        .collect();
    let kinds: Vec<bool> = seq.iter().map(|u| matches!(u, Unit::Run(_))).collect();
    // Move the units into drafts (no copies of their text).
    let mut slots: Vec<Option<Unit>> = units.into_iter().map(Some).collect();
    let take_group = |slots: &mut Vec<Option<Unit>>, at: usize| match slots[at].take() {
        Some(Unit::Group(g)) => Some(g),
        other => {
            slots[at] = other;
            None
        }
    };
    for (i, is_run) in kinds.iter().enumerate() {
        if *is_run {
            let Some(Unit::Run(r)) = slots[positions[i]].take() else {
                continue;
            };
            match run_group[i] {
                Some(g) => {
                    let group = take_group(&mut slots, positions[g]);
                    let d = drafts.len();
                    drafts.push(Draft {
                        order: positions[i.min(g)],
                        group,
                        run: Some(r),
                        captions: Vec::new(),
                    });
                    unit_draft[positions[i]] = Some(d);
                    unit_draft[positions[g]] = Some(d);
                }
                None => orphans.push((positions[i], r)),
            }
        } else if sides[i] == Side::None {
            if let Some(g) = take_group(&mut slots, positions[i]) {
                let d = drafts.len();
                drafts.push(Draft {
                    order: positions[i],
                    group: Some(g),
                    run: None,
                    captions: Vec::new(),
                });
                unit_draft[positions[i]] = Some(d);
            }
        }
    }
    place_orphans(&mut drafts, orphans, &mut unit_draft);
    // Captions go to the article of the nearest unit before them, else after.
    for (i, slot) in slots.into_iter().enumerate() {
        if let Some(Unit::Caption(c)) = slot {
            let owner = unit_draft[..i]
                .iter()
                .rev()
                .flatten()
                .next()
                .or_else(|| unit_draft[i + 1..].iter().flatten().next())
                .copied();
            match owner {
                Some(d) => drafts[d].captions.push(c),
                None => drafts.push(Draft {
                    order: i,
                    group: None,
                    run: None,
                    captions: vec![c],
                }),
            }
        }
    }
    drafts.sort_by_key(|d| d.order);
    drafts
        .into_iter()
        .enumerate()
        .map(|(n, d)| to_article(page, n + 1, d))
        .collect()
}

fn place_orphans(
    drafts: &mut Vec<Draft>,
    orphans: Vec<(usize, Run)>,
    unit_draft: &mut [Option<usize>],
) {
    for (pos, run) in orphans {
        // Photo news: a text block with a credit and no headline.
        if run.credit.is_some() {
            push_standalone(drafts, unit_draft, pos, run);
            continue;
        }
        if !run.has_opener && run.bylines.is_empty() && run.source_tag.is_none() {
            // A section printed away from its sub-heading: the nearest
            // article whose last item is a sub-heading with no text.
            let empty_section = drafts
                .iter()
                .enumerate()
                .filter(|(_, d)| {
                    d.run
                        .as_ref()
                        .is_some_and(|r| matches!(r.items.last(), Some(RunItem::Sub(_))))
                })
                .min_by_key(|(_, d)| d.order.abs_diff(pos))
                .map(|(i, _)| i);
            if let Some(d) = empty_section {
                if let Some(r) = drafts[d].run.as_mut() {
                    r.items.extend(run.items);
                    r.jumps.extend(run.jumps);
                    if run.source_tag.is_some() {
                        r.source_tag = run.source_tag;
                    }
                }
                unit_draft[pos] = Some(d);
                continue;
            }
        }
        if !run.opens {
            // Otherwise the text goes on from the article before it, unless
            // it is a complete item of its own (closed by its own source tag
            // while the article before ended its last sentence).
            let before = unit_draft[..pos].iter().rev().flatten().next().copied();
            if let Some(d) = before {
                let before_complete =
                    drafts[d]
                        .run
                        .as_ref()
                        .is_some_and(|r| match r.items.last() {
                            Some(RunItem::Para(p)) => ends_sentence(&p.text),
                            _ => false,
                        });
                let own_item = run.source_tag.is_some() && before_complete;
                let continues = !own_item && drafts[d].run.as_ref().is_some_and(|r| !r.closed());
                if continues {
                    if let Some(r) = drafts[d].run.as_mut() {
                        append_run(r, run);
                    }
                    unit_draft[pos] = Some(d);
                    continue;
                }
            }
        }
        push_standalone(drafts, unit_draft, pos, run);
    }
}

/// An orphan run as an article of its own (photo news, brief, or text
/// without a headline).
fn push_standalone(
    drafts: &mut Vec<Draft>,
    unit_draft: &mut [Option<usize>],
    pos: usize,
    run: Run,
) {
    unit_draft[pos] = Some(drafts.len());
    drafts.push(Draft {
        order: pos,
        group: None,
        run: Some(run),
        captions: Vec::new(),
    });
}

/// Appends a continuation run; a paragraph cut mid-sentence at the seam is
/// joined with its continuation.
fn append_run(r: &mut Run, more: Run) {
    let mut items = more.items.into_iter();
    if let (Some(RunItem::Para(last)), Some(RunItem::Para(_))) =
        (r.items.last(), items.as_slice().first())
    {
        if !ends_sentence(&last.text) {
            if let (Some(RunItem::Para(last)), Some(RunItem::Para(first))) =
                (r.items.last_mut(), items.next())
            {
                if script::needs_space_between(&last.text, &first.text) {
                    last.text.push(' ');
                    last.raw.push(' ');
                }
                last.text.push_str(&first.text);
                last.raw.push_str(&first.raw);
            }
        }
    }
    r.items.extend(items);
    r.jumps.extend(more.jumps);
    r.source_tag = more.source_tag.or(r.source_tag.take());
    r.credit = more.credit.or(r.credit.take());
}

fn to_article(page: u32, n: usize, d: Draft) -> Article {
    let mut article = Article {
        captions: d.captions,
        ..Article::new(page, n)
    };
    if let Some(g) = &d.group {
        fill_heading_fields(&mut article, g);
    }
    if let Some(run) = d.run {
        for b in &run.bylines {
            merge_byline(&mut article.byline, cues::parse_byline(&b.raw));
        }
        article.jumps = run.jumps.clone();
        let mut first = true;
        for item in run.items {
            match item {
                RunItem::Sub(text) => article.body.push(BodyItem::subheading(text)),
                RunItem::Para(seg) => {
                    let mut text = seg.text;
                    if first {
                        if let Some(o) = cues::opener(&seg.raw) {
                            article.dateline = Some(o.dateline);
                            if let Some(b) = o.byline {
                                let parsed = cues::parse_byline(&b);
                                merge_byline(&mut article.byline, parsed);
                            }
                            text = script::remove_justification_spaces(
                                seg.raw.get(o.len..).unwrap_or(""),
                            )
                            .trim()
                            .to_string();
                        }
                    }
                    first = false;
                    let text = text.trim().to_string();
                    if !text.is_empty() {
                        article.body.push(BodyItem {
                            kind: BodyKind::Paragraph,
                            text,
                            bbox: seg.bbox,
                            confidence: None,
                            low_confidence: Vec::new(),
                            page: None,
                        });
                    }
                }
            }
        }
        article.source_tag = run.source_tag;
        if let Some((raw, names)) = run.credit {
            let credit = Byline {
                raw,
                photographers: names,
                ..Byline::default()
            };
            merge_byline(&mut article.byline, credit);
            if d.group.is_none() {
                article.kind = ArticleKind::Photo;
            }
        }
    }
    // Where the input has geometry, the article's box covers its parts.
    let group_boxes = d
        .group
        .iter()
        .flat_map(|g| g.segments.iter().filter_map(|s| s.bbox.as_ref()));
    article.bbox =
        BBox::union_all(group_boxes.chain(article.body.iter().filter_map(|b| b.bbox.as_ref())));
    if article.kind == ArticleKind::News && article.headline.is_none() {
        let chars: usize = article.body.iter().map(|b| b.text.chars().count()).sum();
        if article.body.len() <= 1 && chars < 200 {
            article.kind = ArticleKind::Brief;
        }
    }
    article
}

fn fill_heading_fields(article: &mut Article, g: &Group) {
    let headings: Vec<&Segment> = g.headings().collect();
    let mut start = 0;
    // Layout marks a kicker where geometry shows one (smaller type above
    // the headline).
    let kickers: Vec<&str> = g
        .segments
        .iter()
        .filter(|s| s.role == Role::Kicker)
        .map(|s| s.text.as_str())
        .collect();
    if !kickers.is_empty() {
        article.kicker = Some(kickers.join(" "));
    }
    // A kicker is set off from the headline below it by a blank line, or
    // is clearly shorter than it (a wrapped headline's first line is the
    // full one; couplet halves are equal).
    let width = |s: &Segment| script::text_width(&s.text);
    // (Geometry marks kickers by type size; this shape rule is for dumps.)
    let from_dump = headings.iter().all(|h| h.bbox.is_none());
    if article.kicker.is_none()
        && from_dump
        && headings.len() >= 2
        && (headings[1].gap_before || width(headings[0]) <= 0.7 * width(headings[1]))
    {
        article.kicker = Some(headings[0].text.clone());
        start = 1;
    }
    let lines: Vec<&str> = headings[start..].iter().map(|h| h.text.as_str()).collect();
    let headline = join_headline_lines(&lines);
    if !headline.is_empty() {
        article.headline = Some(headline);
    }
    // A deck wrapped over lines comes as consecutive subtitle segments.
    if let Some(first) = g.segments.iter().position(|s| s.role == Role::Subtitle) {
        let lines: Vec<&str> = g.segments[first..]
            .iter()
            .take_while(|s| s.role == Role::Subtitle)
            .map(|s| s.text.as_str())
            .collect();
        article.subheadline = Some(join_wrapped_lines(&lines));
    }
    for b in g.segments.iter().filter(|s| s.role == Role::Byline) {
        merge_byline(&mut article.byline, cues::parse_byline(&b.raw));
    }
}

/// Joins the lines of a wrapped display group (a deck): CJK pieces join with
/// nothing, Latin ones with a space (a trailing hyphen joins the word).
fn join_wrapped_lines(lines: &[&str]) -> String {
    let mut out = String::new();
    for l in lines {
        let l = l.trim();
        let cjk_seam = out.chars().last().is_some_and(crate::script::is_cjk)
            || l.chars().next().is_some_and(crate::script::is_cjk);
        if out.ends_with('-') && l.chars().next().is_some_and(char::is_lowercase) {
            out.pop();
        } else if !out.is_empty() && !cjk_seam {
            out.push(' ');
        }
        out.push_str(l);
    }
    out
}

/// Joins the lines of a multi-line headline. Latin lines join with a space.
/// CJK lines join with nothing when the break only wrapped a long headline,
/// and with one space when the lines are the two balanced halves of a
/// couplet headline (`环卫工人拾金不昧` / `好人好事温暖人心`): such halves are
/// composed with the same number of characters, which a wrapped headline
/// matches only by chance.
fn join_headline_lines(lines: &[&str]) -> String {
    let mut out = String::new();
    let cjk_len = |s: &str| s.chars().filter(|c| script::is_cjk_letter(*c)).count();
    for (i, line) in lines.iter().enumerate() {
        if i > 0 {
            let prev = lines[i - 1];
            let couplet = lines.len() == 2
                && !prev.contains(' ')
                && !line.contains(' ')
                && cjk_len(prev) >= 4
                && cjk_len(prev) == prev.chars().count()
                && cjk_len(line) == line.chars().count()
                && cjk_len(prev) == cjk_len(line);
            if couplet || script::needs_space_between(&out, line) {
                out.push(' ');
            }
        }
        out.push_str(line);
    }
    out
}

fn merge_byline(target: &mut Option<Byline>, more: Byline) {
    match target {
        None => *target = Some(more),
        Some(b) => {
            if !more.raw.is_empty() {
                if !b.raw.is_empty() {
                    b.raw.push_str("; ");
                }
                b.raw.push_str(&more.raw);
            }
            for (dst, src) in [
                (&mut b.reporters, more.reporters),
                (&mut b.correspondents, more.correspondents),
                (&mut b.photographers, more.photographers),
                (&mut b.authors, more.authors),
            ] {
                for name in src {
                    if !dst.contains(&name) {
                        dst.push(name);
                    }
                }
            }
        }
    }
}

#[cfg(test)]
mod continuation_tests {
    use super::*;
    use crate::model::BBox;

    fn article(
        page: u32,
        n: usize,
        headline: Option<&str>,
        paragraphs: &[&str],
        x0: f32,
    ) -> Article {
        Article {
            headline: headline.map(str::to_string),
            body: paragraphs.iter().map(|p| BodyItem::paragraph(*p)).collect(),
            bbox: Some(BBox {
                x0,
                y0: 100.0,
                x1: x0 + 200.0,
                y1: 700.0,
            }),
            ..Article::new(page, n)
        }
    }

    #[test]
    fn an_article_runs_on_to_the_next_page_in_lower_case() {
        let mut articles = vec![
            article(1, 1, Some("Revue"), &["Les bruits de guerre."], 20.0),
            article(
                1,
                2,
                Some("Le Nord"),
                &["Paris, 3 décembre. Ma lettre d'hier a pu"],
                480.0,
            ),
            article(2, 1, None, &["vous faire pressentir la grâce."], 20.0),
            article(
                2,
                2,
                Some("Verschiedenes"),
                &["Vorgestern und gestern."],
                250.0,
            ),
        ];
        join_page_continuations(&mut articles);
        assert_eq!(articles.len(), 3);
        // The open article takes the rest, its paragraph marked with its page.
        assert_eq!(articles[1].body.len(), 2);
        assert_eq!(articles[1].body[1].page, Some(2));
        assert_eq!(articles[1].body[1].text, "vous faire pressentir la grâce.");
        assert_eq!(articles[2].id, "p2-a1");
    }

    #[test]
    fn a_page_opening_with_a_capital_or_a_headline_starts_anew() {
        let mut articles = vec![
            article(1, 1, Some("Revue"), &["Les bruits de guerre d'un"], 20.0),
            article(2, 1, None, &["Vorgestern und gestern."], 20.0),
        ];
        join_page_continuations(&mut articles);
        assert_eq!(articles.len(), 2);
        let mut articles = vec![
            article(1, 1, Some("Revue"), &["Les bruits de guerre d'un"], 20.0),
            article(2, 1, Some("Le Nord"), &["vous faire pressentir."], 20.0),
        ];
        join_page_continuations(&mut articles);
        assert_eq!(articles.len(), 2);
    }
}
