/* Layering check: catalog code including a vocab-layer header must fail. */
#include "fairdex/vocab.h"
