/*
 * fetch.c: the harvester's polite HTTP client, over libcurl multi.
 *
 * Every byte the harvester reads from the network comes through here, so
 * this is where the promises of DESIGN.md ("Harvester", fetch) are kept:
 * robots.txt per RFC 9309 with Crawl-delay, a minimum delay between two
 * requests to one host, retries with backoff on 429 and 5xx honouring
 * Retry-After, http and https only, at most five redirects, a cap on the
 * decoded body enforced while it arrives, connect / low-speed / total
 * timeouts, and no connections to private or loopback addresses unless the
 * source allows them.
 *
 * Why hand-written over libcurl.  libcurl does the hard parts (HTTP/1 and 2,
 * TLS, content decoding, connection reuse, DNS) and we keep it for those.
 * What it does not have is a crawler's manners: it knows nothing of
 * robots.txt, politeness delays or Retry-After, and its own redirect
 * following would carry a request to a path robots.txt forbids on another
 * host without asking.  There is no C library for RFC 9309 we could depend
 * on (Google's reference parser is C++), and the rules are short.  So this
 * file follows redirects itself, one request per hop, and runs every hop
 * through the same gate: scheme check, robots.txt of that origin,
 * politeness delay of that host, the address check in the open-socket
 * callback, retries.  Keeping all of libcurl in this one file (STYLE.md,
 * habit 10) also keeps its ownership rules in one place.
 *
 * The multi interface is used, one transfer at a time, because its loop
 * wakes every 50 ms: that is where the cancel callback is polled, so a
 * cancelled harvest stops within a fraction of a second even while a
 * server stalls, and the politeness and backoff waits are sliced the same
 * way.  A fetcher keeps one multi handle, so connections (and the DNS
 * cache) are reused across requests, at most one per host.
 *
 * Main invariants: a result's body never holds more than max_bytes + 1
 * bytes (the write callback refuses more, counted after decoding); no
 * request is sent to a path its origin's robots.txt disallows (unless
 * robots are ignored); no socket is opened to a refused address.
 */
#include "fetch.h"

#include <curl/curl.h>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#ifndef FAIRDEX_VERSION
#  define FAIRDEX_VERSION "0.1.0"
#endif

#define DEFAULT_USER_AGENT                                 \
  "fairdex/" FAIRDEX_VERSION " (FAIR metadata harvester; " \
  "+https://github.com/digimed-bayern/fairdex)"

/* Defaults of FdxFetchOptions (fetch.h documents them). */
#define DEFAULT_TIMEOUT_S 60u
#define DEFAULT_CONNECT_TIMEOUT_S 10u
#define DEFAULT_LOW_SPEED_S 30u
#define DEFAULT_MAX_BYTES ((uint64_t)50 * 1024 * 1024)
#define DEFAULT_MAX_RETRIES 3u
#define DEFAULT_RETRY_BASE_MS 1000u
#define DEFAULT_MAX_RETRY_AFTER_S 120u
#define DEFAULT_MIN_DELAY_MS 1000u
#define DEFAULT_MAX_REDIRECTS 5u

/* RFC 9309 2.3.1.2: follow at least five redirects for robots.txt. */
#define ROBOTS_MAX_REDIRECTS 5u

/* RFC 9309 2.4: a robots.txt is not used for more than 24 hours.  One we
 * could not read (so everything is disallowed) is asked for again sooner. */
#define ROBOTS_TTL_MS (24u * 3600u * 1000u)
#define ROBOTS_ERROR_TTL_MS (10u * 60u * 1000u)

/* How often waits and transfers look at the cancel callback. */
#define TICK_MS 50u

/* ========================================================================
 * Small helpers: time, buffers, strings
 * ===================================================================== */

static uint64_t
now_ms(void)
{
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (uint64_t)ts.tv_sec * 1000u + (uint64_t)ts.tv_nsec / 1000000u;
}

static void
sleep_ms(const uint64_t ms)
{
  struct timespec ts = { (time_t)(ms / 1000u), (long)(ms % 1000u) * 1000000L };
  while (nanosleep(&ts, &ts) != 0) {
  }
}

/* A growable byte buffer, always NUL-terminated once anything is in it. */
typedef struct {
  char*  data;
  size_t len;
  size_t cap;
} Buf;

/* Make room for `extra` more bytes and the NUL, growing geometrically but
 * never past `limit` + 1 bytes in all (so a capped body never allocates
 * more than its cap). */
static bool
buf_reserve(Buf* const b, const size_t extra, const size_t limit)
{
  const size_t need = b->len + extra + 1;
  if (need <= b->cap) {
    return true;
  }
  size_t cap = b->cap ? b->cap : 256;
  while (cap < need) {
    cap = cap > SIZE_MAX / 2 ? SIZE_MAX : cap * 2;
  }
  if (limit < SIZE_MAX && cap > limit + 1 && need <= limit + 1) {
    cap = limit + 1;
  }
  char* const data = (char*)realloc(b->data, cap);
  if (!data) {
    return false;
  }
  b->data = data;
  b->cap  = cap;
  return true;
}

static bool
buf_add(Buf* const b, const void* const p, const size_t n, const size_t limit)
{
  if (!buf_reserve(b, n, limit)) {
    return false;
  }
  memcpy(b->data + b->len, p, n);
  b->len += n;
  b->data[b->len] = '\0';
  return true;
}

static void
buf_free(Buf* const b)
{
  free(b->data);
  b->data = NULL;
  b->len = b->cap = 0;
}

static char*
dup_n(const char* const s, const size_t n)
{
  char* const r = (char*)malloc(n + 1);
  if (r) {
    memcpy(r, s, n);
    r[n] = '\0';
  }
  return r;
}

static bool
is_space(const char c)
{
  return c == ' ' || c == '\t' || c == '\r' || c == '\n' || c == '\v' ||
         c == '\f';
}

/* Trim spaces from both ends of [*s, *s + *n). */
static void
trim(const char** const s, size_t* const n)
{
  while (*n && is_space(**s)) {
    ++*s;
    --*n;
  }
  while (*n && is_space((*s)[*n - 1])) {
    --*n;
  }
}

static char
to_lower(const char c)
{
  return (c >= 'A' && c <= 'Z') ? (char)(c - 'A' + 'a') : c;
}

/* Whether [s, s + n) equals the lower-case `word`, ignoring case. */
static bool
eq_word(const char* const s, const size_t n, const char* const word)
{
  return strlen(word) == n && strncasecmp(s, word, n) == 0;
}

static bool
has_line_break(const char* const s)
{
  return s && strpbrk(s, "\r\n") != NULL;
}

/* ========================================================================
 * robots.txt (RFC 9309)
 *
 * Only the group that applies to us is kept: the groups whose User-agent
 * names our product token, merged, or else the "*" groups, merged, or else
 * none.  Patterns are stored percent-normalised, so matching is a plain
 * octet comparison with `*` and a final `$`.
 * ===================================================================== */

typedef struct {
  char*  pattern; /* normalised, NUL-terminated */
  size_t len;     /* octets, the "specificity" of RFC 9309 2.2.2 */
  bool   allow;
} RobotsRule;

struct FdxRobots {
  RobotsRule* rules;
  size_t      n_rules;
  size_t      cap_rules;
  unsigned    delay_ms; /* Crawl-delay, 0 when none */
};

static bool
is_unreserved(const unsigned c)
{
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
         (c >= '0' && c <= '9') || c == '-' || c == '.' || c == '_' || c == '~';
}

static int
hex_value(const char c)
{
  if (c >= '0' && c <= '9') {
    return c - '0';
  }
  if (c >= 'a' && c <= 'f') {
    return c - 'a' + 10;
  }
  if (c >= 'A' && c <= 'F') {
    return c - 'A' + 10;
  }
  return -1;
}

/*
 * The canonical form RFC 9309 2.2.2 compares: octets outside printable
 * US-ASCII percent-encoded, %XX of an unreserved character decoded, every
 * other %XX with upper-case hex.  Applied to patterns and paths alike, so
 * "/a%62c", "/abc" and their UTF-8 or %-encoded forms compare equal.
 */
static char*
robots_normalise(const char* const s, const size_t n)
{
  static const char hex[] = "0123456789ABCDEF";
  char* const       out   = (char*)malloc(3 * n + 1);
  if (!out) {
    return NULL;
  }
  size_t o = 0;
  for (size_t i = 0; i < n; ++i) {
    const unsigned char c  = (unsigned char)s[i];
    int                 hi = -1;
    int                 lo = -1;
    if (c == '%' && i + 2 < n) {
      hi = hex_value(s[i + 1]);
      lo = hex_value(s[i + 2]);
    }
    if (hi >= 0 && lo >= 0) {
      const unsigned v = (unsigned)(hi * 16 + lo);
      if (is_unreserved(v)) {
        out[o++] = (char)v;
      } else {
        out[o++] = '%';
        out[o++] = hex[v >> 4];
        out[o++] = hex[v & 15];
      }
      i += 2;
    } else if (c >= 0x80 || c <= 0x20 || c == 0x7f) {
      out[o++] = '%';
      out[o++] = hex[c >> 4];
      out[o++] = hex[c & 15];
    } else {
      out[o++] = (char)c;
    }
  }
  out[o] = '\0';
  return out;
}

static bool
robots_add_rule(FdxRobots* const r,
                const bool       allow,
                const char*      value,
                const size_t     n)
{
  if (r->n_rules == r->cap_rules) {
    const size_t cap   = r->cap_rules ? r->cap_rules * 2 : 8;
    RobotsRule*  rules = (RobotsRule*)realloc(r->rules, cap * sizeof(*rules));
    if (!rules) {
      return false;
    }
    r->rules     = rules;
    r->cap_rules = cap;
  }
  char* const pattern = robots_normalise(value, n);
  if (!pattern) {
    return false;
  }
  r->rules[r->n_rules].pattern = pattern;
  r->rules[r->n_rules].len     = strlen(pattern);
  r->rules[r->n_rules].allow   = allow;
  ++r->n_rules;
  return true;
}

/* Crawl-delay: seconds, possibly with a fraction ("0.5"); the largest
 * given wins, at most a day.  Nonsense is ignored.  Parsed by hand, not
 * with strtod, so a program's locale cannot turn "2.5" into 2. */
static void
robots_add_delay(FdxRobots* const r, const char* const value, const size_t n)
{
  uint64_t ms   = 0;
  uint64_t unit = 1000; /* milliseconds per digit at this position */
  bool     frac = false;
  bool     any  = false;
  for (size_t i = 0; i < n; ++i) {
    const char c = value[i];
    if (c == '.' && !frac) {
      frac = true;
    } else if (c >= '0' && c <= '9') {
      any = true;
      if (!frac) {
        ms = ms > 86400000u ? ms : ms * 10 + (uint64_t)(c - '0') * 1000u;
      } else if ((unit /= 10) > 0) {
        ms += (uint64_t)(c - '0') * unit;
      }
    } else {
      return;
    }
  }
  if (!any) {
    return;
  }
  const unsigned delay = (unsigned)(ms > 86400000u ? 86400000u : ms);
  if (delay > r->delay_ms) {
    r->delay_ms = delay;
  }
}

/* Whether a User-agent value names `token`: RFC 9309 2.2.1 matches the
 * product token (letters, '_' and '-') ignoring case; anything after it
 * ("fairdex/1.0") does not count. */
static bool
agent_matches(const char* const value, const size_t n, const char* const token)
{
  size_t k = 0;
  while (k < n && ((value[k] >= 'a' && value[k] <= 'z') ||
                   (value[k] >= 'A' && value[k] <= 'Z') || value[k] == '_' ||
                   value[k] == '-')) {
    ++k;
  }
  return k > 0 && strlen(token) == k && strncasecmp(value, token, k) == 0;
}

FdxStatus
fdx_robots_parse(const char* const text,
                 size_t            len,
                 const char* const product_token,
                 FdxRobots** const ret)
{
  if (!ret || (!text && len) || !product_token) {
    return FDX_ERR_BAD_ARG;
  }
  if (len > FDX_ROBOTS_MAX_BYTES) {
    len = FDX_ROBOTS_MAX_BYTES;
  }
  FdxRobots* const ours = (FdxRobots*)calloc(1, sizeof(FdxRobots));
  FdxRobots* const star = (FdxRobots*)calloc(1, sizeof(FdxRobots));
  if (!ours || !star) {
    fdx_robots_free(ours);
    fdx_robots_free(star);
    return FDX_ERR_NO_MEMORY;
  }

  bool   ours_found = false; /* a group names us (even with no rules) */
  bool   star_found = false;
  bool   for_ours   = false; /* the current group applies to us / to * */
  bool   for_star   = false;
  bool   in_agents  = false; /* the last record was a User-agent line */
  size_t pos        = 0;
  if (len >= 3 && memcmp(text, "\xEF\xBB\xBF", 3) == 0) {
    pos = 3; /* a UTF-8 byte order mark */
  }
  while (pos < len) {
    const char* line = text + pos;
    size_t      n    = 0;
    while (pos + n < len && line[n] != '\n' && line[n] != '\r') {
      ++n;
    }
    pos += n;
    if (pos < len && text[pos] == '\r') {
      ++pos;
    }
    if (pos < len && text[pos] == '\n') {
      ++pos;
    }

    const char* const hash = (const char*)memchr(line, '#', n);
    if (hash) {
      n = (size_t)(hash - line);
    }
    const char* const colon = (const char*)memchr(line, ':', n);
    if (!colon) {
      continue;
    }
    const char* key   = line;
    size_t      klen  = (size_t)(colon - line);
    const char* value = colon + 1;
    size_t      vlen  = n - klen - 1;
    trim(&key, &klen);
    trim(&value, &vlen);

    if (eq_word(key, klen, "user-agent")) {
      if (!in_agents) { /* a new group starts */
        for_ours = for_star = false;
      }
      in_agents = true;
      if (agent_matches(value, vlen, product_token)) {
        for_ours = ours_found = true;
      } else if (vlen >= 1 && value[0] == '*') {
        for_star = star_found = true;
      }
      continue;
    }

    const bool allow    = eq_word(key, klen, "allow");
    const bool disallow = eq_word(key, klen, "disallow");
    const bool delay    = eq_word(key, klen, "crawl-delay");
    if (!allow && !disallow && !delay) {
      continue; /* Sitemap and unknown records belong to no group */
    }
    in_agents                   = false;
    FdxRobots* const targets[2] = { for_ours ? ours : NULL,
                                    for_star ? star : NULL };
    for (unsigned i = 0; i < 2; ++i) {
      if (!targets[i]) {
        continue;
      }
      if (delay) {
        robots_add_delay(targets[i], value, vlen);
      } else if (vlen > 0 && !robots_add_rule(targets[i], allow, value, vlen)) {
        fdx_robots_free(ours);
        fdx_robots_free(star);
        return FDX_ERR_NO_MEMORY;
      }
    }
  }

  if (ours_found) {
    fdx_robots_free(star);
    *ret = ours;
  } else if (star_found) {
    fdx_robots_free(ours);
    *ret = star;
  } else {
    fdx_robots_free(star);
    ours->n_rules  = 0;
    ours->delay_ms = 0;
    *ret           = ours;
  }
  return FDX_SUCCESS;
}

/* Whether `pattern` (with `*` and a final `$`) matches the start of `s`
 * (all of `s` with `$`).  Greedy with backtracking to the last `*`. */
static bool
pattern_matches(const char* const pattern,
                size_t            plen,
                const char* const s,
                const size_t      slen)
{
  const bool anchored = plen > 0 && pattern[plen - 1] == '$';
  if (anchored) {
    --plen;
  }
  size_t p      = 0;
  size_t t      = 0;
  size_t star_p = SIZE_MAX;
  size_t star_t = 0;
  while (t < slen) {
    if (p < plen && pattern[p] == '*') {
      star_p = p++;
      star_t = t;
    } else if (p < plen && pattern[p] == s[t]) {
      ++p;
      ++t;
    } else if (p == plen && !anchored) {
      return true;
    } else if (star_p != SIZE_MAX) {
      p = star_p + 1;
      t = ++star_t;
    } else {
      return false;
    }
  }
  while (p < plen && pattern[p] == '*') {
    ++p;
  }
  return p == plen;
}

bool
fdx_robots_allowed(const FdxRobots* const robots, const char* const path)
{
  if (!robots || !path) {
    return true;
  }
  const char* const p = *path ? path : "/";
  if (strcmp(p, "/robots.txt") == 0) {
    return true;
  }
  char* const norm = robots_normalise(p, strlen(p));
  if (!norm) {
    return false; /* out of memory: stay on the safe side */
  }
  const size_t nlen       = strlen(norm);
  bool         found      = false;
  size_t       best_len   = 0;
  bool         best_allow = true;
  for (size_t i = 0; i < robots->n_rules; ++i) {
    const RobotsRule* const r = &robots->rules[i];
    if (found && r->len < best_len) {
      continue;
    }
    if (!pattern_matches(r->pattern, r->len, norm, nlen)) {
      continue;
    }
    if (!found || r->len > best_len) {
      found      = true;
      best_len   = r->len;
      best_allow = r->allow;
    } else if (r->allow) { /* equally specific: Allow wins */
      best_allow = true;
    }
  }
  free(norm);
  return !found || best_allow;
}

unsigned
fdx_robots_crawl_delay_ms(const FdxRobots* const robots)
{
  return robots ? robots->delay_ms : 0u;
}

void
fdx_robots_free(FdxRobots* const robots)
{
  if (!robots) {
    return;
  }
  for (size_t i = 0; i < robots->n_rules; ++i) {
    free(robots->rules[i].pattern);
  }
  free(robots->rules);
  free(robots);
}

/* ========================================================================
 * The fetcher: options, per-origin robots state, per-host politeness
 * ===================================================================== */

typedef enum {
  ROBOTS_RULES,        /* a robots.txt was read: obey `robots` */
  ROBOTS_ALLOW_ALL,    /* 4xx (RFC 9309 2.3.1.3), or ignored */
  ROBOTS_DISALLOW_ALL, /* 5xx or unreachable (RFC 9309 2.3.1.4) */
} RobotsState;

/* One scheme://host:port and what its robots.txt said. */
typedef struct Site {
  struct Site*   next;
  char*          origin;
  RobotsState    state;
  FdxRobots*     robots;     /* with ROBOTS_RULES */
  char*          why;        /* with ROBOTS_DISALLOW_ALL: what went wrong */
  FdxFetchReason why_reason; /* ... and its reason (HTTP for a 5xx) */
  uint64_t       expires_ms;
} Site;

/* One host name and when it was last asked something. */
typedef struct Host {
  struct Host* next;
  char*        name;
  unsigned     delay_ms; /* max(min_delay_ms, Crawl-delay of its sites) */
  bool         used;
  uint64_t     last_ms; /* end of the last request to it */
} Host;

struct FdxFetcher {
  FdxFetchOptions opt; /* defaults applied, user_agent owned */
  char*           user_agent;
  unsigned        max_retries;
  unsigned        min_delay_ms;
  unsigned        max_redirects;
  bool            follow;
  CURLM*          multi;
  Site*           sites;
  Host*           hosts;
};

static pthread_once_t curl_once    = PTHREAD_ONCE_INIT;
static CURLcode       curl_init_rc = CURLE_OK;

/* libcurl's global set-up, once per process.  curl_global_cleanup() is
 * never called: other fetchers (or the program) may still use libcurl. */
static void
curl_init_once(void)
{
  curl_init_rc = curl_global_init(CURL_GLOBAL_DEFAULT);
}

FdxStatus
fdx_fetcher_new(const FdxFetchOptions* const options, FdxFetcher** const ret)
{
  if (!ret) {
    return FDX_ERR_BAD_ARG;
  }
  pthread_once(&curl_once, curl_init_once);
  if (curl_init_rc != CURLE_OK) {
    return FDX_ERR_NO_MEMORY; /* curl_global_init only fails for memory */
  }
  FdxFetcher* const f = (FdxFetcher*)calloc(1, sizeof(FdxFetcher));
  if (!f) {
    return FDX_ERR_NO_MEMORY;
  }
  if (options) {
    f->opt = *options;
  }
  FdxFetchOptions* const o = &f->opt;
  f->user_agent = strdup(o->user_agent ? o->user_agent : DEFAULT_USER_AGENT);
  o->user_agent = f->user_agent;
  if (!o->timeout_s) {
    o->timeout_s = DEFAULT_TIMEOUT_S;
  }
  if (!o->connect_timeout_s) {
    o->connect_timeout_s = DEFAULT_CONNECT_TIMEOUT_S;
  }
  if (!o->low_speed_s) {
    o->low_speed_s = DEFAULT_LOW_SPEED_S;
  }
  if (!o->max_bytes) {
    o->max_bytes = DEFAULT_MAX_BYTES;
  }
  if (o->max_bytes >= SIZE_MAX) {
    o->max_bytes = SIZE_MAX - 1;
  }
  if (!o->retry_base_ms) {
    o->retry_base_ms = DEFAULT_RETRY_BASE_MS;
  }
  if (!o->max_retry_after_s) {
    o->max_retry_after_s = DEFAULT_MAX_RETRY_AFTER_S;
  }
  f->max_retries = o->no_retries
                     ? 0u
                     : (o->max_retries ? o->max_retries : DEFAULT_MAX_RETRIES);
  f->min_delay_ms =
    o->no_delay ? 0u
                : (o->min_delay_ms ? o->min_delay_ms : DEFAULT_MIN_DELAY_MS);
  f->follow = !o->no_redirects;
  f->max_redirects =
    o->max_redirects ? o->max_redirects : DEFAULT_MAX_REDIRECTS;

  f->multi = curl_multi_init();
  if (!f->user_agent || !f->multi) {
    fdx_fetcher_free(f);
    return FDX_ERR_NO_MEMORY;
  }
  /* One connection per host (DESIGN.md); one transfer at a time anyway. */
  curl_multi_setopt(f->multi, CURLMOPT_MAX_HOST_CONNECTIONS, 1L);
  *ret = f;
  return FDX_SUCCESS;
}

void
fdx_fetcher_free(FdxFetcher* const f)
{
  if (!f) {
    return;
  }
  for (Site* s = f->sites; s;) {
    Site* const next = s->next;
    fdx_robots_free(s->robots);
    free(s->why);
    free(s->origin);
    free(s);
    s = next;
  }
  for (Host* h = f->hosts; h;) {
    Host* const next = h->next;
    free(h->name);
    free(h);
    h = next;
  }
  if (f->multi) {
    curl_multi_cleanup(f->multi);
  }
  free(f->user_agent);
  free(f);
}

static bool
is_cancelled(const FdxFetcher* const f)
{
  return f->opt.cancelled && f->opt.cancelled(f->opt.cancel_ctx);
}

/* The site record of `origin`, made (state unknown, expired) if new. */
static Site*
site_get(FdxFetcher* const f, const char* const origin)
{
  for (Site* s = f->sites; s; s = s->next) {
    if (strcmp(s->origin, origin) == 0) {
      return s;
    }
  }
  Site* const s = (Site*)calloc(1, sizeof(Site));
  if (!s || !(s->origin = strdup(origin))) {
    free(s);
    return NULL;
  }
  s->next  = f->sites;
  f->sites = s;
  return s;
}

static Host*
host_get(FdxFetcher* const f, const char* const name)
{
  for (Host* h = f->hosts; h; h = h->next) {
    if (strcmp(h->name, name) == 0) {
      return h;
    }
  }
  Host* const h = (Host*)calloc(1, sizeof(Host));
  if (!h || !(h->name = strdup(name))) {
    free(h);
    return NULL;
  }
  h->delay_ms = f->min_delay_ms;
  h->next     = f->hosts;
  f->hosts    = h;
  return h;
}

/* ========================================================================
 * Results
 * ===================================================================== */

void
fdx_fetch_result_clear(FdxFetchResult* const res)
{
  if (!res) {
    return;
  }
  free(res->body);
  free(res->content_type);
  free(res->etag);
  free(res->last_modified);
  free(res->final_url);
  memset(res, 0, sizeof(*res));
}

#if defined(__GNUC__)
__attribute__((format(printf, 4, 5)))
#endif
static FdxStatus
fail(FdxFetchResult* const res,
     const FdxStatus       st,
     const FdxFetchReason  reason,
     const char* const     fmt,
     ...)
{
  va_list args;
  va_start(args, fmt);
  vsnprintf(res->error, sizeof(res->error), fmt, args);
  va_end(args);
  res->st        = st;
  res->reason    = reason;
  res->cancelled = reason == FDX_FETCH_CANCELLED;
  return st;
}

static FdxStatus
fail_oom(FdxFetchResult* const res)
{
  return fail(res, FDX_ERR_NO_MEMORY, FDX_FETCH_NO_MEMORY, "out of memory");
}

static FdxStatus
fail_cancelled(FdxFetchResult* const res)
{
  return fail(res, FDX_FAILURE, FDX_FETCH_CANCELLED, "cancelled");
}

/* Wait until the monotonic time `due`, looking at the cancel callback
 * every tick.  FDX_FAILURE when cancelled. */
static FdxStatus
wait_until(const FdxFetcher* const f, const uint64_t due)
{
  for (;;) {
    if (is_cancelled(f)) {
      return FDX_FAILURE;
    }
    const uint64_t now = now_ms();
    if (now >= due) {
      return FDX_SUCCESS;
    }
    sleep_ms(due - now < TICK_MS ? due - now : TICK_MS);
  }
}

/* ========================================================================
 * URLs
 * ===================================================================== */

/* A URL taken apart by libcurl's own parser, so what we check is what it
 * will request. */
typedef struct {
  char* url;    /* normalised by libcurl */
  char* host;   /* lower case; IPv6 in brackets */
  char* origin; /* scheme://host:port */
  char* path;   /* path and query as in the URL, for robots.txt */
} Target;

static void
target_clear(Target* const t)
{
  free(t->url);
  free(t->host);
  free(t->origin);
  free(t->path);
  memset(t, 0, sizeof(*t));
}

/* FDX_ERR_BAD_ARG: not a URL; FDX_ERR_UNSUPPORTED: not http or https. */
static FdxStatus
target_parse(const char* const url, Target* const t)
{
  FdxStatus st     = FDX_ERR_NO_MEMORY;
  CURLU*    h      = curl_url();
  char*     scheme = NULL;
  char*     host   = NULL;
  char*     port   = NULL;
  char*     path   = NULL;
  char*     query  = NULL;
  char*     full   = NULL;
  if (!h) {
    return FDX_ERR_NO_MEMORY;
  }
  CURLUcode uc = curl_url_set(h, CURLUPART_URL, url, CURLU_NON_SUPPORT_SCHEME);
  if (uc == CURLUE_OUT_OF_MEMORY) {
    goto done;
  }
  st = FDX_ERR_BAD_ARG;
  if (uc != CURLUE_OK ||
      curl_url_get(h, CURLUPART_SCHEME, &scheme, 0) != CURLUE_OK) {
    goto done;
  }
  if (strcmp(scheme, "http") != 0 && strcmp(scheme, "https") != 0) {
    st = FDX_ERR_UNSUPPORTED;
    goto done;
  }
  if (curl_url_get(h, CURLUPART_HOST, &host, 0) != CURLUE_OK ||
      curl_url_get(h, CURLUPART_PORT, &port, CURLU_DEFAULT_PORT) != CURLUE_OK ||
      curl_url_get(h, CURLUPART_PATH, &path, 0) != CURLUE_OK ||
      curl_url_get(h, CURLUPART_URL, &full, 0) != CURLUE_OK) {
    goto done;
  }
  uc = curl_url_get(h, CURLUPART_QUERY, &query, 0);
  if (uc != CURLUE_OK && uc != CURLUE_NO_QUERY) {
    goto done;
  }
  for (char* c = host; *c; ++c) {
    *c = to_lower(*c);
  }
  st                = FDX_ERR_NO_MEMORY;
  const size_t olen = strlen(scheme) + strlen(host) + strlen(port) + 5;
  const size_t plen = strlen(path) + (query ? strlen(query) + 1 : 0) + 1;
  t->url            = strdup(full);
  t->host           = strdup(host);
  t->origin         = (char*)malloc(olen);
  t->path           = (char*)malloc(plen);
  if (!t->url || !t->host || !t->origin || !t->path) {
    target_clear(t);
    goto done;
  }
  snprintf(t->origin, olen, "%s://%s:%s", scheme, host, port);
  snprintf(t->path, plen, "%s%s%s", path, query ? "?" : "", query ? query : "");
  st = FDX_SUCCESS;

done:
  curl_free(scheme);
  curl_free(host);
  curl_free(port);
  curl_free(path);
  curl_free(query);
  curl_free(full);
  curl_url_cleanup(h);
  return st;
}

/* ========================================================================
 * The address policy
 * ===================================================================== */

/* `a` in host order. */
static bool
ipv4_refused(const uint32_t a)
{
  const unsigned b0 = a >> 24;
  const unsigned b1 = (a >> 16) & 0xffu;
  return b0 == 0                             /* 0/8 "this network" */
         || b0 == 10                         /* RFC 1918 */
         || b0 == 127                        /* loopback */
         || (b0 == 169 && b1 == 254)         /* link-local */
         || (b0 == 172 && (b1 & 0xf0) == 16) /* RFC 1918 */
         || (b0 == 192 && b1 == 168)         /* RFC 1918 */
         || (b0 == 100 && (b1 & 0xc0) == 64) /* CGNAT 100.64/10 */
         || b0 >= 224;                       /* multicast, reserved */
}

static uint32_t
ipv4_at(const unsigned char* const b)
{
  return ((uint32_t)b[0] << 24) | ((uint32_t)b[1] << 16) |
         ((uint32_t)b[2] << 8) | (uint32_t)b[3];
}

static bool
ipv6_refused(const unsigned char* const a)
{
  static const unsigned char zero[16] = { 0 };
  if (memcmp(a, zero, 15) == 0 && (a[15] == 0 || a[15] == 1)) {
    return true; /* :: and ::1 */
  }
  if ((a[0] & 0xfe) == 0xfc) {
    return true; /* fc00::/7 unique local */
  }
  if (a[0] == 0xfe && (a[1] & 0x80) == 0x80) {
    return true; /* fe80::/10 link-local, fec0::/10 site-local */
  }
  if (a[0] == 0xff) {
    return true; /* multicast */
  }
  if (memcmp(a, zero, 10) == 0 &&
      ((a[10] == 0xff && a[11] == 0xff) || (a[10] == 0 && a[11] == 0))) {
    return ipv4_refused(ipv4_at(a + 12)); /* v4-mapped, v4-compatible */
  }
  if (a[0] == 0x00 && a[1] == 0x64 && a[2] == 0xff && a[3] == 0x9b &&
      memcmp(a + 4, zero, 8) == 0) {
    return ipv4_refused(ipv4_at(a + 12)); /* NAT64 64:ff9b::/96 */
  }
  if (a[0] == 0x20 && a[1] == 0x02) {
    return ipv4_refused(ipv4_at(a + 2)); /* 6to4 2002::/16 */
  }
  return false;
}

/* Whether the policy refuses `sa`, with its text in `text` either way. */
static bool
address_refused(const struct sockaddr* const sa,
                const size_t                 salen,
                char* const                  text,
                const size_t                 text_size)
{
  struct sockaddr_storage ss;
  memset(&ss, 0, sizeof(ss));
  memcpy(&ss, sa, salen < sizeof(ss) ? salen : sizeof(ss));
  snprintf(text, text_size, "(unknown address)");
  if (ss.ss_family == AF_INET) {
    const struct sockaddr_in* const in = (const struct sockaddr_in*)&ss;
    inet_ntop(AF_INET, &in->sin_addr, text, (socklen_t)text_size);
    return ipv4_refused(ntohl(in->sin_addr.s_addr));
  }
  if (ss.ss_family == AF_INET6) {
    const struct sockaddr_in6* const in6 = (const struct sockaddr_in6*)&ss;
    inet_ntop(AF_INET6, &in6->sin6_addr, text, (socklen_t)text_size);
    return ipv6_refused(in6->sin6_addr.s6_addr);
  }
  return true; /* Unix sockets and other families: never to the network */
}

/* ========================================================================
 * One transfer
 * ===================================================================== */

/* What one request is for. */
typedef struct {
  const char* accept;
  const char* if_none_match;
  const char* if_modified_since;
  uint64_t    max_bytes;    /* cap on the decoded body */
  bool        truncate_ok;  /* over the cap: keep the first max_bytes */
  bool        check_robots; /* robots.txt on every hop */
  bool        follow;       /* follow redirects */
  unsigned    max_redirects;
} Request;

/* One request and its answer. */
typedef struct {
  FdxFetcher*    f;
  const Request* req;
  /* The answer */
  CURLcode code;
  long     status;
  Buf      body;
  char*    etag;
  char*    last_modified;
  char*    retry_after;
  char*    content_type;
  char*    redirect_url;
  bool     encoded;        /* a Content-Encoding other than identity */
  int64_t  content_length; /* -1 when not given */
  uint64_t elapsed_ms;
  bool     connected;
  /* What stopped it */
  uint64_t progress_ms; /* when the last byte arrived, or the request went */
  bool     sent;        /* the request went out (on a new or reused
                           connection) */
  bool too_big;
  bool truncated;
  bool stalled;
  bool blocked; /* an address was refused by the policy */
  bool cancelled;
  bool no_memory;
  char blocked_addr[INET6_ADDRSTRLEN];
  char errbuf[CURL_ERROR_SIZE];
} Xfer;

static void
xfer_headers_clear(Xfer* const x)
{
  free(x->etag);
  free(x->last_modified);
  free(x->retry_after);
  x->etag = x->last_modified = x->retry_after = NULL;
  x->encoded                                  = false;
  x->content_length                           = -1;
}

static void
xfer_clear(Xfer* const x)
{
  xfer_headers_clear(x);
  buf_free(&x->body);
  free(x->content_type);
  free(x->redirect_url);
  memset(x, 0, sizeof(*x));
  x->content_length = -1;
}

static bool
replace_str(char** const dst, const char* const s, const size_t n)
{
  char* const copy = dup_n(s, n);
  if (!copy) {
    return false;
  }
  free(*dst);
  *dst = copy;
  return true;
}

static size_t
on_header(char* const buf, const size_t size, const size_t n, void* const ud)
{
  Xfer* const  x     = (Xfer*)ud;
  const size_t total = size * n;
  x->progress_ms     = now_ms();
  if (total >= 5 && memcmp(buf, "HTTP/", 5) == 0) {
    xfer_headers_clear(x); /* a new answer (after 1xx): forget the last */
    return total;
  }
  const char* const colon = (const char*)memchr(buf, ':', total);
  if (!colon) {
    return total;
  }
  const char* name  = buf;
  size_t      nlen  = (size_t)(colon - buf);
  const char* value = colon + 1;
  size_t      vlen  = total - nlen - 1;
  trim(&name, &nlen);
  trim(&value, &vlen);
  bool ok = true;
  if (eq_word(name, nlen, "etag")) {
    ok = replace_str(&x->etag, value, vlen);
  } else if (eq_word(name, nlen, "last-modified")) {
    ok = replace_str(&x->last_modified, value, vlen);
  } else if (eq_word(name, nlen, "retry-after")) {
    ok = replace_str(&x->retry_after, value, vlen);
  } else if (eq_word(name, nlen, "content-encoding")) {
    x->encoded = vlen > 0 && !eq_word(value, vlen, "identity");
  } else if (eq_word(name, nlen, "content-length")) {
    int64_t v = 0;
    size_t  i = 0;
    for (; i < vlen && value[i] >= '0' && value[i] <= '9'; ++i) {
      v = v > INT64_MAX / 10 ? INT64_MAX : v * 10 + (value[i] - '0');
    }
    x->content_length = (i == vlen && vlen > 0) ? v : -1;
  }
  if (!ok) {
    x->no_memory = true;
    return 0;
  }
  return total;
}

/* The size cap lives here, on decoded bytes: a gzip bomb is stopped after
 * max_bytes of output, whatever the compressed size. */
static size_t
on_body(char* const data, const size_t size, const size_t n, void* const ud)
{
  Xfer* const    x     = (Xfer*)ud;
  const size_t   total = size * n;
  const uint64_t max   = x->req->max_bytes;
  x->progress_ms       = now_ms();
  if (!x->req->truncate_ok && !x->encoded && x->content_length >= 0 &&
      (uint64_t)x->content_length > max) {
    x->too_big = true; /* said so up front: do not download any of it */
    return 0;
  }
  if ((uint64_t)x->body.len + total > max) {
    if (x->req->truncate_ok) {
      const size_t room = (size_t)(max - x->body.len);
      if (!buf_add(&x->body, data, room, (size_t)max)) {
        x->no_memory = true;
      }
      x->truncated = true;
    } else {
      x->too_big = true;
    }
    return 0;
  }
  if (!buf_add(&x->body, data, total, (size_t)max)) {
    x->no_memory = true;
    return 0;
  }
  return total;
}

static int
on_progress(void* const      ud,
            const curl_off_t dltotal,
            const curl_off_t dlnow,
            const curl_off_t ultotal,
            const curl_off_t ulnow)
{
  (void)dltotal;
  (void)dlnow;
  (void)ultotal;
  (void)ulnow;
  Xfer* const x = (Xfer*)ud;
  if (is_cancelled(x->f)) {
    x->cancelled = true;
    return 1;
  }
  return 0;
}

#if LIBCURL_VERSION_NUM >= 0x075000
/* Called when a connection (new or reused) is ready and the request is
 * about to go: from here on, silence counts as a stall. */
static int
on_request_sent(void* const ud,
                char* const conn_primary_ip,
                char* const conn_local_ip,
                const int   conn_primary_port,
                const int   conn_local_port)
{
  (void)conn_primary_ip;
  (void)conn_local_ip;
  (void)conn_primary_port;
  (void)conn_local_port;
  Xfer* const x  = (Xfer*)ud;
  x->sent        = true;
  x->progress_ms = now_ms();
  return CURL_PREREQFUNC_OK;
}
#endif

/* The address policy, applied to every address libcurl connects to: after
 * DNS, on every redirect hop, for every address tried. */
static curl_socket_t
on_open_socket(void* const                 ud,
               const curlsocktype          purpose,
               struct curl_sockaddr* const a)
{
  (void)purpose;
  Xfer* const x = (Xfer*)ud;
  char        text[INET6_ADDRSTRLEN];
  const bool  refused =
    address_refused(&a->addr, a->addrlen, text, sizeof(text));
  if (refused && !x->f->opt.allow_private) {
    x->blocked = true;
    snprintf(x->blocked_addr, sizeof(x->blocked_addr), "%s", text);
    return CURL_SOCKET_BAD;
  }
  return socket(a->family, a->socktype | SOCK_CLOEXEC, a->protocol);
}

static struct curl_slist*
add_header(struct curl_slist* const list,
           bool* const              ok,
           const char* const        name,
           const char* const        value)
{
  if (!*ok || !value) {
    return list;
  }
  const size_t n    = strlen(name) + strlen(value) + 3;
  char* const  line = (char*)malloc(n);
  if (!line) {
    *ok = false;
    return list;
  }
  snprintf(line, n, "%s: %s", name, value);
  struct curl_slist* const next = curl_slist_append(list, line);
  free(line);
  if (!next) {
    *ok = false;
    return list;
  }
  return next;
}

/* The content type without parameters, lower case (new), or NULL. */
static char*
media_type(const char* const ct)
{
  if (!ct) {
    return NULL;
  }
  const char* s = ct;
  size_t      n = strcspn(ct, ";");
  trim(&s, &n);
  if (n == 0) {
    return NULL;
  }
  char* const r = dup_n(s, n);
  if (r) {
    for (char* c = r; *c; ++c) {
      *c = to_lower(*c);
    }
  }
  return r;
}

/* Send one request for `url` and wait for its answer in `x` (cleared
 * first).  Nothing of libcurl outlives this function. */
static void
xfer_run(FdxFetcher* const    f,
         Xfer* const          x,
         const char* const    url,
         const Request* const req)
{
  xfer_clear(x);
  x->f   = f;
  x->req = req;

  bool               ok      = true;
  struct curl_slist* headers = NULL;
  headers                    = add_header(headers, &ok, "Accept", req->accept);
  headers = add_header(headers, &ok, "If-None-Match", req->if_none_match);
  headers =
    add_header(headers, &ok, "If-Modified-Since", req->if_modified_since);
  CURL* const e = curl_easy_init();
  if (!ok || !e) {
    curl_slist_free_all(headers);
    curl_easy_cleanup(e);
    x->code      = CURLE_OUT_OF_MEMORY;
    x->no_memory = true;
    return;
  }
  const FdxFetchOptions* const o = &f->opt;
  curl_easy_setopt(e, CURLOPT_URL, url);
#if LIBCURL_VERSION_NUM >= 0x075500
  curl_easy_setopt(e, CURLOPT_PROTOCOLS_STR, "http,https");
  curl_easy_setopt(e, CURLOPT_REDIR_PROTOCOLS_STR, "http,https");
#else
  curl_easy_setopt(
    e, CURLOPT_PROTOCOLS, (long)(CURLPROTO_HTTP | CURLPROTO_HTTPS));
  curl_easy_setopt(
    e, CURLOPT_REDIR_PROTOCOLS, (long)(CURLPROTO_HTTP | CURLPROTO_HTTPS));
#endif
  /* Redirects are followed by fdx_fetch itself, hop by hop. */
  curl_easy_setopt(e, CURLOPT_FOLLOWLOCATION, 0L);
  curl_easy_setopt(e, CURLOPT_HTTPGET, 1L);
  curl_easy_setopt(e, CURLOPT_NOSIGNAL, 1L);
  /* No proxy from the environment: the address policy can only hold on a
   * direct connection. */
  curl_easy_setopt(e, CURLOPT_PROXY, "");
  curl_easy_setopt(e, CURLOPT_USERAGENT, f->user_agent);
  curl_easy_setopt(e, CURLOPT_HTTPHEADER, headers);
  curl_easy_setopt(e, CURLOPT_ACCEPT_ENCODING, "");
  curl_easy_setopt(e, CURLOPT_TIMEOUT_MS, (long)o->timeout_s * 1000L);
  curl_easy_setopt(
    e, CURLOPT_CONNECTTIMEOUT_MS, (long)o->connect_timeout_s * 1000L);
  curl_easy_setopt(e, CURLOPT_LOW_SPEED_LIMIT, 1L);
  curl_easy_setopt(e, CURLOPT_LOW_SPEED_TIME, (long)o->low_speed_s);
  curl_easy_setopt(e, CURLOPT_HEADERFUNCTION, on_header);
  curl_easy_setopt(e, CURLOPT_HEADERDATA, x);
  curl_easy_setopt(e, CURLOPT_WRITEFUNCTION, on_body);
  curl_easy_setopt(e, CURLOPT_WRITEDATA, x);
  curl_easy_setopt(e, CURLOPT_NOPROGRESS, 0L);
  curl_easy_setopt(e, CURLOPT_XFERINFOFUNCTION, on_progress);
  curl_easy_setopt(e, CURLOPT_XFERINFODATA, x);
  curl_easy_setopt(e, CURLOPT_OPENSOCKETFUNCTION, on_open_socket);
  curl_easy_setopt(e, CURLOPT_OPENSOCKETDATA, x);
  curl_easy_setopt(e, CURLOPT_ERRORBUFFER, x->errbuf);
#if LIBCURL_VERSION_NUM >= 0x075000
  curl_easy_setopt(e, CURLOPT_PREREQFUNCTION, on_request_sent);
  curl_easy_setopt(e, CURLOPT_PREREQDATA, x);
#endif

  const uint64_t start = now_ms();
  x->code              = CURLE_FAILED_INIT;
  if (curl_multi_add_handle(f->multi, e) == CURLM_OK) {
    bool done = false;
    while (!done) {
      int running = 0;
      if (curl_multi_perform(f->multi, &running) != CURLM_OK) {
        break;
      }
      CURLMsg* m    = NULL;
      int      left = 0;
      while ((m = curl_multi_info_read(f->multi, &left))) {
        if (m->msg == CURLMSG_DONE && m->easy_handle == e) {
          x->code = m->data.result;
          done    = true;
        }
      }
      if (done) {
        break;
      }
      if (is_cancelled(f)) {
        x->cancelled = true;
        x->code      = CURLE_ABORTED_BY_CALLBACK;
        break;
      }
      /* libcurl's own low-speed check averages over several seconds, so
       * a server that sent a little and then went silent would get
       * low_speed_s plus that window.  Silence from a connected server
       * is measured here instead (libcurl's check stays, for trickles). */
      const uint64_t now = now_ms();
      if (!x->sent || x->progress_ms == 0) {
        x->progress_ms = now;
      } else if (now - x->progress_ms >= (uint64_t)o->low_speed_s * 1000u) {
        x->stalled = true;
        x->code    = CURLE_OPERATION_TIMEDOUT;
        break;
      }
      if (curl_multi_poll(f->multi, NULL, 0, (int)TICK_MS, NULL) != CURLM_OK) {
        break;
      }
    }
    curl_multi_remove_handle(f->multi, e);
  }
  x->elapsed_ms = now_ms() - start;

  long       status = 0;
  char*      ct     = NULL;
  char*      redir  = NULL;
  curl_off_t conn   = 0;
  curl_easy_getinfo(e, CURLINFO_RESPONSE_CODE, &status);
  curl_easy_getinfo(e, CURLINFO_CONTENT_TYPE, &ct);
  curl_easy_getinfo(e, CURLINFO_REDIRECT_URL, &redir);
  curl_easy_getinfo(e, CURLINFO_CONNECT_TIME_T, &conn);
  x->status    = status;
  x->connected = x->sent || conn > 0 || status > 0;
  if (ct && !(x->content_type = media_type(ct))) {
    x->no_memory = true;
  }
  if (redir && !(x->redirect_url = strdup(redir))) {
    x->no_memory = true;
  }
  curl_easy_cleanup(e);
  curl_slist_free_all(headers);
}

static bool
transient(const CURLcode code)
{
  switch (code) {
  case CURLE_COULDNT_CONNECT:
  case CURLE_GOT_NOTHING:
  case CURLE_SEND_ERROR:
  case CURLE_RECV_ERROR:
  case CURLE_PARTIAL_FILE:
  case CURLE_HTTP2:
  case CURLE_HTTP2_STREAM:
    return true;
  default:
    return false;
  }
}

static bool
retryable_status(const long status)
{
  return status == 429 || status == 500 || status == 502 || status == 503 ||
         status == 504;
}

static bool
is_redirect(const long status)
{
  return status == 301 || status == 302 || status == 303 || status == 307 ||
         status == 308;
}

/* Seconds of a Retry-After (delta-seconds or HTTP-date), or -1. */
static long long
retry_after_s(const char* const value)
{
  if (!value || !*value) {
    return -1;
  }
  if (value[0] >= '0' && value[0] <= '9') {
    long long s = 0;
    for (const char* c = value; *c; ++c) {
      if (*c < '0' || *c > '9') {
        return -1;
      }
      s = s > 100000000LL ? s : s * 10 + (*c - '0');
    }
    return s;
  }
  const time_t when = curl_getdate(value, NULL);
  if (when == (time_t)-1) {
    return -1;
  }
  const time_t now = time(NULL);
  return when > now ? (long long)(when - now) : 0;
}

static uint64_t
backoff_ms(const FdxFetcher* const f, const unsigned attempt)
{
  const uint64_t cap = (uint64_t)f->opt.max_retry_after_s * 1000u;
  uint64_t       ms  = f->opt.retry_base_ms;
  for (unsigned i = 1; i < attempt && ms < cap; ++i) {
    ms *= 2;
  }
  return ms < cap ? ms : cap;
}

/* ========================================================================
 * Requests: politeness, retries, redirects, robots
 * ===================================================================== */

static FdxStatus
robots_check(FdxFetcher* f, const Target* t, FdxFetchResult* res);

/* Describe a transport failure of `x` in `res`. */
static FdxStatus
fail_transport(FdxFetcher* const     f,
               const Xfer* const     x,
               const Target* const   t,
               const unsigned        attempts,
               FdxFetchResult* const res)
{
  const FdxFetchOptions* const o = &f->opt;
  if (x->blocked && x->code == CURLE_COULDNT_CONNECT) {
    return fail(res,
                FDX_ERR_IO,
                FDX_FETCH_PRIVATE,
                "connect to %s refused: a private or loopback address",
                x->blocked_addr);
  }
  if (x->code == CURLE_OPERATION_TIMEDOUT) {
    if (x->stalled) {
      return fail(res,
                  FDX_ERR_LIMIT,
                  FDX_FETCH_STALLED,
                  "stalled: under 1 byte/s for %u s",
                  o->low_speed_s);
    }
    if (!x->connected) {
      return fail(res,
                  FDX_ERR_LIMIT,
                  FDX_FETCH_TIMEOUT,
                  "connect to %s timed out after %u s",
                  t->host,
                  o->connect_timeout_s);
    }
    if (x->elapsed_ms + 250 >= (uint64_t)o->timeout_s * 1000u) {
      return fail(res,
                  FDX_ERR_LIMIT,
                  FDX_FETCH_TIMEOUT,
                  "timed out after %u s",
                  o->timeout_s);
    }
    return fail(res,
                FDX_ERR_LIMIT,
                FDX_FETCH_STALLED,
                "stalled: under 1 byte/s for %u s",
                o->low_speed_s);
  }
  const char* const why =
    x->errbuf[0] ? x->errbuf : curl_easy_strerror(x->code);
  if (attempts > 1) {
    return fail(res,
                FDX_ERR_IO,
                FDX_FETCH_NETWORK,
                "%s (after %u attempts)",
                why,
                attempts);
  }
  return fail(res, FDX_ERR_IO, FDX_FETCH_NETWORK, "%s", why);
}

/*
 * Ask for `t` until an answer that is not retried, leaving it in `x`:
 * politeness delay before each request, retry on 429/5xx (Retry-After or
 * backoff) and on transient transport errors.  FDX_SUCCESS means `x` holds
 * an HTTP answer (any status); otherwise `res` says why, and `x` may still
 * hold the last answer (for a Retry-After that is too long).
 */
static FdxStatus
request(FdxFetcher* const     f,
        const Target* const   t,
        const Request* const  req,
        Xfer* const           x,
        unsigned* const       attempts,
        FdxFetchResult* const res)
{
  Host* const h = host_get(f, t->host);
  if (!h) {
    return fail_oom(res);
  }
  for (unsigned attempt = 1;; ++attempt) {
    if (h->used && wait_until(f, h->last_ms + h->delay_ms) != FDX_SUCCESS) {
      return fail_cancelled(res);
    }
    ++*attempts;
    xfer_run(f, x, t->url, req);
    h->used    = true;
    h->last_ms = now_ms();
    if (x->cancelled) {
      return fail_cancelled(res);
    }
    if (x->no_memory) {
      return fail_oom(res);
    }
    if (x->too_big) {
      buf_free(&x->body);
      return fail(res,
                  FDX_ERR_LIMIT,
                  FDX_FETCH_TOO_BIG,
                  "larger than %llu bytes",
                  (unsigned long long)req->max_bytes);
    }
    if (x->code != CURLE_OK && !x->truncated) {
      if (transient(x->code) && !x->blocked && attempt <= f->max_retries) {
        if (wait_until(f, now_ms() + backoff_ms(f, attempt)) != FDX_SUCCESS) {
          return fail_cancelled(res);
        }
        continue;
      }
      return fail_transport(f, x, t, attempt, res);
    }
    if (!retryable_status(x->status) || attempt > f->max_retries) {
      return FDX_SUCCESS;
    }
    uint64_t        wait = backoff_ms(f, attempt);
    const long long ra   = retry_after_s(x->retry_after);
    if (ra > (long long)f->opt.max_retry_after_s) {
      return fail(res,
                  FDX_ERR_LIMIT,
                  FDX_FETCH_RETRY_AFTER,
                  "Retry-After %lld s is longer than %u s",
                  ra,
                  f->opt.max_retry_after_s);
    }
    if (ra >= 0) {
      wait = (uint64_t)ra * 1000u;
    }
    if (wait_until(f, now_ms() + wait) != FDX_SUCCESS) {
      return fail_cancelled(res);
    }
  }
}

/* Move the answer in `x` into `res` (body, headers, status, URL). */
static void
take_answer(FdxFetchResult* const res, Xfer* const x, const char* const url)
{
  res->status        = x->status;
  res->body          = x->body.data;
  res->len           = x->body.len;
  res->content_type  = x->content_type;
  res->etag          = x->etag;
  res->last_modified = x->last_modified;
  x->body.data       = NULL;
  x->body.len = x->body.cap = 0;
  x->content_type = x->etag = x->last_modified = NULL;
  free(res->final_url);
  res->final_url = url ? strdup(url) : NULL;
}

/*
 * GET `url`, following redirects by hand so that every hop goes through
 * the scheme check, robots.txt (when asked) and politeness.  Fills `res`
 * and returns res->st, apart from the body's NUL for requests that never
 * got an answer (fdx_fetch adds it).
 */
static FdxStatus
fetch_chain(FdxFetcher* const     f,
            const char* const     url,
            const Request* const  req,
            FdxFetchResult* const res)
{
  FdxStatus st = FDX_SUCCESS;
  Xfer      x;
  Target    t;
  char*     cur = strdup(url);
  memset(&x, 0, sizeof(x));
  memset(&t, 0, sizeof(t));
  if (!cur) {
    return fail_oom(res);
  }
  for (;;) {
    target_clear(&t);
    st = target_parse(cur, &t);
    if (st == FDX_ERR_NO_MEMORY) {
      fail_oom(res);
      break;
    }
    if (st != FDX_SUCCESS) {
      const FdxFetchReason why =
        st == FDX_ERR_UNSUPPORTED ? FDX_FETCH_SCHEME : FDX_FETCH_BAD_URL;
      const char* const what =
        st == FDX_ERR_UNSUPPORTED ? "not http or https" : "not a valid URL";
      if (res->redirects) {
        fail(res, st, why, "redirect to %.400s refused: %s", cur, what);
      } else {
        fail(res, st, why, "%s: %.400s", what, cur);
      }
      break;
    }
    if (req->check_robots) {
      st = robots_check(f, &t, res);
      if (st != FDX_SUCCESS) {
        break;
      }
    }
    st = request(f, &t, req, &x, &res->attempts, res);
    if (st != FDX_SUCCESS) {
      break;
    }
    if (req->follow && is_redirect(x.status) && x.redirect_url) {
      if (res->redirects >= req->max_redirects) {
        st = fail(res,
                  FDX_ERR_LIMIT,
                  FDX_FETCH_REDIRECTS,
                  "too many redirects (more than %u)",
                  req->max_redirects);
        break;
      }
      char* const next = strdup(x.redirect_url);
      if (!next) {
        st = fail_oom(res);
        break;
      }
      ++res->redirects;
      free(cur);
      cur = next;
      continue;
    }
    break;
  }

  take_answer(res, &x, t.url ? t.url : cur);
  if (st == FDX_SUCCESS) {
    if (res->status == 304) {
      res->not_modified = true;
    } else if (res->status < 200 || res->status > 299) {
      if (res->attempts > 1) {
        st = fail(res,
                  FDX_ERR_IO,
                  FDX_FETCH_HTTP,
                  "HTTP %ld (after %u attempts)",
                  res->status,
                  res->attempts);
      } else {
        st = fail(res, FDX_ERR_IO, FDX_FETCH_HTTP, "HTTP %ld", res->status);
      }
    }
  }
  res->st = st;
  xfer_clear(&x);
  target_clear(&t);
  free(cur);
  return st;
}

/* Read the robots.txt of `t`'s origin into `s` (RFC 9309 2.3). */
static FdxStatus
robots_fetch(FdxFetcher* const     f,
             Site* const           s,
             const Target* const   t,
             FdxFetchResult* const res)
{
  const size_t n   = strlen(t->origin) + sizeof("/robots.txt");
  char* const  url = (char*)malloc(n);
  if (!url) {
    return fail_oom(res);
  }
  snprintf(url, n, "%s/robots.txt", t->origin);
  const Request  req = { .accept        = "text/plain",
                         .max_bytes     = FDX_ROBOTS_MAX_BYTES,
                         .truncate_ok   = true,
                         .check_robots  = false,
                         .follow        = true,
                         .max_redirects = ROBOTS_MAX_REDIRECTS };
  FdxFetchResult rr;
  memset(&rr, 0, sizeof(rr));
  const FdxStatus rst = fetch_chain(f, url, &req, &rr);
  free(url);

  FdxStatus st = FDX_SUCCESS;
  if (rr.reason == FDX_FETCH_CANCELLED) {
    st = fail_cancelled(res);
    goto done;
  }
  if (rr.reason == FDX_FETCH_NO_MEMORY) {
    st = fail_oom(res);
    goto done;
  }
  if (rr.reason == FDX_FETCH_PRIVATE) {
    /* Not the site's fault: the page itself would be refused the same. */
    st = fail(res, rr.st, rr.reason, "%s", rr.error);
    goto done;
  }

  fdx_robots_free(s->robots);
  s->robots = NULL;
  free(s->why);
  s->why        = NULL;
  s->expires_ms = now_ms() + ROBOTS_TTL_MS;
  if (rst == FDX_SUCCESS && rr.status >= 200 && rr.status <= 299) {
    st = fdx_robots_parse(
      rr.body ? rr.body : "", rr.len, FDX_FETCH_PRODUCT_TOKEN, &s->robots);
    if (st != FDX_SUCCESS) {
      st = fail_oom(res);
      goto done;
    }
    s->state       = ROBOTS_RULES;
    unsigned delay = fdx_robots_crawl_delay_ms(s->robots);
    if ((uint64_t)delay > (uint64_t)f->opt.max_retry_after_s * 1000u) {
      delay = (unsigned)((uint64_t)f->opt.max_retry_after_s * 1000u);
    }
    Host* const h = host_get(f, t->host);
    if (!h) {
      st = fail_oom(res);
      goto done;
    }
    if (delay > h->delay_ms) {
      h->delay_ms = delay;
    }
  } else if (rr.reason == FDX_FETCH_REDIRECTS ||
             (rr.reason == FDX_FETCH_HTTP && rr.status >= 300 &&
              rr.status <= 499 && rr.status != 429)) {
    /* "Unavailable" (RFC 9309 2.3.1.3; 2.3.1.2 for too many redirects):
     * no rules.  A 429 is a server asking for time, so it counts as
     * unreachable below. */
    s->state = ROBOTS_ALLOW_ALL;
  } else {
    /* "Unreachable" (RFC 9309 2.3.1.4): everything disallowed. */
    s->state      = ROBOTS_DISALLOW_ALL;
    s->expires_ms = now_ms() + ROBOTS_ERROR_TTL_MS;
    s->why        = strdup(rr.error[0] ? rr.error : "no answer");
    s->why_reason = rr.reason;
    if (!s->why) {
      st = fail_oom(res);
    }
  }

done:
  fdx_fetch_result_clear(&rr);
  return st;
}

/* Whether robots.txt lets us fetch `t`, reading it if not yet known. */
static FdxStatus
robots_check(FdxFetcher* const     f,
             const Target* const   t,
             FdxFetchResult* const res)
{
  if (strcmp(t->path, "/robots.txt") == 0) {
    return FDX_SUCCESS;
  }
  Site* const s = site_get(f, t->origin);
  if (!s) {
    return fail_oom(res);
  }
  if (now_ms() >= s->expires_ms) {
    const FdxStatus st = robots_fetch(f, s, t, res);
    if (st != FDX_SUCCESS) {
      return st;
    }
  }
  switch (s->state) {
  case ROBOTS_ALLOW_ALL:
    return FDX_SUCCESS;
  case ROBOTS_DISALLOW_ALL: {
    /* A robots.txt answered with a server error disallows everything.  So
     * does one that could not be reached at all, but then the report
     * should say what went wrong (network, timeout), not blame robots. */
    const FdxFetchReason r      = s->why_reason;
    const bool           passed = r == FDX_FETCH_NETWORK ||
                        r == FDX_FETCH_TIMEOUT || r == FDX_FETCH_STALLED;
    const bool limit = r == FDX_FETCH_TIMEOUT || r == FDX_FETCH_STALLED;
    return fail(res,
                limit ? FDX_ERR_LIMIT : FDX_ERR_IO,
                passed ? r : FDX_FETCH_ROBOTS,
                "robots.txt of %.200s unreachable (%.200s), so all of it is "
                "disallowed",
                t->origin,
                s->why ? s->why : "");
  }
  case ROBOTS_RULES:
    break;
  }
  if (fdx_robots_allowed(s->robots, t->path)) {
    return FDX_SUCCESS;
  }
  return fail(res,
              FDX_ERR_IO,
              FDX_FETCH_ROBOTS,
              "robots.txt disallows %.400s for " FDX_FETCH_PRODUCT_TOKEN,
              t->path);
}

/* ========================================================================
 * The entry point
 * ===================================================================== */

FdxStatus
fdx_fetch(FdxFetcher* const     f,
          const char* const     url,
          const char* const     accept,
          const char* const     if_none_match,
          const char* const     if_modified_since,
          FdxFetchResult* const res)
{
  if (!res) {
    return FDX_ERR_BAD_ARG;
  }
  memset(res, 0, sizeof(*res));
  FdxStatus st = FDX_SUCCESS;
  if (!f || !url) {
    st = fail(res, FDX_ERR_BAD_ARG, FDX_FETCH_BAD_URL, "no fetcher or URL");
  } else if (has_line_break(accept) || has_line_break(if_none_match) ||
             has_line_break(if_modified_since)) {
    st = fail(res,
              FDX_ERR_BAD_ARG,
              FDX_FETCH_BAD_URL,
              "a header value has a line break");
  } else if (is_cancelled(f)) {
    st = fail_cancelled(res);
  } else {
    const Request req = { .accept            = accept,
                          .if_none_match     = if_none_match,
                          .if_modified_since = if_modified_since,
                          .max_bytes         = f->opt.max_bytes,
                          .truncate_ok       = false,
                          .check_robots      = !f->opt.ignore_robots,
                          .follow            = f->follow,
                          .max_redirects     = f->max_redirects };
    st                = fetch_chain(f, url, &req, res);
  }
  if (!res->body) {
    res->body = strdup("");
    res->len  = 0;
    if (!res->body) {
      st = fail_oom(res);
    }
  }
  res->st = st;
  return st;
}
