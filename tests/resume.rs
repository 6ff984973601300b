//! A batch killed with SIGKILL at any moment and rerun with `--resume`
//! ends with exactly what an uninterrupted run writes: every output once,
//! whole and byte-identical, no temporary file left, and a journal that says
//! `done` once for each input (so finished inputs were not redone).
//!
//! Kill points are counted in journal lines, not in time, so the test does
//! not depend on the machine's speed: a kill after k lines lands somewhere
//! between the k-th finished input and the next, wherever that is.

mod common;

use std::collections::{BTreeMap, HashMap};
use std::fs;
use std::path::{Path, PathBuf};
use std::process::Child;
use std::thread::sleep;
use std::time::Duration;

use common::{bin, code, root, stderr};
use newsclip::batch::{read_journal, Status};

const JOURNAL: &str = "newsclip-journal.jsonl";

/// A few dozen inputs: the dump fixtures twice (two folders), the small
/// English PDF fixtures, and dumps and PDFs sharing a stem in one folder
/// (`x.txt` beside `x.pdf`), whose outputs must not collide.
fn make_inputs(work: &Path) -> usize {
    let mut n = 0;
    let dumps: Vec<PathBuf> = files_with(&root().join("fixtures/dump"), ".txt");
    let pdfs: Vec<PathBuf> = files_with(&root().join("fixtures/pdf"), ".pdf")
        .into_iter()
        .filter(|p| name(p).starts_with("en-"))
        .collect();
    assert!(dumps.len() >= 8 && pdfs.len() >= 4, "fixtures are there");
    for (folder, list) in [("in/a", &dumps), ("in/b/deep", &dumps), ("in/pdf", &pdfs)] {
        fs::create_dir_all(work.join(folder)).unwrap();
        for f in list.iter() {
            fs::copy(f, work.join(folder).join(name(f))).unwrap();
            n += 1;
        }
    }
    fs::create_dir_all(work.join("in/same-stem")).unwrap();
    for f in pdfs.iter().take(3) {
        let stem = name(f).trim_end_matches(".pdf").to_string();
        fs::copy(f, work.join(format!("in/same-stem/{stem}.pdf"))).unwrap();
        fs::copy(
            &dumps[n % dumps.len()],
            work.join(format!("in/same-stem/{stem}.txt")),
        )
        .unwrap();
        n += 2;
    }
    n
}

fn name(p: &Path) -> String {
    p.file_name().unwrap().to_string_lossy().into_owned()
}

fn files_with(dir: &Path, suffix: &str) -> Vec<PathBuf> {
    let mut v: Vec<PathBuf> = fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| name(p).ends_with(suffix) && !name(p).contains(".gold."))
        .collect();
    v.sort();
    v
}

/// Every file under `dir`, by path relative to it, with its bytes.
fn tree(dir: &Path) -> BTreeMap<String, Vec<u8>> {
    let mut out = BTreeMap::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for e in fs::read_dir(&d).unwrap() {
            let p = e.unwrap().path();
            if p.is_dir() {
                stack.push(p);
            } else {
                let rel = p.strip_prefix(dir).unwrap().to_string_lossy().into_owned();
                out.insert(rel, fs::read(&p).unwrap());
            }
        }
    }
    out
}

fn spawn(work: &Path, out: &str, resume: bool) -> Child {
    let mut cmd = bin();
    cmd.current_dir(work)
        .args(["extract", "-q", "-j", "2", "in", "-o", out]);
    if resume {
        cmd.arg("--resume");
    }
    cmd.stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap()
}

fn journal_lines(path: &Path) -> usize {
    fs::read(path)
        .map(|b| b.iter().filter(|&&c| c == b'\n').count())
        .unwrap_or(0)
}

/// Waits until the journal has `lines` lines (or the run ended), then
/// kills the run with SIGKILL.
fn kill_after(mut child: Child, journal: &Path, lines: usize) {
    loop {
        if journal_lines(journal) >= lines || child.try_wait().unwrap().is_some() {
            break;
        }
        sleep(Duration::from_millis(2));
    }
    let _ = child.kill();
    let _ = child.wait();
}

fn finish(child: Child) {
    let o = child.wait_with_output().unwrap();
    assert_eq!(code(&o), 0, "{}", stderr(&o));
}

#[test]
fn killed_batches_resume_to_the_same_outputs() {
    let dir = tempfile::tempdir().unwrap();
    let work = dir.path();
    let inputs = make_inputs(work);

    finish(spawn(work, "ref", false));
    let mut reference = tree(&work.join("ref"));
    reference.remove(JOURNAL);
    assert_eq!(reference.len(), inputs, "one output per input");
    for (rel, bytes) in &reference {
        assert!(
            rel.ends_with(".txt.json") || rel.ends_with(".pdf.json"),
            "{rel}"
        );
        let doc: serde_json::Value = serde_json::from_slice(bytes).unwrap();
        assert!(
            doc["articles"].as_array().is_some_and(|a| !a.is_empty()),
            "{rel}"
        );
    }

    // (first kill, second kill during the first resume): journal lines.
    let kill_points: [(usize, Option<usize>); 7] = [
        (0, None),
        (1, None),
        (3, Some(4)),
        (inputs / 4, None),
        (inputs / 2, Some(inputs / 2 + 3)),
        (inputs - 2, None),
        (inputs, None),
    ];
    for (i, (first, second)) in kill_points.into_iter().enumerate() {
        let out = format!("out{i}");
        let journal = work.join(&out).join(JOURNAL);
        kill_after(spawn(work, &out, false), &journal, first);
        if let Some(second) = second {
            kill_after(spawn(work, &out, true), &journal, second);
        }
        finish(spawn(work, &out, true));

        let mut got = tree(&work.join(&out));
        got.remove(JOURNAL);
        let names: Vec<&String> = got.keys().collect();
        assert!(
            !names.iter().any(|n| n.ends_with(".part")),
            "kill point {first}: temporary files left: {names:?}"
        );
        assert_eq!(
            got.keys().collect::<Vec<_>>(),
            reference.keys().collect::<Vec<_>>(),
            "kill point {first}: the same outputs"
        );
        for (rel, bytes) in &reference {
            assert!(got[rel] == *bytes, "kill point {first}: {rel} differs");
        }

        let last = read_journal(&journal).unwrap();
        assert_eq!(last.len(), inputs, "kill point {first}: one id per input");
        assert!(
            last.values().all(|r| r.status == Status::Done),
            "kill point {first}: {last:?}"
        );
        // Each input was finished once: done inputs were skipped on resume.
        let text = fs::read_to_string(&journal).unwrap();
        let mut done: HashMap<String, usize> = HashMap::new();
        for line in text.lines() {
            if let Ok(r) = serde_json::from_str::<newsclip::batch::JournalRecord>(line) {
                if r.status == Status::Done {
                    *done.entry(r.id).or_default() += 1;
                }
            }
        }
        assert!(
            done.values().all(|&c| c == 1) && done.len() == inputs,
            "kill point {first}: {done:?}"
        );
    }
}

#[test]
fn stale_temporary_files_are_removed_and_outputs_never_collide() {
    let dir = tempfile::tempdir().unwrap();
    let work = dir.path();
    fs::create_dir_all(work.join("in/d1")).unwrap();
    fs::create_dir_all(work.join("in/d2")).unwrap();
    let dump = root().join("fixtures/dump/en-02.txt");
    fs::copy(&dump, work.join("in/d1/a.txt")).unwrap();
    fs::copy(&dump, work.join("in/d2/a.txt")).unwrap();
    // A torn output of a killed run.
    fs::create_dir_all(work.join("out/d1")).unwrap();
    fs::write(work.join("out/d1/a.txt.json.part"), b"{\"sour").unwrap();
    let o = bin()
        .current_dir(work)
        .args(["extract", "-q", "in/d1/a.txt", "in/d2/a.txt", "-o", "out"])
        .output()
        .unwrap();
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    let got: Vec<String> = tree(&work.join("out")).into_keys().collect();
    assert_eq!(got, ["d1/a.txt.json", "d2/a.txt.json", JOURNAL]);

    // Two manifest entries naming one output: refused before any work.
    fs::write(
        work.join("list.jsonl"),
        "{\"path\": \"in/d1/a.txt\", \"output\": \"same.json\"}\n{\"path\": \"in/d2/a.txt\", \"output\": \"same.json\"}\n",
    )
    .unwrap();
    let o = bin()
        .current_dir(work)
        .args(["extract", "-q", "--manifest", "list.jsonl", "-o", "out2"])
        .output()
        .unwrap();
    assert_eq!(code(&o), 2, "{}", stderr(&o));
    assert!(stderr(&o).contains("same.json"), "{}", stderr(&o));
    assert!(!work.join("out2").exists(), "nothing was written");

    // An output that is an input: refused.
    fs::write(
        work.join("list2.jsonl"),
        "{\"path\": \"in/d1/a.txt\", \"output\": \"../in/d2/a.txt\"}\nin/d2/a.txt\n",
    )
    .unwrap();
    let o = bin()
        .current_dir(work)
        .args(["extract", "-q", "--manifest", "list2.jsonl", "-o", "out3"])
        .output()
        .unwrap();
    assert_eq!(code(&o), 2, "{}", stderr(&o));
    assert!(stderr(&o).contains("overwrite an input"), "{}", stderr(&o));
    assert_eq!(
        fs::read(work.join("in/d2/a.txt")).unwrap(),
        fs::read(&dump).unwrap()
    );
}

#[test]
fn shards_of_a_manifest_are_disjoint_and_cover_it() {
    let dir = tempfile::tempdir().unwrap();
    let work = dir.path();
    fs::create_dir_all(work.join("in")).unwrap();
    let dumps = files_with(&root().join("fixtures/dump"), ".txt");
    let mut manifest = String::new();
    for i in 0..24 {
        let p = format!("in/p{i:02}.txt");
        fs::copy(&dumps[i % dumps.len()], work.join(&p)).unwrap();
        manifest.push_str(&p);
        manifest.push('\n');
    }
    fs::write(work.join("list.txt"), manifest).unwrap();
    let mut all: Vec<String> = Vec::new();
    for k in 1..=3 {
        let o = bin()
            .current_dir(work)
            .args(["extract", "-q", "--manifest", "list.txt", "-o", "out"])
            .arg(format!("--shard={k}/3"))
            .output()
            .unwrap();
        assert_eq!(code(&o), 0, "{}", stderr(&o));
        let journal = work.join(format!("out/newsclip-journal-{k}-of-3.jsonl"));
        let ids: Vec<String> = read_journal(&journal).unwrap().into_keys().collect();
        assert!(!ids.is_empty(), "24 inputs in 3 shards: shard {k} has some");
        all.extend(ids);
    }
    all.sort();
    let expected: Vec<String> = (0..24).map(|i| format!("in/p{i:02}.txt")).collect();
    assert_eq!(all, expected, "each input in exactly one shard");
    let outputs = tree(&work.join("out"))
        .into_keys()
        .filter(|k| k.ends_with(".txt.json"))
        .count();
    assert_eq!(outputs, 24);
}
