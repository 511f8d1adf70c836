/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Host shim: kstrtoul() as lib/kstrtox.c defines it: an optional '+',
 * base 0 meaning 0x/0/decimal, digits only, one trailing newline, and
 * -ERANGE on overflow.
 */
#ifndef SHIM_LINUX_KSTRTOX_H
#define SHIM_LINUX_KSTRTOX_H
#include <ctype.h>
#include <errno.h>
#include <limits.h>

static inline int kstrtoul(const char *s, unsigned int base,
			   unsigned long *res)
{
	unsigned long v = 0;
	unsigned int d;
	int any = 0;

	if (*s == '+')
		s++;
	if (base == 0) {
		if (s[0] == '0' && (s[1] == 'x' || s[1] == 'X') &&
		    isxdigit((unsigned char)s[2])) {
			base = 16;
			s += 2;
		} else if (s[0] == '0') {
			base = 8;
		} else {
			base = 10;
		}
	}
	for (; *s; s++) {
		if (*s >= '0' && *s <= '9')
			d = *s - '0';
		else if (*s >= 'a' && *s <= 'f')
			d = *s - 'a' + 10;
		else if (*s >= 'A' && *s <= 'F')
			d = *s - 'A' + 10;
		else
			break;
		if (d >= base)
			break;
		if (v > (ULONG_MAX - d) / base)
			return -ERANGE;
		v = v * base + d;
		any = 1;
	}
	if (*s == '\n')
		s++;
	if (!any || *s)
		return -EINVAL;
	*res = v;
	return 0;
}
#endif
