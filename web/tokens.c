/*
 * tokens.c: bearer tokens kept hashed in the store (see tokens.h).
 *
 * A record in the auxiliary table "tokens" is keyed by the token's name;
 * its value is "ROLE<TAB>CREATED<TAB>SHA256-HEX".  Tokens come from the
 * kernel's random source (getrandom), 32 bytes written as base64url.
 */
#include "tokens.h"

#include <nettle/sha2.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/random.h>
#include <time.h>

#define TABLE "tokens"
#define HASH_HEX (SHA256_DIGEST_SIZE * 2)

static const char* const role_names[] = {"none", "reader", "curator", "admin"};

const char*
fdx_role_name(const FdxRole role)
{
  return role <= FDX_ROLE_ADMIN ? role_names[role] : "none";
}

FdxRole
fdx_role_from_name(const char* const name)
{
  for (int r = FDX_ROLE_READER; r <= FDX_ROLE_ADMIN; ++r) {
    if (name && !strcmp(name, role_names[r])) {
      return (FdxRole)r;
    }
  }
  return FDX_ROLE_NONE;
}

bool
fdx_token_name_valid(const char* const name)
{
  const size_t len = name ? strlen(name) : 0;
  if (len == 0 || len > FDX_TOKEN_NAME_MAX) {
    return false;
  }
  for (size_t i = 0; i < len; ++i) {
    const char c = name[i];
    if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
          (c >= '0' && c <= '9') || c == '.' || c == '_' || c == '-')) {
      return false;
    }
  }
  return true;
}

static void
hash_hex(const char* const token, const size_t len, char out[HASH_HEX + 1])
{
  struct sha256_ctx ctx;
  uint8_t           digest[SHA256_DIGEST_SIZE];
  sha256_init(&ctx);
  sha256_update(&ctx, len, (const uint8_t*)token);
  sha256_digest(&ctx, sizeof(digest), digest);
  static const char hex[] = "0123456789abcdef";
  for (size_t i = 0; i < sizeof(digest); ++i) {
    out[2 * i]     = hex[digest[i] >> 4];
    out[2 * i + 1] = hex[digest[i] & 15];
  }
  out[HASH_HEX] = '\0';
}

typedef struct {
  const char* name;
  FdxRole     role;
  bool        taken;
  char        token[FDX_TOKEN_CHARS + 1];
} CreateCtx;

static FdxStatus
create_in(FdxTxn* const txn, void* const vctx)
{
  CreateCtx* const ctx = (CreateCtx*)vctx;
  const void*      old = NULL;
  size_t           old_len = 0;
  FdxStatus st = fdx_aux_get(txn, TABLE, ctx->name, strlen(ctx->name), &old,
                             &old_len);
  if (st == FDX_SUCCESS) {
    ctx->taken = true;
    return FDX_ERR_BAD_ARG; /* abort: the name is taken */
  }
  if (st != FDX_FAILURE) {
    return st;
  }
  char       hash[HASH_HEX + 1];
  char       created[32];
  const time_t now = time(NULL);
  struct tm    tm;
  gmtime_r(&now, &tm);
  strftime(created, sizeof(created), "%Y-%m-%dT%H:%M:%SZ", &tm);
  hash_hex(ctx->token, strlen(ctx->token), hash);
  char value[160];
  const int n = snprintf(value, sizeof(value), "%s\t%s\t%s",
                         fdx_role_name(ctx->role), created, hash);
  return fdx_aux_put(txn, TABLE, ctx->name, strlen(ctx->name), value, (size_t)n);
}

FdxStatus
fdx_token_create(FdxStore* const store, const char* const name,
                 const FdxRole role, char out[FDX_TOKEN_CHARS + 1])
{
  if (!fdx_token_name_valid(name) || role == FDX_ROLE_NONE) {
    return FDX_ERR_BAD_ARG;
  }
  uint8_t random[32];
  size_t  got = 0;
  while (got < sizeof(random)) {
    const ssize_t n = getrandom(random + got, sizeof(random) - got, 0);
    if (n <= 0) {
      return FDX_ERR_IO;
    }
    got += (size_t)n;
  }
  static const char b64[] =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
  CreateCtx ctx;
  memset(&ctx, 0, sizeof(ctx));
  ctx.name = name;
  ctx.role = role;
  memcpy(ctx.token, "fdx_", 4);
  size_t   o    = 4;
  uint32_t acc  = 0;
  int      bits = 0;
  for (size_t i = 0; i < sizeof(random); ++i) {
    acc = (acc << 8) | random[i];
    bits += 8;
    while (bits >= 6) {
      bits -= 6;
      ctx.token[o++] = b64[(acc >> bits) & 63];
    }
  }
  if (bits) {
    ctx.token[o++] = b64[(acc << (6 - bits)) & 63];
  }
  ctx.token[o] = '\0';
  const FdxStatus st = fdx_store_write(store, create_in, &ctx);
  if (ctx.taken) {
    return FDX_FAILURE;
  }
  if (!st) {
    memcpy(out, ctx.token, FDX_TOKEN_CHARS + 1);
  }
  return st;
}

static FdxStatus
revoke_in(FdxTxn* const txn, void* const name)
{
  return fdx_aux_del(txn, TABLE, name, strlen((const char*)name));
}

FdxStatus
fdx_token_revoke(FdxStore* const store, const char* const name)
{
  if (!fdx_token_name_valid(name)) {
    return FDX_FAILURE;
  }
  return fdx_store_write(store, revoke_in, (void*)name);
}

/* Split a record into its fields; false if it is malformed. */
static bool
parse_record(const char* const v, const size_t len, FdxRole* const role,
             char created[32], char hash[HASH_HEX + 1])
{
  const char* const tab1 = (const char*)memchr(v, '\t', len);
  if (!tab1) {
    return false;
  }
  const char* const tab2 =
    (const char*)memchr(tab1 + 1, '\t', len - (size_t)(tab1 + 1 - v));
  if (!tab2 || (size_t)(tab2 - tab1 - 1) >= 32 ||
      len - (size_t)(tab2 + 1 - v) != HASH_HEX) {
    return false;
  }
  char rname[16];
  if ((size_t)(tab1 - v) >= sizeof(rname)) {
    return false;
  }
  memcpy(rname, v, (size_t)(tab1 - v));
  rname[tab1 - v] = '\0';
  *role           = fdx_role_from_name(rname);
  memcpy(created, tab1 + 1, (size_t)(tab2 - tab1 - 1));
  created[tab2 - tab1 - 1] = '\0';
  memcpy(hash, tab2 + 1, HASH_HEX);
  hash[HASH_HEX] = '\0';
  return *role != FDX_ROLE_NONE;
}

typedef struct {
  FdxTokenFunc fn;
  void*        ctx;
  /* for checking */
  const char*  want_hash;
  FdxRole      found_role;
  char*        found_name;
} EachCtx;

static FdxStatus
each_record(void* const vctx, const void* const key, const size_t key_len,
            const void* const val, const size_t val_len)
{
  EachCtx* const ctx = (EachCtx*)vctx;
  char           name[FDX_TOKEN_NAME_MAX + 1];
  char           created[32];
  char           hash[HASH_HEX + 1];
  FdxRole        role = FDX_ROLE_NONE;
  if (key_len > FDX_TOKEN_NAME_MAX ||
      !parse_record((const char*)val, val_len, &role, created, hash)) {
    return FDX_SUCCESS; /* not ours: skip */
  }
  memcpy(name, key, key_len);
  name[key_len] = '\0';
  if (ctx->want_hash) {
    /* Constant time over the hash, whatever matches. */
    unsigned char diff = 0;
    for (size_t i = 0; i < HASH_HEX; ++i) {
      diff |= (unsigned char)(hash[i] ^ ctx->want_hash[i]);
    }
    if (!diff) {
      ctx->found_role = role;
      if (ctx->found_name) {
        memcpy(ctx->found_name, name, key_len + 1);
      }
    }
    return FDX_SUCCESS;
  }
  return ctx->fn(ctx->ctx, name, role, created);
}

FdxStatus
fdx_token_each(FdxTxn* const txn, const FdxTokenFunc fn, void* const ctx)
{
  EachCtx each;
  memset(&each, 0, sizeof(each));
  each.fn  = fn;
  each.ctx = ctx;
  return fdx_aux_each(txn, TABLE, NULL, 0, each_record, &each);
}

FdxStatus
fdx_token_check(FdxTxn* const txn, const char* const token, const size_t len,
                FdxRole* const ret_role, char* const ret_name)
{
  *ret_role = FDX_ROLE_NONE;
  if (ret_name) {
    ret_name[0] = '\0';
  }
  if (len != FDX_TOKEN_CHARS) {
    return FDX_SUCCESS;
  }
  char hash[HASH_HEX + 1];
  hash_hex(token, len, hash);
  EachCtx each;
  memset(&each, 0, sizeof(each));
  each.want_hash  = hash;
  each.found_name = ret_name;
  const FdxStatus st = fdx_aux_each(txn, TABLE, NULL, 0, each_record, &each);
  if (!st) {
    *ret_role = each.found_role;
  }
  return st;
}
