/*
 * lmdb_env.c: the LMDB environment behind a store: opening, the schema
 * version check, transactions, the map that grows by itself, and the
 * counters kept in the meta table.
 *
 * Map growth.  LMDB maps the data file into memory at a fixed size and
 * answers MDB_MAP_FULL when a write transaction needs more.  The map can only
 * be resized while this process has no transaction open, so every
 * transaction holds `resize_lock` shared for its whole life and a resize
 * takes it exclusively.  fdx_store_write() reacts to MDB_MAP_FULL by
 * aborting, doubling the map and running the work again; other processes
 * see MDB_MAP_RESIZED when they next begin a transaction and adopt the new
 * size.
 *
 * Counters (generation, quads, graphs, ...) are read into the transaction
 * when a write begins and written back on commit, so readers always see the
 * counts of the last committed state.  A commit that changed quads also
 * writes its change feed record (changes.c) before LMDB commits, so the
 * record and the quads it describes become visible together.
 *
 * Resident set.  The map is shared and file-backed, so every page a
 * process touched stays in its resident set until unmapped: a harvest of
 * N records would count the whole store it wrote.  So the mapped pages are
 * dropped (MADV_DONTNEED: they stay in the page cache, dirty ones
 * included, and fault back in when touched again) once they pass
 * WRITE_MAPPED_BUDGET: inside a write transaction every TRIM_CHECK_QUADS
 * writes and before its commit (txn_trim_mapped_pages()), and
 * after the commit (fdx_store_write(), from half the budget: every page is
 * clean then).  Two things of the kernel and of LMDB shape this.  A read
 * fault maps not one page but the 64 KiB around it that the page cache
 * holds (fault-around; MDB_NORDAHEAD's MADV_RANDOM does not stop it), so a
 * transaction whose pages lie scattered over a big store maps some 4 to 16
 * times what it touches, more the bigger the store.  And LMDB's commit
 * reads every page the transaction dirtied once more, to clear P_DIRTY.
 * A check after the commit alone let a harvest's resident set follow the
 * store (139 MiB at 10,000 records, 293 at 30,000); dropping every page
 * inside the transaction made the commit fault the dirty pages back with
 * their neighbours (185 MiB at 30,000).  Inside a transaction only the
 * pages it did not dirty are dropped, so its dirty pages stay mapped for
 * the commit; a look comes every TRIM_CHECK_QUADS writes (quads, and the
 * terms and aux values written beside them, which map as much), and drops
 * what passed half the budget over the pages the last trim kept.  The
 * dirty pages themselves grow with the store, not only with the
 * transaction (30 to 55 MiB per thousand harvested records from 10,000 to
 * 30,000 records in the store), so a commit reports what its
 * transaction held (fdx_store_last_commit_mapped()) and a harvest sizes
 * its transactions by it.  harvest.sh's CKAN peak RSS: 128 MiB at 10,000
 * records and 193 at 30,000 before these three, 103 and 114 after.
 *
 * Schema versions.  Version 3 added two tables (changes, aux) to version 2,
 * version 4 the search index's six, and neither changed anything else, so
 * an older store opened for writing is upgraded in place: the tables are
 * made and the version written in one write transaction at open, and the
 * search index is then built from the quads (fdx_search_rebuild()).
 * Opened read-only it keeps its version, the missing feed and aux tables
 * read as empty and search answers that it has no index.  Version 1
 * (other quad orderings) is refused.
 */
#include "store_impl.h"

#include "fairdex/search.h"

#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#define DEFAULT_MAP_SIZE ((uint64_t)1 << 30)

/* Free map an existing store opened for writing starts with, besides an
 * eighth of its data. */
#define MIN_HEADROOM ((uint64_t)256 << 10)
#define MAX_READERS 1024
/* File-backed resident bytes over which fdx_store_write() unmaps the
 * store's pages after a commit (see "Resident set" above). */
#define WRITE_MAPPED_BUDGET ((uint64_t)64 << 20)
/* Writes (quads added, terms interned, aux values put) between two looks
 * at the mapped pages inside a write transaction.  A look reads
 * /proc/self/statm (microseconds); one over the budget walks the store's
 * pages in /proc/self/pagemap (a few ms at 800 MB of store).  Each write
 * to a big store can map 64 KiB (fault-around, below): at 2,048 a
 * 30,000-record harvest overshot the budget by 90 MiB between two looks,
 * and looked only at quads, not at the terms interned for them. */
#define TRIM_CHECK_QUADS 128
/* Inside a write transaction: file-backed resident bytes under which
 * nothing is dropped, and the growth over what the last trim kept (its
 * dirty pages) that brings the next trim: a quarter of the kept, within
 * these bounds (a harvest's transaction keeps some 40 MiB and so trims
 * every 16 MiB it maps; a bulk load keeps gigabytes and walks the pagemap
 * only every 32 MiB).  At 64 and 32 MiB flat, harvest.sh's CKAN peak RSS
 * was 108 MiB at 10,000 records and 137 at 100,000; at these, 96 and
 * 125, no slower. */
#define TXN_TRIM_FROM ((uint64_t)48 << 20)
#define TXN_TRIM_SLACK_MIN ((uint64_t)16 << 20)
#define TXN_TRIM_SLACK_MAX ((uint64_t)32 << 20)
/* Mapped bytes over which a commit drops the pages its transaction did
 * not write first, which also measures those it did. */
#define COMMIT_TRIM_FROM ((uint64_t)16 << 20)

static const char* const order_names[FDX_N_ORDERS] = {
  "spog", "posg", "ospg", "gspo", "gpos", "ogsp"};

const int fdx_order_positions[FDX_N_ORDERS][4] = {
  {POS_S, POS_P, POS_O, POS_G}, /* SPOG */
  {POS_P, POS_O, POS_S, POS_G}, /* POSG */
  {POS_O, POS_S, POS_P, POS_G}, /* OSPG */
  {POS_G, POS_S, POS_P, POS_O}, /* GSPO */
  {POS_G, POS_P, POS_O, POS_S}, /* GPOS */
  {POS_O, POS_G, POS_S, POS_P}, /* OGSP */
};

/* Meta keys and where each counter lives in FdxMeta. */
static const struct {
  const char* key;
  size_t      offset;
} meta_fields[] = {
  {"generation", offsetof(FdxMeta, generation)},
  {"next_term", offsetof(FdxMeta, next_term)},
  {"quads", offsetof(FdxMeta, quads)},
  {"graphs", offsetof(FdxMeta, graphs)},
  {"predicates", offsetof(FdxMeta, predicates)},
  {"terms", offsetof(FdxMeta, terms)},
  {"bnode_scope", offsetof(FdxMeta, bnode_scope)},
};
#define N_META_FIELDS (sizeof(meta_fields) / sizeof(meta_fields[0]))

FdxStatus
fdx_lmdb_status(const int rc)
{
  switch (rc) {
  case MDB_SUCCESS:
    return FDX_SUCCESS;
  case MDB_NOTFOUND:
    return FDX_FAILURE;
  case MDB_MAP_FULL:
    return FDX_ERR_MAP_FULL;
  case MDB_CORRUPTED:
  case MDB_PAGE_NOTFOUND:
  case MDB_INVALID:
  case MDB_VERSION_MISMATCH:
    return FDX_ERR_CORRUPT;
  case MDB_READERS_FULL:
  case MDB_TXN_FULL:
  case MDB_CURSOR_FULL:
  case MDB_DBS_FULL:
    return FDX_ERR_LIMIT;
  case EACCES:
  case EROFS:
    return FDX_ERR_READ_ONLY;
  case ENOMEM:
    return FDX_ERR_NO_MEMORY;
  case ENOSPC:
  case EDQUOT:
    return FDX_ERR_NO_SPACE;
  case EIO:
  case ENOENT:
    return FDX_ERR_IO;
  default:
    return FDX_ERR_STORE;
  }
}

FdxStatus
fdx_store_new(FdxStore** const ret_store)
{
  if (!ret_store) {
    return FDX_ERR_BAD_ARG;
  }
  FdxStore* const store = (FdxStore*)calloc(1, sizeof(FdxStore));
  if (!store) {
    return FDX_ERR_NO_MEMORY;
  }
  static _Atomic uint64_t instances;
  store->instance       = ++instances;
  store->max_term_bytes = FDX_DEFAULT_MAX_TERM_BYTES;
  store->min_free_disk  = FDX_DEFAULT_MIN_FREE_DISK;
  if (pthread_rwlock_init(&store->resize_lock, NULL)) {
    free(store);
    return FDX_ERR_NO_MEMORY;
  }
  if (pthread_mutex_init(&store->label_lock, NULL)) {
    pthread_rwlock_destroy(&store->resize_lock);
    free(store);
    return FDX_ERR_NO_MEMORY;
  }
  if (pthread_mutex_init(&store->search_columns.lock, NULL)) {
    pthread_mutex_destroy(&store->label_lock);
    pthread_rwlock_destroy(&store->resize_lock);
    free(store);
    return FDX_ERR_NO_MEMORY;
  }
  *ret_store = store;
  return FDX_SUCCESS;
}

FdxStatus
fdx_store_set_map_size(FdxStore* const store, const uint64_t bytes)
{
  if (!store || store->open || bytes < (1u << 16)) {
    return FDX_ERR_BAD_ARG;
  }
  store->map_size = bytes;
  return FDX_SUCCESS;
}

FdxStatus
fdx_store_set_max_term_bytes(FdxStore* const store, const size_t bytes)
{
  if (!store || store->open || bytes < 64) {
    return FDX_ERR_BAD_ARG;
  }
  store->max_term_bytes = bytes;
  return FDX_SUCCESS;
}

size_t
fdx_store_max_term_bytes(const FdxStore* const store)
{
  return store->max_term_bytes;
}

uint64_t
fdx_store_map_size(const FdxStore* const store)
{
  return store->map_size;
}

static FdxStatus
meta_get_u64(MDB_txn* const     txn,
             const MDB_dbi      dbi,
             const char* const  name,
             uint64_t* const    ret)
{
  MDB_val key = {strlen(name), (void*)name};
  MDB_val val;
  const int rc = mdb_get(txn, dbi, &key, &val);
  if (rc == MDB_NOTFOUND) {
    *ret = 0;
    return FDX_SUCCESS;
  }
  if (rc) {
    return fdx_lmdb_status(rc);
  }
  if (val.mv_size != 8) {
    return FDX_ERR_CORRUPT;
  }
  *ret = fdx_get_u64((const uint8_t*)val.mv_data);
  return FDX_SUCCESS;
}

static FdxStatus
meta_put_u64(MDB_txn* const    txn,
             const MDB_dbi     dbi,
             const char* const name,
             const uint64_t    value)
{
  uint8_t buf[8];
  fdx_put_u64(buf, value);
  MDB_val key = {strlen(name), (void*)name};
  MDB_val val = {8, buf};
  return fdx_lmdb_status(mdb_put(txn, dbi, &key, &val, 0));
}

static FdxStatus
meta_read(FdxTxn* const txn)
{
  for (size_t i = 0; i < N_META_FIELDS; ++i) {
    uint64_t* const field =
      (uint64_t*)((char*)&txn->meta + meta_fields[i].offset);
    const FdxStatus st = meta_get_u64(
      txn->txn, txn->store->meta, meta_fields[i].key, field);
    if (st) {
      return st;
    }
  }
  return FDX_SUCCESS;
}

static FdxStatus
meta_write(FdxTxn* const txn)
{
  for (size_t i = 0; i < N_META_FIELDS; ++i) {
    const uint64_t value =
      *(const uint64_t*)((const char*)&txn->meta + meta_fields[i].offset);
    const FdxStatus st =
      meta_put_u64(txn->txn, txn->store->meta, meta_fields[i].key, value);
    if (st) {
      return st;
    }
  }
  return FDX_SUCCESS;
}

/* Comparators for the tables keyed by ids.  Ids are stored big-endian,
 * so comparing them as unsigned 64-bit numbers orders them exactly as
 * LMDB's default byte comparison does: these only make the comparison
 * cheaper (no call into memcmp per step of every B-tree search), and a
 * store written with either reads the same with the other.  Values of
 * another length (none are written) fall back to the byte order. */
static int
bytes_cmp(const MDB_val* const a, const MDB_val* const b)
{
  const size_t n = a->mv_size < b->mv_size ? a->mv_size : b->mv_size;
  const int    c = memcmp(a->mv_data, b->mv_data, n);
  return c ? c : (a->mv_size > b->mv_size) - (a->mv_size < b->mv_size);
}

static int
id_key_cmp(const MDB_val* const a, const MDB_val* const b)
{
  if (a->mv_size != 8 || b->mv_size != 8) {
    return bytes_cmp(a, b);
  }
  const uint64_t x = fdx_get_u64((const uint8_t*)a->mv_data);
  const uint64_t y = fdx_get_u64((const uint8_t*)b->mv_data);
  return (x > y) - (x < y);
}

/* The 24-byte duplicates of the quad orderings: three ids. */
static int
id_triple_cmp(const MDB_val* const a, const MDB_val* const b)
{
  if (a->mv_size != 24 || b->mv_size != 24) {
    return bytes_cmp(a, b);
  }
  const uint8_t* const p = (const uint8_t*)a->mv_data;
  const uint8_t* const q = (const uint8_t*)b->mv_data;
  for (int i = 0; i < 24; i += 8) {
    const uint64_t x = fdx_get_u64(p + i);
    const uint64_t y = fdx_get_u64(q + i);
    if (x != y) {
      return x > y ? 1 : -1;
    }
  }
  return 0;
}

/* Open the tables of schema 3 that version 2 lacks.  With `create`,
 * make them; otherwise a missing one is noted as absent (a version-2
 * store opened read-only reads it as empty). */
static int
open_v3_tables(FdxStore* const store, MDB_txn* const txn, const bool create)
{
  const unsigned cf = create ? MDB_CREATE : 0;
  int            rc = mdb_dbi_open(txn, "changes", cf, &store->changes);
  store->has_changes = !rc;
  if (rc && rc != MDB_NOTFOUND) {
    return rc;
  }
  rc             = mdb_dbi_open(txn, "aux", cf, &store->aux);
  store->has_aux = !rc;
  return rc == MDB_NOTFOUND ? MDB_SUCCESS : rc;
}

/* Open the search tables of schema 4 (see open_v3_tables()). */
static int
open_search_tables(FdxStore* const store, MDB_txn* const txn, const bool create)
{
  const unsigned cf    = create ? MDB_CREATE : 0;
  const struct {
    const char* name;
    MDB_dbi*    dbi;
  } tables[] = {
    {"search_terms", &store->search_terms},
    {"search_tids", &store->search_tids},
    {"search_postings", &store->search_postings},
    {"search_docs", &store->search_docs},
    {"search_forward", &store->search_forward},
    {"search_keys", &store->search_keys},
  };
  store->has_search = true;
  for (size_t i = 0; i < sizeof(tables) / sizeof(tables[0]); ++i) {
    const int rc = mdb_dbi_open(txn, tables[i].name, cf, tables[i].dbi);
    if (rc == MDB_NOTFOUND) {
      store->has_search = false;
      return MDB_SUCCESS;
    }
    if (rc) {
      store->has_search = false;
      return rc;
    }
  }
  return MDB_SUCCESS;
}

/* Open every table in one transaction, a write one if `write`.  With
 * `create`, make what is missing.  A version-2 store is upgraded if the
 * transaction may write; if it may not but the store is opened for
 * writing, *ret_upgrade says to call again with `write`. */
static FdxStatus
open_tables_txn(FdxStore* const store,
                const bool      create,
                const bool      write,
                bool* const     ret_upgrade,
                FdxError* const err)
{
  MDB_txn*  txn     = NULL;
  const int rflags  = write ? 0 : MDB_RDONLY;
  int       rc      = mdb_txn_begin(store->env, NULL, (unsigned)rflags, &txn);
  FdxStatus st      = FDX_SUCCESS;
  const unsigned cf = create ? MDB_CREATE : 0;
  if (rc) {
    return fdx_error_set(err, fdx_lmdb_status(rc), store->dir, 0, 0,
                         "cannot begin transaction: %s", mdb_strerror(rc));
  }

  if ((rc = mdb_dbi_open(txn, "meta", cf, &store->meta)) ||
      (rc = mdb_dbi_open(txn, "id2term", cf, &store->id2term)) ||
      (rc = mdb_dbi_open(txn, "term2id", cf | MDB_DUPSORT | MDB_DUPFIXED,
                         &store->term2id)) ||
      (rc = mdb_dbi_open(txn, "pstats", cf, &store->pstats)) ||
      (rc = mdb_set_compare(txn, store->id2term, id_key_cmp)) ||
      (rc = mdb_set_dupsort(txn, store->term2id, id_key_cmp))) {
    goto fail;
  }

  /* Schema version: absent means a new store. */
  uint64_t version = 0;
  if ((st = meta_get_u64(txn, store->meta, "schema_version", &version))) {
    goto done;
  }
  if (version > FDX_STORE_SCHEMA_VERSION) {
    st = fdx_error_set(err, FDX_ERR_VERSION, store->dir, 0, 0,
                       "store schema version %llu is newer than this fairdex "
                       "(version %d): upgrade fairdex to open it",
                       (unsigned long long)version, FDX_STORE_SCHEMA_VERSION);
    goto done;
  }
  if (version && version < 2) {
    /* Version 1 had other quad orderings; there is no in-place upgrade. */
    st = fdx_error_set(err, FDX_ERR_VERSION, store->dir, 0, 0,
                       "store schema version %llu is older than this "
                       "fairdex's (version %d): dump it with the fairdex "
                       "that wrote it and load the dump into a new store",
                       (unsigned long long)version, FDX_STORE_SCHEMA_VERSION);
    goto done;
  }
  if (version == 0) {
    if (!create) {
      st = fdx_error_set(err, FDX_ERR_CORRUPT, store->dir, 0, 0,
                         "not a fairdex store (no schema version)");
      goto done;
    }
    if ((st = meta_put_u64(txn, store->meta, "schema_version",
                           FDX_STORE_SCHEMA_VERSION))) {
      goto done;
    }
  }
  /* The orderings only once the version says which ones there are. */
  for (int i = 0; i < FDX_N_ORDERS; ++i) {
    if ((rc = mdb_dbi_open(txn, order_names[i], cf | MDB_DUPSORT | MDB_DUPFIXED,
                           &store->order[i])) ||
        (rc = mdb_set_compare(txn, store->order[i], id_key_cmp)) ||
        (rc = mdb_set_dupsort(txn, store->order[i], id_triple_cmp))) {
      goto fail;
    }
  }
  if (version == 2 || version == 3) {
    /* Versions 3 and 4 only added tables: make them, unless only
     * reading; the search index is then built from the quads at open. */
    const bool upgrade = write && !(store->flags & FDX_STORE_READ_ONLY);
    if (!upgrade && !(store->flags & FDX_STORE_READ_ONLY)) {
      *ret_upgrade = true;
      goto done;
    }
    if ((rc = open_v3_tables(store, txn, upgrade)) ||
        (rc = open_search_tables(store, txn, upgrade))) {
      goto fail;
    }
    if (version == 3 && (!store->has_changes || !store->has_aux)) {
      rc = MDB_NOTFOUND; /* version 3 had them */
      goto fail;
    }
    if (upgrade) {
      store->search_stale = true;
      if ((st = meta_put_u64(txn, store->meta, "schema_version",
                             FDX_STORE_SCHEMA_VERSION))) {
        goto done;
      }
    }
  } else {
    if ((rc = open_v3_tables(store, txn, create)) ||
        (rc = open_search_tables(store, txn, create))) {
      goto fail;
    }
    if (!store->has_changes || !store->has_aux || !store->has_search) {
      rc = MDB_NOTFOUND;
      goto fail;
    }
  }
  {
    /* Commit even a read-only transaction: LMDB closes handles opened in
     * an aborted one. */
    rc = mdb_txn_commit(txn);
    txn = NULL;
    if (rc) {
      goto fail;
    }
  }
  goto done;

fail:
  st = fdx_error_set(err, rc == MDB_NOTFOUND ? FDX_ERR_CORRUPT
                                             : fdx_lmdb_status(rc),
                     store->dir, 0, 0, "cannot open store tables: %s",
                     rc == MDB_NOTFOUND ? "not a fairdex store"
                                        : mdb_strerror(rc));
done:
  if (txn) {
    mdb_txn_abort(txn);
  }
  return st;
}

/* Open (and with `create`, create) every table.  A store opened for
 * reading and writing is looked at in a read transaction first, so that
 * opening does not wait for another process's writer; only a store that
 * needs upgrading is opened again in a write transaction. */
static FdxStatus
open_tables(FdxStore* const store, const bool create, FdxError* const err)
{
  bool      upgrade = false;
  FdxStatus st      = open_tables_txn(store, create, create, &upgrade, err);
  if (!st && upgrade) {
    upgrade = false;
    st      = open_tables_txn(store, create, true, &upgrade, err);
  }
  return st;
}

/* Open the LMDB environment in `dir` and its tables. */
static FdxStatus
open_env(FdxStore* const   store,
         const char* const dir,
         const unsigned    flags,
         const bool        create,
         FdxError* const   err)
{
  /* LMDB maps exactly the size it is given before mdb_env_open() (at
   * least the data's size), not what the store grew to before; given 0 it
   * maps the size kept in the store.  So an existing store is opened with
   * 0, unless a size was set (FAIRDEX_MAP_SIZE), and a new one with the
   * default. */
  char        data_path[4096];
  struct stat data_stat;
  snprintf(data_path, sizeof(data_path), "%s/data.mdb", dir);
  const bool     existing = !stat(data_path, &data_stat) && data_stat.st_size;
  const uint64_t map_size = store->map_size ? store->map_size
                            : existing      ? 0
                                            : DEFAULT_MAP_SIZE;
  store->map_addr = NULL;
  int rc = mdb_env_create(&store->env);
  if (rc) {
    return fdx_error_set(err, fdx_lmdb_status(rc), dir, 0, 0, "%s",
                         mdb_strerror(rc));
  }
  /* MDB_WRITEMAP: writes go straight into the map, which spares LMDB a
   * dirty-page copy and a search of its dirty list on every page access
   * in big write transactions.  MDB_NOTLS: read transactions are not tied
   * to threads, so server worker pools can share them.  MDB_NORDAHEAD
   * (MADV_RANDOM on the map): a fault maps only the page touched, not its
   * neighbours, so the scattered look-ups of the dictionary do not pull
   * sixteen pages each into the resident set. */
  unsigned env_flags = MDB_NOTLS | MDB_WRITEMAP | MDB_NORDAHEAD;
  if (flags & FDX_STORE_READ_ONLY) {
    env_flags |= MDB_RDONLY;
  }
  if (flags & FDX_STORE_NO_SYNC) {
    env_flags |= MDB_NOSYNC;
  }
  if ((rc = mdb_env_set_maxdbs(store->env, FDX_MAX_DBS)) ||
      (rc = mdb_env_set_maxreaders(store->env, MAX_READERS)) ||
      (rc = mdb_env_set_mapsize(store->env, (size_t)map_size)) ||
      (rc = mdb_env_open(store->env, dir, env_flags, 0644))) {
    const FdxStatus st = fdx_lmdb_status(rc);
    mdb_env_close(store->env);
    store->env = NULL;
    return fdx_error_set(err, st, dir, 0, 0, "cannot open store: %s",
                         mdb_strerror(rc));
  }

  /* Readers left by crashed processes would pin old pages forever. */
  int dead = 0;
  mdb_reader_check(store->env, &dead);

  /* Room to write: a map no bigger than the data (a store written with a
   * smaller map size set, or by a fairdex that set one) would fail the
   * write transaction opening makes, which cannot grow the map and retry
   * as fdx_store_write() does. */
  MDB_envinfo info;
  MDB_stat    env_stat;
  mdb_env_info(store->env, &info);
  mdb_env_stat(store->env, &env_stat);
  const uint64_t used =
    ((uint64_t)info.me_last_pgno + 1) * (uint64_t)env_stat.ms_psize;
  if (existing && !(flags & FDX_STORE_READ_ONLY) &&
      (uint64_t)info.me_mapsize < used + used / 8 + MIN_HEADROOM) {
    uint64_t size = (uint64_t)info.me_mapsize;
    while (size < used + used / 8 + MIN_HEADROOM) {
      size *= 2;
    }
    if ((rc = mdb_env_set_mapsize(store->env, (size_t)size))) {
      const FdxStatus st = fdx_lmdb_status(rc);
      mdb_env_close(store->env);
      store->env = NULL;
      return fdx_error_set(err, st, dir, 0, 0, "cannot grow the map: %s",
                           mdb_strerror(rc));
    }
    mdb_env_info(store->env, &info);
  }
  store->map_size = info.me_mapsize;

  const FdxStatus st = open_tables(store, create, err);
  if (st) {
    mdb_env_close(store->env);
    store->env = NULL;
  }
  return st;
}

/* Make a new, complete store file in `dir` atomically: build it in a
 * hidden subfolder, then rename its data.mdb into place.  A process killed
 * meanwhile leaves no half-made store behind, only the subfolder. */
static FdxStatus
create_store_file(FdxStore* const   store,
                  const char* const dir,
                  const unsigned    flags,
                  FdxError* const   err)
{
  char tmp[4096];
  char from[4200];
  char to[4200];
  snprintf(tmp, sizeof(tmp), "%s/.new-XXXXXX", dir);
  if (!mkdtemp(tmp)) {
    return fdx_error_set(err, FDX_ERR_IO, dir, 0, 0,
                         "cannot create the store: %s", strerror(errno));
  }
  FdxStatus st = open_env(store, tmp, flags & ~FDX_STORE_NO_SYNC, true, err);
  if (!st) {
    mdb_env_close(store->env);
    store->env = NULL;
    snprintf(from, sizeof(from), "%s/data.mdb", tmp);
    snprintf(to, sizeof(to), "%s/data.mdb", dir);
    if (rename(from, to)) {
      st = fdx_error_set(err, FDX_ERR_IO, dir, 0, 0,
                         "cannot create the store: %s", strerror(errno));
    }
  }
  snprintf(from, sizeof(from), "%s/data.mdb", tmp);
  unlink(from);
  snprintf(from, sizeof(from), "%s/lock.mdb", tmp);
  unlink(from);
  rmdir(tmp);
  return st;
}

FdxStatus
fdx_store_open(FdxStore* const   store,
               const char* const dir,
               const unsigned    flags,
               FdxError* const   err)
{
  if (!store || !dir || store->open) {
    return FDX_ERR_BAD_ARG;
  }
  const bool create    = flags & FDX_STORE_CREATE;
  const bool read_only = flags & FDX_STORE_READ_ONLY;
  if (create && read_only) {
    return FDX_ERR_BAD_ARG;
  }
  free(store->dir);
  if (!(store->dir = strdup(dir))) {
    return FDX_ERR_NO_MEMORY;
  }
  store->flags = flags;

  struct stat sb;
  if (stat(dir, &sb)) {
    if (!create || errno != ENOENT) {
      return fdx_error_set(err, FDX_ERR_IO, dir, 0, 0, "%s: %s",
                           errno == ENOENT ? "no fairdex store here"
                                           : "cannot open store",
                           strerror(errno));
    }
    if (mkdir(dir, 0755) && errno != EEXIST) {
      return fdx_error_set(err, FDX_ERR_IO, dir, 0, 0,
                           "cannot create store directory: %s",
                           strerror(errno));
    }
  } else if (!S_ISDIR(sb.st_mode)) {
    return fdx_error_set(err, FDX_ERR_IO, dir, 0, 0,
                         "not a directory (a store is a directory)");
  }

  char path[4096];
  snprintf(path, sizeof(path), "%s/data.mdb", dir);
  const bool exists = !stat(path, &sb);
  if (!exists && !create) {
    return fdx_error_set(err, FDX_ERR_IO, dir, 0, 0,
                         "no fairdex store here (%s is missing)",
                         "data.mdb");
  }
  FdxStatus st;
  if (!exists && (st = create_store_file(store, dir, flags, err))) {
    return st;
  }
  if ((st = open_env(store, dir, flags, create, err))) {
    return st;
  }
  store->open = true;
  if (store->search_stale) {
    /* Upgraded to schema 4 just now: index what the store holds. */
    store->search_stale = false;
    if ((st = fdx_search_rebuild(store, NULL, err))) {
      return st;
    }
  }
  return FDX_SUCCESS;
}

void
fdx_store_free(FdxStore* const store)
{
  if (!store) {
    return;
  }
  if (store->search_columns.thread_live) { /* a copy being built */
    pthread_join(store->search_columns.thread, NULL);
  }
  if (store->env) {
    mdb_env_close(store->env);
  }
  if (store->search_columns.current && store->search_columns.free_fn) {
    store->search_columns.free_fn(store->search_columns.current);
  }
  pthread_rwlock_destroy(&store->resize_lock);
  pthread_mutex_destroy(&store->label_lock);
  pthread_mutex_destroy(&store->search_columns.lock);
  free(store->dir);
  free(store);
}

/* Grow the map to at least `min_bytes` (doubling), with no transaction of
 * this process open. */
static FdxStatus
grow_map(FdxStore* const store, uint64_t min_bytes)
{
  pthread_rwlock_wrlock(&store->resize_lock);
  MDB_envinfo info;
  mdb_env_info(store->env, &info);
  uint64_t size = info.me_mapsize;
  if (min_bytes <= size) {
    min_bytes = size + 1;
  }
  while (size < min_bytes) {
    size *= 2;
  }
  const int rc = mdb_env_set_mapsize(store->env, (size_t)size);
  if (!rc) {
    store->map_size = size;
    store->map_addr = NULL; /* LMDB mapped it anew */
  }
  pthread_rwlock_unlock(&store->resize_lock);
  return fdx_lmdb_status(rc);
}

FdxStatus
fdx_store_reserve(FdxStore* const store, const uint64_t bytes)
{
  MDB_envinfo info;
  MDB_stat    st;
  mdb_env_info(store->env, &info);
  mdb_env_stat(store->env, &st);
  const uint64_t used = (uint64_t)(info.me_last_pgno + 1) * st.ms_psize;
  if (info.me_mapsize - used >= bytes) {
    return FDX_SUCCESS;
  }
  return grow_map(store, used + bytes);
}

/* Where LMDB mapped the data file.  LMDB tells the map's address only for
 * MDB_FIXEDMAP, so look the mapping up by inode in /proc/self/maps (Linux);
 * NULL where that is not possible. */
static void*
find_map(FdxStore* const store)
{
  char        path[4096];
  struct stat sb;
  snprintf(path, sizeof(path), "%s/data.mdb", store->dir);
  if (stat(path, &sb)) {
    return NULL;
  }
  FILE* const maps = fopen("/proc/self/maps", "r");
  if (!maps) {
    return NULL;
  }
  char  line[4352];
  void* addr = NULL;
  while (!addr && fgets(line, sizeof(line), maps)) {
    unsigned long long start = 0, end = 0, offset = 0, inode = 0;
    unsigned           major = 0, minor = 0;
    char               perms[8];
    if (sscanf(line, "%llx-%llx %7s %llx %x:%x %llu", &start, &end, perms,
               &offset, &major, &minor, &inode) == 7 &&
        inode == (unsigned long long)sb.st_ino && offset == 0 &&
        makedev(major, minor) == sb.st_dev) {
      addr = (void*)(uintptr_t)start;
    }
  }
  fclose(maps);
  return addr;
}

/* Where the data file is mapped: found once (find_map()), then kept in
 * store->map_addr until the map moves.  Any thread in a transaction may
 * call it (the transaction holds `resize_lock`). */
static void*
store_map(FdxStore* const store)
{
  void* map = __atomic_load_n(&store->map_addr, __ATOMIC_ACQUIRE);
  if (!map) {
    map = find_map(store);
    __atomic_store_n(&store->map_addr, map, __ATOMIC_RELEASE);
  }
  return map;
}

void
fdx_store_drop_mapped_pages(FdxStore* const store)
{
  MDB_envinfo info;
  mdb_env_info(store->env, &info);
  void* const map = store_map(store);
  if (map) {
    madvise(map, info.me_mapsize, MADV_DONTNEED);
  }
}

/* /proc/self/statm, opened once (again after a failed open): a write
 * transaction looks at it every TRIM_CHECK_QUADS writes, where fopen() and
 * fscanf() took 5 % of a harvest's writer thread. */
static int statm_fd = -1;

static int
statm_open(void)
{
  int fd = __atomic_load_n(&statm_fd, __ATOMIC_ACQUIRE);
  if (fd >= 0) {
    return fd;
  }
  fd = open("/proc/self/statm", O_RDONLY | O_CLOEXEC);
  if (fd < 0) {
    return -1;
  }
  int none = -1;
  if (!__atomic_compare_exchange_n(&statm_fd, &none, fd, false,
                                   __ATOMIC_ACQ_REL, __ATOMIC_ACQUIRE)) {
    close(fd); /* another thread opened it first */
    fd = none;
  }
  return fd;
}

/* This process's file-backed resident bytes (the third field of
 * /proc/self/statm, in pages); UINT64_MAX where that cannot be read. */
static uint64_t
mapped_bytes(void)
{
  const int     fd = statm_open();
  char          text[128];
  const ssize_t n  = fd < 0 ? -1 : pread(fd, text, sizeof(text) - 1, 0);
  const long    page = sysconf(_SC_PAGESIZE);
  if (n <= 0 || page <= 0) {
    return UINT64_MAX;
  }
  text[n]       = '\0';
  const char* p = text;
  for (int field = 0; field < 2; ++field) { /* size, resident */
    while (*p >= '0' && *p <= '9') {
      ++p;
    }
    if (*p != ' ') {
      return UINT64_MAX;
    }
    ++p;
  }
  if (*p < '0' || *p > '9') {
    return UINT64_MAX;
  }
  uint64_t shared = 0;
  for (; *p >= '0' && *p <= '9'; ++p) {
    shared = shared * 10 + (uint64_t)(*p - '0');
  }
  return shared * (uint64_t)page;
}

static bool
mapped_over(const uint64_t budget)
{
  return mapped_bytes() > budget;
}

uint64_t
fdx_store_last_commit_mapped(FdxStore* const store)
{
  return store ? __atomic_load_n(&store->last_commit_mapped, __ATOMIC_RELAXED)
               : 0;
}

void
fdx_store_trim_mapped_pages(FdxStore* const store, const uint64_t budget)
{
  if (mapped_over(budget)) {
    fdx_store_drop_mapped_pages(store);
  }
}

/* Whether the page at `page` is one the open write transaction made or
 * copied: P_DIRTY in LMDB's page header.  The header is the file format
 * (lmdb 0.9's MDB_page: the page number, two bytes of padding, the
 * flags); P_DIRTY itself is LMDB's mark in memory, which with
 * MDB_WRITEMAP sits in the map until the commit clears it. */
#define LMDB_PAGE_FLAGS_AT 10
#define LMDB_P_DIRTY 0x10

static bool
lmdb_page_dirty(const uint8_t* const page)
{
  uint16_t flags;
  memcpy(&flags, page + LMDB_PAGE_FLAGS_AT, sizeof(flags));
  return flags & LMDB_P_DIRTY;
}

/* Entries of /proc/self/pagemap read at a time (8 bytes each). */
#define PAGEMAP_CHUNK 4096

/* Unmap every page of the committed store that is mapped and not dirty
 * (see txn_trim_mapped_pages()); return the bytes of dirty pages mapped,
 * counted past the committed end too, and set *walked when the whole of
 * /proc/self/pagemap could be read.  The caller is in a transaction (it
 * holds `resize_lock`, so the map cannot move).  Another thread's write
 * transaction may be dirtying pages meanwhile: a page it dirties just
 * after its header was read is unmapped here and faults back when it
 * next touches it, its contents kept in the page cache. */
static uint64_t
drop_clean_pages(FdxStore* const store, bool* const walked)
{
  *walked            = false;
  uint8_t* const map = (uint8_t*)store_map(store);
  MDB_envinfo info;
  MDB_stat    env_stat;
  mdb_env_info(store->env, &info);
  mdb_env_stat(store->env, &env_stat);
  const long page = sysconf(_SC_PAGESIZE);
  if (!map || page <= 0 || env_stat.ms_psize != (unsigned)page) {
    return 0;
  }
  const int fd = open("/proc/self/pagemap", O_RDONLY | O_CLOEXEC);
  if (fd < 0) {
    return 0;
  }
  const size_t    psize = (size_t)page;
  const size_t    n     = (size_t)info.me_last_pgno + 1;
  /* Past the committed end: the pages the transaction added, counted,
   * never dropped. */
  const size_t    n_map = (size_t)(info.me_mapsize / psize);
  const uintptr_t first = (uintptr_t)map / psize;
  uint64_t        entries[PAGEMAP_CHUNK];
  size_t          at    = 0;
  size_t          from  = 0; /* first page of the run to drop */
  size_t          dirty = 0; /* pages the transaction wrote, mapped */
  /* Whether the run holds a mapped page: most runs between two dirty
   * pages hold none, and each madvise() is a system call that may also
   * interrupt the other cores running this process's threads. */
  bool            mapped_in_run = false;
  *walked                       = true;
  while (at < n_map) {
    const size_t  want = n_map - at < PAGEMAP_CHUNK ? n_map - at
                                                    : PAGEMAP_CHUNK;
    const ssize_t got  = pread(fd, entries, want * sizeof(uint64_t),
                               (off_t)((first + at) * sizeof(uint64_t)));
    if (got < (ssize_t)sizeof(uint64_t)) {
      *walked = false;
      break;
    }
    const size_t k = (size_t)got / sizeof(uint64_t);
    for (size_t i = 0; i < k; ++i) {
      if (!(entries[i] >> 63)) {
        continue;
      }
      const size_t pg = at + i;
      if (!lmdb_page_dirty(map + pg * psize)) {
        mapped_in_run = mapped_in_run || pg < n;
        continue;
      }
      ++dirty;
      if (pg >= n) {
        continue;
      }
      if (mapped_in_run) {
        madvise(map + from * psize, (pg - from) * psize, MADV_DONTNEED);
      }
      from          = pg + 1;
      mapped_in_run = false;
    }
    at += k;
  }
  if (mapped_in_run) {
    madvise(map + from * psize, ((at < n ? at : n) - from) * psize,
            MADV_DONTNEED);
  }
  close(fd);
  return (uint64_t)dirty * psize;
}

/* What a write transaction maps over its last trim's floor before the
 * next trim (see TXN_TRIM_FROM). */
static inline uint64_t
trim_slack(const FdxTxn* const txn)
{
  const uint64_t quarter = txn->trim_floor / 4;
  return quarter < TXN_TRIM_SLACK_MIN   ? TXN_TRIM_SLACK_MIN
         : quarter > TXN_TRIM_SLACK_MAX ? TXN_TRIM_SLACK_MAX
                                        : quarter;
}

/* Trim the mapped pages inside a write transaction: once over the budget,
 * unmap every page of the committed store except those the transaction
 * dirtied (pages past the committed end are all its own, and stay).  Not
 * those: LMDB's commit reads every dirty page once more (to clear
 * P_DIRTY), and a read fault maps the 64 KiB around the page (the
 * kernel's fault-around, MADV_RANDOM or not), so a transaction's dirty
 * pages, unmapped, would come back as up to 16 times their size, scattered
 * as they are over the store by page reuse.  Mapped pages are found in
 * /proc/self/pagemap (the present bit, readable by any process); a mapped
 * page's header is read without a fault.  Where pagemap cannot be read
 * nothing is dropped: the commit's trim still is.  The transaction holds
 * `resize_lock`, so the map cannot move meanwhile; other threads' readers
 * fault back what they touch. */
static void
txn_trim_mapped_pages(FdxTxn* const txn, const bool committing)
{
  FdxStore* const store  = txn->store;
  const uint64_t  mapped = mapped_bytes();
  txn->last_mapped       = mapped;
  /* Over TXN_TRIM_FROM, and grown by trim_slack() since the last trim of
   * this transaction left what it dirtied mapped (a bulk load dirties
   * gigabytes: the walk below is then done once per 32 MiB it adds, not
   * at every call).  Before the commit, from a smaller size on, so the
   * commit knows what its pages take (fdx_store_last_commit_mapped()). */
  if (committing ? mapped <= COMMIT_TRIM_FROM
                 : (mapped <= TXN_TRIM_FROM ||
                    (mapped != UINT64_MAX &&
                     mapped <= txn->trim_floor + trim_slack(txn)))) {
    return;
  }
  bool           walked = false;
  const uint64_t dirty  = drop_clean_pages(store, &walked);
  txn->trim_floor = mapped_bytes();
  /* What the transaction holds: its own pages (the process's other
   * file-backed pages, its program and libraries, other threads' readers,
   * are not the transaction's to size by). */
  txn->last_mapped = walked ? dirty : txn->trim_floor;
}

void
fdx_txn_trim_mapped(FdxTxn* const txn, const uint64_t budget)
{
  if (txn && mapped_over(budget)) {
    bool walked = false;
    drop_clean_pages(txn->store, &walked);
  }
}

/* Adopt a map size another process has set. */
static FdxStatus
adopt_map_size(FdxStore* const store)
{
  pthread_rwlock_wrlock(&store->resize_lock);
  const int rc = mdb_env_set_mapsize(store->env, 0);
  store->map_addr = NULL; /* LMDB mapped it anew */
  MDB_envinfo info;
  mdb_env_info(store->env, &info);
  store->map_size = info.me_mapsize;
  pthread_rwlock_unlock(&store->resize_lock);
  return fdx_lmdb_status(rc);
}

FdxStatus
fdx_txn_begin(FdxStore* const store, const unsigned flags, FdxTxn** const ret)
{
  if (!store || !store->open || !ret) {
    return FDX_ERR_BAD_ARG;
  }
  const bool write = flags & FDX_TXN_WRITE;
  if (write && (store->flags & FDX_STORE_READ_ONLY)) {
    return FDX_ERR_READ_ONLY;
  }
  FdxStatus space;
  if (write && (space = fdx_store_check_space(store))) {
    return space;
  }
  FdxTxn* const txn = (FdxTxn*)calloc(1, sizeof(FdxTxn));
  if (!txn) {
    return FDX_ERR_NO_MEMORY;
  }
  txn->store = store;
  txn->write = write;

  for (int attempt = 0;; ++attempt) {
    pthread_rwlock_rdlock(&store->resize_lock);
    const int rc =
      mdb_txn_begin(store->env, NULL, write ? 0 : MDB_RDONLY, &txn->txn);
    if (!rc) {
      break;
    }
    pthread_rwlock_unlock(&store->resize_lock);
    if (rc == MDB_MAP_RESIZED && attempt < 3) {
      const FdxStatus st = adopt_map_size(store);
      if (st) {
        free(txn);
        return st;
      }
      continue;
    }
    free(txn);
    return fdx_lmdb_status(rc);
  }

  const FdxStatus st = meta_read(txn);
  if (st) {
    fdx_txn_abort(txn);
    return st;
  }
  *ret = txn;
  return FDX_SUCCESS;
}

/* Close the write cursors.  LMDB frees a write transaction's cursors when
 * the transaction ends, so this must come before commit or abort. */
static void
txn_close_cursors(FdxTxn* const txn)
{
  fdx_txn_free_spare_iters(txn);
  for (int i = 0; i < FDX_N_ORDERS; ++i) {
    if (txn->cur[i]) {
      mdb_cursor_close(txn->cur[i]);
      txn->cur[i] = NULL;
    }
  }
  if (txn->cur_pstats) {
    mdb_cursor_close(txn->cur_pstats);
    txn->cur_pstats = NULL;
  }
}

/* After the LMDB transaction has ended: let resizes in, free. */
static void
txn_release(FdxTxn* const txn)
{
  pthread_rwlock_unlock(&txn->store->resize_lock);
  fdx_feed_free(txn);
  fdx_term_cache_free(txn);
  free(txn);
}

FdxStatus
fdx_txn_commit(FdxTxn* const txn)
{
  if (!txn) {
    return FDX_ERR_BAD_ARG;
  }
  txn_close_cursors(txn);
  if (!txn->write) {
    mdb_txn_abort(txn->txn);
    txn_release(txn);
    return FDX_SUCCESS;
  }
  FdxStatus st = FDX_SUCCESS;
  if (txn->quads_changed) {
    ++txn->meta.generation;
    txn->meta_dirty = true;
    st              = fdx_feed_commit(txn);
    if (!st) {
      txn_trim_mapped_pages(txn, false);
      st = fdx_search_commit(txn);
    }
  }
  if (!st && txn->meta_dirty) {
    st = meta_write(txn);
  }
  if (st) {
    mdb_txn_abort(txn->txn);
    txn_release(txn);
    return st;
  }
  txn_trim_mapped_pages(txn, true);
  const int rc = mdb_txn_commit(txn->txn);
  if (!rc) {
    __atomic_store_n(&txn->store->last_commit_mapped, txn->last_mapped,
                     __ATOMIC_RELAXED);
  }
  txn_release(txn);
  return fdx_lmdb_status(rc);
}

void
fdx_txn_abort(FdxTxn* const txn)
{
  if (txn) {
    txn_close_cursors(txn);
    mdb_txn_abort(txn->txn);
    txn_release(txn);
  }
}

bool
fdx_txn_is_write(const FdxTxn* const txn)
{
  return txn && txn->write;
}

uint64_t
fdx_store_instance(const FdxStore* const store)
{
  return store ? store->instance : 0;
}

FdxStatus
fdx_store_check_space(const FdxStore* const store)
{
  struct statvfs fs;
  if (!store || !store->dir || statvfs(store->dir, &fs)) {
    return FDX_SUCCESS; /* cannot tell: LMDB reports what it meets */
  }
  const uint64_t free_bytes = (uint64_t)fs.f_bavail * fs.f_frsize;
  return free_bytes < store->min_free_disk ? FDX_ERR_NO_SPACE : FDX_SUCCESS;
}

FdxStatus
fdx_store_set_min_free_disk(FdxStore* const store, const uint64_t bytes)
{
  if (!store) {
    return FDX_ERR_BAD_ARG;
  }
  store->min_free_disk = bytes;
  return FDX_SUCCESS;
}

FdxStore*
fdx_txn_store(const FdxTxn* const txn)
{
  return txn ? txn->store : NULL;
}

uint64_t
fdx_txn_generation(const FdxTxn* const txn)
{
  return txn->meta.generation;
}

uint64_t
fdx_txn_next_bnode_scope(FdxTxn* const txn)
{
  txn->meta_dirty = true;
  return ++txn->meta.bnode_scope;
}

FdxStatus
fdx_txn_count_writes(FdxTxn* const txn, const uint64_t n)
{
  const uint64_t before = txn->cursor_calls;
  txn->cursor_calls += n;
  if (before / TRIM_CHECK_QUADS != txn->cursor_calls / TRIM_CHECK_QUADS) {
    txn_trim_mapped_pages(txn, false);
    return fdx_store_check_space(txn->store);
  }
  return FDX_SUCCESS;
}

/* Ensure the write transaction's cursors are open.  Called before every
 * quad is added or removed, it is also where a write transaction keeps
 * its mapped pages in budget (see "Resident set" above), every
 * TRIM_CHECK_QUADS calls (a quad added or removed, or one that was
 * already there or not). */
FdxStatus
fdx_txn_cursors(FdxTxn* const txn)
{
  if (!txn->write) {
    return FDX_ERR_READ_ONLY;
  }
  const FdxStatus st = fdx_txn_count_writes(txn, 1);
  if (st) {
    return st;
  }
  for (int i = 0; i < FDX_N_ORDERS; ++i) {
    if (!txn->cur[i]) {
      const int rc =
        mdb_cursor_open(txn->txn, txn->store->order[i], &txn->cur[i]);
      if (rc) {
        return fdx_lmdb_status(rc);
      }
    }
  }
  if (!txn->cur_pstats) {
    const int rc =
      mdb_cursor_open(txn->txn, txn->store->pstats, &txn->cur_pstats);
    if (rc) {
      return fdx_lmdb_status(rc);
    }
  }
  return FDX_SUCCESS;
}

FdxStatus
fdx_store_write(FdxStore* const store, const FdxWriteFunc fn, void* const ctx)
{
  if (!store || !fn) {
    return FDX_ERR_BAD_ARG;
  }
  for (int attempt = 0;; ++attempt) {
    FdxTxn*   txn = NULL;
    FdxStatus st  = fdx_txn_begin(store, FDX_TXN_WRITE, &txn);
    if (st) {
      return st;
    }
    st = fn(txn, ctx);
    if (st == FDX_SUCCESS || st == FDX_FAILURE) {
      const FdxStatus cst = fdx_txn_commit(txn);
      if (cst == FDX_SUCCESS) {
        /* Shared: a resize must not move the map while its pages drop.
         * From half the budget: what the transaction kept mapped for its
         * commit is of no more use, and the next batch of a harvest reads
         * on top of it. */
        pthread_rwlock_rdlock(&store->resize_lock);
        fdx_store_trim_mapped_pages(store, WRITE_MAPPED_BUDGET / 2);
        pthread_rwlock_unlock(&store->resize_lock);
        return st;
      }
      st = cst;
    } else {
      fdx_txn_abort(txn);
    }
    if (st != FDX_ERR_MAP_FULL || attempt >= 24) {
      return st;
    }
    if ((st = grow_map(store, store->map_size * 2))) {
      return st;
    }
  }
}

FdxStatus
fdx_store_stats(FdxTxn* const txn, FdxStoreStats* const ret)
{
  if (!txn || !ret) {
    return FDX_ERR_BAD_ARG;
  }
  memset(ret, 0, sizeof(*ret));
  ret->quads      = txn->meta.quads;
  ret->terms      = txn->meta.terms;
  ret->graphs     = txn->meta.graphs;
  ret->predicates = txn->meta.predicates;
  ret->generation = txn->meta.generation;

  MDB_envinfo info;
  MDB_stat    st;
  mdb_env_info(txn->store->env, &info);
  mdb_env_stat(txn->store->env, &st);
  ret->map_bytes  = info.me_mapsize;
  ret->used_bytes = (uint64_t)(info.me_last_pgno + 1) * st.ms_psize;

  char        path[4096];
  struct stat sb;
  snprintf(path, sizeof(path), "%s/data.mdb", txn->store->dir);
  if (!stat(path, &sb)) {
    /* Blocks, not st_size: with MDB_WRITEMAP the file is as long as the
     * map but sparse. */
    ret->disk_bytes = (uint64_t)sb.st_blocks * 512;
  }
  return FDX_SUCCESS;
}
