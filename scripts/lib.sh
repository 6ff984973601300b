# shellcheck shell=bash
# Shared helpers for scripts/*: `source "$(dirname "$0")/lib.sh"`.
#
# - cd_repo_root: cd to the repository root (the parent of scripts/).
# - ensure_rust [COMPONENT...]: cargo on PATH, and the cargo subcommands
#   named (fmt, clippy); else print how to install them and exit 1.
# - ensure_apt PKG...: Debian packages installed; as root installs the
#   missing ones (apt-get update first when the package lists are missing or
#   stale), otherwise prints the exact sudo command and exits 1.
# - say MESSAGE: a visible step header on stderr.

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
