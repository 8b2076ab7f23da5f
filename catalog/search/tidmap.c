/*
 * tidmap.c: a map from term ids to signed counts, shared by the commit
 * (index.c: document frequency changes) and the in-memory copy (columns.c:
 * the dense numbers of facet values).  Open addressing with linear probing over a power-of-two table
 * kept at most half full; keys are tid + 1 so that 0 marks an empty slot.
 */
#include "search_impl.h"

#include <stdlib.h>

/* Fibonacci hashing of a key into a table of `cap` (a power of two). */
static size_t
slot_of(const uint32_t key, const size_t cap)
{
  return (size_t)(key * 2654435761u) & (cap - 1);
}

int64_t*
fdx_tidmap_value(TidMap* const m, const uint32_t tid, bool* const added)
{
  if ((m->n + 1) * 2 > m->cap) {
    const size_t    cap  = m->cap ? m->cap * 2 : 1024;
    uint32_t* const keys = (uint32_t*)calloc(cap, sizeof(uint32_t));
    int64_t* const  vals = (int64_t*)calloc(cap, sizeof(int64_t));
    if (!keys || !vals) {
      free(keys);
      free(vals);
      return NULL;
    }
    for (size_t i = 0; i < m->cap; ++i) {
      if (m->keys[i]) {
        size_t j = slot_of(m->keys[i], cap);
        while (keys[j]) {
          j = (j + 1) & (cap - 1);
        }
        keys[j] = m->keys[i];
        vals[j] = m->vals[i];
      }
    }
    free(m->keys);
    free(m->vals);
    m->keys = keys;
    m->vals = vals;
    m->cap  = cap;
  }
  size_t j = slot_of(tid + 1, m->cap);
  while (m->keys[j] && m->keys[j] != tid + 1) {
    j = (j + 1) & (m->cap - 1);
  }
  *added = !m->keys[j];
  if (*added) {
    m->keys[j] = tid + 1;
    ++m->n;
  }
  return &m->vals[j];
}

bool
fdx_tidmap_add(TidMap* const m, const uint32_t tid, const int64_t d)
{
  bool           added = false;
  int64_t* const v     = fdx_tidmap_value(m, tid, &added);
  if (v) {
    *v += d;
  }
  return v != NULL;
}

void
fdx_tidmap_free(TidMap* const m)
{
  free(m->keys);
  free(m->vals);
  m->keys = NULL;
  m->vals = NULL;
  m->cap  = 0;
  m->n    = 0;
}
