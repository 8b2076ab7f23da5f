/*
 * dcat.c: the DCAT source adapter.  A source is an RDF document (Turtle,
 * RDF/XML, JSON-LD, N-Triples, TriG, N-Quads) describing a catalogue,
 * possibly paged the Hydra way.  Each
 * dcat:Dataset, dcat:DataService and dcat:DatasetSeries of a page is one
 * record: the resource's description with everything it reaches through
 * blank nodes and through resources the page describes (distributions,
 * agents, contact points), but not other datasets or the catalogue.
 * Pages follow hydra:next (or hydra:nextPage) with a visited set, so a
 * loop ends instead of running forever.
 */
#include "harvest_impl.h"


#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define RDF_TYPE "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"
#define DCAT "http://www.w3.org/ns/dcat#"
#define DCT_IDENTIFIER "http://purl.org/dc/terms/identifier"
#define HYDRA "http://www.w3.org/ns/hydra/core#"
#define ACCEPT                                                                \
  "text/turtle, application/rdf+xml;q=0.9, application/ld+json;q=0.9, "      \
  "application/n-triples;q=0.8, application/trig;q=0.7, "                     \
  "application/n-quads;q=0.7"
#define MAX_PAGE_TRIPLES 5000000
#define MAX_CLOSURE_NODES 10000

static FdxFormat
format_of(const char* const type, const char* const body, const size_t len)
{
  static const struct {
    const char* type;
    FdxFormat   format;
  } types[] = {
    {"text/turtle", FDX_FORMAT_TURTLE},
    {"application/x-turtle", FDX_FORMAT_TURTLE},
    {"application/rdf+xml", FDX_FORMAT_RDFXML},
    {"application/xml", FDX_FORMAT_RDFXML},
    {"text/xml", FDX_FORMAT_RDFXML},
    {"application/n-triples", FDX_FORMAT_NTRIPLES},
    {"application/trig", FDX_FORMAT_TRIG},
    {"application/n-quads", FDX_FORMAT_NQUADS},
    {"application/ld+json", FDX_FORMAT_JSONLD},
    {"application/json", FDX_FORMAT_JSONLD},
  };
  for (size_t i = 0; type && i < sizeof(types) / sizeof(*types); ++i) {
    if (!strcmp(type, types[i].type)) {
      return types[i].format;
    }
  }
  return fdx_format_sniff(body, len);
}

/* Subject index: the triples of each term as subject (CSR). */
typedef struct {
  size_t* first; /* n_terms + 1 */
  size_t* triples;
} SubjectIndex;

static bool
index_subjects(const FdxMemGraph* const g, SubjectIndex* const ix)
{
  size_t                    n_terms = 0, n = 0;
  const FdxMemTriple* const t = fdx_memgraph_triples(g, &n);
  fdx_memgraph_terms(g, &n_terms);
  ix->first   = (size_t*)calloc(n_terms + 2, sizeof(size_t));
  ix->triples = (size_t*)malloc((n ? n : 1) * sizeof(size_t));
  if (!ix->first || !ix->triples) {
    return false;
  }
  for (size_t i = 0; i < n; ++i) {
    ++ix->first[t[i].s + 2];
  }
  for (size_t i = 0; i < n_terms; ++i) {
    ix->first[i + 2] += ix->first[i + 1];
  }
  for (size_t i = 0; i < n; ++i) {
    ix->triples[ix->first[t[i].s + 1]++] = i;
  }
  return true;
}

typedef struct {
  size_t type, dataset, service, series, catalog, record, identifier,
    next, next_page;
} Vocab;

/* 0: other, 1: a dataset (record), 2: never followed (catalogue, record,
 * a Hydra view) */
static uint8_t*
roles(const FdxMemGraph* const g, const Vocab* const v)
{
  size_t                    n_terms = 0, n = 0;
  const FdxMemTriple* const t = fdx_memgraph_triples(g, &n);
  fdx_memgraph_terms(g, &n_terms);
  uint8_t* const role = (uint8_t*)calloc(n_terms ? n_terms : 1, 1);
  if (!role) {
    return NULL;
  }
  for (size_t i = 0; i < n; ++i) {
    if (t[i].p != v->type) {
      continue;
    }
    if (t[i].o == v->dataset || t[i].o == v->service || t[i].o == v->series) {
      role[t[i].s] = 1;
    } else if ((t[i].o == v->catalog || t[i].o == v->record) &&
               role[t[i].s] != 1) {
      role[t[i].s] = 2;
    }
  }
  for (size_t i = 0; i < n; ++i) {
    if (t[i].p == v->next || t[i].p == v->next_page) {
      role[t[i].s] = role[t[i].s] ? role[t[i].s] : 2; /* the Hydra view */
    }
  }
  return role;
}

/* The record of dataset `d`: its closure (see the file comment). */
static FdxStatus
closure(const FdxMemGraph* const g, const SubjectIndex* const ix,
        const uint8_t* const role, const size_t d, FdxMemGraph* const out,
        size_t* const ret_mapped)
{
  size_t                    n_terms = 0, n = 0;
  const FdxMemTriple* const t  = fdx_memgraph_triples(g, &n);
  const FdxMemTerm* const   terms = fdx_memgraph_terms(g, &n_terms);
  size_t* const             queue = (size_t*)malloc(MAX_CLOSURE_NODES * sizeof(size_t));
  uint8_t* const            seen  = (uint8_t*)calloc(n_terms ? n_terms : 1, 1);
  FdxStatus                 st    = queue && seen ? FDX_SUCCESS : FDX_ERR_NO_MEMORY;
  size_t                    head = 0, tail = 0;
  if (!st) {
    queue[tail++] = d;
    seen[d]       = 1;
  }
  while (!st && head < tail) {
    const size_t node = queue[head++];
    for (size_t k = ix->first[node]; k < ix->first[node + 1] && !st; ++k) {
      const FdxMemTriple* const tr = &t[ix->triples[k]];
      const FdxTerm s = fdx_memgraph_view(g, tr->s);
      const FdxTerm p = fdx_memgraph_view(g, tr->p);
      const FdxTerm o = fdx_memgraph_view(g, tr->o);
      st = fdx_memgraph_add(out, &s, &p, &o);
      const size_t next = tr->o;
      if (!st && !seen[next] && terms[next].kind != FDX_TERM_LITERAL &&
          role[next] == 0 && ix->first[next] < ix->first[next + 1]) {
        if (tail == MAX_CLOSURE_NODES) {
          st = FDX_ERR_LIMIT;
          break;
        }
        seen[next]    = 1;
        queue[tail++] = next;
      }
    }
  }
  free(queue);
  free(seen);
  *ret_mapped = tail;
  return st;
}

/* A dataset given as a blank node gets an IRI minted from its
 * dct:identifier: {base}dataset/{source}-{hash}.  NULL when it has none. */
static char*
mint(HarvestRun* const run, const FdxMemGraph* const g,
     const SubjectIndex* const ix, const Vocab* const v, const size_t d)
{
  size_t                    n = 0;
  const FdxMemTriple* const t = fdx_memgraph_triples(g, &n);
  size_t                    n_terms;
  const FdxMemTerm* const   terms = fdx_memgraph_terms(g, &n_terms);
  for (size_t k = ix->first[d]; k < ix->first[d + 1]; ++k) {
    const FdxMemTriple* const tr = &t[ix->triples[k]];
    if (tr->p != v->identifier || terms[tr->o].kind != FDX_TERM_LITERAL) {
      continue;
    }
    return run_mint_dataset(run, terms[tr->o].value, terms[tr->o].value_len);
  }
  return NULL;
}

/* Replace blank node `from` by the IRI `to` in `g` (a record graph):
 * rebuilt, since triples are interned. */
static FdxMemGraph*
rename_node(const FdxMemGraph* const g, const FdxTerm* const from,
            const char* const to)
{
  FdxMemGraph* const out = fdx_memgraph_new();
  if (!out) {
    return NULL;
  }
  size_t                    n = 0;
  const FdxMemTriple* const t = fdx_memgraph_triples(g, &n);
  const FdxTerm             iri = fdx_term_iri(to);
  for (size_t i = 0; i < n; ++i) {
    FdxTerm s = fdx_memgraph_view(g, t[i].s);
    FdxTerm p = fdx_memgraph_view(g, t[i].p);
    FdxTerm o = fdx_memgraph_view(g, t[i].o);
    if (s.kind == from->kind && s.value_len == from->value_len &&
        !memcmp(s.value, from->value, s.value_len)) {
      s = iri;
    }
    if (o.kind == from->kind && o.value_len == from->value_len &&
        !memcmp(o.value, from->value, o.value_len)) {
      o = iri;
    }
    if (fdx_memgraph_add(out, &s, &p, &o)) {
      fdx_memgraph_free(out);
      return NULL;
    }
  }
  return out;
}

static size_t
find(const FdxMemGraph* const g, const char* const iri)
{
  return fdx_memgraph_find_iri(g, iri);
}

/* Read one page's records; its next-page links into `links`. */
FdxStatus
dcat_parse(const char* const url, const FdxFetchResult* const f,
           FdxMemGraph** const ret, char* const why, const size_t why_size)
{
  *ret                   = NULL;
  FdxFormat format = format_of(f->content_type, f->body, f->len);
  if (format == FDX_FORMAT_UNKNOWN && f->len && f->body[0] == '{') {
    format = FDX_FORMAT_JSONLD; /* JSON served as something else */
  }
  if (format == FDX_FORMAT_UNKNOWN) {
    snprintf(why, why_size, "%s: not an RDF document (Content-Type %s)", url,
             f->content_type ? f->content_type : "missing");
    return FDX_ERR_SYNTAX;
  }
  FdxMemGraph* const g = fdx_memgraph_new();
  if (!g) {
    return FDX_ERR_NO_MEMORY;
  }
  FdxError err;
  memset(&err, 0, sizeof(err));
  const FdxStatus st = fdx_memgraph_parse(g, f->body, f->len, format,
                                          f->final_url ? f->final_url : url,
                                          url, NULL, MAX_PAGE_TRIPLES, &err);
  if (st) {
    snprintf(why, why_size, "%s:%ld:%ld: %s", url, err.line, err.column,
             err.message[0] ? err.message : fdx_strerror(st));
    fdx_memgraph_free(g);
    return st;
  }
  *ret = g;
  return FDX_SUCCESS;
}

static Vocab
vocab_of(const FdxMemGraph* const g)
{
  const Vocab v = {find(g, RDF_TYPE),        find(g, DCAT "Dataset"),
                   find(g, DCAT "DataService"), find(g, DCAT "DatasetSeries"),
                   find(g, DCAT "Catalog"),    find(g, DCAT "CatalogRecord"),
                   find(g, DCT_IDENTIFIER),    find(g, HYDRA "next"),
                   find(g, HYDRA "nextPage")};
  return v;
}

FdxStatus
dcat_describe(const FdxMemGraph* const g, const size_t node,
              FdxMemGraph* const out)
{
  const Vocab  v    = vocab_of(g);
  SubjectIndex ix   = {NULL, NULL};
  uint8_t*     role = NULL;
  FdxStatus    st   = FDX_ERR_NO_MEMORY;
  size_t       nodes = 0;
  if (index_subjects(g, &ix) && (role = roles(g, &v))) {
    role[node] = 0; /* the node itself is followed whatever it is */
    st         = closure(g, &ix, role, node, out, &nodes);
  }
  free(role);
  free(ix.first);
  free(ix.triples);
  return st;
}

static FdxStatus
read_page(HarvestRun* const run, const char* const url,
          const HarvestPage* const page, json_t* const links)
{
  const FdxFetchResult* const f = &page->fetch;
  FdxMemGraph*                g = NULL;
  char                        why[600];
  FdxStatus                   st = dcat_parse(url, f, &g, why, sizeof(why));
  if (st) {
    if (st != FDX_ERR_NO_MEMORY) {
      run_fail(run, "%s", why);
    }
    return st;
  }
  const Vocab  v    = vocab_of(g);
  SubjectIndex ix   = {NULL, NULL};
  uint8_t*     role = NULL;
  if (!index_subjects(g, &ix) || !(role = roles(g, &v))) {
    st = FDX_ERR_NO_MEMORY;
  }
  size_t                    n_terms = 0, n = 0;
  const FdxMemTerm* const   terms = fdx_memgraph_terms(g, &n_terms);
  const FdxMemTriple* const t     = fdx_memgraph_triples(g, &n);
  for (size_t i = 0; i < n && !st; ++i) {
    if ((t[i].p == v.next || t[i].p == v.next_page) &&
        terms[t[i].o].kind == FDX_TERM_IRI) {
      json_array_append_new(links, json_string(terms[t[i].o].value));
    }
  }
  for (size_t d = 0; d < n_terms && !st; ++d) {
    if (role[d] != 1 || run_cancelled(run)) {
      continue;
    }
    FdxMemGraph* rec = fdx_memgraph_new();
    size_t       nodes = 0;
    if (!rec) {
      st = FDX_ERR_NO_MEMORY;
      break;
    }
    FdxStatus cst = closure(g, &ix, role, d, rec, &nodes);
    char*     minted = NULL;
    const char* iri  = terms[d].value;
    if (!cst && terms[d].kind == FDX_TERM_BLANK) {
      minted = mint(run, g, &ix, &v, d);
      if (minted) {
        const FdxTerm from = fdx_memgraph_view(g, d);
        FdxMemGraph* const renamed = rename_node(rec, &from, minted);
        fdx_memgraph_free(rec);
        rec = renamed;
        iri = minted;
        cst = rec ? FDX_SUCCESS : FDX_ERR_NO_MEMORY;
      }
    }
    if (cst == FDX_ERR_NO_MEMORY) {
      st = cst;
    } else if (cst) {
      run_record_error(run, iri, "the description reaches more than %d "
                                 "resources",
                       MAX_CLOSURE_NODES);
      run_record_keep(run, iri);
    } else if (terms[d].kind == FDX_TERM_BLANK && !minted) {
      run_record_error(run, NULL, "%s: a dataset without an IRI or "
                                  "dct:identifier is skipped",
                       url);
    } else {
      HarvestRecord record = {iri, iri, f->final_url ? f->final_url : url,
                              rec, NULL, NULL};
      rec = NULL; /* taken */
      st  = run_record(run, &record);
    }
    fdx_memgraph_free(rec);
    free(minted);
  }
  free(role);
  free(ix.first);
  free(ix.triples);
  fdx_memgraph_free(g);
  return st;
}

FdxStatus
adapter_dcat(HarvestRun* const run)
{
  json_t* const visited = json_object();
  char*         url     = strdup(run_source(run)->url);
  FdxStatus     st      = visited && url ? FDX_SUCCESS : FDX_ERR_NO_MEMORY;
  while (!st && url) {
    json_object_set_new(visited, url, json_true());
    HarvestPage page;
    if ((st = run_page(run, url, ACCEPT, &page))) {
      run_page_clear(&page);
      break;
    }
    json_t* links = NULL;
    if (page.not_modified) {
      links = json_incref(page.links ? page.links : json_array());
    } else {
      links = json_array();
      st    = read_page(run, url, &page, links);
      run_page_links(run, links);
    }
    if (!st) {
      st = run_page_done(run, &page);
    }
    run_page_clear(&page);
    free(url);
    url = NULL;
    /* The next page: the first link not read yet. */
    size_t        i;
    const json_t* link;
    json_array_foreach(links, i, link)
    {
      const char* const next = json_string_value(link);
      if (!next) {
        continue;
      }
      if (json_object_get(visited, next)) {
        run_fail(run, "the paging loops back to %s: stopped there", next);
        continue;
      }
      if (strncmp(next, "http://", 7) && strncmp(next, "https://", 8)) {
        run_record_error(run, NULL, "a next page that is not http(s): %s",
                         next);
        continue;
      }
      url = strdup(next);
      break;
    }
    json_decref(links);
  }
  free(url);
  json_decref(visited);
  return st;
}
