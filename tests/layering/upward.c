/* Layering check: catalog code including a web-layer header must fail. */
#include "cli.h"
