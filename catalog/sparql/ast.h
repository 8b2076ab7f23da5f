/*
 * ast.h: the syntax tree of a SPARQL 1.1 query or update request, and the
 * parser that builds it.  Internal to the catalogue (not installed): the
 * evaluator and `fairdex query --explain` read these structs directly.
 *
 * The tree is the parsed text with everything lexical already settled, so
 * that nothing downstream has to look at the query text again:
 *
 *   - Terms are resolved.  Prefixed names are expanded, relative IRIs are
 *     resolved against the base (RFC 3986 section 5.2, dot segments
 *     removed), string escapes are decoded, numbers and booleans are typed
 *     literals ("1"^^xsd:integer, "1.5"^^xsd:decimal, "1e3"^^xsd:double,
 *     "true"^^xsd:boolean) and `a` is rdf:type.  Every string carries an
 *     explicit length (a literal may hold NUL through \u0000) and is also
 *     NUL-terminated for convenience.
 *   - Variables are numbered 0..n_vars-1 per request (one table for the
 *     whole text, subqueries and EXISTS included), so an evaluator can keep
 *     solutions in arrays.  `?x` and `$x` are one variable.  A blank node in
 *     a WHERE-clause triple pattern is a variable too, flagged `is_blank`
 *     (it can never be projected and never clashes with a named one).
 *   - Blank nodes in templates (CONSTRUCT, INSERT, INSERT DATA) are
 *     FDX_SPARQL_TERM_BNODE terms numbered 0..n_bnodes-1 per query or per
 *     update operation: the evaluator makes one fresh blank node per index
 *     per solution (per operation for INSERT DATA).
 *   - Group graph patterns keep their elements in textual order; the
 *     algebra translation (SPARQL 1.1 section 18.2) is left to the
 *     evaluator.  Each group also lists its in-scope variables (18.2.1).
 *   - The static rules that the W3C negative syntax tests check are
 *     enforced by the parser: grouping (a selected variable must be a
 *     GROUP BY key or inside an aggregate), AS and BIND not re-binding an
 *     in-scope variable, aggregates only in SELECT / HAVING / ORDER BY and
 *     never nested, blank node label scope (one basic graph pattern in a
 *     query, one operation in an update request), no variables in INSERT
 *     DATA / DELETE DATA, no blank nodes in anything that deletes, VALUES
 *     rows as wide as their variable list.
 *
 * Blank node label scope, exactly: in a WHERE clause a label belongs to
 * one basic graph pattern, which is a run of triples blocks of one group
 * with nothing but FILTERs between them (a nested group, OPTIONAL, BIND,
 * VALUES etc. end it); using the label in another one is an error.  A
 * label of a CONSTRUCT or INSERT template belongs to that template (two
 * INSERT templates of one request may both use _:b, each making its own
 * blank nodes), and never clashes with the same label in the WHERE
 * clause.  A label of INSERT DATA names one blank node for the whole
 * request: no other operation may use it.
 *
 * Memory: every node, string and array of a query or update lives in one
 * arena owned by the FdxSparqlQuery / FdxSparqlUpdate; one call to
 * fdx_sparql_query_free / fdx_sparql_update_free releases all of it.  All
 * pointers inside the tree are borrowed from that arena and stay valid
 * until the free.  The parser keeps no global state: parsing different
 * texts in different threads at once is safe.
 *
 * Limits (habit 8): the input size, the nesting depth and the memory the
 * tree may take are bounded; going over any of them is FDX_ERR_LIMIT (as
 * is a LIMIT or OFFSET beyond 64 bits).  The parser's own working memory
 * (lists under construction, name tables) has a budget of max_memory too.
 * The depth is the height of the tree as the parser builds it: each
 * nested group, bracketed or function-call expression, path, blank node
 * property list or collection is one level, and so is each operator of a
 * left-associative chain (`a || b || c` is two levels: the tree is binary,
 * so a chain of N operators is N deep); every other operator (unary,
 * comparison, IN, the path operators) is one level as well.  Consumers of
 * the tree can therefore recurse on it without fear for their stack.  The
 * parser itself recurses once per level, at a few hundred bytes of stack
 * each (about 250 in an optimised build, more with sanitizers): the
 * default needs well under 256 KiB; raise max_depth only with the stack
 * to match.
 *
 * Positions in errors: FdxError.line counts from 1; FdxError.column counts
 * Unicode code points (not bytes) from 1 at the start of the line.  A
 * syntax error points at the first byte of the offending token (or
 * character, for lexical errors); messages name what was expected and what
 * was found, e.g. "expected '}', a triple pattern or a graph pattern,
 * found 'SELECT'".  FdxError.source is left empty.
 *
 * Codepoint escapes: \uXXXX and \UXXXXXXXX are decoded inside string
 * literals and inside IRI references (<...>) only, not elsewhere in the
 * text (the spec allows them anywhere, applied before tokenising; outside
 * strings and IRIs we report a syntax error instead).  An escape inside a
 * string always stands for that character (`"\u0022"` is a one-character
 * string holding a quote, where a literal pre-pass would end the string);
 * an escape in an IRI must decode to a character that IRIs allow.  An
 * escape that names a surrogate or a value above U+10FFFF is an error.
 *
 * Relative IRIs with no base (no BASE and a NULL base_iri) are kept as
 * written; so are absolute IRIs (those with a scheme), without removing
 * dot segments, so that a query matches the IRI its data holds.  A
 * leading UTF-8 byte order mark is skipped (and takes no column).
 * Invalid UTF-8 anywhere is a syntax error at the offending byte.
 */
#ifndef FDX_SPARQL_AST_H
#define FDX_SPARQL_AST_H

#include "fairdex/status.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#ifdef __cplusplus
extern "C" {
#endif

/* ------------------------------------------------------------------------
 * Limits
 * --------------------------------------------------------------------- */

#define FDX_SPARQL_DEFAULT_MAX_BYTES ((size_t)1 << 20)   /* 1 MiB */
#define FDX_SPARQL_DEFAULT_MAX_DEPTH 200u
#define FDX_SPARQL_DEFAULT_MAX_MEMORY ((size_t)64 << 20) /* 64 MiB */

/**
 * What the parser accepts.  A field left 0 takes its default; passing NULL
 * for the whole struct takes all the defaults.
 */
typedef struct {
  size_t   max_bytes;  /**< Longest input, in bytes (default 1 MiB). */
  unsigned max_depth;  /**< Deepest nesting, see above (default 200). */
  size_t   max_memory; /**< Most arena memory for the tree (default 64 MiB). */
} FdxSparqlParseLimits;

/* ------------------------------------------------------------------------
 * Terms
 * --------------------------------------------------------------------- */

/** A borrowed string: `len` bytes at `str`, followed by a NUL. */
typedef struct {
  const char* str; /**< NULL when absent. */
  size_t      len;
} FdxSparqlIri;

typedef enum {
  FDX_SPARQL_TERM_NONE    = 0, /**< Absent: UNDEF in VALUES, default graph. */
  FDX_SPARQL_TERM_IRI     = 1, /**< `value`: the resolved IRI. */
  FDX_SPARQL_TERM_LITERAL = 2, /**< `value`: lexical form; lang, datatype. */
  FDX_SPARQL_TERM_VAR     = 3, /**< `index`: into the variable table. */
  FDX_SPARQL_TERM_BNODE   = 4  /**< Template blank node: `index`, `value`
                                    is the label or NULL for [] and (...). */
} FdxSparqlTermKind;

/**
 * An RDF term, variable or template blank node.  Literals: `lang` is the
 * language tag as written (not lowercased: compare tags case-insensitively,
 * as RDF does) or NULL; `datatype` is the datatype IRI or NULL.  NULL for
 * both is a simple literal (xsd:string in RDF 1.1); a language tag implies
 * rdf:langString and leaves `datatype` NULL.
 */
typedef struct {
  FdxSparqlTermKind kind;
  uint32_t          index;     /**< VAR: variable; BNODE: blank node. */
  const char*       value;     /**< IRI, lexical form or bnode label. */
  size_t            value_len;
  const char*       lang;      /**< LITERAL: language tag or NULL. */
  size_t            lang_len;
  const char*       datatype;  /**< LITERAL: datatype IRI or NULL. */
  size_t            datatype_len;
} FdxSparqlTerm;

/**
 * One variable of the request.  Named variables have `name` (without the
 * `?` or `$`).  Blank-node variables (`is_blank`) come from blank nodes in
 * WHERE-clause patterns: `name` is the label without `_:`, or NULL for `[]`,
 * `[ ... ]` and collection cells.
 */
typedef struct {
  const char* name;
  size_t      name_len;
  bool        is_blank;
} FdxSparqlVar;

/* ------------------------------------------------------------------------
 * Property paths
 * --------------------------------------------------------------------- */

typedef enum {
  FDX_SPARQL_PATH_LINK         = 0, /**< `iri` */
  FDX_SPARQL_PATH_INVERSE      = 1, /**< ^left */
  FDX_SPARQL_PATH_SEQ          = 2, /**< left / right */
  FDX_SPARQL_PATH_ALT          = 3, /**< left | right */
  FDX_SPARQL_PATH_ZERO_OR_MORE = 4, /**< left* */
  FDX_SPARQL_PATH_ONE_OR_MORE  = 5, /**< left+ */
  FDX_SPARQL_PATH_ZERO_OR_ONE  = 6, /**< left? */
  FDX_SPARQL_PATH_NEGATED      = 7  /**< !(forward... | ^inverse...) */
} FdxSparqlPathKind;

/**
 * A property path.  SEQ and ALT are binary and left-associative (a/b/c is
 * SEQ(SEQ(a, b), c)), as in the spec's algebra.  A path that is a single
 * IRI (or `a`) is never a path: the triple pattern holds it as a plain
 * predicate.
 */
typedef struct FdxSparqlPath FdxSparqlPath;
struct FdxSparqlPath {
  FdxSparqlPathKind   kind;
  FdxSparqlIri        iri;       /**< LINK */
  const FdxSparqlPath* left;     /**< operand of INVERSE and the modifiers;
                                      left of SEQ and ALT */
  const FdxSparqlPath* right;    /**< right of SEQ and ALT */
  const FdxSparqlIri* forward;   /**< NEGATED: IRIs excluded forwards */
  uint32_t            n_forward;
  const FdxSparqlIri* inverse;   /**< NEGATED: IRIs excluded backwards */
  uint32_t            n_inverse;
};

/** A triple pattern: `path` is NULL for a plain predicate `p`; otherwise
 * `p.kind` is FDX_SPARQL_TERM_NONE and the predicate is the path. */
typedef struct {
  FdxSparqlTerm        s;
  FdxSparqlTerm        p;
  const FdxSparqlPath* path;
  FdxSparqlTerm        o;
} FdxSparqlTriple;

/** A quad of a template or of update data: `g.kind` is
 * FDX_SPARQL_TERM_NONE for the default graph, else an IRI or variable. */
typedef struct {
  FdxSparqlTerm g;
  FdxSparqlTerm s;
  FdxSparqlTerm p;
  FdxSparqlTerm o;
} FdxSparqlQuad;

/* ------------------------------------------------------------------------
 * Expressions
 * --------------------------------------------------------------------- */

typedef enum {
  FDX_SPARQL_EXPR_OR        = 0,  /**< args[0] || args[1] */
  FDX_SPARQL_EXPR_AND       = 1,  /**< args[0] && args[1] */
  FDX_SPARQL_EXPR_EQ        = 2,  /**< = */
  FDX_SPARQL_EXPR_NE        = 3,  /**< != */
  FDX_SPARQL_EXPR_LT        = 4,  /**< < */
  FDX_SPARQL_EXPR_GT        = 5,  /**< > */
  FDX_SPARQL_EXPR_LE        = 6,  /**< <= */
  FDX_SPARQL_EXPR_GE        = 7,  /**< >= */
  FDX_SPARQL_EXPR_IN        = 8,  /**< args[0] IN (args[1..]) */
  FDX_SPARQL_EXPR_NOT_IN    = 9,  /**< args[0] NOT IN (args[1..]) */
  FDX_SPARQL_EXPR_ADD       = 10, /**< + */
  FDX_SPARQL_EXPR_SUB       = 11, /**< - */
  FDX_SPARQL_EXPR_MUL       = 12, /**< * */
  FDX_SPARQL_EXPR_DIV       = 13, /**< / */
  FDX_SPARQL_EXPR_NOT       = 14, /**< !args[0] */
  FDX_SPARQL_EXPR_PLUS      = 15, /**< unary +args[0] */
  FDX_SPARQL_EXPR_MINUS     = 16, /**< unary -args[0] (-1 is a literal) */
  FDX_SPARQL_EXPR_TERM      = 17, /**< `term`: an IRI or literal constant */
  FDX_SPARQL_EXPR_VAR       = 18, /**< `term`: kind VAR, `term.index` */
  FDX_SPARQL_EXPR_CALL      = 19, /**< built-in `fn` on `args` */
  FDX_SPARQL_EXPR_FUNCTION  = 20, /**< function `iri` (casts included) */
  FDX_SPARQL_EXPR_AGGREGATE = 21  /**< `agg` on `args` (none: COUNT(*)) */
} FdxSparqlExprKind;

/** The built-in calls of SPARQL 1.1 (section 17.4), in the spec's order. */
typedef enum {
  FDX_SPARQL_FN_STR,
  FDX_SPARQL_FN_LANG,
  FDX_SPARQL_FN_LANGMATCHES,
  FDX_SPARQL_FN_DATATYPE,
  FDX_SPARQL_FN_BOUND, /**< args[0] is always an EXPR_VAR */
  FDX_SPARQL_FN_IRI,
  FDX_SPARQL_FN_URI,
  FDX_SPARQL_FN_BNODE, /**< 0 or 1 argument */
  FDX_SPARQL_FN_RAND,
  FDX_SPARQL_FN_ABS,
  FDX_SPARQL_FN_CEIL,
  FDX_SPARQL_FN_FLOOR,
  FDX_SPARQL_FN_ROUND,
  FDX_SPARQL_FN_CONCAT, /**< any number of arguments */
  FDX_SPARQL_FN_STRLEN,
  FDX_SPARQL_FN_UCASE,
  FDX_SPARQL_FN_LCASE,
  FDX_SPARQL_FN_ENCODE_FOR_URI,
  FDX_SPARQL_FN_CONTAINS,
  FDX_SPARQL_FN_STRSTARTS,
  FDX_SPARQL_FN_STRENDS,
  FDX_SPARQL_FN_STRBEFORE,
  FDX_SPARQL_FN_STRAFTER,
  FDX_SPARQL_FN_YEAR,
  FDX_SPARQL_FN_MONTH,
  FDX_SPARQL_FN_DAY,
  FDX_SPARQL_FN_HOURS,
  FDX_SPARQL_FN_MINUTES,
  FDX_SPARQL_FN_SECONDS,
  FDX_SPARQL_FN_TIMEZONE,
  FDX_SPARQL_FN_TZ,
  FDX_SPARQL_FN_NOW,
  FDX_SPARQL_FN_UUID,
  FDX_SPARQL_FN_STRUUID,
  FDX_SPARQL_FN_MD5,
  FDX_SPARQL_FN_SHA1,
  FDX_SPARQL_FN_SHA256,
  FDX_SPARQL_FN_SHA384,
  FDX_SPARQL_FN_SHA512,
  FDX_SPARQL_FN_COALESCE, /**< any number of arguments */
  FDX_SPARQL_FN_IF,
  FDX_SPARQL_FN_STRLANG,
  FDX_SPARQL_FN_STRDT,
  FDX_SPARQL_FN_SAMETERM,
  FDX_SPARQL_FN_ISIRI,
  FDX_SPARQL_FN_ISURI,
  FDX_SPARQL_FN_ISBLANK,
  FDX_SPARQL_FN_ISLITERAL,
  FDX_SPARQL_FN_ISNUMERIC,
  FDX_SPARQL_FN_REGEX,   /**< 2 or 3 arguments */
  FDX_SPARQL_FN_SUBSTR,  /**< 2 or 3 arguments */
  FDX_SPARQL_FN_REPLACE, /**< 3 or 4 arguments */
  FDX_SPARQL_FN_EXISTS,     /**< no arguments; `pattern` */
  FDX_SPARQL_FN_NOT_EXISTS, /**< no arguments; `pattern` */
  FDX_SPARQL_N_BUILTINS
} FdxSparqlBuiltin;

typedef enum {
  FDX_SPARQL_AGG_COUNT,
  FDX_SPARQL_AGG_SUM,
  FDX_SPARQL_AGG_MIN,
  FDX_SPARQL_AGG_MAX,
  FDX_SPARQL_AGG_AVG,
  FDX_SPARQL_AGG_SAMPLE,
  FDX_SPARQL_AGG_GROUP_CONCAT,
  FDX_SPARQL_AGG_CUSTOM /**< `iri`(DISTINCT ...): an IRI function called
                             with DISTINCT is taken as an aggregate */
} FdxSparqlAggregate;

typedef struct FdxSparqlExpr    FdxSparqlExpr;
typedef struct FdxSparqlGroup   FdxSparqlGroup;
typedef struct FdxSparqlSelect  FdxSparqlSelect;

struct FdxSparqlExpr {
  FdxSparqlExprKind  kind;
  FdxSparqlBuiltin   fn;        /**< CALL */
  FdxSparqlAggregate agg;       /**< AGGREGATE */
  bool               distinct;  /**< AGGREGATE: DISTINCT given */
  bool               star;      /**< AGGREGATE: COUNT(*), n_args is 0 */
  uint32_t           agg_index; /**< AGGREGATE: index in the enclosing
                                     FdxSparqlSelect's `aggregates` */
  FdxSparqlTerm      term;      /**< TERM, VAR */
  FdxSparqlIri       iri;       /**< FUNCTION, AGGREGATE CUSTOM */
  FdxSparqlIri       separator; /**< GROUP_CONCAT: NULL str means the
                                     default separator, a single space */
  FdxSparqlExpr**    args;
  uint32_t           n_args;
  FdxSparqlGroup*    pattern;   /**< CALL EXISTS / NOT_EXISTS */
};

/* ------------------------------------------------------------------------
 * Graph patterns
 * --------------------------------------------------------------------- */

/** Inline data (VALUES): `cells` is row-major, n_rows x n_vars; a cell of
 * kind FDX_SPARQL_TERM_NONE is UNDEF. */
typedef struct {
  uint32_t*      vars;
  uint32_t       n_vars;
  uint32_t       n_rows;
  FdxSparqlTerm* cells;
} FdxSparqlValues;

typedef enum {
  FDX_SPARQL_EL_TRIPLES  = 0, /**< `triples`: a triples block */
  FDX_SPARQL_EL_FILTER   = 1, /**< `expr` */
  FDX_SPARQL_EL_OPTIONAL = 2, /**< `group` */
  FDX_SPARQL_EL_MINUS    = 3, /**< `group` */
  FDX_SPARQL_EL_UNION    = 4, /**< `groups`, two or more */
  FDX_SPARQL_EL_GRAPH    = 5, /**< `name` (IRI or VAR), `group` */
  FDX_SPARQL_EL_SERVICE  = 6, /**< `name`, `silent`, `group` */
  FDX_SPARQL_EL_BIND     = 7, /**< `expr` AS `var` */
  FDX_SPARQL_EL_VALUES   = 8, /**< `values` */
  FDX_SPARQL_EL_SUBQUERY = 9, /**< `subquery`; alone in its group */
  FDX_SPARQL_EL_GROUP    = 10 /**< `group`: a nested { } without UNION */
} FdxSparqlElementKind;

/**
 * One element of a group graph pattern.  Two triples blocks separated by
 * a FILTER are two TRIPLES elements in the same basic graph pattern (the
 * spec's translation joins them and lifts the filter).
 */
typedef struct {
  FdxSparqlElementKind kind;
  FdxSparqlTriple*     triples;
  uint32_t             n_triples;
  FdxSparqlExpr*       expr;
  uint32_t             var;
  FdxSparqlGroup*      group;
  FdxSparqlGroup**     groups;
  uint32_t             n_groups;
  FdxSparqlTerm        name;
  bool                 silent;
  FdxSparqlValues*     values;
  FdxSparqlSelect*     subquery;
} FdxSparqlElement;

/**
 * A group graph pattern `{ ... }`.  `scope` lists its in-scope named
 * variables (section 18.2.1: not those only under MINUS, FILTER or a
 * subquery's unprojected variables), ascending by index.
 */
struct FdxSparqlGroup {
  FdxSparqlElement* elements;
  uint32_t          n_elements;
  uint32_t*         scope;
  uint32_t          n_scope;
};

/* ------------------------------------------------------------------------
 * Queries
 * --------------------------------------------------------------------- */

/** One item of a SELECT list: a variable (`expr` NULL) or (expr AS var). */
typedef struct {
  uint32_t       var;
  FdxSparqlExpr* expr;
} FdxSparqlProjection;

/** One GROUP BY condition: `expr`, bound to `var` when `has_var` (the
 * `(expr AS ?v)` form).  GROUP BY ?x is an EXPR_VAR with has_var false. */
typedef struct {
  FdxSparqlExpr* expr;
  bool           has_var;
  uint32_t       var;
} FdxSparqlGroupKey;

typedef struct {
  FdxSparqlExpr* expr;
  bool           descending;
} FdxSparqlOrderKey;

/**
 * A query body: the WHERE pattern, the solution modifiers, trailing VALUES
 * and (SELECT and subqueries only) the projection.  Every query form has
 * one; a subquery is one on its own.
 */
struct FdxSparqlSelect {
  bool                 distinct;
  bool                 reduced;
  bool                 star;         /**< SELECT *: `projection` holds the
                                          WHERE's in-scope variables */
  FdxSparqlProjection* projection;
  uint32_t             n_projection;
  FdxSparqlGroup*      where;        /**< NULL only for DESCRIBE without
                                          WHERE */
  FdxSparqlGroupKey*   group_by;
  uint32_t             n_group_by;
  FdxSparqlExpr**      having;
  uint32_t             n_having;
  FdxSparqlOrderKey*   order_by;
  uint32_t             n_order_by;
  bool                 has_limit;
  uint64_t             limit;
  bool                 has_offset;
  uint64_t             offset;
  FdxSparqlValues*     values;       /**< trailing VALUES, or NULL */
  bool                 aggregated;   /**< GROUP BY or an aggregate used:
                                          the solutions are grouped */
  FdxSparqlExpr**      aggregates;   /**< every AGGREGATE node of the
                                          SELECT list, HAVING, ORDER BY */
  uint32_t             n_aggregates;
};

typedef enum {
  FDX_SPARQL_QUERY_SELECT    = 0,
  FDX_SPARQL_QUERY_CONSTRUCT = 1,
  FDX_SPARQL_QUERY_ASK       = 2,
  FDX_SPARQL_QUERY_DESCRIBE  = 3
} FdxSparqlQueryForm;

typedef struct FdxSparqlArenaImpl FdxSparqlArena;

typedef struct {
  FdxSparqlArena*    arena;
  FdxSparqlQueryForm form;
  FdxSparqlIri       base;          /**< the last BASE, or the base_iri
                                         argument; str NULL if none */
  FdxSparqlIri*      from;          /**< FROM */
  uint32_t           n_from;
  FdxSparqlIri*      from_named;    /**< FROM NAMED */
  uint32_t           n_from_named;
  FdxSparqlSelect*   select;        /**< body of every form */
  FdxSparqlQuad*     construct;     /**< CONSTRUCT template (g NONE) */
  uint32_t           n_construct;
  bool               construct_where; /**< the short CONSTRUCT WHERE form */
  uint32_t           n_bnodes;      /**< template blank nodes */
  FdxSparqlTerm*     describe;      /**< DESCRIBE targets (select->star
                                         for DESCRIBE *) */
  uint32_t           n_describe;
  FdxSparqlVar*      vars;
  uint32_t           n_vars;
} FdxSparqlQuery;

/* ------------------------------------------------------------------------
 * Updates
 * --------------------------------------------------------------------- */

typedef enum {
  FDX_SPARQL_OP_LOAD         = 0,
  FDX_SPARQL_OP_CLEAR        = 1,
  FDX_SPARQL_OP_DROP         = 2,
  FDX_SPARQL_OP_CREATE       = 3,
  FDX_SPARQL_OP_ADD          = 4,
  FDX_SPARQL_OP_MOVE         = 5,
  FDX_SPARQL_OP_COPY         = 6,
  FDX_SPARQL_OP_INSERT_DATA  = 7,
  FDX_SPARQL_OP_DELETE_DATA  = 8,
  FDX_SPARQL_OP_DELETE_WHERE = 9,
  FDX_SPARQL_OP_MODIFY       = 10
} FdxSparqlOpKind;

typedef enum {
  FDX_SPARQL_GRAPH_IRI     = 0, /**< the graph `iri` */
  FDX_SPARQL_GRAPH_DEFAULT = 1,
  FDX_SPARQL_GRAPH_NAMED   = 2, /**< all named graphs (CLEAR, DROP) */
  FDX_SPARQL_GRAPH_ALL     = 3  /**< every graph (CLEAR, DROP) */
} FdxSparqlGraphRefKind;

typedef struct {
  FdxSparqlGraphRefKind kind;
  FdxSparqlIri          iri;
} FdxSparqlGraphRef;

/**
 * One update operation.  Which fields are set, by kind:
 *   LOAD          `source`, `target` (DEFAULT when there is no INTO)
 *   CLEAR, DROP   `target` (any ref kind);  CREATE `target` (IRI)
 *   ADD/MOVE/COPY `from` TO `target` (IRI or DEFAULT)
 *   INSERT_DATA   `insert`, `n_bnodes`;  DELETE_DATA `delete_`
 *   DELETE_WHERE  `delete_` (the quad pattern; has_delete is set) and
 *                 `where`, the same pattern as a group (default-graph
 *                 triples, then one GRAPH element per run of quads in
 *                 the same graph), ready to match
 *   MODIFY        `with`, `delete_` (if has_delete), `insert` (if
 *                 has_insert), `n_bnodes`, `using`, `using_named`, `where`
 * `silent` for the graph management operations.
 */
typedef struct {
  FdxSparqlOpKind   kind;
  bool              silent;
  FdxSparqlIri      source;
  FdxSparqlGraphRef from;
  FdxSparqlGraphRef target;
  bool              has_delete;
  FdxSparqlQuad*    delete_;
  uint32_t          n_delete;
  bool              has_insert;
  FdxSparqlQuad*    insert;
  uint32_t          n_insert;
  uint32_t          n_bnodes;
  FdxSparqlIri      with;
  FdxSparqlIri*     using_;
  uint32_t          n_using;
  FdxSparqlIri*     using_named;
  uint32_t          n_using_named;
  FdxSparqlGroup*   where;
} FdxSparqlOperation;

typedef struct {
  FdxSparqlArena*     arena;
  FdxSparqlOperation* ops;
  uint32_t            n_ops;
  FdxSparqlVar*       vars;
  uint32_t            n_vars;
} FdxSparqlUpdate;

/* ------------------------------------------------------------------------
 * Parsing and printing
 * --------------------------------------------------------------------- */

/**
 * Parse the `len` bytes at `text` (UTF-8, need not be NUL-terminated) as a
 * SPARQL 1.1 query.  `base_iri` (may be NULL) is the base for relative
 * IRIs until a BASE declaration; `limits` may be NULL for the defaults.
 *
 * On success, sets `*ret_query` to a new query that the caller frees with
 * fdx_sparql_query_free().  On failure leaves `*ret_query` untouched, fills
 * `err` (may be NULL) and returns FDX_ERR_SYNTAX (the text is not a valid
 * query), FDX_ERR_LIMIT (too long, too deep, too big), FDX_ERR_NO_MEMORY,
 * or FDX_ERR_BAD_ARG (NULL `text` with a nonzero `len`, NULL `ret_query`).
 */
FdxStatus
fdx_sparql_parse_query(const char*                 text,
                       size_t                      len,
                       const char*                 base_iri,
                       const FdxSparqlParseLimits* limits,
                       FdxSparqlQuery**            ret_query,
                       FdxError*                   err);

/** As fdx_sparql_parse_query(), for a SPARQL 1.1 update request (which may
 * hold no operation at all).  Free the result with fdx_sparql_update_free. */
FdxStatus
fdx_sparql_parse_update(const char*                 text,
                        size_t                      len,
                        const char*                 base_iri,
                        const FdxSparqlParseLimits* limits,
                        FdxSparqlUpdate**           ret_update,
                        FdxError*                   err);

/** Free a query and everything in it.  NULL does nothing. */
void
fdx_sparql_query_free(FdxSparqlQuery* query);

/** Free an update request and everything in it.  NULL does nothing. */
void
fdx_sparql_update_free(FdxSparqlUpdate* update);

/**
 * Write `query` to `out` as an S-expression in the manner of Jena's SSE
 * (our own format, stable, described at the top of ast_print.c), ending
 * with a newline.  Returns FDX_ERR_IO if writing failed, FDX_ERR_BAD_ARG
 * for NULL arguments.
 */
FdxStatus
fdx_sparql_query_print(const FdxSparqlQuery* query, FILE* out);

/** As fdx_sparql_query_print(), for an update request. */
FdxStatus
fdx_sparql_update_print(const FdxSparqlUpdate* update, FILE* out);

#ifdef __cplusplus
}
#endif

#endif /* FDX_SPARQL_AST_H */
