//! The reference text dump: one page of a Chinese local daily, read from
//! `../shared/corpus/zh/weidu-page-dump.txt`. The expectations are those of
//! issue 2: seven articles with their headlines, kickers, bylines, source
//! tags, the feature's sections and caption, and the photo-news item.

use std::path::PathBuf;

use newsclip::model::{Article, ArticleKind, BodyKind, Document};
use newsclip::pipeline::{process_dump_bytes, Options};

fn weidu() -> Document {
    let path =
        PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../shared/corpus/zh/weidu-page-dump.txt");
    let bytes = std::fs::read(&path).unwrap_or_else(|e| {
        panic!(
            "{}: {e} (the shared corpus must sit beside the repo)",
            path.display()
        )
    });
    process_dump_bytes(&bytes, "weidu-page-dump.txt", &Options::default())
        .expect("the page processes")
}

fn by_headline<'a>(doc: &'a Document, headline: &str) -> &'a Article {
    doc.articles
        .iter()
        .find(|a| a.headline.as_deref() == Some(headline))
        .unwrap_or_else(|| {
            panic!(
                "no article headed {headline}; got {:?}",
                doc.articles.iter().map(|a| &a.headline).collect::<Vec<_>>()
            )
        })
}

fn names(v: &[String]) -> Vec<&str> {
    v.iter().map(String::as_str).collect()
}

#[test]
fn seven_articles_in_reading_order() {
    let doc = weidu();
    assert_eq!(
        doc.articles.len(),
        7,
        "{:#?}",
        doc.articles
            .iter()
            .map(|a| (&a.headline, a.body.len()))
            .collect::<Vec<_>>()
    );
    let first_paragraphs: Vec<String> = doc
        .articles
        .iter()
        .map(|a| {
            a.body
                .iter()
                .find(|b| b.kind == BodyKind::Paragraph)
                .map(|b| b.text.chars().take(6).collect())
                .unwrap_or_default()
        })
        .collect();
    assert_eq!(
        first_paragraphs,
        [
            "1月9日下午",
            "1月6日，魏",
            "“这一片地势",
            "1月6日，河",
            "“想不到我丢",
            "岁序更替，华",
            "1月9日，结"
        ]
    );
}

#[test]
fn the_two_meetings_carry_their_source_tag() {
    let doc = weidu();
    let a = &doc.articles[0];
    assert!(a
        .headline
        .as_deref()
        .is_some_and(|h| h.contains("何长成主持召开2023年") && h.contains("重点工作落实推进会")));
    assert_eq!(a.source_tag.as_deref(), Some("（魏宣）"));
    // The column break inside `要抓好安全 / 生产` does not split the paragraph.
    assert!(a
        .body
        .iter()
        .any(|b| b.text.contains("要抓好安全生产，严格落实")));
    let b = by_headline(&doc, "魏都区召开社会救助工作专题会议");
    assert_eq!(b.source_tag.as_deref(), Some("（魏宣）"));
    assert!(b
        .body
        .last()
        .is_some_and(|p| p.text.ends_with("暖的春节。")));
}

#[test]
fn headline_printed_after_its_body_with_kicker_and_byline() {
    let doc = weidu();
    let a = by_headline(&doc, "聚焦人居环境整治 争创“生态宜居星”");
    assert_eq!(a.kicker.as_deref(), Some("金湾社区"));
    let byline = a.byline.as_ref().expect("byline");
    assert_eq!(names(&byline.reporters), ["孙江锋"]);
    assert_eq!(names(&byline.correspondents), ["王妍娜"]);
    assert!(a.body[0].text.starts_with("“这一片地势较低"));
    assert!(a
        .body
        .last()
        .is_some_and(|p| p.text.ends_with("王小五说。")));
}

#[test]
fn openers_become_dateline_and_byline() {
    let doc = weidu();
    for (headline, correspondent, first) in [
        (
            "世纪通讯与优前通信签署战略合作协议",
            "丁姜岚",
            "1月6日，河南世纪通讯设备有限公司（以下简称世纪通讯）与",
        ),
        (
            "环卫工人拾金不昧 好人好事温暖人心",
            "石娜丽",
            "“想不到我丢失的手机，能够顺利找回。",
        ),
    ] {
        let a = by_headline(&doc, headline);
        assert_eq!(a.dateline.as_deref(), Some("本报讯"));
        let byline = a.byline.as_ref().expect("byline");
        assert_eq!(names(&byline.reporters), ["许廷合"]);
        assert_eq!(names(&byline.correspondents), [correspondent]);
        assert!(a.body[0].text.starts_with(first), "{}", a.body[0].text);
    }
    // `...联系` / blank / `上。` / `张先生...`: joined across the column break,
    // and a new paragraph starts with no blank line.
    let a = by_headline(&doc, "环卫工人拾金不昧 好人好事温暖人心");
    assert!(a
        .body
        .iter()
        .any(|b| b.text.ends_with("她终于与失主联系上。")));
    assert!(a.body.iter().any(|b| b.text.starts_with("张先生告诉记者")));
}

#[test]
fn feature_with_subtitle_sections_displaced_body_and_caption() {
    let doc = weidu();
    let a = by_headline(&doc, "凝心聚力担使命 奋楫扬帆开新局");
    assert_eq!(a.subheadline.as_deref(), Some("——2022年魏都区党建工作综述"));
    let byline = a.byline.as_ref().expect("byline");
    assert_eq!(names(&byline.reporters), ["许廷合"]);
    assert_eq!(names(&byline.correspondents), ["李玎"]);
    let subs: Vec<(usize, &str)> = a
        .body
        .iter()
        .enumerate()
        .filter(|(_, b)| b.kind == BodyKind::Subheading)
        .map(|(i, b)| (i, b.text.as_str()))
        .collect();
    assert_eq!(
        subs.iter().map(|s| s.1).collect::<Vec<_>>(),
        [
            "聚焦凝心铸魂 忠诚维护核心的思想根基更加牢固",
            "坚持选贤任能 干部人才队伍创新创造活力持续迸发",
            "夯实基层基础 治理体系和治理能力现代化水平不断提升"
        ]
    );
    // The third section's text, printed before the headline, sits under it.
    let third = &a.body[subs[2].0 + 1];
    assert!(third.text.starts_with("党的二十大指出"), "{}", third.text);
    assert!(a
        .body
        .last()
        .is_some_and(|p| p.text.ends_with("奋力开创城市基层党建工作新局面。")));
    assert_eq!(a.captions.len(), 1);
    assert_eq!(a.captions[0].credit.as_deref(), Some("许廷合"));
    assert!(a.captions[0].text.ends_with("召开议事会。"));
}

#[test]
fn photo_news_item() {
    let doc = weidu();
    let a = doc.articles.last().expect("articles");
    assert_eq!(a.kind, ArticleKind::Photo);
    assert_eq!(a.headline, None);
    assert_eq!(
        names(&a.byline.as_ref().expect("credit").photographers),
        ["许廷合"]
    );
    assert!(a.body[0].text.contains("智慧阅读空间恢复开放"));
}

#[test]
fn clean_text_whole_paragraphs() {
    let doc = weidu();
    for a in &doc.articles {
        // Sub-headings keep the deliberate gap between their halves.
        for b in a.body.iter().filter(|b| b.kind == BodyKind::Paragraph) {
            let chars: Vec<char> = b.text.chars().collect();
            for w in chars.windows(3) {
                let cjk = |c: char| newsclip::script::is_cjk(c);
                assert!(
                    !(w[1] == ' ' && (cjk(w[0]) || cjk(w[2]))),
                    "space inside CJK text: {}",
                    b.text
                );
            }
            // A paragraph cut at a column break would end mid-sentence.
            assert!(
                newsclip::script::ends_sentence(&b.text),
                "paragraph ends mid-sentence: {}",
                b.text
            );
        }
    }
}
