//! Picture regions (photos, drawings) found in the ink of a scanned page.
//!
//! Contract: given a page image (8-bit gray, 0 = black) and the boxes of
//! the words an engine read on it (pixels), [`find`] returns the boxes
//! (`[x0, y0, x1, y1]`, pixels) of the areas printed in tone rather than in
//! text. Pure: nothing but the pixels and the word boxes is used.
//!
//! Why: layout needs the photos of a page. A photo between a headline and
//! its body is what tells them apart from a headline over nothing, a photo
//! ends the columns above it, and the line under it is its caption. A
//! text layer names its images; a text detector (PP-OCR) finds text only.
//! The edges inside a photo (a roof, a horizon) also look like ruling
//! lines to the rule finder, and cut the page where nothing separates.
//!
//! How: the page is cut into cells a third of a text line high. Text is
//! dark strokes on paper: most pixels of a text cell stay at the paper's
//! tone. A photo's half-tones are grey throughout: the median pixel of its
//! cells lies well below the paper. Cells under words are left out (a
//! heavy headline is dark too). Toned cells joined into an area at least
//! four text lines high and wide, mostly toned and holding few words, are
//! a picture: type smaller than that is a rule, an ornament or a stain,
//! and an area full of words is a tinted box of text.

use image::GrayImage;

/// Picture boxes on `image`, given the engine's word boxes (see the
/// module doc).
pub fn find(image: &GrayImage, words: &[[f32; 4]]) -> Vec<[f32; 4]> {
    let (w, h) = image.dimensions();
    // The page's text line: the median word height (ink or detector box).
    let mut heights: Vec<f32> = words
        .iter()
        .map(|b| b[3] - b[1])
        .filter(|v| *v > 1.0)
        .collect();
    if heights.len() < 10 {
        return Vec::new();
    }
    heights.sort_by(f32::total_cmp);
    let line = heights[heights.len() / 2];
    let cell = ((line / 3.0).round() as u32).max(3);
    let (cw, ch) = (w / cell, h / cell);
    if cw < 4 || ch < 4 {
        return Vec::new();
    }
    let raw = image.as_raw();
    // Median gray of each cell (a histogram per cell).
    let mut medians = vec![255u8; (cw * ch) as usize];
    let mut hist = [0u32; 256];
    for cy in 0..ch {
        for cx in 0..cw {
            hist.fill(0);
            for y in cy * cell..(cy + 1) * cell {
                let row = (y * w) as usize;
                for x in cx * cell..(cx + 1) * cell {
                    hist[raw[row + x as usize] as usize] += 1;
                }
            }
            let half = cell * cell / 2;
            let mut acc = 0;
            for (v, n) in hist.iter().enumerate() {
                acc += n;
                if acc > half {
                    medians[(cy * cw + cx) as usize] = v as u8;
                    break;
                }
            }
        }
    }
    // Paper: the tone of most cells; ink: the page's darkest strokes. A
    // cell is toned when its median lies below the paper by more than a
    // sixth of the ink-to-paper contrast (uneven lighting moves the paper
    // by less; a half-tone by more).
    let mut sorted = medians.clone();
    sorted.sort_unstable();
    let paper = sorted[sorted.len() * 3 / 4] as f32;
    let ink = {
        let mut all = [0u64; 256];
        for &p in raw {
            all[p as usize] += 1;
        }
        let target = raw.len() as u64 / 50;
        let mut acc = 0;
        all.iter()
            .position(|&n| {
                acc += n;
                acc > target
            })
            .unwrap_or(0) as f32
    };
    if paper - ink < 40.0 {
        return Vec::new();
    }
    let toned_below = paper - (paper - ink) / 6.0;
    let mut toned: Vec<bool> = medians.iter().map(|&m| (m as f32) < toned_below).collect();
    // Cells under words are text, however dark.
    let mut worded = vec![false; toned.len()];
    for b in words {
        let x0 = (b[0].max(0.0) as u32 / cell).min(cw);
        let y0 = (b[1].max(0.0) as u32 / cell).min(ch);
        let x1 = ((b[2].max(0.0) as u32).div_ceil(cell)).min(cw);
        let y1 = ((b[3].max(0.0) as u32).div_ceil(cell)).min(ch);
        for cy in y0..y1 {
            for cx in x0..x1 {
                worded[(cy * cw + cx) as usize] = true;
            }
        }
    }
    for (t, &wd) in toned.iter_mut().zip(&worded) {
        *t &= !wd;
    }
    // Connected areas of toned cells (8-neighbours), as cell boxes.
    let mut seen = vec![false; toned.len()];
    let mut areas: Vec<[u32; 4]> = Vec::new();
    let mut stack = Vec::new();
    for start in 0..toned.len() {
        if !toned[start] || seen[start] {
            continue;
        }
        seen[start] = true;
        stack.push(start);
        let mut bb = [u32::MAX, u32::MAX, 0, 0];
        while let Some(i) = stack.pop() {
            let (x, y) = (i as u32 % cw, i as u32 / cw);
            bb = [
                bb[0].min(x),
                bb[1].min(y),
                bb[2].max(x + 1),
                bb[3].max(y + 1),
            ];
            for dy in -1i32..=1 {
                for dx in -1i32..=1 {
                    let (nx, ny) = (x as i32 + dx, y as i32 + dy);
                    if nx < 0 || ny < 0 || nx >= cw as i32 || ny >= ch as i32 {
                        continue;
                    }
                    let j = (ny as u32 * cw + nx as u32) as usize;
                    if toned[j] && !seen[j] {
                        seen[j] = true;
                        stack.push(j);
                    }
                }
            }
        }
        areas.push(bb);
    }
    // A photo's light parts (sky, a white wall) split it: areas whose boxes
    // overlap are one picture.
    let mut merged = true;
    while merged {
        merged = false;
        'outer: for i in 0..areas.len() {
            for j in i + 1..areas.len() {
                let (a, b) = (areas[i], areas[j]);
                if a[0] < b[2] && b[0] < a[2] && a[1] < b[3] && b[1] < a[3] {
                    areas[i] = [
                        a[0].min(b[0]),
                        a[1].min(b[1]),
                        a[2].max(b[2]),
                        a[3].max(b[3]),
                    ];
                    areas.swap_remove(j);
                    merged = true;
                    break 'outer;
                }
            }
        }
    }
    let min_side = (4.0 * line / cell as f32).ceil() as u32;
    areas
        .into_iter()
        .filter(|a| {
            let (aw, ah) = (a[2] - a[0], a[3] - a[1]);
            if aw < min_side || ah < min_side {
                return false;
            }
            let (mut tone, mut word) = (0u32, 0u32);
            for cy in a[1]..a[3] {
                for cx in a[0]..a[2] {
                    let i = (cy * cw + cx) as usize;
                    tone += u32::from(toned[i]);
                    word += u32::from(worded[i]);
                }
            }
            let n = aw * ah;
            2 * tone >= n && 5 * word <= n
        })
        .map(|a| {
            [
                (a[0] * cell) as f32,
                (a[1] * cell) as f32,
                (a[2] * cell) as f32,
                (a[3] * cell) as f32,
            ]
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A page with text-like strokes in a column and a grey photo.
    fn page() -> (GrayImage, Vec<[f32; 4]>) {
        let mut img = GrayImage::from_pixel(800, 1000, image::Luma([225]));
        let mut words = Vec::new();
        for l in 0..20u32 {
            let y = 40 + l * 45;
            for k in 0..5u32 {
                let x = 40 + k * 60;
                for yy in y..y + 30 {
                    for xx in x..x + 50 {
                        if (xx + yy) % 5 == 0 {
                            img.put_pixel(xx, yy, image::Luma([30]));
                        }
                    }
                }
                words.push([x as f32, y as f32, (x + 50) as f32, (y + 30) as f32]);
            }
        }
        // The photo: grey with a darker figure and a light sky band.
        for y in 300..700 {
            for x in 420..760 {
                let v = if y < 380 {
                    200
                } else if x > 600 {
                    70
                } else {
                    130
                };
                img.put_pixel(x, y, image::Luma([v]));
            }
        }
        (img, words)
    }

    #[test]
    fn a_grey_area_is_a_picture_and_text_is_not() {
        let (img, words) = page();
        let p = find(&img, &words);
        assert_eq!(p.len(), 1, "{p:?}");
        let b = p[0];
        assert!(b[0] <= 430.0 && b[2] >= 750.0, "{b:?}");
        assert!(b[1] <= 390.0 && b[3] >= 690.0, "{b:?}");
    }

    #[test]
    fn a_rule_is_no_picture() {
        let (mut img, words) = page();
        for y in 300..700 {
            for x in 420..760 {
                img.put_pixel(x, y, image::Luma([225]));
            }
        }
        for y in 500..506 {
            for x in 420..760 {
                img.put_pixel(x, y, image::Luma([20]));
            }
        }
        assert!(find(&img, &words).is_empty());
    }
}
