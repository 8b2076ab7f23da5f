/*
 * rdfcmp: a test tool that says whether two RDF documents hold the same RDF
 * dataset.  Both are parsed with raptor2 (network and file access off) and
 * compared as sets of quads, equal up to blank-node renaming; the graph of a
 * quad matters, and "x"^^xsd:string equals "x".  Language tags compare
 * without regard to case.
 *
 *   rdfcmp [--format-a F] [--format-b F] [--base-a IRI] [--base-b IRI] A B
 *
 * Exit status: 0 equal, 1 different (a short diff goes to standard output),
 * 2 error (usage, unreadable file, parse error with raptor's message).
 * More than one B may be given (A is then parsed once and compared with
 * each; the status is the worst); --format-b and --base-b apply to all.
 * Formats are named like fairdex's; without one, the extension decides
 * (.nt .nq .ttl .trig .rdf .owl .xml), else raptor guesses from the content.
 * The default base IRI is the file's own file: IRI, as in fairdex.
 *
 * Blank nodes are matched exactly, not heuristically: quads without blank
 * nodes must be identical; for the rest, colour refinement (each blank
 * node's colour is repeatedly rehashed with the colours and terms of the
 * quads around it, in both documents alike) splits the blank nodes into
 * classes, and a backtracking search individualises one node of a tied
 * class at a time, so that symmetric graphs are decided correctly.  Each
 * candidate mapping is checked quad for quad before "equal" is said.
 */
#include <raptor2.h>

#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define BNODE_BIT  0x80000000u /* a quad term with this bit is a blank node */
#define MAX_SHOWN  5           /* quads shown per side in a diff */
#define WORK_LIMIT 1000000000ull /* quad visits before the search gives up */

/* ------------------------------------------------------------------------
 * Small helpers
 * --------------------------------------------------------------------- */

static void
die_oom(void)
{
  fputs("rdfcmp: out of memory\n", stderr);
  exit(2);
}

static void*
xrealloc(void* p, size_t n)
{
  void* const q = realloc(p, n ? n : 1);
  if (!q) {
    die_oom();
  }
  return q;
}

static void*
xcalloc(size_t n, size_t size)
{
  void* const p = calloc(n ? n : 1, size);
  if (!p) {
    die_oom();
  }
  return p;
}

static uint64_t
mix64(uint64_t x)
{
  x += 0x9E3779B97F4A7C15ull;
  x = (x ^ (x >> 30)) * 0xBF58476D1CE4E5B9ull;
  x = (x ^ (x >> 27)) * 0x94D049BB133111EBull;
  return x ^ (x >> 31);
}

static uint64_t
hash_bytes(const char* s, size_t len)
{
  uint64_t h = 0xCBF29CE484222325ull;
  for (size_t i = 0; i < len; ++i) {
    h = (h ^ (unsigned char)s[i]) * 0x100000001B3ull;
  }
  return mix64(h);
}

/* A growable byte buffer. */
typedef struct {
  char*  data;
  size_t len;
  size_t cap;
} Buf;

static void
buf_add(Buf* b, const char* s, size_t n)
{
  if (b->len + n + 1 > b->cap) {
    b->cap  = (b->len + n + 1) * 2;
    b->data = (char*)xrealloc(b->data, b->cap);
  }
  memcpy(b->data + b->len, s, n);
  b->len += n;
  b->data[b->len] = '\0';
}

static void
buf_addc(Buf* b, char c)
{
  buf_add(b, &c, 1);
}

/* Append `s` as the body of an N-Triples string literal. */
static void
buf_add_escaped(Buf* b, const unsigned char* s, size_t n)
{
  for (size_t i = 0; i < n; ++i) {
    const unsigned char c = s[i];
    switch (c) {
    case '\\': buf_add(b, "\\\\", 2); break;
    case '"': buf_add(b, "\\\"", 2); break;
    case '\n': buf_add(b, "\\n", 2); break;
    case '\r': buf_add(b, "\\r", 2); break;
    case '\t': buf_add(b, "\\t", 2); break;
    default:
      if (c < 0x20 || c == 0x7F) {
        char esc[8];
        snprintf(esc, sizeof esc, "\\u%04X", c);
        buf_add(b, esc, 6);
      } else {
        buf_addc(b, (char)c);
      }
    }
  }
}

/* ------------------------------------------------------------------------
 * String interning: string -> dense id
 * --------------------------------------------------------------------- */

typedef struct {
  char**    keys; /* by id, NUL-terminated copies */
  size_t*   lens;
  uint64_t* hashes;
  uint32_t  n;
  uint32_t  keys_cap;
  uint32_t* slots; /* id + 1; 0 is empty */
  size_t    mask;
} StrMap;

static void
strmap_grow(StrMap* m)
{
  const size_t cap = m->slots ? (m->mask + 1) * 2 : 1024;
  free(m->slots);
  m->slots = (uint32_t*)xcalloc(cap, sizeof(uint32_t));
  m->mask  = cap - 1;
  for (uint32_t id = 0; id < m->n; ++id) {
    size_t i = (size_t)m->hashes[id] & m->mask;
    while (m->slots[i]) {
      i = (i + 1) & m->mask;
    }
    m->slots[i] = id + 1;
  }
}

static uint32_t
strmap_intern(StrMap* m, const char* s, size_t len)
{
  if (!m->slots || (size_t)m->n * 2 >= m->mask + 1) {
    strmap_grow(m);
  }
  const uint64_t h = hash_bytes(s, len);
  size_t         i = (size_t)h & m->mask;
  for (; m->slots[i]; i = (i + 1) & m->mask) {
    const uint32_t id = m->slots[i] - 1;
    if (m->hashes[id] == h && m->lens[id] == len &&
        !memcmp(m->keys[id], s, len)) {
      return id;
    }
  }
  if (m->n >= (BNODE_BIT - 1)) {
    die_oom();
  }
  if (m->n == m->keys_cap) {
    m->keys_cap = m->keys_cap ? m->keys_cap * 2 : 256;
    m->keys     = (char**)xrealloc(m->keys, m->keys_cap * sizeof(char*));
    m->lens     = (size_t*)xrealloc(m->lens, m->keys_cap * sizeof(size_t));
    m->hashes = (uint64_t*)xrealloc(m->hashes, m->keys_cap * sizeof(uint64_t));
  }
  const uint32_t id = m->n++;
  m->keys[id]       = (char*)xrealloc(NULL, len + 1);
  memcpy(m->keys[id], s, len);
  m->keys[id][len] = '\0';
  m->lens[id]      = len;
  m->hashes[id]    = h;
  m->slots[i]      = id + 1;
  return id;
}

static void
strmap_free(StrMap* m)
{
  for (uint32_t i = 0; i < m->n; ++i) {
    free(m->keys[i]);
  }
  free(m->keys);
  free(m->lens);
  free(m->hashes);
  free(m->slots);
}

/* ------------------------------------------------------------------------
 * Documents
 * --------------------------------------------------------------------- */

/* A quad of term refs: a ground term id (shared by both documents; id 0 is
 * the default graph) or BNODE_BIT | the document's blank node index. */
typedef struct {
  uint32_t t[4]; /* subject, predicate, object, graph */
} Quad;

typedef struct {
  const char*    path;
  const char*    format; /* our name, NULL: guess */
  const char*    base;   /* NULL: the file's own file: IRI */
  StrMap*        terms;  /* shared */
  StrMap         bnodes; /* label -> index */
  Quad*          quads;
  size_t         n;
  size_t         cap;
  Buf            key;
  int            error;  /* an error was logged */
  raptor_parser* parser;
} Doc;

static const struct {
  const char* name;
  const char* raptor;
} format_names[] = {
  {"ntriples", "ntriples"}, {"nt", "ntriples"}, {"nquads", "nquads"},
  {"nq", "nquads"},         {"turtle", "turtle"}, {"ttl", "turtle"},
  {"trig", "trig"},         {"rdfxml", "rdfxml"}, {"rdf", "rdfxml"},
  {"xml", "rdfxml"},        {"owl", "rdfxml"},
};

/* raptor's parser name for our format name or file extension, or NULL. */
static const char*
raptor_format(const char* name)
{
  for (size_t i = 0; name && i < sizeof format_names / sizeof format_names[0];
       ++i) {
    if (!strcmp(name, format_names[i].name)) {
      return format_names[i].raptor;
    }
  }
  return NULL;
}

static const char*
raptor_format_from_path(const char* path)
{
  const char* const slash = strrchr(path, '/');
  const char* const dot   = strrchr(slash ? slash : path, '.');
  if (!dot) {
    return NULL;
  }
  char ext[16];
  size_t n = 0;
  for (const char* p = dot + 1; *p && n + 1 < sizeof ext; ++p) {
    ext[n++] = (char)((*p >= 'A' && *p <= 'Z') ? *p + 32 : *p);
  }
  ext[n] = '\0';
  return raptor_format(ext);
}

static void
log_handler(void* data, raptor_log_message* msg)
{
  Doc* const d = (Doc*)data;
  if (msg->level < RAPTOR_LOG_LEVEL_ERROR) {
    return;
  }
  if (!d->error) {
    /* Some errors (an undeclared prefix) come without a locator: then the
     * parser's own position is the best guess. */
    raptor_locator* loc = msg->locator;
    if ((!loc || raptor_locator_line(loc) <= 0) && d->parser) {
      loc = raptor_parser_get_locator(d->parser);
    }
    const int line = loc ? raptor_locator_line(loc) : -1;
    const int col  = loc ? raptor_locator_column(loc) : -1;
    fprintf(stderr, "rdfcmp: %s:", d->path);
    if (line > 0) {
      fprintf(stderr, "%d:", line);
      if (col > 0) {
        fprintf(stderr, "%d:", col);
      }
    }
    fprintf(stderr, " %s\n", msg->text ? msg->text : "parse error");
  }
  d->error = 1;
  if (d->parser) {
    raptor_parser_parse_abort(d->parser);
  }
}

/* The ref of a raptor term in `d`. */
static uint32_t
term_ref(Doc* d, const raptor_term* t)
{
  Buf* const k = &d->key;
  k->len       = 0;
  switch (t->type) {
  case RAPTOR_TERM_TYPE_BLANK:
    return BNODE_BIT | strmap_intern(&d->bnodes,
                                     (const char*)t->value.blank.string,
                                     t->value.blank.string_len);
  case RAPTOR_TERM_TYPE_URI: {
    size_t                     len = 0;
    const unsigned char* const s = raptor_uri_as_counted_string(t->value.uri, &len);
    buf_addc(k, '<');
    buf_add(k, (const char*)s, len);
    buf_addc(k, '>');
    break;
  }
  case RAPTOR_TERM_TYPE_LITERAL: {
    const raptor_term_literal_value* const lit = &t->value.literal;
    buf_addc(k, '"');
    buf_add_escaped(k, lit->string, lit->string_len);
    buf_addc(k, '"');
    if (lit->language && lit->language_len) {
      buf_addc(k, '@');
      for (unsigned i = 0; i < lit->language_len; ++i) {
        const unsigned char c = lit->language[i];
        buf_addc(k, (char)((c >= 'A' && c <= 'Z') ? c + 32 : c));
      }
    } else if (lit->datatype) {
      size_t                     len = 0;
      const unsigned char* const dt =
        raptor_uri_as_counted_string(lit->datatype, &len);
      static const char xsd_string[] =
        "http://www.w3.org/2001/XMLSchema#string";
      if (!(len == sizeof xsd_string - 1 && !memcmp(dt, xsd_string, len))) {
        buf_add(k, "^^<", 3);
        buf_add(k, (const char*)dt, len);
        buf_addc(k, '>');
      }
    }
    break;
  }
  case RAPTOR_TERM_TYPE_UNKNOWN:
  default:
    buf_add(k, "?", 1);
    break;
  }
  return strmap_intern(d->terms, k->data, k->len);
}

static void
statement_handler(void* data, raptor_statement* st)
{
  Doc* const d = (Doc*)data;
  if (d->n == d->cap) {
    d->cap   = d->cap ? d->cap * 2 : 1024;
    d->quads = (Quad*)xrealloc(d->quads, d->cap * sizeof(Quad));
  }
  Quad* const q = &d->quads[d->n++];
  q->t[0]       = term_ref(d, st->subject);
  q->t[1]       = term_ref(d, st->predicate);
  q->t[2]       = term_ref(d, st->object);
  q->t[3]       = st->graph ? term_ref(d, st->graph) : 0;
}

/* Read all of `path` ("-": standard input) into a new buffer. */
static char*
slurp(const char* path, size_t* ret_len)
{
  FILE* const f = strcmp(path, "-") ? fopen(path, "rb") : stdin;
  if (!f) {
    return NULL;
  }
  Buf    b = {NULL, 0, 0};
  char   chunk[65536];
  size_t n;
  buf_add(&b, "", 0);
  while ((n = fread(chunk, 1, sizeof chunk, f)) > 0) {
    buf_add(&b, chunk, n);
  }
  const int bad = ferror(f);
  if (f != stdin) {
    fclose(f);
  }
  if (bad) {
    free(b.data);
    return NULL;
  }
  *ret_len = b.len;
  return b.data;
}

/* Parse `d`; 0 on success, else a message was printed. */
static int
parse_doc(raptor_world* world, Doc* d)
{
  size_t      len = 0;
  char* const buf = slurp(d->path, &len);
  if (!buf) {
    fprintf(stderr, "rdfcmp: %s: cannot read\n", d->path);
    return -1;
  }

  char* base = NULL;
  if (d->base) {
    base = strdup(d->base);
  } else if (!strcmp(d->path, "-")) {
    base = strdup("file:///dev/stdin");
  } else {
    char* const abs = realpath(d->path, NULL);
    if (abs) {
      base = (char*)xrealloc(NULL, strlen(abs) + 8);
      sprintf(base, "file://%s", abs);
      free(abs);
    }
  }
  if (!base) {
    free(buf);
    fprintf(stderr, "rdfcmp: %s: cannot make a base IRI\n", d->path);
    return -1;
  }

  const char* name = NULL;
  if (d->format) {
    name = raptor_format(d->format);
  } else if (!(name = raptor_format_from_path(d->path))) {
    name = raptor_world_guess_parser_name(world, NULL, NULL,
                                          (const unsigned char*)buf, len,
                                          (const unsigned char*)d->path);
  }
  raptor_uri* const base_uri = raptor_new_uri(world, (const unsigned char*)base);
  int               rc       = -1;
  if (!name || !base_uri) {
    fprintf(stderr, "rdfcmp: %s: %s\n", d->path,
            name ? "bad base IRI" : "cannot tell the RDF syntax");
    goto done;
  }
  if (!(d->parser = raptor_new_parser(world, name))) {
    fprintf(stderr, "rdfcmp: no raptor parser '%s'\n", name);
    goto done;
  }
  raptor_world_set_log_handler(world, d, log_handler);
  raptor_parser_set_option(d->parser, RAPTOR_OPTION_NO_NET, NULL, 1);
  raptor_parser_set_option(d->parser, RAPTOR_OPTION_NO_FILE, NULL, 1);
  raptor_parser_set_statement_handler(d->parser, d, statement_handler);
  if (raptor_parser_parse_start(d->parser, base_uri) ||
      raptor_parser_parse_chunk(d->parser, (const unsigned char*)buf, len,
                                1) ||
      d->error) {
    if (!d->error) {
      fprintf(stderr, "rdfcmp: %s: parse error\n", d->path);
    }
    goto done;
  }
  rc = 0;

done:
  if (d->parser) {
    raptor_free_parser(d->parser);
    d->parser = NULL;
  }
  if (base_uri) {
    raptor_free_uri(base_uri);
  }
  free(base);
  free(buf);
  return rc;
}

/* ------------------------------------------------------------------------
 * Quad sets
 * --------------------------------------------------------------------- */

static int
quad_cmp(const void* x, const void* y)
{
  const Quad* const a = (const Quad*)x;
  const Quad* const b = (const Quad*)y;
  for (int i = 0; i < 4; ++i) {
    if (a->t[i] != b->t[i]) {
      return a->t[i] < b->t[i] ? -1 : 1;
    }
  }
  return 0;
}

static int
quad_has_bnode(const Quad* q)
{
  return ((q->t[0] | q->t[1] | q->t[2] | q->t[3]) & BNODE_BIT) != 0;
}

/* Sort and remove duplicates (a dataset is a set). */
static size_t
sort_unique(Quad* q, size_t n)
{
  if (n < 2) {
    return n;
  }
  qsort(q, n, sizeof(Quad), quad_cmp);
  size_t out = 1;
  for (size_t i = 1; i < n; ++i) {
    if (quad_cmp(&q[i], &q[out - 1])) {
      q[out++] = q[i];
    }
  }
  return out;
}

static void
print_term(const Doc* d, uint32_t t)
{
  if (t & BNODE_BIT) {
    printf("_:%s", d->bnodes.keys[t & ~BNODE_BIT]);
  } else {
    fputs(d->terms->keys[t], stdout);
  }
}

static void
print_quad(const char* mark, const Doc* d, const Quad* q)
{
  fputs(mark, stdout);
  for (int i = 0; i < 4; ++i) {
    if (i == 3 && q->t[3] == 0) {
      break;
    }
    print_term(d, q->t[i]);
    fputc(' ', stdout);
  }
  fputs(".\n", stdout);
}

/* A quad with its blank nodes replaced by one wildcard, and its index. */
typedef struct {
  Quad   q;
  size_t i;
} Wild;

static int
wild_cmp(const void* x, const void* y)
{
  const int c = quad_cmp(&((const Wild*)x)->q, &((const Wild*)y)->q);
  if (c) {
    return c;
  }
  const size_t a = ((const Wild*)x)->i, b = ((const Wild*)y)->i;
  return a < b ? -1 : a > b;
}

/* Print the first few quads of sorted multiset `x` that are not in `y`
 * (marked with `mark`); returns how many there are. */
static size_t
print_only_in(const char* side, const char* what, const char* mark,
              const Doc* dx, const Wild* x, size_t nx, const Wild* y,
              size_t ny)
{
  size_t count = 0;
  for (int pass = 0; pass < 2; ++pass) {
    size_t i = 0, j = 0, shown = 0;
    if (pass == 1) {
      if (!count) {
        break;
      }
      printf("only in %s (%zu %s):\n", side, count, what);
    }
    while (i < nx) {
      const int c = j == ny ? -1 : quad_cmp(&x[i].q, &y[j].q);
      if (c == 0) {
        ++i, ++j;
      } else if (c > 0) {
        ++j;
      } else {
        if (pass == 0) {
          ++count;
        } else if (shown++ < MAX_SHOWN) {
          print_quad(mark, dx, &dx->quads[x[i].i]);
        }
        ++i;
      }
    }
    if (pass == 1 && count > MAX_SHOWN) {
      printf("  ...\n");
    }
  }
  return count;
}

/* The quads of `d` with or without blank nodes, as Wild entries (blank
 * nodes wildcarded), sorted. */
static Wild*
wild_quads(const Doc* d, int with_bnodes, size_t* ret_n)
{
  Wild*  w = (Wild*)xcalloc(d->n, sizeof(Wild));
  size_t n = 0;
  for (size_t i = 0; i < d->n; ++i) {
    if (quad_has_bnode(&d->quads[i]) != with_bnodes) {
      continue;
    }
    w[n].i = i;
    for (int k = 0; k < 4; ++k) {
      const uint32_t t = d->quads[i].t[k];
      w[n].q.t[k]      = (t & BNODE_BIT) ? BNODE_BIT : t;
    }
    ++n;
  }
  qsort(w, n, sizeof(Wild), wild_cmp);
  *ret_n = n;
  return w;
}

/* ------------------------------------------------------------------------
 * Blank node matching
 * --------------------------------------------------------------------- */

typedef struct {
  uint64_t col;
  uint32_t idx;
} Pair;

typedef struct {
  const Quad* bq;  /* quads with a blank node, sorted */
  size_t      nbq;
  uint32_t    nb;  /* blank nodes */
  uint64_t*   col; /* colour of each blank node */
  uint64_t*   tmp;
  uint64_t*   acc;
  uint64_t*   sorted;
  Pair*       pairs;
} Side;

typedef struct {
  Side      a, b;
  uint32_t* path_a; /* individualised pairs, by depth */
  uint32_t* path_b;
  uint32_t* map;    /* A blank node -> B blank node */
  Quad*     mapped;
  uint64_t  work;
  int       gave_up;
} Matcher;

#define COLOUR_INIT  0x5EED0F0B1A4Cull
#define COLOUR_SELF  0x5E1F5E1F5E1F5E1Full
#define COLOUR_TERM  0x7E4A7E4A7E4A7E4Aull
#define COLOUR_INDIV 0x1D1D1D1D1D1D1D1Dull

/* One round of refinement: each blank node's new colour hashes its old
 * colour with the multiset of (position, the quad's other terms). */
static void
refine_round(Side* s)
{
  memset(s->acc, 0, s->nb * sizeof(uint64_t));
  for (size_t i = 0; i < s->nbq; ++i) {
    const uint32_t* const t = s->bq[i].t;
    for (int pos = 0; pos < 4; ++pos) {
      if (!(t[pos] & BNODE_BIT)) {
        continue;
      }
      uint64_t h = mix64((uint64_t)pos + 1);
      for (int j = 0; j < 4; ++j) {
        uint64_t v;
        if (t[j] == t[pos]) {
          v = COLOUR_SELF;
        } else if (t[j] & BNODE_BIT) {
          v = s->col[t[j] & ~BNODE_BIT];
        } else {
          v = mix64(COLOUR_TERM + t[j]);
        }
        h = mix64(h ^ v);
      }
      s->acc[t[pos] & ~BNODE_BIT] += h;
    }
  }
  for (uint32_t b = 0; b < s->nb; ++b) {
    s->tmp[b] = mix64(s->col[b] ^ mix64(s->acc[b] + COLOUR_INIT));
  }
  uint64_t* const swap = s->col;
  s->col               = s->tmp;
  s->tmp               = swap;
}

static int
u64_cmp(const void* x, const void* y)
{
  const uint64_t a = *(const uint64_t*)x, b = *(const uint64_t*)y;
  return a < b ? -1 : a > b;
}

static int
pair_cmp(const void* x, const void* y)
{
  const Pair* const a = (const Pair*)x;
  const Pair* const b = (const Pair*)y;
  if (a->col != b->col) {
    return a->col < b->col ? -1 : 1;
  }
  return a->idx < b->idx ? -1 : a->idx > b->idx;
}

/* Do both sides have the same multiset of colours?  Sets `*ret_classes` to
 * the number of distinct colours. */
static int
colours_match(Matcher* m, uint32_t* ret_classes)
{
  const uint32_t n = m->a.nb;
  memcpy(m->a.sorted, m->a.col, n * sizeof(uint64_t));
  memcpy(m->b.sorted, m->b.col, n * sizeof(uint64_t));
  qsort(m->a.sorted, n, sizeof(uint64_t), u64_cmp);
  qsort(m->b.sorted, n, sizeof(uint64_t), u64_cmp);
  if (memcmp(m->a.sorted, m->b.sorted, n * sizeof(uint64_t))) {
    return 0;
  }
  uint32_t classes = 0;
  for (uint32_t i = 0; i < n; ++i) {
    classes += i == 0 || m->a.sorted[i] != m->a.sorted[i - 1];
  }
  *ret_classes = classes;
  return 1;
}

/* Refine both sides until the partition is stable.  Returns 0 if the
 * colourings show the sides cannot be matched. */
static int
refine(Matcher* m)
{
  uint32_t classes = 0;
  if (!colours_match(m, &classes)) {
    return 0;
  }
  for (uint32_t round = 0; round <= m->a.nb; ++round) {
    refine_round(&m->a);
    refine_round(&m->b);
    m->work += 2 * m->a.nbq;
    uint32_t now = 0;
    if (!colours_match(m, &now)) {
      return 0;
    }
    if (now <= classes) {
      break;
    }
    classes = now;
  }
  return 1;
}

static void
sort_pairs(Side* s)
{
  for (uint32_t i = 0; i < s->nb; ++i) {
    s->pairs[i] = (Pair){s->col[i], i};
  }
  qsort(s->pairs, s->nb, sizeof(Pair), pair_cmp);
}

/* Pair the blank nodes of A and B in colour order and check whether that
 * mapping turns A's blank-node quads into exactly B's. */
static int
verify_pairing(Matcher* m)
{
  sort_pairs(&m->a);
  sort_pairs(&m->b);
  for (uint32_t i = 0; i < m->a.nb; ++i) {
    m->map[m->a.pairs[i].idx] = m->b.pairs[i].idx;
  }
  for (size_t i = 0; i < m->a.nbq; ++i) {
    for (int k = 0; k < 4; ++k) {
      const uint32_t t = m->a.bq[i].t[k];
      m->mapped[i].t[k] =
        (t & BNODE_BIT) ? (BNODE_BIT | m->map[t & ~BNODE_BIT]) : t;
    }
  }
  qsort(m->mapped, m->a.nbq, sizeof(Quad), quad_cmp);
  m->work += 4 * m->a.nbq;
  return !memcmp(m->mapped, m->b.bq, m->a.nbq * sizeof(Quad));
}

static void
individualise(Matcher* m, uint32_t a, uint32_t b, uint32_t depth)
{
  const uint64_t c =
    mix64(m->a.col[a] ^ COLOUR_INDIV ^ mix64((uint64_t)depth + 1));
  m->a.col[a] = c;
  m->b.col[b] = c;
}

/* Recompute the refined colouring after the first `depth` choices. */
static int
replay(Matcher* m, uint32_t depth)
{
  for (uint32_t i = 0; i < m->a.nb; ++i) {
    m->a.col[i] = COLOUR_INIT;
    m->b.col[i] = COLOUR_INIT;
  }
  if (!refine(m)) {
    return 0;
  }
  for (uint32_t d = 0; d < depth; ++d) {
    individualise(m, m->path_a[d], m->path_b[d], d);
    if (!refine(m)) {
      return 0;
    }
  }
  return 1;
}

/* Search for a mapping; the colouring is refined for the first `depth`
 * choices on entry.  Tries the colour-order pairing first, then picks the
 * smallest tied class, and tries each B node of that colour for its first A
 * node. */
static int
search(Matcher* m, uint32_t depth)
{
  if (m->work > WORK_LIMIT) {
    m->gave_up = 1;
    return 0;
  }
  if (verify_pairing(m)) {
    return 1;
  }
  /* m->a.pairs is sorted by colour: find the smallest class of 2 or more. */
  uint32_t best = 0, best_size = UINT32_MAX;
  for (uint32_t i = 0; i < m->a.nb;) {
    uint32_t j = i + 1;
    while (j < m->a.nb && m->a.pairs[j].col == m->a.pairs[i].col) {
      ++j;
    }
    if (j - i > 1 && j - i < best_size) {
      best      = i;
      best_size = j - i;
    }
    i = j;
  }
  if (best_size == UINT32_MAX) {
    return 0; /* every node is alone in its class: the pairing was it */
  }
  const uint32_t a      = m->a.pairs[best].idx;
  const uint64_t colour = m->a.pairs[best].col;
  uint32_t       next   = 0; /* next B index to try */
  for (int first = 1;; first = 0) {
    if (!first && !replay(m, depth)) {
      return 0;
    }
    while (next < m->b.nb && m->b.col[next] != colour) {
      ++next;
    }
    if (next == m->b.nb) {
      return 0;
    }
    m->path_a[depth] = a;
    m->path_b[depth] = next;
    individualise(m, a, next, depth);
    ++next;
    if (refine(m) && search(m, depth + 1)) {
      return 1;
    }
    if (m->gave_up) {
      return 0;
    }
  }
}

static void
side_init(Side* s, const Quad* bq, size_t nbq, uint32_t nb)
{
  s->bq     = bq;
  s->nbq    = nbq;
  s->nb     = nb;
  s->col    = (uint64_t*)xcalloc(nb, sizeof(uint64_t));
  s->tmp    = (uint64_t*)xcalloc(nb, sizeof(uint64_t));
  s->acc    = (uint64_t*)xcalloc(nb, sizeof(uint64_t));
  s->sorted = (uint64_t*)xcalloc(nb, sizeof(uint64_t));
  s->pairs  = (Pair*)xcalloc(nb, sizeof(Pair));
  for (uint32_t i = 0; i < nb; ++i) {
    s->col[i] = COLOUR_INIT;
  }
}

static void
side_free(Side* s)
{
  free(s->col);
  free(s->tmp);
  free(s->acc);
  free(s->sorted);
  free(s->pairs);
}

/* 1: the blank-node quads match up to renaming, 0: they do not, -1: the
 * search gave up. */
static int
match_bnodes(const Quad* qa, size_t na, uint32_t nba, const Quad* qb,
             size_t nb, uint32_t nbb)
{
  if (na != nb || nba != nbb) {
    return 0;
  }
  if (na == 0) {
    return 1;
  }
  Matcher m;
  memset(&m, 0, sizeof m);
  side_init(&m.a, qa, na, nba);
  side_init(&m.b, qb, nb, nbb);
  m.path_a = (uint32_t*)xcalloc(nba, sizeof(uint32_t));
  m.path_b = (uint32_t*)xcalloc(nba, sizeof(uint32_t));
  m.map    = (uint32_t*)xcalloc(nba, sizeof(uint32_t));
  m.mapped = (Quad*)xcalloc(na, sizeof(Quad));
  const int found = refine(&m) && search(&m, 0);
  side_free(&m.a);
  side_free(&m.b);
  free(m.path_a);
  free(m.path_b);
  free(m.map);
  free(m.mapped);
  return found ? 1 : m.gave_up ? -1 : 0;
}

/* The blank-node quads of `d` (sorted) in a new array. */
static Quad*
bnode_quads(const Doc* d, size_t* ret_n)
{
  Quad*  q = (Quad*)xcalloc(d->n, sizeof(Quad));
  size_t n = 0;
  for (size_t i = 0; i < d->n; ++i) {
    if (quad_has_bnode(&d->quads[i])) {
      q[n++] = d->quads[i];
    }
  }
  *ret_n = n; /* d->quads is sorted, so q is too */
  return q;
}

/* Compare parsed, deduplicated documents; returns the exit status. */
static int
compare(const Doc* a, const Doc* b)
{
  size_t nga = 0, ngb = 0, nqa = 0, nqb = 0;
  Wild*  ga   = wild_quads(a, 0, &nga);
  Wild*  gb   = wild_quads(b, 0, &ngb);
  Quad*  qa   = bnode_quads(a, &nqa);
  Quad*  qb   = bnode_quads(b, &nqb);
  int    same = nga == ngb;
  for (size_t i = 0; same && i < nga; ++i) {
    same = !quad_cmp(&ga[i].q, &gb[i].q);
  }
  const int bn =
    same ? match_bnodes(qa, nqa, a->bnodes.n, qb, nqb, b->bnodes.n) : 0;
  int status = 1;
  if (same && bn == 1) {
    printf("rdfcmp: %s equals %s: %zu quads, %u blank nodes\n", b->path,
           a->path, a->n, a->bnodes.n);
    status = 0;
  } else if (same && bn < 0) {
    fprintf(stderr,
            "rdfcmp: gave up matching %u blank nodes (the search is too "
            "large)\n",
            a->bnodes.n);
    status = 2;
  } else {
    printf("rdfcmp: %s and %s differ\n", a->path, b->path);
    printf("A: %zu quads (%zu with blank nodes, %u blank nodes)\n", a->n, nqa,
           a->bnodes.n);
    printf("B: %zu quads (%zu with blank nodes, %u blank nodes)\n", b->n, nqb,
           b->bnodes.n);
    static const char ground[] = "quads without blank nodes";
    print_only_in("A", ground, "  < ", a, ga, nga, gb, ngb);
    print_only_in("B", ground, "  > ", b, gb, ngb, ga, nga);
    size_t       nwa = 0, nwb = 0;
    Wild* const  wa  = wild_quads(a, 1, &nwa);
    Wild* const  wb  = wild_quads(b, 1, &nwb);
    static const char wild[] = "quads with blank nodes, any blank node alike";
    const size_t differ = print_only_in("A", wild, "  < ", a, wa, nwa, wb, nwb) +
                          print_only_in("B", wild, "  > ", b, wb, nwb, wa, nwa);
    if (!differ && nwa && same) {
      printf("the quads with blank nodes agree but for how the blank nodes "
             "are shared; for example:\n");
      for (size_t i = 0; i < nwa && i < MAX_SHOWN; ++i) {
        print_quad("  < ", a, &a->quads[wa[i].i]);
      }
      for (size_t i = 0; i < nwb && i < MAX_SHOWN; ++i) {
        print_quad("  > ", b, &b->quads[wb[i].i]);
      }
    }
    free(wa);
    free(wb);
  }
  free(ga);
  free(gb);
  free(qa);
  free(qb);
  return status;
}

/* ------------------------------------------------------------------------
 * Main
 * --------------------------------------------------------------------- */

static void
usage(FILE* f)
{
  fputs("usage: rdfcmp [--format-a F] [--format-b F] [--base-a IRI] "
        "[--base-b IRI] A B [B...]\n"
        "Compare RDF document A with each B as datasets (equal up to blank "
        "node names).\n"
        "--format-b and --base-b apply to every B.\n"
        "Formats: ntriples nquads turtle trig rdfxml (default: from the "
        "extension\n"
        ".nt .nq .ttl .trig .rdf .owl .xml, else guessed from the content).\n"
        "Exit status: 0 equal, 1 different, 2 error.\n",
        f);
}

static void
doc_free(Doc* d)
{
  strmap_free(&d->bnodes);
  free(d->quads);
  free(d->key.data);
}

int
main(int argc, char** argv)
{
  Doc          a, proto; /* proto: options for every B */
  const char** files  = (const char**)xcalloc((size_t)argc, sizeof(char*));
  int          nfiles = 0;
  StrMap       terms;
  memset(&a, 0, sizeof a);
  memset(&proto, 0, sizeof proto);
  memset(&terms, 0, sizeof terms);

  for (int i = 1; i < argc; ++i) {
    const char* const arg = argv[i];
    const char**      opt = NULL;
    if (!strcmp(arg, "--help") || !strcmp(arg, "-h")) {
      usage(stdout);
      free(files);
      return 0;
    } else if (!strcmp(arg, "--format-a")) {
      opt = &a.format;
    } else if (!strcmp(arg, "--format-b")) {
      opt = &proto.format;
    } else if (!strcmp(arg, "--base-a")) {
      opt = &a.base;
    } else if (!strcmp(arg, "--base-b")) {
      opt = &proto.base;
    } else if (arg[0] == '-' && arg[1] == '-') {
      fprintf(stderr, "rdfcmp: unknown option %s\n", arg);
      usage(stderr);
      free(files);
      return 2;
    } else {
      files[nfiles++] = arg;
      continue;
    }
    if (++i >= argc) {
      fprintf(stderr, "rdfcmp: %s needs a value\n", arg);
      free(files);
      return 2;
    }
    *opt = argv[i];
  }
  const char* bad = a.format && !raptor_format(a.format) ? a.format
                    : proto.format && !raptor_format(proto.format)
                      ? proto.format
                      : NULL;
  if (nfiles < 2 || bad) {
    if (bad) {
      fprintf(stderr, "rdfcmp: unknown format '%s'\n", bad);
    }
    usage(stderr);
    free(files);
    return 2;
  }

  raptor_world* const world = raptor_new_world();
  if (!world || raptor_world_open(world)) {
    fputs("rdfcmp: cannot start raptor\n", stderr);
    free(files);
    return 2;
  }
  strmap_intern(&terms, "", 0); /* id 0: the default graph */
  int status = 2;
  a.path     = files[0];
  a.terms    = &terms;
  if (!parse_doc(world, &a)) {
    a.n    = sort_unique(a.quads, a.n);
    status = 0;
    for (int i = 1; i < nfiles; ++i) {
      Doc b   = proto;
      b.path  = files[i];
      b.terms = &terms;
      int st  = 2;
      if (!parse_doc(world, &b)) {
        b.n = sort_unique(b.quads, b.n);
        st  = compare(&a, &b);
      }
      status = st > status ? st : status;
      doc_free(&b);
    }
  }
  doc_free(&a);
  strmap_free(&terms);
  raptor_free_world(world);
  free(files);
  return status;
}
