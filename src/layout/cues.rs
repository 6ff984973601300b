//! Text cues: what a line's wording says about its role.
//!
//! These are the conventions of newspaper typesetting, in Chinese and in
//! English, not the wording of any one page: bylines name a function
//! (记者, 通讯员, 文/, By), credits end in 摄 or start with Photo, source tags
//! are a short agency or office name in brackets after the last sentence,
//! running heads carry the paper's date, openers (本报讯, ...电, a capitalised
//! place followed by a dash) start a story. Geometry, where the input has
//! it, outranks these cues; for dumps they are most of the evidence.

use regex::Regex;
use std::sync::LazyLock;

// Character classes are spelled out (the main Han blocks, ASCII word
// characters, ASCII and full-width digits) rather than Unicode properties:
// the regexes compile in every process, and `\p{Han}`, `\w` and `\d`
// multiply compile time for no gain on this text.
macro_rules! re {
    ($name:ident, $pat:expr) => {
        static $name: LazyLock<Regex> = LazyLock::new(|| Regex::new($pat).expect("valid regex"));
    };
}

// A personal name in a byline: CJK (2-4 chars, maybe with a middle dot) or
// Latin words.
const ZH_NAMES: &str = r"[\x{3400}-\x{4DBF}\x{4E00}-\x{9FFF}\x{F900}-\x{FAFF}\x{20000}-\x{2EBEF}·]{2,8}(?:[\s、]+[\x{3400}-\x{4DBF}\x{4E00}-\x{9FFF}\x{F900}-\x{FAFF}\x{20000}-\x{2EBEF}·]{2,8})*";

re!(
    SOURCE_TAG,
    r"^[（(](?:据)?(?:[\x{3400}-\x{4DBF}\x{4E00}-\x{9FFF}\x{F900}-\x{FAFF}\x{20000}-\x{2EBEF}·]{1,12}|[A-Z][A-Za-z]*(?:[ .'-]+[A-Za-z]+){0,4}\.?)[）)]$"
);
re!(
    TRAILING_SOURCE_TAG,
    r"(?:[。！？…”’）)]|\.)\s*([（(](?:据)?(?:[\x{3400}-\x{4DBF}\x{4E00}-\x{9FFF}\x{F900}-\x{FAFF}\x{20000}-\x{2EBEF}·]{1,12}|[A-Z][A-Za-z]*(?:[ .'-]+[A-Za-z]+){0,4}\.?)[）)])$"
);
re!(
    ZH_CREDIT,
    r"^(?:(?:摄影|图)\s*[:：/／]?\s*)?([\x{3400}-\x{4DBF}\x{4E00}-\x{9FFF}\x{F900}-\x{FAFF}\x{20000}-\x{2EBEF}·]{2,}(?:\s*[、，,\s]\s*[\x{3400}-\x{4DBF}\x{4E00}-\x{9FFF}\x{F900}-\x{FAFF}\x{20000}-\x{2EBEF}·]{2,})*)\s*[/／]?\s*摄(?:影)?$|^(?:摄影|图)\s*[:：/／]?\s*([\x{3400}-\x{4DBF}\x{4E00}-\x{9FFF}\x{F900}-\x{FAFF}\x{20000}-\x{2EBEF}·]{2,}(?:\s*[、，,\s]\s*[\x{3400}-\x{4DBF}\x{4E00}-\x{9FFF}\x{F900}-\x{FAFF}\x{20000}-\x{2EBEF}·]{2,})*)$"
);
re!(
    EN_CREDIT,
    r"^(?:(?:Photos?|Photograph|Picture|Image)(?:\s+courtesy\s+of|\s+by|:)\s*(.{2,60})|\(([A-Z][A-Za-z0-9_.' -]{1,40})/([A-Z][A-Za-z0-9_.' -]{1,40})\))$"
);
re!(
    CAPTION_WITH_ZH_CREDIT,
    r"^(.{6,}?)\s+((?:[\x{3400}-\x{4DBF}\x{4E00}-\x{9FFF}\x{F900}-\x{FAFF}\x{20000}-\x{2EBEF}·]{2,}(?:\s*[、，,\s]\s*[\x{3400}-\x{4DBF}\x{4E00}-\x{9FFF}\x{F900}-\x{FAFF}\x{20000}-\x{2EBEF}·]{2,})*)\s*[/／]?\s*摄)$"
);
re!(
    CAPTION_WITH_EN_CREDIT,
    r"^(.{6,}?)\s*((?:Photos?|Photograph)(?:\s+by|:)\s*[A-Z][A-Za-z0-9_.' -]{1,40}|\([A-Z][A-Za-z0-9_.' -]{1,40}/[A-Z][A-Za-z0-9_.' -]{1,40}\))$"
);
re!(
    ZH_BYLINE,
    &format!(
        r"^(?:◎\s*)?(?:(?:本报|本刊)?(?:记者|通讯员|实习生|特约记者|见习记者|融媒体记者|首席记者)\s*{n}\s*)+$|^(?:◎\s*)?(?:文\s*[/／]\s*{n})(?:\s*图\s*[/／]\s*{n})?$|^(?:◎\s*)?(?:图\s*[/／]\s*{n})(?:\s*文\s*[/／]\s*{n})?$",
        n = ZH_NAMES
    )
);
re!(
    EN_BYLINE,
    r"^(?:By|BY)\s+[A-Z][A-Za-z0-9_.'-]*(?:\s+[A-Z][A-Za-z0-9_.'-]*)*(?:(?:,\s*|\s+and\s+|\s*&\s*)[A-Z][A-Za-z0-9_.'-]*(?:\s+[A-Z][A-Za-z0-9_.'-]*)*)*(?:,\s*[A-Za-z ]{2,40})?$"
);
re!(SUBTITLE, r"^(?:——|--|－－|—\s)\s*\S");
re!(
    SUBHEADING_MARKER,
    r"^(?:[一二三四五六七八九十]+、|（[一二三四五六七八九十]+）|[■◆▲●★□◇△]\s*\S)"
);
re!(
    PAGE_NUMBER,
    r"^(?:第\s*[0-9０-９]{1,3}\s*版|[A-Z]?[0-9０-９]{1,5}|[-–—]\s*[0-9０-９]{1,3}\s*[-–—]|(?i:page)\s+[A-Z]?[0-9０-９]{1,3}|[0-9０-９]{1,3}\s*/\s*[0-9０-９]{1,3})$"
);
re!(
    ZH_RUNNING_HEAD,
    r"[0-9０-９]{4}\s*年\s*[0-9０-９]{1,2}\s*月\s*[0-9０-９]{1,2}\s*日.*(?:星期|周)[一二三四五六日天]|(?:星期|周)[一二三四五六日天].*[0-9０-９]{4}\s*年\s*[0-9０-９]{1,2}\s*月\s*[0-9０-９]{1,2}\s*日"
);
re!(
    EN_RUNNING_HEAD,
    r"(?i)\b(?:monday|tuesday|wednesday|thursday|friday|saturday|sunday),?\s+(?:jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)[a-z]*\.?\s+[0-9０-９]{1,2},?\s+[0-9０-９]{4}"
);
re!(
    EDITOR_LINE,
    r"^(?:(?:责任编辑|责编|编辑|校对|美编|版式|组版|审校|值班编委)\s*[：:\s]|(?:Editor|Copy desk|Copy editor|Design|Designer|Page designer|Layout)\s*:\s)"
);
re!(
    ZH_OPENER,
    r"^(本报讯|本报[\x{3400}-\x{4DBF}\x{4E00}-\x{9FFF}\x{F900}-\x{FAFF}\x{20000}-\x{2EBEF}]{0,8}\s*[0-9０-９]{1,2}\s*月\s*[0-9０-９]{1,2}\s*日\s*电|新华社[\x{3400}-\x{4DBF}\x{4E00}-\x{9FFF}\x{F900}-\x{FAFF}\x{20000}-\x{2EBEF}]{0,8}\s*[0-9０-９]{1,2}\s*月\s*[0-9０-９]{1,2}\s*日\s*电|中新社[\x{3400}-\x{4DBF}\x{4E00}-\x{9FFF}\x{F900}-\x{FAFF}\x{20000}-\x{2EBEF}]{0,8}\s*[0-9０-９]{1,2}\s*月\s*[0-9０-９]{1,2}\s*日\s*电|[\x{3400}-\x{4DBF}\x{4E00}-\x{9FFF}\x{F900}-\x{FAFF}\x{20000}-\x{2EBEF}]{2,8}\s*[0-9０-９]{1,2}\s*月\s*[0-9０-９]{1,2}\s*日\s*电|据[\x{3400}-\x{4DBF}\x{4E00}-\x{9FFF}\x{F900}-\x{FAFF}\x{20000}-\x{2EBEF}]{2,8}报道[，,]?)\s*(?:[（(]([^（）()]{1,60})[）)])?"
);
re!(
    EN_DATELINE,
    r"^([A-Z][A-Z.'-]+(?:\s+[A-Z][A-Z.'-]+)*(?:,\s+[A-Z][a-z]{2,8}\.?(?:\s+[0-9０-９]{1,2})?)?(?:\s+\([A-Z][A-Za-z .]+\))?)\s*(?:—|–|--)\s*"
);
re!(
    ZH_BYLINE_OPENER,
    r"^(?:记者|通讯员)\s*[\x{3400}-\x{4DBF}\x{4E00}-\x{9FFF}\x{F900}-\x{FAFF}\x{20000}-\x{2EBEF}·]{2,4}(?:\s+\S+)*$"
);

/// `（魏宣）` standing alone on a line.
pub fn is_source_tag(line: &str) -> bool {
    let t = crate::script::trim(line);
    t.starts_with(['（', '('])
        && t.ends_with(['）', ')'])
        && SOURCE_TAG.is_match(t)
        && !is_sentence_in_brackets(t)
}

/// `(Here are some insights.)`: several words closed by a full stop are a
/// sentence in brackets, not an agency or a desk (`(Reuters)`, `(Staff
/// report)`, `(A.P.)`).
fn is_sentence_in_brackets(tag: &str) -> bool {
    let inner = tag.trim_matches(['（', '(', '）', ')']).trim();
    inner.ends_with('.') && inner.contains(' ')
}

/// A source tag at the end of a paragraph, after its last sentence: returns
/// the byte offset where the tag (and the spaces before it) starts, and the
/// tag itself.
pub fn trailing_source_tag(text: &str) -> Option<(usize, String)> {
    let t = text.trim_end();
    if !t.ends_with(['）', ')']) {
        return None;
    }
    // The tag is short: look at the tail only, so long paragraphs cost
    // nothing more.
    let tail_start = t.char_indices().rev().nth(24).map(|(i, _)| i).unwrap_or(0);
    let caps = TRAILING_SOURCE_TAG.captures(&t[tail_start..])?;
    let tag = caps.get(1)?;
    if is_sentence_in_brackets(tag.as_str()) {
        return None;
    }
    let start = t[..tail_start + tag.start()].trim_end().len();
    Some((start, tag.as_str().to_string()))
}

/// A photo credit standing alone: returns the photographer names.
pub fn credit_names(line: &str) -> Option<Vec<String>> {
    let line = crate::script::trim(line);
    if line.len() > 120 || !could_be_credit(line) || line.contains(['，', '。']) {
        return None;
    }
    if let Some(c) = ZH_CREDIT.captures(line) {
        let names = c.get(1).or_else(|| c.get(2))?.as_str();
        // A name opens with a surname: `图书馆在做好日常防护` is prose.
        if !names.chars().next().is_some_and(is_surname) {
            return None;
        }
        return Some(split_names(names));
    }
    if let Some(c) = EN_CREDIT.captures(line) {
        let names = c.get(1).or_else(|| c.get(2))?.as_str();
        return Some(split_latin_names(names));
    }
    None
}

/// What [`ZH_CREDIT`] and [`EN_CREDIT`] need at their anchored ends, asked
/// of the trimmed line without a scan: a Chinese credit ends with 摄/摄影 or
/// opens with 摄影/图, an English one opens with its label or is
/// `(Name/Agency)`. Nearly every line of a dump is prose and fails here.
fn could_be_credit(line: &str) -> bool {
    line.ends_with('摄')
        || line.ends_with("摄影")
        || line.starts_with("摄影")
        || line.starts_with('图')
        || line.starts_with("Photo")
        || line.starts_with("Picture")
        || line.starts_with("Image")
        || (line.starts_with('(') && line.ends_with(')'))
}

/// A caption line that ends with its credit: returns (caption text, credit
/// as printed).
pub fn caption_with_credit(line: &str) -> Option<(String, String)> {
    let line = crate::script::trim(line);
    // Each pattern needs its credit at the line's end: a Chinese one ends
    // with 摄; an English one is `(Name/Agency)` or follows `Photo`. Only a
    // line that can match is given to a regex.
    let c = if line.ends_with('摄') {
        CAPTION_WITH_ZH_CREDIT.captures(line)?
    } else if (line.ends_with(')') && line.contains('/'))
        || (line.contains('P') && line.contains("Photo"))
    {
        CAPTION_WITH_EN_CREDIT.captures(line)?
    } else {
        return None;
    };
    let text = c.get(1)?.as_str().trim_end();
    // The caption part is prose; a bare name list would be a credit line.
    if !crate::script::ends_sentence(text) && credit_names(line).is_some() {
        return None;
    }
    Some((text.to_string(), c.get(2)?.as_str().to_string()))
}

/// A byline standing on its own line.
pub fn is_byline(line: &str) -> bool {
    let line = crate::script::trim(line);
    if line.len() > 180 {
        return false;
    }
    // Each byline pattern is anchored at the line's start: a role word
    // (本报/本刊 first, or ◎ before it), 文/ or 图/, or `By`. Asking the
    // first character rules out most prose without a scan.
    let en = line.starts_with("By ") || line.starts_with("BY ");
    let opening = line.trim_start_matches('◎').trim_start().chars().next();
    let zh_opening = opening.is_some_and(|c| {
        matches!(
            c,
            '本' | '记' | '通' | '实' | '特' | '见' | '融' | '首' | '文' | '图'
        )
    });
    if !(en || zh_opening) {
        return false;
    }
    // Prose punctuation rules a byline out at once (most lines are prose).
    if line.contains(['，', '。']) {
        return false;
    }
    let zh = zh_opening
        && ["记者", "通讯员", "实习生", "文", "图"]
            .iter()
            .any(|k| line.contains(k));
    line.chars().count() <= 60
        && ((zh && ZH_BYLINE.is_match(line) && names_start_with_surnames(line))
            || (en && EN_BYLINE.is_match(line)))
}

/// Each name after a role word (`记者`, `通讯员`, `文/`…) opens with a
/// common surname: `记者在多地超市和` is the start of a sentence, not a
/// byline.
fn names_start_with_surnames(line: &str) -> bool {
    const ROLES: [&str; 7] = ["记者", "通讯员", "实习生", "文/", "文／", "图/", "图／"];
    let mut seen = false;
    for role in ROLES {
        for (at, _) in line.match_indices(role) {
            let next = line[at + role.len()..].trim_start().chars().next();
            match next {
                Some(c) if is_surname(c) => seen = true,
                Some(_) => return false,
                None => {}
            }
        }
    }
    seen
}

/// A subtitle line (副题) opening with a dash.
pub fn is_subtitle(line: &str) -> bool {
    let t = crate::script::trim(line);
    t.starts_with(['—', '-', '－']) && SUBTITLE.is_match(t)
}

/// A numbered or bulleted sub-heading (`一、`, `（二）`, `■`).
pub fn has_subheading_marker(line: &str) -> bool {
    SUBHEADING_MARKER.is_match(crate::script::trim(line))
}

/// What kind of page furniture the line is, if it is any.
pub fn furniture_kind(line: &str) -> Option<crate::model::FurnitureKind> {
    use crate::model::FurnitureKind;
    let line = crate::script::trim(line);
    if line.len() > 240 || line.chars().count() > 80 {
        return None;
    }
    if PAGE_NUMBER.is_match(line) {
        Some(FurnitureKind::PageNumber)
    } else if ZH_RUNNING_HEAD.is_match(line) || EN_RUNNING_HEAD.is_match(line) {
        Some(FurnitureKind::RunningHead)
    } else if EDITOR_LINE.is_match(line) {
        Some(FurnitureKind::Other)
    } else {
        None
    }
}

re!(
    JUMP,
    r"^[（(]?\s*(?:(下?转|(?:上)?接)\s*第?\s*([A-Z]?[0-9０-９]{1,3})\s*版|(Continued|Cont\.)\s+(on|from)\s+(?:[Pp]age\s+)?([A-Z]?[0-9]{1,3}))\s*[）)]?\.?$"
);

/// A jump line: (direction, other page as printed).
pub fn jump(line: &str) -> Option<(crate::model::JumpDirection, String)> {
    use crate::model::JumpDirection;
    let line = crate::script::trim(line);
    // JUMP is anchored: after an optional bracket and spaces, a jump opens
    // with 下转/转/上接/接 or `Cont`. Asked first, it spares prose a scan.
    let opening = line
        .trim_start_matches(['（', '('])
        .trim_start()
        .chars()
        .next();
    if !opening.is_some_and(|c| matches!(c, '下' | '转' | '上' | '接' | 'C')) {
        return None;
    }
    if line.chars().count() > 40 || !(line.contains('版') || line.contains("ont")) {
        return None;
    }
    let c = JUMP.captures(line)?;
    if let (Some(kind), Some(page)) = (c.get(1), c.get(2)) {
        let dir = if kind.as_str().contains('转') {
            JumpDirection::To
        } else {
            JumpDirection::From
        };
        return Some((dir, page.as_str().to_string()));
    }
    let dir = if c.get(4)?.as_str() == "on" {
        JumpDirection::To
    } else {
        JumpDirection::From
    };
    Some((dir, c.get(5)?.as_str().to_string()))
}

/// A production line (责任编辑, 校对...), furniture wherever it stands.
pub fn is_editor_line(line: &str) -> bool {
    EDITOR_LINE.is_match(crate::script::trim(line))
}

/// An opener at the start of a story's first paragraph.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Opener {
    /// `本报讯`, `新华社北京1月8日电`, `LONDON, Jan. 8 (Reuters)`.
    pub dateline: String,
    /// The bracketed byline of a Chinese opener, as printed.
    pub byline: Option<String>,
    /// Byte length of the opener in the paragraph (what to remove).
    pub len: usize,
}

/// Finds an opener (`本报讯（记者 X）`, `...电`, `CITY — `) at the start of a
/// paragraph. Works on the paragraph as joined, before justification spaces
/// are removed, so the byline keeps the spaces that separate its names.
pub fn opener(paragraph: &str) -> Option<Opener> {
    // Openers are short and at the start: match on a bounded prefix so the
    // cost does not grow with the paragraph.
    let first = paragraph.chars().next()?;
    if !(first.is_ascii_uppercase() || crate::script::is_cjk_letter(first)) {
        return None;
    }
    // A prefix of at most OPENER_SCAN_CHARS characters (3 bytes each at
    // most), cut at a character boundary.
    let mut end = paragraph.len().min(OPENER_SCAN_CHARS * 3);
    while !paragraph.is_char_boundary(end) {
        end -= 1;
    }
    let paragraph = &paragraph[..end];
    let first = paragraph.chars().next()?;
    // Cheap tests first: most paragraphs start with none of these.
    let zh_possible = zh_opener_possible(first, |c| paragraph.contains(c));
    if zh_possible {
        if let Some(o) = zh_opener(paragraph) {
            return Some(o);
        }
    }
    // EN_DATELINE opens with two capitals (`LONDON`, `U.S.`): an ordinary
    // sentence's lower-case second letter rules it out before any scan.
    let capital_pair = matches!(
        paragraph.as_bytes().get(1),
        Some(b'A'..=b'Z' | b'.' | b'\'' | b'-')
    );
    if first.is_ascii_uppercase()
        && capital_pair
        && (paragraph.contains('—') || paragraph.contains('–') || paragraph.contains("--"))
    {
        return en_dateline(paragraph);
    }
    None
}

/// What [`ZH_OPENER`] needs, asked without running it: `本报讯` or
/// `据…报道` at the start, or a dateline `…X月Y日电` (every other
/// alternative), which holds both 电 and 月. `holds` tells whether the text
/// holds a character.
fn zh_opener_possible(first: char, holds: impl Fn(char) -> bool) -> bool {
    match first {
        '本' | '据' => true,
        c if crate::script::is_cjk_letter(c) => holds('电') && holds('月'),
        _ => false,
    }
}

/// Could [`opener`] find an opener in `head` followed by `tail` (the two
/// joined with or without a space)? `false` only when it cannot: the
/// same cheap tests as `opener`, asked of the parts, so that a caller
/// trying a join need not build the joined text for most lines.
pub fn opener_possible_in_join(head: &str, tail: &str) -> bool {
    let Some(first) = head.chars().next() else {
        return true;
    };
    if !(first.is_ascii_uppercase() || crate::script::is_cjk_letter(first)) {
        return false;
    }
    let zh_possible = zh_opener_possible(first, |c| head.contains(c) || tail.contains(c));
    let dash = |t: &str| t.contains('—') || t.contains('–') || t.contains("--");
    let en_possible = first.is_ascii_uppercase()
        && (dash(head) || dash(tail) || (head.ends_with('-') && tail.starts_with('-')));
    zh_possible || en_possible
}

/// How far into a paragraph an opener may reach (characters).
const OPENER_SCAN_CHARS: usize = 90;

fn zh_opener(paragraph: &str) -> Option<Opener> {
    if let Some(c) = ZH_OPENER.captures(paragraph) {
        let whole = c.get(0)?;
        let dateline = crate::script::remove_justification_spaces(c.get(1)?.as_str());
        let byline = c
            .get(2)
            .map(|m| m.as_str().split_whitespace().collect::<Vec<_>>().join(" "));
        // `本报讯` alone with no bracket is still an opener; a bracket that is
        // not a byline (e.g. an aside) is left in the text.
        if let Some(b) = &byline {
            if !looks_like_bracket_byline(b) {
                let end = c.get(1)?.end();
                return Some(Opener {
                    dateline,
                    byline: None,
                    len: end,
                });
            }
        }
        return Some(Opener {
            dateline,
            byline,
            len: whole.end(),
        });
    }
    None
}

fn en_dateline(paragraph: &str) -> Option<Opener> {
    if let Some(c) = EN_DATELINE.captures(paragraph) {
        let dateline = c.get(1)?.as_str().trim().to_string();
        // A dateline names a place in capitals; "I — " or a one-letter
        // token is not one.
        if dateline.chars().filter(|c| c.is_ascii_uppercase()).count() >= 3 {
            return Some(Opener {
                dateline,
                byline: None,
                len: c.get(0)?.end(),
            });
        }
    }
    None
}

fn looks_like_bracket_byline(s: &str) -> bool {
    ZH_BYLINE_OPENER.is_match(s.trim()) || ZH_BYLINE.is_match(s.trim())
}

/// Common Chinese surnames, used only to split a run of names printed without
/// separators (`许廷合李玎`) into names of two or three characters.
const COMMON_SURNAMES: &str = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤常温康施文牛樊葛邢安齐易乔伍庞颜倪庄聂章鲁岳翟殷詹申欧耿关兰焦俞左柳甘祝包宁尚符舒阮柯纪梅童凌毕单季裴霍涂成苗谷盛曲翁冉骆蓝路游辛靳管柴蒙鲍华喻祁蒲房滕屈饶解牟艾尤阳时穆农司卓古吉缪简车项连芦麦褚娄窦戚岑景党宫费卜冷晏席卫米柏宗瞿桂全佟应臧闵苟邬边卞姬师和仇栾隋商刁沙荣巫寇桑郎甄丛仲虞敖巩明佘池查麻苑迟邝";

fn is_surname(c: char) -> bool {
    COMMON_SURNAMES.contains(c)
}

/// Splits a run of CJK names: separators first, then unseparated runs of
/// five or more characters at a common surname.
pub fn split_names(s: &str) -> Vec<String> {
    let mut out = Vec::new();
    for part in s
        .split(|c: char| c.is_whitespace() || matches!(c, '、' | '，' | ',' | '/' | '／'))
        .filter(|p| !p.is_empty())
    {
        if part.chars().any(|c| c.is_ascii_alphabetic()) {
            out.extend(split_latin_names(part));
            continue;
        }
        out.extend(split_name_run(part));
    }
    out
}

fn split_name_run(run: &str) -> Vec<String> {
    let chars: Vec<char> = run.chars().collect();
    let n = chars.len();
    if n <= 4 {
        return vec![run.to_string()];
    }
    // Try cuts into pieces of 2 or 3 characters, each starting with a
    // common surname; prefer 3-character names (the most common length).
    fn cut(chars: &[char]) -> Option<Vec<usize>> {
        if chars.is_empty() {
            return Some(Vec::new());
        }
        for len in [3usize, 2] {
            if chars.len() >= len && is_surname(chars[0]) {
                if let Some(mut rest) = cut(&chars[len..]) {
                    rest.insert(0, len);
                    return Some(rest);
                }
            }
        }
        None
    }
    match cut(&chars) {
        Some(lens) => {
            let mut out = Vec::new();
            let mut i = 0;
            for l in lens {
                out.push(chars[i..i + l].iter().collect());
                i += l;
            }
            out
        }
        None => vec![run.to_string()],
    }
}

/// Splits `Jane Doe and John Roe` / `Jane Doe, John Roe` into names.
pub fn split_latin_names(s: &str) -> Vec<String> {
    s.split(" and ")
        .flat_map(|p| p.split(['&', ',', ';']))
        .map(|p| p.trim().trim_end_matches('.').trim().to_string())
        .filter(|p| !p.is_empty())
        .collect()
}

/// Names in a byline, by function.
pub fn parse_byline(raw: &str) -> crate::model::Byline {
    let mut b = crate::model::Byline {
        raw: raw.split_whitespace().collect::<Vec<_>>().join(" "),
        ..Default::default()
    };
    let text = raw.trim().trim_start_matches('◎').trim();
    if let Some(rest) = text
        .strip_prefix("By ")
        .or_else(|| text.strip_prefix("BY "))
    {
        // `By Jane Doe and John Roe, Staff Writers`: a trailing lowercase or
        // title phrase after the last comma is a job title, not a name.
        let mut names = split_latin_names(rest);
        if names.len() > 1 {
            let last = names.last().map(|s| s.as_str()).unwrap_or("");
            if is_job_title(last) {
                names.pop();
            }
        }
        b.authors = names;
        return b;
    }
    if let Some(names) = credit_names(text) {
        b.photographers = names;
        return b;
    }
    // Labelled parts: a label, then the names up to the next label.
    static LABEL: LazyLock<Regex> = LazyLock::new(|| {
        Regex::new(r"(本报|本刊)?(特约记者|见习记者|融媒体记者|首席记者|记者|通讯员|实习生|文\s*[/／]|图\s*[/／]|摄影\s*[:：/／]?)")
            .expect("valid regex")
    });
    let labels: Vec<(usize, usize, String)> = LABEL
        .captures_iter(text)
        .filter_map(|c| {
            let m = c.get(0)?;
            let label = c
                .get(2)?
                .as_str()
                .chars()
                .filter(|c| !c.is_whitespace())
                .collect::<String>();
            Some((m.start(), m.end(), label))
        })
        .collect();
    for (i, (_, end, label)) in labels.iter().enumerate() {
        let stop = labels.get(i + 1).map(|l| l.0).unwrap_or(text.len());
        let names = split_names(
            text[*end..stop]
                .trim_matches(|c: char| c.is_whitespace() || matches!(c, '：' | ':' | '/' | '／')),
        );
        let target = match label.as_str() {
            "通讯员" => &mut b.correspondents,
            s if s.starts_with('图') || s.starts_with("摄影") => &mut b.photographers,
            s if s.starts_with('文') => &mut b.authors,
            _ => &mut b.reporters,
        };
        target.extend(names);
    }
    b
}

fn is_job_title(s: &str) -> bool {
    let lower = s.to_lowercase();
    [
        "writer",
        "staff",
        "correspondent",
        "reporter",
        "editor",
        "press",
        "news",
        "bureau",
        "contributor",
    ]
    .iter()
    .any(|w| lower.contains(w))
}

/// Commercial wording in a piece of text: prices (`$29.95`, `1999元`,
/// `€ 12`, `Fr. 3`) and phone numbers (`555-0142`, `(555) 013-7788`,
/// `0571-88776655`, `13812345678`, `电话`, `Tel.`). Advertisements carry
/// them densely; news text mentions sums too, so callers weigh the count
/// against the amount of text.
pub fn commercial_marks(text: &str) -> usize {
    static PRICE: LazyLock<Regex> = LazyLock::new(|| {
        Regex::new(
            r"[$€£¥][ ]?[0-9]|[0-9]+(?:[.,][0-9]{2})?[ ]?(?:元|块|圆)(?:起|/)|[0-9]+(?:[.,][0-9]{2})?[ ]?元(?:[^\x{4E00}-\x{9FFF}]|$)|(?-u:\b)(?:Fr|fr|Thlr|Rs|Mk|M)\.[ ]?[0-9]|[0-9]+[ ]?%[ ]?(?:off|OFF|折)|[0-9]+[ ]?折",
        )
        .expect("valid regex")
    });
    static PHONE: LazyLock<Regex> = LazyLock::new(|| {
        Regex::new(
            r"\([0-9]{3}\)[ ]?[0-9]{3}-[0-9]{4}|(?-u:\b)[0-9]{3}-[0-9]{4}(?-u:\b)|(?-u:\b)0[0-9]{2,3}-[0-9]{7,8}(?-u:\b)|(?-u:\b)1[3-9][0-9]{9}(?-u:\b)|电话|热线|咨询|(?i-u:\btel\b\.?|\bphone\b|\bcall\b)",
        )
        .expect("valid regex")
    });
    PRICE.find_iter(text).count() + PHONE.find_iter(text).count()
}

/// A line that is only an advertisement's order number in parentheses,
/// `(1285)`, `( 1060 )`: three to five digits, nothing else.
pub fn is_insertion_number(text: &str) -> bool {
    let t = text.trim();
    let Some(inner) = t.strip_prefix('(').and_then(|t| t.strip_suffix(')')) else {
        return false;
    };
    let digits = inner.trim();
    (3..=5).contains(&digits.len()) && digits.chars().all(|c| c.is_ascii_digit())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn opener_possible_in_join_never_misses_an_opener() {
        // Every pair of consecutive lines of the dump fixtures, and openers
        // cut over a line break, joined with and without a space.
        let mut pairs: Vec<(String, String)> = [
            ("新华社北京 1 月 8", "日电 记者张三报道"),
            ("本报讯（记者", "许廷合）近日，"),
            ("WASHINGTON -", "- The Senate voted"),
            ("WASHINGTON", "— The Senate voted"),
        ]
        .iter()
        .map(|(a, b)| (a.to_string(), b.to_string()))
        .collect();
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/dump");
        for entry in std::fs::read_dir(dir).expect("fixtures/dump") {
            let path = entry.expect("entry").path();
            if path.extension().is_some_and(|e| e == "txt") {
                let text = std::fs::read_to_string(&path).expect("UTF-8 fixture");
                let lines: Vec<&str> = text.lines().map(str::trim).collect();
                for w in lines.windows(2) {
                    pairs.push((w[0].to_string(), w[1].to_string()));
                }
            }
        }
        let mut openers = 0;
        for (a, b) in &pairs {
            for joined in [format!("{a}{b}"), format!("{a} {b}")] {
                if opener(&joined).is_some() {
                    openers += 1;
                    assert!(opener_possible_in_join(a, b), "{a:?} + {b:?}");
                }
            }
        }
        // The check saw openers, not only lines without one.
        assert!(openers >= 4, "{openers} openers");
    }

    #[test]
    fn bylines_in_every_form() {
        let b = parse_byline("本报记者孙江锋通讯员王妍娜");
        assert_eq!(b.reporters, vec!["孙江锋"]);
        assert_eq!(b.correspondents, vec!["王妍娜"]);
        let b = parse_byline("记者 许廷合 通讯员 丁姜岚");
        assert_eq!(
            (b.reporters, b.correspondents),
            (vec!["许廷合".to_string()], vec!["丁姜岚".to_string()])
        );
        let b = parse_byline("◎ 文/张三丰 图/李四光");
        assert_eq!(
            (b.authors, b.photographers),
            (vec!["张三丰".to_string()], vec!["李四光".to_string()])
        );
        let b = parse_byline("记者 王小明 李玎");
        assert_eq!(b.reporters, vec!["王小明", "李玎"]);
        let b = parse_byline("本报记者许廷合李玎");
        assert_eq!(b.reporters, vec!["许廷合", "李玎"]);
        let b = parse_byline("By Jane Doe and John Roe, Staff Writers");
        assert_eq!(b.authors, vec!["Jane Doe", "John Roe"]);
        let b = parse_byline("许廷合 摄");
        assert_eq!(b.photographers, vec!["许廷合"]);
        assert!(is_byline("本报记者孙江锋通讯员王妍娜"));
        assert!(is_byline("By JANE DOE"));
        assert!(!is_byline("记者从会上了解到，今年将继续推进"));
    }

    #[test]
    fn openers_and_datelines() {
        let o = opener("本报讯（记者 许廷合 通讯员 丁姜岚）1 月 6 日，河南").unwrap();
        assert_eq!(o.dateline, "本报讯");
        assert_eq!(o.byline.as_deref(), Some("记者 许廷合 通讯员 丁姜岚"));
        let o = opener("新华社北京1月8日电（记者 张三 李四）国务院").unwrap();
        assert_eq!(o.dateline, "新华社北京1月8日电");
        let o = opener("本报北京1月8日电（记者王五）今天").unwrap();
        assert_eq!(o.dateline, "本报北京1月8日电");
        let o = opener("LONDON, Jan. 8 (Reuters) — The bank said").unwrap();
        assert_eq!(o.dateline, "LONDON, Jan. 8 (Reuters)");
        let o = opener("SPRINGFIELD — The council").unwrap();
        assert_eq!(o.dateline, "SPRINGFIELD");
        assert!(opener("会议要求，提升站位").is_none());
    }

    #[test]
    fn tags_credits_furniture() {
        assert!(is_source_tag("（魏宣）"));
        assert!(!is_source_tag("（以下简称世纪通讯）与河南"));
        assert_eq!(
            trailing_source_tag("暖的春节。 （魏宣）").map(|t| t.1),
            Some("（魏宣）".to_string())
        );
        assert!(trailing_source_tag("物业服务企业（物管会）").is_none());
        assert!(is_source_tag("(Staff report)"));
        assert!(is_source_tag("(AP)"));
        assert!(!is_source_tag("(see page 3 for the full list of winners)"));
        assert!(furniture_kind("Editor: Dana Whitfield  Copy desk: Lee Ortiz").is_some());
        use crate::model::JumpDirection;
        assert_eq!(
            jump("（转第13版）"),
            Some((JumpDirection::To, "13".to_string()))
        );
        assert_eq!(
            jump("上接第1版"),
            Some((JumpDirection::From, "1".to_string()))
        );
        assert_eq!(
            jump("下转第13版"),
            Some((JumpDirection::To, "13".to_string()))
        );
        assert_eq!(
            jump("Continued on Page A8"),
            Some((JumpDirection::To, "A8".to_string()))
        );
        assert_eq!(
            jump("Continued from Page A1"),
            Some((JumpDirection::From, "A1".to_string()))
        );
        assert_eq!(jump("这个版本转第一次"), None);
        assert_eq!(credit_names("许廷合 摄"), Some(vec!["许廷合".to_string()]));
        assert_eq!(
            credit_names("Photo: Mary Lee"),
            Some(vec!["Mary Lee".to_string()])
        );
        let (text, credit) =
            caption_with_credit("党支部在“红色议事厅”召开议事会。 许廷合 摄").unwrap();
        assert_eq!(text, "党支部在“红色议事厅”召开议事会。");
        assert_eq!(credit, "许廷合 摄");
        assert!(furniture_kind("第3版").is_some());
        assert!(furniture_kind("许昌日报  2023年1月10日  星期二").is_some());
        assert!(furniture_kind("THE DAILY STAR  Tuesday, January 10, 2023").is_some());
        assert!(furniture_kind("责任编辑 张某  校对 李某").is_some());
        assert!(furniture_kind("魏都区召开社会救助工作专题会议").is_none());
        assert!(is_insertion_number("(1285)"));
        assert!(is_insertion_number(" ( 1060 ) "));
        assert!(!is_insertion_number("(12)"));
        assert!(!is_insertion_number("(1858) war"));
        assert!(!is_insertion_number("(12a4)"));
    }
}
