/*
 * serve_jsonld.c: one dataset (or data service or series) and its
 * distributions as compacted DCAT-AP JSON-LD, for /api/datasets/{id} and
 * /api/datasets?iri= with Accept: application/ld+json.
 *
 * The answer is one node object whose @context is the URL of the official
 * DCAT-AP 3.0.1 context.  That context (web/contexts/dcat-ap-3.0.1.jsonld,
 * compiled in by tools/embed.py, parsed once with jansson) is type-scoped:
 * the property terms live in the @context of the class terms (Dataset,
 * Distribution, PeriodOfTime, ...), and a type-scoped context does not
 * propagate into embedded nodes.  So each node is written with the terms
 * the JSON-LD 1.1 expansion algorithm will see there: the top-level terms,
 * overridden by the scoped contexts of the node's @type terms (applied in
 * lexicographic order of those terms, as expansion does).  @type values
 * use the top-level terms.
 *
 * Each (predicate, value) gets the term a compactor would choose: one whose
 * IRI is the predicate and whose definition round-trips the value (an IRI
 * or node under "@type": "@id"; a literal typed as the term's @type; a
 * language-tagged string as a value object, or a plain string under a term
 * with that @language, or in a language map; a plain string under a term
 * without @type), best match first, then the shortest name, then the
 * smallest.  A value no term fits is written under the predicate's full
 * IRI, in the general form ({"@id"}, {"@value", "@language"},
 * {"@value", "@type"}, or a plain string), which is valid JSON-LD too.
 * Literals are never native JSON numbers or booleans: their lexical forms
 * are kept.  A @set container gives an array even for one value; without
 * it one value is written alone.
 *
 * What is written: the quads of the resource in its graph; those of each
 * of its dcat:distribution objects, embedded; and, as embedded nodes,
 * those of every blank node reached from them through blank nodes, up to
 * MAX_DEPTH levels below the resource (breadth first: a blank node is
 * embedded under a node one level above it, the first such node written).
 * Other IRIs, and blank nodes deeper than that or embedded elsewhere, are
 * references.  An embedded blank node gets its "_:label" @id only when
 * the graph references it more than once (so that the references meet
 * it); the resource always has its @id.  Expanding the answer (with the
 * shipped context) gives exactly these quads; tests/integration/
 * test_jsonld.c checks that with jsonld.js.
 *
 * The context reader supports what the shipped context uses (simple and
 * expanded term definitions with @id, @type, @container @set or
 * @language, @language, type-scoped @context) and refuses at start-up a
 * context with @vocab, @base, a default @language or @direction,
 * @import, "@propagate": true, or terms usable as prefixes, under which
 * full IRIs would not stay full IRIs (every request then fails with
 * FDX_ERR_UNSUPPORTED).  Terms in the form of an IRI or compact IRI (the
 * official file's "Xsd:dateTime" and friends, which JSON-LD 1.1 processors
 * reject: they do not expand to their own definition) are never used.
 */
#include "serve_search.h"

#include "fairdex/rdf.h"

#include <jansson.h>

#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#define DCAT_DISTRIBUTION "http://www.w3.org/ns/dcat#distribution"
#define RDF_TYPE "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"
#define XSD_STRING "http://www.w3.org/2001/XMLSchema#string"

/* The URL the answers name as their @context. */
#define DCATAP_CONTEXT_URL \
  "https://semiceu.github.io/DCAT-AP/releases/3.0.1/context/dcat-ap.jsonld"

/* Blank nodes are embedded down to this many levels below the resource
 * (its distributions are level 1). */
#define MAX_DEPTH 8
/* At most this many nodes are embedded in one answer; past it, blank
 * nodes are references. */
#define MAX_NODES 20000

extern const unsigned char fdx_dcatap_context_jsonld[];
extern const size_t        fdx_dcatap_context_jsonld_len;

/* ------------------------------------------------------------------------
 * The context
 * --------------------------------------------------------------------- */

typedef enum { TY_NONE, TY_ID, TY_VOCAB, TY_DATATYPE, TY_OTHER } TermType;
typedef enum { CT_NONE, CT_SET, CT_LANG, CT_LANG_SET, CT_OTHER } Container;

typedef struct Scope Scope;

typedef struct {
  char*     name;
  char*     iri; /* NULL: removed (a null definition) or unusable */
  TermType  type;
  char*     datatype; /* TY_DATATYPE */
  bool      has_lang; /* an @language entry ... */
  char*     lang;     /* ... with this value (NULL for null) */
  Container container;
  bool      as_property; /* may be a key */
  bool      as_class;    /* may be a value of @type */
  Scope*    scoped;      /* its type-scoped context, or NULL */
} TermDef;

struct Scope {
  TermDef* terms;
  size_t   n;
};

static pthread_once_t ctx_once = PTHREAD_ONCE_INIT;
static FdxStatus      ctx_status;
static Scope          ctx_top;

static char*
dup_n(const char* const s, const size_t n)
{
  char* const r = malloc(n + 1);
  if (r) {
    memcpy(r, s, n);
    r[n] = '\0';
  }
  return r;
}

static char*
dup_s(const char* const s)
{
  return dup_n(s, strlen(s));
}

/* In the form of an IRI or compact IRI: a colon after the first character,
 * or a slash (JSON-LD 1.1, Create Term Definition 14.2.4). */
static bool
iri_form(const char* const name)
{
  const char* const colon = strchr(name, ':');
  return (colon && colon != name && colon[1]) || strchr(name, '/');
}

/* The @id (or the simple definition) of term `name` in the context
 * object `local`, else in `top` (the top-level context object, for a
 * type-scoped one). */
static const char*
raw_id(const json_t* const local, const json_t* const top,
       const char* const name)
{
  const json_t* def = json_object_get(local, name);
  if (!def && top) {
    def = json_object_get(top, name);
  }
  if (json_is_object(def)) {
    def = json_object_get(def, "@id");
  }
  return json_string_value(def);
}

/* Expand `value` of a term definition to an absolute IRI, vocabulary
 * relative: a term stands for its IRI, and since the context has no
 * prefixes (checked), a value with a colon is an absolute IRI.  NULL for
 * keywords (aliases are not written with), blank nodes and relative
 * IRIs. */
static char*
expand_iri(const json_t* const local, const json_t* const top,
           const char* const value, const int depth)
{
  if (!value || value[0] == '@' || depth > 4) {
    return NULL;
  }
  const char* const colon = strchr(value, ':');
  if (colon) {
    return colon == value || !strncmp(value, "_:", 2) ? NULL : dup_s(value);
  }
  const char* const id = raw_id(local, top, value);
  return id && strcmp(id, value) ? expand_iri(local, top, id, depth + 1)
                                 : NULL;
}

/* Would a simple definition with this IRI make the term a prefix (JSON-LD
 * 1.1: it ends with a gen-delim)? */
static bool
prefix_capable(const char* const iri)
{
  const size_t n = iri ? strlen(iri) : 0;
  return n && strchr(":/?#[]@", iri[n - 1]);
}

static FdxStatus parse_scope(const json_t* local, const json_t* top,
                             Scope* ret);

/* Read the definition `def` of term `name` of context object `local`
 * (`top`: the top-level context object when `local` is type-scoped, else
 * NULL). */
static FdxStatus
parse_term(const json_t* const local, const json_t* const top,
           const char* const name, const json_t* const def,
           TermDef* const t)
{
  memset(t, 0, sizeof(*t));
  if (!(t->name = dup_s(name))) {
    return FDX_ERR_NO_MEMORY;
  }
  bool usable  = !iri_form(name) && name[0];
  bool has_ctx = false;
  if (json_is_null(def)) {
    return FDX_SUCCESS; /* removes the term */
  }
  if (json_is_string(def)) {
    if (prefix_capable(json_string_value(def)) && !iri_form(name)) {
      return FDX_ERR_UNSUPPORTED;
    }
    t->iri = expand_iri(local, top, json_string_value(def), 0);
  } else if (!json_is_object(def)) {
    return FDX_ERR_UNSUPPORTED;
  }
  const char* key;
  json_t*     v;
  json_object_foreach((json_t*)def, key, v)
  {
    if (!strcmp(key, "@id")) {
      t->iri = expand_iri(local, top, json_string_value(v), 0);
    } else if (!strcmp(key, "@type")) {
      const char* const ty = json_string_value(v);
      t->type              = TY_OTHER;
      if (ty && !strcmp(ty, "@id")) {
        t->type = TY_ID;
      } else if (ty && !strcmp(ty, "@vocab")) {
        t->type = TY_VOCAB;
      } else if (ty && !strcmp(ty, "@none")) {
        t->type = TY_NONE;
      } else if (ty && (t->datatype = expand_iri(local, top, ty, 0))) {
        t->type = TY_DATATYPE;
      }
    } else if (!strcmp(key, "@container")) {
      const size_t n   = json_is_array(v) ? json_array_size(v) : 1;
      bool         set = false, lang = false, other = !n;
      for (size_t i = 0; i < n; ++i) {
        const char* const c =
          json_string_value(json_is_array(v) ? json_array_get(v, i) : v);
        if (c && !strcmp(c, "@set")) {
          set = true;
        } else if (c && !strcmp(c, "@language")) {
          lang = true;
        } else {
          other = true;
        }
      }
      t->container = other  ? CT_OTHER
                     : lang ? (set ? CT_LANG_SET : CT_LANG)
                     : set  ? CT_SET
                            : CT_NONE;
    } else if (!strcmp(key, "@language")) {
      t->has_lang = true;
      if (json_is_string(v) && !(t->lang = dup_s(json_string_value(v)))) {
        return FDX_ERR_NO_MEMORY;
      }
    } else if (!strcmp(key, "@context")) {
      /* As a class, a type-scoped context (read here for top-level
       * terms); as a key, a property-scoped one, which would change how
       * the values read: such a term is not used as a key. */
      has_ctx = !json_is_null(v);
      if (!top && json_is_object(v)) {
        if (!(t->scoped = calloc(1, sizeof(Scope)))) {
          return FDX_ERR_NO_MEMORY;
        }
        const FdxStatus st = parse_scope(v, local, t->scoped);
        if (st) {
          return st;
        }
      } else if (has_ctx) {
        return FDX_ERR_UNSUPPORTED;
      }
    } else if (!strcmp(key, "@prefix")) {
      if (json_is_true(v)) {
        return FDX_ERR_UNSUPPORTED;
      }
    } else if (strcmp(key, "@protected")) {
      usable = false; /* @reverse, @index, @nest, @direction, ... */
    }
  }
  t->as_class    = usable && t->iri;
  t->as_property = usable && t->iri && !has_ctx;
  return FDX_SUCCESS;
}

/* Read the term definitions of context object `local` (`top`: the
 * top-level context object when `local` is type-scoped, else NULL). */
static FdxStatus
parse_scope(const json_t* const local, const json_t* const top,
            Scope* const ret)
{
  ret->n     = 0;
  ret->terms = calloc(json_object_size(local) + 1, sizeof(TermDef));
  if (!ret->terms) {
    return FDX_ERR_NO_MEMORY;
  }
  const char* key;
  json_t*     v;
  json_object_foreach((json_t*)local, key, v)
  {
    if (key[0] == '@') {
      if (!strcmp(key, "@version") || !strcmp(key, "@protected") ||
          (!strcmp(key, "@propagate") && json_is_false(v))) {
        continue;
      }
      return FDX_ERR_UNSUPPORTED; /* @vocab, @base, @language, @import... */
    }
    const FdxStatus st = parse_term(local, top, key, v, &ret->terms[ret->n]);
    ret->n++;
    if (st) {
      return st;
    }
  }
  return FDX_SUCCESS;
}

/* Parse the embedded context (once).  What it allocates lives as long as
 * the process. */
static void
ctx_init(void)
{
  json_error_t  err;
  json_t* const doc =
    json_loadb((const char*)fdx_dcatap_context_jsonld,
               fdx_dcatap_context_jsonld_len, 0, &err);
  const json_t* const local = doc ? json_object_get(doc, "@context") : NULL;
  ctx_status = json_is_object(local) ? parse_scope(local, NULL, &ctx_top)
                                     : FDX_ERR_CORRUPT;
  json_decref(doc);
}

/* ------------------------------------------------------------------------
 * The active context of one node
 * --------------------------------------------------------------------- */

typedef struct {
  const TermDef** terms;
  size_t          n;
} Active;

/* The top-level terms overridden by the scoped contexts of `classes` (the
 * node's @type terms, sorted). */
static FdxStatus
active_for(const TermDef* const* const classes, const size_t n_classes,
           Active* const ret)
{
  size_t cap = ctx_top.n;
  for (size_t i = 0; i < n_classes; ++i) {
    cap += classes[i]->scoped ? classes[i]->scoped->n : 0;
  }
  ret->n     = 0;
  ret->terms = malloc((cap + 1) * sizeof(*ret->terms));
  if (!ret->terms) {
    return FDX_ERR_NO_MEMORY;
  }
  for (size_t i = 0; i < ctx_top.n; ++i) {
    ret->terms[ret->n++] = &ctx_top.terms[i];
  }
  for (size_t c = 0; c < n_classes; ++c) {
    const Scope* const sc = classes[c]->scoped;
    for (size_t i = 0; sc && i < sc->n; ++i) {
      size_t j = 0;
      while (j < ret->n && strcmp(ret->terms[j]->name, sc->terms[i].name)) {
        ++j;
      }
      ret->terms[j] = &sc->terms[i];
      if (j == ret->n) {
        ret->n++;
      }
    }
  }
  return FDX_SUCCESS;
}

/* The top-level term to write class `iri` with in @type, or NULL. */
static const TermDef*
class_term(const char* const iri)
{
  const TermDef* best = NULL;
  for (size_t i = 0; i < ctx_top.n; ++i) {
    const TermDef* const t = &ctx_top.terms[i];
    if (t->as_class && !strcmp(t->iri, iri) &&
        (!best || strlen(t->name) < strlen(best->name) ||
         (strlen(t->name) == strlen(best->name) &&
          strcmp(t->name, best->name) < 0))) {
      best = t;
    }
  }
  return best;
}

/* ------------------------------------------------------------------------
 * Values
 * --------------------------------------------------------------------- */

typedef enum { V_IRI, V_BLANK, V_NODE, V_LANG, V_PLAIN, V_TYPED } ValueKind;

/* How a value is written under a key. */
typedef enum {
  F_STRING,     /* "text", the IRI or "_:label" */
  F_ID_OBJECT,  /* {"@id": ...} */
  F_NODE,       /* an embedded node object */
  F_LANG_VALUE, /* {"@value", "@language"} */
  F_LANG_MAP,   /* in a language map */
  F_TYPE_VALUE  /* {"@value", "@type"} */
} Form;

typedef struct {
  ValueKind   kind;
  const char* lang;     /* V_LANG */
  const char* datatype; /* V_TYPED */
} ValueInfo;

/* How well term `t` fits value `v` (0: not at all), and how to write it. */
static int
term_fit(const TermDef* const t, const ValueInfo* const v, Form* const form)
{
  if (!t->as_property || t->container == CT_OTHER) {
    return 0;
  }
  const bool lang_map = t->container == CT_LANG || t->container == CT_LANG_SET;
  switch (v->kind) {
  case V_IRI:
  case V_BLANK:
  case V_NODE:
    if (lang_map) {
      return 0;
    }
    if (t->type == TY_ID) {
      *form = v->kind == V_NODE ? F_NODE : F_STRING;
      return 3;
    }
    /* Under @vocab, a string naming a term would read as that term:
     * {"@id"} is safe. */
    if (t->type == TY_VOCAB) {
      *form = v->kind == V_NODE ? F_NODE : F_ID_OBJECT;
      return 3;
    }
    if (t->type == TY_NONE && !t->has_lang) {
      *form = v->kind == V_NODE ? F_NODE : F_ID_OBJECT;
      return 1;
    }
    return 0;
  case V_LANG:
    if (t->type != TY_NONE) {
      return 0;
    }
    if (lang_map) {
      *form = F_LANG_MAP;
      return 3;
    }
    if (t->has_lang) {
      *form = F_STRING;
      return t->lang && !strcasecmp(t->lang, v->lang) ? 2 : 0;
    }
    *form = F_LANG_VALUE;
    return 1;
  case V_PLAIN:
    if (t->type != TY_NONE || lang_map || (t->has_lang && t->lang)) {
      return 0;
    }
    *form = F_STRING;
    return t->has_lang ? 2 : 1;
  case V_TYPED:
    if (t->type == TY_DATATYPE) {
      *form = F_STRING;
      return strcmp(t->datatype, v->datatype) ? 0 : 3;
    }
    if (t->type == TY_NONE && !t->has_lang && !lang_map) {
      *form = F_TYPE_VALUE;
      return 1;
    }
    return 0;
  }
  return 0;
}

/* The best term for predicate `iri` and value `v` in `active`, or NULL
 * (then the key is the IRI and the form the general one). */
static const TermDef*
choose_term(const Active* const active, const char* const iri,
            const ValueInfo* const v, Form* const form)
{
  const TermDef* best       = NULL;
  int            best_score = 0;
  for (size_t i = 0; i < active->n; ++i) {
    const TermDef* const t = active->terms[i];
    Form                 f = F_STRING;
    if (!t->iri || strcmp(t->iri, iri)) {
      continue;
    }
    const int score = term_fit(t, v, &f);
    if (score &&
        (score > best_score ||
         (score == best_score &&
          (strlen(t->name) < strlen(best->name) ||
           (strlen(t->name) == strlen(best->name) &&
            strcmp(t->name, best->name) < 0))))) {
      best       = t;
      best_score = score;
      *form      = f;
    }
  }
  if (!best) {
    switch (v->kind) {
    case V_IRI:
    case V_BLANK: *form = F_ID_OBJECT; break;
    case V_NODE: *form = F_NODE; break;
    case V_LANG: *form = F_LANG_VALUE; break;
    case V_PLAIN: *form = F_STRING; break;
    case V_TYPED: *form = F_TYPE_VALUE; break;
    }
  }
  return best;
}

/* ------------------------------------------------------------------------
 * The nodes to embed: ids with their level
 * --------------------------------------------------------------------- */

typedef struct {
  FdxId*   ids; /* open addressing; 0 is empty (never a stored term) */
  int8_t*  level;
  uint8_t* embedded;
  size_t   cap;
  size_t   n;
} IdMap;

static size_t
id_slot(const IdMap* const m, const FdxId id)
{
  uint64_t h = id * 0x9E3779B97F4A7C15u;
  size_t   i = (size_t)(h >> 17) & (m->cap - 1);
  while (m->ids[i] && m->ids[i] != id) {
    i = (i + 1) & (m->cap - 1);
  }
  return i;
}

static bool
id_find(const IdMap* const m, const FdxId id, size_t* const ret_slot)
{
  if (!m->cap) {
    return false;
  }
  *ret_slot = id_slot(m, id);
  return m->ids[*ret_slot] == id;
}

static FdxStatus
id_put(IdMap* const m, const FdxId id, const int level)
{
  if ((m->n + 1) * 2 > m->cap) {
    IdMap g = {NULL, NULL, NULL, m->cap ? m->cap * 2 : 64, 0};
    g.ids      = calloc(g.cap, sizeof(*g.ids));
    g.level    = calloc(g.cap, sizeof(*g.level));
    g.embedded = calloc(g.cap, sizeof(*g.embedded));
    if (!g.ids || !g.level || !g.embedded) {
      free(g.ids);
      free(g.level);
      free(g.embedded);
      return FDX_ERR_NO_MEMORY;
    }
    for (size_t i = 0; i < m->cap; ++i) {
      if (m->ids[i]) {
        const size_t j = id_slot(&g, m->ids[i]);
        g.ids[j]       = m->ids[i];
        g.level[j]     = m->level[i];
        g.embedded[j]  = m->embedded[i];
        g.n++;
      }
    }
    free(m->ids);
    free(m->level);
    free(m->embedded);
    *m = g;
  }
  const size_t i = id_slot(m, id);
  if (!m->ids[i]) {
    m->ids[i]      = id;
    m->level[i]    = (int8_t)level;
    m->embedded[i] = 0;
    m->n++;
  }
  return FDX_SUCCESS;
}

static void
id_map_free(IdMap* const m)
{
  free(m->ids);
  free(m->level);
  free(m->embedded);
  memset(m, 0, sizeof(*m));
}

/* ------------------------------------------------------------------------
 * Writing one answer
 * --------------------------------------------------------------------- */

typedef struct {
  FdxTxn* txn;
  FdxId   g;
  FdxId   root;
  FdxId   dist_pred; /* 0 if the store has never seen dcat:distribution */
  FdxId   type_pred; /* likewise rdf:type */
  IdMap   nodes;     /* what to embed, with its level */
} Writer;

/* Breadth first from the root: its distributions and blank nodes at level
 * 1, their blank nodes at level 2, ... up to MAX_DEPTH. */
static FdxStatus
collect_nodes(Writer* const w)
{
  FdxId*    queue = NULL;
  size_t    n = 0, cap = 0;
  FdxStatus st = id_put(&w->nodes, w->root, 0);
  FdxId     next = w->root;
  for (size_t i = 0; !st; ++i) {
    if (i) {
      if (i > n) {
        break;
      }
      next = queue[i - 1];
    }
    size_t slot = 0;
    id_find(&w->nodes, next, &slot);
    const int level = w->nodes.level[slot];
    if (level >= MAX_DEPTH) {
      continue;
    }
    const FdxQuad pattern = {next, FDX_ID_ANY, FDX_ID_ANY, w->g};
    FdxQuadIter*  it      = NULL;
    if ((st = fdx_quad_find(w->txn, &pattern, &it))) {
      break;
    }
    FdxQuad q;
    while (!(st = fdx_quad_iter_next(it, &q))) {
      const bool blank = fdx_id_tag(q.o) == FDX_TAG_BLANK;
      const bool dist  = level == 0 && w->dist_pred && q.p == w->dist_pred &&
                        fdx_id_tag(q.o) == FDX_TAG_IRI;
      size_t s2 = 0;
      if (!(blank || dist) || w->nodes.n >= MAX_NODES ||
          id_find(&w->nodes, q.o, &s2)) {
        continue;
      }
      if (n == cap) {
        cap               = cap ? cap * 2 : 64;
        FdxId* const more = realloc(queue, cap * sizeof(FdxId));
        if (!more) {
          st = FDX_ERR_NO_MEMORY;
          break;
        }
        queue = more;
      }
      if ((st = id_put(&w->nodes, q.o, level + 1))) {
        break;
      }
      queue[n++] = q.o;
    }
    fdx_quad_iter_free(it);
    if (st == FDX_FAILURE) {
      st = FDX_SUCCESS;
    }
  }
  free(queue);
  return st;
}

/* A string value of `len` bytes (UTF-8 checked when written). */
static json_t*
jstr(const char* const s, const size_t len)
{
  return json_stringn_nocheck(s, len);
}

/* Set `key` of `obj` to `v` (taking it); false for a NULL `obj` or `v`
 * (allocation failures), `v` freed. */
static bool
set_new(json_t* const obj, const char* const key, json_t* const v)
{
  if (!obj || !v) {
    json_decref(v);
    return false;
  }
  return !json_object_set_new_nocheck(obj, key, v);
}

/* "_:label" of blank node `t`. */
static json_t*
blank_label(const FdxTerm* const t)
{
  char* const s = malloc(t->value_len + 3);
  if (!s) {
    return NULL;
  }
  memcpy(s, "_:", 2);
  memcpy(s + 2, t->value, t->value_len);
  json_t* const j = jstr(s, t->value_len + 2);
  free(s);
  return j;
}

/* One key of a node being built: its values in order. */
typedef struct {
  char*          key;
  const TermDef* term; /* NULL for a full IRI */
  json_t*        values; /* array; for a language map, an object */
} Group;

typedef struct {
  Group* items;
  size_t n;
  size_t cap;
} Groups;

static Group*
group_get(Groups* const gs, const char* const key, const TermDef* const term,
          const bool lang_map)
{
  for (size_t i = 0; i < gs->n; ++i) {
    if (!strcmp(gs->items[i].key, key)) {
      return &gs->items[i];
    }
  }
  if (gs->n == gs->cap) {
    const size_t cap  = gs->cap ? gs->cap * 2 : 16;
    Group* const more = realloc(gs->items, cap * sizeof(Group));
    if (!more) {
      return NULL;
    }
    gs->items = more;
    gs->cap   = cap;
  }
  Group* const gr = &gs->items[gs->n];
  gr->key         = dup_s(key);
  gr->term        = term;
  gr->values      = lang_map ? json_object() : json_array();
  if (!gr->key || !gr->values) {
    free(gr->key);
    json_decref(gr->values);
    return NULL;
  }
  gs->n++;
  return gr;
}

static void
groups_free(Groups* const gs)
{
  for (size_t i = 0; i < gs->n; ++i) {
    free(gs->items[i].key);
    json_decref(gs->items[i].values);
  }
  free(gs->items);
}

static int
group_cmp(const void* const a, const void* const b)
{
  return strcmp(((const Group*)a)->key, ((const Group*)b)->key);
}

static int
str_cmp(const void* const a, const void* const b)
{
  return strcmp(*(char* const*)a, *(char* const*)b);
}

/* A (predicate, object) pair of the node, decoded lazily. */
typedef struct {
  FdxId p;
  FdxId o;
} Pair;

static FdxStatus build_node(Writer* w, FdxId id, int level, json_t** ret);

/* Add value `o` of predicate `p_iri` to the node's groups. */
static FdxStatus
add_value(Writer* const w, const Active* const active, Groups* const gs,
          const char* const p_iri, const FdxId p, const FdxId o,
          const int level, const bool is_root)
{
  FdxTermBuf ob;
  FdxStatus  st = fdx_term_get(w->txn, o, &ob);
  if (st) {
    return st == FDX_FAILURE ? FDX_ERR_CORRUPT : st;
  }
  const FdxTerm* const t    = &ob.term;
  json_t*              node = NULL; /* the embedded node, if any */
  ValueInfo            v    = {V_PLAIN, NULL, NULL};
  char*                lang = NULL;
  char*                dt   = NULL;
  size_t               slot = 0;
  if (t->kind == FDX_TERM_IRI || t->kind == FDX_TERM_BLANK) {
    const bool may_embed =
      t->kind == FDX_TERM_BLANK || (is_root && p == w->dist_pred);
    if (may_embed && id_find(&w->nodes, o, &slot) &&
        w->nodes.level[slot] == level + 1 && !w->nodes.embedded[slot]) {
      w->nodes.embedded[slot] = 1;
      if ((st = build_node(w, o, level + 1, &node))) {
        return st;
      }
      /* A node without quads: written as a reference. */
      if (!node) {
        w->nodes.embedded[slot] = 0;
      }
    }
    v.kind = node                         ? V_NODE
             : t->kind == FDX_TERM_BLANK ? V_BLANK
                                          : V_IRI;
  } else if (t->lang) {
    v.kind = V_LANG;
    v.lang = lang = dup_n(t->lang, t->lang_len);
  } else if (t->datatype && !(t->datatype_len == strlen(XSD_STRING) &&
                              !memcmp(t->datatype, XSD_STRING,
                                      t->datatype_len))) {
    v.kind     = V_TYPED;
    v.datatype = dt = dup_n(t->datatype, t->datatype_len);
  }
  if ((v.kind == V_LANG && !lang) || (v.kind == V_TYPED && !dt)) {
    json_decref(node);
    return FDX_ERR_NO_MEMORY;
  }
  Form                 form = F_STRING;
  const TermDef* const def  = choose_term(active, p_iri, &v, &form);
  json_t*              val  = NULL;
  switch (form) {
  case F_NODE:
    val  = node;
    node = NULL;
    break;
  case F_STRING:
  case F_LANG_MAP:
    val = t->kind == FDX_TERM_BLANK ? blank_label(t)
                                    : jstr(t->value, t->value_len);
    break;
  case F_ID_OBJECT:
    val = json_object();
    if (!set_new(val, "@id",
                 t->kind == FDX_TERM_BLANK ? blank_label(t)
                                           : jstr(t->value, t->value_len))) {
      json_decref(val);
      val = NULL;
    }
    break;
  case F_LANG_VALUE:
  case F_TYPE_VALUE:
    val = json_object();
    if (!set_new(val, "@value", jstr(t->value, t->value_len)) ||
        !set_new(val, form == F_LANG_VALUE ? "@language" : "@type",
                 json_string_nocheck(form == F_LANG_VALUE ? lang : dt))) {
      json_decref(val);
      val = NULL;
    }
    break;
  }
  json_decref(node);
  Group* const gr =
    val ? group_get(gs, def ? def->name : p_iri, def, form == F_LANG_MAP)
        : NULL;
  if (!gr) {
    st = FDX_ERR_NO_MEMORY;
  } else if (form == F_LANG_MAP) {
    /* Language maps are keyed as written (the store keeps the tag). */
    json_t* list = json_object_get(gr->values, lang);
    if (!list && !set_new(gr->values, lang, list = json_array())) {
      list = NULL;
    }
    st = list && !json_array_append(list, val) ? FDX_SUCCESS
                                                : FDX_ERR_NO_MEMORY;
  } else if (json_array_append(gr->values, val)) {
    st = FDX_ERR_NO_MEMORY;
  }
  json_decref(val);
  free(lang);
  free(dt);
  return st;
}

/* Does a container of `t` keep arrays for one value? */
static bool
keeps_array(const TermDef* const t)
{
  return t && (t->container == CT_SET || t->container == CT_LANG_SET);
}

/* One value alone, or the array. */
static json_t*
compact_array(json_t* const array, const bool keep)
{
  if (!keep && json_array_size(array) == 1) {
    return json_incref(json_array_get(array, 0));
  }
  return json_incref(array);
}

/* Build node `id` (at `level`) as a node object into *ret; NULL when it
 * has no quads in the graph (and is not the root). */
static FdxStatus
build_node(Writer* const w, const FdxId id, const int level,
           json_t** const ret)
{
  *ret               = NULL;
  const bool is_root = level == 0;
  /* The node's quads, read once. */
  Pair*      pairs   = NULL;
  size_t     n = 0, cap = 0;
  {
    const FdxQuad pattern = {id, FDX_ID_ANY, FDX_ID_ANY, w->g};
    FdxQuadIter*  it      = NULL;
    FdxStatus     st      = fdx_quad_find(w->txn, &pattern, &it);
    if (st) {
      return st;
    }
    FdxQuad q;
    while (!(st = fdx_quad_iter_next(it, &q))) {
      if (n == cap) {
        cap              = cap ? cap * 2 : 32;
        Pair* const more = realloc(pairs, cap * sizeof(Pair));
        if (!more) {
          st = FDX_ERR_NO_MEMORY;
          break;
        }
        pairs = more;
      }
      pairs[n].p   = q.p;
      pairs[n++].o = q.o;
    }
    fdx_quad_iter_free(it);
    if (st != FDX_FAILURE) {
      free(pairs);
      return st;
    }
  }
  if (!n && !is_root) {
    free(pairs);
    return FDX_SUCCESS;
  }

  FdxStatus       st       = FDX_SUCCESS;
  char**          types    = calloc(n + 1, sizeof(char*)); /* as written */
  const TermDef** classes  = calloc(n + 1, sizeof(TermDef*));
  size_t          n_types  = 0;
  size_t          n_class  = 0;
  Active          active   = {NULL, 0};
  Groups          gs       = {NULL, 0, 0};
  json_t*         obj      = json_object();
  FdxTermBuf      tb;
  if (!types || !classes || !obj) {
    st = FDX_ERR_NO_MEMORY;
  }
  /* @type: the IRI objects of rdf:type, by their top-level term. */
  for (size_t i = 0; i < n && !st; ++i) {
    if (!w->type_pred || pairs[i].p != w->type_pred ||
        fdx_id_tag(pairs[i].o) != FDX_TAG_IRI) {
      continue;
    }
    if ((st = fdx_term_get(w->txn, pairs[i].o, &tb))) {
      break;
    }
    char* const iri = dup_n(tb.term.value, tb.term.value_len);
    if (!iri) {
      st = FDX_ERR_NO_MEMORY;
      break;
    }
    const TermDef* const ct = class_term(iri);
    if (ct) {
      free(iri);
      types[n_types] = dup_s(ct->name);
      if (ct->scoped) {
        classes[n_class++] = ct;
      }
    } else {
      types[n_types] = iri;
    }
    if (!types[n_types++]) {
      st = FDX_ERR_NO_MEMORY;
    }
    pairs[i].p = 0; /* done */
  }
  if (!st) {
    /* Expansion applies the scoped contexts in the order of the terms. */
    qsort(types, n_types, sizeof(char*), str_cmp);
    for (size_t i = 1; i < n_class; ++i) {
      for (size_t j = i; j > 0 && strcmp(classes[j - 1]->name,
                                         classes[j]->name) > 0;
           --j) {
        const TermDef* const x = classes[j];
        classes[j]             = classes[j - 1];
        classes[j - 1]         = x;
      }
    }
    st = active_for(classes, n_class, &active);
  }
  /* The other values, in the order of the store. */
  char* p_iri = NULL;
  FdxId p_id  = 0;
  for (size_t i = 0; i < n && !st; ++i) {
    if (!pairs[i].p) {
      continue;
    }
    if (pairs[i].p != p_id) {
      free(p_iri);
      p_iri = NULL;
      if ((st = fdx_term_get(w->txn, pairs[i].p, &tb))) {
        break;
      }
      if (!(p_iri = dup_n(tb.term.value, tb.term.value_len))) {
        st = FDX_ERR_NO_MEMORY;
        break;
      }
      p_id = pairs[i].p;
    }
    st = add_value(w, &active, &gs, p_iri, pairs[i].p, pairs[i].o, level,
                   is_root);
  }
  free(p_iri);

  if (!st) {
    bool with_id = is_root || fdx_id_tag(id) != FDX_TAG_BLANK;
    if (!with_id) {
      /* A blank node the graph references more than once needs its
       * label, so that the other references meet it. */
      const FdxQuad pattern = {FDX_ID_ANY, FDX_ID_ANY, id, w->g};
      uint64_t      refs    = 0;
      st      = fdx_quad_count(w->txn, &pattern, &refs);
      with_id = refs > 1;
    }
    if (!st && with_id && !(st = fdx_term_get(w->txn, id, &tb)) &&
        !set_new(obj, "@id",
                 tb.term.kind == FDX_TERM_BLANK
                   ? blank_label(&tb.term)
                   : jstr(tb.term.value, tb.term.value_len))) {
      st = FDX_ERR_NO_MEMORY;
    }
  }
  if (!st && n_types) {
    json_t* const ty =
      n_types == 1 ? json_string_nocheck(types[0]) : json_array();
    for (size_t i = 0; ty && n_types > 1 && i < n_types; ++i) {
      if (json_array_append_new(ty, json_string_nocheck(types[i]))) {
        st = FDX_ERR_NO_MEMORY;
      }
    }
    if (!set_new(obj, "@type", ty)) {
      st = FDX_ERR_NO_MEMORY;
    }
  }
  if (!st) {
    qsort(gs.items, gs.n, sizeof(Group), group_cmp);
    for (size_t i = 0; i < gs.n && !st; ++i) {
      const Group* const gr   = &gs.items[i];
      const bool         keep = keeps_array(gr->term);
      json_t*            val  = NULL;
      if (json_is_object(gr->values)) {
        /* A language map: one string per language unless @set. */
        val = json_object();
        const char* lang;
        json_t*     list;
        json_object_foreach(gr->values, lang, list)
        {
          if (!set_new(val, lang, compact_array(list, keep))) {
            st = FDX_ERR_NO_MEMORY;
          }
        }
      } else {
        val = compact_array(gr->values, keep);
      }
      if (!set_new(obj, gr->key, val)) {
        st = FDX_ERR_NO_MEMORY;
      }
    }
  }
  for (size_t i = 0; types && i < n_types; ++i) {
    free(types[i]);
  }
  free(types);
  free(classes);
  free(active.terms);
  free(pairs);
  groups_free(&gs);
  if (st) {
    json_decref(obj);
    return st;
  }
  *ret = obj;
  return FDX_SUCCESS;
}

/* ------------------------------------------------------------------------
 * Output: small value objects and node references on one line, the rest
 * indented by two spaces
 * --------------------------------------------------------------------- */

static bool
is_inline(const json_t* const v)
{
  if (json_is_string(v)) {
    return true;
  }
  if (!json_is_object(v)) {
    return false;
  }
  const char* key;
  json_t*     x;
  json_object_foreach((json_t*)v, key, x)
  {
    if (!json_is_string(x)) {
      return false;
    }
  }
  return json_object_get(v, "@value") ||
         (json_object_size(v) == 1 && json_object_get(v, "@id"));
}

static void
put_indent(Buf* const out, const int indent)
{
  buf_write(out, "\n", 1);
  for (int i = 0; i < indent; ++i) {
    buf_write(out, " ", 1);
  }
}

static void
put_json(Buf* const out, const json_t* const v, const int indent)
{
  if (json_is_string(v)) {
    buf_json_string(out, json_string_value(v), json_string_length(v));
  } else if (json_is_array(v)) {
    const size_t n = json_array_size(v);
    if (n == 1 && is_inline(json_array_get(v, 0))) {
      buf_write(out, "[", 1);
      put_json(out, json_array_get(v, 0), indent);
      buf_write(out, "]", 1);
      return;
    }
    buf_write(out, "[", 1);
    for (size_t i = 0; i < n; ++i) {
      put_indent(out, indent + 2);
      put_json(out, json_array_get(v, i), indent + 2);
      if (i + 1 < n) {
        buf_write(out, ",", 1);
      }
    }
    if (n) {
      put_indent(out, indent);
    }
    buf_write(out, "]", 1);
  } else if (json_is_object(v)) {
    const bool  one_line = is_inline(v);
    const char* key;
    json_t*     x;
    size_t      i = 0;
    buf_write(out, "{", 1);
    json_object_foreach((json_t*)v, key, x)
    {
      if (i++) {
        buf_write(out, ",", 1);
        if (one_line) {
          buf_write(out, " ", 1);
        }
      }
      if (!one_line) {
        put_indent(out, indent + 2);
      }
      buf_json_string(out, key, strlen(key));
      buf_write(out, ": ", 2);
      put_json(out, x, indent + 2);
    }
    if (i && !one_line) {
      put_indent(out, indent);
    }
    buf_write(out, "}", 1);
  } else {
    buf_puts(out, "null");
  }
}

/* ------------------------------------------------------------------------
 * The route's entry point
 * --------------------------------------------------------------------- */

FdxStatus
serve_dcatap_jsonld(Serve* const s, FdxTxn* const txn, const FdxId graph,
                    const FdxId subject, Buf* const out)
{
  (void)s;
  pthread_once(&ctx_once, ctx_init);
  if (ctx_status) {
    return ctx_status;
  }
  Writer        w  = {txn, graph, subject, 0, 0, {NULL, NULL, NULL, 0, 0}};
  const FdxTerm dp = fdx_term_iri(DCAT_DISTRIBUTION);
  const FdxTerm tp = fdx_term_iri(RDF_TYPE);
  if (fdx_term_id(txn, &dp, &w.dist_pred)) {
    w.dist_pred = 0;
  }
  if (fdx_term_id(txn, &tp, &w.type_pred)) {
    w.type_pred = 0;
  }
  FdxStatus st   = collect_nodes(&w);
  json_t*   node = NULL;
  if (!st) {
    st = build_node(&w, subject, 0, &node);
  }
  id_map_free(&w.nodes);
  if (st) {
    return st;
  }
  /* @context first. */
  json_t* const doc = json_object();
  bool          ok  = set_new(doc, "@context", json_string(DCATAP_CONTEXT_URL));
  const char*   key;
  json_t*       v;
  json_object_foreach(node, key, v)
  {
    ok = ok && set_new(doc, key, json_incref(v));
  }
  json_decref(node);
  if (!ok) {
    json_decref(doc);
    return FDX_ERR_NO_MEMORY;
  }
  put_json(out, doc, 0);
  buf_write(out, "\n", 1);
  json_decref(doc);
  return out->failed ? FDX_ERR_NO_MEMORY : FDX_SUCCESS;
}
