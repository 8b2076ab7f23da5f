/*
 * cli_vocab.c: `fairdex vocab list|show|import|export|history|revert`, the
 * command-line side of the vocabulary layer (fairdex/vocab.h).  Edits made
 * here are recorded in the history like the API's, with "cli:USER" as the
 * editor.
 */
#include "cli.h"

#include "fairdex/rdf.h"
#include "fairdex/vocab.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

enum { V_SCHEME, V_FORCE, V_FORMAT, V_JSON, V_SINCE, V_LIMIT };

static const CliOption vocab_options[] = {
  {"scheme", true, "import: the scheme IRI to import into (concepts without "
                   "skos:inScheme join it)"},
  {"force", false, "import: import the concepts without problems even when "
                   "others have some"},
  {"format", true, "import: the file's format (default: from its name or "
                   "content); export: turtle (default), rdfxml, jsonld, "
                   "ntriples"},
  {"json", false, "list: print JSON"},
  {"since", true, "history: entries after this id"},
  {"limit", true, "history: at most this many entries (default 100)"},
};
#define N_VOCAB_OPTIONS (sizeof(vocab_options) / sizeof(vocab_options[0]))

/* Max size of a vocabulary file read by import. */
#define MAX_IMPORT_BYTES ((size_t)256 << 20)

static void
print_json(const json_t* const json)
{
  char* const text = json_dumps(json, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
  if (text) {
    printf("%s\n", text);
    free(text);
  }
}

static int
report(const FdxVocabResult* const result)
{
  if (result->outcome < 400) {
    return 0;
  }
  cli_error("vocab", "%s", result->message);
  size_t        i;
  const json_t* p;
  json_array_foreach(result->problems, i, p)
  {
    fprintf(stderr, "  %s: %s\n",
            json_string_value(json_object_get(p, "field")),
            json_string_value(json_object_get(p, "message")));
  }
  return 1;
}

static const char*
who(char buf[96])
{
  const char* const user = getenv("USER");
  snprintf(buf, 96, "cli:%s", user && *user ? user : "unknown");
  return buf;
}

static char*
read_file(const char* const path, size_t* const ret_len)
{
  FILE* const f = strcmp(path, "-") ? fopen(path, "rb") : stdin;
  if (!f) {
    cli_error("vocab", "cannot open %s: %s", path, strerror(errno));
    return NULL;
  }
  size_t len = 0, cap = 1 << 16;
  char*  data = (char*)malloc(cap);
  while (data) {
    if (len == cap) {
      if (cap >= MAX_IMPORT_BYTES) {
        cli_error("vocab", "%s is larger than %zu MiB", path,
                  MAX_IMPORT_BYTES >> 20);
        free(data);
        data = NULL;
        break;
      }
      cap *= 2;
      char* const grown = (char*)realloc(data, cap);
      if (!grown) {
        free(data);
        data = NULL;
        break;
      }
      data = grown;
    }
    const size_t n = fread(data + len, 1, cap - len, f);
    len += n;
    if (n == 0) {
      if (ferror(f)) {
        cli_error("vocab", "cannot read %s: %s", path, strerror(errno));
        free(data);
        data = NULL;
      }
      break;
    }
  }
  if (f != stdin) {
    fclose(f);
  }
  *ret_len = len;
  return data;
}

static int
vocab_list(CliContext* const ctx, const bool json)
{
  FdxStore* const store = cli_open_store(ctx, "vocab", FDX_STORE_READ_ONLY);
  if (!store) {
    return 1;
  }
  FdxTxn* txn = NULL;
  json_t* list = NULL;
  if (!fdx_txn_begin(store, 0, &txn)) {
    list = fdx_vocab_schemes(txn);
    fdx_txn_abort(txn);
  }
  fdx_store_free(store);
  if (!list) {
    cli_error("vocab", "cannot read the vocabularies");
    return 1;
  }
  if (json) {
    print_json(list);
  } else {
    printf("%-20s %8s  %s\n", "ID", "CONCEPTS", "IRI (TITLE)");
    size_t        i;
    const json_t* s;
    json_array_foreach(list, i, s)
    {
      const json_t* const title = json_object_get(s, "title");
      const char*         text  = json_string_value(json_object_get(title, "en"));
      if (!text) {
        text = json_string_value(json_object_get(title, "de"));
      }
      if (!text) {
        text = json_string_value(json_object_get(title, "@none"));
      }
      printf("%-20s %8lld  %s%s%s%s\n",
             json_string_value(json_object_get(s, "id")),
             (long long)json_integer_value(json_object_get(s, "concepts")),
             json_string_value(json_object_get(s, "iri")), text ? " (" : "",
             text ? text : "", text ? ")" : "");
    }
  }
  json_decref(list);
  return 0;
}

static int
vocab_show(CliContext* const ctx, const char* const scheme,
           const char* const concept)
{
  FdxStore* const store = cli_open_store(ctx, "vocab", FDX_STORE_READ_ONLY);
  if (!store) {
    return 1;
  }
  FdxTxn*        txn = NULL;
  FdxVocabResult result;
  memset(&result, 0, sizeof(result));
  if (fdx_txn_begin(store, 0, &txn)) {
    fdx_store_free(store);
    cli_error("vocab", "cannot read the store");
    return 1;
  }
  if (concept) {
    fdx_vocab_concept_get(txn, scheme, concept, &result);
  } else {
    fdx_vocab_scheme_get(txn, scheme, &result);
  }
  fdx_txn_abort(txn);
  fdx_store_free(store);
  const int status = report(&result);
  if (!status) {
    print_json(result.body);
  }
  fdx_vocab_result_clear(&result);
  return status;
}

static int
vocab_import(CliContext* const ctx, const char* const path,
             const char* const scheme, const char* const format_name,
             const bool force)
{
  FdxFormat format = FDX_FORMAT_UNKNOWN;
  if (format_name && !(format = fdx_format_from_name(format_name))) {
    cli_error("vocab", "unknown format '%s'", format_name);
    return 2;
  }
  if (!format_name) {
    format = fdx_format_from_path(path);
  }
  size_t      len  = 0;
  char* const data = read_file(path, &len);
  if (!data) {
    return 1;
  }
  FdxStore* const store = cli_open_store(ctx, "vocab", FDX_STORE_CREATE);
  if (!store) {
    free(data);
    return 1;
  }
  char           editor[96];
  FdxVocabResult result;
  memset(&result, 0, sizeof(result));
  fdx_vocab_import(store, who(editor), data, len, format, path, scheme, force,
                   &result);
  fdx_store_free(store);
  free(data);
  /* SKOS problems, per concept. */
  size_t        i;
  const json_t* entry;
  json_array_foreach(result.problems, i, entry)
  {
    const json_t* const problems = json_object_get(entry, "problems");
    if (!problems) {
      continue;
    }
    fprintf(stderr, "%s:\n", json_string_value(json_object_get(entry, "concept")));
    size_t        j;
    const json_t* p;
    json_array_foreach(problems, j, p)
    {
      fprintf(stderr, "  %s\n", json_string_value(p));
    }
  }
  if (result.outcome >= 400) {
    cli_error("vocab", "%s", result.message);
    fdx_vocab_result_clear(&result);
    return 1;
  }
  const json_t* const body = result.body;
  size_t              k;
  const json_t*       s;
  json_array_foreach(json_object_get(body, "schemes"), k, s)
  {
    printf("imported %s <%s>\n", json_string_value(json_object_get(s, "id")),
           json_string_value(json_object_get(s, "iri")));
  }
  printf("%lld concepts, %lld statements (%lld skipped concepts, %lld "
         "statements replaced); history entry %llu\n",
         (long long)json_integer_value(json_object_get(body, "concepts")),
         (long long)json_integer_value(json_object_get(body, "statements")),
         (long long)json_integer_value(
           json_object_get(body, "skipped_concepts")),
         (long long)json_integer_value(
           json_object_get(body, "replaced_statements")),
         (unsigned long long)result.change);
  fdx_vocab_result_clear(&result);
  return 0;
}

static int
write_stdout(void* const ctx, const char* const bytes, const size_t len)
{
  (void)ctx;
  return fwrite(bytes, 1, len, stdout) == len ? 0 : -1;
}

static int
vocab_export(CliContext* const ctx, const char* const scheme,
             const char* const format_name)
{
  const FdxFormat format =
    format_name ? fdx_format_from_name(format_name) : FDX_FORMAT_TURTLE;
  if (format != FDX_FORMAT_TURTLE && format != FDX_FORMAT_RDFXML &&
      format != FDX_FORMAT_JSONLD && format != FDX_FORMAT_NTRIPLES) {
    cli_error("vocab", "export writes turtle, rdfxml, jsonld or ntriples, "
                       "not '%s'",
              format_name);
    return 2;
  }
  FdxStore* const store = cli_open_store(ctx, "vocab", FDX_STORE_READ_ONLY);
  if (!store) {
    return 1;
  }
  FdxTxn*   txn   = NULL;
  FdxId     graph = FDX_ID_ANY;
  FdxStatus st    = fdx_txn_begin(store, 0, &txn);
  if (!st) {
    st = fdx_vocab_scheme_find(txn, scheme, NULL, &graph);
    if (st == FDX_FAILURE) {
      cli_error("vocab", "there is no vocabulary %s", scheme);
    } else if (!st && graph != FDX_ID_ANY) {
      st = fdx_dump(txn, format, graph, write_stdout, NULL);
      if (st) {
        cli_error("vocab", "cannot export %s: %s", scheme, fdx_strerror(st));
      }
    }
    fdx_txn_abort(txn);
  } else {
    cli_error("vocab", "cannot read the store: %s", fdx_strerror(st));
  }
  fdx_store_free(store);
  fflush(stdout);
  return st ? 1 : 0;
}

static int
vocab_history(CliContext* const ctx, const unsigned long long since,
              const unsigned long long limit)
{
  FdxStore* const store = cli_open_store(ctx, "vocab", FDX_STORE_READ_ONLY);
  if (!store) {
    return 1;
  }
  FdxTxn*        txn = NULL;
  FdxVocabResult result;
  memset(&result, 0, sizeof(result));
  if (!fdx_txn_begin(store, 0, &txn)) {
    fdx_vocab_history(txn, since, (size_t)limit, NULL, &result);
    fdx_txn_abort(txn);
  } else {
    snprintf(result.message, sizeof(result.message), "cannot read the store");
    result.outcome = FDX_VOCAB_FAILED;
  }
  fdx_store_free(store);
  const int status = report(&result);
  if (!status) {
    print_json(result.body);
  }
  fdx_vocab_result_clear(&result);
  return status;
}

static int
vocab_revert(CliContext* const ctx, const char* const id_text)
{
  char*                    end = NULL;
  const unsigned long long id  = strtoull(id_text, &end, 10);
  if (!*id_text || *end || id == 0 || id_text[0] == '-') {
    cli_error("vocab", "revert needs a change id (a positive number), not "
                       "'%s'",
              id_text);
    return 2;
  }
  FdxStore* const store = cli_open_store(ctx, "vocab", 0);
  if (!store) {
    return 1;
  }
  char           editor[96];
  FdxVocabResult result;
  memset(&result, 0, sizeof(result));
  fdx_vocab_revert(store, who(editor), id, &result);
  fdx_store_free(store);
  const int status = report(&result);
  if (!status) {
    printf("reverted change %llu as change %llu (%lld statements removed, "
           "%lld added)\n",
           id, (unsigned long long)result.change,
           (long long)json_integer_value(json_object_get(result.body,
                                                         "removed")),
           (long long)json_integer_value(json_object_get(result.body,
                                                         "added")));
  }
  fdx_vocab_result_clear(&result);
  return status;
}

int
cmd_vocab(CliContext* const ctx, const int argc, char** const argv)
{
  static const char synopsis[] =
    "list [--json] | show SCHEME [CONCEPT] | import FILE [--scheme IRI] "
    "[--force] | export SCHEME [--format F] | history [--since ID] | "
    "revert ID";
  static const char description[] =
    "The controlled vocabularies (SKOS concept schemes).  SCHEME is a\n"
    "vocabulary's id (see `list`) or IRI; CONCEPT a concept's id or IRI.\n"
    "`import` checks the file as SKOS first and lists the problems per\n"
    "concept; with any it imports nothing and exits 1, unless --force, which\n"
    "imports the concepts without problems.  An import replaces the\n"
    "scheme's graph.  `revert` undoes one history entry (see `history`).";
  for (int k = 1; k < argc; ++k) {
    if (!strcmp(argv[k], "--help")) {
      cli_usage(stdout, "vocab", synopsis, description, vocab_options,
                N_VOCAB_OPTIONS);
      return 0;
    }
  }
  const char* pos[3]  = {NULL, NULL, NULL};
  int         n_pos   = 0;
  const char* scheme  = NULL;
  const char* format  = NULL;
  bool        force   = false;
  bool        json    = false;
  unsigned long long since = 0, limit = 100;
  CliScan     scan    = {argc, argv, 0, vocab_options, N_VOCAB_OPTIONS, false};
  CliArg      arg;
  int         r;
  while ((r = cli_next(&scan, ctx, "vocab", &arg)) > 0) {
    switch (arg.index) {
    case -1:
      if (n_pos == 3) {
        cli_error("vocab", "unexpected argument '%s'", arg.value);
        return 2;
      }
      pos[n_pos++] = arg.value;
      break;
    case V_SCHEME:
      scheme = arg.value;
      break;
    case V_FORCE:
      force = true;
      break;
    case V_FORMAT:
      format = arg.value;
      break;
    case V_JSON:
      json = true;
      break;
    case V_SINCE:
    case V_LIMIT: {
      char*                    end = NULL;
      const unsigned long long v   = strtoull(arg.value, &end, 10);
      if (!*arg.value || *end || arg.value[0] == '-' ||
          (arg.index == V_LIMIT && (v == 0 || v > 100000))) {
        cli_error("vocab", "--%s needs a number%s, not '%s'",
                  vocab_options[arg.index].name,
                  arg.index == V_LIMIT ? " from 1 to 100000" : "", arg.value);
        return 2;
      }
      *(arg.index == V_SINCE ? &since : &limit) = v;
      break;
    }
    }
  }
  if (r < 0) {
    return 2;
  }
  const char* const action = pos[0];
  if (!action) {
    cli_error("vocab", "say list, show, import, export, history or revert "
                       "(see fairdex vocab --help)");
    return 2;
  }
  if (!strcmp(action, "list") && n_pos == 1) {
    return vocab_list(ctx, json);
  }
  if (!strcmp(action, "show") && n_pos >= 2) {
    return vocab_show(ctx, pos[1], pos[2]);
  }
  if (!strcmp(action, "import") && n_pos == 2) {
    return vocab_import(ctx, pos[1], scheme, format, force);
  }
  if (!strcmp(action, "export") && n_pos == 2) {
    return vocab_export(ctx, pos[1], format);
  }
  if (!strcmp(action, "history") && n_pos == 1) {
    return vocab_history(ctx, since, limit);
  }
  if (!strcmp(action, "revert") && n_pos == 2) {
    return vocab_revert(ctx, pos[1]);
  }
  cli_error("vocab", "usage: fairdex vocab %s", synopsis);
  return 2;
}
