/*
 * config.c: the harvest configuration, a JSON file (jansson) read strictly:
 * every key is known, every value checked, and a refusal names the key's
 * path ("sources[1].url: ...") so a curator finds the mistake at once.
 * Options under "defaults" apply to every source and a source may set any
 * of them itself.
 */
#include "fairdex/harvest.h"

#include <ctype.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAX_CONFIG_BYTES ((size_t)4 << 20)
#define MAX_SOURCES 1000

static const char* const type_names[] = {"dcat", "ckan", "oai-pmh",
                                         "fdp", "schemaorg", "folder"};

const char*
fdx_source_type_name(const FdxSourceType type)
{
  return (unsigned)type < 6 ? type_names[type] : "unknown";
}

/* The options a source inherits from "defaults". */
typedef struct {
  unsigned timeout_s;
  uint64_t max_document_bytes;
  bool     allow_private_addresses;
  double   delete_threshold;
  unsigned min_delay_ms;
  unsigned max_pages;
  uint64_t max_records;
  bool     ignore_robots;
  unsigned max_retries;
  char*    schedule;
  uint64_t complete_listing_s; /* UINT64_MAX: never */
} Defaults;

static FdxStatus
fail(FdxError* const err, const char* const name, const char* const path,
     const char* const fmt, ...)
#if defined(__GNUC__)
  __attribute__((format(printf, 4, 5)))
#endif
  ;

static FdxStatus
fail(FdxError* const err, const char* const name, const char* const path,
     const char* const fmt, ...)
{
  char    message[400];
  va_list args;
  va_start(args, fmt);
  vsnprintf(message, sizeof(message), fmt, args);
  va_end(args);
  return fdx_error_set(err, FDX_ERR_BAD_ARG, name, 0, 0, "%s: %s", path,
                       message);
}

static bool
name_valid(const char* const s)
{
  size_t n = 0;
  for (const char* c = s; *c; ++c, ++n) {
    if (!isalnum((unsigned char)*c) && *c != '.' && *c != '_' && *c != '-') {
      return false;
    }
  }
  return n >= 1 && n <= 64;
}

static bool
http_url(const char* const s)
{
  const char* rest = !strncasecmp(s, "http://", 7)    ? s + 7
                     : !strncasecmp(s, "https://", 8) ? s + 8
                                                      : NULL;
  if (!rest || !*rest || *rest == '/' || strlen(s) > 4096) {
    return false;
  }
  for (const unsigned char* c = (const unsigned char*)s; *c; ++c) {
    if (*c <= 0x20 || *c == 0x7f || *c == '"' || *c == '<' || *c == '>' ||
        *c == '\\' || *c == '^' || *c == '`' || *c == '{' || *c == '|' ||
        *c == '}') {
      return false;
    }
  }
  return true;
}

/* "hourly", "daily", "weekly", or an ISO 8601 duration PnDTnHnMnS
 * (weeks PnW too); 0 when it is not one. */
static uint64_t
schedule_seconds(const char* const s)
{
  if (!strcmp(s, "hourly")) {
    return 3600;
  }
  if (!strcmp(s, "daily")) {
    return 86400;
  }
  if (!strcmp(s, "weekly")) {
    return 7 * 86400;
  }
  if (s[0] != 'P' || !s[1]) {
    return 0;
  }
  uint64_t    total = 0;
  bool        time  = false, any = false;
  const char* p     = s + 1;
  while (*p) {
    if (*p == 'T') {
      if (time || !p[1]) {
        return 0;
      }
      time = true;
      ++p;
      continue;
    }
    if (!isdigit((unsigned char)*p)) {
      return 0;
    }
    uint64_t n = 0;
    while (isdigit((unsigned char)*p)) {
      n = n * 10 + (uint64_t)(*p - '0');
      if (n > 100000000) {
        return 0;
      }
      ++p;
    }
    uint64_t unit = 0;
    switch (*p) {
    case 'W':
      unit = time ? 0 : 7 * 86400;
      break;
    case 'D':
      unit = time ? 0 : 86400;
      break;
    case 'H':
      unit = time ? 3600 : 0;
      break;
    case 'M':
      unit = time ? 60 : 0; /* months are not a fixed length */
      break;
    case 'S':
      unit = time ? 1 : 0;
      break;
    default:
      return 0;
    }
    if (!unit) {
      return 0;
    }
    total += n * unit;
    any = true;
    ++p;
  }
  return any ? total : 0;
}

/* A whole number in [lo, hi] at `key` of `obj` (absent: keep *ret). */
static FdxStatus
get_uint(const json_t* const obj, const char* const key, const uint64_t lo,
         const uint64_t hi, uint64_t* const ret, const char* const name,
         const char* const path, FdxError* const err)
{
  const json_t* const v = json_object_get(obj, key);
  if (!v) {
    return FDX_SUCCESS;
  }
  if (!json_is_integer(v) || json_integer_value(v) < (json_int_t)lo ||
      (uint64_t)json_integer_value(v) > hi) {
    return fail(err, name, path, "must be a whole number from %llu to %llu",
                (unsigned long long)lo, (unsigned long long)hi);
  }
  *ret = (uint64_t)json_integer_value(v);
  return FDX_SUCCESS;
}

static FdxStatus
get_bool(const json_t* const obj, const char* const key, bool* const ret,
         const char* const name, const char* const path, FdxError* const err)
{
  const json_t* const v = json_object_get(obj, key);
  if (!v) {
    return FDX_SUCCESS;
  }
  if (!json_is_boolean(v)) {
    return fail(err, name, path, "must be true or false");
  }
  *ret = json_is_true(v);
  return FDX_SUCCESS;
}

/* The options shared by "defaults" and each source. */
static const char* const option_keys[] = {
  "timeout_s",     "max_document_bytes", "allow_private_addresses",
  "delete_threshold", "min_delay_ms",    "max_pages",
  "max_records",   "ignore_robots",      "schedule",
  "max_retries",   "complete_listing"};
#define N_OPTION_KEYS (sizeof(option_keys) / sizeof(option_keys[0]))

static FdxStatus
read_options(const json_t* const obj, Defaults* const d,
             const char* const name, const char* const prefix,
             FdxError* const err)
{
  char      path[128];
  uint64_t  v;
  FdxStatus st;
#define PATH(key) (snprintf(path, sizeof(path), "%s%s", prefix, key), path)
  v = d->timeout_s;
  if ((st = get_uint(obj, "timeout_s", 1, 3600, &v, name, PATH("timeout_s"),
                     err))) {
    return st;
  }
  d->timeout_s = (unsigned)v;
  if ((st = get_uint(obj, "max_document_bytes", 1024, (uint64_t)1 << 32,
                     &d->max_document_bytes, name,
                     PATH("max_document_bytes"), err)) ||
      (st = get_bool(obj, "allow_private_addresses",
                     &d->allow_private_addresses, name,
                     PATH("allow_private_addresses"), err)) ||
      (st = get_bool(obj, "ignore_robots", &d->ignore_robots, name,
                     PATH("ignore_robots"), err))) {
    return st;
  }
  v = d->min_delay_ms;
  if ((st = get_uint(obj, "min_delay_ms", 0, 600000, &v, name,
                     PATH("min_delay_ms"), err))) {
    return st;
  }
  d->min_delay_ms = (unsigned)v;
  v               = d->max_pages;
  if ((st = get_uint(obj, "max_pages", 1, 10000000, &v, name,
                     PATH("max_pages"), err))) {
    return st;
  }
  d->max_pages = (unsigned)v;
  v            = d->max_retries;
  if ((st = get_uint(obj, "max_retries", 0, 10, &v, name,
                     PATH("max_retries"), err))) {
    return st;
  }
  d->max_retries = (unsigned)v;
  if ((st = get_uint(obj, "max_records", 1, 1000000000, &d->max_records,
                     name, PATH("max_records"), err))) {
    return st;
  }
  const json_t* const t = json_object_get(obj, "delete_threshold");
  if (t) {
    if (!json_is_number(t) || json_number_value(t) < 0 ||
        json_number_value(t) > 1 || isnan(json_number_value(t))) {
      return fail(err, name, PATH("delete_threshold"),
                  "must be a number from 0 to 1 (the largest share of a "
                  "source's records one run may delete)");
    }
    d->delete_threshold = json_number_value(t);
  }
  const json_t* const sched = json_object_get(obj, "schedule");
  if (sched) {
    const char* const text = json_string_value(sched);
    const uint64_t    secs = text ? schedule_seconds(text) : 0;
    if (!text || secs < 60) {
      return fail(err, name, PATH("schedule"),
                  "must be \"hourly\", \"daily\", \"weekly\" or an ISO 8601 "
                  "duration of at least a minute such as \"PT6H\"");
    }
    d->schedule = (char*)text; /* borrowed; copied per source */
  }
  const json_t* const every = json_object_get(obj, "complete_listing");
  if (every) {
    const char* const text = json_string_value(every);
    const uint64_t    secs = !text                     ? 0
                             : !strcmp(text, "always") ? 1
                             : !strcmp(text, "never")  ? UINT64_MAX
                                                       : schedule_seconds(text);
    if (!secs) {
      return fail(err, name, PATH("complete_listing"),
                  "must be \"always\", \"never\", \"hourly\", \"daily\", "
                  "\"weekly\" or an ISO 8601 duration such as \"P7D\"");
    }
    d->complete_listing_s = secs;
  }
#undef PATH
  return FDX_SUCCESS;
}

static bool
is_option_key(const char* const key)
{
  for (size_t i = 0; i < N_OPTION_KEYS; ++i) {
    if (!strcmp(key, option_keys[i])) {
      return true;
    }
  }
  return false;
}

static char*
dup_or_null(const char* const s)
{
  return s ? strdup(s) : NULL;
}

void
fdx_harvest_config_free(FdxHarvestConfig* const config)
{
  if (!config) {
    return;
  }
  for (size_t i = 0; i < config->n_sources; ++i) {
    FdxSource* const s = &config->sources[i];
    free(s->name);
    free(s->url);
    free(s->path);
    free(s->metadata_prefix);
    free(s->set);
    free(s->query);
    free(s->schedule);
  }
  free(config->sources);
  free(config->base);
  free(config);
}

static FdxStatus
read_source(const json_t* const src, const size_t index,
            const Defaults* const defaults, FdxSource* const out,
            const char* const name, FdxError* const err)
{
  char prefix[64], path[128];
  snprintf(prefix, sizeof(prefix), "sources[%zu].", index);
#define PATH(key) (snprintf(path, sizeof(path), "%s%s", prefix, key), path)
  if (!json_is_object(src)) {
    snprintf(path, sizeof(path), "sources[%zu]", index);
    return fail(err, name, path, "must be an object");
  }
  static const char* const own_keys[] = {"name", "type", "url", "path",
                                         "metadata_prefix", "set", "query"};
  const char* key;
  json_t*     value;
  json_object_foreach((json_t*)src, key, value)
  {
    bool known = is_option_key(key);
    for (size_t k = 0; k < sizeof(own_keys) / sizeof(*own_keys); ++k) {
      known = known || !strcmp(key, own_keys[k]);
    }
    if (!known) {
      return fail(err, name, PATH(key), "unknown key");
    }
    if (!is_option_key(key) && !json_is_string(value)) {
      return fail(err, name, PATH(key), "must be a string");
    }
  }
  const char* const src_name = json_string_value(json_object_get(src, "name"));
  if (!src_name || !name_valid(src_name)) {
    return fail(err, name, PATH("name"),
                "a name of 1 to 64 letters, digits, '.', '_' or '-' is "
                "needed");
  }
  const char* const type = json_string_value(json_object_get(src, "type"));
  int               t    = -1;
  for (int k = 0; type && k < 6; ++k) {
    if (!strcmp(type, type_names[k])) {
      t = k;
    }
  }
  if (t < 0) {
    return fail(err, name, PATH("type"),
                "must be one of dcat, ckan, oai-pmh, fdp, schemaorg, folder");
  }
  Defaults d = *defaults;
  FdxStatus st = read_options(src, &d, name, prefix, err);
  if (st) {
    return st;
  }
  const char* const url   = json_string_value(json_object_get(src, "url"));
  const char* const dir   = json_string_value(json_object_get(src, "path"));
  const char* const mp    = json_string_value(json_object_get(src, "metadata_prefix"));
  const char* const set   = json_string_value(json_object_get(src, "set"));
  const char* const query = json_string_value(json_object_get(src, "query"));
  if (t == FDX_SOURCE_FOLDER) {
    if (!dir || !*dir) {
      return fail(err, name, PATH("path"), "a folder source needs a path");
    }
    if (url) {
      return fail(err, name, PATH("url"), "a folder source takes a path, "
                                          "not a url");
    }
  } else {
    if (!url || !http_url(url)) {
      return fail(err, name, PATH("url"),
                  "a %s source needs an http:// or https:// url",
                  type_names[t]);
    }
    if (dir) {
      return fail(err, name, PATH("path"), "only a folder source takes a "
                                           "path");
    }
  }
  if ((mp || set) && t != FDX_SOURCE_OAI_PMH) {
    return fail(err, name, PATH(mp ? "metadata_prefix" : "set"),
                "only an oai-pmh source takes it");
  }
  if (mp && strcmp(mp, "oai_dc") && strcmp(mp, "oai_datacite")) {
    return fail(err, name, PATH("metadata_prefix"),
                "must be oai_dc or oai_datacite");
  }
  if (query && t != FDX_SOURCE_CKAN) {
    return fail(err, name, PATH("query"), "only a ckan source takes it");
  }
  if (json_object_get(src, "complete_listing") && t != FDX_SOURCE_CKAN &&
      t != FDX_SOURCE_OAI_PMH) {
    return fail(err, name, PATH("complete_listing"),
                "only ckan and oai-pmh sources take it (the others list "
                "everything on every run)");
  }
#undef PATH
  memset(out, 0, sizeof(*out));
  out->name            = strdup(src_name);
  out->type            = (FdxSourceType)t;
  out->url             = dup_or_null(url);
  out->path            = dup_or_null(dir);
  out->metadata_prefix = strdup(mp ? mp : "oai_dc");
  out->set             = dup_or_null(set);
  out->query           = dup_or_null(query);
  out->schedule        = dup_or_null(d.schedule);
  out->schedule_s      = d.schedule ? schedule_seconds(d.schedule) : 0;
  out->complete_listing_s = d.complete_listing_s;
  out->timeout_s       = d.timeout_s;
  out->max_document_bytes      = d.max_document_bytes;
  out->allow_private_addresses = d.allow_private_addresses;
  out->delete_threshold        = d.delete_threshold;
  out->min_delay_ms            = d.min_delay_ms;
  out->max_pages               = d.max_pages;
  out->max_records             = d.max_records;
  out->ignore_robots           = d.ignore_robots;
  out->max_retries             = d.max_retries;
  if (!out->name || !out->metadata_prefix || (url && !out->url) ||
      (dir && !out->path)) {
    return FDX_ERR_NO_MEMORY;
  }
  return FDX_SUCCESS;
}

FdxStatus
fdx_harvest_config_parse(const char* const text, const size_t len,
                         const char* const name, FdxHarvestConfig** const ret,
                         FdxError* const err)
{
  *ret = NULL;
  json_error_t jerr;
  json_t* const root =
    json_loadb(text, len, JSON_REJECT_DUPLICATES, &jerr);
  if (!root) {
    return fdx_error_set(err, FDX_ERR_SYNTAX, name, jerr.line, jerr.column,
                         "not valid JSON: %s", jerr.text);
  }
  FdxStatus st = FDX_SUCCESS;
  FdxHarvestConfig* const config =
    (FdxHarvestConfig*)calloc(1, sizeof(FdxHarvestConfig));
  Defaults d = {60, (uint64_t)50 << 20, false, 0.5, 1000, 10000, 10000000,
                false, 3, NULL, 7 * 86400};
  if (!config) {
    st = FDX_ERR_NO_MEMORY;
    goto done;
  }
  if (!json_is_object(root)) {
    st = fail(err, name, "(top)", "must be an object with \"sources\"");
    goto done;
  }
  const char* key;
  json_t*     value;
  json_object_foreach(root, key, value)
  {
    if (strcmp(key, "sources") && strcmp(key, "defaults") &&
        strcmp(key, "base")) {
      st = fail(err, name, key, "unknown key (the top level takes sources, "
                                "defaults and base)");
      goto done;
    }
  }
  const json_t* const base = json_object_get(root, "base");
  if (base) {
    if (!json_string_value(base) || !http_url(json_string_value(base))) {
      st = fail(err, name, "base", "must be an http:// or https:// IRI");
      goto done;
    }
    const size_t n = strlen(json_string_value(base));
    if (asprintf(&config->base, "%s%s", json_string_value(base),
                 json_string_value(base)[n - 1] == '/' ? "" : "/") < 0) {
      config->base = NULL;
      st           = FDX_ERR_NO_MEMORY;
      goto done;
    }
  }
  const json_t* const defaults = json_object_get(root, "defaults");
  if (defaults) {
    if (!json_is_object(defaults)) {
      st = fail(err, name, "defaults", "must be an object");
      goto done;
    }
    json_object_foreach((json_t*)defaults, key, value)
    {
      if (!is_option_key(key)) {
        char path[128];
        snprintf(path, sizeof(path), "defaults.%s", key);
        st = fail(err, name, path, "unknown key");
        goto done;
      }
    }
    if ((st = read_options(defaults, &d, name, "defaults.", err))) {
      goto done;
    }
  }
  const json_t* const sources = json_object_get(root, "sources");
  if (!json_is_array(sources) || !json_array_size(sources)) {
    st = fail(err, name, "sources", "must be a non-empty array of sources");
    goto done;
  }
  if (json_array_size(sources) > MAX_SOURCES) {
    st = fail(err, name, "sources", "at most %d sources", MAX_SOURCES);
    goto done;
  }
  config->sources =
    (FdxSource*)calloc(json_array_size(sources), sizeof(FdxSource));
  if (!config->sources) {
    st = FDX_ERR_NO_MEMORY;
    goto done;
  }
  size_t        i;
  const json_t* src;
  json_array_foreach(sources, i, src)
  {
    if ((st = read_source(src, i, &d, &config->sources[i], name, err))) {
      config->n_sources = i + 1; /* free what it made */
      goto done;
    }
    config->n_sources = i + 1;
    for (size_t k = 0; k < i; ++k) {
      if (!strcmp(config->sources[k].name, config->sources[i].name)) {
        char path[64];
        snprintf(path, sizeof(path), "sources[%zu].name", i);
        st = fail(err, name, path, "\"%s\" is the name of sources[%zu] too",
                  config->sources[i].name, k);
        goto done;
      }
    }
  }

done:
  json_decref(root);
  if (st) {
    fdx_harvest_config_free(config);
    return st;
  }
  *ret = config;
  return FDX_SUCCESS;
}

FdxStatus
fdx_harvest_config_load(const char* const path, FdxHarvestConfig** const ret,
                        FdxError* const err)
{
  *ret          = NULL;
  FILE* const f = fopen(path, "rb");
  if (!f) {
    return fdx_error_set(err, FDX_ERR_IO, path, 0, 0, "cannot open: %m");
  }
  char* const text = (char*)malloc(MAX_CONFIG_BYTES + 1);
  size_t      n    = text ? fread(text, 1, MAX_CONFIG_BYTES + 1, f) : 0;
  const bool  bad  = text && ferror(f);
  fclose(f);
  if (!text) {
    return FDX_ERR_NO_MEMORY;
  }
  if (bad || n > MAX_CONFIG_BYTES) {
    free(text);
    return fdx_error_set(err, bad ? FDX_ERR_IO : FDX_ERR_LIMIT, path, 0, 0,
                         bad ? "cannot read the file"
                             : "larger than 4 MiB: not a configuration");
  }
  const FdxStatus st = fdx_harvest_config_parse(text, n, path, ret, err);
  free(text);
  return st;
}

const FdxSource*
fdx_harvest_source(const FdxHarvestConfig* const config,
                   const char* const name)
{
  for (size_t i = 0; config && i < config->n_sources; ++i) {
    if (!strcmp(config->sources[i].name, name)) {
      return &config->sources[i];
    }
  }
  return NULL;
}
