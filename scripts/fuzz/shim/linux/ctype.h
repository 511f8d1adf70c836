/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Host shim: the kernel's ctype (lib/ctype.c), which is not the C
 * locale's: it also takes the Latin-1 letters 0xc0-0xff but for 0xd7
 * and 0xf7, as the sample met them in the kernel.
 */
#include <ctype.h>
#undef isalnum
#undef isascii

static inline int shim_isalnum(int c)
{
	c = (unsigned char)c;
	return (isalnum)(c) || (c >= 0xc0 && c != 0xd7 && c != 0xf7);
}

#define isalnum(c)	shim_isalnum(c)
#define isascii(c)	((unsigned char)(c) <= 0x7f)
