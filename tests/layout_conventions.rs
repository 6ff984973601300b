//! One page per layout convention (`fixtures/conventions/`): the articles
//! come out whole, each under its own headline.

use std::path::PathBuf;

use newsclip::pipeline::{process_bytes, Options};

fn fixture(name: &str) -> (String, Vec<u8>) {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("fixtures/conventions")
        .join(name);
    let bytes = std::fs::read(&path).expect("fixture");
    (path.display().to_string(), bytes)
}

fn headlines(doc: &newsclip::model::Document) -> Vec<&str> {
    doc.articles
        .iter()
        .filter_map(|a| a.headline.as_deref())
        .collect()
}

fn body_text(a: &newsclip::model::Article) -> String {
    a.body
        .iter()
        .map(|b| b.text.as_str())
        .collect::<Vec<_>>()
        .join("")
}

/// Vertical headlines govern the columns beside them, on either side; the
/// horizontal headline under the rule keeps its own text.
#[test]
fn vertical_headlines_head_the_text_beside_them() {
    let (path, bytes) = fixture("vertical-headlines.pdf");
    let doc = process_bytes(&bytes, &path, &Options::default()).expect("processes");
    assert_eq!(
        headlines(&doc),
        ["温暖过冬有保障", "图书馆夜间开放", "城区新增公交线路三条"],
        "{:#?}",
        doc.articles
    );
    assert_eq!(doc.articles.len(), 3);
    // Each story's text is its own: the heating story three times, the
    // library story three times, then both in the third.
    let heating = body_text(&doc.articles[0]);
    let library = body_text(&doc.articles[1]);
    assert!(heating.starts_with("全市冬季供暖工作"), "{heating}");
    assert!(!heating.contains("图书馆"), "{heating}");
    assert_eq!(heating.matches("应保尽保").count(), 3, "{heating}");
    assert!(
        library.starts_with("市图书馆近日推出夜间开放服务"),
        "{library}"
    );
    assert!(!library.contains("供暖"), "{library}");
    assert_eq!(library.matches("丰富市民文化生活").count(), 3, "{library}");
}

/// A vertical headline in two lines with a smaller vertical deck between it
/// and the text: one display group, heading the text beside it.
#[test]
fn a_vertical_deck_belongs_to_its_headline() {
    let (path, bytes) = fixture("vertical-headline-with-deck.pdf");
    let doc = process_bytes(&bytes, &path, &Options::default()).expect("processes");
    assert_eq!(doc.articles.len(), 1, "{:#?}", doc.articles);
    let a = &doc.articles[0];
    // Vertical lines read right to left.
    assert_eq!(a.headline.as_deref(), Some("温暖过冬有保障 管网巡查不停歇"));
    assert_eq!(a.subheadline.as_deref(), Some("——市住建局全力保供暖"));
    assert!(body_text(a).starts_with("全市冬季供暖工作"));
}

/// A feature opening: the large headline keeps its text; the smaller
/// display type under it is its deck, not the headline.
#[test]
fn a_deck_under_a_large_headline_is_its_subtitle() {
    let (path, bytes) = fixture("magazine-deck.pdf");
    let doc = process_bytes(&bytes, &path, &Options::default()).expect("processes");
    assert_eq!(doc.articles.len(), 1, "{:#?}", doc.articles);
    let a = &doc.articles[0];
    assert_eq!(a.headline.as_deref(), Some("一条老街的 烟火与新生"));
    assert_eq!(
        a.subheadline.as_deref(),
        Some("老字号与新业态比邻而居，老街在改造中留住了人情味，也迎来了年轻的面孔。")
    );
    let byline = a.byline.as_ref().expect("a byline");
    assert_eq!(byline.authors, ["林晓"]);
    assert_eq!(byline.photographers, ["周航"]);
    assert!(body_text(a).starts_with("清晨六点"));
}

/// The texts of the two stories on a page, in output order, each with how
/// often a word of its own and a word of the other story occur.
fn two_stories(name: &str) -> Vec<(String, usize, usize, usize)> {
    let (path, bytes) = fixture(name);
    let doc = process_bytes(&bytes, &path, &Options::default()).expect("processes");
    doc.articles
        .iter()
        .map(|a| {
            let t = body_text(a);
            (
                a.headline.clone().unwrap_or_default(),
                t.chars().count(),
                t.matches("供暖").count(),
                t.matches("图书馆").count(),
            )
        })
        .collect()
}

/// The heating story comes first with at least `heating` characters and
/// none of the library story, the library story second with at least
/// `library` characters and none of the heating story.
fn assert_two_stories(name: &str, heating: usize, library: usize) {
    let stories = two_stories(name);
    assert_eq!(stories.len(), 2, "{stories:?}");
    let (head, chars, own, other) = &stories[0];
    assert_eq!(head, "全市供暖工作全面展开 新增面积惠及两万户");
    assert!(*chars >= heating && *other == 0 && *own >= 6, "{stories:?}");
    let (head, chars, other, own) = &stories[1];
    assert_eq!(head, "图书馆推出夜间开放服务");
    assert!(*chars >= library && *other == 0 && *own >= 9, "{stories:?}");
}

/// An L-shaped article keeps its long last column (846 characters set in
/// its three blocks); the article under its short columns keeps its own.
#[test]
fn an_l_shaped_article_keeps_its_long_column() {
    assert_two_stories("l-shape.pdf", 830, 530);
}

/// A picture inside an article's column does not cut the article (734
/// characters above, beside and under the picture).
#[test]
fn a_picture_inside_a_column_stays_in_its_article() {
    assert_two_stories("picture-in-column.pdf", 720, 470);
}

/// Text wrapped around a picture (short lines beside it) stays one article
/// (798 characters).
#[test]
fn text_wrapped_around_a_picture_stays_one_article() {
    assert_two_stories("wrap-around.pdf", 780, 470);
}

/// The nameplate's band (date, folio, editor) is furniture however tall
/// the nameplate; a two-line headline is one headline; a one-line
/// paragraph stays text.
#[test]
fn the_masthead_band_is_furniture_and_a_short_paragraph_text() {
    let (path, bytes) = fixture("masthead-band.pdf");
    let doc = process_bytes(&bytes, &path, &Options::default()).expect("processes");
    assert_eq!(
        headlines(&doc),
        [
            "全市供暖工作全面展开 新增面积惠及两万余户",
            "图书馆推出夜间开放服务"
        ],
        "{:#?}",
        doc.articles
    );
    assert_eq!(doc.articles.len(), 2);
    let furniture: Vec<&str> = doc.furniture.iter().map(|f| f.text.as_str()).collect();
    for band in ["临河晚报", "2023年1月10日星期二", "第4版", "本版责编李明"] {
        assert!(
            furniture.contains(&band),
            "{band} not furniture: {furniture:?}"
        );
    }
    let first = body_text(&doc.articles[0]);
    assert!(first.contains("有关负责人说。"), "{first}");
    assert!(!first.contains("图书馆"), "{first}");
}
