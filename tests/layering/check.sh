#!/bin/sh
# Layering check: each layer's meson dependency exposes only its own headers
# and those below, so an include in the wrong direction must not compile.
# Usage: check.sh SOURCE_ROOT COMPILER [COMPILER ARGS...]
# Compiles, with the catalog layer's include path only:
#   ok.c      includes a catalog header          -> must compile
#   upward.c  includes a header of the web layer -> must fail
#   upward_vocab.c  includes a vocab header      -> must fail
# and, with the vocab layer's include paths (its own and catalog's):
#   vocab_ok.c  includes vocab and catalog headers -> must compile
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
if "$@" -fsyntax-only -I"$root/include" "$here/upward_vocab.c" 2>"$tmp/upv.err"; then
  echo "FAIL: catalog code could include a vocab header (upward include)"
  exit 1
fi
if ! grep -q "fairdex/vocab.h" "$tmp/upv.err"; then
  echo "FAIL: upward_vocab.c failed for another reason than the missing header:"
  cat "$tmp/upv.err"
  exit 1
fi
echo "ok: an upward include (catalog -> vocab) does not compile"
jansson_cflags=$(pkg-config --cflags jansson 2>/dev/null)
# shellcheck disable=SC2086  # the flags are words
if ! "$@" -fsyntax-only -I"$root/include" -I"$root/vocab/include" \
    $jansson_cflags "$here/vocab_ok.c" 2>"$tmp/vok.err"; then
  echo "FAIL: vocab headers do not compile with the vocab include paths"
  cat "$tmp/vok.err"
  exit 1
fi
echo "ok: vocab code can include vocab and catalog headers"
