//! A thin layer over quick-xml's `Writer` for the archive writers: elements
//! with attributes in one call, text escaped by quick-xml, numbers written
//! the same way everywhere.

use std::io::{self, Write};

use quick_xml::events::{BytesDecl, BytesEnd, BytesStart, BytesText, Event};
use quick_xml::Writer;

pub struct Xml<'a> {
    w: Writer<&'a mut dyn Write>,
}

pub type Attrs<'a> = &'a [(&'a str, String)];

impl<'a> Xml<'a> {
    /// A writer indenting by one space, after the XML declaration.
    pub fn new(out: &'a mut dyn Write) -> io::Result<Xml<'a>> {
        let mut w = Writer::new_with_indent(out, b' ', 1);
        w.write_event(Event::Decl(BytesDecl::new("1.0", Some("UTF-8"), None)))?;
        Ok(Xml { w })
    }

    fn element(name: &'a str, attrs: Attrs<'_>) -> BytesStart<'a> {
        let mut e = BytesStart::new(name);
        for (k, v) in attrs {
            e.push_attribute((*k, v.as_str()));
        }
        e
    }

    pub fn open(&mut self, name: &'a str, attrs: Attrs<'_>) -> io::Result<()> {
        self.w.write_event(Event::Start(Self::element(name, attrs)))
    }

    pub fn close(&mut self, name: &str) -> io::Result<()> {
        self.w.write_event(Event::End(BytesEnd::new(name)))
    }

    pub fn empty(&mut self, name: &'a str, attrs: Attrs<'_>) -> io::Result<()> {
        self.w.write_event(Event::Empty(Self::element(name, attrs)))
    }

    /// `<name attrs>text</name>`.
    pub fn text_element(&mut self, name: &'a str, attrs: Attrs<'_>, text: &str) -> io::Result<()> {
        self.w
            .write_event(Event::Start(Self::element(name, attrs)))?;
        self.w.write_event(Event::Text(BytesText::new(text)))?;
        self.w.write_event(Event::End(BytesEnd::new(name)))
    }

    /// Ends the document with a newline.
    pub fn finish(mut self) -> io::Result<()> {
        self.w.get_mut().write_all(b"\n")
    }
}

/// A number with at most two decimals and no trailing zeros.
pub fn num(v: f32) -> String {
    let v = if v.is_finite() { v } else { 0.0 };
    let s = format!("{v:.2}");
    let s = s.trim_end_matches('0').trim_end_matches('.');
    if s == "-0" {
        "0".to_string()
    } else {
        s.to_string()
    }
}

/// The current time in UTC as `xsd:dateTime` (`2026-12-07T01:02:03Z`).
pub fn utc_now() -> String {
    let secs = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs()) as i64;
    let (days, rest) = (secs.div_euclid(86_400), secs.rem_euclid(86_400));
    // Howard Hinnant's civil-from-days.
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + i64::from(month <= 2);
    format!(
        "{year:04}-{month:02}-{day:02}T{:02}:{:02}:{:02}Z",
        rest / 3600,
        rest % 3600 / 60,
        rest % 60
    )
}

/// The name and version written as the producing software.
pub const SOFTWARE: &str = "newsclip";
pub const VERSION: &str = env!("CARGO_PKG_VERSION");
