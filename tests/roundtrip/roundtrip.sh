#!/bin/sh
# Round-trip every RDF file of the external test data through fairdex:
# load it into a fresh store, dump the store (N-Quads and TriG; for
# triple-only inputs also Turtle) and compare each dump with
# the original using rdfcmp (same dataset up to blank-node names).  Files
# listed in known-invalid.txt must instead be refused: exit status 1, an
# error naming the file and a line, and the store left as it was.  JSON-LD
# files, which raptor cannot read, are compared with what jsonld.js (the
# npm package jsonld, through tests/unit/jsonld_to_nquads.js, offline with
# the contexts fairdex ships) makes of them: where jsonld.js refuses a
# file, fairdex must refuse it too, naming the file; without node or the
# package they are listed as skipped.  XML files whose root element is not
# rdf:RDF (OAI-PMH, DataCite) are not RDF and are not listed.  Prints one PASS/FAIL/SKIP line per file and a summary; exits
# 0 if nothing failed, 1 otherwise, 77 (skip) if the data folder is absent.
# Files are shared out to one worker loop per CPU ($ROUNDTRIP_JOBS to
# override); each file's lines are printed in path order at the end.
#
# usage: roundtrip.sh --fairdex EXE --rdfcmp EXE --data DIR
#                     --known-invalid FILE --good FILE [--jsonld-ref JS]
# The data folder may also come from $FAIRDEX_EXTERNAL_DATA.

set -u

# Each store holds only the file loaded: no shipped vocabularies.
export FAIRDEX_VOCABULARIES=none
fairdex=
rdfcmp=
data=${FAIRDEX_EXTERNAL_DATA:-}
known_list=
good=
jsonld_ref=
while [ $# -gt 0 ]; do
  if [ $# -lt 2 ]; then
    echo "roundtrip.sh: $1 needs a value" >&2
    exit 2
  fi
  case $1 in
  --fairdex) fairdex=$2 ;;
  --rdfcmp) rdfcmp=$2 ;;
  --data) data=$2 ;;
  --known-invalid) known_list=$2 ;;
  --good) good=$2 ;;
  --jsonld-ref) jsonld_ref=$2 ;;
  *) echo "roundtrip.sh: unknown argument $1" >&2; exit 2 ;;
  esac
  shift 2
done
for v in fairdex:"$fairdex" rdfcmp:"$rdfcmp" known-invalid:"$known_list" \
  good:"$good"; do
  if [ ! -f "${v#*:}" ]; then
    echo "roundtrip.sh: --${v%%:*} FILE is missing or not a file:" \
      "'${v#*:}'" >&2
    exit 2
  fi
done

if [ -z "$data" ] || [ ! -d "$data" ]; then
  echo "external data not found at ${data:-(unset)}; skipping"
  exit 77
fi
data=${data%/}

# Scratch stores go to $TMPDIR, else to /dev/shm where there is one: every
# load commits with fsync, which on a disk costs more than the rest of the
# work (the stores are small and deleted as the run goes).
scratch=${TMPDIR:-}
if [ -z "$scratch" ]; then
  if [ -d /dev/shm ] && [ -w /dev/shm ]; then
    scratch=/dev/shm
  else
    scratch=/tmp
  fi
fi
tmp=$(mktemp -d "$scratch/fairdex-roundtrip.XXXXXX") || exit 2
trap 'rm -rf "$tmp"' EXIT
trap 'exit 130' INT TERM

# The second opinion on JSON-LD files, where node and jsonld.js are here.
jsonld_skip="no reference JSON-LD processor: --jsonld-ref not given"
if [ -n "$jsonld_ref" ]; then
  if ! command -v node > /dev/null 2>&1; then
    jsonld_skip="no reference JSON-LD processor: node is missing (make e2e-deps)"
  elif ! node "$jsonld_ref" --probe > "$tmp/probe.out" 2>&1; then
    jsonld_skip="no reference JSON-LD processor: $(head -n 1 "$tmp/probe.out")"
  else
    jsonld_skip=
  fi
fi

# Known-invalid paths, without comments and blank lines.
sed -e 's/#.*//' -e 's/[[:space:]]*$//' -e '/^$/d' "$known_list" \
  > "$tmp/known-invalid"

# Each file's result goes to its own file $res; the counts are taken from
# those at the end, so the workers share no state.
pass() { echo "PASS $1${2:+ ($2)}" >> "$res"; }
skip() { echo "SKIP $1 ($2)" >> "$res"; }
fail() {
  echo "FAIL $1: $2" >> "$res"
  if [ -n "${3:-}" ] && [ -s "$3" ]; then
    head -n 20 "$3" | sed 's/^/    /' >> "$res"
  fi
}

# True if the XML file $1's root element is RDF in the RDF namespace.  Reads
# the first 64 KiB and steps over the XML declaration, processing
# instructions, comments and a DOCTYPE (with an internal subset).
is_rdfxml() {
  head -c 65536 "$1" | awk '
    { doc = doc $0 " " }
    END {
      s = doc
      while (1) {
        sub(/^[ \t\r\n]+/, "", s)
        if (substr(s, 1, 2) == "<?") {
          i = index(s, "?>"); if (!i) exit 1; s = substr(s, i + 2)
        } else if (substr(s, 1, 4) == "<!--") {
          i = index(s, "-->"); if (!i) exit 1; s = substr(s, i + 3)
        } else if (substr(s, 1, 2) == "<!") {
          i = index(s, ">"); b = index(s, "[")
          if (b && b < i) { i = index(s, "]"); if (!i) exit 1
                            s = substr(s, i); i = index(s, ">") }
          if (!i) exit 1
          s = substr(s, i + 1)
        } else {
          break
        }
      }
      if (!match(s, /^<[^ \t\r\n\/>]+/)) exit 1
      name = substr(s, 2, RLENGTH - 1)
      sub(/^.*:/, "", name)
      if (name != "RDF") exit 1
      if (!index(doc, "http://www.w3.org/1999/02/22-rdf-syntax-ns#")) exit 1
      exit 0
    }'
}

# The value of "$2" in the `stats --json` output in file $1.
json_field() {
  sed -n "s/.*\"$2\": *\\([0-9][0-9]*\\).*/\\1/p" "$1"
}

# Load, dump, compare.  $1 path, $2 relative path, $3 format (for rdfcmp;
# fairdex finds it by itself, as a user's `fairdex load FILE` would), $4
# the file to compare the dumps with, in format $3 (default: $1).
# Uses the worker's directory $wd.
check_roundtrip() {
  rm -rf "$wd/db"
  "$fairdex" --db "$wd/db" load --quiet "$1" > "$wd/load.out" 2>&1
  rc=$?
  if [ $rc -ne 0 ]; then
    fail "$2" "load failed (exit $rc)" "$wd/load.out"
    return
  fi
  # Dump files are named so that rdfcmp knows their syntax.
  case $3 in
  nquads | trig) dumps="nquads:nq trig:trig" ;;
  *) dumps="nquads:nq trig:trig turtle:ttl" ;;
  esac
  outs=
  names=
  for d in $dumps; do
    f=${d%%:*}
    out="$wd/dump.${d#*:}"
    "$fairdex" --db "$wd/db" dump --format "$f" > "$out" 2> "$wd/dump.err"
    rc=$?
    if [ $rc -ne 0 ]; then
      fail "$2" "dump --format $f failed (exit $rc)" "$wd/dump.err"
      return
    fi
    outs="$outs $out"
    names="$names${names:+, }$f"
  done
  # One rdfcmp run compares the original with every dump ($outs has no
  # blanks but the separators: $wd comes from mktemp).
  # shellcheck disable=SC2086
  "$rdfcmp" --format-a "$3" "${4:-$1}" $outs > "$wd/cmp.out" 2>&1
  rc=$?
  case $rc in
  0) pass "$2" "$names" ;;
  1) grep -v ' equals ' "$wd/cmp.out" > "$wd/cmp.diff"
     fail "$2" "a dump differs from the original" "$wd/cmp.diff" ;;
  *) fail "$2" "rdfcmp could not compare (exit $rc)" "$wd/cmp.out" ;;
  esac
}

# A JSON-LD file: its N-Quads by jsonld.js are the original; a file
# jsonld.js refuses must be refused by fairdex too.  $1 path, $2 relative
# path.  Uses the worker's directory $wd.
check_jsonld() {
  # The base fairdex gives a file: its IRI, symbolic links resolved.
  node "$jsonld_ref" --jsonld "$1" "file://$(realpath -- "$1")" \
    > "$wd/ref.nq" 2> "$wd/ref.err"
  ref_rc=$?
  if [ $ref_rc -eq 0 ]; then
    check_roundtrip "$1" "$2" nquads "$wd/ref.nq"
    return
  fi
  rm -rf "$wd/db"
  "$fairdex" --db "$wd/db" load --quiet "$1" > "$wd/load.out" 2>&1
  rc=$?
  if [ $rc -eq 0 ]; then
    fail "$2" "jsonld.js refuses it (exit $ref_rc), fairdex loaded it" \
      "$wd/ref.err"
    return
  fi
  msg=$(cat "$wd/load.out")
  case $msg in
  *"$1"*) pass "$2" "refused by both: ${msg#*"$1": }" ;;
  *) fail "$2" "refused, but the error message does not name the file" \
       "$wd/load.out" ;;
  esac
}

# A known-invalid file must be refused and change nothing: load the good
# file, then the bad one, and check the store is as before.
check_invalid() {
  rm -rf "$wd/db"
  if ! "$fairdex" --db "$wd/db" load --quiet "$good" > "$wd/load.out" 2>&1 ||
    ! "$fairdex" --db "$wd/db" stats --json > "$wd/before.json" 2>&1; then
    fail "$2" "cannot load the good file $good first" "$wd/load.out"
    return
  fi
  "$fairdex" --db "$wd/db" load "$1" > "$wd/load.out" 2>&1
  rc=$?
  if [ $rc -ne 1 ]; then
    fail "$2" "known invalid, but load exited $rc, expected 1" "$wd/load.out"
    return
  fi
  msg=$(cat "$wd/load.out")
  rest=${msg#*"$1:"}
  case $rest in
  "$msg")
    fail "$2" "known invalid: the error message does not name the file" \
      "$wd/load.out"
    return
    ;;
  [1-9]*) ;;
  *)
    fail "$2" "known invalid: the error message gives no line number" \
      "$wd/load.out"
    return
    ;;
  esac
  if ! "$fairdex" --db "$wd/db" stats --json > "$wd/after.json" 2>&1; then
    fail "$2" "stats failed after the refused load" "$wd/after.json"
    return
  fi
  for k in quads generation; do
    b=$(json_field "$wd/before.json" $k)
    a=$(json_field "$wd/after.json" $k)
    if [ -z "$b" ] || [ "$a" != "$b" ]; then
      fail "$2" "the refused load changed the store: $k was '$b', now '$a'"
      return
    fi
  done
  if ! "$fairdex" --db "$wd/db" dump --format nquads > "$wd/dump.nq" \
    2> "$wd/dump.err"; then
    fail "$2" "dump failed after the refused load" "$wd/dump.err"
    return
  fi
  if ! "$rdfcmp" "$good" "$wd/dump.nq" > "$wd/cmp.out" 2>&1; then
    fail "$2" "after the refused load the store no longer equals $good" \
      "$wd/cmp.out"
    return
  fi
  pass "$2" "known invalid, refused: ${rest%%"$nl"*}"
}

nl='
'
known="$nl$(cat "$tmp/known-invalid")$nl"

# Worker $1 of $2: the files whose number in the sorted list is $1 modulo $2.
# Each file's lines go to $tmp/res/NNNNNN.
worker() {
  wd="$tmp/w$1"
  mkdir -p "$wd"
  i=0
  while IFS= read -r path; do
    i=$((i + 1))
    [ $((i % $2)) -eq "$1" ] || continue
    res=$(printf '%s/res/%06d' "$tmp" $i)
    rel=${path#"$data"/}
    case $rel in
    *.ttl | *.TTL) fmt=turtle ;;
    *.nt | *.NT) fmt=ntriples ;;
    *.nq | *.NQ) fmt=nquads ;;
    *.trig | *.TRIG) fmt=trig ;;
    *.rdf | *.RDF | *.owl | *.OWL) fmt=rdfxml ;;
    *.xml | *.XML)
      if ! is_rdfxml "$path"; then
        echo "$rel" >> "$tmp/not-rdf.$1"
        continue
      fi
      fmt=rdfxml
      ;;
    *.jsonld | *.JSONLD)
      if [ -n "$jsonld_skip" ]; then
        skip "$rel" "$jsonld_skip"
      else
        check_jsonld "$path" "$rel"
      fi
      continue
      ;;
    *) continue ;;
    esac
    case $known in
    *"$nl$rel$nl"*) check_invalid "$path" "$rel" "$fmt" ;;
    *) check_roundtrip "$path" "$rel" "$fmt" ;;
    esac
  done < "$tmp/files"
}

jobs=${ROUNDTRIP_JOBS:-$(getconf _NPROCESSORS_ONLN 2>/dev/null || echo 2)}
case $jobs in '' | *[!0-9]* | 0) jobs=2 ;; esac
[ "$jobs" -le 8 ] || jobs=8

mkdir -p "$tmp/res"
find "$data" -type f | LC_ALL=C sort > "$tmp/files"
w=0
while [ $w -lt "$jobs" ]; do
  worker $w "$jobs" &
  w=$((w + 1))
done
wait

# Every listed known-invalid file must exist: a renamed file would
# otherwise silently drop out of the negative tests.
while IFS= read -r rel; do
  if [ ! -f "$data/$rel" ]; then
    res="$tmp/res/missing"
    fail "$rel" "listed in known-invalid.txt but not found in $data"
  fi
done < "$tmp/known-invalid"

cat "$tmp/res/"* > "$tmp/all" 2>/dev/null
cat "$tmp/all"
count() { grep -c "$1" "$tmp/all"; }
n_pass=$(count '^PASS ')
n_fail=$(count '^FAIL ')
n_skip=$(count '^SKIP ')
n_known=$(count '^PASS .*(known invalid, refused')
n_notrdf=$(cat "$tmp"/not-rdf.* 2>/dev/null | wc -l | tr -d ' ')
# The failures again, so that they are in the last lines of a long log.
if [ "$n_fail" -gt 0 ]; then
  echo "---- failures ----"
  awk '/^FAIL / { f = 1; print; next } /^    / { if (f) print; next }
       { f = 0 }' "$tmp/all"
fi
echo "roundtrip: $((n_pass + n_fail + n_skip)) RDF files under $data:" \
  "$n_pass passed ($n_known of them known-invalid inputs, refused as" \
  "expected), $n_fail failed, $n_skip skipped; $n_notrdf .xml files are not" \
  "RDF/XML and were not tried"
[ "$n_fail" -eq 0 ]
