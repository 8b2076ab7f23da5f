/*
 * import.c: SKOS documents into managed schemes.  An import parses the
 * whole document into memory first (vocabularies are small: the biggest
 * EU list is a few MB), checks it as SKOS concept by concept, and only
 * then writes, in one transaction: each scheme's graph is replaced by the
 * statements that belong to it.  The shipped EU vocabularies are installed
 * the same way, from copies compiled into the binary (vocab/data/).
 *
 * Which graph a statement goes to: a scheme's statements to the scheme's
 * graph, a concept's to the graph of its (first chosen) scheme, anything
 * else (SKOS-XL labels, lists, blank nodes) to the graph of the first
 * subject that points at it, else to the first scheme's graph.
 */
#include "vocab_impl.h"

#include "fairdex/memgraph.h"

#include <stdlib.h>
#include <string.h>

/* ------------------------------------------------------------------------
 * The document in memory: an FdxMemGraph, with its arrays at hand
 * --------------------------------------------------------------------- */

typedef FdxMemTerm   OwnedTerm;
typedef FdxMemTriple Triple;

typedef struct {
  FdxMemGraph*        g;
  const OwnedTerm*    terms;
  size_t              n_terms;
  const Triple*       triples;
  size_t              n;
} Doc;

/* Take the graph's arrays again after it changed. */
static void
doc_refresh(Doc* const d)
{
  d->terms   = fdx_memgraph_terms(d->g, &d->n_terms);
  d->triples = fdx_memgraph_triples(d->g, &d->n);
}

static FdxStatus
doc_parse(Doc* const d, const char* const bytes, const size_t len,
          const FdxFormat format, const char* const name, FdxError* const err)
{
  if (!d->g && !(d->g = fdx_memgraph_new())) {
    return FDX_ERR_NO_MEMORY;
  }
  const FdxStatus st =
    fdx_memgraph_parse(d->g, bytes, len, format, NULL, name, NULL, 0, err);
  doc_refresh(d);
  return st;
}

static size_t
doc_find_iri(const Doc* const d, const char* const iri)
{
  return d->g ? fdx_memgraph_find_iri(d->g, iri) : SIZE_MAX;
}

static FdxStatus
doc_term(Doc* const d, const FdxTerm* const t, size_t* const ret)
{
  if (!d->g && !(d->g = fdx_memgraph_new())) {
    return FDX_ERR_NO_MEMORY;
  }
  const FdxStatus st = fdx_memgraph_intern(d->g, t, ret);
  doc_refresh(d);
  return st;
}

static void
doc_free(Doc* const d)
{
  fdx_memgraph_free(d->g);
  memset(d, 0, sizeof(*d));
}

/* ------------------------------------------------------------------------
 * Reading the document as SKOS
 * --------------------------------------------------------------------- */

enum { ROLE_OTHER = 0, ROLE_SCHEME, ROLE_CONCEPT };

typedef struct {
  Doc     doc;
  size_t  type, concept_class, scheme_class, in_scheme, top_of, has_top,
    pref, xl_pref, alt, hidden, broader, narrower, related;
  size_t* schemes; /* chosen schemes (term indexes) */
  size_t  n_schemes;
  /* per term */
  uint8_t* role;
  size_t*  home;    /* scheme index + 1 (0: none yet) */
  bool*    problem; /* a concept with problems */
  json_t*  problems;
} Skos;

static bool
is_pred(const Skos* const k, const Triple* const t, const size_t pred)
{
  return pred != SIZE_MAX && pred < k->doc.n_terms && t->p == pred;
}

static void
concept_problem(Skos* const k, const size_t c, const char* const message)
{
  const char* const iri = k->doc.terms[c].value;
  k->problem[c]          = true;
  size_t  i;
  json_t* entry;
  json_array_foreach(k->problems, i, entry)
  {
    if (!strcmp(json_string_value(json_object_get(entry, "concept")), iri)) {
      json_array_append_new(json_object_get(entry, "problems"),
                            json_string(message));
      return;
    }
  }
  json_array_append_new(k->problems,
                        json_pack("{s:s, s:[s]}", "concept", iri, "problems",
                                  message));
}

/* Concepts on broader cycles: the strongly connected components (Tarjan,
 * iteratively) of the broader graph -- broader edges and inverse narrower
 * ones among the document's terms -- with more than one member or a loop
 * of their own. */
static void
find_cycles(Skos* const k)
{
  const size_t n       = k->doc.n_terms;
  size_t*      first   = (size_t*)calloc(n + 2, sizeof(size_t));
  size_t*      edges   = NULL;
  size_t       n_edges = 0;
  size_t*      index   = (size_t*)malloc((n ? n : 1) * sizeof(size_t));
  size_t*      low     = (size_t*)malloc((n ? n : 1) * sizeof(size_t));
  size_t*      iter    = (size_t*)malloc((n ? n : 1) * sizeof(size_t));
  size_t*      stack   = (size_t*)malloc((n ? n : 1) * sizeof(size_t));
  size_t*      calls   = (size_t*)malloc((n ? n : 1) * sizeof(size_t));
  bool*        on      = (bool*)calloc(n ? n : 1, sizeof(bool));
  bool*        self    = (bool*)calloc(n ? n : 1, sizeof(bool));
  if (!first || !index || !low || !iter || !stack || !calls || !on || !self) {
    goto out;
  }
  /* child -> parent adjacency, counting sort (CSR) */
  for (int pass = 0; pass < 2; ++pass) {
    for (size_t i = 0; i < k->doc.n; ++i) {
      const Triple* const t = &k->doc.triples[i];
      if (k->doc.terms[t->o].kind == FDX_TERM_LITERAL) {
        continue;
      }
      size_t from, to;
      if (is_pred(k, t, k->broader)) {
        from = t->s;
        to   = t->o;
      } else if (is_pred(k, t, k->narrower)) {
        from = t->o;
        to   = t->s;
      } else {
        continue;
      }
      if (pass == 0) {
        ++first[from + 2];
        ++n_edges;
        self[from] = self[from] || from == to;
      } else {
        edges[first[from + 1]++] = to;
      }
    }
    if (pass == 0) {
      for (size_t v = 0; v < n; ++v) {
        first[v + 2] += first[v + 1];
      }
      if (!(edges = (size_t*)malloc((n_edges ? n_edges : 1) * sizeof(size_t)))) {
        goto out;
      }
    }
  }
  /* first[v]..first[v + 1] are v's parents now. */
  const size_t none = SIZE_MAX;
  for (size_t v = 0; v < n; ++v) {
    index[v] = none;
  }
  size_t counter = 0, depth = 0, n_calls = 0;
  for (size_t root = 0; root < n; ++root) {
    if (index[root] != none || first[root] == first[root + 1]) {
      continue;
    }
    calls[n_calls++] = root;
    index[root] = low[root] = counter++;
    iter[root]              = first[root];
    stack[depth++]          = root;
    on[root]                = true;
    while (n_calls) {
      const size_t v = calls[n_calls - 1];
      if (iter[v] < first[v + 1]) {
        const size_t w = edges[iter[v]++];
        if (index[w] == none) {
          index[w] = low[w] = counter++;
          iter[w]           = first[w];
          stack[depth++]    = w;
          on[w]             = true;
          calls[n_calls++]  = w;
        } else if (on[w] && index[w] < low[v]) {
          low[v] = index[w];
        }
        continue;
      }
      /* v is done: pop its component if it is a root. */
      --n_calls;
      if (n_calls) {
        const size_t parent = calls[n_calls - 1];
        if (low[v] < low[parent]) {
          low[parent] = low[v];
        }
      }
      if (low[v] == index[v]) {
        size_t start = depth;
        while (stack[start - 1] != v) {
          --start;
        }
        --start;
        const bool cycle = depth - start > 1 || self[v];
        for (size_t j = start; j < depth; ++j) {
          on[stack[j]] = false;
          if (cycle && k->role[stack[j]] == ROLE_CONCEPT) {
            concept_problem(k, stack[j], "a broader cycle");
          }
        }
        depth = start;
      }
    }
  }
out:
  free(first);
  free(edges);
  free(index);
  free(low);
  free(iter);
  free(stack);
  free(calls);
  free(on);
  free(self);
}

/* The document qsort's comparison looks into (qsort has no context). */
static _Thread_local const Doc* sort_doc;

/* Tagged prefLabel triples by subject, then language (case folded). */
static int
cmp_pref(const void* const a, const void* const b)
{
  const Triple* const x = &sort_doc->triples[*(const size_t*)a];
  const Triple* const y = &sort_doc->triples[*(const size_t*)b];
  if (x->s != y->s) {
    return x->s < y->s ? -1 : 1;
  }
  return strcasecmp(sort_doc->terms[x->o].lang, sort_doc->terms[y->o].lang);
}

/* Roles, homes and problems of every term. */
static FdxStatus
skos_analyse(Skos* const k, const char* const scheme_iri,
             FdxVocabResult* const result)
{
  Doc* const   d = &k->doc;
  const size_t n = d->n_terms;
  k->type          = doc_find_iri(d, RDF_TYPE);
  k->concept_class = doc_find_iri(d, SKOS_CONCEPT);
  k->scheme_class  = doc_find_iri(d, SKOS_SCHEME);
  k->in_scheme     = doc_find_iri(d, SKOS_IN_SCHEME);
  k->top_of        = doc_find_iri(d, SKOS_TOP_CONCEPT_OF);
  k->has_top       = doc_find_iri(d, SKOS_HAS_TOP_CONCEPT);
  k->pref          = doc_find_iri(d, SKOS_PREF_LABEL);
  k->xl_pref       = doc_find_iri(d, "http://www.w3.org/2008/05/skos-xl#prefLabel");
  k->alt           = doc_find_iri(d, SKOS_ALT_LABEL);
  k->hidden        = doc_find_iri(d, SKOS_HIDDEN_LABEL);
  k->broader       = doc_find_iri(d, SKOS_BROADER);
  k->narrower      = doc_find_iri(d, SKOS_NARROWER);
  k->related       = doc_find_iri(d, SKOS_RELATED);
  k->role          = (uint8_t*)calloc(n ? n : 1, 1);
  k->home          = (size_t*)calloc(n ? n : 1, sizeof(size_t));
  k->problem       = (bool*)calloc(n ? n : 1, sizeof(bool));
  k->schemes       = (size_t*)calloc(n ? n : 1, sizeof(size_t));
  k->problems      = json_array();
  if (!k->role || !k->home || !k->problem || !k->schemes || !k->problems) {
    return FDX_ERR_NO_MEMORY;
  }
  /* Schemes: the one asked for, else every skos:ConceptScheme. */
  if (scheme_iri) {
    FdxTerm   t = fdx_term_iri(scheme_iri);
    size_t    s;
    FdxStatus st = doc_term(d, &t, &s); /* may add the scheme's IRI */
    if (st) {
      return st;
    }
    if (d->n_terms > n) {
      /* Grown: reallocate the per-term arrays. */
      uint8_t* const role = (uint8_t*)realloc(k->role, d->n_terms);
      size_t* const  home = (size_t*)realloc(k->home, d->n_terms * sizeof(size_t));
      bool* const    prob = (bool*)realloc(k->problem, d->n_terms * sizeof(bool));
      if (role) k->role = role;
      if (home) k->home = home;
      if (prob) k->problem = prob;
      if (!role || !home || !prob) {
        return FDX_ERR_NO_MEMORY;
      }
      k->role[s] = 0;
      k->home[s] = 0;
      k->problem[s] = false;
    }
    k->schemes[k->n_schemes++] = s;
    k->role[s]                 = ROLE_SCHEME;
    k->home[s]                 = 1;
  } else {
    for (size_t i = 0; i < d->n; ++i) {
      const Triple* const t = &d->triples[i];
      if (is_pred(k, t, k->type) && t->o == k->scheme_class &&
          k->role[t->s] != ROLE_SCHEME &&
          d->terms[t->s].kind == FDX_TERM_IRI) {
        k->role[t->s]              = ROLE_SCHEME;
        k->schemes[k->n_schemes++] = t->s;
        k->home[t->s]              = k->n_schemes;
      }
    }
  }
  if (!k->n_schemes) {
    return vr_fail(result, FDX_VOCAB_INVALID, "no_scheme",
                   "the document describes no skos:ConceptScheme: name the "
                   "scheme to import into");
  }
  /* Concepts: typed skos:Concept, or untyped members of a scheme (a
   * SKOS-XL label or a collection in a scheme is not a concept). */
  bool* const typed = (bool*)calloc(d->n_terms ? d->n_terms : 1, sizeof(bool));
  if (!typed) {
    return FDX_ERR_NO_MEMORY;
  }
  bool* const described =
    (bool*)calloc(d->n_terms ? d->n_terms : 1, sizeof(bool));
  if (!described) {
    free(typed);
    return FDX_ERR_NO_MEMORY;
  }
  for (size_t i = 0; i < d->n; ++i) {
    const Triple* const t = &d->triples[i];
    described[t->s] = true;
    if (is_pred(k, t, k->type)) {
      typed[t->s] = true;
      if (t->o == k->concept_class && k->role[t->s] == ROLE_OTHER) {
        k->role[t->s] = ROLE_CONCEPT;
      }
    }
  }
  for (size_t i = 0; i < d->n; ++i) {
    const Triple* const t = &d->triples[i];
    size_t concept = SIZE_MAX, scheme = SIZE_MAX;
    if (is_pred(k, t, k->in_scheme) || is_pred(k, t, k->top_of)) {
      concept = t->s;
      scheme  = t->o;
    } else if (is_pred(k, t, k->has_top)) {
      concept = t->o;
      scheme  = t->s;
    }
    if (concept == SIZE_MAX || k->role[concept] == ROLE_SCHEME ||
        !described[concept]) {
      continue; /* a top concept the document only names */
    }
    if (k->role[concept] == ROLE_OTHER && !typed[concept]) {
      k->role[concept] = ROLE_CONCEPT; /* untyped, but in a scheme */
    }
    if (!k->home[concept] && k->role[scheme] == ROLE_SCHEME) {
      k->home[concept] = k->home[scheme];
    }
  }
  free(typed);
  free(described);
  /* Concepts in no chosen scheme: with a named scheme, those in no scheme
   * at all join it; the others stay out. */
  for (size_t c = 0; c < d->n_terms; ++c) {
    if (k->role[c] != ROLE_CONCEPT || k->home[c]) {
      continue;
    }
    bool in_other = false;
    for (size_t i = 0; i < d->n && !in_other; ++i) {
      const Triple* const t = &d->triples[i];
      in_other = (t->s == c && (is_pred(k, t, k->in_scheme) ||
                                is_pred(k, t, k->top_of))) ||
                 (t->o == c && is_pred(k, t, k->has_top));
    }
    if (!in_other && (scheme_iri || k->n_schemes == 1)) {
      k->home[c] = 1;
    }
  }
  /* Per-concept checks. */
  size_t* tagged = NULL; /* triples of tagged prefLabels */
  size_t  n_tagged = 0, cap_tagged = 0;
  size_t* pref_count = (size_t*)calloc(d->n_terms ? d->n_terms : 1, sizeof(size_t));
  if (!pref_count) {
    return FDX_ERR_NO_MEMORY;
  }
  for (size_t i = 0; i < d->n; ++i) {
    const Triple* const t = &d->triples[i];
    if (k->role[t->s] != ROLE_CONCEPT || !k->home[t->s]) {
      continue;
    }
    const OwnedTerm* const o = &d->terms[t->o];
    if (is_pred(k, t, k->xl_pref)) {
      ++pref_count[t->s]; /* a SKOS-XL label resource */
    }
    const bool label = is_pred(k, t, k->pref) || is_pred(k, t, k->alt) ||
                       is_pred(k, t, k->hidden);
    if (label && o->kind == FDX_TERM_LITERAL) {
      const char* const which = is_pred(k, t, k->pref)  ? "prefLabel"
                                : is_pred(k, t, k->alt) ? "altLabel"
                                                        : "hiddenLabel";
      char message[256];
      bool blank = true;
      for (const char* c = o->value; *c && blank; ++c) {
        blank = *c == ' ' || *c == '\t' || *c == '\n' || *c == '\r';
      }
      if (blank) {
        snprintf(message, sizeof(message), "an empty %s", which);
        concept_problem(k, t->s, message);
      }
      if (!o->lang) {
        snprintf(message, sizeof(message), "%s %s without a language: \"%.80s\"",
                 which[0] == 'a' ? "an" : "a", which, o->value);
        concept_problem(k, t->s, message);
      }
      if (is_pred(k, t, k->pref)) {
        ++pref_count[t->s];
        if (o->lang) {
          if (n_tagged == cap_tagged) {
            cap_tagged = cap_tagged ? cap_tagged * 2 : 256;
            size_t* const grown =
              (size_t*)realloc(tagged, cap_tagged * sizeof(size_t));
            if (!grown) {
              free(tagged);
              free(pref_count);
              return FDX_ERR_NO_MEMORY;
            }
            tagged = grown;
          }
          tagged[n_tagged++] = i;
        }
      }
    }
  }
  /* Two prefLabels in one language: sort the tagged ones by concept and
   * language, then look at neighbours. */
  if (n_tagged) {
    sort_doc = d;
    qsort(tagged, n_tagged, sizeof(size_t), cmp_pref);
  }
  for (size_t i = 1; i < n_tagged; ++i) {
    const Triple* const a = &d->triples[tagged[i - 1]];
    const Triple* const b = &d->triples[tagged[i]];
    if (a->s == b->s && a->o != b->o &&
        !strcasecmp(d->terms[a->o].lang, d->terms[b->o].lang) &&
        (i < 2 || d->triples[tagged[i - 2]].s != a->s ||
         strcasecmp(d->terms[d->triples[tagged[i - 2]].o].lang,
                    d->terms[a->o].lang))) {
      char message[128];
      snprintf(message, sizeof(message), "two prefLabels in one language (%s)",
               d->terms[b->o].lang);
      concept_problem(k, b->s, message);
    }
  }
  free(tagged);
  for (size_t c = 0; c < d->n_terms; ++c) {
    if (k->role[c] == ROLE_CONCEPT && k->home[c] && !pref_count[c]) {
      concept_problem(k, c, "no prefLabel");
    }
  }
  free(pref_count);
  find_cycles(k);
  return FDX_SUCCESS;
}

static void
skos_free(Skos* const k)
{
  doc_free(&k->doc);
  free(k->role);
  free(k->home);
  free(k->problem);
  free(k->schemes);
  json_decref(k->problems);
  memset(k, 0, sizeof(*k));
}

/* ------------------------------------------------------------------------
 * Writing an import
 * --------------------------------------------------------------------- */

typedef struct {
  Skos*           k;
  const char*     who;
  const char*     action;
  bool            force;
  bool            shipped;
  const char*     id; /* the registry id for a single scheme, or NULL */
  FdxVocabResult* result;
} ImportJob;

/* The store id of document term `i` (blank nodes scoped to this txn). */
static FdxStatus
store_term(FdxTxn* const txn, const OwnedTerm* const o, FdxId* const ret)
{
  if (o->kind != FDX_TERM_BLANK) {
    const FdxTerm t = {o->kind, o->value, strlen(o->value), o->lang,
                       o->lang ? strlen(o->lang) : 0, o->datatype,
                       o->datatype ? strlen(o->datatype) : 0};
    return fdx_term_intern(txn, &t, ret);
  }
  VStr label = {0};
  vstr_printf(&label, "v%llux", (unsigned long long)fdx_txn_generation(txn));
  static const char hex[] = "0123456789ABCDEF";
  for (const unsigned char* c = (const unsigned char*)o->value; *c; ++c) {
    if ((*c >= 'a' && *c <= 'z') || (*c >= 'A' && *c <= 'Z') ||
        (*c >= '0' && *c <= '9')) {
      vstr_put(&label, (const char*)c, 1);
    } else {
      const char esc[3] = {'_', hex[*c >> 4], hex[*c & 15]};
      vstr_put(&label, esc, 3);
    }
  }
  if (label.failed) {
    vstr_free(&label);
    return FDX_ERR_NO_MEMORY;
  }
  const FdxTerm t = {FDX_TERM_BLANK, label.data, label.len, NULL, 0, NULL, 0};
  const FdxStatus st = fdx_term_intern(txn, &t, ret);
  vstr_free(&label);
  return st;
}

static FdxStatus
import_run(FdxTxn* const txn, void* const ctx)
{
  ImportJob* const      job    = (ImportJob*)ctx;
  Skos* const           k      = job->k;
  Doc* const            d      = &k->doc;
  FdxVocabResult* const result = job->result;
  vr_reset(result);
  /* Homes of the other subjects: follow links from subjects with homes. */
  size_t* const home = (size_t*)malloc((d->n_terms ? d->n_terms : 1) *
                                       sizeof(size_t));
  if (!home) {
    return FDX_ERR_NO_MEMORY;
  }
  memcpy(home, k->home, d->n_terms * sizeof(size_t));
  for (size_t c = 0; c < d->n_terms; ++c) {
    if (k->role[c] == ROLE_CONCEPT && !k->home[c]) {
      home[c] = SIZE_MAX; /* in a scheme not imported */
    }
  }
  for (bool changed = true; changed;) {
    changed = false;
    for (size_t i = 0; i < d->n; ++i) {
      const Triple* const t = &d->triples[i];
      if (home[t->s] && home[t->s] != SIZE_MAX && !home[t->o] &&
          k->role[t->o] == ROLE_OTHER &&
          d->terms[t->o].kind != FDX_TERM_LITERAL) {
        home[t->o] = home[t->s];
        changed    = true;
      }
    }
  }
  ChangeSet cs;
  change_init(&cs, txn);
  FdxId*    graphs = (FdxId*)calloc(k->n_schemes, sizeof(FdxId));
  FdxStatus st     = graphs ? FDX_SUCCESS : FDX_ERR_NO_MEMORY;
  /* Replace each scheme's graph. */
  for (size_t i = 0; i < k->n_schemes && !st; ++i) {
    const char* const iri = d->terms[k->schemes[i]].value;
    if ((st = vocab_iri_intern(txn, iri, &graphs[i]))) {
      break;
    }
    const FdxQuad pattern = {FDX_ID_ANY, FDX_ID_ANY, FDX_ID_ANY, graphs[i]};
    QuadList      old     = {0};
    FdxQuadIter*  it      = NULL;
    FdxQuad       q;
    st = fdx_quad_find(txn, &pattern, &it);
    while (!st && !(st = fdx_quad_iter_next(it, &q))) {
      if (old.n == old.cap) {
        old.cap = old.cap ? old.cap * 2 : 1024;
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
    for (size_t j = 0; j < old.n && !st; ++j) {
      st = change_remove(&cs, old.quads[j].s, old.quads[j].p, old.quads[j].o,
                         old.quads[j].g);
    }
    free(old.quads);
  }
  size_t written = 0, skipped = 0;
  for (size_t i = 0; i < d->n && !st; ++i) {
    const Triple* const t = &d->triples[i];
    if (k->problem[t->s] || k->problem[t->o]) {
      ++skipped;
      continue;
    }
    size_t h = home[t->s];
    if (h == SIZE_MAX) {
      continue;
    }
    if (!h) {
      h = 1;
    }
    FdxId s, p, o;
    if ((st = store_term(txn, &d->terms[t->s], &s)) ||
        (st = store_term(txn, &d->terms[t->p], &p)) ||
        (st = store_term(txn, &d->terms[t->o], &o))) {
      break;
    }
    st = change_add(&cs, s, p, o, graphs[h - 1]);
    ++written;
  }
  /* Register the schemes. */
  json_t* const schemes = json_array();
  for (size_t i = 0; i < k->n_schemes && !st; ++i) {
    const char* const iri = d->terms[k->schemes[i]].value;
    SchemeRef         ref;
    FdxStatus         lst = vocab_scheme_lookup(txn, iri, &ref);
    char              id[FDX_VOCAB_ID_MAX + 1];
    if (!lst) {
      snprintf(id, sizeof(id), "%s", ref.id);
      vocab_scheme_ref_free(&ref);
    } else if (lst != FDX_FAILURE) {
      st = lst;
      break;
    } else {
      /* A new id: the given one, else the IRI's last segment made an id,
       * with a number when taken. */
      const char* base_id = job->id && k->n_schemes == 1
                              ? job->id
                              : vocab_local_name(iri);
      size_t n = 0;
      for (const char* c = base_id; *c && n < FDX_VOCAB_ID_MAX - 4; ++c) {
        const bool ok = (*c >= 'a' && *c <= 'z') || (*c >= 'A' && *c <= 'Z') ||
                        (*c >= '0' && *c <= '9') || *c == '.' || *c == '_' ||
                        *c == '~' || *c == '-';
        id[n++] = ok ? *c : '-';
      }
      id[n] = '\0';
      if (!n) {
        snprintf(id, sizeof(id), "vocabulary");
        n = strlen(id);
      }
      for (int suffix = 2; !vocab_scheme_lookup(txn, id, &ref); ++suffix) {
        vocab_scheme_ref_free(&ref);
        snprintf(id + n, sizeof(id) - n, "-%d", suffix);
      }
      st = vocab_scheme_register(txn, id, iri, job->shipped);
    }
    json_array_append_new(schemes, json_pack("{s:s, s:s}", "id", id, "iri",
                                             iri));
  }
  size_t n_concepts = 0, n_bad = 0, n_outside = 0;
  for (size_t c = 0; c < d->n_terms; ++c) {
    if (k->role[c] == ROLE_CONCEPT && k->home[c]) {
      ++n_concepts;
      n_bad += k->problem[c];
    } else if (k->role[c] == ROLE_CONCEPT) {
      ++n_outside;
    }
  }
  if (!st && job->action) {
    st = history_append(&cs, job->who, job->action,
                        k->n_schemes == 1 ? d->terms[k->schemes[0]].value
                                          : NULL,
                        NULL, 0, result);
  }
  if (!st) {
    result->body = json_pack(
      "{s:o, s:I, s:I, s:I, s:I, s:I, s:I}", "schemes", schemes, "concepts",
      (json_int_t)(n_concepts - n_bad), "skipped_concepts", (json_int_t)n_bad,
      "concepts_outside_schemes", (json_int_t)n_outside, "statements",
      (json_int_t)written, "skipped_statements", (json_int_t)skipped,
      "replaced_statements", (json_int_t)cs.removed.n);
    result->outcome = FDX_VOCAB_OK;
  } else {
    json_decref(schemes);
  }
  change_free(&cs);
  free(graphs);
  free(home);
  return st;
}

void
fdx_vocab_import(FdxStore* const store, const char* const who,
                 const char* const bytes, const size_t len,
                 const FdxFormat format, const char* const name,
                 const char* const scheme_iri, const bool force,
                 FdxVocabResult* const result)
{
  vr_reset(result);
  Skos k;
  memset(&k, 0, sizeof(k));
  FdxError err;
  memset(&err, 0, sizeof(err));
  FdxStatus st = doc_parse(&k.doc, bytes, len, format, name, &err);
  if (st) {
    vr_fail(result, FDX_VOCAB_BAD_INPUT, "syntax_error", "%s:%ld:%ld: %s",
            name ? name : "document", err.line, err.column,
            err.message[0] ? err.message : fdx_strerror(st));
    skos_free(&k);
    return;
  }
  if (scheme_iri && !vocab_iri_valid(scheme_iri)) {
    vr_fail(result, FDX_VOCAB_BAD_INPUT, "bad_request",
            "--scheme needs an absolute IRI, not \"%s\"", scheme_iri);
    skos_free(&k);
    return;
  }
  st = skos_analyse(&k, scheme_iri, result);
  if (st) {
    if (result->outcome == FDX_VOCAB_OK) {
      vr_fail(result, FDX_VOCAB_FAILED, "internal_error", "%s",
              fdx_strerror(st));
    }
    skos_free(&k);
    return;
  }
  json_t* const problems = json_incref(k.problems);
  if (json_array_size(problems) && !force) {
    vr_fail(result, FDX_VOCAB_INVALID, "skos_problems",
            "%zu concept%s with SKOS problems; nothing was imported (import "
            "the others with --force)",
            json_array_size(problems),
            json_array_size(problems) == 1 ? "" : "s");
    result->problems = problems;
    skos_free(&k);
    return;
  }
  ImportJob job = {&k, who, "import", force, false, NULL, result};
  st = fdx_store_write(store, import_run, &job);
  if (st && result->outcome < 400) {
    vr_write_failed(result, st, "the import failed");
  }
  if (json_array_size(problems)) {
    json_decref(result->problems);
    result->problems = problems;
  } else {
    json_decref(problems);
  }
  skos_free(&k);
}

/* ------------------------------------------------------------------------
 * The shipped vocabularies
 * --------------------------------------------------------------------- */

extern const unsigned char fdx_vocab_data_theme[];
extern const size_t        fdx_vocab_data_theme_len;
extern const unsigned char fdx_vocab_file_type[];
extern const size_t        fdx_vocab_file_type_len;
extern const unsigned char fdx_vocab_licence[];
extern const size_t        fdx_vocab_licence_len;
extern const unsigned char fdx_vocab_access_right[];
extern const size_t        fdx_vocab_access_right_len;
extern const unsigned char fdx_vocab_frequency[];
extern const size_t        fdx_vocab_frequency_len;
extern const unsigned char fdx_vocab_language[];
extern const size_t        fdx_vocab_language_len;

#define INSTALLED_KEY "vocab_installed"

typedef struct {
  const char*          id;
  const unsigned char* bytes;
  const size_t*        len;
} Shipped;

static const Shipped shipped[] = {
  {"data-theme", fdx_vocab_data_theme, &fdx_vocab_data_theme_len},
  {"file-type", fdx_vocab_file_type, &fdx_vocab_file_type_len},
  {"licence", fdx_vocab_licence, &fdx_vocab_licence_len},
  {"access-right", fdx_vocab_access_right, &fdx_vocab_access_right_len},
  {"frequency", fdx_vocab_frequency, &fdx_vocab_frequency_len},
  {"language", fdx_vocab_language, &fdx_vocab_language_len},
};
#define N_SHIPPED (sizeof(shipped) / sizeof(shipped[0]))

typedef struct {
  Skos*       docs; /* one per shipped file */
  const char* base;
  bool        installed;
  FdxVocabResult* result;
} InstallJob;

static FdxStatus
install_run(FdxTxn* const txn, void* const ctx)
{
  InstallJob* const job = (InstallJob*)ctx;
  job->installed        = false;
  const void* val       = NULL;
  size_t      n         = 0;
  FdxStatus   st = fdx_aux_get(txn, SETTINGS_TABLE, INSTALLED_KEY,
                               strlen(INSTALLED_KEY), &val, &n);
  if (st != FDX_FAILURE) {
    return st; /* installed before (or an error) */
  }
  st = FDX_SUCCESS;
  for (size_t i = 0; i < N_SHIPPED && !st; ++i) {
    ImportJob ij = {&job->docs[i], "fairdex", NULL, false, true,
                    shipped[i].id, job->result};
    st = import_run(txn, &ij);
  }
  /* The project's own health categories: an empty scheme. */
  VStr iri = {0};
  vstr_puts(&iri, job->base);
  if (iri.len && iri.data[iri.len - 1] != '/') {
    vstr_puts(&iri, "/");
  }
  vstr_puts(&iri, "vocab/health-category");
  FdxId s, type, scheme_class, title;
  if (!st && !iri.failed && !(st = vocab_iri_intern(txn, iri.data, &s)) &&
      !(st = vocab_iri_intern(txn, RDF_TYPE, &type)) &&
      !(st = vocab_iri_intern(txn, SKOS_SCHEME, &scheme_class)) &&
      !(st = vocab_iri_intern(txn, DCT_TITLE, &title))) {
    const FdxQuad q = {s, type, scheme_class, s};
    st = fdx_quad_add(txn, &q);
    static const char* const titles[2][2] = {
      {"Gesundheitskategorien", "de"}, {"Health categories", "en"}};
    for (int i = 0; i < 2 && st <= FDX_FAILURE; ++i) {
      const FdxTerm t = fdx_term_literal(titles[i][0], titles[i][1], NULL);
      FdxId         o;
      if (!(st = fdx_term_intern(txn, &t, &o))) {
        const FdxQuad tq = {s, title, o, s};
        st = fdx_quad_add(txn, &tq);
      }
    }
    if (st == FDX_FAILURE) {
      st = FDX_SUCCESS;
    }
    SchemeRef ref;
    if (!st && vocab_scheme_lookup(txn, "health-category", &ref)) {
      st = vocab_scheme_register(txn, "health-category", iri.data, true);
    } else if (!st) {
      vocab_scheme_ref_free(&ref);
    }
  }
  vstr_free(&iri);
  if (!st) {
    st = fdx_aux_put(txn, SETTINGS_TABLE, INSTALLED_KEY, strlen(INSTALLED_KEY),
                     "1", 1);
  }
  job->installed = !st;
  return st;
}

FdxStatus
fdx_vocab_install(FdxStore* const store, const char* const base,
                  bool* const ret_installed, FdxError* const err)
{
  if (ret_installed) {
    *ret_installed = false;
  }
  /* Installed already?  Then nothing to parse. */
  FdxTxn*     txn = NULL;
  const void* val = NULL;
  size_t      n   = 0;
  FdxStatus   st  = fdx_txn_begin(store, 0, &txn);
  if (!st) {
    st = fdx_aux_get(txn, SETTINGS_TABLE, INSTALLED_KEY, strlen(INSTALLED_KEY),
                     &val, &n);
    fdx_txn_abort(txn);
  }
  if (st != FDX_FAILURE) {
    return st == FDX_SUCCESS
             ? FDX_SUCCESS
             : fdx_error_set(err, st, NULL, 0, 0,
                             "cannot read the store's settings: %s",
                             fdx_strerror(st));
  }
  Skos           docs[N_SHIPPED];
  FdxVocabResult result;
  memset(docs, 0, sizeof(docs));
  memset(&result, 0, sizeof(result));
  st = FDX_SUCCESS;
  for (size_t i = 0; i < N_SHIPPED && !st; ++i) {
    st = doc_parse(&docs[i].doc, (const char*)shipped[i].bytes,
                   *shipped[i].len, FDX_FORMAT_RDFXML, shipped[i].id, err);
  }
  for (size_t i = 0; i < N_SHIPPED && !st; ++i) {
    st = skos_analyse(&docs[i], NULL, &result);
  }
  InstallJob job = {docs, base ? base : "http://127.0.0.1:8080/", false,
                    &result};
  if (!st) {
    st = fdx_store_write(store, install_run, &job);
  }
  if (st && !err->message[0]) {
    fdx_error_set(err, st, NULL, 0, 0,
                  "cannot install the shipped vocabularies: %s%s%s",
                  fdx_strerror(st), result.message[0] ? ": " : "",
                  result.message);
  }
  for (size_t i = 0; i < N_SHIPPED; ++i) {
    skos_free(&docs[i]);
  }
  fdx_vocab_result_clear(&result);
  if (ret_installed) {
    *ret_installed = job.installed;
  }
  return st;
}
