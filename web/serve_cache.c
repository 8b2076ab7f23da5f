/*
 * serve_cache.c: finished answers of the Linked Data routes and /catalog,
 * kept in memory by (variant, store generation).
 *
 * A catalogue page or a resource description only changes when the store
 * does, and federation clients pull the same pages over and over, so the
 * server keeps the final bytes (gzip or not) of recent answers and serves
 * a repeat with one copy.  Bodies of 1 KiB or more are kept gzip-compressed
 * (RDF shrinks about tenfold), so a thousand catalogue pages take some tens
 * of MiB, not hundreds; a client that takes gzip gets the stored bytes.
 * While there is room, an entry also keeps its plain bytes, for clients
 * that do not take gzip; when room is needed, plain copies go first (least
 * recently used first), then whole entries.  An entry of an older generation is never served:
 * a commit makes every entry stale at once; stale entries are never used
 * again, so they drift to the end of the recency list and go first.  The
 * cache is bounded in bytes (--cache-bytes, 0 turns it off) and evicts the
 * least recently used entry.  SPARQL query
 * results are not cached: every query is evaluated.
 */
#include "serve.h"

#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

#define BUCKETS 4096

/* Bytes shared by the cache and the responses sending them: a hit hands
 * the network a reference, not a copy. */
typedef struct {
  atomic_uint refs;
  size_t      len;
  char        data[];
} Blob;

static Blob*
blob_new(const char* const bytes, const size_t len)
{
  Blob* const b = (Blob*)malloc(sizeof(Blob) + (len ? len : 1));
  if (b) {
    atomic_init(&b->refs, 1);
    b->len = len;
    if (bytes) {
      memcpy(b->data, bytes, len);
    }
  }
  return b;
}

static void
blob_release(void* const blob)
{
  Blob* const b = (Blob*)blob;
  if (b && atomic_fetch_sub(&b->refs, 1) == 1) {
    free(b);
  }
}

typedef struct Entry Entry;
struct Entry {
  Entry*   hnext; /* hash chain */
  Entry*   prev;  /* LRU list, most recent first */
  Entry*   next;
  uint64_t hash;
  uint64_t generation;
  char*    key;
  size_t   key_len;
  Blob*    body;
  char*    content_type;
  char*    etag;
  char*    link;    /* may be NULL */
  bool     gzipped; /* the body is gzip; raw_len is its inflated size */
  size_t   raw_len;
  Blob*    raw;     /* the plain bytes too, or NULL (only when gzipped) */
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
  blob_release(e->raw);
  blob_release(e->body);
  free(e->key);
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

/* Make room for `need` more bytes: plain copies first, from the least
 * recently used end, then whole entries.  With the lock held. */
static void
make_room(ServeCache* const c, const size_t need)
{
  Entry* v = c->tail;
  while (c->bytes + need > c->max_bytes && v) {
    if (v->raw) {
      blob_release(v->raw);
      v->raw = NULL;
      v->cost -= v->raw_len;
      c->bytes -= v->raw_len;
    }
    v = v->prev;
  }
  while (c->bytes + need > c->max_bytes && c->tail) {
    Entry* const victim = c->tail;
    unlink_entry(c, victim);
    entry_free(victim);
  }
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

bool
serve_cache_enabled(const Serve* const s)
{
  return s->cache && s->cache->max_bytes > 0;
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
     const size_t len)
{
  for (Entry* e = c->buckets[hash % BUCKETS]; e; e = e->hnext) {
    if (e->hash == hash && e->key_len == len &&
        !memcmp(e->key, key, len)) {
      return e;
    }
  }
  return NULL;
}

/* Inflate `len` bytes of gzip into a new blob of `raw_len` bytes. */
static Blob*
gunzip(const char* const z, const size_t len, const size_t raw_len)
{
  Blob* const out = blob_new(NULL, raw_len);
  z_stream    zs;
  memset(&zs, 0, sizeof(zs));
  if (!out || inflateInit2(&zs, 15 + 16) != Z_OK) {
    free(out);
    return NULL;
  }
  zs.next_in   = (Bytef*)z;
  zs.avail_in  = (uInt)len;
  zs.next_out  = (Bytef*)out->data;
  zs.avail_out = (uInt)raw_len;
  const int rc = inflate(&zs, Z_FINISH);
  inflateEnd(&zs);
  if (rc != Z_STREAM_END || zs.total_out != raw_len) {
    free(out);
    return NULL;
  }
  return out;
}

bool
serve_cache_answer(Serve* const s, HttpRequest* const req, const char* const key,
                   const size_t len, const uint64_t generation,
                   const bool accept_gzip)
{
  ServeCache* const c = s->cache;
  if (!c || !c->max_bytes) {
    return false;
  }
  const uint64_t hash = hash_key(key, len);
  pthread_mutex_lock(&c->lock);
  Entry* const e = find(c, hash, key, len);
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
  /* Take a reference and the small strings, and let the lock go before
   * any inflating. */
  const bool   gzipped = e->gzipped;
  const bool   plain   = gzipped && !accept_gzip && e->raw;
  const size_t raw_len = e->raw_len;
  Blob* const  blob    = plain ? e->raw : e->body;
  atomic_fetch_add(&blob->refs, 1);
  char* const type = strdup(e->content_type);
  char* const etag = strdup(e->etag);
  char* const link = e->link ? strdup(e->link) : NULL;
  pthread_mutex_unlock(&c->lock);
  Blob* send = blob;
  if (gzipped && !accept_gzip && !plain) {
    send = gunzip(blob->data, blob->len, raw_len);
    blob_release(blob);
    /* Keep the plain copy if there is room to spare. */
    if (send) {
      pthread_mutex_lock(&c->lock);
      Entry* const again = find(c, hash, key, len);
      if (again && again->generation == generation && !again->raw &&
          c->bytes + raw_len <= c->max_bytes) {
        atomic_fetch_add(&send->refs, 1);
        again->raw = send;
        again->cost += raw_len;
        c->bytes += raw_len;
      }
      pthread_mutex_unlock(&c->lock);
    }
  }
  if (!send || !type || !etag) {
    blob_release(send);
    free(type);
    free(etag);
    free(link);
    return false;
  }
  http_add_header(req, "Access-Control-Allow-Origin", "*");
  http_add_header(req, "Access-Control-Expose-Headers", "ETag, Link");
  http_add_header(req, "Vary", "Accept, Accept-Encoding");
  http_add_header(req, "ETag", etag);
  if (link) {
    http_add_header(req, "Link", link);
  }
  if (gzipped && accept_gzip) {
    http_add_header(req, "Content-Encoding", "gzip");
  }
  http_respond_shared(req, 200, type, send->data, send->len, blob_release,
                      send);
  free(type);
  free(etag);
  free(link);
  return true;
}

void
serve_cache_put(Serve* const s, const char* const key, const size_t len,
                const uint64_t generation, const bool gzipped,
                const size_t raw_len, const char* body,
                const size_t body_len, const char* const raw,
                const char* const content_type,
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
  e->body         = blob_new(body, body_len);
  e->content_type = strdup(content_type);
  e->etag         = strdup(etag);
  e->link         = link ? strdup(link) : NULL;
  e->gzipped      = gzipped;
  e->raw_len      = raw_len;
  e->cost         = cost;
  if (!e->key || !e->body || !e->content_type || !e->etag ||
      (link && !e->link)) {
    entry_free(e);
    return;
  }
  memcpy(e->key, key, len);
  e->key[len] = '\0';
  Blob* raw_copy = gzipped && raw ? blob_new(raw, raw_len) : NULL;
  pthread_mutex_lock(&c->lock);
  Entry* const old = find(c, e->hash, key, len);
  if (old) {
    unlink_entry(c, old);
    entry_free(old);
  }
  make_room(c, cost);
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
  /* The plain copy only if it fits without evicting anything. */
  if (raw_copy && c->bytes + raw_len <= c->max_bytes) {
    e->raw = raw_copy;
    e->cost += raw_len;
    c->bytes += raw_len;
    raw_copy = NULL;
  }
  pthread_mutex_unlock(&c->lock);
  blob_release(raw_copy);
}
