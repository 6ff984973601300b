//! One pathological page fails alone: a page past `--page-timeout` or past
//! `--max-memory` is recorded as failed, naming file and page, and the
//! rest of the input and of the batch is written. Inputs that are not
//! regular files and folders that cannot be searched fail, named, without
//! blocking. Exit codes tell a failed input (1) from a failed page (3).
//!
//! The pathological page is a dump page of 60 MB on one line and 20 MB of
//! ordinary lines, built here: it takes seconds and hundreds of MB, far past the limits given (1 s,
//! 350 MB: the program and the file read and decoded stay below it, the
//! page goes far past it), while the pages around it take milliseconds.

mod common;

use std::fs;
use std::path::Path;

use common::{bin, code, root, stderr};
use newsclip::batch::{read_journal, Status};

const JOURNAL: &str = "newsclip-journal.jsonl";

/// `in/` with two ordinary dumps and `mixed.txt`: an ordinary page, the
/// huge one-line page, an ordinary page.
fn make_inputs(work: &Path) {
    let page = fs::read_to_string(root().join("fixtures/dump/en-02.txt")).unwrap();
    fs::create_dir_all(work.join("in")).unwrap();
    for name in ["en-04.txt", "en-06.txt"] {
        fs::copy(
            root().join("fixtures/dump").join(name),
            work.join("in").join(name),
        )
        .unwrap();
    }
    // 60 MB on one line (memory), then 20 MB of ordinary lines: layout is
    // linear, but 20 MB of lines still take seconds, where a page takes
    // milliseconds.
    let one_line = "newspaper ".repeat(6_000_000);
    let lines = format!("{page}\n\n").repeat(20_000_000 / (page.len() + 2));
    fs::write(
        work.join("in/mixed.txt"),
        format!("{page}\u{c}{one_line}\n{lines}\u{c}{page}"),
    )
    .unwrap();
}

fn check_page_two_failed_alone(work: &Path, limit_flag: &[&str], says: &str) {
    let o = bin()
        .current_dir(work)
        .args(["extract", "-j", "2", "in", "-o", "out"])
        .args(limit_flag)
        .output()
        .unwrap();
    assert_eq!(code(&o), 3, "a page failed, no input: {}", stderr(&o));
    let err = stderr(&o);
    assert!(
        err.contains("in/mixed.txt") && err.contains("page 2") && err.contains(says),
        "{err}"
    );
    let journal = read_journal(&work.join("out").join(JOURNAL)).unwrap();
    assert_eq!(journal.len(), 3);
    assert_eq!(journal["in/en-04.txt"].status, Status::Done);
    assert_eq!(journal["in/en-06.txt"].status, Status::Done);
    let mixed = &journal["in/mixed.txt"];
    assert_eq!(mixed.status, Status::Partial, "{mixed:?}");
    // Pages 1 and 3 are there, page 2 is a page-failed warning.
    let doc: serde_json::Value =
        serde_json::from_slice(&fs::read(work.join("out/mixed.txt.json")).unwrap()).unwrap();
    let pages: Vec<u64> = doc["articles"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a["page"].as_u64().unwrap())
        .collect();
    assert!(pages.contains(&1) && pages.contains(&3), "{pages:?}");
    assert!(!pages.contains(&2), "{pages:?}");
    let failed: Vec<&serde_json::Value> = doc["warnings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|w| w["code"] == "page-failed")
        .collect();
    assert_eq!(failed.len(), 1, "{failed:?}");
    assert_eq!(failed[0]["page"], 2);
    // The ordinary inputs are whole.
    for name in ["en-04.txt", "en-06.txt"] {
        let doc: serde_json::Value =
            serde_json::from_slice(&fs::read(work.join(format!("out/{name}.json"))).unwrap())
                .unwrap();
        assert!(!doc["articles"].as_array().unwrap().is_empty(), "{name}");
    }
    let leftovers: Vec<_> = fs::read_dir(work.join("out"))
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n.ends_with(".part"))
        .collect();
    assert!(leftovers.is_empty(), "{leftovers:?}");
}

#[test]
fn a_page_past_the_timeout_fails_alone() {
    let dir = tempfile::tempdir().unwrap();
    make_inputs(dir.path());
    check_page_two_failed_alone(dir.path(), &["--page-timeout", "1"], "page timeout");
}

#[test]
fn a_page_past_the_memory_limit_fails_alone() {
    let dir = tempfile::tempdir().unwrap();
    make_inputs(dir.path());
    check_page_two_failed_alone(dir.path(), &["--max-memory", "350"], "memory limit 350 MB");
}

#[test]
fn a_fifo_is_refused_not_waited_on() {
    let dir = tempfile::tempdir().unwrap();
    let fifo = dir.path().join("pipe.txt");
    let c = std::ffi::CString::new(fifo.to_str().unwrap()).unwrap();
    // SAFETY: mkfifo reads the NUL-terminated path we pass.
    assert_eq!(unsafe { libc::mkfifo(c.as_ptr(), 0o600) }, 0);
    let good = dir.path().join("good.txt");
    fs::copy(root().join("fixtures/dump/en-04.txt"), &good).unwrap();
    // No writer ever opens the FIFO: a run that opened it would hang here.
    let o = bin()
        .args(["extract", "-q"])
        .arg(&fifo)
        .arg(&good)
        .args(["-o"])
        .arg(dir.path().join("out"))
        .output()
        .unwrap();
    assert_eq!(code(&o), 1, "{}", stderr(&o));
    assert!(
        stderr(&o).contains("pipe.txt") && stderr(&o).contains("not a regular file"),
        "{}",
        stderr(&o)
    );
    assert!(dir.path().join("out/good.txt.json").is_file());
}

#[test]
fn a_symlink_loop_in_a_folder_is_a_named_failure() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path().join("in");
    fs::create_dir_all(d.join("sub")).unwrap();
    fs::copy(root().join("fixtures/dump/en-04.txt"), d.join("a.txt")).unwrap();
    std::os::unix::fs::symlink("..", d.join("sub/up")).unwrap();
    let o = bin()
        .current_dir(dir.path())
        .args(["extract", "--progress", "jsonl", "in", "-o", "out"])
        .output()
        .unwrap();
    assert_eq!(code(&o), 1, "{}", stderr(&o));
    let err = stderr(&o);
    assert!(
        err.contains("in/sub/up") && err.contains("symbolic link loop"),
        "{err}"
    );
    assert!(dir.path().join("out/a.txt.json").is_file());
    // --progress jsonl: one event per input, then the summary.
    let events: Vec<serde_json::Value> = err
        .lines()
        .filter(|l| l.starts_with('{'))
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(events.len(), 2, "{err}");
    assert_eq!(events[0]["event"], "input");
    assert_eq!(events[0]["record"]["id"], "in/a.txt");
    assert_eq!(events[1]["event"], "summary");
    assert_eq!(events[1]["done"], 1);
    assert_eq!(events[1]["failed"], 1, "the loop counts as a failure");
}
