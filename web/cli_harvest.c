/*
 * cli_harvest.c: `fairdex harvest --config FILE [--source NAME]... [--full]
 * [--json]`: run the configured sources one after the other
 * (fairdex/harvest.h), with progress on a terminal and a summary table (or
 * the run reports as JSON) at the end.  Exit 0 when every run completed, 1
 * when any failed or stopped (what the others wrote stays committed).
 */
#include "cli.h"

#include "fairdex/harvest.h"

#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

enum { H_CONFIG, H_SOURCE, H_FULL, H_JSON };

static const CliOption harvest_options[] = {
  {"config", true, "the harvest configuration (JSON; see the README)"},
  {"source", true, "harvest only this source (repeatable; default: all)"},
  {"full", false, "fetch and write everything again (no conditional GET, "
                  "no unchanged-record skipping)"},
  {"json", false, "print the run reports as JSON {\"runs\": [...]}"},
};
#define N_HARVEST_OPTIONS (sizeof(harvest_options) / sizeof(harvest_options[0]))
#define MAX_NAMED_SOURCES 256

static volatile sig_atomic_t interrupted;

static void
on_signal(const int sig)
{
  (void)sig;
  interrupted = 1;
}

static bool
is_cancelled(void* const ctx)
{
  (void)ctx;
  return interrupted != 0;
}

static void
show_progress(void* const ctx, const json_t* const r)
{
  (void)ctx;
  fprintf(stderr,
          "\r%s: %lld pages, %lld added, %lld updated, %lld unchanged, %lld "
          "failed   ",
          json_string_value(json_object_get(r, "source")),
          (long long)json_integer_value(json_object_get(r, "pages")),
          (long long)json_integer_value(json_object_get(r, "added")),
          (long long)json_integer_value(json_object_get(r, "updated")),
          (long long)json_integer_value(json_object_get(r, "unchanged")),
          (long long)json_integer_value(json_object_get(r, "failed")));
  fflush(stderr);
}

static long long
count(const json_t* const r, const char* const key)
{
  return (long long)json_integer_value(json_object_get(r, key));
}

int
cmd_harvest(CliContext* const ctx, const int argc, char** const argv)
{
  static const char synopsis[] =
    "--config FILE [--source NAME]... [--full] [--json]";
  static const char description[] =
    "Harvest the configured sources into the store, one after the other.\n"
    "Each record becomes one named graph with its dcat:CatalogRecord;\n"
    "unchanged records cost no write; records a source no longer lists are\n"
    "deleted only after a complete listing, and not beyond the source's\n"
    "delete_threshold.  Exit 0 when every run completed, 1 otherwise.";
  for (int k = 1; k < argc; ++k) {
    if (!strcmp(argv[k], "--help")) {
      cli_usage(stdout, "harvest", synopsis, description, harvest_options,
                N_HARVEST_OPTIONS);
      return 0;
    }
  }
  const char* config_path = NULL;
  const char* names[MAX_NAMED_SOURCES];
  size_t      n_names = 0;
  bool        full = false, json = false;
  CliScan     scan = {argc, argv, 0, harvest_options, N_HARVEST_OPTIONS, false};
  CliArg      arg;
  int         r;
  while ((r = cli_next(&scan, ctx, "harvest", &arg)) > 0) {
    switch (arg.index) {
    case -1:
      cli_error("harvest", "unexpected argument '%s'", arg.value);
      return 2;
    case H_CONFIG:
      config_path = arg.value;
      break;
    case H_SOURCE:
      if (n_names == MAX_NAMED_SOURCES) {
        cli_error("harvest", "at most %d --source options", MAX_NAMED_SOURCES);
        return 2;
      }
      names[n_names++] = arg.value;
      break;
    case H_FULL:
      full = true;
      break;
    case H_JSON:
      json = true;
      break;
    }
  }
  if (r < 0) {
    return 2;
  }
  if (!config_path) {
    cli_error("harvest", "--config FILE is needed (see fairdex harvest "
                         "--help)");
    return 2;
  }
  FdxHarvestConfig* config = NULL;
  FdxError          err;
  memset(&err, 0, sizeof(err));
  if (fdx_harvest_config_load(config_path, &config, &err)) {
    if (err.line) {
      cli_error("harvest", "%s:%ld:%ld: %s", config_path, err.line,
                err.column, err.message);
    } else {
      cli_error("harvest", "%s: %s", config_path, err.message);
    }
    return 2;
  }
  for (size_t i = 0; i < n_names; ++i) {
    if (!fdx_harvest_source(config, names[i])) {
      cli_error("harvest", "%s has no source named %s", config_path,
                names[i]);
      fdx_harvest_config_free(config);
      return 2;
    }
  }
  FdxStore* const store = cli_open_store(ctx, "harvest", FDX_STORE_CREATE);
  if (!store) {
    fdx_harvest_config_free(config);
    return 1;
  }
  struct sigaction sa;
  memset(&sa, 0, sizeof(sa));
  sa.sa_handler = on_signal;
  sigaction(SIGINT, &sa, NULL);
  sigaction(SIGTERM, &sa, NULL);
  const bool    tty  = isatty(STDERR_FILENO) && !json;
  FdxRunOptions opts = {config->base ? config->base : cli_base(ctx),
                        full,
                        tty ? show_progress : NULL,
                        NULL,
                        is_cancelled,
                        NULL,
                        cli_harvest_txn_mapped()};
  json_t* const runs   = json_array();
  int           status = 0;
  for (size_t i = 0; i < config->n_sources && !interrupted; ++i) {
    const FdxSource* const src = &config->sources[i];
    bool                   wanted = n_names == 0;
    for (size_t k = 0; k < n_names; ++k) {
      wanted = wanted || !strcmp(names[k], src->name);
    }
    if (!wanted) {
      continue;
    }
    json_t*         report = NULL;
    const FdxStatus st     = fdx_harvest_run(store, src, &opts, &report, &err);
    if (tty) {
      fprintf(stderr, "\r\033[K");
    }
    if (st) {
      cli_error("harvest", "%s: %s", src->name, err.message);
      status = 1;
      break;
    }
    if (strcmp(json_string_value(json_object_get(report, "status")),
               "complete")) {
      status = 1;
    }
    json_array_append_new(runs, report);
  }
  fdx_store_free(store);
  if (json) {
    json_t* const out  = json_pack("{s:O}", "runs", runs);
    char* const   text = json_dumps(out, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
    if (text) {
      printf("%s\n", text);
    }
    free(text);
    json_decref(out);
  } else {
    printf("%-20s %-9s %8s %8s %9s %8s %7s %6s\n", "SOURCE", "STATUS",
           "ADDED", "UPDATED", "UNCHANGED", "DELETED", "FAILED", "PAGES");
    size_t        i;
    const json_t* rep;
    json_array_foreach(runs, i, rep)
    {
      printf("%-20s %-9s %8lld %8lld %9lld %8lld %7lld %6lld\n",
             json_string_value(json_object_get(rep, "source")),
             json_string_value(json_object_get(rep, "status")),
             count(rep, "added"), count(rep, "updated"),
             count(rep, "unchanged"), count(rep, "deleted"),
             count(rep, "failed"), count(rep, "pages"));
    }
    json_array_foreach(runs, i, rep)
    {
      const char* const message =
        json_string_value(json_object_get(rep, "message"));
      if (message) {
        fprintf(stderr, "%s (run %lld): %s\n",
                json_string_value(json_object_get(rep, "source")),
                count(rep, "id"), message);
      }
      size_t        k;
      const json_t* e;
      json_array_foreach(json_object_get(rep, "errors"), k, e)
      {
        const char* const record =
          json_string_value(json_object_get(e, "record"));
        fprintf(stderr, "  %s%s%s\n", record ? record : "",
                record ? ": " : "",
                json_string_value(json_object_get(e, "message")));
      }
    }
  }
  if (interrupted) {
    cli_error("harvest", "interrupted");
    status = 1;
  }
  json_decref(runs);
  fdx_harvest_config_free(config);
  return status;
}
