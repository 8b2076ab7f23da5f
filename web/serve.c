/*
 * serve.c: the `fairdex serve` command: options, start-up and graceful
 * stop, the router, the operations routes (/healthz, /metrics, the index
 * page), and what every route shares (serve.h): errors as JSON or HTML,
 * content negotiation, ETags from the store generation, gzip, CORS, the
 * bearer-token check, the JSON-lines access log and the metrics.
 */
#include "cli.h"
#include "serve.h"
#include "serve_search.h"
#include "serve_vocab.h"
#include "serve_harvest.h"
#include "serve_ui.h"

#include "fairdex/search.h"
#include "fairdex/sparql.h"

#include <errno.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>
#include <utf8proc.h>
#include <zlib.h>

/* ------------------------------------------------------------------------
 * Buffers
 * --------------------------------------------------------------------- */

static bool
buf_reserve(Buf* const b, const size_t more)
{
  if (b->failed) {
    return false;
  }
  if (b->max && b->len + more > b->max) {
    b->failed = true;
    return false;
  }
  if (b->len + more + 1 <= b->cap) {
    return true;
  }
  size_t cap = b->cap ? b->cap : 4096;
  while (cap < b->len + more + 1) {
    cap *= 2;
  }
  char* const grown = (char*)realloc(b->data, cap);
  if (!grown) {
    b->failed = true;
    return false;
  }
  b->data = grown;
  b->cap  = cap;
  return true;
}

int
buf_write(void* const vbuf, const char* const bytes, const size_t len)
{
  Buf* const b = (Buf*)vbuf;
  if (!buf_reserve(b, len)) {
    return -1;
  }
  memcpy(b->data + b->len, bytes, len);
  b->len += len;
  b->data[b->len] = '\0';
  return 0;
}

void
buf_puts(Buf* const b, const char* const s)
{
  buf_write(b, s, strlen(s));
}

void
buf_printf(Buf* const b, const char* const fmt, ...)
{
  va_list ap;
  va_start(ap, fmt);
  char      small[512];
  const int n = vsnprintf(small, sizeof(small), fmt, ap);
  va_end(ap);
  if (n < 0) {
    b->failed = true;
    return;
  }
  if ((size_t)n < sizeof(small)) {
    buf_write(b, small, (size_t)n);
    return;
  }
  if (!buf_reserve(b, (size_t)n)) {
    return;
  }
  va_start(ap, fmt);
  vsnprintf(b->data + b->len, (size_t)n + 1, fmt, ap);
  va_end(ap);
  b->len += (size_t)n;
}

/* Length of the valid UTF-8 sequence at s (1..4), or 0 if invalid:
 * utf8proc decides (overlongs, surrogates and values past U+10FFFF are
 * invalid). */
static size_t
utf8_seq(const unsigned char* const s, const size_t avail)
{
  if (s[0] < 0x80) {
    return 1;
  }
  utf8proc_int32_t cp = 0;
  const utf8proc_ssize_t n =
    utf8proc_iterate(s, (utf8proc_ssize_t)(avail < 4 ? avail : 4), &cp);
  return n > 0 ? (size_t)n : 0;
}

bool
serve_utf8_valid(const char* const s, const size_t len)
{
  const unsigned char* const u = (const unsigned char*)s;
  for (size_t i = 0; i < len;) {
    const size_t n = utf8_seq(u + i, len - i);
    if (!n) {
      return false;
    }
    i += n;
  }
  return true;
}

void
buf_json_string(Buf* const b, const char* const s, const size_t len)
{
  const unsigned char* const u = (const unsigned char*)s;
  buf_write(b, "\"", 1);
  size_t run = 0; /* start of the pending plain run */
  for (size_t i = 0; i < len;) {
    const unsigned char c = u[i];
    const size_t        n = utf8_seq(u + i, len - i);
    if (n && c >= 0x20 && c != '"' && c != '\\' && c != 0x7F) {
      i += n;
      continue;
    }
    buf_write(b, s + run, i - run);
    if (!n) {
      buf_puts(b, "\\ufffd");
    } else if (c == '"') {
      buf_puts(b, "\\\"");
    } else if (c == '\\') {
      buf_puts(b, "\\\\");
    } else if (c == '\n') {
      buf_puts(b, "\\n");
    } else if (c == '\r') {
      buf_puts(b, "\\r");
    } else if (c == '\t') {
      buf_puts(b, "\\t");
    } else {
      buf_printf(b, "\\u%04x", c);
    }
    i += 1;
    run = i;
  }
  buf_write(b, s + run, len - run);
  buf_write(b, "\"", 1);
}

void
buf_html(Buf* const b, const char* const s, const size_t len)
{
  size_t run = 0;
  for (size_t i = 0; i < len; ++i) {
    const char* rep = NULL;
    switch (s[i]) {
    case '&':
      rep = "&amp;";
      break;
    case '<':
      rep = "&lt;";
      break;
    case '>':
      rep = "&gt;";
      break;
    case '"':
      rep = "&quot;";
      break;
    default:
      continue;
    }
    buf_write(b, s + run, i - run);
    buf_puts(b, rep);
    run = i + 1;
  }
  buf_write(b, s + run, len - run);
}

/* Append `len` bytes of `s` percent-encoded (unreserved characters, and
 * '/' when `keep_slash`, stay as they are). */
void
buf_pct(Buf* const out, const char* const s, const size_t len,
        const bool keep_slash)
{
  for (size_t i = 0; i < len; ++i) {
    const unsigned char c = (unsigned char)s[i];
    if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
        (c >= '0' && c <= '9') || c == '-' || c == '.' || c == '_' ||
        c == '~' || (c == '/' && keep_slash)) {
      buf_write(out, s + i, 1);
    } else {
      buf_printf(out, "%%%02X", c);
    }
  }
}

char*
buf_take(Buf* const b, size_t* const ret_len)
{
  char* const data = b->data;
  *ret_len         = b->len;
  b->data          = NULL;
  b->len = b->cap = 0;
  return data;
}

void
buf_free(Buf* const b)
{
  free(b->data);
  b->data = NULL;
  b->len = b->cap = 0;
}

/* ------------------------------------------------------------------------
 * Query slots
 * --------------------------------------------------------------------- */

bool
serve_query_cancelled(void* const ctx)
{
  return atomic_load_explicit(&((Serve*)ctx)->cancel, memory_order_relaxed);
}

bool
serve_slot_take(Serve* const s)
{
  pthread_mutex_lock(&s->slot_lock);
  while (s->slots == 0) {
    /* Give up once the server is stopping: what waits has not started. */
    if (s->http && http_server_stopping(s->http)) {
      pthread_mutex_unlock(&s->slot_lock);
      return false;
    }
    struct timespec until;
    clock_gettime(CLOCK_REALTIME, &until);
    until.tv_nsec += 100 * 1000 * 1000;
    if (until.tv_nsec >= 1000000000) {
      until.tv_nsec -= 1000000000;
      ++until.tv_sec;
    }
    pthread_cond_timedwait(&s->slot_free, &s->slot_lock, &until);
  }
  --s->slots;
  pthread_mutex_unlock(&s->slot_lock);
  return true;
}

bool
serve_snapshot(Serve* const s, HttpRequest* const req, FdxTxn** const ret_txn)
{
  *ret_txn = NULL;
  if (!serve_slot_take(s)) {
    serve_error(s, req, 503, "stopping", "the server is stopping");
    return false;
  }
  const FdxStatus st = fdx_txn_begin(s->store, 0, ret_txn);
  if (st) {
    serve_slot_give(s);
    serve_error(s, req, 503, "store_unavailable", "cannot read the store: %s",
                fdx_strerror(st));
    return false;
  }
  return true;
}

void
serve_snapshot_end(Serve* const s, FdxTxn* const txn)
{
  fdx_txn_abort(txn);
  serve_slot_give(s);
}

void
serve_slot_give(Serve* const s)
{
  pthread_mutex_lock(&s->slot_lock);
  ++s->slots;
  pthread_cond_signal(&s->slot_free);
  pthread_mutex_unlock(&s->slot_lock);
}

/* ------------------------------------------------------------------------
 * Negotiation
 * --------------------------------------------------------------------- */

/* The q-value the Accept header gives `offer` ("type/subtype"): that of
 * the most specific matching range; -1 if no range matches. */
static double
accept_q(const char* const accept, const char* const offer)
{
  const char* const slash    = strchr(offer, '/');
  const size_t      type_len = slash ? (size_t)(slash - offer) : strlen(offer);
  double            best_q   = -1;
  int               best_lvl = -1;
  const char*       p        = accept;
  while (*p) {
    while (*p == ' ' || *p == ',' || *p == '\t') {
      ++p;
    }
    if (!*p) {
      break;
    }
    const char* const range = p;
    while (*p && *p != ',' && *p != ';' && *p != ' ') {
      ++p;
    }
    const size_t range_len = (size_t)(p - range);
    double       q         = 1.0;
    while (*p && *p != ',') {
      if (*p == ';') {
        ++p;
        while (*p == ' ') {
          ++p;
        }
        if ((p[0] == 'q' || p[0] == 'Q') && p[1] == '=') {
          q = strtod(p + 2, NULL);
        }
      } else {
        ++p;
      }
    }
    int lvl = -1;
    if (range_len == 3 && !strncmp(range, "*/*", 3)) {
      lvl = 0;
    } else if (range_len == type_len + 2 && !strncasecmp(range, offer, type_len) &&
               range[type_len] == '/' && range[type_len + 1] == '*') {
      lvl = 1;
    } else if (range_len == strlen(offer) && !strncasecmp(range, offer, range_len)) {
      lvl = 2;
    }
    if (lvl > best_lvl) {
      best_lvl = lvl;
      best_q   = q;
    }
  }
  return best_q;
}

int
serve_negotiate(const HttpRequest* const req, const char* const* const offers,
                const size_t n_offers)
{
  const char* const accept = http_header(req, "Accept");
  if (!accept || !*accept) {
    return 0;
  }
  int    best   = -1;
  double best_q = 0;
  for (size_t i = 0; i < n_offers; ++i) {
    const double q = accept_q(accept, offers[i]);
    if (q > best_q) {
      best   = (int)i;
      best_q = q;
    }
  }
  return best;
}

bool
serve_wants_html(const HttpRequest* const req)
{
  static const char* const offers[] = {"application/json", "text/html"};
  const char* const accept = http_header(req, "Accept");
  return accept && strstr(accept, "text/html") &&
         serve_negotiate(req, offers, 2) == 1;
}

/* ------------------------------------------------------------------------
 * Answers
 * --------------------------------------------------------------------- */

static void
cors(HttpRequest* const req)
{
  http_add_header(req, "Access-Control-Allow-Origin", "*");
  http_add_header(req, "Access-Control-Expose-Headers", "ETag, Link, Location");
}

static const char*
reason(const unsigned status)
{
  switch (status) {
  case 400: return "Bad Request";
  case 401: return "Unauthorized";
  case 403: return "Forbidden";
  case 404: return "Not Found";
  case 405: return "Method Not Allowed";
  case 406: return "Not Acceptable";
  case 413: return "Payload Too Large";
  case 415: return "Unsupported Media Type";
  case 500: return "Internal Server Error";
  case 503: return "Service Unavailable";
  default: return "Error";
  }
}

void
serve_error(Serve* const s, HttpRequest* const req, const unsigned status,
            const char* const code, const char* const fmt, ...)
{
  char    message[1024];
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(message, sizeof(message), fmt, ap);
  va_end(ap);
  Buf b;
  memset(&b, 0, sizeof(b));
  const char* type;
  if (serve_wants_html(req) && s &&
      atomic_load_explicit(&s->ready, memory_order_acquire) && s->base) {
    /* A reader's error page: the site's shell, so the way on is there. */
    type = "text/html; charset=utf-8";
    char title[64];
    snprintf(title, sizeof(title), "%u %s", status, reason(status));
    const char* const lang = serve_ui_lang(req);
    serve_ui_head(s, &b, lang, UI_NONE, title, strlen(title));
    buf_printf(&b, "<h1>%s</h1>\n<p class=\"notice error\">", title);
    buf_html(&b, message, strlen(message));
    buf_puts(&b, "</p>\n");
    serve_ui_foot(&b, lang);
  } else if (serve_wants_html(req)) {
    type = "text/html; charset=utf-8";
    buf_printf(&b, "<!DOCTYPE html>\n<html lang=\"en\"><head><meta "
                   "charset=\"utf-8\"><title>%u %s</title></head>\n<body><h1>%u "
                   "%s</h1>\n<p>",
               status, reason(status), status, reason(status));
    buf_html(&b, message, strlen(message));
    buf_puts(&b, "</p>\n<p><a href=\"/\">fairdex</a></p></body></html>\n");
  } else {
    type = "application/json";
    buf_puts(&b, "{\"error\": ");
    buf_json_string(&b, code, strlen(code));
    buf_puts(&b, ", \"message\": ");
    buf_json_string(&b, message, strlen(message));
    buf_puts(&b, "}\n");
  }
  cors(req);
  size_t      len  = 0;
  char* const body = buf_take(&b, &len);
  http_respond(req, status, type, body, body ? len : 0);
}

void
serve_limit_error(Serve* const s, HttpRequest* const req,
                  const FdxError* const err)
{
  const char* code = "query_limit";
  if (strstr(err->message, "cancelled")) {
    code = "stopping";
  } else if (strstr(err->message, "time")) {
    code = "query_timeout";
  } else if (strstr(err->message, "row")) {
    code = "row_limit";
  } else if (strstr(err->message, "memory")) {
    code = "memory_limit";
  }
  serve_error(s, req, 503, code, "%s",
              err->message[0] ? err->message : "a query limit was reached");
}

void
serve_etag(char out[64], const uint64_t generation, const char* const variant,
           const size_t variant_len)
{
  uint64_t h = 1469598103934665603ull;
  for (size_t i = 0; i < variant_len; ++i) {
    h = (h ^ (unsigned char)variant[i]) * 1099511628211ull;
  }
  /* Weak: the gzip and the plain body of one answer share it. */
  snprintf(out, 64, "W/\"g%llu-%016llx\"", (unsigned long long)generation,
           (unsigned long long)h);
}

bool
serve_not_modified(Serve* const s, HttpRequest* const req,
                   const char* const etag)
{
  (void)s;
  const char* const inm = http_header(req, "If-None-Match");
  if (!inm || !etag) {
    return false;
  }
  /* Weak comparison: W/ on either side does not matter. */
  const char*  bare  = strncmp(etag, "W/", 2) ? etag : etag + 2;
  const size_t elen  = strlen(bare);
  bool         match = false;
  for (const char* p = inm; *p && !match;) {
    while (*p == ' ' || *p == ',') {
      ++p;
    }
    if (!strncmp(p, "W/", 2)) {
      p += 2;
    }
    if (*p == '*') {
      match = true;
      break;
    }
    const char* const start = p;
    while (*p && *p != ',') {
      ++p;
    }
    const char* end = p;
    while (end > start && end[-1] == ' ') {
      --end;
    }
    match = (size_t)(end - start) == elen && !strncmp(start, bare, elen);
  }
  if (!match) {
    return false;
  }
  cors(req);
  http_add_header(req, "Vary", "Accept, Accept-Encoding");
  http_add_header(req, "ETag", etag);
  http_respond(req, 304, NULL, NULL, 0);
  return true;
}

bool
serve_accepts_gzip(const HttpRequest* const req)
{
  /* Accept-Encoding: a list of `coding *( ";" param )`; gzip (or "*")
   * counts unless its q is 0. */
  const char* p = http_header(req, "Accept-Encoding");
  if (!p) {
    return false;
  }
  while (*p) {
    while (*p == ' ' || *p == '\t' || *p == ',') {
      ++p;
    }
    const char* const name = p;
    while (*p && *p != ',' && *p != ';' && *p != ' ' && *p != '\t') {
      ++p;
    }
    const size_t len = (size_t)(p - name);
    const bool   gzip = (len == 4 && !strncasecmp(name, "gzip", 4)) ||
                      (len == 6 && !strncasecmp(name, "x-gzip", 6)) ||
                      (len == 1 && name[0] == '*');
    double q = 1.0;
    while (*p && *p != ',') {
      if (*p == ';') {
        ++p;
        while (*p == ' ' || *p == '\t') {
          ++p;
        }
        if ((p[0] == 'q' || p[0] == 'Q') && p[1] == '=') {
          q = strtod(p + 2, NULL);
        }
      } else {
        ++p;
      }
    }
    if (gzip) {
      return q > 0;
    }
  }
  return false;
}

/* gzip `in` into a new buffer; NULL on failure. */
static char*
gzip_bytes(const char* const in, const size_t len, size_t* const ret_len)
{
  z_stream z;
  memset(&z, 0, sizeof(z));
  if (deflateInit2(&z, 1, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY) != Z_OK) {
    return NULL;
  }
  const size_t cap = deflateBound(&z, (uLong)len) + 32;
  char* const  out = (char*)malloc(cap);
  if (!out) {
    deflateEnd(&z);
    return NULL;
  }
  z.next_in   = (Bytef*)in;
  z.avail_in  = (uInt)len;
  z.next_out  = (Bytef*)out;
  z.avail_out = (uInt)cap;
  const int rc = deflate(&z, Z_FINISH);
  *ret_len     = z.total_out;
  deflateEnd(&z);
  if (rc != Z_STREAM_END) {
    free(out);
    return NULL;
  }
  return out;
}

static void
send_answer(Serve* const s, HttpRequest* const req, const unsigned status,
            const char* const content_type, Buf* const body,
            const char* const etag, const char* const key, const size_t key_len,
            const uint64_t generation, const char* const link)
{
  if (body->failed) {
    buf_free(body);
    serve_error(s, req, 500, "internal_error",
                "the answer could not be built (out of memory)");
    return;
  }
  cors(req);
  http_add_header(req, "Vary", "Accept, Accept-Encoding");
  if (etag) {
    http_add_header(req, "ETag", etag);
  }
  if (link) {
    http_add_header(req, "Link", link);
  }
  size_t     len   = 0;
  char*      data  = buf_take(body, &len);
  const bool gz_ok = serve_accepts_gzip(req);
  /* gzip for the client, and for the cache whatever the client takes. */
  char*  z    = NULL;
  size_t zlen = 0;
  const bool cache = key && serve_cache_enabled(s);
  if (len >= 1024 && len < ((size_t)1 << 31) && (gz_ok || cache)) {
    z = gzip_bytes(data, len, &zlen);
  }
  if (cache && data && etag) {
    if (z) {
      serve_cache_put(s, key, key_len, generation, true, len, z, zlen, data,
                      content_type, etag, link);
    } else {
      serve_cache_put(s, key, key_len, generation, false, len, data, len, NULL,
                      content_type, etag, link);
    }
  }
  if (z && gz_ok) {
    free(data);
    data = z;
    len  = zlen;
    http_add_header(req, "Content-Encoding", "gzip");
  } else {
    free(z);
  }
  http_respond(req, status, content_type, data, data ? len : 0);
}

void
serve_send(Serve* const s, HttpRequest* const req, const unsigned status,
           const char* const content_type, Buf* const body,
           const char* const etag)
{
  send_answer(s, req, status, content_type, body, etag, NULL, 0, 0, NULL);
}

void
serve_send_cached(Serve* const s, HttpRequest* const req,
                  const char* const content_type, Buf* const body,
                  const char* const etag, const char* const key,
                  const size_t key_len, const uint64_t generation,
                  const char* const link)
{
  send_answer(s, req, 200, content_type, body, etag, key, key_len, generation,
              link);
}

/* ------------------------------------------------------------------------
 * Parameters (for the routes that check them one by one)
 * --------------------------------------------------------------------- */

bool
serve_only_params(Serve* const s, HttpRequest* const req,
                  const char* const* const names, const size_t n)
{
  const HttpParam* params = NULL;
  size_t           count  = 0;
  http_params(req, &params, &count);
  for (size_t i = 0; i < count; ++i) {
    bool known = false;
    for (size_t k = 0; k < n && !known; ++k) {
      known = !strcmp(params[i].name, names[k]);
    }
    if (!known) {
      serve_error(s, req, 400, "bad_request", "unknown parameter '%s'",
                  params[i].name);
      return false;
    }
    for (size_t j = 0; j < i; ++j) {
      if (!strcmp(params[i].name, params[j].name)) {
        serve_error(s, req, 400, "bad_request", "give '%s' once",
                    params[i].name);
        return false;
      }
    }
  }
  return true;
}

bool
serve_number_param(Serve* const s, HttpRequest* const req,
                   const char* const name, const unsigned long long lo,
                   const unsigned long long hi, const unsigned long long def,
                   unsigned long long* const ret)
{
  const char* const text = http_param(req, name);
  if (!text) {
    *ret = def;
    return true;
  }
  char*                    end = NULL;
  const unsigned long long v   = strtoull(text, &end, 10);
  if (!*text || *end || text[0] == '-' || text[0] == '+' || v < lo ||
      v > hi) {
    serve_error(s, req, 400, "bad_request",
                "%s must be a whole number from %llu to %llu", name, lo, hi);
    return false;
  }
  *ret = v;
  return true;
}

/* ------------------------------------------------------------------------
 * Authorization
 * --------------------------------------------------------------------- */

bool
serve_authorize(Serve* const s, HttpRequest* const req, const FdxRole need)
{
  return serve_authorize_as(s, req, need, NULL);
}

bool
serve_authorize_as(Serve* const s, HttpRequest* const req, const FdxRole need,
                   char* const ret_name)
{
  const char* const auth = http_header(req, "Authorization");
  if (!auth || strncasecmp(auth, "Bearer ", 7)) {
    http_add_header(req, "WWW-Authenticate", "Bearer realm=\"fairdex\"");
    serve_error(s, req, 401, "unauthorized",
                "this needs a bearer token (Authorization: Bearer TOKEN)");
    return false;
  }
  const char* token = auth + 7;
  while (*token == ' ') {
    ++token;
  }
  size_t len = strlen(token);
  while (len && token[len - 1] == ' ') {
    --len;
  }
  FdxTxn* txn = NULL;
  FdxRole role = FDX_ROLE_NONE;
  if (fdx_txn_begin(s->store, 0, &txn) ||
      fdx_token_check(txn, token, len, &role, ret_name)) {
    fdx_txn_abort(txn);
    serve_error(s, req, 500, "internal_error", "cannot read the tokens");
    return false;
  }
  fdx_txn_abort(txn);
  if (role == FDX_ROLE_NONE) {
    http_add_header(req, "WWW-Authenticate",
                    "Bearer realm=\"fairdex\", error=\"invalid_token\"");
    serve_error(s, req, 401, "unauthorized", "the token is not valid");
    return false;
  }
  if (role < need) {
    serve_error(s, req, 403, "forbidden", "this needs a token of role %s",
                fdx_role_name(need));
    return false;
  }
  return true;
}

/* ------------------------------------------------------------------------
 * RDF answers
 * --------------------------------------------------------------------- */

static const char* const rdf_types[RDF_N_KINDS] = {
  "text/turtle", "application/ld+json", "application/rdf+xml",
  "application/n-triples", "text/html"};
static const char* const rdf_names[RDF_N_KINDS] = {
  "turtle", "jsonld", "rdfxml", "ntriples", "html"};

const char*
serve_rdf_content_type(const RdfKind kind)
{
  switch (kind) {
  case RDF_TURTLE: return "text/turtle; charset=utf-8";
  case RDF_JSONLD: return "application/ld+json";
  case RDF_RDFXML: return "application/rdf+xml";
  case RDF_NTRIPLES: return "application/n-triples";
  default: return "text/html; charset=utf-8";
  }
}

FdxFormat
serve_rdf_format(const RdfKind kind)
{
  switch (kind) {
  case RDF_TURTLE: return FDX_FORMAT_TURTLE;
  case RDF_JSONLD: return FDX_FORMAT_JSONLD;
  case RDF_RDFXML: return FDX_FORMAT_RDFXML;
  case RDF_NTRIPLES: return FDX_FORMAT_NTRIPLES;
  default: return FDX_FORMAT_UNKNOWN;
  }
}

int
serve_rdf_kind(Serve* const s, HttpRequest* const req, const bool allow_html)
{
  const char* const format = http_param(req, "format");
  const size_t      n      = allow_html ? RDF_N_KINDS : RDF_HTML;
  if (format) {
    for (size_t i = 0; i < n; ++i) {
      if (!strcmp(format, rdf_names[i])) {
        return (int)i;
      }
    }
    serve_error(s, req, 400, "bad_request",
                "format must be one of turtle, jsonld, rdfxml, ntriples%s",
                allow_html ? ", html" : "");
    return -1;
  }
  /* text/html only when asked for by name: a client sending just
   * "*\/\*" gets Turtle. */
  const char* offers[RDF_N_KINDS + 3];
  memcpy(offers, rdf_types, sizeof(rdf_types));
  offers[RDF_N_KINDS]     = "application/json";
  offers[RDF_N_KINDS + 1] = "text/plain";
  offers[RDF_N_KINDS + 2] = "application/xml";
  const int k = serve_negotiate(req, offers, RDF_N_KINDS + 3);
  if (k == RDF_N_KINDS) {
    return RDF_JSONLD; /* plain JSON clients get JSON-LD */
  }
  if (k == RDF_N_KINDS + 1) {
    return RDF_NTRIPLES;
  }
  if (k == RDF_N_KINDS + 2) {
    return RDF_RDFXML;
  }
  if (k == RDF_HTML && (!allow_html || !strstr(http_header(req, "Accept"),
                                               "text/html"))) {
    return RDF_TURTLE;
  }
  if (k < 0) {
    serve_error(s, req, 406, "not_acceptable",
                "this resource is available as text/turtle, "
                "application/ld+json, application/rdf+xml, "
                "application/n-triples%s",
                allow_html ? " and text/html" : "");
    return -1;
  }
  return k;
}

void
serve_bind_prefixes(Serve* const s, FdxTripleWriter* const w)
{
  static const char* const prefixes[][2] = {
    {"rdf", "http://www.w3.org/1999/02/22-rdf-syntax-ns#"},
    {"rdfs", "http://www.w3.org/2000/01/rdf-schema#"},
    {"xsd", "http://www.w3.org/2001/XMLSchema#"},
    {"dcat", "http://www.w3.org/ns/dcat#"},
    {"dct", "http://purl.org/dc/terms/"},
    {"foaf", "http://xmlns.com/foaf/0.1/"},
    {"vcard", "http://www.w3.org/2006/vcard/ns#"},
    {"skos", "http://www.w3.org/2004/02/skos/core#"},
    {"adms", "http://www.w3.org/ns/adms#"},
    {"prov", "http://www.w3.org/ns/prov#"},
    {"hydra", "http://www.w3.org/ns/hydra/core#"},
    {"sd", "http://www.w3.org/ns/sparql-service-description#"},
    {"owl", "http://www.w3.org/2002/07/owl#"},
    {"healthdcatap", "http://healthdataportal.eu/ns/health#"},
  };
  for (size_t i = 0; i < sizeof(prefixes) / sizeof(prefixes[0]); ++i) {
    fdx_triple_writer_prefix(w, prefixes[i][0], prefixes[i][1]);
  }
  (void)s;
}

void
serve_link(Serve* const s, Buf* const out, const char* const iri,
           const size_t len)
{
  if (len > s->base_len && !strncmp(iri, s->base, s->base_len)) {
    buf_puts(out, "/");
    buf_html(out, iri + s->base_len, len - s->base_len);
  } else if (len > 7 && (!strncmp(iri, "http://", 7) ||
                         !strncmp(iri, "https://", 8))) {
    buf_html(out, iri, len);
  } else {
    buf_puts(out, "/resource?iri=");
    buf_pct(out, iri, len, false);
  }
}

/* ------------------------------------------------------------------------
 * Operations routes
 * --------------------------------------------------------------------- */

static double
now_seconds(const clockid_t clock)
{
  struct timespec ts;
  clock_gettime(clock, &ts);
  return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void
route_healthz(Serve* const s, HttpRequest* const req)
{
  FdxTxn*       txn = NULL;
  FdxStoreStats stats;
  if (fdx_txn_begin(s->store, 0, &txn) || fdx_store_stats(txn, &stats)) {
    fdx_txn_abort(txn);
    serve_error(s, req, 503, "store_unavailable", "cannot read the store");
    return;
  }
  fdx_txn_abort(txn);
  Buf b;
  memset(&b, 0, sizeof(b));
  buf_printf(&b,
             "{\"ok\": true, \"generation\": %llu, \"quads\": %llu, "
             "\"uptime_s\": %.0f}\n",
             (unsigned long long)stats.generation,
             (unsigned long long)stats.quads,
             now_seconds(CLOCK_REALTIME) - s->started);
  http_add_header(req, "Cache-Control", "no-store");
  serve_send(s, req, 200, "application/json", &b, NULL);
}

static const char* const route_names[ROUTE_COUNT] = {
  "/", "/sparql", "/catalog", "/resource", "/dataset/{id}",
  "/distribution/{id}", "/record/{id}", "/vocab/{scheme}/{concept}",
  "/api/changes", "/dump.nq.gz", "/healthz", "/metrics", "/api/datasets",
  "/api/datasets/{id}", "/api/suggest", "/api/openapi.json", "/api/vocab",
  "/api/history", "/api/sources", "/api/sources/{name}/harvest",
  "/api/runs", "/api/runs/{id}", "/ui/{file}", "/vocab", "/admin",
  "/api/history/{id}/revert", "other"};

static const double latency_bounds[LATENCY_BUCKETS] = {
  0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 10};

static void
route_metrics(Serve* const s, HttpRequest* const req)
{
  Buf b;
  memset(&b, 0, sizeof(b));
  buf_puts(&b, "# HELP fairdex_http_requests_total HTTP requests answered, "
               "by route and status.\n"
               "# TYPE fairdex_http_requests_total counter\n");
  Metrics* const m = &s->metrics;
  pthread_mutex_lock(&m->lock);
  for (size_t r = 0; r < ROUTE_COUNT; ++r) {
    for (unsigned st = 0; st < 500; ++st) {
      if (m->requests[r][st]) {
        buf_printf(&b,
                   "fairdex_http_requests_total{route=\"%s\",status=\"%u\"} "
                   "%llu\n",
                   route_names[r], st + 100,
                   (unsigned long long)m->requests[r][st]);
      }
    }
  }
  buf_puts(&b, "# HELP fairdex_http_request_duration_seconds Time from "
               "request to the end of the response.\n"
               "# TYPE fairdex_http_request_duration_seconds histogram\n");
  uint64_t cumulative = 0;
  for (size_t i = 0; i < LATENCY_BUCKETS; ++i) {
    cumulative += m->latency[i];
    buf_printf(&b, "fairdex_http_request_duration_seconds_bucket{le=\"%g\"} "
                   "%llu\n",
               latency_bounds[i], (unsigned long long)cumulative);
  }
  cumulative += m->latency[LATENCY_BUCKETS];
  buf_printf(&b,
             "fairdex_http_request_duration_seconds_bucket{le=\"+Inf\"} %llu\n"
             "fairdex_http_request_duration_seconds_sum %.6f\n"
             "fairdex_http_request_duration_seconds_count %llu\n",
             (unsigned long long)cumulative, m->latency_sum,
             (unsigned long long)m->latency_count);
  pthread_mutex_unlock(&m->lock);
  FdxTxn*       txn = NULL;
  FdxStoreStats stats;
  memset(&stats, 0, sizeof(stats));
  if (!fdx_txn_begin(s->store, 0, &txn)) {
    fdx_store_stats(txn, &stats);
  }
  fdx_txn_abort(txn);
  buf_printf(&b,
             "# HELP fairdex_store_quads Quads in the store.\n"
             "# TYPE fairdex_store_quads gauge\n"
             "fairdex_store_quads %llu\n"
             "# HELP fairdex_store_bytes Size of the store's data file.\n"
             "# TYPE fairdex_store_bytes gauge\n"
             "fairdex_store_bytes %llu\n"
             "# HELP fairdex_store_generation Commits that changed quads.\n"
             "# TYPE fairdex_store_generation counter\n"
             "fairdex_store_generation %llu\n"
             "# HELP fairdex_uptime_seconds Seconds since the server started.\n"
             "# TYPE fairdex_uptime_seconds gauge\n"
             "fairdex_uptime_seconds %.0f\n",
             (unsigned long long)stats.quads,
             (unsigned long long)stats.disk_bytes,
             (unsigned long long)stats.generation,
             now_seconds(CLOCK_REALTIME) - s->started);
  uint64_t hits = 0, misses = 0;
  size_t   cached = 0;
  serve_cache_counts(s->cache, &hits, &misses, &cached);
  buf_printf(&b,
             "# HELP fairdex_cache_hits_total Linked Data and /catalog "
             "answers served from the cache.\n"
             "# TYPE fairdex_cache_hits_total counter\n"
             "fairdex_cache_hits_total %llu\n"
             "# HELP fairdex_cache_misses_total Answers that had to be built.\n"
             "# TYPE fairdex_cache_misses_total counter\n"
             "fairdex_cache_misses_total %llu\n"
             "# HELP fairdex_cache_bytes Bytes held by the answer cache.\n"
             "# TYPE fairdex_cache_bytes gauge\n"
             "fairdex_cache_bytes %zu\n",
             (unsigned long long)hits, (unsigned long long)misses, cached);
  http_add_header(req, "Cache-Control", "no-store");
  serve_send(s, req, 200, "text/plain; version=0.0.4; charset=utf-8", &b, NULL);
}

/* ------------------------------------------------------------------------
 * Router
 * --------------------------------------------------------------------- */

enum {
  R_INDEX, R_SPARQL, R_CATALOG, R_RESOURCE, R_DATASET, R_DISTRIBUTION,
  R_RECORD, R_VOCAB, R_CHANGES, R_DUMP, R_HEALTHZ, R_METRICS, R_DATASETS,
  R_DATASET_ID, R_SUGGEST, R_OPENAPI, R_VOCAB_API, R_HISTORY, R_SOURCES,
  R_SOURCE_HARVEST, R_RUNS, R_RUN, R_UI_ASSET, R_VOCAB_UI, R_ADMIN,
  R_HISTORY_REVERT, R_OTHER
};

static bool
has_prefix(const char* const s, const char* const prefix)
{
  return !strncmp(s, prefix, strlen(prefix));
}

/* True if `method` is one of the comma-separated list `allow`. */
static bool
method_allowed(const char* const allow, const char* const method)
{
  const size_t n = strlen(method);
  for (const char* p = allow; (p = strstr(p, method)); p += n) {
    if ((p == allow || p[-1] == ' ') && (p[n] == ',' || !p[n])) {
      return true;
    }
  }
  return false;
}

/* Copy the path segment at `start` (up to the next '/', which the router
 * made sure is there) into `out`; false when it does not fit. */
static bool
middle_segment(const char* const start, char* const out, const size_t size)
{
  const size_t len = (size_t)(strchr(start, '/') - start);
  if (len >= size) {
    return false;
  }
  memcpy(out, start, len);
  out[len] = '\0';
  return true;
}

static void
handle(void* const ctx, HttpRequest* const req)
{
  Serve* const      s      = (Serve*)ctx;
  const char* const path   = http_path(req);
  const char* const method = http_method(req);
  int               route  = R_OTHER;
  if (!atomic_load_explicit(&s->ready, memory_order_acquire)) {
    http_add_header(req, "Retry-After", "1");
    serve_error(s, req, 503, "starting", "the server is starting; try again");
    return;
  }
  if (!strcmp(path, "/")) {
    route = R_INDEX;
  } else if (!strcmp(path, "/sparql")) {
    route = R_SPARQL;
  } else if (!strcmp(path, "/catalog")) {
    route = R_CATALOG;
  } else if (!strcmp(path, "/resource")) {
    route = R_RESOURCE;
  } else if (has_prefix(path, "/dataset/") && path[9]) {
    route = R_DATASET;
  } else if (has_prefix(path, "/distribution/") && path[14]) {
    route = R_DISTRIBUTION;
  } else if (has_prefix(path, "/record/") && path[8]) {
    route = R_RECORD;
  } else if (has_prefix(path, "/vocab/") && path[7]) {
    /* A browser gets the vocabulary pages; everyone else the concept. */
    route = serve_wants_html(req) && !http_param(req, "format") ? R_VOCAB_UI
                                                                : R_VOCAB;
  } else if (!strcmp(path, "/vocab")) {
    route = R_VOCAB_UI;
  } else if (!strcmp(path, "/admin")) {
    route = R_ADMIN;
  } else if (has_prefix(path, "/ui/") && path[4] && !strchr(path + 4, '/')) {
    route = R_UI_ASSET;
  } else if (!strcmp(path, "/api/changes")) {
    route = R_CHANGES;
  } else if (!strcmp(path, "/dump.nq.gz")) {
    route = R_DUMP;
  } else if (!strcmp(path, "/healthz")) {
    route = R_HEALTHZ;
  } else if (!strcmp(path, "/metrics")) {
    route = R_METRICS;
  } else if (!strcmp(path, "/api/datasets")) {
    route = R_DATASETS;
  } else if (has_prefix(path, "/api/datasets/") && path[14]) {
    route = R_DATASET_ID;
  } else if (!strcmp(path, "/api/suggest")) {
    route = R_SUGGEST;
  } else if (!strcmp(path, "/api/openapi.json")) {
    route = R_OPENAPI;
  } else if (!strcmp(path, "/api/vocab") || has_prefix(path, "/api/vocab/")) {
    route = R_VOCAB_API;
  } else if (!strcmp(path, "/api/history")) {
    route = R_HISTORY;
  } else if (has_prefix(path, "/api/history/") && path[13] &&
             strchr(path + 13, '/') &&
             !strcmp(strchr(path + 13, '/'), "/revert")) {
    route = R_HISTORY_REVERT;
  } else if (!strcmp(path, "/api/sources")) {
    route = R_SOURCES;
  } else if (has_prefix(path, "/api/sources/") && path[13] &&
             strchr(path + 13, '/') &&
             !strcmp(strchr(path + 13, '/'), "/harvest")) {
    route = R_SOURCE_HARVEST;
  } else if (!strcmp(path, "/api/runs")) {
    route = R_RUNS;
  } else if (has_prefix(path, "/api/runs/") && path[10] &&
             !strchr(path + 10, '/')) {
    route = R_RUN;
  }
  http_set_route(req, route_names[route]);
  if (route == R_OTHER) {
    serve_error(s, req, 404, "not_found", "there is nothing at %s", path);
    return;
  }
  const char* const allow = route == R_SPARQL ? "GET, HEAD, POST, OPTIONS"
                            : route == R_SOURCE_HARVEST || route == R_HISTORY_REVERT
                              ? "POST, OPTIONS"
                            : route == R_VOCAB_API
                              ? vocab_allowed_methods(path)
                              : "GET, HEAD, OPTIONS";
  if (!strcmp(method, "OPTIONS")) {
    http_add_header(req, "Allow", allow);
    http_add_header(req, "Access-Control-Allow-Origin", "*");
    http_add_header(req, "Access-Control-Allow-Methods", allow);
    http_add_header(req, "Access-Control-Allow-Headers",
                    "Accept, Authorization, Content-Type, If-Match, "
                    "If-None-Match");
    http_add_header(req, "Access-Control-Max-Age", "86400");
    http_respond(req, 204, NULL, NULL, 0);
    return;
  }
  if (!method_allowed(allow, method)) {
    http_add_header(req, "Allow", allow);
    serve_error(s, req, 405, "method_not_allowed",
                "%s does not take %s (allowed: %s)", path, method, allow);
    return;
  }
  const HttpParam* params = NULL;
  size_t           n      = 0;
  if (!http_params(req, &params, &n)) {
    serve_error(s, req, 400, "bad_request",
                "the query string or form has a broken %%-escape");
    return;
  }
  switch (route) {
  case R_INDEX:
    route_ui_page(s, req, UI_SEARCH);
    break;
  case R_VOCAB_UI:
    route_ui_page(s, req, UI_VOCAB);
    break;
  case R_ADMIN:
    route_ui_page(s, req, UI_ADMIN);
    break;
  case R_UI_ASSET:
    route_ui_asset(s, req, path + 4);
    break;
  case R_SPARQL:
    route_sparql(s, req);
    break;
  case R_CATALOG:
    route_catalog(s, req);
    break;
  case R_RESOURCE: {
    const char* const iri = http_param(req, "iri");
    if (!iri || !*iri) {
      serve_error(s, req, 400, "bad_request", "/resource needs ?iri=IRI");
    } else if (http_param_count(req, "iri") > 1) {
      serve_error(s, req, 400, "bad_request", "give one iri parameter");
    } else {
      route_resource(s, req, iri);
    }
    break;
  }
  case R_DATASET:
  case R_DISTRIBUTION:
  case R_RECORD:
  case R_VOCAB: {
    Buf iri;
    memset(&iri, 0, sizeof(iri));
    buf_puts(&iri, s->base);
    buf_puts(&iri, path + 1);
    if (iri.failed) {
      serve_error(s, req, 500, "internal_error", "out of memory");
    } else {
      route_resource(s, req, iri.data);
    }
    buf_free(&iri);
    break;
  }
  case R_CHANGES:
    route_changes(s, req);
    break;
  case R_DUMP:
    route_dump(s, req);
    break;
  case R_HEALTHZ:
    route_healthz(s, req);
    break;
  case R_METRICS:
    route_metrics(s, req);
    break;
  case R_DATASETS:
    route_datasets(s, req);
    break;
  case R_DATASET_ID:
    route_dataset_by_id(s, req, path + 14);
    break;
  case R_SUGGEST:
    route_suggest(s, req);
    break;
  case R_OPENAPI:
    route_openapi(s, req);
    break;
  case R_VOCAB_API:
    route_vocab(s, req);
    break;
  case R_HISTORY:
    route_history(s, req);
    break;
  case R_SOURCES:
    route_sources(s, req);
    break;
  case R_SOURCE_HARVEST: {
    char name[128];
    if (!middle_segment(path + 13, name, sizeof(name))) {
      serve_error(s, req, 404, "not_found", "there is no such source");
    } else {
      route_source_harvest(s, req, name);
    }
    break;
  }
  case R_RUNS:
    route_runs(s, req);
    break;
  case R_HISTORY_REVERT: {
    char id[32];
    if (!middle_segment(path + 13, id, sizeof(id))) {
      serve_error(s, req, 404, "not_found", "there is no such change");
    } else {
      route_history_revert(s, req, id);
    }
    break;
  }
  case R_RUN:
    route_run(s, req, path + 10);
    break;
  }
}

/* ------------------------------------------------------------------------
 * Access log and metrics
 * --------------------------------------------------------------------- */

/* Requests are counted as their response is queued, so a client that has
 * its answer sees it in /metrics; latency is recorded when it is sent. */
static void
queued(void* const ctx, const HttpRequest* const req, const unsigned status)
{
  Serve* const      s     = (Serve*)ctx;
  const char* const route = http_route(req);
  size_t            r     = R_OTHER;
  for (size_t i = 0; i < ROUTE_COUNT && route_names[i]; ++i) {
    if (!strcmp(route, route_names[i])) {
      r = i;
    }
  }
  Metrics* const m = &s->metrics;
  pthread_mutex_lock(&m->lock);
  if (status >= 100 && status < 600) {
    ++m->requests[r][status - 100];
  }
  pthread_mutex_unlock(&m->lock);
}

static void
completed(void* const ctx, const HttpRequest* const req, const unsigned status,
          const uint64_t bytes, const double seconds, const bool ok)
{
  Serve* const      s     = (Serve*)ctx;
  const char* const route = http_route(req);
  Metrics* const    m     = &s->metrics;
  pthread_mutex_lock(&m->lock);
  size_t bucket = 0;
  while (bucket < LATENCY_BUCKETS && seconds > latency_bounds[bucket]) {
    ++bucket;
  }
  ++m->latency[bucket];
  m->latency_sum += seconds;
  ++m->latency_count;
  pthread_mutex_unlock(&m->lock);
  if (!s->access_log) {
    return;
  }
  const double    now = now_seconds(CLOCK_REALTIME);
  const time_t    sec = (time_t)now;
  struct tm       tm;
  char            stamp[32];
  gmtime_r(&sec, &tm);
  strftime(stamp, sizeof(stamp), "%Y-%m-%dT%H:%M:%S", &tm);
  Buf line;
  memset(&line, 0, sizeof(line));
  buf_printf(&line, "{\"time\": \"%s.%03dZ\", \"remote\": ", stamp,
             (int)((now - (double)sec) * 1000));
  buf_json_string(&line, http_remote(req), strlen(http_remote(req)));
  buf_puts(&line, ", \"method\": ");
  buf_json_string(&line, http_method(req), strlen(http_method(req)));
  buf_puts(&line, ", \"path\": ");
  const char* const path = http_path(req);
  buf_json_string(&line, path, strnlen(path, 2048));
  buf_puts(&line, ", \"route\": ");
  buf_json_string(&line, route, strlen(route));
  buf_printf(&line, ", \"status\": %u, \"bytes\": %llu, \"ms\": %.3f%s}\n",
             status, (unsigned long long)bytes, seconds * 1000,
             ok ? "" : ", \"aborted\": true");
  if (!line.failed) {
    pthread_mutex_lock(&s->log_lock);
    fwrite(line.data, 1, line.len, s->access_log);
    fflush(s->access_log);
    pthread_mutex_unlock(&s->log_lock);
  }
  buf_free(&line);
}

/* ------------------------------------------------------------------------
 * The command
 * --------------------------------------------------------------------- */

enum {
  O_LISTEN, O_BASE, O_THREADS, O_TIMEOUT, O_MAX_ROWS, O_MAX_BODY,
  O_MAX_CONN, O_MAX_PER_CLIENT, O_IDLE, O_ACCESS_LOG, O_CACHE,
  O_HARVEST_CONFIG
};

static const CliOption serve_options[] = {
  {"listen", true, "address and port to listen on (default 127.0.0.1:8080; "
                   "port 0 picks a free one)"},
  {"base", true, "base IRI of the resources this server mints and serves "
                 "(default http://HOST:PORT/)"},
  {"threads", true, "queries evaluated at once (default: the CPU count)"},
  {"query-timeout-ms", true, "time limit per SPARQL query (default 30000)"},
  {"max-rows", true, "row limit per SPARQL query (default 100000)"},
  {"max-body-bytes", true, "largest request body (default 10M)"},
  {"max-connections", true, "open connections at most (default 1024)"},
  {"max-connections-per-client", true,
   "open connections per client address (default 64)"},
  {"idle-timeout-s", true, "close a connection idle this long (default 60)"},
  {"access-log", true, "write the JSON-lines access log here (default "
                       "standard error)"},
  {"cache-bytes", true, "memory for finished Linked Data and /catalog "
                        "answers (default 256M; 0 turns the cache off)"},
  {"harvest-config", true, "harvest the configuration's sources on their "
                           "schedules in the background (see fairdex "
                           "harvest)"},
};
#define N_SERVE_OPTIONS (sizeof(serve_options) / sizeof(serve_options[0]))

static bool
parse_positive(const char* const text, unsigned long long* const ret)
{
  return cli_parse_size(text, ret) && *ret > 0;
}

int
cmd_serve(CliContext* const ctx, const int argc, char** const argv)
{
  static const char synopsis[] =
    "[--listen HOST:PORT] [--base URL] [--threads N] [options]";
  static const char description[] =
    "Serve the store over HTTP: SPARQL 1.1 Protocol at /sparql, Linked Data\n"
    "for the resources under the base IRI, the paged DCAT-AP catalogue at\n"
    "/catalog, the change feed at /api/changes, a dump at /dump.nq.gz, and\n"
    "/healthz and /metrics.  Prints 'listening on URL' once it is ready;\n"
    "SIGTERM or SIGINT stop it after the requests in flight (at most 10 s).";
  for (int k = 1; k < argc; ++k) {
    if (!strcmp(argv[k], "--help")) {
      cli_usage(stdout, "serve", synopsis, description, serve_options,
                N_SERVE_OPTIONS);
      return 0;
    }
  }
  char        host[64] = "127.0.0.1";
  unsigned    port     = 8080;
  const char* base     = NULL;
  const char* log_path = NULL;
  const char* harvest_path = NULL;
  long        ncpu     = sysconf(_SC_NPROCESSORS_ONLN);
  unsigned long long threads = ncpu > 0 ? (unsigned long long)ncpu : 2;
  unsigned long long timeout = 30000, max_rows = 100000;
  unsigned long long max_body = 10u << 20, max_conn = 1024, per_client = 64;
  unsigned long long idle = 60, cache_bytes = 256u << 20;
  CliScan  scan = {argc, argv, 0, serve_options, N_SERVE_OPTIONS, false};
  CliArg   arg;
  int      r;
  while ((r = cli_next(&scan, ctx, "serve", &arg)) > 0) {
    unsigned long long* target = NULL;
    switch (arg.index) {
    case -1:
      cli_error("serve", "unexpected argument '%s'", arg.value);
      return 2;
    case O_LISTEN: {
      const char* const colon = strrchr(arg.value, ':');
      char*             end   = NULL;
      const unsigned long p   = colon ? strtoul(colon + 1, &end, 10) : 0;
      size_t            hlen  = colon ? (size_t)(colon - arg.value) : 0;
      const char*       h     = arg.value;
      if (hlen >= 2 && h[0] == '[' && h[hlen - 1] == ']') {
        ++h;
        hlen -= 2;
      }
      if (!colon || !end || *end || end == colon + 1 || p > 65535 ||
          hlen == 0 || hlen >= sizeof(host)) {
        cli_error("serve", "--listen needs HOST:PORT (e.g. 127.0.0.1:8080), "
                           "not '%s'", arg.value);
        return 2;
      }
      memcpy(host, h, hlen);
      host[hlen] = '\0';
      port       = (unsigned)p;
      break;
    }
    case O_BASE:
      base = arg.value;
      break;
    case O_ACCESS_LOG:
      log_path = arg.value;
      break;
    case O_THREADS: target = &threads; break;
    case O_TIMEOUT: target = &timeout; break;
    case O_MAX_ROWS: target = &max_rows; break;
    case O_MAX_BODY: target = &max_body; break;
    case O_MAX_CONN: target = &max_conn; break;
    case O_MAX_PER_CLIENT: target = &per_client; break;
    case O_IDLE: target = &idle; break;
    case O_HARVEST_CONFIG:
      harvest_path = arg.value;
      break;
    case O_CACHE:
      if (!cli_parse_size(arg.value, &cache_bytes) ||
          cache_bytes > (1ull << 40)) {
        cli_error("serve", "--cache-bytes needs a size like 128M or 0, not "
                           "'%s'", arg.value);
        return 2;
      }
      break;
    }
    if (target && (!parse_positive(arg.value, target) ||
                   *target > (arg.index == O_MAX_BODY ? (1ull << 40)
                                                      : 1000000000ull))) {
      cli_error("serve", "--%s needs a positive number, not '%s'",
                serve_options[arg.index].name, arg.value);
      return 2;
    }
  }
  if (r < 0) {
    return 2;
  }
  if (base && (strncmp(base, "http://", 7) && strncmp(base, "https://", 8))) {
    cli_error("serve", "--base must be an http:// or https:// IRI, not '%s'",
              base);
    return 2;
  }

  FdxHarvestConfig* harvest_config = NULL;
  if (harvest_path) {
    FdxError herr;
    memset(&herr, 0, sizeof(herr));
    if (fdx_harvest_config_load(harvest_path, &harvest_config, &herr)) {
      if (herr.line) {
        cli_error("serve", "%s:%ld:%ld: %s", harvest_path, herr.line,
                  herr.column, herr.message);
      } else {
        cli_error("serve", "%s: %s", harvest_path, herr.message);
      }
      return 2;
    }
  }

  Serve s;
  memset(&s, 0, sizeof(s));
  s.timeout_ms     = timeout;
  s.max_rows       = max_rows;
  s.max_body_bytes = (size_t)max_body;
  s.slots          = (unsigned)threads;
  s.started        = now_seconds(CLOCK_REALTIME);
  pthread_mutex_init(&s.slot_lock, NULL);
  pthread_cond_init(&s.slot_free, NULL);
  pthread_mutex_init(&s.log_lock, NULL);
  pthread_mutex_init(&s.metrics.lock, NULL);
  pthread_mutex_init(&s.members.lock, NULL);
  s.cache      = serve_cache_new((size_t)cache_bytes);
  s.access_log = stderr;
  if (log_path && !(s.access_log = fopen(log_path, "a"))) {
    cli_error("serve", "cannot open the access log %s: %s", log_path,
              strerror(errno));
    serve_cache_free(s.cache);
    return 1;
  }
  if (base) {
    ctx->base = base; /* IRIs minted at the store's first open */
  }
  s.store = cli_open_store(ctx, "serve", FDX_STORE_CREATE);
  if (!s.store) {
    if (log_path) {
      fclose(s.access_log);
    }
    serve_cache_free(s.cache);
    fdx_harvest_config_free(harvest_config);
    return 1;
  }
  /* Searches score and count from an in-memory copy of the index's
   * document records (rebuilt as commits come); without one they read
   * the store, with the same answers, only slower. */
  if (fdx_search_keep_columns(s.store, true)) {
    fprintf(stderr, "fairdex serve: warning: searches will read the store "
                    "(no in-memory copy of the search documents)\n");
  }
  if (harvest_config && !(s.harvest = serve_harvest_new(&s, harvest_config))) {
    cli_error("serve", "out of memory");
    fdx_harvest_config_free(harvest_config);
    fdx_store_free(s.store);
    serve_cache_free(s.cache);
    return 1;
  }

  /* Signals: every thread blocks them; the main thread waits for them. */
  sigset_t stop_signals;
  sigemptyset(&stop_signals);
  sigaddset(&stop_signals, SIGTERM);
  sigaddset(&stop_signals, SIGINT);
  pthread_sigmask(SIG_BLOCK, &stop_signals, NULL);
  signal(SIGPIPE, SIG_IGN);

  HttpServerConfig cfg;
  memset(&cfg, 0, sizeof(cfg));
  cfg.host             = host;
  cfg.port             = port;
  cfg.max_connections  = (unsigned)max_conn;
  cfg.max_per_client   = (unsigned)per_client;
  cfg.idle_timeout_s   = (unsigned)idle;
  cfg.max_body_bytes   = (size_t)max_body;
  cfg.max_header_bytes = 64 * 1024;
  cfg.handler          = handle;
  cfg.queued           = queued;
  cfg.completed        = completed;
  cfg.ctx              = &s;
  const char* why      = NULL;
  s.http               = http_server_start(&cfg, &why);
  int status           = 0;
  if (!s.http) {
    cli_error("serve", "cannot listen on %s:%u: %s", host, port, why);
    status = 1;
    goto done;
  }
  const unsigned bound = http_server_port(s.http);
  const bool     v6    = strchr(host, ':') != NULL;
  char*          made  = NULL;
  if (base) {
    const size_t len = strlen(base);
    made             = (char*)malloc(len + 2);
    if (made) {
      memcpy(made, base, len + 1);
      if (len == 0 || base[len - 1] != '/') {
        strcat(made, "/");
      }
    }
  } else if (asprintf(&made, v6 ? "http://[%s]:%u/" : "http://%s:%u/", host,
                      bound) < 0) {
    made = NULL;
  }
  if (!made) {
    cli_error("serve", "out of memory");
    status = 1;
    goto done;
  }
  /* The router answers 503 until the base is there (the daemon accepts
   * from the moment it starts, and the base may need the bound port). */
  s.base_len = strlen(made);
  s.base     = made;
  if (s.harvest && !serve_harvest_start(s.harvest)) {
    cli_error("serve", "cannot start the harvest scheduler");
    status = 1;
    goto done;
  }
  atomic_store_explicit(&s.ready, true, memory_order_release);
  printf(v6 ? "listening on http://[%s]:%u/\n" : "listening on http://%s:%u/\n",
         host, bound);
  fflush(stdout);

  int sig = 0;
  sigwait(&stop_signals, &sig);
  http_server_quiesce(s.http);
  const double deadline = now_seconds(CLOCK_MONOTONIC) + 10.0;
  while (http_server_in_flight(s.http) > 0 &&
         now_seconds(CLOCK_MONOTONIC) < deadline) {
    const struct timespec tick = {0, 20 * 1000 * 1000};
    nanosleep(&tick, NULL);
  }
  /* Past the grace: queries still running end now (503 stopping), and
   * their answers get a moment to go out. */
  atomic_store(&s.cancel, true);
  const double last = now_seconds(CLOCK_MONOTONIC) + 1.0;
  while (http_server_in_flight(s.http) > 0 &&
         now_seconds(CLOCK_MONOTONIC) < last) {
    const struct timespec tick = {0, 20 * 1000 * 1000};
    nanosleep(&tick, NULL);
  }

done:
  atomic_store(&s.cancel, true);
  serve_harvest_free(s.harvest); /* a run in progress stops, deleting nothing */
  http_server_stop(s.http);
  fdx_store_free(s.store);
  serve_cache_free(s.cache);
  free(s.base);
  if (log_path) {
    fclose(s.access_log);
  }
  free(s.members.ids);
  free(s.members.kinds);
  free(s.members.own);
  pthread_mutex_destroy(&s.members.lock);
  pthread_mutex_destroy(&s.metrics.lock);
  pthread_mutex_destroy(&s.log_lock);
  pthread_cond_destroy(&s.slot_free);
  pthread_mutex_destroy(&s.slot_lock);
  return status;
}
