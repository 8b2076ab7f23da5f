/*
 * jsonld_write.c: the JSON-LD backend of the triple writer, the one place
 * that uses jansson in the catalogue.
 *
 * The document is JSON-LD 1.1 in expanded form: an array of node objects,
 * every IRI whole, no @context.  Expanded form is what a JSON-LD processor
 * works on internally, so it reads back to the same triples with nothing
 * to resolve: with a context, an IRI whose scheme happened to be a prefix
 * name ("dc:x") would be read as a compact IRI and change.
 *
 * Streaming: the triple writer tells us when the subject changes.  The
 * triples of one run of the same subject are collected in one jansson
 * object (properties keep their first-seen order; a predicate that comes
 * back within the run appends to its array, so no key is repeated), which
 * is written as one line when the run ends, or when it reaches
 * FDX_JSONLD_NODE_TRIPLES triples so that memory stays bounded.  A subject
 * that comes back later gets another node object with the same @id; JSON-LD
 * merges node objects by @id, so that is the same graph.
 *
 * Terms arrive checked and valid UTF-8 (rdf_write.c), which jansson needs:
 * json_stringn() refuses anything else, and a NULL from it here can only
 * mean no memory.
 */
#include "rdf_write_impl.h"

#include <jansson.h>

#include <stdlib.h>
#include <string.h>

struct FdxJsonldImpl {
  Out*    out;
  json_t* node;         /* the open node object, or NULL */
  size_t  node_triples; /* triples in it */
  bool    any;          /* a node object has been written */
  char*   label;        /* "_:" and a blank node label */
  size_t  label_cap;
};

FdxStatus
fdx_jsonld_new(Out* const out, FdxJsonld** const ret)
{
  FdxJsonld* const j = (FdxJsonld*)calloc(1, sizeof(FdxJsonld));
  if (!j) {
    return FDX_ERR_NO_MEMORY;
  }
  j->out = out;
  *ret   = j;
  return FDX_SUCCESS;
}

/* A new JSON string for the node identifier of `t`: the IRI, or "_:"
 * and the label written as in every format.  NULL: no memory. */
static json_t*
id_string(FdxJsonld* const j, const FdxTerm* const t)
{
  if (t->kind == FDX_TERM_IRI) {
    return json_stringn(t->value, t->value_len);
  }
  const size_t need = 2 + 3 * t->value_len;
  if (need > j->label_cap) {
    char* const label = (char*)realloc(j->label, need);
    if (!label) {
      return NULL;
    }
    j->label     = label;
    j->label_cap = need;
  }
  j->label[0] = '_';
  j->label[1] = ':';
  const size_t n =
    2 + fdx_rdf_blank_label(t->value, t->value_len, j->label + 2);
  return json_stringn(j->label, n);
}

/* A new value object for the object `o`: {"@id": ...} for an IRI or a
 * blank node, {"@value": ..., "@language"/"@type": ...} for a literal. */
static json_t*
value_object(FdxJsonld* const j, const FdxTerm* const o)
{
  json_t* const v = json_object();
  if (!v) {
    return NULL;
  }
  int rc;
  if (o->kind != FDX_TERM_LITERAL) {
    rc = json_object_set_new(v, "@id", id_string(j, o));
  } else {
    /* The lexical form as a string, never a JSON number or boolean: a
     * processor would turn those into its own canonical form. */
    rc = json_object_set_new(v, "@value", json_stringn(o->value, o->value_len));
    if (!rc && o->lang) {
      rc =
        json_object_set_new(v, "@language", json_stringn(o->lang, o->lang_len));
    } else if (!rc && o->datatype) {
      rc = json_object_set_new(
        v, "@type", json_stringn(o->datatype, o->datatype_len));
    }
  }
  if (rc) {
    json_decref(v);
    return NULL;
  }
  return v;
}

/* The array under `key` (`len` bytes) in the open node, made if new. */
static json_t*
node_array(FdxJsonld* const j, const char* const key, const size_t len)
{
  json_t* a = json_object_getn(j->node, key, len);
  if (a) {
    return a;
  }
  a = json_array();
  /* On failure json_object_setn_new() has freed `a`. */
  return a && !json_object_setn_new(j->node, key, len, a) ? a : NULL;
}

static int
dump_bytes(const char* const buffer, const size_t size, void* const data)
{
  Out* const out = (Out*)data;
  out_bytes(out, buffer, size);
  return out->failed ? -1 : 0;
}

/* Write the open node object, if any, as one line, and close it. */
static FdxStatus
emit_node(FdxJsonld* const j)
{
  if (!j->node) {
    return FDX_SUCCESS;
  }
  out_str(j->out, j->any ? ",\n" : "[\n");
  /* Flags 0: one line, ", " and ": " between items, UTF-8 as it is. */
  const int rc = json_dump_callback(j->node, dump_bytes, j->out, 0);
  json_decref(j->node);
  j->node         = NULL;
  j->node_triples = 0;
  j->any          = true;
  if (rc) {
    return j->out->failed ? FDX_ERR_IO : FDX_ERR_NO_MEMORY;
  }
  return FDX_SUCCESS;
}

FdxStatus
fdx_jsonld_add(FdxJsonld* const     j,
               const FdxTerm* const s,
               const FdxTerm* const p,
               const FdxTerm* const o,
               const bool           new_subject)
{
  /* A key starting with '@' is a keyword, or ignored, in JSON-LD: such a
   * predicate (never an absolute IRI) cannot be written. */
  if (p->value[0] == '@') {
    return FDX_ERR_UNSUPPORTED;
  }
  FdxStatus st = FDX_SUCCESS;
  if (j->node && (new_subject || j->node_triples >= FDX_JSONLD_NODE_TRIPLES) &&
      (st = emit_node(j))) {
    return st;
  }
  if (!j->node) {
    if (!(j->node = json_object()) ||
        json_object_set_new(j->node, "@id", id_string(j, s))) {
      return FDX_ERR_NO_MEMORY;
    }
  }
  json_t* value = NULL;
  json_t* array = NULL;
  if (o->kind == FDX_TERM_IRI &&
      fdx_rdf_eq(p->value, p->value_len, RDF_NS "type")) {
    /* rdf:type with an IRI object: "@type", as JSON-LD writes it. */
    value = json_stringn(o->value, o->value_len);
    array = value ? node_array(j, "@type", 5) : NULL;
  } else {
    value = value_object(j, o);
    array = value ? node_array(j, p->value, p->value_len) : NULL;
  }
  /* json_array_append_new() frees `value` on failure; a NULL `array`
   * leaves it to us. */
  if (!array) {
    json_decref(value);
    return FDX_ERR_NO_MEMORY;
  }
  if (json_array_append_new(array, value)) {
    return FDX_ERR_NO_MEMORY;
  }
  ++j->node_triples;
  return FDX_SUCCESS;
}

FdxStatus
fdx_jsonld_flush(FdxJsonld* const j)
{
  return emit_node(j);
}

FdxStatus
fdx_jsonld_end(FdxJsonld* const j)
{
  const FdxStatus st = emit_node(j);
  if (!st) {
    out_str(j->out, j->any ? "\n]\n" : "[]\n");
  }
  return st;
}

void
fdx_jsonld_free(FdxJsonld* const j)
{
  if (!j) {
    return;
  }
  json_decref(j->node);
  free(j->label);
  free(j);
}
