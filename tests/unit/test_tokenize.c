/*
 * test_tokenize.c: the full-text tokenizer of the search index
 * (catalog/search/tokenize.c).
 *
 * What a user can find is decided here, so every rule of tokenize.c's
 * opening comment has a check: folding (case, ß, umlauts and other
 * accents, compatibility forms such as full-width letters and ligatures,
 * soft hyphens and decomposed text), the equalities German and English
 * stemming must give ("Krankenhäuser" = "Krankenhaus", "studies" =
 * "study") with the real libstemmer, compounds left whole, word boundaries
 * (hyphens, apostrophes, URLs, e-mail addresses, numbers), stop words of
 * each language and of untagged text, positions and byte offsets in the
 * original text, the two stems of untagged text at one position, the cut
 * of long words, invalid UTF-8, the callback's stop, language tags and
 * fdx_token_fold().
 *
 * Two checks compare against utf8proc itself: the ASCII fast path must
 * fold every ASCII byte as utf8proc does, and fdx_token_fold() (code
 * point by code point) must equal utf8proc_map() with the same options on
 * random strings of awkward characters.  Random parts, and a run over
 * random bytes that checks the invariants of every token, use the
 * fixed-seed generator (FDX_TEST_SEED overrides the seed, which is
 * printed) so a failure reproduces.
 */
#include "test_util.h"

#include "../../catalog/search/tokenize.h"

#include <utf8proc.h>

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The options tokenize.c folds with, for the comparisons with utf8proc. */
#define FOLD_OPTIONS                                                          \
  ((utf8proc_option_t)(UTF8PROC_STABLE | UTF8PROC_COMPOSE | UTF8PROC_COMPAT | \
                       UTF8PROC_CASEFOLD | UTF8PROC_STRIPMARK |               \
                       UTF8PROC_IGNORE))

/* ------------------------------------------------------------------------
 * Helpers
 * --------------------------------------------------------------------- */

static FdxTokenizer* tk = NULL;

/* The tokens of one call, copied. */
typedef struct
{
  char     term[FDX_TOKEN_MAX_TERM + 1];
  char     folded[FDX_TOKEN_MAX_WORD + 1];
  uint32_t position;
  size_t   start;
  size_t   end;
  bool     stop;
} Tok;

typedef struct
{
  Tok    toks[64];
  size_t n;          /* tokens seen (may exceed the 64 kept) */
  size_t text_len;   /* for the offset checks */
  size_t stop_after; /* nonzero: return stop_rc from this call on */
  int    stop_rc;
} Toks;

/* Is `s` (`len` bytes) valid UTF-8? */
static bool
valid_utf8(const char* const s, const size_t len)
{
  for (size_t i = 0; i < len;) {
    utf8proc_int32_t       cp = 0;
    const utf8proc_ssize_t k  = utf8proc_iterate(
      (const utf8proc_uint8_t*)s + i, (utf8proc_ssize_t)(len - i), &cp);
    if (k <= 0) {
      return false;
    }
    i += (size_t)k;
  }
  return true;
}

/* The callback: checks what every token promises, and keeps a copy. */
static int
collect(void* const ctx, const FdxToken* const t)
{
  Toks* const ts = (Toks*)ctx;
  CHECK(t->term && t->term_len > 0 && t->term_len <= FDX_TOKEN_MAX_TERM);
  CHECK(t->term && !t->term[t->term_len] && strlen(t->term) == t->term_len);
  CHECK(t->folded && t->folded_len > 0 && t->folded_len <= FDX_TOKEN_MAX_WORD);
  CHECK(t->folded && !t->folded[t->folded_len] &&
        strlen(t->folded) == t->folded_len);
  CHECK(valid_utf8(t->term, t->term_len));
  CHECK(valid_utf8(t->folded, t->folded_len));
  CHECK(t->start < t->end && t->end <= ts->text_len);
  if (ts->n) {
    const Tok* const prev = &ts->toks[ts->n < 64 ? ts->n - 1 : 63];
    if (ts->n <= 64) {
      CHECK(t->position == prev->position || t->position == prev->position + 1);
      CHECK(t->start >= prev->start);
    }
  }
  if (ts->n < 64) {
    Tok* const out = &ts->toks[ts->n];
    memcpy(out->term, t->term, t->term_len + 1);
    memcpy(out->folded, t->folded, t->folded_len + 1);
    out->position = t->position;
    out->start    = t->start;
    out->end      = t->end;
    out->stop     = t->stop;
  }
  ++ts->n;
  if (ts->stop_after && ts->n >= ts->stop_after) {
    return ts->stop_rc;
  }
  return 0;
}

/* Tokenize `len` bytes of `text` into `ts`; returns fdx_tokenize()'s
 * value. */
static int
run_len(const char* const  text,
        const size_t       len,
        const FdxTokenLang lang,
        Toks* const        ts)
{
  const size_t stop_after = ts->stop_after;
  const int    stop_rc    = ts->stop_rc;
  memset(ts, 0, sizeof(*ts));
  ts->stop_after = stop_after;
  ts->stop_rc    = stop_rc;
  ts->text_len   = len;
  return fdx_tokenize(tk, text, len, lang, collect, ts);
}

/* The tokens of `text` as one string: "term:position" each, a '*' after
 * the term of a stop word, separated by spaces ("der*:0 dat:1"). */
static const char*
tokens(const char* const text, const FdxTokenLang lang)
{
  static Toks ts;
  static char out[4096];
  memset(&ts, 0, sizeof(ts));
  CHECK(run_len(text, strlen(text), lang, &ts) == 0);
  size_t n = 0;
  out[0]   = 0;
  for (size_t i = 0; i < ts.n && i < 64 && n < sizeof(out) - 128; ++i) {
    n += (size_t)snprintf(out + n,
                          sizeof(out) - n,
                          "%s%s%s:%u",
                          i ? " " : "",
                          ts.toks[i].term,
                          ts.toks[i].stop ? "*" : "",
                          (unsigned)ts.toks[i].position);
  }
  return out;
}

/* The term of the one word `word` (all its terms, if several). */
static const char*
term(const char* const word, const FdxTokenLang lang)
{
  static Toks ts;
  static char out[512];
  memset(&ts, 0, sizeof(ts));
  CHECK(run_len(word, strlen(word), lang, &ts) == 0);
  out[0] = 0;
  for (size_t i = 0; i < ts.n && i < 64; ++i) {
    CHECK(ts.toks[i].position == 0);
    if (i) {
      strcat(out, " ");
    }
    strcat(out, ts.toks[i].term);
  }
  return out;
}

/* The folded form fdx_token_fold() gives `text` ("<-1>" if it fails). */
static const char*
fold(const char* const text)
{
  static char out[1024];
  if (fdx_token_fold(text, strlen(text), out, sizeof(out)) < 0) {
    return "<-1>";
  }
  return out;
}

#define CHECK_STR(got, want)                              \
  do {                                                    \
    const char* const got_s_  = (got);                    \
    const char* const want_s_ = (want);                   \
    if (strcmp(got_s_, want_s_)) {                        \
      char msg_[1024];                                    \
      snprintf(msg_,                                      \
               sizeof(msg_),                              \
               "%s gave \"%.400s\", expected \"%.400s\"", \
               #got,                                      \
               got_s_,                                    \
               want_s_);                                  \
      check_failed(__FILE__, __LINE__, msg_);             \
    }                                                     \
  } while (0)

/* ------------------------------------------------------------------------
 * Folding
 * --------------------------------------------------------------------- */

static void
test_fold(void)
{
  /* Case, ß (case folding makes it "ss"), umlauts, other accents. */
  CHECK_STR(fold("Straße"), "strasse");
  CHECK_STR(fold("STRASSE"), "strasse");
  CHECK_STR(fold("STRAẞE"), "strasse");
  CHECK_STR(fold("Ärzte Öl Übung"), "arzte ol ubung");
  CHECK_STR(fold("Krankenhäuser"), "krankenhauser");
  CHECK_STR(fold("naïve café Ångström Łódź"), "naive cafe angstrom łodz");
  /* Compatibility forms: full-width letters and digits, ligatures,
   * circled and superscript digits, a no-break space. */
  CHECK_STR(fold("ＡＢＣ１２"), "abc12");
  CHECK_STR(fold("ﬁnance ﬂow"), "finance flow");
  CHECK_STR(fold("①²"), "12");
  CHECK_STR(fold("a\xC2\xA0"
                 "b"),
            "a b");
  /* Decomposed text composes; soft hyphens and ZWJ go. */
  CHECK_STR(fold("Mu\xCC\x88ller"), "muller");
  CHECK_STR(fold("Kranken\xC2\xAD"
                 "haus"),
            "krankenhaus");
  CHECK_STR(fold("a\xE2\x80\x8D"
                 "b"),
            "ab");
  /* Not split: the whole text folds, for keyword facets and titles. */
  CHECK_STR(fold("Baden-Württemberg"), "baden-wurttemberg");
  CHECK_STR(fold("COVID-19: Daten"), "covid-19: daten");
  /* Greek and Cyrillic fold case too; Han is left alone. */
  CHECK_STR(fold("ΣΟΦΙΑ Москва 東京"), "σοφια москва 東京");
  /* Bytes that are not UTF-8 are dropped. */
  CHECK_STR(fold("ab\xFF"
                 "cd\xC3"),
            "abcd");
  CHECK_STR(fold("Stra\xFF"
                 "ße"),
            "strasse");
  CHECK_STR(fold(""), "");

  /* The room: the NUL must fit too. */
  char buf[8];
  CHECK(fdx_token_fold("abcdefg", 7, buf, 8) == 7 && !strcmp(buf, "abcdefg"));
  CHECK(fdx_token_fold("abcdefgh", 8, buf, 8) == -1);
  CHECK(fdx_token_fold("Straße", strlen("Straße"), buf, 8) == 7);
  CHECK(fdx_token_fold("Straße", strlen("Straße"), buf, 7) == -1);
  CHECK(fdx_token_fold("", 0, buf, 1) == 0 && !buf[0]);
  CHECK(fdx_token_fold(NULL, 0, buf, 1) == 0);
  CHECK(fdx_token_fold("a", 1, NULL, 8) == -1);
  CHECK(fdx_token_fold("a", 1, buf, 0) == -1);

  /* Long non-ASCII text goes through the heap. */
  {
    const size_t n   = 20000;
    char* const  in  = (char*)malloc(2 * n);
    char* const  out = (char*)malloc(n + 1);
    REQUIRE(in && out);
    for (size_t i = 0; i < n; ++i) {
      memcpy(in + 2 * i, "\xC3\x84", 2); /* Ä */
    }
    CHECK(fdx_token_fold(in, 2 * n, out, n + 1) == (int)n);
    bool all_a = true;
    for (size_t i = 0; i < n; ++i) {
      all_a = all_a && out[i] == 'a';
    }
    CHECK(all_a && !out[n]);
    CHECK(fdx_token_fold(in, 2 * n, out, n) == -1);
    free(in);
    free(out);
  }
}

/* The ASCII fast path folds each ASCII byte as utf8proc does. */
static void
test_fold_ascii_matches_utf8proc(void)
{
  for (int c = 1; c < 128; ++c) {
    const utf8proc_uint8_t in[2] = { (utf8proc_uint8_t)c, 0 };
    utf8proc_uint8_t*      want  = NULL;
    const utf8proc_ssize_t n     = utf8proc_map(in, 1, &want, FOLD_OPTIONS);
    char                   got[4];
    CHECK(fdx_token_fold((const char*)in, 1, got, sizeof(got)) == n);
    CHECK(n >= 0 && !memcmp(got, want, (size_t)n + 1));
    free(want);
  }
}

/* fdx_token_fold() equals utf8proc_map() with the same options on random
 * strings of characters chosen to be awkward. */
static void
test_fold_matches_utf8proc(void)
{
  static const utf8proc_int32_t pool[] = {
    'a',    'Z',    '0',    ' ',    '-',    0xDF,    0x1E9E,  0xC4,
    0xE4,   0x308,  0x301,  0x323,  0x345,  0x130,   0x131,   0x3A3,
    0x3C2,  0x1FB3, 0x390,  0xFB01, 0xFB03, 0xFF21,  0xFF41,  0xFF10,
    0x2460, 0x00B2, 0x00BD, 0x2044, 0xAD,   0x200D,  0x200B,  0x2060,
    0xFDFA, 0x3300, 0xAC00, 0x1100, 0x1161, 0x11A8,  0x3164,  0x6771,
    0x0915, 0x093F, 0x094D, 0x0627, 0x064E, 0x1F600, 0x1D400, 0xE9,
    0x65,   0xF900, 0x212B, 0x2126, 0x1E9B, 0x0149,  0x01C4,  0x0587,
  };
  const size_t n_pool = sizeof(pool) / sizeof(pool[0]);
  for (int round = 0; round < 3000; ++round) {
    utf8proc_uint8_t in[256];
    size_t           len = 0;
    const size_t     n   = 1 + (size_t)rng_below(24);
    for (size_t i = 0; i < n; ++i) {
      len += (size_t)utf8proc_encode_char(pool[rng_below(n_pool)], in + len);
    }
    utf8proc_uint8_t*      want = NULL;
    const utf8proc_ssize_t wn =
      utf8proc_map(in, (utf8proc_ssize_t)len, &want, FOLD_OPTIONS);
    char      got[1024];
    const int gn = fdx_token_fold((const char*)in, len, got, sizeof(got));
    CHECK(wn >= 0 && gn == wn);
    if (wn >= 0 && gn == wn && memcmp(got, want, (size_t)wn)) {
      char msg[128];
      snprintf(msg, sizeof(msg), "round %d: fold differs from utf8proc", round);
      check_failed(__FILE__, __LINE__, msg);
    }
    free(want);
  }
}

/* ------------------------------------------------------------------------
 * Words
 * --------------------------------------------------------------------- */

static void
test_words(void)
{
  const FdxTokenLang none = FDX_TOKEN_LANG_NONE;
  /* Hyphens, apostrophes, lone letters (skipped, no position). */
  CHECK_STR(tokens("COVID-19", none), "covid:0 19:1");
  CHECK_STR(tokens("Baden-Württemberg", none), "baden:0 wurttemberg:1");
  CHECK_STR(tokens("E-Mail", none), "mail:0");
  CHECK_STR(tokens("patient's record", none), "patient:0 record:1");
  CHECK_STR(tokens("patient\xE2\x80\x99s record", none), "patient:0 record:1");
  CHECK_STR(tokens("Vitamin D Mangel", none), "vitamin:0 mangel:1");
  CHECK_STR(tokens("a b c x1 7", none), "x1:0 7:1");
  /* URLs and e-mail addresses are their parts. */
  CHECK_STR(tokens("https://www.example.org/data/set-1", none),
            "https:0 www:1 example:2 org:3 data:4 set:5 1:6");
  CHECK_STR(tokens("<info@example.org>", none), "info:0 example:1 org:2");
  /* Numbers split at their punctuation; letters and digits stay. */
  CHECK_STR(tokens("2006, 3.5 and 1,000", none),
            "2006:0 3:1 5:2 and:3 1:4 000:5");
  CHECK_STR(tokens("covid19 H2O", none), "covid19:0 h2o:1");
  /* Other separators: underscore, tabs, newlines, ZWSP, symbols. */
  CHECK_STR(tokens("snake_case\tx\ny\xE2\x80\x8Bzz 50%+€", none),
            "snake:0 case:1 zz:2 50:3");
  /* Joiners and marks continue a word; a mark cannot start one. */
  CHECK_STR(tokens("Kranken\xC2\xAD"
                   "haus",
                   none),
            "krankenhaus:0");
  CHECK_STR(tokens("Mu\xCC\x88ller", none), "muller:0");
  CHECK_STR(tokens("\xCC\x88xy", none), "xy:0");
  /* Other scripts: Han runs are words, a lone Han character too. */
  CHECK_STR(tokens("東京 水 Ωμέγα", none), "東京:0 水:1 ωμεγα:2");
  /* Compatibility forms. */
  CHECK_STR(tokens("ＡＢＣ ﬁnance ①", none), "abc:0 finance:1 1:2");
  /* Nothing to find. */
  CHECK_STR(tokens("", none), "");
  CHECK_STR(tokens(" ,.;-!? \t", none), "");
  CHECK_STR(tokens("\xE3\x85\xA4", none), ""); /* folds to nothing */

  Toks ts;
  memset(&ts, 0, sizeof(ts));
  CHECK(run_len(NULL, 0, FDX_TOKEN_LANG_BOTH, &ts) == 0 && ts.n == 0);
  CHECK(fdx_tokenize(NULL, "a", 1, FDX_TOKEN_LANG_BOTH, collect, &ts) == -1);
  CHECK(fdx_tokenize(tk, "a", 1, FDX_TOKEN_LANG_BOTH, NULL, &ts) == -1);
}

/* Positions and byte offsets in the original text. */
static void
test_offsets(void)
{
  const char* const text = "Die Ärzte im Krankenhaus, STRAẞE 5";
  Toks              ts;
  memset(&ts, 0, sizeof(ts));
  CHECK(run_len(text, strlen(text), FDX_TOKEN_LANG_DE, &ts) == 0);
  REQUIRE(ts.n == 6);
  static const struct
  {
    const char* word;
    const char* term;
    const char* folded;
    bool        stop;
  } want[] = {
    { "Die", "die", "die", true },
    { "Ärzte", "arzt", "arzte", false },
    { "im", "im", "im", true },
    { "Krankenhaus", "krankenhaus", "krankenhaus", false },
    { "STRAẞE", "strass", "strasse", false },
    { "5", "5", "5", false },
  };
  for (size_t i = 0; i < 6; ++i) {
    const Tok* const t = &ts.toks[i];
    CHECK(t->position == i);
    CHECK(t->end - t->start == strlen(want[i].word));
    CHECK(!memcmp(text + t->start, want[i].word, strlen(want[i].word)));
    CHECK_STR(t->term, want[i].term);
    CHECK_STR(t->folded, want[i].folded);
    CHECK(t->stop == want[i].stop);
  }
  /* "Ärzte" starts at byte 4 and is 6 bytes (Ä takes two). */
  CHECK(ts.toks[1].start == 4 && ts.toks[1].end == 10);

  /* Offsets after invalid bytes and full-width text are still the
   * original's. */
  const char* const text2 = "\xFF\xFEＡＢＣ x\xC3(yz";
  memset(&ts, 0, sizeof(ts));
  CHECK(run_len(text2, strlen(text2), FDX_TOKEN_LANG_NONE, &ts) == 0);
  REQUIRE(ts.n == 2);
  CHECK(ts.toks[0].start == 2 && ts.toks[0].end == 11);
  CHECK_STR(ts.toks[0].term, "abc");
  CHECK_STR(ts.toks[1].term, "yz");
  CHECK(ts.toks[1].position == 1 && ts.toks[1].start == 15);
}

/* ------------------------------------------------------------------------
 * Stemming
 * --------------------------------------------------------------------- */

static void
test_german(void)
{
  const FdxTokenLang de = FDX_TOKEN_LANG_DE;
  /* Inflections of one word meet; umlauts and ß do not get in the way. */
  CHECK_STR(term("Krankenhäuser", de), "krankenhaus");
  CHECK_STR(term("Krankenhauses", de), "krankenhaus");
  CHECK_STR(term("Krankenhaus", de), "krankenhaus");
  CHECK_STR(term("Krankenhäusern", de), "krankenhaus");
  CHECK_STR(term("KRANKENHÄUSER", de), "krankenhaus");
  CHECK_STR(term("Straße", de), "strass");
  CHECK_STR(term("Strasse", de), "strass");
  CHECK_STR(term("STRASSE", de), "strass");
  CHECK_STR(term("Straßen", de), "strass");
  CHECK_STR(term("Ärzte", de), "arzt");
  CHECK_STR(term("Arzt", de), "arzt");
  CHECK_STR(term("Datensätze", de), "datensatz");
  CHECK_STR(term("Datensatz", de), "datensatz");
  CHECK_STR(term("Universitäten", de), "universitat");
  CHECK_STR(term("Universität", de), "universitat");
  /* Decomposed umlauts give the same term as composed ones. */
  CHECK_STR(term("Krankenha\xCC\x88user", de), "krankenhaus");
  /* Documented gaps: Snowball keeps the feminine -in, and the "ae"
   * transliteration is not an umlaut. */
  CHECK_STR(term("Ärztin", de), "arztin");
  CHECK_STR(term("Krankenhaeuser", de), "krankenhaeus");
  /* Compounds are not split: one term for the whole word, which a search
   * for its head does not find, but a prefix of its folded form does. */
  {
    Toks ts;
    memset(&ts, 0, sizeof(ts));
    const char* const w = "Krankenhausdaten";
    CHECK(run_len(w, strlen(w), de, &ts) == 0);
    REQUIRE(ts.n == 1);
    CHECK_STR(ts.toks[0].term, "krankenhausdat");
    CHECK_STR(ts.toks[0].folded, "krankenhausdaten");
    CHECK(strcmp(ts.toks[0].term, term("Krankenhaus", de)));
    CHECK(!strncmp(ts.toks[0].folded, fold("Krankenhaus"), 11));
  }
  CHECK_STR(term("Forschungsdaten", de), "forschungsdat");
  /* Numbers are not stemmed. */
  CHECK_STR(term("2006", de), "2006");
}

static void
test_english(void)
{
  const FdxTokenLang en = FDX_TOKEN_LANG_EN;
  CHECK_STR(term("hospitals", en), "hospit");
  CHECK_STR(term("hospital", en), "hospit");
  CHECK_STR(term("Hospitals", en), "hospit");
  CHECK_STR(term("running", en), "run");
  CHECK_STR(term("run", en), "run");
  CHECK_STR(term("runs", en), "run");
  CHECK_STR(term("studies", en), "studi");
  CHECK_STR(term("study", en), "studi");
  CHECK_STR(term("STUDIED", en), "studi");
  CHECK_STR(term("patients", en), "patient");
  CHECK_STR(term("patient", en), "patient");
  /* English Snowball needs the accents gone: folding comes first. */
  CHECK_STR(term("naïve", en), "naiv");
  CHECK_STR(term("ﬁnances", en), "financ");
  CHECK_STR(term("1990s", en), "1990s");
}

/* Untagged text: both stems, German first, at one position. */
static void
test_both(void)
{
  const FdxTokenLang both = FDX_TOKEN_LANG_BOTH;
  CHECK_STR(tokens("hospitals", both), "hospital:0 hospit:0");
  CHECK_STR(tokens("Krankenhäuser", both), "krankenhaus:0");
  CHECK_STR(tokens("Krankenhäusern studies", both),
            "krankenhaus:0 krankenhausern:0 studi:1");
  CHECK_STR(tokens("Daten 2006", both), "dat:0 daten:0 2006:1");
  CHECK_STR(tokens("der running", both), "der*:0 running:1 run:1");

  /* Both tokens of a word carry its offsets and folded form. */
  Toks              ts;
  const char* const text = "  Hospitals";
  memset(&ts, 0, sizeof(ts));
  CHECK(run_len(text, strlen(text), both, &ts) == 0);
  REQUIRE(ts.n == 2);
  for (size_t i = 0; i < 2; ++i) {
    CHECK(ts.toks[i].start == 2 && ts.toks[i].end == 11);
    CHECK_STR(ts.toks[i].folded, "hospitals");
    CHECK(ts.toks[i].position == 0 && !ts.toks[i].stop);
  }

  /* NONE: folded, not stemmed, no stop words. */
  CHECK_STR(tokens("Die hospitals der", FDX_TOKEN_LANG_NONE),
            "die:0 hospitals:1 der:2");
}

/* ------------------------------------------------------------------------
 * Stop words
 * --------------------------------------------------------------------- */

static void
test_stop_words(void)
{
  const FdxTokenLang de   = FDX_TOKEN_LANG_DE;
  const FdxTokenLang en   = FDX_TOKEN_LANG_EN;
  const FdxTokenLang both = FDX_TOKEN_LANG_BOTH;
  /* A stop word keeps its position. */
  CHECK_STR(tokens("Der Datensatz und die Daten für Ärzte", de),
            "der*:0 datensatz:1 und*:2 die*:3 dat:4 fur*:5 arzt:6");
  CHECK_STR(tokens("The data of the study", en),
            "the*:0 data:1 of*:2 the*:3 studi:4");
  /* Each language has its own list; BOTH has both. */
  CHECK_STR(tokens("the", de), "the:0");
  CHECK_STR(tokens("der", en), "der:0");
  CHECK_STR(tokens("ÜBER with", both), "uber*:0 with*:1");
  CHECK_STR(tokens("über", en), "uber:0");
  /* Ambiguous words: stop words of their language only. */
  CHECK_STR(tokens("war", de), "war*:0");
  CHECK_STR(tokens("war", both), "war:0");
  CHECK_STR(tokens("it", en), "it*:0");
  CHECK_STR(tokens("IT-Sicherheit", both), "it:0 sich:1 sicherheit:1");

  CHECK(fdx_token_is_stop(tk, "und", 3, de));
  CHECK(fdx_token_is_stop(tk, "und", 3, both));
  CHECK(!fdx_token_is_stop(tk, "und", 3, en));
  CHECK(!fdx_token_is_stop(tk, "und", 3, FDX_TOKEN_LANG_NONE));
  CHECK(fdx_token_is_stop(tk, "dass", 4, de));
  CHECK(!fdx_token_is_stop(tk, "daten", 5, de));
  CHECK(!fdx_token_is_stop(tk, "data", 4, en));
  CHECK(!fdx_token_is_stop(tk, "", 0, de));
  CHECK(!fdx_token_is_stop(NULL, "und", 3, de));

  /* The lists: folded, two letters at least, no duplicates, each a stop
   * word of its language and (unless ambiguous) of BOTH. */
  const char* const* const amb = fdx_token_stopwords_ambiguous();
  REQUIRE(amb);
  static const FdxTokenLang langs[2] = { FDX_TOKEN_LANG_DE, FDX_TOKEN_LANG_EN };
  for (int l = 0; l < 2; ++l) {
    const char* const* const list = fdx_token_stopwords(langs[l]);
    REQUIRE(list);
    size_t n = 0;
    for (; list[n]; ++n) {
      const char* const w   = list[n];
      const size_t      len = strlen(w);
      CHECK(len >= 2);
      CHECK_STR(fold(w), w);
      for (size_t i = 0; i < len; ++i) {
        CHECK(w[i] >= 'a' && w[i] <= 'z');
      }
      for (size_t j = 0; j < n; ++j) {
        CHECK(strcmp(list[j], w));
      }
      CHECK(fdx_token_is_stop(tk, w, len, langs[l]));
      bool ambiguous = false;
      for (size_t j = 0; amb[j]; ++j) {
        ambiguous = ambiguous || !strcmp(amb[j], w);
      }
      CHECK(fdx_token_is_stop(tk, w, len, both) == !ambiguous);
      CHECK(!fdx_token_is_stop(tk, w, len, FDX_TOKEN_LANG_NONE));
    }
    CHECK(n >= 80 && n <= 160);
  }
  CHECK(!fdx_token_stopwords(FDX_TOKEN_LANG_NONE));
  CHECK(!fdx_token_stopwords(FDX_TOKEN_LANG_BOTH));
  for (size_t j = 0; amb[j]; ++j) {
    const size_t len = strlen(amb[j]);
    CHECK(fdx_token_is_stop(tk, amb[j], len, de) ||
          fdx_token_is_stop(tk, amb[j], len, en));
    CHECK(!fdx_token_is_stop(tk, amb[j], len, both));
  }
}

/* ------------------------------------------------------------------------
 * Limits and bad input
 * --------------------------------------------------------------------- */

static void
test_long_words(void)
{
  Toks ts;

  /* A 100 KB ASCII word: one token, cut to 64 bytes, offsets whole. */
  const size_t n    = 100 * 1024;
  char* const  text = (char*)malloc(2 * n + 16);
  REQUIRE(text);
  memset(text, 'a', n);
  memcpy(text + n, " next", 5);
  memset(&ts, 0, sizeof(ts));
  CHECK(run_len(text, n + 5, FDX_TOKEN_LANG_BOTH, &ts) == 0);
  REQUIRE(ts.n == 2);
  CHECK(strlen(ts.toks[0].folded) == FDX_TOKEN_MAX_WORD);
  CHECK(ts.toks[0].start == 0 && ts.toks[0].end == n);
  CHECK_STR(ts.toks[1].term, "next");
  CHECK(ts.toks[1].position == 1 && ts.toks[1].start == n + 1);

  /* A 200 KB word of "ä": the non-ASCII path cuts it the same way. */
  for (size_t i = 0; i < n; ++i) {
    memcpy(text + 2 * i, "\xC3\xA4", 2);
  }
  memset(&ts, 0, sizeof(ts));
  CHECK(run_len(text, 2 * n, FDX_TOKEN_LANG_DE, &ts) == 0);
  REQUIRE(ts.n == 1);
  CHECK(strlen(ts.toks[0].folded) == FDX_TOKEN_MAX_WORD);
  CHECK(strspn(ts.toks[0].folded, "a") == FDX_TOKEN_MAX_WORD);
  CHECK(ts.toks[0].end == 2 * n);

  /* Letters followed by 100 KB of combining marks: only the first
   * FDX_TOKEN_MAX_READ bytes are read, the run is still one word. */
  memcpy(text, "xy", 2);
  for (size_t i = 0; i < n / 2; ++i) {
    memcpy(text + 2 + 2 * i, "\xCC\x88", 2);
  }
  memcpy(text + 2 + n, "z w\xC3\xB6rter", 10);
  memset(&ts, 0, sizeof(ts));
  CHECK(run_len(text, n + 12, FDX_TOKEN_LANG_NONE, &ts) == 0);
  REQUIRE(ts.n == 2);
  CHECK_STR(ts.toks[0].folded, "xy");
  CHECK(ts.toks[0].end == n + 3);
  CHECK_STR(ts.toks[1].folded, "worter");

  /* The cut falls on a character boundary. */
  memset(text, 'a', 63);
  memcpy(text + 63, "\xE6\x9D\xB1", 3); /* 東 */
  memset(&ts, 0, sizeof(ts));
  CHECK(run_len(text, 66, FDX_TOKEN_LANG_NONE, &ts) == 0);
  REQUIRE(ts.n == 1);
  CHECK(strlen(ts.toks[0].folded) == 63);
  memcpy(text + 63, "\xC3\x84", 2); /* Ä folds to one byte: fits */
  memset(&ts, 0, sizeof(ts));
  CHECK(run_len(text, 65, FDX_TOKEN_LANG_NONE, &ts) == 0);
  REQUIRE(ts.n == 1);
  CHECK(strlen(ts.toks[0].folded) == 64);
  free(text);
}

static void
test_invalid_utf8(void)
{
  /* A bad byte, a lead byte without its continuation, an overlong form,
   * a surrogate, a code point over U+10FFFF and a truncated end. */
  static const char text[] = "abc\xFF"
                             "def\xC3(ghi \xC0\xAFjkl \xED\xA0\x80"
                             "mno\xF4\x90\x80\x80pqr Stra\xFF"
                             "ße stu\xE2\x82";
  CHECK_STR(tokens(text, FDX_TOKEN_LANG_NONE),
            "abc:0 def:1 ghi:2 jkl:3 mno:4 pqr:5 stra:6 sse:7 stu:8");

  /* Random bytes, in every language: no crash, and every token keeps
   * what collect() checks. */
  Toks    ts;
  uint8_t buf[512];
  for (int round = 0; round < 4000; ++round) {
    const size_t len = (size_t)rng_below(sizeof(buf));
    for (size_t i = 0; i < len; ++i) {
      const uint64_t r = rng_next();
      /* Mostly letters and UTF-8 lead and continuation bytes. */
      buf[i] = (r & 3) == 0   ? (uint8_t)('a' + (r >> 8) % 26)
               : (r & 3) == 1 ? (uint8_t)(0x80 + (r >> 8) % 0x40)
               : (r & 3) == 2 ? (uint8_t)(0xC2 + (r >> 8) % 0x33)
                              : (uint8_t)(r >> 8);
    }
    memset(&ts, 0, sizeof(ts));
    CHECK(run_len((const char*)buf, len, (FdxTokenLang)(round % 4), &ts) == 0);
    char out[2048];
    CHECK(fdx_token_fold((const char*)buf, len, out, sizeof(out)) >= 0);
    CHECK(valid_utf8(out, strlen(out)));
  }
}

/* The callback's non-zero value stops the walk and is returned. */
static void
test_callback_stop(void)
{
  Toks              ts;
  const char* const text = "eins zwei drei vier";
  memset(&ts, 0, sizeof(ts));
  ts.stop_after = 2;
  ts.stop_rc    = 7;
  CHECK(run_len(text, strlen(text), FDX_TOKEN_LANG_DE, &ts) == 7);
  CHECK(ts.n == 2);

  /* Between the two stems of one word too. */
  memset(&ts, 0, sizeof(ts));
  ts.stop_after = 1;
  ts.stop_rc    = -5;
  CHECK(run_len("hospitals", 9, FDX_TOKEN_LANG_BOTH, &ts) == -5);
  CHECK(ts.n == 1);
}

/* The stem cache never changes a term: a tokenizer that has seen
 * thousands of words (so slots were filled, hit and replaced) gives the
 * same terms as one that sees them in the opposite order. */
static void
test_stem_cache(void)
{
  static const char* const syllables[] = {
    "kran", "ken",  "haus", "da",   "ten", "ä",   "ü",  "ung", "ers",
    "s",    "e",    "en",   "ing",  "ies", "ed",  "ß",  "st",  "tion",
    "ö",    "heit", "lich", "ness", "ful", "ise", "er", "ern", "y",
  };
  const size_t n_syl        = sizeof(syllables) / sizeof(syllables[0]);
  const size_t n_words      = 6000;
  char(*words)[160]         = (char(*)[160])calloc(n_words, 160);
  char(*terms)[300]         = (char(*)[300])calloc(n_words, 300);
  FdxTokenizer* const other = fdx_tokenizer_new();
  REQUIRE(words && terms && other);
  for (size_t i = 0; i < n_words; ++i) {
    const size_t n = 1 + (size_t)rng_below(i % 10 ? 5 : 14);
    for (size_t j = 0; j < n; ++j) {
      strcat(words[i], syllables[rng_below(n_syl)]);
    }
  }
  for (int pass = 0; pass < 2; ++pass) {
    for (size_t i = 0; i < n_words; ++i) {
      snprintf(terms[i], 300, "%s", term(words[i], FDX_TOKEN_LANG_BOTH));
    }
  }
  FdxTokenizer* const warm = tk;
  tk                       = other;
  size_t n_differ          = 0;
  for (size_t i = n_words; i-- > 0;) {
    n_differ += !!strcmp(terms[i], term(words[i], FDX_TOKEN_LANG_BOTH));
  }
  CHECK(n_differ == 0);
  tk = warm;
  fdx_tokenizer_free(other);
  free(words);
  free(terms);
}

/* ------------------------------------------------------------------------
 * Languages
 * --------------------------------------------------------------------- */

static void
test_lang(void)
{
  CHECK(fdx_token_lang("de") == FDX_TOKEN_LANG_DE);
  CHECK(fdx_token_lang("DE") == FDX_TOKEN_LANG_DE);
  CHECK(fdx_token_lang("de-DE") == FDX_TOKEN_LANG_DE);
  CHECK(fdx_token_lang("de-AT") == FDX_TOKEN_LANG_DE);
  CHECK(fdx_token_lang("De-Latn-CH-1996") == FDX_TOKEN_LANG_DE);
  CHECK(fdx_token_lang("de_CH") == FDX_TOKEN_LANG_DE);
  CHECK(fdx_token_lang("deu") == FDX_TOKEN_LANG_DE);
  CHECK(fdx_token_lang("en") == FDX_TOKEN_LANG_EN);
  CHECK(fdx_token_lang("EN") == FDX_TOKEN_LANG_EN);
  CHECK(fdx_token_lang("en-GB") == FDX_TOKEN_LANG_EN);
  CHECK(fdx_token_lang("en-us") == FDX_TOKEN_LANG_EN);
  CHECK(fdx_token_lang(NULL) == FDX_TOKEN_LANG_BOTH);
  CHECK(fdx_token_lang("") == FDX_TOKEN_LANG_BOTH);
  CHECK(fdx_token_lang("und") == FDX_TOKEN_LANG_BOTH);
  CHECK(fdx_token_lang("fr") == FDX_TOKEN_LANG_NONE);
  CHECK(fdx_token_lang("nl-BE") == FDX_TOKEN_LANG_NONE);
  CHECK(fdx_token_lang("gsw") == FDX_TOKEN_LANG_NONE);
  CHECK(fdx_token_lang("d") == FDX_TOKEN_LANG_NONE);
  CHECK(fdx_token_lang("dee") == FDX_TOKEN_LANG_NONE);
  CHECK(fdx_token_lang("english") == FDX_TOKEN_LANG_NONE);
  CHECK(fdx_token_lang("-de") == FDX_TOKEN_LANG_NONE);
  CHECK(fdx_token_lang("x-de") == FDX_TOKEN_LANG_NONE);
}

int
main(void)
{
  test_start("test_tokenize");
  fdx_tokenizer_free(NULL);
  tk = fdx_tokenizer_new();
  REQUIRE(tk);
  test_fold();
  test_fold_ascii_matches_utf8proc();
  test_fold_matches_utf8proc();
  test_words();
  test_offsets();
  test_german();
  test_english();
  test_both();
  test_stop_words();
  test_long_words();
  test_invalid_utf8();
  test_callback_stop();
  test_stem_cache();
  test_lang();
  fdx_tokenizer_free(tk);
  return test_finish("test_tokenize");
}
