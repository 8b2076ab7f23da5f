/*
 * serve_jsonld.c: one dataset (or data service or series) and its
 * distributions as JSON-LD, for /api/datasets/{id} with Accept:
 * application/ld+json: the quads of the resource and of each of its
 * distributions in the resource's graph, through the catalogue's JSON-LD
 * writer (expanded form).
 */
#include "serve_search.h"

#include "fairdex/rdf.h"

#include <string.h>

#define DCAT_DISTRIBUTION "http://www.w3.org/ns/dcat#distribution"

/* Write the quads of `s` in graph `g`; collect its distributions. */
static FdxStatus
write_subject(FdxTxn* const txn, FdxTripleWriter* const w, const FdxId g,
              const FdxId s, const FdxId dist_pred, FdxId* const dists,
              size_t* const n_dists, const size_t max_dists)
{
  const FdxQuad pattern = {s, FDX_ID_ANY, FDX_ID_ANY, g};
  FdxQuadIter*  it      = NULL;
  FdxStatus     st      = fdx_quad_find(txn, &pattern, &it);
  if (st) {
    return st;
  }
  FdxQuad    q;
  FdxTermBuf bs, bp, bo;
  while (!(st = fdx_quad_iter_next(it, &q))) {
    if (dists && dist_pred && q.p == dist_pred && *n_dists < max_dists) {
      dists[(*n_dists)++] = q.o;
    }
    if ((st = fdx_term_get(txn, q.s, &bs)) ||
        (st = fdx_term_get(txn, q.p, &bp)) ||
        (st = fdx_term_get(txn, q.o, &bo)) ||
        (st = fdx_triple_writer_add(w, &bs.term, &bp.term, &bo.term))) {
      break;
    }
  }
  fdx_quad_iter_free(it);
  return st == FDX_FAILURE ? FDX_SUCCESS : st;
}

FdxStatus
serve_dcatap_jsonld(Serve* const s, FdxTxn* const txn, const FdxId graph,
                    const FdxId subject, Buf* const out)
{
  (void)s;
  FdxTripleWriter* w  = NULL;
  FdxStatus        st = fdx_triple_writer_new(FDX_FORMAT_JSONLD, buf_write,
                                              out, &w);
  if (st) {
    return st;
  }
  FdxId         dist_pred = 0;
  const FdxTerm dp        = fdx_term_iri(DCAT_DISTRIBUTION);
  if (fdx_term_id(txn, &dp, &dist_pred)) {
    dist_pred = 0;
  }
  FdxId  dists[256];
  size_t n = 0;
  st = write_subject(txn, w, graph, subject, dist_pred, dists, &n, 256);
  for (size_t i = 0; i < n && !st; ++i) {
    st = write_subject(txn, w, graph, dists[i], 0, NULL, NULL, 0);
  }
  if (!st) {
    st = fdx_triple_writer_end(w);
  }
  fdx_triple_writer_free(w);
  return st;
}
