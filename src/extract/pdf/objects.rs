//! Small helpers over lopdf objects: every lookup follows references and
//! answers `None` for anything missing or of the wrong type, so callers
//! never unwrap file data.
//!
//! Stream contents are read from the file's bytes when a page needs them
//! ([`PdfFile`]): lopdf 0.47 parses every object of a file when it loads
//! it and has no public on-demand reader, so the load keeps each stream's
//! dictionary and a note of where its data lies, not a copy of the data.
//! What stays in memory for the whole run is the file's bytes (held by the
//! caller) and the object dictionaries; decoded data lives as long as the
//! page that asked for it.

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
            s.dict.set(
                DEFERRED,
                Object::Array(vec![
                    Object::Integer(start as i64),
                    Object::Integer(length as i64),
                ]),
            );
        }
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
        // An empty slice for a note that does not fit: only `locate` writes
        // notes, and it checked them against these bytes.
        Some(self.bytes.get(start..end).unwrap_or(&[]))
    }
}

/// A lopdf load filter ([`lopdf::LoadOptions::filter`]): a stream's data is
/// dropped as soon as lopdf has read it, and its length and ends are noted
/// in its dictionary so that [`PdfFile::locate`] can find it in the file.
/// Object streams are kept (lopdf unpacks them after the filter), as are
/// streams whose length lopdf reads later (an empty content here).
pub(crate) fn defer_stream_data(id: ObjectId, obj: &mut Object) -> Option<(ObjectId, Object)> {
    if let Object::Stream(s) = obj {
        let keep = s.content.is_empty() || s.dict.has_type(b"ObjStm") || s.dict.has_type(b"XRef");
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
    }
    // lopdf keeps the object changed in place, and, inside object streams,
    // the one returned.
    Some((id, obj.clone()))
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
