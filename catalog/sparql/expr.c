/*
 * expr.c: SPARQL expressions and the built-in function library.
 *
 * Expressions are evaluated straight off the parser's tree against one
 * solution.  SPARQL separates errors from failures: a type error (adding an
 * IRI to a number, an unbound variable) is a value, not a failure, so it
 * comes back as V_UNBOUND with FDX_SUCCESS; FILTER then drops the solution
 * and BIND leaves the variable unbound.  Only real trouble (limits, memory,
 * the store) returns a status.
 *
 * Hand-written because no C library implements SPARQL's operator table;
 * the pieces that have good libraries use them: utf8proc for case mapping,
 * nettle for the hash functions, POSIX regex for REGEX and REPLACE (close
 * to XPath's regular expressions for the patterns catalogues use; the
 * differences are listed at regex_compile()).
 */
#include "engine.h"

#include <nettle/md5.h>
#include <nettle/sha1.h>
#include <nettle/sha2.h>
#include <utf8proc.h>

#include <ctype.h>
#include <math.h>
#include <locale.h>
#include <regex.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define ERR(v) (memset((v), 0, sizeof(*(v))), FDX_SUCCESS)

/* ------------------------------------------------------------------------
 * Small helpers
 * --------------------------------------------------------------------- */

static bool
is_string_like(const Value* const v)
{
  return v->kind == V_STRING || v->kind == V_LANG;
}

/* Copy `len` bytes into the scratch arena. */
static char*
scratch_dup(Exec* const ex, const char* const s, const size_t len)
{
  return arena_strdup(&ex->scratch, s, len);
}

/* Number of code points in UTF-8 `s`. */
static size_t
utf8_len(const char* const s, const size_t len)
{
  size_t n = 0;
  for (size_t i = 0; i < len; ++i) {
    n += ((unsigned char)s[i] & 0xc0) != 0x80;
  }
  return n;
}

/* Byte offset of code point `cp` in `s` (len if beyond). */
static size_t
utf8_offset(const char* const s, const size_t len, const size_t cp)
{
  size_t n = 0;
  for (size_t i = 0; i < len; ++i) {
    if (((unsigned char)s[i] & 0xc0) != 0x80) {
      if (n == cp) {
        return i;
      }
      ++n;
    }
  }
  return len;
}

/* A result string with the same language tag as `like` (string functions
 * keep the first argument's tag). */
static void
string_like(Value* const ret, const Value* const like, const char* const s,
            const size_t len)
{
  if (like && like->kind == V_LANG) {
    value_lang(ret, s, len, like->lang, like->lang_len);
  } else {
    value_string(ret, s, len);
  }
}

/* Argument compatibility for two-string functions (17.4.3.1.2): both
 * simple/xsd:string, or both with the same tag, or the first tagged and
 * the second simple. */
static bool
compatible(const Value* const a, const Value* const b)
{
  if (!is_string_like(a) || !is_string_like(b)) {
    return false;
  }
  if (b->kind == V_STRING) {
    return true;
  }
  if (a->kind != V_LANG) {
    return false;
  }
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

/* Map case with utf8proc. */
static FdxStatus
change_case(Exec* const ex, const Value* const a, const bool upper,
            Value* const ret)
{
  char* const out = (char*)arena_alloc(&ex->scratch, a->len * 3 + 1);
  if (!out) {
    return FDX_ERR_NO_MEMORY;
  }
  size_t n = 0;
  /* ASCII runs map byte by byte; utf8proc only for the rest. */
  for (size_t i = 0; i < a->len;) {
    const unsigned char c = (unsigned char)a->str[i];
    if (c < 0x80) {
      out[n++] = (char)(upper ? (c >= 'a' && c <= 'z' ? c - 32 : c)
                              : (c >= 'A' && c <= 'Z' ? c + 32 : c));
      ++i;
      continue;
    }
    utf8proc_int32_t    cp;
    const utf8proc_ssize_t k = utf8proc_iterate(
      (const utf8proc_uint8_t*)a->str + i, (utf8proc_ssize_t)(a->len - i), &cp);
    if (k <= 0) {
      return ERR(ret);
    }
    i += (size_t)k;
    cp = upper ? utf8proc_toupper(cp) : utf8proc_tolower(cp);
    n += (size_t)utf8proc_encode_char(cp, (utf8proc_uint8_t*)out + n);
  }
  out[n] = '\0';
  string_like(ret, a, out, n);
  return FDX_SUCCESS;
}

static FdxStatus
hash_hex(Exec* const ex, const FdxSparqlBuiltin fn, const Value* const a,
         Value* const ret)
{
  if (a->kind != V_STRING) {
    return ERR(ret);
  }
  uint8_t       digest[64];
  size_t        n = 0;
  const uint8_t* data = (const uint8_t*)a->str;
  switch (fn) {
  case FDX_SPARQL_FN_MD5: {
    struct md5_ctx c;
    md5_init(&c);
    md5_update(&c, a->len, data);
    md5_digest(&c, MD5_DIGEST_SIZE, digest);
    n = MD5_DIGEST_SIZE;
    break;
  }
  case FDX_SPARQL_FN_SHA1: {
    struct sha1_ctx c;
    sha1_init(&c);
    sha1_update(&c, a->len, data);
    sha1_digest(&c, SHA1_DIGEST_SIZE, digest);
    n = SHA1_DIGEST_SIZE;
    break;
  }
  case FDX_SPARQL_FN_SHA256: {
    struct sha256_ctx c;
    sha256_init(&c);
    sha256_update(&c, a->len, data);
    sha256_digest(&c, SHA256_DIGEST_SIZE, digest);
    n = SHA256_DIGEST_SIZE;
    break;
  }
  case FDX_SPARQL_FN_SHA384: {
    struct sha384_ctx c;
    sha384_init(&c);
    sha384_update(&c, a->len, data);
    sha384_digest(&c, SHA384_DIGEST_SIZE, digest);
    n = SHA384_DIGEST_SIZE;
    break;
  }
  default: {
    struct sha512_ctx c;
    sha512_init(&c);
    sha512_update(&c, a->len, data);
    sha512_digest(&c, SHA512_DIGEST_SIZE, digest);
    n = SHA512_DIGEST_SIZE;
    break;
  }
  }
  char* const out = (char*)arena_alloc(&ex->scratch, 2 * n + 1);
  if (!out) {
    return FDX_ERR_NO_MEMORY;
  }
  for (size_t i = 0; i < n; ++i) {
    snprintf(out + 2 * i, 3, "%02x", digest[i]);
  }
  value_string(ret, out, 2 * n);
  return FDX_SUCCESS;
}

/* ------------------------------------------------------------------------
 * Regular expressions
 * --------------------------------------------------------------------- */

/*
 * Compile an XPath regular expression (SPARQL's REGEX) as a POSIX extended
 * one.  Flags: i (REG_ICASE), s and m are approximated (POSIX '.' already
 * matches newlines; REG_NEWLINE gives m's anchors), x removes whitespace
 * from the pattern, q quotes it.  Not supported: XPath's \p{..}
 * categories and reluctant quantifiers (they fail to compile: an error
 * value, never a wrong answer).  \d \s \w are rewritten to bracket
 * expressions.
 */
/* POSIX regex follows the thread's LC_CTYPE: patterns are compiled and
 * matched with this thread switched to C.UTF-8 (uselocale changes no other
 * thread), so '.' and brackets see characters, not bytes. */
static bool
regex_compile(const Value* const pattern, const Value* const flags,
              regex_t* const re)
{
  int  cflags = REG_EXTENDED;
  bool quote = false, extended = false;
  if (flags) {
    for (size_t i = 0; i < flags->len; ++i) {
      switch (flags->str[i]) {
      case 'i':
        cflags |= REG_ICASE;
        break;
      case 'm':
        cflags |= REG_NEWLINE;
        break;
      case 's':
        break;
      case 'x':
        extended = true;
        break;
      case 'q':
        quote = true;
        break;
      default:
        return false;
      }
    }
  }
  const size_t len = pattern->len;
  char* const  buf = (char*)malloc(len * 12 + 1);
  if (!buf) {
    return false;
  }
  size_t n = 0;
  for (size_t i = 0; i < len; ++i) {
    const char c = pattern->str[i];
    if (quote) {
      if (strchr("\\^$.|?*+()[]{}", c)) {
        buf[n++] = '\\';
      }
      buf[n++] = c;
      continue;
    }
    if (extended && (c == ' ' || c == '\t' || c == '\n' || c == '\r')) {
      continue;
    }
    if (c == '\\' && i + 1 < len) {
      const char e = pattern->str[++i];
      const char* rep = NULL;
      switch (e) {
      case 'd': rep = "[0-9]"; break;
      case 'D': rep = "[^0-9]"; break;
      case 's': rep = "[ \t\n\r]"; break;
      case 'S': rep = "[^ \t\n\r]"; break;
      case 'w': rep = "[[:alnum:]_]"; break;
      case 'W': rep = "[^[:alnum:]_]"; break;
      case 'n': rep = "\n"; break;
      case 't': rep = "\t"; break;
      case 'r': rep = "\r"; break;
      default: break;
      }
      if (rep) {
        memcpy(buf + n, rep, strlen(rep));
        n += strlen(rep);
      } else {
        buf[n++] = '\\';
        buf[n++] = e;
      }
      continue;
    }
    buf[n++] = c;
  }
  buf[n]       = '\0';
  const int rc = regcomp(re, buf, cflags);
  free(buf);
  return rc == 0;
}

/* Compiled patterns, kept for the execution: a REGEX in a FILTER sees the
 * same pattern for every solution.  A few slots, replaced round-robin. */
#define REGEX_CACHE 8

typedef struct {
  char*   pattern;
  size_t  pattern_len;
  char*   flags;
  size_t  flags_len;
  bool    ok; /* false: the pattern does not compile (an error value) */
  regex_t re;
} CachedRegex;

struct RegexCache {
  CachedRegex slot[REGEX_CACHE];
  unsigned    next;
  locale_t    utf8; /* C.UTF-8, made once */
};

void
expr_cleanup(Exec* const ex)
{
  RegexCache* const c = ex->regex;
  if (!c) {
    return;
  }
  for (unsigned i = 0; i < REGEX_CACHE; ++i) {
    if (c->slot[i].pattern) {
      if (c->slot[i].ok) {
        regfree(&c->slot[i].re);
      }
      free(c->slot[i].pattern);
      free(c->slot[i].flags);
    }
  }
  if (c->utf8) {
    freelocale(c->utf8);
  }
  free(c);
  ex->regex = NULL;
}

/* The compiled form of (pattern, flags), or NULL if it does not compile
 * (*oom on allocation failure). */
static const regex_t*
regex_get(Exec* const ex, const Value* const pattern, const Value* const flags,
          bool* const oom)
{
  *oom = false;
  if (!ex->regex && !(ex->regex = (RegexCache*)calloc(1, sizeof(RegexCache)))) {
    *oom = true;
    return NULL;
  }
  RegexCache* const c  = ex->regex;
  const char*       fs = flags ? flags->str : "";
  const size_t      fl = flags ? flags->len : 0;
  for (unsigned i = 0; i < REGEX_CACHE; ++i) {
    const CachedRegex* const r = &c->slot[i];
    if (r->pattern && r->pattern_len == pattern->len && r->flags_len == fl &&
        !memcmp(r->pattern, pattern->str, pattern->len) && !memcmp(r->flags, fs, fl)) {
      return r->ok ? &r->re : NULL;
    }
  }
  CachedRegex* const r = &c->slot[c->next++ % REGEX_CACHE];
  if (r->pattern) {
    if (r->ok) {
      regfree(&r->re);
    }
    free(r->pattern);
    free(r->flags);
  }
  memset(r, 0, sizeof(*r));
  r->pattern = (char*)malloc(pattern->len + 1);
  r->flags   = (char*)malloc(fl + 1);
  if (!r->pattern || !r->flags) {
    free(r->pattern);
    free(r->flags);
    memset(r, 0, sizeof(*r));
    *oom = true;
    return NULL;
  }
  memcpy(r->pattern, pattern->str, pattern->len);
  memcpy(r->flags, fs, fl);
  r->pattern_len = pattern->len;
  r->flags_len   = fl;
  if (!c->utf8) {
    c->utf8 = newlocale(LC_CTYPE_MASK, "C.UTF-8", (locale_t)0);
  }
  const locale_t old = c->utf8 ? uselocale(c->utf8) : (locale_t)0;
  r->ok              = regex_compile(pattern, flags, &r->re);
  if (c->utf8) {
    uselocale(old);
  }
  return r->ok ? &r->re : NULL;
}

/* regexec under the UTF-8 locale the pattern was compiled in. */
static int
regex_exec(Exec* const ex, const regex_t* const re, const char* const s,
           const size_t n_match, regmatch_t* const m, const int eflags)
{
  const locale_t utf8 = ex->regex ? ex->regex->utf8 : (locale_t)0;
  const locale_t old  = utf8 ? uselocale(utf8) : (locale_t)0;
  const int      rc   = regexec(re, s, n_match, m, eflags);
  if (utf8) {
    uselocale(old);
  }
  return rc;
}

static FdxStatus
fn_regex(Exec* const ex, Value* const args, const uint32_t n, Value* const ret)
{
  if (!is_string_like(&args[0]) || args[1].kind != V_STRING ||
      (n == 3 && args[2].kind != V_STRING)) {
    return ERR(ret);
  }
  bool                 oom = false;
  const regex_t* const re  = regex_get(ex, &args[1], n == 3 ? &args[2] : NULL, &oom);
  if (!re) {
    return oom ? FDX_ERR_NO_MEMORY : ERR(ret);
  }
  /* regexec needs a NUL-terminated subject. */
  char* const s = scratch_dup(ex, args[0].str, args[0].len);
  if (!s) {
    return FDX_ERR_NO_MEMORY;
  }
  value_boolean(ret, regex_exec(ex, re, s, 0, NULL, 0) == 0);
  return FDX_SUCCESS;
}

static FdxStatus
fn_replace(Exec* const ex, Value* const args, const uint32_t n, Value* const ret)
{
  if (!is_string_like(&args[0]) || args[1].kind != V_STRING ||
      args[2].kind != V_STRING || (n == 4 && args[3].kind != V_STRING)) {
    return ERR(ret);
  }
  bool                 oom = false;
  const regex_t* const re  = regex_get(ex, &args[1], n == 4 ? &args[3] : NULL, &oom);
  if (!re) {
    return oom ? FDX_ERR_NO_MEMORY : ERR(ret);
  }
  char* const subject = scratch_dup(ex, args[0].str, args[0].len);
  if (!subject) {
    return FDX_ERR_NO_MEMORY;
  }
  size_t cap = args[0].len * 2 + 64;
  char*  out = (char*)malloc(cap);
  size_t len = 0;
  const char* p = subject;
  regmatch_t  m[10];
  FdxStatus   st = FDX_SUCCESS;
  bool        bad = false;
  while (out && *p &&
         regex_exec(ex, re, p, 10, m, p == subject ? 0 : REG_NOTBOL) == 0) {
    if (m[0].rm_eo == m[0].rm_so) {
      bad = true; /* XPath: a pattern matching "" is an error */
      break;
    }
    const Value* const r = &args[2];
    size_t             need = len + (size_t)m[0].rm_so + r->len * 4 + 16;
    for (size_t i = 0; i < r->len; ++i) {
      if (r->str[i] == '$' && i + 1 < r->len && isdigit((unsigned char)r->str[i + 1])) {
        const int g = r->str[i + 1] - '0';
        if (m[g].rm_so >= 0) {
          need += (size_t)(m[g].rm_eo - m[g].rm_so);
        }
      }
    }
    if (need > cap) {
      cap = need * 2;
      char* const grown = (char*)realloc(out, cap);
      if (!grown) {
        free(out);
        out = NULL;
        break;
      }
      out = grown;
    }
    memcpy(out + len, p, (size_t)m[0].rm_so);
    len += (size_t)m[0].rm_so;
    for (size_t i = 0; i < r->len; ++i) {
      if (r->str[i] == '\\' && i + 1 < r->len) {
        out[len++] = r->str[++i];
      } else if (r->str[i] == '$' && i + 1 < r->len &&
                 isdigit((unsigned char)r->str[i + 1])) {
        const int g = r->str[++i] - '0';
        if (g < 10 && m[g].rm_so >= 0) {
          memcpy(out + len, p + m[g].rm_so, (size_t)(m[g].rm_eo - m[g].rm_so));
          len += (size_t)(m[g].rm_eo - m[g].rm_so);
        }
      } else {
        out[len++] = r->str[i];
      }
    }
    p += m[0].rm_eo;
  }
  if (!out) {
    return FDX_ERR_NO_MEMORY;
  }
  if (bad) {
    free(out);
    return ERR(ret);
  }
  const size_t rest = strlen(p);
  char* const  res  = (char*)arena_alloc(&ex->scratch, len + rest + 1);
  if (!res) {
    free(out);
    return FDX_ERR_NO_MEMORY;
  }
  memcpy(res, out, len);
  memcpy(res + len, p, rest);
  res[len + rest] = '\0';
  free(out);
  string_like(ret, &args[0], res, len + rest);
  return st;
}


/* ------------------------------------------------------------------------
 * Numbers
 * --------------------------------------------------------------------- */

static ValueKind
promote(const ValueKind a, const ValueKind b)
{
  if (a == V_DOUBLE || b == V_DOUBLE) {
    return V_DOUBLE;
  }
  if (a == V_FLOAT || b == V_FLOAT) {
    return V_FLOAT;
  }
  if (a == V_DECIMAL || b == V_DECIMAL) {
    return V_DECIMAL;
  }
  return V_INTEGER;
}

static void
value_of_kind(Value* const ret, const ValueKind k, const double d)
{
  switch (k) {
  case V_FLOAT:
    value_float(ret, d);
    break;
  case V_DECIMAL:
    value_decimal(ret, d);
    break;
  default:
    value_double(ret, d);
    break;
  }
}

static FdxStatus
arith(const FdxSparqlExprKind op, const Value* const a, const Value* const b,
      Value* const ret)
{
  if (!value_is_numeric(a) || !value_is_numeric(b)) {
    return ERR(ret);
  }
  const ValueKind k = promote(a->kind, b->kind);
  if (k == V_INTEGER && op != FDX_SPARQL_EXPR_DIV) {
    int64_t r;
    bool    overflow;
    switch (op) {
    case FDX_SPARQL_EXPR_ADD:
      overflow = __builtin_add_overflow(a->v.i, b->v.i, &r);
      break;
    case FDX_SPARQL_EXPR_SUB:
      overflow = __builtin_sub_overflow(a->v.i, b->v.i, &r);
      break;
    default:
      overflow = __builtin_mul_overflow(a->v.i, b->v.i, &r);
      break;
    }
    if (!overflow) {
      value_integer(ret, r);
      return FDX_SUCCESS;
    }
  }
  const double x = value_number(a);
  const double y = value_number(b);
  double       r;
  switch (op) {
  case FDX_SPARQL_EXPR_ADD:
    r = x + y;
    break;
  case FDX_SPARQL_EXPR_SUB:
    r = x - y;
    break;
  case FDX_SPARQL_EXPR_MUL:
    r = x * y;
    break;
  default:
    if (y == 0 && (k == V_INTEGER || k == V_DECIMAL)) {
      return ERR(ret); /* integer and decimal division by zero */
    }
    r = x / y;
    break;
  }
  value_of_kind(ret, k == V_INTEGER ? V_DECIMAL : k, r);
  return FDX_SUCCESS;
}

/* ------------------------------------------------------------------------
 * Casts (XPath constructor functions named by XSD IRIs)
 * --------------------------------------------------------------------- */

static bool
iri_is(const FdxSparqlIri* const iri, const char* const local)
{
  const size_t ns = sizeof(XSD_NS) - 1;
  const size_t ll = strlen(local);
  return iri->len == ns + ll && !memcmp(iri->str, XSD_NS, ns) &&
         !memcmp(iri->str + ns, local, ll);
}

static FdxStatus
cast(Exec* const ex, const FdxSparqlIri* const iri, Value* const a,
     Value* const ret)
{
  if (a->kind == V_UNBOUND || a->kind == V_BNODE) {
    return ERR(ret);
  }
  FdxTerm   t;
  FdxStatus st = value_term(ex, a, &t);
  if (st) {
    return st;
  }
  if (iri_is(iri, "string")) {
    if (a->kind == V_LANG) {
      return ERR(ret);
    }
    if ((a->kind == V_DOUBLE || a->kind == V_FLOAT) && !isnan(a->v.d) &&
        !isinf(a->v.d) && (a->v.d == 0 || (fabs(a->v.d) >= 1e-6 && fabs(a->v.d) < 1e6))) {
      /* XPath writes doubles in this range without an exponent */
      char buf[48];
      int  n = snprintf(buf, sizeof(buf), "%.*f", a->v.d == floor(a->v.d) ? 0 : 15,
                        a->v.d == 0 ? 0.0 : a->v.d);
      while (strchr(buf, '.') && n > 1 && (buf[n - 1] == '0' || buf[n - 1] == '.')) {
        const bool point = buf[n - 1] == '.';
        buf[--n]         = '\0';
        if (point) {
          break;
        }
      }
      char* const str = scratch_dup(ex, buf, (size_t)n);
      if (!str) {
        return FDX_ERR_NO_MEMORY;
      }
      value_string(ret, str, (size_t)n);
      return FDX_SUCCESS;
    }
    if (a->kind == V_DECIMAL && a->v.d == floor(a->v.d) && fabs(a->v.d) < 1e15) {
      /* XPath writes integral decimals without a point */
      char      buf[32];
      const int n = snprintf(buf, sizeof(buf), "%.0f", a->v.d == 0 ? 0.0 : a->v.d);
      char* const str = scratch_dup(ex, buf, (size_t)n);
      if (!str) {
        return FDX_ERR_NO_MEMORY;
      }
      value_string(ret, str, (size_t)n);
      return FDX_SUCCESS;
    }
    if (a->kind == V_BOOLEAN || a->kind == V_INTEGER || a->kind == V_DECIMAL) {
      /* XPath casts use the canonical form: "0"^^xsd:boolean is "false" */
      Value canon = *a;
      canon.str   = NULL;
      canon.id    = 0;
      FdxTerm ct;
      if ((st = value_term(ex, &canon, &ct))) {
        return st;
      }
      value_string(ret, ct.value, ct.value_len);
      return FDX_SUCCESS;
    }
    value_string(ret, t.value, t.value_len);
    return FDX_SUCCESS;
  }
  if (a->kind == V_IRI || a->kind == V_LANG) {
    return ERR(ret);
  }
  /* Trim XML whitespace from lexical forms. */
  const char* s   = t.value;
  size_t      len = t.value_len;
  while (len && isspace((unsigned char)*s)) {
    ++s;
    --len;
  }
  while (len && isspace((unsigned char)s[len - 1])) {
    --len;
  }
  if (iri_is(iri, "boolean")) {
    if (value_is_numeric(a)) {
      const double d = value_number(a);
      value_boolean(ret, !(d == 0 || isnan(d)));
      return FDX_SUCCESS;
    }
    if (a->kind == V_BOOLEAN) {
      value_boolean(ret, a->v.b);
      return FDX_SUCCESS;
    }
    if (a->kind != V_STRING) {
      return ERR(ret);
    }
    FdxTerm lit = {FDX_TERM_LITERAL, s, len, NULL, 0, XSD_NS "boolean",
                   sizeof(XSD_NS "boolean") - 1};
    Value   v;
    value_from_term(&lit, 0, &v);
    if (v.kind != V_BOOLEAN) {
      return ERR(ret);
    }
    value_boolean(ret, v.v.b);
    return FDX_SUCCESS;
  }
  if (iri_is(iri, "integer") || iri_is(iri, "decimal") ||
      iri_is(iri, "double") || iri_is(iri, "float")) {
    const bool to_int = iri_is(iri, "integer");
    const bool to_dec = iri_is(iri, "decimal");
    double     d;
    if (a->kind == V_BOOLEAN) {
      d = a->v.b;
    } else if (value_is_numeric(a)) {
      d = value_number(a);
      if (a->kind == V_INTEGER && to_int) {
        value_integer(ret, a->v.i);
        return FDX_SUCCESS;
      }
    } else if (a->kind == V_STRING) {
      FdxTerm lit = {FDX_TERM_LITERAL, s, len, NULL, 0, iri->str, iri->len};
      Value   v;
      value_from_term(&lit, 0, &v);
      if (!value_is_numeric(&v)) {
        return ERR(ret);
      }
      if (v.kind == V_INTEGER) {
        value_integer(ret, v.v.i);
        return FDX_SUCCESS;
      }
      d = value_number(&v);
    } else {
      return ERR(ret);
    }
    if (to_int) {
      if (isnan(d) || isinf(d) || fabs(d) > 9.2e18) {
        return ERR(ret);
      }
      value_integer(ret, (int64_t)trunc(d));
    } else if (to_dec) {
      if (isnan(d) || isinf(d)) {
        return ERR(ret);
      }
      value_decimal(ret, d);
    } else if (iri_is(iri, "float")) {
      value_float(ret, d);
    } else {
      value_double(ret, d);
    }
    return FDX_SUCCESS;
  }
  if (iri_is(iri, "dateTime") || iri_is(iri, "date")) {
    const bool is_dt = iri_is(iri, "dateTime");
    if (a->kind != V_STRING && a->kind != V_DATETIME && a->kind != V_DATE) {
      return ERR(ret);
    }
    if (a->kind == V_DATETIME && !is_dt) {
      /* dateTime -> date: the date part and zone */
      const char* tpos = memchr(t.value, 'T', t.value_len);
      if (!tpos) {
        return ERR(ret);
      }
      len = (size_t)(tpos - t.value);
      s   = t.value;
      const char* zone = t.value + t.value_len;
      while (zone > tpos && zone[-1] != 'Z' && zone[-1] != '+' && zone[-1] != '-') {
        --zone;
      }
      char* const buf = (char*)arena_alloc(&ex->scratch, t.value_len + 1);
      if (!buf) {
        return FDX_ERR_NO_MEMORY;
      }
      memcpy(buf, s, len);
      size_t n = len;
      if (zone > tpos && a->v.t.has_tz) {
        const char*  z  = zone - 1;
        const size_t zl = (size_t)(t.value + t.value_len - z);
        memcpy(buf + n, z, zl);
        n += zl;
      }
      s   = buf;
      len = n;
    }
    FdxTerm lit = {FDX_TERM_LITERAL, s, len, NULL, 0, iri->str, iri->len};
    Value   v;
    value_from_term(&lit, 0, &v);
    if (v.kind != (is_dt ? V_DATETIME : V_DATE)) {
      return ERR(ret);
    }
    if (!(v.str = scratch_dup(ex, s, len))) {
      return FDX_ERR_NO_MEMORY;
    }
    *ret = v;
    return FDX_SUCCESS;
  }
  return ERR(ret); /* an unknown function: an error value */
}

FdxStatus
expr_call_function(Exec* const ex, const FdxSparqlIri* const iri,
                   Value* const args, const uint32_t n_args, Value* const ret)
{
  if (n_args == 1) {
    return cast(ex, iri, &args[0], ret);
  }
  return ERR(ret);
}

/* ------------------------------------------------------------------------
 * Dates
 * --------------------------------------------------------------------- */

static FdxStatus
fn_date_part(Exec* const ex, const FdxSparqlBuiltin fn, const Value* const a,
             Value* const ret)
{
  if (a->kind != V_DATETIME && !(a->kind == V_DATE && fn <= FDX_SPARQL_FN_DAY) &&
      !(a->kind == V_DATE && (fn == FDX_SPARQL_FN_TIMEZONE || fn == FDX_SPARQL_FN_TZ))) {
    return ERR(ret);
  }
  const DateTime* const t = &a->v.t;
  switch (fn) {
  case FDX_SPARQL_FN_YEAR:
    value_integer(ret, t->year);
    return FDX_SUCCESS;
  case FDX_SPARQL_FN_MONTH:
    value_integer(ret, t->month);
    return FDX_SUCCESS;
  case FDX_SPARQL_FN_DAY:
    value_integer(ret, t->day);
    return FDX_SUCCESS;
  case FDX_SPARQL_FN_HOURS:
    value_integer(ret, t->hour);
    return FDX_SUCCESS;
  case FDX_SPARQL_FN_MINUTES:
    value_integer(ret, t->minute);
    return FDX_SUCCESS;
  case FDX_SPARQL_FN_SECONDS: {
    /* The seconds as written (an xsd:decimal). */
    const char* tpos = memchr(a->str, 'T', a->len);
    if (!tpos || (size_t)(tpos - a->str) + 7 >= a->len) {
      return ERR(ret);
    }
    const char* sec = tpos + 7;
    size_t      n   = 0;
    while (sec + n < a->str + a->len && (isdigit((unsigned char)sec[n]) || sec[n] == '.')) {
      ++n;
    }
    /* Drop leading zeros ("05.5" -> "5.5"), keeping one before a point. */
    while (n > 1 && sec[0] == '0' && sec[1] != '.') {
      ++sec;
      --n;
    }
    char* const lex = scratch_dup(ex, sec, n);
    if (!lex) {
      return FDX_ERR_NO_MEMORY;
    }
    value_decimal(ret, t->second);
    ret->str = lex;
    ret->len = n;
    return FDX_SUCCESS;
  }
  case FDX_SPARQL_FN_TIMEZONE: {
    if (!t->has_tz) {
      return ERR(ret);
    }
    char     buf[32];
    int      m   = t->tz_minutes < 0 ? -t->tz_minutes : t->tz_minutes;
    int      n   = 0;
    if (m == 0) {
      n = snprintf(buf, sizeof(buf), "PT0S");
    } else {
      n = snprintf(buf, sizeof(buf), "%sPT", t->tz_minutes < 0 ? "-" : "");
      if (m / 60) {
        n += snprintf(buf + n, sizeof(buf) - (size_t)n, "%dH", m / 60);
      }
      if (m % 60) {
        n += snprintf(buf + n, sizeof(buf) - (size_t)n, "%dM", m % 60);
      }
    }
    memset(ret, 0, sizeof(*ret));
    ret->kind   = V_TYPED;
    ret->str    = scratch_dup(ex, buf, (size_t)n);
    ret->len    = (size_t)n;
    ret->dt     = XSD_NS "dayTimeDuration";
    ret->dt_len = sizeof(XSD_NS "dayTimeDuration") - 1;
    return ret->str ? FDX_SUCCESS : FDX_ERR_NO_MEMORY;
  }
  default: { /* TZ */
    if (!t->has_tz) {
      value_string(ret, "", 0);
      return FDX_SUCCESS;
    }
    const char* end = a->str + a->len;
    if (end[-1] == 'Z') {
      value_string(ret, "Z", 1);
    } else {
      value_string(ret, end - 6, 6);
    }
    return FDX_SUCCESS;
  }
  }
}

/* ------------------------------------------------------------------------
 * The evaluator
 * --------------------------------------------------------------------- */

static FdxStatus
eval_args(Exec* const ex, const FdxSparqlExpr* const e, const FdxId* const row,
          const Value* const aggs, Value* const out)
{
  for (uint32_t i = 0; i < e->n_args; ++i) {
    const FdxStatus st = expr_eval(ex, e->args[i], row, aggs, &out[i]);
    if (st) {
      return st;
    }
  }
  return FDX_SUCCESS;
}

static FdxStatus
fn_substr(Exec* const ex, Value* const args, const uint32_t n, Value* const ret)
{
  const Value* const s = &args[0];
  if (!is_string_like(s) || !value_is_numeric(&args[1]) ||
      (n == 3 && !value_is_numeric(&args[2]))) {
    return ERR(ret);
  }
  /* XPath fn:substring: characters at positions p with
   * round(start) <= p < round(start) + round(length). */
  const double start = round(value_number(&args[1]));
  const double end   = n == 3 ? start + round(value_number(&args[2])) : INFINITY;
  if (isnan(start) || isnan(end)) {
    value_string(ret, "", 0);
    string_like(ret, s, "", 0);
    return FDX_SUCCESS;
  }
  const size_t chars = utf8_len(s->str, s->len);
  double       from  = start < 1 ? 1 : start;
  double       to    = end > (double)chars + 1 ? (double)chars + 1 : end;
  if (to <= from) {
    string_like(ret, s, "", 0);
    return FDX_SUCCESS;
  }
  const size_t b0 = utf8_offset(s->str, s->len, (size_t)from - 1);
  const size_t b1 = utf8_offset(s->str, s->len, (size_t)to - 1);
  (void)ex;
  string_like(ret, s, s->str + b0, b1 - b0);
  return FDX_SUCCESS;
}

static FdxStatus
fn_encode_for_uri(Exec* const ex, const Value* const a, Value* const ret)
{
  if (!is_string_like(a)) {
    return ERR(ret);
  }
  char* const out = (char*)arena_alloc(&ex->scratch, a->len * 3 + 1);
  if (!out) {
    return FDX_ERR_NO_MEMORY;
  }
  size_t n = 0;
  for (size_t i = 0; i < a->len; ++i) {
    const unsigned char c = (unsigned char)a->str[i];
    if (isalnum(c) || c == '-' || c == '_' || c == '.' || c == '~') {
      out[n++] = (char)c;
    } else {
      n += (size_t)snprintf(out + n, 4, "%%%02X", c);
    }
  }
  out[n] = '\0';
  value_string(ret, out, n);
  return FDX_SUCCESS;
}

static FdxStatus
fn_uuid(Exec* const ex, const bool as_iri, Value* const ret)
{
  uint8_t b[16];
  for (int i = 0; i < 16; ++i) {
    ex->rand_state ^= ex->rand_state << 13;
    ex->rand_state ^= ex->rand_state >> 7;
    ex->rand_state ^= ex->rand_state << 17;
    b[i] = (uint8_t)(ex->rand_state >> 24);
  }
  b[6]         = (uint8_t)((b[6] & 0x0f) | 0x40);
  b[8]         = (uint8_t)((b[8] & 0x3f) | 0x80);
  char   buf[64];
  int    n = snprintf(buf, sizeof(buf), "%s", as_iri ? "urn:uuid:" : "");
  for (int i = 0; i < 16; ++i) {
    n += snprintf(buf + n, sizeof(buf) - (size_t)n, "%02x%s", b[i],
                  (i == 3 || i == 5 || i == 7 || i == 9) ? "-" : "");
  }
  char* const s = scratch_dup(ex, buf, (size_t)n);
  if (!s) {
    return FDX_ERR_NO_MEMORY;
  }
  if (as_iri) {
    value_iri(ret, s, (size_t)n);
  } else {
    value_string(ret, s, (size_t)n);
  }
  return FDX_SUCCESS;
}

static FdxStatus
call_builtin(Exec* const ex, const FdxSparqlExpr* const e,
             const FdxId* const row, const Value* const aggs, Value* const ret)
{
  const FdxSparqlBuiltin fn = e->fn;
  FdxStatus              st;
  /* The ones that do not evaluate all their arguments first. */
  switch (fn) {
  case FDX_SPARQL_FN_BOUND:
    return expr_eval(ex, e->args[0], row, aggs, ret) ? ex->status
           : (value_boolean(ret, ret->kind != V_UNBOUND), FDX_SUCCESS);
  case FDX_SPARQL_FN_IF: {
    Value c;
    if ((st = expr_eval(ex, e->args[0], row, aggs, &c))) {
      return st;
    }
    const int b = value_ebv(&c);
    if (b < 0) {
      return ERR(ret);
    }
    return expr_eval(ex, e->args[b ? 1 : 2], row, aggs, ret);
  }
  case FDX_SPARQL_FN_COALESCE:
    for (uint32_t i = 0; i < e->n_args; ++i) {
      if ((st = expr_eval(ex, e->args[i], row, aggs, ret))) {
        return st;
      }
      if (ret->kind != V_UNBOUND) {
        return FDX_SUCCESS;
      }
    }
    return ERR(ret);
  case FDX_SPARQL_FN_EXISTS:
  case FDX_SPARQL_FN_NOT_EXISTS: {
    bool found = false;
    if ((st = eval_exists(ex, e->pattern, row, &found))) {
      return st;
    }
    value_boolean(ret, fn == FDX_SPARQL_FN_EXISTS ? found : !found);
    return FDX_SUCCESS;
  }
  case FDX_SPARQL_FN_RAND:
    ex->rand_state ^= ex->rand_state << 13;
    ex->rand_state ^= ex->rand_state >> 7;
    ex->rand_state ^= ex->rand_state << 17;
    value_double(ret, (double)(ex->rand_state >> 11) / 9007199254740992.0);
    return FDX_SUCCESS;
  case FDX_SPARQL_FN_NOW: {
    struct tm tm;
    gmtime_r(&ex->now, &tm);
    char buf[48];
    const int n = snprintf(buf, sizeof(buf), "%04d-%02d-%02dT%02d:%02d:%02dZ",
                           tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday,
                           tm.tm_hour, tm.tm_min, tm.tm_sec);
    FdxTerm t = {FDX_TERM_LITERAL, scratch_dup(ex, buf, (size_t)n), (size_t)n,
                 NULL, 0, XSD_NS "dateTime", sizeof(XSD_NS "dateTime") - 1};
    if (!t.value) {
      return FDX_ERR_NO_MEMORY;
    }
    value_from_term(&t, 0, ret);
    return FDX_SUCCESS;
  }
  case FDX_SPARQL_FN_UUID:
    return fn_uuid(ex, true, ret);
  case FDX_SPARQL_FN_STRUUID:
    return fn_uuid(ex, false, ret);
  default:
    break;
  }

  Value  stack_args[4];
  Value* args = e->n_args <= 4
                  ? stack_args
                  : (Value*)arena_alloc(&ex->scratch, e->n_args * sizeof(Value));
  if (!args) {
    return FDX_ERR_NO_MEMORY;
  }
  if ((st = eval_args(ex, e, row, aggs, args))) {
    return st;
  }
  /* CONCAT accepts no unbound argument either; every other function is an
   * error on an error argument. */
  for (uint32_t i = 0; i < e->n_args; ++i) {
    if (args[i].kind == V_UNBOUND && fn != FDX_SPARQL_FN_BNODE) {
      return ERR(ret);
    }
  }
  Value* const a = &args[0];
  switch (fn) {
  case FDX_SPARQL_FN_STR:
    if (a->kind == V_BNODE) {
      return ERR(ret);
    } else {
      FdxTerm t;
      if ((st = value_term(ex, a, &t))) {
        return st;
      }
      value_string(ret, t.value, t.value_len);
    }
    return FDX_SUCCESS;
  case FDX_SPARQL_FN_LANG:
    if (!value_is_literal(a)) {
      return ERR(ret);
    }
    value_string(ret, a->kind == V_LANG ? a->lang : "", a->kind == V_LANG ? a->lang_len : 0);
    return FDX_SUCCESS;
  case FDX_SPARQL_FN_LANGMATCHES: {
    if (a->kind != V_STRING || args[1].kind != V_STRING) {
      return ERR(ret);
    }
    const Value* const r = &args[1];
    bool               m;
    if (r->len == 1 && r->str[0] == '*') {
      m = a->len > 0;
    } else if (a->len < r->len) {
      m = false;
    } else {
      m = true;
      for (size_t i = 0; i < r->len && m; ++i) {
        m = tolower((unsigned char)a->str[i]) == tolower((unsigned char)r->str[i]);
      }
      m = m && (a->len == r->len || a->str[r->len] == '-');
    }
    value_boolean(ret, m);
    return FDX_SUCCESS;
  }
  case FDX_SPARQL_FN_DATATYPE:
    if (!value_is_literal(a)) {
      return ERR(ret);
    }
    if (a->kind == V_STRING) {
      value_iri(ret, XSD_NS "string", sizeof(XSD_NS "string") - 1);
    } else if (a->kind == V_LANG) {
      value_iri(ret, RDF_NS "langString", sizeof(RDF_NS "langString") - 1);
    } else {
      value_iri(ret, a->dt, a->dt_len);
    }
    return FDX_SUCCESS;
  case FDX_SPARQL_FN_IRI:
  case FDX_SPARQL_FN_URI:
    if (a->kind == V_IRI) {
      *ret = *a;
      return FDX_SUCCESS;
    }
    if (a->kind != V_STRING) {
      return ERR(ret);
    }
    {
      /* Relative IRIs resolve against the query's base. */
      const FdxSparqlIri* const base = ex->query ? &ex->query->base : NULL;
      if (base && base->str && !memchr(a->str, ':', a->len)) {
        char* const s = (char*)arena_alloc(&ex->scratch, base->len + a->len + 1);
        if (!s) {
          return FDX_ERR_NO_MEMORY;
        }
        memcpy(s, base->str, base->len);
        memcpy(s + base->len, a->str, a->len);
        s[base->len + a->len] = '\0';
        value_iri(ret, s, base->len + a->len);
      } else {
        value_iri(ret, a->str, a->len);
      }
    }
    return FDX_SUCCESS;
  case FDX_SPARQL_FN_BNODE: {
    char buf[48];
    if (e->n_args == 1) {
      if (a->kind != V_STRING) {
        return ERR(ret);
      }
      /* Same string, same blank node, within one solution. */
      uint64_t h = 1469598103934665603u;
      for (size_t i = 0; i < a->len; ++i) {
        h = (h ^ (uint8_t)a->str[i]) * 1099511628211u;
      }
      h ^= ex->row_seq * UINT64_C(0x9e3779b97f4a7c15);
      snprintf(buf, sizeof(buf), "f%016llx", (unsigned long long)h);
    } else {
      snprintf(buf, sizeof(buf), "f%llu", (unsigned long long)++ex->bnode_seq);
    }
    char* const s = scratch_dup(ex, buf, strlen(buf));
    if (!s) {
      return FDX_ERR_NO_MEMORY;
    }
    memset(ret, 0, sizeof(*ret));
    ret->kind = V_BNODE;
    ret->str  = s;
    ret->len  = strlen(s);
    return FDX_SUCCESS;
  }
  case FDX_SPARQL_FN_ABS:
  case FDX_SPARQL_FN_CEIL:
  case FDX_SPARQL_FN_FLOOR:
  case FDX_SPARQL_FN_ROUND:
    if (!value_is_numeric(a)) {
      return ERR(ret);
    }
    if (a->kind == V_INTEGER) {
      value_integer(ret, fn == FDX_SPARQL_FN_ABS && a->v.i < 0 ? -a->v.i : a->v.i);
      return FDX_SUCCESS;
    }
    {
      const double d = a->v.d;
      const double r = fn == FDX_SPARQL_FN_ABS    ? fabs(d)
                       : fn == FDX_SPARQL_FN_CEIL  ? ceil(d)
                       : fn == FDX_SPARQL_FN_FLOOR ? floor(d)
                                                   : floor(d + 0.5);
      value_of_kind(ret, a->kind, r);
    }
    return FDX_SUCCESS;
  case FDX_SPARQL_FN_CONCAT: {
    size_t total = 0;
    bool   same_lang = e->n_args > 0;
    for (uint32_t i = 0; i < e->n_args; ++i) {
      if (!is_string_like(&args[i])) {
        return ERR(ret);
      }
      total += args[i].len;
      if (args[i].kind != V_LANG || !compatible(&args[0], &args[i]) ||
          args[0].kind != V_LANG) {
        same_lang = false;
      }
    }
    char* const out = (char*)arena_alloc(&ex->scratch, total + 1);
    if (!out) {
      return FDX_ERR_NO_MEMORY;
    }
    size_t n = 0;
    for (uint32_t i = 0; i < e->n_args; ++i) {
      if (args[i].len) {
        memcpy(out + n, args[i].str, args[i].len);
      }
      n += args[i].len;
    }
    out[n] = '\0';
    string_like(ret, same_lang ? &args[0] : NULL, out, n);
    return FDX_SUCCESS;
  }
  case FDX_SPARQL_FN_STRLEN:
    if (!is_string_like(a)) {
      return ERR(ret);
    }
    value_integer(ret, (int64_t)utf8_len(a->str, a->len));
    return FDX_SUCCESS;
  case FDX_SPARQL_FN_UCASE:
  case FDX_SPARQL_FN_LCASE:
    if (!is_string_like(a)) {
      return ERR(ret);
    }
    return change_case(ex, a, fn == FDX_SPARQL_FN_UCASE, ret);
  case FDX_SPARQL_FN_ENCODE_FOR_URI:
    return fn_encode_for_uri(ex, a, ret);
  case FDX_SPARQL_FN_CONTAINS:
  case FDX_SPARQL_FN_STRSTARTS:
  case FDX_SPARQL_FN_STRENDS:
  case FDX_SPARQL_FN_STRBEFORE:
  case FDX_SPARQL_FN_STRAFTER: {
    const Value* const b = &args[1];
    if (!compatible(a, b)) {
      return ERR(ret);
    }
    if (fn == FDX_SPARQL_FN_STRSTARTS) {
      value_boolean(ret, a->len >= b->len && !memcmp(a->str, b->str, b->len));
    } else if (fn == FDX_SPARQL_FN_STRENDS) {
      value_boolean(ret, a->len >= b->len &&
                           !memcmp(a->str + a->len - b->len, b->str, b->len));
    } else {
      const char* const at =
        b->len ? (const char*)memmem(a->str, a->len, b->str, b->len) : a->str;
      if (fn == FDX_SPARQL_FN_CONTAINS) {
        value_boolean(ret, at != NULL);
      } else if (!at) {
        value_string(ret, "", 0);
      } else if (fn == FDX_SPARQL_FN_STRBEFORE) {
        string_like(ret, a, a->str, (size_t)(at - a->str));
      } else {
        string_like(ret, a, at + b->len, a->len - (size_t)(at - a->str) - b->len);
      }
    }
    return FDX_SUCCESS;
  }
  case FDX_SPARQL_FN_YEAR:
  case FDX_SPARQL_FN_MONTH:
  case FDX_SPARQL_FN_DAY:
  case FDX_SPARQL_FN_HOURS:
  case FDX_SPARQL_FN_MINUTES:
  case FDX_SPARQL_FN_SECONDS:
  case FDX_SPARQL_FN_TIMEZONE:
  case FDX_SPARQL_FN_TZ:
    return fn_date_part(ex, fn, a, ret);
  case FDX_SPARQL_FN_MD5:
  case FDX_SPARQL_FN_SHA1:
  case FDX_SPARQL_FN_SHA256:
  case FDX_SPARQL_FN_SHA384:
  case FDX_SPARQL_FN_SHA512:
    return hash_hex(ex, fn, a, ret);
  case FDX_SPARQL_FN_STRLANG:
    if (a->kind != V_STRING || args[1].kind != V_STRING || !args[1].len) {
      return ERR(ret);
    }
    value_lang(ret, a->str, a->len, args[1].str, args[1].len);
    return FDX_SUCCESS;
  case FDX_SPARQL_FN_STRDT:
    if (a->kind != V_STRING || args[1].kind != V_IRI) {
      return ERR(ret);
    } else {
      FdxTerm t = {FDX_TERM_LITERAL, a->str, a->len, NULL, 0, args[1].str,
                   args[1].len};
      value_from_term(&t, 0, ret);
    }
    return FDX_SUCCESS;
  case FDX_SPARQL_FN_SAMETERM:
    value_boolean(ret, value_same_term(a, &args[1]));
    return FDX_SUCCESS;
  case FDX_SPARQL_FN_ISIRI:
  case FDX_SPARQL_FN_ISURI:
    value_boolean(ret, a->kind == V_IRI);
    return FDX_SUCCESS;
  case FDX_SPARQL_FN_ISBLANK:
    value_boolean(ret, a->kind == V_BNODE);
    return FDX_SUCCESS;
  case FDX_SPARQL_FN_ISLITERAL:
    value_boolean(ret, value_is_literal(a));
    return FDX_SUCCESS;
  case FDX_SPARQL_FN_ISNUMERIC:
    value_boolean(ret, value_is_numeric(a));
    return FDX_SUCCESS;
  case FDX_SPARQL_FN_REGEX:
    return fn_regex(ex, args, e->n_args, ret);
  case FDX_SPARQL_FN_SUBSTR:
    return fn_substr(ex, args, e->n_args, ret);
  case FDX_SPARQL_FN_REPLACE:
    return fn_replace(ex, args, e->n_args, ret);
  default:
    return ERR(ret);
  }
}

/* The inline id of an operand without decoding anything: a variable's
 * id, or a constant literal that fits in an id; 0 otherwise. */
static FdxId
operand_id(Exec* const ex, const FdxSparqlExpr* const e, const FdxId* const row)
{
  if (e->kind == FDX_SPARQL_EXPR_VAR) {
    const FdxId id = row[e->term.index];
    return fdx_id_is_inline(id) ? id : 0;
  }
  if (e->kind == FDX_SPARQL_EXPR_TERM && e->term.kind == FDX_SPARQL_TERM_LITERAL &&
      e->term.datatype) {
    /* Encoding a constant checks its round trip: do it once per query. */
    const size_t slot = ((uintptr_t)e >> 4) % 64;
    if (ex->const_ids[slot].expr == e) {
      return ex->const_ids[slot].id;
    }
    const FdxTerm t = {FDX_TERM_LITERAL, e->term.value, e->term.value_len, NULL, 0,
                       e->term.datatype, e->term.datatype_len};
    FdxId id = 0;
    if (!fdx_term_inline(&t, &id)) {
      id = 0;
    }
    ex->const_ids[slot].expr = e;
    ex->const_ids[slot].id   = id;
    return id;
  }
  return 0;
}

/* Comparisons of two inlined values of one kind need no decoding: ids of
 * integers, decimals and booleans sort by value, and dateTimes by their
 * UTC instant when both have a zone or neither has (the low byte is the
 * zone; zone 0 is none).  Dates only with the same zone.  Returns false
 * where the general path must decide. */
static bool
fast_compare(Exec* const ex, const FdxSparqlExpr* const e, const FdxId* const row,
             int* const ret)
{
  const FdxId x = operand_id(ex, e->args[0], row);
  const FdxId y = x ? operand_id(ex, e->args[1], row) : 0;
  if (!y || fdx_id_tag(x) != fdx_id_tag(y)) {
    return false;
  }
  FdxId a = x, b = y;
  switch (fdx_id_tag(x)) {
  case FDX_TAG_INTEGER:
  case FDX_TAG_DECIMAL:
  case FDX_TAG_BOOLEAN:
    break;
  case FDX_TAG_DATETIME:
    if (!(x & 0xff) != !(y & 0xff)) {
      return false; /* one with a zone, one without: maybe indeterminate */
    }
    a = x >> 8;
    b = y >> 8;
    break;
  case FDX_TAG_DATE:
    if ((x & 0xff) != (y & 0xff)) {
      return false;
    }
    break;
  default:
    return false;
  }
  *ret = a < b ? -1 : a > b ? 1 : 0;
  return true;
}

FdxStatus
expr_eval(Exec* const ex, const FdxSparqlExpr* const e, const FdxId* const row,
          const Value* const aggs, Value* const ret)
{
  FdxStatus st;
  switch (e->kind) {
  case FDX_SPARQL_EXPR_VAR:
    return value_from_id(ex, row[e->term.index], ret);
  case FDX_SPARQL_EXPR_TERM: {
    FdxTerm t = {e->term.kind == FDX_SPARQL_TERM_IRI ? FDX_TERM_IRI : FDX_TERM_LITERAL,
                 e->term.value, e->term.value_len, e->term.lang, e->term.lang_len,
                 e->term.datatype, e->term.datatype_len};
    value_from_term(&t, 0, ret);
    return FDX_SUCCESS;
  }
  case FDX_SPARQL_EXPR_OR:
  case FDX_SPARQL_EXPR_AND: {
    /* Three-valued logic: an error on one side can be masked by the
     * other (17.2). */
    Value a, b;
    if ((st = expr_eval(ex, e->args[0], row, aggs, &a))) {
      return st;
    }
    const int x   = value_ebv(&a);
    const bool or = e->kind == FDX_SPARQL_EXPR_OR;
    if (x == (or ? 1 : 0)) {
      value_boolean(ret, or);
      return FDX_SUCCESS;
    }
    if ((st = expr_eval(ex, e->args[1], row, aggs, &b))) {
      return st;
    }
    const int y = value_ebv(&b);
    if (y == (or ? 1 : 0)) {
      value_boolean(ret, or);
      return FDX_SUCCESS;
    }
    if (x < 0 || y < 0) {
      return ERR(ret);
    }
    value_boolean(ret, !or);
    return FDX_SUCCESS;
  }
  case FDX_SPARQL_EXPR_NOT: {
    Value a;
    if ((st = expr_eval(ex, e->args[0], row, aggs, &a))) {
      return st;
    }
    const int x = value_ebv(&a);
    if (x < 0) {
      return ERR(ret);
    }
    value_boolean(ret, !x);
    return FDX_SUCCESS;
  }
  case FDX_SPARQL_EXPR_EQ:
  case FDX_SPARQL_EXPR_NE:
  case FDX_SPARQL_EXPR_LT:
  case FDX_SPARQL_EXPR_GT:
  case FDX_SPARQL_EXPR_LE:
  case FDX_SPARQL_EXPR_GE: {
    int fc;
    if (fast_compare(ex, e, row, &fc)) {
      value_boolean(ret, e->kind == FDX_SPARQL_EXPR_EQ   ? fc == 0
                         : e->kind == FDX_SPARQL_EXPR_NE ? fc != 0
                         : e->kind == FDX_SPARQL_EXPR_LT ? fc < 0
                         : e->kind == FDX_SPARQL_EXPR_GT ? fc > 0
                         : e->kind == FDX_SPARQL_EXPR_LE ? fc <= 0
                                                         : fc >= 0);
      return FDX_SUCCESS;
    }
    Value a, b;
    if ((st = expr_eval(ex, e->args[0], row, aggs, &a)) ||
        (st = expr_eval(ex, e->args[1], row, aggs, &b))) {
      return st;
    }
    if (a.kind == V_UNBOUND || b.kind == V_UNBOUND) {
      return ERR(ret);
    }
    if (e->kind == FDX_SPARQL_EXPR_EQ || e->kind == FDX_SPARQL_EXPR_NE) {
      const int eq = value_equal(&a, &b);
      if (eq < 0) {
        return ERR(ret);
      }
      value_boolean(ret, e->kind == FDX_SPARQL_EXPR_EQ ? eq : !eq);
      return FDX_SUCCESS;
    }
    int c;
    if (!value_compare(&a, &b, &c)) {
      return ERR(ret);
    }
    value_boolean(ret, e->kind == FDX_SPARQL_EXPR_LT   ? c < 0
                       : e->kind == FDX_SPARQL_EXPR_GT ? c > 0
                       : e->kind == FDX_SPARQL_EXPR_LE ? c <= 0
                                                       : c >= 0);
    return FDX_SUCCESS;
  }
  case FDX_SPARQL_EXPR_IN:
  case FDX_SPARQL_EXPR_NOT_IN: {
    Value a;
    if ((st = expr_eval(ex, e->args[0], row, aggs, &a))) {
      return st;
    }
    if (a.kind == V_UNBOUND) {
      return ERR(ret);
    }
    bool error = false;
    for (uint32_t i = 1; i < e->n_args; ++i) {
      Value b;
      if ((st = expr_eval(ex, e->args[i], row, aggs, &b))) {
        return st;
      }
      const int eq = b.kind == V_UNBOUND ? -1 : value_equal(&a, &b);
      if (eq > 0) {
        value_boolean(ret, e->kind == FDX_SPARQL_EXPR_IN);
        return FDX_SUCCESS;
      }
      error = error || eq < 0;
    }
    if (error) {
      return ERR(ret);
    }
    value_boolean(ret, e->kind != FDX_SPARQL_EXPR_IN);
    return FDX_SUCCESS;
  }
  case FDX_SPARQL_EXPR_ADD:
  case FDX_SPARQL_EXPR_SUB:
  case FDX_SPARQL_EXPR_MUL:
  case FDX_SPARQL_EXPR_DIV: {
    Value a, b;
    if ((st = expr_eval(ex, e->args[0], row, aggs, &a)) ||
        (st = expr_eval(ex, e->args[1], row, aggs, &b))) {
      return st;
    }
    return arith(e->kind, &a, &b, ret);
  }
  case FDX_SPARQL_EXPR_PLUS:
  case FDX_SPARQL_EXPR_MINUS: {
    Value a;
    if ((st = expr_eval(ex, e->args[0], row, aggs, &a))) {
      return st;
    }
    if (!value_is_numeric(&a)) {
      return ERR(ret);
    }
    if (e->kind == FDX_SPARQL_EXPR_PLUS) {
      *ret     = a;
      return FDX_SUCCESS;
    }
    if (a.kind == V_INTEGER) {
      value_integer(ret, -a.v.i);
    } else {
      value_of_kind(ret, a.kind, -a.v.d);
    }
    return FDX_SUCCESS;
  }
  case FDX_SPARQL_EXPR_CALL:
    return call_builtin(ex, e, row, aggs, ret);
  case FDX_SPARQL_EXPR_FUNCTION: {
    Value args[4];
    if (e->n_args > 4) {
      return ERR(ret);
    }
    if ((st = eval_args(ex, e, row, aggs, args))) {
      return st;
    }
    for (uint32_t i = 0; i < e->n_args; ++i) {
      if (args[i].kind == V_UNBOUND) {
        return ERR(ret);
      }
    }
    return expr_call_function(ex, &e->iri, args, e->n_args, ret);
  }
  case FDX_SPARQL_EXPR_AGGREGATE:
    if (!aggs) {
      return ERR(ret);
    }
    *ret = aggs[e->agg_index];
    return FDX_SUCCESS;
  }
  return ERR(ret);
}
