/*
 * results_write.c: the streaming SPARQL query results writers (JSON, XML,
 * CSV, TSV) declared in fairdex/sparql_results.h, which describes exactly
 * what each writes.
 *
 * The invariant: a writer holds at most one chunk (FDX_RESULTS_CHUNK bytes)
 * of output, whatever the number of rows, because every byte goes through
 * `out_bytes`, which copies into the chunk and hands it to the callback
 * when it is full.  No term is ever copied or escaped into a buffer of its
 * own: escaping works on runs of bytes that need no change, which go out
 * as they are, and the few bytes that do, which are replaced one by one.
 *
 * Every string passes through `write_text`, the one place that decodes
 * UTF-8 and decides per format what to do with each character; so every
 * format writes valid UTF-8, and the substitution count behind
 * fdx_results_writer_replaced() is kept in one place.  Strict mode runs the
 * same decisions over a row first (`term_exact`) without writing, so that a
 * refused row leaves no partial output.
 */
#include "fairdex/sparql_results.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

/* ------------------------------------------------------------------------
 * Formats and media types
 * --------------------------------------------------------------------- */

static const char xsd_string[]  = "http://www.w3.org/2001/XMLSchema#string";
static const char xsd_integer[] = "http://www.w3.org/2001/XMLSchema#integer";
static const char xsd_decimal[] = "http://www.w3.org/2001/XMLSchema#decimal";
static const char xsd_double[]  = "http://www.w3.org/2001/XMLSchema#double";

static const struct {
  const char*      name;
  FdxResultsFormat format;
} format_names[] = {
  {"json", FDX_RESULTS_JSON},
  {"srj", FDX_RESULTS_JSON},
  {"application/sparql-results+json", FDX_RESULTS_JSON},
  {"xml", FDX_RESULTS_XML},
  {"srx", FDX_RESULTS_XML},
  {"application/sparql-results+xml", FDX_RESULTS_XML},
  {"csv", FDX_RESULTS_CSV},
  {"text/csv", FDX_RESULTS_CSV},
  {"tsv", FDX_RESULTS_TSV},
  {"text/tab-separated-values", FDX_RESULTS_TSV},
};

static char
ascii_lower(const char c)
{
  return (c >= 'A' && c <= 'Z') ? (char)(c - 'A' + 'a') : c;
}

FdxStatus
fdx_results_format_from_name(const char* const       name,
                             FdxResultsFormat* const ret_format)
{
  if (!name || !ret_format) {
    return FDX_ERR_BAD_ARG;
  }
  /* The name proper: without leading spaces, parameters after ';', and
   * the spaces before them. */
  const char* s = name;
  while (*s == ' ' || *s == '\t') {
    ++s;
  }
  size_t n = strcspn(s, ";");
  while (n && (s[n - 1] == ' ' || s[n - 1] == '\t')) {
    --n;
  }
  for (size_t i = 0; i < sizeof(format_names) / sizeof(format_names[0]);
       ++i) {
    const char* const candidate = format_names[i].name;
    if (strlen(candidate) != n) {
      continue;
    }
    size_t k = 0;
    while (k < n && ascii_lower(s[k]) == candidate[k]) {
      ++k;
    }
    if (k == n) {
      *ret_format = format_names[i].format;
      return FDX_SUCCESS;
    }
  }
  return FDX_FAILURE;
}

const char*
fdx_results_media_type(const FdxResultsFormat format)
{
  switch (format) {
  case FDX_RESULTS_JSON:
    return "application/sparql-results+json";
  case FDX_RESULTS_XML:
    return "application/sparql-results+xml";
  case FDX_RESULTS_CSV:
    return "text/csv";
  case FDX_RESULTS_TSV:
    return "text/tab-separated-values";
  }
  return "application/octet-stream";
}

const char*
fdx_results_content_type(const FdxResultsFormat format)
{
  switch (format) {
  case FDX_RESULTS_CSV:
    return "text/csv; charset=utf-8";
  case FDX_RESULTS_TSV:
    return "text/tab-separated-values; charset=utf-8";
  case FDX_RESULTS_JSON:
  case FDX_RESULTS_XML:
    break;
  }
  return fdx_results_media_type(format);
}

/* ------------------------------------------------------------------------
 * The writer and its output chunk
 * --------------------------------------------------------------------- */

typedef enum {
  STATE_NEW,     /* nothing written */
  STATE_ROWS,    /* head written, rows may follow */
  STATE_BOOLEAN, /* an ASK result written but for its end */
  STATE_DONE     /* ended */
} State;

typedef struct {
  const char* s;
  size_t      n;
} Name;

struct FdxResultsWriterImpl {
  FdxResultsFormat format;
  FdxWriteBytes    write;
  void*            ctx;
  State            state;
  bool             strict;
  bool             failed;   /* the callback failed: write nothing more */
  size_t           n_vars;
  Name*            vars;     /* n_vars names, their bytes after the array */
  uint64_t         rows;
  uint64_t         replaced;
  size_t           len;      /* bytes used in buf */
  uint8_t          plain[6][128]; /* per TextMode: 1 where an ASCII byte
                                     goes out as it is (ascii_escape) */
  char             buf[FDX_RESULTS_CHUNK];
};

static void
out_flush(FdxResultsWriter* const w)
{
  if (w->len && !w->failed && w->write(w->ctx, w->buf, w->len)) {
    w->failed = true;
  }
  w->len = 0;
}

/* Append `n` bytes, passing each full chunk on: a large string goes out
 * in chunk-sized pieces, so no call to `write` exceeds the chunk. */
static void
out_bytes(FdxResultsWriter* const w, const char* s, size_t n)
{
  while (n) {
    if (w->len == FDX_RESULTS_CHUNK) {
      out_flush(w);
    }
    const size_t room = FDX_RESULTS_CHUNK - w->len;
    const size_t k    = n < room ? n : room;
    memcpy(w->buf + w->len, s, k);
    w->len += k;
    s += k;
    n -= k;
  }
}

static void
out_str(FdxResultsWriter* const w, const char* const s)
{
  out_bytes(w, s, strlen(s));
}

static FdxStatus
io_status(const FdxResultsWriter* const w)
{
  return w->failed ? FDX_ERR_IO : FDX_SUCCESS;
}

/* ------------------------------------------------------------------------
 * UTF-8
 * --------------------------------------------------------------------- */

/* Decode the character at s[0..n), n > 0.  If it is well-formed (Unicode
 * table 3-7: no overlong forms, no surrogates, nothing above U+10FFFF),
 * set *ret_cp and *ret_len and return true.  Otherwise set *ret_len to the
 * length of the maximal ill-formed subpart, which one U+FFFD replaces. */
static bool
utf8_next(const unsigned char* const s,
          const size_t               n,
          uint32_t* const            ret_cp,
          size_t* const              ret_len)
{
  const unsigned c = s[0];
  if (c < 0x80) {
    *ret_cp  = c;
    *ret_len = 1;
    return true;
  }
  size_t   need = 0;
  unsigned lo   = 0x80;
  unsigned hi   = 0xBF;
  uint32_t v    = 0;
  if (c >= 0xC2 && c <= 0xDF) {
    need = 1;
    v    = c & 0x1F;
  } else if (c >= 0xE0 && c <= 0xEF) {
    need = 2;
    v    = c & 0x0F;
    lo   = c == 0xE0 ? 0xA0 : 0x80;
    hi   = c == 0xED ? 0x9F : 0xBF;
  } else if (c >= 0xF0 && c <= 0xF4) {
    need = 3;
    v    = c & 0x07;
    lo   = c == 0xF0 ? 0x90 : 0x80;
    hi   = c == 0xF4 ? 0x8F : 0xBF;
  } else {
    *ret_len = 1;
    return false;
  }
  for (size_t i = 1; i <= need; ++i) {
    if (i >= n || s[i] < lo || s[i] > hi) {
      *ret_len = i;
      return false;
    }
    v  = (v << 6) | (s[i] & 0x3Fu);
    lo = 0x80;
    hi = 0xBF;
  }
  *ret_cp  = v;
  *ret_len = need + 1;
  return true;
}

/* ------------------------------------------------------------------------
 * Escaping, one mode per place a string can go
 * --------------------------------------------------------------------- */

typedef enum {
  TEXT_JSON,     /* inside a JSON string */
  TEXT_XML,      /* XML character data */
  TEXT_XML_ATTR, /* an XML attribute value in double quotes */
  TEXT_CSV,      /* a CSV field; '"' doubled (the field is quoted then) */
  TEXT_TSV,      /* a Turtle "..." string */
  TEXT_TSV_IRI   /* a Turtle <...> IRI */
} TextMode;

static const char hex_digits[] = "0123456789ABCDEF";

/* What ASCII character `c` becomes in `mode`: NULL if it goes out as it
 * is, else its escape, written into `tmp` when it has to be made.  Sets
 * *ret_replaced when the character cannot be carried at all. */
static const char*
ascii_escape(const TextMode mode,
             const unsigned c,
             char* const    tmp,
             bool* const    ret_replaced)
{
  *ret_replaced = false;
  switch (mode) {
  case TEXT_JSON:
    switch (c) {
    case '"':
      return "\\\"";
    case '\\':
      return "\\\\";
    case '\b':
      return "\\b";
    case '\f':
      return "\\f";
    case '\n':
      return "\\n";
    case '\r':
      return "\\r";
    case '\t':
      return "\\t";
    default:
      break;
    }
    if (c >= 0x20) {
      return NULL;
    }
    break; /* \u00XX below */
  case TEXT_XML:
  case TEXT_XML_ATTR:
    switch (c) {
    case '&':
      return "&amp;";
    case '<':
      return "&lt;";
    case '>':
      return "&gt;"; /* needed only after "]]", always safe */
    case '\r':
      return "&#xD;"; /* a raw CR would come back as LF */
    default:
      break;
    }
    if (mode == TEXT_XML_ATTR) {
      /* Attribute value normalisation would turn these into spaces. */
      switch (c) {
      case '"':
        return "&quot;";
      case '\t':
        return "&#x9;";
      case '\n':
        return "&#xA;";
      default:
        break;
      }
    }
    if (c >= 0x20 || c == '\t' || c == '\n') {
      return NULL;
    }
    *ret_replaced = true;
    return "\xEF\xBF\xBD";
  case TEXT_CSV:
    return c == '"' ? "\"\"" : NULL;
  case TEXT_TSV:
    switch (c) {
    case '"':
      return "\\\"";
    case '\\':
      return "\\\\";
    case '\n':
      return "\\n";
    case '\r':
      return "\\r";
    case '\t':
      return "\\t";
    default:
      break;
    }
    if (c >= 0x20 && c != 0x7F) {
      return NULL;
    }
    break;
  case TEXT_TSV_IRI:
    if (c > 0x20 && !strchr("<>\"{}|^`\\", (int)c)) {
      return NULL;
    }
    break;
  }
  /* A \u00XX escape (JSON, TSV). */
  memcpy(tmp, "\\u00", 4);
  tmp[4] = hex_digits[(c >> 4) & 15];
  tmp[5] = hex_digits[c & 15];
  tmp[6] = '\0';
  return tmp;
}

/* Characters XML 1.0 does not allow beyond the C0 controls, which
 * ascii_escape handles (surrogates are not well-formed UTF-8). */
static bool
xml_illegal_above_ascii(const uint32_t cp)
{
  return cp == 0xFFFE || cp == 0xFFFF;
}

static bool
mode_is_xml(const TextMode mode)
{
  return mode == TEXT_XML || mode == TEXT_XML_ATTR;
}

/* Write `n` bytes of `str` escaped for `mode`, with each ill-formed UTF-8
 * sequence and each character the mode cannot carry as U+FFFD. */
static void
write_text(FdxResultsWriter* const w,
           const char* const       str,
           const size_t            n,
           const TextMode          mode)
{
  if (!n) {
    return; /* `str` may be NULL */
  }
  const unsigned char* const s     = (const unsigned char*)str;
  const uint8_t* const       plain = w->plain[mode];
  size_t                     run   = 0; /* start of bytes not yet written */
  size_t                     i     = 0;
  char                       tmp[8];
  while (i < n) {
    const unsigned c = s[i];
    if (c < 0x80 && plain[c]) {
      ++i; /* the common case: a byte that goes out as it is */
      continue;
    }
    if (c < 0x80) {
      bool              replaced = false;
      const char* const esc      = ascii_escape(mode, c, tmp, &replaced);
      if (esc) {
        out_bytes(w, str + run, i - run);
        out_str(w, esc);
        w->replaced += replaced;
        run = i + 1;
      }
      ++i;
      continue;
    }
    uint32_t   cp  = 0;
    size_t     len = 0;
    const bool ok  = utf8_next(s + i, n - i, &cp, &len);
    if (!ok || (mode_is_xml(mode) && xml_illegal_above_ascii(cp))) {
      out_bytes(w, str + run, i - run);
      out_bytes(w, "\xEF\xBF\xBD", 3);
      ++w->replaced;
      run = i + len;
    }
    i += len;
  }
  out_bytes(w, str + run, n - run);
}

/* True if write_text would write `str` with no substitution. */
static bool
text_exact(const char* const str, const size_t n, const TextMode mode)
{
  const unsigned char* const s = (const unsigned char*)str;
  char                       tmp[8];
  for (size_t i = 0; i < n;) {
    if (s[i] < 0x80) {
      bool replaced = false;
      ascii_escape(mode, s[i], tmp, &replaced);
      if (replaced) {
        return false;
      }
      ++i;
      continue;
    }
    uint32_t cp  = 0;
    size_t   len = 0;
    if (!utf8_next(s + i, n - i, &cp, &len) ||
        (mode_is_xml(mode) && xml_illegal_above_ascii(cp))) {
      return false;
    }
    i += len;
  }
  return true;
}

/* ------------------------------------------------------------------------
 * Turtle details for TSV: blank node labels and bare numbers
 * --------------------------------------------------------------------- */

/* PN_CHARS_BASE of Turtle, for code points above ASCII. */
static bool
pn_chars_base_high(const uint32_t c)
{
  return (c >= 0xC0 && c <= 0xD6) || (c >= 0xD8 && c <= 0xF6) ||
         (c >= 0xF8 && c <= 0x2FF) || (c >= 0x370 && c <= 0x37D) ||
         (c >= 0x37F && c <= 0x1FFF) || (c >= 0x200C && c <= 0x200D) ||
         (c >= 0x2070 && c <= 0x218F) || (c >= 0x2C00 && c <= 0x2FEF) ||
         (c >= 0x3001 && c <= 0xD7FF) || (c >= 0xF900 && c <= 0xFDCF) ||
         (c >= 0xFDF0 && c <= 0xFFFD) || (c >= 0x10000 && c <= 0xEFFFF);
}

static bool
ascii_alnum(const uint32_t c)
{
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
         (c >= '0' && c <= '9');
}

/* PN_CHARS (which includes PN_CHARS_U and digits). */
static bool
pn_chars(const uint32_t c)
{
  return ascii_alnum(c) || c == '_' || c == '-' || c == 0xB7 ||
         (c >= 0x300 && c <= 0x36F) || (c >= 0x203F && c <= 0x2040) ||
         pn_chars_base_high(c);
}

/* Is `s` a Turtle BLANK_NODE_LABEL after "_:"?
 *   (PN_CHARS_U | [0-9]) ((PN_CHARS | '.')* PN_CHARS)? */
static bool
turtle_label_ok(const char* const str, const size_t n)
{
  const unsigned char* const s    = (const unsigned char*)str;
  uint32_t                   last = 0;
  for (size_t i = 0; i < n;) {
    uint32_t c   = 0;
    size_t   len = 0;
    if (!utf8_next(s + i, n - i, &c, &len)) {
      return false;
    }
    const bool ok = i == 0 ? (ascii_alnum(c) || c == '_' ||
                              pn_chars_base_high(c))
                           : (pn_chars(c) || c == '.');
    if (!ok) {
      return false;
    }
    last = c;
    i += len;
  }
  return n > 0 && last != '.';
}

/* Write a blank node label Turtle cannot read as "_:" then each byte of
 * [A-Za-z0-9_] as it is and any other as xHH: always a valid label. */
static void
write_label_escaped(FdxResultsWriter* const w,
                    const char* const       s,
                    const size_t            n)
{
  for (size_t i = 0; i < n; ++i) {
    const unsigned char c = (unsigned char)s[i];
    if (ascii_alnum(c) || c == '_') {
      out_bytes(w, (const char*)&s[i], 1);
    } else {
      const char e[3] = {'x', hex_digits[c >> 4], hex_digits[c & 15]};
      out_bytes(w, e, 3);
    }
  }
}

typedef enum { NUM_NONE, NUM_INTEGER, NUM_DECIMAL, NUM_DOUBLE } NumberKind;

/* Which of Turtle's INTEGER, DECIMAL and DOUBLE tokens `s` is, if any:
 *   INTEGER  [+-]? [0-9]+
 *   DECIMAL  [+-]? [0-9]* '.' [0-9]+
 *   DOUBLE   [+-]? ([0-9]+ '.' [0-9]* EXP | '.' [0-9]+ EXP | [0-9]+ EXP)
 *   EXP      [eE] [+-]? [0-9]+                                          */
static NumberKind
turtle_number(const char* const s, const size_t n)
{
  size_t i = 0;
  if (i < n && (s[i] == '+' || s[i] == '-')) {
    ++i;
  }
  size_t int_digits = 0;
  while (i < n && s[i] >= '0' && s[i] <= '9') {
    ++i;
    ++int_digits;
  }
  bool   dot        = false;
  size_t frac_digits = 0;
  if (i < n && s[i] == '.') {
    dot = true;
    ++i;
    while (i < n && s[i] >= '0' && s[i] <= '9') {
      ++i;
      ++frac_digits;
    }
  }
  if (i == n) {
    if (!dot) {
      return int_digits ? NUM_INTEGER : NUM_NONE;
    }
    return frac_digits ? NUM_DECIMAL : NUM_NONE;
  }
  if (s[i] != 'e' && s[i] != 'E') {
    return NUM_NONE;
  }
  ++i;
  if (i < n && (s[i] == '+' || s[i] == '-')) {
    ++i;
  }
  size_t exp_digits = 0;
  while (i < n && s[i] >= '0' && s[i] <= '9') {
    ++i;
    ++exp_digits;
  }
  if (i != n || !exp_digits || !(int_digits || frac_digits)) {
    return NUM_NONE;
  }
  return NUM_DOUBLE;
}

static bool
bytes_are(const char* const s, const size_t n, const char* const lit)
{
  const size_t ln = strlen(lit);
  return n == ln && !memcmp(s, lit, n);
}

/* Can this typed literal go out bare in TSV and read back the same? */
static bool
tsv_bare_number(const FdxTerm* const t)
{
  const NumberKind k = turtle_number(t->value, t->value_len);
  switch (k) {
  case NUM_INTEGER:
    return bytes_are(t->datatype, t->datatype_len, xsd_integer);
  case NUM_DECIMAL:
    return bytes_are(t->datatype, t->datatype_len, xsd_decimal);
  case NUM_DOUBLE:
    return bytes_are(t->datatype, t->datatype_len, xsd_double);
  case NUM_NONE:
    break;
  }
  return false;
}

/* ------------------------------------------------------------------------
 * Terms
 * --------------------------------------------------------------------- */

/* The datatype to write: NULL for none, and for xsd:string (the same term
 * as a simple literal in RDF 1.1). */
static const char*
literal_datatype(const FdxTerm* const t, size_t* const ret_len)
{
  if (!t->datatype_len ||
      bytes_are(t->datatype, t->datatype_len, xsd_string)) {
    *ret_len = 0;
    return NULL;
  }
  *ret_len = t->datatype_len;
  return t->datatype;
}

static bool
has_lang(const FdxTerm* const t)
{
  return t->kind == FDX_TERM_LITERAL && t->lang_len > 0;
}

static void
write_term_json(FdxResultsWriter* const w, const FdxTerm* const t)
{
  switch (t->kind) {
  case FDX_TERM_IRI:
    out_str(w, "{\"type\":\"uri\",\"value\":\"");
    break;
  case FDX_TERM_BLANK:
    out_str(w, "{\"type\":\"bnode\",\"value\":\"");
    break;
  case FDX_TERM_LITERAL:
    out_str(w, "{\"type\":\"literal\",\"value\":\"");
    break;
  }
  write_text(w, t->value, t->value_len, TEXT_JSON);
  out_bytes(w, "\"", 1);
  if (t->kind == FDX_TERM_LITERAL) {
    size_t            dt_len = 0;
    const char* const dt     = literal_datatype(t, &dt_len);
    if (has_lang(t)) {
      out_str(w, ",\"xml:lang\":\"");
      write_text(w, t->lang, t->lang_len, TEXT_JSON);
      out_bytes(w, "\"", 1);
    } else if (dt) {
      out_str(w, ",\"datatype\":\"");
      write_text(w, dt, dt_len, TEXT_JSON);
      out_bytes(w, "\"", 1);
    }
  }
  out_bytes(w, "}", 1);
}

static void
write_term_xml(FdxResultsWriter* const w, const FdxTerm* const t)
{
  const char* end = NULL;
  switch (t->kind) {
  case FDX_TERM_IRI:
    out_str(w, "<uri>");
    end = "</uri>";
    break;
  case FDX_TERM_BLANK:
    out_str(w, "<bnode>");
    end = "</bnode>";
    break;
  case FDX_TERM_LITERAL: {
    size_t            dt_len = 0;
    const char* const dt     = literal_datatype(t, &dt_len);
    if (has_lang(t)) {
      out_str(w, "<literal xml:lang=\"");
      write_text(w, t->lang, t->lang_len, TEXT_XML_ATTR);
      out_str(w, "\">");
    } else if (dt) {
      out_str(w, "<literal datatype=\"");
      write_text(w, dt, dt_len, TEXT_XML_ATTR);
      out_str(w, "\">");
    } else {
      out_str(w, "<literal>");
    }
    end = "</literal>";
    break;
  }
  }
  write_text(w, t->value, t->value_len, TEXT_XML);
  out_str(w, end);
}

/* Does this CSV field need quotes (RFC 4180, as the SPARQL spec puts it:
 * '"', ',', CR or LF)? */
static bool
csv_needs_quotes(const char* const s, const size_t n)
{
  for (size_t i = 0; i < n; ++i) {
    if (s[i] == '"' || s[i] == ',' || s[i] == '\r' || s[i] == '\n') {
      return true;
    }
  }
  return false;
}

static void
write_term_csv(FdxResultsWriter* const w, const FdxTerm* const t)
{
  const bool quote = csv_needs_quotes(t->value, t->value_len);
  if (quote) {
    out_bytes(w, "\"", 1);
  }
  if (t->kind == FDX_TERM_BLANK) {
    out_bytes(w, "_:", 2);
  }
  write_text(w, t->value, t->value_len, TEXT_CSV);
  if (quote) {
    out_bytes(w, "\"", 1);
  }
}

static void
write_term_tsv(FdxResultsWriter* const w, const FdxTerm* const t)
{
  switch (t->kind) {
  case FDX_TERM_IRI:
    out_bytes(w, "<", 1);
    write_text(w, t->value, t->value_len, TEXT_TSV_IRI);
    out_bytes(w, ">", 1);
    return;
  case FDX_TERM_BLANK:
    out_bytes(w, "_:", 2);
    if (turtle_label_ok(t->value, t->value_len)) {
      out_bytes(w, t->value, t->value_len);
    } else {
      write_label_escaped(w, t->value, t->value_len);
      ++w->replaced;
    }
    return;
  case FDX_TERM_LITERAL:
    break;
  }
  size_t            dt_len = 0;
  const char* const dt     = literal_datatype(t, &dt_len);
  if (dt && !has_lang(t) && tsv_bare_number(t)) {
    out_bytes(w, t->value, t->value_len);
    return;
  }
  out_bytes(w, "\"", 1);
  write_text(w, t->value, t->value_len, TEXT_TSV);
  out_bytes(w, "\"", 1);
  if (has_lang(t)) {
    out_bytes(w, "@", 1);
    out_bytes(w, t->lang, t->lang_len);
  } else if (dt) {
    out_str(w, "^^<");
    write_text(w, dt, dt_len, TEXT_TSV_IRI);
    out_bytes(w, ">", 1);
  }
}

/* Is `s` empty (no tag) or a Turtle LANGTAG without its '@':
 * [a-zA-Z]+ ('-' [a-zA-Z0-9]+)* ?  Anything else would break TSV. */
static bool
lang_ok(const char* const s, const size_t n)
{
  size_t group = 0; /* characters in the current '-'-separated group */
  bool   first = true;
  for (size_t i = 0; i < n; ++i) {
    const unsigned char c = (unsigned char)s[i];
    if (c == '-') {
      if (!group) {
        return false;
      }
      group = 0;
      first = false;
    } else if (ascii_alnum(c) && !(first && c >= '0' && c <= '9')) {
      ++group;
    } else {
      return false;
    }
  }
  return !n || group;
}

/* Is the term well made (see fdx_results_row)? */
static bool
term_ok(const FdxTerm* const t)
{
  if (t->kind != FDX_TERM_IRI && t->kind != FDX_TERM_BLANK &&
      t->kind != FDX_TERM_LITERAL) {
    return false;
  }
  if (!t->value && t->value_len) {
    return false;
  }
  if (t->kind == FDX_TERM_BLANK) {
    return t->value_len > 0;
  }
  if (t->kind != FDX_TERM_LITERAL) {
    return true;
  }
  if ((!t->lang && t->lang_len) || (!t->datatype && t->datatype_len) ||
      (t->lang_len && t->datatype_len)) {
    return false;
  }
  return lang_ok(t->lang, t->lang_len);
}

/* Would the term go out exactly in this writer's format? */
static bool
term_exact(const FdxResultsWriter* const w, const FdxTerm* const t)
{
  TextMode mode  = TEXT_JSON;
  TextMode attrs = TEXT_JSON;
  switch (w->format) {
  case FDX_RESULTS_JSON:
    break;
  case FDX_RESULTS_XML:
    mode  = TEXT_XML;
    attrs = TEXT_XML_ATTR;
    break;
  case FDX_RESULTS_CSV:
    mode = attrs = TEXT_CSV;
    break;
  case FDX_RESULTS_TSV:
    if (t->kind == FDX_TERM_BLANK) {
      return turtle_label_ok(t->value, t->value_len);
    }
    mode  = t->kind == FDX_TERM_IRI ? TEXT_TSV_IRI : TEXT_TSV;
    attrs = TEXT_TSV_IRI;
    break;
  }
  if (!text_exact(t->value, t->value_len, mode)) {
    return false;
  }
  /* CSV writes neither language tags nor datatypes; language tags are
   * ASCII, checked by term_ok. */
  return t->kind != FDX_TERM_LITERAL || w->format == FDX_RESULTS_CSV ||
         text_exact(t->datatype, t->datatype_len, attrs);
}

/* ------------------------------------------------------------------------
 * The public functions
 * --------------------------------------------------------------------- */

FdxStatus
fdx_results_writer_new(const FdxResultsFormat   format,
                       const FdxWriteBytes      write,
                       void* const              ctx,
                       FdxResultsWriter** const ret_writer)
{
  if (!write || !ret_writer ||
      (format != FDX_RESULTS_JSON && format != FDX_RESULTS_XML &&
       format != FDX_RESULTS_CSV && format != FDX_RESULTS_TSV)) {
    return FDX_ERR_BAD_ARG;
  }
  FdxResultsWriter* const w = (FdxResultsWriter*)calloc(1, sizeof(*w));
  if (!w) {
    return FDX_ERR_NO_MEMORY;
  }
  w->format   = format;
  w->write    = write;
  w->ctx      = ctx;
  w->state    = STATE_NEW;
  for (int mode = TEXT_JSON; mode <= TEXT_TSV_IRI; ++mode) {
    for (unsigned c = 0; c < 128; ++c) {
      char tmp[8];
      bool replaced = false;
      w->plain[mode][c] = !ascii_escape((TextMode)mode, c, tmp, &replaced);
    }
  }
  *ret_writer = w;
  return FDX_SUCCESS;
}

FdxStatus
fdx_results_writer_set_strict(FdxResultsWriter* const w, const bool strict)
{
  if (!w) {
    return FDX_ERR_BAD_ARG;
  }
  w->strict = strict;
  return FDX_SUCCESS;
}

static bool
var_name_ok(const char* const name, const size_t n)
{
  if (!n) {
    return false;
  }
  const unsigned char* const s = (const unsigned char*)name;
  for (size_t i = 0; i < n;) {
    uint32_t c   = 0;
    size_t   len = 0;
    if (!utf8_next(s + i, n - i, &c, &len) ||
        (c < 0x80 && !ascii_alnum(c) && c != '_')) {
      return false;
    }
    i += len;
  }
  return true;
}

/* Check and copy the names into one block: the Name array, then bytes. */
static FdxStatus
copy_names(FdxResultsWriter* const  w,
           const char* const* const names,
           const size_t             n_vars)
{
  if (n_vars > SIZE_MAX / sizeof(Name)) {
    return FDX_ERR_NO_MEMORY;
  }
  size_t total = n_vars * sizeof(Name);
  for (size_t i = 0; i < n_vars; ++i) {
    if (!names[i]) {
      return FDX_ERR_BAD_ARG;
    }
    const size_t n = strlen(names[i]);
    if (!var_name_ok(names[i], n)) {
      return FDX_ERR_BAD_ARG;
    }
    for (size_t j = 0; j < i; ++j) {
      if (!strcmp(names[i], names[j])) {
        return FDX_ERR_BAD_ARG;
      }
    }
    if (n > SIZE_MAX - total) {
      return FDX_ERR_NO_MEMORY;
    }
    total += n;
  }
  if (!n_vars) {
    return FDX_SUCCESS;
  }
  Name* const vars = (Name*)malloc(total);
  if (!vars) {
    return FDX_ERR_NO_MEMORY;
  }
  char* bytes = (char*)(vars + n_vars);
  for (size_t i = 0; i < n_vars; ++i) {
    const size_t n = strlen(names[i]);
    memcpy(bytes, names[i], n);
    vars[i].s = bytes;
    vars[i].n = n;
    bytes += n;
  }
  w->vars   = vars;
  w->n_vars = n_vars;
  return FDX_SUCCESS;
}

static const char xml_start[] =
  "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
  "<sparql xmlns=\"http://www.w3.org/2005/sparql-results#\">\n";

FdxStatus
fdx_results_begin(FdxResultsWriter* const  w,
                  const char* const* const var_names,
                  const size_t             n_vars)
{
  if (!w || w->state != STATE_NEW || (n_vars && !var_names)) {
    return FDX_ERR_BAD_ARG;
  }
  const FdxStatus st = copy_names(w, var_names, n_vars);
  if (st) {
    return st;
  }
  w->state = STATE_ROWS;
  switch (w->format) {
  case FDX_RESULTS_JSON:
    out_str(w, "{\"head\":{\"vars\":[");
    for (size_t i = 0; i < w->n_vars; ++i) {
      out_str(w, i ? ",\"" : "\"");
      out_bytes(w, w->vars[i].s, w->vars[i].n);
      out_bytes(w, "\"", 1);
    }
    out_str(w, "]},\n\"results\":{\"bindings\":[");
    break;
  case FDX_RESULTS_XML:
    out_str(w, xml_start);
    if (!w->n_vars) {
      out_str(w, "  <head/>\n");
    } else {
      out_str(w, "  <head>\n");
      for (size_t i = 0; i < w->n_vars; ++i) {
        out_str(w, "    <variable name=\"");
        out_bytes(w, w->vars[i].s, w->vars[i].n);
        out_str(w, "\"/>\n");
      }
      out_str(w, "  </head>\n");
    }
    out_str(w, "  <results>\n");
    break;
  case FDX_RESULTS_CSV:
  case FDX_RESULTS_TSV:
    for (size_t i = 0; i < w->n_vars; ++i) {
      if (w->format == FDX_RESULTS_CSV) {
        out_str(w, i ? "," : "");
      } else {
        out_str(w, i ? "\t?" : "?");
      }
      out_bytes(w, w->vars[i].s, w->vars[i].n);
    }
    out_str(w, w->format == FDX_RESULTS_CSV ? "\r\n" : "\n");
    break;
  }
  return io_status(w);
}

FdxStatus
fdx_results_row(FdxResultsWriter* const w, const FdxTerm* const* const values)
{
  if (!w || w->state != STATE_ROWS || (w->n_vars && !values)) {
    return FDX_ERR_BAD_ARG;
  }
  if (w->failed) {
    return FDX_ERR_IO;
  }
  for (size_t i = 0; i < w->n_vars; ++i) {
    if (values[i] && !term_ok(values[i])) {
      return FDX_ERR_BAD_ARG;
    }
  }
  if (w->strict) {
    for (size_t i = 0; i < w->n_vars; ++i) {
      if (values[i] && !term_exact(w, values[i])) {
        return FDX_ERR_UNSUPPORTED;
      }
    }
  }

  switch (w->format) {
  case FDX_RESULTS_JSON: {
    out_str(w, w->rows ? ",\n{" : "\n{");
    bool first = true;
    for (size_t i = 0; i < w->n_vars; ++i) {
      if (values[i]) {
        out_str(w, first ? "\"" : ",\"");
        out_bytes(w, w->vars[i].s, w->vars[i].n);
        out_str(w, "\":");
        write_term_json(w, values[i]);
        first = false;
      }
    }
    out_bytes(w, "}", 1);
    break;
  }
  case FDX_RESULTS_XML:
    out_str(w, "    <result>\n");
    for (size_t i = 0; i < w->n_vars; ++i) {
      if (values[i]) {
        out_str(w, "      <binding name=\"");
        out_bytes(w, w->vars[i].s, w->vars[i].n);
        out_str(w, "\">");
        write_term_xml(w, values[i]);
        out_str(w, "</binding>\n");
      }
    }
    out_str(w, "    </result>\n");
    break;
  case FDX_RESULTS_CSV:
    for (size_t i = 0; i < w->n_vars; ++i) {
      if (i) {
        out_bytes(w, ",", 1);
      }
      if (values[i]) {
        write_term_csv(w, values[i]);
      }
    }
    out_bytes(w, "\r\n", 2);
    break;
  case FDX_RESULTS_TSV:
    for (size_t i = 0; i < w->n_vars; ++i) {
      if (i) {
        out_bytes(w, "\t", 1);
      }
      if (values[i]) {
        write_term_tsv(w, values[i]);
      }
    }
    out_bytes(w, "\n", 1);
    break;
  }
  ++w->rows;
  return io_status(w);
}

FdxStatus
fdx_results_boolean(FdxResultsWriter* const w, const bool value)
{
  if (!w || w->state != STATE_NEW) {
    return FDX_ERR_BAD_ARG;
  }
  const char* const v = value ? "true" : "false";
  w->state            = STATE_BOOLEAN;
  switch (w->format) {
  case FDX_RESULTS_JSON:
    out_str(w, "{\"head\":{},\"boolean\":");
    out_str(w, v);
    break;
  case FDX_RESULTS_XML:
    out_str(w, xml_start);
    out_str(w, "  <head/>\n  <boolean>");
    out_str(w, v);
    out_str(w, "</boolean>\n");
    break;
  case FDX_RESULTS_CSV:
    out_str(w, "_askResult\r\n");
    out_str(w, v);
    out_str(w, "\r\n");
    break;
  case FDX_RESULTS_TSV:
    out_str(w, "?_askResult\n");
    out_str(w, v);
    out_str(w, "\n");
    break;
  }
  return io_status(w);
}

FdxStatus
fdx_results_flush(FdxResultsWriter* const w)
{
  if (!w) {
    return FDX_ERR_BAD_ARG;
  }
  out_flush(w);
  return io_status(w);
}

FdxStatus
fdx_results_end(FdxResultsWriter* const w)
{
  if (!w || (w->state != STATE_ROWS && w->state != STATE_BOOLEAN)) {
    return FDX_ERR_BAD_ARG;
  }
  const bool boolean = w->state == STATE_BOOLEAN;
  w->state           = STATE_DONE;
  switch (w->format) {
  case FDX_RESULTS_JSON:
    out_str(w, boolean ? "}\n" : "\n]}}\n");
    break;
  case FDX_RESULTS_XML:
    out_str(w, boolean ? "</sparql>\n" : "  </results>\n</sparql>\n");
    break;
  case FDX_RESULTS_CSV:
  case FDX_RESULTS_TSV:
    break;
  }
  out_flush(w);
  return io_status(w);
}

uint64_t
fdx_results_writer_rows(const FdxResultsWriter* const w)
{
  return w ? w->rows : 0;
}

uint64_t
fdx_results_writer_replaced(const FdxResultsWriter* const w)
{
  return w ? w->replaced : 0;
}

void
fdx_results_writer_free(FdxResultsWriter* const w)
{
  if (w) {
    free(w->vars);
    free(w);
  }
}
