//! The page image of a scanned PDF page, taken straight from the file
//! (no rendering): the largest image XObject the page places, decoded from
//! DCT (JPEG), Flate/LZW or raw samples, CCITT fax (G3/G4), JBIG2 or JPEG
//! 2000 (JPX, through the decoder of `.jp2` files). Chains of several codecs
//! are reported as unsupported.
//!
//! Samples become 8-bit gray (0 = black): DeviceGray, DeviceRGB,
//! DeviceCMYK, ICCBased (by its component count), CalGray/CalRGB, Indexed
//! over those, image masks; 1, 2, 4, 8 and 16 bits; `/Decode [1 0]`
//! inverts. Sizes are checked before decoding (see
//! [`crate::extract::ocr::input::MAX_PIXELS`]).

use std::panic::{catch_unwind, AssertUnwindSafe};

use image::GrayImage;
use lopdf::{Dictionary, Object, Stream};

use super::objects::{
    get, get_array, get_dict, get_name, get_num, resolve, stream_data, stream_raw, Objs,
};
use super::{inherited, PdfDocument, PdfPage};
use crate::error::{Error, ErrorKind, Result};
use crate::extract::ocr::input::check_size;
use crate::extract::ocr::PageRaster;

/// Deepest Form XObject nesting searched for the page image.
const MAX_DEPTH: usize = 4;

fn malformed(message: impl Into<String>) -> Error {
    Error::new(ErrorKind::Malformed, message)
}

fn unsupported(message: impl Into<String>) -> Error {
    Error::new(ErrorKind::Unsupported, message)
}

impl PdfDocument<'_> {
    /// The scanned image of `page` (as returned by [`PdfDocument::page`]),
    /// with its placement on the page and its resolution.
    pub fn page_image(&self, page: &PdfPage) -> Result<PageRaster> {
        let number = page.number;
        match catch_unwind(AssertUnwindSafe(|| self.page_image_inner(page))) {
            Ok(r) => r.map_err(|e| e.with_page(number)),
            Err(_) => {
                Err(malformed("the page image could not be read: damaged data").with_page(number))
            }
        }
    }

    fn page_image_inner(&self, page: &PdfPage) -> Result<PageRaster> {
        let objs = Objs::new(&self.doc);
        let doc = &objs;
        let id = self
            .pages
            .get(page.number.saturating_sub(1) as usize)
            .copied()
            .ok_or_else(|| malformed("no such page"))?;
        let dict = doc
            .get_dictionary(id)
            .map_err(|e| malformed(format!("the page object is unreadable: {e}")))?;
        let resources = inherited(doc, dict, b"Resources").and_then(super::objects::as_dict);
        let mut found: Vec<(String, &Stream)> = Vec::new();
        if let Some(r) = resources {
            collect_images(doc, r, 0, &mut found);
        }
        // The placement of each candidate (largest area if placed twice).
        let placed = |name: &str| {
            page.images
                .iter()
                .filter(|i| i.name == name)
                .map(|i| i.bbox)
                .max_by(|a, b| (a.width() * a.height()).total_cmp(&(b.width() * b.height())))
        };
        let best = found
            .iter()
            .filter_map(|(name, s)| placed(name).map(|b| (b, *s)))
            .max_by(|a, b| (a.0.width() * a.0.height()).total_cmp(&(b.0.width() * b.0.height())));
        let (placement, stream) = match best {
            Some(b) => b,
            None => {
                if page.images.iter().any(|i| i.name == "inline") {
                    return Err(unsupported(
                        "the page's image is an inline image, which is not read yet",
                    ));
                }
                return Err(unsupported(
                    "the page has neither a text layer nor an image to OCR",
                ));
            }
        };
        // The page's share of the run's memory budget, taken before its
        // image is decoded (see crate::memory): the decoded samples (up to
        // 4 bytes a pixel before they are made gray) and the reading.
        let declared = |key: &[u8]| {
            get_num(doc, &stream.dict, key)
                .unwrap_or(0.0)
                .clamp(0.0, 1e6)
        };
        let hold = crate::memory::reserve(crate::memory::page_image_estimate(
            declared(b"Width") as u32,
            declared(b"Height") as u32,
            1,
            4,
        ));
        let (image, damage) = decode_image(doc, stream)?;
        let (w, h) = image.dimensions();
        // Resolution from the placement (pixels per inch of the page).
        let dpi_x = w as f32 / (placement.width() / 72.0);
        let dpi_y = h as f32 / (placement.height() / 72.0);
        let dpi = (dpi_x.is_finite() && dpi_y.is_finite() && dpi_x > 0.0)
            .then_some((dpi_x + dpi_y) / 2.0);
        Ok(PageRaster {
            image,
            dpi,
            placement,
            page_width: page.width,
            page_height: page.height,
            damage,
            memory: Some(std::sync::Arc::new(hold)),
        })
    }
}

/// Image XObjects of a resource dictionary and of the forms it holds.
fn collect_images<'d>(
    doc: &'d Objs<'_>,
    resources: &'d Dictionary,
    depth: usize,
    out: &mut Vec<(String, &'d Stream)>,
) {
    let Some(xobjects) = get_dict(doc, resources, b"XObject") else {
        return;
    };
    for (name, obj) in xobjects.iter() {
        let Some(Object::Stream(s)) = resolve(doc, obj) else {
            continue;
        };
        match get_name(doc, &s.dict, b"Subtype") {
            Some(b"Image") => out.push((String::from_utf8_lossy(name).into_owned(), s)),
            Some(b"Form") if depth < MAX_DEPTH => {
                if let Some(r) = get_dict(doc, &s.dict, b"Resources") {
                    collect_images(doc, r, depth + 1, out);
                }
            }
            _ => {}
        }
    }
}

fn filters(doc: &Objs<'_>, dict: &Dictionary) -> Vec<String> {
    match get(doc, dict, b"Filter") {
        Some(Object::Name(n)) => vec![String::from_utf8_lossy(n).into_owned()],
        Some(Object::Array(a)) => a
            .iter()
            .filter_map(|o| match resolve(doc, o) {
                Some(Object::Name(n)) => Some(String::from_utf8_lossy(n).into_owned()),
                _ => None,
            })
            .collect(),
        _ => Vec::new(),
    }
}

/// The decode parameters of the last filter.
fn last_parms<'d>(doc: &'d Objs<'_>, dict: &'d Dictionary) -> Option<&'d Dictionary> {
    match get(doc, dict, b"DecodeParms").or_else(|| get(doc, dict, b"DP")) {
        Some(Object::Dictionary(d)) => Some(d),
        Some(Object::Array(a)) => a.last().and_then(|o| match resolve(doc, o) {
            Some(Object::Dictionary(d)) => Some(d),
            _ => None,
        }),
        _ => None,
    }
}

fn codec_name(f: &str) -> &str {
    match f {
        "DCT" => "DCTDecode",
        "CCF" => "CCITTFaxDecode",
        "Fl" => "FlateDecode",
        "LZW" => "LZWDecode",
        "AHx" => "ASCIIHexDecode",
        "A85" => "ASCII85Decode",
        "RL" => "RunLengthDecode",
        other => other,
    }
}

/// Decodes an image XObject to gray; also gives the decoder's complaint
/// when the data was damaged and the image read only in part.
pub(crate) fn decode_image(doc: &Objs<'_>, stream: &Stream) -> Result<(GrayImage, Option<String>)> {
    let dict = &stream.dict;
    let fs: Vec<String> = filters(doc, dict)
        .iter()
        .map(|f| codec_name(f).to_string())
        .collect();
    let w = get_num(doc, dict, b"Width").unwrap_or(0.0);
    let h = get_num(doc, dict, b"Height").unwrap_or(0.0);
    if !(w >= 1.0 && h >= 1.0 && w < 1e6 && h < 1e6) {
        return Err(malformed(format!(
            "the page image has no valid size ({w}×{h})"
        )));
    }
    let (w, h) = (w as u32, h as u32);
    check_size(w, h)?;
    let codec = fs.last().map(String::as_str).unwrap_or("");
    let is_codec = matches!(
        codec,
        "DCTDecode" | "CCITTFaxDecode" | "JBIG2Decode" | "JPXDecode"
    );
    if is_codec && fs.len() > 1 {
        return Err(unsupported(format!(
            "the page image uses a chain of filters ({}), which is not read yet",
            fs.join(", ")
        )));
    }
    let mask = matches!(get(doc, dict, b"ImageMask"), Some(Object::Boolean(true)));
    let inverted = get_array(doc, dict, b"Decode")
        .and_then(|a| a.first())
        .and_then(|o| super::objects::num_in(doc, o))
        .is_some_and(|v| v >= 0.5);
    let stored = stream_raw(doc, stream);
    let data: &[u8] = &stored;
    let mut damage = None;
    let image = match codec {
        "DCTDecode" => {
            let jpeg = crate::extract::ocr::input::decode_jpeg_gray(data).map_err(|e| {
                malformed(format!("the page's JPEG image is damaged: {}", e.message))
            })?;
            damage = jpeg.damage;
            let mut g = jpeg.image;
            // Adobe CMYK JPEGs come out inverted; a page that is mostly
            // black is put right below.
            if inverted {
                invert(&mut g);
            }
            g
        }
        "CCITTFaxDecode" => {
            let parms = last_parms(doc, dict);
            let int = |k: &[u8], d: i64| {
                parms
                    .and_then(|p| get_num(doc, p, k))
                    .map_or(d, |v| v as i64)
            };
            let boolean = |k: &[u8], d: bool| {
                parms
                    .and_then(|p| get(doc, p, k))
                    .map_or(d, |o| matches!(o, Object::Boolean(true)))
            };
            let k = int(b"K", 0);
            let columns = int(b"Columns", 1728).clamp(1, 1_000_000) as u32;
            let rows = int(b"Rows", h as i64).clamp(0, 1_000_000) as u32;
            let black_is_1 = boolean(b"BlackIs1", false);
            let settings = hayro_ccitt::DecodeSettings {
                columns,
                rows,
                end_of_block: boolean(b"EndOfBlock", true),
                end_of_line: boolean(b"EndOfLine", false),
                rows_are_byte_aligned: boolean(b"EncodedByteAlign", false),
                encoding: if k < 0 {
                    hayro_ccitt::EncodingMode::Group4
                } else if k == 0 {
                    hayro_ccitt::EncodingMode::Group3_1D
                } else {
                    hayro_ccitt::EncodingMode::Group3_2D
                },
                strict: false,
            };
            // Sample value of a black pixel: 0 unless BlackIs1; as a gray
            // sample 0 is black, and /Decode [1 0] swaps.
            let black_dark = black_is_1 == inverted;
            let mut sink = Bilevel::new(columns, rows.max(h), black_dark);
            let mut ctx = hayro_ccitt::DecoderContext::new(settings);
            hayro_ccitt::decode(data, &mut sink, &mut ctx)
                .map_err(|e| malformed(format!("the page's CCITT fax image is damaged: {e:?}")))?;
            sink.into_gray(w, h)?
        }
        "JBIG2Decode" => {
            let settings = hayro_jbig2::DecodeSettings::default();
            let globals_data =
                last_parms(doc, dict).and_then(|p| match get(doc, p, b"JBIG2Globals") {
                    Some(Object::Stream(s)) => stream_data(doc, s).ok(),
                    _ => None,
                });
            let globals = match &globals_data {
                Some(g) => Some(hayro_jbig2::Globals::new(g, &settings).map_err(|e| {
                    malformed(format!("the page's JBIG2 globals are damaged: {e:?}"))
                })?),
                None => None,
            };
            let page = hayro_jbig2::Page::new_embedded(data, globals.as_ref(), &settings)
                .map_err(|e| malformed(format!("the page's JBIG2 image is damaged: {e:?}")))?;
            check_size(page.width(), page.height())?;
            let mut sink = Jbig2Sink::new(page.width(), page.height());
            page.decode(&mut sink)
                .map_err(|e| malformed(format!("the page's JBIG2 image is damaged: {e:?}")))?;
            // JBIG2 decodes black as sample 0 in PDF terms (masks paint 0).
            let mut g = sink.into_gray();
            if inverted {
                invert(&mut g);
            }
            if g.dimensions() != (w, h) {
                g = image::imageops::resize(&g, w, h, image::imageops::FilterType::Triangle);
            }
            g
        }
        "JPXDecode" => {
            // The codestream carries its own size and colour space; the
            // same decoder as for .jp2 files.
            let page = crate::extract::ocr::input::decode_jpeg2000(data).map_err(|e| {
                malformed(format!(
                    "the page's JPEG 2000 image (JPXDecode) is damaged: {}",
                    e.message
                ))
            })?;
            let mut g = page.image;
            if inverted {
                invert(&mut g);
            }
            if g.dimensions() != (w, h) {
                g = image::imageops::resize(&g, w, h, image::imageops::FilterType::Triangle);
            }
            g
        }
        _ => {
            let raw = stream_data(doc, stream)
                .map_err(|e| malformed(format!("the page image's data is damaged: {e}")))?;
            samples_to_gray(doc, dict, &raw, w, h, mask, inverted)?
        }
    };
    let mut image = image;
    // A negative page (mostly black) is a decoding convention we got
    // wrong, not a newspaper: put it right.
    let mean = image.as_raw().iter().map(|&p| p as u64).sum::<u64>()
        / (image.as_raw().len().max(1) as u64);
    if mean < 80 {
        invert(&mut image);
    }
    Ok((image, damage))
}

fn invert(g: &mut GrayImage) {
    for p in g.iter_mut() {
        *p = 255 - *p;
    }
}

/// Rows of colour changes (CCITT) to a gray bitmap, written as decoded.
struct Bilevel {
    width: u32,
    max_rows: u32,
    rows: u32,
    /// Gray of a black and of a white pixel.
    dark: u8,
    light: u8,
    data: Vec<u8>,
}

impl Bilevel {
    fn new(width: u32, max_rows: u32, black_dark: bool) -> Bilevel {
        let (dark, light) = if black_dark { (0u8, 255u8) } else { (255, 0) };
        Bilevel {
            width,
            max_rows,
            rows: 0,
            dark,
            light,
            data: Vec::new(),
        }
    }

    fn into_gray(self, w: u32, h: u32) -> Result<GrayImage> {
        if self.rows == 0 {
            return Err(malformed("the page's CCITT fax image holds no rows"));
        }
        if self.width == w && self.rows >= h {
            let mut data = self.data;
            data.truncate(w as usize * h as usize);
            return GrayImage::from_raw(w, h, data)
                .ok_or_else(|| malformed("the page's CCITT fax image is short"));
        }
        let mut g = GrayImage::from_pixel(w, h, image::Luma([self.light]));
        let cols = self.width as usize;
        for y in 0..(self.rows.min(h) as usize) {
            let row = &self.data[y * cols..(y + 1) * cols];
            for (x, &v) in row.iter().enumerate().take(w as usize) {
                g.put_pixel(x as u32, y as u32, image::Luma([v]));
            }
        }
        Ok(g)
    }
}

impl hayro_ccitt::Decoder for Bilevel {
    fn push_row(&mut self, changes: &[u32]) {
        if self.rows >= self.max_rows {
            return;
        }
        let start_len = self.data.len();
        let cols = self.width as usize;
        self.data.resize(start_len + cols, self.light);
        let row = &mut self.data[start_len..];
        let mut i = 0;
        while i < changes.len() {
            let start = changes[i].min(self.width) as usize;
            let end = changes
                .get(i + 1)
                .map_or(self.width, |e| (*e).min(self.width)) as usize;
            for v in row.iter_mut().take(end).skip(start) {
                *v = self.dark;
            }
            i += 2;
        }
        self.rows += 1;
    }
}

/// Pixels pushed by the JBIG2 decoder.
struct Jbig2Sink {
    width: u32,
    height: u32,
    data: Vec<u8>,
    x: u32,
    y: u32,
}

impl Jbig2Sink {
    fn new(width: u32, height: u32) -> Jbig2Sink {
        Jbig2Sink {
            width,
            height,
            data: vec![255; width as usize * height as usize],
            x: 0,
            y: 0,
        }
    }

    fn into_gray(self) -> GrayImage {
        GrayImage::from_raw(self.width, self.height, self.data)
            .unwrap_or_else(|| GrayImage::new(1, 1))
    }

    fn put(&mut self, black: bool) {
        if black && self.x < self.width && self.y < self.height {
            self.data[(self.y * self.width + self.x) as usize] = 0;
        }
        self.x = self.x.saturating_add(1);
    }
}

impl hayro_jbig2::Decoder for Jbig2Sink {
    fn push_pixel(&mut self, black: bool) {
        self.put(black);
    }
    fn push_pixel_chunk(&mut self, black: bool, chunk_count: u32) {
        for _ in 0..chunk_count
            .saturating_mul(8)
            .min(self.width.saturating_add(8))
        {
            self.put(black);
        }
    }
    fn next_line(&mut self) {
        self.x = 0;
        self.y = self.y.saturating_add(1);
    }
}

#[derive(Clone, Copy, PartialEq)]
enum Space {
    Gray,
    Rgb,
    Cmyk,
}

/// The colour space's base and component count, with an Indexed palette.
/// An Indexed colour space's base and lookup table.
type Palette = (Space, Vec<u8>);

fn color_space(doc: &Objs<'_>, obj: Option<&Object>) -> Result<(Space, Option<Palette>)> {
    let base_of = |name: &[u8]| match name {
        b"DeviceGray" | b"G" | b"CalGray" => Some(Space::Gray),
        b"DeviceRGB" | b"RGB" | b"CalRGB" | b"Lab" => Some(Space::Rgb),
        b"DeviceCMYK" | b"CMYK" => Some(Space::Cmyk),
        _ => None,
    };
    match obj {
        None => Ok((Space::Gray, None)),
        Some(Object::Name(n)) => base_of(n).map(|s| (s, None)).ok_or_else(|| {
            unsupported(format!(
                "image colour space /{}",
                String::from_utf8_lossy(n)
            ))
        }),
        Some(Object::Array(a)) => {
            let kind = match a.first().and_then(|o| resolve(doc, o)) {
                Some(Object::Name(n)) => n.as_slice(),
                _ => return Err(malformed("the image colour space is unreadable")),
            };
            match kind {
                b"ICCBased" => {
                    let n = match a.get(1).and_then(|o| resolve(doc, o)) {
                        Some(Object::Stream(s)) => get_num(doc, &s.dict, b"N").unwrap_or(3.0),
                        _ => 3.0,
                    };
                    Ok((
                        match n as i64 {
                            1 => Space::Gray,
                            4 => Space::Cmyk,
                            _ => Space::Rgb,
                        },
                        None,
                    ))
                }
                b"Indexed" | b"I" => {
                    let (base, _) = color_space(doc, a.get(1).and_then(|o| resolve(doc, o)))?;
                    let lookup = match a.get(3).and_then(|o| resolve(doc, o)) {
                        Some(Object::String(s, _)) => s.clone(),
                        Some(Object::Stream(s)) => stream_data(doc, s)
                            .map_err(|e| malformed(format!("the image palette is damaged: {e}")))?,
                        _ => return Err(malformed("the image palette is missing")),
                    };
                    Ok((Space::Gray, Some((base, lookup))))
                }
                other => base_of(other).map(|s| (s, None)).ok_or_else(|| {
                    unsupported(format!(
                        "image colour space /{}",
                        String::from_utf8_lossy(other)
                    ))
                }),
            }
        }
        Some(_) => Err(malformed("the image colour space is unreadable")),
    }
}

fn to_gray(space: Space, c: &[u32]) -> u8 {
    match space {
        Space::Gray => c[0] as u8,
        Space::Rgb => ((299 * c[0] + 587 * c[1] + 114 * c[2]) / 1000) as u8,
        Space::Cmyk => {
            let g = (299 * (255 - c[0]) + 587 * (255 - c[1]) + 114 * (255 - c[2])) / 1000;
            (g * (255 - c[3]) / 255) as u8
        }
    }
}

/// Uncompressed samples (after Flate/LZW and predictors) to gray.
fn samples_to_gray(
    doc: &Objs<'_>,
    dict: &Dictionary,
    raw: &[u8],
    w: u32,
    h: u32,
    mask: bool,
    inverted: bool,
) -> Result<GrayImage> {
    let (space, palette) = if mask {
        (Space::Gray, None)
    } else {
        color_space(
            doc,
            get(doc, dict, b"ColorSpace").or_else(|| get(doc, dict, b"CS")),
        )?
    };
    let bpc = if mask {
        1
    } else {
        get_num(doc, dict, b"BitsPerComponent").unwrap_or(8.0) as u32
    };
    if !matches!(bpc, 1 | 2 | 4 | 8 | 16) {
        return Err(unsupported(format!("images with {bpc} bits per component")));
    }
    let ncomp = if palette.is_some() {
        1
    } else {
        match space {
            Space::Gray => 1,
            Space::Rgb => 3,
            Space::Cmyk => 4,
        }
    };
    let row_bytes = (w as usize * ncomp * bpc as usize).div_ceil(8);
    if raw.len() < row_bytes * h as usize {
        return Err(malformed(format!(
            "the page image's data is shorter than its size ({} of {} bytes); the stream is broken",
            raw.len(),
            row_bytes * h as usize
        )));
    }
    let max = (1u32 << bpc) - 1;
    let sample = |row: &[u8], i: usize| -> u32 {
        match bpc {
            8 => row[i] as u32,
            16 => row[2 * i] as u32,
            _ => {
                let bit = i * bpc as usize;
                ((row[bit / 8] >> (8 - bpc as usize - bit % 8)) as u32) & max
            }
        }
    };
    let scale = |v: u32| if bpc == 16 { v } else { v * 255 / max };
    let mut out = GrayImage::new(w, h);
    let mut comps = [0u32; 4];
    for y in 0..h as usize {
        let row = &raw[y * row_bytes..(y + 1) * row_bytes];
        for x in 0..w as usize {
            let v = if let Some((base, lut)) = &palette {
                let idx = sample(row, x) as usize;
                let n = match base {
                    Space::Gray => 1,
                    Space::Rgb => 3,
                    Space::Cmyk => 4,
                };
                for (k, c) in comps.iter_mut().enumerate().take(n) {
                    *c = lut.get(idx * n + k).copied().unwrap_or(255) as u32;
                }
                to_gray(*base, &comps[..n])
            } else {
                for (k, c) in comps.iter_mut().enumerate().take(ncomp) {
                    *c = scale(sample(row, x * ncomp + k));
                }
                to_gray(space, &comps[..ncomp])
            };
            let v = if mask {
                // Sample 0 paints (black) unless /Decode [1 0].
                if (v == 0) != inverted {
                    0
                } else {
                    255
                }
            } else if inverted {
                255 - v
            } else {
                v
            };
            out.put_pixel(x as u32, y as u32, image::Luma([v]));
        }
    }
    Ok(out)
}
