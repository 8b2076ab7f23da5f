/*
 * serve_vocab.h: the vocabulary routes of `fairdex serve` (serve_vocab.c):
 * /api/vocab and everything under it, and /api/history.
 */
#ifndef FDX_SERVE_VOCAB_H
#define FDX_SERVE_VOCAB_H

#include "serve.h"

/* Everything under /api/vocab (the path picks the operation). */
void route_vocab(Serve* s, HttpRequest* req);

/* GET /api/history. */
void route_history(Serve* s, HttpRequest* req);

/* POST /api/history/{id}/revert (curator): `id_text` is the {id}. */
void route_history_revert(Serve* s, HttpRequest* req, const char* id_text);

/* The methods a /api/vocab path takes, for Allow and the router. */
const char* vocab_allowed_methods(const char* path);

#endif /* FDX_SERVE_VOCAB_H */
