/*
 * search.h: full-text search over the catalogue's DCAT resources, with
 * facets and suggestions.
 *
 * Every dcat:Dataset, dcat:DataService and dcat:DatasetSeries of every
 * graph is a search document, kept in the store's own LMDB environment and
 * updated by the store's commit (catalog/search/index.c): whatever writes
 * quads (load, SPARQL update, harvest) changes search in the same
 * transaction, so search is never stale and a deleted dataset leaves SPARQL
 * and search at the same instant.
 *
 * A document has six text fields, each tokenized with case, accent and
 * Unicode compatibility folding and Snowball stemming by the language tag
 * of the literal (untagged text gets German and English stems):
 *   title        dct:title
 *   keyword      dcat:keyword
 *   description  dct:description
 *   publisher    the names of the dct:publisher (foaf:name, skos:prefLabel,
 *                rdfs:label, vcard:fn, dct:title of the publisher)
 *   concept      the labels (skos:prefLabel, skos:altLabel, rdfs:label) of
 *                the concepts of dcat:theme, dct:subject, dct:type and the
 *                HealthDCAT-AP health categories and themes, wherever in
 *                the store those labels are
 *   identifier   dct:identifier, and the skos:notation of adms:identifier,
 *                each as one whole term (a query clause "FDX-ATH-2021"
 *                finds it) and by its words of letters ("fdx", "ath"),
 *                not by its parts with digits (those make identifiers
 *                unique, and would fill the index with unique words)
 * and seven facets (FdxFacet).  Ranking is BM25F with field weights
 * title 5, keyword 3, identifier 3, concept 1.5, publisher 1.5,
 * description 1.
 *
 * Query syntax (FdxSearchQuery.q): words, all required; "quoted phrases"
 * (the words in that order); -word or -"phrase" excludes; word* matches
 * every indexed word that starts with it.  A word with inner punctuation
 * ("COVID-19") is its parts, all required, or an identifier of that text.  Facet values of one facet are
 * alternatives (OR); facets and words combine with AND.
 */
#ifndef FAIRDEX_SEARCH_H
#define FAIRDEX_SEARCH_H

#include "fairdex/status.h"
#include "fairdex/store.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/** The facets, in the order the API lists them. */
typedef enum {
  FDX_FACET_THEME         = 0, /**< dcat:theme (IRI) */
  FDX_FACET_PUBLISHER     = 1, /**< dct:publisher (IRI or literal) */
  FDX_FACET_FORMAT        = 2, /**< dct:format of a distribution, else
                                    its dcat:mediaType */
  FDX_FACET_LICENSE       = 3, /**< dct:license of the resource or of a
                                    distribution */
  FDX_FACET_ACCESS_RIGHTS = 4, /**< dct:accessRights */
  FDX_FACET_KEYWORD       = 5, /**< dcat:keyword, folded (case, accents) */
  FDX_FACET_YEAR          = 6, /**< year of dct:modified, else dct:issued */
  FDX_N_FACETS            = 7
} FdxFacet;

/** The facet's API name ("theme", "access_rights", ...). */
const char*
fdx_facet_name(FdxFacet facet);

/** The order of results. */
typedef enum {
  FDX_SEARCH_SORT_RELEVANCE = 0, /**< score, best first (without words:
                                      as modified) */
  FDX_SEARCH_SORT_MODIFIED  = 1, /**< dct:modified (else issued), newest
                                      first; undated last */
  FDX_SEARCH_SORT_TITLE     = 2  /**< folded title in the query's lang,
                                      A to Z */
} FdxSearchSort;

/** The longest query text, in bytes. */
#define FDX_SEARCH_MAX_QUERY_BYTES 1024
/** The most words, phrases and exclusions in one query. */
#define FDX_SEARCH_MAX_CLAUSES 32
/** The deepest result one can page to: offset + limit. */
#define FDX_SEARCH_MAX_WINDOW 10000
/** The most indexed words one prefix (word*) stands for. */
#define FDX_SEARCH_MAX_EXPANSIONS 512

/** What to search for.  Strings are borrowed for the call. */
typedef struct {
  const char* q; /**< query text (may be NULL or empty: every document) */
  /** Facet filters: for each facet, values of which a document must have
   * one (IRIs for theme, publisher, format, license and access rights, a
   * literal's text where the value is a literal; the keyword's text; a
   * year as four digits). */
  const char* const* values[FDX_N_FACETS];
  size_t             n_values[FDX_N_FACETS];
  bool               has_from; /**< modified (else issued) >= from */
  bool               has_to;   /**< modified (else issued) <= to */
  int64_t            modified_from; /**< unix seconds */
  int64_t            modified_to;   /**< unix seconds */
  FdxSearchSort      sort;
  const char*        lang; /**< sort=title: by the German titles for "de"
                                (else the English ones; either falls back
                                to the other language's); may be NULL */
  size_t             offset; /**< results to skip */
  size_t             limit;  /**< results to return */
  size_t facet_limit; /**< most values per facet, by count; 0: no facets */
  /** Work limit: seconds (0: none), and a callback polled with it that
   * stops the search when it returns true (may be NULL). */
  double timeout_s;
  bool (*cancelled)(void* ctx);
  void* cancel_ctx;
} FdxSearchQuery;

/** One result. */
typedef struct {
  FdxId    graph;
  FdxId    subject;
  double   score; /**< BM25F; 0 without words */
  bool     has_modified;
  int64_t  modified; /**< unix seconds, when has_modified */
  uint32_t doc;      /**< the document number (internal) */
} FdxSearchHit;

/** One value of a facet with the number of results that have it. */
typedef struct {
  FdxId       id;   /**< the IRI or literal, or 0 for keyword and year */
  const char* text; /**< keyword or year text (NUL-terminated), else NULL */
  uint64_t    count;
} FdxFacetValue;

/**
 * Keep (or stop keeping) an in-memory copy of the search index's document
 * records for `store`, for a server: searches in read transactions of the
 * snapshot it copies then score and count facets from memory (80 bytes
 * per indexed document and 4 per document number ever given, plus up to
 * 256 MiB of decoded postings lists of frequent terms).  A newer snapshot is copied in a background
 * thread started by the first search that sees it (rate-limited; searches
 * meanwhile read the store, with the same results).  Turning it on copies
 * the current snapshot at once.  Thread-safe.
 */
FdxStatus
fdx_search_keep_columns(FdxStore* store, bool keep);

/** A searcher: owns a tokenizer; use one per thread. */
typedef struct FdxSearchImpl       FdxSearch;
typedef struct FdxSearchResultImpl FdxSearchResult;

/** A new searcher, or NULL when out of memory. */
FdxSearch*
fdx_search_new(void);

/** Free `search` (NULL is fine). */
void
fdx_search_free(FdxSearch* search);

/**
 * Run `query` in `txn` (read or write).  On success *ret is a new result
 * (free with fdx_search_result_free()).  FDX_ERR_BAD_ARG with a message in
 * `err` for a malformed query (a lone quote, only exclusions, an unknown
 * facet value is not an error: it matches nothing), FDX_ERR_LIMIT for a
 * query over the limits above or over its time, FDX_ERR_UNSUPPORTED when
 * the store has no search index (a store written by an older fairdex,
 * opened read-only).
 */
FdxStatus
fdx_search_run(FdxSearch*             search,
               FdxTxn*                txn,
               const FdxSearchQuery*  query,
               FdxSearchResult**      ret,
               FdxError*              err);

/** True when the search had the in-memory copy of its snapshot
 * (fdx_search_keep_columns()) to read the documents from, false when it
 * read them from the store. */
bool
fdx_search_result_from_columns(const FdxSearchResult* result);

/** The number of documents that match (before offset and limit). */
uint64_t
fdx_search_result_total(const FdxSearchResult* result);

/** The number of hits returned (at most the query's limit). */
size_t
fdx_search_result_count(const FdxSearchResult* result);

/** Hit `i` (0-based, < fdx_search_result_count()). */
const FdxSearchHit*
fdx_search_result_hit(const FdxSearchResult* result, size_t i);

/** The number of values listed for `facet`. */
size_t
fdx_search_result_facet_count(const FdxSearchResult* result, FdxFacet facet);

/** Value `i` of `facet`, by count (most first), then by value. */
const FdxFacetValue*
fdx_search_result_facet(const FdxSearchResult* result,
                        FdxFacet               facet,
                        size_t                 i);

/**
 * A snippet of `text` (`len` bytes of UTF-8 in language `lang`, may be
 * NULL) around the words of the query that `result` answers: at most about
 * `max_bytes` of the text, HTML-escaped, with <mark>...</mark> around the
 * matched words and "…" where the text was cut.  A new NUL-terminated
 * string (free()), or NULL when out of memory.
 */
char*
fdx_search_snippet(FdxSearch*             search,
                   const FdxSearchResult* result,
                   const char*            text,
                   size_t                 len,
                   const char*            lang,
                   size_t                 max_bytes);

/** Free `result` (NULL is fine). */
void
fdx_search_result_free(FdxSearchResult* result);

/** What a suggestion completes to. */
typedef enum {
  FDX_SUGGEST_TITLE   = 0, /**< a resource's title; `id` the resource */
  FDX_SUGGEST_KEYWORD = 1, /**< a keyword; `id` 0 */
  FDX_SUGGEST_CONCEPT = 2  /**< a concept's label; `id` the concept */
} FdxSuggestType;

/** A suggestion; `text` is borrowed for the call. */
typedef struct {
  FdxSuggestType type;
  const char*    text;
  size_t         text_len;
  FdxId          id;
} FdxSuggestion;

/**
 * Up to `limit` completions of `prefix` (the last word may be partial):
 * keywords, then concept labels (of the concepts documents use, in `lang`
 * as fdx_search_label() picks), then titles, each best first.  Calls `fn`
 * for each; returns FDX_SUCCESS, FDX_ERR_BAD_ARG for an empty or too long
 * prefix, or a store error.
 */
FdxStatus
fdx_search_suggest(FdxSearch*  search,
                   FdxTxn*     txn,
                   const char* prefix,
                   size_t      limit,
                   const char* lang,
                   void (*fn)(void* ctx, const FdxSuggestion* suggestion),
                   void* ctx);

/**
 * How well the language of the literal `t` fits `lang` (NULL: any), lower
 * is better: 0 the same tag, 1 the same primary language ("de" and
 * "de-AT"), 2 English, 3 no tag, 4 another language.  The order in which
 * titles and labels are picked for an answer in `lang`.
 */
int
fdx_search_lang_rank(const FdxTerm* t, const char* lang);

/**
 * The label of `id` in the language `lang` (NULL: any), falling back to
 * English, then to any: its skos:prefLabel, foaf:name, vcard:fn,
 * vcard:organization-name, rdfs:label or dct:title, from any graph, in
 * that order of preference within a language.  FDX_FAILURE if it has none.
 * The term in `buf` is valid as fdx_term_get() says.
 */
FdxStatus
fdx_search_label(FdxTxn* txn, FdxId id, const char* lang, FdxTermBuf* buf);

/** The same, giving the label's id (for callers that cache labels). */
FdxStatus
fdx_search_label_id(FdxTxn* txn, FdxId id, const char* lang, FdxId* ret);

/**
 * The short id the API gives a resource IRI that is not under its base:
 * "x" and 16 hex digits of a 64-bit hash of the IRI (FNV-1a with a
 * finalizer; stable across stores and versions of this schema), in `out`
 * (18 bytes with the NUL).
 */
void
fdx_search_hash_id(const char* iri, size_t len, char out[18]);

/**
 * Find the documents whose subject is `iri` (every graph that describes it
 * as a dataset, data service or series): calls `fn` with each (graph,
 * subject).  With `by_hash`, `iri` is a short id from fdx_search_hash_id()
 * instead.  FDX_FAILURE if there is none.
 */
FdxStatus
fdx_search_find(FdxTxn*     txn,
                const char* iri,
                bool        by_hash,
                void (*fn)(void* ctx, FdxId graph, FdxId subject),
                void* ctx);

/**
 * Parse an xsd:date or xsd:dateTime lexical form (a time zone offset is
 * applied; none means UTC), or the year-only ("2024") and year-month
 * ("2024-05") forms found in harvested data, to unix seconds.  False if
 * `s` is none of these.
 */
bool
fdx_search_parse_date(const char* s, size_t len, int64_t* ret);

/**
 * The seconds this store handle's commits have spent keeping the search
 * index (what `fairdex load --timings` reports).
 */
double
fdx_search_seconds(const FdxStore* store);

/** Counts of the index. */
typedef struct {
  uint64_t documents;
  uint64_t terms; /**< distinct index terms ever made (words and facet
                       values) */
} FdxSearchStats;

/** The index's counts as `txn` sees them. */
FdxStatus
fdx_search_stats(FdxTxn* txn, FdxSearchStats* ret);

/**
 * Rebuild the whole index from the quads in one write transaction (what
 * `fairdex reindex` does).  *ret_documents (may be NULL) gets the number
 * of documents indexed.
 */
FdxStatus
fdx_search_rebuild(FdxStore* store, uint64_t* ret_documents, FdxError* err);

#ifdef __cplusplus
}
#endif

#endif /* FAIRDEX_SEARCH_H */
