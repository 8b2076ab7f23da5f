/*
 * test_openapi.c: web/openapi.json, the OpenAPI 3 document `fairdex serve`
 * embeds and serves at /api/openapi.json, against the server itself, on
 * the standard fixture (with its tokens):
 *
 *   - the document parses, is OpenAPI 3, and is the one the server serves
 *     (byte for byte the same JSON value);
 *   - its structure: every operation has responses with a success (200
 *     for GET, a 2xx otherwise), every parameter a name, an `in` and a
 *     schema, every {name} of a path template a required path parameter,
 *     every $ref resolves;
 *   - every path and method of the document is called: once with its
 *     required parameters only, once per optional parameter (a value from
 *     the table below that fits the documented schema; an array parameter
 *     gets two values, an enum or a boolean one call per value), each
 *     with every media type the success answer documents in Accept.  Each
 *     answer must be the documented success, a documented status, of a
 *     documented media type, with every header the response marks
 *     required, and its JSON body must fit the documented schema: $ref,
 *     allOf, oneOf and anyOf resolved, every `required` property present,
 *     the type of every property (string, integer, number, boolean, array,
 *     object; null only where `nullable`), `enum`, minimum/maximum,
 *     minLength/maxLength, minItems/maxItems, array items and
 *     additionalProperties, recursively;
 *   - operations that change the store (POST, PUT, DELETE; write_ops
 *     below) run first, so the reads see what they made.  Each call sends
 *     the documented security (the curator's token), a JSON body from
 *     write_ops that fits the documented request schema (as must every
 *     documented `example`), and, where the operation takes a required
 *     If-Match header, the ETag of a GET of its target; a target is made
 *     fresh for every call where write_ops says so (a POST whose Location
 *     is the target), and @N@ in a body is a number new for every call,
 *     so no call depends on another.  A 201's Location answers GET;
 *   - the failures the document promises: without a token a 401, with
 *     the reader's a 403, without If-Match a 428, with a stale one a 412,
 *     a body that is not application/json a 415 and one that does not
 *     parse a 400; a path parameter that names nothing a 404 (where one
 *     is documented); and the cases of `probes` below (409, 422, 406);
 *     each a documented status whose body fits its schema;
 *   - the documented bounds hold: a value past a documented `maximum`,
 *     below a `minimum`, longer than `maxLength`, shorter than `minLength`,
 *     outside an `enum` or not a boolean is answered with a documented 4xx
 *     whose body fits its schema, and a value right on the bound is not
 *     refused (a documented status other than 400);
 *   - the reverse: every /api route the server answers (api_routes below)
 *     is in the document, each really answers, every method its OPTIONS
 *     answer allows (but HEAD and OPTIONS) is documented, every documented
 *     operation is in api_routes, and every "/api/..." route name in
 *     web/serve.c is in api_routes.
 *
 *   test_it_openapi FAIRDEX SRCROOT
 */
#include "harness.h"

#include <ctype.h>
#include <regex.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#define EU "http://publications.europa.eu/resource/authority/"

static ItServer srv;
static json_t*  doc; /* web/openapi.json */

/* ------------------------------------------------------------------------
 * What the server answers, kept by hand: a route added to the server
 * must be added here, and to web/openapi.json.
 * --------------------------------------------------------------------- */

typedef struct
{
  const char* method; /* lower case, as in OpenAPI */
  const char* path;   /* the document's path template */
  const char* probe;  /* a GET of the path the server answers with 200 */
  long        probe_status; /* what that GET answers instead (0: 200), for
                               a path that takes POST only */
} ApiRoute;

static const ApiRoute api_routes[] = {
  { "get", "/api/datasets", "/api/datasets", 0 },
  { "get", "/api/datasets/{id}", "/api/datasets/athero-kohorte", 0 },
  { "get", "/api/suggest", "/api/suggest?q=herz", 0 },
  { "get", "/api/changes", "/api/changes", 0 },
  { "get", "/api/openapi.json", "/api/openapi.json", 0 },
  { "get", "/api/vocab", "/api/vocab", 0 },
  { "post", "/api/vocab", "/api/vocab", 0 },
  { "get", "/api/vocab/{scheme}", "/api/vocab/data-theme", 0 },
  { "get", "/api/vocab/{scheme}/concepts", "/api/vocab/data-theme/concepts", 0 },
  { "post", "/api/vocab/{scheme}/concepts", "/api/vocab/data-theme/concepts", 0 },
  { "get", "/api/vocab/{scheme}/{concept}", "/api/vocab/data-theme/HEAL", 0 },
  { "put", "/api/vocab/{scheme}/{concept}", "/api/vocab/data-theme/HEAL", 0 },
  { "delete", "/api/vocab/{scheme}/{concept}", "/api/vocab/data-theme/HEAL", 0 },
  { "get",
    "/api/vocab/{scheme}/{concept}/history",
    "/api/vocab/data-theme/HEAL/history", 0 },
  { "get",
    "/api/vocab/{scheme}/{concept}/datasets",
    "/api/vocab/data-theme/HEAL/datasets", 0 },
  { "get", "/api/history", "/api/history", 0 },
  { "post", "/api/history/{id}/revert", "/api/history/1/revert", 405 },
  { "get", "/api/sources", "/api/sources", 0 },
  { "post",
    "/api/sources/{name}/harvest",
    "/api/sources/it-source/harvest",
    405 },
  { "get", "/api/runs", "/api/runs", 0 },
  { "get", "/api/runs/{id}", "/api/runs/1", 0 },
};
#define N_API_ROUTES (sizeof(api_routes) / sizeof(api_routes[0]))

/* ------------------------------------------------------------------------
 * Valid parameter values for the fixture (examples/catalog.ttl and
 * tests/integration/data), by path (NULL: any path) and name.  A
 * documented parameter the table does not know, that has no enum, default
 * or minimum, fails the test: add a value here.
 * --------------------------------------------------------------------- */

typedef struct
{
  const char* path;
  const char* name;
  const char* values[3]; /* an array parameter gets all of them */
} Known;

static const Known known[] = {
  { "/api/datasets/{id}", "id", { "athero-kohorte" } },
  { "/api/suggest", "q", { "herz" } },
  { "/api/suggest", "lang", { "de" } },
  { "/api/suggest", "limit", { "5" } },
  { "/api/changes", "since", { "0" } },
  { "/api/changes", "limit", { "10" } },
  /* the shipped EU data themes; HEAL is used by 13 datasets */
  { NULL, "scheme", { "data-theme" } },
  /* the first curation change (the write operations before it make one) */
  { "/api/history/{id}/revert", "id", { "1" } },
  { NULL, "concept", { "HEAL" } },
  { "/api/vocab/{scheme}/concepts", "q", { "gesund" } },
  { "/api/vocab/{scheme}/concepts", "limit", { "5" } },
  { "/api/vocab/{scheme}/{concept}/datasets", "limit", { "5" } },
  { "/api/vocab/{scheme}/{concept}/history", "since", { "1" } },
  { "/api/vocab/{scheme}/{concept}/history", "limit", { "10" } },
  { "/api/vocab/{scheme}/{concept}", "replacedBy", { "TECH" } },
  { "/api/history", "since", { "1" } },
  { "/api/history", "limit", { "10" } },
  /* the harvest source of the test's --harvest-config, and its first run
   * (made with `fairdex harvest` before the server starts) */
  { NULL, "name", { "it-source" } },
  { "/api/runs", "source", { "it-source" } },
  { "/api/runs", "since", { "0" } },
  { "/api/runs", "before", { "2" } },
  { "/api/runs", "limit", { "10" } },
  { "/api/runs/{id}", "id", { "1" } },
  { NULL, "q", { "herz" } },
  { NULL, "theme", { EU "data-theme/HEAL", EU "data-theme/TECH" } },
  { NULL,
    "publisher",
    { IT_BASE "org/isar-herzzentrum", IT_BASE "org/biobank-mainfranken" } },
  /* (only there: format of /api/vocab/{scheme} is an enum) */
  { "/api/datasets", "format", { EU "file-type/CSV", EU "file-type/ZIP" } },
  { NULL, "license", { EU "licence/CC_BY_4_0", EU "licence/CC0" } },
  { NULL,
    "access_rights",
    { EU "access-right/PUBLIC", EU "access-right/RESTRICTED" } },
  { NULL, "keyword", { "LDL cholesterol", "Kinder" } },
  { NULL, "year", { "2024", "2025" } },
  { NULL, "modified_from", { "2024-01-01" } },
  { NULL, "modified_to", { "2024-12-31T23:59:59Z" } },
  { NULL, "page", { "1" } },
  { NULL, "per_page", { "5" } },
  { NULL, "lang", { "de" } },
  { NULL, "facet_limit", { "3" } },
  { NULL, "iri", { IT_BASE "dataset/athero-kohorte" } },
};
#define N_KNOWN (sizeof(known) / sizeof(known[0]))

/* ------------------------------------------------------------------------
 * The operations that change the store, by method and path: a documented
 * operation other than GET that is missing here fails the test.  In the
 * bodies, @N@ becomes a number new for every call, so that no call
 * collides with one before it; the concepts they name (HEAL, TECH) are in
 * the `known` scheme data-theme.
 * --------------------------------------------------------------------- */

typedef struct
{
  const char* method; /* lower case, as in OpenAPI */
  const char* path;   /* the document's path template */
  const char* body;   /* a valid JSON request body, or NULL for none */
  /* NULL: the target is the path filled from `known`; else a collection
   * (a path template) the test POSTs fresh_body to (with the curator's
   * token) before every call: the Location of its 201 is the target. */
  const char* fresh_at;
  const char* fresh_body;
} WriteOp;

#define FRESH_CONCEPT                                             \
  "{\"id\": \"it-target-@N@\", \"prefLabel\": {\"en\": \"Target " \
  "@N@\"}, \"broader\": [\"HEAL\"]}"

static const WriteOp write_ops[] = {
  { "post",
    "/api/vocab",
    "{\"id\": \"it-scheme-@N@\", \"title\": {\"en\": \"Scheme @N@\", "
    "\"de\": \"Schema @N@\"}}",
    NULL,
    NULL },
  { "post",
    "/api/vocab/{scheme}/concepts",
    "{\"id\": \"it-new-@N@\", \"prefLabel\": {\"en\": \"New @N@\", "
    "\"de\": \"Neu @N@\"}, \"altLabel\": {\"en\": [\"Fresh @N@\"]}, "
    "\"definition\": {\"en\": \"Made by test_openapi\"}, \"notation\": "
    "\"IT-@N@\", \"broader\": [\"HEAL\"], \"related\": [\"" EU
    "data-theme/TECH\"], \"exactMatch\": [\"https://example.org/it/@N@\"]}",
    NULL,
    NULL },
  { "put",
    "/api/vocab/{scheme}/{concept}",
    "{\"prefLabel\": {\"en\": \"Changed @N@\", \"de\": \"Geaendert "
    "@N@\"}, \"altLabel\": {\"en\": [\"Other @N@\", \"Else @N@\"]}, "
    "\"scopeNote\": {\"en\": \"Edited by test_openapi\"}, \"broader\": "
    "[\"HEAL\"], \"notation\": \"IT-@N@\"}",
    "/api/vocab/{scheme}/concepts",
    FRESH_CONCEPT },
  { "delete",
    "/api/vocab/{scheme}/{concept}",
    NULL,
    "/api/vocab/{scheme}/concepts",
    FRESH_CONCEPT },
  { "post", "/api/sources/{name}/harvest", NULL, NULL, NULL },
  { "post", "/api/history/{id}/revert", NULL, NULL, NULL },
};
#define N_WRITE_OPS (sizeof(write_ops) / sizeof(write_ops[0]))

static const WriteOp*
write_op(const char* const method, const char* const path)
{
  for (size_t i = 0; i < N_WRITE_OPS; ++i) {
    if (!strcmp(write_ops[i].method, method) &&
        !strcmp(write_ops[i].path, path)) {
      return &write_ops[i];
    }
  }
  return NULL;
}

/* ------------------------------------------------------------------------
 * Failures the document promises that need a particular request: each
 * answer must have exactly this status, documented, with a body that fits
 * its schema.  The other parts of the request are as for a valid call.
 * --------------------------------------------------------------------- */

typedef struct
{
  const char* method; /* lower case, as in OpenAPI */
  const char* path;   /* the document's path template */
  const char* query;  /* NAME=VALUE added to the query string, or NULL */
  const char* body;   /* the request body instead of write_ops', or NULL */
  const char* accept; /* Accept, or NULL */
  const char* target; /* the target instead of the usual one, or NULL */
  long        status;
  const char* note; /* what it tries, for the label */
} Probe;

static const Probe probes[] = {
  { "post",
    "/api/vocab",
    NULL,
    "{\"id\": \"data-theme\", \"title\": {\"en\": \"Again\"}}",
    NULL,
    NULL,
    409,
    "(an id that is taken)" },
  { "post",
    "/api/vocab",
    NULL,
    "{\"id\": \"no id\", \"title\": {\"en\": \" \"}}",
    NULL,
    NULL,
    422,
    "(a bad id, an empty title)" },
  { "post",
    "/api/vocab/{scheme}/concepts",
    NULL,
    "{\"id\": \"HEAL\", \"prefLabel\": {\"en\": \"Health again\"}}",
    NULL,
    NULL,
    409,
    "(a concept that exists)" },
  { "post",
    "/api/vocab/{scheme}/concepts",
    NULL,
    "{\"id\": \"it-bad-@N@\", \"broader\": [\"it-no-such\"]}",
    NULL,
    NULL,
    422,
    "(no prefLabel, a link to nothing)" },
  { "put",
    "/api/vocab/{scheme}/{concept}",
    NULL,
    "{\"prefLabel\": {\"en\": [\"One\", \"Two\"]}}",
    NULL,
    NULL,
    422,
    "(two prefLabels in one language)" },
  { "delete",
    "/api/vocab/{scheme}/{concept}",
    "replacedBy=it-no-such",
    NULL,
    NULL,
    NULL,
    422,
    "(a replacement that does not exist)" },
  { "delete",
    "/api/vocab/{scheme}/{concept}",
    "hard=true",
    NULL,
    NULL,
    "/api/vocab/data-theme/HEAL", /* 13 datasets of the fixture use it */
    409,
    "(removing a concept in use)" },
  { "get",
    "/api/vocab/{scheme}",
    NULL,
    NULL,
    "image/x-it-none",
    NULL,
    406,
    "(a media type it has not)" },
};
#define N_PROBES (sizeof(probes) / sizeof(probes[0]))

static const Known*
known_value(const char* const path, const char* const name)
{
  for (size_t i = 0; i < N_KNOWN; ++i) {
    if (!strcmp(known[i].name, name) &&
        (!known[i].path || !strcmp(known[i].path, path))) {
      return &known[i];
    }
  }
  return NULL;
}

/* ------------------------------------------------------------------------
 * The document
 * --------------------------------------------------------------------- */

/* The value a local $ref ("#/components/schemas/X") points at, or NULL. */
static json_t*
resolve_ref(const char* const ref)
{
  if (!ref || strncmp(ref, "#/", 2)) {
    return NULL;
  }
  json_t*     node = doc;
  const char* p    = ref + 2;
  while (node && *p) {
    char         key[256];
    size_t       n = 0;
    const char*  q = p;
    for (; *q && *q != '/' && n < sizeof(key) - 1; ++q) {
      if (q[0] == '~' && q[1] == '1') {
        key[n++] = '/';
        ++q;
      } else if (q[0] == '~' && q[1] == '0') {
        key[n++] = '~';
        ++q;
      } else {
        key[n++] = *q;
      }
    }
    key[n] = '\0';
    node   = json_object_get(node, key);
    p      = *q == '/' ? q + 1 : q;
  }
  return node;
}

/* Follow $refs until a node without one (at most 16 steps). */
static json_t*
deref(json_t* node)
{
  for (int i = 0; i < 16 && node; ++i) {
    json_t* const ref = json_object_get(node, "$ref");
    if (!json_is_string(ref)) {
      return node;
    }
    node = resolve_ref(json_string_value(ref));
  }
  return node;
}

/* Check every $ref in the document resolves. */
static void
check_refs(json_t* const node, const char* const where)
{
  if (json_is_object(node)) {
    const char* key;
    json_t*     value;
    json_object_foreach (node, key, value) {
      if (!strcmp(key, "$ref")) {
        const char* const ref = json_string_value(value);
        IT_CHECK(ref && resolve_ref(ref),
                 "openapi.json: the $ref %s (at %s) resolves",
                 ref ? ref : "(not a string)",
                 where);
      } else {
        char sub[512];
        snprintf(sub, sizeof(sub), "%s/%s", where, key);
        check_refs(value, sub);
      }
    }
  } else if (json_is_array(node)) {
    size_t  i;
    json_t* value;
    json_array_foreach (node, i, value) {
      char sub[512];
      snprintf(sub, sizeof(sub), "%s/%zu", where, i);
      check_refs(value, sub);
    }
  }
}

static const char* const methods[] = { "get",     "put",  "post",  "delete",
                                       "options", "head", "patch", "trace" };
#define N_METHODS (sizeof(methods) / sizeof(methods[0]))

/* The parameters of an operation: the path's, then the operation's
 * (dereferenced), at most `max`. */
static size_t
operation_params(json_t* const item,
                 json_t* const op,
                 json_t**      ret,
                 const size_t  max)
{
  size_t        n       = 0;
  json_t* const lists[] = { json_object_get(item, "parameters"),
                            json_object_get(op, "parameters") };
  for (size_t l = 0; l < 2; ++l) {
    size_t  i;
    json_t* p;
    json_array_foreach (lists[l], i, p) {
      if (n < max) {
        ret[n++] = deref(p);
      }
    }
  }
  return n;
}

/* ------------------------------------------------------------------------
 * Schema checks
 * --------------------------------------------------------------------- */

static const char*
json_kind(const json_t* const v)
{
  return !v                   ? "nothing"
         : json_is_null(v)    ? "null"
         : json_is_boolean(v) ? "boolean"
         : json_is_integer(v) ? "integer"
         : json_is_real(v)    ? "number"
         : json_is_string(v)  ? "string"
         : json_is_array(v)   ? "array"
                              : "object";
}

static bool
type_fits(const char* const type, const json_t* const v)
{
  if (!strcmp(type, "string")) {
    return json_is_string(v);
  }
  if (!strcmp(type, "integer")) {
    return json_is_integer(v);
  }
  if (!strcmp(type, "number")) {
    return json_is_number(v);
  }
  if (!strcmp(type, "boolean")) {
    return json_is_boolean(v);
  }
  if (!strcmp(type, "array")) {
    return json_is_array(v);
  }
  if (!strcmp(type, "object")) {
    return json_is_object(v);
  }
  return false;
}

/* Characters (UTF-8 code points) of a string. */
static size_t
utf8_length(const char* const text)
{
  size_t n = 0;
  for (const unsigned char* c = (const unsigned char*)text; *c; ++c) {
    n += (*c & 0xC0) != 0x80;
  }
  return n;
}

/* Does `value` keep the schema's minimum/maximum, minLength/maxLength
 * and minItems/maxItems? */
static bool
bounds_fit(json_t* const     schema,
           json_t* const     value,
           const char* const where,
           char* const       err,
           const size_t      err_size)
{
  static const struct
  {
    const char* name;
    bool        is_max;
  } bounds[] = { { "minimum", false },   { "maximum", true },
                 { "minLength", false }, { "maxLength", true },
                 { "minItems", false },  { "maxItems", true } };
  for (size_t i = 0; i < sizeof(bounds) / sizeof(bounds[0]); ++i) {
    json_t* const bound = json_object_get(schema, bounds[i].name);
    if (!json_is_number(bound)) {
      continue;
    }
    double have = 0;
    if (i < 2 && json_is_number(value)) {
      have = json_number_value(value);
    } else if (i >= 2 && i < 4 && json_is_string(value)) {
      have = (double)utf8_length(json_string_value(value));
    } else if (i >= 4 && json_is_array(value)) {
      have = (double)json_array_size(value);
    } else {
      continue;
    }
    const double limit = json_number_value(bound);
    if (bounds[i].is_max ? have > limit : have < limit) {
      snprintf(err,
               err_size,
               "%s: %g is %s the %s %g",
               where,
               have,
               bounds[i].is_max ? "above" : "below",
               bounds[i].name,
               limit);
      return false;
    }
  }
  return true;
}

/* Does `value` fit `schema`?  On a mismatch, the first reason (with the
 * JSON path `where`) goes into err. */
static bool
fits(json_t* schema,
     json_t* const     value,
     const char* const where,
     char* const       err,
     const size_t      err_size,
     const int         depth)
{
  if (depth > 32) {
    snprintf(err, err_size, "%s: schema nested too deep", where);
    return false;
  }
  schema = deref(schema);
  if (!json_is_object(schema)) {
    snprintf(err, err_size, "%s: the schema does not resolve", where);
    return false;
  }
  if (json_is_null(value) && json_is_true(json_object_get(schema, "nullable"))) {
    return true;
  }
  json_t* const all_of = json_object_get(schema, "allOf");
  size_t        i;
  json_t*       sub;
  json_array_foreach (all_of, i, sub) {
    if (!fits(sub, value, where, err, err_size, depth + 1)) {
      return false;
    }
  }
  json_t* const one_of = json_object_get(schema, "oneOf");
  json_t* const any_of = json_object_get(schema, "anyOf");
  if (one_of || any_of) {
    json_t* const alts    = one_of ? one_of : any_of;
    size_t        matched = 0;
    char          why_all[1024] = "";
    json_array_foreach (alts, i, sub) {
      char why[512];
      if (fits(sub, value, where, why, sizeof(why), depth + 1)) {
        ++matched;
      } else {
        const size_t used = strlen(why_all);
        snprintf(why_all + used,
                 sizeof(why_all) - used,
                 "%s[%zu] %s",
                 used ? "; " : "",
                 i,
                 why);
      }
    }
    if (one_of && matched != 1) {
      snprintf(err,
               err_size,
               "%s: fits %zu of the oneOf alternatives, not exactly one%s%s",
               where,
               matched,
               matched ? "" : ": ",
               matched ? "" : why_all);
      return false;
    }
    if (any_of && !matched) {
      snprintf(err,
               err_size,
               "%s: fits none of the anyOf alternatives: %s",
               where,
               why_all);
      return false;
    }
  }
  json_t* const type = json_object_get(schema, "type");
  if (json_is_string(type) && !type_fits(json_string_value(type), value)) {
    snprintf(err,
             err_size,
             "%s: expected %s%s, got %s",
             where,
             json_string_value(type),
             json_is_true(json_object_get(schema, "nullable")) ? " or null"
                                                                : "",
             json_kind(value));
    return false;
  }
  json_t* const enums = json_object_get(schema, "enum");
  if (json_is_array(enums)) {
    bool in = false;
    json_array_foreach (enums, i, sub) {
      in = in || json_equal(sub, value);
    }
    if (!in) {
      char* const shown = json_dumps(value, JSON_ENCODE_ANY | JSON_COMPACT);
      snprintf(err,
               err_size,
               "%s: %s is not one of the enum",
               where,
               shown ? it_excerpt(shown, strlen(shown), 100) : "?");
      free(shown);
      return false;
    }
  }
  if (!bounds_fit(schema, value, where, err, err_size)) {
    return false;
  }
  if (json_is_object(value)) {
    json_t* const required = json_object_get(schema, "required");
    json_array_foreach (required, i, sub) {
      const char* const name = json_string_value(sub);
      if (name && !json_object_get(value, name)) {
        snprintf(err,
                 err_size,
                 "%s: the required property \"%s\" is missing",
                 where,
                 name);
        return false;
      }
    }
    json_t* const props = json_object_get(schema, "properties");
    json_t* const extra = json_object_get(schema, "additionalProperties");
    const char*   key;
    json_t*       v;
    json_object_foreach (value, key, v) {
      json_t* const ps = json_object_get(props, key);
      char          sub_where[512];
      snprintf(sub_where, sizeof(sub_where), "%s.%s", where, key);
      if (ps && !fits(ps, v, sub_where, err, err_size, depth + 1)) {
        return false;
      }
      if (!ps && json_is_object(extra) &&
          !fits(extra, v, sub_where, err, err_size, depth + 1)) {
        return false;
      }
    }
  }
  if (json_is_array(value)) {
    json_t* const items = json_object_get(schema, "items");
    if (items) {
      json_array_foreach (value, i, sub) {
        char sub_where[512];
        snprintf(sub_where, sizeof(sub_where), "%s[%zu]", where, i);
        if (!fits(items, sub, sub_where, err, err_size, depth + 1)) {
          return false;
        }
      }
    }
  }
  return true;
}

/* Is the schema's "type" `type`? */
static bool
is_type(json_t* const schema, const char* const type)
{
  const char* const t = json_string_value(json_object_get(schema, "type"));
  return t && !strcmp(t, type);
}

/* Does a parameter value (text) fit the parameter's scalar schema? */
static bool
value_fits(json_t* schema, const char* const text, char* err, size_t size)
{
  schema                 = deref(schema);
  const char* const type = json_string_value(json_object_get(schema, "type"));
  if (type && !strcmp(type, "integer")) {
    char*           end = NULL;
    const long long v   = strtoll(text, &end, 10);
    json_t* const   min = json_object_get(schema, "minimum");
    json_t* const   max = json_object_get(schema, "maximum");
    if (!*text || *end || (min && v < json_integer_value(min)) ||
        (max && v > json_integer_value(max))) {
      snprintf(err, size, "\"%s\" is no integer in range", text);
      return false;
    }
  }
  json_t* const enums = json_object_get(schema, "enum");
  if (json_is_array(enums)) {
    bool    in = false;
    size_t  i;
    json_t* e;
    json_array_foreach (enums, i, e) {
      in = in || (json_is_string(e) && !strcmp(json_string_value(e), text));
    }
    if (!in) {
      snprintf(err, size, "\"%s\" is not in the enum", text);
      return false;
    }
  }
  json_t* const maxlen = json_object_get(schema, "maxLength");
  json_t* const minlen = json_object_get(schema, "minLength");
  if ((maxlen && (json_int_t)strlen(text) > json_integer_value(maxlen)) ||
      (minlen && (json_int_t)strlen(text) < json_integer_value(minlen))) {
    snprintf(err, size, "\"%.40s\" has a length out of range", text);
    return false;
  }
  const char* const pattern =
    json_string_value(json_object_get(schema, "pattern"));
  if (pattern) {
    regex_t re;
    if (regcomp(&re, pattern, REG_EXTENDED | REG_NOSUB)) {
      snprintf(err, size, "the pattern %s does not compile", pattern);
      return false;
    }
    const bool m = !regexec(&re, text, 0, NULL, 0);
    regfree(&re);
    if (!m) {
      snprintf(err, size, "\"%s\" does not match %s", text, pattern);
      return false;
    }
  }
  return true;
}

/* ------------------------------------------------------------------------
 * Calling an operation
 * --------------------------------------------------------------------- */

/* A query string being built. */
typedef struct
{
  char   text[16384];
  size_t len;
} Query;

static void
query_add(Query* const q, const char* const name, const char* const value)
{
  char* const ev = it_urlencode(value);
  q->len += (size_t)snprintf(q->text + q->len,
                             sizeof(q->text) - q->len,
                             "%s%s=%s",
                             q->len ? "&" : "",
                             name,
                             ev);
  if (q->len >= sizeof(q->text)) {
    q->len = sizeof(q->text) - 1;
  }
  free(ev);
}

/* What a call's answer must be (besides documented and fitting): the
 * operation's success; not refused, for a value on a documented bound
 * (not 400 nor 5xx); refused, for a value outside the schema (4xx).  A
 * `want` of 100 or more is the exact status. */
enum
{
  WANT_SUCCESS = 2,
  WANT_EDGE    = 3,
  WANT_REFUSED = 4
};

/* The success status of an operation: 200 when documented, else the
 * lowest documented 2xx; 0 if there is none. */
static long
success_status(json_t* const op)
{
  json_t* const responses = json_object_get(op, "responses");
  if (json_object_get(responses, "200")) {
    return 200;
  }
  long        best = 0;
  const char* code;
  json_t*     resp;
  json_object_foreach (responses, code, resp) {
    const long c = strtol(code, NULL, 10);
    if (c >= 200 && c < 300 && (!best || c < best)) {
      best = c;
    }
  }
  return best;
}

/* Check an answer against the documented responses of an operation:
 * a documented status, the headers it marks required, a documented media
 * type, a body that fits; and the status `want` asks for. */
static void
check_answer(const char* const       label,
             json_t* const           op,
             const ItResponse* const r,
             const long              want)
{
  if (!r->ok && r->status == 0) {
    it_fail_at(__FILE__, __LINE__, "%s: no answer: %s", label, r->error);
    return;
  }
  json_t* const responses = json_object_get(op, "responses");
  char          code[8];
  snprintf(code, sizeof(code), "%ld", r->status);
  json_t* resp = json_object_get(responses, code);
  if (!resp) {
    resp = json_object_get(responses, "default");
  }
  if (resp) {
    it_pass("%s: status %ld is a documented response", label, r->status);
  } else {
    it_fail_at(__FILE__,
               __LINE__,
               "%s: status %ld is a documented response; body: %s",
               label,
               r->status,
               it_excerpt(r->body, r->body_len, 200));
  }
  const long success = success_status(op);
  if (want == WANT_SUCCESS && r->status == success) {
    it_pass("%s: valid parameters answer %ld", label, success);
  } else if (want == WANT_SUCCESS) {
    it_fail_at(__FILE__,
               __LINE__,
               "%s: valid parameters answer %ld, got %ld: %s",
               label,
               success,
               r->status,
               it_excerpt(r->body, r->body_len, 200));
  } else if (want == WANT_EDGE && r->status != 400 && r->status < 500) {
    it_pass("%s: a value on a documented bound is not refused (%ld)",
            label,
            r->status);
  } else if (want == WANT_EDGE) {
    it_fail_at(__FILE__,
               __LINE__,
               "%s: a value on a documented bound is valid, but the answer "
               "is %ld: %s",
               label,
               r->status,
               it_excerpt(r->body, r->body_len, 200));
  } else if (want == WANT_REFUSED && r->status >= 400 && r->status < 500) {
    it_pass("%s: a value outside the documented schema answers %ld",
            label,
            r->status);
  } else if (want == WANT_REFUSED) {
    it_fail_at(__FILE__,
               __LINE__,
               "%s: a value outside the documented schema answers 4xx, got "
               "%ld: %s",
               label,
               r->status,
               it_excerpt(r->body, r->body_len, 200));
  } else if (want >= 100 && r->status == want) {
    it_pass("%s: answers %ld", label, want);
  } else if (want >= 100) {
    it_fail_at(__FILE__,
               __LINE__,
               "%s: answers %ld, got %ld: %s",
               label,
               want,
               r->status,
               it_excerpt(r->body, r->body_len, 200));
  }
  resp = deref(resp);
  if (!resp) {
    return;
  }
  const char* name;
  json_t*     header;
  json_object_foreach (json_object_get(resp, "headers"), name, header) {
    if (json_is_true(json_object_get(deref(header), "required"))) {
      char value[1024] = "";
      IT_CHECK(it_header(r, name, value, sizeof(value)) && value[0],
               "%s: has the header %s, required in the %ld answer",
               label,
               name,
               r->status);
    }
  }
  json_t* const content = json_object_get(resp, "content");
  char          type[128];
  it_media_type(r, type, sizeof(type));
  if (!content || !json_object_size(content)) {
    IT_CHECK(r->body_len == 0,
             "%s: no body, as documented for %ld (got %zu bytes)",
             label,
             r->status,
             r->body_len);
    return;
  }
  json_t* const media = json_object_get(content, type);
  IT_CHECK(media != NULL,
           "%s: Content-Type %s is documented for %ld",
           label,
           type[0] ? type : "(none)",
           r->status);
  json_t* const schema = json_object_get(media, "schema");
  if (!media || !schema || strstr(type, "json") == NULL) {
    return;
  }
  char          err[1024];
  json_t* const body = it_json(r->body, r->body_len, err, sizeof(err));
  if (!body) {
    it_fail_at(__FILE__,
               __LINE__,
               "%s: the %s body parses: %s; body: %s",
               label,
               type,
               err,
               it_excerpt(r->body, r->body_len, 200));
    return;
  }
  err[0]        = '\0';
  const bool ok = fits(schema, body, "$", err, sizeof(err), 0);
  IT_CHECK(ok,
           "%s: the %s body fits the documented %ld schema%s%s",
           label,
           type,
           r->status,
           ok ? "" : ": ",
           ok ? "" : err);
  json_decref(body);
}

/* An operation of the document, as its calls need it. */
typedef struct
{
  const char*    path;  /* the path template */
  char           M[16]; /* the method, upper case */
  json_t*        op;
  json_t*        params[64];
  size_t         n_params;
  const WriteOp* write;          /* its row of write_ops, or NULL */
  bool           secured;        /* it documents security */
  bool           admin;          /* x-fairdex-role: admin (else curator) */
  bool           if_match;       /* it takes a required If-Match header */
  json_t*        body_schema;    /* its application/json request schema */
  char           filled[4096];   /* the path filled from `known` */
  char           fresh_at[4096]; /* write_ops' fresh_at filled, or "" */
} Op;

/* How one call differs from a valid one (all NULL: it does not). */
typedef struct
{
  const char* accept;       /* Accept */
  const char* token;        /* "": none; NULL: the curator's if secured */
  const char* if_match;     /* "": none; NULL: the target's ETag if taken */
  const char* body;         /* NULL: write_ops' body, if there is a body */
  const char* content_type; /* NULL: application/json, if there is a body */
  const char* target;       /* NULL: the path filled in, or a fresh one */
  const char* missing;      /* a path parameter given a value naming nothing */
  const char* note;         /* what is special, for the label */
} Variant;

/* Numbers for @N@: every body gets a new one. */
static unsigned fresh_count;

/* `text` with every @N@ replaced by `n` (new; free()). */
static char*
with_number(const char* const text, const unsigned n)
{
  char num[16];
  snprintf(num, sizeof(num), "%u", n);
  size_t count = 0;
  for (const char* p = text; (p = strstr(p, "@N@")); p += 3) {
    ++count;
  }
  char* const out = (char*)malloc(strlen(text) + count * strlen(num) + 1);
  if (!out) {
    it_fail_at(__FILE__, __LINE__, "out of memory for a request body");
    it_abort();
  }
  char* o = out;
  for (const char* p = text; *p;) {
    if (!strncmp(p, "@N@", 3)) {
      memcpy(o, num, strlen(num));
      o += strlen(num);
      p += 3;
    } else {
      *o++ = *p++;
    }
  }
  *o = '\0';
  return out;
}

/* The path with its {name}s replaced by valid (percent-encoded) values;
 * the parameter `missing` (may be NULL) by one that names nothing. */
static bool
fill_path(const char* const    path,
          json_t* const* const params,
          const size_t         n_params,
          const char* const    missing,
          char* const          out,
          const size_t         size);

/* POST write_ops' fresh_body to its fresh_at for a call of `o`, and put
 * the Location of the 201 (the call's target) into out. */
static bool
fresh_target(const Op* const o, char* const out, const size_t size)
{
  const char* const at   = o->fresh_at;
  char* const       body = with_number(o->write->fresh_body, ++fresh_count);
  char              auth[600];
  snprintf(auth, sizeof(auth), "Authorization: Bearer %s", srv.curator_token);
  ItRequest req  = { .method = "POST", .target = at, .body = body };
  req.headers[0] = auth;
  req.headers[1] = "Content-Type: application/json";
  ItResponse r;
  it_http(&srv, &req, &r);
  char       location[4096] = "";
  const bool ok             = r.status == 201 &&
                  it_header(&r, "Location", location, sizeof(location)) &&
                  location[0] == '/';
  IT_CHECK(ok,
           "a fresh target for %s %s: POST %s answers 201 with a Location%s%s",
           o->M,
           o->path,
           at,
           ok ? "" : "; got: ",
           ok ? "" : it_excerpt(r.head, r.head_len, 300));
  snprintf(out, size, "%s", location);
  it_response_free(&r);
  free(body);
  return ok;
}

/* The ETag GET `path` answers with, into out; "*" if there is none. */
static void
target_etag(const char* const path, char* const out, const size_t size)
{
  ItResponse r;
  it_get(&srv, path, NULL, &r);
  if (r.status != 200 || !it_header(&r, "ETag", out, size) || !out[0]) {
    snprintf(out, size, "*");
  }
  it_response_free(&r);
}

/* Call the operation `o` with the query q, made valid but for `v`, and
 * check the answer (see check_answer()). */
static void
call(const Op* const      o,
     const Query* const   q,
     const Variant* const v,
     const long           want)
{
  char path[4096];
  if (v->target) {
    snprintf(path, sizeof(path), "%s", v->target);
  } else if (o->fresh_at[0] && !v->missing) {
    if (!fresh_target(o, path, sizeof(path))) {
      return;
    }
  } else if (!v->missing) {
    snprintf(path, sizeof(path), "%s", o->filled);
  } else if (!fill_path(o->path,
                        o->params,
                        o->n_params,
                        v->missing,
                        path,
                        sizeof(path))) {
    return;
  }
  char target[24576];
  snprintf(target, sizeof(target), "%s%s%s", path, q->len ? "?" : "", q->text);

  ItRequest req = { .method = o->M, .target = target };
  size_t    nh  = 0;
  char      accept_h[256], auth_h[600], match_h[300], type_h[300];
  if (v->accept) {
    snprintf(accept_h, sizeof(accept_h), "Accept: %s", v->accept);
    req.headers[nh++] = accept_h;
  }
  const char* const token = v->token     ? v->token
                            : o->secured ? (o->admin ? srv.admin_token
                                                     : srv.curator_token)
                                         : "";
  if (*token) {
    snprintf(auth_h, sizeof(auth_h), "Authorization: Bearer %s", token);
    req.headers[nh++] = auth_h;
  }
  if (o->if_match) {
    char etag[256];
    if (v->if_match) {
      snprintf(etag, sizeof(etag), "%s", v->if_match);
    } else {
      target_etag(path, etag, sizeof(etag));
    }
    if (etag[0]) {
      snprintf(match_h, sizeof(match_h), "If-Match: %s", etag);
      req.headers[nh++] = match_h;
    }
  }
  char* body = NULL;
  if (o->body_schema) {
    const char* const text = v->body    ? v->body
                             : o->write ? o->write->body
                                        : NULL;
    body                   = text ? with_number(text, ++fresh_count) : NULL;
    snprintf(type_h,
             sizeof(type_h),
             "Content-Type: %s",
             v->content_type ? v->content_type : "application/json");
    req.headers[nh++] = type_h;
  }
  req.body = body;

  ItResponse r;
  it_http(&srv, &req, &r);
  char label[700];
  snprintf(label,
           sizeof(label),
           "%s %s%s%s%s%s%s",
           o->M,
           it_excerpt(target, strlen(target), 300),
           v->accept ? " (Accept: " : "",
           v->accept ? v->accept : "",
           v->accept ? ")" : "",
           v->note ? " " : "",
           v->note ? v->note : "");
  check_answer(label, o->op, &r, want);

  /* What a 201 made is where its Location says. */
  char location[4096];
  if (r.status == 201 &&
      it_header(&r, "Location", location, sizeof(location))) {
    ItResponse g;
    it_get(&srv, location, NULL, &g);
    IT_CHECK(g.status == 200,
             "%s: GET of its Location %s answers 200%s%s",
             label,
             location,
             g.status == 200 ? "" : "; got: ",
             g.status == 200 ? "" : it_excerpt(g.head, g.head_len, 300));
    it_response_free(&g);
  }
  it_response_free(&r);
  free(body);
}

/* One valid value (or two, for an array) of a parameter, as query pairs;
 * NULL (after a FAIL) if none is known. */
static bool
param_values(const char* const path,
             json_t* const     param,
             const char**      ret,
             size_t*           ret_n,
             const size_t      max)
{
  const char* const name   = json_string_value(json_object_get(param, "name"));
  json_t* const     schema = deref(json_object_get(param, "schema"));
  const bool is_array      = is_type(schema, "array");
  json_t* const scalar     = is_array ? deref(json_object_get(schema, "items"))
                                      : schema;
  const Known* const k     = known_value(path, name);
  *ret_n                   = 0;
  if (k) {
    for (size_t i = 0; i < 3 && k->values[i] && *ret_n < max; ++i) {
      if (i == 0 || is_array) {
        ret[(*ret_n)++] = k->values[i];
      }
    }
  } else if (json_is_string(json_object_get(scalar, "default"))) {
    ret[(*ret_n)++] = json_string_value(json_object_get(scalar, "default"));
  } else if (json_is_array(json_object_get(scalar, "enum"))) {
    ret[(*ret_n)++] =
      json_string_value(json_array_get(json_object_get(scalar, "enum"), 0));
  }
  if (!*ret_n) {
    it_fail_at(__FILE__,
               __LINE__,
               "no valid value known for the parameter %s of %s: add one to "
               "`known` in test_openapi.c",
               name ? name : "(unnamed)",
               path);
    return false;
  }
  for (size_t i = 0; i < *ret_n; ++i) {
    char err[256] = "";
    IT_CHECK(ret[i] && value_fits(scalar, ret[i], err, sizeof(err)),
             "the test's value of %s for %s fits the documented schema%s%s",
             name,
             path,
             err[0] ? ": " : "",
             err);
  }
  return true;
}

static bool
fill_path(const char* const    path,
          json_t* const* const params,
          const size_t         n_params,
          const char* const    missing,
          char* const          out,
          const size_t         size)
{
  size_t      o = 0;
  const char* p = path;
  while (*p && o < size - 1) {
    if (*p != '{') {
      out[o++] = *p++;
      continue;
    }
    const char* const end = strchr(p, '}');
    if (!end) {
      break;
    }
    char name[128];
    snprintf(name, sizeof(name), "%.*s", (int)(end - p - 1), p + 1);
    const char* value = missing && !strcmp(missing, name) ? "it-no-such" : NULL;
    for (size_t i = 0; i < n_params && !value; ++i) {
      const char* const in = json_string_value(json_object_get(params[i], "in"));
      const char* const pn =
        json_string_value(json_object_get(params[i], "name"));
      if (in && pn && !strcmp(in, "path") && !strcmp(pn, name)) {
        const char* vals[3];
        size_t      nv = 0;
        if (param_values(path, params[i], vals, &nv, 1)) {
          value = vals[0];
        }
      }
    }
    if (!value) {
      it_fail_at(__FILE__,
                 __LINE__,
                 "%s: no value for the path parameter {%s}",
                 path,
                 name);
      return false;
    }
    char* const ev = it_urlencode(value);
    o += (size_t)snprintf(out + o, size - o, "%s", ev);
    free(ev);
    if (o >= size) {
      o = size - 1;
    }
    p = end + 1;
  }
  out[o] = '\0';
  return true;
}

/* Add the required query parameters (except `skip`) to q. */
static bool
add_required(const char* const path,
             json_t** const    params,
             const size_t      n_params,
             const char* const skip,
             Query* const      q)
{
  bool ok = true;
  for (size_t i = 0; i < n_params; ++i) {
    const char* const in   = json_string_value(json_object_get(params[i], "in"));
    const char* const name = json_string_value(json_object_get(params[i], "name"));
    if (!in || strcmp(in, "query") || !name ||
        !json_is_true(json_object_get(params[i], "required")) ||
        (skip && !strcmp(name, skip))) {
      continue;
    }
    const char* vals[3];
    size_t      nv = 0;
    if (!param_values(path, params[i], vals, &nv, 3)) {
      ok = false;
      continue;
    }
    for (size_t k = 0; k < nv; ++k) {
      query_add(q, name, vals[k]);
    }
  }
  return ok;
}

/* A value outside a documented bound, and which bound, for probe i
 * (0: above maximum, 1: below minimum, 2: over maxLength, 3: under
 * minLength, 4: outside the enum, 5: not a boolean); false if the schema
 * has no such bound. */
static bool
bad_value(json_t* const schema,
          const int     kind,
          char* const   out,
          const size_t  size,
          const char**  what)
{
  json_t* const max    = json_object_get(schema, "maximum");
  json_t* const min    = json_object_get(schema, "minimum");
  json_t* const maxlen = json_object_get(schema, "maxLength");
  json_t* const minlen = json_object_get(schema, "minLength");
  json_t* const enums  = json_object_get(schema, "enum");
  if (kind == 0 && json_is_integer(max)) {
    snprintf(out, size, "%lld", (long long)json_integer_value(max) + 1);
    *what = "maximum + 1";
    return true;
  }
  if (kind == 1 && json_is_integer(min)) {
    snprintf(out, size, "%lld", (long long)json_integer_value(min) - 1);
    *what = "minimum - 1";
    return true;
  }
  if (kind == 2 && json_is_integer(maxlen) &&
      (size_t)json_integer_value(maxlen) + 1 < size) {
    const size_t n = (size_t)json_integer_value(maxlen) + 1;
    memset(out, 'a', n);
    out[n] = '\0';
    *what  = "maxLength + 1 characters";
    return true;
  }
  if (kind == 3 && json_is_integer(minlen) && json_integer_value(minlen) > 0) {
    const size_t n = (size_t)json_integer_value(minlen) - 1;
    memset(out, 'a', n);
    out[n] = '\0';
    *what  = "minLength - 1 characters";
    return true;
  }
  if (kind == 4 && json_is_array(enums)) {
    snprintf(out, size, "not-one-of-the-enum");
    *what = "a value outside the enum";
    return true;
  }
  if (kind == 5 && is_type(schema, "boolean")) {
    snprintf(out, size, "not-a-boolean");
    *what = "not true or false";
    return true;
  }
  return false;
}

/* A value on a documented bound (kind 0: the maximum, 1: the minimum, 2:
 * maxLength characters, 3: minLength characters); false if there is no
 * such bound. */
static bool
edge_value(json_t* const schema,
           const int     kind,
           char* const   out,
           const size_t  size,
           const char**  what)
{
  json_t* const max    = json_object_get(schema, "maximum");
  json_t* const min    = json_object_get(schema, "minimum");
  json_t* const maxlen = json_object_get(schema, "maxLength");
  json_t* const minlen = json_object_get(schema, "minLength");
  if (kind == 0 && json_is_integer(max)) {
    snprintf(out, size, "%lld", (long long)json_integer_value(max));
    *what = "the maximum";
    return true;
  }
  if (kind == 1 && json_is_integer(min)) {
    snprintf(out, size, "%lld", (long long)json_integer_value(min));
    *what = "the minimum";
    return true;
  }
  if ((kind == 2 && json_is_integer(maxlen) &&
       (size_t)json_integer_value(maxlen) < size) ||
      (kind == 3 && json_is_integer(minlen) && json_integer_value(minlen) > 0 &&
       (size_t)json_integer_value(minlen) < size)) {
    const size_t n = (size_t)json_integer_value(kind == 2 ? maxlen : minlen);
    memset(out, 'a', n);
    out[n] = '\0';
    *what  = kind == 2 ? "maxLength characters" : "minLength characters";
    return true;
  }
  return false;
}

/* Parameters whose documented bounds are not always valid on their own,
 * and why. */
static const struct
{
  const char* path;
  const char* name;
} edge_exempt[] = {
  /* page 10000 is past the last page of the fixture's 13 results (400) */
  { "/api/datasets", "page" },
};

static bool
is_edge_exempt(const char* const path, const char* const name)
{
  for (size_t i = 0; i < sizeof(edge_exempt) / sizeof(edge_exempt[0]); ++i) {
    if (!strcmp(edge_exempt[i].path, path) &&
        !strcmp(edge_exempt[i].name, name)) {
      return true;
    }
  }
  return false;
}

static void
test_operation(const char* const path,
               const char* const method,
               json_t* const     item,
               json_t* const     op)
{
  Op o = { .path = path, .op = op };
  snprintf(o.M, sizeof(o.M), "%s", method);
  for (char* c = o.M; *c; ++c) {
    *c = (char)toupper((unsigned char)*c);
  }
  const char* const M   = o.M;
  const bool        get = !strcmp(method, "get");
  printf("-- %s %s\n", M, path);

  o.n_params              = operation_params(item, op, o.params, 64);
  json_t** const params   = o.params;
  const size_t   n_params = o.n_params;
  o.write                 = write_op(method, path);
  o.secured = json_array_size(json_object_get(op, "security")) > 0;
  o.admin   = json_string_value(json_object_get(op, "x-fairdex-role")) &&
            !strcmp(json_string_value(json_object_get(op, "x-fairdex-role")),
                    "admin");
  for (size_t i = 0; i < n_params; ++i) {
    const char* const in = json_string_value(json_object_get(params[i], "in"));
    const char* const name =
      json_string_value(json_object_get(params[i], "name"));
    o.if_match =
      o.if_match ||
      (in && name && !strcmp(in, "header") && !strcasecmp(name, "If-Match") &&
       json_is_true(json_object_get(params[i], "required")));
  }
  json_t* const request = deref(json_object_get(op, "requestBody"));
  o.body_schema         = json_object_get(
    json_object_get(json_object_get(request, "content"), "application/json"),
    "schema");

  /* The structure of the operation. */
  json_t* const responses = json_object_get(op, "responses");
  const long    success   = success_status(op);
  IT_CHECK(json_is_object(responses) && (get ? success == 200 : success > 0),
           "%s %s: documents responses, with a %s",
           M,
           path,
           get ? "200" : "2xx success");
  const char* code;
  json_t*     resp;
  json_object_foreach (responses, code, resp) {
    IT_CHECK((strlen(code) == 3 && isdigit((unsigned char)code[0])) ||
               !strcmp(code, "default"),
             "%s %s: the response key %s is a status code",
             M,
             path,
             code);
    IT_CHECK(json_is_string(json_object_get(deref(resp), "description")),
             "%s %s: response %s has a description",
             M,
             path,
             code);
  }
  for (size_t i = 0; i < n_params; ++i) {
    const char* const name = json_string_value(json_object_get(params[i], "name"));
    const char* const in   = json_string_value(json_object_get(params[i], "in"));
    IT_CHECK(name && in && json_is_object(json_object_get(params[i], "schema")),
             "%s %s: parameter %zu has a name, an in and a schema",
             M,
             path,
             i);
    if (in && !strcmp(in, "path")) {
      char tmpl[140];
      snprintf(tmpl, sizeof(tmpl), "{%s}", name ? name : "");
      IT_CHECK(strstr(path, tmpl) &&
                 json_is_true(json_object_get(params[i], "required")),
               "%s %s: the path parameter %s is in the template and required",
               M,
               path,
               name ? name : "(unnamed)");
    }
  }
  for (const char* p = strchr(path, '{'); p; p = strchr(p + 1, '{')) {
    const char* const end   = strchr(p, '}');
    bool              found = false;
    for (size_t i = 0; i < n_params && end; ++i) {
      const char* const name = json_string_value(json_object_get(params[i], "name"));
      const char* const in   = json_string_value(json_object_get(params[i], "in"));
      found = found || (name && in && !strcmp(in, "path") &&
                        strlen(name) == (size_t)(end - p - 1) &&
                        !strncmp(name, p + 1, (size_t)(end - p - 1)));
    }
    IT_CHECK(found,
             "%s %s: {%.*s} is a documented path parameter",
             M,
             path,
             end ? (int)(end - p - 1) : 0,
             p + 1);
  }

  /* An operation that changes the store needs a row in write_ops; its
   * body, and every documented example, fit the request schema. */
  if (!get) {
    IT_CHECK(o.write != NULL,
             "%s %s changes the store: it has a row in write_ops of "
             "test_openapi.c",
             M,
             path);
    if (!o.write) {
      return;
    }
  }
  {
    const char* type;
    json_t*     media;
    json_object_foreach (json_object_get(request, "content"), type, media) {
      json_t* const example = json_object_get(media, "example");
      if (example) {
        char       err[1024] = "";
        const bool ok        = fits(
          json_object_get(media, "schema"), example, "$", err, sizeof(err), 0);
        IT_CHECK(ok,
                 "%s %s: the documented %s example fits the request "
                 "schema%s%s",
                 M,
                 path,
                 type,
                 ok ? "" : ": ",
                 ok ? "" : err);
      }
    }
  }
  if (request) {
    IT_CHECK(o.body_schema && o.write && o.write->body,
             "%s %s: its request body is application/json with a schema, "
             "and write_ops of test_openapi.c has one",
             M,
             path);
    if (!o.body_schema || !o.write || !o.write->body) {
      return;
    }
    char* const   text      = with_number(o.write->body, 0);
    char          err[1024] = "";
    json_t* const body      = it_json(text, strlen(text), err, sizeof(err));
    const bool ok = body && fits(o.body_schema, body, "$", err, sizeof(err), 0);
    IT_CHECK(ok,
             "%s %s: the test's body fits the documented request schema%s%s",
             M,
             path,
             ok ? "" : ": ",
             ok ? "" : err);
    json_decref(body);
    free(text);
  } else if (o.write) {
    IT_CHECK(!o.write->body,
             "%s %s: write_ops gives no body, as the document takes none",
             M,
             path);
  }

  if (!fill_path(path, params, n_params, NULL, o.filled, sizeof(o.filled)) ||
      (o.write && o.write->fresh_at &&
       !fill_path(o.write->fresh_at,
                  params,
                  n_params,
                  NULL,
                  o.fresh_at,
                  sizeof(o.fresh_at)))) {
    return;
  }

  /* The media types of the success answer. */
  const char* media[8];
  size_t      n_media = 0;
  {
    char sc[8];
    snprintf(sc, sizeof(sc), "%ld", success);
    json_t* const content =
      json_object_get(deref(json_object_get(responses, sc)), "content");
    const char* type;
    json_t*     v;
    json_object_foreach (content, type, v) {
      if (n_media < 8) {
        media[n_media++] = type;
      }
    }
  }

  /* Required parameters only, with each media type. */
  const Variant plain = { .accept = NULL };
  Query         q     = { .len = 0 };
  q.text[0]           = '\0';
  add_required(path, params, n_params, NULL, &q);
  call(&o, &q, &plain, WANT_SUCCESS);
  for (size_t m = 0; m < n_media; ++m) {
    const Variant v = { .accept = media[m] };
    call(&o, &q, &v, WANT_SUCCESS);
  }

  /* Each optional query parameter with a valid value (each enum value,
   * both booleans). */
  for (size_t i = 0; i < n_params; ++i) {
    const char* const in   = json_string_value(json_object_get(params[i], "in"));
    const char* const name = json_string_value(json_object_get(params[i], "name"));
    if (!in || strcmp(in, "query") || !name ||
        json_is_true(json_object_get(params[i], "required"))) {
      continue;
    }
    json_t* const schema = deref(json_object_get(params[i], "schema"));
    json_t* const enums  = json_object_get(schema, "enum");
    const char*   vals[8];
    size_t        nv = 0;
    if ((json_is_array(enums) || is_type(schema, "boolean")) &&
        !known_value(path, name)) {
      size_t  k;
      json_t* e;
      json_array_foreach (enums, k, e) {
        if (nv < 8 && json_is_string(e)) {
          vals[nv++] = json_string_value(e);
        }
      }
      if (!json_is_array(enums)) {
        vals[nv++] = "true";
        vals[nv++] = "false";
      }
      for (size_t k2 = 0; k2 < nv; ++k2) {
        Query q1 = q;
        query_add(&q1, name, vals[k2]);
        call(&o, &q1, &plain, WANT_SUCCESS);
      }
      continue;
    }
    if (!param_values(path, params[i], vals, &nv, 3)) {
      continue;
    }
    Query q1 = q;
    for (size_t k = 0; k < nv; ++k) {
      query_add(&q1, name, vals[k]);
    }
    call(&o, &q1, &plain, WANT_SUCCESS);
    for (size_t m = 0; m < n_media; ++m) {
      const Variant v = { .accept = media[m] };
      call(&o, &q1, &v, WANT_SUCCESS);
    }
  }

  /* The documented bounds: a value outside each is a documented 4xx. */
  for (size_t i = 0; i < n_params; ++i) {
    const char* const in   = json_string_value(json_object_get(params[i], "in"));
    const char* const name = json_string_value(json_object_get(params[i], "name"));
    if (!in || strcmp(in, "query") || !name) {
      continue;
    }
    json_t* schema = deref(json_object_get(params[i], "schema"));
    if (is_type(schema, "array")) {
      schema = deref(json_object_get(schema, "items"));
    }
    for (int kind = 0; kind < 6; ++kind) {
      char        bad[4096];
      const char* what = "";
      if (!bad_value(schema, kind, bad, sizeof(bad), &what)) {
        continue;
      }
      Query q1   = { .len = 0 };
      q1.text[0] = '\0';
      add_required(path, params, n_params, name, &q1);
      query_add(&q1, name, bad);
      printf("   (%s=%s: %s)\n", name, it_excerpt(bad, strlen(bad), 20), what);
      call(&o, &q1, &plain, WANT_REFUSED);
    }
    for (int kind = 0; kind < 4 && !is_edge_exempt(path, name); ++kind) {
      char        edge[4096];
      const char* what = "";
      if (!edge_value(schema, kind, edge, sizeof(edge), &what)) {
        continue;
      }
      Query q1   = { .len = 0 };
      q1.text[0] = '\0';
      add_required(path, params, n_params, name, &q1);
      query_add(&q1, name, edge);
      printf("   (%s=%s: %s)\n", name, it_excerpt(edge, strlen(edge), 20), what);
      call(&o, &q1, &plain, WANT_EDGE);
    }
  }

  /* The failures the document promises. */
  if (o.secured) {
    const Variant none   = { .token = "", .note = "(no token)" };
    const Variant reader = { .token = srv.reader_token,
                             .note  = "(a reader's token)" };
    call(&o, &q, &none, 401);
    call(&o, &q, &reader, 403);
  }
  if (o.if_match) {
    const Variant none  = { .if_match = "", .note = "(no If-Match)" };
    const Variant stale = { .if_match = "\"it-stale\"",
                            .note     = "(a stale If-Match)" };
    call(&o, &q, &none, 428);
    call(&o, &q, &stale, 412);
  }
  if (o.body_schema) {
    const Variant text   = { .content_type = "text/plain",
                             .note         = "(Content-Type: text/plain)" };
    const Variant broken = { .body = "{\"id\": ", .note = "(broken JSON)" };
    call(&o, &q, &text, 415);
    call(&o, &q, &broken, 400);
  }
  if (json_object_get(responses, "404")) {
    for (size_t i = 0; i < n_params; ++i) {
      const char* const in =
        json_string_value(json_object_get(params[i], "in"));
      const char* const name =
        json_string_value(json_object_get(params[i], "name"));
      if (in && name && !strcmp(in, "path")) {
        char note[160];
        snprintf(note, sizeof(note), "({%s} names nothing)", name);
        const Variant v = { .missing = name, .note = note };
        call(&o, &q, &v, 404);
      }
    }
  }
  for (size_t i = 0; i < N_PROBES; ++i) {
    const Probe* const pr = &probes[i];
    if (strcmp(pr->method, method) || strcmp(pr->path, path)) {
      continue;
    }
    Query q1 = q;
    if (pr->query) {
      const char* const eq = strchr(pr->query, '=');
      char              name[128];
      snprintf(name,
               sizeof(name),
               "%.*s",
               eq ? (int)(eq - pr->query) : (int)strlen(pr->query),
               pr->query);
      query_add(&q1, name, eq ? eq + 1 : "");
    }
    const Variant v = { .accept = pr->accept,
                        .body   = pr->body,
                        .target = pr->target,
                        .note   = pr->note };
    call(&o, &q1, &v, pr->status);
  }
}

/* ------------------------------------------------------------------------
 * The reverse: what the server answers is in the document
 * --------------------------------------------------------------------- */

static bool
in_api_routes(const char* const method, const char* const path)
{
  for (size_t i = 0; i < N_API_ROUTES; ++i) {
    if ((!method || !strcmp(api_routes[i].method, method)) &&
        !strcmp(api_routes[i].path, path)) {
      return true;
    }
  }
  return false;
}

/* Is `method` (upper case) in the comma-separated list `allow`? */
static bool
allows(const char* const allow, const char* const method)
{
  const size_t n = strlen(method);
  for (const char* p = allow; (p = strstr(p, method)); p += n) {
    if ((p == allow || p[-1] == ' ' || p[-1] == ',') &&
        (p[n] == ',' || p[n] == ' ' || !p[n])) {
      return true;
    }
  }
  return false;
}

static void
test_routes_documented(void)
{
  printf("-- every /api route the server answers is documented\n");
  json_t* const paths = json_object_get(doc, "paths");
  for (size_t i = 0; i < N_API_ROUTES; ++i) {
    const ApiRoute* const rt = &api_routes[i];
    json_t* const         op = json_object_get(json_object_get(paths, rt->path),
                                       rt->method);
    IT_CHECK(op != NULL,
             "web/openapi.json describes %s %s (the server answers it; add "
             "it under \"paths\")",
             rt->method,
             rt->path);
    ItResponse r;
    it_get(&srv, rt->probe, NULL, &r);
    const long want = rt->probe_status ? rt->probe_status : 200;
    IT_CHECK(r.status == want,
             "the server answers GET %s with %ld, so %s is a route (got "
             "%ld: %s)",
             rt->probe,
             want,
             rt->path,
             r.status,
             it_excerpt(r.body, r.body_len, 200));
    it_response_free(&r);

    /* OPTIONS lists the methods the path takes: this one, and none the
     * document lacks. */
    const ItRequest req = { .method = "OPTIONS", .target = rt->probe };
    it_http(&srv, &req, &r);
    char allow[256] = "";
    it_header(&r, "Allow", allow, sizeof(allow));
    char M[16];
    snprintf(M, sizeof(M), "%s", rt->method);
    for (char* c = M; *c; ++c) {
      *c = (char)toupper((unsigned char)*c);
    }
    IT_CHECK(r.status == 204 && allows(allow, M),
             "OPTIONS %s answers 204 with %s in Allow (got %ld, Allow: %s)",
             rt->probe,
             M,
             r.status,
             allow);
    it_response_free(&r);
    bool seen = false;
    for (size_t k = 0; k < i; ++k) {
      seen = seen || !strcmp(api_routes[k].path, rt->path);
    }
    for (size_t m = 0; m < N_METHODS && !seen; ++m) {
      char U[16];
      snprintf(U, sizeof(U), "%s", methods[m]);
      for (char* c = U; *c; ++c) {
        *c = (char)toupper((unsigned char)*c);
      }
      if (!strcmp(methods[m], "head") || !strcmp(methods[m], "options") ||
          !allows(allow, U)) {
        continue;
      }
      IT_CHECK(json_object_get(json_object_get(paths, rt->path), methods[m]) &&
                 in_api_routes(methods[m], rt->path),
               "OPTIONS %s allows %s: web/openapi.json describes %s %s, and "
               "it is in api_routes of test_openapi.c",
               rt->probe,
               U,
               methods[m],
               rt->path);
    }
  }
  /* A path under /api that is no route: 404, so the probes mean something. */
  ItResponse r;
  it_get(&srv, "/api/no-such-route", NULL, &r);
  IT_ERROR(&r, 404, "not_found");
  it_response_free(&r);

  /* Every operation of the document is a route this test knows. */
  const char* path;
  json_t*     item;
  json_object_foreach (paths, path, item) {
    for (size_t m = 0; m < N_METHODS; ++m) {
      if (json_object_get(item, methods[m])) {
        IT_CHECK(in_api_routes(methods[m], path),
                 "the documented %s %s is in api_routes of test_openapi.c",
                 methods[m],
                 path);
      }
    }
  }

  /* Every "/api/..." route name in web/serve.c is in api_routes, and
   * every path of api_routes is one of them or under one. */
  char file[8192];
  snprintf(file, sizeof(file), "%s/web/serve.c", it_srcroot);
  size_t      len = 0;
  char* const src = it_read_file(file, &len);
  IT_CHECK(src != NULL, "read %s", file);
  char   names[64][256];
  size_t n_names = 0;
  for (const char* p = src; p && (p = strstr(p, "\"/api/")); ++p) {
    if (p > src && p[-1] == '\\') {
      continue; /* inside a string, e.g. an HTML link */
    }
    const char* const end = strchr(p + 1, '"');
    if (!end || end[-1] == '/' || end - p > 200) {
      continue; /* a prefix such as "/api/datasets/" */
    }
    char name[256];
    snprintf(name, sizeof(name), "%.*s", (int)(end - p - 1), p + 1);
    if (n_names < 64) {
      snprintf(names[n_names++], sizeof(names[0]), "%s", name);
    }
    IT_CHECK(in_api_routes(NULL, name),
             "web/serve.c routes %s: it is in api_routes of test_openapi.c "
             "(and so must be in web/openapi.json)",
             name);
  }
  for (size_t i = 0; i < N_API_ROUTES; ++i) {
    bool covered = false;
    for (size_t k = 0; k < n_names && !covered; ++k) {
      const size_t n = strlen(names[k]);
      covered        = !strncmp(api_routes[i].path, names[k], n) &&
                (!api_routes[i].path[n] || api_routes[i].path[n] == '/');
    }
    IT_CHECK(covered,
             "%s of api_routes is a route web/serve.c names (or under one)",
             api_routes[i].path);
  }
  free(src);
}

/* ------------------------------------------------------------------------
 * main
 * --------------------------------------------------------------------- */

int
main(int argc, char** argv)
{
  it_begin("openapi", argc, argv, 0);

  printf("-- web/openapi.json\n");
  char path[8192];
  snprintf(path, sizeof(path), "%s/web/openapi.json", it_srcroot);
  json_error_t jerr;
  doc = json_load_file(path, 0, &jerr);
  IT_REQUIRE(doc != NULL,
             "%s parses as JSON (%s at line %d)",
             path,
             doc ? "ok" : jerr.text,
             doc ? 0 : jerr.line);
  const char* const version = json_string_value(json_object_get(doc, "openapi"));
  IT_CHECK(version && !strncmp(version, "3.", 2),
           "openapi.json: \"openapi\" is 3.x (got %s)",
           version ? version : "none");
  IT_CHECK(json_is_string(it_json_path(doc, "info.title")) &&
             json_is_string(it_json_path(doc, "info.version")),
           "openapi.json: info has a title and a version");
  IT_REQUIRE(json_is_object(json_object_get(doc, "paths")) &&
               json_object_size(json_object_get(doc, "paths")) > 0,
             "openapi.json: \"paths\" is a non-empty object");
  check_refs(doc, "#");

  it_server_prepare(&srv, "openapi", true);
  /* A harvest source for /api/sources and /api/runs: its URL is refused
   * at once (loopback, not allowed), so a run of it is quick and reaches
   * no network.  One run is made before the server starts. */
  char harvest_config[4400];
  snprintf(harvest_config, sizeof(harvest_config), "%s/harvest.json",
           srv.dir);
  FILE* const hc = fopen(harvest_config, "w");
  IT_REQUIRE(hc != NULL, "write %s", harvest_config);
  fputs("{\"sources\": [{\"name\": \"it-source\", \"type\": \"dcat\", "
        "\"url\": \"http://127.0.0.1:9/catalog.ttl\", \"max_retries\": 0}]}\n",
        hc);
  fclose(hc);
  const char* const harvest_argv[] = {"--db", srv.db, "harvest", "--config",
                                      harvest_config, NULL};
  char      harvest_err[1024];
  const int harvest_rc = it_run_fairdex(harvest_argv, 60.0, NULL, 0,
                                        harvest_err, sizeof(harvest_err));
  IT_CHECK(harvest_rc == 1,
           "fairdex harvest of a refused source exits 1 and leaves run 1 "
           "(got %d: %s)",
           harvest_rc, harvest_err);
  const char* const extra[] = {"--harvest-config", harvest_config, NULL};
  if (!it_server_start(&srv, extra)) {
    return it_finish("openapi");
  }

  /* The served document is this file. */
  ItResponse r;
  it_get(&srv, "/api/openapi.json", NULL, &r);
  if (IT_STATUS(&r, 200)) {
    char          err[256];
    json_t* const served = it_json(r.body, r.body_len, err, sizeof(err));
    IT_CHECK(served && json_equal(served, doc),
             "GET /api/openapi.json is web/openapi.json (rebuild if it "
             "differs)%s%s",
             served ? "" : ": ",
             served ? "" : err);
    json_decref(served);
  }
  it_response_free(&r);

  /* Every path and method of the document: those that change the store
   * first, so that the reads see what they made (history, narrower). */
  for (int pass = 0; pass < 2; ++pass) {
    const char* p;
    json_t*     item;
    json_object_foreach (json_object_get(doc, "paths"), p, item) {
      for (size_t m = 0; m < N_METHODS; ++m) {
        json_t* const op = json_object_get(item, methods[m]);
        if (op && (pass == 0) == (strcmp(methods[m], "get") != 0)) {
          test_operation(p, methods[m], item, op);
        }
      }
    }
  }

  test_routes_documented();

  it_server_stop(&srv, 15.0);
  json_decref(doc);
  return it_finish("openapi");
}
