/*
 * jsonld_read.c: the JSON-LD reader, our own code over jansson.
 *
 * It follows the JSON-LD 1.1 Processing Algorithms in three passes over a
 * document held in memory: context processing (section 4.1), expansion
 * (section 5.1) into a jansson tree in expanded form, and a walk over that
 * tree that turns node objects into statements (section 8.1, "Deserialize
 * JSON-LD to RDF", without building the node map: every node object is
 * turned into triples where it stands, which gives the same set of
 * statements, a statement possibly more than once).
 *
 * Nothing is fetched.  A context given by URL must be one of the contexts
 * fairdex ships (see shipped_context()); any other URL is an error
 * (FDX_ERR_UNSUPPORTED), even when the document would not need it.
 *
 * Limits: the document size (FDX_JSONLD_MAX_BYTES), the nesting depth of
 * objects and arrays in expansion and of contexts (MAX_DEPTH), the number
 * of context processings (MAX_CONTEXTS) and of term definitions copied
 * into new contexts (MAX_TERM_COPIES), so that a document cannot make the
 * reader work much more than its size.
 *
 * Errors name the place in the document as a JSON path, "$.@graph[3].title:
 * invalid @id value", in FdxError's message; line and column are set only
 * for JSON syntax errors, which jansson reports by position.
 *
 * Where this departs from the algorithms, on purpose: no node map (see
 * above), so node objects are never merged and nothing depends on it;
 * @import is refused (it would need a remote document); framing keywords
 * are dropped; container combinations are checked loosely (@list alone,
 * the rest in any combination); processed contexts are cached by the
 * identity of the active context and the local context (CACHE_SIZE
 * entries), which is what keeps type-scoped contexts cheap in documents
 * of thousands of nodes.
 *
 * Memory: every active context (Ctx) is allocated in the parser's arena
 * and freed when the parse ends, so contexts can share each other freely.
 * Term definitions are immutable jansson objects shared by reference
 * between contexts; a context's term table is a shallow json_copy().
 */
#include "fairdex/rdf.h"

#include <jansson.h>

#include <ctype.h>
#include <math.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The reader's entry point, called by fdx_parse_bytes() (rdf_parse.c). */
FdxStatus
fdx_jsonld_read(const char*      bytes,
                size_t           len,
                const char*      base,
                const char*      name,
                FdxStatementFunc fn,
                void*            ctx,
                FdxError*        err);

#define MAX_DEPTH 256
#define MAX_CONTEXTS 100000
/* Term definitions copied into new active contexts, at most: a context is
 * copied whenever one is processed, so many processings of a big context
 * cost time and memory in proportion to both. */
#define MAX_TERM_COPIES 50000000
#define PATH_CAP 400

#define RDF_NS "http://www.w3.org/1999/02/22-rdf-syntax-ns#"
#define XSD_NS "http://www.w3.org/2001/XMLSchema#"

/* The embedded DCAT-AP 3.0.1 context (catalog/meson.build, tools/embed.py). */
extern const unsigned char fdx_catalog_dcatap_context[];
extern const size_t        fdx_catalog_dcatap_context_len;

/* ------------------------------------------------------------------------
 * Parser state
 * --------------------------------------------------------------------- */

typedef struct Ctx Ctx;

/* An active context.  Strings are owned by the parser's arena (strs). */
struct Ctx
{
  json_t*     terms;    /* term -> definition object (new reference) */
  const char* base;     /* base IRI, NULL: none */
  const char* vocab;    /* vocabulary mapping, NULL: none */
  const char* lang;     /* default language, NULL: none */
  const Ctx*  previous; /* for non-propagated contexts */
  Ctx*        next_all; /* arena list */
};

typedef struct
{
  const Ctx*    active;
  const json_t* local;
  const char*   base;
  bool          override_protected;
  bool          propagate;
  const Ctx*    result;
} CacheEntry;

#define CACHE_SIZE 64

typedef struct
{
  const char*      name;
  FdxStatementFunc fn;
  void*            fn_ctx;
  FdxError*        err;
  FdxStatus        st;
  const char*      doc_base;
  Ctx*             all;        /* every Ctx, for freeing */
  json_t*          strs;       /* array keeping strings alive */
  json_t*          labels;     /* set of blank node labels in the document */
  json_t*          shipped[2]; /* parsed shipped contexts, lazily */
  unsigned long    next_bnode;
  unsigned long    n_contexts;
  unsigned long    term_copies;
  int              depth;
  char             path[PATH_CAP + 32];
  size_t           path_len;
  CacheEntry       cache[CACHE_SIZE];
  size_t           cache_next;
  char*            lexbuf; /* scratch for literals */
} Parser;

/* Record the first error, with the current JSON path. */
static FdxStatus
fail(Parser* const p, const FdxStatus st, const char* const fmt, ...)
#if defined(__GNUC__)
  __attribute__((format(printf, 3, 4)))
#endif
  ;

static FdxStatus
fail(Parser* const p, const FdxStatus st, const char* const fmt, ...)
{
  if (p->st) {
    return p->st;
  }
  char    msg[400];
  va_list args;
  va_start(args, fmt);
  vsnprintf(msg, sizeof(msg), fmt, args);
  va_end(args);
  p->st = fdx_error_set(p->err, st, p->name, 0, 0, "%s: %s", p->path, msg);
  return st;
}

/* Path: "$", then ".key" or "[i]" per level, cut at PATH_CAP. */
static size_t
path_key(Parser* const p, const char* const key)
{
  const size_t old = p->path_len;
  if (p->path_len < PATH_CAP) {
    const int n = snprintf(
      p->path + p->path_len, sizeof(p->path) - p->path_len, ".%s", key);
    p->path_len += n > 0 ? (size_t)n : 0;
    if (p->path_len > PATH_CAP) {
      p->path_len = PATH_CAP;
      memcpy(p->path + PATH_CAP, "...", 4);
    }
  }
  return old;
}

static size_t
path_index(Parser* const p, const size_t i)
{
  const size_t old = p->path_len;
  if (p->path_len < PATH_CAP) {
    const int n = snprintf(
      p->path + p->path_len, sizeof(p->path) - p->path_len, "[%zu]", i);
    p->path_len += n > 0 ? (size_t)n : 0;
    if (p->path_len > PATH_CAP) {
      p->path_len = PATH_CAP;
      memcpy(p->path + PATH_CAP, "...", 4);
    }
  }
  return old;
}

static void
path_restore(Parser* const p, const size_t len)
{
  p->path_len  = len;
  p->path[len] = '\0';
}

/* Keep `s` (a new reference) alive until the parse ends; returns its text. */
static const char*
keep(Parser* const p, json_t* const s)
{
  if (!s || json_array_append_new(p->strs, s)) {
    fail(p, FDX_ERR_NO_MEMORY, "out of memory");
    return NULL;
  }
  return json_string_value(s);
}

static const char*
keep_str(Parser* const p, const char* const s)
{
  return keep(p, json_string(s));
}

static Ctx*
ctx_new(Parser* const p, const Ctx* const from)
{
  Ctx* const c = (Ctx*)calloc(1, sizeof(Ctx));
  if (!c) {
    fail(p, FDX_ERR_NO_MEMORY, "out of memory");
    return NULL;
  }
  c->next_all = p->all;
  p->all      = c;
  if (from) {
    p->term_copies += json_object_size(from->terms);
    if (p->term_copies > MAX_TERM_COPIES) {
      fail(p,
           FDX_ERR_LIMIT,
           "contexts too big or too many: more than %d "
           "term definitions copied",
           MAX_TERM_COPIES);
      return NULL;
    }
    c->terms    = json_copy(from->terms);
    c->base     = from->base;
    c->vocab    = from->vocab;
    c->lang     = from->lang;
    c->previous = from->previous;
  } else {
    c->terms = json_object();
  }
  if (!c->terms) {
    fail(p, FDX_ERR_NO_MEMORY, "out of memory");
    return NULL;
  }
  return c;
}

static const json_t*
term_def(const Ctx* const c, const char* const term)
{
  const json_t* const d = json_object_get(c->terms, term);
  return json_is_object(d) ? d : NULL;
}

static const char*
def_str(const json_t* const def, const char* const key)
{
  return def ? json_string_value(json_object_get(def, key)) : NULL;
}

static bool
def_has_container(const json_t* const def, const char* const kind)
{
  const json_t* const c = def ? json_object_get(def, "@container") : NULL;
  size_t              i;
  json_t*             v;
  json_array_foreach(c, i, v)
  {
    if (!strcmp(json_string_value(v), kind)) {
      return true;
    }
  }
  return false;
}

/* ------------------------------------------------------------------------
 * Keywords and IRIs
 * --------------------------------------------------------------------- */

static const char* const keywords[] = {
  "@base",      "@container",   "@context",    "@direction", "@graph",
  "@id",        "@import",      "@included",   "@index",     "@json",
  "@language",  "@list",        "@nest",       "@none",      "@prefix",
  "@propagate", "@protected",   "@reverse",    "@set",       "@type",
  "@value",     "@version",     "@vocab",      "@default",   "@embed",
  "@explicit",  "@omitDefault", "@requireAll", NULL
};

static bool
is_keyword(const char* const s)
{
  if (!s || s[0] != '@') {
    return false;
  }
  for (size_t i = 0; keywords[i]; ++i) {
    if (!strcmp(s, keywords[i])) {
      return true;
    }
  }
  return false;
}

/* "@" followed by ALPHA only: reserved for future keywords, ignored. */
static bool
looks_like_keyword(const char* const s)
{
  if (!s || s[0] != '@' || !s[1]) {
    return false;
  }
  for (const char* c = s + 1; *c; ++c) {
    if (!isalpha((unsigned char)*c)) {
      return false;
    }
  }
  return true;
}

/* Length of the scheme of `s` before its ':', or 0. */
static size_t
scheme_len(const char* const s)
{
  if (!isalpha((unsigned char)s[0])) {
    return 0;
  }
  size_t i = 1;
  while (isalnum((unsigned char)s[i]) || s[i] == '+' || s[i] == '-' ||
         s[i] == '.') {
    ++i;
  }
  return s[i] == ':' ? i : 0;
}

/* An absolute IRI as jsonld.js tells it: a scheme, and no white space. */
static bool
is_absolute(const char* const s)
{
  if (!s || !scheme_len(s)) {
    return false;
  }
  for (const char* c = s; *c; ++c) {
    if (*c == ' ' || *c == '\t' || *c == '\n' || *c == '\r' || *c == '\f' ||
        *c == '\v') {
      return false;
    }
  }
  return true;
}

static bool
is_bnode(const char* const s)
{
  return s && s[0] == '_' && s[1] == ':';
}

/* RFC 3986 section 5.2.4: remove dot segments from `in` into `out` (which
 * has room for strlen(in) + 1 bytes). */
static void
remove_dots(const char* in, char* const out)
{
  size_t n = 0;
  while (*in) {
    if (!strncmp(in, "../", 3)) {
      in += 3;
    } else if (!strncmp(in, "./", 2)) {
      in += 2;
    } else if (!strncmp(in, "/./", 3)) {
      in += 2;
    } else if (!strcmp(in, "/.")) {
      in += 1;
      out[n++] = '/';
      break;
    } else if (!strncmp(in, "/../", 4) || !strcmp(in, "/..")) {
      const bool last = !in[3];
      in += 3;
      while (n > 0 && out[n - 1] != '/') {
        --n;
      }
      if (n > 0) {
        --n;
      }
      if (last) {
        out[n++] = '/';
        break;
      }
    } else if (!strcmp(in, ".") || !strcmp(in, "..")) {
      break;
    } else {
      size_t k = in[0] == '/' ? 1 : 0;
      while (in[k] && in[k] != '/') {
        ++k;
      }
      memcpy(out + n, in, k);
      n += k;
      in += k;
    }
  }
  out[n] = '\0';
}

/* Resolve reference `ref` against `base` (RFC 3986 section 5.2.2); a new
 * string kept by the parser, or NULL (no memory). */
static const char*
resolve(Parser* const p, const char* const base, const char* const ref)
{
  if (!base || scheme_len(ref)) {
    return keep_str(p, ref);
  }
  const size_t bl = strlen(base), rl = strlen(ref);
  char* const  buf = (char*)malloc(2 * (bl + rl) + 4);
  char* const  tmp = buf ? buf + bl + rl + 2 : NULL;
  if (!buf) {
    fail(p, FDX_ERR_NO_MEMORY, "out of memory");
    return NULL;
  }
  /* Parts of base: scheme ':' [ '//' authority ] path [ '?' query ]. */
  const size_t sl       = scheme_len(base) + 1;
  size_t       auth_end = sl;
  if (!strncmp(base + sl, "//", 2)) {
    auth_end = sl + 2;
    while (base[auth_end] && !strchr("/?#", base[auth_end])) {
      ++auth_end;
    }
  }
  size_t path_end = auth_end;
  while (base[path_end] && base[path_end] != '?' && base[path_end] != '#') {
    ++path_end;
  }
  size_t query_end = path_end;
  while (base[query_end] && base[query_end] != '#') {
    ++query_end;
  }
  size_t n = 0;
  if (!strncmp(ref, "//", 2)) {
    memcpy(buf, base, sl);
    n = sl;
    /* authority from ref, then path with dots removed */
    size_t ae = 2;
    while (ref[ae] && !strchr("/?#", ref[ae])) {
      ++ae;
    }
    memcpy(buf + n, ref, ae);
    n += ae;
    size_t pe = ae;
    while (ref[pe] && ref[pe] != '?' && ref[pe] != '#') {
      ++pe;
    }
    memcpy(tmp, ref + ae, pe - ae);
    tmp[pe - ae] = '\0';
    remove_dots(tmp, buf + n);
    n += strlen(buf + n);
    strcpy(buf + n, ref + pe);
  } else if (!ref[0]) {
    memcpy(buf, base, query_end);
    buf[query_end] = '\0';
  } else if (ref[0] == '#') {
    memcpy(buf, base, query_end);
    strcpy(buf + query_end, ref);
  } else if (ref[0] == '?') {
    memcpy(buf, base, path_end);
    strcpy(buf + path_end, ref);
  } else {
    memcpy(buf, base, auth_end);
    n         = auth_end;
    size_t pe = 0;
    while (ref[pe] && ref[pe] != '?' && ref[pe] != '#') {
      ++pe;
    }
    size_t t = 0;
    if (ref[0] == '/') {
      memcpy(tmp, ref, pe);
      t = pe;
    } else {
      /* merge: base path up to its last '/', then ref's path */
      if (auth_end > sl && path_end == auth_end) {
        tmp[t++] = '/';
      } else {
        size_t last = path_end;
        while (last > auth_end && base[last - 1] != '/') {
          --last;
        }
        memcpy(tmp, base + auth_end, last - auth_end);
        t = last - auth_end;
      }
      memcpy(tmp + t, ref, pe);
      t += pe;
    }
    tmp[t] = '\0';
    remove_dots(tmp, buf + n);
    n += strlen(buf + n);
    strcpy(buf + n, ref + pe);
  }
  const char* const r = keep_str(p, buf);
  free(buf);
  return r;
}

static const char*
concat(Parser* const p, const char* const a, const char* const b)
{
  const size_t al = strlen(a), bl = strlen(b);
  char* const  s = (char*)malloc(al + bl + 1);
  if (!s) {
    fail(p, FDX_ERR_NO_MEMORY, "out of memory");
    return NULL;
  }
  memcpy(s, a, al);
  memcpy(s + al, b, bl + 1);
  const char* const r = keep_str(p, s);
  free(s);
  return r;
}

/* ------------------------------------------------------------------------
 * Shipped contexts
 * --------------------------------------------------------------------- */

/* An approximation of schema.org's context: its @vocab, the "schema"
 * prefix, and the properties whose values are IRIs in Dataset metadata,
 * typed @id as in schema.org's own context.  Every other term is
 * http://schema.org/ + term with string values (schema.org's real context
 * types a few more properties, and date properties, which we leave as
 * plain strings). */
static const char schemaorg_context[] =
  "{\"@context\": {\"@vocab\": \"http://schema.org/\","
  " \"schema\": \"http://schema.org/\","
  " \"url\": {\"@id\": \"http://schema.org/url\", \"@type\": \"@id\"},"
  " \"sameAs\": {\"@id\": \"http://schema.org/sameAs\", \"@type\": \"@id\"},"
  " \"license\": {\"@id\": \"http://schema.org/license\", \"@type\": \"@id\"},"
  " \"contentUrl\": {\"@id\": \"http://schema.org/contentUrl\","
  " \"@type\": \"@id\"},"
  " \"embedUrl\": {\"@id\": \"http://schema.org/embedUrl\", \"@type\": "
  "\"@id\"},"
  " \"additionalType\": {\"@id\": \"http://schema.org/additionalType\","
  " \"@type\": \"@id\"}}}";

static const char* const schemaorg_urls[] = {
  "https://schema.org",
  "http://schema.org",
  "https://schema.org/",
  "http://schema.org/",
  "https://schema.org/docs/jsonldcontext.jsonld",
  "http://schema.org/docs/jsonldcontext.jsonld",
  "https://schema.org/docs/jsonldcontext.json",
  "http://schema.org/docs/jsonldcontext.json",
  NULL
};

static const char* const dcatap_urls[] = {
  "https://semiceu.github.io/DCAT-AP/releases/3.0.1/context/dcat-ap.jsonld",
  "http://semiceu.github.io/DCAT-AP/releases/3.0.1/context/dcat-ap.jsonld",
  NULL
};

static bool
in_list(const char* const s, const char* const* const list)
{
  for (size_t i = 0; list[i]; ++i) {
    if (!strcmp(s, list[i])) {
      return true;
    }
  }
  return false;
}

/* A term in the form of a compact IRI or an IRI (jsonld.js's test). */
static bool
iri_form_term(const char* const t)
{
  if (t[0] == '@') {
    return false;
  }
  for (const char* c = t; *c; ++c) {
    if (*c == '/' || (c[0] == ':' && c[1] && c[1] != ':')) {
      return true;
    }
  }
  return false;
}

/* Remove terms like "Xsd:dateTime" from context object `c` and the scoped
 * contexts in it: the official DCAT-AP 3.0.1 context defines five, which
 * JSON-LD 1.1 rejects (see web/contexts/README.md); so does
 * tests/integration/jsonld_check.js. */
static void
drop_iri_form_terms(json_t* const c)
{
  const char* key;
  json_t*     v;
  void*       tmp;
  json_object_foreach_safe(c, tmp, key, v)
  {
    if (iri_form_term(key)) {
      json_object_del(c, key);
    } else if (json_is_object(v) &&
               json_is_object(json_object_get(v, "@context"))) {
      drop_iri_form_terms(json_object_get(v, "@context"));
    }
  }
}

/* The @context value of the shipped context at `url` (borrowed), NULL if
 * the URL is not one of them (an error is recorded). */
static const json_t*
shipped_context(Parser* const p, const char* const url)
{
  int which = -1;
  if (in_list(url, schemaorg_urls)) {
    which = 0;
  } else if (in_list(url, dcatap_urls)) {
    which = 1;
  }
  if (which < 0) {
    fail(p,
         FDX_ERR_UNSUPPORTED,
         "context URL %s is not shipped; fairdex never fetches contexts",
         url);
    return NULL;
  }
  if (!p->shipped[which]) {
    json_error_t jerr;
    p->shipped[which] = which == 0
                          ? json_loads(schemaorg_context, 0, &jerr)
                          : json_loadb((const char*)fdx_catalog_dcatap_context,
                                       fdx_catalog_dcatap_context_len,
                                       0,
                                       &jerr);
    if (!p->shipped[which]) {
      fail(p, FDX_ERR_UNKNOWN, "shipped context %s: %s", url, jerr.text);
      return NULL;
    }
    if (which == 1) {
      drop_iri_form_terms(json_object_get(p->shipped[which], "@context"));
    }
  }
  const json_t* const c = json_object_get(p->shipped[which], "@context");
  if (!c) {
    fail(p, FDX_ERR_UNKNOWN, "shipped context %s has no @context", url);
  }
  return c;
}

/* ------------------------------------------------------------------------
 * Context processing (section 4.1)
 * --------------------------------------------------------------------- */

static const char*
expand_iri(Parser*       p,
           const Ctx*    active,
           const char*   value,
           bool          doc_rel,
           bool          vocab,
           const json_t* local,
           json_t*       defined);

static FdxStatus
create_term(Parser*       p,
            Ctx*          active,
            const json_t* local,
            const char*   term,
            json_t*       defined,
            const char*   base_url,
            bool          protected_,
            bool          override_protected);

static FdxStatus
process_context(Parser*       p,
                const Ctx*    active,
                const json_t* local,
                const char*   base_url,
                bool          override_protected,
                bool          propagate,
                int           remote_depth,
                const Ctx**   ret);

static bool
has_protected(const Ctx* const c)
{
  const char* key;
  json_t*     v;
  json_object_foreach(c->terms, key, v)
  {
    if (json_is_true(json_object_get(v, "@protected"))) {
      return true;
    }
  }
  return false;
}

static FdxStatus
process_one(Parser* const       p,
            Ctx* const          result,
            const Ctx* const    active,
            const json_t* const context,
            const char* const   base_url,
            const bool          override_protected,
            const bool          propagate,
            const int           remote_depth,
            Ctx** const         ret_result)
{
  Ctx* r = result;
  if (json_is_null(context)) {
    if (!override_protected && has_protected(active)) {
      return fail(p, FDX_ERR_SYNTAX, "invalid context nullification");
    }
    Ctx* const fresh = ctx_new(p, NULL);
    if (!fresh) {
      return p->st;
    }
    fresh->base = p->doc_base;
    if (!propagate) {
      fresh->previous = r->previous ? r->previous : active;
    }
    *ret_result = fresh;
    return FDX_SUCCESS;
  }
  if (json_is_string(context)) {
    const char* const url = resolve(p, base_url, json_string_value(context));
    if (!url) {
      return p->st;
    }
    if (remote_depth > 8) {
      return fail(p, FDX_ERR_SYNTAX, "context overflow");
    }
    const json_t* const remote = shipped_context(p, url);
    if (!remote) {
      return p->st;
    }
    const Ctx* out = NULL;
    if (process_context(p,
                        r,
                        remote,
                        url,
                        override_protected,
                        true,
                        remote_depth + 1,
                        &out)) {
      return p->st;
    }
    *ret_result = (Ctx*)out;
    return FDX_SUCCESS;
  }
  if (!json_is_object(context)) {
    return fail(p, FDX_ERR_SYNTAX, "invalid local context");
  }
  const json_t* v = json_object_get(context, "@version");
  if (v && !(json_is_number(v) && json_number_value(v) == 1.1)) {
    return fail(p, FDX_ERR_SYNTAX, "invalid @version value");
  }
  if (json_object_get(context, "@import")) {
    return fail(p, FDX_ERR_UNSUPPORTED, "@import is not supported");
  }
  if ((v = json_object_get(context, "@base")) && remote_depth == 0) {
    if (json_is_null(v)) {
      r->base = NULL;
    } else if (!json_is_string(v)) {
      return fail(p, FDX_ERR_SYNTAX, "invalid base IRI");
    } else if (scheme_len(json_string_value(v))) {
      r->base = keep_str(p, json_string_value(v));
    } else if (r->base) {
      r->base = resolve(p, r->base, json_string_value(v));
    } else {
      return fail(p, FDX_ERR_SYNTAX, "invalid base IRI");
    }
  }
  if ((v = json_object_get(context, "@vocab"))) {
    if (json_is_null(v)) {
      r->vocab = NULL;
    } else if (!json_is_string(v)) {
      return fail(p, FDX_ERR_SYNTAX, "invalid vocab mapping");
    } else {
      const char* const x =
        expand_iri(p, r, json_string_value(v), true, true, NULL, NULL);
      if (!x || p->st) {
        return p->st ? p->st : fail(p, FDX_ERR_SYNTAX, "invalid vocab mapping");
      }
      r->vocab = x;
    }
  }
  if ((v = json_object_get(context, "@language"))) {
    if (json_is_null(v)) {
      r->lang = NULL;
    } else if (!json_is_string(v)) {
      return fail(p, FDX_ERR_SYNTAX, "invalid default language");
    } else {
      char* const l = strdup(json_string_value(v));
      if (!l) {
        return fail(p, FDX_ERR_NO_MEMORY, "out of memory");
      }
      for (char* c = l; *c; ++c) {
        *c = (char)tolower((unsigned char)*c);
      }
      r->lang = keep_str(p, l);
      free(l);
    }
  }
  if ((v = json_object_get(context, "@direction")) && !json_is_null(v) &&
      !(json_is_string(v) && (!strcmp(json_string_value(v), "ltr") ||
                              !strcmp(json_string_value(v), "rtl")))) {
    return fail(p, FDX_ERR_SYNTAX, "invalid base direction");
  }
  if ((v = json_object_get(context, "@propagate")) && !json_is_boolean(v)) {
    return fail(p, FDX_ERR_SYNTAX, "invalid @propagate value");
  }
  const json_t* const prot    = json_object_get(context, "@protected");
  json_t* const       defined = json_object();
  if (!defined) {
    return fail(p, FDX_ERR_NO_MEMORY, "out of memory");
  }
  const char* key;
  json_t*     val;
  json_object_foreach((json_t*)context, key, val)
  {
    if (!strcmp(key, "@base") || !strcmp(key, "@direction") ||
        !strcmp(key, "@import") || !strcmp(key, "@language") ||
        !strcmp(key, "@propagate") || !strcmp(key, "@protected") ||
        !strcmp(key, "@version") || !strcmp(key, "@vocab")) {
      continue;
    }
    if (create_term(p,
                    r,
                    context,
                    key,
                    defined,
                    base_url,
                    json_is_true(prot),
                    override_protected)) {
      break;
    }
  }
  json_decref(defined);
  *ret_result = r;
  return p->st;
}

static FdxStatus
process_context(Parser* const       p,
                const Ctx* const    active,
                const json_t* const local,
                const char* const   base_url,
                const bool          override_protected,
                bool                propagate,
                const int           remote_depth,
                const Ctx** const   ret)
{
  for (size_t i = 0; i < CACHE_SIZE; ++i) {
    const CacheEntry* const e = &p->cache[i];
    if (e->result && e->active == active && e->local == local &&
        e->base == base_url && e->override_protected == override_protected &&
        e->propagate == propagate) {
      *ret = e->result;
      return FDX_SUCCESS;
    }
  }
  if (++p->n_contexts > MAX_CONTEXTS) {
    return fail(
      p, FDX_ERR_LIMIT, "more than %d contexts to process", MAX_CONTEXTS);
  }
  if (++p->depth > MAX_DEPTH) {
    return fail(p, FDX_ERR_LIMIT, "contexts nested deeper than %d", MAX_DEPTH);
  }
  Ctx* result = ctx_new(p, active);
  if (!result) {
    --p->depth;
    return p->st;
  }
  const json_t* const pv =
    json_is_object(local) ? json_object_get(local, "@propagate") : NULL;
  if (json_is_boolean(pv)) {
    propagate = json_is_true(pv);
  }
  if (!propagate && !result->previous) {
    result->previous = active;
  }
  if (json_is_array(local)) {
    size_t  i;
    json_t* c;
    json_array_foreach(local, i, c)
    {
      if (process_one(p,
                      result,
                      active,
                      c,
                      base_url,
                      override_protected,
                      propagate,
                      remote_depth,
                      &result)) {
        break;
      }
      if (i + 1 < json_array_size(local) && !(result = ctx_new(p, result))) {
        break;
      }
    }
  } else {
    process_one(p,
                result,
                active,
                local,
                base_url,
                override_protected,
                propagate,
                remote_depth,
                &result);
  }
  --p->depth;
  if (p->st) {
    return p->st;
  }
  CacheEntry* const e = &p->cache[p->cache_next++ % CACHE_SIZE];
  *e   = (CacheEntry){ active,    local, base_url, override_protected,
                       propagate, result };
  *ret = result;
  return FDX_SUCCESS;
}

static bool
ends_gen_delim(const char* const s)
{
  const size_t n = strlen(s);
  return n && strchr(":/?#[]@", s[n - 1]);
}

static bool
valid_container(const json_t* const c)
{
  /* Each value known; combinations as the spec allows, loosely. */
  size_t  i;
  json_t* v;
  bool    list = false;
  json_array_foreach(c, i, v)
  {
    const char* const s = json_string_value(v);
    if (!s || (strcmp(s, "@list") && strcmp(s, "@set") && strcmp(s, "@index") &&
               strcmp(s, "@language") && strcmp(s, "@graph") &&
               strcmp(s, "@id") && strcmp(s, "@type"))) {
      return false;
    }
    list = list || !strcmp(s, "@list");
  }
  return !list || json_array_size(c) == 1;
}

/* Create Term Definition (section 4.2). */
static FdxStatus
create_term(Parser* const       p,
            Ctx* const          active,
            const json_t* const local,
            const char* const   term,
            json_t* const       defined,
            const char* const   base_url,
            const bool          protected_,
            const bool          override_protected)
{
  const json_t* const state = json_object_get(defined, term);
  if (state) {
    return json_is_true(state)
             ? FDX_SUCCESS
             : fail(p, FDX_ERR_SYNTAX, "cyclic IRI mapping of term %s", term);
  }
  if (!term[0]) {
    return fail(p, FDX_ERR_SYNTAX, "invalid term definition (empty term)");
  }
  json_object_set_new(defined, term, json_false());
  const json_t* value = json_object_get(local, term);
  if (!strcmp(term, "@type")) {
    /* Only @container @set and @protected may be given for @type. */
    const char* k;
    json_t*     x;
    bool        ok = json_is_object(value) && json_object_size(value) > 0;
    json_object_foreach((json_t*)value, k, x)
    {
      if (!(!strcmp(k, "@container") && json_is_string(x) &&
            !strcmp(json_string_value(x), "@set")) &&
          strcmp(k, "@protected")) {
        ok = false;
      }
    }
    if (!ok) {
      return fail(p, FDX_ERR_SYNTAX, "keyword redefinition of @type");
    }
  } else if (is_keyword(term)) {
    return fail(p, FDX_ERR_SYNTAX, "keyword redefinition of %s", term);
  } else if (looks_like_keyword(term)) {
    json_object_set_new(defined, term, json_true());
    return FDX_SUCCESS; /* ignored */
  }
  const json_t* const previous = term_def(active, term);
  json_object_del(active->terms, term);
  bool simple = false;
  if (json_is_null(value)) {
    value = NULL; /* {"@id": null} */
  } else if (json_is_string(value)) {
    simple = true;
  } else if (!json_is_object(value)) {
    return fail(p, FDX_ERR_SYNTAX, "invalid term definition of %s", term);
  }
  json_t* const def = json_object();
  if (!def) {
    return fail(p, FDX_ERR_NO_MEMORY, "out of memory");
  }
  FdxStatus     st  = FDX_SUCCESS;
  const json_t* idv = simple ? value : json_object_get(value, "@id");
  const json_t* x;
  if (value && !simple) {
    const char* k;
    json_t*     kv;
    json_object_foreach((json_t*)value, k, kv)
    {
      if (strcmp(k, "@id") && strcmp(k, "@reverse") &&
          strcmp(k, "@container") && strcmp(k, "@context") &&
          strcmp(k, "@direction") && strcmp(k, "@index") &&
          strcmp(k, "@language") && strcmp(k, "@nest") &&
          strcmp(k, "@prefix") && strcmp(k, "@protected") &&
          strcmp(k, "@type")) {
        st = fail(
          p, FDX_ERR_SYNTAX, "invalid term definition of %s (%s)", term, k);
        goto done;
      }
    }
  }
  {
    const json_t* const pr =
      value && !simple ? json_object_get(value, "@protected") : NULL;
    if (pr && !json_is_boolean(pr)) {
      st = fail(p, FDX_ERR_SYNTAX, "invalid @protected value");
      goto done;
    }
    if (pr ? json_is_true(pr) : protected_) {
      json_object_set_new(def, "@protected", json_true());
    }
  }
  if (value && !simple && (x = json_object_get(value, "@type"))) {
    if (!json_is_string(x)) {
      st = fail(p, FDX_ERR_SYNTAX, "invalid type mapping of %s", term);
      goto done;
    }
    const char* const t =
      expand_iri(p, active, json_string_value(x), false, true, local, defined);
    if (!t) {
      st = p->st ? p->st : fail(p, FDX_ERR_SYNTAX, "invalid type mapping");
      goto done;
    }
    if (strcmp(t, "@id") && strcmp(t, "@json") && strcmp(t, "@none") &&
        strcmp(t, "@vocab") && !is_absolute(t)) {
      st = fail(p, FDX_ERR_SYNTAX, "invalid type mapping of %s: %s", term, t);
      goto done;
    }
    json_object_set_new(def, "@type", json_string(t));
  }
  if (value && !simple && (x = json_object_get(value, "@reverse"))) {
    if (json_object_get(value, "@id") || json_object_get(value, "@nest")) {
      st = fail(p, FDX_ERR_SYNTAX, "invalid reverse property %s", term);
      goto done;
    }
    if (!json_is_string(x)) {
      st = fail(p, FDX_ERR_SYNTAX, "invalid IRI mapping of %s", term);
      goto done;
    }
    if (looks_like_keyword(json_string_value(x))) {
      json_object_set_new(defined, term, json_true());
      goto done; /* ignored */
    }
    const char* const r =
      expand_iri(p, active, json_string_value(x), false, true, local, defined);
    if (!r || (!is_absolute(r) && !is_bnode(r))) {
      st = p->st ? p->st
                 : fail(p, FDX_ERR_SYNTAX, "invalid IRI mapping of %s", term);
      goto done;
    }
    json_object_set_new(def, "@id", json_string(r));
    json_object_set_new(def, "reverse", json_true());
  } else if (idv &&
             !(json_is_string(idv) && !strcmp(term, json_string_value(idv)))) {
    if (json_is_null(idv)) {
      json_object_set_new(def, "@id", json_null());
    } else if (!json_is_string(idv)) {
      st = fail(p, FDX_ERR_SYNTAX, "invalid IRI mapping of %s", term);
      goto done;
    } else {
      const char* const s = json_string_value(idv);
      if (!is_keyword(s) && looks_like_keyword(s)) {
        json_object_set_new(defined, term, json_true());
        goto done; /* ignored */
      }
      const char* const iri =
        expand_iri(p, active, s, false, true, local, defined);
      if (!iri || (!is_keyword(iri) && !scheme_len(iri) && !is_bnode(iri))) {
        st = p->st ? p->st
                   : fail(p, FDX_ERR_SYNTAX, "invalid IRI mapping of %s", term);
        goto done;
      }
      if (!strcmp(iri, "@context")) {
        st = fail(p, FDX_ERR_SYNTAX, "invalid keyword alias @context");
        goto done;
      }
      json_object_set_new(def, "@id", json_string(iri));
      const char* const colon = strchr(term + 1, ':');
      if ((colon && colon[1]) || strchr(term, '/')) {
        json_object_set_new(defined, term, json_true());
        const char* const self =
          expand_iri(p, active, term, false, true, local, defined);
        if (!self || strcmp(self, iri)) {
          st = p->st
                 ? p->st
                 : fail(p, FDX_ERR_SYNTAX, "invalid IRI mapping of %s", term);
          goto done;
        }
      }
      if (!strchr(term, ':') && !strchr(term, '/') && simple &&
          (ends_gen_delim(iri) || is_bnode(iri))) {
        json_object_set_new(def, "prefix", json_true());
      }
    }
  } else if (strchr(term + 1, ':')) {
    const char* const colon  = strchr(term + 1, ':');
    char* const       prefix = strndup(term, (size_t)(colon - term));
    if (!prefix) {
      st = fail(p, FDX_ERR_NO_MEMORY, "out of memory");
      goto done;
    }
    if (json_object_get(local, prefix) && create_term(p,
                                                      active,
                                                      local,
                                                      prefix,
                                                      defined,
                                                      base_url,
                                                      protected_,
                                                      override_protected)) {
      free(prefix);
      st = p->st;
      goto done;
    }
    const json_t* const pd   = term_def(active, prefix);
    const char* const   piri = def_str(pd, "@id");
    free(prefix);
    const char* const iri = piri ? concat(p, piri, colon + 1) : term;
    if (!iri) {
      st = p->st;
      goto done;
    }
    json_object_set_new(def, "@id", json_string(iri));
  } else if (strchr(term, '/')) {
    const char* const iri =
      expand_iri(p, active, term, false, true, local, defined);
    if (!iri || !scheme_len(iri)) {
      st = p->st ? p->st
                 : fail(p, FDX_ERR_SYNTAX, "invalid IRI mapping of %s", term);
      goto done;
    }
    json_object_set_new(def, "@id", json_string(iri));
  } else if (!strcmp(term, "@type")) {
    json_object_set_new(def, "@id", json_string("@type"));
  } else if (active->vocab) {
    const char* const iri = concat(p, active->vocab, term);
    if (!iri) {
      st = p->st;
      goto done;
    }
    json_object_set_new(def, "@id", json_string(iri));
  } else {
    st = fail(p,
              FDX_ERR_SYNTAX,
              "invalid IRI mapping: term %s has no IRI and there is no "
              "@vocab",
              term);
    goto done;
  }
  if (value && !simple && (x = json_object_get(value, "@container"))) {
    json_t* const c =
      json_is_array(x) ? json_incref((json_t*)x) : json_pack("[O]", x);
    if (!c || !valid_container(c)) {
      json_decref(c);
      st = fail(p, FDX_ERR_SYNTAX, "invalid container mapping of %s", term);
      goto done;
    }
    if (json_is_true(json_object_get(def, "reverse"))) {
      size_t  i;
      json_t* e;
      json_array_foreach(c, i, e)
      {
        if (strcmp(json_string_value(e), "@set") &&
            strcmp(json_string_value(e), "@index")) {
          json_decref(c);
          st = fail(p, FDX_ERR_SYNTAX, "invalid reverse property %s", term);
          goto done;
        }
      }
    }
    json_object_set_new(def, "@container", c);
    if (def_has_container(def, "@type")) {
      /* The values of a type map are node references. */
      const char* const t = def_str(def, "@type");
      if (!t) {
        json_object_set_new(def, "@type", json_string("@id"));
      } else if (strcmp(t, "@id") && strcmp(t, "@vocab")) {
        st = fail(p, FDX_ERR_SYNTAX, "invalid type mapping of %s", term);
        goto done;
      }
    }
  }
  if (value && !simple && (x = json_object_get(value, "@index"))) {
    if (!json_is_string(x) || !def_has_container(def, "@index")) {
      st =
        fail(p, FDX_ERR_SYNTAX, "invalid term definition of %s (@index)", term);
      goto done;
    }
    json_object_set(def, "@index", (json_t*)x);
  }
  if (value && !simple && (x = json_object_get(value, "@context"))) {
    json_object_set(def, "@context", (json_t*)x);
    json_object_set_new(
      def, "base", base_url ? json_string(base_url) : json_null());
  }
  if (value && !simple && (x = json_object_get(value, "@language")) &&
      !json_object_get(value, "@type")) {
    if (!json_is_null(x) && !json_is_string(x)) {
      st = fail(p, FDX_ERR_SYNTAX, "invalid language mapping of %s", term);
      goto done;
    }
    if (json_is_string(x)) {
      char* const l = strdup(json_string_value(x));
      if (!l) {
        st = fail(p, FDX_ERR_NO_MEMORY, "out of memory");
        goto done;
      }
      for (char* c = l; *c; ++c) {
        *c = (char)tolower((unsigned char)*c);
      }
      json_object_set_new(def, "@language", json_string(l));
      free(l);
    } else {
      json_object_set_new(def, "@language", json_null());
    }
  }
  if (value && !simple && (x = json_object_get(value, "@nest"))) {
    if (!json_is_string(x) || (is_keyword(json_string_value(x)) &&
                               strcmp(json_string_value(x), "@nest"))) {
      st = fail(p, FDX_ERR_SYNTAX, "invalid @nest value of %s", term);
      goto done;
    }
    json_object_set(def, "@nest", (json_t*)x);
  }
  if (value && !simple && (x = json_object_get(value, "@prefix"))) {
    if (strchr(term, ':') || strchr(term, '/') || !json_is_boolean(x)) {
      st = fail(
        p, FDX_ERR_SYNTAX, "invalid term definition of %s (@prefix)", term);
      goto done;
    }
    json_object_set(def, "prefix", (json_t*)x);
  }
  if (!override_protected && previous &&
      json_is_true(json_object_get(previous, "@protected"))) {
    json_object_set_new(def, "@protected", json_true());
    if (!json_equal(def, (json_t*)previous)) {
      st = fail(p, FDX_ERR_SYNTAX, "protected term redefinition of %s", term);
      goto done;
    }
  }
  if (json_object_set(active->terms, term, def)) {
    st = fail(p, FDX_ERR_NO_MEMORY, "out of memory");
    goto done;
  }
  json_object_set_new(defined, term, json_true());

done:
  json_decref(def);
  return st;
}

/* IRI Expansion (section 5.2).  Returns the expanded IRI (kept by the
 * parser, or borrowed from a term definition or `value`), or NULL for a
 * value that maps to null (check p->st for an error). */
static const char*
expand_iri(Parser* const       p,
           const Ctx* const    active,
           const char* const   value,
           const bool          doc_rel,
           const bool          vocab,
           const json_t* const local,
           json_t* const       defined)
{
  if (!value || is_keyword(value)) {
    return value;
  }
  if (looks_like_keyword(value)) {
    return NULL;
  }
  if (local && json_object_get(local, value) &&
      !json_is_true(json_object_get(defined, value))) {
    if (create_term(
          p, (Ctx*)active, local, value, defined, NULL, false, false)) {
      return NULL;
    }
  }
  const json_t* const def = term_def(active, value);
  if (def && is_keyword(def_str(def, "@id"))) {
    return def_str(def, "@id");
  }
  if (vocab && json_object_get(active->terms, value)) {
    return def ? def_str(def, "@id") : NULL;
  }
  const char* const colon = value[0] ? strchr(value + 1, ':') : NULL;
  if (colon) {
    const size_t plen   = (size_t)(colon - value);
    const char*  suffix = colon + 1;
    if ((plen == 1 && value[0] == '_') || !strncmp(suffix, "//", 2)) {
      return value;
    }
    char* const prefix = strndup(value, plen);
    if (!prefix) {
      fail(p, FDX_ERR_NO_MEMORY, "out of memory");
      return NULL;
    }
    if (local && json_object_get(local, prefix) &&
        !json_is_true(json_object_get(defined, prefix))) {
      if (create_term(
            p, (Ctx*)active, local, prefix, defined, NULL, false, false)) {
        free(prefix);
        return NULL;
      }
    }
    const json_t* const pd = term_def(active, prefix);
    free(prefix);
    if (pd && def_str(pd, "@id") &&
        json_is_true(json_object_get(pd, "prefix"))) {
      return concat(p, def_str(pd, "@id"), suffix);
    }
    if (scheme_len(value)) {
      return value;
    }
  }
  if (vocab && active->vocab) {
    return concat(p, active->vocab, value);
  }
  if (doc_rel) {
    return active->base ? resolve(p, active->base, value) : value;
  }
  return value;
}

/* ------------------------------------------------------------------------
 * Expansion (section 5.1)
 * --------------------------------------------------------------------- */

static json_t*
expand(Parser*       p,
       const Ctx*    active,
       const char*   active_prop,
       const json_t* element,
       const char*   base_url,
       bool          from_map);

/* Value Expansion (section 5.3): a new value object. */
static json_t*
expand_value(Parser* const       p,
             const Ctx* const    active,
             const char* const   active_prop,
             const json_t* const value)
{
  const json_t* const def  = active_prop ? term_def(active, active_prop) : NULL;
  const char* const   type = def_str(def, "@type");
  if (type && json_is_string(value) &&
      (!strcmp(type, "@id") || !strcmp(type, "@vocab"))) {
    const char* const iri = expand_iri(p,
                                       active,
                                       json_string_value(value),
                                       true,
                                       !strcmp(type, "@vocab"),
                                       NULL,
                                       NULL);
    if (p->st) {
      return NULL;
    }
    return json_pack("{s:o}", "@id", iri ? json_string(iri) : json_null());
  }
  json_t* const r = json_pack("{s:O}", "@value", value);
  if (!r) {
    fail(p, FDX_ERR_NO_MEMORY, "out of memory");
    return NULL;
  }
  if (type && strcmp(type, "@id") && strcmp(type, "@vocab") &&
      strcmp(type, "@none")) {
    json_object_set_new(r, "@type", json_string(type));
  } else if (json_is_string(value)) {
    const json_t* const l    = def ? json_object_get(def, "@language") : NULL;
    const char* const   lang = l ? json_string_value(l) : active->lang;
    if (lang) {
      json_object_set_new(r, "@language", json_string(lang));
    }
  }
  return r;
}

/* Append `v` (new reference; an array's items one by one) to the array
 * under `key` in `obj`. */
static FdxStatus
add_value(Parser* const     p,
          json_t* const     obj,
          const char* const key,
          json_t* const     v)
{
  json_t* arr = json_object_get(obj, key);
  if (!arr) {
    arr = json_array();
    if (!arr || json_object_set_new(obj, key, arr)) {
      json_decref(v);
      return fail(p, FDX_ERR_NO_MEMORY, "out of memory");
    }
  } else if (!json_is_array(arr)) {
    json_t* const a = json_pack("[O]", arr);
    if (!a || json_object_set_new(obj, key, a)) {
      json_decref(v);
      return fail(p, FDX_ERR_NO_MEMORY, "out of memory");
    }
    arr = a;
  }
  if (json_is_array(v)) {
    json_array_extend(arr, v);
    json_decref(v);
  } else if (json_array_append_new(arr, v)) {
    return fail(p, FDX_ERR_NO_MEMORY, "out of memory");
  }
  return FDX_SUCCESS;
}

static json_t*
as_array(json_t* const v)
{
  if (!v || json_is_array(v)) {
    return v;
  }
  json_t* const a = json_array();
  json_array_append_new(a, v);
  return a;
}

static bool
is_value_obj(const json_t* const v)
{
  return json_is_object(v) && json_object_get(v, "@value");
}

static bool
is_list_obj(const json_t* const v)
{
  return json_is_object(v) && json_object_get(v, "@list");
}

static bool
is_graph_obj(const json_t* const v)
{
  if (!json_is_object(v) || !json_object_get(v, "@graph")) {
    return false;
  }
  const char* k;
  json_t*     x;
  json_object_foreach((json_t*)v, k, x)
  {
    if (strcmp(k, "@graph") && strcmp(k, "@id") && strcmp(k, "@index")) {
      return false;
    }
  }
  return true;
}

static int
cmp_key(const void* const a, const void* const b)
{
  return strcmp(*(const char* const*)a, *(const char* const*)b);
}

/* Keys of `obj` in lexicographic order (a new array of strings), NULL if
 * out of memory. */
static json_t*
sorted_keys(Parser* const p, const json_t* const obj)
{
  const size_t       n    = json_object_size(obj);
  const char** const ks   = (const char**)malloc((n ? n : 1) * sizeof(char*));
  json_t* const      keys = json_array();
  if (!ks || !keys) {
    free(ks);
    json_decref(keys);
    fail(p, FDX_ERR_NO_MEMORY, "out of memory");
    return NULL;
  }
  size_t      i = 0;
  const char* k;
  json_t*     v;
  json_object_foreach((json_t*)obj, k, v)
  {
    ks[i++] = k;
  }
  qsort(ks, n, sizeof(char*), cmp_key);
  for (i = 0; i < n; ++i) {
    json_array_append_new(keys, json_string(ks[i]));
  }
  free(ks);
  return keys;
}

static FdxStatus
expand_entries(Parser*       p,
               const Ctx*    active,
               const Ctx*    type_scoped,
               const char*   active_prop,
               const json_t* element,
               json_t*       result,
               const char*   input_type,
               const char*   base_url);

/* Expand the entries of a language map into `out` (an array). */
static FdxStatus
expand_language_map(Parser* const       p,
                    const Ctx* const    active,
                    const json_t* const value,
                    json_t* const       out)
{
  json_t* const keys = sorted_keys(p, value);
  size_t        i;
  json_t*       kj;
  json_array_foreach(keys, i, kj)
  {
    const char* const lang  = json_string_value(kj);
    const size_t      mark  = path_key(p, lang);
    json_t* const     items = json_object_get(value, lang);
    json_t* const     arr =
      json_is_array(items) ? json_incref(items) : json_pack("[O]", items);
    const char* const el = expand_iri(p, active, lang, false, true, NULL, NULL);
    const bool none = !strcmp(lang, "@none") || (el && !strcmp(el, "@none"));
    size_t     j;
    json_t*    item;
    json_array_foreach(arr, j, item)
    {
      if (json_is_null(item)) {
        continue;
      }
      if (!json_is_string(item)) {
        json_decref(arr);
        json_decref(keys);
        return fail(p, FDX_ERR_SYNTAX, "invalid language map value");
      }
      json_t* const v = json_pack("{s:O}", "@value", item);
      if (!none) {
        char* const l = strdup(lang);
        for (char* c = l; c && *c; ++c) {
          *c = (char)tolower((unsigned char)*c);
        }
        json_object_set_new(v, "@language", json_string(l ? l : ""));
        free(l);
      }
      json_array_append_new(out, v);
    }
    json_decref(arr);
    path_restore(p, mark);
  }
  json_decref(keys);
  return p->st;
}

/* Expand an index, id or type map (step 13.8). */
static FdxStatus
expand_index_map(Parser* const       p,
                 const Ctx* const    active,
                 const char* const   key,
                 const json_t* const def,
                 const json_t* const value,
                 const char* const   base_url,
                 json_t* const       out)
{
  const bool  c_type  = def_has_container(def, "@type");
  const bool  c_id    = def_has_container(def, "@id");
  const bool  c_index = def_has_container(def, "@index");
  const bool  c_graph = def_has_container(def, "@graph");
  const char* index_key =
    def_str(def, "@index") ? def_str(def, "@index") : "@index";
  json_t* const keys = sorted_keys(p, value);
  size_t        i;
  json_t*       kj;
  json_array_foreach(keys, i, kj)
  {
    const char* const index   = json_string_value(kj);
    const size_t      mark    = path_key(p, index);
    const Ctx*        map_ctx = active;
    if (c_id || c_type) {
      map_ctx = active->previous ? active->previous : active;
    }
    const json_t* const idef = c_type ? term_def(map_ctx, index) : NULL;
    if (idef && json_object_get(idef, "@context")) {
      const json_t* const b = json_object_get(idef, "base");
      if (process_context(p,
                          map_ctx,
                          json_object_get(idef, "@context"),
                          json_string_value(b),
                          false,
                          true,
                          0,
                          &map_ctx)) {
        break;
      }
    }
    const char* const expanded_index =
      expand_iri(p, active, index, false, true, NULL, NULL);
    if (p->st) {
      break;
    }
    json_t* const iv = json_object_get(value, index);
    json_t* const arr =
      json_is_array(iv) ? json_incref(iv) : json_pack("[O]", iv);
    json_t* const ex = as_array(expand(p, map_ctx, key, arr, base_url, true));
    json_decref(arr);
    if (p->st) {
      json_decref(ex);
      break;
    }
    const bool none = expanded_index && !strcmp(expanded_index, "@none");
    size_t     j;
    json_t*    item;
    json_array_foreach(ex, j, item)
    {
      json_t* it = json_incref(item);
      if (c_graph && !is_graph_obj(it)) {
        json_t* const g = json_pack("{s:o}", "@graph", as_array(it));
        it              = g;
      }
      if (c_index && strcmp(index_key, "@index") && !none) {
        json_t* const     re = expand_value(p, active, index_key, kj);
        const char* const eik =
          expand_iri(p, active, index_key, false, true, NULL, NULL);
        if (!re || !eik || is_value_obj(it)) {
          json_decref(re);
          json_decref(it);
          fail(p,
               FDX_ERR_SYNTAX,
               "invalid value object (property-valued "
               "index on a value)");
          break;
        }
        json_t* const       vals = json_pack("[o]", re);
        const json_t* const old  = json_object_get(it, eik);
        if (old) {
          if (json_is_array(old)) {
            json_array_extend(vals, (json_t*)old);
          } else {
            json_array_append(vals, (json_t*)old);
          }
        }
        json_object_set_new(it, eik, vals);
      } else if (c_index && !json_object_get(it, "@index") && !none) {
        json_object_set(it, "@index", kj);
      } else if (c_id && !json_object_get(it, "@id") && !none) {
        const char* const id =
          expand_iri(p, active, index, true, false, NULL, NULL);
        json_object_set_new(it, "@id", id ? json_string(id) : json_null());
      } else if (c_type && !none && expanded_index) {
        json_t* const       types = json_pack("[s]", expanded_index);
        const json_t* const old   = json_object_get(it, "@type");
        if (json_is_array(old)) {
          json_array_extend(types, (json_t*)old);
        } else if (old) {
          json_array_append(types, (json_t*)old);
        }
        json_object_set_new(it, "@type", types);
      }
      json_array_append_new(out, it);
    }
    json_decref(ex);
    path_restore(p, mark);
    if (p->st) {
      break;
    }
  }
  json_decref(keys);
  return p->st;
}

static json_t*
expand(Parser* const       p,
       const Ctx*          active,
       const char* const   active_prop,
       const json_t* const element,
       const char* const   base_url,
       const bool          from_map)
{
  if (json_is_null(element) || p->st) {
    return NULL;
  }
  if (++p->depth > MAX_DEPTH) {
    fail(p, FDX_ERR_LIMIT, "nested deeper than %d", MAX_DEPTH);
    --p->depth;
    return NULL;
  }
  json_t*             result = NULL;
  const json_t* const pdef = active_prop ? term_def(active, active_prop) : NULL;
  const json_t* const psc  = pdef ? json_object_get(pdef, "@context") : NULL;
  const char* const   psc_base =
    pdef ? json_string_value(json_object_get(pdef, "base")) : NULL;

  if (!json_is_object(element) && !json_is_array(element)) {
    if (!active_prop || !strcmp(active_prop, "@graph")) {
      goto done;
    }
    if (psc &&
        process_context(p, active, psc, psc_base, false, true, 0, &active)) {
      goto done;
    }
    result = expand_value(p, active, active_prop, element);
    goto done;
  }
  if (json_is_array(element)) {
    result          = json_array();
    const bool list = def_has_container(pdef, "@list");
    size_t     i;
    json_t*    item;
    json_array_foreach(element, i, item)
    {
      const size_t mark = path_index(p, i);
      json_t* ex = expand(p, active, active_prop, item, base_url, from_map);
      path_restore(p, mark);
      if (p->st) {
        json_decref(ex);
        break;
      }
      if (list && json_is_array(ex)) {
        ex = json_pack("{s:o}", "@list", ex);
      }
      if (json_is_array(ex)) {
        json_array_extend(result, ex);
        json_decref(ex);
      } else if (ex) {
        json_array_append_new(result, ex);
      }
    }
    goto done;
  }
  /* A map. */
  if (active->previous && !from_map) {
    bool        revert = true;
    const char* k;
    json_t*     v;
    json_object_foreach((json_t*)element, k, v)
    {
      const char* const ek = expand_iri(p, active, k, false, true, NULL, NULL);
      if (ek && !strcmp(ek, "@value")) {
        revert = false;
      }
      if (ek && !strcmp(ek, "@id") && json_object_size(element) == 1) {
        revert = false;
      }
    }
    if (revert) {
      active = active->previous;
    }
  }
  if (psc &&
      process_context(p, active, psc, psc_base, true, true, 0, &active)) {
    goto done;
  }
  const json_t* const lc = json_object_get(element, "@context");
  if (lc) {
    const size_t mark = path_key(p, "@context");
    process_context(p, active, lc, base_url, false, true, 0, &active);
    path_restore(p, mark);
    if (p->st) {
      goto done;
    }
  }
  const Ctx* const type_scoped = active;
  const char*      input_type  = NULL;
  json_t* const    keys        = sorted_keys(p, element);
  bool             first_type  = true;
  size_t           i;
  json_t*          kj;
  json_array_foreach(keys, i, kj)
  {
    const char* const k  = json_string_value(kj);
    const char* const ek = expand_iri(p, active, k, false, true, NULL, NULL);
    if (!ek || strcmp(ek, "@type")) {
      continue;
    }
    const json_t* const tv = json_object_get(element, k);
    json_t* const       arr =
      json_is_array(tv) ? json_incref((json_t*)tv) : json_pack("[O]", tv);
    json_t* const sorted = json_array();
    size_t        j;
    json_t*       t;
    json_array_foreach(arr, j, t)
    {
      if (json_is_string(t)) {
        json_array_append(sorted, t);
      }
    }
    /* sort the type strings */
    for (size_t a = 1; a < json_array_size(sorted); ++a) {
      for (size_t b = a;
           b > 0 && strcmp(json_string_value(json_array_get(sorted, b - 1)),
                           json_string_value(json_array_get(sorted, b))) > 0;
           --b) {
        json_t* const x = json_incref(json_array_get(sorted, b - 1));
        json_array_set(sorted, b - 1, json_array_get(sorted, b));
        json_array_set_new(sorted, b, x);
      }
    }
    json_array_foreach(sorted, j, t)
    {
      const json_t* const td = term_def(type_scoped, json_string_value(t));
      if (td && json_object_get(td, "@context")) {
        if (process_context(p,
                            active,
                            json_object_get(td, "@context"),
                            json_string_value(json_object_get(td, "base")),
                            false,
                            false,
                            0,
                            &active)) {
          break;
        }
      }
    }
    if (first_type && json_array_size(arr)) {
      const json_t* const last = json_array_get(arr, json_array_size(arr) - 1);
      if (json_is_string(last)) {
        input_type = expand_iri(
          p, active, json_string_value(last), false, true, NULL, NULL);
      }
    }
    first_type = false;
    json_decref(sorted);
    json_decref(arr);
    if (p->st) {
      break;
    }
  }
  json_decref(keys);
  if (p->st) {
    goto done;
  }
  result = json_object();
  if (!result) {
    fail(p, FDX_ERR_NO_MEMORY, "out of memory");
    goto done;
  }
  if (expand_entries(p,
                     active,
                     type_scoped,
                     active_prop,
                     element,
                     result,
                     input_type,
                     base_url)) {
    goto done;
  }
  /* Steps 15 to 19: check and simplify. */
  json_t* const v = json_object_get(result, "@value");
  if (v) {
    const char* k;
    json_t*     x;
    json_object_foreach(result, k, x)
    {
      if (strcmp(k, "@direction") && strcmp(k, "@index") &&
          strcmp(k, "@language") && strcmp(k, "@type") && strcmp(k, "@value")) {
        fail(p, FDX_ERR_SYNTAX, "invalid value object (%s)", k);
        goto done;
      }
    }
    const json_t* const t = json_object_get(result, "@type");
    if (t && (json_object_get(result, "@language") ||
              json_object_get(result, "@direction"))) {
      fail(p, FDX_ERR_SYNTAX, "invalid value object (@type and @language)");
      goto done;
    }
    if (t &&
        !strcmp(json_string_value(t) ? json_string_value(t) : "", "@json")) {
      goto done;
    }
    if (json_is_null(v) || (json_is_array(v) && !json_array_size(v))) {
      json_decref(result);
      result = NULL;
      goto done;
    }
    if (!json_is_string(v) && json_object_get(result, "@language")) {
      fail(p, FDX_ERR_SYNTAX, "invalid language-tagged value");
      goto done;
    }
    if (json_is_object(v) || json_is_array(v)) {
      fail(p, FDX_ERR_SYNTAX, "invalid value object value");
      goto done;
    }
    if (t && (!json_is_string(t) || !is_absolute(json_string_value(t)))) {
      fail(p, FDX_ERR_SYNTAX, "invalid typed value");
      goto done;
    }
  } else if (json_is_string(json_object_get(result, "@type"))) {
    json_object_set_new(
      result, "@type", json_pack("[O]", json_object_get(result, "@type")));
  } else if (json_object_get(result, "@set") ||
             json_object_get(result, "@list")) {
    const size_t n = json_object_size(result);
    if (n > 2 || (n == 2 && !json_object_get(result, "@index"))) {
      fail(p, FDX_ERR_SYNTAX, "invalid set or list object");
      goto done;
    }
    json_t* const set = json_object_get(result, "@set");
    if (set) {
      json_t* const r = json_incref(set);
      json_decref(result);
      result = r;
    }
  }
  if (json_is_object(result) && json_object_size(result) == 1 &&
      json_object_get(result, "@language")) {
    json_decref(result);
    result = NULL;
  }
  if (json_is_object(result) &&
      (!active_prop || !strcmp(active_prop, "@graph")) &&
      (!json_object_size(result) || json_object_get(result, "@value") ||
       json_object_get(result, "@list") ||
       (json_object_size(result) == 1 && json_object_get(result, "@id")))) {
    json_decref(result);
    result = NULL;
  }

done:
  --p->depth;
  if (p->st) {
    json_decref(result);
    return NULL;
  }
  return result;
}

/* Steps 13 and 14 of expansion: the entries of `element` into `result`. */
static FdxStatus
expand_entries(Parser* const       p,
               const Ctx* const    active,
               const Ctx* const    type_scoped,
               const char* const   active_prop,
               const json_t* const element,
               json_t* const       result,
               const char* const   input_type,
               const char* const   base_url)
{
  json_t* const nests = json_array();
  json_t* const keys  = sorted_keys(p, element);
  size_t        i;
  json_t*       kj;
  json_array_foreach(keys, i, kj)
  {
    const char* const key   = json_string_value(kj);
    const json_t*     value = json_object_get(element, key);
    if (!strcmp(key, "@context")) {
      continue;
    }
    const size_t      mark = path_key(p, key);
    const char* const ep = expand_iri(p, active, key, false, true, NULL, NULL);
    if (p->st) {
      break;
    }
    if (!ep || (!strchr(ep, ':') && !is_keyword(ep))) {
      path_restore(p, mark);
      continue; /* dropped */
    }
    json_t* ev = NULL;
    if (is_keyword(ep)) {
      if (active_prop && !strcmp(active_prop, "@reverse")) {
        fail(p, FDX_ERR_SYNTAX, "invalid reverse property map");
        break;
      }
      if (json_object_get(result, ep) && strcmp(ep, "@included") &&
          strcmp(ep, "@type")) {
        fail(p, FDX_ERR_SYNTAX, "colliding keywords %s", ep);
        break;
      }
      if (!strcmp(ep, "@id")) {
        if (!json_is_string(value)) {
          fail(p, FDX_ERR_SYNTAX, "invalid @id value");
          break;
        }
        const char* const id = expand_iri(
          p, active, json_string_value(value), true, false, NULL, NULL);
        ev = id ? json_string(id) : json_null();
      } else if (!strcmp(ep, "@type")) {
        json_t* const arr = json_is_array(value) ? json_incref((json_t*)value)
                                                 : json_pack("[O]", value);
        size_t        j;
        json_t*       t;
        ev = json_array();
        json_array_foreach(arr, j, t)
        {
          if (!json_is_string(t)) {
            fail(p, FDX_ERR_SYNTAX, "invalid type value");
            break;
          }
          const char* const x = expand_iri(
            p, type_scoped, json_string_value(t), true, true, NULL, NULL);
          if (x) {
            json_array_append_new(ev, json_string(x));
          }
        }
        json_decref(arr);
        if (p->st) {
          json_decref(ev);
          break;
        }
        json_t* const old = json_object_get(result, "@type");
        if (old) {
          add_value(p, result, "@type", ev);
          path_restore(p, mark);
          continue;
        }
        if (json_is_string(value) && json_array_size(ev) == 1) {
          json_t* const one = json_incref(json_array_get(ev, 0));
          json_decref(ev);
          ev = one;
        }
      } else if (!strcmp(ep, "@graph")) {
        ev = as_array(expand(p, active, "@graph", value, base_url, false));
        if (!ev && !p->st) {
          ev = json_array();
        }
      } else if (!strcmp(ep, "@included")) {
        ev = as_array(expand(p, active, NULL, value, base_url, false));
        if (!ev && !p->st) {
          ev = json_array();
        }
        size_t  j;
        json_t* n;
        json_array_foreach(ev, j, n)
        {
          if (!json_is_object(n) || is_value_obj(n) || is_list_obj(n) ||
              json_object_get(n, "@set")) {
            fail(p, FDX_ERR_SYNTAX, "invalid @included value");
            break;
          }
        }
        json_t* const old = json_object_get(result, "@included");
        if (old && !p->st) {
          json_array_extend(old, ev);
          json_decref(ev);
          path_restore(p, mark);
          continue;
        }
      } else if (!strcmp(ep, "@value")) {
        if (input_type && !strcmp(input_type, "@json")) {
          ev = json_incref((json_t*)value);
        } else if (json_is_object(value) || json_is_array(value)) {
          fail(p, FDX_ERR_SYNTAX, "invalid value object value");
          break;
        } else {
          ev = json_incref((json_t*)value);
        }
        json_object_set_new(result, "@value", ev);
        path_restore(p, mark);
        continue;
      } else if (!strcmp(ep, "@language")) {
        if (!json_is_string(value)) {
          fail(p, FDX_ERR_SYNTAX, "invalid language-tagged string");
          break;
        }
        char* const l = strdup(json_string_value(value));
        for (char* c = l; c && *c; ++c) {
          *c = (char)tolower((unsigned char)*c);
        }
        ev = json_string(l ? l : "");
        free(l);
      } else if (!strcmp(ep, "@direction")) {
        if (!json_is_string(value) ||
            (strcmp(json_string_value(value), "ltr") &&
             strcmp(json_string_value(value), "rtl"))) {
          fail(p, FDX_ERR_SYNTAX, "invalid base direction");
          break;
        }
        ev = json_incref((json_t*)value);
      } else if (!strcmp(ep, "@index")) {
        if (!json_is_string(value)) {
          fail(p, FDX_ERR_SYNTAX, "invalid @index value");
          break;
        }
        ev = json_incref((json_t*)value);
      } else if (!strcmp(ep, "@list")) {
        if (!active_prop || !strcmp(active_prop, "@graph")) {
          path_restore(p, mark);
          continue;
        }
        ev = as_array(expand(p, active, active_prop, value, base_url, false));
        if (!ev && !p->st) {
          ev = json_array();
        }
      } else if (!strcmp(ep, "@set")) {
        ev = expand(p, active, active_prop, value, base_url, false);
      } else if (!strcmp(ep, "@reverse")) {
        if (!json_is_object(value)) {
          fail(p, FDX_ERR_SYNTAX, "invalid @reverse value");
          break;
        }
        ev = expand(p, active, "@reverse", value, base_url, false);
        if (p->st) {
          break;
        }
        const char*   k;
        json_t*       x;
        json_t* const inner = json_object_get(ev, "@reverse");
        json_object_foreach(inner, k, x)
        {
          add_value(p, result, k, json_incref(x));
        }
        json_object_foreach(ev, k, x)
        {
          if (!strcmp(k, "@reverse")) {
            continue;
          }
          json_t* rmap = json_object_get(result, "@reverse");
          if (!rmap) {
            rmap = json_object();
            json_object_set_new(result, "@reverse", rmap);
          }
          size_t  j;
          json_t* item;
          json_array_foreach(x, j, item)
          {
            if (is_value_obj(item) || is_list_obj(item)) {
              fail(p, FDX_ERR_SYNTAX, "invalid reverse property value");
              break;
            }
            add_value(p, rmap, k, json_incref(item));
          }
        }
        json_decref(ev);
        path_restore(p, mark);
        if (p->st) {
          break;
        }
        continue;
      } else if (!strcmp(ep, "@nest")) {
        json_array_append(nests, kj);
        path_restore(p, mark);
        continue;
      } else {
        /* @context handled; framing keywords and others are dropped. */
        path_restore(p, mark);
        continue;
      }
      if (p->st) {
        json_decref(ev);
        break;
      }
      if (ev) {
        json_object_set_new(result, ep, ev);
      }
      path_restore(p, mark);
      continue;
    }
    /* A property. */
    const json_t* const def   = term_def(active, key);
    const char* const   ttype = def_str(def, "@type");
    if (ttype && !strcmp(ttype, "@json")) {
      ev = json_pack("{s:O,s:s}", "@value", value, "@type", "@json");
    } else if (def_has_container(def, "@language") && json_is_object(value)) {
      ev = json_array();
      expand_language_map(p, active, value, ev);
    } else if ((def_has_container(def, "@index") ||
                def_has_container(def, "@type") ||
                def_has_container(def, "@id")) &&
               json_is_object(value)) {
      ev = json_array();
      expand_index_map(p, active, key, def, value, base_url, ev);
    } else {
      ev = expand(p, active, key, value, base_url, false);
    }
    if (p->st) {
      json_decref(ev);
      break;
    }
    if (!ev) {
      path_restore(p, mark);
      continue;
    }
    if (def_has_container(def, "@list") && !is_list_obj(ev)) {
      ev = json_pack("{s:o}", "@list", as_array(ev));
    }
    if (def_has_container(def, "@graph") && !def_has_container(def, "@id") &&
        !def_has_container(def, "@index")) {
      json_t* const arr = as_array(ev);
      json_t* const out = json_array();
      size_t        j;
      json_t*       x;
      json_array_foreach(arr, j, x)
      {
        json_array_append_new(
          out, json_pack("{s:o}", "@graph", as_array(json_incref(x))));
      }
      json_decref(arr);
      ev = out;
    }
    if (json_is_true(json_object_get(def, "reverse"))) {
      json_t* rmap = json_object_get(result, "@reverse");
      if (!rmap) {
        rmap = json_object();
        json_object_set_new(result, "@reverse", rmap);
      }
      json_t* const arr = as_array(ev);
      size_t        j;
      json_t*       item;
      json_array_foreach(arr, j, item)
      {
        if (is_value_obj(item) || is_list_obj(item)) {
          fail(p, FDX_ERR_SYNTAX, "invalid reverse property value");
          break;
        }
        add_value(p, rmap, ep, json_incref(item));
      }
      json_decref(arr);
    } else {
      add_value(p, result, ep, ev);
    }
    path_restore(p, mark);
    if (p->st) {
      break;
    }
  }
  json_decref(keys);
  /* Step 14: nested properties. */
  size_t  n;
  json_t* nk;
  json_array_foreach(nests, n, nk)
  {
    if (p->st) {
      break;
    }
    const char* const   key  = json_string_value(nk);
    const size_t        mark = path_key(p, key);
    const json_t* const nv   = json_object_get(element, key);
    json_t* const       arr =
      json_is_array(nv) ? json_incref((json_t*)nv) : json_pack("[O]", nv);
    size_t  j;
    json_t* x;
    json_array_foreach(arr, j, x)
    {
      bool        bad = !json_is_object(x);
      const char* k;
      json_t*     y;
      json_object_foreach(x, k, y)
      {
        const char* const ek =
          expand_iri(p, active, k, false, true, NULL, NULL);
        bad = bad || (ek && !strcmp(ek, "@value"));
      }
      if (bad) {
        fail(p, FDX_ERR_SYNTAX, "invalid @nest value");
        break;
      }
      if (++p->depth > MAX_DEPTH) {
        fail(p, FDX_ERR_LIMIT, "nested deeper than %d", MAX_DEPTH);
      } else {
        expand_entries(
          p, active, type_scoped, active_prop, x, result, input_type, base_url);
      }
      --p->depth;
      if (p->st) {
        break;
      }
    }
    json_decref(arr);
    path_restore(p, mark);
  }
  json_decref(nests);
  return p->st;
}

/* ------------------------------------------------------------------------
 * Deserialization to RDF (section 8.1, without the node map)
 * --------------------------------------------------------------------- */

/* A term that keeps its own copy of a blank node label. */
typedef struct
{
  FdxTerm term;
  char    label[32];
} OwnTerm;

static void
fresh_bnode(Parser* const p, OwnTerm* const t)
{
  int n;
  do {
    n = snprintf(t->label, sizeof(t->label), "g%lu", p->next_bnode++);
  } while (json_object_get(p->labels, t->label));
  t->term = (FdxTerm){ FDX_TERM_BLANK, t->label, (size_t)n, NULL, 0, NULL, 0 };
}

/* The term for node identifier `id`, false if it is not a well-formed IRI
 * or blank node identifier (its statements are dropped). */
static bool
id_term(const char* const id, OwnTerm* const t)
{
  if (is_bnode(id)) {
    t->term =
      (FdxTerm){ FDX_TERM_BLANK, id + 2, strlen(id + 2), NULL, 0, NULL, 0 };
    return true;
  }
  if (is_absolute(id)) {
    t->term = fdx_term_iri(id);
    return true;
  }
  return false;
}

static FdxStatus
emit(Parser* const        p,
     const FdxTerm* const s,
     const FdxTerm* const pr,
     const FdxTerm* const o,
     const FdxTerm* const g)
{
  if (p->st) {
    return p->st;
  }
  const FdxStatus st = p->fn(p->fn_ctx, s, pr, o, g);
  if (st) {
    return fail(p,
                st,
                "%s",
                st == FDX_ERR_LIMIT ? "too many statements or terms too long"
                : st == FDX_ERR_BAD_ARG
                  ? "invalid term (bad UTF-8 or a NUL byte)"
                  : fdx_strerror(st));
  }
  return FDX_SUCCESS;
}

static FdxStatus
node_to_rdf(Parser* p, const json_t* node, const FdxTerm* g, OwnTerm* ret);

/* The canonical lexical form of double `d` as JSON-LD (and jsonld.js)
 * write it: "1.5E0", "-1.0E-5". */
static void
double_lexical(const double d, char* const out, const size_t cap)
{
  char buf[64];
  snprintf(buf, sizeof(buf), "%.15e", d);
  char* const e = strchr(buf, 'e');
  if (!e) {
    snprintf(out, cap, "%s", buf); /* inf, nan */
    return;
  }
  *e      = '\0';
  char* m = e - 1;
  while (m > buf && *m == '0' && m[-1] != '.') {
    *m-- = '\0';
  }
  const char* x   = e + 1;
  const bool  neg = *x == '-';
  if (*x == '+' || *x == '-') {
    ++x;
  }
  while (*x == '0' && x[1]) {
    ++x;
  }
  const size_t ml = strlen(buf), xl = strlen(x);
  if (ml + xl + 3 > cap) {
    out[0] = '\0';
    return;
  }
  memcpy(out, buf, ml);
  out[ml]  = 'E';
  size_t n = ml + 1;
  if (neg) {
    out[n++] = '-';
  }
  memcpy(out + n, x, xl + 1);
}

/* A number as ECMAScript's Number::toString writes it (RFC 8785, section
 * 3.2.2.3): the shortest digits that read back to `d`, in plain notation
 * from 1e-6 up to 1e21, else as "1.5e+21". */
static void
js_number(const double d, char* const out, const size_t cap)
{
  if (d == 0) {
    snprintf(out, cap, "0");
    return;
  }
  char buf[40];
  int  p = 1;
  for (; p < 17; ++p) {
    snprintf(buf, sizeof(buf), "%.*e", p - 1, d);
    if (strtod(buf, NULL) == d) {
      break;
    }
  }
  snprintf(buf, sizeof(buf), "%.*e", p - 1, d);
  /* buf: [-]D[.DDD]e[+-]XX */
  const bool  neg = buf[0] == '-';
  const char* m   = buf + neg;
  char        digits[24];
  int         k = 0;
  for (; *m && *m != 'e'; ++m) {
    if (*m != '.') {
      digits[k++] = *m;
    }
  }
  while (k > 1 && digits[k - 1] == '0') {
    --k;
  }
  digits[k]   = '\0';
  const int n = atoi(m + 1) + 1; /* value = 0.DIGITS x 10^n */
  size_t    o = 0;
  char      tmp[64];
  if (neg) {
    tmp[o++] = '-';
  }
  if (k <= n && n <= 21) {
    memcpy(tmp + o, digits, (size_t)k);
    o += (size_t)k;
    for (int i = 0; i < n - k; ++i) {
      tmp[o++] = '0';
    }
  } else if (0 < n && n <= 21) {
    memcpy(tmp + o, digits, (size_t)n);
    o += (size_t)n;
    tmp[o++] = '.';
    memcpy(tmp + o, digits + n, (size_t)(k - n));
    o += (size_t)(k - n);
  } else if (-6 < n && n <= 0) {
    tmp[o++] = '0';
    tmp[o++] = '.';
    for (int i = 0; i < -n; ++i) {
      tmp[o++] = '0';
    }
    memcpy(tmp + o, digits, (size_t)k);
    o += (size_t)k;
  } else {
    tmp[o++] = digits[0];
    if (k > 1) {
      tmp[o++] = '.';
      memcpy(tmp + o, digits + 1, (size_t)(k - 1));
      o += (size_t)(k - 1);
    }
    o += (size_t)snprintf(
      tmp + o, sizeof(tmp) - o, "e%c%d", n - 1 < 0 ? '-' : '+', abs(n - 1));
  }
  tmp[o] = '\0';
  snprintf(out, cap, "%s", tmp);
}

static bool
jcs_put(Parser* const     p,
        char** const      buf,
        size_t* const     len,
        size_t* const     cap,
        const char* const s,
        const size_t      n)
{
  if (*len + n + 1 > *cap) {
    const size_t c = (*len + n + 1) * 2;
    char* const  b = (char*)realloc(*buf, c);
    if (!b) {
      fail(p, FDX_ERR_NO_MEMORY, "out of memory");
      return false;
    }
    *buf = b;
    *cap = c;
  }
  memcpy(*buf + *len, s, n);
  *len += n;
  (*buf)[*len] = '\0';
  return true;
}

static bool
jcs_string(Parser* const     p,
           char** const      buf,
           size_t* const     len,
           size_t* const     cap,
           const char* const s,
           const size_t      n)
{
  bool ok = jcs_put(p, buf, len, cap, "\"", 1);
  for (size_t i = 0; ok && i < n; ++i) {
    const unsigned char c = (unsigned char)s[i];
    char                esc[8];
    if (c == '"' || c == '\\') {
      esc[0] = '\\';
      esc[1] = (char)c;
      ok     = jcs_put(p, buf, len, cap, esc, 2);
    } else if (c < 0x20) {
      const char* const named = c == '\b'   ? "\\b"
                                : c == '\f' ? "\\f"
                                : c == '\n' ? "\\n"
                                : c == '\r' ? "\\r"
                                : c == '\t' ? "\\t"
                                            : NULL;
      if (named) {
        ok = jcs_put(p, buf, len, cap, named, 2);
      } else {
        snprintf(esc, sizeof(esc), "\\u%04x", c);
        ok = jcs_put(p, buf, len, cap, esc, 6);
      }
    } else {
      ok = jcs_put(p, buf, len, cap, (const char*)&s[i], 1);
    }
  }
  return ok && jcs_put(p, buf, len, cap, "\"", 1);
}

/* Write `v` as canonical JSON (RFC 8785: no white space, object members
 * sorted by key, numbers as ECMAScript writes them, minimal escapes). */
static bool
jcs_value(Parser* const       p,
          const json_t* const v,
          char** const        buf,
          size_t* const       len,
          size_t* const       cap,
          const int           depth)
{
  char num[64];
  if (depth > MAX_DEPTH) {
    fail(p, FDX_ERR_LIMIT, "nested deeper than %d", MAX_DEPTH);
    return false;
  }
  switch (json_typeof(v)) {
    case JSON_NULL:
      return jcs_put(p, buf, len, cap, "null", 4);
    case JSON_TRUE:
      return jcs_put(p, buf, len, cap, "true", 4);
    case JSON_FALSE:
      return jcs_put(p, buf, len, cap, "false", 5);
    case JSON_INTEGER:
      snprintf(num, sizeof(num), "%lld", (long long)json_integer_value(v));
      return jcs_put(p, buf, len, cap, num, strlen(num));
    case JSON_REAL:
      js_number(json_real_value(v), num, sizeof(num));
      return jcs_put(p, buf, len, cap, num, strlen(num));
    case JSON_STRING:
      return jcs_string(
        p, buf, len, cap, json_string_value(v), json_string_length(v));
    case JSON_ARRAY: {
      bool    ok = jcs_put(p, buf, len, cap, "[", 1);
      size_t  i;
      json_t* x;
      json_array_foreach(v, i, x)
      {
        ok = ok && (!i || jcs_put(p, buf, len, cap, ",", 1)) &&
             jcs_value(p, x, buf, len, cap, depth + 1);
      }
      return ok && jcs_put(p, buf, len, cap, "]", 1);
    }
    case JSON_OBJECT: {
      json_t* const keys = sorted_keys(p, v);
      bool          ok   = keys && jcs_put(p, buf, len, cap, "{", 1);
      size_t        i;
      json_t*       k;
      json_array_foreach(keys, i, k)
      {
        ok = ok && (!i || jcs_put(p, buf, len, cap, ",", 1)) &&
             jcs_string(
               p, buf, len, cap, json_string_value(k), json_string_length(k)) &&
             jcs_put(p, buf, len, cap, ":", 1) &&
             jcs_value(p,
                       json_object_get(v, json_string_value(k)),
                       buf,
                       len,
                       cap,
                       depth + 1);
      }
      json_decref(keys);
      return ok && jcs_put(p, buf, len, cap, "}", 1);
    }
  }
  return false;
}

/* A new string: `v` as canonical JSON, or NULL (error recorded). */
static char*
canonical_json(Parser* const p, const json_t* const v)
{
  char*  buf = NULL;
  size_t len = 0, cap = 0;
  if (!jcs_value(p, v, &buf, &len, &cap, 0)) {
    free(buf);
    return NULL;
  }
  return buf;
}

/* Turn `item` (an expanded value, node or list object) into the term
 * `ret`; false if it gives no term (dropped). */
static bool
object_to_rdf(Parser* const        p,
              const json_t* const  item,
              const FdxTerm* const g,
              OwnTerm* const       ret,
              char** const         ret_lex)
{
  *ret_lex = NULL;
  if (is_value_obj(item)) {
    const json_t* const v  = json_object_get(item, "@value");
    const char*       type = json_string_value(json_object_get(item, "@type"));
    const char* const lang =
      json_string_value(json_object_get(item, "@language"));
    char  num[64];
    char* lex = NULL;
    if (type && !strcmp(type, "@json")) {
      lex  = canonical_json(p, v);
      type = RDF_NS "JSON";
      if (!lex) {
        return false;
      }
    } else if (json_is_boolean(v)) {
      lex  = strdup(json_is_true(v) ? "true" : "false");
      type = type ? type : XSD_NS "boolean";
    } else if (json_is_number(v)) {
      const double d = json_number_value(v);
      const bool   dbl =
        (json_is_real(v) && (d != floor(d) || fabs(d) >= 1e21)) ||
        (type && !strcmp(type, XSD_NS "double"));
      if (dbl) {
        double_lexical(d, num, sizeof(num));
        type = type ? type : XSD_NS "double";
      } else if (json_is_integer(v)) {
        snprintf(num, sizeof(num), "%lld", (long long)json_integer_value(v));
        type = type ? type : XSD_NS "integer";
      } else {
        /* "%.0f" of -0.0 is "-0"; the canonical integer is "0". */
        snprintf(num, sizeof(num), "%.0f", d == 0 ? 0.0 : d);
        type = type ? type : XSD_NS "integer";
      }
      lex = strdup(num);
    } else if (json_is_string(v)) {
      lex = strdup(json_string_value(v));
      if (type && !strcmp(type, XSD_NS "string")) {
        type = NULL;
      }
    } else {
      return false;
    }
    if (!lex) {
      fail(p, FDX_ERR_NO_MEMORY, "out of memory");
      return false;
    }
    *ret_lex = lex;
    ret->term =
      (FdxTerm){ FDX_TERM_LITERAL, lex, strlen(lex), NULL, 0, NULL, 0 };
    if (lang && json_is_string(v) && !(type)) {
      ret->term.lang     = lang;
      ret->term.lang_len = strlen(lang);
    } else if (type) {
      ret->term.datatype     = type;
      ret->term.datatype_len = strlen(type);
    }
    return true;
  }
  if (is_list_obj(item)) {
    const json_t* const  list = json_object_get(item, "@list");
    const size_t         n    = json_array_size(list);
    static const FdxTerm nil  = {
       FDX_TERM_IRI, RDF_NS "nil", sizeof(RDF_NS "nil") - 1, NULL, 0, NULL, 0
    };
    static const FdxTerm first = {
      FDX_TERM_IRI, RDF_NS "first", sizeof(RDF_NS "first") - 1, NULL, 0, NULL, 0
    };
    static const FdxTerm rest = {
      FDX_TERM_IRI, RDF_NS "rest", sizeof(RDF_NS "rest") - 1, NULL, 0, NULL, 0
    };
    if (!n) {
      ret->term = nil;
      return true;
    }
    OwnTerm cur;
    fresh_bnode(p, &cur);
    *ret            = cur;
    ret->term.value = ret->label;
    for (size_t i = 0; i < n && !p->st; ++i) {
      OwnTerm o;
      char*   lex = NULL;
      if (object_to_rdf(p, json_array_get(list, i), g, &o, &lex)) {
        emit(p, &cur.term, &first, &o.term, g);
      }
      free(lex);
      if (i + 1 < n) {
        OwnTerm next;
        fresh_bnode(p, &next);
        emit(p, &cur.term, &rest, &next.term, g);
        cur            = next;
        cur.term.value = cur.label;
      } else {
        emit(p, &cur.term, &rest, &nil, g);
      }
    }
    return !p->st;
  }
  if (json_is_object(item)) {
    return !node_to_rdf(p, item, g, ret) && ret->term.kind != 0;
  }
  return false;
}

/* Emit the statements of node object `node` in graph `g`; `ret` (may be
 * NULL) gets its subject, kind 0 if it has none that is well-formed. */
static FdxStatus
node_to_rdf(Parser* const        p,
            const json_t* const  node,
            const FdxTerm* const g,
            OwnTerm* const       ret)
{
  if (++p->depth > MAX_DEPTH) {
    --p->depth;
    return fail(p, FDX_ERR_LIMIT, "nested deeper than %d", MAX_DEPTH);
  }
  OwnTerm       subj;
  bool          ok = true;
  const json_t* id = json_object_get(node, "@id");
  if (json_is_string(id)) {
    ok = id_term(json_string_value(id), &subj);
  } else {
    fresh_bnode(p, &subj);
  }
  if (subj.term.kind == FDX_TERM_BLANK && !json_is_string(id)) {
    subj.term.value = subj.label;
  }
  static const FdxTerm rdf_type = {
    FDX_TERM_IRI, RDF_NS "type", sizeof(RDF_NS "type") - 1, NULL, 0, NULL, 0
  };
  const char* k;
  json_t*     v;
  json_object_foreach((json_t*)node, k, v)
  {
    if (p->st) {
      break;
    }
    if (!strcmp(k, "@type")) {
      size_t  i;
      json_t* t;
      json_array_foreach(v, i, t)
      {
        OwnTerm o;
        if (ok && json_is_string(t) && id_term(json_string_value(t), &o)) {
          emit(p, &subj.term, &rdf_type, &o.term, g);
        }
      }
    } else if (!strcmp(k, "@reverse")) {
      const char* rk;
      json_t*     rv;
      json_object_foreach(v, rk, rv)
      {
        OwnTerm    pr;
        const bool pok = is_absolute(rk) && id_term(rk, &pr);
        size_t     i;
        json_t*    item;
        json_array_foreach(rv, i, item)
        {
          OwnTerm o;
          o.term.kind = 0;
          if (node_to_rdf(p, item, g, &o)) {
            break;
          }
          if (ok && pok && o.term.kind) {
            emit(p, &o.term, &pr.term, &subj.term, g);
          }
        }
      }
    } else if (!strcmp(k, "@graph")) {
      const FdxTerm* const gn = ok ? &subj.term : NULL;
      size_t               i;
      json_t*              item;
      json_array_foreach(v, i, item)
      {
        if (ok && json_is_object(item) && !is_value_obj(item) &&
            !is_list_obj(item)) {
          if (node_to_rdf(p, item, gn, NULL)) {
            break;
          }
        }
      }
    } else if (!strcmp(k, "@included")) {
      size_t  i;
      json_t* item;
      json_array_foreach(v, i, item)
      {
        if (node_to_rdf(p, item, g, NULL)) {
          break;
        }
      }
    } else if (k[0] == '@') {
      continue;
    } else {
      OwnTerm    pr;
      const bool pok = is_absolute(k) && id_term(k, &pr);
      size_t     i;
      json_t*    item;
      json_array_foreach(v, i, item)
      {
        OwnTerm o;
        char*   lex = NULL;
        o.term.kind = 0;
        if (object_to_rdf(p, item, g, &o, &lex) && ok && pok) {
          emit(p, &subj.term, &pr.term, &o.term, g);
        }
        free(lex);
        if (p->st) {
          break;
        }
      }
    }
  }
  --p->depth;
  if (ret) {
    if (ok) {
      *ret = subj;
      if (subj.term.kind == FDX_TERM_BLANK && subj.term.value == subj.label) {
        ret->term.value = ret->label;
      }
    } else {
      ret->term.kind = 0;
    }
  }
  return p->st;
}

/* Collect every "_:label" string of the document into p->labels. */
static void
collect_labels(Parser* const p, const json_t* const v, const int depth)
{
  if (depth > MAX_DEPTH + 8) {
    return;
  }
  if (json_is_string(v)) {
    const char* const s = json_string_value(v);
    if (is_bnode(s)) {
      json_object_set_new(p->labels, s + 2, json_true());
    }
  } else if (json_is_array(v)) {
    size_t  i;
    json_t* x;
    json_array_foreach(v, i, x)
    {
      collect_labels(p, x, depth + 1);
    }
  } else if (json_is_object(v)) {
    const char* k;
    json_t*     x;
    json_object_foreach((json_t*)v, k, x)
    {
      if (is_bnode(k)) {
        json_object_set_new(p->labels, k + 2, json_true());
      }
      collect_labels(p, x, depth + 1);
    }
  }
}

FdxStatus
fdx_jsonld_read(const char* const      bytes,
                const size_t           len,
                const char* const      base,
                const char* const      name,
                const FdxStatementFunc fn,
                void* const            ctx,
                FdxError* const        err)
{
  const char* const label = name ? name : "document";
  if (len > FDX_JSONLD_MAX_BYTES) {
    return fdx_error_set(err,
                         FDX_ERR_LIMIT,
                         label,
                         0,
                         0,
                         "JSON-LD document larger than %llu bytes",
                         (unsigned long long)FDX_JSONLD_MAX_BYTES);
  }
  json_error_t jerr;
  /* A UTF-8 byte order mark is not JSON, but editors write one. */
  if (len >= 3 && !memcmp(bytes, "\xEF\xBB\xBF", 3)) {
    return fdx_jsonld_read(bytes + 3, len - 3, base, name, fn, ctx, err);
  }
  /* Integers are exact, as long as they fit in 64 bits.  jansson cannot
   * read a bigger one, so a document that holds one is read again with
   * every number a double, as a JavaScript processor reads every number. */
  json_t* doc = json_loadb(bytes, len, JSON_DECODE_ANY, &jerr);
  if (!doc && strstr(jerr.text, "too big")) {
    doc =
      json_loadb(bytes, len, JSON_DECODE_ANY | JSON_DECODE_INT_AS_REAL, &jerr);
  }
  if (!doc) {
    return fdx_error_set(err,
                         FDX_ERR_SYNTAX,
                         label,
                         jerr.line > 0 ? jerr.line : 0,
                         jerr.column > 0 ? jerr.column : 0,
                         "%s",
                         jerr.text);
  }
  Parser* const p = (Parser*)calloc(1, sizeof(Parser));
  if (!p) {
    json_decref(doc);
    return FDX_ERR_NO_MEMORY;
  }
  p->name     = label;
  p->fn       = fn;
  p->fn_ctx   = ctx;
  p->err      = err;
  p->doc_base = base ? base : "file:///document";
  p->strs     = json_array();
  p->labels   = json_object();
  strcpy(p->path, "$");
  p->path_len         = 1;
  json_t*    expanded = NULL;
  Ctx* const root     = ctx_new(p, NULL);
  if (!p->strs || !p->labels || !root) {
    fail(p, FDX_ERR_NO_MEMORY, "out of memory");
    goto done;
  }
  root->base = p->doc_base;
  collect_labels(p, doc, 0);
  expanded = expand(p, root, NULL, doc, p->doc_base, false);
  if (p->st) {
    goto done;
  }
  if (json_is_object(expanded) && json_object_size(expanded) == 1 &&
      json_object_get(expanded, "@graph")) {
    json_t* const g = json_incref(json_object_get(expanded, "@graph"));
    json_decref(expanded);
    expanded = g;
  }
  expanded = as_array(expanded);
  size_t  i;
  json_t* node;
  json_array_foreach(expanded, i, node)
  {
    if (json_is_object(node) && !is_value_obj(node) && !is_list_obj(node) &&
        node_to_rdf(p, node, NULL, NULL)) {
      break;
    }
  }

done:
  json_decref(expanded);
  json_decref(doc);
  const FdxStatus st = p->st;
  for (Ctx* c = p->all; c;) {
    Ctx* const next = c->next_all;
    json_decref(c->terms);
    free(c);
    c = next;
  }
  json_decref(p->strs);
  json_decref(p->labels);
  json_decref(p->shipped[0]);
  json_decref(p->shipped[1]);
  free(p);
  return st;
}
