#!/usr/bin/env bash
# Install what the tests start or drive (Debian packages), when it is missing: PostgreSQL for
# the appeal backend tests, Redis and nginx for the server tests (tests/support/redis_server.py,
# nginx_server.py), Chromium for the Playwright browser tests (never `playwright install`).
# Called by `make test`; CI runs on a machine with only what the set-up installs.
set -euo pipefail

# install_package PACKAGE WHAT: apt-get install PACKAGE (root only), or fail saying WHAT.
install_package() {
  if [ "$(id -u)" -ne 0 ] || ! command -v apt-get >/dev/null 2>&1; then
    echo "error: $2 is missing; install Debian's '$1' package" >&2
    exit 1
  fi
  echo "installing $1 (Debian package) for the tests ..."
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq "$1" >/dev/null
}

compgen -G "/usr/lib/postgresql/*/bin/initdb" >/dev/null || install_package postgresql "the PostgreSQL server"
command -v redis-server >/dev/null 2>&1 || install_package redis-server "the Redis server"
[ -x /usr/sbin/nginx ] || install_package nginx "nginx"
command -v chromium >/dev/null 2>&1 || install_package chromium "Chromium"
