/*
 * serve_search.h: the routes of the discovery API (serve_search.c), the
 * DCAT-AP JSON-LD of one dataset (serve_jsonld.c) and the OpenAPI
 * description of /api (serve_openapi.c).
 */
#ifndef FDX_SERVE_SEARCH_H
#define FDX_SERVE_SEARCH_H

#include "serve.h"

void route_datasets(Serve* s, HttpRequest* req);
void route_dataset_by_id(Serve* s, HttpRequest* req, const char* id);
void route_suggest(Serve* s, HttpRequest* req);
void route_openapi(Serve* s, HttpRequest* req);

/* The resource `subject` of graph `graph` with its distributions, as
 * DCAT-AP JSON-LD, appended to `out`. */
FdxStatus serve_dcatap_jsonld(Serve* s, FdxTxn* txn, FdxId graph,
                              FdxId subject, Buf* out);

#endif /* FDX_SERVE_SEARCH_H */
