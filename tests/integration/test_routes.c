/*
 * test_routes.c: the checks of the HTTP contract that need more than one
 * request and some logic, against one server on the standard fixture:
 *
 *   - HEAD over a raw socket: the headers of the GET and not one body byte;
 *   - /catalog paging: the dcat:dataset links of all pages together are
 *     every dataset once, in IRI order, hydra:totalItems of them, for two
 *     page sizes; the page after hydra:last is 404;
 *   - updates and the change feed: an admin update is visible to queries
 *     and /healthz, and /api/changes lists the dcat:Dataset it adds
 *     (upsert, graph null; in a named graph, the graph's IRI); a DELETE
 *     shows op "delete"; paging the feed with
 *     limit=1 never splits a commit and ends with the same changes as one
 *     big page;
 *   - tokens created and revoked with the CLI while the server runs take
 *     effect; `token list` shows names and roles, never tokens;
 *   - ETags follow the store generation: after an update the old ETag no
 *     longer gives 304;
 *   - gzip: the decoded body equals the plain body byte for byte;
 *   - /dump.nq.gz holds exactly the quads /healthz counts;
 *   - /metrics counts the requests made, by route and status;
 *   - the access log: one JSON object per request with the contract's
 *     fields, and never a token or a query string.
 */
#include "harness.h"

#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define DCAT_DATASET "<http://www.w3.org/ns/dcat#dataset>"
#define HYDRA "http://www.w3.org/ns/hydra/core#"
#define CATALOG "<" IT_BASE "catalog>"
#define MARKER "it-access-log-marker-5821"

static ItServer srv;

/* Requests sent through it_http by this program, to compare with the
 * access log and /metrics. */
static int n_requests     = 0;
static int n_sparql_200   = 0;
static int n_healthz_200  = 0;
static int n_notfound_404 = 0;

static bool
get(const char* const target, const char* const accept, ItResponse* const r)
{
  ++n_requests;
  return it_get(&srv, target, accept, r);
}

static bool
http(const ItRequest* const req, ItResponse* const r)
{
  ++n_requests;
  return it_http(&srv, req, r);
}

/* GET /healthz and return one of its integer fields (-1 on failure). */
static long long
healthz(const char* const field)
{
  ItResponse r;
  get("/healthz", NULL, &r);
  long long value = -1;
  if (r.status == 200) {
    ++n_healthz_200;
    json_t* const root = it_json(r.body, r.body_len, NULL, 0);
    json_t* const v    = json_object_get(root, field);
    if (json_is_integer(v)) {
      value = json_integer_value(v);
    }
    json_decref(root);
  }
  if (value < 0) {
    it_fail_at(__FILE__,
               __LINE__,
               "GET /healthz: expected an integer \"%s\", got status %ld, "
               "body %s",
               field,
               r.status,
               it_excerpt(r.body, r.body_len, 200));
  }
  it_response_free(&r);
  return value;
}

/* Run an update with the admin token; returns the generation it reports
 * (-1 on failure) and checks inserted/deleted. */
static long long
update(const char* const text, const long inserted, const long deleted)
{
  char auth[700];
  snprintf(auth, sizeof(auth), "Authorization: Bearer %s", srv.admin_token);
  ItRequest  req = { .method  = "POST",
                     .target  = "/sparql",
                     .headers = { "Content-Type: application/sparql-update",
                                  auth },
                     .body    = text };
  ItResponse r;
  http(&req, &r);
  long long gen = -1;
  if (IT_STATUS(&r, 200)) {
    json_t* const    root = it_json(r.body, r.body_len, NULL, 0);
    const json_int_t ins =
      json_integer_value(json_object_get(root, "inserted"));
    const json_int_t del = json_integer_value(json_object_get(root, "deleted"));
    json_t* const    g   = json_object_get(root, "generation");
    IT_CHECK(root && ins == inserted && del == deleted && json_is_integer(g),
             "update: answer {\"inserted\":%ld,\"deleted\":%ld,"
             "\"generation\":G} (got %s)",
             inserted,
             deleted,
             it_excerpt(r.body, r.body_len, 200));
    gen = json_is_integer(g) ? json_integer_value(g) : -1;
    json_decref(root);
  }
  it_response_free(&r);
  return gen;
}

/* ------------------------------------------------------------------------
 * HEAD over a raw socket
 * --------------------------------------------------------------------- */

static void
test_head_raw(void)
{
  printf("-- HEAD sends the headers of GET and no body (raw socket)\n");
  ItResponse g;
  get("/dataset/athero-kohorte", "text/turtle", &g);
  IT_STATUS(&g, 200);
  char get_etag[256];
  it_header(&g, "ETag", get_etag, sizeof(get_etag));

  const int fd = it_connect(srv.port, NULL);
  IT_REQUIRE(fd >= 0, "connect to the server");
  const char req[] = "HEAD /dataset/athero-kohorte HTTP/1.1\r\n"
                     "Host: 127.0.0.1\r\n"
                     "Accept: text/turtle\r\n"
                     "Connection: close\r\n\r\n";
  it_send_all(fd, req, sizeof(req) - 1);
  size_t      len    = 0;
  bool        closed = false;
  char* const reply  = it_recv_all(fd, 5000, 1 << 20, &len, &closed);
  close(fd);
  ++n_requests;
  const char* const end = strstr(reply, "\r\n\r\n");
  IT_CHECK(it_raw_status(reply, len) == 200,
           "HEAD /dataset/athero-kohorte: status 200 (got: %s)",
           it_excerpt(reply, len, 80));
  IT_CHECK(end && (size_t)(end + 4 - reply) == len,
           "HEAD /dataset/athero-kohorte: nothing after the header block "
           "(%zu bytes after it)",
           end ? len - (size_t)(end + 4 - reply) : len);
  IT_CHECK(closed, "HEAD with Connection: close: the server closes");
  /* The header values, through a fake response. */
  ItResponse h = { 0 };
  h.head       = reply;
  h.head_len   = len;
  char type[128];
  char etag[256];
  char clen[64];
  it_media_type(&h, type, sizeof(type));
  it_header(&h, "ETag", etag, sizeof(etag));
  IT_CHECK(!strcmp(type, "text/turtle"),
           "HEAD /dataset/athero-kohorte: Content-Type text/turtle (got %s)",
           type);
  IT_CHECK(etag[0] && !strcmp(etag, get_etag),
           "HEAD /dataset/athero-kohorte: the ETag of the GET (%s; got %s)",
           get_etag,
           etag);
  if (it_header(&h, "Content-Length", clen, sizeof(clen))) {
    IT_CHECK(strtoul(clen, NULL, 10) == g.body_len,
             "HEAD: Content-Length %s is the GET body's length %zu",
             clen,
             g.body_len);
  }
  free(reply);
  it_response_free(&g);
}

/* ------------------------------------------------------------------------
 * /catalog paging
 * --------------------------------------------------------------------- */

static int
cmp_str(const void* a, const void* b)
{
  return strcmp(*(const char* const*)a, *(const char* const*)b);
}

/* The IRIs (N-Triples terms) of a query's ?d bindings, sorted. */
static size_t
query_iris(const char* const query, char** const ret, const size_t max)
{
  char* const target = it_target("/sparql?query=", query);
  ItResponse  r;
  get(target, "application/sparql-results+json", &r);
  free(target);
  size_t n = 0;
  if (r.status == 200) {
    ++n_sparql_200;
    json_t* const root = it_json(r.body, r.body_len, NULL, 0);
    json_t* const rows = it_json_path(root, "results.bindings");
    for (size_t i = 0; i < json_array_size(rows) && n < max; ++i) {
      const char* const v =
        json_string_value(it_json_path(json_array_get(rows, i), "d.value"));
      if (v) {
        ret[n] = malloc(strlen(v) + 3);
        sprintf(ret[n], "<%s>", v);
        ++n;
      }
    }
    json_decref(root);
  }
  it_response_free(&r);
  qsort(ret, n, sizeof(char*), cmp_str);
  return n;
}

static void
test_catalog_paging(const size_t per_page)
{
  printf("-- /catalog paging with per_page=%zu\n", per_page);
  char*        typed[64];
  char*        members[64];
  const size_t n_typed = query_iris("PREFIX dcat: <http://www.w3.org/ns/dcat#> "
                                    "SELECT ?d WHERE { ?d a dcat:Dataset }",
                                    typed,
                                    64);
  const size_t n_members =
    query_iris("PREFIX dcat: <http://www.w3.org/ns/dcat#> "
               "SELECT ?d WHERE { <" IT_BASE "catalog> dcat:dataset ?d }",
               members,
               64);
  IT_CHECK(n_typed == IT_N_DATASETS && n_members == IT_N_CATALOG_DATASETS,
           "the fixture: %d datasets typed dcat:Dataset (got %zu), %d "
           "dcat:dataset links of the catalogue (got %zu)",
           IT_N_DATASETS,
           n_typed,
           IT_N_CATALOG_DATASETS,
           n_members);

  const char* links[256];
  char*       owned[256];
  size_t      n_links = 0;
  long        total   = -1;
  size_t      last    = 0;
  for (size_t page = 1; page <= 20; ++page) {
    char target[128];
    snprintf(
      target, sizeof(target), "/catalog?page=%zu&per_page=%zu", page, per_page);
    ItResponse r;
    get(target, "application/n-triples", &r);
    if (page > 1 && last && page == last + 1) {
      IT_ERROR(&r, 404, "not_found");
      it_response_free(&r);
      break;
    }
    if (!IT_STATUS(&r, 200)) {
      it_response_free(&r);
      break;
    }
    ItGraph g = { 0 };
    char    err[256];
    char    base[256];
    snprintf(base, sizeof(base), "%s%s", srv.url, target);
    if (!it_rdf_parse(
          "ntriples", r.body, r.body_len, base, &g, err, sizeof(err))) {
      it_fail_at(
        __FILE__, __LINE__, "GET %s: N-Triples that parse: %s", target, err);
      it_response_free(&r);
      break;
    }
    /* hydra:totalItems and hydra:last, from every page alike. */
    const char* objs[8];
    if (it_graph_objects(&g, CATALOG, "<" HYDRA "totalItems>", objs, 8) == 1) {
      const long t = strtol(objs[0] + 1, NULL, 10);
      if (total < 0) {
        total = t;
        IT_CHECK(t == IT_N_DATASETS || t == IT_N_CATALOG_DATASETS,
                 "GET %s: hydra:totalItems is the number of datasets, %d "
                 "typed or %d in the catalogue (got %s)",
                 target,
                 IT_N_DATASETS,
                 IT_N_CATALOG_DATASETS,
                 objs[0]);
        last = (size_t)((t + (long)per_page - 1) / (long)per_page);
      } else {
        IT_CHECK(t == total,
                 "GET %s: the same hydra:totalItems (%ld, got %ld)",
                 target,
                 total,
                 t);
      }
    } else {
      it_fail_at(__FILE__,
                 __LINE__,
                 "GET %s: expected one hydra:totalItems on the catalogue",
                 target);
    }
    char view[256];
    char want_last[256];
    snprintf(view,
             sizeof(view),
             "<%scatalog?page=%zu&per_page=%zu>",
             IT_BASE,
             page,
             per_page);
    snprintf(want_last,
             sizeof(want_last),
             "<%scatalog?page=%zu&per_page=%zu>",
             IT_BASE,
             last,
             per_page);
    const size_t nl = it_graph_objects(&g, view, "<" HYDRA "last>", objs, 8);
    IT_CHECK(nl == 1 && !strcmp(objs[0], want_last),
             "GET %s: hydra:last %s (got %s)",
             target,
             want_last,
             nl ? objs[0] : "none");
    const size_t nn = it_graph_objects(&g, view, "<" HYDRA "next>", objs, 8);
    IT_CHECK((page < last) == (nn == 1),
             "GET %s: hydra:next %s (found %zu)",
             target,
             page < last ? "present" : "absent on the last page",
             nn);

    const char*  page_links[64];
    const size_t n_page =
      it_graph_objects(&g, CATALOG, DCAT_DATASET, page_links, 64);
    const size_t want_n =
      page < last ? per_page : (size_t)total - (last - 1) * per_page;
    IT_CHECK(n_page == want_n,
             "GET %s: %zu dcat:dataset links (got %zu)",
             target,
             want_n,
             n_page);
    /* The order within a page is the serializer's: sort the page. */
    const size_t first = n_links;
    for (size_t i = 0; i < n_page && n_links < 256; ++i) {
      owned[n_links] = strdup(page_links[i]);
      links[n_links] = owned[n_links];
      ++n_links;
    }
    qsort(links + first, n_links - first, sizeof(char*), cmp_str);
    it_graph_free(&g);
    it_response_free(&r);
    if (!last) {
      break;
    }
  }

  /* All pages together: every dataset once (the order across pages is
   * the server's stable order, not a sort order clients could rely on). */
  qsort(links, n_links, sizeof(char*), cmp_str);
  bool unique = true;
  for (size_t i = 1; i < n_links; ++i) {
    if (!strcmp(links[i - 1], links[i])) {
      unique = false;
      it_note("on two pages: %s", links[i]);
    }
  }
  IT_CHECK(unique,
           "per_page=%zu: no dataset is linked from two of the pages 1..%zu",
           per_page,
           last);
  char* const* const want = total == IT_N_CATALOG_DATASETS ? members : typed;
  const size_t n_want = total == IT_N_CATALOG_DATASETS ? n_members : n_typed;
  bool         same   = n_links == n_want;
  for (size_t i = 0; same && i < n_links; ++i) {
    /* links is sorted within pages; compare as sets */
    bool found = false;
    for (size_t j = 0; j < n_want; ++j) {
      found = found || !strcmp(links[i], want[j]);
    }
    same = found;
  }
  IT_CHECK(same,
           "per_page=%zu: the pages link exactly the %zu datasets counted by "
           "hydra:totalItems (got %zu links)",
           per_page,
           n_want,
           n_links);
  for (size_t i = 0; i < n_links; ++i) {
    free(owned[i]);
  }
  for (size_t i = 0; i < n_typed; ++i) {
    free(typed[i]);
  }
  for (size_t i = 0; i < n_members; ++i) {
    free(members[i]);
  }
}

/* ------------------------------------------------------------------------
 * Updates and the change feed
 * --------------------------------------------------------------------- */

/* GET /api/changes?since=S&limit=L (limit 0: none given); new reference. */
static json_t*
changes(const long long since, const long limit)
{
  char target[128];
  if (limit) {
    snprintf(target,
             sizeof(target),
             "/api/changes?since=%lld&limit=%ld",
             since,
             limit);
  } else {
    snprintf(target, sizeof(target), "/api/changes?since=%lld", since);
  }
  ItResponse r;
  get(target, NULL, &r);
  json_t* root = NULL;
  if (IT_STATUS(&r, 200)) {
    char err[256];
    root = it_json(r.body, r.body_len, err, sizeof(err));
    IT_CHECK(root && json_is_integer(json_object_get(root, "generation")) &&
               json_is_array(json_object_get(root, "changes")) &&
               json_is_integer(json_object_get(root, "next")),
             "GET %s: {\"generation\":G,\"changes\":[...],\"next\":G} (got %s)",
             target,
             it_excerpt(r.body, r.body_len, 200));
  }
  it_response_free(&r);
  return root;
}

/* The change for `iri` in a feed page with generation `gen` (0: any),
 * borrowed, or NULL. */
static json_t*
find_change(json_t* const page, const char* const iri, const long long gen)
{
  json_t* const list  = json_object_get(page, "changes");
  json_t*       found = NULL;
  for (size_t i = 0; i < json_array_size(list); ++i) {
    json_t* const c = json_array_get(list, i);
    const char*   s = json_string_value(json_object_get(c, "iri"));
    if (s && !strcmp(s, iri) &&
        (!gen || json_integer_value(json_object_get(c, "generation")) == gen)) {
      found = c;
    }
  }
  return found;
}

/* A JSON value as compact text for messages (static buffer). */
static const char*
jstr(json_t* const value)
{
  static char buf[512];
  if (!value) {
    return "no change for it";
  }
  if (json_dumpb(value, buf, sizeof(buf) - 1, JSON_COMPACT) >=
      sizeof(buf) - 1) {
    strcpy(buf + sizeof(buf) - 5, "...");
  }
  buf[sizeof(buf) - 1] = '\0';
  return buf;
}

static bool
is_change(json_t* const     c,
          const char* const op,
          const char* const graph,
          const long long   gen)
{
  json_t* const g = json_object_get(c, "graph");
  const char*   o = json_string_value(json_object_get(c, "op"));
  return c && o && !strcmp(o, op) &&
         json_integer_value(json_object_get(c, "generation")) == gen &&
         (graph ? (json_is_string(g) && !strcmp(json_string_value(g), graph))
                : json_is_null(g));
}

static void
test_updates_and_changes(void)
{
  printf("-- updates, queries, /healthz and /api/changes\n");
  const char*     new_iri = IT_BASE "dataset/it-new";
  const long long g0      = healthz("generation");
  const long long q0      = healthz("quads");

  json_t* page = changes(g0, 0);
  IT_CHECK(page && json_array_size(json_object_get(page, "changes")) == 0 &&
             json_integer_value(json_object_get(page, "generation")) == g0,
           "GET /api/changes?since=%lld (the current generation): no "
           "changes, generation %lld",
           g0,
           g0);
  json_decref(page);

  /* An insert into the default graph. */
  const long long g1 =
    update("PREFIX dcat: <http://www.w3.org/ns/dcat#>\n"
           "PREFIX dct: <http://purl.org/dc/terms/>\n"
           "INSERT DATA { <https://fairdex.example.org/dataset/it-new> "
           "a dcat:Dataset ; dct:title \"new\" }",
           2,
           0);
  IT_CHECK(g1 > g0, "the update's generation %lld is after %lld", g1, g0);
  IT_CHECK(healthz("generation") == g1, "/healthz: generation %lld", g1);
  IT_CHECK(healthz("quads") == q0 + 2, "/healthz: %lld quads", q0 + 2);
  {
    char* const target = it_target(
      "/sparql?query=",
      "SELECT ?t WHERE { <https://fairdex.example.org/dataset/it-new> "
      "<http://purl.org/dc/terms/title> ?t }");
    ItResponse r;
    get(target, "application/sparql-results+json", &r);
    free(target);
    if (r.status == 200) {
      ++n_sparql_200;
    }
    IT_CHECK(r.status == 200 && it_contains(r.body, r.body_len, "\"new\""),
             "a query right after the update sees the inserted title (got "
             "%ld %s)",
             r.status,
             it_excerpt(r.body, r.body_len, 200));
    it_response_free(&r);
  }
  page = changes(g0, 0);
  if (page) {
    json_t* const c = find_change(page, new_iri, 0);
    IT_CHECK(is_change(c, "upsert", NULL, g1),
             "/api/changes?since=%lld lists {\"iri\":\"%s\",\"graph\":null,"
             "\"op\":\"upsert\",\"generation\":%lld} (got %s)",
             g0,
             new_iri,
             g1,
             jstr(c));
    IT_CHECK(json_integer_value(json_object_get(page, "generation")) == g1,
             "/api/changes: generation %lld",
             g1);
    json_decref(page);
  }

  /* An insert into a named graph (the feed lists DCAT resources, so the
   * subject is a dcat:Dataset). */
  const long long g2 = update("INSERT DATA { GRAPH <" IT_NAMED_GRAPH "> { "
                              "<https://fairdex.example.org/named/thing3> "
                              "a <http://www.w3.org/ns/dcat#Dataset> } }",
                              1,
                              0);
  page               = changes(g1, 0);
  if (page) {
    json_t* const c =
      find_change(page, "https://fairdex.example.org/named/thing3", 0);
    IT_CHECK(is_change(c, "upsert", IT_NAMED_GRAPH, g2),
             "/api/changes?since=%lld lists thing3 as upsert in graph %s at "
             "generation %lld (got %s)",
             g1,
             IT_NAMED_GRAPH,
             g2,
             jstr(c));
    IT_CHECK(!find_change(page, new_iri, g1),
             "/api/changes?since=%lld does not list the change of generation "
             "%lld",
             g1,
             g1);
    json_decref(page);
  }

  /* A delete of everything about it-new. */
  const long long g3 = update(
    "DELETE WHERE { <https://fairdex.example.org/dataset/it-new> ?p ?o }",
    0,
    2);
  page = changes(g2, 0);
  if (page) {
    json_t* const c = find_change(page, new_iri, 0);
    IT_CHECK(is_change(c, "delete", NULL, g3),
             "/api/changes?since=%lld lists {\"iri\":\"%s\",\"graph\":null,"
             "\"op\":\"delete\",\"generation\":%lld} (got %s)",
             g2,
             new_iri,
             g3,
             jstr(c));
    json_decref(page);
  }

  /* Three commits of two subjects each, then the feed in pages of 1. */
  const long long start = healthz("generation");
  for (int i = 0; i < 3; ++i) {
    char text[512];
    snprintf(text,
             sizeof(text),
             "INSERT DATA { <https://fairdex.example.org/dataset/it-p%da> "
             "a <http://www.w3.org/ns/dcat#Dataset> . "
             "<https://fairdex.example.org/dataset/it-p%db> "
             "a <http://www.w3.org/ns/dcat#Dataset> }",
             i,
             i);
    update(text, 2, 0);
  }
  json_t* const all = changes(start, 10000);
  if (!all) {
    return;
  }
  json_t* const all_list = json_object_get(all, "changes");
  IT_CHECK(json_array_size(all_list) == 6,
           "/api/changes?since=%lld&limit=10000: the 6 changes of 3 commits "
           "(got %zu)",
           start,
           json_array_size(all_list));
  json_t*   collected = json_array();
  long long since     = start;
  int       pages     = 0;
  bool      splits    = false;
  for (; pages < 20; ++pages) {
    json_t* const p = changes(since, 1);
    if (!p) {
      break;
    }
    json_t* const   list = json_object_get(p, "changes");
    const long long next = json_integer_value(json_object_get(p, "next"));
    if (json_array_size(list) == 0) {
      json_decref(p);
      break;
    }
    /* Every generation on this page is there with all its changes. */
    for (size_t i = 0; i < json_array_size(list); ++i) {
      json_t* const   c = json_array_get(list, i);
      const long long gen =
        json_integer_value(json_object_get(c, "generation"));
      size_t in_all  = 0;
      size_t in_page = 0;
      for (size_t j = 0; j < json_array_size(all_list); ++j) {
        in_all += json_integer_value(json_object_get(
                    json_array_get(all_list, j), "generation")) == gen;
      }
      for (size_t j = 0; j < json_array_size(list); ++j) {
        in_page += json_integer_value(json_object_get(json_array_get(list, j),
                                                      "generation")) == gen;
      }
      splits = splits || in_page != in_all;
      IT_CHECK(gen > since,
               "/api/changes?since=%lld&limit=1: change of generation %lld is "
               "after since",
               since,
               gen);
      json_array_append(collected, c);
    }
    IT_CHECK(next > since,
             "/api/changes?since=%lld&limit=1: next %lld moves on",
             since,
             next);
    json_decref(p);
    if (next <= since) {
      break;
    }
    since = next;
  }
  IT_CHECK(!splits, "/api/changes with limit=1: no page splits a commit");
  IT_CHECK(json_equal(collected, all_list),
           "/api/changes with limit=1, followed by next over %d pages: the "
           "same changes as one page with limit=10000",
           pages);
  json_decref(collected);
  json_decref(all);
}

/* ------------------------------------------------------------------------
 * Tokens managed with the CLI while the server runs
 * --------------------------------------------------------------------- */

/* POST an update with `token`; returns the status. */
static long
update_with(const char* const token)
{
  char auth[700];
  snprintf(auth, sizeof(auth), "Authorization: Bearer %s", token);
  ItRequest  req = { .method  = "POST",
                     .target  = "/sparql",
                     .headers = { "Content-Type: application/sparql-update",
                                  auth },
                     .body    = "INSERT DATA { "
                                 "<https://fairdex.example.org/dataset/it-tok> "
                                 "<http://purl.org/dc/terms/title> \"t\" }" };
  ItResponse r;
  http(&req, &r);
  const long status = r.status;
  it_response_free(&r);
  return status;
}

/* Run `fairdex --db DB ARGS...`; exit status, stdout and stderr. */
static int
cli(const char* const* args, char* const out, char* const err)
{
  const char* argv[16] = { "--db", srv.db };
  size_t      n        = 2;
  for (size_t i = 0; args[i] && n < 15; ++i) {
    argv[n++] = args[i];
  }
  argv[n] = NULL;
  return it_run_fairdex(argv, 60.0, out, 4096, err, 4096);
}

static void
test_tokens(void)
{
  printf("-- tokens created, listed and revoked while the server runs\n");
  char out[4096];
  char err[4096];

  const char* list[] = { "token", "list", NULL };
  int         rc     = cli(list, out, err);
  IT_CHECK(rc == 0 && strstr(out, "admin1") && strstr(out, "reader1") &&
             strstr(out, "curator1") && strstr(out, "admin") &&
             strstr(out, "reader") && strstr(out, "curator"),
           "token list: exit 0, names and roles (exit %d; %s)",
           rc,
           it_excerpt(out, strlen(out), 200));
  IT_CHECK(!strstr(out, srv.admin_token) && !strstr(out, srv.reader_token) &&
             !strstr(out, srv.curator_token),
           "token list never prints a token");

  const char* create[] = { "token",  "create", "--name", "live",
                           "--role", "admin",  NULL };
  rc                   = cli(create, out, err);
  char* const nl       = strchr(out, '\n');
  if (nl) {
    *nl = '\0';
  }
  char   live[512];
  size_t live_len = strlen(out);
  if (live_len >= sizeof(live)) {
    live_len = sizeof(live) - 1;
  }
  memcpy(live, out, live_len);
  live[live_len] = '\0';
  IT_CHECK(rc == 0 && strlen(live) >= 8,
           "token create --name live --role admin while serving: exit 0 and a "
           "token (exit %d)",
           rc);
  long st = 0;
  for (int i = 0; i < 20 && st != 200; ++i) {
    st = update_with(live);
    if (st != 200) {
      it_sleep_ms(100);
    }
  }
  IT_CHECK(st == 200,
           "an update with the token created while serving is accepted "
           "(got %ld)",
           st);

  const char* revoke[] = { "token", "revoke", "live", NULL };
  rc                   = cli(revoke, out, err);
  IT_CHECK(rc == 0, "token revoke live: exit 0 (got %d; %s)", rc, err);
  for (int i = 0; i < 20 && st != 401; ++i) {
    st = update_with(live);
    if (st != 401) {
      it_sleep_ms(100);
    }
  }
  IT_CHECK(st == 401,
           "an update with the revoked token is refused with 401 (got %ld)",
           st);

  const char* revoke_none[] = { "token", "revoke", "nosuch", NULL };
  rc                        = cli(revoke_none, out, err);
  IT_CHECK(rc == 1 && strstr(err, "no token named nosuch"),
           "token revoke nosuch: exit 1, \"no token named nosuch\" (exit %d; "
           "%s)",
           rc,
           it_excerpt(err, strlen(err), 200));

  const char* bad_role[] = { "token",  "create",    "--name", "x",
                             "--role", "superuser", NULL };
  rc                     = cli(bad_role, out, err);
  IT_CHECK(rc != 0 && rc != -1,
           "token create --role superuser: exits non-zero (exit %d)",
           rc);
}

/* ------------------------------------------------------------------------
 * ETags across an update, gzip, dump, metrics
 * --------------------------------------------------------------------- */

static void
test_etag_after_update(void)
{
  printf("-- ETags follow the store generation\n");
  ItResponse r1;
  get("/dataset/athero-kohorte", "text/turtle", &r1);
  char etag1[256];
  IT_CHECK(it_header(&r1, "ETag", etag1, sizeof(etag1)),
           "GET /dataset/athero-kohorte: an ETag (%s)",
           etag1);
  char inm[300];
  snprintf(inm, sizeof(inm), "If-None-Match: %s", etag1);
  ItRequest  req = { .target  = "/dataset/athero-kohorte",
                     .headers = { "Accept: text/turtle", inm } };
  ItResponse r2;
  http(&req, &r2);
  IT_STATUS(&r2, 304);
  update("INSERT DATA { <https://fairdex.example.org/dataset/it-etag> "
         "<http://purl.org/dc/terms/title> \"etag\" }",
         1,
         0);
  ItResponse r3;
  http(&req, &r3);
  char etag3[256] = "";
  it_header(&r3, "ETag", etag3, sizeof(etag3));
  IT_CHECK(r3.status == 200 && etag3[0] && strcmp(etag1, etag3),
           "after an update, If-None-Match with the old ETag gives 200 and a "
           "new ETag (got %ld, ETag %s, old %s)",
           r3.status,
           etag3,
           etag1);
  it_response_free(&r1);
  it_response_free(&r2);
  it_response_free(&r3);
}

static void
test_gzip_equal(void)
{
  printf("-- gzip: the decoded body is the plain body\n");
  const char* const targets[] = {
    "/dataset/athero-kohorte",
    "/catalog",
    "/sparql?query=SELECT%20*%20WHERE%20%7B%3Fs%20%3Fp%20%3Fo%7D%20LIMIT%2050",
  };
  for (size_t i = 0; i < 3; ++i) {
    ItResponse plain;
    ItResponse zipped;
    get(targets[i], "text/turtle, application/sparql-results+json", &plain);
    ItRequest req = { .target  = targets[i],
                      .headers = { "Accept: text/turtle, "
                                   "application/sparql-results+json",
                                   "Accept-Encoding: gzip" } };
    http(&req, &zipped);
    if (plain.status == 200 && i == 2) {
      ++n_sparql_200;
    }
    char enc[64];
    it_header(&zipped, "Content-Encoding", enc, sizeof(enc));
    char*      data = NULL;
    size_t     len  = 0;
    char       err[256];
    const bool ok =
      !strcmp(enc, "gzip") &&
      it_gunzip(
        zipped.body, zipped.body_len, 1 << 28, &data, &len, err, sizeof(err));
    IT_CHECK(plain.status == 200 && zipped.status == 200 && ok &&
               len == plain.body_len && !memcmp(data, plain.body, len),
             "GET %s with Accept-Encoding: gzip (%zu bytes plain, %zu "
             "gzipped): Content-Encoding %s, decoded equal to the plain body",
             targets[i],
             plain.body_len,
             zipped.body_len,
             enc[0] ? enc : "(none)");
    free(data);
    it_response_free(&plain);
    it_response_free(&zipped);
  }
}

/* The value of a counter in /metrics, -1 if absent. */
static long long
metric(const char* const name)
{
  ItResponse r;
  get("/metrics", NULL, &r);
  long long   v   = -1;
  const char* hit = r.body ? strstr(r.body, name) : NULL;
  while (hit && hit != r.body && hit[-1] != '\n') {
    hit = strstr(hit + 1, name);
  }
  if (hit && hit[strlen(name)] == ' ') {
    v = strtoll(hit + strlen(name) + 1, NULL, 10);
  }
  it_response_free(&r);
  return v;
}

static void
test_answer_cache(void)
{
  printf("-- the answer cache: repeats are byte-equal, a commit is seen\n");
  const char* const target = "/catalog?page=1&per_page=3&format=ntriples";
  const long long   hits0  = metric("fairdex_cache_hits_total");
  ItResponse        first, again, zipped;
  get(target, NULL, &first);
  get(target, NULL, &again);
  ItRequest zreq = { .target = target, .headers = { "Accept-Encoding: gzip" } };
  http(&zreq, &zipped);
  char*      data = NULL;
  size_t     len  = 0;
  char       err[256];
  const bool ok   = zipped.status == 200 &&
                  it_gunzip(zipped.body, zipped.body_len, 1 << 28, &data,
                            &len, err, sizeof(err));
  IT_CHECK(first.status == 200 && again.status == 200 && ok &&
             first.body_len == again.body_len &&
             !memcmp(first.body, again.body, first.body_len) &&
             len == first.body_len && !memcmp(data, first.body, len),
           "GET %s three times (plain, plain, gzip): the same bytes", target);
  const long long hits1 = metric("fairdex_cache_hits_total");
  IT_CHECK(hits0 >= 0 && hits1 >= hits0 + 2,
           "fairdex_cache_hits_total went up by at least 2 (%lld -> %lld)",
           hits0, hits1);
  free(data);
  /* A new dataset changes hydra:totalItems on the cached page at once. */
  static const char total[] = "/hydra/core#totalItems> \"";
  char              before[64] = "", after[64] = "";
  const char*       t = first.body ? strstr(first.body, total) : NULL;
  if (t) {
    snprintf(before, sizeof(before), "%.20s", t + sizeof(total) - 1);
  }
  update("INSERT DATA { <https://fairdex.example.org/dataset/it-cache> a "
         "<http://www.w3.org/ns/dcat#Dataset> }",
         1, 0);
  ItResponse later;
  get(target, NULL, &later);
  t = later.body ? strstr(later.body, total) : NULL;
  if (t) {
    snprintf(after, sizeof(after), "%.20s", t + sizeof(total) - 1);
  }
  IT_CHECK(atol(before) > 0 && atol(after) == atol(before) + 1,
           "after adding a dataset the cached page counts it "
           "(totalItems %ld -> %ld)",
           atol(before), atol(after));
  update("DELETE DATA { <https://fairdex.example.org/dataset/it-cache> a "
         "<http://www.w3.org/ns/dcat#Dataset> }",
         0, 1);
  it_response_free(&first);
  it_response_free(&again);
  it_response_free(&zipped);
  it_response_free(&later);
}

static void
test_dump_count(void)
{
  printf("-- /dump.nq.gz holds the quads /healthz counts\n");
  const long long quads = healthz("quads");
  ItResponse      r;
  get("/dump.nq.gz", NULL, &r);
  IT_STATUS(&r, 200);
  char*  data = NULL;
  size_t len  = 0;
  char   err[256];
  if (it_gunzip(
        r.body, r.body_len, (size_t)1 << 30, &data, &len, err, sizeof(err))) {
    const size_t lines = it_count_lines(data, len);
    IT_CHECK((long long)lines == quads,
             "/dump.nq.gz: %zu N-Quads lines, /healthz says %lld quads",
             lines,
             quads);
    ItGraph g = { 0 };
    if (it_rdf_parse("nquads", data, len, IT_BASE, &g, err, sizeof(err))) {
      size_t in_named = 0;
      for (size_t i = 0; i < g.n; ++i) {
        in_named +=
          g.items[i].g && !strcmp(g.items[i].g, "<" IT_NAMED_GRAPH ">");
      }
      IT_CHECK((long long)g.n == quads && in_named == 4,
               "/dump.nq.gz parses as N-Quads: %zu quads (want %lld), %zu in "
               "the named graph (want 4)",
               g.n,
               quads,
               in_named);
    } else {
      it_fail_at(
        __FILE__, __LINE__, "/dump.nq.gz: N-Quads that parse: %s", err);
    }
    it_graph_free(&g);
    free(data);
  } else {
    it_fail_at(
      __FILE__, __LINE__, "/dump.nq.gz: a complete gzip stream: %s", err);
  }
  it_response_free(&r);
}

/* The value of fairdex_http_requests_total with route and status labels
 * (summed over other labels); -1 if there is no such series. */
static double
requests_total(const char* const text,
               const char* const route,
               const char* const status)
{
  char want_route[128];
  char want_status[64];
  snprintf(want_route, sizeof(want_route), "route=\"%s\"", route);
  snprintf(want_status, sizeof(want_status), "status=\"%s\"", status);
  double      sum = -1;
  const char* p   = text;
  while (p && *p) {
    const char* const eol = strchr(p, '\n');
    const size_t      len = eol ? (size_t)(eol - p) : strlen(p);
    char              line[1024];
    snprintf(line, sizeof(line), "%.*s", (int)(len < 1023 ? len : 1023), p);
    if (!strncmp(line, "fairdex_http_requests_total{", 28)) {
      char* const close = strchr(line, '}');
      if (close) {
        *close = '\0';
        if (strstr(line, want_route) && strstr(line, want_status)) {
          sum = (sum < 0 ? 0 : sum) + strtod(close + 1, NULL);
        }
      }
    }
    p = eol ? eol + 1 : NULL;
  }
  return sum;
}

static void
test_metrics(void)
{
  printf("-- /metrics counts requests by route and status\n");
  ItResponse nf;
  get("/no-such-route-for-metrics", NULL, &nf);
  if (nf.status == 404) {
    ++n_notfound_404;
  }
  it_response_free(&nf);
  ItResponse r;
  get("/metrics", NULL, &r);
  IT_STATUS(&r, 200);
  const double sparql = requests_total(r.body, "/sparql", "200");
  const double health = requests_total(r.body, "/healthz", "200");
  double       nf404  = -1;
  /* The route label of an unknown path is the server's choice; any
   * series with status 404 counts. */
  const char* p = r.body;
  while ((p = strstr(p, "fairdex_http_requests_total{"))) {
    const char* const close = strchr(p, '}');
    const char* const st    = strstr(p, "status=\"404\"");
    if (close && st && st < close) {
      nf404 = (nf404 < 0 ? 0 : nf404) + strtod(close + 1, NULL);
    }
    p += 28;
  }
  IT_CHECK(sparql >= n_sparql_200,
           "/metrics: fairdex_http_requests_total{route=\"/sparql\","
           "status=\"200\"} >= %d (got %g)",
           n_sparql_200,
           sparql);
  IT_CHECK(health >= n_healthz_200,
           "/metrics: fairdex_http_requests_total{route=\"/healthz\","
           "status=\"200\"} >= %d (got %g)",
           n_healthz_200,
           health);
  IT_CHECK(nf404 >= n_notfound_404,
           "/metrics: fairdex_http_requests_total{...,status=\"404\"} >= %d "
           "(got %g)",
           n_notfound_404,
           nf404);
  const char* const names[] = { "fairdex_http_request_duration_seconds_bucket{",
                                "fairdex_store_quads",
                                "fairdex_store_bytes",
                                "fairdex_store_generation",
                                "fairdex_uptime_seconds" };
  for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); ++i) {
    IT_CHECK(
      it_contains(r.body, r.body_len, names[i]), "/metrics: has %s", names[i]);
  }
  it_response_free(&r);
}

/* ------------------------------------------------------------------------
 * The access log
 * --------------------------------------------------------------------- */

static void
test_access_log(void)
{
  printf("-- the access log (read after the server stopped)\n");
  size_t      len  = 0;
  char* const text = it_read_file(srv.access_log, &len);
  IT_CHECK(text != NULL, "--access-log %s exists", srv.access_log);
  if (!text) {
    return;
  }
  IT_CHECK(!it_contains(text, len, srv.admin_token) &&
             !it_contains(text, len, srv.reader_token) &&
             !it_contains(text, len, srv.curator_token),
           "the access log holds no token");
  IT_CHECK(!it_contains(text, len, MARKER) && !it_contains(text, len, "query="),
           "the access log holds no query string (the marker %s of a query is "
           "absent)",
           MARKER);
  size_t      lines = 0;
  size_t      bad   = 0;
  const char* p     = text;
  while (*p) {
    const char* const eol = strchr(p, '\n');
    const size_t      n   = eol ? (size_t)(eol - p) : strlen(p);
    ++lines;
    json_t* const o    = it_json(p, n, NULL, 0);
    const char*   t    = json_string_value(json_object_get(o, "time"));
    const char*   path = json_string_value(json_object_get(o, "path"));
    const bool    good =
      json_is_object(o) && t && strlen(t) >= 20 && t[4] == '-' &&
      t[10] == 'T' && t[strlen(t) - 1] == 'Z' &&
      json_is_string(json_object_get(o, "remote")) &&
      !strcmp(json_string_value(json_object_get(o, "remote")), "127.0.0.1") &&
      json_is_string(json_object_get(o, "method")) && path &&
      !strchr(path, '?') && json_is_string(json_object_get(o, "route")) &&
      json_is_integer(json_object_get(o, "status")) &&
      json_is_integer(json_object_get(o, "bytes")) &&
      json_is_number(json_object_get(o, "ms"));
    if (!good && ++bad <= 3) {
      it_note("bad access log line %zu: %s", lines, it_excerpt(p, n, 300));
    }
    json_decref(o);
    p += n + (eol ? 1 : 0);
  }
  IT_CHECK(bad == 0,
           "every access log line is {\"time\":\"...Z\",\"remote\":"
           "\"127.0.0.1\",\"method\",\"path\" (no '?'),\"route\",\"status\","
           "\"bytes\",\"ms\"} (%zu of %zu lines are not)",
           bad,
           lines);
  IT_CHECK(lines >= (size_t)n_requests,
           "the access log has a line per request: %zu lines for the %d "
           "requests sent",
           lines,
           n_requests);
  free(text);
}

int
main(int argc, char** argv)
{
  it_begin("routes", argc, argv, 0);
  it_server_prepare(&srv, "routes", true);
  if (!it_server_start(&srv, NULL)) {
    return it_finish("routes");
  }
  /* A query whose text must not reach the access log. */
  {
    char* const target =
      it_target("/sparql?query=", "ASK { ?s ?p \"" MARKER "\" }");
    ItResponse r;
    get(target, "application/sparql-results+json", &r);
    free(target);
    if (r.status == 200) {
      ++n_sparql_200;
    }
    it_response_free(&r);
  }
  test_head_raw();
  test_catalog_paging(5);
  test_catalog_paging(4);
  test_updates_and_changes();
  test_tokens();
  test_etag_after_update();
  test_gzip_equal();
  test_answer_cache();
  test_dump_count();
  test_metrics();
  it_server_stop(&srv, 15.0);
  test_access_log();
  return it_finish("routes");
}
