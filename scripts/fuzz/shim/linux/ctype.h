/* SPDX-License-Identifier: GPL-2.0 */
/* Host shim: the kernel's ctype is ASCII, as the C locale's. */
#include <ctype.h>
#undef isalnum
#define isalnum(c)	(isalnum)((unsigned char)(c))
