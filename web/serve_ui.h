/*
 * serve_ui.h: the browser UI of `fairdex serve` (serve_ui.c): the static
 * files of web/ui/ compiled into the binary, the page shell every UI page
 * shares (header, navigation, language switch, footer), and the choice of
 * language (German or English) for a request.
 */
#ifndef FDX_SERVE_UI_H
#define FDX_SERVE_UI_H

#include "serve.h"

#include <stddef.h>

/* One file of web/ui/, as tools/embed.py --assets writes it. */
typedef struct {
  const char*          name; /* "app.css" */
  const unsigned char* data;
  size_t               len;
  const char*          etag; /* "\"<hash of the bytes>\"" */
} FdxAsset;

extern const FdxAsset fdx_ui_assets[];
extern const size_t   fdx_ui_assets_count;

/* The UI pages that are JavaScript applications in a shared shell. */
typedef enum {
  UI_SEARCH, /* /        web/ui/search.js */
  UI_SPARQL, /* /sparql  web/ui/sparql.js */
  UI_VOCAB,  /* /vocab   web/ui/vocab.js */
  UI_ADMIN,  /* /admin   web/ui/admin.js */
  UI_NONE    /* a server-rendered page (no script) */
} UiPage;

/* "de" or "en": the `fairdex_lang` cookie the language switch sets, else
 * the better of the two in Accept-Language, else "en". */
const char* serve_ui_lang(const HttpRequest* req);

/* A UI text in `lang` ("de" or "en") by its English wording; the English
 * wording itself when there is no translation. */
const char* serve_ui_text(const char* lang, const char* english);

/* Append the page's start: doctype, head (title, stylesheet, the page's
 * script), the site header with navigation (`page` marked current) and
 * language switch, and the opening <main>. */
void serve_ui_head(Serve* s, Buf* out, const char* lang, UiPage page,
                   const char* title, size_t title_len);

/* Append the closing </main>, the footer and the end of the document. */
void serve_ui_foot(Buf* out, const char* lang);

/* GET /ui/{name}: a file of web/ui/. */
void route_ui_asset(Serve* s, HttpRequest* req, const char* name);

/* GET /, /sparql (a browser), /vocab..., /admin: the page's shell, which
 * its script fills. */
void route_ui_page(Serve* s, HttpRequest* req, UiPage page);

#endif /* FDX_SERVE_UI_H */
