/*
 * value.c: terms as SPARQL values, and the query's own terms.
 *
 * The engine moves term ids around; only expressions look at values.  This
 * file turns ids into values (numbers, booleans and dates parsed from their
 * lexical form), values back into terms and ids, and implements the
 * comparisons SPARQL defines on them (section 17.3's operator table, the
 * effective boolean value of 17.2.2 and ORDER BY's order of 15.1).
 *
 * Terms the store does not hold get local ids from a per-execution table,
 * so every term has exactly one id during a query.  The arena gives
 * strings that live as long as the execution or one solution.
 */
#include "engine.h"

#include "../civil_date.h"

#include <ctype.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ------------------------------------------------------------------------
 * Arena
 * --------------------------------------------------------------------- */

struct ArenaBlock {
  ArenaBlock* next;
  size_t      size;
  size_t      used;
  /* data follows, 16-byte aligned */
};

#define ARENA_BLOCK ((size_t)64 << 10)
#define ARENA_HEADER ((sizeof(ArenaBlock) + 15) & ~(size_t)15)

void*
arena_alloc(Arena* const a, size_t size)
{
  size = (size + 15) & ~(size_t)15;
  ArenaBlock* b = a->head;
  if (!b || b->used + size > b->size) {
    const size_t cap = size > ARENA_BLOCK ? size : ARENA_BLOCK;
    ArenaBlock*  nb  = (ArenaBlock*)malloc(ARENA_HEADER + cap);
    if (!nb) {
      return NULL;
    }
    nb->size = cap;
    nb->used = 0;
    if (b && size > ARENA_BLOCK) {
      /* A big one-off: put it behind the current block. */
      nb->next = b->next;
      b->next  = nb;
    } else {
      nb->next = b;
      a->head  = nb;
    }
    b = nb;
  }
  void* const p = (char*)b + ARENA_HEADER + b->used;
  b->used += size;
  a->used += size;
  return p;
}

char*
arena_strdup(Arena* const a, const char* const s, const size_t len)
{
  char* const p = (char*)arena_alloc(a, len + 1);
  if (p) {
    if (len) {
      memcpy(p, s, len);
    }
    p[len] = '\0';
  }
  return p;
}

void
arena_reset(Arena* const a)
{
  if (!a->head) {
    return;
  }
  ArenaBlock* b = a->head->next;
  while (b) {
    ArenaBlock* const next = b->next;
    free(b);
    b = next;
  }
  a->head->next = NULL;
  a->head->used = 0;
  a->used       = 0;
}

void
arena_free(Arena* const a)
{
  ArenaBlock* b = a->head;
  while (b) {
    ArenaBlock* const next = b->next;
    free(b);
    b = next;
  }
  a->head = NULL;
  a->used = 0;
}

/* ------------------------------------------------------------------------
 * Execution helpers
 * --------------------------------------------------------------------- */

FdxStatus
exec_fail(Exec* const ex, const FdxStatus st, const char* const fmt, ...)
{
  if (!ex->status) {
    ex->status = st;
    if (ex->err) {
      char    msg[512];
      va_list ap;
      va_start(ap, fmt);
      vsnprintf(msg, sizeof(msg), fmt, ap);
      va_end(ap);
      fdx_error_set(ex->err, st, "", 0, 0, "%s", msg);
    }
  }
  return ex->status;
}

static uint64_t
now_ns(void)
{
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

FdxStatus
exec_tick(Exec* const ex)
{
  if (ex->status) {
    return ex->status;
  }
  if ((++ex->ticks & 1023) == 0) {
    if (ex->deadline_ns && now_ns() > ex->deadline_ns) {
      return exec_fail(ex, FDX_ERR_LIMIT, "query time limit reached");
    }
    if (ex->cancelled && ex->cancelled(ex->cancel_ctx)) {
      return exec_fail(ex, FDX_ERR_LIMIT, "query cancelled");
    }
  }
  return FDX_SUCCESS;
}

FdxStatus
exec_charge(Exec* const ex, const size_t bytes)
{
  ex->memory += bytes;
  if (ex->max_memory && ex->memory > ex->max_memory) {
    return exec_fail(ex, FDX_ERR_LIMIT,
                     "query memory limit reached (%zu MiB for sorting, "
                     "grouping and joins)",
                     ex->max_memory >> 20);
  }
  return ex->status;
}

/* ------------------------------------------------------------------------
 * Local term table
 * --------------------------------------------------------------------- */

struct TermTable {
  FdxTerm*  terms;
  size_t    n;
  size_t    cap;
  uint32_t* slots; /* index + 1, 0 empty */
  size_t    mask;
  Arena     arena;
};

TermTable*
term_table_new(void)
{
  return (TermTable*)calloc(1, sizeof(TermTable));
}

void
term_table_free(TermTable* const t)
{
  if (t) {
    free(t->terms);
    free(t->slots);
    arena_free(&t->arena);
    free(t);
  }
}

static uint64_t
mix(uint64_t h, const char* const s, const size_t len)
{
  for (size_t i = 0; i < len; ++i) {
    h = (h ^ (uint8_t)s[i]) * UINT64_C(0x100000001b3);
  }
  return (h ^ 0xff) * UINT64_C(0x100000001b3);
}

static uint64_t
term_hash(const FdxTerm* const t)
{
  uint64_t h = UINT64_C(0xcbf29ce484222325) ^ (uint64_t)t->kind;
  h          = mix(h, t->value, t->value_len);
  h          = mix(h, t->lang ? t->lang : "", t->lang_len);
  return mix(h, t->datatype ? t->datatype : "", t->datatype_len);
}

static bool
bytes_eq(const char* a, size_t alen, const char* b, size_t blen)
{
  return alen == blen && (!alen || !memcmp(a, b, alen));
}

static bool
term_eq(const FdxTerm* const a, const FdxTerm* const b)
{
  return a->kind == b->kind && bytes_eq(a->value, a->value_len, b->value, b->value_len) &&
         bytes_eq(a->lang, a->lang ? a->lang_len : 0, b->lang, b->lang ? b->lang_len : 0) &&
         bytes_eq(a->datatype, a->datatype ? a->datatype_len : 0, b->datatype,
                  b->datatype ? b->datatype_len : 0) &&
         !a->lang == !b->lang && !a->datatype == !b->datatype;
}

static FdxStatus
table_find(TermTable* const t, const FdxTerm* const term, const bool add,
           FdxId* const ret)
{
  if (add && (t->n + 1) * 2 > t->mask) {
    const size_t n     = t->mask ? (t->mask + 1) * 2 : 64;
    uint32_t*    slots = (uint32_t*)calloc(n, sizeof(uint32_t));
    if (!slots) {
      return FDX_ERR_NO_MEMORY;
    }
    for (size_t i = 0; i < t->n; ++i) {
      size_t j = term_hash(&t->terms[i]) & (n - 1);
      while (slots[j]) {
        j = (j + 1) & (n - 1);
      }
      slots[j] = (uint32_t)i + 1;
    }
    free(t->slots);
    t->slots = slots;
    t->mask  = n - 1;
  }
  if (!t->mask) {
    return FDX_FAILURE;
  }
  size_t j = term_hash(term) & t->mask;
  for (; t->slots[j]; j = (j + 1) & t->mask) {
    if (term_eq(&t->terms[t->slots[j] - 1], term)) {
      *ret = LOCAL_ID(t->slots[j] - 1);
      return FDX_SUCCESS;
    }
  }
  if (!add) {
    return FDX_FAILURE;
  }
  if (t->n == t->cap) {
    const size_t cap   = t->cap ? t->cap * 2 : 64;
    FdxTerm*     terms = (FdxTerm*)realloc(t->terms, cap * sizeof(FdxTerm));
    if (!terms) {
      return FDX_ERR_NO_MEMORY;
    }
    t->terms = terms;
    t->cap   = cap;
  }
  FdxTerm* const c = &t->terms[t->n];
  *c               = *term;
  c->value         = arena_strdup(&t->arena, term->value, term->value_len);
  c->lang     = term->lang ? arena_strdup(&t->arena, term->lang, term->lang_len) : NULL;
  c->datatype = term->datatype
                  ? arena_strdup(&t->arena, term->datatype, term->datatype_len)
                  : NULL;
  if (!c->value || (term->lang && !c->lang) || (term->datatype && !c->datatype)) {
    return FDX_ERR_NO_MEMORY;
  }
  t->slots[j] = (uint32_t)t->n + 1;
  *ret        = LOCAL_ID(t->n);
  ++t->n;
  return FDX_SUCCESS;
}

/* xsd:string typed literals are simple literals (RDF 1.1). */
static FdxTerm
normalize(const FdxTerm* const term)
{
  FdxTerm t = *term;
  if (t.kind == FDX_TERM_LITERAL && t.datatype &&
      bytes_eq(t.datatype, t.datatype_len, XSD_NS "string",
               sizeof(XSD_NS "string") - 1)) {
    t.datatype     = NULL;
    t.datatype_len = 0;
  }
  if (t.kind == FDX_TERM_LITERAL && t.lang) {
    t.datatype     = NULL;
    t.datatype_len = 0;
  }
  return t;
}

FdxStatus
exec_term_find(Exec* const ex, const FdxTerm* const term, FdxId* const ret)
{
  const FdxTerm t = normalize(term);
  if (t.kind != FDX_TERM_BLANK) {
    const FdxStatus st = fdx_term_id(ex->txn, &t, ret);
    if (st != FDX_FAILURE) {
      return st;
    }
  }
  return table_find(ex->terms, &t, false, ret);
}

FdxStatus
exec_term_id(Exec* const ex, const FdxTerm* const term, FdxId* const ret)
{
  const FdxTerm t = normalize(term);
  if (t.kind != FDX_TERM_BLANK) {
    const FdxStatus st = fdx_term_id(ex->txn, &t, ret);
    if (st != FDX_FAILURE) {
      return st;
    }
  }
  return table_find(ex->terms, &t, true, ret);
}

FdxStatus
exec_term_get(Exec* const ex, const FdxId id, FdxTermBuf* const buf)
{
  if (fdx_id_tag(id) == FDX_TAG_LOCAL) {
    const uint64_t i = id & ((UINT64_C(1) << 60) - 1);
    if (i >= ex->terms->n) {
      return FDX_FAILURE;
    }
    buf->term = ex->terms->terms[i];
    return FDX_SUCCESS;
  }
  if (!ex->cache_terms || !id || fdx_id_is_inline(id)) {
    return fdx_term_get(ex->txn, id, buf);
  }
  uint64_t h = id * UINT64_C(0x9e3779b97f4a7c15);
  const size_t slot = (size_t)(h >> 56) % (sizeof(ex->term_cache) /
                                           sizeof(ex->term_cache[0]));
  if (ex->term_cache[slot].id == id) {
    buf->term = ex->term_cache[slot].term;
    return FDX_SUCCESS;
  }
  const FdxStatus st = fdx_term_get(ex->txn, id, buf);
  if (!st) {
    ex->term_cache[slot].id   = id;
    ex->term_cache[slot].term = buf->term;
  }
  return st;
}

/* ------------------------------------------------------------------------
 * Parsing literals
 * --------------------------------------------------------------------- */

static bool
dt_is(const char* const dt, const size_t len, const char* const local)
{
  const size_t ns = sizeof(XSD_NS) - 1;
  const size_t ll = strlen(local);
  return len == ns + ll && !memcmp(dt, XSD_NS, ns) && !memcmp(dt + ns, local, ll);
}

static bool
is_integer_type(const char* const dt, const size_t len)
{
  static const char* const names[] = {
    "integer", "int", "long", "short", "byte", "nonNegativeInteger",
    "positiveInteger", "negativeInteger", "nonPositiveInteger",
    "unsignedLong", "unsignedInt", "unsignedShort", "unsignedByte"};
  for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); ++i) {
    if (dt_is(dt, len, names[i])) {
      return true;
    }
  }
  return false;
}

static bool
parse_integer(const char* s, size_t len, int64_t* const ret)
{
  bool neg = false;
  if (len && (*s == '+' || *s == '-')) {
    neg = *s == '-';
    ++s;
    --len;
  }
  if (!len || len > 18) {
    return false; /* empty, or too long for 64 bits (see value_from_term) */
  }
  int64_t v = 0;
  for (size_t i = 0; i < len; ++i) {
    if (!isdigit((unsigned char)s[i])) {
      return false;
    }
    v = v * 10 + (s[i] - '0');
  }
  *ret = neg ? -v : v;
  return true;
}

static bool
parse_decimal(const char* const s, const size_t len, double* const ret)
{
  size_t i = 0;
  if (i < len && (s[i] == '+' || s[i] == '-')) {
    ++i;
  }
  size_t digits = 0;
  while (i < len && isdigit((unsigned char)s[i])) {
    ++i;
    ++digits;
  }
  if (i < len && s[i] == '.') {
    ++i;
    while (i < len && isdigit((unsigned char)s[i])) {
      ++i;
      ++digits;
    }
  }
  if (i != len || !digits || len > 64) {
    return false;
  }
  char buf[72];
  memcpy(buf, s, len);
  buf[len] = '\0';
  *ret     = strtod(buf, NULL);
  return true;
}

static bool
parse_double(const char* const s, const size_t len, double* const ret)
{
  if (bytes_eq(s, len, "INF", 3) || bytes_eq(s, len, "+INF", 4)) {
    *ret = INFINITY;
    return true;
  }
  if (bytes_eq(s, len, "-INF", 4)) {
    *ret = -INFINITY;
    return true;
  }
  if (bytes_eq(s, len, "NaN", 3)) {
    *ret = NAN;
    return true;
  }
  size_t i = 0;
  if (i < len && (s[i] == '+' || s[i] == '-')) {
    ++i;
  }
  size_t digits = 0;
  while (i < len && isdigit((unsigned char)s[i])) {
    ++i;
    ++digits;
  }
  if (i < len && s[i] == '.') {
    ++i;
    while (i < len && isdigit((unsigned char)s[i])) {
      ++i;
      ++digits;
    }
  }
  if (!digits) {
    return false;
  }
  if (i < len && (s[i] == 'e' || s[i] == 'E')) {
    ++i;
    if (i < len && (s[i] == '+' || s[i] == '-')) {
      ++i;
    }
    size_t e = 0;
    while (i < len && isdigit((unsigned char)s[i])) {
      ++i;
      ++e;
    }
    if (!e) {
      return false;
    }
  }
  if (i != len || len > 64) {
    return false;
  }
  char buf[72];
  memcpy(buf, s, len);
  buf[len] = '\0';
  *ret     = strtod(buf, NULL);
  return true;
}


static bool
num_at(const char* const s, const size_t n, int* const ret)
{
  int v = 0;
  for (size_t i = 0; i < n; ++i) {
    if (!isdigit((unsigned char)s[i])) {
      return false;
    }
    v = v * 10 + (s[i] - '0');
  }
  *ret = v;
  return true;
}

/* xsd:dateTime (with_time) or xsd:date. */
static bool
parse_datetime(const char* s, size_t len, const bool with_time,
               DateTime* const ret)
{
  DateTime t;
  memset(&t, 0, sizeof(t));
  bool neg = false;
  if (len && *s == '-') {
    neg = true;
    ++s;
    --len;
  }
  size_t ylen = 0;
  while (ylen < len && isdigit((unsigned char)s[ylen])) {
    ++ylen;
  }
  int y = 0, mo = 0, d = 0, h = 0, mi = 0;
  if (ylen < 4 || ylen > 9 || !num_at(s, ylen, &y) || len < ylen + 6 ||
      s[ylen] != '-' || !num_at(s + ylen + 1, 2, &mo) || s[ylen + 3] != '-' ||
      !num_at(s + ylen + 4, 2, &d) || mo < 1 || mo > 12 || d < 1 || d > 31) {
    return false;
  }
  size_t i   = ylen + 6;
  double sec = 0;
  if (with_time) {
    if (len < i + 9 || s[i] != 'T' || !num_at(s + i + 1, 2, &h) ||
        s[i + 3] != ':' || !num_at(s + i + 4, 2, &mi) || s[i + 6] != ':') {
      return false;
    }
    int isec = 0;
    if (!num_at(s + i + 7, 2, &isec)) {
      return false;
    }
    sec = isec;
    i += 9;
    if (i < len && s[i] == '.') {
      double scale = 0.1;
      ++i;
      size_t f = 0;
      while (i < len && isdigit((unsigned char)s[i])) {
        sec += (s[i] - '0') * scale;
        scale /= 10;
        ++i;
        ++f;
      }
      if (!f) {
        return false;
      }
    }
    if (h > 24 || mi > 59 || sec >= 61 || (h == 24 && (mi || sec > 0))) {
      return false;
    }
  }
  if (i < len) {
    if (s[i] == 'Z' && i + 1 == len) {
      t.has_tz = true;
    } else if ((s[i] == '+' || s[i] == '-') && len == i + 6 && s[i + 3] == ':') {
      int th = 0, tm = 0;
      if (!num_at(s + i + 1, 2, &th) || !num_at(s + i + 4, 2, &tm) || th > 14 ||
          tm > 59) {
        return false;
      }
      t.has_tz     = true;
      t.tz_minutes = (int16_t)((s[i] == '-' ? -1 : 1) * (th * 60 + tm));
    } else {
      return false;
    }
  }
  t.year   = neg ? -y : y;
  t.month  = (unsigned)mo;
  t.day    = (unsigned)d;
  t.hour   = (unsigned)h;
  t.minute = (unsigned)mi;
  t.second = sec;
  const int64_t days = days_from_civil(t.year, t.month, t.day);
  const double  whole = floor(sec);
  t.seconds = days * 86400 + (int64_t)h * 3600 + (int64_t)mi * 60 + (int64_t)whole;
  t.micros  = (int32_t)llround((sec - whole) * 1e6);
  *ret      = t;
  return true;
}

void
value_from_term(const FdxTerm* const term, const FdxId id, Value* const v)
{
  memset(v, 0, sizeof(*v));
  v->id  = id;
  v->str = term->value;
  v->len = term->value_len;
  switch (term->kind) {
  case FDX_TERM_IRI:
    v->kind = V_IRI;
    return;
  case FDX_TERM_BLANK:
    v->kind = V_BNODE;
    return;
  case FDX_TERM_LITERAL:
    break;
  }
  if (term->lang) {
    v->kind     = V_LANG;
    v->lang     = term->lang;
    v->lang_len = term->lang_len;
    return;
  }
  const char* const dt = term->datatype;
  const size_t      dl = term->datatype_len;
  if (!dt || dt_is(dt, dl, "string")) {
    v->kind = V_STRING;
    return;
  }
  v->dt     = dt;
  v->dt_len = dl;
  v->kind   = V_TYPED;
  if (is_integer_type(dt, dl)) {
    if (parse_integer(term->value, term->value_len, &v->v.i)) {
      v->kind = V_INTEGER;
    } else if (parse_decimal(term->value, term->value_len, &v->v.d) &&
               !memchr(term->value, '.', term->value_len)) {
      /* An integer beyond 64 bits: compared and computed as a decimal
       * (a double), which keeps it a number instead of an ill-typed
       * literal.  Its own lexical form is kept for output. */
      v->kind = V_DECIMAL;
    }
  } else if (dt_is(dt, dl, "decimal")) {
    if (parse_decimal(term->value, term->value_len, &v->v.d)) {
      v->kind = V_DECIMAL;
    }
  } else if (dt_is(dt, dl, "double") || dt_is(dt, dl, "float")) {
    if (parse_double(term->value, term->value_len, &v->v.d)) {
      v->kind = dt_is(dt, dl, "float") ? V_FLOAT : V_DOUBLE;
    }
  } else if (dt_is(dt, dl, "boolean")) {
    if (bytes_eq(term->value, term->value_len, "true", 4) ||
        bytes_eq(term->value, term->value_len, "1", 1)) {
      v->kind = V_BOOLEAN;
      v->v.b  = true;
    } else if (bytes_eq(term->value, term->value_len, "false", 5) ||
               bytes_eq(term->value, term->value_len, "0", 1)) {
      v->kind = V_BOOLEAN;
      v->v.b  = false;
    }
  } else if (dt_is(dt, dl, "dateTime")) {
    if (parse_datetime(term->value, term->value_len, true, &v->v.t)) {
      v->kind = V_DATETIME;
    }
  } else if (dt_is(dt, dl, "date")) {
    if (parse_datetime(term->value, term->value_len, false, &v->v.t)) {
      v->kind = V_DATE;
    }
  }
}

FdxStatus
value_from_id(Exec* const ex, const FdxId id, Value* const ret)
{
  if (id == FDX_ID_ANY) {
    memset(ret, 0, sizeof(*ret));
    return FDX_SUCCESS;
  }
  FdxTermBuf buf;
  FdxStatus  st = exec_term_get(ex, id, &buf);
  if (st) {
    return st == FDX_FAILURE ? exec_fail(ex, FDX_ERR_CORRUPT, "unknown term id")
                             : st;
  }
  /* Inline terms are decoded into `buf`, which dies with this frame. */
  if (fdx_id_is_inline(id)) {
    FdxTerm t = buf.term;
    if (!(t.value = arena_strdup(&ex->scratch, t.value, t.value_len))) {
      return FDX_ERR_NO_MEMORY;
    }
    value_from_term(&t, id, ret);
  } else {
    value_from_term(&buf.term, id, ret);
  }
  return FDX_SUCCESS;
}

/* ------------------------------------------------------------------------
 * Computed values and their terms
 * --------------------------------------------------------------------- */

#define SET_DT(v, name)                                                        \
  ((v)->dt = XSD_NS name, (v)->dt_len = sizeof(XSD_NS name) - 1)

void
value_integer(Value* const v, const int64_t i)
{
  memset(v, 0, sizeof(*v));
  v->kind = V_INTEGER;
  v->v.i  = i;
  SET_DT(v, "integer");
}

void
value_decimal(Value* const v, const double d)
{
  memset(v, 0, sizeof(*v));
  v->kind = V_DECIMAL;
  v->v.d  = d;
  SET_DT(v, "decimal");
}

void
value_double(Value* const v, const double d)
{
  memset(v, 0, sizeof(*v));
  v->kind = V_DOUBLE;
  v->v.d  = d;
  SET_DT(v, "double");
}

void
value_float(Value* const v, const double d)
{
  memset(v, 0, sizeof(*v));
  v->kind = V_FLOAT;
  v->v.d  = (float)d;
  SET_DT(v, "float");
}

void
value_boolean(Value* const v, const bool b)
{
  memset(v, 0, sizeof(*v));
  v->kind = V_BOOLEAN;
  v->v.b  = b;
  v->str  = b ? "true" : "false";
  v->len  = b ? 4 : 5;
  SET_DT(v, "boolean");
}

void
value_string(Value* const v, const char* const s, const size_t len)
{
  memset(v, 0, sizeof(*v));
  v->kind = V_STRING;
  v->str  = s;
  v->len  = len;
}

void
value_lang(Value* const v, const char* const s, const size_t len,
           const char* const lang, const size_t lang_len)
{
  memset(v, 0, sizeof(*v));
  v->kind     = V_LANG;
  v->str      = s;
  v->len      = len;
  v->lang     = lang;
  v->lang_len = lang_len;
}

void
value_iri(Value* const v, const char* const s, const size_t len)
{
  memset(v, 0, sizeof(*v));
  v->kind = V_IRI;
  v->str  = s;
  v->len  = len;
}

/* Canonical xsd:double / xsd:float: shortest digits that read back. */
static int
format_double(char* const out, const size_t cap, const double d, const bool is_float)
{
  if (isnan(d)) {
    return snprintf(out, cap, "NaN");
  }
  if (isinf(d)) {
    return snprintf(out, cap, d < 0 ? "-INF" : "INF");
  }
  if (d == 0) {
    return snprintf(out, cap, signbit(d) ? "-0.0E0" : "0.0E0");
  }
  char buf[64];
  for (int prec = 1; prec <= 17; ++prec) {
    snprintf(buf, sizeof(buf), "%.*e", prec - 1, d);
    const double back = strtod(buf, NULL);
    if (is_float ? (float)back == (float)d : back == d) {
      break;
    }
  }
  /* buf is like -1.2345e+05: rewrite as -1.2345E5 with at least one
   * fraction digit. */
  char* const e   = strchr(buf, 'e');
  const int   exp = atoi(e + 1);
  *e              = '\0';
  if (!strchr(buf, '.')) {
    return snprintf(out, cap, "%s.0E%d", buf, exp);
  }
  return snprintf(out, cap, "%sE%d", buf, exp);
}

static int
format_decimal(char* const out, const size_t cap, const double d)
{
  /* XSD 1.0 canonical form: at least one digit after the point. */
  if (d == floor(d) && fabs(d) < 1e15) {
    return snprintf(out, cap, "%.1f", d == 0 ? 0.0 : d);
  }
  int n = snprintf(out, cap, "%.15f", d);
  /* Trim zeros at the end, keeping one fraction digit. */
  while (n > 2 && out[n - 1] == '0' && out[n - 2] != '.') {
    out[--n] = '\0';
  }
  /* Rounding noise of binary fractions: use fewer significant digits. */
  char   g[64];
  snprintf(g, sizeof(g), "%.15g", d);
  if (!strchr(g, 'e') && strlen(g) < (size_t)n) {
    n = snprintf(out, cap, "%s%s", g, strchr(g, '.') ? "" : ".0");
  }
  return n;
}

FdxStatus
value_term(Exec* const ex, Value* const v, FdxTerm* const ret)
{
  memset(ret, 0, sizeof(*ret));
  if (v->kind == V_UNBOUND) {
    return FDX_FAILURE;
  }
  if (!v->str) {
    char buf[64];
    int  n = 0;
    switch (v->kind) {
    case V_INTEGER:
      n = snprintf(buf, sizeof(buf), "%lld", (long long)v->v.i);
      break;
    case V_DECIMAL:
      n = format_decimal(buf, sizeof(buf), v->v.d);
      break;
    case V_DOUBLE:
    case V_FLOAT:
      n = format_double(buf, sizeof(buf), v->v.d, v->kind == V_FLOAT);
      break;
    case V_BOOLEAN:
      n = snprintf(buf, sizeof(buf), "%s", v->v.b ? "true" : "false");
      break;
    default:
      return exec_fail(ex, FDX_ERR_UNKNOWN, "value without a lexical form");
    }
    if (!(v->str = arena_strdup(&ex->scratch, buf, (size_t)n))) {
      return FDX_ERR_NO_MEMORY;
    }
    v->len = (size_t)n;
  }
  ret->value     = v->str;
  ret->value_len = v->len;
  switch (v->kind) {
  case V_IRI:
    ret->kind = FDX_TERM_IRI;
    break;
  case V_BNODE:
    ret->kind = FDX_TERM_BLANK;
    break;
  case V_LANG:
    ret->kind     = FDX_TERM_LITERAL;
    ret->lang     = v->lang;
    ret->lang_len = v->lang_len;
    break;
  case V_STRING:
    ret->kind = FDX_TERM_LITERAL;
    break;
  default:
    ret->kind         = FDX_TERM_LITERAL;
    ret->datatype     = v->dt;
    ret->datatype_len = v->dt_len;
    break;
  }
  return FDX_SUCCESS;
}

FdxStatus
value_id(Exec* const ex, Value* const v, FdxId* const ret)
{
  if (v->kind == V_UNBOUND) {
    *ret = FDX_ID_ANY;
    return FDX_SUCCESS;
  }
  if (v->id) {
    *ret = v->id;
    return FDX_SUCCESS;
  }
  FdxTerm   t;
  FdxStatus st = value_term(ex, v, &t);
  if (st) {
    return st;
  }
  st = exec_term_id(ex, &t, ret);
  if (!st) {
    v->id = *ret;
  }
  return st;
}

/* ------------------------------------------------------------------------
 * Comparisons
 * --------------------------------------------------------------------- */

bool
value_is_numeric(const Value* const v)
{
  return v->kind == V_INTEGER || v->kind == V_DECIMAL || v->kind == V_FLOAT ||
         v->kind == V_DOUBLE;
}

double
value_number(const Value* const v)
{
  return v->kind == V_INTEGER ? (double)v->v.i : v->v.d;
}

bool
value_is_literal(const Value* const v)
{
  return v->kind >= V_STRING;
}

int
value_ebv(const Value* const v)
{
  switch (v->kind) {
  case V_BOOLEAN:
    return v->v.b;
  case V_STRING:
  case V_LANG:
    return v->len > 0;
  case V_INTEGER:
    return v->v.i != 0;
  case V_DECIMAL:
  case V_FLOAT:
  case V_DOUBLE:
    return !(v->v.d == 0 || isnan(v->v.d));
  case V_TYPED:
    /* An ill-typed boolean or number is false; anything else an error. */
    if (v->dt && (dt_is(v->dt, v->dt_len, "boolean") ||
                  is_integer_type(v->dt, v->dt_len) ||
                  dt_is(v->dt, v->dt_len, "decimal") ||
                  dt_is(v->dt, v->dt_len, "double") ||
                  dt_is(v->dt, v->dt_len, "float"))) {
      return 0;
    }
    return -1;
  default:
    return -1;
  }
}

static int
bytes_cmp(const char* a, size_t alen, const char* b, size_t blen)
{
  const size_t n = alen < blen ? alen : blen;
  const int    c = n ? memcmp(a, b, n) : 0;
  if (c) {
    return c < 0 ? -1 : 1;
  }
  return alen < blen ? -1 : alen > blen ? 1 : 0;
}

static bool
lang_eq(const Value* const a, const Value* const b)
{
  if (a->lang_len != b->lang_len) {
    return false;
  }
  for (size_t i = 0; i < a->lang_len; ++i) {
    if (tolower((unsigned char)a->lang[i]) != tolower((unsigned char)b->lang[i])) {
      return false;
    }
  }
  return true;
}

bool
value_same_term(const Value* const a, const Value* const b)
{
  if (a->id && b->id) {
    return a->id == b->id;
  }
  if (a->kind != b->kind) {
    return false;
  }
  switch (a->kind) {
  case V_UNBOUND:
    return true;
  case V_IRI:
  case V_BNODE:
  case V_STRING:
    return bytes_eq(a->str, a->len, b->str, b->len);
  case V_LANG:
    return bytes_eq(a->str, a->len, b->str, b->len) && lang_eq(a, b);
  default:
    if (!a->str || !b->str) {
      /* computed values: compare the values and types */
      if (a->kind == V_INTEGER) {
        return a->v.i == b->v.i;
      }
      if (a->kind == V_BOOLEAN) {
        return a->v.b == b->v.b;
      }
      return value_number(a) == value_number(b);
    }
    return bytes_eq(a->str, a->len, b->str, b->len) &&
           bytes_eq(a->dt, a->dt_len, b->dt, b->dt_len);
  }
}

/* Compare two date/times; false when indeterminate (one has a zone, the
 * other not, and they are within 14 hours). */
static bool
datetime_cmp(const DateTime* const a, const DateTime* const b, int* const ret)
{
  int64_t as = a->seconds - (a->has_tz ? a->tz_minutes * 60 : 0);
  int64_t bs = b->seconds - (b->has_tz ? b->tz_minutes * 60 : 0);
  if (a->has_tz != b->has_tz) {
    const int64_t diff = as - bs;
    if (diff > -14 * 3600 && diff < 14 * 3600) {
      return false;
    }
  }
  if (as != bs) {
    *ret = as < bs ? -1 : 1;
  } else {
    *ret = a->micros < b->micros ? -1 : a->micros > b->micros ? 1 : 0;
  }
  return true;
}

bool
value_compare(const Value* const a, const Value* const b, int* const ret)
{
  if (value_is_numeric(a) && value_is_numeric(b)) {
    if (a->kind == V_INTEGER && b->kind == V_INTEGER) {
      *ret = a->v.i < b->v.i ? -1 : a->v.i > b->v.i ? 1 : 0;
      return true;
    }
    const double x = value_number(a);
    const double y = value_number(b);
    if (isnan(x) || isnan(y)) {
      return false;
    }
    *ret = x < y ? -1 : x > y ? 1 : 0;
    return true;
  }
  if (a->kind != b->kind) {
    return false;
  }
  switch (a->kind) {
  case V_STRING:
    *ret = bytes_cmp(a->str, a->len, b->str, b->len);
    return true;
  case V_BOOLEAN:
    *ret = (int)a->v.b - (int)b->v.b;
    return true;
  case V_DATETIME:
  case V_DATE:
    return datetime_cmp(&a->v.t, &b->v.t, ret);
  default:
    return false;
  }
}

int
value_equal(const Value* const a, const Value* const b)
{
  if (a->kind == V_UNBOUND || b->kind == V_UNBOUND) {
    return -1;
  }
  if (value_is_numeric(a) && value_is_numeric(b)) {
    int c;
    return value_compare(a, b, &c) ? c == 0 : 0; /* NaN: not equal */
  }
  if (a->kind == b->kind) {
    int c;
    switch (a->kind) {
    case V_STRING:
      return bytes_eq(a->str, a->len, b->str, b->len);
    case V_LANG:
      return bytes_eq(a->str, a->len, b->str, b->len) && lang_eq(a, b);
    case V_BOOLEAN:
      return a->v.b == b->v.b;
    case V_DATETIME:
    case V_DATE:
      return datetime_cmp(&a->v.t, &b->v.t, &c) ? c == 0 : -1;
    case V_IRI:
    case V_BNODE:
      return value_same_term(a, b);
    default:
      break;
    }
  }
  if (value_same_term(a, b)) {
    return 1;
  }
  /* Two literals that are not the same term and whose types the
   * operators do not know: a type error (RDFterm-equal). */
  if (value_is_literal(a) && value_is_literal(b) &&
      (a->kind == V_TYPED || b->kind == V_TYPED)) {
    return -1;
  }
  return 0;
}

static int
kind_rank(const Value* const v)
{
  switch (v->kind) {
  case V_UNBOUND:
    return 0;
  case V_BNODE:
    return 1;
  case V_IRI:
    return 2;
  default:
    return 3;
  }
}

int
value_order(const Value* const a, const Value* const b)
{
  const int ra = kind_rank(a);
  const int rb = kind_rank(b);
  if (ra != rb) {
    return ra < rb ? -1 : 1;
  }
  if (ra == 0) {
    return 0;
  }
  if (ra < 3) {
    return bytes_cmp(a->str, a->len, b->str, b->len);
  }
  int c;
  if (value_compare(a, b, &c) && c) {
    return c;
  }
  /* Not comparable (or equal values of different terms): order by kind,
   * then lexical form, then language / datatype, so the order is total. */
  if (value_is_numeric(a) != value_is_numeric(b)) {
    return value_is_numeric(a) ? -1 : 1;
  }
  if (a->kind != b->kind) {
    return a->kind < b->kind ? -1 : 1;
  }
  FdxTerm ta = {FDX_TERM_LITERAL, a->str, a->len, a->lang, a->lang_len, a->dt, a->dt_len};
  FdxTerm tb = {FDX_TERM_LITERAL, b->str, b->len, b->lang, b->lang_len, b->dt, b->dt_len};
  if (a->str && b->str) {
    if ((c = bytes_cmp(ta.value, ta.value_len, tb.value, tb.value_len))) {
      return c;
    }
  }
  if ((c = bytes_cmp(a->lang ? a->lang : "", a->lang_len, b->lang ? b->lang : "",
                     b->lang_len))) {
    return c;
  }
  return bytes_cmp(a->dt ? a->dt : "", a->dt_len, b->dt ? b->dt : "", b->dt_len);
}
