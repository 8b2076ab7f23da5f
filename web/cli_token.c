/*
 * cli_token.c: `fairdex token create|list|revoke`, the bearer tokens that
 * `fairdex serve` checks (tokens.h).  `create` prints the new token alone
 * on one line of standard output, once: the store keeps only its hash.
 */
#include "cli.h"
#include "tokens.h"

#include <stdio.h>
#include <string.h>

enum { T_NAME, T_ROLE };

static const CliOption token_options[] = {
  {"name", true, "the token's name (letters, digits, '.', '_', '-'; at most 64)"},
  {"role", true, "reader, curator or admin (create)"},
};
#define N_TOKEN_OPTIONS (sizeof(token_options) / sizeof(token_options[0]))

static FdxStatus
print_token(void* const ctx, const char* const name, const FdxRole role,
            const char* const created)
{
  (void)ctx;
  printf("%s\t%s\t%s\n", name, fdx_role_name(role), created);
  return FDX_SUCCESS;
}

int
cmd_token(CliContext* const ctx, const int argc, char** const argv)
{
  static const char synopsis[] =
    "create --name NAME --role reader|curator|admin | list | revoke NAME";
  static const char description[] =
    "Manage the bearer tokens of `fairdex serve`.  `create` prints the new\n"
    "token once (only its hash is kept); `list` prints name, role and\n"
    "creation time per line; `revoke` removes a token at once, also for a\n"
    "server that is running.";
  for (int k = 1; k < argc; ++k) {
    if (!strcmp(argv[k], "--help")) {
      cli_usage(stdout, "token", synopsis, description, token_options,
                N_TOKEN_OPTIONS);
      return 0;
    }
  }
  const char* action = NULL;
  const char* name   = NULL;
  const char* role   = NULL;
  CliScan     scan   = {argc, argv, 0, token_options, N_TOKEN_OPTIONS, false};
  CliArg      arg;
  int         r;
  while ((r = cli_next(&scan, ctx, "token", &arg)) > 0) {
    switch (arg.index) {
    case -1:
      if (!action) {
        action = arg.value;
      } else if (!name && !strcmp(action, "revoke")) {
        name = arg.value;
      } else {
        cli_error("token", "unexpected argument '%s'", arg.value);
        return 2;
      }
      break;
    case T_NAME:
      name = arg.value;
      break;
    case T_ROLE:
      role = arg.value;
      break;
    }
  }
  if (r < 0) {
    return 2;
  }
  if (!action || (strcmp(action, "create") && strcmp(action, "list") &&
                  strcmp(action, "revoke"))) {
    cli_error("token", "say create, list or revoke (see fairdex token --help)");
    return 2;
  }
  if (!strcmp(action, "create")) {
    if (!name || !fdx_token_name_valid(name)) {
      cli_error("token", "create needs --name NAME of 1 to 64 letters, digits, "
                         "'.', '_' or '-'");
      return 2;
    }
    const FdxRole fr = fdx_role_from_name(role);
    if (fr == FDX_ROLE_NONE) {
      cli_error("token", "create needs --role reader, curator or admin");
      return 2;
    }
    FdxStore* const store = cli_open_store(ctx, "token", FDX_STORE_CREATE);
    if (!store) {
      return 1;
    }
    char            token[FDX_TOKEN_CHARS + 1];
    const FdxStatus st = fdx_token_create(store, name, fr, token);
    fdx_store_free(store);
    if (st == FDX_FAILURE) {
      cli_error("token", "a token named %s exists already (revoke it first)",
                name);
      return 1;
    }
    if (st) {
      cli_error("token", "cannot create the token: %s", fdx_strerror(st));
      return 1;
    }
    printf("%s\n", token);
    return 0;
  }
  if (!strcmp(action, "revoke")) {
    if (!name) {
      cli_error("token", "revoke needs the token's NAME");
      return 2;
    }
    FdxStore* const store = cli_open_store(ctx, "token", 0);
    if (!store) {
      return 1;
    }
    const FdxStatus st = fdx_token_revoke(store, name);
    fdx_store_free(store);
    if (st == FDX_FAILURE) {
      cli_error("token", "no token named %s", name);
      return 1;
    }
    if (st) {
      cli_error("token", "cannot revoke the token: %s", fdx_strerror(st));
      return 1;
    }
    return 0;
  }
  if (name || role) {
    cli_error("token", "list takes no --name or --role");
    return 2;
  }
  FdxStore* const store = cli_open_store(ctx, "token", FDX_STORE_READ_ONLY);
  if (!store) {
    return 1;
  }
  FdxTxn*   txn = NULL;
  FdxStatus st  = fdx_txn_begin(store, 0, &txn);
  if (!st) {
    st = fdx_token_each(txn, print_token, NULL);
  }
  fdx_txn_abort(txn);
  fdx_store_free(store);
  if (st) {
    cli_error("token", "cannot list the tokens: %s", fdx_strerror(st));
    return 1;
  }
  return 0;
}
