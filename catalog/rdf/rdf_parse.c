/*
 * rdf_parse.c: parsing a document held in memory and handing each
 * statement to a callback, for callers that look at a document before
 * they store it (vocabulary import checks SKOS first; installing the
 * shipped vocabularies; harvested documents).  Bulk loads go through
 * rdf_io.c instead, which streams from a file into the store on two
 * threads.  JSON-LD goes to our own reader (jsonld_read.c); raptor2 parses
 * every other format here, with network and file access
 * switched off and Turtle passing the language-tag guard (rdf_guard.h).
 */
#include "fairdex/rdf.h"

#include "rdf_guard.h"

#include <raptor2.h>

#include <string.h>

/* The JSON-LD reader (jsonld_read.c). */
FdxStatus
fdx_jsonld_read(const char*      bytes,
                size_t           len,
                const char*      base,
                const char*      name,
                FdxStatementFunc fn,
                void*            ctx,
                FdxError*        err);

typedef struct {
  const char*      name; /* for messages */
  FdxStatementFunc fn;
  void*            ctx;
  raptor_parser*   parser;
  FdxError*        err;
  FdxStatus        st;
} ParseCtx;

static void
parse_fail(ParseCtx* const pc, const FdxStatus st, const raptor_locator* loc,
           const char* const text)
{
  if (pc->st) {
    return;
  }
  if ((!loc || loc->line <= 0) && pc->parser) {
    loc = raptor_parser_get_locator(pc->parser);
  }
  const long line   = loc && loc->line > 0 ? loc->line : 0;
  const long column = loc && loc->column > 0 ? loc->column : 0;
  pc->st = fdx_error_set(pc->err, st, pc->name, line, column, "%s", text);
  if (pc->parser) {
    raptor_parser_parse_abort(pc->parser);
  }
}

static void
parse_log(void* const data, raptor_log_message* const message)
{
  ParseCtx* const pc = (ParseCtx*)data;
  if (message->level >= RAPTOR_LOG_LEVEL_ERROR) {
    parse_fail(pc, FDX_ERR_SYNTAX, message->locator,
               message->text ? message->text : "syntax error");
  }
}

static bool
term_view(const raptor_term* const t, FdxTerm* const ret)
{
  size_t len = 0;
  switch (t->type) {
  case RAPTOR_TERM_TYPE_URI: {
    const unsigned char* s = raptor_uri_as_counted_string(t->value.uri, &len);
    *ret = (FdxTerm){FDX_TERM_IRI, (const char*)s, len, NULL, 0, NULL, 0};
    return true;
  }
  case RAPTOR_TERM_TYPE_BLANK:
    *ret = (FdxTerm){FDX_TERM_BLANK, (const char*)t->value.blank.string,
                     t->value.blank.string_len, NULL, 0, NULL, 0};
    return true;
  case RAPTOR_TERM_TYPE_LITERAL: {
    const raptor_term_literal_value* const lit = &t->value.literal;
    *ret = (FdxTerm){FDX_TERM_LITERAL, (const char*)lit->string,
                     lit->string_len, NULL, 0, NULL, 0};
    if (lit->language && lit->language_len) {
      ret->lang     = (const char*)lit->language;
      ret->lang_len = lit->language_len;
    } else if (lit->datatype) {
      ret->datatype = (const char*)raptor_uri_as_counted_string(
        lit->datatype, &ret->datatype_len);
    }
    return true;
  }
  case RAPTOR_TERM_TYPE_UNKNOWN:
    break;
  }
  return false;
}

static void
parse_statement(void* const data, raptor_statement* const statement)
{
  ParseCtx* const pc = (ParseCtx*)data;
  if (pc->st) {
    return;
  }
  FdxTerm s, p, o, g;
  if (statement->subject->type == RAPTOR_TERM_TYPE_LITERAL) {
    parse_fail(pc, FDX_ERR_SYNTAX, NULL, "a literal as subject");
  } else if (statement->predicate->type != RAPTOR_TERM_TYPE_URI) {
    parse_fail(pc, FDX_ERR_SYNTAX, NULL, "a predicate that is not an IRI");
  } else if (statement->graph &&
             statement->graph->type == RAPTOR_TERM_TYPE_LITERAL) {
    parse_fail(pc, FDX_ERR_SYNTAX, NULL, "a literal as graph name");
  } else if (!term_view(statement->subject, &s) ||
             !term_view(statement->predicate, &p) ||
             !term_view(statement->object, &o) ||
             (statement->graph && !term_view(statement->graph, &g))) {
    parse_fail(pc, FDX_ERR_SYNTAX, NULL, "a term of unknown kind");
  } else {
    const FdxStatus st = pc->fn(pc->ctx, &s, &p, &o,
                                statement->graph ? &g : NULL);
    if (st) {
      parse_fail(pc, st, NULL,
                 st == FDX_ERR_LIMIT ? "too many statements or terms too long"
                 : st == FDX_ERR_BAD_ARG
                   ? "invalid term (bad UTF-8 or a NUL byte)"
                   : fdx_strerror(st));
    }
  }
}

FdxStatus
fdx_parse_bytes(const char* const      bytes,
                const size_t           len,
                FdxFormat              format,
                const char* const      base,
                const char* const      name,
                const FdxStatementFunc fn,
                void* const            ctx,
                FdxError* const        err)
{
  const char* const label = name ? name : "document";
  if (format == FDX_FORMAT_UNKNOWN) {
    format = fdx_format_sniff(bytes, len);
  }
  if (format == FDX_FORMAT_JSONLD) {
    return fdx_jsonld_read(bytes, len, base, label, fn, ctx, err);
  }
  if (format == FDX_FORMAT_UNKNOWN) {
    return fdx_error_set(err, FDX_ERR_UNSUPPORTED, label, 0, 0,
                         "the document's format is not known");
  }
  if (format == FDX_FORMAT_TURTLE || format == FDX_FORMAT_TRIG) {
    FdxLangGuard guard;
    memset(&guard, 0, sizeof(guard));
    if (!fdx_lang_guard_scan(&guard, bytes, len)) {
      return fdx_error_set(err, FDX_ERR_SYNTAX, label, (long)guard.lines + 1,
                           0, "language tag longer than %d characters",
                           FDX_MAX_AT_WORD);
    }
  }
  ParseCtx pc = {label, fn, ctx, NULL, err, FDX_SUCCESS};
  raptor_world* const world = raptor_new_world();
  raptor_uri*         base_uri = NULL;
  if (!world || raptor_world_open(world)) {
    pc.st = FDX_ERR_NO_MEMORY;
    goto done;
  }
  raptor_world_set_log_handler(world, &pc, parse_log);
  pc.parser = raptor_new_parser(world, fdx_format_name(format));
  base_uri  = raptor_new_uri(
    world, (const unsigned char*)(base ? base : "file:///document"));
  if (!pc.parser || !base_uri) {
    pc.st = fdx_error_set(err, FDX_ERR_BAD_ARG, label, 0, 0,
                          "cannot start the %s parser (base IRI <%s>)",
                          fdx_format_name(format), base ? base : "");
    goto done;
  }
  raptor_parser_set_option(pc.parser, RAPTOR_OPTION_NO_NET, NULL, 1);
  raptor_parser_set_option(pc.parser, RAPTOR_OPTION_NO_FILE, NULL, 1);
  raptor_parser_set_statement_handler(pc.parser, &pc, parse_statement);
  if (raptor_parser_parse_start(pc.parser, base_uri) ||
      raptor_parser_parse_chunk(pc.parser, (const unsigned char*)bytes, len,
                                1)) {
    if (!pc.st) {
      pc.st = fdx_error_set(err, FDX_ERR_SYNTAX, label, 0, 0, "parse error");
    }
  }

done:
  if (pc.parser) {
    raptor_free_parser(pc.parser);
  }
  if (base_uri) {
    raptor_free_uri(base_uri);
  }
  if (world) {
    raptor_free_world(world);
  }
  return pc.st;
}
