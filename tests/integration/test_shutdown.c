/*
 * test_shutdown.c: SIGTERM and SIGINT (contract: stop accepting, let the
 * requests in flight finish, at most 10 s, exit 0), on a store big enough
 * that GET /dump.nq.gz is still being sent when the signal comes (300 000
 * triples with random literals: some MB of gzip, more than the socket
 * buffers hold, and the client's receive buffer is kept small).
 *
 *   1. A reader that goes on reading after SIGTERM: no new connection is
 *      served (they are refused), the dump completes (every quad of
 *      /healthz's count, a whole gzip stream) unless 10 s have passed, and
 *      the server exits 0.
 *   2. A reader that stops reading: the server still exits 0 within the
 *      10 s grace period (plus slack) instead of waiting for it.
 *   3. An idle kept-alive connection does not hold the exit up either.
 *   4. SIGINT stops the server like SIGTERM.
 *   5. A query that would run for minutes (the time limit set to two
 *      minutes) is cancelled when the grace period ends: its client gets
 *      503 "stopping", and the server exits 0 within the grace period
 *      plus slack.
 */
#include "harness.h"

#include <curl/curl.h>

#include <errno.h>
#include <signal.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#define N_TRIPLES 300000
#define GRACE_S 10.0
#define SLACK_S 2.5

static ItServer srv;

/* ------------------------------------------------------------------------
 * Helpers
 * --------------------------------------------------------------------- */

/* Wait until the server exits (at most `timeout_s` from `since`); returns
 * the exit time (it_now()) or 0, and checks the status. */
static double
wait_exit(const double since, const double timeout_s, const char* const what)
{
  int    status = 0;
  double when   = 0;
  while (it_now() - since < timeout_s) {
    const pid_t r = waitpid(srv.pid, &status, WNOHANG);
    if (r == srv.pid) {
      when = it_now();
      break;
    }
    it_sleep_ms(20);
  }
  if (!when) {
    kill(srv.pid, SIGKILL);
    waitpid(srv.pid, NULL, 0);
  }
  srv.pid = 0;
  if (srv.stdout_fd >= 0) {
    close(srv.stdout_fd);
    srv.stdout_fd = -1;
  }
  IT_CHECK(when > 0,
           "%s: the server exits within %.1f s (%s)",
           what,
           timeout_s,
           when ? "it did" : "it did not, killed");
  if (when) {
    IT_CHECK(WIFEXITED(status) && WEXITSTATUS(status) == 0,
             "%s: exit status 0 (got %s %d) after %.2f s",
             what,
             WIFEXITED(status) ? "exit" : "signal",
             WIFEXITED(status) ? WEXITSTATUS(status) : WTERMSIG(status),
             when - since);
  }
  return when;
}

static long long
healthz_quads(void)
{
  ItResponse r;
  it_get(&srv, "/healthz", NULL, &r);
  json_t* const   root = it_json(r.body, r.body_len, NULL, 0);
  const long long q    = json_integer_value(json_object_get(root, "quads"));
  json_decref(root);
  it_response_free(&r);
  return q;
}

/* Write N_TRIPLES triples with 48 random hex digits each. */
static void
make_big_store(void)
{
  char path[8192];
  snprintf(path, sizeof(path), "%s/big.nt", it_tmp);
  FILE* const f = fopen(path, "w");
  IT_REQUIRE(f != NULL, "create %s", path);
  uint64_t x = 0x2545F4914F6CDD1Du;
  for (long i = 0; i < N_TRIPLES; ++i) {
    fprintf(f,
            "<https://fairdex.example.org/big/s%ld> "
            "<https://fairdex.example.org/big/p%ld> \"",
            i,
            i % 7);
    for (int k = 0; k < 3; ++k) {
      x ^= x << 13;
      x ^= x >> 7;
      x ^= x << 17;
      fprintf(f, "%016llx", (unsigned long long)x);
    }
    fputs("\" .\n", f);
  }
  fclose(f);
  const char*  argv[] = { "--db", srv.db, "load", path, NULL };
  char         err[1024];
  const double t0 = it_now();
  const int    rc = it_run_fairdex(argv, 300.0, NULL, 0, err, sizeof(err));
  IT_REQUIRE(rc == 0,
             "load %d triples into the store (exit %d, %.1f s) %s",
             N_TRIPLES,
             rc,
             it_now() - t0,
             err);
  remove(path);
}

/* ------------------------------------------------------------------------
 * A dump read through libcurl, with SIGTERM sent from the write callback
 * --------------------------------------------------------------------- */

typedef struct
{
  bool   stall; /* stop reading after SIGTERM (scenario 2) */
  size_t received;
  char*  body;
  size_t len;
  size_t cap;
  double t_term;       /* when SIGTERM was sent, 0 before */
  double t_exit;       /* scenario 2: when the server exited */
  bool   refused;      /* a new connection was refused after SIGTERM */
  int    served_after; /* new requests answered with 200 after SIGTERM */
} Reader;

static curl_socket_t
open_small_socket(void* const                 ud,
                  const curlsocktype          purpose,
                  struct curl_sockaddr* const addr)
{
  (void)ud;
  (void)purpose;
  const curl_socket_t fd =
    socket(addr->family, addr->socktype | SOCK_CLOEXEC, addr->protocol);
  if (fd >= 0) {
    const int size = 16 * 1024;
    setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &size, sizeof(size));
  }
  return fd;
}

/* After SIGTERM: try new connections for up to 2 s; a refused one is what
 * the contract asks for ("stop accepting"). */
static void
probe_new_connections(Reader* const rd)
{
  it_sleep_ms(300);
  const double t0 = it_now();
  while (it_now() - t0 < 2.0 && !rd->refused) {
    const int fd = it_connect(srv.port, NULL);
    if (fd < 0) {
      rd->refused = errno == ECONNREFUSED;
      break;
    }
    const char req[] = "GET /healthz HTTP/1.1\r\nHost: x\r\n"
                       "Connection: close\r\n\r\n";
    it_send_all(fd, req, sizeof(req) - 1);
    size_t      len    = 0;
    bool        closed = false;
    char* const reply  = it_recv_all(fd, 1000, 65536, &len, &closed);
    rd->served_after += it_raw_status(reply, len) == 200;
    free(reply);
    close(fd);
    it_sleep_ms(100);
  }
}

static size_t
on_dump_data(char* const ptr, const size_t size, const size_t n, void* const ud)
{
  Reader* const rd  = (Reader*)ud;
  const size_t  len = size * n;
  if (rd->len + len > rd->cap) {
    size_t cap = rd->cap ? rd->cap : (size_t)1 << 20;
    while (cap < rd->len + len) {
      cap *= 2;
    }
    char* const grown = realloc(rd->body, cap);
    if (!grown) {
      return 0;
    }
    rd->body = grown;
    rd->cap  = cap;
  }
  memcpy(rd->body + rd->len, ptr, len);
  rd->len += len;
  rd->received += len;
  if (!rd->t_term && rd->received >= 256 * 1024) {
    printf("note %zu bytes of the dump received: sending SIGTERM\n",
           rd->received);
    rd->t_term = it_now();
    kill(srv.pid, SIGTERM);
    if (!rd->stall) {
      probe_new_connections(rd);
    } else {
      /* Read nothing more; wait here for the server to give up. */
      int status = 0;
      while (it_now() - rd->t_term < GRACE_S + SLACK_S + 3.0) {
        if (waitpid(srv.pid, &status, WNOHANG) == srv.pid) {
          rd->t_exit = it_now();
          srv.pid    = 0;
          IT_CHECK(WIFEXITED(status) && WEXITSTATUS(status) == 0,
                   "stalled reader: exit status 0 after SIGTERM (got %s %d)",
                   WIFEXITED(status) ? "exit" : "signal",
                   WIFEXITED(status) ? WEXITSTATUS(status) : WTERMSIG(status));
          break;
        }
        it_sleep_ms(20);
      }
      return 0; /* abort the transfer */
    }
  }
  return len;
}

static CURLcode
read_dump(Reader* const rd, long* const ret_status)
{
  char url[128];
  snprintf(url, sizeof(url), "%s/dump.nq.gz", srv.url);
  CURL* const curl = curl_easy_init();
  curl_easy_setopt(curl, CURLOPT_URL, url);
  curl_easy_setopt(curl, CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt(curl, CURLOPT_BUFFERSIZE, 16384L);
  curl_easy_setopt(curl, CURLOPT_OPENSOCKETFUNCTION, open_small_socket);
  curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION, on_dump_data);
  curl_easy_setopt(curl, CURLOPT_WRITEDATA, rd);
  curl_easy_setopt(curl, CURLOPT_TIMEOUT, 60L);
  const CURLcode rc = curl_easy_perform(curl);
  curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, ret_status);
  curl_easy_cleanup(curl);
  return rc;
}

/* ------------------------------------------------------------------------
 * Scenarios
 * --------------------------------------------------------------------- */

static void
test_reader_finishes(const long long quads)
{
  printf("-- 1. SIGTERM during GET /dump.nq.gz, the client reads on\n");
  Reader         rd     = { 0 };
  long           status = 0;
  const CURLcode rc     = read_dump(&rd, &status);
  const double   t_end  = it_now();
  IT_REQUIRE(rd.t_term > 0,
             "the dump was in flight when SIGTERM was sent (status %ld, %zu "
             "bytes, %s)",
             status,
             rd.received,
             curl_easy_strerror(rc));
  IT_CHECK(rd.refused,
           "after SIGTERM, new connections are refused (stop accepting)");
  IT_CHECK(rd.served_after == 0,
           "after SIGTERM, no new request is served (%d were)",
           rd.served_after);
  char*      plain = NULL;
  size_t     plen  = 0;
  char       err[256];
  const bool whole =
    rc == CURLE_OK && status == 200 &&
    it_gunzip(
      rd.body, rd.len, (size_t)1 << 31, &plain, &plen, err, sizeof(err));
  if (whole) {
    const size_t lines = it_count_lines(plain, plen);
    IT_CHECK((long long)lines == quads,
             "the dump in flight completes after SIGTERM: %zu bytes, %zu "
             "N-Quads lines (/healthz: %lld), %.2f s after the signal",
             rd.len,
             lines,
             quads,
             t_end - rd.t_term);
  } else {
    /* Cut off: only allowed once the grace period is over. */
    IT_CHECK(t_end - rd.t_term >= GRACE_S - 0.5,
             "the dump in flight completes, or is cut only after the %.0f s "
             "grace period (cut after %.2f s: %s%s%s, %zu bytes)",
             GRACE_S,
             t_end - rd.t_term,
             curl_easy_strerror(rc),
             rc == CURLE_OK ? ", " : "",
             rc == CURLE_OK ? err : "",
             rd.len);
  }
  free(plain);
  free(rd.body);
  wait_exit(rd.t_term, GRACE_S + SLACK_S, "SIGTERM with a dump in flight");
}

static void
test_reader_stalls(void)
{
  printf("-- 2. SIGTERM during GET /dump.nq.gz, the client stops reading\n");
  Reader rd   = { 0 };
  rd.stall    = true;
  long status = 0;
  read_dump(&rd, &status);
  free(rd.body);
  IT_REQUIRE(rd.t_term > 0, "the dump was in flight when SIGTERM was sent");
  if (rd.t_exit > 0) {
    IT_CHECK(rd.t_exit - rd.t_term <= GRACE_S + SLACK_S,
             "stalled reader: the server exits %.2f s after SIGTERM (at most "
             "%.0f s grace + %.1f s)",
             rd.t_exit - rd.t_term,
             GRACE_S,
             SLACK_S);
  } else {
    wait_exit(rd.t_term, 5.0, "stalled reader, after the reader gave up");
    it_fail_at(__FILE__,
               __LINE__,
               "stalled reader: expected the server to exit within %.1f s of "
               "SIGTERM, it did not in %.1f s",
               GRACE_S + SLACK_S,
               GRACE_S + SLACK_S + 3.0);
  }
}

static void
test_idle_connection(void)
{
  printf("-- 3. SIGTERM with an idle kept-alive connection open\n");
  const int fd = it_connect(srv.port, NULL);
  IT_REQUIRE(fd >= 0, "connect");
  const char req[] = "GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n";
  it_send_all(fd, req, sizeof(req) - 1);
  size_t      len    = 0;
  bool        closed = false;
  char* const reply  = it_recv_all(fd, 1000, 65536, &len, &closed);
  IT_CHECK(it_raw_status(reply, len) == 200 && !closed,
           "a kept-alive connection got its answer and stays open");
  free(reply);
  const double t0 = it_now();
  kill(srv.pid, SIGTERM);
  wait_exit(t0, GRACE_S + SLACK_S, "SIGTERM with an idle connection");
  close(fd);
}

static void
test_sigint(void)
{
  printf("-- 4. SIGINT\n");
  const double t0 = it_now();
  kill(srv.pid, SIGINT);
  wait_exit(t0, GRACE_S + SLACK_S, "SIGINT");
}

static void
test_long_query(void)
{
  printf("-- 5. SIGTERM during a query that would run for minutes\n");
  const int fd = it_connect(srv.port, NULL);
  IT_REQUIRE(fd >= 0, "connect");
  char* const target = it_target(
    "/sparql?query=",
    "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }");
  char req[1024];
  snprintf(req, sizeof(req),
           "GET %s HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n",
           target);
  free(target);
  it_send_all(fd, req, strlen(req));
  it_sleep_ms(500);
  const double t0 = it_now();
  kill(srv.pid, SIGTERM);
  size_t      len    = 0;
  bool        closed = false;
  char* const reply =
    it_recv_all(fd, (int)((GRACE_S + SLACK_S) * 1000), 65536, &len, &closed);
  const int status = it_raw_status(reply, len);
  IT_CHECK(status == 503 && it_contains(reply, len, "stopping"),
           "the running query ends with 503 stopping when the grace period "
           "is over (got %d after %.2f s)",
           status, it_now() - t0);
  free(reply);
  close(fd);
  wait_exit(t0, GRACE_S + SLACK_S, "SIGTERM during a long query");
}

int
main(int argc, char** argv)
{
  it_begin("shutdown", argc, argv, 0);
  it_server_prepare_empty(&srv, "shutdown");
  make_big_store();

  IT_REQUIRE(it_server_start(&srv, NULL), "start the server");
  const long long quads = healthz_quads();
  IT_CHECK(
    quads == N_TRIPLES, "/healthz: %d quads (got %lld)", N_TRIPLES, quads);
  test_reader_finishes(quads);

  IT_REQUIRE(it_server_start(&srv, NULL), "start the server again");
  test_reader_stalls();

  IT_REQUIRE(it_server_start(&srv, NULL), "start the server again");
  test_idle_connection();

  IT_REQUIRE(it_server_start(&srv, NULL), "start the server again");
  test_sigint();

  static const char* const long_limit[] = {"--query-timeout-ms", "120000",
                                           NULL};
  IT_REQUIRE(it_server_start(&srv, long_limit), "start the server again");
  test_long_query();
  return it_finish("shutdown");
}
