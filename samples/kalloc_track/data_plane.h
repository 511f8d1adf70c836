/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The data plane of the kmalloc_data_plane sample: named buffers tracked
 * by kalloc_track, set up from module parameters and changed at run time
 * by commands written to a control file.
 */
#ifndef _SAMPLES_KALLOC_TRACK_DATA_PLANE_H
#define _SAMPLES_KALLOC_TRACK_DATA_PLANE_H

#include <linux/gfp_types.h>
#include <linux/kalloc_track.h>
#include <linux/mutex.h>
#include <linux/sizes.h>
#include <linux/types.h>

#define DP_MAX_ENTRIES		16
#define DP_NAME_MAX		32
#define DP_CMD_MAX		128
#define DP_DEFAULT_LIMIT	SZ_1M

/* One named buffer; a slot is free when its name is empty. */
struct dp_entry {
	char name[DP_NAME_MAX + 1];
	size_t size;
	gfp_t gfp;
	void *buf;
};

/*
 * @lock serialises commands, and protects @entry and @n; the tracker has
 * its own lock. Names live in @entry for as long as the tracker, as
 * kalloc_track requires.
 */
struct data_plane {
	struct kalloc_track tracker;
	struct mutex lock;		/* serialises commands */
	size_t limit;
	unsigned int n;
	struct dp_entry entry[DP_MAX_ENTRIES];
};

enum dp_op { DP_ADD, DP_RELEASE };

struct dp_cmd {
	enum dp_op op;
	char name[DP_NAME_MAX + 1];
	size_t size;
	gfp_t gfp;
};

void dp_init(struct data_plane *dp);
int dp_parse_gfp(const char *s, gfp_t *gfp);
int dp_parse_params(struct data_plane *dp, const char * const *names,
		    unsigned int n_names, const unsigned long *sizes,
		    unsigned int n_sizes, const char *gfp,
		    unsigned long limit);
int dp_start(struct data_plane *dp);
unsigned int dp_stop(struct data_plane *dp);
int dp_parse_command(const char *buf, size_t len, struct dp_cmd *cmd);
int dp_execute(struct data_plane *dp, const struct dp_cmd *cmd);
void *dp_alloc(struct data_plane *dp, struct dp_entry *e);

#endif /* _SAMPLES_KALLOC_TRACK_DATA_PLANE_H */
