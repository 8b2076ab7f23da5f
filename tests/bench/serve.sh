#!/usr/bin/env bash
# tests/bench/serve.sh N: the HTTP server benchmark.  It loads the synthetic
# DCAT catalogue of N datasets into fairdex and into Virtuoso 7 as the query
# benchmark does (tests/bench/lib.sh, shared with query.sh), serves it with
# `fairdex serve` and Virtuoso's HTTP server side by side, and drives both
# with wrk (Debian's `wrk`, installed with apt-get when missing):
#
#   1. generate the N-Triples file once (reused, as load.sh and query.sh);
#   2. fairdex: load into a fresh store, start `fairdex serve --db DIR
#      --listen 127.0.0.1:0 --base https://fairdex.example.org/ --access-log
#      /dev/null` (gen-catalog's base IRI) and read its port from the first
#      stdout line `listening on http://127.0.0.1:PORT/`;
#   3. Virtuoso: started and loaded as in query.sh (own data directory and
#      virtuoso.ini, free loopback ports, ld_dir/rdf_loader_run into the
#      graph https://fairdex.example.org/bench-graph, which every request to
#      it names as default-graph-uri: fairdex has the data in its default
#      graph, so both answer the same);
#   4. a check pass with curl, one request per query and server: the status,
#      the rows of each answer (as TSV) compared between the two, and the
#      status of the request as wrk sends it; /catalog pages 1 and the last
#      must answer 200 text/turtle, the page after the last 404;
#   5. a cold pass: every /catalog page once, one client (curl), before
#      anything else reads them: the cost of building a page (fairdex
#      keeps finished pages per store generation, so the wrk runs below
#      see them as a federation feed does between commits);
#   6. for each connection count (16 and 64): wrk with tests/bench/
#      serve_mix.lua for DURATION on
#        fairdex sparql   the SPARQL mix: the query files of tests/bench/
#                         queries with their placeholders filled (as
#                         query.sh), in turn, each as GET /sparql?query=
#                         <urlencoded>, Accept: application/sparql-results+json
#        virtuoso sparql  the same requests to Virtuoso's /sparql, plus
#                         &default-graph-uri=<the graph>
#        fairdex catalog  GET /catalog?page=P&per_page=100 with P going
#                         round all the pages, Accept: text/turtle
#      each run after both servers are idle again (the previous run's
#      abandoned requests finished);
#   7. one line per run: requests/s, p50 and p99 latency (wrk's histogram),
#      errors (socket errors: connect, read, write, timeout, plus wrk's count
#      of answers >= 400, or with STATUS_CODES=1 every answer outside 2xx);
#      then the ratio fairdex/Virtuoso of requests/s on the
#      SPARQL mix at each connection count, and the targets (set for
#      N = 100,000): no errors on fairdex, fairdex >= 2 x Virtuoso's
#      requests/s at 64 connections, /catalog p99 <= 20 ms.
# The table goes to stdout and to WORK/serve-N-sSEED.txt; wrk's output of
# every run to WORK/serve-N-sSEED.wrk/, the check pass to
# WORK/serve-N-sSEED.check.tsv.  fairdex serve is stopped with SIGTERM at
# the end (its exit status is checked: 0), Virtuoso as in query.sh; both
# also on an error or Ctrl-C.
#
# Environment:
#   BUILD    build directory (default: build), as query.sh: set up as a
#            release build and built when it has no web/fairdex
#   WORK     work directory (default: tests/bench/out, git-ignored)
#   SEED     generator seed (default: 1)
#   DURATION wrk's -d for each run (default: 20s; NUMBER[s|m|h])
#   CONNECTIONS  connection counts (default: "16 64")
#   WRK_THREADS  wrk's -t (default: 2)
#   WRK_TIMEOUT  wrk's --timeout: a request slower than that counts as a
#            timeout error and is left out of the percentiles (default: 60s)
#   PER_PAGE the /catalog page size (default: 100)
#   STATUS_CODES 1: serve_mix.lua counts every answer by its status (non-2xx
#            are errors, the statuses are listed), at the cost of copying
#            every body into Lua, which slows wrk down (default: 0, wrk
#            counts the answers >= 400; the check pass has seen 200 for
#            every request of the mix)
#   SERVE_ARGS   more arguments for `fairdex serve` (default: none), e.g.
#            "--threads 4"
#   QUERIES  directory of *.rq files (default: tests/bench/queries)
#   QUERY_TIMEOUT     seconds for one request of the check pass (default: 300)
#   LOAD_TIMEOUT      seconds for one engine's load (default: 3600)
#   VIRTUOSO_BUFFERS  its NumberOfBuffers (default: 170000, about 1.3 GiB)
#   IDLE_TIMEOUT      seconds to wait for the servers to be idle before a
#            run (default: 300)
#   KEEP_DB  1 keeps the fairdex store and the Virtuoso database in WORK
set -euo pipefail
export LC_ALL=C

usage() {
  echo "usage: [BUILD=dir] [WORK=dir] [SEED=s] [DURATION=20s] [CONNECTIONS='16 64'] $0 N" >&2
  exit 2
}
[ $# -eq 1 ] || usage
N=$1
case $N in '' | *[!0-9]* | 0) usage ;; esac

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
BENCH=$ROOT/tests/bench
BUILD=${BUILD:-build}
case $BUILD in /*) ;; *) BUILD=$ROOT/$BUILD ;; esac
WORK=${WORK:-$ROOT/tests/bench/out}
case $WORK in /*) ;; *) WORK=$ROOT/$WORK ;; esac
SEED=${SEED:-1}
DURATION=${DURATION:-20s}
CONNECTIONS=${CONNECTIONS:-16 64}
WRK_THREADS=${WRK_THREADS:-2}
WRK_TIMEOUT=${WRK_TIMEOUT:-60s}
PER_PAGE=${PER_PAGE:-100}
STATUS_CODES=${STATUS_CODES:-0}
SERVE_ARGS=${SERVE_ARGS:-}
QUERIES=${QUERIES:-$BENCH/queries}
QUERY_TIMEOUT=${QUERY_TIMEOUT:-300}
LOAD_TIMEOUT=${LOAD_TIMEOUT:-3600}
VIRTUOSO_BUFFERS=${VIRTUOSO_BUFFERS:-170000}
IDLE_TIMEOUT=${IDLE_TIMEOUT:-300}
START_TIMEOUT=${START_TIMEOUT:-120}
KEEP_DB=${KEEP_DB:-0}
# gen-catalog's IRIs are under BASE; Virtuoso holds the data in GRAPH.
BASE=https://fairdex.example.org/
GRAPH=https://fairdex.example.org/bench-graph

FAIRDEX=$BUILD/web/fairdex
GEN=$BUILD/tests/bench/gen-catalog

PROG=serve.sh
# shellcheck source=tests/bench/lib.sh source-path=SCRIPTDIR/../..
. "$BENCH/lib.sh"

# wrk's durations: NUMBER with s (or none), m or h; in seconds.
seconds_of() {
  [[ $1 =~ ^([0-9]+)([smh]?)$ ]] || return 1
  case ${BASH_REMATCH[2]} in
    h) echo $((10#${BASH_REMATCH[1]} * 3600)) ;;
    m) echo $((10#${BASH_REMATCH[1]} * 60)) ;;
    *) echo $((10#${BASH_REMATCH[1]})) ;;
  esac
}
DURATION_S=$(seconds_of "$DURATION") || die "DURATION: NUMBER[s|m|h] expected, not '$DURATION'"
WRK_TIMEOUT_S=$(seconds_of "$WRK_TIMEOUT") || die "WRK_TIMEOUT: NUMBER[s|m|h] expected, not '$WRK_TIMEOUT'"
[ "$DURATION_S" -gt 0 ] || die "DURATION must be at least 1s"
case $WRK_THREADS in '' | *[!0-9]* | 0) die "WRK_THREADS: a positive number expected" ;; esac
case $PER_PAGE in '' | *[!0-9]* | 0) die "PER_PAGE: a positive number expected" ;; esac
for c in $CONNECTIONS; do
  case $c in '' | *[!0-9]*) die "CONNECTIONS: numbers expected, not '$c'" ;; esac
  [ "$c" -ge "$WRK_THREADS" ] || die "CONNECTIONS: $c is fewer than WRK_THREADS ($WRK_THREADS)"
done
read -ra SERVE_ARGV <<<"$SERVE_ARGS"

# ------------------------------------------------------------------------
# Clean-up: the servers and the databases this run started or made.
SV_PID=""
SV_STOP=""
WRK_PID=""
DB=""
# Stop fairdex serve: SIGTERM, which lets in-flight requests finish (at most
# 10 s by the contract); KILL after 15 s.  Sets SV_STOP to what went wrong.
stop_fairdex() {
  local rc=0
  [ -n "$SV_PID" ] || return 0
  kill -TERM "$SV_PID" 2>/dev/null || true
  for _ in $(seq 60); do
    kill -0 "$SV_PID" 2>/dev/null || break
    sleep 0.25
  done
  if kill -0 "$SV_PID" 2>/dev/null; then
    SV_STOP="still running 15 s after SIGTERM (killed)"
    kill -KILL "$SV_PID" 2>/dev/null || true
  fi
  wait "$SV_PID" 2>/dev/null || rc=$?
  if [ -z "$SV_STOP" ] && [ "$rc" != 0 ]; then
    SV_STOP="exit status $rc after SIGTERM, not 0"
  fi
  SV_PID=""
}
cleanup() {
  local rc=$?
  trap - EXIT INT TERM
  if [ -n "$WRK_PID" ]; then
    kill -TERM "$WRK_PID" 2>/dev/null || true
    wait "$WRK_PID" 2>/dev/null || true
  fi
  if [ -n "$SV_PID" ]; then
    note "stopping fairdex serve (pid $SV_PID) ..."
    stop_fairdex
  fi
  if [ -n "$VT_PID" ]; then
    note "stopping Virtuoso (pid $VT_PID) ..."
    stop_virtuoso
  fi
  rm -f "$WORK/$TAG.fairdex" "$WORK/$TAG.paths" "$WORK/$TAG.last" "$WORK/$TAG.last.err"
  if [ "$KEEP_DB" != 1 ]; then
    [ -z "$DB" ] || rm -rf "$DB"
    [ -z "$VT_DIR" ] || rm -rf "$VT_DIR/db"
  fi
  exit "$rc"
}
TAG=serve-$N-s$SEED
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# ------------------------------------------------------------------------
# The tools.
bench_build
for t in curl timeout awk sort ss getconf; do
  command -v "$t" >/dev/null || die "$t is missing"
done
[ -d "$QUERIES" ] || die "no query directory $QUERIES"
mkdir -p "$WORK"
if ! command -v wrk >/dev/null; then
  note "installing wrk (apt-get) ..."
  DEBIAN_FRONTEND=noninteractive timeout 600 apt-get install -y -q wrk \
    >"$WORK/apt-wrk.log" 2>&1 || {
    DEBIAN_FRONTEND=noninteractive timeout 600 apt-get update -q \
      >>"$WORK/apt-wrk.log" 2>&1 || true
    DEBIAN_FRONTEND=noninteractive timeout 600 apt-get install -y -q wrk \
      >>"$WORK/apt-wrk.log" 2>&1
  } || die "apt-get install wrk failed (see $WORK/apt-wrk.log)"
fi
bench_install_virtuoso

bench_copy_fairdex "$TAG"
"$FAIRDEX" serve --help >/dev/null 2>&1 ||
  die "$FAIRDEX_SRC has no 'serve' command: rebuild it (ninja -C $BUILD)"

# ------------------------------------------------------------------------
# 1. The input and the queries.
bench_generate
QDIR=$WORK/$TAG.queries
WRKDIR=$WORK/$TAG.wrk
CHECK=$WORK/$TAG.check.tsv
RESULTS_FILE=$WORK/$TAG.runs.tsv
TABLE=$WORK/$TAG.txt
rm -rf "$QDIR" "$WRKDIR"
mkdir -p "$QDIR" "$WRKDIR"
bench_fill_queries "$QDIR"
: >"$RESULTS_FILE"
cat "$FILE" >/dev/null

# ------------------------------------------------------------------------
# 2. fairdex.
DB=$WORK/$TAG.fairdex-db
bench_fairdex_load "$DB" "$WORK/$TAG.fairdex-load.log"

SV_OUT=$WORK/$TAG.serve.out
SV_ERR=$WORK/$TAG.serve.err
SV_PORT=""
note "starting fairdex serve ..."
"$FAIRDEX" serve --db "$DB" --listen 127.0.0.1:0 --base "$BASE" --access-log /dev/null \
  ${SERVE_ARGV[@]+"${SERVE_ARGV[@]}"} >"$SV_OUT" 2>"$SV_ERR" &
SV_PID=$!
for _ in $(seq $((START_TIMEOUT * 4))); do
  line=$(head -n1 "$SV_OUT" 2>/dev/null || true)
  if [[ $line =~ ^listening\ on\ http://127\.0\.0\.1:([0-9]+)/$ ]]; then
    SV_PORT=${BASH_REMATCH[1]}
    break
  fi
  if ! kill -0 "$SV_PID" 2>/dev/null; then
    rc=0
    wait "$SV_PID" || rc=$?
    SV_PID=""
    die "fairdex serve exited ($rc) at start: $(tail -c 500 "$SV_ERR")"
  fi
  sleep 0.25
done
[ -n "$SV_PORT" ] || die "fairdex serve printed no 'listening on http://127.0.0.1:PORT/' within ${START_TIMEOUT} s (stdout: $(head -c 200 "$SV_OUT"))"
FDX_URL=http://127.0.0.1:$SV_PORT
note "fairdex serve (pid $SV_PID) listens on $FDX_URL/"

# ------------------------------------------------------------------------
# 3. Virtuoso.
vt_setup "$WORK/$TAG.virtuoso"
note "starting Virtuoso (SQL port $SQL_PORT, HTTP port $HTTP_PORT) ..."
vt_start
vt_load
VT_URL=http://127.0.0.1:$HTTP_PORT
VT_VERSION=$(vt_version)

# ------------------------------------------------------------------------
# 4. The check pass: the same answers from both, and the routes up.
NOTES=() # lines for the report

# One GET with curl: URL ACCEPT OUT [curl args...]; prints
# "STATUS TIME_MS BYTES CONTENT_TYPE" (status 000: no answer).
get() {
  local url=$1 accept=$2 out=$3 w
  shift 3
  w=$(curl -sS -G -o "$out" --max-time "$QUERY_TIMEOUT" \
    -w '%{http_code} %{time_total} %{size_download} %{content_type}' \
    -H "Accept: $accept" "$@" "$url" 2>"$out.err") || true
  # shellcheck disable=SC2086 # the four words of -w
  set -- ${w:-000 0 0 -}
  printf '%s %s %s %s\n' "$1" "$(awk -v s="$2" 'BEGIN { printf "%.1f", s * 1000 }')" "$3" "${4:--}"
}
rows_of() { # a TSV answer: its lines after the header
  local n
  n=$(wc -l <"$1")
  [ "$n" -gt 0 ] && n=$((n - 1))
  echo "$n"
}
snippet() { (cat "$1.err" "$1" 2>/dev/null | tr '\n\t' '  ' | cut -c1-200) || true; }

note "check pass: each query once on each server ..."
printf 'query\tengine\ttsv_status\trows\tjson_status\tjson_ms\tjson_bytes\tjson_content_type\n' >"$CHECK"
LAST=$WORK/$TAG.last
MISMATCH=0
FAILED=0
declare -A rows
for q in "${QNAMES[@]}"; do
  rows=()
  for e in fairdex virtuoso; do
    if [ "$e" = fairdex ]; then
      url=$FDX_URL/sparql
      extra=()
    else
      url=$VT_URL/sparql
      extra=(--data-urlencode "default-graph-uri=$GRAPH")
    fi
    read -r ts _ _ _ < <(get "$url" text/tab-separated-values "$LAST" \
      --data-urlencode "query@$QDIR/$q.rq" ${extra[@]+"${extra[@]}"})
    r=-
    if [ "$ts" = 200 ]; then
      r=$(rows_of "$LAST")
    else
      NOTES+=("check: $e answered HTTP $ts to $q (TSV): $(snippet "$LAST")")
      FAILED=$((FAILED + 1))
    fi
    rows[$e]=$r
    read -r js jms jb jct < <(get "$url" application/sparql-results+json "$LAST" \
      --data-urlencode "query@$QDIR/$q.rq" ${extra[@]+"${extra[@]}"})
    if [ "$js" != 200 ]; then
      NOTES+=("check: $e answered HTTP $js to $q (JSON, as wrk asks): $(snippet "$LAST")")
      FAILED=$((FAILED + 1))
    elif [ "${jct%%;*}" != application/sparql-results+json ]; then
      NOTES+=("check: $e answered $q (JSON) with Content-Type $jct")
    fi
    printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$q" "$e" "$ts" "$r" "$js" "$jms" "$jb" "$jct" >>"$CHECK"
  done
  if [ "${rows[fairdex]}" != - ] && [ "${rows[virtuoso]}" != - ] &&
    [ "${rows[fairdex]}" != "${rows[virtuoso]}" ]; then
    NOTES+=("check: $q: fairdex ${rows[fairdex]} rows, virtuoso ${rows[virtuoso]} rows")
    MISMATCH=$((MISMATCH + 1))
  fi
done
if [ "$MISMATCH" = 0 ] && [ "$FAILED" = 0 ]; then
  NOTES+=("check: both servers answered all ${#QNAMES[@]} queries (200) with the same row counts")
fi

PAGES=$(((N + PER_PAGE - 1) / PER_PAGE))
# /catalog pages: 1 and the last 200 text/turtle, the one after 404.
for p in 1 "$PAGES" $((PAGES + 1)); do
  want=200
  [ "$p" -le "$PAGES" ] || want=404
  read -r s ms b ct < <(get "$FDX_URL/catalog?page=$p&per_page=$PER_PAGE" text/turtle "$LAST")
  if [ "$s" != "$want" ]; then
    NOTES+=("check: GET /catalog?page=$p&per_page=$PER_PAGE answered HTTP $s, not $want: $(snippet "$LAST")")
    FAILED=$((FAILED + 1))
  elif [ "$want" = 200 ] && [ "${ct%%;*}" != text/turtle ]; then
    NOTES+=("check: GET /catalog?page=$p&per_page=$PER_PAGE: Content-Type $ct, not text/turtle")
  fi
  printf 'catalog?page=%s\tfairdex\t-\t-\t%s\t%s\t%s\t%s\n' "$p" "$s" "$ms" "$b" "$ct" >>"$CHECK"
done
rm -f "$LAST" "$LAST.err"
PATHS=$WORK/$TAG.paths
for p in $(seq "$PAGES"); do echo "/catalog?page=$p&per_page=$PER_PAGE"; done >"$PATHS"

# ------------------------------------------------------------------------
# 5. The wrk runs.

# CPU ticks (user + system) a process has used; 0 when it is gone.
ticks() { awk '{ print $14 + $15 }' "/proc/$1/stat" 2>/dev/null || echo 0; }
# Wait until the servers use less than a tenth of a core over one second:
# the requests wrk abandoned at the end of the previous run have finished.
wait_idle() {
  local hz a b c d
  hz=$(getconf CLK_TCK)
  for _ in $(seq "$IDLE_TIMEOUT"); do
    a=$(ticks "${SV_PID:-0}")
    b=$(ticks "${VT_PID:-0}")
    sleep 1
    c=$(ticks "${SV_PID:-0}")
    d=$(ticks "${VT_PID:-0}")
    if [ $((c - a)) -le $((hz / 10)) ] && [ $((d - b)) -le $((hz / 10)) ]; then
      return 0
    fi
  done
  note "the servers are still busy after $IDLE_TIMEOUT s; going on"
}

SV_DEAD=""
# fairdex serve still running?  Otherwise note how it ended (once).
check_fairdex_alive() { # WHEN
  local rc=0
  [ -z "$SV_DEAD" ] || return 1
  if ! kill -0 "$SV_PID" 2>/dev/null; then
    wait "$SV_PID" 2>/dev/null || rc=$?
    SV_PID=""
    if [ "$rc" -gt 128 ]; then
      SV_DEAD="killed by signal $((rc - 128)) ($(kill -l $((rc - 128)) 2>/dev/null || echo '?')) $1"
    else
      SV_DEAD="exited with status $rc $1"
    fi
    NOTES+=("fairdex serve DIED: $SV_DEAD; its stderr ends: $(tail -c 300 "$SV_ERR" | tr '\n' ' ')")
    note "fairdex serve died: $SV_DEAD"
    return 1
  fi
}

# One wrk run: NAME CONNECTIONS URL ARGS... (for serve_mix.lua).
run_wrk() {
  local name=$1 c=$2 url=$3 out rc=0 line
  shift 3
  out=$WRKDIR/${name// /-}-c$c.txt
  wait_idle
  note "wrk: $name, $c connections, $DURATION ..."
  # In the background, and waited for: a Ctrl-C (which wrk takes as "stop
  # and print") then ends this script too, through the trap.
  SERVE_MIX_STATUS=$STATUS_CODES \
    timeout -k 10 $((DURATION_S + WRK_TIMEOUT_S + 120)) wrk -t "$WRK_THREADS" -c "$c" \
    -d "$DURATION" --timeout "$WRK_TIMEOUT" --latency -s "$BENCH/serve_mix.lua" "$url" \
    -- "threads=$WRK_THREADS" "$@" >"$out" 2>&1 &
  WRK_PID=$!
  wait "$WRK_PID" || rc=$?
  WRK_PID=""
  line=$(grep '^RESULT ' "$out" | tail -1 || true)
  if [ -z "$line" ]; then
    printf '%s\t%s\tFAILED wrk exit %s: %s\n' "$name" "$c" "$rc" "$(tail -3 "$out" | tr '\n\t' '  ')" >>"$RESULTS_FILE"
  else
    printf '%s\t%s\t%s\n' "$name" "$c" "${line#RESULT }" >>"$RESULTS_FILE"
  fi
}

# Cold pages: every /catalog page once, one client, one after another,
# before any timed run reads them.  fairdex keeps finished pages per store
# generation (`--cache-bytes`), so this line is the cost of building a
# page from the store, and the wrk runs below measure the pages as a
# federation feed serves them between commits.
cold_pass() {
  local out=$WRKDIR/fairdex-cold-pages.tsv start end
  wait_idle
  note "cold pass: every /catalog page once, one client ..."
  start=$(date +%s.%N)
  while read -r path; do
    curl -s -o /dev/null -w '%{http_code}\t%{time_total}\n' -H 'Accept: text/turtle' \
      "$FDX_URL$path" >>"$out" || printf '000\t0\n' >>"$out"
  done <"$PATHS"
  end=$(date +%s.%N)
  sort -t $'\t' -k2,2g "$out" | awk -F '\t' -v start="$start" -v end="$end" '
    { ms[NR] = $2 * 1000; if ($1 != 200) bad++ }
    END {
      p50 = ms[int((NR - 1) * 0.50) + 1]; p99 = ms[int((NR - 1) * 0.99) + 1]
      printf "fairdex cold pages\t1\trequests=%d duration_s=%.3f rps=%.2f p50_ms=%.3f p99_ms=%.3f mean_ms=0 max_ms=%.3f connect=0 read=0 write=0 timeout=0 status=%d non2xx=- codes=-\n", NR, end - start, NR / (end - start), p50, p99, ms[NR], bad + 0
    }' >>"$RESULTS_FILE"
}
if check_fairdex_alive "before the cold pass"; then
  cold_pass
fi

QFILES=()
for q in "${QNAMES[@]}"; do QFILES+=("$QDIR/$q.rq"); done
for c in $CONNECTIONS; do
  if check_fairdex_alive "before the runs at $c connections"; then
    run_wrk "fairdex sparql" "$c" "$FDX_URL" accept=application/sparql-results+json "${QFILES[@]}"
    check_fairdex_alive "during the SPARQL mix at $c connections" || true
  else
    printf 'fairdex sparql\t%s\tNOT RUN (server died)\n' "$c" >>"$RESULTS_FILE"
  fi
  run_wrk "virtuoso sparql" "$c" "$VT_URL" accept=application/sparql-results+json \
    "param=default-graph-uri=$GRAPH" "${QFILES[@]}"
  if check_fairdex_alive "before the /catalog run at $c connections"; then
    run_wrk "fairdex catalog" "$c" "$FDX_URL" accept=text/turtle "paths=$PATHS"
    check_fairdex_alive "during the /catalog run at $c connections" || true
  else
    printf 'fairdex catalog\t%s\tNOT RUN (server died)\n' "$c" >>"$RESULTS_FILE"
  fi
done

# The server's own end: SIGTERM, exit 0, one stdout line.
if [ -n "$SV_PID" ]; then
  note "stopping fairdex serve ..."
  stop_fairdex
  [ -z "$SV_STOP" ] || NOTES+=("fairdex serve on SIGTERM: $SV_STOP")
fi
[ "$(wc -l <"$SV_OUT")" = 1 ] ||
  NOTES+=("fairdex serve printed $(wc -l <"$SV_OUT") lines to stdout, not 1: $(head -c 200 "$SV_OUT" | tr '\n' '|')")
if [ -s "$SV_ERR" ]; then
  NOTES+=("fairdex serve stderr ($(wc -l <"$SV_ERR") lines, $SV_ERR) ends: $(tail -n 3 "$SV_ERR" | tr '\n' ' ' | cut -c1-300)")
fi
note "stopping Virtuoso ..."
stop_virtuoso

# ------------------------------------------------------------------------
# 6. The report.
{
  echo "fairdex serve benchmark: N = $N datasets, seed $SEED, $TRIPLES triples; wrk $(wrk -v 2>&1 | sed -n '1s/^wrk \([^ ]*\).*/\1/p'), $WRK_THREADS threads, $DURATION per run (timeout $WRK_TIMEOUT)"
  echo "machine: $(nproc) cores, load average $(cut -d' ' -f1-3 /proc/loadavg) at the end"
  echo "fairdex: $FAIRDEX_SRC serve${SERVE_ARGS:+ $SERVE_ARGS} (built $FAIRDEX_BUILT; tree at $(git -C "$ROOT" rev-parse --short HEAD 2>/dev/null || echo '?')$(git -C "$ROOT" status --porcelain -- catalog web include 2>/dev/null | grep -q . && echo ' with uncommitted changes'))"
  echo "virtuoso: Virtuoso ${VT_VERSION:-7}, its /sparql (HTTP ServerThreads 4, as query.sh), data in <$GRAPH> given as default-graph-uri"
  echo "sparql mix: the ${#QNAMES[@]} queries of ${QUERIES#"$ROOT"/} (filled), in turn, GET /sparql?query=..., Accept: application/sparql-results+json"
  echo "catalog: GET /catalog?page=P&per_page=$PER_PAGE, P = 1..$PAGES in turn, Accept: text/turtle"
  echo
} >"$TABLE"

awk -F'\t' -v conns="$CONNECTIONS" -v n="$N" '
function field(s, k,   m) { return match(s, "(^| )" k "=[^ ]*") ? substr(s, RSTART + (RSTART > 1) + length(k) + 1, RLENGTH - (RSTART > 1) - length(k) - 1) : "" }
function ms(x) { return x >= 100 ? sprintf("%.0f", x) : x >= 10 ? sprintf("%.1f", x) : sprintf("%.2f", x) }
{
  key = $1 SUBSEP $2
  order[++nrun] = key; name[key] = $1; conn[key] = $2
  if ($3 !~ /^requests=/) { failed[key] = $3; next }
  rps[key] = field($3, "rps") + 0
  p50[key] = field($3, "p50_ms") + 0
  p99[key] = field($3, "p99_ms") + 0
  sock = field($3, "connect") + field($3, "read") + field($3, "write") + field($3, "timeout")
  # answers outside 2xx when serve_mix.lua counted them (STATUS_CODES=1),
  # otherwise the count of answers >= 400 by wrk
  counted = field($3, "non2xx") != "-"
  bad = counted ? field($3, "non2xx") : field($3, "status")
  err[key] = sock + bad
  if (err[key] > 0)
    detail = detail sprintf("  %s, %s connections: connect %d, read %d, write %d, timeout %d, %s %d%s\n", $1, $2, field($3, "connect"), field($3, "read"), field($3, "write"), field($3, "timeout"), counted ? "non-2xx" : "HTTP >= 400", bad, counted ? " (statuses " field($3, "codes") ")" : "")
}
END {
  H = "%-16s %6s %10s %9s %9s %8s\n"
  hdr = sprintf(H, "target", "conns", "req/s", "p50 ms", "p99 ms", "errors")
  printf "%s", hdr
  rule = hdr; sub(/\n$/, "", rule); gsub(/./, "-", rule); print rule
  for (i = 1; i <= nrun; ++i) {
    k = order[i]
    if (k in failed) { printf "%-16s %6s  %s\n", name[k], conn[k], failed[k]; continue }
    printf H, name[k], conn[k], sprintf("%.1f", rps[k]), ms(p50[k]), ms(p99[k]), err[k]
  }
  print rule
  nc = split(conns, C, " ")
  line = "fairdex/virtuoso requests/s, sparql mix:"
  for (i = 1; i <= nc; ++i) {
    f = "fairdex sparql" SUBSEP C[i]; v = "virtuoso sparql" SUBSEP C[i]
    r = (f in rps && v in rps && rps[v] > 0) ? sprintf("%.2f", rps[f] / rps[v]) : "-"
    ratio[C[i]] = r
    line = line sprintf(" %s at %s connections%s", r, C[i], i < nc ? "," : "")
  }
  print line
  print ""
  # The targets (set for N = 100,000).
  ferr = 0; fmiss = 0; cat = ""
  for (i = 1; i <= nrun; ++i) {
    k = order[i]
    if (name[k] !~ /^fairdex/) continue
    if (k in failed) { fmiss = 1; continue }
    ferr += err[k]
    if (name[k] == "fairdex catalog")
      cat = cat sprintf("%s %s ms at %s connections", cat == "" ? "" : ",", ms(p99[k]), conn[k]) (p99[k] <= 20 ? " (met)" : " (MISSED)")
  }
  printf "targets%s:\n", n == 100000 ? "" : " (set for N = 100,000; this is N = " n ")"
  t = fmiss ? "MISSED (a run failed)" : (ferr == 0 ? "met" : "MISSED (" ferr " errors)")
  printf "  fairdex errors = 0: %s\n", t
  if ("64" in ratio) {
    t = ratio["64"] == "-" ? "-" : ((ratio["64"] + 0 >= 2) ? "met" : "MISSED")
    printf "  fairdex >= 2 x virtuoso requests/s at 64 connections: %s (%s)\n", t, ratio["64"]
  }
  printf "  /catalog p99 <= 20 ms:%s\n", cat == "" ? " - (not run)" : cat
  if (detail != "") printf "\nERRORS:\n%s", detail
}' "$RESULTS_FILE" >>"$TABLE"

{
  echo
  for line in ${NOTES[@]+"${NOTES[@]}"}; do echo "$line"; done
  echo
  echo "wrk output of every run: $WRKDIR/; check pass: $CHECK"
} >>"$TABLE"

echo
cat "$TABLE"
