//! Reflow: body lines rejoined into whole paragraphs, display lines cleaned.
//!
//! Input: pages whose lines carry roles (from `layout`). Output: per page, a
//! list of [`Segment`]s in reading order: one per paragraph of running text
//! and one per non-body line (heading, byline, caption, credit, source tag,
//! furniture). Reflow does not decide article boundaries (that is `split`).
//!
//! Rules:
//! - Hard-wrapped lines are rejoined: CJK with nothing, Latin with a space.
//! - A blank line is not a paragraph break by itself: a line that does not
//!   end a sentence always runs on (a column break mid-sentence); a line
//!   that ends a sentence ends its paragraph when it is short (the column
//!   had room for more) or when the next line is indented (CJK paragraphs
//!   start two ems in, so their first line is short although it does not end
//!   a sentence); in Latin text, where the indent is lost, a blank line after
//!   a sentence end is a break.
//! - Justification spaces are removed (see
//!   [`script::remove_justification_spaces`]); display lines keep the single
//!   gap between a headline's halves.
//! - Latin line-end hyphens (`-`, and the Fraktur `⸗`): the hyphen is kept
//!   when the document itself prints the hyphenated compound elsewhere
//!   (`well-known`), or when the continuation starts with a capital letter
//!   or a digit (`Anglo-` `American`, `COVID-` `19`); it is dropped when the
//!   document prints the joined word, and by default, since most line-end
//!   hyphens are the typesetter's.
//! - Characters stay as printed: no full/half-width conversion.

use std::collections::HashSet;

use unicode_segmentation::UnicodeSegmentation;

use crate::model::{BBox, Page, Role};
use crate::script::{self, ends_sentence, text_width};

/// A paragraph or a display line, ready for `split`.
#[derive(Debug, Clone, PartialEq)]
pub struct Segment {
    pub role: Role,
    /// Clean text.
    pub text: String,
    /// Lines joined as for `text` but with the spaces as printed, for
    /// parsers that need word boundaries (names in an opener's byline).
    pub raw: String,
    pub page: u32,
    /// Source index of the first line.
    pub first_line: usize,
    /// A blank line (a new block) precedes it.
    pub gap_before: bool,
    pub bbox: Option<BBox>,
    /// Measure of the block it came from (ems for dumps).
    pub measure: Option<f32>,
    /// Layout put an article boundary before it (see `Block::starts_unit`).
    pub starts_unit: bool,
    /// The article region of the block it came from (`Block::region`).
    pub region: Option<u32>,
}

/// Hyphenation evidence gathered from a whole document.
#[derive(Debug, Default)]
pub struct Vocabulary {
    /// Lower-cased compounds printed with a hyphen inside a line.
    compounds: HashSet<String>,
    /// Lower-cased words printed whole.
    words: HashSet<String>,
}

impl Vocabulary {
    /// Collects the words and hyphenated compounds that stand inside lines.
    /// Only pages with Latin line-end hyphens need it; others are skipped.
    pub fn from_pages(pages: &[Page]) -> Vocabulary {
        Vocabulary::from_lines(
            pages
                .iter()
                .flat_map(|p| p.blocks.iter().flat_map(|b| b.lines.iter()))
                .map(|l| l.text.as_str()),
        )
    }

    /// The same from raw lines (a whole dump, before it is split into pages).
    pub fn from_lines<'a>(lines: impl Iterator<Item = &'a str> + Clone) -> Vocabulary {
        let wanted = Wanted::of(lines.clone());
        if wanted.is_empty() {
            return Vocabulary::default();
        }
        wanted.evidence(lines)
    }

    /// [`Vocabulary::from_lines`] over the lines of a whole dump, the
    /// evidence gathered from parts of it in parallel (on the current rayon
    /// pool). The same result: the evidence is a set union.
    pub fn from_text(text: &str) -> Vocabulary {
        Vocabulary::from_text_in_parts(text, EVIDENCE_CHUNK_BYTES)
    }

    fn from_text_in_parts(text: &str, part_bytes: usize) -> Vocabulary {
        use rayon::prelude::*;
        let wanted = Wanted::of(script::split_lines(text));
        if wanted.is_empty() {
            return Vocabulary::default();
        }
        line_chunks(text, part_bytes)
            .par_iter()
            .map(|chunk| wanted.evidence(script::split_lines(chunk)))
            .reduce(Vocabulary::default, |mut a, b| {
                a.words.extend(b.words);
                a.compounds.extend(b.compounds);
                a
            })
    }
}

/// Bytes of a dump per parallel part of the evidence search.
const EVIDENCE_CHUNK_BYTES: usize = 1 << 20;

/// `text` cut after line ends into parts of about `size` bytes (whole
/// lines each).
fn line_chunks(text: &str, size: usize) -> Vec<&str> {
    let mut chunks = Vec::with_capacity(text.len() / size.max(1) + 1);
    let mut rest = text;
    while rest.len() > size {
        let cut = rest.as_bytes()[size..]
            .iter()
            .position(|&b| b == b'\n')
            .map_or(rest.len(), |i| size + i + 1);
        let (chunk, after) = rest.split_at(cut);
        chunks.push(chunk);
        rest = after;
    }
    if !rest.is_empty() {
        chunks.push(rest);
    }
    chunks
}

/// The questions the evidence must answer: for each line-end hyphen, is
/// `left-right` or `leftright` printed elsewhere? Only those words are
/// looked for, so a long document costs a scan, not a dictionary.
struct Wanted {
    joined: HashSet<String>,
    compounds: HashSet<String>,
    /// `joined_lengths[n]`: some joined word has `n` characters (a cheap
    /// test before a token is lower-cased and looked up).
    joined_lengths: Vec<bool>,
}

impl Wanted {
    fn of<'a>(lines: impl Iterator<Item = &'a str>) -> Wanted {
        let mut joined: HashSet<String> = HashSet::new();
        let mut compounds: HashSet<String> = HashSet::new();
        let mut prev_fragment: Option<&str> = None;
        for line in lines {
            let t = line.trim();
            if t.is_empty() {
                continue;
            }
            if let Some(left) = prev_fragment.take() {
                let right_len = t
                    .char_indices()
                    .find(|(_, c)| !c.is_alphanumeric())
                    .map_or(t.len(), |(i, _)| i);
                let right = &t[..right_len];
                if !right.is_empty() {
                    joined.insert(format!("{left}{right}").to_lowercase());
                    compounds.insert(format!("{left}-{right}").to_lowercase());
                }
            }
            if let Some(cut) = line_end_hyphen(t) {
                let frag = t[cut..].trim_end_matches(['-', '⸗', '¬', '\u{ad}']);
                prev_fragment = Some(frag.trim_start_matches('-'));
            }
        }
        let mut joined_lengths = Vec::new();
        for w in &joined {
            let n = w.chars().count();
            if joined_lengths.len() <= n {
                joined_lengths.resize(n + 1, false);
            }
            joined_lengths[n] = true;
        }
        Wanted {
            joined,
            compounds,
            joined_lengths,
        }
    }

    fn is_empty(&self) -> bool {
        self.joined.is_empty()
    }

    /// The wanted words and compounds that `lines` print.
    fn evidence<'a>(&self, lines: impl Iterator<Item = &'a str>) -> Vocabulary {
        let mut v = Vocabulary::default();
        let mut lower = String::new();
        for line in lines {
            if !has_non_cjk_letter(line) {
                continue;
            }
            let text = match line_end_hyphen(line) {
                // The hyphenated fragment at the end is not evidence.
                Some(cut) => &line[..cut],
                None => line,
            };
            for token in word_runs(text) {
                // Only tokens as long as a wanted word are lower-cased; an
                // ASCII one in a buffer reused from token to token. A run
                // of ideographs alone is never wanted: every wanted word
                // holds the Latin letters before a line-end hyphen.
                if token.ideographs_only
                    || !self
                        .joined_lengths
                        .get(token.chars)
                        .copied()
                        .unwrap_or(false)
                {
                    continue;
                }
                let tok = token.text;
                let found = if token.ascii {
                    lower.clear();
                    lower.push_str(tok);
                    lower.make_ascii_lowercase();
                    self.joined.contains(lower.as_str())
                } else {
                    lower = tok.to_lowercase();
                    self.joined.contains(&lower)
                };
                if found && !v.words.contains(lower.as_str()) {
                    v.words.insert(lower.clone());
                }
            }
            // Hyphenated compounds inside the line, by Unicode word
            // boundaries (the hyphen is a boundary of its own).
            if text.contains(['-', '⸗']) {
                let tokens: Vec<&str> = text.split_word_bounds().collect();
                for w in tokens.windows(3) {
                    if matches!(w[1], "-" | "⸗")
                        && w[0].chars().all(char::is_alphanumeric)
                        && w[2].chars().all(char::is_alphanumeric)
                    {
                        let c = format!("{}-{}", w[0], w[2]).to_lowercase();
                        if self.compounds.contains(&c) {
                            v.compounds.insert(c);
                        }
                    }
                }
            }
        }
        v
    }
}

/// Does `line` hold a letter that is not CJK? Every wanted word and
/// compound holds one (the letter before a line-end hyphen, see
/// [`line_end_hyphen`]), and lower-casing maps such letters only to such
/// letters, so a line without one (most lines of a Chinese dump) holds no
/// evidence and is not tokenized.
fn has_non_cjk_letter(line: &str) -> bool {
    let b = line.as_bytes();
    let mut i = 0;
    while i < b.len() {
        let lead = b[i];
        if lead < 0x80 {
            if lead.is_ascii_alphabetic() {
                return true;
            }
            i += 1;
        } else if (0xE4..=0xE9).contains(&lead) {
            // U+4000-U+9FFF: CJK ideographs, or the hexagram symbols
            // (not letters).
            i += 3;
        } else {
            let c = line[i..].chars().next().unwrap_or(' ');
            if c.is_alphabetic() && !script::is_cjk(c) {
                return true;
            }
            i += c.len_utf8();
        }
    }
    false
}

/// A maximal run of word characters ([`is_word_char`]) in a line, with
/// what the evidence search asks of it, measured in the same pass.
struct WordRun<'a> {
    text: &'a str,
    chars: usize,
    ascii: bool,
    ideographs_only: bool,
}

/// The maximal runs of word characters of `text`, in order: the tokens of
/// `text.split(|c| !is_word_char(c))` that are not empty, each measured
/// while it is found rather than scanned again.
fn word_runs(text: &str) -> impl Iterator<Item = WordRun<'_>> {
    let mut chars = text.char_indices();
    std::iter::from_fn(move || {
        let (start, first) = chars.by_ref().find(|&(_, c)| is_word_char(c))?;
        let mut run = WordRun {
            text: "",
            chars: 1,
            ascii: first.is_ascii(),
            ideographs_only: is_common_ideograph(first),
        };
        let mut end = text.len();
        for (i, c) in chars.by_ref() {
            if !is_word_char(c) {
                end = i;
                break;
            }
            run.chars += 1;
            run.ascii &= c.is_ascii();
            run.ideographs_only &= is_common_ideograph(c);
        }
        run.text = &text[start..end];
        Some(run)
    })
}

/// The CJK Unified Ideographs block, nearly all of a Chinese dump.
fn is_common_ideograph(c: char) -> bool {
    ('\u{4e00}'..='\u{9fff}').contains(&c)
}

/// `c.is_alphanumeric()`, answered without a table look-up for ASCII and
/// the CJK Unified Ideographs block (all letters), which make up nearly
/// all of a dump.
fn is_word_char(c: char) -> bool {
    if c.is_ascii() {
        c.is_ascii_alphanumeric()
    } else {
        is_common_ideograph(c) || c.is_alphanumeric()
    }
}

/// If the line ends with a hyphen after a letter, the byte offset where the
/// hyphenated word fragment starts.
fn line_end_hyphen(text: &str) -> Option<usize> {
    let t = text.trim_end();
    let last = t.chars().last()?;
    if !matches!(last, '-' | '⸗' | '¬' | '\u{ad}') {
        return None;
    }
    let body = &t[..t.len() - last.len_utf8()];
    let before = body.chars().last()?;
    if !before.is_alphabetic() || script::is_cjk(before) {
        return None;
    }
    let start = body
        .char_indices()
        .rev()
        .take_while(|(_, c)| c.is_alphabetic() || *c == '-')
        .last()
        .map(|(i, _)| i)
        .unwrap_or(0);
    Some(start)
}

/// Joins a line-end hyphenated word with the next line; returns the joined
/// text for the two lines' shared word boundary.
fn join_hyphenated(left: &str, right: &str, vocab: &Vocabulary) -> String {
    let t = left.trim_end();
    let hyphen = t.chars().last().unwrap_or('-');
    let stem = &t[..t.len() - hyphen.len_utf8()];
    let left_word: String = stem
        .chars()
        .rev()
        .take_while(|c| c.is_alphabetic())
        .collect::<Vec<_>>()
        .into_iter()
        .rev()
        .collect();
    let right_word: String = right.chars().take_while(|c| c.is_alphanumeric()).collect();
    let compound = format!("{}-{}", left_word, right_word).to_lowercase();
    let joined = format!("{}{}", left_word, right_word).to_lowercase();
    let starts_upper_or_digit = right
        .chars()
        .next()
        .is_some_and(|c| c.is_uppercase() || c.is_ascii_digit());
    let keep = if vocab.compounds.contains(&compound) {
        true
    } else if vocab.words.contains(&joined) {
        false
    } else {
        // German nouns are capitalised, so for `⸗` a capital continuation
        // is no evidence of a compound.
        starts_upper_or_digit
            && !(hyphen == '⸗' && left_word.chars().next().is_some_and(char::is_uppercase))
    };
    let visible = if hyphen == '¬' || hyphen == '\u{ad}' {
        '-'
    } else {
        hyphen
    };
    if keep {
        format!("{stem}{visible}{right}")
    } else {
        format!("{stem}{right}")
    }
}

/// Appends a line to a paragraph being built, with the right joiner.
fn append_line(par: &mut String, line: &str, vocab: &Vocabulary) {
    if par.is_empty() {
        par.push_str(line);
        return;
    }
    if line_end_hyphen(par).is_some() && line.chars().next().is_some_and(char::is_alphanumeric) {
        let trimmed_len = par.trim_end().len();
        // Rebuild only the tail: the hyphen sits at the end of `par`.
        let tail_start = par[..trimmed_len]
            .char_indices()
            .rev()
            .find(|(_, c)| c.is_whitespace())
            .map(|(i, c)| i + c.len_utf8())
            .unwrap_or(0);
        let joined = join_hyphenated(&par[tail_start..trimmed_len], line, vocab);
        par.truncate(tail_start);
        par.push_str(&joined);
        return;
    }
    if script::needs_space_between(par, line) {
        par.push(' ');
    }
    par.push_str(line);
}

struct Flow<'a> {
    text: &'a str,
    /// First line of a block that starts an article unit.
    unit_start: bool,
    region: Option<u32>,
    bbox: Option<BBox>,
    role: Role,
    block: usize,
    measure: Option<f32>,
    first_line: usize,
    width: f32,
    cjk: bool,
    /// How far the line starts right of its block's left edge, in ems
    /// (lines with geometry only).
    indent: Option<f32>,
}

/// Reflows one page; see the module doc.
pub fn reflow_page(page: &Page, vocab: &Vocabulary) -> Vec<Segment> {
    let mut flow: Vec<Flow> = Vec::new();
    for (b, block) in page.blocks.iter().enumerate() {
        for (n, line) in block.lines.iter().enumerate() {
            // Layout measured the line; the script decision only needs the
            // characters at the seams (CJK rules apply next to CJK text).
            let width = line
                .width
                .unwrap_or_else(|| script::line_shape(&line.text).0);
            let cjk = line.text.chars().next_back().is_some_and(script::is_cjk)
                || line.text.chars().next().is_some_and(script::is_cjk);
            flow.push(Flow {
                text: &line.text,
                unit_start: block.starts_unit && n == 0,
                region: block.region,
                bbox: line.bbox,
                role: line.role,
                block: b,
                measure: block.measure,
                first_line: line.source_index,
                width,
                cjk,
                indent: match (line.bbox, block.bbox, line.font_size) {
                    (Some(l), Some(bb), Some(size)) if size > 0.0 => Some((l.x0 - bb.x0) / size),
                    _ => None,
                },
            });
        }
    }
    let shape: Vec<(f32, f32, &str)> = flow
        .iter()
        .filter(|f| f.role == Role::Body && f.cjk)
        .map(|f| (f.width, f.measure.unwrap_or(f.width), f.text))
        .collect();
    let indented = crate::layout::dump::paragraphs_indented(&shape);
    let mut out: Vec<Segment> = Vec::new();
    let mut par = String::new();
    let mut par_start: Option<usize> = None;
    let flush =
        |par: &mut String, start: &mut Option<usize>, out: &mut Vec<Segment>, end: usize| {
            if let Some(s) = start.take() {
                let raw = std::mem::take(par);
                let f: &Flow = &flow[s];
                let bbox = BBox::union_all(
                    flow[s..end]
                        .iter()
                        .filter(|f| f.role == Role::Body)
                        .filter_map(|f| f.bbox.as_ref()),
                );
                out.push(Segment {
                    role: Role::Body,
                    text: script::remove_justification_spaces(&raw),
                    raw,
                    page: page.number,
                    first_line: f.first_line,
                    gap_before: s == 0 || flow[s - 1].block != f.block,
                    bbox,
                    measure: f.measure,
                    starts_unit: f.unit_start,
                    region: f.region,
                });
            }
        };
    for i in 0..flow.len() {
        let f = &flow[i];
        if f.role != Role::Body {
            flush(&mut par, &mut par_start, &mut out, i);
            let text = match f.role {
                Role::Heading | Role::Subtitle | Role::Kicker | Role::Subheading => {
                    script::normalize_display_line(f.text)
                }
                _ => script::remove_justification_spaces(f.text),
            };
            out.push(Segment {
                role: f.role,
                text,
                raw: f.text.split_whitespace().collect::<Vec<_>>().join(" "),
                page: page.number,
                first_line: f.first_line,
                gap_before: i == 0 || flow[i - 1].block != f.block,
                bbox: f.bbox,
                measure: f.measure,
                starts_unit: f.unit_start,
                region: f.region,
            });
            continue;
        }
        if par_start.is_some()
            && i > 0
            && (f.unit_start
                || (flow[i - 1].role == Role::Body && paragraph_breaks(&flow[i - 1], f, indented)))
        {
            flush(&mut par, &mut par_start, &mut out, i);
        }
        if par_start.is_none() {
            par_start = Some(i);
        }
        append_line(&mut par, f.text, vocab);
    }
    flush(&mut par, &mut par_start, &mut out, flow.len());
    out
}

/// Does a paragraph end between body lines `a` and `b`? See the module doc.
fn paragraph_breaks(a: &Flow, b: &Flow, indented: bool) -> bool {
    // A source tag closes its article, so its paragraph too.
    if crate::layout::cues::trailing_source_tag(a.text).is_some() {
        return true;
    }
    if !ends_sentence(a.text) {
        return false;
    }
    // An opener (`本报讯（…）`, `CITY — `) always starts a story's first
    // paragraph.
    if crate::layout::cues::opener(b.text).is_some() {
        return true;
    }
    let blank = a.block != b.block;
    let m = a.measure.unwrap_or(a.width);
    if a.cjk {
        let a_full = a.width >= m - 1.25;
        let bm = b.measure.unwrap_or(m);
        let b_indented = b.width <= bm - 1.25;
        // Without indents, a blank line after a sentence end is the only
        // sign left of a paragraph break at a full line.
        !a_full || if indented { b_indented } else { blank }
    } else {
        let next_word = b
            .text
            .split_whitespace()
            .next()
            .map(text_width)
            .unwrap_or(2.0);
        let a_full = a.width + 0.5 + next_word > m - (0.08 * m).max(1.0);
        // With geometry, a first-line indent marks the break even after a
        // full line.
        let b_indented = b.indent.is_some_and(|i| i >= 0.6);
        !a_full || blank || b_indented
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::extract::dump::pages_from_text;
    use crate::layout::dump::assign_roles;

    fn paragraphs(text: &str) -> Vec<String> {
        let mut pages = pages_from_text(text);
        for p in pages.iter_mut() {
            assign_roles(p);
        }
        let vocab = Vocabulary::from_pages(&pages);
        reflow_page(&pages[0], &vocab)
            .into_iter()
            .filter(|s| s.role == Role::Body)
            .map(|s| s.text)
            .collect()
    }

    #[test]
    fn lines_without_a_non_cjk_letter_are_told_by_their_bytes() {
        for c in (0..=0x10FFFFu32).filter_map(char::from_u32) {
            let line = format!("中{c}1");
            assert_eq!(
                has_non_cjk_letter(&line),
                c.is_alphabetic() && !script::is_cjk(c),
                "U+{:04X}",
                c as u32
            );
        }
    }

    #[test]
    fn word_runs_are_the_split_tokens_measured() {
        let text = "Ab-cd 中文abc，ÉTÉ 12 日本語 x\u{3000}y 中文";
        let split: Vec<&str> = text
            .split(|c: char| !is_word_char(c))
            .filter(|t| !t.is_empty())
            .collect();
        let runs: Vec<WordRun> = word_runs(text).collect();
        assert_eq!(runs.iter().map(|r| r.text).collect::<Vec<_>>(), split);
        for r in &runs {
            assert_eq!(r.chars, r.text.chars().count(), "{}", r.text);
            assert_eq!(r.ascii, r.text.is_ascii(), "{}", r.text);
            assert_eq!(
                r.ideographs_only,
                r.text.chars().all(is_common_ideograph),
                "{}",
                r.text
            );
        }
    }

    #[test]
    fn column_break_mid_sentence_is_joined() {
        let p = paragraphs(
            "全区各部门要抓好经济运行，紧\n盯各项指标，同步抓好政策落实\n\n工作，严格落实各项措施，加大\n检查力度，消除各类隐患。\n",
        );
        assert_eq!(p.len(), 1, "{p:?}");
        assert!(p[0].contains("同步抓好政策落实工作，严格"));
    }

    #[test]
    fn short_sentence_end_starts_new_paragraph_without_blank() {
        let p = paragraphs(
            "她等了近两个小时，最终与失主联\n\n系上。\n张先生告诉记者，手机里有很多\n重要信息，真心感谢孙大姐拾金\n不昧的高尚品质。\n",
        );
        assert_eq!(p.len(), 2, "{p:?}");
        assert!(p[0].ends_with("联系上。"));
    }

    #[test]
    fn latin_hyphens_follow_document_evidence() {
        let p = paragraphs(
            "The well-known author gave infor-\nmation to a well-\nknown council about long-\nterm plans and the state-run\nfactory, a long-term project.\n",
        );
        assert_eq!(
            p[0],
            "The well-known author gave information to a well-known council about long-term plans and the state-run factory, a long-term project."
        );
    }

    #[test]
    fn word_char_shortcut_agrees_with_unicode() {
        for c in ('\0'..='\u{ffff}').chain('\u{20000}'..='\u{20fff}') {
            assert_eq!(is_word_char(c), c.is_alphanumeric(), "{c:?}");
        }
    }

    #[test]
    fn evidence_in_parts_is_the_evidence_of_the_whole() {
        // Hyphen evidence far from the hyphens, across part boundaries.
        let mut text = String::from("a well-\nknown and infor-\nmation, the Straße-\nbahn\n");
        for i in 0..200 {
            text.push_str(&format!(
                "line {i}: information well-known 中文行 Straßebahn\n"
            ));
        }
        let sorted = |s: &HashSet<String>| {
            let mut v: Vec<String> = s.iter().cloned().collect();
            v.sort();
            v
        };
        let whole = Vocabulary::from_lines(text.split('\n'));
        assert_eq!(sorted(&whole.words), ["information", "straßebahn"]);
        assert_eq!(sorted(&whole.compounds), ["well-known"]);
        for part in [1, 7, 100, 1 << 20] {
            let parts = Vocabulary::from_text_in_parts(&text, part);
            assert_eq!(
                sorted(&parts.words),
                sorted(&whole.words),
                "parts of {part}"
            );
            assert_eq!(sorted(&parts.compounds), sorted(&whole.compounds));
        }
        let chunks = line_chunks(&text, 100);
        assert_eq!(chunks.concat(), text);
        assert!(chunks.iter().all(|c| c.ends_with('\n')));
    }

    #[test]
    fn fraktur_hyphen_joins_lowercase_continuation() {
        let p = paragraphs("Die Verhandlungen über die Rechts⸗\nverhältniſſe des Reiches sind nun\nendlich geordnet worden und bleiben.\n");
        assert!(p[0].contains("die Rechtsverhältniſſe des"), "{p:?}");
    }
}
