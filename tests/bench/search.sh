#!/usr/bin/env bash
# tests/bench/search.sh N: the full-text search benchmark.  It loads the
# synthetic DCAT catalogue of N datasets (gen-catalog, shared with load.sh,
# query.sh and serve.sh through tests/bench/lib.sh) into a fresh fairdex
# store and measures, in one run, side by side:
#
#   1. the load: `fairdex load` prints "FILE: ... T s (search index X s)";
#      the index build's share is X / (T - X), what keeping the search
#      index adds to the rest of the load;
#   2. keyword search in-process against SQLite FTS5: the titles and
#      descriptions of every dataset are read back from the store with
#      `fairdex query --format tsv` (all dct:title of a dataset joined, all
#      its dct:description joined: the texts fairdex's title and description
#      fields hold) into an SQLite database with an FTS5 table docs(title,
#      description, iri UNINDEXED) (the Debian `sqlite3` CLI, installed with
#      apt-get when missing); tests/bench/search-time (search_time.c) then
#      runs each keyword query of the list below RUNS times per engine,
#      alternating, as top 20 by relevance: fdx_search_run() (limit 20,
#      facet_limit 0) against SELECT rowid FROM docs WHERE docs MATCH ?
#      ORDER BY bm25(docs, 5.0, 1.0) LIMIT 20 (the title weighted 5 and the
#      description 1, as fairdex weights those fields); it prints counts and
#      median microseconds per query and the geometric mean of the ratios
#      fairdex/sqlite;
#   3. HTTP: `fairdex serve --db DIR --listen 127.0.0.1:0 --base
#      https://fairdex.example.org/ --access-log /dev/null`, GET
#      /api/datasets with all facets (the default facet_limit 20), a mix of
#      keyword queries, keyword + one facet filter, facet-only browsing
#      (theme, publisher, format, year), the empty query, sort=modified and
#      page=2, generated from gen-catalog's vocabulary (WORK/TAG.mix.tsv,
#      "CLASS<TAB>PATH"):
#        cold     every distinct request of the mix once, one client (curl),
#                 on a fresh server: the cost of an answer built from the
#                 store (the server keeps finished answers per store
#                 generation), by request class;
#        cached   wrk with tests/bench/search_mix.lua cycling the same mix:
#                 nearly every answer comes from the answer cache, so this
#                 is optimistic;
#        nocache  wrk on a second server started with --cache-bytes 0 (no
#                 answer cache), cycling a longer list of the same classes
#                 (BUST_N requests, well over 1000 distinct): every answer
#                 is computed; the honest number, and the one the targets
#                 are checked against;
#   4. a summary with the targets (set for N = 1,000,000): /api/datasets
#      with all facets p50 <= 20 ms and p99 <= 100 ms; keyword top-20 at
#      least as fast as SQLite FTS5 (geomean <= 1); index build <= 30 % of
#      the load.
# The report goes to stdout and to WORK/search-N-sSEED.txt; the in-process
# table to WORK/search-N-sSEED.time.txt, the cold pass to
# WORK/search-N-sSEED.cold.tsv, wrk's output to WORK/search-N-sSEED.wrk/.
# The machine is shared: both engines are measured in the same run, and the
# ratios are what to compare between runs.
#
# Environment:
#   BUILD    build directory (default: build-bench), relative to the
#            repository root unless absolute; set up as a release build and
#            built when web/fairdex, gen-catalog or search-time is missing
#            (search-time needs libsqlite3-dev when meson configures BUILD)
#   WORK     work directory (default: tests/bench/out, git-ignored)
#   SEED     generator seed (default: 1)
#   RUNS     timed runs per query and engine in-process (default: 20)
#   DURATION wrk's -d for each run (default: 20s; NUMBER[s|m|h])
#   CONNECTIONS  wrk connection counts (default: 16)
#   WRK_THREADS  wrk's -t (default: 2)
#   WRK_TIMEOUT  wrk's --timeout (default: 30s)
#   MIX_N    distinct requests of the cold pass and the cached run
#            (default: 200)
#   BUST_N   requests of the no-cache run's list (default: 3000)
#   FTS_TOKENIZE  the FTS5 tokenizer (default: 'porter unicode61
#            remove_diacritics 2': English stems, accents and case folded,
#            the nearest FTS5 has to fairdex's folding and stemming)
#   SERVE_ARGS  more arguments for both `fairdex serve` (e.g. "--threads 4")
#   SQLITE   0 skips part 2 (default: 1);  HTTP  0 skips part 3 (default: 1)
#   LOAD_TIMEOUT   seconds for the load and for each export (default: 3600)
#   START_TIMEOUT  seconds for fairdex serve to start (default: 120)
#   IDLE_TIMEOUT   seconds to wait for the server to be idle (default: 120)
#   KEEP_DB  1 keeps the fairdex store and the SQLite database in WORK
#   REUSE_DB 1 uses the store, load log and SQLite database a KEEP_DB=1 run
#            left (no load, no SQLite build; their lines come from then)
set -euo pipefail
export LC_ALL=C

usage() {
  echo "usage: [BUILD=dir] [WORK=dir] [SEED=s] [RUNS=20] [DURATION=20s] [CONNECTIONS=16] [KEEP_DB=1] $0 N" >&2
  exit 2
}
[ $# -eq 1 ] || usage
N=$1
case $N in '' | *[!0-9]* | 0) usage ;; esac

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
BENCH=$ROOT/tests/bench
BUILD=${BUILD:-build-bench}
case $BUILD in /*) ;; *) BUILD=$ROOT/$BUILD ;; esac
WORK=${WORK:-$ROOT/tests/bench/out}
case $WORK in /*) ;; *) WORK=$ROOT/$WORK ;; esac
SEED=${SEED:-1}
RUNS=${RUNS:-20}
DURATION=${DURATION:-20s}
CONNECTIONS=${CONNECTIONS:-16}
WRK_THREADS=${WRK_THREADS:-2}
WRK_TIMEOUT=${WRK_TIMEOUT:-30s}
MIX_N=${MIX_N:-200}
BUST_N=${BUST_N:-3000}
FTS_TOKENIZE=${FTS_TOKENIZE:-porter unicode61 remove_diacritics 2}
SERVE_ARGS=${SERVE_ARGS:-}
SQLITE=${SQLITE:-1}
HTTP=${HTTP:-1}
LOAD_TIMEOUT=${LOAD_TIMEOUT:-3600}
START_TIMEOUT=${START_TIMEOUT:-120}
IDLE_TIMEOUT=${IDLE_TIMEOUT:-120}
KEEP_DB=${KEEP_DB:-0}
REUSE_DB=${REUSE_DB:-0}
BASE=https://fairdex.example.org/

FAIRDEX=$BUILD/web/fairdex
GEN=$BUILD/tests/bench/gen-catalog
SEARCH_TIME=$BUILD/tests/bench/search-time

PROG=search.sh
# shellcheck source=tests/bench/lib.sh source-path=SCRIPTDIR/../..
. "$BENCH/lib.sh"

for v in RUNS WRK_THREADS MIX_N BUST_N; do
  case ${!v} in '' | *[!0-9]* | 0) die "$v: a positive number expected" ;; esac
done
[ "$RUNS" -le 201 ] || die "RUNS: at most 201"
for c in $CONNECTIONS; do
  case $c in '' | *[!0-9]*) die "CONNECTIONS: numbers expected, not '$c'" ;; esac
  [ "$c" -ge "$WRK_THREADS" ] || die "CONNECTIONS: $c is fewer than WRK_THREADS ($WRK_THREADS)"
done
[[ $DURATION =~ ^[0-9]+[smh]?$ ]] || die "DURATION: NUMBER[s|m|h] expected, not '$DURATION'"
[[ $WRK_TIMEOUT =~ ^[0-9]+[smh]?$ ]] || die "WRK_TIMEOUT: NUMBER[s|m|h] expected"
[[ $FTS_TOKENIZE =~ ^[A-Za-z0-9_\ ]+$ ]] || die "FTS_TOKENIZE: words only, not '$FTS_TOKENIZE'"
seconds_of() {
  [[ $1 =~ ^([0-9]+)([smh]?)$ ]] || return 1
  case ${BASH_REMATCH[2]} in
    h) echo $((10#${BASH_REMATCH[1]} * 3600)) ;;
    m) echo $((10#${BASH_REMATCH[1]} * 60)) ;;
    *) echo $((10#${BASH_REMATCH[1]})) ;;
  esac
}
DURATION_S=$(seconds_of "$DURATION")
WRK_TIMEOUT_S=$(seconds_of "$WRK_TIMEOUT")
read -ra SERVE_ARGV <<<"$SERVE_ARGS"

TAG=search-$N-s$SEED

# ------------------------------------------------------------------------
# Clean-up: the server this run started, the copies of the programs, the
# databases unless KEEP_DB=1.
SV_PID=""
WRK_PID=""
DB=""
SQLDB=""
stop_server() {
  [ -n "$SV_PID" ] || return 0
  kill -TERM "$SV_PID" 2>/dev/null || true
  for _ in $(seq 60); do
    kill -0 "$SV_PID" 2>/dev/null || break
    sleep 0.25
  done
  if kill -0 "$SV_PID" 2>/dev/null; then
    note "fairdex serve still running 15 s after SIGTERM: killed"
    kill -KILL "$SV_PID" 2>/dev/null || true
  fi
  wait "$SV_PID" 2>/dev/null || true
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
    stop_server
  fi
  rm -f "$WORK/$TAG.fairdex" "$WORK/$TAG.search-time" "$WORK/$TAG.last" \
    "$WORK/$TAG.titles.txt" "$WORK/$TAG.descriptions.txt" \
    "$WORK/$TAG.titles.tsv" "$WORK/$TAG.descriptions.tsv"
  if [ "$KEEP_DB" != 1 ] && [ "$REUSE_DB" != 1 ]; then
    [ -z "$DB" ] || rm -rf "$DB"
    [ -z "$SQLDB" ] || rm -f "$SQLDB"
  fi
  exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# ------------------------------------------------------------------------
# The tools.
mkdir -p "$WORK"
apt_install() { # PACKAGE...
  note "installing $* (apt-get) ..."
  DEBIAN_FRONTEND=noninteractive timeout 900 apt-get install -y -q "$@" \
    >"$WORK/apt-search.log" 2>&1 || {
    DEBIAN_FRONTEND=noninteractive timeout 600 apt-get update -q \
      >>"$WORK/apt-search.log" 2>&1 || true
    DEBIAN_FRONTEND=noninteractive timeout 900 apt-get install -y -q "$@" \
      >>"$WORK/apt-search.log" 2>&1
  } || die "apt-get install $* failed (see $WORK/apt-search.log)"
}
if [ "$SQLITE" = 1 ]; then
  command -v sqlite3 >/dev/null || apt_install sqlite3
  pkg-config --exists sqlite3 2>/dev/null || apt_install libsqlite3-dev
fi
if [ "$HTTP" = 1 ]; then
  command -v wrk >/dev/null || apt_install wrk
  for t in curl ss getconf; do
    command -v "$t" >/dev/null || die "$t is missing"
  done
fi
bench_build
# search-time and fairdex must be linked with the same catalogue library
# (the in-process numbers and the load and HTTP ones are of one code):
# both are rebuilt when the library is newer than either.
LIB=$BUILD/catalog/libfdx_catalog.a
if [ "$SQLITE" = 1 ] && { [ ! -x "$SEARCH_TIME" ] || [ "$LIB" -nt "$SEARCH_TIME" ] || [ "$LIB" -nt "$FAIRDEX" ]; }; then
  if ! grep -q 'tests/bench/search-time:' "$BUILD/build.ninja"; then
    # configured before libsqlite3-dev was there
    note "reconfiguring $BUILD (libsqlite3 for search-time) ..."
    meson setup --reconfigure "$BUILD" "$ROOT" >/dev/null || die "meson setup --reconfigure $BUILD failed"
  fi
  note "building search-time and fairdex in $BUILD ..."
  ninja -C "$BUILD" web/fairdex tests/bench/search-time >/dev/null ||
    die "ninja -C $BUILD web/fairdex tests/bench/search-time failed"
fi

# Copies for this run (a rebuild of BUILD meanwhile cannot change them).
bench_copy_fairdex "$TAG"
if [ "$SQLITE" = 1 ]; then
  { cp "$SEARCH_TIME" "$WORK/$TAG.search-time.tmp" && mv "$WORK/$TAG.search-time.tmp" "$WORK/$TAG.search-time"; } ||
    die "cannot copy $SEARCH_TIME"
  SEARCH_TIME=$WORK/$TAG.search-time
fi
"$FAIRDEX" serve --help >/dev/null 2>&1 || die "$FAIRDEX_SRC has no 'serve' command"
NO_CACHE_ARG=()
if "$FAIRDEX" serve --help 2>/dev/null | grep -q -- '--cache-bytes'; then
  NO_CACHE_ARG=(--cache-bytes 0)
fi

REPORT=$WORK/$TAG.txt
TIME_TXT=$WORK/$TAG.time.txt
COLD=$WORK/$TAG.cold.tsv
WRKDIR=$WORK/$TAG.wrk
RESULTS_FILE=$WORK/$TAG.runs.tsv
NOTES=()

# ------------------------------------------------------------------------
# 1. The input and the load.
bench_generate
DB=$WORK/$TAG.fairdex-db
LOAD_LOG=$WORK/$TAG.fairdex-load.log
if [ "$REUSE_DB" = 1 ] && [ -f "$DB/data.mdb" ] && [ -s "$LOAD_LOG" ]; then
  note "reusing the store $DB (REUSE_DB=1)"
  LOAD_WALL_S=$(sed -n 's/^# wall \([0-9.]*\) s$/\1/p' "$LOAD_LOG")
  NOTES+=("REUSE_DB=1: the store and its load line come from an earlier run ($(date -r "$LOAD_LOG" '+%F %T'))")
else
  cat "$FILE" >/dev/null # into the page cache: the load should not wait on the disk
  rm -rf "$DB"
  note "loading $FILE into a fresh fairdex store ..."
  t0=$(now_us)
  timeout -k 10 "$LOAD_TIMEOUT" "$FAIRDEX" --db "$DB" load --format ntriples "$FILE" \
    >"$LOAD_LOG" 2>&1 || die "fairdex load failed: $(tail -3 "$LOAD_LOG")"
  LOAD_WALL_S=$(awk -v ms="$(ms_since "$t0" "$(now_us)")" 'BEGIN { printf "%.2f", ms / 1000 }')
  echo "# wall $LOAD_WALL_S s" >>"$LOAD_LOG"
fi
LOAD_LINE=$(grep ' statements (' "$LOAD_LOG" | tail -1 || true)
[ -n "$LOAD_LINE" ] || die "no load line in $LOAD_LOG: $(head -c 300 "$LOAD_LOG")"
# "FILE: S statements (ntriples), Q new quads, T s (search index X s)"
read -r LOAD_T LOAD_X < <(sed -n 's/.*, \([0-9.]*\) s (search index \([0-9.]*\) s)$/\1 \2/p' <<<"$LOAD_LINE") || true
if [ -n "${LOAD_X:-}" ]; then
  INDEX_SHARE=$(awk -v t="$LOAD_T" -v x="$LOAD_X" 'BEGIN { printf "%.2f", (t - x > 0) ? x / (t - x) : 0 }')
else
  INDEX_SHARE=-
  NOTES+=("the load line has no '(search index X s)': cannot tell the index build's share")
fi
STORE_MIB=$(du -sm "$DB" | cut -f1)
# The search index's document count, by the API (what `fairdex search` sees).
FDX_DOCS=$("$FAIRDEX" --db "$DB" search --json --facets 0 --limit 1 '' 2>/dev/null |
  sed -n 's/.*"total": *\([0-9]*\).*/\1/p' | head -1 || true)

# ------------------------------------------------------------------------
# 2. In-process keyword search: fairdex against SQLite FTS5.

# The keyword queries: words from gen-catalog's vocabulary, common and rare,
# German and English, one to three words (no stop words, which fairdex
# drops and FTS5 would require).  The comment is the rough share of
# datasets each matches.
QUERY_LIST=$WORK/$TAG.queries.txt
cat >"$QUERY_LIST" <<'EOF'
# common single words
Statistik
statistics
Datensatz
dataset
Forschung
research
Messwerte
measurements
Bavaria
hospital
Nürnberg
2019
# rare single words (one topic, kind or place of many)
Telemedizin
telemedicine
Pollenflug
Feinstaubbelastung
Schuleingangsuntersuchungen
Kaufbeuren
Kohortenstudie
# two words
heart failure
air quality
vaccination rates
road accidents
cohort study
monthly measurements
täglich aktualisiert
Luftqualität München
Bluthochdruck Regensburg
Radverkehr Erlangen
Messreihe Feinstaubbelastung
Fallzahlen Notfallversorgung
# three words
anonymised individual records
drinking water quality
public transport ridership
hospital stays Munich
Einrichtungen jährlich aktualisiert
EOF
N_QUERIES=$(grep -cv '^#\|^$' "$QUERY_LIST")

SQL_STATUS="not run (SQLITE=0)"
GEOMEAN_LINE=""
if [ "$SQLITE" = 1 ]; then
  SQLDB=$WORK/$TAG.fts.sqlite
  SQL_BUILD_LOG=$WORK/$TAG.sqlite-build.log
  if [ "$REUSE_DB" = 1 ] && [ -s "$SQLDB" ] && [ -s "$SQL_BUILD_LOG" ]; then
    note "reusing $SQLDB (REUSE_DB=1)"
  else
    # The texts of fairdex's title and description fields, per document.
    PREFIXES='PREFIX dct: <http://purl.org/dc/terms/> PREFIX dcat: <http://www.w3.org/ns/dcat#>'
    DOCS='VALUES ?type { dcat:Dataset dcat:DataService dcat:DatasetSeries } ?d a ?type .'
    for field in title description; do
      note "exporting every dct:$field with fairdex query --format tsv ..."
      timeout -k 10 "$LOAD_TIMEOUT" "$FAIRDEX" --db "$DB" query --format tsv \
        --timeout-ms $((LOAD_TIMEOUT * 1000)) --max-rows $((N * 20 + 1000)) \
        "$PREFIXES SELECT ?d ?text WHERE { $DOCS ?d dct:$field ?text }" \
        >"$WORK/$TAG.${field}s.tsv" 2>"$WORK/$TAG.last" ||
        die "fairdex query (dct:$field) failed: $(head -c 300 "$WORK/$TAG.last")"
      # <iri> TAB "lexical form"@lang (N-Triples escapes) -> iri US text RS,
      # for sqlite3's .import --ascii (no quoting rules there).
      tail -n +2 "$WORK/$TAG.${field}s.tsv" | awk -F '\t' '
        {
          iri = $1; sub(/^</, "", iri); sub(/>$/, "", iri)
          v = $2
          sub(/(@[A-Za-z0-9-]+|\^\^<[^>]*>)$/, "", v)
          if (v ~ /^".*"$/) v = substr(v, 2, length(v) - 2)
          out = ""
          while ((i = index(v, "\\")) > 0) {
            c = substr(v, i + 1, 1)
            out = out substr(v, 1, i - 1) (c == "t" ? " " : c == "n" ? " " : c == "r" ? " " : c)
            v = substr(v, i + 2)
          }
          printf "%s\037%s\036", iri, out v
        }' >"$WORK/$TAG.${field}s.txt"
      rm -f "$WORK/$TAG.${field}s.tsv"
    done
    rm -f "$SQLDB" "$SQLDB-journal"
    note "building the SQLite FTS5 table (tokenize '$FTS_TOKENIZE') ..."
    # Untimed: the texts in, joined per document.
    sqlite3 -batch "$SQLDB" >"$SQL_BUILD_LOG" 2>&1 <<EOF || die "sqlite3 (import) failed: $(tail -3 "$SQL_BUILD_LOG")"
PRAGMA journal_mode = OFF;
PRAGMA synchronous = OFF;
CREATE TABLE t_title(iri TEXT, text TEXT);
CREATE TABLE t_description(iri TEXT, text TEXT);
.import --ascii $WORK/$TAG.titles.txt t_title
.import --ascii $WORK/$TAG.descriptions.txt t_description
CREATE TABLE src AS
  SELECT t.iri AS iri, t.title AS title, d.description AS description
  FROM (SELECT iri, group_concat(text, ' ') AS title FROM t_title GROUP BY iri) AS t
  LEFT JOIN (SELECT iri, group_concat(text, ' ') AS description FROM t_description GROUP BY iri) AS d
  USING (iri)
  ORDER BY t.iri;
DROP TABLE t_title;
DROP TABLE t_description;
EOF
    rm -f "$WORK/$TAG.titles.txt" "$WORK/$TAG.descriptions.txt"
    # Timed: the FTS5 index built and optimized (merged into one b-tree).
    t0=$(now_us)
    sqlite3 -batch "$SQLDB" >>"$SQL_BUILD_LOG" 2>&1 <<EOF || die "sqlite3 (FTS5 build) failed: $(tail -3 "$SQL_BUILD_LOG")"
PRAGMA journal_mode = OFF;
PRAGMA synchronous = OFF;
CREATE VIRTUAL TABLE docs USING fts5(title, description, iri UNINDEXED, tokenize = '$FTS_TOKENIZE');
INSERT INTO docs(rowid, title, description, iri) SELECT rowid, title, description, iri FROM src;
INSERT INTO docs(docs) VALUES ('optimize');
EOF
    FTS_BUILD_S=$(awk -v ms="$(ms_since "$t0" "$(now_us)")" 'BEGIN { printf "%.2f", ms / 1000 }')
    sqlite3 -batch "$SQLDB" "DROP TABLE src; VACUUM;" >>"$SQL_BUILD_LOG" 2>&1 ||
      die "sqlite3 (vacuum) failed: $(tail -3 "$SQL_BUILD_LOG")"
    echo "# fts5 build $FTS_BUILD_S s" >>"$SQL_BUILD_LOG"
  fi
  FTS_BUILD_S=$(sed -n 's/^# fts5 build \([0-9.]*\) s$/\1/p' "$SQL_BUILD_LOG" | tail -1)
  SQL_DOCS=$(sqlite3 -batch "$SQLDB" "SELECT count(*) FROM docs;")
  SQL_MIB=$(du -m "$SQLDB" | cut -f1)
  SQL_VERSION=$(sqlite3 -batch "$SQLDB" "SELECT sqlite_version();")
  if [ -n "$FDX_DOCS" ] && [ "$FDX_DOCS" != "$SQL_DOCS" ]; then
    NOTES+=("documents: fairdex's search index has $FDX_DOCS, the FTS5 table $SQL_DOCS")
  fi
  # Read both once so that neither engine's first runs pay for the disk.
  cat "$DB/data.mdb" "$SQLDB" >/dev/null

  note "in-process keyword search: $N_QUERIES queries, $RUNS runs each per engine ..."
  rc=0
  timeout -k 10 7200 "$SEARCH_TIME" "$DB" "$SQLDB" "$QUERY_LIST" --runs "$RUNS" \
    >"$TIME_TXT" 2>"$WORK/$TAG.last" || rc=$?
  [ -s "$TIME_TXT" ] || die "search-time failed ($rc): $(head -c 500 "$WORK/$TAG.last")"
  [ "$rc" = 0 ] || NOTES+=("search-time exited $rc: $(tr '\n' ' ' <"$WORK/$TAG.last" | cut -c1-300)")
  GEOMEAN_LINE=$(grep '^keyword top-20: ' "$TIME_TXT" || true)
  SQL_STATUS="SQLite $SQL_VERSION FTS5, $SQL_DOCS documents, tokenize '$FTS_TOKENIZE', built in ${FTS_BUILD_S:-?} s (insert + optimize), $SQL_MIB MiB"
fi

# ------------------------------------------------------------------------
# 3. HTTP: GET /api/datasets with all facets.

# Requests drawn from gen-catalog's vocabulary: SEED_ COUNT DISTINCT(0/1)
# -> "CLASS<TAB>PATH" lines.  Classes and their shares: keyword 35 %,
# keyword+facet 20 %, facet (browsing) 15 %, empty 8 %, sort=modified 12 %,
# page=2 10 % (page 2 only of what has 21 results or more at N >= 10,000,
# else it would be a 400).
gen_requests() {
  awk -v seed="$1" -v count="$2" -v distinct="$3" '
    function enc(s,   i, c, out) {
      out = ""
      for (i = 1; i <= length(s); ++i) {
        c = substr(s, i, 1)
        if (c ~ /[A-Za-z0-9._~-]/) out = out c
        else out = out sprintf("%%%02X", ord[c])
      }
      return out
    }
    function pick(a, n) { return a[int(rand() * n) + 1] }
    function query(   r, q) {
      TK = int(rand() * nTD) + 1 # the topic, for a facet that goes with it
      q = rand() < 0.55 ? TD[TK] : TE[TK]
      r = rand()
      if (r < 0.30) q = q " " pick(PL, nPL)
      else if (r < 0.45) q = q " " pick(KI, nKI)
      else if (r < 0.60) q = q " " (2006 + int(rand() * 20))
      return "q=" enc(q)
    }
    function publisher(   a, b) {
      a = int(rand() * 200); b = int(rand() * 200)
      return sprintf("publisher=%s", enc(sprintf("https://fairdex.example.org/publisher/%03d", a < b ? a : b)))
    }
    function facet(   r) { # a drill-down: the theme is that of the topic
      r = rand()
      if (r < 0.25) return "theme=" enc(EU "data-theme/" TT[TK])
      if (r < 0.45) return publisher()
      if (r < 0.60) return "format=" enc(EU "file-type/" pick(FM, nFM))
      if (r < 0.70) return "license=" enc(pick(LI, nLI))
      if (r < 0.78) return "access_rights=" enc(EU "access-right/" pick(AR, nAR))
      if (r < 0.90) return "year=" (2007 + int(rand() * 21))
      return "keyword=" enc(pick(KW, nKW))
    }
    function browse(   r) {
      r = rand()
      if (r < 0.40) return "theme=" enc(EU "data-theme/" pick(TH, nTH))
      if (r < 0.80) return publisher()
      if (r < 0.90) return "format=" enc(EU "file-type/" pick(FM, nFM))
      return "year=" (2007 + int(rand() * 21))
    }
    function big(   r) { # something with more than 20 results
      r = rand()
      if (r < 0.25) return ""
      if (r < 0.55) return "theme=" enc(EU "data-theme/" pick(BT, nBT))
      if (r < 0.80) return "q=" enc(pick(KI, nKI))
      return "q=" enc(pick(BP, nBP))
    }
    function path(p) { return "/api/datasets" (p == "" ? "" : "?" p) }
    function amp(a, b) { return a == "" ? b : b == "" ? a : a "&" b }
    BEGIN {
      for (i = 1; i < 256; ++i) ord[sprintf("%c", i)] = i
      EU = "http://publications.europa.eu/resource/authority/"
      nTD = split("Herzinsuffizienz|Cholesterinwerte|Bluthochdruck|Herzinfarkte|Schlaganfälle|Vorhofflimmern|Diabetes mellitus|Krankenhausaufenthalte|Notfallversorgung|Rettungsdiensteinsätze|Impfquoten|Übergewicht Kindern|Arzneimittelverordnungen|Krebsneuerkrankungen|Pflegebedürftigkeit|Hausarztversorgung|Luftqualität|Feinstaubbelastung|Lärmbelastung|Hitzetage|Pollenflug|Trinkwasserqualität|Verkehrsaufkommen|Verkehrsunfälle|Radverkehr|Fahrgastzahlen ÖPNV|Bevölkerungsentwicklung|Pflegeheimplätze|Sportvereine|Schuleingangsuntersuchungen|Studierende Medizin|Gesundheitswesen|Krankenhausfinanzierung|Energieverbrauch Kliniken|Lebensmittelkontrollen|Gesundheitsamt|Telemedizin|Ärztedichte", TD, "|")
      # the theme of each topic, in the order of TD and TE (gen_catalog.c)
      split("HEAL HEAL HEAL HEAL HEAL HEAL HEAL HEAL HEAL HEAL HEAL HEAL HEAL HEAL HEAL HEAL ENVI ENVI ENVI ENVI ENVI ENVI TRAN TRAN TRAN TRAN SOCI SOCI SOCI EDUC EDUC ECON ECON ENER AGRI GOVE TECH REGI", TT, " ")
      nTE = split("heart failure|cholesterol levels|hypertension|myocardial infarctions|strokes|atrial fibrillation|diabetes|hospital stays|emergency care|ambulance|vaccination rates|childhood obesity|drug prescriptions|cancer cases|long-term care|primary care|air quality|particulate matter|noise exposure|hot days|pollen counts|drinking water quality|traffic volume|road accidents|cycling traffic|public transport|population development|care home places|sports clubs|school entry examinations|medical students|healthcare workforce|hospital financing|hospital energy use|food inspections|health office budget|telemedicine|physician density", TE, "|")
      nPL = split("München|Nürnberg|Augsburg|Regensburg|Würzburg|Ingolstadt|Fürth|Erlangen|Bamberg|Bayreuth|Landshut|Kempten|Rosenheim|Passau|Freising|Straubing|Dachau|Munich|Nuremberg|Bavaria|Oberbayern|Oberfranken|Franconia|Schwaben|Swabia|Coburg|Lindau|Cham", PL, "|")
      nKI = split("Statistik|statistics|Register|registry|Monitoring|Zeitreihe|Kohortenstudie|Jahresbericht|Erhebung|survey|Messreihe|Kennzahlen|Auswertung|analysis", KI, "|")
      nBP = split("München|Nürnberg|Augsburg|Bavaria|Bayern|Regensburg", BP, "|")
      nTH = split("HEAL|ENVI|TRAN|SOCI|EDUC|ECON|ENER|AGRI|GOVE|TECH|REGI", TH, "|")
      nBT = split("HEAL|ENVI|TRAN|SOCI", BT, "|")
      nFM = split("CSV|JSON|XLSX|PDF|XML|GEOJSON|ZIP|RDF_TURTLE", FM, "|")
      nLI = split("http://publications.europa.eu/resource/authority/licence/CC_BY_4_0|http://publications.europa.eu/resource/authority/licence/CC0|http://publications.europa.eu/resource/authority/licence/CC_BYSA_4_0|http://publications.europa.eu/resource/authority/licence/CC_BYNC_4_0|http://dcat-ap.de/def/licenses/dl-by-de/2.0|http://dcat-ap.de/def/licenses/dl-zero-de/2.0", LI, "|")
      nAR = split("PUBLIC|RESTRICTED|NON_PUBLIC", AR, "|")
      nKW = split("diabetes|verkehr|traffic|sport|krankenhaus|hospital|gesundheit|health|forschung|research|statistik|statistics|open data|umwelt|environment|pflege|energie|energy|haushalt|budget", KW, "|")
      srand(seed)
      n = 0
      for (tries = 0; n < count && tries < count * 50; ++tries) {
        r = rand()
        if (r < 0.35) { c = "keyword"; p = query() }
        else if (r < 0.55) { c = "keyword+facet"; p = query() "&" facet() }
        else if (r < 0.70) { c = "facet"; p = browse() }
        else if (r < 0.78) { c = "empty"; p = "" }
        else if (r < 0.90) {
          c = "sort=modified"; s = rand()
          p = amp(s < 0.34 ? "" : s < 0.67 ? query() : browse(), "sort=modified")
        } else { c = "page=2"; p = amp(big(), "page=2") }
        p = path(p)
        if (distinct && (p in seen)) continue
        seen[p] = 1
        printf "%s\t%s\n", c, p
        ++n
      }
    }'
}

# CPU ticks (user + system) of a process; 0 when it is gone.
ticks() { awk '{ print $14 + $15 }' "/proc/$1/stat" 2>/dev/null || echo 0; }
# Wait until the server uses less than a tenth of a core over one second.
wait_idle() {
  local hz a b
  hz=$(getconf CLK_TCK)
  for _ in $(seq "$IDLE_TIMEOUT"); do
    a=$(ticks "${SV_PID:-0}")
    sleep 1
    b=$(ticks "${SV_PID:-0}")
    [ $((b - a)) -gt $((hz / 10)) ] || return 0
  done
  note "the server is still busy after $IDLE_TIMEOUT s; going on"
}

SV_URL=""
start_server() { # NAME ARGS...
  local name=$1 line
  shift
  local out=$WORK/$TAG.serve-$name.out err=$WORK/$TAG.serve-$name.err
  note "starting fairdex serve ($name) ..."
  "$FAIRDEX" serve --db "$DB" --listen 127.0.0.1:0 --base "$BASE" --access-log /dev/null \
    "$@" ${SERVE_ARGV[@]+"${SERVE_ARGV[@]}"} >"$out" 2>"$err" &
  SV_PID=$!
  SV_URL=""
  for _ in $(seq $((START_TIMEOUT * 4))); do
    line=$(head -n1 "$out" 2>/dev/null || true)
    if [[ $line =~ ^listening\ on\ (http://127\.0\.0\.1:[0-9]+)/$ ]]; then
      SV_URL=${BASH_REMATCH[1]}
      break
    fi
    if ! kill -0 "$SV_PID" 2>/dev/null; then
      wait "$SV_PID" 2>/dev/null || true
      SV_PID=""
      die "fairdex serve ($name) exited at start: $(tail -c 500 "$err")"
    fi
    sleep 0.25
  done
  [ -n "$SV_URL" ] || die "fairdex serve ($name) printed no 'listening on' line within $START_TIMEOUT s"
  note "fairdex serve ($name, pid $SV_PID) listens on $SV_URL/"
}

# One wrk run: NAME CONNECTIONS PATHS_FILE; a line of RESULTS_FILE.
run_wrk() {
  local name=$1 c=$2 paths=$3 out rc=0 line
  out=$WRKDIR/$name-c$c.txt
  wait_idle
  note "wrk: $name, $c connections, $DURATION ..."
  timeout -k 10 $((DURATION_S + WRK_TIMEOUT_S + 120)) wrk -t "$WRK_THREADS" -c "$c" \
    -d "$DURATION" --timeout "$WRK_TIMEOUT" --latency -s "$BENCH/search_mix.lua" "$SV_URL" \
    -- "threads=$WRK_THREADS" "paths=$paths" >"$out" 2>&1 &
  WRK_PID=$!
  wait "$WRK_PID" || rc=$?
  WRK_PID=""
  line=$(grep '^RESULT ' "$out" | tail -1 || true)
  if [ -z "$line" ]; then
    printf '%s\t%s\tFAILED wrk exit %s: %s\n' "$name" "$c" "$rc" "$(tail -3 "$out" | tr '\n\t' '  ')" >>"$RESULTS_FILE"
  else
    printf '%s\t%s\t%s\n' "$name" "$c" "${line#RESULT }" >>"$RESULTS_FILE"
  fi
  kill -0 "$SV_PID" 2>/dev/null || die "fairdex serve died during the $name run: $(tail -c 300 "$WORK/$TAG.serve-"*.err | tr '\n' ' ')"
}

HTTP_STATUS="not run (HTTP=0)"
: >"$RESULTS_FILE"
if [ "$HTTP" = 1 ]; then
  rm -rf "$WRKDIR"
  mkdir -p "$WRKDIR"
  MIX=$WORK/$TAG.mix.tsv
  BUST=$WORK/$TAG.bust.tsv
  gen_requests 1 "$MIX_N" 1 >"$MIX"
  gen_requests 2 "$BUST_N" 0 >"$BUST"
  MIX_COUNT=$(wc -l <"$MIX")
  BUST_DISTINCT=$(cut -f2 "$BUST" | sort -u | wc -l)

  # The server with its answer cache: the cold pass, then wrk on the mix.
  start_server cache
  note "cold pass: $MIX_COUNT distinct requests once each, one client ..."
  wait_idle
  LAST=$WORK/$TAG.last
  printf 'class\tstatus\tms\ttotal\tbytes\tpath\n' >"$COLD"
  while IFS=$'\t' read -r class path; do
    w=$(curl -sS -o "$LAST" -w '%{http_code} %{time_total} %{size_download}' \
      --max-time 120 -H 'Accept: application/json' "$SV_URL$path" 2>/dev/null) || true
    read -r code secs bytes <<<"${w:-000 0 0}"
    total=$(sed -n 's/.*"total": *\([0-9][0-9]*\).*/\1/p' "$LAST" 2>/dev/null | head -1 || true)
    printf '%s\t%s\t%s\t%s\t%s\t%s\n' "$class" "$code" \
      "$(awk -v s="$secs" 'BEGIN { printf "%.3f", s * 1000 }')" "${total:--}" "$bytes" "$path" >>"$COLD"
  done <"$MIX"
  rm -f "$LAST"
  COLD_BAD=$(awk -F '\t' 'NR > 1 && $2 != 200' "$COLD" | wc -l)
  if [ "$COLD_BAD" != 0 ]; then
    NOTES+=("cold pass: $COLD_BAD requests did not answer 200, e.g. $(awk -F '\t' 'NR > 1 && $2 != 200 { print $2 " " $6; exit }' "$COLD")")
  fi
  for c in $CONNECTIONS; do
    run_wrk cached "$c" "$MIX"
  done
  stop_server

  # The server without an answer cache, on a longer, varied list.
  if [ ${#NO_CACHE_ARG[@]} -gt 0 ]; then
    start_server nocache "${NO_CACHE_ARG[@]}"
    NOCACHE_HOW="--cache-bytes 0"
  else
    start_server nocache
    NOCACHE_HOW="answer cache on (this fairdex has no --cache-bytes); $BUST_DISTINCT distinct requests"
    NOTES+=("fairdex serve has no --cache-bytes: the no-cache run relies on $BUST_DISTINCT distinct requests alone")
  fi
  for c in $CONNECTIONS; do
    run_wrk nocache "$c" "$BUST"
  done
  stop_server
  HTTP_STATUS="ok"
fi

# ------------------------------------------------------------------------
# 4. The report.
ms() { awk -v x="$1" 'BEGIN { if (x == "" || x == "-") print "-"; else if (x >= 100) printf "%.0f", x; else if (x >= 10) printf "%.1f", x; else printf "%.2f", x }'; }
field() { sed -n "s/.*\\b$2=\\([^ ]*\\).*/\\1/p" <<<"$1"; }

{
  echo "fairdex search benchmark: N = $N datasets, seed $SEED, $TRIPLES triples"
  echo "machine: $(nproc) cores, load average $(cut -d' ' -f1-3 /proc/loadavg) at the end"
  echo "fairdex: $FAIRDEX_SRC (built $FAIRDEX_BUILT; tree at $(git -C "$ROOT" rev-parse --short HEAD 2>/dev/null || echo '?')$(git -C "$ROOT" status --porcelain -- catalog web include 2>/dev/null | grep -q . && echo ' with uncommitted changes'))"
  echo
  echo "1. load"
  echo "  $LOAD_LINE"
  echo "  wall ${LOAD_WALL_S:-?} s; store $STORE_MIB MiB, $FDX_DOCS search documents"
  if [ "$INDEX_SHARE" != - ]; then
    echo "  index build share: $LOAD_X s / ($LOAD_T - $LOAD_X) s = $INDEX_SHARE of the rest of the load"
  fi
  echo
  echo "2. keyword search in-process, top 20 by relevance (search-time, $RUNS runs per query and engine)"
  echo "  sqlite: $SQL_STATUS"
  if [ -s "$TIME_TXT" ] && [ "$SQLITE" = 1 ]; then
    sed 's/^/  /' "$TIME_TXT"
  fi
  echo
  echo "3. HTTP GET /api/datasets, all facets (facet_limit 20), Accept: application/json"
} >"$REPORT"

if [ "$HTTP" = 1 ]; then
  {
    echo "  mix: $MIX_COUNT distinct requests ($(cut -f1 "$MIX" | sort | uniq -c | awk '{ printf "%s%s %s", (NR > 1 ? ", " : ""), $1, $2 }'))"
    echo "  cold pass: each once, one client (curl time_total), fresh server; per class:"
    awk -F '\t' 'NR > 1 {
        n[$1]++; t[$1, n[$1]] = $3 + 0; all[++na] = $3 + 0
        if ($2 != 200) bad[$1]++
        if ($4 == "0") zero[$1]++
      }
      function sortn(a, m,   i, j, x) { for (i = 2; i <= m; ++i) { x = a[i]; for (j = i - 1; j >= 1 && a[j] > x; --j) a[j + 1] = a[j]; a[j + 1] = x } }
      function pct(a, m, p) { return a[int((m - 1) * p) + 1] }
      END {
        printf "    %-14s %5s %9s %9s %9s %6s %6s\n", "class", "n", "p50 ms", "p99 ms", "max ms", "non200", "empty"
        for (c in n) {
          m = n[c]; delete a
          for (i = 1; i <= m; ++i) a[i] = t[c, i]
          sortn(a, m)
          printf "    %-14s %5d %9.2f %9.2f %9.2f %6d %6d\n", c, m, pct(a, m, 0.5), pct(a, m, 0.99), a[m], bad[c], zero[c]
        }
        sortn(all, na)
        printf "    %-14s %5d %9.2f %9.2f %9.2f\n", "all", na, pct(all, na, 0.5), pct(all, na, 0.99), all[na]
        printf "COLD %.3f %.3f\n", pct(all, na, 0.5), pct(all, na, 0.99)
      }' "$COLD" >"$WORK/$TAG.cold.txt"
    grep -v '^COLD ' "$WORK/$TAG.cold.txt"
    echo "    slowest: $(awk -F '\t' 'NR > 1' "$COLD" | sort -t $'\t' -k3,3gr | head -3 | awk -F '\t' '{ printf "%s%s ms %s (%s results)", (NR > 1 ? "; " : ""), $3, $6, $4 }')"
    echo "  wrk ($WRK_THREADS threads, $DURATION per run, on the same 2 cores as the server):"
    printf '    %-8s %6s %9s %9s %9s %7s  %s\n' run conns 'req/s' 'p50 ms' 'p99 ms' errors what
    while IFS=$'\t' read -r name c rest; do
      case $name in
        cached) what="answer cache on, the $MIX_COUNT requests of the mix cycled (optimistic)" ;;
        *) what="$NOCACHE_HOW, $BUST_N requests ($BUST_DISTINCT distinct) cycled" ;;
      esac
      if [[ $rest != requests=* ]]; then
        printf '    %-8s %6s  %s\n' "$name" "$c" "$rest"
        continue
      fi
      errs=$(($(field "$rest" connect) + $(field "$rest" read) + $(field "$rest" write) + $(field "$rest" timeout) + $(field "$rest" status)))
      printf '    %-8s %6s %9s %9s %9s %7s  %s\n' "$name" "$c" "$(field "$rest" rps)" \
        "$(ms "$(field "$rest" p50_ms)")" "$(ms "$(field "$rest" p99_ms)")" "$errs" "$what"
    done <"$RESULTS_FILE"
    echo "    (with C connections a request also waits for the others: p50 is about C / (req/s) once the"
    echo "    server's $(nproc) cores are busy; the cold pass above is the time of one request alone)"
  } >>"$REPORT"
else
  echo "  $HTTP_STATUS" >>"$REPORT"
fi

# The summary: the targets, checked against the honest numbers.
{
  echo
  if [ "$N" = 1000000 ]; then
    echo "summary (targets set for N = 1,000,000):"
  else
    echo "summary (targets set for N = 1,000,000; this is N = $N):"
  fi
  if [ "$INDEX_SHARE" != - ]; then
    v=$(awk -v s="$INDEX_SHARE" 'BEGIN { print (s <= 0.30) ? "met" : "MISSED" }')
    echo "  index build: $LOAD_X s of a $LOAD_T s load, adds $INDEX_SHARE to the rest (target <= 0.30): $v"
  else
    echo "  index build: - (no search index time in the load line)"
  fi
  if [ -n "$GEOMEAN_LINE" ]; then
    g=$(sed -n 's/.*geomean \([0-9.]*\).*/\1/p' <<<"$GEOMEAN_LINE")
    v=$(awk -v g="$g" 'BEGIN { print (g != "" && g <= 1) ? "met" : "MISSED" }')
    echo "  $GEOMEAN_LINE (target <= 1): $v"
  else
    echo "  keyword top-20: fairdex/sqlite - ($SQL_STATUS)"
  fi
  if [ "$HTTP" = 1 ]; then
    read -r _ cold50 cold99 < <(grep '^COLD ' "$WORK/$TAG.cold.txt")
    while IFS=$'\t' read -r name c rest; do
      [ "$name" = nocache ] || continue
      if [[ $rest != requests=* ]]; then
        echo "  /api/datasets all facets, $c connections, no answer cache: $rest"
        continue
      fi
      p50=$(field "$rest" p50_ms)
      p99=$(field "$rest" p99_ms)
      errs=$(($(field "$rest" connect) + $(field "$rest" read) + $(field "$rest" write) + $(field "$rest" timeout) + $(field "$rest" status)))
      v50=$(awk -v x="$p50" 'BEGIN { print (x <= 20) ? "met" : "MISSED" }')
      v99=$(awk -v x="$p99" 'BEGIN { print (x <= 100) ? "met" : "MISSED" }')
      echo "  /api/datasets all facets (wrk $c connections, no answer cache, $(field "$rest" rps) req/s, $errs errors): p50 $(ms "$p50") ms (target <= 20): $v50, p99 $(ms "$p99") ms (target <= 100): $v99"
    done <"$RESULTS_FILE"
    while IFS=$'\t' read -r name c rest; do
      if [ "$name" != cached ] || [[ $rest != requests=* ]]; then continue; fi
      echo "    cached (answer cache, optimistic) at $c connections: p50 $(ms "$(field "$rest" p50_ms)") ms, p99 $(ms "$(field "$rest" p99_ms)") ms, $(field "$rest" rps) req/s"
    done <"$RESULTS_FILE"
    echo "    cold, one client at a time (the service time of one answer): p50 $(ms "$cold50") ms, p99 $(ms "$cold99") ms"
  else
    echo "  /api/datasets: $HTTP_STATUS"
  fi
  if [ ${#NOTES[@]} -gt 0 ]; then
    echo
    for line in "${NOTES[@]}"; do echo "note: $line"; done
  fi
} >>"$REPORT"

echo
cat "$REPORT"
