/* SPDX-License-Identifier: GPL-2.0 */
/* Host shim: glibc's string.h, and strscpy() with the kernel's contract. */
#ifndef SHIM_LINUX_STRING_H
#define SHIM_LINUX_STRING_H
#include <errno.h>
#include <string.h>
#include <sys/types.h>

static inline ssize_t strscpy(char *dst, const char *src, size_t size)
{
	size_t len;

	if (!size)
		return -E2BIG;
	len = strnlen(src, size);
	if (len == size) {
		memcpy(dst, src, size - 1);
		dst[size - 1] = '\0';
		return -E2BIG;
	}
	memcpy(dst, src, len + 1);
	return len;
}
#endif
