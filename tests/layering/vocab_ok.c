/* Layering check: vocab code sees its own headers and catalog's. */
#include "fairdex/store.h"
#include "fairdex/vocab.h"

int
layering_vocab_ok(void);

int
layering_vocab_ok(void)
{
  return FDX_VOCAB_OK == 200 ? FDX_SUCCESS : FDX_FAILURE;
}
