/*
 * edit.c: curation.  Schemes are created; concepts are created, replaced,
 * deprecated or removed, each in one write transaction that checks SKOS
 * integrity (every problem is listed, none stops the others being found),
 * keeps broader/narrower and related symmetric, stamps dct:modified and
 * writes a history entry.  Optimistic concurrency: the caller's If-Match
 * is compared with the concept's ETag inside the write transaction, and
 * LMDB has one writer at a time, so of two edits made from the same ETag
 * exactly one succeeds.
 */
#include "vocab_impl.h"

#include <stdlib.h>
#include <string.h>

/* ------------------------------------------------------------------------
 * A concept's description, parsed from JSON
 * --------------------------------------------------------------------- */

typedef struct {
  const ConceptField* field;
  char*               text; /* literal text or IRI (malloc'd) */
  char*               lang; /* NULL: no language tag */
} DraftValue;

typedef struct {
  DraftValue* v;
  size_t      n;
  size_t      cap;
} Draft;

static void
draft_free(Draft* const d)
{
  for (size_t i = 0; i < d->n; ++i) {
    free(d->v[i].text);
    free(d->v[i].lang);
  }
  free(d->v);
  memset(d, 0, sizeof(*d));
}

static bool
draft_push(Draft* const d, const ConceptField* const f, const char* const text,
           const char* const lang)
{
  if (d->n == d->cap) {
    const size_t      cap   = d->cap ? d->cap * 2 : 16;
    DraftValue* const grown = (DraftValue*)realloc(d->v, cap * sizeof(DraftValue));
    if (!grown) {
      return false;
    }
    d->v   = grown;
    d->cap = cap;
  }
  DraftValue* const v = &d->v[d->n];
  v->field = f;
  v->text  = strdup(text);
  v->lang  = lang ? strdup(lang) : NULL;
  if (!v->text || (lang && !v->lang)) {
    free(v->text);
    free(v->lang);
    return false;
  }
  ++d->n;
  return true;
}

/* True if `s` is empty or only white space. */
static bool
blank_text(const char* const s)
{
  for (const char* c = s; *c; ++c) {
    if (*c != ' ' && *c != '\t' && *c != '\n' && *c != '\r') {
      return false;
    }
  }
  return true;
}

static bool
notation_valid(const char* const s)
{
  const size_t n = strlen(s);
  if (n == 0 || n > 256 || s[0] == ' ' || s[n - 1] == ' ') {
    return false;
  }
  for (const unsigned char* c = (const unsigned char*)s; *c; ++c) {
    if (*c < 0x20 || *c == 0x7f) {
      return false;
    }
  }
  return true;
}

typedef struct {
  FdxTxn*          txn;
  const SchemeRef* scheme;
  FdxId            self; /* the concept edited, FDX_ID_ANY when new */
  const char*      self_iri;
  FdxVocabResult*  result;
  Draft*           draft;
} ParseJob;

/* A label map: {lang: text} or {lang: [text...]}. */
static void
parse_labels(ParseJob* const job, const ConceptField* const f,
             const json_t* const map)
{
  if (!json_is_object(map)) {
    vr_problem(job->result, f->name,
               "%s must be an object of language tags to %s", f->name,
               f->kind == FIELD_LABEL_MAP ? "text" : "lists of text");
    return;
  }
  const char* lang;
  json_t*     value;
  json_object_foreach((json_t*)map, lang, value)
  {
    char field[128];
    snprintf(field, sizeof(field), "%s.%s", f->name, lang);
    const bool none = !strcmp(lang, "@none");
    if (!none && !vocab_lang_valid(lang)) {
      vr_problem(job->result, field, "\"%s\" is not a language tag", lang);
      continue;
    }
    size_t n = 0;
    if (json_is_string(value)) {
      n = 1;
    } else if (json_is_array(value)) {
      n = json_array_size(value);
    } else {
      vr_problem(job->result, field, "a label must be text or a list of text");
      continue;
    }
    bool clash = false;
    if (f->kind == FIELD_LABEL_MAP) {
      const char* other;
      json_t*     other_value;
      json_object_foreach((json_t*)map, other, other_value)
      {
        clash = clash || (other != lang && strcmp(other, lang) &&
                          !strcasecmp(other, lang) && strcmp(other, lang) < 0);
      }
    }
    if (clash) {
      vr_problem(job->result, field,
                 "two prefLabels in one language (%s): language tags do not "
                 "depend on case",
                 lang);
      continue;
    }
    if (f->kind == FIELD_LABEL_MAP && n > 1) {
      vr_problem(job->result, field,
                 "two prefLabels in one language (%s): a concept has at most "
                 "one preferred label per language",
                 lang);
      continue;
    }
    for (size_t i = 0; i < n; ++i) {
      const json_t* const item =
        json_is_string(value) ? value : json_array_get(value, i);
      const char* const text = json_string_value(item);
      if (!text) {
        vr_problem(job->result, field, "a label must be text");
      } else if (blank_text(text)) {
        vr_problem(job->result, field, "an empty label");
      } else if (!draft_push(job->draft, f, text, none ? NULL : lang)) {
        vr_problem(job->result, field, "out of memory");
      }
    }
  }
}

/* A link: an IRI, or the id of a concept in the same scheme. */
static void
parse_link(ParseJob* const job, const ConceptField* const f,
           const json_t* const item, const size_t index)
{
  char field[96];
  snprintf(field, sizeof(field), "%s[%zu]", f->name, index);
  const char* const text = json_string_value(item);
  if (!text) {
    vr_problem(job->result, field, "a link must be an IRI or a concept id");
    return;
  }
  char* iri = NULL;
  if (strchr(text, ':')) {
    if (!vocab_iri_valid(text)) {
      vr_problem(job->result, field, "\"%s\" is not a valid IRI", text);
      return;
    }
    iri = strdup(text);
  } else {
    FdxId id;
    if (vocab_concept_lookup(job->txn, job->scheme, text, &id) ||
        !(iri = vocab_term_text(job->txn, id))) {
      vr_problem(job->result, field,
                 "a link to a concept that does not exist: %s has no concept "
                 "%s",
                 job->scheme->id, text);
      return;
    }
  }
  if (!iri) {
    vr_problem(job->result, field, "out of memory");
    return;
  }
  if (f->internal) {
    FdxId target;
    if (job->self_iri && !strcmp(iri, job->self_iri)) {
      vr_problem(job->result, field, "a concept cannot be its own %s",
                 f->name);
    } else if (vocab_iri_id(job->txn, iri, &target) ||
               !vocab_is_concept(job->txn, target, NULL)) {
      vr_problem(job->result, field,
                 "a link to a concept that does not exist: <%s>", iri);
    } else if (!draft_push(job->draft, f, iri, NULL)) {
      vr_problem(job->result, field, "out of memory");
    }
  } else if (!draft_push(job->draft, f, iri, NULL)) {
    vr_problem(job->result, field, "out of memory");
  }
  free(iri);
}

static const char* const read_only_keys[] = {
  "iri", "id", "usage", "deprecated", "replacedBy", "scheme"};

/* Parse the concept JSON into the draft: shape errors answer BAD_INPUT
 * (returned false), value errors become problems. */
static bool
parse_concept(ParseJob* const job, const json_t* const json)
{
  if (!json_is_object(json)) {
    vr_fail(job->result, FDX_VOCAB_BAD_INPUT, "bad_request",
            "the body must be a JSON object describing the concept");
    return false;
  }
  const char* key;
  json_t*     value;
  json_object_foreach((json_t*)json, key, value)
  {
    bool known = false;
    for (size_t i = 0; i < sizeof(read_only_keys) / sizeof(*read_only_keys);
         ++i) {
      known = known || !strcmp(key, read_only_keys[i]);
    }
    for (size_t i = 0; i < vocab_n_fields && !known; ++i) {
      known = !strcmp(key, vocab_fields[i].name);
    }
    if (!known) {
      vr_fail(job->result, FDX_VOCAB_BAD_INPUT, "bad_request",
              "unknown field \"%s\" in the concept", key);
      return false;
    }
  }
  for (size_t i = 0; i < vocab_n_fields; ++i) {
    const ConceptField* const f = &vocab_fields[i];
    const json_t* const       v = json_object_get(json, f->name);
    if (!v || json_is_null(v)) {
      continue;
    }
    switch (f->kind) {
    case FIELD_LABEL_MAP:
    case FIELD_LABEL_LIST:
    case FIELD_NOTE_MAP:
      parse_labels(job, f, v);
      break;
    case FIELD_LINKS:
      if (!json_is_array(v)) {
        vr_problem(job->result, f->name, "%s must be a list of IRIs",
                   f->name);
      } else {
        size_t        index;
        const json_t* item;
        json_array_foreach(v, index, item)
        {
          parse_link(job, f, item, index);
        }
      }
      break;
    case FIELD_NOTATION: {
      const size_t n = json_is_array(v) ? json_array_size(v) : 1;
      for (size_t k = 0; k < n; ++k) {
        const char* const text =
          json_string_value(json_is_array(v) ? json_array_get(v, k) : v);
        if (!text || !notation_valid(text)) {
          vr_problem(job->result, "notation",
                     "an invalid notation: it must be 1 to 256 characters "
                     "without control characters or surrounding spaces");
        } else if (!draft_push(job->draft, f, text, NULL)) {
          vr_problem(job->result, "notation", "out of memory");
        }
      }
      break;
    }
    }
  }
  bool has_pref = false;
  for (size_t i = 0; i < job->draft->n; ++i) {
    has_pref = has_pref || job->draft->v[i].field->kind == FIELD_LABEL_MAP;
  }
  if (!has_pref) {
    bool pref_problem = false;
    size_t        i;
    const json_t* p;
    json_array_foreach(job->result->problems, i, p)
    {
      pref_problem = pref_problem ||
                     !strncmp(json_string_value(json_object_get(p, "field")),
                              "prefLabel", 9);
    }
    if (!pref_problem) {
      vr_problem(job->result, "prefLabel",
                 "a concept needs a prefLabel in at least one language");
    }
  }
  return true;
}

/* ------------------------------------------------------------------------
 * Applying a draft
 * --------------------------------------------------------------------- */

/* The literal or IRI a draft value stands for, interned. */
static FdxStatus
draft_term(FdxTxn* const txn, const DraftValue* const v, FdxId* const ret)
{
  FdxTerm t;
  if (v->field->kind == FIELD_LINKS) {
    t = fdx_term_iri(v->text);
  } else {
    t = fdx_term_literal(v->text, v->lang, NULL);
  }
  return fdx_term_intern(txn, &t, ret);
}

typedef struct {
  FdxId pred;   /* the link's predicate */
  FdxId target; /* its object */
} Link;

typedef struct {
  Link*  v;
  size_t n;
  size_t cap;
} LinkSet;

static bool
links_push(LinkSet* const s, const FdxId pred, const FdxId target)
{
  if (s->n == s->cap) {
    const size_t cap   = s->cap ? s->cap * 2 : 16;
    Link* const  grown = (Link*)realloc(s->v, cap * sizeof(Link));
    if (!grown) {
      return false;
    }
    s->v   = grown;
    s->cap = cap;
  }
  s->v[s->n++] = (Link){pred, target};
  return true;
}

static bool
links_has(const LinkSet* const s, const FdxId pred, const FdxId target)
{
  for (size_t i = 0; i < s->n; ++i) {
    if (s->v[i].pred == pred && s->v[i].target == target) {
      return true;
    }
  }
  return false;
}

/* The inverse of a symmetric link predicate, or FDX_ID_ANY. */
static FdxId
inverse_of(FdxTxn* const txn, const FdxId pred)
{
  FdxTermBuf buf;
  if (fdx_term_get(txn, pred, &buf)) {
    return FDX_ID_ANY;
  }
  const ConceptField* const f =
    vocab_field_by_pred(buf.term.value, buf.term.value_len);
  FdxId inv;
  if (!f || !f->inverse || vocab_iri_intern(txn, f->inverse, &inv)) {
    return FDX_ID_ANY;
  }
  return inv;
}

/* Make `target` point back at `c` (or stop pointing) with the inverse of
 * `pred`, in the graph where `target` is described. */
static FdxStatus
sync_inverse(ChangeSet* const cs, const FdxId c, const FdxId pred,
             const FdxId target, const bool add)
{
  const FdxId inv = inverse_of(cs->txn, pred);
  if (inv == FDX_ID_ANY) {
    return FDX_SUCCESS;
  }
  if (add) {
    FdxId g;
    if (!vocab_is_concept(cs->txn, target, &g)) {
      return FDX_SUCCESS;
    }
    return change_add(cs, target, inv, c, g);
  }
  /* Remove it from every graph that says it. */
  FdxQuad*      found = NULL;
  size_t        n = 0, cap = 0;
  const FdxQuad pattern = {target, inv, c, FDX_ID_ANY};
  FdxQuadIter*  it      = NULL;
  FdxQuad       q;
  FdxStatus     st = fdx_quad_find(cs->txn, &pattern, &it);
  while (!st && !(st = fdx_quad_iter_next(it, &q))) {
    if (n == cap) {
      cap = cap ? cap * 2 : 4;
      FdxQuad* const grown = (FdxQuad*)realloc(found, cap * sizeof(FdxQuad));
      if (!grown) {
        st = FDX_ERR_NO_MEMORY;
        break;
      }
      found = grown;
    }
    found[n++] = q;
  }
  fdx_quad_iter_free(it);
  if (st == FDX_FAILURE) {
    st = FDX_SUCCESS;
  }
  for (size_t i = 0; i < n && !st; ++i) {
    st = change_remove(cs, found[i].s, found[i].p, found[i].o, found[i].g);
  }
  free(found);
  return st;
}

/* The concept's statements in `g` whose predicate the JSON describes. */
static FdxStatus
modelled_quads(FdxTxn* const txn, const FdxId c, const FdxId g,
               QuadList* const out, LinkSet* const links)
{
  const FdxQuad pattern = {c, FDX_ID_ANY, FDX_ID_ANY, g};
  FdxQuadIter*  it      = NULL;
  FdxQuad       q;
  FdxStatus     st = fdx_quad_find(txn, &pattern, &it);
  while (!st && !(st = fdx_quad_iter_next(it, &q))) {
    FdxTermBuf buf;
    if (fdx_term_get(txn, q.p, &buf)) {
      continue;
    }
    const ConceptField* const f =
      vocab_field_by_pred(buf.term.value, buf.term.value_len);
    if (!f) {
      continue;
    }
    if (out->n == out->cap) {
      out->cap = out->cap ? out->cap * 2 : 32;
      FdxQuad* const grown =
        (FdxQuad*)realloc(out->quads, out->cap * sizeof(FdxQuad));
      if (!grown) {
        st = FDX_ERR_NO_MEMORY;
        break;
      }
      out->quads = grown;
    }
    out->quads[out->n++] = q;
    if (f->inverse && !links_push(links, q.p, q.o)) {
      st = FDX_ERR_NO_MEMORY;
      break;
    }
  }
  fdx_quad_iter_free(it);
  return st == FDX_FAILURE ? FDX_SUCCESS : st;
}

/* Replace every value of `pred_iri` on `c` in `g` by `value` (NULL: by
 * nothing). */
static FdxStatus
set_single(ChangeSet* const cs, const FdxId c, const FdxId g,
           const char* const pred_iri, const FdxTerm* const value)
{
  FdxId     pred;
  FdxStatus st = vocab_iri_intern(cs->txn, pred_iri, &pred);
  if (st) {
    return st;
  }
  QuadList      old     = {0};
  const FdxQuad pattern = {c, pred, FDX_ID_ANY, g};
  FdxQuadIter*  it      = NULL;
  FdxQuad       q;
  st = fdx_quad_find(cs->txn, &pattern, &it);
  while (!st && !(st = fdx_quad_iter_next(it, &q))) {
    if (old.n == old.cap) {
      old.cap = old.cap ? old.cap * 2 : 4;
      FdxQuad* const grown =
        (FdxQuad*)realloc(old.quads, old.cap * sizeof(FdxQuad));
      if (!grown) {
        st = FDX_ERR_NO_MEMORY;
        break;
      }
      old.quads = grown;
    }
    old.quads[old.n++] = q;
  }
  fdx_quad_iter_free(it);
  if (st == FDX_FAILURE) {
    st = FDX_SUCCESS;
  }
  for (size_t i = 0; i < old.n && !st; ++i) {
    st = change_remove(cs, c, pred, old.quads[i].o, g);
  }
  free(old.quads);
  FdxId o;
  if (!st && value && !(st = fdx_term_intern(cs->txn, value, &o))) {
    st = change_add(cs, c, pred, o, g);
  }
  return st;
}

static FdxStatus
stamp_modified(ChangeSet* const cs, const FdxId c, const FdxId g)
{
  char now[32];
  vocab_now(now);
  const FdxTerm t = fdx_term_literal(now, NULL, XSD_DATETIME);
  return set_single(cs, c, g, DCT_MODIFIED, &t);
}

/* Walk up from `c` along broader (and inverse narrower) links; true when
 * the walk comes back to `c`, with the cycle's path in `path`. */
static bool
broader_cycle(FdxTxn* const txn, const FdxId c, VStr* const path)
{
  FdxId broader, narrower;
  const bool have_b = !vocab_iri_id(txn, SKOS_BROADER, &broader);
  const bool have_n = !vocab_iri_id(txn, SKOS_NARROWER, &narrower);
  /* Depth-first with an explicit stack of (node, parent index). */
  typedef struct {
    FdxId  node;
    size_t from;
  } Step;
  Step*  seen = NULL;
  size_t n = 0, cap = 0;
  bool   cycle = false;
  size_t hit   = 0;
#define PUSH(id, parent)                                                      \
  do {                                                                        \
    bool dup = false;                                                         \
    for (size_t k = 0; k < n && !dup; ++k) {                                  \
      dup = seen[k].node == (id);                                             \
    }                                                                         \
    if (!dup) {                                                               \
      if (n == cap) {                                                         \
        cap = cap ? cap * 2 : 32;                                             \
        Step* const grown = (Step*)realloc(seen, cap * sizeof(Step));         \
        if (!grown) {                                                         \
          goto out;                                                           \
        }                                                                     \
        seen = grown;                                                         \
      }                                                                       \
      seen[n++] = (Step){(id), (parent)};                                     \
    }                                                                         \
  } while (0)
  PUSH(c, (size_t)-1);
  for (size_t i = 0; i < n && !cycle && n < 100000; ++i) {
    for (int dir = 0; dir < 2 && !cycle; ++dir) {
      if ((dir == 0 && !have_b) || (dir == 1 && !have_n)) {
        continue;
      }
      const FdxQuad pattern = dir == 0
                                ? (FdxQuad){seen[i].node, broader, FDX_ID_ANY,
                                            FDX_ID_ANY}
                                : (FdxQuad){FDX_ID_ANY, narrower,
                                            seen[i].node, FDX_ID_ANY};
      FdxQuadIter* it = NULL;
      FdxQuad      q;
      FdxStatus    st = fdx_quad_find(txn, &pattern, &it);
      while (!st && !cycle && !(st = fdx_quad_iter_next(it, &q))) {
        const FdxId up = dir == 0 ? q.o : q.s;
        if (up == c) {
          cycle = true;
          hit   = i;
        } else {
          PUSH(up, i);
        }
      }
      fdx_quad_iter_free(it);
    }
  }
  if (cycle) {
    /* c -> ... -> seen[hit] -> c, written from c upwards. */
    size_t chain[64];
    size_t len = 0;
    for (size_t k = hit; k != (size_t)-1 && len < 64; k = seen[k].from) {
      chain[len++] = k;
    }
    for (size_t k = len; k-- > 0;) {
      char* const iri = vocab_term_text(txn, seen[chain[k]].node);
      vstr_printf(path, "<%s> -> ", iri ? iri : "?");
      free(iri);
    }
    char* const iri = vocab_term_text(txn, c);
    vstr_printf(path, "<%s>", iri ? iri : "?");
    free(iri);
  }
out:
#undef PUSH
  free(seen);
  return cycle;
}

/* Write the draft as the concept's description in `g`: the statements
 * the JSON describes are replaced, links kept symmetric, type and scheme
 * membership kept, dct:modified stamped; then integrity is checked. */
static FdxStatus
apply_draft(ChangeSet* const cs, const SchemeRef* const scheme, const FdxId c,
            const FdxId g, const Draft* const draft,
            FdxVocabResult* const result)
{
  FdxTxn* const txn = cs->txn;
  QuadList      old = {0};
  LinkSet       old_links = {0}, new_links = {0};
  FdxStatus     st = modelled_quads(txn, c, g, &old, &old_links);
  for (size_t i = 0; i < old.n && !st; ++i) {
    st = change_remove(cs, c, old.quads[i].p, old.quads[i].o, g);
  }
  free(old.quads);
  for (size_t i = 0; i < draft->n && !st; ++i) {
    const DraftValue* const v = &draft->v[i];
    FdxId                   pred, o;
    if (!(st = vocab_iri_intern(txn, v->field->pred, &pred)) &&
        !(st = draft_term(txn, v, &o))) {
      st = change_add(cs, c, pred, o, g);
      if (!st && v->field->inverse && !links_push(&new_links, pred, o)) {
        st = FDX_ERR_NO_MEMORY;
      }
    }
  }
  for (size_t i = 0; i < old_links.n && !st; ++i) {
    if (!links_has(&new_links, old_links.v[i].pred, old_links.v[i].target)) {
      st = sync_inverse(cs, c, old_links.v[i].pred, old_links.v[i].target,
                        false);
    }
  }
  for (size_t i = 0; i < new_links.n && !st; ++i) {
    st = sync_inverse(cs, c, new_links.v[i].pred, new_links.v[i].target, true);
  }
  free(old_links.v);
  free(new_links.v);
  FdxId type, concept, in_scheme, scheme_id;
  if (!st && !(st = vocab_iri_intern(txn, RDF_TYPE, &type)) &&
      !(st = vocab_iri_intern(txn, SKOS_CONCEPT, &concept)) &&
      !(st = vocab_iri_intern(txn, SKOS_IN_SCHEME, &in_scheme)) &&
      !(st = vocab_iri_intern(txn, scheme->iri, &scheme_id)) &&
      !(st = change_add(cs, c, type, concept, g))) {
    st = change_add(cs, c, in_scheme, scheme_id, g);
  }
  if (!st && change_has_net(cs)) {
    st = stamp_modified(cs, c, g); /* only a real change is dated */
  }
  if (st) {
    return st;
  }
  /* Integrity in the new state. */
  VStr path = {0};
  if (broader_cycle(txn, c, &path)) {
    vr_problem(result, "broader", "a broader cycle: %s",
               path.data ? path.data : "");
  }
  vstr_free(&path);
  FdxId notation;
  if (!vocab_iri_id(txn, SKOS_NOTATION, &notation)) {
    for (size_t i = 0; i < draft->n; ++i) {
      if (draft->v[i].field->kind != FIELD_NOTATION) {
        continue;
      }
      const FdxTerm t = fdx_term_literal(draft->v[i].text, NULL, NULL);
      FdxId         o;
      if (fdx_term_id(txn, &t, &o)) {
        continue;
      }
      const FdxQuad pattern = {FDX_ID_ANY, notation, o, g};
      FdxQuadIter*  it      = NULL;
      FdxQuad       q;
      FdxStatus     ist = fdx_quad_find(txn, &pattern, &it);
      while (!ist && !(ist = fdx_quad_iter_next(it, &q))) {
        if (q.s != c) {
          char* const other = vocab_term_text(txn, q.s);
          vr_problem(result, "notation",
                     "notation \"%s\" is already used by <%s>",
                     draft->v[i].text, other ? other : "?");
          free(other);
          break;
        }
      }
      fdx_quad_iter_free(it);
    }
  }
  if (result->problems) {
    return vr_fail(result, FDX_VOCAB_INVALID, "invalid_concept",
                   "the concept breaks SKOS integrity (%zu problem%s)",
                   json_array_size(result->problems),
                   json_array_size(result->problems) == 1 ? "" : "s");
  }
  return FDX_SUCCESS;
}

/* Fill the result's body (the concept after the change) and ETag. */
static void
finish_concept(FdxTxn* const txn, const SchemeRef* const scheme, const FdxId c,
               FdxVocabResult* const result)
{
  json_decref(result->body);
  result->body = vocab_concept_json(txn, c, scheme->graph, true);
  json_object_set_new(result->body, "scheme", json_string(scheme->iri));
  vocab_concept_etag(txn, c, scheme->graph, result->etag);
}

/* ETag comparison: "*" matches; W/ is ignored. */
static bool
etag_matches(const char* const if_match, const char* const etag)
{
  if (!if_match) {
    return true;
  }
  const char* p = if_match;
  for (;;) {
    while (*p == ' ' || *p == ',') {
      ++p;
    }
    if (!*p) {
      return false;
    }
    if (*p == '*') {
      return true;
    }
    if (!strncmp(p, "W/", 2)) {
      p += 2;
    }
    const size_t n = strlen(etag);
    if (!strncmp(p, etag, n) && (!p[n] || p[n] == ' ' || p[n] == ',')) {
      return true;
    }
    while (*p && *p != ',') {
      ++p;
    }
  }
}

/* ------------------------------------------------------------------------
 * Write jobs
 * --------------------------------------------------------------------- */

typedef struct {
  const char*     who;
  const char*     scheme;
  const char*     concept;
  const char*     if_match;
  const char*     replaced_by;
  const char*     base;
  bool            hard;
  const json_t*   json;
  FdxVocabResult* result;
} EditJob;

/* Registry and graph of the job's scheme, answering NOT_FOUND. */
static FdxStatus
job_scheme(FdxTxn* const txn, EditJob* const job, SchemeRef* const ref)
{
  const FdxStatus st = vocab_scheme_lookup(txn, job->scheme, ref);
  if (st == FDX_FAILURE) {
    return vr_fail(job->result, FDX_VOCAB_NOT_FOUND, "not_found",
                   "there is no vocabulary %s", job->scheme);
  }
  if (!st && ref->graph == FDX_ID_ANY) {
    return vocab_iri_intern(txn, ref->iri, &ref->graph);
  }
  return st;
}

static FdxStatus
job_concept(FdxTxn* const txn, EditJob* const job, const SchemeRef* const ref,
            FdxId* const c)
{
  if (vocab_concept_lookup(txn, ref, job->concept, c)) {
    return vr_fail(job->result, FDX_VOCAB_NOT_FOUND, "not_found",
                   "vocabulary %s has no concept %s", ref->id, job->concept);
  }
  char etag[FDX_VOCAB_ETAG_MAX];
  vocab_concept_etag(txn, *c, ref->graph, etag);
  if (!etag_matches(job->if_match, etag)) {
    snprintf(job->result->etag, sizeof(job->result->etag), "%s", etag);
    return vr_fail(job->result, FDX_VOCAB_STALE, "precondition_failed",
                   "the concept has changed since you read it (its ETag is "
                   "now %s, not %s): read it again and reapply your change",
                   etag, job->if_match);
  }
  return FDX_SUCCESS;
}

static FdxStatus
scheme_create_run(FdxTxn* const txn, void* const ctx)
{
  EditJob* const job    = (EditJob*)ctx;
  FdxVocabResult* const result = job->result;
  vr_reset(result);
  const json_t* const json = job->json;
  if (!json_is_object(json)) {
    return vr_fail(result, FDX_VOCAB_BAD_INPUT, "bad_request",
                   "the body must be a JSON object {\"id\", \"iri\", "
                   "\"title\"}");
  }
  const char* key;
  json_t*     value;
  json_object_foreach((json_t*)json, key, value)
  {
    if (strcmp(key, "id") && strcmp(key, "iri") && strcmp(key, "title")) {
      return vr_fail(result, FDX_VOCAB_BAD_INPUT, "bad_request",
                     "unknown field \"%s\" in the vocabulary", key);
    }
  }
  const char* const id = json_string_value(json_object_get(json, "id"));
  const json_t*     iri_json = json_object_get(json, "iri");
  const json_t*     title    = json_object_get(json, "title");
  if (!id || !vocab_id_valid(id)) {
    vr_problem(result, "id",
               "an id of 1 to %d characters of A-Z, a-z, 0-9, '.', '_', '~' "
               "and '-' is needed",
               FDX_VOCAB_ID_MAX);
  }
  VStr iri = {0};
  if (iri_json && !json_is_null(iri_json)) {
    const char* const text = json_string_value(iri_json);
    if (!text || !vocab_iri_valid(text)) {
      vr_problem(result, "iri", "not a valid IRI");
    } else {
      vstr_puts(&iri, text);
    }
  } else if (id && vocab_id_valid(id)) {
    vstr_puts(&iri, job->base ? job->base : "http://127.0.0.1:8080/");
    if (iri.len && iri.data[iri.len - 1] != '/') {
      vstr_puts(&iri, "/");
    }
    vstr_puts(&iri, "vocab/");
    vstr_puts(&iri, id);
  }
  if (title && !json_is_object(title)) {
    vr_problem(result, "title", "title must be an object of language tags "
                                "to text");
  } else if (title) {
    const char* lang;
    json_t*     text;
    json_object_foreach((json_t*)title, lang, text)
    {
      char field[96];
      snprintf(field, sizeof(field), "title.%s", lang);
      if (strcmp(lang, "@none") && !vocab_lang_valid(lang)) {
        vr_problem(result, field, "\"%s\" is not a language tag", lang);
      } else if (!json_string_value(text) ||
                 blank_text(json_string_value(text))) {
        vr_problem(result, field, "an empty title");
      }
    }
  }
  if (result->problems) {
    vstr_free(&iri);
    return vr_fail(result, FDX_VOCAB_INVALID, "invalid_scheme",
                   "the vocabulary cannot be created as given");
  }
  SchemeRef existing;
  FdxStatus st = vocab_scheme_lookup(txn, id, &existing);
  if (!st || !(st = vocab_scheme_lookup(txn, iri.data, &existing))) {
    vr_fail(result, FDX_VOCAB_CONFLICT, "conflict",
            "vocabulary %s already exists (%s)", existing.id, existing.iri);
    vocab_scheme_ref_free(&existing);
    vstr_free(&iri);
    return FDX_ERR_BAD_ARG;
  }
  if (st != FDX_FAILURE) {
    vstr_free(&iri);
    return st;
  }
  ChangeSet cs;
  change_init(&cs, txn);
  FdxId s, type, scheme_class, title_p;
  if (!(st = vocab_iri_intern(txn, iri.data, &s)) &&
      !(st = vocab_iri_intern(txn, RDF_TYPE, &type)) &&
      !(st = vocab_iri_intern(txn, SKOS_SCHEME, &scheme_class)) &&
      !(st = vocab_iri_intern(txn, DCT_TITLE, &title_p))) {
    st = change_add(&cs, s, type, scheme_class, s);
  }
  if (title) {
    const char* lang;
    json_t*     text;
    json_object_foreach((json_t*)title, lang, text)
    {
      const FdxTerm t = fdx_term_literal(json_string_value(text),
                                         strcmp(lang, "@none") ? lang : NULL,
                                         NULL);
      FdxId o;
      if (!st && !(st = fdx_term_intern(txn, &t, &o))) {
        st = change_add(&cs, s, title_p, o, s);
      }
    }
  }
  if (!st) {
    char          now[32];
    vocab_now(now);
    const FdxTerm t = fdx_term_literal(now, NULL, XSD_DATETIME);
    FdxId         created, o;
    if (!(st = vocab_iri_intern(txn, DCT_CREATED, &created)) &&
        !(st = fdx_term_intern(txn, &t, &o))) {
      st = change_add(&cs, s, created, o, s);
    }
  }
  if (!st) {
    st = vocab_scheme_register(txn, id, iri.data, false);
  }
  if (!st) {
    st = history_append(&cs, job->who, "create-scheme", iri.data, NULL, 0,
                        result);
  }
  if (!st) {
    SchemeRef ref;
    if (!(st = vocab_scheme_lookup(txn, id, &ref))) {
      const uint64_t change = result->change;
      fdx_vocab_scheme_get(txn, id, result);
      vocab_scheme_ref_free(&ref);
      result->outcome = FDX_VOCAB_CREATED;
      result->change  = change;
    }
  }
  change_free(&cs);
  vstr_free(&iri);
  return st;
}

static FdxStatus
concept_write_run(FdxTxn* const txn, void* const ctx, const bool create)
{
  EditJob* const        job    = (EditJob*)ctx;
  FdxVocabResult* const result = job->result;
  vr_reset(result);
  SchemeRef ref;
  FdxStatus st = job_scheme(txn, job, &ref);
  if (st) {
    return st;
  }
  FdxId c    = FDX_ID_ANY;
  VStr  iri  = {0};
  Draft draft = {0};
  if (!create) {
    if ((st = job_concept(txn, job, &ref, &c))) {
      goto done;
    }
    char* const text = vocab_term_text(txn, c);
    vstr_puts(&iri, text ? text : "");
    free(text);
  } else if (json_is_object(job->json)) {
    const char* const id  = json_string_value(json_object_get(job->json, "id"));
    const char* const given =
      json_string_value(json_object_get(job->json, "iri"));
    if (given) {
      if (!vocab_iri_valid(given)) {
        vr_problem(result, "iri", "\"%s\" is not a valid IRI", given);
      } else if (id && strcmp(id, vocab_local_name(given))) {
        vr_problem(result, "id", "the id must be the IRI's last segment (%s)",
                   vocab_local_name(given));
      } else {
        vstr_puts(&iri, given);
      }
    } else if (!id || !vocab_id_valid(id)) {
      vr_problem(result, "id",
                 "a new concept needs an \"iri\", or an \"id\" of 1 to %d "
                 "characters of A-Z, a-z, 0-9, '.', '_', '~' and '-'",
                 FDX_VOCAB_ID_MAX);
    } else {
      const size_t n = strlen(ref.iri);
      vstr_puts(&iri, ref.iri);
      if (n && ref.iri[n - 1] != '/' && ref.iri[n - 1] != '#') {
        vstr_puts(&iri, "/");
      }
      vstr_puts(&iri, id);
    }
    if (iri.data && !strcmp(vocab_local_name(iri.data), "concepts")) {
      vr_problem(result, "id", "\"concepts\" is reserved: /api/vocab/"
                               "{scheme}/concepts is the concept search");
      vstr_free(&iri);
    }
    if (iri.data) {
      FdxId existing;
      if ((!vocab_iri_id(txn, iri.data, &existing) &&
           vocab_is_concept(txn, existing, NULL)) ||
          !vocab_concept_lookup(txn, &ref, vocab_local_name(iri.data),
                                &existing)) {
        st = vr_fail(result, FDX_VOCAB_CONFLICT, "conflict",
                     "a concept %s already exists in %s",
                     vocab_local_name(iri.data), ref.id);
        goto done;
      }
    }
  }
  if (!create && json_is_object(job->json)) {
    const char* const given =
      json_string_value(json_object_get(job->json, "iri"));
    if (given && strcmp(given, iri.data)) {
      st = vr_fail(result, FDX_VOCAB_BAD_INPUT, "bad_request",
                   "the body describes <%s>, not <%s>", given, iri.data);
      goto done;
    }
  }
  /* Read-only fields may be sent back as read, not changed. */
  if (json_is_object(job->json)) {
    const json_t* const dep = json_object_get(job->json, "deprecated");
    const json_t* const rep = json_object_get(job->json, "replacedBy");
    json_t* const current =
      create ? NULL : vocab_concept_json(txn, c, ref.graph, false);
    const bool is_dep = current && json_is_true(json_object_get(current,
                                                                "deprecated"));
    if (dep && !json_is_null(dep) &&
        (!json_is_boolean(dep) || json_is_true(dep) != is_dep)) {
      vr_problem(result, "deprecated",
                 "deprecated is read-only: DELETE deprecates a concept");
    }
    json_t* const none = json_array();
    if (rep && !json_is_null(rep) &&
        !json_equal(rep, current ? json_object_get(current, "replacedBy")
                                 : none)) {
      vr_problem(result, "replacedBy",
                 "replacedBy is read-only: DELETE ?replacedBy= sets it");
    }
    json_decref(none);
    json_decref(current);
  }
  ParseJob pj = {txn, &ref, c, iri.data, result, &draft};
  if (!parse_concept(&pj, job->json)) {
    st = FDX_ERR_BAD_ARG;
    goto done;
  }
  if (!iri.data) {
    /* No IRI to write under: report what was found. */
    st = vr_fail(result, FDX_VOCAB_INVALID, "invalid_concept",
                 "the concept breaks SKOS integrity (%zu problem%s)",
                 json_array_size(result->problems),
                 json_array_size(result->problems) == 1 ? "" : "s");
    goto done;
  }
  /* With problems found so far the change is still applied (and then
   * rolled back), so the integrity checks of the new state add theirs. */
  if (create && (st = vocab_iri_intern(txn, iri.data, &c))) {
    goto done;
  }
  ChangeSet cs;
  change_init(&cs, txn);
  if (!(st = apply_draft(&cs, &ref, c, ref.graph, &draft, result))) {
    st = history_append(&cs, job->who, create ? "create" : "update", ref.iri,
                        iri.data, 0, result);
  }
  if (!st) {
    finish_concept(txn, &ref, c, result);
    result->outcome = create ? FDX_VOCAB_CREATED : FDX_VOCAB_OK;
  }
  change_free(&cs);

done:
  draft_free(&draft);
  vstr_free(&iri);
  vocab_scheme_ref_free(&ref);
  return st;
}

static FdxStatus
concept_create_run(FdxTxn* const txn, void* const ctx)
{
  return concept_write_run(txn, ctx, true);
}

static FdxStatus
concept_replace_run(FdxTxn* const txn, void* const ctx)
{
  return concept_write_run(txn, ctx, false);
}

/* Remove every statement in which `c` is the subject in `g`, or the
 * object of a concept's or scheme's statement anywhere. */
static FdxStatus
remove_concept(ChangeSet* const cs, const FdxId c, const FdxId g)
{
  FdxTxn* const txn = cs->txn;
  QuadList      gone = {0};
  FdxId         type, concept_class, scheme_class;
  const bool    typed = !vocab_iri_id(txn, RDF_TYPE, &type) &&
                     !vocab_iri_id(txn, SKOS_CONCEPT, &concept_class);
  if (vocab_iri_id(txn, SKOS_SCHEME, &scheme_class)) {
    scheme_class = FDX_ID_ANY - 1;
  }
  for (int pass = 0; pass < 2; ++pass) {
    const FdxQuad pattern = pass == 0
                              ? (FdxQuad){c, FDX_ID_ANY, FDX_ID_ANY, g}
                              : (FdxQuad){FDX_ID_ANY, FDX_ID_ANY, c, FDX_ID_ANY};
    FdxQuadIter* it = NULL;
    FdxQuad      q;
    FdxStatus    st = fdx_quad_find(txn, &pattern, &it);
    while (!st && !(st = fdx_quad_iter_next(it, &q))) {
      if (pass == 1) {
        uint64_t      n1 = 0, n2 = 0;
        const FdxQuad c1 = {q.s, type, concept_class, FDX_ID_ANY};
        const FdxQuad c2 = {q.s, type, scheme_class, FDX_ID_ANY};
        if (!typed || (fdx_quad_count(txn, &c1, &n1), n1 == 0)) {
          if (fdx_quad_count(txn, &c2, &n2), n2 == 0) {
            continue;
          }
        }
      }
      if (gone.n == gone.cap) {
        gone.cap = gone.cap ? gone.cap * 2 : 32;
        FdxQuad* const grown =
          (FdxQuad*)realloc(gone.quads, gone.cap * sizeof(FdxQuad));
        if (!grown) {
          fdx_quad_iter_free(it);
          free(gone.quads);
          return FDX_ERR_NO_MEMORY;
        }
        gone.quads = grown;
      }
      gone.quads[gone.n++] = q;
    }
    fdx_quad_iter_free(it);
    if (st != FDX_FAILURE) {
      free(gone.quads);
      return st;
    }
  }
  FdxStatus st = FDX_SUCCESS;
  for (size_t i = 0; i < gone.n && !st; ++i) {
    st = change_remove(cs, gone.quads[i].s, gone.quads[i].p, gone.quads[i].o,
                       gone.quads[i].g);
  }
  free(gone.quads);
  return st;
}

static FdxStatus
concept_delete_run(FdxTxn* const txn, void* const ctx)
{
  EditJob* const        job    = (EditJob*)ctx;
  FdxVocabResult* const result = job->result;
  vr_reset(result);
  SchemeRef ref;
  FdxStatus st = job_scheme(txn, job, &ref);
  if (st) {
    return st;
  }
  FdxId  c;
  FdxId* users = NULL;
  size_t n_users = 0;
  char*  iri = NULL;
  ChangeSet cs;
  change_init(&cs, txn);
  if ((st = job_concept(txn, job, &ref, &c)) ||
      (st = vocab_concept_users(txn, c, &users, &n_users))) {
    goto done;
  }
  iri = vocab_term_text(txn, c);
  if (job->hard) {
    if (n_users) {
      result->body = vocab_users_json(txn, users, n_users, 1000);
      st = vr_fail(result, FDX_VOCAB_CONFLICT, "in_use",
                   "%zu dataset%s use%s the concept: deprecate it instead, or "
                   "change the datasets first",
                   n_users, n_users == 1 ? "" : "s", n_users == 1 ? "s" : "");
      goto done;
    }
    if (!(st = remove_concept(&cs, c, ref.graph))) {
      st = history_append(&cs, job->who, "delete", ref.iri, iri, 0, result);
    }
    if (!st) {
      result->body = json_pack("{s:s?, s:b}", "iri", iri, "removed", 1);
    }
    goto done;
  }
  FdxId replacement = FDX_ID_ANY;
  if (job->replaced_by && *job->replaced_by) {
    if (strchr(job->replaced_by, ':')) {
      if (vocab_iri_id(txn, job->replaced_by, &replacement) ||
          !vocab_is_concept(txn, replacement, NULL)) {
        replacement = FDX_ID_ANY;
      }
    } else if (vocab_concept_lookup(txn, &ref, job->replaced_by,
                                    &replacement)) {
      replacement = FDX_ID_ANY;
    }
    if (replacement == FDX_ID_ANY) {
      vr_problem(result, "replacedBy",
                 "a link to a concept that does not exist: %s",
                 job->replaced_by);
    } else if (replacement == c) {
      vr_problem(result, "replacedBy", "a concept cannot replace itself");
    }
    if (result->problems) {
      st = vr_fail(result, FDX_VOCAB_INVALID, "invalid_concept",
                   "the concept cannot be deprecated as asked");
      goto done;
    }
  }
  const FdxTerm yes = fdx_term_literal("true", NULL, XSD_BOOLEAN);
  if (!(st = set_single(&cs, c, ref.graph, OWL_DEPRECATED, &yes)) &&
      replacement != FDX_ID_ANY) {
    FdxId p;
    if (!(st = vocab_iri_intern(txn, DCT_REPLACED_BY, &p))) {
      st = change_add(&cs, c, p, replacement, ref.graph);
    }
  }
  if (!st) {
    st = stamp_modified(&cs, c, ref.graph);
  }
  if (!st) {
    st = history_append(&cs, job->who, "deprecate", ref.iri, iri, 0, result);
  }
  if (!st) {
    finish_concept(txn, &ref, c, result);
    json_object_set_new(result->body, "datasets",
                        vocab_users_json(txn, users, n_users, 1000));
  }

done:
  change_free(&cs);
  free(users);
  free(iri);
  vocab_scheme_ref_free(&ref);
  return st;
}

static void
run_edit(FdxStore* const store, FdxWriteFunc fn, EditJob* const job)
{
  const FdxStatus st = fdx_store_write(store, fn, job);
  if (st && job->result->outcome < 400) {
    vr_write_failed(job->result, st, "the change failed");
  }
}

void
fdx_vocab_scheme_create(FdxStore* const store, const char* const who,
                        const char* const base, const json_t* const json,
                        FdxVocabResult* const result)
{
  EditJob job = {who, NULL, NULL, NULL, NULL, base, false, json, result};
  run_edit(store, scheme_create_run, &job);
}

void
fdx_vocab_concept_create(FdxStore* const store, const char* const who,
                         const char* const scheme, const json_t* const json,
                         FdxVocabResult* const result)
{
  EditJob job = {who, scheme, NULL, NULL, NULL, NULL, false, json, result};
  run_edit(store, concept_create_run, &job);
}

void
fdx_vocab_concept_replace(FdxStore* const store, const char* const who,
                          const char* const scheme, const char* const concept,
                          const char* const if_match, const json_t* const json,
                          FdxVocabResult* const result)
{
  EditJob job = {who, scheme, concept, if_match, NULL, NULL, false, json,
                 result};
  run_edit(store, concept_replace_run, &job);
}

void
fdx_vocab_concept_delete(FdxStore* const store, const char* const who,
                         const char* const scheme, const char* const concept,
                         const char* const if_match,
                         const char* const replaced_by, const bool hard,
                         FdxVocabResult* const result)
{
  EditJob job = {who, scheme, concept, if_match, replaced_by, NULL, hard,
                 NULL, result};
  run_edit(store, concept_delete_run, &job);
}
