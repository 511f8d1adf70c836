/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Host shim: a strict fake of the kalloc_track API that data_plane.c
 * uses. It keeps the live pointers; a release of anything else, a second
 * init or a destroy with buffers live is counted in shim_misuse, which
 * the fuzz target checks after every input.
 */
#ifndef SHIM_LINUX_KALLOC_TRACK_H
#define SHIM_LINUX_KALLOC_TRACK_H
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <linux/types.h>

#define KALLOC_TRACK_RELEASED	0
#define KALLOC_TRACK_WAS_NULL	1
#define SHIM_MAX_LIVE		64

struct kalloc_track_stats {
	unsigned long live;
	size_t live_bytes;
	size_t peak_bytes;
	u64 adds;
	u64 releases;
};

struct kalloc_track {
	bool set_up;
	size_t max_size;
	unsigned int n;
	void *live[SHIM_MAX_LIVE];
	size_t size[SHIM_MAX_LIVE];
	struct kalloc_track_stats st;
};

extern unsigned long shim_misuse;
/* The add that fails, counting from 1 (0: none), as memory running out. */
extern unsigned int shim_fail_at, shim_adds;

static inline int kalloc_track_init(struct kalloc_track *t, const char *owner)
{
	if (t->set_up || !owner || !*owner)
		shim_misuse++;
	memset(t, 0, sizeof(*t));
	t->set_up = true;
	return 0;
}

static inline int kalloc_track_set_limits(struct kalloc_track *t,
					  size_t max_size, size_t max_live)
{
	(void)max_live;
	t->max_size = max_size;
	return 0;
}

static inline int kalloc_track_get_stats(struct kalloc_track *t,
					 struct kalloc_track_stats *st)
{
	*st = t->st;
	st->live = t->n;
	return 0;
}

static inline void *shim_add(struct kalloc_track *t, const char *name,
			     size_t size)
{
	void *p;

	if (!t->set_up || !name || !*name || !size)
		shim_misuse++;
	if ((t->max_size && size > t->max_size) || t->n == SHIM_MAX_LIVE ||
	    ++shim_adds == shim_fail_at)
		return NULL;
	p = malloc(size);
	if (!p)
		return NULL;
	t->live[t->n] = p;
	t->size[t->n++] = size;
	t->st.adds++;
	t->st.live_bytes += size;
	if (t->st.live_bytes > t->st.peak_bytes)
		t->st.peak_bytes = t->st.live_bytes;
	return p;
}

static inline int shim_release(struct kalloc_track *t, void *p)
{
	unsigned int i;

	if (!p)
		return KALLOC_TRACK_WAS_NULL;
	for (i = 0; i < t->n; i++) {
		if (t->live[i] == p) {
			free(p);
			t->st.live_bytes -= t->size[i];
			t->live[i] = t->live[--t->n];
			t->size[i] = t->size[t->n];
			t->st.releases++;
			return KALLOC_TRACK_RELEASED;
		}
	}
	shim_misuse++;
	return -ENOENT;
}

/* Leaks are freed here, unlike the library, so that ASan sees no leak. */
static inline unsigned int kalloc_track_destroy(struct kalloc_track *t)
{
	unsigned int leaks = t->n;

	while (t->n)
		free(t->live[--t->n]);
	t->set_up = false;
	return leaks;
}

#define kalloc_track_add(t, name, size, gfp)	shim_add((t), (name), (size))
#define kalloc_track_release(t, pp)					\
({									\
	int __ret = shim_release((t), *(pp));				\
									\
	if (__ret == KALLOC_TRACK_RELEASED)				\
		*(pp) = NULL;						\
	__ret;								\
})
#endif
