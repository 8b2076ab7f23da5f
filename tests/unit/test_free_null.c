/*
 * test_free_null.c: every destructor of the public API accepts NULL, and
 * half-built objects, and every status has a description.
 *
 * Habit 5 of the style guide: `fdx_x_free(NULL)` does nothing, and a
 * destructor works on an object whose set-up failed halfway, because that
 * is what lets callers (and constructors) clean up with one unconditional
 * call on every path.  Habit 3: fdx_strerror() has a human-readable string
 * for every FdxStatus, so callers may print any status they are handed.
 */
#include "test_util.h"

#include "fairdex/rdf.h"
#include "fairdex/status.h"
#include "fairdex/store.h"

#include <stdio.h>
#include <string.h>

#undef NDEBUG
#include <assert.h>

/* Every _free of the public API with NULL: must simply return. */
static void
test_free_null(void)
{
  fdx_store_free(NULL);
  fdx_txn_abort(NULL);
  fdx_quad_iter_free(NULL);
  fdx_loader_free(NULL);
  fdx_triple_writer_free(NULL);
}

static int
discard(void* const ctx, const char* const bytes, const size_t len)
{
  (void)ctx;
  (void)bytes;
  (void)len;
  return 0;
}

/* Destructors on objects that were made but never finished. */
static void
test_free_half_built(const char* const tmp)
{
  /* A store that was created but never opened. */
  FdxStore* store = NULL;
  CHECK(fdx_store_new(&store) == FDX_SUCCESS);
  CHECK(store);
  fdx_store_free(store);

  /* A store whose open failed (no store there, and no CREATE flag). */
  char missing[4200];
  snprintf(missing, sizeof(missing), "%s/no-such-store", tmp);
  store = NULL;
  CHECK(fdx_store_new(&store) == FDX_SUCCESS);
  FdxError err;
  memset(&err, 0, sizeof(err));
  const FdxStatus st = fdx_store_open(store, missing, 0, &err);
  CHECK(st != FDX_SUCCESS);
  CHECK(err.message[0] != '\0');
  fdx_store_free(store);

  /* A store configured, opened, and freed with nothing ever written; then
   * a loader and an iterator freed unused. */
  char dir[4200];
  snprintf(dir, sizeof(dir), "%s/store", tmp);
  store = NULL;
  CHECK(fdx_store_new(&store) == FDX_SUCCESS);
  CHECK(fdx_store_set_map_size(store, (uint64_t)1 << 20) == FDX_SUCCESS);
  CHECK(
    fdx_store_open(store, dir, FDX_STORE_CREATE | FDX_STORE_NO_SYNC, NULL) ==
    FDX_SUCCESS);
  FdxTxn* txn = NULL;
  CHECK(fdx_txn_begin(store, FDX_TXN_WRITE, &txn) == FDX_SUCCESS);
  assert(txn);
  FdxLoader* loader = NULL;
  CHECK(fdx_loader_new(txn, 0, &loader) == FDX_SUCCESS);
  fdx_loader_free(loader);
  const FdxQuad pattern = { FDX_ID_ANY, FDX_ID_ANY, FDX_ID_ANY, FDX_ID_ANY };
  FdxQuadIter*  it      = NULL;
  CHECK(fdx_quad_find(txn, &pattern, &it) == FDX_SUCCESS);
  fdx_quad_iter_free(it);
  fdx_txn_abort(txn);
  fdx_store_free(store);

  /* Triple writers of every format freed before their first triple, and
   * after one triple but before their end. */
  const FdxFormat formats[] = {FDX_FORMAT_NTRIPLES, FDX_FORMAT_TURTLE,
                               FDX_FORMAT_RDFXML, FDX_FORMAT_JSONLD};
  const FdxTerm   s = fdx_term_iri("http://example.org/s");
  const FdxTerm   o = fdx_term_literal("o", NULL, NULL);
  for (size_t i = 0; i < sizeof(formats) / sizeof(formats[0]); ++i) {
    FdxTripleWriter* w = NULL;
    CHECK(fdx_triple_writer_new(formats[i], discard, NULL, &w) == FDX_SUCCESS);
    fdx_triple_writer_free(w);
    w = NULL;
    CHECK(fdx_triple_writer_new(formats[i], discard, NULL, &w) == FDX_SUCCESS);
    CHECK(fdx_triple_writer_add(w, &s, &s, &o) == FDX_SUCCESS);
    fdx_triple_writer_free(w);
  }
}

static void
test_strerror(void)
{
  for (int s = FDX_SUCCESS; s <= FDX_ERR_UNSUPPORTED; ++s) {
    const char* const msg = fdx_strerror((FdxStatus)s);
    CHECK(msg && msg[0]);
    /* Distinct codes get distinct descriptions. */
    for (int t = FDX_SUCCESS; t < s; ++t) {
      CHECK(strcmp(msg, fdx_strerror((FdxStatus)t)) != 0);
    }
  }
  /* A code from a newer fairdex still gets a string. */
  const char* const unknown = fdx_strerror((FdxStatus)999);
  CHECK(unknown && unknown[0]);
}

int
main(void)
{
  make_tmp_root("free-null");

  test_free_null();
  test_free_half_built(tmp_root);
  test_strerror();

  return test_finish("test_free_null");
}
