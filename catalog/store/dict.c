/*
 * dict.c: the term dictionary and the values packed into ids.
 *
 * An id is a 4-bit tag and a 60-bit payload.  For IRIs, blank nodes and
 * most literals the payload is a sequence number into `id2term`; `term2id`
 * maps the term's bytes back.  Five kinds of literal carry their value in
 * the payload instead, biased so that unsigned comparison of ids is
 * comparison of values: xsd:integer, xsd:decimal (six fraction digits),
 * xsd:boolean, xsd:date and xsd:dateTime (milliseconds, with the time zone
 * offset in the low byte).
 *
 * The rule that keeps this exact: a literal is inlined only if decoding the
 * id gives back the very same lexical form.  "01"^^xsd:integer is a
 * different RDF term from "1"^^xsd:integer, so it fails the round trip and
 * goes to the dictionary like any other typed literal.
 *
 * Long terms: LMDB keys are at most 511 bytes, so terms of FDX_LONG_KEY
 * bytes or more are keyed by a prefix and a 128-bit hash of the whole;
 * the duplicates under that key are checked byte by byte against id2term,
 * so a hash collision costs a comparison, never a wrong answer.
 */
#include "store_impl.h"

#include "../civil_date.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define XSD "http://www.w3.org/2001/XMLSchema#"
#define RDF_LANGSTRING "http://www.w3.org/1999/02/22-rdf-syntax-ns#langString"

static const char xsd_string[]   = XSD "string";
static const char xsd_integer[]  = XSD "integer";
static const char xsd_decimal[]  = XSD "decimal";
static const char xsd_boolean[]  = XSD "boolean";
static const char xsd_date[]     = XSD "date";
static const char xsd_datetime[] = XSD "dateTime";

#define PAYLOAD_BITS 60
#define PAYLOAD_MASK ((UINT64_C(1) << PAYLOAD_BITS) - 1)
#define INT_BIAS (UINT64_C(1) << 59)
#define DECIMAL_SCALE INT64_C(1000000)
#define DECIMAL_DIGITS 6
#define TIME_BIAS (UINT64_C(1) << 50)

static inline FdxId
make_id(const FdxIdTag tag, const uint64_t payload)
{
  return ((uint64_t)tag << PAYLOAD_BITS) | (payload & PAYLOAD_MASK);
}

static bool
str_eq(const char* const a, const size_t alen, const char* const b)
{
  return alen == strlen(b) && !memcmp(a, b, alen);
}

FdxTerm
fdx_term_iri(const char* const iri)
{
  FdxTerm t = {FDX_TERM_IRI, iri, strlen(iri), NULL, 0, NULL, 0};
  return t;
}

FdxTerm
fdx_term_literal(const char* const lex,
                 const char* const lang,
                 const char* const datatype)
{
  FdxTerm t = {FDX_TERM_LITERAL, lex,  strlen(lex),
               lang, lang ? strlen(lang) : 0, datatype,
               datatype ? strlen(datatype) : 0};
  return t;
}

/* ------------------------------------------------------------------------
 * Inlined values
 * --------------------------------------------------------------------- */

/* Read exactly `n` digits at s, or return -1. */
static int64_t
digits(const char* const s, const size_t n)
{
  int64_t v = 0;
  for (size_t i = 0; i < n; ++i) {
    if (s[i] < '0' || s[i] > '9') {
      return -1;
    }
    v = v * 10 + (s[i] - '0');
  }
  return v;
}

/* Time zone code: 0 none, 1 "Z", 2 + (minutes / 15 + 56) for an offset. */
static int
parse_tz(const char* const s, const size_t len, int* const ret_minutes)
{
  if (len == 0) {
    *ret_minutes = 0;
    return 0;
  }
  if (len == 1 && s[0] == 'Z') {
    *ret_minutes = 0;
    return 1;
  }
  if (len != 6 || (s[0] != '+' && s[0] != '-') || s[3] != ':') {
    return -1;
  }
  const int64_t hh = digits(s + 1, 2);
  const int64_t mm = digits(s + 4, 2);
  if (hh < 0 || mm < 0 || hh > 14 || mm > 59 || mm % 15 ||
      (hh == 14 && mm)) {
    return -1;
  }
  const int minutes = (int)(hh * 60 + mm) * (s[0] == '-' ? -1 : 1);
  *ret_minutes      = minutes;
  return 2 + minutes / 15 + 56;
}

static size_t
format_tz(char* const out, const int code)
{
  if (code == 0) {
    return 0;
  }
  if (code == 1) {
    out[0] = 'Z';
    return 1;
  }
  const int minutes = (code - 2 - 56) * 15;
  const int a       = minutes < 0 ? -minutes : minutes;
  return (size_t)sprintf(out, "%c%02d:%02d", minutes < 0 ? '-' : '+', a / 60,
                         a % 60);
}

/* Parse "YYYY-MM-DD" at s; returns days or INT64_MIN. */
static int64_t
parse_ymd(const char* const s)
{
  const int64_t y = digits(s, 4);
  const int64_t m = digits(s + 5, 2);
  const int64_t d = digits(s + 8, 2);
  if (y < 1 || m < 1 || m > 12 || d < 1 || d > 31 || s[4] != '-' ||
      s[7] != '-') {
    return INT64_MIN;
  }
  static const unsigned mdays[] = {31, 29, 31, 30, 31, 30,
                                   31, 31, 30, 31, 30, 31};
  const bool leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
  if ((unsigned)d > mdays[m - 1] || (m == 2 && d == 29 && !leap)) {
    return INT64_MIN;
  }
  return days_from_civil(y, (unsigned)m, (unsigned)d);
}

static bool
encode_integer(const char* const s, const size_t len, uint64_t* const ret)
{
  if (len == 0 || len > 19) {
    return false;
  }
  const bool    neg   = s[0] == '-';
  const size_t  start = neg ? 1 : 0;
  const int64_t v     = digits(s + start, len - start);
  if (len == start || v < 0 || (int64_t)(len - start) > 18) {
    return false;
  }
  const int64_t value = neg ? -v : v;
  if (value >= (int64_t)INT_BIAS || value < -(int64_t)INT_BIAS) {
    return false;
  }
  *ret = (uint64_t)(value + (int64_t)INT_BIAS);
  return true;
}

static size_t
decode_integer(const uint64_t payload, char* const out)
{
  return (size_t)sprintf(out, "%" PRId64, (int64_t)(payload - INT_BIAS));
}

static bool
encode_decimal(const char* const s, const size_t len, uint64_t* const ret)
{
  const char* const dot = (const char*)memchr(s, '.', len);
  if (!dot || len > 40) {
    return false;
  }
  const bool   neg       = s[0] == '-';
  const size_t start     = neg ? 1 : 0;
  const size_t int_len   = (size_t)(dot - s) - start;
  const size_t frac_len  = len - (size_t)(dot - s) - 1;
  if (int_len == 0 || int_len > 11 || frac_len == 0 ||
      frac_len > DECIMAL_DIGITS) {
    return false;
  }
  const int64_t ipart = digits(s + start, int_len);
  int64_t       fpart = digits(dot + 1, frac_len);
  if (ipart < 0 || fpart < 0) {
    return false;
  }
  for (size_t i = frac_len; i < DECIMAL_DIGITS; ++i) {
    fpart *= 10;
  }
  const int64_t scaled = ipart * DECIMAL_SCALE + fpart;
  *ret = (uint64_t)((neg ? -scaled : scaled) + (int64_t)INT_BIAS);
  return true;
}

static size_t
decode_decimal(const uint64_t payload, char* const out)
{
  const int64_t  scaled = (int64_t)(payload - INT_BIAS);
  const uint64_t a      = scaled < 0 ? (uint64_t)-scaled : (uint64_t)scaled;
  char           frac[DECIMAL_DIGITS + 1];
  snprintf(frac, sizeof(frac), "%06" PRIu64, a % (uint64_t)DECIMAL_SCALE);
  /* Canonical form: trailing zeros dropped, but one digit always kept. */
  size_t flen = DECIMAL_DIGITS;
  while (flen > 1 && frac[flen - 1] == '0') {
    --flen;
  }
  frac[flen] = '\0';
  return (size_t)sprintf(out, "%s%" PRIu64 ".%s", scaled < 0 ? "-" : "",
                         a / (uint64_t)DECIMAL_SCALE, frac);
}

static bool
encode_date(const char* const s, const size_t len, uint64_t* const ret)
{
  if (len < 10) {
    return false;
  }
  const int64_t days = parse_ymd(s);
  int           minutes;
  const int     tz = parse_tz(s + 10, len - 10, &minutes);
  if (days == INT64_MIN || tz < 0) {
    return false;
  }
  *ret = ((uint64_t)(days + (int64_t)TIME_BIAS) << 8) | (uint64_t)tz;
  return true;
}

static size_t
decode_date(const uint64_t payload, char* const out)
{
  const int64_t days = (int64_t)(payload >> 8) - (int64_t)TIME_BIAS;
  int           y;
  unsigned      m, d;
  civil_from_days(days, &y, &m, &d);
  const size_t n = (size_t)sprintf(out, "%04d-%02u-%02u", y, m, d);
  return n + format_tz(out + n, (int)(payload & 0xff));
}

static bool
encode_datetime(const char* const s, const size_t len, uint64_t* const ret)
{
  if (len < 19 || s[10] != 'T' || s[13] != ':' || s[16] != ':') {
    return false;
  }
  const int64_t days = parse_ymd(s);
  const int64_t hh   = digits(s + 11, 2);
  const int64_t mi   = digits(s + 14, 2);
  const int64_t ss   = digits(s + 17, 2);
  if (days == INT64_MIN || hh < 0 || hh > 23 || mi < 0 || mi > 59 ||
      ss < 0 || ss > 59) {
    return false;
  }
  size_t  pos = 19;
  int64_t ms  = 0;
  if (pos < len && s[pos] == '.') {
    size_t n = 0;
    while (pos + 1 + n < len && s[pos + 1 + n] >= '0' &&
           s[pos + 1 + n] <= '9') {
      ++n;
    }
    if (n == 0 || n > 3) {
      return false;
    }
    ms = digits(s + pos + 1, n);
    for (size_t i = n; i < 3; ++i) {
      ms *= 10;
    }
    pos += 1 + n;
  }
  int       minutes;
  const int tz = parse_tz(s + pos, len - pos, &minutes);
  if (tz < 0) {
    return false;
  }
  const int64_t local =
    ((days * 24 + hh) * 60 + mi) * 60000 + ss * 1000 + ms;
  const int64_t utc = local - (int64_t)minutes * 60000;
  *ret = ((uint64_t)(utc + (int64_t)TIME_BIAS) << 8) | (uint64_t)tz;
  return true;
}

static size_t
decode_datetime(const uint64_t payload, char* const out)
{
  const int     tz      = (int)(payload & 0xff);
  const int     minutes = tz >= 2 ? (tz - 2 - 56) * 15 : 0;
  const int64_t utc     = (int64_t)(payload >> 8) - (int64_t)TIME_BIAS;
  const int64_t local   = utc + (int64_t)minutes * 60000;
  int64_t       days    = local / 86400000;
  int64_t       rest    = local % 86400000;
  if (rest < 0) {
    rest += 86400000;
    --days;
  }
  int      y;
  unsigned m, d;
  civil_from_days(days, &y, &m, &d);
  const int64_t ms = rest % 1000;
  const int64_t s  = rest / 1000;
  size_t        n  = (size_t)sprintf(
    out, "%04d-%02u-%02uT%02d:%02d:%02d", y, m, d, (int)(s / 3600),
    (int)(s / 60 % 60), (int)(s % 60));
  if (ms) {
    char frac[4];
    snprintf(frac, sizeof(frac), "%03d", (int)ms);
    size_t flen = 3;
    while (frac[flen - 1] == '0') {
      --flen;
    }
    frac[flen] = '\0';
    n += (size_t)sprintf(out + n, ".%s", frac);
  }
  return n + format_tz(out + n, tz);
}

/* Render an inlined id's lexical form into out (>= 64 bytes); returns its
 * length and sets *ret_datatype. */
static size_t
decode_inline(const FdxId id, char* const out, const char** const ret_dt)
{
  const uint64_t payload = id & PAYLOAD_MASK;
  switch (fdx_id_tag(id)) {
  case FDX_TAG_INTEGER:
    *ret_dt = xsd_integer;
    return decode_integer(payload, out);
  case FDX_TAG_DECIMAL:
    *ret_dt = xsd_decimal;
    return decode_decimal(payload, out);
  case FDX_TAG_BOOLEAN:
    *ret_dt = xsd_boolean;
    return (size_t)sprintf(out, "%s", payload ? "true" : "false");
  case FDX_TAG_DATE:
    *ret_dt = xsd_date;
    return decode_date(payload, out);
  case FDX_TAG_DATETIME:
    *ret_dt = xsd_datetime;
    return decode_datetime(payload, out);
  default:
    *ret_dt = NULL;
    return 0;
  }
}

bool
fdx_term_inline(const FdxTerm* const term, FdxId* const ret_id)
{
  if (term->kind != FDX_TERM_LITERAL || !term->datatype || term->lang ||
      term->value_len > 40) {
    return false;
  }
  const char* const dt  = term->datatype;
  const size_t      dl  = term->datatype_len;
  const char* const s   = term->value;
  const size_t      len = term->value_len;
  uint64_t          payload;
  FdxIdTag          tag;
  if (dl < sizeof(XSD) || memcmp(dt, XSD, sizeof(XSD) - 1)) {
    return false;
  }
  if (str_eq(dt, dl, xsd_integer)) {
    tag = FDX_TAG_INTEGER;
    if (!encode_integer(s, len, &payload)) {
      return false;
    }
  } else if (str_eq(dt, dl, xsd_decimal)) {
    tag = FDX_TAG_DECIMAL;
    if (!encode_decimal(s, len, &payload)) {
      return false;
    }
  } else if (str_eq(dt, dl, xsd_boolean)) {
    tag = FDX_TAG_BOOLEAN;
    if (str_eq(s, len, "true")) {
      payload = 1;
    } else if (str_eq(s, len, "false")) {
      payload = 0;
    } else {
      return false;
    }
  } else if (str_eq(dt, dl, xsd_date)) {
    tag = FDX_TAG_DATE;
    if (!encode_date(s, len, &payload)) {
      return false;
    }
  } else if (str_eq(dt, dl, xsd_datetime)) {
    tag = FDX_TAG_DATETIME;
    if (!encode_datetime(s, len, &payload)) {
      return false;
    }
  } else {
    return false;
  }
  /* Only canonical forms: the round trip must give the same bytes. */
  const FdxId id = make_id(tag, payload);
  char        buf[64];
  const char* rdt;
  const size_t n = decode_inline(id, buf, &rdt);
  if (n != len || memcmp(buf, s, len)) {
    return false;
  }
  *ret_id = id;
  return true;
}

/* ------------------------------------------------------------------------
 * Term bytes
 * --------------------------------------------------------------------- */

/* Check that s is well-formed UTF-8 (RFC 3629: no overlongs, no
 * surrogates, nothing above U+10FFFF). */
static bool
valid_utf8(const uint8_t* s, const size_t len)
{
  const uint8_t* const end = s + len;
  while (s < end) {
    const uint8_t c = *s;
    if (c < 0x80) {
      ++s;
      continue;
    }
    size_t   n;
    uint32_t cp;
    if (c >= 0xC2 && c <= 0xDF) {
      n  = 1;
      cp = c & 0x1F;
    } else if (c >= 0xE0 && c <= 0xEF) {
      n  = 2;
      cp = c & 0x0F;
    } else if (c >= 0xF0 && c <= 0xF4) {
      n  = 3;
      cp = c & 0x07;
    } else {
      return false;
    }
    if ((size_t)(end - s) <= n) {
      return false;
    }
    for (size_t i = 1; i <= n; ++i) {
      if ((s[i] & 0xC0) != 0x80) {
        return false;
      }
      cp = (cp << 6) | (s[i] & 0x3F);
    }
    if ((n == 2 && (cp < 0x800 || (cp >= 0xD800 && cp <= 0xDFFF))) ||
        (n == 3 && (cp < 0x10000 || cp > 0x10FFFF))) {
      return false;
    }
    s += n + 1;
  }
  return true;
}

FdxStatus
fdx_term_encode_into(const FdxTerm* const term,
                     uint8_t* const       buf,
                     const size_t         cap,
                     size_t* const        ret_len)
{
  if (!term || (!term->value && term->value_len)) {
    return FDX_ERR_BAD_ARG;
  }
  char        kind;
  const char* head     = NULL;
  size_t      head_len = 0;
  switch (term->kind) {
  case FDX_TERM_IRI:
    kind = 'I';
    break;
  case FDX_TERM_BLANK:
    kind = 'B';
    break;
  case FDX_TERM_LITERAL:
    if (term->lang && term->lang_len) {
      kind     = 'L';
      head     = term->lang;
      head_len = term->lang_len;
    } else if (term->datatype &&
               !str_eq(term->datatype, term->datatype_len, xsd_string) &&
               !str_eq(term->datatype, term->datatype_len, RDF_LANGSTRING)) {
      kind     = 'T';
      head     = term->datatype;
      head_len = term->datatype_len;
    } else {
      kind = 'S';
    }
    break;
  default:
    return FDX_ERR_BAD_ARG;
  }
  const size_t len = 1 + (head ? head_len + 1 : 0) + term->value_len;
  if (len > cap) {
    *ret_len = len;
    return FDX_FAILURE;
  }
  if ((term->kind != FDX_TERM_LITERAL && term->value_len == 0) ||
      !valid_utf8((const uint8_t*)term->value, term->value_len) ||
      (head && (memchr(head, '\0', head_len) ||
                !valid_utf8((const uint8_t*)head, head_len))) ||
      (term->kind != FDX_TERM_LITERAL &&
       memchr(term->value, '\0', term->value_len))) {
    return FDX_ERR_BAD_ARG;
  }
  buf[0]     = (uint8_t)kind;
  size_t pos = 1;
  if (head) {
    memcpy(buf + pos, head, head_len);
    pos += head_len;
    buf[pos++] = 0;
  }
  if (term->value_len) {
    memcpy(buf + pos, term->value, term->value_len);
  }
  *ret_len = len;
  return FDX_SUCCESS;
}

FdxStatus
fdx_term_encode(const FdxTerm* const term,
                uint8_t** const      ret,
                size_t* const        ret_len)
{
  size_t    len = 0;
  FdxStatus st  = fdx_term_encode_into(term, NULL, 0, &len);
  if (st != FDX_FAILURE) {
    return st ? st : FDX_ERR_BAD_ARG;
  }
  uint8_t* const buf = (uint8_t*)malloc(len);
  if (!buf) {
    return FDX_ERR_NO_MEMORY;
  }
  if ((st = fdx_term_encode_into(term, buf, len, &len))) {
    free(buf);
    return st;
  }
  *ret     = buf;
  *ret_len = len;
  return FDX_SUCCESS;
}

/* The tag for term bytes (by kind byte). */
static FdxIdTag
fdx_term_bytes_tag(const uint8_t* const bytes, const size_t len)
{
  if (len == 0) {
    return FDX_TAG_SPECIAL;
  }
  switch (bytes[0]) {
  case 'I':
    return FDX_TAG_IRI;
  case 'B':
    return FDX_TAG_BLANK;
  case 'S':
    return FDX_TAG_SIMPLE;
  case 'L':
    return FDX_TAG_LANG;
  case 'T':
    return FDX_TAG_TYPED;
  default:
    return FDX_TAG_SPECIAL;
  }
}

static FdxStatus
fdx_term_bytes_view(const uint8_t* const bytes,
                    const size_t         len,
                    FdxTerm* const       ret)
{
  memset(ret, 0, sizeof(*ret));
  if (len == 0) {
    return FDX_ERR_CORRUPT;
  }
  const char* const body     = (const char*)bytes + 1;
  const size_t      body_len = len - 1;
  switch (bytes[0]) {
  case 'I':
  case 'B':
  case 'S':
    ret->kind      = bytes[0] == 'I'   ? FDX_TERM_IRI
                     : bytes[0] == 'B' ? FDX_TERM_BLANK
                                       : FDX_TERM_LITERAL;
    ret->value     = body;
    ret->value_len = body_len;
    return FDX_SUCCESS;
  case 'L':
  case 'T': {
    const char* const nul = (const char*)memchr(body, '\0', body_len);
    if (!nul) {
      return FDX_ERR_CORRUPT;
    }
    const size_t head_len = (size_t)(nul - body);
    ret->kind             = FDX_TERM_LITERAL;
    if (bytes[0] == 'L') {
      ret->lang     = body;
      ret->lang_len = head_len;
    } else {
      ret->datatype     = body;
      ret->datatype_len = head_len;
    }
    ret->value     = nul + 1;
    ret->value_len = body_len - head_len - 1;
    return FDX_SUCCESS;
  }
  default:
    return FDX_ERR_CORRUPT;
  }
}

/* ------------------------------------------------------------------------
 * Hash (for long keys): two 64-bit lanes of a multiply-xorshift mix over
 * 8-byte words.  Not cryptographic; collisions are checked anyway.
 * --------------------------------------------------------------------- */

static inline uint64_t
mix64(uint64_t x)
{
  x ^= x >> 33;
  x *= UINT64_C(0xff51afd7ed558ccd);
  x ^= x >> 33;
  x *= UINT64_C(0xc4ceb9fe1a85ec53);
  x ^= x >> 33;
  return x;
}

static void
fdx_hash128(const uint8_t* const bytes, const size_t len, uint8_t out[16])
{
  uint64_t a = UINT64_C(0x9e3779b97f4a7c15) ^ len;
  uint64_t b = UINT64_C(0xc2b2ae3d27d4eb4f) + len;
  size_t   i = 0;
  for (; i + 8 <= len; i += 8) {
    uint64_t w;
    memcpy(&w, bytes + i, 8);
    a = mix64(a ^ w) + b;
    b = mix64(b + w * UINT64_C(0x165667b19e3779f9)) ^ a;
  }
  uint64_t tail = 0;
  for (size_t j = 0; i + j < len; ++j) {
    tail |= (uint64_t)bytes[i + j] << (8 * j);
  }
  a = mix64(a ^ tail ^ UINT64_C(0x27d4eb2f165667c5));
  b = mix64(b + tail + a);
  fdx_put_u64(out, a);
  fdx_put_u64(out + 8, b);
}

/* The term2id key for term bytes, into `key_buf` (FDX_LONG_KEY bytes);
 * returns its length. */
static size_t
fdx_term_key(const uint8_t* const bytes,
             const size_t         len,
             uint8_t* const       key_buf)
{
  if (len < FDX_LONG_KEY) {
    memcpy(key_buf, bytes, len);
    return len;
  }
  memcpy(key_buf, bytes, FDX_LONG_PREFIX);
  fdx_hash128(bytes, len, key_buf + FDX_LONG_PREFIX);
  return FDX_LONG_KEY;
}

/* ------------------------------------------------------------------------
 * Dictionary tables
 * --------------------------------------------------------------------- */

static FdxStatus
id2term_get(FdxTxn* const txn, const FdxId id, MDB_val* const ret)
{
  uint8_t kbuf[8];
  fdx_put_u64(kbuf, id & PAYLOAD_MASK);
  MDB_val key = {8, kbuf};
  return fdx_lmdb_status(mdb_get(txn->txn, txn->store->id2term, &key, ret));
}

static FdxStatus
fdx_dict_find(FdxTxn* const        txn,
              const uint8_t* const bytes,
              const size_t         len,
              FdxId* const         ret_id)
{
  uint8_t      kbuf[FDX_LONG_KEY];
  const size_t klen = fdx_term_key(bytes, len, kbuf);
  MDB_val      key  = {klen, kbuf};
  MDB_val      val;
  if (klen < FDX_LONG_KEY) {
    const int rc = mdb_get(txn->txn, txn->store->term2id, &key, &val);
    if (rc) {
      return fdx_lmdb_status(rc);
    }
    if (val.mv_size != 8) {
      return FDX_ERR_CORRUPT;
    }
    *ret_id = fdx_get_u64((const uint8_t*)val.mv_data);
    return FDX_SUCCESS;
  }

  /* Long term: check every id under the hashed key. */
  MDB_cursor* cur = NULL;
  int         rc  = mdb_cursor_open(txn->txn, txn->store->term2id, &cur);
  if (rc) {
    return fdx_lmdb_status(rc);
  }
  FdxStatus st = FDX_FAILURE;
  for (rc = mdb_cursor_get(cur, &key, &val, MDB_SET_KEY); !rc;
       rc = mdb_cursor_get(cur, &key, &val, MDB_NEXT_DUP)) {
    const FdxId id = fdx_get_u64((const uint8_t*)val.mv_data);
    MDB_val     stored;
    if ((st = id2term_get(txn, id, &stored))) {
      st = st == FDX_FAILURE ? FDX_ERR_CORRUPT : st;
      break;
    }
    if (stored.mv_size == len && !memcmp(stored.mv_data, bytes, len)) {
      *ret_id = id;
      st      = FDX_SUCCESS;
      break;
    }
    st = FDX_FAILURE;
  }
  if (rc && rc != MDB_NOTFOUND) {
    st = fdx_lmdb_status(rc);
  }
  mdb_cursor_close(cur);
  return st;
}

static FdxStatus
fdx_dict_add(FdxTxn* const        txn,
             const uint8_t* const bytes,
             const size_t         len,
             FdxId* const         ret_id)
{
  if (!txn->write) {
    return FDX_ERR_READ_ONLY;
  }
  const uint64_t seq = ++txn->meta.next_term;
  const FdxId    id  = make_id(fdx_term_bytes_tag(bytes, len), seq);
  uint8_t        sbuf[8];
  uint8_t        ibuf[8];
  fdx_put_u64(sbuf, seq);
  fdx_put_u64(ibuf, id);
  MDB_val skey = {8, sbuf};
  MDB_val sval = {len, (void*)bytes};
  int     rc = mdb_put(txn->txn, txn->store->id2term, &skey, &sval, MDB_APPEND);
  if (rc) {
    return fdx_lmdb_status(rc);
  }
  uint8_t      kbuf[FDX_LONG_KEY];
  const size_t klen = fdx_term_key(bytes, len, kbuf);
  MDB_val      key  = {klen, kbuf};
  MDB_val      val  = {8, ibuf};
  if ((rc = mdb_put(txn->txn, txn->store->term2id, &key, &val, 0))) {
    return fdx_lmdb_status(rc);
  }
  ++txn->meta.terms;
  txn->meta_dirty = true;
  *ret_id         = id;
  return FDX_SUCCESS;
}

FdxStatus
fdx_dict_intern(FdxTxn* const        txn,
                const uint8_t* const bytes,
                const size_t         len,
                FdxId* const         ret_id)
{
  if (!txn->write) {
    return FDX_ERR_READ_ONLY;
  }
  if (len >= FDX_LONG_KEY) {
    const FdxStatus st = fdx_dict_find(txn, bytes, len, ret_id);
    return st == FDX_FAILURE ? fdx_dict_add(txn, bytes, len, ret_id) : st;
  }
  /* One descent: offer the next id; LMDB hands back the old one if the
   * term is there already. */
  const uint64_t seq = txn->meta.next_term + 1;
  const FdxId    id  = make_id(fdx_term_bytes_tag(bytes, len), seq);
  uint8_t        ibuf[8];
  fdx_put_u64(ibuf, id);
  MDB_val key = {len, (void*)bytes};
  MDB_val val = {8, ibuf};
  int     rc  = mdb_put(txn->txn, txn->store->term2id, &key, &val,
                        MDB_NOOVERWRITE);
  if (rc == MDB_KEYEXIST) {
    if (val.mv_size != 8) {
      return FDX_ERR_CORRUPT;
    }
    *ret_id = fdx_get_u64((const uint8_t*)val.mv_data);
    return FDX_SUCCESS;
  }
  if (rc) {
    return fdx_lmdb_status(rc);
  }
  uint8_t sbuf[8];
  fdx_put_u64(sbuf, seq);
  MDB_val skey = {8, sbuf};
  MDB_val sval = {len, (void*)bytes};
  if ((rc = mdb_put(txn->txn, txn->store->id2term, &skey, &sval,
                    MDB_APPEND))) {
    return fdx_lmdb_status(rc);
  }
  txn->meta.next_term = seq;
  ++txn->meta.terms;
  txn->meta_dirty = true;
  *ret_id         = id;
  return FDX_SUCCESS;
}

FdxStatus
fdx_term_id(FdxTxn* const txn, const FdxTerm* const term, FdxId* const ret)
{
  if (!txn || !term || !ret) {
    return FDX_ERR_BAD_ARG;
  }
  if (fdx_term_inline(term, ret)) {
    return FDX_SUCCESS;
  }
  uint8_t*  bytes = NULL;
  size_t    len   = 0;
  FdxStatus st    = fdx_term_encode(term, &bytes, &len);
  if (!st) {
    st = fdx_dict_find(txn, bytes, len, ret);
  }
  free(bytes);
  return st;
}

/* ------------------------------------------------------------------------
 * The write transaction's term cache (see FdxTermCache)
 * --------------------------------------------------------------------- */

/* The most terms, and bytes of terms, one cache holds before it starts
 * over: a harvest batch's repeated terms fit many times over. */
#define TERM_CACHE_MAX_SLOTS ((size_t)1 << 17)
#define TERM_CACHE_MAX_BYTES ((size_t)8 << 20)

static uint64_t
term_cache_hash(const uint8_t* const bytes, const size_t len)
{
  uint8_t h[16];
  fdx_hash128(bytes, len, h);
  uint64_t v;
  memcpy(&v, h, 8);
  return v;
}

static void
term_cache_clear(FdxTermCache* const c)
{
  if (c->slots) {
    memset(c->slots, 0, c->n_slots * sizeof(FdxTermCacheSlot));
  }
  c->n         = 0;
  c->bytes_len = 0;
}

void
fdx_term_cache_free(FdxTxn* const txn)
{
  FdxTermCache* const c = &txn->term_cache;
  free(c->slots);
  free(c->bytes);
  memset(c, 0, sizeof(*c));
}

static bool
term_cache_get(const FdxTermCache* const c, const uint64_t hash,
               const uint8_t* const bytes, const size_t len,
               FdxId* const ret_id)
{
  if (!c->n_slots) {
    return false;
  }
  const size_t mask = c->n_slots - 1;
  for (size_t i = hash & mask; c->slots[i].id; i = (i + 1) & mask) {
    const FdxTermCacheSlot* const s = &c->slots[i];
    if (s->hash == hash && s->len == len &&
        !memcmp(c->bytes + s->offset, bytes, len)) {
      *ret_id = s->id;
      return true;
    }
  }
  return false;
}

/* Remember (bytes -> id); running out of memory only forgets. */
static void
term_cache_put(FdxTermCache* const c, const uint64_t hash,
               const uint8_t* const bytes, const size_t len, const FdxId id)
{
  if (c->n + 1 > TERM_CACHE_MAX_SLOTS / 2 ||
      c->bytes_len + len > TERM_CACHE_MAX_BYTES) {
    term_cache_clear(c);
  }
  if ((c->n + 1) * 2 > c->n_slots) {
    const size_t            n     = c->n_slots ? c->n_slots * 2 : 1024;
    FdxTermCacheSlot* const slots =
      (FdxTermCacheSlot*)calloc(n, sizeof(FdxTermCacheSlot));
    if (!slots) {
      return;
    }
    for (size_t i = 0; i < c->n_slots; ++i) {
      if (c->slots[i].id) {
        size_t j = c->slots[i].hash & (n - 1);
        while (slots[j].id) {
          j = (j + 1) & (n - 1);
        }
        slots[j] = c->slots[i];
      }
    }
    free(c->slots);
    c->slots   = slots;
    c->n_slots = n;
  }
  if (c->bytes_len + len > c->bytes_cap) {
    size_t cap = c->bytes_cap ? c->bytes_cap : 64 << 10;
    while (cap < c->bytes_len + len) {
      cap *= 2;
    }
    uint8_t* const grown = (uint8_t*)realloc(c->bytes, cap);
    if (!grown) {
      return;
    }
    c->bytes     = grown;
    c->bytes_cap = cap;
  }
  memcpy(c->bytes + c->bytes_len, bytes, len);
  size_t j = hash & (c->n_slots - 1);
  while (c->slots[j].id) {
    j = (j + 1) & (c->n_slots - 1);
  }
  c->slots[j] = (FdxTermCacheSlot){hash, (uint32_t)c->bytes_len,
                                   (uint32_t)len, id};
  c->bytes_len += len;
  ++c->n;
}

FdxStatus
fdx_term_intern(FdxTxn* const txn, const FdxTerm* const term, FdxId* ret)
{
  if (!txn || !term || !ret) {
    return FDX_ERR_BAD_ARG;
  }
  if (!txn->write) {
    return FDX_ERR_READ_ONLY;
  }
  if (fdx_term_inline(term, ret)) {
    return FDX_SUCCESS;
  }
  /* Most terms fit a buffer on the stack. */
  uint8_t   stack_buf[FDX_LONG_KEY];
  uint8_t*  bytes = stack_buf;
  size_t    len   = 0;
  FdxStatus st = fdx_term_encode_into(term, stack_buf, sizeof(stack_buf), &len);
  if (st == FDX_FAILURE) {
    bytes = NULL;
    st    = fdx_term_encode(term, &bytes, &len);
  }
  if (st) {
    return st;
  }
  if (len > txn->store->max_term_bytes) {
    if (bytes != stack_buf) {
      free(bytes);
    }
    return FDX_ERR_LIMIT;
  }
  if (len < FDX_LONG_KEY) {
    const uint64_t hash = term_cache_hash(bytes, len);
    if (term_cache_get(&txn->term_cache, hash, bytes, len, ret)) {
      return FDX_SUCCESS;
    }
    st = fdx_txn_count_writes(txn, 1);
    if (!st) {
      st = fdx_dict_intern(txn, bytes, len, ret);
    }
    if (!st) {
      term_cache_put(&txn->term_cache, hash, bytes, len, *ret);
    }
  } else if (!(st = fdx_txn_count_writes(txn, 1))) {
    st = fdx_dict_intern(txn, bytes, len, ret);
  }
  if (bytes != stack_buf) {
    free(bytes);
  }
  return st;
}

FdxStatus
fdx_term_get(FdxTxn* const txn, const FdxId id, FdxTermBuf* const buf)
{
  if (!txn || !buf) {
    return FDX_ERR_BAD_ARG;
  }
  if (fdx_id_is_inline(id)) {
    const char*  dt = NULL;
    const size_t n  = decode_inline(id, buf->scratch, &dt);
    if (!dt) {
      return FDX_FAILURE;
    }
    buf->term = (FdxTerm){FDX_TERM_LITERAL, buf->scratch, n, NULL, 0,
                          dt, strlen(dt)};
    return FDX_SUCCESS;
  }
  const FdxIdTag tag = fdx_id_tag(id);
  if (tag < FDX_TAG_BLANK || tag > FDX_TAG_TYPED) {
    return FDX_FAILURE;
  }
  MDB_val         val;
  const FdxStatus st = id2term_get(txn, id, &val);
  if (st) {
    return st;
  }
  if (fdx_term_bytes_tag((const uint8_t*)val.mv_data, val.mv_size) != tag) {
    return FDX_FAILURE;
  }
  return fdx_term_bytes_view((const uint8_t*)val.mv_data, val.mv_size,
                             &buf->term);
}
