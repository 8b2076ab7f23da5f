#!/usr/bin/env bash
# tests/bench/query.sh N: the query benchmark.  It loads the synthetic DCAT
# catalogue of N datasets (gen-catalog, as load.sh) into fairdex, into
# Virtuoso 7 and (for N <= 100,000) into Oxigraph, runs the catalogue
# queries of tests/bench/queries/*.rq on each, and prints a table of median
# times with the ratios Virtuoso/fairdex and Oxigraph/fairdex.
#
#   1. generate the N-Triples file once (reused, as load.sh does);
#   2. fairdex: load into a fresh store; time `fairdex --db DIR query
#      --format tsv QUERY` as a whole process (wall time), and the trivial
#      `query 'ASK {}'`, right before each timed run, as the process
#      start-up overhead (start, load the libraries, open the store, parse,
#      print), which is subtracted in the "net" column;
#      then the same queries timed inside one process (query-time --tsv:
#      the store opened once, each query run in a fresh read transaction
#      with its rows through the TSV writer), and through `fairdex serve`
#      over HTTP (curl's time_total, as Virtuoso below);
#   3. Virtuoso 7 (Debian's virtuoso-opensource, installed with apt-get when
#      missing): started here with its own data directory and a generated
#      virtuoso.ini in WORK, on free loopback ports; loaded with
#      ld_dir/rdf_loader_run through isql-vt; queried through its HTTP SPARQL
#      endpoint with curl (Accept: text/tab-separated-values, the graph as
#      default-graph-uri); the time is curl's time_total (connect, request,
#      execution, transfer: a warm server, no process start-up); restarted
#      after a query that timed out, stopped at the end;
#   4. Oxigraph (npm package `oxigraph`, installed into WORK/node when
#      missing), for N <= OXIGRAPH_MAX_N: an in-memory store in node
#      (tests/bench/oxigraph_bench.js), timed in-process around store.query()
#      with TSV serialisation (the store lives in a worker thread, ended and
#      loaded anew when a query runs over QUERY_TIMEOUT): no process
#      start-up and no HTTP, the closest to an engine-only time of the three;
#   5. each query: one untimed run, then RUNS timed runs; the medians, the
#      rows each engine returned (a difference is printed as MISMATCH), and
#      for small results a comparison of the values (lexical forms, sorted);
#      the table goes to stdout and to WORK/query-N-sSEED.txt, every run to
#      WORK/query-N-sSEED.runs.tsv, every engine's result of the untimed run
#      to WORK/query-N-sSEED.results/ENGINE/QUERY.tsv.
# The ratios are peer/fairdex: above 1 means fairdex was faster.  They use
# fairdex's net time: the raw median minus the median of the `ASK {}` runs
# made right before that query's runs, at least NET_FLOOR_MS (default 1 ms:
# below that the difference of two process times is noise; such ratios are
# printed with '>', as they are lower bounds); the geometric means are given
# against the raw times too.  Two more pairs time both sides alike: v/h,
# Virtuoso over fairdex serve (both warm servers over HTTP), and o/i,
# Oxigraph over fairdex in one process (both around the engine call).
#
# Environment:
#   BUILD    build directory (default: build), relative to the repository
#            root unless absolute; set up as a release build (meson setup
#            -Dbuildtype=release) and built when it has no web/fairdex;
#            otherwise used as it is (`ninja -C "$BUILD"` first)
#   WORK     work directory (default: tests/bench/out, git-ignored)
#   SEED     generator seed (default: 1)
#   RUNS     timed runs per query and engine (default: 5)
#   QUERIES  directory of *.rq files (default: tests/bench/queries); the
#            placeholders {{DATASET}}, {{IDENTIFIER}} and {{PUBLISHER}} are
#            replaced by the first generated dataset's IRI, dct:identifier
#            and publisher
#   QUERY_TIMEOUT     seconds for one query run, any engine (default: 300)
#   LOAD_TIMEOUT      seconds for one engine's load (default: 3600)
#   VIRTUOSO          0 skips Virtuoso (default: 1)
#   VIRTUOSO_BUFFERS  its NumberOfBuffers (default: 170000, about 1.3 GiB)
#   OXIGRAPH          0 skips Oxigraph, 1 runs it whatever N (default: only
#                     for N <= OXIGRAPH_MAX_N = 100000)
#   OXIGRAPH_VERSION  npm version installed when missing (default: 0.5.11)
#   OXIGRAPH_TIMEOUT  seconds for the whole node run (default: 7200)
#   NET_FLOOR_MS      the least net time of fairdex for a ratio (default: 1)
#   KEEP_DB  1 keeps the fairdex store and the Virtuoso database in WORK
set -euo pipefail
export LC_ALL=C

usage() {
  echo "usage: [BUILD=dir] [WORK=dir] [SEED=s] [RUNS=r] $0 N" >&2
  exit 2
}
[ $# -eq 1 ] || usage
N=$1
case $N in '' | *[!0-9]*) usage ;; esac

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
BENCH=$ROOT/tests/bench
BUILD=${BUILD:-build}
case $BUILD in /*) ;; *) BUILD=$ROOT/$BUILD ;; esac
WORK=${WORK:-$ROOT/tests/bench/out}
case $WORK in /*) ;; *) WORK=$ROOT/$WORK ;; esac
SEED=${SEED:-1}
RUNS=${RUNS:-5}
QUERIES=${QUERIES:-$BENCH/queries}
QUERY_TIMEOUT=${QUERY_TIMEOUT:-300}
LOAD_TIMEOUT=${LOAD_TIMEOUT:-3600}
VIRTUOSO=${VIRTUOSO:-1}
VIRTUOSO_BUFFERS=${VIRTUOSO_BUFFERS:-170000}
OXIGRAPH_MAX_N=${OXIGRAPH_MAX_N:-100000}
OXIGRAPH_VERSION=${OXIGRAPH_VERSION:-0.5.11}
OXIGRAPH_TIMEOUT=${OXIGRAPH_TIMEOUT:-7200}
KEEP_DB=${KEEP_DB:-0}
NET_FLOOR_MS=${NET_FLOOR_MS:-1}
GRAPH=https://fairdex.example.org/bench-graph
case $RUNS in '' | *[!0-9]* | 0) usage ;; esac
if [ -z "${OXIGRAPH:-}" ]; then
  if [ "$N" -le "$OXIGRAPH_MAX_N" ]; then OXIGRAPH=1; else OXIGRAPH=0; fi
fi

FAIRDEX=$BUILD/web/fairdex
GEN=$BUILD/tests/bench/gen-catalog

PROG=query.sh
# shellcheck source=tests/bench/lib.sh source-path=SCRIPTDIR/../..
. "$BENCH/lib.sh"

# ------------------------------------------------------------------------
# Clean-up: the servers and the databases this run started or made.
VT_PID=""
VT_DIR=""
DB=""
SV_PID=""
cleanup() {
  local rc=$?
  trap - EXIT INT TERM
  if [ -n "$SV_PID" ]; then
    kill -TERM "$SV_PID" 2>/dev/null || true
    wait "$SV_PID" 2>/dev/null || true
  fi
  if [ -n "$VT_PID" ]; then
    note "stopping Virtuoso (pid $VT_PID) ..."
    stop_virtuoso
  fi
  rm -f "$WORK/query-$N-s$SEED.fairdex" "$WORK/query-$N-s$SEED.query-time" \
    "$WORK/query-$N-s$SEED.ask.tsv" \
    "$WORK/query-$N-s$SEED.ask.tsv.err" "$WORK/query-$N-s$SEED.last.tsv" \
    "$WORK/query-$N-s$SEED.last.tsv.err"
  if [ "$KEEP_DB" != 1 ]; then
    [ -z "$DB" ] || rm -rf "$DB"
    [ -z "$VT_DIR" ] || rm -rf "$VT_DIR/db"
  fi
  exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# ------------------------------------------------------------------------
# The tools.
bench_build
for t in curl timeout awk sort md5sum ss; do
  command -v "$t" >/dev/null || die "$t is missing"
done
[ -d "$QUERIES" ] || die "no query directory $QUERIES"

if [ "$VIRTUOSO" = 1 ]; then
  bench_install_virtuoso
fi

NODE_DIR=$WORK/node
if [ "$OXIGRAPH" = 1 ]; then
  command -v node >/dev/null || die "node is missing: apt-get install nodejs npm"
  if [ ! -f "$NODE_DIR/node_modules/oxigraph/package.json" ]; then
    note "installing oxigraph@$OXIGRAPH_VERSION (npm) into $NODE_DIR ..."
    mkdir -p "$NODE_DIR"
    (cd "$NODE_DIR" && timeout 600 npm install --no-save --no-audit --no-fund \
      --prefix . "oxigraph@$OXIGRAPH_VERSION" >"$WORK/npm-oxigraph.log" 2>&1) ||
      die "npm install oxigraph failed (see $WORK/npm-oxigraph.log)"
  fi
fi

mkdir -p "$WORK"
TAG=query-$N-s$SEED

# A copy of the program for this run, so that a rebuild of $BUILD while the
# benchmark runs (the machine is shared) cannot change or remove it midway.
bench_copy_fairdex "$TAG"
# query-time (in-process timing), built and copied the same way.
QUERY_TIME=$BUILD/tests/bench/query-time
if [ ! -x "$QUERY_TIME" ]; then
  ninja -C "$BUILD" tests/bench/query-time >/dev/null || die "ninja -C $BUILD failed"
fi
cp "$QUERY_TIME" "$WORK/$TAG.query-time" || die "cannot copy $QUERY_TIME"
QUERY_TIME=$WORK/$TAG.query-time
"$FAIRDEX" query --help >/dev/null 2>&1 ||
  die "$FAIRDEX_SRC has no 'query' command: rebuild it (ninja -C $BUILD)"

# ------------------------------------------------------------------------
# 1. The input, generated once (as load.sh: to a temporary name first).
bench_generate

# The queries, with the placeholders filled in from the first dataset.
QDIR=$WORK/$TAG.queries
RESULTS=$WORK/$TAG.results
RUNS_FILE=$WORK/$TAG.runs.tsv
TABLE=$WORK/$TAG.txt
rm -rf "$QDIR" "$RESULTS"
mkdir -p "$QDIR" "$RESULTS/fairdex" "$RESULTS/virtuoso" "$RESULTS/oxigraph"
bench_fill_queries "$QDIR"
: >"$RUNS_FILE"

# One line of the runs file: ENGINE QUERY RUN ROWS MS STATUS [MESSAGE].
record() {
  local IFS=$'\t'
  echo "$*" >>"$RUNS_FILE"
}
# Result rows of a TSV file: its lines after the header.
tsv_rows() {
  local n
  n=$(wc -l <"$1")
  [ "$n" -gt 0 ] && n=$((n - 1))
  echo "$n"
}
first_line() { (tr '\n\t' '  ' <"$1" | cut -c1-300) 2>/dev/null || true; }

# Run one query file against a SPARQL endpoint over HTTP (TSV results),
# timed by curl's time_total; extra curl arguments follow.  Sets LAST_MS,
# LAST_ROWS, LAST_STATUS, LAST_MSG.
http_run() {
  local endpoint=$1 qfile=$2 out=$3 w rc=0 code
  shift 3
  w=$(timeout -k 5 $((QUERY_TIMEOUT + 10)) curl -sS -o "$out" \
    -w '%{http_code} %{time_total}' --max-time "$QUERY_TIMEOUT" \
    -H 'Accept: text/tab-separated-values' \
    --data-urlencode "query@$qfile" "$@" "$endpoint" 2>"$out.err") || rc=$?
  code=${w%% *}
  LAST_MS=$(awk -v s="${w##* }" 'BEGIN { printf "%.3f", s * 1000 }')
  LAST_MSG=""
  if [ "$rc" = 0 ] && [ "$code" = 200 ]; then
    LAST_STATUS=ok
    LAST_ROWS=$(tsv_rows "$out")
  else
    if [ "$rc" = 28 ] || [ "$rc" = 124 ]; then LAST_STATUS=timeout; else LAST_STATUS=error; fi
    LAST_ROWS=-
    LAST_MSG="curl exit $rc, HTTP $code: $(cat "$out.err" "$out" 2>/dev/null | tr '\n\t' '  ' | cut -c1-300 || true)"
  fi
}

# Read the file once so that no engine's load pays for a cold cache.
cat "$FILE" >/dev/null

# ------------------------------------------------------------------------
# 2. fairdex.
DB=$WORK/$TAG.fairdex-db
bench_fairdex_load "$DB" "$WORK/$TAG.fairdex-load.log"
record fairdex load - "$FAIRDEX_QUADS" "$FAIRDEX_LOAD_MS" ok

# Run one fairdex query (FILE or the text '-t TEXT'), output to OUT; sets
# LAST_MS, LAST_ROWS, LAST_STATUS, LAST_MSG.
fairdex_run() {
  local text=$1 out=$2 t rc=0
  t=$(now_us)
  timeout -k 5 $((QUERY_TIMEOUT + 10)) "$FAIRDEX" --db "$DB" query --format tsv \
    --timeout-ms $((QUERY_TIMEOUT * 1000)) --max-rows 100000000 "$text" \
    >"$out" 2>"$out.err" || rc=$?
  LAST_MS=$(ms_since "$t" "$(now_us)")
  LAST_MSG=""
  if [ "$rc" = 0 ]; then
    LAST_STATUS=ok
    LAST_ROWS=$(tsv_rows "$out")
  else
    LAST_ROWS=-
    LAST_MSG="exit $rc: $(first_line "$out.err")"
    case $rc:$LAST_MSG in
      124:* | 137:* | *"time limit"*) LAST_STATUS=timeout ;;
      *) LAST_STATUS=error ;;
    esac
  fi
}

# The start-up overhead: `query 'ASK {}'`, timed right before each timed run
# of each query, so that the load of this shared machine weighs on both the
# same way; each query's net time subtracts the median of its own ASK runs.
ASK=$WORK/$TAG.ask.tsv
for _ in 1 2; do # untimed: the binary and its libraries into the cache
  fairdex_run 'ASK {}' "$ASK"
  [ "$LAST_STATUS" = ok ] || die "fairdex query 'ASK {}' failed: $LAST_MSG"
done

for q in "${QNAMES[@]}"; do
  note "fairdex: $q"
  text=$(cat "$QDIR/$q.rq")
  for r in $(seq 0 "$RUNS"); do
    label=$r
    [ "$r" = 0 ] && label=warm
    out=$WORK/$TAG.last.tsv
    [ "$r" = 0 ] && out=$RESULTS/fairdex/$q.tsv
    if [ "$r" != 0 ]; then
      fairdex_run 'ASK {}' "$ASK"
      [ "$LAST_STATUS" = ok ] || die "fairdex query 'ASK {}' failed: $LAST_MSG"
      record fairdex-startup "$q" "$r" 1 "$LAST_MS" ok
    fi
    fairdex_run "$text" "$out"
    record fairdex "$q" "$label" "$LAST_ROWS" "$LAST_MS" "$LAST_STATUS" "$LAST_MSG"
    [ "$LAST_STATUS" = ok ] || break
  done
done
rm -f "$ASK" "$ASK.err"
rm -f "$WORK/$TAG.last.tsv" "$WORK/$TAG.last.tsv.err"

# The same queries inside one process (query-time --tsv): the store opened
# once, each query prepared once and run in a fresh read transaction, its
# rows written by the TSV results writer into a byte counter.  No process
# start-up and no faulting in of a fresh map: timed around the engine as
# Oxigraph is below, which makes "o/i" the like-for-like ratio.
note "fairdex in-process ..."
QFILES=()
for q in "${QNAMES[@]}"; do QFILES+=("$QDIR/$q.rq"); done
timeout -k 5 $((QUERY_TIMEOUT * (RUNS + 1) * ${#QNAMES[@]})) \
  "$QUERY_TIME" "$DB" --runs "$RUNS" --tsv --each "${QFILES[@]}" \
  2>"$WORK/$TAG.inproc.err" | sed -e 's/\.rq\t/\t/' -e 's/^/fairdex-inproc\t/' \
  >>"$RUNS_FILE" || note "query-time ended early: $(tail -c 300 "$WORK/$TAG.inproc.err")"
rm -f "$WORK/$TAG.inproc.err"

# The same queries through `fairdex serve`, timed like Virtuoso's (curl's
# time_total for a request to a running server): no process start-up, and
# the store's pages stay mapped from one query to the next, as in service.
FH_STATUS="not run"
SV_OUT=$WORK/$TAG.serve.out
"$FAIRDEX" --db "$DB" serve --listen 127.0.0.1:0 --access-log /dev/null \
  --max-rows 100000000 --query-timeout-ms $((QUERY_TIMEOUT * 1000)) \
  >"$SV_OUT" 2>"$WORK/$TAG.serve.err" &
SV_PID=$!
for _ in $(seq 200); do
  grep -q '^listening on ' "$SV_OUT" 2>/dev/null && break
  sleep 0.1
done
SV_URL=$(sed -n 's/^listening on \(http:[^ ]*\)$/\1/p' "$SV_OUT")
if [ -n "$SV_URL" ]; then
  for q in "${QNAMES[@]}"; do
    note "fairdex serve: $q"
    for r in $(seq 0 "$RUNS"); do
      label=$r
      [ "$r" = 0 ] && label=warm
      http_run "${SV_URL}sparql" "$QDIR/$q.rq" "$WORK/$TAG.last.tsv"
      record fairdex-http "$q" "$label" "$LAST_ROWS" "$LAST_MS" "$LAST_STATUS" "$LAST_MSG"
      [ "$LAST_STATUS" = ok ] || break
    done
  done
  FH_STATUS="fairdex serve ($SV_URL), curl time_total"
else
  note "fairdex serve did not start: $(tail -c 300 "$WORK/$TAG.serve.err")"
fi
kill -TERM "$SV_PID" 2>/dev/null || true
wait "$SV_PID" 2>/dev/null || true
SV_PID=""
rm -f "$WORK/$TAG.last.tsv" "$WORK/$TAG.last.tsv.err" "$SV_OUT" "$WORK/$TAG.serve.err"

# ------------------------------------------------------------------------
# 3. Virtuoso.

VT_STATUS="not run"
if [ "$VIRTUOSO" = 1 ]; then
  vt_setup "$WORK/$TAG.virtuoso"
  note "starting Virtuoso (SQL port $SQL_PORT, HTTP port $HTTP_PORT) ..."
  vt_start
  vt_load
  record virtuoso load - "$VT_TRIPLES" "$VT_LOAD_MS" ok

  vt_run() {
    http_run "$ENDPOINT" "$1" "$2" --data-urlencode "default-graph-uri=$GRAPH"
  }
  for q in "${QNAMES[@]}"; do
    note "virtuoso: $q"
    for r in $(seq 0 "$RUNS"); do
      label=$r
      [ "$r" = 0 ] && label=warm
      out=$WORK/$TAG.last.tsv
      [ "$r" = 0 ] && out=$RESULTS/virtuoso/$q.tsv
      vt_run "$QDIR/$q.rq" "$out"
      record virtuoso "$q" "$label" "$LAST_ROWS" "$LAST_MS" "$LAST_STATUS" "$LAST_MSG"
      if [ "$LAST_STATUS" = timeout ]; then
        # The server goes on with a query whose client has gone: restart it
        # (the data is checkpointed) so that it does not slow the next ones.
        note "virtuoso: $q timed out; restarting Virtuoso ..."
        stop_virtuoso
        vt_start
      fi
      [ "$LAST_STATUS" = ok ] || break
    done
  done
  rm -f "$WORK/$TAG.last.tsv" "$WORK/$TAG.last.tsv.err"
  VT_VERSION=$(vt_version)
  VT_STATUS="Virtuoso ${VT_VERSION:-7}, HTTP endpoint, curl time_total"

  note "stopping Virtuoso ..."
  stop_virtuoso
fi

# ------------------------------------------------------------------------
# 4. Oxigraph, in node.
if [ "$N" -le "$OXIGRAPH_MAX_N" ]; then
  OX_STATUS="not run (OXIGRAPH=0)"
else
  OX_STATUS="not run (N > $OXIGRAPH_MAX_N; OXIGRAPH=1 forces it)"
fi
if [ "$OXIGRAPH" = 1 ]; then
  note "Oxigraph: loading and querying in node (this takes a while) ..."
  rc=0
  timeout -k 10 "$OXIGRAPH_TIMEOUT" node "$BENCH/oxigraph_bench.js" "$NODE_DIR" \
    "$FILE" "$QDIR" "$RUNS" "$QUERY_TIMEOUT" "$RESULTS/oxigraph" >"$WORK/$TAG.oxigraph.tsv" \
    2>"$WORK/$TAG.oxigraph.err" || rc=$?
  sed 's/^/oxigraph\t/' "$WORK/$TAG.oxigraph.tsv" >>"$RUNS_FILE"
  OX_V=$(sed -n 's/.*"version": *"\([^"]*\)".*/\1/p' "$NODE_DIR/node_modules/oxigraph/package.json")
  OX_STATUS="Oxigraph $OX_V (npm, WebAssembly) in node $(node --version), in memory, in-process timing"
  if [ "$rc" != 0 ]; then
    OX_STATUS="$OX_STATUS; node exited $rc: $(tail -c 300 "$WORK/$TAG.oxigraph.err" | tr '\n' ' ')"
    note "Oxigraph run ended with exit $rc (see $WORK/$TAG.oxigraph.err)"
  fi
fi

# ------------------------------------------------------------------------
# 5. The report.

# Values of a result file for comparison: lexical forms only (Virtuoso's
# TSV quotes everything and drops language tags and datatypes), header
# dropped, rows sorted.
normalise() {
  tail -n +2 "$1" | awk -F'\t' -v OFS='\t' '{
    for (i = 1; i <= NF; ++i) {
      v = $i
      if (v ~ /^<.*>$/) v = substr(v, 2, length(v) - 2)
      else if (v ~ /^".*"(@[A-Za-z0-9-]+|\^\^<[^>]*>)?$/) {
        sub(/(@[A-Za-z0-9-]+|\^\^<[^>]*>)$/, "", v)
        v = substr(v, 2, length(v) - 2)
      }
      $i = v
    }
    print
  }' | sort
}
# A query whose LIMIT cut the result without an ORDER BY may return
# different rows on different engines: no value check for those.
limit_of() { sed -n 's/^[[:space:]]*LIMIT[[:space:]]*\([0-9]*\).*/\1/Ip' "$1" | tail -1; }
has_order() { grep -qi '^[[:space:]]*ORDER BY' "$1"; }

VALUE_NOTES=$WORK/$TAG.values.txt
: >"$VALUE_NOTES"
for q in "${QNAMES[@]}"; do
  f=$RESULTS/fairdex/$q.tsv
  [ -s "$f" ] || continue
  rows=$(tsv_rows "$f")
  [ "$rows" -le 1000 ] || continue
  lim=$(limit_of "$QDIR/$q.rq")
  if [ -n "$lim" ] && [ "$rows" -ge "$lim" ] && ! has_order "$QDIR/$q.rq"; then
    continue
  fi
  ref=$(normalise "$f" | md5sum)
  for e in virtuoso oxigraph; do
    g=$RESULTS/$e/$q.tsv
    [ -s "$g" ] || continue
    [ "$(tsv_rows "$g")" = "$rows" ] || continue # a row mismatch is reported anyway
    if [ "$(normalise "$g" | md5sum)" != "$ref" ]; then
      echo "$q $e" >>"$VALUE_NOTES"
      {
        echo "== $q: fairdex vs $e (normalised, sorted; < fairdex, > $e)"
        diff <(normalise "$f") <(normalise "$g") | head -20
      } >>"$WORK/$TAG.values.diff"
    fi
  done
done

{
  echo "fairdex query benchmark: N = $N datasets, seed $SEED, $TRIPLES triples, $RUNS timed runs per query (after one untimed)"
  echo "machine: $(nproc) cores, load average $(cut -d' ' -f1-3 /proc/loadavg) at the end"
  echo "fairdex: $FAIRDEX_SRC (built $FAIRDEX_BUILT; tree at $(git -C "$ROOT" rev-parse --short HEAD 2>/dev/null || echo '?')$(git -C "$ROOT" status --porcelain -- catalog web include 2>/dev/null | grep -q . && echo ' with uncommitted changes to the engine')), process wall time of 'fairdex query --format tsv'"
  echo "virtuoso: $VT_STATUS"
  echo "fairdex http: $FH_STATUS"
  echo "oxigraph: $OX_STATUS"
  echo
} >"$TABLE"

awk -F'\t' -v runs_file="$RUNS_FILE" -v values="$VALUE_NOTES" -v qlist="${QNAMES[*]}" \
  -v qdir="$QDIR" -v floor_ms="$NET_FLOOR_MS" '
function median(key,   n, i, j, t, a) {
  n = cnt[key]
  if (n == 0) return ""
  for (i = 1; i <= n; ++i) a[i] = v[key, i]
  for (i = 2; i <= n; ++i) { t = a[i]; for (j = i - 1; j >= 1 && a[j] > t; --j) a[j + 1] = a[j]; a[j + 1] = t }
  return n % 2 ? a[(n + 1) / 2] : (a[n / 2] + a[n / 2 + 1]) / 2
}
function minimum(key,   n, i, m) {
  n = cnt[key]
  if (n == 0) return ""
  m = v[key, 1]
  for (i = 2; i <= n; ++i) if (v[key, i] < m) m = v[key, i]
  return m
}
function fmt(x) {
  if (x == "") return "-"
  if (x >= 100) return sprintf("%.0f", x)
  if (x >= 10) return sprintf("%.1f", x)
  return sprintf("%.2f", x)
}
function rows_of(e, q) { return rows[e, q] == "" ? "not run" : rows[e, q] }
# The two cells of a fairdex timing `self` timed as `peer` is, on query q:
# its median and peer/self; the log of the ratio goes to pl[self] for the
# geometric mean, a row count unlike the process runs sets pair_mismatch.
function pair_cells(self, peer, q,   m, pm, r) {
  if (!ran[self]) return sprintf(" %9s %7s", "-", "-")
  if (status[self, q] != "") return sprintf(" %9s %7s", toupper(status[self, q]), "-")
  m = median(self SUBSEP q)
  pm = (ran[peer] && status[peer, q] == "") ? median(peer SUBSEP q) : ""
  r = "-"
  if (pm != "" && m > 0) { r = sprintf("%.2f", pm / m); pl[self] += log(pm / m); pn[self]++ }
  if (rows[self, q] ~ /^[0-9]+$/ && rows["fairdex", q] ~ /^[0-9]+$/ && rows[self, q] != rows["fairdex", q]) pair_mismatch = 1
  return sprintf(" %9s %7s", m < 0.1 ? sprintf("%.3f", m) : fmt(m), r)
}
BEGIN {
  E[1] = "virtuoso"; E[2] = "oxigraph"
  while ((getline line < values) > 0) { split(line, w, " "); badval[w[1], w[2]] = 1 }
  while ((getline line < runs_file) > 0) {
    split(line, f, "\t")
    e = f[1]; q = f[2]; r = f[3]
    if (q == "load") { load[e] = f[5]; loadn[e] = f[4]; continue }
    ran[e] = 1
    if (f[6] != "ok") {
      status[e, q] = f[6]; msg[e, q] = f[7]
      if (r == "warm" || rows[e, q] == "") rows[e, q] = "-"
      continue
    }
    if (r == "warm") { rows[e, q] = f[4]; continue }
    if (rows[e, q] != "" && rows[e, q] != f[4]) unstable[e, q] = 1
    key = e SUBSEP q
    v[key, ++cnt[key]] = f[5] + 0
    if (e == "fairdex-startup") { key = e SUBSEP "*"; v[key, ++cnt[key]] = f[5] + 0 }
  }
  nq = split(qlist, Q, " ")
  H = "%-26s %8s %8s %8s %8s %9s %7s %9s %7s %9s %7s %9s %7s\n"
  hdr = sprintf(H, "query", "rows", "fdx raw", "start", "fdx net", "virtuoso", "v/f", "oxigraph", "o/f", "fdx http", "v/h", "fdx in", "o/i")
  printf "%s", hdr
  printf H, "", "", "ms", "ms", "ms", "ms", "", "ms", "", "ms", "", "ms", ""
  rule = hdr; sub(/\n$/, "", rule); gsub(/./, "-", rule); print rule
  for (i = 1; i <= nq; ++i) {
    q = Q[i]
    fr = (status["fairdex", q] != "") ? "" : median("fairdex" SUBSEP q)
    st = median("fairdex-startup" SUBSEP q)
    fn = ""; floored = 0
    if (fr != "") {
      fn = fr - st
      if (fn < floor_ms) { fn = floor_ms + 0; floored = 1 }
    }
    mism = 0
    # (an engine that failed is listed under the errors, not here)
    for (k = 1; k <= 2; ++k) if (rows[E[k], q] ~ /^[0-9]+$/ && rows["fairdex", q] ~ /^[0-9]+$/ && rows[E[k], q] != rows["fairdex", q]) mism = 1
    rowcell = rows["fairdex", q]
    if (mism) {
      rowcell = rows["fairdex", q] "/" (rows["virtuoso", q] == "" ? "." : rows["virtuoso", q]) "/" (rows["oxigraph", q] == "" ? "." : rows["oxigraph", q])
      mismatches = mismatches sprintf("  %s: fairdex %s, virtuoso %s, oxigraph %s rows  (%s/%s.rq)\n", q, rows_of("fairdex", q), rows_of("virtuoso", q), rows_of("oxigraph", q), qdir, q)
    }
    c_raw = (status["fairdex", q] != "") ? toupper(status["fairdex", q]) : fmt(fr)
    c_net = (fn == "") ? "-" : (floored ? "<" fmt(floor_ms) : fmt(fn))
    line = sprintf("%-26s %8s %8s %8s %8s", q, rowcell, c_raw, fmt(st), c_net)
    for (k = 1; k <= 2; ++k) {
      e = E[k]
      if (!ran[e]) { line = line sprintf(" %9s %7s", "-", "-"); continue }
      if (status[e, q] != "") { line = line sprintf(" %9s %7s", toupper(status[e, q]), "-"); continue }
      m = median(e SUBSEP q)
      ratio = "-"
      if (m != "" && fn != "") {
        ratio = (floored ? ">" : "") sprintf("%.2f", m / fn)
        gl[e] += log(m / fn); gn[e]++
        glr[e] += log(m / fr); gnr[e]++
        # The same from the best runs: the load of other jobs only adds time.
        bn = minimum("fairdex" SUBSEP q) - minimum("fairdex-startup" SUBSEP q)
        if (bn < floor_ms) bn = floor_ms
        glm[e] += log(minimum(e SUBSEP q) / bn); gnm[e]++
      }
      line = line sprintf(" %9s %7s", fmt(m), ratio)
    }
    # fairdex through its HTTP server against the Virtuoso HTTP endpoint,
    # and in one process against the in-process time of Oxigraph
    pair_mismatch = 0
    line = line pair_cells("fairdex-http", "virtuoso", q) pair_cells("fairdex-inproc", "oxigraph", q)
    if (pair_mismatch) mism = 1
    flags = ""
    if (mism) flags = flags " MISMATCH"
    for (e in ran) if (unstable[e, q]) flags = flags " UNSTABLE-ROWS(" e ")"
    for (k = 1; k <= 2; ++k) if (badval[q, E[k]]) flags = flags " VALUES-DIFFER(" E[k] ")"
    print line flags
    for (e in ran) if (status[e, q] != "") errors = errors sprintf("  %s on %s: %s %s\n", e, q, status[e, q], msg[e, q])
  }
  print rule
  printf "%-26s %8s %8s %8s %8s", "geomean of ratios (net)", "", "", "", ""
  for (k = 1; k <= 2; ++k) printf " %9s %7s", "", gn[E[k]] ? sprintf("%.2f", exp(gl[E[k]] / gn[E[k]])) : "-"
  for (k = 1; k <= 2; ++k) {
    e = k == 1 ? "fairdex-http" : "fairdex-inproc"
    printf " %9s %7s", "", pn[e] ? sprintf("%.2f", exp(pl[e] / pn[e])) : "-"
  }
  printf "\n%-26s %8s %8s %8s %8s", "geomean of ratios (raw)", "", "", "", ""
  for (k = 1; k <= 2; ++k) printf " %9s %7s", "", gnr[E[k]] ? sprintf("%.2f", exp(glr[E[k]] / gnr[E[k]])) : "-"
  printf "\n%-26s %8s %8s %8s %8s", "geomean of ratios (best)", "", "", "", ""
  for (k = 1; k <= 2; ++k) printf " %9s %7s", "", gnm[E[k]] ? sprintf("%.2f", exp(glm[E[k]] / gnm[E[k]])) : "-"
  printf "\n\n"
  printf "fdx raw: median wall time of the fairdex process; start: median of `fairdex query \"ASK {}\"` run just before each timed run\n"
  printf "  (process start-up, store open; median over all queries: %s ms); fdx net = raw - start, at least %s ms\n", fmt(median("fairdex-startup" SUBSEP "*")), fmt(floor_ms)
  printf "v/f, o/f: peer median / fdx net (above 1: fairdex faster; \">\": fdx net at the floor, a lower bound); (raw): / fdx raw;\n"
  printf "  (best): from the fastest run of each instead of the median (fairdex net: fastest query - fastest ASK)\n"
  printf "fdx http: median curl time_total of the query sent to `fairdex serve` on the same store, as Virtuoso is timed; v/h = virtuoso / fdx http\n"
  printf "fdx in: median time of the query inside one process (query-time --tsv: store open, query prepared, fresh read transaction,\n"
  printf "  rows through the TSV writer), as Oxigraph is timed; o/i = oxigraph / fdx in\n"
  printf "loads: fairdex %s s (%s quads)", load["fairdex"] == "" ? "-" : sprintf("%.1f", load["fairdex"] / 1000), loadn["fairdex"]
  if (load["virtuoso"] != "") printf ", virtuoso %.1f s (%s triples)", load["virtuoso"] / 1000, loadn["virtuoso"]
  if (load["oxigraph"] != "") printf ", oxigraph %.1f s (%s triples)", load["oxigraph"] / 1000, loadn["oxigraph"]
  printf "\n"
  if (mismatches != "") printf "\nROW COUNT MISMATCHES (rows column: fairdex/virtuoso/oxigraph):\n%s", mismatches
  else printf "row counts: the engines agree on every query they ran\n"
  if (errors != "") printf "\nERRORS AND TIMEOUTS:\n%s", errors
}' /dev/null >>"$TABLE"

if [ -s "$VALUE_NOTES" ]; then
  {
    echo
    echo "VALUES DIFFER (same row count; lexical forms, sorted; first lines in $WORK/$TAG.values.diff):"
    sed 's/^/  /' "$VALUE_NOTES"
  } >>"$TABLE"
fi
rm -f "$VALUE_NOTES"
{
  echo
  echo "every run: $RUNS_FILE; results of the untimed runs: $RESULTS/ENGINE/QUERY.tsv"
} >>"$TABLE"

echo
cat "$TABLE"
