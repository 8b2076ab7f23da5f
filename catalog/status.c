/*
 * status.c: names for FdxStatus codes and the helper that fills FdxError.
 * Kept apart from the store so every layer can report errors the same way.
 */
#include "fairdex/status.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

const char*
fdx_strerror(const FdxStatus st)
{
  switch (st) {
  case FDX_SUCCESS:
    return "success";
  case FDX_FAILURE:
    return "not found";
  case FDX_ERR_UNKNOWN:
    return "unknown error";
  case FDX_ERR_BAD_ARG:
    return "invalid argument";
  case FDX_ERR_NO_MEMORY:
    return "out of memory";
  case FDX_ERR_IO:
    return "input/output error";
  case FDX_ERR_SYNTAX:
    return "syntax error";
  case FDX_ERR_LIMIT:
    return "limit exceeded";
  case FDX_ERR_CORRUPT:
    return "store is corrupt";
  case FDX_ERR_VERSION:
    return "store was written by a newer fairdex";
  case FDX_ERR_STORE:
    return "storage engine error";
  case FDX_ERR_MAP_FULL:
    return "store map is full";
  case FDX_ERR_READ_ONLY:
    return "store is read-only";
  case FDX_ERR_BUSY:
    return "store is busy";
  case FDX_ERR_UNSUPPORTED:
    return "not supported";
  case FDX_ERR_NO_SPACE:
    return "no space left on the disk of the store";
  }
  return "unknown status";
}

FdxStatus
fdx_error_set(FdxError* const   err,
              const FdxStatus   st,
              const char* const source,
              const long        line,
              const long        column,
              const char* const fmt,
              ...)
{
  if (err) {
    snprintf(err->source, sizeof(err->source), "%s", source ? source : "");
    err->line   = line;
    err->column = column;
    va_list args;
    va_start(args, fmt);
    vsnprintf(err->message, sizeof(err->message), fmt, args);
    va_end(args);
  }
  return st;
}
