/*
 * test_relevance.c: the search relevance regression test (meson test
 * 'relevance').
 *
 *   test_relevance EXTERNAL_DATA RELEVANCE_DIR [--write-baseline] [--details]
 *
 * Loads the four GovData catalogue dumps of the judged corpus (read where
 * they are under EXTERNAL_DATA, never copied) into a fresh temporary store,
 * checks that the store's dcat:Dataset IRIs are exactly those of
 * RELEVANCE_DIR/datasets.txt, runs the query of every RELEVANCE_DIR/NN-*.txt
 * (limit 10) and scores the ranking against the judgments: nDCG@10 with
 * gains 2^grade - 1 and discount log2(rank + 1), the ideal DCG from all the
 * query's judged grades; P@10 and recall@10 with "relevant" = grade >= 1.
 * It prints a table, the mean nDCG@10 overall and per UI language, and
 * compares with RELEVANCE_DIR/baseline.txt:
 *
 *   - mean nDCG@10 more than 0.005 below the baseline's: FAIL, listing the
 *     queries that dropped;
 *   - more than 0.005 above: a note to update the baseline (no failure).
 *
 * --write-baseline (or FDX_RELEVANCE_WRITE_BASELINE=1) writes a new
 * baseline.txt instead of comparing.  --details (or FDX_RELEVANCE_DETAILS=1)
 * also prints, per query, the titles of the top 10 with their grades and
 * the judged datasets that were not returned.
 *
 * Exit status: 0 pass, 1 fail, 77 (meson: skipped) when the dumps are
 * absent.  See RELEVANCE_DIR/README.md.
 */
#include "test_util.h"

#include "fairdex/rdf.h"
#include "fairdex/search.h"
#include "fairdex/status.h"
#include "fairdex/store.h"

#include <dirent.h>
#include <math.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#define CORPUS_SUBDIR "govdata-dcat-ap-de-shacl-validation/testcases/dashboard"

static const char* const corpus_files[] = {
  "brandenburg-catalog-original-input.ttl",
  "bremen-catalog-original-input.rdf",
  "destatis-catalog-original-input.rdf",
  "rostock-catalog-original-input.rdf",
};
#define N_CORPUS_FILES (sizeof(corpus_files) / sizeof(corpus_files[0]))

#define RDF_TYPE "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"
#define DCAT_DATASET "http://www.w3.org/ns/dcat#Dataset"

#define TOP_K 10
/* The largest change of the mean nDCG@10 that is not reported. */
#define TOLERANCE 0.005
/* Per-query changes smaller than this are rounding (4 decimals). */
#define QUERY_EPS 0.00005

/* ------------------------------------------------------------------------
 * Small helpers
 * --------------------------------------------------------------------- */

static void*
xmalloc(const size_t n)
{
  void* const p = malloc(n ? n : 1);
  if (!p) {
    fprintf(stderr, "relevance: out of memory\n");
    exit(1);
  }
  return p;
}

static void*
xrealloc(void* const old, const size_t n)
{
  void* const p = realloc(old, n ? n : 1);
  if (!p) {
    fprintf(stderr, "relevance: out of memory\n");
    exit(1);
  }
  return p;
}

static char*
xstrndup(const char* const s, const size_t n)
{
  char* const p = (char*)xmalloc(n + 1);
  memcpy(p, s, n);
  p[n] = '\0';
  return p;
}

static char*
xstrdup(const char* const s)
{
  return xstrndup(s, strlen(s));
}

/* "a/b" (b may be "" for just a), a new string. */
static char*
join(const char* const a, const char* const sep, const char* const b)
{
  const size_t la = strlen(a), ls = strlen(sep), lb = strlen(b);
  char* const  p = (char*)xmalloc(la + ls + lb + 1);
  memcpy(p, a, la);
  memcpy(p + la, sep, ls);
  memcpy(p + la + ls, b, lb + 1);
  return p;
}

static bool
env_flag(const char* const name)
{
  const char* const v = getenv(name);
  return v && v[0] && strcmp(v, "0") != 0;
}

static bool
is_file(const char* const path)
{
  struct stat st;
  return stat(path, &st) == 0 && S_ISREG(st.st_mode);
}

static bool
is_dir(const char* const path)
{
  struct stat st;
  return stat(path, &st) == 0 && S_ISDIR(st.st_mode);
}

/* Remove a trailing "\n" or "\r\n". */
static size_t
chomp(char* const line)
{
  size_t n = strlen(line);
  while (n && (line[n - 1] == '\n' || line[n - 1] == '\r')) {
    line[--n] = '\0';
  }
  return n;
}

/* The number of characters (code points) in the UTF-8 `s`. */
static size_t
utf8_width(const char* const s)
{
  size_t n = 0;
  for (const char* c = s; *c; ++c) {
    n += ((unsigned char)*c & 0xC0) != 0x80;
  }
  return n;
}

/* `s` left-aligned in `width` characters, and a space. */
static void
print_cell(const char* const s, const size_t width)
{
  fputs(s, stdout);
  for (size_t w = utf8_width(s); w < width; ++w) {
    putchar(' ');
  }
  putchar(' ');
}

/* At most `max` bytes of the UTF-8 `s` (`len` bytes), not cutting a
 * character. */
static size_t
utf8_cut(const char* const s, const size_t len, const size_t max)
{
  if (len <= max) {
    return len;
  }
  size_t n = max;
  while (n && ((unsigned char)s[n] & 0xC0) == 0x80) {
    --n;
  }
  return n;
}

static int
cmp_str(const void* const a, const void* const b)
{
  return strcmp(*(const char* const*)a, *(const char* const*)b);
}

/* A sorted list of strings, for membership tests. */
typedef struct
{
  char** items;
  size_t n;
  size_t cap;
} StrList;

static void
strlist_push(StrList* const list, char* const s)
{
  if (list->n == list->cap) {
    list->cap   = list->cap ? 2 * list->cap : 64;
    list->items = (char**)xrealloc(list->items, list->cap * sizeof(char*));
  }
  list->items[list->n++] = s;
}

static void
strlist_sort(StrList* const list)
{
  if (list->n) {
    qsort(list->items, list->n, sizeof(char*), cmp_str);
  }
}

static bool
strlist_has(const StrList* const list, const char* const s)
{
  if (!list->n) {
    return false;
  }
  return bsearch(&s, list->items, list->n, sizeof(char*), cmp_str) != NULL;
}

static void
strlist_free(StrList* const list)
{
  for (size_t i = 0; i < list->n; ++i) {
    free(list->items[i]);
  }
  free(list->items);
  memset(list, 0, sizeof(*list));
}

/* ------------------------------------------------------------------------
 * Judgments
 * --------------------------------------------------------------------- */

typedef struct
{
  char* iri;
  int   grade;
} Judgment;

typedef struct
{
  char*     file;  /* "01-krankenhaeuser.txt" */
  char*     need;  /* the comment line */
  char*     query; /* verbatim */
  char*     lang;  /* "de" or "en" */
  Judgment* judged;
  size_t    n_judged;
  /* Results. */
  bool     ran;
  double   ndcg;
  double   precision;
  double   recall;
  size_t   n_returned;
  uint64_t total;
  char*    returned[TOP_K];
  int      returned_grade[TOP_K];
} Query;

/* Read one judgment file; false (with a message) if it is malformed. */
static bool
read_query(const char* const    dir,
           const char* const    name,
           const StrList* const datasets,
           Query* const         q)
{
  char* const path = join(dir, "/", name);
  FILE* const f    = fopen(path, "r");
  if (!f) {
    fprintf(stderr, "relevance: cannot open %s\n", path);
    free(path);
    return false;
  }
  memset(q, 0, sizeof(*q));
  q->file     = xstrdup(name);
  char*  line = NULL;
  size_t cap  = 0;
  size_t jcap = 0;
  long   no   = 0;
  bool   ok   = true;
  while (ok && getline(&line, &cap, f) >= 0) {
    ++no;
    const size_t n = chomp(line);
    if (n == 0) {
      continue;
    }
    if (line[0] == '#') {
      if (!q->need) {
        q->need = xstrdup(line + (line[1] == ' ' ? 2 : 1));
      }
    } else if (!strncmp(line, "query: ", 7)) {
      if (q->query) {
        fprintf(stderr, "%s:%ld: a second query: line\n", path, no);
        ok = false;
      }
      q->query = xstrdup(line + 7);
    } else if (!strncmp(line, "lang: ", 6)) {
      if (q->lang) {
        fprintf(stderr, "%s:%ld: a second lang: line\n", path, no);
        ok = false;
      }
      q->lang = xstrdup(line + 6);
    } else if (line[0] >= '1' && line[0] <= '3' && line[1] == ' ' &&
               line[2] == '<' && line[n - 1] == '>' && n > 4) {
      char* const iri = xstrndup(line + 3, n - 4);
      if (!strlist_has(datasets, iri)) {
        fprintf(stderr,
                "%s:%ld: <%s> is not in datasets.txt (the judgments no "
                "longer match the corpus)\n",
                path,
                no,
                iri);
        ok = false;
      }
      for (size_t i = 0; i < q->n_judged; ++i) {
        if (!strcmp(q->judged[i].iri, iri)) {
          fprintf(stderr, "%s:%ld: <%s> is judged twice\n", path, no, iri);
          ok = false;
        }
      }
      if (q->n_judged == jcap) {
        jcap      = jcap ? 2 * jcap : 16;
        q->judged = (Judgment*)xrealloc(q->judged, jcap * sizeof(Judgment));
      }
      q->judged[q->n_judged].iri   = iri;
      q->judged[q->n_judged].grade = line[0] - '0';
      ++q->n_judged;
    } else {
      fprintf(stderr, "%s:%ld: cannot read this line: %s\n", path, no, line);
      ok = false;
    }
  }
  free(line);
  fclose(f);
  if (ok && (!q->query || !q->query[0])) {
    fprintf(stderr, "%s: no query: line\n", path);
    ok = false;
  }
  if (ok && (!q->lang || (strcmp(q->lang, "de") && strcmp(q->lang, "en")))) {
    fprintf(stderr, "%s: lang: must be de or en\n", path);
    ok = false;
  }
  if (ok && q->n_judged == 0) {
    fprintf(stderr, "%s: no judged datasets\n", path);
    ok = false;
  }
  free(path);
  return ok;
}

static void
query_free(Query* const q)
{
  free(q->file);
  free(q->need);
  free(q->query);
  free(q->lang);
  for (size_t i = 0; i < q->n_judged; ++i) {
    free(q->judged[i].iri);
  }
  free(q->judged);
  for (size_t i = 0; i < TOP_K; ++i) {
    free(q->returned[i]);
  }
}

static int
grade_of(const Query* const q, const char* const iri)
{
  for (size_t i = 0; i < q->n_judged; ++i) {
    if (!strcmp(q->judged[i].iri, iri)) {
      return q->judged[i].grade;
    }
  }
  return 0;
}

static int
cmp_grade_desc(const void* const a, const void* const b)
{
  return *(const int*)b - *(const int*)a;
}

/* The files NN-*.txt of `dir`, sorted. */
static void
list_query_files(const char* const dir, StrList* const out)
{
  DIR* const d = opendir(dir);
  if (!d) {
    fprintf(stderr, "relevance: cannot read the folder %s\n", dir);
    exit(1);
  }
  const struct dirent* e;
  while ((e = readdir(d))) {
    const char* const n   = e->d_name;
    const size_t      len = strlen(n);
    if (len > 7 && n[0] >= '0' && n[0] <= '9' && n[1] >= '0' && n[1] <= '9' &&
        n[2] == '-' && !strcmp(n + len - 4, ".txt")) {
      strlist_push(out, xstrdup(n));
    }
  }
  closedir(d);
  strlist_sort(out);
}

/* datasets.txt: "# comment", then "<IRI>" lines. */
static void
read_datasets(const char* const path, StrList* const out)
{
  FILE* const f = fopen(path, "r");
  if (!f) {
    fprintf(stderr, "relevance: cannot open %s\n", path);
    exit(1);
  }
  char*  line = NULL;
  size_t cap  = 0;
  long   no   = 0;
  while (getline(&line, &cap, f) >= 0) {
    ++no;
    const size_t n = chomp(line);
    if (n == 0 || line[0] == '#') {
      continue;
    }
    if (n < 3 || line[0] != '<' || line[n - 1] != '>') {
      fprintf(stderr, "%s:%ld: expected <IRI>: %s\n", path, no, line);
      exit(1);
    }
    strlist_push(out, xstrndup(line + 1, n - 2));
  }
  free(line);
  fclose(f);
  strlist_sort(out);
}

/* ------------------------------------------------------------------------
 * The store
 * --------------------------------------------------------------------- */

static FdxStore*
load_corpus(const char* const corpus_dir)
{
  make_tmp_root("relevance");
  FdxStore* const store =
    open_store("store", FDX_STORE_CREATE | FDX_STORE_NO_SYNC, 0, 0);
  uint64_t total = 0;
  for (size_t k = 0; k < N_CORPUS_FILES; ++k) {
    char* const    path = join(corpus_dir, "/", corpus_files[k]);
    FdxLoadOptions opts;
    FdxLoadResult  res;
    FdxError       err;
    memset(&opts, 0, sizeof(opts));
    memset(&res, 0, sizeof(res));
    memset(&err, 0, sizeof(err));
    const FdxStatus st = fdx_load_file(store, path, &opts, &res, &err);
    if (st) {
      fprintf(stderr,
              "relevance: loading %s failed: %s:%ld:%ld: %s (%s)\n",
              path,
              err.source,
              err.line,
              err.column,
              err.message,
              fdx_strerror(st));
      exit(1);
    }
    total += res.quads_added;
    free(path);
  }
  printf("relevance: loaded %llu quads from %zu files\n",
         (unsigned long long)total,
         N_CORPUS_FILES);
  return store;
}

/* The IRI of `id` as a new string, or NULL if it is not an IRI. */
static char*
iri_of(FdxTxn* const txn, const FdxId id)
{
  FdxTermBuf buf;
  if (fdx_term_get(txn, id, &buf) != FDX_SUCCESS ||
      buf.term.kind != FDX_TERM_IRI) {
    return NULL;
  }
  return xstrndup(buf.term.value, buf.term.value_len);
}

/* Fail unless the store's dcat:Dataset subjects are `want`. */
static void
check_datasets(FdxTxn* const txn, const StrList* const want)
{
  FdxTerm type_term    = fdx_term_iri(RDF_TYPE);
  FdxTerm dataset_term = fdx_term_iri(DCAT_DATASET);
  FdxId   type_id = 0, dataset_id = 0;
  StrList got;
  memset(&got, 0, sizeof(got));
  if (fdx_term_id(txn, &type_term, &type_id) == FDX_SUCCESS &&
      fdx_term_id(txn, &dataset_term, &dataset_id) == FDX_SUCCESS) {
    const FdxQuad pattern = { FDX_ID_ANY, type_id, dataset_id, FDX_ID_ANY };
    FdxQuadIter*  it      = NULL;
    REQUIRE(fdx_quad_find(txn, &pattern, &it) == FDX_SUCCESS);
    FdxQuad quad;
    while (fdx_quad_iter_next(it, &quad) == FDX_SUCCESS) {
      char* const iri = iri_of(txn, quad.s);
      if (iri) {
        strlist_push(&got, iri);
      }
    }
    fdx_quad_iter_free(it);
  }
  strlist_sort(&got);
  /* Distinct (a subject may be typed in several graphs). */
  size_t n = 0;
  for (size_t i = 0; i < got.n; ++i) {
    if (n && !strcmp(got.items[n - 1], got.items[i])) {
      free(got.items[i]);
    } else {
      got.items[n++] = got.items[i];
    }
  }
  got.n = n;

  size_t missing = 0, extra = 0;
  for (size_t i = 0; i < want->n; ++i) {
    if (!strlist_has(&got, want->items[i])) {
      if (missing++ < 10) {
        fprintf(stderr,
                "relevance: datasets.txt has <%s>, the store not\n",
                want->items[i]);
      }
    }
  }
  for (size_t i = 0; i < got.n; ++i) {
    if (!strlist_has(want, got.items[i])) {
      if (extra++ < 10) {
        fprintf(stderr,
                "relevance: the store has <%s>, datasets.txt not\n",
                got.items[i]);
      }
    }
  }
  if (missing || extra) {
    fprintf(stderr,
            "relevance: THE CORPUS CHANGED: the store has %zu dcat:Dataset "
            "subjects, datasets.txt %zu (%zu missing, %zu extra).  The "
            "judgments cannot be scored against another corpus; see "
            "tests/search/relevance/README.md.\n",
            got.n,
            want->n,
            missing,
            extra);
    exit(1);
  }
  printf("relevance: the store's %zu dcat:Dataset IRIs match datasets.txt\n",
         got.n);
  strlist_free(&got);
}

/* ------------------------------------------------------------------------
 * Running and scoring
 * --------------------------------------------------------------------- */

static bool
run_query(FdxSearch* const search, FdxTxn* const txn, Query* const q)
{
  FdxSearchQuery sq;
  memset(&sq, 0, sizeof(sq));
  sq.q                 = q->query;
  sq.limit             = TOP_K;
  FdxSearchResult* res = NULL;
  FdxError         err;
  memset(&err, 0, sizeof(err));
  const FdxStatus st = fdx_search_run(search, txn, &sq, &res, &err);
  if (st) {
    fprintf(stderr,
            "relevance: %s: search for '%s' failed: %s (%s)\n",
            q->file,
            q->query,
            fdx_strerror(st),
            err.message);
    return false;
  }
  q->total           = fdx_search_result_total(res);
  const size_t count = fdx_search_result_count(res);
  bool         ok    = true;
  if (count > TOP_K) {
    fprintf(
      stderr, "relevance: %s: %zu hits for limit %d\n", q->file, count, TOP_K);
    ok = false;
  }
  for (size_t i = 0; i < count && i < TOP_K; ++i) {
    const FdxSearchHit* const hit = fdx_search_result_hit(res, i);
    char* const               iri = iri_of(txn, hit->subject);
    if (!iri) {
      fprintf(stderr,
              "relevance: %s: hit %zu has a subject that is not "
              "an IRI\n",
              q->file,
              i + 1);
      ok = false;
      continue;
    }
    int grade = grade_of(q, iri);
    /* The same dataset twice (e.g. in two graphs) gains only once. */
    for (size_t j = 0; j < q->n_returned; ++j) {
      if (!strcmp(q->returned[j], iri)) {
        fprintf(stderr,
                "relevance: %s: <%s> returned twice (ranks %zu and "
                "%zu)\n",
                q->file,
                iri,
                j + 1,
                q->n_returned + 1);
        grade = 0;
      }
    }
    q->returned[q->n_returned]       = iri;
    q->returned_grade[q->n_returned] = grade;
    ++q->n_returned;
  }
  fdx_search_result_free(res);

  /* nDCG@10. */
  double dcg   = 0;
  size_t n_rel = 0;
  for (size_t i = 0; i < q->n_returned; ++i) {
    const int g = q->returned_grade[i];
    dcg += (pow(2.0, g) - 1.0) / log2((double)i + 2.0);
    n_rel += g >= 1;
  }
  int* const grades = (int*)xmalloc(q->n_judged * sizeof(int));
  for (size_t i = 0; i < q->n_judged; ++i) {
    grades[i] = q->judged[i].grade;
  }
  qsort(grades, q->n_judged, sizeof(int), cmp_grade_desc);
  double idcg = 0;
  for (size_t i = 0; i < q->n_judged && i < TOP_K; ++i) {
    idcg += (pow(2.0, grades[i]) - 1.0) / log2((double)i + 2.0);
  }
  free(grades);
  q->ndcg      = idcg > 0 ? dcg / idcg : 0;
  q->precision = (double)n_rel / TOP_K;
  q->recall    = (double)n_rel / (double)q->n_judged;
  q->ran       = true;
  return ok;
}

/* The title to show for `iri` (German first). */
static void
print_title(FdxTxn* const txn, const char* const iri)
{
  FdxTerm    t  = fdx_term_iri(iri);
  FdxId      id = 0;
  FdxTermBuf buf;
  if (fdx_term_id(txn, &t, &id) == FDX_SUCCESS &&
      fdx_search_label(txn, id, "de", &buf) == FDX_SUCCESS) {
    const size_t n = utf8_cut(buf.term.value, buf.term.value_len, 90);
    printf("%.*s%s", (int)n, buf.term.value, n < buf.term.value_len ? "…" : "");
  } else {
    printf("(no title)");
  }
  printf("  <%s>\n", iri);
}

static void
print_details(FdxTxn* const txn, const Query* const q)
{
  printf("\n%s  query: %s  (%s)  nDCG@10 %.4f, %llu matches\n",
         q->file,
         q->query,
         q->lang,
         q->ndcg,
         (unsigned long long)q->total);
  if (q->need) {
    printf("  need: %s\n", q->need);
  }
  for (size_t i = 0; i < q->n_returned; ++i) {
    printf("  %2zu  [%c]  ",
           i + 1,
           q->returned_grade[i] ? (char)('0' + q->returned_grade[i]) : '-');
    print_title(txn, q->returned[i]);
  }
  bool header = false;
  for (size_t i = 0; i < q->n_judged; ++i) {
    bool found = false;
    for (size_t j = 0; j < q->n_returned; ++j) {
      found = found || !strcmp(q->returned[j], q->judged[i].iri);
    }
    if (!found) {
      if (!header) {
        printf("  not in the top %d:\n", TOP_K);
        header = true;
      }
      printf("      [%d]  ", q->judged[i].grade);
      print_title(txn, q->judged[i].iri);
    }
  }
}

/* ------------------------------------------------------------------------
 * The baseline
 * --------------------------------------------------------------------- */

typedef struct
{
  bool    present;
  double  mean;
  size_t  n;
  char**  files;
  double* ndcg;
} Baseline;

static bool
read_baseline(const char* const path, Baseline* const b)
{
  memset(b, 0, sizeof(*b));
  FILE* const f = fopen(path, "r");
  if (!f) {
    return false;
  }
  char*  line = NULL;
  size_t cap = 0, bcap = 0;
  long   no = 0;
  bool   ok = true;
  while (getline(&line, &cap, f) >= 0) {
    ++no;
    const size_t n = chomp(line);
    if (n == 0 || line[0] == '#') {
      continue;
    }
    char   key[256];
    double v;
    if (sscanf(line, "%255s %lf", key, &v) != 2) {
      fprintf(stderr, "%s:%ld: cannot read this line: %s\n", path, no, line);
      ok = false;
      continue;
    }
    if (!strcmp(key, "mean_ndcg10")) {
      b->mean    = v;
      b->present = true;
    } else if (!strncmp(key, "mean_", 5)) {
      /* mean_ndcg10_de, mean_ndcg10_en: informative only */
    } else {
      if (b->n == bcap) {
        bcap     = bcap ? 2 * bcap : 64;
        b->files = (char**)xrealloc(b->files, bcap * sizeof(char*));
        b->ndcg  = (double*)xrealloc(b->ndcg, bcap * sizeof(double));
      }
      b->files[b->n] = xstrdup(key);
      b->ndcg[b->n]  = v;
      ++b->n;
    }
  }
  free(line);
  fclose(f);
  if (!b->present) {
    fprintf(stderr, "%s: no mean_ndcg10 line\n", path);
    ok = false;
  }
  return ok;
}

static void
baseline_free(Baseline* const b)
{
  for (size_t i = 0; i < b->n; ++i) {
    free(b->files[i]);
  }
  free(b->files);
  free(b->ndcg);
}

/* A value as the baseline stores it: rounded to 4 decimals. */
static double
round4(const double v)
{
  char text[32];
  snprintf(text, sizeof(text), "%.4f", v);
  return strtod(text, NULL);
}

static bool
write_baseline(const char* const  path,
               const Query* const qs,
               const size_t       n,
               const double       mean,
               const double       mean_de,
               const double       mean_en)
{
  char* const tmp = join(path, "", ".tmp");
  FILE* const f   = fopen(tmp, "w");
  if (!f) {
    fprintf(stderr, "relevance: cannot write %s\n", tmp);
    free(tmp);
    return false;
  }
  fprintf(f,
          "# Search relevance baseline: nDCG@10 of the current engine over "
          "the judged set.\n"
          "# Written by test_relevance with FDX_RELEVANCE_WRITE_BASELINE=1 "
          "(see README.md);\n"
          "# the test fails when mean_ndcg10 drops by more than %.3f.\n",
          TOLERANCE);
  fprintf(f, "mean_ndcg10 %.4f\n", mean);
  fprintf(f, "mean_ndcg10_de %.4f\n", mean_de);
  fprintf(f, "mean_ndcg10_en %.4f\n", mean_en);
  for (size_t i = 0; i < n; ++i) {
    fprintf(f, "%s %.4f\n", qs[i].file, qs[i].ndcg);
  }
  if (fclose(f) != 0 || rename(tmp, path) != 0) {
    fprintf(stderr, "relevance: cannot write %s\n", path);
    remove(tmp);
    free(tmp);
    return false;
  }
  free(tmp);
  return true;
}

/* Compare with the baseline; false if the mean dropped too far. */
static bool
compare_baseline(const Baseline* const b,
                 const Query* const    qs,
                 const size_t          n,
                 const double          mean)
{
  const double cur   = round4(mean);
  const double delta = cur - b->mean;
  printf("\nbaseline: mean nDCG@10 %.4f, now %.4f (%+.4f; tolerance %.3f)\n",
         b->mean,
         cur,
         delta,
         TOLERANCE);
  size_t n_down = 0, n_up = 0;
  for (size_t i = 0; i < n; ++i) {
    bool known = false;
    for (size_t j = 0; j < b->n; ++j) {
      if (!strcmp(b->files[j], qs[i].file)) {
        known          = true;
        const double d = round4(qs[i].ndcg) - b->ndcg[j];
        if (d < -QUERY_EPS) {
          if (!n_down++) {
            printf("queries that dropped:\n");
          }
          printf("  %-40s %.4f -> %.4f (%+.4f)\n",
                 qs[i].file,
                 b->ndcg[j],
                 qs[i].ndcg,
                 d);
        } else if (d > QUERY_EPS) {
          ++n_up;
        }
      }
    }
    if (!known) {
      printf("  %s is not in the baseline (new query?)\n", qs[i].file);
    }
  }
  for (size_t j = 0; j < b->n; ++j) {
    bool found = false;
    for (size_t i = 0; i < n; ++i) {
      found = found || !strcmp(b->files[j], qs[i].file);
    }
    if (!found) {
      printf("  %s is in the baseline but has no judgment file\n", b->files[j]);
    }
  }
  if (n_up) {
    printf("queries that improved: %zu\n", n_up);
  }
  if (delta < -TOLERANCE) {
    fprintf(stderr,
            "relevance: FAIL: mean nDCG@10 fell from %.4f to %.4f, more than "
            "%.3f (the queries that dropped are listed above)\n",
            b->mean,
            cur,
            TOLERANCE);
    return false;
  }
  if (delta > TOLERANCE) {
    printf("relevance: mean nDCG@10 rose from %.4f to %.4f: update the "
           "baseline (FDX_RELEVANCE_WRITE_BASELINE=1 meson test relevance; "
           "see tests/search/relevance/README.md) and commit it\n",
           b->mean,
           cur);
  }
  return true;
}

/* ------------------------------------------------------------------------
 * main
 * --------------------------------------------------------------------- */

int
main(int argc, char** argv)
{
  setvbuf(stdout, NULL, _IOLBF, 0);
  bool        write  = env_flag("FDX_RELEVANCE_WRITE_BASELINE");
  bool        detail = env_flag("FDX_RELEVANCE_DETAILS");
  const char* ext    = NULL;
  const char* reldir = NULL;
  for (int k = 1; k < argc; ++k) {
    if (!strcmp(argv[k], "--write-baseline")) {
      write = true;
    } else if (!strcmp(argv[k], "--details")) {
      detail = true;
    } else if (!ext) {
      ext = argv[k];
    } else if (!reldir) {
      reldir = argv[k];
    } else {
      ext = NULL;
      break;
    }
  }
  if (!ext || !reldir) {
    fprintf(stderr,
            "usage: test_relevance EXTERNAL_DATA RELEVANCE_DIR "
            "[--write-baseline] [--details]\n");
    return 2;
  }
  if (!is_dir(reldir)) {
    fprintf(stderr, "relevance: no judgments folder %s\n", reldir);
    return 1;
  }

  /* Skip without the corpus. */
  char* const corpus_dir = join(ext, "/", CORPUS_SUBDIR);
  for (size_t k = 0; k < N_CORPUS_FILES; ++k) {
    char* const path = join(corpus_dir, "/", corpus_files[k]);
    if (!is_file(path)) {
      printf("relevance: external data not found: %s is missing "
             "(the meson option external_data names the folder); "
             "skipping\n",
             path);
      free(path);
      free(corpus_dir);
      return 77;
    }
    free(path);
  }

  /* The judgments. */
  char*   path = join(reldir, "/", "datasets.txt");
  StrList datasets;
  memset(&datasets, 0, sizeof(datasets));
  read_datasets(path, &datasets);
  free(path);
  StrList files;
  memset(&files, 0, sizeof(files));
  list_query_files(reldir, &files);
  if (!files.n) {
    fprintf(stderr, "relevance: no NN-*.txt query files in %s\n", reldir);
    return 1;
  }
  Query* const qs = (Query*)xmalloc(files.n * sizeof(Query));
  bool         ok = true;
  for (size_t i = 0; i < files.n; ++i) {
    ok = read_query(reldir, files.items[i], &datasets, &qs[i]) && ok;
  }
  if (!ok) {
    fprintf(stderr, "relevance: FAIL: malformed judgment files\n");
    return 1;
  }

  /* The corpus. */
  FdxStore* const store = load_corpus(corpus_dir);
  free(corpus_dir);
  FdxTxn* const txn = begin(store, 0);
  check_datasets(txn, &datasets);
  FdxSearch* const search = fdx_search_new();
  REQUIRE(search);

  /* Run and score. */
  double sum = 0, sum_lang[2] = { 0, 0 };
  size_t n_lang[2] = { 0, 0 };
  for (size_t i = 0; i < files.n; ++i) {
    if (!run_query(search, txn, &qs[i])) {
      ok = false;
    }
    const int l = !strcmp(qs[i].lang, "en");
    sum += qs[i].ndcg;
    sum_lang[l] += qs[i].ndcg;
    ++n_lang[l];
  }
  const double mean    = sum / (double)files.n;
  const double mean_de = n_lang[0] ? sum_lang[0] / (double)n_lang[0] : 0;
  const double mean_en = n_lang[1] ? sum_lang[1] / (double)n_lang[1] : 0;

  size_t wfile = 4, wquery = 5;
  for (size_t i = 0; i < files.n; ++i) {
    const size_t wf = utf8_width(qs[i].file), wq = utf8_width(qs[i].query);
    wfile  = wf > wfile ? wf : wfile;
    wquery = wq > wquery ? wq : wquery;
  }
  putchar('\n');
  print_cell("file", wfile);
  print_cell("lang", 4);
  print_cell("query", wquery);
  printf("%8s %6s %6s %7s\n", "nDCG@10", "P@10", "R@10", "matches");
  for (size_t i = 0; i < files.n; ++i) {
    const Query* const q = &qs[i];
    print_cell(q->file, wfile);
    print_cell(q->lang, 4);
    print_cell(q->query, wquery);
    printf("%8.4f %6.2f %6.2f %7llu\n",
           q->ndcg,
           q->precision,
           q->recall,
           (unsigned long long)q->total);
  }
  printf("\nmean nDCG@10: %.4f overall (%zu queries), %.4f de (%zu), "
         "%.4f en (%zu)\n",
         mean,
         files.n,
         mean_de,
         n_lang[0],
         mean_en,
         n_lang[1]);

  if (detail) {
    for (size_t i = 0; i < files.n; ++i) {
      print_details(txn, &qs[i]);
    }
  }

  path = join(reldir, "/", "baseline.txt");
  if (!ok) {
    fprintf(stderr, "relevance: FAIL: searches failed (see above)\n");
  } else if (write) {
    if (write_baseline(path, qs, files.n, mean, mean_de, mean_en)) {
      printf("relevance: wrote %s (mean nDCG@10 %.4f)\n", path, mean);
    } else {
      ok = false;
    }
  } else {
    Baseline b;
    if (!read_baseline(path, &b)) {
      fprintf(stderr,
              "relevance: FAIL: cannot read the baseline %s; write one with "
              "FDX_RELEVANCE_WRITE_BASELINE=1 (see README.md)\n",
              path);
      ok = false;
    } else {
      ok = compare_baseline(&b, qs, files.n, mean);
    }
    baseline_free(&b);
  }

  fdx_search_free(search);
  fdx_txn_abort(txn);
  fdx_store_free(store);
  for (size_t i = 0; i < files.n; ++i) {
    query_free(&qs[i]);
  }
  free(qs);
  strlist_free(&files);
  strlist_free(&datasets);
  free(path);
  if (!ok) {
    return 1;
  }
  return test_finish("relevance");
}
