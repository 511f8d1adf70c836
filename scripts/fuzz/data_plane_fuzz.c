// SPDX-License-Identifier: GPL-2.0
/*
 * libFuzzer target for the input parsers of samples/kalloc_track: the
 * module parameters (names=, sizes=/values=, gfp=, limit=) and the
 * debugfs control commands. data_plane.c itself is compiled in, against
 * the host shim in shim/; nothing of its parser is copied.
 *
 * The first byte's low two bits pick what the rest is, and its high six
 * bits which allocation fails (0: none), so that rollbacks run too:
 *   0  a GFP keyword list, for dp_parse_gfp()
 *   1  module parameters, one per line: names, sizes, values, gfp, limit
 *      (names and numbers comma-separated), then a load and an unload
 *   2, 3  a load with two buffers, then control writes separated by 0xff
 *      bytes, then an unload
 * Every load must end with nothing live, nothing released twice or that
 * it did not own, and no lock held.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <linux/kernel.h>
#include <linux/kstrtox.h>

#include "data_plane.h"

unsigned long shim_misuse;
unsigned int shim_fail_at, shim_adds;

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define MAX_LINES	5

/* Split @s at @sep into at most @max pieces; return how many. */
static unsigned int split(char *s, const char *sep, char **out,
			  unsigned int max)
{
	unsigned int n = 0;
	char *tok;

	while (n < max && (tok = strsep(&s, sep)))
		out[n++] = tok;
	return n;
}

/* module_param_array(ulong): a comma-separated list; false if bad. */
static bool parse_ulongs(char *s, unsigned long *v, unsigned int *n)
{
	char *tok[DP_MAX_ENTRIES + 1];
	unsigned int i, k;

	*n = 0;
	if (!*s)
		return true;
	k = split(s, ",", tok, DP_MAX_ENTRIES + 1);
	if (k > DP_MAX_ENTRIES)
		return false;	/* the kernel refuses more than the array */
	for (i = 0; i < k; i++)
		if (kstrtoul(tok[i], 0, &v[i]))
			return false;
	*n = k;
	return true;
}

/* The promise of MODULE_PARM_DESC(names): 1 to 32 of [A-Za-z0-9_.-]. */
static void check_names(const struct data_plane *dp)
{
	const char *c;
	unsigned int i;

	for (i = 0; i < DP_MAX_ENTRIES; i++) {
		if (!dp->entry[i].name)
			continue;
		if (!*dp->entry[i].name ||
		    strlen(dp->entry[i].name) > DP_NAME_MAX)
			abort();
		for (c = dp->entry[i].name; *c; c++)
			if (!strchr("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_.-",
				    *c))
				abort();
	}
}

static void check_stopped(struct data_plane *dp)
{
	check_names(dp);
	if (dp_stop(dp) || shim_misuse || dp->lock.held)
		abort();
}

static void fuzz_params(char *s)
{
	unsigned long sizes[DP_MAX_ENTRIES], values[DP_MAX_ENTRIES], limit;
	unsigned int n_lines, n_names = 0, n_sizes, n_values, n;
	char *line[MAX_LINES] = { "", "", "", "kernel", "" };
	char *names[DP_MAX_ENTRIES + 1];
	const unsigned long *given;
	struct data_plane *dp;

	n_lines = split(s, "\n", line, MAX_LINES);
	(void)n_lines;
	if (*line[0])
		n_names = split(line[0], ",", names, DP_MAX_ENTRIES + 1);
	if (n_names > DP_MAX_ENTRIES ||
	    !parse_ulongs(line[1], sizes, &n_sizes) ||
	    !parse_ulongs(line[2], values, &n_values))
		return;
	limit = DP_DEFAULT_LIMIT;
	if (*line[4] && kstrtoul(line[4], 0, &limit))
		return;
	given = dp_pick_sizes(sizes, n_sizes, values, n_values, &n);
	if (IS_ERR(given))
		return;
	dp = calloc(1, sizeof(*dp));
	if (!dp)
		abort();
	dp_init(dp);
	if (!dp_parse_params(dp, (const char * const *)names, n_names, given,
			     n, line[3], limit)) {
		if (!dp_start(dp))
			check_stopped(dp);
		else if (shim_misuse || dp->tracker.n)
			abort();	/* a rollback left something */
	}
	free(dp);
}

static void fuzz_control(const uint8_t *data, size_t size)
{
	static const char * const names[] = { "buffer", "big_buffer" };
	static const unsigned long sizes[] = { 1024, 4096 };
	struct data_plane *dp;
	size_t start = 0, i;

	dp = calloc(1, sizeof(*dp));
	if (!dp)
		abort();
	dp_init(dp);
	if (dp_parse_params(dp, names, 2, sizes, 2, "kernel", 8192))
		abort();
	if (dp_start(dp)) {
		/* Rolled back: nothing may be left. */
		if (shim_misuse || dp->tracker.n)
			abort();
		free(dp);
		return;
	}
	for (i = 0; i <= size; i++) {
		if (i < size && data[i] != 0xff)
			continue;
		dp_control_write(dp, (const char __user *)data + start,
				 i - start);
		if (dp->lock.held)
			abort();
		check_names(dp);
		start = i + 1;
	}
	check_stopped(dp);
	free(dp);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	gfp_t gfp;
	char *s;

	if (!size)
		return 0;
	shim_misuse = 0;
	shim_adds = 0;
	shim_fail_at = data[0] >> 2;
	s = malloc(size);
	if (!s)
		abort();
	memcpy(s, data + 1, size - 1);
	s[size - 1] = '\0';
	switch (data[0] & 3) {
	case 0:
		dp_parse_gfp(s, &gfp);
		break;
	case 1:
		fuzz_params(s);
		break;
	default:
		fuzz_control(data + 1, size - 1);
		break;
	}
	free(s);
	return 0;
}
