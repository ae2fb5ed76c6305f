#!/usr/bin/env bash
# Install the database servers the tests start (Debian packages), when they are missing.
# Called by `make test`; CI runs on a machine with only what the set-up installs.
set -euo pipefail

have_postgres() {
  compgen -G "/usr/lib/postgresql/*/bin/initdb" >/dev/null
}

if ! have_postgres; then
  if [ "$(id -u)" -ne 0 ] || ! command -v apt-get >/dev/null 2>&1; then
    echo "error: PostgreSQL server binaries are missing; install Debian's 'postgresql' package" >&2
    exit 1
  fi
  echo "installing PostgreSQL (Debian package) for the tests ..."
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq postgresql >/dev/null
fi

# Debian's Chromium for the Playwright browser tests (never `playwright install`).
if ! command -v chromium >/dev/null 2>&1; then
  if [ "$(id -u)" -ne 0 ] || ! command -v apt-get >/dev/null 2>&1; then
    echo "error: chromium is missing; install Debian's 'chromium' package" >&2
    exit 1
  fi
  echo "installing Chromium (Debian package) for the browser tests ..."
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq chromium >/dev/null
fi
