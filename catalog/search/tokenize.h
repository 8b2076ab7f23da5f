/*
 * tokenize.h: the full-text tokenizer of the search index, internal to the
 * catalogue library.  It turns the text of a literal into index terms, and
 * the words of a query into the same terms, so that the two meet.
 *
 * A word is a run of letters and digits (Unicode L* and N*), folded
 * (compatibility normalization, case folding, accents stripped: "Straße",
 * "STRASSE" and "strasse" fold alike, "Ärzte" to "arzte") and then
 * stemmed with Snowball by the language of the text ("krankenhauser" and
 * "krankenhauses" to "krankenhaus").  tokenize.c explains every rule and
 * why it is the way it is; this header says what a caller may rely on.
 *
 * A tokenizer owns two Snowball stemmers, a cache of their stems (512 KB,
 * touched as it fills) and its scratch buffers, which is why it exists:
 * libstemmer is not thread-safe and fdx_tokenize() does not allocate per
 * word.  Use one tokenizer per thread, and keep it for many texts.
 * fdx_token_fold() and fdx_token_lang() need none and may be called from any
 * thread.
 */
#ifndef FDX_SEARCH_TOKENIZE_H
#define FDX_SEARCH_TOKENIZE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* The most bytes of a folded word: a longer word is cut to this many (at a
 * character boundary), and the cut word is folded and stemmed. */
#define FDX_TOKEN_MAX_WORD 64

/* The most bytes of a word's original text that are read to fold it (at a
 * character boundary); the rest of a longer run is skipped.  Four times
 * FDX_TOKEN_MAX_WORD leaves room for folding that shrinks the text
 * (stripped accents, decomposed compatibility forms). */
#define FDX_TOKEN_MAX_READ (4 * FDX_TOKEN_MAX_WORD)

/* The longest term, with room for a stemmer that lengthens a word (none
 * does by more than a byte or two), and the NUL. */
#define FDX_TOKEN_MAX_TERM (2 * FDX_TOKEN_MAX_WORD)

/* A tokenizer: owns the two stemmers, their cache and the scratch
 * buffers; not thread-safe. */
typedef struct FdxTokenizerImpl FdxTokenizer;

/* A new tokenizer (free with fdx_tokenizer_free()); NULL only when out of
 * memory or when this libstemmer lacks the German or English stemmer. */
FdxTokenizer*
fdx_tokenizer_new(void);

/* Free `tk` and its stemmers (NULL is fine). */
void
fdx_tokenizer_free(FdxTokenizer* tk);

/* The language a text is stemmed in and whose stop words it has. */
typedef enum
{
  FDX_TOKEN_LANG_BOTH = 0, /* unknown: German and English stems */
  FDX_TOKEN_LANG_DE,       /* German */
  FDX_TOKEN_LANG_EN,       /* English */
  FDX_TOKEN_LANG_NONE      /* another language: folded, not stemmed */
} FdxTokenLang;

/* The FdxTokenLang of a language tag (BCP 47, any case: "de", "de-DE",
 * "EN", "en-GB", "de_AT"): DE for German, EN for English (also the ISO
 * 639-2 codes "deu", "ger", "eng" found in harvested data), BOTH for NULL
 * or "" (an untagged literal) and for "und" and "mul" (undetermined,
 * several languages), NONE for any other language. */
FdxTokenLang
fdx_token_lang(const char* tag);

/* One word of a text, as fdx_tokenize() hands it to its callback.  All
 * pointers are borrowed from the tokenizer and valid during the callback
 * only. */
typedef struct
{
  /* The index term: folded and stemmed, never empty, NUL-terminated,
   * term_len bytes without the NUL (at most FDX_TOKEN_MAX_TERM). */
  const char* term;
  size_t      term_len;
  /* The folded word before stemming (for prefix search and suggestions),
   * NUL-terminated, folded_len bytes (at most FDX_TOKEN_MAX_WORD). */
  const char* folded;
  size_t      folded_len;
  /* The word's position in the text, 0-based: a stop word still takes a
   * position, a skipped word (a lone letter) does not. */
  uint32_t position;
  /* Byte offsets of the whole word in the ORIGINAL text, [start, end),
   * for snippets. */
  size_t start;
  size_t end;
  /* A stop word of the text's language: callers skip it for indexing. */
  bool stop;
} FdxToken;

/* Called by fdx_tokenize() for each token: return 0 to go on, non-zero to
 * stop (fdx_tokenize() then returns that value). */
typedef int (*FdxWordFunc)(void* ctx, const FdxToken* token);

/*
 * Split `text` (`len` bytes of UTF-8; bytes that are not valid UTF-8 are
 * separators) into words and call `fn` for each, in text order.  With
 * FDX_TOKEN_LANG_BOTH a word whose German and English stems differ gives
 * two calls with the same position, the German stem first; otherwise each
 * word gives one call.  Returns 0 when every word was handed over, fn's
 * non-zero value when it stopped, or -1 when out of memory (a stemmer
 * failed) or for a NULL `tk` or `fn`.  `text` may be NULL when `len` is
 * 0.
 */
int
fdx_tokenize(FdxTokenizer* tk,
             const char*   text,
             size_t        len,
             FdxTokenLang  lang,
             FdxWordFunc  fn,
             void*         ctx);

/*
 * Fold `len` bytes of UTF-8 the way fdx_tokenize() folds a word, without
 * stemming, into `buf` (NUL-terminated).  The text is not split: spaces,
 * hyphens and punctuation stay (compatibility-normalized: a no-break space
 * becomes a space), so it folds keyword facet values and titles as well as
 * the words of prefix queries ("Kranken*" -> "kranken").  Bytes that are
 * not valid UTF-8 are dropped.  The result is not cut at
 * FDX_TOKEN_MAX_WORD; a caller matching a prefix against folded words cuts
 * it there.  Returns the length (without the NUL), or -1 if it does not
 * fit in `cap` bytes with the NUL, or when out of memory (non-ASCII text
 * of more than 85 bytes is decomposed on the heap).
 */
int
fdx_token_fold(const char* word, size_t len, char* buf, size_t cap);

/* Is the folded word `folded` (`len` bytes) a stop word of `lang`?  (What
 * fdx_tokenize() puts in FdxToken.stop; a query parser asks it too.) */
bool
fdx_token_is_stop(const FdxTokenizer* tk,
                  const char*         folded,
                  size_t              len,
                  FdxTokenLang        lang);

/* ------------------------------------------------------------------------
 * Stop word lists (stopwords.c)
 * --------------------------------------------------------------------- */

/* The stop words of `lang` (DE or EN; NULL for the others), already folded,
 * in a NULL-terminated static array. */
const char* const*
fdx_token_stopwords(FdxTokenLang lang);

/* The words of either list above that are content words in the other
 * language ("war", "hat", "it"), in a NULL-terminated static array: they
 * are stop words of their own language only, not of FDX_TOKEN_LANG_BOTH. */
const char* const*
fdx_token_stopwords_ambiguous(void);

#endif /* FDX_SEARCH_TOKENIZE_H */
