#!/usr/bin/env bash
# Create .venv with Python 3.10 and install the locked dependencies when the lock changed.
# Called by `make setup` (and so by `make run` / `make test`); safe to run repeatedly.
set -euo pipefail
cd "$(dirname "$0")/.."

VENV=.venv
LOCK=requirements.lock
STAMP="$VENV/.deps-stamp"

find_python() {
  # A pyenv shim named python3.10 can exist and still fail, so run each candidate.
  local candidates=()
  [ -n "${PYTHON:-}" ] && candidates+=("$PYTHON")
  command -v python3.10 >/dev/null 2>&1 && candidates+=("$(command -v python3.10)")
  for p in "$HOME"/.pyenv/versions/3.10.*/bin/python /usr/bin/python3.10 /usr/local/bin/python3.10; do
    [ -x "$p" ] && candidates+=("$p")
  done
  for p in "${candidates[@]}"; do
    if "$p" -c 'import sys, venv; sys.exit(0 if sys.version_info[:2] == (3, 10) else 1)' >/dev/null 2>&1; then
      echo "$p"
      return 0
    fi
  done
  return 1
}

if [ ! -x "$VENV/bin/python" ] || ! "$VENV/bin/python" -c 'import sys' >/dev/null 2>&1; then
  if ! PY=$(find_python); then
    echo "error: Python 3.10 not found (Rasa 3.6 needs Python 3.8-3.10)." >&2
    echo "Install it, e.g. 'apt-get install python3.10 python3.10-venv' or 'pyenv install 3.10.13'," >&2
    echo "or point PYTHON=/path/to/python3.10 at one." >&2
    exit 1
  fi
  echo "==> creating $VENV with $PY"
  rm -rf "$VENV"
  "$PY" -m venv "$VENV"
fi

want=$(sha256sum "$LOCK" | cut -d' ' -f1)
have=$(cat "$STAMP" 2>/dev/null || true)
if [ "$want" != "$have" ]; then
  echo "==> installing locked dependencies from $LOCK"
  "$VENV/bin/python" -m pip install --quiet --no-deps -r "$LOCK"
  "$VENV/bin/python" -m pip check
  echo "$want" > "$STAMP"
fi
