/*
 * history.c: the vocabulary history.  An edit goes through a change set,
 * which adds and removes quads and remembers each that really changed the
 * store; the history entry written in the same transaction keeps who,
 * when, what kind of change, and those quads as N-Quads lines, so the
 * entry reads well in JSON and a revert can parse it back.
 *
 * Tables: "vocab_history" maps an 8-byte big-endian id to the entry's
 * JSON; "vocab_history_concept" maps the FNV-1a hash of a concept IRI and
 * an id (8 + 8 bytes) to nothing, the per-concept index; "settings" key
 * "vocab_history_next" holds the next id.
 */
#include "vocab_impl.h"

#include <stdlib.h>
#include <string.h>

#define NEXT_KEY "vocab_history_next"
/* An entry larger than this keeps counts, not statements (and cannot be
 * reverted): a whole vocabulary replaced by an import, say. */
#define MAX_ENTRY_BYTES ((size_t)8 << 20)

void
change_init(ChangeSet* const cs, FdxTxn* const txn)
{
  memset(cs, 0, sizeof(*cs));
  cs->txn = txn;
}

void
change_free(ChangeSet* const cs)
{
  free(cs->removed.quads);
  free(cs->added.quads);
  memset(cs, 0, sizeof(*cs));
}

static FdxStatus
list_push(QuadList* const l, const FdxQuad* const q)
{
  if (l->n == l->cap) {
    const size_t   cap   = l->cap ? l->cap * 2 : 32;
    FdxQuad* const grown = (FdxQuad*)realloc(l->quads, cap * sizeof(FdxQuad));
    if (!grown) {
      return FDX_ERR_NO_MEMORY;
    }
    l->quads = grown;
    l->cap   = cap;
  }
  l->quads[l->n++] = *q;
  return FDX_SUCCESS;
}

FdxStatus
change_add(ChangeSet* const cs, const FdxId s, const FdxId p, const FdxId o,
           const FdxId g)
{
  const FdxQuad   q  = {s, p, o, g};
  const FdxStatus st = fdx_quad_add(cs->txn, &q);
  if (st == FDX_FAILURE) {
    return FDX_SUCCESS;
  }
  return st ? st : list_push(&cs->added, &q);
}

FdxStatus
change_remove(ChangeSet* const cs, const FdxId s, const FdxId p,
              const FdxId o, const FdxId g)
{
  const FdxQuad   q  = {s, p, o, g};
  const FdxStatus st = fdx_quad_remove(cs->txn, &q);
  if (st == FDX_FAILURE) {
    return FDX_SUCCESS;
  }
  return st ? st : list_push(&cs->removed, &q);
}

static int
cmp_quad(const void* const a, const void* const b)
{
  return memcmp(a, b, sizeof(FdxQuad));
}

/* Drop the quads both removed and added: their net change is nothing. */
static void
cancel_out(ChangeSet* const cs)
{
  QuadList* const r = &cs->removed;
  QuadList* const a = &cs->added;
  if (r->n) {
    qsort(r->quads, r->n, sizeof(FdxQuad), cmp_quad);
  }
  if (a->n) {
    qsort(a->quads, a->n, sizeof(FdxQuad), cmp_quad);
  }
  size_t i = 0, j = 0, ri = 0, aj = 0;
  while (i < r->n || j < a->n) {
    const int c = i == r->n   ? 1
                  : j == a->n ? -1
                              : cmp_quad(&r->quads[i], &a->quads[j]);
    if (c == 0) {
      ++i;
      ++j;
    } else if (c < 0) {
      r->quads[ri++] = r->quads[i++];
    } else {
      a->quads[aj++] = a->quads[j++];
    }
  }
  r->n = ri;
  a->n = aj;
}

/* The quads as an array of N-Quads lines. */
static FdxStatus
quads_json(FdxTxn* const txn, const QuadList* const l, json_t** const ret,
           size_t* const bytes)
{
  json_t* const list = json_array();
  FdxStatus     st   = list ? FDX_SUCCESS : FDX_ERR_NO_MEMORY;
  for (size_t i = 0; i < l->n && !st; ++i) {
    const FdxQuad* const q = &l->quads[i];
    VStr line = {0};
    if (!(st = vocab_term_nt(txn, q->s, &line))) {
      vstr_puts(&line, " ");
      if (!(st = vocab_term_nt(txn, q->p, &line))) {
        vstr_puts(&line, " ");
        st = vocab_term_nt(txn, q->o, &line);
      }
    }
    if (!st && q->g != FDX_ID_DEFAULT_GRAPH) {
      vstr_puts(&line, " ");
      st = vocab_term_nt(txn, q->g, &line);
    }
    vstr_puts(&line, " .");
    if (!st && line.failed) {
      st = FDX_ERR_NO_MEMORY;
    }
    if (!st) {
      *bytes += line.len + 4;
      json_array_append_new(list, json_stringn(line.data, line.len));
    }
    vstr_free(&line);
  }
  if (st) {
    json_decref(list);
    return st;
  }
  *ret = list;
  return FDX_SUCCESS;
}

static void
put_be64(uint8_t* const out, const uint64_t v)
{
  for (int i = 0; i < 8; ++i) {
    out[i] = (uint8_t)(v >> (56 - 8 * i));
  }
}

static uint64_t
get_be64(const uint8_t* const in)
{
  uint64_t v = 0;
  for (int i = 0; i < 8; ++i) {
    v = (v << 8) | in[i];
  }
  return v;
}

static uint64_t
iri_hash_n(const char* const iri, const size_t len)
{
  uint64_t h = 0xcbf29ce484222325ull;
  for (size_t i = 0; i < len; ++i) {
    h ^= (unsigned char)iri[i];
    h *= 0x100000001b3ull;
  }
  return h;
}

static uint64_t
iri_hash(const char* const iri)
{
  return iri_hash_n(iri, strlen(iri));
}

/* True if `entry` changed statements about `iri` (or names it). */
static bool
entry_about(const json_t* const entry, const char* const iri)
{
  const char* const about =
    json_string_value(json_object_get(entry, "concept"));
  if (about && !strcmp(about, iri)) {
    return true;
  }
  const size_t n = strlen(iri);
  for (int pass = 0; pass < 2; ++pass) {
    size_t        i;
    const json_t* line;
    json_array_foreach(json_object_get(entry, pass ? "added" : "removed"), i,
                       line)
    {
      const char* const text = json_string_value(line);
      if (text && text[0] == '<' && !strncmp(text + 1, iri, n) &&
          text[n + 1] == '>') {
        return true;
      }
    }
  }
  return json_is_true(json_object_get(entry, "truncated"));
}

bool
change_has_net(ChangeSet* const cs)
{
  cancel_out(cs);
  return cs->removed.n || cs->added.n;
}

FdxStatus
history_append(ChangeSet* const cs, const char* const who,
               const char* const action, const char* const scheme,
               const char* const concept, const uint64_t reverts,
               FdxVocabResult* const result)
{
  FdxTxn* const txn = cs->txn;
  cancel_out(cs);
  if (!cs->removed.n && !cs->added.n) {
    result->change     = 0; /* nothing changed: nothing to remember */
    result->generation = fdx_txn_generation(txn);
    return FDX_SUCCESS;
  }
  uint64_t    id  = 1;
  const void* val = NULL;
  size_t      n   = 0;
  FdxStatus   st  = fdx_aux_get(txn, SETTINGS_TABLE, NEXT_KEY,
                                strlen(NEXT_KEY), &val, &n);
  if (st == FDX_SUCCESS && n == 8) {
    id = get_be64((const uint8_t*)val);
  } else if (st && st != FDX_FAILURE) {
    return st;
  }
  char at[32];
  vocab_now(at);
  json_t* removed = NULL;
  json_t* added   = NULL;
  size_t  bytes   = 0;
  if ((st = quads_json(txn, &cs->removed, &removed, &bytes)) ||
      (st = quads_json(txn, &cs->added, &added, &bytes))) {
    json_decref(removed);
    return st;
  }
  json_t* const entry = json_pack(
    "{s:I, s:s, s:s, s:s, s:s?, s:s?, s:I}", "id", (json_int_t)id, "at", at,
    "who", who ? who : "unknown", "action", action, "scheme", scheme,
    "concept", concept, "generation", (json_int_t)fdx_txn_generation(txn));
  if (!entry) {
    json_decref(removed);
    json_decref(added);
    return FDX_ERR_NO_MEMORY;
  }
  if (bytes > MAX_ENTRY_BYTES) {
    json_decref(removed);
    json_decref(added);
    json_object_set_new(entry, "removed_count",
                        json_integer((json_int_t)cs->removed.n));
    json_object_set_new(entry, "added_count",
                        json_integer((json_int_t)cs->added.n));
    json_object_set_new(entry, "truncated", json_true());
  } else {
    json_object_set_new(entry, "removed", removed);
    json_object_set_new(entry, "added", added);
  }
  if (reverts) {
    json_object_set_new(entry, "reverts", json_integer((json_int_t)reverts));
  }
  char* const text = json_dumps(entry, JSON_COMPACT);
  json_decref(entry);
  if (!text) {
    return FDX_ERR_NO_MEMORY;
  }
  uint8_t key[16];
  put_be64(key, id);
  st = fdx_aux_put(txn, HISTORY_TABLE, key, 8, text, strlen(text));
  free(text);
  /* Index the entry under every IRI whose statements it changed (a
   * concept edit also changes the concepts it links to). */
  FdxId last = FDX_ID_ANY;
  for (int pass = 0; pass < 2 && !st; ++pass) {
    const QuadList* const l = pass ? &cs->added : &cs->removed;
    for (size_t i = 0; i < l->n && !st; ++i) {
      if (l->quads[i].s == last) {
        continue;
      }
      last = l->quads[i].s;
      FdxTermBuf buf;
      if (fdx_term_get(txn, last, &buf) || buf.term.kind != FDX_TERM_IRI) {
        continue;
      }
      put_be64(key, iri_hash_n(buf.term.value, buf.term.value_len));
      put_be64(key + 8, id);
      st = fdx_aux_put(txn, HISTORY_BY_CONCEPT_TABLE, key, 16, "", 0);
    }
  }
  uint8_t next[8];
  put_be64(next, id + 1);
  if (!st) {
    st = fdx_aux_put(txn, SETTINGS_TABLE, NEXT_KEY, strlen(NEXT_KEY), next, 8);
  }
  if (!st) {
    result->change     = id;
    result->generation = fdx_txn_generation(txn);
  }
  return st;
}

/* ------------------------------------------------------------------------
 * Reading the history
 * --------------------------------------------------------------------- */

typedef struct {
  FdxTxn*     txn;
  json_t*     list;
  size_t      limit;
  uint64_t    last;
  uint64_t    hash; /* per-concept walk: the concept's IRI hash */
  const char* concept;
  FdxStatus   st;
} HistoryWalk;

static FdxStatus
read_entry(HistoryWalk* const w, const uint64_t id, const bool check_concept)
{
  uint8_t key[8];
  put_be64(key, id);
  const void* val = NULL;
  size_t      n   = 0;
  FdxStatus   st  = fdx_aux_get(w->txn, HISTORY_TABLE, key, 8, &val, &n);
  if (st) {
    return st == FDX_FAILURE ? FDX_SUCCESS : st;
  }
  json_error_t  jerr;
  json_t* const entry = json_loadb((const char*)val, n, 0, &jerr);
  if (!entry) {
    return FDX_ERR_CORRUPT;
  }
  if (check_concept && !entry_about(entry, w->concept)) {
    json_decref(entry); /* a hash collision */
    return FDX_SUCCESS;
  }
  json_array_append_new(w->list, entry);
  w->last = id;
  return json_array_size(w->list) >= w->limit ? FDX_FAILURE : FDX_SUCCESS;
}

static FdxStatus
walk_all(void* const ctx, const void* const key, const size_t key_len,
         const void* const val, const size_t val_len)
{
  (void)val;
  (void)val_len;
  HistoryWalk* const w = (HistoryWalk*)ctx;
  if (key_len != 8) {
    return FDX_ERR_CORRUPT;
  }
  return read_entry(w, get_be64((const uint8_t*)key), false);
}

static FdxStatus
walk_concept(void* const ctx, const void* const key, const size_t key_len,
             const void* const val, const size_t val_len)
{
  (void)val;
  (void)val_len;
  HistoryWalk* const w = (HistoryWalk*)ctx;
  if (key_len != 16 || get_be64((const uint8_t*)key) != w->hash) {
    return FDX_FAILURE; /* past this concept's entries */
  }
  return read_entry(w, get_be64((const uint8_t*)key + 8), true);
}

void
fdx_vocab_history(FdxTxn* const txn, const uint64_t since, const size_t limit,
                  const char* const concept_iri, FdxVocabResult* const result)
{
  vr_reset(result);
  result->generation = fdx_txn_generation(txn);
  HistoryWalk w = {txn, json_array(), limit ? limit : 1, since, 0,
                   concept_iri, FDX_SUCCESS};
  uint8_t   after[16];
  FdxStatus st;
  if (concept_iri) {
    w.hash = iri_hash(concept_iri);
    put_be64(after, w.hash);
    put_be64(after + 8, since);
    st = fdx_aux_each(txn, HISTORY_BY_CONCEPT_TABLE, after, 16, walk_concept,
                      &w);
  } else {
    put_be64(after, since);
    st = fdx_aux_each(txn, HISTORY_TABLE, since ? after : NULL,
                      since ? 8 : 0, walk_all, &w);
  }
  if (st && st != FDX_FAILURE) {
    json_decref(w.list);
    vr_fail(result, FDX_VOCAB_FAILED, "internal_error",
            "cannot read the history: %s", fdx_strerror(st));
    return;
  }
  result->body = json_pack("{s:o, s:I}", "changes", w.list, "next",
                           (json_int_t)w.last);
}

/* ------------------------------------------------------------------------
 * Revert
 * --------------------------------------------------------------------- */

typedef struct {
  ChangeSet* cs;
  bool       add; /* add the parsed quads back, else remove them */
} RevertCtx;

static FdxStatus
revert_statement(void* const ctx, const FdxTerm* const s,
                 const FdxTerm* const p, const FdxTerm* const o,
                 const FdxTerm* const g)
{
  RevertCtx* const rc  = (RevertCtx*)ctx;
  FdxTxn* const    txn = rc->cs->txn;
  const FdxTerm*   terms[4] = {s, p, o, g};
  FdxId            ids[4]   = {0, 0, 0, FDX_ID_DEFAULT_GRAPH};
  for (int i = 0; i < 4; ++i) {
    if (!terms[i]) {
      continue;
    }
    const FdxStatus st = rc->add ? fdx_term_intern(txn, terms[i], &ids[i])
                                 : fdx_term_id(txn, terms[i], &ids[i]);
    if (st == FDX_FAILURE) {
      return FDX_SUCCESS; /* never stored: nothing to remove */
    }
    if (st) {
      return st;
    }
  }
  return rc->add ? change_add(rc->cs, ids[0], ids[1], ids[2], ids[3])
                 : change_remove(rc->cs, ids[0], ids[1], ids[2], ids[3]);
}

static FdxStatus
apply_lines(ChangeSet* const cs, const json_t* const lines, const bool add,
            FdxVocabResult* const result)
{
  VStr doc = {0};
  size_t i;
  json_t* line;
  json_array_foreach(lines, i, line)
  {
    vstr_puts(&doc, json_string_value(line) ? json_string_value(line) : "");
    vstr_puts(&doc, "\n");
  }
  if (doc.failed) {
    vstr_free(&doc);
    return FDX_ERR_NO_MEMORY;
  }
  RevertCtx rc = {cs, add};
  FdxError  err;
  memset(&err, 0, sizeof(err));
  const FdxStatus st =
    doc.len ? fdx_parse_bytes(doc.data, doc.len, FDX_FORMAT_NQUADS, NULL,
                              "history entry", revert_statement, &rc, &err)
            : FDX_SUCCESS;
  vstr_free(&doc);
  if (st == FDX_ERR_SYNTAX) {
    vr_fail(result, FDX_VOCAB_FAILED, "internal_error",
            "the history entry cannot be read back: %s", err.message);
  }
  return st;
}

typedef struct {
  const char*     who;
  uint64_t        change;
  FdxVocabResult* result;
} RevertJob;

static FdxStatus
revert_run(FdxTxn* const txn, void* const ctx)
{
  RevertJob* const job = (RevertJob*)ctx;
  vr_reset(job->result);
  uint8_t key[8];
  put_be64(key, job->change);
  const void* val = NULL;
  size_t      n   = 0;
  FdxStatus   st  = fdx_aux_get(txn, HISTORY_TABLE, key, 8, &val, &n);
  if (st == FDX_FAILURE) {
    return vr_fail(job->result, FDX_VOCAB_NOT_FOUND, "not_found",
                   "there is no change %llu",
                   (unsigned long long)job->change);
  }
  if (st) {
    return st;
  }
  json_error_t  jerr;
  json_t* const entry = json_loadb((const char*)val, n, 0, &jerr);
  if (!entry) {
    return FDX_ERR_CORRUPT;
  }
  if (json_is_true(json_object_get(entry, "truncated"))) {
    json_decref(entry);
    return vr_fail(job->result, FDX_VOCAB_CONFLICT, "too_large",
                   "change %llu was too large to keep its statements; it "
                   "cannot be reverted",
                   (unsigned long long)job->change);
  }
  ChangeSet cs;
  change_init(&cs, txn);
  st = apply_lines(&cs, json_object_get(entry, "added"), false, job->result);
  if (!st) {
    st = apply_lines(&cs, json_object_get(entry, "removed"), true,
                     job->result);
  }
  if (!st) {
    st = history_append(
      &cs, job->who, "revert",
      json_string_value(json_object_get(entry, "scheme")),
      json_string_value(json_object_get(entry, "concept")), job->change,
      job->result);
  }
  if (!st) {
    job->result->body = json_pack(
      "{s:I, s:I, s:I, s:I}", "change", (json_int_t)job->result->change,
      "reverts", (json_int_t)job->change, "removed", (json_int_t)cs.removed.n,
      "added", (json_int_t)cs.added.n);
  }
  change_free(&cs);
  json_decref(entry);
  return st;
}

void
fdx_vocab_revert(FdxStore* const store, const char* const who,
                 const uint64_t change, FdxVocabResult* const result)
{
  RevertJob       job = {who, change, result};
  const FdxStatus st  = fdx_store_write(store, revert_run, &job);
  if (st && result->outcome == FDX_VOCAB_OK) {
    vr_write_failed(result, st, "the revert failed");
  }
}
