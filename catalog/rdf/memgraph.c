/*
 * memgraph.c: the in-memory graph of fairdex/memgraph.h.  Terms live in
 * an array with an open-addressing hash table of indexes over it (FNV-1a
 * of kind, value, language and datatype); triples in an array with a
 * second table that keeps duplicates out.
 */
#include "fairdex/memgraph.h"

#include <stdlib.h>
#include <string.h>

struct FdxMemGraphImpl {
  FdxMemTerm*   terms;
  size_t        n_terms;
  size_t        cap_terms;
  uint32_t*     term_slots; /* index + 1, 0: empty */
  size_t        n_term_slots;
  FdxMemTriple* triples;
  size_t        n_triples;
  size_t        cap_triples;
  uint32_t*     triple_slots;
  size_t        n_triple_slots;
};

static uint64_t
mix(uint64_t h, const char* const s, const size_t len)
{
  for (size_t i = 0; i < len; ++i) {
    h ^= (unsigned char)s[i];
    h *= 0x100000001b3ull;
  }
  h ^= 0xff;
  return h * 0x100000001b3ull;
}

static uint64_t
term_hash(const FdxTerm* const t)
{
  uint64_t h = 0xcbf29ce484222325ull ^ (uint64_t)t->kind;
  h          = mix(h, t->value, t->value_len);
  h          = mix(h, t->lang ? t->lang : "", t->lang ? t->lang_len : 0);
  return mix(h, t->datatype ? t->datatype : "",
             t->datatype ? t->datatype_len : 0);
}

static bool
same(const char* const owned, const char* const s, const size_t len)
{
  if (!owned) {
    return !s || !len;
  }
  return s && strlen(owned) == len && !memcmp(owned, s, len);
}

static bool
term_equal(const FdxMemTerm* const a, const FdxTerm* const b)
{
  return a->kind == b->kind && a->value_len == b->value_len &&
         !memcmp(a->value, b->value, b->value_len) &&
         same(a->lang, b->lang, b->lang ? b->lang_len : 0) &&
         same(a->datatype, b->datatype, b->datatype ? b->datatype_len : 0);
}

FdxTerm
fdx_memgraph_view(const FdxMemGraph* const g, const size_t i)
{
  const FdxMemTerm* const t = &g->terms[i];
  return (FdxTerm){t->kind,
                   t->value,
                   t->value_len,
                   t->lang,
                   t->lang ? strlen(t->lang) : 0,
                   t->datatype,
                   t->datatype ? strlen(t->datatype) : 0};
}

FdxMemGraph*
fdx_memgraph_new(void)
{
  return (FdxMemGraph*)calloc(1, sizeof(FdxMemGraph));
}

void
fdx_memgraph_free(FdxMemGraph* const g)
{
  if (!g) {
    return;
  }
  for (size_t i = 0; i < g->n_terms; ++i) {
    free((char*)g->terms[i].value);
    free((char*)g->terms[i].lang);
    free((char*)g->terms[i].datatype);
  }
  free(g->terms);
  free(g->term_slots);
  free(g->triples);
  free(g->triple_slots);
  free(g);
}

static FdxStatus
grow_term_slots(FdxMemGraph* const g)
{
  const size_t    n     = g->n_term_slots ? g->n_term_slots * 2 : 1024;
  uint32_t* const slots = (uint32_t*)calloc(n, sizeof(uint32_t));
  if (!slots) {
    return FDX_ERR_NO_MEMORY;
  }
  for (size_t i = 0; i < g->n_terms; ++i) {
    const FdxTerm t = fdx_memgraph_view(g, i);
    size_t        k = term_hash(&t) & (n - 1);
    while (slots[k]) {
      k = (k + 1) & (n - 1);
    }
    slots[k] = (uint32_t)(i + 1);
  }
  free(g->term_slots);
  g->term_slots   = slots;
  g->n_term_slots = n;
  return FDX_SUCCESS;
}

FdxStatus
fdx_memgraph_intern(FdxMemGraph* const g, const FdxTerm* const t,
                    size_t* const ret)
{
  if (g->n_terms >= UINT32_MAX - 1) {
    return FDX_ERR_LIMIT;
  }
  if ((g->n_terms + 1) * 2 > g->n_term_slots) {
    const FdxStatus st = grow_term_slots(g);
    if (st) {
      return st;
    }
  }
  const size_t mask = g->n_term_slots - 1;
  size_t       k    = term_hash(t) & mask;
  while (g->term_slots[k]) {
    const size_t i = g->term_slots[k] - 1;
    if (term_equal(&g->terms[i], t)) {
      *ret = i;
      return FDX_SUCCESS;
    }
    k = (k + 1) & mask;
  }
  if (memchr(t->value, 0, t->value_len) ||
      (t->lang && memchr(t->lang, 0, t->lang_len)) ||
      (t->datatype && memchr(t->datatype, 0, t->datatype_len))) {
    return FDX_ERR_BAD_ARG;
  }
  if (g->n_terms == g->cap_terms) {
    const size_t      cap   = g->cap_terms ? g->cap_terms * 2 : 256;
    FdxMemTerm* const grown = (FdxMemTerm*)realloc(g->terms, cap * sizeof(FdxMemTerm));
    if (!grown) {
      return FDX_ERR_NO_MEMORY;
    }
    g->terms     = grown;
    g->cap_terms = cap;
  }
  char* const value = strndup(t->value, t->value_len);
  char* const lang  = t->lang ? strndup(t->lang, t->lang_len) : NULL;
  char* const dt    = t->datatype ? strndup(t->datatype, t->datatype_len) : NULL;
  if (!value || (t->lang && !lang) || (t->datatype && !dt)) {
    free(value);
    free(lang);
    free(dt);
    return FDX_ERR_NO_MEMORY;
  }
  g->terms[g->n_terms] = (FdxMemTerm){t->kind, value, lang, dt, t->value_len};
  g->term_slots[k]     = (uint32_t)(g->n_terms + 1);
  *ret                 = g->n_terms++;
  return FDX_SUCCESS;
}

size_t
fdx_memgraph_find_iri(const FdxMemGraph* const g, const char* const iri)
{
  if (!g->n_term_slots) {
    return SIZE_MAX;
  }
  const FdxTerm t    = fdx_term_iri(iri);
  const size_t  mask = g->n_term_slots - 1;
  for (size_t k = term_hash(&t) & mask; g->term_slots[k]; k = (k + 1) & mask) {
    if (term_equal(&g->terms[g->term_slots[k] - 1], &t)) {
      return g->term_slots[k] - 1;
    }
  }
  return SIZE_MAX;
}

static uint64_t
triple_hash(const size_t s, const size_t p, const size_t o)
{
  uint64_t h = (uint64_t)s * 0x9e3779b97f4a7c15ull;
  h ^= (uint64_t)p * 0xc2b2ae3d27d4eb4full + (h >> 29);
  h ^= (uint64_t)o * 0x165667b19e3779f9ull + (h >> 32);
  return h ^ (h >> 31);
}

static FdxStatus
grow_triple_slots(FdxMemGraph* const g)
{
  const size_t    n     = g->n_triple_slots ? g->n_triple_slots * 2 : 1024;
  uint32_t* const slots = (uint32_t*)calloc(n, sizeof(uint32_t));
  if (!slots) {
    return FDX_ERR_NO_MEMORY;
  }
  for (size_t i = 0; i < g->n_triples; ++i) {
    const FdxMemTriple* const t = &g->triples[i];
    size_t k = triple_hash(t->s, t->p, t->o) & (n - 1);
    while (slots[k]) {
      k = (k + 1) & (n - 1);
    }
    slots[k] = (uint32_t)(i + 1);
  }
  free(g->triple_slots);
  g->triple_slots   = slots;
  g->n_triple_slots = n;
  return FDX_SUCCESS;
}

FdxStatus
fdx_memgraph_add_ids(FdxMemGraph* const g, const size_t s, const size_t p,
                     const size_t o)
{
  if (s >= g->n_terms || p >= g->n_terms || o >= g->n_terms) {
    return FDX_ERR_BAD_ARG;
  }
  if (g->n_triples >= UINT32_MAX - 1) {
    return FDX_ERR_LIMIT;
  }
  if ((g->n_triples + 1) * 2 > g->n_triple_slots) {
    const FdxStatus st = grow_triple_slots(g);
    if (st) {
      return st;
    }
  }
  const size_t mask = g->n_triple_slots - 1;
  size_t       k    = triple_hash(s, p, o) & mask;
  while (g->triple_slots[k]) {
    const FdxMemTriple* const t = &g->triples[g->triple_slots[k] - 1];
    if (t->s == s && t->p == p && t->o == o) {
      return FDX_SUCCESS;
    }
    k = (k + 1) & mask;
  }
  if (g->n_triples == g->cap_triples) {
    const size_t        cap   = g->cap_triples ? g->cap_triples * 2 : 1024;
    FdxMemTriple* const grown =
      (FdxMemTriple*)realloc(g->triples, cap * sizeof(FdxMemTriple));
    if (!grown) {
      return FDX_ERR_NO_MEMORY;
    }
    g->triples     = grown;
    g->cap_triples = cap;
  }
  g->triples[g->n_triples] = (FdxMemTriple){s, p, o};
  g->triple_slots[k]       = (uint32_t)(g->n_triples + 1);
  ++g->n_triples;
  return FDX_SUCCESS;
}

FdxStatus
fdx_memgraph_add(FdxMemGraph* const g, const FdxTerm* const s,
                 const FdxTerm* const p, const FdxTerm* const o)
{
  size_t    si, pi, oi;
  FdxStatus st;
  if ((st = fdx_memgraph_intern(g, s, &si)) ||
      (st = fdx_memgraph_intern(g, p, &pi)) ||
      (st = fdx_memgraph_intern(g, o, &oi))) {
    return st;
  }
  return fdx_memgraph_add_ids(g, si, pi, oi);
}

const FdxMemTerm*
fdx_memgraph_terms(const FdxMemGraph* const g, size_t* const ret_n)
{
  *ret_n = g->n_terms;
  return g->terms;
}

const FdxMemTriple*
fdx_memgraph_triples(const FdxMemGraph* const g, size_t* const ret_n)
{
  *ret_n = g->n_triples;
  return g->triples;
}

typedef struct {
  FdxMemGraph* g;
  const char*  prefix;
  size_t       max;
  char*        label;
  size_t       label_cap;
} ParseCtx;

/* A blank node's label with the call's prefix. */
static FdxStatus
prefixed(ParseCtx* const pc, const FdxTerm* const t, FdxTerm* const out)
{
  *out = *t;
  if (t->kind != FDX_TERM_BLANK || !pc->prefix) {
    return FDX_SUCCESS;
  }
  const size_t plen = strlen(pc->prefix);
  const size_t need = plen + t->value_len + 1;
  if (need > pc->label_cap) {
    char* const grown = (char*)realloc(pc->label, need * 2);
    if (!grown) {
      return FDX_ERR_NO_MEMORY;
    }
    pc->label     = grown;
    pc->label_cap = need * 2;
  }
  memcpy(pc->label, pc->prefix, plen);
  memcpy(pc->label + plen, t->value, t->value_len);
  out->value     = pc->label;
  out->value_len = plen + t->value_len;
  return FDX_SUCCESS;
}

static FdxStatus
parse_statement(void* const ctx, const FdxTerm* const s,
                const FdxTerm* const p, const FdxTerm* const o,
                const FdxTerm* const g)
{
  (void)g;
  ParseCtx* const pc = (ParseCtx*)ctx;
  if (pc->max && pc->g->n_triples >= pc->max) {
    return FDX_ERR_LIMIT;
  }
  /* Intern one term at a time: the label buffer is shared. */
  const FdxTerm* const in[3] = {s, p, o};
  size_t               ids[3];
  for (int i = 0; i < 3; ++i) {
    FdxTerm   t;
    FdxStatus st = prefixed(pc, in[i], &t);
    if (st || (st = fdx_memgraph_intern(pc->g, &t, &ids[i]))) {
      return st;
    }
  }
  return fdx_memgraph_add_ids(pc->g, ids[0], ids[1], ids[2]);
}

FdxStatus
fdx_memgraph_parse(FdxMemGraph* const g, const char* const bytes,
                   const size_t len, const FdxFormat format,
                   const char* const base, const char* const name,
                   const char* const blank_prefix, const size_t max_triples,
                   FdxError* const err)
{
  ParseCtx pc = {g, blank_prefix,
                 max_triples ? g->n_triples + max_triples : 0, NULL, 0};
  const FdxStatus st = fdx_parse_bytes(bytes, len, format, base, name,
                                       parse_statement, &pc, err);
  free(pc.label);
  return st;
}
