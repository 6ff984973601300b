//! METS (newspaper issues): which ALTO files make the issue's pages, in
//! which order, and which ALTO blocks make each article.
//!
//! # Contract
//!
//! Input: the bytes of a METS file and the folder it lies in. Output: a
//! [`Mets`] with
//! - `pages`: the physical structure map's pages in order (`ORDER`, else
//!   document order), each with the ALTO file it points at (file ID and
//!   path resolved against the METS folder) when it has one;
//! - `articles`: every `ARTICLE` and `ADVERTISEMENT` div of the logical
//!   structure map, at any depth (inside `SECTION`s too), in document order,
//!   each with its parts in order: a part is one div that holds `fptr`s,
//!   typed by the nearest telling div type between it and the article
//!   (`TITLE`, `OVERLINE`, `SUBHEADLINE`, `HEADING`, `AUTHOR`, `CAPTION`;
//!   anything else, such as `PARAGRAPH`/`TEXT`/`TABLE`, is body), and the
//!   (ALTO file ID, block ID) areas it points at.
//!
//! Elements are matched by local name, so prefixed (`mets:div`) and
//! default-namespace METS read alike. Malformed XML is an error naming the
//! file. [`read_page_alto`] reads one page's ALTO file (the only filesystem
//! access here), so that callers hold one page at a time; a missing or
//! broken ALTO file is that page's error, naming the file.

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use quick_xml::events::Event;
use quick_xml::Reader;

use super::alto::{attributes, read_alto, strip_bom, AltoPage};
use crate::error::{Error, ErrorKind, Result};

/// A METS file, as far as pages and articles go.
#[derive(Debug, Clone, Default)]
pub struct Mets {
    /// Pages in physical order.
    pub pages: Vec<MetsPage>,
    /// `ARTICLE` and `ADVERTISEMENT` divs in document order.
    pub articles: Vec<LogicalArticle>,
    /// Every file of the `fileSec` by ID.
    pub files: HashMap<String, MetsFile>,
    /// The folder hrefs are relative to.
    pub base: PathBuf,
}

/// A `file` of the `fileSec`.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct MetsFile {
    pub id: String,
    /// `FLocat/@xlink:href` resolved against the METS folder.
    pub path: Option<PathBuf>,
    pub mimetype: Option<String>,
    /// `USE` of its `fileGrp`.
    pub group_use: Option<String>,
}

/// A page of the physical structure map.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct MetsPage {
    /// 1-based, in physical order.
    pub number: u32,
    /// ID of the page's ALTO file, when it has one.
    pub alto_file: Option<String>,
    /// All file IDs the page points at.
    pub file_ids: Vec<String>,
}

/// An `ARTICLE` or `ADVERTISEMENT` div.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct LogicalArticle {
    pub id: String,
    /// `ARTICLE` or `ADVERTISEMENT` (upper case).
    pub div_type: String,
    pub label: Option<String>,
    pub parts: Vec<ArticlePart>,
}

impl LogicalArticle {
    pub fn is_advertisement(&self) -> bool {
        self.div_type == "ADVERTISEMENT"
    }

    /// All areas of the article in order.
    pub fn areas(&self) -> impl Iterator<Item = &Area> {
        self.parts.iter().flat_map(|p| p.areas.iter())
    }
}

/// What a part of an article is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PartKind {
    /// `TITLE`, `HEADLINE`, or a `HEADING` block not typed further.
    Title,
    /// `OVERLINE` / `KICKER`: the line above the title.
    Overline,
    /// `SUBHEADLINE` / `SUBTITLE`.
    Subheadline,
    /// `AUTHOR` / `BYLINE`.
    Author,
    Caption,
    /// `SUBHEADING` / `INTERTITLE`: a heading inside the body.
    Subheading,
    /// Everything else: `BODY`, `PARAGRAPH`, `TEXT`, `TABLE`...
    Body,
}

/// One div of an article that points at blocks.
#[derive(Debug, Clone, PartialEq)]
pub struct ArticlePart {
    pub kind: PartKind,
    /// The div's own `TYPE`.
    pub div_type: String,
    pub areas: Vec<Area>,
}

/// An `area` (or a bare `fptr`): a block of an ALTO file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Area {
    pub file_id: String,
    /// `BEGIN`: the ALTO block ID; `None` for a whole file.
    pub begin: Option<String>,
}

/// The part kind a div path says, innermost div first.
fn part_kind<'a>(types: impl Iterator<Item = &'a str>) -> PartKind {
    for t in types {
        match t {
            "TITLE" | "HEADLINE" | "MAIN_TITLE" => return PartKind::Title,
            "OVERLINE" | "KICKER" => return PartKind::Overline,
            "SUBHEADLINE" | "SUBTITLE" => return PartKind::Subheadline,
            "AUTHOR" | "BYLINE" => return PartKind::Author,
            "CAPTION" => return PartKind::Caption,
            "SUBHEADING" | "INTERTITLE" => return PartKind::Subheading,
            "HEADING" => return PartKind::Title,
            _ => {}
        }
    }
    PartKind::Body
}

/// Turns an `xlink:href` into a path: `file://./text/a.xml`, `text/a.xml`
/// and `./text/a.xml` are relative to the METS folder, `file:///x` and
/// `/x` absolute; `%20`-style escapes are decoded.
pub fn resolve_href(href: &str, base: &Path) -> Option<PathBuf> {
    let href = href.trim();
    if href.is_empty() {
        return None;
    }
    let rest = match href.strip_prefix("file://") {
        Some(r) => r,
        None if href.contains("://") => return None,
        None => href,
    };
    let decoded = percent_decode(rest);
    let p = Path::new(&decoded);
    Some(if p.is_absolute() {
        p.to_path_buf()
    } else {
        base.join(p.strip_prefix("./").unwrap_or(p))
    })
}

fn percent_decode(s: &str) -> String {
    let bytes = s.as_bytes();
    let hex = |b: u8| (b as char).to_digit(16);
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' && i + 2 < bytes.len() {
            if let (Some(h), Some(l)) = (hex(bytes[i + 1]), hex(bytes[i + 2])) {
                out.push((h * 16 + l) as u8);
                i += 3;
                continue;
            }
        }
        out.push(bytes[i]);
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// Whether a file looks like the ALTO of a page: by its group's `USE`,
/// its MIME type, or its name.
fn looks_like_alto(f: &MetsFile) -> bool {
    let group = f.group_use.as_deref().unwrap_or("").to_ascii_lowercase();
    let mime = f.mimetype.as_deref().unwrap_or("").to_ascii_lowercase();
    let name = f
        .path
        .as_ref()
        .map(|p| p.to_string_lossy().to_ascii_lowercase())
        .unwrap_or_default();
    ["text", "alto", "fulltext", "ocr"]
        .iter()
        .any(|k| group.contains(k))
        || mime.contains("xml")
        || name.ends_with(".xml")
}

/// Which structure map we are in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Map {
    None,
    Physical,
    Logical,
    Other,
}

/// A div open in the logical map.
struct OpenDiv {
    div_type: String,
    /// Index in `Mets::articles` when this div is an article.
    article: Option<usize>,
}

/// Reads a METS file; `path` names it in errors, `base` is the folder
/// relative hrefs are resolved against.
pub fn read_mets(bytes: &[u8], path: &str, base: &Path) -> Result<Mets> {
    let mut reader = Reader::from_reader(strip_bom(bytes));
    reader.config_mut().check_end_names = true;
    let mut mets = Mets {
        base: base.to_path_buf(),
        ..Mets::default()
    };
    let mut root_seen = false;
    let mut group_use: Option<String> = None;
    let mut current_file: Option<String> = None;
    let mut map = Map::None;
    // Physical map: (ORDER, document index, file IDs) of each page div.
    let mut pages: Vec<(Option<i64>, usize, Vec<String>)> = Vec::new();
    let mut page_open: Option<usize> = None;
    let mut physical_depth = 0usize;
    let mut divs: Vec<OpenDiv> = Vec::new();
    // The div that last got an area, per article (a new part starts when
    // an area comes from another div).
    let mut last_part_div: HashMap<usize, usize> = HashMap::new();
    let mut div_serial = 0usize;
    let mut div_serials: Vec<usize> = Vec::new();
    loop {
        let event = reader.read_event().map_err(|e| {
            Error::new(
                ErrorKind::Malformed,
                format!(
                    "malformed METS XML at byte {}: {e}",
                    reader.error_position()
                ),
            )
            .with_path(path)
        })?;
        let (e, empty) = match event {
            Event::Start(e) => (e, false),
            Event::Empty(e) => (e, true),
            Event::End(e) => {
                match e.local_name().as_ref() {
                    b"fileGrp" => group_use = None,
                    b"file" => current_file = None,
                    b"structMap" => map = Map::None,
                    b"div" if map == Map::Physical => {
                        physical_depth = physical_depth.saturating_sub(1);
                        if page_open == Some(physical_depth) {
                            page_open = None;
                        }
                    }
                    b"div" if map == Map::Logical => {
                        divs.pop();
                        div_serials.pop();
                    }
                    _ => {}
                }
                continue;
            }
            Event::Eof => break,
            _ => continue,
        };
        let name = String::from_utf8_lossy(e.local_name().as_ref()).into_owned();
        if !root_seen {
            root_seen = true;
            if name != "mets" {
                return Err(Error::new(
                    ErrorKind::Unsupported,
                    format!("not a METS file: the root element is <{name}>"),
                )
                .with_path(path));
            }
        }
        let a = attributes(&e);
        match name.as_str() {
            "fileGrp" if !empty => group_use = a.get("USE").cloned(),
            "file" => {
                if let Some(id) = a.get("ID") {
                    mets.files.insert(
                        id.clone(),
                        MetsFile {
                            id: id.clone(),
                            path: None,
                            mimetype: a.get("MIMETYPE").cloned(),
                            group_use: group_use.clone(),
                        },
                    );
                    if !empty {
                        current_file = Some(id.clone());
                    }
                }
            }
            "FLocat" => {
                if let (Some(id), Some(href)) = (&current_file, a.get("href")) {
                    if let Some(f) = mets.files.get_mut(id) {
                        f.path = f.path.take().or_else(|| resolve_href(href, base));
                    }
                }
            }
            "structMap" if !empty => {
                map = match a.get("TYPE").map(|t| t.to_ascii_uppercase()).as_deref() {
                    Some("PHYSICAL") => Map::Physical,
                    Some("LOGICAL") => Map::Logical,
                    _ => Map::Other,
                };
            }
            "div" if map == Map::Physical => {
                let is_page = a
                    .get("TYPE")
                    .is_some_and(|t| t.eq_ignore_ascii_case("page"));
                if is_page && page_open.is_none() {
                    let order = a.get("ORDER").and_then(|o| o.trim().parse::<i64>().ok());
                    pages.push((order, pages.len(), Vec::new()));
                    if !empty {
                        page_open = Some(physical_depth);
                    }
                }
                if !empty {
                    physical_depth += 1;
                }
            }
            "fptr" | "area" if map == Map::Physical => {
                if let (Some(_), Some(id), Some(page)) =
                    (page_open, a.get("FILEID"), pages.last_mut())
                {
                    page.2.push(id.clone());
                }
            }
            "div" if map == Map::Logical => {
                let div_type = a
                    .get("TYPE")
                    .map(|t| t.to_ascii_uppercase())
                    .unwrap_or_default();
                let article = if div_type == "ARTICLE" || div_type == "ADVERTISEMENT" {
                    mets.articles.push(LogicalArticle {
                        id: a.get("ID").cloned().unwrap_or_default(),
                        div_type: div_type.clone(),
                        label: a.get("LABEL").cloned(),
                        parts: Vec::new(),
                    });
                    Some(mets.articles.len() - 1)
                } else {
                    None
                };
                if !empty {
                    div_serial += 1;
                    divs.push(OpenDiv { div_type, article });
                    div_serials.push(div_serial);
                }
            }
            // An `fptr` names a whole file only when it has no `area`s
            // inside (otherwise the areas say which blocks).
            "fptr" | "area" if map == Map::Logical && (name == "area" || empty) => {
                let Some(file_id) = a.get("FILEID").cloned() else {
                    continue;
                };
                // The innermost open article gets the area.
                let Some(at) = divs.iter().rposition(|d| d.article.is_some()) else {
                    continue;
                };
                let Some(index) = divs[at].article else {
                    continue;
                };
                let holder = div_serials.last().copied().unwrap_or(0);
                let inner = &divs[at + 1..];
                let kind = part_kind(inner.iter().rev().map(|d| d.div_type.as_str()));
                let div_type = inner
                    .last()
                    .map_or_else(|| divs[at].div_type.clone(), |d| d.div_type.clone());
                let Some(article) = mets.articles.get_mut(index) else {
                    continue;
                };
                let area = Area {
                    file_id,
                    begin: a.get("BEGIN").cloned(),
                };
                let same_part = last_part_div.get(&index) == Some(&holder);
                match article.parts.last_mut() {
                    Some(part) if same_part => part.areas.push(area),
                    _ => article.parts.push(ArticlePart {
                        kind,
                        div_type,
                        areas: vec![area],
                    }),
                }
                last_part_div.insert(index, holder);
            }
            _ => {}
        }
    }
    if !root_seen {
        return Err(
            Error::new(ErrorKind::Malformed, "the METS file holds no XML element").with_path(path),
        );
    }
    // An `fptr` with an `area` inside names the file twice: keep the first.
    pages.sort_by_key(|(order, index, _)| (order.unwrap_or(i64::MAX), *index));
    for (i, (_, _, ids)) in pages.into_iter().enumerate() {
        let mut ids_unique: Vec<String> = Vec::new();
        for id in ids {
            if !ids_unique.contains(&id) {
                ids_unique.push(id);
            }
        }
        let alto_file = ids_unique
            .iter()
            .find(|id| mets.files.get(*id).is_some_and(looks_like_alto))
            .cloned();
        mets.pages.push(MetsPage {
            number: i as u32 + 1,
            alto_file,
            file_ids: ids_unique,
        });
    }
    Ok(mets)
}

impl Mets {
    /// The page number (1-based, physical order) of an ALTO file ID.
    pub fn page_of_file(&self, file_id: &str) -> Option<u32> {
        self.pages
            .iter()
            .find(|p| p.alto_file.as_deref() == Some(file_id))
            .map(|p| p.number)
    }
}

/// Where an ALTO file named by the METS is: at its href, or else (issues
/// are often delivered flattened, the `text/` folder of the hrefs gone)
/// under its file name next to the METS; `true` for the second.
fn locate(mets: &Mets, path: &Path) -> Option<(PathBuf, bool)> {
    if path.is_file() {
        return Some((path.to_path_buf(), false));
    }
    let beside = mets.base.join(path.file_name()?);
    beside.is_file().then_some((beside, true))
}

/// The ALTO files of the METS's pages that exist, where [`read_page_alto`]
/// would read them (so that a directory walk does not read them twice).
pub fn alto_paths(mets: &Mets) -> Vec<PathBuf> {
    mets.pages
        .iter()
        .filter_map(|p| mets.files.get(p.alto_file.as_ref()?)?.path.as_ref())
        .filter_map(|p| locate(mets, p).map(|(p, _)| p))
        .collect()
}

/// Reads the ALTO of one METS page: its first `Page` (a METS page is one
/// ALTO page). The error names the ALTO file and the METS page.
pub fn read_page_alto(mets: &Mets, page: &MetsPage) -> Result<AltoPage> {
    let Some(file_id) = &page.alto_file else {
        return Err(
            Error::new(ErrorKind::Empty, "the METS page points at no ALTO file")
                .with_page(page.number),
        );
    };
    let Some(path) = mets.files.get(file_id).and_then(|f| f.path.clone()) else {
        return Err(Error::new(
            ErrorKind::Malformed,
            format!("ALTO file {file_id} has no usable location (FLocat) in the METS"),
        )
        .with_page(page.number));
    };
    let (path, moved) = match locate(mets, &path) {
        Some(found) => found,
        None => {
            let e = std::io::Error::new(std::io::ErrorKind::NotFound, "no such ALTO file");
            return Err(Error::io(e, &path).with_page(page.number));
        }
    };
    let bytes = std::fs::read(&path).map_err(|e| Error::io(e, &path).with_page(page.number))?;
    let display = path.display().to_string();
    let file = read_alto(&bytes, &display).map_err(|e| e.with_page(page.number))?;
    let mut pages = file.pages.into_iter();
    let mut first = pages.next().ok_or_else(|| {
        Error::new(ErrorKind::Empty, "the ALTO file holds no Page")
            .with_path(&path)
            .with_page(page.number)
    })?;
    if moved {
        let mut w = crate::model::Warning::new(
            "alto-moved",
            format!("{display}: not where the METS says ({file_id}); found next to the METS"),
        );
        w.page = Some(page.number);
        first.warnings.push(w);
    }
    if pages.next().is_some() {
        let mut w = crate::model::Warning::new(
            "alto-extra-pages",
            format!("{display}: only the first of its ALTO Pages belongs to this METS page"),
        );
        w.page = Some(page.number);
        first.warnings.push(w);
    }
    Ok(first)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hrefs_resolve_against_the_mets_folder() {
        let base = Path::new("/issue");
        assert_eq!(
            resolve_href("file://./text/a.xml", base),
            Some(PathBuf::from("/issue/text/a.xml"))
        );
        assert_eq!(
            resolve_href("text/a%20b.xml", base),
            Some(PathBuf::from("/issue/text/a b.xml"))
        );
        assert_eq!(
            resolve_href("file:///abs/a.xml", base),
            Some(PathBuf::from("/abs/a.xml"))
        );
        assert_eq!(resolve_href("http://x/a.xml", base), None);
    }

    #[test]
    fn articles_and_parts() {
        let xml = br#"<mets:mets xmlns:mets="http://www.loc.gov/METS/" xmlns:xlink="http://www.w3.org/1999/xlink">
<mets:fileSec><mets:fileGrp USE="Text"><mets:file ID="A1"><mets:FLocat xlink:href="p1.xml"/></mets:file></mets:fileGrp></mets:fileSec>
<mets:structMap TYPE="PHYSICAL"><mets:div TYPE="Newspaper"><mets:div TYPE="page" ORDER="1"><mets:fptr FILEID="A1"/></mets:div></mets:div></mets:structMap>
<mets:structMap TYPE="LOGICAL"><mets:div TYPE="SECTION"><mets:div TYPE="ARTICLE" ID="a">
<mets:div TYPE="HEADING"><mets:div TYPE="TITLE"><mets:fptr><mets:area FILEID="A1" BEGIN="TB1"/></mets:fptr></mets:div></mets:div>
<mets:div TYPE="BODY"><mets:div TYPE="PARAGRAPH"><mets:fptr><mets:seq><mets:area FILEID="A1" BEGIN="TB2"/><mets:area FILEID="A1" BEGIN="TB3"/></mets:seq></mets:fptr></mets:div>
<mets:div TYPE="PARAGRAPH"><mets:fptr FILEID="A1"><mets:area FILEID="A1" BEGIN="TB4"/></mets:fptr></mets:div></mets:div>
</mets:div><mets:div TYPE="ADVERTISEMENT"><mets:fptr><mets:area FILEID="A1" BEGIN="CB1"/></mets:fptr></mets:div></mets:div></mets:structMap></mets:mets>"#;
        let m = read_mets(xml, "m.xml", Path::new("/d")).unwrap();
        assert_eq!(m.pages.len(), 1);
        assert_eq!(m.pages[0].alto_file.as_deref(), Some("A1"));
        assert_eq!(m.files["A1"].path, Some(PathBuf::from("/d/p1.xml")));
        assert_eq!(m.articles.len(), 2);
        let a = &m.articles[0];
        let kinds: Vec<(PartKind, usize)> =
            a.parts.iter().map(|p| (p.kind, p.areas.len())).collect();
        assert_eq!(
            kinds,
            [
                (PartKind::Title, 1),
                (PartKind::Body, 2),
                (PartKind::Body, 1)
            ]
        );
        assert!(m.articles[1].is_advertisement());
    }
}
