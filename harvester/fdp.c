/*
 * fdp.c: the FAIR Data Point source adapter.  An FDP is a chain of RDF
 * documents, one per resource: the FDP itself links its catalogues
 * (fdp-o:metadataCatalog, r3d:dataCatalog, ldp:contains, dcat:catalog),
 * each catalogue its datasets (dcat:dataset, ldp:contains), each dataset
 * its distributions (dcat:distribution).  Each dataset is one record: the
 * dataset document's description of it plus, from each distribution's own
 * document, the description of that distribution.
 *
 * The FDP and catalogue documents are pages of the listing (fetched
 * conditionally; a 304 replays the links they gave last time), so are the
 * dataset documents (a 304 counts the dataset as unchanged); distribution
 * documents are fetched beside them.  A dataset or distribution document
 * that fails costs that record only; an FDP or catalogue document that
 * fails fails the listing (nothing is deleted).
 */
#include "harvest_impl.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define ACCEPT                                                                \
  "text/turtle, application/rdf+xml;q=0.9, application/ld+json;q=0.9, "      \
  "application/n-triples;q=0.8"
#define DCAT "http://www.w3.org/ns/dcat#"
#define MAX_LINKS 100000

/* Links from the resources a document describes: catalogues of an FDP,
 * datasets of a catalogue. */
static const char* const catalog_links[] = {
  "https://w3id.org/fdp/fdp-o#metadataCatalog",
  "http://www.re3data.org/schema/3-0#dataCatalog", DCAT "catalog",
  "http://www.w3.org/ns/ldp#contains"};
static const char* const dataset_links[] = {
  DCAT "dataset", "http://www.w3.org/ns/ldp#contains"};

/* The http(s) objects of `preds` in `g`, whose subject is `subject` (or any
 * subject when SIZE_MAX), added to `out` once. */
static void
collect(const FdxMemGraph* const g, const size_t subject,
        const char* const* const preds, const size_t n_preds,
        json_t* const out)
{
  size_t                    n = 0, n_terms = 0;
  const FdxMemTriple* const t     = fdx_memgraph_triples(g, &n);
  const FdxMemTerm* const   terms = fdx_memgraph_terms(g, &n_terms);
  for (size_t k = 0; k < n_preds; ++k) {
    const size_t p = fdx_memgraph_find_iri(g, preds[k]);
    for (size_t i = 0; p != SIZE_MAX && i < n; ++i) {
      if (t[i].p != p || (subject != SIZE_MAX && t[i].s != subject) ||
          terms[t[i].o].kind != FDX_TERM_IRI) {
        continue;
      }
      const char* const iri = terms[t[i].o].value;
      if (strncmp(iri, "http://", 7) && strncmp(iri, "https://", 8)) {
        continue;
      }
      bool seen = false;
      size_t        j;
      const json_t* v;
      json_array_foreach(out, j, v)
      {
        seen = seen || !strcmp(json_string_value(v), iri);
      }
      if (!seen && json_array_size(out) < MAX_LINKS) {
        json_array_append_new(out, json_string(iri));
      }
    }
  }
}

/* The term the document is about: the fetched URL itself, else the first
 * subject typed `type`. */
static size_t
main_node(const FdxMemGraph* const g, const char* const url,
          const char* const type)
{
  size_t node = fdx_memgraph_find_iri(g, url);
  if (node != SIZE_MAX) {
    return node;
  }
  const size_t rdf_type =
    fdx_memgraph_find_iri(g, "http://www.w3.org/1999/02/22-rdf-syntax-ns#type");
  const size_t cls = fdx_memgraph_find_iri(g, type);
  size_t                    n = 0;
  const FdxMemTriple* const t = fdx_memgraph_triples(g, &n);
  for (size_t i = 0; rdf_type != SIZE_MAX && cls != SIZE_MAX && i < n; ++i) {
    if (t[i].p == rdf_type && t[i].o == cls) {
      return t[i].s;
    }
  }
  return SIZE_MAX;
}

/* A listing page (the FDP or a catalogue): its links by `preds`. */
static FdxStatus
list_page(HarvestRun* const run, const char* const url,
          const char* const* const preds, const size_t n_preds,
          const char* const type, json_t** const ret_links)
{
  *ret_links = NULL;
  HarvestPage page;
  FdxStatus   st = run_page(run, url, ACCEPT, &page);
  if (st) {
    run_page_clear(&page);
    return st;
  }
  json_t* links = NULL;
  if (page.not_modified) {
    links = json_incref(page.links ? page.links : json_array());
  } else {
    FdxMemGraph* g = NULL;
    char         why[600];
    if ((st = dcat_parse(url, &page.fetch, &g, why, sizeof(why)))) {
      run_fail(run, "%s", why);
      run_page_clear(&page);
      return st;
    }
    links = json_array();
    const char* const base = page.fetch.final_url ? page.fetch.final_url : url;
    size_t            node = main_node(g, base, type);
    if (node == SIZE_MAX) {
      node = main_node(g, url, type);
    }
    collect(g, node, preds, n_preds, links);
    fdx_memgraph_free(g);
    run_page_links(run, links);
  }
  st = run_page_done(run, &page);
  run_page_clear(&page);
  if (st) {
    json_decref(links);
    return st;
  }
  *ret_links = links;
  return FDX_SUCCESS;
}

/* One dataset: its document and its distributions' documents make one
 * record.  Failures cost this record only; the status is a store error. */
static FdxStatus
harvest_dataset(HarvestRun* const run, const char* const url)
{
  HarvestPage page;
  FdxStatus   st = run_page(run, url, ACCEPT, &page);
  if (st) {
    /* A dataset fails alone, and what the store has of it stays. */
    run_record_error(run, url, "%s",
                     page.fetch.error[0] ? page.fetch.error
                                         : fdx_strerror(st));
    run_record_keep(run, url);
    run_page_clear(&page);
    return FDX_SUCCESS;
  }
  if (page.not_modified) {
    st = run_page_done(run, &page);
    run_page_clear(&page);
    return st;
  }
  FdxMemGraph* g = NULL;
  char         why[600];
  if (dcat_parse(url, &page.fetch, &g, why, sizeof(why))) {
    run_record_error(run, url, "%s", why);
    run_record_keep(run, url);
    run_page_clear(&page);
    return FDX_SUCCESS;
  }
  const char* const base = page.fetch.final_url ? page.fetch.final_url : url;
  size_t            node = main_node(g, base, DCAT "Dataset");
  if (node == SIZE_MAX) {
    node = main_node(g, url, DCAT "Dataset");
  }
  size_t                  n_terms = 0;
  const FdxMemTerm* const terms   = fdx_memgraph_terms(g, &n_terms);
  FdxMemGraph* const      rec     = fdx_memgraph_new();
  if (!rec) {
    fdx_memgraph_free(g);
    run_page_clear(&page);
    return FDX_ERR_NO_MEMORY;
  }
  if (node == SIZE_MAX || terms[node].kind != FDX_TERM_IRI) {
    run_record_error(run, url, "the document describes no dcat:Dataset");
    run_record_keep(run, url);
    fdx_memgraph_free(rec);
    fdx_memgraph_free(g);
    run_page_clear(&page);
    return FDX_SUCCESS;
  }
  char* const dataset = strdup(terms[node].value);
  st                  = dataset ? dcat_describe(g, node, rec)
                                : FDX_ERR_NO_MEMORY;
  json_t* const dists = json_array();
  static const char* const dist_pred[] = {DCAT "distribution"};
  collect(g, node, dist_pred, 1, dists);
  fdx_memgraph_free(g);
  /* The distributions, each from its own document.  One that fails keeps
   * the record as the store has it. */
  bool          partial = false;
  size_t        i;
  const json_t* d;
  json_array_foreach(dists, i, d)
  {
    if (st) {
      break;
    }
    const char* const dist = json_string_value(d);
    FdxFetchResult    res;
    if (run_fetch(run, dist, ACCEPT, &res)) {
      run_record_error(run, url, "distribution %s: %s", dist,
                       res.error[0] ? res.error : "cannot be fetched");
      fdx_fetch_result_clear(&res);
      partial = true;
      continue;
    }
    FdxMemGraph* dg = NULL;
    if (dcat_parse(dist, &res, &dg, why, sizeof(why))) {
      run_record_error(run, url, "distribution %s", why);
      partial = true;
    } else {
      size_t dn = fdx_memgraph_find_iri(dg, dist);
      if (dn == SIZE_MAX && res.final_url) {
        dn = fdx_memgraph_find_iri(dg, res.final_url);
      }
      if (dn != SIZE_MAX) {
        st = dcat_describe(dg, dn, rec);
      }
    }
    fdx_memgraph_free(dg);
    fdx_fetch_result_clear(&res);
  }
  json_decref(dists);
  if (!st && partial) {
    run_record_keep(run, url);
    fdx_memgraph_free(rec);
  } else if (!st) {
    HarvestRecord record = {url, dataset, base, rec, NULL, NULL};
    st = run_record(run, &record);
  } else {
    fdx_memgraph_free(rec);
  }
  free(dataset);
  if (!st) {
    st = run_page_done(run, &page);
  }
  run_page_clear(&page);
  return st;
}

FdxStatus
adapter_fdp(HarvestRun* const run)
{
  json_t* catalogs = NULL;
  FdxStatus st = list_page(run, run_source(run)->url, catalog_links,
                           sizeof(catalog_links) / sizeof(*catalog_links),
                           "https://w3id.org/fdp/fdp-o#FAIRDataPoint",
                           &catalogs);
  json_t* const seen = json_object();
  size_t        i;
  const json_t* c;
  json_array_foreach(catalogs, i, c)
  {
    if (st || run_cancelled(run)) {
      break;
    }
    const char* const catalog = json_string_value(c);
    if (json_object_get(seen, catalog)) {
      continue;
    }
    json_object_set_new(seen, catalog, json_true());
    json_t* datasets = NULL;
    if ((st = list_page(run, catalog, dataset_links,
                        sizeof(dataset_links) / sizeof(*dataset_links),
                        DCAT "Catalog", &datasets))) {
      break;
    }
    size_t        k;
    const json_t* d;
    json_array_foreach(datasets, k, d)
    {
      const char* const dataset = json_string_value(d);
      if (st || run_cancelled(run) || json_object_get(seen, dataset)) {
        continue;
      }
      json_object_set_new(seen, dataset, json_true());
      st = harvest_dataset(run, dataset);
    }
    json_decref(datasets);
  }
  json_decref(seen);
  json_decref(catalogs);
  if (!st && run_cancelled(run)) {
    run_fail(run, "cancelled");
    st = FDX_ERR_UNKNOWN;
  }
  return st;
}
