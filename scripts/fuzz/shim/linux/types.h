/* SPDX-License-Identifier: GPL-2.0 */
/* Host shim: the kernel's types on the host. */
#ifndef SHIM_LINUX_TYPES_H
#define SHIM_LINUX_TYPES_H
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

typedef uint64_t u64;
typedef uint32_t u32;
typedef unsigned int gfp_t;
#define __user
#define __force
#endif
