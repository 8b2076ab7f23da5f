/*
 * cli_store.c: the store commands of the `fairdex` program: `load` (RDF
 * files in, one transaction per file), `dump` (the store out as RDF) and
 * `stats` (counts and sizes).
 */
#include "cli.h"

#include "fairdex/rdf.h"
#include "fairdex/search.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

static double
now_seconds(void)
{
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* ------------------------------------------------------------------------
 * load
 * --------------------------------------------------------------------- */

enum { LOAD_GRAPH, LOAD_FORMAT, LOAD_BASE, LOAD_MAX_BYTES, LOAD_SORT, LOAD_QUIET };

static const CliOption load_options[] = {
  {"graph", true, "load into the named graph IRI (default: default graph, "
                  "or the graphs an N-Quads/TriG file names)"},
  {"format", true, "ntriples, nquads, turtle, trig, rdfxml or jsonld "
                   "(default: from the file extension, else from the "
                   "content)"},
  {"base", true, "base IRI for relative IRIs (default: the file's IRI)"},
  {"max-bytes", true, "refuse inputs larger than this, e.g. 2G "
                      "(decompressed; default: no limit)"},
  {"sort-buffer", true, "memory for sorting quads, e.g. 256M (default)"},
  {"quiet", false, "print nothing but errors"},
};
#define N_LOAD_OPTIONS (sizeof(load_options) / sizeof(load_options[0]))

typedef struct {
  const char* path;
  double      start;
} Progress;

static void
show_progress(void* const data, const uint64_t bytes, const uint64_t quads)
{
  const Progress* const p = (const Progress*)data;
  fprintf(stderr, "\r%s: %.1f MB read, %llu statements, %.0f s   ", p->path,
          (double)bytes / 1e6, (unsigned long long)quads,
          now_seconds() - p->start);
  fflush(stderr);
}

int
cmd_load(CliContext* const ctx, const int argc, char** const argv)
{
  static const char synopsis[] = "[--graph IRI] [--format F] FILE...";
  static const char description[] =
    "Load RDF files into the store, each file in one transaction: a file\n"
    "with an error loads nothing.  FILE may be '-' for standard input;\n"
    "gzip-compressed input is read transparently.";
  FdxLoadOptions opts;
  memset(&opts, 0, sizeof(opts));
  bool     quiet = false;
  char**   files = (char**)calloc((size_t)argc + 1, sizeof(char*));
  int      n_files = 0;
  CliScan  scan    = {argc, argv, 0, load_options, N_LOAD_OPTIONS, false};
  CliArg   arg;
  int      r;
  if (!files) {
    cli_error("load", "out of memory");
    return 1;
  }
  for (int k = 1; k < argc; ++k) {
    if (!strcmp(argv[k], "--help")) {
      cli_usage(stdout, "load", synopsis, description, load_options,
                N_LOAD_OPTIONS);
      free(files);
      return 0;
    }
  }
  while ((r = cli_next(&scan, ctx, "load", &arg)) > 0) {
    unsigned long long size = 0;
    switch (arg.index) {
    case -1:
      files[n_files++] = (char*)arg.value;
      break;
    case LOAD_GRAPH:
      opts.graph = arg.value;
      break;
    case LOAD_FORMAT:
      opts.format = fdx_format_from_name(arg.value);
      if (opts.format == FDX_FORMAT_UNKNOWN) {
        cli_error("load", "unknown format '%s' (ntriples, nquads, turtle, "
                          "trig, rdfxml)", arg.value);
        r = -1;
      }
      break;
    case LOAD_BASE:
      opts.base = arg.value;
      break;
    case LOAD_MAX_BYTES:
    case LOAD_SORT:
      if (!cli_parse_size(arg.value, &size) || size == 0) {
        cli_error("load", "'%s' is not a size (e.g. 4096, 256M, 2G)",
                  arg.value);
        r = -1;
      } else if (arg.index == LOAD_SORT) {
        opts.sort_buffer_bytes = (size_t)size;
      } else {
        opts.max_bytes = size;
      }
      break;
    case LOAD_QUIET:
      quiet = true;
      break;
    default:
      break;
    }
    if (r < 0) {
      break;
    }
  }
  if (r < 0) {
    free(files);
    return 2;
  }
  if (n_files == 0) {
    cli_error("load", "no input files (see --help)");
    free(files);
    return 2;
  }
  if (opts.graph && !strchr(opts.graph, ':')) {
    cli_error("load", "--graph needs an absolute IRI, not '%s'", opts.graph);
    free(files);
    return 2;
  }

  FdxStore* const store = cli_open_store(ctx, "load", FDX_STORE_CREATE);
  if (!store) {
    free(files);
    return 1;
  }
  const bool tty    = !quiet && isatty(STDERR_FILENO);
  int        failed = 0;
  for (int k = 0; k < n_files; ++k) {
    Progress     progress = {files[k], now_seconds()};
    const double indexed  = fdx_search_seconds(store);
    if (tty) {
      opts.progress     = show_progress;
      opts.progress_ctx = &progress;
    }
    FdxLoadResult res;
    FdxError      err;
    memset(&res, 0, sizeof(res));
    memset(&err, 0, sizeof(err));
    const FdxStatus st = fdx_load_file(store, files[k], &opts, &res, &err);
    if (tty) {
      fprintf(stderr, "\r\033[K");
    }
    if (st) {
      ++failed;
      if (err.line && err.column) {
        cli_error("load", "%s:%ld:%ld: %s (nothing loaded from this file)",
                  err.source[0] ? err.source : files[k], err.line, err.column,
                  err.message);
      } else if (err.line) {
        cli_error("load", "%s:%ld: %s (nothing loaded from this file)",
                  err.source[0] ? err.source : files[k], err.line,
                  err.message);
      } else {
        cli_error("load", "%s: %s (nothing loaded from this file)",
                  err.source[0] ? err.source : files[k],
                  err.message[0] ? err.message : fdx_strerror(st));
      }
      continue;
    }
    if (!quiet) {
      const double secs = now_seconds() - progress.start;
      printf("%s: %llu statements (%s), %llu new quads, %.2f s (search "
             "index %.2f s)\n",
             files[k], (unsigned long long)res.quads_read,
             fdx_format_name(res.format), (unsigned long long)res.quads_added,
             secs, fdx_search_seconds(store) - indexed);
    }
  }
  fdx_store_free(store);
  free(files);
  return failed ? 1 : 0;
}

/* ------------------------------------------------------------------------
 * dump
 * --------------------------------------------------------------------- */

enum { DUMP_FORMAT, DUMP_GRAPH, DUMP_OUTPUT };

static const CliOption dump_options[] = {
  {"format", true, "nquads (default), trig, turtle, ntriples, rdfxml or jsonld"},
  {"graph", true, "only this named graph IRI"},
  {"output", true, "write to this file instead of standard output"},
};
#define N_DUMP_OPTIONS (sizeof(dump_options) / sizeof(dump_options[0]))

static int
write_file(void* const ctx, const char* const bytes, const size_t len)
{
  return fwrite(bytes, 1, len, (FILE*)ctx) == len ? 0 : -1;
}

int
cmd_dump(CliContext* const ctx, const int argc, char** const argv)
{
  static const char synopsis[] = "[--format F] [--graph IRI] [--output FILE]";
  static const char description[] =
    "Write the store as RDF.  N-Quads and TriG keep graph names; Turtle,\n"
    "N-Triples, RDF/XML and JSON-LD write the union of all graphs (each\n"
    "triple once) unless --graph picks one.";
  FdxFormat   format = FDX_FORMAT_NQUADS;
  const char* graph  = NULL;
  const char* output = NULL;
  CliScan     scan   = {argc, argv, 0, dump_options, N_DUMP_OPTIONS, false};
  CliArg      arg;
  int         r;
  for (int k = 1; k < argc; ++k) {
    if (!strcmp(argv[k], "--help")) {
      cli_usage(stdout, "dump", synopsis, description, dump_options,
                N_DUMP_OPTIONS);
      return 0;
    }
  }
  while ((r = cli_next(&scan, ctx, "dump", &arg)) > 0) {
    if (arg.index == -1) {
      cli_error("dump", "unexpected argument '%s' (see --help)", arg.value);
      return 2;
    }
    if (arg.index == DUMP_FORMAT) {
      format = fdx_format_from_name(arg.value);
      if (format == FDX_FORMAT_UNKNOWN) {
        cli_error("dump", "unknown format '%s' (nquads, trig, turtle, "
                          "ntriples, rdfxml, jsonld)", arg.value);
        return 2;
      }
    } else if (arg.index == DUMP_GRAPH) {
      graph = arg.value;
    } else {
      output = arg.value;
    }
  }
  if (r < 0) {
    return 2;
  }
  FdxStore* const store = cli_open_store(ctx, "dump", FDX_STORE_READ_ONLY);
  if (!store) {
    return 1;
  }
  FdxTxn*   txn = NULL;
  FdxStatus st  = fdx_txn_begin(store, 0, &txn);
  FdxId     g   = FDX_ID_ANY;
  int       ret = 0;
  if (!st && graph) {
    const FdxTerm term = fdx_term_iri(graph);
    st                 = fdx_term_id(txn, &term, &g);
    uint64_t n         = 0;
    if (!st) {
      const FdxQuad in_graph = {FDX_ID_ANY, FDX_ID_ANY, FDX_ID_ANY, g};
      st = fdx_quad_count(txn, &in_graph, &n);
      if (!st && n == 0) {
        st = FDX_FAILURE;
      }
    }
    if (st == FDX_FAILURE) {
      cli_error("dump", "no graph <%s> in the store", graph);
      ret = 1;
    }
  }
  FILE* out = stdout;
  if (!st && output && !(out = fopen(output, "wb"))) {
    cli_error("dump", "cannot write %s", output);
    ret = 1;
  }
  if (!st && out) {
    st = fdx_dump(txn, format, g, write_file, out);
    if (fflush(out)) {
      st = FDX_ERR_IO;
    }
  }
  if (out && out != stdout) {
    fclose(out);
  }
  if (st && !ret) {
    cli_error("dump", "%s", fdx_strerror(st));
    ret = 1;
  }
  fdx_txn_abort(txn);
  fdx_store_free(store);
  return ret;
}

/* ------------------------------------------------------------------------
 * stats
 * --------------------------------------------------------------------- */

static const CliOption stats_options[] = {
  {"json", false, "print one JSON object"},
};

int
cmd_stats(CliContext* const ctx, const int argc, char** const argv)
{
  bool    json = false;
  CliScan scan = {argc, argv, 0, stats_options, 1, false};
  CliArg  arg;
  int     r;
  for (int k = 1; k < argc; ++k) {
    if (!strcmp(argv[k], "--help")) {
      cli_usage(stdout, "stats", "[--json]",
                "Print the store's counts (quads, terms, graphs,\n"
                "predicates), its generation and its size on disk.",
                stats_options, 1);
      return 0;
    }
  }
  while ((r = cli_next(&scan, ctx, "stats", &arg)) > 0) {
    if (arg.index == -1) {
      cli_error("stats", "unexpected argument '%s' (see --help)", arg.value);
      return 2;
    }
    json = true;
  }
  if (r < 0) {
    return 2;
  }
  FdxStore* const store = cli_open_store(ctx, "stats", FDX_STORE_READ_ONLY);
  if (!store) {
    return 1;
  }
  FdxTxn*       txn = NULL;
  FdxStoreStats s;
  FdxStatus     st = fdx_txn_begin(store, 0, &txn);
  if (!st) {
    st = fdx_store_stats(txn, &s);
  }
  fdx_txn_abort(txn);
  fdx_store_free(store);
  if (st) {
    cli_error("stats", "%s", fdx_strerror(st));
    return 1;
  }
  if (json) {
    printf("{\"quads\": %llu, \"terms\": %llu, \"graphs\": %llu, "
           "\"predicates\": %llu, \"generation\": %llu, \"disk_bytes\": %llu, "
           "\"used_bytes\": %llu, \"map_bytes\": %llu}\n",
           (unsigned long long)s.quads, (unsigned long long)s.terms,
           (unsigned long long)s.graphs, (unsigned long long)s.predicates,
           (unsigned long long)s.generation,
           (unsigned long long)s.disk_bytes, (unsigned long long)s.used_bytes,
           (unsigned long long)s.map_bytes);
  } else {
    printf("quads:      %llu\nterms:      %llu\ngraphs:     %llu\n"
           "predicates: %llu\ngeneration: %llu\ndisk:       %.1f MiB "
           "(%.1f MiB in use)\n",
           (unsigned long long)s.quads, (unsigned long long)s.terms,
           (unsigned long long)s.graphs, (unsigned long long)s.predicates,
           (unsigned long long)s.generation, (double)s.disk_bytes / 1048576.0,
           (double)s.used_bytes / 1048576.0);
  }
  return 0;
}
