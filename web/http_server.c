/*
 * http_server.c: libmicrohttpd under `fairdex serve` (see http_server.h).
 *
 * One thread per connection (MHD_USE_THREAD_PER_CONNECTION with poll), so
 * a query that runs for seconds, or a dump that streams for minutes, only
 * ever holds its own connection; idle connections cost a sleeping thread.
 * How much work runs at once is the application's business (serve.c keeps
 * a count of query slots).
 *
 * A request is created in the URI-log callback, which is the one place
 * libmicrohttpd shows the raw request target: we decode the path and the
 * query string ourselves ('+' is a space in a query string, %XX escapes
 * must be complete).  The body is read whole, up to the configured limit,
 * before the handler runs; a Content-Length over the limit is refused with
 * 413 before any of the body is read.
 */
#include "http_server.h"

#include <arpa/inet.h>
#include <microhttpd.h>
#include <netinet/in.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

struct HttpServer {
  struct MHD_Daemon* daemon;
  HttpServerConfig   cfg;
  unsigned           port;
  atomic_uint        in_flight;
  atomic_bool        stopping;
};

typedef struct StreamWrap StreamWrap;

typedef struct {
  char* name;
  char* value;
} HeaderPair;

struct HttpRequest {
  HttpServer*            server;
  struct MHD_Connection* conn;
  char*                  target;       /* raw request target */
  char*                  path;         /* decoded path */
  const char*            query_string; /* into target, "" if none */
  char                   method[16];
  char                   remote[64];
  char*                  body;
  size_t                 body_len;
  size_t                 body_cap;
  bool                   started;
  bool                   too_large;
  bool                   bad_path;
  bool                   no_host;
  bool                   responded;
  bool                   params_parsed;
  bool                   params_ok;
  HttpParam*             params;
  size_t                 n_params;
  HeaderPair*            headers;
  size_t                 n_headers;
  unsigned               status;
  uint64_t               bytes;
  struct timespec        start;
  const char*            route;
  StreamWrap*            stream;
};

struct StreamWrap {
  HttpRequest*   req;
  HttpStreamFunc read;
  HttpFreeFunc   free_ctx;
  void*          ctx;
  uint64_t       bytes;
};

/* ------------------------------------------------------------------------
 * Decoding
 * --------------------------------------------------------------------- */

static int
hex_value(const char c)
{
  if (c >= '0' && c <= '9') {
    return c - '0';
  }
  if (c >= 'a' && c <= 'f') {
    return c - 'a' + 10;
  }
  if (c >= 'A' && c <= 'F') {
    return c - 'A' + 10;
  }
  return -1;
}

/* Decode `len` bytes of `s` (percent escapes; '+' as a space when
 * `plus_space`) into a new NUL-terminated string.  NULL for a broken
 * escape or an encoded NUL. */
static char*
percent_decode(const char* const s, const size_t len, const bool plus_space,
               size_t* const ret_len)
{
  char* const out = (char*)malloc(len + 1);
  if (!out) {
    return NULL;
  }
  size_t n = 0;
  for (size_t i = 0; i < len; ++i) {
    char c = s[i];
    if (c == '%') {
      if (i + 2 >= len) {
        free(out);
        return NULL;
      }
      const int a = hex_value(s[i + 1]);
      const int b = a < 0 ? -1 : hex_value(s[i + 2]);
      if (b < 0 || (a == 0 && b == 0)) {
        free(out);
        return NULL;
      }
      c = (char)(a * 16 + b);
      i += 2;
    } else if (c == '+' && plus_space) {
      c = ' ';
    }
    out[n++] = c;
  }
  out[n] = '\0';
  if (ret_len) {
    *ret_len = n;
  }
  return out;
}

/* Append the pairs of an application/x-www-form-urlencoded string. */
static bool
parse_form(HttpRequest* const req, const char* const s, const size_t len)
{
  size_t i = 0;
  while (i < len) {
    size_t end = i;
    while (end < len && s[end] != '&') {
      ++end;
    }
    if (end > i) {
      size_t eq = i;
      while (eq < end && s[eq] != '=') {
        ++eq;
      }
      HttpParam* const grown = (HttpParam*)realloc(
        req->params, (req->n_params + 1) * sizeof(HttpParam));
      if (!grown) {
        return false;
      }
      req->params   = grown;
      HttpParam* p = &req->params[req->n_params];
      p->name      = percent_decode(s + i, eq - i, true, NULL);
      p->value     = eq < end ? percent_decode(s + eq + 1, end - eq - 1, true,
                                               &p->value_len)
                              : (p->value_len = 0, strdup(""));
      if (!p->name || !p->value) {
        free(p->name);
        free(p->value);
        return false;
      }
      ++req->n_params;
    }
    i = end + 1;
  }
  return true;
}

/* ------------------------------------------------------------------------
 * Request accessors
 * --------------------------------------------------------------------- */

const char*
http_method(const HttpRequest* const req)
{
  return req->method;
}

const char*
http_path(const HttpRequest* const req)
{
  return req->path ? req->path : "";
}

const char*
http_remote(const HttpRequest* const req)
{
  return req->remote;
}

const char*
http_query_string(const HttpRequest* const req)
{
  return req->query_string ? req->query_string : "";
}

const char*
http_header(const HttpRequest* const req, const char* const name)
{
  return MHD_lookup_connection_value(req->conn, MHD_HEADER_KIND, name);
}

const char*
http_body(const HttpRequest* const req, size_t* const ret_len)
{
  *ret_len = req->body_len;
  return req->body ? req->body : "";
}

bool
http_params(HttpRequest* const req, const HttpParam** const ret,
            size_t* const ret_n)
{
  if (!req->params_parsed) {
    req->params_parsed = true;
    req->params_ok     = parse_form(req, http_query_string(req),
                                    strlen(http_query_string(req)));
    const char* const type = http_header(req, "Content-Type");
    if (req->params_ok && type && !strcmp(req->method, "POST") &&
        !strncasecmp(type, "application/x-www-form-urlencoded", 33) &&
        (type[33] == '\0' || type[33] == ';' || type[33] == ' ')) {
      req->params_ok = parse_form(req, req->body ? req->body : "", req->body_len);
    }
  }
  *ret   = req->params;
  *ret_n = req->n_params;
  return req->params_ok;
}

const char*
http_param(HttpRequest* const req, const char* const name)
{
  const HttpParam* p = NULL;
  size_t           n = 0;
  http_params(req, &p, &n);
  for (size_t i = 0; i < n; ++i) {
    if (!strcmp(p[i].name, name)) {
      return p[i].value;
    }
  }
  return NULL;
}

size_t
http_param_count(HttpRequest* const req, const char* const name)
{
  const HttpParam* p = NULL;
  size_t           n = 0, count = 0;
  http_params(req, &p, &n);
  for (size_t i = 0; i < n; ++i) {
    count += !strcmp(p[i].name, name);
  }
  return count;
}

unsigned
http_status(const HttpRequest* const req)
{
  return req->status;
}

const char*
http_route(const HttpRequest* const req)
{
  return req->route ? req->route : "";
}

void
http_set_route(HttpRequest* const req, const char* const route)
{
  req->route = route;
}

bool
http_server_stopping(const HttpServer* const server)
{
  return atomic_load(&server->stopping);
}

/* ------------------------------------------------------------------------
 * Responses
 * --------------------------------------------------------------------- */

void
http_add_header(HttpRequest* const req, const char* const name,
                const char* const value)
{
  HeaderPair* const grown = (HeaderPair*)realloc(
    req->headers, (req->n_headers + 1) * sizeof(HeaderPair));
  if (!grown) {
    return;
  }
  req->headers = grown;
  grown[req->n_headers].name  = strdup(name);
  grown[req->n_headers].value = strdup(value);
  if (grown[req->n_headers].name && grown[req->n_headers].value) {
    ++req->n_headers;
  } else {
    free(grown[req->n_headers].name);
    free(grown[req->n_headers].value);
  }
}

static void
queue(HttpRequest* const req, const unsigned status,
      const char* const content_type, struct MHD_Response* const resp)
{
  if (!resp) {
    return;
  }
  if (content_type) {
    MHD_add_response_header(resp, "Content-Type", content_type);
  }
  for (size_t i = 0; i < req->n_headers; ++i) {
    MHD_add_response_header(resp, req->headers[i].name, req->headers[i].value);
  }
  if (atomic_load(&req->server->stopping)) {
    MHD_add_response_header(resp, "Connection", "close");
  }
  if (MHD_queue_response(req->conn, status, resp) == MHD_YES) {
    req->responded = true;
    req->status    = status;
    if (req->server->cfg.queued && req->started) {
      req->server->cfg.queued(req->server->cfg.ctx, req, status);
    }
  }
  MHD_destroy_response(resp);
}

void
http_respond(HttpRequest* const req, const unsigned status,
             const char* const content_type, char* const body,
             const size_t len)
{
  if (req->responded) {
    free(body);
    return;
  }
  struct MHD_Response* const resp = MHD_create_response_from_buffer(
    len, body ? body : (void*)"", body ? MHD_RESPMEM_MUST_FREE : MHD_RESPMEM_PERSISTENT);
  if (!resp) {
    free(body);
    return;
  }
  req->bytes = strcmp(req->method, "HEAD") ? len : 0;
  queue(req, status, content_type, resp);
}

void
http_respond_shared(HttpRequest* const req, const unsigned status,
                    const char* const content_type, const char* const data,
                    const size_t len, const HttpFreeFunc release,
                    void* const ctx)
{
  struct MHD_Response* const resp =
    req->responded ? NULL
                   : MHD_create_response_from_buffer_with_free_callback_cls(
                       len, (void*)data, release, ctx);
  if (!resp) {
    release(ctx);
    return;
  }
  req->bytes = strcmp(req->method, "HEAD") ? len : 0;
  queue(req, status, content_type, resp);
}

static ssize_t
stream_read(void* const cls, const uint64_t pos, char* const buf,
            const size_t max)
{
  (void)pos;
  StreamWrap* const w = (StreamWrap*)cls;
  const ssize_t     n = w->read(w->ctx, buf, max);
  if (n > 0) {
    w->bytes += (uint64_t)n;
    return n;
  }
  return n == 0 ? MHD_CONTENT_READER_END_OF_STREAM
                : MHD_CONTENT_READER_END_WITH_ERROR;
}

static void
stream_free(void* const cls)
{
  StreamWrap* const w = (StreamWrap*)cls;
  if (w->req) {
    w->req->bytes += w->bytes;
    w->req->stream = NULL;
  }
  if (w->free_ctx) {
    w->free_ctx(w->ctx);
  }
  free(w);
}

void
http_respond_stream(HttpRequest* const req, const unsigned status,
                    const char* const content_type, const HttpStreamFunc read,
                    void* const ctx, const HttpFreeFunc free_ctx)
{
  StreamWrap* const w = (StreamWrap*)calloc(1, sizeof(StreamWrap));
  if (!w || req->responded) {
    free(w);
    if (free_ctx) {
      free_ctx(ctx);
    }
    return;
  }
  w->req      = req;
  w->read     = read;
  w->free_ctx = free_ctx;
  w->ctx      = ctx;
  struct MHD_Response* const resp = MHD_create_response_from_callback(
    MHD_SIZE_UNKNOWN, 65536, stream_read, w, stream_free);
  if (!resp) {
    stream_free(w);
    return;
  }
  req->stream = w;
  queue(req, status, content_type, resp);
}

/* ------------------------------------------------------------------------
 * libmicrohttpd callbacks
 * --------------------------------------------------------------------- */

static void*
on_uri(void* const cls, const char* const uri, struct MHD_Connection* const conn)
{
  HttpServer* const  server = (HttpServer*)cls;
  HttpRequest* const req    = (HttpRequest*)calloc(1, sizeof(HttpRequest));
  if (!req) {
    return NULL;
  }
  atomic_fetch_add(&server->in_flight, 1);
  clock_gettime(CLOCK_MONOTONIC, &req->start);
  req->server = server;
  req->conn   = conn;
  req->target = strdup(uri ? uri : "");
  if (req->target) {
    char* const q = strchr(req->target, '?');
    if (q) {
      *q                = '\0';
      req->query_string = q + 1;
    } else {
      req->query_string = "";
    }
    req->path = percent_decode(req->target, strlen(req->target), false, NULL);
    if (q) {
      *q = '?';
    }
    if (!req->path) {
      req->bad_path = true;
    }
  }
  return req;
}

static void
free_request(HttpRequest* const req)
{
  for (size_t i = 0; i < req->n_params; ++i) {
    free(req->params[i].name);
    free(req->params[i].value);
  }
  for (size_t i = 0; i < req->n_headers; ++i) {
    free(req->headers[i].name);
    free(req->headers[i].value);
  }
  free(req->params);
  free(req->headers);
  free(req->body);
  free(req->path);
  free(req->target);
  free(req);
}

static void
on_completed(void* const cls, struct MHD_Connection* const conn,
             void** const con_cls, const enum MHD_RequestTerminationCode toe)
{
  (void)conn;
  HttpServer* const  server = (HttpServer*)cls;
  HttpRequest* const req    = (HttpRequest*)*con_cls;
  if (!req) {
    return;
  }
  *con_cls = NULL;
  if (req->stream) {
    req->bytes += req->stream->bytes;
    req->stream->req = NULL;
    req->stream      = NULL;
  }
  struct timespec now;
  clock_gettime(CLOCK_MONOTONIC, &now);
  const double seconds = (double)(now.tv_sec - req->start.tv_sec) +
                         (double)(now.tv_nsec - req->start.tv_nsec) / 1e9;
  if (server->cfg.completed && req->started) {
    server->cfg.completed(server->cfg.ctx, req, req->status, req->bytes,
                          seconds, toe == MHD_REQUEST_TERMINATED_COMPLETED_OK);
  }
  free_request(req);
  atomic_fetch_sub(&server->in_flight, 1);
}

static void
respond_plain_error(HttpRequest* const req, const unsigned status,
                    const char* const code, const char* const message)
{
  char* body = NULL;
  const int n = asprintf(&body, "{\"error\": \"%s\", \"message\": \"%s\"}\n",
                         code, message);
  if (n < 0) {
    return;
  }
  http_add_header(req, "Connection", "close");
  http_add_header(req, "Access-Control-Allow-Origin", "*");
  http_respond(req, status, "application/json", body, (size_t)n);
}

static enum MHD_Result
on_access(void* const cls, struct MHD_Connection* const conn,
          const char* const url, const char* const method,
          const char* const version, const char* const upload_data,
          size_t* const upload_data_size, void** const con_cls)
{
  (void)url;
  HttpServer* const  server = (HttpServer*)cls;
  HttpRequest* const req    = (HttpRequest*)*con_cls;
  if (!req) {
    return MHD_NO; /* out of memory: drop the connection */
  }
  if (!req->started) {
    req->started = true;
    req->conn    = conn;
    snprintf(req->method, sizeof(req->method), "%s", method);
    /* RFC 9112: an HTTP/1.1 request without Host is refused. */
    req->no_host = version && !strcmp(version, "HTTP/1.1") &&
                   !MHD_lookup_connection_value(conn, MHD_HEADER_KIND, "Host");
    const union MHD_ConnectionInfo* const info =
      MHD_get_connection_info(conn, MHD_CONNECTION_INFO_CLIENT_ADDRESS);
    if (info && info->client_addr) {
      const struct sockaddr* const sa = info->client_addr;
      if (sa->sa_family == AF_INET) {
        inet_ntop(AF_INET, &((const struct sockaddr_in*)sa)->sin_addr,
                  req->remote, sizeof(req->remote));
      } else if (sa->sa_family == AF_INET6) {
        inet_ntop(AF_INET6, &((const struct sockaddr_in6*)sa)->sin6_addr,
                  req->remote, sizeof(req->remote));
      }
    }
    const char* const length =
      MHD_lookup_connection_value(conn, MHD_HEADER_KIND, "Content-Length");
    if (length) {
      char* end = NULL;
      const unsigned long long n = strtoull(length, &end, 10);
      if (end != length && n > server->cfg.max_body_bytes) {
        req->route = "";
        respond_plain_error(req, 413, "payload_too_large",
                            "the request body is larger than the server "
                            "accepts");
        return req->responded ? MHD_YES : MHD_NO;
      }
    }
    return MHD_YES;
  }
  if (*upload_data_size) {
    if (!req->too_large && !req->responded) {
      const size_t n = *upload_data_size;
      if (req->body_len + n > server->cfg.max_body_bytes) {
        req->too_large = true;
        free(req->body);
        req->body     = NULL;
        req->body_len = req->body_cap = 0;
      } else {
        if (req->body_len + n + 1 > req->body_cap) {
          size_t cap = req->body_cap ? req->body_cap : 4096;
          while (cap < req->body_len + n + 1) {
            cap *= 2;
          }
          char* const grown = (char*)realloc(req->body, cap);
          if (!grown) {
            return MHD_NO;
          }
          req->body     = grown;
          req->body_cap = cap;
        }
        memcpy(req->body + req->body_len, upload_data, n);
        req->body_len += n;
        req->body[req->body_len] = '\0';
      }
    }
    *upload_data_size = 0;
    return MHD_YES;
  }
  if (req->responded) {
    return MHD_YES;
  }
  if (req->too_large) {
    respond_plain_error(req, 413, "payload_too_large",
                        "the request body is larger than the server accepts");
  } else if (req->bad_path) {
    respond_plain_error(req, 400, "bad_request",
                        "the request path has a broken %-escape");
  } else if (req->no_host) {
    respond_plain_error(req, 400, "bad_request",
                        "an HTTP/1.1 request needs a Host header");
  } else {
    server->cfg.handler(server->cfg.ctx, req);
    if (!req->responded) {
      respond_plain_error(req, 500, "internal_error",
                          "the server could not make a response");
    }
  }
  return req->responded ? MHD_YES : MHD_NO;
}

/* ------------------------------------------------------------------------
 * The daemon
 * --------------------------------------------------------------------- */

HttpServer*
http_server_start(const HttpServerConfig* const config,
                  const char** const            ret_error)
{
  HttpServer* const server = (HttpServer*)calloc(1, sizeof(HttpServer));
  if (!server) {
    *ret_error = "out of memory";
    return NULL;
  }
  server->cfg = *config;
  atomic_init(&server->in_flight, 0);
  atomic_init(&server->stopping, false);

  struct sockaddr_storage addr;
  memset(&addr, 0, sizeof(addr));
  unsigned flags = MHD_USE_THREAD_PER_CONNECTION | MHD_USE_INTERNAL_POLLING_THREAD |
                   MHD_USE_POLL | MHD_USE_ITC;
  struct sockaddr_in* const  a4 = (struct sockaddr_in*)&addr;
  struct sockaddr_in6* const a6 = (struct sockaddr_in6*)&addr;
  if (inet_pton(AF_INET, config->host, &a4->sin_addr) == 1) {
    a4->sin_family = AF_INET;
    a4->sin_port   = htons((uint16_t)config->port);
  } else if (inet_pton(AF_INET6, config->host, &a6->sin6_addr) == 1) {
    a6->sin6_family = AF_INET6;
    a6->sin6_port   = htons((uint16_t)config->port);
    flags |= MHD_USE_IPv6;
  } else {
    free(server);
    *ret_error = "the listen address must be a numeric IPv4 or IPv6 address";
    return NULL;
  }
  server->daemon = MHD_start_daemon(
    flags, (uint16_t)config->port, NULL, NULL, on_access, server,
    MHD_OPTION_SOCK_ADDR, (struct sockaddr*)&addr,
    MHD_OPTION_URI_LOG_CALLBACK, on_uri, server,
    MHD_OPTION_NOTIFY_COMPLETED, on_completed, server,
    MHD_OPTION_CONNECTION_LIMIT, (unsigned)config->max_connections,
    MHD_OPTION_PER_IP_CONNECTION_LIMIT, (unsigned)config->max_per_client,
    MHD_OPTION_CONNECTION_TIMEOUT, (unsigned)config->idle_timeout_s,
    MHD_OPTION_CONNECTION_MEMORY_LIMIT, (size_t)config->max_header_bytes,
    MHD_OPTION_LISTENING_ADDRESS_REUSE, (unsigned)1,
    MHD_OPTION_END);
  if (!server->daemon) {
    free(server);
    *ret_error = "cannot listen there (address in use, or not permitted)";
    return NULL;
  }
  const union MHD_DaemonInfo* const info =
    MHD_get_daemon_info(server->daemon, MHD_DAEMON_INFO_BIND_PORT);
  server->port = info ? info->port : config->port;
  return server;
}

unsigned
http_server_port(const HttpServer* const server)
{
  return server->port;
}

void
http_server_quiesce(HttpServer* const server)
{
  atomic_store(&server->stopping, true);
  const MHD_socket fd = MHD_quiesce_daemon(server->daemon);
  if (fd != MHD_INVALID_SOCKET) {
    close(fd);
  }
}

unsigned
http_server_in_flight(const HttpServer* const server)
{
  return atomic_load(&((HttpServer*)server)->in_flight);
}

void
http_server_stop(HttpServer* const server)
{
  if (!server) {
    return;
  }
  atomic_store(&server->stopping, true);
  MHD_stop_daemon(server->daemon);
  free(server);
}
