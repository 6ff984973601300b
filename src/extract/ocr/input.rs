//! Image files to grayscale page images: PNG, JPEG, TIFF (every page of a
//! multi-page TIFF) and JPEG 2000 (a JP2/JPX file or a raw codestream,
//! decoded by the pure-Rust `hayro-jpeg2000`), recognised by their magic
//! bytes.
//!
//! Memory is bounded: the size declared in the header is checked before
//! any pixel is decoded, and images over [`MAX_PIXELS`] are refused with a
//! message; decoders run with allocation limits. The resolution recorded in
//! the file (PNG `pHYs`, JPEG JFIF density, TIFF `XResolution`, JP2 `resc`
//! or `resd`) is kept.

use std::io::Cursor;

use image::{GrayImage, ImageFormat, ImageReader, Luma};

use crate::error::{Error, ErrorKind, Result};

/// Largest image accepted, in pixels (a broadsheet page at 400 dpi is
/// about 100 million).
pub const MAX_PIXELS: u64 = 150_000_000;
/// Largest allocation a decoder may make, in bytes (an RGB image of
/// [`MAX_PIXELS`] plus slack).
const MAX_ALLOC: u64 = 3 * MAX_PIXELS + (64 << 20);

/// The image formats we read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ImageKind {
    Png,
    Jpeg,
    Tiff,
    /// JPEG 2000: a JP2/JPX file (the signature box) or a raw codestream
    /// (`.j2k`/`.j2c`: SOC then SIZ).
    Jpeg2000,
}

/// The JP2 signature box, which opens JP2 and JPX files.
const JP2_SIGNATURE: &[u8] = b"\x00\x00\x00\x0cjP  \r\n\x87\n";
/// A JPEG 2000 codestream starts with SOC and SIZ.
const J2K_SIGNATURE: &[u8] = b"\xff\x4f\xff\x51";

/// The image format of `bytes`, from its magic bytes.
pub fn sniff(bytes: &[u8]) -> Option<ImageKind> {
    if bytes.starts_with(b"\x89PNG\r\n\x1a\n") {
        Some(ImageKind::Png)
    } else if bytes.starts_with(&[0xFF, 0xD8, 0xFF]) {
        Some(ImageKind::Jpeg)
    } else if bytes.starts_with(b"II*\0") || bytes.starts_with(b"MM\0*") {
        Some(ImageKind::Tiff)
    } else if bytes.starts_with(JP2_SIGNATURE) || bytes.starts_with(J2K_SIGNATURE) {
        Some(ImageKind::Jpeg2000)
    } else {
        None
    }
}

/// One decoded page.
#[derive(Debug, Clone)]
pub struct DecodedPage {
    pub image: GrayImage,
    /// The resolution of `image` (after any reduction), when the file
    /// records one.
    pub dpi: Option<f32>,
    /// The integer factor the page was reduced by while decoding (1: full
    /// size); see [`ocr_reduction`].
    pub reduced_by: u32,
    /// What was wrong with the data when the decoder could read the page
    /// only in part (the rest is left blank); `None` for a sound image.
    pub damage: Option<String>,
}

impl DecodedPage {
    fn whole(image: GrayImage, dpi: Option<f32>) -> DecodedPage {
        DecodedPage {
            image,
            dpi,
            reduced_by: 1,
            damage: None,
        }
    }

    /// A page decoded whole, then reduced to what OCR uses (see
    /// [`ocr_reduction`]).
    fn reduced_for_ocr(image: GrayImage, dpi: Option<f32>) -> DecodedPage {
        let (w, h) = image.dimensions();
        let by = ocr_reduction(w, h, dpi);
        DecodedPage {
            image: reduce(image, by),
            dpi: dpi.map(|d| d / by as f32),
            reduced_by: by,
            damage: None,
        }
    }
}

fn malformed(message: impl Into<String>) -> Error {
    Error::new(ErrorKind::Malformed, message)
}

/// Refuses sizes over the limit before decoding.
pub fn check_size(w: u32, h: u32) -> Result<()> {
    if w == 0 || h == 0 {
        return Err(Error::new(
            ErrorKind::Empty,
            format!("the image is {w}×{h} pixels: it holds nothing"),
        ));
    }
    if w as u64 * h as u64 > MAX_PIXELS {
        return Err(Error::new(
            ErrorKind::Unsupported,
            format!(
                "the image is {w}×{h} pixels ({:.0} megapixels), over the limit of {} megapixels",
                w as f64 * h as f64 / 1e6,
                MAX_PIXELS / 1_000_000
            ),
        )
        .with_hint("scale the scan down (300-400 dpi is plenty for OCR) or split it"));
    }
    Ok(())
}

fn limits() -> image::Limits {
    let mut l = image::Limits::default();
    l.max_alloc = Some(MAX_ALLOC);
    l
}

/// Decodes every page of an image file. The outer error is for the file
/// (unreadable header, too large); inner errors are for single pages of a
/// multi-page TIFF, which do not stop the others.
pub fn decode_pages(bytes: &[u8]) -> Result<Vec<Result<DecodedPage>>> {
    match sniff(bytes) {
        Some(ImageKind::Tiff) => decode_tiff(bytes),
        Some(ImageKind::Jpeg2000) => {
            let page = decode_jpeg2000(bytes)?;
            Ok(vec![Ok(DecodedPage::reduced_for_ocr(page.image, page.dpi))])
        }
        Some(kind) => {
            // The size the header declares, read by hand first: a huge
            // declared size is refused even when the rest is missing.
            if let Some((w, h)) = declared_size(bytes, kind) {
                check_size(w, h)?;
            }
            let page = if kind == ImageKind::Png {
                decode_png(bytes)?
            } else {
                let jpeg = decode_jpeg_gray(bytes)?;
                DecodedPage {
                    damage: jpeg.damage,
                    ..DecodedPage::reduced_for_ocr(jpeg.image, jpeg_dpi(bytes))
                }
            };
            Ok(vec![Ok(page)])
        }
        None => Err(Error::new(
            ErrorKind::Unsupported,
            "not a PNG, JPEG, TIFF or JPEG 2000 image",
        )),
    }
}

/// The resolution OCR is done at: Tesseract and PP-OCR read newspaper body
/// text (7 to 9 pt) well there, and gain nothing from more pixels.
const OCR_DPI: f32 = 300.0;
/// Above this resolution a page is reduced while it is decoded (the OCR
/// preprocessing would resize it to [`OCR_DPI`] anyway, after holding it
/// whole); the same bound as `preprocess::HIGH_DPI`.
const REDUCE_ABOVE_DPI: f32 = 450.0;
/// A page with more pixels than this is reduced whatever its recorded
/// resolution: a broadsheet (600 × 380 mm) at 400 dpi is about 56
/// megapixels, so more is more than OCR can use, and it is what a small
/// file declaring a huge size (a decompression bomb) would cost.
const OCR_MAX_PIXELS: u64 = 64_000_000;

/// The integer factor a `w`×`h` page at `dpi` is reduced by while it is
/// decoded: down to about [`OCR_DPI`] when the file records more than
/// [`REDUCE_ABOVE_DPI`], and under [`OCR_MAX_PIXELS`] in any case. Integer
/// factors keep the reduction a cheap box average done row by row.
pub fn ocr_reduction(w: u32, h: u32, dpi: Option<f32>) -> u32 {
    let by_dpi = crate::extract::ocr::plausible_dpi(dpi, w, h)
        .filter(|d| *d > REDUCE_ABOVE_DPI)
        .map_or(1, |d| (d / OCR_DPI).floor() as u32);
    let pixels = w as f64 * h as f64;
    let by_size = (pixels / OCR_MAX_PIXELS as f64).sqrt().ceil() as u32;
    by_dpi.max(by_size).clamp(1, 16)
}

/// `image` reduced by `by` in both directions (the mean of each `by`×`by`
/// block; a partial block at the right or bottom edge is dropped).
pub fn reduce(image: GrayImage, by: u32) -> GrayImage {
    if by <= 1 {
        return image;
    }
    let (w, h) = image.dimensions();
    let mut rows = RowReducer::new(w, by);
    for row in image.as_raw().chunks_exact(w as usize) {
        rows.push(row);
    }
    drop(image);
    rows.finish(h)
}

/// Reduces gray rows as they arrive, so a page is never held at full size
/// (the PNG decoder hands rows one at a time).
struct RowReducer {
    by: u32,
    width: u32,
    sums: Vec<u32>,
    rows_in_block: u32,
    out: Vec<u8>,
}

impl RowReducer {
    fn new(full_width: u32, by: u32) -> RowReducer {
        let width = (full_width / by).max(1);
        RowReducer {
            by,
            width,
            sums: vec![0; width as usize],
            rows_in_block: 0,
            out: Vec::new(),
        }
    }

    fn push(&mut self, gray_row: &[u8]) {
        let by = self.by as usize;
        for (sum, block) in self.sums.iter_mut().zip(gray_row.chunks(by)) {
            *sum += block.iter().map(|&v| v as u32).sum::<u32>();
        }
        self.rows_in_block += 1;
        if self.rows_in_block == self.by {
            let n = self.by * self.by;
            self.out
                .extend(self.sums.iter().map(|&s| ((s + n / 2) / n) as u8));
            self.sums.iter_mut().for_each(|s| *s = 0);
            self.rows_in_block = 0;
        }
    }

    /// The reduced image; rows never delivered (a damaged file) are white.
    fn finish(mut self, full_height: u32) -> GrayImage {
        let height = (full_height / self.by).max(1);
        self.out.resize(self.width as usize * height as usize, 255);
        GrayImage::from_raw(self.width, height, self.out)
            .unwrap_or_else(|| GrayImage::from_pixel(1, 1, Luma([255])))
    }
}

/// A JPEG decoded to gray.
pub struct JpegGray {
    pub image: GrayImage,
    /// The decoder's complaint when the data is damaged or cut short and
    /// the image was read as far as it goes (the rest mid-gray).
    pub damage: Option<String>,
}

/// Decodes a JPEG straight to gray (the luma channel: no RGB copy three
/// times the size). A damaged or truncated file is decoded twice: strictly,
/// which names the fault, then leniently, which keeps what is readable, as
/// a scan with a lost tail still holds most of its articles.
pub fn decode_jpeg_gray(bytes: &[u8]) -> Result<JpegGray> {
    use zune_core::bytestream::ZCursor;
    use zune_core::colorspace::ColorSpace;
    use zune_core::options::DecoderOptions;
    use zune_jpeg::JpegDecoder;
    let side = u16::MAX as usize;
    let options = DecoderOptions::default()
        .set_max_width(side)
        .set_max_height(side)
        .set_strict_mode(true);
    let mut probe = JpegDecoder::new_with_options(ZCursor::new(bytes), options);
    probe
        .decode_headers()
        .map_err(|e| malformed(format!("the JPEG header is unreadable: {e}")))?;
    let info = probe
        .info()
        .ok_or_else(|| malformed("the JPEG header is unreadable"))?;
    check_size(info.width as u32, info.height as u32)?;
    // Luma straight from YCbCr or gray data; CMYK and YCCK only convert
    // to RGB in this decoder.
    let out = match probe.input_colorspace() {
        Some(ColorSpace::YCbCr | ColorSpace::Luma) => ColorSpace::Luma,
        _ => ColorSpace::RGB,
    };
    let decode = |strict: bool| {
        let options = options.set_strict_mode(strict).jpeg_set_out_colorspace(out);
        let mut decoder = JpegDecoder::new_with_options(ZCursor::new(bytes), options);
        decoder.decode()
    };
    let (pixels, damage) = match decode(true) {
        Ok(p) => (p, None),
        Err(fault) => match decode(false) {
            Ok(p) => (p, Some(fault.to_string())),
            Err(e) => {
                return Err(malformed(format!(
                    "the JPEG image could not be decoded (truncated or damaged?): {e}"
                )))
            }
        },
    };
    let (w, h) = (info.width as u32, info.height as u32);
    let gray = if out == ColorSpace::Luma {
        GrayImage::from_raw(w, h, pixels)
    } else {
        image::RgbImage::from_raw(w, h, pixels)
            .map(|rgb| image::DynamicImage::ImageRgb8(rgb).into_luma8())
    };
    let image = gray.ok_or_else(|| malformed("the JPEG image's data does not match its size"))?;
    Ok(JpegGray { image, damage })
}

/// Decodes a PNG row by row to gray, reduced as it goes (see
/// [`ocr_reduction`]), so a small file declaring a huge page costs the
/// reduced page, not the full one in RGB. A file cut short or damaged keeps
/// the rows read before the fault (the rest white) and says so.
fn decode_png(bytes: &[u8]) -> Result<DecodedPage> {
    let dpi = png_dpi(bytes);
    let mut decoder = png::Decoder::new_with_limits(
        Cursor::new(bytes),
        png::Limits {
            bytes: MAX_ALLOC as usize,
        },
    );
    decoder.set_transformations(png::Transformations::EXPAND | png::Transformations::STRIP_16);
    let mut reader = decoder
        .read_info()
        .map_err(|e| malformed(format!("the PNG header is unreadable: {e}")))?;
    let (w, h) = (reader.info().width, reader.info().height);
    check_size(w, h)?;
    if reader.info().interlaced {
        // Interlaced rows arrive in seven passes, not top to bottom: such
        // files (rare for scans) are decoded whole.
        return decode_png_whole(bytes, dpi);
    }
    let channels = match reader.output_color_type().0 {
        png::ColorType::Grayscale => 1,
        png::ColorType::GrayscaleAlpha => 2,
        png::ColorType::Rgb => 3,
        png::ColorType::Rgba => 4,
        // EXPAND turns indexed colour into RGB(A).
        png::ColorType::Indexed => 3,
    };
    let by = ocr_reduction(w, h, dpi);
    let mut rows = RowReducer::new(w, by);
    let mut gray = vec![0u8; w as usize];
    let mut damage = None;
    let mut read = 0u32;
    loop {
        match reader.next_row() {
            Ok(Some(row)) => {
                let data = row.data();
                if data.len() < w as usize * channels {
                    damage = Some("a row is shorter than the image".to_string());
                    break;
                }
                for (g, px) in gray.iter_mut().zip(data.chunks_exact(channels)) {
                    *g = gray_of(px);
                }
                rows.push(&gray);
                read += 1;
            }
            Ok(None) => break,
            Err(e) => {
                damage = Some(e.to_string());
                break;
            }
        }
    }
    if read == 0 {
        return Err(malformed(format!(
            "the PNG image could not be decoded (truncated or damaged?): {}",
            damage.unwrap_or_else(|| "no rows".into())
        )));
    }
    let damage = damage.map(|d| format!("{d} (rows {} to {h} lost)", read + 1));
    Ok(DecodedPage {
        image: rows.finish(h),
        dpi: dpi.map(|d| d / by as f32),
        reduced_by: by,
        damage,
    })
}

/// One pixel of 1 to 4 8-bit samples as gray: sRGB luma with the
/// coefficients the `image` crate uses, alpha composed over white.
fn gray_of(px: &[u8]) -> u8 {
    let luma =
        |r: u8, g: u8, b: u8| ((2126 * r as u32 + 7152 * g as u32 + 722 * b as u32) / 10000) as u8;
    let over_white = |v: u8, a: u8| ((v as u32 * a as u32 + 255 * (255 - a as u32)) / 255) as u8;
    match *px {
        [v] => v,
        [v, a] => over_white(v, a),
        [r, g, b] => luma(r, g, b),
        [r, g, b, a] => over_white(luma(r, g, b), a),
        _ => 255,
    }
}

/// An interlaced PNG, decoded whole by the `image` crate and then reduced.
fn decode_png_whole(bytes: &[u8], dpi: Option<f32>) -> Result<DecodedPage> {
    let mut reader = ImageReader::with_format(Cursor::new(bytes), ImageFormat::Png);
    reader.limits(limits());
    let img = reader.decode().map_err(|e| {
        malformed(format!(
            "the PNG image could not be decoded (truncated or damaged?): {e}"
        ))
    })?;
    Ok(DecodedPage::reduced_for_ocr(to_gray(img), dpi))
}

/// Width and height as the header declares them (PNG `IHDR`, JPEG `SOFn`).
pub fn declared_size(bytes: &[u8], kind: ImageKind) -> Option<(u32, u32)> {
    declared_frame(bytes, kind).map(|(w, h, _)| (w, h))
}

/// The memory a page of this image file takes from the run's budget (see
/// `crate::memory`): from the size its header declares (a TIFF's first
/// page), the reduction it will get while decoding, and what its decoder
/// holds at its peak. 0 for what is not an image we read (it fails before
/// any pixel is decoded).
pub fn memory_estimate(bytes: &[u8]) -> u64 {
    let Some(kind) = sniff(bytes) else { return 0 };
    let (w, h, dpi, decoder_bytes_per_pixel) = match kind {
        ImageKind::Png => match declared_frame(bytes, kind) {
            // Read row by row: the decoder holds a row.
            Some((w, h, _)) => (w, h, png_dpi(bytes), 0),
            None => return 0,
        },
        ImageKind::Jpeg => match declared_frame(bytes, kind) {
            // The luma plane; a progressive JPEG (SOF2, SOF6, SOF10,
            // SOF14) also keeps 2 bytes of coefficients a sample, for 3
            // components.
            Some((w, h, sof)) => {
                let progressive = matches!(sof, 0xC2 | 0xC6 | 0xCA | 0xCE);
                (w, h, jpeg_dpi(bytes), if progressive { 7 } else { 1 })
            }
            None => return 0,
        },
        ImageKind::Tiff => {
            let size = tiff::decoder::Decoder::new(Cursor::new(bytes))
                .ok()
                .and_then(|mut d| d.dimensions().ok());
            match size {
                // Samples of up to 4 channels, and the gray page.
                Some((w, h)) => (w, h, None, 5),
                None => return 0,
            }
        }
        ImageKind::Jpeg2000 => {
            use hayro_jpeg2000::{DecodeSettings, Image};
            match Image::new(bytes, &DecodeSettings::default()) {
                // The RGB(A) image, and the gray page.
                Ok(i) => (i.width(), i.height(), None, 5),
                Err(_) => return 0,
            }
        }
    };
    if w as u64 * h as u64 > MAX_PIXELS {
        return 0;
    }
    crate::memory::page_image_estimate(w, h, ocr_reduction(w, h, dpi), decoder_bytes_per_pixel)
}

/// Width, height and (for a JPEG) the frame marker, as the header declares
/// them.
fn declared_frame(bytes: &[u8], kind: ImageKind) -> Option<(u32, u32, u8)> {
    match kind {
        ImageKind::Png => {
            let ihdr = bytes.get(12..24)?;
            (&ihdr[..4] == b"IHDR").then(|| {
                (
                    u32::from_be_bytes([ihdr[4], ihdr[5], ihdr[6], ihdr[7]]),
                    u32::from_be_bytes([ihdr[8], ihdr[9], ihdr[10], ihdr[11]]),
                    0,
                )
            })
        }
        ImageKind::Jpeg => {
            let mut pos = 2usize;
            while pos + 9 < bytes.len() && bytes[pos] == 0xFF {
                let marker = bytes[pos + 1];
                if marker == 0xFF {
                    pos += 1;
                    continue;
                }
                let len = u16::from_be_bytes([bytes[pos + 2], bytes[pos + 3]]) as usize;
                if (0xC0..=0xCF).contains(&marker) && !matches!(marker, 0xC4 | 0xC8 | 0xCC) {
                    let h = u16::from_be_bytes([bytes[pos + 5], bytes[pos + 6]]) as u32;
                    let w = u16::from_be_bytes([bytes[pos + 7], bytes[pos + 8]]) as u32;
                    return Some((w, h, marker));
                }
                if marker == 0xDA || len < 2 {
                    return None;
                }
                pos += 2 + len;
            }
            None
        }
        ImageKind::Tiff | ImageKind::Jpeg2000 => None,
    }
}

/// Decodes a JPEG 2000 image (JP2/JPX file or raw codestream) to gray; its
/// size is checked against [`MAX_PIXELS`] from the header, before any
/// sample is decoded. The PDF reader uses it for `JPXDecode` images too.
pub fn decode_jpeg2000(bytes: &[u8]) -> Result<DecodedPage> {
    use hayro_jpeg2000::{DecodeSettings, Image};
    let image = Image::new(bytes, &DecodeSettings::default())
        .map_err(|e| malformed(format!("the JPEG 2000 header is unreadable: {e}")))?;
    check_size(image.width(), image.height())?;
    let img = image::DynamicImage::from_decoder(image).map_err(|e| {
        malformed(format!(
            "the JPEG 2000 image could not be decoded (truncated or damaged?): {e}"
        ))
    })?;
    Ok(DecodedPage::whole(to_gray(img), jp2_dpi(bytes)))
}

/// The resolution of a JP2 file, from its header's `res ` box: the capture
/// resolution (`resc`, what the scanner used) or else the default display
/// resolution (`resd`); both are in pixels per metre as a fraction times a
/// power of ten.
fn jp2_dpi(bytes: &[u8]) -> Option<f32> {
    let header = find_box(bytes, b"jp2h")?;
    let res = find_box(header, b"res ")?;
    let data = find_box(res, b"resc").or_else(|| find_box(res, b"resd"))?;
    if data.len() < 10 {
        return None;
    }
    let u16_at = |i: usize| u16::from_be_bytes([data[i], data[i + 1]]) as f64;
    // Vertical then horizontal; the horizontal one is reported (scans have
    // square pixels, and layout works with one resolution).
    let (num, den, exp) = (u16_at(4), u16_at(6), data[9] as i8);
    if den == 0.0 || num == 0.0 {
        return None;
    }
    let per_metre = num / den * 10f64.powi(exp as i32);
    let dpi = (per_metre * 0.0254) as f32;
    dpi.is_finite().then_some(dpi)
}

/// The contents of the first box of type `kind` among the boxes of `data`
/// (ISO/IEC 15444-1 annex I: a 4-byte length, the type, the contents; length
/// 1 means a 64-bit length follows, 0 means to the end).
fn find_box<'a>(data: &'a [u8], kind: &[u8; 4]) -> Option<&'a [u8]> {
    let mut pos = 0usize;
    while pos + 8 <= data.len() {
        let len = u32::from_be_bytes(data[pos..pos + 4].try_into().ok()?) as u64;
        let (header, len) = match len {
            0 => (8, (data.len() - pos) as u64),
            1 => (
                16,
                u64::from_be_bytes(data.get(pos + 8..pos + 16)?.try_into().ok()?),
            ),
            n => (8, n),
        };
        let end = pos.checked_add(usize::try_from(len).ok()?)?;
        if len < header as u64 || end > data.len() {
            return None;
        }
        if &data[pos + 4..pos + 8] == kind {
            return Some(&data[pos + header..end]);
        }
        pos = end;
    }
    None
}

/// Gray, with transparency composed over white.
fn to_gray(img: image::DynamicImage) -> GrayImage {
    if img.color().has_alpha() {
        let la = img.to_luma_alpha8();
        let (w, h) = la.dimensions();
        let mut out = GrayImage::new(w, h);
        for (o, p) in out.pixels_mut().zip(la.pixels()) {
            let (v, a) = (p[0] as u32, p[1] as u32);
            *o = Luma([((v * a + 255 * (255 - a)) / 255) as u8]);
        }
        out
    } else {
        img.into_luma8()
    }
}

/// PNG `pHYs` in pixels per metre, as dpi.
fn png_dpi(bytes: &[u8]) -> Option<f32> {
    let mut pos = 8usize;
    while pos + 8 <= bytes.len() {
        let len = u32::from_be_bytes(bytes[pos..pos + 4].try_into().ok()?) as usize;
        let kind = &bytes[pos + 4..pos + 8];
        let data = bytes.get(pos + 8..pos + 8 + len)?;
        match kind {
            b"pHYs" if len >= 9 => {
                let x = u32::from_be_bytes(data[0..4].try_into().ok()?);
                return (data[8] == 1 && x > 0).then_some(x as f32 * 0.0254);
            }
            b"IDAT" | b"IEND" => return None,
            _ => {}
        }
        pos = pos.checked_add(12 + len)?;
    }
    None
}

/// JPEG JFIF `APP0` density, as dpi.
fn jpeg_dpi(bytes: &[u8]) -> Option<f32> {
    let mut pos = 2usize;
    while pos + 4 <= bytes.len() && bytes[pos] == 0xFF {
        let marker = bytes[pos + 1];
        let len = u16::from_be_bytes([bytes[pos + 2], bytes[pos + 3]]) as usize;
        if marker == 0xE0 {
            let d = bytes.get(pos + 4..pos + 2 + len)?;
            if d.len() >= 12 && d.starts_with(b"JFIF\0") {
                let units = d[7];
                let x = u16::from_be_bytes([d[8], d[9]]) as f32;
                return match units {
                    1 if x > 1.0 => Some(x),
                    2 if x > 1.0 => Some(x * 2.54),
                    _ => None,
                };
            }
        }
        if marker == 0xDA || len < 2 {
            return None;
        }
        pos += 2 + len;
    }
    None
}

fn decode_tiff(bytes: &[u8]) -> Result<Vec<Result<DecodedPage>>> {
    Ok(TiffPages::new(bytes)?.collect())
}

/// The pages of a TIFF, decoded one at a time (so that a long multi-page
/// file is never held in memory whole).
pub struct TiffPages<'a> {
    dec: tiff::decoder::Decoder<Cursor<&'a [u8]>>,
    index: usize,
    done: bool,
}

impl<'a> TiffPages<'a> {
    pub fn new(bytes: &'a [u8]) -> Result<TiffPages<'a>> {
        use tiff::decoder::{Decoder, Limits};
        let mut tl = Limits::default();
        tl.decoding_buffer_size = MAX_ALLOC as usize;
        let dec = Decoder::new(Cursor::new(bytes))
            .map_err(|e| malformed(format!("the TIFF header is unreadable: {e}")))?
            .with_limits(tl);
        Ok(TiffPages {
            dec,
            index: 0,
            done: false,
        })
    }
}

impl Iterator for TiffPages<'_> {
    type Item = Result<DecodedPage>;

    fn next(&mut self) -> Option<Self::Item> {
        // A bounded number of pages, each read independently.
        if self.done || self.index >= 10_000 {
            return None;
        }
        let number = self.index as u32 + 1;
        if self.index > 0 {
            if !self.dec.more_images() {
                self.done = true;
                return None;
            }
            if let Err(e) = self.dec.next_image() {
                self.done = true;
                return Some(Err(malformed(format!(
                    "the TIFF's next page is unreadable: {e}; the pages after it are lost"
                ))
                .with_page(number)));
            }
        }
        self.index += 1;
        Some(tiff_page(&mut self.dec).map_err(|e| e.with_page(number)))
    }
}

/// Every page of an image file, decoded one at a time: PNG and JPEG have
/// one, a TIFF as many as it holds.
pub enum ImagePages<'a> {
    Single(Option<Result<DecodedPage>>),
    Tiff(Box<TiffPages<'a>>),
}

impl<'a> ImagePages<'a> {
    /// The file's error (unreadable header, too large) comes here; page
    /// errors come from the iterator.
    pub fn new(bytes: &'a [u8]) -> Result<ImagePages<'a>> {
        match sniff(bytes) {
            Some(ImageKind::Tiff) => Ok(ImagePages::Tiff(Box::new(TiffPages::new(bytes)?))),
            _ => {
                let mut pages = decode_pages(bytes)?;
                Ok(ImagePages::Single(pages.pop()))
            }
        }
    }
}

impl Iterator for ImagePages<'_> {
    type Item = Result<DecodedPage>;

    fn next(&mut self) -> Option<Self::Item> {
        match self {
            ImagePages::Single(p) => p.take(),
            ImagePages::Tiff(t) => t.next(),
        }
    }
}

fn tiff_page(dec: &mut tiff::decoder::Decoder<Cursor<&[u8]>>) -> Result<DecodedPage> {
    use tiff::decoder::DecodingResult;
    use tiff::tags::Tag;
    use tiff::ColorType;
    let (w, h) = dec
        .dimensions()
        .map_err(|e| malformed(format!("the TIFF page has no size: {e}")))?;
    check_size(w, h)?;
    let color = dec
        .colortype()
        .map_err(|e| malformed(format!("the TIFF page's colour type is unreadable: {e}")))?;
    let dpi = dec.find_tag(Tag::XResolution).ok().flatten().and_then(|v| {
        use tiff::decoder::ifd::Value;
        let x = match v {
            Value::Rational(n, d) if d > 0 => n as f64 / d as f64,
            Value::Float(f) => f as f64,
            Value::Double(f) => f,
            Value::Unsigned(n) => n as f64,
            Value::Short(n) => n as f64,
            Value::List(l) => match l.first() {
                Some(Value::Rational(n, d)) if *d > 0 => *n as f64 / *d as f64,
                _ => return None,
            },
            _ => return None,
        };
        let unit = dec.get_tag_u32(Tag::ResolutionUnit).unwrap_or(2);
        match unit {
            2 => Some(x as f32),
            3 => Some(x as f32 * 2.54),
            _ => None,
        }
    });
    let white_is_zero = dec.get_tag_u32(Tag::PhotometricInterpretation).ok() == Some(0);
    let data = dec
        .read_image()
        .map_err(|e| malformed(format!("the TIFF page could not be decoded: {e}")))?;
    let (channels, bits): (usize, u8) = match color {
        ColorType::Gray(b) => (1, b),
        ColorType::GrayA(b) => (2, b),
        ColorType::RGB(b) => (3, b),
        ColorType::RGBA(b) => (4, b),
        ColorType::CMYK(b) => (4, b),
        other => {
            return Err(Error::new(
                ErrorKind::Unsupported,
                format!("TIFF colour type {other:?} is not supported"),
            ))
        }
    };
    let cmyk = matches!(color, ColorType::CMYK(_));
    let n = w as usize * h as usize;
    let mut out = vec![255u8; n];
    match (&data, bits) {
        (DecodingResult::U8(v), 1) if channels == 1 => {
            let row = (w as usize).div_ceil(8);
            if v.len() < row * h as usize {
                return Err(malformed("the TIFF page's data is shorter than its size"));
            }
            for y in 0..h as usize {
                for x in 0..w as usize {
                    let bit = (v[y * row + x / 8] >> (7 - x % 8)) & 1;
                    out[y * w as usize + x] = if bit == 1 { 255 } else { 0 };
                }
            }
        }
        (DecodingResult::U8(v), 8) => fill(&mut out, v, channels, cmyk, |s| s)?,
        (DecodingResult::U16(v), 16) => fill(&mut out, v, channels, cmyk, |s| (s >> 8) as u8)?,
        _ => {
            return Err(Error::new(
                ErrorKind::Unsupported,
                format!("TIFF pages with {bits}-bit {color:?} samples are not supported"),
            ))
        }
    }
    if white_is_zero {
        for p in &mut out {
            *p = 255 - *p;
        }
    }
    let image = GrayImage::from_raw(w, h, out)
        .ok_or_else(|| malformed("the TIFF page's size does not match its data"))?;
    Ok(DecodedPage::reduced_for_ocr(image, dpi))
}

/// Samples of `channels` per pixel to gray (alpha over white, CMYK
/// inverted).
fn fill<T: Copy>(
    out: &mut [u8],
    v: &[T],
    channels: usize,
    cmyk: bool,
    to8: impl Fn(T) -> u8,
) -> Result<()> {
    if v.len() < out.len() * channels {
        return Err(malformed("the TIFF page's data is shorter than its size"));
    }
    for (o, px) in out.iter_mut().zip(v.chunks_exact(channels)) {
        let s: Vec<u32> = px.iter().map(|&p| to8(p) as u32).collect();
        *o = match (channels, cmyk) {
            (1, _) => s[0] as u8,
            (2, _) => ((s[0] * s[1] + 255 * (255 - s[1])) / 255) as u8,
            (4, true) => {
                let k = 255 - s[3];
                let g = (299 * (255 - s[0]) + 587 * (255 - s[1]) + 114 * (255 - s[2])) / 1000;
                (g * k / 255) as u8
            }
            _ => {
                let g = (299 * s[0] + 587 * s[1] + 114 * s[2]) / 1000;
                if channels == 4 {
                    ((g * s[3] + 255 * (255 - s[3])) / 255) as u8
                } else {
                    g as u8
                }
            }
        };
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn magic_bytes() {
        assert_eq!(sniff(b"\x89PNG\r\n\x1a\nxxxx"), Some(ImageKind::Png));
        assert_eq!(sniff(&[0xFF, 0xD8, 0xFF, 0xE0]), Some(ImageKind::Jpeg));
        assert_eq!(sniff(b"II*\0...."), Some(ImageKind::Tiff));
        assert_eq!(sniff(b"MM\0*...."), Some(ImageKind::Tiff));
        assert_eq!(
            sniff(b"\x00\x00\x00\x0cjP  \r\n\x87\n\x00\x00"),
            Some(ImageKind::Jpeg2000)
        );
        assert_eq!(sniff(b"\xff\x4f\xff\x51\x00"), Some(ImageKind::Jpeg2000));
        assert_eq!(sniff(b"%PDF-1.4"), None);
        assert_eq!(sniff(b"hello"), None);
    }

    #[test]
    fn jp2_resolution_from_the_capture_box() {
        // jp2h { res { resc: 300 dpi = 11811 px/m as 11811/1 * 10^0 } }
        let resc = [
            0, 0, 0, 18, b'r', b'e', b's', b'c', 0x2E, 0x23, 0, 1, 0x2E, 0x23, 0, 1, 0, 0,
        ];
        let mut res = vec![0, 0, 0, 8 + resc.len() as u8, b'r', b'e', b's', b' '];
        res.extend_from_slice(&resc);
        let mut file = JP2_SIGNATURE.to_vec();
        file.extend_from_slice(&[0, 0, 0, 8 + res.len() as u8, b'j', b'p', b'2', b'h']);
        file.extend_from_slice(&res);
        let dpi = jp2_dpi(&file).unwrap();
        assert!((dpi - 300.0).abs() < 0.1, "{dpi}");
        // A box running past the end is no box.
        assert_eq!(jp2_dpi(&file[..file.len() - 1]), None);
    }

    #[test]
    fn damaged_jpeg2000_is_an_error() {
        let mut bytes = JP2_SIGNATURE.to_vec();
        bytes.extend_from_slice(b"garbage that is no JP2 header at all");
        let e = decode_pages(&bytes).unwrap_err();
        assert!(e.message.contains("JPEG 2000"), "{}", e.message);
    }

    #[test]
    fn huge_sizes_are_refused() {
        assert!(check_size(20_000, 30_000).is_err());
        assert!(check_size(0, 10).is_err());
        assert!(check_size(2480, 3508).is_ok());
    }

    #[test]
    fn png_resolution_is_read() {
        let img = GrayImage::from_pixel(4, 4, Luma([255]));
        let mut buf = Vec::new();
        img.write_to(&mut Cursor::new(&mut buf), ImageFormat::Png)
            .unwrap();
        // No pHYs written by the encoder.
        assert_eq!(png_dpi(&buf), None);
        let pages = decode_pages(&buf).unwrap();
        assert_eq!(pages.len(), 1);
        assert_eq!(pages[0].as_ref().unwrap().image.dimensions(), (4, 4));
    }
}
