//! Image files to grayscale page images: PNG, JPEG, TIFF (every page of a
//! multi-page TIFF), recognised by their magic bytes.
//!
//! Memory is bounded: the size declared in the header is checked before
//! any pixel is decoded, and images over [`MAX_PIXELS`] are refused with a
//! message; decoders run with allocation limits. The resolution recorded in
//! the file (PNG `pHYs`, JPEG JFIF density, TIFF `XResolution`) is kept.

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
}

/// The image format of `bytes`, from its magic bytes.
pub fn sniff(bytes: &[u8]) -> Option<ImageKind> {
    if bytes.starts_with(b"\x89PNG\r\n\x1a\n") {
        Some(ImageKind::Png)
    } else if bytes.starts_with(&[0xFF, 0xD8, 0xFF]) {
        Some(ImageKind::Jpeg)
    } else if bytes.starts_with(b"II*\0") || bytes.starts_with(b"MM\0*") {
        Some(ImageKind::Tiff)
    } else {
        None
    }
}

/// One decoded page.
#[derive(Debug, Clone)]
pub struct DecodedPage {
    pub image: GrayImage,
    pub dpi: Option<f32>,
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
        Some(kind) => {
            let format = match kind {
                ImageKind::Png => ImageFormat::Png,
                _ => ImageFormat::Jpeg,
            };
            let name = if format == ImageFormat::Png {
                "PNG"
            } else {
                "JPEG"
            };
            // The size the header declares, read by hand first: a huge
            // declared size is refused even when the rest is missing.
            if let Some((w, h)) = declared_size(bytes, kind) {
                check_size(w, h)?;
            }
            let mut reader = ImageReader::with_format(Cursor::new(bytes), format);
            reader.limits(limits());
            let (w, h) = reader
                .into_dimensions()
                .map_err(|e| malformed(format!("the {name} header is unreadable: {e}")))?;
            check_size(w, h)?;
            let mut reader = ImageReader::with_format(Cursor::new(bytes), format);
            reader.limits(limits());
            let img = reader.decode().map_err(|e| {
                malformed(format!(
                    "the {name} image could not be decoded (truncated or damaged?): {e}"
                ))
            })?;
            let dpi = match kind {
                ImageKind::Png => png_dpi(bytes),
                _ => jpeg_dpi(bytes),
            };
            Ok(vec![Ok(DecodedPage {
                image: to_gray(img),
                dpi,
            })])
        }
        None => Err(Error::new(
            ErrorKind::Unsupported,
            "not a PNG, JPEG or TIFF image",
        )),
    }
}

/// Width and height as the header declares them (PNG `IHDR`, JPEG `SOFn`).
pub fn declared_size(bytes: &[u8], kind: ImageKind) -> Option<(u32, u32)> {
    match kind {
        ImageKind::Png => {
            let ihdr = bytes.get(12..24)?;
            (&ihdr[..4] == b"IHDR").then(|| {
                (
                    u32::from_be_bytes([ihdr[4], ihdr[5], ihdr[6], ihdr[7]]),
                    u32::from_be_bytes([ihdr[8], ihdr[9], ihdr[10], ihdr[11]]),
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
                    return Some((w, h));
                }
                if marker == 0xDA || len < 2 {
                    return None;
                }
                pos += 2 + len;
            }
            None
        }
        ImageKind::Tiff => None,
    }
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
    Ok(DecodedPage { image, dpi })
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
        assert_eq!(sniff(b"%PDF-1.4"), None);
        assert_eq!(sniff(b"hello"), None);
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
