/*
 * serve_sparql.c: /sparql, the SPARQL 1.1 Protocol.
 *
 * Queries come by GET (?query=), by POST as a form (query=) or as the body
 * (application/sparql-query); updates by POST as a form (update=) or as
 * the body (application/sparql-update), and need an admin token.
 * `default-graph-uri` / `named-graph-uri` set the dataset.  The result
 * format is the `format` parameter, else the Accept header.  A query runs
 * in one read transaction inside a query slot, with the server's time and
 * row limits; its whole answer is built before the status line is sent,
 * so a limit hit half-way still gives a clean 503 naming the limit.  GET
 * without a query answers the service description.
 */
#include "serve.h"
#include "serve_ui.h"

#include "fairdex/sparql.h"
#include "fairdex/sparql_results.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>

/* The largest answer built in memory (the row limit usually comes first). */
#define MAX_ANSWER_BYTES ((size_t)512 << 20)

/* The most graphs in default-graph-uri plus named-graph-uri. */
#define MAX_DATASET_GRAPHS 1000

/* ------------------------------------------------------------------------
 * Formats
 * --------------------------------------------------------------------- */

typedef struct {
  const char* name;       /* the format parameter's value */
  const char* media;      /* offered in negotiation */
  const char* content_type;
  bool        graph;      /* CONSTRUCT/DESCRIBE (else SELECT/ASK) */
  int         code;       /* FdxResultsFormat or FdxFormat */
} Format;

static const Format formats[] = {
  {"json", "application/sparql-results+json", "application/sparql-results+json",
   false, FDX_RESULTS_JSON},
  {"xml", "application/sparql-results+xml", "application/sparql-results+xml",
   false, FDX_RESULTS_XML},
  {"csv", "text/csv", "text/csv; charset=utf-8", false, FDX_RESULTS_CSV},
  {"tsv", "text/tab-separated-values", "text/tab-separated-values; charset=utf-8",
   false, FDX_RESULTS_TSV},
  {"json", "application/json", "application/sparql-results+json", false,
   FDX_RESULTS_JSON},
  {"xml", "application/xml", "application/sparql-results+xml", false,
   FDX_RESULTS_XML},
  {"turtle", "text/turtle", "text/turtle; charset=utf-8", true,
   FDX_FORMAT_TURTLE},
  {"ntriples", "application/n-triples", "application/n-triples", true,
   FDX_FORMAT_NTRIPLES},
  {"rdfxml", "application/rdf+xml", "application/rdf+xml", true,
   FDX_FORMAT_RDFXML},
  {"jsonld", "application/ld+json", "application/ld+json", true,
   FDX_FORMAT_JSONLD},
  {"ntriples", "text/plain", "application/n-triples", true,
   FDX_FORMAT_NTRIPLES},
  {"jsonld", "application/json", "application/ld+json", true,
   FDX_FORMAT_JSONLD},
};
#define N_FORMATS (sizeof(formats) / sizeof(formats[0]))

/* The format for a query of kind `graph`, or NULL after answering. */
static const Format*
choose_format(Serve* const s, HttpRequest* const req, const bool graph)
{
  const char* const name = http_param(req, "format");
  if (name) {
    for (size_t i = 0; i < N_FORMATS; ++i) {
      if (formats[i].graph == graph && !strcmp(formats[i].name, name)) {
        return &formats[i];
      }
    }
    serve_error(s, req, 400, "bad_request",
                "format '%s' does not fit this query: use %s", name,
                graph ? "turtle, ntriples, rdfxml or jsonld"
                      : "json, xml, csv or tsv");
    return NULL;
  }
  const char* offers[N_FORMATS];
  size_t      index[N_FORMATS];
  size_t      n = 0;
  for (size_t i = 0; i < N_FORMATS; ++i) {
    if (formats[i].graph == graph) {
      index[n]    = i;
      offers[n++] = formats[i].media;
    }
  }
  const int k = serve_negotiate(req, offers, n);
  if (k < 0) {
    serve_error(s, req, 406, "not_acceptable",
                "no acceptable format for this query; it can answer %s",
                graph ? "text/turtle, application/n-triples, "
                        "application/rdf+xml, application/ld+json"
                      : "application/sparql-results+json, "
                        "application/sparql-results+xml, text/csv, "
                        "text/tab-separated-values");
    return NULL;
  }
  return &formats[index[k]];
}

/* ------------------------------------------------------------------------
 * Result sinks
 * --------------------------------------------------------------------- */

typedef struct {
  FdxResultsWriter* results;
  FdxTripleWriter*  triples;
} Sink;

static FdxStatus
sink_begin(void* const ctx, const char* const* vars, const size_t n)
{
  return fdx_results_begin(((Sink*)ctx)->results, vars, n);
}

static FdxStatus
sink_row(void* const ctx, const FdxTerm* const* values)
{
  return fdx_results_row(((Sink*)ctx)->results, values);
}

static FdxStatus
sink_boolean(void* const ctx, const bool value)
{
  return fdx_results_boolean(((Sink*)ctx)->results, value);
}

static FdxStatus
sink_triple(void* const ctx, const FdxTerm* const s, const FdxTerm* const p,
            const FdxTerm* const o)
{
  const FdxStatus st = fdx_triple_writer_add(((Sink*)ctx)->triples, s, p, o);
  return st == FDX_ERR_UNSUPPORTED ? FDX_SUCCESS : st;
}

/* ------------------------------------------------------------------------
 * The service description
 * --------------------------------------------------------------------- */

static void
service_description(Serve* const s, HttpRequest* const req)
{
  const int kind = serve_rdf_kind(s, req, false);
  if (kind < 0) {
    return;
  }
  Buf body;
  memset(&body, 0, sizeof(body));
  FdxTripleWriter* w = NULL;
  if (fdx_triple_writer_new(serve_rdf_format((RdfKind)kind), buf_write, &body,
                            &w)) {
    serve_error(s, req, 500, "internal_error", "cannot make a writer");
    return;
  }
  serve_bind_prefixes(s, w);
  char endpoint[2048], dataset[2100];
  snprintf(endpoint, sizeof(endpoint), "%ssparql", s->base);
  snprintf(dataset, sizeof(dataset), "%ssparql#dataset", s->base);
#define SD "http://www.w3.org/ns/sparql-service-description#"
#define FMT "http://www.w3.org/ns/formats/"
  static const char* const rdf_type =
    "http://www.w3.org/1999/02/22-rdf-syntax-ns#type";
  static const char* const facts[][2] = {
    {rdf_type, SD "Service"},
    {SD "supportedLanguage", SD "SPARQL11Query"},
    {SD "supportedLanguage", SD "SPARQL11Update"},
    {SD "feature", SD "UnionDefaultGraph"},
    {SD "defaultEntailmentRegime", "http://www.w3.org/ns/entailment/Simple"},
    {SD "resultFormat", FMT "SPARQL_Results_JSON"},
    {SD "resultFormat", FMT "SPARQL_Results_XML"},
    {SD "resultFormat", FMT "SPARQL_Results_CSV"},
    {SD "resultFormat", FMT "SPARQL_Results_TSV"},
    {SD "resultFormat", FMT "Turtle"},
    {SD "resultFormat", FMT "N-Triples"},
    {SD "resultFormat", FMT "RDF_XML"},
    {SD "resultFormat", FMT "JSON-LD"},
  };
  const FdxTerm service = fdx_term_iri(endpoint);
  const FdxTerm ds      = fdx_term_iri(dataset);
  FdxStatus     st      = FDX_SUCCESS;
  const FdxTerm p_endpoint = fdx_term_iri(SD "endpoint");
  st = fdx_triple_writer_add(w, &service, &p_endpoint, &service);
  for (size_t i = 0; i < sizeof(facts) / sizeof(facts[0]) && !st; ++i) {
    const FdxTerm p = fdx_term_iri(facts[i][0]);
    const FdxTerm o = fdx_term_iri(facts[i][1]);
    st              = fdx_triple_writer_add(w, &service, &p, &o);
  }
  const FdxTerm p_dd = fdx_term_iri(SD "defaultDataset");
  const FdxTerm p_ty = fdx_term_iri(rdf_type);
  const FdxTerm c_ds = fdx_term_iri(SD "Dataset");
  if (!st) {
    st = fdx_triple_writer_add(w, &service, &p_dd, &ds);
  }
  if (!st) {
    st = fdx_triple_writer_add(w, &ds, &p_ty, &c_ds);
  }
  if (!st) {
    st = fdx_triple_writer_end(w);
  }
  fdx_triple_writer_free(w);
  if (st) {
    buf_free(&body);
    serve_error(s, req, 500, "internal_error",
                "cannot write the service description");
    return;
  }
  serve_send(s, req, 200, serve_rdf_content_type((RdfKind)kind), &body, NULL);
#undef SD
#undef FMT
}

/* ------------------------------------------------------------------------
 * Queries
 * --------------------------------------------------------------------- */

/* True if the query may call a function whose value changes from one
 * run to the next, so its answer must not be revalidated by ETag.  A
 * plain text search (a false alarm only costs the ETag). */
static bool
query_is_volatile(const char* const text, const size_t len)
{
  static const char* const names[] = {"NOW", "RAND", "UUID", "STRUUID", "BNODE"};
  for (size_t i = 0; i < len; ++i) {
    for (size_t k = 0; k < sizeof(names) / sizeof(names[0]); ++k) {
      const size_t n = strlen(names[k]);
      if (i + n < len && !strncasecmp(text + i, names[k], n) &&
          (i == 0 || !((text[i - 1] >= 'a' && text[i - 1] <= 'z') ||
                       (text[i - 1] >= 'A' && text[i - 1] <= 'Z') ||
                       text[i - 1] == '_' || text[i - 1] == ':'))) {
        size_t j = i + n;
        while (j < len && (text[j] == ' ' || text[j] == '\t' ||
                           text[j] == '\n' || text[j] == '\r')) {
          ++j;
        }
        if (j < len && text[j] == '(') {
          return true;
        }
      }
    }
  }
  return false;
}

/* Collect the values of a repeatable parameter. */
static size_t
param_values(HttpRequest* const req, const char* const name,
             const char** const out, const size_t cap)
{
  const HttpParam* p = NULL;
  size_t           n = 0, k = 0;
  http_params(req, &p, &n);
  for (size_t i = 0; i < n && k < cap; ++i) {
    if (!strcmp(p[i].name, name)) {
      out[k++] = p[i].value;
    }
  }
  return k;
}

static void
syntax_error(Serve* const s, HttpRequest* const req, const FdxStatus st,
             const FdxError* const err)
{
  if (st == FDX_ERR_LIMIT) {
    serve_error(s, req, 400, "query_too_complex", "%s", err->message);
  } else if (err->line) {
    serve_error(s, req, 400, "syntax_error", "line %ld, column %ld: %s",
                err->line, err->column, err->message);
  } else {
    serve_error(s, req, 400, "syntax_error", "%s",
                err->message[0] ? err->message : fdx_strerror(st));
  }
}

static void
run_query(Serve* const s, HttpRequest* const req, const char* const text,
          const size_t len)
{
  const char* graphs[MAX_DATASET_GRAPHS];
  const char* named[MAX_DATASET_GRAPHS];
  const size_t n_graphs =
    param_values(req, "default-graph-uri", graphs, MAX_DATASET_GRAPHS);
  const size_t n_named =
    param_values(req, "named-graph-uri", named, MAX_DATASET_GRAPHS);
  if (http_param_count(req, "default-graph-uri") > n_graphs ||
      http_param_count(req, "named-graph-uri") > n_named) {
    serve_error(s, req, 400, "bad_request",
                "at most %d default-graph-uri and %d named-graph-uri",
                MAX_DATASET_GRAPHS, MAX_DATASET_GRAPHS);
    return;
  }
  FdxQueryOptions opts;
  memset(&opts, 0, sizeof(opts));
  opts.timeout_ms       = s->timeout_ms;
  opts.max_rows         = s->max_rows;
  opts.cancelled        = serve_query_cancelled;
  opts.cancel_ctx       = s;
  opts.default_graphs   = graphs;
  opts.n_default_graphs = n_graphs;
  opts.named_graphs     = named;
  opts.n_named_graphs   = n_named;
  FdxError err;
  memset(&err, 0, sizeof(err));
  FdxQuery* query = NULL;
  FdxStatus st    = fdx_query_prepare(text, len, &opts, &query, &err);
  if (st) {
    syntax_error(s, req, st, &err);
    return;
  }
  const FdxQueryForm form  = fdx_query_form(query);
  const bool         graph = form == FDX_QUERY_CONSTRUCT || form == FDX_QUERY_DESCRIBE;
  const Format* const fmt  = choose_format(s, req, graph);
  if (!fmt) {
    fdx_query_free(query);
    return;
  }

  /* The ETag: the generation, the query and everything that shapes the
   * answer; none for POST, or for a query whose answer changes by itself
   * (NOW, RAND, UUID, STRUUID, BNODE). */
  const bool is_get   = strcmp(http_method(req), "POST") != 0;
  const bool volatile_answer = query_is_volatile(text, len);
  Buf        variant;
  memset(&variant, 0, sizeof(variant));
  if (is_get && !volatile_answer) {
    buf_printf(&variant, "sparql\n%s\n", fmt->content_type);
    buf_write(&variant, text, len);
    for (size_t i = 0; i < n_graphs; ++i) {
      buf_printf(&variant, "\nD%s", graphs[i]);
    }
    for (size_t i = 0; i < n_named; ++i) {
      buf_printf(&variant, "\nN%s", named[i]);
    }
  }
  char    etag[64] = "";
  FdxTxn* txn      = NULL;
  /* Revalidation needs no query slot: a short look at the generation. */
  if (variant.len && !variant.failed && http_header(req, "If-None-Match") &&
      !fdx_txn_begin(s->store, 0, &txn)) {
    serve_etag(etag, fdx_txn_generation(txn), variant.data, variant.len);
    fdx_txn_abort(txn);
    txn = NULL;
    if (serve_not_modified(s, req, etag)) {
      buf_free(&variant);
      fdx_query_free(query);
      return;
    }
  }
  /* Wait for a slot before taking a snapshot, so queued requests hold no
   * reader slot and pin no old pages. */
  if (!serve_snapshot(s, req, &txn)) {
    buf_free(&variant);
    fdx_query_free(query);
    return;
  }
  if (variant.len && !variant.failed) {
    serve_etag(etag, fdx_txn_generation(txn), variant.data, variant.len);
  }
  buf_free(&variant);

  Buf body;
  memset(&body, 0, sizeof(body));
  body.max = MAX_ANSWER_BYTES;
  Sink         sink;
  FdxQuerySink qs;
  memset(&sink, 0, sizeof(sink));
  memset(&qs, 0, sizeof(qs));
  qs.ctx = &sink;
  if (graph) {
    st = fdx_triple_writer_new((FdxFormat)fmt->code, buf_write, &body,
                               &sink.triples);
    if (!st) {
      serve_bind_prefixes(s, sink.triples);
    }
    qs.triple = sink_triple;
  } else {
    st = fdx_results_writer_new((FdxResultsFormat)fmt->code, buf_write, &body,
                                &sink.results);
    qs.begin   = sink_begin;
    qs.row     = sink_row;
    qs.boolean = sink_boolean;
  }
  if (!st) {
    st = fdx_query_exec(query, txn, &opts, &qs, &err);
  }
  if (!st) {
    st = graph ? fdx_triple_writer_end(sink.triples)
               : fdx_results_end(sink.results);
  }
  fdx_triple_writer_free(sink.triples);
  fdx_results_writer_free(sink.results);
  serve_snapshot_end(s, txn);
  fdx_query_free(query);
  if (st == FDX_ERR_LIMIT) {
    buf_free(&body);
    serve_limit_error(s, req, &err);
    return;
  }
  if (st == FDX_ERR_IO && body.failed) {
    buf_free(&body);
    serve_error(s, req, 503, "response_too_large",
                "the answer is larger than %zu MiB; ask for less (LIMIT)",
                MAX_ANSWER_BYTES >> 20);
    return;
  }
  if (st) {
    buf_free(&body);
    serve_error(s, req, 500, "query_failed", "%s",
                err.message[0] ? err.message : fdx_strerror(st));
    return;
  }
  if (!etag[0]) {
    http_add_header(req, "Cache-Control", "no-store");
  }
  serve_send(s, req, 200, fmt->content_type, &body, etag[0] ? etag : NULL);
}

/* ------------------------------------------------------------------------
 * Updates
 * --------------------------------------------------------------------- */

typedef struct {
  const char*     text;
  size_t          len;
  FdxQueryOptions opts;
  FdxUpdateStats  stats;
  FdxError        err;
} UpdateCtx;

static FdxStatus
update_in(FdxTxn* const txn, void* const vctx)
{
  UpdateCtx* const u = (UpdateCtx*)vctx;
  memset(&u->stats, 0, sizeof(u->stats));
  memset(&u->err, 0, sizeof(u->err));
  return fdx_update_exec(txn, u->text, u->len, &u->opts, false, &u->stats,
                         &u->err);
}

static void
run_update(Serve* const s, HttpRequest* const req, const char* const text,
           const size_t len)
{
  if (!serve_authorize(s, req, FDX_ROLE_ADMIN)) {
    return;
  }
  if (http_param(req, "using-graph-uri") ||
      http_param(req, "using-named-graph-uri")) {
    serve_error(s, req, 400, "unsupported",
                "using-graph-uri and using-named-graph-uri are not supported; "
                "write USING in the update");
    return;
  }
  UpdateCtx u;
  memset(&u, 0, sizeof(u));
  u.text            = text;
  u.len             = len;
  u.opts.timeout_ms = s->timeout_ms;
  u.opts.cancelled  = serve_query_cancelled;
  u.opts.cancel_ctx = s;
  if (!serve_slot_take(s)) {
    serve_error(s, req, 503, "stopping", "the server is stopping");
    return;
  }
  const FdxStatus st = fdx_store_write(s->store, update_in, &u);
  serve_slot_give(s);
  if (st == FDX_ERR_SYNTAX || (st && u.err.line)) {
    syntax_error(s, req, st, &u.err);
    return;
  }
  if (st == FDX_ERR_LIMIT) {
    serve_limit_error(s, req, &u.err);
    return;
  }
  if (st == FDX_ERR_NO_SPACE) {
    serve_error(s, req, 507, "insufficient_storage",
                "%s (nothing was written)", fdx_strerror(st));
    return;
  }
  if (st && st != FDX_FAILURE) {
    serve_error(s, req, st == FDX_ERR_BAD_ARG ? 400 : 500, "update_failed",
                "%s", u.err.message[0] ? u.err.message : fdx_strerror(st));
    return;
  }
  uint64_t generation = 0;
  FdxTxn*  txn        = NULL;
  if (!fdx_txn_begin(s->store, 0, &txn)) {
    generation = fdx_txn_generation(txn);
  }
  fdx_txn_abort(txn);
  Buf body;
  memset(&body, 0, sizeof(body));
  buf_printf(&body,
             "{\"inserted\": %llu, \"deleted\": %llu, \"operations\": %u, "
             "\"generation\": %llu}\n",
             (unsigned long long)u.stats.inserted,
             (unsigned long long)u.stats.deleted, u.stats.operations,
             (unsigned long long)generation);
  http_add_header(req, "Cache-Control", "no-store");
  serve_send(s, req, 200, "application/json", &body, NULL);
}

/* ------------------------------------------------------------------------
 * The route
 * --------------------------------------------------------------------- */

static bool
type_is(const char* const type, const char* const want)
{
  const size_t n = strlen(want);
  return type && !strncasecmp(type, want, n) &&
         (type[n] == '\0' || type[n] == ';' || type[n] == ' ');
}

void
route_sparql(Serve* const s, HttpRequest* const req)
{
  const bool        post  = !strcmp(http_method(req), "POST");
  const char* const type  = http_header(req, "Content-Type");
  const char*       text  = NULL;
  size_t            len   = 0;
  bool              update = false;
  const size_t n_query  = http_param_count(req, "query");
  const size_t n_update = http_param_count(req, "update");
  if (post && type_is(type, "application/sparql-query")) {
    text = http_body(req, &len);
    if (n_query || n_update) {
      serve_error(s, req, 400, "bad_request",
                  "a query in the body takes no query= or update= parameter");
      return;
    }
  } else if (post && type_is(type, "application/sparql-update")) {
    text   = http_body(req, &len);
    update = true;
    if (n_query || n_update) {
      serve_error(s, req, 400, "bad_request",
                  "an update in the body takes no query= or update= parameter");
      return;
    }
  } else if (post && !type_is(type, "application/x-www-form-urlencoded")) {
    serve_error(s, req, 415, "unsupported_media_type",
                "POST /sparql takes application/x-www-form-urlencoded, "
                "application/sparql-query or application/sparql-update");
    return;
  } else {
    if (n_query + n_update > 1) {
      serve_error(s, req, 400, "bad_request",
                  "give exactly one query or update parameter");
      return;
    }
    if (n_update && !post) {
      http_add_header(req, "Allow", "POST");
      serve_error(s, req, 405, "method_not_allowed",
                  "updates must be sent with POST");
      return;
    }
    if (n_query) {
      text = http_param(req, "query");
      len  = strlen(text);
    } else if (n_update) {
      text   = http_param(req, "update");
      len    = strlen(text);
      update = true;
    } else if (!post && serve_wants_html(req)) {
      route_ui_page(s, req, UI_SPARQL); /* a browser: the editor */
      return;
    } else if (!post) {
      service_description(s, req);
      return;
    } else {
      serve_error(s, req, 400, "bad_request",
                  "the form needs a query or an update parameter");
      return;
    }
  }
  if (!serve_utf8_valid(text, len) || memchr(text, '\0', len)) {
    serve_error(s, req, 400, "bad_request",
                "the %s is not valid UTF-8 text", update ? "update" : "query");
    return;
  }
  if (update) {
    run_update(s, req, text, len);
  } else {
    run_query(s, req, text, len);
  }
}
