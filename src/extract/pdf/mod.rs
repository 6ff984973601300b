//! PDF pages to positioned glyphs and page graphics.
//!
//! [`PdfDocument::open`] loads a file with lopdf (damaged cross-reference
//! tables are rebuilt by lopdf, an empty user password is tried on
//! encrypted files); [`PdfDocument::page`] interprets one page, and may be
//! called for several pages at once from different threads (the document
//! is `Sync`; fonts parsed once are shared).
//!
//! Memory: lopdf must parse every object of the file when it loads it (it
//! has no public on-demand reader), but the data of the streams (page
//! contents, images, fonts, which are most of a file) is not kept: it is
//! read again from the file's bytes when a page asks for it and dropped
//! with the page (see `objects::PdfFile`). What a document holds for the
//! whole run is the file's bytes (borrowed from the caller), the object
//! dictionaries and the fonts parsed so far.
//!
//! The interpreter (`interp`) walks the page content stream and its Form
//! XObjects operator by operator, with its own tolerant tokenizer (`lexer`)
//! and font handling (`font`, `cmap`, `encoding`): every code of every
//! text-show operator becomes one [`Glyph`] whose box comes from the font's
//! widths and the text, CTM and page matrices. Positions come from this
//! interpreter rather than pdf-extract, because pdf-extract 0.12 reads the
//! range form of `/W` wrongly (glyphs share one x) and drops text shown
//! with the `'` operator.
//!
//! Conventions (see [`crate::model`]): points, top-left origin of the page
//! as displayed, i.e. after `/Rotate` and relative to the crop box. A
//! glyph's box spans its own advance width horizontally (char and word
//! spacing move the next glyph but are left out of the box, as poppler
//! does) and the font's ascent to descent vertically.
//! What lies entirely outside the crop box is not reported. A glyph is
//! `invisible` in text render mode 3 (or 7) and also when an opaque image
//! is painted over it later (scans often carry their OCR layer under the
//! page image, in white text).
//!
//! Text comes from the ToUnicode CMap first, then the glyph names of the
//! font's encoding (`/Differences`, then the standard encodings); a code
//! with neither is `unmapped` with empty text and one `unmapped-glyphs`
//! warning per font and page — never guessed text. Latin ligatures
//! (U+FB00..U+FB06, `fi`, `f_f_i`...) are decomposed into their letters;
//! a spacing accent drawn over a letter (`e` + `ˆ`) becomes the composed
//! letter (`ê`).
//!
//! Not handled: font programs are never read (so a CID font without
//! ToUnicode has no text, and predefined CJK CMaps other than Identity,
//! UCS-2/UTF-16 and the legacy GB/Big5/Shift-JIS/EUC encodings are read as
//! two-byte codes with default widths); marked-content `/ActualText`,
//! annotations, optional-content visibility, clipping and soft masks are
//! ignored; Indexed fill colours keep the previous colour.

mod cmap;
mod encoding;
mod font;
mod images;
mod interp;
mod lexer;
mod objects;
mod tables;

use std::panic::{catch_unwind, AssertUnwindSafe};

use lopdf::{Dictionary, Document, LoadOptions, Object, ObjectId};

use crate::error::{Error, ErrorKind, Result};
use crate::model::{BBox, Glyph, Warning};

use interp::{FontCache, Interp, Matrix, PageOut};
use objects::{get, get_dict, num_in, resolve, stream_data, Objs, PdfFile};

/// Deepest page-tree ancestry followed for inherited attributes.
const MAX_TREE_DEPTH: usize = 64;

/// An image XObject or inline image placed on a page.
#[derive(Debug, Clone, PartialEq)]
pub struct ImagePlacement {
    /// The unit square through the CTM, in page space.
    pub bbox: BBox,
    /// The XObject's resource name (`Im0`), or `inline`.
    pub name: String,
    pub pixel_width: u32,
    pub pixel_height: u32,
    /// The last filter of the image data (its codec: `DCTDecode`,
    /// `JBIG2Decode`, `FlateDecode`...), abbreviations expanded.
    pub filter: Option<String>,
}

/// One page: glyphs in content-stream order and the graphics that matter
/// for layout.
#[derive(Debug, Clone, PartialEq)]
pub struct PdfPage {
    /// 1-based.
    pub number: u32,
    /// Size in points after rotation.
    pub width: f32,
    pub height: f32,
    /// `/Rotate` normalised to 0, 90, 180 or 270.
    pub rotation: i32,
    pub glyphs: Vec<Glyph>,
    /// Separators: stroked horizontal/vertical lines (box grown by the line
    /// width) and filled rectangles thinner than 2 pt and longer than 10 pt.
    pub rules: Vec<BBox>,
    /// Stroked rectangles (frames), grown by half the line width.
    pub boxes: Vec<BBox>,
    pub images: Vec<ImagePlacement>,
    /// Warnings about this page (`page` set).
    pub warnings: Vec<Warning>,
}

impl PdfPage {
    /// Whether the page has a usable text layer: at least one glyph with
    /// non-blank Unicode text (visible or not).
    pub fn has_text(&self) -> bool {
        self.glyphs.iter().any(|g| !g.text.trim().is_empty())
    }

    /// Share of the glyphs with non-blank text that are invisible (render
    /// mode 3, as OCR layers over scans use); 0 when there is no text.
    pub fn invisible_share(&self) -> f32 {
        let mut total = 0usize;
        let mut invisible = 0usize;
        for g in &self.glyphs {
            if !g.text.trim().is_empty() {
                total += 1;
                if g.invisible {
                    invisible += 1;
                }
            }
        }
        if total == 0 {
            0.0
        } else {
            invisible as f32 / total as f32
        }
    }
}

/// A loaded PDF file, borrowing its bytes.
pub struct PdfDocument<'b> {
    doc: PdfFile<'b>,
    pages: Vec<ObjectId>,
    fonts: FontCache,
    warnings: Vec<Warning>,
}

impl std::fmt::Debug for PdfDocument<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PdfDocument")
            .field("pages", &self.pages.len())
            .finish_non_exhaustive()
    }
}

fn malformed(message: impl Into<String>) -> Error {
    Error::new(ErrorKind::Malformed, message)
}

impl<'b> PdfDocument<'b> {
    /// Load a PDF from its bytes, which the document borrows (stream data
    /// is read from them when a page needs it). Errors: `Empty` (no bytes,
    /// no pages), `Malformed` (not a PDF, unreadable structure),
    /// `Unsupported` (encrypted with a password). The caller adds the path.
    pub fn open(bytes: &'b [u8]) -> Result<PdfDocument<'b>> {
        if bytes.is_empty() {
            return Err(Error::new(ErrorKind::Empty, "the file is empty (0 bytes)"));
        }
        if !bytes.windows(5).any(|w| w == b"%PDF-") {
            return Err(malformed("not a PDF file (no %PDF- header)"));
        }
        let loaded = catch_unwind(AssertUnwindSafe(|| {
            // A sound file: only its page tree is held, any other object is
            // parsed when a page needs it.
            let on_demand = Document::load_mem_with_options(
                bytes,
                LoadOptions::with_filter(objects::keep_page_tree),
            )
            .ok()
            .and_then(|doc| PdfFile::on_demand(doc, bytes));
            if let Some(file) = on_demand {
                return Ok(file);
            }
            let deferred = Document::load_mem_with_options(
                bytes,
                LoadOptions::with_filter(objects::defer_stream_data),
            )
            .ok()
            // lopdf rebuilds a damaged page tree only on a load without a
            // filter, and a stream not found again needs its data kept:
            // either way the file is loaded again, whole, as it always was.
            .filter(page_tree_loaded)
            .and_then(|doc| PdfFile::locate(doc, bytes));
            match deferred {
                Some(file) => Ok(file),
                None => Document::load_mem_with_options(bytes, LoadOptions::default())
                    .map(PdfFile::in_memory),
            }
        }));
        let doc = match loaded {
            Ok(Ok(doc)) => doc,
            Ok(Err(e)) => {
                let what = match &e {
                    lopdf::Error::Xref(_) | lopdf::Error::MissingXrefEntry => {
                        "its cross-reference table is missing or broken and no objects could be recovered"
                    }
                    lopdf::Error::Parse(_) => "its structure could not be parsed",
                    lopdf::Error::Decryption(_) | lopdf::Error::UnsupportedSecurityHandler(_) => {
                        "its encryption is not supported"
                    }
                    _ => "it is not a readable PDF",
                };
                return Err(malformed(format!(
                    "the PDF could not be read: {what}; the file may be truncated or damaged \
                     (lopdf: {e}: {e:?})"
                )));
            }
            Err(_) => {
                return Err(malformed(
                    "the PDF could not be read: the parser failed on damaged data",
                ))
            }
        };
        let objs = Objs::new(&doc);
        let lopdf = doc.document();
        if lopdf.trailer.has(b"Encrypt") {
            return Err(Error::new(
                ErrorKind::Unsupported,
                "the PDF is encrypted and needs a password to open",
            )
            .with_hint(
                "remove the password first, e.g. `qpdf --decrypt --password=... in.pdf out.pdf`",
            ));
        }
        let mut warnings = Vec::new();
        if let Some(r) = lopdf.xref_recovery {
            warnings.push(Warning::new(
                "xref-recovered",
                format!("the cross-reference table was damaged and has been rebuilt ({r:?})"),
            ));
        }
        if lopdf.encryption_state.is_some() {
            warnings.push(Warning::new(
                "decrypted",
                "the PDF is encrypted with an empty user password; it was decrypted",
            ));
        }
        let has_tree = lopdf
            .catalog()
            .ok()
            .and_then(|c| get(&objs, c, b"Pages"))
            .is_some();
        let pages: Vec<ObjectId> = lopdf.page_iter().collect();
        drop(objs);
        if pages.is_empty() {
            return Err(if has_tree {
                Error::new(ErrorKind::Empty, "the PDF has no pages")
            } else {
                malformed("the PDF has no readable page tree; the file may be truncated or damaged")
            });
        }
        Ok(PdfDocument {
            doc,
            pages,
            fonts: FontCache::default(),
            warnings,
        })
    }

    pub fn page_count(&self) -> usize {
        self.pages.len()
    }

    /// Warnings about the whole file (a rebuilt cross-reference table, an
    /// empty-password decryption).
    pub fn warnings(&self) -> &[Warning] {
        &self.warnings
    }

    /// Interpret page `number` (1-based). A page whose content cannot be
    /// decoded is an error for that page only.
    pub fn page(&self, number: u32) -> Result<PdfPage> {
        let id = number
            .checked_sub(1)
            .and_then(|i| self.pages.get(i as usize))
            .copied()
            .ok_or_else(|| {
                malformed(format!(
                    "page {number} does not exist (the PDF has {} pages)",
                    self.pages.len()
                ))
                .with_page(number)
            })?;
        match catch_unwind(AssertUnwindSafe(|| self.page_inner(number, id))) {
            Ok(r) => r.map_err(|e| e.with_page(number)),
            Err(_) => Err(malformed("the page could not be read: damaged data").with_page(number)),
        }
    }

    fn page_inner(&self, number: u32, id: ObjectId) -> Result<PdfPage> {
        let objs = Objs::new(&self.doc);
        let doc = &objs;
        let dict = doc
            .get_dictionary(id)
            .map_err(|e| malformed(format!("the page object is unreadable: {e}")))?;
        let mut warnings = Vec::new();

        let media = inherited(doc, dict, b"MediaBox")
            .and_then(|o| rect(doc, o))
            .unwrap_or_else(|| {
                warnings.push(Warning::new(
                    "no-mediabox",
                    "the page has no valid MediaBox; US Letter assumed",
                ));
                [0.0, 0.0, 612.0, 792.0]
            });
        let crop = inherited(doc, dict, b"CropBox")
            .and_then(|o| rect(doc, o))
            .and_then(|c| intersect(c, media))
            .unwrap_or(media);
        let rotation = inherited(doc, dict, b"Rotate")
            .and_then(|o| num_in(doc, o))
            .map_or(0, |r| {
                let r = (r / 90.0).round() as i64 * 90;
                r.rem_euclid(360) as i32
            });
        let (device, width, height) = device_matrix(crop, rotation);

        let content = page_content(doc, dict)
            .map_err(|e| malformed(format!("the page content stream could not be decoded: {e}")))?;
        let resources = inherited(doc, dict, b"Resources").and_then(objects::as_dict);

        let page_box = BBox {
            x0: 0.0,
            y0: 0.0,
            x1: width as f32,
            y1: height as f32,
        };
        let mut interp = Interp::new(doc, &self.fonts, device, page_box);
        interp.run(&content, resources, 0);
        let mut out = std::mem::take(&mut interp.out);
        drop(interp);

        merge_diacritics(&mut out);
        hide_covered_glyphs(&mut out);
        warnings.append(&mut out.warnings);
        font_warnings(&out, &mut warnings);
        for w in &mut warnings {
            w.page = Some(number);
        }
        Ok(PdfPage {
            number,
            width: width as f32,
            height: height as f32,
            rotation,
            glyphs: out.glyphs,
            rules: out.rules,
            boxes: out.boxes,
            images: out.images,
            warnings,
        })
    }
}

/// Whether the catalog leads to a page tree root with `/Kids` (what lopdf
/// checks before it rebuilds a damaged file's cross-reference table).
fn page_tree_loaded(doc: &Document) -> bool {
    doc.catalog()
        .ok()
        .and_then(|c| c.get(b"Pages").ok())
        .and_then(|p| p.as_reference().ok())
        .and_then(|id| doc.get_dictionary(id).ok())
        .and_then(|root| root.get_deref(b"Kids", doc).ok())
        .is_some_and(|kids| kids.as_array().is_ok())
}

/// A page attribute, inherited through `/Parent`.
fn inherited<'d>(doc: &'d Objs<'_>, page: &'d Dictionary, key: &[u8]) -> Option<&'d Object> {
    let mut node = page;
    for _ in 0..MAX_TREE_DEPTH {
        if let Some(v) = get(doc, node, key) {
            return Some(v);
        }
        node = get_dict(doc, node, b"Parent")?;
    }
    None
}

/// A rectangle `[llx lly urx ury]`, normalised.
fn rect(doc: &Objs<'_>, obj: &Object) -> Option<[f64; 4]> {
    let Object::Array(a) = obj else { return None };
    if a.len() != 4 {
        return None;
    }
    let mut v = [0.0; 4];
    for (slot, o) in v.iter_mut().zip(a) {
        *slot = num_in(doc, o)?;
    }
    let r = [
        v[0].min(v[2]),
        v[1].min(v[3]),
        v[0].max(v[2]),
        v[1].max(v[3]),
    ];
    (r[2] - r[0] > 0.0 && r[3] - r[1] > 0.0 && r.iter().all(|x| x.abs() < 1e7)).then_some(r)
}

fn intersect(a: [f64; 4], b: [f64; 4]) -> Option<[f64; 4]> {
    let r = [
        a[0].max(b[0]),
        a[1].max(b[1]),
        a[2].min(b[2]),
        a[3].min(b[3]),
    ];
    (r[2] > r[0] && r[3] > r[1]).then_some(r)
}

/// User space to page space (rotated, top-left origin), and the page size
/// after rotation.
fn device_matrix(b: [f64; 4], rotation: i32) -> (Matrix, f64, f64) {
    let [llx, lly, urx, ury] = b;
    let (w, h) = (urx - llx, ury - lly);
    match rotation {
        90 => (Matrix::new([0.0, 1.0, 1.0, 0.0, -lly, -llx]), h, w),
        180 => (Matrix::new([-1.0, 0.0, 0.0, 1.0, urx, -lly]), w, h),
        270 => (Matrix::new([0.0, -1.0, -1.0, 0.0, ury, urx]), h, w),
        _ => (Matrix::new([1.0, 0.0, 0.0, -1.0, -llx, ury]), w, h),
    }
}

/// The page's content streams, decoded and joined.
fn page_content(doc: &Objs<'_>, page: &Dictionary) -> lopdf::Result<Vec<u8>> {
    let mut out = Vec::new();
    let Some(contents) = get(doc, page, b"Contents") else {
        return Ok(out);
    };
    let mut append = |obj: &Object| -> lopdf::Result<()> {
        if let Some(Object::Stream(s)) = resolve(doc, obj) {
            let data = stream_data(doc, s)?;
            if out.len().saturating_add(data.len()) > objects::MAX_STREAM {
                return Err(lopdf::Error::InvalidStream(
                    "page content larger than 256 MiB".to_string(),
                ));
            }
            out.extend_from_slice(&data);
            out.push(b'\n');
        }
        Ok(())
    };
    match contents {
        Object::Array(items) => {
            for item in items {
                append(item)?;
            }
        }
        other => append(other)?,
    }
    Ok(out)
}

/// Spacing accents and the letters they combine with (NFC of the letter
/// and the accent's combining mark).
const ACCENTS: &[(char, &str)] = &[
    ('\u{0060}', "AÀEÈIÌNǸOÒUÙWẀYỲaàeèiìnǹoòuùwẁyỳ"),
    (
        '\u{00b4}',
        "AÁCĆEÉGǴIÍKḰLĹMḾNŃOÓPṔRŔSŚUÚWẂYÝZŹaácćeégǵiíkḱlĺmḿnńoópṕrŕsśuúwẃyýzź",
    ),
    (
        '\u{02c6}',
        "AÂCĈEÊGĜHĤIÎJĴOÔSŜUÛWŴYŶZẐaâcĉeêgĝhĥiîjĵoôsŝuûwŵyŷzẑ",
    ),
    ('\u{02dc}', "AÃEẼIĨNÑOÕUŨVṼYỸaãeẽiĩnñoõuũvṽyỹ"),
    ('\u{00af}', "AĀEĒGḠIĪOŌUŪYȲaāeēgḡiīoōuūyȳ"),
    ('\u{02d8}', "AĂEĔGĞIĬOŎUŬaăeĕgğiĭoŏuŭ"),
    ('\u{02d9}', "CĊEĖGĠIİZŻcċeėgġzż"),
    ('\u{00a8}', "AÄEËIÏOÖUÜWẄYŸaäeëiïoöuüwẅyÿ"),
    ('\u{02da}', "AÅUŮaåuů"),
    ('\u{02dd}', "OŐUŰoőuű"),
    ('\u{02c7}', "CČDĎEĚGǦNŇRŘSŠTŤZŽcčdďeěgǧnňrřsštťzž"),
    ('\u{00b8}', "CÇGĢKĶLĻNŅRŖSŞTŢcçgģkķlļnņrŗsştţ"),
    ('\u{02db}', "AĄEĘIĮUŲaąeęiįuų"),
];

/// The letter `base` with `accent`, when Unicode has it precomposed.
fn compose(base: char, accent: char) -> Option<char> {
    let base = if base == 'ı' { 'i' } else { base };
    let (_, pairs) = ACCENTS.iter().find(|(a, _)| *a == accent)?;
    let mut it = pairs.chars();
    while let (Some(b), Some(c)) = (it.next(), it.next()) {
        if b == base {
            return Some(c);
        }
    }
    None
}

fn single_char(s: &str) -> Option<char> {
    let mut it = s.chars();
    match (it.next(), it.next()) {
        (Some(c), None) => Some(c),
        _ => None,
    }
}

/// A spacing accent drawn over the neighbouring letter (`e` + `ˆ`, as TeX
/// and some typesetters do) becomes one glyph with the composed letter.
fn merge_diacritics(out: &mut PageOut) {
    let n = out.glyphs.len();
    let mut remove = vec![false; n];
    let mut merged_any = false;
    for i in 0..n {
        let Some(accent) = single_char(&out.glyphs[i].text) else {
            continue;
        };
        if !ACCENTS.iter().any(|(a, _)| *a == accent) {
            continue;
        }
        let a = out.glyphs[i].bbox;
        let cx = (a.x0 + a.x1) / 2.0;
        let candidates = [i.checked_sub(1), Some(i + 1)];
        for j in candidates.into_iter().flatten() {
            if j >= n || remove[j] || out.meta[j].0 != out.meta[i].0 {
                continue;
            }
            let b = out.glyphs[j].bbox;
            let overlaps = cx >= b.x0 - 0.5 && cx <= b.x1 + 0.5 && a.y0 < b.y1 && b.y0 < a.y1;
            if !overlaps {
                continue;
            }
            let Some(c) = single_char(&out.glyphs[j].text).and_then(|base| compose(base, accent))
            else {
                continue;
            };
            let g = &mut out.glyphs[j];
            g.text = c.to_string();
            g.bbox = g.bbox.union(&a);
            remove[i] = true;
            merged_any = true;
            break;
        }
    }
    if merged_any {
        let mut k = 0;
        out.glyphs.retain(|_| {
            k += 1;
            !remove[k - 1]
        });
        let mut k = 0;
        out.meta.retain(|_| {
            k += 1;
            !remove[k - 1]
        });
        // Image placements count glyphs emitted before them.
        let mut before_removed = vec![0usize; n + 1];
        for i in 0..n {
            before_removed[i + 1] = before_removed[i] + usize::from(remove[i]);
        }
        for m in &mut out.image_meta {
            m.0 -= before_removed[m.0.min(n)];
        }
    }
}

/// Glyphs painted over later by an opaque image are invisible: scanned
/// pages often carry their OCR text under the page image.
fn hide_covered_glyphs(out: &mut PageOut) {
    for (img, &(before, opaque)) in out.images.iter().zip(&out.image_meta) {
        if !opaque || before == 0 {
            continue;
        }
        let b = img.bbox;
        for g in out.glyphs.iter_mut().take(before) {
            if g.invisible {
                continue;
            }
            let cx = (g.bbox.x0 + g.bbox.x1) / 2.0;
            let cy = (g.bbox.y0 + g.bbox.y1) / 2.0;
            if cx >= b.x0 && cx <= b.x1 && cy >= b.y0 && cy <= b.y1 {
                g.invisible = true;
            }
        }
    }
}

fn is_cjk(c: char) -> bool {
    matches!(c as u32,
        0x2E80..=0x9FFF | 0xAC00..=0xD7AF | 0xF900..=0xFAFF | 0x20000..=0x2FFFF)
}

fn is_latin_letter(c: char) -> bool {
    c.is_alphabetic() && ((c as u32) < 0x0250 || (0x1E00..=0x1EFF).contains(&(c as u32)))
}

#[derive(Clone, Copy, PartialEq)]
enum Class {
    Latin,
    Cjk,
    Other,
}

fn classify(text: &str) -> Class {
    if text.chars().any(is_cjk) {
        Class::Cjk
    } else if !text.is_empty() && text.chars().all(is_latin_letter) {
        Class::Latin
    } else {
        Class::Other
    }
}

/// Per-font warnings: unmapped codes, and CJK glyphs inside Latin words
/// (a broken ToUnicode map such as Ghostscript's `fi` -> `昀椀`).
fn font_warnings(out: &PageOut, warnings: &mut Vec<Warning>) {
    for f in &out.fonts {
        let name = &f.name;
        if f.unmapped > 0 {
            let unmapped = f.unmapped;
            warnings.push(Warning::new(
                "unmapped-glyphs",
                format!(
                    "font {name}: {unmapped} glyph(s) have no Unicode mapping; their text is left empty"
                ),
            ));
        }
        if f.estimated > 0 {
            warnings.push(Warning::new(
                "estimated-widths",
                format!(
                    "font {name} gives no glyph widths: the boxes of its {} glyph(s) are estimated",
                    f.estimated
                ),
            ));
        }
    }
    let classes: Vec<Class> = out.glyphs.iter().map(|g| classify(&g.text)).collect();
    let nfonts = out.fonts.len();
    let mut latin = vec![0usize; nfonts];
    let mut cjk = vec![0usize; nfonts];
    for (class, (_, fi)) in classes.iter().zip(&out.meta) {
        match class {
            Class::Latin => {
                if let Some(v) = latin.get_mut(*fi) {
                    *v += 1
                }
            }
            Class::Cjk => {
                if let Some(v) = cjk.get_mut(*fi) {
                    *v += 1
                }
            }
            Class::Other => {}
        }
    }
    let mut suspects: Vec<(usize, String)> = vec![(0, String::new()); nfonts];
    for (i, class) in classes.iter().enumerate() {
        if *class != Class::Cjk {
            continue;
        }
        let (run, fi) = out.meta[i];
        let (l, c) = (
            latin.get(fi).copied().unwrap_or(0),
            cjk.get(fi).copied().unwrap_or(0),
        );
        if l < 5 || l < 4 * c {
            continue;
        }
        let same = |j: usize| out.meta.get(j).is_some_and(|m| m.0 == run && m.1 == fi);
        let prev = i.checked_sub(1).filter(|&j| same(j)).map(|j| classes[j]);
        let next = Some(i + 1).filter(|&j| same(j)).map(|j| classes[j]);
        let latin_next_to = prev == Some(Class::Latin) || next == Some(Class::Latin);
        let cjk_next_to = prev == Some(Class::Cjk) || next == Some(Class::Cjk);
        if latin_next_to && !cjk_next_to {
            if let Some(s) = suspects.get_mut(fi) {
                s.0 += 1;
                if s.1.is_empty() {
                    let lo = i.saturating_sub(3);
                    let hi = (i + 4).min(out.glyphs.len());
                    s.1 = out.glyphs[lo..hi]
                        .iter()
                        .zip(&out.meta[lo..hi])
                        .filter(|(_, m)| m.0 == run && m.1 == fi)
                        .map(|(g, _)| g.text.as_str())
                        .collect();
                }
            }
        }
    }
    for (fi, (count, example)) in suspects.into_iter().enumerate() {
        if count > 0 {
            let name = out.fonts.get(fi).map_or("?", |f| &*f.name);
            warnings.push(Warning::new(
                "suspect-tounicode",
                format!(
                    "font {name}: {count} CJK glyph(s) inside Latin words (e.g. \"{example}\"); \
                     the font's ToUnicode map is probably broken (text kept as mapped)"
                ),
            ));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn device_matrices() {
        let b = [0.0, 0.0, 600.0, 800.0];
        let (m, w, h) = device_matrix(b, 0);
        assert_eq!((w, h), (600.0, 800.0));
        assert_eq!(m.apply(10.0, 700.0), (10.0, 100.0));
        let (m, w, h) = device_matrix(b, 90);
        assert_eq!((w, h), (800.0, 600.0));
        // Bottom-left of the unrotated page is the top-left when displayed.
        assert_eq!(m.apply(0.0, 0.0), (0.0, 0.0));
        assert_eq!(m.apply(0.0, 800.0), (800.0, 0.0));
        assert_eq!(m.apply(600.0, 0.0), (0.0, 600.0));
        let (m, _, _) = device_matrix(b, 180);
        assert_eq!(m.apply(600.0, 0.0), (0.0, 0.0));
        let (m, w, _) = device_matrix(b, 270);
        assert_eq!(w, 800.0);
        assert_eq!(m.apply(600.0, 800.0), (0.0, 0.0));
        // Offset boxes.
        let (m, _, _) = device_matrix([10.0, 20.0, 610.0, 820.0], 0);
        assert_eq!(m.apply(10.0, 820.0), (0.0, 0.0));
    }

    #[test]
    fn composition() {
        assert_eq!(compose('e', '\u{02c6}'), Some('ê'));
        assert_eq!(compose('ı', '\u{00b4}'), Some('í'));
        assert_eq!(compose('c', '\u{00b8}'), Some('ç'));
        assert_eq!(compose('x', '\u{00b4}'), None);
    }

    #[test]
    fn classes() {
        assert!(classify("é") == Class::Latin);
        assert!(classify("昀椀") == Class::Cjk);
        assert!(classify(" ") == Class::Other);
    }
}
