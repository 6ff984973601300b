//! Preprocessing of a grayscale page image before OCR: border cleanup,
//! deskew (±5°), upscaling of low-resolution scans (under 240 dpi) and
//! downscaling of very fine ones (over 450 dpi), both to 300 dpi.
//!
//! Binarisation is left to the engine: Tesseract thresholds the gray image
//! itself (Otsu) and reads gray input at least as well as our own
//! black-and-white version; our Otsu threshold is used for analysis only
//! (borders, skew). All steps are bounded in time and memory by the image
//! size, which the input stage has already bounded.

use image::{imageops, GrayImage, Luma};

/// Images with a side under this many pixels hold no readable text.
pub const MIN_SIDE: u32 = 8;
/// Scans under this resolution are upscaled to [`TARGET_DPI`].
pub const LOW_DPI: f32 = 240.0;
pub const TARGET_DPI: f32 = 300.0;
/// Scans over this resolution are scaled down to [`TARGET_DPI`]: OCR time
/// grows with the pixels, not the accuracy.
pub const HIGH_DPI: f32 = 450.0;
/// Upscaling never makes an image larger than this many pixels.
pub const MAX_UPSCALED_PIXELS: u64 = 120_000_000;
/// Largest skew corrected, in degrees.
pub const MAX_SKEW: f32 = 5.0;

/// A page ready for the engine.
#[derive(Debug, Clone)]
pub struct Prepared {
    pub image: GrayImage,
    /// Factor by which the image was scaled up (1 when not).
    pub scale: f32,
    /// Rotation applied, in degrees (counter-clockwise positive); 0 when
    /// the page was straight.
    pub skew_degrees: f32,
}

/// Runs every step; see the module doc.
pub fn prepare(mut image: GrayImage, dpi: f32) -> Prepared {
    let threshold = otsu(&image);
    clean_borders(&mut image, threshold);
    let skew = estimate_skew(&image, threshold);
    let skew_degrees = if skew.abs() >= 0.15 {
        image = rotate(&image, skew);
        skew
    } else {
        0.0
    };
    let mut scale = 1.0;
    if dpi > HIGH_DPI {
        let (w, h) = image.dimensions();
        let f = TARGET_DPI / dpi;
        let nw = ((w as f32 * f).round() as u32).max(1);
        let nh = ((h as f32 * f).round() as u32).max(1);
        image = imageops::resize(&image, nw, nh, imageops::FilterType::Triangle);
        scale = nw as f32 / w as f32;
    } else if dpi < LOW_DPI {
        let (w, h) = image.dimensions();
        let want = (TARGET_DPI / dpi).min(4.0);
        let cap = (MAX_UPSCALED_PIXELS as f64 / (w as f64 * h as f64)).sqrt() as f32;
        let f = want.min(cap);
        if f > 1.05 {
            let nw = ((w as f32 * f).round() as u32).max(1);
            let nh = ((h as f32 * f).round() as u32).max(1);
            image = imageops::resize(&image, nw, nh, imageops::FilterType::Triangle);
            scale = nw as f32 / w as f32;
        }
    }
    Prepared {
        image,
        scale,
        skew_degrees,
    }
}

/// Otsu's threshold of the image's histogram.
pub fn otsu(image: &GrayImage) -> u8 {
    let mut hist = [0u64; 256];
    for p in image.as_raw() {
        hist[*p as usize] += 1;
    }
    let total: u64 = hist.iter().sum();
    if total == 0 {
        return 128;
    }
    let sum_all: f64 = hist
        .iter()
        .enumerate()
        .map(|(i, n)| i as f64 * *n as f64)
        .sum();
    let (mut w_b, mut sum_b) = (0.0f64, 0.0f64);
    let (mut best, mut best_t) = (-1.0f64, 128u8);
    for (t, n) in hist.iter().enumerate() {
        w_b += *n as f64;
        if w_b == 0.0 {
            continue;
        }
        let w_f = total as f64 - w_b;
        if w_f == 0.0 {
            break;
        }
        sum_b += t as f64 * *n as f64;
        let m_b = sum_b / w_b;
        let m_f = (sum_all - sum_b) / w_f;
        let between = w_b * w_f * (m_b - m_f) * (m_b - m_f);
        if between > best {
            best = between;
            best_t = t as u8;
        }
    }
    best_t
}

/// Dark scanner borders: rows and columns at the image's edges that are
/// mostly dark (over 60%) become white, up to a tenth of the page from
/// each edge.
pub fn clean_borders(image: &mut GrayImage, threshold: u8) {
    let (w, h) = image.dimensions();
    if w < 16 || h < 16 {
        return;
    }
    let dark_row = |img: &GrayImage, y: u32| {
        let n = (0..w)
            .filter(|&x| img.get_pixel(x, y)[0] <= threshold)
            .count();
        n * 10 > w as usize * 6
    };
    let dark_col = |img: &GrayImage, x: u32| {
        let n = (0..h)
            .filter(|&y| img.get_pixel(x, y)[0] <= threshold)
            .count();
        n * 10 > h as usize * 6
    };
    let white = Luma([255u8]);
    let (mh, mw) = (h / 10, w / 10);
    let mut top = 0;
    while top < mh && dark_row(image, top) {
        top += 1;
    }
    let mut bottom = 0;
    while bottom < mh && dark_row(image, h - 1 - bottom) {
        bottom += 1;
    }
    let mut left = 0;
    while left < mw && dark_col(image, left) {
        left += 1;
    }
    let mut right = 0;
    while right < mw && dark_col(image, w - 1 - right) {
        right += 1;
    }
    for y in (0..top).chain(h - bottom..h) {
        for x in 0..w {
            image.put_pixel(x, y, white);
        }
    }
    for x in (0..left).chain(w - right..w) {
        for y in 0..h {
            image.put_pixel(x, y, white);
        }
    }
}

/// The page's skew in degrees (counter-clockwise rotation that straightens
/// it), by projection profiles: the shear under which dark pixels pile up
/// into the sharpest rows. Searched over ±[`MAX_SKEW`] on a reduced copy.
pub fn estimate_skew(image: &GrayImage, threshold: u8) -> f32 {
    let (w, h) = image.dimensions();
    if w < 64 || h < 64 {
        return 0.0;
    }
    // Reduce to about 1200 pixels wide (dark if any pixel of the cell is).
    let step = (w / 1200).max(1);
    let (sw, sh) = (w / step, h / step);
    let mut dark: Vec<(f32, f32)> = Vec::new();
    for sy in 0..sh {
        for sx in 0..sw {
            let mut any = false;
            'cell: for dy in 0..step {
                for dx in 0..step {
                    if image.get_pixel(sx * step + dx, sy * step + dy)[0] <= threshold {
                        any = true;
                        break 'cell;
                    }
                }
            }
            if any {
                dark.push((sx as f32, sy as f32));
            }
        }
    }
    // Too little ink, or a page that is mostly dark (a photo): no estimate.
    if dark.len() < 200 || dark.len() as u64 * 2 > sw as u64 * sh as u64 {
        return 0.0;
    }
    let score = |deg: f32| -> f64 {
        let t = deg.to_radians().tan();
        let off = sw as f32 * t.abs();
        let rows = (sh as f32 + 2.0 * off) as usize + 2;
        let mut hist = vec![0u32; rows];
        for &(x, y) in &dark {
            let r = (y + x * t + off) as usize;
            if let Some(v) = hist.get_mut(r) {
                *v += 1;
            }
        }
        hist.windows(2)
            .map(|p| {
                let d = p[1] as f64 - p[0] as f64;
                d * d
            })
            .sum()
    };
    let mut best = (0.0f32, score(0.0));
    let mut a = -MAX_SKEW;
    while a <= MAX_SKEW + 1e-3 {
        let s = score(a);
        if s > best.1 {
            best = (a, s);
        }
        a += 0.5;
    }
    let coarse = best.0;
    let mut a = coarse - 0.5;
    while a <= coarse + 0.5 + 1e-3 {
        let s = score(a);
        if s > best.1 {
            best = (a, s);
        }
        a += 0.1;
    }
    // Text lines y' = y + x*tan(a) are horizontal: the page is rotated by
    // -a; straightening it means rotating by a.
    (best.0 * 100.0).round() / 100.0
}

/// Rotates about the centre by `deg` degrees so that lines sheared by
/// `tan(deg)` become horizontal; uncovered corners are white. Bilinear.
pub fn rotate(image: &GrayImage, deg: f32) -> GrayImage {
    let (w, h) = image.dimensions();
    let (s, c) = deg.to_radians().sin_cos();
    let (cx, cy) = (w as f32 / 2.0, h as f32 / 2.0);
    let src = image.as_raw();
    let mut out = GrayImage::from_pixel(w, h, Luma([255]));
    let sample = |x: f32, y: f32| -> f32 {
        if x < 0.0 || y < 0.0 || x > (w - 1) as f32 || y > (h - 1) as f32 {
            return 255.0;
        }
        let (x0, y0) = (x.floor() as u32, y.floor() as u32);
        let (x1, y1) = ((x0 + 1).min(w - 1), (y0 + 1).min(h - 1));
        let (fx, fy) = (x - x0 as f32, y - y0 as f32);
        let p = |xx: u32, yy: u32| src[(yy * w + xx) as usize] as f32;
        let top = p(x0, y0) * (1.0 - fx) + p(x1, y0) * fx;
        let bot = p(x0, y1) * (1.0 - fx) + p(x1, y1) * fx;
        top * (1.0 - fy) + bot * fy
    };
    for (y, row) in out.as_mut().chunks_mut(w as usize).enumerate() {
        let dy = y as f32 - cy;
        for (x, px) in row.iter_mut().enumerate() {
            let dx = x as f32 - cx;
            // Inverse mapping: the source point of this output pixel. A
            // source line y = y0 - x*tan(a) must come out horizontal.
            let sx = cx + dx * c + dy * s;
            let sy = cy - dx * s + dy * c;
            *px = sample(sx, sy).round().clamp(0.0, 255.0) as u8;
        }
    }
    out
}

/// Ruling lines of the page (article separators), in pixels
/// `[x0, y0, x1, y1]`: runs of dark pixels at least `min_len` long and at
/// most `max_thick` thick, horizontal and vertical. Text never makes such
/// runs (letters have gaps); photos do, but thick.
pub fn find_rules(image: &GrayImage, min_len: u32, max_thick: u32) -> Vec<[f32; 4]> {
    let (w, h) = image.dimensions();
    if w < 16 || h < 16 || min_len == 0 {
        return Vec::new();
    }
    let t = otsu(image);
    let raw = image.as_raw();
    let dark = |x: u32, y: u32| raw[(y * w + x) as usize] <= t;
    // Runs per line of pixels, then runs stacked over neighbouring lines
    // merged into one rule.
    let mut out = Vec::new();
    for horizontal in [true, false] {
        let (lines, len) = if horizontal { (h, w) } else { (w, h) };
        // Open rules: (start, end, first line, last line).
        let mut open: Vec<(u32, u32, u32, u32)> = Vec::new();
        let mut done: Vec<(u32, u32, u32, u32)> = Vec::new();
        for l in 0..lines {
            let mut runs = Vec::new();
            let mut start: Option<u32> = None;
            for i in 0..=len {
                let d = i < len && if horizontal { dark(i, l) } else { dark(l, i) };
                match (d, start) {
                    (true, None) => start = Some(i),
                    (false, Some(s0)) => {
                        if i - s0 >= min_len {
                            runs.push((s0, i));
                        }
                        start = None;
                    }
                    _ => {}
                }
            }
            let mut next_open = Vec::new();
            for r in open.drain(..) {
                if let Some(k) = runs.iter().position(|&(a, b)| a.max(r.0) < b.min(r.1)) {
                    let (a, b) = runs.swap_remove(k);
                    next_open.push((r.0.min(a), r.1.max(b), r.2, l));
                } else {
                    done.push(r);
                }
            }
            for (a, b) in runs {
                next_open.push((a, b, l, l));
            }
            open = next_open;
            if open.len() + done.len() > 10_000 {
                break;
            }
        }
        done.append(&mut open);
        for (a, b, l0, l1) in done {
            if l1 + 1 - l0 > max_thick {
                continue;
            }
            let (a, b, l0, l1) = (a as f32, b as f32, l0 as f32, (l1 + 1) as f32);
            out.push(if horizontal {
                [a, l0, b, l1]
            } else {
                [l0, a, l1, b]
            });
        }
    }
    out
}

/// Three horizontal bands of the page (at a quarter, half and three
/// quarters of its height, each 7% high) stacked into one image: a quick
/// sample of its text for choosing languages.
pub fn sample_bands(image: &GrayImage) -> GrayImage {
    let (w, h) = image.dimensions();
    let band = (h * 7 / 100).max(1).min(h);
    let mut out = GrayImage::from_pixel(w, band * 3, Luma([255]));
    for (i, frac) in [25u32, 50, 75].iter().enumerate() {
        let y0 = (h * frac / 100).saturating_sub(band / 2).min(h - band);
        for y in 0..band {
            for x in 0..w {
                out.put_pixel(x, i as u32 * band + y, *image.get_pixel(x, y0 + y));
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A page of dark horizontal "text lines".
    fn lines_page(w: u32, h: u32) -> GrayImage {
        let mut img = GrayImage::from_pixel(w, h, Luma([255]));
        for y in (100..h - 100).step_by(40) {
            for yy in y..y + 12 {
                for x in (80..w - 80).filter(|x| (x / 9) % 4 != 3) {
                    img.put_pixel(x, yy, Luma([0]));
                }
            }
        }
        img
    }

    #[test]
    fn straight_page_has_no_skew() {
        let img = lines_page(1000, 1200);
        assert_eq!(estimate_skew(&img, otsu(&img)), 0.0);
    }

    #[test]
    fn skew_is_found_and_undone() {
        let img = lines_page(1000, 1200);
        let skewed = rotate(&img, -2.0);
        let t = otsu(&skewed);
        let a = estimate_skew(&skewed, t);
        assert!((a - 2.0).abs() <= 0.25, "estimated {a}");
        let straight = rotate(&skewed, a);
        assert!(estimate_skew(&straight, otsu(&straight)).abs() <= 0.2);
    }

    #[test]
    fn dark_borders_are_removed() {
        let mut img = lines_page(600, 800);
        for y in 0..800 {
            for x in 0..20 {
                img.put_pixel(x, y, Luma([10]));
            }
        }
        let t = otsu(&img);
        clean_borders(&mut img, t);
        assert_eq!(img.get_pixel(5, 400)[0], 255);
        // Text is kept.
        assert_eq!(img.get_pixel(90, 105)[0], 0);
    }

    #[test]
    fn rules_are_found_text_is_not() {
        let mut img = lines_page(1000, 1200);
        // A horizontal rule 3 px thick and a vertical one 2 px thick.
        for y in 600..603 {
            for x in 50..950 {
                img.put_pixel(x, y, Luma([0]));
            }
        }
        for x in 500..502 {
            for y in 700..1150 {
                img.put_pixel(x, y, Luma([0]));
            }
        }
        let rules = find_rules(&img, 225, 15);
        assert_eq!(rules.len(), 2, "{rules:?}");
        assert!(rules.contains(&[50.0, 600.0, 950.0, 603.0]), "{rules:?}");
        assert!(rules.contains(&[500.0, 700.0, 502.0, 1150.0]), "{rules:?}");
    }

    #[test]
    fn low_resolution_is_upscaled() {
        let img = lines_page(400, 500);
        let p = prepare(img, 150.0);
        assert!((p.scale - 2.0).abs() < 0.01, "{}", p.scale);
        assert_eq!(p.image.width(), 800);
    }
}
