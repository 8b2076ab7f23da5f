/*
 * civil_date.h: days since 1970-01-01 and back, in the proleptic Gregorian
 * calendar (Howard Hinnant's algorithms), shared by the dictionary's
 * inlined dates and the SPARQL engine's date values.  Internal to the
 * catalogue.
 */
#ifndef FDX_CIVIL_DATE_H
#define FDX_CIVIL_DATE_H

#include <stdint.h>

/* Days from 1970-01-01 to y-m-d in the proleptic Gregorian calendar. */
static inline int64_t
days_from_civil(int64_t y, const unsigned m, const unsigned d)
{
  y -= m <= 2;
  const int64_t  era = (y >= 0 ? y : y - 399) / 400;
  const unsigned yoe = (unsigned)(y - era * 400);
  const unsigned doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
  const unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + (int64_t)doe - 719468;
}

static inline void
civil_from_days(int64_t z, int* const ry, unsigned* const rm, unsigned* rd)
{
  z += 719468;
  const int64_t  era = (z >= 0 ? z : z - 146096) / 146097;
  const unsigned doe = (unsigned)(z - era * 146097);
  const unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  const int64_t  y   = (int64_t)yoe + era * 400;
  const unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  const unsigned mp  = (5 * doy + 2) / 153;
  const unsigned d   = doy - (153 * mp + 2) / 5 + 1;
  const unsigned m   = mp < 10 ? mp + 3 : mp - 9;
  *ry                = (int)(y + (m <= 2));
  *rm                = m;
  *rd                = d;
}

#endif /* FDX_CIVIL_DATE_H */
