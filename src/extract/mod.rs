//! Extract: input bytes to pages of lines (dumps) or glyphs/words with boxes.
//!
//! Contract: extraction decodes and positions; it never guesses columns,
//! roles or articles. Each input kind has its own module:
//! - [`decode`]: bytes of a text dump to a string (encoding detection);
//! - [`dump`]: a decoded dump to pages of blank-line separated blocks;
//! - [`pdf`]: PDF pages to positioned glyphs, and their page images;
//! - [`ocr`]: image files and scanned pages to positioned words (OCR);
//! - [`alto`]: ALTO files (archive OCR) to positioned words and blocks;
//! - [`mets`]: METS issues: page order and the ALTO blocks of each article;
//! - [`hocr`]: hOCR files (Tesseract's XHTML) to positioned words and areas;
//! - [`page_xml`]: PAGE-XML files to positioned words and regions.

pub mod alto;
pub mod decode;
pub mod dump;
pub mod hocr;
pub mod mets;
pub mod ocr;
pub mod page_xml;
pub mod pdf;
