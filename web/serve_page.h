/*
 * serve_page.h: the HTML dataset page (serve_page.c), part of the Linked
 * Data routes' HTML answer for datasets, data services and series.
 */
#ifndef FDX_SERVE_PAGE_H
#define FDX_SERVE_PAGE_H

#include "serve.h"

/* Append the dataset page's body for `iri` (its fields, distributions,
 * provenance and schema.org JSON-LD naming `page_url`) to `out`, its
 * texts and labels in `lang` ("de" or "en"); its title in that language
 * (as text) to `title`.
 * FDX_FAILURE when `iri` is no dataset, data service or series of the
 * search index. */
FdxStatus serve_dataset_page(Serve* s, FdxTxn* txn, const char* iri,
                             const char* page_url, const char* lang,
                             Buf* title, Buf* out);

#endif /* FDX_SERVE_PAGE_H */
