//! `newsclip debug`: the overlay images and facts through the real binary,
//! and the overlay's drawing through the library.

use std::fs;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use image::{Rgb, RgbImage};
use newsclip::debug;
use newsclip::model::{BBox, Block, Line, Page, Region, RegionKind, Role};
use newsclip::pipeline;
use serde_json::Value;

fn bin() -> Command {
    Command::new(env!("CARGO_BIN_EXE_newsclip"))
}

fn fixture(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join(name)
}

fn run_debug(inputs: &[&Path], out: &Path) -> Output {
    bin()
        .arg("debug")
        .args(inputs)
        .arg("-o")
        .arg(out)
        .output()
        .expect("the binary runs")
}

fn files_with_extension(dir: &Path, ext: &str) -> Vec<PathBuf> {
    let mut found: Vec<PathBuf> = fs::read_dir(dir)
        .map(|d| {
            d.filter_map(|e| e.ok().map(|e| e.path()))
                .filter(|p| p.extension().is_some_and(|e| e == ext))
                .collect()
        })
        .unwrap_or_default();
    found.sort();
    found
}

fn read_json(path: &Path) -> Value {
    let bytes = fs::read(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    serde_json::from_slice(&bytes).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

#[test]
fn pdf_pages_get_an_overlay_on_the_rendered_page_and_their_facts() {
    let pdf = fixture("fixtures/pdf/zh-01.pdf");
    let bytes = fs::read(&pdf).expect("fixture");
    let pages = pipeline::pdf_layout(&bytes).expect("the fixture lays out");
    assert!(!pages.is_empty());
    let out = tempfile::tempdir().expect("temp dir");
    let run = run_debug(&[&pdf], out.path());
    assert!(
        run.status.success(),
        "stderr: {}",
        String::from_utf8_lossy(&run.stderr)
    );
    assert_eq!(files_with_extension(out.path(), "png").len(), pages.len());
    assert_eq!(files_with_extension(out.path(), "json").len(), pages.len());
    // No temporary file is left behind.
    assert!(files_with_extension(out.path(), "part").is_empty());

    let renderer = debug::PdfPages::open(&bytes).expect("hayro opens the fixture");
    for page in &pages {
        let png = out.path().join(format!("zh-01-p{}.png", page.number));
        let overlay = image::open(&png)
            .unwrap_or_else(|e| panic!("{}: {e}", png.display()))
            .to_rgb8();
        let (w, h) = (page.width.expect("width"), page.height.expect("height"));
        let (pw, ph) = overlay.dimensions();
        assert!(
            ((pw as f32 / ph as f32) - w / h).abs() < 0.01,
            "{pw}×{ph} px for a {w}×{h} pt page"
        );
        assert!(
            (1600..=2000).contains(&ph),
            "a page is rendered 1600-2000 px tall, not {ph}"
        );

        let facts = read_json(&png.with_extension("json"));
        assert_eq!(
            facts["blocks"].as_array().map(Vec::len),
            Some(page.blocks.len())
        );
        assert_eq!(facts["page"], page.number);

        let (plain, scale) = renderer.render(page.number).expect("the page renders");
        assert_eq!(plain.dimensions(), overlay.dimensions());
        // The overlay is drawn on the page itself: outside the regions
        // (which are filled with a tint) most pixels are the plain
        // rendering's (boxes, labels and the legend are a minority).
        let regions: Vec<[f32; 4]> = facts["regions"]
            .as_array()
            .expect("regions")
            .iter()
            .map(|r| {
                let b = &r["bbox"];
                let v = |i: usize| b[i].as_f64().expect("number") as f32 * scale;
                [v(0), v(1), v(2), v(3)]
            })
            .collect();
        let outside = |x: u32, y: u32| {
            let (x, y) = (x as f32, y as f32);
            !regions
                .iter()
                .any(|r| x >= r[0] - 2.0 && x <= r[2] + 2.0 && y >= r[1] - 2.0 && y <= r[3] + 2.0)
        };
        let (mut total, mut same) = (0usize, 0usize);
        for (x, y, px) in plain.enumerate_pixels() {
            if outside(x, y) {
                total += 1;
                same += usize::from(px == overlay.get_pixel(x, y));
            }
        }
        assert!(total > 0, "the regions cover the whole page");
        assert!(
            same as f64 > 0.5 * total as f64,
            "only {same} of {total} pixels outside the regions are the page's"
        );
        // Inside the regions the tint changed the page.
        let tinted = plain
            .enumerate_pixels()
            .filter(|(x, y, px)| !outside(*x, *y) && *px != overlay.get_pixel(*x, *y))
            .count();
        assert!(tinted > 0, "no region was tinted");
        // The first block's box was drawn: along its top edge the pixels
        // differ from the plain rendering.
        let block = page
            .blocks
            .iter()
            .filter_map(|b| b.bbox)
            .find(|b| b.width() * scale > 40.0)
            .expect("a block with a box");
        let y = (block.y0 * scale).round() as u32;
        let (x0, x1) = (
            (block.x0 * scale).round() as u32 + 2,
            (block.x1 * scale).round() as u32 - 2,
        );
        let changed = (x0..x1)
            .filter(|&x| plain.get_pixel(x, y) != overlay.get_pixel(x, y))
            .count();
        assert!(
            changed as f64 > 0.9 * (x1 - x0) as f64,
            "only {changed} of {} pixels of the block's top edge were drawn",
            x1 - x0
        );
    }
}

#[test]
fn a_dump_gives_facts_and_no_image() {
    let dump = fixture("fixtures/dump/en-02.txt");
    let bytes = fs::read(&dump).expect("fixture");
    let text = newsclip::extract::decode::decode(&bytes, None)
        .expect("decodes")
        .text;
    let pages = pipeline::dump_layout(&text);
    let out = tempfile::tempdir().expect("temp dir");
    let run = run_debug(&[&dump], out.path());
    assert!(
        run.status.success(),
        "stderr: {}",
        String::from_utf8_lossy(&run.stderr)
    );
    assert!(files_with_extension(out.path(), "png").is_empty());
    let json = files_with_extension(out.path(), "json");
    assert_eq!(json.len(), pages.len());
    let facts = read_json(&out.path().join("en-02-p1.json"));
    assert_eq!(
        facts["blocks"].as_array().map(Vec::len),
        Some(pages[0].blocks.len())
    );
    assert!(facts["blocks"][0]["bbox"].is_null(), "dumps have no boxes");
    assert!(facts["blocks"][0]["lines"][0]["role"].is_string());
}

#[test]
fn a_broken_pdf_fails_naming_the_file_and_the_others_go_on() {
    let dir = tempfile::tempdir().expect("temp dir");
    let broken = dir.path().join("broken.pdf");
    fs::write(&broken, b"%PDF-1.7\n1 0 obj << /Type /Catalog /Pages 9 0 R").expect("write");
    let good = fixture("fixtures/dump/en-02.txt");
    let out = dir.path().join("out");
    let run = run_debug(&[&broken, &good], &out);
    assert_eq!(run.status.code(), Some(1));
    let stderr = String::from_utf8_lossy(&run.stderr);
    assert!(stderr.contains("broken.pdf"), "stderr: {stderr}");
    assert!(
        out.join("en-02-p1.json").is_file(),
        "the good input is still written"
    );
    assert!(!out.join("broken-p1.json").exists());
}

fn bbox(x0: f32, y0: f32, x1: f32, y1: f32) -> BBox {
    BBox { x0, y0, x1, y1 }
}

fn block(b: BBox, region: u32) -> Block {
    let mut line = Line::from_text("text", 0);
    line.bbox = Some(b);
    line.role = Role::Body;
    Block {
        lines: vec![line],
        bbox: Some(b),
        region: Some(region),
        ..Block::default()
    }
}

#[test]
fn two_regions_get_two_distinct_fill_colours_at_their_centres() {
    // A 300×200 pt page: two regions side by side, a block at the top of
    // each, so that the centres are free of boxes and labels.
    let page = Page {
        number: 1,
        width: Some(300.0),
        height: Some(200.0),
        blocks: vec![
            block(bbox(10.0, 10.0, 140.0, 40.0), 0),
            block(bbox(160.0, 10.0, 290.0, 40.0), 1),
        ],
        regions: vec![
            Region {
                index: 0,
                kind: RegionKind::Article,
                bbox: bbox(0.0, 0.0, 150.0, 200.0),
            },
            Region {
                index: 1,
                kind: RegionKind::Brief,
                bbox: bbox(150.0, 0.0, 300.0, 200.0),
            },
        ],
        separators: Vec::new(),
        figures: Vec::new(),
    };
    let white = Rgb([255u8, 255, 255]);
    // 4 px a point: the legend (bottom right, where no block is) stays
    // clear of the region centres.
    let out = debug::render_overlay(&page, RgbImage::from_pixel(1200, 800, white), 4.0);
    let first = *out.get_pixel(300, 400);
    let second = *out.get_pixel(900, 400);
    assert_ne!(first, white, "region 0 is filled at its centre");
    assert_ne!(second, white, "region 1 is filled at its centre");
    assert_ne!(first, second, "each region has its own colour");
    // The blocks are ringed in their region's colour just outside their
    // box (the first block's left edge is x = 40 px), below the reading
    // order line through their centres (y = 100 px).
    assert_eq!(*out.get_pixel(38, 130), debug::region_color(0));
    assert_eq!(*out.get_pixel(638, 130), debug::region_color(1));
}
