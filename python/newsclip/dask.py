"""A bulk run on a Dask cluster: ``python -m newsclip.dask MANIFEST --out DIR``.

    python -m newsclip.dask manifest.txt --out out/                        # local workers
    python -m newsclip.dask manifest.txt --out out/ --scheduler tcp://head:8786
    python -m newsclip.dask manifest.txt --out out/ --scheduler ... --resume

Contract:

- The plan is the Rust batch core's (``newsclip._core.plan``, the code behind
  ``newsclip extract --manifest``): the same manifest syntax, output names,
  collision refusals, ``--shard`` and ``--resume`` rules, and the same journal
  file (``OUT/newsclip-journal.jsonl`` by default). A run can be resumed by the
  CLI and the other way round.
- Each input is one task: ``process_spec`` runs ``_core.process_one`` on a
  worker, which reads the input, runs the pipeline and writes the output
  through a temporary file and a rename (a worker killed mid-write leaves no
  partial output). The task returns the journal record only, so no document
  crosses the network. Outputs are byte-identical to the CLI's for the same
  manifest: the same code writes them.
- Inputs and the output folder must be at the same paths on every worker (a
  shared file system). The manifest and ``--out`` are made absolute here, so
  the workers' working folders do not matter; documents name inputs by these
  absolute paths (as the CLI does when given an absolute manifest path).
- The journal is written by ONE process, this driver, as results come back:
  appends from many machines to one file on a network file system are not
  atomic (NFS has no O_APPEND across clients), so workers never touch it.
  A record is appended only after its output was renamed into place, so a
  ``done`` record always means a whole output; an input whose task finished
  but whose record was not yet written when the driver died is redone on
  ``--resume`` (rewriting the same bytes).
- A task whose worker dies is rerun elsewhere by the scheduler (up to
  ``distributed.scheduler.allowed-failures`` times); a task that raises is
  retried ``--retries`` times. An input that still fails gets a ``failed``
  record and the driver exits 1 (an output a worker could not write is such
  a record too: the CLI exits 2 for it, the driver 1); a journal that cannot
  be written exits 2; a manifest the plan refuses exits 2 before any work;
  3 when every input was written but some pages failed (``partial``), as
  the CLI.
"""

import argparse
import json
import os
import sys
import time

from . import _core

# Records the driver makes itself (an input whose task never came back) have
# the fields of the Rust JournalRecord; Journal.append checks them.
_FAILED_RECORD = {"status": "failed", "pages": 0, "articles": 0, "warnings": 0,
                  "engine": None, "seconds": 0.0}


def process_spec(spec, format, options):
    """Runs on a worker: one input read, processed and written; its journal
    record back (a dict). Never raises for a bad input (the record says
    ``failed``); the GIL is released while the Rust core works."""
    return json.loads(_core.process_one(spec, format=format, **options))


def _parse_args(argv):
    p = argparse.ArgumentParser(
        prog="python -m newsclip.dask",
        description="Run newsclip over a manifest on a Dask cluster, with the CLI's "
                    "output names, journal and resume rules.")
    p.add_argument("manifest", help="one input per line: a path, a folder, or a JSON object "
                                    '{"id": ..., "path": ..., "output": ...} (as newsclip '
                                    "extract --manifest)")
    p.add_argument("--out", "-o", required=True, help="output folder (shared by the workers)")
    p.add_argument("--scheduler", metavar="ADDRESS",
                   help="Dask scheduler address (tcp://host:8786); default: a local cluster")
    p.add_argument("--workers", type=int, default=0,
                   help="local cluster only: worker processes (default: one per core)")
    p.add_argument("--format", default="json", choices=["json", "jsonl", "text", "alto", "mets", "page", "hocr"])
    p.add_argument("--resume", action="store_true",
                   help="skip inputs the journal records as done whose output is in place")
    p.add_argument("--journal", help="run journal (default: OUT/newsclip-journal.jsonl)")
    p.add_argument("--shard", metavar="K/N", help="take part K of N of the manifest (as the CLI)")
    p.add_argument("--retries", type=int, default=2,
                   help="reruns of a task that raised (worker losses are retried by the "
                        "scheduler)")
    p.add_argument("--encoding", help="decode dumps with this encoding instead of detecting it")
    p.add_argument("--engine", default="auto", choices=["auto", "tesseract", "ppocr"])
    p.add_argument("--ppocr-dir", help="folder of the PP-OCR models and libonnxruntime")
    p.add_argument("--lang", "-l", help="OCR languages, Tesseract style (chi_sim+eng)")
    p.add_argument("--ocr", default="auto", choices=["auto", "always", "never"])
    p.add_argument("--quiet", "-q", action="store_true", help="no closing summary")
    return p.parse_args(argv)


def _say(msg):
    print(f"newsclip: {msg}", file=sys.stderr, flush=True)


def run(args):
    """The run described by parsed arguments; returns the exit code."""
    options = {"encoding": args.encoding, "engine": args.engine, "lang": args.lang,
               "ocr": args.ocr,
               "ppocr_dir": os.path.abspath(args.ppocr_dir) if args.ppocr_dir else None}
    try:
        # Checked here, before any cluster starts: the workers' own parser.
        _core.check_options(**options)
    except ValueError as e:
        _say(str(e))
        return 2
    try:
        plan = json.loads(_core.plan(
            manifest=os.path.abspath(args.manifest), output=os.path.abspath(args.out),
            format=args.format, shard=args.shard, resume=args.resume,
            journal=os.path.abspath(args.journal) if args.journal else None))
    except _core.PlanError as e:
        _say(str(e))
        return 2
    for e in plan["walk_errors"]:
        _say(e)
    specs = plan["inputs"]
    if not specs and not plan["skipped"] and not plan["other_shards"]:
        _say("no input files found in the manifest")
        return 1
    try:
        journal = _core.Journal(plan["journal"])
    except OSError as e:
        _say(str(e))
        return 2
    counts = {"done": 0, "partial": 0, "failed": 0}
    pages = 0
    journal_failed = False
    started = time.monotonic()
    for record in _records(args, specs, options):
        try:
            journal.append(json.dumps(record))
        except OSError as e:
            if not journal_failed:
                _say(f"{plan['journal']}: cannot write the journal: {e}")
            journal_failed = True
        counts[record["status"]] += 1
        pages += record["pages"]
        if record["status"] == "failed" and record.get("error"):
            _say(record["error"])

    if not args.quiet:
        seconds = time.monotonic() - started
        _say(f"{counts['done']} done, {counts['partial']} partial, {counts['failed']} failed, "
             f"{len(plan['skipped'])} skipped (already done), {pages} pages in {seconds:.1f} s; "
             f"journal {plan['journal']}")
    if journal_failed:
        return 2
    if counts["failed"] or plan["walk_errors"]:
        return 1
    if counts["partial"]:
        return 3  # as the CLI: written, but some pages were not read
    return 0


def _records(args, specs, options):
    """Runs the specs on the cluster (local unless args.scheduler) and yields
    each one's journal record as its task finishes; a task lost for good
    gives a ``failed`` record naming the input."""
    if not specs:  # everything skipped, or in other shards: no cluster
        return
    from distributed import Client, LocalCluster, as_completed

    if args.scheduler:
        cluster = None
        client = Client(args.scheduler)
    else:
        cluster = LocalCluster(n_workers=args.workers or os.cpu_count() or 1,
                               threads_per_worker=1, dashboard_address=None)
        client = Client(cluster)
    # Task keys unique to this run (a scheduler may serve several drivers).
    run_id = f"{os.getpid()}-{int(time.time() * 1000)}"
    try:
        threads = max(1, sum(client.nthreads().values()))
        # A window of tasks in flight, so a manifest of millions of inputs
        # does not put millions of futures on the scheduler at once.
        window = max(64, 4 * threads)
        pending = iter(enumerate(specs))
        spec_of = {}  # future key -> spec

        def submit(item):
            i, spec = item
            future = client.submit(process_spec, spec, args.format, options,
                                   retries=args.retries, pure=False,
                                   key=f"newsclip-{run_id}-{i}")
            spec_of[future.key] = spec
            return future

        in_flight = as_completed([submit(item) for _, item in zip(range(window), pending)])
        for future in in_flight:
            spec = spec_of.pop(future.key)
            try:
                record = future.result()
            except Exception as e:  # noqa: BLE001  (a lost task: recorded, the run goes on)
                record = dict(_FAILED_RECORD, id=spec["id"], path=spec["path"],
                              output=spec["output"],
                              error=f"{spec['path']}: the task failed on the cluster: {e!r}")
            future.release()
            yield record
            item = next(pending, None)
            if item is not None:
                in_flight.add(submit(item))
    finally:
        client.close()
        if cluster is not None:
            cluster.close()


def main(argv=None):
    return run(_parse_args(sys.argv[1:] if argv is None else argv))


if __name__ == "__main__":
    # Run through the module imported under its own name, so that tasks refer
    # to newsclip.dask.process_spec (pickled by reference, found on the
    # workers' installed package), not to a copy of this file's __main__.
    from newsclip.dask import main as _main

    sys.exit(_main())
