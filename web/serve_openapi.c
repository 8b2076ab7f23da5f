/*
 * serve_openapi.c: GET /api/openapi.json, the OpenAPI 3 description of
 * every /api route.  The document is web/openapi.json, compiled into the
 * binary by tools/embed.py; tests/integration/test_openapi.c keeps it true
 * by calling every route it describes.
 */
#include "serve_search.h"

#include <stdlib.h>
#include <string.h>

extern const unsigned char fdx_openapi_json[];
extern const size_t        fdx_openapi_json_len;

void
route_openapi(Serve* const s, HttpRequest* const req)
{
  const HttpParam* params = NULL;
  size_t           n      = 0;
  http_params(req, &params, &n);
  if (n) {
    serve_error(s, req, 400, "bad_request",
                "unknown parameter '%.64s' (this takes none)", params[0].name);
    return;
  }
  /* The document changes only with the binary: its ETag is its hash. */
  char etag[64];
  serve_etag(etag, 0, (const char*)fdx_openapi_json, fdx_openapi_json_len);
  if (serve_not_modified(s, req, etag)) {
    return;
  }
  Buf body;
  memset(&body, 0, sizeof(body));
  buf_write(&body, (const char*)fdx_openapi_json, fdx_openapi_json_len);
  if (body.failed) {
    buf_free(&body);
    serve_error(s, req, 500, "internal_error", "out of memory");
    return;
  }
  serve_send(s, req, 200, "application/json", &body, etag);
}
