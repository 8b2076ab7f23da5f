/*
 * aux.c: the auxiliary tables, small named key/value tables kept in the
 * store beside the quads (API tokens, harvest run reports, ...).
 *
 * All of them live in one LMDB table, `aux`, keyed by the table name, a
 * NUL and the key.  The NUL is what keeps tables apart: no name holds a
 * NUL, so the keys of table "a" ("a\0...") all sort before those of "ab"
 * ("ab\0..."), and a walk of one table is a range scan that stops at the
 * first key without its prefix.  Within a table keys sort as LMDB compares
 * them, byte by byte, shorter first on a tie.
 *
 * These writes are not quad changes: they leave quads_changed alone, so
 * the generation does not move and the change feed records nothing.
 *
 * Limits: a name of at most FDX_AUX_MAX_TABLE bytes and a key of at most
 * FDX_AUX_MAX_KEY make a key of at most 465 bytes, under LMDB's 511.
 * Values go to overflow pages when big; FDX_AUX_MAX_VALUE keeps one from
 * taking over the map.
 */
#include "store_impl.h"

#include <string.h>

#define KEY_CAP (FDX_AUX_MAX_TABLE + 1 + FDX_AUX_MAX_KEY)

_Static_assert(KEY_CAP <= 511, "aux keys must fit LMDB's key size");

/* Build the LMDB key for (table, key) in `buf`; `key_len` may be 0 only
 * with `allow_empty` (a walk's starting point). */
static FdxStatus
aux_key(const char* const table,
        const void* const key,
        const size_t      key_len,
        const bool        allow_empty,
        uint8_t           buf[KEY_CAP],
        size_t* const     ret_len)
{
  if (!table || (!key && key_len) || (!key_len && !allow_empty)) {
    return FDX_ERR_BAD_ARG;
  }
  const size_t tlen = strnlen(table, FDX_AUX_MAX_TABLE + 1);
  if (!tlen) {
    return FDX_ERR_BAD_ARG;
  }
  if (tlen > FDX_AUX_MAX_TABLE || key_len > FDX_AUX_MAX_KEY) {
    return FDX_ERR_LIMIT;
  }
  memcpy(buf, table, tlen);
  buf[tlen] = 0;
  if (key_len) {
    memcpy(buf + tlen + 1, key, key_len);
  }
  *ret_len = tlen + 1 + key_len;
  return FDX_SUCCESS;
}

FdxStatus
fdx_aux_put(FdxTxn* const     txn,
            const char* const table,
            const void* const key,
            const size_t      key_len,
            const void* const val,
            const size_t      val_len)
{
  uint8_t   kbuf[KEY_CAP];
  size_t    klen = 0;
  FdxStatus st   = FDX_SUCCESS;
  if (!txn || (!val && val_len)) {
    return FDX_ERR_BAD_ARG;
  }
  if ((st = aux_key(table, key, key_len, false, kbuf, &klen))) {
    return st;
  }
  if (val_len > FDX_AUX_MAX_VALUE) {
    return FDX_ERR_LIMIT;
  }
  if (!txn->write || !txn->store->has_aux) {
    return FDX_ERR_READ_ONLY;
  }
  if ((st = fdx_txn_count_writes(txn, 1))) {
    return st;
  }
  static const uint8_t empty = 0;
  MDB_val k = {klen, kbuf};
  MDB_val v = {val_len, val_len ? (void*)val : (void*)&empty};
  return fdx_lmdb_status(mdb_put(txn->txn, txn->store->aux, &k, &v, 0));
}

FdxStatus
fdx_aux_get(FdxTxn* const      txn,
            const char* const  table,
            const void* const  key,
            const size_t       key_len,
            const void** const ret_val,
            size_t* const      ret_val_len)
{
  uint8_t   kbuf[KEY_CAP];
  size_t    klen = 0;
  FdxStatus st   = FDX_SUCCESS;
  if (!txn || !ret_val || !ret_val_len) {
    return FDX_ERR_BAD_ARG;
  }
  if ((st = aux_key(table, key, key_len, false, kbuf, &klen))) {
    return st;
  }
  if (!txn->store->has_aux) {
    return FDX_FAILURE;
  }
  MDB_val   k  = {klen, kbuf};
  MDB_val   v  = {0, NULL};
  const int rc = mdb_get(txn->txn, txn->store->aux, &k, &v);
  if (rc) {
    return fdx_lmdb_status(rc);
  }
  *ret_val     = v.mv_data;
  *ret_val_len = v.mv_size;
  return FDX_SUCCESS;
}

FdxStatus
fdx_aux_del(FdxTxn* const     txn,
            const char* const table,
            const void* const key,
            const size_t      key_len)
{
  uint8_t   kbuf[KEY_CAP];
  size_t    klen = 0;
  FdxStatus st   = FDX_SUCCESS;
  if (!txn) {
    return FDX_ERR_BAD_ARG;
  }
  if ((st = aux_key(table, key, key_len, false, kbuf, &klen))) {
    return st;
  }
  if (!txn->write || !txn->store->has_aux) {
    return FDX_ERR_READ_ONLY;
  }
  MDB_val k = {klen, kbuf};
  return fdx_lmdb_status(mdb_del(txn->txn, txn->store->aux, &k, NULL));
}

FdxStatus
fdx_aux_each(FdxTxn* const     txn,
             const char* const table,
             const void* const after,
             const size_t      after_len,
             const FdxAuxFunc  fn,
             void* const       ctx)
{
  uint8_t      kbuf[KEY_CAP];
  size_t       klen = 0;
  const size_t alen = after ? after_len : 0;
  FdxStatus    st   = FDX_SUCCESS;
  if (!txn || !fn) {
    return FDX_ERR_BAD_ARG;
  }
  if ((st = aux_key(table, after, alen, true, kbuf, &klen))) {
    return st;
  }
  if (!txn->store->has_aux) {
    return FDX_SUCCESS;
  }
  const size_t prefix = klen - alen; /* the name and its NUL */
  MDB_cursor*  cur    = NULL;
  int          rc     = mdb_cursor_open(txn->txn, txn->store->aux, &cur);
  if (rc) {
    return fdx_lmdb_status(rc);
  }
  MDB_val k = {klen, kbuf};
  MDB_val v;
  rc = mdb_cursor_get(cur, &k, &v, MDB_SET_RANGE);
  if (!rc && alen && k.mv_size == klen && !memcmp(k.mv_data, kbuf, klen)) {
    rc = mdb_cursor_get(cur, &k, &v, MDB_NEXT); /* strictly after `after` */
  }
  for (; !rc; rc = mdb_cursor_get(cur, &k, &v, MDB_NEXT)) {
    if (k.mv_size <= prefix || memcmp(k.mv_data, kbuf, prefix)) {
      break; /* past the table */
    }
    if ((st = fn(ctx, (const uint8_t*)k.mv_data + prefix, k.mv_size - prefix,
                 v.mv_data, v.mv_size))) {
      break;
    }
  }
  mdb_cursor_close(cur);
  if (st) {
    return st;
  }
  return rc && rc != MDB_NOTFOUND ? fdx_lmdb_status(rc) : FDX_SUCCESS;
}
