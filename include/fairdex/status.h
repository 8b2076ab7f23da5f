/*
 * fairdex/status.h: the one status enum every fairdex function returns, and
 * the error record that parsers of untrusted input fill in.
 *
 * FDX_SUCCESS is 0.  FDX_FAILURE is an expected outcome that is not an error
 * ("not found", "end of iteration"), as SERD_FAILURE is in serd.  Everything
 * after it is a real error.  The numbers are part of the interface: never
 * renumber a code, only append new ones.
 */
#ifndef FAIRDEX_STATUS_H
#define FAIRDEX_STATUS_H

#include <stddef.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef enum {
  FDX_SUCCESS        = 0,  /**< Done. */
  FDX_FAILURE        = 1,  /**< Not found / end of iteration; not an error. */
  FDX_ERR_UNKNOWN    = 2,  /**< Unexpected error with no better code. */
  FDX_ERR_BAD_ARG    = 3,  /**< A caller passed an invalid argument. */
  FDX_ERR_NO_MEMORY  = 4,  /**< An allocation failed. */
  FDX_ERR_IO         = 5,  /**< Reading or writing a file failed. */
  FDX_ERR_SYNTAX     = 6,  /**< Input is not valid in its syntax. */
  FDX_ERR_LIMIT      = 7,  /**< Input or work went over a configured limit. */
  FDX_ERR_CORRUPT    = 8,  /**< The store holds data it cannot decode. */
  FDX_ERR_VERSION    = 9,  /**< The store was written by a newer fairdex. */
  FDX_ERR_STORE      = 10, /**< The storage engine reported an error. */
  FDX_ERR_MAP_FULL   = 11, /**< The store's map is full (retry after growth). */
  FDX_ERR_READ_ONLY  = 12, /**< A write was tried in a read-only context. */
  FDX_ERR_BUSY       = 13, /**< Another writer holds the lock, or a reader is
                              still open where none may be. */
  FDX_ERR_UNSUPPORTED = 14, /**< A format or feature this build lacks. */
  FDX_ERR_NO_SPACE    = 15  /**< The disk of the store (or of its
                                 temporary files) is full, or so nearly
                                 that fairdex stopped writing. */
} FdxStatus;

/**
 * Where and why an input was rejected.  Functions that parse untrusted bytes
 * take an optional `FdxError *` (may be NULL) and fill it on failure.  Lines
 * and columns count from 1; 0 means unknown.
 */
typedef struct {
  char   source[256];  /**< File name or URL, NUL-terminated, may be "". */
  long   line;         /**< 1-based line, 0 if unknown. */
  long   column;       /**< 1-based column, 0 if unknown. */
  char   message[512]; /**< Human-readable reason, NUL-terminated. */
} FdxError;

/** Return a static, human-readable description of `st`. */
const char*
fdx_strerror(FdxStatus st);

/**
 * Fill `err` (if not NULL) with `source`, `line`, `column` and a printf-style
 * message, truncating each to fit.  Returns `st` so callers can write
 * `return fdx_error_set(err, FDX_ERR_SYNTAX, ...)`.
 */
FdxStatus
fdx_error_set(FdxError*   err,
              FdxStatus   st,
              const char* source,
              long        line,
              long        column,
              const char* fmt,
              ...)
#if defined(__GNUC__)
  __attribute__((format(printf, 6, 7)))
#endif
  ;

#ifdef __cplusplus
}
#endif

#endif /* FAIRDEX_STATUS_H */
