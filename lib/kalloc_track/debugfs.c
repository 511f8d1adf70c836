// SPDX-License-Identifier: GPL-2.0
/*
 * kalloc_track debugfs: /sys/kernel/debug/kalloc_track/<owner>/ holds
 * "allocations" (the live table) and "stats" (counters and limits).
 *
 * Trackers may be set up in any context, so their directories are
 * created by a work item. A tracker's directory is removed by
 * kalloc_track_destroy() before anything else is torn down; debugfs
 * waits for reads in flight, and later reads of a file still open fail
 * with -EIO, so an open file never outlives its tracker's data.
 */

#include <kunit/visibility.h>
#include <linux/debugfs.h>
#include <linux/mutex.h>
#include <linux/seq_file.h>
#include <linux/string.h>
#include <linux/workqueue.h>

#include "internal.h"

/* The longest directory name: the owner, and a suffix if taken. */
#define KT_DIR_NAME_LEN		(KALLOC_TRACK_NAME_MAX + 8)
/* Trackers sharing one owner name: "owner", "owner-1", ... */
#define KT_DIR_MAX_DUPS		1000

/*
 * Serialises the creation and removal of tracker directories, and so
 * keeps a tracker found by the work item alive until its directory is
 * made: kalloc_track_destroy() takes it before tearing anything down.
 */
static DEFINE_MUTEX(kt_debugfs_mutex);
static struct dentry *kt_debugfs_root;

static int kt_allocations_show(struct seq_file *m, void *v)
{
	kt_show_allocations(m, m->private);
	return 0;
}
DEFINE_SHOW_ATTRIBUTE(kt_allocations);

static int kt_stats_show(struct seq_file *m, void *v)
{
	kt_show_stats(m, m->private);
	return 0;
}
DEFINE_SHOW_ATTRIBUTE(kt_stats);

static struct dentry *kt_debugfs_mkdir(const char *owner)
{
	char name[KT_DIR_NAME_LEN];
	struct dentry *d;
	unsigned int i;

	lockdep_assert_held(&kt_debugfs_mutex);
	for (i = 0; i < KT_DIR_MAX_DUPS; i++) {
		if (i)
			snprintf(name, sizeof(name), "%s-%u", owner, i);
		else
			strscpy(name, owner, sizeof(name));
		strreplace(name, '/', '_');
		d = debugfs_lookup(name, kt_debugfs_root);
		if (d) {
			dput(d);
			continue;
		}
		return debugfs_create_dir(name, kt_debugfs_root);
	}
	return ERR_PTR(-EEXIST);
}

static void kt_debugfs_work_fn(struct work_struct *work)
{
	struct kalloc_track *t;
	struct dentry *dir;

	mutex_lock(&kt_debugfs_mutex);
	if (!kt_debugfs_root)
		kt_debugfs_root = debugfs_create_dir("kalloc_track", NULL);
	while ((t = kt_next_debugfs_pending())) {
		dir = kt_debugfs_mkdir(t->owner);
		if (IS_ERR(dir)) {
			pr_warn("kalloc_track: %s: no debugfs directory (%pe)\n",
				t->owner, dir);
			continue;
		}
		debugfs_create_file("allocations", 0400, dir, t,
				    &kt_allocations_fops);
		debugfs_create_file("stats", 0400, dir, t, &kt_stats_fops);
		t->debugfs = dir;
	}
	mutex_unlock(&kt_debugfs_mutex);
}

static DECLARE_WORK(kt_debugfs_work, kt_debugfs_work_fn);

/* Called with kt_trackers_lock held, from any context. */
void kt_debugfs_add(struct kalloc_track *t)
{
	if (!IS_ENABLED(CONFIG_DEBUG_FS))
		return;
	t->debugfs_pending = true;
	queue_work(system_dfl_wq, &kt_debugfs_work);
}

/* Called once @t is off the list of trackers; may sleep. */
void kt_debugfs_remove(struct kalloc_track *t)
{
	if (!IS_ENABLED(CONFIG_DEBUG_FS))
		return;
	mutex_lock(&kt_debugfs_mutex);
	debugfs_remove(t->debugfs);
	t->debugfs = NULL;
	mutex_unlock(&kt_debugfs_mutex);
}

#if IS_ENABLED(CONFIG_KUNIT)
/* Let a test see the directories of the trackers it just set up. */
void kt_debugfs_flush(void)
{
	flush_work(&kt_debugfs_work);
}
EXPORT_SYMBOL_IF_KUNIT(kt_debugfs_flush);
#endif
