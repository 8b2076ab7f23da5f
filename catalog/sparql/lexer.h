/*
 * lexer.h: what the files of catalog/sparql share and nobody else sees:
 * the arena every node and string of a tree lives in, and the tokenizer.
 *
 * The tokenizer works on text that has already been checked to be valid
 * UTF-8 (fdx_sparql_check_utf8), so it can decode characters without
 * checking them again.  Tokens hold byte offsets into the text, and the
 * decoded value where there is one (IRI with escapes decoded but not yet
 * resolved, string with escapes decoded, names without their sigils),
 * copied into the arena and NUL-terminated.  Errors carry the byte offset
 * of the offending character; fdx_sparql_position turns an offset into a
 * line and a column (in code points) only when an error is reported, so
 * lexing does not count lines.
 */
#ifndef FDX_SPARQL_LEXER_H
#define FDX_SPARQL_LEXER_H

#include "ast.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* ------------------------------------------------------------------------
 * Arena
 * --------------------------------------------------------------------- */

/* A new, empty arena that refuses to hand out more than `limit` bytes in
 * all; NULL if out of memory. */
FdxSparqlArena*
fdx_sparql_arena_new(size_t limit);

void
fdx_sparql_arena_free(FdxSparqlArena* arena);

/* `size` bytes aligned for any type, zeroed; NULL when out of memory or
 * over the limit (fdx_sparql_arena_status says which). */
void*
fdx_sparql_arena_alloc(FdxSparqlArena* arena, size_t size);

/* FDX_ERR_LIMIT if the last failed allocation was over the limit, else
 * FDX_ERR_NO_MEMORY. */
FdxStatus
fdx_sparql_arena_status(const FdxSparqlArena* arena);

/* A NUL-terminated copy of `len` bytes. */
char*
fdx_sparql_arena_strdup(FdxSparqlArena* arena, const char* str, size_t len);

/* ------------------------------------------------------------------------
 * Characters
 * --------------------------------------------------------------------- */

/* FDX_SUCCESS if `text` is valid UTF-8 (no overlong forms, surrogates or
 * values above U+10FFFF); otherwise FDX_ERR_SYNTAX with the offset of the
 * first bad byte in *ret_offset. */
FdxStatus
fdx_sparql_check_utf8(const char* text, size_t len, size_t* ret_offset);

/* The 1-based line and code-point column of byte `offset` of `text`. */
void
fdx_sparql_position(const char* text,
                    size_t      len,
                    size_t      offset,
                    long*       ret_line,
                    long*       ret_column);

/* Write `cp` as UTF-8 at `out` (room for 4 bytes); return the length. */
size_t
fdx_sparql_utf8_put(uint32_t cp, char* out);

/* ------------------------------------------------------------------------
 * Tokens
 * --------------------------------------------------------------------- */

/* Keywords, sorted (they are binary-searched), matched case-insensitively.
 * `a` is separate: it is case-sensitive. */
#define FDX_SPARQL_KEYWORDS(X)                                               \
  X(ABS) X(ADD) X(ALL) X(AS) X(ASC) X(ASK) X(AVG) X(BASE) X(BIND) X(BNODE) \
  X(BOUND) X(BY) X(CEIL) X(CLEAR) X(COALESCE) X(CONCAT) X(CONSTRUCT)       \
  X(CONTAINS) X(COPY) X(COUNT) X(CREATE) X(DATA) X(DATATYPE) X(DAY)        \
  X(DEFAULT) X(DELETE) X(DESC) X(DESCRIBE) X(DISTINCT) X(DROP)             \
  X(ENCODE_FOR_URI) X(EXISTS) X(FALSE) X(FILTER) X(FLOOR) X(FROM)          \
  X(GRAPH) X(GROUP) X(GROUP_CONCAT) X(HAVING) X(HOURS) X(IF) X(IN)         \
  X(INSERT) X(INTO) X(IRI) X(ISBLANK) X(ISIRI) X(ISLITERAL) X(ISNUMERIC)   \
  X(ISURI) X(LANG) X(LANGMATCHES) X(LCASE) X(LIMIT) X(LOAD) X(MAX) X(MD5)  \
  X(MIN) X(MINUS) X(MINUTES) X(MONTH) X(MOVE) X(NAMED) X(NOT) X(NOW)       \
  X(OFFSET) X(OPTIONAL) X(ORDER) X(PREFIX) X(RAND) X(REDUCED) X(REGEX)     \
  X(REPLACE) X(ROUND) X(SAMETERM) X(SAMPLE) X(SECONDS) X(SELECT)           \
  X(SEPARATOR) X(SERVICE) X(SHA1) X(SHA256) X(SHA384) X(SHA512) X(SILENT)  \
  X(STR) X(STRAFTER) X(STRBEFORE) X(STRDT) X(STRENDS) X(STRLANG)           \
  X(STRLEN) X(STRSTARTS) X(STRUUID) X(SUBSTR) X(SUM) X(TIMEZONE) X(TO)     \
  X(TRUE) X(TZ) X(UCASE) X(UNDEF) X(UNION) X(URI) X(USING) X(UUID)         \
  X(VALUES) X(WHERE) X(WITH) X(YEAR)

typedef enum {
  FDX_KW_NONE = 0, /* a word that is no keyword */
  FDX_KW_A,        /* `a`, exactly */
#define FDX_KW_ENUM_(name) FDX_KW_##name,
  FDX_SPARQL_KEYWORDS(FDX_KW_ENUM_)
#undef FDX_KW_ENUM_
  FDX_KW_COUNT_
} FdxKeyword;

typedef enum {
  FDX_TOK_EOF,
  FDX_TOK_IRIREF,   /* str: the IRI as written, \u escapes decoded */
  FDX_TOK_PNAME,    /* str: prefix (no ':'); local: local part unescaped */
  FDX_TOK_BNODE,    /* str: label without "_:" */
  FDX_TOK_VAR,      /* str: name without '?' or '$' */
  FDX_TOK_STRING,   /* str: contents, escapes decoded (may hold NUL) */
  FDX_TOK_LANGTAG,  /* str: tag without '@' */
  FDX_TOK_INTEGER,  /* str: the digits */
  FDX_TOK_DECIMAL,  /* str: as written */
  FDX_TOK_DOUBLE,   /* str: as written */
  FDX_TOK_WORD,     /* kw: which keyword (FDX_KW_NONE if none) */
  FDX_TOK_LBRACE,
  FDX_TOK_RBRACE,
  FDX_TOK_LPAREN,
  FDX_TOK_RPAREN,
  FDX_TOK_LBRACKET,
  FDX_TOK_RBRACKET,
  FDX_TOK_DOT,
  FDX_TOK_SEMICOLON,
  FDX_TOK_COMMA,
  FDX_TOK_EQ,
  FDX_TOK_NE,
  FDX_TOK_LT,
  FDX_TOK_GT,
  FDX_TOK_LE,
  FDX_TOK_GE,
  FDX_TOK_BANG,
  FDX_TOK_AND,
  FDX_TOK_OR,
  FDX_TOK_PLUS,
  FDX_TOK_MINUS,
  FDX_TOK_STAR,
  FDX_TOK_SLASH,
  FDX_TOK_CARET,
  FDX_TOK_HATHAT,
  FDX_TOK_PIPE,
  FDX_TOK_QUESTION
} FdxTokKind;

typedef struct {
  FdxTokKind kind;
  FdxKeyword kw;
  size_t     start; /* byte offsets of the token in the text */
  size_t     end;
  char*      str;
  size_t     len;
  char*      local;
  size_t     local_len;
} FdxToken;

typedef struct {
  FdxSparqlArena* arena;
  const char*     text;
  size_t          len;
  size_t          pos;
  /* Set when fdx_sparql_lex fails with FDX_ERR_SYNTAX. */
  size_t err_offset;
  char   err_msg[320];
  /* End of the last run of name characters that turned out not to be a
   * prefixed name: a word starting inside it cannot be one either, so it
   * is not scanned again (which would be quadratic on "a.a.a.a..."). */
  size_t no_pname_end;
} FdxLexer;

void
fdx_sparql_lexer_init(FdxLexer*       lex,
                      FdxSparqlArena* arena,
                      const char*     text,
                      size_t          len);

/* Read the next token into *tok.  FDX_ERR_SYNTAX (err_offset and err_msg
 * set), or the arena's status when it is out of room. */
FdxStatus
fdx_sparql_lex(FdxLexer* lex, FdxToken* tok);

/* For a '<' or '<=' token where an IRI was expected: explain why the text
 * from `offset` is not an IRI reference, setting err_offset and err_msg. */
void
fdx_sparql_lex_explain_iri(FdxLexer* lex, size_t offset);

/* Describe the token for a message: 'text' quoted and shortened, or
 * "end of input". */
void
fdx_sparql_token_describe(const FdxLexer* lex,
                          const FdxToken* tok,
                          char*           out,
                          size_t          size);

/* The keyword's name in capitals ("a" for FDX_KW_A). */
const char*
fdx_sparql_keyword_name(FdxKeyword kw);

#endif /* FDX_SPARQL_LEXER_H */
