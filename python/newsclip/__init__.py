"""newsclip from Python: newspaper pages to article-level structured data.

The work is done by the Rust library (the native module ``newsclip._core``,
the same code as the ``newsclip`` command): this package only turns its
output into Python objects.

    import newsclip
    doc = newsclip.extract("page.pdf")             # the CLI's JSON, as a dict
    doc = newsclip.extract(data, name="page.txt")  # bytes in memory
    recs = newsclip.extract("page.txt", format="jsonl")  # the CLI's JSONL records

``extract`` releases the GIL while it works, so threads calling it run in
parallel. A run over many files on a cluster: ``python -m newsclip.dask``.
"""

import json
import os

# Tesseract's OpenMP threads busy-wait beside our own threads (see
# limit_openmp_threads in src/main.rs): as the CLI, one OpenMP thread unless
# the user chose otherwise. libgomp reads this when libtesseract is first
# opened, which happens at the first OCR'd page, after this import.
os.environ.setdefault("OMP_THREAD_LIMIT", "1")

from . import _core  # noqa: E402  (after the environment is set)
from ._core import NewsclipError  # noqa: E402

__all__ = ["extract", "extract_raw", "NewsclipError", "__version__"]
__version__ = _core.__version__


def extract_raw(source, *, name=None, format="json", encoding=None, engine="auto",
                lang=None, ocr="auto", ppocr_dir=None):
    """The output bytes exactly as ``newsclip extract --format FORMAT`` writes them.

    ``source`` is a path (str or os.PathLike) or ``bytes``. Options are the
    CLI's: ``format`` json|jsonl|text|alto|hocr (mets and page write
    several files: use the CLI or the Dask driver), ``encoding`` (a label such as
    ``gbk``; default: detected), ``engine`` auto|tesseract|ppocr, ``lang``
    (``chi_sim+eng``; default chosen per page), ``ocr`` auto|always|never,
    ``ppocr_dir``. ``name`` is the path the document and errors show
    (default: the path given, or ``<bytes>``).

    Raises ``NewsclipError`` (with ``path``, ``page`` and ``kind``) when the
    input cannot be processed, ``ValueError`` for an unknown option value.
    """
    if ppocr_dir is not None:
        ppocr_dir = os.fspath(ppocr_dir)
    return _core.extract(source, name=name, format=format, encoding=encoding, engine=engine,
                         lang=lang, ocr=ocr, ppocr_dir=ppocr_dir)


def extract(source, *, name=None, format="json", encoding=None, engine="auto",
            lang=None, ocr="auto", ppocr_dir=None):
    """Extracts the articles of one input (a path or bytes).

    Returns, by ``format``: ``json`` (default) the document as a dict (the
    shape of schema/newsclip.schema.json, the CLI's JSON); ``jsonl`` a list
    of the CLI's JSONL records (dicts with a ``type``: document, article,
    furniture...); ``text``, ``alto`` and ``hocr`` the output as a str. Options and errors: see ``extract_raw``.
    """
    raw = extract_raw(source, name=name, format=format, encoding=encoding, engine=engine,
                      lang=lang, ocr=ocr, ppocr_dir=ppocr_dir)
    if format == "json":
        return json.loads(raw)
    if format == "jsonl":
        return [json.loads(line) for line in raw.splitlines() if line.strip()]
    return raw.decode("utf-8")
