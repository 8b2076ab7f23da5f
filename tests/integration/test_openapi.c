/*
 * test_openapi.c: web/openapi.json, the OpenAPI 3 document `fairdex serve`
 * embeds and serves at /api/openapi.json, against the server itself, on
 * the standard fixture:
 *
 *   - the document parses, is OpenAPI 3, and is the one the server serves
 *     (byte for byte the same JSON value);
 *   - its structure: every operation has responses with a 200, every
 *     parameter a name, an `in` and a schema, every {name} of a path
 *     template a required path parameter, every $ref resolves;
 *   - every path and method of the document is called: once with its
 *     required parameters only, once per optional parameter (a value from
 *     the table below that fits the documented schema; an array parameter
 *     gets two values, an enum one call per value), each with every media
 *     type the 200 answer documents in Accept.  Each answer must be 200,
 *     a documented status, of a documented media type, and its JSON body
 *     must fit the documented schema: $ref, allOf, oneOf and anyOf
 *     resolved, every `required` property present, the type of every
 *     property (string, integer, number, boolean, array, object; null only
 *     where `nullable`), `enum`, array items and additionalProperties,
 *     recursively;
 *   - the documented bounds hold: a value past a documented `maximum`,
 *     below a `minimum`, longer than `maxLength`, shorter than `minLength`
 *     or outside an `enum` is answered with a documented 4xx whose body
 *     fits its schema, and a value right on the bound is not refused
 *     (a documented status other than 400);
 *   - the reverse: every /api route the server answers (api_routes below)
 *     is in the document, each really answers, and every "/api/..." route
 *     name in web/serve.c is in api_routes.
 *
 *   test_it_openapi FAIRDEX SRCROOT
 */
#include "harness.h"

#include <ctype.h>
#include <regex.h>
#include <stdlib.h>
#include <string.h>

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
  const char* probe;  /* a request the route answers with 200 */
} ApiRoute;

static const ApiRoute api_routes[] = {
  { "get", "/api/datasets", "/api/datasets" },
  { "get", "/api/datasets/{id}", "/api/datasets/athero-kohorte" },
  { "get", "/api/suggest", "/api/suggest?q=herz" },
  { "get", "/api/changes", "/api/changes" },
  { "get", "/api/openapi.json", "/api/openapi.json" },
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
  { NULL, "q", { "herz" } },
  { NULL, "theme", { EU "data-theme/HEAL", EU "data-theme/TECH" } },
  { NULL,
    "publisher",
    { IT_BASE "org/isar-herzzentrum", IT_BASE "org/biobank-mainfranken" } },
  { NULL, "format", { EU "file-type/CSV", EU "file-type/ZIP" } },
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

/* Check an answer against the documented responses of an operation:
 * a documented status, a documented media type, a body that fits; and by
 * `want`: 2, valid parameters, the status is 200; 3, a value on a bound,
 * the status is not 400 nor 5xx; 4, a value out of bounds, it is 4xx. */
static void
check_answer(const char* const       label,
             json_t* const           op,
             const ItResponse* const r,
             const int               want)
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
  if (want == 2 && r->status == 200) {
    it_pass("%s: valid parameters answer 200", label);
  } else if (want == 2) {
    it_fail_at(__FILE__,
               __LINE__,
               "%s: valid parameters answer 200, got %ld: %s",
               label,
               r->status,
               it_excerpt(r->body, r->body_len, 200));
  } else if (want == 3 && r->status != 400 && r->status < 500) {
    it_pass("%s: a value on a documented bound is not refused (%ld)",
            label,
            r->status);
  } else if (want == 3) {
    it_fail_at(__FILE__,
               __LINE__,
               "%s: a value on a documented bound is valid, but the answer "
               "is %ld: %s",
               label,
               r->status,
               it_excerpt(r->body, r->body_len, 200));
  } else if (want == 4 && r->status >= 400 && r->status < 500) {
    it_pass("%s: a value outside the documented schema answers %ld",
            label,
            r->status);
  } else if (want == 4) {
    it_fail_at(__FILE__,
               __LINE__,
               "%s: a value outside the documented schema answers 4xx, got "
               "%ld: %s",
               label,
               r->status,
               it_excerpt(r->body, r->body_len, 200));
  }
  resp = deref(resp);
  if (!resp) {
    return;
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

/* GET (or METHOD) target with Accept: accept (NULL: none) and check. */
static void
call(const char* const method,
     json_t* const     op,
     const char* const target,
     const char* const accept,
     const int         want)
{
  char accept_h[256];
  snprintf(accept_h, sizeof(accept_h), "Accept: %s", accept ? accept : "");
  ItRequest req = { .method = method, .target = target };
  if (accept) {
    req.headers[0] = accept_h;
  }
  ItResponse r;
  it_http(&srv, &req, &r);
  char label[600];
  snprintf(label,
           sizeof(label),
           "%s %s%s%s",
           method,
           it_excerpt(target, strlen(target), 300),
           accept ? " (Accept: " : "",
           accept ? accept : "");
  if (accept) {
    strncat(label, ")", sizeof(label) - strlen(label) - 1);
  }
  check_answer(label, op, &r, want);
  it_response_free(&r);
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

/* The path with its {name}s replaced by valid (percent-encoded) values. */
static bool
fill_path(const char* const path,
          json_t** const    params,
          const size_t      n_params,
          char* const       out,
          const size_t      size)
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
    const char* value = NULL;
    for (size_t i = 0; i < n_params; ++i) {
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

static void
target_of(const char* const  filled,
          const Query* const q,
          char* const        out,
          const size_t       size)
{
  snprintf(out, size, "%s%s%s", filled, q->len ? "?" : "", q->text);
}

/* A value outside a documented bound, and which bound, for probe i
 * (0: above maximum, 1: below minimum, 2: over maxLength, 3: under
 * minLength, 4: outside the enum); false if the schema has no such bound. */
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
  char M[16];
  snprintf(M, sizeof(M), "%s", method);
  for (char* c = M; *c; ++c) {
    *c = (char)toupper((unsigned char)*c);
  }
  printf("-- %s %s\n", M, path);

  json_t*      params[64];
  const size_t n_params = operation_params(item, op, params, 64);

  /* The structure of the operation. */
  json_t* const responses = json_object_get(op, "responses");
  IT_CHECK(json_is_object(responses) && json_object_get(responses, "200"),
           "%s %s: documents responses, with a 200",
           M,
           path);
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

  char filled[4096];
  if (!fill_path(path, params, n_params, filled, sizeof(filled))) {
    return;
  }

  /* The media types of the 200 answer. */
  const char* media[8];
  size_t      n_media = 0;
  {
    json_t* const content =
      json_object_get(deref(json_object_get(responses, "200")), "content");
    const char* type;
    json_t*     v;
    json_object_foreach (content, type, v) {
      if (n_media < 8) {
        media[n_media++] = type;
      }
    }
  }

  /* Required parameters only, with each media type. */
  Query q = { .len = 0 };
  q.text[0] = '\0';
  add_required(path, params, n_params, NULL, &q);
  char target[24576];
  target_of(filled, &q, target, sizeof(target));
  call(M, op, target, NULL, 2);
  for (size_t m = 0; m < n_media; ++m) {
    call(M, op, target, media[m], 2);
  }

  /* Each optional query parameter with a valid value (each enum value). */
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
    if (json_is_array(enums) && !known_value(path, name)) {
      size_t  k;
      json_t* e;
      json_array_foreach (enums, k, e) {
        if (nv < 8 && json_is_string(e)) {
          vals[nv++] = json_string_value(e);
        }
      }
      for (size_t k2 = 0; k2 < nv; ++k2) {
        Query q1 = q;
        query_add(&q1, name, vals[k2]);
        target_of(filled, &q1, target, sizeof(target));
        call(M, op, target, NULL, 2);
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
    target_of(filled, &q1, target, sizeof(target));
    call(M, op, target, NULL, 2);
    for (size_t m = 0; m < n_media; ++m) {
      call(M, op, target, media[m], 2);
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
    for (int kind = 0; kind < 5; ++kind) {
      char        bad[4096];
      const char* what = "";
      if (!bad_value(schema, kind, bad, sizeof(bad), &what)) {
        continue;
      }
      Query q1 = { .len = 0 };
      q1.text[0] = '\0';
      add_required(path, params, n_params, name, &q1);
      query_add(&q1, name, bad);
      target_of(filled, &q1, target, sizeof(target));
      printf("   (%s=%s: %s)\n", name, it_excerpt(bad, strlen(bad), 20), what);
      call(M, op, target, NULL, 4);
    }
    for (int kind = 0; kind < 4 && !is_edge_exempt(path, name); ++kind) {
      char        edge[4096];
      const char* what = "";
      if (!edge_value(schema, kind, edge, sizeof(edge), &what)) {
        continue;
      }
      Query q1 = { .len = 0 };
      q1.text[0] = '\0';
      add_required(path, params, n_params, name, &q1);
      query_add(&q1, name, edge);
      target_of(filled, &q1, target, sizeof(target));
      printf("   (%s=%s: %s)\n", name, it_excerpt(edge, strlen(edge), 20), what);
      call(M, op, target, NULL, 3);
    }
  }
}

/* ------------------------------------------------------------------------
 * The reverse: what the server answers is in the document
 * --------------------------------------------------------------------- */

static bool
in_api_routes(const char* const path)
{
  for (size_t i = 0; i < N_API_ROUTES; ++i) {
    if (!strcmp(api_routes[i].path, path)) {
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
    IT_CHECK(r.status == 200,
             "the server answers GET %s with 200, so %s is a route (got "
             "%ld: %s)",
             rt->probe,
             rt->path,
             r.status,
             it_excerpt(r.body, r.body_len, 200));
    it_response_free(&r);
  }
  /* A path under /api that is no route: 404, so the probes mean something. */
  ItResponse r;
  it_get(&srv, "/api/no-such-route", NULL, &r);
  IT_ERROR(&r, 404, "not_found");
  it_response_free(&r);

  /* Every path of the document is a route this test knows. */
  const char* path;
  json_t*     item;
  json_object_foreach (paths, path, item) {
    IT_CHECK(in_api_routes(path),
             "the documented path %s is in api_routes of test_openapi.c",
             path);
  }

  /* Every "/api/..." route name in web/serve.c is in api_routes. */
  char file[8192];
  snprintf(file, sizeof(file), "%s/web/serve.c", it_srcroot);
  size_t      len = 0;
  char* const src = it_read_file(file, &len);
  IT_CHECK(src != NULL, "read %s", file);
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
    ++n_names;
    IT_CHECK(in_api_routes(name),
             "web/serve.c routes %s: it is in api_routes of test_openapi.c "
             "(and so must be in web/openapi.json)",
             name);
  }
  IT_CHECK(n_names >= N_API_ROUTES,
           "web/serve.c names at least the %zu /api routes (found %zu)",
           N_API_ROUTES,
           n_names);
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

  it_server_prepare(&srv, "openapi", false);
  if (!it_server_start(&srv, NULL)) {
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

  /* Every path and method of the document. */
  const char* p;
  json_t*     item;
  json_object_foreach (json_object_get(doc, "paths"), p, item) {
    for (size_t m = 0; m < N_METHODS; ++m) {
      json_t* const op = json_object_get(item, methods[m]);
      if (op) {
        test_operation(p, methods[m], item, op);
      }
    }
  }

  test_routes_documented();

  it_server_stop(&srv, 15.0);
  json_decref(doc);
  return it_finish("openapi");
}
