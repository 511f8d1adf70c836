/* SPDX-License-Identifier: GPL-2.0 */
/* Host shim: what data_plane.c takes from <linux/kernel.h> and <linux/err.h>. */
#ifndef SHIM_LINUX_KERNEL_H
#define SHIM_LINUX_KERNEL_H
#include <errno.h>
#include <stdint.h>

#define ARRAY_SIZE(a)	(sizeof(a) / sizeof((a)[0]))
/* As on x86_64 (mm/slab.h's KMALLOC_SHIFT_MAX). */
#define KMALLOC_MAX_SIZE	(4UL << 20)
#define MAX_ERRNO	4095
#define ERR_PTR(e)	((void *)(intptr_t)(e))
#define PTR_ERR(p)	((long)(intptr_t)(p))
#define IS_ERR(p)	((uintptr_t)(p) >= (uintptr_t)-MAX_ERRNO)
#endif
