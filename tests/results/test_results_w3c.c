/*
 * test_results_w3c.c: every query results file of the W3C SPARQL 1.1 test
 * suite through the test readers and fairdex's results writers.
 *
 *   test_results_w3c --data DIR [--data DIR ...]
 *
 * The first DIR that exists is used (meson passes the copy in tests/data,
 * then the external data folder); with none, the test is skipped (exit
 * 77).  For each .srx, .srj, .tsv and .csv file below it:
 *
 * 1. The file must parse.
 * 2. For each of the four formats, our writer's output must read back as
 *    the same result: rows in the same order, blank nodes up to renaming,
 *    and the CSV way for CSV (which keeps only text).
 * 3. In csv-tsv-res/, where the spec fixes the bytes, our writer's output
 *    in the file's own format must be the file, byte for byte.  One
 *    exception is expected and reported: the W3C CSV files end lines with
 *    LF, while the spec (section 2, and RFC 4180) says CRLF, which we
 *    write; a CSV file without CR is compared with our CRLFs made LF.
 * 4. In csv-tsv-res/, each csvtsvNN.csv must equal csvtsvNN.tsv the CSV
 *    way, except csvtsv03, where the W3C files disagree (the TSV file
 *    writes the double "1.0E6" of data2.ttl as 1.0e6, the CSV file as
 *    1.0E6): that pair must differ, so that a change in the files is
 *    noticed.
 */
#include "sparql_results_read.h"
#include "test_util.h"

#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

static const FdxResultsFormat all_formats[] = {
  FDX_RESULTS_JSON, FDX_RESULTS_XML, FDX_RESULTS_CSV, FDX_RESULTS_TSV};
static const char* const format_names[] = {"JSON", "XML", "CSV", "TSV"};

/* ------------------------------------------------------------------------
 * Collecting the files
 * --------------------------------------------------------------------- */

static char** paths   = NULL;
static size_t n_paths = 0;

static int
collect(const char* const        path,
        const struct stat* const sb,
        const int                flag,
        struct FTW* const        ftw)
{
  (void)sb;
  (void)ftw;
  FdxResultsFormat f = FDX_RESULTS_JSON;
  if (flag == FTW_F && sr_format_from_path(path, &f)) {
    const char* const dot = strrchr(path, '.');
    /* Only the results extensions, not .xml or .json files in general. */
    if (strcmp(dot, ".srx") && strcmp(dot, ".srj") && strcmp(dot, ".tsv") &&
        strcmp(dot, ".csv")) {
      return 0;
    }
    char** const p = (char**)realloc(paths, (n_paths + 1) * sizeof(char*));
    REQUIRE(p);
    paths = p;
    REQUIRE((paths[n_paths] = strdup(path)));
    ++n_paths;
  }
  return 0;
}

static int
path_cmp(const void* const a, const void* const b)
{
  return strcmp(*(const char* const*)a, *(const char* const*)b);
}

/* ------------------------------------------------------------------------
 * A sink that keeps what is written
 * --------------------------------------------------------------------- */

typedef struct {
  char*  p;
  size_t n;
  size_t cap;
} Sink;

static int
sink_write(void* const ctx, const char* const bytes, const size_t len)
{
  Sink* const s = (Sink*)ctx;
  if (s->n + len + 1 > s->cap) {
    size_t cap = s->cap ? s->cap : 4096;
    while (cap < s->n + len + 1) {
      cap *= 2;
    }
    char* const p = (char*)realloc(s->p, cap);
    REQUIRE(p);
    s->p   = p;
    s->cap = cap;
  }
  memcpy(s->p + s->n, bytes, len);
  s->n += len;
  s->p[s->n] = '\0';
  return 0;
}

/* Turn each CRLF into LF, in place. */
static void
crlf_to_lf(Sink* const s)
{
  size_t o = 0;
  for (size_t i = 0; i < s->n; ++i) {
    if (!(s->p[i] == '\r' && i + 1 < s->n && s->p[i + 1] == '\n')) {
      s->p[o++] = s->p[i];
    }
  }
  s->n = o;
}

/* ------------------------------------------------------------------------
 * The checks
 * --------------------------------------------------------------------- */

typedef struct {
  size_t parsed[4];     /* per format of the file */
  size_t round_trips;   /* (file, format) pairs that came back equal */
  size_t identical;     /* csv-tsv-res files byte-identical as written */
  size_t identical_lf;  /* ... after our CRLFs became LF */
  size_t cross_checked; /* csv/tsv pairs compared */
} Tally;

static size_t
format_index(const FdxResultsFormat f)
{
  for (size_t i = 0; i < 4; ++i) {
    if (all_formats[i] == f) {
      return i;
    }
  }
  return 0;
}

static void
check_file(const char* const path, Tally* const tally)
{
  FdxResultsFormat format = FDX_RESULTS_JSON;
  REQUIRE(sr_format_from_path(path, &format));
  SrResults* r = NULL;
  char       why[2048];
  if (sr_read_file(path, format, &r, why, sizeof(why))) {
    check_failed(__FILE__, __LINE__, why);
    return;
  }
  ++tally->parsed[format_index(format)];

  for (size_t f = 0; f < 4; ++f) {
    Sink            sink = {NULL, 0, 0};
    const FdxStatus st =
      sr_results_write(r, all_formats[f], sink_write, &sink);
    SrResults*      back = NULL;
    if (st) {
      fprintf(stderr, "%s: writing %s: %s\n", path, format_names[f],
              fdx_strerror(st));
      check_failed(__FILE__, __LINE__, "write");
    } else if (sr_read_bytes(all_formats[f], sink.p, sink.n, &back, why,
                             sizeof(why))) {
      fprintf(stderr, "%s: our %s does not read back: %s\n", path,
              format_names[f], why);
      check_failed(__FILE__, __LINE__, "read back");
    } else {
      const unsigned flags =
        SR_CMP_ORDERED | (all_formats[f] == FDX_RESULTS_CSV ? SR_CMP_CSV : 0);
      if (sr_results_equal(r, back, flags, why, sizeof(why))) {
        ++tally->round_trips;
      } else {
        fprintf(stderr, "%s: through our %s: %s\n", path, format_names[f],
                why);
        check_failed(__FILE__, __LINE__, "round trip");
      }
    }
    sr_results_free(back);

    /* Byte for byte where the spec fixes the bytes. */
    if (!st && all_formats[f] == format && strstr(path, "/csv-tsv-res/")) {
      char*  file = NULL;
      size_t len  = 0;
      REQUIRE(!sr_slurp(path, &file, &len));
      const bool lf_only =
        format == FDX_RESULTS_CSV && !memchr(file, '\r', len);
      if (lf_only) {
        crlf_to_lf(&sink);
      }
      if (sink.n == len && !memcmp(sink.p, file, len)) {
        ++*(lf_only ? &tally->identical_lf : &tally->identical);
        printf("%s: byte-identical%s\n", path,
               lf_only ? " once our CRLF line ends are made LF" : "");
      } else {
        fprintf(stderr, "%s: our bytes differ:\n--- ours:\n%.*s--- file:\n%s",
                path, (int)sink.n, sink.p, file);
        check_failed(__FILE__, __LINE__, "byte-identical");
      }
      free(file);
    }
    free(sink.p);
  }

  /* The CSV file against its TSV sibling. */
  const size_t n = strlen(path);
  if (format == FDX_RESULTS_CSV && strstr(path, "/csv-tsv-res/")) {
    char* const tsv_path = strdup(path);
    REQUIRE(tsv_path);
    memcpy(tsv_path + n - 3, "tsv", 3);
    SrResults* tsv = NULL;
    if (sr_read_file(tsv_path, FDX_RESULTS_TSV, &tsv, why, sizeof(why))) {
      check_failed(__FILE__, __LINE__, why);
    } else {
      const bool known_different = strstr(path, "csvtsv03.csv") != NULL;
      const bool eq = sr_results_equal(r, tsv, SR_CMP_CSV | SR_CMP_ORDERED,
                                       why, sizeof(why));
      if (eq == known_different) {
        fprintf(stderr, "%s against its TSV: %s%s\n", path,
                eq ? "equal, but expected to differ" : "", eq ? "" : why);
        check_failed(__FILE__, __LINE__, "csv against tsv");
      } else {
        ++tally->cross_checked;
        if (known_different) {
          printf("%s: differs from its TSV, as known: %s\n", path, why);
        }
      }
    }
    sr_results_free(tsv);
    free(tsv_path);
  }
  sr_results_free(r);
}

int
main(int argc, char** argv)
{
  const char* dir = NULL;
  for (int i = 1; i < argc; ++i) {
    if (!strcmp(argv[i], "--data") && i + 1 < argc) {
      struct stat st;
      ++i;
      if (!dir && !stat(argv[i], &st) && S_ISDIR(st.st_mode)) {
        dir = argv[i];
      }
    } else {
      fprintf(stderr, "usage: test_results_w3c --data DIR [--data DIR...]\n");
      return 2;
    }
  }
  if (!dir) {
    printf("test_results_w3c: no W3C SPARQL 1.1 folder; skipped\n");
    return 77;
  }
  test_start("test_results_w3c");
  printf("test_results_w3c: reading %s\n", dir);
  REQUIRE(!nftw(dir, collect, 16, FTW_PHYS));
  qsort(paths, n_paths, sizeof(char*), path_cmp);

  Tally tally;
  memset(&tally, 0, sizeof(tally));
  for (size_t i = 0; i < n_paths; ++i) {
    check_file(paths[i], &tally);
    free(paths[i]);
  }
  free(paths);

  /* The suite as of 2024 has 307 .srx, 6 .srj, 3 .tsv and 3 .csv files. */
  CHECK(tally.parsed[format_index(FDX_RESULTS_XML)] >= 300);
  CHECK(tally.parsed[format_index(FDX_RESULTS_JSON)] >= 6);
  CHECK(tally.parsed[format_index(FDX_RESULTS_TSV)] >= 3);
  CHECK(tally.parsed[format_index(FDX_RESULTS_CSV)] >= 3);
  CHECK(tally.round_trips == 4 * n_paths);
  CHECK(tally.identical + tally.identical_lf >= 6);
  CHECK(tally.cross_checked >= 3);
  printf("test_results_w3c: %zu files (%zu srx, %zu srj, %zu tsv, %zu csv) "
         "parsed; %zu of %zu round trips through our writers equal; "
         "csv-tsv-res: %zu files byte-identical, %zu more once CRLF is LF; "
         "%zu csv/tsv pairs checked\n",
         n_paths, tally.parsed[1], tally.parsed[0], tally.parsed[3],
         tally.parsed[2], tally.round_trips, 4 * n_paths, tally.identical,
         tally.identical_lf, tally.cross_checked);
  return test_finish("test_results_w3c");
}
