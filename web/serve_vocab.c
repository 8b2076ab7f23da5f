/*
 * serve_vocab.c: the vocabulary API of `fairdex serve` (fairdex/vocab.h):
 *   GET    /api/vocab                         the managed schemes
 *   POST   /api/vocab                         create a scheme (curator)
 *   GET    /api/vocab/{scheme}                the scheme and its top concepts;
 *                                             Turtle, JSON-LD, RDF/XML or
 *                                             N-Triples: the whole scheme
 *   GET    /api/vocab/{scheme}/concepts       label search (q, lang, limit)
 *   POST   /api/vocab/{scheme}/concepts       create a concept (curator)
 *   GET    /api/vocab/{scheme}/{concept}      the concept, with an ETag
 *   PUT    /api/vocab/{scheme}/{concept}      replace it (If-Match)
 *   DELETE /api/vocab/{scheme}/{concept}      deprecate it, or remove it
 *                                             (?hard=true) when unused
 *   GET    /api/vocab/{scheme}/{concept}/history   its history
 *   GET    /api/vocab/{scheme}/{concept}/datasets  the datasets using it
 *   GET    /api/history                       every change (since, limit)
 *   POST   /api/history/{id}/revert           undo change {id}, as a new
 *                                             change (curator)
 *
 * Edits need a curator (or admin) token, whose name the history records.
 * Errors are JSON; an integrity failure (422) lists every problem in
 * "problems".  Reads run in a query slot like every other read.
 */
#include "serve.h"
#include "serve_vocab.h"

#include "fairdex/vocab.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define DEFAULT_LIMIT 20
#define MAX_LIMIT 1000
#define DEFAULT_HISTORY_LIMIT 100
#define MAX_Q_BYTES 256

/* ------------------------------------------------------------------------
 * Parameters and answers
 * --------------------------------------------------------------------- */

/* Send `json` (taken) with `status`. */
static void
send_json(Serve* const s, HttpRequest* const req, const unsigned status,
          json_t* const json, const char* const etag)
{
  if (status == 200 && etag &&
      (!strcmp(http_method(req), "GET") ||
       !strcmp(http_method(req), "HEAD")) &&
      serve_not_modified(s, req, etag)) {
    json_decref(json);
    return;
  }
  char* const text =
    json ? json_dumps(json, JSON_INDENT(2) | JSON_PRESERVE_ORDER) : NULL;
  json_decref(json);
  if (!text) {
    serve_error(s, req, 500, "internal_error", "out of memory");
    return;
  }
  Buf b;
  memset(&b, 0, sizeof(b));
  buf_puts(&b, text);
  buf_puts(&b, "\n");
  free(text);
  http_add_header(req, "Cache-Control", "no-cache");
  serve_send(s, req, status, "application/json", &b, etag);
}

/* Answer a failed operation: its status, code and message, plus the
 * problems (422) or the datasets (409 in_use). */
static void
send_failure(Serve* const s, HttpRequest* const req,
             FdxVocabResult* const result)
{
  if (result->etag[0]) {
    http_add_header(req, "ETag", result->etag);
  }
  if (!result->problems && !result->body) {
    serve_error(s, req, (unsigned)result->outcome,
                result->code[0] ? result->code : "error", "%s",
                result->message);
    return;
  }
  json_t* const json = json_pack("{s:s, s:s}", "error",
                                 result->code[0] ? result->code : "error",
                                 "message", result->message);
  if (result->problems) {
    json_object_set(json, "problems", result->problems);
  }
  if (result->body) {
    json_object_set(json, "datasets",
                    json_object_get(result->body, "datasets"));
  }
  send_json(s, req, (unsigned)result->outcome, json, NULL);
}

/* True if the body is declared JSON; false after answering 415.  Checked
 * first: a form body would otherwise read as parameters. */
static bool
body_is_json(Serve* const s, HttpRequest* const req)
{
  const char* const type = http_header(req, "Content-Type");
  if (!type || strncasecmp(type, "application/json", 16) ||
      (type[16] && type[16] != ';' && type[16] != ' ')) {
    serve_error(s, req, 415, "unsupported_media_type",
                "send the body as application/json");
    return false;
  }
  return true;
}

/* Read the request's JSON body; false after answering 415 or 400. */
static bool
json_body(Serve* const s, HttpRequest* const req, json_t** const ret)
{
  if (!body_is_json(s, req)) {
    return false;
  }
  size_t            len  = 0;
  const char* const body = http_body(req, &len);
  json_error_t      err;
  json_t* const     json = json_loadb(body, len, JSON_REJECT_DUPLICATES, &err);
  if (!json) {
    serve_error(s, req, 400, "bad_json", "the body is not JSON: %s (line %d, "
                                         "column %d)",
                err.text, err.line, err.column);
    return false;
  }
  *ret = json;
  return true;
}

/* The bearer token's name for the history, having checked its role. */
static bool
curator(Serve* const s, HttpRequest* const req,
        char name[FDX_TOKEN_NAME_MAX + 1])
{
  return serve_authorize_as(s, req, FDX_ROLE_CURATOR, name);
}

/* The API path of a concept, for Location. */
static void
concept_location(Buf* const out, const char* const scheme,
                 const json_t* const concept)
{
  const char* const id = json_string_value(json_object_get(concept, "id"));
  buf_puts(out, "/api/vocab/");
  buf_pct(out, scheme, strlen(scheme), false);
  buf_puts(out, "/");
  buf_pct(out, id ? id : "", id ? strlen(id) : 0, false);
}

/* Answer a read: its JSON with 200, or its failure; the result is
 * cleared. */
static void
answer(Serve* const s, HttpRequest* const req, FdxVocabResult* const result)
{
  if (result->outcome >= 400) {
    send_failure(s, req, result);
  } else {
    send_json(s, req, 200, json_incref(result->body), NULL);
  }
  fdx_vocab_result_clear(result);
}

/* Read the store in a query slot: false after answering 503. */
static bool
begin_read(Serve* const s, HttpRequest* const req, FdxTxn** const txn)
{
  return serve_snapshot(s, req, txn);
}

/* ------------------------------------------------------------------------
 * Routes
 * --------------------------------------------------------------------- */

static void
list_schemes(Serve* const s, HttpRequest* const req)
{
  if (!serve_only_params(s, req, NULL, 0)) {
    return;
  }
  FdxTxn* txn = NULL;
  if (!begin_read(s, req, &txn)) {
    return;
  }
  json_t* const list = fdx_vocab_schemes(txn);
  serve_snapshot_end(s, txn);
  if (!list) {
    serve_error(s, req, 500, "internal_error", "cannot read the vocabularies");
    return;
  }
  send_json(s, req, 200,
            json_pack("{s:I, s:o}", "total",
                      (json_int_t)json_array_size(list), "schemes", list),
            NULL);
}

static void
create_scheme(Serve* const s, HttpRequest* const req)
{
  char who[FDX_TOKEN_NAME_MAX + 1];
  if (!curator(s, req, who) || !body_is_json(s, req) ||
      !serve_only_params(s, req, NULL, 0)) {
    return;
  }
  json_t* json = NULL;
  if (!json_body(s, req, &json)) {
    return;
  }
  FdxVocabResult result;
  memset(&result, 0, sizeof(result));
  fdx_vocab_scheme_create(s->store, who, s->base, json, &result);
  json_decref(json);
  if (result.outcome >= 400) {
    send_failure(s, req, &result);
  } else {
    Buf loc;
    memset(&loc, 0, sizeof(loc));
    const char* const id = json_string_value(json_object_get(result.body, "id"));
    buf_puts(&loc, "/api/vocab/");
    buf_pct(&loc, id ? id : "", id ? strlen(id) : 0, false);
    http_add_header(req, "Location", loc.data ? loc.data : "/api/vocab");
    buf_free(&loc);
    send_json(s, req, 201, json_incref(result.body), NULL);
  }
  fdx_vocab_result_clear(&result);
}

/* GET /api/vocab/{scheme}: JSON, or the whole scheme as RDF. */
static void
get_scheme(Serve* const s, HttpRequest* const req, const char* const scheme)
{
  static const char* const names[] = {"format"};
  if (!serve_only_params(s, req, names, 1)) {
    return;
  }
  static const char* const offers[]  = {"application/json", "text/turtle",
                                        "application/ld+json",
                                        "application/rdf+xml",
                                        "application/n-triples"};
  static const char* const formats[] = {"json", "turtle", "jsonld", "rdfxml",
                                        "ntriples"};
  static const FdxFormat   rdf[]     = {FDX_FORMAT_UNKNOWN, FDX_FORMAT_TURTLE,
                                        FDX_FORMAT_JSONLD, FDX_FORMAT_RDFXML,
                                        FDX_FORMAT_NTRIPLES};
  int               kind   = -1;
  const char* const format = http_param(req, "format");
  if (format) {
    for (int i = 0; i < 5; ++i) {
      if (!strcmp(format, formats[i])) {
        kind = i;
      }
    }
    if (kind < 0) {
      serve_error(s, req, 400, "bad_request",
                  "format must be json, turtle, jsonld, rdfxml or ntriples");
      return;
    }
  } else if ((kind = serve_negotiate(req, offers, 5)) < 0) {
    serve_error(s, req, 406, "not_acceptable",
                "a vocabulary is available as application/json, text/turtle, "
                "application/ld+json, application/rdf+xml and "
                "application/n-triples");
    return;
  }
  FdxTxn* txn = NULL;
  if (!begin_read(s, req, &txn)) {
    return;
  }
  if (kind == 0) {
    FdxVocabResult result;
    memset(&result, 0, sizeof(result));
    fdx_vocab_scheme_get(txn, scheme, &result);
    const uint64_t generation = fdx_txn_generation(txn);
    serve_snapshot_end(s, txn);
    if (result.outcome >= 400) {
      send_failure(s, req, &result);
    } else {
      char etag[64];
      serve_etag(etag, generation, scheme, strlen(scheme));
      send_json(s, req, 200, json_incref(result.body), etag);
    }
    fdx_vocab_result_clear(&result);
    return;
  }
  FdxId     graph = FDX_ID_ANY;
  FdxStatus st    = fdx_vocab_scheme_find(txn, scheme, NULL, &graph);
  if (st == FDX_FAILURE) {
    serve_snapshot_end(s, txn);
    serve_error(s, req, 404, "not_found", "there is no vocabulary %s", scheme);
    return;
  }
  Buf b;
  memset(&b, 0, sizeof(b));
  if (!st && graph != FDX_ID_ANY) {
    st = fdx_dump(txn, rdf[kind], graph, buf_write, &b);
  }
  const uint64_t generation = fdx_txn_generation(txn);
  serve_snapshot_end(s, txn);
  if (st || b.failed) {
    buf_free(&b);
    serve_error(s, req, 500, "internal_error", "cannot write the vocabulary: "
                                               "%s",
                fdx_strerror(st));
    return;
  }
  char variant[256];
  snprintf(variant, sizeof(variant), "%s %s", formats[kind], scheme);
  char etag[64];
  serve_etag(etag, generation, variant, strlen(variant));
  serve_send(s, req, 200, fdx_format_media_type(rdf[kind]), &b, etag);
}

static void
search_concepts(Serve* const s, HttpRequest* const req,
                const char* const scheme)
{
  static const char* const names[] = {"q", "lang", "limit"};
  unsigned long long       limit   = 0;
  if (!serve_only_params(s, req, names, 3) ||
      !serve_number_param(s, req, "limit", 1, MAX_LIMIT, DEFAULT_LIMIT,
                          &limit)) {
    return;
  }
  const char* const q    = http_param(req, "q");
  const char* const lang = http_param(req, "lang");
  if (q && (strlen(q) > MAX_Q_BYTES || !serve_utf8_valid(q, strlen(q)))) {
    serve_error(s, req, 400, "bad_request",
                "q must be valid UTF-8 of at most %d bytes", MAX_Q_BYTES);
    return;
  }
  if (lang && *lang && strlen(lang) > 35) {
    serve_error(s, req, 400, "bad_request", "lang is not a language tag");
    return;
  }
  FdxTxn* txn = NULL;
  if (!begin_read(s, req, &txn)) {
    return;
  }
  FdxVocabResult result;
  memset(&result, 0, sizeof(result));
  fdx_vocab_concept_search(txn, scheme, q ? q : "", lang, (size_t)limit,
                           &result);
  serve_snapshot_end(s, txn);
  answer(s, req, &result);
}

static void
create_concept(Serve* const s, HttpRequest* const req,
               const char* const scheme)
{
  char who[FDX_TOKEN_NAME_MAX + 1];
  if (!curator(s, req, who) || !body_is_json(s, req) ||
      !serve_only_params(s, req, NULL, 0)) {
    return;
  }
  json_t* json = NULL;
  if (!json_body(s, req, &json)) {
    return;
  }
  FdxVocabResult result;
  memset(&result, 0, sizeof(result));
  fdx_vocab_concept_create(s->store, who, scheme, json, &result);
  json_decref(json);
  if (result.outcome >= 400) {
    send_failure(s, req, &result);
  } else {
    Buf loc;
    memset(&loc, 0, sizeof(loc));
    concept_location(&loc, scheme, result.body);
    http_add_header(req, "Location", loc.data ? loc.data : "/api/vocab");
    buf_free(&loc);
    http_add_header(req, "ETag", result.etag);
    send_json(s, req, 201, json_incref(result.body), NULL);
  }
  fdx_vocab_result_clear(&result);
}

static void
get_concept(Serve* const s, HttpRequest* const req, const char* const scheme,
            const char* const concept)
{
  if (!serve_only_params(s, req, NULL, 0)) {
    return;
  }
  FdxTxn* txn = NULL;
  if (!begin_read(s, req, &txn)) {
    return;
  }
  FdxVocabResult result;
  memset(&result, 0, sizeof(result));
  fdx_vocab_concept_get(txn, scheme, concept, &result);
  serve_snapshot_end(s, txn);
  if (result.outcome >= 400) {
    send_failure(s, req, &result);
  } else {
    send_json(s, req, 200, json_incref(result.body), result.etag);
  }
  fdx_vocab_result_clear(&result);
}

/* The If-Match header: false after answering 428 when it is missing. */
static bool
if_match(Serve* const s, HttpRequest* const req, const char** const ret)
{
  const char* const v = http_header(req, "If-Match");
  if (!v || !*v) {
    serve_error(s, req, 428, "precondition_required",
                "send If-Match with the concept's ETag (from GET), so a "
                "change made meanwhile is not overwritten");
    return false;
  }
  *ret = v;
  return true;
}

static void
put_concept(Serve* const s, HttpRequest* const req, const char* const scheme,
            const char* const concept)
{
  char        who[FDX_TOKEN_NAME_MAX + 1];
  const char* match = NULL;
  json_t*     json  = NULL;
  if (!curator(s, req, who) || !body_is_json(s, req) ||
      !serve_only_params(s, req, NULL, 0) || !if_match(s, req, &match) ||
      !json_body(s, req, &json)) {
    return;
  }
  FdxVocabResult result;
  memset(&result, 0, sizeof(result));
  fdx_vocab_concept_replace(s->store, who, scheme, concept, match, json,
                            &result);
  json_decref(json);
  if (result.outcome >= 400) {
    send_failure(s, req, &result);
  } else {
    http_add_header(req, "ETag", result.etag);
    send_json(s, req, 200, json_incref(result.body), NULL);
  }
  fdx_vocab_result_clear(&result);
}

static void
delete_concept(Serve* const s, HttpRequest* const req,
               const char* const scheme, const char* const concept)
{
  static const char* const names[] = {"hard", "replacedBy"};
  char        who[FDX_TOKEN_NAME_MAX + 1];
  const char* match = NULL;
  if (!curator(s, req, who) || !serve_only_params(s, req, names, 2) ||
      !if_match(s, req, &match)) {
    return;
  }
  const char* const hard_text = http_param(req, "hard");
  if (hard_text && strcmp(hard_text, "true") && strcmp(hard_text, "false")) {
    serve_error(s, req, 400, "bad_request", "hard must be true or false");
    return;
  }
  const bool        hard        = hard_text && !strcmp(hard_text, "true");
  const char* const replaced_by = http_param(req, "replacedBy");
  if (hard && replaced_by) {
    serve_error(s, req, 400, "bad_request",
                "replacedBy goes with deprecation, not with hard=true");
    return;
  }
  FdxVocabResult result;
  memset(&result, 0, sizeof(result));
  fdx_vocab_concept_delete(s->store, who, scheme, concept, match, replaced_by,
                           hard, &result);
  if (result.outcome >= 400) {
    send_failure(s, req, &result);
  } else {
    if (result.etag[0]) {
      http_add_header(req, "ETag", result.etag);
    }
    send_json(s, req, 200, json_incref(result.body), NULL);
  }
  fdx_vocab_result_clear(&result);
}

static void
concept_history(Serve* const s, HttpRequest* const req,
                const char* const scheme, const char* const concept)
{
  static const char* const names[] = {"since", "limit"};
  unsigned long long       since = 0, limit = 0;
  if (!serve_only_params(s, req, names, 2) ||
      !serve_number_param(s, req, "since", 0, UINT64_MAX >> 1, 0, &since) ||
      !serve_number_param(s, req, "limit", 1, MAX_LIMIT,
                          DEFAULT_HISTORY_LIMIT, &limit)) {
    return;
  }
  FdxTxn* txn = NULL;
  if (!begin_read(s, req, &txn)) {
    return;
  }
  FdxVocabResult result;
  memset(&result, 0, sizeof(result));
  fdx_vocab_concept_history(txn, scheme, concept, since, (size_t)limit,
                            &result);
  serve_snapshot_end(s, txn);
  answer(s, req, &result);
}

static void
concept_datasets(Serve* const s, HttpRequest* const req,
                 const char* const scheme, const char* const concept)
{
  static const char* const names[] = {"limit"};
  unsigned long long       limit   = 0;
  if (!serve_only_params(s, req, names, 1) ||
      !serve_number_param(s, req, "limit", 1, MAX_LIMIT, 100, &limit)) {
    return;
  }
  FdxTxn* txn = NULL;
  if (!begin_read(s, req, &txn)) {
    return;
  }
  FdxVocabResult result;
  memset(&result, 0, sizeof(result));
  fdx_vocab_concept_datasets(txn, scheme, concept, (size_t)limit, &result);
  serve_snapshot_end(s, txn);
  answer(s, req, &result);
}

void
route_history(Serve* const s, HttpRequest* const req)
{
  static const char* const names[] = {"since", "limit"};
  unsigned long long       since = 0, limit = 0;
  if (!serve_only_params(s, req, names, 2) ||
      !serve_number_param(s, req, "since", 0, UINT64_MAX >> 1, 0, &since) ||
      !serve_number_param(s, req, "limit", 1, MAX_LIMIT,
                          DEFAULT_HISTORY_LIMIT, &limit)) {
    return;
  }
  FdxTxn* txn = NULL;
  if (!begin_read(s, req, &txn)) {
    return;
  }
  FdxVocabResult result;
  memset(&result, 0, sizeof(result));
  fdx_vocab_history(txn, since, (size_t)limit, NULL, &result);
  serve_snapshot_end(s, txn);
  answer(s, req, &result);
}

void
route_history_revert(Serve* const s, HttpRequest* const req,
                     const char* const id_text)
{
  char                     who[FDX_TOKEN_NAME_MAX + 1];
  char*                    end = NULL;
  const unsigned long long id  = strtoull(id_text, &end, 10);
  if (!curator(s, req, who) || !serve_only_params(s, req, NULL, 0)) {
    return;
  }
  if (!*id_text || *end || id == 0 || id_text[0] == '-' || id_text[0] == '+' ||
      id > (UINT64_MAX >> 1)) {
    serve_error(s, req, 404, "not_found", "there is no change %s", id_text);
    return;
  }
  FdxVocabResult result;
  memset(&result, 0, sizeof(result));
  fdx_vocab_revert(s->store, who, id, &result);
  if (result.outcome >= 400) {
    send_failure(s, req, &result);
  } else {
    json_t* const body = json_incref(result.body);
    /* No new change when there was nothing to undo (undone already). */
    json_object_set_new(body, "change",
                        result.change ? json_integer((json_int_t)result.change)
                                      : json_null());
    json_object_set_new(body, "reverts", json_integer((json_int_t)id));
    send_json(s, req, 200, body, NULL);
  }
  fdx_vocab_result_clear(&result);
}

/* Split "/api/vocab/a/b/c" into up to three segments after the prefix. */
static size_t
segments(const char* const path, char out[3][512])
{
  const char* p = path;
  size_t      n = 0;
  while (*p && n < 4) {
    const char* const slash = strchr(p, '/');
    const size_t len = slash ? (size_t)(slash - p) : strlen(p);
    if (len == 0 || len >= 512) {
      return 0; /* empty or over-long segments name nothing */
    }
    if (n == 3) {
      return 0;
    }
    memcpy(out[n], p, len);
    out[n][len] = '\0';
    ++n;
    if (!slash) {
      break;
    }
    p = slash + 1;
    if (!*p) {
      return 0; /* a trailing slash */
    }
  }
  return n;
}

const char*
vocab_allowed_methods(const char* const path)
{
  char         seg[3][512];
  const size_t n = strcmp(path, "/api/vocab") ? segments(path + 11, seg) : 0;
  if (!strcmp(path, "/api/vocab") ||
      (n == 2 && !strcmp(seg[1], "concepts"))) {
    return "GET, HEAD, POST, OPTIONS";
  }
  if (n == 2) {
    return "GET, HEAD, PUT, DELETE, OPTIONS";
  }
  return "GET, HEAD, OPTIONS";
}

void
route_vocab(Serve* const s, HttpRequest* const req)
{
  const char* const path   = http_path(req);
  const char* const method = http_method(req);
  const bool        get = !strcmp(method, "GET") || !strcmp(method, "HEAD");
  if (!strcmp(path, "/api/vocab")) {
    if (get) {
      list_schemes(s, req);
    } else {
      create_scheme(s, req);
    }
    return;
  }
  char         seg[3][512];
  const size_t n = segments(path + 11, seg);
  if (n == 0) {
    serve_error(s, req, 404, "not_found", "there is nothing at %s", path);
    return;
  }
  if (n == 1) {
    get_scheme(s, req, seg[0]);
  } else if (n == 2 && !strcmp(seg[1], "concepts")) {
    if (get) {
      search_concepts(s, req, seg[0]);
    } else {
      create_concept(s, req, seg[0]);
    }
  } else if (n == 2) {
    if (get) {
      get_concept(s, req, seg[0], seg[1]);
    } else if (!strcmp(method, "PUT")) {
      put_concept(s, req, seg[0], seg[1]);
    } else {
      delete_concept(s, req, seg[0], seg[1]);
    }
  } else if (!strcmp(seg[2], "history")) {
    concept_history(s, req, seg[0], seg[1]);
  } else if (!strcmp(seg[2], "datasets")) {
    concept_datasets(s, req, seg[0], seg[1]);
  } else {
    serve_error(s, req, 404, "not_found", "there is nothing at %s", path);
  }
}
