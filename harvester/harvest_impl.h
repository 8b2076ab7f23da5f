/*
 * harvest_impl.h: what the run engine (run.c) offers the source adapters
 * (dcat.c, and the adapters to come): fetching a page with the stored
 * conditional-GET state, handing over a record, reporting a record that
 * failed, and the run's source and options.
 *
 * An adapter lists its source: for each page it calls run_page(), parses
 * what came back, and calls run_record() once per record.  It returns
 * FDX_SUCCESS only when it listed everything (then records not seen are
 * deleted, within the source's threshold), anything else when the listing
 * failed or stopped early (then nothing is deleted).  A record that cannot
 * be read is run_record_error(), and the listing goes on.
 */
#ifndef FDX_HARVEST_IMPL_H
#define FDX_HARVEST_IMPL_H

#include "fetch.h"

#include "fairdex/harvest.h"
#include "fairdex/memgraph.h"

#include <stdarg.h>

typedef struct HarvestRun HarvestRun;

/* One record: its statements (DCAT-AP) and where it came from.  The
 * adapter fills it; run_record() takes the graph. */
typedef struct {
  const char*  id;          /* the source's id for it (a dataset IRI, an
                               OAI identifier) */
  const char*  dataset_iri; /* the dataset the record describes */
  const char*  source_url;  /* the document it was read from */
  FdxMemGraph* graph;       /* taken by run_record() */
  /* A source that does not speak RDF (OAI-PMH XML, CKAN JSON) hands over
   * the record as the source gave it too, so nothing it said is lost: kept
   * on the catalogue record as dct:source [ rdf:value TEXT^^TYPE ;
   * dct:format MEDIA_TYPE ].  NULL for RDF sources. */
  const char*  original;       /* the record's text */
  const char*  original_type;  /* its media type ("application/xml",
                                  "application/json") */
} HarvestRecord;

/* A page fetched for the listing.  On 304 (not_modified) `links` holds
 * the links the adapter saved with run_page_links() the last time, and the
 * records the page listed then count as seen and unchanged. */
typedef struct {
  FdxFetchResult fetch;
  bool           not_modified;
  json_t*        links; /* array of strings, or NULL */
} HarvestPage;

const FdxSource* run_source(const HarvestRun* run);
const char*      run_base(const HarvestRun* run);
bool             run_cancelled(HarvestRun* run);

/* Fetch a page of the listing (counted in the report's "pages"), with
 * If-None-Match / If-Modified-Since from the last run unless the run is
 * --full.  FDX_SUCCESS with page->not_modified, or with a body; an error
 * status otherwise (page->fetch.error says why, and the run's message
 * too). */
FdxStatus run_page(HarvestRun* run, const char* url, const char* accept,
                   HarvestPage* page);
/* The next page of the listing is `url` (asked for with `accept`): fetch
 * it in another thread while the adapter hands over this page's records.
 * Call only when the listing will surely ask for it next; run_page() of
 * the same URL then takes the answer, and any other fetch first waits for
 * it and drops it. */
void run_prefetch(HarvestRun* run, const char* url, const char* accept);
/* Fetch a document the listing needs beside its pages (an FDP
 * distribution): counted in "pages", never conditional, and it leaves the
 * current page alone.  An error status when it failed (res->error says
 * why; the run's message is not set). */
FdxStatus run_fetch(HarvestRun* run, const char* url, const char* accept,
                    FdxFetchResult* res);

/* Remember links (e.g. the next page) found on the current page, for a
 * later 304 of it; call before run_page_done(). */
void run_page_links(HarvestRun* run, const json_t* links);
/* The page has been read: its validators and the records it listed are
 * kept for the next run. */
FdxStatus run_page_done(HarvestRun* run, HarvestPage* page);
void      run_page_clear(HarvestPage* page);

/* Hand over one record: written when new or changed (by content hash),
 * else only counted.  Returns an error only when the store failed. */
FdxStatus run_record(HarvestRun* run, HarvestRecord* record);

/* The source says record `id` is deleted (an OAI-PMH deleted record): its
 * graph and state go at once, whatever the rest of the run does. */
FdxStatus run_record_deleted(HarvestRun* run, const char* id);

/* A dataset IRI for a record whose source gives none:
 * {base}dataset/{source}-{first 16 hex of SHA-256 of `key`}, new. */
char* run_mint_dataset(const HarvestRun* run, const char* key, size_t len);

/* Record `id` is still listed but could not be read this time (a dataset
 * document that failed): what the store holds of it is kept, not deleted.
 * Report the failure with run_record_error(). */
void run_record_keep(HarvestRun* run, const char* id);

/* The start time (xsd:dateTime, UTC, "Z") of this source's last complete
 * run, for incremental listings (OAI-PMH from=, CKAN metadata_modified);
 * NULL on a first run or with --full. */
const char* run_since(const HarvestRun* run);

/* Say the listing covers only what changed since run_since(): records it
 * does not list are kept, not deleted. */
void run_incremental(HarvestRun* run);

/* A record that failed alone: into the report's errors. */
void run_record_error(HarvestRun* run, const char* record, const char* fmt,
                      ...)
#if defined(__GNUC__)
  __attribute__((format(printf, 3, 4)))
#endif
  ;

/* The run's message (why the listing failed), kept in the report. */
void run_fail(HarvestRun* run, const char* fmt, ...)
#if defined(__GNUC__)
  __attribute__((format(printf, 2, 3)))
#endif
  ;

/* Adapters. */
FdxStatus adapter_dcat(HarvestRun* run);
FdxStatus adapter_fdp(HarvestRun* run);
FdxStatus adapter_schemaorg(HarvestRun* run);
FdxStatus adapter_folder(HarvestRun* run);

/* From oaipmh.c, for DataCite XML wherever it is found: the DataCite
 * <resource> (kernel 3 or 4) `res` as a new record graph of one
 * dcat:Dataset, named by its DOI (https://doi.org/...) or else
 * `fallback_iri`, whose IRI comes back in `*ret_iri` (malloc'd). */
struct _xmlNode;
FdxStatus datacite_map_resource(const struct _xmlNode* res,
                                const char* fallback_iri, FdxMemGraph** ret,
                                char** ret_iri);

/* From schemaorg.c: the schema.org Dataset `node` of `g` (read from
 * JSON-LD) as dcat:Dataset `d` in `out`; new blank nodes get labels
 * starting with `blank_prefix`. */
FdxStatus schemaorg_map_dataset(const FdxMemGraph* g, size_t node,
                                const FdxTerm* d, FdxMemGraph* out,
                                const char* blank_prefix);

/* From schemaorg.c: true if `node` of `g` is typed schema:`type` (either
 * schema.org namespace). */
bool schemaorg_typed(const FdxMemGraph* g, size_t node, const char* type);

/* From dcat.c, for the adapters that read RDF documents: parse a fetched
 * document by its media type or content into a new graph (`why` says what
 * failed), and copy what `node` says, with what it reaches through blank
 * nodes and resources the document describes (not other datasets or
 * catalogues), into `out`. */
FdxStatus dcat_parse(const char* url, const FdxFetchResult* f,
                     FdxMemGraph** ret, char* why, size_t why_size);
FdxStatus dcat_describe(const FdxMemGraph* g, size_t node, FdxMemGraph* out);
FdxStatus adapter_ckan(HarvestRun* run);
FdxStatus adapter_oai_pmh(HarvestRun* run);

#endif /* FDX_HARVEST_IMPL_H */
