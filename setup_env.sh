#!/usr/bin/env bash
# vsg environment setup. Idempotent and non-interactive:
#   1. installs missing system tools with apt (ffmpeg, mkvtoolnix, rubberband-cli, espeak-ng, Qt runtime libs),
#      or stops with a message naming each missing tool and the command that installs it;
#   2. creates .venv and installs the project editable with its dependencies: one maturin project (root
#      pyproject.toml) holding vsg_core, vsg_qt and the compiled vsg_core_rs (release build);
#   3. rebuilds the Rust extension in place (maturin develop --release) when only vsg_core_rs/ changed;
#   4. compiles the Python modules to bytecode (what changed), so a vsg start does not compile them each time.
# Re-running it only redoes what changed: the whole install when pyproject.toml or this script changed, the
# extension when any file of vsg_core_rs/ changed. Optional extra: VSG_WITH_SEPARATION=1 also installs audio-separator (torch).
set -euo pipefail

PROJECT_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
VENV="$PROJECT_DIR/.venv"
cd "$PROJECT_DIR"

say()  { printf '[setup] %s\n' "$*"; }
fail() { printf '[setup] ERROR: %s\n' "$*" >&2; exit 1; }

# ---------------------------------------------------------------- 1. system tools
# tool -> Debian package
declare -A TOOL_PKG=(
  [ffmpeg]=ffmpeg [ffprobe]=ffmpeg
  [mkvmerge]=mkvtoolnix [mkvextract]=mkvtoolnix [mkvpropedit]=mkvtoolnix
  [rubberband]=rubberband-cli
  [espeak-ng]=espeak-ng
  [xvfb-run]=xvfb [xauth]=xauth
  [node]=nodejs [chromium]=chromium   # tests of the WASM clip core and the web/ page
)
# shared libraries PySide6 needs even for the offscreen platform -> Debian package
declare -A LIB_PKG=(
  [libEGL.so.1]=libegl1 [libGL.so.1]=libgl1 [libxkbcommon.so.0]=libxkbcommon0
  [libfontconfig.so.1]=libfontconfig1 [libglib-2.0.so.0]=libglib2.0-0 [libdbus-1.so.3]=libdbus-1-3
  [libxkbcommon-x11.so.0]=libxkbcommon-x11-0
  # Qt's xcb platform (a real desktop) and tools/screenshots.py under Xvfb
  [libxcb-cursor.so.0]=libxcb-cursor0 [libxcb-icccm.so.4]=libxcb-icccm4 [libxcb-keysyms.so.1]=libxcb-keysyms1
)

# files the test suite needs -> Debian package
declare -A FILE_PKG=(
  [/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf]=fonts-dejavu-core
  # web/build_wasm.sh: Debian's rustc with the wasm32 standard library and its linker (rust-lld -> lld-14)
  [/usr/bin/rustc]=rustc
  [/usr/lib/rustlib/wasm32-unknown-unknown/lib]=libstd-rust-dev-wasm32
  [/usr/bin/rust-lld]=lld-14
)

missing_pkgs=()
missing_names=()
for f in "${!FILE_PKG[@]}"; do
  [ -e "$f" ] || { missing_pkgs+=("${FILE_PKG[$f]}"); missing_names+=("$f"); }
done
for tool in "${!TOOL_PKG[@]}"; do
  command -v "$tool" >/dev/null 2>&1 || { missing_pkgs+=("${TOOL_PKG[$tool]}"); missing_names+=("$tool"); }
done
for lib in "${!LIB_PKG[@]}"; do
  if ! ldconfig -p 2>/dev/null | grep -q "$lib"; then
    missing_pkgs+=("${LIB_PKG[$lib]}"); missing_names+=("$lib")
  fi
done

if ((${#missing_pkgs[@]})); then
  mapfile -t pkgs < <(printf '%s\n' "${missing_pkgs[@]}" | sort -u)
  say "missing: ${missing_names[*]}"
  SUDO=""
  if [ "$(id -u)" -ne 0 ] && command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then SUDO="sudo"; fi
  if command -v apt-get >/dev/null 2>&1 && { [ "$(id -u)" -eq 0 ] || [ -n "$SUDO" ]; }; then
    say "installing with apt-get: ${pkgs[*]}"
    export DEBIAN_FRONTEND=noninteractive
    $SUDO apt-get update -qq
    $SUDO apt-get install -y -qq --no-install-recommends "${pkgs[@]}" >/dev/null
  else
    for i in "${!missing_names[@]}"; do
      printf '[setup] missing %s (Debian/Ubuntu package %s)\n' "${missing_names[$i]}" "${missing_pkgs[$i]}" >&2
    done
    fail "install them with: sudo apt-get install ${pkgs[*]}   then re-run ./setup_env.sh"
  fi
  for tool in "${!TOOL_PKG[@]}"; do
    command -v "$tool" >/dev/null 2>&1 || fail "$tool is still missing after installing ${TOOL_PKG[$tool]}"
  done
fi

command -v cargo >/dev/null 2>&1 || fail "the Rust toolchain (cargo) is missing: install it with rustup (https://rustup.rs) and re-run ./setup_env.sh"

# ---------------------------------------------------------------- 2. Python venv and deps
PYTHON="${VSG_PYTHON:-}"
if [ -z "$PYTHON" ]; then
  for cand in python3.13 python3.12 python3.11 python3.10 python3; do
    if command -v "$cand" >/dev/null 2>&1 && "$cand" -c 'import sys; sys.exit(0 if sys.version_info >= (3, 10) else 1)' 2>/dev/null; then
      PYTHON="$(command -v "$cand")"; break
    fi
  done
fi
[ -n "$PYTHON" ] || fail "Python 3.10 or newer is required: sudo apt-get install python3 python3-venv"

if [ ! -x "$VENV/bin/python" ]; then
  say "creating virtual environment .venv with $PYTHON"
  "$PYTHON" -m venv "$VENV" || fail "could not create .venv: sudo apt-get install python3-venv"
fi

hash_of() { cat "$@" 2>/dev/null | sha256sum | cut -d' ' -f1; }

deps_hash="$(hash_of pyproject.toml setup_env.sh)"
rust_hash="$(cd vsg_core_rs && find . -path ./target -prune -o -type f ! -name '*.so' ! -path '*/__pycache__/*' -print | LC_ALL=C sort | xargs sha256sum | sha256sum | cut -d' ' -f1)"
export VIRTUAL_ENV="$VENV" PYO3_PYTHON="$VENV/bin/python"
if [ "$(cat "$VENV/.vsg_deps_hash" 2>/dev/null)" != "$deps_hash" ]; then
  say "installing vsg with its dependencies and building vsg_core_rs (pip install -e '.[test,cluster]', maturin)"
  "$VENV/bin/python" -m pip install -q --upgrade pip
  # the extension used to be a project of its own; its old install would shadow the one in the package
  "$VENV/bin/python" -m pip uninstall -q -y vsg_core_rs >/dev/null 2>&1 || true
  "$VENV/bin/python" -m pip install -q -e ".[test,cluster]" || fail "installing vsg failed (see the output above)"
  if [ "${VSG_WITH_SEPARATION:-0}" = "1" ]; then
    say "installing the optional source-separation extra (audio-separator, torch)"
    "$VENV/bin/python" -m pip install -q -e ".[separation]"
  fi
  echo "$rust_hash" > "$VENV/.vsg_rust_hash"
  echo "$deps_hash" > "$VENV/.vsg_deps_hash"
fi

# ---------------------------------------------------------------- 3. Rust extension
if [ "$(cat "$VENV/.vsg_rust_hash" 2>/dev/null)" != "$rust_hash" ] || ! (cd / && "$VENV/bin/python" -c 'import vsg_core_rs') 2>/dev/null; then
  say "building the Rust extension vsg_core_rs (maturin develop --release)"
  PATH="$VENV/bin:$PATH" "$VENV/bin/maturin" develop --release --quiet \
    || fail "building vsg_core_rs failed (see the compiler output above)"
  (cd / && "$VENV/bin/python" -c 'import vsg_core_rs') || fail "the Rust extension was built but cannot be imported"
  echo "$rust_hash" > "$VENV/.vsg_rust_hash"
fi

# ---------------------------------------------------------------- 4. bytecode
# the project is installed editable, so nothing compiled its modules; without .pyc files every vsg start
# compiles them again (measured: 0.1 s of a 1.4 s analysis), and never stores them when PYTHONDONTWRITEBYTECODE
# is set. Quiet, and only what changed since the last run.
"$VENV/bin/python" -m compileall -q -j 0 vsg_core vsg_qt main.py >/dev/null || fail "compiling vsg's modules failed"

say "ready: $("$VENV/bin/python" -c 'import vsg_core_rs, sys; print(f"Python {sys.version.split()[0]}, vsg_core_rs {vsg_core_rs.__version__}")')"
