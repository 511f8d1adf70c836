/* SPDX-License-Identifier: GPL-2.0 */
/* Host shim: a mutex that catches a second lock or a stray unlock. */
#ifndef SHIM_LINUX_MUTEX_H
#define SHIM_LINUX_MUTEX_H
#include <stdlib.h>

struct mutex {
	int held;
};

static inline void mutex_init(struct mutex *m)
{
	m->held = 0;
}

static inline void mutex_lock(struct mutex *m)
{
	if (m->held++)
		abort();
}

static inline void mutex_unlock(struct mutex *m)
{
	if (m->held-- != 1)
		abort();
}
#endif
