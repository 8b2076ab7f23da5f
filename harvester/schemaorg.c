/*
 * schemaorg.c: the schema.org source adapter.  A source is a sitemap (or
 * a sitemap index, followed with a visited set; gzip-compressed sitemaps
 * too) listing landing pages; each page's embedded
 * <script type="application/ld+json"> blocks are read as JSON-LD, and each
 * schema.org Dataset in them is one record, mapped to DCAT-AP (the table in
 * map_dataset() says what becomes what) with the JSON-LD kept as the
 * source's own record.  A source URL that is an HTML page rather than a
 * sitemap is that one page.
 *
 * XML and HTML through libxml2 with the network off and no entity
 * expansion; the sitemap protocol's elements are matched by local name.
 * Both http://schema.org/ and https://schema.org/ are read.
 */
#include "harvest_impl.h"

#include <libxml/HTMLparser.h>
#include <libxml/parser.h>
#include <libxml/tree.h>
#include <zlib.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define ACCEPT_SITEMAP "application/xml, text/xml;q=0.9, text/html;q=0.5"
#define ACCEPT_PAGE "text/html, application/xhtml+xml;q=0.9"
#define MAX_SITEMAP_URLS 50000
#define MAX_INFLATED ((size_t)64 << 20)

#define RDF "http://www.w3.org/1999/02/22-rdf-syntax-ns#"
#define DCAT "http://www.w3.org/ns/dcat#"
#define DCT "http://purl.org/dc/terms/"
#define FOAF "http://xmlns.com/foaf/0.1/"
#define XSD "http://www.w3.org/2001/XMLSchema#"

/* ------------------------------------------------------------------------
 * Sitemaps
 * --------------------------------------------------------------------- */

/* A gzip body (a .xml.gz sitemap served as is) inflated; NULL if it is not
 * gzip or does not inflate within the cap. */
static char*
gunzip(const char* const body, const size_t len, size_t* const ret_len)
{
  if (len < 2 || (unsigned char)body[0] != 0x1f ||
      (unsigned char)body[1] != 0x8b) {
    return NULL;
  }
  z_stream z;
  memset(&z, 0, sizeof(z));
  if (inflateInit2(&z, 16 + MAX_WBITS) != Z_OK) {
    return NULL;
  }
  size_t cap = len * 4 + 4096, n = 0;
  char*  out = (char*)malloc(cap + 1);
  z.next_in  = (Bytef*)body;
  z.avail_in = (uInt)len;
  int rc     = Z_OK;
  while (out && rc == Z_OK) {
    if (n == cap) {
      if (cap >= MAX_INFLATED) {
        break;
      }
      cap *= 2;
      char* const grown = (char*)realloc(out, cap + 1);
      if (!grown) {
        free(out);
        out = NULL;
        break;
      }
      out = grown;
    }
    z.next_out  = (Bytef*)out + n;
    z.avail_out = (uInt)(cap - n);
    rc          = inflate(&z, Z_NO_FLUSH);
    n           = cap - z.avail_out;
  }
  inflateEnd(&z);
  if (!out || rc != Z_STREAM_END) {
    free(out);
    return NULL;
  }
  out[n]   = '\0';
  *ret_len = n;
  return out;
}

static bool
named(const xmlNode* const node, const char* const name)
{
  return node->type == XML_ELEMENT_NODE &&
         !strcmp((const char*)node->name, name);
}

/* The <loc>s of a sitemap: child sitemaps into `sitemaps`, pages into
 * `pages`.  False when the document is not a sitemap (an HTML page). */
static bool
read_sitemap(const char* const body, const size_t len, json_t* const sitemaps,
             json_t* const pages, char* const why, const size_t why_size)
{
  xmlDoc* const doc = xmlReadMemory(
    body, (int)len, NULL, NULL,
    XML_PARSE_NONET | XML_PARSE_NOERROR | XML_PARSE_NOWARNING |
      XML_PARSE_NOCDATA | XML_PARSE_COMPACT);
  const xmlNode* const root = doc ? xmlDocGetRootElement(doc) : NULL;
  if (!root || (!named(root, "urlset") && !named(root, "sitemapindex"))) {
    snprintf(why, why_size, "not a sitemap (%s)",
             root ? (const char*)root->name : "not XML");
    xmlFreeDoc(doc);
    return false;
  }
  const bool index = named(root, "sitemapindex");
  for (const xmlNode* e = root->children; e; e = e->next) {
    if (!named(e, index ? "sitemap" : "url")) {
      continue;
    }
    for (const xmlNode* c = e->children; c; c = c->next) {
      if (!named(c, "loc")) {
        continue;
      }
      xmlChar* const text = xmlNodeGetContent(c);
      const char*    loc  = (const char*)text;
      while (loc && (*loc == ' ' || *loc == '\n' || *loc == '\t' ||
                     *loc == '\r')) {
        ++loc;
      }
      if (loc && (!strncmp(loc, "http://", 7) || !strncmp(loc, "https://", 8))) {
        char*  copy = strdup(loc);
        size_t n    = copy ? strlen(copy) : 0;
        while (n && (copy[n - 1] == ' ' || copy[n - 1] == '\n' ||
                     copy[n - 1] == '\t' || copy[n - 1] == '\r')) {
          copy[--n] = '\0';
        }
        json_t* const list = index ? sitemaps : pages;
        if (copy && json_array_size(list) < MAX_SITEMAP_URLS) {
          json_array_append_new(list, json_string(copy));
        }
        free(copy);
      }
      xmlFree(text);
    }
  }
  xmlFreeDoc(doc);
  return true;
}

/* ------------------------------------------------------------------------
 * schema.org to DCAT
 * --------------------------------------------------------------------- */

typedef struct {
  const FdxMemGraph* g;
  FdxMemGraph*       out;
  size_t             n_terms;
  size_t             first, rest, nil; /* rdf list terms, SIZE_MAX: absent */
  unsigned           blank; /* blank nodes made for the record */
  const char*        prefix; /* their label prefix */
} Mapper;

/* The schema.org property `name` of `node`: its objects (either
 * namespace), in document order, into `out` (at most `max`). */
static size_t
objects(const Mapper* const m, const size_t node, const char* const name,
        size_t* const out, const size_t max)
{
  char http[128], https[128];
  snprintf(http, sizeof(http), "http://schema.org/%s", name);
  snprintf(https, sizeof(https), "https://schema.org/%s", name);
  const size_t p1 = fdx_memgraph_find_iri(m->g, http);
  const size_t p2 = fdx_memgraph_find_iri(m->g, https);
  size_t                    n = 0, n_t = 0;
  const FdxMemTriple* const t = fdx_memgraph_triples(m->g, &n_t);
  for (size_t i = 0; i < n_t && n < max; ++i) {
    if (t[i].s != node || (t[i].p != p1 && t[i].p != p2) ||
        (p1 == SIZE_MAX && p2 == SIZE_MAX)) {
      continue;
    }
    /* An rdf:List (JSON-LD @list): its members, in order. */
    size_t o = t[i].o;
    bool   listed = false;
    for (size_t guard = 0; guard < 10000 && o != m->nil; ++guard) {
      size_t first = SIZE_MAX, rest = SIZE_MAX;
      for (size_t k = 0; k < n_t; ++k) {
        if (t[k].s == o && t[k].p == m->first) {
          first = t[k].o;
        } else if (t[k].s == o && t[k].p == m->rest) {
          rest = t[k].o;
        }
      }
      if (first == SIZE_MAX) {
        break;
      }
      listed = true;
      if (n < max) {
        out[n++] = first;
      }
      if (rest == SIZE_MAX) {
        break;
      }
      o = rest;
    }
    if (!listed && n < max) {
      out[n++] = t[i].o;
    }
  }
  return n;
}

static FdxTerm
view(const Mapper* const m, const size_t i)
{
  return fdx_memgraph_view(m->g, i);
}

/* True if `node` has rdf:type schema:`type`. */
static bool
typed(const Mapper* const m, const size_t node, const char* const type)
{
  char http[128], https[128];
  snprintf(http, sizeof(http), "http://schema.org/%s", type);
  snprintf(https, sizeof(https), "https://schema.org/%s", type);
  const size_t rdf_type = fdx_memgraph_find_iri(m->g, RDF "type");
  const size_t c1       = fdx_memgraph_find_iri(m->g, http);
  const size_t c2       = fdx_memgraph_find_iri(m->g, https);
  size_t                    n = 0;
  const FdxMemTriple* const t = fdx_memgraph_triples(m->g, &n);
  for (size_t i = 0; rdf_type != SIZE_MAX && i < n; ++i) {
    if (t[i].s == node && t[i].p == rdf_type &&
        ((c1 != SIZE_MAX && t[i].o == c1) || (c2 != SIZE_MAX && t[i].o == c2))) {
      return true;
    }
  }
  return false;
}

static bool
is_http(const FdxTerm* const t)
{
  return t->value_len > 7 && (!strncmp(t->value, "http://", 7) ||
                              !strncmp(t->value, "https://", 8));
}

static FdxStatus
add(Mapper* const m, const FdxTerm* const s, const char* const p,
    const FdxTerm* const o)
{
  const FdxTerm pt = fdx_term_iri(p);
  return fdx_memgraph_add(m->out, s, &pt, o);
}

/* A new blank node of the record. */
static FdxTerm
fresh(Mapper* const m, char* const buf, const size_t size)
{
  const int n = snprintf(buf, size, "%sm%u", m->prefix, m->blank++);
  return (FdxTerm){FDX_TERM_BLANK, buf, (size_t)n, NULL, 0, NULL, 0};
}

/* A literal's text as an IRI when it is an http(s) URL, else itself. */
static FdxTerm
as_iri(const FdxTerm t)
{
  FdxTerm r = t;
  if (t.kind == FDX_TERM_LITERAL && is_http(&t) &&
      !memchr(t.value, ' ', t.value_len)) {
    r = (FdxTerm){FDX_TERM_IRI, t.value, t.value_len, NULL, 0, NULL, 0};
  }
  return r;
}

/* A plain copy of a literal (rdf:HTML and the like become plain text). */
static FdxTerm
plain(const FdxTerm t)
{
  FdxTerm r = t;
  if (r.datatype && (strstr(r.datatype, "#HTML") || strstr(r.datatype,
                                                           "schema.org"))) {
    r.datatype     = NULL;
    r.datatype_len = 0;
  }
  return r;
}

/* A date literal typed xsd:date or xsd:dateTime when it looks like one. */
static FdxTerm
dated(const FdxTerm t)
{
  FdxTerm r = plain(t);
  if (r.kind != FDX_TERM_LITERAL || r.lang) {
    return r;
  }
  const char* const v = r.value;
  const bool        date = r.value_len >= 10 && v[4] == '-' && v[7] == '-';
  if (date && r.value_len == 10) {
    r.datatype = XSD "date";
  } else if (date && r.value_len > 10 && v[10] == 'T') {
    r.datatype = XSD "dateTime";
  } else if (r.value_len == 4 && v[0] >= '0' && v[0] <= '9') {
    r.datatype = XSD "gYear";
  } else {
    return r;
  }
  r.datatype_len = strlen(r.datatype);
  return r;
}

/* The name of a node (schema:name), or NULL. */
static bool
name_of(const Mapper* const m, const size_t node, FdxTerm* const ret)
{
  size_t o;
  if (objects(m, node, "name", &o, 1) &&
      view(m, o).kind == FDX_TERM_LITERAL) {
    *ret = plain(view(m, o));
    return true;
  }
  return false;
}

/* An agent (creator, publisher): its IRI, or a blank node, with foaf:name
 * and a foaf:Person/Organization type. */
static FdxStatus
map_agent(Mapper* const m, const FdxTerm* const d, const char* const pred,
          const size_t node)
{
  const FdxTerm t = view(m, node);
  char          buf[64];
  FdxTerm       agent;
  FdxStatus     st;
  if (t.kind == FDX_TERM_LITERAL) {
    agent = fresh(m, buf, sizeof(buf));
    if ((st = add(m, d, pred, &agent))) {
      return st;
    }
    const FdxTerm cls = fdx_term_iri(FOAF "Agent");
    const FdxTerm nm  = plain(t);
    return (st = add(m, &agent, RDF "type", &cls)) ? st
                                                   : add(m, &agent, FOAF "name",
                                                         &nm);
  }
  agent = t.kind == FDX_TERM_IRI ? t : fresh(m, buf, sizeof(buf));
  if ((st = add(m, d, pred, &agent))) {
    return st;
  }
  const FdxTerm cls = fdx_term_iri(typed(m, node, "Person") ? FOAF "Person"
                                   : typed(m, node, "Organization")
                                     ? FOAF "Organization"
                                     : FOAF "Agent");
  FdxTerm nm;
  if (!(st = add(m, &agent, RDF "type", &cls)) && name_of(m, node, &nm)) {
    st = add(m, &agent, FOAF "name", &nm);
  }
  return st;
}

/* schema:Dataset `node` as dcat:Dataset `d` (see the table below). */
static FdxStatus
map_dataset(Mapper* const m, const size_t node, const FdxTerm* const d)
{
  size_t        o[256];
  size_t        n;
  FdxStatus     st  = FDX_SUCCESS;
  const FdxTerm cls = fdx_term_iri(DCAT "Dataset");
  st                = add(m, d, RDF "type", &cls);
  /* Literal properties: schema.org name -> DCAT property. */
  static const struct {
    const char* name;
    const char* pred;
    int         kind; /* 0 text, 1 date, 2 IRI if http else text */
  } simple[] = {
    {"name", DCT "title", 0},
    {"alternateName", DCT "alternative", 0},
    {"description", DCT "description", 0},
    {"datePublished", DCT "issued", 1},
    {"dateModified", DCT "modified", 1},
    {"dateCreated", DCT "created", 1},
    {"temporalCoverage", DCT "temporal", 0},
    {"inLanguage", DCT "language", 0},
    {"version", DCAT "version", 0},
    {"url", DCAT "landingPage", 2},
    {"sameAs", "http://www.w3.org/2002/07/owl#sameAs", 2},
    {"citation", DCT "bibliographicCitation", 0},
    {"conditionsOfAccess", DCT "accessRights", 0},
  };
  for (size_t k = 0; k < sizeof(simple) / sizeof(*simple) && !st; ++k) {
    n = objects(m, node, simple[k].name, o, 256);
    for (size_t i = 0; i < n && !st; ++i) {
      const FdxTerm t = view(m, o[i]);
      if (simple[k].kind == 2) {
        const FdxTerm v = as_iri(t);
        if (v.kind == FDX_TERM_IRI) {
          st = add(m, d, simple[k].pred, &v);
        }
      } else if (t.kind == FDX_TERM_LITERAL) {
        const FdxTerm v = simple[k].kind == 1 ? dated(t) : plain(t);
        st              = add(m, d, simple[k].pred, &v);
      }
    }
  }
  /* keywords: text (comma-separated in one string, too) or DefinedTerms. */
  n = objects(m, node, "keywords", o, 256);
  for (size_t i = 0; i < n && !st; ++i) {
    FdxTerm t = view(m, o[i]);
    if (t.kind != FDX_TERM_LITERAL && !name_of(m, o[i], &t)) {
      continue;
    }
    const char* p   = t.value;
    const char* end = t.value + t.value_len;
    while (p < end && !st) {
      const char* comma = memchr(p, ',', (size_t)(end - p));
      const char* stop  = comma ? comma : end;
      while (p < stop && *p == ' ') {
        ++p;
      }
      const char* last = stop;
      while (last > p && last[-1] == ' ') {
        --last;
      }
      if (last > p) {
        FdxTerm kw     = plain(t);
        kw.value       = p;
        kw.value_len   = (size_t)(last - p);
        st             = add(m, d, DCAT "keyword", &kw);
      }
      p = comma ? comma + 1 : end;
    }
  }
  /* identifier: text, or a PropertyValue's value. */
  n = objects(m, node, "identifier", o, 256);
  for (size_t i = 0; i < n && !st; ++i) {
    FdxTerm t = view(m, o[i]);
    size_t  v;
    if (t.kind != FDX_TERM_LITERAL) {
      if (!objects(m, o[i], "value", &v, 1)) {
        continue;
      }
      t = view(m, v);
    }
    if (t.kind == FDX_TERM_LITERAL) {
      const FdxTerm id = plain(t);
      st               = add(m, d, DCT "identifier", &id);
    }
  }
  /* license: an IRI, a URL text, or a CreativeWork with a url. */
  n = objects(m, node, "license", o, 256);
  for (size_t i = 0; i < n && !st; ++i) {
    FdxTerm t = as_iri(view(m, o[i]));
    size_t  u;
    if (t.kind == FDX_TERM_BLANK && objects(m, o[i], "url", &u, 1)) {
      t = as_iri(view(m, u));
    }
    if (t.kind == FDX_TERM_IRI) {
      st = add(m, d, DCT "license", &t);
    } else if (t.kind == FDX_TERM_LITERAL) {
      st = add(m, d, DCT "rights", &t);
    }
  }
  /* creator, publisher, contributor. */
  static const struct {
    const char* name;
    const char* pred;
  } agents[] = {{"creator", DCT "creator"},
                {"author", DCT "creator"},
                {"publisher", DCT "publisher"},
                {"contributor", DCT "contributor"}};
  for (size_t k = 0; k < sizeof(agents) / sizeof(*agents) && !st; ++k) {
    n = objects(m, node, agents[k].name, o, 256);
    for (size_t i = 0; i < n && !st; ++i) {
      st = map_agent(m, d, agents[k].pred, o[i]);
    }
  }
  /* spatialCoverage: a Place's name (or text) as a dct:Location. */
  n = objects(m, node, "spatialCoverage", o, 256);
  for (size_t i = 0; i < n && !st; ++i) {
    FdxTerm label;
    const FdxTerm t = view(m, o[i]);
    if (t.kind == FDX_TERM_LITERAL) {
      label = plain(t);
    } else if (!name_of(m, o[i], &label)) {
      continue;
    }
    char          buf[64];
    const FdxTerm loc     = fresh(m, buf, sizeof(buf));
    const FdxTerm loc_cls = fdx_term_iri(DCT "Location");
    if (!(st = add(m, d, DCT "spatial", &loc)) &&
        !(st = add(m, &loc, RDF "type", &loc_cls))) {
      st = add(m, &loc, "http://www.w3.org/2000/01/rdf-schema#label", &label);
    }
  }
  /* distribution: each DataDownload a dcat:Distribution. */
  n = objects(m, node, "distribution", o, 256);
  for (size_t i = 0; i < n && !st; ++i) {
    char          buf[64];
    const FdxTerm src  = view(m, o[i]);
    const FdxTerm dist = src.kind == FDX_TERM_IRI ? src
                                                  : fresh(m, buf, sizeof(buf));
    const FdxTerm dist_cls = fdx_term_iri(DCAT "Distribution");
    if ((st = add(m, d, DCAT "distribution", &dist)) ||
        (st = add(m, &dist, RDF "type", &dist_cls))) {
      break;
    }
    size_t v[16];
    size_t k = objects(m, o[i], "contentUrl", v, 16);
    for (size_t j = 0; j < k && !st; ++j) {
      const FdxTerm u = as_iri(view(m, v[j]));
      if (u.kind == FDX_TERM_IRI) {
        st = add(m, &dist, DCAT "downloadURL", &u);
      }
    }
    k = objects(m, o[i], "url", v, 16);
    for (size_t j = 0; j < k && !st; ++j) {
      const FdxTerm u = as_iri(view(m, v[j]));
      if (u.kind == FDX_TERM_IRI) {
        st = add(m, &dist, DCAT "accessURL", &u);
      }
    }
    k = objects(m, o[i], "encodingFormat", v, 16);
    for (size_t j = 0; j < k && !st; ++j) {
      const FdxTerm f = plain(view(m, v[j]));
      if (f.kind == FDX_TERM_LITERAL) {
        st = add(m, &dist, DCT "format", &f);
      }
    }
    FdxTerm nm;
    if (!st && name_of(m, o[i], &nm)) {
      st = add(m, &dist, DCT "title", &nm);
    }
  }
  return st;
}

static Mapper
mapper_for(const FdxMemGraph* const g, FdxMemGraph* const out,
           const char* const prefix)
{
  size_t n_terms = 0;
  fdx_memgraph_terms(g, &n_terms);
  const Mapper m = {g,
                    out,
                    n_terms,
                    fdx_memgraph_find_iri(g, RDF "first"),
                    fdx_memgraph_find_iri(g, RDF "rest"),
                    fdx_memgraph_find_iri(g, RDF "nil"),
                    0,
                    prefix};
  return m;
}

FdxStatus
schemaorg_map_dataset(const FdxMemGraph* const g, const size_t node,
                      const FdxTerm* const d, FdxMemGraph* const out,
                      const char* const blank_prefix)
{
  Mapper m = mapper_for(g, out, blank_prefix);
  return map_dataset(&m, node, d);
}

bool
schemaorg_typed(const FdxMemGraph* const g, const size_t node,
                const char* const type)
{
  const Mapper m = mapper_for(g, NULL, "");
  return typed(&m, node, type);
}

/* ------------------------------------------------------------------------
 * Pages
 * --------------------------------------------------------------------- */

/* The JSON-LD blocks of an HTML page, each as a string. */
static void
find_jsonld(const xmlNode* const node, json_t* const out)
{
  for (const xmlNode* n = node; n; n = n->next) {
    if (n->type == XML_ELEMENT_NODE && !strcasecmp((const char*)n->name,
                                                   "script")) {
      xmlChar* const type = xmlGetProp(n, (const xmlChar*)"type");
      if (type && !strncasecmp((const char*)type, "application/ld+json", 19)) {
        xmlChar* const text = xmlNodeGetContent(n);
        if (text) {
          json_array_append_new(out, json_string((const char*)text));
        }
        xmlFree(text);
      }
      xmlFree(type);
    }
    if (n->children) {
      find_jsonld(n->children, out);
    }
  }
}

/* A fetched landing page: its schema.org Datasets become records; the
 * page is done (and cleared) here. */
static FdxStatus
read_page(HarvestRun* const run, const char* const url,
          HarvestPage* const page_ptr)
{
  HarvestPage page = *page_ptr;
  FdxStatus   st   = FDX_SUCCESS;
  memset(page_ptr, 0, sizeof(*page_ptr)); /* taken */
  if (page.not_modified) {
    st = run_page_done(run, &page);
    run_page_clear(&page);
    return st;
  }
  const char* const base = page.fetch.final_url ? page.fetch.final_url : url;
  htmlDocPtr const  doc  = htmlReadMemory(
    page.fetch.body, (int)page.fetch.len, base, NULL,
    HTML_PARSE_NONET | HTML_PARSE_NOERROR | HTML_PARSE_NOWARNING |
      HTML_PARSE_RECOVER | HTML_PARSE_COMPACT);
  json_t* const blocks = json_array();
  if (doc) {
    find_jsonld(xmlDocGetRootElement(doc), blocks);
  }
  xmlFreeDoc(doc);
  size_t        b;
  const json_t* block;
  unsigned      found = 0;
  json_array_foreach(blocks, b, block)
  {
    if (st) {
      break;
    }
    const char* const text = json_string_value(block);
    FdxMemGraph* const g   = fdx_memgraph_new();
    FdxError           err;
    memset(&err, 0, sizeof(err));
    char prefix[32];
    snprintf(prefix, sizeof(prefix), "j%zu", b);
    if (!g) {
      st = FDX_ERR_NO_MEMORY;
      break;
    }
    const FdxStatus pst = fdx_memgraph_parse(g, text, strlen(text),
                                             FDX_FORMAT_JSONLD, base, url,
                                             prefix, 1000000, &err);
    if (pst) {
      run_record_error(run, url, "JSON-LD block %zu: %s", b + 1,
                       err.message[0] ? err.message : fdx_strerror(pst));
      run_record_keep(run, url);
      fdx_memgraph_free(g);
      continue;
    }
    size_t                  n_terms = 0;
    const FdxMemTerm* const terms   = fdx_memgraph_terms(g, &n_terms);
    Mapper                  m       = mapper_for(g, NULL, prefix);
    for (size_t node = 0; node < n_terms && !st; ++node) {
      if (!typed(&m, node, "Dataset")) {
        continue;
      }
      /* The dataset's IRI: its @id, else its url, else the page. */
      char*   iri = NULL;
      size_t  u;
      FdxTerm id  = view(&m, node);
      if (id.kind == FDX_TERM_IRI) {
        iri = strndup(id.value, id.value_len);
      } else if (objects(&m, node, "url", &u, 1) &&
                 as_iri(view(&m, u)).kind == FDX_TERM_IRI) {
        iri = strndup(view(&m, u).value, view(&m, u).value_len);
      } else if (asprintf(&iri, found ? "%s#dataset-%u" : "%s", base,
                          found) < 0) {
        iri = NULL;
      }
      if (!iri || !(m.out = fdx_memgraph_new())) {
        free(iri);
        st = FDX_ERR_NO_MEMORY;
        break;
      }
      const FdxTerm d = fdx_term_iri(iri);
      if (!(st = map_dataset(&m, node, &d))) {
        char* record_id = NULL;
        if (asprintf(&record_id, "%s#%s", url, terms[node].value) < 0) {
          record_id = NULL;
        }
        HarvestRecord record = {record_id ? record_id : url, iri, base, m.out,
                                text, "application/ld+json"};
        m.out = NULL;
        st    = run_record(run, &record);
        free(record_id);
      }
      fdx_memgraph_free(m.out);
      m.out = NULL;
      free(iri);
      ++found;
    }
    fdx_memgraph_free(g);
  }
  if (!st && !found && !json_array_size(blocks)) {
    run_record_error(run, url, "no schema.org JSON-LD on the page");
  }
  json_decref(blocks);
  if (!st) {
    st = run_page_done(run, &page);
  }
  run_page_clear(&page);
  return st;
}

/* One landing page: fetched, then read. */
static FdxStatus
harvest_page(HarvestRun* const run, const char* const url)
{
  HarvestPage     page;
  const FdxStatus st = run_page(run, url, ACCEPT_PAGE, &page);
  if (st) {
    /* A page fails alone; what the store has of it stays. */
    run_record_error(run, url, "%s",
                     page.fetch.error[0] ? page.fetch.error
                                         : fdx_strerror(st));
    run_record_keep(run, url);
    run_page_clear(&page);
    return FDX_SUCCESS;
  }
  return read_page(run, url, &page);
}

FdxStatus
adapter_schemaorg(HarvestRun* const run)
{
  json_t* const queue   = json_array();
  json_t* const visited = json_object();
  json_t* const pages   = json_array();
  FdxStatus     st      = queue && visited && pages ? FDX_SUCCESS
                                                    : FDX_ERR_NO_MEMORY;
  json_array_append_new(queue, json_string(run_source(run)->url));
  /* The sitemaps, breadth first. */
  for (size_t q = 0; !st && q < json_array_size(queue); ++q) {
    const char* const url = json_string_value(json_array_get(queue, q));
    if (json_object_get(visited, url)) {
      continue;
    }
    json_object_set_new(visited, url, json_true());
    HarvestPage page;
    if ((st = run_page(run, url, ACCEPT_SITEMAP, &page))) {
      run_page_clear(&page);
      break;
    }
    json_t* const sitemaps = json_array();
    json_t* const listed   = json_array();
    if (page.not_modified) {
      /* links: [{"sitemaps": [...], "pages": [...]}] from last time */
      const json_t* const saved = json_array_get(page.links, 0);
      json_array_extend(sitemaps, json_object_get(saved, "sitemaps"));
      json_array_extend(listed, json_object_get(saved, "pages"));
    } else {
      size_t      len  = page.fetch.len;
      char* const flat = gunzip(page.fetch.body, page.fetch.len, &len);
      char        why[300];
      if (!read_sitemap(flat ? flat : page.fetch.body, len, sitemaps, listed,
                        why, sizeof(why))) {
        free(flat);
        json_decref(sitemaps);
        json_decref(listed);
        if (q == 0) {
          /* The source is a landing page, not a sitemap: read it as one
           * (it is done there; a 304 later replays its records). */
          st = read_page(run, url, &page);
          break;
        }
        run_fail(run, "%s: %s", url, why);
        st = FDX_ERR_SYNTAX;
        run_page_clear(&page);
        break;
      }
      free(flat);
      json_t* const links = json_pack("[{s:O, s:O}]", "sitemaps", sitemaps,
                                      "pages", listed);
      run_page_links(run, links);
      json_decref(links);
    }
    if (!st) {
      st = run_page_done(run, &page);
    }
    run_page_clear(&page);
    json_array_extend(queue, sitemaps);
    json_array_extend(pages, listed);
    json_decref(sitemaps);
    json_decref(listed);
  }
  /* The pages, once each. */
  json_t* const seen = json_object();
  size_t        i;
  const json_t* p;
  json_array_foreach(pages, i, p)
  {
    if (st || run_cancelled(run)) {
      break;
    }
    const char* const url = json_string_value(p);
    if (json_object_get(seen, url)) {
      continue;
    }
    json_object_set_new(seen, url, json_true());
    st = harvest_page(run, url);
  }
  if (!st && run_cancelled(run)) {
    run_fail(run, "cancelled");
    st = FDX_ERR_UNKNOWN;
  }
  json_decref(seen);
  json_decref(pages);
  json_decref(visited);
  json_decref(queue);
  return st;
}
