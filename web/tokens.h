/*
 * tokens.h: the bearer tokens of `fairdex serve` (readers, curators,
 * admins).  A token is shown once, when it is made; the store keeps only
 * its SHA-256, in the auxiliary table "tokens" keyed by the token's name,
 * so a stolen data directory gives no working token.  Checking compares
 * the hash against every stored one in constant time.
 */
#ifndef FDX_TOKENS_H
#define FDX_TOKENS_H

#include "fairdex/store.h"

#include <stdbool.h>
#include <stddef.h>

/* Roles in increasing power: a role may do what the ones below it may. */
typedef enum {
  FDX_ROLE_NONE    = 0,
  FDX_ROLE_READER  = 1,
  FDX_ROLE_CURATOR = 2,
  FDX_ROLE_ADMIN   = 3
} FdxRole;

/* "fdx_" and 43 base64url characters (32 random bytes). */
#define FDX_TOKEN_CHARS 47
#define FDX_TOKEN_NAME_MAX 64

const char* fdx_role_name(FdxRole role);
FdxRole     fdx_role_from_name(const char* name); /* NONE if unknown */

/* True for 1..64 characters of [A-Za-z0-9._-]. */
bool fdx_token_name_valid(const char* name);

/* Make a token called `name` with `role` and write it to `out`.
 * FDX_FAILURE if the name is taken. */
FdxStatus fdx_token_create(FdxStore* store, const char* name, FdxRole role,
                           char out[FDX_TOKEN_CHARS + 1]);

/* Remove the token called `name`; FDX_FAILURE if there is none. */
FdxStatus fdx_token_revoke(FdxStore* store, const char* name);

typedef FdxStatus (*FdxTokenFunc)(void* ctx, const char* name, FdxRole role,
                                  const char* created);

/* Call `fn` for each token, by name. */
FdxStatus fdx_token_each(FdxTxn* txn, FdxTokenFunc fn, void* ctx);

/* The role of `token` (FDX_ROLE_NONE if it is not a live token) and its
 * name (may be NULL; at least FDX_TOKEN_NAME_MAX + 1 bytes). */
FdxStatus fdx_token_check(FdxTxn* txn, const char* token, size_t len,
                          FdxRole* ret_role, char* ret_name);

#endif /* FDX_TOKENS_H */
