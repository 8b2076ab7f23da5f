/*
 * main.c: the `fairdex` program.  It reads the global options (`--db`,
 * `--help`, `--version`) that may stand before the command name, picks the
 * command and hands it the rest of the line; every command also accepts
 * `--db` among its own options, so `fairdex --db D load F` and
 * `fairdex load --db D F` mean the same.  This file and the cli_*.c files
 * are the only code that prints: the libraries return statuses.
 */
#include "cli.h"

#include "fairdex/vocab.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct {
  const char* name;
  int (*run)(CliContext*, int, char**);
  const char* summary;
} Command;

static const Command commands[] = {
  {"load", cmd_load, "load RDF files into the store"},
  {"dump", cmd_dump, "write the store (or one graph) as RDF"},
  {"stats", cmd_stats, "print counts and sizes of the store"},
  {"query", cmd_query, "run a SPARQL query and print the results"},
  {"update", cmd_update, "run a SPARQL update in one transaction"},
  {"serve", cmd_serve, "serve SPARQL, Linked Data and feeds over HTTP"},
  {"token", cmd_token, "create, list and revoke the server's bearer tokens"},
  {"search", cmd_search, "search datasets by words and facets"},
  {"reindex", cmd_reindex, "build the search index again from the quads"},
  {"vocab", cmd_vocab, "list, show, import, export and revert vocabularies"},
  {"harvest", cmd_harvest, "harvest the configured sources into the store"},
};
#define N_COMMANDS (sizeof(commands) / sizeof(commands[0]))

static void
usage(FILE* const out)
{
  fprintf(out,
          "usage: fairdex [--db DIR] COMMAND [OPTIONS] [ARGS]\n"
          "\n"
          "A FAIR metadata catalogue: RDF quad store, harvester and server.\n"
          "\n"
          "Commands:\n");
  for (size_t i = 0; i < N_COMMANDS; ++i) {
    fprintf(out, "  %-8s %s\n", commands[i].name, commands[i].summary);
  }
  fprintf(out,
          "\n"
          "Global options:\n"
          "  --db DIR     store directory (default: $FAIRDEX_DB or "
          "./fairdex-data)\n"
          "  --help       show this help; `fairdex COMMAND --help` for a "
          "command\n"
          "  --version    print the version\n");
}

void
cli_error(const char* const command, const char* const fmt, ...)
{
  fprintf(stderr, "fairdex%s%s: ", command ? " " : "", command ? command : "");
  va_list args;
  va_start(args, fmt);
  vfprintf(stderr, fmt, args);
  va_end(args);
  fputc('\n', stderr);
}

void
cli_usage(FILE* const            out,
          const char* const      command,
          const char* const      synopsis,
          const char* const      description,
          const CliOption* const options,
          const size_t           n_options)
{
  fprintf(out, "usage: fairdex %s %s\n\n%s\n\nOptions:\n", command, synopsis,
          description);
  for (size_t i = 0; i < n_options; ++i) {
    char left[64];
    snprintf(left, sizeof(left), "--%s%s", options[i].name,
             options[i].has_value ? " VALUE" : "");
    fprintf(out, "  %-22s %s\n", left, options[i].help);
  }
  fprintf(out, "  %-22s %s\n  %-22s %s\n", "--db DIR",
          "store directory (default: $FAIRDEX_DB or ./fairdex-data)",
          "--help", "show this help");
}

int
cli_next(CliScan* const    scan,
         CliContext* const ctx,
         const char* const command,
         CliArg* const     ret)
{
  while (++scan->i < scan->argc) {
    const char* const arg = scan->argv[scan->i];
    if (scan->only_positional || arg[0] != '-' || !strcmp(arg, "-")) {
      *ret = (CliArg){-1, arg};
      return 1;
    }
    if (!strcmp(arg, "--")) {
      scan->only_positional = true;
      continue;
    }
    if (strncmp(arg, "--", 2)) {
      cli_error(command, "unknown option '%s' (see --help)", arg);
      return -1;
    }
    const char* const name   = arg + 2;
    const char* const eq     = strchr(name, '=');
    const size_t      len    = eq ? (size_t)(eq - name) : strlen(name);
    const char*       value  = eq ? eq + 1 : NULL;
    bool              is_db  = len == 2 && !strncmp(name, "db", 2);
    int               index  = -1;
    bool              wants  = is_db;
    for (size_t k = 0; !is_db && k < scan->n_options; ++k) {
      if (strlen(scan->options[k].name) == len &&
          !strncmp(scan->options[k].name, name, len)) {
        index = (int)k;
        wants = scan->options[k].has_value;
      }
    }
    if (!is_db && index < 0) {
      cli_error(command, "unknown option '--%.*s' (see --help)", (int)len,
                name);
      return -1;
    }
    if (wants && !value) {
      if (scan->i + 1 >= scan->argc) {
        cli_error(command, "option '--%.*s' needs a value", (int)len, name);
        return -1;
      }
      value = scan->argv[++scan->i];
    } else if (!wants && value) {
      cli_error(command, "option '--%.*s' takes no value", (int)len, name);
      return -1;
    }
    if (is_db) {
      if (!*value) {
        cli_error(command, "--db needs a directory");
        return -1;
      }
      ctx->db = value;
      continue;
    }
    *ret = (CliArg){index, value};
    return 1;
  }
  return 0;
}

FdxStore*
cli_open_store(const CliContext* const ctx,
               const char* const       command,
               const unsigned          flags)
{
  FdxStore* store = NULL;
  FdxError  err;
  memset(&err, 0, sizeof(err));
  if (fdx_store_new(&store)) {
    cli_error(command, "out of memory");
    return NULL;
  }
  const char* const map = getenv("FAIRDEX_MAP_SIZE");
  unsigned long long map_size = 0;
  if (map && cli_parse_size(map, &map_size)) {
    fdx_store_set_map_size(store, map_size);
  }
  const char* const min_free = getenv("FAIRDEX_MIN_FREE_DISK");
  unsigned long long min_free_bytes = 0;
  if (min_free && cli_parse_size(min_free, &min_free_bytes)) {
    fdx_store_set_min_free_disk(store, min_free_bytes);
  }
  FdxStatus st = fdx_store_open(store, ctx->db, flags, &err);
  const char* const vocabularies = getenv("FAIRDEX_VOCABULARIES");
  if (!st && !(flags & FDX_STORE_READ_ONLY) &&
      !(vocabularies && !strcmp(vocabularies, "none"))) {
    /* Into a store that already holds data this takes a while (the
     * datasets using the vocabularies' concepts are indexed again with
     * their labels): say what happened. */
    FdxTxn*       txn = NULL;
    FdxStoreStats before;
    memset(&before, 0, sizeof(before));
    if (!fdx_txn_begin(store, 0, &txn)) {
      fdx_store_stats(txn, &before);
    }
    fdx_txn_abort(txn);
    bool installed = false;
    st = fdx_vocab_install(store, cli_base(ctx), &installed, &err);
    if (!st && installed && before.quads) {
      fprintf(stderr,
              "fairdex %s: installed the shipped vocabularies into %s "
              "(once per store; FAIRDEX_VOCABULARIES=none skips it)\n",
              command, ctx->db);
    }
  }
  if (st) {
    cli_error(command, "%s: %s", ctx->db,
              err.message[0] ? err.message : fdx_strerror(st));
    fdx_store_free(store);
    return NULL;
  }
  return store;
}

const char*
cli_base(const CliContext* const ctx)
{
  const char* const env = getenv("FAIRDEX_BASE");
  return ctx->base ? ctx->base
         : env && (!strncmp(env, "http://", 7) || !strncmp(env, "https://", 8))
           ? env
           : "http://127.0.0.1:8080/";
}

bool
cli_parse_size(const char* const text, unsigned long long* const ret)
{
  char*                    end = NULL;
  const unsigned long long v   = strtoull(text, &end, 10);
  if (end == text || text[0] == '-') {
    return false;
  }
  unsigned shift = 0;
  switch (*end) {
  case '\0':
    break;
  case 'k':
  case 'K':
    shift = 10;
    break;
  case 'm':
  case 'M':
    shift = 20;
    break;
  case 'g':
  case 'G':
    shift = 30;
    break;
  default:
    return false;
  }
  if (*end && end[1] && strcmp(end + 1, "iB") && strcmp(end + 1, "B")) {
    return false;
  }
  if (shift && v > (~0ULL >> shift)) {
    return false;
  }
  *ret = v << shift;
  return true;
}

uint64_t
cli_harvest_txn_mapped(void)
{
  const char* const  text  = getenv("FAIRDEX_HARVEST_TXN_MAPPED");
  unsigned long long bytes = 0;
  return text && cli_parse_size(text, &bytes) ? (uint64_t)bytes : 0;
}

int
main(int argc, char** argv)
{
  CliContext ctx = {getenv("FAIRDEX_DB"), "fairdex", NULL};
  if (!ctx.db || !*ctx.db) {
    ctx.db = "./fairdex-data";
  }
  int i = 1;
  for (; i < argc && argv[i][0] == '-'; ++i) {
    const char* const arg = argv[i];
    if (!strcmp(arg, "--help") || !strcmp(arg, "-h")) {
      usage(stdout);
      return 0;
    }
    if (!strcmp(arg, "--version")) {
      printf("fairdex %s\n", FAIRDEX_VERSION);
      return 0;
    }
    if (!strcmp(arg, "--db") || !strcmp(arg, "--db=")) {
      if (arg[4] == '=' || i + 1 >= argc || !argv[i + 1][0]) {
        cli_error(NULL, "option '%s' needs a value (a directory)", arg);
        return 2;
      }
      ctx.db = argv[++i];
    } else if (!strncmp(arg, "--db=", 5)) {
      ctx.db = arg + 5;
    } else {
      cli_error(NULL, "unknown option '%s' (see --help)", arg);
      return 2;
    }
  }
  if (i >= argc) {
    usage(stderr);
    return 2;
  }
  for (size_t k = 0; k < N_COMMANDS; ++k) {
    if (!strcmp(argv[i], commands[k].name)) {
      return commands[k].run(&ctx, argc - i, argv + i);
    }
  }
  cli_error(NULL, "unknown command '%s' (see --help)", argv[i]);
  return 2;
}
