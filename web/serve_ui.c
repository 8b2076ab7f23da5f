/*
 * serve_ui.c: the browser UI's server side.  The UI is plain HTML, CSS and
 * JavaScript modules in web/ui/ (no build step); tools/embed.py compiles
 * them into the binary, so `fairdex serve` needs no files beside it.  This
 * file serves them under /ui/ (with an ETag of their bytes), writes the
 * shell every page shares (header, navigation, language switch, footer),
 * and chooses German or English for a request: the cookie the switch sets,
 * else Accept-Language.  The pages' scripts read the choice from <html
 * lang> and the base IRI from <html data-base>.  Server-rendered pages
 * (dataset pages, serve_page.c) use the same shell and texts.
 *
 * For work on the UI, FAIRDEX_UI_DIR=web/ui makes the server read the
 * files from that folder at each request instead (edit, reload).
 */
#include "serve_ui.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>

/* ------------------------------------------------------------------------
 * Language
 * --------------------------------------------------------------------- */

/* The primary subtag of the language range at `p` (up to `end`) if it is
 * "de" or "en", else NULL. */
static const char*
known_lang(const char* p, const char* const end)
{
  while (p < end && (*p == ' ' || *p == '\t')) {
    ++p;
  }
  if (end - p >= 2 && (end - p == 2 || p[2] == '-' || p[2] == ';' ||
                       p[2] == ' ')) {
    if (!strncasecmp(p, "de", 2)) {
      return "de";
    }
    if (!strncasecmp(p, "en", 2)) {
      return "en";
    }
  }
  return NULL;
}

/* The q value of one Accept-Language element (1 without one). */
static double
quality(const char* const start, const char* const end)
{
  const char* q = start;
  while ((q = memchr(q, ';', (size_t)(end - q)))) {
    ++q;
    while (q < end && *q == ' ') {
      ++q;
    }
    if (end - q >= 2 && q[0] == 'q' && q[1] == '=') {
      double v = 0, scale = 1;
      bool   fraction = false;
      for (const char* c = q + 2; c < end && ((*c >= '0' && *c <= '9') ||
                                              (*c == '.' && !fraction));
           ++c) {
        if (*c == '.') {
          fraction = true;
        } else if (fraction) {
          scale /= 10;
          v += (*c - '0') * scale;
        } else {
          v = v * 10 + (*c - '0');
        }
      }
      return v > 1 ? 1 : v;
    }
  }
  return 1;
}

const char*
serve_ui_lang(const HttpRequest* const req)
{
  const char* const cookie = http_header(req, "Cookie");
  if (cookie) {
    for (const char* c = cookie; (c = strstr(c, "fairdex_lang=")); ++c) {
      if (c == cookie || c[-1] == ' ' || c[-1] == ';') {
        const char* const v = c + 13;
        if (!strncmp(v, "de", 2) && (!v[2] || v[2] == ';' || v[2] == ' ')) {
          return "de";
        }
        if (!strncmp(v, "en", 2) && (!v[2] || v[2] == ';' || v[2] == ' ')) {
          return "en";
        }
      }
    }
  }
  const char* const accept = http_header(req, "Accept-Language");
  const char*       best   = "en";
  double            best_q = 0;
  for (const char* p = accept; p && *p;) {
    const char* end = strchr(p, ',');
    if (!end) {
      end = p + strlen(p);
    }
    const char* const lang = known_lang(p, end);
    const double      q    = lang ? quality(p, end) : 0;
    if (lang && q > best_q) {
      best   = lang;
      best_q = q;
    }
    p = *end ? end + 1 : end;
  }
  return best;
}

/* English wording → German.  The UI's scripts carry their own texts; these
 * are the server-rendered ones. */
static const char* const german[][2] = {
  {"Search", "Suche"},
  {"Vocabularies", "Vokabulare"},
  {"Harvesting", "Harvesting"},
  {"Main navigation", "Hauptnavigation"},
  {"Language", "Sprache"},
  {"Skip to content", "Zum Inhalt"},
  {"This page needs JavaScript. The same data is available from the JSON "
   "API described at",
   "Diese Seite braucht JavaScript. Dieselben Daten liefert die JSON-API, "
   "beschrieben unter"},
  {"Catalogue (DCAT-AP)", "Katalog (DCAT-AP)"},
  {"API description", "API-Beschreibung"},
  {"Everything as N-Quads", "Alles als N-Quads"},
  {"Change feed", "Änderungs-Feed"},
  {"A FAIR metadata catalogue", "Ein FAIR-Metadatenkatalog"},
  {"Also as:", "Auch als:"},
  {"About", "Angaben"},
  {"Type", "Typ"},
  {"Publisher", "Herausgeber"},
  {"Contact", "Kontakt"},
  {"Keywords", "Schlagwörter"},
  {"Themes", "Themen"},
  {"Licence", "Lizenz"},
  {"Access rights", "Zugriffsrechte"},
  {"Update frequency", "Aktualisierung"},
  {"Issued", "Veröffentlicht"},
  {"Modified", "Geändert"},
  {"Identifiers", "Kennungen"},
  {"Landing page", "Webseite"},
  {"Languages", "Sprachen"},
  {"Spatial coverage", "Räumliche Abdeckung"},
  {"Temporal coverage", "Zeitliche Abdeckung"},
  {"Conforms to", "Entspricht"},
  {"Version", "Version"},
  {"Related resources", "Verwandte Ressourcen"},
  {"Documentation", "Dokumentation"},
  {"Distributions", "Distributionen"},
  {"Title", "Titel"},
  {"Format", "Format"},
  {"Access", "Zugang"},
  {"Download", "Download"},
  {"Provenance", "Herkunft"},
  {"Catalogue record", "Katalogeintrag"},
  {"Harvested from", "Geerntet von"},
  {"First harvested", "Zuerst geerntet"},
  {"Source record", "Eintrag der Quelle"},
  {"Health categories", "Gesundheitskategorien"},
  {"Applicable legislation", "Rechtsgrundlage"},
  {"Other identifiers", "Weitere Kennungen"},
  {"Provenance statement", "Herkunftsangabe"},
  {"Version notes", "Versionshinweise"},
  {"Size", "Größe"},
  {"Part of the series", "Teil der Reihe"},
  {"Related resource", "Verwandte Ressource"},
  {"Has version", "Hat Version"},
  {"Version of", "Version von"},
  {"Referenced by", "Referenziert von"},
  {"References", "Referenziert"},
  {"Requires", "Benötigt"},
  {"Sample", "Beispiel"},
  {"Statements", "Aussagen"},
  {"Source", "Quelle"},
  {"Harvested at", "Geerntet am"},
  {"Original record", "Ursprünglicher Eintrag"},
  {"Fetched from", "Abgerufen von"},
  {"All statements", "Alle Aussagen"},
  {"Catalogue", "Katalog"},
  {"Page", "Seite"},
  {"of", "von"},
  {"next", "weiter"},
  {"previous", "zurück"},
  {"first", "erste"},
  {"last", "letzte"},
};

const char*
serve_ui_text(const char* const lang, const char* const english)
{
  if (lang && !strcmp(lang, "de")) {
    for (size_t i = 0; i < sizeof(german) / sizeof(*german); ++i) {
      if (!strcmp(german[i][0], english)) {
        return german[i][1];
      }
    }
  }
  return english;
}

/* ------------------------------------------------------------------------
 * The files
 * --------------------------------------------------------------------- */

/* FAIRDEX_UI_DIR, or NULL: the compiled-in files. */
static const char*
ui_dir(void)
{
  const char* const dir = getenv("FAIRDEX_UI_DIR");
  return dir && *dir ? dir : NULL;
}

/* A file name of web/ui/: no folders, no hidden files. */
static bool
asset_name_ok(const char* const name)
{
  return *name && *name != '.' && !strchr(name, '/') && strlen(name) < 128;
}

static const FdxAsset*
embedded_asset(const char* const name)
{
  for (size_t i = 0; i < fdx_ui_assets_count; ++i) {
    if (!strcmp(fdx_ui_assets[i].name, name)) {
      return &fdx_ui_assets[i];
    }
  }
  return NULL;
}

static bool
asset_exists(const char* const name)
{
  const char* const dir = ui_dir();
  if (!dir) {
    return embedded_asset(name) != NULL;
  }
  char        path[4096];
  struct stat st;
  snprintf(path, sizeof(path), "%s/%s", dir, name);
  return asset_name_ok(name) && !stat(path, &st) && S_ISREG(st.st_mode);
}

/* Read `name` from FAIRDEX_UI_DIR into `out`, with an ETag of its size
 * and modification time.  0, ENOENT, or another errno. */
static int
read_asset(const char* const dir, const char* const name, Buf* const out,
           char etag[64])
{
  char path[4096];
  snprintf(path, sizeof(path), "%s/%s", dir, name);
  FILE* const f = fopen(path, "rb");
  struct stat st;
  if (!f) {
    return errno;
  }
  if (fstat(fileno(f), &st) || !S_ISREG(st.st_mode)) {
    fclose(f);
    return ENOENT;
  }
  char   chunk[16384];
  size_t n;
  while ((n = fread(chunk, 1, sizeof(chunk), f)) > 0) {
    buf_write(out, chunk, n);
  }
  const int failed = ferror(f);
  fclose(f);
  snprintf(etag, 64, "\"%llx-%llx\"", (unsigned long long)st.st_size,
           (unsigned long long)st.st_mtime);
  return failed || out->failed ? EIO : 0;
}

/* ------------------------------------------------------------------------
 * The shell
 * --------------------------------------------------------------------- */

static const char* const page_names[] = {"search", "sparql", "vocab",
                                         "admin"};

void
serve_ui_head(Serve* const s, Buf* const out, const char* const lang,
              const UiPage page, const char* const title,
              const size_t title_len)
{
  static const struct {
    UiPage      page;
    const char* href;
    const char* label;
  } nav[] = {{UI_SEARCH, "/", "Search"},
             {UI_SPARQL, "/sparql", "SPARQL"},
             {UI_VOCAB, "/vocab", "Vocabularies"},
             {UI_ADMIN, "/admin", "Harvesting"}};
  buf_printf(out, "<!DOCTYPE html>\n<html lang=\"%s\" data-base=\"", lang);
  buf_html(out, s->base, s->base_len);
  buf_puts(out, "\"><head><meta charset=\"utf-8\">\n"
                "<meta name=\"viewport\" content=\"width=device-width, "
                "initial-scale=1\">\n<title>");
  buf_html(out, title, title_len);
  buf_puts(out, " – fairdex</title>\n"
                "<link rel=\"stylesheet\" href=\"/ui/app.css\">\n"
                "<link rel=\"icon\" href=\"/ui/favicon.svg\" "
                "type=\"image/svg+xml\">\n");
  if (page < UI_NONE) {
    char css[64];
    snprintf(css, sizeof(css), "%s.css", page_names[page]);
    if (asset_exists(css)) {
      buf_printf(out, "<link rel=\"stylesheet\" href=\"/ui/%s\">\n", css);
    }
    buf_printf(out, "<script type=\"module\" src=\"/ui/%s.js\"></script>\n",
               page_names[page]);
  } else {
    buf_puts(out, "<script type=\"module\" src=\"/ui/common.js\"></script>\n");
  }
  buf_printf(out,
             "</head>\n<body>\n<a class=\"skip\" href=\"#main\">%s</a>\n"
             "<header class=\"site\">\n<a class=\"brand\" href=\"/\">"
             "fairdex</a>\n<nav aria-label=\"%s\"><ul>\n",
             serve_ui_text(lang, "Skip to content"),
             serve_ui_text(lang, "Main navigation"));
  for (size_t i = 0; i < sizeof(nav) / sizeof(*nav); ++i) {
    buf_printf(out, "<li><a href=\"%s\"%s>%s</a></li>\n", nav[i].href,
               nav[i].page == page ? " aria-current=\"page\"" : "",
               serve_ui_text(lang, nav[i].label));
  }
  buf_printf(out,
             "</ul></nav>\n<div class=\"lang\" role=\"group\" "
             "aria-label=\"%s\">"
             "<button type=\"button\" data-lang=\"de\" lang=\"de\" "
             "aria-pressed=\"%s\">DE</button>"
             "<button type=\"button\" data-lang=\"en\" lang=\"en\" "
             "aria-pressed=\"%s\">EN</button></div>\n"
             "</header>\n<main id=\"main\" tabindex=\"-1\">\n",
             serve_ui_text(lang, "Language"),
             !strcmp(lang, "de") ? "true" : "false",
             !strcmp(lang, "de") ? "false" : "true");
}

void
serve_ui_foot(Buf* const out, const char* const lang)
{
  buf_printf(out,
             "</main>\n<footer class=\"site\"><p>fairdex – %s · "
             "<a href=\"/catalog\">%s</a> · "
             "<a href=\"/api/openapi.json\">%s</a> · "
             "<a href=\"/api/changes\">%s</a> · "
             "<a href=\"/dump.nq.gz\">%s</a></p></footer>\n"
             "</body></html>\n",
             serve_ui_text(lang, "A FAIR metadata catalogue"),
             serve_ui_text(lang, "Catalogue (DCAT-AP)"),
             serve_ui_text(lang, "API description"),
             serve_ui_text(lang, "Change feed"),
             serve_ui_text(lang, "Everything as N-Quads"));
}

/* ------------------------------------------------------------------------
 * Routes
 * --------------------------------------------------------------------- */

static const char*
asset_type(const char* const name)
{
  const char* const dot = strrchr(name, '.');
  static const char* const types[][2] = {
    {".css", "text/css; charset=utf-8"},
    {".js", "text/javascript; charset=utf-8"},
    {".svg", "image/svg+xml"},
    {".html", "text/html; charset=utf-8"},
    {".json", "application/json"},
  };
  for (size_t i = 0; dot && i < sizeof(types) / sizeof(*types); ++i) {
    if (!strcmp(dot, types[i][0])) {
      return types[i][1];
    }
  }
  return "application/octet-stream";
}

/* The pages' policy: everything from this server, nothing inline but the
 * dataset pages' JSON-LD data block (which is not script). */
static void
security_headers(HttpRequest* const req)
{
  http_add_header(req, "Content-Security-Policy",
                  "default-src 'self'; img-src 'self' data:; "
                  "object-src 'none'; base-uri 'none'; frame-ancestors 'none'");
  http_add_header(req, "X-Content-Type-Options", "nosniff");
  http_add_header(req, "Referrer-Policy", "same-origin");
}

void
route_ui_asset(Serve* const s, HttpRequest* const req, const char* const name)
{
  const char* const dir = ui_dir();
  Buf               b;
  char              etag[64];
  memset(&b, 0, sizeof(b));
  if (!asset_name_ok(name)) {
    serve_error(s, req, 404, "not_found", "there is no file /ui/%s", name);
    return;
  }
  if (dir) {
    const int err = read_asset(dir, name, &b, etag);
    if (err) {
      buf_free(&b);
      if (err == ENOENT) {
        serve_error(s, req, 404, "not_found", "there is no file /ui/%s", name);
      } else {
        serve_error(s, req, 500, "internal_error", "cannot read %s/%s: %s",
                    dir, name, strerror(err));
      }
      return;
    }
  } else {
    const FdxAsset* const a = embedded_asset(name);
    if (!a) {
      serve_error(s, req, 404, "not_found", "there is no file /ui/%s", name);
      return;
    }
    snprintf(etag, sizeof(etag), "%s", a->etag);
    buf_write(&b, (const char*)a->data, a->len);
  }
  if (!serve_only_params(s, req, NULL, 0) ||
      serve_not_modified(s, req, etag)) {
    buf_free(&b);
    return;
  }
  http_add_header(req, "Cache-Control", "no-cache");
  http_add_header(req, "X-Content-Type-Options", "nosniff");
  serve_send(s, req, 200, asset_type(name), &b, etag);
}

void
route_ui_page(Serve* const s, HttpRequest* const req, const UiPage page)
{
  static const char* const titles[] = {"Search", "SPARQL", "Vocabularies",
                                       "Harvesting"};
  const char* const lang  = serve_ui_lang(req);
  const char* const title = serve_ui_text(lang, titles[page]);
  Buf               b;
  memset(&b, 0, sizeof(b));
  serve_ui_head(s, &b, lang, page, title, strlen(title));
  buf_printf(&b,
             "<noscript><p class=\"notice\">%s "
             "<a href=\"/api/openapi.json\">/api/openapi.json</a>.</p>"
             "</noscript>\n",
             serve_ui_text(lang, "This page needs JavaScript. The same data "
                                 "is available from the JSON API described "
                                 "at"));
  serve_ui_foot(&b, lang);
  security_headers(req);
  http_add_header(req, "Cache-Control", "no-cache");
  http_add_header(req, "Vary", "Cookie, Accept-Language");
  serve_send(s, req, 200, "text/html; charset=utf-8", &b, NULL);
}
