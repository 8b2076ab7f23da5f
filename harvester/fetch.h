/*
 * fetch.h: the harvester's one way onto the network (internal to
 * harvester/; no libcurl type appears here).
 *
 * A fetcher is a polite HTTP(S) GET client for one harvest run: it reads
 * robots.txt once per scheme://host:port and obeys it (RFC 9309, with the
 * non-standard Crawl-delay), keeps at least a minimum delay between two
 * requests to one host, retries 429 and 5xx answers with backoff honouring
 * Retry-After, follows at most a few http/https redirects (checking the
 * scheme, robots.txt and politeness on every hop), caps the decoded body
 * size, times out slow and stalled transfers, and refuses to connect to
 * private or loopback addresses unless told otherwise.  Each call blocks
 * until its answer is complete, but waits and transfers can be cancelled
 * through a callback.
 *
 * Threads: one fetcher must not be used by two threads at once; different
 * fetchers may be used from different threads at the same time.
 */
#ifndef FDX_HARVESTER_FETCH_H
#define FDX_HARVESTER_FETCH_H

#include "fairdex/status.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/** The robots.txt product token the fetcher obeys (matched ignoring case). */
#define FDX_FETCH_PRODUCT_TOKEN "fairdex"

/** How much of a robots.txt is read; RFC 9309 2.5 asks for at least this. */
#define FDX_ROBOTS_MAX_BYTES ((size_t)500 * 1024)

/** A fetcher: options, a connection pool, and per-origin and per-host
 * state (robots.txt rules, time of the last request).  Opaque; see
 * fdx_fetcher_new(). */
typedef struct FdxFetcher FdxFetcher;

/**
 * How a fetcher behaves.  Zero (or NULL) in any field means its default, so
 * `FdxFetchOptions o = {0};` gives a polite fetcher; the three settings
 * where zero is a real choice (no retries, no delay, no redirects) have a
 * flag of their own.  Borrowed: fdx_fetcher_new() copies what it keeps.
 */
typedef struct {
  /** NULL: "fairdex/VERSION (FAIR metadata harvester;
   * +https://github.com/digimed-bayern/fairdex)". */
  const char* user_agent;
  /** Total time per request, seconds (default 60). */
  unsigned timeout_s;
  /** Time to connect, seconds (default 10). */
  unsigned connect_timeout_s;
  /** Give up on a transfer that stays under 1 byte/s this long, seconds
   * (default 30).  Silence counts from when the request was sent. */
  unsigned low_speed_s;
  /** Cap on the decoded body, bytes (default 50 MiB).  Enforced while the
   * body arrives, after gzip/deflate decoding, so a gzip bomb stops early;
   * a Content-Length over the cap stops it before any of it is read. */
  uint64_t max_bytes;
  /** Allow connections to loopback, private (RFC 1918, fc00::/7),
   * link-local, CGNAT (100.64/10), unspecified, multicast and reserved
   * addresses (also IPv4 ones inside IPv6: mapped, NAT64, 6to4).  Checked
   * on each address actually connected, so neither redirects nor DNS
   * answers get around it.  Proxies from the environment are not used. */
  bool allow_private;
  /** Retries on 429, 500, 502, 503, 504 and on transient transport errors
   * (refused or reset connections, empty answers); default 3.  Timeouts
   * and stalls are not retried: a server that let a request hang that long
   * is not worth hanging on again. */
  unsigned max_retries;
  /** No retries at all (max_retries is then ignored). */
  bool no_retries;
  /** Backoff before retry n is retry_base_ms * 2^(n-1) (default 1000), at
   * most max_retry_after_s.  A Retry-After (delta-seconds or HTTP-date) in
   * the answer wins. */
  unsigned retry_base_ms;
  /** Longest Retry-After obeyed, seconds (default 120); a longer one fails
   * the request at once.  Crawl-delay is honoured up to the same bound. */
  unsigned max_retry_after_s;
  /** Politeness: at least this long from the end of one request to a host
   * to the start of the next, robots.txt included (default 1000); a
   * Crawl-delay in robots.txt raises it for that host. */
  unsigned min_delay_ms;
  /** No minimum delay (a Crawl-delay still applies). */
  bool no_delay;
  /** Neither read nor obey robots.txt (for sources that are our own). */
  bool ignore_robots;
  /** Most redirects followed per request (default 5), only to http and
   * https. */
  unsigned max_redirects;
  /** Follow no redirects: a 3xx is the final answer (an FDX_FETCH_HTTP
   * error). */
  bool no_redirects;
  /** Polled while waiting and transferring (about every 50 ms); when it
   * returns true the call stops and returns FDX_FAILURE with `cancelled`
   * set.  May be NULL. */
  bool (*cancelled)(void* ctx);
  void* cancel_ctx;
} FdxFetchOptions;

/** Why a fetch failed, for callers that act on the reason (the message in
 * FdxFetchResult.error is for people). */
typedef enum {
  FDX_FETCH_OK = 0,      /**< 2xx or 304. */
  FDX_FETCH_BAD_URL,     /**< Not a URL, or a header value with a line
                              break. */
  FDX_FETCH_SCHEME,      /**< Not http or https (also a redirect target). */
  FDX_FETCH_ROBOTS,      /**< robots.txt disallows the path, or answered
                              with a server error (RFC 9309 2.3.1.4). */
  FDX_FETCH_PRIVATE,     /**< Every address of the host was refused by the
                              private-address policy. */
  FDX_FETCH_NETWORK,     /**< DNS, connect, TLS or transfer error (also when
                              robots.txt could not be reached). */
  FDX_FETCH_TIMEOUT,     /**< Over timeout_s or connect_timeout_s. */
  FDX_FETCH_STALLED,     /**< Under 1 byte/s for low_speed_s. */
  FDX_FETCH_TOO_BIG,     /**< Decoded body over max_bytes. */
  FDX_FETCH_REDIRECTS,   /**< More than max_redirects redirects. */
  FDX_FETCH_RETRY_AFTER, /**< Retry-After longer than max_retry_after_s. */
  FDX_FETCH_HTTP,        /**< A final status other than 2xx and 304. */
  FDX_FETCH_CANCELLED,   /**< The cancel callback said so. */
  FDX_FETCH_NO_MEMORY    /**< An allocation failed. */
} FdxFetchReason;

/**
 * The answer to one fdx_fetch().  Every pointer is new (owned by the
 * result) and released by fdx_fetch_result_clear().  On failure the fields
 * describe the last answer received, if any (status 0 when none).
 */
typedef struct {
  long   status;        /**< Final HTTP status; 0 when none arrived. */
  char*  body;          /**< Decoded body, NUL-terminated, "" when empty,
                             on 304, over the cap or without an answer;
                             NULL only when memory ran out. */
  size_t len;           /**< Length of body without the NUL. */
  char*  content_type;  /**< Media type without parameters, lower case,
                             or NULL. */
  char*  etag;          /**< ETag of the answer, or NULL. */
  char*  last_modified; /**< Last-Modified of the answer, or NULL. */
  char*  final_url;     /**< The last URL asked for (after redirects),
                             normalised by libcurl; the URL given when it
                             could not be parsed. */
  bool     not_modified; /**< A 304 to a conditional request. */
  bool     cancelled;    /**< Stopped by the cancel callback. */
  unsigned attempts;     /**< Requests sent for the answer: 1 + retries,
                              summed over redirect hops (robots.txt not
                              counted); 0 when none was sent. */
  unsigned redirects;    /**< Redirects followed. */
  FdxFetchReason reason; /**< Why it failed (FDX_FETCH_OK on success). */
  FdxStatus      st;     /**< As returned by fdx_fetch(). */
  char error[512];       /**< Why it failed, one line for a run report
                              ("HTTP 503 (after 4 attempts)", "robots.txt
                              disallows /x for fairdex", ...); "" on
                              success. */
} FdxFetchResult;

/**
 * Make a fetcher.  `options` may be NULL (all defaults); it is copied.
 * Fails only with FDX_ERR_NO_MEMORY (or FDX_ERR_BAD_ARG without `ret`).
 * On success `*ret` is new; release it with fdx_fetcher_free().
 */
FdxStatus
fdx_fetcher_new(const FdxFetchOptions* options, FdxFetcher** ret);

/** Release a fetcher, its connections and its robots.txt cache.  NULL is
 * fine. */
void
fdx_fetcher_free(FdxFetcher* f);

/**
 * GET `url` and fill `res` (overwritten: clear a previous result first).
 *
 * `accept` is sent as the Accept header, and `if_none_match` and
 * `if_modified_since` as the conditional headers (on every hop); each may
 * be NULL.  The call blocks until the answer is complete, robots.txt, the
 * politeness delay, retries and redirects included.
 *
 * Returns res->st:
 * - FDX_SUCCESS: a 2xx, or a 304 (res->not_modified, empty body);
 * - FDX_FAILURE: cancelled (res->cancelled), not an error;
 * - FDX_ERR_BAD_ARG: NULL arguments, a malformed URL or a header value
 *   with a line break;
 * - FDX_ERR_UNSUPPORTED: not http or https (also on a redirect);
 * - FDX_ERR_LIMIT: body over max_bytes, too many redirects, timed out,
 *   stalled, or a Retry-After over max_retry_after_s;
 * - FDX_ERR_IO: any other final status (status, body and headers are still
 *   filled), robots.txt disallows, address refused, network errors;
 * - FDX_ERR_NO_MEMORY.
 * res->reason and res->error say more.
 */
FdxStatus
fdx_fetch(FdxFetcher*     f,
          const char*     url,
          const char*     accept,
          const char*     if_none_match,
          const char*     if_modified_since,
          FdxFetchResult* res);

/** Free what `res` owns and zero it.  A zeroed result (or NULL) is fine. */
void
fdx_fetch_result_clear(FdxFetchResult* res);

/* ------------------------------------------------------------------------
 * robots.txt rules (RFC 9309), usable without the network
 * --------------------------------------------------------------------- */

/** The rules of one robots.txt for one product token. */
typedef struct FdxRobots FdxRobots;

/**
 * Parse the first FDX_ROBOTS_MAX_BYTES of `text` (`len` bytes, need not be
 * NUL-terminated; NULL with 0) and keep the rules of the groups for
 * `product_token` (matched ignoring case against the token at the start of
 * each User-agent line, so "FairDex/2.0" names "fairdex"; all matching
 * groups merged), or else of the "*" groups, or else none (everything
 * allowed).  Fails only with FDX_ERR_NO_MEMORY or FDX_ERR_BAD_ARG.  On
 * success `*ret` is new (fdx_robots_free()).
 */
FdxStatus
fdx_robots_parse(const char* text,
                 size_t      len,
                 const char* product_token,
                 FdxRobots** ret);

/**
 * Whether `path` (the URL's path and query, percent-encoded as in the URL;
 * "" means "/") may be fetched: the longest matching Allow or Disallow
 * pattern wins, Allow on a tie; `*` matches any run of characters and a
 * final `$` the end; percent-encoding is normalised on both sides.
 * "/robots.txt" is always allowed.  NULL rules allow everything.
 */
bool
fdx_robots_allowed(const FdxRobots* robots, const char* path);

/** The group's Crawl-delay in milliseconds (at most a day), 0 when none. */
unsigned
fdx_robots_crawl_delay_ms(const FdxRobots* robots);

/** Release rules; NULL is fine. */
void
fdx_robots_free(FdxRobots* robots);

#ifdef __cplusplus
}
#endif

#endif /* FDX_HARVESTER_FETCH_H */
