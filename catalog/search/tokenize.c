/*
 * tokenize.c: the full-text tokenizer: from the text of a literal to the
 * index terms of its words, with their positions and byte offsets.
 *
 * The same function makes the terms of the indexed text and of the query,
 * so every rule below only has to be consistent, not linguistically
 * perfect; but each rule decides what a user can find, so each is written
 * down here and checked by tests/unit/test_tokenize.c.
 *
 * Words.  A word is a maximal run of letters and digits (Unicode
 * categories L* and N*).  A combining mark (M*) and the invisible joiners
 * (soft hyphen U+00AD, ZWNJ, ZWJ, word joiner U+2060) continue a word but
 * never start one, so decomposed text ("a" + U+0308) and hyphenation hints
 * ("Kranken\u00ADhaus") stay one word.  Everything else separates,
 * including bytes that are not valid UTF-8 (each bad byte is one
 * separator, so the words around it are still found).  Hence:
 * "COVID-19" is "covid" and "19", "Baden-Württemberg" is "baden" and
 * "wurttemberg", "patient's" is "patient" (and a lone "s"), a URL or an
 * e-mail address is its parts ("https", "www", "example", "org", "data",
 * "set", "1"), and numbers split at their punctuation ("3.5" is "3" and
 * "5", "1,000" is "1" and "000").  Letters and digits together stay
 * together ("covid19", "h2o").
 *
 * Folding: Unicode compatibility normalization (NFKC), full case folding,
 * marks stripped and default-ignorable code points removed, done by
 * utf8proc code point by code point and composed again at the end.  So
 * "ＡＢＣ" is "abc", "ﬁ" is "fi", "①" is "1", "ß" and "ẞ" are "ss"
 * (case folding), "ä", "ö", "ü" are "a", "o", "u" (the diaeresis is a mark),
 * "é" is "e".  The German transliterations "ae", "oe", "ue" are NOT folded
 * to the umlaut ("Mueller" and "Müller" stay apart): "ue" is too often
 * just "u" and "e" ("Duell", "Quelle").  Since marks are stripped, scripts
 * that write vowels as marks (Devanagari, Arabic harakat) lose them; text
 * and query lose them alike.  Words of ASCII letters and digits, most of
 * the text, take a fast path (lower case, byte by byte) that gives exactly
 * what utf8proc gives for them; utf8proc runs only for words with other
 * bytes.
 *
 * Length.  At most FDX_TOKEN_MAX_READ bytes of a word's text are read and
 * its folded form is cut to FDX_TOKEN_MAX_WORD bytes, both at a character
 * boundary: a longer run is cut, not dropped, and is still one word whose
 * offsets cover the whole run.
 *
 * Skipped words.  A word whose folded form is a single ASCII letter (the
 * "E" of "E-Mail", the "s" of "patient's", the "D" of "Vitamin D") is not
 * a word: it takes no position and gives no token.  Neither does a word
 * that folds to nothing (the Hangul filler letters, which are default
 * ignorable).  A lone digit and a lone letter of another script (a Han
 * character, "ß" which folds to "ss") are words.
 *
 * Stop words (stopwords.c): the folded word is looked up in the list of
 * the text's language; untagged text (BOTH) takes the words of both lists
 * except a few that are content words in the other language; NONE has no
 * stop words.  A stop word gets its token and position like any word,
 * flagged `stop`: the indexer skips it, and a phrase still knows that a
 * word stood there.
 *
 * Stemming, after folding.  German Snowball treats ä, ö, ü as vowels and
 * strips the umlauts itself at the end, and turns ß into ss at the start,
 * so it gives the same stem for the folded word as for the lower-cased
 * original ("krankenhauser" and "krankenhäuser" both to "krankenhaus");
 * English Snowball knows only ASCII vowels, so it needs the accents gone
 * first ("naïve" to "naiv").  Folding first also gives the folded form that
 * prefix queries and suggestions use, and lets stop words be compared
 * before stemming.  Results with the libstemmer of Debian 12 (2.2):
 *
 *   Krankenhäuser, Krankenhauses, Krankenhaus, Krankenhäusern -> krankenhaus
 *   Straße, Strasse, STRASSE -> strass;   Ärzte, Arzt -> arzt
 *   Datensätze, Datensatz -> datensatz;   Universitäten -> universitat
 *   (but Ärztin -> arztin and Ärztinnen -> arztinn: Snowball does not
 *   strip the feminine -in; and -heit goes, so Gesundheit -> gesund and
 *   Sicherheit -> sich, the stem of a stop word, harmless as stop words
 *   are not indexed)
 *   hospitals, hospital -> hospit;   running, run -> run;
 *   studies, study -> studi;   patients -> patient
 *
 * A word with a digit is not stemmed.  A stem is never empty (an empty
 * one would be replaced by the folded word).  German compounds are not
 * split: "Krankenhausdaten" is the one term "krankenhausdat", which a
 * search for "Krankenhaus" does not find (a prefix query "krankenhaus*"
 * on the folded words does).
 *
 * Untagged text (BOTH) is stemmed in both languages; when the stems
 * differ the word gives two tokens at one position, German first
 * ("hospitals": "hospital", "hospit"), so a query finds it whichever
 * language the user had in mind.
 *
 * Memory.  Everything a word needs lives in the tokenizer: the folded
 * word, two stems, and the code point buffer utf8proc decomposes into,
 * sized for FDX_TOKEN_MAX_READ bytes at utf8proc's worst expansion (6 code
 * points per byte, U+FDFA), so fdx_tokenize() does not allocate; the
 * stemmers keep their own buffers, which stop growing at the longest word.
 *
 * Speed.  Snowball costs some 200 to 400 ns a word, several times what
 * finding and folding the word costs, so each tokenizer keeps a stem cache
 * per language: direct-mapped, 4096 slots of one cache line each (folded
 * words up to 30 bytes, stems up to 32), indexed by the FNV-1a hash that
 * the stop word lookup computes anyway; a colliding word simply replaces
 * the slot.  Text follows Zipf's law, so most words hit (87% over 16 MB of
 * German and English manual pages), which made untagged text about three
 * times faster.  The 512 KB are calloc()ed, so the pages of a tokenizer
 * that stems only a query's few words stay untouched.
 */
#include "tokenize.h"

#include <libstemmer.h>
#include <utf8proc.h>

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

/* What folding asks of utf8proc (see the opening comment). */
#define FOLD_OPTIONS                                                          \
  ((utf8proc_option_t)(UTF8PROC_STABLE | UTF8PROC_COMPOSE | UTF8PROC_COMPAT | \
                       UTF8PROC_CASEFOLD | UTF8PROC_STRIPMARK |               \
                       UTF8PROC_IGNORE))

/* The most code points utf8proc makes of one byte of UTF-8 with
 * FOLD_OPTIONS: U+FDFA, three bytes, decomposes into 18 (found by trying
 * every code point with utf8proc 2.8).  Should a later Unicode beat it,
 * folding cuts the word rather than overrun (fold_utf8). */
#define FOLD_MAX_PER_BYTE 6

/* Code points of the tokenizer's buffer: a whole read of a word at the
 * worst expansion, and one more for the NUL utf8proc_reencode() writes. */
#define WORD_CPS (FOLD_MAX_PER_BYTE * FDX_TOKEN_MAX_READ + 1)

/* Slots of the stop word table: a power of two, over twice the number of
 * distinct stop words, so probes stay short. */
#define STOP_SLOTS 1024

/* Flags of a stop word: of which language, and whether untagged text
 * treats it as one. */
enum
{
  STOP_DE   = 1,
  STOP_EN   = 2,
  STOP_BOTH = 4
};

/* A slot of the stop word table (open addressing, linear probing). */
typedef struct
{
  const char* word; /* static, from stopwords.c; NULL: a free slot */
  uint8_t     len;
  uint8_t     flags;
} StopSlot;

/* Slots of each stem cache (a power of two), and the longest folded word
 * and stem a slot holds: a slot is one 64-byte cache line. */
#define CACHE_SLOTS 4096
#define CACHE_KEY 30
#define CACHE_STEM 32

/* A stem cache slot: the folded word and its stem; klen 0: empty. */
typedef struct
{
  uint8_t klen;
  uint8_t slen;
  char    key[CACHE_KEY];
  char    stem[CACHE_STEM];
} CacheSlot;

_Static_assert(sizeof(CacheSlot) == 64, "a cache slot is one cache line");

/* Which stemmer: its index in the tokenizer's arrays. */
enum
{
  STEM_DE = 0,
  STEM_EN = 1
};

struct FdxTokenizerImpl
{
  struct sb_stemmer* stemmer[2]; /* by STEM_DE, STEM_EN */
  CacheSlot*         cache[2];   /* CACHE_SLOTS each, by STEM_DE, STEM_EN */
  utf8proc_int32_t*  cps;        /* WORD_CPS code points */
  char               folded[FDX_TOKEN_MAX_WORD + 1];
  char               stem_de[FDX_TOKEN_MAX_TERM + 1];
  char               stem_en[FDX_TOKEN_MAX_TERM + 1];
  StopSlot           stops[STOP_SLOTS];
};

/* ------------------------------------------------------------------------
 * Characters
 * --------------------------------------------------------------------- */

/* The ASCII bytes that are word characters: 1 for a digit, 2 for a
 * letter. */
static const uint8_t ascii_word[128] = {
  ['0'] = 1, ['1'] = 1, ['2'] = 1, ['3'] = 1, ['4'] = 1, ['5'] = 1, ['6'] = 1,
  ['7'] = 1, ['8'] = 1, ['9'] = 1, ['A'] = 2, ['B'] = 2, ['C'] = 2, ['D'] = 2,
  ['E'] = 2, ['F'] = 2, ['G'] = 2, ['H'] = 2, ['I'] = 2, ['J'] = 2, ['K'] = 2,
  ['L'] = 2, ['M'] = 2, ['N'] = 2, ['O'] = 2, ['P'] = 2, ['Q'] = 2, ['R'] = 2,
  ['S'] = 2, ['T'] = 2, ['U'] = 2, ['V'] = 2, ['W'] = 2, ['X'] = 2, ['Y'] = 2,
  ['Z'] = 2, ['a'] = 2, ['b'] = 2, ['c'] = 2, ['d'] = 2, ['e'] = 2, ['f'] = 2,
  ['g'] = 2, ['h'] = 2, ['i'] = 2, ['j'] = 2, ['k'] = 2, ['l'] = 2, ['m'] = 2,
  ['n'] = 2, ['o'] = 2, ['p'] = 2, ['q'] = 2, ['r'] = 2, ['s'] = 2, ['t'] = 2,
  ['u'] = 2, ['v'] = 2, ['w'] = 2, ['x'] = 2, ['y'] = 2, ['z'] = 2,
};

/* The lower case of an ASCII byte (what case folding gives for it). */
static inline uint8_t
ascii_lower(const uint8_t c)
{
  return (uint8_t)((unsigned)(c - 'A') < 26u ? c + ('a' - 'A') : c);
}

/* What a non-ASCII code point is to a word. */
typedef enum
{
  CH_SEP,  /* separates words */
  CH_WORD, /* starts or continues a word */
  CH_JOIN  /* continues a word, never starts one */
} CharClass;

/* The class of the non-ASCII code point `cp` (see "Words" above). */
static CharClass
char_class(const utf8proc_int32_t cp)
{
  switch (utf8proc_category(cp)) {
    case UTF8PROC_CATEGORY_LU:
    case UTF8PROC_CATEGORY_LL:
    case UTF8PROC_CATEGORY_LT:
    case UTF8PROC_CATEGORY_LM:
    case UTF8PROC_CATEGORY_LO:
    case UTF8PROC_CATEGORY_ND:
    case UTF8PROC_CATEGORY_NL:
    case UTF8PROC_CATEGORY_NO:
      return CH_WORD;
    case UTF8PROC_CATEGORY_MN:
    case UTF8PROC_CATEGORY_MC:
    case UTF8PROC_CATEGORY_ME:
      return CH_JOIN;
    case UTF8PROC_CATEGORY_CF:
      return (cp == 0xAD || cp == 0x200C || cp == 0x200D || cp == 0x2060)
               ? CH_JOIN
               : CH_SEP;
    default:
      return CH_SEP;
  }
}

/* Decode the code point at `p` (`avail` > 0 bytes, p[0] >= 0x80) into
 * *ret_cp; returns its length, or 0 if the byte does not start valid
 * UTF-8 (no overlong forms, surrogates or values over U+10FFFF). */
static inline size_t
decode(const uint8_t* const p, const size_t avail, utf8proc_int32_t* ret_cp)
{
  const utf8proc_ssize_t n =
    utf8proc_iterate(p, avail < 4 ? (utf8proc_ssize_t)avail : 4, ret_cp);
  return n > 0 ? (size_t)n : 0;
}

/* The length of the longest prefix of `s` (`len` bytes of valid UTF-8) of
 * at most `max` bytes that ends at a character boundary. */
static size_t
utf8_cut(const uint8_t* const s, const size_t len, const size_t max)
{
  if (len <= max) {
    return len;
  }
  size_t n = max;
  while (n > 0 && (s[n] & 0xC0) == 0x80) {
    --n;
  }
  return n;
}

/* ------------------------------------------------------------------------
 * Folding
 * --------------------------------------------------------------------- */

/*
 * Fold `len` bytes of `s` into `cps` (`cap` >= 1 code points), leaving it
 * there as UTF-8 (utf8proc_reencode() encodes in place).  Bytes that are
 * not valid UTF-8 are dropped.  Folding stops, as if the text ended there,
 * at the first character whose folded form does not fit; the callers size
 * `cps` at FOLD_MAX_PER_BYTE code points a byte, which always fits.
 * Returns the length in bytes.
 */
static size_t
fold_utf8(const uint8_t* const    s,
          const size_t            len,
          utf8proc_int32_t* const cps,
          const size_t            cap)
{
  const size_t room       = cap - 1; /* utf8proc_reencode() adds a NUL */
  size_t       n          = 0;
  int          boundclass = 0;
  for (size_t i = 0; i < len;) {
    if (s[i] < 0x80) {
      if (n == room) {
        break;
      }
      cps[n++] = ascii_lower(s[i++]);
      continue;
    }
    utf8proc_int32_t cp = 0;
    const size_t     k  = decode(s + i, len - i, &cp);
    if (!k) {
      ++i; /* not UTF-8: dropped */
      continue;
    }
    /* Code point by code point: marks are stripped, so the canonical
     * reordering utf8proc_decompose() would do has nothing to reorder. */
    const utf8proc_ssize_t m = utf8proc_decompose_char(
      cp, cps + n, (utf8proc_ssize_t)(room - n), FOLD_OPTIONS, &boundclass);
    if (m > 0 && (size_t)m > room - n) {
      break;
    }
    n += m > 0 ? (size_t)m : 0;
    i += k;
  }
  const utf8proc_ssize_t bytes =
    utf8proc_reencode(cps, (utf8proc_ssize_t)n, FOLD_OPTIONS);
  return bytes > 0 ? (size_t)bytes : 0;
}

int
fdx_token_fold(const char* const word,
               const size_t      len,
               char* const       buf,
               const size_t      cap)
{
  if (!buf || !cap || (!word && len) ||
      len > (size_t)INT32_MAX / FOLD_MAX_PER_BYTE) {
    return -1;
  }
  const uint8_t* const s     = (const uint8_t*)word;
  bool                 ascii = true;
  for (size_t i = 0; i < len && ascii; ++i) {
    ascii = s[i] < 0x80;
  }
  if (ascii) {
    if (len >= cap) {
      return -1;
    }
    for (size_t i = 0; i < len; ++i) {
      buf[i] = (char)ascii_lower(s[i]);
    }
    buf[len] = 0;
    return (int)len;
  }
  /* Short text decomposes on the stack, longer text on the heap. */
  utf8proc_int32_t  local[512];
  utf8proc_int32_t* heap = NULL;
  utf8proc_int32_t* cps  = local;
  const size_t      ncps = len * FOLD_MAX_PER_BYTE + 1;
  if (ncps > sizeof(local) / sizeof(local[0])) {
    heap = (utf8proc_int32_t*)malloc(ncps * sizeof(*heap));
    if (!heap) {
      return -1;
    }
    cps = heap;
  }
  const size_t bytes = fold_utf8(s, len, cps, ncps);
  int          rc    = -1;
  if (bytes < cap && bytes <= INT32_MAX) {
    memcpy(buf, cps, bytes);
    buf[bytes] = 0;
    rc         = (int)bytes;
  }
  free(heap);
  return rc;
}

/* ------------------------------------------------------------------------
 * Stop words
 * --------------------------------------------------------------------- */

/* FNV-1a of a folded word, for the stop word table and the stem
 * caches. */
static inline uint32_t
word_hash(const char* const word, const size_t len)
{
  uint32_t h = 2166136261u;
  for (size_t i = 0; i < len; ++i) {
    h = (h ^ (uint8_t)word[i]) * 16777619u;
  }
  return h;
}

/* The slot of `word` (hashing to `hash`): where it is, or the free slot
 * where it would go. */
static StopSlot*
stop_slot(const StopSlot* const stops,
          const char* const     word,
          const size_t          len,
          const uint32_t        hash)
{
  size_t i = hash & (STOP_SLOTS - 1);
  while (stops[i].word &&
         !(stops[i].len == len && !memcmp(stops[i].word, word, len))) {
    i = (i + 1) & (STOP_SLOTS - 1);
  }
  return (StopSlot*)&stops[i];
}

/* Add `flags` to each word of `list`.  The table never fills: it has over
 * twice as many slots as the lists have words. */
static void
stop_add(StopSlot* const stops, const char* const* list, const uint8_t flags)
{
  for (; *list; ++list) {
    const size_t    len  = strlen(*list);
    StopSlot* const slot = stop_slot(stops, *list, len, word_hash(*list, len));
    slot->word           = *list;
    slot->len            = (uint8_t)len;
    slot->flags |= flags;
  }
}

/* Fill the stop word table from the lists of stopwords.c. */
static void
stop_build(StopSlot* const stops)
{
  stop_add(stops, fdx_token_stopwords(FDX_TOKEN_LANG_DE), STOP_DE);
  stop_add(stops, fdx_token_stopwords(FDX_TOKEN_LANG_EN), STOP_EN);
  for (size_t i = 0; i < STOP_SLOTS; ++i) {
    if (stops[i].word) {
      stops[i].flags |= STOP_BOTH;
    }
  }
  for (const char* const* w = fdx_token_stopwords_ambiguous(); *w; ++w) {
    const size_t    len  = strlen(*w);
    StopSlot* const slot = stop_slot(stops, *w, len, word_hash(*w, len));
    slot->flags &= (uint8_t)~STOP_BOTH;
  }
}

/* Is `word` (`len` bytes, 1 to 255, hashing to `hash`) a stop word of
 * `lang`? */
static bool
is_stop(const StopSlot* const stops,
        const char* const     word,
        const size_t          len,
        const uint32_t        hash,
        const FdxTokenLang    lang)
{
  const StopSlot* const slot = stop_slot(stops, word, len, hash);
  if (!slot->word) {
    return false;
  }
  switch (lang) {
    case FDX_TOKEN_LANG_BOTH:
      return slot->flags & STOP_BOTH;
    case FDX_TOKEN_LANG_DE:
      return slot->flags & STOP_DE;
    case FDX_TOKEN_LANG_EN:
      return slot->flags & STOP_EN;
    case FDX_TOKEN_LANG_NONE:
      break;
  }
  return false;
}

bool
fdx_token_is_stop(const FdxTokenizer* const tk,
                  const char* const         folded,
                  const size_t              len,
                  const FdxTokenLang        lang)
{
  if (!tk || !folded || !len || len > UINT8_MAX) {
    return false;
  }
  return is_stop(tk->stops, folded, len, word_hash(folded, len), lang);
}

/* ------------------------------------------------------------------------
 * Languages
 * --------------------------------------------------------------------- */

/* Is the primary subtag `tag` (`len` bytes) `code`, in any case? */
static bool
subtag_is(const char* const tag, const size_t len, const char* const code)
{
  const size_t n = strlen(code);
  if (len != n) {
    return false;
  }
  for (size_t i = 0; i < n; ++i) {
    if (ascii_lower((uint8_t)tag[i]) != (uint8_t)code[i]) {
      return false;
    }
  }
  return true;
}

FdxTokenLang
fdx_token_lang(const char* const tag)
{
  if (!tag || !*tag) {
    return FDX_TOKEN_LANG_BOTH;
  }
  size_t len = 0;
  while (tag[len] && tag[len] != '-' && tag[len] != '_') {
    ++len;
  }
  /* ISO 639-2 codes are not BCP 47 for these two, but harvested data
   * has them. */
  if (subtag_is(tag, len, "de") || subtag_is(tag, len, "deu") ||
      subtag_is(tag, len, "ger")) {
    return FDX_TOKEN_LANG_DE;
  }
  if (subtag_is(tag, len, "en") || subtag_is(tag, len, "eng")) {
    return FDX_TOKEN_LANG_EN;
  }
  /* "und" (undetermined) and "mul" (several languages) say no more than
   * an untagged literal. */
  if (subtag_is(tag, len, "und") || subtag_is(tag, len, "mul")) {
    return FDX_TOKEN_LANG_BOTH;
  }
  return FDX_TOKEN_LANG_NONE;
}

/* ------------------------------------------------------------------------
 * Tokenizer
 * --------------------------------------------------------------------- */

FdxTokenizer*
fdx_tokenizer_new(void)
{
  FdxTokenizer* const tk = (FdxTokenizer*)calloc(1, sizeof(FdxTokenizer));
  if (!tk) {
    return NULL;
  }
  tk->stemmer[STEM_DE] = sb_stemmer_new("german", "UTF_8");
  tk->stemmer[STEM_EN] = sb_stemmer_new("english", "UTF_8");
  tk->cps = (utf8proc_int32_t*)malloc(WORD_CPS * sizeof(utf8proc_int32_t));
  /* Big zeroed blocks come as untouched pages: a tokenizer that stems
   * only a query's few words costs little. */
  tk->cache[STEM_DE] = (CacheSlot*)calloc(CACHE_SLOTS, sizeof(CacheSlot));
  tk->cache[STEM_EN] = (CacheSlot*)calloc(CACHE_SLOTS, sizeof(CacheSlot));
  if (!tk->stemmer[STEM_DE] || !tk->stemmer[STEM_EN] || !tk->cps ||
      !tk->cache[STEM_DE] || !tk->cache[STEM_EN]) {
    fdx_tokenizer_free(tk);
    return NULL;
  }
  stop_build(tk->stops);
  return tk;
}

void
fdx_tokenizer_free(FdxTokenizer* const tk)
{
  if (tk) {
    for (int i = 0; i < 2; ++i) {
      sb_stemmer_delete(tk->stemmer[i]);
      free(tk->cache[i]);
    }
    free(tk->cps);
    free(tk);
  }
}

/* Stem the folded word of `tk` (`folded_len` bytes, hashing to `hash`)
 * with stemmer `which` into `out` (FDX_TOKEN_MAX_TERM + 1 bytes), from the
 * cache if it is there.  Returns the stem's length, or -1 when the
 * stemmer is out of memory. */
static int
stem(FdxTokenizer* const tk,
     const int           which,
     const size_t        folded_len,
     const uint32_t      hash,
     char* const         out)
{
  CacheSlot* const slot = &tk->cache[which][hash & (CACHE_SLOTS - 1)];
  if (slot->klen == folded_len && !memcmp(slot->key, tk->folded, folded_len)) {
    memcpy(out, slot->stem, slot->slen);
    out[slot->slen] = 0;
    return slot->slen;
  }
  struct sb_stemmer* const stemmer = tk->stemmer[which];
  const sb_symbol* const   s =
    sb_stemmer_stem(stemmer, (const sb_symbol*)tk->folded, (int)folded_len);
  if (!s) {
    return -1;
  }
  const int n   = sb_stemmer_length(stemmer);
  size_t    len = 0;
  if (n <= 0) {
    /* Snowball never empties a word, but a term must not be empty. */
    len = folded_len;
    memcpy(out, tk->folded, len);
  } else {
    len = utf8_cut((const uint8_t*)s, (size_t)n, FDX_TOKEN_MAX_TERM);
    memcpy(out, s, len);
  }
  out[len] = 0;
  if (folded_len <= CACHE_KEY && len <= CACHE_STEM) {
    slot->klen = (uint8_t)folded_len;
    slot->slen = (uint8_t)len;
    memcpy(slot->key, tk->folded, folded_len);
    memcpy(slot->stem, out, len);
  }
  return (int)len;
}

/* Fold the word text[start, end) into tk->folded; `ascii`: it is all
 * ASCII.  Returns the folded length (0: the word folds to nothing). */
static size_t
fold_word(FdxTokenizer* const  tk,
          const uint8_t* const text,
          const size_t         start,
          const size_t         end,
          const bool           ascii)
{
  const uint8_t* const w = text + start;
  if (ascii) {
    const size_t n =
      end - start < FDX_TOKEN_MAX_WORD ? end - start : FDX_TOKEN_MAX_WORD;
    for (size_t i = 0; i < n; ++i) {
      tk->folded[i] = (char)ascii_lower(w[i]);
    }
    tk->folded[n] = 0;
    return n;
  }
  const size_t read  = utf8_cut(w, end - start, FDX_TOKEN_MAX_READ);
  const size_t bytes = fold_utf8(w, read, tk->cps, WORD_CPS);
  const size_t n = utf8_cut((const uint8_t*)tk->cps, bytes, FDX_TOKEN_MAX_WORD);
  memcpy(tk->folded, tk->cps, n);
  tk->folded[n] = 0;
  return n;
}

/* Does the folded word have an ASCII digit?  Such words (numbers, codes,
 * identifiers such as "f564a11f" or "covid19") are not stemmed: Snowball
 * has nothing to take off them, and they are mostly unique, so the stem
 * cache would only miss on them. */
static bool
has_digit(const char* const s, const size_t len)
{
  for (size_t i = 0; i < len; ++i) {
    if ((uint8_t)(s[i] - '0') <= 9) {
      return true;
    }
  }
  return false;
}

/* Fold, look up and stem the word text[start, end) and hand its tokens to
 * `fn`; *pos is its position, advanced unless the word is skipped.
 * Returns 0, fn's non-zero value, or -1 when out of memory. */
static int
emit_word(FdxTokenizer* const  tk,
          const uint8_t* const text,
          const size_t         start,
          const size_t         end,
          const bool           ascii,
          const FdxTokenLang   lang,
          uint32_t* const      pos,
          const FdxWordFunc   fn,
          void* const          ctx)
{
  const size_t  flen  = fold_word(tk, text, start, end, ascii);
  const uint8_t first = (uint8_t)tk->folded[0];
  if (flen == 0 || (flen == 1 && first < 0x80 && ascii_word[first] == 2)) {
    return 0; /* folds to nothing, or a lone letter */
  }
  const bool     none = lang == FDX_TOKEN_LANG_NONE;
  const uint32_t hash = none ? 0 : word_hash(tk->folded, flen);
  const bool stop = !none && is_stop(tk->stops, tk->folded, flen, hash, lang);
  FdxToken   tok;
  tok.term       = tk->folded;
  tok.term_len   = flen;
  tok.folded     = tk->folded;
  tok.folded_len = flen;
  tok.position   = *pos;
  tok.start      = start;
  tok.end        = end;
  tok.stop       = stop;
  if (*pos < UINT32_MAX) {
    ++*pos;
  }
  if (none || has_digit(tk->folded, flen)) {
    return fn(ctx, &tok);
  }
  if (lang != FDX_TOKEN_LANG_EN) {
    const int n = stem(tk, STEM_DE, flen, hash, tk->stem_de);
    if (n < 0) {
      return -1;
    }
    tok.term     = tk->stem_de;
    tok.term_len = (size_t)n;
    if (lang == FDX_TOKEN_LANG_DE) {
      return fn(ctx, &tok);
    }
  }
  const int n = stem(tk, STEM_EN, flen, hash, tk->stem_en);
  if (n < 0) {
    return -1;
  }
  if (lang == FDX_TOKEN_LANG_BOTH) {
    if ((size_t)n == tok.term_len &&
        !memcmp(tk->stem_en, tok.term, tok.term_len)) {
      return fn(ctx, &tok);
    }
    const int rc = fn(ctx, &tok);
    if (rc) {
      return rc;
    }
  }
  tok.term     = tk->stem_en;
  tok.term_len = (size_t)n;
  return fn(ctx, &tok);
}

int
fdx_tokenize(FdxTokenizer* const tk,
             const char* const   text,
             const size_t        len,
             const FdxTokenLang  lang,
             const FdxWordFunc  fn,
             void* const         ctx)
{
  if (!tk || !fn || (!text && len)) {
    return -1;
  }
  const uint8_t* const s   = (const uint8_t*)text;
  uint32_t             pos = 0;
  size_t               i   = 0;
  while (i < len) {
    /* Skip separators, to the first character of a word. */
    const uint8_t c = s[i];
    if (c < 0x80) {
      if (!ascii_word[c]) {
        ++i;
        continue;
      }
    } else {
      utf8proc_int32_t cp = 0;
      const size_t     k  = decode(s + i, len - i, &cp);
      if (!k || char_class(cp) != CH_WORD) {
        i += k ? k : 1;
        continue;
      }
    }
    /* The word runs to the first separator or bad byte. */
    const size_t start = i;
    bool         ascii = true;
    while (i < len) {
      const uint8_t b = s[i];
      if (b < 0x80) {
        if (!ascii_word[b]) {
          break;
        }
        ++i;
        continue;
      }
      utf8proc_int32_t cp = 0;
      const size_t     k  = decode(s + i, len - i, &cp);
      if (!k || char_class(cp) == CH_SEP) {
        break;
      }
      ascii = false;
      i += k;
    }
    const int rc = emit_word(tk, s, start, i, ascii, lang, &pos, fn, ctx);
    if (rc) {
      return rc;
    }
  }
  return 0;
}
