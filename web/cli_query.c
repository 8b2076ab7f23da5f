/*
 * cli_query.c: the SPARQL commands of the `fairdex` program: `query`
 * (read-only, results to standard output in a chosen format) and `update`
 * (one write transaction per request).  The query text is the argument,
 * or standard input when the argument is `-` or absent.  SELECT and ASK
 * results go through a results writer (sparql_results.h), the triples of
 * CONSTRUCT and DESCRIBE through a triple writer (rdf.h), both streaming
 * straight to standard output.
 */
#include "cli.h"

#include "fairdex/rdf.h"
#include "fairdex/sparql.h"
#include "fairdex/sparql_results.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The longest query or update read from standard input. */
#define MAX_TEXT_BYTES ((size_t)1 << 20)

static int
write_stdout(void* const ctx, const char* const bytes, const size_t len)
{
  (void)ctx;
  return fwrite(bytes, 1, len, stdout) == len ? 0 : -1;
}

/* Read the request text: the argument, or all of standard input. */
static char*
read_text(const char* const command, const char* const arg, size_t* const ret_len)
{
  if (arg && strcmp(arg, "-")) {
    *ret_len = strlen(arg);
    return strdup(arg);
  }
  size_t cap = 4096, len = 0;
  char*  buf = (char*)malloc(cap);
  while (buf) {
    if (len == cap) {
      if (cap >= MAX_TEXT_BYTES) {
        cli_error(command, "the request on standard input is longer than "
                           "%zu bytes", MAX_TEXT_BYTES);
        free(buf);
        return NULL;
      }
      char* const grown = (char*)realloc(buf, cap * 2);
      if (!grown) {
        free(buf);
        buf = NULL;
        break;
      }
      buf = grown;
      cap *= 2;
    }
    const size_t n = fread(buf + len, 1, cap - len, stdin);
    len += n;
    if (n == 0) {
      if (ferror(stdin)) {
        cli_error(command, "cannot read standard input: %s", strerror(errno));
        free(buf);
        return NULL;
      }
      break;
    }
  }
  if (!buf) {
    cli_error(command, "out of memory");
    return NULL;
  }
  *ret_len = len;
  return buf;
}

static void
report(const char* const command, const FdxStatus st, const FdxError* const err)
{
  if (err->line) {
    cli_error(command, "line %ld, column %ld: %s", err->line, err->column,
              err->message);
  } else if (err->message[0]) {
    cli_error(command, "%s", err->message);
  } else {
    cli_error(command, "%s", fdx_strerror(st));
  }
}

/* ------------------------------------------------------------------------
 * query
 * --------------------------------------------------------------------- */

enum { Q_FORMAT, Q_TIMEOUT, Q_MAX_ROWS, Q_EXPLAIN, Q_BASE };

static const CliOption query_options[] = {
  {"format", true, "json, xml, csv or tsv for SELECT/ASK (default json); "
                   "turtle, ntriples, rdfxml or jsonld for CONSTRUCT/DESCRIBE "
                   "(default turtle)"},
  {"timeout-ms", true, "stop after this many milliseconds (default 30000)"},
  {"max-rows", true, "stop after this many results (default 1000000)"},
  {"explain", false, "print the parsed query instead of running it"},
  {"base", true, "base IRI for relative IRIs in the query"},
};
#define N_QUERY_OPTIONS (sizeof(query_options) / sizeof(query_options[0]))

typedef struct {
  FdxResultsWriter* results; /* SELECT, ASK */
  FdxTripleWriter*  triples; /* CONSTRUCT, DESCRIBE */
  uint64_t          skipped; /* triples the format cannot carry */
} SinkCtx;

static FdxStatus
sink_begin(void* const ctx, const char* const* vars, const size_t n)
{
  return fdx_results_begin(((SinkCtx*)ctx)->results, vars, n);
}

static FdxStatus
sink_row(void* const ctx, const FdxTerm* const* values)
{
  return fdx_results_row(((SinkCtx*)ctx)->results, values);
}

static FdxStatus
sink_boolean(void* const ctx, const bool value)
{
  return fdx_results_boolean(((SinkCtx*)ctx)->results, value);
}

/* CONSTRUCT and DESCRIBE.  A triple the format cannot carry (RDF/XML and
 * JSON-LD refuse a few, writing nothing) is left out and counted, so the
 * document stays whole; the command then fails, saying so. */
static FdxStatus
sink_triple(void* const ctx, const FdxTerm* const s, const FdxTerm* const p,
            const FdxTerm* const o)
{
  SinkCtx* const  sctx = (SinkCtx*)ctx;
  const FdxStatus st   = fdx_triple_writer_add(sctx->triples, s, p, o);
  if (st == FDX_ERR_UNSUPPORTED) {
    ++sctx->skipped;
    return FDX_SUCCESS;
  }
  return st;
}

/* The formats for CONSTRUCT and DESCRIBE results. */
static FdxFormat
graph_format(const char* const name)
{
  const FdxFormat f = fdx_format_from_name(name);
  return f == FDX_FORMAT_TURTLE || f == FDX_FORMAT_NTRIPLES ||
             f == FDX_FORMAT_RDFXML || f == FDX_FORMAT_JSONLD
           ? f
           : FDX_FORMAT_UNKNOWN;
}

static bool
parse_count(const char* const text, uint64_t* const ret)
{
  char*                    end = NULL;
  errno                        = 0;
  const unsigned long long v   = strtoull(text, &end, 10);
  if (errno || end == text || *end || text[0] == '-' || v == 0) {
    return false;
  }
  *ret = v;
  return true;
}

int
cmd_query(CliContext* const ctx, const int argc, char** const argv)
{
  static const char synopsis[] = "[--format F] [--timeout-ms N] [--max-rows N] "
                                 "[QUERY|-]";
  static const char description[] =
    "Run a SPARQL 1.1 query over the store and print the results.  The\n"
    "query is the argument, or standard input when it is '-' or absent.";
  FdxQueryOptions opts;
  memset(&opts, 0, sizeof(opts));
  const char* format  = NULL;
  const char* text    = NULL;
  bool        explain = false;
  CliScan     scan = {argc, argv, 0, query_options, N_QUERY_OPTIONS, false};
  CliArg      arg;
  int         r;
  for (int k = 1; k < argc; ++k) {
    if (!strcmp(argv[k], "--help")) {
      cli_usage(stdout, "query", synopsis, description, query_options,
                N_QUERY_OPTIONS);
      return 0;
    }
  }
  while ((r = cli_next(&scan, ctx, "query", &arg)) > 0) {
    switch (arg.index) {
    case -1:
      if (text) {
        cli_error("query", "give one query (quote it), not several arguments");
        return 2;
      }
      text = arg.value;
      break;
    case Q_FORMAT:
      format = arg.value;
      break;
    case Q_TIMEOUT:
    case Q_MAX_ROWS: {
      uint64_t v;
      if (!parse_count(arg.value, &v)) {
        cli_error("query", "--%s needs a positive number, not '%s'",
                  query_options[arg.index].name, arg.value);
        return 2;
      }
      if (arg.index == Q_TIMEOUT) {
        opts.timeout_ms = v;
      } else {
        opts.max_rows = v;
      }
      break;
    }
    case Q_EXPLAIN:
      explain = true;
      break;
    case Q_BASE:
      opts.base_iri = arg.value;
      break;
    }
  }
  if (r < 0) {
    return 2;
  }
  size_t len  = 0;
  char*  body = read_text("query", text, &len);
  if (!body) {
    return 1;
  }
  FdxError err;
  memset(&err, 0, sizeof(err));
  FdxQuery* query = NULL;
  FdxStatus st    = fdx_query_prepare(body, len, &opts, &query, &err);
  free(body);
  if (st) {
    report("query", st, &err);
    return st == FDX_ERR_SYNTAX || st == FDX_ERR_LIMIT ? 1 : 1;
  }
  if (explain) {
    st = fdx_query_explain(query, stdout);
    fdx_query_free(query);
    return st ? 1 : 0;
  }
  const FdxQueryForm form     = fdx_query_form(query);
  const bool         is_graph = form == FDX_QUERY_CONSTRUCT || form == FDX_QUERY_DESCRIBE;
  FdxResultsFormat   rformat  = FDX_RESULTS_JSON;
  FdxFormat          gformat  = FDX_FORMAT_TURTLE;
  if (format) {
    if (is_graph ? (gformat = graph_format(format)) == FDX_FORMAT_UNKNOWN
                 : fdx_results_format_from_name(format, &rformat) != FDX_SUCCESS) {
      cli_error("query", "format '%s' does not suit a %s query (%s)", format,
                is_graph ? "CONSTRUCT/DESCRIBE" : "SELECT/ASK",
                is_graph ? "turtle, ntriples, rdfxml, jsonld"
                         : "json, xml, csv, tsv");
      fdx_query_free(query);
      return 2;
    }
  }
  FdxStore* const store = cli_open_store(ctx, "query", FDX_STORE_READ_ONLY);
  if (!store) {
    fdx_query_free(query);
    return 1;
  }
  FdxTxn* txn = NULL;
  SinkCtx sctx = {NULL, NULL, 0};
  if ((st = fdx_txn_begin(store, 0, &txn))) {
    cli_error("query", "%s", fdx_strerror(st));
    fdx_query_free(query);
    fdx_store_free(store);
    return 1;
  }
  st = is_graph
         ? fdx_triple_writer_new(gformat, write_stdout, NULL, &sctx.triples)
         : fdx_results_writer_new(rformat, write_stdout, NULL, &sctx.results);
  if (st) {
    cli_error("query", "%s", fdx_strerror(st));
  }
  if (!st) {
    const FdxQuerySink sink = {&sctx, sink_begin, sink_row, sink_boolean, sink_triple};
    st = fdx_query_exec(query, txn, &opts, &sink, &err);
    if (!st) {
      st = sctx.results ? fdx_results_end(sctx.results)
                        : fdx_triple_writer_end(sctx.triples);
    }
    if (st) {
      /* Close what was written so far, then say why it stopped. */
      fflush(stdout);
      report("query", st, &err);
    }
  }
  if (!st && sctx.skipped) {
    cli_error("query", "%llu triple%s left out: %s cannot carry %s (%s); "
              "turtle and ntriples can",
              (unsigned long long)sctx.skipped, sctx.skipped == 1 ? "" : "s",
              gformat == FDX_FORMAT_RDFXML ? "RDF/XML" : "JSON-LD",
              sctx.skipped == 1 ? "it" : "them",
              gformat == FDX_FORMAT_RDFXML
                ? "a predicate IRI with no XML name at its end, an "
                  "rdf:XMLLiteral, or a language tag over 255 bytes"
                : "a predicate IRI starting with '@'");
    st = FDX_ERR_UNSUPPORTED;
  }
  const uint64_t replaced = fdx_triple_writer_replaced(sctx.triples);
  if (replaced) {
    cli_error("query", "note: %llu string%s had bytes that are not UTF-8%s, "
              "written as U+FFFD", (unsigned long long)replaced,
              replaced == 1 ? "" : "s",
              gformat == FDX_FORMAT_RDFXML ? " or characters XML cannot carry"
                                           : "");
  }
  fdx_results_writer_free(sctx.results);
  fdx_triple_writer_free(sctx.triples);
  fdx_txn_abort(txn);
  fdx_query_free(query);
  fdx_store_free(store);
  if (fflush(stdout)) {
    cli_error("query", "cannot write the results: %s", strerror(errno));
    return 1;
  }
  return st ? 1 : 0;
}

/* ------------------------------------------------------------------------
 * update
 * --------------------------------------------------------------------- */

enum { U_TIMEOUT, U_BASE, U_QUIET };

static const CliOption update_options[] = {
  {"timeout-ms", true, "stop after this many milliseconds (default 30000)"},
  {"base", true, "base IRI for relative IRIs in the request"},
  {"quiet", false, "print nothing but errors"},
};
#define N_UPDATE_OPTIONS (sizeof(update_options) / sizeof(update_options[0]))

typedef struct {
  const char*            text;
  size_t                 len;
  const FdxQueryOptions* opts;
  FdxUpdateStats         stats;
  FdxError*              err;
} UpdateJob;

static FdxStatus
run_update(FdxTxn* const txn, void* const ctx)
{
  UpdateJob* const job = (UpdateJob*)ctx;
  memset(&job->stats, 0, sizeof(job->stats));
  memset(job->err, 0, sizeof(*job->err));
  return fdx_update_exec(txn, job->text, job->len, job->opts, true, &job->stats,
                         job->err);
}

int
cmd_update(CliContext* const ctx, const int argc, char** const argv)
{
  static const char synopsis[] = "[--timeout-ms N] [UPDATE|-]";
  static const char description[] =
    "Run a SPARQL 1.1 update request in one transaction: all of its\n"
    "operations happen, or none.  The request is the argument, or\n"
    "standard input when it is '-' or absent.";
  FdxQueryOptions opts;
  memset(&opts, 0, sizeof(opts));
  const char* text  = NULL;
  bool        quiet = false;
  CliScan     scan  = {argc, argv, 0, update_options, N_UPDATE_OPTIONS, false};
  CliArg      arg;
  int         r;
  for (int k = 1; k < argc; ++k) {
    if (!strcmp(argv[k], "--help")) {
      cli_usage(stdout, "update", synopsis, description, update_options,
                N_UPDATE_OPTIONS);
      return 0;
    }
  }
  while ((r = cli_next(&scan, ctx, "update", &arg)) > 0) {
    switch (arg.index) {
    case -1:
      if (text) {
        cli_error("update", "give one request (quote it), not several arguments");
        return 2;
      }
      text = arg.value;
      break;
    case U_TIMEOUT: {
      uint64_t v;
      if (!parse_count(arg.value, &v)) {
        cli_error("update", "--timeout-ms needs a positive number, not '%s'",
                  arg.value);
        return 2;
      }
      opts.timeout_ms = v;
      break;
    }
    case U_BASE:
      opts.base_iri = arg.value;
      break;
    case U_QUIET:
      quiet = true;
      break;
    }
  }
  if (r < 0) {
    return 2;
  }
  size_t len  = 0;
  char*  body = read_text("update", text, &len);
  if (!body) {
    return 1;
  }
  FdxStore* const store = cli_open_store(ctx, "update", FDX_STORE_CREATE);
  if (!store) {
    free(body);
    return 1;
  }
  FdxError  err;
  UpdateJob job = {body, len, &opts, {0, 0, 0}, &err};
  memset(&err, 0, sizeof(err));
  const FdxStatus st = fdx_store_write(store, run_update, &job);
  free(body);
  fdx_store_free(store);
  if (st) {
    report("update", st, &err);
    return 1;
  }
  if (!quiet) {
    fprintf(stderr, "%u operation%s: %llu quads inserted, %llu deleted\n",
            job.stats.operations, job.stats.operations == 1 ? "" : "s",
            (unsigned long long)job.stats.inserted,
            (unsigned long long)job.stats.deleted);
  }
  return 0;
}
