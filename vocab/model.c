/*
 * model.c: reading managed vocabularies: the scheme registry, concepts as
 * JSON with their ETags, label search within a scheme, and usage (the
 * datasets that point at a concept, directly or through a distribution).
 * Also the small helpers every vocabulary file uses (results, strings,
 * terms, IRIs, ids and language tags).
 *
 * Label search folds case and accents with utf8proc and scans the
 * scheme's concepts: curated schemes hold hundreds or a few thousand
 * concepts, which a scan reads in well under a millisecond per hundred.
 */
#include "vocab_impl.h"

#include <utf8proc.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

/* ------------------------------------------------------------------------
 * The concept JSON's fields
 * --------------------------------------------------------------------- */

const ConceptField vocab_fields[] = {
  {"prefLabel", SKOS_PREF_LABEL, FIELD_LABEL_MAP, NULL, false},
  {"altLabel", SKOS_ALT_LABEL, FIELD_LABEL_LIST, NULL, false},
  {"hiddenLabel", SKOS_HIDDEN_LABEL, FIELD_LABEL_LIST, NULL, false},
  {"definition", SKOS "definition", FIELD_NOTE_MAP, NULL, false},
  {"scopeNote", SKOS "scopeNote", FIELD_NOTE_MAP, NULL, false},
  {"notation", SKOS_NOTATION, FIELD_NOTATION, NULL, false},
  {"broader", SKOS_BROADER, FIELD_LINKS, SKOS_NARROWER, true},
  {"narrower", SKOS_NARROWER, FIELD_LINKS, SKOS_BROADER, true},
  {"related", SKOS_RELATED, FIELD_LINKS, SKOS_RELATED, true},
  {"exactMatch", SKOS "exactMatch", FIELD_LINKS, NULL, false},
  {"closeMatch", SKOS "closeMatch", FIELD_LINKS, NULL, false},
  {"broadMatch", SKOS "broadMatch", FIELD_LINKS, NULL, false},
  {"narrowMatch", SKOS "narrowMatch", FIELD_LINKS, NULL, false},
  {"relatedMatch", SKOS "relatedMatch", FIELD_LINKS, NULL, false},
};
const size_t vocab_n_fields = sizeof(vocab_fields) / sizeof(vocab_fields[0]);

const ConceptField*
vocab_field_by_pred(const char* const pred, const size_t len)
{
  for (size_t i = 0; i < vocab_n_fields; ++i) {
    if (strlen(vocab_fields[i].pred) == len &&
        !memcmp(vocab_fields[i].pred, pred, len)) {
      return &vocab_fields[i];
    }
  }
  return NULL;
}

/* ------------------------------------------------------------------------
 * Results
 * --------------------------------------------------------------------- */

void
fdx_vocab_result_clear(FdxVocabResult* const result)
{
  if (result) {
    json_decref(result->problems);
    json_decref(result->body);
    memset(result, 0, sizeof(*result));
  }
}

void
vr_reset(FdxVocabResult* const result)
{
  fdx_vocab_result_clear(result);
  result->outcome = FDX_VOCAB_OK;
}

FdxStatus
vr_fail(FdxVocabResult* const result, const FdxVocabOutcome outcome,
        const char* const code, const char* const fmt, ...)
{
  result->outcome = outcome;
  snprintf(result->code, sizeof(result->code), "%s", code);
  va_list args;
  va_start(args, fmt);
  vsnprintf(result->message, sizeof(result->message), fmt, args);
  va_end(args);
  return FDX_ERR_BAD_ARG;
}

void
vr_write_failed(FdxVocabResult* const result, const FdxStatus st,
                const char* const what)
{
  if (st == FDX_ERR_NO_SPACE) {
    vr_fail(result, FDX_VOCAB_NO_SPACE, "insufficient_storage",
            "%s: %s (nothing was written)", what, fdx_strerror(st));
  } else {
    vr_fail(result, FDX_VOCAB_FAILED, "internal_error", "%s: %s", what,
            fdx_strerror(st));
  }
}

void
vr_problem(FdxVocabResult* const result, const char* const field,
           const char* const fmt, ...)
{
  char    message[512];
  va_list args;
  va_start(args, fmt);
  vsnprintf(message, sizeof(message), fmt, args);
  va_end(args);
  if (!result->problems) {
    result->problems = json_array();
  }
  json_array_append_new(result->problems,
                        json_pack("{s:s, s:s}", "field", field, "message",
                                  message));
}

/* ------------------------------------------------------------------------
 * Strings
 * --------------------------------------------------------------------- */

void
vstr_put(VStr* const s, const char* const bytes, const size_t len)
{
  if (s->failed) {
    return;
  }
  if (s->len + len + 1 > s->cap) {
    size_t cap = s->cap ? s->cap * 2 : 256;
    while (cap < s->len + len + 1) {
      cap *= 2;
    }
    char* const grown = (char*)realloc(s->data, cap);
    if (!grown) {
      s->failed = true;
      return;
    }
    s->data = grown;
    s->cap  = cap;
  }
  memcpy(s->data + s->len, bytes, len);
  s->len += len;
  s->data[s->len] = '\0';
}

void
vstr_puts(VStr* const s, const char* const text)
{
  vstr_put(s, text, strlen(text));
}

void
vstr_printf(VStr* const s, const char* const fmt, ...)
{
  char    small[256];
  va_list args;
  va_start(args, fmt);
  const int n = vsnprintf(small, sizeof(small), fmt, args);
  va_end(args);
  if (n < 0) {
    s->failed = true;
  } else if ((size_t)n < sizeof(small)) {
    vstr_put(s, small, (size_t)n);
  } else {
    char* const big = (char*)malloc((size_t)n + 1);
    if (!big) {
      s->failed = true;
      return;
    }
    va_start(args, fmt);
    vsnprintf(big, (size_t)n + 1, fmt, args);
    va_end(args);
    vstr_put(s, big, (size_t)n);
    free(big);
  }
}

int
vstr_write(void* const s, const char* const bytes, const size_t len)
{
  vstr_put((VStr*)s, bytes, len);
  return ((VStr*)s)->failed ? -1 : 0;
}

void
vstr_free(VStr* const s)
{
  free(s->data);
  memset(s, 0, sizeof(*s));
}

/* ------------------------------------------------------------------------
 * Terms, IRIs, ids
 * --------------------------------------------------------------------- */

FdxStatus
vocab_iri_id(FdxTxn* const txn, const char* const iri, FdxId* const ret)
{
  const FdxTerm t = fdx_term_iri(iri);
  return fdx_term_id(txn, &t, ret);
}

FdxStatus
vocab_iri_intern(FdxTxn* const txn, const char* const iri, FdxId* const ret)
{
  const FdxTerm t = fdx_term_iri(iri);
  return fdx_term_intern(txn, &t, ret);
}

char*
vocab_term_text(FdxTxn* const txn, const FdxId id)
{
  FdxTermBuf buf;
  if (fdx_term_get(txn, id, &buf)) {
    return NULL;
  }
  return strndup(buf.term.value, buf.term.value_len);
}

FdxStatus
vocab_term_nt(FdxTxn* const txn, const FdxId id, VStr* const out)
{
  FdxTermBuf buf;
  FdxStatus  st = fdx_term_get(txn, id, &buf);
  if (st) {
    return st == FDX_FAILURE ? FDX_ERR_CORRUPT : st;
  }
  return fdx_write_term_nt(&buf.term, vstr_write, out);
}

bool
vocab_iri_valid(const char* const iri)
{
  const char* p = iri;
  if (!((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z'))) {
    return false;
  }
  while ((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') ||
         (*p >= '0' && *p <= '9') || *p == '+' || *p == '-' || *p == '.') {
    ++p;
  }
  if (*p != ':' || !p[1]) {
    return false;
  }
  size_t n = 0;
  for (const unsigned char* c = (const unsigned char*)iri; *c; ++c, ++n) {
    if (*c <= 0x20 || *c == '<' || *c == '>' || *c == '"' || *c == '{' ||
        *c == '}' || *c == '|' || *c == '\\' || *c == '^' || *c == '`' ||
        *c == 0x7f) {
      return false;
    }
  }
  return n <= 4096 && utf8proc_decompose((const utf8proc_uint8_t*)iri,
                                         (utf8proc_ssize_t)n, NULL, 0,
                                         (utf8proc_option_t)0) >= 0;
}

bool
vocab_id_valid(const char* const id)
{
  size_t n = 0;
  for (const char* c = id; *c; ++c, ++n) {
    if (!((*c >= 'a' && *c <= 'z') || (*c >= 'A' && *c <= 'Z') ||
          (*c >= '0' && *c <= '9') || *c == '.' || *c == '_' || *c == '~' ||
          *c == '-')) {
      return false;
    }
  }
  return n >= 1 && n <= FDX_VOCAB_ID_MAX;
}

bool
vocab_lang_valid(const char* const lang)
{
  size_t run = 0, parts = 0;
  for (const char* c = lang;; ++c) {
    if (*c == '-' || !*c) {
      if (run < 1 || run > 8) {
        return false;
      }
      ++parts;
      run = 0;
      if (!*c) {
        break;
      }
    } else if ((*c >= 'a' && *c <= 'z') || (*c >= 'A' && *c <= 'Z') ||
               (parts > 0 && *c >= '0' && *c <= '9')) {
      ++run;
    } else {
      return false;
    }
  }
  return parts >= 1;
}

const char*
vocab_local_name(const char* const iri)
{
  const size_t len = strlen(iri);
  size_t       end = len;
  while (end > 0 && iri[end - 1] == '/') {
    --end; /* "http://x/scheme/" names "scheme" */
  }
  size_t i = end;
  while (i > 0 && iri[i - 1] != '/' && iri[i - 1] != '#' &&
         iri[i - 1] != ':') {
    --i;
  }
  return iri + i;
}

void
vocab_now(char out[32])
{
  const time_t now = time(NULL);
  struct tm    tm;
  gmtime_r(&now, &tm);
  strftime(out, 32, "%Y-%m-%dT%H:%M:%SZ", &tm);
}

/* ------------------------------------------------------------------------
 * The registry
 * --------------------------------------------------------------------- */

void
vocab_scheme_ref_free(SchemeRef* const ref)
{
  free(ref->iri);
  ref->iri = NULL;
}

static FdxStatus
ref_from_entry(FdxTxn* const txn, const char* const id, const size_t id_len,
               const void* const val, const size_t val_len,
               SchemeRef* const ret)
{
  json_error_t jerr;
  json_t* const entry = json_loadb((const char*)val, val_len, 0, &jerr);
  const char*   iri   = entry ? json_string_value(json_object_get(entry, "iri"))
                              : NULL;
  if (!iri || id_len > FDX_VOCAB_ID_MAX) {
    json_decref(entry);
    return FDX_ERR_CORRUPT;
  }
  memset(ret, 0, sizeof(*ret));
  memcpy(ret->id, id, id_len);
  ret->iri     = strdup(iri);
  ret->shipped = json_is_true(json_object_get(entry, "shipped"));
  json_decref(entry);
  if (!ret->iri) {
    return FDX_ERR_NO_MEMORY;
  }
  if (vocab_iri_id(txn, ret->iri, &ret->graph)) {
    ret->graph = FDX_ID_ANY;
  }
  return FDX_SUCCESS;
}

typedef struct {
  FdxTxn*     txn;
  const char* iri;
  SchemeRef*  ret;
  bool        found;
} FindByIri;

static FdxStatus
find_by_iri(void* const ctx, const void* const key, const size_t key_len,
            const void* const val, const size_t val_len)
{
  FindByIri* const f = (FindByIri*)ctx;
  SchemeRef        ref;
  FdxStatus        st = ref_from_entry(f->txn, (const char*)key, key_len, val,
                                       val_len, &ref);
  if (st) {
    return st;
  }
  if (!strcmp(ref.iri, f->iri)) {
    *f->ret  = ref;
    f->found = true;
    return FDX_FAILURE; /* stop */
  }
  vocab_scheme_ref_free(&ref);
  return FDX_SUCCESS;
}

FdxStatus
vocab_scheme_lookup(FdxTxn* const txn, const char* const scheme,
                    SchemeRef* const ret)
{
  memset(ret, 0, sizeof(*ret));
  if (!scheme || !*scheme) {
    return FDX_FAILURE;
  }
  if (vocab_id_valid(scheme)) {
    const void* val = NULL;
    size_t      n   = 0;
    FdxStatus   st  = fdx_aux_get(txn, REGISTRY_TABLE, scheme, strlen(scheme),
                                  &val, &n);
    if (st == FDX_SUCCESS) {
      return ref_from_entry(txn, scheme, strlen(scheme), val, n, ret);
    }
    if (st != FDX_FAILURE) {
      return st;
    }
  }
  FindByIri f  = {txn, scheme, ret, false};
  FdxStatus st = fdx_aux_each(txn, REGISTRY_TABLE, NULL, 0, find_by_iri, &f);
  if (f.found) {
    return FDX_SUCCESS;
  }
  return st ? st : FDX_FAILURE;
}

FdxStatus
vocab_scheme_register(FdxTxn* const txn, const char* const id,
                      const char* const iri, const bool shipped)
{
  char created[32];
  vocab_now(created);
  json_t* const entry = json_pack("{s:s, s:b, s:s}", "iri", iri, "shipped",
                                  shipped, "created", created);
  char* const text = entry ? json_dumps(entry, JSON_COMPACT) : NULL;
  json_decref(entry);
  if (!text) {
    return FDX_ERR_NO_MEMORY;
  }
  const FdxStatus st = fdx_aux_put(txn, REGISTRY_TABLE, id, strlen(id), text,
                                   strlen(text));
  free(text);
  return st;
}

FdxStatus
fdx_vocab_scheme_find(FdxTxn* const txn, const char* const scheme,
                      char** const ret_iri, FdxId* const ret_graph)
{
  SchemeRef ref;
  FdxStatus st = vocab_scheme_lookup(txn, scheme, &ref);
  if (st) {
    return st;
  }
  if (ret_graph) {
    *ret_graph = ref.graph;
  }
  if (ret_iri) {
    *ret_iri = ref.iri;
    ref.iri  = NULL;
  }
  vocab_scheme_ref_free(&ref);
  return FDX_SUCCESS;
}

/* ------------------------------------------------------------------------
 * Concepts
 * --------------------------------------------------------------------- */

static bool
has_quad(FdxTxn* const txn, const FdxId s, const FdxId p, const FdxId o,
         const FdxId g)
{
  uint64_t      n = 0;
  const FdxQuad q = {s, p, o, g};
  return !fdx_quad_count(txn, &q, &n) && n > 0;
}

bool
vocab_is_concept(FdxTxn* const txn, const FdxId c, FdxId* const ret_g)
{
  FdxId type, concept;
  if (vocab_iri_id(txn, RDF_TYPE, &type) ||
      vocab_iri_id(txn, SKOS_CONCEPT, &concept)) {
    return false;
  }
  const FdxQuad pattern = {c, type, concept, FDX_ID_ANY};
  FdxQuadIter*  it      = NULL;
  FdxQuad       q;
  bool          found = false;
  if (!fdx_quad_find(txn, &pattern, &it) && !fdx_quad_iter_next(it, &q)) {
    found = true;
    if (ret_g) {
      *ret_g = q.g;
    }
  }
  fdx_quad_iter_free(it);
  return found;
}

/* True if `c` is a concept of the scheme: typed skos:Concept in the
 * scheme's graph, or said to be in the scheme there. */
static bool
concept_in_scheme(FdxTxn* const txn, const SchemeRef* const scheme,
                  const FdxId c)
{
  FdxId type, concept, in_scheme, scheme_id;
  if (scheme->graph == FDX_ID_ANY) {
    return false;
  }
  if (!vocab_iri_id(txn, RDF_TYPE, &type) &&
      !vocab_iri_id(txn, SKOS_CONCEPT, &concept) &&
      has_quad(txn, c, type, concept, scheme->graph)) {
    return true;
  }
  return !vocab_iri_id(txn, SKOS_IN_SCHEME, &in_scheme) &&
         !vocab_iri_id(txn, scheme->iri, &scheme_id) &&
         has_quad(txn, c, in_scheme, scheme_id, scheme->graph);
}

FdxStatus
vocab_concept_lookup(FdxTxn* const txn, const SchemeRef* const scheme,
                     const char* const concept, FdxId* const ret)
{
  if (!concept || !*concept || scheme->graph == FDX_ID_ANY) {
    return FDX_FAILURE;
  }
  FdxId id;
  if (strchr(concept, ':')) {
    return !vocab_iri_id(txn, concept, &id) &&
               concept_in_scheme(txn, scheme, id)
             ? (*ret = id, FDX_SUCCESS)
             : FDX_FAILURE;
  }
  /* The usual shapes first: scheme IRI + "/" + id, + "#" + id. */
  const size_t slen = strlen(scheme->iri);
  const char   last = slen ? scheme->iri[slen - 1] : 0;
  static const char* const seps[] = {"/", "#", ""};
  for (size_t i = 0; i < 3; ++i) {
    if ((i < 2) == (last == '/' || last == '#')) {
      continue;
    }
    VStr iri = {0};
    vstr_puts(&iri, scheme->iri);
    vstr_puts(&iri, seps[i]);
    vstr_puts(&iri, concept);
    const bool ok = !iri.failed && !vocab_iri_id(txn, iri.data, &id) &&
                    concept_in_scheme(txn, scheme, id);
    vstr_free(&iri);
    if (ok) {
      *ret = id;
      return FDX_SUCCESS;
    }
  }
  /* Else any concept of the scheme whose IRI ends in the id. */
  FdxId type, concept_class;
  if (vocab_iri_id(txn, RDF_TYPE, &type) ||
      vocab_iri_id(txn, SKOS_CONCEPT, &concept_class)) {
    return FDX_FAILURE;
  }
  const FdxQuad pattern = {FDX_ID_ANY, type, concept_class, scheme->graph};
  FdxQuadIter*  it      = NULL;
  FdxQuad       q;
  FdxStatus     st = fdx_quad_find(txn, &pattern, &it);
  bool          found = false;
  while (!st && !found && !(st = fdx_quad_iter_next(it, &q))) {
    FdxTermBuf buf;
    if (!fdx_term_get(txn, q.s, &buf) && buf.term.kind == FDX_TERM_IRI) {
      char* const text = strndup(buf.term.value, buf.term.value_len);
      found = text && !strcmp(vocab_local_name(text), concept);
      free(text);
      if (found) {
        *ret = q.s;
      }
    }
  }
  fdx_quad_iter_free(it);
  return found ? FDX_SUCCESS : FDX_FAILURE;
}

/* Add the literal `t` under `lang` to a label or note map. */
static void
json_put_label(json_t* const map, const FdxTerm* const t, const bool list)
{
  char lang[64];
  if (t->lang && t->lang_len < sizeof(lang)) {
    memcpy(lang, t->lang, t->lang_len);
    lang[t->lang_len] = '\0';
  } else {
    snprintf(lang, sizeof(lang), "@none");
  }
  json_t* const text = json_stringn(t->value, t->value_len);
  if (!text) {
    return;
  }
  json_t* const old = json_object_get(map, lang);
  if (list) {
    if (!old) {
      json_object_set_new(map, lang, json_array());
    }
    json_array_append_new(json_object_get(map, lang), text);
  } else if (!old) {
    json_object_set_new(map, lang, text);
  } else if (json_is_array(old)) {
    json_array_append_new(old, text);
  } else {
    json_t* const both = json_array();
    json_array_append(both, old);
    json_array_append_new(both, text);
    json_object_set_new(map, lang, both);
  }
}

json_t*
vocab_concept_json(FdxTxn* const txn, const FdxId c, const FdxId g,
                   const bool with_usage)
{
  char* const iri = vocab_term_text(txn, c);
  if (!iri) {
    return NULL;
  }
  json_t* const out = json_object();
  json_object_set_new(out, "iri", json_string(iri));
  json_object_set_new(out, "id", json_string(vocab_local_name(iri)));
  free(iri);
  for (size_t i = 0; i < vocab_n_fields; ++i) {
    const ConceptField* const f = &vocab_fields[i];
    if (f->kind == FIELD_NOTATION) {
      continue; /* only when present */
    }
    json_object_set_new(out, f->name, f->kind == FIELD_LINKS ? json_array()
                                                             : json_object());
  }
  json_t* const replaced   = json_array();
  bool          deprecated = false;
  const FdxQuad pattern    = {c, FDX_ID_ANY, FDX_ID_ANY, g};
  FdxQuadIter*  it         = NULL;
  FdxQuad       q;
  FdxStatus     st = fdx_quad_find(txn, &pattern, &it);
  while (!st && !(st = fdx_quad_iter_next(it, &q))) {
    FdxTermBuf pbuf, obuf;
    if (fdx_term_get(txn, q.p, &pbuf) || fdx_term_get(txn, q.o, &obuf)) {
      continue;
    }
    const FdxTerm* const p = &pbuf.term;
    const FdxTerm* const o = &obuf.term;
    const bool is_iri = o->kind == FDX_TERM_IRI;
    if (p->value_len == strlen(OWL_DEPRECATED) &&
        !memcmp(p->value, OWL_DEPRECATED, p->value_len)) {
      deprecated = deprecated || (o->value_len == 4 &&
                                  !memcmp(o->value, "true", 4)) ||
                   (o->value_len == 1 && o->value[0] == '1');
      continue;
    }
    if (p->value_len == strlen(DCT_REPLACED_BY) &&
        !memcmp(p->value, DCT_REPLACED_BY, p->value_len) && is_iri) {
      json_array_append_new(replaced, json_stringn(o->value, o->value_len));
      continue;
    }
    const ConceptField* const f = vocab_field_by_pred(p->value, p->value_len);
    if (!f) {
      continue;
    }
    json_t* const slot = json_object_get(out, f->name);
    switch (f->kind) {
    case FIELD_LINKS:
      if (is_iri) {
        json_array_append_new(slot, json_stringn(o->value, o->value_len));
      }
      break;
    case FIELD_LABEL_MAP:
    case FIELD_NOTE_MAP:
      if (o->kind == FDX_TERM_LITERAL) {
        json_put_label(slot, o, false);
      }
      break;
    case FIELD_LABEL_LIST:
      if (o->kind == FDX_TERM_LITERAL) {
        json_put_label(slot, o, true);
      }
      break;
    case FIELD_NOTATION: {
      json_t* const text = json_stringn(o->value, o->value_len);
      if (!slot) {
        json_object_set_new(out, f->name, text);
      } else if (json_is_array(slot)) {
        json_array_append_new(slot, text);
      } else {
        json_t* const both = json_array();
        json_array_append(both, slot);
        json_array_append_new(both, text);
        json_object_set_new(out, f->name, both);
      }
      break;
    }
    }
  }
  fdx_quad_iter_free(it);
  if (!json_object_get(out, "notation")) {
    json_object_set_new(out, "notation", json_null());
  }
  json_object_set_new(out, "deprecated", json_boolean(deprecated));
  json_object_set_new(out, "replacedBy", replaced);
  if (with_usage) {
    json_object_set_new(out, "usage",
                        json_integer((json_int_t)fdx_vocab_usage(txn, c)));
  }
  return out;
}

static int
cmp_pair(const void* const a, const void* const b)
{
  const FdxId* const x = (const FdxId*)a;
  const FdxId* const y = (const FdxId*)b;
  if (x[0] != y[0]) {
    return x[0] < y[0] ? -1 : 1;
  }
  return x[1] < y[1] ? -1 : x[1] > y[1];
}

void
vocab_concept_etag(FdxTxn* const txn, const FdxId c, const FdxId g,
                   char out[FDX_VOCAB_ETAG_MAX])
{
  /* FNV-1a over the sorted (predicate, object) ids of the concept's
   * statements in its graph: the same description, the same ETag. */
  FdxId*        pairs = NULL;
  size_t        n = 0, cap = 0;
  const FdxQuad pattern = {c, FDX_ID_ANY, FDX_ID_ANY, g};
  FdxQuadIter*  it      = NULL;
  FdxQuad       q;
  FdxStatus     st = fdx_quad_find(txn, &pattern, &it);
  while (!st && !(st = fdx_quad_iter_next(it, &q))) {
    if (n == cap) {
      cap = cap ? cap * 2 : 64;
      FdxId* const grown = (FdxId*)realloc(pairs, cap * 2 * sizeof(FdxId));
      if (!grown) {
        break;
      }
      pairs = grown;
    }
    pairs[2 * n]     = q.p;
    pairs[2 * n + 1] = q.o;
    ++n;
  }
  fdx_quad_iter_free(it);
  if (n) {
    qsort(pairs, n, 2 * sizeof(FdxId), cmp_pair);
  }
  uint64_t h = 0xcbf29ce484222325ull;
  for (size_t i = 0; i < 2 * n; ++i) {
    for (int b = 0; b < 64; b += 8) {
      h ^= (pairs[i] >> b) & 0xff;
      h *= 0x100000001b3ull;
    }
  }
  h ^= c;
  h *= 0x100000001b3ull;
  free(pairs);
  snprintf(out, FDX_VOCAB_ETAG_MAX, "\"%016llx\"", (unsigned long long)h);
}

/* ------------------------------------------------------------------------
 * Usage
 * --------------------------------------------------------------------- */

typedef struct {
  FdxId type;
  FdxId classes[3];
  FdxId distribution;
  bool  ok;
} DatasetIds;

static DatasetIds
dataset_ids(FdxTxn* const txn)
{
  static const char* const classes[3] = {DCAT "Dataset", DCAT "DataService",
                                         DCAT "DatasetSeries"};
  DatasetIds ids;
  memset(&ids, 0, sizeof(ids));
  ids.ok = !vocab_iri_id(txn, RDF_TYPE, &ids.type);
  for (int i = 0; i < 3; ++i) {
    if (vocab_iri_id(txn, classes[i], &ids.classes[i])) {
      ids.classes[i] = FDX_ID_ANY;
    }
  }
  if (vocab_iri_id(txn, DCAT "distribution", &ids.distribution)) {
    ids.distribution = FDX_ID_ANY;
  }
  return ids;
}

static bool
is_dataset(FdxTxn* const txn, const DatasetIds* const ids, const FdxId s)
{
  for (int i = 0; i < 3; ++i) {
    if (ids->classes[i] != FDX_ID_ANY &&
        has_quad(txn, s, ids->type, ids->classes[i], FDX_ID_ANY)) {
      return true;
    }
  }
  return false;
}

static int
cmp_id(const void* const a, const void* const b)
{
  const FdxId x = *(const FdxId*)a, y = *(const FdxId*)b;
  return x < y ? -1 : x > y;
}

static bool
ids_push(FdxId** const ids, size_t* const n, size_t* const cap, const FdxId id)
{
  if (*n == *cap) {
    const size_t next  = *cap ? *cap * 2 : 64;
    FdxId* const grown = (FdxId*)realloc(*ids, next * sizeof(FdxId));
    if (!grown) {
      return false;
    }
    *ids = grown;
    *cap = next;
  }
  (*ids)[(*n)++] = id;
  return true;
}

FdxStatus
vocab_concept_users(FdxTxn* const txn, const FdxId c, FdxId** const ret,
                    size_t* const ret_n)
{
  *ret   = NULL;
  *ret_n = 0;
  const DatasetIds ids = dataset_ids(txn);
  if (!ids.ok) {
    return FDX_SUCCESS;
  }
  FdxId*        users = NULL;
  size_t        n = 0, cap = 0;
  FdxId         last = FDX_ID_ANY;
  const FdxQuad pattern = {FDX_ID_ANY, FDX_ID_ANY, c, FDX_ID_ANY};
  FdxQuadIter*  it      = NULL;
  FdxQuad       q;
  FdxStatus     st = fdx_quad_find(txn, &pattern, &it);
  while (!st && !(st = fdx_quad_iter_next(it, &q))) {
    if (q.s == last) {
      continue;
    }
    last = q.s;
    if (is_dataset(txn, &ids, q.s)) {
      if (!ids_push(&users, &n, &cap, q.s)) {
        st = FDX_ERR_NO_MEMORY;
      }
    } else if (ids.distribution != FDX_ID_ANY) {
      /* A distribution's format or licence: its datasets use it. */
      const FdxQuad up = {FDX_ID_ANY, ids.distribution, q.s, FDX_ID_ANY};
      FdxQuadIter*  it2 = NULL;
      FdxQuad       q2;
      FdxStatus     st2 = fdx_quad_find(txn, &up, &it2);
      while (!st && !st2 && !(st2 = fdx_quad_iter_next(it2, &q2))) {
        if (is_dataset(txn, &ids, q2.s) && !ids_push(&users, &n, &cap, q2.s)) {
          st = FDX_ERR_NO_MEMORY;
        }
      }
      fdx_quad_iter_free(it2);
    }
  }
  fdx_quad_iter_free(it);
  if (st != FDX_FAILURE) {
    free(users);
    return st;
  }
  if (n) {
    qsort(users, n, sizeof(FdxId), cmp_id);
    size_t k = 1;
    for (size_t i = 1; i < n; ++i) {
      if (users[i] != users[k - 1]) {
        users[k++] = users[i];
      }
    }
    n = k;
  }
  *ret   = users;
  *ret_n = n;
  return FDX_SUCCESS;
}

uint64_t
fdx_vocab_usage(FdxTxn* const txn, const FdxId concept)
{
  FdxId* users = NULL;
  size_t n     = 0;
  if (vocab_concept_users(txn, concept, &users, &n)) {
    return 0;
  }
  free(users);
  return n;
}

typedef struct {
  char* iri;
  FdxId id;
} User;

static int
cmp_user(const void* const a, const void* const b)
{
  return strcmp(((const User*)a)->iri, ((const User*)b)->iri);
}

json_t*
vocab_users_json(FdxTxn* const txn, const FdxId* const users, const size_t n,
                 const size_t limit)
{
  json_t* const list = json_array();
  FdxId         title;
  const bool    have_title = !vocab_iri_id(txn, DCT_TITLE, &title);
  /* By IRI: every user's IRI is read to sort them. */
  User* const sorted = (User*)calloc(n ? n : 1, sizeof(User));
  size_t      n_sorted = 0;
  for (size_t i = 0; sorted && i < n; ++i) {
    char* const text = vocab_term_text(txn, users[i]);
    if (text) {
      sorted[n_sorted++] = (User){text, users[i]};
    }
  }
  if (n_sorted) {
    qsort(sorted, n_sorted, sizeof(User), cmp_user);
  }
  for (size_t i = 0; i < n_sorted && i < limit; ++i) {
    char* const iri = strdup(sorted[i].iri);
    const FdxId user = sorted[i].id;
    json_t* const item = json_pack("{s:s?}", "iri", iri);
    free(iri);
    /* A title: English, else German, else any. */
    json_t* best = NULL;
    int     best_rank = 99;
    const FdxQuad pattern = {user, title, FDX_ID_ANY, FDX_ID_ANY};
    FdxQuadIter*  it      = NULL;
    FdxQuad       q;
    FdxStatus     st = have_title ? fdx_quad_find(txn, &pattern, &it)
                                  : FDX_FAILURE;
    while (!st && !(st = fdx_quad_iter_next(it, &q))) {
      FdxTermBuf buf;
      if (fdx_term_get(txn, q.o, &buf) || buf.term.kind != FDX_TERM_LITERAL) {
        continue;
      }
      const int rank = buf.term.lang_len == 2 &&
                           !strncasecmp(buf.term.lang, "en", 2) ? 0
                       : buf.term.lang_len == 2 &&
                           !strncasecmp(buf.term.lang, "de", 2) ? 1
                                                                : 2;
      if (rank < best_rank) {
        json_decref(best);
        best      = json_stringn(buf.term.value, buf.term.value_len);
        best_rank = rank;
      }
    }
    fdx_quad_iter_free(it);
    json_object_set_new(item, "title", best ? best : json_null());
    json_array_append_new(list, item);
  }
  for (size_t i = 0; i < n_sorted; ++i) {
    free(sorted[i].iri);
  }
  free(sorted);
  return json_pack("{s:I, s:o}", "total", (json_int_t)n, "datasets", list);
}

/* ------------------------------------------------------------------------
 * Reading
 * --------------------------------------------------------------------- */

/* The scheme's title: dct:title, dc:title, skos:prefLabel or rdfs:label
 * in its graph, by language. */
static json_t*
scheme_title(FdxTxn* const txn, const SchemeRef* const scheme)
{
  static const char* const preds[] = {DCT_TITLE, DC_TITLE, SKOS_PREF_LABEL,
                                      RDFS_LABEL};
  json_t* const title = json_object();
  FdxId         s;
  if (scheme->graph == FDX_ID_ANY || vocab_iri_id(txn, scheme->iri, &s)) {
    return title;
  }
  for (size_t i = 0; i < 4 && !json_object_size(title); ++i) {
    FdxId p;
    if (vocab_iri_id(txn, preds[i], &p)) {
      continue;
    }
    const FdxQuad pattern = {s, p, FDX_ID_ANY, scheme->graph};
    FdxQuadIter*  it      = NULL;
    FdxQuad       q;
    FdxStatus     st = fdx_quad_find(txn, &pattern, &it);
    while (!st && !(st = fdx_quad_iter_next(it, &q))) {
      FdxTermBuf buf;
      if (!fdx_term_get(txn, q.o, &buf) &&
          buf.term.kind == FDX_TERM_LITERAL) {
        json_put_label(title, &buf.term, false);
      }
    }
    fdx_quad_iter_free(it);
  }
  return title;
}

static uint64_t
scheme_concept_count(FdxTxn* const txn, const SchemeRef* const scheme)
{
  FdxId    type, concept;
  uint64_t n = 0;
  if (scheme->graph != FDX_ID_ANY && !vocab_iri_id(txn, RDF_TYPE, &type) &&
      !vocab_iri_id(txn, SKOS_CONCEPT, &concept)) {
    const FdxQuad q = {FDX_ID_ANY, type, concept, scheme->graph};
    fdx_quad_count(txn, &q, &n);
  }
  return n;
}

static json_t*
scheme_json(FdxTxn* const txn, const SchemeRef* const scheme)
{
  return json_pack("{s:s, s:s, s:o, s:I, s:b}", "iri", scheme->iri, "id",
                   scheme->id, "title", scheme_title(txn, scheme), "concepts",
                   (json_int_t)scheme_concept_count(txn, scheme), "shipped",
                   scheme->shipped);
}

typedef struct {
  FdxTxn* txn;
  json_t* list;
  FdxStatus st;
} SchemeList;

static FdxStatus
list_scheme(void* const ctx, const void* const key, const size_t key_len,
            const void* const val, const size_t val_len)
{
  SchemeList* const l = (SchemeList*)ctx;
  SchemeRef         ref;
  const FdxStatus   st = ref_from_entry(l->txn, (const char*)key, key_len, val,
                                        val_len, &ref);
  if (st) {
    return st;
  }
  json_array_append_new(l->list, scheme_json(l->txn, &ref));
  vocab_scheme_ref_free(&ref);
  return FDX_SUCCESS;
}

json_t*
fdx_vocab_schemes(FdxTxn* const txn)
{
  SchemeList l = {txn, json_array(), FDX_SUCCESS};
  if (!l.list || fdx_aux_each(txn, REGISTRY_TABLE, NULL, 0, list_scheme, &l)) {
    json_decref(l.list);
    return NULL;
  }
  return l.list;
}

/* The preferred label map {lang: text} of `c` in `g`. */
static json_t*
pref_labels(FdxTxn* const txn, const FdxId c, const FdxId g)
{
  json_t* const labels = json_object();
  FdxId         p;
  if (vocab_iri_id(txn, SKOS_PREF_LABEL, &p)) {
    return labels;
  }
  const FdxQuad pattern = {c, p, FDX_ID_ANY, g};
  FdxQuadIter*  it      = NULL;
  FdxQuad       q;
  FdxStatus     st = fdx_quad_find(txn, &pattern, &it);
  while (!st && !(st = fdx_quad_iter_next(it, &q))) {
    FdxTermBuf buf;
    if (!fdx_term_get(txn, q.o, &buf) && buf.term.kind == FDX_TERM_LITERAL) {
      json_put_label(labels, &buf.term, false);
    }
  }
  fdx_quad_iter_free(it);
  return labels;
}

static bool
lookup_scheme(FdxTxn* const txn, const char* const scheme,
              SchemeRef* const ref, FdxVocabResult* const result)
{
  const FdxStatus st = vocab_scheme_lookup(txn, scheme, ref);
  if (st == FDX_FAILURE) {
    vr_fail(result, FDX_VOCAB_NOT_FOUND, "not_found",
            "there is no vocabulary %s", scheme);
    return false;
  }
  if (st) {
    vr_fail(result, FDX_VOCAB_FAILED, "internal_error",
            "cannot read the vocabularies: %s", fdx_strerror(st));
    return false;
  }
  return true;
}

void
fdx_vocab_scheme_get(FdxTxn* const txn, const char* const scheme,
                     FdxVocabResult* const result)
{
  vr_reset(result);
  result->generation = fdx_txn_generation(txn);
  SchemeRef ref;
  if (!lookup_scheme(txn, scheme, &ref, result)) {
    return;
  }
  json_t* const body = scheme_json(txn, &ref);
  json_t* const top  = json_array();
  FdxId         type, concept, broader;
  if (ref.graph != FDX_ID_ANY && !vocab_iri_id(txn, RDF_TYPE, &type) &&
      !vocab_iri_id(txn, SKOS_CONCEPT, &concept)) {
    const bool    any_broader = !vocab_iri_id(txn, SKOS_BROADER, &broader);
    const FdxQuad pattern = {FDX_ID_ANY, type, concept, ref.graph};
    FdxQuadIter*  it      = NULL;
    FdxQuad       q;
    FdxStatus     st = fdx_quad_find(txn, &pattern, &it);
    while (!st && !(st = fdx_quad_iter_next(it, &q))) {
      if (any_broader && has_quad(txn, q.s, broader, FDX_ID_ANY, ref.graph)) {
        continue;
      }
      char* const iri = vocab_term_text(txn, q.s);
      if (iri) {
        json_array_append_new(
          top, json_pack("{s:s, s:s, s:o}", "iri", iri, "id",
                         vocab_local_name(iri), "prefLabel",
                         pref_labels(txn, q.s, ref.graph)));
      }
      free(iri);
    }
    fdx_quad_iter_free(it);
  }
  json_object_set_new(body, "topConcepts", top);
  result->body = body;
  vocab_scheme_ref_free(&ref);
}

/* Find the scheme and the concept, answering NOT_FOUND. */
static bool
lookup_concept(FdxTxn* const txn, const char* const scheme,
               const char* const concept, SchemeRef* const ref,
               FdxId* const c, FdxVocabResult* const result)
{
  if (!lookup_scheme(txn, scheme, ref, result)) {
    return false;
  }
  if (vocab_concept_lookup(txn, ref, concept, c)) {
    vr_fail(result, FDX_VOCAB_NOT_FOUND, "not_found",
            "vocabulary %s has no concept %s", ref->id, concept);
    vocab_scheme_ref_free(ref);
    return false;
  }
  return true;
}

void
fdx_vocab_concept_get(FdxTxn* const txn, const char* const scheme,
                      const char* const concept, FdxVocabResult* const result)
{
  vr_reset(result);
  result->generation = fdx_txn_generation(txn);
  SchemeRef ref;
  FdxId     c;
  if (!lookup_concept(txn, scheme, concept, &ref, &c, result)) {
    return;
  }
  result->body = vocab_concept_json(txn, c, ref.graph, true);
  json_object_set_new(result->body, "scheme", json_string(ref.iri));
  vocab_concept_etag(txn, c, ref.graph, result->etag);
  vocab_scheme_ref_free(&ref);
  if (!result->body) {
    vr_fail(result, FDX_VOCAB_FAILED, "internal_error",
            "cannot read the concept");
  }
}

void
fdx_vocab_concept_datasets(FdxTxn* const txn, const char* const scheme,
                           const char* const concept, const size_t limit,
                           FdxVocabResult* const result)
{
  vr_reset(result);
  result->generation = fdx_txn_generation(txn);
  SchemeRef ref;
  FdxId     c;
  if (!lookup_concept(txn, scheme, concept, &ref, &c, result)) {
    return;
  }
  vocab_scheme_ref_free(&ref);
  FdxId*          users = NULL;
  size_t          n     = 0;
  const FdxStatus st    = vocab_concept_users(txn, c, &users, &n);
  if (st) {
    vr_fail(result, FDX_VOCAB_FAILED, "internal_error",
            "cannot read the concept's users: %s", fdx_strerror(st));
    return;
  }
  result->body = vocab_users_json(txn, users, n, limit);
  free(users);
}

/* ------------------------------------------------------------------------
 * Label search
 * --------------------------------------------------------------------- */

/* `len` bytes of UTF-8 case- and accent-folded (NFKC), malloc'd. */
static char*
fold(const char* const s, const size_t len)
{
  utf8proc_uint8_t* out = NULL;
  const utf8proc_ssize_t n = utf8proc_map(
    (const utf8proc_uint8_t*)s, (utf8proc_ssize_t)len, &out,
    (utf8proc_option_t)(UTF8PROC_COMPOSE | UTF8PROC_COMPAT |
                        UTF8PROC_CASEFOLD | UTF8PROC_STRIPMARK |
                        UTF8PROC_IGNORE));
  return n < 0 ? NULL : (char*)out;
}

/* 0: `label` starts with `q`; 1: a word of it does; -1: no match. */
static int
match_rank(const char* const label, const char* const q)
{
  const size_t qn = strlen(q);
  if (!strncmp(label, q, qn)) {
    return 0;
  }
  for (const char* p = label; *p; ++p) {
    const unsigned char prev = (unsigned char)p[-1 + (p == label)];
    if (p > label && (prev == ' ' || prev == '-' || prev == '(' ||
                      prev == '/' || prev == ',' || prev == '.') &&
        !strncmp(p, q, qn)) {
      return 1;
    }
  }
  return -1;
}

typedef struct {
  FdxId   c;
  int     rank; /* 0..3: label/word prefix x pref/alt */
  char*   sort; /* the folded label matched */
  json_t* matched;
} Hit;

static int
cmp_hit(const void* const a, const void* const b)
{
  const Hit* const x = (const Hit*)a;
  const Hit* const y = (const Hit*)b;
  if (x->rank != y->rank) {
    return x->rank - y->rank;
  }
  const int c = strcmp(x->sort ? x->sort : "", y->sort ? y->sort : "");
  return c ? c : (x->c < y->c ? -1 : x->c > y->c);
}

void
fdx_vocab_concept_search(FdxTxn* const txn, const char* const scheme,
                         const char* const q, const char* const lang,
                         const size_t limit, FdxVocabResult* const result)
{
  vr_reset(result);
  result->generation = fdx_txn_generation(txn);
  SchemeRef ref;
  if (!lookup_scheme(txn, scheme, &ref, result)) {
    return;
  }
  char* const fq = fold(q ? q : "", q ? strlen(q) : 0);
  FdxId       type, concept, pref, alt;
  Hit*        hits = NULL;
  size_t      n = 0, cap = 0;
  FdxStatus   st = FDX_FAILURE;
  if (fq && ref.graph != FDX_ID_ANY && !vocab_iri_id(txn, RDF_TYPE, &type) &&
      !vocab_iri_id(txn, SKOS_CONCEPT, &concept)) {
    if (vocab_iri_id(txn, SKOS_PREF_LABEL, &pref)) {
      pref = FDX_ID_ANY - 1;
    }
    if (vocab_iri_id(txn, SKOS_ALT_LABEL, &alt)) {
      alt = FDX_ID_ANY - 1;
    }
    const FdxQuad pattern = {FDX_ID_ANY, type, concept, ref.graph};
    FdxQuadIter*  it      = NULL;
    FdxQuad       cq;
    st = fdx_quad_find(txn, &pattern, &it);
    while (!st && !(st = fdx_quad_iter_next(it, &cq))) {
      Hit          best = {cq.s, 99, NULL, NULL};
      const FdxQuad lp  = {cq.s, FDX_ID_ANY, FDX_ID_ANY, ref.graph};
      FdxQuadIter* lit  = NULL;
      FdxQuad      l;
      FdxStatus    lst = fdx_quad_find(txn, &lp, &lit);
      while (!lst && !(lst = fdx_quad_iter_next(lit, &l))) {
        if (l.p != pref && l.p != alt) {
          continue;
        }
        FdxTermBuf buf;
        if (fdx_term_get(txn, l.o, &buf) ||
            buf.term.kind != FDX_TERM_LITERAL) {
          continue;
        }
        if (lang && *lang &&
            !(buf.term.lang && strlen(lang) <= buf.term.lang_len &&
              !strncasecmp(buf.term.lang, lang, strlen(lang)) &&
              (buf.term.lang_len == strlen(lang) ||
               buf.term.lang[strlen(lang)] == '-'))) {
          continue;
        }
        char* const fl = fold(buf.term.value, buf.term.value_len);
        const int   m  = fl ? match_rank(fl, fq) : -1;
        const int   rank = m < 0 ? 99 : m * 2 + (l.p == alt);
        if (rank < best.rank ||
            (rank == best.rank && best.sort && strcmp(fl, best.sort) < 0)) {
          free(best.sort);
          json_decref(best.matched);
          best.rank    = rank;
          best.sort    = fl;
          best.matched = json_stringn(buf.term.value, buf.term.value_len);
        } else {
          free(fl);
        }
      }
      fdx_quad_iter_free(lit);
      if (best.rank == 99) {
        continue;
      }
      if (n == cap) {
        cap = cap ? cap * 2 : 64;
        Hit* const grown = (Hit*)realloc(hits, cap * sizeof(Hit));
        if (!grown) {
          free(best.sort);
          json_decref(best.matched);
          st = FDX_ERR_NO_MEMORY;
          break;
        }
        hits = grown;
      }
      hits[n++] = best;
    }
    fdx_quad_iter_free(it);
  }
  if (st == FDX_FAILURE) {
    if (n) {
      qsort(hits, n, sizeof(Hit), cmp_hit);
    }
    json_t* const list = json_array();
    for (size_t i = 0; i < n && i < limit; ++i) {
      json_t* const full = vocab_concept_json(txn, hits[i].c, ref.graph, false);
      if (!full) {
        continue;
      }
      json_t* const item = json_pack(
        "{s:O, s:O, s:O, s:O, s:O, s:O}", "iri", json_object_get(full, "iri"),
        "id", json_object_get(full, "id"), "notation",
        json_object_get(full, "notation"), "prefLabel",
        json_object_get(full, "prefLabel"), "matched", hits[i].matched,
        "deprecated", json_object_get(full, "deprecated"));
      json_decref(full);
      json_array_append_new(list, item);
    }
    result->body = json_pack("{s:I, s:o}", "total", (json_int_t)n, "concepts",
                             list);
  } else {
    vr_fail(result, FDX_VOCAB_FAILED, "internal_error",
            "cannot search the vocabulary: %s", fdx_strerror(st));
  }
  for (size_t i = 0; i < n; ++i) {
    free(hits[i].sort);
    json_decref(hits[i].matched);
  }
  free(hits);
  free(fq);
  vocab_scheme_ref_free(&ref);
}

void
fdx_vocab_concept_history(FdxTxn* const txn, const char* const scheme,
                          const char* const concept, const uint64_t since,
                          const size_t limit, FdxVocabResult* const result)
{
  vr_reset(result);
  SchemeRef ref;
  FdxId     c;
  if (!lookup_concept(txn, scheme, concept, &ref, &c, result)) {
    /* A concept removed for good still has its history. */
    if (result->outcome != FDX_VOCAB_NOT_FOUND || !strchr(concept, ':')) {
      return;
    }
    fdx_vocab_history(txn, since, limit, concept, result);
    return;
  }
  char* const iri = vocab_term_text(txn, c);
  vocab_scheme_ref_free(&ref);
  fdx_vocab_history(txn, since, limit, iri ? iri : "", result);
  free(iri);
}
