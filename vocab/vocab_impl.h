/*
 * vocab_impl.h: what the vocabulary files share: the SKOS and DCAT IRIs
 * they use, small helpers over the store's term API, a growable string,
 * the registry of managed schemes, reading a concept into JSON, and the
 * change set that turns one edit into quads added and removed plus a
 * history entry.
 *
 * Files: model.c (registry, reading, search, usage), edit.c (schemes and
 * concepts created, replaced, deprecated; SKOS integrity), history.c
 * (change sets, the history, revert), import.c (import, the shipped
 * vocabularies).
 */
#ifndef FDX_VOCAB_IMPL_H
#define FDX_VOCAB_IMPL_H

#include "fairdex/vocab.h"

#include <stdarg.h>

#define SKOS FDX_VOCAB_SKOS
#define RDF_TYPE "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"
#define SKOS_CONCEPT SKOS "Concept"
#define SKOS_SCHEME SKOS "ConceptScheme"
#define SKOS_IN_SCHEME SKOS "inScheme"
#define SKOS_TOP_CONCEPT_OF SKOS "topConceptOf"
#define SKOS_HAS_TOP_CONCEPT SKOS "hasTopConcept"
#define SKOS_BROADER SKOS "broader"
#define SKOS_NARROWER SKOS "narrower"
#define SKOS_RELATED SKOS "related"
#define SKOS_PREF_LABEL SKOS "prefLabel"
#define SKOS_ALT_LABEL SKOS "altLabel"
#define SKOS_HIDDEN_LABEL SKOS "hiddenLabel"
#define SKOS_NOTATION SKOS "notation"
#define OWL_DEPRECATED "http://www.w3.org/2002/07/owl#deprecated"
#define DCT "http://purl.org/dc/terms/"
#define DCT_TITLE DCT "title"
#define DCT_MODIFIED DCT "modified"
#define DCT_CREATED DCT "created"
#define DCT_REPLACED_BY DCT "isReplacedBy"
#define DC_TITLE "http://purl.org/dc/elements/1.1/title"
#define RDFS_LABEL "http://www.w3.org/2000/01/rdf-schema#label"
#define DCAT "http://www.w3.org/ns/dcat#"
#define XSD_BOOLEAN "http://www.w3.org/2001/XMLSchema#boolean"
#define XSD_DATETIME "http://www.w3.org/2001/XMLSchema#dateTime"

#define REGISTRY_TABLE "vocab_schemes"
#define HISTORY_TABLE "vocab_history"
#define HISTORY_BY_CONCEPT_TABLE "vocab_history_concept"
#define SETTINGS_TABLE "settings"

/* ---- the concept JSON's fields ---- */

typedef enum {
  FIELD_LABEL_MAP,  /* {lang: text} (one per language) */
  FIELD_LABEL_LIST, /* {lang: [text...]} */
  FIELD_NOTE_MAP,   /* {lang: text or [text...]} */
  FIELD_LINKS,      /* [IRI...] */
  FIELD_NOTATION    /* text or [text...] */
} FieldKind;

typedef struct {
  const char* name;     /* JSON key */
  const char* pred;     /* predicate IRI */
  FieldKind   kind;
  const char* inverse;  /* links kept symmetric: the inverse predicate */
  bool        internal; /* links that must point at existing concepts */
} ConceptField;

extern const ConceptField vocab_fields[];
extern const size_t       vocab_n_fields;

/* The field whose predicate is `pred` (`len` bytes), or NULL. */
const ConceptField* vocab_field_by_pred(const char* pred, size_t len);

/* ---- results ---- */

/* Set `result`'s outcome, code and message; returns FDX_ERR_BAD_ARG so a
 * write function can abort its transaction with it. */
FdxStatus vr_fail(FdxVocabResult* result, FdxVocabOutcome outcome,
                  const char* code, const char* fmt, ...)
#if defined(__GNUC__)
  __attribute__((format(printf, 4, 5)))
#endif
  ;

/* Fill `result` for a write to the store that failed with `st`: 507
 * insufficient_storage for a full disk, else 500 internal_error; the
 * message starts with `what`. */
void vr_write_failed(FdxVocabResult* result, FdxStatus st, const char* what);

/* Add {"field", "message"} to result->problems. */
void vr_problem(FdxVocabResult* result, const char* field, const char* fmt, ...)
#if defined(__GNUC__)
  __attribute__((format(printf, 3, 4)))
#endif
  ;

/* Reset a result before a (re)run of a write function. */
void vr_reset(FdxVocabResult* result);

/* ---- a growable string ---- */

typedef struct {
  char*  data;
  size_t len;
  size_t cap;
  bool   failed;
} VStr;

void  vstr_put(VStr* s, const char* bytes, size_t len);
void  vstr_puts(VStr* s, const char* text);
void  vstr_printf(VStr* s, const char* fmt, ...)
#if defined(__GNUC__)
  __attribute__((format(printf, 2, 3)))
#endif
  ;
int   vstr_write(void* s, const char* bytes, size_t len); /* FdxWriteBytes */
void  vstr_free(VStr* s);

/* ---- terms ---- */

/* The id of the IRI `iri`: FDX_FAILURE if the store has never seen it. */
FdxStatus vocab_iri_id(FdxTxn* txn, const char* iri, FdxId* ret);
/* Find or add the IRI (write transaction). */
FdxStatus vocab_iri_intern(FdxTxn* txn, const char* iri, FdxId* ret);
/* The term's value (IRI, literal text, blank label) as a new string. */
char* vocab_term_text(FdxTxn* txn, FdxId id);
/* The term's N-Triples form appended to `out`. */
FdxStatus vocab_term_nt(FdxTxn* txn, FdxId id, VStr* out);
/* True if `iri` is an absolute IRI fit to name a resource. */
bool vocab_iri_valid(const char* iri);
/* True for 1..FDX_VOCAB_ID_MAX characters of [A-Za-z0-9._~-]. */
bool vocab_id_valid(const char* id);
/* True for a BCP 47-shaped language tag. */
bool vocab_lang_valid(const char* lang);
/* The id of a concept or scheme IRI: its last segment or fragment. */
const char* vocab_local_name(const char* iri);
/* Now as xsd:dateTime text ("2026-11-28T13:45:00Z"). */
void vocab_now(char out[32]);

/* ---- the registry ---- */

typedef struct {
  char  id[FDX_VOCAB_ID_MAX + 1];
  char* iri;   /* malloc'd */
  FdxId graph; /* FDX_ID_ANY while the graph's IRI is unknown */
  bool  shipped;
} SchemeRef;

/* Find a scheme by id or IRI: FDX_FAILURE if there is none. */
FdxStatus vocab_scheme_lookup(FdxTxn* txn, const char* scheme, SchemeRef* ret);
void      vocab_scheme_ref_free(SchemeRef* ref);
/* Register `id` -> `iri` (write transaction). */
FdxStatus vocab_scheme_register(FdxTxn* txn, const char* id, const char* iri,
                                bool shipped);

/* Find concept `concept` (id or IRI) of the scheme: its id in `*ret`.
 * FDX_FAILURE if the scheme's graph has no such concept. */
FdxStatus vocab_concept_lookup(FdxTxn* txn, const SchemeRef* scheme,
                               const char* concept, FdxId* ret);

/* True if `c` is a skos:Concept in any graph; its first graph in *ret_g. */
bool vocab_is_concept(FdxTxn* txn, FdxId c, FdxId* ret_g);

/* The concept JSON of `c` in graph `g` (with "usage" when `with_usage`). */
json_t* vocab_concept_json(FdxTxn* txn, FdxId c, FdxId g, bool with_usage);

/* The concept's ETag: a hash of its statements in `g`. */
void vocab_concept_etag(FdxTxn* txn, FdxId c, FdxId g,
                        char out[FDX_VOCAB_ETAG_MAX]);

/* The datasets using concept `c`: a sorted, distinct array of ids
 * (malloc'd) and its length. */
FdxStatus vocab_concept_users(FdxTxn* txn, FdxId c, FdxId** ret,
                              size_t* ret_n);

/* {"total", "datasets": [{"iri", "title"}]} for the users. */
json_t* vocab_users_json(FdxTxn* txn, const FdxId* users, size_t n,
                         size_t limit);

/* ---- change sets and the history (history.c) ---- */

typedef struct {
  FdxQuad* quads;
  size_t   n;
  size_t   cap;
} QuadList;

typedef struct {
  FdxTxn*  txn;
  QuadList removed;
  QuadList added;
} ChangeSet;

void      change_init(ChangeSet* cs, FdxTxn* txn);
void      change_free(ChangeSet* cs);
/* Add / remove one quad, remembering it when it changed the store. */
FdxStatus change_add(ChangeSet* cs, FdxId s, FdxId p, FdxId o, FdxId g);
FdxStatus change_remove(ChangeSet* cs, FdxId s, FdxId p, FdxId o, FdxId g);

/* True if `cs` changed anything once statements removed and added again
 * cancel out. */
bool change_has_net(ChangeSet* cs);

/* Append the history entry for `cs` (statements added and removed again
 * cancel out; none when nothing changed) and set result->change.  `concept` may be NULL;
 * `reverts` is 0 unless the change undoes another. */
FdxStatus history_append(ChangeSet* cs, const char* who, const char* action,
                         const char* scheme, const char* concept,
                         uint64_t reverts, FdxVocabResult* result);

#endif /* FDX_VOCAB_IMPL_H */
