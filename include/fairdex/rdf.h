/*
 * fairdex/rdf.h: reading and writing RDF documents.
 *
 * Parsing goes through Redland's raptor2 (Turtle, TriG, RDF/XML), with
 * network and file access switched off so a harvested document cannot make
 * the parser fetch anything, through serd for N-Triples and N-Quads,
 * the bulk-load formats, which it parses about twice as fast, and through
 * our own JSON-LD 1.1 reader over jansson (catalog/rdf/jsonld_read.c),
 * which never fetches a context.  Writing N-Triples,
 * N-Quads, Turtle and TriG is our own streaming code, because raptor's
 * Turtle writer holds the whole graph in memory and it has no TriG writer.
 * RDF/XML goes out through raptor's streaming "rdfxml" serializer, and
 * JSON-LD through jansson (see "Triple writers" below).
 *
 * Loading a file into the store is all-or-nothing: one write transaction per
 * file, so a syntax error anywhere leaves the store as it was.
 */
#ifndef FAIRDEX_RDF_H
#define FAIRDEX_RDF_H

#include "fairdex/status.h"
#include "fairdex/store.h"

#include <stdint.h>
#include <stdio.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef enum {
  FDX_FORMAT_UNKNOWN  = 0,
  FDX_FORMAT_NTRIPLES = 1,
  FDX_FORMAT_NQUADS   = 2,
  FDX_FORMAT_TURTLE   = 3,
  FDX_FORMAT_TRIG     = 4,
  FDX_FORMAT_RDFXML   = 5,
  FDX_FORMAT_JSONLD   = 6  /**< Read by our own reader (see
                                fdx_parse_bytes()), written by jansson. */
} FdxFormat;

/**
 * The format named `name` ("ntriples", "nquads", "turtle", "trig",
 * "rdfxml", "jsonld", and the common aliases "nt", "nq", "ttl", "xml",
 * "rdf", "owl", "json-ld"; case does not matter), or FDX_FORMAT_UNKNOWN.
 */
FdxFormat
fdx_format_from_name(const char* name);

/**
 * The format a file name suggests by its extension (".gz" is looked
 * through), or FDX_FORMAT_UNKNOWN.
 */
FdxFormat
fdx_format_from_path(const char* path);

/** Guess the format from the first bytes of a document (JSON-LD: a JSON
 * object or an array of objects). */
FdxFormat
fdx_format_sniff(const char* bytes, size_t len);

/** The canonical name of `format` ("ntriples", ...), or "unknown". */
const char*
fdx_format_name(FdxFormat format);

/**
 * The media type of `format`, without parameters, for a Content-Type
 * header: "application/n-triples", "application/n-quads", "text/turtle",
 * "application/trig", "application/rdf+xml", "application/ld+json".
 * Static, never NULL; "application/octet-stream" for FDX_FORMAT_UNKNOWN.
 */
const char*
fdx_format_media_type(FdxFormat format);

/** True if `format` carries named graphs as fairdex reads and writes it
 * (N-Quads and TriG).  False for JSON-LD: fairdex reads the graphs a
 * JSON-LD document names but writes JSON-LD without graphs. */
bool
fdx_format_has_graphs(FdxFormat format);

/* ------------------------------------------------------------------------
 * Loading
 * --------------------------------------------------------------------- */

/** How fdx_load_file() reads and where it writes. */
typedef struct {
  FdxFormat   format;    /**< FDX_FORMAT_UNKNOWN: from extension or content. */
  const char* graph;     /**< Target graph IRI, or NULL: default graph (and
                              the graphs the document names, for N-Quads,
                              TriG and JSON-LD). */
  const char* base;      /**< Base IRI, or NULL for the file's own URI. */
  uint64_t    max_bytes; /**< Largest (decompressed) input, 0: unlimited. */
  size_t      sort_buffer_bytes; /**< See fdx_loader_new(); 0: default. */
  size_t      block_bytes; /**< Parsed statements travel from the parser
                                thread to the writer in blocks of this size
                                (0: 1 MiB; at least 512).  Small blocks only
                                make sense in tests. */
  /** Called now and then with bytes read so far, may be NULL. */
  void (*progress)(void* ctx, uint64_t bytes_read, uint64_t quads);
  void* progress_ctx;
} FdxLoadOptions;

/** What one fdx_load_file() did. */
typedef struct {
  uint64_t  quads_read;  /**< Statements the parser produced. */
  uint64_t  quads_added; /**< Quads that were new to the store. */
  uint64_t  bytes_read;  /**< Input bytes (decompressed). */
  FdxFormat format;      /**< The format used. */
} FdxLoadResult;

/**
 * Load the RDF document at `path` ("-" is standard input; a ".gz" file or a
 * gzip stream is decompressed) into `store` in one write transaction.  On a
 * syntax error `err` names file, line and column and the store is unchanged.
 * Blank node labels are made unique to this load, so two files that both say
 * _:b1 mean two nodes.  `ret_result` may be NULL.  JSON-LD (given, from a
 * ".jsonld" name, or sniffed from content) is read whole into memory,
 * at most FDX_JSONLD_MAX_BYTES (decompressed), and parsed as
 * fdx_parse_bytes() does; its errors name a JSON path, not a line.
 */
FdxStatus
fdx_load_file(FdxStore*             store,
              const char*           path,
              const FdxLoadOptions* options,
              FdxLoadResult*        ret_result,
              FdxError*             err);

/**
 * As fdx_load_file(), inside the caller's write transaction `txn` (for
 * SPARQL LOAD, where a whole update request is one transaction).  On an
 * error the caller aborts `txn`.  The map is not grown ahead: a full map
 * returns FDX_ERR_MAP_FULL, which fdx_store_write() turns into a rerun.
 */
FdxStatus
fdx_load_file_in(FdxTxn*               txn,
                 const char*           path,
                 const FdxLoadOptions* options,
                 FdxLoadResult*        ret_result,
                 FdxError*             err);

/** The largest JSON-LD document fdx_parse_bytes() and fdx_load_file()
 * read (64 MiB): the reader holds the whole document in memory, several
 * times over. */
#define FDX_JSONLD_MAX_BYTES ((uint64_t)64 << 20)

/**
 * Called by fdx_parse_bytes() for each statement.  The terms are borrowed
 * for the call; `g` is NULL for the default graph.  Blank node labels are
 * the parser's, unique within one document.  A status other than
 * FDX_SUCCESS stops the parse and is returned from it.
 */
typedef FdxStatus (*FdxStatementFunc)(void*          ctx,
                                      const FdxTerm* s,
                                      const FdxTerm* p,
                                      const FdxTerm* o,
                                      const FdxTerm* g);

/**
 * Parse the document `bytes` (`len` bytes, in `format`, or sniffed when
 * FDX_FORMAT_UNKNOWN) and call `fn` for each statement, in document order.
 * `base` resolves relative IRIs (NULL: file:///document); `name` names the
 * document in messages.  Nothing is fetched: external entities and network
 * access are switched off.  On a syntax error `err` gives line and column.
 * FDX_ERR_UNSUPPORTED for a format that cannot be told.
 *
 * JSON-LD: a JSON-LD 1.1 reader of our own (context processing, expansion,
 * deserialization to RDF as the W3C Processing Algorithms describe them,
 * with rdfDirection unset and no generalized RDF).  Read: @context (objects,
 * arrays, null, and term-scoped, property-scoped and type-scoped contexts),
 * @vocab, @base, @language, @direction (accepted; the literal keeps its
 * language and loses the direction), @version 1.1, @propagate, @protected,
 * terms, compact IRIs and prefixes, @id, @type (node and value types),
 * value objects, native numbers and booleans (xsd:integer, xsd:double in
 * the canonical "1.5E0" form, xsd:boolean; integers are exact within 64
 * bits, and a document holding a bigger one has all its numbers read as
 * doubles, as in JavaScript), @list (rdf:first/rest/nil, lists of lists),
 * @set, @container @language, @index (also property-valued), @list, @set,
 * @graph, @id and @type, @reverse, @graph (a node with @graph names the
 * graph of its nodes, `g`, by its @id or a new blank node), @included,
 * @nest, @json (an rdf:JSON literal in canonical JSON, RFC 8785).  Blank
 * node labels "_:x" are passed on as "x"; labels the reader makes up ("g0",
 * "g1", ...) differ from every label in the document.  Relative IRIs
 * resolve against @base, else `base`.  Language tags are lower-cased, as
 * jsonld.js does.  A UTF-8 byte order mark is skipped.  Statements whose
 * subject, predicate or object is not an absolute IRI or a blank node (a
 * relative IRI with no base, a blank node predicate) are dropped, as the
 * algorithm says.  Statements come in the order of expansion (keys sorted),
 * not document order, and a statement can come more than once.
 *
 * Contexts are never fetched.  By URL the reader knows only the contexts
 * fairdex ships: "https://schema.org" and "http://schema.org", with or
 * without "/", and their "/docs/jsonldcontext.jsonld" (and ".json") forms,
 * which are an approximation of schema.org's context: {"@vocab":
 * "http://schema.org/"}, the "schema" prefix, and url, sameAs, license,
 * contentUrl, embedUrl and additionalType typed "@id" (other values stay
 * strings, dates untyped); and the DCAT-AP 3.0.1 context
 * (https://semiceu.github.io/DCAT-AP/releases/3.0.1/context/dcat-ap.jsonld,
 * also as http:), less the five "Xsd:..." terms JSON-LD 1.1 rejects (see
 * catalog/rdf/contexts/README.md).  Any other context URL is FDX_ERR_UNSUPPORTED
 * ("context URL X is not shipped; fairdex never fetches contexts"); so is
 * @import.  Not read: framing keywords (dropped), rdfDirection modes.
 *
 * JSON-LD errors: FDX_ERR_SYNTAX for JSON that does not parse (with line
 * and column) and for a document the algorithms reject, with the JSON path
 * of the place first in the message ("$.@graph[3].title: invalid @id
 * value"); FDX_ERR_LIMIT for a document over FDX_JSONLD_MAX_BYTES, nesting
 * deeper than 256 levels, more than 100000 contexts to process, or more
 * than 50 million term definitions copied between contexts.
 */
FdxStatus
fdx_parse_bytes(const char*      bytes,
                size_t           len,
                FdxFormat        format,
                const char*      base,
                const char*      name,
                FdxStatementFunc fn,
                void*            ctx,
                FdxError*        err);

/* ------------------------------------------------------------------------
 * Writing
 * --------------------------------------------------------------------- */

/** Where writers send bytes; returns 0 on success. */
typedef int (*FdxWriteBytes)(void* ctx, const char* bytes, size_t len);

/**
 * Stream the quads of `graph` (FDX_ID_ANY: all graphs) as `format` through
 * `write`.  N-Triples, Turtle, RDF/XML and JSON-LD cannot name graphs: with
 * FDX_ID_ANY they write the union of all graphs, each triple once.  TriG and
 * N-Quads keep graphs; the default graph's quads come without a graph name.
 * RDF/XML and JSON-LD are written by an FdxTripleWriter (below), with what
 * that implies; RDF/XML fails with FDX_ERR_UNSUPPORTED on the first triple
 * it cannot write.  FDX_ERR_BAD_ARG for FDX_FORMAT_UNKNOWN.
 */
FdxStatus
fdx_dump(FdxTxn*       txn,
         FdxFormat     format,
         FdxId         graph,
         FdxWriteBytes write,
         void*         ctx);

/**
 * Write `term` in N-Triples syntax (the same in N-Quads) to `write`.
 * Returns FDX_ERR_IO if `write` failed.
 */
FdxStatus
fdx_write_term_nt(const FdxTerm* term, FdxWriteBytes write, void* ctx);

/* ------------------------------------------------------------------------
 * Triple writers
 * --------------------------------------------------------------------- */

/**
 * A triple writer turns a stream of triples (the results of a CONSTRUCT or
 * DESCRIBE query, fdx_dump()) into one RDF document and hands its bytes to
 * the caller's FdxWriteBytes callback.  It streams: it keeps the previous
 * triple's subject and predicate, a 64 KiB output buffer, and for JSON-LD
 * one node object of at most FDX_JSONLD_NODE_TRIPLES triples, so its memory
 * does not grow with the number of triples.  It cannot see what comes
 * next, so it groups only consecutive triples: feed a subject's triples
 * one after another (as index scans and DESCRIBE do) for compact output.
 *
 * Use:
 *
 *     fdx_triple_writer_new(FDX_FORMAT_TURTLE, write, ctx, &w);
 *     fdx_triple_writer_prefix(w, "ex", "http://example.org/");  (optional)
 *     for each triple: fdx_triple_writer_add(w, s, p, o);
 *     fdx_triple_writer_end(w);
 *     fdx_triple_writer_free(w);
 *
 * Formats:
 *
 * - FDX_FORMAT_NTRIPLES: one triple per line, as fdx_write_term_nt()
 *   writes terms.  FDX_FORMAT_NQUADS is accepted and writes the same lines
 *   (triples are N-Quads in the default graph).
 * - FDX_FORMAT_TURTLE: the prefixes (below) as @prefix lines first, then
 *   the triples, a run of triples with the same subject as one statement
 *   with ";" between predicates and "," between objects of the same
 *   predicate; "a" for rdf:type.  An IRI is written as prefix:local when a
 *   prefix's IRI starts it and the rest is letters, digits, '_' and '-'
 *   (not starting with '-'), else as <IRI>, with the characters N-Triples
 *   does not allow in an IRI as \uXXXX.  An xsd:integer, xsd:decimal,
 *   xsd:double or xsd:boolean literal whose lexical form is Turtle's token
 *   for that type (42, -1.5, 1.0e3, true) is written bare, which a reader
 *   takes back as the same lexical form and datatype; other literals are
 *   quoted with the escapes \" \\ \n \r \t and \u00XX for the other control
 *   characters.  FDX_FORMAT_TRIG is accepted and writes the same document
 *   (a TriG document whose triples are all in the default graph).
 * - FDX_FORMAT_RDFXML: raptor2's "rdfxml" serializer, which writes each
 *   triple as its own rdf:Description as soon as it gets it.  (raptor's
 *   "rdfxml-abbrev" groups and nests, but only once it has the whole graph
 *   in memory.)  The prefixes are declared on rdf:RDF and name the
 *   property elements.  raptor runs with no base IRI (IRIs are written
 *   whole), without its web layer, and writes only to this writer.  XML
 *   1.0 cannot carry some triples; fdx_triple_writer_add() refuses them
 *   with FDX_ERR_UNSUPPORTED, writing nothing: a predicate IRI that cannot
 *   be split into a namespace and an XML name because it does not end in
 *   one (http://example.org/p1/2, http://example.org/), a literal of datatype
 *   rdf:XMLLiteral (raptor would copy its text into the document
 *   unescaped), and a language tag longer than 255 bytes.  Characters XML
 *   1.0 forbids (U+0000-U+0008, U+000B, U+000C, U+000E-U+001F, U+FFFE,
 *   U+FFFF), and U+007F, which raptor refuses, are written as U+FFFD and
 *   counted (see fdx_triple_writer_replaced()).
 * - FDX_FORMAT_JSONLD: JSON-LD 1.1 in expanded form, with no @context, so
 *   that every IRI is written whole and no string can be misread as a
 *   compact IRI (a client that wants a context can compact the document
 *   with any JSON-LD processor).  The document is an array of node
 *   objects, one per line; a run of triples with the same subject is one
 *   node object:
 *
 *       [
 *       {"@id": "http://ex/a", "@type": ["http://ex/T"],
 *        "http://ex/p": [{"@id": "_:b1"}, {"@value": "chat",
 *        "@language": "fr"}, {"@value": "42", "@type":
 *        "http://www.w3.org/2001/XMLSchema#integer"}]},
 *       {"@id": "_:b1", "http://ex/q": [{"@value": "x"}]}
 *       ]
 *
 *   (each node object is one line).  Blank nodes are "_:label" (labels
 *   written as for Turtle, below), IRIs {"@id": IRI}, literals value
 *   objects with the lexical form as a string "@value" (never a JSON
 *   number, so the lexical form survives), and "@language" or "@type".
 *   rdf:type with an IRI object goes into "@type"; with a blank node or
 *   literal object it is an ordinary property.  A subject whose triples
 *   are not consecutive, or a run longer than FDX_JSONLD_NODE_TRIPLES
 *   triples, becomes several node objects with the same "@id", which
 *   JSON-LD merges.  A JSON-LD processor turns the document back into the
 *   same triples, blank node labels aside; it drops those whose IRIs are
 *   not absolute IRIs (with a scheme, no spaces), which N-Triples and
 *   Turtle would still write.  A predicate IRI starting with '@' would be
 *   a keyword: fdx_triple_writer_add() refuses it with
 *   FDX_ERR_UNSUPPORTED.  Prefixes are not used.
 *
 * In every format:
 *
 * - A literal of datatype xsd:string is written as a simple literal, the
 *   same RDF 1.1 term.
 * - Strings are taken to be UTF-8; a byte sequence that is not (a stray
 *   continuation byte, an overlong or truncated sequence, an encoded
 *   surrogate) is written as U+FFFD, one per maximal ill-formed
 *   subsequence, and counted.  Every output is therefore valid UTF-8.
 * - Blank node labels are the caller's, written as "_:label" (JSON-LD,
 *   Turtle, N-Triples) or rdf:nodeID="label" (RDF/XML).  Bytes other than
 *   ASCII letters and digits, and '_' and '-' after the first byte, are
 *   written as "xHH" (hex), as fdx_dump() writes them; labels fairdex
 *   mints need none of this.  In RDF/XML a label that then starts with a
 *   digit gets a leading '_', to be an XML name.
 *
 * Prefixes (Turtle and RDF/XML): a new writer knows the prefixes of the
 * vocabularies fairdex's catalogues use: rdf, rdfs, xsd, owl, dcat, dct
 * (http://purl.org/dc/terms/), dc, foaf, skos, vcard, prov, adms, schema
 * (http://schema.org/), dcatap (http://data.europa.eu/r5r/), healthdcatap
 * (http://healthdataportal.eu/ns/health#), odrl, spdx, locn, hydra and the
 * EU vocabularies eu-theme, eu-ft, eu-ar, eu-freq and eu-lang, the same as
 * fdx_dump() uses.  fdx_triple_writer_prefix() and
 * fdx_triple_writer_clear_prefixes() change the list before the first
 * triple.  Turtle writes every prefix in the list, used or not: a streaming
 * writer cannot know which it will need.
 *
 * Errors: every function that can fail returns an FdxStatus.
 * FDX_ERR_BAD_ARG and FDX_ERR_UNSUPPORTED from fdx_triple_writer_add()
 * write nothing and leave the writer usable.  Any other error (the
 * callback failed: FDX_ERR_IO; FDX_ERR_NO_MEMORY) is final: the document is
 * broken, the writer calls the callback no more, and every later call
 * returns the same status.
 */
typedef struct FdxTripleWriterImpl FdxTripleWriter;

/** The most triples in one JSON-LD node object (see above). */
#define FDX_JSONLD_NODE_TRIPLES 1024

/**
 * Make a writer of `format` (FDX_FORMAT_NTRIPLES, FDX_FORMAT_NQUADS,
 * FDX_FORMAT_TURTLE, FDX_FORMAT_TRIG, FDX_FORMAT_RDFXML or
 * FDX_FORMAT_JSONLD) that sends its bytes to `write(ctx, ...)`.  Nothing is
 * written yet.  The new writer must be freed with fdx_triple_writer_free().
 * `write` returns 0 on success; anything else is FDX_ERR_IO (final, see
 * above).  It is called with pieces of at most 64 KiB, except that a
 * single term longer than that may come in one piece.
 *
 * Returns FDX_ERR_BAD_ARG for FDX_FORMAT_UNKNOWN or a value that is no
 * FdxFormat, a NULL `write` or `ret_writer`; FDX_ERR_NO_MEMORY.
 * `*ret_writer` is set only on success.
 */
FdxStatus
fdx_triple_writer_new(FdxFormat         format,
                      FdxWriteBytes     write,
                      void*             ctx,
                      FdxTripleWriter** ret_writer);

/**
 * Bind `prefix` to the namespace IRI `iri` (both NUL-terminated, copied),
 * replacing an earlier binding of `prefix`, or with `iri` NULL remove the
 * binding.  `prefix` is "" (Turtle's empty prefix, not declared in RDF/XML)
 * or an ASCII letter followed by ASCII letters, digits, '_' and '-', which
 * is a name in both Turtle and XML.  `iri` is not empty and is UTF-8.
 * Where two prefixes could abbreviate an IRI, the longer namespace wins,
 * then the later binding.  Turtle and RDF/XML use prefixes; N-Triples and
 * JSON-LD ignore them.  In RDF/XML, prefixes starting with "xml" (any
 * case) and the "rdf" prefix (raptor declares its own) are not declared.
 *
 * Returns FDX_ERR_BAD_ARG for a NULL writer or prefix, a bad prefix or IRI,
 * or a call after the first fdx_triple_writer_add() or
 * fdx_triple_writer_end(); FDX_ERR_NO_MEMORY; the final status of a broken
 * writer.
 */
FdxStatus
fdx_triple_writer_prefix(FdxTripleWriter* writer,
                         const char*      prefix,
                         const char*      iri);

/**
 * Forget every prefix, those a new writer knows included, so that Turtle
 * writes every IRI whole.  Same errors as fdx_triple_writer_prefix().
 */
FdxStatus
fdx_triple_writer_clear_prefixes(FdxTripleWriter* writer);

/**
 * Write the triple (`s`, `p`, `o`).  The terms and their strings are
 * borrowed for the call only (the writer copies what it keeps).  The first
 * call writes the document's head.
 *
 * The terms are checked before anything is written: `s` is an IRI or a
 * blank node, `p` an IRI, `o` an IRI, blank node or literal; an IRI and a
 * blank node label are not empty; a string pointer may be NULL only with
 * length 0; a literal has at most one of a language tag and a datatype (a
 * NULL or empty one is absent) and its language tag is Turtle's LANGTAG
 * without the '@' (letters, then groups of letters and digits after '-').
 * A triple that fails the check returns FDX_ERR_BAD_ARG.
 *
 * Returns FDX_ERR_BAD_ARG as above, for a NULL argument or after
 * fdx_triple_writer_end(); FDX_ERR_UNSUPPORTED for a triple the format
 * cannot carry (RDF/XML and JSON-LD, see above); both write nothing and
 * leave the writer usable.  FDX_ERR_IO if the callback failed;
 * FDX_ERR_NO_MEMORY.
 */
FdxStatus
fdx_triple_writer_add(FdxTripleWriter* writer,
                      const FdxTerm*   s,
                      const FdxTerm*   p,
                      const FdxTerm*   o);

/**
 * Hand everything written so far to the callback (the writer otherwise
 * passes bytes on when its buffer is full, which may be in the middle of a
 * term), for a caller that wants a client to see the first triples early.
 * The document is not finished: in Turtle the open statement stays open;
 * JSON-LD closes its node object, so the next triple starts a new one even
 * for the same subject.  Returns FDX_ERR_IO if the callback failed,
 * FDX_ERR_BAD_ARG if `writer` is NULL.
 */
FdxStatus
fdx_triple_writer_flush(FdxTripleWriter* writer);

/**
 * Finish the document and hand all of it to the callback.  With no
 * triples the document is still complete: the @prefix lines (Turtle),
 * nothing (N-Triples), an empty rdf:RDF element (RDF/XML), "[]" (JSON-LD).
 * Afterwards only fdx_triple_writer_replaced() and
 * fdx_triple_writer_free() are useful.
 *
 * Returns FDX_ERR_BAD_ARG for a NULL writer or a second call; FDX_ERR_IO
 * if the callback failed, now or earlier; FDX_ERR_NO_MEMORY.
 */
FdxStatus
fdx_triple_writer_end(FdxTripleWriter* writer);

/**
 * The number of substitutions made so far: ill-formed UTF-8 sequences,
 * and in RDF/XML characters XML forbids, written as U+FFFD.  0 means the
 * output carries every term exactly.  0 for a NULL writer.
 */
uint64_t
fdx_triple_writer_replaced(const FdxTripleWriter* writer);

/**
 * Free `writer` (NULL is fine) without writing anything more: a writer
 * freed before fdx_triple_writer_end() leaves an unfinished document.
 */
void
fdx_triple_writer_free(FdxTripleWriter* writer);

#ifdef __cplusplus
}
#endif

#endif /* FAIRDEX_RDF_H */
