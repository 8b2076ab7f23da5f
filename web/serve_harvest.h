/*
 * serve_harvest.h: harvesting in `fairdex serve --harvest-config FILE`
 * (serve_harvest.c): the background scheduler and the /api/sources and
 * /api/runs routes.
 */
#ifndef FDX_SERVE_HARVEST_H
#define FDX_SERVE_HARVEST_H

#include "serve.h"

#include "fairdex/harvest.h"

/* A scheduler over `config` (taken), not yet running: when each source is
 * due comes from the run reports in the store.  NULL when out of memory. */
HarvestScheduler* serve_harvest_new(Serve* s, FdxHarvestConfig* config);

/* Start the background thread (once the server's base is known). */
bool serve_harvest_start(HarvestScheduler* h);

/* Stop: cancel the run in progress, join the thread, free (NULL is fine). */
void serve_harvest_free(HarvestScheduler* h);

/* GET /api/sources. */
void route_sources(Serve* s, HttpRequest* req);
/* POST /api/sources/{name}/harvest. */
void route_source_harvest(Serve* s, HttpRequest* req, const char* name);
/* GET /api/runs. */
void route_runs(Serve* s, HttpRequest* req);
/* GET /api/runs/{id}. */
void route_run(Serve* s, HttpRequest* req, const char* id);

#endif /* FDX_SERVE_HARVEST_H */
