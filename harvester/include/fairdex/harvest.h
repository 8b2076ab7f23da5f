/*
 * fairdex/harvest.h: harvesting dataset metadata from where it lives into
 * the store.
 *
 * A configuration (JSON) names sources; a run harvests one source: its
 * adapter lists the source's records, each record becomes one named graph
 * (the record's graph, named by its dcat:CatalogRecord IRI) holding the
 * record's statements and the catalogue record with its provenance (source,
 * run, fetch time, content hash, prov:wasDerivedFrom).  A record whose
 * content hash is unchanged costs no write.  Records the source no longer
 * lists are deleted only after a complete, successful listing, never from
 * an empty one, and not at all when they would be more than the source's
 * delete_threshold of its records (the run stops instead and says so).
 *
 * State lives in the store's auxiliary tables: "harvest_records" (per
 * source and record id: graph, dataset, hash, run), "harvest_runs" (run
 * reports by id) and "harvest_http" (ETag and Last-Modified per URL).
 */
#ifndef FAIRDEX_HARVEST_H
#define FAIRDEX_HARVEST_H

#include "fairdex/status.h"
#include "fairdex/store.h"

#include <jansson.h>

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef enum {
  FDX_SOURCE_DCAT,
  FDX_SOURCE_CKAN,
  FDX_SOURCE_OAI_PMH,
  FDX_SOURCE_FDP,
  FDX_SOURCE_SCHEMAORG,
  FDX_SOURCE_FOLDER
} FdxSourceType;

/** One source of the configuration.  Strings are owned by the config. */
typedef struct {
  char*         name;    /**< [A-Za-z0-9._-]{1,64}, unique */
  FdxSourceType type;
  char*         url;     /**< http(s) URL (all types but folder) */
  char*         path;    /**< folder: a directory */
  char*         metadata_prefix; /**< oai-pmh: default "oai_dc" */
  char*         set;     /**< oai-pmh: a set spec, or NULL */
  char*         query;   /**< ckan: a Solr query (q=), or NULL */
  char*         schedule; /**< "hourly", "daily", "weekly" or ISO 8601
                               "PTnH"/"PnD"..., or NULL: on demand */
  uint64_t      schedule_s; /**< the schedule in seconds, 0: none */
  /** A source that lists incrementally (CKAN, OAI-PMH: only what changed
   * since the last complete run) lists everything instead once its last
   * complete listing is this old (seconds; 0 or 1: every run,
   * UINT64_MAX: never; the configuration's default is a week), so
   * records gone from the source are deleted. */
  uint64_t      complete_listing_s;
  unsigned      timeout_s;
  uint64_t      max_document_bytes;
  bool          allow_private_addresses;
  double        delete_threshold; /**< 0..1 */
  unsigned      min_delay_ms; /**< between two requests to one host */
  unsigned      max_pages;    /**< paging stops after this many pages */
  uint64_t      max_records;  /**< a listing longer than this fails */
  bool          ignore_robots;
  unsigned      max_retries;  /**< on 429 and 5xx, with backoff */
} FdxSource;

typedef struct {
  FdxSource* sources;
  size_t     n_sources;
  char*      base; /**< where dataset and record IRIs are minted, or NULL */
} FdxHarvestConfig;

/**
 * Read the configuration at `path`.  Unknown keys and bad values are
 * refused with the key's path in `err` ("sources[2].timeout_s: must be a
 * whole number from 1 to 3600").  Free with fdx_harvest_config_free().
 */
FdxStatus
fdx_harvest_config_load(const char*        path,
                        FdxHarvestConfig** ret,
                        FdxError*          err);

/** The same from JSON text (`name` for messages). */
FdxStatus
fdx_harvest_config_parse(const char*        text,
                         size_t             len,
                         const char*        name,
                         FdxHarvestConfig** ret,
                         FdxError*          err);

void
fdx_harvest_config_free(FdxHarvestConfig* config);

/** The source called `name`, or NULL. */
const FdxSource*
fdx_harvest_source(const FdxHarvestConfig* config, const char* name);

/** The name of a source type ("dcat", "ckan", "oai-pmh", "fdp",
 * "schemaorg", "folder"). */
const char*
fdx_source_type_name(FdxSourceType type);

/** How a run ended. */
typedef enum {
  FDX_RUN_COMPLETE, /**< listed everything; deletions applied */
  FDX_RUN_FAILED,   /**< the listing failed: nothing deleted */
  FDX_RUN_STOPPED   /**< would have deleted too much: nothing deleted */
} FdxRunStatus;

/** Options of one run. */
typedef struct {
  const char* base;   /**< base IRI for minted IRIs (ends with '/') */
  bool        full;   /**< ignore stored ETags, hashes and `from` dates:
                           fetch and write everything again */
  /** Called after each record and page with the counts so far (may be
   * NULL): progress on a terminal. */
  void (*progress)(void* ctx, const json_t* report);
  void* progress_ctx;
  bool (*cancelled)(void* ctx); /**< may be NULL */
  void* cancel_ctx;
  /** The store's mapped bytes one write transaction of the run may hold at
   * its commit (fdx_store_last_commit_mapped()); over them the next ones
   * take fewer records.  0: 32 MiB.  Bounds the run's resident set. */
  uint64_t txn_mapped;
} FdxRunOptions;

/**
 * Harvest `source` into `store`.  The report (also kept in the store, by
 * id) is {"id", "source", "type", "started", "finished", "status":
 * "complete"|"failed"|"stopped", "added", "updated", "unchanged",
 * "deleted", "failed", "pages", "errors": [{"record", "message"}],
 * "message"}; `*ret_report` gets a new reference (may be NULL).  Returns
 * FDX_SUCCESS when the run could be made at all (its status says how it
 * went), an error when the store failed.
 */
FdxStatus
fdx_harvest_run(FdxStore*            store,
                const FdxSource*     source,
                const FdxRunOptions* options,
                json_t**             ret_report,
                FdxError*            err);

/** The report of run `id`, or NULL. */
json_t*
fdx_harvest_report(FdxTxn* txn, uint64_t id);

/** Reports after run `since` (0: from the first), oldest first, at most
 * `limit`, only of `source` when it is not NULL. */
json_t*
fdx_harvest_reports(FdxTxn* txn, const char* source, uint64_t since,
                    size_t limit);

/** A report's time ("started", "finished": YYYY-MM-DDThh:mm:ssZ, UTC) in
 * seconds since the epoch; 0 when `text` is NULL or not such a time. */
time_t
fdx_harvest_time(const char* text);

/** Reports before run `before` (0: from the last), newest first, at most
 * `limit`, only of `source` when it is not NULL: what an operator looks
 * at first. */
json_t*
fdx_harvest_reports_newest(FdxTxn* txn, const char* source, uint64_t before,
                           size_t limit);

#ifdef __cplusplus
}
#endif

#endif /* FAIRDEX_HARVEST_H */
