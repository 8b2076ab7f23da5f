#!/bin/sh
# Install what the browser tests (tests/e2e, suite 'e2e') need, only when
# it is missing: Debian's chromium (apt-get, as root), Node.js and npm when
# there is no `node`, and the pinned npm packages of tests/e2e
# (package-lock.json: playwright-core, which drives that chromium without
# downloading a browser, jsonld, n3, rdf-validate-shacl).  Called by `make
# check`.  Whatever cannot be installed is reported; the scenarios then
# skip, saying why (or fail under FAIRDEX_E2E_REQUIRED=1, as in CI).
cd "$(dirname "$0")/.." || exit 1
missing=""
command -v chromium >/dev/null 2>&1 || missing="$missing chromium"
command -v node >/dev/null 2>&1 || missing="$missing nodejs"
command -v npm >/dev/null 2>&1 || missing="$missing npm"
if [ -n "$missing" ]; then
  if [ "$(id -u)" = 0 ]; then
    echo "installing:$missing"
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq && apt-get install -y -qq --no-install-recommends $missing ||
      echo "install-e2e-deps: apt-get could not install$missing" >&2
  else
    echo "install-e2e-deps: run as root, or install:$missing (the browser tests skip without them)" >&2
  fi
fi
# The npm packages, when the lock file is newer than what is installed.
if command -v npm >/dev/null 2>&1 &&
   { [ ! -f tests/e2e/node_modules/.package-lock.json ] ||
     [ tests/e2e/package-lock.json -nt tests/e2e/node_modules/.package-lock.json ]; }; then
  echo "installing the npm packages of tests/e2e"
  (cd tests/e2e && timeout 600 npm ci --no-audit --no-fund --loglevel=error) ||
    echo "install-e2e-deps: npm ci in tests/e2e failed (the browser tests skip)" >&2
fi
exit 0
