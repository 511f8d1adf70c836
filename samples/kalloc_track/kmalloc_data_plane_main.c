// SPDX-License-Identifier: GPL-2.0
/*
 * kmalloc_data_plane - a sample user of kalloc_track
 *
 * The control plane is the module's parameters and a debugfs control
 * file; the data plane is a set of named buffers, each allocated through
 * one kalloc_track tracker:
 *
 *   insmod kmalloc_data_plane.ko names="buffer,big_buffer" values=1024,4096
 *   echo "add scratch 256 kernel,zero" > /sys/kernel/debug/kmalloc_data_plane/control
 *   echo "release scratch" > /sys/kernel/debug/kmalloc_data_plane/control
 *   cat /sys/kernel/debug/kalloc_track/kmalloc_data_plane/allocations
 *   rmmod kmalloc_data_plane
 *
 * Every parameter is checked before anything is allocated; a failed
 * allocation rolls back what was allocated. On unload every buffer is
 * released through the tracker, which sets each pointer to NULL, and the
 * final accounting is printed.
 */

#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/debugfs.h>
#include <linux/module.h>
#include <linux/moduleparam.h>
#include <linux/slab.h>

#include "data_plane.h"

static char *names[DP_MAX_ENTRIES];
static unsigned int n_names;
module_param_array(names, charp, &n_names, 0444);
MODULE_PARM_DESC(names, "Comma-separated buffer names, [A-Za-z0-9_.-], at most 16");

static unsigned long sizes[DP_MAX_ENTRIES];
static unsigned int n_sizes;
module_param_array(sizes, ulong, &n_sizes, 0444);
MODULE_PARM_DESC(sizes, "Comma-separated buffer sizes in bytes, one per name (or values=)");

static unsigned long values[DP_MAX_ENTRIES];
static unsigned int n_values;
module_param_array(values, ulong, &n_values, 0444);
MODULE_PARM_DESC(values, "The same as sizes=, as the articles write it; give one of the two");

static char *gfp = "kernel";
module_param(gfp, charp, 0444);
MODULE_PARM_DESC(gfp, "GFP keywords for the buffers: kernel|atomic|nowait, plus zero, nowarn, account (default: kernel)");

static unsigned long limit = DP_DEFAULT_LIMIT;
module_param(limit, ulong, 0444);
MODULE_PARM_DESC(limit, "Largest buffer in bytes (default: 1 MiB)");

static struct data_plane *plane;
static struct dentry *dp_dir;

static ssize_t dp_control_file_write(struct file *file,
				     const char __user *ubuf, size_t len,
				     loff_t *ppos)
{
	return dp_control_write(plane, ubuf, len);
}

static const struct file_operations dp_control_fops = {
	.owner = THIS_MODULE,
	.open = simple_open,
	.write = dp_control_file_write,
	.llseek = noop_llseek,
};

static int __init dp_module_init(void)
{
	const unsigned long *given;
	unsigned int n_given;
	int ret;

	given = dp_pick_sizes(sizes, n_sizes, values, n_values, &n_given);
	if (IS_ERR(given))
		return PTR_ERR(given);
	plane = kzalloc_obj(*plane, GFP_KERNEL);
	if (!plane)
		return -ENOMEM;
	dp_init(plane);
	ret = dp_parse_params(plane, (const char * const *)names, n_names,
			      given, n_given, gfp, limit);
	if (ret)
		goto free;
	ret = dp_start(plane);
	if (ret)
		goto free;
	dp_dir = debugfs_create_dir(KBUILD_MODNAME, NULL);
	debugfs_create_file("control", 0200, dp_dir, NULL, &dp_control_fops);
	pr_info("loaded %u buffer(s)\n", plane->n);
	return 0;

free:
	kfree(plane);
	return ret;
}

static void __exit dp_module_exit(void)
{
	debugfs_remove(dp_dir);
	if (dp_stop(plane))
		pr_err("leaks found at unload\n");
	kfree(plane);
}

module_init(dp_module_init);
module_exit(dp_module_exit);

MODULE_DESCRIPTION("Sample data plane of named buffers tracked by kalloc_track");
MODULE_LICENSE("GPL");
