#!/usr/bin/env bash
# Installs what the server module's browser and client tests use, idempotently:
#   - Debian's chromium (headless screenshots of the status page)
#   - @supabase/postgrest-js from npm into server/target/node (the stock PostgREST client)
# The tests call nothing here themselves except the npm step; they skip with a message only if a
# tool cannot be found or installed. CI runs this script before the tests.
set -eu
here=$(cd "$(dirname "$0")" && pwd)

if ! command -v chromium >/dev/null 2>&1 && ! command -v chromium-browser >/dev/null 2>&1; then
  if command -v apt-get >/dev/null 2>&1; then
    SUDO=""
    if [ "$(id -u)" != 0 ] && command -v sudo >/dev/null 2>&1; then SUDO=sudo; fi
    $SUDO apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq chromium >/dev/null
  else
    echo "install-test-deps: no apt-get; install chromium yourself" >&2
  fi
fi

if command -v npm >/dev/null 2>&1; then
  if [ ! -f "$here/target/node/node_modules/@supabase/postgrest-js/package.json" ]; then
    mkdir -p "$here/target/node"
    (cd "$here/target/node" && npm install --no-audit --no-fund --silent @supabase/postgrest-js@^2 >/dev/null)
  fi
else
  echo "install-test-deps: npm not found; the postgrest-js test will be skipped" >&2
fi
echo "install-test-deps: ok"
