/*
 * test_fetch.c: the harvester's fetch layer (harvester/fetch.c) against a
 * real HTTP server on loopback.
 *
 * Run as `test_fetch PYTHON3 FIXTURE_SERVER_PY` (meson passes both).  The
 * program starts tests/harvest/fixture_server.py on an ephemeral port,
 * steers it between cases through its /_control route, and reads its
 * request log (/_log) to check what reached the server and when: robots.txt
 * asked for once, nothing sent to a disallowed path or refused address,
 * the politeness gaps.  The robots.txt rules are also checked without the
 * network, against the examples of RFC 9309 and its edge cases.
 *
 * Without python3 the program says so and exits 77 (meson: skipped).
 * Each check prints "ok   WHAT" or "FAIL file:line: WHAT", so the log says
 * what was checked as well as what failed.
 */
#include "fetch.h"

#include "fairdex/status.h"

#include <curl/curl.h>
#include <jansson.h>

#include <errno.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#ifndef FAIRDEX_VERSION
#  define FAIRDEX_VERSION "0.1.0"
#endif

/* ------------------------------------------------------------------------
 * Checks
 * --------------------------------------------------------------------- */

static int n_checks;
static int n_failures;

static void
check_at(const char* const file,
         const int         line,
         const bool        ok,
         const char* const what,
         const char* const detail)
{
  ++n_checks;
  if (ok) {
    printf("ok   %s\n", what);
  } else {
    ++n_failures;
    printf("FAIL %s:%d: %s%s%s\n",
           file,
           line,
           what,
           detail ? ": " : "",
           detail ? detail : "");
  }
}

#define CHECK(cond) check_at(__FILE__, __LINE__, (cond), #cond, NULL)

/* A check with the result's error message and status for context. */
#define CHECK_R(cond, res)                                \
  do {                                                    \
    char detail_[768];                                    \
    snprintf(detail_,                                     \
             sizeof(detail_),                             \
             "status %ld, st %d, error \"%s\"",           \
             (res).status,                                \
             (int)(res).st,                               \
             (res).error);                                \
    check_at(__FILE__, __LINE__, (cond), #cond, detail_); \
  } while (0)

#define CHECK_STR(got, want)                  \
  do {                                        \
    const char* const got_  = (got);          \
    const char* const want_ = (want);         \
    char              detail_[1024];          \
    snprintf(detail_,                         \
             sizeof(detail_),                 \
             "got \"%s\", expected \"%s\"",   \
             got_ ? got_ : "(null)",          \
             want_);                          \
    check_at(__FILE__,                        \
             __LINE__,                        \
             got_&& strcmp(got_, want_) == 0, \
             #got " == \"" #want "\"",        \
             detail_);                        \
  } while (0)

#define CHECK_CONTAINS(got, part)                                             \
  do {                                                                        \
    const char* const got_  = (got);                                          \
    const char* const part_ = (part);                                         \
    char              detail_[1024];                                          \
    snprintf(detail_, sizeof(detail_), "got \"%s\"", got_ ? got_ : "(null)"); \
    check_at(__FILE__,                                                        \
             __LINE__,                                                        \
             got_&& strstr(got_, part_) != NULL,                              \
             #got " contains \"" #part "\"",                                  \
             detail_);                                                        \
  } while (0)

/* A time in seconds within [lo, hi]. */
#define CHECK_TIME(t, lo, hi)                         \
  do {                                                \
    const double t_ = (t);                            \
    char         detail_[128];                        \
    snprintf(detail_, sizeof(detail_), "%.3f s", t_); \
    check_at(__FILE__,                                \
             __LINE__,                                \
             t_ >= (lo) && t_ <= (hi),                \
             #t " in [" #lo ", " #hi "] s",           \
             detail_);                                \
  } while (0)

static double
now_s(void)
{
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void
section(const char* const name)
{
  printf("# %s\n", name);
}

/* ------------------------------------------------------------------------
 * The fixture server
 * --------------------------------------------------------------------- */

static pid_t server_pid   = -1;
static int   server_stdin = -1;
static char  base[64]; /* "http://127.0.0.1:PORT" */

static void
server_kill(void)
{
  if (server_pid > 0) {
    kill(server_pid, SIGKILL);
    waitpid(server_pid, NULL, 0);
    server_pid = -1;
  }
}

/* Start the server and read its port from the one line it prints. */
static bool
server_start(const char* const python, const char* const script)
{
  /* --root: the folder of the script, so /files/fixture_server.py exists */
  char root[4096];
  snprintf(root, sizeof(root), "%s", script);
  char* const slash = strrchr(root, '/');
  if (slash) {
    *slash = '\0';
  } else {
    snprintf(root, sizeof(root), ".");
  }
  int out[2];
  int in[2];
  if (pipe(out) != 0 || pipe(in) != 0) {
    perror("pipe");
    return false;
  }
  server_pid = fork();
  if (server_pid < 0) {
    perror("fork");
    return false;
  }
  if (server_pid == 0) {
    dup2(in[0], STDIN_FILENO);
    dup2(out[1], STDOUT_FILENO);
    close(in[0]);
    close(in[1]);
    close(out[0]);
    close(out[1]);
    execl(python, python, script, "--watch-stdin", "--root", root, (char*)NULL);
    fprintf(stderr, "cannot run %s: %s\n", python, strerror(errno));
    _exit(127);
  }
  close(in[0]);
  close(out[1]);
  server_stdin = in[1]; /* kept open: its end tells the server we are gone */
  atexit(server_kill);

  char          line[256];
  size_t        len      = 0;
  const double  deadline = now_s() + 20.0;
  struct pollfd pfd      = { out[0], POLLIN, 0 };
  while (len < sizeof(line) - 1 && now_s() < deadline) {
    if (poll(&pfd, 1, 200) <= 0) {
      continue;
    }
    const ssize_t k = read(out[0], line + len, 1);
    if (k <= 0) {
      break;
    }
    if (line[len] == '\n') {
      break;
    }
    ++len;
  }
  line[len] = '\0';
  close(out[0]);
  unsigned port = 0;
  if (sscanf(line, "listening on http://127.0.0.1:%u/", &port) != 1) {
    fprintf(stderr, "fixture server did not start (said \"%s\")\n", line);
    return false;
  }
  snprintf(base, sizeof(base), "http://127.0.0.1:%u", port);
  printf("# fixture server at %s\n", base);
  return true;
}

/* SIGTERM, and the server must exit with status 0 within 5 s. */
static void
server_stop(void)
{
  kill(server_pid, SIGTERM);
  int          status   = -1;
  const double deadline = now_s() + 5.0;
  pid_t        got      = 0;
  while ((got = waitpid(server_pid, &status, WNOHANG)) == 0 &&
         now_s() < deadline) {
    usleep(20000);
  }
  CHECK(got == server_pid && WIFEXITED(status) && WEXITSTATUS(status) == 0);
  if (got != server_pid) {
    server_kill();
  }
  server_pid = -1;
  close(server_stdin);
}

static size_t
collect(char* const data, const size_t size, const size_t n, void* const ud)
{
  FILE* const out = (FILE*)ud;
  return fwrite(data, size, n, out);
}

/* GET base + path with plain libcurl (not the code under test); the body,
 * new, or NULL. */
static char*
raw_get(const char* const path)
{
  char*  body = NULL;
  size_t len  = 0;
  FILE*  out  = open_memstream(&body, &len);
  CURL*  e    = curl_easy_init();
  char   url[8192];
  snprintf(url, sizeof(url), "%s%s", base, path);
  curl_easy_setopt(e, CURLOPT_URL, url);
  curl_easy_setopt(e, CURLOPT_PROXY, "");
  curl_easy_setopt(e, CURLOPT_WRITEFUNCTION, collect);
  curl_easy_setopt(e, CURLOPT_WRITEDATA, out);
  curl_easy_setopt(e, CURLOPT_TIMEOUT, 10L);
  const CURLcode rc = curl_easy_perform(e);
  curl_easy_cleanup(e);
  fclose(out);
  if (rc != CURLE_OK) {
    fprintf(stderr, "GET %s: %s\n", url, curl_easy_strerror(rc));
    free(body);
    return NULL;
  }
  return body;
}

/* Send /_control?QUERY. */
static void
control(const char* const query)
{
  char path[4200];
  snprintf(path, sizeof(path), "/_control?%s", query);
  free(raw_get(path));
}

/* Clear the server's log and counters, and set its robots.txt: `mode`
 * (none, 500, ...), or "text" with `text`. */
static void
reset_server(const char* const mode, const char* const text)
{
  CURL* const e   = curl_easy_init();
  char* const esc = text ? curl_easy_escape(e, text, 0) : NULL;
  char        q[4096];
  snprintf(q,
           sizeof(q),
           "reset=1&robots=%s%s%s",
           mode,
           esc ? "&text=" : "",
           esc ? esc : "");
  control(q);
  curl_free(esc);
  curl_easy_cleanup(e);
}

/* The server's request log, new. */
static json_t*
server_log(void)
{
  char* const body = raw_get("/_log");
  json_t*     log  = body ? json_loads(body, 0, NULL) : NULL;
  free(body);
  return log ? log : json_array();
}

static const char*
entry_path(const json_t* const entry)
{
  return json_string_value(json_object_get(entry, "path"));
}

/* How many logged requests have exactly `path`. */
static size_t
log_count(const char* const path)
{
  json_t* const log = server_log();
  size_t        n   = 0;
  size_t        i   = 0;
  json_t*       e   = NULL;
  json_array_foreach(log, i, e)
  {
    if (strcmp(entry_path(e), path) == 0) {
      ++n;
    }
  }
  json_decref(log);
  return n;
}

/* The server's time of the `nth` (0-based) logged request for `path`, or
 * -1. */
static double
log_time(const json_t* const log, const char* const path, const size_t nth)
{
  size_t  seen = 0;
  size_t  i    = 0;
  json_t* e    = NULL;
  json_array_foreach(log, i, e)
  {
    if (strcmp(entry_path(e), path) == 0 && seen++ == nth) {
      return json_real_value(json_object_get(e, "time"));
    }
  }
  return -1.0;
}

/* ------------------------------------------------------------------------
 * Fetchers for the tests
 * --------------------------------------------------------------------- */

/* Options for a test against the loopback server: private addresses
 * allowed, no politeness delay, short timeouts and backoff. */
static FdxFetchOptions
test_options(void)
{
  FdxFetchOptions o;
  memset(&o, 0, sizeof(o));
  o.allow_private     = true;
  o.no_delay          = true;
  o.retry_base_ms     = 20;
  o.timeout_s         = 10;
  o.connect_timeout_s = 5;
  o.low_speed_s       = 5;
  return o;
}

static FdxFetcher*
new_fetcher(const FdxFetchOptions* const o)
{
  FdxFetcher* f = NULL;
  if (fdx_fetcher_new(o, &f) != FDX_SUCCESS || !f) {
    fprintf(stderr, "fdx_fetcher_new failed\n");
    exit(1);
  }
  return f;
}

/* Fetch base + path with `f`. */
static FdxStatus
get(FdxFetcher* const f, const char* const path, FdxFetchResult* const res)
{
  char url[4096];
  snprintf(url, sizeof(url), "%s%s", base, path);
  return fdx_fetch(f, url, NULL, NULL, NULL, res);
}

/* One fetch with fresh options; the result must be cleared. */
static FdxStatus
get_once(const FdxFetchOptions* const o,
         const char* const            path,
         FdxFetchResult* const        res)
{
  FdxFetcher* const f  = new_fetcher(o);
  const FdxStatus   st = get(f, path, res);
  fdx_fetcher_free(f);
  return st;
}

/* ------------------------------------------------------------------------
 * robots.txt rules, without the network
 * --------------------------------------------------------------------- */

static bool
robots_allows(const char* const text, const char* const path)
{
  FdxRobots* r = NULL;
  if (fdx_robots_parse(text, strlen(text), "fairdex", &r) != FDX_SUCCESS) {
    return false;
  }
  const bool ok = fdx_robots_allowed(r, path);
  fdx_robots_free(r);
  return ok;
}

static unsigned
robots_delay(const char* const text)
{
  FdxRobots* r = NULL;
  if (fdx_robots_parse(text, strlen(text), "fairdex", &r) != FDX_SUCCESS) {
    return 9999999u;
  }
  const unsigned d = fdx_robots_crawl_delay_ms(r);
  fdx_robots_free(r);
  return d;
}

static void
test_robots_rules(void)
{
  section("robots.txt rules (RFC 9309)");
  /* Longest match wins; Allow wins a tie. */
  const char* t = "User-agent: *\nAllow: /p\nDisallow: /\n";
  CHECK(robots_allows(t, "/page"));
  CHECK(!robots_allows(t, "/other"));
  CHECK(robots_allows("User-agent: *\nDisallow: /folder\nAllow: /folder\n",
                      "/folder/page"));
  CHECK(!robots_allows("User-agent: *\nAllow: /folder\nDisallow: /folder/\n",
                       "/folder/x"));
  /* `$` and `*`. */
  t = "User-agent: *\nAllow: /$\nDisallow: /\n";
  CHECK(robots_allows(t, "/"));
  CHECK(!robots_allows(t, "/page.htm"));
  t = "User-agent: *\nDisallow: /*.php$\n";
  CHECK(!robots_allows(t, "/filename.php"));
  CHECK(!robots_allows(t, "/folder/filename.php"));
  CHECK(robots_allows(t, "/filename.php?parameters"));
  CHECK(robots_allows(t, "/filename.php/"));
  CHECK(robots_allows(t, "/windows.PHP"));
  t = "User-agent: *\nDisallow: /fish*\n";
  CHECK(!robots_allows(t, "/fish"));
  CHECK(!robots_allows(t, "/fishheads/yummy.html"));
  CHECK(robots_allows(t, "/Fish.asp")); /* paths are case-sensitive */
  CHECK(!robots_allows("User-agent: *\nDisallow: /*?sort=\n", "/list?sort=a"));
  CHECK(robots_allows("User-agent: *\nDisallow: /*?sort=\n", "/list?q=a"));
  CHECK(!robots_allows("User-agent: *\nDisallow: /a*b*c*d$\n", "/axxbxcxxd"));
  CHECK(robots_allows("User-agent: *\nDisallow: /a*b*c*d$\n", "/axxbxcxxdx"));
  /* Percent-encoding normalised on both sides (RFC 9309 2.2.2). */
  CHECK(!robots_allows("User-agent: *\nDisallow: /foo/bar/\xE3\x83\x84\n",
                       "/foo/bar/%E3%83%84"));
  CHECK(!robots_allows("User-agent: *\nDisallow: /foo/bar/%e3%83%84\n",
                       "/foo/bar/%E3%83%84"));
  CHECK(!robots_allows("User-agent: *\nDisallow: /foo/bar/%62%61%7A\n",
                       "/foo/bar/baz"));
  CHECK(!robots_allows("User-agent: *\nDisallow: /%7Ejoe\n", "/~joe/x"));
  CHECK(!robots_allows("User-agent: *\nDisallow: /~joe\n", "/%7ejoe/x"));
  CHECK(!robots_allows("User-agent: *\nDisallow: /a%2fb\n", "/a%2Fb"));
  CHECK(robots_allows("User-agent: *\nDisallow: /a%2fb\n", "/a/b"));
  /* Groups: ours over "*", product token ignoring case and version,
   * merged groups, consecutive User-agent lines sharing rules. */
  t = "User-agent: *\nDisallow: /\n\nUser-agent: FairDex/2.0\n"
      "Disallow: /private\n";
  CHECK(robots_allows(t, "/public"));
  CHECK(!robots_allows(t, "/private/x"));
  t = "User-agent: fairdex\nDisallow: /a\n\nUser-agent: other\n"
      "Disallow: /c\n\nUser-agent: FAIRDEX\nDisallow: /b\n";
  CHECK(!robots_allows(t, "/a"));
  CHECK(!robots_allows(t, "/b"));
  CHECK(robots_allows(t, "/c"));
  t = "User-agent: other\nUser-agent: fairdex\nDisallow: /x\n";
  CHECK(!robots_allows(t, "/x"));
  CHECK(robots_allows("User-agent: fairdexbot\nDisallow: /\n", "/x"));
  CHECK(robots_allows("User-agent: other\nDisallow: /\n", "/x"));
  CHECK(robots_allows(
    "User-agent: fairdex\nAllow: /\n\nUser-agent: *\nDisallow: /\n", "/x"));
  /* Records outside groups, comments, blank values, CRLF, BOM. */
  CHECK(robots_allows("Disallow: /\nUser-agent: *\nAllow: /\n", "/x"));
  CHECK(!robots_allows("User-agent: * # all\nDisallow: /x # no\n", "/x"));
  CHECK(robots_allows("User-agent: * # all\nDisallow: /x # no\n", "/y"));
  CHECK(robots_allows("User-agent: *\nDisallow:\n", "/x"));
  CHECK(!robots_allows("\xEF\xBB\xBFUser-agent: *\r\nDisallow: /x\r\n", "/x"));
  CHECK(!robots_allows("user-AGENT: *\nDISALLOW: /x\n", "/x"));
  CHECK(!robots_allows(
    "User-agent: *\nSitemap: https://x/s.xml\nDisallow: /x\n", "/x"));
  /* robots.txt itself is always allowed; "" means "/". */
  CHECK(robots_allows("User-agent: *\nDisallow: /\n", "/robots.txt"));
  CHECK(!robots_allows("User-agent: *\nDisallow: /\n", ""));
  /* Crawl-delay of our group, or of "*" without one. */
  CHECK(robots_delay("User-agent: fairdex\nCrawl-delay: 2.5\n") == 2500);
  CHECK(robots_delay("User-agent: *\nCrawl-delay: 3\n") == 3000);
  CHECK(robots_delay("User-agent: *\nCrawl-delay: 3\n\nUser-agent: fairdex\n"
                     "Disallow: /x\n") == 0);
  CHECK(robots_delay("User-agent: *\nCrawl-delay: soon\n") == 0);
  CHECK(robots_delay("User-agent: *\nCrawl-delay: 0.25\n") == 250);
  CHECK(robots_delay("User-agent: *\nCrawl-delay: 10.\n") == 10000);
  CHECK(robots_delay("User-agent: *\nCrawl-delay: 1.2.3\n") == 0);
  CHECK(robots_delay("User-agent: *\nCrawl-delay: 99999999999\n") == 86400000u);
  /* Only the first 500 KiB is read. */
  {
    const size_t pad    = 600 * 1024;
    const char   rule[] = "User-agent: *\nDisallow: /\n";
    char* const  big    = (char*)malloc(pad + sizeof(rule));
    memset(big, '#', pad);
    big[pad - 1] = '\n';
    memcpy(big + pad, rule, sizeof(rule));
    CHECK(robots_allows(big, "/x"));
    memcpy(big + 400 * 1024, rule, sizeof(rule) - 1);
    big[400 * 1024 - 1] = '\n';
    CHECK(!robots_allows(big, "/x"));
    free(big);
  }
  /* NULL is fine where documented. */
  fdx_robots_free(NULL);
  CHECK(fdx_robots_allowed(NULL, "/x"));
  FdxRobots* r = NULL;
  CHECK(fdx_robots_parse(NULL, 0, "fairdex", &r) == FDX_SUCCESS);
  CHECK(fdx_robots_allowed(r, "/x"));
  fdx_robots_free(r);
  CHECK(fdx_robots_parse("x", 1, "fairdex", NULL) == FDX_ERR_BAD_ARG);
}

/* ------------------------------------------------------------------------
 * Fetching
 * --------------------------------------------------------------------- */

static void
test_api_edges(void)
{
  section("API edges");
  fdx_fetcher_free(NULL);
  fdx_fetch_result_clear(NULL);
  FdxFetchResult res;
  memset(&res, 0, sizeof(res));
  fdx_fetch_result_clear(&res);
  CHECK(fdx_fetcher_new(NULL, NULL) == FDX_ERR_BAD_ARG);
  FdxFetcher* const f = new_fetcher(NULL);
  CHECK(fdx_fetch(f, "http://x/", NULL, NULL, NULL, NULL) == FDX_ERR_BAD_ARG);
  CHECK(fdx_fetch(f, NULL, NULL, NULL, NULL, &res) == FDX_ERR_BAD_ARG);
  CHECK(res.body && res.len == 0 && res.body[0] == '\0');
  fdx_fetch_result_clear(&res);
  CHECK(
    fdx_fetch(
      f, "http://127.0.0.1/", "text/plain\r\nX-Evil: 1", NULL, NULL, &res) ==
    FDX_ERR_BAD_ARG);
  fdx_fetch_result_clear(&res);
  fdx_fetcher_free(f);
}

static void
test_success(void)
{
  section("success: body, type, ETag, Last-Modified");
  reset_server("none", NULL);
  const FdxFetchOptions o = test_options();
  FdxFetcher* const     f = new_fetcher(&o);
  FdxFetchResult        res;
  char                  url[256];
  snprintf(url, sizeof(url), "%s/etag/alpha", base);
  const FdxStatus st = fdx_fetch(f, url, "text/plain", NULL, NULL, &res);
  CHECK_R(st == FDX_SUCCESS && res.st == FDX_SUCCESS, res);
  CHECK(res.status == 200);
  CHECK_STR(res.body, "etag alpha\n");
  CHECK(res.len == strlen("etag alpha\n"));
  CHECK_STR(res.content_type, "text/plain");
  CHECK_STR(res.etag, "\"alpha\"");
  CHECK_STR(res.last_modified, "Wed, 01 Jan 2025 00:00:00 GMT");
  CHECK_STR(res.final_url, url);
  CHECK(!res.not_modified && !res.cancelled);
  CHECK(res.attempts == 1 && res.redirects == 0);
  CHECK(res.reason == FDX_FETCH_OK && res.error[0] == '\0');
  fdx_fetch_result_clear(&res);

  section("conditional GET: 304");
  CHECK(fdx_fetch(f, url, NULL, "\"alpha\"", NULL, &res) == FDX_SUCCESS);
  CHECK_R(res.status == 304 && res.not_modified, res);
  CHECK(res.body && res.len == 0 && res.body[0] == '\0');
  CHECK_STR(res.etag, "\"alpha\"");
  fdx_fetch_result_clear(&res);
  CHECK(fdx_fetch(f, url, NULL, NULL, "Wed, 01 Jan 2025 00:00:00 GMT", &res) ==
        FDX_SUCCESS);
  CHECK_R(res.status == 304 && res.not_modified, res);
  fdx_fetch_result_clear(&res);
  CHECK(fdx_fetch(f, url, NULL, "\"beta\"", NULL, &res) == FDX_SUCCESS);
  CHECK_R(res.status == 200 && !res.not_modified, res);
  fdx_fetch_result_clear(&res);
  json_t* const       log  = server_log();
  const json_t* const last = json_array_get(log, json_array_size(log) - 1);
  CHECK_STR(json_string_value(json_object_get(json_object_get(last, "headers"),
                                              "If-None-Match")),
            "\"beta\"");
  json_decref(log);

  section("files under --root: validators and 304");
  snprintf(url, sizeof(url), "%s/files/fixture_server.py", base);
  CHECK(fdx_fetch(f, url, NULL, NULL, NULL, &res) == FDX_SUCCESS);
  CHECK_R(res.status == 200 && res.len > 1000, res);
  CHECK_CONTAINS(res.body, "ThreadingHTTPServer");
  CHECK(res.etag != NULL && res.last_modified != NULL);
  char* const file_etag = res.etag ? strdup(res.etag) : strdup("");
  char* const file_lm =
    res.last_modified ? strdup(res.last_modified) : strdup("");
  fdx_fetch_result_clear(&res);
  CHECK(fdx_fetch(f, url, NULL, file_etag, NULL, &res) == FDX_SUCCESS);
  CHECK_R(res.status == 304 && res.not_modified && res.len == 0, res);
  fdx_fetch_result_clear(&res);
  CHECK(fdx_fetch(f, url, NULL, NULL, file_lm, &res) == FDX_SUCCESS);
  CHECK_R(res.status == 304 && res.not_modified, res);
  fdx_fetch_result_clear(&res);
  free(file_etag);
  free(file_lm);
  CHECK(get(f, "/files/no-such-file", &res) == FDX_ERR_IO);
  CHECK_R(res.status == 404, res);
  fdx_fetch_result_clear(&res);

  section("a 404 is an error with the answer kept");
  CHECK(get(f, "/status/404", &res) == FDX_ERR_IO);
  CHECK_R(res.status == 404 && res.reason == FDX_FETCH_HTTP, res);
  CHECK_STR(res.error, "HTTP 404");
  CHECK_STR(res.body, "status 404\n");
  fdx_fetch_result_clear(&res);
  fdx_fetcher_free(f);
}

static void
test_headers_sent(void)
{
  section("User-Agent, Accept, Accept-Encoding");
  reset_server("none", NULL);
  FdxFetchOptions o = test_options();
  FdxFetchResult  res;
  FdxFetcher*     f = new_fetcher(&o);
  char            url[256];
  snprintf(url, sizeof(url), "%s/echo-headers", base);
  CHECK(fdx_fetch(f, url, "application/ld+json", NULL, NULL, &res) ==
        FDX_SUCCESS);
  json_t* const h = json_loads(res.body, 0, NULL);
  CHECK(h != NULL);
  CHECK_STR(json_string_value(json_object_get(h, "User-Agent")),
            "fairdex/" FAIRDEX_VERSION " (FAIR metadata harvester; "
            "+https://github.com/digimed-bayern/fairdex)");
  CHECK_STR(json_string_value(json_object_get(h, "Accept")),
            "application/ld+json");
  CHECK_CONTAINS(json_string_value(json_object_get(h, "Accept-Encoding")),
                 "gzip");
  CHECK(json_object_get(h, "If-None-Match") == NULL);
  json_decref(h);
  fdx_fetch_result_clear(&res);
  fdx_fetcher_free(f);

  o.user_agent = "fairdex-test/9 (+mailto:test@example.org)";
  f            = new_fetcher(&o);
  CHECK(fdx_fetch(f, url, NULL, NULL, NULL, &res) == FDX_SUCCESS);
  json_t* const h2 = json_loads(res.body, 0, NULL);
  CHECK_STR(json_string_value(json_object_get(h2, "User-Agent")),
            "fairdex-test/9 (+mailto:test@example.org)");
  json_decref(h2);
  fdx_fetch_result_clear(&res);
  fdx_fetcher_free(f);
}

static void
test_robots_fetched(void)
{
  section("robots.txt: our group, disallowed paths never requested");
  reset_server("text",
               "User-agent: *\nDisallow: /\n\n"
               "User-agent: FairDex/2.0\nUser-agent: other\n"
               "Disallow: /p/private\nAllow: /p/private/ok$\n"
               "Disallow: /p/caf%C3%A9\n");
  const FdxFetchOptions o = test_options();
  FdxFetcher* const     f = new_fetcher(&o);
  FdxFetchResult        res;
  CHECK(get(f, "/p/public", &res) == FDX_SUCCESS);
  CHECK_R(res.status == 200, res);
  fdx_fetch_result_clear(&res);
  CHECK(get(f, "/p/private/x", &res) == FDX_ERR_IO);
  CHECK_R(res.reason == FDX_FETCH_ROBOTS && res.status == 0, res);
  CHECK_STR(res.error, "robots.txt disallows /p/private/x for fairdex");
  fdx_fetch_result_clear(&res);
  CHECK(get(f, "/p/private/ok", &res) == FDX_SUCCESS);
  fdx_fetch_result_clear(&res);
  CHECK(get(f, "/p/private/ok/more", &res) == FDX_ERR_IO);
  fdx_fetch_result_clear(&res);
  CHECK(get(f, "/p/caf\xC3\xA9", &res) != FDX_SUCCESS); /* a raw UTF-8 URL */
  fdx_fetch_result_clear(&res);
  CHECK(get(f, "/p/caf%c3%a9/menu", &res) == FDX_ERR_IO);
  CHECK_R(res.reason == FDX_FETCH_ROBOTS, res);
  fdx_fetch_result_clear(&res);
  CHECK(log_count("/robots.txt") == 1);
  CHECK(log_count("/p/private/x") == 0);
  CHECK(log_count("/p/private/ok/more") == 0);
  CHECK(log_count("/p/caf%c3%a9/menu") == 0);
  CHECK(log_count("/p/private/ok") == 1);
  fdx_fetcher_free(f);

  section("robots.txt: a new fetcher reads it again; ignore_robots");
  FdxFetchOptions o2 = test_options();
  o2.ignore_robots   = true;
  CHECK(get_once(&o2, "/p/private/x", &res) == FDX_SUCCESS);
  fdx_fetch_result_clear(&res);
  CHECK(log_count("/robots.txt") == 1);
  CHECK(get_once(&o, "/p/public", &res) == FDX_SUCCESS);
  fdx_fetch_result_clear(&res);
  CHECK(log_count("/robots.txt") == 2);

  section("robots.txt: 404 allows all");
  reset_server("404", NULL);
  CHECK(get_once(&o, "/p/anything", &res) == FDX_SUCCESS);
  fdx_fetch_result_clear(&res);
  CHECK(log_count("/robots.txt") == 1 && log_count("/p/anything") == 1);

  section("robots.txt: 500 disallows all");
  reset_server("500", NULL);
  FdxFetchOptions o3 = test_options();
  o3.max_retries     = 1;
  CHECK(get_once(&o3, "/p/anything", &res) == FDX_ERR_IO);
  CHECK_R(res.reason == FDX_FETCH_ROBOTS, res);
  CHECK_CONTAINS(res.error, "robots.txt of http://127.0.0.1:");
  CHECK_CONTAINS(res.error, "unreachable (HTTP 500 (after 2 attempts))");
  fdx_fetch_result_clear(&res);
  CHECK(log_count("/robots.txt") == 2); /* one retry */
  CHECK(log_count("/p/anything") == 0);

  section("robots.txt: redirects followed");
  reset_server("redirect", "User-agent: *\nDisallow: /p/moved\n");
  FdxFetcher* const f2 = new_fetcher(&o);
  CHECK(get(f2, "/p/moved", &res) == FDX_ERR_IO);
  CHECK_R(res.reason == FDX_FETCH_ROBOTS, res);
  fdx_fetch_result_clear(&res);
  CHECK(get(f2, "/p/other", &res) == FDX_SUCCESS);
  fdx_fetch_result_clear(&res);
  CHECK(log_count("/robots.txt") == 1 && log_count("/robots-moved.txt") == 1);
  CHECK(log_count("/p/moved") == 0);
  fdx_fetcher_free(f2);

  section("robots.txt: checked on every redirect hop");
  reset_server("text", "User-agent: *\nDisallow: /p/secret\n");
  CHECK(get_once(&o, "/redirect/to?url=/p/secret", &res) == FDX_ERR_IO);
  CHECK_R(res.reason == FDX_FETCH_ROBOTS && res.redirects == 1, res);
  fdx_fetch_result_clear(&res);
  CHECK(log_count("/p/secret") == 0);
}

static void
test_politeness(void)
{
  section("politeness: min_delay_ms between two requests");
  reset_server("none", NULL);
  FdxFetchOptions o = test_options();
  o.no_delay        = false;
  o.min_delay_ms    = 600;
  o.ignore_robots   = true;
  FdxFetcher*    f  = new_fetcher(&o);
  FdxFetchResult res;
  const double   t0 = now_s();
  CHECK(get(f, "/p/one", &res) == FDX_SUCCESS);
  fdx_fetch_result_clear(&res);
  CHECK(get(f, "/p/two", &res) == FDX_SUCCESS);
  fdx_fetch_result_clear(&res);
  CHECK_TIME(now_s() - t0, 0.55, 5.0);
  json_t* log = server_log();
  CHECK_TIME(
    log_time(log, "/p/two", 0) - log_time(log, "/p/one", 0), 0.55, 5.0);
  json_decref(log);
  fdx_fetcher_free(f);

  section("politeness: Crawl-delay raises the delay for the host");
  reset_server("text", "User-agent: fairdex\nCrawl-delay: 1\n");
  o = test_options();
  f = new_fetcher(&o);
  CHECK(get(f, "/p/a", &res) == FDX_SUCCESS);
  fdx_fetch_result_clear(&res);
  CHECK(get(f, "/p/b", &res) == FDX_SUCCESS);
  fdx_fetch_result_clear(&res);
  log = server_log();
  CHECK_TIME(
    log_time(log, "/p/a", 0) - log_time(log, "/robots.txt", 0), 0.9, 5.0);
  CHECK_TIME(log_time(log, "/p/b", 0) - log_time(log, "/p/a", 0), 0.9, 5.0);
  json_decref(log);
  fdx_fetcher_free(f);
}

static void
test_retries(void)
{
  FdxFetchOptions o = test_options();
  FdxFetchResult  res;
  reset_server("none", NULL);

  section("retry: 500 then success");
  CHECK(get_once(&o, "/status/500-then-ok/k1", &res) == FDX_SUCCESS);
  CHECK_R(res.status == 200 && res.attempts == 2, res);
  CHECK_STR(res.body, "ok\n");
  fdx_fetch_result_clear(&res);
  CHECK(log_count("/status/500-then-ok/k1") == 2);

  section("retry: 429 with Retry-After: 1 waits about a second");
  double t0 = now_s();
  CHECK(get_once(&o, "/status/429/k2?times=1&retry_after=1", &res) ==
        FDX_SUCCESS);
  CHECK_R(res.status == 200 && res.attempts == 2, res);
  CHECK_TIME(now_s() - t0, 0.9, 5.0);
  fdx_fetch_result_clear(&res);

  section("retry: Retry-After as an HTTP-date");
  CHECK(get_once(&o,
                 "/status/503/k3?times=1&retry_after=1&retry_after_date=1",
                 &res) == FDX_SUCCESS);
  CHECK_R(res.status == 200 && res.attempts == 2, res);
  fdx_fetch_result_clear(&res);

  section("retry: a Retry-After over the cap fails at once");
  t0 = now_s();
  CHECK(get_once(&o, "/status/429/k4?times=1&retry_after=3600", &res) ==
        FDX_ERR_LIMIT);
  CHECK_R(res.reason == FDX_FETCH_RETRY_AFTER && res.status == 429, res);
  CHECK_STR(res.error, "Retry-After 3600 s is longer than 120 s");
  CHECK(res.attempts == 1);
  CHECK_TIME(now_s() - t0, 0.0, 1.0);
  fdx_fetch_result_clear(&res);

  section("retry: 503 always gives up after max_retries + 1 attempts");
  o.max_retries = 2;
  t0            = now_s();
  CHECK(get_once(&o, "/status/503-always", &res) == FDX_ERR_IO);
  CHECK_R(res.status == 503 && res.attempts == 3, res);
  CHECK_STR(res.error, "HTTP 503 (after 3 attempts)");
  CHECK_STR(res.body, "always 503\n");
  /* backoff 20 ms, then 40 ms */
  CHECK_TIME(now_s() - t0, 0.055, 3.0);
  fdx_fetch_result_clear(&res);
  CHECK(log_count("/status/503-always") == 3);

  section("retry: none with no_retries");
  o.max_retries = 0;
  o.no_retries  = true;
  CHECK(get_once(&o, "/status/500-then-ok/k5", &res) == FDX_ERR_IO);
  CHECK_R(res.status == 500 && res.attempts == 1, res);
  CHECK_STR(res.error, "HTTP 500");
  fdx_fetch_result_clear(&res);

  section("retry: refused connections are transient");
  o             = test_options();
  o.max_retries = 1;
  {
    /* A port nobody listens on: the server's port plus a margin would
     * be a guess; port 1 on loopback is refused everywhere. */
    FdxFetcher* const f = new_fetcher(&o);
    CHECK(fdx_fetch(f, "http://127.0.0.1:1/x", NULL, NULL, NULL, &res) ==
          FDX_ERR_IO);
    CHECK_R(res.reason == FDX_FETCH_NETWORK, res);
    CHECK_CONTAINS(res.error, "robots.txt of http://127.0.0.1:1 unreachable");
    CHECK(res.attempts == 0); /* robots.txt failed first: all disallowed */
    fdx_fetch_result_clear(&res);
    fdx_fetcher_free(f);
    o.ignore_robots      = true;
    FdxFetcher* const f2 = new_fetcher(&o);
    CHECK(fdx_fetch(f2, "http://127.0.0.1:1/x", NULL, NULL, NULL, &res) ==
          FDX_ERR_IO);
    CHECK_R(res.reason == FDX_FETCH_NETWORK && res.attempts == 2, res);
    CHECK_CONTAINS(res.error, "(after 2 attempts)");
    fdx_fetch_result_clear(&res);
    fdx_fetcher_free(f2);
  }
}

static void
test_redirects(void)
{
  FdxFetchOptions o = test_options();
  FdxFetchResult  res;
  reset_server("none", NULL);

  section("redirects: a chain of 3");
  CHECK(get_once(&o, "/redirect/n/3", &res) == FDX_SUCCESS);
  CHECK_R(res.status == 200 && res.redirects == 3, res);
  CHECK_STR(res.body, "redirected\n");
  CHECK_CONTAINS(res.final_url, "/redirect/n/0");
  fdx_fetch_result_clear(&res);

  section("redirects: a loop");
  CHECK(get_once(&o, "/redirect/loop", &res) == FDX_ERR_LIMIT);
  CHECK_R(res.reason == FDX_FETCH_REDIRECTS, res);
  CHECK_STR(res.error, "too many redirects (more than 5)");
  fdx_fetch_result_clear(&res);
  CHECK(log_count("/redirect/loop") == 6);

  section("redirects: max_redirects and no_redirects");
  o.max_redirects = 2;
  CHECK(get_once(&o, "/redirect/n/3", &res) == FDX_ERR_LIMIT);
  CHECK_STR(res.error, "too many redirects (more than 2)");
  fdx_fetch_result_clear(&res);
  o.no_redirects = true;
  CHECK(get_once(&o, "/redirect/n/1", &res) == FDX_ERR_IO);
  CHECK_R(res.status == 302 && res.reason == FDX_FETCH_HTTP, res);
  fdx_fetch_result_clear(&res);

  section("redirects: only to http and https");
  o = test_options();
  CHECK(get_once(&o, "/redirect/to?url=ftp://127.0.0.1/x", &res) ==
        FDX_ERR_UNSUPPORTED);
  CHECK_R(res.reason == FDX_FETCH_SCHEME, res);
  CHECK_STR(res.error,
            "redirect to ftp://127.0.0.1/x refused: not http or https");
  fdx_fetch_result_clear(&res);
  CHECK(get_once(&o, "/redirect/to?url=file:///etc/passwd", &res) ==
        FDX_ERR_UNSUPPORTED);
  CHECK_R(res.reason == FDX_FETCH_SCHEME, res);
  fdx_fetch_result_clear(&res);
}

static void
test_limits(void)
{
  FdxFetchOptions o = test_options();
  FdxFetchResult  res;
  reset_server("none", NULL);

  section("size cap: oversized bodies");
  o.max_bytes = 1000;
  CHECK(get_once(&o, "/big?bytes=1000", &res) == FDX_SUCCESS);
  CHECK(res.len == 1000 && res.body[1000] == '\0');
  fdx_fetch_result_clear(&res);
  CHECK(get_once(&o, "/big?bytes=5000", &res) == FDX_ERR_LIMIT);
  CHECK_R(res.reason == FDX_FETCH_TOO_BIG && res.len == 0, res);
  CHECK_STR(res.error, "larger than 1000 bytes");
  fdx_fetch_result_clear(&res);
  CHECK(get_once(&o, "/big?bytes=5000000&chunked=1", &res) == FDX_ERR_LIMIT);
  CHECK_R(res.reason == FDX_FETCH_TOO_BIG, res);
  fdx_fetch_result_clear(&res);

  section("size cap: counted after decoding; a gzip bomb stops early");
  o.max_bytes = 1024 * 1024;
  CHECK(get_once(&o, "/gzip-bomb?bytes=100000", &res) == FDX_SUCCESS);
  CHECK_R(res.len == 100000, res);
  CHECK(res.len == 100000 && res.body[0] == '\0' && res.body[99999] == '\0');
  fdx_fetch_result_clear(&res);
  struct rusage ru0;
  struct rusage ru1;
  getrusage(RUSAGE_SELF, &ru0);
  const double t0 = now_s();
  CHECK(get_once(&o, "/gzip-bomb?bytes=4294967296", &res) == FDX_ERR_LIMIT);
  CHECK_R(res.reason == FDX_FETCH_TOO_BIG, res);
  CHECK_STR(res.error, "larger than 1048576 bytes");
  CHECK_TIME(now_s() - t0, 0.0, 5.0);
  getrusage(RUSAGE_SELF, &ru1);
  printf("# peak RSS %ld KiB before the bomb, %ld KiB after\n",
         ru0.ru_maxrss,
         ru1.ru_maxrss);
  CHECK(ru1.ru_maxrss - ru0.ru_maxrss < 64 * 1024);
  fdx_fetch_result_clear(&res);

  section("timeouts: a stalled server");
  o             = test_options();
  o.low_speed_s = 2;
  double t1     = now_s();
  CHECK(get_once(&o, "/stall?after=100", &res) == FDX_ERR_LIMIT);
  CHECK_R(res.reason == FDX_FETCH_STALLED, res);
  CHECK_STR(res.error, "stalled: under 1 byte/s for 2 s");
  CHECK_TIME(now_s() - t1, 1.5, 6.0);
  CHECK(res.attempts == 1);
  fdx_fetch_result_clear(&res);

  section("timeouts: total time");
  o           = test_options();
  o.timeout_s = 2;
  t1          = now_s();
  CHECK(get_once(&o, "/slow?bytes_per_s=20&bytes=1000", &res) == FDX_ERR_LIMIT);
  CHECK_R(res.reason == FDX_FETCH_TIMEOUT, res);
  CHECK_STR(res.error, "timed out after 2 s");
  CHECK_TIME(now_s() - t1, 1.8, 6.0);
  fdx_fetch_result_clear(&res);
}

static void
test_addresses_and_schemes(void)
{
  FdxFetchOptions o = test_options();
  FdxFetchResult  res;
  reset_server("none", NULL);

  section("private addresses refused unless allowed");
  o.allow_private = false;
  CHECK(get_once(&o, "/p/x", &res) == FDX_ERR_IO);
  CHECK_R(res.reason == FDX_FETCH_PRIVATE, res);
  CHECK_STR(res.error,
            "connect to 127.0.0.1 refused: a private or loopback address");
  fdx_fetch_result_clear(&res);
  o.ignore_robots = true;
  CHECK(get_once(&o, "/p/x", &res) == FDX_ERR_IO);
  CHECK_R(res.reason == FDX_FETCH_PRIVATE && res.attempts == 1, res);
  fdx_fetch_result_clear(&res);
  {
    char url[128];
    snprintf(
      url, sizeof(url), "http://localhost:%s/p/x", strrchr(base, ':') + 1);
    FdxFetcher* const f = new_fetcher(&o);
    CHECK(fdx_fetch(f, url, NULL, NULL, NULL, &res) == FDX_ERR_IO);
    CHECK_R(res.reason == FDX_FETCH_PRIVATE, res);
    fdx_fetch_result_clear(&res);
    CHECK(fdx_fetch(f, "http://10.1.2.3:9/x", NULL, NULL, NULL, &res) ==
          FDX_ERR_IO);
    CHECK_R(res.reason == FDX_FETCH_PRIVATE, res);
    fdx_fetch_result_clear(&res);
    CHECK(fdx_fetch(f, "http://[::1]:9/x", NULL, NULL, NULL, &res) ==
          FDX_ERR_IO);
    CHECK_R(res.reason == FDX_FETCH_PRIVATE, res);
    CHECK_STR(res.error,
              "connect to ::1 refused: a private or loopback address");
    fdx_fetch_result_clear(&res);
    CHECK(
      fdx_fetch(f, "http://[::ffff:192.168.1.1]:9/x", NULL, NULL, NULL, &res) ==
      FDX_ERR_IO);
    CHECK_R(res.reason == FDX_FETCH_PRIVATE, res);
    fdx_fetch_result_clear(&res);
    CHECK(fdx_fetch(f, "http://100.64.0.1:9/x", NULL, NULL, NULL, &res) ==
          FDX_ERR_IO);
    CHECK_R(res.reason == FDX_FETCH_PRIVATE, res);
    fdx_fetch_result_clear(&res);
    fdx_fetcher_free(f);
  }
  json_t* const log = server_log();
  CHECK(json_array_size(log) == 0); /* nothing reached the server */
  json_decref(log);

  section("only http and https URLs");
  o                       = test_options();
  const char* const bad[] = { "ftp://127.0.0.1/x",
                              "file:///etc/passwd",
                              "gopher://127.0.0.1/x",
                              "HTTPX://127.0.0.1/" };
  for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); ++i) {
    FdxFetcher* const f = new_fetcher(&o);
    CHECK(fdx_fetch(f, bad[i], NULL, NULL, NULL, &res) == FDX_ERR_UNSUPPORTED);
    CHECK_R(res.reason == FDX_FETCH_SCHEME, res);
    CHECK_CONTAINS(res.error, "not http or https");
    fdx_fetch_result_clear(&res);
    fdx_fetcher_free(f);
  }
  FdxFetcher* const f = new_fetcher(&o);
  CHECK(fdx_fetch(f, "not a url", NULL, NULL, NULL, &res) == FDX_ERR_BAD_ARG);
  CHECK_R(res.reason == FDX_FETCH_BAD_URL, res);
  fdx_fetch_result_clear(&res);
  CHECK(fdx_fetch(f, "HTTP://127.0.0.1:1/", NULL, NULL, NULL, &res) ==
        FDX_ERR_IO); /* the scheme ignores case */
  CHECK_R(res.reason == FDX_FETCH_NETWORK, res);
  fdx_fetch_result_clear(&res);
  fdx_fetcher_free(f);
}

typedef struct {
  double deadline;
  int    calls;
} CancelAt;

static bool
cancel_after(void* const ctx)
{
  CancelAt* const c = (CancelAt*)ctx;
  ++c->calls;
  return now_s() >= c->deadline;
}

static void
test_cancel(void)
{
  FdxFetchResult res;
  reset_server("none", NULL);

  section("cancel: during a transfer");
  FdxFetchOptions o = test_options();
  CancelAt        c = { now_s() + 0.5, 0 };
  o.cancelled       = cancel_after;
  o.cancel_ctx      = &c;
  double t0         = now_s();
  CHECK(get_once(&o, "/stall?after=10", &res) == FDX_FAILURE);
  CHECK_R(res.cancelled && res.reason == FDX_FETCH_CANCELLED, res);
  CHECK_STR(res.error, "cancelled");
  CHECK_TIME(now_s() - t0, 0.4, 1.5);
  fdx_fetch_result_clear(&res);

  section("cancel: during a politeness wait");
  o.no_delay          = false;
  o.min_delay_ms      = 20000;
  o.ignore_robots     = true;
  c.deadline          = now_s() + 1000.0;
  FdxFetcher* const f = new_fetcher(&o);
  CHECK(get(f, "/p/1", &res) == FDX_SUCCESS);
  fdx_fetch_result_clear(&res);
  c.deadline = now_s() + 0.3;
  t0         = now_s();
  CHECK(get(f, "/p/2", &res) == FDX_FAILURE);
  CHECK_R(res.cancelled, res);
  CHECK_TIME(now_s() - t0, 0.25, 1.5);
  fdx_fetch_result_clear(&res);
  CHECK(log_count("/p/2") == 0);

  section("cancel: before anything");
  CHECK(get(f, "/p/3", &res) == FDX_FAILURE && res.cancelled);
  fdx_fetch_result_clear(&res);
  fdx_fetcher_free(f);

  section("cancel: during a backoff wait");
  o               = test_options();
  o.retry_base_ms = 20000;
  c.deadline      = now_s() + 0.3;
  c.calls         = 0;
  o.cancelled     = cancel_after;
  o.cancel_ctx    = &c;
  t0              = now_s();
  CHECK(get_once(&o, "/status/503-always", &res) == FDX_FAILURE);
  CHECK_R(res.cancelled, res);
  CHECK_TIME(now_s() - t0, 0.25, 1.5);
  fdx_fetch_result_clear(&res);
}

typedef struct {
  char      path[64];
  FdxStatus st;
  long      status;
} ThreadJob;

static void*
thread_main(void* const arg)
{
  ThreadJob* const      job = (ThreadJob*)arg;
  const FdxFetchOptions o   = test_options();
  FdxFetchResult        res;
  FdxFetcher* const     f = new_fetcher(&o);
  job->st                 = FDX_ERR_UNKNOWN;
  for (int i = 0; i < 5; ++i) {
    job->st     = get(f, job->path, &res);
    job->status = res.status;
    fdx_fetch_result_clear(&res);
    if (job->st != FDX_SUCCESS) {
      break;
    }
  }
  fdx_fetcher_free(f);
  return NULL;
}

static void
test_threads(void)
{
  section("threads: one fetcher each, at the same time");
  reset_server("none", NULL);
  ThreadJob jobs[4];
  pthread_t threads[4];
  for (int i = 0; i < 4; ++i) {
    memset(&jobs[i], 0, sizeof(jobs[i]));
    snprintf(jobs[i].path, sizeof(jobs[i].path), "/p/thread-%d", i);
    pthread_create(&threads[i], NULL, thread_main, &jobs[i]);
  }
  for (int i = 0; i < 4; ++i) {
    pthread_join(threads[i], NULL);
    CHECK(jobs[i].st == FDX_SUCCESS && jobs[i].status == 200);
  }
}

int
main(const int argc, char** const argv)
{
  setvbuf(stdout, NULL, _IOLBF, 0);
  signal(SIGPIPE, SIG_IGN);
  if (argc != 3) {
    fprintf(stderr, "usage: %s PYTHON3 FIXTURE_SERVER_PY\n", argv[0]);
    return 2;
  }

  test_robots_rules();

  if (!argv[1][0] || access(argv[1], X_OK) != 0) {
    printf("SKIP: python3 not found; the fetch tests need it to run the "
           "fixture server (%s)\n",
           argv[2]);
    return n_failures ? 1 : 77;
  }
  curl_global_init(CURL_GLOBAL_DEFAULT);
  if (!server_start(argv[1], argv[2])) {
    return 1;
  }
  const double t0 = now_s();
  test_api_edges();
  test_success();
  test_headers_sent();
  test_robots_fetched();
  test_politeness();
  test_retries();
  test_redirects();
  test_limits();
  test_addresses_and_schemes();
  test_cancel();
  test_threads();
  server_stop();
  curl_global_cleanup();

  printf(
    "# %d checks, %d failed, %.1f s\n", n_checks, n_failures, now_s() - t0);
  return n_failures ? 1 : 0;
}
