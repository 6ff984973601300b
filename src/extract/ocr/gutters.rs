//! Column gutters running through detected text lines.
//!
//! Contract: given a page image (8-bit gray, 0 = black), the ruling lines
//! found on it and the axis-aligned boxes of the text lines a detector
//! found (pixels), [`cuts`] returns, for each box, the x positions where a
//! column gutter runs through it; the line must be cut there before it is
//! read. Pure: nothing but the pixels and the boxes is used.
//!
//! Why: a text detector sees ink, not columns. Where two columns stand
//! less than about an em apart (common in Chinese dailies) its boxes run
//! from one column into the next, and the recogniser then reads the gutter
//! as a character (`简称青：近年`, a colon where the gutter is) and
//! one line of text out of two columns.
//!
//! How: a gap in a line is a run of ink-free pixel columns at least half
//! an em wide. Inside one line such a gap can also be a word space, a
//! justified space or the blank half of CJK punctuation (`，`). A gutter is
//! told apart by what lies above and below it: the same pixel columns are
//! blank in the neighbouring lines too (a gutter runs down the column),
//! while those lines carry ink just left and right of it (they are column
//! text). Ruling lines are taken out of the ink first, so that a rule under
//! or beside the text does not hide the gutter. Sizes are measured on the
//! ink (a line's tallest band of inked rows is about 0.9 em), not on the
//! detector's grown boxes. Display lines (taller than the page's common
//! line) are never cut: a headline's spaced halves may stand over a
//! gutter. A tall box whose pieces all carry body-sized ink is no display
//! line but lines of neighbouring columns on other baselines, which the
//! detector joined; it is cut.

use image::GrayImage;

/// Dark pixels of a page, with ruling lines removed.
pub struct Ink {
    width: u32,
    height: u32,
    dark: Vec<bool>,
}

impl Ink {
    /// Pixels at or below Otsu's threshold are ink; pixels inside `rules`
    /// (`[x0, y0, x1, y1]`, grown by a pixel) are not.
    pub fn new(image: &GrayImage, rules: &[[f32; 4]]) -> Ink {
        let (width, height) = image.dimensions();
        let t = super::preprocess::otsu(image);
        let mut dark: Vec<bool> = image.as_raw().iter().map(|&v| v <= t).collect();
        for r in rules {
            let x0 = (r[0] - 1.0).max(0.0) as u32;
            let y0 = (r[1] - 1.0).max(0.0) as u32;
            let x1 = ((r[2] + 1.0).max(0.0) as u32).min(width);
            let y1 = ((r[3] + 1.0).max(0.0) as u32).min(height);
            for y in y0..y1 {
                let row = (y * width) as usize;
                for x in x0..x1 {
                    dark[row + x as usize] = false;
                }
            }
        }
        Ink {
            width,
            height,
            dark,
        }
    }

    /// Dark pixels in each column `x0..x1` over the rows `y0..y1`.
    fn column_counts(&self, x0: u32, x1: u32, y0: u32, y1: u32) -> Vec<u32> {
        let mut counts = vec![0u32; x1.saturating_sub(x0) as usize];
        for y in y0..y1.min(self.height) {
            let row = (y * self.width) as usize;
            for (i, x) in (x0..x1.min(self.width)).enumerate() {
                if self.dark[row + x as usize] {
                    counts[i] += 1;
                }
            }
        }
        counts
    }

    /// The tallest run of rows of box `b` (`[x0, y0, x1, y1]`) with ink
    /// on more than a twenty-fifth of its width: the height of a text
    /// line's ink. (A row through a line of text crosses a few strokes of
    /// every character; the rows between two lines hold only noise and
    /// the tips of a few marks, and must part them even where the
    /// leading is tight.)
    fn band(&self, b: [f32; 4]) -> u32 {
        let clamp_x = |v: f32| (v.max(0.0) as u32).min(self.width);
        let clamp_y = |v: f32| (v.max(0.0) as u32).min(self.height);
        let (x0, x1) = (clamp_x(b[0].floor()), clamp_x(b[2].ceil()));
        let (y0, y1) = (clamp_y(b[1].floor()), clamp_y(b[3].ceil()));
        if x1 <= x0 {
            return 0;
        }
        let speck = 1 + (x1 - x0) / 25;
        let (mut run, mut band) = (0u32, 0u32);
        for y in y0..y1 {
            if self.row_ink(x0, x1, y) > speck {
                run += 1;
                band = band.max(run);
            } else {
                run = 0;
            }
        }
        band
    }

    /// Dark pixels of row `y` in columns `x0..x1`.
    fn row_ink(&self, x0: u32, x1: u32, y: u32) -> u32 {
        if y >= self.height {
            return 0;
        }
        let row = (y * self.width) as usize;
        (x0..x1.min(self.width))
            .filter(|&x| self.dark[row + x as usize])
            .count() as u32
    }

    /// Rows among `y0..y1` with ink anywhere in columns `x0..x1`.
    fn inked_rows(&self, x0: u32, x1: u32, y0: u32, y1: u32) -> u32 {
        let (x1, y1) = (x1.min(self.width), y1.min(self.height));
        (y0..y1)
            .filter(|&y| {
                let row = (y * self.width) as usize;
                (x0..x1).any(|x| self.dark[row + x as usize])
            })
            .count() as u32
    }
}

/// For each line box (`[x0, y0, x1, y1]`, pixels), the x positions where
/// a column gutter cuts it, left to right (see the module doc).
pub fn cuts(ink: &Ink, boxes: &[[f32; 4]]) -> Vec<Vec<f32>> {
    let mut heights: Vec<f32> = boxes
        .iter()
        .map(|b| b[3] - b[1])
        .filter(|h| *h > 0.0)
        .collect();
    heights.sort_by(f32::total_cmp);
    let common = heights.get(heights.len() / 2).copied().unwrap_or(0.0);
    if common <= 0.0 {
        return vec![Vec::new(); boxes.len()];
    }
    // Type size from the ink, not from the detector's box (which is grown
    // by a margin that depends on the detector): the tallest band of
    // inked rows of a line is about 0.9 em (a CJK character's ink; a Latin
    // line's ascenders to descenders about as much). The page's em is the
    // median over the lines of the page's common height.
    // A box joining lines of two columns on other baselines has a tall
    // band over its whole width but a body band in each column: the band
    // of a line is the median over slices three common heights wide
    // (about four ems, narrower than a column).
    let bands: Vec<f32> = boxes
        .iter()
        .map(|b| {
            let n = ((b[2] - b[0]) / (3.0 * common)).floor().max(1.0) as usize;
            let w = (b[2] - b[0]) / n as f32;
            let mut v: Vec<u32> = (0..n)
                .map(|k| {
                    let x = b[0] + k as f32 * w;
                    ink.band([x, b[1], x + w, b[3]])
                })
                .collect();
            v.sort_unstable();
            v[v.len() / 2] as f32
        })
        .collect();
    let mut body_bands: Vec<f32> = boxes
        .iter()
        .zip(&bands)
        .filter(|(b, band)| b[3] - b[1] <= 1.3 * common && **band > 0.0)
        .map(|(_, band)| *band)
        .collect();
    body_bands.sort_by(f32::total_cmp);
    let Some(&page_band) = body_bands.get(body_bands.len() / 2) else {
        return vec![Vec::new(); boxes.len()];
    };
    let page_em = page_band / 0.9;
    // Boxes whose ink is body-sized (at most 1.15 times the page's band,
    // below the 1.25 of the smallest display type), however tall the box.
    let body: Vec<bool> = bands.iter().map(|&v| v <= 1.15 * page_band).collect();
    (0..boxes.len())
        .map(|i| {
            let b = boxes[i];
            let h = b[3] - b[1];
            if b[2] - b[0] < 2.0 * h.min(common) {
                return Vec::new();
            }
            if h <= 1.3 * common {
                // Smaller type than the page's is measured at the page's
                // size: its gaps must be as wide as a body gutter.
                let em = page_em.max(bands[i] / 0.9);
                return line_cuts(ink, (boxes, &body), i, h, em);
            }
            // A box taller than the page's line is a display line, or
            // lines of neighbouring columns set on other baselines that
            // the detector joined into one (a narrow gutter, columns not
            // aligned). It is measured at the page's line, and cut only
            // when every piece is text of the page's size: display type
            // is at least a quarter larger than body type, and a
            // headline's spaced halves may stand over a gutter.
            let xs = line_cuts(ink, (boxes, &body), i, common, page_em);
            if xs.is_empty() || !pieces_are_body(ink, b, &xs, page_band) {
                Vec::new()
            } else {
                xs
            }
        })
        .collect()
}

/// Whether the pieces of box `b` between the cuts `xs` all carry ink no
/// taller than body text: their tallest band of inked rows (a text line;
/// the box may also reach into the lines above and below it in its
/// column) at most 1.15 times the page's (`page_band`), below the 1.25
/// of the smallest display type.
fn pieces_are_body(ink: &Ink, b: [f32; 4], xs: &[f32], page_band: f32) -> bool {
    let mut edges = vec![b[0]];
    edges.extend_from_slice(xs);
    edges.push(b[2]);
    edges
        .windows(2)
        .all(|w| ink.band([w[0], b[1], w[1], b[3]]) as f32 <= 1.15 * page_band)
}

/// Lines that can show a gutter beside line `i` (of line height `h`):
/// boxes within four line heights above or below it, reaching into the x
/// range `x0..x1`, of about its height (0.7 to 1.4 times) or up to 2.5
/// times it with body-sized ink (`body`: lines of two columns the
/// detector joined; a headline is no column text); their row ranges,
/// overlapping ones merged, each with the number of boxes it holds.
fn neighbour_rows(
    (boxes, body): (&[[f32; 4]], &[bool]),
    i: usize,
    h: f32,
    x0: f32,
    x1: f32,
) -> Vec<(u32, u32, u32)> {
    let b = boxes[i];
    let mut rows: Vec<(u32, u32)> = boxes
        .iter()
        .enumerate()
        .filter(|&(j, o)| {
            let oh = o[3] - o[1];
            let (oc, c) = ((o[1] + o[3]) / 2.0, (b[1] + b[3]) / 2.0);
            let sized =
                (oh >= 0.7 * h && oh <= 1.4 * h) || (oh > 1.4 * h && oh <= 2.5 * h && body[j]);
            j != i
                && sized
                && (oc - c).abs() <= 4.0 * h
                && (oc - c).abs() >= 0.6 * h
                && o[0] < x1
                && o[2] > x0
        })
        .map(|(_, o)| (o[1].max(0.0) as u32, o[3].max(0.0).ceil() as u32))
        .collect();
    rows.sort();
    let mut merged: Vec<(u32, u32, u32)> = Vec::new();
    for r in rows {
        match merged.last_mut() {
            Some(m) if r.0 < m.1 => {
                m.1 = m.1.max(r.1);
                m.2 += 1;
            }
            _ => merged.push((r.0, r.1, 1)),
        }
    }
    merged
}

/// The gutters through line `i`, of line height `line_h` (its box, or
/// the page's common box for a joined box) and type size `em` (pixels).
fn line_cuts(
    ink: &Ink,
    (boxes, body): (&[[f32; 4]], &[bool]),
    i: usize,
    line_h: f32,
    em: f32,
) -> Vec<f32> {
    let b = boxes[i];
    let clamp_x = |v: f32| (v.max(0.0) as u32).min(ink.width);
    let clamp_y = |v: f32| (v.max(0.0) as u32).min(ink.height);
    let (x0, x1) = (clamp_x(b[0].floor()), clamp_x(b[2].ceil()));
    let (y0, y1) = (clamp_y(b[1].floor()), clamp_y(b[3].ceil()));
    let hb = y1.saturating_sub(y0);
    if line_h < 4.0 || em < 3.0 || (x1 - x0) as f32 <= 2.0 * line_h {
        return Vec::new();
    }
    // A dust speck or two may sit in a gap.
    let speck = 1 + hb / 30;
    let counts = ink.column_counts(x0, x1, y0, y1);
    let blank: Vec<bool> = counts.iter().map(|&c| c <= speck).collect();
    let Some(first) = blank.iter().position(|b| !b) else {
        return Vec::new();
    };
    let last = blank.iter().rposition(|b| !b).unwrap_or(first);
    let mut out = Vec::new();
    let mut k = first;
    while k <= last {
        if !blank[k] {
            k += 1;
            continue;
        }
        let start = k;
        while k <= last && blank[k] {
            k += 1;
        }
        let (a, z) = (x0 + start as u32, x0 + k as u32);
        if ((z - a) as f32) < 0.45 * em {
            continue;
        }
        let rows = neighbour_rows((boxes, body), i, line_h, a as f32 - em, z as f32 + em);
        if let Some(x) = gutter_in_gap(ink, a, z, &rows, em, speck) {
            out.push(x);
        }
    }
    out
}

/// Where, inside the gap `a..z` of a line, a gutter runs down through the
/// neighbouring lines `rows` (row range, lines in it; type size `em`),
/// if it does. A neighbouring line supports a
/// pixel column when it is blank there and has ink within an em on both
/// sides of its blank run (it is column text, not a line's end); it
/// contradicts it when it has ink there. The gutter is the run of columns
/// supported by at least two lines and by more than twice as many as
/// contradict it; the cut is its middle.
fn gutter_in_gap(
    ink: &Ink,
    a: u32,
    z: u32,
    rows: &[(u32, u32, u32)],
    em: f32,
    speck: u32,
) -> Option<f32> {
    let width = (z - a) as usize;
    let flank = em.ceil() as u32;
    let needed = (0.25 * em).max(2.0) as u32;
    let mut support = vec![0u32; width];
    let mut contra = vec![0u32; width];
    for &(r0, r1, lines) in rows {
        // Rows merged from overlapping boxes hold several lines: each
        // counts.
        let counts = ink.column_counts(a, z, r0, r1);
        let blank: Vec<bool> = counts.iter().map(|&c| c <= speck).collect();
        let mut k = 0;
        while k < width {
            if !blank[k] {
                contra[k] += lines;
                k += 1;
                continue;
            }
            let s = k;
            while k < width && blank[k] {
                k += 1;
            }
            // The blank run of this line around columns s..k, widened to
            // where its ink really begins outside the gap.
            let (mut g0, mut g1) = (a + s as u32, a + k as u32);
            if s == 0 {
                while g0 > a.saturating_sub(flank)
                    && g0 > 0
                    && ink.inked_rows(g0 - 1, g0, r0, r1) <= speck
                {
                    g0 -= 1;
                }
            }
            if k == width {
                while g1 < z + flank && ink.inked_rows(g1, g1 + 1, r0, r1) <= speck {
                    g1 += 1;
                }
            }
            let column_text = ink.inked_rows(g0.saturating_sub(flank), g0, r0, r1) >= needed
                && ink.inked_rows(g1, g1 + flank, r0, r1) >= needed;
            if column_text {
                for v in &mut support[s..k] {
                    *v += lines;
                }
            }
        }
    }
    let ok = |k: usize| support[k] >= 2 && support[k] > 2 * contra[k];
    let (mut best, mut run_start) = (None::<(usize, usize)>, None::<usize>);
    for k in 0..=width {
        match (k < width && ok(k), run_start) {
            (true, None) => run_start = Some(k),
            (false, Some(s)) => {
                if best.is_none_or(|(p, q)| k - s > q - p) {
                    best = Some((s, k));
                }
                run_start = None;
            }
            _ => {}
        }
    }
    let (s, e) = best?;
    // A gutter is wider than the gap between two characters. CJK text is
    // set on a grid, so the thin blanks between characters (about a tenth
    // of an em, a fifth after blur) line up down a column just like a
    // gutter; measured on the degraded fixtures, gutters came out at 0.95
    // to 1.3 em and grid blanks at 0.4 em at most.
    if ((e - s) as f32) < (0.45 * em).max(2.0) {
        return None;
    }
    Some(a as f32 + (s + e) as f32 / 2.0)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A page of text lines drawn as blocks of "characters" (dark squares
    /// with gaps), in columns `cols` (x ranges), lines 30 px high at a
    /// 45 px pitch.
    fn page(cols: &[(u32, u32)], lines: u32, punct_gap_at: Option<(u32, u32)>) -> GrayImage {
        let mut img = GrayImage::from_pixel(600, 60 + lines * 45, image::Luma([230]));
        for l in 0..lines {
            let y = 30 + l * 45;
            for &(c0, c1) in cols {
                let mut x = c0;
                while x + 24 <= c1 {
                    let skip =
                        punct_gap_at.is_some_and(|(pl, px)| pl == l && x >= px && x < px + 24);
                    if !skip {
                        for yy in y + 3..y + 27 {
                            for xx in x + 2..x + 22 {
                                // Strokes: every other row pair.
                                if (yy / 3) % 2 == 0 || xx % 7 == 0 {
                                    img.put_pixel(xx, yy, image::Luma([30]));
                                }
                            }
                        }
                    }
                    x += 24;
                }
            }
        }
        img
    }

    /// The boxes a detector finds for `lines` lines of `cols`, line
    /// `skip` left out.
    fn column_boxes(cols: &[(u32, u32)], lines: u32, skip: u32) -> Vec<[f32; 4]> {
        let mut out = Vec::new();
        for l in (0..lines).filter(|&l| l != skip) {
            let y = 30.0 + l as f32 * 45.0;
            for &(c0, c1) in cols {
                out.push([c0 as f32 - 2.0, y, c1 as f32 + 2.0, y + 30.0]);
            }
        }
        out
    }

    #[test]
    fn a_line_across_a_narrow_gutter_is_cut_in_it() {
        // Two columns 20 px apart (less than an em of 24 px).
        let img = page(&[(20, 284), (304, 568)], 5, None);
        let ink = Ink::new(&img, &[]);
        // The detector's box for line 2 spans both columns; the others
        // were found column by column.
        let mut boxes = vec![[18.0, 120.0, 570.0, 150.0]];
        boxes.extend(column_boxes(&[(20, 284), (304, 568)], 5, 2));
        let c = cuts(&ink, &boxes);
        assert_eq!(c[0].len(), 1, "{c:?}");
        assert!(c[0][0] > 280.0 && c[0][0] < 308.0, "{c:?}");
        assert!(c[1..].iter().all(|c| c.is_empty()), "{c:?}");
    }

    #[test]
    fn lines_of_two_columns_on_other_baselines_are_cut() {
        // Two columns 20 px apart, the right one set 14 px lower: the
        // detector joined line 2 of the left column and line 2 of the
        // right one into one box 44 px high (the page's line is 30).
        let mut img = page(&[(20, 284)], 5, None);
        let right = page(&[(304, 568)], 5, None);
        for y in 0..img.height() - 14 {
            for x in 300..600 {
                let v = right.get_pixel(x, y)[0];
                img.put_pixel(x, y + 14, image::Luma([v]));
            }
        }
        let ink = Ink::new(&img, &[]);
        let mut boxes = vec![[18.0, 120.0, 570.0, 164.0]];
        for l in (0..5).filter(|&l| l != 2) {
            let y = 30.0 + l as f32 * 45.0;
            boxes.push([18.0, y, 286.0, y + 30.0]);
            boxes.push([302.0, y + 14.0, 570.0, y + 44.0]);
        }
        let c = cuts(&ink, &boxes);
        assert_eq!(c[0].len(), 1, "{c:?}");
        assert!(c[0][0] > 280.0 && c[0][0] < 308.0, "{c:?}");
    }

    #[test]
    fn a_display_line_over_a_gutter_is_not_cut() {
        // A headline 60 px high, its halves apart over the gutter of the
        // two columns under it.
        let mut img = page(&[(20, 284), (304, 568)], 6, None);
        for y in 30..72 {
            for x in (20..284).chain(304..568) {
                img.put_pixel(x, y, image::Luma([if (x / 4) % 2 == 0 { 20 } else { 230 }]));
            }
        }
        let ink = Ink::new(&img, &[]);
        let mut boxes = vec![[18.0, 20.0, 570.0, 80.0]];
        boxes.extend(column_boxes(&[(20, 284), (304, 568)], 6, 0));
        assert!(cuts(&ink, &boxes)[0].is_empty());
    }

    #[test]
    fn a_gap_inside_one_column_is_no_gutter() {
        // One wide column; line 2 has a character missing (a punctuation
        // gap), the lines above and below are full there.
        let img = page(&[(20, 572)], 5, Some((2, 284)));
        let ink = Ink::new(&img, &[]);
        let boxes = column_boxes(&[(20, 572)], 5, 99);
        assert!(cuts(&ink, &boxes).iter().all(|c| c.is_empty()));
    }

    #[test]
    fn a_lone_line_with_a_gap_is_not_cut() {
        // Nothing above or below: no column text shows a gutter.
        let img = page(&[(20, 284), (304, 568)], 1, None);
        let ink = Ink::new(&img, &[]);
        let boxes = [[18.0, 30.0, 570.0, 60.0]];
        assert!(cuts(&ink, &boxes)[0].is_empty());
    }

    #[test]
    fn a_rule_in_the_gutter_does_not_hide_it() {
        let mut img = page(&[(20, 284), (304, 568)], 5, None);
        for y in 10..img.height() - 10 {
            for x in 290..298 {
                img.put_pixel(x, y, image::Luma([20]));
            }
        }
        let mut boxes = vec![[18.0, 120.0, 570.0, 150.0]];
        boxes.extend(column_boxes(&[(20, 284), (304, 568)], 5, 2));
        // Without the rule known, its ink fills the gap.
        assert!(cuts(&Ink::new(&img, &[]), &boxes)[0].is_empty());
        let rule = [290.0, 10.0, 298.0, img.height() as f32 - 10.0];
        assert_eq!(cuts(&Ink::new(&img, &[rule]), &boxes)[0].len(), 1);
    }
}
