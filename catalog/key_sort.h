/*
 * key_sort.h: two small tools the store, the search index and the query
 * engine each need for their in-memory tables: a stable sort of (64-bit
 * key, 64-bit value) pairs by key, and a fast hash of short byte strings.
 * Header-only (static inline), so that no catalog library depends on
 * another for them.
 *
 * The sort is an LSD radix sort on 16-bit digits, skipping the digits that
 * are the same in every pair: about twice as fast as qsort on the millions
 * of pairs a bulk load or a big join sorts, with no comparison calls.
 */
#ifndef FDX_KEY_SORT_H
#define FDX_KEY_SORT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

typedef struct {
  uint64_t key;
  uint64_t value;
} FdxKeyPair;

/* Sort `pairs` by key, stably; false when out of memory (the pairs are
 * then unchanged). */
static inline bool
fdx_key_pairs_sort(FdxKeyPair* const pairs, const size_t n)
{
  if (n < 2) {
    return true;
  }
  FdxKeyPair* const buf   = (FdxKeyPair*)malloc(n * sizeof(FdxKeyPair));
  size_t* const     count = (size_t*)malloc(65536 * sizeof(size_t));
  if (!buf || !count) {
    free(buf);
    free(count);
    return false;
  }
  FdxKeyPair* from = pairs;
  FdxKeyPair* to   = buf;
  for (unsigned shift = 0; shift < 64; shift += 16) {
    memset(count, 0, 65536 * sizeof(size_t));
    for (size_t i = 0; i < n; ++i) {
      ++count[(from[i].key >> shift) & 0xffff];
    }
    if (count[(from[0].key >> shift) & 0xffff] == n) {
      continue; /* one digit for all */
    }
    size_t at = 0;
    for (size_t d = 0; d < 65536; ++d) {
      const size_t c = count[d];
      count[d]       = at;
      at += c;
    }
    for (size_t i = 0; i < n; ++i) {
      to[count[(from[i].key >> shift) & 0xffff]++] = from[i];
    }
    FdxKeyPair* const t = from;
    from                = to;
    to                  = t;
  }
  if (from != pairs) {
    memcpy(pairs, from, n * sizeof(FdxKeyPair));
  }
  free(buf);
  free(count);
  return true;
}

/* A hash of `len` bytes: one multiply per 8 bytes, then a final mix.  For
 * in-memory tables only (it may change; nothing stored depends on it);
 * never 0, so 0 can mark an empty slot. */
static inline uint64_t
fdx_bytes_hash(const uint8_t* const bytes, const size_t len)
{
  uint64_t h = UINT64_C(0x9e3779b97f4a7c15) ^ (len * UINT64_C(0xff51afd7));
  size_t   i = 0;
  for (; i + 8 <= len; i += 8) {
    uint64_t w;
    memcpy(&w, bytes + i, 8);
    h = (h ^ w) * UINT64_C(0x100000001b3);
    h ^= h >> 29;
  }
  uint64_t tail = 0;
  if (i < len) {
    memcpy(&tail, bytes + i, len - i);
  }
  h = (h ^ tail) * UINT64_C(0xc4ceb9fe1a85ec53);
  h ^= h >> 32;
  h *= UINT64_C(0xff51afd7ed558ccd);
  h ^= h >> 29;
  return h ? h : 1;
}

#endif
