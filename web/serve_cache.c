/*
 * serve_cache.c: finished answers of the Linked Data routes and /catalog,
 * kept in memory by (variant, store generation).
 *
 * A catalogue page or a resource description only changes when the store
 * does, and federation clients pull the same pages over and over, so the
 * server keeps the final bytes (gzip or not) of recent answers and serves
 * a repeat with one copy.  An entry of an older generation is never served:
 * a commit makes every entry stale at once; stale entries are never used
 * again, so they drift to the end of the recency list and go first.  The
 * cache is bounded in bytes (--cache-bytes, 0 turns it off) and evicts the
 * least recently used entry.  SPARQL query
 * results are not cached: every query is evaluated.
 */
#include "serve.h"

#include <stdlib.h>
#include <string.h>

#define BUCKETS 4096

typedef struct Entry Entry;
struct Entry {
  Entry*   hnext; /* hash chain */
  Entry*   prev;  /* LRU list, most recent first */
  Entry*   next;
  uint64_t hash;
  uint64_t generation;
  char*    key;
  size_t   key_len;
  char*    body;
  size_t   body_len;
  char*    content_type;
  char*    etag;
  char*    link;        /* may be NULL */
  bool     accept_gzip; /* part of the key: the client takes gzip */
  bool     gzipped;     /* the body is gzip (Content-Encoding) */
  size_t   cost;
};

struct ServeCache {
  pthread_mutex_t lock;
  Entry*          buckets[BUCKETS];
  Entry*          head;
  Entry*          tail;
  size_t          bytes;
  size_t          max_bytes;
  uint64_t        hits;
  uint64_t        misses;
};

static uint64_t
hash_key(const char* const key, const size_t len)
{
  uint64_t h = 1469598103934665603ull;
  for (size_t i = 0; i < len; ++i) {
    h = (h ^ (unsigned char)key[i]) * 1099511628211ull;
  }
  return h;
}

ServeCache*
serve_cache_new(const size_t max_bytes)
{
  ServeCache* const c = (ServeCache*)calloc(1, sizeof(ServeCache));
  if (c) {
    pthread_mutex_init(&c->lock, NULL);
    c->max_bytes = max_bytes;
  }
  return c;
}

static void
entry_free(Entry* const e)
{
  free(e->key);
  free(e->body);
  free(e->content_type);
  free(e->etag);
  free(e->link);
  free(e);
}

static void
unlink_entry(ServeCache* const c, Entry* const e)
{
  Entry** p = &c->buckets[e->hash % BUCKETS];
  while (*p != e) {
    p = &(*p)->hnext;
  }
  *p = e->hnext;
  if (e->prev) {
    e->prev->next = e->next;
  } else {
    c->head = e->next;
  }
  if (e->next) {
    e->next->prev = e->prev;
  } else {
    c->tail = e->prev;
  }
  c->bytes -= e->cost;
}

void
serve_cache_free(ServeCache* const c)
{
  if (!c) {
    return;
  }
  while (c->head) {
    Entry* const e = c->head;
    unlink_entry(c, e);
    entry_free(e);
  }
  pthread_mutex_destroy(&c->lock);
  free(c);
}

void
serve_cache_counts(ServeCache* const c, uint64_t* const hits,
                   uint64_t* const misses, size_t* const bytes)
{
  *hits = *misses = 0;
  *bytes          = 0;
  if (c) {
    pthread_mutex_lock(&c->lock);
    *hits   = c->hits;
    *misses = c->misses;
    *bytes  = c->bytes;
    pthread_mutex_unlock(&c->lock);
  }
}

static Entry*
find(ServeCache* const c, const uint64_t hash, const char* const key,
     const size_t len, const bool gzip)
{
  for (Entry* e = c->buckets[hash % BUCKETS]; e; e = e->hnext) {
    if (e->hash == hash && e->accept_gzip == gzip && e->key_len == len &&
        !memcmp(e->key, key, len)) {
      return e;
    }
  }
  return NULL;
}

bool
serve_cache_answer(Serve* const s, HttpRequest* const req, const char* const key,
                   const size_t len, const uint64_t generation, const bool gzip)
{
  ServeCache* const c = s->cache;
  if (!c || !c->max_bytes) {
    return false;
  }
  const uint64_t hash = hash_key(key, len);
  pthread_mutex_lock(&c->lock);
  Entry* const e = find(c, hash, key, len, gzip);
  if (!e || e->generation != generation) {
    ++c->misses;
    pthread_mutex_unlock(&c->lock);
    return false;
  }
  ++c->hits;
  /* Most recent first. */
  if (e != c->head) {
    e->prev->next = e->next;
    if (e->next) {
      e->next->prev = e->prev;
    } else {
      c->tail = e->prev;
    }
    e->prev       = NULL;
    e->next       = c->head;
    c->head->prev = e;
    c->head       = e;
  }
  char* const body = (char*)malloc(e->body_len ? e->body_len : 1);
  if (body) {
    memcpy(body, e->body, e->body_len);
    http_add_header(req, "Access-Control-Allow-Origin", "*");
    http_add_header(req, "Access-Control-Expose-Headers", "ETag, Link");
    http_add_header(req, "Vary", "Accept, Accept-Encoding");
    http_add_header(req, "ETag", e->etag);
    if (e->link) {
      http_add_header(req, "Link", e->link);
    }
    if (e->gzipped) {
      http_add_header(req, "Content-Encoding", "gzip");
    }
  }
  const size_t body_len = e->body_len;
  char* const  type     = strdup(e->content_type);
  pthread_mutex_unlock(&c->lock);
  if (!body || !type) {
    free(body);
    free(type);
    return false;
  }
  http_respond(req, 200, type, body, body_len);
  free(type);
  return true;
}

void
serve_cache_put(Serve* const s, const char* const key, const size_t len,
                const uint64_t generation, const bool accept_gzip,
                const bool gzipped, const char* body,
                const size_t body_len, const char* const content_type,
                const char* const etag, const char* const link)
{
  ServeCache* const c = s->cache;
  if (!c || !c->max_bytes) {
    return;
  }
  const size_t cost = body_len + len + 256;
  if (cost > c->max_bytes / 8) {
    return; /* one answer may not crowd out the rest */
  }
  Entry* const e = (Entry*)calloc(1, sizeof(Entry));
  if (!e) {
    return;
  }
  e->hash         = hash_key(key, len);
  e->generation   = generation;
  e->key          = (char*)malloc(len + 1);
  e->key_len      = len;
  e->body         = (char*)malloc(body_len ? body_len : 1);
  e->body_len     = body_len;
  e->content_type = strdup(content_type);
  e->etag         = strdup(etag);
  e->link         = link ? strdup(link) : NULL;
  e->accept_gzip  = accept_gzip;
  e->gzipped      = gzipped;
  e->cost         = cost;
  if (!e->key || !e->body || !e->content_type || !e->etag ||
      (link && !e->link)) {
    entry_free(e);
    return;
  }
  memcpy(e->key, key, len);
  e->key[len] = '\0';
  memcpy(e->body, body, body_len);
  pthread_mutex_lock(&c->lock);
  Entry* const old = find(c, e->hash, key, len, accept_gzip);
  if (old) {
    unlink_entry(c, old);
    entry_free(old);
  }
  while (c->tail && c->bytes + cost > c->max_bytes) {
    Entry* const victim = c->tail;
    unlink_entry(c, victim);
    entry_free(victim);
  }
  e->hnext                       = c->buckets[e->hash % BUCKETS];
  c->buckets[e->hash % BUCKETS]  = e;
  e->next                        = c->head;
  if (c->head) {
    c->head->prev = e;
  }
  c->head = e;
  if (!c->tail) {
    c->tail = e;
  }
  c->bytes += cost;
  pthread_mutex_unlock(&c->lock);
}
