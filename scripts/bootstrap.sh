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

# Front-end dependencies of the web chat widget (pinned in web/package-lock.json), served by
# the service from web/node_modules: nothing is loaded from a CDN at run time.
WEB_STAMP=web/node_modules/.lock-stamp
want=$(sha256sum web/package-lock.json | cut -d' ' -f1)
have=$(cat "$WEB_STAMP" 2>/dev/null || true)
if [ "$want" != "$have" ]; then
  if ! command -v npm >/dev/null 2>&1; then
    if [ "$(id -u)" -eq 0 ] && command -v apt-get >/dev/null 2>&1; then
      echo "==> installing Node.js and npm (Debian packages) for the web widget's dependencies"
      DEBIAN_FRONTEND=noninteractive apt-get update -qq
      DEBIAN_FRONTEND=noninteractive apt-get install -y -qq nodejs npm >/dev/null
    else
      echo "error: npm not found; install Node.js and npm (e.g. 'apt-get install nodejs npm')" >&2
      exit 1
    fi
  fi
  echo "==> installing the web widget's front-end dependencies (npm ci)"
  (cd web && npm ci --no-audit --no-fund --silent)
  echo "$want" > "$WEB_STAMP"
fi
