/*
 * srcmp: a test tool that says whether two SPARQL query results files hold
 * the same answer, for the W3C evaluation tests and for people.
 *
 *   srcmp [--ordered] [--csv] A B
 *
 * The format of each file comes from its extension: .srx (or .xml), .srj
 * (or .json), .tsv, .csv.  The two may differ.  Rows compare as multisets,
 * or as sequences with --ordered (for queries with ORDER BY); blank nodes
 * compare up to renaming, language tags without regard to case, and
 * "x"^^xsd:string equals "x" (see sparql_results_read.h).  --csv compares
 * only what CSV keeps (the text of each term); it is implied when either
 * file is CSV.
 *
 * Exit status: 0 equal, 1 different (the reason goes to standard output),
 * 2 error (usage, unreadable or malformed file; the reason goes to
 * standard error).
 */
#include "sparql_results_read.h"

#include <stdio.h>
#include <string.h>

static void
usage(FILE* const f)
{
  fputs("usage: srcmp [--ordered] [--csv] A B\n"
        "Compare two SPARQL query results files (.srx .srj .tsv .csv).\n"
        "  --ordered  rows must come in the same order\n"
        "  --csv      compare only what CSV keeps (implied for .csv)\n"
        "Exit status: 0 equal, 1 different, 2 error.\n",
        f);
}

static SrResults*
load(const char* const path, bool* const is_csv)
{
  FdxResultsFormat format = FDX_RESULTS_JSON;
  if (!sr_format_from_path(path, &format)) {
    fprintf(stderr, "srcmp: %s: unknown extension (.srx .srj .tsv .csv)\n",
            path);
    return NULL;
  }
  *is_csv       = *is_csv || format == FDX_RESULTS_CSV;
  SrResults* r  = NULL;
  char       why[1024];
  if (sr_read_file(path, format, &r, why, sizeof(why))) {
    fprintf(stderr, "srcmp: %s\n", why);
    return NULL;
  }
  return r;
}

int
main(int argc, char** argv)
{
  unsigned    flags   = 0;
  bool        csv     = false;
  const char* files[2] = {NULL, NULL};
  int         n_files = 0;
  bool        options = true;
  for (int i = 1; i < argc; ++i) {
    if (options && !strcmp(argv[i], "--")) {
      options = false;
    } else if (options && !strcmp(argv[i], "--ordered")) {
      flags |= SR_CMP_ORDERED;
    } else if (options && !strcmp(argv[i], "--csv")) {
      csv = true;
    } else if (options &&
               (!strcmp(argv[i], "--help") || !strcmp(argv[i], "-h"))) {
      usage(stdout);
      return 0;
    } else if (options && argv[i][0] == '-' && argv[i][1]) {
      fprintf(stderr, "srcmp: unknown option %s\n", argv[i]);
      usage(stderr);
      return 2;
    } else if (n_files < 2) {
      files[n_files++] = argv[i];
    } else {
      usage(stderr);
      return 2;
    }
  }
  if (n_files != 2) {
    usage(stderr);
    return 2;
  }
  SrResults* const a = load(files[0], &csv);
  SrResults* const b = a ? load(files[1], &csv) : NULL;
  if (!a || !b) {
    sr_results_free(a);
    return 2;
  }
  char       why[2048];
  const bool eq =
    sr_results_equal(a, b, flags | (csv ? SR_CMP_CSV : 0), why, sizeof(why));
  if (!eq) {
    printf("%s and %s differ: %s\n", files[0], files[1], why);
  }
  sr_results_free(a);
  sr_results_free(b);
  return eq ? 0 : 1;
}
