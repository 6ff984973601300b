//! Small helpers over lopdf objects: every lookup follows references and
//! answers `None` for anything missing or of the wrong type, so callers
//! never unwrap file data.
//!
//! Stream contents are read from the file's bytes when a page needs them
//! ([`PdfFile`]): lopdf 0.47 parses every object of a file when it loads
//! it and has no public on-demand reader, so the load keeps each stream's
//! dictionary and a note of where its data lies, not a copy of the data.
//! What stays in memory for the whole run is the object dictionaries (and
//! the file's bytes, held by the caller: a large file is mapped, not read,
//! and its pages are given back as they are read, see [`crate::mapped`]);
//! decoded data lives as long as the page that asked for it.
//!
//! Font width arrays (`/Widths`, `/W`, `/W2`) are packed by the load filter
//! ([`number_items`]): lopdf keeps each number of an array as an `Object`
//! of 128 bytes, and the fonts of a long typeset file hold hundreds of
//! thousands of them (1,008 pages of fixtures/pdf: 59 MB of 262 MB).

use std::borrow::Cow;
use std::ops::Deref;

use lopdf::{Dictionary, Document, Object, ObjectId, Stream};

/// Largest decoded size of one content stream, form or CMap (bytes).
pub(crate) const MAX_STREAM: usize = 256 << 20;

/// Follow references (bounded by lopdf); `None` for a dangling one.
pub(crate) fn resolve<'d>(doc: &'d Document, obj: &'d Object) -> Option<&'d Object> {
    match doc.dereference(obj) {
        Ok((_, Object::Null)) | Err(_) => None,
        Ok((_, o)) => Some(o),
    }
}

/// The id an entry refers to, when it is a reference.
pub(crate) fn ref_id(dict: &Dictionary, key: &[u8]) -> Option<ObjectId> {
    match dict.get(key) {
        Ok(Object::Reference(id)) => Some(*id),
        _ => None,
    }
}

pub(crate) fn get<'d>(doc: &'d Document, dict: &'d Dictionary, key: &[u8]) -> Option<&'d Object> {
    dict.get(key).ok().and_then(|o| resolve(doc, o))
}

/// A dictionary, or a stream's dictionary.
pub(crate) fn as_dict(obj: &Object) -> Option<&Dictionary> {
    match obj {
        Object::Dictionary(d) => Some(d),
        Object::Stream(s) => Some(&s.dict),
        _ => None,
    }
}

pub(crate) fn get_dict<'d>(
    doc: &'d Document,
    dict: &'d Dictionary,
    key: &[u8],
) -> Option<&'d Dictionary> {
    get(doc, dict, key).and_then(as_dict)
}

pub(crate) fn get_stream<'d>(
    doc: &'d Document,
    dict: &'d Dictionary,
    key: &[u8],
) -> Option<&'d Stream> {
    match get(doc, dict, key) {
        Some(Object::Stream(s)) => Some(s),
        _ => None,
    }
}

pub(crate) fn get_array<'d>(
    doc: &'d Document,
    dict: &'d Dictionary,
    key: &[u8],
) -> Option<&'d [Object]> {
    match get(doc, dict, key) {
        Some(Object::Array(a)) => Some(a),
        _ => None,
    }
}

pub(crate) fn get_name<'d>(
    doc: &'d Document,
    dict: &'d Dictionary,
    key: &[u8],
) -> Option<&'d [u8]> {
    match get(doc, dict, key) {
        Some(Object::Name(n)) => Some(n),
        _ => None,
    }
}

pub(crate) fn num(obj: &Object) -> Option<f64> {
    match obj {
        Object::Integer(i) => Some(*i as f64),
        Object::Real(r) => Some(f64::from(*r)).filter(|v| v.is_finite()),
        _ => None,
    }
}

/// A number, following a reference.
pub(crate) fn num_in(doc: &Document, obj: &Object) -> Option<f64> {
    resolve(doc, obj).and_then(num)
}

pub(crate) fn get_num(doc: &Document, dict: &Dictionary, key: &[u8]) -> Option<f64> {
    get(doc, dict, key).and_then(num)
}

/// Numbers of an array (references followed); non-numbers are `None`.
pub(crate) fn numbers(doc: &Document, arr: &[Object]) -> Vec<Option<f64>> {
    arr.iter().map(|o| num_in(doc, o)).collect()
}

/// A stream's decoded bytes, bounded in size.
pub(crate) fn stream_data(file: &PdfFile, stream: &Stream) -> lopdf::Result<Vec<u8>> {
    match file.deferred(stream) {
        Some(raw) => {
            let mut dict = stream.dict.clone();
            dict.remove(DEFERRED);
            Stream {
                dict,
                content: raw.to_vec(),
                allows_compression: stream.allows_compression,
                start_position: None,
            }
            .get_plain_content_with_limit(MAX_STREAM)
        }
        None => stream.get_plain_content_with_limit(MAX_STREAM),
    }
}

/// A stream's data as stored in the file, before any filter (the image
/// codecs read it so).
pub(crate) fn stream_raw<'f>(file: &'f PdfFile, stream: &'f Stream) -> Cow<'f, [u8]> {
    match file.deferred(stream) {
        Some(raw) => Cow::Borrowed(raw),
        None => Cow::Borrowed(&stream.content),
    }
}

/// The dictionary key under which a stream whose data was left in the file
/// notes it: `[start length head tail]` once located (`start` counts from
/// the `%PDF-` header, as lopdf's offsets do; `head` and `tail` are the
/// first and last bytes of the data, at most [`EDGE`] each), `[length head
/// tail]` between the load and the locating. No PDF writes this key.
const DEFERRED: &[u8] = b"NewsclipDeferredData";
/// Bytes kept from each end of a deferred stream's data, to make sure the
/// data found again in the file is the data lopdf read.
const EDGE: usize = 32;
/// How far after an object's offset its `stream` keyword is looked for (a
/// stream dictionary longer than this is kept in memory instead).
const MAX_DICT_SPAN: usize = 1 << 20;

/// A loaded PDF: lopdf's objects, with the data of most streams left in the
/// file's bytes and read when asked for ([`stream_data`], [`stream_raw`]).
pub(crate) struct PdfFile<'b> {
    doc: Document,
    /// The file from its `%PDF-` header on.
    bytes: &'b [u8],
}

impl Deref for PdfFile<'_> {
    type Target = Document;
    fn deref(&self) -> &Document {
        &self.doc
    }
}

impl<'b> PdfFile<'b> {
    /// A document loaded with every stream's data in memory.
    pub(crate) fn in_memory(doc: Document) -> PdfFile<'b> {
        PdfFile { doc, bytes: &[] }
    }

    /// A document loaded with [`defer_stream_data`] from `bytes`: every
    /// deferred stream is found again in the file. `None` when one is not
    /// (a damaged file whose objects lopdf read from elsewhere than their
    /// cross-reference offset, say): the caller then loads the file with
    /// its data in memory.
    pub(crate) fn locate(mut doc: Document, bytes: &'b [u8]) -> Option<PdfFile<'b>> {
        let header = bytes.windows(5).position(|w| w == b"%PDF-")?;
        let bytes = &bytes[header..];
        let offsets: Vec<(ObjectId, usize)> = doc
            .objects
            .iter()
            .filter(|(_, o)| matches!(o, Object::Stream(s) if s.dict.has(DEFERRED)))
            .map(|(id, _)| match doc.reference_table.get(id.0) {
                Some(lopdf::xref::XrefEntry::Normal { offset, generation })
                    if *generation == id.1 =>
                {
                    Some((*id, *offset as usize))
                }
                _ => None,
            })
            .collect::<Option<_>>()?;
        for (id, offset) in offsets {
            let Some(Object::Stream(s)) = doc.objects.get_mut(&id) else {
                return None;
            };
            let note = match s.dict.get(DEFERRED) {
                Ok(Object::Array(a)) => a.clone(),
                _ => return None,
            };
            let [Object::Integer(length), Object::String(head, _), Object::String(tail, _)] =
                note.as_slice()
            else {
                return None;
            };
            let length = usize::try_from(*length).ok()?;
            let start = find_stream_data(bytes, offset, length, head, tail)?;
            // About the pages read: the dictionary's and one at each end.
            crate::mapped::note_read(3 * 4096);
            s.dict.set(
                DEFERRED,
                Object::Array(vec![
                    Object::Integer(start as i64),
                    Object::Integer(length as i64),
                ]),
            );
        }
        // The load and the search above read the whole file: a mapped
        // file's pages are given back (pages read from here on come back
        // one by one).
        crate::mapped::release_all();
        // Object streams were unpacked by the load; their data is not read
        // again.
        for o in doc.objects.values_mut() {
            if let Object::Stream(s) = o {
                if s.dict.has_type(b"ObjStm") || s.dict.has_type(b"XRef") {
                    s.content = Vec::new();
                }
            }
        }
        Some(PdfFile { doc, bytes })
    }

    /// The data of a stream left in the file.
    fn deferred(&self, stream: &Stream) -> Option<&'b [u8]> {
        if self.bytes.is_empty() {
            // Loaded in memory: every stream holds its data.
            return None;
        }
        let Ok(Object::Array(note)) = stream.dict.get(DEFERRED) else {
            return None;
        };
        let [Object::Integer(start), Object::Integer(length)] = note.as_slice() else {
            return None;
        };
        let start = usize::try_from(*start).ok()?;
        let end = start.checked_add(usize::try_from(*length).ok()?)?;
        crate::mapped::note_read(end - start);
        // An empty slice for a note that does not fit: only `locate` writes
        // notes, and it checked them against these bytes.
        Some(self.bytes.get(start..end).unwrap_or(&[]))
    }
}

/// A lopdf load filter ([`lopdf::LoadOptions::filter`]): a stream's data is
/// dropped as soon as lopdf has read it, and its length and ends are noted
/// in its dictionary so that [`PdfFile::locate`] can find it in the file.
/// Object streams are kept (lopdf unpacks them after the filter), as are
/// streams whose length lopdf reads later (an empty content here). Font
/// width arrays are packed ([`pack_number_arrays`]).
pub(crate) fn defer_stream_data(id: ObjectId, obj: &mut Object) -> Option<(ObjectId, Object)> {
    match obj {
        Object::Stream(s) => {
            // What lopdf read of the file (a mapped file's pages are given
            // back every few megabytes, see crate::mapped).
            crate::mapped::note_read(s.content.len() + OBJECT_BYTES);
            pack_number_arrays(&mut s.dict);
            let keep =
                s.content.is_empty() || s.dict.has_type(b"ObjStm") || s.dict.has_type(b"XRef");
            if keep {
                // A file's own note would be taken for ours.
                s.dict.remove(DEFERRED);
            } else {
                let data = std::mem::take(&mut s.content);
                let head = data[..data.len().min(EDGE)].to_vec();
                let tail = data[data.len().saturating_sub(EDGE)..].to_vec();
                s.dict.set(
                    DEFERRED,
                    Object::Array(vec![
                        Object::Integer(data.len() as i64),
                        Object::String(head, lopdf::StringFormat::Hexadecimal),
                        Object::String(tail, lopdf::StringFormat::Hexadecimal),
                    ]),
                );
            }
            // lopdf keeps a top-level object as changed in place and drops
            // the one returned (a stream is never inside an object stream,
            // where the returned one is kept): no copy.
            Some((id, Object::Null))
        }
        Object::Dictionary(d) => {
            crate::mapped::note_read(OBJECT_BYTES);
            pack_number_arrays(d);
            // Kept in place at the top level, the returned one inside an
            // object stream: the filter cannot tell which, so both.
            Some((id, obj.clone()))
        }
        _ => {
            crate::mapped::note_read(OBJECT_BYTES);
            Some((id, obj.clone()))
        }
    }
}

/// What reading one object's text (its dictionary) counts for in
/// [`crate::mapped::note_read`]: a rough size, since the filter is not told.
const OBJECT_BYTES: usize = 256;

/// The font keys whose arrays of numbers are packed, and the key the packed
/// form is kept under. No PDF writes these keys (a file's own are dropped).
const PACKED: [(&[u8], &[u8]); 3] = [
    (b"Widths", b"NewsclipPackedWidths"),
    (b"W", b"NewsclipPackedW"),
    (b"W2", b"NewsclipPackedW2"),
];

/// Packed item tags: a number (8 bytes of f64 follow), something else that
/// is not an array (nothing follows), an array (a u32 count follows, then
/// its items, numbers or others), null.
const TAG_NUM: u8 = 0;
const TAG_OTHER: u8 = 1;
const TAG_LIST: u8 = 2;
const TAG_NULL: u8 = 3;

/// Replaces each direct array of [`PACKED`] by a byte string: 9 bytes a
/// number instead of 128. An array that holds a reference stays as it is
/// (its numbers need the document to be read); so does one nested deeper
/// than `/W`'s `c [w ...]`.
fn pack_number_arrays(dict: &mut Dictionary) {
    for (key, packed_key) in PACKED {
        dict.remove(packed_key);
        let Ok(Object::Array(items)) = dict.get(key) else {
            continue;
        };
        let Some(packed) = pack(items) else {
            continue;
        };
        dict.remove(key);
        dict.set(
            packed_key,
            Object::String(packed, lopdf::StringFormat::Hexadecimal),
        );
    }
}

fn pack(items: &[Object]) -> Option<Vec<u8>> {
    let mut out = Vec::with_capacity(items.len() * 9);
    for o in items {
        match o {
            Object::Reference(_) => return None,
            Object::Null => out.push(TAG_NULL),
            Object::Array(list) => {
                out.push(TAG_LIST);
                out.extend_from_slice(&u32::try_from(list.len()).ok()?.to_le_bytes());
                for e in list {
                    match e {
                        Object::Reference(_) => return None,
                        // num() as the reader would: a non-finite real is no
                        // number.
                        _ => match num(e) {
                            Some(v) => {
                                out.push(TAG_NUM);
                                out.extend_from_slice(&v.to_le_bytes());
                            }
                            None => out.push(TAG_OTHER),
                        },
                    }
                }
            }
            _ => match num(o) {
                Some(v) => {
                    out.push(TAG_NUM);
                    out.extend_from_slice(&v.to_le_bytes());
                }
                None => out.push(TAG_OTHER),
            },
        }
    }
    out.shrink_to_fit();
    Some(out)
}

/// One element of a font's number array, as the font code reads it.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum NumItem {
    /// A number (references followed).
    Num(f64),
    /// An array: its numbers (`None` for anything else in it).
    List(Vec<Option<f64>>),
    /// Null, or a reference to nothing.
    Null,
    /// Anything else.
    Other,
}

/// The array under `key` (one of [`PACKED`]'s keys) as [`NumItem`]s,
/// whether the load packed it or not.
pub(crate) fn number_items(file: &PdfFile, dict: &Dictionary, key: &[u8]) -> Option<Vec<NumItem>> {
    // Only a load with the filter packs (an in-memory load never reads a
    // file's own packed key).
    if !file.bytes.is_empty() {
        if let Some((_, packed_key)) = PACKED.iter().find(|(k, _)| *k == key) {
            if let Ok(Object::String(packed, _)) = dict.get(packed_key) {
                return Some(unpack(packed));
            }
        }
    }
    let doc: &Document = file;
    let arr = get_array(doc, dict, key)?;
    Some(
        arr.iter()
            .map(|o| match resolve(doc, o) {
                None => NumItem::Null,
                Some(Object::Array(list)) => NumItem::List(numbers(doc, list)),
                Some(other) => num(other).map_or(NumItem::Other, NumItem::Num),
            })
            .collect(),
    )
}

fn unpack(mut b: &[u8]) -> Vec<NumItem> {
    fn number(b: &mut &[u8]) -> Option<f64> {
        let (v, rest) = b.split_first_chunk::<8>()?;
        *b = rest;
        Some(f64::from_le_bytes(*v))
    }
    let mut out = Vec::new();
    while let Some((&tag, rest)) = b.split_first() {
        b = rest;
        let item = match tag {
            TAG_NUM => match number(&mut b) {
                Some(v) => NumItem::Num(v),
                None => break,
            },
            TAG_LIST => {
                let Some((n, rest)) = b.split_first_chunk::<4>() else {
                    break;
                };
                b = rest;
                let n = u32::from_le_bytes(*n) as usize;
                let mut list = Vec::with_capacity(n.min(b.len()));
                for _ in 0..n {
                    let Some((&t, rest)) = b.split_first() else {
                        break;
                    };
                    b = rest;
                    list.push(if t == TAG_NUM { number(&mut b) } else { None });
                }
                NumItem::List(list)
            }
            TAG_NULL => NumItem::Null,
            _ => NumItem::Other,
        };
        out.push(item);
    }
    out
}

/// Where the data of the stream object at `offset` starts: after the first
/// `stream` keyword and its end of line (as lopdf reads it: spaces or tabs
/// may come between) whose following `length` bytes begin with `head` and
/// end with `tail`.
fn find_stream_data(
    bytes: &[u8],
    offset: usize,
    length: usize,
    head: &[u8],
    tail: &[u8],
) -> Option<usize> {
    let window = bytes.get(offset..)?;
    let window = &window[..window.len().min(MAX_DICT_SPAN)];
    let mut from = 0;
    while let Some(at) = find(&window[from..], b"stream") {
        let mut start = offset + from + at + b"stream".len();
        while matches!(bytes.get(start), Some(b' ' | b'\t')) {
            start += 1;
        }
        match (bytes.get(start), bytes.get(start + 1)) {
            (Some(b'\r'), Some(b'\n')) => start += 2,
            (Some(b'\r' | b'\n'), _) => start += 1,
            _ => {
                from += at + 1;
                continue;
            }
        }
        let data = start
            .checked_add(length)
            .and_then(|end| bytes.get(start..end));
        if data.is_some_and(|d| d.starts_with(head) && d.ends_with(tail)) {
            return Some(start);
        }
        from += at + 1;
    }
    None
}

fn find(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    haystack.windows(needle.len()).position(|w| w == needle)
}

/// The last filter of a stream (the image codec for images).
pub(crate) fn last_filter(doc: &Document, dict: &Dictionary) -> Option<String> {
    match get(doc, dict, b"Filter") {
        Some(Object::Name(n)) => Some(String::from_utf8_lossy(n).into_owned()),
        Some(Object::Array(a)) => a.iter().rev().find_map(|o| match resolve(doc, o) {
            Some(Object::Name(n)) => Some(String::from_utf8_lossy(n).into_owned()),
            _ => None,
        }),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn packed_width_arrays_read_as_the_arrays_do() {
        let w = Object::Array(vec![
            Object::Integer(1),
            Object::Array(vec![
                Object::Integer(500),
                Object::Real(250.5),
                Object::Name(b"x".to_vec()),
            ]),
            Object::Integer(10),
            Object::Integer(20),
            Object::Real(f32::NAN),
            Object::Null,
            Object::Name(b"y".to_vec()),
        ]);
        let mut dict = Dictionary::new();
        dict.set("W", w);
        dict.set("Widths", Object::Array(vec![Object::Integer(600)]));
        let doc = Document::new();
        let file = PdfFile::in_memory(doc);
        let plain_w = number_items(&file, &dict, b"W").unwrap();
        let plain_widths = number_items(&file, &dict, b"Widths").unwrap();
        assert_eq!(
            plain_w,
            vec![
                NumItem::Num(1.0),
                NumItem::List(vec![Some(500.0), Some(250.5), None]),
                NumItem::Num(10.0),
                NumItem::Num(20.0),
                NumItem::Other,
                NumItem::Null,
                NumItem::Other,
            ]
        );
        let mut packed = dict.clone();
        pack_number_arrays(&mut packed);
        assert!(!packed.has(b"W") && packed.has(b"NewsclipPackedW"));
        let bytes = b"%PDF-1.7\n";
        let file = PdfFile {
            doc: Document::new(),
            bytes,
        };
        assert_eq!(number_items(&file, &packed, b"W").unwrap(), plain_w);
        assert_eq!(
            number_items(&file, &packed, b"Widths").unwrap(),
            plain_widths
        );
        // An array holding a reference is left as it is.
        let mut with_ref = Dictionary::new();
        with_ref.set("W", Object::Array(vec![Object::Reference((3, 0))]));
        pack_number_arrays(&mut with_ref);
        assert!(with_ref.has(b"W"));
    }

    #[test]
    fn stream_data_is_found_past_a_stream_word_in_the_dictionary() {
        let file: &[u8] =
            b"%PDF-1.5\n4 0 obj\n<< /T (a stream\n of words) /Length 5 >>\nstream \r\nhello\nendstream\nendobj\n";
        let data = file.windows(5).position(|w| w == b"hello");
        assert_eq!(find_stream_data(file, 9, 5, b"hello", b"hello"), data);
        assert_eq!(find_stream_data(file, 9, 5, b"he", b"lo"), data);
        // Other ends, or a length past the file: not this stream.
        assert_eq!(find_stream_data(file, 9, 5, b"hellx", b"hello"), None);
        assert_eq!(find_stream_data(file, 9, 500, b"hello", b"hello"), None);
    }
}
