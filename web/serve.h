/*
 * serve.h: what the route files of `fairdex serve` share: the server's
 * state (the store, the base IRI, limits, query slots, metrics and the
 * access log), a growable byte buffer, content negotiation, and the way
 * every route answers (errors as JSON or HTML, ETags, gzip, CORS).
 *
 * Routes: serve_sparql.c (/sparql), serve_ld.c (Linked Data paths,
 * /resource, /catalog), serve_feed.c (/api/changes, /dump.nq.gz);
 * serve.c has the command, the router and the operations routes.
 */
#ifndef FDX_SERVE_H
#define FDX_SERVE_H

#include "http_server.h"
#include "tokens.h"

#include "fairdex/rdf.h"
#include "fairdex/store.h"

#include <pthread.h>
#include <stdatomic.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

/* ---- a growable buffer (also an FdxWriteBytes sink) ---- */

typedef struct {
  char*  data;
  size_t len;
  size_t cap;
  size_t max;    /* 0: no limit */
  bool   failed; /* out of memory or over max */
} Buf;

int  buf_write(void* buf, const char* bytes, size_t len); /* FdxWriteBytes */
void buf_puts(Buf* buf, const char* s);
void buf_printf(Buf* buf, const char* fmt, ...)
#if defined(__GNUC__)
  __attribute__((format(printf, 2, 3)))
#endif
  ;
/* A JSON string literal (quotes included) of `len` bytes of UTF-8. */
void buf_json_string(Buf* buf, const char* s, size_t len);
/* `s` with &, <, >, " escaped for HTML text and attribute values. */
void buf_html(Buf* buf, const char* s, size_t len);
/* `len` bytes of `s` percent-encoded (unreserved characters, and '/'
 * when `keep_slash`, stay as they are). */
void buf_pct(Buf* buf, const char* s, size_t len, bool keep_slash);
/* Hand the bytes over (the buffer is left empty). */
char* buf_take(Buf* buf, size_t* ret_len);
void  buf_free(Buf* buf);

/* ---- the server's state ---- */

#define ROUTE_COUNT 27
#define LATENCY_BUCKETS 12

typedef struct {
  pthread_mutex_t lock;
  /* requests by route index and status (status 100..599 - 100) */
  uint64_t        requests[ROUTE_COUNT][500];
  uint64_t        latency[LATENCY_BUCKETS + 1];
  double          latency_sum;
  uint64_t        latency_count;
} Metrics;

typedef struct ServeCache       ServeCache;
typedef struct HarvestScheduler HarvestScheduler;

/* The catalogue's members (datasets, series, data services) of one
 * generation. */
typedef struct {
  pthread_mutex_t lock;
  bool            valid;
  uint64_t        generation;
  FdxId*          ids;
  uint8_t*        kinds; /* per member: 0 dataset, 1 data service */
  size_t          n;
  FdxId*          own; /* the catalogue's own (p, o) pairs */
  size_t          n_own;
} MemberList;

typedef struct {
  FdxStore*       store;
  ServeCache*     cache; /* answers by (variant, generation); serve_cache.c */
  char*           base; /* ends with '/'; set once, before `ready` */
  atomic_bool     ready;
  atomic_uint     dumps; /* /dump.nq.gz streams open (serve_feed.c) */
  atomic_bool     cancel; /* stopping: running queries end now */
  size_t          base_len;
  uint64_t        timeout_ms;
  uint64_t        max_rows;
  size_t          max_body_bytes;
  /* Query slots: how many evaluations may run at once. */
  pthread_mutex_t slot_lock;
  pthread_cond_t  slot_free;
  unsigned        slots;
  FILE*           access_log;
  pthread_mutex_t log_lock;
  double          started; /* CLOCK_REALTIME seconds */
  Metrics         metrics;
  MemberList      members; /* serve_ld.c */
  HttpServer*     http;
  HarvestScheduler* harvest; /* --harvest-config, or NULL */
} Serve;

/* Take a query slot, then a read transaction (in that order, so waiting
 * requests hold no snapshot); false after answering 503 when either
 * fails.  End with serve_snapshot_end(). */
bool serve_snapshot(Serve* s, HttpRequest* req, FdxTxn** ret_txn);
void serve_snapshot_end(Serve* s, FdxTxn* txn);

/* FdxQueryOptions.cancelled for the server's queries (ctx: the Serve). */
bool serve_query_cancelled(void* ctx);

/* Take a query slot (waits while all are busy; false, taking none, once
 * the server is stopping) and give it back. */
bool serve_slot_take(Serve* s);
void serve_slot_give(Serve* s);

/* ---- answering ---- */

/* An error: JSON {"error": code, "message": ...}, or an HTML page when the
 * client prefers text/html. */
void serve_error(Serve* s, HttpRequest* req, unsigned status, const char* code,
                 const char* fmt, ...)
#if defined(__GNUC__)
  __attribute__((format(printf, 5, 6)))
#endif
  ;

/* 503 naming the query limit `err` reports: query_timeout, row_limit or
 * memory_limit. */
void serve_limit_error(Serve* s, HttpRequest* req, const FdxError* err);

/* Answer 200 (or `status`) with the buffer's bytes: adds CORS, an ETag
 * when `etag` is not NULL (answering 304 instead when If-None-Match has
 * it), Vary, and gzip when the client accepts it and the body is big
 * enough.  Takes the buffer's bytes. */
void serve_send(Serve* s, HttpRequest* req, unsigned status,
                const char* content_type, Buf* body, const char* etag);

/* serve_send(), and keep the final bytes in the cache under `key` (the
 * route's variant) and `generation`, with the Link header `link` (may be
 * NULL). */
void serve_send_cached(Serve* s, HttpRequest* req, const char* content_type,
                       Buf* body, const char* etag, const char* key,
                       size_t key_len, uint64_t generation, const char* link);

/* True if the client takes gzip. */
bool serve_accepts_gzip(const HttpRequest* req);

/* ---- the answer cache (serve_cache.c) ---- */

ServeCache* serve_cache_new(size_t max_bytes);
void        serve_cache_free(ServeCache* cache);
bool        serve_cache_enabled(const Serve* s);
void        serve_cache_counts(ServeCache* cache, uint64_t* hits,
                               uint64_t* misses, size_t* bytes);
/* Answer from the cache (200, with the stored headers) if it holds `key`
 * at `generation`, gzip or not as the client takes it. */
bool serve_cache_answer(Serve* s, HttpRequest* req, const char* key,
                        size_t len, uint64_t generation, bool accept_gzip);
/* Keep `body` (gzip when `gzipped`, inflating to `raw_len` bytes) and, if
 * there is room, the plain bytes `raw` (may be NULL). */
void serve_cache_put(Serve* s, const char* key, size_t len,
                     uint64_t generation, bool gzipped, size_t raw_len,
                     const char* body, size_t body_len, const char* raw,
                     const char* content_type, const char* etag,
                     const char* link);

/* True (and 304 sent) if the request's If-None-Match has `etag`. */
bool serve_not_modified(Serve* s, HttpRequest* req, const char* etag);

/* An ETag for the current answer: the store generation and a hash of
 * `variant` (the route's own description of what it answers). */
void serve_etag(char out[64], uint64_t generation, const char* variant,
                size_t variant_len);

/* Content negotiation: pick one of `offers` (media types, first = the
 * default) for the Accept header; -1 when none is acceptable. */
int serve_negotiate(const HttpRequest* req, const char* const* offers,
                    size_t n_offers);

/* True if the client prefers HTML to JSON (a browser). */
bool serve_wants_html(const HttpRequest* req);

/* 400 unless every parameter is one of the `n` `names` and none is given
 * twice; true when all are. */
bool serve_only_params(Serve* s, HttpRequest* req, const char* const* names,
                       size_t n);

/* The unsigned parameter `name` in [lo, hi], `def` when absent; false
 * after answering 400. */
bool serve_number_param(Serve* s, HttpRequest* req, const char* name,
                        unsigned long long lo, unsigned long long hi,
                        unsigned long long def, unsigned long long* ret);

/* The role of the request's bearer token, having answered 401/403 and
 * returned false when it lacks `need`. */
bool serve_authorize(Serve* s, HttpRequest* req, FdxRole need);

/* serve_authorize(), also giving the token's name (at least
 * FDX_TOKEN_NAME_MAX + 1 bytes; may be NULL). */
bool serve_authorize_as(Serve* s, HttpRequest* req, FdxRole need,
                        char* ret_name);

/* Valid UTF-8? */
bool serve_utf8_valid(const char* s, size_t len);

/* ---- RDF answers shared by the Linked Data routes and /sparql ---- */

/* The RDF formats a route offers, in negotiation order (Turtle first). */
typedef enum {
  RDF_TURTLE = 0,
  RDF_JSONLD,
  RDF_RDFXML,
  RDF_NTRIPLES,
  RDF_HTML,
  RDF_N_KINDS
} RdfKind;

/* Choose the RDF format: the `format` parameter (turtle, jsonld, rdfxml,
 * ntriples, html) wins over Accept.  -1 after answering 400/406. */
int serve_rdf_kind(Serve* s, HttpRequest* req, bool allow_html);
const char* serve_rdf_content_type(RdfKind kind);
FdxFormat   serve_rdf_format(RdfKind kind);

/* Bind the usual prefixes (dcat, dct, foaf, ...) on a triple writer. */
void serve_bind_prefixes(Serve* s, FdxTripleWriter* writer);

/* A local link for an IRI under the base (its path), else the IRI. */
void serve_link(Serve* s, Buf* out, const char* iri, size_t len);

/* ---- routes ---- */

void route_sparql(Serve* s, HttpRequest* req);
void route_resource(Serve* s, HttpRequest* req, const char* iri);
void route_catalog(Serve* s, HttpRequest* req);
void route_changes(Serve* s, HttpRequest* req);
void route_dump(Serve* s, HttpRequest* req);

#endif /* FDX_SERVE_H */
