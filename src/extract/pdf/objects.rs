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
use std::cell::RefCell;
use std::collections::{BTreeMap, HashMap};

use lopdf::{Dictionary, Document, Object, ObjectId, Stream};

/// Largest decoded size of one content stream, form or CMap (bytes).
pub(crate) const MAX_STREAM: usize = 256 << 20;

/// Follow references (bounded by lopdf); `None` for a dangling one.
pub(crate) fn resolve<'d>(doc: &'d Objs<'_>, obj: &'d Object) -> Option<&'d Object> {
    match doc.dereference(obj) {
        Some(Object::Null) | None => None,
        Some(o) => Some(o),
    }
}

/// The id an entry refers to, when it is a reference.
pub(crate) fn ref_id(dict: &Dictionary, key: &[u8]) -> Option<ObjectId> {
    match dict.get(key) {
        Ok(Object::Reference(id)) => Some(*id),
        _ => None,
    }
}

pub(crate) fn get<'d>(doc: &'d Objs<'_>, dict: &'d Dictionary, key: &[u8]) -> Option<&'d Object> {
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
    doc: &'d Objs<'_>,
    dict: &'d Dictionary,
    key: &[u8],
) -> Option<&'d Dictionary> {
    get(doc, dict, key).and_then(as_dict)
}

pub(crate) fn get_stream<'d>(
    doc: &'d Objs<'_>,
    dict: &'d Dictionary,
    key: &[u8],
) -> Option<&'d Stream> {
    match get(doc, dict, key) {
        Some(Object::Stream(s)) => Some(s),
        _ => None,
    }
}

pub(crate) fn get_array<'d>(
    doc: &'d Objs<'_>,
    dict: &'d Dictionary,
    key: &[u8],
) -> Option<&'d [Object]> {
    match get(doc, dict, key) {
        Some(Object::Array(a)) => Some(a),
        _ => None,
    }
}

pub(crate) fn get_name<'d>(
    doc: &'d Objs<'_>,
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
pub(crate) fn num_in(doc: &Objs<'_>, obj: &Object) -> Option<f64> {
    resolve(doc, obj).and_then(num)
}

pub(crate) fn get_num(doc: &Objs<'_>, dict: &Dictionary, key: &[u8]) -> Option<f64> {
    get(doc, dict, key).and_then(num)
}

/// Numbers of an array (references followed); non-numbers are `None`.
pub(crate) fn numbers(doc: &Objs<'_>, arr: &[Object]) -> Vec<Option<f64>> {
    arr.iter().map(|o| num_in(doc, o)).collect()
}

/// A stream's decoded bytes, bounded in size.
pub(crate) fn stream_data(doc: &Objs<'_>, stream: &Stream) -> lopdf::Result<Vec<u8>> {
    match doc.file.deferred(stream) {
        Some(raw) => with_data(stream, raw).get_plain_content_with_limit(MAX_STREAM),
        None => stream.get_plain_content_with_limit(MAX_STREAM),
    }
}

/// A deferred stream with its data (read from the file) in place.
fn with_data(stream: &Stream, raw: &[u8]) -> Stream {
    let mut dict = stream.dict.clone();
    dict.remove(DEFERRED);
    Stream {
        dict,
        content: raw.to_vec(),
        allows_compression: stream.allows_compression,
        start_position: None,
    }
}

/// A stream's data as stored in the file, before any filter (the image
/// codecs read it so).
pub(crate) fn stream_raw<'f>(doc: &'f Objs<'_>, stream: &'f Stream) -> Cow<'f, [u8]> {
    match doc.file.deferred(stream) {
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

/// How a file's objects are held.
enum Held {
    /// Every object in memory, stream data included (a damaged or
    /// encrypted file).
    InMemory,
    /// Every object's dictionary in memory, stream data left in the file,
    /// font width arrays packed ([`defer_stream_data`]).
    Deferred,
    /// Only the page tree in memory ([`keep_page_tree`]); any other object
    /// is parsed from the file when a page asks for it, and dropped with
    /// the page ([`Objs`]).
    OnDemand(OnDemand),
}

/// What finding objects in the file needs.
struct OnDemand {
    /// Start offsets of the objects in the file, sorted: an object ends at
    /// the next one's start at the latest (as lopdf bounds its recovery of
    /// a stream's length).
    starts: Vec<usize>,
}

/// A loaded PDF: lopdf's objects, with the data of most streams left in the
/// file's bytes and read when asked for ([`stream_data`], [`stream_raw`]),
/// and for a sound file most objects left there too, parsed per page
/// ([`Objs`]).
pub(crate) struct PdfFile<'b> {
    doc: Document,
    /// The file from its `%PDF-` header on.
    bytes: &'b [u8],
    held: Held,
}

impl<'b> PdfFile<'b> {
    /// A document loaded with every stream's data in memory.
    pub(crate) fn in_memory(doc: Document) -> PdfFile<'b> {
        PdfFile {
            doc,
            bytes: &[],
            held: Held::InMemory,
        }
    }

    /// lopdf's document (the objects held in memory).
    pub(crate) fn document(&self) -> &Document {
        &self.doc
    }

    /// A document loaded with [`keep_page_tree`] from `bytes`, whose other
    /// objects are parsed from the file when asked for. `None` when that
    /// could read the file otherwise than a whole load does: a rebuilt
    /// cross-reference table, encryption, an object not found at its
    /// offset, a page tree not kept whole (a node without its `/Type`).
    pub(crate) fn on_demand(mut doc: Document, bytes: &'b [u8]) -> Option<PdfFile<'b>> {
        if doc.xref_recovery.is_some()
            || doc.encryption_state.is_some()
            || doc.trailer.has(b"Encrypt")
        {
            return None;
        }
        let header = bytes.windows(5).position(|w| w == b"%PDF-")?;
        let bytes = &bytes[header..];
        let mut starts = Vec::with_capacity(doc.reference_table.entries.len());
        for (&number, entry) in &doc.reference_table.entries {
            if let lopdf::xref::XrefEntry::Normal { offset, generation } = entry {
                let offset = *offset as usize;
                object_body(bytes, offset, (number, *generation))?;
                // A page of a mapped file read (given back every few MB).
                crate::mapped::note_read(4096);
                starts.push(offset);
            }
        }
        starts.sort_unstable();
        starts.dedup();
        // The object streams were kept for lopdf to unpack; their objects
        // are read again from them when asked for.
        doc.objects.retain(|_, o| !matches!(o, Object::Stream(_)));
        if !page_tree_whole(&doc) {
            return None;
        }
        crate::mapped::release_all();
        Some(PdfFile {
            doc,
            bytes,
            held: Held::OnDemand(OnDemand { starts }),
        })
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
        Some(PdfFile {
            doc,
            bytes,
            held: Held::Deferred,
        })
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

/// The objects one page (or one image decode) reads: those held by the
/// document, and those parsed from the file on demand, which live as long
/// as this (so a long file's fonts, content streams and resources are in
/// memory only for the pages in flight). Not shared between threads.
pub(crate) struct Objs<'f> {
    file: &'f PdfFile<'f>,
    /// Objects parsed from the file. Boxed: a reference handed out stays
    /// valid while the list grows; nothing is removed before `self` goes.
    #[allow(clippy::vec_box)] // the boxes keep each object in place
    parsed: RefCell<Vec<Box<Object>>>,
    /// Object id to its parsed object (`None`: not in the file, or being
    /// parsed, which stops a loop through stream lengths).
    found: RefCell<HashMap<ObjectId, Option<*const Object>>>,
    /// Object streams unpacked so far, by object number.
    obj_streams: RefCell<HashMap<u32, Option<BTreeMap<ObjectId, Object>>>>,
}

impl<'f> Objs<'f> {
    pub(crate) fn new(file: &'f PdfFile<'f>) -> Objs<'f> {
        Objs {
            file,
            parsed: RefCell::new(Vec::new()),
            found: RefCell::new(HashMap::new()),
            obj_streams: RefCell::new(HashMap::new()),
        }
    }

    /// The object `id`: held by the document, or parsed from the file.
    pub(crate) fn object(&self, id: ObjectId) -> Option<&Object> {
        if let Some(o) = self.file.doc.objects.get(&id) {
            return Some(o);
        }
        let Held::OnDemand(on_demand) = &self.file.held else {
            return None;
        };
        if let Some(known) = self.found.borrow().get(&id) {
            // SAFETY: the pointer is to a box of `parsed`, which lives and
            // stays in place as long as `self`.
            return known.map(|p| unsafe { &*p });
        }
        self.found.borrow_mut().insert(id, None);
        let obj = match self.file.doc.reference_table.get(id.0) {
            Some(lopdf::xref::XrefEntry::Normal { offset, generation }) if *generation == id.1 => {
                self.parse_at(on_demand, *offset as usize, id)
            }
            Some(lopdf::xref::XrefEntry::Compressed { container, .. }) if id.1 == 0 => {
                self.in_object_stream(*container, id)
            }
            _ => None,
        }?;
        let boxed = Box::new(obj);
        let ptr: *const Object = &*boxed;
        self.parsed.borrow_mut().push(boxed);
        self.found.borrow_mut().insert(id, Some(ptr));
        // SAFETY: as above.
        Some(unsafe { &*ptr })
    }

    /// Follows references as lopdf's `dereference` does (at most 128).
    pub(crate) fn dereference<'a>(&'a self, mut obj: &'a Object) -> Option<&'a Object> {
        let mut hops = 0;
        while let Object::Reference(id) = obj {
            obj = self.object(*id)?;
            hops += 1;
            if hops > 128 {
                return None;
            }
        }
        Some(obj)
    }

    /// The dictionary `id`, as lopdf's `get_dictionary` answers.
    pub(crate) fn get_dictionary(&self, id: ObjectId) -> lopdf::Result<&Dictionary> {
        let mut obj = self.object(id).ok_or(lopdf::Error::ObjectNotFound(id))?;
        let mut hops = 0;
        while let Object::Reference(next) = obj {
            obj = self
                .object(*next)
                .ok_or(lopdf::Error::ObjectNotFound(*next))?;
            hops += 1;
            if hops > 128 {
                return Err(lopdf::Error::ReferenceLimit);
            }
        }
        obj.as_dict()
    }

    /// The object at `offset` (checked to be `id`), as lopdf reads it, a
    /// stream with its data left in the file.
    fn parse_at(&self, on_demand: &OnDemand, offset: usize, id: ObjectId) -> Option<Object> {
        let bytes = self.file.bytes;
        let body = object_body(bytes, offset, id)?;
        // The next object's start bounds this one.
        let next = on_demand.starts.partition_point(|&s| s <= offset);
        let end = on_demand.starts.get(next).copied().unwrap_or(bytes.len());
        let end = end.max(body).min(bytes.len());
        crate::mapped::note_read(OBJECT_BYTES);
        if bytes[body..].starts_with(b"<<") {
            let dict_end = dictionary_end(&bytes[..end], body)?;
            let Object::Dictionary(dict) = parse_direct(&bytes[body..dict_end])? else {
                return None;
            };
            let Some(data_start) = stream_start(bytes, dict_end) else {
                return Some(Object::Dictionary(dict));
            };
            let (start, length) = self.stream_extent(&dict, data_start, end)?;
            let mut dict = dict;
            dict.remove(DEFERRED);
            dict.set("Length", length as i64);
            dict.set(
                DEFERRED,
                Object::Array(vec![
                    Object::Integer(start as i64),
                    Object::Integer(length as i64),
                ]),
            );
            return Some(Object::Stream(Stream {
                dict,
                content: Vec::new(),
                allows_compression: true,
                start_position: None,
            }));
        }
        // Anything else is read from a window that grows to the next
        // object: one that ends early fails to parse (an array or string
        // unclosed) rather than parsing short, and a number or name is
        // far shorter than the first window.
        let mut window = 4096;
        loop {
            let stop = body.saturating_add(window).min(end);
            if let Some(o) = parse_direct(&bytes[body..stop]) {
                return Some(o);
            }
            if stop == end {
                return None;
            }
            window *= 4;
        }
    }

    /// Where a stream's data lies (start, length), as lopdf's parser finds
    /// it: `/Length` bytes followed by an end of line (optional) and
    /// `endstream`; else, the one `endstream` framed by ends of line and
    /// followed by `endobj` before the next object.
    fn stream_extent(&self, dict: &Dictionary, start: usize, end: usize) -> Option<(usize, usize)> {
        let bytes = self.file.bytes;
        let length = dict.get(b"Length").ok().and_then(|l| match l {
            Object::Reference(id) => match self.object(*id) {
                Some(Object::Integer(n)) => Some(*n),
                _ => None,
            },
            Object::Integer(n) => Some(*n),
            _ => None,
        });
        if let Some(length) = length {
            let length = usize::try_from(length).ok()?;
            let stop = start.checked_add(length)?;
            if let Some(after) = bytes.get(stop..) {
                let after = after
                    .strip_prefix(b"\r\n")
                    .or_else(|| after.strip_prefix(b"\n"))
                    .or_else(|| after.strip_prefix(b"\r"))
                    .unwrap_or(after);
                if after.starts_with(b"endstream") {
                    return Some((start, length));
                }
            }
        }
        let data = recover_stream_length(bytes.get(start..end.max(start))?)?;
        Some((start, data))
    }

    /// Object `id` from the object stream `container`.
    fn in_object_stream(&self, container: u32, id: ObjectId) -> Option<Object> {
        if !self.obj_streams.borrow().contains_key(&container) {
            let unpacked = match self.object((container, 0)) {
                Some(Object::Stream(s)) => {
                    let plain = match self.file.deferred(s) {
                        Some(raw) => with_data(s, raw),
                        None => s.clone(),
                    };
                    lopdf::ObjectStream::new_with_limit(&plain, Some(MAX_STREAM))
                        .ok()
                        .map(|o| o.objects)
                }
                _ => None,
            };
            self.obj_streams.borrow_mut().insert(container, unpacked);
        }
        self.obj_streams
            .borrow_mut()
            .get_mut(&container)?
            .as_mut()?
            .remove(&id)
    }
}

/// One direct object, parsed by lopdf's own parser (through an object
/// stream of one object, its one public way in).
fn parse_direct(body: &[u8]) -> Option<Object> {
    const HEAD: &[u8] = b"1 0\n";
    let mut content = Vec::with_capacity(HEAD.len() + body.len());
    content.extend_from_slice(HEAD);
    content.extend_from_slice(body);
    let mut dict = Dictionary::new();
    dict.set("N", 1);
    dict.set("First", HEAD.len() as i64);
    let stream = Stream::new(dict, content);
    lopdf::ObjectStream::new(&stream)
        .ok()?
        .objects
        .remove(&(1, 0))
}

/// lopdf's white space and comments.
fn skip_space(bytes: &[u8], mut at: usize) -> usize {
    loop {
        match bytes.get(at) {
            Some(b' ' | b'\t' | b'\n' | b'\r' | b'\0' | b'\x0C') => at += 1,
            Some(b'%') => {
                let line = bytes[at..].iter().position(|c| *c == b'\r' || *c == b'\n');
                match line {
                    // A comment ends with its end of line.
                    Some(n) => {
                        at += n;
                        if bytes[at] == b'\r' && bytes.get(at + 1) == Some(&b'\n') {
                            at += 2;
                        } else {
                            at += 1;
                        }
                    }
                    None => return at,
                }
            }
            _ => return at,
        }
    }
}

/// Where the object `id` at `offset` starts after its `N G obj` (and the
/// white space that follows), as lopdf reads it; `None` when `offset` does
/// not hold that object.
fn object_body(bytes: &[u8], offset: usize, id: ObjectId) -> Option<usize> {
    fn number(bytes: &[u8], at: usize) -> Option<(u64, usize)> {
        let digits = bytes
            .get(at..)?
            .iter()
            .take_while(|c| c.is_ascii_digit())
            .count();
        if digits == 0 {
            return None;
        }
        let v = std::str::from_utf8(&bytes[at..at + digits])
            .ok()?
            .parse()
            .ok()?;
        Some((v, at + digits))
    }
    let at = skip_space(bytes, offset);
    let (n, at) = number(bytes, at)?;
    let at2 = skip_space(bytes, at);
    if at2 == at {
        return None;
    }
    let (g, at) = number(bytes, at2)?;
    let at2 = skip_space(bytes, at);
    if at2 == at || n != u64::from(id.0) || g != u64::from(id.1) {
        return None;
    }
    if !bytes.get(at2..)?.starts_with(b"obj") {
        return None;
    }
    Some(skip_space(bytes, at2 + 3))
}

/// The end of the dictionary starting at `at` (`<<`): nested dictionaries,
/// strings (with their escapes and nested parentheses), hex strings and
/// comments skipped. `None` when it does not end in `bytes`.
fn dictionary_end(bytes: &[u8], at: usize) -> Option<usize> {
    let mut depth = 0usize;
    let mut i = at;
    while i < bytes.len() {
        match bytes[i] {
            b'<' if bytes.get(i + 1) == Some(&b'<') => {
                depth += 1;
                i += 2;
            }
            b'>' if bytes.get(i + 1) == Some(&b'>') => {
                depth = depth.checked_sub(1)?;
                i += 2;
                if depth == 0 {
                    return Some(i);
                }
            }
            b'<' => {
                i += bytes[i..].iter().position(|c| *c == b'>')? + 1;
            }
            b'(' => {
                let mut nest = 0usize;
                loop {
                    match bytes.get(i)? {
                        b'\\' => i += 1,
                        b'(' => nest += 1,
                        b')' => {
                            nest -= 1;
                            if nest == 0 {
                                break;
                            }
                        }
                        _ => {}
                    }
                    i += 1;
                }
                i += 1;
            }
            b'%' => {
                i += bytes[i..].iter().position(|c| *c == b'\r' || *c == b'\n')?;
            }
            _ => i += 1,
        }
    }
    None
}

/// After a dictionary ending at `at`: where the stream data starts, when
/// `stream` and its end of line follow (as lopdf's `stream_keyword`).
fn stream_start(bytes: &[u8], at: usize) -> Option<usize> {
    let mut i = skip_space(bytes, at);
    if !bytes.get(i..)?.starts_with(b"stream") {
        return None;
    }
    i += b"stream".len();
    while matches!(bytes.get(i), Some(b' ' | b'\t')) {
        i += 1;
    }
    match (bytes.get(i), bytes.get(i + 1)) {
        (Some(b'\r'), Some(b'\n')) => Some(i + 2),
        (Some(b'\r' | b'\n'), _) => Some(i + 1),
        _ => None,
    }
}

/// lopdf's recovery of a stream's length: the one `endstream` in `data`
/// after an end of line and followed by `endobj` (and white space or
/// nothing); the data's length up to that end of line.
fn recover_stream_length(data: &[u8]) -> Option<usize> {
    const ENDSTREAM: &[u8] = b"endstream";
    let mut found = None;
    let mut from = 0;
    while let Some(at) = find(&data[from..], ENDSTREAM) {
        let position = from + at;
        from = position + 1;
        let before = &data[..position];
        let data_end = if before.ends_with(b"\r\n") {
            position - 2
        } else if before.ends_with(b"\n") || before.ends_with(b"\r") {
            position - 1
        } else {
            continue;
        };
        let after = skip_space(data, position + ENDSTREAM.len());
        if !data[after..].starts_with(b"endobj") {
            continue;
        }
        let rest = &data[after + b"endobj".len()..];
        if rest.first().is_some_and(|c| !b" \t\n\r\0\x0C".contains(c)) {
            continue;
        }
        if found.is_some() {
            return None;
        }
        found = Some(data_end);
    }
    found
}

/// Whether lopdf's page walk over the objects kept by [`keep_page_tree`]
/// meets every node of the tree that a whole load has: the catalog and
/// every `/Kids` given by reference are held.
fn page_tree_whole(doc: &Document) -> bool {
    let Ok(Object::Reference(root)) = doc.trailer.get(b"Root") else {
        return false;
    };
    if !matches!(doc.objects.get(root), Some(Object::Dictionary(_))) {
        return false;
    }
    doc.objects.values().all(|o| match o {
        Object::Dictionary(d) => match d.get(b"Kids").or_else(|_| d.get(b"Pages")) {
            Ok(Object::Reference(id)) => doc.objects.contains_key(id),
            _ => true,
        },
        _ => true,
    })
}

/// A lopdf load filter for [`PdfFile::on_demand`]: the page tree (the
/// catalog, `/Pages` and `/Page` dictionaries, arrays of references such
/// as `/Kids`) is kept, and the object streams for lopdf to unpack; every
/// other object is dropped as soon as lopdf has read it.
pub(crate) fn keep_page_tree(id: ObjectId, obj: &mut Object) -> Option<(ObjectId, Object)> {
    match obj {
        Object::Stream(s) => {
            crate::mapped::note_read(s.content.len() + OBJECT_BYTES);
            if s.dict.has_type(b"ObjStm") || s.dict.has_type(b"XRef") || s.content.is_empty() {
                Some((id, Object::Null))
            } else {
                None
            }
        }
        Object::Dictionary(d) => {
            crate::mapped::note_read(OBJECT_BYTES);
            if d.has_type(b"Page") || d.has_type(b"Pages") || d.has_type(b"Catalog") {
                Some((id, obj.clone()))
            } else {
                None
            }
        }
        Object::Array(a) if a.iter().all(|o| matches!(o, Object::Reference(_))) => {
            crate::mapped::note_read(OBJECT_BYTES);
            Some((id, obj.clone()))
        }
        _ => {
            crate::mapped::note_read(OBJECT_BYTES);
            None
        }
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
pub(crate) fn number_items(doc: &Objs<'_>, dict: &Dictionary, key: &[u8]) -> Option<Vec<NumItem>> {
    // Only a load with the filter packs (another load never reads a
    // file's own packed key).
    if matches!(doc.file.held, Held::Deferred) {
        if let Some((_, packed_key)) = PACKED.iter().find(|(k, _)| *k == key) {
            if let Ok(Object::String(packed, _)) = dict.get(packed_key) {
                return Some(unpack(packed));
            }
        }
    }
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
pub(crate) fn last_filter(doc: &Objs<'_>, dict: &Dictionary) -> Option<String> {
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
        let file = PdfFile::in_memory(Document::new());
        let objs = Objs::new(&file);
        let plain_w = number_items(&objs, &dict, b"W").unwrap();
        let plain_widths = number_items(&objs, &dict, b"Widths").unwrap();
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
            held: Held::Deferred,
        };
        let objs = Objs::new(&file);
        assert_eq!(number_items(&objs, &packed, b"W").unwrap(), plain_w);
        assert_eq!(
            number_items(&objs, &packed, b"Widths").unwrap(),
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

#[cfg(test)]
mod on_demand_tests {
    use super::*;

    /// Every object a whole load of `bytes` has, parsed on demand: the same
    /// object, a stream with the same dictionary and data.
    fn same_objects(bytes: &[u8]) -> usize {
        let whole = Document::load_mem(bytes).expect("loads");
        let kept =
            Document::load_mem_with_options(bytes, lopdf::LoadOptions::with_filter(keep_page_tree))
                .expect("loads");
        let file = PdfFile::on_demand(kept, bytes).expect("read on demand");
        let whole_file = PdfFile::in_memory(whole.clone());
        let objs = Objs::new(&file);
        let whole_objs = Objs::new(&whole_file);
        for (id, want) in &whole.objects {
            let got = objs.object(*id).unwrap_or_else(|| panic!("{id:?} missing"));
            match (want, got) {
                (Object::Stream(w), Object::Stream(g)) => {
                    let mut dict = g.dict.clone();
                    dict.remove(DEFERRED);
                    assert_eq!(w.dict, dict, "{id:?}");
                    if w.dict.has_type(b"ObjStm") || w.dict.has_type(b"XRef") {
                        continue;
                    }
                    assert_eq!(
                        stream_data(&whole_objs, w).ok(),
                        stream_data(&objs, g).ok(),
                        "{id:?}"
                    );
                    assert_eq!(stream_raw(&whole_objs, w), stream_raw(&objs, g), "{id:?}");
                }
                _ => assert_eq!(want, got, "{id:?}"),
            }
        }
        assert_eq!(
            whole.page_iter().collect::<Vec<_>>(),
            file.document().page_iter().collect::<Vec<_>>()
        );
        whole.objects.len()
    }

    #[test]
    fn objects_parsed_on_demand_are_those_a_whole_load_reads() {
        let mut files: Vec<std::path::PathBuf> = std::fs::read_dir("fixtures/pdf")
            .expect("fixtures/pdf")
            .filter_map(|e| e.ok().map(|e| e.path()))
            .filter(|p| p.extension().is_some_and(|e| e == "pdf"))
            .collect();
        // The corpus's born-digital files, when present (object streams,
        // incremental updates).
        for name in [
            "federal-register-2020-17221.pdf",
            "loc-digital-preservation-newsletter-2013-06.pdf",
            "national-tribune-1898-11-10-p1.pdf",
        ] {
            let p = std::path::Path::new("../shared/corpus/en").join(name);
            if p.exists() {
                files.push(p);
            }
        }
        files.sort();
        assert!(files.len() >= 14);
        for f in files {
            let bytes = std::fs::read(&f).unwrap();
            assert!(same_objects(&bytes) > 0, "{}", f.display());
        }
    }

    #[test]
    fn a_stream_without_its_length_is_found_by_its_endstream() {
        let pdf = b"%PDF-1.4\n1 0 obj\n<< /Type /Catalog /Pages 2 0 R >>\nendobj\n2 0 obj\n<< /Type /Pages /Kids [3 0 R] /Count 1 >>\nendobj\n3 0 obj\n<< /Type /Page /Parent 2 0 R /Contents 4 0 R >>\nendobj\n4 0 obj\n<< /Length 99 >>\nstream\nBT ET\nendstream\nendobj\n";
        let mut file = pdf.to_vec();
        let xref = file.len();
        let offsets: Vec<usize> = (1..=4)
            .map(|n| {
                let tag = format!("{n} 0 obj");
                find(pdf, tag.as_bytes()).unwrap()
            })
            .collect();
        file.extend_from_slice(b"xref\n0 5\n0000000000 65535 f \n");
        for o in offsets {
            file.extend_from_slice(format!("{o:010} 00000 n \n").as_bytes());
        }
        file.extend_from_slice(
            format!("trailer\n<< /Size 5 /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n").as_bytes(),
        );
        same_objects(&file);
    }
}
