/*
 * folder.c: the project-folder source adapter.  A source is a directory;
 * it is walked (without following symbolic links) for the files research
 * projects describe their data with, each one record:
 *   ro-crate-metadata.json  an RO-Crate: its root data entity, a schema.org
 *                           Dataset read from JSON-LD (the RO-Crate context
 *                           read as schema.org's, which it extends), mapped
 *                           as schemaorg.c maps landing pages;
 *   datapackage.json        a Frictionless Data Package, mapped field by
 *                           field (the table in map_datapackage());
 *   *.datacite.xml,         a DataCite XML record (kernel 3 or 4), mapped as
 *   datacite.xml            the OAI-PMH adapter maps oai_datacite.
 * The record id is the file's path under the folder; the file's text is
 * kept as the source's record.  A file that cannot be read or parsed fails
 * alone and keeps what the store had of it; a folder that cannot be walked
 * fails the listing, and a failed listing deletes nothing.
 */
#include "harvest_impl.h"

#include <libxml/parser.h>
#include <libxml/tree.h>

#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#define MAX_DEPTH 16
#define MAX_ENTRIES 200000

#define RDF "http://www.w3.org/1999/02/22-rdf-syntax-ns#"
#define DCAT "http://www.w3.org/ns/dcat#"
#define DCT "http://purl.org/dc/terms/"
#define FOAF "http://xmlns.com/foaf/0.1/"
#define VCARD "http://www.w3.org/2006/vcard/ns#"
#define XSD "http://www.w3.org/2001/XMLSchema#"

typedef struct {
  HarvestRun* run;
  const char* root;
  size_t      entries;
  FdxStatus   st;
} Walk;

static char*
read_file(const char* const path, const uint64_t max, size_t* const ret_len,
          char* const why, const size_t why_size)
{
  FILE* const f = fopen(path, "rb");
  if (!f) {
    snprintf(why, why_size, "cannot open: %s", strerror(errno));
    return NULL;
  }
  struct stat sb;
  if (fstat(fileno(f), &sb) || (uint64_t)sb.st_size > max) {
    snprintf(why, why_size, "larger than max_document_bytes (%llu)",
             (unsigned long long)max);
    fclose(f);
    return NULL;
  }
  char* const text = (char*)malloc((size_t)sb.st_size + 1);
  const size_t n   = text ? fread(text, 1, (size_t)sb.st_size, f) : 0;
  const bool   bad = !text || ferror(f);
  fclose(f);
  if (bad) {
    snprintf(why, why_size, "cannot read: %s", text ? strerror(errno)
                                                    : "out of memory");
    free(text);
    return NULL;
  }
  text[n]  = '\0';
  *ret_len = n;
  return text;
}

/* file:// URL of `path` (absolute), for provenance. */
static char*
file_url(const char* const path)
{
  char* const abs = realpath(path, NULL);
  char*       url = NULL;
  if (abs && asprintf(&url, "file://%s", abs) < 0) {
    url = NULL;
  }
  free(abs);
  return url;
}

/* ------------------------------------------------------------------------
 * RO-Crate
 * --------------------------------------------------------------------- */

static bool
is_crate_context(const json_t* const v)
{
  const char* const s = json_string_value(v);
  return s && !strncmp(s, "https://w3id.org/ro/crate/", 26);
}

/* The crate's JSON with its RO-Crate context read as schema.org's. */
static char*
crate_as_schemaorg(const char* const text, const size_t len, char* const why,
                   const size_t why_size)
{
  json_error_t  jerr;
  json_t* const doc = json_loadb(text, len, 0, &jerr);
  if (!json_is_object(doc)) {
    snprintf(why, why_size, "not JSON: %s (line %d)", jerr.text, jerr.line);
    json_decref(doc);
    return NULL;
  }
  json_t* const ctx = json_object_get(doc, "@context");
  if (is_crate_context(ctx)) {
    json_object_set_new(doc, "@context", json_string("https://schema.org/"));
  } else if (json_is_array(ctx)) {
    size_t  i;
    json_t* v;
    json_array_foreach(ctx, i, v)
    {
      if (is_crate_context(v)) {
        json_array_set_new(ctx, i, json_string("https://schema.org/"));
      }
    }
  }
  char* const out = json_dumps(doc, JSON_COMPACT);
  json_decref(doc);
  return out;
}

static FdxStatus
read_crate(HarvestRun* const run, const char* const path,
           const char* const rel, const char* const text, const size_t len,
           FdxMemGraph** const ret, char** const ret_iri, char* const why,
           const size_t why_size)
{
  char* const json = crate_as_schemaorg(text, len, why, why_size);
  if (!json) {
    return FDX_ERR_SYNTAX;
  }
  FdxMemGraph* const g    = fdx_memgraph_new();
  char* const        base = file_url(path);
  FdxError           err;
  memset(&err, 0, sizeof(err));
  FdxStatus st = g && base ? fdx_memgraph_parse(g, json, strlen(json),
                                                FDX_FORMAT_JSONLD, base, rel,
                                                "rc", 1000000, &err)
                           : FDX_ERR_NO_MEMORY;
  free(json);
  if (st) {
    snprintf(why, why_size, "%s", err.message[0] ? err.message
                                                  : fdx_strerror(st));
    fdx_memgraph_free(g);
    free(base);
    return st;
  }
  /* The root data entity: what the metadata descriptor is about, else the
   * Dataset named "./". */
  size_t       root = SIZE_MAX;
  char*        desc = NULL;
  char*        dot  = NULL;
  /* The crate's folder: `base` up to its last '/' (counted, not pointer
   * arithmetic, which GCC's -Wdangling-pointer misreads here). */
  size_t dir_len = strlen(base);
  while (dir_len > 0 && base[dir_len - 1] != '/') {
    --dir_len;
  }
  dir_len -= dir_len > 0;
  if (asprintf(&desc, "%.*s/ro-crate-metadata.json", (int)dir_len, base) < 0) {
    desc = NULL;
  }
  if (asprintf(&dot, "%.*s/", (int)dir_len, base) < 0) {
    dot = NULL;
  }
  const size_t d     = desc ? fdx_memgraph_find_iri(g, desc) : SIZE_MAX;
  const size_t about = fdx_memgraph_find_iri(g, "http://schema.org/about");
  size_t                    n = 0;
  const FdxMemTriple* const t = fdx_memgraph_triples(g, &n);
  for (size_t i = 0; d != SIZE_MAX && about != SIZE_MAX && i < n; ++i) {
    if (t[i].s == d && t[i].p == about) {
      root = t[i].o;
    }
  }
  if (root == SIZE_MAX && dot) {
    root = fdx_memgraph_find_iri(g, dot);
  }
  free(desc);
  free(dot);
  free(base);
  if (root == SIZE_MAX || !schemaorg_typed(g, root, "Dataset")) {
    snprintf(why, why_size, "no root data entity (a Dataset the metadata "
                            "descriptor is about)");
    fdx_memgraph_free(g);
    return FDX_ERR_SYNTAX;
  }
  /* Its IRI: an absolute @id that is not a file, else its identifier when
   * that is a DOI or URL, else minted. */
  size_t                  n_terms = 0;
  const FdxMemTerm* const terms   = fdx_memgraph_terms(g, &n_terms);
  char*                   iri     = NULL;
  if (terms[root].kind == FDX_TERM_IRI &&
      strncmp(terms[root].value, "file:", 5)) {
    iri = strdup(terms[root].value);
  }
  const size_t ident = fdx_memgraph_find_iri(g, "http://schema.org/identifier");
  for (size_t i = 0; !iri && ident != SIZE_MAX && i < n; ++i) {
    if (t[i].s != root || t[i].p != ident) {
      continue;
    }
    const char* const v = terms[t[i].o].value;
    if (!strncmp(v, "https://doi.org/", 16) || !strncmp(v, "http://", 7) ||
        !strncmp(v, "https://", 8)) {
      iri = strdup(v);
    } else if (!strncmp(v, "10.", 3) && strchr(v, '/')) {
      if (asprintf(&iri, "https://doi.org/%s", v) < 0) {
        iri = NULL;
      }
    }
  }
  if (!iri) {
    iri = run_mint_dataset(run, rel, strlen(rel));
  }
  FdxMemGraph* const out = fdx_memgraph_new();
  if (!iri || !out) {
    free(iri);
    fdx_memgraph_free(out);
    fdx_memgraph_free(g);
    return FDX_ERR_NO_MEMORY;
  }
  const FdxTerm ds = fdx_term_iri(iri);
  st               = schemaorg_map_dataset(g, root, &ds, out, "rc");
  fdx_memgraph_free(g);
  if (st) {
    fdx_memgraph_free(out);
    free(iri);
    return st;
  }
  *ret     = out;
  *ret_iri = iri;
  return FDX_SUCCESS;
}

/* ------------------------------------------------------------------------
 * Frictionless Data Package
 * --------------------------------------------------------------------- */

typedef struct {
  FdxMemGraph* g;
  FdxTerm      ds;
  unsigned     blanks;
  char         labels[8][24];
  FdxStatus    st;
} Pkg;

static void
pkg_add(Pkg* const p, const FdxTerm* const s, const char* const pred,
        const FdxTerm* const o)
{
  if (!p->st) {
    const FdxTerm pt = fdx_term_iri(pred);
    p->st            = fdx_memgraph_add(p->g, s, &pt, o);
  }
}

static void
pkg_text(Pkg* const p, const FdxTerm* const s, const char* const pred,
         const json_t* const v, const char* const datatype)
{
  const char* const text = json_string_value(v);
  if (text && *text) {
    const FdxTerm o = fdx_term_literal(text, NULL, datatype);
    pkg_add(p, s, pred, &o);
  }
}

static void
pkg_iri(Pkg* const p, const FdxTerm* const s, const char* const pred,
        const json_t* const v)
{
  const char* const text = json_string_value(v);
  if (text && (!strncmp(text, "http://", 7) || !strncmp(text, "https://", 8))) {
    const FdxTerm o = fdx_term_iri(text);
    pkg_add(p, s, pred, &o);
  }
}

static FdxTerm
pkg_blank(Pkg* const p)
{
  char* const label = p->labels[p->blanks % 8];
  const int   n     = snprintf(label, sizeof(p->labels[0]), "dp%u", p->blanks);
  ++p->blanks;
  return (FdxTerm){FDX_TERM_BLANK, label, (size_t)n, NULL, 0, NULL, 0};
}

/* A date as xsd:date / xsd:dateTime when shaped so. */
static const char*
date_type(const char* const s)
{
  const size_t n = s ? strlen(s) : 0;
  if (n >= 10 && s[4] == '-' && s[7] == '-') {
    return n == 10 ? XSD "date" : s[10] == 'T' ? XSD "dateTime" : NULL;
  }
  return NULL;
}

/* The Data Package `pkg` as dcat:Dataset p->ds:
 *   title -> dct:title          description -> dct:description
 *   keywords[] -> dcat:keyword  homepage -> dcat:landingPage
 *   version -> dcat:version     created -> dct:issued
 *   id -> dct:identifier        name -> dct:identifier (when no id)
 *   licenses[].path -> dct:license (else name/title -> dct:rights)
 *   contributors[] -> dct:creator (role author or none), dct:publisher
 *     (publisher), dct:contributor (others), as foaf:Agent with foaf:name
 *     (title) and foaf:mbox (email); maintainer -> dcat:contactPoint
 *   sources[].path -> dct:source
 *   resources[] -> dcat:Distribution: path (a URL) -> dcat:downloadURL,
 *     title/name -> dct:title, description, format -> dct:format,
 *     mediatype -> dcat:mediaType (IANA IRI), bytes -> dcat:byteSize,
 *     licenses -> dct:license */
static void
map_datapackage(Pkg* const p, const json_t* const pkg)
{
  const FdxTerm* const ds  = &p->ds;
  const FdxTerm        cls = fdx_term_iri(DCAT "Dataset");
  pkg_add(p, ds, RDF "type", &cls);
  pkg_text(p, ds, DCT "title", json_object_get(pkg, "title"), NULL);
  pkg_text(p, ds, DCT "description", json_object_get(pkg, "description"),
           NULL);
  pkg_iri(p, ds, DCAT "landingPage", json_object_get(pkg, "homepage"));
  pkg_text(p, ds, DCAT "version", json_object_get(pkg, "version"), NULL);
  const char* const created = json_string_value(json_object_get(pkg, "created"));
  pkg_text(p, ds, DCT "issued", json_object_get(pkg, "created"),
           date_type(created));
  pkg_text(p, ds, DCT "identifier",
           json_object_get(pkg, json_object_get(pkg, "id") ? "id" : "name"),
           NULL);
  size_t        i;
  const json_t* v;
  json_array_foreach(json_object_get(pkg, "keywords"), i, v)
  {
    pkg_text(p, ds, DCAT "keyword", v, NULL);
  }
  json_array_foreach(json_object_get(pkg, "licenses"), i, v)
  {
    const char* const lp = json_string_value(json_object_get(v, "path"));
    if (lp && (!strncmp(lp, "http://", 7) || !strncmp(lp, "https://", 8))) {
      pkg_iri(p, ds, DCT "license", json_object_get(v, "path"));
    } else {
      pkg_text(p, ds, DCT "rights",
               json_object_get(v, json_object_get(v, "title") ? "title"
                                                              : "name"),
               NULL);
    }
  }
  json_array_foreach(json_object_get(pkg, "contributors"), i, v)
  {
    const char* const role = json_string_value(json_object_get(v, "role"));
    const bool        contact = role && !strcmp(role, "maintainer");
    const char* const pred =
      !role || !strcmp(role, "author") || !strcmp(role, "creator")
        ? DCT "creator"
      : !strcmp(role, "publisher") ? DCT "publisher"
      : contact                    ? DCAT "contactPoint"
                                   : DCT "contributor";
    const FdxTerm agent = pkg_blank(p);
    pkg_add(p, ds, pred, &agent);
    const FdxTerm type = fdx_term_iri(contact ? VCARD "Kind" : FOAF "Agent");
    pkg_add(p, &agent, RDF "type", &type);
    pkg_text(p, &agent, contact ? VCARD "fn" : FOAF "name",
             json_object_get(v, "title"), NULL);
    const char* const mail = json_string_value(json_object_get(v, "email"));
    if (mail && *mail) {
      char* mailto = NULL;
      if (asprintf(&mailto, "mailto:%s", mail) >= 0) {
        const FdxTerm m = fdx_term_iri(mailto);
        pkg_add(p, &agent, contact ? VCARD "hasEmail" : FOAF "mbox", &m);
        free(mailto);
      }
    }
    pkg_iri(p, &agent, FOAF "homepage", json_object_get(v, "path"));
  }
  json_array_foreach(json_object_get(pkg, "sources"), i, v)
  {
    pkg_iri(p, ds, DCT "source", json_object_get(v, "path"));
  }
  json_array_foreach(json_object_get(pkg, "resources"), i, v)
  {
    const FdxTerm dist = pkg_blank(p);
    const FdxTerm dcls = fdx_term_iri(DCAT "Distribution");
    pkg_add(p, ds, DCAT "distribution", &dist);
    pkg_add(p, &dist, RDF "type", &dcls);
    pkg_text(p, &dist, DCT "title",
             json_object_get(v, json_object_get(v, "title") ? "title"
                                                            : "name"),
             NULL);
    pkg_text(p, &dist, DCT "description", json_object_get(v, "description"),
             NULL);
    const json_t* const path = json_object_get(v, "path");
    if (json_is_string(path)) {
      pkg_iri(p, &dist, DCAT "downloadURL", path);
      if (strncmp(json_string_value(path), "http", 4)) {
        /* A file of the package itself: its name, as the title says. */
        pkg_text(p, &dist, DCT "identifier", path, NULL);
      }
    }
    pkg_text(p, &dist, DCT "format", json_object_get(v, "format"), NULL);
    const char* const media = json_string_value(json_object_get(v, "mediatype"));
    if (media && strchr(media, '/') && !strchr(media, ' ')) {
      char* iri = NULL;
      if (asprintf(&iri, "https://www.iana.org/assignments/media-types/%s",
                   media) >= 0) {
        const FdxTerm m = fdx_term_iri(iri);
        pkg_add(p, &dist, DCAT "mediaType", &m);
        free(iri);
      }
    }
    const json_t* const bytes = json_object_get(v, "bytes");
    if (json_is_integer(bytes) && json_integer_value(bytes) >= 0) {
      char n[32];
      snprintf(n, sizeof(n), "%lld", (long long)json_integer_value(bytes));
      const FdxTerm b = fdx_term_literal(n, NULL, XSD "nonNegativeInteger");
      pkg_add(p, &dist, DCAT "byteSize", &b);
    }
  }
}

static FdxStatus
read_datapackage(HarvestRun* const run, const char* const rel,
                 const char* const text, const size_t len,
                 FdxMemGraph** const ret, char** const ret_iri,
                 char* const why, const size_t why_size)
{
  json_error_t  jerr;
  json_t* const pkg = json_loadb(text, len, 0, &jerr);
  if (!json_is_object(pkg)) {
    snprintf(why, why_size, "not a JSON object: %s (line %d)", jerr.text,
             jerr.line);
    json_decref(pkg);
    return FDX_ERR_SYNTAX;
  }
  /* The dataset's IRI: an id that is a URL or DOI, else minted. */
  const char* const id = json_string_value(json_object_get(pkg, "id"));
  char*             iri = NULL;
  if (id && (!strncmp(id, "http://", 7) || !strncmp(id, "https://", 8))) {
    iri = strdup(id);
  } else if (id && !strncmp(id, "10.", 3) && strchr(id, '/')) {
    if (asprintf(&iri, "https://doi.org/%s", id) < 0) {
      iri = NULL;
    }
  } else {
    iri = run_mint_dataset(run, rel, strlen(rel));
  }
  Pkg p;
  memset(&p, 0, sizeof(p));
  p.g  = fdx_memgraph_new();
  p.st = p.g && iri ? FDX_SUCCESS : FDX_ERR_NO_MEMORY;
  p.ds = fdx_term_iri(iri ? iri : "");
  if (!p.st) {
    map_datapackage(&p, pkg);
  }
  json_decref(pkg);
  if (p.st) {
    fdx_memgraph_free(p.g);
    free(iri);
    return p.st;
  }
  *ret     = p.g;
  *ret_iri = iri;
  return FDX_SUCCESS;
}

/* ------------------------------------------------------------------------
 * DataCite XML
 * --------------------------------------------------------------------- */

static FdxStatus
read_datacite(HarvestRun* const run, const char* const rel,
              const char* const text, const size_t len,
              FdxMemGraph** const ret, char** const ret_iri, char* const why,
              const size_t why_size)
{
  xmlDoc* const doc = xmlReadMemory(
    text, (int)len, NULL, NULL,
    XML_PARSE_NONET | XML_PARSE_NOERROR | XML_PARSE_NOWARNING |
      XML_PARSE_NOCDATA);
  const xmlNode* const root = doc ? xmlDocGetRootElement(doc) : NULL;
  if (!root || strcmp((const char*)root->name, "resource") ||
      (doc->intSubset && doc->intSubset->entities)) {
    snprintf(why, why_size, "%s",
             !root ? "not well-formed XML"
                   : "not a DataCite <resource> (or it declares entities)");
    xmlFreeDoc(doc);
    return FDX_ERR_SYNTAX;
  }
  char* const     fallback = run_mint_dataset(run, rel, strlen(rel));
  const FdxStatus st =
    fallback ? datacite_map_resource(root, fallback, ret, ret_iri)
             : FDX_ERR_NO_MEMORY;
  free(fallback);
  xmlFreeDoc(doc);
  return st;
}

/* ------------------------------------------------------------------------
 * The walk
 * --------------------------------------------------------------------- */

typedef enum { KIND_NONE, KIND_CRATE, KIND_PACKAGE, KIND_DATACITE } Kind;

static Kind
kind_of(const char* const name)
{
  const size_t n = strlen(name);
  if (!strcmp(name, "ro-crate-metadata.json")) {
    return KIND_CRATE;
  }
  if (!strcmp(name, "datapackage.json")) {
    return KIND_PACKAGE;
  }
  if (!strcmp(name, "datacite.xml") ||
      (n > 13 && !strcmp(name + n - 13, ".datacite.xml"))) {
    return KIND_DATACITE;
  }
  return KIND_NONE;
}

static void
harvest_file(Walk* const w, const char* const path, const char* const rel,
             const Kind kind)
{
  HarvestRun* const run = w->run;
  char              why[600] = "";
  size_t            len      = 0;
  char* const text = read_file(path, run_source(run)->max_document_bytes, &len,
                               why, sizeof(why));
  if (!text) {
    run_record_error(run, rel, "%s", why);
    run_record_keep(run, rel);
    return;
  }
  FdxMemGraph* g   = NULL;
  char*        iri = NULL;
  FdxStatus    st  = kind == KIND_CRATE
                       ? read_crate(run, path, rel, text, len, &g, &iri, why,
                                    sizeof(why))
                     : kind == KIND_PACKAGE
                       ? read_datapackage(run, rel, text, len, &g, &iri, why,
                                          sizeof(why))
                       : read_datacite(run, rel, text, len, &g, &iri, why,
                                       sizeof(why));
  if (st == FDX_ERR_NO_MEMORY) {
    w->st = st;
  } else if (st) {
    run_record_error(run, rel, "%s", why[0] ? why : fdx_strerror(st));
    run_record_keep(run, rel);
  } else {
    char* const   url    = file_url(path);
    HarvestRecord record = {rel, iri, url ? url : "file:///", g, text,
                            kind == KIND_DATACITE ? "application/xml"
                                                  : "application/json"};
    g     = NULL;
    w->st = run_record(run, &record);
    free(url);
  }
  fdx_memgraph_free(g);
  free(iri);
  free(text);
}

static int
cmp_name(const void* const a, const void* const b)
{
  return strcmp(*(char* const*)a, *(char* const*)b);
}

/* Walk `dir` (relative path `rel`, "" at the top), files before folders,
 * both by name, so runs list records in the same order. */
static void
walk(Walk* const w, const char* const dir, const char* const rel,
     const unsigned depth)
{
  DIR* const d = opendir(dir);
  if (!d) {
    run_fail(w->run, "%s: cannot read the folder: %s", dir, strerror(errno));
    w->st = FDX_ERR_IO;
    return;
  }
  char**         names = NULL;
  size_t         n = 0, cap = 0;
  struct dirent* e;
  while ((e = readdir(d))) {
    if (e->d_name[0] == '.') {
      continue; /* ., .., hidden files and folders (.git) */
    }
    if (++w->entries > MAX_ENTRIES) {
      run_fail(w->run, "more than %d entries under %s", MAX_ENTRIES, w->root);
      w->st = FDX_ERR_LIMIT;
      break;
    }
    if (n == cap) {
      cap = cap ? cap * 2 : 32;
      char** const grown = (char**)realloc(names, cap * sizeof(char*));
      if (!grown) {
        w->st = FDX_ERR_NO_MEMORY;
        break;
      }
      names = grown;
    }
    if (!(names[n] = strdup(e->d_name))) {
      w->st = FDX_ERR_NO_MEMORY;
      break;
    }
    ++n;
  }
  closedir(d);
  if (n) {
    qsort(names, n, sizeof(char*), cmp_name);
  }
  for (int pass = 0; pass < 2; ++pass) {
    for (size_t i = 0; i < n && !w->st; ++i) {
      if (run_cancelled(w->run)) {
        run_fail(w->run, "cancelled");
        w->st = FDX_ERR_UNKNOWN;
        break;
      }
      char* path = NULL;
      char* sub  = NULL;
      if (asprintf(&path, "%s/%s", dir, names[i]) < 0 ||
          asprintf(&sub, "%s%s%s", rel, *rel ? "/" : "", names[i]) < 0) {
        w->st = FDX_ERR_NO_MEMORY;
        break;
      }
      struct stat sb;
      if (lstat(path, &sb)) {
        run_record_error(w->run, sub, "cannot stat: %s", strerror(errno));
      } else if (pass == 0 && S_ISREG(sb.st_mode) &&
                 kind_of(names[i]) != KIND_NONE) {
        harvest_file(w, path, sub, kind_of(names[i]));
      } else if (pass == 1 && S_ISDIR(sb.st_mode)) {
        if (depth >= MAX_DEPTH) {
          run_record_error(w->run, sub, "deeper than %d folders: not read",
                           MAX_DEPTH);
        } else {
          walk(w, path, sub, depth + 1);
        }
      }
      free(path);
      free(sub);
    }
  }
  for (size_t i = 0; i < n; ++i) {
    free(names[i]);
  }
  free(names);
}

FdxStatus
adapter_folder(HarvestRun* const run)
{
  const char* const root = run_source(run)->path;
  struct stat       sb;
  if (stat(root, &sb) || !S_ISDIR(sb.st_mode)) {
    run_fail(run, "%s is not a folder", root);
    return FDX_ERR_IO;
  }
  Walk w = {run, root, 0, FDX_SUCCESS};
  walk(&w, root, "", 0);
  return w.st;
}
