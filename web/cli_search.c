/*
 * cli_search.c: `fairdex search` (full-text search with facet filters,
 * as a list or as the JSON of /api/datasets) and `fairdex reindex` (build
 * the search index again from the quads).
 */
#include "cli.h"
#include "search_render.h"

#include "fairdex/search.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum {
  S_JSON,
  S_THEME,
  S_PUBLISHER,
  S_FORMAT,
  S_LICENSE,
  S_ACCESS_RIGHTS,
  S_KEYWORD,
  S_YEAR,
  S_SORT,
  S_LIMIT,
  S_PAGE,
  S_LANG,
  S_BASE,
  S_FACETS,
};

static const CliOption search_options[] = {
  {"json", false, "print the JSON answer of GET /api/datasets"},
  {"theme", true, "only resources with this dcat:theme IRI (repeatable: any)"},
  {"publisher", true, "only resources of this publisher IRI (repeatable)"},
  {"format", true, "only resources with a distribution of this format"},
  {"license", true, "only resources under this licence IRI (repeatable)"},
  {"access-rights", true, "only resources with these access rights"},
  {"keyword", true, "only resources with this keyword (repeatable)"},
  {"year", true, "only resources modified in this year (repeatable)"},
  {"sort", true, "relevance (default), modified (newest first) or title"},
  {"limit", true, "results per page (default 20, at most 100)"},
  {"page", true, "page of results (default 1)"},
  {"lang", true, "preferred language of titles and labels (default en)"},
  {"base", true, "base IRI for short ids in --json (default "
                 "http://127.0.0.1:8080/)"},
  {"facets", true, "values per facet in --json (default 20, 0: none)"},
};
#define N_SEARCH_OPTIONS (sizeof(search_options) / sizeof(search_options[0]))

#define MAX_FILTERS 64

static bool
parse_count(const char* const text, const size_t max, size_t* const ret)
{
  char*               end = NULL;
  const unsigned long v   = strtoul(text, &end, 10);
  if (!*text || *end || v > max || text[0] == '-') {
    return false;
  }
  *ret = (size_t)v;
  return true;
}

int
cmd_search(CliContext* const ctx, const int argc, char** const argv)
{
  static const char synopsis[] = "[OPTIONS] [QUERY]";
  static const char description[] =
    "Search the catalogue's datasets, data services and series as\n"
    "GET /api/datasets does: QUERY has words (all required), \"quoted\n"
    "phrases\", -exclusions and prefixes (word*); an empty QUERY lists\n"
    "everything.  Repeat a filter for alternatives; different filters\n"
    "must all hold.  Prints rank, score, title and IRI per result, or with\n"
    "--json the API's JSON (results, facets).";
  for (int k = 1; k < argc; ++k) {
    if (!strcmp(argv[k], "--help")) {
      cli_usage(stdout, "search", synopsis, description, search_options,
                N_SEARCH_OPTIONS);
      return 0;
    }
  }
  FdxSearchQuery q;
  memset(&q, 0, sizeof(q));
  const char* values[FDX_N_FACETS][MAX_FILTERS];
  bool        json    = false;
  size_t      limit   = 20;
  size_t      page    = 1;
  size_t      facets  = 20;
  const char* lang    = "en";
  const char* base    = "http://127.0.0.1:8080/";
  const char* query   = NULL;
  CliScan     scan = {argc, argv, 0, search_options, N_SEARCH_OPTIONS, false};
  CliArg      arg;
  int         r;
  while ((r = cli_next(&scan, ctx, "search", &arg)) > 0) {
    FdxFacet facet = FDX_N_FACETS;
    switch (arg.index) {
    case -1:
      if (query) {
        cli_error("search", "give the query as one argument (quote it)");
        return 2;
      }
      query = arg.value;
      break;
    case S_JSON:
      json = true;
      break;
    case S_THEME:
      facet = FDX_FACET_THEME;
      break;
    case S_PUBLISHER:
      facet = FDX_FACET_PUBLISHER;
      break;
    case S_FORMAT:
      facet = FDX_FACET_FORMAT;
      break;
    case S_LICENSE:
      facet = FDX_FACET_LICENSE;
      break;
    case S_ACCESS_RIGHTS:
      facet = FDX_FACET_ACCESS_RIGHTS;
      break;
    case S_KEYWORD:
      facet = FDX_FACET_KEYWORD;
      break;
    case S_YEAR:
      facet = FDX_FACET_YEAR;
      break;
    case S_SORT:
      if (!strcmp(arg.value, "relevance")) {
        q.sort = FDX_SEARCH_SORT_RELEVANCE;
      } else if (!strcmp(arg.value, "modified")) {
        q.sort = FDX_SEARCH_SORT_MODIFIED;
      } else if (!strcmp(arg.value, "title")) {
        q.sort = FDX_SEARCH_SORT_TITLE;
      } else {
        cli_error("search", "--sort is relevance, modified or title");
        return 2;
      }
      break;
    case S_LIMIT:
      if (!parse_count(arg.value, 100, &limit) || !limit) {
        cli_error("search", "--limit is a number from 1 to 100");
        return 2;
      }
      break;
    case S_PAGE:
      if (!parse_count(arg.value, FDX_SEARCH_MAX_WINDOW, &page) || !page) {
        cli_error("search", "--page is a number from 1 to %d",
                  FDX_SEARCH_MAX_WINDOW);
        return 2;
      }
      break;
    case S_LANG:
      lang = arg.value;
      break;
    case S_BASE:
      base = arg.value;
      break;
    case S_FACETS:
      if (!parse_count(arg.value, 1000, &facets)) {
        cli_error("search", "--facets is a number from 0 to 1000");
        return 2;
      }
      break;
    }
    if (facet != FDX_N_FACETS) {
      if (q.n_values[facet] == MAX_FILTERS) {
        cli_error("search", "at most %d values per filter", MAX_FILTERS);
        return 2;
      }
      values[facet][q.n_values[facet]++] = arg.value;
    }
  }
  if (r < 0) {
    return 2;
  }
  for (int f = 0; f < FDX_N_FACETS; ++f) {
    q.values[f] = values[f];
  }
  q.q           = query;
  q.limit       = limit;
  q.offset      = (page - 1) * limit;
  q.facet_limit = json ? facets : 0;
  q.timeout_s   = 60;
  if (q.offset + q.limit > FDX_SEARCH_MAX_WINDOW) {
    cli_error("search", "results beyond the first %d cannot be paged to",
              FDX_SEARCH_MAX_WINDOW);
    return 2;
  }

  FdxStore* const store = cli_open_store(ctx, "search", FDX_STORE_READ_ONLY);
  if (!store) {
    return 1;
  }
  FdxSearch* const search = fdx_search_new();
  FdxTxn*          txn    = NULL;
  FdxSearchResult* res    = NULL;
  FdxError         err;
  memset(&err, 0, sizeof(err));
  int       code = 0;
  FdxStatus st   = search ? fdx_txn_begin(store, 0, &txn) : FDX_ERR_NO_MEMORY;
  if (!st) {
    st = fdx_search_run(search, txn, &q, &res, &err);
  }
  if (st) {
    cli_error("search", "%s", err.message[0] ? err.message : fdx_strerror(st));
    code = st == FDX_ERR_BAD_ARG || st == FDX_ERR_LIMIT ? 2 : 1;
  } else if (json) {
    Buf               out;
    const SearchRender opts = {lang, base, page, limit, 240};
    memset(&out, 0, sizeof(out));
    st = search_render_results(txn, search, res, &opts, &out);
    if (st || out.failed) {
      cli_error("search", "cannot render the results: %s",
                fdx_strerror(st ? st : FDX_ERR_NO_MEMORY));
      code = 1;
    } else {
      fwrite(out.data, 1, out.len, stdout);
    }
    buf_free(&out);
  } else {
    const size_t n = fdx_search_result_count(res);
    printf("%llu result%s\n",
           (unsigned long long)fdx_search_result_total(res),
           fdx_search_result_total(res) == 1 ? "" : "s");
    for (size_t i = 0; i < n; ++i) {
      const FdxSearchHit* const hit = fdx_search_result_hit(res, i);
      FdxTermBuf                title, iri;
      const bool has_title = !fdx_search_label(txn, hit->subject, lang, &title);
      printf("%zu. ", q.offset + i + 1);
      if (q.sort == FDX_SEARCH_SORT_RELEVANCE && hit->score > 0) {
        printf("[%.2f] ", hit->score);
      }
      if (has_title) {
        printf("%.*s", (int)title.term.value_len, title.term.value);
      } else {
        printf("(untitled)");
      }
      if (!fdx_term_get(txn, hit->subject, &iri)) {
        printf("\n   %.*s\n", (int)iri.term.value_len, iri.term.value);
      } else {
        printf("\n");
      }
    }
  }
  fdx_search_result_free(res);
  fdx_txn_abort(txn);
  fdx_search_free(search);
  fdx_store_free(store);
  return code;
}

int
cmd_reindex(CliContext* const ctx, const int argc, char** const argv)
{
  static const char description[] =
    "Build the search index again from the quads, in one transaction\n"
    "(readers go on seeing the old index until it commits).  The index is\n"
    "kept up to date by every write, so this is only needed after a\n"
    "change to how fairdex indexes.";
  for (int k = 1; k < argc; ++k) {
    if (!strcmp(argv[k], "--help")) {
      cli_usage(stdout, "reindex", "", description, NULL, 0);
      return 0;
    }
  }
  CliScan scan = {argc, argv, 0, NULL, 0, false};
  CliArg  arg;
  int     r;
  while ((r = cli_next(&scan, ctx, "reindex", &arg)) > 0) {
    cli_error("reindex", "unexpected argument '%s'", arg.value);
    return 2;
  }
  if (r < 0) {
    return 2;
  }
  FdxStore* const store = cli_open_store(ctx, "reindex", 0);
  if (!store) {
    return 1;
  }
  uint64_t  docs = 0;
  FdxError  err;
  memset(&err, 0, sizeof(err));
  const FdxStatus st = fdx_search_rebuild(store, &docs, &err);
  fdx_store_free(store);
  if (st) {
    cli_error("reindex", "%s", err.message[0] ? err.message : fdx_strerror(st));
    return 1;
  }
  printf("indexed %llu resource%s\n", (unsigned long long)docs,
         docs == 1 ? "" : "s");
  return 0;
}
