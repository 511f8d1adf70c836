// SPDX-License-Identifier: GPL-2.0
/*
 * Parameter and command parsing, and buffer management, of the
 * kmalloc_data_plane sample. Every input is checked in full before
 * anything is allocated, and every failure leaves nothing behind.
 */

#include <kunit/static_stub.h>
#include <linux/ctype.h>
#include <linux/kalloc_track.h>
#include <linux/kernel.h>
#include <linux/kstrtox.h>
#include <linux/printk.h>
#include <linux/string.h>
#include <linux/uaccess.h>

#include "data_plane.h"

#define DP_OWNER	"kmalloc_data_plane"

void dp_init(struct data_plane *dp)
{
	memset(dp, 0, sizeof(*dp));
	mutex_init(&dp->lock);
	dp->limit = DP_DEFAULT_LIMIT;
}

static const struct {
	const char *word;
	gfp_t flags;
	bool base;
} dp_gfp_words[] = {
	{ "kernel", GFP_KERNEL, true },
	{ "atomic", GFP_ATOMIC, true },
	{ "nowait", GFP_NOWAIT, true },
	{ "zero", __GFP_ZERO, false },
	{ "nowarn", __GFP_NOWARN, false },
	{ "account", __GFP_ACCOUNT, false },
};

/**
 * dp_parse_gfp() - parse a GFP keyword list such as "kernel,zero"
 * @s: keywords separated by ',' or '|'; at most one of kernel, atomic
 *	and nowait (kernel if none), any of zero, nowarn and account
 * @gfp: the flags
 *
 * Return: 0, or -EINVAL for an empty, unknown or repeated base keyword.
 */
int dp_parse_gfp(const char *s, gfp_t *gfp)
{
	char buf[DP_CMD_MAX], *p = buf, *word;
	bool have_base = false;
	gfp_t flags = 0;
	unsigned int i;

	if (!s || strscpy(buf, s, sizeof(buf)) <= 0)
		return -EINVAL;
	while ((word = strsep(&p, ",|"))) {
		for (i = 0; i < ARRAY_SIZE(dp_gfp_words); i++)
			if (!strcmp(word, dp_gfp_words[i].word))
				break;
		if (i == ARRAY_SIZE(dp_gfp_words))
			return -EINVAL;
		if (dp_gfp_words[i].base) {
			if (have_base)
				return -EINVAL;
			have_base = true;
		}
		flags |= dp_gfp_words[i].flags;
	}
	*gfp = have_base ? flags : flags | GFP_KERNEL;
	return 0;
}

/*
 * Names are 1 to DP_NAME_MAX of [A-Za-z0-9_.-]. ASCII only: the kernel's
 * isalnum() also takes the Latin-1 letters 0xc0-0xff, which would put
 * bytes that are not UTF-8 into the log and the debugfs table.
 */
static bool dp_name_ok(const char *name)
{
	size_t len = strnlen(name, DP_NAME_MAX + 1);
	size_t i;

	if (!len || len > DP_NAME_MAX)
		return false;
	for (i = 0; i < len; i++)
		if (!isascii(name[i]) ||
		    (!isalnum(name[i]) && !strchr("_.-", name[i])))
			return false;
	return true;
}

static struct dp_entry *dp_find(struct data_plane *dp, const char *name)
{
	unsigned int i;

	for (i = 0; i < DP_MAX_ENTRIES; i++)
		if (dp->entry[i].name && !strcmp(dp->entry[i].name, name))
			return &dp->entry[i];
	return NULL;
}

static struct dp_entry *dp_free_slot(struct data_plane *dp)
{
	unsigned int i;

	for (i = 0; i < DP_MAX_ENTRIES; i++)
		if (!dp->entry[i].name)
			return &dp->entry[i];
	return NULL;
}

/*
 * A copy of @name that lives as long as the plane, for the tracker: the
 * one kept already if this name was used before, else a new one. NULL
 * when DP_MAX_NAMES distinct names have been used.
 */
static const char *dp_keep_name(struct data_plane *dp, const char *name)
{
	unsigned int i;

	for (i = 0; i < dp->n_names; i++)
		if (!strcmp(dp->names[i], name))
			return dp->names[i];
	if (dp->n_names == DP_MAX_NAMES)
		return NULL;
	strscpy(dp->names[dp->n_names], name, sizeof(dp->names[0]));
	return dp->names[dp->n_names++];
}

/**
 * dp_pick_sizes() - the sizes given as sizes= or, as the articles write
 *	it, values=
 * @sizes: the sizes= parameter
 * @n_sizes: number of @sizes
 * @values: the values= parameter
 * @n_values: number of @values
 * @n: where to store the number of sizes
 *
 * Return: the sizes given (@sizes when neither is), or an ERR_PTR of
 * -EINVAL after one log line when both are.
 */
const unsigned long *dp_pick_sizes(const unsigned long *sizes,
				   unsigned int n_sizes,
				   const unsigned long *values,
				   unsigned int n_values, unsigned int *n)
{
	if (n_sizes && n_values) {
		pr_err(DP_OWNER ": sizes= and values= both given; they are the same parameter, give one\n");
		return ERR_PTR(-EINVAL);
	}
	*n = n_values ? n_values : n_sizes;
	return n_values ? values : sizes;
}

/**
 * dp_parse_params() - check the module parameters and fill the entries
 * @dp: the data plane, after dp_init()
 * @names: buffer names
 * @n_names: number of @names
 * @sizes: buffer sizes in bytes, one per name
 * @n_sizes: number of @sizes
 * @gfp: GFP keyword list for every buffer, see dp_parse_gfp()
 * @limit: largest buffer in bytes, 1 to KMALLOC_MAX_SIZE
 *
 * Checks every entry before filling any, and allocates nothing.
 *
 * Return: 0, or -EINVAL after one log line naming the bad entry.
 */
int dp_parse_params(struct data_plane *dp, const char * const *names,
		    unsigned int n_names, const unsigned long *sizes,
		    unsigned int n_sizes, const char *gfp,
		    unsigned long limit)
{
	unsigned int i, j;
	gfp_t flags;

	if (!limit || limit > KMALLOC_MAX_SIZE) {
		pr_err(DP_OWNER ": limit=%lu out of range 1..%lu\n", limit,
		       (unsigned long)KMALLOC_MAX_SIZE);
		return -EINVAL;
	}
	if (n_names != n_sizes) {
		pr_err(DP_OWNER ": %u names but %u sizes\n", n_names, n_sizes);
		return -EINVAL;
	}
	if (n_names > DP_MAX_ENTRIES) {
		pr_err(DP_OWNER ": %u entries, at most %u\n", n_names,
		       DP_MAX_ENTRIES);
		return -EINVAL;
	}
	if (dp_parse_gfp(gfp, &flags)) {
		pr_err(DP_OWNER ": gfp='%s': unknown or conflicting keyword\n",
		       gfp ? gfp : "");
		return -EINVAL;
	}
	for (i = 0; i < n_names; i++) {
		if (!dp_name_ok(names[i])) {
			pr_err(DP_OWNER ": entry %u ('%.*s'): name must be 1 to %u of [A-Za-z0-9_.-]\n",
			       i, DP_NAME_MAX, names[i], DP_NAME_MAX);
			return -EINVAL;
		}
		for (j = 0; j < i; j++) {
			if (!strcmp(names[i], names[j])) {
				pr_err(DP_OWNER ": entry %u ('%s'): duplicate name\n",
				       i, names[i]);
				return -EINVAL;
			}
		}
		if (!sizes[i] || sizes[i] > limit) {
			pr_err(DP_OWNER ": entry %u ('%s'): size %lu out of range 1..%lu\n",
			       i, names[i], sizes[i], limit);
			return -EINVAL;
		}
	}

	dp->limit = limit;
	dp->n = n_names;
	for (i = 0; i < n_names; i++) {
		/* At most DP_MAX_ENTRIES distinct names: always kept. */
		dp->entry[i].name = dp_keep_name(dp, names[i]);
		dp->entry[i].size = sizes[i];
		dp->entry[i].gfp = flags;
	}
	return 0;
}

/* The one allocation point, so that a test can make it fail. */
void *dp_alloc(struct data_plane *dp, struct dp_entry *e)
{
	KUNIT_STATIC_STUB_REDIRECT(dp_alloc, dp, e);
	return kalloc_track_add(&dp->tracker, e->name, e->size, e->gfp);
}

/* Release @e's buffer; on failure the entry is left as it was. */
static int dp_release(struct data_plane *dp, struct dp_entry *e)
{
	int ret = kalloc_track_release(&dp->tracker, &e->buf);

	if (ret < 0)
		pr_err(DP_OWNER ": release of '%s' failed: %d\n", e->name, ret);
	return ret < 0 ? ret : 0;
}

/* Release every buffer. Return: the number of releases that failed. */
static unsigned int dp_release_all(struct data_plane *dp)
{
	unsigned int i, failed = 0;

	for (i = 0; i < DP_MAX_ENTRIES; i++)
		if (dp->entry[i].buf && dp_release(dp, &dp->entry[i]))
			failed++;
	return failed;
}

/**
 * dp_start() - allocate every entry's buffer
 * @dp: the data plane, after dp_parse_params()
 *
 * Return: 0, or -ENOMEM after releasing whatever was allocated.
 */
int dp_start(struct data_plane *dp)
{
	unsigned int i;
	int ret;

	ret = kalloc_track_init(&dp->tracker, DP_OWNER);
	if (ret)
		return ret;
	kalloc_track_set_limits(&dp->tracker, dp->limit, 0);
	for (i = 0; i < dp->n; i++) {
		dp->entry[i].buf = dp_alloc(dp, &dp->entry[i]);
		if (!dp->entry[i].buf) {
			pr_err(DP_OWNER ": entry %u ('%s'): allocation of %zu bytes failed, rolling back\n",
			       i, dp->entry[i].name, dp->entry[i].size);
			dp_release_all(dp);
			kalloc_track_destroy(&dp->tracker);
			return -ENOMEM;
		}
	}
	return 0;
}

/**
 * dp_stop() - release every buffer and report the final accounting
 * @dp: the data plane
 *
 * Return: the leaks kalloc_track found, 0 when all is well.
 */
unsigned int dp_stop(struct data_plane *dp)
{
	struct kalloc_track_stats st;
	unsigned int leaks;

	mutex_lock(&dp->lock);
	if (dp_release_all(dp))
		pr_err(DP_OWNER ": some buffers could not be released\n");
	kalloc_track_get_stats(&dp->tracker, &st);
	leaks = kalloc_track_destroy(&dp->tracker);
	mutex_unlock(&dp->lock);
	pr_info(DP_OWNER ": stopped: live %lu (%zu bytes), adds %llu, releases %llu, peak %zu bytes, leaks %u\n",
		st.live, st.live_bytes, st.adds, st.releases, st.peak_bytes,
		leaks);
	return leaks;
}

/**
 * dp_parse_command() - parse one control command
 * @buf: "add NAME SIZE [GFP]" or "release NAME", single spaces, an
 *	optional trailing newline
 * @len: bytes in @buf, at most DP_CMD_MAX
 * @cmd: the command
 *
 * Return: 0, or -EINVAL for anything else.
 */
int dp_parse_command(const char *buf, size_t len, struct dp_cmd *cmd)
{
	char line[DP_CMD_MAX + 1], *p = line, *tok[4];
	unsigned long size;
	unsigned int n = 0, i;

	if (!len || len > DP_CMD_MAX || memchr(buf, '\0', len))
		return -EINVAL;
	memcpy(line, buf, len);
	line[len] = '\0';
	if (line[len - 1] == '\n')
		line[len - 1] = '\0';
	while (p) {
		if (n == ARRAY_SIZE(tok))
			return -EINVAL;		/* too many words */
		tok[n++] = strsep(&p, " ");
	}
	for (i = 0; i < n; i++)
		if (!*tok[i])
			return -EINVAL;		/* a stray space */
	if (n < 2 || !dp_name_ok(tok[1]))
		return -EINVAL;
	memset(cmd, 0, sizeof(*cmd));
	strscpy(cmd->name, tok[1], sizeof(cmd->name));

	if (!strcmp(tok[0], "release") && n == 2) {
		cmd->op = DP_RELEASE;
		return 0;
	}
	if (strcmp(tok[0], "add") || n < 3)
		return -EINVAL;
	if (kstrtoul(tok[2], 0, &size) || !size)
		return -EINVAL;
	cmd->op = DP_ADD;
	cmd->size = size;
	cmd->gfp = GFP_KERNEL;
	if (n == 4 && dp_parse_gfp(tok[3], &cmd->gfp))
		return -EINVAL;
	return 0;
}

/**
 * dp_execute() - carry out a parsed command
 * @dp: the running data plane
 * @cmd: the command
 *
 * Return: 0; -EINVAL for an unknown name on release, a name taken on
 * add or a size over the limit; -ENOSPC when every slot is taken or
 * DP_MAX_NAMES names were used; -ENOMEM when the allocation fails; the
 * tracker's error when a release fails. On error nothing changes.
 */
int dp_execute(struct data_plane *dp, const struct dp_cmd *cmd)
{
	struct dp_entry *e;
	int ret = 0;

	mutex_lock(&dp->lock);
	e = dp_find(dp, cmd->name);
	if (cmd->op == DP_RELEASE) {
		if (!e) {
			ret = -EINVAL;
			goto out;
		}
		ret = dp_release(dp, e);
		if (ret)
			goto out;
		/* The name itself stays in dp->names for the tracker. */
		memset(e, 0, sizeof(*e));
		dp->n--;
		goto out;
	}
	if (e || cmd->size > dp->limit) {
		ret = -EINVAL;
		goto out;
	}
	e = dp_free_slot(dp);
	if (!e) {
		ret = -ENOSPC;
		goto out;
	}
	e->name = dp_keep_name(dp, cmd->name);
	if (!e->name) {
		ret = -ENOSPC;
		goto out;
	}
	e->size = cmd->size;
	e->gfp = cmd->gfp;
	e->buf = dp_alloc(dp, e);
	if (!e->buf) {
		memset(e, 0, sizeof(*e));
		ret = -ENOMEM;
		goto out;
	}
	dp->n++;
out:
	mutex_unlock(&dp->lock);
	return ret;
}

/**
 * dp_control_write() - the write handler of the control file
 * @dp: the running data plane
 * @ubuf: the command, from user space, not NUL-terminated
 * @len: its length
 *
 * The command is copied into a buffer one byte longer than the longest
 * command and terminated there, so that nothing past what user space
 * wrote is ever read or printed.
 *
 * Return: @len, or the error of dp_parse_command() or dp_execute(), or
 * -EFAULT.
 */
ssize_t dp_control_write(struct data_plane *dp, const char __user *ubuf,
			 size_t len)
{
	char buf[DP_CMD_MAX + 1];
	struct dp_cmd cmd;
	int ret;

	if (!len || len > DP_CMD_MAX) {
		pr_err(DP_OWNER ": control: a command is 1 to %u bytes, not %zu\n",
		       DP_CMD_MAX, len);
		return -EINVAL;
	}
	if (copy_from_user(buf, ubuf, len))
		return -EFAULT;
	buf[len] = '\0';
	ret = dp_parse_command(buf, len, &cmd);
	if (ret) {
		pr_err(DP_OWNER ": control: cannot parse '%*pE'\n",
		       (int)strcspn(buf, "\n"), buf);
		return ret;
	}
	ret = dp_execute(dp, &cmd);
	if (ret) {
		pr_err(DP_OWNER ": control: %s '%s' failed: %d\n",
		       cmd.op == DP_ADD ? "add" : "release", cmd.name, ret);
		return ret;
	}
	pr_info(DP_OWNER ": control: %s '%s' done\n",
		cmd.op == DP_ADD ? "add" : "release", cmd.name);
	return len;
}
