/*
 * test_limits.c: the `serve` options that set limits, each with a good and
 * a bad case.  One server runs with small limits:
 *
 *   --query-timeout-ms 300   a cross join of all triples with itself three
 *                            times (about 5e8 rows to count) gives 503
 *                            query_timeout, well before it could finish
 *   --max-rows 5             6 or more rows give 503 row_limit, 5 do not
 *   --max-body-bytes 4096    a 5000-byte body gives 413 payload_too_large,
 *                            a 4000-byte one is served
 *   --idle-timeout-s 2       a silent connection is closed after about 2 s
 *   --max-connections-per-client 10, --max-connections 40
 *                            connections over the limits are not served,
 *                            and are again once others close
 *   --threads 2
 *
 * and `serve` with a bad value for each option must exit non-zero without
 * printing the listening line.  Last, a server without --base and
 * --access-log: the base is http://HOST:PORT/ of the listening address,
 * the access log goes to stderr, and a `fairdex load` on its store while
 * it runs is visible to it.
 */
#include "harness.h"

#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

static ItServer srv;

#define SLOW_QUERY                                         \
  "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . " \
  "?g ?h ?i }"

static void
check_alive(const char* const after)
{
  ItResponse r;
  it_get(&srv, "/healthz", NULL, &r);
  IT_CHECK(r.status == 200,
           "after %s the server still answers GET /healthz (got %ld %s)",
           after,
           r.status,
           r.error);
  it_response_free(&r);
}

static void
test_timeout(void)
{
  printf("-- --query-timeout-ms 300\n");
  char* const  target = it_target("/sparql?query=", SLOW_QUERY);
  const double t0     = it_now();
  ItResponse   r;
  it_get(&srv, target, "application/sparql-results+json", &r);
  const double took = it_now() - t0;
  IT_ERROR(&r, 503, "query_timeout");
  IT_CHECK(took < 5.0,
           "the timed-out query is answered in %.2f s (limit 300 ms; under "
           "5 s)",
           took);
  it_response_free(&r);
  free(target);

  ItRequest req = { .method  = "POST",
                    .target  = "/sparql",
                    .headers = { "Content-Type: application/sparql-query" },
                    .body    = SLOW_QUERY };
  it_http(&srv, &req, &r);
  IT_ERROR(&r, 503, "query_timeout");
  it_response_free(&r);

  /* A quick query is not affected. */
  char* const quick = it_target("/sparql?query=", "ASK { ?s ?p ?o }");
  it_get(&srv, quick, "application/sparql-results+json", &r);
  IT_STATUS(&r, 200);
  it_response_free(&r);
  free(quick);
  check_alive("two timed-out queries");
}

static void
test_rows(void)
{
  printf("-- --max-rows 5\n");
  const struct
  {
    const char* query;
    long        status;
  } cases[] = {
    { "SELECT * WHERE { ?s ?p ?o }", 503 },
    { "SELECT * WHERE { ?s ?p ?o } LIMIT 6", 503 },
    { "SELECT * WHERE { ?s ?p ?o } LIMIT 5", 200 },
    { "SELECT * WHERE { ?s ?p ?o } LIMIT 1", 200 },
  };
  for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); ++i) {
    char* const target = it_target("/sparql?query=", cases[i].query);
    ItResponse  r;
    it_get(&srv, target, "application/sparql-results+json", &r);
    if (cases[i].status == 503) {
      IT_ERROR(&r, 503, "row_limit");
    } else if (IT_STATUS(&r, 200)) {
      json_t* const root = it_json(r.body, r.body_len, NULL, 0);
      const size_t  n = json_array_size(it_json_path(root, "results.bindings"));
      IT_CHECK(n == (strstr(cases[i].query, "LIMIT 5") ? 5u : 1u),
               "%s: %zu rows",
               cases[i].query,
               n);
      json_decref(root);
    }
    it_response_free(&r);
    free(target);
  }
  /* The same limit through POST and in another format. */
  ItRequest  req = { .method  = "POST",
                     .target  = "/sparql?format=csv",
                     .headers = { "Content-Type: application/sparql-query" },
                     .body    = "SELECT * WHERE { ?s ?p ?o }" };
  ItResponse r;
  it_http(&srv, &req, &r);
  IT_ERROR(&r, 503, "row_limit");
  it_response_free(&r);
  check_alive("row-limited queries");
}

/* A query of exactly `len` bytes: ASK {} padded with a comment. */
static char*
padded_query(const size_t len)
{
  char* const q = malloc(len + 1);
  memset(q, 'x', len);
  memcpy(q, "ASK {} #", 8);
  q[len] = '\0';
  return q;
}

static void
test_body(void)
{
  printf("-- --max-body-bytes 4096\n");
  char* const big   = padded_query(5000);
  char* const small = padded_query(4000);
  ItRequest   req   = { .method  = "POST",
                        .target  = "/sparql",
                        .headers = { "Content-Type: application/sparql-query",
                                     "Accept: application/sparql-results+json" },
                        .body    = big };
  ItResponse  r;
  it_http(&srv, &req, &r);
  IT_ERROR(&r, 413, "payload_too_large");
  it_response_free(&r);

  req.body = small;
  it_http(&srv, &req, &r);
  IT_STATUS(&r, 200);
  it_response_free(&r);

  /* A form of 5000 bytes. */
  char* const form = malloc(5001);
  memset(form, 'x', 5000);
  memcpy(form, "query=ASK%7B%7D%23", 18);
  form[5000]     = '\0';
  ItRequest freq = { .method  = "POST",
                     .target  = "/sparql",
                     .headers = { "Content-Type: "
                                  "application/x-www-form-urlencoded" },
                     .body    = form };
  it_http(&srv, &freq, &r);
  IT_ERROR(&r, 413, "payload_too_large");
  it_response_free(&r);
  free(form);
  free(big);
  free(small);
  check_alive("bodies over the limit");
}

static void
test_idle(void)
{
  printf("-- --idle-timeout-s 2\n");
  const int fd = it_connect(srv.port, NULL);
  IT_REQUIRE(fd >= 0, "connect");
  const double  t0     = it_now();
  struct pollfd pfd    = { fd, POLLIN, 0 };
  const int     r      = poll(&pfd, 1, 8000);
  const double  took   = it_now() - t0;
  char          c      = 0;
  const bool    closed = r == 1 && recv(fd, &c, 1, 0) <= 0;
  IT_CHECK(closed && took >= 1.5 && took < 6.0,
           "a connection that sends nothing is closed after the idle timeout "
           "of 2 s (%s after %.2f s)",
           closed ? "closed" : "still open",
           took);
  close(fd);
  /* A connection that sends a request in time is served. */
  ItResponse resp;
  it_get(&srv, "/healthz", NULL, &resp);
  IT_STATUS(&resp, 200);
  it_response_free(&resp);
}

/* How many of fds[] the server has closed (readable with EOF or reset,
 * after waiting up to `ms`). */
static size_t
count_closed(const int* const fds, const size_t n, const int ms)
{
  it_sleep_ms(ms);
  size_t closed = 0;
  for (size_t i = 0; i < n; ++i) {
    struct pollfd pfd = { fds[i], POLLIN, 0 };
    char          c   = 0;
    if (fds[i] < 0) {
      ++closed;
    } else if (poll(&pfd, 1, 0) == 1 &&
               recv(fds[i], &c, 1, MSG_DONTWAIT) <= 0) {
      ++closed;
    }
  }
  return closed;
}

/* GET /healthz over a raw connection from `source`; the status, or -1
 * when the connection is refused, closed or silent for 2 s. */
static int
raw_healthz(const char* const source)
{
  const int fd = it_connect(srv.port, source);
  if (fd < 0) {
    return -1;
  }
  const char req[] = "GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                     "Connection: close\r\n\r\n";
  it_send_all(fd, req, sizeof(req) - 1);
  size_t      len    = 0;
  bool        closed = false;
  char* const reply  = it_recv_all(fd, 2000, 65536, &len, &closed);
  const int   status = it_raw_status(reply, len);
  free(reply);
  close(fd);
  return status;
}

static void
test_connection_limits(void)
{
  printf("-- --max-connections-per-client 10, --max-connections 40\n");
  int fds[64];
  for (size_t i = 0; i < 12; ++i) {
    fds[i] = it_connect(srv.port, "127.0.0.5");
  }
  const size_t closed = count_closed(fds, 12, 1000);
  IT_CHECK(closed >= 2,
           "of 12 idle connections from 127.0.0.5, at least the 2 over the "
           "per-client limit are closed or refused (got %zu)",
           closed);
  IT_CHECK(closed <= 2,
           "of 12 idle connections from 127.0.0.5, the 10 within the limit "
           "stay open (%zu closed)",
           closed);
  IT_CHECK(raw_healthz("127.0.0.6") == 200,
           "meanwhile another client address is served");
  for (size_t i = 0; i < 12; ++i) {
    if (fds[i] >= 0) {
      close(fds[i]);
    }
  }
  it_sleep_ms(200);

  /* 40 idle connections, 10 from each of four addresses: the limit. */
  char addr[32];
  for (size_t i = 0; i < 40; ++i) {
    snprintf(addr, sizeof(addr), "127.0.0.%zu", 20 + i / 10);
    fds[i] = it_connect(srv.port, addr);
  }
  const size_t closed40 = count_closed(fds, 40, 500);
  IT_CHECK(closed40 == 0,
           "40 idle connections from 4 addresses are all kept open (%zu "
           "closed)",
           closed40);
  const int over = raw_healthz("127.0.0.30");
  IT_CHECK(over != 200,
           "a 41st connection (--max-connections 40) is not served (got %d; "
           "-1 is refused, closed or no answer)",
           over);
  for (size_t i = 0; i < 40; ++i) {
    if (fds[i] >= 0) {
      close(fds[i]);
    }
  }
  it_sleep_ms(300);
  IT_CHECK(raw_healthz("127.0.0.30") == 200,
           "once they are closed, a new connection is served again");
}

static void
test_bad_options(void)
{
  printf("-- serve with bad option values exits non-zero\n");
  const char* const bad[][2] = {
    { "--query-timeout-ms", "abc" },
    { "--query-timeout-ms", "-5" },
    { "--max-rows", "abc" },
    { "--max-rows", "-1" },
    { "--max-body-bytes", "lots" },
    { "--max-connections", "abc" },
    { "--max-connections-per-client", "x" },
    { "--idle-timeout-s", "soon" },
    { "--threads", "abc" },
    { "--threads", "-2" },
    { "--listen", "nonsense" },
    { "--listen", "127.0.0.1:99999" },
    { "--listen", "256.1.1.1:0" },
    { "--no-such-option", "1" },
  };
  for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); ++i) {
    const char* argv[] = { "serve",       "--db",    srv.db,    "--listen",
                           "127.0.0.1:0", bad[i][0], bad[i][1], NULL };
    if (!strcmp(bad[i][0], "--listen")) {
      argv[3] = bad[i][0];
      argv[4] = bad[i][1];
      argv[5] = NULL;
    }
    char      out[512];
    char      err[1024];
    const int rc =
      it_run_fairdex(argv, 10.0, out, sizeof(out), err, sizeof(err));
    IT_CHECK(rc > 0 && !strstr(out, "listening on"),
             "serve %s '%s': exits non-zero without listening (exit %d%s; "
             "stderr: %s)",
             bad[i][0],
             bad[i][1],
             rc,
             rc < 0 ? ", killed after 10 s or by a signal" : "",
             it_excerpt(err, strlen(err), 160));
  }
}

/* Without --base the base is http://HOST:PORT/ of the listening address;
 * without --access-log the log goes to stderr; a CLI load while the
 * server runs is visible to it. */
static void
test_defaults(void)
{
  printf("-- the default base and access log; a CLI load while serving\n");
  static ItServer def;
  it_server_prepare_empty(&def, "defaults");
  def.no_base       = true;
  def.log_to_stderr = true;
  if (!it_server_start(&def, NULL)) {
    return;
  }
  /* Data under the server's own address, loaded with the CLI meanwhile. */
  char path[8192];
  snprintf(path, sizeof(path), "%s/own.nt", def.dir);
  FILE* const f = fopen(path, "w");
  IT_REQUIRE(f != NULL, "create %s", path);
  fprintf(f,
          "<%s/dataset/own> <http://www.w3.org/1999/02/22-rdf-syntax-ns#type> "
          "<http://www.w3.org/ns/dcat#Dataset> .\n"
          "<%s/dataset/own> <http://purl.org/dc/terms/title> \"own\" .\n",
          def.url,
          def.url);
  fclose(f);
  const char* argv[] = { "--db", def.db, "load", path, NULL };
  char        err[1024];
  const int   rc = it_run_fairdex(argv, 60.0, NULL, 0, err, sizeof(err));
  IT_CHECK(rc == 0,
           "fairdex load on the store of the running server exits 0 (got %d; "
           "%s)",
           rc,
           it_excerpt(err, strlen(err), 200));
  long long quads  = -1;
  size_t    n_sent = 1; /* the GET /dataset/own below */
  for (int i = 0; i < 20 && quads != 2; ++i) {
    ItResponse r;
    ++n_sent;
    it_get(&def, "/healthz", NULL, &r);
    json_t* const root = it_json(r.body, r.body_len, NULL, 0);
    quads              = json_integer_value(json_object_get(root, "quads"));
    json_decref(root);
    it_response_free(&r);
    if (quads != 2) {
      it_sleep_ms(100);
    }
  }
  IT_CHECK(quads == 2,
           "the server sees the 2 quads the CLI loaded meanwhile (/healthz: "
           "%lld)",
           quads);
  ItResponse r;
  it_get(&def, "/dataset/own", "application/n-triples", &r);
  char want[256];
  snprintf(want, sizeof(want), "<%s/dataset/own>", def.url);
  IT_CHECK(r.status == 200 && it_contains(r.body, r.body_len, want),
           "without --base, GET /dataset/own serves %s (the base is the "
           "listening address; got %ld %s)",
           want,
           r.status,
           it_excerpt(r.body, r.body_len, 200));
  it_response_free(&r);
  it_server_stop(&def, 15.0);

  size_t      len        = 0;
  char* const text       = it_read_file(def.stderr_path, &len);
  size_t      json_lines = 0;
  for (const char* p = text; p && *p;) {
    const char* const eol = strchr(p, '\n');
    const size_t      n   = eol ? (size_t)(eol - p) : strlen(p);
    json_t* const     o   = it_json(p, n, NULL, 0);
    json_lines += json_is_object(o) && json_object_get(o, "route") &&
                  json_object_get(o, "status");
    json_decref(o);
    p += n + (eol ? 1 : 0);
  }
  IT_CHECK(json_lines >= n_sent,
           "without --access-log, stderr holds a JSON access log line per "
           "request (%zu lines with route and status for %zu requests)",
           json_lines,
           n_sent);
  free(text);
}

/* A server whose store's disk is "full" (FAIRDEX_MIN_FREE_DISK above any
 * disk's free space) still answers reads, and refuses a SPARQL update and
 * a vocabulary edit with 507 insufficient_storage, writing nothing. */
static void
test_full_disk(void)
{
  printf("-- a full disk: reads answer, an update gets 507\n");
  static ItServer full;
  it_server_prepare(&full, "full-disk", true);
  setenv("FAIRDEX_MIN_FREE_DISK", "1000000G", 1);
  const bool started = it_server_start(&full, NULL);
  unsetenv("FAIRDEX_MIN_FREE_DISK");
  if (!started) {
    return;
  }
  ItResponse before;
  it_get(&full, "/healthz", NULL, &before);
  IT_CHECK(before.status == 200, "GET /healthz answers 200 (got %ld)",
           before.status);
  char auth[600];
  snprintf(auth, sizeof(auth), "Authorization: Bearer %s", full.admin_token);
  ItRequest req;
  memset(&req, 0, sizeof(req));
  req.method     = "POST";
  req.target     = "/sparql";
  req.headers[0] = auth;
  req.headers[1] = "Content-Type: application/sparql-update";
  req.body =
    "INSERT DATA { <http://example.org/full> <http://example.org/p> 1 }";
  ItResponse r;
  it_http(&full, &req, &r);
  IT_CHECK(r.status == 507 &&
             it_contains(r.body, r.body_len, "insufficient_storage") &&
             it_contains(r.body, r.body_len, "no space left"),
           "an update on a full disk answers 507 insufficient_storage (got "
           "%ld %s)",
           r.status, it_excerpt(r.body, r.body_len, 200));
  it_response_free(&r);
  /* A vocabulary edit (a curator's): the same. */
  snprintf(auth, sizeof(auth), "Authorization: Bearer %s", full.curator_token);
  req.target     = "/api/vocab";
  req.headers[1] = "Content-Type: application/json";
  req.body       = "{\"id\": \"full\", \"title\": {\"en\": \"Full\"}}";
  it_http(&full, &req, &r);
  IT_CHECK(r.status == 507 &&
             it_contains(r.body, r.body_len, "insufficient_storage"),
           "a vocabulary edit on a full disk answers 507 insufficient_storage "
           "(got %ld %s)",
           r.status, it_excerpt(r.body, r.body_len, 200));
  it_response_free(&r);
  ItResponse after;
  it_get(&full, "/healthz", NULL, &after);
  json_t* const b = it_json(before.body, before.body_len, NULL, 0);
  json_t* const a = it_json(after.body, after.body_len, NULL, 0);
  IT_CHECK(after.status == 200 && b && a &&
             json_integer_value(json_object_get(b, "quads")) ==
               json_integer_value(json_object_get(a, "quads")) &&
             json_integer_value(json_object_get(b, "generation")) ==
               json_integer_value(json_object_get(a, "generation")),
           "the refused update wrote nothing (/healthz before %s, after %s)",
           it_excerpt(before.body, before.body_len, 120),
           it_excerpt(after.body, after.body_len, 120));
  json_decref(b);
  json_decref(a);
  it_response_free(&before);
  it_response_free(&after);
  it_server_stop(&full, 15.0);
}

int
main(int argc, char** argv)
{
  it_begin("limits", argc, argv, 512);
  it_server_prepare(&srv, "limits", false);
  const char* const opts[] = { "--query-timeout-ms",
                               "300",
                               "--max-rows",
                               "5",
                               "--max-body-bytes",
                               "4096",
                               "--idle-timeout-s",
                               "2",
                               "--max-connections-per-client",
                               "10",
                               "--max-connections",
                               "40",
                               "--threads",
                               "2",
                               NULL };
  if (!it_server_start(&srv, opts)) {
    return it_finish("limits");
  }
  test_timeout();
  test_rows();
  test_body();
  test_idle();
  test_connection_limits();
  it_server_stop(&srv, 15.0);
  test_bad_options();
  test_defaults();
  test_full_disk();
  return it_finish("limits");
}
