/*
 * cli.h: what the `fairdex` program's commands share: the parsed global
 * options, an argument scanner that accepts `--name value` and
 * `--name=value` anywhere on the line, and the way a command opens the
 * store.  Each command is one function `int cmd_NAME(CliContext*, int argc,
 * char** argv)` returning the process exit code.
 */
#ifndef FDX_CLI_H
#define FDX_CLI_H

#include "fairdex/store.h"

#include <stdbool.h>
#include <stdio.h>

typedef struct {
  const char* db;       /* --db, $FAIRDEX_DB, or ./fairdex-data */
  const char* program;  /* argv[0] for messages */
  const char* base;     /* the catalogue's base IRI for IRIs minted when a
                           store is first opened: `serve --base`, else
                           $FAIRDEX_BASE, else http://127.0.0.1:8080/ */
} CliContext;

/* One option a command accepts. */
typedef struct {
  const char* name;      /* without the leading "--" */
  bool        has_value; /* takes an argument */
  const char* help;
} CliOption;

/* Result of scanning one argument. */
typedef struct {
  int         index;   /* which CliOption, or -1 for a positional */
  const char* value;   /* the option's value or the positional itself */
} CliArg;

/* Scanner state over argv (argv[0] is the command name). */
typedef struct {
  int              argc;
  char**           argv;
  int              i;
  const CliOption* options;
  size_t           n_options;
  bool             only_positional; /* after "--" */
} CliScan;

/* Next argument: 1 and *ret filled, 0 at the end, -1 on an error (printed).
 * `--db` and `--help` are handled by the caller through the options list. */
int
cli_next(CliScan* scan, CliContext* ctx, const char* command, CliArg* ret);

/* Print a command's usage and options. */
void
cli_usage(FILE*            out,
          const char*      command,
          const char*      synopsis,
          const char*      description,
          const CliOption* options,
          size_t           n_options);

/* Report an error "fairdex COMMAND: message" on stderr. */
void
cli_error(const char* command, const char* fmt, ...)
#if defined(__GNUC__)
  __attribute__((format(printf, 2, 3)))
#endif
  ;

/* Open the store at ctx->db; prints the reason and returns NULL on error.
 * The first writable open of a store also installs the shipped
 * vocabularies (fdx_vocab_install), unless $FAIRDEX_VOCABULARIES is
 * "none" (a store that stays empty until something is loaded). */
FdxStore*
cli_open_store(const CliContext* ctx, const char* command, unsigned flags);

/* Parse an unsigned size like "256M", "1G", "4096". */
bool
cli_parse_size(const char* text, unsigned long long* ret);

/* $FAIRDEX_HARVEST_TXN_MAPPED as a size (FdxRunOptions.txn_mapped), or 0
 * where unset or not a size. */
uint64_t
cli_harvest_txn_mapped(void);

int
cmd_load(CliContext* ctx, int argc, char** argv);
int
cmd_dump(CliContext* ctx, int argc, char** argv);
int
cmd_stats(CliContext* ctx, int argc, char** argv);
int
cmd_query(CliContext* ctx, int argc, char** argv);
int
cmd_update(CliContext* ctx, int argc, char** argv);
int
cmd_serve(CliContext* ctx, int argc, char** argv);
int
cmd_token(CliContext* ctx, int argc, char** argv);
int
cmd_search(CliContext* ctx, int argc, char** argv);
int
cmd_reindex(CliContext* ctx, int argc, char** argv);

int
cmd_vocab(CliContext* ctx, int argc, char** argv);

int
cmd_harvest(CliContext* ctx, int argc, char** argv);

/* The base IRI new IRIs are minted under (see CliContext.base). */
const char*
cli_base(const CliContext* ctx);

#endif /* FDX_CLI_H */
