/*
 * harness.h: what every integration test of `fairdex serve` needs, in one
 * place.  The tests run the real binary: each makes a temporary directory,
 * loads the fixture into a fresh store with the CLI, creates tokens, starts
 * `fairdex serve --listen 127.0.0.1:0`, reads the port from the one line the
 * server prints, drives it over HTTP (libcurl) or raw sockets, and finally
 * sends SIGTERM and checks that the server exits with status 0.
 *
 * The contract under test is the `serve` section of README.md (issue 4).  A check
 * prints one line, "ok   WHAT" or "FAIL file:line: WHAT: expected ..., got
 * ...", so the test log says what was checked as well as what failed.
 *
 * Every program of the suite is run as `PROGRAM FAIRDEX SRCROOT [ARGS...]`
 * (meson passes the full path of the fairdex executable and the source
 * root); it_begin() reads the two.
 */
#ifndef FDX_IT_HARNESS_H
#define FDX_IT_HARNESS_H

#include <jansson.h>

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>
#include <sys/types.h>

#if defined(__GNUC__)
#  define IT_PRINTF(fmt, args) __attribute__((format(printf, fmt, args)))
#else
#  define IT_PRINTF(fmt, args)
#endif

/* The base IRI the tests give `--base`: the IRIs of examples/catalog.ttl. */
#define IT_BASE "https://fairdex.example.org/"

/* The named graph tests/integration/data/named.ttl is loaded into. */
#define IT_NAMED_GRAPH "https://fairdex.example.org/graph/named"

/* How many subjects are `a dcat:Dataset` in the fixture: the 12 datasets of
 * examples/catalog.ttl (ds:hk-statistik is a dcat:DatasetSeries and is not
 * typed dcat:Dataset; data/extra.ttl and data/named.ttl add none). */
#define IT_N_DATASETS 12

/* How many `dcat:dataset` links fdx:catalog has (the 12 datasets and the
 * series). */
#define IT_N_CATALOG_DATASETS 13

/* ------------------------------------------------------------------------
 * Checks and the test's life
 * --------------------------------------------------------------------- */

/* How many checks have failed so far. */
extern int it_failures;

/* The fairdex executable, the source root and tests/integration in it,
 * from the command line (set by it_begin()). */
extern const char* it_fairdex;
extern const char* it_srcroot;
extern char        it_testdir[4096];

/* The temporary directory of this test program (removed at exit). */
extern char it_tmp[4096];

/* Start a test program: line-buffered output, the command line
 * (`PROGRAM FAIRDEX SRCROOT ...`; exits 2 on misuse), SIGPIPE ignored,
 * RLIMIT_NOFILE raised to `min_files` (or the hard limit), libcurl set up,
 * the temporary directory made, and clean-up (servers killed, directory
 * removed) registered with atexit().  Returns the index of the first
 * argument after SRCROOT. */
int
it_begin(const char* name, int argc, char** argv, unsigned long min_files);

/* Print "ok   WHAT". */
void
it_pass(const char* fmt, ...) IT_PRINTF(1, 2);

/* Count a failure and print "FAIL file:line: WHAT". */
void
it_fail_at(const char* file, int line, const char* fmt, ...) IT_PRINTF(3, 4);

/* Print an informational line "note WHAT". */
void
it_note(const char* fmt, ...) IT_PRINTF(1, 2);

/* Pass or fail with the message given after the condition. */
#define IT_CHECK(cond, ...)                        \
  do {                                             \
    if (cond) {                                    \
      it_pass(__VA_ARGS__);                        \
    } else {                                       \
      it_fail_at(__FILE__, __LINE__, __VA_ARGS__); \
    }                                              \
  } while (0)

/* Like IT_CHECK, but a failure ends the test (the servers are stopped and
 * their stderr shown first). */
#define IT_REQUIRE(cond, ...)                      \
  do {                                             \
    if (cond) {                                    \
      it_pass(__VA_ARGS__);                        \
    } else {                                       \
      it_fail_at(__FILE__, __LINE__, __VA_ARGS__); \
      it_abort();                                  \
    }                                              \
  } while (0)

/* End the test now because of a failure: exit status 1. */
void
it_abort(void) __attribute__((noreturn));

/* The last thing a test does: print "NAME: N checks, all passed" or the
 * number of failures (and the tail of each server's stderr); returns the
 * exit status for main(). */
int
it_finish(const char* name);

/* Seconds on a monotonic clock. */
double
it_now(void);

/* Sleep for `ms` milliseconds. */
void
it_sleep_ms(long ms);

/* ------------------------------------------------------------------------
 * Running the CLI
 * --------------------------------------------------------------------- */

/* Run `fairdex ARGV...` (argv NULL-terminated, without the program) with
 * stdin from /dev/null, stdout captured into `out` (NUL-terminated,
 * truncated to `out_size`; may be NULL) and stderr into `err` likewise.
 * Returns the exit status, or -1 if it could not be run, died of a signal
 * or was killed after `timeout_s` seconds. */
int
it_run_fairdex(const char* const* argv,
               double             timeout_s,
               char*              out,
               size_t             out_size,
               char*              err,
               size_t             err_size);

/* ------------------------------------------------------------------------
 * Servers
 * --------------------------------------------------------------------- */

typedef struct
{
  char  name[64];          /* for messages */
  char  dir[4200];         /* it_tmp/NAME */
  char  db[4300];          /* DIR/db */
  char  access_log[4300];  /* DIR/access.log */
  char  stderr_path[4300]; /* DIR/stderr.log: the server's stderr */
  pid_t pid;               /* 0 when not running */
  int   stdout_fd;         /* read end of the server's stdout, or -1 */
  int   port;              /* the port it listens on */
  char  url[64];           /* "http://127.0.0.1:PORT" (no final slash) */
  char  admin_token[512];
  char  reader_token[512];
  char  curator_token[512];
  int   exit_status;   /* after it_server_stop(): exit code, or -1 */
  bool  no_base;       /* start without --base (the default base) */
  bool  log_to_stderr; /* start without --access-log (log on stderr) */
} ItServer;

/* Make the directory it_tmp/NAME and its store: load examples/catalog.ttl
 * and data/extra.ttl into the default graph and data/named.ttl into
 * IT_NAMED_GRAPH; with `tokens`, create the tokens admin1 (admin), reader1
 * (reader) and curator1 (curator).  Every step is a check; a failure ends
 * the test. */
void
it_server_prepare(ItServer* srv, const char* name, bool tokens);

/* Like it_server_prepare() but with an empty store and no tokens (the
 * caller loads what it needs with it_run_fairdex()). */
void
it_server_prepare_empty(ItServer* srv, const char* name);

/* Start `fairdex serve --db DB --listen 127.0.0.1:0 --base IT_BASE
 * --access-log LOG [EXTRA...]` (extra NULL-terminated, or NULL; without
 * --base when srv->no_base, without --access-log when srv->log_to_stderr)
 * and wait
 * at most 20 s for the line "listening on http://127.0.0.1:PORT/".
 * Returns false (after a FAIL line) if it does not come. */
bool
it_server_start(ItServer* srv, const char* const* extra);

/* Send SIGTERM and wait at most `timeout_s` for the server to exit; checks
 * that it exits, with status 0, and printed nothing more on stdout.  A
 * server still running then is killed.  Sets srv->exit_status. */
void
it_server_stop(ItServer* srv, double timeout_s);

/* Is the server process still running? */
bool
it_server_alive(ItServer* srv);

/* Print the last `lines` lines of the server's stderr, indented. */
void
it_server_show_stderr(const ItServer* srv, int lines);

/* ------------------------------------------------------------------------
 * HTTP over libcurl
 * --------------------------------------------------------------------- */

#define IT_MAX_HEADERS 24

typedef struct
{
  const char* method; /* default "GET"; "HEAD" asks for no body */
  const char* target; /* path and query string, "/sparql?query=..." */
  const char* headers[IT_MAX_HEADERS]; /* "Name: value", NULL-terminated */
  const char* body;                    /* request body, or NULL */
  size_t      body_len;                /* 0: strlen(body) */
  long        timeout_ms;              /* 0: 60000 */
} ItRequest;

typedef struct
{
  bool   ok;         /* a response was received */
  char   error[512]; /* why not */
  long   status;
  char*  head; /* header block of the final response, NUL-terminated */
  size_t head_len;
  char*  body; /* body as received (not decoded), NUL-terminated */
  size_t body_len;
  double seconds;   /* whole exchange, from libcurl */
  char   desc[200]; /* "GET /target" (shortened), for messages */
} ItResponse;

/* Send a request to the server on a new connection and read the answer
 * into *ret (free it with it_response_free()).  Returns ret->ok. */
bool
it_http(const ItServer* srv, const ItRequest* req, ItResponse* ret);

/* GET `target` with `Accept: accept` (NULL: libcurl's default). */
bool
it_get(const ItServer* srv,
       const char*     target,
       const char*     accept,
       ItResponse*     ret);

/* Free what a response holds (zeroes it). */
void
it_response_free(ItResponse* resp);

/* The value of the last header `name` (case-insensitive), trimmed, copied
 * into out; false if there is none. */
bool
it_header(const ItResponse* resp, const char* name, char* out, size_t size);

/* The media type of Content-Type, lower-case, without parameters; "" if
 * there is none. */
void
it_media_type(const ItResponse* resp, char* out, size_t size);

/* The first `max` bytes of the body, printable, for messages (static). */
const char*
it_excerpt(const char* data, size_t len, size_t max);

/* Check the status; on a mismatch the message shows the body. */
bool
it_check_status(const char* file, int line, const ItResponse* resp, long want);
#define IT_STATUS(resp, want) it_check_status(__FILE__, __LINE__, resp, want)

/* Check an error answer: the status, Content-Type application/json and the
 * body {"error": CODE, "message": <a string>}. */
bool
it_check_error(const char*       file,
               int               line,
               const ItResponse* resp,
               long              status,
               const char*       code);
#define IT_ERROR(resp, status, code) \
  it_check_error(__FILE__, __LINE__, resp, status, code)

/* A new, percent-encoded copy of `text` (free()). */
char*
it_urlencode(const char* text);

/* A new string: `prefix` followed by the percent-encoded `value` (free()). */
char*
it_target(const char* prefix, const char* value);

/* ------------------------------------------------------------------------
 * Reading bodies
 * --------------------------------------------------------------------- */

/* The body parsed as JSON (new reference), or NULL with the reason in
 * `err`. */
json_t*
it_json(const char* data, size_t len, char* err, size_t err_size);

/* The value at a dotted path ("results.bindings.0.n.value"; numbers index
 * arrays; "" is the root), borrowed from root, or NULL. */
json_t*
it_json_path(json_t* root, const char* path);

/* One parsed triple or quad: each term in N-Triples syntax as raptor
 * writes it (<iri>, _:b, "lexical"^^<datatype>, "text"@lang); g is NULL
 * for a triple. */
typedef struct
{
  char* s;
  char* p;
  char* o;
  char* g;
} ItTriple;

/* A parsed RDF graph (or dataset). */
typedef struct
{
  ItTriple* items;
  size_t    n;
  size_t    cap;
} ItGraph;

/* Parse `data` as `syntax` (a raptor parser name: turtle, ntriples,
 * rdfxml, nquads, trig) with base IRI `base`, appending to *ret (zeroed
 * first by the caller).  Returns false with the parser's first error in
 * `err`. */
bool
it_rdf_parse(const char* syntax,
             const char* data,
             size_t      len,
             const char* base,
             ItGraph*    ret,
             char*       err,
             size_t      err_size);

/* How many triples match the pattern "S P O": each term in N-Triples
 * syntax or `*` for any term; the object is the rest of the line, and a
 * literal without a datatype or language tag in the pattern matches any
 * literal with that lexical form. */
size_t
it_graph_match(const ItGraph* graph, const char* pattern);

/* The objects of the triples with subject `s` and predicate `p` (exact
 * N-Triples terms), borrowed from the graph, up to `max`.  Returns how
 * many there are (may exceed max). */
size_t
it_graph_objects(const ItGraph* graph,
                 const char*    s,
                 const char*    p,
                 const char**   ret,
                 size_t         max);

void
it_graph_free(ItGraph* graph);

/* SPARQL XML results: well-formed, root <sparql> in the results namespace;
 * counts <result> elements into rows and reads <boolean> into boolean
 * (-1 when absent). */
bool
it_xml_results(const char* data,
               size_t      len,
               long*       ret_rows,
               int*        ret_boolean,
               char*       err,
               size_t      err_size);

/* Is `data` well-formed XML? */
bool
it_xml_wellformed(const char* data, size_t len, char* err, size_t err_size);

/* How many records (CSV: RFC 4180 quoting, CRLF or LF; TSV: lines) the
 * text has, the header included. */
long
it_csv_records(const char* data, size_t len, bool tsv);

/* Gunzip (one or more gzip members) into a new buffer; fails on a
 * truncated or corrupt stream or when the output exceeds `max`. */
bool
it_gunzip(const char* data,
          size_t      len,
          size_t      max,
          char**      ret,
          size_t*     ret_len,
          char*       err,
          size_t      err_size);

/* How many lines `data` has (a last line without newline counts). */
size_t
it_count_lines(const char* data, size_t len);

/* Does `hay` contain `needle` (byte strings)? */
bool
it_contains(const char* hay, size_t len, const char* needle);

/* Read a file of tests/integration into a new buffer (exits on error). */
char*
it_read_test_file(const char* rel, size_t* ret_len);

/* Read any file into a new buffer; NULL if it cannot be read. */
char*
it_read_file(const char* path, size_t* ret_len);

/* ------------------------------------------------------------------------
 * Raw sockets
 * --------------------------------------------------------------------- */

/* A blocking TCP connection to 127.0.0.1:port from `source` (an IPv4
 * address to bind() first, or NULL); -1 with errno on failure. */
int
it_connect(int port, const char* source);

/* Write all of data (MSG_NOSIGNAL); false on an error (errno kept). */
bool
it_send_all(int fd, const char* data, size_t len);

/* Read until the peer closes, `timeout_ms` passes, or `max` bytes; returns
 * a new NUL-terminated buffer and sets *ret_len and *ret_closed (the peer
 * closed or reset the connection). */
char*
it_recv_all(int     fd,
            long    timeout_ms,
            size_t  max,
            size_t* ret_len,
            bool*   ret_closed);

/* The status code of the HTTP response at the start of `data`, or -1. */
int
it_raw_status(const char* data, size_t len);

#endif /* FDX_IT_HARNESS_H */
