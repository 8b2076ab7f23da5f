/*
 * harness.c: the integration-test harness (see harness.h): checks, the
 * temporary directory, running the CLI, starting and stopping servers,
 * HTTP over libcurl, raw sockets and the readers of response bodies
 * (JSON with jansson, RDF with raptor, XML with libxml2, gzip with zlib).
 *
 * Every server started is remembered, so that an early exit (a failed
 * IT_REQUIRE, a crash of the test in a check) still kills it and removes
 * the temporary directory: no test may leave a server running.
 */
#include "harness.h"

#include <curl/curl.h>
#include <libxml/parser.h>
#include <libxml/tree.h>
#include <raptor2.h>
#include <zlib.h>

#include <arpa/inet.h>
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

extern char** environ;

/* ------------------------------------------------------------------------
 * Checks and the test's life
 * --------------------------------------------------------------------- */

int         it_failures = 0;
const char* it_fairdex  = NULL;
const char* it_srcroot  = NULL;
char        it_testdir[4096];
char        it_tmp[4096];

static int         n_passed  = 0;
static const char* test_name = "test";

#define MAX_SERVERS 16
static ItServer* servers[MAX_SERVERS];
static size_t    n_servers = 0;

void
it_pass(const char* const fmt, ...)
{
  ++n_passed;
  va_list args;
  va_start(args, fmt);
  fputs("ok   ", stdout);
  vprintf(fmt, args);
  putchar('\n');
  va_end(args);
}

void
it_fail_at(const char* const file, const int line, const char* const fmt, ...)
{
  ++it_failures;
  const char* base = strrchr(file, '/');
  va_list     args;
  va_start(args, fmt);
  printf("FAIL %s:%d: ", base ? base + 1 : file, line);
  vprintf(fmt, args);
  putchar('\n');
  va_end(args);
  fflush(stdout);
}

void
it_note(const char* const fmt, ...)
{
  va_list args;
  va_start(args, fmt);
  fputs("note ", stdout);
  vprintf(fmt, args);
  putchar('\n');
  va_end(args);
}

double
it_now(void)
{
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

void
it_sleep_ms(const long ms)
{
  struct timespec ts = { ms / 1000, (ms % 1000) * 1000000L };
  while (nanosleep(&ts, &ts) && errno == EINTR) {
  }
}

static int
rm_entry(const char* const        path,
         const struct stat* const sb,
         const int                flag,
         struct FTW* const        ftw)
{
  (void)sb;
  (void)flag;
  (void)ftw;
  return remove(path);
}

/* Kill what still runs and remove the temporary directory. */
static void
cleanup(void)
{
  for (size_t i = 0; i < n_servers; ++i) {
    ItServer* const srv = servers[i];
    if (srv->pid > 0) {
      kill(srv->pid, SIGKILL);
      waitpid(srv->pid, NULL, 0);
      srv->pid = 0;
    }
    if (srv->stdout_fd >= 0) {
      close(srv->stdout_fd);
      srv->stdout_fd = -1;
    }
  }
  if (it_tmp[0]) {
    if (getenv("FDX_IT_KEEP")) {
      printf("note FDX_IT_KEEP: kept %s\n", it_tmp);
    } else {
      nftw(it_tmp, rm_entry, 16, FTW_DEPTH | FTW_PHYS);
    }
    it_tmp[0] = '\0';
  }
  curl_global_cleanup();
}

/* On a fatal signal (a crash, an ASan abort, meson's SIGTERM at a
 * timeout) kill the servers first, so that none is left running; then die
 * of the signal as before.  Only kill() and raise() are called, which are
 * async-signal-safe. */
static void
on_fatal_signal(const int sig)
{
  for (size_t i = 0; i < n_servers; ++i) {
    if (servers[i]->pid > 0) {
      kill(servers[i]->pid, SIGKILL);
    }
  }
  signal(sig, SIG_DFL);
  raise(sig);
}

int
it_begin(const char* const   name,
         const int           argc,
         char** const        argv,
         const unsigned long min_files)
{
  setvbuf(stdout, NULL, _IOLBF, 0);
  test_name = name;
  if (argc < 3) {
    fprintf(stderr, "usage: %s FAIRDEX SRCROOT [ARGS...]\n", argv[0]);
    exit(2);
  }
  it_fairdex = argv[1];
  it_srcroot = argv[2];
  snprintf(it_testdir, sizeof(it_testdir), "%s/tests/integration", it_srcroot);
  if (access(it_fairdex, X_OK)) {
    fprintf(stderr, "%s: %s is not an executable\n", name, it_fairdex);
    exit(2);
  }
  signal(SIGPIPE, SIG_IGN);
  {
    static const int fatal[] = { SIGABRT, SIGSEGV, SIGBUS, SIGFPE,
                                 SIGILL,  SIGTERM, SIGINT, SIGHUP };
    for (size_t i = 0; i < sizeof(fatal) / sizeof(fatal[0]); ++i) {
      signal(fatal[i], on_fatal_signal);
    }
  }

  struct rlimit rl;
  if (min_files && !getrlimit(RLIMIT_NOFILE, &rl) && rl.rlim_cur < min_files) {
    rl.rlim_cur = min_files <= rl.rlim_max ? min_files : rl.rlim_max;
    if (setrlimit(RLIMIT_NOFILE, &rl)) {
      perror("setrlimit(RLIMIT_NOFILE)");
    }
    printf("note RLIMIT_NOFILE raised to %lu\n", (unsigned long)rl.rlim_cur);
  }

  if (curl_global_init(CURL_GLOBAL_DEFAULT)) {
    fprintf(stderr, "%s: curl_global_init failed\n", name);
    exit(2);
  }
  const char* const tmpdir = getenv("TMPDIR");
  snprintf(it_tmp,
           sizeof(it_tmp),
           "%s/fdx-it-%s-XXXXXX",
           tmpdir && tmpdir[0] ? tmpdir : "/tmp",
           name);
  if (!mkdtemp(it_tmp)) {
    perror("mkdtemp");
    exit(2);
  }
  atexit(cleanup);
  printf("%s: fairdex %s, temporary directory %s\n", name, it_fairdex, it_tmp);
  return 3;
}

void
it_abort(void)
{
  it_finish(test_name);
  exit(1);
}

int
it_finish(const char* const name)
{
  if (it_failures) {
    for (size_t i = 0; i < n_servers; ++i) {
      it_server_show_stderr(servers[i], 30);
    }
    printf("%s: %d check(s) FAILED, %d passed\n", name, it_failures, n_passed);
    return 1;
  }
  printf("%s: %d checks, all passed\n", name, n_passed);
  return 0;
}

/* ------------------------------------------------------------------------
 * Files
 * --------------------------------------------------------------------- */

char*
it_read_file(const char* const path, size_t* const ret_len)
{
  FILE* const f = fopen(path, "rb");
  if (!f) {
    return NULL;
  }
  size_t cap = 4096;
  size_t len = 0;
  char*  buf = malloc(cap);
  size_t n   = 0;
  while (buf && (n = fread(buf + len, 1, cap - len - 1, f)) > 0) {
    len += n;
    if (cap - len < 2) {
      char* const grown = realloc(buf, cap * 2);
      if (!grown) {
        free(buf);
        buf = NULL;
        break;
      }
      buf = grown;
      cap *= 2;
    }
  }
  fclose(f);
  if (buf) {
    buf[len] = '\0';
    if (ret_len) {
      *ret_len = len;
    }
  }
  return buf;
}

char*
it_read_test_file(const char* const rel, size_t* const ret_len)
{
  char path[8192];
  snprintf(path, sizeof(path), "%s/%s", it_testdir, rel);
  char* const text = it_read_file(path, ret_len);
  if (!text) {
    printf("FAIL cannot read %s: %s\n", path, strerror(errno));
    ++it_failures;
    it_abort();
  }
  return text;
}

/* ------------------------------------------------------------------------
 * Running the CLI
 * --------------------------------------------------------------------- */

/* Append what can be read from fd to out (bounded); false at EOF. */
static bool
drain_into(const int fd, char* const out, const size_t size, size_t* const len)
{
  char          buf[4096];
  const ssize_t n = read(fd, buf, sizeof(buf));
  if (n <= 0) {
    return n < 0 && (errno == EINTR || errno == EAGAIN);
  }
  if (out && size) {
    const size_t room = size - 1 - *len;
    const size_t take = (size_t)n < room ? (size_t)n : room;
    memcpy(out + *len, buf, take);
    *len += take;
    out[*len] = '\0';
  }
  return true;
}

int
it_run_fairdex(const char* const* const argv,
               const double             timeout_s,
               char* const              out,
               const size_t             out_size,
               char* const              err,
               const size_t             err_size)
{
  const char* args[64];
  size_t      n = 0;
  args[n++]     = it_fairdex;
  for (size_t i = 0; argv[i] && n < 63; ++i) {
    args[n++] = argv[i];
  }
  args[n] = NULL;
  if (out && out_size) {
    out[0] = '\0';
  }
  if (err && err_size) {
    err[0] = '\0';
  }

  int opipe[2];
  int epipe[2];
  if (pipe2(opipe, O_CLOEXEC)) {
    return -1;
  }
  if (pipe2(epipe, O_CLOEXEC)) {
    close(opipe[0]);
    close(opipe[1]);
    return -1;
  }
  posix_spawn_file_actions_t fa;
  posix_spawn_file_actions_init(&fa);
  posix_spawn_file_actions_addopen(&fa, 0, "/dev/null", O_RDONLY, 0);
  posix_spawn_file_actions_adddup2(&fa, opipe[1], 1);
  posix_spawn_file_actions_adddup2(&fa, epipe[1], 2);
  pid_t     pid = 0;
  const int rc =
    posix_spawn(&pid, it_fairdex, &fa, NULL, (char**)args, environ);
  posix_spawn_file_actions_destroy(&fa);
  close(opipe[1]);
  close(epipe[1]);
  if (rc) {
    close(opipe[0]);
    close(epipe[0]);
    errno = rc;
    return -1;
  }

  size_t       olen     = 0;
  size_t       elen     = 0;
  bool         o_open   = true;
  bool         e_open   = true;
  const double deadline = it_now() + timeout_s;
  while ((o_open || e_open) && it_now() < deadline) {
    struct pollfd pfd[2] = { { o_open ? opipe[0] : -1, POLLIN, 0 },
                             { e_open ? epipe[0] : -1, POLLIN, 0 } };
    if (poll(pfd, 2, 500) < 0 && errno != EINTR) {
      break;
    }
    if (o_open && pfd[0].revents) {
      o_open = drain_into(opipe[0], out, out_size, &olen);
    }
    if (e_open && pfd[1].revents) {
      e_open = drain_into(epipe[0], err, err_size, &elen);
    }
  }
  close(opipe[0]);
  close(epipe[0]);
  if (o_open || e_open) {
    kill(pid, SIGKILL);
  }
  int status = 0;
  while (waitpid(pid, &status, 0) < 0 && errno == EINTR) {
  }
  return WIFEXITED(status) && !o_open && !e_open ? WEXITSTATUS(status) : -1;
}

/* ------------------------------------------------------------------------
 * Servers
 * --------------------------------------------------------------------- */

static void
server_init(ItServer* const srv, const char* const name)
{
  memset(srv, 0, sizeof(*srv));
  srv->stdout_fd   = -1;
  srv->exit_status = -1;
  snprintf(srv->name, sizeof(srv->name), "%s", name);
  snprintf(srv->dir, sizeof(srv->dir), "%s/%s", it_tmp, name);
  snprintf(srv->db, sizeof(srv->db), "%s/db", srv->dir);
  snprintf(srv->access_log, sizeof(srv->access_log), "%s/access.log", srv->dir);
  snprintf(
    srv->stderr_path, sizeof(srv->stderr_path), "%s/stderr.log", srv->dir);
  if (mkdir(srv->dir, 0700)) {
    printf("FAIL mkdir %s: %s\n", srv->dir, strerror(errno));
    ++it_failures;
    it_abort();
  }
  if (n_servers < MAX_SERVERS) {
    servers[n_servers++] = srv;
  }
}

void
it_server_prepare_empty(ItServer* const srv, const char* const name)
{
  server_init(srv, name);
  /* Empty means empty: the server and CLI runs of this program do not
   * install the shipped vocabularies. */
  setenv("FAIRDEX_VOCABULARIES", "none", 1);
}

/* Run `fairdex --db DB ARGS...`, requiring exit 0; stdout into out. */
static void
must_run(const ItServer* const srv,
         const char* const     what,
         const char* const*    args,
         char* const           out,
         const size_t          out_size)
{
  const char* argv[32] = { "--db", srv->db };
  size_t      n        = 2;
  for (size_t i = 0; args[i] && n < 31; ++i) {
    argv[n++] = args[i];
  }
  argv[n] = NULL;
  char      err[2048];
  const int rc = it_run_fairdex(argv, 300.0, out, out_size, err, sizeof(err));
  if (rc != 0) {
    printf("  --- stderr of fairdex:\n%s\n", err);
  }
  IT_REQUIRE(rc == 0, "%s: %s exits 0 (got %d)", srv->name, what, rc);
}

/* Create a token, requiring one non-empty line on stdout. */
static void
make_token(const ItServer* const srv,
           const char* const     name,
           const char* const     role,
           char* const           out,
           const size_t          size)
{
  char        what[128];
  const char* args[] = {
    "token", "create", "--name", name, "--role", role, NULL
  };
  snprintf(what, sizeof(what), "token create --name %s --role %s", name, role);
  must_run(srv, what, args, out, size);
  size_t len = strlen(out);
  while (len && (out[len - 1] == '\n' || out[len - 1] == '\r')) {
    out[--len] = '\0';
  }
  IT_REQUIRE(len >= 8 && !strchr(out, '\n') && !strchr(out, ' '),
             "%s: %s prints the token alone on one line (got \"%s\")",
             srv->name,
             what,
             it_excerpt(out, len, 80));
}

void
it_server_prepare(ItServer* const   srv,
                  const char* const name,
                  const bool        tokens)
{
  server_init(srv, name);
  char catalog[8192];
  char extra[8192];
  char named[8192];
  snprintf(catalog, sizeof(catalog), "%s/examples/catalog.ttl", it_srcroot);
  snprintf(extra, sizeof(extra), "%s/data/extra.ttl", it_testdir);
  snprintf(named, sizeof(named), "%s/data/named.ttl", it_testdir);
  const char* load1[] = { "load", catalog, NULL };
  const char* load2[] = { "load", extra, NULL };
  const char* load3[] = { "load", "--graph", IT_NAMED_GRAPH, named, NULL };
  must_run(srv, "load examples/catalog.ttl", load1, NULL, 0);
  must_run(srv, "load data/extra.ttl", load2, NULL, 0);
  must_run(
    srv, "load --graph " IT_NAMED_GRAPH " data/named.ttl", load3, NULL, 0);
  if (tokens) {
    make_token(
      srv, "admin1", "admin", srv->admin_token, sizeof(srv->admin_token));
    make_token(
      srv, "reader1", "reader", srv->reader_token, sizeof(srv->reader_token));
    make_token(srv,
               "curator1",
               "curator",
               srv->curator_token,
               sizeof(srv->curator_token));
    IT_CHECK(strcmp(srv->admin_token, srv->reader_token) &&
               strcmp(srv->admin_token, srv->curator_token) &&
               strcmp(srv->reader_token, srv->curator_token),
             "%s: the three tokens differ",
             srv->name);
  }
}

bool
it_server_alive(ItServer* const srv)
{
  if (srv->pid <= 0) {
    return false;
  }
  int         status = 0;
  const pid_t r      = waitpid(srv->pid, &status, WNOHANG);
  if (r == srv->pid) {
    srv->exit_status = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
    if (WIFSIGNALED(status)) {
      printf("note server %s was killed by signal %d\n",
             srv->name,
             WTERMSIG(status));
    } else {
      printf(
        "note server %s exited with status %d\n", srv->name, srv->exit_status);
    }
    srv->pid = 0;
    return false;
  }
  return true;
}

void
it_server_show_stderr(const ItServer* const srv, const int lines)
{
  size_t      len  = 0;
  char* const text = it_read_file(srv->stderr_path, &len);
  if (!text) {
    return;
  }
  /* Find the start of the last `lines` lines. */
  size_t start = len;
  int    seen  = 0;
  while (start > 0) {
    if (text[start - 1] == '\n' && start != len && ++seen >= lines) {
      break;
    }
    --start;
  }
  printf("  --- last lines of the stderr of server %s (%zu bytes):\n",
         srv->name,
         len);
  const char* p = text + start;
  while (*p) {
    const char* const nl = strchr(p, '\n');
    const size_t      n  = nl ? (size_t)(nl - p) : strlen(p);
    printf("  | %.*s\n", (int)(n > 300 ? 300 : n), p);
    p += n + (nl ? 1 : 0);
  }
  free(text);
}

bool
it_server_start(ItServer* const srv, const char* const* const extra)
{
  const char* args[64] = { it_fairdex, "serve",    "--db",
                           srv->db,    "--listen", "127.0.0.1:0" };
  size_t      n        = 6;
  char        cmdline[2048];
  if (!srv->no_base) {
    args[n++] = "--base";
    args[n++] = IT_BASE;
  }
  if (!srv->log_to_stderr) {
    args[n++] = "--access-log";
    args[n++] = srv->access_log;
  }
  for (size_t i = 0; extra && extra[i] && n < 63; ++i) {
    args[n++] = extra[i];
  }
  args[n]    = NULL;
  size_t off = 0;
  for (size_t i = 1; i < n && off < sizeof(cmdline); ++i) {
    off += (size_t)snprintf(
      cmdline + off, sizeof(cmdline) - off, "%s%s", i > 1 ? " " : "", args[i]);
  }

  int opipe[2];
  if (pipe2(opipe, O_CLOEXEC)) {
    it_fail_at(__FILE__, __LINE__, "pipe: %s", strerror(errno));
    return false;
  }
  posix_spawn_file_actions_t fa;
  posix_spawn_file_actions_init(&fa);
  posix_spawn_file_actions_addopen(&fa, 0, "/dev/null", O_RDONLY, 0);
  posix_spawn_file_actions_adddup2(&fa, opipe[1], 1);
  posix_spawn_file_actions_addopen(
    &fa, 2, srv->stderr_path, O_WRONLY | O_CREAT | O_APPEND, 0600);
  pid_t     pid = 0;
  const int rc =
    posix_spawn(&pid, it_fairdex, &fa, NULL, (char**)args, environ);
  posix_spawn_file_actions_destroy(&fa);
  close(opipe[1]);
  if (rc) {
    close(opipe[0]);
    it_fail_at(__FILE__,
               __LINE__,
               "server %s: cannot spawn %s: %s",
               srv->name,
               it_fairdex,
               strerror(rc));
    return false;
  }
  srv->pid         = pid;
  srv->stdout_fd   = opipe[0];
  srv->exit_status = -1;
  printf("note server %s: started `fairdex %s` (pid %d)\n",
         srv->name,
         cmdline,
         (int)pid);

  /* Read the one line the server prints once it listens. */
  char         line[512];
  size_t       len      = 0;
  bool         got_line = false;
  const double start    = it_now();
  while (!got_line && it_now() - start < 20.0) {
    struct pollfd pfd = { srv->stdout_fd, POLLIN, 0 };
    const int     r   = poll(&pfd, 1, 100);
    if (r > 0) {
      char          c = 0;
      const ssize_t k = read(srv->stdout_fd, &c, 1);
      if (k == 1) {
        if (c == '\n') {
          got_line = true;
        } else if (len < sizeof(line) - 1) {
          line[len++] = c;
        }
        continue;
      }
      if (k == 0) {
        /* stdout closed: the server has exited (or closed stdout). */
        it_sleep_ms(100);
        if (!it_server_alive(srv)) {
          break;
        }
      }
    }
    if (!it_server_alive(srv)) {
      break;
    }
  }
  line[len] = '\0';
  if (!got_line) {
    it_fail_at(__FILE__,
               __LINE__,
               "server %s: expected the line \"listening on "
               "http://127.0.0.1:PORT/\" on stdout within 20 s, got %s%s%s "
               "(server %s)",
               srv->name,
               len ? "\"" : "nothing",
               len ? line : "",
               len ? "\"" : "",
               srv->pid ? "still running" : "exited");
    it_server_show_stderr(srv, 20);
    if (srv->pid > 0) {
      kill(srv->pid, SIGKILL);
      waitpid(srv->pid, NULL, 0);
      srv->pid = 0;
    }
    return false;
  }
  int  port = 0;
  char tail = 0;
  int nconv = sscanf(line, "listening on http://127.0.0.1:%d/%c", &port, &tail);
  char expect[128];
  snprintf(expect, sizeof(expect), "listening on http://127.0.0.1:%d/", port);
  const bool exact =
    nconv == 1 && port > 0 && port < 65536 && !strcmp(line, expect);
  IT_CHECK(exact,
           "server %s: prints \"listening on http://127.0.0.1:PORT/\" "
           "(got \"%s\") after %.2f s",
           srv->name,
           line,
           it_now() - start);
  if (nconv < 1 || port <= 0 || port >= 65536) {
    kill(srv->pid, SIGKILL);
    waitpid(srv->pid, NULL, 0);
    srv->pid = 0;
    return false;
  }
  srv->port = port;
  snprintf(srv->url, sizeof(srv->url), "http://127.0.0.1:%d", port);
  return true;
}

void
it_server_stop(ItServer* const srv, const double timeout_s)
{
  if (srv->pid <= 0) {
    it_fail_at(__FILE__,
               __LINE__,
               "server %s: expected it to be running before SIGTERM; it had "
               "already exited (status %d)",
               srv->name,
               srv->exit_status);
    return;
  }
  const pid_t  pid   = srv->pid;
  const double start = it_now();
  kill(pid, SIGTERM);
  int  status = 0;
  bool exited = false;
  while (it_now() - start < timeout_s) {
    const pid_t r = waitpid(pid, &status, WNOHANG);
    if (r == pid) {
      exited = true;
      break;
    }
    it_sleep_ms(20);
  }
  const double took = it_now() - start;
  if (!exited) {
    kill(pid, SIGKILL);
    waitpid(pid, &status, 0);
  }
  srv->pid = 0;
  IT_CHECK(exited,
           "server %s: exits within %.0f s of SIGTERM (took %.2f s%s)",
           srv->name,
           timeout_s,
           took,
           exited ? "" : ", killed");
  if (exited) {
    srv->exit_status = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
    if (WIFSIGNALED(status)) {
      it_fail_at(__FILE__,
                 __LINE__,
                 "server %s: expected exit status 0 after SIGTERM, got death "
                 "by signal %d",
                 srv->name,
                 WTERMSIG(status));
    } else {
      IT_CHECK(srv->exit_status == 0,
               "server %s: exit status 0 after SIGTERM (got %d)",
               srv->name,
               srv->exit_status);
    }
  }
  /* Nothing more on stdout than the one line. */
  if (srv->stdout_fd >= 0) {
    char   rest[512];
    size_t len = 0;
    fcntl(srv->stdout_fd, F_SETFL, O_NONBLOCK);
    while (len < sizeof(rest) - 1) {
      const ssize_t k =
        read(srv->stdout_fd, rest + len, sizeof(rest) - 1 - len);
      if (k <= 0) {
        break;
      }
      len += (size_t)k;
    }
    rest[len] = '\0';
    IT_CHECK(len == 0,
             "server %s: prints nothing on stdout after the listening line "
             "(got \"%s\")",
             srv->name,
             it_excerpt(rest, len, 200));
    close(srv->stdout_fd);
    srv->stdout_fd = -1;
  }
}

/* ------------------------------------------------------------------------
 * HTTP over libcurl
 * --------------------------------------------------------------------- */

#define BODY_MAX ((size_t)512 * 1024 * 1024)

typedef struct
{
  char*  data;
  size_t len;
  size_t cap;
  bool   too_big;
} Buf;

static bool
buf_add(Buf* const b, const char* const data, const size_t len)
{
  if (b->len + len + 1 > BODY_MAX) {
    b->too_big = true;
    return false;
  }
  if (b->len + len + 1 > b->cap) {
    size_t cap = b->cap ? b->cap : 4096;
    while (cap < b->len + len + 1) {
      cap *= 2;
    }
    char* const grown = realloc(b->data, cap);
    if (!grown) {
      return false;
    }
    b->data = grown;
    b->cap  = cap;
  }
  memcpy(b->data + b->len, data, len);
  b->len += len;
  b->data[b->len] = '\0';
  return true;
}

static size_t
on_body(char* const ptr, const size_t size, const size_t n, void* const ud)
{
  return buf_add((Buf*)ud, ptr, size * n) ? size * n : 0;
}

static size_t
on_header(char* const ptr, const size_t size, const size_t n, void* const ud)
{
  Buf* const b = (Buf*)ud;
  /* A new status line (after 100 Continue) starts a new header block. */
  if (size * n >= 5 && !memcmp(ptr, "HTTP/", 5)) {
    b->len = 0;
  }
  return buf_add(b, ptr, size * n) ? size * n : 0;
}

bool
it_http(const ItServer* const  srv,
        const ItRequest* const req,
        ItResponse* const      ret)
{
  memset(ret, 0, sizeof(*ret));
  const char* const method = req->method ? req->method : "GET";
  snprintf(ret->desc,
           sizeof(ret->desc),
           "%s %s",
           method,
           it_excerpt(req->target, strlen(req->target), 150));

  CURL* const curl = curl_easy_init();
  if (!curl) {
    snprintf(ret->error, sizeof(ret->error), "curl_easy_init failed");
    return false;
  }
  char* url = malloc(strlen(srv->url) + strlen(req->target) + 1);
  if (!url) {
    curl_easy_cleanup(curl);
    return false;
  }
  strcpy(url, srv->url);
  strcat(url, req->target);

  struct curl_slist* headers = curl_slist_append(NULL, "Expect:");
  for (size_t i = 0; i < IT_MAX_HEADERS && req->headers[i]; ++i) {
    headers = curl_slist_append(headers, req->headers[i]);
  }
  Buf  body                    = { 0 };
  Buf  head                    = { 0 };
  char errbuf[CURL_ERROR_SIZE] = "";

  curl_easy_setopt(curl, CURLOPT_URL, url);
  curl_easy_setopt(curl, CURLOPT_PATH_AS_IS, 1L);
  curl_easy_setopt(curl, CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt(curl, CURLOPT_FORBID_REUSE, 1L);
  curl_easy_setopt(curl, CURLOPT_ERRORBUFFER, errbuf);
  curl_easy_setopt(
    curl, CURLOPT_TIMEOUT_MS, req->timeout_ms ? req->timeout_ms : 60000L);
  curl_easy_setopt(curl, CURLOPT_HTTPHEADER, headers);
  curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION, on_body);
  curl_easy_setopt(curl, CURLOPT_WRITEDATA, &body);
  curl_easy_setopt(curl, CURLOPT_HEADERFUNCTION, on_header);
  curl_easy_setopt(curl, CURLOPT_HEADERDATA, &head);
  const size_t body_len =
    req->body ? (req->body_len ? req->body_len : strlen(req->body)) : 0;
  if (!strcmp(method, "HEAD")) {
    curl_easy_setopt(curl, CURLOPT_NOBODY, 1L);
  } else if (!strcmp(method, "POST")) {
    curl_easy_setopt(curl, CURLOPT_POST, 1L);
    curl_easy_setopt(curl, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)body_len);
    curl_easy_setopt(curl, CURLOPT_POSTFIELDS, req->body ? req->body : "");
  } else {
    if (strcmp(method, "GET")) {
      curl_easy_setopt(curl, CURLOPT_CUSTOMREQUEST, method);
    }
    if (req->body) {
      curl_easy_setopt(curl, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)body_len);
      curl_easy_setopt(curl, CURLOPT_POSTFIELDS, req->body);
    }
  }

  const CURLcode rc = curl_easy_perform(curl);
  curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &ret->status);
  curl_easy_getinfo(curl, CURLINFO_TOTAL_TIME, &ret->seconds);
  if (rc != CURLE_OK) {
    snprintf(ret->error,
             sizeof(ret->error),
             "%s: %s%s",
             curl_easy_strerror(rc),
             errbuf,
             body.too_big ? " (body over the test's limit)" : "");
  }
  ret->ok       = rc == CURLE_OK;
  ret->head     = head.data ? head.data : calloc(1, 1);
  ret->head_len = head.len;
  ret->body     = body.data ? body.data : calloc(1, 1);
  ret->body_len = body.len;
  curl_slist_free_all(headers);
  curl_easy_cleanup(curl);
  free(url);
  return ret->ok;
}

bool
it_get(const ItServer* const srv,
       const char* const     target,
       const char* const     accept,
       ItResponse* const     ret)
{
  char      hdr[512];
  ItRequest req = { .target = target };
  if (accept) {
    snprintf(hdr, sizeof(hdr), "Accept: %s", accept);
    req.headers[0] = hdr;
  }
  return it_http(srv, &req, ret);
}

void
it_response_free(ItResponse* const resp)
{
  free(resp->head);
  free(resp->body);
  memset(resp, 0, sizeof(*resp));
}

bool
it_header(const ItResponse* const resp,
          const char* const       name,
          char* const             out,
          const size_t            size)
{
  bool         found = false;
  const size_t nlen  = strlen(name);
  const char*  p     = resp->head ? resp->head : "";
  if (size) {
    out[0] = '\0';
  }
  while (*p) {
    const char* const eol = strchr(p, '\n');
    const size_t      len = eol ? (size_t)(eol - p) : strlen(p);
    if (len > nlen && p[nlen] == ':' && !strncasecmp(p, name, nlen)) {
      const char* v   = p + nlen + 1;
      const char* end = p + len;
      while (v < end && (*v == ' ' || *v == '\t')) {
        ++v;
      }
      while (end > v && (end[-1] == '\r' || end[-1] == ' ')) {
        --end;
      }
      const size_t vlen = (size_t)(end - v);
      if (size) {
        const size_t take = vlen < size - 1 ? vlen : size - 1;
        memcpy(out, v, take);
        out[take] = '\0';
      }
      found = true;
    }
    p += len + (eol ? 1 : 0);
  }
  return found;
}

void
it_media_type(const ItResponse* const resp, char* const out, const size_t size)
{
  char value[512];
  it_header(resp, "Content-Type", value, sizeof(value));
  char* const semi = strchr(value, ';');
  if (semi) {
    *semi = '\0';
  }
  size_t len = strlen(value);
  while (len && value[len - 1] == ' ') {
    value[--len] = '\0';
  }
  for (size_t i = 0; i < len; ++i) {
    value[i] = (char)tolower((unsigned char)value[i]);
  }
  snprintf(out, size, "%s", value);
}

const char*
it_excerpt(const char* const data, const size_t len, const size_t max)
{
  static char buf[4][1100];
  static int  which = 0;
  char* const out   = buf[which];
  which             = (which + 1) % 4;
  if (!data) {
    return "(null)";
  }
  const size_t lim = max < 1000 ? max : 1000;
  size_t       o   = 0;
  for (size_t i = 0; i < len && o < lim; ++i) {
    const unsigned char c = (unsigned char)data[i];
    out[o++] = c == '\n' ? '|' : (c < 0x20 || c == 0x7f) ? '.' : (char)c;
  }
  out[o] = '\0';
  if (len > lim) {
    strcpy(out + o, "...");
  }
  return out;
}

bool
it_check_status(const char* const       file,
                const int               line,
                const ItResponse* const resp,
                const long              want)
{
  if (!resp->ok && resp->status == 0) {
    it_fail_at(file,
               line,
               "%s: expected status %ld, got no response (%s)",
               resp->desc,
               want,
               resp->error);
    return false;
  }
  if (resp->status != want) {
    it_fail_at(file,
               line,
               "%s: expected status %ld, got %ld; body: %s",
               resp->desc,
               want,
               resp->status,
               it_excerpt(resp->body, resp->body_len, 300));
    return false;
  }
  it_pass("%s: status %ld", resp->desc, want);
  return true;
}

bool
it_check_error(const char* const       file,
               const int               line,
               const ItResponse* const resp,
               const long              status,
               const char* const       code)
{
  bool good = it_check_status(file, line, resp, status);
  char type[256];
  it_media_type(resp, type, sizeof(type));
  if (strcmp(type, "application/json")) {
    it_fail_at(file,
               line,
               "%s: expected an error with Content-Type application/json, "
               "got \"%s\"",
               resp->desc,
               type);
    return false;
  }
  char          err[256];
  json_t* const root = it_json(resp->body, resp->body_len, err, sizeof(err));
  if (!root) {
    it_fail_at(file,
               line,
               "%s: error body is not JSON (%s): %s",
               resp->desc,
               err,
               it_excerpt(resp->body, resp->body_len, 200));
    return false;
  }
  const char* const got  = json_string_value(json_object_get(root, "error"));
  const bool has_message = json_is_string(json_object_get(root, "message"));
  if (!got || strcmp(got, code) || !has_message) {
    it_fail_at(file,
               line,
               "%s: expected {\"error\":\"%s\",\"message\":TEXT}, got %s",
               resp->desc,
               code,
               it_excerpt(resp->body, resp->body_len, 300));
    good = false;
  } else {
    it_pass("%s: error \"%s\" with a message", resp->desc, code);
  }
  json_decref(root);
  return good;
}

char*
it_urlencode(const char* const text)
{
  static const char hex[] = "0123456789ABCDEF";
  const size_t      len   = strlen(text);
  char* const       out   = malloc(len * 3 + 1);
  size_t            o     = 0;
  if (!out) {
    return NULL;
  }
  for (size_t i = 0; i < len; ++i) {
    const unsigned char c = (unsigned char)text[i];
    if (isalnum(c) || c == '-' || c == '_' || c == '.' || c == '~') {
      out[o++] = (char)c;
    } else {
      out[o++] = '%';
      out[o++] = hex[c >> 4];
      out[o++] = hex[c & 15];
    }
  }
  out[o] = '\0';
  return out;
}

char*
it_target(const char* const prefix, const char* const value)
{
  char* const enc = it_urlencode(value);
  char* const out = malloc(strlen(prefix) + strlen(enc) + 1);
  strcpy(out, prefix);
  strcat(out, enc);
  free(enc);
  return out;
}

/* ------------------------------------------------------------------------
 * Reading bodies
 * --------------------------------------------------------------------- */

json_t*
it_json(const char* const data,
        const size_t      len,
        char* const       err,
        const size_t      err_size)
{
  json_error_t  jerr;
  json_t* const root = json_loadb(data, len, JSON_DECODE_ANY, &jerr);
  if (!root && err_size) {
    snprintf(err,
             err_size,
             "line %d, column %d: %s",
             jerr.line,
             jerr.column,
             jerr.text);
  }
  return root;
}

json_t*
it_json_path(json_t* const root, const char* const path)
{
  json_t*     node = root;
  const char* p    = path;
  while (node && *p) {
    const char* const dot = strchr(p, '.');
    const size_t      len = dot ? (size_t)(dot - p) : strlen(p);
    char              key[256];
    snprintf(key, sizeof(key), "%.*s", (int)len, p);
    if (json_is_array(node)) {
      char*               end = NULL;
      const unsigned long i   = strtoul(key, &end, 10);
      node = (end && !*end && len) ? json_array_get(node, i) : NULL;
    } else if (json_is_object(node)) {
      node = json_object_get(node, key);
    } else {
      node = NULL;
    }
    p += len + (dot ? 1 : 0);
  }
  return node;
}

typedef struct
{
  ItGraph* graph;
  char*    err;
  size_t   err_size;
  bool     failed;
} ParseState;

static char*
term_string(raptor_term* const term)
{
  if (!term) {
    return NULL;
  }
  unsigned char* const s   = raptor_term_to_string(term);
  char* const          out = s ? strdup((const char*)s) : NULL;
  raptor_free_memory(s);
  return out;
}

static void
on_statement(void* const ud, raptor_statement* const st)
{
  ParseState* const ps = (ParseState*)ud;
  ItGraph* const    g  = ps->graph;
  if (g->n == g->cap) {
    const size_t    cap   = g->cap ? g->cap * 2 : 64;
    ItTriple* const grown = realloc(g->items, cap * sizeof(ItTriple));
    if (!grown) {
      ps->failed = true;
      return;
    }
    g->items = grown;
    g->cap   = cap;
  }
  ItTriple* const t = &g->items[g->n++];
  t->s              = term_string(st->subject);
  t->p              = term_string(st->predicate);
  t->o              = term_string(st->object);
  t->g              = term_string(st->graph);
}

static void
on_log(void* const ud, raptor_log_message* const msg)
{
  ParseState* const ps = (ParseState*)ud;
  if (msg->level >= RAPTOR_LOG_LEVEL_ERROR) {
    if (!ps->failed && ps->err_size) {
      snprintf(ps->err,
               ps->err_size,
               "line %d, column %d: %s",
               msg->locator ? msg->locator->line : -1,
               msg->locator ? msg->locator->column : -1,
               msg->text);
    }
    ps->failed = true;
  }
}

bool
it_rdf_parse(const char* const syntax,
             const char* const data,
             const size_t      len,
             const char* const base,
             ItGraph* const    ret,
             char* const       err,
             const size_t      err_size)
{
  ParseState ps = { ret, err, err_size, false };
  if (err_size) {
    err[0] = '\0';
  }
  raptor_world* const world = raptor_new_world();
  if (!world || raptor_world_open(world)) {
    snprintf(err, err_size, "raptor_new_world failed");
    return false;
  }
  raptor_world_set_log_handler(world, &ps, on_log);
  raptor_parser* const parser = raptor_new_parser(world, syntax);
  if (!parser) {
    snprintf(err, err_size, "raptor has no parser \"%s\"", syntax);
    raptor_free_world(world);
    return false;
  }
  raptor_parser_set_option(parser, RAPTOR_OPTION_NO_NET, NULL, 1);
  raptor_parser_set_statement_handler(parser, &ps, on_statement);
  raptor_uri* const base_uri =
    raptor_new_uri(world, (const unsigned char*)base);
  if (raptor_parser_parse_start(parser, base_uri) ||
      raptor_parser_parse_chunk(parser, (const unsigned char*)data, len, 1)) {
    if (!ps.failed) {
      snprintf(err, err_size, "the %s parser failed", syntax);
    }
    ps.failed = true;
  }
  raptor_free_uri(base_uri);
  raptor_free_parser(parser);
  raptor_free_world(world);
  return !ps.failed;
}

/* Does the actual term match the pattern term? */
static bool
term_match(const char* const pat, const size_t plen, const char* const term)
{
  if (plen == 1 && pat[0] == '*') {
    return true;
  }
  if (!term) {
    return false;
  }
  if (plen >= 2 && pat[0] == '"' && pat[plen - 1] == '"') {
    /* A plain literal pattern: the lexical form alone. */
    return !strncmp(term, pat, plen) &&
           (term[plen] == '\0' || term[plen] == '^' || term[plen] == '@');
  }
  return strlen(term) == plen && !strncmp(term, pat, plen);
}

size_t
it_graph_match(const ItGraph* const graph, const char* const pattern)
{
  const char* p = pattern;
  while (*p == ' ') {
    ++p;
  }
  const char* const s  = p;
  const size_t      sl = strcspn(s, " ");
  p                    = s + sl;
  while (*p == ' ') {
    ++p;
  }
  const char* const pr = p;
  const size_t      pl = strcspn(pr, " ");
  p                    = pr + pl;
  while (*p == ' ') {
    ++p;
  }
  const char* const o  = p;
  size_t            ol = strlen(o);
  while (ol && o[ol - 1] == ' ') {
    --ol;
  }
  size_t n = 0;
  for (size_t i = 0; i < graph->n; ++i) {
    const ItTriple* const t = &graph->items[i];
    if (term_match(s, sl, t->s) && term_match(pr, pl, t->p) &&
        term_match(o, ol, t->o)) {
      ++n;
    }
  }
  return n;
}

size_t
it_graph_objects(const ItGraph* const graph,
                 const char* const    s,
                 const char* const    p,
                 const char**         ret,
                 const size_t         max)
{
  size_t n = 0;
  for (size_t i = 0; i < graph->n; ++i) {
    const ItTriple* const t = &graph->items[i];
    if (t->s && t->p && !strcmp(t->s, s) && !strcmp(t->p, p)) {
      if (n < max) {
        ret[n] = t->o;
      }
      ++n;
    }
  }
  return n;
}

void
it_graph_free(ItGraph* const graph)
{
  for (size_t i = 0; i < graph->n; ++i) {
    free(graph->items[i].s);
    free(graph->items[i].p);
    free(graph->items[i].o);
    free(graph->items[i].g);
  }
  free(graph->items);
  memset(graph, 0, sizeof(*graph));
}

static xmlDocPtr
xml_read(const char* const data,
         const size_t      len,
         char* const       err,
         const size_t      err_size)
{
  xmlResetLastError();
  xmlDocPtr const doc =
    xmlReadMemory(data,
                  (int)len,
                  "body.xml",
                  NULL,
                  XML_PARSE_NONET | XML_PARSE_NOERROR | XML_PARSE_NOWARNING);
  if (!doc && err_size) {
    const xmlError* const e = xmlGetLastError();
    snprintf(err,
             err_size,
             "line %d: %s",
             e ? e->line : -1,
             e && e->message ? e->message : "not well-formed");
    const size_t n = strlen(err);
    if (n && err[n - 1] == '\n') {
      err[n - 1] = '\0';
    }
  }
  return doc;
}

bool
it_xml_wellformed(const char* const data,
                  const size_t      len,
                  char* const       err,
                  const size_t      err_size)
{
  xmlDocPtr const doc = xml_read(data, len, err, err_size);
  xmlFreeDoc(doc);
  return doc != NULL;
}

bool
it_xml_results(const char* const data,
               const size_t      len,
               long* const       ret_rows,
               int* const        ret_boolean,
               char* const       err,
               const size_t      err_size)
{
  static const char ns[] = "http://www.w3.org/2005/sparql-results#";
  xmlDocPtr const   doc  = xml_read(data, len, err, err_size);
  if (!doc) {
    return false;
  }
  const xmlNode* const root = xmlDocGetRootElement(doc);
  if (!root || xmlStrcmp(root->name, BAD_CAST "sparql") || !root->ns ||
      xmlStrcmp(root->ns->href, BAD_CAST ns)) {
    snprintf(
      err, err_size, "the root element is not <sparql xmlns=\"%s\">", ns);
    xmlFreeDoc(doc);
    return false;
  }
  long rows    = 0;
  int  boolean = -1;
  for (const xmlNode* c = root->children; c; c = c->next) {
    if (c->type != XML_ELEMENT_NODE) {
      continue;
    }
    if (!xmlStrcmp(c->name, BAD_CAST "results")) {
      for (const xmlNode* r = c->children; r; r = r->next) {
        if (r->type == XML_ELEMENT_NODE &&
            !xmlStrcmp(r->name, BAD_CAST "result")) {
          ++rows;
        }
      }
    } else if (!xmlStrcmp(c->name, BAD_CAST "boolean")) {
      xmlChar* const text = xmlNodeGetContent(c);
      boolean             = text && !xmlStrcmp(text, BAD_CAST "true") ? 1 : 0;
      xmlFree(text);
    }
  }
  xmlFreeDoc(doc);
  *ret_rows    = rows;
  *ret_boolean = boolean;
  return true;
}

long
it_csv_records(const char* const data, const size_t len, const bool tsv)
{
  long n         = 0;
  bool in_quotes = false;
  for (size_t i = 0; i < len; ++i) {
    if (!tsv && data[i] == '"') {
      in_quotes = !in_quotes;
    } else if (data[i] == '\n' && !in_quotes) {
      ++n;
    }
  }
  if (len && data[len - 1] != '\n') {
    ++n;
  }
  return n;
}

bool
it_gunzip(const char* const data,
          const size_t      len,
          const size_t      max,
          char** const      ret,
          size_t* const     ret_len,
          char* const       err,
          const size_t      err_size)
{
  z_stream zs;
  memset(&zs, 0, sizeof(zs));
  if (inflateInit2(&zs, 16 + MAX_WBITS) != Z_OK) {
    snprintf(err, err_size, "inflateInit2 failed");
    return false;
  }
  Buf  out    = { 0 };
  bool ok     = true;
  bool end    = false;
  zs.next_in  = (Bytef*)(uintptr_t)data;
  zs.avail_in = (uInt)len;
  char chunk[65536];
  while (ok) {
    zs.next_out      = (Bytef*)chunk;
    zs.avail_out     = sizeof(chunk);
    const int    rc  = inflate(&zs, Z_NO_FLUSH);
    const size_t got = sizeof(chunk) - zs.avail_out;
    if (got && (out.len + got > max || !buf_add(&out, chunk, got))) {
      snprintf(err, err_size, "more than %zu bytes when decompressed", max);
      ok = false;
      break;
    }
    if (rc == Z_STREAM_END) {
      end = true;
      if (zs.avail_in == 0) {
        break;
      }
      inflateReset(&zs); /* another gzip member follows */
      end = false;
    } else if (rc == Z_BUF_ERROR && zs.avail_in == 0) {
      break; /* input used up before the end of the stream */
    } else if (rc != Z_OK) {
      snprintf(err,
               err_size,
               "corrupt gzip data (%s) at input byte %zu",
               zs.msg ? zs.msg : "inflate error",
               len - zs.avail_in);
      ok = false;
    }
  }
  inflateEnd(&zs);
  if (ok && !end) {
    snprintf(err,
             err_size,
             "truncated gzip stream (no end of stream after %zu bytes)",
             len);
    ok = false;
  }
  if (!ok) {
    free(out.data);
    return false;
  }
  *ret     = out.data ? out.data : calloc(1, 1);
  *ret_len = out.len;
  return true;
}

size_t
it_count_lines(const char* const data, const size_t len)
{
  size_t n = 0;
  for (size_t i = 0; i < len; ++i) {
    n += data[i] == '\n';
  }
  return n + (len && data[len - 1] != '\n');
}

bool
it_contains(const char* const hay, const size_t len, const char* const needle)
{
  return hay && memmem(hay, len, needle, strlen(needle)) != NULL;
}

/* ------------------------------------------------------------------------
 * Raw sockets
 * --------------------------------------------------------------------- */

int
it_connect(const int port, const char* const source)
{
  const int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) {
    return -1;
  }
  if (source) {
    struct sockaddr_in src = { 0 };
    src.sin_family         = AF_INET;
    src.sin_port           = 0;
    if (inet_pton(AF_INET, source, &src.sin_addr) != 1 ||
        bind(fd, (struct sockaddr*)&src, sizeof(src))) {
      const int e = errno;
      close(fd);
      errno = e;
      return -1;
    }
  }
  struct sockaddr_in dst = { 0 };
  dst.sin_family         = AF_INET;
  dst.sin_port           = htons((uint16_t)port);
  dst.sin_addr.s_addr    = htonl(INADDR_LOOPBACK);

  /* Connect with a 5 s limit. */
  const int flags = fcntl(fd, F_GETFL);
  fcntl(fd, F_SETFL, flags | O_NONBLOCK);
  int rc = connect(fd, (struct sockaddr*)&dst, sizeof(dst));
  if (rc && errno == EINPROGRESS) {
    struct pollfd pfd = { fd, POLLOUT, 0 };
    if (poll(&pfd, 1, 5000) == 1) {
      int       soerr = 0;
      socklen_t sl    = sizeof(soerr);
      getsockopt(fd, SOL_SOCKET, SO_ERROR, &soerr, &sl);
      rc    = soerr ? -1 : 0;
      errno = soerr;
    } else {
      errno = ETIMEDOUT;
    }
  }
  if (rc) {
    const int e = errno;
    close(fd);
    errno = e;
    return -1;
  }
  fcntl(fd, F_SETFL, flags);
  return fd;
}

bool
it_send_all(const int fd, const char* const data, const size_t len)
{
  size_t off = 0;
  while (off < len) {
    const ssize_t n = send(fd, data + off, len - off, MSG_NOSIGNAL);
    if (n < 0) {
      if (errno == EINTR) {
        continue;
      }
      return false;
    }
    off += (size_t)n;
  }
  return true;
}

char*
it_recv_all(const int     fd,
            const long    timeout_ms,
            const size_t  max,
            size_t* const ret_len,
            bool* const   ret_closed)
{
  Buf          b        = { 0 };
  bool         closed   = false;
  const double deadline = it_now() + (double)timeout_ms / 1000.0;
  char         chunk[65536];
  buf_add(&b, "", 0);
  while (b.len < max) {
    const double left = deadline - it_now();
    if (left <= 0) {
      break;
    }
    struct pollfd pfd = { fd, POLLIN, 0 };
    const int     r   = poll(&pfd, 1, (int)(left * 1000) + 1);
    if (r < 0 && errno == EINTR) {
      continue;
    }
    if (r <= 0) {
      break;
    }
    const size_t want =
      max - b.len < sizeof(chunk) ? max - b.len : sizeof(chunk);
    const ssize_t n = recv(fd, chunk, want, 0);
    if (n < 0 && errno == EINTR) {
      continue;
    }
    if (n <= 0) {
      closed = true;
      break;
    }
    buf_add(&b, chunk, (size_t)n);
  }
  *ret_len    = b.len;
  *ret_closed = closed;
  return b.data;
}

int
it_raw_status(const char* const data, const size_t len)
{
  int  status = -1;
  char line[64];
  snprintf(line, sizeof(line), "%.*s", (int)(len < 63 ? len : 63), data);
  if (sscanf(line, "HTTP/1.%*1[01] %3d", &status) != 1) {
    return -1;
  }
  return status;
}
