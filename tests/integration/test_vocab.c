/*
 * test_vocab.c: what the vocabulary cases (cases/240-253) cannot express,
 * because it needs requests that race each other.  The contract: an edit
 * compares If-Match with the concept's ETag inside its write transaction
 * and LMDB has one writer at a time, so of several edits made from the
 * same ETag exactly one succeeds and the others get 412; of several
 * creations of the same id exactly one gets 201 and the others 409.
 *
 * A race: N connections are opened and each is sent its whole request but
 * the last byte (so the server has read everything it needs but cannot
 * start), then the last bytes go out back to back and every answer is
 * read.  The server runs one thread per connection, so the N handlers run
 * at the same time.  Checked, over several rounds each:
 *
 *   - N PUTs of one concept from the same ETag, each with its own labels:
 *     one 200, N-1 412 precondition_failed; the concept then has the
 *     winner's labels and the ETag the winner was given; the concept's
 *     history has one update per round, by the token's name;
 *   - a PUT and a DELETE (deprecation) from the same ETag: one of them;
 *     the concept shows which (deprecated, or the new label) and not both;
 *   - N creations of the same concept id (half by id, half by IRI): one
 *     201, N-1 409 conflict; the concept exists once, with the winner's
 *     label, and the history has one "create" for it;
 *   - N creations of the same scheme id: one 201, N-1 409;
 *   - the server still answers, its scheme counts add up, and it exits 0.
 */
#include "harness.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#define ROUNDS 8
#define RACERS 4
#define SCHEME "race"
#define SCHEME_IRI IT_BASE "vocab/" SCHEME

static ItServer srv;

/* ------------------------------------------------------------------------
 * Helpers
 * --------------------------------------------------------------------- */

/* One raced request and its answer. */
typedef struct
{
  char*   request; /* the raw request (malloc'd) */
  int     fd;
  int     status; /* -1: no answer */
  char*   reply;  /* the raw answer (malloc'd) */
  size_t  reply_len;
  char    etag[128]; /* its ETag header, or "" */
  json_t* json;      /* its body as JSON, or NULL */
} Racer;

/* A raw HTTP/1.1 request with `Connection: close`, a bearer token and,
 * when body is not NULL, a JSON body (malloc'd). */
static char*
raw_request(const char* const method,
            const char* const target,
            const char* const token,
            const char* const if_match,
            const char* const body)
{
  const size_t body_len = body ? strlen(body) : 0;
  const size_t size     = 1024 + strlen(target) + strlen(token) +
                      (if_match ? strlen(if_match) : 0) + body_len;
  char* const out = malloc(size);
  if (!out) {
    abort();
  }
  int n = snprintf(out,
                   size,
                   "%s %s HTTP/1.1\r\n"
                   "Host: 127.0.0.1\r\n"
                   "Connection: close\r\n"
                   "Authorization: Bearer %s\r\n",
                   method,
                   target,
                   token);
  if (if_match) {
    n += snprintf(out + n, size - (size_t)n, "If-Match: %s\r\n", if_match);
  }
  if (body) {
    n += snprintf(out + n,
                  size - (size_t)n,
                  "Content-Type: application/json\r\n"
                  "Content-Length: %zu\r\n\r\n%s",
                  body_len,
                  body);
  } else {
    n += snprintf(out + n, size - (size_t)n, "Content-Length: 0\r\n\r\n");
  }
  return out;
}

/* The value of header `name` in a raw answer, trimmed, into out. */
static bool
raw_header(const char* const reply,
           const char* const name,
           char* const       out,
           const size_t      size)
{
  const size_t n   = strlen(name);
  const char*  end = strstr(reply, "\r\n\r\n");
  for (const char* p = strstr(reply, "\r\n"); p && (!end || p < end);
       p             = strstr(p + 2, "\r\n")) {
    const char* const line = p + 2;
    if (!strncasecmp(line, name, n) && line[n] == ':') {
      const char* v = line + n + 1;
      while (*v == ' ') {
        ++v;
      }
      const char* const eol = strstr(v, "\r\n");
      const size_t      len = eol ? (size_t)(eol - v) : strlen(v);
      snprintf(out, size, "%.*s", (int)len, v);
      return true;
    }
  }
  out[0] = '\0';
  return false;
}

/* Send every racer's request but its last byte, wait, then the last
 * bytes back to back, and read every answer. */
static void
race(Racer* const racers, const size_t n)
{
  for (size_t i = 0; i < n; ++i) {
    Racer* const r = &racers[i];
    r->status      = -1;
    r->fd          = it_connect(srv.port, NULL);
    IT_REQUIRE(r->fd >= 0, "race: connection %zu opened", i);
    const size_t len = strlen(r->request);
    IT_REQUIRE(it_send_all(r->fd, r->request, len - 1),
               "race: connection %zu sent all but the last byte",
               i);
  }
  /* Let the server read what was sent, so that only the last byte is
   * missing everywhere. */
  it_sleep_ms(150);
  for (size_t i = 0; i < n; ++i) {
    const Racer* const r = &racers[i];
    it_send_all(r->fd, r->request + strlen(r->request) - 1, 1);
  }
  for (size_t i = 0; i < n; ++i) {
    Racer* const r      = &racers[i];
    bool         closed = false;
    r->reply =
      it_recv_all(r->fd, 30000, (size_t)1 << 20, &r->reply_len, &closed);
    close(r->fd);
    r->fd     = -1;
    r->status = it_raw_status(r->reply, r->reply_len);
    raw_header(r->reply, "ETag", r->etag, sizeof(r->etag));
    const char* const body = strstr(r->reply, "\r\n\r\n");
    r->json = body ? it_json(body + 4, strlen(body + 4), NULL, 0) : NULL;
  }
}

static void
racers_free(Racer* const racers, const size_t n)
{
  for (size_t i = 0; i < n; ++i) {
    free(racers[i].request);
    free(racers[i].reply);
    json_decref(racers[i].json);
    memset(&racers[i], 0, sizeof(racers[i]));
  }
}

/* How many racers got `status`; the index of the last in *ret_index. */
static size_t
count_status(const Racer* const racers,
             const size_t       n,
             const int          status,
             size_t* const      ret_index)
{
  size_t count = 0;
  for (size_t i = 0; i < n; ++i) {
    if (racers[i].status == status) {
      ++count;
      if (ret_index) {
        *ret_index = i;
      }
    }
  }
  return count;
}

/* Every racer that did not get `winner` got `status` with the JSON error
 * `code`. */
static void
check_losers(const Racer* const racers,
             const size_t       n,
             const int          winner,
             const int          status,
             const char* const  code,
             const char* const  what)
{
  for (size_t i = 0; i < n; ++i) {
    const Racer* const r = &racers[i];
    if (r->status == winner) {
      continue;
    }
    const char* const got =
      json_string_value(json_object_get(r->json, "error"));
    IT_CHECK(r->status == status && got && !strcmp(got, code),
             "%s: racer %zu got %d {\"error\": \"%s\"} (got %d, %s)",
             what,
             i,
             status,
             code,
             r->status,
             r->reply ? it_excerpt(r->reply, r->reply_len, 300) : "nothing");
  }
}

/* GET `target` as JSON (new reference; NULL after a failed check), with
 * its ETag into etag (may be NULL). */
static json_t*
get_json(const char* const target, char* const etag, const size_t etag_size)
{
  ItResponse r;
  it_get(&srv, target, "application/json", &r);
  json_t* root = NULL;
  if (IT_STATUS(&r, 200)) {
    char err[256];
    root = it_json(r.body, r.body_len, err, sizeof(err));
    IT_CHECK(root != NULL, "GET %s: JSON (%s)", target, root ? "ok" : err);
    if (etag && !it_header(&r, "ETag", etag, etag_size)) {
      etag[0] = '\0';
    }
  }
  it_response_free(&r);
  return root;
}

/* POST/PUT `body` as JSON with the curator token; returns the status. */
static long
send_json(const char* const method,
          const char* const target,
          const char* const if_match,
          const char* const body)
{
  char auth[700];
  char match[200];
  snprintf(auth, sizeof(auth), "Authorization: Bearer %s", srv.curator_token);
  snprintf(match, sizeof(match), "If-Match: %s", if_match ? if_match : "");
  ItRequest  req = { .method  = method,
                     .target  = target,
                     .headers = { "Content-Type: application/json",
                                  auth,
                                 if_match ? match : NULL },
                     .body    = body };
  ItResponse r;
  it_http(&srv, &req, &r);
  const long status = r.status;
  if (status >= 300) {
    it_note("%s %s: %ld %s",
            method,
            target,
            status,
            it_excerpt(r.body, r.body_len, 300));
  }
  it_response_free(&r);
  return status;
}

/* How many entries of `history` (a {"changes"} answer) have `action`. */
static size_t
count_action(const json_t* const history, const char* const action)
{
  size_t        n = 0;
  size_t        i;
  const json_t* entry;
  json_array_foreach(json_object_get(history, "changes"), i, entry)
  {
    const char* const a = json_string_value(json_object_get(entry, "action"));
    n += a && !strcmp(a, action);
  }
  return n;
}

/* ------------------------------------------------------------------------
 * The races
 * --------------------------------------------------------------------- */

static void
test_concurrent_puts(void)
{
  printf("-- %d rounds of %d PUTs of one concept from the same ETag\n",
         ROUNDS,
         RACERS);
  const char* const target = "/api/vocab/" SCHEME "/puck";
  for (int round = 0; round < ROUNDS; ++round) {
    char          etag[128];
    json_t* const before = get_json(target, etag, sizeof(etag));
    IT_REQUIRE(before && etag[0], "round %d: the concept and its ETag", round);
    json_decref(before);

    Racer racers[RACERS];
    memset(racers, 0, sizeof(racers));
    char labels[RACERS][64];
    for (size_t i = 0; i < RACERS; ++i) {
      snprintf(labels[i], sizeof(labels[i]), "Round %d writer %zu", round, i);
      char body[256];
      snprintf(body,
               sizeof(body),
               "{\"prefLabel\": {\"en\": \"%s\", \"de\": \"Runde %d "
               "Schreiber %zu\"}}",
               labels[i],
               round,
               i);
      racers[i].request =
        raw_request("PUT", target, srv.curator_token, etag, body);
    }
    race(racers, RACERS);
    size_t       winner = 0;
    const size_t wins   = count_status(racers, RACERS, 200, &winner);
    IT_CHECK(wins == 1,
             "round %d: exactly one of %d PUTs from ETag %s wins (200), got "
             "%zu",
             round,
             RACERS,
             etag,
             wins);
    check_losers(racers, RACERS, 200, 412, "precondition_failed", "PUT race");
    if (wins == 1) {
      char              now[128];
      json_t* const     after = get_json(target, now, sizeof(now));
      const char* const en    = json_string_value(
        json_object_get(json_object_get(after, "prefLabel"), "en"));
      IT_CHECK(en && !strcmp(en, labels[winner]),
               "round %d: the concept has the winner's label \"%s\" (got "
               "\"%s\")",
               round,
               labels[winner],
               en ? en : "(none)");
      IT_CHECK(racers[winner].etag[0] && !strcmp(now, racers[winner].etag),
               "round %d: its ETag is the one the winner got (%s, got %s)",
               round,
               racers[winner].etag,
               now);
      IT_CHECK(strcmp(now, etag) != 0,
               "round %d: the ETag changed (%s -> %s)",
               round,
               etag,
               now);
      json_decref(after);
    }
    racers_free(racers, RACERS);
  }
  json_t* const history =
    get_json("/api/vocab/" SCHEME "/puck/history?limit=1000", NULL, 0);
  const size_t updates = count_action(history, "update");
  IT_CHECK(updates == ROUNDS,
           "the concept's history has one update per round (%d, got %zu)",
           ROUNDS,
           updates);
  size_t        i;
  const json_t* entry;
  bool          all_curator = true;
  json_array_foreach(json_object_get(history, "changes"), i, entry)
  {
    const char* const who = json_string_value(json_object_get(entry, "who"));
    all_curator           = all_curator && who && !strcmp(who, "curator1");
  }
  IT_CHECK(all_curator, "every entry names the curator token (curator1)");
  json_decref(history);
}

static void
test_put_against_delete(void)
{
  printf("-- %d rounds of a PUT against a DELETE from the same ETag\n", ROUNDS);
  for (int round = 0; round < ROUNDS; ++round) {
    char id[32];
    char target[128];
    char body[256];
    snprintf(id, sizeof(id), "stick-%d", round);
    snprintf(target, sizeof(target), "/api/vocab/" SCHEME "/%s", id);
    snprintf(body,
             sizeof(body),
             "{\"id\": \"%s\", \"prefLabel\": {\"en\": \"Stick %d\"}}",
             id,
             round);
    IT_REQUIRE(
      send_json("POST", "/api/vocab/" SCHEME "/concepts", NULL, body) == 201,
      "round %d: concept %s created",
      round,
      id);
    char          etag[128];
    json_t* const before = get_json(target, etag, sizeof(etag));
    json_decref(before);

    Racer racers[2];
    memset(racers, 0, sizeof(racers));
    snprintf(body,
             sizeof(body),
             "{\"prefLabel\": {\"en\": \"Stick %d renamed\"}}",
             round);
    /* Alternate who is sent first. */
    const size_t put = (size_t)(round % 2);
    racers[put].request =
      raw_request("PUT", target, srv.curator_token, etag, body);
    racers[1 - put].request =
      raw_request("DELETE", target, srv.curator_token, etag, NULL);
    race(racers, 2);
    const size_t wins = count_status(racers, 2, 200, NULL);
    IT_CHECK(wins == 1,
             "round %d: exactly one of PUT and DELETE from ETag %s wins, got "
             "%zu (PUT %d, DELETE %d)",
             round,
             etag,
             wins,
             racers[put].status,
             racers[1 - put].status);
    check_losers(racers, 2, 200, 412, "precondition_failed", "PUT/DELETE race");
    json_t* const after   = get_json(target, NULL, 0);
    const bool deprecated = json_is_true(json_object_get(after, "deprecated"));
    const char* const en  = json_string_value(
      json_object_get(json_object_get(after, "prefLabel"), "en"));
    const bool renamed = en && strstr(en, "renamed") != NULL;
    if (racers[put].status == 200) {
      IT_CHECK(renamed && !deprecated,
               "round %d: the PUT won: renamed, not deprecated (\"%s\", "
               "deprecated %d)",
               round,
               en ? en : "",
               deprecated);
    } else if (racers[1 - put].status == 200) {
      IT_CHECK(!renamed && deprecated,
               "round %d: the DELETE won: deprecated, not renamed (\"%s\", "
               "deprecated %d)",
               round,
               en ? en : "",
               deprecated);
    }
    json_decref(after);
    racers_free(racers, 2);
  }
}

static void
test_concurrent_creates(void)
{
  printf(
    "-- %d rounds of %d creations of the same concept id\n", ROUNDS, RACERS);
  for (int round = 0; round < ROUNDS; ++round) {
    char id[32];
    snprintf(id, sizeof(id), "dup-%d", round);
    Racer racers[RACERS];
    memset(racers, 0, sizeof(racers));
    char labels[RACERS][64];
    for (size_t i = 0; i < RACERS; ++i) {
      snprintf(labels[i], sizeof(labels[i]), "Dup %d by %zu", round, i);
      char body[512];
      if (i % 2) {
        snprintf(body,
                 sizeof(body),
                 "{\"iri\": \"%s/%s\", \"prefLabel\": {\"en\": \"%s\"}}",
                 SCHEME_IRI,
                 id,
                 labels[i]);
      } else {
        snprintf(body,
                 sizeof(body),
                 "{\"id\": \"%s\", \"prefLabel\": {\"en\": \"%s\"}}",
                 id,
                 labels[i]);
      }
      racers[i].request = raw_request("POST",
                                      "/api/vocab/" SCHEME "/concepts",
                                      srv.curator_token,
                                      NULL,
                                      body);
    }
    race(racers, RACERS);
    size_t       winner = 0;
    const size_t wins   = count_status(racers, RACERS, 201, &winner);
    IT_CHECK(wins == 1,
             "round %d: exactly one of %d creations of %s is 201, got %zu",
             round,
             RACERS,
             id,
             wins);
    check_losers(racers, RACERS, 201, 409, "conflict", "create race");
    char target[128];
    snprintf(target, sizeof(target), "/api/vocab/" SCHEME "/%s", id);
    json_t* const     after = get_json(target, NULL, 0);
    const char* const en    = json_string_value(
      json_object_get(json_object_get(after, "prefLabel"), "en"));
    if (wins == 1) {
      IT_CHECK(en && !strcmp(en, labels[winner]),
               "round %d: %s has the winner's label \"%s\" (got \"%s\")",
               round,
               id,
               labels[winner],
               en ? en : "(none)");
    }
    json_decref(after);
    snprintf(target,
             sizeof(target),
             "/api/vocab/" SCHEME "/%s/history?limit=1000",
             id);
    json_t* const history = get_json(target, NULL, 0);
    const size_t  creates = count_action(history, "create");
    const size_t  n_change =
      json_array_size(json_object_get(history, "changes"));
    IT_CHECK(creates == 1 && n_change == 1,
             "round %d: %s's history is one \"create\" (got %zu entries, %zu "
             "creates)",
             round,
             id,
             n_change,
             creates);
    json_decref(history);
    racers_free(racers, RACERS);
  }
  char q[128];
  snprintf(q, sizeof(q), "/api/vocab/" SCHEME "/concepts?q=dup&limit=1000");
  json_t* const    found = get_json(q, NULL, 0);
  const json_int_t total = json_integer_value(json_object_get(found, "total"));
  IT_CHECK(total == ROUNDS,
           "the label search finds each raced concept once (%d, got %lld)",
           ROUNDS,
           (long long)total);
  json_decref(found);
}

static void
test_concurrent_schemes(void)
{
  printf(
    "-- %d rounds of %d creations of the same scheme id\n", ROUNDS, RACERS);
  for (int round = 0; round < ROUNDS; ++round) {
    Racer racers[RACERS];
    memset(racers, 0, sizeof(racers));
    for (size_t i = 0; i < RACERS; ++i) {
      char body[256];
      snprintf(body,
               sizeof(body),
               "{\"id\": \"scheme-%d\", \"title\": {\"en\": \"Scheme %d by "
               "%zu\"}}",
               round,
               round,
               i);
      racers[i].request =
        raw_request("POST", "/api/vocab", srv.curator_token, NULL, body);
    }
    race(racers, RACERS);
    const size_t wins = count_status(racers, RACERS, 201, NULL);
    IT_CHECK(wins == 1,
             "round %d: exactly one of %d creations of scheme-%d is 201, got "
             "%zu",
             round,
             RACERS,
             round,
             wins);
    check_losers(racers, RACERS, 201, 409, "conflict", "scheme race");
    racers_free(racers, RACERS);
  }
  json_t* const    list  = get_json("/api/vocab", NULL, 0);
  const json_int_t total = json_integer_value(json_object_get(list, "total"));
  /* 7 shipped, "race", and one per round. */
  IT_CHECK(total == 8 + ROUNDS,
           "GET /api/vocab lists %d schemes (got %lld)",
           8 + ROUNDS,
           (long long)total);
  json_decref(list);
}

int
main(int argc, char** argv)
{
  it_begin("vocab", argc, argv, 256);
  it_server_prepare(&srv, "vocab", true);
  const char* const extra[] = { "--threads", "8", NULL };
  if (!it_server_start(&srv, extra)) {
    return it_finish("vocab");
  }
  IT_REQUIRE(send_json("POST",
                       "/api/vocab",
                       NULL,
                       "{\"id\": \"" SCHEME "\", \"title\": {\"en\": "
                       "\"Races\", \"de\": \"Wettl\\u00e4ufe\"}}") == 201,
             "scheme " SCHEME " created");
  IT_REQUIRE(send_json("POST",
                       "/api/vocab/" SCHEME "/concepts",
                       NULL,
                       "{\"id\": \"puck\", \"prefLabel\": {\"en\": \"Puck\", "
                       "\"de\": \"Puck\"}}") == 201,
             "concept puck created");
  test_concurrent_puts();
  test_put_against_delete();
  test_concurrent_creates();
  test_concurrent_schemes();
  json_t* const    scheme = get_json("/api/vocab/" SCHEME, NULL, 0);
  const json_int_t n = json_integer_value(json_object_get(scheme, "concepts"));
  IT_CHECK(n == 1 + 2 * ROUNDS,
           "scheme " SCHEME " has %d concepts (got %lld)",
           1 + 2 * ROUNDS,
           (long long)n);
  json_decref(scheme);
  IT_CHECK(it_server_alive(&srv), "the server still runs");
  it_server_stop(&srv, 15.0);
  return it_finish("vocab");
}
