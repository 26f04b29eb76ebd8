/* SPDX-License-Identifier: GPL-2.0 */
/* The little JSON writing that xhop needs: escaped strings. */
#ifndef XHOP_JSON_H
#define XHOP_JSON_H

#include <stdio.h>

/* s as a JSON string literal, quotes included; control bytes escaped */
void json_str(FILE *out, const char *s);

#endif
