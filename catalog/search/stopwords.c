/*
 * stopwords.c: the stop words of the search index, German and English.
 *
 * A stop word is a function word so frequent that indexing it costs much
 * and finds nothing: articles, pronouns, prepositions, conjunctions,
 * auxiliary verbs.  The lists are short on purpose (written for this
 * project, about a hundred words each) and hold only words that carry no
 * subject of their own, so that dropping one can never lose a dataset;
 * nouns and adjectives are never on them, however common ("daten",
 * "data").
 *
 * Entries are written folded, as fdx_token_fold() gives them, because
 * fdx_tokenize() compares the folded word: "für" is "fur", "über" "uber",
 * "daß" and "dass" are both "dass", and "würde" and "wurde" fold alike
 * (both are stop words anyway).  A lone letter is never a word (tokenize.c
 * skips it), so "a" and "i" need no entry.  test_tokenize checks that every
 * entry is folded and at least two bytes long.
 *
 * Untagged text (FDX_TOKEN_LANG_BOTH) takes the stop words of both lists,
 * except the ambiguous ones: a German function word that is an English
 * content word ("war", "hat", "bin", "man") or the other way round ("it",
 * which is also "IT" as in "IT-Sicherheit").  Such a word is a stop word
 * only where the text is known to be in its language.  Frequent words kept
 * on both sides despite a rare content sense: "die" (English "die"),
 * "mit" (the MIT), "den", "most", "will".
 */
#include "tokenize.h"

#include <stddef.h>

/* The lists are laid out by hand, by kind of word. */
/* clang-format off */

/* German function words, folded. */
static const char* const german[] = {
  /* articles */
  "der", "die", "das", "den", "dem", "des", "ein", "eine", "einer", "eines",
  "einem", "einen", "kein", "keine", "keiner", "keines", "keinem", "keinen",
  /* conjunctions */
  "und", "oder", "aber", "sondern", "denn", "doch", "als", "wie", "wenn",
  "dass", "ob", "weil", "sowie", "sowohl", "bzw", "usw",
  /* prepositions, and their contractions with the article */
  "in", "im", "ins", "an", "am", "ans", "auf", "aus", "bei", "beim", "bis",
  "durch", "fur", "gegen", "mit", "nach", "ohne", "seit", "uber", "um",
  "unter", "von", "vom", "vor", "wahrend", "wegen", "zu", "zum", "zur",
  "zwischen",
  /* auxiliary and modal verbs */
  "ist", "sind", "war", "waren", "wird", "werden", "wurde", "wurden",
  "worden", "sein", "bin", "bist", "seid", "hat", "haben", "hatte",
  "hatten", "kann", "konnen", "muss", "mussen", "soll", "sollen", "will",
  /* pronouns and determiners */
  "ich", "du", "er", "sie", "es", "wir", "ihr", "ihm", "ihn", "ihnen",
  "ihre", "ihrer", "ihren", "ihrem", "ihres", "sich", "uns", "mich", "mir",
  "seine", "seiner", "seinen", "seinem", "seines", "man", "dieser", "diese",
  "dieses", "diesem", "diesen", "jeder", "jede", "jedes", "jedem", "jeden",
  "welcher", "welche", "welches", "welchem", "welchen", "alle", "allen",
  "aller", "alles", "was", "wer", "wo",
  /* particles and adverbs */
  "nicht", "auch", "noch", "nur", "schon", "sehr", "so", "da", "hier",
  "dort", "dann", "also", "etwa", "mehr",
  NULL,
};

/* English function words, folded. */
static const char* const english[] = {
  /* articles and conjunctions */
  "the", "an", "and", "or", "but", "nor", "not", "no", "if", "then", "than",
  "as", "because", "while", "until", "since", "so", "both", "either",
  "neither",
  /* prepositions */
  "of", "in", "on", "at", "by", "for", "from", "to", "into", "onto",
  "with", "without", "within", "about", "above", "below", "over", "under",
  "between", "through", "during", "before", "after", "against", "among",
  "across", "along", "around", "via", "per", "up", "down", "out", "off",
  /* auxiliary and modal verbs */
  "is", "are", "was", "were", "be", "been", "being", "am", "has", "have",
  "had", "having", "do", "does", "did", "doing", "will", "would", "shall",
  "should", "can", "could", "may", "might", "must",
  /* pronouns and determiners */
  "it", "its", "itself", "this", "that", "these", "those", "there", "here",
  "he", "she", "his", "her", "him", "they", "them", "their", "we", "our",
  "you", "your", "me", "my", "who", "whom", "whose", "which", "what",
  "when", "where", "why", "how", "all", "any", "each", "few", "more",
  "most", "other", "some", "such", "same", "own",
  /* adverbs */
  "also", "only", "just", "too", "very", "again", "further", "once", "etc",
  NULL,
};

/* Stop words of one language that are content words of the other. */
static const char* const ambiguous[] = {
  "war", "hat", "bin", "man", "it", NULL,
};

/* clang-format on */

const char* const*
fdx_token_stopwords(const FdxTokenLang lang)
{
  switch (lang) {
    case FDX_TOKEN_LANG_DE:
      return german;
    case FDX_TOKEN_LANG_EN:
      return english;
    case FDX_TOKEN_LANG_BOTH:
    case FDX_TOKEN_LANG_NONE:
      break;
  }
  return NULL;
}

const char* const*
fdx_token_stopwords_ambiguous(void)
{
  return ambiguous;
}
