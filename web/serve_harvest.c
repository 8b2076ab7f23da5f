/*
 * serve_harvest.c: harvesting inside `fairdex serve --harvest-config FILE`
 * (fairdex/harvest.h) and its routes:
 *   GET  /api/sources                   the configured sources, each with
 *                                       its schedule, next run, whether it
 *                                       runs now, and its last report
 *   POST /api/sources/{name}/harvest    start a run now (admin token): 202
 *   GET  /api/runs?source=&since=&limit=  run reports, oldest first
 *   GET  /api/runs/{id}                 one run report
 *
 * One background thread runs the sources, one at a time: each when its
 * schedule says (the last run's start plus the interval; a source never
 * run is due at once) or when asked.  Stopping the server cancels the run
 * in progress (it deletes nothing) and joins the thread.  Run reports come
 * from the store, so runs made with `fairdex harvest` show too.
 */
#include "cli.h"
#include "serve.h"
#include "serve_harvest.h"

#include "fairdex/harvest.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define DEFAULT_RUNS 100
#define MAX_RUNS 1000

typedef struct {
  bool   requested;
  bool   running;
  time_t started; /* of the run in progress or the last one, 0: never */
  time_t due;     /* next scheduled start, 0: none */
} SourceState;

struct HarvestScheduler {
  Serve*            s;
  FdxHarvestConfig* config;
  SourceState*      state;
  pthread_t         thread;
  pthread_mutex_t   lock;
  pthread_cond_t    wake;
  bool              stop;
  bool              started;
};

static bool
run_cancelled(void* const ctx)
{
  HarvestScheduler* const h = (HarvestScheduler*)ctx;
  pthread_mutex_lock(&h->lock);
  const bool stop = h->stop;
  pthread_mutex_unlock(&h->lock);
  return stop || atomic_load(&h->s->cancel);
}

static void*
scheduler_main(void* const arg)
{
  HarvestScheduler* const h = (HarvestScheduler*)arg;
  pthread_mutex_lock(&h->lock);
  while (!h->stop) {
    const time_t now  = time(NULL);
    size_t       pick = h->config->n_sources;
    time_t       next = now + 3600;
    for (size_t i = 0; i < h->config->n_sources; ++i) {
      const SourceState* const st = &h->state[i];
      if (st->requested || (st->due && st->due <= now)) {
        pick = i;
        break;
      }
      if (st->due && st->due < next) {
        next = st->due;
      }
    }
    if (pick == h->config->n_sources) {
      struct timespec until = {next, 0};
      pthread_cond_timedwait(&h->wake, &h->lock, &until);
      continue;
    }
    SourceState* const     st  = &h->state[pick];
    const FdxSource* const src = &h->config->sources[pick];
    st->requested              = false;
    st->running                = true;
    st->started                = now;
    pthread_mutex_unlock(&h->lock);
    FdxRunOptions opts = {h->config->base ? h->config->base : h->s->base,
                          false, NULL, NULL, run_cancelled, h,
                          cli_harvest_txn_mapped()};
    json_t*  report = NULL;
    FdxError err;
    memset(&err, 0, sizeof(err));
    if (fdx_harvest_run(h->s->store, src, &opts, &report, &err)) {
      fprintf(stderr, "fairdex serve: harvest of %s: %s\n", src->name,
              err.message);
    }
    json_decref(report);
    pthread_mutex_lock(&h->lock);
    st->running = false;
    st->due     = src->schedule_s ? st->started + (time_t)src->schedule_s : 0;
  }
  pthread_mutex_unlock(&h->lock);
  return NULL;
}

HarvestScheduler*
serve_harvest_new(Serve* const s, FdxHarvestConfig* const config)
{
  HarvestScheduler* const h =
    (HarvestScheduler*)calloc(1, sizeof(HarvestScheduler));
  if (!h) {
    return NULL;
  }
  h->s      = s;
  h->config = config;
  h->state  = (SourceState*)calloc(config->n_sources ? config->n_sources : 1,
                                   sizeof(SourceState));
  if (!h->state) {
    free(h);
    return NULL;
  }
  pthread_mutex_init(&h->lock, NULL);
  pthread_condattr_t attr;
  pthread_condattr_init(&attr);
  pthread_cond_init(&h->wake, &attr); /* CLOCK_REALTIME: due times are */
  pthread_condattr_destroy(&attr);
  /* When each source is due: its last run's start plus its interval. */
  FdxTxn* txn = NULL;
  json_t* reports = NULL;
  if (!fdx_txn_begin(s->store, 0, &txn)) {
    reports = fdx_harvest_reports(txn, NULL, 0, (size_t)-1);
    fdx_txn_abort(txn);
  }
  const time_t now = time(NULL);
  for (size_t i = 0; i < config->n_sources; ++i) {
    const FdxSource* const src  = &config->sources[i];
    time_t                 last = 0;
    size_t                 k;
    const json_t*          r;
    json_array_foreach(reports, k, r)
    {
      const char* const name = json_string_value(json_object_get(r, "source"));
      if (name && !strcmp(name, src->name)) {
        last = fdx_harvest_time(json_string_value(json_object_get(r, "started")));
      }
    }
    h->state[i].started = last;
    h->state[i].due =
      src->schedule_s ? (last ? last + (time_t)src->schedule_s : now) : 0;
  }
  json_decref(reports);
  return h;
}

bool
serve_harvest_start(HarvestScheduler* const h)
{
  h->started = !pthread_create(&h->thread, NULL, scheduler_main, h);
  return h->started;
}

void
serve_harvest_free(HarvestScheduler* const h)
{
  if (!h) {
    return;
  }
  pthread_mutex_lock(&h->lock);
  h->stop = true;
  pthread_cond_broadcast(&h->wake);
  pthread_mutex_unlock(&h->lock);
  if (h->started) {
    pthread_join(h->thread, NULL);
  }
  pthread_cond_destroy(&h->wake);
  pthread_mutex_destroy(&h->lock);
  free(h->state);
  fdx_harvest_config_free(h->config);
  free(h);
}

/* ------------------------------------------------------------------------
 * Routes
 * --------------------------------------------------------------------- */

static void
send_json(Serve* const s, HttpRequest* const req, const unsigned status,
          json_t* const json)
{
  char* const text =
    json ? json_dumps(json, JSON_INDENT(2) | JSON_PRESERVE_ORDER) : NULL;
  json_decref(json);
  if (!text) {
    serve_error(s, req, 500, "internal_error", "out of memory");
    return;
  }
  Buf b;
  memset(&b, 0, sizeof(b));
  buf_puts(&b, text);
  buf_puts(&b, "\n");
  free(text);
  http_add_header(req, "Cache-Control", "no-store");
  serve_send(s, req, status, "application/json", &b, NULL);
}

static void
iso(const time_t t, char out[32])
{
  struct tm tm;
  gmtime_r(&t, &tm);
  strftime(out, 32, "%Y-%m-%dT%H:%M:%SZ", &tm);
}

void
route_sources(Serve* const s, HttpRequest* const req)
{
  if (!serve_only_params(s, req, NULL, 0)) {
    return;
  }
  HarvestScheduler* const h    = s->harvest;
  json_t* const           list = json_array();
  FdxTxn*                 txn  = NULL;
  if (!serve_snapshot(s, req, &txn)) {
    json_decref(list);
    return;
  }
  json_t* const reports =
    h ? fdx_harvest_reports(txn, NULL, 0, (size_t)-1) : NULL;
  serve_snapshot_end(s, txn);
  for (size_t i = 0; h && i < h->config->n_sources; ++i) {
    const FdxSource* const src = &h->config->sources[i];
    pthread_mutex_lock(&h->lock);
    const SourceState st = h->state[i];
    pthread_mutex_unlock(&h->lock);
    json_t*       last = NULL;
    size_t        k;
    const json_t* r;
    json_array_foreach(reports, k, r)
    {
      const char* const name = json_string_value(json_object_get(r, "source"));
      if (name && !strcmp(name, src->name)) {
        last = (json_t*)r;
      }
    }
    char due[32] = "";
    if (st.due) {
      iso(st.due, due);
    }
    json_t* const item = json_pack(
      "{s:s, s:s, s:s?, s:s?, s:s?, s:b, s:b, s:O?}", "name", src->name,
      "type", fdx_source_type_name(src->type), "url", src->url, "path",
      src->path, "schedule", src->schedule, "running", st.running,
      "requested", st.requested, "last_run", last);
    json_object_set_new(item, "next_run", due[0] ? json_string(due)
                                                 : json_null());
    json_array_append_new(list, item);
  }
  json_decref(reports);
  send_json(s, req, 200,
            json_pack("{s:b, s:o}", "scheduler", h != NULL, "sources", list));
}

void
route_source_harvest(Serve* const s, HttpRequest* const req,
                     const char* const name)
{
  if (!serve_authorize(s, req, FDX_ROLE_ADMIN) ||
      !serve_only_params(s, req, NULL, 0)) {
    return;
  }
  HarvestScheduler* const h = s->harvest;
  size_t                  i = 0;
  while (h && i < h->config->n_sources &&
         strcmp(h->config->sources[i].name, name)) {
    ++i;
  }
  if (!h || i == h->config->n_sources) {
    serve_error(s, req, 404, "not_found",
                h ? "there is no source %s"
                  : "there is no source %s (the server runs without "
                    "--harvest-config)",
                name);
    return;
  }
  pthread_mutex_lock(&h->lock);
  const bool running = h->state[i].running;
  h->state[i].requested = true;
  pthread_cond_broadcast(&h->wake);
  pthread_mutex_unlock(&h->lock);
  Buf loc;
  memset(&loc, 0, sizeof(loc));
  buf_puts(&loc, "/api/runs?source=");
  buf_pct(&loc, name, strlen(name), false);
  const char* const runs = loc.data ? loc.data : "/api/runs";
  http_add_header(req, "Location", runs);
  send_json(s, req, 202,
            json_pack("{s:s, s:s, s:s}", "source", name, "status",
                      running ? "queued after the run in progress" : "queued",
                      "runs", runs));
  buf_free(&loc);
}

void
route_runs(Serve* const s, HttpRequest* const req)
{
  static const char* const names[] = {"source", "order", "since", "before",
                                      "limit"};
  unsigned long long       since = 0, before = 0, limit = 0;
  if (!serve_only_params(s, req, names, 5) ||
      !serve_number_param(s, req, "since", 0, UINT64_MAX >> 1, 0, &since) ||
      !serve_number_param(s, req, "before", 1, UINT64_MAX >> 1, 0, &before) ||
      !serve_number_param(s, req, "limit", 1, MAX_RUNS, DEFAULT_RUNS, &limit)) {
    return;
  }
  /* before= alone means newest first too. */
  const char* const order  = http_param(req, "order");
  const bool        newest = order ? !strcmp(order, "newest")
                                   : http_param(req, "before") != NULL;
  if (order && !newest && strcmp(order, "oldest")) {
    serve_error(s, req, 400, "bad_request", "order is oldest or newest");
    return;
  }
  if (newest ? http_param(req, "since") != NULL
             : http_param(req, "before") != NULL) {
    serve_error(s, req, 400, "bad_request",
                "since goes with order=oldest, before with order=newest");
    return;
  }
  const char* const source = http_param(req, "source");
  if (source && (!*source || strlen(source) > 64)) {
    serve_error(s, req, 400, "bad_request", "source must be a source name");
    return;
  }
  FdxTxn* txn = NULL;
  if (!serve_snapshot(s, req, &txn)) {
    return;
  }
  json_t* const runs =
    newest ? fdx_harvest_reports_newest(txn, source, before, (size_t)limit)
           : fdx_harvest_reports(txn, source, since, (size_t)limit);
  serve_snapshot_end(s, txn);
  if (!runs) {
    serve_error(s, req, 500, "internal_error", "cannot read the run reports");
    return;
  }
  /* next: the id to ask from for the following page (since= or before=;
   * with before=, 0 once there is nothing older). */
  const json_t* const last = json_array_get(runs, json_array_size(runs) - 1);
  const json_int_t    next =
    last     ? json_integer_value(json_object_get(last, "id"))
    : newest ? 0
             : (json_int_t)since;
  send_json(s, req, 200,
            json_pack("{s:o, s:I}", "runs", runs, "next", next));
}

void
route_run(Serve* const s, HttpRequest* const req, const char* const id_text)
{
  if (!serve_only_params(s, req, NULL, 0)) {
    return;
  }
  char*                    end = NULL;
  const unsigned long long id  = strtoull(id_text, &end, 10);
  if (!*id_text || *end || id == 0 || id_text[0] == '-' ||
      id_text[0] == '+') {
    serve_error(s, req, 404, "not_found", "there is no run %s", id_text);
    return;
  }
  FdxTxn* txn = NULL;
  if (!serve_snapshot(s, req, &txn)) {
    return;
  }
  json_t* const report = fdx_harvest_report(txn, id);
  serve_snapshot_end(s, txn);
  if (!report) {
    serve_error(s, req, 404, "not_found", "there is no run %s", id_text);
    return;
  }
  send_json(s, req, 200, report);
}
