"""Shared paths for the Python tests (run by scripts/test-python).

The tests compare against the CLI of the same checkout: target/release/newsclip,
built by `cargo build --release` before they run.
"""

import os
import subprocess
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
CLI = Path(os.environ.get("NEWSCLIP_CLI", REPO / "target" / "release" / "newsclip"))


@pytest.fixture(scope="session")
def cli():
    if not CLI.is_file():
        pytest.fail(f"{CLI} is missing: run cargo build --release first")
    return CLI


def run_cli(cli, *args, check=True):
    """The CLI's standard output (bytes) for `newsclip ARGS`."""
    done = subprocess.run([str(cli), *map(str, args)], capture_output=True, check=False)
    if check and done.returncode != 0:
        raise AssertionError(f"newsclip {' '.join(map(str, args))} exited "
                             f"{done.returncode}: {done.stderr.decode(errors='replace')}")
    return done
