/*
 * test_util.c: the helpers every unit test of the store shares (checks,
 * temporary directory, random numbers, opening stores); see test_util.h.
 */
#include "test_util.h"

#include <ftw.h>
#include <lmdb.h>
#include <inttypes.h>
#include <string.h>

/* ------------------------------------------------------------------------
 * Checks
 * --------------------------------------------------------------------- */

int n_failures = 0;

void
check_failed(const char* const file, const int line, const char* const what)
{
  if (++n_failures <= 60) {
    fprintf(stderr, "%s:%d: check failed: %s\n", file, line, what);
  }
}

int
test_finish(const char* const name)
{
  if (n_failures) {
    fprintf(stderr, "%s: %d check(s) failed\n", name, n_failures);
    return 1;
  }
  printf("%s: ok\n", name);
  return 0;
}

/* ------------------------------------------------------------------------
 * Temporary directory
 * --------------------------------------------------------------------- */

char tmp_root[4096];

static int
rm_entry(const char* const        path,
         const struct stat* const sb,
         const int                flag,
         struct FTW* const        ftw)
{
  (void)sb;
  (void)flag;
  (void)ftw;
  return remove(path);
}

void
remove_tmp_root(void)
{
  if (tmp_root[0]) {
    nftw(tmp_root, rm_entry, 16, FTW_DEPTH | FTW_PHYS);
    tmp_root[0] = '\0';
  }
}

void
make_tmp_root(const char* const slug)
{
  const char* const tmpdir = getenv("TMPDIR");
  snprintf(tmp_root,
           sizeof(tmp_root),
           "%s/fdx-test-%s-XXXXXX",
           tmpdir && tmpdir[0] ? tmpdir : "/tmp",
           slug);
  if (!mkdtemp(tmp_root)) {
    perror("mkdtemp");
    exit(1);
  }
  atexit(remove_tmp_root);
}

void
store_dir(const char* const name, char* const out, const size_t size)
{
  snprintf(out, size, "%s/%s", tmp_root, name);
}

/* ------------------------------------------------------------------------
 * Random numbers
 * --------------------------------------------------------------------- */

uint64_t rng_state = 0;

void
test_start(const char* const name)
{
  setvbuf(stdout, NULL, _IOLBF, 0);
  const char* const seed_env = getenv("FDX_TEST_SEED");
  rng_state = seed_env ? strtoull(seed_env, NULL, 0) : UINT64_C(20240607);
  if (!rng_state) {
    rng_state = 1;
  }
  printf(
    "%s: seed %" PRIu64 " (set FDX_TEST_SEED to change)\n", name, rng_state);
}

/* ------------------------------------------------------------------------
 * Stores and transactions
 * --------------------------------------------------------------------- */

FdxStore*
open_store(const char* const name,
           const unsigned    flags,
           const uint64_t    map_size,
           const size_t      max_term)
{
  char dir[4200];
  store_dir(name, dir, sizeof(dir));
  FdxStore* store = NULL;
  REQUIRE(fdx_store_new(&store) == FDX_SUCCESS);
  if (map_size) {
    CHECK_ST(fdx_store_set_map_size(store, map_size), FDX_SUCCESS);
  }
  if (max_term) {
    CHECK_ST(fdx_store_set_max_term_bytes(store, max_term), FDX_SUCCESS);
  }
  FdxError err;
  memset(&err, 0, sizeof(err));
  const FdxStatus st = fdx_store_open(store, dir, flags, &err);
  if (st) {
    fprintf(
      stderr, "cannot open %s: %s: %s\n", dir, fdx_strerror(st), err.message);
  }
  REQUIRE(st == FDX_SUCCESS);
  return store;
}

FdxTxn*
begin(FdxStore* const store, const unsigned flags)
{
  FdxTxn* txn = NULL;
  REQUIRE(fdx_txn_begin(store, flags, &txn) == FDX_SUCCESS);
  REQUIRE(txn);
  return txn;
}

bool
bytes_eq(const char* const a,
         const size_t      alen,
         const char* const b,
         const size_t      blen)
{
  return alen == blen && (alen == 0 || !memcmp(a, b, alen));
}

/* The most tables a store has (FDX_MAX_DBS of store_impl.h, or more). */
#define TEST_MAX_DBS 24

/* Open the LMDB environment of the store in `dir` (read-only or not). */
static MDB_env*
open_env_raw(const char* const dir, const bool read_only)
{
  MDB_env* env = NULL;
  REQUIRE(!mdb_env_create(&env));
  REQUIRE(!mdb_env_set_maxdbs(env, TEST_MAX_DBS));
  REQUIRE(!mdb_env_open(env, dir, read_only ? MDB_RDONLY : MDB_NOSYNC, 0644));
  return env;
}

void
store_set_layout(const char* const        dir,
                 const uint64_t           version,
                 const char* const* const drop,
                 const size_t             n)
{
  MDB_env* const env = open_env_raw(dir, false);
  MDB_txn*       txn = NULL;
  MDB_dbi        dbi;
  REQUIRE(!mdb_txn_begin(env, NULL, 0, &txn));
  REQUIRE(!mdb_dbi_open(txn, "meta", 0, &dbi));
  uint8_t buf[8];
  for (int i = 0; i < 8; ++i) {
    buf[i] = (uint8_t)(version >> (8 * (7 - i)));
  }
  MDB_val key = {strlen("schema_version"), (void*)"schema_version"};
  MDB_val val = {8, buf};
  REQUIRE(!mdb_put(txn, dbi, &key, &val, 0));
  for (size_t i = 0; i < n; ++i) {
    if (!mdb_dbi_open(txn, drop[i], 0, &dbi)) {
      REQUIRE(!mdb_drop(txn, dbi, 1));
    }
  }
  REQUIRE(!mdb_txn_commit(txn));
  mdb_env_close(env);
}

uint64_t
store_layout(const char* const dir, const char* const name, bool* const ret_has)
{
  MDB_env* const env = open_env_raw(dir, true);
  MDB_txn*       txn = NULL;
  MDB_dbi        dbi;
  REQUIRE(!mdb_txn_begin(env, NULL, MDB_RDONLY, &txn));
  REQUIRE(!mdb_dbi_open(txn, "meta", 0, &dbi));
  MDB_val key = {strlen("schema_version"), (void*)"schema_version"};
  MDB_val val;
  REQUIRE(!mdb_get(txn, dbi, &key, &val) && val.mv_size == 8);
  uint64_t v = 0;
  for (int i = 0; i < 8; ++i) {
    v = (v << 8) | ((const uint8_t*)val.mv_data)[i];
  }
  if (ret_has) {
    *ret_has = !mdb_dbi_open(txn, name, 0, &dbi);
  }
  mdb_txn_abort(txn);
  mdb_env_close(env);
  return v;
}
