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
    let headlines: Vec<&str> = doc
        .articles
        .iter()
        .filter_map(|a| a.headline.as_deref())
        .collect();
    assert_eq!(
        headlines,
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
