//! PDF glyph and graphics extraction (`newsclip::extract::pdf`).
//!
//! Most tests build small PDFs with lopdf whose content streams are written
//! by hand, so every expected glyph box below is computed from the widths
//! and matrices in the comments. The same files are kept in
//! `tests/data/pdf/` for inspection with other tools; run with
//! `NEWSCLIP_WRITE_PDF_FIXTURES=1` to rewrite them.
//!
//! The real-file tests read `../shared/corpus/en/` and compare a few word
//! boxes with what `pdftotext -bbox` (poppler 22) printed for them.

use lopdf::{dictionary, Dictionary, Document, Object, ObjectId, Stream};
use newsclip::error::ErrorKind;
use newsclip::extract::pdf::{PdfDocument, PdfPage};
use newsclip::model::Glyph;

// ---------------------------------------------------------------------------
// Building test PDFs
// ---------------------------------------------------------------------------

/// Widths used by the test "Helvetica": 500 for every code in 32..=126
/// except space 250, `i` 200 and `W` 900. Ascent 700, descent -200.
fn test_width(code: u8) -> i64 {
    match code {
        b' ' => 250,
        b'i' => 200,
        b'W' => 900,
        _ => 500,
    }
}

struct Builder {
    doc: Document,
    pages_id: ObjectId,
    kids: Vec<Object>,
}

impl Builder {
    fn new() -> Builder {
        let mut doc = Document::with_version("1.5");
        let pages_id = doc.new_object_id();
        Builder {
            doc,
            pages_id,
            kids: Vec::new(),
        }
    }

    /// A simple WinAnsi font with `/Widths` and a descriptor.
    fn helvetica(&mut self) -> ObjectId {
        let widths: Vec<Object> = (32u8..=126)
            .map(|c| Object::Integer(test_width(c)))
            .collect();
        let desc = self.doc.add_object(dictionary! {
            "Type" => "FontDescriptor",
            "FontName" => "ABCDEF+Helvetica",
            "Flags" => 32,
            "Ascent" => 700,
            "Descent" => -200,
            "ItalicAngle" => 0,
            "FontBBox" => vec![0.into(), (-200).into(), 1000.into(), 700.into()],
        });
        self.doc.add_object(dictionary! {
            "Type" => "Font",
            "Subtype" => "Type1",
            "BaseFont" => "ABCDEF+Helvetica",
            "Encoding" => "WinAnsiEncoding",
            "FirstChar" => 32,
            "LastChar" => 126,
            "Widths" => widths,
            "FontDescriptor" => desc,
        })
    }

    /// A Type0 Identity-H font: `/W [1 [600 700] 10 20 300]`, DW 1000;
    /// ToUnicode: 1 -> X (bfchar), 2 -> Y (bfchar), 15..16 -> Z.. (bfrange),
    /// 30 -> 中 (bfrange array form); CID 40 unmapped.
    fn cid_font(&mut self) -> ObjectId {
        let cmap = b"/CIDInit /ProcSet findresource begin 12 dict begin begincmap
/CIDSystemInfo << /Registry (Adobe) /Ordering (UCS) /Supplement 0 >> def
/CMapName /Adobe-Identity-UCS def /CMapType 2 def
1 begincodespacerange <0000> <FFFF> endcodespacerange
2 beginbfchar
<0001> <0058>
<0002> <0059>
endbfchar
2 beginbfrange
<000F> <0010> <005A>
<001E> <001E> [<4E2D>]
endbfrange
endcmap CMapName currentdict /CMap defineresource pop end end";
        let to_unicode = self
            .doc
            .add_object(Stream::new(Dictionary::new(), cmap.to_vec()));
        let desc = self.doc.add_object(dictionary! {
            "Type" => "FontDescriptor",
            "FontName" => "QWERTY+TestCid",
            "Flags" => 4,
            "Ascent" => 800,
            "Descent" => -200,
            "ItalicAngle" => 0,
            "FontBBox" => vec![0.into(), (-200).into(), 1000.into(), 800.into()],
        });
        let w: Vec<Object> = vec![
            1.into(),
            vec![600.into(), 700.into()].into(),
            10.into(),
            20.into(),
            300.into(),
        ];
        let cid = self.doc.add_object(dictionary! {
            "Type" => "Font",
            "Subtype" => "CIDFontType2",
            "BaseFont" => "QWERTY+TestCid",
            "CIDSystemInfo" => dictionary! {
                "Registry" => Object::string_literal("Adobe"),
                "Ordering" => Object::string_literal("Identity"),
                "Supplement" => 0,
            },
            "FontDescriptor" => desc,
            "W" => w,
            "DW" => 1000,
        });
        self.doc.add_object(dictionary! {
            "Type" => "Font",
            "Subtype" => "Type0",
            "BaseFont" => "QWERTY+TestCid-Identity-H",
            "Encoding" => "Identity-H",
            "DescendantFonts" => vec![cid.into()],
            "ToUnicode" => to_unicode,
        })
    }

    /// A Type3 font: FontMatrix 0.01, FontBBox [0 -20 100 80] (so ascent
    /// 0.8 and descent -0.2 of the size), codes 65..67 named A, B, uni00E9
    /// with widths 50, 100, 50 glyph units (0.5, 1.0, 0.5 em).
    fn type3_font(&mut self) -> ObjectId {
        let mut procs = Dictionary::new();
        for (name, w) in [("A", 50), ("B", 100), ("uni00E9", 50)] {
            let id = self.doc.add_object(Stream::new(
                Dictionary::new(),
                format!("{w} 0 0 0 {w} 80 d1 0 0 {w} 80 re f").into_bytes(),
            ));
            procs.set(name, id);
        }
        self.doc.add_object(dictionary! {
            "Type" => "Font",
            "Subtype" => "Type3",
            "FontMatrix" => vec![0.01.into(), 0.into(), 0.into(), 0.01.into(), 0.into(), 0.into()],
            "FontBBox" => vec![0.into(), (-20).into(), 100.into(), 80.into()],
            "FirstChar" => 65,
            "LastChar" => 67,
            "Widths" => vec![50.into(), 100.into(), 50.into()],
            "Encoding" => dictionary! {
                "Type" => "Encoding",
                "Differences" => vec![65.into(), "A".into(), "B".into(), "uni00E9".into()],
            },
            "CharProcs" => procs,
            "Resources" => Dictionary::new(),
        })
    }

    fn add_page(&mut self, content: &[u8], resources: Dictionary, extra: Dictionary) -> ObjectId {
        let content_id = self
            .doc
            .add_object(Stream::new(Dictionary::new(), content.to_vec()));
        let mut page = dictionary! {
            "Type" => "Page",
            "Parent" => self.pages_id,
            "MediaBox" => vec![0.into(), 0.into(), 600.into(), 800.into()],
            "Contents" => content_id,
            "Resources" => resources,
        };
        for (k, v) in extra.iter() {
            page.set(k.clone(), v.clone());
        }
        let id = self.doc.add_object(page);
        self.kids.push(id.into());
        id
    }

    fn finish(mut self, pages_extra: Dictionary) -> Vec<u8> {
        let count = self.kids.len() as i64;
        let mut pages = dictionary! {
            "Type" => "Pages",
            "Kids" => self.kids,
            "Count" => count,
        };
        for (k, v) in pages_extra.iter() {
            pages.set(k.clone(), v.clone());
        }
        self.doc
            .objects
            .insert(self.pages_id, Object::Dictionary(pages));
        let catalog = self.doc.add_object(dictionary! {
            "Type" => "Catalog",
            "Pages" => self.pages_id,
        });
        self.doc.trailer.set("Root", catalog);
        let mut out = Vec::new();
        self.doc.save_to(&mut out).expect("save test PDF");
        out
    }
}

fn fonts(entries: &[(&str, ObjectId)]) -> Dictionary {
    let mut f = Dictionary::new();
    for (name, id) in entries {
        f.set(*name, *id);
    }
    dictionary! { "Font" => f }
}

/// Write a generated PDF to tests/data/pdf/ when asked to.
fn keep(name: &str, bytes: &[u8]) {
    if std::env::var_os("NEWSCLIP_WRITE_PDF_FIXTURES").is_some() {
        let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/data/pdf");
        std::fs::create_dir_all(dir).expect("create tests/data/pdf");
        std::fs::write(format!("{dir}/{name}"), bytes).expect("write fixture");
    }
}

// ---------------------------------------------------------------------------
// Assertions
// ---------------------------------------------------------------------------

const EPS: f32 = 0.01;

#[track_caller]
fn assert_box(g: &Glyph, text: &str, x0: f32, y0: f32, x1: f32, y1: f32) {
    assert_eq!(g.text, text, "glyph {g:?}");
    let got = [g.bbox.x0, g.bbox.y0, g.bbox.x1, g.bbox.y1];
    let want = [x0, y0, x1, y1];
    for (a, b) in got.iter().zip(want) {
        assert!(
            (a - b).abs() < EPS,
            "glyph {text:?}: box {got:?}, expected {want:?}"
        );
    }
}

#[track_caller]
fn assert_origin(g: &Glyph, x: f32, y: f32) {
    assert!(
        (g.origin.0 - x).abs() < EPS && (g.origin.1 - y).abs() < EPS,
        "glyph {:?}: origin {:?}, expected ({x}, {y})",
        g.text,
        g.origin
    );
}

fn page_text(p: &PdfPage) -> String {
    p.glyphs.iter().map(|g| g.text.as_str()).collect()
}

fn open(bytes: &[u8]) -> PdfDocument<'_> {
    PdfDocument::open(bytes).expect("open test PDF")
}

// ---------------------------------------------------------------------------
// Generated files: exact positions
// ---------------------------------------------------------------------------

/// Page 1 of `text.pdf`: simple font, TJ kerning, Tc/Tw/Tz/Ts, `'`, `"`,
/// TD/T*, Type0 with both /W forms, Type3, render mode 3.
fn text_pdf() -> Vec<u8> {
    let mut b = Builder::new();
    let f1 = b.helvetica();
    let f2 = b.cid_font();
    let f3 = b.type3_font();
    let content = b"
BT /F1 10 Tf 1 0 0 1 100 700 Tm (AiW) Tj ET
BT /F1 10 Tf 1 0 0 1 100 650 Tm [(A) 250 (A) -500 (A)] TJ ET
q BT /F1 10 Tf 2 Tc 3 Tw 50 Tz 4 Ts 1 0 0 1 100 600 Tm (A A) Tj ET Q
q BT /F1 10 Tf 14 TL 1 0 0 1 100 550 Tm (A) ' 1 2 (A A) \" ET Q
BT /F1 10 Tf 100 500 Td (A) Tj 0 -20 TD (B) Tj T* (C) Tj ET
BT /F2 20 Tf 1 0 0 1 100 400 Tm <00010002000F001E0028> Tj ET
BT /F3 10 Tf 1 0 0 1 100 300 Tm (ABC) Tj ET
BT /F1 10 Tf 3 Tr 1 0 0 1 100 200 Tm (Ai) Tj 0 Tr (W) Tj ET
BT /F1 5 Tf 2 0 0 2 100 100 Tm 0 0 1 rg (A) Tj 1 0 0 0 k (B) Tj ET
";
    b.add_page(
        content,
        fonts(&[("F1", f1), ("F2", f2), ("F3", f3)]),
        Dictionary::new(),
    );
    let bytes = b.finish(Dictionary::new());
    keep("text.pdf", &bytes);
    bytes
}

#[test]
fn simple_font_widths_and_descriptor_metrics() {
    let bytes = text_pdf();
    let doc = open(&bytes);
    assert_eq!(doc.page_count(), 1);
    let p = doc.page(1).unwrap();
    assert_eq!((p.width, p.height, p.rotation), (600.0, 800.0, 0));
    let g = &p.glyphs;
    // (AiW) at x=100, baseline y=700 -> 100 from the top; 10 pt: A 5 pt,
    // i 2 pt, W 9 pt; ascent 7, descent 2.
    assert_box(&g[0], "A", 100.0, 93.0, 105.0, 102.0);
    assert_box(&g[1], "i", 105.0, 93.0, 107.0, 102.0);
    assert_box(&g[2], "W", 107.0, 93.0, 116.0, 102.0);
    assert_origin(&g[1], 105.0, 100.0);
    assert_eq!(g[0].font_size, 10.0);
    assert_eq!(&*g[0].font, "Helvetica");
    assert!(!g[0].bold && !g[0].italic && !g[0].invisible && !g[0].unmapped);
}

#[test]
fn tj_kerning_is_subtracted() {
    let p = open(&text_pdf()).page(1).unwrap();
    let g = &p.glyphs[3..6];
    // A (5) then -250/1000*10 = -2.5, A, then +5.
    assert_box(&g[0], "A", 100.0, 143.0, 105.0, 152.0);
    assert_box(&g[1], "A", 102.5, 143.0, 107.5, 152.0);
    assert_box(&g[2], "A", 112.5, 143.0, 117.5, 152.0);
}

#[test]
fn char_word_spacing_scaling_and_rise() {
    let p = open(&text_pdf()).page(1).unwrap();
    let g = &p.glyphs[6..9];
    // Th 0.5: A advances (5 + 2) * 0.5 = 3.5, the space (2.5 + 2 + 3) * 0.5
    // = 3.75; boxes hold the glyph widths only (A 2.5, space 1.25).
    // Rise 4: baseline 604 -> 196 from the top.
    assert_box(&g[0], "A", 100.0, 189.0, 102.5, 198.0);
    assert_box(&g[1], " ", 103.5, 189.0, 104.75, 198.0);
    assert_box(&g[2], "A", 107.25, 189.0, 109.75, 198.0);
    assert_origin(&g[0], 100.0, 196.0);
    assert_eq!(g[0].font_size, 10.0);
}

#[test]
fn quote_operators_move_to_the_next_line() {
    let p = open(&text_pdf()).page(1).unwrap();
    let g = &p.glyphs[9..13];
    // ' : next line at 550 - 14 = 536 -> 264 from the top.
    assert_box(&g[0], "A", 100.0, 257.0, 105.0, 266.0);
    // " 1 2: Tw 1, Tc 2, next line 522 -> 278: A advances 7, the space
    // 2.5 + 2 + 1 = 5.5.
    assert_box(&g[1], "A", 100.0, 271.0, 105.0, 280.0);
    assert_box(&g[2], " ", 107.0, 271.0, 109.5, 280.0);
    assert_box(&g[3], "A", 112.5, 271.0, 117.5, 280.0);
}

#[test]
fn td_and_leading() {
    let p = open(&text_pdf()).page(1).unwrap();
    let g = &p.glyphs[13..16];
    assert_box(&g[0], "A", 100.0, 293.0, 105.0, 302.0);
    // 0 -20 TD: 480 -> 320; T* uses TL 20: 460 -> 340.
    assert_box(&g[1], "B", 100.0, 313.0, 105.0, 322.0);
    assert_box(&g[2], "C", 100.0, 333.0, 105.0, 342.0);
}

#[test]
fn type0_identity_h_with_both_w_forms_and_tounicode() {
    let p = open(&text_pdf()).page(1).unwrap();
    let g = &p.glyphs[16..21];
    // 20 pt, ascent 16, descent 4, baseline 400.
    // CID 1: 600 (array form), CID 2: 700, CID 15: 300 (range 10..20),
    // CID 30: DW 1000, CID 40: DW 1000, no Unicode.
    assert_box(&g[0], "X", 100.0, 384.0, 112.0, 404.0);
    assert_box(&g[1], "Y", 112.0, 384.0, 126.0, 404.0);
    assert_box(&g[2], "Z", 126.0, 384.0, 132.0, 404.0);
    assert_box(&g[3], "中", 132.0, 384.0, 152.0, 404.0);
    assert_box(&g[4], "", 152.0, 384.0, 172.0, 404.0);
    assert!(g[4].unmapped && !g[3].unmapped);
    assert_eq!(&*g[0].font, "TestCid");
    let w: Vec<_> = p
        .warnings
        .iter()
        .filter(|w| w.code == "unmapped-glyphs")
        .collect();
    assert_eq!(w.len(), 1, "{:?}", p.warnings);
    assert!(w[0].message.contains("TestCid") && w[0].message.contains('1'));
    assert_eq!(w[0].page, Some(1));
}

#[test]
fn type3_font_matrix_widths_and_names() {
    let p = open(&text_pdf()).page(1).unwrap();
    let g = &p.glyphs[21..24];
    // Widths 50/100/50 glyph units * 0.01 = 0.5/1/0.5 em at 10 pt; FontBBox
    // gives ascent 8 and descent 2; baseline 300 -> 500.
    assert_box(&g[0], "A", 100.0, 492.0, 105.0, 502.0);
    assert_box(&g[1], "B", 105.0, 492.0, 115.0, 502.0);
    assert_box(&g[2], "é", 115.0, 492.0, 120.0, 502.0);
    assert_eq!(g[0].font_size, 10.0);
}

#[test]
fn render_mode_3_is_invisible() {
    let p = open(&text_pdf()).page(1).unwrap();
    let g = &p.glyphs[24..27];
    assert!(g[0].invisible && g[1].invisible && !g[2].invisible);
    assert_box(&g[2], "W", 107.0, 593.0, 116.0, 602.0);
    let visible_text = p
        .glyphs
        .iter()
        .filter(|g| !g.text.trim().is_empty())
        .count() as f32;
    assert!((p.invisible_share() - 2.0 / visible_text).abs() < 1e-6);
    assert!(p.has_text());
}

#[test]
fn text_matrix_scale_and_fill_colour() {
    let p = open(&text_pdf()).page(1).unwrap();
    let g = &p.glyphs[27..29];
    // 5 pt font through a 2x text matrix: effective size 10.
    assert_box(&g[0], "A", 100.0, 693.0, 105.0, 702.0);
    assert_eq!(g[0].font_size, 10.0);
    assert_eq!(g[0].color, [0.0, 0.0, 1.0]);
    // CMYK 1 0 0 0 -> cyan.
    assert_eq!(g[1].color, [0.0, 1.0, 1.0]);
    assert_eq!(p.glyphs.len(), 29);
}

/// `rotated.pdf`: /Rotate 90 inherited from the page tree, plus a page with
/// a CropBox offset.
fn rotated_pdf() -> Vec<u8> {
    let mut b = Builder::new();
    let f1 = b.helvetica();
    let content = b"BT /F1 10 Tf 1 0 0 1 100 700 Tm (AB) Tj ET";
    b.add_page(content, fonts(&[("F1", f1)]), Dictionary::new());
    b.add_page(
        content,
        fonts(&[("F1", f1)]),
        dictionary! {
            "Rotate" => 0,
            "CropBox" => vec![50.into(), 50.into(), 550.into(), 750.into()],
        },
    );
    let bytes = b.finish(dictionary! { "Rotate" => 90 });
    keep("rotated.pdf", &bytes);
    bytes
}

#[test]
fn rotated_page_and_crop_box() {
    let bytes = rotated_pdf();
    let doc = open(&bytes);
    let p = doc.page(1).unwrap();
    assert_eq!((p.width, p.height, p.rotation), (800.0, 600.0, 90));
    // Rotated 90 clockwise: displayed x = user y, displayed y = user x.
    // A spans user x 100..105 and y 698..707.
    assert_box(&p.glyphs[0], "A", 698.0, 100.0, 707.0, 105.0);
    assert_box(&p.glyphs[1], "B", 698.0, 105.0, 707.0, 110.0);
    assert_origin(&p.glyphs[1], 700.0, 105.0);
    assert_eq!(p.glyphs[0].font_size, 10.0);

    let p = doc.page(2).unwrap();
    assert_eq!((p.width, p.height, p.rotation), (500.0, 700.0, 0));
    // CropBox [50 50 550 750]: user (100, 700) -> (50, 50).
    assert_box(&p.glyphs[0], "A", 50.0, 43.0, 55.0, 52.0);
}

/// `graphics.pdf`: rules, boxes, an image XObject, an inline image and a
/// Form XObject with its own matrix, resources, text and line.
fn graphics_pdf() -> Vec<u8> {
    let mut b = Builder::new();
    let f1 = b.helvetica();
    let image = b.doc.add_object(Stream::new(
        dictionary! {
            "Type" => "XObject",
            "Subtype" => "Image",
            "Width" => 8,
            "Height" => 4,
            "ColorSpace" => "DeviceGray",
            "BitsPerComponent" => 8,
        },
        vec![128u8; 32],
    ));
    let form = b.doc.add_object(Stream::new(
        dictionary! {
            "Type" => "XObject",
            "Subtype" => "Form",
            "BBox" => vec![0.into(), 0.into(), 200.into(), 100.into()],
            "Matrix" => vec![1.into(), 0.into(), 0.into(), 1.into(), 50.into(), 50.into()],
            "Resources" => fonts(&[("FX", f1)]),
        },
        b"BT /FX 10 Tf 1 0 0 1 10 10 Tm (A) Tj ET 0 0 m 100 0 l S".to_vec(),
    ));
    let content = b"
0 0 0 RG 1 w 50 100 m 550 100 l S
50 90 500 1 re f
200 200 m 300 200 l 300 201 l 200 201 l f
2 w 40 40 200 100 re S
300 300 100 50 re f
1 w 10 10 m 15 10 l S
1 1 1 RG 50 120 m 550 120 l S 0 G
0.5 w 560 100 m 560 700 l S
q 200 0 0 100 300 400 cm /Im1 Do Q
q 20 0 0 10 50 50 cm BI /W 2 /H 2 /CS /G /BPC 8 /F /AHx ID 00FF00FF> EI Q
q 2 0 0 2 100 100 cm /Fm1 Do Q
BT /F1 10 Tf 1 0 0 1 400 700 Tm (W) Tj ET
";
    let mut res = fonts(&[("F1", f1)]);
    res.set("XObject", dictionary! { "Im1" => image, "Fm1" => form });
    b.add_page(content, res, Dictionary::new());
    let bytes = b.finish(Dictionary::new());
    keep("graphics.pdf", &bytes);
    bytes
}

#[test]
fn rules_boxes_and_images() {
    let p = open(&graphics_pdf()).page(1).unwrap();
    let r = |x0: f32, y0: f32, x1: f32, y1: f32| newsclip::model::BBox { x0, y0, x1, y1 };
    // Stroked line at y 100 -> 700, width 1; filled 1 pt rectangle; a
    // filled 4-point polygon left open (fills close it); the vertical 0.5 pt
    // line; the Form's line: (0,0)-(100,0) through its
    // Matrix (+50) and the 2x CTM (+100): x 200..400 at 600, with the line
    // width in force at `Do` (0.5) doubled by the CTM.
    // Not rules: the 5 pt line, the white line, the 100x50 fill (a box).
    assert_eq!(
        p.rules,
        vec![
            r(50.0, 699.5, 550.0, 700.5),
            r(50.0, 709.0, 550.0, 710.0),
            r(200.0, 599.0, 300.0, 600.0),
            r(559.75, 100.0, 560.25, 700.0),
            r(200.0, 599.5, 400.0, 600.5),
        ]
    );
    // Stroked 200x100 rectangle with a 2 pt line, and the 100x50 fill: a
    // tinted panel sets off what it holds as a frame does.
    assert_eq!(
        p.boxes,
        vec![r(39.0, 659.0, 241.0, 761.0), r(300.0, 450.0, 400.0, 500.0)]
    );
    assert_eq!(p.images.len(), 2);
    let im = &p.images[0];
    assert_eq!(im.bbox, r(300.0, 300.0, 500.0, 400.0));
    assert_eq!(
        (im.name.as_str(), im.pixel_width, im.pixel_height),
        ("Im1", 8, 4)
    );
    assert_eq!(im.filter, None);
    let inline = &p.images[1];
    assert_eq!(inline.bbox, r(50.0, 740.0, 70.0, 750.0));
    assert_eq!(inline.name, "inline");
    assert_eq!((inline.pixel_width, inline.pixel_height), (2, 2));
    assert_eq!(inline.filter.as_deref(), Some("ASCIIHexDecode"));
}

#[test]
fn form_xobject_matrix_and_resources() {
    let p = open(&graphics_pdf()).page(1).unwrap();
    assert_eq!(page_text(&p), "AW");
    // Form text at (10, 10) -> Matrix (60, 60) -> CTM x2 +100 (220, 220),
    // i.e. 580 from the top; 10 pt at 2x = 20 pt: A 10 wide, ascent 14.
    assert_box(&p.glyphs[0], "A", 220.0, 566.0, 230.0, 584.0);
    assert_eq!(p.glyphs[0].font_size, 20.0);
    // The page's own text after the form: graphics state restored.
    assert_box(&p.glyphs[1], "W", 400.0, 93.0, 409.0, 102.0);
    assert_eq!(p.glyphs[1].font_size, 10.0);
}

/// Text under an opaque image (a scan's OCR layer) is invisible.
#[test]
fn text_covered_by_a_later_image_is_invisible() {
    let mut b = Builder::new();
    let f1 = b.helvetica();
    let image = b.doc.add_object(Stream::new(
        dictionary! {
            "Type" => "XObject", "Subtype" => "Image", "Width" => 1, "Height" => 1,
            "ColorSpace" => "DeviceGray", "BitsPerComponent" => 8,
        },
        vec![0u8],
    ));
    let content = b"BT 1 g /F1 10 Tf 1 0 0 1 100 700 Tm (AB) Tj 1 0 0 1 100 100 Tm (C) Tj ET
q 600 0 0 400 0 400 cm /Im0 Do Q";
    let mut res = fonts(&[("F1", f1)]);
    res.set("XObject", dictionary! { "Im0" => image });
    b.add_page(content, res, Dictionary::new());
    let p = open(&b.finish(Dictionary::new())).page(1).unwrap();
    let inv: Vec<bool> = p.glyphs.iter().map(|g| g.invisible).collect();
    assert_eq!(inv, vec![true, true, false]);
    assert!((p.invisible_share() - 2.0 / 3.0).abs() < 1e-6);
}

/// A Ghostscript-style broken ToUnicode: the `fi` ligature maps to 昀椀.
#[test]
fn cjk_inside_latin_words_is_flagged() {
    let mut b = Builder::new();
    let cmap = b"1 begincodespacerange <00> <FF> endcodespacerange
1 beginbfchar <80> <66006900> endbfchar
1 beginbfrange <20> <7E> <0020> endbfrange";
    let tu = b
        .doc
        .add_object(Stream::new(Dictionary::new(), cmap.to_vec()));
    let widths: Vec<Object> = (32u8..=128).map(|_| Object::Integer(500)).collect();
    let font = b.doc.add_object(dictionary! {
        "Type" => "Font", "Subtype" => "TrueType", "BaseFont" => "BCDEFG+Georgia",
        "FirstChar" => 32, "Widths" => widths, "ToUnicode" => tu,
    });
    b.add_page(
        b"BT /F1 10 Tf 100 700 Td (We de\x80ne the \x80eld of o\x80ces) Tj ET",
        fonts(&[("F1", font)]),
        Dictionary::new(),
    );
    let p = open(&b.finish(Dictionary::new())).page(1).unwrap();
    assert_eq!(page_text(&p), "We de昀椀ne the 昀椀eld of o昀椀ces");
    let w: Vec<_> = p
        .warnings
        .iter()
        .filter(|w| w.code == "suspect-tounicode")
        .collect();
    assert_eq!(w.len(), 1, "{:?}", p.warnings);
    assert!(w[0].message.contains("Georgia") && w[0].message.contains("3 CJK"));
}

/// A Type0 font over a descendant with widths `w`, an encoding (name or
/// CMap stream) and a ToUnicode CMap.
fn type0(
    b: &mut Builder,
    name: &str,
    encoding: Object,
    w: Vec<Object>,
    to_unicode: &[u8],
) -> ObjectId {
    let tu = b
        .doc
        .add_object(Stream::new(Dictionary::new(), to_unicode.to_vec()));
    let desc = b.doc.add_object(dictionary! {
        "Type" => "FontDescriptor", "FontName" => name, "Flags" => 4,
        "Ascent" => 880, "Descent" => -120, "ItalicAngle" => 0,
    });
    let cid = b.doc.add_object(dictionary! {
        "Type" => "Font", "Subtype" => "CIDFontType0", "BaseFont" => name,
        "CIDSystemInfo" => dictionary! {
            "Registry" => Object::string_literal("Adobe"),
            "Ordering" => Object::string_literal("Identity"),
            "Supplement" => 0,
        },
        "FontDescriptor" => desc, "W" => w,
    });
    b.doc.add_object(dictionary! {
        "Type" => "Font", "Subtype" => "Type0", "BaseFont" => name,
        "Encoding" => encoding, "DescendantFonts" => vec![cid.into()], "ToUnicode" => tu,
    })
}

#[test]
fn type0_with_an_embedded_mixed_width_cmap() {
    let mut b = Builder::new();
    let cmap = b"/CIDInit /ProcSet findresource begin 12 dict begin begincmap
/CMapName /Test-H def /CMapType 1 def
2 begincodespacerange <00> <7F> <8000> <FFFF> endcodespacerange
1 begincidrange <20> <7E> 1 endcidrange
1 begincidchar <8140> 100 endcidchar
endcmap CMapName currentdict /CMap defineresource pop end end";
    let enc = b
        .doc
        .add_object(Stream::new(dictionary! { "Type" => "CMap" }, cmap.to_vec()));
    let w = vec![
        1.into(),
        vec![250.into()].into(),
        34.into(),
        vec![600.into()].into(),
        100.into(),
        vec![1000.into()].into(),
    ];
    let tu = b"1 begincodespacerange <00> <7F> endcodespacerange
1 begincodespacerange <8000> <FFFF> endcodespacerange
1 beginbfrange <20> <7E> <0020> endbfrange
1 beginbfchar <8140> <4E2D> endbfchar";
    let f = type0(&mut b, "MixedCmap", enc.into(), w, tu);
    b.add_page(
        b"BT /F1 10 Tf 5 Tw 100 700 Td ( A\\201@) Tj ET",
        fonts(&[("F1", f)]),
        Dictionary::new(),
    );
    let p = open(&b.finish(Dictionary::new())).page(1).unwrap();
    // Codes 0x20 (CID 1, 250), 0x41 (CID 34, 600), 0x8140 (CID 100, 1000);
    // Tw applies to the one-byte code 32. Ascent 8.8, descent 1.2.
    assert_box(&p.glyphs[0], " ", 100.0, 91.2, 102.5, 101.2);
    assert_box(&p.glyphs[1], "A", 107.5, 91.2, 113.5, 101.2);
    assert_box(&p.glyphs[2], "中", 113.5, 91.2, 123.5, 101.2);
    assert_eq!(p.glyphs.len(), 3);
}

#[test]
fn identity_v_vertical_writing() {
    let mut b = Builder::new();
    let tu = b"1 begincodespacerange <0000> <FFFF> endcodespacerange
1 beginbfrange <0001> <0002> <4E00> endbfrange";
    let f = type0(
        &mut b,
        "Vert",
        "Identity-V".into(),
        vec![1.into(), vec![1000.into(), 1000.into()].into()],
        tu,
    );
    b.add_page(
        b"BT /F1 10 Tf 1 0 0 1 300 700 Tm <00010002> Tj [<0001> 500 <0002>] TJ ET",
        fonts(&[("F1", f)]),
        Dictionary::new(),
    );
    let p = open(&b.finish(Dictionary::new())).page(1).unwrap();
    // Each glyph is centred on x = 300 and advances 10 pt down (DW2
    // [880 -1000]); in vertical writing a positive TJ number moves the next
    // glyph down: ty = -500/1000 * 10 = -5 in text space.
    assert_box(&p.glyphs[0], "一", 295.0, 100.0, 305.0, 110.0);
    assert_box(&p.glyphs[1], "丁", 295.0, 110.0, 305.0, 120.0);
    assert_box(&p.glyphs[2], "一", 295.0, 120.0, 305.0, 130.0);
    assert_box(&p.glyphs[3], "丁", 295.0, 135.0, 305.0, 145.0);
    assert_origin(&p.glyphs[1], 300.0, 110.0);
    assert_eq!(p.glyphs[0].font_size, 10.0);
}

/// A CJK font with Latin in it is not suspect.
#[test]
fn real_cjk_text_is_not_flagged() {
    let mut b = Builder::new();
    let f2 = b.cid_font();
    // X Y 中 中 X: CJK share is high, no warning.
    b.add_page(
        b"BT /F2 10 Tf 100 700 Td <00010002001E001E0001> Tj ET",
        fonts(&[("F2", f2)]),
        Dictionary::new(),
    );
    let p = open(&b.finish(Dictionary::new())).page(1).unwrap();
    assert!(p.warnings.iter().all(|w| w.code != "suspect-tounicode"));
}

#[test]
fn standard_font_without_widths_uses_core_metrics() {
    let mut b = Builder::new();
    let font = b.doc.add_object(dictionary! {
        "Type" => "Font", "Subtype" => "Type1", "BaseFont" => "Times-Roman",
        "Encoding" => "WinAnsiEncoding",
    });
    b.add_page(
        b"BT /F1 10 Tf 100 700 Td (Wa\x93) Tj ET",
        fonts(&[("F1", font)]),
        Dictionary::new(),
    );
    let p = open(&b.finish(Dictionary::new())).page(1).unwrap();
    // Times-Roman AFM: W 944, a 444, quotedblleft 444; ascent 683, descent 217.
    assert_box(&p.glyphs[0], "W", 100.0, 93.17, 109.44, 102.17);
    assert_box(&p.glyphs[1], "a", 109.44, 93.17, 113.88, 102.17);
    assert_box(&p.glyphs[2], "\u{201C}", 113.88, 93.17, 118.32, 102.17);
}

#[test]
fn differences_and_bold_italic_cues() {
    let mut b = Builder::new();
    let desc = b.doc.add_object(dictionary! {
        "Type" => "FontDescriptor", "FontName" => "Minion-It", "Flags" => 32 + 64,
        "ItalicAngle" => -12, "FontWeight" => 700, "Ascent" => 700, "Descent" => -200,
    });
    let widths: Vec<Object> = (0..4).map(|_| Object::Integer(500)).collect();
    let font = b.doc.add_object(dictionary! {
        "Type" => "Font", "Subtype" => "Type1", "BaseFont" => "XYZABC+Minion-It",
        "FirstChar" => 1, "Widths" => widths, "FontDescriptor" => desc,
        "Encoding" => dictionary! {
            "BaseEncoding" => "MacRomanEncoding",
            "Differences" => vec![1.into(), "fi".into(), "eacute".into(), "g17".into()],
        },
    });
    b.add_page(
        b"BT /F1 10 Tf 100 700 Td (\x01\x02\x03\x8e) Tj ET",
        fonts(&[("F1", font)]),
        Dictionary::new(),
    );
    let p = open(&b.finish(Dictionary::new())).page(1).unwrap();
    let texts: Vec<&str> = p.glyphs.iter().map(|g| g.text.as_str()).collect();
    // fi ligature decomposed; g17 has no Unicode; 0x8e is é in MacRoman
    // (outside /Widths: MissingWidth 0).
    assert_eq!(texts, vec!["fi", "é", "", "é"]);
    assert!(p.glyphs[2].unmapped);
    let g = &p.glyphs[0];
    assert_eq!(&*g.font, "Minion-It");
    assert!(g.bold && g.italic);
}

/// The copies in tests/data/pdf/ (when present) read like the generated
/// files.
#[test]
fn kept_fixtures_match_the_generated_files() {
    let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/data/pdf");
    type Make = fn() -> Vec<u8>;
    let cases: [(&str, Make); 3] = [
        ("text.pdf", text_pdf),
        ("rotated.pdf", rotated_pdf),
        ("graphics.pdf", graphics_pdf),
    ];
    for (name, make) in cases {
        let Ok(kept) = std::fs::read(format!("{dir}/{name}")) else {
            continue;
        };
        let made = make();
        let (a, b) = (open(&kept), open(&made));
        assert_eq!(a.page_count(), b.page_count(), "{name}");
        for n in 1..=a.page_count() as u32 {
            assert_eq!(a.page(n).unwrap(), b.page(n).unwrap(), "{name} page {n}");
        }
    }
    if let Ok(kept) = std::fs::read(format!("{dir}/encrypted-empty-password.pdf")) {
        assert_eq!(page_text(&open(&kept).page(1).unwrap()), "Secret");
    }
}

// ---------------------------------------------------------------------------
// Bad input
// ---------------------------------------------------------------------------

#[track_caller]
fn expect_err(bytes: &[u8], kind: ErrorKind, words: &[&str]) {
    match PdfDocument::open(bytes) {
        Ok(doc) => panic!(
            "expected an error, got a document with {} pages",
            doc.page_count()
        ),
        Err(e) => {
            assert_eq!(e.kind, kind, "{e}");
            let msg = e.to_string().to_lowercase();
            for w in words {
                assert!(msg.contains(w), "message {msg:?} lacks {w:?}");
            }
        }
    }
}

#[test]
fn documents_and_pages_can_cross_threads() {
    fn send_sync<T: Send + Sync>() {}
    send_sync::<PdfDocument>();
    send_sync::<PdfPage>();
}

#[test]
fn empty_and_garbage_input() {
    expect_err(b"", ErrorKind::Empty, &["empty"]);
    expect_err(
        b"hello, this is not a PDF at all",
        ErrorKind::Malformed,
        &["not a pdf"],
    );
    let garbage: Vec<u8> = (0..4096u32)
        .map(|i| (i.wrapping_mul(2654435761) >> 13) as u8)
        .collect();
    expect_err(&garbage, ErrorKind::Malformed, &["pdf"]);
    let mut junk = b"%PDF-1.4\n".to_vec();
    junk.extend_from_slice(&garbage);
    expect_err(&junk, ErrorKind::Malformed, &["could not be read"]);
}

#[test]
fn zero_pages_is_empty() {
    let b = Builder::new();
    expect_err(
        &b.finish(Dictionary::new()),
        ErrorKind::Empty,
        &["no pages"],
    );
}

const FEDERAL_REGISTER: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/../shared/corpus/en/federal-register-2020-17221.pdf"
);
const LOC_NEWSLETTER: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/../shared/corpus/en/loc-digital-preservation-newsletter-2013-06.pdf"
);
const CHICOPEE: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/../shared/corpus/en/chicopee-weekly-journal-1856-05-24.pdf"
);
const NATIONAL_TRIBUNE: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/../shared/corpus/en/national-tribune-1898-11-10-p1.pdf"
);

fn read(path: &str) -> Vec<u8> {
    std::fs::read(path).unwrap_or_else(|e| panic!("{path}: {e}"))
}

#[test]
fn truncated_file_is_an_error() {
    let bytes = read(FEDERAL_REGISTER);
    let half = &bytes[..bytes.len() / 2];
    expect_err(half, ErrorKind::Malformed, &["truncated"]);
}

#[test]
fn corrupt_files_never_panic() {
    // Damage the LoC file in many places: every outcome is Ok or Err.
    let bytes = read(LOC_NEWSLETTER);
    for step in 1..40usize {
        let mut b = bytes.clone();
        let at = b.len() * step / 40;
        for k in 0..64 {
            if let Some(x) = b.get_mut(at + k) {
                *x = x.wrapping_mul(31).wrapping_add(k as u8);
            }
        }
        if let Ok(doc) = PdfDocument::open(&b) {
            for n in 1..=doc.page_count() as u32 {
                let _ = doc.page(n);
            }
        }
        let cut = &bytes[..bytes.len() * step / 40];
        if let Ok(doc) = PdfDocument::open(cut) {
            for n in 1..=doc.page_count() as u32 {
                let _ = doc.page(n);
            }
        }
    }
}

#[test]
fn hostile_content_streams_never_panic() {
    let mut b = Builder::new();
    let f1 = b.helvetica();
    let mut deep = b"BT /F1 10 Tf ".to_vec();
    deep.extend(std::iter::repeat_n(b'[', 5000));
    deep.extend_from_slice(b" TJ ET q q q 1e308 1e308 1e308 1e308 0 0 cm BT /F1 10 Tf (A) Tj ET Q");
    deep.extend_from_slice(b" BT /F1 1e39 Tf 1 0 0 1 NaN 0 Tm (B) Tj /Nope 5 Tf (C) Tj ET");
    deep.extend_from_slice(b" BI /W 5 ID \x00\x01 EI (unclosed");
    b.add_page(&deep, fonts(&[("F1", f1)]), Dictionary::new());
    // A form that draws itself.
    let form_id = b.doc.new_object_id();
    let form = Stream::new(
        dictionary! {
            "Type" => "XObject", "Subtype" => "Form",
            "Resources" => dictionary! { "XObject" => dictionary! { "Me" => form_id } },
        },
        b"/Me Do".to_vec(),
    );
    b.doc.objects.insert(form_id, Object::Stream(form));
    let res = dictionary! { "XObject" => dictionary! { "Me" => form_id } };
    b.add_page(b"/Me Do", res, Dictionary::new());
    let bytes = b.finish(Dictionary::new());
    let doc = open(&bytes);
    let p = doc.page(1).unwrap();
    assert!(p
        .glyphs
        .iter()
        .all(|g| g.bbox.x0.is_finite() && g.bbox.y1.is_finite()));
    // `/Nope` is no font: its glyph has no text, a warning says why.
    let codes: Vec<&str> = p.warnings.iter().map(|w| w.code.as_str()).collect();
    assert!(codes.contains(&"missing-font"), "{codes:?}");
    assert!(p.glyphs.iter().any(|g| g.unmapped));
    let p = doc.page(2).unwrap();
    assert!(
        p.warnings.iter().any(|w| w.code == "form-depth"),
        "{:?}",
        p.warnings
    );
    assert!(doc.page(3).is_err() && doc.page(0).is_err());
}

#[test]
fn undecodable_content_fails_that_page_only() {
    let mut b = Builder::new();
    let f1 = b.helvetica();
    b.add_page(
        b"BT /F1 10 Tf 100 700 Td (A) Tj ET",
        fonts(&[("F1", f1)]),
        Dictionary::new(),
    );
    let bad = b.doc.add_object(Stream::new(
        dictionary! { "Filter" => "NoSuchDecode" },
        b"garbage".to_vec(),
    ));
    let page2 = b.add_page(b"", Dictionary::new(), Dictionary::new());
    if let Ok(Object::Dictionary(d)) = b.doc.get_object_mut(page2) {
        d.set("Contents", bad);
    }
    let bytes = b.finish(Dictionary::new());
    let doc = open(&bytes);
    assert_eq!(page_text(&doc.page(1).unwrap()), "A");
    let e = doc.page(2).unwrap_err();
    assert_eq!(e.kind, ErrorKind::Malformed);
    assert_eq!(e.location.page, Some(2));
    assert!(e.to_string().contains("content stream"), "{e}");
}

fn encrypted_pdf(user_password: &str) -> Vec<u8> {
    let mut b = Builder::new();
    let f1 = b.helvetica();
    b.add_page(
        b"BT /F1 10 Tf 100 700 Td (Secret) Tj ET",
        fonts(&[("F1", f1)]),
        Dictionary::new(),
    );
    let bytes = b.finish(Dictionary::new());
    let mut doc = Document::load_mem(&bytes).expect("reload");
    doc.trailer.set(
        "ID",
        vec![
            Object::string_literal(b"0123456789abcdef".to_vec()),
            Object::string_literal(b"0123456789abcdef".to_vec()),
        ],
    );
    let state = lopdf::EncryptionState::try_from(lopdf::EncryptionVersion::V2 {
        document: &doc,
        owner_password: "owner",
        user_password,
        key_length: 128,
        permissions: lopdf::Permissions::all(),
    })
    .expect("encryption state");
    doc.encrypt(&state).expect("encrypt");
    let mut out = Vec::new();
    doc.save_to(&mut out).expect("save");
    out
}

#[test]
fn encrypted_with_empty_user_password_opens() {
    let bytes = encrypted_pdf("");
    keep("encrypted-empty-password.pdf", &bytes);
    let doc = open(&bytes);
    assert!(doc.warnings().iter().any(|w| w.code == "decrypted"));
    let p = doc.page(1).unwrap();
    assert_eq!(page_text(&p), "Secret");
    assert_box(&p.glyphs[0], "S", 100.0, 93.0, 105.0, 102.0);
}

#[test]
fn encrypted_with_a_password_is_a_clear_error() {
    let bytes = encrypted_pdf("secret");
    expect_err(&bytes, ErrorKind::Unsupported, &["encrypted", "password"]);
}

// ---------------------------------------------------------------------------
// Real files
// ---------------------------------------------------------------------------

/// The union box of the glyphs spelling `word`, at the occurrence nearest
/// to `near` (words repeat on a page).
fn word_box(p: &PdfPage, word: &str, near: [f32; 4]) -> Option<[f32; 4]> {
    let mut chars: Vec<(char, usize)> = Vec::new();
    for (i, g) in p.glyphs.iter().enumerate() {
        chars.extend(g.text.chars().map(|c| (c, i)));
    }
    let w: Vec<char> = word.chars().collect();
    let mut best: Option<(f32, [f32; 4])> = None;
    for start in 0..chars.len() {
        if chars.len() - start < w.len() || !w.iter().zip(&chars[start..]).all(|(a, b)| *a == b.0) {
            continue;
        }
        let mut b = [f32::MAX, f32::MAX, f32::MIN, f32::MIN];
        for &(_, gi) in &chars[start..start + w.len()] {
            let g = &p.glyphs[gi].bbox;
            b = [
                b[0].min(g.x0),
                b[1].min(g.y0),
                b[2].max(g.x1),
                b[3].max(g.y1),
            ];
        }
        let d = b
            .iter()
            .zip(near)
            .map(|(x, y)| (x - y).abs())
            .fold(0.0, f32::max);
        if best.is_none_or(|(bd, _)| d < bd) {
            best = Some((d, b));
        }
    }
    best.map(|(_, b)| b)
}

/// Word boxes as printed by `pdftotext -bbox` (poppler 22.12, rounded to
/// 0.001): page, word, xMin, yMin, xMax, yMax. Different fonts: Helvetica, Helvetica-Bold,
/// Melior, Melior-Italic.
const FR_POPPLER: &[(u32, &str, [f32; 4])] = &[
    (1, "Proposed", [45.0, 56.076, 128.016, 72.726]),
    (1, "REGISTER", [153.464, 123.256, 194.36, 130.656]),
    (1, "Airworthiness", [88.960, 388.294, 147.946, 397.267]),
    (4, "stabilizer.", [89.960, 109.093, 130.451, 118.066]),
    (7, "Certificate", [265.492, 60.04, 303.26, 68.016]),
    (15, "Manager,", [109.388, 349.64, 143.164, 357.616]),
    (15, "Boeing", [106.268, 402.728, 131.604, 410.704]),
];

const LOC_POPPLER: &[(u32, &str, [f32; 4])] = &[
    (1, "Library", [45.0, 35.976, 120.946, 65.4]),
    (1, "MacKaye", [220.594, 139.740, 314.740, 164.236]),
    (2, "Packard", [257.401, 86.964, 322.913, 106.604]),
    (2, "Lynch", [398.453, 425.480, 421.355, 435.264]),
];

#[track_caller]
fn compare_with_poppler(doc: &PdfDocument, table: &[(u32, &str, [f32; 4])]) {
    for (page, word, want) in table {
        let p = doc.page(*page).unwrap();
        let got = word_box(&p, word, *want).unwrap_or_else(|| panic!("{word} not on page {page}"));
        for (a, b) in got.iter().zip(want) {
            // The brief allows 0.5 pt; we measured < 0.01 on every word.
            assert!(
                (a - b).abs() < 0.05,
                "page {page} {word}: {got:?} vs poppler {want:?}"
            );
        }
    }
}

#[test]
fn federal_register_text_on_every_page() {
    let bytes = read(FEDERAL_REGISTER);
    let doc = open(&bytes);
    assert_eq!(doc.page_count(), 15);
    // One word per page, as pdftotext shows it.
    let words = [
        "Aviation",
        "Transportasi",
        "inoperative",
        "uncommanded",
        "docket",
        "$766,865",
        "Airspeed",
        "jbell",
        "EP06AU20.012",
        "Stabilizer",
        "EP06AU20.014",
        "EP06AU20.016",
        "incorporated",
        "Accomplishment",
        "AMOCs",
    ];
    for (i, word) in words.iter().enumerate() {
        let p = doc.page(i as u32 + 1).unwrap();
        assert!(p.has_text());
        assert_eq!(p.invisible_share(), 0.0);
        assert!(page_text(&p).contains(word), "page {} lacks {word}", i + 1);
        assert!(p.glyphs.iter().all(|g| !g.unmapped));
    }
    let p = doc.page(1).unwrap();
    let fonts: std::collections::BTreeSet<&str> = p.glyphs.iter().map(|g| &*g.font).collect();
    assert!(
        fonts.contains("Melior") && fonts.contains("Helvetica-Bold"),
        "{fonts:?}"
    );
    assert!(p.glyphs.iter().any(|g| g.bold) && p.glyphs.iter().any(|g| g.italic));
}

#[test]
fn federal_register_boxes_match_poppler() {
    compare_with_poppler(&open(&read(FEDERAL_REGISTER)), FR_POPPLER);
}

#[test]
fn loc_newsletter_text_boxes_and_images() {
    let bytes = read(LOC_NEWSLETTER);
    let doc = open(&bytes);
    assert_eq!(doc.page_count(), 2);
    compare_with_poppler(&doc, LOC_POPPLER);
    let p1 = doc.page(1).unwrap();
    let t = page_text(&p1);
    assert!(t.contains("Digital Preservation Newsletter"), "{t}");
    assert!(t.contains("Citizen Archiving"));
    let p2 = doc.page(2).unwrap();
    assert!(page_text(&p2).contains("Cliff Lynch"));
    // Photos are DCT images placed on page 2.
    assert!(p2
        .images
        .iter()
        .any(|i| i.filter.as_deref() == Some("DCTDecode") && i.bbox.width() > 100.0));
    assert!(!p1.rules.is_empty());
}

#[test]
fn chicopee_has_no_text_layer() {
    let bytes = read(CHICOPEE);
    let doc = open(&bytes);
    assert_eq!(doc.page_count(), 4);
    for n in 1..=4 {
        let p = doc.page(n).unwrap();
        assert!(!p.has_text(), "page {n}");
        assert_eq!(p.images.len(), 1);
        assert_eq!(p.images[0].bbox.width(), p.width);
    }
}

#[test]
fn national_tribune_ocr_layer_is_invisible() {
    let bytes = read(NATIONAL_TRIBUNE);
    let doc = open(&bytes);
    let p = doc.page(1).unwrap();
    assert!(p.has_text());
    assert!(p.invisible_share() > 0.9, "{}", p.invisible_share());
    assert!(page_text(&p).contains("WASHINGTON"));
}

/// pdf-extract reads the same text layer independently (its own font and
/// encoding code): the words it finds on the Federal Register must be ours
/// too. Positions are not compared (pdf-extract gives one per text-show
/// operator).
#[test]
fn words_agree_with_pdf_extract_on_the_federal_register() {
    use std::collections::HashMap;
    let bytes = std::fs::read(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../shared/corpus/en/federal-register-2020-17221.pdf"
    ))
    .expect("the shared corpus sits beside the repo");
    let theirs = pdf_extract::extract_text_from_mem(&bytes).expect("pdf-extract reads the file");
    let doc = newsclip::extract::pdf::PdfDocument::open(&bytes).expect("open");
    let mut ours = String::new();
    for n in 1..=doc.page_count() as u32 {
        let page = doc.page(n).expect("page");
        for g in &page.glyphs {
            ours.push_str(&g.text);
        }
        ours.push(' ');
    }
    // Words as runs of letters and digits; our glyph stream has no spaces
    // between words, so look for each of their words as a substring count.
    let mut counts: HashMap<&str, usize> = HashMap::new();
    for w in theirs
        .split(|c: char| !c.is_alphanumeric())
        .filter(|w| w.chars().count() >= 4)
    {
        *counts.entry(w).or_insert(0) += 1;
    }
    let total = counts.len();
    let found = counts.keys().filter(|w| ours.contains(*w)).count();
    assert!(
        total > 1000,
        "pdf-extract found only {total} distinct words"
    );
    assert!(
        found as f64 >= 0.99 * total as f64,
        "only {found} of {total} pdf-extract words found in our text layer"
    );
}
