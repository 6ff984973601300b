//! What layout decided, drawn over the page: the module behind
//! `newsclip debug`.
//!
//! Contract:
//! - [`render_overlay`] takes a laid-out [`Page`], the page as an image
//!   (`base`, any size) and `scale`, the image's pixels per page point, and
//!   returns the image with, in this order from bottom to top: article
//!   regions as translucent fills (one colour each, see [`region_color`]),
//!   figures, separators, every block's box in the colour of its lines' role
//!   (see [`role_color`]) ringed in its region's colour, the reading order as
//!   a polyline through the block centres, labels and a legend. It is pure:
//!   no files, no printing; boxes outside the image are clipped, pages
//!   without geometry (dumps) come back unchanged.
//! - [`page_facts`] gives the same facts as JSON, for pages with or without
//!   geometry.
//! - Labels need a font: [`label_font`] reads DejaVu Sans from the system
//!   once (Debian's `fonts-dejavu-core`); without it everything is drawn but
//!   the text, and the caller tells the user.
//! - [`PdfPages`] renders PDF pages (pure Rust, `hayro`) and
//!   [`image_pages`] decodes page images, to draw on.
//!
//! Coordinates: page boxes are in points with the origin top-left (see
//! `model`), so a point (x, y) is the pixel (x·scale, y·scale).

use std::sync::{Arc, OnceLock};

use ab_glyph::{FontArc, PxScale};
use image::{GrayImage, Rgb, RgbImage};
use imageproc::drawing::{draw_line_segment_mut, draw_text_mut, text_size};
use serde_json::{json, Value};

use crate::error::{Error, ErrorKind, Result};
use crate::model::{BBox, Block, Page, RegionKind, Role};

/// Height in pixels PDF pages are rendered to: a broadsheet page (about
/// 1600 pt) comes out near 1800 px, enough to read a headline and see a
/// column gutter, small enough to open at once.
pub const PDF_PAGE_HEIGHT_PX: f32 = 1800.0;

/// Every role, in the legend's order.
pub const ROLES: [Role; 11] = [
    Role::Heading,
    Role::Kicker,
    Role::Subtitle,
    Role::Subheading,
    Role::Byline,
    Role::Body,
    Role::Caption,
    Role::Credit,
    Role::SourceTag,
    Role::Jump,
    Role::Furniture,
];

/// The colour a block's box is drawn in for the role of its lines.
/// Display roles are warm, running text cool, furniture grey, so that a
/// headline read as body text (or the reverse) stands out.
pub fn role_color(role: Role) -> Rgb<u8> {
    Rgb(match role {
        Role::Heading => [220, 20, 20],
        Role::Kicker => [255, 130, 0],
        Role::Subtitle => [200, 0, 160],
        Role::Subheading => [150, 60, 220],
        Role::Byline => [0, 150, 40],
        Role::Body => [30, 90, 230],
        Role::Caption => [0, 170, 170],
        Role::Credit => [90, 190, 0],
        Role::SourceTag => [140, 90, 30],
        Role::Jump => [150, 130, 0],
        Role::Furniture => [120, 120, 120],
    })
}

/// The colour a region's fill gives white paper.
fn tint(color: Rgb<u8>) -> Rgb<u8> {
    let mut one = RgbImage::from_pixel(1, 1, WHITE);
    let all = PixelBox {
        x0: 0,
        y0: 0,
        x1: 1,
        y1: 1,
    };
    fill(&mut one, all, color, REGION_FILL_ALPHA);
    *one.get_pixel(0, 0)
}

/// The role's name as in the JSON output (`source_tag`, ...).
pub fn role_name(role: Role) -> String {
    serde_json::to_value(role)
        .ok()
        .and_then(|v| v.as_str().map(str::to_string))
        .unwrap_or_else(|| format!("{role:?}"))
}

fn region_kind_name(kind: RegionKind) -> String {
    serde_json::to_value(kind)
        .ok()
        .and_then(|v| v.as_str().map(str::to_string))
        .unwrap_or_else(|| format!("{kind:?}"))
}

/// Separators: a colour no role uses, so that a rule is never mistaken for
/// a box edge.
const SEPARATOR_COLOR: Rgb<u8> = Rgb([255, 0, 255]);
/// Figures: dark, crossed out, as a layout drawing marks a photo.
const FIGURE_COLOR: Rgb<u8> = Rgb([60, 60, 60]);
/// The reading order polyline.
const ORDER_COLOR: Rgb<u8> = Rgb([0, 0, 0]);
const WHITE: Rgb<u8> = Rgb([255, 255, 255]);
/// How opaque a region's fill is: enough to tell regions apart, little
/// enough to read the page under it.
const REGION_FILL_ALPHA: f32 = 0.28;

/// Region `index`'s colour: hues a golden angle apart, so neighbouring
/// regions (consecutive indices) never get similar colours, on any number
/// of regions.
pub fn region_color(index: u32) -> Rgb<u8> {
    // Starting at amber keeps region 0 off the heading red.
    let hue = (45.0 + index as f32 * 137.507_77) % 360.0;
    hsv_to_rgb(hue, 0.85, 0.9)
}

fn hsv_to_rgb(hue: f32, saturation: f32, value: f32) -> Rgb<u8> {
    let c = value * saturation;
    let h = hue / 60.0;
    let x = c * (1.0 - (h % 2.0 - 1.0).abs());
    let (r, g, b) = match h as u32 {
        0 => (c, x, 0.0),
        1 => (x, c, 0.0),
        2 => (0.0, c, x),
        3 => (0.0, x, c),
        4 => (x, 0.0, c),
        _ => (c, 0.0, x),
    };
    let m = value - c;
    let byte = |v: f32| ((v + m) * 255.0).round().clamp(0.0, 255.0) as u8;
    Rgb([byte(r), byte(g), byte(b)])
}

/// The role most of the block's lines have (the first such on a tie);
/// `None` for a block without lines.
pub fn block_role(block: &Block) -> Option<Role> {
    let mut counts: Vec<(Role, usize)> = Vec::new();
    for line in &block.lines {
        match counts.iter_mut().find(|(r, _)| *r == line.role) {
            Some((_, n)) => *n += 1,
            None => counts.push((line.role, 1)),
        }
    }
    // max_by_key keeps the last maximum: reverse so the first wins a tie.
    counts
        .into_iter()
        .rev()
        .max_by_key(|(_, n)| *n)
        .map(|(r, _)| r)
}

/// The font labels are drawn with, read once from the system; `None` when
/// no DejaVu Sans is installed (nothing is ever downloaded).
pub fn label_font() -> Option<&'static FontArc> {
    static FONT: OnceLock<Option<FontArc>> = OnceLock::new();
    FONT.get_or_init(|| {
        const CANDIDATES: [&str; 4] = [
            // Debian and Ubuntu: fonts-dejavu-core.
            "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf",
            // Fedora, Arch.
            "/usr/share/fonts/dejavu-sans-fonts/DejaVuSans.ttf",
            "/usr/share/fonts/TTF/DejaVuSans.ttf",
            "/usr/share/fonts/dejavu/DejaVuSans.ttf",
        ];
        CANDIDATES.iter().find_map(|path| {
            let bytes = std::fs::read(path).ok()?;
            FontArc::try_from_vec(bytes).ok()
        })
    })
    .as_ref()
}

/// A box in pixels, clipped to the image; `None` when nothing of it is
/// inside.
#[derive(Debug, Clone, Copy)]
struct PixelBox {
    x0: u32,
    y0: u32,
    x1: u32, // exclusive
    y1: u32, // exclusive
}

fn to_pixels(b: &BBox, scale: f32, img: &RgbImage) -> Option<PixelBox> {
    let clip = |v: f32, max: u32| -> u32 {
        if v.is_finite() {
            v.round().clamp(0.0, max as f32) as u32
        } else {
            0
        }
    };
    let (w, h) = img.dimensions();
    let x0 = clip(b.x0.min(b.x1) * scale, w);
    let x1 = clip(b.x0.max(b.x1) * scale, w);
    let y0 = clip(b.y0.min(b.y1) * scale, h);
    let y1 = clip(b.y0.max(b.y1) * scale, h);
    // A rule can be thinner than a pixel: give it one.
    let x1 = if x1 == x0 && x0 < w { x0 + 1 } else { x1 };
    let y1 = if y1 == y0 && y0 < h { y0 + 1 } else { y1 };
    (x1 > x0 && y1 > y0).then_some(PixelBox { x0, y0, x1, y1 })
}

fn grow(b: PixelBox, by: u32, img: &RgbImage) -> PixelBox {
    PixelBox {
        x0: b.x0.saturating_sub(by),
        y0: b.y0.saturating_sub(by),
        x1: (b.x1 + by).min(img.width()),
        y1: (b.y1 + by).min(img.height()),
    }
}

fn fill(img: &mut RgbImage, b: PixelBox, color: Rgb<u8>, alpha: f32) {
    for y in b.y0..b.y1 {
        for x in b.x0..b.x1 {
            let p = img.get_pixel_mut(x, y);
            for c in 0..3 {
                let blended = p.0[c] as f32 * (1.0 - alpha) + color.0[c] as f32 * alpha;
                p.0[c] = blended.round() as u8;
            }
        }
    }
}

/// The outline of `b`, `thickness` pixels wide, drawn inside it.
fn stroke(img: &mut RgbImage, b: PixelBox, thickness: u32, color: Rgb<u8>) {
    let t = thickness.max(1);
    let edges = [
        (b.x0, b.y0, b.x1, (b.y0 + t).min(b.y1)),
        (b.x0, b.y1.saturating_sub(t).max(b.y0), b.x1, b.y1),
        (b.x0, b.y0, (b.x0 + t).min(b.x1), b.y1),
        (b.x1.saturating_sub(t).max(b.x0), b.y0, b.x1, b.y1),
    ];
    for (x0, y0, x1, y1) in edges {
        fill(img, PixelBox { x0, y0, x1, y1 }, color, 1.0);
    }
}

/// A segment `thickness` pixels wide (parallel 1-pixel segments).
fn thick_segment(
    img: &mut RgbImage,
    from: (f32, f32),
    to: (f32, f32),
    thickness: u32,
    color: Rgb<u8>,
) {
    let (dx, dy) = (to.0 - from.0, to.1 - from.1);
    let len = (dx * dx + dy * dy).sqrt();
    let (nx, ny) = if len > 0.0 {
        (-dy / len, dx / len)
    } else {
        (0.0, 0.0)
    };
    let t = thickness.max(1) as f32;
    let mut offset = -(t - 1.0) / 2.0;
    while offset <= (t - 1.0) / 2.0 + 1e-3 {
        draw_line_segment_mut(
            img,
            (from.0 + nx * offset, from.1 + ny * offset),
            (to.0 + nx * offset, to.1 + ny * offset),
            color,
        );
        offset += 0.5;
    }
}

/// Sizes that follow the image, so that a 6000-pixel scan and an
/// 1800-pixel rendering look alike.
struct Pen {
    /// Box outline width.
    line: u32,
    /// Label text height.
    text: f32,
}

impl Pen {
    fn for_image(img: &RgbImage) -> Pen {
        let h = img.height().max(1) as f32;
        Pen {
            line: (h / 900.0).round().max(1.0) as u32,
            text: (h / 110.0).clamp(10.0, 80.0),
        }
    }
}

/// A label on a white background (readable over any page), its top-left
/// corner at (x, y), kept inside the image.
fn label(
    img: &mut RgbImage,
    font: Option<&FontArc>,
    x: i32,
    y: i32,
    size: f32,
    color: Rgb<u8>,
    text: &str,
) {
    let Some(font) = font else { return };
    let scale = PxScale::from(size);
    let (w, h) = text_size(scale, font, text);
    let pad = (size / 6.0).ceil() as u32;
    let (bw, bh) = (w + 2 * pad, h + 2 * pad);
    let x = x.clamp(0, (img.width() as i32 - bw as i32).max(0)) as u32;
    let y = y.clamp(0, (img.height() as i32 - bh as i32).max(0)) as u32;
    let back = PixelBox {
        x0: x,
        y0: y,
        x1: (x + bw).min(img.width()),
        y1: (y + bh).min(img.height()),
    };
    fill(img, back, WHITE, 0.85);
    draw_text_mut(
        img,
        color,
        (x + pad) as i32,
        (y + pad) as i32,
        scale,
        font,
        text,
    );
}

/// Draws what layout decided over `base`, the page as an image at `scale`
/// pixels per point. See the module contract for what is drawn.
pub fn render_overlay(page: &Page, base: RgbImage, scale: f32) -> RgbImage {
    let mut img = base;
    if !(scale.is_finite() && scale > 0.0) || img.width() == 0 || img.height() == 0 {
        return img;
    }
    let font = label_font();
    let pen = Pen::for_image(&img);

    // Regions first: everything else must stay visible on top of them.
    for region in &page.regions {
        if let Some(b) = to_pixels(&region.bbox, scale, &img) {
            fill(&mut img, b, region_color(region.index), REGION_FILL_ALPHA);
            stroke(&mut img, b, pen.line, region_color(region.index));
        }
    }
    for figure in &page.figures {
        if let Some(b) = to_pixels(figure, scale, &img) {
            stroke(&mut img, b, pen.line * 2, FIGURE_COLOR);
            let (x0, y0, x1, y1) = (b.x0 as f32, b.y0 as f32, b.x1 as f32, b.y1 as f32);
            thick_segment(&mut img, (x0, y0), (x1, y1), pen.line, FIGURE_COLOR);
            thick_segment(&mut img, (x0, y1), (x1, y0), pen.line, FIGURE_COLOR);
        }
    }
    for separator in &page.separators {
        if let Some(b) = to_pixels(separator, scale, &img) {
            // Rules are often hairlines: widen them to be seen.
            let widened = grow(b, pen.line, &img);
            fill(&mut img, widened, SEPARATOR_COLOR, 1.0);
        }
    }

    // Blocks: the region's colour as a ring just outside, the role's colour
    // as the box itself, and lines whose role differs from their block's in
    // their own colour, since that is where a mistake usually hides.
    let mut centres: Vec<Option<(f32, f32)>> = Vec::with_capacity(page.blocks.len());
    for block in &page.blocks {
        let Some(b) = block.bbox.and_then(|bb| to_pixels(&bb, scale, &img)) else {
            centres.push(None);
            continue;
        };
        centres.push(Some((
            (b.x0 + b.x1) as f32 / 2.0,
            (b.y0 + b.y1) as f32 / 2.0,
        )));
        if let Some(region) = block.region {
            let ring = grow(b, pen.line * 2, &img);
            stroke(&mut img, ring, pen.line * 2, region_color(region));
        }
        let role = block_role(block).unwrap_or(Role::Body);
        stroke(&mut img, b, pen.line, role_color(role));
        for line in block.lines.iter().filter(|l| l.role != role) {
            if let Some(lb) = line.bbox.and_then(|bb| to_pixels(&bb, scale, &img)) {
                stroke(&mut img, lb, pen.line, role_color(line.role));
            }
        }
    }

    // Reading order: a polyline through the centres in block order; blocks
    // without a box are skipped but keep their number.
    let placed: Vec<(usize, (f32, f32))> = centres
        .iter()
        .enumerate()
        .filter_map(|(i, c)| c.map(|c| (i, c)))
        .collect();
    // A white halo under a black line: visible over text and fills alike.
    for pair in placed.windows(2) {
        thick_segment(&mut img, pair[0].1, pair[1].1, pen.line * 3, WHITE);
    }
    for pair in placed.windows(2) {
        thick_segment(&mut img, pair[0].1, pair[1].1, pen.line, ORDER_COLOR);
    }
    for (i, (x, y)) in &placed {
        label(
            &mut img,
            font,
            *x as i32,
            *y as i32,
            pen.text * 0.8,
            ORDER_COLOR,
            &i.to_string(),
        );
    }
    for region in &page.regions {
        if let Some(b) = to_pixels(&region.bbox, scale, &img) {
            let text = format!("R{} {}", region.index, region_kind_name(region.kind));
            label(
                &mut img,
                font,
                b.x0 as i32 + pen.line as i32 * 3,
                b.y0 as i32 + pen.line as i32 * 3,
                pen.text,
                region_color(region.index),
                &text,
            );
        }
    }
    let covered: Vec<PixelBox> = page
        .blocks
        .iter()
        .filter_map(|b| b.bbox.and_then(|bb| to_pixels(&bb, scale, &img)))
        .collect();
    draw_legend(&mut img, font, &pen, &covered);
    img
}

/// How many pixels of `area` the boxes cover (overlaps counted twice).
fn covered_pixels(area: PixelBox, boxes: &[PixelBox]) -> u64 {
    boxes
        .iter()
        .map(|b| {
            let w = area.x1.min(b.x1).saturating_sub(area.x0.max(b.x0));
            let h = area.y1.min(b.y1).saturating_sub(area.y0.max(b.y0));
            w as u64 * h as u64
        })
        .sum()
}

/// The key to the colours, in the corner where it hides the fewest block
/// pixels (`blocks`), the top-right one on a tie.
fn draw_legend(img: &mut RgbImage, font: Option<&FontArc>, pen: &Pen, blocks: &[PixelBox]) {
    let Some(font) = font else { return };
    // Smaller than the labels: it is read once, and hides the page.
    let size = (pen.text * 0.8).max(10.0);
    let scale = PxScale::from(size);
    let mut entries: Vec<(String, Rgb<u8>)> = ROLES
        .iter()
        .map(|r| (role_name(*r), role_color(*r)))
        .collect();
    entries.push(("separator".into(), SEPARATOR_COLOR));
    entries.push(("figure".into(), FIGURE_COLOR));
    entries.push(("reading order".into(), ORDER_COLOR));
    entries.push(("region: fill + R<n> <kind>".into(), tint(region_color(0))));
    let text_w = entries
        .iter()
        .map(|(t, _)| text_size(scale, font, t).0)
        .max()
        .unwrap_or(0);
    let row = (size * 1.3).ceil() as u32;
    let swatch = (size * 0.9).ceil() as u32;
    let pad = (size / 2.0).ceil() as u32;
    let width = pad * 3 + swatch + text_w;
    let height = pad * 2 + row * entries.len() as u32;
    if width >= img.width() || height >= img.height() {
        return;
    }
    let (right, bottom) = (img.width() - width - pad, img.height() - height - pad);
    let back = [(right, pad), (pad, pad), (right, bottom), (pad, bottom)]
        .into_iter()
        .map(|(x0, y0)| PixelBox {
            x0,
            y0,
            x1: x0 + width,
            y1: y0 + height,
        })
        .min_by_key(|area| covered_pixels(*area, blocks))
        .unwrap_or(PixelBox {
            x0: right,
            y0: pad,
            x1: right + width,
            y1: pad + height,
        });
    let (x0, y0) = (back.x0, back.y0);
    fill(img, back, WHITE, 0.92);
    stroke(img, back, 1, Rgb([0, 0, 0]));
    for (i, (text, color)) in entries.iter().enumerate() {
        let y = y0 + pad + row * i as u32;
        fill(
            img,
            PixelBox {
                x0: x0 + pad,
                y0: y,
                x1: x0 + pad + swatch,
                y1: y + swatch,
            },
            *color,
            1.0,
        );
        draw_text_mut(
            img,
            Rgb([0, 0, 0]),
            (x0 + pad * 2 + swatch) as i32,
            y as i32,
            scale,
            font,
            text,
        );
    }
}

fn bbox_json(b: &Option<BBox>) -> Value {
    match b {
        Some(b) => json!([b.x0, b.y0, b.x1, b.y1]),
        None => Value::Null,
    }
}

/// The facts the overlay draws, as JSON: page size, blocks with their
/// lines, regions (with the blocks in each), separators, figures and the
/// reading order (block indices). Boxes are `[x0, y0, x1, y1]` in points,
/// `null` without geometry.
pub fn page_facts(page: &Page) -> Value {
    let blocks: Vec<Value> = page
        .blocks
        .iter()
        .enumerate()
        .map(|(i, block)| {
            let lines: Vec<Value> = block
                .lines
                .iter()
                .map(|line| {
                    json!({
                        "text": line.text,
                        "role": role_name(line.role),
                        "bbox": bbox_json(&line.bbox),
                        "font_size": line.font_size,
                    })
                })
                .collect();
            json!({
                "index": i,
                "bbox": bbox_json(&block.bbox),
                "region": block.region,
                "role": block_role(block).map(role_name),
                "starts_unit": block.starts_unit,
                "lines": lines,
            })
        })
        .collect();
    let regions: Vec<Value> = page
        .regions
        .iter()
        .map(|region| {
            let members: Vec<usize> = page
                .blocks
                .iter()
                .enumerate()
                .filter(|(_, b)| b.region == Some(region.index))
                .map(|(i, _)| i)
                .collect();
            json!({
                "index": region.index,
                "kind": region_kind_name(region.kind),
                "bbox": bbox_json(&Some(region.bbox)),
                "blocks": members,
            })
        })
        .collect();
    let boxes = |v: &[BBox]| -> Vec<Value> { v.iter().map(|b| bbox_json(&Some(*b))).collect() };
    json!({
        "page": page.number,
        "width": page.width,
        "height": page.height,
        "blocks": blocks,
        "regions": regions,
        "separators": boxes(&page.separators),
        "figures": boxes(&page.figures),
        "reading_order": (0..page.blocks.len()).collect::<Vec<usize>>(),
    })
}

/// One input laid out for `newsclip debug`: its pages, and what to draw
/// them on.
pub struct DebugInput {
    pub pages: Vec<Page>,
    backdrop: Backdrop,
}

enum Backdrop {
    /// The PDF, or why it cannot be rendered (its layout still can be
    /// shown: the overlay is then drawn on a blank page).
    Pdf(Result<PdfPages>),
    /// The decoded pages of an image file, in order.
    Image(Vec<Result<RgbImage>>),
    /// Text dumps have no page image.
    None,
    /// Geometry without an image (ALTO): a white page of the page's size.
    Blank,
}

impl DebugInput {
    /// Lays out `bytes` as `newsclip lines` does: a PDF by its header,
    /// PNG/JPEG/TIFF by their magic bytes (through OCR, with `ocr`), a text
    /// dump otherwise.
    pub fn read(bytes: &[u8], ocr: &crate::extract::ocr::OcrOptions) -> Result<DebugInput> {
        use crate::pipeline;
        if pipeline::is_pdf(bytes) {
            let pages = pipeline::pdf_layout(bytes)?;
            Ok(DebugInput {
                pages,
                backdrop: Backdrop::Pdf(PdfPages::open(bytes)),
            })
        } else if crate::extract::ocr::input::sniff(bytes).is_some() {
            let images = image_pages(bytes)?;
            let pages = pipeline::image_layout(bytes, ocr)?;
            Ok(DebugInput {
                pages,
                backdrop: Backdrop::Image(images),
            })
        } else if crate::extract::alto::is_alto(bytes) {
            // Archive OCR without its image: drawn on a blank page.
            let file = crate::extract::alto::read_alto(bytes, "input")?;
            let pages = file
                .pages
                .iter()
                .enumerate()
                .map(|(i, p)| pipeline::lay_out_alto_page(p, i as u32 + 1))
                .collect();
            Ok(DebugInput {
                pages,
                backdrop: Backdrop::Blank,
            })
        } else {
            let text = crate::extract::decode::decode(bytes, None)?.text;
            Ok(DebugInput {
                pages: pipeline::dump_layout(&text),
                backdrop: Backdrop::None,
            })
        }
    }

    /// The image to draw `page` on and its scale in pixels per point;
    /// `None` for a dump, an error when the page cannot be rendered.
    pub fn backdrop(&self, page: &Page) -> Option<Result<(RgbImage, f32)>> {
        match &self.backdrop {
            Backdrop::None => None,
            Backdrop::Blank => Some(
                blank_page(page)
                    .ok_or_else(|| Error::new(ErrorKind::Malformed, "the page has no size")),
            ),
            Backdrop::Pdf(pdf) => Some(match pdf {
                Ok(pdf) => pdf.render(page.number),
                Err(e) => Err(e.clone()),
            }),
            Backdrop::Image(images) => {
                let image = page
                    .number
                    .checked_sub(1)
                    .and_then(|i| images.get(i as usize))?;
                Some(match image {
                    Ok(img) => {
                        let width = page.width.unwrap_or(0.0);
                        if width > 0.0 {
                            Ok((img.clone(), img.width() as f32 / width))
                        } else {
                            Err(Error::new(ErrorKind::Malformed, "the page has no width"))
                        }
                    }
                    Err(e) => Err(e.clone()),
                })
            }
        }
    }
}

/// A white page of the page's size, for drawing the layout when the page
/// itself cannot be rendered; `None` without a page size.
pub fn blank_page(page: &Page) -> Option<(RgbImage, f32)> {
    let (w, h) = (page.width?, page.height?);
    if !(w > 0.0 && h > 0.0 && w.is_finite() && h.is_finite()) {
        return None;
    }
    let scale = (PDF_PAGE_HEIGHT_PX / h).min(8000.0 / w);
    let (pw, ph) = ((w * scale).round() as u32, (h * scale).round() as u32);
    Some((RgbImage::from_pixel(pw.max(1), ph.max(1), WHITE), scale))
}

/// A PDF opened for rendering its pages.
pub struct PdfPages {
    pdf: hayro::hayro_syntax::Pdf,
}

impl PdfPages {
    pub fn open(bytes: &[u8]) -> Result<PdfPages> {
        let data: Arc<Vec<u8>> = Arc::new(bytes.to_vec());
        let pdf = catch_panic(|| {
            hayro::hayro_syntax::Pdf::new(data).map_err(|e| {
                Error::new(
                    ErrorKind::Malformed,
                    format!("the PDF could not be opened for rendering: {e:?}"),
                )
            })
        })?;
        Ok(PdfPages { pdf })
    }

    pub fn page_count(&self) -> usize {
        self.pdf.pages().len()
    }

    /// Page `number` (1-based) rendered on white, [`PDF_PAGE_HEIGHT_PX`]
    /// tall, and its scale in pixels per point.
    pub fn render(&self, number: u32) -> Result<(RgbImage, f32)> {
        let pages = self.pdf.pages();
        let page = number
            .checked_sub(1)
            .and_then(|i| pages.get(i as usize))
            .ok_or_else(|| {
                Error::new(
                    ErrorKind::Malformed,
                    format!("the PDF has no page {number}"),
                )
            })?;
        let (w, h) = page.render_dimensions();
        if !(w > 0.0 && h > 0.0 && w.is_finite() && h.is_finite()) {
            return Err(Error::new(
                ErrorKind::Malformed,
                format!("page {number} has no usable size ({w}×{h} pt)"),
            ));
        }
        // Pixmaps are at most 65535 pixels a side (u16).
        let scale = (PDF_PAGE_HEIGHT_PX / h).min(60_000.0 / w.max(h));
        let pixmap = catch_panic(|| {
            Ok(hayro::render(
                page,
                &hayro::RenderCache::new(),
                &hayro::hayro_interpret::InterpreterSettings::default(),
                &hayro::RenderSettings::default(),
                &hayro::PixmapSettings {
                    x_scale: scale,
                    y_scale: scale,
                    bg_color: hayro::vello_cpu::color::palette::css::WHITE,
                },
            ))
        })?;
        let (pw, ph) = (pixmap.width() as u32, pixmap.height() as u32);
        // Premultiplied RGBA over an opaque white background: every pixel
        // is opaque, so the colour channels are the colours.
        let rgb: Vec<u8> = pixmap
            .data_as_u8_slice()
            .chunks_exact(4)
            .flat_map(|p| [p[0], p[1], p[2]])
            .collect();
        let img = RgbImage::from_raw(pw, ph, rgb)
            .ok_or_else(|| Error::new(ErrorKind::Malformed, "the rendered page has no pixels"))?;
        Ok((img, scale))
    }
}

/// The pages of an image file (PNG, JPEG, every page of a TIFF) as they
/// are; a page that fails to decode is an error for that page only.
pub fn image_pages(bytes: &[u8]) -> Result<Vec<Result<RgbImage>>> {
    let pages = catch_panic(|| crate::extract::ocr::input::decode_pages(bytes))?;
    Ok(pages
        .into_iter()
        .map(|p| p.map(|p| gray_to_rgb(&p.image)))
        .collect())
}

fn gray_to_rgb(gray: &GrayImage) -> RgbImage {
    RgbImage::from_fn(gray.width(), gray.height(), |x, y| {
        let v = gray.get_pixel(x, y).0[0];
        Rgb([v, v, v])
    })
}

/// Runs `f`, turning a panic of a decoder or renderer on damaged data into
/// an error, so that one bad file never stops a batch.
fn catch_panic<T>(f: impl FnOnce() -> Result<T>) -> Result<T> {
    std::panic::catch_unwind(std::panic::AssertUnwindSafe(f)).unwrap_or_else(|_| {
        Err(Error::new(
            ErrorKind::Malformed,
            "the renderer failed on damaged data",
        ))
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{Line, Region};

    fn bbox(x0: f32, y0: f32, x1: f32, y1: f32) -> BBox {
        BBox { x0, y0, x1, y1 }
    }

    fn block(b: BBox, region: Option<u32>, role: Role) -> Block {
        let mut line = Line::from_text("text", 0);
        line.bbox = Some(b);
        line.role = role;
        Block {
            lines: vec![line],
            bbox: Some(b),
            region,
            ..Block::default()
        }
    }

    /// A 200×100 pt page with two regions side by side.
    fn two_region_page() -> Page {
        Page {
            number: 1,
            width: Some(200.0),
            height: Some(100.0),
            blocks: vec![
                block(bbox(10.0, 10.0, 90.0, 30.0), Some(0), Role::Heading),
                block(bbox(110.0, 10.0, 190.0, 30.0), Some(1), Role::Body),
            ],
            regions: vec![
                Region {
                    index: 0,
                    kind: RegionKind::Article,
                    bbox: bbox(0.0, 0.0, 100.0, 100.0),
                },
                Region {
                    index: 1,
                    kind: RegionKind::Photo,
                    bbox: bbox(100.0, 0.0, 200.0, 100.0),
                },
            ],
            separators: vec![bbox(100.0, 0.0, 100.5, 100.0)],
            figures: Vec::new(),
        }
    }

    #[test]
    fn two_regions_get_two_distinct_fills() {
        let page = two_region_page();
        let base = RgbImage::from_pixel(400, 200, WHITE);
        let out = render_overlay(&page, base, 2.0);
        // Region centres, below the blocks and away from labels: (50, 70)
        // and (150, 70) pt.
        let left = *out.get_pixel(100, 140);
        let right = *out.get_pixel(300, 140);
        assert_ne!(left, WHITE, "region 0 is filled");
        assert_ne!(right, WHITE, "region 1 is filled");
        assert_ne!(left, right, "the two regions have different colours");
        // Translucent: the fill is a tint of white, not the solid colour.
        assert_ne!(left, region_color(0));
        // Outside both regions nothing changes: a page with no regions
        // draws no fill.
        let mut bare = two_region_page();
        bare.regions.clear();
        let out = render_overlay(&bare, RgbImage::from_pixel(400, 200, WHITE), 2.0);
        assert_eq!(*out.get_pixel(100, 140), WHITE);
    }

    #[test]
    fn block_boxes_take_their_role_colour() {
        let mut page = two_region_page();
        page.regions.clear();
        page.separators.clear();
        for b in page.blocks.iter_mut() {
            b.region = None;
        }
        let out = render_overlay(&page, RgbImage::from_pixel(400, 200, WHITE), 2.0);
        // The heading block's left edge, halfway down (x = 20 px).
        assert_eq!(*out.get_pixel(20, 35), role_color(Role::Heading));
        assert_eq!(*out.get_pixel(220, 35), role_color(Role::Body));
    }

    #[test]
    fn distinct_colours_for_every_role_and_first_regions() {
        for (i, a) in ROLES.iter().enumerate() {
            for b in &ROLES[i + 1..] {
                assert_ne!(role_color(*a), role_color(*b), "{a:?} vs {b:?}");
            }
        }
        for i in 0..12 {
            for j in i + 1..12 {
                assert_ne!(region_color(i), region_color(j));
            }
        }
    }

    #[test]
    fn facts_list_blocks_regions_and_order() {
        let facts = page_facts(&two_region_page());
        assert_eq!(facts["blocks"].as_array().map(Vec::len), Some(2));
        assert_eq!(facts["blocks"][0]["role"], "heading");
        assert_eq!(facts["blocks"][1]["region"], 1);
        assert_eq!(facts["regions"][1]["kind"], "photo");
        assert_eq!(facts["regions"][1]["blocks"], json!([1]));
        assert_eq!(facts["reading_order"], json!([0, 1]));
        assert_eq!(facts["separators"][0], json!([100.0, 0.0, 100.5, 100.0]));
    }

    #[test]
    fn pages_without_geometry_are_left_alone() {
        let mut page = two_region_page();
        page.regions.clear();
        page.separators.clear();
        for b in page.blocks.iter_mut() {
            b.bbox = None;
            b.lines[0].bbox = None;
        }
        let base = RgbImage::from_pixel(40, 20, WHITE);
        // No font is needed for this: without boxes nothing but the
        // legend is drawn, and the legend does not fit 40×20.
        let out = render_overlay(&page, base.clone(), 0.2);
        assert_eq!(out, base);
    }

    #[test]
    fn majority_role_wins_ties_go_to_the_first() {
        let mut b = block(bbox(0.0, 0.0, 1.0, 1.0), None, Role::Caption);
        let mut credit = b.lines[0].clone();
        credit.role = Role::Credit;
        b.lines.push(credit);
        assert_eq!(block_role(&b), Some(Role::Caption));
        let mut body = b.lines[0].clone();
        body.role = Role::Credit;
        b.lines.push(body);
        assert_eq!(block_role(&b), Some(Role::Credit));
        assert_eq!(block_role(&Block::default()), None);
    }
}
