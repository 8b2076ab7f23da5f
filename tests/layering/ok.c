/* Layering check: a catalog header with only the catalog include path. */
#include "fairdex/rdf.h"
#include "fairdex/store.h"

int
layering_ok(void);

int
layering_ok(void)
{
  return FDX_SUCCESS;
}
