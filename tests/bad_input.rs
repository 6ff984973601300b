//! Bad and unusual inputs through the real `newsclip` binary: every test
//! checks the exit code, what stderr says (and about which file), and what
//! was written. Exit codes: 0 all inputs succeeded, 1 at least one failed
//! (the others still written), 2 usage error or unwritable output.

use std::fs;
use std::io::{BufReader, BufWriter, Write};
use std::path::Path;
use std::process::{Command, Output, Stdio};

use newsclip::model::Document;
use serde_json::Value;

/// A newspaper page as a text dump: hard-wrapped lines, blank lines between
/// blocks. Two articles with headline, byline, paragraphs and source tag.
const PAGE: &str = "\
市区两级联动推进老旧小区改造

本报记者 李明 通讯员 王芳

3 月 12 日上午，市住房和城乡建
设局召开老旧小区改造工作推进会，
对今年全市老旧小区改造任务进行
部署。会议要求，各区要在四月底
前完成项目摸底，确保改造工作按
时开工。

据介绍，今年全市计划改造老旧小
区一百二十个，涉及居民两万余户。
改造内容包括屋面防水、外墙保温、
管网更新、加装电梯和停车设施建
设等，将切实改善群众居住条件。

会议强调，要坚持居民自愿原则，
充分听取群众意见，做到改什么、
怎么改由居民说了算；要加强施工
安全管理，严格落实质量责任制。
（城建）

春季植树活动在滨河公园举行

本报讯 3 月 11 日，市直机关干部
职工两百余人来到滨河公园参加义
务植树活动，共栽种银杏、香樟等
苗木一千余株。

活动现场，大家分工协作，挖坑、
扶苗、培土、浇水，一棵棵树苗整
齐挺立。参加活动的干部表示，将
继续争做生态文明建设的践行者。
（文宣）
";

/// A phrase inside one dump line (so reflow cannot split it).
const PHRASE: &str = "老旧小区改造工作推进会";

fn bin() -> Command {
    Command::new(env!("CARGO_BIN_EXE_newsclip"))
}

/// Runs newsclip with `args`, feeding `stdin` (none: empty, closed).
fn run(args: &[&str], stdin: Option<&[u8]>) -> Output {
    let mut child = bin()
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("start newsclip");
    {
        let mut pipe = child.stdin.take().expect("stdin pipe");
        if let Some(bytes) = stdin {
            pipe.write_all(bytes).expect("write stdin");
        }
    }
    let out = child.wait_with_output().expect("wait for newsclip");
    assert_no_panic(&out);
    out
}

fn assert_no_panic(out: &Output) {
    let stderr = String::from_utf8_lossy(&out.stderr);
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        !stderr.contains("panicked") && !stdout.contains("panicked"),
        "newsclip panicked:\n{stderr}"
    );
}

fn code(out: &Output) -> i32 {
    out.status.code().expect("newsclip killed by a signal")
}

fn stderr(out: &Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

/// The documents newsclip printed (`json` format: one or more JSON values).
fn documents(stdout: &[u8]) -> Vec<Value> {
    serde_json::Deserializer::from_slice(stdout)
        .into_iter::<Value>()
        .collect::<Result<_, _>>()
        .unwrap_or_else(|e| {
            panic!(
                "stdout is not JSON ({e}):\n{}",
                String::from_utf8_lossy(stdout)
            )
        })
}

fn read_json(path: &Path) -> Value {
    let bytes = fs::read(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    serde_json::from_slice(&bytes).unwrap_or_else(|e| panic!("{}: not JSON: {e}", path.display()))
}

/// All article text of a document as one string (headlines and bodies).
fn all_text(doc: &Value) -> String {
    let mut out = String::new();
    for article in doc["articles"].as_array().expect("articles array") {
        if let Some(h) = article["headline"].as_str() {
            out.push_str(h);
            out.push('\n');
        }
        for item in article["body"].as_array().expect("body array") {
            out.push_str(item["text"].as_str().expect("body text"));
            out.push('\n');
        }
    }
    out
}

fn article_count(doc: &Value) -> usize {
    doc["articles"].as_array().expect("articles array").len()
}

fn gbk(text: &str) -> Vec<u8> {
    let (bytes, _, had_errors) = encoding_rs::GBK.encode(text);
    assert!(!had_errors, "text not representable in GBK");
    bytes.into_owned()
}

/// Deterministic binary junk with NULs, like a compressed or image file.
fn binary_junk(len: usize) -> Vec<u8> {
    let mut x: u64 = 0x2545_F491_4F6C_DD1D;
    // A binary header that is no image format newsclip reads (PNG, JPEG
    // and TIFF are recognised by their magic bytes and go to OCR).
    let mut out = b"\x7fELF\x02\x01\x01\0\0\0\0\0\0\0\0\0".to_vec();
    while out.len() < len {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        out.extend_from_slice(&x.to_le_bytes());
    }
    out
}

/// Invalid UTF-8 that GB18030 rejects too (0xFF is never valid in either),
/// and that reads as symbol soup in any 8-bit code page.
fn not_utf8_nor_gb18030() -> Vec<u8> {
    b"\xFF\xA4\xB6 \xFF\xA7\xA9\xAE \xB1\xBC\xFF\xE9 \xFE\xFF\xD7\xA2\n\xFF\xF7\xAB\xBB\n"
        .repeat(20)
}

#[test]
fn empty_file_is_an_error_naming_the_file() {
    let dir = tempfile::tempdir().unwrap();
    let empty = dir.path().join("empty-page.txt");
    fs::write(&empty, b"").unwrap();
    let out = run(&["extract", empty.to_str().unwrap()], None);
    assert_eq!(code(&out), 1, "stderr: {}", stderr(&out));
    let err = stderr(&out);
    assert!(err.starts_with("newsclip: "), "{err}");
    assert!(err.contains("empty-page.txt"), "{err}");
    assert!(err.contains("empty"), "{err}");
    assert!(out.stdout.is_empty(), "no document for a failed input");

    // Whitespace only (blank lines and page breaks) is empty too.
    let blank = dir.path().join("blank-page.txt");
    fs::write(&blank, b" \r\n\n\x0c\n\t \n").unwrap();
    let out = run(&["extract", blank.to_str().unwrap()], None);
    assert_eq!(code(&out), 1, "stderr: {}", stderr(&out));
    let err = stderr(&out);
    assert!(
        err.contains("blank-page.txt") && err.contains("empty"),
        "{err}"
    );
}

#[test]
fn binary_garbage_does_not_look_like_text() {
    let dir = tempfile::tempdir().unwrap();
    let junk = dir.path().join("scan.txt");
    fs::write(&junk, binary_junk(64 * 1024)).unwrap();
    let out = run(&["extract", junk.to_str().unwrap()], None);
    assert_eq!(code(&out), 1, "stderr: {}", stderr(&out));
    let err = stderr(&out);
    assert!(err.contains("scan.txt"), "{err}");
    assert!(err.contains("does not look like text"), "{err}");
    assert!(out.stdout.is_empty());

    // Junk behind a PNG signature is an image whatever its name: refused
    // as one, from its header.
    let mut png = b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR".to_vec();
    png.extend_from_slice(&binary_junk(4096));
    fs::write(&junk, png).unwrap();
    let out = run(&["extract", junk.to_str().unwrap()], None);
    assert_eq!(code(&out), 1, "stderr: {}", stderr(&out));
    let err = stderr(&out);
    assert!(err.contains("scan.txt") && err.contains("image"), "{err}");

    // Without NULs too: control characters everywhere.
    let ctl: Vec<u8> = (0..20_000u32)
        .map(|i| [0x01, 0x02, b'a', 0x1B, 0x90, 0x07, 0xE5][i as usize % 7])
        .collect();
    fs::write(&junk, ctl).unwrap();
    let out = run(&["extract", junk.to_str().unwrap()], None);
    assert_eq!(code(&out), 1, "stderr: {}", stderr(&out));
    assert!(
        stderr(&out).contains("does not look like text"),
        "{}",
        stderr(&out)
    );
}

#[test]
fn invalid_utf8_that_is_not_gb18030_suggests_encoding() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("mystery.txt");
    let bytes = not_utf8_nor_gb18030();
    assert!(std::str::from_utf8(&bytes).is_err());
    assert!(encoding_rs::GB18030
        .decode_without_bom_handling_and_without_replacement(&bytes)
        .is_none());
    fs::write(&path, &bytes).unwrap();
    let out = run(&["extract", path.to_str().unwrap()], None);
    assert_eq!(code(&out), 1, "stderr: {}", stderr(&out));
    let err = stderr(&out);
    assert!(err.contains("mystery.txt"), "{err}");
    assert!(err.contains("--encoding"), "{err}");
    assert!(err.contains("UTF-8") && err.contains("GB18030"), "{err}");
    assert!(out.stdout.is_empty());
}

#[test]
fn gbk_dump_is_decoded_as_gb18030() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("gbk-page.txt");
    fs::write(&path, gbk(&PAGE.replace('\n', "\r\n"))).unwrap();
    let out = run(&["extract", path.to_str().unwrap()], None);
    assert_eq!(code(&out), 0, "stderr: {}", stderr(&out));
    let docs = documents(&out.stdout);
    assert_eq!(docs.len(), 1);
    let encoding = docs[0]["source"]["encoding"].as_str().unwrap_or_default();
    assert!(
        encoding == "GB18030" || encoding == "GBK",
        "encoding {encoding}"
    );
    assert!(article_count(&docs[0]) >= 2, "{}", docs[0]);
    let text = all_text(&docs[0]);
    assert!(text.contains(PHRASE), "{text}");
    assert!(!text.contains('\u{FFFD}') && !text.contains('\r'), "{text}");
}

#[test]
fn forced_gbk_decodes_what_detection_refuses() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("damaged-gbk.txt");
    // GBK with two stray 0xFF bytes: not valid GB18030, so detection fails.
    let mut bytes = gbk(PAGE);
    let at = bytes.iter().position(|b| *b == b'\n').unwrap();
    bytes.insert(at, 0xFF);
    bytes.push(0xFF);
    fs::write(&path, &bytes).unwrap();

    let out = run(&["extract", path.to_str().unwrap()], None);
    assert_eq!(code(&out), 1, "stderr: {}", stderr(&out));
    assert!(stderr(&out).contains("--encoding"), "{}", stderr(&out));

    let out = run(
        &["extract", "--encoding", "gbk", path.to_str().unwrap()],
        None,
    );
    assert_eq!(code(&out), 0, "stderr: {}", stderr(&out));
    let docs = documents(&out.stdout);
    assert_eq!(docs.len(), 1);
    assert_eq!(docs[0]["source"]["encoding"], "GBK");
    assert!(all_text(&docs[0]).contains(PHRASE), "{}", docs[0]);
    let warnings = docs[0]["warnings"].as_array().expect("warnings array");
    let replacement = warnings
        .iter()
        .find(|w| w["code"] == "encoding-replacement")
        .unwrap_or_else(|| panic!("no encoding-replacement warning: {warnings:?}"));
    assert!(
        replacement["message"]
            .as_str()
            .unwrap_or_default()
            .starts_with("2 "),
        "{replacement}"
    );

    // An unknown label is a usage error.
    let out = run(
        &["extract", "--encoding", "klingon-8", path.to_str().unwrap()],
        None,
    );
    assert_eq!(code(&out), 2, "stderr: {}", stderr(&out));
    assert!(stderr(&out).contains("klingon-8"), "{}", stderr(&out));
    assert!(out.stdout.is_empty());
}

#[test]
fn directory_with_one_bad_file_writes_the_good_ones() {
    let dir = tempfile::tempdir().unwrap();
    let input = dir.path().join("pages");
    fs::create_dir_all(input.join("sub")).unwrap();
    fs::write(input.join("a-good.txt"), PAGE).unwrap();
    fs::write(input.join("sub").join("b-good.txt"), gbk(PAGE)).unwrap();
    fs::write(input.join("c-broken.txt"), binary_junk(4096)).unwrap();
    // Not an input kind (.txt, .pdf, images): skipped, so its junk must not
    // be reported.
    fs::write(input.join("scan.bin"), binary_junk(4096)).unwrap();
    let outdir = dir.path().join("out");

    let out = run(
        &[
            "extract",
            input.to_str().unwrap(),
            "-o",
            outdir.to_str().unwrap(),
        ],
        None,
    );
    assert_eq!(code(&out), 1, "stderr: {}", stderr(&out));
    let err = stderr(&out);
    assert_eq!(
        err.lines()
            .filter(|l| !l.starts_with("newsclip: summary:"))
            .count(),
        1,
        "one message, for the bad file: {err}"
    );
    assert!(err.contains("c-broken.txt"), "{err}");
    assert!(err.contains("does not look like text"), "{err}");
    for good in ["a-good", "b-good", "scan"] {
        assert!(!err.contains(good), "{err}");
    }

    let mut written: Vec<String> = walk(&outdir)
        .iter()
        .map(|p| {
            p.strip_prefix(&outdir)
                .unwrap()
                .to_string_lossy()
                .replace('\\', "/")
        })
        .collect();
    written.sort();
    let good = [
        outdir.join("a-good.txt.json"),
        outdir.join("sub/b-good.txt.json"),
    ];
    for path in &good {
        let doc = read_json(path);
        assert!(article_count(&doc) >= 2, "{}: {doc}", path.display());
        assert!(all_text(&doc).contains(PHRASE), "{}", path.display());
    }
    assert_eq!(
        written,
        [
            "a-good.txt.json",
            "newsclip-journal.jsonl",
            "sub/b-good.txt.json"
        ],
        "only the good inputs have outputs (no partial files), and the journal"
    );
}

/// Files under `dir`, recursively.
fn walk(dir: &Path) -> Vec<std::path::PathBuf> {
    let mut out = Vec::new();
    for entry in fs::read_dir(dir).unwrap_or_else(|e| panic!("{}: {e}", dir.display())) {
        let path = entry.unwrap().path();
        if path.is_dir() {
            out.extend(walk(&path));
        } else {
            out.push(path);
        }
    }
    out
}

#[test]
fn missing_file_fails_but_the_batch_goes_on() {
    let dir = tempfile::tempdir().unwrap();
    let missing = dir.path().join("no-such-page.txt");
    let good = dir.path().join("page.txt");
    fs::write(&good, PAGE).unwrap();

    let out = run(&["extract", missing.to_str().unwrap()], None);
    assert_eq!(code(&out), 1, "stderr: {}", stderr(&out));
    assert!(
        stderr(&out).contains("no-such-page.txt"),
        "{}",
        stderr(&out)
    );
    assert!(out.stdout.is_empty());

    let out = run(
        &["extract", missing.to_str().unwrap(), good.to_str().unwrap()],
        None,
    );
    assert_eq!(code(&out), 1, "stderr: {}", stderr(&out));
    let err = stderr(&out);
    assert_eq!(
        err.lines()
            .filter(|l| !l.starts_with("newsclip: summary:"))
            .count(),
        1,
        "{err}"
    );
    assert!(err.contains("no-such-page.txt"), "{err}");
    let docs = documents(&out.stdout);
    assert_eq!(docs.len(), 1, "the good input is still printed");
    assert!(docs[0]["source"]["path"]
        .as_str()
        .unwrap_or_default()
        .ends_with("page.txt"));
    assert!(all_text(&docs[0]).contains(PHRASE));
}

#[test]
fn stdin_input() {
    let out = run(&["extract", "-"], Some(PAGE.as_bytes()));
    assert_eq!(code(&out), 0, "stderr: {}", stderr(&out));
    let docs = documents(&out.stdout);
    assert_eq!(docs.len(), 1);
    assert_eq!(docs[0]["source"]["path"], "-");
    assert_eq!(docs[0]["source"]["encoding"], "UTF-8");
    assert!(article_count(&docs[0]) >= 2, "{}", docs[0]);
    assert!(all_text(&docs[0]).contains(PHRASE));

    // GBK through stdin is detected the same way.
    let out = run(&["extract", "-"], Some(&gbk(PAGE)));
    assert_eq!(code(&out), 0, "stderr: {}", stderr(&out));
    let docs = documents(&out.stdout);
    assert!(all_text(&docs[0]).contains(PHRASE));

    // Empty standard input is an empty input, reported as `-`.
    let out = run(&["extract", "-"], None);
    assert_eq!(code(&out), 1, "stderr: {}", stderr(&out));
    let err = stderr(&out);
    assert!(err.contains("-: ") && err.contains("empty"), "{err}");
    assert!(out.stdout.is_empty());
}

/// A 200 MiB dump: identical pages separated by `\f`. Must succeed, and the
/// JSON must hold the articles of every page (nothing dropped or merged at
/// the end). About 10 s in release on 2 cores; `scripts/test` runs the tests
/// in release.
#[test]
fn dump_of_200_mb() {
    const SIZE: usize = 200 << 20;
    let dir = tempfile::tempdir().unwrap();
    let input = dir.path().join("big.txt");
    let output = dir.path().join("big.json");
    let mut pages = 0usize;
    {
        let mut w = BufWriter::new(fs::File::create(&input).unwrap());
        let mut written = 0;
        while written < SIZE {
            if pages > 0 {
                w.write_all(b"\n\x0c").unwrap();
                written += 2;
            }
            w.write_all(PAGE.as_bytes()).unwrap();
            written += PAGE.len();
            pages += 1;
        }
        w.flush().unwrap();
    }
    let out = run(
        &[
            "extract",
            input.to_str().unwrap(),
            "-o",
            output.to_str().unwrap(),
        ],
        None,
    );
    assert_eq!(code(&out), 0, "stderr: {}", stderr(&out));
    assert!(out.stdout.is_empty(), "-o FILE writes nothing to stdout");
    fs::remove_file(&input).unwrap();

    // Typed parse: much less memory than a serde_json::Value tree.
    let reader = BufReader::new(fs::File::open(&output).unwrap());
    let doc: Document = serde_json::from_reader(reader).expect("valid newsclip JSON");
    assert_eq!(doc.source.encoding.as_deref(), Some("UTF-8"));
    let per_page = doc.articles.iter().filter(|a| a.page == 1).count();
    assert!(per_page >= 2, "articles on page 1: {per_page}");
    assert_eq!(
        doc.articles.last().map(|a| a.page as usize),
        Some(pages),
        "the last page's articles are there"
    );
    assert_eq!(doc.articles.len(), per_page * pages);
}

/// `-o -` writes to standard output (it used to create a file named `-`).
#[test]
fn dash_output_is_standard_output() {
    let dir = tempfile::tempdir().expect("temp dir");
    let input = dir.path().join("a.txt");
    std::fs::write(&input, "市图书馆推出夜间开放服务\n\n本报讯 市图书馆近日推出夜间开放服务，每周五、六延长至晚上九点。\n").unwrap();
    let mut child = bin()
        .current_dir(dir.path())
        .args(["extract", "a.txt", "-o", "-"])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("start newsclip");
    child.stdin.take();
    let out = child.wait_with_output().expect("wait for newsclip");
    assert_no_panic(&out);
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    let docs = documents(&out.stdout);
    assert_eq!(docs.len(), 1);
    assert!(all_text(&docs[0]).contains("夜间开放服务"));
    assert!(!dir.path().join("-").exists(), "a file named - was written");
}

#[test]
fn json_is_compact_to_files_and_pipes_and_indented_with_pretty() {
    let dir = tempfile::tempdir().expect("temp dir");
    let input = dir.path().join("page.txt");
    fs::write(&input, PAGE).expect("write input");
    let input = input.to_str().expect("UTF-8 path");
    let compact_file = dir.path().join("compact.json");
    let pretty_file = dir.path().join("pretty.json");
    for (extra, out) in [(None, &compact_file), (Some("--pretty"), &pretty_file)] {
        let mut args = vec![
            "extract",
            "-q",
            input,
            "-o",
            out.to_str().expect("UTF-8 path"),
        ];
        args.extend(extra);
        let o = run(&args, None);
        assert_eq!(code(&o), 0, "{}", stderr(&o));
    }
    // Standard output is a pipe here: compact, as a file.
    let piped = run(&["extract", "-q", input], None);
    assert_eq!(code(&piped), 0, "{}", stderr(&piped));
    let compact = fs::read_to_string(&compact_file).expect("compact output");
    let pretty = fs::read_to_string(&pretty_file).expect("pretty output");
    // Compact: the document on one line; indented: one field a line.
    assert_eq!(compact.lines().count(), 1, "{compact:.300}");
    assert!(pretty.lines().count() > 20 && pretty.contains("\n  \"articles\": ["));
    assert_eq!(String::from_utf8_lossy(&piped.stdout), compact);
    // The same document either way, with its articles.
    let value = read_json(&compact_file);
    assert_eq!(value, read_json(&pretty_file));
    assert_eq!(article_count(&value), 2);
}
