/*
 * test_dict.c: the term dictionary and the values packed into ids.
 *
 * Every quad the store keeps is four ids, so a dictionary that gives two
 * terms one id, or gives a term back with one byte changed, silently
 * corrupts every answer built on it.  This test checks: each kind of term
 * (IRI, blank node, simple, language-tagged and typed literal, with
 * "x"^^xsd:string the same term as "x") gets its own id and decodes byte
 * for byte; long terms, past LMDB's 511-byte key limit, are still told apart
 * when they share a long prefix; the configured size limit and invalid
 * UTF-8 are refused with the documented statuses; Unicode of every width
 * round-trips; inlined literals are accepted only in canonical form (other
 * forms still round-trip exactly through the dictionary) and their ids sort
 * by value; unseen terms are reported as FDX_FAILURE.  A random round of
 * terms checks that equal terms, and only equal terms, share an id, before
 * and after a commit and a reopen.
 *
 * Random parts use a fixed-seed xorshift generator (FDX_TEST_SEED
 * overrides the seed, which is printed) so a failure reproduces.
 */
#include "test_util.h"

#include "fairdex/status.h"
#include "fairdex/store.h"

#include <inttypes.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define XSD "http://www.w3.org/2001/XMLSchema#"
#define EX "http://example.org/"

/* How many terms the store holds. */
static uint64_t
term_count(FdxTxn* const txn)
{
  FdxStoreStats stats;
  CHECK_ST(fdx_store_stats(txn, &stats), FDX_SUCCESS);
  return stats.terms;
}

/* ------------------------------------------------------------------------
 * Terms
 * --------------------------------------------------------------------- */

static FdxTerm
mk_term(const FdxTermKind kind, const char* const value, const size_t len)
{
  FdxTerm t = { kind, value, len, NULL, 0, NULL, 0 };
  return t;
}

static FdxTerm
mk_lit(const char* const value,
       const size_t      len,
       const char* const lang,
       const char* const datatype)
{
  FdxTerm t = { FDX_TERM_LITERAL,
                value,
                len,
                lang,
                lang ? strlen(lang) : 0,
                datatype,
                datatype ? strlen(datatype) : 0 };
  return t;
}

/* The form the store gives back: "x"^^xsd:string is the simple "x". */
static FdxTerm
normalized(FdxTerm t)
{
  if (t.kind == FDX_TERM_LITERAL && t.datatype &&
      bytes_eq(
        t.datatype, t.datatype_len, XSD "string", strlen(XSD "string"))) {
    t.datatype     = NULL;
    t.datatype_len = 0;
  }
  if (t.lang && !t.lang_len) {
    t.lang = NULL;
  }
  return t;
}

/* Are two terms the same RDF term, byte for byte? */
static bool
term_eq(const FdxTerm* const a0, const FdxTerm* const b0)
{
  const FdxTerm a = normalized(*a0);
  const FdxTerm b = normalized(*b0);
  return a.kind == b.kind &&
         bytes_eq(a.value, a.value_len, b.value, b.value_len) &&
         (!a.lang) == (!b.lang) &&
         (!a.lang || bytes_eq(a.lang, a.lang_len, b.lang, b.lang_len)) &&
         (!a.datatype) == (!b.datatype) &&
         (!a.datatype ||
          bytes_eq(a.datatype, a.datatype_len, b.datatype, b.datatype_len));
}

/* Intern `t` and return its id (0 after a failed check). */
static FdxId
intern_ok(FdxTxn* const txn, const FdxTerm* const t)
{
  FdxId           id = FDX_ID_ANY;
  const FdxStatus st = fdx_term_intern(txn, t, &id);
  CHECK_ST(st, FDX_SUCCESS);
  CHECK(st || id != FDX_ID_ANY);
  return st ? FDX_ID_ANY : id;
}

/* Decoding `id` gives `want` exactly. */
static bool
roundtrips(FdxTxn* const txn, const FdxId id, const FdxTerm* const want)
{
  FdxTermBuf buf;
  memset(&buf, 0, sizeof(buf));
  const FdxStatus st = fdx_term_get(txn, id, &buf);
  if (st) {
    fprintf(stderr, "fdx_term_get(%016" PRIx64 "): %s\n", id, fdx_strerror(st));
    return false;
  }
  if (!term_eq(&buf.term, want)) {
    fprintf(stderr,
            "fdx_term_get(%016" PRIx64 "): kind %d, value %zu bytes \"%.60s\""
            " (wanted kind %d, %zu bytes \"%.60s\")\n",
            id,
            (int)buf.term.kind,
            buf.term.value_len,
            buf.term.value ? buf.term.value : "",
            (int)want->kind,
            want->value_len,
            want->value ? want->value : "");
    return false;
  }
  return true;
}

/* fdx_term_id finds `t` under `want`. */
static bool
finds(FdxTxn* const txn, const FdxTerm* const t, const FdxId want)
{
  FdxId id = FDX_ID_ANY;
  return fdx_term_id(txn, t, &id) == FDX_SUCCESS && id == want;
}

/* ------------------------------------------------------------------------
 * Kinds of term
 * --------------------------------------------------------------------- */

static void
test_kinds(FdxStore* const store)
{
  static const char nul_value[] = { 'a', '\0', 'b' };
  const FdxTerm     terms[]     = {
            mk_lit("hello", 5, NULL, NULL),                /* 0 simple */
            mk_lit("hello", 5, "en", NULL),                /* 1 lang */
            mk_lit("hello", 5, "de", NULL),                /* 2 lang */
            mk_lit("hello", 5, "en-GB", NULL),             /* 3 lang */
            mk_lit("hello", 5, NULL, EX "dt"),             /* 4 typed */
            mk_lit("hello", 5, NULL, EX "dt2"),            /* 5 typed */
            mk_term(FDX_TERM_IRI, "hello", 5),             /* 6 iri */
            mk_term(FDX_TERM_IRI, EX "a", strlen(EX "a")), /* 7 iri */
            mk_term(FDX_TERM_BLANK, "hello", 5),           /* 8 blank */
            mk_term(FDX_TERM_BLANK, "b0", 2),              /* 9 blank */
            mk_lit("", 0, NULL, NULL),                     /* 10 empty simple */
            mk_lit("", 0, "en", NULL),                     /* 11 empty lang */
            mk_lit("", 0, NULL, EX "dt"),                  /* 12 empty typed */
            mk_lit(nul_value, 3, NULL, NULL),              /* 13 NUL inside */
            mk_lit(nul_value, 3, "en", NULL),              /* 14 */
            mk_lit(nul_value, 3, NULL, EX "dt"),           /* 15 */
            mk_lit("42", 2, NULL, EX "dt"), /* 16 typed, not xsd */
            mk_lit("hello", 5, NULL, XSD "normalizedString"), /* 17 */
            mk_lit("hell", 4, NULL, NULL),                    /* 18 prefix */
            mk_lit("hello ", 6, NULL, NULL),                  /* 19 */
  };
  const FdxIdTag tags[] = {
    FDX_TAG_SIMPLE, FDX_TAG_LANG,   FDX_TAG_LANG,   FDX_TAG_LANG,
    FDX_TAG_TYPED,  FDX_TAG_TYPED,  FDX_TAG_IRI,    FDX_TAG_IRI,
    FDX_TAG_BLANK,  FDX_TAG_BLANK,  FDX_TAG_SIMPLE, FDX_TAG_LANG,
    FDX_TAG_TYPED,  FDX_TAG_SIMPLE, FDX_TAG_LANG,   FDX_TAG_TYPED,
    FDX_TAG_TYPED,  FDX_TAG_TYPED,  FDX_TAG_SIMPLE, FDX_TAG_SIMPLE,
  };
  enum
  {
    N = sizeof(terms) / sizeof(terms[0])
  };
  FdxId ids[N];

  FdxTxn*        txn    = begin(store, FDX_TXN_WRITE);
  const uint64_t before = term_count(txn);
  for (size_t i = 0; i < N; ++i) {
    ids[i] = intern_ok(txn, &terms[i]);
    CHECK(fdx_id_tag(ids[i]) == tags[i]);
    CHECK(!fdx_id_is_inline(ids[i]));
    CHECK(roundtrips(txn, ids[i], &terms[i]));
  }
  for (size_t i = 0; i < N; ++i) {
    for (size_t j = 0; j < i; ++j) {
      CHECK(ids[i] != ids[j]);
    }
    /* Interning again, and looking up, give the same id. */
    CHECK(intern_ok(txn, &terms[i]) == ids[i]);
    CHECK(finds(txn, &terms[i], ids[i]));
  }
  CHECK(term_count(txn) == before + N);

  /* "hello"^^xsd:string is the simple literal "hello" (RDF 1.1). */
  const FdxTerm xs = mk_lit("hello", 5, NULL, XSD "string");
  CHECK(intern_ok(txn, &xs) == ids[0]);
  CHECK(finds(txn, &xs, ids[0]));
  const FdxTerm xs_empty = mk_lit("", 0, NULL, XSD "string");
  CHECK(intern_ok(txn, &xs_empty) == ids[10]);
  CHECK(term_count(txn) == before + N);

  /* The convenience constructors make the same terms. */
  const FdxTerm iri = fdx_term_iri(EX "a");
  CHECK(finds(txn, &iri, ids[7]));
  const FdxTerm lit = fdx_term_literal("hello", "en", NULL);
  CHECK(finds(txn, &lit, ids[1]));
  const FdxTerm typed = fdx_term_literal("hello", NULL, EX "dt");
  CHECK(finds(txn, &typed, ids[4]));
  CHECK_ST(fdx_txn_commit(txn), FDX_SUCCESS);

  /* After the commit, in a read transaction. */
  txn = begin(store, 0);
  CHECK(term_count(txn) == before + N);
  for (size_t i = 0; i < N; ++i) {
    CHECK(finds(txn, &terms[i], ids[i]));
    CHECK(roundtrips(txn, ids[i], &terms[i]));
  }
  CHECK(finds(txn, &xs, ids[0]));
  /* A read transaction cannot add terms. */
  const FdxTerm fresh = fdx_term_iri(EX "never-added");
  FdxId         id    = FDX_ID_ANY;
  CHECK_ST(fdx_term_intern(txn, &fresh, &id), FDX_ERR_READ_ONLY);
  fdx_txn_abort(txn);
}

/* ------------------------------------------------------------------------
 * Long terms
 * --------------------------------------------------------------------- */

/* `n` bytes of printable ASCII from the generator, after `head`. */
static char*
make_text(const char* const head, const size_t n)
{
  char* const  s = (char*)malloc(n + 1);
  const size_t h = strlen(head);
  REQUIRE(s && h <= n);
  memcpy(s, head, h);
  for (size_t i = h; i < n; ++i) {
    s[i] = (char)('a' + rng_below(26));
  }
  s[n] = '\0';
  return s;
}

static void
test_long_terms(FdxStore* const store)
{
  enum
  {
    MAXT = 64
  };
  FdxTerm terms[MAXT];
  char*   owned[MAXT];
  size_t  n_owned = 0;
  size_t  n       = 0;

  /* 1 KiB, 100 KiB, 1.5 MiB, as IRIs and as each kind of literal. */
  const size_t sizes[] = { 1024, 100 * 1024, 3 * 512 * 1024 };
  for (size_t i = 0; i < 3; ++i) {
    char* const s    = make_text(EX "long/", sizes[i]);
    owned[n_owned++] = s;
    terms[n++]       = mk_term(FDX_TERM_IRI, s, sizes[i]);
    terms[n++]       = mk_term(FDX_TERM_BLANK, s + strlen(EX), 600);
    terms[n++]       = mk_lit(s, sizes[i], NULL, NULL);
    terms[n++]       = mk_lit(s, sizes[i], "en", NULL);
    terms[n++]       = mk_lit(s, sizes[i], NULL, EX "dt");
  }
  /* A long datatype with a short value. */
  terms[n++] = mk_lit("v", 1, NULL, owned[0]);

  /* Two 1 KiB terms with the first 470 bytes in common. */
  char* const a = make_text(EX, 1024);
  char* const b = make_text(EX, 1024);
  memcpy(b, a, 470);
  owned[n_owned++] = a;
  owned[n_owned++] = b;
  terms[n++]       = mk_term(FDX_TERM_IRI, a, 1024);
  terms[n++]       = mk_term(FDX_TERM_IRI, b, 1024);
  terms[n++]       = mk_lit(a, 1024, NULL, NULL);
  terms[n++]       = mk_lit(b, 1024, NULL, NULL);

  /* Two 100 KiB terms that differ only in their last byte, and one that
   * is the first of them with a byte more. */
  char* const c = make_text(EX, 100 * 1024 + 1);
  char* const d = (char*)malloc(100 * 1024 + 1);
  REQUIRE(d);
  memcpy(d, c, 100 * 1024 + 1);
  d[100 * 1024 - 1] = c[100 * 1024 - 1] == 'x' ? 'y' : 'x';
  owned[n_owned++]  = c;
  owned[n_owned++]  = d;
  terms[n++]        = mk_term(FDX_TERM_IRI, c, 100 * 1024);
  terms[n++]        = mk_term(FDX_TERM_IRI, d, 100 * 1024);
  terms[n++]        = mk_term(FDX_TERM_IRI, c, 100 * 1024 + 1);

  /* Prefixes of one string around the key limit (480 bytes of key, with
   * the kind byte): every one of them shares its first 460 bytes. */
  for (size_t len = 464; len <= 500; len += 2) {
    terms[n++] = mk_term(FDX_TERM_IRI, a, len);
    REQUIRE(n < MAXT);
  }
  terms[n++] = mk_lit(a, 478, NULL, NULL);
  terms[n++] = mk_lit(a, 479, NULL, NULL);
  terms[n++] = mk_lit(a, 480, NULL, NULL);
  REQUIRE(n <= MAXT);

  FdxId          ids[MAXT];
  FdxTxn*        txn    = begin(store, FDX_TXN_WRITE);
  const uint64_t before = term_count(txn);
  for (size_t i = 0; i < n; ++i) {
    ids[i] = intern_ok(txn, &terms[i]);
    CHECK(roundtrips(txn, ids[i], &terms[i]));
  }
  for (size_t i = 0; i < n; ++i) {
    for (size_t j = 0; j < i; ++j) {
      if (ids[i] == ids[j]) {
        fprintf(stderr,
                "long terms %zu and %zu (%zu and %zu bytes) share "
                "id %016" PRIx64 "\n",
                j,
                i,
                terms[j].value_len,
                terms[i].value_len,
                ids[i]);
      }
      CHECK(ids[i] != ids[j]);
    }
    CHECK(finds(txn, &terms[i], ids[i]));
    CHECK(intern_ok(txn, &terms[i]) == ids[i]);
  }
  CHECK(term_count(txn) == before + n);
  CHECK_ST(fdx_txn_commit(txn), FDX_SUCCESS);

  txn = begin(store, 0);
  for (size_t i = 0; i < n; ++i) {
    CHECK(finds(txn, &terms[i], ids[i]));
    CHECK(roundtrips(txn, ids[i], &terms[i]));
  }
  /* A long term never added, with the same prefix and length as one that
   * was: the look-up must compare whole terms, not just the key. */
  char* const e = (char*)malloc(1024);
  REQUIRE(e);
  memcpy(e, a, 1024);
  e[1000]          = e[1000] == 'q' ? 'r' : 'q';
  const FdxTerm et = mk_term(FDX_TERM_IRI, e, 1024);
  FdxId         id = FDX_ID_ANY;
  CHECK_ST(fdx_term_id(txn, &et, &id), FDX_FAILURE);
  fdx_txn_abort(txn);

  free(e);
  for (size_t i = 0; i < n_owned; ++i) {
    free(owned[i]);
  }
}

/* ------------------------------------------------------------------------
 * Limits and malformed terms
 * --------------------------------------------------------------------- */

static void
test_max_term(void)
{
  FdxStore* const store =
    open_store("limit", FDX_STORE_CREATE | FDX_STORE_NO_SYNC, 0, 1000);
  CHECK(fdx_store_max_term_bytes(store) == 1000);
  /* Only before opening. */
  CHECK(fdx_store_set_max_term_bytes(store, 5000) != FDX_SUCCESS);
  CHECK(fdx_store_max_term_bytes(store) == 1000);

  char* const big = make_text(EX, (size_t)1 << 20);
  FdxTxn*     txn = begin(store, FDX_TXN_WRITE);
  FdxId       id  = FDX_ID_ANY;

  const FdxTerm over[] = {
    mk_term(FDX_TERM_IRI, big, 2000),
    mk_term(FDX_TERM_IRI, big, (size_t)1 << 20),
    mk_term(FDX_TERM_BLANK, big + strlen(EX), 1500),
    mk_lit(big, 1500, NULL, NULL),
    mk_lit(big, 1500, "en", NULL),
    mk_lit(big, 1500, NULL, EX "dt"),
    mk_lit("v", 1, NULL, big), /* the datatype counts */
  };
  for (size_t i = 0; i < sizeof(over) / sizeof(over[0]); ++i) {
    CHECK_ST(fdx_term_intern(txn, &over[i], &id), FDX_ERR_LIMIT);
  }
  CHECK(term_count(txn) == 0);

  /* Terms under the limit still work in the same transaction. */
  const FdxTerm under[] = {
    mk_term(FDX_TERM_IRI, big, 500),
    mk_lit(big, 900, NULL, NULL),
    mk_lit(big, 600, "en", NULL),
  };
  FdxId ids[3];
  for (size_t i = 0; i < 3; ++i) {
    ids[i] = intern_ok(txn, &under[i]);
  }
  CHECK_ST(fdx_txn_commit(txn), FDX_SUCCESS);
  txn = begin(store, 0);
  for (size_t i = 0; i < 3; ++i) {
    CHECK(roundtrips(txn, ids[i], &under[i]));
  }
  CHECK(term_count(txn) == 3);
  for (size_t i = 0; i < sizeof(over) / sizeof(over[0]); ++i) {
    CHECK_ST(fdx_term_id(txn, &over[i], &id), FDX_FAILURE);
  }
  fdx_txn_abort(txn);
  free(big);
  fdx_store_free(store);
}

static void
test_bad_utf8(FdxStore* const store)
{
  static const char* const bad[] = {
    "\xff",                 /* never valid */
    "\xfe",                 /* never valid */
    "\x80",                 /* lone continuation byte */
    "\xbf",                 /* lone continuation byte */
    "\xc3",                 /* truncated 2-byte sequence */
    "\xe2\x82",             /* truncated 3-byte sequence */
    "\xf0\x9f\x98",         /* truncated 4-byte sequence */
    "\xc0\xaf",             /* overlong '/' */
    "\xc1\xbf",             /* overlong */
    "\xe0\x80\xaf",         /* overlong, 3 bytes */
    "\xf0\x80\x80\xaf",     /* overlong, 4 bytes */
    "\xed\xa0\x80",         /* UTF-16 surrogate U+D800 */
    "\xed\xbf\xbf",         /* UTF-16 surrogate U+DFFF */
    "\xf4\x90\x80\x80",     /* U+110000, past the last code point */
    "\xf5\x80\x80\x80",     /* never valid lead byte */
    "\xf8\x88\x80\x80\x80", /* 5-byte form */
    "\xc3\x28",             /* lead byte, then no continuation */
  };
  FdxTxn*        txn    = begin(store, FDX_TXN_WRITE);
  const uint64_t before = term_count(txn);
  for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); ++i) {
    for (int where = 0; where < 2; ++where) {
      /* The bad bytes in the middle of a term, then at its end. */
      char s[64];
      snprintf(s, sizeof(s), where ? "abc%s" : "ab%scd", bad[i]);
      char iri[96];
      snprintf(iri, sizeof(iri), EX "%s", s);
      const size_t  n       = strlen(s);
      const FdxTerm cases[] = {
        fdx_term_iri(iri),           mk_term(FDX_TERM_BLANK, s, n),
        mk_lit(s, n, NULL, NULL),    mk_lit(s, n, "en", NULL),
        mk_lit(s, n, NULL, EX "dt"), mk_lit(s, n, NULL, XSD "integer"),
        mk_lit("ok", 2, s, NULL),   /* in the language tag */
        mk_lit("ok", 2, NULL, iri), /* in the datatype */
      };
      for (size_t c = 0; c < sizeof(cases) / sizeof(cases[0]); ++c) {
        FdxId id = FDX_ID_ANY;
        CHECK_ST(fdx_term_intern(txn, &cases[c], &id), FDX_ERR_BAD_ARG);
        CHECK_ST(fdx_term_id(txn, &cases[c], &id), FDX_ERR_BAD_ARG);
      }
    }
  }
  CHECK(term_count(txn) == before);

  /* The edges of the valid range are fine. */
  static const char* const good[] = {
    "\x7f",         "\xc2\x80",         "\xdf\xbf",
    "\xe0\xa0\x80", "\xed\x9f\xbf",     "\xee\x80\x80",
    "\xef\xbf\xbf", "\xf0\x90\x80\x80", "\xf4\x8f\xbf\xbf",
  };
  for (size_t i = 0; i < sizeof(good) / sizeof(good[0]); ++i) {
    const FdxTerm t  = mk_lit(good[i], strlen(good[i]), NULL, NULL);
    const FdxId   id = intern_ok(txn, &t);
    CHECK(roundtrips(txn, id, &t));
  }

  /* Other malformed terms. */
  FdxTerm odd = fdx_term_iri(EX "x");
  odd.kind    = (FdxTermKind)99;
  FdxId id    = FDX_ID_ANY;
  CHECK_ST(fdx_term_intern(txn, &odd, &id), FDX_ERR_BAD_ARG);
  CHECK_ST(fdx_term_id(txn, &odd, &id), FDX_ERR_BAD_ARG);
  CHECK_ST(fdx_term_intern(txn, NULL, &id), FDX_ERR_BAD_ARG);
  fdx_txn_abort(txn);
}

static void
test_unicode(FdxStore* const store)
{
  static const char* const texts[] = {
    "M\xc3\xbcller", /* Müller */
    "Stra\xc3\x9f"
    "e", /* Straße */
    "Gr\xc3\xbc\xc3\x9f"
    "e aus K\xc3\xb6ln", /* Grüße aus Köln */
    "\xc3\x84\xc3\x96\xc3\x9c\xc3\xa4\xc3\xb6\xc3\xbc\xe1\xba\x9e", /* ÄÖÜäöüẞ
                                                                     */
    "\xe6\x97\xa5\xe6\x9c\xac\xe8\xaa\x9e", /* 日本語 */
    "\xe4\xb8\xad\xe6\x96\x87",             /* 中文 */
    "\xed\x95\x9c\xea\xb5\xad\xec\x96\xb4", /* 한국어 */
    "\xf0\x9f\x98\x80\xf0\x9f\x8e\x89",     /* two emoji */
    "\xf0\x9f\x91\xa9\xe2\x80\x8d\xf0\x9f\x91\xa9\xe2\x80\x8d\xf0\x9f\x91"
    "\xa7",                      /* ZWJ family */
    "e\xcc\x81",                 /* e + combining acute */
    "\xc3\xa9",                  /* precomposed e acute */
    "a\xcc\x88\xcc\x81\xcc\xa3", /* stacked combining marks */
    "\xef\xbb\xbf"
    "bom",              /* U+FEFF first */
    "\xf4\x8f\xbf\xbf", /* U+10FFFF */
  };
  enum
  {
    NT = sizeof(texts) / sizeof(texts[0]),
    NK = 5
  };
  FdxId   ids[NT][NK];
  FdxTerm terms[NT][NK];
  char    iris[NT][96];
  char    dts[NT][96];

  FdxTxn* txn = begin(store, FDX_TXN_WRITE);
  for (size_t i = 0; i < NT; ++i) {
    const size_t n = strlen(texts[i]);
    snprintf(iris[i], sizeof(iris[i]), EX "%s", texts[i]);
    snprintf(dts[i], sizeof(dts[i]), EX "dt/%s", texts[i]);
    terms[i][0] = fdx_term_iri(iris[i]);
    terms[i][1] = mk_term(FDX_TERM_BLANK, texts[i], n);
    terms[i][2] = mk_lit(texts[i], n, NULL, NULL);
    terms[i][3] = mk_lit(texts[i], n, "de", NULL);
    terms[i][4] = mk_lit(texts[i], n, NULL, dts[i]);
    for (size_t k = 0; k < NK; ++k) {
      ids[i][k] = intern_ok(txn, &terms[i][k]);
      CHECK(roundtrips(txn, ids[i][k], &terms[i][k]));
    }
  }
  /* All distinct: in particular NFC and NFD forms of "é" are different
   * terms (RDF compares code points, not normalized text). */
  for (size_t i = 0; i < NT * NK; ++i) {
    for (size_t j = 0; j < i; ++j) {
      CHECK(ids[i / NK][i % NK] != ids[j / NK][j % NK]);
    }
  }
  CHECK_ST(fdx_txn_commit(txn), FDX_SUCCESS);

  txn = begin(store, 0);
  for (size_t i = 0; i < NT; ++i) {
    for (size_t k = 0; k < NK; ++k) {
      CHECK(finds(txn, &terms[i][k], ids[i][k]));
      CHECK(roundtrips(txn, ids[i][k], &terms[i][k]));
    }
  }
  fdx_txn_abort(txn);
}

/* ------------------------------------------------------------------------
 * Inlined values
 * --------------------------------------------------------------------- */

typedef struct
{
  const char* lex;
  const char* datatype;
  FdxIdTag    tag;
} InlineCase;

static void
test_inline_forms(FdxStore* const store)
{
  static const InlineCase canonical[] = {
    { "42", XSD "integer", FDX_TAG_INTEGER },
    { "-7", XSD "integer", FDX_TAG_INTEGER },
    { "0", XSD "integer", FDX_TAG_INTEGER },
    { "3.25", XSD "decimal", FDX_TAG_DECIMAL },
    { "-0.5", XSD "decimal", FDX_TAG_DECIMAL },
    { "1.0", XSD "decimal", FDX_TAG_DECIMAL },
    { "true", XSD "boolean", FDX_TAG_BOOLEAN },
    { "false", XSD "boolean", FDX_TAG_BOOLEAN },
    { "2020-02-29", XSD "date", FDX_TAG_DATE },
    { "2020-01-01Z", XSD "date", FDX_TAG_DATE },
    { "2020-01-01+05:30", XSD "date", FDX_TAG_DATE },
    { "2021-03-04T10:11:12Z", XSD "dateTime", FDX_TAG_DATETIME },
    { "2021-03-04T10:11:12.5", XSD "dateTime", FDX_TAG_DATETIME },
    { "2021-03-04T10:11:12-08:00", XSD "dateTime", FDX_TAG_DATETIME },
    { "2021-03-04T10:11:12", XSD "dateTime", FDX_TAG_DATETIME },
  };
  static const InlineCase noncanonical[] = {
    { "01", XSD "integer", FDX_TAG_TYPED },
    { "+1", XSD "integer", FDX_TAG_TYPED },
    { "-0", XSD "integer", FDX_TAG_TYPED },
    { "1.50", XSD "decimal", FDX_TAG_TYPED },
    { "1.", XSD "decimal", FDX_TAG_TYPED },
    { ".5", XSD "decimal", FDX_TAG_TYPED },
    { "TRUE", XSD "boolean", FDX_TAG_TYPED },
    { "1", XSD "boolean", FDX_TAG_TYPED },
    { "2020-1-1", XSD "date", FDX_TAG_TYPED },
    { "2019-02-29", XSD "date", FDX_TAG_TYPED },
    { "2021-03-04T24:00:00", XSD "dateTime", FDX_TAG_TYPED },
    { "2021-03-04T10:11:12.500", XSD "dateTime", FDX_TAG_TYPED },
    /* Zero offsets written "-00:00" (canonical: "Z"); fractions of zero. */
    { "2020-01-01-00:00", XSD "date", FDX_TAG_TYPED },
    { "2021-03-04T10:11:12-00:00", XSD "dateTime", FDX_TAG_TYPED },
    { "2021-03-04T10:11:12.0", XSD "dateTime", FDX_TAG_TYPED },
    { "2021-03-04T10:11:60", XSD "dateTime", FDX_TAG_TYPED },
    { "2021-3-04T10:11:12", XSD "dateTime", FDX_TAG_TYPED },
    { "-0.0", XSD "decimal", FDX_TAG_TYPED },
    { "00.5", XSD "decimal", FDX_TAG_TYPED },
    { "false ", XSD "boolean", FDX_TAG_TYPED },
    /* Also not inlined: wrong lexical space for the type, or empty. */
    { "3.25", XSD "integer", FDX_TAG_TYPED },
    { "", XSD "integer", FDX_TAG_TYPED },
    { "abc", XSD "decimal", FDX_TAG_TYPED },
    { " 42", XSD "integer", FDX_TAG_TYPED },
    { "42 ", XSD "integer", FDX_TAG_TYPED },
  };
  /* Canonical but maybe beyond what fits in an id: either way, the round
   * trip must be exact. */
  static const char* const edge[][2] = {
    { "576460752303423487", XSD "integer" },
    { "-576460752303423488", XSD "integer" },
    { "576460752303423488", XSD "integer" },
    { "99999999999999999999999999", XSD "integer" },
    { "0.1234567", XSD "decimal" },
    { "123456789012.5", XSD "decimal" },
    { "99999999999.999999", XSD "decimal" },
    { "9999-12-31T23:59:59.999-14:00", XSD "dateTime" },
    { "0001-01-01T00:00:00+14:00", XSD "dateTime" },
    { "0001-01-01", XSD "date" },
    { "9999-12-31-14:00", XSD "date" },
    { "10000-01-01", XSD "date" },
  };
  const size_t n_can  = sizeof(canonical) / sizeof(canonical[0]);
  const size_t n_non  = sizeof(noncanonical) / sizeof(noncanonical[0]);
  const size_t n_edge = sizeof(edge) / sizeof(edge[0]);

  FdxTxn*        txn    = begin(store, FDX_TXN_WRITE);
  const uint64_t before = term_count(txn);
  FdxId          can_ids[32];
  for (size_t i = 0; i < n_can; ++i) {
    const InlineCase* const c = &canonical[i];
    const FdxTerm t  = mk_lit(c->lex, strlen(c->lex), NULL, c->datatype);
    FdxId         id = FDX_ID_ANY;
    const bool    ok = fdx_term_inline(&t, &id);
    if (!ok) {
      fprintf(stderr, "not inlined: \"%s\"^^<%s>\n", c->lex, c->datatype);
    }
    CHECK(ok);
    CHECK(fdx_id_tag(id) == c->tag);
    CHECK(fdx_id_is_inline(id));
    CHECK(roundtrips(txn, id, &t));
    CHECK(intern_ok(txn, &t) == id);
    CHECK(finds(txn, &t, id));
    can_ids[i] = id;
    for (size_t j = 0; j < i; ++j) {
      CHECK(can_ids[j] != id);
    }
  }
  /* Inlined values take no dictionary entry. */
  CHECK(term_count(txn) == before);

  FdxId non_ids[32];
  for (size_t i = 0; i < n_non; ++i) {
    const InlineCase* const c = &noncanonical[i];
    const FdxTerm t   = mk_lit(c->lex, strlen(c->lex), NULL, c->datatype);
    FdxId         id  = FDX_ID_ANY;
    const bool    inl = fdx_term_inline(&t, &id);
    if (inl) {
      fprintf(
        stderr, "inlined non-canonical \"%s\"^^<%s>\n", c->lex, c->datatype);
    }
    CHECK(!inl);
    id = intern_ok(txn, &t);
    CHECK(fdx_id_tag(id) == FDX_TAG_TYPED);
    CHECK(roundtrips(txn, id, &t));
    CHECK(finds(txn, &t, id));
    non_ids[i] = id;
    for (size_t j = 0; j < i; ++j) {
      CHECK(non_ids[j] != id);
    }
    for (size_t j = 0; j < n_can; ++j) {
      CHECK(can_ids[j] != id);
    }
  }
  FdxId edge_ids[32];
  for (size_t i = 0; i < n_edge; ++i) {
    const FdxTerm t = mk_lit(edge[i][0], strlen(edge[i][0]), NULL, edge[i][1]);
    edge_ids[i]     = intern_ok(txn, &t);
    CHECK(roundtrips(txn, edge_ids[i], &t));
    CHECK(finds(txn, &t, edge_ids[i]));
    for (size_t j = 0; j < i; ++j) {
      CHECK(edge_ids[j] != edge_ids[i]);
    }
  }
  CHECK_ST(fdx_txn_commit(txn), FDX_SUCCESS);

  txn = begin(store, 0);
  for (size_t i = 0; i < n_non; ++i) {
    const InlineCase* const c = &noncanonical[i];
    const FdxTerm t = mk_lit(c->lex, strlen(c->lex), NULL, c->datatype);
    CHECK(finds(txn, &t, non_ids[i]));
    CHECK(roundtrips(txn, non_ids[i], &t));
  }
  for (size_t i = 0; i < n_edge; ++i) {
    const FdxTerm t = mk_lit(edge[i][0], strlen(edge[i][0]), NULL, edge[i][1]);
    CHECK(finds(txn, &t, edge_ids[i]));
    CHECK(roundtrips(txn, edge_ids[i], &t));
  }
  /* An inlined literal with a language tag is not inlined. */
  const FdxTerm lang = mk_lit("42", 2, "en", NULL);
  FdxId         id   = FDX_ID_ANY;
  CHECK(!fdx_term_inline(&lang, &id));
  /* Non-literals are never inlined. */
  const FdxTerm iri = fdx_term_iri(EX "42");
  CHECK(!fdx_term_inline(&iri, &id));
  fdx_txn_abort(txn);
}

/* Days from 1970-01-01 to y-m-d, proleptic Gregorian (H. Hinnant). */
static int64_t
days_from_civil(int64_t y, const int m, const int d)
{
  y -= m <= 2;
  const int64_t era = (y >= 0 ? y : y - 399) / 400;
  const int64_t yoe = y - era * 400;
  const int64_t doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
  const int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + doe - 719468;
}

static int
days_in_month(const int y, const int m)
{
  static const int mdays[] = { 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };
  const bool       leap    = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
  return m == 2 && leap ? 29 : mdays[m - 1];
}

/* A random time zone: "" , "Z" or an offset in 15-minute steps within
 * +-14:00; returns the offset in minutes. */
static int
random_tz(char* const out)
{
  switch (rng_below(3)) {
    case 0:
      out[0] = '\0';
      return 0;
    case 1:
      strcpy(out, "Z");
      return 0;
    default:
      break;
  }
  /* Not 0: "+00:00" is not the canonical form of UTC ("Z"). */
  int minutes = 0;
  while (!minutes) {
    minutes = ((int)rng_below(113) - 56) * 15;
  }
  const int a = minutes < 0 ? -minutes : minutes;
  snprintf(out, 8, "%c%02d:%02d", minutes < 0 ? '-' : '+', a / 60, a % 60);
  return minutes;
}

typedef struct
{
  FdxId   id;
  int64_t key; /* the value, as an integer that orders like it */
  char    lex[48];
} Sample;

static int
sample_by_id(const void* const a, const void* const b)
{
  const FdxId x = ((const Sample*)a)->id;
  const FdxId y = ((const Sample*)b)->id;
  return x < y ? -1 : x > y;
}

/* Make a random canonical literal of type `which` into s (lex and key). */
static const char*
random_value(const int which, Sample* const s)
{
  switch (which) {
    case 0: { /* integer */
      int64_t v;
      switch (rng_below(3)) {
        case 0:
          v = (int64_t)rng_below(2001) - 1000;
          break;
        case 1:
          v = (int64_t)rng_below(4000000001u) - 2000000000;
          break;
        default:
          v = (int64_t)(rng_next() % (UINT64_C(1) << 60)) -
              (int64_t)(UINT64_C(1) << 59);
          break;
      }
      s->key = v;
      snprintf(s->lex, sizeof(s->lex), "%" PRId64, v);
      return XSD "integer";
    }
    case 1: { /* decimal, six fraction digits at most */
      const uint64_t range =
        rng_below(2) ? UINT64_C(2000001) : UINT64_C(199999999999999999);
      const int64_t  scaled = (int64_t)rng_below(range) - (int64_t)(range / 2);
      const uint64_t a      = scaled < 0 ? (uint64_t)-scaled : (uint64_t)scaled;
      char           frac[8];
      snprintf(frac, sizeof(frac), "%06" PRIu64, a % 1000000);
      size_t flen = 6;
      while (flen > 1 && frac[flen - 1] == '0') {
        --flen;
      }
      frac[flen] = '\0';
      s->key     = scaled;
      snprintf(s->lex,
               sizeof(s->lex),
               "%s%" PRIu64 ".%s",
               scaled < 0 ? "-" : "",
               a / 1000000,
               frac);
      return XSD "decimal";
    }
    case 2: { /* boolean */
      const bool b = rng_below(2);
      s->key       = b;
      snprintf(s->lex, sizeof(s->lex), "%s", b ? "true" : "false");
      return XSD "boolean";
    }
    case 3: { /* date: ordered by the calendar day as written */
      const int y = 1 + (int)rng_below(9999);
      const int m = 1 + (int)rng_below(12);
      const int d = 1 + (int)rng_below((uint64_t)days_in_month(y, m));
      char      tz[8];
      random_tz(tz);
      s->key = days_from_civil(y, m, d);
      snprintf(s->lex, sizeof(s->lex), "%04d-%02d-%02d%s", y, m, d, tz);
      return XSD "date";
    }
    default: { /* dateTime: ordered by the UTC instant (no zone as UTC) */
      const int y  = 1 + (int)rng_below(9999);
      const int m  = 1 + (int)rng_below(12);
      const int d  = 1 + (int)rng_below((uint64_t)days_in_month(y, m));
      const int hh = (int)rng_below(24);
      const int mi = (int)rng_below(60);
      const int ss = (int)rng_below(60);
      const int ms = rng_below(2) ? 0 : (int)rng_below(1000);
      char      tz[8];
      const int offset  = random_tz(tz);
      char      frac[8] = "";
      if (ms) {
        snprintf(frac, sizeof(frac), ".%03d", ms);
        size_t flen = 4;
        while (frac[flen - 1] == '0') {
          --flen;
        }
        frac[flen] = '\0';
      }
      const int64_t local =
        ((days_from_civil(y, m, d) * 24 + hh) * 60 + mi) * 60000 +
        (int64_t)ss * 1000 + ms;
      s->key = local - (int64_t)offset * 60000;
      snprintf(s->lex,
               sizeof(s->lex),
               "%04d-%02d-%02dT%02d:%02d:%02d%s%s",
               y,
               m,
               d,
               hh,
               mi,
               ss,
               frac,
               tz);
      return XSD "dateTime";
    }
  }
}

static void
test_inline_order(FdxStore* const store)
{
  enum
  {
    N = 3000
  };
  static const char* const names[] = {
    "integer", "decimal", "boolean", "date", "dateTime"
  };
  static const FdxIdTag tags[]  = { FDX_TAG_INTEGER,
                                    FDX_TAG_DECIMAL,
                                    FDX_TAG_BOOLEAN,
                                    FDX_TAG_DATE,
                                    FDX_TAG_DATETIME };
  Sample* const         samples = (Sample*)calloc(N, sizeof(Sample));
  REQUIRE(samples);
  FdxTxn* const txn = begin(store, 0);

  for (int which = 0; which < 5; ++which) {
    int bad = 0;
    for (size_t i = 0; i < N; ++i) {
      Sample* const     s  = &samples[i];
      const char* const dt = random_value(which, s);
      const FdxTerm     t  = mk_lit(s->lex, strlen(s->lex), NULL, dt);
      if (!fdx_term_inline(&t, &s->id) || fdx_id_tag(s->id) != tags[which]) {
        if (bad++ < 5) {
          fprintf(
            stderr, "canonical %s \"%s\" not inlined\n", names[which], s->lex);
        }
        CHECK(!"canonical value not inlined");
        s->id = 0;
        continue;
      }
      if (!roundtrips(txn, s->id, &t)) {
        CHECK(!"inlined value does not round-trip");
      }
    }
    qsort(samples, N, sizeof(Sample), sample_by_id);
    for (size_t i = 1; i < N; ++i) {
      const Sample* const a = &samples[i - 1];
      const Sample* const b = &samples[i];
      if (!a->id) {
        continue;
      }
      const bool same_lex = !strcmp(a->lex, b->lex);
      if (a->key > b->key || (a->id == b->id) != same_lex) {
        if (bad++ < 5) {
          fprintf(stderr,
                  "%s out of order: \"%s\" (%016" PRIx64 ") before \"%s\" "
                  "(%016" PRIx64 ")\n",
                  names[which],
                  a->lex,
                  a->id,
                  b->lex,
                  b->id);
        }
        CHECK(!"inlined ids do not sort by value");
      }
    }
  }
  fdx_txn_abort(txn);
  free(samples);
}

/* ------------------------------------------------------------------------
 * Unseen terms, bogus ids, aborted writes
 * --------------------------------------------------------------------- */

static void
test_unseen(FdxStore* const store)
{
  char long_iri[2000];
  memset(long_iri, 'z', sizeof(long_iri) - 1);
  memcpy(long_iri, EX, strlen(EX));
  long_iri[sizeof(long_iri) - 1] = '\0';
  const FdxTerm unseen[]         = {
            fdx_term_iri(EX "unseen"),
            mk_term(FDX_TERM_BLANK, "unseen", 6),
            mk_lit("unseen", 6, NULL, NULL),
            mk_lit("unseen", 6, "en", NULL),
            mk_lit("unseen", 6, NULL, EX "dt"),
            mk_lit("unseen", 6, NULL, XSD "string"),
            mk_lit("007", 3, NULL, XSD "integer"),
            fdx_term_iri(long_iri),
  };
  FdxTxn* txn = begin(store, 0);
  for (size_t i = 0; i < sizeof(unseen) / sizeof(unseen[0]); ++i) {
    FdxId id = 12345;
    CHECK_ST(fdx_term_id(txn, &unseen[i], &id), FDX_FAILURE);
  }
  /* Inlined values are always found. */
  const FdxTerm num = mk_lit("123456", 6, NULL, XSD "integer");
  FdxId         id  = FDX_ID_ANY;
  CHECK_ST(fdx_term_id(txn, &num, &id), FDX_SUCCESS);
  CHECK(fdx_id_tag(id) == FDX_TAG_INTEGER);

  /* Ids that name no term. */
  FdxTermBuf buf;
  CHECK_ST(fdx_term_get(txn, FDX_ID_ANY, &buf), FDX_FAILURE);
  CHECK_ST(fdx_term_get(txn, FDX_ID_DEFAULT_GRAPH, &buf), FDX_FAILURE);
  for (uint64_t tag = FDX_TAG_BLANK; tag <= FDX_TAG_TYPED; ++tag) {
    CHECK_ST(fdx_term_get(txn, (tag << 60) | UINT64_C(0x123456789), &buf),
             FDX_FAILURE);
  }
  for (uint64_t tag = FDX_TAG_DATETIME + 1; tag < 16; ++tag) {
    CHECK_ST(fdx_term_get(txn, (tag << 60) | 1, &buf), FDX_FAILURE);
  }
  fdx_txn_abort(txn);

  /* A known sequence number under the wrong tag is no term either. */
  txn              = begin(store, FDX_TXN_WRITE);
  const FdxTerm t  = fdx_term_iri(EX "tagged");
  const FdxId   ok = intern_ok(txn, &t);
  const FdxId   wrong =
    (ok & ~(UINT64_C(0xf) << 60)) | ((uint64_t)FDX_TAG_SIMPLE << 60);
  CHECK_ST(fdx_term_get(txn, wrong, &buf), FDX_FAILURE);
  CHECK_ST(fdx_txn_commit(txn), FDX_SUCCESS);
}

static void
test_abort(FdxStore* const store)
{
  FdxTxn*        txn    = begin(store, 0);
  const uint64_t before = term_count(txn);
  fdx_txn_abort(txn);

  const FdxTerm t = fdx_term_iri(EX "aborted");
  txn             = begin(store, FDX_TXN_WRITE);
  const FdxId id  = intern_ok(txn, &t);
  CHECK(term_count(txn) == before + 1);
  fdx_txn_abort(txn);

  txn       = begin(store, 0);
  FdxId id2 = FDX_ID_ANY;
  CHECK_ST(fdx_term_id(txn, &t, &id2), FDX_FAILURE);
  CHECK(term_count(txn) == before);
  fdx_txn_abort(txn);

  /* Interning it for real afterwards works, and the id decodes to it. */
  txn = begin(store, FDX_TXN_WRITE);
  id2 = intern_ok(txn, &t);
  CHECK(roundtrips(txn, id2, &t));
  CHECK_ST(fdx_txn_commit(txn), FDX_SUCCESS);
  (void)id;
}

/* ------------------------------------------------------------------------
 * Random terms: equal terms, and only equal terms, share an id
 * --------------------------------------------------------------------- */

/* Append one random code point (no NUL unless `nul_ok`) as UTF-8. */
static size_t
random_utf8(char* const out, const bool nul_ok)
{
  const uint64_t r = rng_below(100);
  uint32_t       cp;
  if (r < 70) {
    cp = (uint32_t)(0x20 + rng_below(0x5f));
    if (nul_ok && rng_below(50) == 0) {
      cp = 0;
    }
  } else if (r < 82) {
    cp = (uint32_t)(0x80 + rng_below(0x800 - 0x80));
  } else if (r < 94) {
    do {
      cp = (uint32_t)(0x800 + rng_below(0x10000 - 0x800));
    } while (cp >= 0xD800 && cp <= 0xDFFF);
  } else {
    cp = (uint32_t)(0x10000 + rng_below(0x110000 - 0x10000));
  }
  if (cp < 0x80) {
    out[0] = (char)cp;
    return 1;
  }
  if (cp < 0x800) {
    out[0] = (char)(0xC0 | (cp >> 6));
    out[1] = (char)(0x80 | (cp & 0x3F));
    return 2;
  }
  if (cp < 0x10000) {
    out[0] = (char)(0xE0 | (cp >> 12));
    out[1] = (char)(0x80 | ((cp >> 6) & 0x3F));
    out[2] = (char)(0x80 | (cp & 0x3F));
    return 3;
  }
  out[0] = (char)(0xF0 | (cp >> 18));
  out[1] = (char)(0x80 | ((cp >> 12) & 0x3F));
  out[2] = (char)(0x80 | ((cp >> 6) & 0x3F));
  out[3] = (char)(0x80 | (cp & 0x3F));
  return 4;
}

typedef struct
{
  FdxTerm t;
  char*   value;
  FdxId   id;
} RandTerm;

static void
test_random_terms(FdxStore* const store)
{
  enum
  {
    N = 1500
  };
  static const char* const langs[] = { "en", "de", "fr-CA", "zh-Hant" };
  static const char* const dts[]   = { EX "dt", EX "dt2", XSD "token" };
  RandTerm* const          rt      = (RandTerm*)calloc(N, sizeof(RandTerm));
  REQUIRE(rt);

  for (size_t i = 0; i < N; ++i) {
    if (i > 10 && rng_below(5) == 0) {
      /* A copy of an earlier term, in its own buffer. */
      const RandTerm* const src = &rt[rng_below(i)];
      rt[i].t                   = src->t;
      rt[i].value               = (char*)malloc(src->t.value_len + 1);
      REQUIRE(rt[i].value);
      memcpy(rt[i].value, src->value, src->t.value_len + 1);
      rt[i].t.value = rt[i].value;
      continue;
    }
    const FdxTermKind kind = (FdxTermKind)(1 + rng_below(3));
    /* Mostly short; some around and well past the 480-byte key. */
    const uint64_t r    = rng_below(10);
    const size_t   max  = r < 6 ? 12 : r < 8 ? 520 : 3000;
    const size_t   min  = kind == FDX_TERM_LITERAL ? 0 : 1;
    size_t         want = min + rng_below(max);
    /* Share a long prefix with an earlier term now and then. */
    const RandTerm* const base =
      i > 0 && rng_below(4) == 0 ? &rt[rng_below(i)] : NULL;
    char* const s = (char*)malloc(want + 8);
    REQUIRE(s);
    size_t n = 0;
    if (base && base->t.value_len && base->t.value_len <= want) {
      memcpy(s, base->value, base->t.value_len);
      n = base->t.value_len;
    }
    while (n < want) {
      n += random_utf8(s + n, kind == FDX_TERM_LITERAL);
    }
    if (kind != FDX_TERM_LITERAL) {
      for (size_t k = 0; k < n; ++k) {
        if (!s[k]) {
          s[k] = '0';
        }
      }
    }
    s[n]        = '\0';
    rt[i].value = s;
    rt[i].t     = mk_term(kind, s, n);
    if (kind == FDX_TERM_LITERAL) {
      const uint64_t lk = rng_below(3);
      if (lk == 1) {
        rt[i].t.lang     = langs[rng_below(4)];
        rt[i].t.lang_len = strlen(rt[i].t.lang);
      } else if (lk == 2) {
        rt[i].t.datatype     = dts[rng_below(3)];
        rt[i].t.datatype_len = strlen(rt[i].t.datatype);
      }
    }
  }

  FdxTxn*        txn      = begin(store, FDX_TXN_WRITE);
  const uint64_t before   = term_count(txn);
  size_t         distinct = 0; /* terms new to the store */
  for (size_t i = 0; i < N; ++i) {
    FdxId           old = FDX_ID_ANY;
    const FdxStatus st  = fdx_term_id(txn, &rt[i].t, &old);
    CHECK(st == FDX_SUCCESS || st == FDX_FAILURE);
    rt[i].id = intern_ok(txn, &rt[i].t);
    CHECK(st || old == rt[i].id);
    distinct += st == FDX_FAILURE;
    CHECK(roundtrips(txn, rt[i].id, &rt[i].t));
  }
  for (size_t i = 0; i < N; ++i) {
    for (size_t j = 0; j < i; ++j) {
      const bool same = term_eq(&rt[i].t, &rt[j].t);
      CHECK(same == (rt[i].id == rt[j].id));
    }
  }
  CHECK(term_count(txn) == before + distinct);
  CHECK_ST(fdx_txn_commit(txn), FDX_SUCCESS);

  txn = begin(store, 0);
  for (size_t i = 0; i < N; ++i) {
    CHECK(finds(txn, &rt[i].t, rt[i].id));
    CHECK(roundtrips(txn, rt[i].id, &rt[i].t));
  }
  fdx_txn_abort(txn);

  /* After closing and reopening the store, read-only. */
  fdx_store_free(store);
  FdxStore* const again = open_store("main", FDX_STORE_READ_ONLY, 0, 0);
  FdxTxn*         wtxn  = NULL;
  CHECK_ST(fdx_txn_begin(again, FDX_TXN_WRITE, &wtxn), FDX_ERR_READ_ONLY);
  txn = begin(again, 0);
  CHECK(term_count(txn) == before + distinct);
  for (size_t i = 0; i < N; ++i) {
    CHECK(finds(txn, &rt[i].t, rt[i].id));
    CHECK(roundtrips(txn, rt[i].id, &rt[i].t));
  }
  fdx_txn_abort(txn);
  fdx_store_free(again);

  for (size_t i = 0; i < N; ++i) {
    free(rt[i].value);
  }
  free(rt);
}

int
main(void)
{
  test_start("test_dict");
  make_tmp_root("dict");

  FdxStore* const store =
    open_store("main", FDX_STORE_CREATE | FDX_STORE_NO_SYNC, 0, 0);
  CHECK(fdx_store_max_term_bytes(store) == FDX_DEFAULT_MAX_TERM_BYTES);
  test_kinds(store);
  test_long_terms(store);
  test_max_term();
  test_bad_utf8(store);
  test_unicode(store);
  test_inline_forms(store);
  test_inline_order(store);
  test_unseen(store);
  test_abort(store);
  test_random_terms(store); /* closes `store` */

  return test_finish("test_dict");
}
