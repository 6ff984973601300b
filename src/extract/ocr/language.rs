//! Which Latin-script language and which type (Antiqua or Fraktur) a page
//! is printed in, from the words of a quick OCR sample.
//!
//! The contract: [`latin_language`] takes words read from the page (in any
//! model: the Chinese sample model reads Latin print too) and names the
//! Tesseract language whose model should read the page, `deu`, `fra`,
//! `ita`, `nld` or `eng`, with the evidence counted: stop words (the
//! commonest short words of each language, as read) and the letters only
//! one of the languages uses (umlauts and ß, French accents and ç, Italian
//! grave accents, the Dutch `ij`). Stop words carry the decision: they
//! survive a model that drops accents, and the five lists share few
//! words; a word in two lists (`de`, `la`, `in`) counts for neither.
//! Fewer than [`MIN_EVIDENCE`] points, or no clear winner, is English,
//! the model that reads any Latin print best without knowing its language.
//!
//! [`fraktur_wins`] compares the mean confidences of the Fraktur model and
//! of the Antiqua language model on the same sample lines: blackletter read
//! by an Antiqua model comes out with a confidence well under what the
//! Fraktur model gets, while on Antiqua both models are about as sure.
//!
//! Only installed models are named (see [`super::tesseract::installed`]);
//! the caller falls back to `eng` when a language's model is missing.

use super::OcrWord;

/// A language's evidence must reach this many points to be chosen.
pub const MIN_EVIDENCE: usize = 6;

/// The languages told apart, as Tesseract names their models, with their
/// commonest words (lower case) and the letters that mark them. Words that
/// are common in another of the five too (`was`, `an`, `en`, `over`,
/// Italian `le`) are left out.
const LANGUAGES: &[(&str, &str, &[&str], &str)] = &[
    (
        "deu",
        "German",
        &[
            "der", "die", "und", "das", "den", "dem", "des", "ist", "nicht", "mit", "von", "sich",
            "ein", "eine", "einer", "auf", "für", "auch", "als", "wird", "bei", "nach", "aus",
            "oder", "wie", "sind", "noch", "werden", "wurde", "durch", "über", "zur", "zum",
            "ihre", "sein", "haben", "hat", "daß", "dass", "welche", "einem", "einen", "vom",
            "dieser", "diese", "unter", "wir", "sie", "er",
        ],
        "äöüßÄÖÜ",
    ),
    (
        "fra",
        "French",
        &[
            "les", "et", "des", "du", "un", "une", "est", "dans", "pour", "que", "qui", "sur",
            "par", "au", "aux", "pas", "ce", "cette", "il", "elle", "sont", "avec", "mais", "ou",
            "son", "ses", "leur", "été", "nous", "vous", "plus", "tout", "fait", "comme", "être",
            "ont", "cet", "ces", "où",
        ],
        "éèêàçëîôûœÉÈÀÇ",
    ),
    (
        "ita",
        "Italian",
        &[
            "il", "lo", "gli", "di", "del", "della", "dei", "delle", "che", "è", "per", "una",
            "non", "con", "sono", "nel", "nella", "alla", "al", "dal", "questo", "questa", "anche",
            "più", "ma", "loro", "stato", "essere", "ha", "hanno", "sul", "sulla", "degli", "agli",
            "ed", "tra", "fra",
        ],
        "àèìòùÈ",
    ),
    (
        "nld",
        "Dutch",
        &[
            "het", "een", "van", "is", "dat", "op", "te", "zijn", "niet", "met", "voor", "aan",
            "bij", "ook", "door", "wordt", "werd", "naar", "uit", "maar", "heeft", "hij", "zij",
            "deze", "dit", "wij", "worden", "nog", "tot", "om", "hun", "geen", "wel", "kan", "zal",
            "onder",
        ],
        "",
    ),
    (
        "eng",
        "English",
        &[
            "the", "and", "of", "to", "is", "that", "for", "it", "with", "on", "by", "be", "at",
            "from", "this", "which", "are", "has", "have", "were", "his", "their", "not", "will",
            "been", "its", "but", "they", "who", "had", "would", "or",
        ],
        "",
    ),
];

/// What the sample showed for one language.
#[derive(Debug, Clone, PartialEq)]
pub struct LanguageScore {
    /// Tesseract's name of the model (`deu`).
    pub code: &'static str,
    /// Stop words of this language only.
    pub stop_words: usize,
    /// Letters only this language uses (or the Dutch `ij`).
    pub letters: usize,
}

impl LanguageScore {
    /// Points: a stop word is worth two, a marked letter one (a model may
    /// misread an accent, rarely a whole word).
    pub fn points(&self) -> usize {
        2 * self.stop_words + self.letters
    }
}

/// The decision for a Latin page.
#[derive(Debug, Clone, PartialEq)]
pub struct LatinChoice {
    /// The language's model name (`deu`), `eng` when the evidence is thin.
    pub code: &'static str,
    /// Every language's score, the chosen one first.
    pub scores: Vec<LanguageScore>,
}

impl LatinChoice {
    /// A short account for the page's `ocr` warning: `German (stop words
    /// 31, marked letters 4; next French 2)`.
    pub fn describe(&self) -> String {
        let name = |code: &str| LANGUAGES.iter().find(|l| l.0 == code).map_or("?", |l| l.1);
        let top = &self.scores[0];
        let next = self
            .scores
            .get(1)
            .map(|s| format!("; next {} {}", name(s.code), s.points()))
            .unwrap_or_default();
        if top.code != self.code {
            return format!(
                "too little evidence for a language ({} {} points{next}), English read",
                name(top.code),
                top.points()
            );
        }
        format!(
            "{} ({} stop words, {} marked letters{next})",
            name(self.code),
            top.stop_words,
            top.letters
        )
    }
}

/// Lower-case letters of a word, punctuation around it stripped.
fn normalise(word: &str) -> String {
    word.trim_matches(|c: char| !c.is_alphabetic())
        .chars()
        .map(|c| if c == 'ſ' { 's' } else { c })
        .flat_map(char::to_lowercase)
        .collect()
}

/// Scores the words of a sample and picks the language (see the module
/// header). Words under `min_confidence` are noise and not counted.
pub fn latin_language(words: &[OcrWord], min_confidence: f32) -> LatinChoice {
    let mut scores: Vec<LanguageScore> = LANGUAGES
        .iter()
        .map(|l| LanguageScore {
            code: l.0,
            stop_words: 0,
            letters: 0,
        })
        .collect();
    for w in words.iter().filter(|w| w.confidence >= min_confidence) {
        let word = normalise(&w.text);
        if word.is_empty() {
            continue;
        }
        let owners: Vec<usize> = LANGUAGES
            .iter()
            .enumerate()
            .filter(|(_, l)| l.2.contains(&word.as_str()))
            .map(|(i, _)| i)
            .collect();
        if let [only] = owners[..] {
            scores[only].stop_words += 1;
        }
        for (i, l) in LANGUAGES.iter().enumerate() {
            scores[i].letters += w.text.chars().filter(|c| l.3.contains(*c)).count();
        }
        // The Dutch ij (zijn, bij, tijd): rare elsewhere inside a word.
        if word.contains("ij") {
            if let Some(nld) = scores.iter_mut().find(|s| s.code == "nld") {
                nld.letters += 1;
            }
        }
    }
    // Accents shared by French and Italian (à, è) count for whichever has
    // the stop words; counting them for both keeps the two apart no worse.
    scores.sort_by(|a, b| b.points().cmp(&a.points()).then(a.code.cmp(b.code)));
    let top = &scores[0];
    let second = scores.get(1).map_or(0, LanguageScore::points);
    // A clear winner: enough points, and half again the runner-up's.
    let clear = top.points() >= MIN_EVIDENCE && 2 * top.points() >= 3 * second;
    LatinChoice {
        code: if clear { top.code } else { "eng" },
        scores,
    }
}

/// Whether the Fraktur model read the sample lines better than the
/// Antiqua model: its mean confidence is higher by [`FRAKTUR_MARGIN`] or
/// more. On the Reichsanzeiger text set in blackletter the Fraktur model
/// was 0.12 surer than `deu`; set in Antiqua, 0.02 less sure.
pub fn fraktur_wins(fraktur_confidence: f32, antiqua_confidence: f32) -> bool {
    fraktur_confidence - antiqua_confidence >= FRAKTUR_MARGIN
}

/// See [`fraktur_wins`].
pub const FRAKTUR_MARGIN: f32 = 0.05;

#[cfg(test)]
mod tests {
    use super::*;

    fn words(text: &str) -> Vec<OcrWord> {
        text.split_whitespace()
            .enumerate()
            .map(|(i, t)| OcrWord {
                text: t.to_string(),
                bbox: [i as f32 * 10.0, 0.0, i as f32 * 10.0 + 8.0, 10.0],
                confidence: 0.9,
                line: 0,
                paragraph: 0,
            })
            .collect()
    }

    fn code(text: &str) -> &'static str {
        latin_language(&words(text), 0.3).code
    }

    #[test]
    fn each_language_from_its_words() {
        assert_eq!(
            code("Die Regierung hat gestern in der Kammer erklärt, daß die Steuer nicht erhöht wird und dass sich nichts ändert."),
            "deu"
        );
        assert_eq!(
            code("Le conseil municipal a décidé hier que les travaux du pont seront achevés dans une année, et pour cette raison il est fermé."),
            "fra"
        );
        assert_eq!(
            code("Il consiglio comunale ha deciso che i lavori della strada non sono finiti e per questo la via del centro resta chiusa."),
            "ita"
        );
        assert_eq!(
            code("De gemeenteraad heeft gisteren besloten dat het werk aan de brug niet voor het einde van het jaar klaar zal zijn."),
            "nld"
        );
        assert_eq!(
            code("The council decided yesterday that the work on the bridge will not be finished before the end of the year."),
            "eng"
        );
    }

    #[test]
    fn thin_or_mixed_evidence_reads_english() {
        // Two German stop words are not enough.
        assert_eq!(code("Bahnhof der Stadt und Umgebung"), "eng");
        // Nothing at all.
        assert_eq!(code("12 345 -- ~~~"), "eng");
        assert_eq!(latin_language(&[], 0.3).code, "eng");
    }

    #[test]
    fn long_s_and_punctuation_are_normalised() {
        assert_eq!(normalise("Deutſcher,"), "deutscher");
        assert_eq!(normalise("„daß"), "daß");
        assert_eq!(
            code("ſich der die und das iſt nicht mit von auf für auch als"),
            "deu"
        );
    }

    #[test]
    fn unsure_words_do_not_count() {
        let mut w = words("der die und das den dem des ist nicht mit von sich");
        for x in &mut w {
            x.confidence = 0.1;
        }
        assert_eq!(latin_language(&w, 0.3).code, "eng");
    }

    #[test]
    fn the_account_names_the_language() {
        let c = latin_language(
            &words("der die und das den dem des ist nicht mit von sich"),
            0.3,
        );
        // `des` is French too: it counts for neither.
        assert!(
            c.describe().starts_with("German (11 stop words"),
            "{}",
            c.describe()
        );
    }

    #[test]
    fn fraktur_needs_a_margin() {
        assert!(fraktur_wins(0.67, 0.55));
        assert!(!fraktur_wins(0.70, 0.72));
        assert!(!fraktur_wins(0.66, 0.63));
    }
}
