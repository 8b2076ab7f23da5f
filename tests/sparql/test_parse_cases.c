/*
 * test_parse_cases.c: the data-driven parser cases.  Each case in the
 * folder given as argv[1] is a query NAME.rq or an update NAME.ru, with
 * either NAME.sse, the exact output of fdx_sparql_query_print /
 * fdx_sparql_update_print, or NAME.err, the expected failure as one line
 * `LINE:COL: message` (and, when the status is not a syntax error, the
 * status name first: `limit: LINE:COL: message`).  Adding a case is
 * adding files; nothing here names a case.
 *
 * A case whose text starts with the line `#base <IRI>` is parsed with
 * that base IRI.  A case NAME.gen.rq is not read as is: its text is
 * generated (see generate() below) for inputs too big to commit, such
 * as 10000 nested parentheses.
 *
 *   test_parse_cases DIR          run every case, print failures and a
 *                                 summary line, exit 1 on any failure
 *   test_parse_cases --print FILE print what FILE parses to (or its
 *                                 error line), to write a new .sse / .err
 */
#include "ast.h"

#include <dirent.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ------------------------------------------------------------------------
 * Files
 * --------------------------------------------------------------------- */

/* The whole file, NUL-terminated, in *ret (malloc'd); false if missing. */
static bool
read_file(const char* const path, char** const ret, size_t* const ret_len)
{
  FILE* const f = fopen(path, "rb");
  if (!f) {
    return false;
  }
  size_t cap = 4096;
  size_t len = 0;
  char*  buf = (char*)malloc(cap);
  size_t n   = 0;
  while (buf && (n = fread(buf + len, 1, cap - len - 1, f)) > 0) {
    len += n;
    if (cap - len - 1 == 0) {
      char* const nb = (char*)realloc(buf, cap * 2);
      if (!nb) {
        free(buf);
        buf = NULL;
        break;
      }
      buf = nb;
      cap *= 2;
    }
  }
  fclose(f);
  if (!buf) {
    return false;
  }
  buf[len] = '\0';
  *ret     = buf;
  *ret_len = len;
  return true;
}

static bool
ends_with(const char* const s, const char* const suffix)
{
  const size_t n = strlen(s);
  const size_t m = strlen(suffix);
  return n >= m && !strcmp(s + n - m, suffix);
}

/* Text for the generated cases, by name: NAME.gen.rq. */
static char*
generate(const char* const name, size_t* const ret_len)
{
  char* text = NULL;
  if (strstr(name, "depth-parens")) {
    /* 10000 '(' in a FILTER: over any sane depth limit. */
    const size_t n   = 10000;
    const char*  pre = "SELECT * WHERE { FILTER ";
    text             = (char*)malloc(strlen(pre) + 2 * n + 8);
    if (text) {
      size_t o = 0;
      memcpy(text, pre, strlen(pre));
      o += strlen(pre);
      for (size_t i = 0; i < n; ++i) {
        text[o++] = '(';
      }
      text[o++] = '1';
      for (size_t i = 0; i < n; ++i) {
        text[o++] = ')';
      }
      text[o++] = ' ';
      text[o++] = '}';
      text[o]   = '\0';
      *ret_len  = o;
    }
  } else if (strstr(name, "depth-groups")) {
    /* 10000 nested groups. */
    const size_t n   = 10000;
    const char*  pre = "ASK ";
    text             = (char*)malloc(strlen(pre) + 2 * n + 8);
    if (text) {
      size_t o = 0;
      memcpy(text, pre, strlen(pre));
      o += strlen(pre);
      for (size_t i = 0; i < n; ++i) {
        text[o++] = '{';
      }
      for (size_t i = 0; i < n; ++i) {
        text[o++] = '}';
      }
      text[o]  = '\0';
      *ret_len = o;
    }
  }
  return text;
}

/* ------------------------------------------------------------------------
 * One case
 * --------------------------------------------------------------------- */

/* Parse `path` and write what it gives to `out`: the tree, or the error
 * line.  Returns false if the case could not even be read. */
static bool
run_case(const char* const path, FILE* const out)
{
  char*      text   = NULL;
  size_t     len    = 0;
  const bool update = ends_with(path, ".ru");
  if (ends_with(path, ".gen.rq") || ends_with(path, ".gen.ru")) {
    text = generate(path, &len);
  } else if (!read_file(path, &text, &len)) {
    return false;
  }
  if (!text) {
    return false;
  }

  char        base[1024];
  const char* base_iri = NULL;
  if (!strncmp(text, "#base <", 7)) {
    const char* const end = strchr(text + 7, '>');
    if (end && (size_t)(end - text - 7) < sizeof(base)) {
      memcpy(base, text + 7, (size_t)(end - text - 7));
      base[end - text - 7] = '\0';
      base_iri             = base;
    }
  }

  FdxError  err;
  FdxStatus st = FDX_SUCCESS;
  memset(&err, 0, sizeof(err));
  if (update) {
    FdxSparqlUpdate* u = NULL;
    st = fdx_sparql_parse_update(text, len, base_iri, NULL, &u, &err);
    if (!st) {
      fdx_sparql_update_print(u, out);
      fdx_sparql_update_free(u);
    }
  } else {
    FdxSparqlQuery* q = NULL;
    st = fdx_sparql_parse_query(text, len, base_iri, NULL, &q, &err);
    if (!st) {
      fdx_sparql_query_print(q, out);
      fdx_sparql_query_free(q);
    }
  }
  if (st) {
    if (st != FDX_ERR_SYNTAX) {
      fprintf(out, "%s: ", fdx_strerror(st));
    }
    fprintf(out, "%ld:%ld: %s\n", err.line, err.column, err.message);
  }
  free(text);
  return true;
}

/* What run_case writes for `path`, in a malloc'd string. */
static char*
case_output(const char* const path)
{
  char*  buf  = NULL;
  size_t size = 0;
  FILE*  mem  = open_memstream(&buf, &size);
  if (!mem) {
    return NULL;
  }
  const bool ok = run_case(path, mem);
  fclose(mem);
  if (!ok) {
    free(buf);
    return NULL;
  }
  return buf;
}

static int
compare_names(const void* const a, const void* const b)
{
  return strcmp(*(char* const*)a, *(char* const*)b);
}

int
main(int argc, char** argv)
{
  if (argc == 3 && !strcmp(argv[1], "--print")) {
    return run_case(argv[2], stdout) ? 0 : 2;
  }
  if (argc != 2) {
    fprintf(stderr, "usage: %s DIR | --print FILE\n", argv[0]);
    return 2;
  }
  const char* const dir = argv[1];
  DIR* const        d   = opendir(dir);
  if (!d) {
    fprintf(stderr, "cannot open %s\n", dir);
    return 2;
  }
  char**         names   = NULL;
  size_t         n_names = 0;
  struct dirent* ent     = NULL;
  while ((ent = readdir(d)) != NULL) {
    if (ends_with(ent->d_name, ".rq") || ends_with(ent->d_name, ".ru")) {
      char** const nn = (char**)realloc(names, (n_names + 1) * sizeof(*names));
      if (!nn) {
        break;
      }
      names            = nn;
      names[n_names++] = strdup(ent->d_name);
    }
  }
  closedir(d);
  qsort(names, n_names, sizeof(*names), compare_names);

  int passed = 0;
  int failed = 0;
  for (size_t i = 0; i < n_names; ++i) {
    char path[4096];
    char want_path[4096];
    snprintf(path, sizeof(path), "%s/%s", dir, names[i]);
    const size_t stem     = strlen(path) - 3;
    char*        want     = NULL;
    size_t       want_len = 0;
    bool         have     = false;
    for (int k = 0; k < 2 && !have; ++k) {
      snprintf(want_path,
               sizeof(want_path),
               "%.*s%s",
               (int)stem,
               path,
               k ? ".err" : ".sse");
      have = read_file(want_path, &want, &want_len);
    }
    char* const got = case_output(path);
    if (!have) {
      printf("FAIL %s: no .sse or .err file beside it\n", names[i]);
      ++failed;
    } else if (!got) {
      printf("FAIL %s: cannot read the case\n", names[i]);
      ++failed;
    } else if (strcmp(got, want)) {
      printf(
        "FAIL %s: expected (%s):\n%sgot:\n%s", names[i], want_path, want, got);
      ++failed;
    } else {
      ++passed;
    }
    free(want);
    free(got);
    free(names[i]);
  }
  free(names);
  printf("parse cases: %d passed, %d failed\n", passed, failed);
  return failed ? 1 : 0;
}
