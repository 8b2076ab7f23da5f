/*
 * oaipmh.c: the OAI-PMH source adapter (OAI-PMH 2.0).  A source is a
 * repository's base URL; the listing is ListRecords with the source's
 * metadataPrefix (and set), continued with resumptionTokens until a page
 * carries an empty or no token.  On an incremental run (run_since() set)
 * the first request is Identify, for the repository's datestamp
 * granularity, and the listing asks `from=` that date: then records it does
 * not list are kept, not deleted (run_incremental()).
 *
 * Every record is one fairdex record, keyed by its OAI identifier:
 * a header with status="deleted" removes the record at once
 * (run_record_deleted()); any other record becomes one dcat:Dataset mapped
 * from oai_dc or DataCite (oai_datacite, or a kernel-3/4 resource given
 * bare), with the <record> element kept as the original, so what the
 * mapping leaves out is not lost.  A record in another metadata format is
 * still a dcat:Dataset with its identifier and original.
 *
 * Errors: noRecordsMatch is an empty, complete listing (on an incremental
 * run: nothing changed); every other OAI error code, a page that is not
 * well-formed XML or not an OAI-PMH response, fails the listing, and a
 * failed listing deletes nothing.
 *
 * Safety: libxml2 parses with XML_PARSE_NONET and without entity
 * substitution, DTD loading or DTD attribute defaults; a document whose
 * DOCTYPE declares entities is refused outright.  The document size is
 * bounded by the fetch cap (max_document_bytes) and the nesting depth by
 * libxml2's own limit (no XML_PARSE_HUGE); the mapping walks only the
 * fixed shape of the formats, never recursing on the input's depth.
 *
 * Pages are fetched conditionally like every listing page: on a 304 the
 * page's records count as seen and unchanged and the resumptionToken saved
 * with it (run_page_links()) continues the listing; Identify saves its
 * granularity the same way.  A token that repeats the last one stops the
 * listing (failed) instead of looping until max_pages.
 *
 * Dataset IRIs: a DOI (DataCite identifier, or a dc:identifier "doi:...",
 * "https://doi.org/...", "10.x/y") gives https://doi.org/{doi}; else the
 * only http(s) dc:identifier; else one is minted from the OAI identifier,
 * {base}dataset/{source}-{16 hex of its SHA-256}.  The mappings are the
 * tables dc_map and datacite_map below, each row documented.
 *
 * This is the only file that uses libxml2 for OAI-PMH.
 */
#include "harvest_impl.h"

#include <libxml/parser.h>
#include <libxml/tree.h>


#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define OAI_NS "http://www.openarchives.org/OAI/2.0/"
#define OAI_DC_NS "http://www.openarchives.org/OAI/2.0/oai_dc/"
#define DC_NS "http://purl.org/dc/elements/1.1/"
#define OAI_DATACITE_NS "http://schema.datacite.org/oai/oai-1.1/"
#define KERNEL_NS "http://datacite.org/schema/kernel-"
#define ACCEPT "text/xml, application/xml"

#define RDF "http://www.w3.org/1999/02/22-rdf-syntax-ns#"
#define RDFS "http://www.w3.org/2000/01/rdf-schema#"
#define XSD "http://www.w3.org/2001/XMLSchema#"
#define DCAT "http://www.w3.org/ns/dcat#"
#define DCT "http://purl.org/dc/terms/"
#define FOAF "http://xmlns.com/foaf/0.1/"
#define ADMS "http://www.w3.org/ns/adms#"
#define SKOS "http://www.w3.org/2004/02/skos/core#"
#define EU_LANG "http://publications.europa.eu/resource/authority/language/"
#define DOI_IRI "https://doi.org/"

/* No network, no DTD loading or attribute defaults, no entity
 * substitution (XML_PARSE_NOENT is off), nothing printed: errors are read
 * from the parser context. */
#define XML_OPTIONS                                          \
  (XML_PARSE_NONET | XML_PARSE_NOCDATA | XML_PARSE_NOERROR | \
   XML_PARSE_NOWARNING)

/* ------------------------------------------------------------------------
 * Small helpers: XML access, strings, URLs
 * --------------------------------------------------------------------- */

/* Whether `n` is the element `name` in namespace `ns` (a prefix of the
 * namespace URI when `prefix_ns`, for the DataCite kernel versions). */
static bool
is_el(const xmlNode* const n,
      const char* const    ns,
      const char* const    name,
      const bool           prefix_ns)
{
  if (!n || n->type != XML_ELEMENT_NODE || !n->ns || !n->ns->href ||
      strcmp((const char*)n->name, name)) {
    return false;
  }
  const char* const href = (const char*)n->ns->href;
  return prefix_ns ? !strncmp(href, ns, strlen(ns)) : !strcmp(href, ns);
}

/* The first child element `name` in `ns`, or NULL. */
static xmlNode*
child(const xmlNode* const n, const char* const ns, const char* const name)
{
  for (xmlNode* c = n ? n->children : NULL; c; c = c->next) {
    if (is_el(c, ns, name, false)) {
      return c;
    }
  }
  return NULL;
}

/* The first child element, whatever its name, or NULL. */
static xmlNode*
first_element(const xmlNode* const n)
{
  for (xmlNode* c = n ? n->children : NULL; c; c = c->next) {
    if (c->type == XML_ELEMENT_NODE) {
      return c;
    }
  }
  return NULL;
}

/* Cut leading and trailing white space in place. */
static char*
trim(char* const s)
{
  if (!s) {
    return NULL;
  }
  size_t a = 0, n = strlen(s);
  while (s[a] && isspace((unsigned char)s[a])) {
    ++a;
  }
  while (n > a && isspace((unsigned char)s[n - 1])) {
    --n;
  }
  memmove(s, s + a, n - a);
  s[n - a] = '\0';
  return s;
}

/* The element's text, trimmed: new (free()), NULL when empty or out of
 * memory.  The text is libxml2's (xmlFree), copied to be ours. */
static char*
text_of(const xmlNode* const n)
{
  xmlChar* const raw = n ? xmlNodeGetContent(n) : NULL;
  char* const    s   = raw ? strdup((const char*)raw) : NULL;
  xmlFree(raw);
  trim(s);
  if (s && !*s) {
    free(s);
    return NULL;
  }
  return s;
}

/* An attribute without namespace: new, trimmed, NULL when absent/empty. */
static char*
attr_of(const xmlNode* const n, const char* const name)
{
  xmlChar* const raw = xmlGetNoNsProp(n, (const xmlChar*)name);
  char* const    s   = raw ? strdup((const char*)raw) : NULL;
  xmlFree(raw);
  trim(s);
  if (s && !*s) {
    free(s);
    return NULL;
  }
  return s;
}

/* The xml:lang in scope, or NULL (libxml2's, xmlFree). */
static xmlChar*
lang_of(const xmlNode* const n)
{
  return xmlNodeGetLang(n);
}

static bool
starts_with(const char* const s, const char* const prefix)
{
  return !strncmp(s, prefix, strlen(prefix));
}

static bool
starts_with_ci(const char* const s, const char* const prefix)
{
  return !strncasecmp(s, prefix, strlen(prefix));
}

/* Whether `s` can stand as an IRI as it is: http(s), and no character
 * that an IRI may not hold unescaped. */
static bool
http_iri(const char* const s)
{
  if (!starts_with_ci(s, "http://") && !starts_with_ci(s, "https://")) {
    return false;
  }
  for (const unsigned char* p = (const unsigned char*)s; *p; ++p) {
    if (*p <= 0x20 || *p == 0x7f || strchr("<>\"{}|\\^`", *p)) {
      return false;
    }
  }
  return strlen(s) > 8;
}

/* Percent-encode `s` for a query value (RFC 3986 unreserved kept): new. */
static char*
url_encode(const char* const s)
{
  const size_t n   = strlen(s);
  char* const  out = (char*)malloc(3 * n + 1);
  if (!out) {
    return NULL;
  }
  char* o = out;
  for (const unsigned char* p = (const unsigned char*)s; *p; ++p) {
    if (isalnum(*p) || strchr("-._~", *p)) {
      *o++ = (char)*p;
    } else {
      o += sprintf(o, "%%%02X", *p);
    }
  }
  *o = '\0';
  return out;
}

/* A DOI named by `s` ("10.x/y", "doi:10.x/y", "info:doi/10.x/y",
 * "https://doi.org/10.x/y", dx.doi.org too), as its suffix in `s`, or
 * NULL. */
static const char*
doi_in(const char* const s)
{
  static const char* const prefixes[] = {
    "https://doi.org/",
    "http://doi.org/",
    "https://dx.doi.org/",
    "http://dx.doi.org/",
    "doi:",
    "info:doi/",
    "",
  };
  for (size_t i = 0; i < sizeof(prefixes) / sizeof(*prefixes); ++i) {
    if (starts_with_ci(s, prefixes[i])) {
      const char* const d     = s + strlen(prefixes[i]);
      const char* const slash = strchr(d, '/');
      if (starts_with(d, "10.") && slash && slash[1]) {
        return d;
      }
    }
  }
  return NULL;
}

/* https://doi.org/{doi}, the characters an IRI cannot hold escaped: new. */
static char*
doi_iri(const char* const doi)
{
  const size_t n   = strlen(doi);
  char* const  out = (char*)malloc(sizeof(DOI_IRI) + 3 * n);
  if (!out) {
    return NULL;
  }
  char* o = out + sprintf(out, "%s", DOI_IRI);
  for (const unsigned char* p = (const unsigned char*)doi; *p; ++p) {
    if (*p <= 0x20 || *p == 0x7f || strchr("<>\"{}|\\^`%", *p)) {
      o += sprintf(o, "%%%02X", *p);
    } else {
      *o++ = (char)*p;
    }
  }
  *o = '\0';
  return out;
}

/* Whether `s` starts with the shape `shape` ('d' a digit, anything else
 * itself). */
static bool
shaped(const char* const s, const char* const shape)
{
  for (size_t i = 0; shape[i]; ++i) {
    if (shape[i] == 'd' ? !isdigit((unsigned char)s[i]) : s[i] != shape[i]) {
      return false;
    }
  }
  return true;
}

/* The XSD datatype of a date as OAI and DataCite give them, or NULL when
 * `s` is none of gYear, gYearMonth, date or dateTime (checked by shape and
 * field ranges, not by calendar). */
static const char*
date_type(const char* const s)
{
  const size_t n = strlen(s);
  if (n == 4 && shaped(s, "dddd")) {
    return XSD "gYear";
  }
  const int m = n >= 7 && shaped(s, "dddd-dd") ? atoi(s + 5) : 0;
  if (m < 1 || m > 12) {
    return NULL;
  }
  if (n == 7) {
    return XSD "gYearMonth";
  }
  const int d = n >= 10 && shaped(s, "dddd-dd-dd") ? atoi(s + 8) : 0;
  if (d < 1 || d > 31) {
    return NULL;
  }
  if (n == 10) {
    return XSD "date";
  }
  if (!shaped(s, "dddd-dd-ddTdd:dd:dd") || atoi(s + 11) > 23 ||
      atoi(s + 14) > 59 || atoi(s + 17) > 60) {
    return NULL;
  }
  /* The rest: a fraction, then nothing, Z or +hh:mm / -hh:mm. */
  const char* p = s + 19;
  if (*p == '.' && isdigit((unsigned char)p[1])) {
    ++p;
    while (isdigit((unsigned char)*p)) {
      ++p;
    }
  }
  return !*p || !strcmp(p, "Z") ||
             ((*p == '+' || *p == '-') && strlen(p) == 6 &&
              shaped(p + 1, "dd:dd"))
           ? XSD "dateTime"
           : NULL;
}

/* ------------------------------------------------------------------------
 * Building a record graph
 * --------------------------------------------------------------------- */

/* The graph of one record, with its dataset as subject `ds`.  `st` keeps
 * the first error (then every later add does nothing). */
typedef struct
{
  FdxMemGraph* g;
  FdxTerm      ds;
  unsigned     blanks;
  FdxStatus    st;
  char         labels[16][16]; /* blank labels of this record, ring */
  unsigned     next_label;
  char*        landing; /* the dataset's landing page (datacite: DOI) */
  xmlNode*     formats[32];
  size_t       n_formats;
  char*        byte_size; /* a DataCite size that is a byte count */
} Rec;

static void
add(Rec* const           r,
    const FdxTerm* const s,
    const char* const    p,
    const FdxTerm* const o)
{
  if (r->st) {
    return;
  }
  const FdxTerm pt = fdx_term_iri(p);
  r->st            = fdx_memgraph_add(r->g, s, &pt, o);
}

/* A new blank node of this record (its label lives in the ring until
 * sixteen more are made; used at once by the callers). */
static FdxTerm
blank(Rec* const r)
{
  char* const label = r->labels[r->next_label++ % 16];
  snprintf(label, 16, "o%u", ++r->blanks);
  const FdxTerm t = { FDX_TERM_BLANK, label, strlen(label), NULL, 0, NULL, 0 };
  return t;
}

static void
add_iri(Rec* const           r,
        const FdxTerm* const s,
        const char* const    p,
        const char* const    iri)
{
  const FdxTerm o = fdx_term_iri(iri);
  add(r, s, p, &o);
}

static void
add_lit(Rec* const           r,
        const FdxTerm* const s,
        const char* const    p,
        const char* const    lex,
        const char* const    lang,
        const char* const    datatype)
{
  const FdxTerm o = fdx_term_literal(lex, lang, datatype);
  add(r, s, p, &o);
}

/* A literal with the element's xml:lang, when it has one. */
static void
add_text(Rec* const           r,
         const char* const    p,
         const char* const    text,
         const xmlNode* const n)
{
  xmlChar* const lang = lang_of(n);
  add_lit(r, &r->ds, p, text, lang && *lang ? (const char*)lang : NULL, NULL);
  xmlFree(lang);
}

/* A date: typed when it parses as an XSD date type, plain otherwise. */
static void
add_date(Rec* const r, const char* const p, const char* const text)
{
  add_lit(r, &r->ds, p, text, NULL, date_type(text));
}

/* An agent: [ a foaf:Agent ; foaf:name NAME ], named by `iri` (an ORCID)
 * when given. */
static void
add_agent(Rec* const           r,
          const char* const    p,
          const char* const    name,
          const char* const    iri,
          const xmlNode* const n)
{
  const FdxTerm a = iri ? fdx_term_iri(iri) : blank(r);
  add(r, &r->ds, p, &a);
  add_iri(r, &a, RDF "type", FOAF "Agent");
  if (name) {
    xmlChar* const lang = lang_of(n);
    add_lit(
      r, &a, FOAF "name", name, lang && *lang ? (const char*)lang : NULL, NULL);
    xmlFree(lang);
  }
}

/* A rights statement: [ a dct:RightsStatement ; rdfs:label TEXT ], or the
 * IRI `iri` as one. */
static void
add_rights(Rec* const r, const char* const text, const char* const iri)
{
  const FdxTerm s = iri ? fdx_term_iri(iri) : blank(r);
  add(r, &r->ds, DCT "rights", &s);
  add_iri(r, &s, RDF "type", DCT "RightsStatement");
  if (text) {
    add_lit(r, &s, RDFS "label", text, NULL, NULL);
  }
}

/* An IRI when `value` is a DOI or an http(s) IRI, else a literal. */
static void
add_link(Rec* const r, const char* const p, const char* const value)
{
  const char* const doi = doi_in(value);
  if (doi) {
    char* const iri = doi_iri(doi);
    if (!iri) {
      r->st = FDX_ERR_NO_MEMORY;
      return;
    }
    add_iri(r, &r->ds, p, iri);
    free(iri);
  } else if (http_iri(value)) {
    add_iri(r, &r->ds, p, value);
  } else {
    add_lit(r, &r->ds, p, value, NULL, NULL);
  }
}

/* Languages: ISO 639-1 and 639-2 (B and T) codes of the common languages
 * to the EU Publications Office language authority; anything else stays a
 * literal. */
static void
add_language(Rec* const r, const char* const code)
{
  static const struct
  {
    const char* two;
    const char* b;
    const char* t; /* also the authority's code, upper-cased */
  } langs[] = {
    { "bg", "bul", "bul" }, { "cs", "cze", "ces" }, { "da", "dan", "dan" },
    { "de", "ger", "deu" }, { "el", "gre", "ell" }, { "en", "eng", "eng" },
    { "es", "spa", "spa" }, { "et", "est", "est" }, { "fi", "fin", "fin" },
    { "fr", "fre", "fra" }, { "ga", "gle", "gle" }, { "hr", "hrv", "hrv" },
    { "hu", "hun", "hun" }, { "it", "ita", "ita" }, { "ja", "jpn", "jpn" },
    { "la", "lat", "lat" }, { "lt", "lit", "lit" }, { "lv", "lav", "lav" },
    { "mt", "mlt", "mlt" }, { "nl", "dut", "nld" }, { "no", "nor", "nor" },
    { "pl", "pol", "pol" }, { "pt", "por", "por" }, { "ro", "rum", "ron" },
    { "ru", "rus", "rus" }, { "sk", "slo", "slk" }, { "sl", "slv", "slv" },
    { "sv", "swe", "swe" }, { "tr", "tur", "tur" }, { "uk", "ukr", "ukr" },
    { "zh", "chi", "zho" },
  };
  char         key[4] = { 0 };
  const size_t n      = strcspn(code, "-_");
  if ((n == 2 || n == 3) && strlen(code) <= 16) {
    for (size_t i = 0; i < n; ++i) {
      key[i] = (char)tolower((unsigned char)code[i]);
    }
    for (size_t i = 0; i < sizeof(langs) / sizeof(*langs); ++i) {
      if (!strcmp(key, langs[i].two) || !strcmp(key, langs[i].b) ||
          !strcmp(key, langs[i].t)) {
        char iri[sizeof(EU_LANG) + 4];
        snprintf(iri,
                 sizeof(iri),
                 "%s%c%c%c",
                 EU_LANG,
                 toupper((unsigned char)langs[i].t[0]),
                 toupper((unsigned char)langs[i].t[1]),
                 toupper((unsigned char)langs[i].t[2]));
        add_iri(r, &r->ds, DCT "language", iri);
        return;
      }
    }
  }
  add_lit(r, &r->ds, DCT "language", code, NULL, NULL);
}

/* One dcat:Distribution for the formats (and byte size) a record names,
 * reachable at its landing page; none without a landing page, as a
 * distribution nobody can reach says nothing (the formats stay in the
 * original). */
static void
add_distribution(Rec* const r)
{
  if ((!r->n_formats && !r->byte_size) || !r->landing) {
    return;
  }
  const FdxTerm d = blank(r);
  add(r, &r->ds, DCAT "distribution", &d);
  add_iri(r, &d, RDF "type", DCAT "Distribution");
  add_iri(r, &d, DCAT "accessURL", r->landing);
  for (size_t i = 0; i < r->n_formats; ++i) {
    char* const f = text_of(r->formats[i]);
    if (f) {
      add_lit(r, &d, DCT "format", f, NULL, NULL);
    }
    free(f);
  }
  if (r->byte_size) {
    add_lit(
      r, &d, DCAT "byteSize", r->byte_size, NULL, XSD "nonNegativeInteger");
  }
}

/* ------------------------------------------------------------------------
 * oai_dc
 * --------------------------------------------------------------------- */

typedef enum
{
  MAP_TEXT,     /* literal, xml:lang kept */
  MAP_AGENT,    /* [ a foaf:Agent ; foaf:name TEXT ] */
  MAP_DATE,     /* typed literal when it parses (xsd:gYear ... dateTime) */
  MAP_LINK,     /* a DOI or http(s) IRI as an IRI, else a literal */
  MAP_LANGUAGE, /* the EU language authority when known, else literal */
  MAP_RIGHTS,   /* [ a dct:RightsStatement ; rdfs:label TEXT ] */
  MAP_IDENT,    /* dct:identifier; an http(s) one is a dcat:landingPage */
  MAP_FORMAT    /* dct:format of the distribution (see add_distribution) */
} MapKind;

/* oai_dc: each of the fifteen Dublin Core elements, its DCAT-AP 3
 * property and how the value is written. */
static const struct
{
  const char* element;
  const char* property;
  MapKind     kind;
} dc_map[] = {
  /* dc:title: the dataset's title, in its language. */
  { "title", DCT "title", MAP_TEXT },
  /* dc:creator: a name, so an agent with that foaf:name. */
  { "creator", DCT "creator", MAP_AGENT },
  /* dc:subject: free keywords (no vocabulary is named in oai_dc). */
  { "subject", DCAT "keyword", MAP_TEXT },
  /* dc:description: the abstract. */
  { "description", DCT "description", MAP_TEXT },
  /* dc:publisher: a name, as an agent. */
  { "publisher", DCT "publisher", MAP_AGENT },
  /* dc:contributor: a name, as an agent. */
  { "contributor", DCT "contributor", MAP_AGENT },
  /* dc:date: oai_dc does not say which date; the publication date is the
   * common reading (DCMI's guidelines for OAI), so dct:issued. */
  { "date", DCT "issued", MAP_DATE },
  /* dc:type: the source's resource type, kept as dct:type (the record is
   * a dcat:Dataset whatever it says, issue 6). */
  { "type", DCT "type", MAP_TEXT },
  /* dc:format: on the distribution at the landing page, if any. */
  { "format", DCT "format", MAP_FORMAT },
  /* dc:identifier: dct:identifier; an http(s) one is the landing page. */
  { "identifier", DCT "identifier", MAP_IDENT },
  /* dc:source: the resource this one is derived from. */
  { "source", DCT "source", MAP_LINK },
  /* dc:language: a code, to the EU authority when the table knows it. */
  { "language", DCT "language", MAP_LANGUAGE },
  /* dc:relation: a related resource. */
  { "relation", DCT "relation", MAP_LINK },
  /* dc:coverage: spatial or temporal, oai_dc cannot tell: dct:coverage. */
  { "coverage", DCT "coverage", MAP_TEXT },
  /* dc:rights: a statement, as a dct:RightsStatement. */
  { "rights", DCT "rights", MAP_RIGHTS },
};

static void
map_dc(Rec* const r, const xmlNode* const dc)
{
  for (xmlNode* e = dc->children; e && !r->st; e = e->next) {
    if (e->type != XML_ELEMENT_NODE || !e->ns ||
        strcmp((const char*)e->ns->href, DC_NS)) {
      continue;
    }
    for (size_t i = 0; i < sizeof(dc_map) / sizeof(*dc_map); ++i) {
      if (strcmp((const char*)e->name, dc_map[i].element)) {
        continue;
      }
      char* const       text = text_of(e);
      const char* const p    = dc_map[i].property;
      if (!text) {
        break;
      }
      switch (dc_map[i].kind) {
        case MAP_TEXT:
          add_text(r, p, text, e);
          break;
        case MAP_AGENT:
          add_agent(r, p, text, NULL, e);
          break;
        case MAP_DATE:
          add_date(r, p, text);
          break;
        case MAP_LINK:
          add_link(r, p, text);
          break;
        case MAP_LANGUAGE:
          add_language(r, text);
          break;
        case MAP_RIGHTS:
          add_rights(r, text, NULL);
          break;
        case MAP_IDENT:
          add_lit(r, &r->ds, p, text, NULL, NULL);
          if (http_iri(text)) {
            add_iri(r, &r->ds, DCAT "landingPage", text);
            if (!r->landing) {
              r->landing = strdup(text);
              r->st      = r->landing ? r->st : FDX_ERR_NO_MEMORY;
            }
          }
          break;
        case MAP_FORMAT:
          if (r->n_formats < sizeof(r->formats) / sizeof(*r->formats)) {
            r->formats[r->n_formats++] = e;
          }
          break;
      }
      free(text);
      break;
    }
  }
}

/* The dataset IRI oai_dc gives: a DOI identifier's https://doi.org/ IRI,
 * else its only http(s) identifier; new, or NULL for none. */
static char*
dc_dataset_iri(const xmlNode* const dc)
{
  const xmlNode* http_one = NULL;
  size_t         n_http   = 0;
  char*          out      = NULL;
  for (xmlNode* e = dc->children; e && !out; e = e->next) {
    if (!is_el(e, DC_NS, "identifier", false)) {
      continue;
    }
    char* const       text = text_of(e);
    const char* const doi  = text ? doi_in(text) : NULL;
    if (doi) {
      out = doi_iri(doi);
    } else if (text && http_iri(text)) {
      http_one = e;
      ++n_http;
    }
    free(text);
  }
  if (!out && n_http == 1) {
    out = text_of(http_one);
  }
  return out;
}

/* ------------------------------------------------------------------------
 * DataCite (kernel 3 and 4, bare or in oai_datacite)
 * --------------------------------------------------------------------- */

static bool
is_k(const xmlNode* const n, const char* const name)
{
  return is_el(n, KERNEL_NS, name, true);
}

/* The kernel child `name` of `n`, or NULL. */
static xmlNode*
kchild(const xmlNode* const n, const char* const name)
{
  for (xmlNode* c = n ? n->children : NULL; c; c = c->next) {
    if (is_k(c, name)) {
      return c;
    }
  }
  return NULL;
}

/* The DOI of a DataCite resource (identifier identifierType="DOI"): new. */
static char*
datacite_doi(const xmlNode* const res)
{
  const xmlNode* const id   = kchild(res, "identifier");
  char* const          type = id ? attr_of(id, "identifierType") : NULL;
  char*                doi  = NULL;
  if (type && !strcasecmp(type, "DOI")) {
    char* const       text = text_of(id);
    const char* const d    = text ? doi_in(text) : NULL;
    doi                    = d ? strdup(d) : NULL;
    free(text);
  }
  free(type);
  return doi;
}

/* An ORCID (a bare iD or an orcid.org URL) as https://orcid.org/{iD}:
 * new, or NULL when `s` is not one. */
static char*
orcid_iri(const char* const s)
{
  const char* id = s;
  if (starts_with_ci(id, "https://orcid.org/")) {
    id += 18;
  } else if (starts_with_ci(id, "http://orcid.org/")) {
    id += 17;
  }
  size_t n = 0;
  while (id[n] && (isdigit((unsigned char)id[n]) || id[n] == '-' ||
                   id[n] == 'X' || id[n] == 'x')) {
    ++n;
  }
  if (n != 19 || id[n]) {
    return NULL;
  }
  char* iri = NULL;
  if (asprintf(&iri, "https://orcid.org/%.19s", id) < 0) {
    return NULL;
  }
  if (iri[36] == 'x') {
    iri[36] = 'X';
  }
  return iri;
}

/* A creator or contributor: its name (NAME_EL) and ORCID, as an agent. */
static void
datacite_agent(Rec* const           r,
               const xmlNode* const a,
               const char* const    p,
               const char* const    name_el)
{
  char* const name = text_of(kchild(a, name_el));
  char*       iri  = NULL;
  for (xmlNode* c = a->children; c && !iri; c = c->next) {
    if (!is_k(c, "nameIdentifier")) {
      continue;
    }
    char* const scheme = attr_of(c, "nameIdentifierScheme");
    char* const id     = text_of(c);
    if (id && ((scheme && !strcasecmp(scheme, "ORCID")) ||
               starts_with_ci(id, "https://orcid.org/") ||
               starts_with_ci(id, "http://orcid.org/"))) {
      iri = orcid_iri(id);
    }
    free(scheme);
    free(id);
  }
  if (name || iri) {
    add_agent(r, p, name, iri, a);
  }
  free(name);
  free(iri);
}

/* DataCite relationType to the Dublin Core term for it; dct:relation for
 * the rest. */
static const char*
relation_property(const char* const type)
{
  static const struct
  {
    const char* type;
    const char* property;
  } rel[] = {
    { "IsPartOf", DCT "isPartOf" },
    { "HasPart", DCT "hasPart" },
    { "IsVersionOf", DCT "isVersionOf" },
    { "HasVersion", DCT "hasVersion" },
    { "References", DCT "references" },
    { "IsReferencedBy", DCT "isReferencedBy" },
    { "Requires", DCT "requires" },
    { "IsRequiredBy", DCT "isRequiredBy" },
    { "Obsoletes", DCT "replaces" },
    { "IsObsoletedBy", DCT "isReplacedBy" },
  };
  for (size_t i = 0; type && i < sizeof(rel) / sizeof(*rel); ++i) {
    if (!strcmp(type, rel[i].type)) {
      return rel[i].property;
    }
  }
  return DCT "relation";
}

/* rightsURI of a licence (Creative Commons, Open Data Commons, SPDX,
 * opensource.org): dct:license; anything else is dct:rights. */
static bool
licence_uri(const char* const uri)
{
  static const char* const hosts[] = {
    "creativecommons.org/",
    "opendatacommons.org/",
    "spdx.org/licenses/",
    "opensource.org/licenses/",
  };
  const char* const rest = strstr(uri, "://");
  if (!rest) {
    return false;
  }
  const char* host = rest + 3;
  if (starts_with_ci(host, "www.")) {
    host += 4;
  }
  for (size_t i = 0; i < sizeof(hosts) / sizeof(*hosts); ++i) {
    if (starts_with_ci(host, hosts[i])) {
      return true;
    }
  }
  return false;
}

/* The DataCite elements (children of <resource>) and where each goes; the
 * list elements (titles, creators, ...) are walked item by item.  What is
 * not here (fundingReferences, geoLocations, the other description types)
 * stays in the original. */
typedef enum
{
  DC_TITLE,       /* titles/title: dct:title; with a titleType
                     (AlternativeTitle, Subtitle, ...) dct:alternative */
  DC_CREATOR,     /* creators/creator: dct:creator agent, ORCID as its IRI */
  DC_CONTRIBUTOR, /* contributors/contributor: dct:contributor agent */
  DC_SUBJECT,     /* subjects/subject: dcat:keyword (xml:lang kept) */
  DC_DESCRIPTION, /* descriptions/description: Abstract (or untyped) is
                     dct:description */
  DC_PUBLISHER,   /* publisher: dct:publisher agent */
  DC_YEAR,        /* publicationYear: dct:issued xsd:gYear, unless a date
                     of type Issued says more */
  DC_DATE,        /* dates/date: Created, Issued, Updated to dct:created,
                     dct:issued, dct:modified */
  DC_TYPE,        /* resourceType: resourceTypeGeneral (else the text) as
                     dct:type literal */
  DC_ALTERNATE,   /* alternateIdentifiers: adms:identifier [ a
                     adms:Identifier ; skos:notation ID ;
                     adms:schemaAgency TYPE ] */
  DC_RELATED,     /* relatedIdentifiers: by relationType to dct:isPartOf,
                     dct:hasPart, ... else dct:relation; DOI and URL as
                     IRIs, other kinds as literals */
  DC_RIGHTS,      /* rightsList/rights: a licence's rightsURI is
                     dct:license, other rights a dct:RightsStatement */
  DC_LANGUAGE,    /* language: dct:language (EU authority when known) */
  DC_FORMAT,      /* formats/format: dct:format of the distribution at
                     https://doi.org/DOI */
  DC_SIZE,        /* sizes/size: a plain byte count is the distribution's
                     dcat:byteSize; other sizes stay in the original */
  DC_VERSION      /* version: dcat:version */
} DataciteKind;

static const struct
{
  const char*  list; /* the wrapping element, or NULL */
  const char*  item;
  DataciteKind kind;
} datacite_map[] = {
  { "titles", "title", DC_TITLE },
  { "creators", "creator", DC_CREATOR },
  { "contributors", "contributor", DC_CONTRIBUTOR },
  { "subjects", "subject", DC_SUBJECT },
  { "descriptions", "description", DC_DESCRIPTION },
  { NULL, "publisher", DC_PUBLISHER },
  { NULL, "publicationYear", DC_YEAR },
  { "dates", "date", DC_DATE },
  { NULL, "resourceType", DC_TYPE },
  { "alternateIdentifiers", "alternateIdentifier", DC_ALTERNATE },
  { "relatedIdentifiers", "relatedIdentifier", DC_RELATED },
  { "rightsList", "rights", DC_RIGHTS },
  { NULL, "language", DC_LANGUAGE },
  { "formats", "format", DC_FORMAT },
  { "sizes", "size", DC_SIZE },
  { NULL, "version", DC_VERSION },
};

static void
datacite_item(Rec* const           r,
              const xmlNode* const e,
              const DataciteKind   kind,
              const bool           has_issued)
{
  char* const text = text_of(e);
  char*       a    = NULL;
  char*       b    = NULL;
  switch (kind) {
    case DC_TITLE:
      if (text) {
        a = attr_of(e, "titleType");
        add_text(r, a ? DCT "alternative" : DCT "title", text, e);
      }
      break;
    case DC_CREATOR:
      datacite_agent(r, e, DCT "creator", "creatorName");
      break;
    case DC_CONTRIBUTOR:
      datacite_agent(r, e, DCT "contributor", "contributorName");
      break;
    case DC_SUBJECT:
      if (text) {
        add_text(r, DCAT "keyword", text, e);
      }
      break;
    case DC_DESCRIPTION:
      a = attr_of(e, "descriptionType");
      if (text && (!a || !strcmp(a, "Abstract"))) {
        add_text(r, DCT "description", text, e);
      }
      break;
    case DC_PUBLISHER:
      if (text) {
        add_agent(r, DCT "publisher", text, NULL, e);
      }
      break;
    case DC_YEAR:
      if (text && !has_issued) {
        add_date(r, DCT "issued", text);
      }
      break;
    case DC_DATE:
      a = attr_of(e, "dateType");
      if (text && a) {
        const char* const p = !strcmp(a, "Created")   ? DCT "created"
                              : !strcmp(a, "Issued")  ? DCT "issued"
                              : !strcmp(a, "Updated") ? DCT "modified"
                                                      : NULL;
        if (p) {
          add_date(r, p, text);
        }
      }
      break;
    case DC_TYPE:
      a = attr_of(e, "resourceTypeGeneral");
      if (a || text) {
        add_lit(r, &r->ds, DCT "type", a ? a : text, NULL, NULL);
      }
      break;
    case DC_ALTERNATE:
      if (text) {
        const FdxTerm id = blank(r);
        a                = attr_of(e, "alternateIdentifierType");
        add(r, &r->ds, ADMS "identifier", &id);
        add_iri(r, &id, RDF "type", ADMS "Identifier");
        add_lit(r, &id, SKOS "notation", text, NULL, NULL);
        if (a) {
          add_lit(r, &id, ADMS "schemaAgency", a, NULL, NULL);
        }
      }
      break;
    case DC_RELATED:
      if (text) {
        a                   = attr_of(e, "relatedIdentifierType");
        b                   = attr_of(e, "relationType");
        const char* const p = relation_property(b);
        if (a && !strcasecmp(a, "DOI") && doi_in(text)) {
          add_link(r, p, text);
        } else if (a && !strcasecmp(a, "URL") && http_iri(text)) {
          add_iri(r, &r->ds, p, text);
        } else {
          add_lit(r, &r->ds, p, text, NULL, NULL);
        }
      }
      break;
    case DC_RIGHTS:
      a = attr_of(e, "rightsURI");
      if (a && !http_iri(a)) {
        free(a);
        a = NULL;
      }
      if (a && licence_uri(a)) {
        const FdxTerm l = fdx_term_iri(a);
        add(r, &r->ds, DCT "license", &l);
        add_iri(r, &l, RDF "type", DCT "LicenseDocument");
        if (text) {
          add_lit(r, &l, RDFS "label", text, NULL, NULL);
        }
      } else if (a || text) {
        add_rights(r, text, a);
      }
      break;
    case DC_LANGUAGE:
      if (text) {
        add_language(r, text);
      }
      break;
    case DC_FORMAT:
      if (text && r->n_formats < sizeof(r->formats) / sizeof(*r->formats)) {
        r->formats[r->n_formats++] = (xmlNode*)e;
      }
      break;
    case DC_SIZE:
      if (text && !r->byte_size) {
        size_t            n    = strspn(text, "0123456789");
        const char* const unit = text + n + strspn(text + n, " ");
        if (n && n < 20 &&
            (!*unit || !strcasecmp(unit, "bytes") || !strcasecmp(unit, "B"))) {
          r->byte_size = strndup(text, n);
          r->st        = r->byte_size ? r->st : FDX_ERR_NO_MEMORY;
        }
      }
      break;
    case DC_VERSION:
      if (text) {
        add_lit(r, &r->ds, DCAT "version", text, NULL, NULL);
      }
      break;
  }
  free(a);
  free(b);
  free(text);
}

static void
map_datacite(Rec* const r, const xmlNode* const res, const char* const doi)
{
  /* A date of type Issued wins over publicationYear. */
  bool has_issued = false;
  for (xmlNode* d = kchild(kchild(res, "dates"), "date"); d; d = d->next) {
    char* const type = is_k(d, "date") ? attr_of(d, "dateType") : NULL;
    has_issued       = has_issued || (type && !strcmp(type, "Issued"));
    free(type);
  }
  if (doi) {
    char* const iri = doi_iri(doi);
    if (!iri) {
      r->st = FDX_ERR_NO_MEMORY;
      return;
    }
    add_lit(r, &r->ds, DCT "identifier", doi, NULL, NULL);
    add_iri(r, &r->ds, DCAT "landingPage", iri);
    r->landing = iri;
  }
  for (size_t i = 0; i < sizeof(datacite_map) / sizeof(*datacite_map); ++i) {
    const char* const    list   = datacite_map[i].list;
    const xmlNode* const parent = list ? kchild(res, list) : res;
    for (xmlNode* e = parent ? parent->children : NULL; e && !r->st;
         e          = e->next) {
      if (is_k(e, datacite_map[i].item)) {
        datacite_item(r, e, datacite_map[i].kind, has_issued);
      }
    }
  }
}

/* The DataCite <resource> in a record's metadata: bare, or in
 * oai_datacite's payload; NULL when it is neither. */
static const xmlNode*
datacite_resource(const xmlNode* const md)
{
  if (is_k(md, "resource")) {
    return md;
  }
  if (is_el(md, OAI_DATACITE_NS, "oai_datacite", false)) {
    const xmlNode* const res =
      first_element(child(md, OAI_DATACITE_NS, "payload"));
    return is_k(res, "resource") ? res : NULL;
  }
  return NULL;
}

/* ------------------------------------------------------------------------
 * Records
 * --------------------------------------------------------------------- */

/* The <record> element serialized, its namespaces declared on it (a copy
 * into a document of its own): new, or NULL when out of memory. */
static char*
serialize(const xmlNode* const record)
{
  xmlDoc* const    doc  = xmlNewDoc((const xmlChar*)"1.0");
  xmlNode* const   copy = doc ? xmlDocCopyNode((xmlNode*)record, doc, 1) : NULL;
  xmlBuffer* const buf  = copy ? xmlBufferCreate() : NULL;
  char*            out  = NULL;
  if (buf) {
    xmlDocSetRootElement(doc, copy);
    if (xmlNodeDump(buf, doc, copy, 0, 0) >= 0) {
      out = strdup((const char*)xmlBufferContent(buf));
    }
  } else if (copy) {
    xmlFreeNode(copy);
  }
  xmlBufferFree(buf);
  xmlFreeDoc(doc);
  return out;
}

/* One <record> of a ListRecords page. */
static FdxStatus
read_record(HarvestRun* const    run,
            const char* const    page_url,
            const xmlNode* const record)
{
  const xmlNode* const header = child(record, OAI_NS, "header");
  char* const          id     = text_of(child(header, OAI_NS, "identifier"));
  if (!id) {
    run_record_error(run, NULL, "%s: a record without an identifier", page_url);
    return FDX_SUCCESS;
  }
  char* const status = attr_of(header, "status");
  const bool  gone   = status && !strcmp(status, "deleted");
  free(status);
  if (gone) {
    const FdxStatus st = run_record_deleted(run, id);
    free(id);
    return st;
  }
  const xmlNode* const md  = first_element(child(record, OAI_NS, "metadata"));
  const xmlNode* const res = datacite_resource(md);
  const xmlNode* const dc  = is_el(md, OAI_DC_NS, "dc", false) ? md : NULL;
  char* const          doi = res ? datacite_doi(res) : NULL;
  char* iri = doi ? doi_iri(doi) : dc ? dc_dataset_iri(dc) : NULL;
  iri       = iri ? iri : run_mint_dataset(run, id, strlen(id));
  Rec r;
  memset(&r, 0, sizeof(r));
  r.g             = fdx_memgraph_new();
  char* const xml = serialize(record);
  r.st            = r.g && iri && xml ? FDX_SUCCESS : FDX_ERR_NO_MEMORY;
  r.ds            = fdx_term_iri(iri ? iri : "");
  add_iri(&r, &r.ds, RDF "type", DCAT "Dataset");
  add_lit(&r, &r.ds, DCT "identifier", id, NULL, NULL);
  if (res) {
    map_datacite(&r, res, doi);
  } else if (dc) {
    map_dc(&r, dc);
  } /* else: a format we do not map, kept whole as the original */
  add_distribution(&r);
  FdxStatus st = r.st;
  if (st) {
    /* The record fails alone; only running out of memory stops the run. */
    run_record_error(run, id, "cannot map the record: %s", fdx_strerror(st));
    st = st == FDX_ERR_NO_MEMORY ? st : FDX_SUCCESS;
  } else {
    HarvestRecord rec = { id, iri, page_url, r.g, xml, "application/xml" };
    r.g               = NULL; /* taken */
    st                = run_record(run, &rec);
  }
  fdx_memgraph_free(r.g);
  free(r.landing);
  free(r.byte_size);
  free(xml);
  free(iri);
  free(doi);
  free(id);
  return st;
}

FdxStatus
datacite_map_resource(const struct _xmlNode* const res,
                      const char* const fallback_iri, FdxMemGraph** const ret,
                      char** const ret_iri)
{
  *ret     = NULL;
  *ret_iri = NULL;
  char* const doi = datacite_doi(res);
  char*       iri = doi ? doi_iri(doi) : strdup(fallback_iri);
  Rec         r;
  memset(&r, 0, sizeof(r));
  r.g  = fdx_memgraph_new();
  r.st = r.g && iri ? FDX_SUCCESS : FDX_ERR_NO_MEMORY;
  r.ds = fdx_term_iri(iri ? iri : "");
  add_iri(&r, &r.ds, RDF "type", DCAT "Dataset");
  map_datacite(&r, res, doi);
  add_distribution(&r);
  free(r.landing);
  free(r.byte_size);
  free(doi);
  if (r.st) {
    fdx_memgraph_free(r.g);
    free(iri);
    return r.st;
  }
  *ret     = r.g;
  *ret_iri = iri;
  return FDX_SUCCESS;
}

/* ------------------------------------------------------------------------
 * Pages
 * --------------------------------------------------------------------- */

/* Whether the document's DOCTYPE declares entities (refused: we never
 * expand them, and a document that needs them is not an OAI response). */
static bool
declares_entities(const xmlDoc* const doc)
{
  return (doc->intSubset && doc->intSubset->entities) ||
         (doc->extSubset && doc->extSubset->entities);
}

/* Parse a page as an OAI-PMH response: the document, its root, or a
 * failed listing (run_fail() said why). */
static FdxStatus
parse_page(HarvestRun* const        run,
           const char* const        url,
           const HarvestPage* const page,
           xmlDoc** const           ret_doc)
{
  const FdxFetchResult* const f = &page->fetch;
  if (f->len > (size_t)0x7fffffff) {
    run_fail(run, "%s: the response is too large to parse", url);
    return FDX_ERR_LIMIT;
  }
  xmlParserCtxt* const ctxt = xmlNewParserCtxt();
  if (!ctxt) {
    return FDX_ERR_NO_MEMORY;
  }
  xmlDoc* const doc = xmlCtxtReadMemory(ctxt,
                                        f->body ? f->body : "",
                                        (int)f->len,
                                        f->final_url ? f->final_url : url,
                                        NULL,
                                        XML_OPTIONS);
  if (!doc) {
    const xmlError* const e = xmlCtxtGetLastError(ctxt);
    char                  msg[200];
    snprintf(msg, sizeof(msg), "%s", e && e->message ? e->message : "");
    trim(msg);
    run_fail(run,
             "%s: not well-formed XML (line %d: %s)",
             url,
             e ? e->line : 0,
             msg[0] ? msg : "no document");
    xmlFreeParserCtxt(ctxt);
    return FDX_ERR_SYNTAX;
  }
  xmlFreeParserCtxt(ctxt);
  const xmlNode* const root = xmlDocGetRootElement(doc);
  if (declares_entities(doc)) {
    run_fail(run, "%s: the document declares entities (refused)", url);
    xmlFreeDoc(doc);
    return FDX_ERR_SYNTAX;
  }
  if (!is_el(root, OAI_NS, "OAI-PMH", false)) {
    run_fail(run,
             "%s: not an OAI-PMH 2.0 response (root element %s)",
             url,
             root ? (const char*)root->name : "missing");
    xmlFreeDoc(doc);
    return FDX_ERR_SYNTAX;
  }
  *ret_doc = doc;
  return FDX_SUCCESS;
}

/* The response's OAI errors: FDX_SUCCESS when there are none (or only
 * noRecordsMatch, then `*no_records`), else the listing fails naming the
 * code and message. */
static FdxStatus
oai_errors(HarvestRun* const    run,
           const char* const    url,
           const xmlNode* const root,
           bool* const          no_records)
{
  FdxStatus st = FDX_SUCCESS;
  for (xmlNode* e = root->children; e && !st; e = e->next) {
    if (!is_el(e, OAI_NS, "error", false)) {
      continue;
    }
    char* const code = attr_of(e, "code");
    char* const msg  = text_of(e);
    if (code && !strcmp(code, "noRecordsMatch")) {
      *no_records = true;
    } else {
      run_fail(run,
               "%s: OAI-PMH error %s%s%s",
               url,
               code ? code : "(no code)",
               msg ? ": " : "",
               msg ? msg : "");
      st = FDX_ERR_UNKNOWN;
    }
    free(code);
    free(msg);
  }
  return st;
}

/* The repository's datestamp granularity (Identify): `*day` when it counts
 * in days (YYYY-MM-DD).  Kept as the page's links for a 304. */
static FdxStatus
identify(HarvestRun* const run, bool* const day)
{
  const char* const base = run_source(run)->url;
  char*             url  = NULL;
  if (asprintf(&url, "%s%cverb=Identify", base, strchr(base, '?') ? '&' : '?') <
      0) {
    return FDX_ERR_NO_MEMORY;
  }
  HarvestPage page;
  FdxStatus   st          = run_page(run, url, ACCEPT, &page);
  char*       granularity = NULL;
  if (!st && page.not_modified) {
    const char* const g = json_string_value(json_array_get(page.links, 0));
    granularity         = g ? strdup(g) : NULL;
  } else if (!st) {
    xmlDoc* doc        = NULL;
    bool    no_records = false;
    st                 = parse_page(run, url, &page, &doc);
    if (!st) {
      const xmlNode* const root = xmlDocGetRootElement(doc);
      st                        = oai_errors(run, url, root, &no_records);
      granularity =
        text_of(child(child(root, OAI_NS, "Identify"), OAI_NS, "granularity"));
    }
    xmlFreeDoc(doc);
    json_t* const links = json_array();
    if (granularity) {
      json_array_append_new(links, json_string(granularity));
    }
    run_page_links(run, links);
    json_decref(links);
  }
  if (!st) {
    st = run_page_done(run, &page);
  }
  run_page_clear(&page);
  /* Seconds only when the repository says so: day granularity is the
   * protocol's minimum, and always understood. */
  *day = !granularity || strcmp(granularity, "YYYY-MM-DDThh:mm:ssZ") != 0;
  free(granularity);
  free(url);
  return st;
}

/* The ListRecords URL that resumes the list at `token` (new; NULL when
 * out of memory). */
static char*
resume_url(const FdxSource* const src, const char* const token)
{
  char* const enc = url_encode(token);
  char*       url = NULL;
  if (!enc || asprintf(&url, "%s%cverb=ListRecords&resumptionToken=%s",
                       src->url, strchr(src->url, '?') ? '&' : '?',
                       enc) < 0) {
    url = NULL;
  }
  free(enc);
  return url;
}

/* Read one ListRecords page: its records, and its resumptionToken into
 * `*ret_token` (new; NULL at the end of the list).  The page it resumes
 * at, unless its token repeats `prev` (the last page's), is fetched while
 * the records are written. */
static FdxStatus
read_page(HarvestRun* const        run,
          const char* const        url,
          const HarvestPage* const page,
          const char* const        prev,
          char** const             ret_token)
{
  xmlDoc*   doc        = NULL;
  bool      no_records = false;
  FdxStatus st         = parse_page(run, url, page, &doc);
  if (st) {
    return st;
  }
  const xmlNode* const root = xmlDocGetRootElement(doc);
  const char* const    page_url =
    page->fetch.final_url ? page->fetch.final_url : url;
  if ((st = oai_errors(run, url, root, &no_records)) || no_records) {
    xmlFreeDoc(doc);
    return st; /* noRecordsMatch: an empty, complete listing */
  }
  const xmlNode* const list = child(root, OAI_NS, "ListRecords");
  if (!list) {
    run_fail(run, "%s: an OAI-PMH response without ListRecords or error", url);
    xmlFreeDoc(doc);
    return FDX_ERR_SYNTAX;
  }
  char* const token = text_of(child(list, OAI_NS, "resumptionToken"));
  if (token && (!prev || strcmp(token, prev))) {
    char* const next = resume_url(run_source(run), token);
    if (next) {
      run_prefetch(run, next, ACCEPT);
    }
    free(next);
  }
  for (xmlNode* r = list->children; r && !st; r = r->next) {
    if (run_cancelled(run)) {
      run_fail(run, "cancelled");
      st = FDX_ERR_UNKNOWN;
    } else if (is_el(r, OAI_NS, "record", false)) {
      st = read_record(run, page_url, r);
    }
  }
  if (!st) {
    *ret_token = token;
  } else {
    free(token);
  }
  xmlFreeDoc(doc);
  return st;
}

/* The first ListRecords request: metadataPrefix, set, from. */
static char*
first_url(HarvestRun* const run, const bool day)
{
  const FdxSource* const src   = run_source(run);
  const char* const      since = run_since(run);
  char* const            prefix =
    url_encode(src->metadata_prefix ? src->metadata_prefix : "oai_dc");
  char* const set      = src->set ? url_encode(src->set) : NULL;
  char        from[32] = "";
  if (since) {
    /* run_since() is YYYY-MM-DDThh:mm:ssZ; a day-granular repository
     * gets the date. */
    snprintf(from, sizeof(from), day ? "%.10s" : "%.19sZ", since);
  }
  char* const from_enc = since ? url_encode(from) : NULL;
  char*       url      = NULL;
  if (prefix && (!src->set || set) && (!since || from_enc) &&
      asprintf(&url,
               "%s%cverb=ListRecords&metadataPrefix=%s%s%s%s%s",
               src->url,
               strchr(src->url, '?') ? '&' : '?',
               prefix,
               set ? "&set=" : "",
               set ? set : "",
               from_enc ? "&from=" : "",
               from_enc ? from_enc : "") < 0) {
    url = NULL;
  }
  free(prefix);
  free(set);
  free(from_enc);
  return url;
}

FdxStatus
adapter_oai_pmh(HarvestRun* const run)
{
  const FdxSource* const src = run_source(run);
  FdxStatus              st  = FDX_SUCCESS;
  bool                   day = true;
  if (run_since(run)) {
    if ((st = identify(run, &day))) {
      return st;
    }
    run_incremental(run);
  }
  char* url  = first_url(run, day);
  char* prev = NULL; /* the last token: a repeat would loop forever */
  if (!url) {
    return FDX_ERR_NO_MEMORY;
  }
  while (!st && url) {
    HarvestPage page;
    char*       token = NULL;
    if ((st = run_page(run, url, ACCEPT, &page))) {
      run_page_clear(&page);
      break;
    }
    if (page.not_modified) {
      const char* const t = json_string_value(json_array_get(page.links, 0));
      token               = t ? strdup(t) : NULL;
    } else {
      st                  = read_page(run, url, &page, prev, &token);
      json_t* const links = json_array();
      if (token) {
        json_array_append_new(links, json_string(token));
      }
      run_page_links(run, links);
      json_decref(links);
    }
    if (!st) {
      st = run_page_done(run, &page);
    }
    run_page_clear(&page);
    free(url);
    url = NULL;
    if (!st && token && prev && !strcmp(token, prev)) {
      run_fail(
        run, "the resumptionToken %s repeats: the listing stopped", token);
      st = FDX_ERR_UNKNOWN;
    }
    if (!st && token && !(url = resume_url(src, token))) {
      st = FDX_ERR_NO_MEMORY;
    }
    free(prev);
    prev = token;
  }
  free(prev);
  free(url);
  return st;
}
