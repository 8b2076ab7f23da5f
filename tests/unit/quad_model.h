/*
 * quad_model.h: the brute-force quad model that test_quads.c and
 * test_loader.c check the store against.
 *
 * The truth is a plain array of booleans over small pools of ids (subjects,
 * predicates, objects, graphs), so collisions are frequent, as in real
 * data.  verify() compares a transaction's view of the store with the
 * model: the store and per-predicate statistics and the generation, then
 * fdx_quad_find (as sorted sets, with no duplicates within one scan) and
 * fdx_quad_count for all 16 combinations of bound positions, with random
 * pattern values or exhaustively.  The two tests fill the model in their
 * own ways (single adds and removes, or the bulk loader) and differ in a
 * few checks, which the last fields of Model select.
 */
#ifndef FDX_QUAD_MODEL_H
#define FDX_QUAD_MODEL_H

#include "fairdex/store.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* ------------------------------------------------------------------------
 * Quad vectors
 * --------------------------------------------------------------------- */

typedef struct
{
  FdxQuad* q;
  size_t   n;
  size_t   cap;
} QuadVec;

void
vec_push(QuadVec* v, const FdxQuad* q);

/* Orders quads by (s, p, o, g), for qsort. */
int
quad_cmp(const void* a, const void* b);

/* Does `q` match `pat`, where FDX_ID_ANY matches anything? */
bool
quad_matches(const FdxQuad* q, const FdxQuad* pat);

/* ------------------------------------------------------------------------
 * The model: which (s, p, o, g) of the id pools are stored
 * --------------------------------------------------------------------- */

enum
{
  NS = 100,
  NP = 5,
  NO = 30,
  NG = 4,
  NX = 4
};

typedef struct Model Model;

struct Model
{
  FdxId    s[NS]; /* 0 while the store has not seen the term */
  FdxId    p[NP];
  FdxId    o[NO];
  FdxId    g[NG];
  FdxId    extra[NX]; /* ids of terms in no quad (0: none) */
  FdxId    all[NS + NP + NO + NG + NX];
  size_t   n_all; /* ids in `all`: every id above once (test_quads) */
  bool     has[NS][NP][NO][NG];
  uint64_t generation; /* what the store's generation must be */

  /* How the test checks, set before the first verify() (copies of the
   * model keep them): */
  /* A value for position `pos` (0 s, 1 p, 2 o, 3 g) of a random pattern. */
  FdxId (*random_value)(const Model* m, int pos);
  /* Check that a scan stays at its end when asked again. */
  bool check_past_end;
  /* Check that extra[0] and s[1], which are no predicate, have no
   * predicate statistics. */
  bool check_non_predicates;
};

/* Typed literals that the store packs into their ids (lexical form,
 * datatype IRI): the last N_INLINED objects of the pool, in both tests. */
enum
{
  N_INLINED = 11
};

extern const char* const inlined_literals[N_INLINED][2];

/* The index of `id` in `pool` (ids 0 are skipped), or -1. */
int
pool_index(const FdxId* pool, int n, FdxId id);

/* The quad of pool indexes (s, p, o, g). */
FdxQuad
model_quad(const Model* m, int s, int p, int o, int g);

/* How many quads the model holds. */
uint64_t
model_size(const Model* m);

/* The quads of the model matching `pat`, sorted, into `out`. */
void
model_match(const Model* m, const FdxQuad* pat, QuadVec* out);

/* Set position `pos` (0 s, 1 p, 2 o, 3 g) of `q` to `id`. */
void
set_pos(FdxQuad* q, int pos, FdxId id);

/* ------------------------------------------------------------------------
 * Comparing the store with the model
 * --------------------------------------------------------------------- */

/* Print a quad's ids on stderr after `what`. */
void
print_quad(const char* what, const FdxQuad* q);

/* Scan and count `pat` and compare with the model.  Returns whether they
 * agree (a failed check is counted if not). */
bool
check_pattern(FdxTxn* txn, const Model* m, const FdxQuad* pat);

/*
 * Compare everything: statistics, then for each of the 16 combinations of
 * bound positions `n_random` random patterns, and with `exhaustive` every
 * pattern with one or two bound positions.
 */
void
verify(FdxTxn* txn, const Model* m, int n_random, bool exhaustive);

/* Commit `txn`; the generation moves on by one if it `changed` quads. */
void
commit(FdxTxn* txn, Model* m, bool changed);

#endif /* FDX_QUAD_MODEL_H */
