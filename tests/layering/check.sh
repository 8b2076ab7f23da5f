#!/bin/sh
# Layering check: each layer's meson dependency exposes only its own headers
# and those below, so an include in the wrong direction must not compile.
# Usage: check.sh SOURCE_ROOT COMPILER [COMPILER ARGS...]
# Compiles, with the catalog layer's include path only:
#   ok.c      includes a catalog header          -> must compile
#   upward.c  includes a header of the web layer -> must fail
set -u
root=$1
shift
tmp=$(mktemp -d) || exit 1
trap 'rm -rf "$tmp"' EXIT
here=$(dirname "$0")
if ! "$@" -fsyntax-only -I"$root/include" "$here/ok.c" 2>"$tmp/ok.err"; then
  echo "FAIL: a catalog header does not compile with the catalog include path"
  cat "$tmp/ok.err"
  exit 1
fi
echo "ok: catalog code can include catalog headers"
if "$@" -fsyntax-only -I"$root/include" "$here/upward.c" 2>"$tmp/up.err"; then
  echo "FAIL: catalog code could include a web header (upward include)"
  exit 1
fi
if ! grep -q "cli.h" "$tmp/up.err"; then
  echo "FAIL: upward.c failed for another reason than the missing header:"
  cat "$tmp/up.err"
  exit 1
fi
echo "ok: an upward include (catalog -> web) does not compile"
