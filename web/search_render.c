/*
 * search_render.c: the JSON of the search API (see search_render.h).
 *
 * A result or a dataset is read straight from its graph's quads when it is
 * rendered: the index holds what ranking and facets need, the store holds
 * the description, so the JSON can never disagree with SPARQL.  Labels of
 * the things a dataset points at (publisher, themes, formats, licences)
 * come from fdx_search_label_id() (cached for the render), in the
 * language asked for, falling back
 * to English, then to any.
 */
#include "search_render.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#define RDF "http://www.w3.org/1999/02/22-rdf-syntax-ns#"
#define DCT "http://purl.org/dc/terms/"
#define DCAT "http://www.w3.org/ns/dcat#"
#define ADMS "http://www.w3.org/ns/adms#"
#define FOAF "http://xmlns.com/foaf/0.1/"

/* What the renderer reads of a resource, by predicate. */
enum {
  P_TYPE,
  P_TITLE,
  P_DESCRIPTION,
  P_KEYWORD,
  P_THEME,
  P_PUBLISHER,
  P_CONTACT,
  P_LICENSE,
  P_ACCESS_RIGHTS,
  P_ISSUED,
  P_MODIFIED,
  P_IDENTIFIER,
  P_LANDING,
  P_LANGUAGE,
  P_SPATIAL,
  P_TEMPORAL,
  P_DISTRIBUTION,
  P_ACCESS_URL,
  P_DOWNLOAD_URL,
  P_FORMAT,
  P_MEDIA_TYPE,
  P_FREQUENCY,
  P_CONFORMS,
  P_VERSION,      /* dcat:version (DCAT 3) */
  P_VERSION_INFO, /* owl:versionInfo (DCAT-AP 2) */
  P_START,        /* of a dct:PeriodOfTime */
  P_END,
  P_LABEL,        /* rdfs:label, of a dct:ProvenanceStatement */
  P_NOTATION,     /* skos:notation, of an adms:Identifier */
  P_SCHEME_AGENCY,
  P_PROVENANCE,
  P_OTHER_ID,
  P_VERSION_NOTES,
  P_PAGE,
  P_HEALTH_CATEGORY, /* HealthDCAT-AP */
  P_LEGISLATION,     /* DCAT-AP 3 applicableLegislation */
  P_BYTE_SIZE,
  /* Related resources, in the order the page lists them (RELATED_FIRST
   * to N_PREDS; their names are related_names[]). */
  P_IN_SERIES,
  P_RELATION,
  P_SOURCE,
  P_HAS_VERSION,
  P_IS_VERSION_OF,
  P_REFERENCED_BY,
  P_REFERENCES,
  P_REQUIRES,
  P_SAMPLE,
  N_PREDS
};
#define RELATED_FIRST P_IN_SERIES

static const char* const related_names[N_PREDS - RELATED_FIRST] = {
  "in_series",     "relation",         "source",
  "has_version",   "is_version_of",    "is_referenced_by",
  "references",    "requires",         "sample"};

static const char* const pred_iris[N_PREDS] = {
  RDF "type",           DCT "title",        DCT "description",
  DCAT "keyword",       DCAT "theme",       DCT "publisher",
  DCAT "contactPoint",  DCT "license",      DCT "accessRights",
  DCT "issued",         DCT "modified",     DCT "identifier",
  DCAT "landingPage",   DCT "language",     DCT "spatial",
  DCT "temporal",       DCAT "distribution", DCAT "accessURL",
  DCAT "downloadURL",   DCT "format",       DCAT "mediaType",
  DCT "accrualPeriodicity", DCT "conformsTo", DCAT "version",
  "http://www.w3.org/2002/07/owl#versionInfo",
  DCAT "startDate",     DCAT "endDate",
  "http://www.w3.org/2000/01/rdf-schema#label",
  "http://www.w3.org/2004/02/skos/core#notation",
  ADMS "schemeAgency",  DCT "provenance",   ADMS "identifier",
  ADMS "versionNotes",  FOAF "page",
  "http://healthdataportal.eu/ns/health#healthCategory",
  "http://data.europa.eu/r5r/applicableLegislation",
  DCAT "byteSize",
  DCAT "inSeries",      DCT "relation",     DCT "source",
  DCT "hasVersion",     DCT "isVersionOf",  DCT "isReferencedBy",
  DCT "references",     DCT "requires",     ADMS "sample"};

/* Labels found by earlier renders of this thread (the same publisher,
 * themes and formats come back in many results, in the facets, and in
 * the next request): id -> label id, 0 for none, valid for the store,
 * store generation (labels change only with quads) and language it was
 * filled in. */
#define LABEL_SLOTS 512
static _Thread_local struct {
  uint64_t      store; /* fdx_store_instance() */
  char          lang[24];
  uint64_t      generation;
  FdxId         id[LABEL_SLOTS];
  FdxId         label[LABEL_SLOTS];
} labels;

/* The label of `id` in `lang` into `buf`, through the cache. */
static FdxStatus
cached_label(FdxTxn* const txn, const FdxId id, const char* const lang,
             FdxTermBuf* const buf)
{
  const char* const want = lang ? lang : "";
  if (labels.store != fdx_store_instance(fdx_txn_store(txn)) ||
      strncmp(labels.lang, want, sizeof(labels.lang)) ||
      labels.generation != fdx_txn_generation(txn)) {
    memset(labels.id, 0, sizeof(labels.id));
    labels.store = fdx_store_instance(fdx_txn_store(txn));
    snprintf(labels.lang, sizeof(labels.lang), "%s", want);
    labels.generation = fdx_txn_generation(txn);
  }
  const size_t slot = (size_t)((id * 0x9E3779B97F4A7C15ull) >> 55) &
                      (LABEL_SLOTS - 1);
  if (labels.id[slot] != id) {
    FdxId           label = 0;
    const FdxStatus st    = fdx_search_label_id(txn, id, lang, &label);
    if (st && st != FDX_FAILURE) {
      return st;
    }
    labels.id[slot]    = id;
    labels.label[slot] = label;
  }
  return labels.label[slot] ? fdx_term_get(txn, labels.label[slot], buf)
                            : FDX_FAILURE;
}

/* A resource's objects per predicate (ids), read from one graph. */
#define MAX_VALUES 64
typedef struct {
  FdxId  pred[N_PREDS];
  FdxId  values[N_PREDS][MAX_VALUES];
  size_t n[N_PREDS];
} View;

static FdxStatus
read_view(FdxTxn* const txn, const FdxId g, const FdxId s, View* const v)
{
  memset(v->n, 0, sizeof(v->n));
  const FdxQuad pattern = {s, FDX_ID_ANY, FDX_ID_ANY, g};
  FdxQuadIter*  it      = NULL;
  FdxStatus     st      = fdx_quad_find(txn, &pattern, &it);
  if (st) {
    return st;
  }
  FdxQuad q;
  while (!(st = fdx_quad_iter_next(it, &q))) {
    for (int p = 0; p < N_PREDS; ++p) {
      if (v->pred[p] && v->pred[p] == q.p) {
        if (v->n[p] < MAX_VALUES) {
          v->values[p][v->n[p]++] = q.o;
        }
        break;
      }
    }
  }
  fdx_quad_iter_free(it);
  return st == FDX_FAILURE ? FDX_SUCCESS : st;
}

static FdxStatus
view_init(FdxTxn* const txn, View* const v)
{
  for (int p = 0; p < N_PREDS; ++p) {
    const FdxTerm   t  = fdx_term_iri(pred_iris[p]);
    const FdxStatus st = fdx_term_id(txn, &t, &v->pred[p]);
    if (st == FDX_FAILURE) {
      v->pred[p] = 0;
    } else if (st) {
      return st;
    }
  }
  return FDX_SUCCESS;
}

/* The best literal among values[0..n) for `lang`, or 0. */
static FdxId
best_literal(FdxTxn* const      txn,
             const FdxId* const values,
             const size_t       n,
             const char* const  lang)
{
  FdxId      best      = 0;
  int        best_rank = 100;
  FdxTermBuf buf;
  for (size_t i = 0; i < n; ++i) {
    if (fdx_term_get(txn, values[i], &buf) ||
        buf.term.kind != FDX_TERM_LITERAL) {
      continue;
    }
    const int r = fdx_search_lang_rank(&buf.term, lang);
    if (r < best_rank) {
      best_rank = r;
      best      = values[i];
    }
  }
  return best;
}

/* `"key": "text"` of a term's lexical form or IRI; null if it cannot be
 * read. */
static void
put_term_text(FdxTxn* const txn, Buf* const out, const FdxId id)
{
  FdxTermBuf buf;
  if (!id || fdx_term_get(txn, id, &buf)) {
    buf_puts(out, "null");
    return;
  }
  buf_json_string(out, buf.term.value, buf.term.value_len);
}

/* {"iri": ..., "label": ...} for an IRI (label from the store, else
 * null); a literal gives {"iri": null, "label": its text}; a blank node
 * {"iri": null, "label": its label or null}. */
static void
put_ref(FdxTxn* const txn, Buf* const out, const FdxId id,
        const char* const lang)
{
  FdxTermBuf buf;
  if (fdx_term_get(txn, id, &buf)) {
    buf_puts(out, "null");
    return;
  }
  buf_puts(out, "{\"iri\": ");
  if (buf.term.kind == FDX_TERM_IRI) {
    buf_json_string(out, buf.term.value, buf.term.value_len);
  } else {
    buf_puts(out, "null");
  }
  buf_puts(out, ", \"label\": ");
  if (buf.term.kind == FDX_TERM_LITERAL) {
    buf_json_string(out, buf.term.value, buf.term.value_len);
  } else if (!cached_label(txn, id, lang, &buf)) {
    buf_json_string(out, buf.term.value, buf.term.value_len);
  } else {
    buf_puts(out, "null");
  }
  buf_puts(out, "}");
}

static void
put_refs(FdxTxn* const txn, Buf* const out, const View* const v, const int p,
         const char* const lang)
{
  buf_puts(out, "[");
  for (size_t i = 0; i < v->n[p]; ++i) {
    buf_puts(out, i ? ", " : "");
    put_ref(txn, out, v->values[p][i], lang);
  }
  buf_puts(out, "]");
}

/* A JSON array of the texts of values (keywords: distinct, those in
 * `lang` or untagged first). */
static void
put_texts(FdxTxn* const txn, Buf* const out, const View* const v, const int p,
          const char* const lang)
{
  buf_puts(out, "[");
  bool first = true;
  for (int pass = 0; pass < 2; ++pass) {
    for (size_t i = 0; i < v->n[p]; ++i) {
      FdxTermBuf buf;
      if (fdx_term_get(txn, v->values[p][i], &buf)) {
        continue;
      }
      const bool preferred =
        buf.term.kind != FDX_TERM_LITERAL || fdx_search_lang_rank(&buf.term, lang) <= 1 ||
        !buf.term.lang;
      if (preferred != (pass == 0)) {
        continue;
      }
      buf_puts(out, first ? "" : ", ");
      first = false;
      buf_json_string(out, buf.term.value, buf.term.value_len);
    }
  }
  buf_puts(out, "]");
}

void
search_render_id(const SearchRender* const opts,
                 const char* const         iri,
                 const size_t              len,
                 Buf* const                out)
{
  const size_t blen = opts->base ? strlen(opts->base) : 0;
  static const char seg[] = "dataset/";
  if (blen && len > blen + 8 && !strncmp(iri, opts->base, blen) &&
      !strncmp(iri + blen, seg, 8)) {
    const char* const rest = iri + blen + 8;
    const size_t      n    = len - blen - 8;
    bool              ok   = n > 0;
    for (size_t i = 0; i < n && ok; ++i) {
      ok = rest[i] != '/' && rest[i] != '?' && rest[i] != '#' &&
           (unsigned char)rest[i] > ' ';
    }
    if (ok) {
      buf_json_string(out, rest, n);
      return;
    }
  }
  char id[18];
  fdx_search_hash_id(iri, len, id);
  buf_json_string(out, id, 17);
}

/* The text of the best-language literal, or NULL. */
static bool
best_text(FdxTxn* const txn, const View* const v, const int p,
          const char* const lang, FdxTermBuf* const buf)
{
  const FdxId id = best_literal(txn, v->values[p], v->n[p], lang);
  return id && !fdx_term_get(txn, id, buf);
}

/* The fields a result and a dataset share. */
static void
put_common(FdxTxn* const txn, Buf* const out, const View* const v,
           const FdxId s, const SearchRender* const opts)
{
  FdxTermBuf buf;
  buf_puts(out, "\"id\": ");
  if (!fdx_term_get(txn, s, &buf) && buf.term.kind == FDX_TERM_IRI) {
    search_render_id(opts, buf.term.value, buf.term.value_len, out);
    buf_puts(out, ", \"iri\": ");
    buf_json_string(out, buf.term.value, buf.term.value_len);
  } else {
    buf_puts(out, "null, \"iri\": null");
  }
  buf_puts(out, ", \"title\": ");
  if (best_text(txn, v, P_TITLE, opts->lang, &buf)) {
    buf_json_string(out, buf.term.value, buf.term.value_len);
  } else {
    buf_puts(out, "null");
  }
  buf_puts(out, ", \"description\": ");
  if (best_text(txn, v, P_DESCRIPTION, opts->lang, &buf)) {
    buf_json_string(out, buf.term.value, buf.term.value_len);
  } else {
    buf_puts(out, "null");
  }
}

static void
put_publisher(FdxTxn* const txn, Buf* const out, const View* const v,
              const char* const lang)
{
  buf_puts(out, "\"publisher\": ");
  if (v->n[P_PUBLISHER]) {
    put_ref(txn, out, v->values[P_PUBLISHER][0], lang);
  } else {
    buf_puts(out, "null");
  }
}

static void
put_date(FdxTxn* const txn, Buf* const out, const char* const key,
         const View* const v, const int p)
{
  buf_printf(out, "\"%s\": ", key);
  put_term_text(txn, out, v->n[p] ? v->values[p][0] : 0);
}

/* The distinct format labels over a resource's distributions. */
static FdxStatus
put_formats(FdxTxn* const txn, Buf* const out, const View* const v,
            const FdxId g, const char* const lang)
{
  View* const dv = (View*)malloc(sizeof(View));
  if (!dv) {
    return FDX_ERR_NO_MEMORY;
  }
  memcpy(dv->pred, v->pred, sizeof(dv->pred));
  FdxId  seen[64];
  size_t n_seen = 0;
  buf_puts(out, "[");
  FdxStatus st = FDX_SUCCESS;
  for (size_t i = 0; i < v->n[P_DISTRIBUTION] && !st; ++i) {
    if ((st = read_view(txn, g, v->values[P_DISTRIBUTION][i], dv))) {
      break;
    }
    const int p = dv->n[P_FORMAT] ? P_FORMAT : P_MEDIA_TYPE;
    for (size_t k = 0; k < dv->n[p]; ++k) {
      const FdxId f   = dv->values[p][k];
      bool        dup = false;
      for (size_t j = 0; j < n_seen && !dup; ++j) {
        dup = seen[j] == f;
      }
      if (dup || n_seen == 64) {
        continue;
      }
      seen[n_seen++] = f;
      FdxTermBuf buf;
      if (fdx_term_get(txn, f, &buf)) {
        continue;
      }
      buf_puts(out, n_seen > 1 ? ", " : "");
      if (buf.term.kind == FDX_TERM_IRI &&
          !cached_label(txn, f, lang, &buf)) {
        buf_json_string(out, buf.term.value, buf.term.value_len);
      } else if (buf.term.kind == FDX_TERM_IRI) {
        /* No label: the IRI's last segment ("CSV" of .../file-type/CSV). */
        const char* v0  = buf.term.value;
        size_t      len = buf.term.value_len;
        for (size_t c = len; c > 0; --c) {
          if (v0[c - 1] == '/' || v0[c - 1] == '#') {
            v0 += c;
            len -= c;
            break;
          }
        }
        buf_json_string(out, v0, len);
      } else {
        buf_json_string(out, buf.term.value, buf.term.value_len);
      }
    }
  }
  buf_puts(out, "]");
  free(dv);
  return st;
}

FdxStatus
search_render_results(FdxTxn* const                txn,
                      FdxSearch* const             search,
                      const FdxSearchResult* const result,
                      const SearchRender* const    opts,
                      Buf* const                   out)
{
  View* const v = (View*)malloc(sizeof(View));
  if (!v) {
    return FDX_ERR_NO_MEMORY;
  }
  FdxStatus st = view_init(txn, v);
  buf_printf(out,
             "{\"total\": %llu, \"page\": %zu, \"per_page\": %zu, "
             "\"results\": [",
             (unsigned long long)fdx_search_result_total(result), opts->page,
             opts->per_page);
  const size_t n = fdx_search_result_count(result);
  for (size_t i = 0; i < n && !st; ++i) {
    const FdxSearchHit* const hit = fdx_search_result_hit(result, i);
    if ((st = read_view(txn, hit->graph, hit->subject, v))) {
      break;
    }
    buf_puts(out, i ? ",\n  {" : "\n  {");
    put_common(txn, out, v, hit->subject, opts);
    buf_puts(out, ", \"snippet\": ");
    FdxTermBuf buf;
    const bool has_desc = best_text(txn, v, P_DESCRIPTION, opts->lang, &buf);
    const bool has_title =
      !has_desc && best_text(txn, v, P_TITLE, opts->lang, &buf);
    if (has_desc || has_title) {
      char lang[32] = "";
      if (buf.term.lang && buf.term.lang_len < sizeof(lang)) {
        memcpy(lang, buf.term.lang, buf.term.lang_len);
        lang[buf.term.lang_len] = '\0';
      }
      char* const snip =
        fdx_search_snippet(search, result, buf.term.value, buf.term.value_len,
                           lang, opts->snippet_bytes);
      if (!snip) {
        st = FDX_ERR_NO_MEMORY;
        break;
      }
      buf_json_string(out, snip, strlen(snip));
      free(snip);
    } else {
      buf_puts(out, "null");
    }
    buf_puts(out, ", ");
    put_publisher(txn, out, v, opts->lang);
    buf_puts(out, ", \"themes\": ");
    put_refs(txn, out, v, P_THEME, opts->lang);
    buf_puts(out, ", \"formats\": ");
    if ((st = put_formats(txn, out, v, hit->graph, opts->lang))) {
      break;
    }
    buf_puts(out, ", \"keywords\": ");
    put_texts(txn, out, v, P_KEYWORD, opts->lang);
    buf_puts(out, ", ");
    put_date(txn, out, "modified", v, v->n[P_MODIFIED] ? P_MODIFIED : P_ISSUED);
    buf_printf(out, ", \"score\": %.4f}", hit->score);
  }
  buf_puts(out, "],\n\"facets\": {");
  for (int f = 0; f < FDX_N_FACETS && !st; ++f) {
    buf_printf(out, "%s\n  \"%s\": [", f ? "," : "",
               fdx_facet_name((FdxFacet)f));
    const size_t nv = fdx_search_result_facet_count(result, (FdxFacet)f);
    for (size_t i = 0; i < nv; ++i) {
      const FdxFacetValue* const fv =
        fdx_search_result_facet(result, (FdxFacet)f, i);
      buf_puts(out, i ? ", {\"value\": " : "{\"value\": ");
      FdxTermBuf buf;
      if (fv->text) {
        buf_json_string(out, fv->text, strlen(fv->text));
        buf_puts(out, ", \"label\": ");
        buf_json_string(out, fv->text, strlen(fv->text));
      } else if (!fdx_term_get(txn, fv->id, &buf)) {
        if (buf.term.kind == FDX_TERM_LITERAL && buf.term.lang) {
          /* "text"@lang, which the facet's filter takes back. */
          Buf lit;
          memset(&lit, 0, sizeof(lit));
          buf_printf(&lit, "\"%.*s\"@%.*s", (int)buf.term.value_len,
                     buf.term.value, (int)buf.term.lang_len, buf.term.lang);
          buf_json_string(out, lit.data ? lit.data : "", lit.len);
          buf_free(&lit);
        } else {
          buf_json_string(out, buf.term.value, buf.term.value_len);
        }
        buf_puts(out, ", \"label\": ");
        if (buf.term.kind == FDX_TERM_LITERAL) {
          buf_json_string(out, buf.term.value, buf.term.value_len);
        } else if (!cached_label(txn, fv->id, opts->lang, &buf)) {
          buf_json_string(out, buf.term.value, buf.term.value_len);
        } else {
          buf_puts(out, "null");
        }
      } else {
        buf_puts(out, "null, \"label\": null");
      }
      buf_printf(out, ", \"count\": %llu}", (unsigned long long)fv->count);
    }
    buf_puts(out, "]");
  }
  buf_puts(out, "\n}}\n");
  free(v);
  return st;
}

/* The text of the best literal of `p` for `lang` as a JSON string, or
 * null. */
static void
put_best_text(FdxTxn* const txn, Buf* const out, const View* const v,
              const int p, const char* const lang)
{
  FdxTermBuf buf;
  if (best_text(txn, v, p, lang, &buf)) {
    buf_json_string(out, buf.term.value, buf.term.value_len);
  } else {
    buf_puts(out, "null");
  }
}

/* The parts of a dataset that are nodes of their own in its graph (the
 * temporal coverage's periods, provenance statements, other identifiers),
 * read through `nv`, and its related resources. */
static FdxStatus
put_nested(FdxTxn* const txn, Buf* const out, const View* const v,
           View* const nv, const FdxId g, const char* const lang)
{
  FdxStatus st = FDX_SUCCESS;
  buf_puts(out, ",\n \"temporal\": [");
  for (size_t i = 0; i < v->n[P_TEMPORAL] && !st; ++i) {
    if (!(st = read_view(txn, g, v->values[P_TEMPORAL][i], nv))) {
      buf_puts(out, i ? ", {\"start\": " : "{\"start\": ");
      put_term_text(txn, out, nv->n[P_START] ? nv->values[P_START][0] : 0);
      buf_puts(out, ", \"end\": ");
      put_term_text(txn, out, nv->n[P_END] ? nv->values[P_END][0] : 0);
      buf_puts(out, "}");
    }
  }
  /* A statement is a node with labels, or (loosely) a literal. */
  buf_puts(out, "], \"provenance\": [");
  for (size_t i = 0; i < v->n[P_PROVENANCE] && !st; ++i) {
    const FdxId node = v->values[P_PROVENANCE][i];
    FdxTermBuf  buf;
    buf_puts(out, i ? ", " : "");
    if (!fdx_term_get(txn, node, &buf) && buf.term.kind == FDX_TERM_LITERAL) {
      buf_json_string(out, buf.term.value, buf.term.value_len);
    } else if (!(st = read_view(txn, g, node, nv))) {
      put_best_text(txn, out, nv, P_LABEL, lang);
    }
  }
  buf_puts(out, "], \"other_identifiers\": [");
  for (size_t i = 0; i < v->n[P_OTHER_ID] && !st; ++i) {
    if (!(st = read_view(txn, g, v->values[P_OTHER_ID][i], nv))) {
      buf_puts(out, i ? ", {\"notation\": " : "{\"notation\": ");
      put_term_text(txn, out,
                    nv->n[P_NOTATION] ? nv->values[P_NOTATION][0] : 0);
      buf_puts(out, ", \"scheme_agency\": ");
      put_best_text(txn, out, nv, P_SCHEME_AGENCY, lang);
      buf_puts(out, "}");
    }
  }
  buf_puts(out, "],\n \"version_notes\": ");
  put_best_text(txn, out, v, P_VERSION_NOTES, lang);
  buf_puts(out, ", \"documentation\": ");
  put_refs(txn, out, v, P_PAGE, lang);
  buf_puts(out, ", \"health_categories\": ");
  put_refs(txn, out, v, P_HEALTH_CATEGORY, lang);
  buf_puts(out, ", \"applicable_legislation\": ");
  put_refs(txn, out, v, P_LEGISLATION, lang);
  buf_puts(out, ",\n \"related\": [");
  bool first = true;
  for (int p = RELATED_FIRST; p < N_PREDS; ++p) {
    for (size_t i = 0; i < v->n[p]; ++i) {
      buf_printf(out, "%s{\"relation\": \"%s\", \"resource\": ",
                 first ? "" : ", ", related_names[p - RELATED_FIRST]);
      put_ref(txn, out, v->values[p][i], lang);
      buf_puts(out, "}");
      first = false;
    }
  }
  buf_puts(out, "]");
  return st;
}

FdxStatus
search_render_dataset(FdxTxn* const             txn,
                      const FdxId               g,
                      const FdxId               s,
                      const SearchRender* const opts,
                      Buf* const                out)
{
  View* const v  = (View*)malloc(sizeof(View));
  View* const dv = (View*)malloc(sizeof(View));
  if (!v || !dv) {
    free(v);
    free(dv);
    return FDX_ERR_NO_MEMORY;
  }
  FdxStatus st = view_init(txn, v);
  if (!st) {
    memcpy(dv->pred, v->pred, sizeof(dv->pred));
    st = read_view(txn, g, s, v);
  }
  if (st) {
    free(v);
    free(dv);
    return st;
  }
  buf_puts(out, "{");
  put_common(txn, out, v, s, opts);
  buf_puts(out, ", \"graph\": ");
  put_term_text(txn, out, g == FDX_ID_DEFAULT_GRAPH ? 0 : g);
  buf_puts(out, ", \"type\": ");
  {
    const char* type = "Dataset";
    for (size_t i = 0; i < v->n[P_TYPE]; ++i) {
      FdxTermBuf buf;
      if (!fdx_term_get(txn, v->values[P_TYPE][i], &buf) &&
          buf.term.kind == FDX_TERM_IRI) {
        if (buf.term.value_len == strlen(DCAT "DataService") &&
            !memcmp(buf.term.value, DCAT "DataService", buf.term.value_len)) {
          type = "DataService";
        } else if (buf.term.value_len == strlen(DCAT "DatasetSeries") &&
                   !memcmp(buf.term.value, DCAT "DatasetSeries",
                           buf.term.value_len)) {
          type = "DatasetSeries";
        }
      }
    }
    buf_printf(out, "\"%s\"", type);
  }
  buf_puts(out, ",\n ");
  put_publisher(txn, out, v, opts->lang);
  buf_puts(out, ", \"contact_points\": ");
  put_refs(txn, out, v, P_CONTACT, opts->lang);
  buf_puts(out, ",\n \"keywords\": ");
  put_texts(txn, out, v, P_KEYWORD, opts->lang);
  buf_puts(out, ", \"themes\": ");
  put_refs(txn, out, v, P_THEME, opts->lang);
  buf_puts(out, ",\n \"license\": ");
  if (v->n[P_LICENSE]) {
    put_ref(txn, out, v->values[P_LICENSE][0], opts->lang);
  } else {
    buf_puts(out, "null");
  }
  buf_puts(out, ", \"access_rights\": ");
  if (v->n[P_ACCESS_RIGHTS]) {
    put_ref(txn, out, v->values[P_ACCESS_RIGHTS][0], opts->lang);
  } else {
    buf_puts(out, "null");
  }
  buf_puts(out, ", \"frequency\": ");
  if (v->n[P_FREQUENCY]) {
    put_ref(txn, out, v->values[P_FREQUENCY][0], opts->lang);
  } else {
    buf_puts(out, "null");
  }
  buf_puts(out, ",\n ");
  put_date(txn, out, "issued", v, P_ISSUED);
  buf_puts(out, ", ");
  put_date(txn, out, "modified", v, P_MODIFIED);
  buf_puts(out, ", \"identifiers\": ");
  put_texts(txn, out, v, P_IDENTIFIER, NULL);
  buf_puts(out, ", \"landing_pages\": ");
  put_texts(txn, out, v, P_LANDING, NULL);
  buf_puts(out, ",\n \"languages\": ");
  put_refs(txn, out, v, P_LANGUAGE, opts->lang);
  buf_puts(out, ", \"spatial\": ");
  put_refs(txn, out, v, P_SPATIAL, opts->lang);
  buf_puts(out, ", \"conforms_to\": ");
  put_refs(txn, out, v, P_CONFORMS, opts->lang);
  buf_puts(out, ", \"version\": ");
  put_term_text(txn, out,
                v->n[P_VERSION]        ? v->values[P_VERSION][0]
                : v->n[P_VERSION_INFO] ? v->values[P_VERSION_INFO][0]
                                       : 0);
  if ((st = put_nested(txn, out, v, dv, g, opts->lang))) {
    free(v);
    free(dv);
    return st;
  }
  buf_puts(out, ",\n \"distributions\": [");
  for (size_t i = 0; i < v->n[P_DISTRIBUTION] && !st; ++i) {
    const FdxId d = v->values[P_DISTRIBUTION][i];
    if ((st = read_view(txn, g, d, dv))) {
      break;
    }
    FdxTermBuf buf;
    buf_puts(out, i ? ",\n  {\"iri\": " : "\n  {\"iri\": ");
    if (!fdx_term_get(txn, d, &buf) && buf.term.kind == FDX_TERM_IRI) {
      buf_json_string(out, buf.term.value, buf.term.value_len);
    } else {
      buf_puts(out, "null");
    }
    buf_puts(out, ", \"title\": ");
    if (best_text(txn, dv, P_TITLE, opts->lang, &buf)) {
      buf_json_string(out, buf.term.value, buf.term.value_len);
    } else {
      buf_puts(out, "null");
    }
    buf_puts(out, ", \"description\": ");
    if (best_text(txn, dv, P_DESCRIPTION, opts->lang, &buf)) {
      buf_json_string(out, buf.term.value, buf.term.value_len);
    } else {
      buf_puts(out, "null");
    }
    buf_puts(out, ", \"access_url\": ");
    put_term_text(txn, out,
                  dv->n[P_ACCESS_URL] ? dv->values[P_ACCESS_URL][0] : 0);
    buf_puts(out, ", \"download_url\": ");
    put_term_text(txn, out,
                  dv->n[P_DOWNLOAD_URL] ? dv->values[P_DOWNLOAD_URL][0] : 0);
    buf_puts(out, ", \"format\": ");
    if (dv->n[P_FORMAT]) {
      put_ref(txn, out, dv->values[P_FORMAT][0], opts->lang);
    } else {
      buf_puts(out, "null");
    }
    buf_puts(out, ", \"media_type\": ");
    put_term_text(txn, out,
                  dv->n[P_MEDIA_TYPE] ? dv->values[P_MEDIA_TYPE][0] : 0);
    buf_puts(out, ", \"license\": ");
    if (dv->n[P_LICENSE]) {
      put_ref(txn, out, dv->values[P_LICENSE][0], opts->lang);
    } else {
      buf_puts(out, "null");
    }
    buf_puts(out, ", \"byte_size\": ");
    put_term_text(txn, out, dv->n[P_BYTE_SIZE] ? dv->values[P_BYTE_SIZE][0] : 0);
    buf_puts(out, "}");
  }
  buf_puts(out, "]}\n");
  free(v);
  free(dv);
  return st;
}
