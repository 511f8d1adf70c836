// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit tests of the kmalloc_data_plane sample: parameter and command
 * parsing, commands on a running plane, and rollback on a failed
 * allocation. The sample's logic is built into this test directly, so
 * that it runs where the module cannot be loaded (kunit.py on UML).
 */

#include <kunit/static_stub.h>
#include <kunit/test.h>
#include <linux/mman.h>

#include "data_plane.c"

static struct data_plane *dp_test_plane(struct kunit *test)
{
	struct data_plane *dp = kunit_kzalloc(test, sizeof(*dp), GFP_KERNEL);

	KUNIT_ASSERT_NOT_NULL(test, dp);
	dp_init(dp);
	return dp;
}

static void dp_parse_params_valid(struct kunit *test)
{
	static const char * const names[] = { "buffer", "big_buffer" };
	unsigned long sizes[] = { 1024, 4096 };
	struct data_plane *dp = dp_test_plane(test);

	KUNIT_ASSERT_EQ(test, dp_parse_params(dp, names, 2, sizes, 2,
					      "kernel,zero", 8192), 0);
	KUNIT_EXPECT_EQ(test, dp->n, 2);
	KUNIT_EXPECT_EQ(test, dp->limit, 8192);
	KUNIT_EXPECT_STREQ(test, dp->entry[0].name, "buffer");
	KUNIT_EXPECT_EQ(test, dp->entry[0].size, 1024);
	KUNIT_EXPECT_STREQ(test, dp->entry[1].name, "big_buffer");
	KUNIT_EXPECT_EQ(test, dp->entry[1].size, 4096);
	KUNIT_EXPECT_TRUE(test, (__force unsigned int)dp->entry[1].gfp ==
			  (__force unsigned int)(GFP_KERNEL | __GFP_ZERO));
	KUNIT_EXPECT_NULL(test, dp->entry[0].buf);

	/* No entries at all is a valid, empty plane. */
	dp = dp_test_plane(test);
	KUNIT_EXPECT_EQ(test, dp_parse_params(dp, NULL, 0, NULL, 0, "kernel",
					      DP_DEFAULT_LIMIT), 0);
	KUNIT_EXPECT_EQ(test, dp->n, 0);
}

/* values=, as the articles write it, is sizes= under another name. */
static void dp_pick_sizes_values_alias(struct kunit *test)
{
	static const unsigned long sizes[] = { 1, 2 }, values[] = { 1024, 4096 };
	const unsigned long *got;
	unsigned int n = 99;

	got = dp_pick_sizes(sizes, 0, values, 2, &n);
	KUNIT_EXPECT_PTR_EQ(test, got, &values[0]);
	KUNIT_EXPECT_EQ(test, n, 2);
	got = dp_pick_sizes(sizes, 2, values, 0, &n);
	KUNIT_EXPECT_PTR_EQ(test, got, &sizes[0]);
	KUNIT_EXPECT_EQ(test, n, 2);
	got = dp_pick_sizes(sizes, 0, values, 0, &n);
	KUNIT_EXPECT_EQ(test, n, 0);
	n = 99;
	got = dp_pick_sizes(sizes, 1, values, 2, &n);
	KUNIT_EXPECT_EQ(test, PTR_ERR_OR_ZERO(got), -EINVAL);
	KUNIT_EXPECT_EQ(test, n, 99);
}

struct dp_bad_params {
	const char *desc;
	unsigned int n_names, n_sizes;
	const char *name1;	/* second name; the first is "buffer" */
	unsigned long size1;	/* second size; the first is 1024 */
	const char *gfp;
	unsigned long limit;
};

static const struct dp_bad_params dp_bad_params_cases[] = {
	{ "count mismatch", 2, 1, "big", 4096, "kernel", 8192 },
	{ "empty name", 2, 2, "", 4096, "kernel", 8192 },
	{ "duplicate name", 2, 2, "buffer", 4096, "kernel", 8192 },
	{ "name over 32 characters", 2, 2,
	  "a_name_of_thirty_three_characters", 4096, "kernel", 8192 },
	{ "name with a slash", 2, 2, "big/buffer", 4096, "kernel", 8192 },
	{ "name with a Latin-1 letter", 2, 2, "caf\xe9", 4096, "kernel", 8192 },
	{ "size 0", 2, 2, "big", 0, "kernel", 8192 },
	{ "size over the limit", 2, 2, "big", 8193, "kernel", 8192 },
	{ "too many entries", DP_MAX_ENTRIES + 1, DP_MAX_ENTRIES + 1, "big",
	  4096, "kernel", 8192 },
	{ "unknown gfp keyword", 2, 2, "big", 4096, "kernel,bogus", 8192 },
	{ "two gfp bases", 2, 2, "big", 4096, "kernel,atomic", 8192 },
	{ "empty gfp", 2, 2, "big", 4096, "", 8192 },
	{ "limit 0", 2, 2, "big", 4096, "kernel", 0 },
	{ "limit over KMALLOC_MAX_SIZE", 2, 2, "big", 4096, "kernel",
	  KMALLOC_MAX_SIZE + 1 },
};

KUNIT_ARRAY_PARAM_DESC(dp_bad_params, dp_bad_params_cases, desc);

static void dp_parse_params_rejects(struct kunit *test)
{
	const struct dp_bad_params *c = test->param_value;
	struct data_plane *dp = dp_test_plane(test);
	const char *names[DP_MAX_ENTRIES + 1];
	unsigned long sizes[DP_MAX_ENTRIES + 1];
	char extra[DP_MAX_ENTRIES + 1][8];
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(names); i++) {
		snprintf(extra[i], sizeof(extra[i]), "e%u", i);
		names[i] = extra[i];
		sizes[i] = 64;
	}
	names[0] = "buffer";
	sizes[0] = 1024;
	names[1] = c->name1;
	sizes[1] = c->size1;
	KUNIT_EXPECT_EQ(test, dp_parse_params(dp, names, c->n_names, sizes,
					      c->n_sizes, c->gfp, c->limit),
			-EINVAL);
	/* Nothing was filled in. */
	KUNIT_EXPECT_EQ(test, dp->n, 0);
	KUNIT_EXPECT_NULL(test, dp->entry[0].name);
	KUNIT_EXPECT_EQ(test, dp->limit, DP_DEFAULT_LIMIT);
}

static void dp_parse_gfp_forms(struct kunit *test)
{
	static const struct {
		const char *s;
		gfp_t gfp;
	} ok[] = {
		{ "kernel", GFP_KERNEL },
		{ "atomic", GFP_ATOMIC },
		{ "nowait", GFP_NOWAIT },
		{ "zero", GFP_KERNEL | __GFP_ZERO },
		{ "kernel,zero", GFP_KERNEL | __GFP_ZERO },
		{ "atomic|nowarn", GFP_ATOMIC | __GFP_NOWARN },
		{ "zero,account,nowait", GFP_NOWAIT | __GFP_ZERO | __GFP_ACCOUNT },
	};
	static const char * const bad[] = {
		"", ",", "kernel,", "Kernel", "highmem", "atomic,kernel",
		"zero zero", NULL,
	};
	unsigned int i;
	gfp_t gfp;

	for (i = 0; i < ARRAY_SIZE(ok); i++) {
		KUNIT_EXPECT_EQ_MSG(test, dp_parse_gfp(ok[i].s, &gfp), 0,
				    "'%s'", ok[i].s);
		KUNIT_EXPECT_EQ_MSG(test, (__force unsigned int)gfp,
				    (__force unsigned int)ok[i].gfp, "'%s'", ok[i].s);
	}
	for (i = 0; i < ARRAY_SIZE(bad); i++)
		KUNIT_EXPECT_EQ_MSG(test, dp_parse_gfp(bad[i], &gfp), -EINVAL,
				    "'%s'", bad[i] ? bad[i] : "(null)");
}

static void dp_parse_command_valid(struct kunit *test)
{
	struct dp_cmd cmd;

	KUNIT_ASSERT_EQ(test, dp_parse_command("add scratch 256\n", 16, &cmd), 0);
	KUNIT_EXPECT_EQ(test, cmd.op, DP_ADD);
	KUNIT_EXPECT_STREQ(test, cmd.name, "scratch");
	KUNIT_EXPECT_EQ(test, cmd.size, 256);
	KUNIT_EXPECT_TRUE(test, cmd.gfp == GFP_KERNEL);

	KUNIT_ASSERT_EQ(test, dp_parse_command("add s.2 0x20 atomic,zero", 24,
					       &cmd), 0);
	KUNIT_EXPECT_EQ(test, cmd.size, 32);
	KUNIT_EXPECT_TRUE(test, cmd.gfp == (GFP_ATOMIC | __GFP_ZERO));

	KUNIT_ASSERT_EQ(test, dp_parse_command("release scratch", 15, &cmd), 0);
	KUNIT_EXPECT_EQ(test, cmd.op, DP_RELEASE);
	KUNIT_EXPECT_STREQ(test, cmd.name, "scratch");
}

static const char * const dp_bad_commands[] = {
	"", "\n", "add", "add x", "add x 0", "add x -1", "add x 10abc",
	"add x 10 bogus", "add  x 10", "add x 10 ", " add x 10",
	"add x 10 kernel extra", "remove x", "release", "release x y",
	"ADD x 10", "add bad/name 10", "add x\n10",
	"add a_name_of_thirty_three_characters 1", "add caf\xe9 10",
};

static void dp_bad_command_desc(const char * const *c, char *desc)
{
	snprintf(desc, KUNIT_PARAM_DESC_SIZE, "'%s'", *c);
	strreplace(desc, '\n', '|');
}

KUNIT_ARRAY_PARAM(dp_bad_command, dp_bad_commands, dp_bad_command_desc);

static void dp_parse_command_rejects(struct kunit *test)
{
	const char * const *c = test->param_value;
	struct dp_cmd cmd;

	KUNIT_EXPECT_EQ(test, dp_parse_command(*c, strlen(*c), &cmd), -EINVAL);
}

static void dp_parse_command_bounds(struct kunit *test)
{
	char buf[DP_CMD_MAX + 1];
	struct dp_cmd cmd;

	/* Longer than DP_CMD_MAX, even if well formed. */
	memset(buf, ' ', sizeof(buf));
	memcpy(buf, "add x 10", 8);
	KUNIT_EXPECT_EQ(test, dp_parse_command(buf, sizeof(buf), &cmd), -EINVAL);
	/* An embedded NUL. */
	KUNIT_EXPECT_EQ(test, dp_parse_command("add x\0 10", 9, &cmd), -EINVAL);
}

static void dp_test_stop(void *data)
{
	struct data_plane *dp = data;

	if (!dp->tracker.dead)
		dp_stop(dp);
}

static struct data_plane *dp_test_running(struct kunit *test)
{
	static const char * const names[] = { "buffer", "big_buffer" };
	unsigned long sizes[] = { 1024, 4096 };
	struct data_plane *dp = dp_test_plane(test);

	KUNIT_ASSERT_EQ(test, dp_parse_params(dp, names, 2, sizes, 2,
					      "kernel", 8192), 0);
	KUNIT_ASSERT_EQ(test, dp_start(dp), 0);
	KUNIT_ASSERT_EQ(test, kunit_add_action_or_reset(test, dp_test_stop, dp),
			0);
	return dp;
}

static unsigned long dp_live(struct data_plane *dp)
{
	struct kalloc_track_stats st;

	kalloc_track_get_stats(&dp->tracker, &st);
	return st.live;
}

static void dp_execute_commands(struct kunit *test)
{
	struct data_plane *dp = dp_test_running(test);
	struct dp_cmd cmd;
	char line[32];
	unsigned int i;

	KUNIT_EXPECT_EQ(test, dp_live(dp), 2);
	KUNIT_ASSERT_EQ(test, dp_parse_command("add scratch 256", 15, &cmd), 0);
	KUNIT_EXPECT_EQ(test, dp_execute(dp, &cmd), 0);
	KUNIT_EXPECT_EQ(test, dp_live(dp), 3);
	KUNIT_EXPECT_EQ(test, dp->n, 3);

	/* A duplicate, an unknown name, a size over the limit: no change. */
	KUNIT_EXPECT_EQ(test, dp_execute(dp, &cmd), -EINVAL);
	KUNIT_ASSERT_EQ(test, dp_parse_command("release nosuch", 14, &cmd), 0);
	KUNIT_EXPECT_EQ(test, dp_execute(dp, &cmd), -EINVAL);
	KUNIT_ASSERT_EQ(test, dp_parse_command("add huge 8193", 13, &cmd), 0);
	KUNIT_EXPECT_EQ(test, dp_execute(dp, &cmd), -EINVAL);
	KUNIT_EXPECT_EQ(test, dp_live(dp), 3);
	KUNIT_EXPECT_EQ(test, dp->n, 3);

	KUNIT_ASSERT_EQ(test, dp_parse_command("release buffer", 14, &cmd), 0);
	KUNIT_EXPECT_EQ(test, dp_execute(dp, &cmd), 0);
	KUNIT_EXPECT_EQ(test, dp_live(dp), 2);
	KUNIT_EXPECT_NULL(test, dp_find(dp, "buffer"));

	/* Fill every slot, then one more. */
	for (i = dp->n; i < DP_MAX_ENTRIES; i++) {
		snprintf(line, sizeof(line), "add fill%u 8", i);
		KUNIT_ASSERT_EQ(test, dp_parse_command(line, strlen(line), &cmd), 0);
		KUNIT_ASSERT_EQ(test, dp_execute(dp, &cmd), 0);
	}
	KUNIT_ASSERT_EQ(test, dp_parse_command("add onemore 8", 13, &cmd), 0);
	KUNIT_EXPECT_EQ(test, dp_execute(dp, &cmd), -ENOSPC);
	KUNIT_EXPECT_EQ(test, dp_live(dp), DP_MAX_ENTRIES);

	KUNIT_EXPECT_EQ(test, dp_stop(dp), 0);
	for (i = 0; i < DP_MAX_ENTRIES; i++)
		KUNIT_EXPECT_NULL(test, dp->entry[i].buf);
}

/* Fail the allocation whose number is in test->priv, counting from 1. */
static void *dp_failing_alloc(struct data_plane *dp, struct dp_entry *e)
{
	unsigned int *left = kunit_get_current_test()->priv;

	if (!--*left)
		return NULL;
	return kalloc_track_add(&dp->tracker, e->name, e->size, e->gfp);
}

static void dp_start_rolls_back(struct kunit *test)
{
	static const char * const names[] = { "a", "b", "c", "d" };
	unsigned long sizes[] = { 16, 32, 64, 128 };
	struct kalloc_track_stats st;
	struct data_plane *dp;
	unsigned int fail_at, i;

	for (fail_at = 1; fail_at <= 4; fail_at++) {
		unsigned int left = fail_at;

		dp = dp_test_plane(test);
		KUNIT_ASSERT_EQ(test, dp_parse_params(dp, names, 4, sizes, 4,
						      "kernel", 1024), 0);
		test->priv = &left;
		kunit_activate_static_stub(test, dp_alloc, dp_failing_alloc);
		KUNIT_EXPECT_EQ(test, dp_start(dp), -ENOMEM);
		kunit_deactivate_static_stub(test, dp_alloc);

		kalloc_track_get_stats(&dp->tracker, &st);
		KUNIT_EXPECT_EQ_MSG(test, st.adds, fail_at - 1, "fail at %u", fail_at);
		KUNIT_EXPECT_EQ(test, st.releases, st.adds);
		KUNIT_EXPECT_EQ(test, st.live, 0);
		KUNIT_EXPECT_EQ(test, st.leaks, 0);
		KUNIT_EXPECT_TRUE(test, dp->tracker.dead);
		for (i = 0; i < 4; i++)
			KUNIT_EXPECT_NULL(test, dp->entry[i].buf);
	}
}

static void dp_execute_add_fails_cleanly(struct kunit *test)
{
	struct data_plane *dp = dp_test_running(test);
	unsigned int left = 1;
	struct dp_cmd cmd;

	KUNIT_ASSERT_EQ(test, dp_parse_command("add scratch 64", 14, &cmd), 0);
	test->priv = &left;
	kunit_activate_static_stub(test, dp_alloc, dp_failing_alloc);
	KUNIT_EXPECT_EQ(test, dp_execute(dp, &cmd), -ENOMEM);
	kunit_deactivate_static_stub(test, dp_alloc);
	KUNIT_EXPECT_NULL(test, dp_find(dp, "scratch"));
	KUNIT_EXPECT_EQ(test, dp->n, 2);
	KUNIT_EXPECT_EQ(test, dp_live(dp), 2);
	/* The slot is free again. */
	KUNIT_EXPECT_EQ(test, dp_execute(dp, &cmd), 0);
	KUNIT_EXPECT_EQ(test, dp_live(dp), 3);
}

/*
 * A name given to the tracker must outlive the buffer: after "scratch"
 * is released and its slot reused by another name, the tracker's record
 * of that release still says "scratch".
 */
static void dp_names_outlive_their_buffers(struct kunit *test)
{
	struct data_plane *dp = dp_test_running(test);
	const char *given;
	struct dp_cmd cmd;

	KUNIT_ASSERT_EQ(test, dp_parse_command("add scratch 64", 14, &cmd), 0);
	KUNIT_ASSERT_EQ(test, dp_execute(dp, &cmd), 0);
	/* The string the tracker was given, and keeps in its history. */
	given = dp_find(dp, "scratch")->name;
	KUNIT_ASSERT_EQ(test, dp_parse_command("release scratch", 15, &cmd), 0);
	KUNIT_ASSERT_EQ(test, dp_execute(dp, &cmd), 0);
	KUNIT_ASSERT_EQ(test, dp_parse_command("add other 64", 12, &cmd), 0);
	KUNIT_ASSERT_EQ(test, dp_execute(dp, &cmd), 0);

	KUNIT_EXPECT_STREQ(test, given, "scratch");
	KUNIT_EXPECT_STREQ(test, dp_find(dp, "other")->name, "other");

	/* A name used before is kept once, not twice. */
	KUNIT_ASSERT_EQ(test, dp_parse_command("add scratch 64", 14, &cmd), 0);
	KUNIT_ASSERT_EQ(test, dp_execute(dp, &cmd), 0);
	KUNIT_EXPECT_EQ(test, dp->n_names, 4);
}

/* A release the tracker refuses is reported, and the entry stays. */
static void dp_release_failure_keeps_entry(struct kunit *test)
{
	struct data_plane *dp = dp_test_running(test);
	struct dp_entry *e = dp_find(dp, "buffer");
	char not_tracked[8];
	struct dp_cmd cmd;
	void *real;

	KUNIT_ASSERT_NOT_NULL(test, e);
	real = e->buf;
	e->buf = not_tracked;
	KUNIT_ASSERT_EQ(test, dp_parse_command("release buffer", 14, &cmd), 0);
	KUNIT_EXPECT_EQ(test, dp_execute(dp, &cmd), -ENOENT);
	KUNIT_EXPECT_PTR_EQ(test, dp_find(dp, "buffer"), e);
	KUNIT_EXPECT_EQ(test, dp->n, 2);
	KUNIT_EXPECT_EQ(test, dp_live(dp), 2);
	e->buf = real;
	KUNIT_EXPECT_EQ(test, dp_execute(dp, &cmd), 0);
	KUNIT_EXPECT_EQ(test, dp_live(dp), 1);
}

/*
 * The control file's write path with writes of 0, 1, 127, 128 and 129
 * bytes, none of them NUL-terminated, from a user page whose other bytes
 * are not NUL either: nothing past the write may be read (KASAN sees a
 * read past the handler's buffer).
 */
static void dp_control_write_lengths(struct kunit *test)
{
	static const size_t lens[] = { 0, 1, 127, 128, 129 };
	struct data_plane *dp = dp_test_running(test);
	char cmd[DP_CMD_MAX + 2];
	unsigned long ubuf;
	unsigned int i;
	ssize_t ret;
	size_t len;

	ubuf = kunit_vm_mmap(test, NULL, 0, PAGE_SIZE, PROT_READ | PROT_WRITE,
			     MAP_ANONYMOUS | MAP_PRIVATE, 0);
	KUNIT_ASSERT_NE(test, ubuf, 0);
	for (i = 0; i < ARRAY_SIZE(lens); i++) {
		len = lens[i];
		/*
		 * "add wN 0...07": a valid add of 7 bytes padded with zeros
		 * to exactly @len bytes; 1 byte is just "a", and 129 bytes
		 * is one byte too many.
		 */
		memset(cmd, 'Z', sizeof(cmd));
		if (len >= 8) {
			snprintf(cmd, sizeof(cmd), "add w%u ", i);
			memset(cmd + strlen(cmd), '0', len - strlen(cmd) - 1);
			cmd[len - 1] = '7';
		} else if (len) {
			cmd[0] = 'a';
		}
		KUNIT_ASSERT_EQ(test, copy_to_user((void __user *)ubuf, cmd,
						   sizeof(cmd)), 0);
		ret = dp_control_write(dp, (const char __user *)ubuf, len);
		if (len >= 8 && len <= DP_CMD_MAX) {
			KUNIT_EXPECT_EQ_MSG(test, ret, (ssize_t)len, "len %zu", len);
			snprintf(cmd, sizeof(cmd), "w%u", i);
			KUNIT_EXPECT_NOT_NULL_MSG(test, dp_find(dp, cmd),
						  "len %zu", len);
		} else {
			KUNIT_EXPECT_EQ_MSG(test, ret, (ssize_t)-EINVAL,
					    "len %zu", len);
		}
	}
	KUNIT_EXPECT_EQ(test, dp->n, 4);
}

static struct kunit_case kalloc_track_sample_cases[] = {
	KUNIT_CASE(dp_parse_params_valid),
	KUNIT_CASE(dp_pick_sizes_values_alias),
	KUNIT_CASE_PARAM(dp_parse_params_rejects, dp_bad_params_gen_params),
	KUNIT_CASE(dp_parse_gfp_forms),
	KUNIT_CASE(dp_parse_command_valid),
	KUNIT_CASE_PARAM(dp_parse_command_rejects, dp_bad_command_gen_params),
	KUNIT_CASE(dp_parse_command_bounds),
	KUNIT_CASE(dp_execute_commands),
	KUNIT_CASE(dp_start_rolls_back),
	KUNIT_CASE(dp_execute_add_fails_cleanly),
	KUNIT_CASE(dp_names_outlive_their_buffers),
	KUNIT_CASE(dp_release_failure_keeps_entry),
	KUNIT_CASE(dp_control_write_lengths),
	{}
};

static struct kunit_suite kalloc_track_sample_suite = {
	.name = "kalloc_track_sample",
	.test_cases = kalloc_track_sample_cases,
};

kunit_test_suite(kalloc_track_sample_suite);

MODULE_DESCRIPTION("KUnit tests of the kalloc_track data-plane sample");
MODULE_LICENSE("GPL");
