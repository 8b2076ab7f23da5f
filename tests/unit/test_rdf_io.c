/*
 * test_rdf_io.c: loading RDF files end to end through fdx_load_file, with
 * input shaped to stress the parser thread's blocks: random mixes of long
 * and short IRIs, inlined literals, long literals and blank nodes, many
 * megabytes of them, in blocks of 600 bytes, so that statements keep
 * landing on block boundaries and terms larger than a block turn up.  The same triples go in as
 * N-Triples (serd), N-Quads (serd), Turtle and gzip-compressed N-Triples
 * (raptor / zlib), and each store's N-Triples dump must hold exactly the
 * triples written (compared as sorted lines; the dump writes the canonical
 * form the generator writes).  Run under ASan, this is what catches a
 * record written past its block.
 */
#include "test_util.h"

#include "fairdex/rdf.h"
#include "fairdex/store.h"

#include <zlib.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define XSD_INTEGER "http://www.w3.org/2001/XMLSchema#integer"

typedef struct {
  char*  data;
  size_t len;
  size_t cap;
} Buf;

static void
buf_add(Buf* const b, const char* const s, const size_t n)
{
  if (b->len + n + 1 > b->cap) {
    b->cap  = (b->len + n + 1) * 2;
    b->data = (char*)realloc(b->data, b->cap);
    REQUIRE(b->data);
  }
  memcpy(b->data + b->len, s, n);
  b->len += n;
  b->data[b->len] = '\0';
}

static void
buf_str(Buf* const b, const char* const s)
{
  buf_add(b, s, strlen(s));
}

static int
buf_write(void* const ctx, const char* const bytes, const size_t len)
{
  buf_add((Buf*)ctx, bytes, len);
  return 0;
}

/* An IRI of `len` bytes (at least 20) under http://example.org/. */
static void
make_iri(Buf* const b, const size_t len, const uint64_t tag)
{
  char head[64];
  snprintf(head, sizeof(head), "<http://example.org/%llu/",
           (unsigned long long)tag);
  buf_str(b, head);
  for (size_t i = strlen(head) - 1; i < len; ++i) {
    buf_add(b, &"abcdefghijklmnopqrstuvwxyz0123456789"[rng_below(36)], 1);
  }
  buf_str(b, ">");
}

/* One random object: an inlined integer, a short or long literal, a
 * language-tagged literal, an IRI or a blank node (only in `with_bnodes`
 * documents, which are compared by counts: labels change on load). */
static void
make_object(Buf* const b, const uint64_t i, const bool with_bnodes)
{
  char tmp[128];
  switch (rng_below(with_bnodes ? 6 : 5)) {
  case 0:
    snprintf(tmp, sizeof(tmp), "\"%lld\"^^<" XSD_INTEGER ">",
             (long long)rng_below(2000000) - 1000000);
    buf_str(b, tmp);
    return;
  case 1:
  case 2: {
    /* Mostly short, sometimes longer than a block (1 MiB). */
    const size_t n = rng_below(3000) == 0 ? 1100000 + rng_below(5000)
                     : rng_below(4) == 0 ? 200 + rng_below(3000)
                                         : 1 + rng_below(40);
    buf_str(b, "\"");
    for (size_t k = 0; k < n; ++k) {
      buf_add(b, &"Herz Kreislauf Studie "[rng_below(22)], 1);
    }
    buf_str(b, "\"");
    if (rng_below(2)) {
      buf_str(b, rng_below(2) ? "@de" : "@en");
    }
    return;
  }
  case 3:
    make_iri(b, 20 + rng_below(300), i);
    return;
  case 4:
    snprintf(tmp, sizeof(tmp), "\"true\"^^<http://www.w3.org/2001/"
                               "XMLSchema#boolean>");
    buf_str(b, tmp);
    return;
  default:
    snprintf(tmp, sizeof(tmp), "_:n%llu", (unsigned long long)rng_below(50));
    buf_str(b, tmp);
    return;
  }
}

/* A document of `n` triples, as N-Triples; also the lines as a list. */
static void
make_document(Buf* const doc, const size_t n, const bool with_bnodes)
{
  for (size_t i = 0; i < n; ++i) {
    make_iri(doc, 20 + rng_below(rng_below(8) ? 150 : 480), i % 997);
    buf_str(doc, " ");
    make_iri(doc, 20 + rng_below(200), i % 13);
    buf_str(doc, " ");
    make_object(doc, i, with_bnodes);
    buf_str(doc, " .\n");
  }
}

static int
line_cmp(const void* const a, const void* const b)
{
  return strcmp(*(char* const*)a, *(char* const*)b);
}

/* Split into lines, sort, drop repeats; returns the count. */
static size_t
sorted_lines(char* const text, char*** const ret)
{
  size_t n = 0;
  for (const char* p = text; *p; ++p) {
    n += *p == '\n';
  }
  char** lines = (char**)calloc(n + 1, sizeof(char*));
  REQUIRE(lines);
  size_t k = 0;
  for (char* p = text; *p;) {
    char* const nl = strchr(p, '\n');
    if (!nl) {
      break;
    }
    *nl        = '\0';
    lines[k++] = p;
    p          = nl + 1;
  }
  if (k > 1) {
    qsort(lines, k, sizeof(char*), line_cmp);
  }
  size_t u = k ? 1 : 0;
  for (size_t i = 1; i < k; ++i) {
    if (strcmp(lines[i], lines[u - 1])) {
      lines[u++] = lines[i];
    }
  }
  *ret = lines;
  return u;
}

static void
write_file(const char* const path, const Buf* const doc, const bool gz)
{
  if (gz) {
    gzFile f = gzopen(path, "wb1");
    REQUIRE(f);
    REQUIRE(gzwrite(f, doc->data, (unsigned)doc->len) == (int)doc->len);
    REQUIRE(gzclose(f) == Z_OK);
  } else {
    FILE* const f = fopen(path, "wb");
    REQUIRE(f);
    REQUIRE(fwrite(doc->data, 1, doc->len, f) == doc->len);
    REQUIRE(!fclose(f));
  }
}

/* Load `path` into a new store and return its N-Triples dump. */
static void
load_and_dump(const char* const name,
              const char* const path,
              const FdxFormat   format,
              const size_t      expect_quads,
              Buf* const        dump)
{
  FdxStore* const store =
    open_store(name, FDX_STORE_CREATE | FDX_STORE_NO_SYNC, 0, 0);
  FdxLoadOptions opts;
  memset(&opts, 0, sizeof(opts));
  opts.format            = format;
  opts.sort_buffer_bytes = 4u << 20; /* several runs */
  opts.block_bytes       = 600;     /* statements often end near a block's
                                       end, and terms are often bigger */
  FdxLoadResult res;
  FdxError      err;
  memset(&err, 0, sizeof(err));
  const FdxStatus st = fdx_load_file(store, path, &opts, &res, &err);
  if (st) {
    fprintf(stderr, "%s: %s:%ld:%ld: %s\n", name, err.source, err.line,
            err.column, err.message);
  }
  CHECK_ST(st, FDX_SUCCESS);
  CHECK(res.quads_read == expect_quads);
  FdxTxn* const txn = begin(store, 0);
  CHECK_ST(fdx_dump(txn, FDX_FORMAT_NTRIPLES, FDX_ID_ANY, buf_write, dump),
           FDX_SUCCESS);
  fdx_txn_abort(txn);
  fdx_store_free(store);
}

static void
check_same_lines(const char* const what, Buf* const expected, Buf* const got)
{
  char**       a  = NULL;
  char**       b  = NULL;
  const size_t na = sorted_lines(expected->data, &a);
  const size_t nb = sorted_lines(got->data, &b);
  CHECK(na == nb);
  size_t diffs = 0;
  for (size_t i = 0; i < na && i < nb; ++i) {
    if (strcmp(a[i], b[i]) && ++diffs <= 3) {
      fprintf(stderr, "%s: line %zu differs:\n  want %.200s\n  got  %.200s\n",
              what, i, a[i], b[i]);
    }
  }
  CHECK(diffs == 0);
  free(a);
  free(b);
}

int
main(void)
{
  test_start("rdf_io");
  make_tmp_root("rdf-io");

  /* Without blank nodes the dump must equal the input line for line. */
  Buf doc = {NULL, 0, 0};
  make_document(&doc, 30000, false);
  printf("rdf_io: document of %zu bytes\n", doc.len);

  char path[4200];
  struct {
    const char* file;
    FdxFormat   format;
    bool        gz;
  } const inputs[] = {
    {"in.nt", FDX_FORMAT_NTRIPLES, false},
    {"in.nq", FDX_FORMAT_NQUADS, false},
    {"in.ttl", FDX_FORMAT_TURTLE, false},
    {"in.nt.gz", FDX_FORMAT_UNKNOWN, true},
  };
  for (size_t i = 0; i < sizeof(inputs) / sizeof(inputs[0]); ++i) {
    snprintf(path, sizeof(path), "%s/%s", tmp_root, inputs[i].file);
    write_file(path, &doc, inputs[i].gz);
    Buf  dump = {NULL, 0, 0};
    Buf  want = {NULL, 0, 0};
    char name[64];
    snprintf(name, sizeof(name), "store%zu", i);
    buf_add(&want, doc.data, doc.len);
    load_and_dump(name, path, inputs[i].format, 30000, &dump);
    check_same_lines(inputs[i].file, &want, &dump);
    free(dump.data);
    free(want.data);
  }
  free(doc.data);

  /* With blank nodes: the same number of distinct triples comes back. */
  Buf bdoc = {NULL, 0, 0};
  make_document(&bdoc, 20000, true);
  snprintf(path, sizeof(path), "%s/bnodes.nt", tmp_root);
  write_file(path, &bdoc, false);
  Buf dump = {NULL, 0, 0};
  load_and_dump("bnodes", path, FDX_FORMAT_NTRIPLES, 20000, &dump);
  char**       a  = NULL;
  char**       b  = NULL;
  const size_t na = sorted_lines(bdoc.data, &a);
  const size_t nb = sorted_lines(dump.data, &b);
  CHECK(na == nb);
  free(a);
  free(b);
  free(dump.data);
  free(bdoc.data);

  return test_finish("rdf_io");
}
