#!/usr/bin/env bash
# tests/bench/harvest.sh N [BUILD]: harvest throughput.  The loopback
# fixture server (tests/harvest/fixture_server.py) serves N generated
# records as CKAN package_search pages of 1000 and as OAI-PMH ListRecords
# pages of 100; `fairdex harvest` takes each source into a fresh store,
# then harvests it again unchanged.  Prints, per source, records/s and peak
# RSS of the first run, the unchanged re-run's time, and the ratio of the
# two (the issue's targets: >= 2,000 records/s at N = 10,000, RSS
# independent of N, a re-run under a tenth of the first).  The peak RSS
# (GNU time's) is split into its anonymous part (the process's own memory)
# and its file-backed part (the store's mapped pages), each the peak of
# /proc/PID/status samples taken every 50 ms.
#
# BUILD (default build-bench, a release build made when missing) holds
# fairdex.  Needs python3 and GNU time (/usr/bin/time) for peak RSS.
set -euo pipefail
PROG=harvest.sh
N=${1:-10000}
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
BUILD=${2:-$ROOT/build-bench}
FAIRDEX=$BUILD/web/fairdex
die() {
  echo "$PROG: $*" >&2
  exit 1
}
[[ $N =~ ^[0-9]+$ ]] && [ "$N" -ge 100 ] || die "N must be a number >= 100"
command -v python3 >/dev/null || die "python3 is needed"
[ -x /usr/bin/time ] || die "GNU time (/usr/bin/time) is needed for peak RSS"
if [ ! -x "$FAIRDEX" ]; then
  if [ ! -f "$BUILD/build.ninja" ]; then
    meson setup "$BUILD" "$ROOT" -Dbuildtype=release >/dev/null ||
      die "meson setup $BUILD failed"
  fi
  ninja -C "$BUILD" web/fairdex >/dev/null || die "ninja -C $BUILD failed"
fi
WORK=$(mktemp -d -t fdx-harvest-bench.XXXXXX)
SERVER_PID=
cleanup() {
  if [ -n "$SERVER_PID" ]; then
    kill "$SERVER_PID" 2>/dev/null || true
  fi
  rm -rf "$WORK"
}
trap cleanup EXIT

# The records: invented, shaped like real ones (a few resources, tags, one
# of 20 organisations, a licence).
python3 - "$WORK/root" "$N" <<'EOF'
import json, os, sys
root, n = sys.argv[1], int(sys.argv[2])
os.makedirs(root + "/ckan/bench")
packages = []
for i in range(n):
    packages.append({
        "id": "pkg-%06d" % i, "name": "dataset-%d" % i,
        "title": "Kardiologische Studie %d" % i,
        "notes": "Messwerte der Studie %d zu Herz und Kreislauf." % i,
        "metadata_created": "2024-01-01T00:00:00.000000",
        "metadata_modified": "2024-02-01T00:%02d:%02d.000000" % (i // 60 % 60, i % 60),
        "license_id": "cc-by", "license_title": "CC BY 4.0",
        "license_url": "https://creativecommons.org/licenses/by/4.0/",
        "author": "Team %d" % (i % 50), "author_email": "team%d@example.org" % (i % 50),
        "organization": {"id": "org-%d" % (i % 20), "name": "org-%d" % (i % 20),
                         "title": "Klinik %d" % (i % 20)},
        "tags": [{"name": "herz"}, {"name": "studie-%d" % (i % 30)}],
        "extras": [{"key": "language", "value": "de"}],
        "private": False, "type": "dataset",
        "resources": [{"id": "res-%d-%d" % (i, r), "name": "Teil %d" % r,
                       "url": "https://data.example.org/%d/%d.csv" % (i, r),
                       "format": "CSV", "size": 1000 + r}
                      for r in range(3)]})
with open(root + "/ckan/bench/packages.json", "w") as f:
    json.dump(packages, f)
os.makedirs(root + "/oai/bench")
pages = (n + 99) // 100
mapping = []
for p in range(pages):
    recs = []
    for i in range(p * 100, min(n, p * 100 + 100)):
        recs.append(
            "<record><header><identifier>oai:bench.example.org:%d</identifier>"
            "<datestamp>2024-02-01T00:00:00Z</datestamp></header><metadata>"
            "<oai_dc:dc xmlns:oai_dc=\"http://www.openarchives.org/OAI/2.0/oai_dc/\" "
            "xmlns:dc=\"http://purl.org/dc/elements/1.1/\">"
            "<dc:title xml:lang=\"de\">Datensatz %d</dc:title>"
            "<dc:creator>Autor %d</dc:creator><dc:subject>Herz</dc:subject>"
            "<dc:description>Beschreibung %d</dc:description>"
            "<dc:publisher>Repositorium</dc:publisher><dc:date>2024-01-%02d</dc:date>"
            "<dc:type>Dataset</dc:type>"
            "<dc:identifier>https://bench.example.org/record/%d</dc:identifier>"
            "</oai_dc:dc></metadata></record>" % (i, i, i % 97, i, 1 + i % 28, i))
    token = ("<resumptionToken completeListSize=\"%d\">p%d</resumptionToken>"
             % (n, p + 1)) if p + 1 < pages else "<resumptionToken/>"
    with open(root + "/oai/bench/page%d.xml" % p, "w") as f:
        f.write("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<OAI-PMH "
                "xmlns=\"http://www.openarchives.org/OAI/2.0/\"><responseDate>"
                "2024-02-01T00:00:00Z</responseDate><request verb=\"ListRecords\">"
                "http://bench.example.org/oai</request><ListRecords>%s%s"
                "</ListRecords></OAI-PMH>\n" % ("".join(recs), token))
    mapping.append(("metadataPrefix=oai_dc&verb=ListRecords" if p == 0 else
                    "resumptionToken=p%d&verb=ListRecords" % p, "page%d.xml" % p))
# An incremental run: Identify, then from= the last run (served whole).
mapping.append(("verb=Identify", "identify.xml"))
mapping.append(("from=*&metadataPrefix=oai_dc&verb=ListRecords", "page0.xml"))
with open(root + "/oai/bench/identify.xml", "w") as f:
    f.write("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<OAI-PMH xmlns="
            "\"http://www.openarchives.org/OAI/2.0/\"><responseDate>2024-02-01T"
            "00:00:00Z</responseDate><request verb=\"Identify\">http://bench."
            "example.org/oai</request><Identify><repositoryName>Bench"
            "</repositoryName><baseURL>http://bench.example.org/oai</baseURL>"
            "<protocolVersion>2.0</protocolVersion><adminEmail>a@example.org"
            "</adminEmail><earliestDatestamp>2000-01-01T00:00:00Z"
            "</earliestDatestamp><deletedRecord>persistent</deletedRecord>"
            "<granularity>YYYY-MM-DDThh:mm:ssZ</granularity></Identify>"
            "</OAI-PMH>\n")
with open(root + "/oai/bench/mapping.txt", "w") as f:
    for q, name in mapping:
        f.write(q + "\n" + name + "\n")
EOF

mkfifo "$WORK/server.in"
python3 "$ROOT/tests/harvest/fixture_server.py" --root "$WORK/root" \
  --watch-stdin <"$WORK/server.in" >"$WORK/server.out" &
SERVER_PID=$!
exec 3>"$WORK/server.in" # keeps the server's stdin open
for _ in $(seq 100); do
  grep -q "listening on" "$WORK/server.out" 2>/dev/null && break
  sleep 0.1
done
URL=$(sed -n 's/^listening on \(http:[^ ]*\)\/$/\1/p' "$WORK/server.out")
[ -n "$URL" ] || die "the fixture server did not start"

# Sample RssAnon and RssFile of PID until it exits; print their peaks in
# KiB.  Bash builtins only, so the sampling costs the run next to nothing.
rss_peaks() { # PID
  local anon=0 file=0 key value _
  while [ -r "/proc/$1/status" ]; do
    while read -r key value _; do
      case $key in
      RssAnon:) [ "$value" -gt "$anon" ] && anon=$value ;;
      RssFile:) [ "$value" -gt "$file" ] && file=$value ;;
      esac
    done <"/proc/$1/status" 2>/dev/null || true
    sleep 0.05
  done
  echo "$anon $file"
}

run() { # NAME TYPE URL EXTRA-JSON
  local name=$1 type=$2 url=$3 extra=$4 db=$WORK/db-$1
  printf '{"defaults": {"allow_private_addresses": true, "min_delay_ms": 0,
    "max_retries": 0}, "sources": [{"name": "%s", "type": "%s", "url": "%s"%s}]}\n' \
    "$name" "$type" "$url" "$extra" >"$WORK/$name.json"
  local first rerun rss anon file time_pid child=
  /usr/bin/time -f "%e %M" -o "$WORK/time" env FAIRDEX_VOCABULARIES=none \
    "$FAIRDEX" --db "$db" harvest --config "$WORK/$name.json" --json \
    >"$WORK/$name.first" &
  time_pid=$!
  while [ -z "$child" ] && kill -0 "$time_pid" 2>/dev/null; do
    child=$(pgrep -P "$time_pid" || true)
  done
  read -r anon file < <(rss_peaks "${child:-0}")
  wait "$time_pid" || die "$name: the first run failed"
  read -r first rss <"$WORK/time"
  /usr/bin/time -f "%e %M" -o "$WORK/time" env FAIRDEX_VOCABULARIES=none \
    "$FAIRDEX" --db "$db" harvest --config "$WORK/$name.json" --json --full \
    >/dev/null || die "$name: the --full run failed"
  local full
  read -r full _ <"$WORK/time"
  /usr/bin/time -f "%e %M" -o "$WORK/time" env FAIRDEX_VOCABULARIES=none \
    "$FAIRDEX" --db "$db" harvest --config "$WORK/$name.json" --json \
    >"$WORK/$name.rerun" || die "$name: the re-run failed"
  read -r rerun _ <"$WORK/time"
  python3 - "$name" "$N" "$first" "$rss" "$full" "$rerun" \
    "$WORK/$name.first" "$WORK/$name.rerun" "$anon" "$file" <<'EOF'
import json, sys
name, n, first, rss, full, rerun = sys.argv[1], int(sys.argv[2]), \
    float(sys.argv[3]), int(sys.argv[4]), float(sys.argv[5]), float(sys.argv[6])
anon, file = int(sys.argv[9]), int(sys.argv[10])
a = json.load(open(sys.argv[7]))["runs"][0]
b = json.load(open(sys.argv[8]))["runs"][0]
assert a["added"] == n, "%s: first run added %s of %d" % (name, a["added"], n)
print("%-5s N=%d  first %.2f s = %.0f records/s (target >= 2000), peak RSS "
      "%.0f MiB (anon %.0f, file %.0f);  --full %.2f s = %.0f records/s;  "
      "unchanged re-run %.2f s (%s unchanged, %s added) = first/rerun %.1f "
      "(target >= 10)"
      % (name, n, first, n / first, rss / 1024, anon / 1024, file / 1024,
         full, n / full, rerun, b["unchanged"], b["added"],
         first / max(rerun, 0.001)))
EOF
}
run ckan ckan "$URL/ckan/bench" ""
run oai oai-pmh "$URL/oai/bench" ', "metadata_prefix": "oai_dc"'
