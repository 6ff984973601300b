//! Small helpers over lopdf objects: every lookup follows references and
//! answers `None` for anything missing or of the wrong type, so callers
//! never unwrap file data.

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
pub(crate) fn stream_data(stream: &Stream) -> lopdf::Result<Vec<u8>> {
    stream.get_plain_content_with_limit(MAX_STREAM)
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
