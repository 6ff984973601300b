//! The content-stream interpreter: graphics and text state, glyph
//! positions one code at a time, paths (for rules and boxes), images and
//! Form XObjects.

use std::collections::HashMap;
use std::rc::Rc;
use std::sync::{Arc, Mutex};

use lopdf::{Dictionary, Object, ObjectId};

use super::font::Font;
use super::lexer::{Lexer, Obj};
use super::objects::{
    as_dict, get, get_array, get_dict, get_name, get_num, last_filter, numbers, ref_id, resolve,
    stream_data, Objs,
};
use super::ImagePlacement;
use crate::model::{BBox, Glyph, Warning};

/// Deepest Form XObject nesting followed.
const MAX_FORM_DEPTH: usize = 12;
/// Most operators executed for one page (forms included).
const MAX_OPS: usize = 20_000_000;
/// Deepest `q` nesting kept.
const MAX_GSTATE: usize = 256;
/// Most points in one path.
const MAX_PATH_POINTS: usize = 200_000;
/// Most rules/boxes/images kept per page.
const MAX_GRAPHICS: usize = 100_000;
/// A filled rectangle thinner than this (points) is a rule...
const RULE_THICKNESS: f64 = 2.0;
/// ...when longer than this.
const RULE_LENGTH: f64 = 10.0;
/// Coordinates beyond this (points) are absurd: the glyph is skipped.
const MAX_COORD: f64 = 1.0e7;

/// An affine matrix `[a b c d e f]`, row-vector convention as in PDF.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) struct Matrix {
    pub a: f64,
    pub b: f64,
    pub c: f64,
    pub d: f64,
    pub e: f64,
    pub f: f64,
}

impl Matrix {
    pub(crate) const IDENTITY: Matrix = Matrix {
        a: 1.0,
        b: 0.0,
        c: 0.0,
        d: 1.0,
        e: 0.0,
        f: 0.0,
    };

    pub(crate) fn new(v: [f64; 6]) -> Matrix {
        Matrix {
            a: v[0],
            b: v[1],
            c: v[2],
            d: v[3],
            e: v[4],
            f: v[5],
        }
    }

    /// `self × other`: apply `self`, then `other`.
    #[inline]
    pub(crate) fn mul(&self, o: &Matrix) -> Matrix {
        Matrix {
            a: self.a * o.a + self.b * o.c,
            b: self.a * o.b + self.b * o.d,
            c: self.c * o.a + self.d * o.c,
            d: self.c * o.b + self.d * o.d,
            e: self.e * o.a + self.f * o.c + o.e,
            f: self.e * o.b + self.f * o.d + o.f,
        }
    }

    #[inline]
    pub(crate) fn apply(&self, x: f64, y: f64) -> (f64, f64) {
        (
            x * self.a + y * self.c + self.e,
            x * self.b + y * self.d + self.f,
        )
    }

    fn is_finite(&self) -> bool {
        [self.a, self.b, self.c, self.d, self.e, self.f]
            .iter()
            .all(|v| v.is_finite())
    }
}

#[derive(Debug, Clone, Copy, PartialEq)]
enum ColorSpace {
    Gray,
    Rgb,
    Cmyk,
    /// One tint component over black-ish ink (Separation, DeviceN with 1).
    Tint,
    /// An Indexed space (its lookup table is not read: colour unchanged).
    Indexed,
    /// Pattern or anything unknown: colour unchanged.
    Other,
}

#[derive(Clone)]
struct GState {
    ctm: Matrix,
    fill: [f32; 3],
    stroke: [f32; 3],
    fill_space: ColorSpace,
    stroke_space: ColorSpace,
    line_width: f64,
    font: Option<Rc<LoadedFont>>,
    font_size: f64,
    char_spacing: f64,
    word_spacing: f64,
    hscale: f64,
    leading: f64,
    rise: f64,
    render_mode: u8,
    /// Bounds of the clipping path (page space); `None` is the whole page.
    /// Only its bounding box is kept: enough to cut an image placed with
    /// `cover` fit down to what shows.
    clip: Option<BBox>,
}

/// A font with its page-local index (for per-font warnings).
pub(crate) struct LoadedFont {
    pub font: Arc<Font>,
    pub index: usize,
}

#[derive(Default)]
struct SubPath {
    pts: Vec<(f64, f64)>,
    closed: bool,
    curved: bool,
    rect: bool,
}

/// What one page yields, before the post-pass.
#[derive(Default)]
pub(crate) struct PageOut {
    pub glyphs: Vec<Glyph>,
    /// Per glyph: (text run id, page-local font index).
    pub meta: Vec<(u32, usize)>,
    pub rules: Vec<BBox>,
    pub boxes: Vec<BBox>,
    pub images: Vec<ImagePlacement>,
    /// Per image: glyphs emitted before it, and whether it is opaque.
    pub image_meta: Vec<(usize, bool)>,
    pub warnings: Vec<Warning>,
    /// Page-local fonts by index.
    pub fonts: Vec<FontUse>,
}

/// A font used on the page, for per-font warnings.
pub(crate) struct FontUse {
    pub name: Arc<str>,
    /// Glyphs without Unicode.
    pub unmapped: usize,
    /// Glyphs drawn (counted only for fonts with estimated widths).
    pub estimated: usize,
}

/// Most fonts kept parsed between pages. A font is parsed again when a
/// page needs it after it was let go, which gives the same font: the cache
/// changes the time, never the result.
const MAX_CACHED_FONTS: usize = 256;

/// Shared across pages (and threads): parsed fonts by object id, the most
/// recently used [`MAX_CACHED_FONTS`] of them, so that a file binding many
/// issues, each with its own fonts, does not keep every one for the whole
/// run.
#[derive(Default)]
pub(crate) struct FontCache {
    inner: Mutex<CachedFonts>,
}

#[derive(Default)]
struct CachedFonts {
    /// Font and when it was last asked for.
    fonts: HashMap<ObjectId, (Arc<Font>, u64)>,
    clock: u64,
}

impl FontCache {
    fn get(&self, id: ObjectId) -> Option<Arc<Font>> {
        let mut cached = self.inner.lock().unwrap_or_else(|e| e.into_inner());
        cached.clock += 1;
        let now = cached.clock;
        cached.fonts.get_mut(&id).map(|(font, used)| {
            *used = now;
            font.clone()
        })
    }

    fn insert(&self, id: ObjectId, font: Arc<Font>) {
        let mut cached = self.inner.lock().unwrap_or_else(|e| e.into_inner());
        cached.clock += 1;
        let now = cached.clock;
        if cached.fonts.len() >= MAX_CACHED_FONTS && !cached.fonts.contains_key(&id) {
            // The older half goes: one pass over the cache per half of it
            // filled again.
            let mut ages: Vec<u64> = cached.fonts.values().map(|(_, used)| *used).collect();
            let half = ages.len() / 2;
            let (_, &mut cut, _) = ages.select_nth_unstable(half);
            cached.fonts.retain(|_, (_, used)| *used > cut);
        }
        cached.fonts.insert(id, (font, now));
    }
}

pub(crate) struct Interp<'d> {
    doc: &'d Objs<'d>,
    cache: &'d FontCache,
    /// Page-local fonts: by object id, or by address for direct dicts.
    page_fonts: HashMap<(ObjectId, usize), Rc<LoadedFont>>,
    forms: HashMap<ObjectId, Rc<Vec<u8>>>,
    device: Matrix,
    /// The page box in page space, to drop what lies entirely outside.
    page_box: BBox,
    gs: GState,
    stack: Vec<GState>,
    /// `q`s not pushed because the stack was full.
    dropped_q: usize,
    tm: Matrix,
    tlm: Matrix,
    path: Vec<SubPath>,
    path_points: usize,
    run: u32,
    ops: usize,
    warned: Warned,
    pub out: PageOut,
}

#[derive(Default)]
struct Warned {
    depth: bool,
    ops: bool,
    graphics: bool,
    form: bool,
    font: bool,
}

impl FontUse {
    fn new(font: &Font) -> FontUse {
        FontUse {
            name: font.name.clone(),
            unmapped: 0,
            estimated: 0,
        }
    }
}

fn nums<const N: usize>(ops: &[Obj]) -> Option<[f64; N]> {
    if ops.len() < N {
        return None;
    }
    let mut out = [0.0; N];
    for (slot, o) in out.iter_mut().zip(&ops[ops.len() - N..]) {
        *slot = o.num()?;
    }
    out.iter().all(|v| v.is_finite()).then_some(out)
}

fn clamp01(v: f64) -> f32 {
    if v.is_nan() {
        0.0
    } else {
        v.clamp(0.0, 1.0) as f32
    }
}

fn cmyk(c: f64, m: f64, y: f64, k: f64) -> [f32; 3] {
    let k = k.clamp(0.0, 1.0);
    [
        clamp01((1.0 - c) * (1.0 - k)),
        clamp01((1.0 - m) * (1.0 - k)),
        clamp01((1.0 - y) * (1.0 - k)),
    ]
}

fn is_white(c: &[f32; 3]) -> bool {
    c.iter().all(|v| *v >= 0.95)
}

impl<'d> Interp<'d> {
    pub(crate) fn new(
        doc: &'d Objs<'d>,
        cache: &'d FontCache,
        device: Matrix,
        page_box: BBox,
    ) -> Interp<'d> {
        Interp {
            doc,
            cache,
            page_fonts: HashMap::new(),
            forms: HashMap::new(),
            device,
            page_box,
            gs: GState {
                ctm: Matrix::IDENTITY,
                fill: [0.0; 3],
                stroke: [0.0; 3],
                fill_space: ColorSpace::Gray,
                stroke_space: ColorSpace::Gray,
                line_width: 1.0,
                font: None,
                font_size: 0.0,
                char_spacing: 0.0,
                word_spacing: 0.0,
                hscale: 1.0,
                leading: 0.0,
                rise: 0.0,
                render_mode: 0,
                clip: None,
            },
            stack: Vec::new(),
            dropped_q: 0,
            tm: Matrix::IDENTITY,
            tlm: Matrix::IDENTITY,
            path: Vec::new(),
            path_points: 0,
            run: 0,
            ops: 0,
            warned: Warned::default(),
            out: PageOut::default(),
        }
    }

    fn warn(&mut self, code: &str, message: String) {
        self.out.warnings.push(Warning::new(code, message));
    }

    /// Run a content stream with its resources.
    pub(crate) fn run(&mut self, content: &[u8], resources: Option<&'d Dictionary>, depth: usize) {
        let mut lx = Lexer::new(content);
        while let Some(op) = lx.next_op() {
            self.ops += 1;
            if self.ops > MAX_OPS {
                if !self.warned.ops {
                    self.warned.ops = true;
                    self.warn(
                        "content-too-long",
                        format!("stopped after {MAX_OPS} content operators"),
                    );
                }
                return;
            }
            let ops = &lx.operands;
            match op {
                b"q" => self.save(),
                b"Q" => self.restore(),
                b"cm" => {
                    if let Some(v) = nums::<6>(ops) {
                        let m = Matrix::new(v);
                        let ctm = m.mul(&self.gs.ctm);
                        if ctm.is_finite() {
                            self.gs.ctm = ctm;
                        }
                    }
                }
                b"w" => {
                    if let Some([w]) = nums::<1>(ops) {
                        self.gs.line_width = w.abs();
                    }
                }
                // Colour.
                b"g" | b"G" | b"rg" | b"RG" | b"k" | b"K" => {
                    let (space, color) = match op {
                        b"g" | b"G" => {
                            (ColorSpace::Gray, nums::<1>(ops).map(|[g]| [clamp01(g); 3]))
                        }
                        b"rg" | b"RG" => (
                            ColorSpace::Rgb,
                            nums::<3>(ops).map(|[r, g, b]| [clamp01(r), clamp01(g), clamp01(b)]),
                        ),
                        _ => (
                            ColorSpace::Cmyk,
                            nums::<4>(ops).map(|[c, m, y, k]| cmyk(c, m, y, k)),
                        ),
                    };
                    let stroke = op[0].is_ascii_uppercase();
                    if let Some(c) = color {
                        if stroke {
                            self.gs.stroke_space = space;
                            self.gs.stroke = c;
                        } else {
                            self.gs.fill_space = space;
                            self.gs.fill = c;
                        }
                    }
                }
                b"cs" | b"CS" => {
                    let space = ops
                        .last()
                        .and_then(Obj::name)
                        .map_or(ColorSpace::Other, |n| self.color_space(n, resources));
                    // The initial colour of every space we read is black.
                    let initial = [0.0; 3];
                    if op == b"cs" {
                        self.gs.fill_space = space;
                        self.gs.fill = initial;
                    } else {
                        self.gs.stroke_space = space;
                        self.gs.stroke = initial;
                    }
                }
                b"sc" | b"scn" | b"SC" | b"SCN" => {
                    let stroke = op[0] == b'S';
                    let space = if stroke {
                        self.gs.stroke_space
                    } else {
                        self.gs.fill_space
                    };
                    let vals: Vec<f64> = ops.iter().filter_map(Obj::num).collect();
                    if let Some(c) = self.convert_color(space, &vals) {
                        if stroke {
                            self.gs.stroke = c;
                        } else {
                            self.gs.fill = c;
                        }
                    }
                }
                // Text state.
                b"BT" => {
                    self.tm = Matrix::IDENTITY;
                    self.tlm = Matrix::IDENTITY;
                    self.run = self.run.wrapping_add(1);
                }
                b"ET" => {}
                b"Tf" => {
                    if let (Some(name), Some(size)) = (
                        ops.len().checked_sub(2).and_then(|i| ops[i].name()),
                        ops.last().and_then(Obj::num),
                    ) {
                        let name = name.to_vec();
                        self.gs.font = Some(self.font(&name, resources));
                        self.gs.font_size = if size.is_finite() { size } else { 0.0 };
                        self.run = self.run.wrapping_add(1);
                    }
                }
                b"Tc" => {
                    if let Some([v]) = nums::<1>(ops) {
                        self.gs.char_spacing = v;
                    }
                }
                b"Tw" => {
                    if let Some([v]) = nums::<1>(ops) {
                        self.gs.word_spacing = v;
                    }
                }
                b"Tz" => {
                    if let Some([v]) = nums::<1>(ops) {
                        self.gs.hscale = v / 100.0;
                    }
                }
                b"TL" => {
                    if let Some([v]) = nums::<1>(ops) {
                        self.gs.leading = v;
                    }
                }
                b"Ts" => {
                    if let Some([v]) = nums::<1>(ops) {
                        self.gs.rise = v;
                    }
                }
                b"Tr" => {
                    if let Some([v]) = nums::<1>(ops) {
                        self.gs.render_mode = v.clamp(0.0, 7.0) as u8;
                    }
                }
                b"Td" | b"TD" => {
                    if let Some([tx, ty]) = nums::<2>(ops) {
                        if op == b"TD" {
                            self.gs.leading = -ty;
                        }
                        self.next_line(tx, ty);
                    }
                }
                b"T*" => self.next_line(0.0, -self.gs.leading),
                b"Tm" => {
                    if let Some(v) = nums::<6>(ops) {
                        let m = Matrix::new(v);
                        self.tm = m;
                        self.tlm = m;
                    }
                }
                b"Tj" => {
                    if let Some(s) = ops.last().and_then(Obj::string) {
                        self.show(s);
                    }
                }
                b"'" => {
                    self.next_line(0.0, -self.gs.leading);
                    if let Some(s) = ops.last().and_then(Obj::string) {
                        self.show(s);
                    }
                }
                b"\"" => {
                    if ops.len() >= 3 {
                        let n = ops.len();
                        if let (Some(aw), Some(ac)) = (ops[n - 3].num(), ops[n - 2].num()) {
                            self.gs.word_spacing = aw;
                            self.gs.char_spacing = ac;
                        }
                    }
                    self.next_line(0.0, -self.gs.leading);
                    if let Some(s) = ops.last().and_then(Obj::string) {
                        self.show(s);
                    }
                }
                b"TJ" => {
                    if let Some(Obj::Array(items)) = ops.last() {
                        for item in items {
                            match item {
                                Obj::Str(s) => self.show(s),
                                Obj::Num(n) => self.kern(*n),
                                _ => {}
                            }
                        }
                    }
                }
                // Paths.
                b"m" => {
                    if let Some([x, y]) = nums::<2>(ops) {
                        let p = self.to_page(x, y);
                        self.path.push(SubPath::default());
                        self.add_point(p);
                    }
                }
                b"l" => {
                    if let Some([x, y]) = nums::<2>(ops) {
                        let p = self.to_page(x, y);
                        self.add_point(p);
                    }
                }
                b"c" | b"v" | b"y" => {
                    let end = match op {
                        b"c" => nums::<6>(ops).map(|v| (v[4], v[5])),
                        _ => nums::<4>(ops).map(|v| (v[2], v[3])),
                    };
                    if let Some((x, y)) = end {
                        let p = self.to_page(x, y);
                        self.add_point(p);
                        if let Some(sp) = self.path.last_mut() {
                            sp.curved = true;
                        }
                    }
                }
                b"h" => {
                    if let Some(sp) = self.path.last_mut() {
                        sp.closed = true;
                    }
                }
                b"re" => {
                    if let Some([x, y, w, h]) = nums::<4>(ops) {
                        let pts = [
                            self.to_page(x, y),
                            self.to_page(x + w, y),
                            self.to_page(x + w, y + h),
                            self.to_page(x, y + h),
                        ];
                        if self.path_points + 4 <= MAX_PATH_POINTS {
                            self.path_points += 4;
                            self.path.push(SubPath {
                                pts: pts.to_vec(),
                                closed: true,
                                curved: false,
                                rect: true,
                            });
                        }
                    }
                }
                b"S" | b"s" => self.paint(true, false, op == b"s"),
                b"f" | b"F" | b"f*" => self.paint(false, true, false),
                b"B" | b"B*" => self.paint(true, true, false),
                b"b" | b"b*" => self.paint(true, true, true),
                b"n" => self.clear_path(),
                b"W" | b"W*" => {
                    // The path is complete when W comes; the painting
                    // operator after it (usually n) only ends it.
                    let pts: Vec<(f64, f64)> = self
                        .path
                        .iter()
                        .flat_map(|sp| sp.pts.iter().copied())
                        .collect();
                    if let Some(b) = bounds(&pts) {
                        self.gs.clip = Some(match self.gs.clip {
                            Some(c) => BBox {
                                x0: c.x0.max(b.x0),
                                y0: c.y0.max(b.y0),
                                x1: c.x1.min(b.x1),
                                y1: c.y1.min(b.y1),
                            },
                            None => b,
                        });
                    }
                }
                b"gs" => {
                    if let Some(n) = ops.last().and_then(Obj::name) {
                        self.ext_gstate(n, resources);
                    }
                }
                b"Do" => {
                    if let Some(n) = ops.last().and_then(Obj::name) {
                        let n = n.to_vec();
                        self.do_xobject(&n, resources, depth);
                    }
                }
                b"BI" => {
                    if let Some(img) = lx.inline_image.take() {
                        let w = img.get(b"Width", b"W").and_then(Obj::num).unwrap_or(0.0);
                        let h = img.get(b"Height", b"H").and_then(Obj::num).unwrap_or(0.0);
                        let filter = match img.get(b"Filter", b"F") {
                            Some(Obj::Name(n)) => Some(expand_filter(n)),
                            Some(Obj::Array(a)) => {
                                a.iter().rev().find_map(Obj::name).map(expand_filter)
                            }
                            _ => None,
                        };
                        let mask = matches!(img.get(b"ImageMask", b"IM"), Some(Obj::Bool(true)));
                        self.place_image("inline".to_string(), w, h, filter, !mask);
                    }
                }
                _ => {}
            }
        }
    }

    fn save(&mut self) {
        if self.stack.len() >= MAX_GSTATE {
            self.dropped_q += 1;
        } else {
            self.stack.push(self.gs.clone());
        }
    }

    fn restore(&mut self) {
        if self.dropped_q > 0 {
            self.dropped_q -= 1;
        } else if let Some(g) = self.stack.pop() {
            self.gs = g;
        }
    }

    #[inline]
    fn to_page(&self, x: f64, y: f64) -> (f64, f64) {
        self.gs.ctm.mul(&self.device).apply(x, y)
    }

    fn add_point(&mut self, p: (f64, f64)) {
        if self.path_points >= MAX_PATH_POINTS {
            return;
        }
        self.path_points += 1;
        if self.path.is_empty() {
            self.path.push(SubPath::default());
        }
        if let Some(sp) = self.path.last_mut() {
            sp.pts.push(p);
        }
    }

    fn clear_path(&mut self) {
        self.path.clear();
        self.path_points = 0;
    }

    fn next_line(&mut self, tx: f64, ty: f64) {
        let m = Matrix {
            e: tx,
            f: ty,
            ..Matrix::IDENTITY
        }
        .mul(&self.tlm);
        if m.is_finite() {
            self.tlm = m;
            self.tm = m;
        }
    }

    /// A TJ number: move back by n/1000 of the font size.
    fn kern(&mut self, n: f64) {
        if !n.is_finite() {
            return;
        }
        let vertical = self.gs.font.as_ref().is_some_and(|f| f.font.vertical);
        if vertical {
            let ty = -n / 1000.0 * self.gs.font_size;
            self.tm.e += ty * self.tm.c;
            self.tm.f += ty * self.tm.d;
        } else {
            let tx = -n / 1000.0 * self.gs.font_size * self.gs.hscale;
            self.tm.e += tx * self.tm.a;
            self.tm.f += tx * self.tm.b;
        }
    }

    /// Show a string: one glyph per code.
    fn show(&mut self, bytes: &[u8]) {
        let Some(lf) = self.gs.font.clone() else {
            return;
        };
        let font = &lf.font;
        let fs = self.gs.font_size;
        let th = self.gs.hscale;
        let tc = self.gs.char_spacing;
        let tw = self.gs.word_spacing;
        let rise = self.gs.rise;
        let invisible = matches!(self.gs.render_mode, 3 | 7);
        let cd = self.gs.ctm.mul(&self.device);
        let mut i = 0;
        while i < bytes.len() {
            let (code, n) = font.next_code(&bytes[i..]);
            let n = n.max(1);
            let code_bytes = &bytes[i..(i + n).min(bytes.len())];
            i += n;
            let w0 = font.width(code);
            let space = n == 1 && code == 32;
            let spacing = tc + if space { tw } else { 0.0 };
            let m = self.tm.mul(&cd);
            if font.vertical {
                let (w1y, vx) = font.vmetrics(code, w0);
                let ty = w1y * fs + spacing;
                // Box in text space (horizontal scaling does not apply): the
                // glyph's own advance, spacing excluded.
                let l = Matrix {
                    f: rise,
                    ..Matrix::IDENTITY
                }
                .mul(&m);
                let x0 = -vx * fs;
                let x1 = (w0 - vx) * fs;
                let own = w1y * fs;
                let (y0, y1) = (own.min(0.0), own.max(0.0));
                self.emit(&lf, code, code_bytes, &l, [x0, x1, y0, y1], &m, invisible);
                self.tm.e += ty * self.tm.c;
                self.tm.f += ty * self.tm.d;
            } else {
                // The box spans the glyph's own advance; char and word
                // spacing move the next glyph but are not part of the box
                // (as poppler does).
                let adv = w0 * fs + spacing;
                let l = Matrix {
                    a: th,
                    f: rise,
                    ..Matrix::IDENTITY
                }
                .mul(&m);
                let x = [0.0, w0 * fs];
                let y = [font.descent * fs, font.ascent * fs];
                self.emit(
                    &lf,
                    code,
                    code_bytes,
                    &l,
                    [x[0], x[1], y[0], y[1]],
                    &m,
                    invisible,
                );
                let tx = adv * th;
                self.tm.e += tx * self.tm.a;
                self.tm.f += tx * self.tm.b;
            }
        }
    }

    /// Emit one glyph whose box is `[x0, x1] × [y0, y1]` through `l`.
    #[allow(clippy::too_many_arguments)]
    fn emit(
        &mut self,
        lf: &LoadedFont,
        code: u32,
        code_bytes: &[u8],
        l: &Matrix,
        r: [f64; 4],
        m: &Matrix,
        invisible: bool,
    ) {
        let origin = l.apply(0.0, 0.0);
        let corners = [
            l.apply(r[0], r[2]),
            l.apply(r[1], r[2]),
            l.apply(r[0], r[3]),
            l.apply(r[1], r[3]),
        ];
        let mut x0 = f64::INFINITY;
        let mut y0 = f64::INFINITY;
        let mut x1 = f64::NEG_INFINITY;
        let mut y1 = f64::NEG_INFINITY;
        for (x, y) in corners {
            x0 = x0.min(x);
            x1 = x1.max(x);
            y0 = y0.min(y);
            y1 = y1.max(y);
        }
        let size = self.gs.font_size.abs() * lf.font.size_scale * m.c.hypot(m.d);
        let ok = [x0, y0, x1, y1, origin.0, origin.1, size]
            .iter()
            .all(|v| v.is_finite() && v.abs() < MAX_COORD);
        if !ok {
            return;
        }
        // Entirely outside the page: not printed.
        if x1 < f64::from(self.page_box.x0)
            || x0 > f64::from(self.page_box.x1)
            || y1 < f64::from(self.page_box.y0)
            || y0 > f64::from(self.page_box.y1)
        {
            return;
        }
        if lf.font.widths_estimated {
            if let Some(f) = self.out.fonts.get_mut(lf.index) {
                f.estimated += 1;
            }
        }
        let text = lf.font.text(code, code_bytes);
        let unmapped = text.is_none();
        if unmapped {
            if let Some(f) = self.out.fonts.get_mut(lf.index) {
                f.unmapped += 1;
            }
        }
        self.out.glyphs.push(Glyph {
            text: text.unwrap_or_default(),
            bbox: BBox {
                x0: x0 as f32,
                y0: y0 as f32,
                x1: x1 as f32,
                y1: y1 as f32,
            },
            origin: (origin.0 as f32, origin.1 as f32),
            font_size: size as f32,
            font: lf.font.name.clone(),
            bold: lf.font.bold,
            italic: lf.font.italic,
            color: self.gs.fill,
            invisible,
            unmapped,
        });
        self.out.meta.push((self.run, lf.index));
    }

    /// The font a `Tf` names, loaded once per document (by object id).
    fn font(&mut self, name: &[u8], resources: Option<&'d Dictionary>) -> Rc<LoadedFont> {
        let doc = self.doc;
        let fonts = resources.and_then(|r| get_dict(doc, r, b"Font"));
        let entry = fonts.and_then(|f| f.get(name).ok());
        let id = fonts.and_then(|f| ref_id(f, name));
        let dict = entry.and_then(|e| resolve(doc, e)).and_then(as_dict);
        let key = match (id, dict) {
            (Some(id), _) => (id, 0),
            (None, Some(d)) => ((0, 0), d as *const Dictionary as usize),
            (None, None) => ((0, 0), 0),
        };
        if let Some(f) = self.page_fonts.get(&key) {
            return f.clone();
        }
        let font: Arc<Font> = match (id, dict) {
            (Some(id), Some(d)) => match self.cache.get(id) {
                Some(f) => f,
                None => {
                    let f = Arc::new(Font::load(doc, d, name));
                    self.cache.insert(id, f.clone());
                    f
                }
            },
            (None, Some(d)) => Arc::new(Font::load(doc, d, name)),
            _ => {
                if !self.warned.font {
                    self.warned.font = true;
                    self.warn(
                        "missing-font",
                        format!(
                            "font resource /{} not found; its glyphs have no text",
                            String::from_utf8_lossy(name)
                        ),
                    );
                }
                Arc::new(Font::fallback(&String::from_utf8_lossy(name)))
            }
        };
        let index = self.out.fonts.len();
        self.out.fonts.push(FontUse::new(&font));
        let lf = Rc::new(LoadedFont { font, index });
        self.page_fonts.insert(key, lf.clone());
        lf
    }

    fn ext_gstate(&mut self, name: &[u8], resources: Option<&'d Dictionary>) {
        let doc = self.doc;
        let Some(gs) = resources
            .and_then(|r| get_dict(doc, r, b"ExtGState"))
            .and_then(|e| get_dict(doc, e, name))
        else {
            return;
        };
        if let Some(lw) = get_num(doc, gs, b"LW") {
            self.gs.line_width = lw.abs();
        }
        if let Some(arr) = get_array(doc, gs, b"Font").filter(|a| a.len() == 2) {
            if let (Some(Object::Reference(id)), Some(size)) =
                (arr.first(), arr.get(1).and_then(super::objects::num))
            {
                if let Ok(d) = doc.get_dictionary(*id) {
                    let f = Arc::new(Font::load(doc, d, b"ExtGState"));
                    let index = self.out.fonts.len();
                    self.out.fonts.push(FontUse::new(&f));
                    self.gs.font = Some(Rc::new(LoadedFont { font: f, index }));
                    self.gs.font_size = size;
                }
            }
        }
    }

    fn color_space(&self, name: &[u8], resources: Option<&'d Dictionary>) -> ColorSpace {
        match name {
            b"DeviceGray" | b"G" | b"CalGray" => return ColorSpace::Gray,
            b"DeviceRGB" | b"RGB" | b"CalRGB" => return ColorSpace::Rgb,
            b"DeviceCMYK" | b"CMYK" => return ColorSpace::Cmyk,
            b"Pattern" => return ColorSpace::Other,
            _ => {}
        }
        let doc = self.doc;
        let obj = resources
            .and_then(|r| get_dict(doc, r, b"ColorSpace"))
            .and_then(|cs| get(doc, cs, name));
        match obj {
            Some(o) => self.color_space_obj(o),
            None => ColorSpace::Other,
        }
    }

    fn color_space_obj(&self, obj: &'d Object) -> ColorSpace {
        let doc = self.doc;
        match obj {
            Object::Name(n) => match n.as_slice() {
                b"DeviceGray" | b"CalGray" => ColorSpace::Gray,
                b"DeviceRGB" | b"CalRGB" | b"Lab" => ColorSpace::Rgb,
                b"DeviceCMYK" => ColorSpace::Cmyk,
                _ => ColorSpace::Other,
            },
            Object::Array(a) => {
                let family = a.first().and_then(|o| resolve(doc, o));
                match family {
                    Some(Object::Name(n)) => match n.as_slice() {
                        b"ICCBased" => {
                            let n = a
                                .get(1)
                                .and_then(|o| resolve(doc, o))
                                .and_then(as_dict)
                                .and_then(|d| get_num(doc, d, b"N"));
                            match n {
                                Some(1.0) => ColorSpace::Gray,
                                Some(4.0) => ColorSpace::Cmyk,
                                _ => ColorSpace::Rgb,
                            }
                        }
                        b"CalGray" => ColorSpace::Gray,
                        b"CalRGB" | b"Lab" => ColorSpace::Rgb,
                        b"Separation" => ColorSpace::Tint,
                        b"DeviceN" => match a.get(1).and_then(|o| resolve(doc, o)) {
                            Some(Object::Array(names)) if names.len() == 1 => ColorSpace::Tint,
                            _ => ColorSpace::Other,
                        },
                        b"Indexed" | b"I" => ColorSpace::Indexed,
                        _ => ColorSpace::Other,
                    },
                    _ => ColorSpace::Other,
                }
            }
            _ => ColorSpace::Other,
        }
    }

    fn convert_color(&self, space: ColorSpace, v: &[f64]) -> Option<[f32; 3]> {
        match space {
            ColorSpace::Gray => v.first().map(|g| [clamp01(*g); 3]),
            ColorSpace::Rgb => {
                (v.len() >= 3).then(|| [clamp01(v[0]), clamp01(v[1]), clamp01(v[2])])
            }
            ColorSpace::Cmyk => (v.len() >= 4).then(|| cmyk(v[0], v[1], v[2], v[3])),
            ColorSpace::Tint => v.first().map(|t| [clamp01(1.0 - t); 3]),
            ColorSpace::Indexed => None,
            ColorSpace::Other => match v.len() {
                1 => Some([clamp01(v[0]); 3]),
                3 => Some([clamp01(v[0]), clamp01(v[1]), clamp01(v[2])]),
                4 => Some(cmyk(v[0], v[1], v[2], v[3])),
                _ => None,
            },
        }
    }

    fn do_xobject(&mut self, name: &[u8], resources: Option<&'d Dictionary>, depth: usize) {
        let doc = self.doc;
        let xobjects = resources.and_then(|r| get_dict(doc, r, b"XObject"));
        let Some(xobjects) = xobjects else { return };
        let id = ref_id(xobjects, name);
        let Some(Object::Stream(stream)) = get(doc, xobjects, name) else {
            return;
        };
        let dict = &stream.dict;
        match get_name(doc, dict, b"Subtype") {
            Some(b"Image") => {
                let w = get_num(doc, dict, b"Width").unwrap_or(0.0);
                let h = get_num(doc, dict, b"Height").unwrap_or(0.0);
                let filter = last_filter(doc, dict);
                let opaque = !matches!(get(doc, dict, b"ImageMask"), Some(Object::Boolean(true)))
                    && get(doc, dict, b"SMask").is_none()
                    && get(doc, dict, b"Mask").is_none();
                let name = String::from_utf8_lossy(name).into_owned();
                self.place_image(name, w, h, filter, opaque);
            }
            Some(b"Form") => {
                if depth + 1 > MAX_FORM_DEPTH {
                    if !self.warned.depth {
                        self.warned.depth = true;
                        self.warn(
                            "form-depth",
                            format!("Form XObjects nested deeper than {MAX_FORM_DEPTH}; skipped"),
                        );
                    }
                    return;
                }
                let content: Rc<Vec<u8>> = match id.and_then(|id| self.forms.get(&id)) {
                    Some(c) => c.clone(),
                    None => match stream_data(doc, stream) {
                        Ok(data) => {
                            let rc = Rc::new(data);
                            if let Some(id) = id {
                                self.forms.insert(id, rc.clone());
                            }
                            rc
                        }
                        Err(e) => {
                            if !self.warned.form {
                                self.warned.form = true;
                                self.warn(
                                    "form-undecodable",
                                    format!(
                                        "Form XObject /{} could not be decoded: {e}",
                                        String::from_utf8_lossy(name)
                                    ),
                                );
                            }
                            return;
                        }
                    },
                };
                let matrix = get_array(doc, dict, b"Matrix")
                    .filter(|a| a.len() == 6)
                    .map(|a| numbers(doc, a))
                    .and_then(|n| {
                        let mut v = [0.0; 6];
                        for (slot, x) in v.iter_mut().zip(n) {
                            *slot = x?;
                        }
                        Some(Matrix::new(v))
                    })
                    .unwrap_or(Matrix::IDENTITY);
                let form_resources = get_dict(doc, dict, b"Resources").or(resources);
                // The form runs in its own graphics state; the text state
                // and path of the caller are kept around it.
                let saved_gs = self.gs.clone();
                let saved_stack = std::mem::take(&mut self.stack);
                let saved_dropped = std::mem::take(&mut self.dropped_q);
                let saved_tm = (self.tm, self.tlm);
                let saved_path = std::mem::take(&mut self.path);
                let saved_points = self.path_points;
                self.path_points = 0;
                let ctm = matrix.mul(&self.gs.ctm);
                if ctm.is_finite() {
                    self.gs.ctm = ctm;
                    self.run(&content, form_resources, depth + 1);
                }
                self.gs = saved_gs;
                self.stack = saved_stack;
                self.dropped_q = saved_dropped;
                (self.tm, self.tlm) = saved_tm;
                self.path = saved_path;
                self.path_points = saved_points;
            }
            _ => {}
        }
    }

    fn place_image(&mut self, name: String, w: f64, h: f64, filter: Option<String>, opaque: bool) {
        let m = self.gs.ctm.mul(&self.device);
        let pts = [
            m.apply(0.0, 0.0),
            m.apply(1.0, 0.0),
            m.apply(0.0, 1.0),
            m.apply(1.0, 1.0),
        ];
        let Some(mut b) = bounds(&pts) else { return };
        if let Some(c) = self.gs.clip {
            b = BBox {
                x0: b.x0.max(c.x0),
                y0: b.y0.max(c.y0),
                x1: b.x1.min(c.x1),
                y1: b.y1.min(c.y1),
            };
            if b.x0 >= b.x1 || b.y0 >= b.y1 {
                return;
            }
        }
        if !self.on_page(&b) {
            return;
        }
        if self.out.images.len() >= MAX_GRAPHICS {
            self.graphics_overflow();
            return;
        }
        let px = |v: f64| {
            if v.is_finite() && v > 0.0 {
                v.min(f64::from(u32::MAX)) as u32
            } else {
                0
            }
        };
        self.out.image_meta.push((self.out.glyphs.len(), opaque));
        self.out.images.push(ImagePlacement {
            bbox: b,
            name,
            pixel_width: px(w),
            pixel_height: px(h),
            filter,
        });
    }

    fn on_page(&self, b: &BBox) -> bool {
        !(b.x1 < self.page_box.x0
            || b.x0 > self.page_box.x1
            || b.y1 < self.page_box.y0
            || b.y0 > self.page_box.y1)
    }

    fn graphics_overflow(&mut self) {
        if !self.warned.graphics {
            self.warned.graphics = true;
            self.warn(
                "too-many-graphics",
                format!("more than {MAX_GRAPHICS} rules, boxes or images; the rest are ignored"),
            );
        }
    }

    /// Line width in page space.
    fn device_line_width(&self) -> f64 {
        let m = self.gs.ctm.mul(&self.device);
        let det = (m.a * m.d - m.b * m.c).abs();
        let w = self.gs.line_width * det.sqrt();
        if w.is_finite() {
            w
        } else {
            0.0
        }
    }

    fn push_rule(&mut self, b: BBox) {
        if !self.on_page(&b) {
            return;
        }
        if self.out.rules.len() >= MAX_GRAPHICS {
            self.graphics_overflow();
        } else {
            self.out.rules.push(b);
        }
    }

    fn push_box(&mut self, b: BBox) {
        if !self.on_page(&b) {
            return;
        }
        if self.out.boxes.len() >= MAX_GRAPHICS {
            self.graphics_overflow();
        } else {
            self.out.boxes.push(b);
        }
    }

    /// Paint the current path: collect rules and boxes, then clear it.
    fn paint(&mut self, stroke: bool, fill: bool, close: bool) {
        let path = std::mem::take(&mut self.path);
        self.path_points = 0;
        let stroke = stroke && !is_white(&self.gs.stroke);
        let fill = fill && !is_white(&self.gs.fill);
        if !stroke && !fill {
            return;
        }
        let lw = self.device_line_width();
        for mut sp in path {
            // Filling closes every subpath implicitly.
            if close || fill {
                sp.closed = true;
            }
            if sp.curved || sp.pts.len() < 2 {
                continue;
            }
            let rect = if sp.rect {
                bounds(&sp.pts)
            } else {
                as_rectangle(&sp)
            };
            if let Some(r) = rect {
                let (w, h) = (f64::from(r.width()), f64::from(r.height()));
                let thin = w.min(h);
                let long = w.max(h);
                if stroke {
                    let half = (lw / 2.0) as f32;
                    let grown = BBox {
                        x0: r.x0 - half,
                        y0: r.y0 - half,
                        x1: r.x1 + half,
                        y1: r.y1 + half,
                    };
                    if thin < RULE_THICKNESS {
                        if long > RULE_LENGTH {
                            self.push_rule(grown);
                        }
                    } else {
                        self.push_box(grown);
                    }
                } else if fill && thin < RULE_THICKNESS && long > RULE_LENGTH {
                    self.push_rule(r);
                } else if fill && thin >= RULE_THICKNESS {
                    // A tinted box: its edges set off what it holds (a
                    // boxed article, an advertisement) as a frame does.
                    self.push_box(r);
                }
                continue;
            }
            if !stroke {
                continue;
            }
            // Stroked lines: every horizontal or vertical segment.
            let n = sp.pts.len();
            let segs = if sp.closed { n } else { n - 1 };
            for k in 0..segs {
                let (a, b) = (sp.pts[k], sp.pts[(k + 1) % n]);
                let (dx, dy) = ((b.0 - a.0).abs(), (b.1 - a.1).abs());
                let len = dx.max(dy);
                if len <= RULE_LENGTH || dx.min(dy) > len * 0.02 {
                    continue;
                }
                let half = lw / 2.0;
                let r = if dx >= dy {
                    let y = (a.1 + b.1) / 2.0;
                    BBox {
                        x0: a.0.min(b.0) as f32,
                        y0: (y - half) as f32,
                        x1: a.0.max(b.0) as f32,
                        y1: (y + half) as f32,
                    }
                } else {
                    let x = (a.0 + b.0) / 2.0;
                    BBox {
                        x0: (x - half) as f32,
                        y0: a.1.min(b.1) as f32,
                        x1: (x + half) as f32,
                        y1: a.1.max(b.1) as f32,
                    }
                };
                self.push_rule(r);
            }
        }
    }
}

/// Bounding box of points; `None` when any is not finite or absurd.
fn bounds(pts: &[(f64, f64)]) -> Option<BBox> {
    let mut b = [
        f64::INFINITY,
        f64::INFINITY,
        f64::NEG_INFINITY,
        f64::NEG_INFINITY,
    ];
    for &(x, y) in pts {
        if !(x.is_finite() && y.is_finite() && x.abs() < MAX_COORD && y.abs() < MAX_COORD) {
            return None;
        }
        b[0] = b[0].min(x);
        b[1] = b[1].min(y);
        b[2] = b[2].max(x);
        b[3] = b[3].max(y);
    }
    (b[0] <= b[2]).then(|| BBox {
        x0: b[0] as f32,
        y0: b[1] as f32,
        x1: b[2] as f32,
        y1: b[3] as f32,
    })
}

/// A subpath drawn as an axis-aligned rectangle with `m l l l h` (or an
/// explicit return to the start).
fn as_rectangle(sp: &SubPath) -> Option<BBox> {
    let mut pts: &[(f64, f64)] = &sp.pts;
    let closes = |p: &[(f64, f64)]| {
        p.len() == 5 && (p[0].0 - p[4].0).abs() < 0.01 && (p[0].1 - p[4].1).abs() < 0.01
    };
    if closes(pts) {
        pts = &pts[..4];
    } else if !(sp.closed && pts.len() == 4) {
        return None;
    }
    let aligned = (0..4).all(|k| {
        let (a, b) = (pts[k], pts[(k + 1) % 4]);
        (a.0 - b.0).abs() < 0.01 || (a.1 - b.1).abs() < 0.01
    });
    if !aligned {
        return None;
    }
    bounds(pts)
}

/// Inline image filter abbreviations to their full names.
fn expand_filter(n: &[u8]) -> String {
    let full: &[u8] = match n {
        b"AHx" => b"ASCIIHexDecode",
        b"A85" => b"ASCII85Decode",
        b"LZW" => b"LZWDecode",
        b"Fl" => b"FlateDecode",
        b"RL" => b"RunLengthDecode",
        b"CCF" => b"CCITTFaxDecode",
        b"DCT" => b"DCTDecode",
        other => other,
    };
    String::from_utf8_lossy(full).into_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn matrix_order() {
        // Scale then translate.
        let s = Matrix::new([2.0, 0.0, 0.0, 2.0, 0.0, 0.0]);
        let t = Matrix::new([1.0, 0.0, 0.0, 1.0, 10.0, 5.0]);
        assert_eq!(s.mul(&t).apply(1.0, 1.0), (12.0, 7.0));
        assert_eq!(t.mul(&s).apply(1.0, 1.0), (22.0, 12.0));
    }

    #[test]
    fn rectangle_detection() {
        let sp = SubPath {
            pts: vec![(0.0, 0.0), (50.0, 0.0), (50.0, 1.0), (0.0, 1.0)],
            closed: true,
            curved: false,
            rect: false,
        };
        let r = as_rectangle(&sp).unwrap();
        assert_eq!((r.x1, r.y1), (50.0, 1.0));
        let tri = SubPath {
            pts: vec![(0.0, 0.0), (50.0, 0.0), (25.0, 10.0)],
            closed: true,
            ..SubPath::default()
        };
        assert!(as_rectangle(&tri).is_none());
    }

    #[test]
    fn colors() {
        assert_eq!(cmyk(0.0, 0.0, 0.0, 1.0), [0.0, 0.0, 0.0]);
        assert_eq!(cmyk(1.0, 0.0, 0.0, 0.0), [0.0, 1.0, 1.0]);
        assert_eq!(expand_filter(b"DCT"), "DCTDecode");
    }
}
