"""A `dask worker --preload` module for tests/test_dask.py: holds the task of
one input (NEWSCLIP_GATE_ID) until the file GATE_DIR/release exists, after
leaving GATE_DIR/held-<pid> to say which worker process holds it. The test
kills that worker while it holds the task, so the kill lands midway
through the run without timing anything."""

import os
import threading

import newsclip.dask as driver

GATE_DIR = os.environ["NEWSCLIP_GATE_DIR"]
GATE_ID = os.environ["NEWSCLIP_GATE_ID"]
# Dask may import a preload file more than once (from a copy in its scratch
# space too): wrap the driver's own function, once.
_process_spec = getattr(driver.process_spec, "ungated", driver.process_spec)


def _gated(spec, format, options):
    if spec["id"] == GATE_ID:
        with open(os.path.join(GATE_DIR, f"held-{os.getpid()}"), "w"):
            pass
        while not os.path.exists(os.path.join(GATE_DIR, "release")):
            threading.Event().wait(0.05)
    return _process_spec(spec, format, options)


_gated.ungated = _process_spec
driver.process_spec = _gated
