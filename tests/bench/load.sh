#!/usr/bin/env bash
# tests/bench/load.sh N: the load benchmark.  It measures, in one run on the
# same file, how fast fairdex bulk-loads a synthetic DCAT catalogue of N
# datasets (about 21 triples each) against the parse-only floor of rapper,
# and then the latency of point look-ups in the loaded store.
#
#   1. generate the N-Triples file once with gen-catalog (reused if it is
#      already there for the same N and SEED);
#   2. time `rapper -i ntriples -c FILE` (parse only, the floor);
#   3. time `fairdex --db FRESHDIR load FILE` into a new, empty store;
#   4. run lookup-bench on the store (100k random (s,p) look-ups);
#   5. print everything as aligned `key: value` lines, with the targets:
#      fairdex wall time <= 1.5 x rapper's, and peak RSS <= 2 GiB.
# Wall time and peak RSS come from GNU time (/usr/bin/time -v); the
# anonymous RSS of fairdex is also sampled from /proc, since GNU time's peak
# counts the mapped pages of the store file too.
#
# It builds nothing.  Environment:
#   BUILD    build directory (default: build), relative to the repository
#            root unless absolute; needs web/fairdex, tests/bench/gen-catalog
#            and tests/bench/lookup-bench (`ninja -C "$BUILD"` first)
#   WORK     work directory (default: tests/bench/out, git-ignored)
#   SEED     generator seed (default: 1)
#   LOOKUPS  number of look-ups (default: 100000)
#   KEEP_DB  1 keeps the loaded store in WORK (default: it is removed)
# The load runs with FAIRDEX_VOCABULARIES=none: it times the file alone,
# not the shipped vocabularies a store gets at its first writable open.
set -euo pipefail
export FAIRDEX_VOCABULARIES=none

usage() {
  echo "usage: [BUILD=dir] [WORK=dir] [SEED=s] $0 N" >&2
  exit 2
}
[ $# -eq 1 ] || usage
N=$1
case $N in '' | *[!0-9]*) usage ;; esac

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
BUILD=${BUILD:-build}
case $BUILD in /*) ;; *) BUILD=$ROOT/$BUILD ;; esac
WORK=${WORK:-$ROOT/tests/bench/out}
case $WORK in /*) ;; *) WORK=$ROOT/$WORK ;; esac
SEED=${SEED:-1}
LOOKUPS=${LOOKUPS:-100000}
KEEP_DB=${KEEP_DB:-0}

FAIRDEX=$BUILD/web/fairdex
GEN=$BUILD/tests/bench/gen-catalog
LOOKUP=$BUILD/tests/bench/lookup-bench

die() {
  echo "load.sh: $*" >&2
  exit 1
}
for exe in "$FAIRDEX" "$GEN" "$LOOKUP"; do
  [ -x "$exe" ] || die "$exe is missing: build first (ninja -C $BUILD)"
done
command -v rapper >/dev/null ||
  die "rapper is missing: apt-get install raptor2-utils"
if ! /usr/bin/time -v true >/dev/null 2>&1; then
  die "GNU time (/usr/bin/time) is missing: apt-get install time"
fi

mkdir -p "$WORK"
FILE=$WORK/catalog-$N-s$SEED.nt
COUNT_FILE=$FILE.triples
DB=$WORK/db-$N-s$SEED

# 1. The input, generated once (to a temporary name, so that an interrupted
#    run never leaves a truncated file to be reused).
if [ ! -s "$FILE" ] || [ ! -s "$COUNT_FILE" ]; then
  echo "generating $FILE ..." >&2
  "$GEN" "$N" "$SEED" >"$FILE.tmp" 2>"$FILE.log" ||
    die "gen-catalog failed: $(cat "$FILE.log")"
  sed -n 's/.* \([0-9][0-9]*\) triples$/\1/p' "$FILE.log" >"$COUNT_FILE"
  mv "$FILE.tmp" "$FILE"
  rm -f "$FILE.log"
else
  echo "reusing $FILE" >&2
fi
TRIPLES=$(cat "$COUNT_FILE")
FILE_BYTES=$(stat -c %s "$FILE")

# Read the file once so that neither timed run pays for a cold cache.
cat "$FILE" >/dev/null

# Wall seconds and peak RSS (KiB) from a `/usr/bin/time -v` report.
wall_seconds() {
  sed -n 's/.*Elapsed (wall clock) time.*: //p' "$1" |
    awk -F: '{ s = 0; for (i = 1; i <= NF; ++i) s = s * 60 + $i; printf "%.2f", s }'
}
cpu_seconds() {
  awk -F': ' '/User time|System time/ { s += $2 } END { printf "%.2f", s }' "$1"
}
cpu_share() {
  sed -n 's/.*Percent of CPU this job got: //p' "$1"
}
peak_rss_kib() {
  sed -n 's/.*Maximum resident set size (kbytes): //p' "$1"
}

# Run "$@" under `/usr/bin/time -v -o WORK/NAME.time`, output to
# WORK/NAME.log, and sample the child's anonymous RSS (RssAnon) every
# 0.25 s into PEAK_ANON_KIB: GNU time's peak RSS also counts the pages of
# the memory-mapped store file, which the kernel can drop at will.
timed() {
  local name=$1 tpid child="" key val rc=0
  shift
  PEAK_ANON_KIB=0
  /usr/bin/time -v -o "$WORK/$name.time" "$@" >"$WORK/$name.log" 2>&1 &
  tpid=$!
  while kill -0 "$tpid" 2>/dev/null; do
    [ -n "$child" ] || child=$(pgrep -P "$tpid" 2>/dev/null | head -1 || true)
    if [ -n "$child" ] && [ -r "/proc/$child/status" ]; then
      while read -r key val _; do
        if [ "$key" = "RssAnon:" ] && [ "$val" -gt "$PEAK_ANON_KIB" ]; then
          PEAK_ANON_KIB=$val
        fi
      done <"/proc/$child/status" 2>/dev/null || true
    fi
    sleep 0.25
  done
  wait "$tpid" || rc=$?
  return "$rc"
}

# 2. The floor: parse only.
echo "timing rapper ..." >&2
timed rapper rapper -q -i ntriples -c "$FILE" ||
  die "rapper failed: $(tail -5 "$WORK/rapper.log")"
RAPPER_S=$(wall_seconds "$WORK/rapper.time")
RAPPER_RSS=$(peak_rss_kib "$WORK/rapper.time")
RAPPER_CPU=$(cpu_seconds "$WORK/rapper.time")
RAPPER_SHARE=$(cpu_share "$WORK/rapper.time")

# 3. fairdex into a fresh store.
echo "timing fairdex load ..." >&2
rm -rf "$DB"
timed fairdex "$FAIRDEX" --db "$DB" load --quiet --format ntriples "$FILE" ||
  die "fairdex load failed: $(tail -5 "$WORK/fairdex.log")"
FAIRDEX_S=$(wall_seconds "$WORK/fairdex.time")
FAIRDEX_RSS=$(peak_rss_kib "$WORK/fairdex.time")
FAIRDEX_CPU=$(cpu_seconds "$WORK/fairdex.time")
FAIRDEX_SHARE=$(cpu_share "$WORK/fairdex.time")
FAIRDEX_ANON=$PEAK_ANON_KIB
# Blocks in use, not the apparent size: the data file may be sparse.
STORE_BYTES=$(du -s -B1 "$DB" | cut -f1)
STATS=$("$FAIRDEX" --db "$DB" stats)
STORE_QUADS=$(sed -n 's/^quads: *//p' <<<"$STATS")
STORE_DISK=$(sed -n 's/^disk: *//p' <<<"$STATS")

# 4. Point look-ups.
echo "running lookup-bench ..." >&2
LOOKUP_OUT=$("$LOOKUP" "$DB" "$LOOKUPS" "$SEED") || die "lookup-bench failed"

[ "$KEEP_DB" = 1 ] || rm -rf "$DB"

# 5. Report.
rate() { awk -v n="$1" -v s="$2" 'BEGIN { if (s > 0) printf "%.0f", n / s; else print "inf" }'; }
mib() { awk -v b="$1" 'BEGIN { printf "%.1f", b / 1048576 }'; }
RATIO=$(awk -v f="$FAIRDEX_S" -v r="$RAPPER_S" 'BEGIN { if (r > 0) printf "%.2f", f / r; else print "inf" }')
RATIO_OK=$(awk -v x="$RATIO" 'BEGIN { print (x != "inf" && x <= 1.5) ? "yes" : "no" }')
RSS_OK=$(awk -v k="$FAIRDEX_RSS" 'BEGIN { print (k <= 2 * 1048576) ? "yes" : "no" }')
if [ "$RATIO_OK" = yes ] && [ "$RSS_OK" = yes ]; then TARGET=yes; else TARGET=no; fi
QUADS_NOTE=""
[ "$STORE_QUADS" = "$TRIPLES" ] || QUADS_NOTE=" (MISMATCH: file has $TRIPLES triples)"

line() { printf '%-25s %s\n' "$1:" "$2"; }
echo
line "N (datasets)" "$N"
line "seed" "$SEED"
line "triples" "$TRIPLES"
line "file" "$FILE"
line "file size" "$(mib "$FILE_BYTES") MiB"
line "rapper wall" "$RAPPER_S s"
line "rapper cpu (user+sys)" "$RAPPER_CPU s ($RAPPER_SHARE of a core over the wall time)"
line "rapper triples/s" "$(rate "$TRIPLES" "$RAPPER_S")"
line "rapper peak RSS" "$(mib $((RAPPER_RSS * 1024))) MiB"
line "fairdex wall" "$FAIRDEX_S s"
line "fairdex cpu (user+sys)" "$FAIRDEX_CPU s ($FAIRDEX_SHARE of a core over the wall time)"
line "fairdex triples/s" "$(rate "$TRIPLES" "$FAIRDEX_S")"
line "fairdex peak RSS" "$(mib $((FAIRDEX_RSS * 1024))) MiB"
line "fairdex peak anon RSS" "$(mib $((FAIRDEX_ANON * 1024))) MiB (sampled; excludes mapped store pages)"
line "store quads" "$STORE_QUADS$QUADS_NOTE"
line "store size (du)" "$(mib "$STORE_BYTES") MiB"
line "store data file" "$STORE_DISK"
line "ratio fairdex/rapper" "$RATIO"
line "ratio <= 1.5" "$RATIO_OK"
line "peak RSS <= 2 GiB" "$RSS_OK"
line "meets target" "$TARGET"
while IFS= read -r l; do
  [ -n "$l" ] || continue
  val=${l#*:}
  line "${l%%:*}" "${val#"${val%%[! ]*}"}"
done <<<"$LOOKUP_OUT"
