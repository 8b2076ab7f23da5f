/*
 * serve_page.c: the HTML dataset page of the Linked Data routes: a
 * dataset's, data service's or series' fields as a reader wants them (from
 * the same friendly JSON as /api/datasets/{id}), its distributions with
 * their links, where a harvested record came from, and an embedded
 * schema.org Dataset description (<script type="application/ld+json">)
 * for dataset search engines.  Server-rendered: it needs no JavaScript.
 */
#include "search_render.h"
#include "serve.h"
#include "serve_page.h"
#include "serve_ui.h"

#include "fairdex/search.h"

#include <jansson.h>

#include <stdlib.h>
#include <string.h>

#define FOAF_PRIMARY_TOPIC "http://xmlns.com/foaf/0.1/primaryTopic"
#define PROV "http://www.w3.org/ns/prov#"
#define DCT "http://purl.org/dc/terms/"

typedef struct {
  bool  found;
  FdxId g, s;
} Doc;

static void
on_found(void* const ctx, const FdxId g, const FdxId s)
{
  Doc* const d = (Doc*)ctx;
  if (!d->found) {
    *d = (Doc){true, g, s};
  }
}

static void
html_text(Buf* const out, const char* const s)
{
  buf_html(out, s, strlen(s));
}

/* A link to `iri` (local when under the base) labelled `label` or the
 * IRI. */
static void
html_link(Serve* const s, Buf* const out, const char* const iri,
          const char* const label)
{
  buf_puts(out, "<a href=\"");
  Buf href;
  memset(&href, 0, sizeof(href));
  serve_link(s, &href, iri, strlen(iri));
  buf_html(out, href.data ? href.data : iri, href.data ? href.len : strlen(iri));
  buf_free(&href);
  buf_puts(out, "\">");
  html_text(out, label && *label ? label : iri);
  buf_puts(out, "</a>");
}

/* A {"iri", "label"} reference, a plain string, or nothing. */
static void
html_ref(Serve* const s, Buf* const out, const json_t* const v)
{
  if (json_is_string(v)) {
    const char* const t = json_string_value(v);
    if (!strncmp(t, "http://", 7) || !strncmp(t, "https://", 8)) {
      html_link(s, out, t, NULL);
    } else {
      html_text(out, t);
    }
  } else if (json_is_object(v)) {
    const char* const iri   = json_string_value(json_object_get(v, "iri"));
    const char* const label = json_string_value(json_object_get(v, "label"));
    if (iri) {
      html_link(s, out, iri, label);
    } else if (label) {
      html_text(out, label);
    }
  }
}

/* One row of the field list, when `v` has something. */
static void
html_field(Serve* const s, Buf* const out, const char* const name,
           const json_t* const v)
{
  if (!v || json_is_null(v) || (json_is_array(v) && !json_array_size(v))) {
    return;
  }
  buf_puts(out, "<dt>");
  html_text(out, name);
  buf_puts(out, "</dt><dd>");
  if (json_is_array(v)) {
    size_t        i;
    const json_t* item;
    json_array_foreach(v, i, item)
    {
      if (i) {
        buf_puts(out, ", ");
      }
      html_ref(s, out, item);
    }
  } else {
    html_ref(s, out, v);
  }
  buf_puts(out, "</dd>\n");
}

/* A dcat:byteSize as people read it (1.2 MB), else as written. */
static void
html_size(Buf* const out, const char* const text)
{
  char*        end = NULL;
  const double n   = text ? strtod(text, &end) : 0;
  if (!text) {
    return;
  }
  if (end == text || *end || n < 0) {
    html_text(out, text);
    return;
  }
  static const char* const units[] = {"B", "kB", "MB", "GB", "TB", "PB"};
  double                   v       = n;
  size_t                   u       = 0;
  while (v >= 1000 && u + 1 < sizeof(units) / sizeof(*units)) {
    v /= 1000;
    ++u;
  }
  buf_printf(out, u ? "%.1f %s" : "%.0f %s", v, units[u]);
}

/* The harvest provenance: the catalogue record about the dataset. */
static void
html_provenance(Serve* const s, FdxTxn* const txn, const FdxId dataset,
                const char* const lang, Buf* const out)
{
  const FdxTerm topic_t = fdx_term_iri(FOAF_PRIMARY_TOPIC);
  FdxId         topic;
  if (fdx_term_id(txn, &topic_t, &topic)) {
    return;
  }
  const FdxQuad pattern = {FDX_ID_ANY, topic, dataset, FDX_ID_ANY};
  FdxQuadIter*  it      = NULL;
  FdxQuad       q;
  bool          any = false;
  if (fdx_quad_find(txn, &pattern, &it)) {
    return;
  }
  while (!fdx_quad_iter_next(it, &q)) {
    static const struct {
      const char* pred;
      const char* label;
    } rows[] = {{PROV "wasDerivedFrom", "Harvested from"},
                {DCT "modified", "Harvested at"},
                {DCT "issued", "First harvested"},
                {DCT "identifier", "Source record"}};
    FdxTermBuf rec;
    if (fdx_term_get(txn, q.s, &rec) || rec.term.kind != FDX_TERM_IRI) {
      continue;
    }
    char* const rec_iri = strndup(rec.term.value, rec.term.value_len);
    if (!any) {
      buf_printf(out, "<section><h2>%s</h2>\n<dl class=\"fields\">\n",
                 serve_ui_text(lang, "Provenance"));
      any = true;
    }
    buf_printf(out, "<dt>%s</dt><dd>", serve_ui_text(lang, "Catalogue record"));
    html_link(s, out, rec_iri ? rec_iri : "", NULL);
    buf_puts(out, "</dd>\n");
    free(rec_iri);
    for (size_t k = 0; k < sizeof(rows) / sizeof(*rows); ++k) {
      const FdxTerm pt = fdx_term_iri(rows[k].pred);
      FdxId         p;
      if (fdx_term_id(txn, &pt, &p)) {
        continue;
      }
      const FdxQuad vq  = {q.s, p, FDX_ID_ANY, q.g};
      FdxQuadIter*  vit = NULL;
      FdxQuad       v;
      if (!fdx_quad_find(txn, &vq, &vit) && !fdx_quad_iter_next(vit, &v)) {
        FdxTermBuf vb;
        if (!fdx_term_get(txn, v.o, &vb)) {
          char* const text = strndup(vb.term.value, vb.term.value_len);
          buf_puts(out, "<dt>");
          html_text(out, serve_ui_text(lang, rows[k].label));
          buf_puts(out, "</dt><dd>");
          if (text && vb.term.kind == FDX_TERM_IRI) {
            html_link(s, out, text, NULL);
          } else if (text) {
            html_text(out, text);
          }
          buf_puts(out, "</dd>\n");
          free(text);
        }
      }
      fdx_quad_iter_free(vit);
    }
  }
  fdx_quad_iter_free(it);
  if (any) {
    buf_puts(out, "</dl></section>\n");
  }
}

/* A JSON string of `v`'s "label" (or itself, when a string), else NULL. */
static json_t*
label_of(const json_t* const v)
{
  const json_t* const label =
    json_is_string(v) ? v : json_object_get(v, "label");
  return json_is_string(label) ? (json_t*)label : NULL;
}

/* The schema.org Dataset description of the friendly JSON `d` (Google's
 * Dataset Search reads it: name and description are required; url,
 * identifier, keywords, license, creator, temporalCoverage,
 * spatialCoverage, version, isPartOf and distribution are recommended). */
static json_t*
schema_org(Serve* const s, const json_t* const d, const char* const page_url)
{
  json_t* const out = json_pack("{s:s, s:s, s:O, s:s}", "@context",
                                "https://schema.org/", "@type", "Dataset",
                                "@id", json_object_get(d, "iri"), "url",
                                page_url);
  const json_t* v;
  if ((v = json_object_get(d, "title")) && json_is_string(v)) {
    json_object_set(out, "name", (json_t*)v);
  }
  if ((v = json_object_get(d, "description")) && json_is_string(v)) {
    json_object_set(out, "description", (json_t*)v);
  }
  if (json_array_size(v = json_object_get(d, "keywords"))) {
    json_object_set(out, "keywords", (json_t*)v);
  }
  if ((v = json_object_get(d, "issued")) && json_is_string(v)) {
    json_object_set(out, "datePublished", (json_t*)v);
  }
  if ((v = json_object_get(d, "modified")) && json_is_string(v)) {
    json_object_set(out, "dateModified", (json_t*)v);
  }
  if ((v = json_object_get(d, "version")) && json_is_string(v)) {
    json_object_set(out, "version", (json_t*)v);
  }
  const json_t* const lic = json_object_get(json_object_get(d, "license"), "iri");
  if (json_is_string(lic)) {
    json_object_set(out, "license", (json_t*)lic);
  }
  const json_t* const pub = json_object_get(d, "publisher");
  if (json_is_object(pub)) {
    json_t* const org = json_pack("{s:s}", "@type", "Organization");
    if (json_is_string(json_object_get(pub, "iri"))) {
      json_object_set(org, "@id", json_object_get(pub, "iri"));
    }
    if (json_is_string(json_object_get(pub, "label"))) {
      json_object_set(org, "name", json_object_get(pub, "label"));
    }
    json_object_set(out, "publisher", org);
    json_object_set_new(out, "creator", org);
  }
  size_t        i;
  const json_t* item;
  /* One identifier (the shapes allow one): the first dct:identifier,
   * else the first adms:identifier as a PropertyValue; a DOI among the
   * adms:identifiers also becomes sameAs, its resolvable URL. */
  const json_t* const first_id =
    json_array_get(json_object_get(d, "identifiers"), 0);
  json_array_foreach(json_object_get(d, "other_identifiers"), i, item)
  {
    const char* const notation =
      json_string_value(json_object_get(item, "notation"));
    if (!notation) {
      continue;
    }
    if (!json_object_get(out, "identifier") && !json_is_string(first_id)) {
      json_t* const pv = json_pack("{s:s, s:s}", "@type", "PropertyValue",
                                   "value", notation);
      const json_t* const agency = json_object_get(item, "scheme_agency");
      if (json_is_string(agency)) {
        json_object_set(pv, "propertyID", (json_t*)agency);
      }
      json_object_set_new(out, "identifier", pv);
    }
    const char* const doi = !strncmp(notation, "10.", 3) ? notation
                            : strstr(notation, "doi.org/10.")
                              ? strstr(notation, "doi.org/") + 8
                              : NULL;
    if (doi && !json_object_get(out, "sameAs")) {
      char url[512];
      snprintf(url, sizeof(url), "https://doi.org/%s", doi);
      json_object_set_new(out, "sameAs", json_string(url));
    }
  }
  if (json_is_string(first_id)) {
    json_object_set(out, "identifier", (json_t*)first_id);
  }
  /* "start/end" in ISO 8601, ".." for an open end. */
  json_array_foreach(json_object_get(d, "temporal"), i, item)
  {
    const char* const start = json_string_value(json_object_get(item, "start"));
    const char* const end   = json_string_value(json_object_get(item, "end"));
    if (start || end) {
      char range[160];
      snprintf(range, sizeof(range), "%s/%s", start ? start : "..",
               end ? end : "..");
      json_object_set_new(out, "temporalCoverage", json_string(range));
      break;
    }
  }
  /* One Place (the shapes allow one) naming every area covered. */
  json_t* const same = json_array();
  Buf           names;
  memset(&names, 0, sizeof(names));
  json_array_foreach(json_object_get(d, "spatial"), i, item)
  {
    if (json_is_string(json_object_get(item, "iri"))) {
      json_array_append(same, json_object_get(item, "iri"));
    }
    if (label_of(item)) {
      buf_puts(&names, names.len ? ", " : "");
      buf_puts(&names, json_string_value(label_of(item)));
    }
  }
  if (json_array_size(same) || names.len) {
    json_t* const place = json_pack("{s:s}", "@type", "Place");
    if (json_array_size(same) == 1) {
      json_object_set(place, "sameAs", json_array_get(same, 0));
    } else if (json_array_size(same)) {
      json_object_set(place, "sameAs", same);
    }
    if (names.len && !names.failed) {
      json_object_set_new(place, "name", json_string(names.data));
    }
    json_object_set_new(out, "spatialCoverage", place);
  }
  json_decref(same);
  buf_free(&names);
  const json_t* const access =
    json_object_get(json_object_get(d, "access_rights"), "iri");
  if (json_is_string(access)) {
    json_object_set_new(
      out, "isAccessibleForFree",
      json_boolean(!strcmp(json_string_value(access),
                           "http://publications.europa.eu/resource/authority/"
                           "access-right/PUBLIC")));
  }
  json_array_foreach(json_object_get(d, "related"), i, item)
  {
    const json_t* const iri =
      json_object_get(json_object_get(item, "resource"), "iri");
    const char* const relation =
      json_string_value(json_object_get(item, "relation"));
    if (relation && !strcmp(relation, "in_series") && json_is_string(iri)) {
      /* As a URL: a node typed Dataset would be held to the required
       * properties of one. */
      json_object_set(out, "isPartOf", (json_t*)iri);
      break;
    }
  }
  Buf catalog;
  memset(&catalog, 0, sizeof(catalog));
  buf_puts(&catalog, s->base);
  buf_puts(&catalog, "catalog");
  json_object_set_new(out, "includedInDataCatalog",
                      json_pack("{s:s, s:s, s:s}", "@type", "DataCatalog",
                                "name", "fairdex", "url",
                                catalog.data ? catalog.data : ""));
  buf_free(&catalog);
  json_t* const dists = json_array();
  const json_t* dist;
  json_array_foreach(json_object_get(d, "distributions"), i, dist)
  {
    json_t* const dd = json_pack("{s:s}", "@type", "DataDownload");
    const json_t* url = json_object_get(dist, "download_url");
    if (!json_is_string(url)) {
      url = json_object_get(dist, "access_url");
    }
    if (json_is_string(url)) {
      json_object_set(dd, "contentUrl", (json_t*)url);
    }
    /* A media type where there is one, else the format's label. */
    const json_t* fmt = json_object_get(dist, "media_type");
    if (json_is_string(fmt)) {
      const char* const mt = json_string_value(fmt);
      const char* const slash = strstr(mt, "/media-types/");
      if (slash) { /* https://www.iana.org/assignments/media-types/text/csv */
        fmt = json_string(slash + 13);
        json_object_set_new(dd, "encodingFormat", (json_t*)fmt);
        fmt = NULL;
      } else {
        json_object_set(dd, "encodingFormat", (json_t*)fmt);
      }
    } else if ((fmt = label_of(json_object_get(dist, "format")))) {
      json_object_set(dd, "encodingFormat", (json_t*)fmt);
    }
    if (json_is_string(json_object_get(dist, "byte_size"))) {
      char size[96];
      snprintf(size, sizeof(size), "%s B",
               json_string_value(json_object_get(dist, "byte_size")));
      json_object_set_new(dd, "contentSize", json_string(size));
    }
    if (json_is_string(json_object_get(dist, "title"))) {
      json_object_set(dd, "name", json_object_get(dist, "title"));
    }
    json_array_append_new(dists, dd);
  }
  if (json_array_size(dists)) {
    json_object_set(out, "distribution", dists);
  }
  json_decref(dists);
  return out;
}

/* The dataset's fields that are not plain references: temporal coverage,
 * other identifiers, provenance statements. */
static void
html_special(Buf* const out, const json_t* const d, const char* const key,
             const char* const lang)
{
  const json_t* const v = json_object_get(d, key);
  size_t              i;
  const json_t*       item;
  if (!json_array_size(v)) {
    return;
  }
  const bool temporal = !strcmp(key, "temporal");
  const bool ids      = !strcmp(key, "other_identifiers");
  buf_printf(out, "<dt>%s</dt><dd>",
             serve_ui_text(lang, temporal ? "Temporal coverage"
                                 : ids    ? "Other identifiers"
                                          : "Provenance statement"));
  json_array_foreach(v, i, item)
  {
    if (temporal) {
      const char* const start =
        json_string_value(json_object_get(item, "start"));
      const char* const end = json_string_value(json_object_get(item, "end"));
      buf_puts(out, i ? "<br>" : "");
      html_text(out, start ? start : "…");
      buf_puts(out, " – ");
      html_text(out, end ? end : "…");
    } else if (ids) {
      const char* const notation =
        json_string_value(json_object_get(item, "notation"));
      const char* const agency =
        json_string_value(json_object_get(item, "scheme_agency"));
      if (notation) {
        buf_puts(out, i ? ", " : "");
        html_text(out, notation);
        if (agency) {
          buf_puts(out, " <small>(");
          html_text(out, agency);
          buf_puts(out, ")</small>");
        }
      }
    } else if (json_is_string(item)) {
      buf_puts(out, "<p>");
      html_text(out, json_string_value(item));
      buf_puts(out, "</p>");
    }
  }
  buf_puts(out, "</dd>\n");
}

FdxStatus
serve_dataset_page(Serve* const s, FdxTxn* const txn, const char* const iri,
                   const char* const page_url, const char* const lang,
                   Buf* const title, Buf* const out)
{
  Doc       doc = {false, 0, 0};
  FdxStatus st  = fdx_search_find(txn, iri, false, on_found, &doc);
  if (st || !doc.found) {
    return st == FDX_ERR_UNSUPPORTED ? FDX_FAILURE : st ? st : FDX_FAILURE;
  }
  Buf text;
  memset(&text, 0, sizeof(text));
  const SearchRender opts = {lang, s->base, 1, 1, 240};
  if ((st = search_render_dataset(txn, doc.g, doc.s, &opts, &text))) {
    buf_free(&text);
    return st;
  }
  json_error_t  jerr;
  json_t* const d = json_loadb(text.data ? text.data : "", text.len, 0, &jerr);
  buf_free(&text);
  if (!d) {
    return FDX_ERR_CORRUPT;
  }
  const char* const title_text = json_string_value(json_object_get(d, "title"));
  if (title_text) {
    buf_puts(title, title_text);
  }
  const char* const description =
    json_string_value(json_object_get(d, "description"));
  if (description) {
    buf_puts(out, "<p class=\"description\">");
    html_text(out, description);
    buf_puts(out, "</p>\n");
  }
  buf_printf(out, "<section><h2>%s</h2>\n<dl class=\"fields\">\n",
             serve_ui_text(lang, "About"));
  /* Every DCAT-AP / HealthDCAT-AP field the friendly JSON has, in the
   * order a reader looks for them; NULL keys are html_special()'s. */
  static const struct {
    const char* key;
    const char* label;
  } fields[] = {{"type", "Type"},
                {"publisher", "Publisher"},
                {"contact_points", "Contact"},
                {"keywords", "Keywords"},
                {"themes", "Themes"},
                {"health_categories", "Health categories"},
                {"license", "Licence"},
                {"access_rights", "Access rights"},
                {"applicable_legislation", "Applicable legislation"},
                {"temporal", NULL},
                {"spatial", "Spatial coverage"},
                {"frequency", "Update frequency"},
                {"issued", "Issued"},
                {"modified", "Modified"},
                {"identifiers", "Identifiers"},
                {"other_identifiers", NULL},
                {"version", "Version"},
                {"version_notes", "Version notes"},
                {"languages", "Languages"},
                {"landing_pages", "Landing page"},
                {"documentation", "Documentation"},
                {"conforms_to", "Conforms to"},
                {"provenance", NULL}};
  for (size_t i = 0; i < sizeof(fields) / sizeof(*fields); ++i) {
    if (fields[i].label) {
      html_field(s, out, serve_ui_text(lang, fields[i].label),
                 json_object_get(d, fields[i].key));
    } else {
      html_special(out, d, fields[i].key, lang);
    }
  }
  buf_puts(out, "</dl></section>\n");
  const json_t* const related = json_object_get(d, "related");
  if (json_array_size(related)) {
    static const char* const relation_labels[][2] = {
      {"in_series", "Part of the series"},
      {"relation", "Related resource"},
      {"source", "Source"},
      {"has_version", "Has version"},
      {"is_version_of", "Version of"},
      {"is_referenced_by", "Referenced by"},
      {"references", "References"},
      {"requires", "Requires"},
      {"sample", "Sample"}};
    buf_printf(out, "<section><h2>%s</h2>\n<dl class=\"fields\">\n",
               serve_ui_text(lang, "Related resources"));
    size_t        i;
    const json_t* rel;
    json_array_foreach(related, i, rel)
    {
      const char* const name =
        json_string_value(json_object_get(rel, "relation"));
      const char* label = name ? name : "";
      for (size_t k = 0; name && k < sizeof(relation_labels) /
                                       sizeof(*relation_labels); ++k) {
        if (!strcmp(relation_labels[k][0], name)) {
          label = serve_ui_text(lang, relation_labels[k][1]);
        }
      }
      buf_puts(out, "<dt>");
      html_text(out, label);
      buf_puts(out, "</dt><dd>");
      html_ref(s, out, json_object_get(rel, "resource"));
      buf_puts(out, "</dd>\n");
    }
    buf_puts(out, "</dl></section>\n");
  }
  const json_t* const dists = json_object_get(d, "distributions");
  if (json_array_size(dists)) {
    buf_printf(out,
               "<section><h2>%s</h2>\n<div class=\"table-wrap\"><table>\n"
               "<thead><tr><th>%s</th><th>%s</th><th>%s</th><th>%s</th>"
               "<th>%s</th><th>%s</th></tr></thead>\n<tbody>\n",
               serve_ui_text(lang, "Distributions"),
               serve_ui_text(lang, "Title"), serve_ui_text(lang, "Format"),
               serve_ui_text(lang, "Access"), serve_ui_text(lang, "Download"),
               serve_ui_text(lang, "Licence"), serve_ui_text(lang, "Size"));
    size_t        i;
    const json_t* dist;
    json_array_foreach(dists, i, dist)
    {
      buf_puts(out, "<tr><td>");
      const char* const dist_title =
        json_string_value(json_object_get(dist, "title"));
      const char* const dist_iri =
        json_string_value(json_object_get(dist, "iri"));
      if (dist_iri) {
        html_link(s, out, dist_iri, dist_title);
      } else if (dist_title) {
        html_text(out, dist_title);
      }
      buf_puts(out, "</td><td>");
      html_ref(s, out, json_object_get(dist, "format"));
      if (!json_is_object(json_object_get(dist, "format"))) {
        html_ref(s, out, json_object_get(dist, "media_type"));
      }
      buf_puts(out, "</td><td>");
      html_ref(s, out, json_object_get(dist, "access_url"));
      buf_puts(out, "</td><td>");
      html_ref(s, out, json_object_get(dist, "download_url"));
      buf_puts(out, "</td><td>");
      html_ref(s, out, json_object_get(dist, "license"));
      buf_puts(out, "</td><td>");
      html_size(out, json_string_value(json_object_get(dist, "byte_size")));
      buf_puts(out, "</td></tr>\n");
    }
    buf_puts(out, "</tbody></table></div></section>\n");
  }
  html_provenance(s, txn, doc.s, lang, out);
  /* schema.org for dataset search engines; "</" cannot end the script. */
  json_t* const so   = schema_org(s, d, page_url);
  char* const   json = so ? json_dumps(so, JSON_INDENT(1) | JSON_PRESERVE_ORDER |
                                              JSON_ESCAPE_SLASH)
                          : NULL;
  json_decref(so);
  json_decref(d);
  if (json) {
    buf_puts(out, "<script type=\"application/ld+json\">\n");
    buf_puts(out, json);
    buf_puts(out, "\n</script>\n");
    free(json);
  }
  return out->failed ? FDX_ERR_NO_MEMORY : FDX_SUCCESS;
}
