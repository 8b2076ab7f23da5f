/*
 * fairdex/vocab.h: controlled vocabularies (SKOS concept schemes) and their
 * curation.
 *
 * A managed scheme lives in its own named graph, named by the scheme's IRI,
 * and is registered under a short id ("data-theme", "health-category") in
 * the auxiliary table "vocab_schemes".  A concept's id is its IRI's last
 * path segment or fragment ("HEAL" for .../data-theme/HEAL).
 *
 * Concepts travel as JSON (jansson): {"iri", "id", "notation", "prefLabel":
 * {"de": ..., "en": ...}, "altLabel": {"de": [...]}, "hiddenLabel",
 * "definition", "scopeNote", "broader", "narrower", "related",
 * "exactMatch", "closeMatch", "broadMatch", "narrowMatch", "relatedMatch",
 * "deprecated", "replacedBy", "usage"}.  Labels without a language tag use
 * the key "@none".  An edit replaces what this JSON describes -- every
 * label, note, notation and link field, a field left out meaning none --
 * while other statements about the concept (an EU list's authority codes,
 * say) stay.
 * broader/narrower and related are kept symmetric across schemes.
 *
 * Every edit is one write transaction that also appends a history entry
 * (auxiliary table "vocab_history", keyed by an increasing id) with who,
 * when, and the statements removed and added as N-Quads; reverting an
 * entry applies its inverse as a new entry.
 *
 * An edit's outcome is an FdxVocabResult whose `outcome` says what
 * happened in terms a server maps to HTTP statuses one to one.
 */
#ifndef FAIRDEX_VOCAB_H
#define FAIRDEX_VOCAB_H

#include "fairdex/rdf.h"
#include "fairdex/status.h"
#include "fairdex/store.h"

#include <jansson.h>

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#define FDX_VOCAB_ID_MAX 64     /**< Longest scheme or concept id. */
#define FDX_VOCAB_ETAG_MAX 24   /**< Room for an ETag, quotes and NUL. */
#define FDX_VOCAB_SKOS "http://www.w3.org/2004/02/skos/core#"

/** What an operation did; the HTTP status a server answers with. */
typedef enum {
  FDX_VOCAB_OK        = 200, /**< Done (or read). */
  FDX_VOCAB_CREATED   = 201, /**< A new scheme or concept. */
  FDX_VOCAB_BAD_INPUT = 400, /**< The request's JSON has the wrong shape. */
  FDX_VOCAB_NOT_FOUND = 404, /**< No such scheme, concept or change. */
  FDX_VOCAB_CONFLICT  = 409, /**< The id is taken, or the concept is used. */
  FDX_VOCAB_STALE     = 412, /**< If-Match does not match the concept. */
  FDX_VOCAB_INVALID   = 422, /**< SKOS integrity: see `problems`. */
  FDX_VOCAB_FAILED    = 500, /**< The store failed; see `message`. */
  FDX_VOCAB_NO_SPACE  = 507  /**< The disk of the store is full: nothing
                                  was written (FDX_ERR_NO_SPACE). */
} FdxVocabOutcome;

/** The outcome of one operation.  Free with fdx_vocab_result_clear(). */
typedef struct {
  FdxVocabOutcome outcome;
  char            code[32];     /**< Short error code ("not_found"), or "". */
  char            message[512]; /**< What went wrong, for people. */
  json_t*         problems;     /**< INVALID: [{"field", "message"}] or, for
                                     an import, [{"concept", "problems"}]. */
  json_t*         body;         /**< The scheme, concept or report. */
  char            etag[FDX_VOCAB_ETAG_MAX]; /**< The concept's ETag. */
  uint64_t        change;       /**< The history entry written, or 0. */
  uint64_t        generation;   /**< The store generation read or written. */
} FdxVocabResult;

void
fdx_vocab_result_clear(FdxVocabResult* result);

/* ------------------------------------------------------------------------
 * Shipped vocabularies
 * --------------------------------------------------------------------- */

/**
 * Load the shipped vocabularies (EU data theme, file type, licence, access
 * right, frequency, language) into their graphs and create the empty
 * health-category scheme (IRI `base` + "vocab/health-category"), once per
 * store: a marker in the auxiliary table "settings" remembers it, so a
 * curator who drops a scheme does not see it come back.  `*ret_installed`
 * (may be NULL) says whether this call did it.
 */
FdxStatus
fdx_vocab_install(FdxStore*   store,
                  const char* base,
                  bool*       ret_installed,
                  FdxError*   err);

/* ------------------------------------------------------------------------
 * Reading (any transaction)
 * --------------------------------------------------------------------- */

/** The managed schemes: [{"iri", "id", "title": {lang: text}, "concepts":
 * N, "shipped": bool}], by id.  NULL when out of memory. */
json_t*
fdx_vocab_schemes(FdxTxn* txn);

/**
 * Find scheme `scheme` (an id or an IRI): its IRI in `*ret_iri` (malloc'd)
 * and its graph's id in `*ret_graph` (FDX_ID_ANY when the graph is empty),
 * either may be NULL.  FDX_FAILURE if there is no such scheme.
 */
FdxStatus
fdx_vocab_scheme_find(FdxTxn*     txn,
                      const char* scheme,
                      char**      ret_iri,
                      FdxId*      ret_graph);

/** The scheme with its top concepts (those with no broader concept):
 * result->body = {"iri", "id", "title", "concepts", "topConcepts":
 * [{"iri", "id", "prefLabel"}]}. */
void
fdx_vocab_scheme_get(FdxTxn* txn, const char* scheme, FdxVocabResult* result);

/** The concept `concept` (an id or IRI) of `scheme` as JSON, its ETag and
 * its usage. */
void
fdx_vocab_concept_get(FdxTxn*         txn,
                      const char*     scheme,
                      const char*     concept,
                      FdxVocabResult* result);

/**
 * Concepts of `scheme` whose preferred or alternative labels (in `lang`,
 * or any language when NULL or "") start with `q` or have a word that does
 * (case and accents folded); all concepts when `q` is empty.  Best first:
 * label prefix before word prefix, preferred before alternative labels,
 * then by label.  result->body = {"total", "concepts": [{"iri", "id",
 * "notation", "prefLabel", "matched", "deprecated"}]}.
 */
void
fdx_vocab_concept_search(FdxTxn*         txn,
                         const char*     scheme,
                         const char*     q,
                         const char*     lang,
                         size_t          limit,
                         FdxVocabResult* result);

/** How many datasets (dcat:Dataset, dcat:DataService, dcat:DatasetSeries)
 * use the concept `iri`, directly or through a distribution. */
uint64_t
fdx_vocab_usage(FdxTxn* txn, FdxId concept);

/** The datasets using the concept: result->body = {"total", "datasets":
 * [{"iri", "title"}]} with at most `limit` datasets, by IRI. */
void
fdx_vocab_concept_datasets(FdxTxn*         txn,
                           const char*     scheme,
                           const char*     concept,
                           size_t          limit,
                           FdxVocabResult* result);

/**
 * History entries after id `since` (0: from the start), oldest first, at
 * most `limit`; only those about `concept_iri` when it is not NULL.
 * result->body = {"changes": [{"id", "at", "who", "action", "scheme",
 * "concept", "removed": [...], "added": [...], "reverts"?}], "next": id}.
 */
void
fdx_vocab_history(FdxTxn*         txn,
                  uint64_t        since,
                  size_t          limit,
                  const char*     concept_iri,
                  FdxVocabResult* result);

/** As fdx_vocab_history() for the concept `concept` of `scheme`. */
void
fdx_vocab_concept_history(FdxTxn*         txn,
                          const char*     scheme,
                          const char*     concept,
                          uint64_t        since,
                          size_t          limit,
                          FdxVocabResult* result);

/* ------------------------------------------------------------------------
 * Editing (each call one write transaction; `who` names the editor)
 * --------------------------------------------------------------------- */

/**
 * Create a scheme from {"id", "iri" (optional: `base` + "vocab/" + id),
 * "title": {lang: text}}.  CREATED with the scheme as body.
 */
void
fdx_vocab_scheme_create(FdxStore*       store,
                        const char*     who,
                        const char*     base,
                        const json_t*   json,
                        FdxVocabResult* result);

/** Create a concept in `scheme` from the concept JSON ("id" or "iri").
 * Read-only fields: "usage" is ignored; "deprecated" and "replacedBy" may
 * only repeat the concept's state (false and [] for a new one), else
 * INVALID -- DELETE deprecates.  CREATED with the concept as body. */
void
fdx_vocab_concept_create(FdxStore*       store,
                         const char*     who,
                         const char*     scheme,
                         const json_t*   json,
                         FdxVocabResult* result);

/** Replace the concept's description by `json` if its ETag is `if_match`
 * (STALE otherwise; "*" matches any). */
void
fdx_vocab_concept_replace(FdxStore*       store,
                          const char*     who,
                          const char*     scheme,
                          const char*     concept,
                          const char*     if_match,
                          const json_t*   json,
                          FdxVocabResult* result);

/**
 * Deprecate the concept (owl:deprecated true; dct:isReplacedBy
 * `replaced_by` when not NULL, an IRI or an id in the same scheme), or,
 * with `hard`, remove it and every link to it -- CONFLICT if datasets use
 * it.  `if_match` as for fdx_vocab_concept_replace().  The body lists the
 * datasets that use the concept.
 */
void
fdx_vocab_concept_delete(FdxStore*       store,
                         const char*     who,
                         const char*     scheme,
                         const char*     concept,
                         const char*     if_match,
                         const char*     replaced_by,
                         bool            hard,
                         FdxVocabResult* result);

/** Undo history entry `change`: remove what it added and add back what it
 * removed, as a new entry (action "revert"). */
void
fdx_vocab_revert(FdxStore* store, const char* who, uint64_t change,
                 FdxVocabResult* result);

/**
 * Import the SKOS document `bytes` (`format`, or sniffed): each concept
 * scheme it describes (or only `scheme_iri`, which concepts without
 * skos:inScheme then join) goes into its own graph, replacing the graph's
 * statements, and is registered.  SKOS problems (no prefLabel -- a
 * SKOS-XL prefLabel counts --, two prefLabels in one language, labels
 * without a language, empty labels, broader cycles) are listed per
 * concept in result->problems ({"concept", "problems": [text]}); with any, nothing is written (INVALID)
 * unless `force`, which imports every statement not about a concept with
 * problems.  The body reports schemes, concepts, statements and skipped
 * concepts.
 */
void
fdx_vocab_import(FdxStore*       store,
                 const char*     who,
                 const char*     bytes,
                 size_t          len,
                 FdxFormat       format,
                 const char*     name,
                 const char*     scheme_iri,
                 bool            force,
                 FdxVocabResult* result);

#ifdef __cplusplus
}
#endif

#endif /* FAIRDEX_VOCAB_H */
