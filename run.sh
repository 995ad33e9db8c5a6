#!/usr/bin/env bash
# vsg launcher.
#   ./run.sh            open the Qt desktop app
#   ./run.sh demo       run the main job on demo media the project generates itself
#   ./run.sh test       run every test: ruff, cargo fmt/clippy/test, pytest (unit, parity, integration)
#   ./run.sh ARGS…      anything else goes to the `vsg` command line (e.g. ./run.sh analyze REF OTHER)
# The environment is set up (./setup_env.sh) first whenever .venv is missing or out of date.
set -euo pipefail
PROJECT_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
VENV="$PROJECT_DIR/.venv"
cd "$PROJECT_DIR"

needs_setup() {
  [ -x "$VENV/bin/python" ] || return 0
  [ "$(cat pyproject.toml setup_env.sh | sha256sum | cut -d' ' -f1)" = "$(cat "$VENV/.vsg_deps_hash" 2>/dev/null)" ] || return 0
  local rust_hash
  rust_hash="$(cd vsg_core_rs && find . -path ./target -prune -o -type f ! -name '*.so' ! -path '*/__pycache__/*' -print | LC_ALL=C sort | xargs sha256sum | sha256sum | cut -d' ' -f1)"
  [ "$rust_hash" = "$(cat "$VENV/.vsg_rust_hash" 2>/dev/null)" ] || return 0
  return 1
}
if needs_setup; then ./setup_env.sh; fi

export PATH="$VENV/bin:$PATH" VIRTUAL_ENV="$VENV"
PY="$VENV/bin/python"

run_tests() {
  local status=0
  echo "=== ruff ==="
  ruff check . || status=1
  echo "=== cargo fmt --check ==="
  (cd vsg_core_rs && cargo fmt --check) || status=1
  echo "=== cargo clippy -D warnings ==="
  (cd vsg_core_rs && PYO3_PYTHON="$PY" cargo clippy --release --all-targets -q -- -D warnings) || status=1
  echo "=== cargo test ==="
  local libdir
  libdir="$("$PY" -c 'import sysconfig; print(sysconfig.get_config_var("LIBDIR") or "")')"
  (cd vsg_core_rs && PYO3_PYTHON="$PY" LD_LIBRARY_PATH="$libdir${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}" cargo test --release) || status=1
  echo "=== pytest ==="
  QT_QPA_PLATFORM=offscreen "$PY" -m pytest "$@" || status=1
  if [ "$status" -ne 0 ]; then echo "=== FAILED: see the sections above ==="; fi
  return "$status"
}

case "${1:-}" in
  "")   exec "$PY" main.py ;;
  demo) shift; exec "$PY" -m vsg_core.cli demo "$@" ;;
  test) shift; run_tests "$@" ;;
  *)    exec "$PY" -m vsg_core.cli "$@" ;;
esac
