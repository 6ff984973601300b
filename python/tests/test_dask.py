"""The Dask driver on a real cluster on loopback: a scheduler and two worker
processes, one of them killed (SIGKILL) while it holds a task; every output
must still be written once, byte-identical to the CLI's, with one journal
record per input; and --resume must redo nothing but what is missing."""

import json
import os
import shutil
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from conftest import REPO, run_cli
from newsclip import _core

BIN = Path(sys.executable).parent
GATE_ID = "gated-input"
# A hang guard only (nothing is timed): on a loaded 2-core machine a step
# that should take seconds may take a minute.
DEADLINE = 600


def wait_for(what, condition, procs=()):
    end = time.monotonic() + DEADLINE
    while not condition():
        for p in procs:
            if p.poll() is not None:
                raise AssertionError(f"{what}: {p.args[0]} exited {p.returncode} first:\n"
                                     f"{_stderr(p)}")
        if time.monotonic() > end:
            raise AssertionError(f"{what}: still not the case after {DEADLINE} s")
        threading.Event().wait(0.1)


def _stderr(p):
    return Path(p.stderr.name).read_text(errors="replace") if hasattr(p.stderr, "name") else ""


def build_inputs(root):
    """At least 50 distinct inputs in a small tree: the repository's dump and
    PDF fixtures, two-page dumps made of two of them, and one broken PDF."""
    dumps = sorted((REPO / "fixtures" / "dump").glob("*.txt"))
    pdfs = sorted((REPO / "fixtures" / "pdf").glob("*.pdf"))
    assert len(dumps) >= 20 and len(pdfs) >= 10
    paths = []
    for src in dumps:
        dst = root / "dumps" / src.name
        dst.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(src, dst)
        paths.append(dst)
    for src in pdfs:
        dst = root / "pdf" / "issue" / src.name
        dst.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(src, dst)
        paths.append(dst)
    # Two pages each (a form feed between them), and a .pdf of the same stem
    # beside a .txt: their outputs must not collide.
    for i in range(0, len(dumps) - 1, 2):
        dst = root / "two-page" / f"{dumps[i].stem}+{dumps[i + 1].stem}.txt"
        dst.parent.mkdir(parents=True, exist_ok=True)
        dst.write_bytes(dumps[i].read_bytes() + b"\f" + dumps[i + 1].read_bytes())
        paths.append(dst)
    same_stem = root / "two-page" / f"{dumps[0].stem}+{dumps[1].stem}.pdf"
    shutil.copyfile(pdfs[0], same_stem)
    paths.append(same_stem)
    broken = root / "broken" / "no-pages.pdf"
    broken.parent.mkdir(parents=True)
    broken.write_bytes(b"%PDF-1.7\n1 0 obj << /Type /Catalog >> endobj\ntrailer garbage")
    paths.append(broken)
    return paths, broken


def write_manifest(path, inputs, gated):
    lines = ["# built by python/tests/test_dask.py"]
    for p in inputs:
        if p == gated:
            lines.append(json.dumps({"id": GATE_ID, "path": str(p)}))
        else:
            lines.append(str(p))
    path.write_text("\n".join(lines) + "\n")


def tree(folder, skip=()):
    return {p.relative_to(folder).as_posix(): p.read_bytes()
            for p in sorted(folder.rglob("*")) if p.is_file() and p.name not in skip}


def journal_lines(path):
    return [json.loads(line) for line in path.read_text().splitlines() if line.strip()]


@pytest.fixture
def cluster(tmp_path):
    """A scheduler and two worker processes (no nanny: a killed worker stays
    dead) on loopback; yields (address, worker processes, gate folder)."""
    logs = tmp_path / "logs"
    gate = tmp_path / "gate"
    logs.mkdir()
    gate.mkdir()
    env = dict(os.environ, NEWSCLIP_GATE_DIR=str(gate), NEWSCLIP_GATE_ID=GATE_ID)
    started = []

    def start(name, *args):
        err = open(logs / f"{name}.log", "w")
        p = subprocess.Popen([str(BIN / "dask"), *args], stdout=err, stderr=err, env=env,
                             cwd=tmp_path)
        started.append(p)
        return p

    sched_file = tmp_path / "scheduler.json"
    scheduler = start("scheduler", "scheduler", "--host", "127.0.0.1", "--port", "0",
                      "--no-dashboard", "--scheduler-file", str(sched_file))
    try:
        wait_for("the scheduler file", sched_file.is_file, [scheduler])
        address = json.loads(sched_file.read_text())["address"]
        workers = [start(f"worker-{i}", "worker", address, "--host", "127.0.0.1",
                         "--no-nanny", "--nthreads", "2", "--no-dashboard",
                         "--preload", str(Path(__file__).with_name("dask_gate.py")))
                   for i in range(2)]
        from distributed import Client
        with Client(address, timeout=DEADLINE) as client:
            client.wait_for_workers(2, timeout=DEADLINE)
        yield address, workers, gate
    finally:
        for p in started:
            if p.poll() is None:
                p.kill()
            p.wait()


def test_dask_run_survives_a_killed_worker_and_matches_the_cli(tmp_path, cluster, cli):
    address, workers, gate = cluster
    inputs, broken = build_inputs(tmp_path / "in")
    gated = inputs[len(inputs) // 2]
    manifest = tmp_path / "manifest.txt"
    write_manifest(manifest, inputs, gated)
    assert len(inputs) >= 50
    out = tmp_path / "dask-out"
    journal = out / "newsclip-journal.jsonl"

    driver_log = open(tmp_path / "driver.log", "w")
    driver = subprocess.Popen(
        [sys.executable, "-m", "newsclip.dask", str(manifest), "--out", str(out),
         "--scheduler", address], stdout=driver_log, stderr=driver_log)
    try:
        # A worker holds the gated input, and other inputs went through.
        wait_for("a worker holding the gated input", lambda: list(gate.glob("held-*")),
                 [driver])
        wait_for("ten records in the journal",
                 lambda: journal.is_file() and len(journal_lines(journal)) >= 10, [driver])
        held = [int(p.name.split("-")[1]) for p in gate.glob("held-*")]
        assert len(held) == 1
        victim = next(w for w in workers if w.pid == held[0])
        assert driver.poll() is None  # midway: the gated input is not done
        assert GATE_ID not in {r["id"] for r in journal_lines(journal)}
        victim.send_signal(signal.SIGKILL)
        victim.wait()
        (gate / "release").touch()
        rc = driver.wait(timeout=DEADLINE)
    finally:
        if driver.poll() is None:
            driver.kill()
            driver.wait()
    log = (tmp_path / "driver.log").read_text()
    assert rc == 1, log  # the broken PDF failed; everything else is done
    # The gated input was run again, by the other worker.
    survivor = next(w for w in workers if w is not victim)
    assert (gate / f"held-{survivor.pid}").is_file()

    # The single-machine CLI on the same manifest.
    cli_out = tmp_path / "cli-out"
    done = run_cli(cli, "extract", "--manifest", manifest, "-o", cli_out, "-j", "2",
                   "--quiet", check=False)
    assert done.returncode == 1, done.stderr
    assert str(broken) in log and str(broken) in done.stderr.decode()

    dask_files = tree(out, skip={journal.name})
    cli_files = tree(cli_out, skip={journal.name})
    assert sorted(dask_files) == sorted(cli_files)
    assert len(dask_files) == len(inputs) - 1  # all but the broken one, once each
    assert not [n for n in dask_files if n.endswith(".part")]
    for name, data in cli_files.items():
        assert dask_files[name] == data, f"{name} differs from the CLI's"

    records = journal_lines(journal)
    assert len(records) == len(inputs)  # one record per input, even the rerun one
    by_id = {r["id"]: r for r in records}
    assert by_id == json.loads(_core.read_journal(str(journal)))  # as the CLI reads it
    ids = {GATE_ID if p == gated else str(p) for p in inputs}
    assert set(by_id) == ids
    for id_, r in by_id.items():
        if id_ == str(broken):
            assert r["status"] == "failed" and str(broken) in r["error"] and r["output"]
            assert not Path(r["output"]).exists()
        else:
            assert r["status"] == "done", r
            assert Path(r["output"]).read_bytes() == cli_files[
                Path(r["output"]).relative_to(out).as_posix()]
    assert by_id[GATE_ID]["path"] == str(gated)

    # Resume: nothing done is redone; a missing output is.
    stamps = {p: p.stat().st_mtime_ns for p in out.rglob("*.json") if p != journal}
    lost = Path(by_id[str(inputs[0])]["output"])
    lost.unlink()
    (gate / "release").touch()
    again = subprocess.run(
        [sys.executable, "-m", "newsclip.dask", str(manifest), "--out", str(out),
         "--scheduler", address, "--resume"], capture_output=True, text=True,
        timeout=DEADLINE)
    assert again.returncode == 1, again.stderr
    assert f"{len(inputs) - 2} skipped" in again.stderr, again.stderr
    new = journal_lines(journal)[len(records):]
    assert sorted(r["id"] for r in new) == sorted([str(inputs[0]), str(broken)])
    assert lost.read_bytes() == cli_files[lost.relative_to(out).as_posix()]
    for p, stamp in stamps.items():
        if p != lost:
            assert p.stat().st_mtime_ns == stamp, f"{p} was rewritten"
