/*
 * ckan.c: the CKAN source adapter.  A source's url is the portal's site
 * root; the listing is the Action API's package_search, paged with
 * rows/start and sorted by metadata_modified, so packages changed while
 * we page move to the end instead of shifting what is still to come.
 * `start` advances by the number of results a page brought, not by the
 * number asked for (a portal may cap rows below what we ask).  The listing
 * is complete when start reaches the count of the first page; a count
 * that changes while paging, an answer that is not JSON (a truncated body
 * is not), success:false, an error object, or a page without results
 * before the count is reached fail the listing, so that nothing is
 * deleted on the strength of it.  With the start of the last complete run
 * (run_since()) the listing asks only for packages modified since then,
 * an hour earlier for clocks that disagree, and is incremental.
 *
 * Each package is one record: its id is the package id; its statements are
 * the DCAT-AP description ckanext-dcat's euro_dcat_ap profiles would
 * serialise for it (docs/mapping.md there: core fields, the known extras,
 * legacy extras and ckanext-scheming fields alike, contact point and
 * publisher with their fallbacks, one dcat:Distribution per resource); the
 * package's JSON (compact, keys sorted, so its hash is stable) is kept as
 * the record's original.  Private packages and harvest sources are not
 * records.  JSON is refused past MAX_JSON_DEPTH levels before jansson
 * sees it, so a hostile page cannot make the parser recurse deeply.
 */
#include "harvest_impl.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define ACCEPT "application/json"
#define ROWS 1000
#define MAX_JSON_DEPTH 64
#define SINCE_SLACK_S 3600

#define RDF "http://www.w3.org/1999/02/22-rdf-syntax-ns#"
#define RDFS_LABEL "http://www.w3.org/2000/01/rdf-schema#label"
#define XSD "http://www.w3.org/2001/XMLSchema#"
#define DCAT "http://www.w3.org/ns/dcat#"
#define DCATAP "http://data.europa.eu/r5r/"
#define DCT "http://purl.org/dc/terms/"
#define ADMS "http://www.w3.org/ns/adms#"
#define FOAF "http://xmlns.com/foaf/0.1/"
#define VCARD "http://www.w3.org/2006/vcard/ns#"
#define OWL_VERSION_INFO "http://www.w3.org/2002/07/owl#versionInfo"
#define SKOS "http://www.w3.org/2004/02/skos/core#"
#define SPDX "http://spdx.org/rdf/terms#"
#define LOCN_GEOMETRY "http://www.w3.org/ns/locn#geometry"
#define GEOJSON_TYPE                                                          \
  "https://www.iana.org/assignments/media-types/application/vnd.geo+json"
#define IANA_MEDIA "https://www.iana.org/assignments/media-types/"
#define FILE_TYPE "http://publications.europa.eu/resource/authority/file-type/"

/* ------------------------------------------------------------------------
 * JSON helpers
 * --------------------------------------------------------------------- */

/* Whether the JSON text nests arrays and objects at most `max` deep
 * (counted outside strings; the text need not be valid). */
static bool
depth_ok(const char* const text, const size_t len, const int max)
{
  int  depth     = 0;
  bool in_string = false;
  for (size_t i = 0; i < len; ++i) {
    const char c = text[i];
    if (in_string) {
      if (c == '\\') {
        ++i;
      } else if (c == '"') {
        in_string = false;
      }
    } else if (c == '"') {
      in_string = true;
    } else if (c == '[' || c == '{') {
      if (++depth > max) {
        return false;
      }
    } else if (c == ']' || c == '}') {
      --depth;
    }
  }
  return true;
}

/* A string member, trimmed of surrounding white space into `buf` when it
 * fits; NULL when missing, not a string, empty or "None". */
static const char*
trimmed(const char* s, char* const buf, const size_t size)
{
  if (!s) {
    return NULL;
  }
  while (isspace((unsigned char)*s)) {
    ++s;
  }
  size_t n = strlen(s);
  while (n && isspace((unsigned char)s[n - 1])) {
    --n;
  }
  if (!n || (n == 4 && !strncmp(s, "None", 4))) {
    return NULL;
  }
  if (s[n] == '\0') {
    return s;
  }
  if (n >= size) {
    return NULL; /* longer than anything we map after trimming */
  }
  memcpy(buf, s, n);
  buf[n] = '\0';
  return buf;
}

static const char*
str(const json_t* const obj, const char* const key)
{
  const char* const s = json_string_value(json_object_get(obj, key));
  return s && *s ? s : NULL;
}

/* A field of the package: a top-level member (CKAN core fields and
 * ckanext-scheming fields), else a legacy extra {"key", "value"}.  Returns
 * a borrowed JSON value (string, array, ...) or NULL. */
static const json_t*
field(const json_t* const pkg, const char* const key)
{
  const json_t* const v = json_object_get(pkg, key);
  if (v && !json_is_null(v) &&
      !(json_is_string(v) && !*json_string_value(v))) {
    return v;
  }
  size_t        i;
  const json_t* extra;
  json_array_foreach(json_object_get(pkg, "extras"), i, extra)
  {
    const char* const k = str(extra, "key");
    const json_t* const value = json_object_get(extra, "value");
    if (k && !strcmp(k, key) && json_is_string(value) &&
        *json_string_value(value)) {
      return value;
    }
  }
  return NULL;
}

static const char*
field_str(const json_t* const pkg, const char* const key)
{
  return json_string_value(field(pkg, key));
}

/* A list-valued field as ckanext-dcat reads it: a JSON array, a string
 * holding a JSON array (legacy extras), a comma-separated string, or one
 * value.  New array of strings. */
static json_t*
field_list(const json_t* const pkg, const char* const key)
{
  json_t* const       out = json_array();
  const json_t* const v   = field(pkg, key);
  if (!out || !v) {
    return out;
  }
  if (json_is_array(v)) {
    size_t        i;
    const json_t* item;
    json_array_foreach(v, i, item)
    {
      if (json_is_string(item)) {
        json_array_append(out, (json_t*)item);
      }
    }
    return out;
  }
  const char* const s = json_string_value(v);
  if (!s) {
    return out;
  }
  const size_t len = strlen(s);
  if (s[0] == '[' && depth_ok(s, len, 2)) {
    json_error_t  jerr;
    json_t* const parsed = json_loadb(s, len, 0, &jerr);
    if (json_is_array(parsed)) {
      size_t        i;
      const json_t* item;
      json_array_foreach(parsed, i, item)
      {
        if (json_is_string(item)) {
          json_array_append(out, (json_t*)item);
        }
      }
      json_decref(parsed);
      return out;
    }
    json_decref(parsed);
  }
  if (strchr(s, ',')) {
    for (const char* p = s; *p;) {
      const char* const comma = strchr(p, ',');
      const size_t      n     = comma ? (size_t)(comma - p) : strlen(p);
      json_array_append_new(out, json_stringn(p, n));
      p += n + (comma ? 1 : 0);
    }
  } else {
    json_array_append(out, (json_t*)v);
  }
  return out;
}

/* ------------------------------------------------------------------------
 * Terms
 * --------------------------------------------------------------------- */

/* Whether `s` is an absolute IRI we are willing to write: a scheme, no
 * white space, controls or characters RFC 3987 excludes. */
static bool
is_iri(const char* const s)
{
  if (!s || !isalpha((unsigned char)s[0])) {
    return false;
  }
  const char* p = s;
  while (isalnum((unsigned char)*p) || *p == '+' || *p == '-' || *p == '.') {
    ++p;
  }
  if (*p != ':' || !p[1]) {
    return false;
  }
  for (p = s; *p; ++p) {
    const unsigned char c = (unsigned char)*p;
    if (c <= 0x20 || c == 0x7f || strchr("<>\"{}|\\^`", c)) {
      return false;
    }
  }
  return true;
}

/* The statements of one record, with the first error kept. */
typedef struct {
  FdxMemGraph* g;
  FdxStatus    st;
  unsigned     blanks;
  char         label[8][32]; /* a few live blank-node labels */
  unsigned     next_label;
} Mapper;

static FdxTerm
iri_term(const char* const iri)
{
  return fdx_term_iri(iri);
}

/* A new blank node (its label lives in the mapper's ring of labels, long
 * enough for the few nodes a mapping step holds at once). */
static FdxTerm
blank(Mapper* const m)
{
  char* const label = m->label[m->next_label++ % 8];
  snprintf(label, sizeof(m->label[0]), "n%u", m->blanks++);
  const FdxTerm t = {FDX_TERM_BLANK, label, strlen(label), NULL, 0, NULL, 0};
  return t;
}

static void
add(Mapper* const m, const FdxTerm* const s, const char* const p,
    const FdxTerm* const o)
{
  if (!m->st) {
    const FdxTerm pt = fdx_term_iri(p);
    m->st            = fdx_memgraph_add(m->g, s, &pt, o);
  }
}

static void
add_iri(Mapper* const m, const FdxTerm* const s, const char* const p,
        const char* const iri)
{
  const FdxTerm o = fdx_term_iri(iri);
  add(m, s, p, &o);
}

static void
add_type(Mapper* const m, const FdxTerm* const s, const char* const type)
{
  add_iri(m, s, RDF "type", type);
}

static void
add_lit(Mapper* const m, const FdxTerm* const s, const char* const p,
        const char* const value, const char* const datatype)
{
  char        buf[256];
  char*       copy = NULL;
  const char* v    = trimmed(value, buf, sizeof(buf));
  if (!v && value) {
    /* Longer than the buffer with white space at the end: a copy. */
    const char* t = value;
    while (isspace((unsigned char)*t)) {
      ++t;
    }
    size_t n = strlen(t);
    while (n && isspace((unsigned char)t[n - 1])) {
      --n;
    }
    if (n >= sizeof(buf) && !(v = copy = strndup(t, n))) {
      m->st = m->st ? m->st : FDX_ERR_NO_MEMORY;
    }
  }
  if (v) {
    const FdxTerm o = fdx_term_literal(v, NULL, datatype);
    add(m, s, p, &o);
  }
  free(copy);
}

/* An IRI when the value is one (a scheme and an authority), else a
 * literal: ckanext-dcat's URIRefOrLiteral. */
static void
add_iri_or_lit(Mapper* const m, const FdxTerm* const s, const char* const p,
               const char* const value, const char* const type)
{
  char              buf[2048];
  const char* const v = trimmed(value, buf, sizeof(buf));
  if (!v) {
    return;
  }
  if (is_iri(v) && strstr(v, "://")) {
    add_iri(m, s, p, v);
    if (type) {
      const FdxTerm o = fdx_term_iri(v);
      add_type(m, &o, type);
    }
  } else {
    add_lit(m, s, p, v, NULL);
  }
}

/* An IRI when the value is one; nothing otherwise (the original keeps
 * it). */
static void
add_iri_only(Mapper* const m, const FdxTerm* const s, const char* const p,
             const char* const value, const char* const type)
{
  char              buf[2048];
  const char* const v = trimmed(value, buf, sizeof(buf));
  if (v && is_iri(v)) {
    add_iri(m, s, p, v);
    if (type) {
      const FdxTerm o = fdx_term_iri(v);
      add_type(m, &o, type);
    }
  }
}

/* The datatype of a date as CKAN and its users write it: xsd:gYear,
 * xsd:gYearMonth, xsd:date, xsd:dateTime; NULL when it is none of them.
 * A dateTime without a zone gets "Z" in `out` when `utc` (CKAN's own
 * timestamps are UTC). */
static const char*
date_type(const char* const v, const bool utc, char* const out,
          const size_t size)
{
  const size_t n = strlen(v);
  size_t       i = 0;
  while (i < n && isdigit((unsigned char)v[i])) {
    ++i;
  }
  if (i != 4) {
    return NULL;
  }
  snprintf(out, size, "%s", v);
  if (n == 4) {
    return XSD "gYear";
  }
  if (n == 7 && v[4] == '-' && isdigit((unsigned char)v[5]) &&
      isdigit((unsigned char)v[6])) {
    return XSD "gYearMonth";
  }
  int y, mo, d, h, mi, s, len = 0;
  if (sscanf(v, "%4d-%2d-%2d%n", &y, &mo, &d, &len) != 3 || len != 10 ||
      mo < 1 || mo > 12 || d < 1 || d > 31) {
    return NULL;
  }
  if (n == 10) {
    return XSD "date";
  }
  if ((v[10] != 'T' && v[10] != ' ') ||
      sscanf(v + 11, "%2d:%2d:%2d%n", &h, &mi, &s, &len) != 3 || len != 8 ||
      h > 24 || mi > 59 || s > 60) {
    return NULL;
  }
  const char* rest = v + 19;
  if (*rest == '.') {
    ++rest;
    if (!isdigit((unsigned char)*rest)) {
      return NULL;
    }
    while (isdigit((unsigned char)*rest)) {
      ++rest;
    }
  }
  const bool zoned = *rest == 'Z' ||
                     ((*rest == '+' || *rest == '-') && strlen(rest) == 6 &&
                      rest[3] == ':');
  if (*rest && !zoned) {
    return NULL;
  }
  if (n + 2 > size) {
    return NULL;
  }
  out[10] = 'T';
  if (!*rest && utc) {
    out[n]     = 'Z';
    out[n + 1] = '\0';
  }
  return XSD "dateTime";
}

static void
add_date(Mapper* const m, const FdxTerm* const s, const char* const p,
         const char* const value, const bool utc)
{
  char              buf[64], out[64];
  const char* const v = trimmed(value, buf, sizeof(buf));
  if (!v) {
    return;
  }
  const char* const type = date_type(v, utc, out, sizeof(out));
  add_lit(m, s, p, type ? out : v, type);
}

/* A statement (dct:RightsStatement, dct:ProvenanceStatement, a licence):
 * its IRI when the value is one, else a blank node labelled with it. */
static void
add_statement(Mapper* const m, const FdxTerm* const s, const char* const p,
              const char* const value, const char* const type)
{
  char              buf[2048];
  const char* const v = trimmed(value, buf, sizeof(buf));
  if (!v) {
    return;
  }
  if (is_iri(v) && strstr(v, "://")) {
    add_iri(m, s, p, v);
    return;
  }
  const FdxTerm b = blank(m);
  add(m, s, p, &b);
  add_type(m, &b, type);
  add_lit(m, &b, RDFS_LABEL, v, NULL);
}

/* ------------------------------------------------------------------------
 * Mapping a package (ckanext-dcat, docs/mapping.md)
 * --------------------------------------------------------------------- */

/* dct:format: common CKAN format names as EU file types. */
static const char*
file_type(const char* const format)
{
  static const struct {
    const char* name;
    const char* type;
  } types[] = {
    {"csv", "CSV"},       {"tsv", "TSV"},         {"json", "JSON"},
    {"geojson", "GEOJSON"}, {"jsonld", "JSON_LD"}, {"json-ld", "JSON_LD"},
    {"xml", "XML"},       {"xls", "XLS"},         {"xlsx", "XLSX"},
    {"ods", "ODS"},       {"pdf", "PDF"},         {"zip", "ZIP"},
    {"gzip", "GZIP"},     {"gz", "GZIP"},         {"tar", "TAR"},
    {"txt", "TXT"},       {"html", "HTML"},       {"rdf", "RDF"},
    {"rdf/xml", "RDF_XML"}, {"ttl", "RDF_TURTLE"}, {"turtle", "RDF_TURTLE"},
    {"n-triples", "RDF_N_TRIPLES"}, {"doc", "DOC"}, {"docx", "DOCX"},
    {"odt", "ODT"},       {"shp", "SHP"},         {"kml", "KML"},
    {"kmz", "KMZ"},       {"gpkg", "GPKG"},       {"png", "PNG"},
    {"jpeg", "JPEG"},     {"jpg", "JPEG"},        {"tiff", "TIFF"},
    {"netcdf", "NETCDF"}, {"parquet", "PARQUET"}, {"sparql", "SPARQLQ"},
    {"wms", "WMS_SRVC"},  {"wfs", "WFS_SRVC"},    {"api", "REST"},
  };
  char lower[32];
  size_t n = 0;
  const char* f = format[0] == '.' ? format + 1 : format;
  for (; f[n] && n + 1 < sizeof(lower); ++n) {
    lower[n] = (char)tolower((unsigned char)f[n]);
  }
  if (f[n]) {
    return NULL;
  }
  lower[n] = '\0';
  for (size_t i = 0; i < sizeof(types) / sizeof(*types); ++i) {
    if (!strcmp(lower, types[i].name)) {
      return types[i].type;
    }
  }
  return NULL;
}

/* Whether `s` looks like a media type (type "/" subtype, no spaces). */
static bool
is_media_type(const char* const s)
{
  const char* const slash = strchr(s, '/');
  if (!slash || slash == s || !slash[1] || strchr(slash + 1, '/')) {
    return false;
  }
  for (const char* p = s; *p; ++p) {
    if (!isalnum((unsigned char)*p) && !strchr("/.+-_", *p)) {
      return false;
    }
  }
  return true;
}

static void
map_format(Mapper* const m, const FdxTerm* const dist,
           const json_t* const res)
{
  char        fbuf[256], mbuf[256], iri[512];
  const char* fmt = trimmed(str(res, "format"), fbuf, sizeof(fbuf));
  const char* mt  = trimmed(str(res, "mimetype"), mbuf, sizeof(mbuf));
  /* ckanext-dcat: a media type given as the format is the media type. */
  if (fmt && (!mt || !strcmp(mt, fmt))) {
    if (strstr(fmt, "iana.org/assignments/media-types") ||
        (strncmp(fmt, "http", 4) && strchr(fmt, '/'))) {
      mt  = fmt;
      fmt = NULL;
    } else {
      mt = NULL;
    }
  }
  if (mt) {
    if (is_iri(mt) && strncmp(mt, "http", 4) == 0) {
      add_iri(m, dist, DCAT "mediaType", mt);
    } else if (is_media_type(mt)) {
      char lower[256];
      size_t i = 0;
      for (; mt[i] && i + 1 < sizeof(lower); ++i) {
        lower[i] = (char)tolower((unsigned char)mt[i]);
      }
      lower[i] = '\0';
      snprintf(iri, sizeof(iri), "%s%s", IANA_MEDIA, lower);
      add_iri(m, dist, DCAT "mediaType", iri);
      const FdxTerm o = fdx_term_iri(iri);
      add_type(m, &o, DCT "MediaType");
    } else {
      add_lit(m, dist, DCAT "mediaType", mt, NULL);
    }
  }
  if (fmt) {
    const char* const type = file_type(fmt);
    if (type) {
      snprintf(iri, sizeof(iri), "%s%s", FILE_TYPE, type);
      add_iri(m, dist, DCT "format", iri);
      const FdxTerm o = fdx_term_iri(iri);
      add_type(m, &o, DCT "MediaTypeOrExtent");
    } else {
      add_iri_or_lit(m, dist, DCT "format", fmt, DCT "MediaTypeOrExtent");
    }
  }
}

/* spdx:checksum: the algorithm as given, else guessed from the length of
 * a hexadecimal value (what CKAN's uploads store). */
static void
map_checksum(Mapper* const m, const FdxTerm* const dist,
             const json_t* const res)
{
  char              buf[256];
  const char* const hash = trimmed(str(res, "hash"), buf, sizeof(buf));
  if (!hash) {
    return;
  }
  size_t n = 0;
  while (isxdigit((unsigned char)hash[n])) {
    ++n;
  }
  const bool  hexa = !hash[n] && n % 2 == 0;
  const char* algo = str(res, "hash_algorithm");
  if (!algo && hexa) {
    algo = n == 32   ? SPDX "checksumAlgorithm_md5"
           : n == 40 ? SPDX "checksumAlgorithm_sha1"
           : n == 64 ? SPDX "checksumAlgorithm_sha256"
           : n == 128 ? SPDX "checksumAlgorithm_sha512"
                      : NULL;
  }
  const FdxTerm c = blank(m);
  add(m, dist, SPDX "checksum", &c);
  add_type(m, &c, SPDX "Checksum");
  add_lit(m, &c, SPDX "checksumValue", hash, hexa ? XSD "hexBinary" : NULL);
  if (algo) {
    add_iri_or_lit(m, &c, SPDX "algorithm", algo, NULL);
  }
}

static void
map_resource(Mapper* const m, const char* const site, const char* const pkg_id,
             const FdxTerm* const dataset, const json_t* const res,
             const char* const licence)
{
  char        ubuf[2048];
  const char* uri = trimmed(str(res, "uri"), ubuf, sizeof(ubuf));
  char*       minted = NULL;
  const char* id     = str(res, "id");
  FdxTerm     dist;
  if (uri && is_iri(uri)) {
    dist = iri_term(uri);
  } else if (id) {
    const char* const package = str(res, "package_id");
    if (asprintf(&minted, "%s/dataset/%s/resource/%s", site,
                 package ? package : pkg_id, id) < 0) {
      m->st = FDX_ERR_NO_MEMORY;
      return;
    }
    dist = is_iri(minted) ? iri_term(minted) : blank(m);
  } else {
    dist = blank(m);
  }
  add(m, dataset, DCAT "distribution", &dist);
  add_type(m, &dist, DCAT "Distribution");
  add_lit(m, &dist, DCT "title", str(res, "name"), NULL);
  add_lit(m, &dist, DCT "description", str(res, "description"), NULL);
  add_iri_or_lit(m, &dist, ADMS "status", str(res, "status"), NULL);
  add_iri_or_lit(m, &dist, DCATAP "availability", str(res, "availability"),
                 NULL);
  const char* const own_licence = str(res, "license");
  if (own_licence) {
    add_statement(m, &dist, DCT "license", own_licence,
                  DCT "LicenseDocument");
  } else if (licence) {
    /* ckanext.dcat.resource.inherit.license: the dataset's licence. */
    add_iri(m, &dist, DCT "license", licence);
  }
  add_statement(m, &dist, DCT "rights", str(res, "rights"),
                DCT "RightsStatement");
  /* URLs: access_url and download_url, with url as the access URL unless
   * it is the download URL; a file uploaded to CKAN is a download. */
  const char* const access   = str(res, "access_url");
  const char* const download = str(res, "download_url");
  const char* const url      = str(res, "url");
  const char* const url_type = str(res, "url_type");
  add_iri_only(m, &dist, DCAT "accessURL", access, NULL);
  add_iri_only(m, &dist, DCAT "downloadURL", download, NULL);
  if (url && !access && (!download || strcmp(url, download))) {
    add_iri_only(m, &dist, DCAT "accessURL", url, NULL);
  }
  if (url && !download && url_type && !strcmp(url_type, "upload")) {
    add_iri_only(m, &dist, DCAT "downloadURL", url, NULL);
  }
  static const struct {
    const char* key;
    const char* predicate;
    const char* type;
  } lists[] = {
    {"documentation", FOAF "page", FOAF "Document"},
    {"language", DCT "language", DCT "LinguisticSystem"},
    {"conforms_to", DCT "conformsTo", DCT "Standard"},
  };
  for (size_t k = 0; k < sizeof(lists) / sizeof(*lists); ++k) {
    json_t* const values = field_list(res, lists[k].key);
    size_t        i;
    const json_t* v;
    json_array_foreach(values, i, v)
    {
      add_iri_or_lit(m, &dist, lists[k].predicate, json_string_value(v),
                     lists[k].type);
    }
    json_decref(values);
  }
  map_format(m, &dist, res);
  const char* issued = str(res, "issued");
  add_date(m, &dist, DCT "issued", issued ? issued : str(res, "created"),
           !issued);
  const char* modified = str(res, "modified");
  const char* fallback = str(res, "last_modified");
  fallback             = fallback ? fallback : str(res, "metadata_modified");
  add_date(m, &dist, DCT "modified", modified ? modified : fallback,
           !modified);
  /* dcat:byteSize: a whole number of bytes (DCAT-AP 3:
   * xsd:nonNegativeInteger). */
  const json_t* const size = json_object_get(res, "size");
  char                num[32];
  const char*         size_text = NULL;
  if (json_is_integer(size) && json_integer_value(size) >= 0) {
    snprintf(num, sizeof(num), "%lld", (long long)json_integer_value(size));
    size_text = num;
  } else if (json_is_string(size)) {
    const char* const s = trimmed(json_string_value(size), num, sizeof(num));
    size_t            n = 0;
    while (s && isdigit((unsigned char)s[n])) {
      ++n;
    }
    size_text = s && n && !s[n] ? s : NULL;
  }
  if (size_text) {
    add_lit(m, &dist, DCAT "byteSize", size_text,
            XSD "nonNegativeInteger");
  }
  map_checksum(m, &dist, res);
  free(minted);
}

/* foaf:Agent (publisher, creator) from an object with uri, name, email,
 * url, type, identifier (a ckanext-scheming field) or from the legacy
 * extras PREFIX_uri, PREFIX_name, ... */
static void
map_agent(Mapper* const m, const FdxTerm* const dataset, const char* const p,
          const json_t* const agent)
{
  const char* const uri  = str(agent, "uri");
  const char* const name = str(agent, "name");
  if (!uri && !name) {
    return;
  }
  char          buf[2048];
  const char*   u = trimmed(uri, buf, sizeof(buf));
  const FdxTerm a = u && is_iri(u) ? iri_term(u) : blank(m);
  add(m, dataset, p, &a);
  add_type(m, &a, FOAF "Agent");
  add_lit(m, &a, FOAF "name", name, NULL);
  add_lit(m, &a, FOAF "mbox", str(agent, "email"), NULL);
  add_iri_only(m, &a, FOAF "homepage", str(agent, "url"), NULL);
  add_iri_or_lit(m, &a, DCT "type", str(agent, "type"), NULL);
  add_iri_or_lit(m, &a, DCT "identifier", str(agent, "identifier"), NULL);
}

/* The same agent from the legacy extras. */
static void
map_agent_extras(Mapper* const m, const FdxTerm* const dataset,
                 const char* const p, const json_t* const pkg,
                 const char* const prefix)
{
  static const char* const keys[] = {"uri",  "name", "email",
                                     "url",  "type", "identifier"};
  json_t* const            agent  = json_object();
  if (!agent) {
    m->st = FDX_ERR_NO_MEMORY;
    return;
  }
  for (size_t i = 0; i < sizeof(keys) / sizeof(*keys); ++i) {
    char key[64];
    snprintf(key, sizeof(key), "%s_%s", prefix, keys[i]);
    const char* const v = field_str(pkg, key);
    if (v) {
      json_object_set_new(agent, keys[i], json_string(v));
    }
  }
  map_agent(m, dataset, p, agent);
  json_decref(agent);
}

static void
map_contact(Mapper* const m, const FdxTerm* const dataset,
            const char* const uri, const char* const name,
            const char* const email, const char* const identifier)
{
  if (!uri && !name && !email) {
    return;
  }
  char          buf[2048], ebuf[512], mail[600];
  const char*   u = trimmed(uri, buf, sizeof(buf));
  const FdxTerm c = u && is_iri(u) ? iri_term(u) : blank(m);
  add(m, dataset, DCAT "contactPoint", &c);
  add_type(m, &c, VCARD "Kind");
  add_lit(m, &c, VCARD "fn", name, NULL);
  const char* const e = trimmed(email, ebuf, sizeof(ebuf));
  if (e) {
    snprintf(mail, sizeof(mail), "%s%s",
             strncmp(e, "mailto:", 7) ? "mailto:" : "", e);
    if (is_iri(mail)) {
      add_iri(m, &c, VCARD "hasEmail", mail);
    } else {
      add_lit(m, &c, VCARD "hasEmail", e, NULL);
    }
  }
  add_iri_or_lit(m, &c, VCARD "hasUID", identifier, NULL);
}

/* dct:spatial: spatial_uri, with spatial_text and the GeoJSON geometry
 * (the legacy "spatial" extra) on it. */
static void
map_spatial(Mapper* const m, const FdxTerm* const dataset,
            const json_t* const pkg)
{
  char              buf[2048];
  const char* const uri  = trimmed(field_str(pkg, "spatial_uri"), buf,
                                   sizeof(buf));
  const char* const text = field_str(pkg, "spatial_text");
  const char* const geom = field_str(pkg, "spatial");
  if (!uri && !text && !geom) {
    return;
  }
  const FdxTerm loc = uri && is_iri(uri) ? iri_term(uri) : blank(m);
  add(m, dataset, DCT "spatial", &loc);
  add_type(m, &loc, DCT "Location");
  add_lit(m, &loc, SKOS "prefLabel", text, NULL);
  add_lit(m, &loc, LOCN_GEOMETRY, geom, GEOJSON_TYPE);
}

static void
map_temporal(Mapper* const m, const FdxTerm* const dataset,
             const json_t* const pkg)
{
  const char* const start = field_str(pkg, "temporal_start");
  const char* const end   = field_str(pkg, "temporal_end");
  if (!start && !end) {
    return;
  }
  const FdxTerm t = blank(m);
  add(m, dataset, DCT "temporal", &t);
  add_type(m, &t, DCT "PeriodOfTime");
  add_date(m, &t, DCAT "startDate", start, false);
  add_date(m, &t, DCAT "endDate", end, false);
}

/* The package's licence as an IRI (license_url, or a license_id that is
 * one), or NULL; the dataset's dct:license. */
static const char*
map_licence(Mapper* const m, const FdxTerm* const dataset,
            const json_t* const pkg, char* const buf, const size_t size)
{
  const char* url = trimmed(str(pkg, "license_url"), buf, size);
  if (!url || !is_iri(url)) {
    url = trimmed(str(pkg, "license_id"), buf, size);
  }
  const char* const title = str(pkg, "license_title");
  if (url && is_iri(url) && strstr(url, "://")) {
    add_iri(m, dataset, DCT "license", url);
    const FdxTerm l = iri_term(url);
    add_type(m, &l, DCT "LicenseDocument");
    add_lit(m, &l, RDFS_LABEL, title, NULL);
    return url;
  }
  const char* const id = str(pkg, "license_id");
  if (id || title) {
    const FdxTerm l = blank(m);
    add(m, dataset, DCT "license", &l);
    add_type(m, &l, DCT "LicenseDocument");
    add_lit(m, &l, RDFS_LABEL, title ? title : id, NULL);
    add_lit(m, &l, DCT "identifier", id, NULL);
  }
  return NULL;
}

/* The package's DCAT-AP statements into m->g. */
static void
map_package(Mapper* const m, const char* const site, const char* const id,
            const char* const iri, const json_t* const pkg)
{
  const FdxTerm d = iri_term(iri);
  add_type(m, &d, DCAT "Dataset");
  const char* const title = str(pkg, "title");
  add_lit(m, &d, DCT "title", title ? title : str(pkg, "name"), NULL);
  add_lit(m, &d, DCT "description", str(pkg, "notes"), NULL);
  const char* const identifier = field_str(pkg, "identifier");
  const char* const guid       = field_str(pkg, "guid");
  add_lit(m, &d, DCT "identifier",
          identifier ? identifier : guid ? guid : id, NULL);
  size_t        i;
  const json_t* item;
  json_array_foreach(json_object_get(pkg, "tags"), i, item)
  {
    const char* const tag = str(item, "name");
    add_lit(m, &d, DCAT "keyword", tag ? tag : str(item, "display_name"),
            NULL);
  }
  const char* const issued   = field_str(pkg, "issued");
  const char* const modified = field_str(pkg, "modified");
  add_date(m, &d, DCT "issued", issued ? issued : str(pkg, "metadata_created"),
           !issued);
  add_date(m, &d, DCT "modified",
           modified ? modified : str(pkg, "metadata_modified"), !modified);
  const char* const version = str(pkg, "version");
  add_lit(m, &d, OWL_VERSION_INFO,
          version ? version : field_str(pkg, "dcat_version"), NULL);
  add_lit(m, &d, ADMS "versionNotes", field_str(pkg, "version_notes"), NULL);
  add_iri_only(m, &d, DCAT "landingPage", str(pkg, "url"), FOAF "Document");
  add_iri_or_lit(m, &d, DCT "accrualPeriodicity", field_str(pkg, "frequency"),
                 DCT "Frequency");
  add_iri_or_lit(m, &d, DCT "type", field_str(pkg, "dcat_type"), NULL);
  add_statement(m, &d, DCT "accessRights", field_str(pkg, "access_rights"),
                DCT "RightsStatement");
  add_statement(m, &d, DCT "provenance", field_str(pkg, "provenance"),
                DCT "ProvenanceStatement");
  static const struct {
    const char* key;
    const char* predicate;
    const char* type; /* of an IRI value */
    bool        iri_only;
  } lists[] = {
    {"language", DCT "language", DCT "LinguisticSystem", false},
    {"theme", DCAT "theme", NULL, true},
    {"conforms_to", DCT "conformsTo", DCT "Standard", false},
    {"documentation", FOAF "page", FOAF "Document", false},
    {"related_resource", DCT "relation", NULL, false},
    {"has_version", DCT "hasVersion", NULL, false},
    {"is_version_of", DCT "isVersionOf", NULL, false},
    {"source", DCT "source", NULL, false},
    {"sample", ADMS "sample", DCAT "Distribution", false},
    {"is_referenced_by", DCT "isReferencedBy", NULL, false},
  };
  for (size_t k = 0; k < sizeof(lists) / sizeof(*lists); ++k) {
    json_t* const values = field_list(pkg, lists[k].key);
    json_array_foreach(values, i, item)
    {
      if (lists[k].iri_only) {
        add_iri_only(m, &d, lists[k].predicate, json_string_value(item),
                     lists[k].type);
      } else {
        add_iri_or_lit(m, &d, lists[k].predicate, json_string_value(item),
                       lists[k].type);
      }
    }
    json_decref(values);
  }
  /* adms:identifier: each alternate identifier as an adms:Identifier. */
  json_t* const alternates = field_list(pkg, "alternate_identifier");
  json_array_foreach(alternates, i, item)
  {
    const FdxTerm a = blank(m);
    add(m, &d, ADMS "identifier", &a);
    add_type(m, &a, ADMS "Identifier");
    add_lit(m, &a, SKOS "notation", json_string_value(item), NULL);
  }
  json_decref(alternates);
  map_spatial(m, &d, pkg);
  map_temporal(m, &d, pkg);
  /* Contact points: ckanext-scheming's "contact" objects, else the
   * contact_* extras with the maintainer and then the author as
   * fallbacks. */
  const json_t* const contacts = json_object_get(pkg, "contact");
  if (json_is_array(contacts) && json_array_size(contacts)) {
    json_array_foreach(contacts, i, item)
    {
      map_contact(m, &d, str(item, "uri"), str(item, "name"),
                  str(item, "email"), str(item, "identifier"));
    }
  } else {
    const char* name  = field_str(pkg, "contact_name");
    const char* email = field_str(pkg, "contact_email");
    name              = name ? name : str(pkg, "maintainer");
    name              = name ? name : str(pkg, "author");
    email             = email ? email : str(pkg, "maintainer_email");
    email             = email ? email : str(pkg, "author_email");
    map_contact(m, &d, field_str(pkg, "contact_uri"), name, email,
                field_str(pkg, "contact_identifier"));
  }
  /* Publisher: ckanext-scheming's "publisher" objects, the publisher_*
   * extras, else the organization at {site}/organization/{id}. */
  const json_t* const publishers = json_object_get(pkg, "publisher");
  const json_t* const org        = json_object_get(pkg, "organization");
  if (json_is_array(publishers) && json_array_size(publishers)) {
    json_array_foreach(publishers, i, item)
    {
      map_agent(m, &d, DCT "publisher", item);
    }
  } else if (field_str(pkg, "publisher_uri") ||
             field_str(pkg, "publisher_name")) {
    map_agent_extras(m, &d, DCT "publisher", pkg, "publisher");
  } else if (json_is_object(org) && (str(org, "id") || str(org, "name"))) {
    char* uri = NULL;
    if (asprintf(&uri, "%s/organization/%s", site,
                 str(org, "id") ? str(org, "id") : str(org, "name")) < 0) {
      m->st = FDX_ERR_NO_MEMORY;
      return;
    }
    const FdxTerm a = is_iri(uri) ? iri_term(uri) : blank(m);
    add(m, &d, DCT "publisher", &a);
    add_type(m, &a, FOAF "Agent");
    add_type(m, &a, FOAF "Organization");
    const char* const name = str(org, "title");
    add_lit(m, &a, FOAF "name", name ? name : str(org, "name"), NULL);
    add_lit(m, &a, FOAF "mbox", str(org, "email"), NULL);
    add_iri_only(m, &a, FOAF "homepage", str(org, "url"), NULL);
    free(uri);
  }
  const json_t* const creators = json_object_get(pkg, "creator");
  if (json_is_array(creators) && json_array_size(creators)) {
    json_array_foreach(creators, i, item)
    {
      map_agent(m, &d, DCT "creator", item);
    }
  } else {
    map_agent_extras(m, &d, DCT "creator", pkg, "creator");
  }
  char              lbuf[2048];
  const char* const licence = map_licence(m, &d, pkg, lbuf, sizeof(lbuf));
  json_array_foreach(json_object_get(pkg, "resources"), i, item)
  {
    if (json_is_object(item)) {
      map_resource(m, site, id, &d, item, licence);
    }
  }
}

/* One package of a page: a record, a record error, or skipped. */
static FdxStatus
read_package(HarvestRun* const run, const char* const site,
             const json_t* const pkg, const size_t index,
             const char* const page_url)
{
  if (!json_is_object(pkg)) {
    run_record_error(run, NULL, "%s: result %zu is not a package object",
                     page_url, index);
    return FDX_SUCCESS;
  }
  const char* const id = str(pkg, "id");
  if (!id) {
    const char* const name = str(pkg, "name");
    run_record_error(run, name, "%s: package %s (result %zu) has no id",
                     page_url, name ? name : "without a name", index);
    return FDX_SUCCESS;
  }
  const char* const type = str(pkg, "type");
  if (json_is_true(json_object_get(pkg, "private")) ||
      (type && !strcmp(type, "harvest"))) {
    return FDX_SUCCESS; /* not published: not a record (so it goes) */
  }
  char        buf[2048];
  const char* uri = trimmed(field_str(pkg, "uri"), buf, sizeof(buf));
  char*       iri = NULL;
  char*       from = NULL;
  if (uri && is_iri(uri)) {
    iri = strdup(uri);
  } else if (asprintf(&iri, "%s/dataset/%s", site, id) < 0) {
    iri = NULL;
  }
  if (asprintf(&from, "%s/api/3/action/package_show?id=%s", site, id) < 0) {
    from = NULL;
  }
  char* const original = json_dumps(pkg, JSON_COMPACT | JSON_SORT_KEYS);
  Mapper      m;
  memset(&m, 0, sizeof(m));
  m.g = fdx_memgraph_new();
  FdxStatus st = iri && from && original && m.g ? FDX_SUCCESS
                                                : FDX_ERR_NO_MEMORY;
  if (!st && (!is_iri(iri) || !is_iri(from))) {
    run_record_error(run, id, "%s: package id %s does not make an IRI",
                     page_url, id);
  } else if (!st) {
    map_package(&m, site, id, iri, pkg);
    if (m.st == FDX_ERR_NO_MEMORY) {
      st = m.st;
    } else if (m.st) {
      run_record_error(run, id, "%s: package %s cannot be mapped: %s",
                       page_url, id, fdx_strerror(m.st));
    } else {
      HarvestRecord record = {id, iri, from, m.g, original,
                              "application/json"};
      m.g = NULL; /* taken */
      st  = run_record(run, &record);
    }
  }
  fdx_memgraph_free(m.g);
  free(original);
  free(from);
  free(iri);
  return st;
}

/* ------------------------------------------------------------------------
 * The listing
 * --------------------------------------------------------------------- */

/* Append `s` percent-encoded (all but RFC 3986 unreserved) to `out`. */
static bool
append_encoded(char** const out, size_t* const len, const char* const s)
{
  static const char hexd[] = "0123456789ABCDEF";
  const size_t      n      = strlen(s);
  char* const       grown  = (char*)realloc(*out, *len + 3 * n + 1);
  if (!grown) {
    return false;
  }
  *out = grown;
  for (size_t i = 0; i < n; ++i) {
    const unsigned char c = (unsigned char)s[i];
    if (isalnum(c) || c == '-' || c == '.' || c == '_' || c == '~') {
      grown[(*len)++] = (char)c;
    } else {
      grown[(*len)++] = '%';
      grown[(*len)++] = hexd[c >> 4];
      grown[(*len)++] = hexd[c & 15];
    }
  }
  grown[*len] = '\0';
  return true;
}

/* The page URL for `start`. */
static char*
page_url(const char* const site, const unsigned long long start,
         const char* const query, const char* const fq)
{
  char*  url = NULL;
  size_t len = 0;
  if (asprintf(&url, "%s/api/3/action/package_search?rows=%d&start=%llu"
                     "&sort=",
               site, ROWS, start) < 0) {
    return NULL;
  }
  len = strlen(url);
  bool ok = append_encoded(&url, &len, "metadata_modified asc");
  if (ok && query) {
    char* const grown = (char*)realloc(url, len + 4);
    ok                = grown != NULL;
    if (ok) {
      url = grown;
      memcpy(url + len, "&q=", 4);
      len += 3;
      ok = append_encoded(&url, &len, query);
    }
  }
  if (ok && fq) {
    char* const grown = (char*)realloc(url, len + 5);
    ok                = grown != NULL;
    if (ok) {
      url = grown;
      memcpy(url + len, "&fq=", 5);
      len += 4;
      ok = append_encoded(&url, &len, fq);
    }
  }
  if (!ok) {
    free(url);
    return NULL;
  }
  return url;
}

/* The Solr filter for an incremental listing: metadata_modified from an
 * hour before `since` (CKAN stores UTC; Solr wants the trailing Z). */
static bool
since_filter(const char* const since, char* const out, const size_t size)
{
  const time_t from = fdx_harvest_time(since);
  if (!from) {
    return false;
  }
  const time_t t = from - SINCE_SLACK_S;
  struct tm    utc;
  gmtime_r(&t, &utc);
  char stamp[32];
  strftime(stamp, sizeof(stamp), "%Y-%m-%dT%H:%M:%SZ", &utc);
  snprintf(out, size, "metadata_modified:[%s TO *]", stamp);
  return true;
}

/* Read one page, the one at `start` (`fq`: the incremental filter or
 * NULL): its packages become records; `*ret_received` and `*ret_count`
 * say how many results it had and the listing's count.  The next page,
 * when the count says there is one, is fetched while they are written. */
static FdxStatus
read_page(HarvestRun* const run, const char* const site,
          const char* const url, const HarvestPage* const page,
          const unsigned long long start, const char* const fq,
          size_t* const ret_received, long long* const ret_count)
{
  const FdxFetchResult* const f = &page->fetch;
  if (!depth_ok(f->body, f->len, MAX_JSON_DEPTH)) {
    run_fail(run, "%s: JSON nested deeper than %d levels: refused", url,
             MAX_JSON_DEPTH);
    return FDX_ERR_LIMIT;
  }
  json_error_t  jerr;
  json_t* const doc = json_loadb(f->body, f->len, 0, &jerr);
  if (!doc) {
    run_fail(run, "%s:%d:%d: not a JSON answer (%s)", url, jerr.line,
             jerr.column, jerr.text);
    return FDX_ERR_SYNTAX;
  }
  FdxStatus           st      = FDX_SUCCESS;
  const json_t* const error   = json_object_get(doc, "error");
  const json_t* const result  = json_object_get(doc, "result");
  const json_t* const count   = json_object_get(result, "count");
  const json_t* const results = json_object_get(result, "results");
  if (!json_is_object(doc)) {
    run_fail(run, "%s: not a CKAN API answer (not a JSON object)", url);
    st = FDX_ERR_SYNTAX;
  } else if (!json_is_true(json_object_get(doc, "success")) ||
             (error && !json_is_null(error))) {
    const char* const message = str(error, "message");
    const char* const type    = str(error, "__type");
    run_fail(run, "%s: the CKAN API answered success:false (%s%s%s)", url,
             type ? type : "no error type", message ? ": " : "",
             message ? message : "");
    st = FDX_ERR_IO;
  } else if (!json_is_integer(count) || json_integer_value(count) < 0 ||
             !json_is_array(results)) {
    run_fail(run, "%s: a package_search answer without result.count and "
                  "result.results",
             url);
    st = FDX_ERR_SYNTAX;
  }
  if (!st && *ret_count >= 0 && json_integer_value(count) != *ret_count) {
    run_fail(run, "%s: the count changed from %lld to %lld while paging: "
                  "the listing is not consistent",
             url, *ret_count, (long long)json_integer_value(count));
    st = FDX_ERR_IO;
  }
  if (!st) {
    *ret_count    = json_integer_value(count);
    *ret_received = json_array_size(results);
    const unsigned long long next = start + *ret_received;
    if (*ret_received && next < (unsigned long long)*ret_count) {
      char* const next_url =
        page_url(site, next, run_source(run)->query, fq);
      if (next_url) {
        run_prefetch(run, next_url, ACCEPT);
      }
      free(next_url);
    }
    size_t        i;
    const json_t* pkg;
    json_array_foreach(results, i, pkg)
    {
      if (run_cancelled(run) || (st = read_package(run, site, pkg, i, url))) {
        break;
      }
    }
  }
  json_decref(doc);
  return st;
}

FdxStatus
adapter_ckan(HarvestRun* const run)
{
  const FdxSource* const source = run_source(run);
  char* const            site   = strdup(source->url);
  if (!site) {
    return FDX_ERR_NO_MEMORY;
  }
  for (size_t n = strlen(site); n && site[n - 1] == '/'; --n) {
    site[n - 1] = '\0';
  }
  char              fq[96];
  const char* const since = run_since(run);
  const bool        incremental = since && since_filter(since, fq, sizeof(fq));
  if (incremental) {
    run_incremental(run);
  }
  FdxStatus          st    = FDX_SUCCESS;
  unsigned long long start = 0;
  long long          count = -1;
  while (!st) {
    char* const url = page_url(site, start, source->query,
                               incremental ? fq : NULL);
    if (!url) {
      st = FDX_ERR_NO_MEMORY;
      break;
    }
    HarvestPage page;
    if ((st = run_page(run, url, ACCEPT, &page))) {
      run_page_clear(&page);
      free(url);
      break;
    }
    size_t received = 0;
    if (page.not_modified) {
      /* The same page as last time: its results count and the listing's
       * count as they were then (saved below). */
      const char* const r = json_string_value(json_array_get(page.links, 0));
      const char* const c = json_string_value(json_array_get(page.links, 1));
      if (!r || !c) {
        run_fail(run, "%s: 304 for a page without saved paging state", url);
        st = FDX_ERR_CORRUPT;
      } else {
        const long long was = strtoll(c, NULL, 10);
        received            = (size_t)strtoull(r, NULL, 10);
        if (count >= 0 && was != count) {
          run_fail(run, "%s: the count changed from %lld to %lld while "
                        "paging: the listing is not consistent",
                   url, count, was);
          st = FDX_ERR_IO;
        }
        count = was;
      }
    } else {
      st = read_page(run, site, url, &page, start, incremental ? fq : NULL,
                     &received, &count);
      if (!st) {
        char r[32], c[32];
        snprintf(r, sizeof(r), "%zu", received);
        snprintf(c, sizeof(c), "%lld", count);
        json_t* const links = json_pack("[s, s]", r, c);
        run_page_links(run, links);
        json_decref(links);
      }
    }
    if (!st) {
      st = run_page_done(run, &page);
    }
    run_page_clear(&page);
    if (!st && run_cancelled(run)) {
      st = FDX_FAILURE; /* the run says "cancelled" */
    }
    if (!st) {
      start += received;
      if (received == 0 && start < (unsigned long long)count) {
        run_fail(run, "%s: no results at %llu of %lld: the listing stopped "
                      "short, nothing is deleted",
                 url, start, count);
        st = FDX_ERR_IO;
      } else if (received == 0 || start >= (unsigned long long)count) {
        free(url);
        break; /* complete */
      }
    }
    free(url);
  }
  free(site);
  return st;
}
