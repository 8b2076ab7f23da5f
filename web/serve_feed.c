/*
 * serve_feed.c: what a federation partner pulls to mirror the catalogue:
 * /api/changes (the store's change feed as JSON, in commit order, whole
 * commits per page) and /dump.nq.gz (every quad as gzip N-Quads, streamed
 * from one read transaction, so the dump is one consistent snapshot
 * however long it takes and however the store changes meanwhile).
 */
#include "serve.h"

#include <limits.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

#define DEFAULT_CHANGES 1000
#define MAX_CHANGES 10000
/* The largest /api/changes answer built. */
#define MAX_CHANGES_BYTES ((size_t)256 << 20)
/* Dumps streaming at once (each holds a snapshot for its whole length). */
#define MAX_DUMPS 8

/* ------------------------------------------------------------------------
 * /api/changes
 * --------------------------------------------------------------------- */

typedef struct {
  FdxTxn*    txn;
  Buf*       out;
  uint64_t   n;
  FdxTermBuf tb;
} ChangesCtx;

static void
json_term(ChangesCtx* const ctx, const FdxId id)
{
  if (id == FDX_ID_DEFAULT_GRAPH) {
    buf_puts(ctx->out, "null");
  } else if (fdx_term_get(ctx->txn, id, &ctx->tb)) {
    buf_puts(ctx->out, "null");
  } else if (ctx->tb.term.kind == FDX_TERM_BLANK) {
    Buf label;
    memset(&label, 0, sizeof(label));
    buf_puts(&label, "_:");
    buf_write(&label, ctx->tb.term.value, ctx->tb.term.value_len);
    buf_json_string(ctx->out, label.data ? label.data : "", label.len);
    buf_free(&label);
  } else {
    buf_json_string(ctx->out, ctx->tb.term.value, ctx->tb.term.value_len);
  }
}

static FdxStatus
on_change(void* const vctx, const FdxChange* const change)
{
  ChangesCtx* const ctx = (ChangesCtx*)vctx;
  buf_puts(ctx->out, ctx->n++ ? ",\n  {\"iri\": " : "\n  {\"iri\": ");
  json_term(ctx, change->subject);
  buf_puts(ctx->out, ", \"graph\": ");
  json_term(ctx, change->graph);
  buf_printf(ctx->out, ", \"op\": \"%s\", \"generation\": %llu}",
             change->op == FDX_CHANGE_DELETE ? "delete" : "upsert",
             (unsigned long long)change->generation);
  return ctx->out->failed ? FDX_ERR_NO_MEMORY : FDX_SUCCESS;
}

static bool
parse_u64(const char* const text, uint64_t* const ret)
{
  if (!text) {
    return true;
  }
  char*                    end = NULL;
  const unsigned long long v   = strtoull(text, &end, 10);
  if (!*text || *end || text[0] == '-' || text[0] == '+' ||
      (v == ULLONG_MAX)) {
    return false;
  }
  *ret = v;
  return true;
}

void
route_changes(Serve* const s, HttpRequest* const req)
{
  uint64_t         since = 0, limit = DEFAULT_CHANGES;
  const HttpParam* params = NULL;
  size_t           n      = 0;
  http_params(req, &params, &n);
  for (size_t i = 0; i < n; ++i) {
    if (strcmp(params[i].name, "since") && strcmp(params[i].name, "limit")) {
      serve_error(s, req, 400, "bad_request",
                  "unknown parameter '%.64s' (this takes since and limit)",
                  params[i].name);
      return;
    }
    if (http_param_count(req, params[i].name) > 1) {
      serve_error(s, req, 400, "bad_request", "give %s once", params[i].name);
      return;
    }
  }
  if (!parse_u64(http_param(req, "since"), &since)) {
    serve_error(s, req, 400, "bad_request",
                "since must be a generation (a whole number from 0)");
    return;
  }
  if (!parse_u64(http_param(req, "limit"), &limit) || limit == 0 ||
      limit > MAX_CHANGES) {
    serve_error(s, req, 400, "bad_request",
                "limit must be a whole number from 1 to %d", MAX_CHANGES);
    return;
  }
  /* One commit is never split, so a page can be large: build it in a
   * query slot, within a bound. */
  FdxTxn* txn = NULL;
  if (!serve_snapshot(s, req, &txn)) {
    return;
  }
  char etag[64], variant[96];
  const int vlen = snprintf(variant, sizeof(variant), "changes\n%llu\n%llu",
                            (unsigned long long)since,
                            (unsigned long long)limit);
  serve_etag(etag, fdx_txn_generation(txn), variant, (size_t)vlen);
  if (serve_not_modified(s, req, etag)) {
    serve_snapshot_end(s, txn);
    return;
  }
  Buf body;
  memset(&body, 0, sizeof(body));
  body.max = MAX_CHANGES_BYTES;
  buf_printf(&body, "{\"generation\": %llu, \"changes\": [",
             (unsigned long long)fdx_txn_generation(txn));
  ChangesCtx ctx;
  memset(&ctx, 0, sizeof(ctx));
  ctx.txn         = txn;
  ctx.out         = &body;
  uint64_t     next = since;
  const FdxStatus st = fdx_changes_read(txn, since, limit, on_change, &ctx, &next);
  serve_snapshot_end(s, txn);
  if (st && body.failed) {
    buf_free(&body);
    serve_error(s, req, 503, "response_too_large",
                "the changes from generation %llu on do not fit in %d MiB "
                "(one commit is never split); fetch /dump.nq.gz instead",
                (unsigned long long)since, (int)(MAX_CHANGES_BYTES >> 20));
    return;
  }
  if (st) {
    buf_free(&body);
    serve_error(s, req, 500, "internal_error", "cannot read the change feed: %s",
                fdx_strerror(st));
    return;
  }
  buf_printf(&body, "%s], \"next\": %llu}\n", ctx.n ? "\n" : "",
             (unsigned long long)next);
  serve_send(s, req, 200, "application/json", &body, etag);
}

/* ------------------------------------------------------------------------
 * /dump.nq.gz
 * --------------------------------------------------------------------- */

/* How much N-Quads text is made before it is compressed. */
#define DUMP_CHUNK ((size_t)256 << 10)

typedef struct {
  Serve*       s;
  FdxTxn*      txn;
  FdxQuadIter* it;
  z_stream     z;
  Buf          text;
  bool         input_done;
  bool         failed;
  FdxTermBuf   tb;
} DumpStream;

static int
write_term(DumpStream* const d, const FdxId id)
{
  if (fdx_term_get(d->txn, id, &d->tb) ||
      fdx_write_term_nt(&d->tb.term, buf_write, &d->text)) {
    return -1;
  }
  return 0;
}

/* Make the next piece of N-Quads text. */
static int
refill(DumpStream* const d)
{
  d->text.len = 0;
  FdxQuad   q;
  FdxStatus st = FDX_SUCCESS;
  while (d->text.len < DUMP_CHUNK && !(st = fdx_quad_iter_next(d->it, &q))) {
    if (write_term(d, q.s) || buf_write(&d->text, " ", 1) ||
        write_term(d, q.p) || buf_write(&d->text, " ", 1) ||
        write_term(d, q.o)) {
      return -1;
    }
    if (q.g != FDX_ID_DEFAULT_GRAPH) {
      if (buf_write(&d->text, " ", 1) || write_term(d, q.g)) {
        return -1;
      }
    }
    if (buf_write(&d->text, " .\n", 3)) {
      return -1;
    }
  }
  if (st == FDX_FAILURE) {
    d->input_done = true;
  } else if (st) {
    return -1;
  }
  d->z.next_in  = (Bytef*)(d->text.data ? d->text.data : "");
  d->z.avail_in = (uInt)d->text.len;
  return 0;
}

static ssize_t
dump_read(void* const ctx, char* const out, const size_t cap)
{
  DumpStream* const d = (DumpStream*)ctx;
  if (d->failed || atomic_load(&d->s->cancel)) {
    return -1; /* past the stop's grace: end the stream */
  }
  d->z.next_out  = (Bytef*)out;
  d->z.avail_out = (uInt)cap;
  for (;;) {
    if (d->z.avail_in == 0 && !d->input_done && refill(d)) {
      d->failed = true;
      return -1;
    }
    const int flush = d->input_done && d->z.avail_in == 0 ? Z_FINISH : Z_NO_FLUSH;
    const int rc    = deflate(&d->z, flush);
    const size_t produced = cap - d->z.avail_out;
    if (rc == Z_STREAM_END || (rc == Z_OK && d->z.avail_out == 0) ||
        (rc == Z_BUF_ERROR && produced)) {
      return (ssize_t)produced;
    }
    if (rc != Z_OK && rc != Z_BUF_ERROR) {
      d->failed = true;
      return -1;
    }
  }
}

static void
dump_free(void* const ctx)
{
  DumpStream* const d = (DumpStream*)ctx;
  fdx_quad_iter_free(d->it);
  fdx_txn_abort(d->txn);
  deflateEnd(&d->z);
  buf_free(&d->text);
  atomic_fetch_sub(&d->s->dumps, 1);
  free(d);
}

void
route_dump(Serve* const s, HttpRequest* const req)
{
  if (atomic_fetch_add(&s->dumps, 1) >= MAX_DUMPS) {
    atomic_fetch_sub(&s->dumps, 1);
    http_add_header(req, "Retry-After", "60");
    serve_error(s, req, 503, "busy",
                "%d dumps are streaming already; try again later", MAX_DUMPS);
    return;
  }
  DumpStream* const d = (DumpStream*)calloc(1, sizeof(DumpStream));
  if (!d || deflateInit2(&d->z, 6, Z_DEFLATED, 15 + 16, 8,
                         Z_DEFAULT_STRATEGY) != Z_OK) {
    free(d);
    atomic_fetch_sub(&s->dumps, 1);
    serve_error(s, req, 500, "internal_error", "out of memory");
    return;
  }
  d->s = s;
  const FdxQuad all = {FDX_ID_ANY, FDX_ID_ANY, FDX_ID_ANY, FDX_ID_ANY};
  if (fdx_txn_begin(s->store, 0, &d->txn) ||
      fdx_quad_find(d->txn, &all, &d->it)) {
    dump_free(d);
    serve_error(s, req, 503, "store_unavailable", "cannot read the store");
    return;
  }
  char etag[64];
  serve_etag(etag, fdx_txn_generation(d->txn), "dump", 4);
  if (serve_not_modified(s, req, etag)) {
    dump_free(d);
    return;
  }
  http_add_header(req, "Access-Control-Allow-Origin", "*");
  http_add_header(req, "Access-Control-Expose-Headers", "ETag");
  http_add_header(req, "ETag", etag);
  http_add_header(req, "Content-Disposition",
                  "attachment; filename=\"fairdex.nq.gz\"");
  http_respond_stream(req, 200, "application/gzip", dump_read, d, dump_free);
}
