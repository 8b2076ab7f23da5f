/*
 * http_server.h: the HTTP layer of `fairdex serve`, the only place that
 * knows libmicrohttpd.  It accepts connections (one thread each, so a slow
 * query or a long download never holds up another client), enforces the
 * connection, header, body and idle limits, reads the whole request body,
 * splits the target into a decoded path and parameters, and hands one
 * complete HttpRequest to the application's handler, which answers with a
 * buffered body or a streamed one.  It also counts requests in flight, so
 * a graceful stop can wait for them.
 */
#ifndef FDX_HTTP_SERVER_H
#define FDX_HTTP_SERVER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

typedef struct HttpServer  HttpServer;
typedef struct HttpRequest HttpRequest;

/* One decoded name=value pair of the query string or a form body. */
typedef struct {
  char*  name;
  char*  value;
  size_t value_len;
} HttpParam;

/* A streamed body: fill `buf` with at most `cap` bytes and return how many
 * (> 0), 0 at the end, or -1 to abort the response (the connection is
 * closed).  Called from the connection's thread, one call at a time. */
typedef ssize_t (*HttpStreamFunc)(void* ctx, char* buf, size_t cap);
typedef void (*HttpFreeFunc)(void* ctx);

/* The application's handler: answer `req` with one http_respond*() call
 * (or none: the server then answers 500). */
typedef void (*HttpHandler)(void* ctx, HttpRequest* req);

/* Called once per request when its response is done (sent, or the client
 * went away), with the status and the body bytes sent.  For logging and
 * metrics. */
typedef void (*HttpCompleted)(void* ctx, const HttpRequest* req,
                              unsigned status, uint64_t bytes,
                              double seconds, bool completed);

/* Called once per request as its response is queued, before any of it is
 * sent, with the status.  A client that has read the response therefore
 * sees it counted (the request counters of /metrics). */
typedef void (*HttpQueued)(void* ctx, const HttpRequest* req, unsigned status);

typedef struct {
  const char*   host;           /* numeric IPv4/IPv6 address to bind */
  unsigned      port;           /* 0: any free port */
  unsigned      max_connections;
  unsigned      max_per_client; /* per client address */
  unsigned      idle_timeout_s;
  size_t        max_body_bytes; /* larger bodies get 413 */
  size_t        max_header_bytes;
  HttpHandler   handler;
  HttpQueued    queued;
  HttpCompleted completed;
  void*         ctx;
} HttpServerConfig;

/* Start serving in background threads.  On failure prints nothing, returns
 * NULL and sets *ret_error to a static description. */
HttpServer*
http_server_start(const HttpServerConfig* config, const char** ret_error);

/* The port actually bound. */
unsigned
http_server_port(const HttpServer* server);

/* Stop accepting new connections (requests in flight go on). */
void
http_server_quiesce(HttpServer* server);

/* Requests whose response has not finished yet. */
unsigned
http_server_in_flight(const HttpServer* server);

/* Close every connection and free the server (NULL is fine). */
void
http_server_stop(HttpServer* server);

/* ---- the request ---- */

const char* http_method(const HttpRequest* req);   /* "GET", "POST", ... */
const char* http_path(const HttpRequest* req);     /* decoded, no query */
const char* http_remote(const HttpRequest* req);   /* client address */
/* A request header (case-insensitive name), or NULL. */
const char* http_header(const HttpRequest* req, const char* name);
const char* http_body(const HttpRequest* req, size_t* ret_len);
/* Decoded parameters of the query string, then (for a form POST) the
 * body's; NULL/0 when there are none.  False if they could not be decoded
 * (a bad %-escape). */
bool http_params(HttpRequest* req, const HttpParam** ret, size_t* ret_n);
/* The first value of parameter `name`, or NULL. */
const char* http_param(HttpRequest* req, const char* name);
/* How many times parameter `name` occurs. */
size_t http_param_count(HttpRequest* req, const char* name);
/* The raw query string (after '?', undecoded), or "". */
const char* http_query_string(const HttpRequest* req);

/* ---- the response ---- */

/* Add a response header (copied) for the response about to be made. */
void http_add_header(HttpRequest* req, const char* name, const char* value);

/* Answer with `len` bytes of `body`, which must come from malloc and is
 * freed by the server (NULL with len 0 for no body).  `content_type` may
 * be NULL. */
void http_respond(HttpRequest* req, unsigned status, const char* content_type,
                  char* body, size_t len);

/* Answer with `len` bytes at `data` that someone else owns: `release(ctx)`
 * is called once the server is done with them. */
void http_respond_shared(HttpRequest* req, unsigned status,
                         const char* content_type, const char* data,
                         size_t len, HttpFreeFunc release, void* ctx);

/* Answer with a streamed body of unknown length. */
void http_respond_stream(HttpRequest* req, unsigned status,
                         const char* content_type, HttpStreamFunc read,
                         void* ctx, HttpFreeFunc free_ctx);

/* The status of the response made, 0 before. */
unsigned http_status(const HttpRequest* req);

/* The route name the application gave the request (for the log and
 * metrics), or "". */
const char* http_route(const HttpRequest* req);
void        http_set_route(HttpRequest* req, const char* route);

/* True once http_server_stop() has begun: long streams should end. */
bool http_server_stopping(const HttpServer* server);

#endif /* FDX_HTTP_SERVER_H */
