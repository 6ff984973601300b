//! The kinds of article failure, counted per document, so that progress on
//! segmentation shows where it is and not only how much.
//!
//! Contract: input is a gold and a predicted [`Document`] and the one-to-one
//! matching of their articles that [`super::evaluate`] found; output is a
//! [`Failures`] count. Text is compared through character 4-grams, so that a
//! failure kind does not hinge on the OCR quality of the text:
//! - `lost`: a gold article of which no predicted article holds a fair part
//!   (a third of its 4-grams);
//! - `split`: a gold article whose text is spread over two or more predicted
//!   articles, each mostly made of it;
//! - `merged`: a predicted article holding most of two or more gold articles;
//! - `wrong_pairing`: a matched pair whose predicted headline is the headline
//!   of another gold article (a headline over its neighbour's text);
//! - `wrong_role`: a matched pair with a headline, kicker or subtitle that
//!   differs from gold in any other way (a deck read as the headline, a
//!   paragraph's last line promoted to one);
//! - `furniture_leaked`: gold furniture lines (masthead, folio, running
//!   heads) found inside predicted articles.

use std::collections::HashSet;

use serde::{Deserialize, Serialize};

use crate::model::{Article, Document};

/// Counts of each failure kind.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Failures {
    pub split: usize,
    pub merged: usize,
    pub wrong_pairing: usize,
    pub lost: usize,
    pub furniture_leaked: usize,
    pub wrong_role: usize,
}

impl Failures {
    pub fn add(&mut self, o: &Failures) {
        self.split += o.split;
        self.merged += o.merged;
        self.wrong_pairing += o.wrong_pairing;
        self.lost += o.lost;
        self.furniture_leaked += o.furniture_leaked;
        self.wrong_role += o.wrong_role;
    }

    pub fn total(&self) -> usize {
        self.split
            + self.merged
            + self.wrong_pairing
            + self.lost
            + self.furniture_leaked
            + self.wrong_role
    }

    /// One line: `split 1  merged 0  ...`.
    pub fn summary(&self) -> String {
        format!(
            "split {}  merged {}  wrong pairing {}  lost {}  furniture leaked {}  wrong role {}",
            self.split,
            self.merged,
            self.wrong_pairing,
            self.lost,
            self.furniture_leaked,
            self.wrong_role
        )
    }
}

/// A share of a gold article's 4-grams that shows it is in a predicted
/// article at all (OCR errors touch up to four 4-grams per wrong char).
const PRESENT: f64 = 1.0 / 3.0;
/// A part of a split: at least this share of the gold article's 4-grams.
const PART: f64 = 0.15;
/// A predicted article "mostly made of" one gold article.
const MOSTLY: f64 = 0.6;
/// A predicted article holds "most of" a gold article.
const MOST: f64 = 0.5;

fn grams(text: &str) -> HashSet<[char; 4]> {
    let chars: Vec<char> = text.chars().filter(|c| !c.is_whitespace()).collect();
    chars.windows(4).map(|w| [w[0], w[1], w[2], w[3]]).collect()
}

fn article_text(a: &Article) -> String {
    let mut t = String::new();
    for part in [&a.kicker, &a.headline, &a.subheadline]
        .into_iter()
        .flatten()
    {
        t.push_str(part);
        t.push('\n');
    }
    for b in &a.body {
        t.push_str(&b.text);
        t.push('\n');
    }
    for c in &a.captions {
        t.push_str(&c.text);
        t.push('\n');
    }
    t
}

fn norm(s: &Option<String>) -> String {
    s.as_deref()
        .unwrap_or("")
        .chars()
        .filter(|c| !c.is_whitespace())
        .collect()
}

/// Counts the failure kinds of one document pair. `gold_to_pred[g]` is the
/// predicted article matched with gold article `g`, if any.
pub fn count(gold: &Document, pred: &Document, gold_to_pred: &[Option<usize>]) -> Failures {
    let mut f = Failures::default();
    let gold_grams: Vec<HashSet<[char; 4]>> = gold
        .articles
        .iter()
        .map(|a| grams(&article_text(a)))
        .collect();
    let pred_grams: Vec<HashSet<[char; 4]>> = pred
        .articles
        .iter()
        .map(|a| grams(&article_text(a)))
        .collect();
    // shared[g][p]: 4-grams of gold g found in pred p.
    let shared: Vec<Vec<usize>> = gold_grams
        .iter()
        .map(|g| {
            pred_grams
                .iter()
                .map(|p| g.iter().filter(|x| p.contains(*x)).count())
                .collect()
        })
        .collect();
    // A short item shares many n-grams with any long text, so a part of
    // a split or a merged article is counted only where it is the best
    // match: the gold article most of a predicted one came from, the
    // predicted article holding most of a gold one.
    let best_source: Vec<Option<usize>> = (0..pred_grams.len())
        .map(|pi| {
            (0..gold_grams.len())
                .filter(|&gi| shared[gi][pi] > 0)
                .max_by_key(|&gi| shared[gi][pi])
        })
        .collect();
    let best_container: Vec<Option<usize>> = (0..gold_grams.len())
        .map(|gi| {
            (0..pred_grams.len())
                .filter(|&pi| shared[gi][pi] > 0)
                .max_by_key(|&pi| shared[gi][pi])
        })
        .collect();
    for (gi, g) in gold_grams.iter().enumerate() {
        if g.is_empty() {
            continue;
        }
        let of_gold = |pi: usize| shared[gi][pi] as f64 / g.len() as f64;
        let best = (0..pred_grams.len()).map(of_gold).fold(0.0, f64::max);
        if gold_to_pred.get(gi).copied().flatten().is_none() && best < PRESENT {
            f.lost += 1;
            continue;
        }
        let parts = (0..pred_grams.len())
            .filter(|&pi| {
                !pred_grams[pi].is_empty()
                    && of_gold(pi) >= PART
                    && shared[gi][pi] as f64 / pred_grams[pi].len() as f64 >= MOSTLY
                    && best_source[pi] == Some(gi)
            })
            .count();
        if parts >= 2 {
            f.split += 1;
        }
    }
    for (pi, p) in pred_grams.iter().enumerate() {
        if p.is_empty() {
            continue;
        }
        let held = gold_grams
            .iter()
            .enumerate()
            .filter(|(gi, g)| {
                !g.is_empty()
                    && shared[*gi][pi] as f64 / g.len() as f64 >= MOST
                    && best_container[*gi] == Some(pi)
            })
            .count();
        if held >= 2 {
            f.merged += 1;
        }
    }
    let gold_headlines: Vec<String> = gold.articles.iter().map(|a| norm(&a.headline)).collect();
    for (gi, pi) in gold_to_pred.iter().enumerate() {
        let Some(pi) = *pi else { continue };
        let (g, p) = (&gold.articles[gi], &pred.articles[pi]);
        let (gh, ph) = (norm(&g.headline), norm(&p.headline));
        if gh != ph {
            let other = gold_headlines
                .iter()
                .enumerate()
                .any(|(k, h)| k != gi && !h.is_empty() && *h == ph);
            if other {
                f.wrong_pairing += 1;
                continue;
            }
        }
        if gh != ph
            || norm(&g.kicker) != norm(&p.kicker)
            || norm(&g.subheadline) != norm(&p.subheadline)
        {
            f.wrong_role += 1;
        }
    }
    let pred_text: Vec<String> = pred
        .articles
        .iter()
        .map(|a| {
            article_text(a)
                .chars()
                .filter(|c| !c.is_whitespace())
                .collect()
        })
        .collect();
    for line in &gold.furniture {
        let t: String = line.text.chars().filter(|c| !c.is_whitespace()).collect();
        // Very short furniture (a page number) appears in text by chance.
        if t.chars().count() >= 4 && pred_text.iter().any(|p| p.contains(&t)) {
            f.furniture_leaked += 1;
        }
    }
    f
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{BodyItem, Furniture, FurnitureKind, Source};

    fn article(headline: Option<&str>, body: &[&str]) -> Article {
        Article {
            headline: headline.map(str::to_string),
            body: body.iter().map(|t| BodyItem::paragraph(*t)).collect(),
            ..Article::new(1, 1)
        }
    }

    fn doc(articles: Vec<Article>) -> Document {
        Document {
            source: Source {
                path: "x".into(),
                format: "pdf".into(),
                encoding: None,
            },
            articles,
            ..Document::new(Source {
                path: String::new(),
                format: String::new(),
                encoding: None,
            })
        }
    }

    const A: &str = "The council approved the budget after a long debate on roads.";
    const B: &str = "Schools will start later next year, the district said on Monday.";
    const C: &str = "A new bakery opened on Main Street with bread baked before dawn.";

    #[test]
    fn a_story_cut_in_two_is_split_and_two_stories_in_one_are_merged() {
        let gold = doc(vec![
            article(Some("Budget"), &[A, B]),
            article(Some("Bakery"), &[C]),
        ]);
        let pred = doc(vec![
            article(Some("Budget"), &[A]),
            article(None, &[B]),
            article(None, &[C]),
        ]);
        let f = count(&gold, &pred, &[Some(0), Some(2)]);
        assert_eq!(f.split, 1);
        assert_eq!(f.merged, 0);
        let pred = doc(vec![article(Some("Budget"), &[A, B, C])]);
        let f = count(&gold, &pred, &[Some(0), None]);
        assert_eq!(f.merged, 1);
        assert_eq!(f.lost, 0, "the bakery is inside the merged article");
    }

    #[test]
    fn a_headline_over_its_neighbours_text_is_wrong_pairing() {
        let gold = doc(vec![
            article(Some("Budget"), &[A]),
            article(Some("Bakery"), &[C]),
        ]);
        let pred = doc(vec![
            article(Some("Bakery"), &[A]),
            article(Some("Budget"), &[C]),
        ]);
        let f = count(&gold, &pred, &[Some(0), Some(1)]);
        assert_eq!(f.wrong_pairing, 2);
        assert_eq!(f.wrong_role, 0);
        let pred = doc(vec![
            article(Some("Budget vote"), &[A]),
            article(Some("Bakery"), &[C]),
        ]);
        let f = count(&gold, &pred, &[Some(0), Some(1)]);
        assert_eq!((f.wrong_pairing, f.wrong_role), (0, 1));
    }

    #[test]
    fn lost_articles_and_leaked_furniture_are_counted() {
        let mut gold = doc(vec![
            article(Some("Budget"), &[A]),
            article(Some("Bakery"), &[C]),
        ]);
        gold.furniture.push(Furniture {
            page: 1,
            kind: FurnitureKind::RunningHead,
            text: "THE DAILY NEWS".into(),
        });
        let pred = doc(vec![article(Some("THE DAILY NEWS Budget"), &[A])]);
        let f = count(&gold, &pred, &[Some(0), None]);
        assert_eq!(f.lost, 1);
        assert_eq!(f.furniture_leaked, 1);
    }
}
