/*
 * run_cases.c: the runner of the data-driven HTTP cases (cases/NNN-name.http,
 * format in tests/integration/README.md).  Each case gets its own server
 * on a fresh copy of the fixture (so an update in one case cannot change
 * another), runs its steps in file order and checks each answer.
 *
 *   run_cases FAIRDEX SRCROOT CASE...     CASE: NNN-name.http in cases/
 *   run_cases FAIRDEX SRCROOT --count N   check there are N case files
 *
 * A step is one request: `request: METHOD TARGET` starts it, the request
 * directives after it (header, token, param, form, body...) build it, and
 * the check directives (status, content-type, json, rows, has-triple...)
 * are applied to the answer.  An unknown directive fails the case, so a
 * typo cannot pass silently.
 */
#include "harness.h"

#include <ctype.h>
#include <dirent.h>
#include <regex.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

/* ------------------------------------------------------------------------
 * A growing string
 * --------------------------------------------------------------------- */

typedef struct
{
  char*  s;
  size_t len;
  size_t cap;
} Str;

static void
str_addn(Str* const str, const char* const text, const size_t len)
{
  if (str->len + len + 1 > str->cap) {
    size_t cap = str->cap ? str->cap : 256;
    while (cap < str->len + len + 1) {
      cap *= 2;
    }
    char* const grown = realloc(str->s, cap);
    if (!grown) {
      abort();
    }
    str->s   = grown;
    str->cap = cap;
  }
  memcpy(str->s + str->len, text, len);
  str->len += len;
  str->s[str->len] = '\0';
}

static void
str_add(Str* const str, const char* const text)
{
  str_addn(str, text, strlen(text));
}

/* ------------------------------------------------------------------------
 * Case state
 * --------------------------------------------------------------------- */

#define MAX_CHECKS 64
#define MAX_VARS 16

typedef struct
{
  char  key[32];
  char* value;
  int   line;
} Directive;

typedef struct
{
  char  name[64];
  char* value;
} Var;

static ItServer    server;
static const char* case_name = "";
static Var         vars[MAX_VARS];
static size_t      n_vars = 0;

/* The step being read. */
static bool      in_step   = false;
static int       step_no   = 0;
static int       step_line = 0;
static char      method[32];
static Str       target; /* as written after the method */
static Str       params; /* from param: lines, encoded */
static bool      has_params;
static char*     headers[IT_MAX_HEADERS];
static size_t    n_headers;
static Str       body;
static bool      has_body;
static bool      body_is_form;
static Directive checks[MAX_CHECKS];
static size_t    n_checks;

#define CASE_FAIL(line, ...) it_fail_at(case_name, line, __VA_ARGS__)

/* Replace @ADMIN@, @READER@, @CURATOR@, @BASE@, @URL@, @NAMED@ and saved
 * variables @name@ in text; returns a new string. */
static char*
subst(const char* const text)
{
  Str out = { 0 };
  str_add(&out, "");
  const char* p = text;
  while (*p) {
    const char* const at  = strchr(p, '@');
    const char* const end = at ? strchr(at + 1, '@') : NULL;
    if (!at || !end) {
      str_add(&out, p);
      break;
    }
    str_addn(&out, p, (size_t)(at - p));
    const size_t nlen = (size_t)(end - at - 1);
    char         name[64];
    snprintf(name, sizeof(name), "%.*s", (int)(nlen < 63 ? nlen : 63), at + 1);
    const char* value = NULL;
    if (!strcmp(name, "ADMIN")) {
      value = server.admin_token;
    } else if (!strcmp(name, "READER")) {
      value = server.reader_token;
    } else if (!strcmp(name, "CURATOR")) {
      value = server.curator_token;
    } else if (!strcmp(name, "BASE")) {
      value = IT_BASE;
    } else if (!strcmp(name, "NAMED")) {
      value = IT_NAMED_GRAPH;
    } else if (!strcmp(name, "URL")) {
      value = server.url;
    } else {
      for (size_t i = 0; i < n_vars; ++i) {
        if (!strcmp(vars[i].name, name)) {
          value = vars[i].value;
        }
      }
    }
    if (value && nlen < 63) {
      str_add(&out, value);
      p = end + 1;
    } else {
      str_addn(&out, at, 1); /* a lone @ (e.g. in a language tag) */
      p = at + 1;
    }
  }
  return out.s;
}

static void
set_var(const char* const name, const char* const value)
{
  for (size_t i = 0; i < n_vars; ++i) {
    if (!strcmp(vars[i].name, name)) {
      free(vars[i].value);
      vars[i].value = strdup(value);
      return;
    }
  }
  if (n_vars < MAX_VARS) {
    snprintf(vars[n_vars].name, sizeof(vars[n_vars].name), "%s", name);
    vars[n_vars++].value = strdup(value);
  }
}

/* Decode the escapes \n \r \t \\ \xHH of a body: line. */
static void
add_escaped(Str* const out, const char* const text)
{
  for (const char* p = text; *p; ++p) {
    if (*p != '\\' || !p[1]) {
      str_addn(out, p, 1);
      continue;
    }
    ++p;
    char c = *p;
    if (c == 'n') {
      c = '\n';
    } else if (c == 'r') {
      c = '\r';
    } else if (c == 't') {
      c = '\t';
    } else if (c == 'x' && isxdigit((unsigned char)p[1]) &&
               isxdigit((unsigned char)p[2])) {
      char hex[3] = { p[1], p[2], 0 };
      c           = (char)strtol(hex, NULL, 16);
      p += 2;
    }
    str_addn(out, &c, 1);
  }
}

/* Split "NAME VALUE" at the first blank. */
static bool
split_name(const char* const  text,
           char* const        name,
           const size_t       size,
           const char** const ret_value)
{
  const size_t n = strcspn(text, " \t");
  if (!n || n >= size) {
    return false;
  }
  memcpy(name, text, n);
  name[n]       = '\0';
  const char* v = text + n;
  while (*v == ' ' || *v == '\t') {
    ++v;
  }
  *ret_value = v;
  return true;
}

static void
add_param(Str* const        out,
          bool* const       has,
          const char* const name,
          const char* const value)
{
  char* const ename  = it_urlencode(name);
  char* const evalue = it_urlencode(value);
  str_add(out, *has ? "&" : "");
  str_add(out, ename);
  str_add(out, "=");
  str_add(out, evalue);
  *has = true;
  free(ename);
  free(evalue);
}

/* ------------------------------------------------------------------------
 * Checks on an answer
 * --------------------------------------------------------------------- */

typedef enum
{
  K_NONE,
  K_JSON,
  K_XML,
  K_CSV,
  K_TSV,
  K_RDF,
  K_HTML
} Kind;

typedef struct
{
  ItResponse resp;
  Kind       kind;
  char       syntax[32];
  json_t*    json;
  ItGraph    graph;
  long       rows;
  int        boolean;
} Answer;

static bool
want_long(const Directive* const d, long* const ret)
{
  char*      end = NULL;
  const long v   = strtol(d->value, &end, 10);
  if (!end || end == d->value || *end) {
    CASE_FAIL(d->line, "%s: expects a number, got \"%s\"", d->key, d->value);
    return false;
  }
  *ret = v;
  return true;
}

static bool
ensure_json(Answer* const a, const Directive* const d)
{
  if (a->json) {
    return true;
  }
  char err[256];
  a->json = it_json(a->resp.body, a->resp.body_len, err, sizeof(err));
  if (!a->json) {
    CASE_FAIL(d->line,
              "%s: %s: the body is not JSON (%s): %s",
              a->resp.desc,
              d->key,
              err,
              it_excerpt(a->resp.body, a->resp.body_len, 200));
  }
  return a->json != NULL;
}

/* parse: KIND — check the body parses, and remember it for rows/triples. */
static void
check_parse(Answer* const a, const Directive* const d)
{
  const char* const v    = d->value;
  const char* const desc = a->resp.desc;
  char              err[512];
  if (!strcmp(v, "json") || !strcmp(v, "jsonld")) {
    a->kind = K_JSON;
    if (ensure_json(a, d)) {
      json_t* const bindings = it_json_path(a->json, "results.bindings");
      json_t* const boolean  = json_object_get(a->json, "boolean");
      a->rows = json_is_array(bindings) ? (long)json_array_size(bindings) : -1;
      a->boolean       = json_is_boolean(boolean) ? json_is_true(boolean) : -1;
      const bool shape = !strcmp(v, "jsonld")
                           ? (json_is_object(a->json) || json_is_array(a->json))
                           : json_is_object(json_object_get(a->json, "head"));
      if (shape) {
        it_pass("%s: the body parses as %s",
                desc,
                !strcmp(v, "json") ? "SPARQL JSON results" : "JSON (JSON-LD)");
      } else {
        CASE_FAIL(d->line,
                  "%s: expected %s, got JSON of another shape: %s",
                  desc,
                  !strcmp(v, "json") ? "SPARQL JSON results with a head"
                                     : "a JSON-LD object or array",
                  it_excerpt(a->resp.body, a->resp.body_len, 200));
      }
    }
  } else if (!strcmp(v, "xml")) {
    a->kind = K_XML;
    if (it_xml_results(a->resp.body,
                       a->resp.body_len,
                       &a->rows,
                       &a->boolean,
                       err,
                       sizeof(err))) {
      it_pass("%s: the body parses as SPARQL XML results", desc);
    } else {
      CASE_FAIL(d->line,
                "%s: expected SPARQL XML results: %s; body: %s",
                desc,
                err,
                it_excerpt(a->resp.body, a->resp.body_len, 200));
    }
  } else if (!strcmp(v, "csv") || !strcmp(v, "tsv")) {
    const bool tsv = v[0] == 't';
    a->kind        = tsv ? K_TSV : K_CSV;
    const long n   = it_csv_records(a->resp.body, a->resp.body_len, tsv);
    a->rows        = n > 0 ? n - 1 : -1;
    if (n >= 1) {
      it_pass(
        "%s: the body reads as %s (%ld records with the header)", desc, v, n);
    } else {
      CASE_FAIL(d->line,
                "%s: expected %s with a header line, got an empty body",
                desc,
                v);
    }
    /* ASK results in CSV/TSV: the value is on the second line. */
    a->boolean = it_contains(a->resp.body, a->resp.body_len, "true")    ? 1
                 : it_contains(a->resp.body, a->resp.body_len, "false") ? 0
                                                                        : -1;
  } else if (!strcmp(v, "turtle") || !strcmp(v, "ntriples") ||
             !strcmp(v, "rdfxml") || !strcmp(v, "nquads")) {
    a->kind = K_RDF;
    snprintf(a->syntax, sizeof(a->syntax), "%s", v);
    char base[512];
    snprintf(base,
             sizeof(base),
             "%s%s",
             server.url,
             strchr(desc, ' ') ? strchr(desc, ' ') + 1 : "/");
    if (it_rdf_parse(v,
                     a->resp.body,
                     a->resp.body_len,
                     base,
                     &a->graph,
                     err,
                     sizeof(err))) {
      it_pass("%s: the body parses as %s (%zu triples)", desc, v, a->graph.n);
    } else {
      CASE_FAIL(d->line,
                "%s: expected %s that parses: %s; body: %s",
                desc,
                v,
                err,
                it_excerpt(a->resp.body, a->resp.body_len, 200));
    }
  } else if (!strcmp(v, "html")) {
    a->kind = K_HTML;
    const bool html =
      it_contains(a->resp.body, a->resp.body_len, "<html") ||
      it_contains(a->resp.body, a->resp.body_len, "<HTML") ||
      it_contains(a->resp.body, a->resp.body_len, "<!DOCTYPE html") ||
      it_contains(a->resp.body, a->resp.body_len, "<!doctype html");
    if (html) {
      it_pass("%s: the body is an HTML page", desc);
    } else {
      CASE_FAIL(d->line,
                "%s: expected an HTML page (<html or <!doctype html), "
                "got: %s",
                desc,
                it_excerpt(a->resp.body, a->resp.body_len, 200));
    }
  } else {
    CASE_FAIL(d->line, "parse: unknown kind \"%s\"", v);
  }
}

/* Match an extended regular expression in which \n, \r and \t stand for
 * the control characters (other escapes are left to regcomp). */
static bool
match_regex(const char* const pattern, const char* const text, const int line)
{
  char   buf[1024];
  size_t o = 0;
  for (const char* p = pattern; *p && o < sizeof(buf) - 1; ++p) {
    if (p[0] == '\\' && (p[1] == 'n' || p[1] == 'r' || p[1] == 't')) {
      buf[o++] = p[1] == 'n' ? '\n' : p[1] == 'r' ? '\r' : '\t';
      ++p;
    } else {
      buf[o++] = *p;
    }
  }
  buf[o] = '\0';
  regex_t re;
  if (regcomp(&re, buf, REG_EXTENDED | REG_NOSUB)) {
    CASE_FAIL(line, "bad regular expression \"%s\"", pattern);
    return false;
  }
  const bool m = !regexec(&re, text, 0, NULL, 0);
  regfree(&re);
  return m;
}

static void
run_check(Answer* const a, const Directive* const d)
{
  const char* const k    = d->key;
  const char* const v    = d->value;
  const char* const desc = a->resp.desc;
  const ItResponse* r    = &a->resp;
  char              got[1024];
  long              n = 0;

  if (!strcmp(k, "status")) {
    if (want_long(d, &n)) {
      if (it_check_status(case_name, d->line, r, n)) {
        /* passed; printed */
      }
    }
  } else if (!strcmp(k, "error")) {
    /* error: STATUS CODE */
    char        code[64];
    const char* rest = NULL;
    char        num[16];
    if (!split_name(v, num, sizeof(num), &rest) ||
        sscanf(rest, "%63s", code) != 1) {
      CASE_FAIL(d->line, "error: expects STATUS CODE");
      return;
    }
    it_check_error(case_name, d->line, r, atol(num), code);
  } else if (!strcmp(k, "content-type")) {
    it_media_type(r, got, sizeof(got));
    if (!strcasecmp(got, v)) {
      it_pass("%s: Content-Type %s", desc, v);
    } else {
      CASE_FAIL(
        d->line, "%s: expected Content-Type %s, got \"%s\"", desc, v, got);
    }
  } else if (!strcmp(k, "header-contains") || !strcmp(k, "header-is")) {
    const char* const colon = strchr(v, ':');
    if (!colon) {
      CASE_FAIL(d->line, "%s: expects Name: TEXT", k);
      return;
    }
    char name[128];
    snprintf(name, sizeof(name), "%.*s", (int)(colon - v), v);
    const char* want = colon + 1;
    while (*want == ' ') {
      ++want;
    }
    const bool has = it_header(r, name, got, sizeof(got));
    const bool ok =
      has && (k[7] == 'i' ? !strcmp(got, want) : strstr(got, want) != NULL);
    if (ok) {
      it_pass("%s: header %s %s \"%s\"",
              desc,
              name,
              k[7] == 'i' ? "is" : "contains",
              want);
    } else {
      CASE_FAIL(d->line,
                "%s: expected header %s %s \"%s\", got %s%s%s",
                desc,
                name,
                k[7] == 'i' ? "to be" : "containing",
                want,
                has ? "\"" : "none",
                has ? got : "",
                has ? "\"" : "");
    }
  } else if (!strcmp(k, "header-present") || !strcmp(k, "header-absent")) {
    const bool has  = it_header(r, v, got, sizeof(got));
    const bool want = k[7] == 'p';
    if (has == want) {
      it_pass("%s: header %s %s", desc, v, want ? "present" : "absent");
    } else {
      CASE_FAIL(d->line,
                "%s: expected header %s %s, got %s%s%s",
                desc,
                v,
                want ? "present" : "absent",
                has ? "\"" : "none",
                has ? got : "",
                has ? "\"" : "");
    }
  } else if (!strcmp(k, "save-header")) {
    /* save-header: Name VAR */
    char        name[128];
    const char* var = NULL;
    if (!split_name(v, name, sizeof(name), &var) || !*var) {
      CASE_FAIL(d->line, "save-header: expects NAME VAR");
      return;
    }
    if (it_header(r, name, got, sizeof(got))) {
      set_var(var, got);
      it_pass("%s: header %s saved as @%s@ (\"%s\")", desc, name, var, got);
    } else {
      set_var(var, "");
      CASE_FAIL(
        d->line, "%s: expected a header %s to save, got none", desc, name);
    }
  } else if (!strcmp(k, "body-contains") || !strcmp(k, "body-not-contains")) {
    const bool has  = it_contains(r->body, r->body_len, v);
    const bool want = k[5] == 'c';
    if (has == want) {
      it_pass("%s: body %s \"%s\"", desc, want ? "contains" : "lacks", v);
    } else {
      CASE_FAIL(d->line,
                "%s: expected the body %s \"%s\"; body: %s",
                desc,
                want ? "to contain" : "not to contain",
                v,
                it_excerpt(r->body, r->body_len, 400));
    }
  } else if (!strcmp(k, "body-empty")) {
    if (r->body_len == 0) {
      it_pass("%s: empty body", desc);
    } else {
      CASE_FAIL(d->line,
                "%s: expected an empty body, got %zu bytes: %s",
                desc,
                r->body_len,
                it_excerpt(r->body, r->body_len, 200));
    }
  } else if (!strcmp(k, "body-regex")) {
    if (match_regex(v, r->body, d->line)) {
      it_pass("%s: body matches /%s/", desc, v);
    } else {
      CASE_FAIL(d->line,
                "%s: expected the body to match /%s/; body: %s",
                desc,
                v,
                it_excerpt(r->body, r->body_len, 400));
    }
  } else if (!strcmp(k, "decode")) {
    if (strcmp(v, "gzip")) {
      CASE_FAIL(d->line, "decode: only gzip");
      return;
    }
    char*  plain = NULL;
    size_t plen  = 0;
    char   err[256];
    if (it_gunzip(r->body,
                  r->body_len,
                  (size_t)1 << 30,
                  &plain,
                  &plen,
                  err,
                  sizeof(err))) {
      it_pass(
        "%s: body decodes as gzip (%zu -> %zu bytes)", desc, r->body_len, plen);
      free(a->resp.body);
      a->resp.body     = plain;
      a->resp.body_len = plen;
    } else {
      CASE_FAIL(d->line, "%s: expected a gzip body: %s", desc, err);
    }
  } else if (!strcmp(k, "body-min-bytes")) {
    if (want_long(d, &n)) {
      if ((long)r->body_len >= n) {
        it_pass("%s: body has %zu >= %ld bytes", desc, r->body_len, n);
      } else {
        CASE_FAIL(d->line,
                  "%s: expected at least %ld bytes of body, got %zu",
                  desc,
                  n,
                  r->body_len);
      }
    }
  } else if (!strcmp(k, "parse")) {
    check_parse(a, d);
  } else if (!strcmp(k, "rows")) {
    if (!want_long(d, &n)) {
      return;
    }
    if (a->kind == K_NONE || a->kind == K_RDF || a->kind == K_HTML) {
      CASE_FAIL(d->line, "rows: needs parse: json|xml|csv|tsv first");
    } else if (a->rows == n) {
      it_pass("%s: %ld result rows", desc, n);
    } else {
      CASE_FAIL(d->line,
                "%s: expected %ld result rows, got %ld; body: %s",
                desc,
                n,
                a->rows,
                it_excerpt(r->body, r->body_len, 300));
    }
  } else if (!strcmp(k, "boolean")) {
    const int want = !strcmp(v, "true") ? 1 : 0;
    if (a->kind == K_NONE) {
      CASE_FAIL(d->line, "boolean: needs parse: first");
    } else if (a->boolean == want) {
      it_pass("%s: boolean result %s", desc, v);
    } else {
      CASE_FAIL(d->line,
                "%s: expected boolean %s; body: %s",
                desc,
                v,
                it_excerpt(r->body, r->body_len, 300));
    }
  } else if (!strcmp(k, "triples") || !strcmp(k, "triples-min")) {
    if (!want_long(d, &n)) {
      return;
    }
    const bool exact = !strcmp(k, "triples");
    if (a->kind != K_RDF) {
      CASE_FAIL(d->line, "%s: needs parse: turtle|ntriples|rdfxml first", k);
    } else if (exact ? (long)a->graph.n == n : (long)a->graph.n >= n) {
      it_pass("%s: %zu triples%s", desc, a->graph.n, exact ? "" : " (enough)");
    } else {
      CASE_FAIL(d->line,
                "%s: expected %s%ld triples, got %zu",
                desc,
                exact ? "" : "at least ",
                n,
                a->graph.n);
    }
  } else if (!strcmp(k, "triples-matching")) {
    /* triples-matching: N S P O */
    char        num[32];
    const char* pattern = NULL;
    if (!split_name(v, num, sizeof(num), &pattern) || !*pattern) {
      CASE_FAIL(d->line, "triples-matching: expects N S P O");
      return;
    }
    if (a->kind != K_RDF) {
      CASE_FAIL(d->line, "%s: needs parse: turtle|ntriples|rdfxml first", k);
      return;
    }
    const size_t m = it_graph_match(&a->graph, pattern);
    if ((long)m == atol(num)) {
      it_pass("%s: %zu triples match %s", desc, m, pattern);
    } else {
      CASE_FAIL(d->line,
                "%s: expected %s triples matching %s, found %zu",
                desc,
                num,
                pattern,
                m);
    }
  } else if (!strcmp(k, "has-triple") || !strcmp(k, "no-triple")) {
    if (a->kind != K_RDF) {
      CASE_FAIL(d->line, "%s: needs parse: turtle|ntriples|rdfxml first", k);
      return;
    }
    const size_t m    = it_graph_match(&a->graph, v);
    const bool   want = k[0] == 'h';
    if ((m > 0) == want) {
      it_pass("%s: %s triple %s", desc, want ? "has" : "has no", v);
    } else {
      CASE_FAIL(d->line,
                "%s: expected %s triple %s, found %zu (of %zu)",
                desc,
                want ? "a" : "no",
                v,
                m,
                a->graph.n);
    }
  } else if (!strncmp(k, "json", 4)) {
    /* json: PATH JSON | json-contains / json-regex: PATH TEXT |
     * json-length: PATH N | json-absent: PATH */
    char        path[256];
    const char* rest = "";
    if (!split_name(v, path, sizeof(path), &rest)) {
      snprintf(path, sizeof(path), "%s", v);
      rest = "";
    }
    if (!strcmp(path, ".")) {
      path[0] = '\0';
    }
    if (!ensure_json(a, d)) {
      return;
    }
    json_t* const node = it_json_path(a->json, path);
    char* dump = node ? json_dumps(node, JSON_ENCODE_ANY | JSON_COMPACT) : NULL;
    const char* shown = dump ? dump : "(nothing)";
    if (!strcmp(k, "json")) {
      json_error_t  jerr;
      json_t* const want = json_loads(rest, JSON_DECODE_ANY, &jerr);
      if (!want) {
        CASE_FAIL(d->line, "json: bad expected value \"%s\"", rest);
      } else if (node && json_equal(node, want)) {
        it_pass("%s: JSON %s = %s", desc, path, rest);
      } else {
        CASE_FAIL(d->line,
                  "%s: expected JSON %s = %s, got %s",
                  desc,
                  path,
                  rest,
                  it_excerpt(shown, strlen(shown), 300));
      }
      json_decref(want);
    } else if (!strcmp(k, "json-contains") || !strcmp(k, "json-regex")) {
      const char* const s  = json_string_value(node);
      const bool        ok = s && (k[5] == 'c' ? strstr(s, rest) != NULL
                                               : match_regex(rest, s, d->line));
      if (ok) {
        it_pass("%s: JSON %s %s \"%s\" (\"%s\")",
                desc,
                path,
                k[5] == 'c' ? "contains" : "matches",
                rest,
                it_excerpt(s, strlen(s), 120));
      } else {
        CASE_FAIL(d->line,
                  "%s: expected JSON string %s %s \"%s\", got %s",
                  desc,
                  path,
                  k[5] == 'c' ? "containing" : "matching",
                  rest,
                  it_excerpt(shown, strlen(shown), 300));
      }
    } else if (!strcmp(k, "json-length")) {
      const long want = atol(rest);
      const long have = json_is_array(node)    ? (long)json_array_size(node)
                        : json_is_object(node) ? (long)json_object_size(node)
                                               : -1;
      if (have == want) {
        it_pass("%s: JSON %s has %ld items", desc, path, want);
      } else {
        CASE_FAIL(d->line,
                  "%s: expected JSON %s with %ld items, got %s",
                  desc,
                  path,
                  want,
                  it_excerpt(shown, strlen(shown), 300));
      }
    } else if (!strcmp(k, "json-type")) {
      const char* const have = !node                   ? "absent"
                               : json_is_integer(node) ? "integer"
                               : json_is_real(node)    ? "real"
                               : json_is_string(node)  ? "string"
                               : json_is_boolean(node) ? "boolean"
                               : json_is_null(node)    ? "null"
                               : json_is_array(node)   ? "array"
                                                       : "object";
      if (!strcmp(have, rest) ||
          (!strcmp(rest, "number") && json_is_number(node))) {
        it_pass("%s: JSON %s is %s (%s)",
                desc,
                path,
                rest,
                it_excerpt(shown, strlen(shown), 80));
      } else {
        CASE_FAIL(d->line,
                  "%s: expected JSON %s to be %s, got %s %s",
                  desc,
                  path,
                  rest,
                  have,
                  it_excerpt(shown, strlen(shown), 200));
      }
    } else if (!strcmp(k, "json-absent")) {
      if (!node) {
        it_pass("%s: JSON %s absent", desc, path);
      } else {
        CASE_FAIL(d->line,
                  "%s: expected no JSON %s, got %s",
                  desc,
                  path,
                  it_excerpt(shown, strlen(shown), 300));
      }
    } else {
      CASE_FAIL(d->line, "unknown directive \"%s\"", k);
    }
    free(dump);
  } else {
    CASE_FAIL(d->line, "unknown directive \"%s\"", k);
  }
}

/* ------------------------------------------------------------------------
 * Steps
 * --------------------------------------------------------------------- */

static void
reset_step(void)
{
  in_step = false;
  free(target.s);
  memset(&target, 0, sizeof(target));
  free(params.s);
  memset(&params, 0, sizeof(params));
  has_params = false;
  for (size_t i = 0; i < n_headers; ++i) {
    free(headers[i]);
  }
  n_headers = 0;
  free(body.s);
  memset(&body, 0, sizeof(body));
  has_body     = false;
  body_is_form = false;
  for (size_t i = 0; i < n_checks; ++i) {
    free(checks[i].value);
  }
  n_checks = 0;
}

static bool
has_header(const char* const name)
{
  const size_t n = strlen(name);
  for (size_t i = 0; i < n_headers; ++i) {
    if (!strncasecmp(headers[i], name, n) && headers[i][n] == ':') {
      return true;
    }
  }
  return false;
}

static void
add_header(const char* const h)
{
  if (n_headers < IT_MAX_HEADERS - 1) {
    headers[n_headers++] = strdup(h);
  }
}

static void
flush_step(void)
{
  if (!in_step) {
    return;
  }
  ++step_no;
  if (body_is_form && !has_header("Content-Type")) {
    add_header("Content-Type: application/x-www-form-urlencoded");
  }
  if (has_params) {
    str_add(&target, strchr(target.s, '?') ? "&" : "?");
    str_add(&target, params.s);
  }
  ItRequest req = { .method = method, .target = target.s };
  for (size_t i = 0; i < n_headers; ++i) {
    req.headers[i] = headers[i];
  }
  if (has_body) {
    req.body     = body.s ? body.s : "";
    req.body_len = body.len;
  }
  printf("-- %s step %d (line %d): %s %s\n",
         case_name,
         step_no,
         step_line,
         method,
         it_excerpt(target.s, target.len, 300));
  Answer a  = { 0 };
  a.rows    = -1;
  a.boolean = -1;
  it_http(&server, &req, &a.resp);
  if (!a.resp.ok && a.resp.status == 0) {
    CASE_FAIL(step_line, "%s: no answer: %s", a.resp.desc, a.resp.error);
  } else {
    if (!a.resp.ok) {
      it_note("%s: transfer ended badly after the status: %s",
              a.resp.desc,
              a.resp.error);
    }
    for (size_t i = 0; i < n_checks; ++i) {
      run_check(&a, &checks[i]);
    }
  }
  json_decref(a.json);
  it_graph_free(&a.graph);
  it_response_free(&a.resp);
  reset_step();
}

/* The request-building directives. */
static bool
request_directive(const char* const key,
                  const char* const value,
                  const int         line)
{
  char        name[128];
  const char* rest = NULL;
  if (!strcmp(key, "header")) {
    add_header(value);
  } else if (!strcmp(key, "token")) {
    const char* tok = !strcmp(value, "admin")     ? server.admin_token
                      : !strcmp(value, "reader")  ? server.reader_token
                      : !strcmp(value, "curator") ? server.curator_token
                                                  : value;
    char        h[700];
    snprintf(h, sizeof(h), "Authorization: Bearer %s", tok);
    add_header(h);
  } else if (!strcmp(key, "param") || !strcmp(key, "param-file") ||
             !strcmp(key, "form") || !strcmp(key, "form-file")) {
    if (!split_name(value, name, sizeof(name), &rest)) {
      CASE_FAIL(line, "%s: expects NAME VALUE", key);
      return true;
    }
    char* file_text = NULL;
    if (strstr(key, "-file")) {
      file_text     = it_read_test_file(rest, NULL);
      char* const s = subst(file_text);
      free(file_text);
      file_text = s;
      rest      = file_text;
    }
    if (key[0] == 'p') {
      add_param(&params, &has_params, name, rest);
    } else {
      bool has = body.len > 0;
      add_param(&body, &has, name, rest);
      has_body     = true;
      body_is_form = true;
    }
    free(file_text);
  } else if (!strcmp(key, "param-raw")) {
    str_add(&params, has_params ? "&" : "");
    str_add(&params, value);
    has_params = true;
  } else if (!strcmp(key, "body")) {
    add_escaped(&body, value);
    has_body = true;
  } else if (!strcmp(key, "body-file")) {
    size_t      len  = 0;
    char* const text = it_read_test_file(value, &len);
    str_addn(&body, text, len);
    free(text);
    has_body = true;
  } else {
    return false;
  }
  return true;
}

static void
start_step(const char* const value, const int line)
{
  flush_step();
  in_step   = true;
  step_line = line;
  char        m[32];
  const char* t = NULL;
  if (!split_name(value, m, sizeof(m), &t) || t[0] != '/') {
    CASE_FAIL(line, "request: expects METHOD /TARGET, got \"%s\"", value);
    snprintf(method, sizeof(method), "GET");
    t = "/";
  } else {
    snprintf(method, sizeof(method), "%s", m);
  }
  str_add(&target, t);
}

static int
run_case(const char* const file)
{
  char rel[512];
  snprintf(rel, sizeof(rel), "cases/%s", file);
  case_name        = file;
  char* const text = it_read_test_file(rel, NULL);
  printf("== case %s\n", file);

  /* The opening comment paragraph says what the case checks. */
  const char* p = text ? text : "";
  while (*p == '#') {
    const char* const nl = strchr(p, '\n');
    printf("   %.*s\n", (int)(nl ? nl - p : (long)strlen(p)), p);
    p = nl ? nl + 1 : p + strlen(p);
  }

  it_server_prepare(&server, "case", true);
  if (!it_server_start(&server, NULL)) {
    free(text);
    return it_finish(file);
  }

  int   line_no = 0;
  char* next    = text;
  while (next && *next) {
    char* const line = next;
    char* const nl   = strchr(line, '\n');
    if (nl) {
      *nl  = '\0';
      next = nl + 1;
    } else {
      next = NULL;
    }
    ++line_no;
    char* s = line;
    while (*s == ' ' || *s == '\t') {
      ++s;
    }
    size_t len = strlen(s);
    while (len && (s[len - 1] == ' ' || s[len - 1] == '\r')) {
      s[--len] = '\0';
    }
    if (!*s || *s == '#') {
      continue;
    }
    char* const colon = strchr(s, ':');
    if (!colon || colon == s || strcspn(s, " \t") < (size_t)(colon - s)) {
      CASE_FAIL(line_no, "expected \"directive: value\", got \"%s\"", s);
      continue;
    }
    *colon        = '\0';
    const char* v = colon + 1;
    while (*v == ' ' || *v == '\t') {
      ++v;
    }
    char* const value = subst(v);
    if (!strcmp(s, "request")) {
      start_step(value, line_no);
    } else if (!in_step) {
      CASE_FAIL(line_no, "\"%s:\" before any request: line", s);
    } else if (request_directive(s, value, line_no)) {
      /* built into the request */
    } else if (n_checks < MAX_CHECKS) {
      snprintf(checks[n_checks].key, sizeof(checks[n_checks].key), "%s", s);
      checks[n_checks].value = strdup(value);
      checks[n_checks].line  = line_no;
      ++n_checks;
    }
    free(value);
  }
  flush_step();
  free(text);
  if (step_no == 0) {
    CASE_FAIL(0, "the case has no request: line");
  }
  it_server_stop(&server, 15.0);
  for (size_t i = 0; i < n_vars; ++i) {
    free(vars[i].value);
  }
  return it_finish(file);
}

static int
count_cases(void)
{
  char dir[8192];
  snprintf(dir, sizeof(dir), "%s/cases", it_testdir);
  DIR* const d = opendir(dir);
  int        n = 0;
  if (!d) {
    return -1;
  }
  for (struct dirent* e = readdir(d); e; e = readdir(d)) {
    const size_t len = strlen(e->d_name);
    n += len > 5 && !strcmp(e->d_name + len - 5, ".http");
  }
  closedir(d);
  return n;
}

int
main(int argc, char** argv)
{
  const int first = it_begin("cases", argc, argv, 0);
  if (first < argc && !strcmp(argv[first], "--count")) {
    const int want = first + 1 < argc ? atoi(argv[first + 1]) : -1;
    const int have = count_cases();
    IT_CHECK(have == want,
             "cases/ holds %d .http files and the build registered %d (re-run "
             "`meson setup --reconfigure BUILDDIR` after adding a case)",
             have,
             want);
    return it_finish("case-list");
  }
  if (first + 1 != argc) {
    fprintf(stderr, "usage: %s FAIRDEX SRCROOT CASE.http\n", argv[0]);
    return 2;
  }
  return run_case(argv[first]);
}
