/*
 * engine.h: what the parts of the SPARQL engine share (internal).
 *
 * The engine evaluates the parser's tree (ast.h) over one read or write
 * transaction.  Solutions are arrays of term ids, one slot per variable of
 * the request, FDX_ID_ANY (0) meaning unbound.  Terms a query makes up
 * (BIND results, aggregates, constants the store has never seen) get
 * *local ids*: tag FDX_TAG_LOCAL plus an index into the query's own term
 * table.  Every term is first looked up in the store, so one term always
 * has one id and ids can be compared for sameTerm without decoding.
 *
 * Values (Value) are terms decoded for expressions: numbers, booleans and
 * dates carry their parsed value, strings point into the store (valid for
 * the transaction), into the term table or into the per-solution scratch
 * arena, which is reset after each solution's expressions are done.
 */
#ifndef FDX_SPARQL_ENGINE_H
#define FDX_SPARQL_ENGINE_H

#include "ast.h"
#include "fairdex/sparql.h"
#include "fairdex/store.h"

#include <stdbool.h>
#include <stdint.h>
#include <time.h>

/* Ids of terms made by the query, not stored. */
#define FDX_TAG_LOCAL 15
#define LOCAL_ID(i) (((FdxId)FDX_TAG_LOCAL << 60) | (FdxId)(i))

#define XSD_NS "http://www.w3.org/2001/XMLSchema#"
#define RDF_NS "http://www.w3.org/1999/02/22-rdf-syntax-ns#"

/* ------------------------------------------------------------------------
 * Arena: bump allocation, freed at once
 * --------------------------------------------------------------------- */

typedef struct ArenaBlock ArenaBlock;

typedef struct {
  ArenaBlock* head;
  size_t      used; /* bytes handed out, for the memory limit */
} Arena;

void*
arena_alloc(Arena* a, size_t size);
char*
arena_strdup(Arena* a, const char* s, size_t len);
void
arena_reset(Arena* a); /* keep the first block, drop the rest */
void
arena_free(Arena* a);

/* ------------------------------------------------------------------------
 * Values
 * --------------------------------------------------------------------- */

typedef enum {
  V_UNBOUND = 0, /* no value: an unbound variable or an error */
  V_IRI,
  V_BNODE,
  V_STRING,   /* simple literal or xsd:string */
  V_LANG,     /* literal with a language tag */
  V_INTEGER,  /* xsd:integer and its derived types */
  V_DECIMAL,
  V_FLOAT,
  V_DOUBLE,
  V_BOOLEAN,
  V_DATETIME, /* xsd:dateTime */
  V_DATE,     /* xsd:date */
  V_TYPED     /* any other typed literal, or an ill-typed one */
} ValueKind;

typedef struct {
  int64_t  seconds; /* since 1970-01-01T00:00:00 in the value's own zone */
  int32_t  micros;
  int16_t  tz_minutes;
  bool     has_tz;
  int      year;
  unsigned month, day, hour, minute;
  double   second;
} DateTime;

typedef struct {
  ValueKind   kind;
  FdxId       id;  /* the term's id if it has one, else 0 */
  const char* str; /* IRI, label or lexical form (may be NULL for
                      computed numbers until value_term() formats it) */
  size_t      len;
  const char* lang;
  size_t      lang_len;
  const char* dt; /* datatype IRI for typed literals (numbers included) */
  size_t      dt_len;
  union {
    int64_t  i;
    double   d;
    bool     b;
    DateTime t;
  } v;
} Value;

/* ------------------------------------------------------------------------
 * The execution context
 * --------------------------------------------------------------------- */

typedef struct TermTable TermTable;

typedef struct Exec Exec;
struct Exec {
  FdxTxn*               txn;
  const FdxSparqlQuery* query; /* NULL for updates */
  uint32_t              n_vars;
  TermTable*            terms;   /* local terms */
  Arena                 scratch; /* per-solution strings */
  Arena                 arena;   /* lives as long as the execution */
  uint64_t              deadline_ns; /* 0: none */
  bool (*cancelled)(void* ctx);      /* FdxQueryOptions.cancelled */
  void* cancel_ctx;
  uint64_t              ticks;
  size_t                max_memory;
  size_t                memory; /* bytes held by materialized results */
  FdxStatus             status; /* first error, sticky */
  FdxError*             err;
  time_t                now;     /* NOW() is constant per query */
  int64_t               now_ns;
  uint64_t              bnode_seq; /* BNODE() and template blank nodes */
  uint64_t              rand_state;
  FdxId*                graphs;  /* FROM graphs, NULL = union of all */
  uint32_t              n_graphs;
  FdxId*                named;   /* FROM NAMED graphs, NULL = all named */
  uint32_t              n_named;
  bool                  restrict_default; /* default graph = `graphs` */
  bool                  restrict_named;   /* named graphs = `named` */
  unsigned              in_exists;   /* > 0 while evaluating EXISTS */
  FdxId                 active_graph; /* GRAPH ?g over a complex pattern */
  uint64_t              row_seq;      /* counts solutions given to BIND and
                                         SELECT expressions (for BNODE) */
  struct EvalState*     eval;        /* eval.c's caches and row stack */
  struct RegexCache*    regex;       /* expr.c's compiled patterns */
  struct {
    const void* expr; /* a constant's expression node */
    FdxId       id;   /* its inline id, or 0 if it has none */
  } const_ids[64];    /* direct-mapped by node address */
  /* Terms decoded from the dictionary, direct-mapped by id: a filter and
   * the output, or the rows of one publisher, ask for the same term
   * again and again.  The terms point into the store's map, so only in a
   * read transaction (a write may move pages). */
  bool cache_terms;
  struct {
    FdxId   id;
    FdxTerm term;
  } term_cache[256];
};

/* Stop with `st` (the first error wins); returns st. */
FdxStatus
exec_fail(Exec* ex, FdxStatus st, const char* fmt, ...)
#if defined(__GNUC__)
  __attribute__((format(printf, 3, 4)))
#endif
  ;

/* Check the time limit now and then; FDX_ERR_LIMIT when over. */
FdxStatus
exec_tick(Exec* ex);

/* Count bytes of materialized results against the memory limit. */
FdxStatus
exec_charge(Exec* ex, size_t bytes);

/* Local term table. */
TermTable*
term_table_new(void);
void
term_table_free(TermTable* t);

/* The id of `term`: the store's if it has it, else a local one (made if
 * needed).  Inline values always get their inline id. */
FdxStatus
exec_term_id(Exec* ex, const FdxTerm* term, FdxId* ret);

/* The id of `term` if the store or the table has it; FDX_FAILURE if not
 * (a constant the data cannot match). */
FdxStatus
exec_term_find(Exec* ex, const FdxTerm* term, FdxId* ret);

/* Decode `id` into a term; strings valid until the transaction ends (or
 * the table is freed, for local ids). */
FdxStatus
exec_term_get(Exec* ex, FdxId id, FdxTermBuf* buf);

/* Decode `id` into a value. */
FdxStatus
value_from_id(Exec* ex, FdxId id, Value* ret);

/* Make a value from a term (parsing numbers and dates). */
void
value_from_term(const FdxTerm* term, FdxId id, Value* ret);

/* The term of a value (formatting computed numbers into the scratch
 * arena). */
FdxStatus
value_term(Exec* ex, Value* v, FdxTerm* ret);

/* The id of a value (exec_term_id of its term). */
FdxStatus
value_id(Exec* ex, Value* v, FdxId* ret);

/* Computed values. */
void
value_integer(Value* v, int64_t i);
void
value_decimal(Value* v, double d);
void
value_double(Value* v, double d);
void
value_float(Value* v, double d);
void
value_boolean(Value* v, bool b);
void
value_string(Value* v, const char* s, size_t len);
void
value_lang(Value* v, const char* s, size_t len, const char* lang,
           size_t lang_len);
void
value_iri(Value* v, const char* s, size_t len);

bool
value_is_numeric(const Value* v);
double
value_number(const Value* v);
bool
value_is_literal(const Value* v);

/* Effective boolean value: 1 true, 0 false, -1 type error. */
int
value_ebv(const Value* v);

/* Comparison for = and !=: 1 equal, 0 not equal, -1 type error. */
int
value_equal(const Value* a, const Value* b);

/* Comparison for < <= > >=: -1/0/1 in *ret, or false on a type error. */
bool
value_compare(const Value* a, const Value* b, int* ret);

/* ORDER BY's total order over any two values (unbound first, then blank
 * nodes, IRIs, literals). */
int
value_order(const Value* a, const Value* b);

/* Term equality (sameTerm). */
bool
value_same_term(const Value* a, const Value* b);

/* ------------------------------------------------------------------------
 * Expressions
 * --------------------------------------------------------------------- */

/* Evaluate `e` over `row`.  A type error leaves *ret V_UNBOUND and returns
 * FDX_SUCCESS; only real errors (limits, I/O) return a status.
 * `aggregates` gives aggregate values during grouping (NULL elsewhere). */
FdxStatus
expr_eval(Exec* ex, const FdxSparqlExpr* e, const FdxId* row,
          const Value* aggregates, Value* ret);

/* EXISTS needs the evaluator: eval.c provides it. */
FdxStatus
eval_exists(Exec* ex, const FdxSparqlGroup* pattern, const FdxId* row,
            bool* ret);

/* Free what expressions kept for the execution (compiled patterns). */
typedef struct RegexCache RegexCache;
void
expr_cleanup(Exec* ex);

/* Call an IRI function (casts). */
FdxStatus
expr_call_function(Exec* ex, const FdxSparqlIri* iri, Value* args,
                   uint32_t n_args, Value* ret);

#endif /* FDX_SPARQL_ENGINE_H */
