/*
 * serve_ld.c: Linked Data.  Every IRI under the base (dataset/{id},
 * distribution/{id}, record/{id}, catalog, vocab/{scheme}/{concept}) and,
 * through /resource?iri=, every IRI in the store dereferences to its
 * concise bounded description (the engine's DESCRIBE), negotiated as
 * Turtle, JSON-LD, RDF/XML, N-Triples or a plain HTML page.
 *
 * /catalog is the catalogue for federation: the `{base}catalog` resource
 * with `dcat:dataset` links to one page of the store's datasets (in a
 * stable order: the store's id order), each dataset's own description and
 * its distributions' inline, and Hydra paging
 * (hydra:PartialCollectionView with first/previous/next/last).
 */
#include "serve.h"
#include "serve_ui.h"
#include "serve_page.h"

#include "fairdex/sparql.h"

#include <stdlib.h>
#include <string.h>

#define RDF_NS "http://www.w3.org/1999/02/22-rdf-syntax-ns#"
#define DCAT_NS "http://www.w3.org/ns/dcat#"
#define DCT_NS "http://purl.org/dc/terms/"
#define HYDRA_NS "http://www.w3.org/ns/hydra/core#"
#define XSD_NS "http://www.w3.org/2001/XMLSchema#"

#define DEFAULT_PER_PAGE 100
#define MAX_PER_PAGE 1000
/* How deep blank nodes are followed in a catalogue page. */
#define MAX_BNODE_DEPTH 4

/* True for an IRI we can put between <> in a query. */
static bool
iri_ok(const char* const iri)
{
  const size_t len = strlen(iri);
  if (!len || len > 8192 || !serve_utf8_valid(iri, len)) {
    return false;
  }
  for (size_t i = 0; i < len; ++i) {
    const unsigned char c = (unsigned char)iri[i];
    if (c <= 0x20 || strchr("<>\"{}|^`\\", c)) {
      return false;
    }
  }
  return strchr(iri, ':') != NULL;
}

/* ------------------------------------------------------------------------
 * HTML
 * --------------------------------------------------------------------- */

static void
html_term(Serve* const s, Buf* const out, const FdxTerm* const t)
{
  if (t->kind == FDX_TERM_IRI) {
    buf_puts(out, "<a href=\"");
    serve_link(s, out, t->value, t->value_len);
    buf_puts(out, "\">");
    buf_html(out, t->value, t->value_len);
    buf_puts(out, "</a>");
  } else if (t->kind == FDX_TERM_BLANK) {
    buf_puts(out, "<span class=\"bnode\">_:");
    buf_html(out, t->value, t->value_len);
    buf_puts(out, "</span>");
  } else {
    buf_html(out, t->value, t->value_len);
    if (t->lang) {
      buf_puts(out, " <small>@");
      buf_html(out, t->lang, t->lang_len);
      buf_puts(out, "</small>");
    } else if (t->datatype) {
      buf_puts(out, " <small>^^");
      buf_html(out, t->datatype, t->datatype_len);
      buf_puts(out, "</small>");
    }
  }
}

/* The page shell (serve_ui.c) for a resource or catalogue page. */
static void
html_head(Serve* const s, Buf* const out, const char* const lang,
          const char* const title, const size_t title_len)
{
  serve_ui_head(s, out, lang, UI_NONE, title, title_len);
}

/* Links to the other formats of this answer: `link` is its canonical
 * target, already encoded, ending in '?' or '&' (the request's own query
 * string is not copied: answers are cached and shared). */
static void
html_formats(Buf* const out, const char* const link, const char* const lang)
{
  static const char* const names[] = {"turtle", "jsonld", "rdfxml", "ntriples"};
  static const char* const labels[] = {"Turtle", "JSON-LD", "RDF/XML",
                                       "N-Triples"};
  buf_printf(out, "<p class=\"formats\">%s", serve_ui_text(lang, "Also as:"));
  for (size_t i = 0; i < 4; ++i) {
    buf_puts(out, " <a href=\"");
    buf_html(out, link, strlen(link));
    buf_printf(out, "format=%s\">%s</a>", names[i], labels[i]);
  }
  buf_puts(out, "</p>\n");
}

/* ------------------------------------------------------------------------
 * A resource
 * --------------------------------------------------------------------- */

typedef struct {
  Serve*           s;
  FdxTripleWriter* writer;
  Buf*             rows;  /* HTML */
  Buf              title; /* HTML: a dct:title / label of the resource */
  const char*      iri;
  uint64_t         count;
} DescribeCtx;

static bool
is_label(const FdxTerm* const p)
{
  static const char* const labels[] = {
    DCT_NS "title", "http://www.w3.org/2000/01/rdf-schema#label",
    "http://www.w3.org/2004/02/skos/core#prefLabel",
    "http://xmlns.com/foaf/0.1/name"};
  for (size_t i = 0; i < 4; ++i) {
    if (p->value_len == strlen(labels[i]) &&
        !memcmp(p->value, labels[i], p->value_len)) {
      return true;
    }
  }
  return false;
}

static FdxStatus
describe_triple(void* const vctx, const FdxTerm* const s, const FdxTerm* const p,
                const FdxTerm* const o)
{
  DescribeCtx* const ctx = (DescribeCtx*)vctx;
  ++ctx->count;
  if (ctx->writer) {
    const FdxStatus st = fdx_triple_writer_add(ctx->writer, s, p, o);
    return st == FDX_ERR_UNSUPPORTED ? FDX_SUCCESS : st;
  }
  const bool self = s->kind == FDX_TERM_IRI && s->value_len == strlen(ctx->iri) &&
                    !memcmp(s->value, ctx->iri, s->value_len);
  if (self && o->kind == FDX_TERM_LITERAL && is_label(p) &&
      (!ctx->title.len || (o->lang && o->lang_len == 2 && !memcmp(o->lang, "en", 2)))) {
    ctx->title.len = 0;
    buf_write(&ctx->title, o->value, o->value_len);
  }
  buf_puts(ctx->rows, "<tr><td>");
  if (!self) {
    html_term(ctx->s, ctx->rows, s);
  }
  buf_puts(ctx->rows, "</td><td>");
  html_term(ctx->s, ctx->rows, p);
  buf_puts(ctx->rows, "</td><td>");
  html_term(ctx->s, ctx->rows, o);
  buf_puts(ctx->rows, "</td></tr>\n");
  return FDX_SUCCESS;
}

static void
not_found(Serve* const s, HttpRequest* const req, const char* const iri)
{
  serve_error(s, req, 404, "not_found", "the store has nothing about <%s>",
              iri);
}

void
route_resource(Serve* const s, HttpRequest* const req, const char* const iri)
{
  if (!iri_ok(iri)) {
    serve_error(s, req, 400, "bad_request", "not an IRI: %s", iri);
    return;
  }
  const int kind = serve_rdf_kind(s, req, true);
  if (kind < 0) {
    return;
  }
  Buf text;
  memset(&text, 0, sizeof(text));
  buf_printf(&text, "DESCRIBE <%s>", iri);
  FdxQueryOptions opts;
  memset(&opts, 0, sizeof(opts));
  opts.timeout_ms = s->timeout_ms;
  opts.max_rows   = s->max_rows;
  opts.cancelled  = serve_query_cancelled;
  opts.cancel_ctx = s;
  FdxQuery* query = NULL;
  FdxError  err;
  memset(&err, 0, sizeof(err));
  FdxStatus st = text.failed ? FDX_ERR_NO_MEMORY
                             : fdx_query_prepare(text.data, text.len, &opts,
                                                 &query, &err);
  buf_free(&text);
  if (st) {
    serve_error(s, req, 400, "bad_request", "not an IRI: %s", iri);
    return;
  }
  FdxTxn* txn = NULL;
  if ((st = fdx_txn_begin(s->store, 0, &txn))) {
    fdx_query_free(query);
    serve_error(s, req, 503, "store_unavailable", "cannot read the store");
    return;
  }
  char           etag[64];
  Buf            variant;
  const uint64_t generation = fdx_txn_generation(txn);
  memset(&variant, 0, sizeof(variant));
  /* A page's texts are in the reader's language. */
  const char* const lang = kind == RDF_HTML ? serve_ui_lang(req) : "";
  buf_printf(&variant, "ld\n%d\n%s\n%s", kind, lang, iri);
  if (kind == RDF_HTML) {
    http_add_header(req, "Vary", "Cookie, Accept-Language");
  }
  serve_etag(etag, generation, variant.data ? variant.data : "", variant.len);
  if (variant.failed || serve_not_modified(s, req, etag) ||
      serve_cache_answer(s, req, variant.data, variant.len, generation,
                         serve_accepts_gzip(req))) {
    buf_free(&variant);
    fdx_txn_abort(txn);
    fdx_query_free(query);
    if (!http_status(req)) {
      serve_error(s, req, 500, "internal_error", "out of memory");
    }
    return;
  }
  /* Not cached: wait for a query slot without holding a snapshot, then
   * describe the resource as the store is then. */
  fdx_txn_abort(txn);
  txn = NULL;
  if (!serve_snapshot(s, req, &txn)) {
    buf_free(&variant);
    fdx_query_free(query);
    return;
  }
  const uint64_t now_generation = fdx_txn_generation(txn);
  serve_etag(etag, now_generation, variant.data, variant.len);
  Buf body, rows;
  memset(&body, 0, sizeof(body));
  memset(&rows, 0, sizeof(rows));
  DescribeCtx ctx;
  memset(&ctx, 0, sizeof(ctx));
  ctx.s    = s;
  ctx.iri  = iri;
  ctx.rows = &rows;
  if (kind != RDF_HTML) {
    st = fdx_triple_writer_new(serve_rdf_format((RdfKind)kind), buf_write,
                               &body, &ctx.writer);
    if (!st) {
      serve_bind_prefixes(s, ctx.writer);
    }
  }
  FdxQuerySink sink;
  memset(&sink, 0, sizeof(sink));
  sink.ctx    = &ctx;
  sink.triple = describe_triple;
  if (!st) {
    st = fdx_query_exec(query, txn, &opts, &sink, &err);
  }
  if (!st && ctx.writer && ctx.count) {
    st = fdx_triple_writer_end(ctx.writer);
  }
  fdx_triple_writer_free(ctx.writer);
  /* A dataset's HTML page: its fields first (serve_page.c). */
  Buf details, page_title;
  memset(&details, 0, sizeof(details));
  memset(&page_title, 0, sizeof(page_title));
  if (!st && kind == RDF_HTML && ctx.count) {
    Buf page_url;
    memset(&page_url, 0, sizeof(page_url));
    const size_t n = strlen(iri);
    if (n > s->base_len && !strncmp(iri, s->base, s->base_len)) {
      buf_puts(&page_url, iri);
    } else {
      buf_puts(&page_url, s->base);
      buf_puts(&page_url, "resource?iri=");
      buf_pct(&page_url, iri, n, false);
    }
    const FdxStatus pst = serve_dataset_page(
      s, txn, iri, page_url.data ? page_url.data : iri, lang, &page_title,
      &details);
    if (pst && pst != FDX_FAILURE) {
      st = pst;
    }
    buf_free(&page_url);
  }
  serve_snapshot_end(s, txn);
  fdx_query_free(query);
  if (st || !ctx.count) {
    buf_free(&details);
    buf_free(&page_title);
    buf_free(&body);
    buf_free(&rows);
    buf_free(&ctx.title);
    buf_free(&variant);
    if (st == FDX_ERR_LIMIT) {
      serve_limit_error(s, req, &err);
    } else if (st) {
      serve_error(s, req, 500, "internal_error", "%s", fdx_strerror(st));
    } else {
      not_found(s, req, iri);
    }
    return;
  }
  if (kind == RDF_HTML) {
    const char* const title = page_title.len  ? page_title.data
                              : ctx.title.len ? ctx.title.data
                                              : iri;
    html_head(s, &body, lang, title, strlen(title));
    buf_puts(&body, "<h1>");
    buf_html(&body, title, strlen(title));
    buf_puts(&body, "</h1>\n<p><code>");
    buf_html(&body, iri, strlen(iri));
    buf_puts(&body, "</code></p>\n");
    /* The resource's own path under the base, else /resource?iri=: the
     * same links however the page was asked for (it is cached by IRI). */
    Buf          link;
    const size_t iri_len = strlen(iri);
    memset(&link, 0, sizeof(link));
    if (iri_len > s->base_len && !strncmp(iri, s->base, s->base_len)) {
      buf_puts(&link, "/");
      buf_pct(&link, iri + s->base_len, iri_len - s->base_len, true);
      buf_puts(&link, "?");
    } else {
      buf_puts(&link, "/resource?iri=");
      buf_pct(&link, iri, iri_len, false);
      buf_puts(&link, "&");
    }
    html_formats(&body, link.data ? link.data : "?", lang);
    buf_free(&link);
    if (details.len) {
      buf_write(&body, details.data, details.len);
      buf_printf(&body, "<section><h2>%s</h2>\n",
                 serve_ui_text(lang, "All statements"));
    }
    buf_puts(&body, "<div class=\"table-wrap\"><table class=\"statements\">\n");
    buf_write(&body, rows.data ? rows.data : "", rows.len);
    buf_puts(&body, details.len ? "</table></div></section>\n"
                                : "</table></div>\n");
    serve_ui_foot(&body, lang);
  }
  buf_free(&details);
  buf_free(&page_title);
  buf_free(&rows);
  buf_free(&ctx.title);
  serve_send_cached(s, req, serve_rdf_content_type((RdfKind)kind), &body, etag,
                    variant.data, variant.len, now_generation, NULL);
  buf_free(&variant);
}

/* ------------------------------------------------------------------------
 * The catalogue, paged
 * --------------------------------------------------------------------- */

typedef struct {
  Serve*           s;
  FdxTxn*          txn;
  FdxTripleWriter* writer;
  Buf*             html;
  FdxId            dcat_distribution;
  FdxId            dct_title;
  FdxTermBuf       tb[3];
} PageCtx;

/* Parse a page parameter: a positive integer up to `max`. */
static bool
parse_page_param(const char* const text, const uint64_t max, uint64_t* const ret)
{
  if (!text) {
    return true;
  }
  char*                    end = NULL;
  const unsigned long long v   = strtoull(text, &end, 10);
  if (!*text || *end || text[0] == '-' || text[0] == '+' || v == 0 || v > max) {
    return false;
  }
  *ret = v;
  return true;
}

static FdxStatus
add_terms(PageCtx* const ctx, const FdxTerm* const s, const FdxTerm* const p,
          const FdxTerm* const o)
{
  const FdxStatus st = fdx_triple_writer_add(ctx->writer, s, p, o);
  return st == FDX_ERR_UNSUPPORTED ? FDX_SUCCESS : st;
}

static FdxStatus
add_iri_triple(PageCtx* const ctx, const char* const s, const char* const p,
               const char* const o)
{
  const FdxTerm ts = fdx_term_iri(s);
  const FdxTerm tp = fdx_term_iri(p);
  const FdxTerm to = fdx_term_iri(o);
  return add_terms(ctx, &ts, &tp, &to);
}

/* Write the triples of subject `id` (every graph, each triple once),
 * following blank nodes and, at depth 0, the dataset's distributions.
 * `skip_p` (may be FDX_ID_ANY) is a predicate left out. */
static FdxStatus
emit_subject(PageCtx* const ctx, const FdxId id, const FdxId skip_p,
             const unsigned depth)
{
  const FdxQuad pattern = {id, FDX_ID_ANY, FDX_ID_ANY, FDX_ID_ANY};
  FdxQuadIter*  it      = NULL;
  FdxStatus     st      = fdx_quad_find(ctx->txn, &pattern, &it);
  if (st) {
    return st == FDX_FAILURE ? FDX_SUCCESS : st;
  }
  FdxId   follow[64];
  size_t  n_follow = 0;
  FdxQuad q, last  = {0, 0, 0, 0};
  while (!(st = fdx_quad_iter_next(it, &q))) {
    if (q.p == last.p && q.o == last.o) {
      continue; /* the same triple in another graph */
    }
    last = q;
    if (q.p == skip_p) {
      continue;
    }
    if ((st = fdx_term_get(ctx->txn, q.s, &ctx->tb[0])) ||
        (st = fdx_term_get(ctx->txn, q.p, &ctx->tb[1])) ||
        (st = fdx_term_get(ctx->txn, q.o, &ctx->tb[2])) ||
        (st = add_terms(ctx, &ctx->tb[0].term, &ctx->tb[1].term,
                        &ctx->tb[2].term))) {
      break;
    }
    const bool bnode = fdx_id_tag(q.o) == FDX_TAG_BLANK;
    const bool dist  = depth == 0 && q.p == ctx->dcat_distribution &&
                       fdx_id_tag(q.o) == FDX_TAG_IRI;
    if ((bnode || dist) && depth < MAX_BNODE_DEPTH && n_follow < 64) {
      follow[n_follow++] = q.o;
    }
  }
  fdx_quad_iter_free(it);
  if (st != FDX_FAILURE) {
    return st;
  }
  st = FDX_SUCCESS;
  for (size_t i = 0; i < n_follow && !st; ++i) {
    st = emit_subject(ctx, follow[i], FDX_ID_ANY, depth + 1);
  }
  return st;
}

/* The HTML line for a dataset: its title (any) and a link. */
static void
html_dataset(PageCtx* const ctx, const FdxId id)
{
  Buf* const out = ctx->html;
  if (fdx_term_get(ctx->txn, id, &ctx->tb[0])) {
    return;
  }
  const FdxTerm* const d = &ctx->tb[0].term;
  buf_puts(out, "<li><a href=\"");
  serve_link(ctx->s, out, d->value, d->value_len);
  buf_puts(out, "\">");
  bool               titled = false;
  const FdxQuad      pat    = {id, ctx->dct_title, FDX_ID_ANY, FDX_ID_ANY};
  FdxQuadIter*       it     = NULL;
  FdxQuad            q;
  if (ctx->dct_title && !fdx_quad_find(ctx->txn, &pat, &it) &&
      !fdx_quad_iter_next(it, &q) && !fdx_term_get(ctx->txn, q.o, &ctx->tb[1])) {
    buf_html(out, ctx->tb[1].term.value, ctx->tb[1].term.value_len);
    titled = true;
  }
  fdx_quad_iter_free(it);
  if (!titled) {
    buf_html(out, ctx->tb[0].term.value, ctx->tb[0].term.value_len);
  }
  buf_puts(out, "</a></li>\n");
}

static FdxId
lookup_iri(FdxTxn* const txn, const char* const iri)
{
  const FdxTerm t  = fdx_term_iri(iri);
  FdxId         id = FDX_ID_ANY;
  if (fdx_term_id(txn, &t, &id)) {
    return FDX_ID_ANY;
  }
  return id;
}

/* Member kinds: linked from the catalogue with dcat:dataset or
 * dcat:service. */
enum { MEMBER_DATASET = 0, MEMBER_SERVICE = 1 };

/* Every member of the catalogue, in a stable order: the subjects typed
 * dcat:Dataset or dcat:DatasetSeries (a series is a dataset in DCAT 3),
 * and dcat:DataService, each once, in id order.  The POSG ranges come
 * sorted by subject, so they merge.  New arrays in *ret_ids and
 * *ret_kinds (MEMBER_*). */
static FdxStatus
scan_members(FdxTxn* const txn, FdxId** const ret_ids, uint8_t** const ret_kinds,
             size_t* const ret_n)
{
  enum { N_CLASSES = 3 };
  static const uint8_t kind_of[N_CLASSES] = {MEMBER_DATASET, MEMBER_DATASET,
                                             MEMBER_SERVICE};
  size_t       n = 0, cap = 1024;
  FdxId*       ids   = (FdxId*)malloc(cap * sizeof(FdxId));
  uint8_t*     kinds = (uint8_t*)malloc(cap);
  FdxStatus    st    = ids && kinds ? FDX_SUCCESS : FDX_ERR_NO_MEMORY;
  const FdxId  rdf_type           = lookup_iri(txn, RDF_NS "type");
  const FdxId  classes[N_CLASSES] = {lookup_iri(txn, DCAT_NS "Dataset"),
                                     lookup_iri(txn, DCAT_NS "DatasetSeries"),
                                     lookup_iri(txn, DCAT_NS "DataService")};
  FdxQuadIter* its[N_CLASSES]  = {NULL, NULL, NULL};
  FdxId        head[N_CLASSES] = {FDX_ID_ANY, FDX_ID_ANY, FDX_ID_ANY};
  for (int k = 0; k < N_CLASSES && !st; ++k) {
    const FdxQuad pattern = {FDX_ID_ANY, rdf_type, classes[k], FDX_ID_ANY};
    FdxQuad       q;
    if (rdf_type && classes[k] &&
        !(st = fdx_quad_find(txn, &pattern, &its[k]))) {
      st      = fdx_quad_iter_next(its[k], &q);
      head[k] = st ? FDX_ID_ANY : q.s; /* ANY: exhausted */
      st      = st == FDX_FAILURE ? FDX_SUCCESS : st;
    }
  }
  FdxId last = FDX_ID_ANY;
  while (!st) {
    int k = -1; /* the smallest head; the earlier class on a tie */
    for (int c = 0; c < N_CLASSES; ++c) {
      if (head[c] && (k < 0 || head[c] < head[k])) {
        k = c;
      }
    }
    if (k < 0) {
      break;
    }
    const FdxId d = head[k];
    FdxQuad     q;
    st      = fdx_quad_iter_next(its[k], &q);
    head[k] = st ? FDX_ID_ANY : q.s;
    st      = st == FDX_FAILURE ? FDX_SUCCESS : st;
    if (d == last) {
      continue; /* in several graphs, or typed several ways */
    }
    last = d;
    if (n == cap) {
      FdxId* const   grown  = (FdxId*)realloc(ids, 2 * cap * sizeof(FdxId));
      uint8_t* const grown2 = grown ? (uint8_t*)realloc(kinds, 2 * cap) : NULL;
      if (grown) {
        ids = grown;
      }
      if (!grown2) {
        st = FDX_ERR_NO_MEMORY;
        break;
      }
      kinds = grown2;
      cap *= 2;
    }
    kinds[n] = kind_of[k];
    ids[n++] = d;
  }
  for (int k = 0; k < N_CLASSES; ++k) {
    fdx_quad_iter_free(its[k]);
  }
  if (st) {
    free(ids);
    free(kinds);
    return st;
  }
  *ret_ids   = ids;
  *ret_kinds = kinds;
  *ret_n     = n;
  return FDX_SUCCESS;
}

/* The catalogue resource's own (predicate, object) pairs without its
 * dcat:dataset and dcat:service links (the pages give those), each once
 * (a catalogue links every dataset, so this is a long scan, done once per
 * generation). */
static FdxStatus
scan_own(FdxTxn* const txn, const FdxId catalog, FdxId** const ret_po,
         size_t* const ret_n)
{
  *ret_po = NULL;
  *ret_n  = 0;
  if (!catalog) {
    return FDX_SUCCESS;
  }
  const FdxId   skip    = lookup_iri(txn, DCAT_NS "dataset");
  const FdxId   skip2   = lookup_iri(txn, DCAT_NS "service");
  const FdxQuad pattern = {catalog, FDX_ID_ANY, FDX_ID_ANY, FDX_ID_ANY};
  FdxQuadIter*  it      = NULL;
  FdxStatus     st      = fdx_quad_find(txn, &pattern, &it);
  size_t        n = 0, cap = 0;
  FdxId*        po = NULL;
  FdxQuad       q, last = {0, 0, 0, 0};
  while (!st && !(st = fdx_quad_iter_next(it, &q))) {
    if ((skip && q.p == skip) || (skip2 && q.p == skip2) ||
        (q.p == last.p && q.o == last.o)) {
      continue;
    }
    last = q;
    if (n + 2 > cap) {
      cap                = cap ? 2 * cap : 64;
      FdxId* const grown = (FdxId*)realloc(po, cap * sizeof(FdxId));
      if (!grown) {
        st = FDX_ERR_NO_MEMORY;
        break;
      }
      po = grown;
    }
    po[n++] = q.p;
    po[n++] = q.o;
  }
  fdx_quad_iter_free(it);
  if (st != FDX_FAILURE) {
    free(po);
    return st;
  }
  *ret_po = po;
  *ret_n  = n / 2;
  return FDX_SUCCESS;
}

/* Copy members [first, first + count) into `out`, with the total, and the
 * catalogue's own pairs (scan_own) into a new array *ret_own.  Both are
 * kept per generation (Serve.members), so a page costs its own slice, not
 * a scan of every dataset. */
static FdxStatus
catalog_members(Serve* const s, FdxTxn* const txn, const uint64_t generation,
                const FdxId catalog, const uint64_t first, const size_t count,
                FdxId* const out, uint8_t* const out_kinds, size_t* const ret_n,
                uint64_t* const ret_total, FdxId** const ret_own,
                size_t* const ret_n_own)
{
  MemberList* const m     = &s->members;
  MemberList        local;
  MemberList*       use   = m;
  bool              owned = false;
  memset(&local, 0, sizeof(local));
  pthread_mutex_lock(&m->lock);
  if (!m->valid || m->generation != generation) {
    FdxStatus st = scan_members(txn, &local.ids, &local.kinds, &local.n);
    if (!st) {
      st = scan_own(txn, catalog, &local.own, &local.n_own);
    }
    if (st) {
      free(local.ids);
      free(local.kinds);
      pthread_mutex_unlock(&m->lock);
      return st;
    }
    if (!m->valid || generation > m->generation) {
      free(m->ids);
      free(m->kinds);
      free(m->own);
      m->ids        = local.ids;
      m->kinds      = local.kinds;
      m->n          = local.n;
      m->own        = local.own;
      m->n_own      = local.n_own;
      m->generation = generation;
      m->valid      = true;
    } else {
      /* A snapshot older than the list kept: answer from its own. */
      use   = &local;
      owned = true;
    }
  }
  FdxStatus st = FDX_SUCCESS;
  *ret_total   = use->n;
  *ret_n       = 0;
  for (uint64_t i = first; i < use->n && *ret_n < count; ++i) {
    out_kinds[*ret_n] = use->kinds[i];
    out[(*ret_n)++]   = use->ids[i];
  }
  *ret_n_own = use->n_own;
  *ret_own   = (FdxId*)malloc((use->n_own ? use->n_own : 1) * 2 * sizeof(FdxId));
  if (*ret_own) {
    if (use->n_own) {
      memcpy(*ret_own, use->own, use->n_own * 2 * sizeof(FdxId));
    }
  } else {
    st = FDX_ERR_NO_MEMORY;
  }
  pthread_mutex_unlock(&m->lock);
  if (owned) {
    free(local.ids);
    free(local.kinds);
    free(local.own);
  }
  return st;
}

void
route_catalog(Serve* const s, HttpRequest* const req)
{
  uint64_t page = 1, per_page = DEFAULT_PER_PAGE;
  if (!parse_page_param(http_param(req, "page"), UINT32_MAX, &page) ||
      !parse_page_param(http_param(req, "per_page"), MAX_PER_PAGE, &per_page)) {
    serve_error(s, req, 400, "bad_request",
                "page must be a positive integer and per_page an integer "
                "from 1 to %d", MAX_PER_PAGE);
    return;
  }
  const int kind = serve_rdf_kind(s, req, true);
  if (kind < 0) {
    return;
  }
  FdxTxn* txn = NULL;
  if (fdx_txn_begin(s->store, 0, &txn)) {
    serve_error(s, req, 503, "store_unavailable", "cannot read the store");
    return;
  }
  char etag[64];
  char variant[128];
  const char* const lang = kind == RDF_HTML ? serve_ui_lang(req) : "";
  if (kind == RDF_HTML) {
    http_add_header(req, "Vary", "Cookie, Accept-Language");
  }
  const int vlen = snprintf(variant, sizeof(variant),
                            "catalog\n%d\n%s\n%llu\n%llu", kind, lang,
                            (unsigned long long)page,
                            (unsigned long long)per_page);
  const uint64_t generation = fdx_txn_generation(txn);
  serve_etag(etag, generation, variant, (size_t)vlen);
  if (serve_not_modified(s, req, etag) ||
      serve_cache_answer(s, req, variant, (size_t)vlen, generation,
                         serve_accepts_gzip(req))) {
    fdx_txn_abort(txn);
    return;
  }

  /* This page's slice of the catalogue's members. */
  FdxId*         ids   = (FdxId*)malloc(per_page * sizeof(FdxId));
  uint8_t*       kinds = (uint8_t*)malloc(per_page);
  uint64_t       total = 0;
  size_t         n_ids = 0;
  FdxStatus      st    = ids && kinds ? FDX_SUCCESS : FDX_ERR_NO_MEMORY;
  const uint64_t first = (page - 1) * per_page;
  FdxId*      own     = NULL;
  size_t      n_own   = 0;
  char        catalog[2048];
  snprintf(catalog, sizeof(catalog), "%scatalog", s->base);
  const FdxId catalog_id = lookup_iri(txn, catalog);
  if (!st) {
    st = catalog_members(s, txn, generation, catalog_id, first, per_page, ids,
                         kinds, &n_ids, &total, &own, &n_own);
  }
  const uint64_t last_page = total ? (total + per_page - 1) / per_page : 1;
  if (st || page > last_page) {
    fdx_txn_abort(txn);
    free(ids);
    free(kinds);
    free(own);
    if (st) {
      serve_error(s, req, 500, "internal_error", "%s", fdx_strerror(st));
    } else {
      serve_error(s, req, 404, "not_found",
                  "page %llu is past the last page (%llu)",
                  (unsigned long long)page, (unsigned long long)last_page);
    }
    return;
  }

  char view[2200], first_iri[2200], last_iri[2200], prev[2200], next[2200];
#define PAGE_IRI(buf, p)                                                      \
  snprintf(buf, sizeof(buf), "%s?page=%llu&per_page=%llu", catalog,           \
           (unsigned long long)(p), (unsigned long long)per_page)
  PAGE_IRI(view, page);
  PAGE_IRI(first_iri, 1);
  PAGE_IRI(last_iri, last_page);
  PAGE_IRI(prev, page - 1);
  PAGE_IRI(next, page + 1);
#undef PAGE_IRI

  Buf body;
  memset(&body, 0, sizeof(body));
  PageCtx ctx;
  memset(&ctx, 0, sizeof(ctx));
  ctx.s                 = s;
  ctx.txn               = txn;
  ctx.html              = &body;
  ctx.dcat_distribution = lookup_iri(txn, DCAT_NS "distribution");
  ctx.dct_title         = lookup_iri(txn, DCT_NS "title");

  if (kind == RDF_HTML) {
    const char* const title = serve_ui_text(lang, "Catalogue");
    html_head(s, &body, lang, title, strlen(title));
    buf_printf(&body,
               !strcmp(lang, "de")
                 ? "<h1>%s</h1>\n<p>%llu Datensätze; Seite %llu von %llu.</p>\n"
                 : "<h1>%s</h1>\n<p>%llu datasets; page %llu of %llu.</p>\n",
               title, (unsigned long long)total, (unsigned long long)page,
               (unsigned long long)last_page);
    char link[96];
    snprintf(link, sizeof(link), "/catalog?page=%llu&per_page=%llu&",
             (unsigned long long)page, (unsigned long long)per_page);
    html_formats(&body, link, lang);
    buf_puts(&body, "<ul>\n");
    for (size_t i = 0; i < n_ids; ++i) {
      html_dataset(&ctx, ids[i]);
    }
    buf_puts(&body, "</ul>\n<nav><p>");
    if (page > 1) {
      buf_printf(&body, "<a href=\"/catalog?page=%llu&amp;per_page=%llu\" "
                        "rel=\"prev\">%s</a> ",
                 (unsigned long long)(page - 1), (unsigned long long)per_page,
                 serve_ui_text(lang, "previous"));
    }
    if (page < last_page) {
      buf_printf(&body, "<a href=\"/catalog?page=%llu&amp;per_page=%llu\" "
                        "rel=\"next\">%s</a>",
                 (unsigned long long)(page + 1), (unsigned long long)per_page,
                 serve_ui_text(lang, "next"));
    }
    buf_puts(&body, "</p></nav>\n");
    serve_ui_foot(&body, lang);
  } else {
    st = fdx_triple_writer_new(serve_rdf_format((RdfKind)kind), buf_write,
                               &body, &ctx.writer);
    if (!st) {
      serve_bind_prefixes(s, ctx.writer);
    }
    /* The catalogue's own description, without its dataset links (the
     * page gives those). */
    if (!st && catalog_id) {
      st = fdx_term_get(txn, catalog_id, &ctx.tb[0]);
      for (size_t i = 0; i < n_own && !st; ++i) {
        const FdxId o = own[2 * i + 1];
        if (!(st = fdx_term_get(txn, own[2 * i], &ctx.tb[1])) &&
            !(st = fdx_term_get(txn, o, &ctx.tb[2]))) {
          st = add_terms(&ctx, &ctx.tb[0].term, &ctx.tb[1].term,
                         &ctx.tb[2].term);
        }
        if (!st && fdx_id_tag(o) == FDX_TAG_BLANK) {
          st = emit_subject(&ctx, o, FDX_ID_ANY, MAX_BNODE_DEPTH - 1);
          if (!st) {
            st = fdx_term_get(txn, catalog_id, &ctx.tb[0]);
          }
        }
      }
    } else if (!st) {
      st = add_iri_triple(&ctx, catalog, RDF_NS "type", DCAT_NS "Catalog");
      const FdxTerm c = fdx_term_iri(catalog);
      const FdxTerm p = fdx_term_iri(DCT_NS "title");
      const FdxTerm o = fdx_term_literal("fairdex catalogue", "en", NULL);
      if (!st) {
        st = add_terms(&ctx, &c, &p, &o);
      }
    }
    char count[32];
    snprintf(count, sizeof(count), "%llu", (unsigned long long)total);
    const FdxTerm c_term     = fdx_term_iri(catalog);
    const FdxTerm p_total    = fdx_term_iri(HYDRA_NS "totalItems");
    const FdxTerm o_total    = fdx_term_literal(count, NULL, XSD_NS "integer");
    const FdxTerm p_dataset  = fdx_term_iri(DCAT_NS "dataset");
    const FdxTerm p_service  = fdx_term_iri(DCAT_NS "service");
    if (!st) {
      st = add_terms(&ctx, &c_term, &p_total, &o_total);
    }
    if (!st) {
      st = add_iri_triple(&ctx, catalog, HYDRA_NS "view", view);
    }
    if (!st) {
      st = add_iri_triple(&ctx, view, RDF_NS "type",
                          HYDRA_NS "PartialCollectionView");
    }
    if (!st) {
      st = add_iri_triple(&ctx, view, HYDRA_NS "first", first_iri);
    }
    if (!st) {
      st = add_iri_triple(&ctx, view, HYDRA_NS "last", last_iri);
    }
    if (!st && page > 1) {
      st = add_iri_triple(&ctx, view, HYDRA_NS "previous", prev);
    }
    if (!st && page < last_page) {
      st = add_iri_triple(&ctx, view, HYDRA_NS "next", next);
    }
    for (size_t i = 0; i < n_ids && !st; ++i) {
      if (!(st = fdx_term_get(txn, ids[i], &ctx.tb[0]))) {
        st = add_terms(&ctx, &c_term,
                       kinds[i] == MEMBER_SERVICE ? &p_service : &p_dataset,
                       &ctx.tb[0].term);
      }
    }
    for (size_t i = 0; i < n_ids && !st; ++i) {
      st = emit_subject(&ctx, ids[i], FDX_ID_ANY, 0);
    }
    if (!st) {
      st = fdx_triple_writer_end(ctx.writer);
    }
    fdx_triple_writer_free(ctx.writer);
  }
  fdx_txn_abort(txn);
  free(ids);
  free(kinds);
  free(own);
  if (st) {
    buf_free(&body);
    serve_error(s, req, 500, "internal_error", "cannot write the page: %s",
                fdx_strerror(st));
    return;
  }
  /* Paging links for clients that read headers. */
  Buf link;
  memset(&link, 0, sizeof(link));
  buf_printf(&link, "<%s>; rel=\"first\", <%s>; rel=\"last\"", first_iri,
             last_iri);
  if (page > 1) {
    buf_printf(&link, ", <%s>; rel=\"prev\"", prev);
  }
  if (page < last_page) {
    buf_printf(&link, ", <%s>; rel=\"next\"", next);
  }
  serve_send_cached(s, req, serve_rdf_content_type((RdfKind)kind), &body, etag,
                    variant, (size_t)vlen, generation,
                    link.failed ? NULL : link.data);
  buf_free(&link);
}
