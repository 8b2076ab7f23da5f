/*
 * rdf_guard.h: a check every Turtle and TriG input passes before raptor
 * sees it.  raptor2 2.0.15's Turtle and TriG parser overflows a heap buffer
 * on a language tag longer than 255 bytes, and input is hostile, so a run
 * of tag characters after '@' longer than FDX_MAX_AT_WORD is refused.
 * (Inside a string it could be legitimate text, but 200 letters and digits
 * with no space or punctuation after an '@' do not occur in catalogue
 * metadata.)  The scan keeps its state across chunks.
 */
#ifndef FDX_RDF_GUARD_H
#define FDX_RDF_GUARD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define FDX_MAX_AT_WORD 200

typedef struct {
  bool     in_at;  /* inside "@word" */
  size_t   at_run; /* its length so far */
  uint64_t lines;  /* newlines seen so far */
} FdxLangGuard;

/* Scan the next `n` bytes; false at an over-long "@word" (guard->lines
 * then counts the lines before it). */
static inline bool
fdx_lang_guard_scan(FdxLangGuard* const guard, const char* const chunk,
                    const size_t n)
{
  for (size_t i = 0; i < n; ++i) {
    const unsigned char c = (unsigned char)chunk[i];
    if (c == '\n') {
      ++guard->lines;
    }
    if (c == '@') {
      guard->in_at  = true;
      guard->at_run = 0;
    } else if (guard->in_at &&
               ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
                (c >= '0' && c <= '9') || c == '-')) {
      if (++guard->at_run > FDX_MAX_AT_WORD) {
        return false;
      }
    } else {
      guard->in_at = false;
    }
  }
  return true;
}

#endif /* FDX_RDF_GUARD_H */
