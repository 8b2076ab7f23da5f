/*
 * parser.c: the SPARQL 1.1 Query and Update parser, a hand-written
 * recursive descent over the tokens of lexer.c, one function per grammar
 * rule of https://www.w3.org/TR/sparql11-query/#grammar (and the update
 * rules of sparql11-update), building the tree that ast.h describes.
 *
 * How lists are built.  The tree wants exact arrays (n triples, n args),
 * but the parser only knows a list's length when it ends.  Lists are
 * therefore gathered on one scratch stack (a growable byte buffer outside
 * the arena): a list begins at the current top, its items are pushed as
 * they are parsed, and when it ends they are copied into the arena as one
 * array and the top goes back to where the list began.  Recursive descent
 * finishes every inner list before the outer one takes its next item, so
 * lists nest like stack frames and never interleave.  The one place where
 * two kinds of item are produced together (triples found while parsing a
 * blank node property list inside a triple) pushes them on the same list.
 *
 * Static rules.  What the grammar alone cannot say but the W3C negative
 * syntax tests check is enforced here, each where it can first be seen:
 * blank node labels against a table of where each label was used (basic
 * graph pattern, operation); BIND against the in-scope variables of the
 * group so far; SELECT expressions against the WHERE's in-scope variables
 * and, for grouped queries, against the GROUP BY keys once those are
 * known; aggregates through a context that only SELECT, HAVING and ORDER
 * BY set, and that an aggregate's own arguments clear.
 *
 * Time: every check is linear in what it looks at (hash tables for names
 * and labels, stamped sets and a scope stack for variables), so that a
 * query of max_bytes cannot make the parser quadratic.
 *
 * Memory: the tree lives in the arena (limit max_memory); the scratch
 * stack, the tables and the variable sets are malloc'd, have a limit of
 * their own of the same size, and are freed before the parser returns.
 * Depth: enter() / leave() around every nesting construct, see ast.h for
 * what counts.  Errors: the first one wins (fail_st) and is reported with
 * its position when the parse returns.
 */
#include "ast.h"
#include "lexer.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define RDF_NS "http://www.w3.org/1999/02/22-rdf-syntax-ns#"
#define XSD_NS "http://www.w3.org/2001/XMLSchema#"

#define TRY(st, expr)                     \
  do {                                    \
    if (((st) = (expr)) != FDX_SUCCESS) { \
      return (st);                        \
    }                                     \
  } while (0)

/* ------------------------------------------------------------------------
 * Parser state
 * --------------------------------------------------------------------- */

/* A string-keyed hash table (open addressing, linear probing) mapping to
 * a uint32_t.  Keys are borrowed: they live in the arena. */
typedef struct
{
  const char* key;
  size_t      len;
  uint32_t    hash;
  uint32_t    value;
} MapSlot;

typedef struct
{
  MapSlot* slots;
  uint32_t cap; /* a power of two, or 0 */
  uint32_t count;
} Map;

/* Where a blank node label of a WHERE clause was used. */
typedef struct
{
  uint32_t bgp; /* basic graph pattern id */
  uint32_t var; /* its variable */
  uint32_t op;  /* update operation (0 in a query) */
} WhereLabel;

/* Where a blank node label of a template or of data was used. */
typedef struct
{
  uint32_t bnode; /* template blank node index */
  uint32_t op;
  bool     data; /* in INSERT DATA: the label is the request's */
} TemplateLabel;

/* The aggregates of one SELECT, in the order met. */
typedef struct AggLink
{
  FdxSparqlExpr*  expr;
  struct AggLink* next;
} AggLink;

typedef struct
{
  AggLink* head;
  AggLink* tail;
  uint32_t n;
} AggCtx;

/* How the triples being parsed are read: which terms they may hold and
 * what a blank node becomes. */
typedef struct
{
  bool        paths;      /* property paths allowed (WHERE) */
  bool        vars;       /* variables allowed */
  bool        bnodes;     /* blank nodes (and so [] and collections) */
  bool        bnode_vars; /* blank nodes are variables (WHERE) */
  bool        quads;      /* push FdxSparqlQuad (else FdxSparqlTriple) */
  const char* where;      /* "in DELETE DATA" etc., for messages */
} TriplesMode;

typedef struct
{
  FdxSparqlArena* arena;
  FdxLexer        lex;
  const char*     text;
  size_t          len;
  FdxToken        tok;  /* the current token */
  FdxToken        next; /* the one after it, when has_next */
  bool            has_next;

  unsigned depth;
  unsigned max_depth;
  size_t   max_memory;
  size_t   aux_bytes; /* malloc'd scratch memory in use */

  /* The first error. */
  FdxStatus st;
  size_t    err_offset;
  bool      err_no_pos;
  char      msg[448];

  /* Prologue */
  FdxSparqlIri  base;
  Map           prefix_map;
  FdxSparqlIri* prefixes;
  uint32_t      n_prefixes;
  uint32_t      cap_prefixes;

  /* Variables */
  Map           var_map;
  FdxSparqlVar* vars;
  uint32_t      n_vars;
  uint32_t      cap_vars;
  uint32_t*     stamps; /* per variable, for sets of variables */
  uint32_t      cap_stamps;
  uint32_t      stamp;

  /* In-scope variables of the open groups, innermost last (see
   * "In-scope variables" below) */
  struct ScopeEntry* scopes;
  uint32_t           n_scopes;
  uint32_t           cap_scopes;
  uint32_t*          scope_pos; /* per variable: 1 + its latest entry */
  uint32_t           cap_scope_pos;
  uint32_t           scope_base; /* first entry of the innermost group */

  /* Blank node labels */
  Map            where_map;
  WhereLabel*    where_labels;
  uint32_t       n_where_labels;
  uint32_t       cap_where_labels;
  Map            tmpl_map;
  TemplateLabel* tmpl_labels;
  uint32_t       n_tmpl_labels;
  uint32_t       cap_tmpl_labels;
  uint32_t       n_bgps;   /* basic graph pattern ids handed out */
  uint32_t       cur_bgp;  /* the one triples are being added to */
  uint32_t       op;       /* index of the update operation */
  uint32_t       n_bnodes; /* template blank nodes of the query / op */

  /* Triples */
  TriplesMode   mode;
  FdxSparqlTerm graph; /* the GRAPH of template quads being parsed */

  /* Aggregates: where they go, or NULL where none is allowed */
  AggCtx* agg;
  bool    in_aggregate;

  /* Terms made once per parse */
  FdxSparqlIri rdf_type;
  FdxSparqlIri rdf_first;
  FdxSparqlIri rdf_rest;
  FdxSparqlIri rdf_nil;
  FdxSparqlIri xsd_integer;
  FdxSparqlIri xsd_decimal;
  FdxSparqlIri xsd_double;
  FdxSparqlIri xsd_boolean;

  /* Scratch stack */
  unsigned char* stack;
  size_t         top;
  size_t         cap;
} Parser;

/* ------------------------------------------------------------------------
 * Errors
 * --------------------------------------------------------------------- */

#if defined(__GNUC__)
__attribute__((format(printf, 4, 5)))
#endif
static FdxStatus
fail_st(Parser* const   p,
        const FdxStatus st,
        const size_t    offset,
        const char*     fmt,
        ...)
{
  if (p->st == FDX_SUCCESS) {
    p->st         = st;
    p->err_offset = offset;
    va_list args;
    va_start(args, fmt);
    vsnprintf(p->msg, sizeof(p->msg), fmt, args);
    va_end(args);
  }
  return st;
}

#define fail_at(p, offset, ...) \
  fail_st((p), FDX_ERR_SYNTAX, (offset), __VA_ARGS__)

/* Out of memory or over the memory limit, in the arena or outside it. */
static FdxStatus
fail_memory(Parser* const p, const FdxStatus st)
{
  if (st == FDX_ERR_LIMIT) {
    return fail_st(p,
                   st,
                   p->tok.start,
                   "the query needs more than %zu bytes of memory",
                   p->max_memory);
  }
  return fail_st(p, FDX_ERR_NO_MEMORY, p->tok.start, "out of memory");
}

static FdxStatus
fail_arena(Parser* const p)
{
  return fail_memory(p, fdx_sparql_arena_status(p->arena));
}

/* The current token described for a "found" clause. */
static void
describe_tok(const Parser* const   p,
             const FdxToken* const tok,
             char*                 out,
             size_t                size)
{
  fdx_sparql_token_describe(&p->lex, tok, out, size);
}

/* "expected WHAT, found TOKEN" at the current token.  Where an IRI could
 * have been meant and the token is '<' or '<=', the lexer explains why
 * the text there is not an IRI reference instead. */
static FdxStatus
expected(Parser* const p, const char* const what, const bool iri_possible)
{
  if (iri_possible &&
      (p->tok.kind == FDX_TOK_LT || p->tok.kind == FDX_TOK_LE)) {
    fdx_sparql_lex_explain_iri(&p->lex, p->tok.start);
    return fail_at(p, p->lex.err_offset, "%s", p->lex.err_msg);
  }
  char found[80];
  describe_tok(p, &p->tok, found, sizeof(found));
  return fail_at(p, p->tok.start, "expected %s, found %s", what, found);
}

/* ------------------------------------------------------------------------
 * Memory outside the arena
 * --------------------------------------------------------------------- */

/* Grow the malloc'd array at *ptr (elements of `size` bytes, capacity
 * *cap, new room zeroed) to hold at least `need`. */
static FdxStatus
grow(Parser* const   p,
     void** const    ptr,
     uint32_t* const cap,
     const size_t    need,
     const size_t    size)
{
  if (need <= *cap) {
    return FDX_SUCCESS;
  }
  size_t ncap = *cap ? (size_t)*cap * 2 : 16;
  while (ncap < need) {
    ncap *= 2;
  }
  const size_t extra = (ncap - *cap) * size;
  if (ncap > UINT32_MAX || p->aux_bytes + extra > p->max_memory) {
    return fail_memory(p, FDX_ERR_LIMIT);
  }
  void* const np = realloc(*ptr, ncap * size);
  if (!np) {
    return fail_memory(p, FDX_ERR_NO_MEMORY);
  }
  memset((char*)np + (size_t)*cap * size, 0, extra);
  p->aux_bytes += extra;
  *ptr = np;
  *cap = (uint32_t)ncap;
  return FDX_SUCCESS;
}

/* ------------------------------------------------------------------------
 * Scratch stack
 * --------------------------------------------------------------------- */

#define STACK_ALIGN 16u

/* Where the items of the list begun at `mark` start: the mark rounded
 * up, so that every item is aligned whatever lies below the list. */
static size_t
list_base(const size_t mark)
{
  return (mark + STACK_ALIGN - 1) / STACK_ALIGN * STACK_ALIGN;
}

static FdxStatus
reserve(Parser* const p, const size_t size)
{
  if (p->cap - p->top >= size) {
    return FDX_SUCCESS;
  }
  size_t ncap = p->cap ? p->cap * 2 : 4096;
  while (ncap - p->top < size) {
    ncap *= 2;
  }
  if (p->aux_bytes + (ncap - p->cap) > p->max_memory) {
    return fail_memory(p, FDX_ERR_LIMIT);
  }
  unsigned char* const ns = (unsigned char*)realloc(p->stack, ncap);
  if (!ns) {
    return fail_memory(p, FDX_ERR_NO_MEMORY);
  }
  p->aux_bytes += ncap - p->cap;
  p->stack = ns;
  p->cap   = ncap;
  return FDX_SUCCESS;
}

/* Begin a list; *ret_mark is what list_end needs.  The top goes back to
 * exactly the mark at the end, so a list inside another leaves no gap
 * between the outer list's items. */
static FdxStatus
list_begin(Parser* const p, size_t* const ret_mark)
{
  const size_t    base = list_base(p->top);
  const FdxStatus st   = reserve(p, base - p->top);
  if (st) {
    return st;
  }
  *ret_mark = p->top;
  p->top    = base;
  return FDX_SUCCESS;
}

static FdxStatus
push(Parser* const p, const void* const item, const size_t size)
{
  const FdxStatus st = reserve(p, size);
  if (st) {
    return st;
  }
  memcpy(p->stack + p->top, item, size);
  p->top += size;
  return FDX_SUCCESS;
}

/* How many items of `size` bytes the list begun at `mark` holds. */
static uint32_t
list_count(const Parser* const p, const size_t mark, const size_t size)
{
  return (uint32_t)((p->top - list_base(mark)) / size);
}

/* The i-th item of the list begun at `mark`: valid until the next push. */
static void*
list_item(const Parser* const p,
          const size_t        mark,
          const size_t        size,
          const uint32_t      i)
{
  return p->stack + list_base(mark) + (size_t)i * size;
}

/* End a list: copy its items into the arena (NULL for none) and drop
 * them from the stack. */
static FdxStatus
list_end(Parser* const   p,
         const size_t    mark,
         const size_t    size,
         void** const    ret_array,
         uint32_t* const ret_n)
{
  const uint32_t n = list_count(p, mark, size);
  void*          a = NULL;
  if (n) {
    a = fdx_sparql_arena_alloc(p->arena, (size_t)n * size);
    if (!a) {
      return fail_arena(p);
    }
    memcpy(a, list_item(p, mark, size, 0), (size_t)n * size);
  }
  p->top     = mark;
  *ret_array = a;
  *ret_n     = n;
  return FDX_SUCCESS;
}

/* Drop a list without keeping it. */
static void
list_drop(Parser* const p, const size_t mark)
{
  p->top = mark;
}

/* ------------------------------------------------------------------------
 * Hash tables
 * --------------------------------------------------------------------- */

static uint32_t
hash_bytes(const char* const s, const size_t len)
{
  uint32_t h = 2166136261u; /* FNV-1a */
  for (size_t i = 0; i < len; ++i) {
    h ^= (unsigned char)s[i];
    h *= 16777619u;
  }
  return h;
}

/* The slot for `key`: its own, or the empty one where it would go. */
static MapSlot*
map_slot(const Map* const  m,
         const char* const key,
         const size_t      len,
         const uint32_t    h)
{
  uint32_t i = h & (m->cap - 1);
  for (;;) {
    MapSlot* const s = &m->slots[i];
    if (!s->key ||
        (s->hash == h && s->len == len && !memcmp(s->key, key, len))) {
      return s;
    }
    i = (i + 1) & (m->cap - 1);
  }
}

/* Look `key` up: true and its value in *ret_value if present. */
static bool
map_get(const Map* const  m,
        const char* const key,
        const size_t      len,
        uint32_t* const   ret_value)
{
  if (!m->cap) {
    return false;
  }
  const MapSlot* const s = map_slot(m, key, len, hash_bytes(key, len));
  if (!s->key) {
    return false;
  }
  *ret_value = s->value;
  return true;
}

/* Set `key` (borrowed, must outlive the table) to `value`. */
static FdxStatus
map_put(Parser* const     p,
        Map* const        m,
        const char* const key,
        const size_t      len,
        const uint32_t    value)
{
  if ((m->count + 1) * 4 > m->cap * 3) {
    const uint32_t ncap  = m->cap ? m->cap * 2 : 64;
    const size_t   bytes = (size_t)ncap * sizeof(MapSlot);
    if (ncap < m->cap || p->aux_bytes + bytes > p->max_memory) {
      return fail_memory(p, FDX_ERR_LIMIT);
    }
    MapSlot* const slots = (MapSlot*)calloc(ncap, sizeof(MapSlot));
    if (!slots) {
      return fail_memory(p, FDX_ERR_NO_MEMORY);
    }
    Map nm = { slots, ncap, 0 };
    for (uint32_t i = 0; i < m->cap; ++i) {
      const MapSlot* const s = &m->slots[i];
      if (s->key) {
        *map_slot(&nm, s->key, s->len, s->hash) = *s;
        ++nm.count;
      }
    }
    p->aux_bytes += bytes;
    p->aux_bytes -= (size_t)m->cap * sizeof(MapSlot);
    free(m->slots);
    *m = nm;
  }
  const uint32_t h = hash_bytes(key, len);
  MapSlot* const s = map_slot(m, key, len, h);
  if (!s->key) {
    s->key  = key;
    s->len  = len;
    s->hash = h;
    ++m->count;
  }
  s->value = value;
  return FDX_SUCCESS;
}

/* ------------------------------------------------------------------------
 * Tokens
 * --------------------------------------------------------------------- */

static FdxStatus
lex_failed(Parser* const p, const FdxStatus st)
{
  if (st == FDX_ERR_SYNTAX) {
    return fail_at(p, p->lex.err_offset, "%s", p->lex.err_msg);
  }
  return fail_memory(p, st);
}

/* Move to the next token. */
static FdxStatus
advance(Parser* const p)
{
  if (p->has_next) {
    p->tok      = p->next;
    p->has_next = false;
    return FDX_SUCCESS;
  }
  const FdxStatus st = fdx_sparql_lex(&p->lex, &p->tok);
  return st ? lex_failed(p, st) : FDX_SUCCESS;
}

/* The token after the current one, without moving. */
static FdxStatus
peek(Parser* const p, const FdxToken** const ret)
{
  if (!p->has_next) {
    const FdxStatus st = fdx_sparql_lex(&p->lex, &p->next);
    if (st) {
      return lex_failed(p, st);
    }
    p->has_next = true;
  }
  *ret = &p->next;
  return FDX_SUCCESS;
}

static bool
is_kw(const Parser* const p, const FdxKeyword kw)
{
  return p->tok.kind == FDX_TOK_WORD && p->tok.kw == kw;
}

/* Consume a token of `kind` or fail saying `what` was expected. */
static FdxStatus
expect(Parser* const p, const FdxTokKind kind, const char* const what)
{
  if (p->tok.kind != kind) {
    return expected(p, what, false);
  }
  return advance(p);
}

static FdxStatus
expect_kw(Parser* const p, const FdxKeyword kw)
{
  if (!is_kw(p, kw)) {
    char what[32];
    snprintf(what, sizeof(what), "'%s'", fdx_sparql_keyword_name(kw));
    return expected(p, what, false);
  }
  return advance(p);
}

/* Enter one level of nesting at the current token. */
static FdxStatus
enter(Parser* const p)
{
  if (++p->depth > p->max_depth) {
    return fail_st(p,
                   FDX_ERR_LIMIT,
                   p->tok.start,
                   "nesting deeper than %u levels",
                   p->max_depth);
  }
  return FDX_SUCCESS;
}

static void
leave(Parser* const p, const unsigned levels)
{
  p->depth -= levels;
}

/* A copy of `len` bytes in the arena. */
static FdxStatus
dup_str(Parser* const      p,
        const char* const  s,
        const size_t       len,
        const char** const ret)
{
  char* const d = fdx_sparql_arena_strdup(p->arena, s, len);
  if (!d) {
    return fail_arena(p);
  }
  *ret = d;
  return FDX_SUCCESS;
}

static FdxStatus
alloc(Parser* const p, const size_t size, void** const ret)
{
  void* const ptr = fdx_sparql_arena_alloc(p->arena, size);
  if (!ptr) {
    return fail_arena(p);
  }
  *ret = ptr;
  return FDX_SUCCESS;
}

#define ALLOC(p, ptr) alloc((p), sizeof(*(ptr)), (void**)&(ptr))

/* ------------------------------------------------------------------------
 * IRIs: RFC 3986 reference resolution
 *
 * A reference with a scheme is absolute and kept exactly as written (no
 * dot-segment removal: the query should match the IRI the data holds).
 * Any other reference is resolved against the base by section 5.2.2 and
 * its path cleaned of "." and ".." segments by 5.2.4.  With no base at
 * all, a relative reference is kept as written.
 * --------------------------------------------------------------------- */

typedef struct
{
  const char* s;
  size_t      n;
  bool        has;
} Part;

typedef struct
{
  Part scheme;
  Part auth;
  Part path;
  Part query;
  Part frag;
} Ref;

static bool
is_alpha_c(const char c)
{
  return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z');
}

static bool
is_digit_c(const char c)
{
  return c >= '0' && c <= '9';
}

/* Split a reference into its five components (RFC 3986 appendix B). */
static void
split_ref(const char* const s, const size_t len, Ref* const r)
{
  memset(r, 0, sizeof(*r));
  size_t i = 0;
  if (len && is_alpha_c(s[0])) {
    size_t j = 1;
    while (j < len && (is_alpha_c(s[j]) || is_digit_c(s[j]) || s[j] == '+' ||
                       s[j] == '-' || s[j] == '.')) {
      ++j;
    }
    if (j < len && s[j] == ':') {
      r->scheme = (Part){ s, j, true };
      i         = j + 1;
    }
  }
  if (i + 1 < len && s[i] == '/' && s[i + 1] == '/') {
    size_t j = i + 2;
    while (j < len && s[j] != '/' && s[j] != '?' && s[j] != '#') {
      ++j;
    }
    r->auth = (Part){ s + i + 2, j - i - 2, true };
    i       = j;
  }
  size_t j = i;
  while (j < len && s[j] != '?' && s[j] != '#') {
    ++j;
  }
  r->path = (Part){ s + i, j - i, true };
  i       = j;
  if (i < len && s[i] == '?') {
    j = i + 1;
    while (j < len && s[j] != '#') {
      ++j;
    }
    r->query = (Part){ s + i + 1, j - i - 1, true };
    i        = j;
  }
  if (i < len && s[i] == '#') {
    r->frag = (Part){ s + i + 1, len - i - 1, true };
  }
}

static bool
starts(const char* const s, const size_t n, const char* const prefix)
{
  const size_t pn = strlen(prefix);
  return n >= pn && !memcmp(s, prefix, pn);
}

static bool
equals(const char* const s, const size_t n, const char* const str)
{
  return n == strlen(str) && !memcmp(s, str, n);
}

/* RFC 3986 5.2.4 on the `n` bytes at `in` (which it may overwrite),
 * appending the result at out + *ret_o. */
static void
remove_dot_segments(char* in, size_t n, char* const out, size_t* const ret_o)
{
  const size_t start = *ret_o;
  size_t       o     = start;
  while (n) {
    if (starts(in, n, "../")) {
      in += 3;
      n -= 3;
    } else if (starts(in, n, "./")) {
      in += 2;
      n -= 2;
    } else if (starts(in, n, "/./")) {
      in += 2;
      n -= 2;
    } else if (equals(in, n, "/.")) {
      in[1] = '/';
      in += 1;
      n -= 1;
    } else if (starts(in, n, "/../") || equals(in, n, "/..")) {
      /* "/../x" becomes "/x", "/.." becomes "/"; the last segment of the
       * output goes, with the '/' before it. */
      if (n == 3) {
        in[2] = '/';
        in += 2;
        n -= 2;
      } else {
        in += 3;
        n -= 3;
      }
      while (o > start && out[o - 1] != '/') {
        --o;
      }
      if (o > start) {
        --o;
      }
    } else if (equals(in, n, ".") || equals(in, n, "..")) {
      n = 0;
    } else {
      size_t k = in[0] == '/' ? 1 : 0;
      while (k < n && in[k] != '/') {
        ++k;
      }
      memcpy(out + o, in, k);
      o += k;
      in += k;
      n -= k;
    }
  }
  *ret_o = o;
}

static void
put_part(char* const out, size_t* const o, const char* const s, const size_t n)
{
  memcpy(out + *o, s, n);
  *o += n;
}

/* Resolve `ref` against `base` into a new arena string. */
static FdxStatus
resolve(Parser* const       p,
        const FdxSparqlIri  base,
        const char* const   ref,
        const size_t        ref_len,
        FdxSparqlIri* const ret)
{
  Ref r;
  split_ref(ref, ref_len, &r);
  if (r.scheme.has || !base.str) {
    ret->str = ref;
    ret->len = ref_len;
    return FDX_SUCCESS;
  }
  Ref b;
  split_ref(base.str, base.len, &b);

  /* Room: every part of both, the merge's '/', the separators. */
  const size_t cap = base.len + ref_len + 8;
  char* const  out = (char*)malloc(cap);
  char* const  tmp = (char*)malloc(cap);
  if (!out || !tmp) {
    free(out);
    free(tmp);
    return fail_memory(p, FDX_ERR_NO_MEMORY);
  }
  size_t o = 0;
  if (b.scheme.has) {
    put_part(out, &o, b.scheme.s, b.scheme.n);
    out[o++] = ':';
  }
  Part query = r.query;
  if (r.auth.has) {
    out[o++] = '/';
    out[o++] = '/';
    put_part(out, &o, r.auth.s, r.auth.n);
    memcpy(tmp, r.path.s, r.path.n);
    remove_dot_segments(tmp, r.path.n, out, &o);
  } else {
    if (b.auth.has) {
      out[o++] = '/';
      out[o++] = '/';
      put_part(out, &o, b.auth.s, b.auth.n);
    }
    if (r.path.n == 0) {
      put_part(out, &o, b.path.s, b.path.n);
      if (!query.has) {
        query = b.query;
      }
    } else if (r.path.s[0] == '/') {
      memcpy(tmp, r.path.s, r.path.n);
      remove_dot_segments(tmp, r.path.n, out, &o);
    } else {
      /* Merge (5.2.3): the base path up to its last '/', then ref's. */
      size_t t = 0;
      if (b.auth.has && b.path.n == 0) {
        tmp[t++] = '/';
      } else {
        size_t keep = b.path.n;
        while (keep && b.path.s[keep - 1] != '/') {
          --keep;
        }
        memcpy(tmp, b.path.s, keep);
        t = keep;
      }
      memcpy(tmp + t, r.path.s, r.path.n);
      t += r.path.n;
      remove_dot_segments(tmp, t, out, &o);
    }
  }
  if (query.has) {
    out[o++] = '?';
    put_part(out, &o, query.s, query.n);
  }
  if (r.frag.has) {
    out[o++] = '#';
    put_part(out, &o, r.frag.s, r.frag.n);
  }
  free(tmp);
  const char*     s  = NULL;
  const FdxStatus st = dup_str(p, out, o, &s);
  free(out);
  if (st) {
    return st;
  }
  ret->str = s;
  ret->len = o;
  return FDX_SUCCESS;
}

/* ------------------------------------------------------------------------
 * Prologue: BASE and PREFIX
 * --------------------------------------------------------------------- */

static bool
is_iri_tok(const Parser* const p)
{
  return p->tok.kind == FDX_TOK_IRIREF || p->tok.kind == FDX_TOK_PNAME;
}

/* iri ::= IRIREF | PrefixedName, at the current token. */
static FdxStatus
parse_iri(Parser* const p, FdxSparqlIri* const ret)
{
  FdxStatus st = FDX_SUCCESS;
  if (p->tok.kind == FDX_TOK_IRIREF) {
    TRY(st, resolve(p, p->base, p->tok.str, p->tok.len, ret));
    return advance(p);
  }
  if (p->tok.kind != FDX_TOK_PNAME) {
    return expected(p, "an IRI", true);
  }
  uint32_t i = 0;
  if (!map_get(&p->prefix_map, p->tok.str, p->tok.len, &i)) {
    return fail_at(p,
                   p->tok.start,
                   "undeclared prefix '%s:' (expected a PREFIX "
                   "declaration for it before its use)",
                   p->tok.str);
  }
  const FdxSparqlIri ns  = p->prefixes[i];
  const size_t       len = ns.len + p->tok.local_len;
  char* const        s   = (char*)fdx_sparql_arena_alloc(p->arena, len + 1);
  if (!s) {
    return fail_arena(p);
  }
  memcpy(s, ns.str, ns.len);
  memcpy(s + ns.len, p->tok.local, p->tok.local_len);
  s[len]   = '\0';
  ret->str = s;
  ret->len = len;
  return advance(p);
}

/* Prologue ::= ( BaseDecl | PrefixDecl )* */
static FdxStatus
parse_prologue(Parser* const p)
{
  FdxStatus st = FDX_SUCCESS;
  for (;;) {
    if (is_kw(p, FDX_KW_BASE)) {
      TRY(st, advance(p));
      if (p->tok.kind != FDX_TOK_IRIREF) {
        return expected(p, "an IRI reference after BASE", true);
      }
      FdxSparqlIri base = { NULL, 0 };
      TRY(st, resolve(p, p->base, p->tok.str, p->tok.len, &base));
      p->base = base;
      TRY(st, advance(p));
    } else if (is_kw(p, FDX_KW_PREFIX)) {
      TRY(st, advance(p));
      if (p->tok.kind != FDX_TOK_PNAME || p->tok.local_len != 0 ||
          p->lex.text[p->tok.end - 1] != ':') {
        return expected(p, "a prefix ending in ':' after PREFIX", false);
      }
      const FdxToken name = p->tok;
      TRY(st, advance(p));
      if (p->tok.kind != FDX_TOK_IRIREF) {
        return expected(p, "an IRI reference for the prefix", true);
      }
      FdxSparqlIri iri = { NULL, 0 };
      TRY(st, resolve(p, p->base, p->tok.str, p->tok.len, &iri));
      uint32_t i = 0;
      if (!map_get(&p->prefix_map, name.str, name.len, &i)) {
        i = p->n_prefixes;
        TRY(st,
            grow(p,
                 (void**)&p->prefixes,
                 &p->cap_prefixes,
                 (size_t)i + 1,
                 sizeof(FdxSparqlIri)));
        ++p->n_prefixes;
        TRY(st, map_put(p, &p->prefix_map, name.str, name.len, i));
      }
      p->prefixes[i] = iri;
      TRY(st, advance(p));
    } else {
      return FDX_SUCCESS;
    }
  }
}

/* ------------------------------------------------------------------------
 * Variables and blank node labels
 * --------------------------------------------------------------------- */

static FdxStatus
new_var(Parser* const     p,
        const char* const name,
        const size_t      len,
        const bool        blank,
        uint32_t* const   ret)
{
  FdxStatus      st = FDX_SUCCESS;
  const uint32_t v  = p->n_vars;
  TRY(
    st,
    grow(
      p, (void**)&p->vars, &p->cap_vars, (size_t)v + 1, sizeof(FdxSparqlVar)));
  TRY(
    st,
    grow(
      p, (void**)&p->stamps, &p->cap_stamps, (size_t)v + 1, sizeof(uint32_t)));
  TRY(st,
      grow(p,
           (void**)&p->scope_pos,
           &p->cap_scope_pos,
           (size_t)v + 1,
           sizeof(uint32_t)));
  p->vars[v].name     = name;
  p->vars[v].name_len = name ? len : 0;
  p->vars[v].is_blank = blank;
  ++p->n_vars;
  *ret = v;
  return FDX_SUCCESS;
}

/* The variable named by the VAR token `tok` (?x and $x are one). */
static FdxStatus
named_var(Parser* const p, const FdxToken* const tok, uint32_t* const ret)
{
  FdxStatus st = FDX_SUCCESS;
  uint32_t  v  = 0;
  if (map_get(&p->var_map, tok->str, tok->len, &v)) {
    *ret = v;
    return FDX_SUCCESS;
  }
  TRY(st, new_var(p, tok->str, tok->len, false, &v));
  TRY(st, map_put(p, &p->var_map, tok->str, tok->len, v));
  *ret = v;
  return FDX_SUCCESS;
}

/* Var at the current token: its index, and on to the next token. */
static FdxStatus
parse_var(Parser* const p, uint32_t* const ret)
{
  if (p->tok.kind != FDX_TOK_VAR) {
    return expected(p, "a variable", false);
  }
  const FdxStatus st = named_var(p, &p->tok, ret);
  return st ? st : advance(p);
}

static FdxStatus
label_in_other_op(Parser* const p, const FdxToken* const tok)
{
  return fail_at(p,
                 tok->start,
                 "blank node label '_:%s' is already used in another "
                 "operation of this request",
                 tok->str);
}

/* Blank node label scope.  In a WHERE clause a label belongs to one basic
 * graph pattern; a label of a template belongs to its operation (two
 * INSERT templates of a request may both say _:b, each making its own
 * blank nodes); a label of INSERT DATA names one blank node for the whole
 * request, so no other operation may use it. */

/* The variable that the blank node label `tok` stands for in the basic
 * graph pattern being parsed. */
static FdxStatus
where_label(Parser* const p, const FdxToken* const tok, uint32_t* const ret)
{
  FdxStatus st = FDX_SUCCESS;
  uint32_t  i  = 0;
  if (map_get(&p->where_map, tok->str, tok->len, &i)) {
    const WhereLabel* const w = &p->where_labels[i];
    if (w->bgp == p->cur_bgp) {
      *ret = w->var;
      return FDX_SUCCESS;
    }
    if (w->op != p->op) {
      return label_in_other_op(p, tok);
    }
    return fail_at(p,
                   tok->start,
                   "blank node label '_:%s' is already used in another "
                   "basic graph pattern",
                   tok->str);
  }
  if (map_get(&p->tmpl_map, tok->str, tok->len, &i) &&
      p->tmpl_labels[i].op != p->op && p->tmpl_labels[i].data) {
    return label_in_other_op(p, tok);
  }
  uint32_t v = 0;
  TRY(st, new_var(p, tok->str, tok->len, true, &v));
  i = p->n_where_labels;
  TRY(st,
      grow(p,
           (void**)&p->where_labels,
           &p->cap_where_labels,
           (size_t)i + 1,
           sizeof(WhereLabel)));
  p->where_labels[i] = (WhereLabel){ p->cur_bgp, v, p->op };
  ++p->n_where_labels;
  TRY(st, map_put(p, &p->where_map, tok->str, tok->len, i));
  *ret = v;
  return FDX_SUCCESS;
}

/* The template blank node that the label `tok` stands for (in INSERT
 * DATA when the mode allows no variables). */
static FdxStatus
template_label(Parser* const p, const FdxToken* const tok, uint32_t* const ret)
{
  FdxStatus  st   = FDX_SUCCESS;
  const bool data = !p->mode.vars;
  uint32_t   i    = 0;
  const bool seen = map_get(&p->tmpl_map, tok->str, tok->len, &i);
  if (seen && p->tmpl_labels[i].op == p->op) {
    *ret = p->tmpl_labels[i].bnode;
    return FDX_SUCCESS;
  }
  if (seen && (data || p->tmpl_labels[i].data)) {
    return label_in_other_op(p, tok);
  }
  uint32_t w = 0;
  if (data && map_get(&p->where_map, tok->str, tok->len, &w) &&
      p->where_labels[w].op != p->op) {
    return label_in_other_op(p, tok);
  }
  if (!seen) {
    i = p->n_tmpl_labels;
    TRY(st,
        grow(p,
             (void**)&p->tmpl_labels,
             &p->cap_tmpl_labels,
             (size_t)i + 1,
             sizeof(TemplateLabel)));
    ++p->n_tmpl_labels;
    TRY(st, map_put(p, &p->tmpl_map, tok->str, tok->len, i));
  }
  p->tmpl_labels[i] = (TemplateLabel){ p->n_bnodes, p->op, data };
  *ret              = p->n_bnodes++;
  return FDX_SUCCESS;
}

/* ------------------------------------------------------------------------
 * Terms
 * --------------------------------------------------------------------- */

static FdxSparqlTerm
iri_term(const FdxSparqlIri iri)
{
  FdxSparqlTerm t = {
    FDX_SPARQL_TERM_IRI, 0, iri.str, iri.len, NULL, 0, NULL, 0
  };
  return t;
}

static FdxSparqlTerm
var_term(const uint32_t v)
{
  FdxSparqlTerm t = { FDX_SPARQL_TERM_VAR, v, NULL, 0, NULL, 0, NULL, 0 };
  return t;
}

static FdxSparqlTerm
typed_term(const char* const lex, const size_t len, const FdxSparqlIri dt)
{
  FdxSparqlTerm t = {
    FDX_SPARQL_TERM_LITERAL, 0, lex, len, NULL, 0, dt.str, dt.len
  };
  return t;
}

/* A blank node with no label ([], [ ... ], a collection cell). */
static FdxStatus
new_anon(Parser* const p, FdxSparqlTerm* const ret)
{
  if (p->mode.bnode_vars) {
    uint32_t        v  = 0;
    const FdxStatus st = new_var(p, NULL, 0, true, &v);
    if (st) {
      return st;
    }
    *ret = var_term(v);
    return FDX_SUCCESS;
  }
  FdxSparqlTerm t = {
    FDX_SPARQL_TERM_BNODE, p->n_bnodes++, NULL, 0, NULL, 0, NULL, 0
  };
  *ret = t;
  return FDX_SUCCESS;
}

static bool
is_number_tok(const FdxToken* const tok)
{
  return tok->kind == FDX_TOK_INTEGER || tok->kind == FDX_TOK_DECIMAL ||
         tok->kind == FDX_TOK_DOUBLE;
}

/* Whether the current token is a '+' or '-' with a number right after it
 * (INTEGER_POSITIVE etc. of the grammar). */
static FdxStatus
at_signed_number(Parser* const p, bool* const ret)
{
  *ret = false;
  if (p->tok.kind != FDX_TOK_PLUS && p->tok.kind != FDX_TOK_MINUS) {
    return FDX_SUCCESS;
  }
  const FdxToken* next = NULL;
  const FdxStatus st   = peek(p, &next);
  if (st) {
    return st;
  }
  *ret = is_number_tok(next) && next->start == p->tok.end;
  return FDX_SUCCESS;
}

/* NumericLiteral, signed or not, at the current token. */
static FdxStatus
parse_number(Parser* const p, FdxSparqlTerm* const ret)
{
  FdxStatus  st   = FDX_SUCCESS;
  const char sign = p->tok.kind == FDX_TOK_PLUS    ? '+'
                    : p->tok.kind == FDX_TOK_MINUS ? '-'
                                                   : '\0';
  if (sign) {
    TRY(st, advance(p));
  }
  if (!is_number_tok(&p->tok)) {
    return expected(p, "a number", false);
  }
  const FdxSparqlIri dt  = p->tok.kind == FDX_TOK_INTEGER   ? p->xsd_integer
                           : p->tok.kind == FDX_TOK_DECIMAL ? p->xsd_decimal
                                                            : p->xsd_double;
  const char*        lex = p->tok.str;
  const size_t       len = p->tok.len + (sign ? 1 : 0);
  if (sign) {
    char* const s = (char*)fdx_sparql_arena_alloc(p->arena, len + 1);
    if (!s) {
      return fail_arena(p);
    }
    s[0] = sign;
    memcpy(s + 1, p->tok.str, p->tok.len);
    s[len] = '\0';
    lex    = s;
  }
  *ret = typed_term(lex, len, dt);
  return advance(p);
}

/* RDFLiteral ::= String ( LANGTAG | ( '^^' iri ) )? */
static FdxStatus
parse_rdf_literal(Parser* const p, FdxSparqlTerm* const ret)
{
  FdxStatus     st = FDX_SUCCESS;
  FdxSparqlTerm t  = {
     FDX_SPARQL_TERM_LITERAL, 0, p->tok.str, p->tok.len, NULL, 0, NULL, 0
  };
  TRY(st, advance(p));
  if (p->tok.kind == FDX_TOK_LANGTAG) {
    t.lang     = p->tok.str;
    t.lang_len = p->tok.len;
    TRY(st, advance(p));
  } else if (p->tok.kind == FDX_TOK_HATHAT) {
    TRY(st, advance(p));
    FdxSparqlIri dt = { NULL, 0 };
    TRY(st, parse_iri(p, &dt));
    t.datatype     = dt.str;
    t.datatype_len = dt.len;
  }
  *ret = t;
  return FDX_SUCCESS;
}

static FdxStatus
parse_boolean(Parser* const p, FdxSparqlTerm* const ret)
{
  FdxStatus   st  = FDX_SUCCESS;
  const bool  yes = is_kw(p, FDX_KW_TRUE);
  const char* lex = NULL;
  TRY(st, dup_str(p, yes ? "true" : "false", yes ? 4 : 5, &lex));
  *ret = typed_term(lex, yes ? 4 : 5, p->xsd_boolean);
  return advance(p);
}

/* A constant: iri | RDFLiteral | NumericLiteral | BooleanLiteral, or
 * fail saying `what` was expected.  *ret_ok is false (and nothing is
 * consumed) when the token starts none of them and `what` is NULL. */
static FdxStatus
parse_constant(Parser* const        p,
               const char* const    what,
               FdxSparqlTerm* const ret,
               bool* const          ret_ok)
{
  FdxStatus st      = FDX_SUCCESS;
  bool      signed_ = false;
  *ret_ok           = true;
  if (is_iri_tok(p)) {
    FdxSparqlIri iri = { NULL, 0 };
    TRY(st, parse_iri(p, &iri));
    *ret = iri_term(iri);
    return FDX_SUCCESS;
  }
  if (p->tok.kind == FDX_TOK_STRING) {
    return parse_rdf_literal(p, ret);
  }
  TRY(st, at_signed_number(p, &signed_));
  if (is_number_tok(&p->tok) || signed_) {
    return parse_number(p, ret);
  }
  if (is_kw(p, FDX_KW_TRUE) || is_kw(p, FDX_KW_FALSE)) {
    return parse_boolean(p, ret);
  }
  *ret_ok = false;
  return what ? expected(p, what, true) : FDX_SUCCESS;
}

/* VarOrIri ::= Var | iri */
static FdxStatus
parse_var_or_iri(Parser* const p, FdxSparqlTerm* const ret)
{
  FdxStatus st = FDX_SUCCESS;
  if (p->tok.kind == FDX_TOK_VAR) {
    if (!p->mode.vars) {
      return fail_at(
        p, p->tok.start, "variables are not allowed %s", p->mode.where);
    }
    uint32_t v = 0;
    TRY(st, parse_var(p, &v));
    *ret = var_term(v);
    return FDX_SUCCESS;
  }
  if (!is_iri_tok(p)) {
    return expected(p, "a variable or an IRI", true);
  }
  FdxSparqlIri iri = { NULL, 0 };
  TRY(st, parse_iri(p, &iri));
  *ret = iri_term(iri);
  return FDX_SUCCESS;
}

/* ------------------------------------------------------------------------
 * Expressions
 * --------------------------------------------------------------------- */

static FdxStatus
parse_expression(Parser* p, FdxSparqlExpr** ret);
static FdxStatus
parse_group(Parser* p, FdxSparqlGroup** ret);

static FdxStatus
new_expr(Parser* const           p,
         const FdxSparqlExprKind kind,
         FdxSparqlExpr** const   ret)
{
  FdxSparqlExpr*  e  = NULL;
  const FdxStatus st = ALLOC(p, e);
  if (st) {
    return st;
  }
  e->kind = kind;
  *ret    = e;
  return FDX_SUCCESS;
}

static FdxStatus
new_binary(Parser* const           p,
           const FdxSparqlExprKind kind,
           FdxSparqlExpr* const    l,
           FdxSparqlExpr* const    r,
           FdxSparqlExpr** const   ret)
{
  FdxStatus       st   = FDX_SUCCESS;
  FdxSparqlExpr*  e    = NULL;
  FdxSparqlExpr** args = NULL;
  TRY(st, new_expr(p, kind, &e));
  TRY(st, alloc(p, 2 * sizeof(*args), (void**)&args));
  args[0]   = l;
  args[1]   = r;
  e->args   = args;
  e->n_args = 2;
  *ret      = e;
  return FDX_SUCCESS;
}

static FdxStatus
new_unary(Parser* const           p,
          const FdxSparqlExprKind kind,
          FdxSparqlExpr* const    arg,
          FdxSparqlExpr** const   ret)
{
  FdxStatus       st   = FDX_SUCCESS;
  FdxSparqlExpr*  e    = NULL;
  FdxSparqlExpr** args = NULL;
  TRY(st, new_expr(p, kind, &e));
  TRY(st, alloc(p, sizeof(*args), (void**)&args));
  args[0]   = arg;
  e->args   = args;
  e->n_args = 1;
  *ret      = e;
  return FDX_SUCCESS;
}

static FdxStatus
term_expr(Parser* const p, const FdxSparqlTerm t, FdxSparqlExpr** const ret)
{
  FdxSparqlExpr*  e  = NULL;
  const FdxStatus st = new_expr(
    p,
    t.kind == FDX_SPARQL_TERM_VAR ? FDX_SPARQL_EXPR_VAR : FDX_SPARQL_EXPR_TERM,
    &e);
  if (st) {
    return st;
  }
  e->term = t;
  *ret    = e;
  return FDX_SUCCESS;
}

/* Pushes one expression pointer on the list begun at `mark`. */
static FdxStatus
push_expr(Parser* const p, FdxSparqlExpr* const e)
{
  return push(p, &e, sizeof(e));
}

static FdxStatus
end_args(Parser* const p, const size_t mark, FdxSparqlExpr* const e)
{
  return list_end(
    p, mark, sizeof(FdxSparqlExpr*), (void**)&e->args, &e->n_args);
}

/* ExpressionList ::= NIL | '(' Expression ( ',' Expression )* ')', its
 * items pushed on the current list. */
static FdxStatus
parse_expression_list(Parser* const p)
{
  FdxStatus st = FDX_SUCCESS;
  TRY(st, expect(p, FDX_TOK_LPAREN, "'('"));
  if (p->tok.kind == FDX_TOK_RPAREN) {
    return advance(p);
  }
  for (;;) {
    FdxSparqlExpr* e = NULL;
    TRY(st, parse_expression(p, &e));
    TRY(st, push_expr(p, e));
    if (p->tok.kind == FDX_TOK_COMMA) {
      TRY(st, advance(p));
      continue;
    }
    return expect(p, FDX_TOK_RPAREN, "',' or ')'");
  }
}

/* Aggregates: where one may stand, and registering it with its SELECT. */
static FdxStatus
check_aggregate_allowed(Parser* const     p,
                        const size_t      offset,
                        const char* const what)
{
  if (p->in_aggregate) {
    return fail_at(p,
                   offset,
                   "%s inside another aggregate (aggregates cannot be "
                   "nested)",
                   what);
  }
  if (!p->agg) {
    return fail_at(p,
                   offset,
                   "%s is not allowed here (aggregates go only in SELECT, "
                   "HAVING and ORDER BY)",
                   what);
  }
  return FDX_SUCCESS;
}

static FdxStatus
register_aggregate(Parser* const p, FdxSparqlExpr* const e)
{
  AggLink*        link = NULL;
  const FdxStatus st   = ALLOC(p, link);
  if (st) {
    return st;
  }
  link->expr   = e;
  e->agg_index = p->agg->n++;
  if (p->agg->tail) {
    p->agg->tail->next = link;
  } else {
    p->agg->head = link;
  }
  p->agg->tail = link;
  return FDX_SUCCESS;
}

/* iriOrFunction / FunctionCall after the IRI: ArgList ::= NIL | '('
 * 'DISTINCT'? Expression ( ',' Expression )* ')'.  With DISTINCT the call
 * is a custom aggregate. */
static FdxStatus
parse_function_call(Parser* const         p,
                    const FdxSparqlIri    iri,
                    const size_t          start,
                    FdxSparqlExpr** const ret)
{
  FdxStatus      st   = FDX_SUCCESS;
  size_t         mark = 0;
  FdxSparqlExpr* e    = NULL;
  TRY(st, enter(p));
  TRY(st, new_expr(p, FDX_SPARQL_EXPR_FUNCTION, &e));
  e->iri = iri;
  TRY(st, expect(p, FDX_TOK_LPAREN, "'('"));
  TRY(st, list_begin(p, &mark));
  if (p->tok.kind == FDX_TOK_RPAREN) {
    TRY(st, advance(p));
  } else {
    const bool was_in = p->in_aggregate;
    if (is_kw(p, FDX_KW_DISTINCT)) {
      TRY(st,
          check_aggregate_allowed(
            p, start, "a custom aggregate (a function called with DISTINCT)"));
      TRY(st, advance(p));
      e->kind         = FDX_SPARQL_EXPR_AGGREGATE;
      e->agg          = FDX_SPARQL_AGG_CUSTOM;
      e->distinct     = true;
      p->in_aggregate = true;
    }
    for (;;) {
      FdxSparqlExpr* a = NULL;
      TRY(st, parse_expression(p, &a));
      TRY(st, push_expr(p, a));
      if (p->tok.kind != FDX_TOK_COMMA) {
        break;
      }
      TRY(st, advance(p));
    }
    TRY(st, expect(p, FDX_TOK_RPAREN, "',' or ')'"));
    p->in_aggregate = was_in;
  }
  TRY(st, end_args(p, mark, e));
  if (e->kind == FDX_SPARQL_EXPR_AGGREGATE) {
    TRY(st, register_aggregate(p, e));
  }
  leave(p, 1);
  *ret = e;
  return FDX_SUCCESS;
}

/* The built-in calls: how each is written. */
typedef enum
{
  FORM_ARGS,  /* '(' Expression ( ',' Expression )* ')', min..max */
  FORM_NIL,   /* NIL only */
  FORM_LIST,  /* ExpressionList */
  FORM_BOUND, /* '(' Var ')' */
  FORM_BNODE, /* '(' Expression ')' | NIL */
  FORM_EXISTS /* GroupGraphPattern */
} BuiltinForm;

typedef struct
{
  FdxKeyword       kw;
  FdxSparqlBuiltin fn;
  unsigned char    form;
  unsigned char    min;
  unsigned char    max;
} BuiltinSpec;

static const BuiltinSpec builtins[] = {
  { FDX_KW_STR, FDX_SPARQL_FN_STR, FORM_ARGS, 1, 1 },
  { FDX_KW_LANG, FDX_SPARQL_FN_LANG, FORM_ARGS, 1, 1 },
  { FDX_KW_LANGMATCHES, FDX_SPARQL_FN_LANGMATCHES, FORM_ARGS, 2, 2 },
  { FDX_KW_DATATYPE, FDX_SPARQL_FN_DATATYPE, FORM_ARGS, 1, 1 },
  { FDX_KW_BOUND, FDX_SPARQL_FN_BOUND, FORM_BOUND, 1, 1 },
  { FDX_KW_IRI, FDX_SPARQL_FN_IRI, FORM_ARGS, 1, 1 },
  { FDX_KW_URI, FDX_SPARQL_FN_URI, FORM_ARGS, 1, 1 },
  { FDX_KW_BNODE, FDX_SPARQL_FN_BNODE, FORM_BNODE, 0, 1 },
  { FDX_KW_RAND, FDX_SPARQL_FN_RAND, FORM_NIL, 0, 0 },
  { FDX_KW_ABS, FDX_SPARQL_FN_ABS, FORM_ARGS, 1, 1 },
  { FDX_KW_CEIL, FDX_SPARQL_FN_CEIL, FORM_ARGS, 1, 1 },
  { FDX_KW_FLOOR, FDX_SPARQL_FN_FLOOR, FORM_ARGS, 1, 1 },
  { FDX_KW_ROUND, FDX_SPARQL_FN_ROUND, FORM_ARGS, 1, 1 },
  { FDX_KW_CONCAT, FDX_SPARQL_FN_CONCAT, FORM_LIST, 0, 255 },
  { FDX_KW_STRLEN, FDX_SPARQL_FN_STRLEN, FORM_ARGS, 1, 1 },
  { FDX_KW_UCASE, FDX_SPARQL_FN_UCASE, FORM_ARGS, 1, 1 },
  { FDX_KW_LCASE, FDX_SPARQL_FN_LCASE, FORM_ARGS, 1, 1 },
  { FDX_KW_ENCODE_FOR_URI, FDX_SPARQL_FN_ENCODE_FOR_URI, FORM_ARGS, 1, 1 },
  { FDX_KW_CONTAINS, FDX_SPARQL_FN_CONTAINS, FORM_ARGS, 2, 2 },
  { FDX_KW_STRSTARTS, FDX_SPARQL_FN_STRSTARTS, FORM_ARGS, 2, 2 },
  { FDX_KW_STRENDS, FDX_SPARQL_FN_STRENDS, FORM_ARGS, 2, 2 },
  { FDX_KW_STRBEFORE, FDX_SPARQL_FN_STRBEFORE, FORM_ARGS, 2, 2 },
  { FDX_KW_STRAFTER, FDX_SPARQL_FN_STRAFTER, FORM_ARGS, 2, 2 },
  { FDX_KW_YEAR, FDX_SPARQL_FN_YEAR, FORM_ARGS, 1, 1 },
  { FDX_KW_MONTH, FDX_SPARQL_FN_MONTH, FORM_ARGS, 1, 1 },
  { FDX_KW_DAY, FDX_SPARQL_FN_DAY, FORM_ARGS, 1, 1 },
  { FDX_KW_HOURS, FDX_SPARQL_FN_HOURS, FORM_ARGS, 1, 1 },
  { FDX_KW_MINUTES, FDX_SPARQL_FN_MINUTES, FORM_ARGS, 1, 1 },
  { FDX_KW_SECONDS, FDX_SPARQL_FN_SECONDS, FORM_ARGS, 1, 1 },
  { FDX_KW_TIMEZONE, FDX_SPARQL_FN_TIMEZONE, FORM_ARGS, 1, 1 },
  { FDX_KW_TZ, FDX_SPARQL_FN_TZ, FORM_ARGS, 1, 1 },
  { FDX_KW_NOW, FDX_SPARQL_FN_NOW, FORM_NIL, 0, 0 },
  { FDX_KW_UUID, FDX_SPARQL_FN_UUID, FORM_NIL, 0, 0 },
  { FDX_KW_STRUUID, FDX_SPARQL_FN_STRUUID, FORM_NIL, 0, 0 },
  { FDX_KW_MD5, FDX_SPARQL_FN_MD5, FORM_ARGS, 1, 1 },
  { FDX_KW_SHA1, FDX_SPARQL_FN_SHA1, FORM_ARGS, 1, 1 },
  { FDX_KW_SHA256, FDX_SPARQL_FN_SHA256, FORM_ARGS, 1, 1 },
  { FDX_KW_SHA384, FDX_SPARQL_FN_SHA384, FORM_ARGS, 1, 1 },
  { FDX_KW_SHA512, FDX_SPARQL_FN_SHA512, FORM_ARGS, 1, 1 },
  { FDX_KW_COALESCE, FDX_SPARQL_FN_COALESCE, FORM_LIST, 0, 255 },
  { FDX_KW_IF, FDX_SPARQL_FN_IF, FORM_ARGS, 3, 3 },
  { FDX_KW_STRLANG, FDX_SPARQL_FN_STRLANG, FORM_ARGS, 2, 2 },
  { FDX_KW_STRDT, FDX_SPARQL_FN_STRDT, FORM_ARGS, 2, 2 },
  { FDX_KW_SAMETERM, FDX_SPARQL_FN_SAMETERM, FORM_ARGS, 2, 2 },
  { FDX_KW_ISIRI, FDX_SPARQL_FN_ISIRI, FORM_ARGS, 1, 1 },
  { FDX_KW_ISURI, FDX_SPARQL_FN_ISURI, FORM_ARGS, 1, 1 },
  { FDX_KW_ISBLANK, FDX_SPARQL_FN_ISBLANK, FORM_ARGS, 1, 1 },
  { FDX_KW_ISLITERAL, FDX_SPARQL_FN_ISLITERAL, FORM_ARGS, 1, 1 },
  { FDX_KW_ISNUMERIC, FDX_SPARQL_FN_ISNUMERIC, FORM_ARGS, 1, 1 },
  { FDX_KW_REGEX, FDX_SPARQL_FN_REGEX, FORM_ARGS, 2, 3 },
  { FDX_KW_SUBSTR, FDX_SPARQL_FN_SUBSTR, FORM_ARGS, 2, 3 },
  { FDX_KW_REPLACE, FDX_SPARQL_FN_REPLACE, FORM_ARGS, 3, 4 },
  { FDX_KW_EXISTS, FDX_SPARQL_FN_EXISTS, FORM_EXISTS, 0, 0 },
  { FDX_KW_NOT, FDX_SPARQL_FN_NOT_EXISTS, FORM_EXISTS, 0, 0 },
};

static const BuiltinSpec*
find_builtin(const FdxKeyword kw)
{
  for (size_t i = 0; i < sizeof(builtins) / sizeof(builtins[0]); ++i) {
    if (builtins[i].kw == kw) {
      return &builtins[i];
    }
  }
  return NULL;
}

static bool
is_aggregate_kw(const FdxKeyword kw)
{
  return kw == FDX_KW_COUNT || kw == FDX_KW_SUM || kw == FDX_KW_MIN ||
         kw == FDX_KW_MAX || kw == FDX_KW_AVG || kw == FDX_KW_SAMPLE ||
         kw == FDX_KW_GROUP_CONCAT;
}

/* Whether the current token begins a BuiltInCall (aggregates included). */
static bool
at_builtin(const Parser* const p)
{
  return p->tok.kind == FDX_TOK_WORD &&
         (find_builtin(p->tok.kw) || is_aggregate_kw(p->tok.kw));
}

/* Aggregate ::= COUNT '(' 'DISTINCT'? ( '*' | Expression ) ')' | SUM ...
 * | GROUP_CONCAT '(' 'DISTINCT'? Expression ( ';' 'SEPARATOR' '='
 * String )? ')' */
static FdxStatus
parse_aggregate(Parser* const p, FdxSparqlExpr** const ret)
{
  FdxStatus        st   = FDX_SUCCESS;
  const FdxKeyword kw   = p->tok.kw;
  const char*      name = fdx_sparql_keyword_name(kw);
  FdxSparqlExpr*   e    = NULL;
  size_t           mark = 0;
  char             what[48];
  snprintf(what, sizeof(what), "aggregate %s", name);
  TRY(st, check_aggregate_allowed(p, p->tok.start, what));
  TRY(st, enter(p));
  TRY(st, new_expr(p, FDX_SPARQL_EXPR_AGGREGATE, &e));
  e->agg = kw == FDX_KW_COUNT    ? FDX_SPARQL_AGG_COUNT
           : kw == FDX_KW_SUM    ? FDX_SPARQL_AGG_SUM
           : kw == FDX_KW_MIN    ? FDX_SPARQL_AGG_MIN
           : kw == FDX_KW_MAX    ? FDX_SPARQL_AGG_MAX
           : kw == FDX_KW_AVG    ? FDX_SPARQL_AGG_AVG
           : kw == FDX_KW_SAMPLE ? FDX_SPARQL_AGG_SAMPLE
                                 : FDX_SPARQL_AGG_GROUP_CONCAT;
  TRY(st, advance(p));
  TRY(st, expect(p, FDX_TOK_LPAREN, "'('"));
  if (is_kw(p, FDX_KW_DISTINCT)) {
    e->distinct = true;
    TRY(st, advance(p));
  }
  p->in_aggregate = true;
  TRY(st, list_begin(p, &mark));
  if (kw == FDX_KW_COUNT && p->tok.kind == FDX_TOK_STAR) {
    e->star = true;
    TRY(st, advance(p));
  } else {
    FdxSparqlExpr* a = NULL;
    TRY(st, parse_expression(p, &a));
    TRY(st, push_expr(p, a));
  }
  TRY(st, end_args(p, mark, e));
  p->in_aggregate = false;
  if (kw == FDX_KW_GROUP_CONCAT && p->tok.kind == FDX_TOK_SEMICOLON) {
    TRY(st, advance(p));
    TRY(st, expect_kw(p, FDX_KW_SEPARATOR));
    TRY(st, expect(p, FDX_TOK_EQ, "'='"));
    if (p->tok.kind != FDX_TOK_STRING) {
      return expected(p, "a string for the SEPARATOR", false);
    }
    e->separator.str = p->tok.str;
    e->separator.len = p->tok.len;
    TRY(st, advance(p));
  }
  if (p->tok.kind != FDX_TOK_RPAREN) {
    char want[96];
    snprintf(want,
             sizeof(want),
             "')'%s (%s takes one expression)",
             kw == FDX_KW_GROUP_CONCAT && !e->separator.str ? " or ';'" : "",
             name);
    return expected(p, want, false);
  }
  TRY(st, advance(p));
  TRY(st, register_aggregate(p, e));
  leave(p, 1);
  *ret = e;
  return FDX_SUCCESS;
}

/* BuiltInCall at the current keyword. */
static FdxStatus
parse_builtin(Parser* const p, FdxSparqlExpr** const ret)
{
  FdxStatus st = FDX_SUCCESS;
  if (is_aggregate_kw(p->tok.kw)) {
    return parse_aggregate(p, ret);
  }
  const BuiltinSpec* const spec = find_builtin(p->tok.kw);
  const char* const        name =
    spec->kw == FDX_KW_NOT ? "NOT EXISTS" : fdx_sparql_keyword_name(spec->kw);
  FdxSparqlExpr* e    = NULL;
  size_t         mark = 0;
  TRY(st, enter(p));
  TRY(st, new_expr(p, FDX_SPARQL_EXPR_CALL, &e));
  e->fn = spec->fn;
  TRY(st, advance(p));

  switch ((BuiltinForm)spec->form) {
    case FORM_EXISTS:
      if (spec->kw == FDX_KW_NOT) {
        TRY(st, expect_kw(p, FDX_KW_EXISTS));
      }
      TRY(st, parse_group(p, &e->pattern));
      break;
    case FORM_NIL:
      TRY(st, expect(p, FDX_TOK_LPAREN, "'('"));
      if (p->tok.kind != FDX_TOK_RPAREN) {
        char what[64];
        snprintf(what, sizeof(what), "')' (%s takes no arguments)", name);
        return expected(p, what, false);
      }
      TRY(st, advance(p));
      break;
    case FORM_LIST:
      TRY(st, list_begin(p, &mark));
      TRY(st, parse_expression_list(p));
      TRY(st, end_args(p, mark, e));
      break;
    case FORM_BOUND: {
      TRY(st, expect(p, FDX_TOK_LPAREN, "'('"));
      if (p->tok.kind != FDX_TOK_VAR) {
        return expected(p, "a variable (BOUND takes a variable)", false);
      }
      uint32_t       v = 0;
      FdxSparqlExpr* a = NULL;
      TRY(st, parse_var(p, &v));
      TRY(st, term_expr(p, var_term(v), &a));
      TRY(st, list_begin(p, &mark));
      TRY(st, push_expr(p, a));
      TRY(st, end_args(p, mark, e));
      TRY(st, expect(p, FDX_TOK_RPAREN, "')'"));
      break;
    }
    case FORM_BNODE:
    case FORM_ARGS: {
      TRY(st, expect(p, FDX_TOK_LPAREN, "'('"));
      TRY(st, list_begin(p, &mark));
      unsigned n = 0;
      if (!(spec->form == FORM_BNODE && p->tok.kind == FDX_TOK_RPAREN)) {
        for (;;) {
          FdxSparqlExpr* a = NULL;
          TRY(st, parse_expression(p, &a));
          TRY(st, push_expr(p, a));
          ++n;
          if (p->tok.kind == FDX_TOK_COMMA && n < spec->max) {
            TRY(st, advance(p));
            continue;
          }
          if (n < spec->min) {
            char what[96];
            snprintf(what,
                     sizeof(what),
                     "',' (%s takes %u arguments)",
                     name,
                     (unsigned)spec->min);
            return expected(p, what, false);
          }
          break;
        }
      }
      if (p->tok.kind != FDX_TOK_RPAREN) {
        char what[96];
        if (spec->min == spec->max) {
          snprintf(what,
                   sizeof(what),
                   "')' (%s takes %u argument%s)",
                   name,
                   (unsigned)spec->max,
                   spec->max == 1 ? "" : "s");
        } else {
          snprintf(what,
                   sizeof(what),
                   "')' (%s takes %u to %u arguments)",
                   name,
                   (unsigned)spec->min,
                   (unsigned)spec->max);
        }
        return expected(p, what, false);
      }
      TRY(st, advance(p));
      TRY(st, end_args(p, mark, e));
      break;
    }
  }
  leave(p, 1);
  *ret = e;
  return FDX_SUCCESS;
}

/* PrimaryExpression ::= BrackettedExpression | BuiltInCall |
 * iriOrFunction | RDFLiteral | NumericLiteral | BooleanLiteral | Var */
static FdxStatus
parse_primary(Parser* const p, FdxSparqlExpr** const ret)
{
  FdxStatus     st = FDX_SUCCESS;
  FdxSparqlTerm t;
  bool          ok = false;
  switch (p->tok.kind) {
    case FDX_TOK_LPAREN:
      TRY(st, enter(p));
      TRY(st, advance(p));
      TRY(st, parse_expression(p, ret));
      TRY(st, expect(p, FDX_TOK_RPAREN, "')'"));
      leave(p, 1);
      return FDX_SUCCESS;
    case FDX_TOK_VAR: {
      uint32_t v = 0;
      TRY(st, parse_var(p, &v));
      return term_expr(p, var_term(v), ret);
    }
    case FDX_TOK_IRIREF:
    case FDX_TOK_PNAME: {
      const size_t start = p->tok.start;
      FdxSparqlIri iri   = { NULL, 0 };
      TRY(st, parse_iri(p, &iri));
      if (p->tok.kind == FDX_TOK_LPAREN) {
        return parse_function_call(p, iri, start, ret);
      }
      return term_expr(p, iri_term(iri), ret);
    }
    case FDX_TOK_WORD:
      if (at_builtin(p)) {
        return parse_builtin(p, ret);
      }
      break;
    default:
      break;
  }
  TRY(st, parse_constant(p, NULL, &t, &ok));
  if (ok) {
    return term_expr(p, t, ret);
  }
  return expected(p, "an expression", true);
}

/* UnaryExpression ::= '!' PrimaryExpression | '+' PrimaryExpression |
 * '-' PrimaryExpression | PrimaryExpression */
static FdxStatus
parse_unary(Parser* const p, FdxSparqlExpr** const ret)
{
  FdxStatus         st   = FDX_SUCCESS;
  FdxSparqlExprKind kind = FDX_SPARQL_EXPR_NOT;
  bool              lit  = false;
  switch (p->tok.kind) {
    case FDX_TOK_BANG:
      break;
    case FDX_TOK_PLUS:
    case FDX_TOK_MINUS:
      TRY(st, at_signed_number(p, &lit));
      if (lit) {
        return parse_primary(p, ret);
      }
      kind = p->tok.kind == FDX_TOK_PLUS ? FDX_SPARQL_EXPR_PLUS
                                         : FDX_SPARQL_EXPR_MINUS;
      break;
    default:
      return parse_primary(p, ret);
  }
  FdxSparqlExpr* a = NULL;
  TRY(st, enter(p));
  TRY(st, advance(p));
  TRY(st, parse_primary(p, &a));
  TRY(st, new_unary(p, kind, a, ret));
  leave(p, 1);
  return FDX_SUCCESS;
}

/* MultiplicativeExpression ::= UnaryExpression ( '*' UnaryExpression |
 * '/' UnaryExpression )* */
static FdxStatus
parse_multiplicative(Parser* const p, FdxSparqlExpr** const ret)
{
  FdxStatus      st     = FDX_SUCCESS;
  unsigned       levels = 0;
  FdxSparqlExpr* l      = NULL;
  TRY(st, parse_unary(p, &l));
  while (p->tok.kind == FDX_TOK_STAR || p->tok.kind == FDX_TOK_SLASH) {
    const FdxSparqlExprKind kind =
      p->tok.kind == FDX_TOK_STAR ? FDX_SPARQL_EXPR_MUL : FDX_SPARQL_EXPR_DIV;
    FdxSparqlExpr* r = NULL;
    TRY(st, enter(p));
    ++levels;
    TRY(st, advance(p));
    TRY(st, parse_unary(p, &r));
    TRY(st, new_binary(p, kind, l, r, &l));
  }
  leave(p, levels);
  *ret = l;
  return FDX_SUCCESS;
}

/* AdditiveExpression: the operator is always binary here; a number
 * written right after it (`?a -1`, NumericLiteralNegative in the
 * grammar) is the right operand of a subtraction, which means the same. */
static FdxStatus
parse_additive(Parser* const p, FdxSparqlExpr** const ret)
{
  FdxStatus      st     = FDX_SUCCESS;
  unsigned       levels = 0;
  FdxSparqlExpr* l      = NULL;
  TRY(st, parse_multiplicative(p, &l));
  while (p->tok.kind == FDX_TOK_PLUS || p->tok.kind == FDX_TOK_MINUS) {
    const FdxSparqlExprKind kind =
      p->tok.kind == FDX_TOK_PLUS ? FDX_SPARQL_EXPR_ADD : FDX_SPARQL_EXPR_SUB;
    FdxSparqlExpr* r = NULL;
    TRY(st, enter(p));
    ++levels;
    TRY(st, advance(p));
    TRY(st, parse_multiplicative(p, &r));
    TRY(st, new_binary(p, kind, l, r, &l));
  }
  leave(p, levels);
  *ret = l;
  return FDX_SUCCESS;
}

/* RelationalExpression ::= NumericExpression ( '=' NumericExpression |
 * ... | 'IN' ExpressionList | 'NOT' 'IN' ExpressionList )? */
static FdxStatus
parse_relational(Parser* const p, FdxSparqlExpr** const ret)
{
  FdxStatus         st   = FDX_SUCCESS;
  FdxSparqlExpr*    l    = NULL;
  FdxSparqlExprKind kind = FDX_SPARQL_EXPR_EQ;
  TRY(st, parse_additive(p, &l));
  switch (p->tok.kind) {
    case FDX_TOK_EQ:
      kind = FDX_SPARQL_EXPR_EQ;
      break;
    case FDX_TOK_NE:
      kind = FDX_SPARQL_EXPR_NE;
      break;
    case FDX_TOK_LT:
      kind = FDX_SPARQL_EXPR_LT;
      break;
    case FDX_TOK_GT:
      kind = FDX_SPARQL_EXPR_GT;
      break;
    case FDX_TOK_LE:
      kind = FDX_SPARQL_EXPR_LE;
      break;
    case FDX_TOK_GE:
      kind = FDX_SPARQL_EXPR_GE;
      break;
    case FDX_TOK_WORD:
      if (p->tok.kw == FDX_KW_IN || p->tok.kw == FDX_KW_NOT) {
        FdxSparqlExpr* e    = NULL;
        size_t         mark = 0;
        TRY(st, enter(p));
        if (p->tok.kw == FDX_KW_NOT) {
          TRY(st, advance(p));
          if (!is_kw(p, FDX_KW_IN)) {
            return expected(p, "'IN' after NOT", false);
          }
          TRY(st, new_expr(p, FDX_SPARQL_EXPR_NOT_IN, &e));
        } else {
          TRY(st, new_expr(p, FDX_SPARQL_EXPR_IN, &e));
        }
        TRY(st, advance(p));
        TRY(st, list_begin(p, &mark));
        TRY(st, push_expr(p, l));
        TRY(st, parse_expression_list(p));
        TRY(st, end_args(p, mark, e));
        leave(p, 1);
        *ret = e;
        return FDX_SUCCESS;
      }
      *ret = l;
      return FDX_SUCCESS;
    default:
      *ret = l;
      return FDX_SUCCESS;
  }
  FdxSparqlExpr* r = NULL;
  TRY(st, enter(p));
  TRY(st, advance(p));
  TRY(st, parse_additive(p, &r));
  TRY(st, new_binary(p, kind, l, r, ret));
  leave(p, 1);
  return FDX_SUCCESS;
}

static FdxStatus
parse_and(Parser* const p, FdxSparqlExpr** const ret)
{
  FdxStatus      st     = FDX_SUCCESS;
  unsigned       levels = 0;
  FdxSparqlExpr* l      = NULL;
  TRY(st, parse_relational(p, &l));
  while (p->tok.kind == FDX_TOK_AND) {
    FdxSparqlExpr* r = NULL;
    TRY(st, enter(p));
    ++levels;
    TRY(st, advance(p));
    TRY(st, parse_relational(p, &r));
    TRY(st, new_binary(p, FDX_SPARQL_EXPR_AND, l, r, &l));
  }
  leave(p, levels);
  *ret = l;
  return FDX_SUCCESS;
}

/* Expression ::= ConditionalOrExpression */
static FdxStatus
parse_expression(Parser* const p, FdxSparqlExpr** const ret)
{
  FdxStatus      st     = FDX_SUCCESS;
  unsigned       levels = 0;
  FdxSparqlExpr* l      = NULL;
  TRY(st, parse_and(p, &l));
  while (p->tok.kind == FDX_TOK_OR) {
    FdxSparqlExpr* r = NULL;
    TRY(st, enter(p));
    ++levels;
    TRY(st, advance(p));
    TRY(st, parse_and(p, &r));
    TRY(st, new_binary(p, FDX_SPARQL_EXPR_OR, l, r, &l));
  }
  leave(p, levels);
  *ret = l;
  return FDX_SUCCESS;
}

/* BrackettedExpression ::= '(' Expression ')' */
static FdxStatus
parse_bracketted(Parser* const p, FdxSparqlExpr** const ret)
{
  if (p->tok.kind != FDX_TOK_LPAREN) {
    return expected(p, "'('", false);
  }
  return parse_primary(p, ret);
}

static bool
at_constraint(const Parser* const p)
{
  return p->tok.kind == FDX_TOK_LPAREN || at_builtin(p) || is_iri_tok(p);
}

/* Constraint ::= BrackettedExpression | BuiltInCall | FunctionCall */
static FdxStatus
parse_constraint(Parser* const         p,
                 const char* const     after,
                 FdxSparqlExpr** const ret)
{
  FdxStatus st = FDX_SUCCESS;
  if (p->tok.kind == FDX_TOK_LPAREN) {
    return parse_primary(p, ret);
  }
  if (at_builtin(p)) {
    return parse_builtin(p, ret);
  }
  if (is_iri_tok(p)) {
    const size_t start = p->tok.start;
    FdxSparqlIri iri   = { NULL, 0 };
    TRY(st, parse_iri(p, &iri));
    if (p->tok.kind != FDX_TOK_LPAREN) {
      return expected(p, "'(' and the arguments of the function", false);
    }
    return parse_function_call(p, iri, start, ret);
  }
  char what[128];
  snprintf(what,
           sizeof(what),
           "'(', a built-in call or a function call after %s",
           after);
  return expected(p, what, true);
}

/* ------------------------------------------------------------------------
 * Property paths
 * --------------------------------------------------------------------- */

static FdxStatus
parse_path(Parser* p, FdxSparqlPath** ret);

static FdxStatus
new_path(Parser* const           p,
         const FdxSparqlPathKind kind,
         const FdxSparqlPath*    left,
         const FdxSparqlPath*    right,
         FdxSparqlPath** const   ret)
{
  FdxSparqlPath*  path = NULL;
  const FdxStatus st   = ALLOC(p, path);
  if (st) {
    return st;
  }
  path->kind  = kind;
  path->left  = left;
  path->right = right;
  *ret        = path;
  return FDX_SUCCESS;
}

/* iri | 'a', in a path. */
static FdxStatus
parse_path_iri(Parser* const p, FdxSparqlIri* const ret)
{
  if (is_kw(p, FDX_KW_A)) {
    *ret = p->rdf_type;
    return advance(p);
  }
  if (!is_iri_tok(p)) {
    return expected(p, "an IRI or 'a'", true);
  }
  return parse_iri(p, ret);
}

typedef struct
{
  bool         inverse;
  FdxSparqlIri iri;
} NegatedItem;

/* PathNegatedPropertySet, after the '!'. */
static FdxStatus
parse_negated_set(Parser* const p, FdxSparqlPath** const ret)
{
  FdxStatus      st   = FDX_SUCCESS;
  FdxSparqlPath* path = NULL;
  size_t         mark = 0;
  const bool     list = p->tok.kind == FDX_TOK_LPAREN;
  TRY(st, new_path(p, FDX_SPARQL_PATH_NEGATED, NULL, NULL, &path));
  TRY(st, list_begin(p, &mark));
  if (list) {
    TRY(st, advance(p));
  }
  if (!list || p->tok.kind != FDX_TOK_RPAREN) {
    for (;;) {
      NegatedItem item = { false, { NULL, 0 } };
      if (p->tok.kind == FDX_TOK_CARET) {
        item.inverse = true;
        TRY(st, advance(p));
      }
      TRY(st, parse_path_iri(p, &item.iri));
      TRY(st, push(p, &item, sizeof(item)));
      if (!list || p->tok.kind != FDX_TOK_PIPE) {
        break;
      }
      TRY(st, advance(p));
    }
  }
  if (list) {
    TRY(st, expect(p, FDX_TOK_RPAREN, "'|' or ')'"));
  }
  /* Split the items into the two arrays. */
  const uint32_t n     = list_count(p, mark, sizeof(NegatedItem));
  uint32_t       n_inv = 0;
  for (uint32_t i = 0; i < n; ++i) {
    n_inv +=
      ((NegatedItem*)list_item(p, mark, sizeof(NegatedItem), i))->inverse;
  }
  FdxSparqlIri* fwd = NULL;
  FdxSparqlIri* inv = NULL;
  if (n - n_inv) {
    TRY(st, alloc(p, (n - n_inv) * sizeof(FdxSparqlIri), (void**)&fwd));
  }
  if (n_inv) {
    TRY(st, alloc(p, n_inv * sizeof(FdxSparqlIri), (void**)&inv));
  }
  for (uint32_t i = 0; i < n; ++i) {
    const NegatedItem* const item =
      (const NegatedItem*)list_item(p, mark, sizeof(NegatedItem), i);
    if (item->inverse) {
      inv[path->n_inverse++] = item->iri;
    } else {
      fwd[path->n_forward++] = item->iri;
    }
  }
  list_drop(p, mark);
  path->forward = fwd;
  path->inverse = inv;
  *ret          = path;
  return FDX_SUCCESS;
}

/* PathPrimary ::= iri | 'a' | '!' PathNegatedPropertySet | '(' Path ')' */
static FdxStatus
parse_path_primary(Parser* const p, FdxSparqlPath** const ret)
{
  FdxStatus st = FDX_SUCCESS;
  if (p->tok.kind == FDX_TOK_BANG) {
    TRY(st, enter(p));
    TRY(st, advance(p));
    TRY(st, parse_negated_set(p, ret));
    leave(p, 1);
    return FDX_SUCCESS;
  }
  if (p->tok.kind == FDX_TOK_LPAREN) {
    TRY(st, enter(p));
    TRY(st, advance(p));
    TRY(st, parse_path(p, ret));
    TRY(st, expect(p, FDX_TOK_RPAREN, "')' to close the path"));
    leave(p, 1);
    return FDX_SUCCESS;
  }
  if (!is_iri_tok(p) && !is_kw(p, FDX_KW_A)) {
    return expected(p, "a property path", true);
  }
  FdxSparqlPath* path = NULL;
  TRY(st, new_path(p, FDX_SPARQL_PATH_LINK, NULL, NULL, &path));
  TRY(st, parse_path_iri(p, &path->iri));
  *ret = path;
  return FDX_SUCCESS;
}

/* PathEltOrInverse ::= PathElt | '^' PathElt;  PathElt ::= PathPrimary
 * PathMod? */
static FdxStatus
parse_path_elt(Parser* const p, FdxSparqlPath** const ret)
{
  FdxStatus      st      = FDX_SUCCESS;
  const bool     inverse = p->tok.kind == FDX_TOK_CARET;
  unsigned       levels  = 0;
  FdxSparqlPath* path    = NULL;
  if (inverse) {
    TRY(st, enter(p));
    ++levels;
    TRY(st, advance(p));
  }
  TRY(st, parse_path_primary(p, &path));
  /* '+' followed at once by a number is INTEGER_POSITIVE, not PathMod. */
  bool number = false;
  TRY(st, at_signed_number(p, &number));
  if (!number && (p->tok.kind == FDX_TOK_QUESTION ||
                  p->tok.kind == FDX_TOK_STAR || p->tok.kind == FDX_TOK_PLUS)) {
    const FdxSparqlPathKind kind =
      p->tok.kind == FDX_TOK_QUESTION ? FDX_SPARQL_PATH_ZERO_OR_ONE
      : p->tok.kind == FDX_TOK_STAR   ? FDX_SPARQL_PATH_ZERO_OR_MORE
                                      : FDX_SPARQL_PATH_ONE_OR_MORE;
    TRY(st, enter(p));
    ++levels;
    TRY(st, new_path(p, kind, path, NULL, &path));
    TRY(st, advance(p));
  }
  if (inverse) {
    TRY(st, new_path(p, FDX_SPARQL_PATH_INVERSE, path, NULL, &path));
  }
  leave(p, levels);
  *ret = path;
  return FDX_SUCCESS;
}

/* PathSequence ::= PathEltOrInverse ( '/' PathEltOrInverse )* */
static FdxStatus
parse_path_sequence(Parser* const p, FdxSparqlPath** const ret)
{
  FdxStatus      st     = FDX_SUCCESS;
  unsigned       levels = 0;
  FdxSparqlPath* l      = NULL;
  TRY(st, parse_path_elt(p, &l));
  while (p->tok.kind == FDX_TOK_SLASH) {
    FdxSparqlPath* r = NULL;
    TRY(st, enter(p));
    ++levels;
    TRY(st, advance(p));
    TRY(st, parse_path_elt(p, &r));
    TRY(st, new_path(p, FDX_SPARQL_PATH_SEQ, l, r, &l));
  }
  leave(p, levels);
  *ret = l;
  return FDX_SUCCESS;
}

/* Path ::= PathAlternative ::= PathSequence ( '|' PathSequence )* */
static FdxStatus
parse_path(Parser* const p, FdxSparqlPath** const ret)
{
  FdxStatus      st     = FDX_SUCCESS;
  unsigned       levels = 0;
  FdxSparqlPath* l      = NULL;
  TRY(st, parse_path_sequence(p, &l));
  while (p->tok.kind == FDX_TOK_PIPE) {
    FdxSparqlPath* r = NULL;
    TRY(st, enter(p));
    ++levels;
    TRY(st, advance(p));
    TRY(st, parse_path_sequence(p, &r));
    TRY(st, new_path(p, FDX_SPARQL_PATH_ALT, l, r, &l));
  }
  leave(p, levels);
  *ret = l;
  return FDX_SUCCESS;
}

/* ------------------------------------------------------------------------
 * Triples
 *
 * One set of functions serves every place triples are written: WHERE
 * clauses (paths, blank nodes as variables), CONSTRUCT and INSERT
 * templates (blank nodes as template blank nodes), data and the DELETE
 * forms (no variables / no blank nodes).  p->mode says which; the triples
 * are pushed on the list the caller has begun, as FdxSparqlTriple or, for
 * templates and data, as FdxSparqlQuad in the graph p->graph.
 * --------------------------------------------------------------------- */

static FdxStatus
push_triple(Parser* const              p,
            const FdxSparqlTerm* const s,
            const FdxSparqlTerm* const pred,
            const FdxSparqlPath* const path,
            const FdxSparqlTerm* const o)
{
  if (p->mode.quads) {
    const FdxSparqlQuad q = { p->graph, *s, *pred, *o };
    return push(p, &q, sizeof(q));
  }
  FdxSparqlTriple t = { *s, *pred, path, *o };
  if (path) {
    memset(&t.p, 0, sizeof(t.p));
  }
  return push(p, &t, sizeof(t));
}

static FdxStatus
no_bnodes(Parser* const p)
{
  return fail_at(
    p, p->tok.start, "blank nodes are not allowed %s", p->mode.where);
}

static bool
at_verb(const Parser* const p)
{
  switch (p->tok.kind) {
    case FDX_TOK_VAR:
    case FDX_TOK_IRIREF:
    case FDX_TOK_PNAME:
      return true;
    case FDX_TOK_WORD:
      return p->tok.kw == FDX_KW_A;
    case FDX_TOK_CARET:
    case FDX_TOK_BANG:
    case FDX_TOK_LPAREN:
      return p->mode.paths;
    default:
      return false;
  }
}

/* Whether the current token can begin a triple (TriplesSameSubject). */
static bool
at_triple(const Parser* const p)
{
  switch (p->tok.kind) {
    case FDX_TOK_VAR:
    case FDX_TOK_IRIREF:
    case FDX_TOK_PNAME:
    case FDX_TOK_BNODE:
    case FDX_TOK_STRING:
    case FDX_TOK_INTEGER:
    case FDX_TOK_DECIMAL:
    case FDX_TOK_DOUBLE:
    case FDX_TOK_PLUS:
    case FDX_TOK_MINUS:
    case FDX_TOK_LBRACKET:
    case FDX_TOK_LPAREN:
      return true;
    case FDX_TOK_WORD:
      return p->tok.kw == FDX_KW_TRUE || p->tok.kw == FDX_KW_FALSE;
    default:
      return false;
  }
}

/* Verb ::= VarOrIri | 'a', or in WHERE clauses VerbPath | VerbSimple.  A
 * path that is a single IRI is a plain predicate (*ret_path NULL). */
static FdxStatus
parse_verb(Parser* const               p,
           FdxSparqlTerm* const        ret_pred,
           const FdxSparqlPath** const ret_path)
{
  FdxStatus st = FDX_SUCCESS;
  *ret_path    = NULL;
  if (p->tok.kind == FDX_TOK_VAR) {
    return parse_var_or_iri(p, ret_pred);
  }
  if (!p->mode.paths) {
    if (!is_iri_tok(p) && !is_kw(p, FDX_KW_A)) {
      return expected(p, "a predicate (an IRI, a variable or 'a')", true);
    }
    FdxSparqlIri iri = { NULL, 0 };
    TRY(st, parse_path_iri(p, &iri));
    *ret_pred = iri_term(iri);
    return FDX_SUCCESS;
  }
  if (!at_verb(p)) {
    return expected(p, "a predicate (an IRI, a variable, 'a' or a path)", true);
  }
  FdxSparqlPath* path = NULL;
  TRY(st, enter(p));
  TRY(st, parse_path(p, &path));
  leave(p, 1);
  if (path->kind == FDX_SPARQL_PATH_LINK) {
    *ret_pred = iri_term(path->iri);
  } else {
    memset(ret_pred, 0, sizeof(*ret_pred));
    *ret_path = path;
  }
  return FDX_SUCCESS;
}

static FdxStatus
parse_graph_node(Parser* p, FdxSparqlTerm* ret);

/* PropertyListNotEmpty ::= Verb ObjectList ( ';' ( Verb ObjectList )? )*
 * and its Path twin, for the subject `s`. */
static FdxStatus
parse_property_list(Parser* const p, const FdxSparqlTerm* const s)
{
  FdxStatus st = FDX_SUCCESS;
  for (;;) {
    FdxSparqlTerm        pred;
    const FdxSparqlPath* path = NULL;
    TRY(st, parse_verb(p, &pred, &path));
    for (;;) {
      FdxSparqlTerm o;
      TRY(st, parse_graph_node(p, &o));
      TRY(st, push_triple(p, s, &pred, path, &o));
      if (p->tok.kind != FDX_TOK_COMMA) {
        break;
      }
      TRY(st, advance(p));
    }
    if (p->tok.kind != FDX_TOK_SEMICOLON) {
      return FDX_SUCCESS;
    }
    while (p->tok.kind == FDX_TOK_SEMICOLON) {
      TRY(st, advance(p));
    }
    if (!at_verb(p)) {
      return FDX_SUCCESS;
    }
  }
}

/* BlankNodePropertyList ::= '[' PropertyListNotEmpty ']', at the '['. */
static FdxStatus
parse_bnode_property_list(Parser* const p, FdxSparqlTerm* const ret)
{
  FdxStatus st = FDX_SUCCESS;
  if (!p->mode.bnodes) {
    return no_bnodes(p);
  }
  TRY(st, enter(p));
  TRY(st, advance(p));
  TRY(st, new_anon(p, ret));
  TRY(st, parse_property_list(p, ret));
  TRY(st, expect(p, FDX_TOK_RBRACKET, "';', ',' or ']'"));
  leave(p, 1);
  return FDX_SUCCESS;
}

/* Collection ::= '(' GraphNode+ ')', at the '(': its first cell. */
static FdxStatus
parse_collection(Parser* const p, FdxSparqlTerm* const ret)
{
  FdxStatus st = FDX_SUCCESS;
  if (!p->mode.bnodes) {
    return no_bnodes(p);
  }
  const FdxSparqlTerm first = iri_term(p->rdf_first);
  const FdxSparqlTerm rest  = iri_term(p->rdf_rest);
  FdxSparqlTerm       cell;
  TRY(st, enter(p));
  TRY(st, advance(p));
  TRY(st, new_anon(p, &cell));
  *ret = cell;
  for (;;) {
    FdxSparqlTerm item;
    TRY(st, parse_graph_node(p, &item));
    TRY(st, push_triple(p, &cell, &first, NULL, &item));
    if (p->tok.kind == FDX_TOK_RPAREN) {
      const FdxSparqlTerm nil = iri_term(p->rdf_nil);
      TRY(st, push_triple(p, &cell, &rest, NULL, &nil));
      break;
    }
    if (p->tok.kind == FDX_TOK_EOF) {
      return expected(p, "')' to close the collection", false);
    }
    FdxSparqlTerm next;
    TRY(st, new_anon(p, &next));
    TRY(st, push_triple(p, &cell, &rest, NULL, &next));
    cell = next;
  }
  TRY(st, advance(p));
  leave(p, 1);
  return FDX_SUCCESS;
}

/* VarOrTerm, without the NIL and ANON that parse_graph_node handles. */
static FdxStatus
parse_var_or_term(Parser* const p, FdxSparqlTerm* const ret)
{
  FdxStatus st = FDX_SUCCESS;
  if (p->tok.kind == FDX_TOK_VAR) {
    return parse_var_or_iri(p, ret);
  }
  if (p->tok.kind == FDX_TOK_BNODE) {
    if (!p->mode.bnodes) {
      return no_bnodes(p);
    }
    uint32_t i = 0;
    if (p->mode.bnode_vars) {
      TRY(st, where_label(p, &p->tok, &i));
      *ret = var_term(i);
    } else {
      TRY(st, template_label(p, &p->tok, &i));
      FdxSparqlTerm t = {
        FDX_SPARQL_TERM_BNODE, i, p->tok.str, p->tok.len, NULL, 0, NULL, 0
      };
      *ret = t;
    }
    return advance(p);
  }
  bool ok = false;
  return parse_constant(p, "an RDF term or a variable", ret, &ok);
}

/* GraphNode ::= VarOrTerm | TriplesNode (and GraphNodePath). */
static FdxStatus
parse_graph_node(Parser* const p, FdxSparqlTerm* const ret)
{
  FdxStatus       st   = FDX_SUCCESS;
  const FdxToken* next = NULL;
  if (p->tok.kind == FDX_TOK_LBRACKET) {
    TRY(st, peek(p, &next));
    if (next->kind != FDX_TOK_RBRACKET) {
      return parse_bnode_property_list(p, ret);
    }
    if (!p->mode.bnodes) {
      return no_bnodes(p);
    }
    TRY(st, advance(p));
    TRY(st, new_anon(p, ret));
    return advance(p);
  }
  if (p->tok.kind == FDX_TOK_LPAREN) {
    TRY(st, peek(p, &next));
    if (next->kind != FDX_TOK_RPAREN) {
      return parse_collection(p, ret);
    }
    TRY(st, advance(p));
    *ret = iri_term(p->rdf_nil);
    return advance(p);
  }
  return parse_var_or_term(p, ret);
}

/* TriplesSameSubject(Path) ::= VarOrTerm PropertyListNotEmpty |
 * TriplesNode PropertyList */
static FdxStatus
parse_triples_same_subject(Parser* const p)
{
  FdxStatus       st   = FDX_SUCCESS;
  const FdxToken* next = NULL;
  bool            node = false;
  FdxSparqlTerm   s;
  if (p->tok.kind == FDX_TOK_LBRACKET || p->tok.kind == FDX_TOK_LPAREN) {
    TRY(st, peek(p, &next));
    node = next->kind != (p->tok.kind == FDX_TOK_LBRACKET ? FDX_TOK_RBRACKET
                                                          : FDX_TOK_RPAREN);
  }
  TRY(st, parse_graph_node(p, &s));
  if (node && !at_verb(p)) {
    return FDX_SUCCESS;
  }
  return parse_property_list(p, &s);
}

/* TriplesBlock / TriplesTemplate / ConstructTriples ::=
 * TriplesSameSubject ( '.' TriplesBlock? )? */
static FdxStatus
parse_triples_block(Parser* const p)
{
  FdxStatus st = FDX_SUCCESS;
  for (;;) {
    TRY(st, parse_triples_same_subject(p));
    if (p->tok.kind != FDX_TOK_DOT) {
      return FDX_SUCCESS;
    }
    TRY(st, advance(p));
    if (!at_triple(p)) {
      return FDX_SUCCESS;
    }
  }
}

/* ------------------------------------------------------------------------
 * In-scope variables (SPARQL 1.1 section 18.2.1)
 *
 * Two kinds of variable set, both linear in what they hold, so that no
 * query can make the checks quadratic:
 *
 *   - Stamps: a set built and used at one go (a SELECT list's variables,
 *     a group key list) marks each member with the current stamp;
 *     next_stamp() empties every set at once.
 *   - The scope stack: each open group pattern owns the entries from
 *     scope_base up, one per variable its elements have put in scope so
 *     far (BIND looks there), and becomes the group's `scope` when the
 *     group ends.  scope_pos[v] leads to v's latest entry; each entry
 *     keeps the position it replaced, restored when the group's entries
 *     are dropped, so an outer group's membership survives inner ones.
 * --------------------------------------------------------------------- */

typedef struct ScopeEntry
{
  uint32_t var;
  uint32_t prev_pos;
} ScopeEntry;

typedef FdxStatus (*VarFn)(Parser* p, uint32_t v);

static void
next_stamp(Parser* const p)
{
  if (++p->stamp == 0) {
    memset(p->stamps, 0, (size_t)p->n_vars * sizeof(uint32_t));
    p->stamp = 1;
  }
}

static void
stamp_var(Parser* const p, const uint32_t v)
{
  p->stamps[v] = p->stamp;
}

static bool
stamped(const Parser* const p, const uint32_t v)
{
  return p->stamps[v] == p->stamp;
}

/* Add `v` to the list being gathered on the scratch stack, once, if it
 * is named (a VarFn). */
static FdxStatus
scope_add(Parser* const p, const uint32_t v)
{
  if (p->vars[v].is_blank || stamped(p, v)) {
    return FDX_SUCCESS;
  }
  stamp_var(p, v);
  return push(p, &v, sizeof(v));
}

/* Whether `v` is in scope in the innermost open group so far. */
static bool
in_scope_here(const Parser* const p, const uint32_t v)
{
  return p->scope_pos[v] > p->scope_base;
}

/* Put `v` in scope in the innermost open group, if named (a VarFn). */
static FdxStatus
scope_note(Parser* const p, const uint32_t v)
{
  if (p->vars[v].is_blank || in_scope_here(p, v)) {
    return FDX_SUCCESS;
  }
  const FdxStatus st = grow(p,
                            (void**)&p->scopes,
                            &p->cap_scopes,
                            (size_t)p->n_scopes + 1,
                            sizeof(ScopeEntry));
  if (st) {
    return st;
  }
  p->scopes[p->n_scopes] = (ScopeEntry){ v, p->scope_pos[v] };
  p->scope_pos[v]        = ++p->n_scopes;
  return FDX_SUCCESS;
}

static FdxStatus
term_vars(Parser* const p, const FdxSparqlTerm* const t, const VarFn fn)
{
  return t->kind == FDX_SPARQL_TERM_VAR ? fn(p, t->index) : FDX_SUCCESS;
}

static FdxStatus
list_vars(Parser* const         p,
          const uint32_t* const vars,
          const uint32_t        n,
          const VarFn           fn)
{
  FdxStatus st = FDX_SUCCESS;
  for (uint32_t i = 0; i < n; ++i) {
    TRY(st, fn(p, vars[i]));
  }
  return FDX_SUCCESS;
}

/* Call `fn` on each variable the element puts in scope. */
static FdxStatus
element_vars(Parser* const p, const FdxSparqlElement* const el, const VarFn fn)
{
  FdxStatus st = FDX_SUCCESS;
  switch (el->kind) {
    case FDX_SPARQL_EL_TRIPLES:
      for (uint32_t i = 0; i < el->n_triples; ++i) {
        TRY(st, term_vars(p, &el->triples[i].s, fn));
        TRY(st, term_vars(p, &el->triples[i].p, fn));
        TRY(st, term_vars(p, &el->triples[i].o, fn));
      }
      break;
    case FDX_SPARQL_EL_FILTER:
    case FDX_SPARQL_EL_MINUS:
      break;
    case FDX_SPARQL_EL_OPTIONAL:
    case FDX_SPARQL_EL_GROUP:
      TRY(st, list_vars(p, el->group->scope, el->group->n_scope, fn));
      break;
    case FDX_SPARQL_EL_UNION:
      for (uint32_t i = 0; i < el->n_groups; ++i) {
        TRY(st, list_vars(p, el->groups[i]->scope, el->groups[i]->n_scope, fn));
      }
      break;
    case FDX_SPARQL_EL_GRAPH:
    case FDX_SPARQL_EL_SERVICE:
      TRY(st, term_vars(p, &el->name, fn));
      TRY(st, list_vars(p, el->group->scope, el->group->n_scope, fn));
      break;
    case FDX_SPARQL_EL_BIND:
      TRY(st, fn(p, el->var));
      break;
    case FDX_SPARQL_EL_VALUES:
      TRY(st, list_vars(p, el->values->vars, el->values->n_vars, fn));
      break;
    case FDX_SPARQL_EL_SUBQUERY:
      for (uint32_t i = 0; i < el->subquery->n_projection; ++i) {
        TRY(st, fn(p, el->subquery->projection[i].var));
      }
      break;
  }
  return FDX_SUCCESS;
}

static int
compare_u32(const void* const a, const void* const b)
{
  const uint32_t x = *(const uint32_t*)a;
  const uint32_t y = *(const uint32_t*)b;
  return x < y ? -1 : x > y;
}

/* End a scope list begun at `mark`: sorted, into the arena. */
static FdxStatus
scope_end(Parser* const    p,
          const size_t     mark,
          uint32_t** const ret,
          uint32_t* const  ret_n)
{
  const uint32_t n = list_count(p, mark, sizeof(uint32_t));
  if (n > 1) {
    qsort(list_item(p, mark, sizeof(uint32_t), 0),
          n,
          sizeof(uint32_t),
          compare_u32);
  }
  return list_end(p, mark, sizeof(uint32_t), (void**)ret, ret_n);
}

/* Fill g->scope from its elements (for groups the parser makes itself,
 * not read from a '{'). */
static FdxStatus
group_scope(Parser* const p, FdxSparqlGroup* const g)
{
  FdxStatus st   = FDX_SUCCESS;
  size_t    mark = 0;
  next_stamp(p);
  TRY(st, list_begin(p, &mark));
  for (uint32_t i = 0; i < g->n_elements; ++i) {
    TRY(st, element_vars(p, &g->elements[i], scope_add));
  }
  return scope_end(p, mark, &g->scope, &g->n_scope);
}

/* The innermost open group's entries as its sorted `scope`; then drop
 * them, giving each variable back its outer entry. */
static FdxStatus
scope_close(Parser* const p, FdxSparqlGroup* const g)
{
  const uint32_t n = p->n_scopes - p->scope_base;
  if (n) {
    uint32_t*       vars = NULL;
    const FdxStatus st   = alloc(p, n * sizeof(uint32_t), (void**)&vars);
    if (st) {
      return st;
    }
    for (uint32_t i = 0; i < n; ++i) {
      vars[i] = p->scopes[p->scope_base + i].var;
    }
    qsort(vars, n, sizeof(uint32_t), compare_u32);
    g->scope   = vars;
    g->n_scope = n;
  }
  while (p->n_scopes > p->scope_base) {
    const ScopeEntry* const e = &p->scopes[--p->n_scopes];
    p->scope_pos[e->var]      = e->prev_pos;
  }
  return FDX_SUCCESS;
}

/* ------------------------------------------------------------------------
 * VALUES
 * --------------------------------------------------------------------- */

/* DataBlockValue ::= iri | RDFLiteral | NumericLiteral | BooleanLiteral |
 * 'UNDEF' */
static FdxStatus
parse_data_value(Parser* const        p,
                 const char* const    what,
                 FdxSparqlTerm* const ret)
{
  if (is_kw(p, FDX_KW_UNDEF)) {
    memset(ret, 0, sizeof(*ret));
    return advance(p);
  }
  bool ok = false;
  return parse_constant(p, what, ret, &ok);
}

/* DataBlock ::= InlineDataOneVar | InlineDataFull, after VALUES. */
static FdxStatus
parse_data_block(Parser* const p, FdxSparqlValues** const ret)
{
  FdxStatus        st     = FDX_SUCCESS;
  FdxSparqlValues* values = NULL;
  size_t           mark   = 0;
  TRY(st, ALLOC(p, values));
  if (p->tok.kind == FDX_TOK_VAR) {
    uint32_t v = 0;
    TRY(st, parse_var(p, &v));
    TRY(st, alloc(p, sizeof(uint32_t), (void**)&values->vars));
    values->vars[0] = v;
    values->n_vars  = 1;
    TRY(st, expect(p, FDX_TOK_LBRACE, "'{'"));
    TRY(st, list_begin(p, &mark));
    while (p->tok.kind != FDX_TOK_RBRACE) {
      FdxSparqlTerm t;
      TRY(st, parse_data_value(p, "a value, UNDEF or '}'", &t));
      TRY(st, push(p, &t, sizeof(t)));
    }
    TRY(st, advance(p));
    TRY(st,
        list_end(p,
                 mark,
                 sizeof(FdxSparqlTerm),
                 (void**)&values->cells,
                 &values->n_rows));
    *ret = values;
    return FDX_SUCCESS;
  }
  if (p->tok.kind != FDX_TOK_LPAREN) {
    return expected(p, "a variable or '(' after VALUES", false);
  }
  TRY(st, advance(p));
  TRY(st, list_begin(p, &mark));
  while (p->tok.kind == FDX_TOK_VAR) {
    uint32_t v = 0;
    TRY(st, parse_var(p, &v));
    TRY(st, push(p, &v, sizeof(v)));
  }
  TRY(st, expect(p, FDX_TOK_RPAREN, "a variable or ')'"));
  TRY(st,
      list_end(
        p, mark, sizeof(uint32_t), (void**)&values->vars, &values->n_vars));
  TRY(st, expect(p, FDX_TOK_LBRACE, "'{'"));
  TRY(st, list_begin(p, &mark));
  const uint32_t width = values->n_vars;
  while (p->tok.kind != FDX_TOK_RBRACE) {
    if (p->tok.kind != FDX_TOK_LPAREN) {
      return expected(p, "'(' to begin a row, or '}'", false);
    }
    TRY(st, advance(p));
    for (uint32_t i = 0; i < width; ++i) {
      char what[96];
      snprintf(what,
               sizeof(what),
               "a value or UNDEF (%u in each row, one per variable)",
               (unsigned)width);
      FdxSparqlTerm t;
      TRY(st, parse_data_value(p, what, &t));
      TRY(st, push(p, &t, sizeof(t)));
    }
    if (p->tok.kind != FDX_TOK_RPAREN) {
      char what[96];
      snprintf(what,
               sizeof(what),
               "')' after %u value%s (one per variable)",
               (unsigned)width,
               width == 1 ? "" : "s");
      return expected(p, what, false);
    }
    TRY(st, advance(p));
    ++values->n_rows;
  }
  TRY(st, advance(p));
  uint32_t n_cells = 0;
  TRY(
    st,
    list_end(p, mark, sizeof(FdxSparqlTerm), (void**)&values->cells, &n_cells));
  *ret = values;
  return FDX_SUCCESS;
}

/* ------------------------------------------------------------------------
 * Group graph patterns
 * --------------------------------------------------------------------- */

static FdxStatus
parse_subselect(Parser* p, FdxSparqlSelect** ret);

static const TriplesMode where_mode = { true, true, true, true, false, "here" };

/* A triples block of a WHERE clause as a TRIPLES element. */
static FdxStatus
parse_triples_element(Parser* const p, FdxSparqlElement* const el)
{
  FdxStatus         st   = FDX_SUCCESS;
  size_t            mark = 0;
  const TriplesMode mode = p->mode;
  p->mode                = where_mode;
  el->kind               = FDX_SPARQL_EL_TRIPLES;
  TRY(st, list_begin(p, &mark));
  TRY(st, parse_triples_block(p));
  TRY(
    st,
    list_end(
      p, mark, sizeof(FdxSparqlTriple), (void**)&el->triples, &el->n_triples));
  p->mode = mode;
  return FDX_SUCCESS;
}

/* Bind ::= 'BIND' '(' Expression 'AS' Var ')'; the variable must not be
 * in scope in the group so far. */
static FdxStatus
parse_bind(Parser* const p, FdxSparqlElement* const el)
{
  FdxStatus st = FDX_SUCCESS;
  el->kind     = FDX_SPARQL_EL_BIND;
  TRY(st, advance(p));
  TRY(st, expect(p, FDX_TOK_LPAREN, "'('"));
  TRY(st, parse_expression(p, &el->expr));
  TRY(st, expect_kw(p, FDX_KW_AS));
  const FdxToken var = p->tok;
  TRY(st, parse_var(p, &el->var));
  if (in_scope_here(p, el->var)) {
    return fail_at(p,
                   var.start,
                   "BIND cannot assign ?%s: it is already in scope in "
                   "this group",
                   var.str);
  }
  return expect(p, FDX_TOK_RPAREN, "')'");
}

/* GroupGraphPatternSub ::= TriplesBlock? ( GraphPatternNotTriples '.'?
 * TriplesBlock? )*, its elements pushed on the list begun at `mark`.
 *
 * Blank node labels: a run of triples blocks with only FILTERs between
 * them is one basic graph pattern; anything else ends it. */
static FdxStatus
parse_group_sub(Parser* const p)
{
  FdxStatus st  = FDX_SUCCESS;
  bool      run = false;
  for (;;) {
    FdxSparqlElement el;
    memset(&el, 0, sizeof(el));
    if (at_triple(p)) {
      if (!run) {
        p->cur_bgp = ++p->n_bgps;
        run        = true;
      }
      TRY(st, parse_triples_element(p, &el));
      TRY(st, push(p, &el, sizeof(el)));
      TRY(st, element_vars(p, &el, scope_note));
      if (at_triple(p)) {
        return expected(p, "'.', ';', ',', '}' or a graph pattern", true);
      }
      continue;
    }
    if (p->tok.kind == FDX_TOK_LBRACE) {
      FdxSparqlGroup* g = NULL;
      TRY(st, parse_group(p, &g));
      if (is_kw(p, FDX_KW_UNION)) {
        size_t umark = 0;
        TRY(st, list_begin(p, &umark));
        TRY(st, push(p, &g, sizeof(g)));
        while (is_kw(p, FDX_KW_UNION)) {
          TRY(st, advance(p));
          TRY(st, parse_group(p, &g));
          TRY(st, push(p, &g, sizeof(g)));
        }
        el.kind = FDX_SPARQL_EL_UNION;
        TRY(st,
            list_end(p, umark, sizeof(g), (void**)&el.groups, &el.n_groups));
      } else {
        el.kind  = FDX_SPARQL_EL_GROUP;
        el.group = g;
      }
      run = false;
    } else if (p->tok.kind != FDX_TOK_WORD) {
      return FDX_SUCCESS;
    } else {
      switch (p->tok.kw) {
        case FDX_KW_FILTER:
          el.kind = FDX_SPARQL_EL_FILTER;
          TRY(st, advance(p));
          TRY(st, parse_constraint(p, "FILTER", &el.expr));
          break;
        case FDX_KW_OPTIONAL:
        case FDX_KW_MINUS:
          el.kind = p->tok.kw == FDX_KW_OPTIONAL ? FDX_SPARQL_EL_OPTIONAL
                                                 : FDX_SPARQL_EL_MINUS;
          TRY(st, advance(p));
          TRY(st, parse_group(p, &el.group));
          run = false;
          break;
        case FDX_KW_GRAPH:
          el.kind = FDX_SPARQL_EL_GRAPH;
          TRY(st, advance(p));
          TRY(st, parse_var_or_iri(p, &el.name));
          TRY(st, parse_group(p, &el.group));
          run = false;
          break;
        case FDX_KW_SERVICE:
          el.kind = FDX_SPARQL_EL_SERVICE;
          TRY(st, advance(p));
          if (is_kw(p, FDX_KW_SILENT)) {
            el.silent = true;
            TRY(st, advance(p));
          }
          TRY(st, parse_var_or_iri(p, &el.name));
          TRY(st, parse_group(p, &el.group));
          run = false;
          break;
        case FDX_KW_BIND:
          TRY(st, parse_bind(p, &el));
          run = false;
          break;
        case FDX_KW_VALUES:
          el.kind = FDX_SPARQL_EL_VALUES;
          TRY(st, advance(p));
          TRY(st, parse_data_block(p, &el.values));
          run = false;
          break;
        default:
          return FDX_SUCCESS;
      }
    }
    TRY(st, push(p, &el, sizeof(el)));
    TRY(st, element_vars(p, &el, scope_note));
    if (p->tok.kind == FDX_TOK_DOT) {
      TRY(st, advance(p));
    }
  }
}

/* GroupGraphPattern ::= '{' ( SubSelect | GroupGraphPatternSub ) '}' */
static FdxStatus
parse_group(Parser* const p, FdxSparqlGroup** const ret)
{
  FdxStatus         st      = FDX_SUCCESS;
  FdxSparqlGroup*   g       = NULL;
  size_t            mark    = 0;
  AggCtx* const     agg     = p->agg;
  const bool        in_agg  = p->in_aggregate;
  const uint32_t    cur_bgp = p->cur_bgp;
  const TriplesMode mode    = p->mode;
  const uint32_t    base    = p->scope_base;
  if (p->tok.kind != FDX_TOK_LBRACE) {
    return expected(p, "'{'", false);
  }
  TRY(st, enter(p));
  TRY(st, advance(p));
  TRY(st, ALLOC(p, g));
  p->agg          = NULL;
  p->in_aggregate = false;
  p->mode         = where_mode;
  p->scope_base   = p->n_scopes;
  TRY(st, list_begin(p, &mark));
  if (is_kw(p, FDX_KW_SELECT)) {
    FdxSparqlElement el;
    memset(&el, 0, sizeof(el));
    el.kind = FDX_SPARQL_EL_SUBQUERY;
    TRY(st, parse_subselect(p, &el.subquery));
    TRY(st, push(p, &el, sizeof(el)));
    TRY(st, element_vars(p, &el, scope_note));
    if (p->tok.kind != FDX_TOK_RBRACE) {
      return expected(p, "'}' (a subquery is alone in its group)", false);
    }
  } else {
    TRY(st, parse_group_sub(p));
    if (p->tok.kind != FDX_TOK_RBRACE) {
      return expected(p, "'}', a triple pattern or a graph pattern", true);
    }
  }
  TRY(
    st,
    list_end(
      p, mark, sizeof(FdxSparqlElement), (void**)&g->elements, &g->n_elements));
  TRY(st, advance(p));
  TRY(st, scope_close(p, g));
  p->agg          = agg;
  p->in_aggregate = in_agg;
  p->cur_bgp      = cur_bgp;
  p->mode         = mode;
  p->scope_base   = base;
  leave(p, 1);
  *ret = g;
  return FDX_SUCCESS;
}

/* ------------------------------------------------------------------------
 * SELECT and the solution modifiers
 * --------------------------------------------------------------------- */

/* One item of a SELECT list while its query is parsed, with where it was
 * written, for the checks that can only be made at the end. */
typedef struct
{
  FdxSparqlProjection proj;
  size_t              offset;     /* its first token */
  size_t              var_offset; /* its variable */
  bool                is_as;
} ProjItem;

typedef struct
{
  ProjItem* items;
  uint32_t  n_items;
  size_t    star_offset;
  AggCtx    agg;
} SelectInfo;

/* SelectClause ::= 'SELECT' ( 'DISTINCT' | 'REDUCED' )? ( ( Var | ( '('
 * Expression 'AS' Var ')' ) )+ | '*' ) */
static FdxStatus
parse_select_clause(Parser* const          p,
                    FdxSparqlSelect* const sel,
                    SelectInfo* const      info)
{
  FdxStatus st   = FDX_SUCCESS;
  size_t    mark = 0;
  TRY(st, expect_kw(p, FDX_KW_SELECT));
  if (is_kw(p, FDX_KW_DISTINCT)) {
    sel->distinct = true;
    TRY(st, advance(p));
  } else if (is_kw(p, FDX_KW_REDUCED)) {
    sel->reduced = true;
    TRY(st, advance(p));
  }
  if (p->tok.kind == FDX_TOK_STAR) {
    sel->star         = true;
    info->star_offset = p->tok.start;
    return advance(p);
  }
  TRY(st, list_begin(p, &mark));
  for (;;) {
    ProjItem item;
    memset(&item, 0, sizeof(item));
    item.offset = p->tok.start;
    if (p->tok.kind == FDX_TOK_VAR) {
      item.var_offset = p->tok.start;
      TRY(st, parse_var(p, &item.proj.var));
    } else if (p->tok.kind == FDX_TOK_LPAREN) {
      item.is_as = true;
      TRY(st, advance(p));
      p->agg = &info->agg;
      TRY(st, parse_expression(p, &item.proj.expr));
      p->agg = NULL;
      if (!is_kw(p, FDX_KW_AS)) {
        return expected(p, "'AS' and a variable", false);
      }
      TRY(st, advance(p));
      item.var_offset = p->tok.start;
      TRY(st, parse_var(p, &item.proj.var));
      TRY(st, expect(p, FDX_TOK_RPAREN, "')'"));
    } else {
      break;
    }
    TRY(st, push(p, &item, sizeof(item)));
  }
  if (list_count(p, mark, sizeof(ProjItem)) == 0) {
    return expected(p, "a variable, '(' or '*' after SELECT", false);
  }
  TRY(
    st,
    list_end(p, mark, sizeof(ProjItem), (void**)&info->items, &info->n_items));
  TRY(st,
      alloc(p,
            info->n_items * sizeof(FdxSparqlProjection),
            (void**)&sel->projection));
  next_stamp(p);
  for (uint32_t i = 0; i < info->n_items; ++i) {
    const ProjItem* const item = &info->items[i];
    if (item->is_as && stamped(p, item->proj.var)) {
      return fail_at(p,
                     item->var_offset,
                     "AS cannot assign ?%s: it is already in the SELECT list",
                     p->vars[item->proj.var].name);
    }
    stamp_var(p, item->proj.var);
    sel->projection[i] = item->proj;
  }
  sel->n_projection = info->n_items;
  return FDX_SUCCESS;
}

/* WhereClause ::= 'WHERE'? GroupGraphPattern */
static FdxStatus
parse_where_clause(Parser* const p, FdxSparqlGroup** const ret)
{
  FdxStatus st = FDX_SUCCESS;
  if (is_kw(p, FDX_KW_WHERE)) {
    TRY(st, advance(p));
  } else if (p->tok.kind != FDX_TOK_LBRACE) {
    return expected(p, "'WHERE' or '{'", false);
  }
  return parse_group(p, ret);
}

static FdxStatus
parse_count(Parser* const p, const char* const what, uint64_t* const ret)
{
  if (p->tok.kind != FDX_TOK_INTEGER) {
    char buf[64];
    snprintf(buf, sizeof(buf), "an integer after %s", what);
    return expected(p, buf, false);
  }
  uint64_t n = 0;
  for (size_t i = 0; i < p->tok.len; ++i) {
    const unsigned d = (unsigned)(p->tok.str[i] - '0');
    if (n > (UINT64_MAX - d) / 10) {
      return fail_st(p,
                     FDX_ERR_LIMIT,
                     p->tok.start,
                     "%s %s is too large (at most %llu)",
                     what,
                     p->tok.str,
                     (unsigned long long)UINT64_MAX);
    }
    n = n * 10 + d;
  }
  *ret = n;
  return advance(p);
}

static bool
at_group_condition(const Parser* const p)
{
  return at_constraint(p) || p->tok.kind == FDX_TOK_VAR;
}

/* GroupCondition ::= BuiltInCall | FunctionCall | '(' Expression ( 'AS'
 * Var )? ')' | Var */
static FdxStatus
parse_group_condition(Parser* const p, FdxSparqlGroupKey* const key)
{
  FdxStatus st = FDX_SUCCESS;
  memset(key, 0, sizeof(*key));
  if (p->tok.kind == FDX_TOK_VAR) {
    uint32_t v = 0;
    TRY(st, parse_var(p, &v));
    return term_expr(p, var_term(v), &key->expr);
  }
  if (p->tok.kind != FDX_TOK_LPAREN) {
    return parse_constraint(p, "GROUP BY", &key->expr);
  }
  TRY(st, enter(p));
  TRY(st, advance(p));
  TRY(st, parse_expression(p, &key->expr));
  if (is_kw(p, FDX_KW_AS)) {
    TRY(st, advance(p));
    TRY(st, parse_var(p, &key->var));
    key->has_var = true;
  }
  TRY(st, expect(p, FDX_TOK_RPAREN, key->has_var ? "')'" : "'AS' or ')'"));
  leave(p, 1);
  return FDX_SUCCESS;
}

static bool
at_order_condition(const Parser* const p)
{
  return is_kw(p, FDX_KW_ASC) || is_kw(p, FDX_KW_DESC) || at_group_condition(p);
}

/* OrderCondition ::= ( ( 'ASC' | 'DESC' ) BrackettedExpression ) | (
 * Constraint | Var ) */
static FdxStatus
parse_order_condition(Parser* const p, FdxSparqlOrderKey* const key)
{
  FdxStatus st = FDX_SUCCESS;
  memset(key, 0, sizeof(*key));
  if (is_kw(p, FDX_KW_ASC) || is_kw(p, FDX_KW_DESC)) {
    key->descending = is_kw(p, FDX_KW_DESC);
    TRY(st, advance(p));
    return parse_bracketted(p, &key->expr);
  }
  if (p->tok.kind == FDX_TOK_VAR) {
    uint32_t v = 0;
    TRY(st, parse_var(p, &v));
    return term_expr(p, var_term(v), &key->expr);
  }
  return parse_constraint(p, "ORDER BY", &key->expr);
}

/* SolutionModifier ::= GroupClause? HavingClause? OrderClause?
 * LimitOffsetClauses? */
static FdxStatus
parse_solution_modifier(Parser* const          p,
                        FdxSparqlSelect* const sel,
                        SelectInfo* const      info)
{
  FdxStatus st   = FDX_SUCCESS;
  size_t    mark = 0;
  if (is_kw(p, FDX_KW_GROUP)) {
    TRY(st, advance(p));
    TRY(st, expect_kw(p, FDX_KW_BY));
    if (!at_group_condition(p)) {
      return expected(
        p, "a variable, '(', a built-in call or a function call", true);
    }
    TRY(st, list_begin(p, &mark));
    while (at_group_condition(p)) {
      FdxSparqlGroupKey key;
      TRY(st, parse_group_condition(p, &key));
      TRY(st, push(p, &key, sizeof(key)));
    }
    TRY(st,
        list_end(p,
                 mark,
                 sizeof(FdxSparqlGroupKey),
                 (void**)&sel->group_by,
                 &sel->n_group_by));
  }
  if (is_kw(p, FDX_KW_HAVING)) {
    TRY(st, advance(p));
    p->agg = &info->agg;
    TRY(st, list_begin(p, &mark));
    do {
      FdxSparqlExpr* e = NULL;
      TRY(st, parse_constraint(p, "HAVING", &e));
      TRY(st, push_expr(p, e));
    } while (at_constraint(p));
    TRY(
      st,
      list_end(
        p, mark, sizeof(FdxSparqlExpr*), (void**)&sel->having, &sel->n_having));
    p->agg = NULL;
  }
  if (is_kw(p, FDX_KW_ORDER)) {
    TRY(st, advance(p));
    TRY(st, expect_kw(p, FDX_KW_BY));
    if (!at_order_condition(p)) {
      return expected(
        p, "ASC, DESC, a variable or an expression in '(' ')'", true);
    }
    p->agg = &info->agg;
    TRY(st, list_begin(p, &mark));
    while (at_order_condition(p)) {
      FdxSparqlOrderKey key;
      TRY(st, parse_order_condition(p, &key));
      TRY(st, push(p, &key, sizeof(key)));
    }
    TRY(st,
        list_end(p,
                 mark,
                 sizeof(FdxSparqlOrderKey),
                 (void**)&sel->order_by,
                 &sel->n_order_by));
    p->agg = NULL;
  }
  for (int i = 0; i < 2; ++i) {
    if (is_kw(p, FDX_KW_LIMIT) && !sel->has_limit) {
      TRY(st, advance(p));
      TRY(st, parse_count(p, "LIMIT", &sel->limit));
      sel->has_limit = true;
    } else if (is_kw(p, FDX_KW_OFFSET) && !sel->has_offset) {
      TRY(st, advance(p));
      TRY(st, parse_count(p, "OFFSET", &sel->offset));
      sel->has_offset = true;
    }
  }
  return FDX_SUCCESS;
}

static FdxStatus
not_grouped(Parser* const p, const size_t offset, const uint32_t v)
{
  return fail_at(p,
                 offset,
                 "?%s must be a GROUP BY key or inside an aggregate: the "
                 "query is grouped",
                 p->vars[v].name);
}

/* Check that `e` uses, outside aggregates, only stamped variables (the
 * group keys and earlier AS variables); `offset` is where to complain. */
static FdxStatus
check_grouped(Parser* const              p,
              const size_t               offset,
              const FdxSparqlExpr* const e)
{
  FdxStatus st = FDX_SUCCESS;
  if (e->kind == FDX_SPARQL_EXPR_AGGREGATE) {
    return FDX_SUCCESS;
  }
  if (e->kind == FDX_SPARQL_EXPR_VAR) {
    return stamped(p, e->term.index) ? FDX_SUCCESS
                                     : not_grouped(p, offset, e->term.index);
  }
  for (uint32_t i = 0; i < e->n_args; ++i) {
    TRY(st, check_grouped(p, offset, e->args[i]));
  }
  return FDX_SUCCESS;
}

/* The checks and fillings that need the whole SELECT: the aggregates
 * array, SELECT * projection, AS against the WHERE's scope, grouping. */
static FdxStatus
finish_select(Parser* const           p,
              FdxSparqlSelect* const  sel,
              const SelectInfo* const info)
{
  FdxStatus st = FDX_SUCCESS;
  if (info->agg.n) {
    TRY(
      st,
      alloc(p, info->agg.n * sizeof(FdxSparqlExpr*), (void**)&sel->aggregates));
    uint32_t i = 0;
    for (const AggLink* l = info->agg.head; l; l = l->next) {
      sel->aggregates[i++] = l->expr;
    }
    sel->n_aggregates = info->agg.n;
  }
  sel->aggregated = sel->n_group_by > 0 || sel->n_aggregates > 0;

  if (sel->star) {
    if (sel->aggregated) {
      return fail_at(p,
                     info->star_offset,
                     "SELECT * is not allowed in a grouped query (one with "
                     "GROUP BY or aggregates): list the keys and aggregates");
    }
    size_t mark = 0;
    next_stamp(p);
    TRY(st, list_begin(p, &mark));
    if (sel->where) {
      TRY(st, list_vars(p, sel->where->scope, sel->where->n_scope, scope_add));
    }
    if (sel->values) {
      TRY(st, list_vars(p, sel->values->vars, sel->values->n_vars, scope_add));
    }
    uint32_t* vars   = NULL;
    uint32_t  n_vars = 0;
    TRY(st, scope_end(p, mark, &vars, &n_vars));
    if (n_vars) {
      TRY(st,
          alloc(
            p, n_vars * sizeof(FdxSparqlProjection), (void**)&sel->projection));
    }
    for (uint32_t i = 0; i < n_vars; ++i) {
      sel->projection[i].var = vars[i];
    }
    sel->n_projection = n_vars;
    return FDX_SUCCESS;
  }

  /* (expr AS ?v): ?v not in scope in the WHERE clause. */
  next_stamp(p);
  if (sel->where) {
    for (uint32_t i = 0; i < sel->where->n_scope; ++i) {
      stamp_var(p, sel->where->scope[i]);
    }
  }
  for (uint32_t i = 0; i < info->n_items; ++i) {
    const ProjItem* const item = &info->items[i];
    if (item->is_as && stamped(p, item->proj.var)) {
      return fail_at(p,
                     item->var_offset,
                     "AS cannot assign ?%s: it is already in scope in the "
                     "WHERE clause",
                     p->vars[item->proj.var].name);
    }
  }

  /* Grouped: each item a key, or an expression of keys, aggregates and
   * earlier AS variables. */
  if (sel->aggregated) {
    next_stamp(p);
    for (uint32_t i = 0; i < sel->n_group_by; ++i) {
      const FdxSparqlGroupKey* const k = &sel->group_by[i];
      if (k->has_var) {
        stamp_var(p, k->var);
      } else if (k->expr->kind == FDX_SPARQL_EXPR_VAR) {
        stamp_var(p, k->expr->term.index);
      }
    }
    for (uint32_t i = 0; i < info->n_items; ++i) {
      const ProjItem* const item = &info->items[i];
      if (item->is_as) {
        TRY(st, check_grouped(p, item->offset, item->proj.expr));
        stamp_var(p, item->proj.var);
      } else if (!stamped(p, item->proj.var)) {
        return not_grouped(p, item->var_offset, item->proj.var);
      }
    }
  }
  return FDX_SUCCESS;
}

/* SubSelect ::= SelectClause WhereClause SolutionModifier ValuesClause */
static FdxStatus
parse_subselect(Parser* const p, FdxSparqlSelect** const ret)
{
  FdxStatus        st  = FDX_SUCCESS;
  FdxSparqlSelect* sel = NULL;
  SelectInfo       info;
  memset(&info, 0, sizeof(info));
  TRY(st, ALLOC(p, sel));
  TRY(st, parse_select_clause(p, sel, &info));
  TRY(st, parse_where_clause(p, &sel->where));
  TRY(st, parse_solution_modifier(p, sel, &info));
  if (is_kw(p, FDX_KW_VALUES)) {
    TRY(st, advance(p));
    TRY(st, parse_data_block(p, &sel->values));
  }
  TRY(st, finish_select(p, sel, &info));
  *ret = sel;
  return FDX_SUCCESS;
}

/* ------------------------------------------------------------------------
 * Queries
 * --------------------------------------------------------------------- */

typedef struct
{
  bool         named;
  FdxSparqlIri iri;
} DatasetItem;

/* DatasetClause* ::= ( 'FROM' ( iri | 'NAMED' iri ) )* */
static FdxStatus
parse_dataset(Parser* const p, FdxSparqlQuery* const q)
{
  FdxStatus st   = FDX_SUCCESS;
  size_t    mark = 0;
  if (!is_kw(p, FDX_KW_FROM)) {
    return FDX_SUCCESS;
  }
  TRY(st, list_begin(p, &mark));
  while (is_kw(p, FDX_KW_FROM)) {
    DatasetItem item = { false, { NULL, 0 } };
    TRY(st, advance(p));
    if (is_kw(p, FDX_KW_NAMED)) {
      item.named = true;
      TRY(st, advance(p));
    }
    TRY(st, parse_iri(p, &item.iri));
    TRY(st, push(p, &item, sizeof(item)));
  }
  const uint32_t n       = list_count(p, mark, sizeof(DatasetItem));
  uint32_t       n_named = 0;
  for (uint32_t i = 0; i < n; ++i) {
    n_named +=
      ((DatasetItem*)list_item(p, mark, sizeof(DatasetItem), i))->named;
  }
  if (n - n_named) {
    TRY(st, alloc(p, (n - n_named) * sizeof(FdxSparqlIri), (void**)&q->from));
  }
  if (n_named) {
    TRY(st, alloc(p, n_named * sizeof(FdxSparqlIri), (void**)&q->from_named));
  }
  for (uint32_t i = 0; i < n; ++i) {
    const DatasetItem* const item =
      (const DatasetItem*)list_item(p, mark, sizeof(DatasetItem), i);
    if (item->named) {
      q->from_named[q->n_from_named++] = item->iri;
    } else {
      q->from[q->n_from++] = item->iri;
    }
  }
  list_drop(p, mark);
  return FDX_SUCCESS;
}

static const TriplesMode construct_mode = { false, true,
                                            true,  false,
                                            true,  "in a CONSTRUCT template" };

/* The short form CONSTRUCT WHERE { TriplesTemplate? }: the pattern is a
 * basic graph pattern (blank nodes are its variables) and the template
 * is the same triples, with those variables as template blank nodes. */
static FdxStatus
parse_construct_where(Parser* const p, FdxSparqlQuery* const q)
{
  FdxStatus         st   = FDX_SUCCESS;
  FdxSparqlGroup*   g    = NULL;
  FdxSparqlElement* el   = NULL;
  size_t            mark = 0;
  const TriplesMode bgp  = { false, true, true, true, false, "here" };
  q->construct_where     = true;
  TRY(st, expect(p, FDX_TOK_LBRACE, "'{'"));
  TRY(st, enter(p));
  TRY(st, ALLOC(p, g));
  TRY(st, ALLOC(p, el));
  p->mode    = bgp;
  p->cur_bgp = ++p->n_bgps;
  el->kind   = FDX_SPARQL_EL_TRIPLES;
  TRY(st, list_begin(p, &mark));
  if (at_triple(p)) {
    TRY(st, parse_triples_block(p));
  }
  if (p->tok.kind != FDX_TOK_RBRACE) {
    return expected(p,
                    "'}' or a triple pattern (CONSTRUCT WHERE takes triple "
                    "patterns only)",
                    true);
  }
  TRY(
    st,
    list_end(
      p, mark, sizeof(FdxSparqlTriple), (void**)&el->triples, &el->n_triples));
  TRY(st, advance(p));
  p->mode = where_mode;
  leave(p, 1);
  if (el->n_triples) {
    g->elements   = el;
    g->n_elements = 1;
  }
  TRY(st, group_scope(p, g));
  q->select->where = g;

  /* The template: each blank-node variable becomes a template blank node,
   * numbered in order of first use (stamps[v] - 1 holds its number). */
  const uint32_t n = el->n_triples;
  if (n) {
    TRY(st, alloc(p, n * sizeof(FdxSparqlQuad), (void**)&q->construct));
  }
  next_stamp(p);
  const uint32_t base = p->stamp;
  for (uint32_t i = 0; i < n; ++i) {
    FdxSparqlQuad* const         quad   = &q->construct[i];
    const FdxSparqlTriple* const t      = &el->triples[i];
    FdxSparqlTerm* const         out[3] = { &quad->s, &quad->p, &quad->o };
    const FdxSparqlTerm* const   in[3]  = { &t->s, &t->p, &t->o };
    for (int k = 0; k < 3; ++k) {
      *out[k] = *in[k];
      if (in[k]->kind == FDX_SPARQL_TERM_VAR &&
          p->vars[in[k]->index].is_blank) {
        const uint32_t v = in[k]->index;
        if (p->stamps[v] < base) {
          /* Stamps from `base` on number the blank nodes: no other stamp
           * is taken until the template is done. */
          p->stamps[v] = base + p->n_bnodes++;
        }
        out[k]->kind      = FDX_SPARQL_TERM_BNODE;
        out[k]->index     = p->stamps[v] - base;
        out[k]->value     = p->vars[v].name;
        out[k]->value_len = p->vars[v].name_len;
      }
    }
  }
  p->stamp += p->n_bnodes;
  q->n_construct = n;
  return FDX_SUCCESS;
}

/* ConstructQuery, after 'CONSTRUCT'. */
static FdxStatus
parse_construct(Parser* const         p,
                FdxSparqlQuery* const q,
                SelectInfo* const     info)
{
  FdxStatus st   = FDX_SUCCESS;
  size_t    mark = 0;
  q->form        = FDX_SPARQL_QUERY_CONSTRUCT;
  if (p->tok.kind != FDX_TOK_LBRACE) {
    TRY(st, parse_dataset(p, q));
    if (!is_kw(p, FDX_KW_WHERE)) {
      return expected(p, "'{' or 'WHERE' after CONSTRUCT", false);
    }
    TRY(st, advance(p));
    TRY(st, parse_construct_where(p, q));
    return parse_solution_modifier(p, q->select, info);
  }
  TRY(st, advance(p));
  p->mode = construct_mode;
  memset(&p->graph, 0, sizeof(p->graph));
  TRY(st, list_begin(p, &mark));
  if (at_triple(p)) {
    TRY(st, parse_triples_block(p));
  }
  if (p->tok.kind != FDX_TOK_RBRACE) {
    return expected(p, "'}' or a triple pattern", true);
  }
  TRY(
    st,
    list_end(
      p, mark, sizeof(FdxSparqlQuad), (void**)&q->construct, &q->n_construct));
  TRY(st, advance(p));
  p->mode = where_mode;
  TRY(st, parse_dataset(p, q));
  TRY(st, parse_where_clause(p, &q->select->where));
  return parse_solution_modifier(p, q->select, info);
}

/* DescribeQuery, after 'DESCRIBE'. */
static FdxStatus
parse_describe(Parser* const p, FdxSparqlQuery* const q, SelectInfo* const info)
{
  FdxStatus st   = FDX_SUCCESS;
  size_t    mark = 0;
  q->form        = FDX_SPARQL_QUERY_DESCRIBE;
  if (p->tok.kind == FDX_TOK_STAR) {
    q->select->star   = true;
    info->star_offset = p->tok.start;
    TRY(st, advance(p));
  } else {
    if (p->tok.kind != FDX_TOK_VAR && !is_iri_tok(p)) {
      return expected(p, "a variable, an IRI or '*' after DESCRIBE", true);
    }
    TRY(st, list_begin(p, &mark));
    while (p->tok.kind == FDX_TOK_VAR || is_iri_tok(p)) {
      FdxSparqlTerm t;
      TRY(st, parse_var_or_iri(p, &t));
      TRY(st, push(p, &t, sizeof(t)));
    }
    TRY(
      st,
      list_end(
        p, mark, sizeof(FdxSparqlTerm), (void**)&q->describe, &q->n_describe));
  }
  TRY(st, parse_dataset(p, q));
  if (is_kw(p, FDX_KW_WHERE) || p->tok.kind == FDX_TOK_LBRACE) {
    TRY(st, parse_where_clause(p, &q->select->where));
  }
  return parse_solution_modifier(p, q->select, info);
}

/* Query ::= Prologue ( SelectQuery | ConstructQuery | DescribeQuery |
 * AskQuery ) ValuesClause */
static FdxStatus
parse_query(Parser* const p, FdxSparqlQuery* const q)
{
  FdxStatus  st = FDX_SUCCESS;
  SelectInfo info;
  memset(&info, 0, sizeof(info));
  TRY(st, parse_prologue(p));
  TRY(st, ALLOC(p, q->select));
  FdxSparqlSelect* const sel = q->select;
  if (is_kw(p, FDX_KW_SELECT)) {
    q->form = FDX_SPARQL_QUERY_SELECT;
    TRY(st, parse_select_clause(p, sel, &info));
    TRY(st, parse_dataset(p, q));
    TRY(st, parse_where_clause(p, &sel->where));
    TRY(st, parse_solution_modifier(p, sel, &info));
  } else if (is_kw(p, FDX_KW_CONSTRUCT)) {
    TRY(st, advance(p));
    TRY(st, parse_construct(p, q, &info));
  } else if (is_kw(p, FDX_KW_DESCRIBE)) {
    TRY(st, advance(p));
    TRY(st, parse_describe(p, q, &info));
  } else if (is_kw(p, FDX_KW_ASK)) {
    q->form = FDX_SPARQL_QUERY_ASK;
    TRY(st, advance(p));
    TRY(st, parse_dataset(p, q));
    TRY(st, parse_where_clause(p, &sel->where));
    TRY(st, parse_solution_modifier(p, sel, &info));
  } else {
    return expected(
      p, "SELECT, CONSTRUCT, DESCRIBE, ASK, BASE or PREFIX", false);
  }
  if (is_kw(p, FDX_KW_VALUES)) {
    TRY(st, advance(p));
    TRY(st, parse_data_block(p, &sel->values));
  }
  if (p->tok.kind != FDX_TOK_EOF) {
    return expected(p, "end of input", false);
  }
  TRY(st, finish_select(p, sel, &info));
  q->n_bnodes = p->n_bnodes;
  q->base     = p->base;
  return FDX_SUCCESS;
}

/* ------------------------------------------------------------------------
 * Updates
 * --------------------------------------------------------------------- */

/* QuadPattern / QuadData ::= '{' Quads '}' in `mode`;  Quads ::=
 * TriplesTemplate? ( QuadsNotTriples '.'? TriplesTemplate? )* */
static FdxStatus
parse_quads(Parser* const         p,
            const TriplesMode     mode,
            FdxSparqlQuad** const ret,
            uint32_t* const       ret_n)
{
  FdxStatus st   = FDX_SUCCESS;
  size_t    mark = 0;
  TRY(st, expect(p, FDX_TOK_LBRACE, "'{'"));
  p->mode = mode;
  memset(&p->graph, 0, sizeof(p->graph));
  TRY(st, list_begin(p, &mark));
  for (;;) {
    if (at_triple(p)) {
      TRY(st, parse_triples_block(p));
      if (at_triple(p)) {
        return expected(p, "'.', ';', ',', '}' or GRAPH", true);
      }
    } else if (is_kw(p, FDX_KW_GRAPH)) {
      TRY(st, advance(p));
      FdxSparqlTerm g;
      TRY(st, parse_var_or_iri(p, &g));
      TRY(st, expect(p, FDX_TOK_LBRACE, "'{'"));
      p->graph = g;
      if (at_triple(p)) {
        TRY(st, parse_triples_block(p));
      }
      if (p->tok.kind != FDX_TOK_RBRACE) {
        return expected(p, "'}' or a triple", true);
      }
      TRY(st, advance(p));
      memset(&p->graph, 0, sizeof(p->graph));
      if (p->tok.kind == FDX_TOK_DOT) {
        TRY(st, advance(p));
      }
    } else {
      break;
    }
  }
  if (p->tok.kind != FDX_TOK_RBRACE) {
    return expected(p, "'}', a triple or GRAPH", true);
  }
  TRY(st, list_end(p, mark, sizeof(FdxSparqlQuad), (void**)ret, ret_n));
  p->mode = where_mode;
  return advance(p);
}

/* A group of one TRIPLES element holding quads [from, to) as triples. */
static FdxStatus
triples_group(Parser* const              p,
              const FdxSparqlQuad* const quads,
              const uint32_t             from,
              const uint32_t             to,
              FdxSparqlGroup** const     ret)
{
  FdxStatus         st = FDX_SUCCESS;
  FdxSparqlGroup*   g  = NULL;
  FdxSparqlElement* el = NULL;
  FdxSparqlTriple*  t  = NULL;
  TRY(st, ALLOC(p, g));
  TRY(st, ALLOC(p, el));
  TRY(st, alloc(p, (to - from) * sizeof(FdxSparqlTriple), (void**)&t));
  for (uint32_t i = from; i < to; ++i) {
    t[i - from].s = quads[i].s;
    t[i - from].p = quads[i].p;
    t[i - from].o = quads[i].o;
  }
  el->kind      = FDX_SPARQL_EL_TRIPLES;
  el->triples   = t;
  el->n_triples = to - from;
  g->elements   = el;
  g->n_elements = 1;
  TRY(st, group_scope(p, g));
  *ret = g;
  return FDX_SUCCESS;
}

static bool
same_graph(const FdxSparqlTerm* const a, const FdxSparqlTerm* const b)
{
  if (a->kind != b->kind) {
    return false;
  }
  if (a->kind == FDX_SPARQL_TERM_VAR) {
    return a->index == b->index;
  }
  return a->kind == FDX_SPARQL_TERM_NONE ||
         (a->value_len == b->value_len &&
          !memcmp(a->value, b->value, a->value_len));
}

/* DELETE WHERE's pattern as a group: the default graph's triples, then
 * one GRAPH element per run of quads in the same graph. */
static FdxStatus
delete_where_group(Parser* const p, FdxSparqlOperation* const op)
{
  FdxStatus       st   = FDX_SUCCESS;
  FdxSparqlGroup* g    = NULL;
  size_t          mark = 0;
  const uint32_t  n    = op->n_delete;
  TRY(st, ALLOC(p, g));
  TRY(st, list_begin(p, &mark));

  /* The default graph's quads, gathered to the front of a copy. */
  FdxSparqlQuad* sorted    = NULL;
  uint32_t       n_default = 0;
  if (n) {
    TRY(st, alloc(p, n * sizeof(FdxSparqlQuad), (void**)&sorted));
  }
  for (uint32_t i = 0; i < n; ++i) {
    if (op->delete_[i].g.kind == FDX_SPARQL_TERM_NONE) {
      sorted[n_default++] = op->delete_[i];
    }
  }
  uint32_t k = n_default;
  for (uint32_t i = 0; i < n; ++i) {
    if (op->delete_[i].g.kind != FDX_SPARQL_TERM_NONE) {
      sorted[k++] = op->delete_[i];
    }
  }
  if (n_default) {
    FdxSparqlGroup* tg = NULL;
    TRY(st, triples_group(p, sorted, 0, n_default, &tg));
    FdxSparqlElement el = *tg->elements;
    TRY(st, push(p, &el, sizeof(el)));
  }
  for (uint32_t i = n_default; i < n;) {
    uint32_t j = i + 1;
    while (j < n && same_graph(&sorted[j].g, &sorted[i].g)) {
      ++j;
    }
    FdxSparqlElement el;
    memset(&el, 0, sizeof(el));
    el.kind = FDX_SPARQL_EL_GRAPH;
    el.name = sorted[i].g;
    TRY(st, triples_group(p, sorted, i, j, &el.group));
    TRY(st, push(p, &el, sizeof(el)));
    i = j;
  }
  TRY(
    st,
    list_end(
      p, mark, sizeof(FdxSparqlElement), (void**)&g->elements, &g->n_elements));
  TRY(st, group_scope(p, g));
  op->where = g;
  return FDX_SUCCESS;
}

/* GraphRef ::= 'GRAPH' iri */
static FdxStatus
parse_graph_ref(Parser* const p, FdxSparqlGraphRef* const ref)
{
  FdxStatus st = FDX_SUCCESS;
  TRY(st, expect_kw(p, FDX_KW_GRAPH));
  ref->kind = FDX_SPARQL_GRAPH_IRI;
  return parse_iri(p, &ref->iri);
}

/* GraphRefAll ::= GraphRef | 'DEFAULT' | 'NAMED' | 'ALL' */
static FdxStatus
parse_graph_ref_all(Parser* const p, FdxSparqlGraphRef* const ref)
{
  if (is_kw(p, FDX_KW_DEFAULT) || is_kw(p, FDX_KW_NAMED) ||
      is_kw(p, FDX_KW_ALL)) {
    ref->kind = is_kw(p, FDX_KW_DEFAULT) ? FDX_SPARQL_GRAPH_DEFAULT
                : is_kw(p, FDX_KW_NAMED) ? FDX_SPARQL_GRAPH_NAMED
                                         : FDX_SPARQL_GRAPH_ALL;
    return advance(p);
  }
  if (!is_kw(p, FDX_KW_GRAPH)) {
    return expected(p, "GRAPH, DEFAULT, NAMED or ALL", false);
  }
  return parse_graph_ref(p, ref);
}

/* GraphOrDefault ::= 'DEFAULT' | 'GRAPH'? iri */
static FdxStatus
parse_graph_or_default(Parser* const p, FdxSparqlGraphRef* const ref)
{
  FdxStatus st = FDX_SUCCESS;
  if (is_kw(p, FDX_KW_DEFAULT)) {
    ref->kind = FDX_SPARQL_GRAPH_DEFAULT;
    return advance(p);
  }
  if (is_kw(p, FDX_KW_GRAPH)) {
    TRY(st, advance(p));
  } else if (!is_iri_tok(p)) {
    return expected(p, "DEFAULT, GRAPH or an IRI", true);
  }
  ref->kind = FDX_SPARQL_GRAPH_IRI;
  return parse_iri(p, &ref->iri);
}

static FdxStatus
parse_silent(Parser* const p, FdxSparqlOperation* const op)
{
  if (is_kw(p, FDX_KW_SILENT)) {
    op->silent = true;
    return advance(p);
  }
  return FDX_SUCCESS;
}

static const TriplesMode insert_data_mode  = { false, false, true,
                                               false, true,  "in INSERT DATA" };
static const TriplesMode delete_data_mode  = { false, false, false,
                                               false, true,  "in DELETE DATA" };
static const TriplesMode delete_where_mode = { false, true, false,
                                               false, true, "in DELETE WHERE" };
static const TriplesMode delete_mode       = { false, true, false,
                                               false, true, "in a DELETE template" };
static const TriplesMode insert_mode       = { false, true, true,
                                               false, true, "in an INSERT template" };

/* Modify ::= ( 'WITH' iri )? ( DeleteClause InsertClause? | InsertClause
 * ) UsingClause* 'WHERE' GroupGraphPattern, from after the DELETE or
 * INSERT keyword when `op->has_delete` / `has_insert` is set. */
static FdxStatus
parse_modify(Parser* const p, FdxSparqlOperation* const op)
{
  FdxStatus st   = FDX_SUCCESS;
  size_t    mark = 0;
  op->kind       = FDX_SPARQL_OP_MODIFY;
  if (op->has_delete) {
    TRY(st, parse_quads(p, delete_mode, &op->delete_, &op->n_delete));
    if (is_kw(p, FDX_KW_INSERT)) {
      TRY(st, advance(p));
      op->has_insert = true;
    }
  }
  if (op->has_insert) {
    TRY(st, parse_quads(p, insert_mode, &op->insert, &op->n_insert));
  }
  TRY(st, list_begin(p, &mark));
  while (is_kw(p, FDX_KW_USING)) {
    DatasetItem item = { false, { NULL, 0 } };
    TRY(st, advance(p));
    if (is_kw(p, FDX_KW_NAMED)) {
      item.named = true;
      TRY(st, advance(p));
    }
    TRY(st, parse_iri(p, &item.iri));
    TRY(st, push(p, &item, sizeof(item)));
  }
  const uint32_t n = list_count(p, mark, sizeof(DatasetItem));
  for (uint32_t pass = 0; pass < 2; ++pass) {
    uint32_t count = 0;
    for (uint32_t i = 0; i < n; ++i) {
      count +=
        ((DatasetItem*)list_item(p, mark, sizeof(DatasetItem), i))->named ==
        (pass == 1);
    }
    if (!count) {
      continue;
    }
    FdxSparqlIri* a = NULL;
    TRY(st, alloc(p, count * sizeof(FdxSparqlIri), (void**)&a));
    count = 0;
    for (uint32_t i = 0; i < n; ++i) {
      const DatasetItem* const item =
        (const DatasetItem*)list_item(p, mark, sizeof(DatasetItem), i);
      if (item->named == (pass == 1)) {
        a[count++] = item->iri;
      }
    }
    if (pass) {
      op->using_named   = a;
      op->n_using_named = count;
    } else {
      op->using_  = a;
      op->n_using = count;
    }
  }
  list_drop(p, mark);
  if (!is_kw(p, FDX_KW_WHERE)) {
    return expected(p,
                    op->has_insert || !op->has_delete
                      ? "USING or WHERE"
                      : "INSERT, USING or WHERE",
                    false);
  }
  TRY(st, advance(p));
  return parse_group(p, &op->where);
}

/* Update1 ::= Load | Clear | Drop | Add | Move | Copy | Create |
 * InsertData | DeleteData | DeleteWhere | Modify */
static FdxStatus
parse_update1(Parser* const p, FdxSparqlOperation* const op)
{
  FdxStatus        st   = FDX_SUCCESS;
  const FdxKeyword kw   = p->tok.kind == FDX_TOK_WORD ? p->tok.kw : FDX_KW_NONE;
  const FdxToken*  next = NULL;
  switch (kw) {
    case FDX_KW_LOAD:
      op->kind = FDX_SPARQL_OP_LOAD;
      TRY(st, advance(p));
      TRY(st, parse_silent(p, op));
      TRY(st, parse_iri(p, &op->source));
      op->target.kind = FDX_SPARQL_GRAPH_DEFAULT;
      if (is_kw(p, FDX_KW_INTO)) {
        TRY(st, advance(p));
        TRY(st, parse_graph_ref(p, &op->target));
      }
      return FDX_SUCCESS;
    case FDX_KW_CLEAR:
    case FDX_KW_DROP:
      op->kind = kw == FDX_KW_CLEAR ? FDX_SPARQL_OP_CLEAR : FDX_SPARQL_OP_DROP;
      TRY(st, advance(p));
      TRY(st, parse_silent(p, op));
      return parse_graph_ref_all(p, &op->target);
    case FDX_KW_CREATE:
      op->kind = FDX_SPARQL_OP_CREATE;
      TRY(st, advance(p));
      TRY(st, parse_silent(p, op));
      return parse_graph_ref(p, &op->target);
    case FDX_KW_ADD:
    case FDX_KW_MOVE:
    case FDX_KW_COPY:
      op->kind = kw == FDX_KW_ADD    ? FDX_SPARQL_OP_ADD
                 : kw == FDX_KW_MOVE ? FDX_SPARQL_OP_MOVE
                                     : FDX_SPARQL_OP_COPY;
      TRY(st, advance(p));
      TRY(st, parse_silent(p, op));
      TRY(st, parse_graph_or_default(p, &op->from));
      TRY(st, expect_kw(p, FDX_KW_TO));
      return parse_graph_or_default(p, &op->target);
    case FDX_KW_INSERT:
      TRY(st, peek(p, &next));
      if (next->kind == FDX_TOK_WORD && next->kw == FDX_KW_DATA) {
        op->kind = FDX_SPARQL_OP_INSERT_DATA;
        TRY(st, advance(p));
        TRY(st, advance(p));
        return parse_quads(p, insert_data_mode, &op->insert, &op->n_insert);
      }
      TRY(st, advance(p));
      op->has_insert = true;
      return parse_modify(p, op);
    case FDX_KW_DELETE:
      TRY(st, peek(p, &next));
      if (next->kind == FDX_TOK_WORD && next->kw == FDX_KW_DATA) {
        op->kind = FDX_SPARQL_OP_DELETE_DATA;
        TRY(st, advance(p));
        TRY(st, advance(p));
        return parse_quads(p, delete_data_mode, &op->delete_, &op->n_delete);
      }
      if (next->kind == FDX_TOK_WORD && next->kw == FDX_KW_WHERE) {
        op->kind       = FDX_SPARQL_OP_DELETE_WHERE;
        op->has_delete = true;
        TRY(st, advance(p));
        TRY(st, advance(p));
        TRY(st, parse_quads(p, delete_where_mode, &op->delete_, &op->n_delete));
        return delete_where_group(p, op);
      }
      TRY(st, advance(p));
      op->has_delete = true;
      return parse_modify(p, op);
    case FDX_KW_WITH:
      TRY(st, advance(p));
      TRY(st, parse_iri(p, &op->with));
      if (is_kw(p, FDX_KW_DELETE)) {
        op->has_delete = true;
      } else if (is_kw(p, FDX_KW_INSERT)) {
        op->has_insert = true;
      } else {
        return expected(p, "DELETE or INSERT after WITH", false);
      }
      TRY(st, advance(p));
      return parse_modify(p, op);
    default:
      return expected(p,
                      "an update operation (INSERT, DELETE, LOAD, CLEAR, "
                      "CREATE, DROP, COPY, MOVE, ADD or WITH)",
                      false);
  }
}

/* Update ::= Prologue ( Update1 ( ';' Update )? )? */
static FdxStatus
parse_update(Parser* const p, FdxSparqlUpdate* const u)
{
  FdxStatus st   = FDX_SUCCESS;
  size_t    mark = 0;
  TRY(st, list_begin(p, &mark));
  for (;;) {
    TRY(st, parse_prologue(p));
    if (p->tok.kind == FDX_TOK_EOF) {
      break;
    }
    FdxSparqlOperation op;
    memset(&op, 0, sizeof(op));
    p->op       = list_count(p, mark, sizeof(FdxSparqlOperation));
    p->n_bnodes = 0;
    TRY(st, parse_update1(p, &op));
    op.n_bnodes = p->n_bnodes;
    TRY(st, push(p, &op, sizeof(op)));
    if (p->tok.kind != FDX_TOK_SEMICOLON) {
      break;
    }
    TRY(st, advance(p));
  }
  if (p->tok.kind != FDX_TOK_EOF) {
    return expected(p, "';' or end of input", false);
  }
  return list_end(
    p, mark, sizeof(FdxSparqlOperation), (void**)&u->ops, &u->n_ops);
}

/* ------------------------------------------------------------------------
 * Entry points
 * --------------------------------------------------------------------- */

static FdxStatus
constant_iri(Parser* const p, const char* const iri, FdxSparqlIri* const ret)
{
  const size_t len = strlen(iri);
  ret->len         = len;
  return dup_str(p, iri, len, &ret->str);
}

/* Set up `p` for `text`: limits, arena, the constant IRIs, the first
 * token.  Checks the size and the UTF-8 first. */
static FdxStatus
parser_start(Parser* const                     p,
             const char* const                 text,
             const size_t                      len,
             const char* const                 base_iri,
             const FdxSparqlParseLimits* const limits)
{
  FdxStatus st        = FDX_SUCCESS;
  size_t    bad       = 0;
  size_t    max_bytes = FDX_SPARQL_DEFAULT_MAX_BYTES;
  memset(p, 0, sizeof(*p));
  p->text       = text;
  p->len        = len;
  p->max_depth  = FDX_SPARQL_DEFAULT_MAX_DEPTH;
  p->max_memory = FDX_SPARQL_DEFAULT_MAX_MEMORY;
  p->mode       = where_mode;
  if (limits) {
    if (limits->max_bytes) {
      max_bytes = limits->max_bytes;
    }
    if (limits->max_depth) {
      p->max_depth = limits->max_depth;
    }
    if (limits->max_memory) {
      p->max_memory = limits->max_memory;
    }
  }
  if (len > max_bytes) {
    p->err_no_pos = true;
    return fail_st(p,
                   FDX_ERR_LIMIT,
                   0,
                   "the text is %zu bytes long, more than the limit of %zu",
                   len,
                   max_bytes);
  }
  if (fdx_sparql_check_utf8(text, len, &bad)) {
    return fail_at(p,
                   bad,
                   "expected UTF-8 text, found the byte 0x%02X, which "
                   "does not begin a valid UTF-8 sequence here",
                   (unsigned)(unsigned char)text[bad]);
  }
  p->arena = fdx_sparql_arena_new(p->max_memory);
  if (!p->arena) {
    return fail_memory(p, FDX_ERR_NO_MEMORY);
  }
  fdx_sparql_lexer_init(&p->lex, p->arena, text, len);
  TRY(st, constant_iri(p, RDF_NS "type", &p->rdf_type));
  TRY(st, constant_iri(p, RDF_NS "first", &p->rdf_first));
  TRY(st, constant_iri(p, RDF_NS "rest", &p->rdf_rest));
  TRY(st, constant_iri(p, RDF_NS "nil", &p->rdf_nil));
  TRY(st, constant_iri(p, XSD_NS "integer", &p->xsd_integer));
  TRY(st, constant_iri(p, XSD_NS "decimal", &p->xsd_decimal));
  TRY(st, constant_iri(p, XSD_NS "double", &p->xsd_double));
  TRY(st, constant_iri(p, XSD_NS "boolean", &p->xsd_boolean));
  if (base_iri) {
    p->base.len = strlen(base_iri);
    TRY(st, dup_str(p, base_iri, p->base.len, &p->base.str));
  }
  return advance(p);
}

/* The variable table into the arena. */
static FdxStatus
parser_vars(Parser* const p, FdxSparqlVar** const ret, uint32_t* const ret_n)
{
  FdxSparqlVar* vars = NULL;
  if (p->n_vars) {
    const FdxStatus st =
      alloc(p, (size_t)p->n_vars * sizeof(FdxSparqlVar), (void**)&vars);
    if (st) {
      return st;
    }
    memcpy(vars, p->vars, (size_t)p->n_vars * sizeof(FdxSparqlVar));
  }
  *ret   = vars;
  *ret_n = p->n_vars;
  return FDX_SUCCESS;
}

/* Release what the parser holds outside the arena; on failure, fill
 * `err` and release the arena too. */
static FdxStatus
parser_finish(Parser* const p, const FdxStatus st, FdxError* const err)
{
  free(p->stack);
  free(p->prefix_map.slots);
  free(p->prefixes);
  free(p->var_map.slots);
  free(p->vars);
  free(p->stamps);
  free(p->scopes);
  free(p->scope_pos);
  free(p->where_map.slots);
  free(p->where_labels);
  free(p->tmpl_map.slots);
  free(p->tmpl_labels);
  if (st == FDX_SUCCESS) {
    return FDX_SUCCESS;
  }
  fdx_sparql_arena_free(p->arena);
  p->arena    = NULL;
  long line   = 0;
  long column = 0;
  if (!p->err_no_pos) {
    fdx_sparql_position(p->text, p->len, p->err_offset, &line, &column);
  }
  if (p->st == FDX_SUCCESS) {
    /* A failure that set no message: cannot happen, but say something. */
    p->st = st;
    snprintf(p->msg, sizeof(p->msg), "%s", fdx_strerror(st));
  }
  return fdx_error_set(err, p->st, "", line, column, "%s", p->msg);
}

FdxStatus
fdx_sparql_parse_query(const char* const                 text,
                       const size_t                      len,
                       const char* const                 base_iri,
                       const FdxSparqlParseLimits* const limits,
                       FdxSparqlQuery** const            ret_query,
                       FdxError* const                   err)
{
  if ((!text && len) || !ret_query) {
    return fdx_error_set(err,
                         FDX_ERR_BAD_ARG,
                         "",
                         0,
                         0,
                         "%s",
                         !ret_query ? "ret_query is NULL" : "text is NULL");
  }
  Parser          p;
  FdxSparqlQuery* q = NULL;
  FdxStatus st      = parser_start(&p, text ? text : "", len, base_iri, limits);
  if (!st) {
    st = ALLOC(&p, q);
  }
  if (!st) {
    q->arena = p.arena;
    st       = parse_query(&p, q);
  }
  if (!st) {
    st = parser_vars(&p, &q->vars, &q->n_vars);
  }
  st = parser_finish(&p, st, err);
  if (!st) {
    *ret_query = q;
  }
  return st;
}

FdxStatus
fdx_sparql_parse_update(const char* const                 text,
                        const size_t                      len,
                        const char* const                 base_iri,
                        const FdxSparqlParseLimits* const limits,
                        FdxSparqlUpdate** const           ret_update,
                        FdxError* const                   err)
{
  if ((!text && len) || !ret_update) {
    return fdx_error_set(err,
                         FDX_ERR_BAD_ARG,
                         "",
                         0,
                         0,
                         "%s",
                         !ret_update ? "ret_update is NULL" : "text is NULL");
  }
  Parser           p;
  FdxSparqlUpdate* u = NULL;
  FdxStatus st = parser_start(&p, text ? text : "", len, base_iri, limits);
  if (!st) {
    st = ALLOC(&p, u);
  }
  if (!st) {
    u->arena = p.arena;
    st       = parse_update(&p, u);
  }
  if (!st) {
    st = parser_vars(&p, &u->vars, &u->n_vars);
  }
  st = parser_finish(&p, st, err);
  if (!st) {
    *ret_update = u;
  }
  return st;
}

void
fdx_sparql_query_free(FdxSparqlQuery* const query)
{
  if (query) {
    fdx_sparql_arena_free(query->arena);
  }
}

void
fdx_sparql_update_free(FdxSparqlUpdate* const update)
{
  if (update) {
    fdx_sparql_arena_free(update->arena);
  }
}
