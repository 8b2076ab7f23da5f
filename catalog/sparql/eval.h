/*
 * eval.h: the algebra and its evaluator (internal to the SPARQL engine).
 *
 * A group graph pattern is translated into a tree of operators (SPARQL
 * 1.1 section 18.2) and evaluated by pushing solutions: each operator
 * calls a callback once per solution it produces.  Every operator is
 * evaluated against a *seed*, a partial solution it must be compatible
 * with; the result is the operator's solutions joined with the seed.
 * Basic graph patterns put the seed's values into their scans (an index
 * nested-loop join); operators whose meaning depends on what is unbound
 * (OPTIONAL, MINUS, FILTER, BIND, subqueries) only see the seed's
 * variables they are sure to bind, and are joined with the rest after.
 *
 * A callback returns FDX_SUCCESS to go on, FDX_FAILURE to stop early (a
 * LIMIT reached, ASK answered) or an error; operators pass anything but
 * FDX_SUCCESS straight up.
 */
#ifndef FDX_SPARQL_EVAL_H
#define FDX_SPARQL_EVAL_H

#include "engine.h"

typedef FdxStatus (*EmitFn)(Exec* ex, void* ctx, const FdxId* row);

typedef struct Op Op;

/* Translate a group (NULL: the empty group) in the default graph. */
FdxStatus
eval_translate(Exec* ex, const FdxSparqlGroup* group, Op** ret);

/* Translate a SELECT body's WHERE clause joined with its trailing VALUES
 * (kept per execution). */
FdxStatus
eval_translate_where(Exec* ex, const FdxSparqlSelect* sel, Op** ret);

/* Evaluate `op` against `seed` (n_vars ids, 0 unbound). */
FdxStatus
eval_op(Exec* ex, const Op* op, const FdxId* seed, EmitFn emit, void* ctx);

/* ORDER BY ?var (DESC if `descending`) with a LIMIT, over `op`: when
 * `op` is a basic graph pattern in the default graph in which ?var is the
 * object of a pattern with a constant predicate whose objects are all
 * inline values of one kind (dates, times, numbers: ids that sort as
 * ORDER BY does), read that predicate's quads in ?var's order, evaluate
 * the pattern for each, and stop once `enough(ctx)` says so at a change
 * of ?var's value (ties are all read).  *ret_used is false when `op` does
 * not qualify; nothing was emitted then. */
FdxStatus
eval_ordered(Exec* ex, const Op* op, const FdxId* seed, uint32_t var,
             bool descending, EmitFn emit, void* ctx, bool (*enough)(void* ctx),
             bool* ret_used);

/* SELECT DISTINCT ?var over `op`: when `op` is a basic graph pattern in
 * the default graph in which ?var is the object of a pattern with a
 * constant predicate that has many quads per object (formats, themes,
 * licences), jump from one object of that predicate to the next and
 * evaluate the pattern for each only until its first solution, which goes
 * to `emit`: the other solutions with that value would be repeats.
 * *ret_used is false when `op` does not qualify; nothing was emitted. */
FdxStatus
eval_distinct_objects(Exec* ex, const Op* op, const FdxId* seed, uint32_t var,
                      EmitFn emit, void* ctx, bool* ret_used);

/* The number of solutions of `op` if it is a single triple pattern in the
 * default graph, without filters, whose variables differ from each other
 * and are all unbound in `seed`, and `var` (UINT32_MAX for none) is one of
 * them: counted from the scan without making rows (COUNT(*) or COUNT(?v)
 * over a class or a predicate).  *ret_used is false when `op` does not
 * qualify. */
FdxStatus
eval_count(Exec* ex, const Op* op, const FdxId* seed, uint32_t var,
           uint64_t* ret_count, bool* ret_used);

/* Evaluate a SELECT body `sel`: WHERE (`where` is its translated form, or
 * NULL to translate it in the default graph), grouping, HAVING, projection
 * expressions, ORDER BY, projection, DISTINCT, OFFSET/LIMIT and trailing
 * VALUES.  Rows handed to `emit` have every unprojected slot cleared. */
FdxStatus
eval_select(Exec* ex, const FdxSparqlSelect* sel, const Op* where,
            const FdxId* seed, EmitFn emit, void* ctx);

/* A hash set of id tuples of `width` ids (DISTINCT, groups, CONSTRUCT's
 * triples), its memory charged to the execution.  Zero-initialise, set
 * `width`, free with tuple_set_free(). */
typedef struct {
  FdxId*    tuples; /* n x width */
  size_t    n;
  size_t    cap;
  uint32_t* slots; /* index + 1 */
  size_t    mask;
  uint32_t  width;
} TupleSet;

/* Find `t`, adding it if absent: *ret_index is its index, *ret_new
 * whether it was added. */
FdxStatus
tuple_set_add(Exec* ex, TupleSet* s, const FdxId* t, size_t* ret_index,
              bool* ret_new);
void
tuple_set_free(TupleSet* s);

/* A row buffer from the execution's stack of rows (released in LIFO
 * order with rows_pop). */
FdxId*
rows_push(Exec* ex);
void
rows_pop(Exec* ex);

/* The per-execution state eval.c keeps in Exec (opaque elsewhere). */
typedef struct EvalState EvalState;
void
eval_state_free(Exec* ex);

#endif /* FDX_SPARQL_EVAL_H */
