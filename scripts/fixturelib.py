"""Shared helpers of the fixture generators (imported, never run).

The older generators are scripts without a ``.py`` extension; this module
loads them as modules so that newer generators reuse their pieces instead of
copying them:

* ``dump``: ``scripts/gen-dump-fixtures`` -- the article texts
  (``load_texts``, ``Text``) and the gold conventions (``gold_article``,
  ``parse_byline``, ``opener_parts``, ``credit_name``);
* ``pdf``: ``scripts/gen-pdf-fixtures`` -- the generated grey photos
  (``make_photo``), the English compound runs (``COMPOUND``), the font folder
  lookup (``find_font_dir``) and the typst pin;
* ``ocr``: ``scripts/gen-ocr-fixtures`` -- rasterising and degrading a page
  the way a scanner does (``rasterise``, ``draw_params``, ``degrade``,
  ``jpeg_bytes``, ``png_bytes``, ``rotated_bbox``).

``ensure_venv()`` re-executes the calling script under ``.venv-fixtures``
(made when missing) with typst, numpy and Pillow pinned as the older
generators pin them.
"""

from __future__ import annotations

import importlib.machinery
import importlib.util
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
VENV = ROOT / ".venv-fixtures"


def _load(name: str, file: str):
    if name in sys.modules:
        return sys.modules[name]
    loader = importlib.machinery.SourceFileLoader(name, str(ROOT / "scripts" / file))
    spec = importlib.util.spec_from_loader(name, loader)
    mod = importlib.util.module_from_spec(spec)
    sys.modules[name] = mod
    loader.exec_module(mod)
    return mod


dump = _load("gen_dump_fixtures", "gen-dump-fixtures")
pdf = _load("gen_pdf_fixtures", "gen-pdf-fixtures")
ocr = _load("gen_ocr_fixtures", "gen-ocr-fixtures")

PINS = [f"typst=={pdf.TYPST_PIN}"] + [p for p in ocr.PINS if not p.startswith("pikepdf")]


def ensure_venv(script: str) -> None:
    """Make typst, numpy and Pillow importable, re-executing under the venv."""
    try:
        import numpy  # noqa: F401
        import PIL  # noqa: F401
        import typst  # noqa: F401
        return
    except ImportError:
        pass
    vpy = VENV / "bin" / "python"
    if os.environ.get("FIXTURELIB_REEXEC"):
        sys.exit(f"typst, numpy or Pillow is not importable in {VENV}; install with\n"
                 f"    apt-get install -y fonts-noto-cjk poppler-utils\n"
                 f"    python3 -m venv {VENV} && {VENV}/bin/pip install {' '.join(PINS)}")
    try:
        if not vpy.exists():
            print(f"creating {VENV} ...", file=sys.stderr)
            subprocess.run([sys.executable, "-m", "venv", str(VENV)], check=True)
        probe = subprocess.run([str(vpy), "-c", "import typst, numpy, PIL"], capture_output=True)
        if probe.returncode != 0:
            print(f"installing {' '.join(PINS)} into {VENV} ...", file=sys.stderr)
            subprocess.run([str(vpy), "-m", "pip", "install", "-q", *PINS], check=True)
    except (subprocess.CalledProcessError, OSError) as e:
        sys.exit(f"could not set up {VENV}: {e}")
    env = dict(os.environ, FIXTURELIB_REEXEC="1")
    os.execve(str(vpy), [str(vpy), str(Path(script).resolve())] + sys.argv[1:], env)
