/*
 * serve_search.c: the discovery API of `fairdex serve`:
 *   GET /api/datasets          search with facets (fairdex/search.h)
 *   GET /api/datasets/{id}     one dataset as friendly JSON, or as DCAT-AP
 *                              JSON-LD (Accept: application/ld+json);
 *                              /api/datasets?iri=IRI says the same by IRI
 *   GET /api/suggest           completions for a search box
 *   GET /api/openapi.json      the OpenAPI 3 description of /api
 *
 * Every parameter is checked before the store is read: unknown names, bad
 * numbers and dates, over-long values and pages past the end answer 400
 * with a JSON message.  Searches run in a query slot under the server's
 * time limit, and answers are cached per store generation like the other
 * routes.
 */
#include "search_render.h"
#include "serve.h"
#include "serve_search.h"

#include "fairdex/search.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The longest parameter value (q has its own, smaller limit). */
#define MAX_VALUE_BYTES 2048
#define MAX_FILTER_VALUES 64
#define DEFAULT_PER_PAGE 20
#define MAX_PER_PAGE 100
#define DEFAULT_FACETS 20
#define MAX_FACETS 200
#define SNIPPET_BYTES 240

/* One searcher per thread (the stemmers are not thread-safe). */
static pthread_key_t  search_key;
static pthread_once_t search_once = PTHREAD_ONCE_INIT;

static void
free_search(void* const p)
{
  fdx_search_free((FdxSearch*)p);
}

static void
make_key(void)
{
  pthread_key_create(&search_key, free_search);
}

static FdxSearch*
thread_search(void)
{
  pthread_once(&search_once, make_key);
  FdxSearch* s = (FdxSearch*)pthread_getspecific(search_key);
  if (!s && (s = fdx_search_new())) {
    pthread_setspecific(search_key, s);
  }
  return s;
}

/* The facet of a parameter name, or FDX_N_FACETS. */
static FdxFacet
facet_param(const char* const name)
{
  for (int f = 0; f < FDX_N_FACETS; ++f) {
    if (!strcmp(name, fdx_facet_name((FdxFacet)f))) {
      return (FdxFacet)f;
    }
  }
  return FDX_N_FACETS;
}

static bool
parse_size(const char* const text, const size_t min, const size_t max,
           size_t* const ret)
{
  char*               end = NULL;
  const unsigned long v   = strtoul(text, &end, 10);
  if (!*text || *end || text[0] == '-' || text[0] == '+' || v < min ||
      v > max) {
    return false;
  }
  *ret = (size_t)v;
  return true;
}

/* Are text[at, at + n) digits? */
static bool
digits_at(const char* const text, const size_t at, const size_t n)
{
  for (size_t i = at; i < at + n; ++i) {
    if (text[i] < '0' || text[i] > '9') {
      return false;
    }
  }
  return true;
}

/* Is `text` exactly a date (YYYY-MM-DD, a day that exists) or an
 * xsd:dateTime (YYYY-MM-DDThh:mm[:ss[.fff]] with an optional Z or
 * +hh:mm)? */
static bool
valid_bound(const char* const text, const size_t len)
{
  if (len < 10 || !digits_at(text, 0, 4) || text[4] != '-' ||
      !digits_at(text, 5, 2) || text[7] != '-' || !digits_at(text, 8, 2)) {
    return false;
  }
  const int y = atoi(text);
  const int m = (text[5] - '0') * 10 + (text[6] - '0');
  const int d = (text[8] - '0') * 10 + (text[9] - '0');
  static const int days[12] = {31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  const bool leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
  if (m < 1 || m > 12 || d < 1 || d > days[m - 1] ||
      (m == 2 && d == 29 && !leap)) {
    return false;
  }
  if (len == 10) {
    return true;
  }
  size_t i = 10;
  if (text[i] != 'T' || len < i + 6 || !digits_at(text, i + 1, 2) ||
      text[i + 3] != ':' || !digits_at(text, i + 4, 2)) {
    return false;
  }
  const int hh = (text[i + 1] - '0') * 10 + (text[i + 2] - '0');
  const int mm = (text[i + 4] - '0') * 10 + (text[i + 5] - '0');
  i += 6;
  if (i < len && text[i] == ':') {
    if (len < i + 3 || !digits_at(text, i + 1, 2) ||
        (text[i + 1] - '0') * 10 + (text[i + 2] - '0') > 59) {
      return false;
    }
    i += 3;
    if (i < len && text[i] == '.') {
      const size_t from = ++i;
      while (i < len && text[i] >= '0' && text[i] <= '9') {
        ++i;
      }
      if (i == from) {
        return false;
      }
    }
  }
  if (hh > 23 || mm > 59) {
    return false;
  }
  if (i == len) {
    return true;
  }
  if (text[i] == 'Z') {
    return i + 1 == len;
  }
  return (text[i] == '+' || text[i] == '-') && len == i + 6 &&
         digits_at(text, i + 1, 2) && text[i + 3] == ':' &&
         digits_at(text, i + 4, 2);
}

/* A date (YYYY-MM-DD) or date-time; `end_of_day` for a bare date as an
 * upper bound. */
static bool
parse_bound(const char* const text, const bool end_of_day, int64_t* const ret)
{
  const size_t len = strlen(text);
  if (!valid_bound(text, len) || !fdx_search_parse_date(text, len, ret)) {
    return false;
  }
  if (len == 10 && end_of_day) {
    *ret += 86399;
  }
  return true;
}

/* A language tag as the API takes it: 2 to 16 letters, digits and '-'. */
static bool
valid_lang(const char* const value)
{
  const size_t len = strlen(value);
  bool         ok  = len >= 2 && len <= 16;
  for (size_t k = 0; k < len && ok; ++k) {
    ok = (value[k] >= 'a' && value[k] <= 'z') ||
         (value[k] >= 'A' && value[k] <= 'Z') || value[k] == '-' ||
         (value[k] >= '0' && value[k] <= '9');
  }
  return ok;
}

static const char* const known_params[] = {
  "q",       "theme",         "publisher", "format",       "license",
  "access_rights", "keyword", "year",      "modified_from", "modified_to",
  "sort",    "page",          "per_page",  "lang",          "facet_limit",
  "iri"};
#define N_KNOWN (sizeof(known_params) / sizeof(known_params[0]))

static void dataset_answer(Serve* s, HttpRequest* req, const char* iri,
                           bool by_hash, const char* lang,
                           bool base_fallback);

void
route_datasets(Serve* const s, HttpRequest* const req)
{
  const HttpParam* params = NULL;
  size_t           n      = 0;
  http_params(req, &params, &n);
  FdxSearchQuery q;
  memset(&q, 0, sizeof(q));
  const char* values[FDX_N_FACETS][MAX_FILTER_VALUES];
  size_t      page = 1, per_page = DEFAULT_PER_PAGE;
  size_t      facet_limit = DEFAULT_FACETS;
  const char* lang        = "en";
  const char* iri         = NULL;
  for (size_t i = 0; i < n; ++i) {
    const char* const name  = params[i].name;
    const char* const value = params[i].value;
    bool              known = false;
    for (size_t k = 0; k < N_KNOWN && !known; ++k) {
      known = !strcmp(name, known_params[k]);
    }
    if (!known) {
      serve_error(s, req, 400, "bad_request",
                  "unknown parameter '%.64s' (see /api/openapi.json)", name);
      return;
    }
    if (params[i].value_len > MAX_VALUE_BYTES ||
        strlen(value) != params[i].value_len ||
        !serve_utf8_valid(value, params[i].value_len)) {
      serve_error(s, req, 400, "bad_request",
                  "parameter %s is longer than %d bytes, or not UTF-8",
                  name, MAX_VALUE_BYTES);
      return;
    }
    const FdxFacet f = facet_param(name);
    if (f != FDX_N_FACETS) {
      if (q.n_values[f] == MAX_FILTER_VALUES) {
        serve_error(s, req, 400, "bad_request",
                    "at most %d values of %s", MAX_FILTER_VALUES, name);
        return;
      }
      values[f][q.n_values[f]++] = value;
      continue;
    }
    if (http_param_count(req, name) > 1) {
      serve_error(s, req, 400, "bad_request", "give %s once", name);
      return;
    }
    if (!strcmp(name, "q")) {
      if (params[i].value_len > FDX_SEARCH_MAX_QUERY_BYTES) {
        serve_error(s, req, 400, "bad_request",
                    "q is %zu bytes long; at most %d are allowed",
                    params[i].value_len, FDX_SEARCH_MAX_QUERY_BYTES);
        return;
      }
      q.q = value;
    } else if (!strcmp(name, "sort")) {
      if (!strcmp(value, "relevance")) {
        q.sort = FDX_SEARCH_SORT_RELEVANCE;
      } else if (!strcmp(value, "modified")) {
        q.sort = FDX_SEARCH_SORT_MODIFIED;
      } else if (!strcmp(value, "title")) {
        q.sort = FDX_SEARCH_SORT_TITLE;
      } else {
        serve_error(s, req, 400, "bad_request",
                    "sort is relevance, modified or title");
        return;
      }
    } else if (!strcmp(name, "page")) {
      if (!parse_size(value, 1, FDX_SEARCH_MAX_WINDOW, &page)) {
        serve_error(s, req, 400, "bad_request",
                    "page is a whole number from 1 to %d",
                    FDX_SEARCH_MAX_WINDOW);
        return;
      }
    } else if (!strcmp(name, "per_page")) {
      if (!parse_size(value, 1, MAX_PER_PAGE, &per_page)) {
        serve_error(s, req, 400, "bad_request",
                    "per_page is a whole number from 1 to %d", MAX_PER_PAGE);
        return;
      }
    } else if (!strcmp(name, "facet_limit")) {
      if (!parse_size(value, 0, MAX_FACETS, &facet_limit)) {
        serve_error(s, req, 400, "bad_request",
                    "facet_limit is a whole number from 0 to %d", MAX_FACETS);
        return;
      }
    } else if (!strcmp(name, "modified_from")) {
      if (!parse_bound(value, false, &q.modified_from)) {
        serve_error(s, req, 400, "bad_request",
                    "modified_from is a date (2024-01-31) or a date-time "
                    "(2024-01-31T12:00:00Z)");
        return;
      }
      q.has_from = true;
    } else if (!strcmp(name, "modified_to")) {
      if (!parse_bound(value, true, &q.modified_to)) {
        serve_error(s, req, 400, "bad_request",
                    "modified_to is a date (2024-01-31) or a date-time "
                    "(2024-01-31T12:00:00Z)");
        return;
      }
      q.has_to = true;
    } else if (!strcmp(name, "lang")) {
      if (!valid_lang(value)) {
        serve_error(s, req, 400, "bad_request",
                    "lang is a language tag such as de or en");
        return;
      }
      lang = value;
    } else if (!strcmp(name, "iri")) {
      iri = value;
    }
  }
  if (iri) {
    const bool with_lang = http_param(req, "lang") != NULL;
    if (n > (with_lang ? 2u : 1u)) {
      serve_error(s, req, 400, "bad_request",
                  "iri names one dataset; it takes no other parameter but "
                  "lang");
      return;
    }
    if (!*iri) {
      serve_error(s, req, 400, "bad_request", "iri is empty");
      return;
    }
    dataset_answer(s, req, iri, false, with_lang ? lang : NULL, false);
    return;
  }
  if (q.has_from && q.has_to && q.modified_from > q.modified_to) {
    serve_error(s, req, 400, "bad_request",
                "modified_from is after modified_to");
    return;
  }
  if ((page - 1) * per_page + per_page > FDX_SEARCH_MAX_WINDOW) {
    serve_error(s, req, 400, "bad_request",
                "results beyond the first %d cannot be paged to; narrow the "
                "search",
                FDX_SEARCH_MAX_WINDOW);
    return;
  }
  for (int f = 0; f < FDX_N_FACETS; ++f) {
    q.values[f] = values[f];
  }
  q.lang        = lang;
  q.offset      = (page - 1) * per_page;
  q.limit       = per_page;
  q.facet_limit = facet_limit;
  q.timeout_s   = (double)s->timeout_ms / 1000.0;
  q.cancelled   = serve_query_cancelled;
  q.cancel_ctx  = s;

  /* The variant: every parameter as given. */
  Buf variant;
  memset(&variant, 0, sizeof(variant));
  buf_puts(&variant, "datasets");
  for (size_t i = 0; i < n; ++i) {
    buf_printf(&variant, "\n%s=%s", params[i].name, params[i].value);
  }
  FdxTxn* txn = NULL;
  if (variant.failed || !serve_snapshot(s, req, &txn)) {
    if (variant.failed) {
      serve_error(s, req, 500, "internal_error", "out of memory");
    }
    buf_free(&variant);
    return;
  }
  const uint64_t generation = fdx_txn_generation(txn);
  char           etag[64];
  serve_etag(etag, generation, variant.data, variant.len);
  if (serve_not_modified(s, req, etag) ||
      serve_cache_answer(s, req, variant.data, variant.len, generation,
                         serve_accepts_gzip(req))) {
    serve_snapshot_end(s, txn);
    buf_free(&variant);
    return;
  }
  FdxSearch* const search = thread_search();
  FdxSearchResult* res    = NULL;
  FdxError         err;
  memset(&err, 0, sizeof(err));
  FdxStatus st = search ? fdx_search_run(search, txn, &q, &res, &err)
                        : FDX_ERR_NO_MEMORY;
  if (st) {
    serve_snapshot_end(s, txn);
    buf_free(&variant);
    if (st == FDX_ERR_BAD_ARG) {
      serve_error(s, req, 400, "bad_request", "%s", err.message);
    } else if (st == FDX_ERR_LIMIT && strstr(err.message, "time")) {
      serve_error(s, req, 503, "query_timeout", "%s", err.message);
    } else if (st == FDX_ERR_LIMIT && strstr(err.message, "cancelled")) {
      serve_error(s, req, 503, "stopping", "the server is stopping");
    } else if (st == FDX_ERR_LIMIT) {
      serve_error(s, req, 400, "bad_request", "%s", err.message);
    } else if (st == FDX_ERR_UNSUPPORTED) {
      serve_error(s, req, 503, "no_search_index", "%s", err.message);
    } else {
      serve_error(s, req, 500, "internal_error", "search failed: %s",
                  err.message[0] ? err.message : fdx_strerror(st));
    }
    return;
  }
  const uint64_t total = fdx_search_result_total(res);
  if (page > 1 && q.offset >= total) {
    const uint64_t last = total ? (total + per_page - 1) / per_page : 1;
    fdx_search_result_free(res);
    serve_snapshot_end(s, txn);
    buf_free(&variant);
    serve_error(s, req, 400, "bad_request",
                "page %zu is past the last page (%llu) of %llu results", page,
                (unsigned long long)last, (unsigned long long)total);
    return;
  }
  Buf body;
  memset(&body, 0, sizeof(body));
  const SearchRender opts = {lang, s->base, page, per_page, SNIPPET_BYTES};
  st = search_render_results(txn, search, res, &opts, &body);
  fdx_search_result_free(res);
  serve_snapshot_end(s, txn);
  if (st || body.failed) {
    buf_free(&body);
    buf_free(&variant);
    serve_error(s, req, 500, "internal_error", "cannot render the results");
    return;
  }
  serve_send_cached(s, req, "application/json", &body, etag, variant.data,
                    variant.len, generation, NULL);
  buf_free(&variant);
}

/* Collects the documents of an IRI (the first graph wins). */
typedef struct {
  bool  found;
  FdxId g;
  FdxId s;
} Found;

static void
on_found(void* const ctx, const FdxId g, const FdxId s)
{
  Found* const f = (Found*)ctx;
  if (!f->found) {
    f->found = true;
    f->g     = g;
    f->s     = s;
  }
}

/* Answer the dataset `iri` (or, `by_hash`, the short id `iri`; when that
 * finds nothing and `base_fallback`, the dataset base + "dataset/" + id,
 * whose local name merely looks like a short id). */
static void
dataset_answer(Serve* const s, HttpRequest* const req, const char* const iri,
               const bool by_hash, const char* const lang,
               const bool base_fallback)
{
  static const char* const offers[] = {"application/json",
                                       "application/ld+json"};
  const int kind = serve_negotiate(req, offers, 2);
  if (kind < 0) {
    serve_error(s, req, 406, "not_acceptable",
                "this answers application/json or application/ld+json");
    return;
  }
  FdxTxn* txn = NULL;
  if (!serve_snapshot(s, req, &txn)) {
    return;
  }
  Buf variant;
  memset(&variant, 0, sizeof(variant));
  buf_printf(&variant, "dataset\n%d%s\n%d\n%s\n%s", kind,
             kind == 1 ? " dcat-ap-3.0.1" : "", by_hash, iri,
             lang ? lang : "");
  const uint64_t generation = fdx_txn_generation(txn);
  char           etag[64];
  serve_etag(etag, generation, variant.data ? variant.data : "",
             variant.len);
  if (variant.failed || serve_not_modified(s, req, etag)) {
    serve_snapshot_end(s, txn);
    buf_free(&variant);
    return;
  }
  Found     found = {false, 0, 0};
  FdxStatus st    = fdx_search_find(txn, iri, by_hash, on_found, &found);
  if (st == FDX_FAILURE && by_hash && base_fallback) {
    Buf full;
    memset(&full, 0, sizeof(full));
    buf_printf(&full, "%sdataset/%s", s->base, iri);
    st = full.failed ? FDX_ERR_NO_MEMORY
                     : fdx_search_find(txn, full.data, false, on_found, &found);
    buf_free(&full);
  }
  if (st == FDX_FAILURE || (!st && !found.found)) {
    serve_snapshot_end(s, txn);
    buf_free(&variant);
    serve_error(s, req, 404, "not_found",
                "no dataset, data service or series %s", iri);
    return;
  }
  Buf body;
  memset(&body, 0, sizeof(body));
  const char* type = "application/json";
  if (!st && kind == 1) {
    type = "application/ld+json";
    st   = serve_dcatap_jsonld(s, txn, found.g, found.s, &body);
  } else if (!st) {
    const SearchRender opts = {lang ? lang : "en", s->base, 1, 1,
                               SNIPPET_BYTES};
    st = search_render_dataset(txn, found.g, found.s, &opts, &body);
  }
  serve_snapshot_end(s, txn);
  if (st || body.failed) {
    buf_free(&body);
    buf_free(&variant);
    serve_error(s, req, st == FDX_ERR_UNSUPPORTED ? 503 : 500,
                st == FDX_ERR_UNSUPPORTED ? "no_search_index"
                                          : "internal_error",
                "cannot read the dataset: %s", fdx_strerror(st));
    return;
  }
  http_add_header(req, "Vary", "Accept");
  serve_send(s, req, 200, type, &body, etag);
  buf_free(&variant);
}

void
route_dataset_by_id(Serve* const s, HttpRequest* const req,
                    const char* const id)
{
  const HttpParam* params = NULL;
  size_t           n      = 0;
  http_params(req, &params, &n);
  for (size_t i = 0; i < n; ++i) {
    if (strcmp(params[i].name, "lang")) {
      serve_error(s, req, 400, "bad_request",
                  "unknown parameter '%.64s' (this takes lang only)",
                  params[i].name);
      return;
    }
  }
  const char* const lang = http_param(req, "lang");
  if (lang && (http_param_count(req, "lang") > 1 || !valid_lang(lang))) {
    serve_error(s, req, 400, "bad_request",
                "give lang once, as a language tag such as de or en");
    return;
  }
  const size_t len = strlen(id);
  if (!len || len > MAX_VALUE_BYTES || strchr(id, '/')) {
    serve_error(s, req, 404, "not_found", "no dataset with id %.200s", id);
    return;
  }
  bool hash = len == 17 && id[0] == 'x';
  for (size_t i = 1; i < len && hash; ++i) {
    hash = (id[i] >= '0' && id[i] <= '9') || (id[i] >= 'a' && id[i] <= 'f');
  }
  if (hash) {
    dataset_answer(s, req, id, true, lang, true);
    return;
  }
  Buf iri;
  memset(&iri, 0, sizeof(iri));
  buf_printf(&iri, "%sdataset/%s", s->base, id);
  if (iri.failed) {
    serve_error(s, req, 500, "internal_error", "out of memory");
  } else {
    dataset_answer(s, req, iri.data, false, lang, false);
  }
  buf_free(&iri);
}

/* ------------------------------------------------------------------------
 * /api/suggest
 * --------------------------------------------------------------------- */

typedef struct {
  FdxTxn*             txn;
  Buf*                out;
  size_t              n;
} SuggestCtx;

static void
on_suggestion(void* const vctx, const FdxSuggestion* const sug)
{
  SuggestCtx* const ctx = (SuggestCtx*)vctx;
  static const char* const types[] = {"title", "keyword", "concept"};
  buf_puts(ctx->out, ctx->n++ ? ",\n  {\"text\": " : "\n  {\"text\": ");
  buf_json_string(ctx->out, sug->text, sug->text_len);
  buf_printf(ctx->out, ", \"type\": \"%s\", \"iri\": ", types[sug->type]);
  FdxTermBuf buf;
  if (sug->id && !fdx_term_get(ctx->txn, sug->id, &buf) &&
      buf.term.kind == FDX_TERM_IRI) {
    buf_json_string(ctx->out, buf.term.value, buf.term.value_len);
  } else {
    buf_puts(ctx->out, "null");
  }
  buf_puts(ctx->out, "}");
}

void
route_suggest(Serve* const s, HttpRequest* const req)
{
  const HttpParam* params = NULL;
  size_t           n      = 0;
  http_params(req, &params, &n);
  const char* prefix = NULL;
  const char* lang   = "en";
  size_t      limit  = 10;
  for (size_t i = 0; i < n; ++i) {
    const char* const name = params[i].name;
    if (strcmp(name, "q") && strcmp(name, "limit") && strcmp(name, "lang")) {
      serve_error(s, req, 400, "bad_request",
                  "unknown parameter '%.64s' (this takes q, limit, lang)",
                  name);
      return;
    }
    if (http_param_count(req, name) > 1) {
      serve_error(s, req, 400, "bad_request", "give %s once", name);
      return;
    }
    if (params[i].value_len > 200 ||
        strlen(params[i].value) != params[i].value_len ||
        !serve_utf8_valid(params[i].value, params[i].value_len)) {
      serve_error(s, req, 400, "bad_request",
                  "%s is longer than 200 bytes, or not UTF-8", name);
      return;
    }
    if (!strcmp(name, "q")) {
      prefix = params[i].value;
    } else if (!strcmp(name, "lang")) {
      if (!valid_lang(params[i].value)) {
        serve_error(s, req, 400, "bad_request",
                    "lang is a language tag such as de or en");
        return;
      }
      lang = params[i].value;
    } else if (!parse_size(params[i].value, 1, 50, &limit)) {
      serve_error(s, req, 400, "bad_request",
                  "limit is a whole number from 1 to 50");
      return;
    }
  }
  if (!prefix || !*prefix) {
    serve_error(s, req, 400, "bad_request", "suggest needs q (a prefix)");
    return;
  }
  FdxTxn* txn = NULL;
  if (!serve_snapshot(s, req, &txn)) {
    return;
  }
  Buf variant;
  memset(&variant, 0, sizeof(variant));
  buf_printf(&variant, "suggest\n%s\n%s\n%zu", prefix, lang, limit);
  const uint64_t generation = fdx_txn_generation(txn);
  char           etag[64];
  serve_etag(etag, generation, variant.data ? variant.data : "",
             variant.len);
  if (variant.failed || serve_not_modified(s, req, etag)) {
    serve_snapshot_end(s, txn);
    buf_free(&variant);
    return;
  }
  Buf body;
  memset(&body, 0, sizeof(body));
  buf_puts(&body, "{\"suggestions\": [");
  SuggestCtx      ctx    = {txn, &body, 0};
  FdxSearch* const search = thread_search();
  FdxStatus       st     = search ? fdx_search_suggest(search, txn, prefix,
                                                       limit, lang,
                                                       on_suggestion, &ctx)
                                  : FDX_ERR_NO_MEMORY;
  serve_snapshot_end(s, txn);
  buf_free(&variant);
  if (st == FDX_ERR_BAD_ARG) {
    /* Only punctuation: nothing completes it. */
    st = FDX_SUCCESS;
  }
  if (st || body.failed) {
    buf_free(&body);
    serve_error(s, req, st == FDX_ERR_UNSUPPORTED ? 503 : 500,
                st == FDX_ERR_UNSUPPORTED ? "no_search_index"
                                          : "internal_error",
                "cannot suggest: %s", fdx_strerror(st));
    return;
  }
  buf_puts(&body, ctx.n ? "\n]}\n" : "]}\n");
  serve_send(s, req, 200, "application/json", &body, etag);
}
