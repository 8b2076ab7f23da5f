/*
 * rdf_io.c: reading RDF documents and loading them into the store.  This
 * is the one place that knows the parsers' types and ownership rules:
 * raptor2 for Turtle, TriG and RDF/XML, serd for N-Triples and N-Quads
 * (about twice raptor's speed on the formats big loads come in).
 *
 * Safety: raptor may not touch the network or the file system
 * (RAPTOR_OPTION_NO_NET, RAPTOR_OPTION_NO_FILE), so an RDF/XML document's
 * external entities or a Turtle @base cannot make fairdex fetch anything;
 * serd reads only what we hand it, in strict mode.
 * Input is read through zlib, which passes plain files through and
 * decompresses gzip ones, with a byte limit on the decompressed size.
 * JSON-LD has no streaming parser here: it is read whole and handed to
 * fdx_parse_bytes() (see "JSON-LD" below).
 *
 * Atomicity: a file is loaded in one write transaction through
 * fdx_store_write(), which reruns the load from the first byte when the map
 * has to grow.  Standard input cannot be read twice, so it is copied to an
 * unlinked temporary file first.
 */
#include "fairdex/rdf.h"

#include "../store/store_impl.h"
#include "rdf_guard.h"

#include <raptor2.h>
#include <serd/serd.h>
#include <zlib.h>

#include <errno.h>
#include <pthread.h>
#include <fcntl.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define CHUNK_BYTES (256 * 1024)

/* ------------------------------------------------------------------------
 * Formats
 * --------------------------------------------------------------------- */

static const struct {
  const char* name;
  FdxFormat   format;
} format_names[] = {
  {"ntriples", FDX_FORMAT_NTRIPLES}, {"nt", FDX_FORMAT_NTRIPLES},
  {"nquads", FDX_FORMAT_NQUADS},     {"nq", FDX_FORMAT_NQUADS},
  {"turtle", FDX_FORMAT_TURTLE},     {"ttl", FDX_FORMAT_TURTLE},
  {"trig", FDX_FORMAT_TRIG},         {"rdfxml", FDX_FORMAT_RDFXML},
  {"rdf", FDX_FORMAT_RDFXML},        {"xml", FDX_FORMAT_RDFXML},
  {"owl", FDX_FORMAT_RDFXML},         {"jsonld", FDX_FORMAT_JSONLD},
  {"json-ld", FDX_FORMAT_JSONLD},
};

FdxFormat
fdx_format_from_name(const char* const name)
{
  for (size_t i = 0; name && i < sizeof(format_names) / sizeof(format_names[0]);
       ++i) {
    if (!strcasecmp(name, format_names[i].name)) {
      return format_names[i].format;
    }
  }
  return FDX_FORMAT_UNKNOWN;
}

FdxFormat
fdx_format_from_path(const char* const path)
{
  if (!path) {
    return FDX_FORMAT_UNKNOWN;
  }
  char         buf[PATH_MAX];
  const size_t len = strlen(path);
  if (len >= sizeof(buf)) {
    return FDX_FORMAT_UNKNOWN;
  }
  memcpy(buf, path, len + 1);
  if (len > 3 && !strcasecmp(buf + len - 3, ".gz")) {
    buf[len - 3] = '\0';
  }
  const char* const dot   = strrchr(buf, '.');
  const char* const slash = strrchr(buf, '/');
  if (!dot || (slash && dot < slash)) {
    return FDX_FORMAT_UNKNOWN;
  }
  return fdx_format_from_name(dot + 1);
}

/* These names are also raptor's parser names. */
const char*
fdx_format_name(const FdxFormat format)
{
  switch (format) {
  case FDX_FORMAT_NTRIPLES:
    return "ntriples";
  case FDX_FORMAT_NQUADS:
    return "nquads";
  case FDX_FORMAT_TURTLE:
    return "turtle";
  case FDX_FORMAT_TRIG:
    return "trig";
  case FDX_FORMAT_RDFXML:
    return "rdfxml";
  case FDX_FORMAT_JSONLD:
    return "jsonld";
  case FDX_FORMAT_UNKNOWN:
    break;
  }
  return "unknown";
}

const char*
fdx_format_media_type(const FdxFormat format)
{
  switch (format) {
  case FDX_FORMAT_NTRIPLES:
    return "application/n-triples";
  case FDX_FORMAT_NQUADS:
    return "application/n-quads";
  case FDX_FORMAT_TURTLE:
    return "text/turtle";
  case FDX_FORMAT_TRIG:
    return "application/trig";
  case FDX_FORMAT_RDFXML:
    return "application/rdf+xml";
  case FDX_FORMAT_JSONLD:
    return "application/ld+json";
  case FDX_FORMAT_UNKNOWN:
    break;
  }
  return "application/octet-stream";
}

bool
fdx_format_has_graphs(const FdxFormat format)
{
  return format == FDX_FORMAT_NQUADS || format == FDX_FORMAT_TRIG;
}

static bool
contains(const char* const hay, const size_t len, const char* const needle)
{
  const size_t nl = strlen(needle);
  for (size_t i = 0; i + nl <= len; ++i) {
    if (!memcmp(hay + i, needle, nl)) {
      return true;
    }
  }
  return false;
}

FdxFormat
fdx_format_sniff(const char* const bytes, const size_t len)
{
  size_t i = 0;
  /* Skip a UTF-8 byte order mark and white space. */
  if (len >= 3 && !memcmp(bytes, "\xEF\xBB\xBF", 3)) {
    i = 3;
  }
  while (i < len && (bytes[i] == ' ' || bytes[i] == '\t' ||
                     bytes[i] == '\r' || bytes[i] == '\n')) {
    ++i;
  }
  const char* const s = bytes + i;
  const size_t      n = len - i;
  /* JSON-LD: an object whose first member name follows '{', or an array
   * of objects.  No other syntax starts so: Turtle's '[' opens a blank
   * node ("[ a ex:C ]", "[]"), never "[{". */
  if (n >= 2 && (s[0] == '{' || s[0] == '[')) {
    size_t k = 1;
    while (k < n && (s[k] == ' ' || s[k] == '\t' || s[k] == '\r' ||
                     s[k] == '\n')) {
      ++k;
    }
    if (k < n && (s[0] == '{' ? s[k] == '"' || s[k] == '}' : s[k] == '{')) {
      return FDX_FORMAT_JSONLD;
    }
  }
  if (n >= 5 && (!memcmp(s, "<?xml", 5) || contains(s, n, "<rdf:RDF"))) {
    return FDX_FORMAT_RDFXML;
  }
  if (contains(s, n, "@prefix") || contains(s, n, "PREFIX ") ||
      contains(s, n, "@base") || contains(s, n, "BASE ")) {
    return (contains(s, n, "GRAPH ") || contains(s, n, "} ") ||
            contains(s, n, "}\n"))
             ? FDX_FORMAT_TRIG
             : FDX_FORMAT_TURTLE;
  }
  /* Line based: look at the first line that is not a comment.  N-Triples
   * and N-Quads lines hold only <iri>, "literal"(@lang|^^<iri>) and _:b
   * terms and end in " ."; four terms make a quad.  Anything else (a
   * prefixed name, ';', '[') is Turtle, which also reads N-Triples. */
  size_t k = 0;
  while (k < n) {
    while (k < n && (s[k] == ' ' || s[k] == '\t' || s[k] == '\r' ||
                     s[k] == '\n')) {
      ++k;
    }
    if (k < n && s[k] == '#') {
      while (k < n && s[k] != '\n') {
        ++k;
      }
      continue;
    }
    break;
  }
  if (k == n) {
    return FDX_FORMAT_NTRIPLES; /* empty, or comments only */
  }
  if (s[k] != '<' && s[k] != '_') {
    /* Turtle may start with '[', '(' or a prefixed name ("ex:a"). */
    if (s[k] == '[' || s[k] == '(') {
      return FDX_FORMAT_TURTLE;
    }
    for (size_t j = k; j < n && s[j] != ' ' && s[j] != '\t' && s[j] != '\n';
         ++j) {
      if (s[j] == ':') {
        return FDX_FORMAT_TURTLE;
      }
    }
    return FDX_FORMAT_UNKNOWN;
  }
  size_t terms = 0;
  bool   dot   = false;
  while (k < n && s[k] != '\n' && s[k] != '\r') {
    const char c = s[k];
    if (c == ' ' || c == '\t') {
      ++k;
    } else if (c == '<') {
      while (k < n && s[k] != '>' && s[k] != '\n') {
        ++k;
      }
      ++k;
      ++terms;
    } else if (c == '"') {
      for (++k; k < n && s[k] != '"' && s[k] != '\n'; ++k) {
        k += s[k] == '\\';
      }
      ++k;
      ++terms;
      if (k < n && s[k] == '@') {
        while (k < n && s[k] != ' ' && s[k] != '\t' && s[k] != '\n') {
          ++k;
        }
      } else if (k + 2 < n && s[k] == '^' && s[k + 1] == '^' &&
                 s[k + 2] == '<') {
        k += 2;
        while (k < n && s[k] != '>' && s[k] != '\n') {
          ++k;
        }
        ++k;
      }
    } else if (c == '_' && k + 1 < n && s[k + 1] == ':') {
      while (k < n && s[k] != ' ' && s[k] != '\t' && s[k] != '\n') {
        ++k;
      }
      ++terms;
    } else if (c == '.' && !dot) {
      dot = true;
      ++k;
    } else if (c == '#' && dot) {
      break; /* a comment after the statement */
    } else {
      return FDX_FORMAT_TURTLE;
    }
  }
  if (!dot || terms < 3 || terms > 4) {
    return FDX_FORMAT_TURTLE;
  }
  return terms == 4 ? FDX_FORMAT_NQUADS : FDX_FORMAT_NTRIPLES;
}


/* ------------------------------------------------------------------------
 * Loading: two threads.  The parser thread reads and decompresses the
 * input, runs raptor, and serializes each statement's terms (validated,
 * blank nodes scoped, inlined values already turned into ids) into blocks.
 * The calling thread owns the write transaction and turns blocks into ids
 * and index entries.  Parsing and indexing cost about the same, so on two
 * cores this nearly halves a load.  A bounded queue of blocks keeps memory
 * flat whatever the input size.
 *
 * Block record per statement, four terms (s, p, o, g), each:
 *   0                    the default graph (g only)
 *   1 + 8-byte id        an inlined literal
 *   2 + u32 len + bytes  term bytes as the dictionary stores them
 * --------------------------------------------------------------------- */

#define DEFAULT_BLOCK_BYTES (1u << 20)
/* Up to 256 MiB of parsed statements may wait while the consumer sorts
 * and spills a run (a few seconds), so the parser need not stop meanwhile
 * (measured at 20 M triples: 128 MiB made the load 10-15% slower).
 * Blocks are allocated only as the queue fills; a few are kept for reuse. */
#define QUEUE_BLOCKS 256
#define SPARE_BLOCKS 16

typedef struct {
  uint8_t* data;
  size_t   used;
  size_t   cap;
} Block;

typedef struct {
  pthread_mutex_t mu;
  pthread_cond_t  changed;
  Block*          full[QUEUE_BLOCKS]; /* FIFO of filled blocks */
  size_t          head;
  size_t          count;
  Block*          spare[SPARE_BLOCKS]; /* empty blocks */
  size_t          n_spare;
  size_t          block_bytes; /* size of a (not grown) block */
  bool            done;      /* producer finished (check status) */
  bool            cancelled; /* consumer failed: producer must stop */
} Queue;

typedef struct {
  const char*           path; /* for messages */
  int                   fd;   /* rewindable input */
  const FdxLoadOptions* options;
  FdxFormat             format;
  char*                 base;
  FdxError              perr;     /* producer's error */
  FdxStatus             pstatus;  /* producer's status */
  uint64_t              scope;    /* blank node scope of this attempt */
  uint64_t              quads_read;
  uint64_t              bytes_read;
  uint64_t              added;
  size_t                max_term;
  raptor_parser*        parser;
  char*                 label; /* scratch for blank node labels */
  size_t                label_cap;
  char*                 graph_iri;
  Queue                 q;
  Block*                cur; /* the block the producer fills */
  char*                 buf; /* first chunk, read before the thread starts */
  size_t                buf_n;
  size_t                buf_pos; /* serd: how much of buf it has had */
  gzFile                gz;
  FdxLangGuard          guard;  /* Turtle: over-long "@word"s */
} LoadCtx;

/* FDX_ERR_SYNTAX if `chunk` continues or holds an over-long "@word"
 * (see rdf_guard.h). */
static FdxStatus
guard_lang_tags(LoadCtx* const ctx, const char* const chunk, const size_t n)
{
  if (!fdx_lang_guard_scan(&ctx->guard, chunk, n)) {
    return fdx_error_set(&ctx->perr, FDX_ERR_SYNTAX, ctx->path,
                         (long)ctx->guard.lines + 1, 0,
                         "language tag longer than %d characters",
                         FDX_MAX_AT_WORD);
  }
  return FDX_SUCCESS;
}

static Block*
block_new(const size_t bytes)
{
  Block* const b = (Block*)calloc(1, sizeof(Block));
  if (b && !(b->data = (uint8_t*)malloc(bytes))) {
    free(b);
    return NULL;
  }
  if (b) {
    b->cap = bytes;
  }
  return b;
}

static void
block_free(Block* const b)
{
  if (b) {
    free(b->data);
    free(b);
  }
}

/* Producer: hand the current block over and take an empty one.  Returns
 * false if the consumer has given up. */
static bool
queue_push(LoadCtx* const ctx)
{
  Queue* const q = &ctx->q;
  pthread_mutex_lock(&q->mu);
  while (q->count == QUEUE_BLOCKS && !q->cancelled) {
    pthread_cond_wait(&q->changed, &q->mu);
  }
  if (q->cancelled) {
    pthread_mutex_unlock(&q->mu);
    return false;
  }
  q->full[(q->head + q->count++) % QUEUE_BLOCKS] = ctx->cur;
  ctx->cur = q->n_spare ? q->spare[--q->n_spare] : NULL;
  pthread_cond_broadcast(&q->changed);
  pthread_mutex_unlock(&q->mu);
  if (!ctx->cur) {
    ctx->cur = block_new(q->block_bytes);
  }
  if (ctx->cur) {
    ctx->cur->used = 0;
  }
  return ctx->cur != NULL;
}

/* Consumer: the next filled block, or NULL when the producer is done. */
static Block*
queue_pop(Queue* const q)
{
  pthread_mutex_lock(&q->mu);
  while (!q->count && !q->done) {
    pthread_cond_wait(&q->changed, &q->mu);
  }
  Block* b = NULL;
  if (q->count) {
    b       = q->full[q->head];
    q->head = (q->head + 1) % QUEUE_BLOCKS;
    --q->count;
    pthread_cond_broadcast(&q->changed);
  }
  pthread_mutex_unlock(&q->mu);
  return b;
}

static void
queue_recycle(Queue* const q, Block* const b)
{
  pthread_mutex_lock(&q->mu);
  if (q->n_spare < SPARE_BLOCKS && b->cap == q->block_bytes) {
    q->spare[q->n_spare++] = b;
  } else {
    block_free(b);
  }
  pthread_mutex_unlock(&q->mu);
}

static void
log_handler(void* const data, raptor_log_message* const message)
{
  LoadCtx* const ctx = (LoadCtx*)data;
  if (message->level < RAPTOR_LOG_LEVEL_ERROR || ctx->pstatus) {
    return;
  }
  /* Some errors (an undeclared prefix) come without a position: take the
   * parser's own. */
  const raptor_locator* loc = message->locator;
  if ((!loc || loc->line <= 0) && ctx->parser) {
    loc = raptor_parser_get_locator(ctx->parser);
  }
  long line = 0, column = 0;
  if (loc) {
    line   = loc->line > 0 ? loc->line : 0;
    column = loc->column > 0 ? loc->column : 0;
  }
  ctx->pstatus = fdx_error_set(&ctx->perr, FDX_ERR_SYNTAX, ctx->path, line,
                               column, "%s",
                               message->text ? message->text : "syntax error");
  if (ctx->parser) {
    raptor_parser_parse_abort(ctx->parser);
  }
}

/* Make a blank node label unique to this load: "b<scope>x" then the
 * original label with every byte outside [A-Za-z0-9] written as _HH. */
static FdxStatus
scoped_label(LoadCtx* const       ctx,
             const unsigned char* label,
             const size_t         len,
             FdxTerm* const       ret)
{
  const size_t need = 32 + 3 * len;
  if (need > ctx->label_cap) {
    free(ctx->label);
    ctx->label_cap = need * 2;
    if (!(ctx->label = (char*)malloc(ctx->label_cap))) {
      ctx->label_cap = 0;
      return FDX_ERR_NO_MEMORY;
    }
  }
  size_t n = (size_t)snprintf(ctx->label, 32, "b%llux",
                              (unsigned long long)ctx->scope);
  static const char hex[] = "0123456789ABCDEF";
  for (size_t i = 0; i < len; ++i) {
    const unsigned char c = label[i];
    if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
        (c >= '0' && c <= '9')) {
      ctx->label[n++] = (char)c;
    } else {
      ctx->label[n++] = '_';
      ctx->label[n++] = hex[c >> 4];
      ctx->label[n++] = hex[c & 15];
    }
  }
  *ret = (FdxTerm){FDX_TERM_BLANK, ctx->label, n, NULL, 0, NULL, 0};
  return FDX_SUCCESS;
}

/* View a raptor term as an FdxTerm (blank nodes in ctx's label buffer,
 * valid until the next blank node). */
static FdxStatus
view_term(LoadCtx* const ctx, const raptor_term* const t, FdxTerm* const ret)
{
  size_t len = 0;
  switch (t->type) {
  case RAPTOR_TERM_TYPE_URI: {
    const unsigned char* s = raptor_uri_as_counted_string(t->value.uri, &len);
    *ret = (FdxTerm){FDX_TERM_IRI, (const char*)s, len, NULL, 0, NULL, 0};
    return FDX_SUCCESS;
  }
  case RAPTOR_TERM_TYPE_BLANK:
    return scoped_label(ctx, t->value.blank.string, t->value.blank.string_len,
                        ret);
  case RAPTOR_TERM_TYPE_LITERAL: {
    const raptor_term_literal_value* const lit = &t->value.literal;
    *ret = (FdxTerm){FDX_TERM_LITERAL, (const char*)lit->string,
                     lit->string_len, NULL, 0, NULL, 0};
    if (lit->language && lit->language_len) {
      ret->lang     = (const char*)lit->language;
      ret->lang_len = lit->language_len;
    } else if (lit->datatype) {
      ret->datatype = (const char*)raptor_uri_as_counted_string(
        lit->datatype, &ret->datatype_len);
    }
    return FDX_SUCCESS;
  }
  case RAPTOR_TERM_TYPE_UNKNOWN:
    break;
  }
  return FDX_ERR_BAD_ARG;
}

/* Make room for `need` more bytes in the current block, growing it: a
 * record stays in one block whatever the size of its terms. */
static FdxStatus
block_reserve(Block* const b, const size_t need)
{
  if (b->cap - b->used >= need) {
    return FDX_SUCCESS;
  }
  const size_t   cap  = b->used + need + 64;
  uint8_t* const data = (uint8_t*)realloc(b->data, cap);
  if (!data) {
    return FDX_ERR_NO_MEMORY;
  }
  b->data = data;
  b->cap  = cap;
  return FDX_SUCCESS;
}

/* Append one term to the current block: 0 (default graph), 1 and an
 * inlined id, or 2, a length and the term bytes. */
static FdxStatus
put_term(LoadCtx* const ctx, const FdxTerm* const t)
{
  Block* const b = ctx->cur;
  FdxId        id;
  FdxStatus    st;
  if (!t) {
    if ((st = block_reserve(b, 1))) {
      return st;
    }
    b->data[b->used++] = 0;
    return FDX_SUCCESS;
  }
  if (fdx_term_inline(t, &id)) {
    if ((st = block_reserve(b, 9))) {
      return st;
    }
    b->data[b->used++] = 1;
    fdx_put_u64(b->data + b->used, id);
    b->used += 8;
    return FDX_SUCCESS;
  }
  size_t len = 0;
  if ((st = block_reserve(b, 5))) {
    return st;
  }
  st = fdx_term_encode_into(t, b->data + b->used + 5, b->cap - b->used - 5,
                            &len);
  if (st == FDX_FAILURE) {
    /* Too big for what is left: grow the block, then encode. */
    if (len > ctx->max_term) {
      return FDX_ERR_LIMIT;
    }
    if ((st = block_reserve(b, 5 + len))) {
      return st;
    }
    st = fdx_term_encode_into(t, b->data + b->used + 5, b->cap - b->used - 5,
                              &len);
  }
  if (st) {
    return st;
  }
  if (len > ctx->max_term) {
    return FDX_ERR_LIMIT;
  }
  b->data[b->used] = 2;
  const uint32_t l32 = (uint32_t)len;
  memcpy(b->data + b->used + 1, &l32, 4);
  b->used += 5 + len;
  return FDX_SUCCESS;
}

#define RECORD_FIXED (4 * 9)

/* Start a statement's record: keep it in one block, so start a new block
 * if the fixed part does not fit (long terms grow the block instead).
 * False if the consumer has given up. */
static bool
record_begin(LoadCtx* const ctx, size_t* const ret_start)
{
  if (ctx->cur->cap - ctx->cur->used < RECORD_FIXED + 256 &&
      !queue_push(ctx)) {
    return false;
  }
  *ret_start = ctx->cur->used;
  return true;
}

/* The graph term of a record: --graph, else the statement's, else the
 * default graph. */
static FdxStatus
record_graph(LoadCtx* const ctx, const FdxTerm* const g)
{
  if (ctx->graph_iri) {
    const FdxTerm forced = fdx_term_iri(ctx->graph_iri);
    return put_term(ctx, &forced);
  }
  return put_term(ctx, g);
}

/* Record the first error of this load (producer) at `line`:`column`. */
static void
record_fail(LoadCtx* const    ctx,
            const FdxStatus   st,
            const char* const reason,
            const long        line,
            const long        column)
{
  if (ctx->pstatus) {
    return;
  }
  if (ctx->q.cancelled) {
    ctx->pstatus = FDX_ERR_UNKNOWN; /* the consumer has the error */
    return;
  }
  ctx->pstatus = fdx_error_set(
    &ctx->perr, st, ctx->path, line, column, "%s",
    reason                  ? reason
    : st == FDX_ERR_LIMIT   ? "term longer than the store's limit"
    : st == FDX_ERR_BAD_ARG ? "invalid term (bad UTF-8 or a NUL byte)"
                            : fdx_strerror(st));
}

static void
statement_handler(void* const data, raptor_statement* const statement)
{
  LoadCtx* const ctx = (LoadCtx*)data;
  if (ctx->pstatus) {
    return;
  }
  const char* reason = NULL;
  FdxStatus   st     = FDX_SUCCESS;
  size_t      start  = 0;
  if (statement->subject->type == RAPTOR_TERM_TYPE_LITERAL) {
    reason = "a literal as subject";
  } else if (statement->predicate->type != RAPTOR_TERM_TYPE_URI) {
    reason = "a predicate that is not an IRI";
  } else if (!ctx->graph_iri && statement->graph &&
             statement->graph->type == RAPTOR_TERM_TYPE_LITERAL) {
    reason = "a literal as graph name";
  }
  if (reason) {
    st = FDX_ERR_SYNTAX;
  } else if (!record_begin(ctx, &start)) {
    st = FDX_ERR_UNKNOWN;
  } else {
    const raptor_term* const terms[3] = {statement->subject,
                                         statement->predicate,
                                         statement->object};
    for (int i = 0; i < 3 && !st; ++i) {
      FdxTerm t;
      if (!(st = view_term(ctx, terms[i], &t))) {
        st = put_term(ctx, &t);
      }
    }
    FdxTerm g;
    if (!st && statement->graph && !ctx->graph_iri &&
        !(st = view_term(ctx, statement->graph, &g))) {
      st = record_graph(ctx, &g);
    } else if (!st && (!statement->graph || ctx->graph_iri)) {
      st = record_graph(ctx, NULL);
    }
    if (!st) {
      __atomic_add_fetch(&ctx->quads_read, 1, __ATOMIC_RELAXED);
      return;
    }
    ctx->cur->used = start;
  }
  const raptor_locator* const loc = raptor_parser_get_locator(ctx->parser);
  record_fail(ctx, st, reason, loc && loc->line > 0 ? loc->line : 0,
              loc && loc->column > 0 ? loc->column : 0);
  raptor_parser_parse_abort(ctx->parser);
}

static FdxStatus
read_chunk(LoadCtx* ctx, char* buf, size_t cap, size_t* ret_n);

/* ------------------------------------------------------------------------
 * N-Triples and N-Quads through serd, which parses them about twice as
 * fast as raptor; these are the bulk-load formats.
 * --------------------------------------------------------------------- */

/* An IRI in N-Triples must be absolute: a scheme, then ':'. */
static bool
iri_is_absolute(const uint8_t* const s, const size_t n)
{
  if (n == 0 || !((s[0] | 0x20) >= 'a' && (s[0] | 0x20) <= 'z')) {
    return false;
  }
  for (size_t i = 1; i < n; ++i) {
    const uint8_t c = s[i];
    if (c == ':') {
      return true;
    }
    if (!(((c | 0x20) >= 'a' && (c | 0x20) <= 'z') ||
          (c >= '0' && c <= '9') || c == '+' || c == '-' || c == '.')) {
      return false;
    }
  }
  return false;
}

static FdxStatus
serd_term(LoadCtx* const        ctx,
          const SerdNode* const n,
          const SerdNode* const datatype,
          const SerdNode* const lang,
          FdxTerm* const        ret,
          const char** const    reason)
{
  switch (n->type) {
  case SERD_URI:
    if (!iri_is_absolute(n->buf, n->n_bytes)) {
      *reason = "relative IRI (N-Triples and N-Quads need absolute IRIs)";
      return FDX_ERR_SYNTAX;
    }
    *ret = (FdxTerm){FDX_TERM_IRI, (const char*)n->buf, n->n_bytes,
                     NULL, 0, NULL, 0};
    return FDX_SUCCESS;
  case SERD_BLANK:
    return scoped_label(ctx, n->buf, n->n_bytes, ret);
  case SERD_LITERAL:
    *ret = (FdxTerm){FDX_TERM_LITERAL, (const char*)n->buf, n->n_bytes,
                     NULL, 0, NULL, 0};
    if (lang && lang->n_bytes) {
      ret->lang     = (const char*)lang->buf;
      ret->lang_len = lang->n_bytes;
    } else if (datatype && datatype->n_bytes) {
      if (!iri_is_absolute(datatype->buf, datatype->n_bytes)) {
        *reason = "relative datatype IRI";
        return FDX_ERR_SYNTAX;
      }
      ret->datatype     = (const char*)datatype->buf;
      ret->datatype_len = datatype->n_bytes;
    }
    return FDX_SUCCESS;
  default:
    break;
  }
  *reason = "unexpected term";
  return FDX_ERR_SYNTAX;
}

static SerdStatus
serd_statement(void* const           handle,
               const SerdStatementFlags flags,
               const SerdNode* const graph,
               const SerdNode* const subject,
               const SerdNode* const predicate,
               const SerdNode* const object,
               const SerdNode* const object_datatype,
               const SerdNode* const object_lang)
{
  (void)flags;
  LoadCtx* const ctx    = (LoadCtx*)handle;
  const char*    reason = NULL;
  FdxStatus      st     = FDX_SUCCESS;
  size_t         start  = 0;
  if (ctx->pstatus) {
    return SERD_ERR_UNKNOWN;
  }
  if (subject->type == SERD_LITERAL) {
    reason = "a literal as subject";
    st     = FDX_ERR_SYNTAX;
  } else if (predicate->type != SERD_URI) {
    reason = "a predicate that is not an IRI";
    st     = FDX_ERR_SYNTAX;
  } else if (!record_begin(ctx, &start)) {
    st = FDX_ERR_UNKNOWN;
  } else {
    FdxTerm t;
    if (!(st = serd_term(ctx, subject, NULL, NULL, &t, &reason)) &&
        !(st = put_term(ctx, &t)) &&
        !(st = serd_term(ctx, predicate, NULL, NULL, &t, &reason)) &&
        !(st = put_term(ctx, &t)) &&
        !(st = serd_term(ctx, object, object_datatype, object_lang, &t,
                         &reason)) &&
        !(st = put_term(ctx, &t))) {
      if (graph && graph->type == SERD_LITERAL) {
        reason = "a literal as graph name";
        st     = FDX_ERR_SYNTAX;
      } else if (graph && !ctx->graph_iri) {
        if (!(st = serd_term(ctx, graph, NULL, NULL, &t, &reason))) {
          st = record_graph(ctx, &t);
        }
      } else {
        st = record_graph(ctx, NULL);
      }
    }
    if (!st) {
      __atomic_add_fetch(&ctx->quads_read, 1, __ATOMIC_RELAXED);
      return SERD_SUCCESS;
    }
    ctx->cur->used = start;
  }
  /* serd does not say where it is; name the statement instead. */
  char where[160];
  snprintf(where, sizeof(where), "%s (statement %llu)",
           reason                  ? reason
           : st == FDX_ERR_LIMIT   ? "term longer than the store's limit"
           : st == FDX_ERR_BAD_ARG ? "invalid term (bad UTF-8 or a NUL byte)"
                                   : fdx_strerror(st),
           (unsigned long long)__atomic_load_n(&ctx->quads_read,
                                               __ATOMIC_RELAXED) + 1);
  record_fail(ctx, st, where, 0, 0);
  return SERD_ERR_UNKNOWN;
}

static SerdStatus
serd_error(void* const handle, const SerdError* const error)
{
  LoadCtx* const ctx = (LoadCtx*)handle;
  if (!ctx->pstatus) {
    char    message[sizeof(ctx->perr.message)];
    va_list args;
    va_copy(args, *error->args);
    vsnprintf(message, sizeof(message), error->fmt, args);
    va_end(args);
    /* serd ends its messages with a newline. */
    const size_t len = strlen(message);
    if (len && message[len - 1] == '\n') {
      message[len - 1] = '\0';
    }
    ctx->pstatus = fdx_error_set(&ctx->perr, FDX_ERR_SYNTAX, ctx->path,
                                 (long)error->line, (long)error->col + 1,
                                 "%s", message);
  }
  return SERD_SUCCESS;
}

/* serd's source: first the bytes read for sniffing, then the stream.  A
 * short count means the end to serd, so fill the page unless at the end:
 * only then does a truncated gzip stream show as an error. */
static size_t
serd_source(void* const buf, const size_t size, const size_t nmemb,
            void* const stream)
{
  LoadCtx* const ctx  = (LoadCtx*)stream;
  char* const    out  = (char*)buf;
  const size_t   want = size * nmemb;
  size_t         got  = 0;
  if (ctx->pstatus) {
    return 0;
  }
  if (ctx->buf_pos < ctx->buf_n) {
    size_t n = ctx->buf_n - ctx->buf_pos;
    n        = n < want ? n : want;
    memcpy(out, ctx->buf + ctx->buf_pos, n);
    ctx->buf_pos += n;
    got = n;
  }
  while (got < want) {
    size_t          n  = 0;
    const FdxStatus st = read_chunk(ctx, out + got, want - got, &n);
    if (st) {
      ctx->pstatus = st;
      return 0;
    }
    if (n == 0) {
      break;
    }
    got += n;
  }
  return got / size;
}

static int
serd_stream_error(void* const stream)
{
  return ((LoadCtx*)stream)->pstatus != FDX_SUCCESS;
}

static FdxStatus
produce_serd(LoadCtx* const ctx)
{
  SerdReader* const reader = serd_reader_new(
    ctx->format == FDX_FORMAT_NQUADS ? SERD_NQUADS : SERD_NTRIPLES, ctx, NULL,
    NULL, NULL, serd_statement, NULL);
  if (!reader) {
    return FDX_ERR_NO_MEMORY;
  }
  serd_reader_set_strict(reader, true);
  serd_reader_set_error_sink(reader, serd_error, ctx);
  ctx->buf_pos = 0;
  const SerdStatus sst =
    serd_reader_read_source(reader, serd_source, serd_stream_error, ctx,
                            (const uint8_t*)ctx->path, 4096);
  serd_reader_free(reader);
  if (ctx->pstatus) {
    return ctx->pstatus;
  }
  if (sst && sst != SERD_FAILURE) {
    return fdx_error_set(&ctx->perr, FDX_ERR_SYNTAX, ctx->path, 0, 0,
                         "cannot read %s: serd status %d",
                         fdx_format_name(ctx->format), (int)sst);
  }
  return FDX_SUCCESS;
}

/* Read up to `cap` bytes, enforcing the byte limit (producer). */
static FdxStatus
read_chunk(LoadCtx* const ctx, char* const buf, const size_t cap,
           size_t* const ret_n)
{
  const int n = gzread(ctx->gz, buf, (unsigned)cap);
  int       zerr = Z_OK;
  if (n <= 0) {
    gzerror(ctx->gz, &zerr);
  }
  if (n < 0 || (zerr != Z_OK && zerr != Z_STREAM_END)) {
    /* gzread reports a truncated stream only through gzerror. */
    const char* const why =
      zerr == Z_BUF_ERROR    ? "input ends early (truncated gzip stream?)"
      : zerr == Z_DATA_ERROR ? "invalid gzip data"
      : zerr == Z_MEM_ERROR  ? "out of memory"
      : zerr == Z_ERRNO      ? strerror(errno)
                             : "read error";
    return fdx_error_set(&ctx->perr, zerr == Z_MEM_ERROR ? FDX_ERR_NO_MEMORY
                                                         : FDX_ERR_IO,
                         ctx->path, 0, 0, "%s", why);
  }
  /* Atomic: the consumer thread reads it for progress reports. */
  const uint64_t total =
    __atomic_add_fetch(&ctx->bytes_read, (uint64_t)n, __ATOMIC_RELAXED);
  if (ctx->options->max_bytes && total > ctx->options->max_bytes) {
    return fdx_error_set(&ctx->perr, FDX_ERR_LIMIT, ctx->path, 0, 0,
                         "input larger than the limit of %llu bytes",
                         (unsigned long long)ctx->options->max_bytes);
  }
  *ret_n = (size_t)n;
  return FDX_SUCCESS;
}

/* The parser thread: raptor over the input, statements into blocks. */
static void*
produce(void* const data)
{
  LoadCtx* const ctx   = (LoadCtx*)data;
  raptor_world*  world = NULL;
  raptor_uri*    base  = NULL;
  FdxStatus      st    = FDX_SUCCESS;
  if (ctx->format == FDX_FORMAT_NTRIPLES ||
      ctx->format == FDX_FORMAT_NQUADS) {
    if (!(st = produce_serd(ctx)) && ctx->cur->used && !queue_push(ctx)) {
      st = FDX_ERR_UNKNOWN;
    }
    goto done;
  }
  world = raptor_new_world();
  if (!world || raptor_world_open(world)) {
    st = FDX_ERR_NO_MEMORY;
    goto done;
  }
  raptor_world_set_log_handler(world, ctx, log_handler);
  ctx->parser = raptor_new_parser(world, fdx_format_name(ctx->format));
  base        = raptor_new_uri(world, (const unsigned char*)ctx->base);
  if (!ctx->parser || !base) {
    st = fdx_error_set(&ctx->perr, FDX_ERR_BAD_ARG, ctx->path, 0, 0,
                       "cannot start the %s parser (base IRI <%s>)",
                       fdx_format_name(ctx->format), ctx->base);
    goto done;
  }
  raptor_parser_set_option(ctx->parser, RAPTOR_OPTION_NO_NET, NULL, 1);
  raptor_parser_set_option(ctx->parser, RAPTOR_OPTION_NO_FILE, NULL, 1);
  raptor_parser_set_statement_handler(ctx->parser, ctx, statement_handler);
  if (raptor_parser_parse_start(ctx->parser, base)) {
    st = ctx->pstatus ? ctx->pstatus : FDX_ERR_UNKNOWN;
    goto done;
  }
  size_t     n      = ctx->buf_n;
  const bool turtle = ctx->format == FDX_FORMAT_TURTLE || ctx->format == FDX_FORMAT_TRIG;
  memset(&ctx->guard, 0, sizeof(ctx->guard));
  for (;;) {
    const int end = n == 0;
    if (turtle && (st = guard_lang_tags(ctx, ctx->buf, n))) {
      goto done;
    }
    if (raptor_parser_parse_chunk(ctx->parser, (const unsigned char*)ctx->buf,
                                  n, end) ||
        ctx->pstatus) {
      st = ctx->pstatus
             ? ctx->pstatus
             : fdx_error_set(&ctx->perr, FDX_ERR_SYNTAX, ctx->path, 0, 0,
                             "parse error");
      goto done;
    }
    if (end) {
      break;
    }
    if ((st = read_chunk(ctx, ctx->buf, CHUNK_BYTES, &n))) {
      goto done;
    }
  }
  if (ctx->cur->used && !queue_push(ctx)) {
    st = FDX_ERR_UNKNOWN;
  }

done:
  if (ctx->parser) {
    raptor_free_parser(ctx->parser);
    ctx->parser = NULL;
  }
  if (base) {
    raptor_free_uri(base);
  }
  if (world) {
    raptor_free_world(world);
  }
  pthread_mutex_lock(&ctx->q.mu);
  ctx->pstatus = st;
  ctx->q.done  = true;
  pthread_cond_broadcast(&ctx->q.changed);
  pthread_mutex_unlock(&ctx->q.mu);
  return NULL;
}

/* Consumer: decode one block's records into the loader. */
static FdxStatus
consume_block(FdxLoader* const loader, const Block* const b)
{
  size_t pos = 0;
  while (pos < b->used) {
    FdxEncodedTerm terms[4];
    for (int i = 0; i < 4; ++i) {
      const uint8_t kind = b->data[pos++];
      terms[i].bytes     = NULL;
      terms[i].len       = 0;
      if (kind == 0) {
        terms[i].id = FDX_ID_DEFAULT_GRAPH;
      } else if (kind == 1) {
        terms[i].id = fdx_get_u64(b->data + pos);
        pos += 8;
      } else {
        uint32_t l32;
        memcpy(&l32, b->data + pos, 4);
        terms[i].bytes = b->data + pos + 4;
        terms[i].len   = l32;
        terms[i].id    = 0;
        pos += 4 + l32;
      }
    }
    const FdxStatus st = fdx_loader_add_encoded(loader, terms);
    if (st) {
      return st;
    }
  }
  return FDX_SUCCESS;
}

/* ------------------------------------------------------------------------
 * JSON-LD: no streaming parser, so the whole (decompressed) document is
 * read into memory, at most FDX_JSONLD_MAX_BYTES, and run through
 * fdx_parse_bytes() inside the load's write transaction.  Blank nodes are
 * scoped to the load as for the other formats; --graph overrides the
 * document's graphs.
 * --------------------------------------------------------------------- */

typedef struct {
  LoadCtx*   ctx;
  FdxLoader* loader;
  char*      labels[3]; /* scoped labels of s, o and g */
  size_t     caps[3];
} JsonldSink;

/* Copy the scoped label of blank node `t` into the sink's buffer `i`. */
static FdxStatus
jsonld_scope(JsonldSink* const sink, const int i, const FdxTerm* const t,
             FdxTerm* const ret)
{
  *ret = *t;
  if (t->kind != FDX_TERM_BLANK) {
    return FDX_SUCCESS;
  }
  FdxTerm         scoped;
  const FdxStatus st = scoped_label(sink->ctx, (const unsigned char*)t->value,
                                    t->value_len, &scoped);
  if (st) {
    return st;
  }
  if (scoped.value_len + 1 > sink->caps[i]) {
    char* const b = (char*)realloc(sink->labels[i], scoped.value_len * 2 + 1);
    if (!b) {
      return FDX_ERR_NO_MEMORY;
    }
    sink->labels[i] = b;
    sink->caps[i]   = scoped.value_len * 2 + 1;
  }
  memcpy(sink->labels[i], scoped.value, scoped.value_len);
  ret->value = sink->labels[i];
  ret->value_len = scoped.value_len;
  return FDX_SUCCESS;
}

static FdxStatus
jsonld_statement(void* const data, const FdxTerm* const s,
                 const FdxTerm* const p, const FdxTerm* const o,
                 const FdxTerm* const g)
{
  JsonldSink* const sink = (JsonldSink*)data;
  LoadCtx* const    ctx  = sink->ctx;
  FdxTerm           ss, oo, gg;
  FdxStatus         st;
  if ((st = jsonld_scope(sink, 0, s, &ss)) ||
      (st = jsonld_scope(sink, 1, o, &oo))) {
    return st;
  }
  const FdxTerm* graph = NULL;
  if (ctx->graph_iri) {
    gg    = fdx_term_iri(ctx->graph_iri);
    graph = &gg;
  } else if (g) {
    if ((st = jsonld_scope(sink, 2, g, &gg))) {
      return st;
    }
    graph = &gg;
  }
  const size_t lens[4] = {ss.value_len, p->value_len, oo.value_len,
                          graph ? graph->value_len : 0};
  for (int i = 0; i < 4; ++i) {
    if (lens[i] > ctx->max_term) {
      return FDX_ERR_LIMIT;
    }
  }
  if ((st = fdx_loader_add(sink->loader, &ss, p, &oo, graph))) {
    return st;
  }
  ++ctx->quads_read;
  return FDX_SUCCESS;
}

/* Read the rest of the input after the first chunk, then parse and load. */
static FdxStatus
load_jsonld(FdxTxn* const txn, LoadCtx* const ctx)
{
  JsonldSink sink;
  memset(&sink, 0, sizeof(sink));
  sink.ctx      = ctx;
  size_t    cap = ctx->buf_n + CHUNK_BYTES;
  size_t    n   = ctx->buf_n;
  char*     doc = (char*)malloc(cap);
  FdxStatus st  = FDX_SUCCESS;
  if (!doc) {
    return FDX_ERR_NO_MEMORY;
  }
  memcpy(doc, ctx->buf, n);
  for (;;) {
    if (cap - n < CHUNK_BYTES) {
      char* const bigger = (char*)realloc(doc, cap * 2);
      if (!bigger) {
        st = FDX_ERR_NO_MEMORY;
        goto done;
      }
      doc = bigger;
      cap *= 2;
    }
    size_t got = 0;
    if ((st = read_chunk(ctx, doc + n, CHUNK_BYTES, &got))) {
      goto done;
    }
    if (!got) {
      break;
    }
    n += got;
    if (n > FDX_JSONLD_MAX_BYTES) {
      st = fdx_error_set(&ctx->perr, FDX_ERR_LIMIT, ctx->path, 0, 0,
                         "JSON-LD document larger than %llu bytes",
                         (unsigned long long)FDX_JSONLD_MAX_BYTES);
      goto done;
    }
  }
  if ((st = fdx_loader_new(txn, ctx->options->sort_buffer_bytes,
                           &sink.loader))) {
    goto done;
  }
  if ((st = fdx_parse_bytes(doc, n, FDX_FORMAT_JSONLD, ctx->base, ctx->path,
                            jsonld_statement, &sink, &ctx->perr))) {
    goto done;
  }
  if ((st = fdx_loader_finish(sink.loader, &ctx->added))) {
    fdx_error_set(&ctx->perr, st, ctx->path, 0, 0, "cannot write: %s",
                  fdx_strerror(st));
  }
  if (ctx->options->progress) {
    ctx->options->progress(ctx->options->progress_ctx, ctx->bytes_read,
                           ctx->quads_read);
  }

done:
  fdx_loader_free(sink.loader);
  for (int i = 0; i < 3; ++i) {
    free(sink.labels[i]);
  }
  free(doc);
  return st;
}

static FdxStatus
load_attempt(FdxTxn* const txn, void* const data)
{
  LoadCtx* const ctx = (LoadCtx*)data;
  ctx->pstatus       = FDX_SUCCESS;
  ctx->quads_read    = 0;
  ctx->bytes_read    = 0;
  ctx->added         = 0;
  ctx->scope         = fdx_txn_next_bnode_scope(txn);
  memset(&ctx->perr, 0, sizeof(ctx->perr));

  if (lseek(ctx->fd, 0, SEEK_SET) < 0) {
    return fdx_error_set(&ctx->perr, FDX_ERR_IO, ctx->path, 0, 0,
                         "cannot rewind input: %s", strerror(errno));
  }
  const int dupfd = dup(ctx->fd);
  ctx->gz         = dupfd >= 0 ? gzdopen(dupfd, "rb") : NULL;
  if (!ctx->gz) {
    if (dupfd >= 0) {
      close(dupfd);
    }
    return fdx_error_set(&ctx->perr, FDX_ERR_IO, ctx->path, 0, 0,
                         "cannot read: %s", strerror(errno));
  }
  gzbuffer(ctx->gz, CHUNK_BYTES);

  FdxStatus  st      = FDX_SUCCESS;
  FdxLoader* loader  = NULL;
  bool       started = false;
  pthread_t  thread;
  memset(&ctx->q, 0, sizeof(ctx->q));
  pthread_mutex_init(&ctx->q.mu, NULL);
  pthread_cond_init(&ctx->q.changed, NULL);
  ctx->q.block_bytes = ctx->options->block_bytes >= 512
                         ? ctx->options->block_bytes
                         : DEFAULT_BLOCK_BYTES;
  ctx->buf = (char*)malloc(CHUNK_BYTES);
  ctx->cur = block_new(ctx->q.block_bytes);
  if (!ctx->buf || !ctx->cur) {
    st = FDX_ERR_NO_MEMORY;
    goto done;
  }
  if ((st = read_chunk(ctx, ctx->buf, CHUNK_BYTES, &ctx->buf_n))) {
    goto done;
  }
  if (ctx->format == FDX_FORMAT_UNKNOWN) {
    ctx->format = fdx_format_sniff(ctx->buf, ctx->buf_n);
    if (ctx->format == FDX_FORMAT_UNKNOWN) {
      st = fdx_error_set(&ctx->perr, FDX_ERR_SYNTAX, ctx->path, 1, 1,
                         "cannot tell the RDF syntax: name it with --format "
                         "or use a known file extension");
      goto done;
    }
  }
  if (ctx->format == FDX_FORMAT_JSONLD) {
    st = load_jsonld(txn, ctx);
    goto done;
  }
  if ((st = fdx_loader_new(txn, ctx->options->sort_buffer_bytes, &loader))) {
    goto done;
  }
  if (pthread_create(&thread, NULL, produce, ctx)) {
    st = FDX_ERR_NO_MEMORY;
    goto done;
  }
  started = true;

  uint64_t next_report = 0;
  Block*   b;
  while ((b = queue_pop(&ctx->q))) {
    st = consume_block(loader, b);
    queue_recycle(&ctx->q, b);
    if (st) {
      break;
    }
    const uint64_t bytes =
      __atomic_load_n(&ctx->bytes_read, __ATOMIC_RELAXED);
    if (ctx->options->progress && bytes >= next_report) {
      ctx->options->progress(ctx->options->progress_ctx, bytes,
                             __atomic_load_n(&ctx->quads_read,
                                             __ATOMIC_RELAXED));
      next_report = bytes + ((uint64_t)8 << 20);
    }
  }
  if (st) {
    /* Tell the producer to stop, and drain what it already queued. */
    pthread_mutex_lock(&ctx->q.mu);
    ctx->q.cancelled = true;
    pthread_cond_broadcast(&ctx->q.changed);
    pthread_mutex_unlock(&ctx->q.mu);
  }
  pthread_join(thread, NULL);
  started = false;
  while ((b = queue_pop(&ctx->q))) {
    block_free(b);
  }
  if (st) {
    fdx_error_set(&ctx->perr, st, ctx->path, 0, 0, "cannot write: %s",
                  fdx_strerror(st));
    goto done;
  }
  if (ctx->pstatus) {
    st = ctx->pstatus;
    goto done;
  }
  if ((st = fdx_loader_finish(loader, &ctx->added))) {
    fdx_error_set(&ctx->perr, st, ctx->path, 0, 0, "cannot write: %s",
                  fdx_strerror(st));
  }

done:
  if (started) {
    pthread_join(thread, NULL);
  }
  fdx_loader_free(loader);
  block_free(ctx->cur);
  ctx->cur = NULL;
  for (size_t i = 0; i < ctx->q.n_spare; ++i) {
    block_free(ctx->q.spare[i]);
  }
  pthread_cond_destroy(&ctx->q.changed);
  pthread_mutex_destroy(&ctx->q.mu);
  free(ctx->buf);
  ctx->buf = NULL;
  gzclose(ctx->gz);
  ctx->gz = NULL;
  return st;
}

/* Copy standard input to an unlinked temporary file so a load can rerun. */
static int
spool_stdin(FdxError* const err)
{
  FILE* const tmp = tmpfile();
  if (!tmp) {
    fdx_error_set(err, FDX_ERR_IO, "-", 0, 0, "cannot create a temporary "
                  "file for standard input: %s", strerror(errno));
    return -1;
  }
  char   buf[65536];
  size_t n;
  while ((n = fread(buf, 1, sizeof(buf), stdin)) > 0) {
    if (fwrite(buf, 1, n, tmp) != n) {
      fclose(tmp);
      fdx_error_set(err, FDX_ERR_IO, "-", 0, 0, "cannot spool input: %s",
                    strerror(errno));
      return -1;
    }
  }
  if (ferror(stdin) || fflush(tmp)) {
    fclose(tmp);
    fdx_error_set(err, FDX_ERR_IO, "-", 0, 0, "cannot read standard input");
    return -1;
  }
  const int fd = dup(fileno(tmp));
  fclose(tmp);
  return fd;
}

/* Open the input and work out format, base and target graph. */
static FdxStatus
load_prepare(LoadCtx* const ctx, const char* const path,
             const FdxLoadOptions* const options, const size_t max_term,
             FdxError* const err)
{
  static const FdxLoadOptions defaults = {0};
  memset(ctx, 0, sizeof(*ctx));
  ctx->fd       = -1;
  ctx->path     = path;
  ctx->options  = options ? options : &defaults;
  ctx->max_term = max_term;
  ctx->format   = ctx->options->format;
  if (ctx->format == FDX_FORMAT_UNKNOWN && strcmp(path, "-")) {
    ctx->format = fdx_format_from_path(path);
  }
  if ((unsigned)ctx->format > FDX_FORMAT_JSONLD) {
    return FDX_ERR_BAD_ARG;
  }
  const bool is_stdin = !strcmp(path, "-");
  ctx->fd = is_stdin ? spool_stdin(err) : open(path, O_RDONLY | O_CLOEXEC);
  if (ctx->fd < 0) {
    return is_stdin ? FDX_ERR_IO
                    : fdx_error_set(err, FDX_ERR_IO, path, 0, 0,
                                    "cannot open: %s", strerror(errno));
  }
  /* Base IRI: as given, else the file's own absolute file: IRI. */
  if (ctx->options->base) {
    ctx->base = strdup(ctx->options->base);
  } else if (is_stdin) {
    ctx->base = strdup("file:///dev/stdin");
  } else {
    char* const abs = realpath(path, NULL);
    if (abs) {
      const size_t len = strlen(abs) + 8;
      if ((ctx->base = (char*)malloc(len))) {
        snprintf(ctx->base, len, "file://%s", abs);
      }
      free(abs);
    }
  }
  if (ctx->options->graph && !(ctx->graph_iri = strdup(ctx->options->graph))) {
    return FDX_ERR_NO_MEMORY;
  }
  return ctx->base ? FDX_SUCCESS : FDX_ERR_NO_MEMORY;
}

/* Report the outcome and release the input. */
static FdxStatus
load_finish(LoadCtx* const ctx, const FdxStatus st,
            FdxLoadResult* const ret_result, FdxError* const err)
{
  if (!st && ret_result) {
    ret_result->quads_read  = ctx->quads_read;
    ret_result->quads_added = ctx->added;
    ret_result->bytes_read  = ctx->bytes_read;
    ret_result->format      = ctx->format;
  }
  if (st && err) {
    if (ctx->perr.message[0]) {
      *err = ctx->perr;
    } else if (!err->message[0]) {
      fdx_error_set(err, st, ctx->path, 0, 0, "%s", fdx_strerror(st));
    }
  }
  if (ctx->fd >= 0) {
    close(ctx->fd);
  }
  free(ctx->base);
  free(ctx->graph_iri);
  free(ctx->label);
  return st;
}

FdxStatus
fdx_load_file(FdxStore* const             store,
              const char* const           path,
              const FdxLoadOptions* const options,
              FdxLoadResult* const        ret_result,
              FdxError* const             err)
{
  if (!store || !path) {
    return FDX_ERR_BAD_ARG;
  }
  LoadCtx   ctx;
  FdxStatus st =
    load_prepare(&ctx, path, options, fdx_store_max_term_bytes(store), err);
  /* A store takes roughly three times an N-Triples file's size; reserve
   * that much up front so a big load does not rerun on a full map. */
  struct stat sb;
  if (!st && !fstat(ctx.fd, &sb) && sb.st_size > 0) {
    const size_t plen = strlen(path);
    const bool   gz   = plen > 3 && !strcmp(path + plen - 3, ".gz");
    st = fdx_store_reserve(store, (uint64_t)sb.st_size * (gz ? 30 : 3));
  }
  if (!st) {
    st = fdx_store_write(store, load_attempt, &ctx);
  }
  return load_finish(&ctx, st, ret_result, err);
}

FdxStatus
fdx_load_file_in(FdxTxn* const               txn,
                 const char* const           path,
                 const FdxLoadOptions* const options,
                 FdxLoadResult* const        ret_result,
                 FdxError* const             err)
{
  if (!txn || !path) {
    return FDX_ERR_BAD_ARG;
  }
  if (!txn->write) {
    return FDX_ERR_READ_ONLY;
  }
  LoadCtx   ctx;
  FdxStatus st = load_prepare(&ctx, path, options, txn->store->max_term_bytes, err);
  if (!st) {
    st = load_attempt(txn, &ctx);
  }
  return load_finish(&ctx, st, ret_result, err);
}
