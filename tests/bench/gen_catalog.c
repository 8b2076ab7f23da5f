/*
 * gen_catalog.c: `gen-catalog N [SEED]` writes a synthetic DCAT catalogue of
 * N datasets to standard output as N-Triples, for the load benchmark
 * (tests/bench/load.sh) and anyone who needs a big realistic catalogue.
 *
 * Each dataset has a type, a German and an English title built from word
 * lists (topic, kind of data, place in Bavaria, year), a description from a
 * template in one of the two languages, 2-3 keywords, an EU data theme, a
 * publisher from a pool of 200 (each described once, when first used),
 * issued (xsd:date) and modified (xsd:dateTime) dates, an identifier, a
 * licence, access rights and 1-2 distributions with type, format, access
 * URL and media type; the catalogue links every dataset.  That is about 21
 * triples per dataset on average (so N = 700000 gives about 15 M triples).
 * Dataset and distribution IRIs are UUIDs under https://fairdex.example.org/.
 *
 * The output depends only on N and SEED (default 1): the program has its own
 * PRNG (splitmix64), seeded per dataset, and never calls rand().  It uses
 * only libc and writes through its own buffer, so it produces millions of
 * triples per second.  The number of triples goes to standard error.
 */
#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ------------------------------------------------------------------------
 * Output buffer
 * --------------------------------------------------------------------- */

#define OUT_CAP ((size_t)1 << 20)

static char     out_buf[OUT_CAP];
static size_t   out_len;
static uint64_t n_triples;

static void
out_flush(void)
{
  if (out_len && fwrite(out_buf, 1, out_len, stdout) != out_len) {
    fprintf(stderr, "gen-catalog: write error: %s\n", strerror(errno));
    exit(1);
  }
  out_len = 0;
}

static void
out_mem(const char* const s, const size_t n)
{
  if (out_len + n > OUT_CAP) {
    out_flush();
  }
  memcpy(out_buf + out_len, s, n);
  out_len += n;
}

static void
out_str(const char* const s)
{
  out_mem(s, strlen(s));
}

static void
out_char(const char c)
{
  if (out_len + 1 > OUT_CAP) {
    out_flush();
  }
  out_buf[out_len++] = c;
}

/* Decimal, at least `width` digits (zero-padded). */
static void
out_uint(uint64_t v, const int width)
{
  char tmp[24];
  int  n = 0;
  do {
    tmp[n++] = (char)('0' + (int)(v % 10));
    v /= 10;
  } while (v);
  while (n < width) {
    tmp[n++] = '0';
  }
  char rev[24];
  for (int i = 0; i < n; ++i) {
    rev[i] = tmp[n - 1 - i];
  }
  out_mem(rev, (size_t)n);
}

/* Constant strings without strlen. */
#define OUT_LIT(s) out_mem((s), sizeof(s) - 1)

/* ------------------------------------------------------------------------
 * PRNG: splitmix64
 * --------------------------------------------------------------------- */

typedef struct
{
  uint64_t s;
} Rng;

static uint64_t
rng_next(Rng* const r)
{
  uint64_t z = (r->s += 0x9E3779B97F4A7C15ull);
  z          = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
  z          = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
  return z ^ (z >> 31);
}

/* Uniform in [0, n) (n small: the bias is negligible for a benchmark). */
static unsigned
rng_below(Rng* const r, const unsigned n)
{
  return (unsigned)(((rng_next(r) >> 32) * (uint64_t)n) >> 32);
}

/* ------------------------------------------------------------------------
 * Vocabulary
 * --------------------------------------------------------------------- */

#define N_OF(a) (sizeof(a) / sizeof((a)[0]))

#define NS_RDF "http://www.w3.org/1999/02/22-rdf-syntax-ns#"
#define NS_DCAT "http://www.w3.org/ns/dcat#"
#define NS_DCT "http://purl.org/dc/terms/"
#define NS_FOAF "http://xmlns.com/foaf/0.1/"
#define NS_XSD "http://www.w3.org/2001/XMLSchema#"
#define NS_EU "http://publications.europa.eu/resource/authority/"
#define BASE "https://fairdex.example.org/"

#define P_TYPE "<" NS_RDF "type>"
#define P_TITLE "<" NS_DCT "title>"
#define P_DESCRIPTION "<" NS_DCT "description>"
#define P_KEYWORD "<" NS_DCAT "keyword>"
#define P_THEME "<" NS_DCAT "theme>"
#define P_PUBLISHER "<" NS_DCT "publisher>"
#define P_ISSUED "<" NS_DCT "issued>"
#define P_MODIFIED "<" NS_DCT "modified>"
#define P_IDENTIFIER "<" NS_DCT "identifier>"
#define P_LICENSE "<" NS_DCT "license>"
#define P_ACCESS "<" NS_DCT "accessRights>"
#define P_DISTRIBUTION "<" NS_DCAT "distribution>"
#define P_FORMAT "<" NS_DCT "format>"
#define P_ACCESS_URL "<" NS_DCAT "accessURL>"
#define P_MEDIA_TYPE "<" NS_DCAT "mediaType>"
#define P_DATASET "<" NS_DCAT "dataset>"
#define P_NAME "<" NS_FOAF "name>"

typedef struct
{
  const char* de;
  const char* en;
} Pair;

typedef struct
{
  const char* de;
  const char* en;
  const char* theme; /* EU data theme code */
  Pair        kw;    /* a keyword that goes with the topic */
} Topic;

/* clang-format off */
static const Topic topics[] = {
  {"Herzinsuffizienz", "heart failure", "HEAL", {"Herzschwäche", "cardiac insufficiency"}},
  {"Cholesterinwerte", "cholesterol levels", "HEAL", {"LDL-Cholesterin", "LDL cholesterol"}},
  {"Bluthochdruck", "hypertension", "HEAL", {"Blutdruck", "blood pressure"}},
  {"Herzinfarkte", "myocardial infarctions", "HEAL", {"Herzinfarkt", "heart attack"}},
  {"Schlaganfälle", "strokes", "HEAL", {"Schlaganfall", "stroke"}},
  {"Vorhofflimmern", "atrial fibrillation", "HEAL", {"Herzrhythmus", "heart rhythm"}},
  {"Diabetes mellitus", "diabetes mellitus", "HEAL", {"Diabetes", "diabetes"}},
  {"Krankenhausaufenthalte", "hospital stays", "HEAL", {"Krankenhaus", "hospital"}},
  {"Notfallversorgung", "emergency care", "HEAL", {"Notaufnahme", "emergency department"}},
  {"Rettungsdiensteinsätze", "ambulance call-outs", "HEAL", {"Rettungsdienst", "ambulance service"}},
  {"Impfquoten", "vaccination rates", "HEAL", {"Impfung", "vaccination"}},
  {"Übergewicht bei Kindern", "childhood obesity", "HEAL", {"Kindergesundheit", "child health"}},
  {"Arzneimittelverordnungen", "drug prescriptions", "HEAL", {"Arzneimittel", "medicines"}},
  {"Krebsneuerkrankungen", "new cancer cases", "HEAL", {"Krebsregister", "cancer registry"}},
  {"Pflegebedürftigkeit", "need for long-term care", "HEAL", {"Pflege", "long-term care"}},
  {"Hausarztversorgung", "primary care provision", "HEAL", {"Hausarzt", "general practitioner"}},
  {"Luftqualität", "air quality", "ENVI", {"Luftschadstoffe", "air pollutants"}},
  {"Feinstaubbelastung", "particulate matter", "ENVI", {"Feinstaub", "PM2.5"}},
  {"Lärmbelastung", "noise exposure", "ENVI", {"Lärm", "noise"}},
  {"Hitzetage", "hot days", "ENVI", {"Hitze", "heat"}},
  {"Pollenflug", "pollen counts", "ENVI", {"Allergie", "allergy"}},
  {"Trinkwasserqualität", "drinking water quality", "ENVI", {"Trinkwasser", "drinking water"}},
  {"Verkehrsaufkommen", "traffic volume", "TRAN", {"Verkehr", "traffic"}},
  {"Verkehrsunfälle", "road accidents", "TRAN", {"Unfallstatistik", "accident statistics"}},
  {"Radverkehr", "cycling traffic", "TRAN", {"Fahrrad", "bicycle"}},
  {"Fahrgastzahlen im ÖPNV", "public transport ridership", "TRAN", {"ÖPNV", "public transport"}},
  {"Bevölkerungsentwicklung", "population development", "SOCI", {"Bevölkerung", "population"}},
  {"Pflegeheimplätze", "care home places", "SOCI", {"Pflegeheim", "care home"}},
  {"Sportvereine", "sports clubs", "SOCI", {"Sport", "sport"}},
  {"Schuleingangsuntersuchungen", "school entry examinations", "EDUC", {"Einschulung", "school entry"}},
  {"Studierende der Medizin", "medical students", "EDUC", {"Studium", "university studies"}},
  {"Beschäftigte im Gesundheitswesen", "healthcare workforce", "ECON", {"Arbeitsmarkt", "labour market"}},
  {"Krankenhausfinanzierung", "hospital financing", "ECON", {"Investitionen", "investment"}},
  {"Energieverbrauch der Kliniken", "hospital energy use", "ENER", {"Energie", "energy"}},
  {"Lebensmittelkontrollen", "food inspections", "AGRI", {"Lebensmittel", "food"}},
  {"Haushalt des Gesundheitsamts", "health office budget", "GOVE", {"Haushalt", "budget"}},
  {"Telemedizin", "telemedicine", "TECH", {"Digitalisierung", "digitalisation"}},
  {"Ärztedichte", "physician density", "REGI", {"Versorgungsplanung", "care planning"}},
};

static const Pair kinds[] = {
  {"Statistik", "Statistics"},
  {"Messreihe", "Measurement series"},
  {"Erhebung", "Survey"},
  {"Register", "Registry"},
  {"Jahresbericht", "Annual report"},
  {"Kohortenstudie", "Cohort study"},
  {"Monitoring", "Monitoring"},
  {"Zeitreihe", "Time series"},
  {"Kennzahlen", "Key figures"},
  {"Auswertung", "Analysis"},
};

static const Pair places[] = {
  {"München", "Munich"},
  {"Nürnberg", "Nuremberg"},
  {"Augsburg", "Augsburg"},
  {"Regensburg", "Regensburg"},
  {"Würzburg", "Würzburg"},
  {"Ingolstadt", "Ingolstadt"},
  {"Fürth", "Fürth"},
  {"Erlangen", "Erlangen"},
  {"Bamberg", "Bamberg"},
  {"Bayreuth", "Bayreuth"},
  {"Landshut", "Landshut"},
  {"Aschaffenburg", "Aschaffenburg"},
  {"Kempten", "Kempten"},
  {"Rosenheim", "Rosenheim"},
  {"Neu-Ulm", "Neu-Ulm"},
  {"Schweinfurt", "Schweinfurt"},
  {"Passau", "Passau"},
  {"Freising", "Freising"},
  {"Straubing", "Straubing"},
  {"Dachau", "Dachau"},
  {"Hof", "Hof"},
  {"Kaufbeuren", "Kaufbeuren"},
  {"Amberg", "Amberg"},
  {"Coburg", "Coburg"},
  {"Weiden in der Oberpfalz", "Weiden in der Oberpfalz"},
  {"Ansbach", "Ansbach"},
  {"Memmingen", "Memmingen"},
  {"Deggendorf", "Deggendorf"},
  {"Garmisch-Partenkirchen", "Garmisch-Partenkirchen"},
  {"Starnberg", "Starnberg"},
  {"Erding", "Erding"},
  {"Fürstenfeldbruck", "Fürstenfeldbruck"},
  {"Schwabach", "Schwabach"},
  {"Kitzingen", "Kitzingen"},
  {"Lindau", "Lindau"},
  {"Traunstein", "Traunstein"},
  {"Altötting", "Altötting"},
  {"Cham", "Cham"},
  {"Eichstätt", "Eichstätt"},
  {"Forchheim", "Forchheim"},
  {"Kulmbach", "Kulmbach"},
  {"Bad Kissingen", "Bad Kissingen"},
  {"Neuburg an der Donau", "Neuburg an der Donau"},
  {"Bad Tölz", "Bad Tölz"},
  {"Günzburg", "Günzburg"},
  {"Donauwörth", "Donauwörth"},
  {"Landsberg am Lech", "Landsberg am Lech"},
  {"Oberbayern", "Upper Bavaria"},
  {"Niederbayern", "Lower Bavaria"},
  {"der Oberpfalz", "the Upper Palatinate"},
  {"Oberfranken", "Upper Franconia"},
  {"Mittelfranken", "Middle Franconia"},
  {"Unterfranken", "Lower Franconia"},
  {"Schwaben", "Swabia"},
  {"Bayern", "Bavaria"},
};

/* clang-format on */

/* Publishers: kind x place, 10 x 20 = 200. */
static const char* const publisher_kinds[] = {
  "Universitätsklinikum", "Klinikum",
  "Gesundheitsamt",       "Stadtverwaltung",
  "Landratsamt",          "Hochschule",
  "Stadtwerke",           "Institut für Epidemiologie",
  "Herzzentrum",          "Umweltamt",
};
#define N_PUBLISHER_PLACES 20
#define N_PUBLISHERS (N_OF(publisher_kinds) * N_PUBLISHER_PLACES)

static const Pair measures[] = {
  { "Fallzahlen", "case numbers" },
  { "Messwerte", "measurements" },
  { "Kennzahlen", "key figures" },
  { "Ergebnisse", "results" },
  { "Jahreswerte", "annual figures" },
  { "anonymisierte Einzeldaten", "anonymised individual records" },
};

static const Pair units[] = {
  { "Datensätzen", "records" },
  { "Messstellen", "measuring stations" },
  { "Teilnehmenden", "participants" },
  { "Einrichtungen", "facilities" },
  { "Fällen", "cases" },
};

static const Pair frequencies[] = {
  { "täglich", "daily" },
  { "monatlich", "monthly" },
  { "vierteljährlich", "quarterly" },
  { "jährlich", "annually" },
};

static const Pair generic_keywords[] = {
  { "Gesundheit", "health" },     { "offene Daten", "open data" },
  { "Statistik", "statistics" },  { "Forschung", "research" },
  { "Prävention", "prevention" }, { "Versorgung", "health care" },
  { "Umwelt", "environment" },    { "Kommune", "municipality" },
};

static const char* const licences[] = {
  "<" NS_EU "licence/CC_BY_4_0>",
  "<" NS_EU "licence/CC0>",
  "<" NS_EU "licence/CC_BYSA_4_0>",
  "<" NS_EU "licence/CC_BYNC_4_0>",
  "<http://dcat-ap.de/def/licenses/dl-by-de/2.0>",
  "<http://dcat-ap.de/def/licenses/dl-zero-de/2.0>",
};

typedef struct
{
  const char* file_type; /* EU file-type code */
  const char* media;     /* IANA media type */
  const char* ext;
} Format;

/* clang-format off */
static const Format formats[] = {
  {"CSV", "text/csv", "csv"},
  {"JSON", "application/json", "json"},
  {"XLSX", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", "xlsx"},
  {"PDF", "application/pdf", "pdf"},
  {"XML", "application/xml", "xml"},
  {"GEOJSON", "application/geo+json", "geojson"},
  {"ZIP", "application/zip", "zip"},
  {"RDF_TURTLE", "text/turtle", "ttl"},
};
/* clang-format on */

/* ------------------------------------------------------------------------
 * Terms
 * --------------------------------------------------------------------- */

static void
out_lang(const char* const s, const bool de)
{
  out_char('"');
  out_str(s);
  if (de) {
    OUT_LIT("\"@de");
  } else {
    OUT_LIT("\"@en");
  }
}

/* 36-character UUID (version 4 layout) from two random words. */
static void
make_uuid(Rng* const r, char out[37])
{
  static const char hex[] = "0123456789abcdef";
  const uint64_t    a     = rng_next(r);
  const uint64_t    b     = rng_next(r);
  uint8_t           bytes[16];
  for (int i = 0; i < 8; ++i) {
    bytes[i]     = (uint8_t)(a >> (8 * i));
    bytes[8 + i] = (uint8_t)(b >> (8 * i));
  }
  bytes[6] = (uint8_t)((bytes[6] & 0x0F) | 0x40);
  bytes[8] = (uint8_t)((bytes[8] & 0x3F) | 0x80);
  int o    = 0;
  for (int i = 0; i < 16; ++i) {
    if (i == 4 || i == 6 || i == 8 || i == 10) {
      out[o++] = '-';
    }
    out[o++] = hex[bytes[i] >> 4];
    out[o++] = hex[bytes[i] & 15];
  }
  out[o] = '\0';
}

/* Days since 1970-01-01 to a civil date (H. Hinnant's algorithm). */
static void
civil_from_days(int64_t z, int* const y, unsigned* const m, unsigned* const d)
{
  z += 719468;
  const int64_t  era = (z >= 0 ? z : z - 146096) / 146097;
  const unsigned doe = (unsigned)(z - era * 146097);
  const unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  const unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  const unsigned mp  = (5 * doy + 2) / 153;
  *d                 = doy - (153 * mp + 2) / 5 + 1;
  *m                 = mp < 10 ? mp + 3 : mp - 9;
  *y                 = (int)(yoe + (uint64_t)era * 400) + (*m <= 2);
}

static int64_t
days_from_year(const int year)
{
  /* Days from 1970-01-01 to 1 January of `year` (year >= 1970). */
  int64_t days = 0;
  for (int y = 1970; y < year; ++y) {
    days += ((y % 4 == 0 && y % 100 != 0) || y % 400 == 0) ? 366 : 365;
  }
  return days;
}

static void
out_date(const int64_t days)
{
  int      y;
  unsigned m;
  unsigned d;
  civil_from_days(days, &y, &m, &d);
  out_uint((uint64_t)y, 4);
  out_char('-');
  out_uint(m, 2);
  out_char('-');
  out_uint(d, 2);
}

/* ------------------------------------------------------------------------
 * Generation
 * --------------------------------------------------------------------- */

static bool publisher_described[N_PUBLISHERS];

static void
out_publisher_iri(const unsigned p)
{
  OUT_LIT("<" BASE "publisher/");
  out_uint(p, 3);
  out_char('>');
}

static void
describe_publisher(const unsigned p)
{
  out_publisher_iri(p);
  OUT_LIT(" " P_TYPE " <" NS_FOAF "Organization> .\n");
  out_publisher_iri(p);
  OUT_LIT(" " P_NAME " \"");
  out_str(publisher_kinds[p % N_OF(publisher_kinds)]);
  out_char(' ');
  out_str(places[p / N_OF(publisher_kinds)].de);
  OUT_LIT("\"@de .\n");
  n_triples += 2;
}

/* The title in one language: one of three patterns. */
static void
out_title(const unsigned pattern,
          const unsigned span,
          const Topic*   t,
          const Pair*    kind,
          const Pair*    place,
          const unsigned year,
          const bool     de)
{
  out_char('"');
  switch (pattern) {
    case 0:
      out_str(de ? t->de : t->en);
      OUT_LIT(" in ");
      out_str(de ? place->de : place->en);
      out_str(de ? " " : ", ");
      out_uint(year, 4);
      break;
    case 1:
      out_str(de ? kind->de : kind->en);
      OUT_LIT(": ");
      out_str(de ? t->de : t->en);
      OUT_LIT(" in ");
      out_str(de ? place->de : place->en);
      out_char(' ');
      out_uint(year, 4);
      break;
    default:
      out_str(de ? t->de : t->en);
      OUT_LIT(" \xE2\x80\x93 ");
      out_str(de ? kind->de : kind->en);
      out_str(de ? " " : ", ");
      out_str(de ? place->de : place->en);
      out_char(' ');
      out_uint(year, 4);
      out_char('-');
      out_uint(year + span, 4);
      break;
  }
  out_str(de ? "\"@de" : "\"@en");
}

static void
out_description(Rng* const     r,
                const Topic*   t,
                const Pair*    place,
                const unsigned year,
                const unsigned publisher,
                const bool     de)
{
  const Pair*    measure   = &measures[rng_below(r, N_OF(measures))];
  const Pair*    unit      = &units[rng_below(r, N_OF(units))];
  const Pair*    freq      = &frequencies[rng_below(r, N_OF(frequencies))];
  const uint64_t count     = 10 + rng_below(r, 250000);
  const char*    pub_kind  = publisher_kinds[publisher % N_OF(publisher_kinds)];
  const char*    pub_place = places[publisher / N_OF(publisher_kinds)].de;

  out_char('"');
  switch (rng_below(r, 3)) {
    case 0:
      if (de) {
        OUT_LIT("Der Datensatz enthält ");
        out_str(measure->de);
        OUT_LIT(" zu ");
        out_str(t->de);
        OUT_LIT(" in ");
        out_str(place->de);
        OUT_LIT(" für das Jahr ");
        out_uint(year, 4);
        OUT_LIT(". Grundlage sind ");
        out_uint(count, 1);
        out_char(' ');
        out_str(unit->de);
        OUT_LIT("; die Daten werden ");
        out_str(freq->de);
        OUT_LIT(" aktualisiert.");
      } else {
        OUT_LIT("The dataset contains ");
        out_str(measure->en);
        OUT_LIT(" on ");
        out_str(t->en);
        OUT_LIT(" in ");
        out_str(place->en);
        OUT_LIT(" for the year ");
        out_uint(year, 4);
        OUT_LIT(". It is based on ");
        out_uint(count, 1);
        out_char(' ');
        out_str(unit->en);
        OUT_LIT(" and is updated ");
        out_str(freq->en);
        out_char('.');
      }
      break;
    case 1:
      if (de) {
        out_char((char)(measure->de[0] & ~0x20)); /* capitalise (ASCII) */
        out_str(measure->de + 1);
        OUT_LIT(" zum Thema ");
        out_str(t->de);
        OUT_LIT(" (");
        out_str(place->de);
        OUT_LIT(", ");
        out_uint(year, 4);
        OUT_LIT("), erhoben von: ");
        out_str(pub_kind);
        out_char(' ');
        out_str(pub_place);
        OUT_LIT(". Umfang: ");
        out_uint(count, 1);
        out_char(' ');
        out_str(unit->de);
        out_char('.');
      } else {
        out_char((char)(measure->en[0] & ~0x20));
        out_str(measure->en + 1);
        OUT_LIT(" on ");
        out_str(t->en);
        OUT_LIT(" (");
        out_str(place->en);
        OUT_LIT(", ");
        out_uint(year, 4);
        OUT_LIT("), collected by ");
        out_str(pub_kind);
        out_char(' ');
        out_str(pub_place);
        OUT_LIT(". Size: ");
        out_uint(count, 1);
        out_char(' ');
        out_str(unit->en);
        out_char('.');
      }
      break;
    default:
      if (de) {
        OUT_LIT("Auswertung zu ");
        out_str(t->de);
        OUT_LIT(" in ");
        out_str(place->de);
        OUT_LIT(", Berichtsjahr ");
        out_uint(year, 4);
        OUT_LIT(", mit ");
        out_uint(count, 1);
        out_char(' ');
        out_str(unit->de);
        OUT_LIT(". Aufbereitet für Forschung, Verwaltung und Öffentlichkeit.");
      } else {
        OUT_LIT("Analysis of ");
        out_str(t->en);
        OUT_LIT(" in ");
        out_str(place->en);
        OUT_LIT(", reporting year ");
        out_uint(year, 4);
        OUT_LIT(", with ");
        out_uint(count, 1);
        out_char(' ');
        out_str(unit->en);
        OUT_LIT(". Prepared for research, administration and the public.");
      }
      break;
  }
  out_str(de ? "\"@de" : "\"@en");
}

static void
gen_dataset(const uint64_t seed, const uint64_t i)
{
  Rng r = { seed * 0x9E3779B97F4A7C15ull ^ (i + 1) * 0xD1B54A32D192ED03ull };
  rng_next(&r);

  char uuid[37];
  make_uuid(&r, uuid);

  const Topic*   t       = &topics[rng_below(&r, N_OF(topics))];
  const Pair*    kind    = &kinds[rng_below(&r, N_OF(kinds))];
  const Pair*    place   = &places[rng_below(&r, N_OF(places))];
  const unsigned year    = 2005 + rng_below(&r, 20);
  const unsigned pattern = rng_below(&r, 3);
  const unsigned span    = 1 + rng_below(&r, 4);
  /* Publishers: the minimum of two uniform draws, so some publish a lot. */
  const unsigned pa        = rng_below(&r, N_PUBLISHERS);
  const unsigned pb        = rng_below(&r, N_PUBLISHERS);
  const unsigned publisher = pa < pb ? pa : pb;
  const bool     desc_de   = rng_below(&r, 5) < 3;

  if (!publisher_described[publisher]) {
    publisher_described[publisher] = true;
    describe_publisher(publisher);
  }

  char      subject[96];
  const int sn =
    snprintf(subject, sizeof(subject), "<" BASE "dataset/%s>", uuid);
  const size_t slen = (size_t)sn;

#define TRIPLE_START(p)   \
  out_mem(subject, slen); \
  OUT_LIT(" " p " ");     \
  ++n_triples
#define TRIPLE_END() OUT_LIT(" .\n")

  OUT_LIT("<" BASE "catalog> " P_DATASET " ");
  out_mem(subject, slen);
  TRIPLE_END();
  ++n_triples;

  TRIPLE_START(P_TYPE);
  OUT_LIT("<" NS_DCAT "Dataset>");
  TRIPLE_END();

  TRIPLE_START(P_TITLE);
  out_title(pattern, span, t, kind, place, year, true);
  TRIPLE_END();
  TRIPLE_START(P_TITLE);
  out_title(pattern, span, t, kind, place, year, false);
  TRIPLE_END();

  TRIPLE_START(P_DESCRIPTION);
  out_description(&r, t, place, year, publisher, desc_de);
  TRIPLE_END();

  /* Keywords: the topic's own, the place, and sometimes a generic one. */
  const bool kw_de = rng_below(&r, 2) == 0;
  TRIPLE_START(P_KEYWORD);
  out_lang(kw_de ? t->kw.de : t->kw.en, kw_de);
  TRIPLE_END();
  const char* place_kw = desc_de ? place->de : place->en;
  if (!strncmp(place_kw, "der ", 4) || !strncmp(place_kw, "the ", 4)) {
    place_kw += 4; /* "in der Oberpfalz" in titles, "Oberpfalz" here */
  }
  TRIPLE_START(P_KEYWORD);
  out_lang(place_kw, desc_de);
  TRIPLE_END();
  if (rng_below(&r, 2)) {
    const Pair* g = &generic_keywords[rng_below(&r, N_OF(generic_keywords))];
    TRIPLE_START(P_KEYWORD);
    out_lang(desc_de ? g->de : g->en, desc_de);
    TRIPLE_END();
  }

  TRIPLE_START(P_THEME);
  OUT_LIT("<" NS_EU "data-theme/");
  out_str(t->theme);
  out_char('>');
  TRIPLE_END();

  TRIPLE_START(P_PUBLISHER);
  out_publisher_iri(publisher);
  TRIPLE_END();

  /* Issued within the year after the data year; modified up to ~3 years on. */
  const int64_t issued   = days_from_year((int)year + 1) + rng_below(&r, 365);
  const int64_t modified = issued + rng_below(&r, 1100);
  TRIPLE_START(P_ISSUED);
  out_char('"');
  out_date(issued);
  OUT_LIT("\"^^<" NS_XSD "date>");
  TRIPLE_END();
  TRIPLE_START(P_MODIFIED);
  out_char('"');
  out_date(modified);
  out_char('T');
  const unsigned secs = rng_below(&r, 86400);
  out_uint(secs / 3600, 2);
  out_char(':');
  out_uint(secs / 60 % 60, 2);
  out_char(':');
  out_uint(secs % 60, 2);
  OUT_LIT("Z\"^^<" NS_XSD "dateTime>");
  TRIPLE_END();

  TRIPLE_START(P_IDENTIFIER);
  out_char('"');
  out_str(uuid);
  out_char('"');
  TRIPLE_END();

  TRIPLE_START(P_LICENSE);
  out_str(licences[rng_below(&r, N_OF(licences))]);
  TRIPLE_END();

  const unsigned a = rng_below(&r, 10);
  TRIPLE_START(P_ACCESS);
  OUT_LIT("<" NS_EU "access-right/");
  if (a < 7) {
    OUT_LIT("PUBLIC>");
  } else if (a < 9) {
    OUT_LIT("RESTRICTED>");
  } else {
    OUT_LIT("NON_PUBLIC>");
  }
  TRIPLE_END();

  /* Distributions: one, a quarter of the datasets two. */
  const unsigned n_dist = rng_below(&r, 4) == 0 ? 2 : 1;
  for (unsigned k = 1; k <= n_dist; ++k) {
    const Format* f = &formats[rng_below(&r, N_OF(formats))];
    char          dsubj[112];
    const int     dn =
      snprintf(dsubj, sizeof(dsubj), "<" BASE "distribution/%s-%u>", uuid, k);
    const size_t dlen = (size_t)dn;

    TRIPLE_START(P_DISTRIBUTION);
    out_mem(dsubj, dlen);
    TRIPLE_END();

    out_mem(dsubj, dlen);
    OUT_LIT(" " P_TYPE " <" NS_DCAT "Distribution> .\n");
    out_mem(dsubj, dlen);
    OUT_LIT(" " P_FORMAT " <" NS_EU "file-type/");
    out_str(f->file_type);
    OUT_LIT("> .\n");
    out_mem(dsubj, dlen);
    OUT_LIT(" " P_ACCESS_URL " <https://opendata-");
    out_uint(publisher, 3);
    OUT_LIT(".example/dataset/");
    out_str(uuid);
    OUT_LIT("/resource/");
    out_uint(k, 1);
    out_char('.');
    out_str(f->ext);
    OUT_LIT("> .\n");
    out_mem(dsubj, dlen);
    OUT_LIT(" " P_MEDIA_TYPE " <http://www.iana.org/assignments/media-types/");
    out_str(f->media);
    OUT_LIT("> .\n");
    n_triples += 4;
  }
#undef TRIPLE_START
#undef TRIPLE_END
}

static bool
parse_u64(const char* const s, uint64_t* const ret)
{
  char* end = NULL;
  errno     = 0;
  if (!s[0] || s[0] == '-') {
    return false;
  }
  const unsigned long long v = strtoull(s, &end, 10);
  if (errno || *end) {
    return false;
  }
  *ret = (uint64_t)v;
  return true;
}

int
main(int argc, char** argv)
{
  uint64_t n    = 0;
  uint64_t seed = 1;
  if (argc < 2 || argc > 3 || !parse_u64(argv[1], &n) ||
      (argc == 3 && !parse_u64(argv[2], &seed))) {
    fprintf(stderr,
            "usage: gen-catalog N [SEED]\n"
            "Write a synthetic DCAT catalogue of N datasets as N-Triples to "
            "standard output\n(deterministic for N and SEED; SEED defaults "
            "to 1).\n");
    return 2;
  }

  OUT_LIT("<" BASE "catalog> " P_TYPE " <" NS_DCAT "Catalog> .\n");
  OUT_LIT("<" BASE "catalog> " P_TITLE
          " \"Synthetischer Benchmark-Katalog\"@de .\n");
  OUT_LIT("<" BASE "catalog> " P_TITLE
          " \"Synthetic benchmark catalogue\"@en .\n");
  n_triples += 3;

  for (uint64_t i = 0; i < n; ++i) {
    gen_dataset(seed, i);
  }
  out_flush();
  if (fflush(stdout) != 0) {
    fprintf(stderr, "gen-catalog: write error: %s\n", strerror(errno));
    return 1;
  }
  fprintf(stderr,
          "gen-catalog: %llu datasets, %llu triples\n",
          (unsigned long long)n,
          (unsigned long long)n_triples);
  return 0;
}
