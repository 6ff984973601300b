//! Scoring a predicted [`Document`] against a gold one (`newsclip eval GOLD PRED`).
//!
//! # Contract
//!
//! Input: a gold and a predicted [`Document`] ([`evaluate`]), or a set of
//! such pairs, one per page or file ([`evaluate_many`]). Output: a
//! [`Report`] holding raw counts and the ratios computed from them. Ratios
//! are always recomputed from summed counts, so a set of pages is
//! micro-averaged: a page with 20 articles weighs twice as much as one with
//! 10. This module reads the output model only, never the pipeline stages it
//! grades.
//!
//! Text is compared as Unicode scalar values (`char`) without normalisation:
//! a full-width comma for an ASCII one is an error, as a reader would see it.
//!
//! # Metrics
//!
//! 1. **Article matching.** Gold and predicted articles are paired
//!    one-to-one by an optimal assignment (Hungarian algorithm) on the CER of
//!    their match text: the body ([`Article::body_text`]: paragraphs joined
//!    by `\n`, sub-headings excluded) or, when the body is empty, the
//!    headline and caption texts joined by `\n`. A pair is matched only when
//!    that CER is at most [`MATCH_MAX_CER`]. The assignment first maximises
//!    the number of such pairs, then minimises their total CER.
//!    Precision = matched / predicted, recall = matched / gold, F1.
//! 2. **Body CER.** `body_cer`: edit distance summed over matched pairs'
//!    bodies / their gold body chars. `body_cer_all`: the same plus every
//!    unmatched gold body as deleted and every unmatched predicted body as
//!    inserted, over all gold body chars.
//! 3. **Page CER.** CER of all predicted article text against all gold
//!    article text, each concatenated in document order (per article:
//!    headline, body items including sub-headings so a role mistake is not
//!    lost text, caption texts; non-empty parts joined by `\n`). It sees text
//!    that went missing, was duplicated or landed in the wrong article, which
//!    matched-pair body CER cannot. Exact (bit-vector edit distance, a
//!    30k x 30k page takes milliseconds) up to [`PAGE_EXACT_MAX_WORD_STEPS`];
//!    beyond that it is approximated by per-article distances of matched
//!    pairs plus the lengths of unmatched articles, and `page_cer_exact` is
//!    false. Article order matters: articles emitted out of reading order
//!    count as text deleted in one place and inserted in another.
//! 4. **Field accuracies** ([`FieldScore`]), over matched pairs: headline,
//!    kicker, subheadline, dateline, source tag (equal after trimming; null,
//!    empty and blank all mean absent; absent on both sides is correct),
//!    byline (the four name lists equal as multisets, names trimmed, `raw`
//!    ignored; both null is correct), sub-headings (the sub-heading body
//!    items' texts, equal in order), captions ((text, credit) equal in
//!    order). Each also counts `present_*` over the pairs whose gold field is
//!    present (a non-empty list for sub-headings and captions), so a page
//!    where most gold fields are null does not score well for free.
//! 5. **Paragraph-boundary F1**, over matched pairs. Paragraph texts are
//!    concatenated without separators; boundaries are the char offsets
//!    between paragraphs. An optimal edit alignment of the two bodies maps
//!    each predicted boundary onto the span of gold offsets it aligns with;
//!    it is correct when a gold boundary lies within 1 char of that span,
//!    each gold boundary being claimed at most once.
//! 6. **Spurious CJK spaces.** Spaces counted by [`count_cjk_spaces`]
//!    (between two CJK chars, or a CJK char and an ASCII letter/digit) in
//!    headlines, body items and caption texts. Per predicted article: its
//!    count minus its matched gold article's count, floored at 0 (an
//!    unmatched predicted article counts all of its own), summed. This is a
//!    count difference, not an alignment: a space that moved within an
//!    article is not flagged. `cjk_spaces_pred`/`cjk_spaces_gold` are raw
//!    totals over all articles.
//! 7. **Per-article results** ([`ArticleResult`]): which gold article went
//!    with which predicted one, its body CER and headline correctness.
//!
//! # Conventions
//!
//! A ratio with nothing to count (0/0) is 1.0 for precision, recall, F1 and
//! accuracies (nothing missed, nothing wrong) and 0.0 for CERs; a CER with
//! edits against an empty reference is 1.0. Counts always accompany ratios
//! so these cases can be told apart. Edit distances are exact and cost
//! O(n·m/64) time and O(n + m) memory per compared pair.

mod assign;
mod cjk;
mod distance;
pub mod failures;
pub mod mets_gold;

pub use cjk::count_cjk_spaces;
pub use distance::{cer, edit_distance};

use crate::model::{Article, BodyKind, Byline, Document};
use distance::{align, cer_ratio, edit_distance_within, Op};
use serde::{Deserialize, Serialize};
use std::fmt::Write as _;

/// A gold/predicted article pair is matched only if the CER of its match
/// text (body, or headline + captions when the body is empty) is at most
/// this. Half the reference wrong is far worse than any OCR or reflow error
/// yet still tells a badly damaged article from a different one.
pub const MATCH_MAX_CER: f64 = 0.5;

/// Page CER is computed exactly while the bit-vector edit distance needs at
/// most this many 64-bit block steps (about a second; a 30k-char page needs
/// 1.4e7). Larger documents get the per-article approximation.
pub const PAGE_EXACT_MAX_WORD_STEPS: u64 = 1_000_000_000;

/// Accuracy of one field over matched article pairs.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct FieldScore {
    /// Matched pairs where the field is equal.
    pub correct: usize,
    /// Matched pairs.
    pub total: usize,
    pub accuracy: f64,
    /// Of the pairs whose gold field is present, those where it is equal.
    pub present_correct: usize,
    /// Matched pairs whose gold field is present.
    pub present_total: usize,
    pub present_accuracy: f64,
}

impl FieldScore {
    fn record(&mut self, gold_present: bool, ok: bool) {
        self.total += 1;
        self.correct += usize::from(ok);
        if gold_present {
            self.present_total += 1;
            self.present_correct += usize::from(ok);
        }
    }

    fn add(&mut self, other: &FieldScore) {
        self.correct += other.correct;
        self.total += other.total;
        self.present_correct += other.present_correct;
        self.present_total += other.present_total;
    }

    fn finish(&mut self) {
        self.accuracy = fraction(self.correct, self.total);
        self.present_accuracy = fraction(self.present_correct, self.present_total);
    }
}

/// How one gold article and/or one predicted article fared.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ArticleResult {
    /// Index of the document pair in the evaluated set (0 for [`evaluate`]).
    pub document: usize,
    /// Index in the gold document's `articles`; `None` for an unmatched
    /// predicted article.
    pub gold_index: Option<usize>,
    /// Index in the predicted document's `articles`; `None` for an
    /// unmatched gold article.
    pub pred_index: Option<usize>,
    pub gold_id: Option<String>,
    pub pred_id: Option<String>,
    /// The headline, or the first 20 chars of the body/match text, of the
    /// gold article (of the predicted one when unmatched), to find it.
    pub label: String,
    /// Body CER of a matched pair; `None` when unmatched.
    pub body_cer: Option<f64>,
    /// Whether the headline is right; `None` when unmatched.
    pub headline_ok: Option<bool>,
}

/// Scores of predictions against gold; see the [module docs](self) for
/// what each metric means. Every ratio comes with the counts it is made of.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Report {
    /// Document pairs evaluated.
    pub documents: usize,
    pub gold_articles: usize,
    pub pred_articles: usize,
    pub matched: usize,
    pub article_precision: f64,
    pub article_recall: f64,
    pub article_f1: f64,
    /// Body edits over matched pairs.
    pub body_edits: usize,
    /// Gold body chars of matched pairs.
    pub body_chars: usize,
    pub body_cer: f64,
    /// `body_edits` plus unmatched gold and predicted body lengths.
    pub body_edits_all: usize,
    /// Gold body chars of all gold articles.
    pub body_chars_all: usize,
    pub body_cer_all: f64,
    pub page_edits: usize,
    pub page_chars: usize,
    pub page_cer: f64,
    /// False when some document was too large for the exact page CER.
    pub page_cer_exact: bool,
    pub headline: FieldScore,
    pub kicker: FieldScore,
    pub subheadline: FieldScore,
    pub dateline: FieldScore,
    pub source_tag: FieldScore,
    pub byline: FieldScore,
    pub subheadings: FieldScore,
    pub captions: FieldScore,
    pub paragraph_gold_boundaries: usize,
    pub paragraph_pred_boundaries: usize,
    /// Predicted boundaries within 1 char of a gold boundary.
    pub paragraph_correct: usize,
    pub paragraph_precision: f64,
    pub paragraph_recall: f64,
    pub paragraph_f1: f64,
    /// CJK-adjacent spaces in all predicted articles.
    pub cjk_spaces_pred: usize,
    /// CJK-adjacent spaces in all gold articles.
    pub cjk_spaces_gold: usize,
    /// Predicted CJK-adjacent spaces in excess of the matched gold article's.
    pub cjk_spaces_spurious: usize,
    /// Per gold article in order (matched or not), then unmatched
    /// predicted articles, document by document.
    pub articles: Vec<ArticleResult>,
    /// Failure kinds over all documents (see [`failures`]).
    pub failures: failures::Failures,
    /// Failure kinds per document (its gold's source path), in the order
    /// the documents were given.
    pub failures_by_document: Vec<(String, failures::Failures)>,
    /// Advertisements (`kind: "advertisement"`): kept out of the article
    /// scores, counted here.
    pub gold_advertisements: usize,
    pub pred_advertisements: usize,
}

/// Scores one predicted document against its gold document.
pub fn evaluate(gold: &Document, pred: &Document) -> Report {
    let mut report = score_document(0, gold, pred);
    report.finish();
    report
}

/// Scores a set of (gold, predicted) document pairs, micro-averaged: counts
/// and edits are summed over all pairs and the ratios computed once from
/// the sums.
pub fn evaluate_many(pairs: &[(Document, Document)]) -> Report {
    let mut total = Report::zero();
    for (i, (gold, pred)) in pairs.iter().enumerate() {
        total.add(score_document(i, gold, pred));
    }
    total.finish();
    total
}

impl Report {
    /// All counts zero, ratios not yet computed.
    fn zero() -> Report {
        Report {
            documents: 0,
            gold_articles: 0,
            pred_articles: 0,
            matched: 0,
            article_precision: 0.0,
            article_recall: 0.0,
            article_f1: 0.0,
            body_edits: 0,
            body_chars: 0,
            body_cer: 0.0,
            body_edits_all: 0,
            body_chars_all: 0,
            body_cer_all: 0.0,
            page_edits: 0,
            page_chars: 0,
            page_cer: 0.0,
            page_cer_exact: true,
            headline: FieldScore::default(),
            kicker: FieldScore::default(),
            subheadline: FieldScore::default(),
            dateline: FieldScore::default(),
            source_tag: FieldScore::default(),
            byline: FieldScore::default(),
            subheadings: FieldScore::default(),
            captions: FieldScore::default(),
            paragraph_gold_boundaries: 0,
            paragraph_pred_boundaries: 0,
            paragraph_correct: 0,
            paragraph_precision: 0.0,
            paragraph_recall: 0.0,
            paragraph_f1: 0.0,
            cjk_spaces_pred: 0,
            cjk_spaces_gold: 0,
            cjk_spaces_spurious: 0,
            articles: Vec::new(),
            failures: failures::Failures::default(),
            failures_by_document: Vec::new(),
            gold_advertisements: 0,
            pred_advertisements: 0,
        }
    }

    fn fields_mut(&mut self) -> [&mut FieldScore; 8] {
        [
            &mut self.headline,
            &mut self.kicker,
            &mut self.subheadline,
            &mut self.dateline,
            &mut self.source_tag,
            &mut self.byline,
            &mut self.subheadings,
            &mut self.captions,
        ]
    }

    fn fields(&self) -> [(&'static str, &FieldScore); 8] {
        [
            ("headline", &self.headline),
            ("kicker", &self.kicker),
            ("subheadline", &self.subheadline),
            ("dateline", &self.dateline),
            ("source tag", &self.source_tag),
            ("byline", &self.byline),
            ("sub-headings", &self.subheadings),
            ("captions", &self.captions),
        ]
    }

    /// Adds another report's counts (not its ratios) to this one.
    fn add(&mut self, other: Report) {
        self.documents += other.documents;
        self.gold_articles += other.gold_articles;
        self.pred_articles += other.pred_articles;
        self.matched += other.matched;
        self.body_edits += other.body_edits;
        self.body_chars += other.body_chars;
        self.body_edits_all += other.body_edits_all;
        self.body_chars_all += other.body_chars_all;
        self.page_edits += other.page_edits;
        self.page_chars += other.page_chars;
        self.page_cer_exact &= other.page_cer_exact;
        for (mine, theirs) in self.fields_mut().into_iter().zip(other.fields()) {
            mine.add(theirs.1);
        }
        self.paragraph_gold_boundaries += other.paragraph_gold_boundaries;
        self.paragraph_pred_boundaries += other.paragraph_pred_boundaries;
        self.paragraph_correct += other.paragraph_correct;
        self.cjk_spaces_pred += other.cjk_spaces_pred;
        self.cjk_spaces_gold += other.cjk_spaces_gold;
        self.cjk_spaces_spurious += other.cjk_spaces_spurious;
        self.articles.extend(other.articles);
        self.failures.add(&other.failures);
        self.failures_by_document.extend(other.failures_by_document);
        self.gold_advertisements += other.gold_advertisements;
        self.pred_advertisements += other.pred_advertisements;
    }

    /// Computes every ratio from the counts.
    fn finish(&mut self) {
        self.article_precision = fraction(self.matched, self.pred_articles);
        self.article_recall = fraction(self.matched, self.gold_articles);
        self.article_f1 = f1(self.matched, self.pred_articles, self.gold_articles);
        self.body_cer = cer_ratio(self.body_edits, self.body_chars);
        self.body_cer_all = cer_ratio(self.body_edits_all, self.body_chars_all);
        self.page_cer = cer_ratio(self.page_edits, self.page_chars);
        for field in self.fields_mut() {
            field.finish();
        }
        self.paragraph_precision = fraction(self.paragraph_correct, self.paragraph_pred_boundaries);
        self.paragraph_recall = fraction(self.paragraph_correct, self.paragraph_gold_boundaries);
        self.paragraph_f1 = f1(
            self.paragraph_correct,
            self.paragraph_pred_boundaries,
            self.paragraph_gold_boundaries,
        );
    }

    /// A human-readable table: one metric per line with the counts behind
    /// it, then the worst 5 matched articles by body CER and every
    /// unmatched article.
    pub fn to_table(&self) -> String {
        let mut t = String::new();
        let w = 17;
        let _ = writeln!(t, "{:<w$}{}", "documents", self.documents);
        let _ = writeln!(
            t,
            "{:<w$}gold {}  pred {}  matched {}",
            "articles", self.gold_articles, self.pred_articles, self.matched
        );
        let _ = writeln!(
            t,
            "{:<w$}{:.3} / {:.3} / {:.3}  ({}/{} pred, {}/{} gold matched)",
            "article P/R/F1",
            self.article_precision,
            self.article_recall,
            self.article_f1,
            self.matched,
            self.pred_articles,
            self.matched,
            self.gold_articles
        );
        let _ = writeln!(t, "{:<w$}{}", "failures", self.failures.summary());
        if self.failures_by_document.len() > 1 {
            for (d, (path, f)) in self.failures_by_document.iter().enumerate() {
                if f.total() > 0 {
                    let _ = writeln!(t, "{:<w$}doc {d} {path}: {}", "", f.summary());
                }
            }
        }
        if self.gold_advertisements + self.pred_advertisements > 0 {
            let _ = writeln!(
                t,
                "{:<w$}gold {}  pred {} (not counted as articles)",
                "advertisements", self.gold_advertisements, self.pred_advertisements
            );
        }
        let _ = writeln!(
            t,
            "{:<w$}{} matched ({}/{})   {} all ({}/{})",
            "body CER",
            percent(self.body_cer),
            self.body_edits,
            self.body_chars,
            percent(self.body_cer_all),
            self.body_edits_all,
            self.body_chars_all
        );
        let _ = writeln!(
            t,
            "{:<w$}{} ({}/{}){}",
            "page CER",
            percent(self.page_cer),
            self.page_edits,
            self.page_chars,
            if self.page_cer_exact { "" } else { "  approx." }
        );
        for (name, f) in self.fields() {
            let _ = writeln!(
                t,
                "{:<w$}{} ({}/{})   gold present {} ({}/{})",
                name,
                ratio_or_na(f.accuracy, f.total),
                f.correct,
                f.total,
                ratio_or_na(f.present_accuracy, f.present_total),
                f.present_correct,
                f.present_total
            );
        }
        let _ = writeln!(
            t,
            "{:<w$}{:.3} / {:.3} / {:.3}  ({} correct, {} pred, {} gold boundaries)",
            "paragraph P/R/F1",
            self.paragraph_precision,
            self.paragraph_recall,
            self.paragraph_f1,
            self.paragraph_correct,
            self.paragraph_pred_boundaries,
            self.paragraph_gold_boundaries
        );
        let _ = writeln!(
            t,
            "{:<w$}{} spurious  (pred {}, gold {})",
            "CJK spaces", self.cjk_spaces_spurious, self.cjk_spaces_pred, self.cjk_spaces_gold
        );

        let doc = |a: &ArticleResult| {
            if self.documents > 1 {
                format!("doc {} ", a.document)
            } else {
                String::new()
            }
        };
        let idx = |i: Option<usize>| i.map_or_else(|| "-".to_string(), |i| i.to_string());
        let mut worst: Vec<&ArticleResult> = self
            .articles
            .iter()
            .filter(|a| a.body_cer.is_some_and(|c| c > 0.0))
            .collect();
        worst.sort_by(|a, b| {
            b.body_cer
                .unwrap_or(0.0)
                .total_cmp(&a.body_cer.unwrap_or(0.0))
        });
        if !worst.is_empty() {
            let _ = writeln!(t, "worst matched (body CER):");
            for a in worst.iter().take(5) {
                let _ = writeln!(
                    t,
                    "  {}gold {} = pred {}  {}  {}",
                    doc(a),
                    idx(a.gold_index),
                    idx(a.pred_index),
                    percent(a.body_cer.unwrap_or(0.0)),
                    a.label
                );
            }
        }
        for (title, gold_side) in [("unmatched gold:", true), ("unmatched pred:", false)] {
            let missing: Vec<&ArticleResult> = self
                .articles
                .iter()
                .filter(|a| {
                    if gold_side {
                        a.pred_index.is_none()
                    } else {
                        a.gold_index.is_none()
                    }
                })
                .collect();
            if missing.is_empty() {
                continue;
            }
            let _ = writeln!(t, "{title}");
            for a in missing {
                let i = if gold_side {
                    a.gold_index
                } else {
                    a.pred_index
                };
                let _ = writeln!(t, "  {}#{}  {}", doc(a), idx(i), a.label);
            }
        }
        t
    }
}

/// `num / den`, 1.0 when there is nothing to count.
fn fraction(num: usize, den: usize) -> f64 {
    if den == 0 {
        1.0
    } else {
        num as f64 / den as f64
    }
}

/// F1 from counts: 2·tp / (predicted + gold), 1.0 when both are empty.
fn f1(tp: usize, predicted: usize, gold: usize) -> f64 {
    let den = predicted + gold;
    if den == 0 {
        1.0
    } else {
        2.0 * tp as f64 / den as f64
    }
}

fn percent(x: f64) -> String {
    format!("{:.2}%", x * 100.0)
}

fn ratio_or_na(x: f64, total: usize) -> String {
    if total == 0 {
        "  n/a".to_string()
    } else {
        format!("{x:.3}")
    }
}

/// What scoring needs from one article, computed once.
struct Prepared<'a> {
    article: &'a Article,
    body: Vec<char>,
    /// Match text: the body, or headline + captions when the body is empty.
    key: Vec<char>,
    key_is_body: bool,
    /// Sorted (char, count) histogram of `key`, for a cheap lower bound.
    bag: Vec<(char, usize)>,
    /// Headline, body items and caption texts joined by `\n`.
    page_text: Vec<char>,
    cjk_spaces: usize,
}

impl<'a> Prepared<'a> {
    fn new(article: &'a Article) -> Prepared<'a> {
        let body: Vec<char> = article.body_text().chars().collect();
        let key_is_body = !body.is_empty();
        let key = if key_is_body {
            body.clone()
        } else {
            let parts = article
                .headline
                .as_deref()
                .into_iter()
                .chain(article.captions.iter().map(|c| c.text.as_str()));
            join_parts(parts)
        };
        let mut sorted = key.clone();
        sorted.sort_unstable();
        let mut bag: Vec<(char, usize)> = Vec::new();
        for c in sorted {
            match bag.last_mut() {
                Some((last, n)) if *last == c => *n += 1,
                _ => bag.push((c, 1)),
            }
        }
        let page_text = join_parts(text_parts(article));
        let cjk_spaces = text_parts(article).map(count_cjk_spaces).sum();
        Prepared {
            article,
            body,
            key,
            key_is_body,
            bag,
            page_text,
            cjk_spaces,
        }
    }

    /// The headline, else the first 20 chars of the match text.
    fn label(&self) -> String {
        match trimmed(&self.article.headline) {
            Some(h) => clip(h, 40),
            None => clip(&self.key.iter().collect::<String>(), 20),
        }
    }
}

/// The article's visible text in reading order: headline, body items
/// (paragraphs and sub-headings), caption texts.
fn text_parts(a: &Article) -> impl Iterator<Item = &str> {
    a.headline
        .as_deref()
        .into_iter()
        .chain(a.body.iter().map(|b| b.text.as_str()))
        .chain(a.captions.iter().map(|c| c.text.as_str()))
}

/// Non-empty parts joined by `\n` (empty ones would only add separators).
fn join_parts<'s>(parts: impl Iterator<Item = &'s str>) -> Vec<char> {
    let mut out = Vec::new();
    for part in parts.filter(|p| !p.is_empty()) {
        if !out.is_empty() {
            out.push('\n');
        }
        out.extend(part.chars());
    }
    out
}

fn clip(s: &str, max_chars: usize) -> String {
    let flat: String = s
        .chars()
        .map(|c| if c.is_whitespace() { ' ' } else { c })
        .collect();
    let flat = flat.trim();
    if flat.chars().count() <= max_chars {
        flat.to_string()
    } else {
        let mut out: String = flat.chars().take(max_chars).collect();
        out.push('…');
        out
    }
}

/// A string field as compared: trimmed, with empty meaning absent.
fn trimmed(s: &Option<String>) -> Option<&str> {
    s.as_deref().map(str::trim).filter(|t| !t.is_empty())
}

fn byline_names(b: &Byline) -> [Vec<&str>; 4] {
    [
        sorted_names(&b.reporters),
        sorted_names(&b.correspondents),
        sorted_names(&b.photographers),
        sorted_names(&b.authors),
    ]
}

/// Names as a multiset: trimmed and sorted.
fn sorted_names(names: &[String]) -> Vec<&str> {
    let mut v: Vec<&str> = names.iter().map(|n| n.trim()).collect();
    v.sort_unstable();
    v
}

fn byline_equal(gold: &Option<Byline>, pred: &Option<Byline>) -> bool {
    match (gold, pred) {
        (None, None) => true,
        (Some(g), Some(p)) => byline_names(g) == byline_names(p),
        _ => false,
    }
}

fn subheadings(a: &Article) -> Vec<&str> {
    a.body
        .iter()
        .filter(|b| b.kind == BodyKind::Subheading)
        .map(|b| b.text.trim())
        .collect()
}

fn captions(a: &Article) -> Vec<(&str, Option<&str>)> {
    a.captions
        .iter()
        .map(|c| (c.text.trim(), trimmed(&c.credit)))
        .collect()
}

/// A lower bound on the edit distance from char histograms: each edit
/// removes at most one surplus char on each side. Lets us skip exact
/// distances between clearly different articles.
fn bag_lower_bound(a: &[(char, usize)], b: &[(char, usize)]) -> usize {
    let (mut i, mut j) = (0, 0);
    let (mut surplus_a, mut surplus_b) = (0usize, 0usize);
    while i < a.len() || j < b.len() {
        match (a.get(i), b.get(j)) {
            (Some(&(ca, na)), Some(&(cb, nb))) if ca == cb => {
                if na > nb {
                    surplus_a += na - nb;
                } else {
                    surplus_b += nb - na;
                }
                i += 1;
                j += 1;
            }
            (Some(&(ca, na)), Some(&(cb, _))) if ca < cb => {
                surplus_a += na;
                i += 1;
            }
            (Some(&(_, na)), None) => {
                surplus_a += na;
                i += 1;
            }
            (_, Some(&(_, nb))) => {
                surplus_b += nb;
                j += 1;
            }
            (None, None) => break,
        }
    }
    surplus_a.max(surplus_b)
}

fn matchable(edits: usize, reference_len: usize) -> bool {
    edits as f64 <= MATCH_MAX_CER * reference_len as f64
}

/// Paragraph texts concatenated without separators, and the char offsets
/// strictly inside the text where one paragraph ends and the next begins.
fn paragraph_boundaries(a: &Article) -> (Vec<char>, Vec<usize>) {
    let mut text = Vec::new();
    let mut bounds = Vec::new();
    for item in a.body.iter().filter(|b| b.kind == BodyKind::Paragraph) {
        if !text.is_empty() && bounds.last() != Some(&text.len()) {
            bounds.push(text.len());
        }
        text.extend(item.text.chars());
    }
    // A trailing empty paragraph would leave a boundary at the very end.
    if bounds.last() == Some(&text.len()) {
        bounds.pop();
    }
    (text, bounds)
}

/// (gold boundaries, predicted boundaries, correct predicted boundaries).
fn boundary_counts(gold: &Article, pred: &Article) -> (usize, usize, usize) {
    let (gold_text, gold_b) = paragraph_boundaries(gold);
    let (pred_text, pred_b) = paragraph_boundaries(pred);
    if gold_b.is_empty() || pred_b.is_empty() {
        return (gold_b.len(), pred_b.len(), 0);
    }
    // lo[q]..=hi[q]: the gold offsets aligned with predicted offset q (a
    // span when gold chars were dropped there).
    let ops = align(&gold_text, &pred_text);
    let mut lo = vec![0usize; pred_text.len() + 1];
    let mut hi = vec![0usize; pred_text.len() + 1];
    let (mut g, mut p) = (0usize, 0usize);
    for op in ops {
        match op {
            Op::Del => g += 1,
            Op::Match | Op::Sub | Op::Ins => {
                if let Some(h) = hi.get_mut(p) {
                    *h = g;
                }
                if op != Op::Ins {
                    g += 1;
                }
                p += 1;
                if let Some(l) = lo.get_mut(p) {
                    *l = g;
                }
            }
        }
    }
    if let Some(h) = hi.get_mut(p) {
        *h = g;
    }
    // Spans and gold boundaries are both sorted, so taking the first free
    // gold boundary in reach is an optimal one-to-one matching.
    let mut next = 0;
    let mut correct = 0;
    for &q in &pred_b {
        let from = lo.get(q).copied().unwrap_or(g).saturating_sub(1);
        let to = hi.get(q).copied().unwrap_or(g) + 1;
        while next < gold_b.len() && gold_b[next] < from {
            next += 1;
        }
        if next < gold_b.len() && gold_b[next] <= to {
            correct += 1;
            next += 1;
        }
    }
    (gold_b.len(), pred_b.len(), correct)
}

/// The document without its advertisements, and how many there were.
fn without_advertisements(d: &Document) -> (Document, usize) {
    let mut kept = d.clone();
    kept.articles
        .retain(|a| a.kind != crate::model::ArticleKind::Advertisement);
    let ads = d.articles.len() - kept.articles.len();
    (kept, ads)
}

/// Counts (ratios not computed) for one document pair.
fn score_document(doc: usize, gold: &Document, pred: &Document) -> Report {
    score_document_within(doc, gold, pred, PAGE_EXACT_MAX_WORD_STEPS)
}

/// [`score_document`] with the exact page-CER budget as a parameter, so
/// tests can exercise the approximation.
fn score_document_within(doc: usize, gold: &Document, pred: &Document, page_budget: u64) -> Report {
    // Advertisements are no articles: scored apart, on both sides.
    let (gold_doc, gold_ads) = without_advertisements(gold);
    let (pred_doc, pred_ads) = without_advertisements(pred);
    let (gold_doc, pred_doc) = (&gold_doc, &pred_doc);
    let gold: Vec<Prepared> = gold_doc.articles.iter().map(Prepared::new).collect();
    let pred: Vec<Prepared> = pred_doc.articles.iter().map(Prepared::new).collect();
    let (ng, np) = (gold.len(), pred.len());

    // Match-text edit distances of the pairs that can match at all.
    let mut key_edits: Vec<Option<usize>> = vec![None; ng * np];
    for (gi, g) in gold.iter().enumerate() {
        for (pi, p) in pred.iter().enumerate() {
            if !matchable(bag_lower_bound(&g.bag, &p.bag), g.key.len()) {
                continue;
            }
            let e = edit_distance(&g.key, &p.key);
            if matchable(e, g.key.len()) {
                key_edits[gi * np + pi] = Some(e);
            }
        }
    }
    // Unmatchable pairs cost more than any set of matchable ones together
    // (each costs <= MATCH_MAX_CER), so the assignment maximises the number
    // of matches first and their total CER second.
    let unmatchable = (ng.min(np) + 1) as f64;
    let cost: Vec<f64> = key_edits
        .iter()
        .enumerate()
        .map(|(k, e)| e.map_or(unmatchable, |e| cer_ratio(e, gold[k / np].key.len())))
        .collect();
    let gold_to_pred: Vec<Option<usize>> = assign::assign(&cost, ng, np)
        .into_iter()
        .enumerate()
        .map(|(gi, p)| p.filter(|&pi| key_edits[gi * np + pi].is_some()))
        .collect();
    let mut pred_to_gold = vec![None; np];
    for (gi, p) in gold_to_pred.iter().enumerate() {
        if let Some(pi) = *p {
            pred_to_gold[pi] = Some(gi);
        }
    }

    let mut r = Report::zero();
    r.documents = 1;
    r.failures = failures::count(gold_doc, pred_doc, &gold_to_pred);
    r.failures_by_document
        .push((gold_doc.source.path.clone(), r.failures));
    r.gold_advertisements = gold_ads;
    r.pred_advertisements = pred_ads;
    r.gold_articles = ng;
    r.pred_articles = np;
    r.body_chars_all = gold.iter().map(|g| g.body.len()).sum();
    r.cjk_spaces_gold = gold.iter().map(|g| g.cjk_spaces).sum();
    r.cjk_spaces_pred = pred.iter().map(|p| p.cjk_spaces).sum();

    for (gi, g) in gold.iter().enumerate() {
        let Some(pi) = gold_to_pred[gi] else {
            r.body_edits_all += g.body.len();
            r.articles.push(ArticleResult {
                document: doc,
                gold_index: Some(gi),
                pred_index: None,
                gold_id: Some(g.article.id.clone()),
                pred_id: None,
                label: g.label(),
                body_cer: None,
                headline_ok: None,
            });
            continue;
        };
        let p = &pred[pi];
        let (ga, pa) = (g.article, p.article);
        r.matched += 1;

        let body_edits = match key_edits[gi * np + pi] {
            Some(e) if g.key_is_body && p.key_is_body => e,
            _ => edit_distance(&g.body, &p.body),
        };
        r.body_edits += body_edits;
        r.body_chars += g.body.len();
        r.body_edits_all += body_edits;

        let headline_ok = trimmed(&ga.headline) == trimmed(&pa.headline);
        r.headline
            .record(trimmed(&ga.headline).is_some(), headline_ok);
        for (score, gf, pf) in [
            (&mut r.kicker, &ga.kicker, &pa.kicker),
            (&mut r.subheadline, &ga.subheadline, &pa.subheadline),
            (&mut r.dateline, &ga.dateline, &pa.dateline),
            (&mut r.source_tag, &ga.source_tag, &pa.source_tag),
        ] {
            score.record(trimmed(gf).is_some(), trimmed(gf) == trimmed(pf));
        }
        r.byline
            .record(ga.byline.is_some(), byline_equal(&ga.byline, &pa.byline));
        let gold_subs = subheadings(ga);
        r.subheadings
            .record(!gold_subs.is_empty(), gold_subs == subheadings(pa));
        let gold_caps = captions(ga);
        r.captions
            .record(!gold_caps.is_empty(), gold_caps == captions(pa));

        let (nb_gold, nb_pred, nb_ok) = boundary_counts(ga, pa);
        r.paragraph_gold_boundaries += nb_gold;
        r.paragraph_pred_boundaries += nb_pred;
        r.paragraph_correct += nb_ok;

        r.articles.push(ArticleResult {
            document: doc,
            gold_index: Some(gi),
            pred_index: Some(pi),
            gold_id: Some(ga.id.clone()),
            pred_id: Some(pa.id.clone()),
            label: g.label(),
            body_cer: Some(cer_ratio(body_edits, g.body.len())),
            headline_ok: Some(headline_ok),
        });
    }

    for (pi, p) in pred.iter().enumerate() {
        match pred_to_gold[pi] {
            Some(gi) => r.cjk_spaces_spurious += p.cjk_spaces.saturating_sub(gold[gi].cjk_spaces),
            None => {
                r.cjk_spaces_spurious += p.cjk_spaces;
                r.body_edits_all += p.body.len();
                r.articles.push(ArticleResult {
                    document: doc,
                    gold_index: None,
                    pred_index: Some(pi),
                    gold_id: None,
                    pred_id: Some(p.article.id.clone()),
                    label: p.label(),
                    body_cer: None,
                    headline_ok: None,
                });
            }
        }
    }

    let page = |arts: &[Prepared]| {
        let mut out: Vec<char> = Vec::new();
        for a in arts.iter().filter(|a| !a.page_text.is_empty()) {
            if !out.is_empty() {
                out.push('\n');
            }
            out.extend_from_slice(&a.page_text);
        }
        out
    };
    let (gold_page, pred_page) = (page(&gold), page(&pred));
    r.page_chars = gold_page.len();
    let budget = u128::from(page_budget);
    match edit_distance_within(&gold_page, &pred_page, budget) {
        Some(e) => r.page_edits = e,
        None => {
            // Too large for the exact distance: article by article, which
            // ignores separators and cross-article order (documented).
            r.page_cer_exact = false;
            let per_article_budget = u128::from(PAGE_EXACT_MAX_WORD_STEPS);
            let mut edits = 0;
            for (gi, g) in gold.iter().enumerate() {
                edits += match gold_to_pred[gi] {
                    Some(pi) => {
                        let p = &pred[pi].page_text;
                        edit_distance_within(&g.page_text, p, per_article_budget)
                            .unwrap_or_else(|| g.page_text.len().max(p.len()))
                    }
                    None => g.page_text.len(),
                };
            }
            for (pi, p) in pred.iter().enumerate() {
                if pred_to_gold[pi].is_none() {
                    edits += p.page_text.len();
                }
            }
            r.page_edits = edits;
        }
    }
    r
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{BodyItem, Caption, Source};

    fn article(headline: Option<&str>, paragraphs: &[&str]) -> Article {
        Article {
            headline: headline.map(str::to_string),
            body: paragraphs.iter().map(|p| BodyItem::paragraph(*p)).collect(),
            ..Article::new(1, 1)
        }
    }

    fn document(mut articles: Vec<Article>) -> Document {
        for (i, a) in articles.iter_mut().enumerate() {
            a.id = format!("p1-a{}", i + 1);
        }
        Document {
            source: Source {
                path: "test.txt".to_string(),
                format: "dump".to_string(),
                encoding: Some("UTF-8".to_string()),
            },
            articles,
            ..Document::new(Source {
                path: String::new(),
                format: String::new(),
                encoding: None,
            })
        }
    }

    // Bodies with disjoint alphabets: any cross pair has CER 1.0.
    const BODIES: [&str; 4] = [
        "今天天气很好我们去公园散步", // 13 chars
        "abcdefghijklmnopqrstuvwxyz", // 26
        "0123456789",                 // 10
        "ＡＢＣＤＥＦＧＨ",           // 8
    ];

    #[test]
    fn cer_of_known_strings() {
        assert_eq!(cer("kitten", "sitting"), 0.5);
        assert_eq!(edit_distance(&['a', 'b'], &['b']), 1);
        assert_eq!(cer("", ""), 0.0);
        assert_eq!(cer("", "abc"), 1.0);
    }

    #[test]
    fn identical_documents_score_perfectly() {
        let mut a = article(Some("头条"), &["第一段。", "第二段。"]);
        a.captions.push(Caption {
            text: "图为现场".to_string(),
            credit: Some("许廷合 摄".to_string()),
        });
        let doc = document(vec![a, article(None, &["简讯正文"])]);
        let r = evaluate(&doc, &doc);
        assert_eq!((r.gold_articles, r.pred_articles, r.matched), (2, 2, 2));
        assert_eq!(r.article_f1, 1.0);
        assert_eq!((r.body_edits, r.body_edits_all, r.page_edits), (0, 0, 0));
        assert_eq!(
            r.page_chars,
            "头条\n第一段。\n第二段。\n图为现场\n简讯正文"
                .chars()
                .count()
        );
        assert_eq!((r.headline.correct, r.headline.total), (2, 2));
        assert_eq!(
            (r.headline.present_correct, r.headline.present_total),
            (1, 1)
        );
        assert_eq!(
            (r.captions.present_correct, r.captions.present_total),
            (1, 1)
        );
        assert_eq!((r.paragraph_correct, r.paragraph_gold_boundaries), (1, 1));
        assert_eq!(r.paragraph_f1, 1.0);
        assert_eq!(r.cjk_spaces_spurious, 0);
    }

    #[test]
    fn hungarian_beats_greedy_on_articles() {
        // CERs: g0/p0 1/10, g1/p0 4/15, g0/p1 4/10, g1/p1 9/15 (> 0.5).
        // Greedy over ascending CER takes g0/p0 first and strands g1 with
        // p1; the optimal assignment matches both.
        let gold = document(vec![
            article(None, &["abcdefghij"]),
            article(None, &["abcdefghijKLMNO"]),
        ]);
        let pred = document(vec![
            article(None, &["abcdefghijK"]),
            article(None, &["abcdefWXYZ"]),
        ]);
        let r = evaluate(&gold, &pred);
        assert_eq!(r.matched, 2);
        assert_eq!(r.articles[0].pred_index, Some(1));
        assert_eq!(r.articles[1].pred_index, Some(0));
        assert_eq!((r.body_edits, r.body_chars), (8, 25));
        assert!((r.body_cer - 0.32).abs() < 1e-12);
        assert_eq!(r.articles[0].body_cer, Some(0.4));
    }

    #[test]
    fn dropped_article_lowers_recall_exactly() {
        let gold = document(BODIES.iter().map(|b| article(None, &[b])).collect());
        let pred = document(
            [BODIES[0], BODIES[1], BODIES[3]]
                .iter()
                .map(|b| article(None, &[b]))
                .collect(),
        );
        let r = evaluate(&gold, &pred);
        assert_eq!((r.gold_articles, r.pred_articles, r.matched), (4, 3, 3));
        assert_eq!(r.article_precision, 1.0);
        assert_eq!(r.article_recall, 0.75);
        assert!((r.article_f1 - 6.0 / 7.0).abs() < 1e-12);
        assert_eq!((r.body_edits, r.body_cer), (0, 0.0));
        // The dropped body (10 chars) counts as deleted in body_cer_all.
        assert_eq!((r.body_edits_all, r.body_chars_all), (10, 57));
        // Page text loses "0123456789" plus one separator.
        assert_eq!(r.page_edits, 11);
        let missing = &r.articles[2];
        assert_eq!((missing.gold_index, missing.pred_index), (Some(2), None));
        assert_eq!(missing.label, "0123456789");
        assert!(r.to_table().contains("unmatched gold:\n  #2  0123456789"));
    }

    #[test]
    fn split_paragraph_lowers_paragraph_precision_exactly() {
        let gold = document(vec![article(None, &["abcdefghij", "klmnopqrst"])]);
        let pred = document(vec![article(None, &["abcdefghij", "klmno", "pqrst"])]);
        let r = evaluate(&gold, &pred);
        assert_eq!(r.matched, 1);
        assert_eq!(
            (
                r.paragraph_gold_boundaries,
                r.paragraph_pred_boundaries,
                r.paragraph_correct
            ),
            (1, 2, 1)
        );
        assert_eq!(r.paragraph_precision, 0.5);
        assert_eq!(r.paragraph_recall, 1.0);
        assert!((r.paragraph_f1 - 2.0 / 3.0).abs() < 1e-12);
        // Body text differs by the one extra "\n" separator.
        assert_eq!((r.body_edits, r.body_chars), (1, 21));
    }

    #[test]
    fn boundary_within_one_char_counts_and_survives_text_errors() {
        let gold = document(vec![article(None, &["abcdefghij", "klmnop"])]);
        let shifted = document(vec![article(None, &["abcdefghijk", "lmnop"])]);
        let r = evaluate(&gold, &shifted);
        assert_eq!(r.paragraph_correct, 1);
        let far = document(vec![article(None, &["abcdefgh", "ijklmnop"])]);
        assert_eq!(evaluate(&gold, &far).paragraph_correct, 0);
        // Dropped chars right at the boundary: still the same boundary.
        let lossy = document(vec![article(None, &["abcdefg", "mnop"])]);
        let r = evaluate(&gold, &lossy);
        assert_eq!((r.matched, r.paragraph_correct), (1, 1));
    }

    #[test]
    fn spurious_cjk_spaces() {
        assert_eq!(count_cjk_spaces("旺 能"), 1);
        assert_eq!(count_cjk_spaces("EOD 无"), 1);
        assert_eq!(count_cjk_spaces("hello world"), 0);
        let gold = document(vec![article(
            Some("新闻 标题"),
            &["记者 John 报道今天天气"],
        )]);
        let pred = document(vec![article(
            Some("新 闻 标题"),
            &["记者 John 报道今天 天气"],
        )]);
        let r = evaluate(&gold, &pred);
        assert_eq!(r.matched, 1);
        assert_eq!(
            (r.cjk_spaces_gold, r.cjk_spaces_pred, r.cjk_spaces_spurious),
            (3, 5, 2)
        );
        // Fewer spaces than gold never goes negative.
        let r = evaluate(&pred, &gold);
        assert_eq!(r.cjk_spaces_spurious, 0);
    }

    #[test]
    fn micro_average_sums_counts() {
        let doc_a = (
            document(vec![article(None, &["abcdefghij"])]),
            document(vec![article(None, &["abcdefghiX"])]),
        );
        let doc_b = (
            document(vec![
                article(None, &[BODIES[0]]),
                article(None, &[BODIES[2]]),
            ]),
            document(vec![article(None, &[BODIES[0]])]),
        );
        let a = evaluate(&doc_a.0, &doc_a.1);
        let b = evaluate(&doc_b.0, &doc_b.1);
        let r = evaluate_many(&[doc_a, doc_b]);
        assert_eq!(r.documents, 2);
        assert_eq!((r.gold_articles, r.pred_articles, r.matched), (3, 2, 2));
        assert_eq!(r.article_recall, 2.0 / 3.0);
        assert_eq!((r.body_edits, r.body_chars), (1, 23));
        // Micro: 1/23, not the mean of 1/10 and 0/13.
        assert_eq!(r.body_cer, 1.0 / 23.0);
        assert_eq!(r.page_edits, a.page_edits + b.page_edits);
        assert_eq!(r.page_chars, a.page_chars + b.page_chars);
        assert_eq!(r.body_edits_all, 1 + 10);
        assert_eq!(r.articles.len(), 3);
        assert_eq!(r.articles[2].document, 1);
        assert!(r.to_table().contains("doc 1 #1"));
    }

    #[test]
    fn field_accuracies_and_present_counts() {
        let byline = |raw: &str, names: &[&str]| Byline {
            raw: raw.to_string(),
            reporters: names.iter().map(|n| n.to_string()).collect(),
            ..Byline::default()
        };
        let mut g0 = article(Some("标题"), &[BODIES[0]]);
        g0.byline = Some(byline("本报记者 张三 李四", &["张三", "李四"]));
        let g1 = article(None, &[BODIES[1]]);
        let g2 = article(Some("A"), &[BODIES[2]]);
        let mut p0 = article(Some(" 标题 "), &[BODIES[0]]);
        p0.byline = Some(byline("李四 张三", &["李四", "张三"]));
        let p1 = article(Some("  "), &[BODIES[1]]);
        let p2 = article(None, &[BODIES[2]]);
        let r = evaluate(&document(vec![g0, g1, g2]), &document(vec![p0, p1, p2]));
        assert_eq!(r.matched, 3);
        assert_eq!((r.headline.correct, r.headline.total), (2, 3));
        assert_eq!(
            (r.headline.present_correct, r.headline.present_total),
            (1, 2)
        );
        assert_eq!(r.headline.present_accuracy, 0.5);
        assert_eq!((r.byline.correct, r.byline.total), (3, 3));
        assert_eq!((r.byline.present_correct, r.byline.present_total), (1, 1));
        assert_eq!(r.kicker.present_total, 0);
        assert_eq!(r.kicker.present_accuracy, 1.0);
        assert_eq!(r.articles[2].headline_ok, Some(false));
    }

    #[test]
    fn empty_bodies_match_on_headline_and_captions() {
        let mut photo = article(Some("春到江南"), &[]);
        photo.captions.push(Caption {
            text: "游客在公园赏花".to_string(),
            credit: None,
        });
        let mut pred_photo = photo.clone();
        pred_photo.captions[0].credit = Some("记者 摄".to_string());
        let r = evaluate(&document(vec![photo]), &document(vec![pred_photo]));
        assert_eq!(r.matched, 1);
        assert_eq!((r.body_chars, r.body_cer), (0, 0.0));
        assert_eq!((r.captions.correct, r.captions.total), (0, 1));
    }

    #[test]
    fn degenerate_inputs_do_not_panic() {
        let empty = document(Vec::new());
        let r = evaluate(&empty, &empty);
        assert_eq!((r.matched, r.article_f1, r.page_cer), (0, 1.0, 0.0));
        let blank = document(vec![article(None, &[]), article(Some(""), &["", ""])]);
        let r = evaluate(&blank, &blank);
        assert_eq!(r.matched, 2);
        let r = evaluate(&empty, &blank);
        assert_eq!(
            (r.pred_articles, r.article_precision, r.article_recall),
            (2, 0.0, 1.0)
        );
        let text = document(vec![article(Some("x"), &["abc"])]);
        let r = evaluate(&empty, &text);
        assert_eq!((r.page_edits, r.page_chars, r.page_cer), (5, 0, 1.0));
        let r = evaluate(&text, &empty);
        assert_eq!(
            (r.article_recall, r.article_f1, r.body_cer_all),
            (0.0, 0.0, 1.0)
        );
        let r = evaluate_many(&[]);
        assert_eq!((r.documents, r.page_cer_exact), (0, true));
        assert!(!r.to_table().is_empty());
    }

    #[test]
    fn page_cer_falls_back_per_article_when_too_large() {
        let gold = document(vec![
            article(Some("AB"), &["abcdefghij"]),
            article(None, &[BODIES[0]]),
        ]);
        // Articles swapped and one char wrong: the exact page distance is
        // large, the per-article approximation counts only the wrong char.
        let pred = document(vec![
            article(None, &[BODIES[0]]),
            article(Some("AB"), &["abcdefghiX"]),
        ]);
        let mut r = score_document_within(0, &gold, &pred, 0);
        r.finish();
        assert!(!r.page_cer_exact);
        assert_eq!((r.page_edits, r.page_chars), (1, 27));
        assert!(r.to_table().contains("approx."));
        let exact = evaluate(&gold, &pred);
        assert!(exact.page_cer_exact);
        assert!(exact.page_edits > 10);
    }

    #[test]
    fn report_round_trips_through_json_and_prints_a_table() {
        let gold = document(vec![article(Some("标题"), &["abcdefghij", "klmnopqrst"])]);
        let pred = document(vec![article(Some("标题"), &["abcdefghij", "klmnopqrsX"])]);
        let r = evaluate(&gold, &pred);
        let json = serde_json::to_string(&r).unwrap();
        let back: Report = serde_json::from_str(&json).unwrap();
        assert_eq!(back, r);
        let table = r.to_table();
        assert!(table.contains("articles         gold 1  pred 1  matched 1"));
        assert!(table.contains("page CER         4.17% (1/24)"));
        assert!(table.contains("headline         1.000 (1/1)"));
        assert!(table.contains("worst matched (body CER):\n  gold 0 = pred 0  4.76%  标题"));
    }
}
