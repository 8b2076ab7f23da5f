/*
 * query.c: answering searches from the index that index.c keeps: query
 * parsing, candidate lists from the postings, BM25F scoring, facet
 * counting, sorting and paging, snippets, suggestions and labels.
 *
 * A search reads, for each required word, the postings of its terms (the
 * German and English stems of the word, or every term a prefix stands
 * for) into one doc-ordered list; facet filters become doc lists too (the
 * union of their values' postings).  The shortest list drives: each of its
 * docs is looked up in the others by galloping, then excluded words and
 * phrases are checked, then the doc record gives the field lengths (for
 * the score), the facet values (counted) and the sort keys.  Only the
 * first offset + limit results are kept, in a heap.  With neither words
 * nor filters every doc record is read in order.  Where the store keeps
 * an in-memory copy of the doc records for the snapshot searched (a
 * server: columns.c), the records and facet values come from there, and
 * long postings lists from its decoded copies; the answers are the same.
 *
 * Phrases are not in the postings (they hold no positions, to keep the
 * index small): a phrase's words are required like any other, and the
 * docs that have them all are checked by tokenizing their text again.
 *
 * Hand-written for the same reason as index.c.
 */
#include "search_impl.h"
#include "tokenize.h"

#include <math.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#define RDF "http://www.w3.org/1999/02/22-rdf-syntax-ns#"
#define RDFS "http://www.w3.org/2000/01/rdf-schema#"
#define DCT "http://purl.org/dc/terms/"
#define DCAT "http://www.w3.org/ns/dcat#"
#define SKOS "http://www.w3.org/2004/02/skos/core#"
#define FOAF "http://xmlns.com/foaf/0.1/"
#define VCARD "http://www.w3.org/2006/vcard/ns#"

/* BM25F parameters. */
static const double field_weight[N_FIELDS] = {5.0, 3.0, 1.0, 1.5, 1.5, 3.0};
static const double field_b[N_FIELDS]      = {0.75, 0.5, 0.75, 0.5, 0.5, 0.3};
#define K1 1.2

/* Terms one query word may stand for (stems, prefix expansions). */
#define MAX_ALTS (FDX_SEARCH_MAX_EXPANSIONS + 2)

static const char* const facet_names[FDX_N_FACETS] = {
  "theme", "publisher", "format", "license", "access_rights", "keyword",
  "year"};

const char*
fdx_facet_name(const FdxFacet facet)
{
  return (unsigned)facet < FDX_N_FACETS ? facet_names[facet] : NULL;
}

/* Label predicates, in order of preference. */
static const char* const label_iris[] = {
  SKOS "prefLabel", FOAF "name", VCARD "fn", VCARD "organization-name",
  RDFS "label", DCT "title"};
#define N_LABEL_IRIS (sizeof(label_iris) / sizeof(label_iris[0]))

struct FdxSearchImpl {
  FdxTokenizer* tk;
  /* Facet counting: a counter per tid (grown to the index's next tid),
   * and the tids counted by the current search, whose counters are put
   * back to 0 when it ends.  Kept between searches: a searcher serves one
   * thread. */
  uint32_t* counts;
  size_t    counts_cap;
  uint32_t* counted;
  size_t    n_counted;
  size_t    counted_cap;
  /* Facet counting from the columns: COUNT_LANES rows of a counter per
   * dense number, doc d counted in row d % COUNT_LANES, so that the
   * increments of neighbouring docs (which share many values) do not
   * wait for each other; summed at the end (all zero between searches). */
  uint32_t* lanes;
  size_t    lanes_cap;
};

#define COUNT_LANES 4

/* Lanes are never used for a store of more facet values than this (each
 * thread's searcher keeps COUNT_LANES counters per value). */
#define LANES_MAX_VALUES 65536

FdxSearch*
fdx_search_new(void)
{
  FdxSearch* const s = (FdxSearch*)calloc(1, sizeof(FdxSearch));
  if (s && !(s->tk = fdx_tokenizer_new())) {
    free(s);
    return NULL;
  }
  return s;
}

void
fdx_search_free(FdxSearch* const s)
{
  if (s) {
    fdx_tokenizer_free(s->tk);
    free(s->counts);
    free(s->counted);
    free(s->lanes);
    free(s);
  }
}

/* Make room for a counter per tid below `n_tids`. */
static bool
counts_reserve(FdxSearch* const s, const size_t n_tids)
{
  if (n_tids <= s->counts_cap) {
    return true;
  }
  const size_t    cap   = n_tids + n_tids / 4 + 1024;
  uint32_t* const grown = (uint32_t*)calloc(cap, sizeof(uint32_t));
  if (!grown) {
    return false;
  }
  free(s->counts); /* all zero between searches */
  s->counts     = grown;
  s->counts_cap = cap;
  return true;
}

/* Count one result with facet value `tid`. */
static inline bool
count_facet(FdxSearch* const s, const uint32_t tid)
{
  if (tid >= s->counts_cap) {
    return true; /* made by a later commit than the search reads */
  }
  if (!s->counts[tid]++) {
    if (s->n_counted == s->counted_cap) {
      const size_t    cap   = s->counted_cap ? s->counted_cap * 2 : 1024;
      uint32_t* const grown =
        (uint32_t*)realloc(s->counted, cap * sizeof(uint32_t));
      if (!grown) {
        s->counts[tid] = 0;
        return false;
      }
      s->counted     = grown;
      s->counted_cap = cap;
    }
    s->counted[s->n_counted++] = tid;
  }
  return true;
}

/* Put the counters of the last search back to zero. */
static void
counts_reset(FdxSearch* const s)
{
  for (size_t i = 0; i < s->n_counted; ++i) {
    s->counts[s->counted[i]] = 0;
  }
  s->n_counted = 0;
}

/* ------------------------------------------------------------------------
 * Parsed queries
 * --------------------------------------------------------------------- */

/* One word of the query: its terms (any of which matches). */
typedef struct {
  /* The German and English stems and the folded word itself (text in
   * other languages is indexed folded, unstemmed); duplicates dropped. */
  char     terms[3][TERM_MAX + 1];
  size_t   n_terms;
  char     folded[TERM_MAX + 1];   /* for a prefix */
  bool     prefix;
  int      clause;   /* which clause it came from */
  uint32_t position; /* within its clause */
} QWord;

typedef struct {
  bool   exclude;
  bool   phrase;
  size_t first_word;
  size_t n_words;
  /* An unquoted clause of several words ("FDX-ATH-2021"): the clause
   * folded whole, the term an identifier of that text is indexed as. */
  char   whole[TERM_MAX + 1];
} QClause;

typedef struct {
  QWord   words[FDX_SEARCH_MAX_CLAUSES * 4];
  size_t  n_words;
  QClause clauses[FDX_SEARCH_MAX_CLAUSES];
  size_t  n_clauses;
  /* while tokenizing one clause */
  const FdxTokenizer* tk;
  bool     clause_prefix;
  uint32_t last_position;
  bool     have_position;
  bool     overflow;
} Parsed;

/* Add a term a query word may match, unless it has it already. */
static void
add_alternative(QWord* const w, const char* const term, const size_t len)
{
  for (size_t i = 0; i < w->n_terms; ++i) {
    if (strlen(w->terms[i]) == len && !memcmp(w->terms[i], term, len)) {
      return;
    }
  }
  if (w->n_terms < 3 && len <= TERM_MAX) {
    memcpy(w->terms[w->n_terms], term, len);
    w->terms[w->n_terms][len] = '\0';
    ++w->n_terms;
  }
}

static int
on_query_token(void* const ctx, const FdxToken* const token)
{
  Parsed* const  pq = (Parsed*)ctx;
  QClause* const c  = &pq->clauses[pq->n_clauses];
  /* A word that is a stop word in either language is left out: text in
   * that language was indexed without it ("it" in "IT security"@en). */
  if (token->stop || token->term_len > TERM_MAX ||
      fdx_token_is_stop(pq->tk, token->folded, token->folded_len,
                        FDX_TOKEN_LANG_DE) ||
      fdx_token_is_stop(pq->tk, token->folded, token->folded_len,
                        FDX_TOKEN_LANG_EN)) {
    return 0;
  }
  if (pq->have_position && token->position == pq->last_position &&
      c->n_words) {
    /* The English stem of the word just seen. */
    QWord* const w = &pq->words[pq->n_words - 1];
    add_alternative(w, token->term, token->term_len);
    return 0;
  }
  if (pq->n_words == sizeof(pq->words) / sizeof(pq->words[0])) {
    pq->overflow = true;
    return 1;
  }
  QWord* const w = &pq->words[pq->n_words++];
  memset(w, 0, sizeof(*w));
  add_alternative(w, token->term, token->term_len);
  const size_t fl =
    token->folded_len < TERM_MAX ? token->folded_len : TERM_MAX;
  memcpy(w->folded, token->folded, fl);
  w->folded[fl] = '\0';
  add_alternative(w, w->folded, fl);
  w->clause         = (int)pq->n_clauses;
  w->position       = token->position;
  pq->last_position = token->position;
  pq->have_position = true;
  ++c->n_words;
  return 0;
}

/* Split q into clauses and tokenize each. */
static FdxStatus
parse_query(FdxTokenizer* const tk,
            const char* const   q,
            Parsed* const       pq,
            FdxError* const     err)
{
  memset(pq, 0, sizeof(*pq));
  pq->tk           = tk;
  const size_t len = q ? strlen(q) : 0;
  if (len > FDX_SEARCH_MAX_QUERY_BYTES) {
    return fdx_error_set(err, FDX_ERR_LIMIT, "q", 0, 0,
                         "the query is %zu bytes long; at most %d are "
                         "allowed",
                         len, FDX_SEARCH_MAX_QUERY_BYTES);
  }
  size_t i = 0;
  while (i < len) {
    while (i < len && (q[i] == ' ' || q[i] == '\t' || q[i] == '\n' ||
                       q[i] == '\r' || q[i] == '+')) {
      ++i;
    }
    if (i >= len) {
      break;
    }
    bool exclude = false;
    if (q[i] == '-' && i + 1 < len && q[i + 1] != ' ') {
      exclude = true;
      ++i;
    }
    size_t start, end;
    bool   phrase = false;
    if (q[i] == '"') {
      phrase = true;
      start  = ++i;
      while (i < len && q[i] != '"') {
        ++i;
      }
      if (i >= len) {
        return fdx_error_set(err, FDX_ERR_BAD_ARG, "q", 0, (long)start,
                             "a quoted phrase is not closed (add a \")");
      }
      end = i++;
    } else {
      start = i;
      while (i < len && q[i] != ' ' && q[i] != '\t' && q[i] != '\n' &&
             q[i] != '\r' && q[i] != '"') {
        ++i;
      }
      end = i;
    }
    if (pq->n_clauses == FDX_SEARCH_MAX_CLAUSES) {
      return fdx_error_set(err, FDX_ERR_LIMIT, "q", 0, 0,
                           "the query has more than %d words and phrases",
                           FDX_SEARCH_MAX_CLAUSES);
    }
    const bool prefix = !phrase && end > start && q[end - 1] == '*';
    QClause* const c  = &pq->clauses[pq->n_clauses];
    memset(c, 0, sizeof(*c));
    c->exclude        = exclude;
    c->phrase         = phrase;
    c->first_word     = pq->n_words;
    pq->have_position = false;
    if (fdx_tokenize(tk, q + start, end - start, FDX_TOKEN_LANG_BOTH,
                     on_query_token, pq) < 0) {
      return FDX_ERR_NO_MEMORY;
    }
    if (pq->overflow) {
      return fdx_error_set(err, FDX_ERR_LIMIT, "q", 0, 0,
                           "the query has too many words");
    }
    if (!c->n_words) {
      continue; /* only stop words or punctuation */
    }
    if (prefix) {
      /* The star belongs to the clause's last word. */
      pq->words[pq->n_words - 1].prefix = true;
    }
    if (c->n_words > 1 && !phrase) {
      /* "COVID-19", "Baden-Württemberg": words that all must match (not
       * checked as a phrase, which costs a second look at every match;
       * quotes ask for that), or an identifier "FDX-ATH-2021", indexed
       * whole.  Excluded, they are a phrase (all of "-COVID-19", not
       * every "covid"). */
      c->phrase = exclude;
      const int n =
        fdx_token_fold(q + start, end - start, c->whole, sizeof(c->whole));
      if (n <= 0) {
        c->whole[0] = '\0';
      }
    }
    ++pq->n_clauses;
  }
  return FDX_SUCCESS;
}

/* ------------------------------------------------------------------------
 * Doc lists
 * --------------------------------------------------------------------- */

typedef struct {
  uint32_t doc;
  uint8_t  tf[N_FIELDS];
} Hit;

typedef struct {
  Hit*    items;
  size_t  n;
  size_t  cap;
  double  idf;
  bool    scored;   /* a word (not a facet filter) */
  bool    borrowed; /* items belong to the columns' postings cache */
} DocList;

static bool
dl_push(DocList* const l, const uint32_t doc, const uint8_t* const tf)
{
  if (l->n == l->cap) {
    const size_t cap   = l->cap ? l->cap * 2 : 256;
    Hit* const   grown = (Hit*)realloc(l->items, cap * sizeof(Hit));
    if (!grown) {
      return false;
    }
    l->items = grown;
    l->cap   = cap;
  }
  l->items[l->n].doc = doc;
  if (tf) {
    memcpy(l->items[l->n].tf, tf, N_FIELDS);
  } else {
    memset(l->items[l->n].tf, 0, N_FIELDS);
  }
  ++l->n;
  return true;
}

static void
dl_free(DocList* const l)
{
  if (!l->borrowed) {
    free(l->items);
  }
  memset(l, 0, sizeof(*l));
}

/* Make room for `n` more entries in `l`. */
static bool
dl_reserve(DocList* const l, const size_t n)
{
  if (l->n + n <= l->cap) {
    return true;
  }
  Hit* const grown = (Hit*)realloc(l->items, (l->n + n) * sizeof(Hit));
  if (!grown) {
    return false;
  }
  l->items = grown;
  l->cap   = l->n + n;
  return true;
}

/* Read the postings of `tid` (`df` of them, as far as known) into a new
 * list. */
static FdxStatus
read_postings(FdxTxn* const txn, const uint32_t tid, const uint32_t df,
              DocList* const out)
{
  /* df is a hint (a damaged one must not ask for gigabytes). */
  if (df && !dl_reserve(out, df < (1u << 24) ? df : (1u << 24))) {
    return FDX_ERR_NO_MEMORY;
  }
  MDB_cursor* cur = NULL;
  int rc = mdb_cursor_open(txn->txn, txn->store->search_postings, &cur);
  if (rc) {
    return fdx_lmdb_status(rc);
  }
  uint8_t kbuf[8];
  put_u32be(kbuf, tid);
  put_u32be(kbuf + 4, 0);
  MDB_val   key = {8, kbuf};
  MDB_val   val;
  FdxStatus st = FDX_SUCCESS;
  rc           = mdb_cursor_get(cur, &key, &val, MDB_SET_RANGE);
  while (!rc && key.mv_size == 8 &&
         get_u32be((const uint8_t*)key.mv_data) == tid) {
    const uint8_t*       p    = (const uint8_t*)val.mv_data;
    const uint8_t* const end  = p + val.mv_size;
    uint32_t             prev = get_u32be((const uint8_t*)key.mv_data + 4);
    while (p < end) {
      Posting post;
      if (!(p = posting_decode(p, end, prev, &post))) {
        st = FDX_ERR_CORRUPT;
        break;
      }
      prev = post.doc;
      if (!dl_push(out, post.doc, post.tf)) {
        st = FDX_ERR_NO_MEMORY;
        break;
      }
    }
    if (st) {
      break;
    }
    rc = mdb_cursor_get(cur, &key, &val, MDB_NEXT);
  }
  mdb_cursor_close(cur);
  if (!st && rc && rc != MDB_NOTFOUND) {
    st = fdx_lmdb_status(rc);
  }
  return st;
}

/* Merge `add` into `acc` (both doc-ordered): union, max tf per field. */
static FdxStatus
dl_union(DocList* const acc, const DocList* const add)
{
  if (!add->n) {
    return FDX_SUCCESS;
  }
  DocList out = {NULL, 0, 0, 0, false, false};
  if (!dl_reserve(&out, acc->n + add->n)) {
    return FDX_ERR_NO_MEMORY;
  }
  size_t  i = 0, j = 0;
  while (i < acc->n || j < add->n) {
    const Hit* h;
    Hit        both;
    if (j >= add->n || (i < acc->n && acc->items[i].doc < add->items[j].doc)) {
      h = &acc->items[i++];
    } else if (i >= acc->n || add->items[j].doc < acc->items[i].doc) {
      h = &add->items[j++];
    } else {
      both = acc->items[i];
      for (int f = 0; f < N_FIELDS; ++f) {
        if (add->items[j].tf[f] > both.tf[f]) {
          both.tf[f] = add->items[j].tf[f];
        }
      }
      h = &both;
      ++i;
      ++j;
    }
    if (!dl_push(&out, h->doc, h->tf)) {
      dl_free(&out);
      return FDX_ERR_NO_MEMORY;
    }
  }
  if (!acc->borrowed) {
    free(acc->items);
  }
  acc->items    = out.items;
  acc->n        = out.n;
  acc->cap      = out.cap;
  acc->borrowed = false;
  return FDX_SUCCESS;
}

/* Add the postings of `tid` (`df` of them) to `acc`: read straight into
 * it when it is empty, else merged. */
static FdxStatus
add_postings(FdxTxn* const txn, SearchColumns* const cols,
             const uint32_t tid, const uint32_t df, DocList* const acc)
{
  DocList   one = {NULL, 0, 0, 0, false, false};
  FdxStatus st  = FDX_SUCCESS;
  if (cols && fdx_search_postings_cacheable(cols, df)) {
    /* A long list: decoded once per snapshot, then shared. */
    const void* items = NULL;
    size_t      n     = 0;
    if (fdx_search_postings_cached(cols, tid, &items, &n)) {
      one.items    = (Hit*)items;
      one.n        = n;
      one.cap      = n;
      one.borrowed = true;
    } else if (!(st = read_postings(txn, tid, df, &one)) &&
               fdx_search_postings_cache(cols, tid, one.items, one.n,
                                         sizeof(Hit), &items, &n)) {
      one.items    = (Hit*)items; /* the cache's now */
      one.n        = n;
      one.cap      = n;
      one.borrowed = true;
    }
  } else if (!acc->n && !acc->borrowed) {
    return read_postings(txn, tid, df, acc);
  } else {
    st = read_postings(txn, tid, df, &one);
  }
  if (!st && !acc->n) { /* `one` becomes the list */
    one.scored = acc->scored;
    one.idf    = acc->idf;
    dl_free(acc);
    *acc = one;
    return FDX_SUCCESS;
  }
  if (!st) {
    st = dl_union(acc, &one);
  }
  dl_free(&one);
  return st;
}

/* Add the postings of the term `term` to `acc`; *ret_df gets its df. */
static FdxStatus
add_term(FdxTxn* const        txn,
         SearchColumns* const cols,
         const uint8_t* const term,
         const size_t         len,
         DocList* const       acc,
         uint32_t* const      ret_df)
{
  uint32_t  tid = 0;
  FdxStatus st  = fdx_search_tid(txn, term, len, &tid);
  if (st) {
    return st == FDX_FAILURE ? FDX_SUCCESS : st;
  }
  uint32_t df = 0;
  if ((st = fdx_search_tid_info(txn, tid, &df, NULL, NULL)) &&
      st != FDX_FAILURE) {
    return st;
  }
  if (ret_df && df > *ret_df) {
    *ret_df = df;
  }
  return add_postings(txn, cols, tid, df, acc);
}

/* The doc list of one query word: its stems, and for a prefix every word
 * term that starts with it. */
static FdxStatus
word_list(FdxTxn* const txn, SearchColumns* const cols, const QWord* const w,
          DocList* const out)
{
  uint32_t  df = 0;
  FdxStatus st = FDX_SUCCESS;
  for (size_t t = 0; t < w->n_terms && !st; ++t) {
    st = add_term(txn, cols, (const uint8_t*)w->terms[t], strlen(w->terms[t]), out,
                  &df);
  }
  if (!st && w->prefix && w->folded[0]) {
    MDB_cursor* cur = NULL;
    int rc = mdb_cursor_open(txn->txn, txn->store->search_terms, &cur);
    if (rc) {
      return fdx_lmdb_status(rc);
    }
    const size_t plen = strlen(w->folded);
    /* Collect the tids first: reading postings uses other cursors. */
    uint32_t* const tids =
      (uint32_t*)malloc(FDX_SEARCH_MAX_EXPANSIONS * sizeof(uint32_t));
    size_t n = 0;
    if (!tids) {
      mdb_cursor_close(cur);
      return FDX_ERR_NO_MEMORY;
    }
    MDB_val key = {plen, (void*)w->folded};
    MDB_val val;
    rc = mdb_cursor_get(cur, &key, &val, MDB_SET_RANGE);
    while (!rc && key.mv_size >= plen &&
           !memcmp(key.mv_data, w->folded, plen) &&
           n < FDX_SEARCH_MAX_EXPANSIONS) {
      if (val.mv_size == 4) {
        memcpy(&tids[n++], val.mv_data, 4);
      }
      rc = mdb_cursor_get(cur, &key, &val, MDB_NEXT);
    }
    mdb_cursor_close(cur);
    if (rc && rc != MDB_NOTFOUND) {
      st = fdx_lmdb_status(rc);
    }
    /* Words that start with the prefix may be stored as a shorter stem
     * ("hospitals" as "hospit" for "hospita*"): the prefix's own
     * beginnings down to three bytes shorter count too. */
    for (size_t k = plen - 1; k + 3 >= plen && k >= 3 && !st; --k) {
      uint32_t tid = 0;
      if (k > 0 && ((uint8_t)w->folded[k] & 0xC0) != 0x80 &&
          n < FDX_SEARCH_MAX_EXPANSIONS &&
          !fdx_search_tid(txn, (const uint8_t*)w->folded, k, &tid)) {
        tids[n++] = tid;
      }
    }
    for (size_t i = 0; i < n && !st; ++i) {
      uint32_t tdf = 0;
      fdx_search_tid_info(txn, tids[i], &tdf, NULL, NULL);
      df = tdf > df ? tdf : df;
      st = add_postings(txn, cols, tids[i], tdf, out);
    }
    free(tids);
  }
  out->scored = true;
  out->idf    = (double)df; /* turned into an idf by the caller */
  return st;
}

/* The doc list of one facet's values (any of them). */
static FdxStatus
facet_list(FdxTxn* const            txn,
           SearchColumns* const     cols,
           const FdxFacet           facet,
           const char* const* const values,
           const size_t             n,
           DocList* const           out)
{
  FdxStatus st = FDX_SUCCESS;
  for (size_t i = 0; i < n && !st; ++i) {
    const char* const v = values[i];
    if (!v) {
      continue;
    }
    uint8_t term[TERM_MAX + 2];
    size_t  tlen = 0;
    if (facet == FDX_FACET_KEYWORD || facet == FDX_FACET_YEAR) {
      tlen = fdx_search_facet_term_text(facet, v, strlen(v), term,
                                        sizeof(term));
      if (!tlen) {
        continue;
      }
      st = add_term(txn, cols, term, tlen, out, NULL);
      continue;
    }
    /* An IRI, else a plain literal of that text, else a literal written
     * as the API lists it: "text"@lang. */
    FdxTerm      forms[3] = {fdx_term_iri(v), fdx_term_literal(v, NULL, NULL),
                             fdx_term_literal("", NULL, NULL)};
    int          n_forms  = 2;
    const size_t vlen     = strlen(v);
    const char*  at       = vlen > 3 ? strstr(v + 1, "\"@") : NULL;
    if (v[0] == '"' && at && at[2]) {
      forms[2].value     = v + 1;
      forms[2].value_len = (size_t)(at - v - 1);
      forms[2].lang      = at + 2;
      forms[2].lang_len  = strlen(at + 2);
      n_forms            = 3;
    }
    for (int f = 0; f < n_forms && !st; ++f) {
      FdxId id = 0;
      st       = fdx_term_id(txn, &forms[f], &id);
      if (st == FDX_FAILURE || st == FDX_ERR_BAD_ARG) {
        st = FDX_SUCCESS;
        continue;
      }
      if (!st) {
        tlen = fdx_search_facet_term_id(facet, id, term);
        st   = add_term(txn, cols, term, tlen, out, NULL);
      }
    }
  }
  out->scored = false;
  return st;
}

/* Advance *pos in `l` to the first doc >= doc (galloping); true if it is
 * doc. */
static bool
dl_seek(const DocList* const l, size_t* const pos, const uint32_t doc)
{
  size_t lo = *pos;
  if (lo >= l->n) {
    return false;
  }
  if (l->items[lo].doc >= doc) {
    return l->items[lo].doc == doc;
  }
  size_t step = 1;
  size_t hi   = lo + 1;
  while (hi < l->n && l->items[hi].doc < doc) {
    lo = hi;
    step *= 2;
    hi = lo + step;
  }
  if (hi > l->n) {
    hi = l->n;
  }
  /* items[lo] < doc, items[hi] >= doc (or hi == n) */
  while (lo + 1 < hi) {
    const size_t mid = lo + (hi - lo) / 2;
    if (l->items[mid].doc < doc) {
      lo = mid;
    } else {
      hi = mid;
    }
  }
  *pos = hi;
  return hi < l->n && l->items[hi].doc == doc;
}

/* ------------------------------------------------------------------------
 * Results
 * --------------------------------------------------------------------- */

typedef struct {
  FdxFacetValue* items;
  size_t         n;
} FacetOut;

struct FdxSearchResultImpl {
  bool          from_columns; /* the docs were read from memory */
  uint64_t      total;
  FdxSearchHit* hits;
  size_t        n_hits;
  FacetOut      facets[FDX_N_FACETS];
  char*         strings; /* facet texts */
  Parsed        parsed;  /* for snippets */
};

/* A kept result with its sort key. */
typedef struct {
  FdxSearchHit hit;
  char         title[TITLE_KEY_MAX];
  uint8_t      title_len;
} Kept;

/* Is a before b in the requested order? */
static inline bool
kept_before(const Kept* const a, const Kept* const b, const FdxSearchSort sort)
{
  switch (sort) {
  case FDX_SEARCH_SORT_RELEVANCE:
    if (a->hit.score != b->hit.score) {
      return a->hit.score > b->hit.score;
    }
    break;
  case FDX_SEARCH_SORT_MODIFIED:
    if (a->hit.has_modified != b->hit.has_modified) {
      return a->hit.has_modified;
    }
    if (a->hit.has_modified && a->hit.modified != b->hit.modified) {
      return a->hit.modified > b->hit.modified;
    }
    break;
  case FDX_SEARCH_SORT_TITLE: {
    const size_t n = a->title_len < b->title_len ? a->title_len : b->title_len;
    const int    c = memcmp(a->title, b->title, n);
    if (c) {
      return c < 0;
    }
    if (a->title_len != b->title_len) {
      return a->title_len < b->title_len;
    }
    break;
  }
  }
  return a->hit.doc < b->hit.doc;
}

/* A heap of the best `cap` results; the root is the worst kept. */
typedef struct {
  Kept*         items;
  size_t        n;
  size_t        cap;
  FdxSearchSort sort;
} Heap;

static void
heap_sift_down(Heap* const h, size_t i)
{
  for (;;) {
    size_t       worst = i;
    const size_t l = 2 * i + 1, r = 2 * i + 2;
    if (l < h->n && kept_before(&h->items[worst], &h->items[l], h->sort)) {
      worst = l;
    }
    if (r < h->n && kept_before(&h->items[worst], &h->items[r], h->sort)) {
      worst = r;
    }
    if (worst == i) {
      return;
    }
    const Kept t    = h->items[i];
    h->items[i]     = h->items[worst];
    h->items[worst] = t;
    i               = worst;
  }
}

static void
heap_offer(Heap* const h, const Kept* const k)
{
  if (!h->cap) {
    return;
  }
  if (h->n < h->cap) {
    size_t i      = h->n++;
    h->items[i]   = *k;
    while (i) {
      const size_t parent = (i - 1) / 2;
      if (!kept_before(&h->items[parent], &h->items[i], h->sort)) {
        break;
      }
      const Kept t       = h->items[i];
      h->items[i]        = h->items[parent];
      h->items[parent]   = t;
      i                  = parent;
    }
    return;
  }
  if (kept_before(k, &h->items[0], h->sort)) {
    h->items[0] = *k;
    heap_sift_down(h, 0);
  }
}

static int
kept_cmp(const void* const va, const void* const vb, void* const vsort)
{
  const Kept* const         a    = (const Kept*)va;
  const Kept* const         b    = (const Kept*)vb;
  const FdxSearchSort       sort = *(const FdxSearchSort*)vsort;
  return kept_before(a, b, sort) ? -1 : kept_before(b, a, sort) ? 1 : 0;
}

/* ------------------------------------------------------------------------
 * Phrases
 * --------------------------------------------------------------------- */

/* The predicates phrases are checked in: the resource's own literals, the
 * links whose targets' names count, and the label predicates. */
#define N_PHRASE_OWN 4
#define N_PHRASE_LINKED 6
static const char* const phrase_own_iris[N_PHRASE_OWN] = {
  DCT "title", DCT "description", DCAT "keyword", DCT "identifier"};
static const char* const phrase_linked_iris[N_PHRASE_LINKED] = {
  DCT "publisher", DCAT "theme", DCT "subject", DCT "type",
  "http://healthdataportal.eu/ns/health#healthCategory",
  "http://healthdataportal.eu/ns/health#healthTheme"};
typedef struct {
  FdxId own[N_PHRASE_OWN];
  FdxId linked[N_PHRASE_LINKED];
  FdxId labels[N_LABEL_IRIS + 1]; /* and skos:altLabel */
} PhrasePreds;

/* Matching one phrase against a text as it is tokenized. */
typedef struct {
  const Parsed*  pq;
  const QClause* clause;
  size_t         matched; /* words of the phrase matched so far */
  uint32_t       last_pos;
  bool           found;
} PhraseState;

static bool
word_matches(const QWord* const w, const FdxToken* const t)
{
  for (size_t i = 0; i < w->n_terms; ++i) {
    if (t->term_len == strlen(w->terms[i]) &&
        !memcmp(t->term, w->terms[i], t->term_len)) {
      return true;
    }
  }
  if (w->prefix) {
    const size_t n = strlen(w->folded);
    return t->folded_len >= n && !memcmp(t->folded, w->folded, n);
  }
  return false;
}

static int
on_phrase_token(void* const ctx, const FdxToken* const t)
{
  PhraseState* const ps = (PhraseState*)ctx;
  if (t->stop) {
    return 0;
  }
  const QWord* const words = ps->pq->words + ps->clause->first_word;
  if (ps->matched && t->position == ps->last_pos) {
    return 0; /* the second stem of a word already looked at */
  }
  if (ps->matched && word_matches(&words[ps->matched], t)) {
    ps->last_pos = t->position;
    if (++ps->matched == ps->clause->n_words) {
      ps->found = true;
      return 1;
    }
    return 0;
  }
  ps->matched = 0;
  if (word_matches(&words[0], t)) {
    ps->matched  = 1;
    ps->last_pos = t->position;
    if (ps->clause->n_words == 1) {
      ps->found = true;
      return 1;
    }
  }
  return 0;
}

/* Tokenize the literal `id` looking for the phrase. */
static FdxStatus
phrase_in_literal(FdxSearch* const search, FdxTxn* const txn, const FdxId id,
                  PhraseState* const ps)
{
  FdxTermBuf      buf;
  const FdxStatus st = fdx_term_get(txn, id, &buf);
  if (st) {
    return st == FDX_FAILURE ? FDX_SUCCESS : st;
  }
  if (buf.term.kind != FDX_TERM_LITERAL) {
    return FDX_SUCCESS;
  }
  char lang[32] = "";
  if (buf.term.lang && buf.term.lang_len < sizeof(lang)) {
    memcpy(lang, buf.term.lang, buf.term.lang_len);
    lang[buf.term.lang_len] = '\0';
  }
  ps->matched = 0;
  if (fdx_tokenize(search->tk, buf.term.value, buf.term.value_len,
                   fdx_token_lang(lang), on_phrase_token, ps) < 0) {
    return FDX_ERR_NO_MEMORY;
  }
  return FDX_SUCCESS;
}

/* Look for the phrase in the labels of `o` (any graph). */
static FdxStatus
phrase_in_labels(FdxSearch* const search, FdxTxn* const txn, const FdxId o,
                 const FdxId* const labels, const size_t n_labels,
                 PhraseState* const ps)
{
  for (size_t i = 0; i < n_labels && !ps->found; ++i) {
    if (!labels[i]) {
      continue;
    }
    const FdxQuad pattern = {o, labels[i], FDX_ID_ANY, FDX_ID_ANY};
    FdxQuadIter*  it      = NULL;
    FdxStatus     st      = fdx_quad_find(txn, &pattern, &it);
    if (st) {
      return st;
    }
    FdxQuad q;
    int     seen = 0;
    while (!ps->found && seen++ < 32 && !(st = fdx_quad_iter_next(it, &q))) {
      st = phrase_in_literal(search, txn, q.o, ps);
      if (st) {
        break;
      }
    }
    fdx_quad_iter_free(it);
    if (st && st != FDX_FAILURE) {
      return st;
    }
  }
  return FDX_SUCCESS;
}

/* Does (g, s) have the phrase in one of its indexed fields: its title,
 * description, keywords, identifiers, or the names of its publisher and
 * the labels of its concepts (as index.c reads them)? */
static FdxStatus
has_phrase(FdxSearch* const     search,
           FdxTxn* const        txn,
           const FdxId          g,
           const FdxId          s,
           const Parsed* const  pq,
           const QClause* const clause,
           const PhrasePreds* const preds,
           bool* const          ret)
{
  PhraseState ps = {pq, clause, 0, 0, false};
  *ret           = false;
  FdxStatus st   = FDX_SUCCESS;
  /* The resource's own texts first; the names of what it links to (a walk
   * over their labels each) only when those lack the phrase. */
  for (int pass = 0; pass < 2 && !ps.found && !st; ++pass) {
    const FdxQuad pattern = {s, FDX_ID_ANY, FDX_ID_ANY, g};
    FdxQuadIter*  it      = NULL;
    if ((st = fdx_quad_find(txn, &pattern, &it))) {
      return st;
    }
    FdxQuad q;
    while (!ps.found && !(st = fdx_quad_iter_next(it, &q))) {
      bool match = false;
      if (!pass) {
        for (size_t i = 0; i < N_PHRASE_OWN && !match; ++i) {
          match = preds->own[i] && preds->own[i] == q.p;
        }
      } else {
        for (size_t i = 0; i < N_PHRASE_LINKED && !match; ++i) {
          match = preds->linked[i] && preds->linked[i] == q.p;
        }
      }
      if (!match) {
        continue;
      }
      st = phrase_in_literal(search, txn, q.o, &ps); /* a literal name too */
      if (!st && pass) {
        st = phrase_in_labels(search, txn, q.o, preds->labels,
                              N_LABEL_IRIS + 1, &ps);
      }
      if (st) {
        break;
      }
    }
    fdx_quad_iter_free(it);
    if (st == FDX_FAILURE) {
      st = FDX_SUCCESS;
    }
  }
  if (st) {
    return st;
  }
  *ret = ps.found;
  return FDX_SUCCESS;
}

/* ------------------------------------------------------------------------
 * Running a search
 * --------------------------------------------------------------------- */

typedef struct {
  FdxSearch*            search;
  FdxTxn*               txn;
  const FdxSearchQuery* query;
  FdxSearchResult*      result;
  SearchCounters        counters;
  double                avg_len[N_FIELDS];
  DocList*              lists; /* required: words, then facet filters */
  size_t                n_lists;
  DocList*              excluded;
  size_t                n_excluded;
  const QClause**       phrases;
  size_t                n_phrases;
  PhrasePreds           phrase_preds;
  Heap                  heap;
  double                deadline;
  unsigned              ticks;
  bool                  german; /* sort by the German titles */
  SearchColumns*        cols;   /* the docs in memory, or NULL: LMDB */
  uint32_t*             lanes;  /* the searcher's, with cols and facets */
} Run;

static FdxStatus
run_poll(Run* r, FdxError* err);

/* Poll the time limit and the cancel callback every so often (inline: it
 * runs once per candidate). */
static inline FdxStatus
run_tick(Run* const r, FdxError* const err)
{
  return ++r->ticks % 1024 ? FDX_SUCCESS : run_poll(r, err);
}

static FdxStatus
run_poll(Run* const r, FdxError* const err)
{
  if (r->deadline > 0 && search_now_s() > r->deadline) {
    return fdx_error_set(err, FDX_ERR_LIMIT, "", 0, 0,
                         "the search took longer than its time limit "
                         "(%.1f s)",
                         r->query->timeout_s);
  }
  if (r->query->cancelled && r->query->cancelled(r->query->cancel_ctx)) {
    return fdx_error_set(err, FDX_ERR_LIMIT, "", 0, 0, "search cancelled");
  }
  return FDX_SUCCESS;
}

/* What scoring, filtering and counting read of a candidate's doc: from
 * its LMDB record (view_of_record) or from the columns (view_of_column). */
typedef struct {
  FdxId           g;
  FdxId           s;
  int64_t         modified;
  const uint16_t* len;
  uint8_t         flags; /* DOC_DATED */
  /* Sort keys (records only): English, then German (TITLE_SAME: none). */
  const uint8_t*  titles;
  uint8_t         title_len_en;
  uint8_t         title_len_de;
  /* Facet values: tids (4 bytes native each, unaligned) in a record, or
   * dense numbers in the columns. */
  const uint8_t*  tids;
  const uint32_t* dense;
  uint32_t        n_facets;
  DocHead         head; /* a record's, copied (len points into it) */
} DocView;

static FdxStatus
view_of_record(const MDB_val* const rec, DocView* const v)
{
  if (rec->mv_size < sizeof(DocHead)) {
    return FDX_ERR_CORRUPT;
  }
  memcpy(&v->head, rec->mv_data, sizeof(v->head));
  const DocHead* const head = &v->head;
  const size_t         de_len =
    head->title_len_de == TITLE_SAME ? 0 : head->title_len_de;
  if (rec->mv_size < sizeof(DocHead) + head->title_len_en + de_len +
                       4 * (size_t)head->n_facets) {
    return FDX_ERR_CORRUPT;
  }
  v->g            = head->g;
  v->s            = head->s;
  v->modified     = head->modified;
  v->len          = head->len;
  v->flags        = head->flags;
  v->titles       = (const uint8_t*)rec->mv_data + sizeof(DocHead);
  v->title_len_en = head->title_len_en;
  v->title_len_de = head->title_len_de;
  v->tids         = v->titles + head->title_len_en + de_len;
  v->dense        = NULL;
  v->n_facets     = head->n_facets;
  return FDX_SUCCESS;
}

/* Doc `doc` of the columns (present there).  Its graph and subject are
 * left 0 (read where needed: phrases, and the page's hits at the end). */
static inline void
view_of_column(const SearchColumns* const c, const uint32_t doc,
               DocView* const v)
{
  const ColRow* const row = &c->rows[c->row_of[doc]];
  v->g                    = 0;
  v->s                    = 0;
  v->modified             = row->modified;
  v->len                  = row->len;
  v->flags                = row->flags & DOC_DATED;
  v->titles               = NULL;
  v->title_len_en         = 0;
  v->title_len_de         = TITLE_SAME;
  v->tids                 = NULL;
  if (row->n_values == ROW_SPILLED) {
    v->dense    = c->spill + row->values[0];
    v->n_facets = row->values[1];
  } else {
    v->dense    = row->values;
    v->n_facets = row->n_values;
  }
}

/* Is doc `doc` in the columns? */
static inline bool
column_present(const SearchColumns* const c, const uint32_t doc)
{
  return doc < c->n_docs && c->row_of[doc] != ROW_NONE;
}

/* The BM25F score of the candidate the required lists' cursors `pos` are
 * at (NULL: no words, 0), whose fields have the lengths `len`. */
static inline double
bm25f(const Run* const r, const size_t* const pos, const uint16_t* const len)
{
  double score = 0;
  for (size_t i = 0; pos && i < r->n_lists; ++i) {
    const DocList* const l = &r->lists[i];
    if (!l->scored) {
      continue;
    }
    const Hit* const h  = &l->items[pos[i]];
    double           tf = 0;
    for (int f = 0; f < N_FIELDS; ++f) {
      if (h->tf[f]) {
        const double norm =
          1 - field_b[f] + field_b[f] * len[f] / r->avg_len[f];
        tf += field_weight[f] * h->tf[f] / (norm > 0.05 ? norm : 0.05);
      }
    }
    score += l->idf * tf / (K1 + tf);
  }
  return score;
}

/* Count the facet values (dense numbers) of a columns doc: in its lane
 * (few values in all), else as count_facet() does (the counters then
 * cover only the values met, so a search matching little costs little
 * however many values the store has). */
static inline bool
count_row_values(Run* const r, const uint32_t doc,
                 const uint32_t* const values, const uint32_t n)
{
  if (r->lanes) {
    uint32_t* const lane =
      r->lanes + (size_t)(doc % COUNT_LANES) * r->cols->n_dense;
    for (uint32_t i = 0; i < n; ++i) {
      ++lane[values[i]];
    }
    return true;
  }
  for (uint32_t i = 0; i < n; ++i) {
    if (!count_facet(r->search, values[i])) {
      return false;
    }
  }
  return true;
}

/* Score, filter and count one candidate.  `pos` holds each required
 * list's cursor, at the doc. */
static FdxStatus
consider(Run* const           r,
         const uint32_t       doc,
         const DocView* const v,
         const size_t* const  pos,
         FdxError* const      err)
{
  const FdxSearchQuery* const q = r->query;
  if (q->has_from || q->has_to) {
    if (!(v->flags & DOC_DATED) ||
        (q->has_from && v->modified < q->modified_from) ||
        (q->has_to && v->modified > q->modified_to)) {
      return FDX_SUCCESS;
    }
  }
  for (size_t i = 0; i < r->n_phrases; ++i) {
    bool         ok  = false;
    const size_t row = r->cols ? r->cols->row_of[doc] : 0;
    const FdxId  g   = r->cols ? r->cols->gs[2 * row] : v->g;
    const FdxId  s   = r->cols ? r->cols->gs[2 * row + 1] : v->s;
    FdxStatus   st = has_phrase(r->search, r->txn, g, s,
                              &r->result->parsed, r->phrases[i],
                              &r->phrase_preds, &ok);
    if (st) {
      return st;
    }
    if (ok == r->phrases[i]->exclude) {
      return FDX_SUCCESS;
    }
  }
  ++r->result->total;
  Kept k;
  memset(&k.hit, 0, sizeof(k.hit));
  k.hit.graph        = v->g;
  k.hit.subject      = v->s;
  k.hit.doc          = doc;
  k.hit.has_modified = (v->flags & DOC_DATED) != 0;
  k.hit.modified     = v->modified;
  k.title_len        = 0;
  if (r->heap.sort == FDX_SEARCH_SORT_TITLE && v->titles) { /* a sort key */
    if (r->german && v->title_len_de != TITLE_SAME) {
      k.title_len = v->title_len_de;
      memcpy(k.title, v->titles + v->title_len_en, v->title_len_de);
    } else {
      k.title_len = v->title_len_en;
      memcpy(k.title, v->titles, v->title_len_en);
    }
  }
  k.hit.score = bm25f(r, pos, v->len);
  heap_offer(&r->heap, &k);
  if (q->facet_limit) {
    if (v->dense) {
      if (!count_row_values(r, doc, v->dense, v->n_facets)) {
        return FDX_ERR_NO_MEMORY;
      }
    } else {
      for (uint32_t i = 0; i < v->n_facets; ++i) {
        uint32_t tid;
        memcpy(&tid, v->tids + 4 * (size_t)i, 4);
        if (!count_facet(r->search, tid)) {
          return FDX_ERR_NO_MEMORY;
        }
      }
    }
  }
  return run_tick(r, err);
}

static int
list_len_cmp(const void* const va, const void* const vb)
{
  const DocList* const a = (const DocList*)va;
  const DocList* const b = (const DocList*)vb;
  return a->n < b->n ? -1 : a->n > b->n;
}

/* Walk the candidates: the docs of the shortest required list that are
 * in every other and in no excluded one; or, with no required list,
 * every doc. */
static FdxStatus
walk(Run* const r, FdxError* const err)
{
  MDB_cursor* docs = NULL;
  int         rc   = mdb_cursor_open(r->txn->txn, r->txn->store->search_docs,
                                     &docs);
  if (rc) {
    return fdx_lmdb_status(rc);
  }
  FdxStatus st = FDX_SUCCESS;
  size_t* const pos  = (size_t*)calloc(r->n_lists + 1, sizeof(size_t));
  size_t* const xpos = (size_t*)calloc(r->n_excluded + 1, sizeof(size_t));
  if (!pos || !xpos) {
    st = FDX_ERR_NO_MEMORY;
  }
  if (!st && !r->n_lists) {
    MDB_val key, val;
    rc = mdb_cursor_get(docs, &key, &val, MDB_FIRST);
    while (!rc && !st) {
      if (key.mv_size == 4) {
        const uint32_t doc = get_u32be((const uint8_t*)key.mv_data);
        bool           out = false;
        for (size_t x = 0; x < r->n_excluded && !out; ++x) {
          out = dl_seek(&r->excluded[x], &xpos[x], doc);
        }
        if (!out) {
          DocView v;
          if (!(st = view_of_record(&val, &v))) {
            st = consider(r, doc, &v, NULL, err);
          }
        }
      }
      if (!st) {
        rc = mdb_cursor_get(docs, &key, &val, MDB_NEXT);
      }
    }
    if (!st && rc != MDB_NOTFOUND) {
      st = fdx_lmdb_status(rc);
    }
  } else if (!st) {
    const DocList* const drive   = &r->lists[0];
    bool                 at_doc  = false; /* the cursor is on a record */
    uint32_t             cur_doc = 0;     /* its doc */
    for (size_t i = 0; i < drive->n && !st; ++i) {
      const uint32_t doc = drive->items[i].doc;
      pos[0]             = i;
      bool in            = true;
      for (size_t l = 1; l < r->n_lists && in; ++l) {
        in = dl_seek(&r->lists[l], &pos[l], doc);
      }
      for (size_t x = 0; x < r->n_excluded && in; ++x) {
        in = !dl_seek(&r->excluded[x], &xpos[x], doc);
      }
      if (!in) {
        continue;
      }
      /* Near the cursor's doc, step to it (dense results read the doc
       * records in order); farther, seek. */
      MDB_val key, val;
      if (at_doc && doc > cur_doc && doc - cur_doc <= 8) {
        do {
          rc = mdb_cursor_get(docs, &key, &val, MDB_NEXT);
          cur_doc = !rc && key.mv_size == 4
                      ? get_u32be((const uint8_t*)key.mv_data)
                      : UINT32_MAX;
        } while (!rc && cur_doc < doc);
      } else {
        uint8_t kbuf[4];
        put_u32be(kbuf, doc);
        key.mv_size = 4;
        key.mv_data = kbuf;
        rc          = mdb_cursor_get(docs, &key, &val, MDB_SET_RANGE);
        cur_doc     = !rc && key.mv_size == 4
                        ? get_u32be((const uint8_t*)key.mv_data)
                        : UINT32_MAX;
      }
      at_doc = !rc;
      if (rc && rc != MDB_NOTFOUND) {
        st = fdx_lmdb_status(rc);
        break;
      }
      if (rc || cur_doc != doc) {
        continue; /* a posting of a doc that is gone: skip it */
      }
      DocView v;
      if (!(st = view_of_record(&val, &v))) {
        st = consider(r, doc, &v, pos, err);
      }
    }
  }
  free(pos);
  free(xpos);
  mdb_cursor_close(docs);
  return st;
}

/* consider() for a doc of the columns (present there), without the
 * general view: the row's lengths, date and facet values straight. */
static inline FdxStatus
consider_row(Run* const r, const uint32_t doc, const size_t* const pos,
             FdxError* const err)
{
  const SearchColumns* const c = r->cols;
  if (r->n_phrases) {
    DocView v;
    view_of_column(c, doc, &v);
    return consider(r, doc, &v, pos, err);
  }
  const ColRow* const         row = &c->rows[c->row_of[doc]];
  const FdxSearchQuery* const q   = r->query;
  const bool                  dated = (row->flags & DOC_DATED) != 0;
  if ((q->has_from || q->has_to) &&
      (!dated || (q->has_from && row->modified < q->modified_from) ||
       (q->has_to && row->modified > q->modified_to))) {
    return FDX_SUCCESS;
  }
  ++r->result->total;
  const double score = bm25f(r, pos, row->len);
  Kept         k;
  k.hit.graph        = 0; /* filled for the page's hits at the end */
  k.hit.subject      = 0;
  k.hit.score        = score;
  k.hit.has_modified = dated;
  k.hit.modified     = row->modified;
  k.hit.doc          = doc;
  k.title_len        = 0;
  /* Most candidates of a big result lose to the worst kept: tell them
   * here, without a call (the columns never sort by title). */
  if (r->heap.n < r->heap.cap ||
      (r->heap.cap && kept_before(&k, &r->heap.items[0], r->heap.sort))) {
    heap_offer(&r->heap, &k);
  }
  if (q->facet_limit) {
    const uint32_t* values = row->values;
    uint32_t        n      = row->n_values;
    if (n == ROW_SPILLED) {
      values = c->spill + row->values[0];
      n      = row->values[1];
    }
    if (!count_row_values(r, doc, values, n)) {
      return FDX_ERR_NO_MEMORY;
    }
  }
  return run_tick(r, err);
}

/* How many candidates ahead walk_columns() prefetches. */
#define PREFETCH_AHEAD 8

/* walk() over the columns: the same candidates in the same order. */
static FdxStatus
walk_columns(Run* const r, FdxError* const err)
{
  const SearchColumns* const c    = r->cols;
  FdxStatus                  st   = FDX_SUCCESS;
  size_t* const              pos  = (size_t*)calloc(r->n_lists + 1,
                                                    sizeof(size_t));
  size_t* const              xpos = (size_t*)calloc(r->n_excluded + 1,
                                                    sizeof(size_t));
  if (!pos || !xpos) {
    free(pos);
    free(xpos);
    return FDX_ERR_NO_MEMORY;
  }
  if (!r->n_lists) {
    for (uint32_t doc = 0; doc < c->n_docs && !st; ++doc) {
      if (c->row_of[doc] == ROW_NONE) {
        continue;
      }
      bool out = false;
      for (size_t x = 0; x < r->n_excluded && !out; ++x) {
        out = dl_seek(&r->excluded[x], &xpos[x], doc);
      }
      if (!out) {
        st = consider_row(r, doc, NULL, err);
      }
    }
  } else {
    const DocList* const drive = &r->lists[0];
    for (size_t i = 0; i < drive->n && !st; ++i) {
      const uint32_t doc = drive->items[i].doc;
      pos[0]             = i;
      bool in            = true;
      /* Candidates come in doc order but far apart: fetch the records of
       * one a few steps ahead while this one is scored. */
      if (i + 2 * PREFETCH_AHEAD < drive->n) {
        const uint32_t ahead = drive->items[i + 2 * PREFETCH_AHEAD].doc;
        if (ahead < c->n_docs) {
          __builtin_prefetch(&c->row_of[ahead]);
        }
      }
      if (i + PREFETCH_AHEAD < drive->n) { /* its row_of is in by now */
        const uint32_t ahead = drive->items[i + PREFETCH_AHEAD].doc;
        if (ahead < c->n_docs && c->row_of[ahead] != ROW_NONE) {
          __builtin_prefetch(&c->rows[c->row_of[ahead]]);
        }
      }
      for (size_t l = 1; l < r->n_lists && in; ++l) {
        in = dl_seek(&r->lists[l], &pos[l], doc);
      }
      for (size_t x = 0; x < r->n_excluded && in; ++x) {
        in = !dl_seek(&r->excluded[x], &xpos[x], doc);
      }
      if (in && column_present(c, doc)) { /* else a doc that is gone */
        st = consider_row(r, doc, pos, err);
      }
    }
  }
  free(pos);
  free(xpos);
  return st;
}

/* A facet value with the text it sorts by on a tie (its IRI or literal,
 * or the keyword or year). */
typedef struct {
  FdxFacetValue value;
  char*         key;
} SortedValue;

static int
facet_value_cmp(const void* const va, const void* const vb)
{
  const SortedValue* const a = (const SortedValue*)va;
  const SortedValue* const b = (const SortedValue*)vb;
  if (a->value.count != b->value.count) {
    return a->value.count > b->value.count ? -1 : 1;
  }
  const int c = strcmp(a->key ? a->key : "", b->key ? b->key : "");
  return c ? c : (a->value.id < b->value.id ? -1 : a->value.id > b->value.id);
}

/* Sort a facet's values by count, then by value. */
static FdxStatus
sort_facet(FdxTxn* const txn, FdxFacetValue* const items, const size_t n)
{
  SortedValue* const sv = (SortedValue*)calloc(n ? n : 1, sizeof(SortedValue));
  if (!sv) {
    return FDX_ERR_NO_MEMORY;
  }
  FdxStatus st = FDX_SUCCESS;
  for (size_t i = 0; i < n && !st; ++i) {
    sv[i].value = items[i];
    if (items[i].text) {
      continue;
    }
    FdxTermBuf buf;
    if (!fdx_term_get(txn, items[i].id, &buf) &&
        !(sv[i].key = strndup(buf.term.value, buf.term.value_len))) {
      st = FDX_ERR_NO_MEMORY;
    }
  }
  if (!st) {
    for (size_t i = 0; i < n; ++i) {
      if (items[i].text) {
        sv[i].key = (char*)items[i].text; /* borrowed */
      }
    }
    qsort(sv, n, sizeof(SortedValue), facet_value_cmp);
    for (size_t i = 0; i < n; ++i) {
      items[i] = sv[i].value;
    }
  }
  for (size_t i = 0; i < n; ++i) {
    if (!sv[i].value.text) {
      free(sv[i].key);
    }
  }
  free(sv);
  return st;
}

/* A facet value's tid and its number of results. */
typedef struct {
  uint32_t tid;
  uint64_t count;
} TidCount;

/* Turn counted facet values into per-facet lists, each by count then by
 * value, cut at the query's facet_limit. */
static FdxStatus
build_facets(Run* const r, const TidCount* const counted, const size_t n)
{
  FdxSearchResult* const res = r->result;
  size_t                 cap[FDX_N_FACETS] = {0};
  size_t                 strings = 0;
  /* Sizes first. */
  for (size_t i = 0; i < n; ++i) {
    const uint8_t* term = NULL;
    size_t         len = 0, slen = 0;
    const uint8_t* shown = NULL;
    if (fdx_search_tid_shown(r->txn, counted[i].tid, NULL, &term, &len,
                             &shown, &slen) ||
        len < 3 || term[0] != TERM_FACET) {
      continue;
    }
    for (int f = 0; f < FDX_N_FACETS; ++f) {
      if (term[1] == (uint8_t)fdx_facet_codes[f]) {
        ++cap[f];
        strings += (slen ? slen : len) + 1;
      }
    }
  }
  for (int f = 0; f < FDX_N_FACETS; ++f) {
    res->facets[f].items =
      (FdxFacetValue*)calloc(cap[f] ? cap[f] : 1, sizeof(FdxFacetValue));
    if (!res->facets[f].items) {
      return FDX_ERR_NO_MEMORY;
    }
  }
  res->strings = (char*)malloc(strings ? strings : 1);
  if (!res->strings) {
    return FDX_ERR_NO_MEMORY;
  }
  size_t used = 0;
  for (size_t i = 0; i < n; ++i) {
    const uint8_t* term = NULL;
    size_t         len = 0, slen = 0;
    const uint8_t* shown = NULL;
    if (fdx_search_tid_shown(r->txn, counted[i].tid, NULL, &term, &len,
                             &shown, &slen) ||
        len < 3 || term[0] != TERM_FACET) {
      continue;
    }
    for (int f = 0; f < FDX_N_FACETS; ++f) {
      if (term[1] != (uint8_t)fdx_facet_codes[f] ||
          res->facets[f].n >= cap[f]) {
        continue;
      }
      FdxFacetValue* const v = &res->facets[f].items[res->facets[f].n++];
      v->count               = counted[i].count;
      if (f == FDX_FACET_KEYWORD || f == FDX_FACET_YEAR) {
        const uint8_t* const text = slen ? shown : term + 2;
        const size_t         tlen = slen ? slen : len - 2;
        if (used + tlen + 1 > strings) {
          --res->facets[f].n;
          continue;
        }
        memcpy(res->strings + used, text, tlen);
        res->strings[used + tlen] = '\0';
        v->text                   = res->strings + used;
        used += tlen + 1;
      } else if (len == 10) {
        v->id = fdx_get_u64(term + 2);
      } else {
        --res->facets[f].n;
      }
    }
  }
  for (int f = 0; f < FDX_N_FACETS; ++f) {
    const FdxStatus st =
      sort_facet(r->txn, res->facets[f].items, res->facets[f].n);
    if (st) {
      return st;
    }
    if (res->facets[f].n > r->query->facet_limit) {
      res->facets[f].n = r->query->facet_limit;
    }
  }
  return FDX_SUCCESS;
}

/* A counted value of the columns. */
typedef struct {
  uint32_t dense;
  uint64_t count;
} DenseCount;

/* By facet, then as sort_facet() orders: count (most first), the text it
 * sorts by, the id. */
static int
dense_count_cmp(const void* const va, const void* const vb, void* const vc)
{
  const SearchColumns* const c = (const SearchColumns*)vc;
  const DenseCount* const    a = (const DenseCount*)va;
  const DenseCount* const    b = (const DenseCount*)vb;
  if (c->dense_facet[a->dense] != c->dense_facet[b->dense]) {
    return c->dense_facet[a->dense] < c->dense_facet[b->dense] ? -1 : 1;
  }
  if (a->count != b->count) {
    return a->count > b->count ? -1 : 1;
  }
  const char* const ka = c->dense_key[a->dense];
  const char* const kb = c->dense_key[b->dense];
  const int         k  = strcmp(ka ? ka : "", kb ? kb : "");
  if (k) {
    return k;
  }
  const FdxId ia = c->dense_id[a->dense], ib = c->dense_id[b->dense];
  return ia < ib ? -1 : ia > ib;
}

/* build_facets() from the columns' lanes (summed, and cleared for the
 * next search) and the values' descriptions copied with the columns: no
 * store look-up per value. */
static FdxStatus
build_column_facets(Run* const r)
{
  const SearchColumns* const c     = r->cols;
  FdxSearchResult* const     res   = r->result;
  const size_t               limit = r->query->facet_limit;
  FdxSearch* const           s     = r->search;
  size_t                     n     = 0;
  const size_t      most = r->lanes ? c->n_dense : s->n_counted;
  DenseCount* const dc   =
    (DenseCount*)malloc((most ? most : 1) * sizeof(DenseCount));
  if (!dc) {
    return FDX_ERR_NO_MEMORY;
  }
  if (r->lanes) { /* summed, and cleared for the next search */
    for (uint32_t d = 0; d < c->n_dense; ++d) {
      uint64_t sum = 0;
      for (size_t l = 0; l < COUNT_LANES; ++l) {
        sum += r->lanes[l * c->n_dense + d];
      }
      if (sum && c->dense_facet[d] < FDX_N_FACETS) {
        dc[n].dense = d;
        dc[n].count = sum;
        ++n;
      }
    }
    memset(r->lanes, 0, COUNT_LANES * (size_t)c->n_dense * sizeof(uint32_t));
    r->lanes = NULL;
  } else { /* the searcher's counters (cleared by counts_reset()) */
    for (size_t i = 0; i < s->n_counted; ++i) {
      const uint32_t d = s->counted[i];
      if (c->dense_facet[d] < FDX_N_FACETS) {
        dc[n].dense = d;
        dc[n].count = s->counts[d];
        ++n;
      }
    }
  }
  qsort_r(dc, n, sizeof(DenseCount), dense_count_cmp, (void*)c);
  /* The first `limit` of each facet, and room for their texts. */
  size_t kept[FDX_N_FACETS] = {0};
  size_t strings            = 0;
  size_t w                  = 0;
  for (size_t i = 0; i < n; ++i) {
    const int f = c->dense_facet[dc[i].dense];
    if (kept[f] < limit) {
      ++kept[f];
      if (f == FDX_FACET_KEYWORD || f == FDX_FACET_YEAR) {
        strings += strlen(c->dense_key[dc[i].dense]) + 1;
      }
      dc[w++] = dc[i];
    }
  }
  FdxStatus st = FDX_SUCCESS;
  for (int f = 0; f < FDX_N_FACETS && !st; ++f) {
    res->facets[f].items =
      (FdxFacetValue*)calloc(kept[f] ? kept[f] : 1, sizeof(FdxFacetValue));
    if (!res->facets[f].items) {
      st = FDX_ERR_NO_MEMORY;
    }
  }
  if (!st && !(res->strings = (char*)malloc(strings ? strings : 1))) {
    st = FDX_ERR_NO_MEMORY;
  }
  size_t used = 0;
  for (size_t i = 0; i < w && !st; ++i) {
    const uint32_t       d = dc[i].dense;
    const int            f = c->dense_facet[d];
    FdxFacetValue* const v = &res->facets[f].items[res->facets[f].n++];
    v->count               = dc[i].count;
    if (f == FDX_FACET_KEYWORD || f == FDX_FACET_YEAR) {
      const size_t len = strlen(c->dense_key[d]);
      memcpy(res->strings + used, c->dense_key[d], len + 1);
      v->text = res->strings + used;
      used += len + 1;
    } else {
      v->id = c->dense_id[d];
    }
  }
  free(dc);
  return st;
}

/* build_facets() from the searcher's counters. */
static FdxStatus
build_counted_facets(Run* const r)
{
  FdxSearch* const s = r->search;
  if (r->cols) {
    return build_column_facets(r);
  }
  TidCount* const  tc =
    (TidCount*)malloc((s->n_counted ? s->n_counted : 1) * sizeof(TidCount));
  if (!tc) {
    return FDX_ERR_NO_MEMORY;
  }
  for (size_t i = 0; i < s->n_counted; ++i) {
    tc[i].tid   = s->counted[i];
    tc[i].count = s->counts[s->counted[i]];
  }
  const FdxStatus st = build_facets(r, tc, s->n_counted);
  free(tc);
  return st;
}

/* Every doc, newest first (see fdx_search_mod_key()): the page straight
 * from the 'm' keys walked backwards, the facets from the document
 * frequencies of their values. */
static FdxStatus
browse_all(Run* const r, FdxError* const err)
{
  FdxSearchResult* const      res = r->result;
  const FdxSearchQuery* const q   = r->query;
  res->total                      = r->counters.docs;
  res->hits = (FdxSearchHit*)malloc((q->limit ? q->limit : 1) *
                                    sizeof(FdxSearchHit));
  if (!res->hits) {
    return FDX_ERR_NO_MEMORY;
  }
  MDB_cursor* cur = NULL;
  int rc = mdb_cursor_open(r->txn->txn, r->txn->store->search_keys, &cur);
  if (rc) {
    return fdx_lmdb_status(rc);
  }
  const uint8_t after = 'm' + 1;
  MDB_val       key   = {1, (void*)&after};
  MDB_val       val;
  rc = mdb_cursor_get(cur, &key, &val, MDB_SET_RANGE);
  rc = mdb_cursor_get(cur, &key, &val, rc == MDB_NOTFOUND ? MDB_LAST : MDB_PREV);
  size_t    seen = 0;
  FdxStatus st   = FDX_SUCCESS;
  while (!rc && key.mv_size == SEARCH_MOD_KEY &&
         ((const uint8_t*)key.mv_data)[0] == 'm' && res->n_hits < q->limit) {
    if (seen++ >= q->offset) {
      const uint32_t doc = ~get_u32be((const uint8_t*)key.mv_data + 9);
      uint8_t        dk[4];
      put_u32be(dk, doc);
      MDB_val dkey = {4, dk};
      MDB_val dval;
      rc = mdb_get(r->txn->txn, r->txn->store->search_docs, &dkey, &dval);
      if (rc || dval.mv_size < sizeof(DocHead)) {
        st = rc ? fdx_lmdb_status(rc) : FDX_ERR_CORRUPT;
        break;
      }
      DocHead head;
      memcpy(&head, dval.mv_data, sizeof(head));
      FdxSearchHit* const hit = &res->hits[res->n_hits++];
      memset(hit, 0, sizeof(*hit));
      hit->graph        = head.g;
      hit->subject      = head.s;
      hit->doc          = doc;
      hit->has_modified = (head.flags & DOC_DATED) != 0;
      hit->modified     = head.modified;
    }
    rc = mdb_cursor_get(cur, &key, &val, MDB_PREV);
  }
  if (!st && rc && rc != MDB_NOTFOUND) {
    st = fdx_lmdb_status(rc);
  }
  mdb_cursor_close(cur);
  if (st || !q->facet_limit) {
    return st;
  }
  /* Every value of every facet, with its df. */
  TidCount* tc    = NULL;
  size_t    n     = 0;
  size_t    cap   = 0;
  MDB_cursor* tcur = NULL;
  if ((rc = mdb_cursor_open(r->txn->txn, r->txn->store->search_terms,
                            &tcur))) {
    return fdx_lmdb_status(rc);
  }
  const uint8_t facets[1] = {TERM_FACET};
  key.mv_size             = 1;
  key.mv_data             = (void*)facets;
  rc = mdb_cursor_get(tcur, &key, &val, MDB_SET_RANGE);
  while (!st && !rc && key.mv_size >= 3 &&
         ((const uint8_t*)key.mv_data)[0] == TERM_FACET) {
    uint32_t tid = 0, df = 0;
    if (val.mv_size == 4) {
      memcpy(&tid, val.mv_data, 4);
    }
    if (val.mv_size == 4 &&
        !fdx_search_tid_info(r->txn, tid, &df, NULL, NULL) && df) {
      if (n == cap) {
        cap                  = cap ? cap * 2 : 256;
        TidCount* const grown = (TidCount*)realloc(tc, cap * sizeof(TidCount));
        if (!grown) {
          st = FDX_ERR_NO_MEMORY;
          break;
        }
        tc = grown;
      }
      tc[n].tid   = tid;
      tc[n].count = df;
      ++n;
    }
    if (!st) {
      st = run_tick(r, err);
    }
    rc = mdb_cursor_get(tcur, &key, &val, MDB_NEXT);
  }
  mdb_cursor_close(tcur);
  if (!st && rc && rc != MDB_NOTFOUND) {
    st = fdx_lmdb_status(rc);
  }
  if (!st) {
    st = build_facets(r, tc, n);
  }
  free(tc);
  return st;
}

FdxStatus
fdx_search_run(FdxSearch* const            search,
               FdxTxn* const               txn,
               const FdxSearchQuery* const query,
               FdxSearchResult** const     ret,
               FdxError* const             err)
{
  if (!search || !txn || !query || !ret) {
    return FDX_ERR_BAD_ARG;
  }
  *ret = NULL;
  if (!search_available(txn)) {
    return fdx_error_set(err, FDX_ERR_UNSUPPORTED, "", 0, 0,
                         "this store has no search index yet: open it once "
                         "for writing (any fairdex command that writes, or "
                         "`fairdex reindex`)");
  }
  if (query->offset > FDX_SEARCH_MAX_WINDOW ||
      query->limit > FDX_SEARCH_MAX_WINDOW - query->offset) {
    return fdx_error_set(err, FDX_ERR_LIMIT, "", 0, 0,
                         "results beyond the first %d cannot be paged to; "
                         "narrow the search",
                         FDX_SEARCH_MAX_WINDOW);
  }
  FdxSearchResult* const res =
    (FdxSearchResult*)calloc(1, sizeof(FdxSearchResult));
  if (!res) {
    return FDX_ERR_NO_MEMORY;
  }
  Run r;
  memset(&r, 0, sizeof(r));
  r.search   = search;
  r.txn      = txn;
  r.query    = query;
  r.result   = res;
  r.deadline = query->timeout_s > 0 ? search_now_s() + query->timeout_s : 0;
  r.german   = query->lang && (query->lang[0] == 'd' || query->lang[0] == 'D') &&
             (query->lang[1] == 'e' || query->lang[1] == 'E') &&
             (!query->lang[2] || query->lang[2] == '-' || query->lang[2] == '_');
  FdxStatus st = parse_query(search->tk, query->q, &res->parsed, err);
  const Parsed* const pq = &res->parsed;
  /* The docs (and long postings lists) from memory when a copy of this
   * snapshot is there; the title sort keys are not copied. */
  if (!st && query->sort != FDX_SEARCH_SORT_TITLE) {
    r.cols            = fdx_search_columns_acquire(txn);
    res->from_columns = r.cols != NULL;
  }
  if (!st) {
    st = fdx_search_counters_get(txn, &r.counters);
  }
  for (int f = 0; f < N_FIELDS; ++f) {
    r.avg_len[f] = r.counters.docs
                     ? (double)r.counters.len_sum[f] / (double)r.counters.docs
                     : 1.0;
    if (r.avg_len[f] < 1) {
      r.avg_len[f] = 1;
    }
  }
  /* Lists: a required list per word of included clauses, one per facet
   * with values; an excluded list per excluded single word. */
  const size_t max_lists = pq->n_words + FDX_N_FACETS + 1;
  r.lists    = (DocList*)calloc(max_lists, sizeof(DocList));
  r.excluded = (DocList*)calloc(pq->n_words + 1, sizeof(DocList));
  r.phrases  = (const QClause**)calloc(pq->n_clauses + 1, sizeof(QClause*));
  if (!st && (!r.lists || !r.excluded || !r.phrases)) {
    st = FDX_ERR_NO_MEMORY;
  }
  bool   any_included = false;
  for (size_t c = 0; c < pq->n_clauses && !st; ++c) {
    const QClause* const clause = &pq->clauses[c];
    any_included = any_included || !clause->exclude;
    if (clause->exclude && !clause->phrase) {
      st = word_list(txn, r.cols, &pq->words[clause->first_word],
                     &r.excluded[r.n_excluded++]);
      continue;
    }
    if (clause->phrase) {
      r.phrases[r.n_phrases++] = clause;
      if (clause->exclude) {
        continue;
      }
    }
    for (size_t w = 0; w < clause->n_words && !st; ++w) {
      DocList* const l = &r.lists[r.n_lists++];
      st = word_list(txn, r.cols, &pq->words[clause->first_word + w], l);
      if (!st && clause->whole[0]) {
        /* Docs with the clause as an identifier have all its words. */
        uint32_t df = 0;
        st = add_term(txn, r.cols, (const uint8_t*)clause->whole,
                      strlen(clause->whole), l, &df);
      }
      if (!st) {
        const double df = l->idf;
        const double n  = (double)r.counters.docs;
        l->idf          = log(1.0 + (n - df + 0.5) / (df + 0.5));
        if (l->idf < 0.01) {
          l->idf = 0.01;
        }
      }
    }
  }
  if (!st && pq->n_clauses && !any_included) {
    st = fdx_error_set(err, FDX_ERR_BAD_ARG, "q", 0, 0,
                       "a query of only exclusions matches nothing to "
                       "exclude from; add a word");
  }
  for (int f = 0; f < FDX_N_FACETS && !st; ++f) {
    if (query->n_values[f]) {
      st = facet_list(txn, r.cols, (FdxFacet)f, query->values[f], query->n_values[f],
                      &r.lists[r.n_lists++]);
    }
  }
  if (!st && r.n_phrases) {
    PhrasePreds* const pp = &r.phrase_preds;
    for (size_t i = 0; i < N_PHRASE_OWN && !st; ++i) {
      st = fdx_iri_id(txn, phrase_own_iris[i], &pp->own[i]);
    }
    for (size_t i = 0; i < N_PHRASE_LINKED && !st; ++i) {
      st = fdx_iri_id(txn, phrase_linked_iris[i], &pp->linked[i]);
    }
    for (size_t i = 0; i < N_LABEL_IRIS && !st; ++i) {
      st = fdx_iri_id(txn, label_iris[i], &pp->labels[i]);
    }
    if (!st) {
      st = fdx_iri_id(txn, SKOS "altLabel", &pp->labels[N_LABEL_IRIS]);
    }
  }
  if (!st) {
    /* Shortest list first: it drives. */
    qsort(r.lists, r.n_lists, sizeof(DocList), list_len_cmp);
    r.heap.cap  = query->offset + query->limit;
    r.heap.sort = query->sort;
    if (query->sort == FDX_SEARCH_SORT_RELEVANCE && !r.n_lists) {
      r.heap.sort = FDX_SEARCH_SORT_MODIFIED;
    }
    bool scored = false;
    for (size_t i = 0; i < r.n_lists; ++i) {
      scored = scored || r.lists[i].scored;
    }
    if (query->sort == FDX_SEARCH_SORT_RELEVANCE && !scored) {
      r.heap.sort = FDX_SEARCH_SORT_MODIFIED;
    }
    r.heap.items =
      (Kept*)malloc((r.heap.cap ? r.heap.cap : 1) * sizeof(Kept));
    if (!r.heap.items) {
      st = FDX_ERR_NO_MEMORY;
    }
  }
  const bool empty_required = r.n_lists && !r.lists[0].n;
  const bool words_unmatched = pq->n_clauses && any_included && !r.n_lists;
  /* Everything, newest first (a catalogue's front page): from the
   * modified order and the facet values' document frequencies, without
   * reading every doc. */
  const bool browse = !st && !r.n_lists && !r.n_excluded && !r.n_phrases &&
                      !pq->n_clauses && !query->has_from && !query->has_to &&
                      r.heap.sort == FDX_SEARCH_SORT_MODIFIED;
  if (browse) {
    st = browse_all(&r, err);
  } else {
    /* Counters per facet value: COUNT_LANES per dense number from the
     * columns, else one per tid. */
    /* Lanes when the search may count more values than the store has
     * (their summing and clearing then costs less than the counting);
     * else counters that cover only the values met. */
    const double work =
      r.cols ? (double)(r.n_lists ? r.lists[0].n : r.cols->n_rows) *
                 r.cols->values_per_row
             : 0;
    if (!st && query->facet_limit && r.cols &&
        (r.cols->n_dense > LANES_MAX_VALUES ||
         work < (double)COUNT_LANES * r.cols->n_dense)) {
      if (!counts_reserve(search, r.cols->n_dense)) {
        st = FDX_ERR_NO_MEMORY;
      }
    } else if (!st && query->facet_limit && r.cols) {
      const size_t want = COUNT_LANES * (size_t)r.cols->n_dense;
      if (want > search->lanes_cap) {
        uint32_t* const lanes = (uint32_t*)calloc(want, sizeof(uint32_t));
        if (!lanes) {
          st = FDX_ERR_NO_MEMORY;
        } else {
          free(search->lanes);
          search->lanes     = lanes;
          search->lanes_cap = want;
        }
      }
      r.lanes = st ? NULL : search->lanes;
    } else if (!st && query->facet_limit &&
               !counts_reserve(search, r.counters.next_tid)) {
      st = FDX_ERR_NO_MEMORY;
    }

    if (!st && !empty_required && !words_unmatched) {
      st = r.cols ? walk_columns(&r, err) : walk(&r, err);
    }
    if (!st && query->facet_limit) {
      st = build_counted_facets(&r);
    }
  }
  if (!st && !browse) {
    /* The page: the heap sorted, after the offset. */
    qsort_r(r.heap.items, r.heap.n, sizeof(Kept), kept_cmp, &r.heap.sort);
    const size_t from = query->offset < r.heap.n ? query->offset : r.heap.n;
    res->n_hits       = r.heap.n - from;
    res->hits = (FdxSearchHit*)malloc((res->n_hits ? res->n_hits : 1) *
                                      sizeof(FdxSearchHit));
    if (!res->hits) {
      st = FDX_ERR_NO_MEMORY;
    } else {
      for (size_t i = 0; i < res->n_hits; ++i) {
        res->hits[i] = r.heap.items[from + i].hit;
        if (r.cols) { /* see view_of_column() */
          const size_t row     = r.cols->row_of[res->hits[i].doc];
          res->hits[i].graph   = r.cols->gs[2 * row];
          res->hits[i].subject = r.cols->gs[2 * row + 1];
        }
      }
    }
  }
  for (size_t i = 0; r.lists && i < r.n_lists; ++i) {
    dl_free(&r.lists[i]);
  }
  for (size_t i = 0; r.excluded && i < r.n_excluded; ++i) {
    dl_free(&r.excluded[i]);
  }
  free(r.lists);
  free(r.excluded);
  free(r.phrases);
  free(r.heap.items);
  counts_reset(search);
  if (r.lanes) { /* not summed (an error): clear them for the next search */
    memset(r.lanes, 0, COUNT_LANES * (size_t)r.cols->n_dense * sizeof(uint32_t));
  }
  fdx_search_columns_release(txn->store, r.cols);
  if (st) {
    fdx_search_result_free(res);
    if (st == FDX_ERR_NO_MEMORY || st == FDX_ERR_CORRUPT ||
        st == FDX_ERR_STORE) {
      fdx_error_set(err, st, "", 0, 0, "search failed: %s",
                    fdx_strerror(st));
    }
    return st;
  }
  *ret = res;
  return FDX_SUCCESS;
}

bool
fdx_search_result_from_columns(const FdxSearchResult* const r)
{
  return r && r->from_columns;
}

uint64_t
fdx_search_result_total(const FdxSearchResult* const r)
{
  return r ? r->total : 0;
}

size_t
fdx_search_result_count(const FdxSearchResult* const r)
{
  return r ? r->n_hits : 0;
}

const FdxSearchHit*
fdx_search_result_hit(const FdxSearchResult* const r, const size_t i)
{
  return r && i < r->n_hits ? &r->hits[i] : NULL;
}

size_t
fdx_search_result_facet_count(const FdxSearchResult* const r,
                              const FdxFacet               facet)
{
  return r && (unsigned)facet < FDX_N_FACETS ? r->facets[facet].n : 0;
}

const FdxFacetValue*
fdx_search_result_facet(const FdxSearchResult* const r,
                        const FdxFacet               facet,
                        const size_t                 i)
{
  return r && (unsigned)facet < FDX_N_FACETS && i < r->facets[facet].n
           ? &r->facets[facet].items[i]
           : NULL;
}

void
fdx_search_result_free(FdxSearchResult* const r)
{
  if (!r) {
    return;
  }
  free(r->hits);
  for (int f = 0; f < FDX_N_FACETS; ++f) {
    free(r->facets[f].items);
  }
  free(r->strings);
  free(r);
}

/* ------------------------------------------------------------------------
 * Snippets
 * --------------------------------------------------------------------- */

typedef struct {
  const Parsed* pq;
  size_t (*spans)[2];
  size_t n;
  size_t cap;
  bool   oom;
} MarkState;

static int
on_mark_token(void* const ctx, const FdxToken* const t)
{
  MarkState* const ms = (MarkState*)ctx;
  if (t->stop) {
    return 0;
  }
  bool hit = false;
  for (size_t c = 0; c < ms->pq->n_clauses && !hit; ++c) {
    const QClause* const clause = &ms->pq->clauses[c];
    if (clause->exclude) {
      continue;
    }
    for (size_t w = 0; w < clause->n_words && !hit; ++w) {
      hit = word_matches(&ms->pq->words[clause->first_word + w], t);
    }
  }
  if (!hit || (ms->n && ms->spans[ms->n - 1][0] == t->start)) {
    return 0;
  }
  if (ms->n == ms->cap) {
    const size_t cap   = ms->cap ? ms->cap * 2 : 16;
    void* const  grown = realloc(ms->spans, cap * sizeof(*ms->spans));
    if (!grown) {
      ms->oom = true;
      return 1;
    }
    ms->spans = (size_t(*)[2])grown;
    ms->cap   = cap;
  }
  ms->spans[ms->n][0] = t->start;
  ms->spans[ms->n][1] = t->end;
  ++ms->n;
  return 0;
}

typedef struct {
  char*  data;
  size_t len;
  size_t cap;
  bool   oom;
} Out;

static void
out_put(Out* const o, const char* const s, const size_t n)
{
  if (o->oom) {
    return;
  }
  if (o->len + n + 1 > o->cap) {
    size_t cap = o->cap ? o->cap : 256;
    while (cap < o->len + n + 1) {
      cap *= 2;
    }
    char* const grown = (char*)realloc(o->data, cap);
    if (!grown) {
      o->oom = true;
      return;
    }
    o->data = grown;
    o->cap  = cap;
  }
  memcpy(o->data + o->len, s, n);
  o->len += n;
  o->data[o->len] = '\0';
}

static void
out_escaped(Out* const o, const char* const s, const size_t n)
{
  size_t from = 0;
  for (size_t i = 0; i < n; ++i) {
    const char* rep = NULL;
    switch (s[i]) {
    case '&': rep = "&amp;"; break;
    case '<': rep = "&lt;"; break;
    case '>': rep = "&gt;"; break;
    case '"': rep = "&quot;"; break;
    case '\'': rep = "&#39;"; break;
    default: break;
    }
    if (rep) {
      out_put(o, s + from, i - from);
      out_put(o, rep, strlen(rep));
      from = i + 1;
    }
  }
  out_put(o, s + from, n - from);
}

/* Move `i` back to the start of a UTF-8 character. */
static size_t
utf8_floor(const char* const s, size_t i)
{
  while (i > 0 && ((unsigned char)s[i] & 0xC0) == 0x80) {
    --i;
  }
  return i;
}

char*
fdx_search_snippet(FdxSearch* const             search,
                   const FdxSearchResult* const result,
                   const char* const            text,
                   const size_t                 len,
                   const char* const            lang,
                   const size_t                 max_bytes)
{
  MarkState ms = {result ? &result->parsed : NULL, NULL, 0, 0, false};
  if (result && search && text && len) {
    if (fdx_tokenize(search->tk, text, len, fdx_token_lang(lang),
                     on_mark_token, &ms) < 0 ||
        ms.oom) {
      free(ms.spans);
      return NULL;
    }
  }
  /* The window: from a little before the first mark. */
  size_t from = 0;
  if (ms.n && ms.spans[0][0] > max_bytes / 4) {
    from = ms.spans[0][0] - max_bytes / 4;
    /* Start at a word: after the next space. */
    while (from < ms.spans[0][0] && text[from] != ' ') {
      ++from;
    }
    if (from < ms.spans[0][0]) {
      ++from;
    }
    from = utf8_floor(text, from);
  }
  size_t to = len;
  if (to - from > max_bytes) {
    to = from + max_bytes;
    /* End at a word. */
    size_t back = to;
    while (back > from + max_bytes / 2 && text[back] != ' ') {
      --back;
    }
    to = text[back] == ' ' ? back : utf8_floor(text, to);
  }
  Out o = {NULL, 0, 0, false};
  out_put(&o, "", 0);
  if (from > 0) {
    out_put(&o, "\xe2\x80\xa6", 3);
  }
  size_t at = from;
  for (size_t i = 0; i < ms.n; ++i) {
    const size_t s = ms.spans[i][0], e = ms.spans[i][1];
    if (s < at || e > to) {
      continue;
    }
    out_escaped(&o, text + at, s - at);
    out_put(&o, "<mark>", 6);
    out_escaped(&o, text + s, e - s);
    out_put(&o, "</mark>", 7);
    at = e;
  }
  out_escaped(&o, text + at, to > at ? to - at : 0);
  if (to < len) {
    out_put(&o, "\xe2\x80\xa6", 3);
  }
  free(ms.spans);
  if (o.oom) {
    free(o.data);
    return NULL;
  }
  return o.data;
}

/* ------------------------------------------------------------------------
 * Labels
 * --------------------------------------------------------------------- */

int
fdx_search_lang_rank(const FdxTerm* const t, const char* const lang)
{
  const size_t n = t->lang ? t->lang_len : 0;
  if (lang && *lang && n) {
    const size_t want = strlen(lang);
    if (n == want && !strncasecmp(t->lang, lang, n)) {
      return 0;
    }
    /* "de" asked, "de-DE" found (or the reverse). */
    const size_t prim = strcspn(lang, "-_");
    if (n >= prim && !strncasecmp(t->lang, lang, prim) &&
        (n == prim || t->lang[prim] == '-')) {
      return 1;
    }
  }
  if (n >= 2 && !strncasecmp(t->lang, "en", 2) && (n == 2 || t->lang[2] == '-')) {
    return 2;
  }
  if (!n) {
    return 3;
  }
  return 4;
}

/* The ids of the label predicates (0: not in the dictionary), from the
 * store's cache: an id once found never changes, and one not found is
 * looked up again only after the dictionary has grown. */
static FdxStatus
label_preds(FdxTxn* const txn, FdxId* const preds)
{
  FdxStore* const store = txn->store;
  pthread_mutex_lock(&store->label_lock);
  bool all = true;
  for (size_t i = 0; i < N_LABEL_IRIS; ++i) {
    all = all && store->label_preds[i];
  }
  FdxStatus st = FDX_SUCCESS;
  if (!all && store->label_next_term != txn->meta.next_term) {
    for (size_t i = 0; i < N_LABEL_IRIS && !st; ++i) {
      if (!store->label_preds[i]) {
        st = fdx_iri_id(txn, label_iris[i], &store->label_preds[i]);
      }
    }
    store->label_next_term = st ? 0 : txn->meta.next_term;
  }
  memcpy(preds, store->label_preds, N_LABEL_IRIS * sizeof(FdxId));
  pthread_mutex_unlock(&store->label_lock);
  return st;
}

FdxStatus
fdx_search_label(FdxTxn* const     txn,
                 const FdxId       id,
                 const char* const lang,
                 FdxTermBuf* const buf)
{
  FdxId           label = 0;
  const FdxStatus st    = fdx_search_label_id(txn, id, lang, &label);
  return st ? st : fdx_term_get(txn, label, buf);
}

FdxStatus
fdx_search_label_id(FdxTxn* const     txn,
                    const FdxId       id,
                    const char* const lang,
                    FdxId* const      ret)
{
  FdxTermBuf  scratch;
  FdxTermBuf* buf = &scratch;
  if (!txn || !ret) {
    return FDX_ERR_BAD_ARG;
  }
  if (fdx_id_is_inline(id)) {
    return FDX_FAILURE;
  }
  FdxId     preds[N_LABEL_IRIS];
  FdxStatus st = label_preds(txn, preds);
  if (st) {
    return st;
  }
  /* One walk over the subject's quads, in every graph. */
  const FdxQuad pattern = {id, FDX_ID_ANY, FDX_ID_ANY, FDX_ID_ANY};
  FdxQuadIter*  it      = NULL;
  if ((st = fdx_quad_find(txn, &pattern, &it))) {
    return st;
  }
  FdxId   best      = 0;
  int     best_rank = 1000;
  FdxQuad q;
  int     seen = 0;
  while (!(st = fdx_quad_iter_next(it, &q)) && seen < 256) {
    size_t i = 0;
    while (i < N_LABEL_IRIS && (!preds[i] || preds[i] != q.p)) {
      ++i;
    }
    if (i == N_LABEL_IRIS || q.o == best) {
      continue;
    }
    ++seen;
    if ((st = fdx_term_get(txn, q.o, buf))) {
      if (st == FDX_FAILURE) {
        continue;
      }
      break;
    }
    if (buf->term.kind != FDX_TERM_LITERAL) {
      continue;
    }
    /* Predicate order breaks ties: ranks step by 10 per language. */
    const int rank = fdx_search_lang_rank(&buf->term, lang) * 10 + (int)i;
    if (rank < best_rank) {
      best_rank = rank;
      best      = q.o;
    }
  }
  fdx_quad_iter_free(it);
  if (st && st != FDX_FAILURE) {
    return st;
  }
  if (!best) {
    return FDX_FAILURE;
  }
  *ret = best;
  return FDX_SUCCESS;
}

/* ------------------------------------------------------------------------
 * Finding documents by IRI
 * --------------------------------------------------------------------- */

FdxStatus
fdx_search_find(FdxTxn* const     txn,
                const char* const iri,
                const bool        by_hash,
                void (*fn)(void* ctx, FdxId graph, FdxId subject),
                void* const ctx)
{
  if (!txn || !iri || !fn) {
    return FDX_ERR_BAD_ARG;
  }
  if (!search_available(txn)) {
    return FDX_ERR_UNSUPPORTED;
  }
  MDB_cursor* cur = NULL;
  int rc = mdb_cursor_open(txn->txn, txn->store->search_keys, &cur);
  if (rc) {
    return fdx_lmdb_status(rc);
  }
  bool found = false;
  if (by_hash) {
    /* 'h', 8 bytes, doc: the doc's record gives (g, s). */
    if (strlen(iri) != 17 || iri[0] != 'x') {
      mdb_cursor_close(cur);
      return FDX_FAILURE;
    }
    uint8_t prefix[9];
    prefix[0] = 'h';
    for (int i = 0; i < 8; ++i) {
      unsigned v = 0;
      for (int j = 0; j < 2; ++j) {
        const char c = iri[1 + 2 * i + j];
        v <<= 4;
        if (c >= '0' && c <= '9') {
          v |= (unsigned)(c - '0');
        } else if (c >= 'a' && c <= 'f') {
          v |= (unsigned)(c - 'a' + 10);
        } else {
          mdb_cursor_close(cur);
          return FDX_FAILURE;
        }
      }
      prefix[1 + i] = (uint8_t)v;
    }
    MDB_val key = {9, prefix};
    MDB_val val;
    rc = mdb_cursor_get(cur, &key, &val, MDB_SET_RANGE);
    while (!rc && key.mv_size == 13 && !memcmp(key.mv_data, prefix, 9)) {
      const uint32_t doc = get_u32be((const uint8_t*)key.mv_data + 9);
      uint8_t        dk[4];
      put_u32be(dk, doc);
      MDB_val dkey = {4, dk};
      MDB_val dval;
      if (!mdb_get(txn->txn, txn->store->search_docs, &dkey, &dval) &&
          dval.mv_size >= sizeof(DocHead)) {
        DocHead head;
        memcpy(&head, dval.mv_data, sizeof(head));
        fn(ctx, head.g, head.s);
        found = true;
      }
      rc = mdb_cursor_get(cur, &key, &val, MDB_NEXT);
    }
  } else {
    FdxId           s    = 0;
    const FdxTerm   term = fdx_term_iri(iri);
    const FdxStatus st   = fdx_term_id(txn, &term, &s);
    if (st) {
      mdb_cursor_close(cur);
      return st == FDX_ERR_BAD_ARG ? FDX_FAILURE : st;
    }
    uint8_t prefix[9];
    prefix[0] = 'k';
    fdx_put_u64(prefix + 1, s);
    MDB_val key = {9, prefix};
    MDB_val val;
    rc = mdb_cursor_get(cur, &key, &val, MDB_SET_RANGE);
    while (!rc && key.mv_size == 17 && !memcmp(key.mv_data, prefix, 9)) {
      fn(ctx, fdx_get_u64((const uint8_t*)key.mv_data + 9), s);
      found = true;
      rc    = mdb_cursor_get(cur, &key, &val, MDB_NEXT);
    }
  }
  mdb_cursor_close(cur);
  if (rc && rc != MDB_NOTFOUND) {
    return fdx_lmdb_status(rc);
  }
  return found ? FDX_SUCCESS : FDX_FAILURE;
}

FdxStatus
fdx_search_stats(FdxTxn* const txn, FdxSearchStats* const ret)
{
  if (!txn || !ret) {
    return FDX_ERR_BAD_ARG;
  }
  SearchCounters  c;
  const FdxStatus st = fdx_search_counters_get(txn, &c);
  if (!st) {
    ret->documents = c.docs;
    ret->terms     = c.next_tid;
  }
  return st;
}

/* ------------------------------------------------------------------------
 * Suggestions
 * --------------------------------------------------------------------- */

typedef struct {
  uint32_t df;
  uint32_t tid;
} KwCand;

static int
kw_cmp(const void* const va, const void* const vb)
{
  const KwCand* const a = (const KwCand*)va;
  const KwCand* const b = (const KwCand*)vb;
  if (a->df != b->df) {
    return a->df > b->df ? -1 : 1;
  }
  return a->tid < b->tid ? -1 : a->tid > b->tid;
}

/* Does a word of the folded `label` start with `prefix`? */
static bool
label_has_prefix(const char* const label, const char* const prefix)
{
  const size_t n = strlen(prefix);
  for (const char* p = label; *p;) {
    if (!strncmp(p, prefix, n)) {
      return true;
    }
    while (*p && *p != ' ' && *p != '-' && *p != '/') {
      ++p;
    }
    while (*p == ' ' || *p == '-' || *p == '/') {
      ++p;
    }
  }
  return false;
}

FdxStatus
fdx_search_suggest(FdxSearch* const  search,
                   FdxTxn* const     txn,
                   const char* const prefix,
                   const size_t      limit,
                   const char* const lang,
                   void (*fn)(void* ctx, const FdxSuggestion* suggestion),
                   void* const ctx)
{
  if (!search || !txn || !prefix || !fn) {
    return FDX_ERR_BAD_ARG;
  }
  if (!search_available(txn)) {
    return FDX_ERR_UNSUPPORTED;
  }
  char      folded[TERM_MAX + 1];
  const int flen = fdx_token_fold(prefix, strlen(prefix), folded,
                                  sizeof(folded) - 8);
  if (flen <= 0 || strlen(prefix) > 200) {
    return FDX_ERR_BAD_ARG;
  }
  size_t      given = 0;
  MDB_cursor* cur   = NULL;
  int rc = mdb_cursor_open(txn->txn, txn->store->search_terms, &cur);
  if (rc) {
    return fdx_lmdb_status(rc);
  }
  FdxStatus st = FDX_SUCCESS;

  /* Keywords that start with the prefix, most used first. */
  {
    uint8_t  k[TERM_MAX + 4];
    k[0] = TERM_FACET;
    k[1] = (uint8_t)fdx_facet_codes[FDX_FACET_KEYWORD];
    memcpy(k + 2, folded, (size_t)flen);
    KwCand cands[256];
    size_t n   = 0;
    MDB_val key = {(size_t)flen + 2, k};
    MDB_val val;
    rc = mdb_cursor_get(cur, &key, &val, MDB_SET_RANGE);
    while (!rc && key.mv_size >= (size_t)flen + 2 &&
           !memcmp(key.mv_data, k, (size_t)flen + 2) && n < 256) {
      if (val.mv_size == 4) {
        uint32_t tid;
        memcpy(&tid, val.mv_data, 4);
        uint32_t df = 0;
        fdx_search_tid_info(txn, tid, &df, NULL, NULL);
        if (df) {
          cands[n++] = (KwCand){df, tid};
        }
      }
      rc = mdb_cursor_get(cur, &key, &val, MDB_NEXT);
    }
    qsort(cands, n, sizeof(KwCand), kw_cmp);
    for (size_t i = 0; i < n && given < limit; ++i) {
      const uint8_t* term  = NULL;
      const uint8_t* shown = NULL;
      size_t         len = 0, slen = 0;
      if (!fdx_search_tid_shown(txn, cands[i].tid, NULL, &term, &len, &shown,
                                &slen) &&
          len > 2) {
        const FdxSuggestion s = {
          FDX_SUGGEST_KEYWORD, slen ? (const char*)shown : (const char*)term + 2,
          slen ? slen : len - 2, 0};
        fn(ctx, &s);
        ++given;
      }
    }
  }

  /* Concepts used as themes whose label has a word with the prefix. */
  if (given < limit) {
    uint8_t k[2] = {TERM_FACET, (uint8_t)fdx_facet_codes[FDX_FACET_THEME]};
    size_t  scanned = 0;
    MDB_val key     = {2, k};
    MDB_val val;
    FdxId   ids[2048];
    size_t  n_ids = 0;
    rc = mdb_cursor_get(cur, &key, &val, MDB_SET_RANGE);
    while (!rc && key.mv_size == 10 && !memcmp(key.mv_data, k, 2) &&
           scanned++ < 2048) {
      uint32_t tid = 0, df = 0;
      if (val.mv_size == 4) {
        memcpy(&tid, val.mv_data, 4);
      }
      if (val.mv_size == 4 &&
          !fdx_search_tid_info(txn, tid, &df, NULL, NULL) && df) {
        ids[n_ids++] = fdx_get_u64((const uint8_t*)key.mv_data + 2);
      }
      rc = mdb_cursor_get(cur, &key, &val, MDB_NEXT);
    }
    for (size_t i = 0; i < n_ids && given < limit && !st; ++i) {
      FdxTermBuf buf;
      st = fdx_search_label(txn, ids[i], lang, &buf);
      if (st == FDX_FAILURE) {
        st = FDX_SUCCESS;
        continue;
      }
      if (st) {
        break;
      }
      char      lf[TERM_MAX + 1];
      const int n_lf = fdx_token_fold(buf.term.value,
                                      buf.term.value_len < 200
                                        ? buf.term.value_len
                                        : 200,
                                      lf, sizeof(lf));
      if (n_lf > 0 && label_has_prefix(lf, folded)) {
        const FdxSuggestion s = {FDX_SUGGEST_CONCEPT, buf.term.value,
                                 buf.term.value_len, ids[i]};
        fn(ctx, &s);
        ++given;
      }
    }
  }

  /* Titles that start with the prefix, each as written, with a resource
   * that has it. */
  if (given < limit && !st) {
    uint8_t k[TERM_MAX + 4];
    k[0] = TERM_TITLE;
    memcpy(k + 1, folded, (size_t)flen);
    MDB_val  key     = {(size_t)flen + 1, k};
    MDB_val  val;
    uint32_t tids[64];
    size_t   n       = 0;
    size_t   scanned = 0;
    rc = mdb_cursor_get(cur, &key, &val, MDB_SET_RANGE);
    while (!rc && key.mv_size >= (size_t)flen + 1 &&
           !memcmp(key.mv_data, k, (size_t)flen + 1) && n < 64 &&
           scanned++ < 1024) {
      if (val.mv_size == 4) {
        memcpy(&tids[n++], val.mv_data, 4);
      }
      rc = mdb_cursor_get(cur, &key, &val, MDB_NEXT);
    }
    for (size_t i = 0; i < n && given < limit && !st; ++i) {
      uint32_t       df    = 0;
      const uint8_t* shown = NULL;
      size_t         slen  = 0;
      if (fdx_search_tid_shown(txn, tids[i], &df, NULL, NULL, &shown,
                               &slen) ||
          !df || !slen) {
        continue;
      }
      /* The first resource with the title. */
      DocList one = {NULL, 0, 0, 0, false, false};
      if ((st = read_postings(txn, tids[i], 0, &one))) {
        break;
      }
      FdxId subject = 0;
      for (size_t j = 0; j < one.n && !subject; ++j) {
        uint8_t dk[4];
        put_u32be(dk, one.items[j].doc);
        MDB_val dkey = {4, dk};
        MDB_val dval;
        if (!mdb_get(txn->txn, txn->store->search_docs, &dkey, &dval) &&
            dval.mv_size >= sizeof(DocHead)) {
          DocHead head;
          memcpy(&head, dval.mv_data, sizeof(head));
          subject = head.s;
        }
      }
      dl_free(&one);
      if (subject) {
        const FdxSuggestion sug = {FDX_SUGGEST_TITLE, (const char*)shown, slen,
                                   subject};
        fn(ctx, &sug);
        ++given;
      }
    }
  }
  mdb_cursor_close(cur);
  if (!st && rc && rc != MDB_NOTFOUND) {
    st = fdx_lmdb_status(rc);
  }
  return st;
}
