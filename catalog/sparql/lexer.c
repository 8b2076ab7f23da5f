/*
 * lexer.c: the SPARQL 1.1 tokenizer (grammar section 19.8, the terminals),
 * UTF-8 checking and positions, and the arena the syntax tree lives in.
 *
 * The tokenizer follows the spec's longest-match rule, so `<?b>` in
 * `?a<?b>` is an IRI, as the spec says it is.  Signs are always separate
 * tokens: the parser joins a `+` or `-` to the number right after it when
 * nothing lies between them, which is what the INTEGER_POSITIVE etc.
 * terminals mean, and lets `?a -1` be a subtraction as the grammar's
 * AdditiveExpression rule wants.  `(` `)` and `[` `]` are separate tokens
 * too; the parser recognises NIL and ANON.
 *
 * Invariant: the text is valid UTF-8 (checked once, up front, by the
 * caller), so every decode below is of a well-formed sequence.
 *
 * The arena hands out zeroed memory from blocks it never reuses, so a
 * node freshly allocated is already all-NULL / all-zero; it counts what it
 * has taken from malloc and refuses to go over its limit.
 */
#include "lexer.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ------------------------------------------------------------------------
 * Arena
 * --------------------------------------------------------------------- */

typedef struct ArenaBlock
{
  struct ArenaBlock* next;
  size_t             size;
  size_t             used;
  max_align_t        data[];
} ArenaBlock;

struct FdxSparqlArenaImpl
{
  ArenaBlock* head;
  size_t      total;
  size_t      limit;
  bool        over_limit;
};

#define ARENA_MIN_BLOCK ((size_t)4096)
#define ARENA_MAX_BLOCK ((size_t)256 * 1024)

FdxSparqlArena*
fdx_sparql_arena_new(const size_t limit)
{
  FdxSparqlArena* const arena = (FdxSparqlArena*)calloc(1, sizeof(*arena));
  if (arena) {
    arena->limit = limit;
  }
  return arena;
}

void
fdx_sparql_arena_free(FdxSparqlArena* const arena)
{
  if (!arena) {
    return;
  }
  ArenaBlock* b = arena->head;
  while (b) {
    ArenaBlock* const next = b->next;
    free(b);
    b = next;
  }
  free(arena);
}

FdxStatus
fdx_sparql_arena_status(const FdxSparqlArena* const arena)
{
  return arena->over_limit ? FDX_ERR_LIMIT : FDX_ERR_NO_MEMORY;
}

void*
fdx_sparql_arena_alloc(FdxSparqlArena* const arena, size_t size)
{
  const size_t align = sizeof(max_align_t);
  if (size > arena->limit) {
    arena->over_limit = true;
    return NULL;
  }
  size = (size + align - 1) / align * align;
  if (size == 0) {
    size = align;
  }

  ArenaBlock* b = arena->head;
  if (b && b->size - b->used >= size) {
    void* const ptr = (char*)b->data + b->used;
    b->used += size;
    return ptr;
  }

  /* A new block: twice the last one, up to a cap, and never smaller than
   * the request.  An allocation bigger than the usual block gets a block
   * of its own behind the head, so the head's free room is not lost. */
  size_t block = b ? b->size * 2 : ARENA_MIN_BLOCK;
  if (block > ARENA_MAX_BLOCK) {
    block = ARENA_MAX_BLOCK;
  }
  const bool own = size > block;
  if (own) {
    block = size;
  }
  if (arena->total + block > arena->limit) {
    arena->over_limit = true;
    return NULL;
  }
  ArenaBlock* const nb = (ArenaBlock*)calloc(1, sizeof(ArenaBlock) + block);
  if (!nb) {
    return NULL;
  }
  arena->total += block;
  nb->size = block;
  nb->used = size;
  if (own && b) {
    nb->next = b->next;
    b->next  = nb;
  } else {
    nb->next    = b;
    arena->head = nb;
  }
  return nb->data;
}

char*
fdx_sparql_arena_strdup(FdxSparqlArena* const arena,
                        const char* const     str,
                        const size_t          len)
{
  char* const out = (char*)fdx_sparql_arena_alloc(arena, len + 1);
  if (out && len) {
    memcpy(out, str, len);
  }
  return out;
}

/* ------------------------------------------------------------------------
 * Characters
 * --------------------------------------------------------------------- */

FdxStatus
fdx_sparql_check_utf8(const char* const text,
                      const size_t      len,
                      size_t* const     ret_offset)
{
  const unsigned char* const s = (const unsigned char*)text;
  size_t                     i = 0;
  while (i < len) {
    const unsigned c   = s[i];
    size_t         n   = 0;
    uint32_t       cp  = 0;
    uint32_t       min = 0;
    if (c < 0x80) {
      ++i;
      continue;
    }
    if (c >= 0xC2 && c <= 0xDF) {
      n   = 2;
      cp  = c & 0x1F;
      min = 0x80;
    } else if (c >= 0xE0 && c <= 0xEF) {
      n   = 3;
      cp  = c & 0x0F;
      min = 0x800;
    } else if (c >= 0xF0 && c <= 0xF4) {
      n   = 4;
      cp  = c & 0x07;
      min = 0x10000;
    } else {
      *ret_offset = i;
      return FDX_ERR_SYNTAX;
    }
    if (len - i < n) {
      *ret_offset = i;
      return FDX_ERR_SYNTAX;
    }
    for (size_t k = 1; k < n; ++k) {
      if ((s[i + k] & 0xC0) != 0x80) {
        *ret_offset = i;
        return FDX_ERR_SYNTAX;
      }
      cp = (cp << 6) | (s[i + k] & 0x3F);
    }
    if (cp < min || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) {
      *ret_offset = i;
      return FDX_ERR_SYNTAX;
    }
    i += n;
  }
  return FDX_SUCCESS;
}

void
fdx_sparql_position(const char* const text,
                    const size_t      len,
                    size_t            offset,
                    long* const       ret_line,
                    long* const       ret_column)
{
  long   line   = 1;
  long   column = 1;
  size_t i      = 0;
  if (offset > len) {
    offset = len;
  }
  /* A byte order mark is no part of the text: column 1 is after it. */
  if (len >= 3 && !memcmp(text, "\xEF\xBB\xBF", 3) && offset >= 3) {
    i = 3;
  }
  for (; i < offset; ++i) {
    const unsigned char c = (unsigned char)text[i];
    if (c == '\n' || (c == '\r' && (i + 1 >= len || text[i + 1] != '\n'))) {
      ++line;
      column = 1;
    } else if (c == '\r') {
      /* The CR of a CR LF: the LF ends the line. */
    } else if ((c & 0xC0) != 0x80) {
      ++column;
    }
  }
  *ret_line   = line;
  *ret_column = column;
}

size_t
fdx_sparql_utf8_put(const uint32_t cp, char* const out)
{
  unsigned char* const o = (unsigned char*)out;
  if (cp < 0x80) {
    o[0] = (unsigned char)cp;
    return 1;
  }
  if (cp < 0x800) {
    o[0] = (unsigned char)(0xC0 | (cp >> 6));
    o[1] = (unsigned char)(0x80 | (cp & 0x3F));
    return 2;
  }
  if (cp < 0x10000) {
    o[0] = (unsigned char)(0xE0 | (cp >> 12));
    o[1] = (unsigned char)(0x80 | ((cp >> 6) & 0x3F));
    o[2] = (unsigned char)(0x80 | (cp & 0x3F));
    return 3;
  }
  o[0] = (unsigned char)(0xF0 | (cp >> 18));
  o[1] = (unsigned char)(0x80 | ((cp >> 12) & 0x3F));
  o[2] = (unsigned char)(0x80 | ((cp >> 6) & 0x3F));
  o[3] = (unsigned char)(0x80 | (cp & 0x3F));
  return 4;
}

/* The character at `pos` and its length in bytes; 0 and 0 at the end. */
static uint32_t
char_at(const FdxLexer* const lex, const size_t pos, size_t* const ret_n)
{
  if (pos >= lex->len) {
    *ret_n = 0;
    return 0;
  }
  const unsigned char* const s = (const unsigned char*)lex->text + pos;
  const unsigned             c = s[0];
  if (c < 0x80) {
    *ret_n = 1;
    return c;
  }
  if (c < 0xE0) {
    *ret_n = 2;
    return ((uint32_t)(c & 0x1F) << 6) | (s[1] & 0x3F);
  }
  if (c < 0xF0) {
    *ret_n = 3;
    return ((uint32_t)(c & 0x0F) << 12) | ((uint32_t)(s[1] & 0x3F) << 6) |
           (s[2] & 0x3F);
  }
  *ret_n = 4;
  return ((uint32_t)(c & 0x07) << 18) | ((uint32_t)(s[1] & 0x3F) << 12) |
         ((uint32_t)(s[2] & 0x3F) << 6) | (s[3] & 0x3F);
}

static bool
is_digit(const uint32_t c)
{
  return c >= '0' && c <= '9';
}

static bool
is_alpha(const uint32_t c)
{
  return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z');
}

static int
hex_value(const uint32_t c)
{
  if (c >= '0' && c <= '9') {
    return (int)(c - '0');
  }
  if (c >= 'A' && c <= 'F') {
    return (int)(c - 'A' + 10);
  }
  if (c >= 'a' && c <= 'f') {
    return (int)(c - 'a' + 10);
  }
  return -1;
}

/* PN_CHARS_BASE of the grammar. */
static bool
is_pn_chars_base(const uint32_t c)
{
  return is_alpha(c) || (c >= 0xC0 && c <= 0xD6) || (c >= 0xD8 && c <= 0xF6) ||
         (c >= 0xF8 && c <= 0x2FF) || (c >= 0x370 && c <= 0x37D) ||
         (c >= 0x37F && c <= 0x1FFF) || (c >= 0x200C && c <= 0x200D) ||
         (c >= 0x2070 && c <= 0x218F) || (c >= 0x2C00 && c <= 0x2FEF) ||
         (c >= 0x3001 && c <= 0xD7FF) || (c >= 0xF900 && c <= 0xFDCF) ||
         (c >= 0xFDF0 && c <= 0xFFFD) || (c >= 0x10000 && c <= 0xEFFFF);
}

static bool
is_pn_chars_u(const uint32_t c)
{
  return c == '_' || is_pn_chars_base(c);
}

/* What VARNAME and PN_CHARS allow after the first character, less '-'. */
static bool
is_name_rest(const uint32_t c)
{
  return is_pn_chars_u(c) || is_digit(c) || c == 0xB7 ||
         (c >= 0x300 && c <= 0x36F) || (c >= 0x203F && c <= 0x2040);
}

static bool
is_pn_chars(const uint32_t c)
{
  return c == '-' || is_name_rest(c);
}

/* Characters that may follow a backslash in a local name (PN_LOCAL_ESC). */
static bool
is_local_escape(const uint32_t c)
{
  return c && strchr("_~.-!$&'()*+,;=/?#@%", (int)c) != NULL;
}

static bool
is_iri_forbidden(const uint32_t c)
{
  return c <= 0x20 || c == '<' || c == '>' || c == '"' || c == '{' ||
         c == '}' || c == '|' || c == '^' || c == '`' || c == '\\';
}

/* "'x'" for a printable ASCII character, else "U+XXXX". */
static void
describe_char(const uint32_t c, char* const out, const size_t size)
{
  if (c > 0x20 && c < 0x7F) {
    snprintf(out, size, "'%c'", (char)c);
  } else {
    snprintf(out, size, "U+%04X", (unsigned)c);
  }
}

#if defined(__GNUC__)
__attribute__((format(printf, 3, 4)))
#endif
static FdxStatus
lex_error(FdxLexer* const lex, const size_t offset, const char* const fmt, ...)
{
  lex->err_offset = offset;
  va_list args;
  va_start(args, fmt);
  vsnprintf(lex->err_msg, sizeof(lex->err_msg), fmt, args);
  va_end(args);
  return FDX_ERR_SYNTAX;
}

/* Describe what is at `pos` for a "found" clause. */
static void
describe_at(const FdxLexer* const lex,
            const size_t          pos,
            char* const           out,
            const size_t          size)
{
  size_t         n = 0;
  const uint32_t c = char_at(lex, pos, &n);
  if (!n) {
    snprintf(out, size, "end of input");
  } else if (c == '\n' || c == '\r') {
    snprintf(out, size, "end of line");
  } else {
    describe_char(c, out, size);
  }
}

/* ------------------------------------------------------------------------
 * Keywords
 * --------------------------------------------------------------------- */

static const char* const keyword_names[] = {
#define FDX_KW_NAME_(name) #name,
  FDX_SPARQL_KEYWORDS(FDX_KW_NAME_)
#undef FDX_KW_NAME_
};

#define N_KEYWORDS (sizeof(keyword_names) / sizeof(keyword_names[0]))

const char*
fdx_sparql_keyword_name(const FdxKeyword kw)
{
  if (kw == FDX_KW_A) {
    return "a";
  }
  if (kw >= FDX_KW_ABS && kw < FDX_KW_COUNT_) {
    return keyword_names[kw - FDX_KW_ABS];
  }
  return "?";
}

static FdxKeyword
keyword_lookup(const char* const word, const size_t len)
{
  char upper[24];
  if (len == 1 && word[0] == 'a') {
    return FDX_KW_A;
  }
  if (len >= sizeof(upper)) {
    return FDX_KW_NONE;
  }
  for (size_t i = 0; i < len; ++i) {
    const char c = word[i];
    upper[i]     = (c >= 'a' && c <= 'z') ? (char)(c - 'a' + 'A') : c;
  }
  upper[len] = '\0';
  size_t lo  = 0;
  size_t hi  = N_KEYWORDS;
  while (lo < hi) {
    const size_t mid = lo + (hi - lo) / 2;
    const int    cmp = strcmp(upper, keyword_names[mid]);
    if (cmp == 0) {
      return (FdxKeyword)(FDX_KW_ABS + mid);
    }
    if (cmp < 0) {
      hi = mid;
    } else {
      lo = mid + 1;
    }
  }
  return FDX_KW_NONE;
}

/* ------------------------------------------------------------------------
 * Tokens
 * --------------------------------------------------------------------- */

void
fdx_sparql_lexer_init(FdxLexer* const       lex,
                      FdxSparqlArena* const arena,
                      const char* const     text,
                      const size_t          len)
{
  memset(lex, 0, sizeof(*lex));
  lex->arena = arena;
  lex->text  = text;
  lex->len   = len;
  /* A byte order mark is no part of the query. */
  if (len >= 3 && !memcmp(text, "\xEF\xBB\xBF", 3)) {
    lex->pos = 3;
  }
}

static FdxStatus
no_room(FdxLexer* const lex)
{
  return fdx_sparql_arena_status(lex->arena);
}

static void
skip_space(FdxLexer* const lex)
{
  while (lex->pos < lex->len) {
    const char c = lex->text[lex->pos];
    if (c == ' ' || c == '\t' || c == '\r' || c == '\n') {
      ++lex->pos;
    } else if (c == '#') {
      while (lex->pos < lex->len && lex->text[lex->pos] != '\n' &&
             lex->text[lex->pos] != '\r') {
        ++lex->pos;
      }
    } else {
      break;
    }
  }
}

/* Read the `ndigits` hex digits of a \u or \U escape at `pos` (just after
 * the 'u' or 'U') into *ret_cp.  Returns the offset of the first bad
 * digit, or (size_t)-1 if all are good. */
static size_t
read_hex(const FdxLexer* const lex,
         const size_t          pos,
         const unsigned        ndigits,
         uint32_t* const       ret_cp)
{
  uint32_t cp = 0;
  for (unsigned k = 0; k < ndigits; ++k) {
    const int h =
      pos + k < lex->len ? hex_value((unsigned char)lex->text[pos + k]) : -1;
    if (h < 0) {
      return pos + k;
    }
    cp = (cp << 4) | (uint32_t)h;
  }
  *ret_cp = cp;
  return (size_t)-1;
}

/* Decode the \u or \U escape whose backslash is at `pos`: its character in
 * *ret_cp and its length in *ret_n. */
static FdxStatus
read_codepoint_escape(FdxLexer* const lex,
                      const size_t    pos,
                      uint32_t* const ret_cp,
                      size_t* const   ret_n)
{
  const char     kind    = lex->text[pos + 1];
  const unsigned ndigits = kind == 'u' ? 4u : 8u;
  uint32_t       cp      = 0;
  const size_t   bad     = read_hex(lex, pos + 2, ndigits, &cp);
  if (bad != (size_t)-1) {
    char found[32];
    describe_at(lex, bad, found, sizeof(found));
    return lex_error(lex,
                     bad,
                     "expected %u hex digits after '\\%c', found %s",
                     ndigits,
                     kind,
                     found);
  }
  if (cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) {
    return lex_error(lex,
                     pos,
                     "expected the code point of a Unicode character, found "
                     "'\\%c%.*s' (%s)",
                     kind,
                     (int)ndigits,
                     lex->text + pos + 2,
                     cp > 0x10FFFF ? "beyond U+10FFFF" : "a surrogate");
  }
  *ret_cp = cp;
  *ret_n  = 2 + ndigits;
  return FDX_SUCCESS;
}

/* Whether the text at `pos` ('<') is an IRIREF; if so *ret_end is just
 * after its '>'. */
static bool
scan_iri(const FdxLexer* const lex, const size_t pos, size_t* const ret_end)
{
  size_t j = pos + 1;
  while (j < lex->len) {
    size_t         n = 0;
    const uint32_t c = char_at(lex, j, &n);
    if (c == '>') {
      *ret_end = j + 1;
      return true;
    }
    if (c == '\\') {
      uint32_t       cp   = 0;
      const char     kind = j + 1 < lex->len ? lex->text[j + 1] : '\0';
      const unsigned nd   = kind == 'u' ? 4u : kind == 'U' ? 8u : 0u;
      if (!nd || read_hex(lex, j + 2, nd, &cp) != (size_t)-1) {
        return false;
      }
      j += 2 + nd;
      continue;
    }
    if (is_iri_forbidden(c)) {
      return false;
    }
    j += n;
  }
  return false;
}

void
fdx_sparql_lex_explain_iri(FdxLexer* const lex, const size_t offset)
{
  size_t j = offset + 1;
  while (j < lex->len) {
    size_t         n = 0;
    const uint32_t c = char_at(lex, j, &n);
    if (c == '>') {
      break;
    }
    if (c == '\\') {
      uint32_t cp = 0;
      size_t   en = 0;
      if (j + 1 < lex->len &&
          (lex->text[j + 1] == 'u' || lex->text[j + 1] == 'U')) {
        if (read_codepoint_escape(lex, j, &cp, &en)) {
          return;
        }
        j += en;
        continue;
      }
    }
    if (is_iri_forbidden(c)) {
      char found[32];
      describe_at(lex, j, found, sizeof(found));
      lex_error(lex, j, "expected an IRI character or '>', found %s", found);
      return;
    }
    j += n;
  }
  if (j >= lex->len) {
    lex_error(lex, j, "expected '>' to end the IRI, found end of input");
    return;
  }
  lex_error(lex, offset, "expected an IRI, found '<'");
}

static FdxStatus
lex_iri(FdxLexer* const lex, FdxToken* const tok, const size_t end)
{
  const size_t start = lex->pos;
  char* const  out   = (char*)fdx_sparql_arena_alloc(lex->arena, end - start);
  if (!out) {
    return no_room(lex);
  }
  size_t o = 0;
  size_t j = start + 1;
  while (j < end - 1) {
    if (lex->text[j] == '\\') {
      uint32_t        cp = 0;
      size_t          n  = 0;
      const FdxStatus st = read_codepoint_escape(lex, j, &cp, &n);
      if (st) {
        return st;
      }
      if (is_iri_forbidden(cp)) {
        char what[32];
        describe_char(cp, what, sizeof(what));
        return lex_error(
          lex, j, "expected an IRI character, found an escape for %s", what);
      }
      o += fdx_sparql_utf8_put(cp, out + o);
      j += n;
    } else {
      out[o++] = lex->text[j++];
    }
  }
  out[o]    = '\0';
  tok->kind = FDX_TOK_IRIREF;
  tok->str  = out;
  tok->len  = o;
  lex->pos  = end;
  return FDX_SUCCESS;
}

/* Scan (out NULL) or decode (out non-NULL) the string whose opening quote
 * is at the lexer's position: *ret_len is the decoded length and *ret_end
 * the offset just after the closing quote.  Decoding never makes a string
 * longer, but scanning first lets the token take only the room it needs. */
static FdxStatus
string_body(FdxLexer* const lex,
            char* const     out,
            size_t* const   ret_len,
            size_t* const   ret_end)
{
  const size_t start   = lex->pos;
  const char   q       = lex->text[start];
  const bool   is_long = start + 2 < lex->len && lex->text[start + 1] == q &&
                       lex->text[start + 2] == q;
  const char* const close = q == '"' ? (is_long ? "'\"\"\"'" : "'\"'")
                                     : (is_long ? "\"'''\"" : "\"'\"");
  size_t            o     = 0;
  size_t            j     = start + (is_long ? 3 : 1);
  for (;;) {
    if (j >= lex->len) {
      return lex_error(
        lex, start, "expected %s to end the string, found end of input", close);
    }
    const char c = lex->text[j];
    char       d = c;
    size_t     n = 1;
    if (c == q) {
      if (!is_long) {
        ++j;
        break;
      }
      if (j + 2 < lex->len && lex->text[j + 1] == q && lex->text[j + 2] == q) {
        j += 3;
        break;
      }
    } else if (c == '\\') {
      const char e = j + 1 < lex->len ? lex->text[j + 1] : '\0';
      n            = 2;
      switch (e) {
        case 't':
          d = '\t';
          break;
        case 'b':
          d = '\b';
          break;
        case 'n':
          d = '\n';
          break;
        case 'r':
          d = '\r';
          break;
        case 'f':
          d = '\f';
          break;
        case '"':
        case '\'':
        case '\\':
          d = e;
          break;
        case 'u':
        case 'U': {
          uint32_t        cp = 0;
          const FdxStatus st = read_codepoint_escape(lex, j, &cp, &n);
          if (st) {
            return st;
          }
          char buf[4];
          o += fdx_sparql_utf8_put(cp, out ? out + o : buf);
          j += n;
          continue;
        }
        default: {
          char found[32];
          describe_at(lex, j + 1, found, sizeof(found));
          return lex_error(lex,
                           j,
                           "expected an escape (\\t \\b \\n \\r \\f \\\" \\' "
                           "\\\\ \\uXXXX \\UXXXXXXXX) after '\\', found %s",
                           found);
        }
      }
    } else if (!is_long && (c == '\n' || c == '\r')) {
      return lex_error(
        lex, j, "expected %s to end the string, found end of line", close);
    }
    if (out) {
      out[o] = d;
    }
    ++o;
    j += n;
  }
  *ret_len = o;
  *ret_end = j;
  return FDX_SUCCESS;
}

static FdxStatus
lex_string(FdxLexer* const lex, FdxToken* const tok)
{
  size_t    len = 0;
  size_t    end = 0;
  FdxStatus st  = string_body(lex, NULL, &len, &end);
  if (st) {
    return st;
  }
  char* const out = (char*)fdx_sparql_arena_alloc(lex->arena, len + 1);
  if (!out) {
    return no_room(lex);
  }
  st = string_body(lex, out, &len, &end);
  if (st) {
    return st;
  }
  out[len]  = '\0';
  tok->kind = FDX_TOK_STRING;
  tok->str  = out;
  tok->len  = len;
  lex->pos  = end;
  return FDX_SUCCESS;
}

static FdxStatus
lex_number(FdxLexer* const lex, FdxToken* const tok)
{
  const size_t start = lex->pos;
  size_t       j     = start;
  FdxTokKind   kind  = FDX_TOK_INTEGER;
  while (j < lex->len && is_digit((unsigned char)lex->text[j])) {
    ++j;
  }
  const bool int_digits = j > start;
  if (j < lex->len && lex->text[j] == '.') {
    size_t k = j + 1;
    while (k < lex->len && is_digit((unsigned char)lex->text[k])) {
      ++k;
    }
    if (k > j + 1) {
      kind = FDX_TOK_DECIMAL;
      j    = k;
    } else if (int_digits && k < lex->len &&
               (lex->text[k] == 'e' || lex->text[k] == 'E')) {
      /* "1.e3" is a double; "1." is the integer 1 and a '.' */
      size_t m = k + 1;
      if (m < lex->len && (lex->text[m] == '+' || lex->text[m] == '-')) {
        ++m;
      }
      if (m < lex->len && is_digit((unsigned char)lex->text[m])) {
        j = k;
      }
    }
  }
  if (j < lex->len && (lex->text[j] == 'e' || lex->text[j] == 'E') &&
      (int_digits || kind == FDX_TOK_DECIMAL)) {
    size_t m = j + 1;
    if (m < lex->len && (lex->text[m] == '+' || lex->text[m] == '-')) {
      ++m;
    }
    if (m < lex->len && is_digit((unsigned char)lex->text[m])) {
      while (m < lex->len && is_digit((unsigned char)lex->text[m])) {
        ++m;
      }
      kind = FDX_TOK_DOUBLE;
      j    = m;
    }
  }
  tok->kind = kind;
  tok->str  = fdx_sparql_arena_strdup(lex->arena, lex->text + start, j - start);
  if (!tok->str) {
    return no_room(lex);
  }
  tok->len = j - start;
  lex->pos = j;
  return FDX_SUCCESS;
}

/* Scan a local name (PN_LOCAL) or blank node label from `pos`.  Returns
 * the end: trailing dots are not part of the name.  Local names allow
 * ':' and the escapes \x and %XX; labels allow neither. */
static FdxStatus
scan_local(FdxLexer* const lex,
           const size_t    pos,
           const bool      is_label,
           size_t* const   ret_end)
{
  size_t j     = pos;
  size_t end   = pos;
  bool   first = true;
  for (;;) {
    size_t         n = 0;
    const uint32_t c = char_at(lex, j, &n);
    if (!n) {
      break;
    }
    if (!is_label && c == '%') {
      if (j + 2 >= lex->len || hex_value((unsigned char)lex->text[j + 1]) < 0 ||
          hex_value((unsigned char)lex->text[j + 2]) < 0) {
        char found[32];
        describe_at(lex,
                    j + 1 < lex->len &&
                        hex_value((unsigned char)lex->text[j + 1]) >= 0
                      ? j + 2
                      : j + 1,
                    found,
                    sizeof(found));
        return lex_error(lex,
                         j,
                         "expected two hex digits after '%%' in a prefixed "
                         "name, found %s",
                         found);
      }
      j += 3;
      end = j;
    } else if (!is_label && c == '\\') {
      size_t         en = 0;
      const uint32_t e  = char_at(lex, j + 1, &en);
      if (!is_local_escape(e)) {
        char found[32];
        describe_at(lex, j + 1, found, sizeof(found));
        return lex_error(lex,
                         j,
                         "expected one of _~.-!$&'()*+,;=/?#@%% after '\\' in "
                         "a prefixed name, found %s",
                         found);
      }
      j += 1 + en;
      end = j;
    } else if (first
                 ? (is_pn_chars_u(c) || is_digit(c) || (!is_label && c == ':'))
                 : (is_pn_chars(c) || (!is_label && c == ':'))) {
      j += n;
      end = j;
    } else if (!first && c == '.') {
      j += n;
    } else {
      break;
    }
    first = false;
  }
  *ret_end = end;
  return FDX_SUCCESS;
}

/* The local part from `pos` to `end` with \x escapes undone (%XX stays). */
static char*
unescape_local(FdxLexer* const lex,
               const size_t    pos,
               const size_t    end,
               size_t* const   ret_len)
{
  char* const out = (char*)fdx_sparql_arena_alloc(lex->arena, end - pos + 1);
  if (!out) {
    return NULL;
  }
  size_t o = 0;
  for (size_t j = pos; j < end; ++j) {
    if (lex->text[j] == '\\') {
      ++j;
    }
    out[o++] = lex->text[j];
  }
  out[o]   = '\0';
  *ret_len = o;
  return out;
}

/* A prefixed name, or a keyword, starting at a PN_CHARS_BASE or ':'. */
static FdxStatus
lex_name(FdxLexer* const lex, FdxToken* const tok)
{
  const size_t start = lex->pos;
  size_t       j     = start;
  size_t       last  = start; /* just after the last non-'.' character */
  while (start >= lex->no_pname_end) {
    size_t         n = 0;
    const uint32_t c = char_at(lex, j, &n);
    if (!n) {
      break;
    }
    if (j == start ? is_pn_chars_base(c) : is_pn_chars(c)) {
      j += n;
      last = j;
    } else if (j > start && c == '.') {
      j += n;
    } else {
      break;
    }
  }
  if (start < lex->no_pname_end) {
    /* Inside a run already found not to be a prefixed name. */
  } else if (j < lex->len && lex->text[j] == ':' && last == j) {
    /* PNAME_NS or PNAME_LN */
    size_t          end = 0;
    const FdxStatus st  = scan_local(lex, j + 1, false, &end);
    if (st) {
      return st;
    }
    tok->kind = FDX_TOK_PNAME;
    tok->str =
      fdx_sparql_arena_strdup(lex->arena, lex->text + start, j - start);
    tok->len   = j - start;
    tok->local = unescape_local(lex, j + 1, end, &tok->local_len);
    if (!tok->str || !tok->local) {
      return no_room(lex);
    }
    lex->pos = end;
    return FDX_SUCCESS;
  } else {
    lex->no_pname_end = j;
  }

  /* A word: letters, digits and '_' only. */
  j = start;
  while (j < lex->len) {
    const unsigned char c = (unsigned char)lex->text[j];
    if (is_alpha(c) || is_digit(c) || c == '_') {
      ++j;
    } else {
      break;
    }
  }
  if (j == start) {
    size_t         n = 0;
    const uint32_t c = char_at(lex, start, &n);
    char           what[32];
    describe_char(c, what, sizeof(what));
    return lex_error(lex, start, "expected a token, found %s", what);
  }
  tok->kind = FDX_TOK_WORD;
  tok->kw   = keyword_lookup(lex->text + start, j - start);
  lex->pos  = j;
  return FDX_SUCCESS;
}

static FdxStatus
lex_var(FdxLexer* const lex, FdxToken* const tok)
{
  const size_t start = lex->pos;
  size_t       j     = start + 1;
  for (;;) {
    size_t         n = 0;
    const uint32_t c = char_at(lex, j, &n);
    if (n && (j == start + 1 ? (is_pn_chars_u(c) || is_digit(c))
                             : is_name_rest(c))) {
      j += n;
    } else {
      break;
    }
  }
  tok->kind = FDX_TOK_VAR;
  tok->str =
    fdx_sparql_arena_strdup(lex->arena, lex->text + start + 1, j - start - 1);
  if (!tok->str) {
    return no_room(lex);
  }
  tok->len = j - start - 1;
  lex->pos = j;
  return FDX_SUCCESS;
}

static FdxStatus
lex_bnode(FdxLexer* const lex, FdxToken* const tok)
{
  const size_t start = lex->pos;
  size_t       end   = 0;
  FdxStatus    st    = scan_local(lex, start + 2, true, &end);
  if (st) {
    return st;
  }
  if (end == start + 2) {
    char found[32];
    describe_at(lex, start + 2, found, sizeof(found));
    return lex_error(lex,
                     start + 2,
                     "expected a blank node label after '_:', found %s",
                     found);
  }
  tok->kind = FDX_TOK_BNODE;
  tok->str =
    fdx_sparql_arena_strdup(lex->arena, lex->text + start + 2, end - start - 2);
  if (!tok->str) {
    return no_room(lex);
  }
  tok->len = end - start - 2;
  lex->pos = end;
  return FDX_SUCCESS;
}

static FdxStatus
lex_langtag(FdxLexer* const lex, FdxToken* const tok)
{
  const size_t start = lex->pos;
  size_t       j     = start + 1;
  while (j < lex->len && is_alpha((unsigned char)lex->text[j])) {
    ++j;
  }
  if (j == start + 1) {
    char found[32];
    describe_at(lex, j, found, sizeof(found));
    return lex_error(
      lex, j, "expected a language tag after '@', found %s", found);
  }
  while (j + 1 < lex->len && lex->text[j] == '-' &&
         (is_alpha((unsigned char)lex->text[j + 1]) ||
          is_digit((unsigned char)lex->text[j + 1]))) {
    ++j;
    while (j < lex->len && (is_alpha((unsigned char)lex->text[j]) ||
                            is_digit((unsigned char)lex->text[j]))) {
      ++j;
    }
  }
  tok->kind = FDX_TOK_LANGTAG;
  tok->str =
    fdx_sparql_arena_strdup(lex->arena, lex->text + start + 1, j - start - 1);
  if (!tok->str) {
    return no_room(lex);
  }
  tok->len = j - start - 1;
  lex->pos = j;
  return FDX_SUCCESS;
}

static FdxStatus
punct(FdxLexer* const  lex,
      FdxToken* const  tok,
      const FdxTokKind kind,
      const size_t     n)
{
  tok->kind = kind;
  lex->pos += n;
  return FDX_SUCCESS;
}

static FdxStatus
lex_token(FdxLexer* const lex, FdxToken* const tok)
{
  const char* const t = lex->text;
  const size_t      p = lex->pos;
  const char        c = t[p];
  const char        d = p + 1 < lex->len ? t[p + 1] : '\0';
  switch (c) {
    case '<': {
      size_t end = 0;
      if (scan_iri(lex, p, &end)) {
        return lex_iri(lex, tok, end);
      }
      return d == '=' ? punct(lex, tok, FDX_TOK_LE, 2)
                      : punct(lex, tok, FDX_TOK_LT, 1);
    }
    case '>':
      return d == '=' ? punct(lex, tok, FDX_TOK_GE, 2)
                      : punct(lex, tok, FDX_TOK_GT, 1);
    case '"':
    case '\'':
      return lex_string(lex, tok);
    case '?':
    case '$': {
      size_t         n  = 0;
      const uint32_t nc = char_at(lex, p + 1, &n);
      if (n && (is_pn_chars_u(nc) || is_digit(nc))) {
        return lex_var(lex, tok);
      }
      if (c == '?') {
        return punct(lex, tok, FDX_TOK_QUESTION, 1);
      }
      char found[32];
      describe_at(lex, p + 1, found, sizeof(found));
      return lex_error(
        lex, p + 1, "expected a variable name after '$', found %s", found);
    }
    case '_':
      if (d == ':') {
        return lex_bnode(lex, tok);
      }
      return lex_error(lex, p, "expected a token, found '_'");
    case '@':
      return lex_langtag(lex, tok);
    case '.':
      if (d >= '0' && d <= '9') {
        return lex_number(lex, tok);
      }
      return punct(lex, tok, FDX_TOK_DOT, 1);
    case '{':
      return punct(lex, tok, FDX_TOK_LBRACE, 1);
    case '}':
      return punct(lex, tok, FDX_TOK_RBRACE, 1);
    case '(':
      return punct(lex, tok, FDX_TOK_LPAREN, 1);
    case ')':
      return punct(lex, tok, FDX_TOK_RPAREN, 1);
    case '[':
      return punct(lex, tok, FDX_TOK_LBRACKET, 1);
    case ']':
      return punct(lex, tok, FDX_TOK_RBRACKET, 1);
    case ';':
      return punct(lex, tok, FDX_TOK_SEMICOLON, 1);
    case ',':
      return punct(lex, tok, FDX_TOK_COMMA, 1);
    case '=':
      return punct(lex, tok, FDX_TOK_EQ, 1);
    case '!':
      return d == '=' ? punct(lex, tok, FDX_TOK_NE, 2)
                      : punct(lex, tok, FDX_TOK_BANG, 1);
    case '&':
      if (d == '&') {
        return punct(lex, tok, FDX_TOK_AND, 2);
      }
      return lex_error(lex, p, "expected '&&', found '&'");
    case '|':
      return d == '|' ? punct(lex, tok, FDX_TOK_OR, 2)
                      : punct(lex, tok, FDX_TOK_PIPE, 1);
    case '+':
      return punct(lex, tok, FDX_TOK_PLUS, 1);
    case '-':
      return punct(lex, tok, FDX_TOK_MINUS, 1);
    case '*':
      return punct(lex, tok, FDX_TOK_STAR, 1);
    case '/':
      return punct(lex, tok, FDX_TOK_SLASH, 1);
    case '^':
      return d == '^' ? punct(lex, tok, FDX_TOK_HATHAT, 2)
                      : punct(lex, tok, FDX_TOK_CARET, 1);
    case ':':
      return lex_name(lex, tok);
    case '\\':
      return lex_error(lex,
                       p,
                       "expected a token, found '\\' (escapes are only "
                       "supported inside strings, IRIs and prefixed names)");
    default:
      break;
  }
  if (c >= '0' && c <= '9') {
    return lex_number(lex, tok);
  }
  return lex_name(lex, tok);
}

FdxStatus
fdx_sparql_lex(FdxLexer* const lex, FdxToken* const tok)
{
  memset(tok, 0, sizeof(*tok));
  skip_space(lex);
  tok->start = lex->pos;
  if (lex->pos >= lex->len) {
    tok->kind = FDX_TOK_EOF;
    tok->end  = lex->pos;
    return FDX_SUCCESS;
  }
  const FdxStatus st = lex_token(lex, tok);
  tok->end           = lex->pos;
  return st;
}

void
fdx_sparql_token_describe(const FdxLexer* const lex,
                          const FdxToken* const tok,
                          char* const           out,
                          const size_t          size)
{
  if (tok->kind == FDX_TOK_EOF) {
    snprintf(out, size, "end of input");
    return;
  }
  /* The token as written, at most 40 bytes of it, cut at a character
   * boundary, with line breaks and tabs shown as escapes. */
  char         buf[96];
  size_t       o   = 0;
  const size_t max = 40;
  size_t       j   = tok->start;
  while (j < tok->end && o < max) {
    const unsigned char c = (unsigned char)lex->text[j];
    if (c == '\n' || c == '\r' || c == '\t') {
      buf[o++] = '\\';
      buf[o++] = c == '\n' ? 'n' : c == '\r' ? 'r' : 't';
      ++j;
      continue;
    }
    size_t n = 0;
    (void)char_at(lex, j, &n);
    memcpy(buf + o, lex->text + j, n);
    o += n;
    j += n;
  }
  buf[o] = '\0';
  snprintf(out, size, "'%s%s'", buf, j < tok->end ? "..." : "");
}
