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

/* The harvest provenance: the catalogue record about the dataset. */
static void
html_provenance(Serve* const s, FdxTxn* const txn, const FdxId dataset,
                Buf* const out)
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
      buf_puts(out, "<section><h2>Provenance</h2>\n<dl>\n");
      any = true;
    }
    buf_puts(out, "<dt>Catalogue record</dt><dd>");
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
          html_text(out, rows[k].label);
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

/* The schema.org Dataset description of the friendly JSON `d`. */
static json_t*
schema_org(const json_t* const d, const char* const page_url)
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
  if (json_array_size(v = json_object_get(d, "identifiers"))) {
    json_object_set(out, "identifier", (json_t*)v);
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
  json_t* const dists = json_array();
  size_t        i;
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
    const json_t* const fmt =
      json_object_get(json_object_get(dist, "format"), "label");
    if (json_is_string(fmt)) {
      json_object_set(dd, "encodingFormat", (json_t*)fmt);
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

FdxStatus
serve_dataset_page(Serve* const s, FdxTxn* const txn, const char* const iri,
                   const char* const page_url, Buf* const out)
{
  Doc       doc = {false, 0, 0};
  FdxStatus st  = fdx_search_find(txn, iri, false, on_found, &doc);
  if (st || !doc.found) {
    return st == FDX_ERR_UNSUPPORTED ? FDX_FAILURE : st ? st : FDX_FAILURE;
  }
  Buf text;
  memset(&text, 0, sizeof(text));
  const SearchRender opts = {"en", s->base, 1, 1, 240};
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
  const char* const description =
    json_string_value(json_object_get(d, "description"));
  if (description) {
    buf_puts(out, "<p class=\"description\">");
    html_text(out, description);
    buf_puts(out, "</p>\n");
  }
  buf_puts(out, "<section><h2>About</h2>\n<dl>\n");
  static const struct {
    const char* key;
    const char* label;
  } fields[] = {{"type", "Type"},
                {"publisher", "Publisher"},
                {"contact_points", "Contact"},
                {"keywords", "Keywords"},
                {"themes", "Themes"},
                {"license", "Licence"},
                {"access_rights", "Access rights"},
                {"frequency", "Update frequency"},
                {"issued", "Issued"},
                {"modified", "Modified"},
                {"identifiers", "Identifiers"},
                {"landing_pages", "Landing page"},
                {"languages", "Languages"},
                {"spatial", "Spatial coverage"},
                {"conforms_to", "Conforms to"},
                {"version", "Version"}};
  for (size_t i = 0; i < sizeof(fields) / sizeof(*fields); ++i) {
    html_field(s, out, fields[i].label, json_object_get(d, fields[i].key));
  }
  buf_puts(out, "</dl></section>\n");
  const json_t* const dists = json_object_get(d, "distributions");
  if (json_array_size(dists)) {
    buf_puts(out, "<section><h2>Distributions</h2>\n<table>\n<thead><tr>"
                  "<th>Title</th><th>Format</th><th>Access</th>"
                  "<th>Download</th><th>Licence</th></tr></thead>\n<tbody>\n");
    size_t        i;
    const json_t* dist;
    json_array_foreach(dists, i, dist)
    {
      buf_puts(out, "<tr><td>");
      const char* const title =
        json_string_value(json_object_get(dist, "title"));
      const char* const dist_iri =
        json_string_value(json_object_get(dist, "iri"));
      if (dist_iri) {
        html_link(s, out, dist_iri, title);
      } else if (title) {
        html_text(out, title);
      }
      buf_puts(out, "</td><td>");
      html_ref(s, out, json_object_get(dist, "format"));
      buf_puts(out, "</td><td>");
      html_ref(s, out, json_object_get(dist, "access_url"));
      buf_puts(out, "</td><td>");
      html_ref(s, out, json_object_get(dist, "download_url"));
      buf_puts(out, "</td><td>");
      html_ref(s, out, json_object_get(dist, "license"));
      buf_puts(out, "</td></tr>\n");
    }
    buf_puts(out, "</tbody></table></section>\n");
  }
  html_provenance(s, txn, doc.s, out);
  /* schema.org for dataset search engines; "</" cannot end the script. */
  json_t* const so   = schema_org(d, page_url);
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
