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
#define DP_MAX_NAMES		64
#define DP_NAME_MAX		32
#define DP_CMD_MAX		128
#define DP_DEFAULT_LIMIT	SZ_1M

/* One named buffer; a slot is free when it has no name. */
struct dp_entry {
	const char *name;	/* in data_plane::names */
	size_t size;
	gfp_t gfp;
	void *buf;
};

/*
 * @lock serialises commands, and protects @entry, @n, @names and
 * @n_names; the tracker has its own lock.
 *
 * kalloc_track does not copy names: a name must live as long as the
 * tracker, since a double-free report may print it after the buffer is
 * gone. So names are kept in @names, never overwritten while the tracker
 * lives: a slot released and reused under another name points to
 * another string, and the old one stays for the reports.
 */
struct data_plane {
	struct kalloc_track tracker;
	struct mutex lock;		/* serialises commands */
	size_t limit;
	unsigned int n;
	unsigned int n_names;
	struct dp_entry entry[DP_MAX_ENTRIES];
	char names[DP_MAX_NAMES][DP_NAME_MAX + 1];
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
const unsigned long *dp_pick_sizes(const unsigned long *sizes,
				   unsigned int n_sizes,
				   const unsigned long *values,
				   unsigned int n_values, unsigned int *n);
int dp_parse_params(struct data_plane *dp, const char * const *names,
		    unsigned int n_names, const unsigned long *sizes,
		    unsigned int n_sizes, const char *gfp,
		    unsigned long limit);
int dp_start(struct data_plane *dp);
unsigned int dp_stop(struct data_plane *dp);
int dp_parse_command(const char *buf, size_t len, struct dp_cmd *cmd);
int dp_execute(struct data_plane *dp, const struct dp_cmd *cmd);
ssize_t dp_control_write(struct data_plane *dp, const char __user *ubuf,
			 size_t len);
void *dp_alloc(struct data_plane *dp, struct dp_entry *e);

#endif /* _SAMPLES_KALLOC_TRACK_DATA_PLANE_H */
