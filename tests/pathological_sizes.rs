//! Pathological sizes through the library (issue 15, finding 2): a dump
//! that lost its form feeds, and one enormous line. Both used to take time
//! growing with the square of their size (a 4 MB Chinese line ran for
//! 107 s). These tests check what must hold whatever the speed: the input
//! is laid out in bounded windows, and no text is lost on the way. The size
//! curve itself is measured by `scripts/bench-sizes` (tests never time
//! anything).

use newsclip::model::Document;
use newsclip::pipeline::process_dump_text;

/// Every CJK letter of `text`, in order: what must survive the pipeline
/// whatever reflow did to spaces and line ends.
fn cjk_letters(text: &str) -> String {
    text.chars()
        .filter(|c| newsclip::script::is_cjk_letter(*c))
        .collect()
}

/// All article text of a document: headlines, bodies and the rest.
fn document_letters(doc: &Document) -> String {
    let mut out = String::new();
    for a in &doc.articles {
        for t in [&a.kicker, &a.headline, &a.subheadline]
            .into_iter()
            .flatten()
        {
            out.push_str(t);
        }
        if let Some(b) = &a.byline {
            out.push_str(&b.raw);
        }
        // The dateline (`本报讯`) is printed where the body starts.
        if let Some(d) = &a.dateline {
            out.push_str(d);
        }
        for b in &a.body {
            out.push_str(&b.text);
        }
        if let Some(t) = &a.source_tag {
            out.push_str(t);
        }
        for c in &a.captions {
            out.push_str(&c.text);
        }
    }
    for f in &doc.furniture {
        out.push_str(&f.text);
    }
    cjk_letters(&out)
}

/// Asserts two letter sequences are equal, showing where they part (the
/// texts are too long to print whole).
fn assert_same_letters(got: &str, want: &str) {
    if got == want {
        return;
    }
    let (g, w): (Vec<char>, Vec<char>) = (got.chars().collect(), want.chars().collect());
    let at = g.iter().zip(&w).take_while(|(a, b)| a == b).count();
    let show = |v: &[char]| {
        v[at.saturating_sub(10)..(at + 30).min(v.len())]
            .iter()
            .collect::<String>()
    };
    panic!(
        "letters differ at {at} (got {} letters, want {}): got …{}…, want …{}…",
        g.len(),
        w.len(),
        show(&g),
        show(&w)
    );
}

/// A deterministic stream of common Chinese characters (no punctuation).
fn letters(n: usize, seed: u32) -> String {
    const POOL: &str = "的一是在不了有和人这中大为上个国我以要他时来用们生到作地于出就分对成会可主发年动同工也能下过子说产种面而方后多定行学法所民得经十三之进着等部度家电力里如水化高自二理起小物现实加量都两体制机当使点从业本去把性好应开它合还因由其些然前外天政四日那社义事平形相全表间样与关各重新线内数正心反你明看原又么利比或但质气第向道命此变条只没结解问意建月公无系军很情者最立";
    let pool: Vec<char> = POOL.chars().collect();
    let mut state = seed.wrapping_mul(2_654_435_761).max(1);
    (0..n)
        .map(|_| {
            // xorshift: fixed output, no dependency.
            state ^= state << 13;
            state ^= state >> 17;
            state ^= state << 5;
            pool[state as usize % pool.len()]
        })
        .collect()
}

#[test]
fn one_line_of_a_million_characters_loses_nothing() {
    // About 3 MB of UTF-8 on one line, with openers inside it (the glued
    // headline search looked at every position of such a line).
    let line = format!(
        "{}本报讯{}新华社北京电{}。",
        letters(300_000, 7),
        letters(300_000, 8),
        letters(400_000, 9)
    );
    let doc = process_dump_text(&line, "long-line.txt").expect("a long line is a dump");
    assert_same_letters(&document_letters(&doc), &cjk_letters(&line));
}

#[test]
fn a_page_without_form_feeds_is_laid_out_in_windows_and_loses_nothing() {
    // 30,000 lines: 6,000 paragraphs of four 16-character lines and a
    // blank line, with a headline every 50 paragraphs. Far more than a
    // printed page holds.
    let mut text = String::new();
    for p in 0..6000u32 {
        if p % 50 == 0 {
            text.push_str(&letters(9, p + 1));
            text.push_str("\n\n");
        }
        for l in 0..4 {
            text.push_str(&letters(16, p * 4 + l + 100_000));
            text.push_str(if l == 3 { "。\n" } else { "\n" });
        }
        text.push('\n');
    }
    let lines = text.matches('\n').count();
    assert!(lines > 2 * newsclip::extract::dump::MAX_WINDOW_LINES);
    let doc = process_dump_text(&text, "no-form-feeds.txt").expect("a dump");
    assert!(
        doc.warnings.iter().any(|w| w.code == "page-windowed"),
        "the windows are reported: {:?}",
        doc.warnings
    );
    assert_same_letters(&document_letters(&doc), &cjk_letters(&text));
    // Ids stay unique and in order on the one page.
    let ids: Vec<&str> = doc.articles.iter().map(|a| a.id.as_str()).collect();
    let expected: Vec<String> = (1..=ids.len()).map(|n| format!("p1-a{n}")).collect();
    assert_eq!(ids, expected);
}
