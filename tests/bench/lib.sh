# shellcheck shell=bash disable=SC2034
# tests/bench/lib.sh: the parts shared by the benchmarks that load the
# generated catalogue into fairdex and into Virtuoso 7 (query.sh, serve.sh),
# and by search.sh (fairdex only: the build, the input, the helpers).
# Sourced, not run.  The sourcing script sets first:
#   PROG   its name, for messages ("query.sh")
#   ROOT, BUILD, WORK, N, SEED, FAIRDEX (BUILD/web/fairdex), GEN (gen-catalog)
#   QUERIES (the *.rq directory), GRAPH (Virtuoso's graph), LOAD_TIMEOUT,
#   VIRTUOSO_BUFFERS
# and its own clean-up trap, which calls stop_virtuoso when VT_PID is set.

die() {
  echo "$PROG: $*" >&2
  exit 1
}
note() { echo "$PROG: $*" >&2; }

# Microseconds since the epoch, from bash's EPOCHREALTIME (LC_ALL=C: a dot).
now_us() {
  local t=$EPOCHREALTIME
  echo $((10#${t%.*}${t#*.}))
}
ms_since() { # START_US END_US
  awk -v a="$1" -v b="$2" 'BEGIN { printf "%.3f", (b - a) / 1000 }'
}

# ------------------------------------------------------------------------
# The tools: fairdex and gen-catalog, built in BUILD (a release build set up
# there) when either is missing; otherwise used as they are.
bench_build() {
  if [ ! -x "$FAIRDEX" ] || [ ! -x "$GEN" ]; then
    if [ ! -f "$BUILD/build.ninja" ]; then
      note "setting up $BUILD as a release build ..."
      meson setup "$BUILD" "$ROOT" -Dbuildtype=release >/dev/null ||
        die "meson setup $BUILD failed"
    fi
    note "building fairdex and gen-catalog in $BUILD ..."
    ninja -C "$BUILD" web/fairdex tests/bench/gen-catalog >/dev/null ||
      die "ninja -C $BUILD failed"
  fi
}

# Debian's virtuoso-opensource, installed when virtuoso-t is missing.
bench_install_virtuoso() {
  if ! command -v virtuoso-t >/dev/null; then
    note "installing virtuoso-opensource (apt-get) ..."
    mkdir -p "$WORK"
    # No daemon from the package: the benchmark starts its own.
    DEBIAN_FRONTEND=noninteractive timeout 1200 apt-get install -y -q \
      virtuoso-opensource >"$WORK/apt-virtuoso.log" 2>&1 || {
      DEBIAN_FRONTEND=noninteractive timeout 600 apt-get update -q \
        >>"$WORK/apt-virtuoso.log" 2>&1 || true
      DEBIAN_FRONTEND=noninteractive timeout 1200 apt-get install -y -q \
        virtuoso-opensource >>"$WORK/apt-virtuoso.log" 2>&1
    } || die "apt-get install virtuoso-opensource failed (see $WORK/apt-virtuoso.log)"
  fi
  command -v isql-vt >/dev/null || die "isql-vt is missing (virtuoso-opensource-7-bin)"
}

# A copy of the program for this run (WORK/TAG.fairdex), so that a rebuild
# of BUILD while the benchmark runs (the machine is shared) cannot change or
# remove it midway.  Sets FAIRDEX_SRC, FAIRDEX_BUILT and FAIRDEX (the copy).
bench_copy_fairdex() { # TAG
  FAIRDEX_BUILT=$(date -r "$FAIRDEX" '+%F %T')
  FAIRDEX_SRC=$FAIRDEX
  FAIRDEX=$WORK/$1.fairdex
  { cp "$FAIRDEX_SRC" "$FAIRDEX.tmp" && mv "$FAIRDEX.tmp" "$FAIRDEX"; } ||
    die "cannot copy $FAIRDEX_SRC"
}

# ------------------------------------------------------------------------
# The input, generated once (as load.sh: to a temporary name first).  Sets
# FILE, COUNT_FILE and TRIPLES.
bench_generate() {
  FILE=$WORK/catalog-$N-s$SEED.nt
  COUNT_FILE=$FILE.triples
  if [ ! -s "$FILE" ] || [ ! -s "$COUNT_FILE" ]; then
    note "generating $FILE ..."
    "$GEN" "$N" "$SEED" >"$FILE.tmp" 2>"$FILE.log" ||
      die "gen-catalog failed: $(cat "$FILE.log")"
    sed -n 's/.* \([0-9][0-9]*\) triples$/\1/p' "$FILE.log" >"$COUNT_FILE"
    mv "$FILE.tmp" "$FILE"
    rm -f "$FILE.log"
  else
    note "reusing $FILE"
  fi
  TRIPLES=$(cat "$COUNT_FILE")
}

# The queries of QUERIES into QDIR, with the placeholders {{DATASET}},
# {{IDENTIFIER}} and {{PUBLISHER}} filled in from the first dataset of FILE.
# Sets DATASET, IDENTIFIER, PUBLISHER and QNAMES (the query names, sorted).
# QDIR must exist.
bench_fill_queries() { # QDIR
  local qdir=$1 q
  DATASET=$(grep -m1 '<http://www.w3.org/ns/dcat#dataset>' "$FILE" |
    sed 's/.*#dataset> <\([^>]*\)> \.$/\1/')
  [ -n "$DATASET" ] || die "no dataset in $FILE (N = 0?)"
  IDENTIFIER=${DATASET##*/}
  PUBLISHER=$(grep -m1 -F "<$DATASET> <http://purl.org/dc/terms/publisher> " "$FILE" |
    sed 's/.*publisher> <\([^>]*\)> \.$/\1/')
  for q in "$QUERIES"/*.rq; do
    [ -e "$q" ] || die "no *.rq files in $QUERIES"
    sed -e "s|{{DATASET}}|$DATASET|g" -e "s|{{IDENTIFIER}}|$IDENTIFIER|g" \
      -e "s|{{PUBLISHER}}|$PUBLISHER|g" "$q" >"$qdir/$(basename "$q")"
  done
  QNAMES=()
  for q in "$qdir"/*.rq; do QNAMES+=("$(basename "$q" .rq)"); done
}

# fairdex: FILE into a fresh store DB (removed first); the output of the load
# to LOG.  Sets FAIRDEX_LOAD_MS and FAIRDEX_QUADS.
bench_fairdex_load() { # DB LOG
  local db=$1 log=$2 t0
  rm -rf "$db"
  note "loading fairdex ..."
  t0=$(now_us)
  timeout -k 10 "$LOAD_TIMEOUT" "$FAIRDEX" --db "$db" load --quiet \
    --format ntriples "$FILE" >"$log" 2>&1 ||
    die "fairdex load failed: $(tail -3 "$log")"
  FAIRDEX_LOAD_MS=$(ms_since "$t0" "$(now_us)")
  FAIRDEX_QUADS=$("$FAIRDEX" --db "$db" stats | sed -n 's/^quads: *//p')
}

# ------------------------------------------------------------------------
# Virtuoso 7.

# A free TCP port on the loopback interface (none in use in any state),
# other than the ports given.
free_port() {
  local p used
  used=$(ss -Htan | awk '{ n = split($4, a, ":"); print a[n] }' | sort -u)
  for _ in $(seq 200); do
    p=$((20000 + RANDOM % 40000))
    if ! grep -qx "$p" <<<"$used" && [ "$p" != "${1:-}" ] && [ "$p" != "${2:-}" ]; then
      echo "$p"
      return 0
    fi
  done
  return 1
}

VT_PID=""
VT_DIR=""
# Stop the Virtuoso server this script started: TERM (a quick shutdown),
# KILL after 30 s.
stop_virtuoso() {
  [ -n "$VT_PID" ] || return 0
  kill -TERM "$VT_PID" 2>/dev/null || true
  for _ in $(seq 60); do
    kill -0 "$VT_PID" 2>/dev/null || break
    sleep 0.5
  done
  if kill -0 "$VT_PID" 2>/dev/null; then kill -KILL "$VT_PID" 2>/dev/null || true; fi
  wait "$VT_PID" 2>/dev/null || true
  VT_PID=""
}

# A fresh Virtuoso directory VT_DIR (db/, vsp/, virtuoso.ini) on two free
# loopback ports.  Sets VT_DIR, SQL_PORT, HTTP_PORT and ENDPOINT (its HTTP
# SPARQL endpoint).
vt_setup() { # DIR
  local nproc
  VT_DIR=$1
  rm -rf "$VT_DIR"
  mkdir -p "$VT_DIR/db" "$VT_DIR/vsp"
  SQL_PORT=$(free_port) || die "no free port"
  HTTP_PORT=$(free_port "$SQL_PORT") || die "no free port"
  ENDPOINT=http://127.0.0.1:$HTTP_PORT/sparql
  nproc=$(nproc)
  cat >"$VT_DIR/virtuoso.ini" <<EOF
; Generated by tests/bench/$PROG for one benchmark run.
[Database]
DatabaseFile       = $VT_DIR/db/virtuoso.db
ErrorLogFile       = $VT_DIR/db/virtuoso.log
LockFile           = $VT_DIR/db/virtuoso.lck
TransactionFile    = $VT_DIR/db/virtuoso.trx
xa_persistent_file = $VT_DIR/db/virtuoso.pxa
ErrorLogLevel      = 7
FileExtend         = 200
MaxCheckpointRemap = 2000
Striping           = 0
TempStorage        = TempDatabase

[TempDatabase]
DatabaseFile       = $VT_DIR/db/virtuoso-temp.db
TransactionFile    = $VT_DIR/db/virtuoso-temp.trx
MaxCheckpointRemap = 2000
Striping           = 0

[Parameters]
ServerPort           = 127.0.0.1:$SQL_PORT
DisableUnixSocket    = 1
DisableTcpSocket     = 0
MaxClientConnections = 10
; no checkpoints of their own during the timed runs (the script makes one after the load)
CheckpointInterval   = 0
O_DIRECT             = 0
CaseMode             = 2
MaxStaticCursorRows  = 5000
AllowOSCalls         = 0
DirsAllowed          = ., $WORK
ThreadCleanupInterval    = 0
ThreadThreshold          = 10
ResourcesCleanupInterval = 0
; the machine's cores
ThreadsPerQuery      = $nproc
AsyncQueueMaxThreads = 10
MaxQueryMem          = 2G
VectorSize           = 1000
MaxVectorSize        = 1000000
NumberOfBuffers      = $VIRTUOSO_BUFFERS
MaxDirtyBuffers      = $((VIRTUOSO_BUFFERS * 3 / 4))

[HTTPServer]
ServerPort           = 127.0.0.1:$HTTP_PORT
ServerRoot           = $VT_DIR/vsp
MaxClientConnections = 4
ServerThreads        = 4
MaxKeepAlives        = 4
KeepAliveTimeout     = 10
EnabledDavVSP        = 0
HTTPProxyEnabled     = 0
Charset              = UTF-8
EnabledGzipContent   = 0

[Client]
SQL_QUERY_TIMEOUT = 0
SQL_TXN_TIMEOUT   = 0

[SPARQL]
; complete answers: no row cap, no "anytime" partial results
ResultSetMaxRows           = 1000000000
MaxQueryExecutionTime      = 0
MaxQueryCostEstimationTime = 1000000
EOF
}

isql() { # TIMEOUT_S SQL
  timeout -k 10 "$1" isql-vt "127.0.0.1:$SQL_PORT" dba dba VERBOSE=OFF \
    BANNER=OFF PROMPT=OFF ERRORS=STDOUT "exec=$2"
}

# Start the server of VT_DIR and wait until it answers SQL.  Sets VT_PID.
vt_start() {
  local up=0
  virtuoso-t +configfile "$VT_DIR/virtuoso.ini" +foreground \
    >>"$VT_DIR/virtuoso.out" 2>&1 &
  VT_PID=$!
  for _ in $(seq 240); do
    kill -0 "$VT_PID" 2>/dev/null || break
    if isql 10 "SELECT 1;" >/dev/null 2>&1; then
      up=1
      break
    fi
    sleep 0.5
  done
  [ "$up" = 1 ] || die "Virtuoso did not start: $(tail -5 "$VT_DIR/virtuoso.out")"
}

# FILE into the graph GRAPH of the running server (ld_dir + rdf_loader_run,
# then a checkpoint).  Sets VT_LOAD_MS and VT_TRIPLES.
vt_load() {
  local t0 err
  note "loading Virtuoso (ld_dir + rdf_loader_run) ..."
  t0=$(now_us)
  isql "$LOAD_TIMEOUT" "ld_dir('$WORK', '$(basename "$FILE")', '$GRAPH'); rdf_loader_run(); checkpoint;" \
    >"$VT_DIR/load.log" 2>&1 || die "Virtuoso load failed: $(tail -5 "$VT_DIR/load.log")"
  VT_LOAD_MS=$(ms_since "$t0" "$(now_us)")
  err=$(isql 60 "SELECT COUNT(*) FROM DB.DBA.LOAD_LIST WHERE ll_error IS NOT NULL;" |
    tr -dc '0-9')
  [ "$err" = 0 ] ||
    die "Virtuoso could not load $FILE: $(isql 60 'SELECT ll_error FROM DB.DBA.LOAD_LIST;')"
  VT_TRIPLES=$(isql 600 "SPARQL SELECT COUNT(*) FROM <$GRAPH> WHERE { ?s ?p ?o };" | tr -dc '0-9')
}

# Virtuoso's version ("7.2.5.3229-pthreads"), or nothing.
vt_version() {
  (timeout 10 virtuoso-t -? 2>&1 || true) | sed -n 's/^Version \([^ ]*\).*/\1/p' | head -1
}
