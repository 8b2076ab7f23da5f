#!/usr/bin/env bash
# crash.sh: kill -9 during a load, then check the store (meson suite
# 'crash').  It writes 30 small N-Triples files whose triples name their
# file (<http://example.org/f{k}/s{i}>), starts one
# `fairdex load f1.nt ... f30.nt` in the background with default
# durability, kills it with SIGKILL after a random delay, and checks that
# the store opens (`stats` exits 0) and holds exactly the base data it had
# before plus the union of the first K files for some K in 0..30: each file
# all or nothing, and in command-line order.  The store is fresh in some
# iterations, already holds data in others (which it must keep), and in
# others is the store the previous kill left behind.  Finally one load runs
# to completion on a survived store, which must then hold everything.
#
#   crash.sh FAIRDEX CRASH_DIR [ITERATIONS [SEED]]
#
# Prints the seed first (rerun with the same seed to repeat the delays and
# modes), then one line per iteration (mode, delay, K) and a summary.  Exit
# status 0 if every check passed, 1 otherwise, 2 on misuse.  Uses bash,
# awk, sort, cmp and a `sleep` that takes fractions of a second.
set -u

if [ $# -lt 2 ]; then
  echo "usage: crash.sh FAIRDEX CRASH_DIR [ITERATIONS [SEED]]" >&2
  exit 2
fi
case $1 in
  /*) FAIRDEX=$1 ;;
  *) FAIRDEX=$(pwd)/$1 ;;
esac
ITERATIONS=${3:-24}
SEED=${4:-$(( $(date +%s) % 32768 ))}
N_FILES=30
BASE_TRIPLES=500

if [ ! -x "$FAIRDEX" ]; then
  echo "crash.sh: $FAIRDEX is not an executable" >&2
  exit 2
fi
if [ "$ITERATIONS" -lt 1 ] 2>/dev/null; then
  echo "crash.sh: ITERATIONS must be a positive number" >&2
  exit 2
fi

TOP=$(mktemp -d "${TMPDIR:-/tmp}/fairdex-crash.XXXXXX") || exit 2
LOAD_PID=""
# shellcheck disable=SC2317  # called by the trap
cleanup() {
  if [ -n "$LOAD_PID" ]; then
    kill -KILL "$LOAD_PID" 2>/dev/null
    { wait "$LOAD_PID"; } 2>/dev/null
  fi
  rm -rf "$TOP"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

export LC_ALL=C
# Default settings for every fairdex run.
unset FAIRDEX_DB FAIRDEX_MAP_SIZE
# Stores hold only what the test loads: no shipped vocabularies.
export FAIRDEX_VOCABULARIES=none
RANDOM=$SEED
echo "crash: seed $SEED (rerun: crash.sh FAIRDEX CRASH_DIR $ITERATIONS $SEED)"

# Milliseconds since the epoch, or empty if `date` cannot say.
now_ms() {
  local ns
  ns=$(date +%s%N 2>/dev/null)
  case $ns in
    *[!0-9]* | '') echo "" ;;
    *) echo $((ns / 1000000)) ;;
  esac
}

# The input files: file k has 2000..5000 triples, all distinct, each
# naming k; base.nt is the data an "existing" store starts with.
DATA=$TOP/data
mkdir -p "$DATA"
files=()
prefix=(0)           # prefix[K]: triples in the first K files
total=0
for k in $(seq 1 $N_FILES); do
  n=$((2000 + (k * 1013) % 3001))
  awk -v k="$k" -v n="$n" 'BEGIN {
    for (i = 1; i <= n; i++)
      printf "<http://example.org/f%d/s%d> <http://example.org/p%d> \"file %d item %d\" .\n", k, i, i % 7, k, i
  }' >"$DATA/f$k.nt" || exit 2
  files+=("$DATA/f$k.nt")
  total=$((total + n))
  prefix+=("$total")
done
awk -v n="$BASE_TRIPLES" 'BEGIN {
  for (i = 1; i <= n; i++)
    printf "<http://example.org/base/s%d> <http://example.org/name> \"base %d\" .\n", i, i
}' >"$DATA/base.nt" || exit 2
echo "crash: $N_FILES files, $total triples; base data $BASE_TRIPLES triples"

# quads in the store $1 (stats --json), or empty if stats failed.
store_quads() {
  local json
  json=$("$FAIRDEX" --db "$1" stats --json 2>"$TOP/stats.err") || return 1
  json=${json#*\"quads\": }
  printf '%s\n' "${json%%,*}"
}

# Check store $1 holds base data if $2 is 1 and the first K files for some
# K >= $3; sets K.  Returns 1 (with a message) if not.
check_store() {
  local store=$1 has_base=$2 min_k=$3 quads rest k
  K=""
  # A load killed before the new store was made leaves no data.mdb (the
  # store file is created whole or not at all): nothing was committed,
  # and stats must say there is no store.
  if [ "$has_base" = 0 ] && [ "$min_k" = 0 ] && [ ! -e "$store/data.mdb" ]; then
    if ! store_quads "$store" >/dev/null &&
       grep -q "no fairdex store here" "$TOP/stats.err"; then
      K=0
      return 0
    fi
  fi
  if ! quads=$(store_quads "$store"); then
    echo "    stats failed on the killed store:"
    sed 's/^/    | /' "$TOP/stats.err"
    return 1
  fi
  rest=$quads
  [ "$has_base" = 1 ] && rest=$((quads - BASE_TRIPLES))
  for k in $(seq 0 $N_FILES); do
    if [ "${prefix[$k]}" = "$rest" ]; then
      K=$k
    fi
  done
  if [ -z "$K" ]; then
    echo "    $quads quads: not the base data plus any prefix of the files"
    return 1
  fi
  if [ "$K" -lt "$min_k" ]; then
    echo "    K=$K but the store already held the first $min_k files"
    return 1
  fi
  if ! "$FAIRDEX" --db "$store" dump --format ntriples >"$TOP/dump.nt" \
    2>"$TOP/dump.err"; then
    echo "    dump failed:"
    sed 's/^/    | /' "$TOP/dump.err"
    return 1
  fi
  sort "$TOP/dump.nt" >"$TOP/got.nt"
  {
    [ "$has_base" = 1 ] && cat "$DATA/base.nt"
    [ "$K" -gt 0 ] && cat "${files[@]:0:$K}"
  } | sort >"$TOP/want.nt"
  if ! cmp -s "$TOP/got.nt" "$TOP/want.nt"; then
    echo "    contents differ from base + first $K files (diff want got):"
    diff "$TOP/want.nt" "$TOP/got.nt" | head -n 10 | sed 's/^/    | /'
    return 1
  fi
  return 0
}

# Calibrate: one full load to completion, timed.
start=$(now_ms)
if ! "$FAIRDEX" --db "$TOP/calibrate" load --quiet "${files[@]}" \
  >/dev/null 2>"$TOP/load.err"; then
  echo "FAIL calibration: a full load failed:"
  sed 's/^/  | /' "$TOP/load.err"
  exit 1
fi
end=$(now_ms)
if [ -n "$start" ] && [ -n "$end" ]; then
  RUN_MS=$((end - start))
else
  RUN_MS=3000
fi
[ "$RUN_MS" -lt 50 ] && RUN_MS=50
rm -rf "$TOP/calibrate"
echo "crash: a full load takes about $RUN_MS ms"

failed=0
killed=0
ks=""
store=""
prev_store=""
prev_base=0
prev_k=0
for it in $(seq 1 "$ITERATIONS"); do
  # Modes in turn: a fresh store; a store with base data; the store the
  # previous kill left; a fresh store with a 64K initial map that has to
  # grow (and the load rerun) while it may be killed.
  mode_no=$(( (it - 1) % 4 ))
  store=$TOP/store$it
  has_base=0
  min_k=0
  map_env=""
  case $mode_no in
    0) mode=fresh ;;
    1)
      mode=existing
      if ! "$FAIRDEX" --db "$store" load --quiet "$DATA/base.nt" \
        2>"$TOP/load.err"; then
        echo "FAIL iteration $it: loading the base data failed"
        failed=$((failed + 1))
        continue
      fi
      has_base=1 ;;
    2)
      if [ -n "$prev_store" ]; then
        mode=survivor
        mv "$prev_store" "$store"
        has_base=$prev_base
        min_k=$prev_k
      else
        mode=fresh
      fi ;;
    3)
      mode=small-map
      map_env=64K ;;
  esac

  # Random delay between 5 ms and the run time of a full load.
  delay=$(( 5 + (RANDOM * 32768 + RANDOM) % RUN_MS ))
  if [ -n "$map_env" ]; then
    FAIRDEX_MAP_SIZE=$map_env "$FAIRDEX" --db "$store" load --quiet \
      "${files[@]}" >/dev/null 2>"$TOP/load.err" &
  else
    "$FAIRDEX" --db "$store" load --quiet "${files[@]}" \
      >/dev/null 2>"$TOP/load.err" &
  fi
  LOAD_PID=$!
  sleep "$(printf '%d.%03d' $((delay / 1000)) $((delay % 1000)))"
  if kill -KILL "$LOAD_PID" 2>/dev/null; then
    how=killed
    killed=$((killed + 1))
  else
    how=finished
  fi
  # (braces and 2>/dev/null: no "Killed" job notice from bash)
  { wait "$LOAD_PID"; } 2>/dev/null
  rc=$?
  LOAD_PID=""
  if [ "$how" = finished ] && [ "$rc" != 0 ]; then
    echo "FAIL iteration $it ($mode): the load exited $rc before the kill:"
    sed 's/^/  | /' "$TOP/load.err"
    failed=$((failed + 1))
    continue
  fi

  if check_store "$store" "$has_base" "$min_k" >"$TOP/check.out"; then
    printf 'ok   iteration %2d  %-9s  %s after %4d ms  K=%d\n' \
      "$it" "$mode" "$how" "$delay" "$K"
    ks="$ks $K"
  else
    printf 'FAIL iteration %2d  %-9s  %s after %4d ms\n' \
      "$it" "$mode" "$how" "$delay"
    cat "$TOP/check.out"
    failed=$((failed + 1))
    ks="$ks ?"
  fi
  # Keep this store for the next "survivor" iteration, drop older ones.
  if [ -n "$prev_store" ] && [ -d "$prev_store" ]; then
    rm -rf "$prev_store"
  fi
  prev_store=$store
  prev_base=$has_base
  prev_k=${K:-0}
done

# One more full load, to completion, on the last survived store.
if [ -n "$prev_store" ] && [ -d "$prev_store" ]; then
  if ! "$FAIRDEX" --db "$prev_store" load --quiet "${files[@]}" \
    >/dev/null 2>"$TOP/load.err"; then
    echo "FAIL final load on the survived store failed:"
    sed 's/^/  | /' "$TOP/load.err"
    failed=$((failed + 1))
  elif check_store "$prev_store" "$prev_base" "$N_FILES" >"$TOP/check.out" &&
    [ "$K" = "$N_FILES" ]; then
    echo "ok   final full load on the survived store: all $N_FILES files"
  else
    echo "FAIL final full load on the survived store:"
    cat "$TOP/check.out"
    failed=$((failed + 1))
  fi
fi

echo "crash: K per iteration:$ks ($killed of $ITERATIONS loads killed," \
  "the rest finished first)"
if [ "$failed" -gt 0 ]; then
  echo "crash: $failed check(s) FAILED (seed $SEED)"
  exit 1
fi
echo "crash: all $ITERATIONS iterations and the final load passed (seed $SEED)"
exit 0
