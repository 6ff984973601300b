"""newsclip.extract: the CLI's output as Python objects, errors naming the
file, and the GIL released while the Rust pipeline works."""

import faulthandler
import json
import os
import threading

import pytest

import newsclip
from conftest import REPO, run_cli

DUMP = REPO / "fixtures" / "dump" / "en-02.txt"
ZH_DUMP = REPO / "fixtures" / "dump" / "zh-01.txt"
PDF = REPO / "fixtures" / "pdf" / "en-01.pdf"


def test_dump_is_the_cli_json(cli):
    expected = run_cli(cli, "extract", DUMP).stdout
    assert newsclip.extract_raw(str(DUMP)) == expected
    doc = newsclip.extract(DUMP)  # os.PathLike too
    assert doc == json.loads(expected)
    assert doc["source"] == {"path": str(DUMP), "format": "dump", "encoding": "UTF-8"}
    gold = json.loads((REPO / "fixtures" / "dump" / "en-02.gold.json").read_text())
    # The articles themselves (the CLI's quality is tested in Rust): the
    # page's headlines are there.
    found = {a["headline"] for a in doc["articles"]}
    assert len(found & {a["headline"] for a in gold["articles"]}) >= len(gold["articles"]) - 1


def test_pdf_is_the_cli_json(cli):
    expected = run_cli(cli, "extract", PDF).stdout
    doc = newsclip.extract(str(PDF))
    assert doc == json.loads(expected)
    assert doc["source"]["format"] == "pdf"
    assert doc["articles"] and all("bbox" in a for a in doc["articles"])


def test_formats_and_options_mirror_the_cli(cli):
    for fmt in ("jsonl", "text"):
        expected = run_cli(cli, "extract", ZH_DUMP, "--format", fmt).stdout
        assert newsclip.extract_raw(ZH_DUMP, format=fmt) == expected
    records = newsclip.extract(ZH_DUMP, format="jsonl")
    articles = [r for r in records if r["type"] == "article"]
    assert len(articles) == len(newsclip.extract(ZH_DUMP)["articles"])
    assert all(r["source"]["path"] == str(ZH_DUMP) for r in records)
    # The single-file XML formats, as the CLI writes them.
    assert newsclip.extract(PDF, format="alto") == run_cli(
        cli, "extract", PDF, "--format", "alto").stdout.decode()
    with pytest.raises(ValueError, match="several files"):
        newsclip.extract(PDF, format="page")
    assert newsclip.extract(ZH_DUMP, format="text") == run_cli(
        cli, "extract", ZH_DUMP, "--format", "text").stdout.decode()
    # A forced encoding, as --encoding.
    gbk = ZH_DUMP.read_text(encoding="utf-8").encode("gbk")
    doc = newsclip.extract(gbk, name="zh.txt", encoding="gbk")
    assert doc["source"]["encoding"] == "GBK"
    assert doc["articles"] == newsclip.extract(ZH_DUMP)["articles"]
    with pytest.raises(ValueError, match="unknown engine"):
        newsclip.extract(DUMP, engine="nope")
    with pytest.raises(ValueError, match="unknown encoding"):
        newsclip.extract(DUMP, encoding="nope")
    with pytest.raises(ValueError, match="unknown format"):
        newsclip.extract_raw(DUMP, format="xml")


def test_bytes_input(cli):
    data = DUMP.read_bytes()
    doc = newsclip.extract(data)
    assert doc["source"]["path"] == "<bytes>"
    named = newsclip.extract_raw(data, name=str(DUMP))
    assert named == run_cli(cli, "extract", DUMP).stdout
    pdf = newsclip.extract(PDF.read_bytes(), name="p.pdf")
    assert pdf["source"]["path"] == "p.pdf"
    assert pdf["articles"] == newsclip.extract(PDF)["articles"]


def test_errors_name_the_file(tmp_path):
    missing = tmp_path / "missing.txt"
    with pytest.raises(newsclip.NewsclipError) as e:
        newsclip.extract(missing)
    assert str(missing) in str(e.value) and e.value.path == str(missing)
    assert e.value.kind == "io"

    broken = tmp_path / "broken.pdf"
    broken.write_bytes(b"%PDF-1.7\n1 0 obj << /Type /Catalog >> endobj\ntrailer garbage")
    with pytest.raises(newsclip.NewsclipError) as e:
        newsclip.extract(broken)
    assert str(broken) in str(e.value)

    with pytest.raises(newsclip.NewsclipError) as e:
        newsclip.extract(b"  \n\n", name="blank.txt")
    assert "blank.txt" in str(e.value) and e.value.kind == "empty"

    with pytest.raises(TypeError):
        newsclip.extract(12)


def test_gil_is_released_while_extract_works(tmp_path):
    """Two threads call extract() on FIFOs that this thread fills only after
    it has seen both calls in progress at once: were the GIL held inside
    extract(), neither this thread nor the second caller could run, and the
    threads would wait on each other forever (the watchdog ends that)."""
    data = DUMP.read_bytes()
    assert len(data) < 65536  # fits a pipe's buffer: the writes never block
    fifos = [tmp_path / f"page-{i}.txt" for i in range(2)]
    results = [{} for _ in fifos]
    feeders = []
    for fifo in fifos:
        os.mkfifo(fifo)
        # Opened read-write so that no open() blocks; a reader's read waits
        # for the data and for this descriptor to close (end of file).
        feeders.append(os.open(fifo, os.O_RDWR))

    def work(fifo, result):
        try:
            result["doc"] = newsclip.extract(fifo)
        except BaseException as e:  # reported by the assertions below
            result["error"] = e

    faulthandler.dump_traceback_later(120, exit=True)
    try:
        workers = [threading.Thread(target=work, args=(f, r)) for f, r in zip(fifos, results)]
        for w in workers:
            w.start()
        # Python code running here while the workers are inside extract():
        # wait until each has its FIFO open (a second descriptor on it).
        while not all(_open_count(f) >= 2 for f in fifos):
            assert all(w.is_alive() for w in workers), results
            threading.Event().wait(0.01)
        assert all(w.is_alive() for w in workers) and results == [{}, {}]
        for feeder in feeders:
            os.write(feeder, data)
            os.close(feeder)
        for w in workers:
            w.join()
    finally:
        faulthandler.cancel_dump_traceback_later()
    expected = newsclip.extract(DUMP)["articles"]
    for fifo, result in zip(fifos, results):
        assert "error" not in result, result.get("error")
        assert result["doc"]["source"]["path"] == str(fifo)
        assert result["doc"]["articles"] == expected


def _open_count(path):
    """How many descriptors of this process are open on PATH."""
    st = os.stat(path)
    count = 0
    for fd in os.listdir("/proc/self/fd"):
        try:
            other = os.stat(f"/proc/self/fd/{fd}")
        except OSError:
            continue
        count += (other.st_dev, other.st_ino) == (st.st_dev, st.st_ino)
    return count
