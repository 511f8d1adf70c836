/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Host shim: messages are dropped (the kernel's %pE has no host twin),
 * but their arguments are still evaluated, as the kernel would.
 */
#ifndef SHIM_LINUX_PRINTK_H
#define SHIM_LINUX_PRINTK_H
static inline void shim_printk(const char *fmt, ...)
{
	(void)fmt;
}

#define pr_err(...)	shim_printk(__VA_ARGS__)
#define pr_info(...)	shim_printk(__VA_ARGS__)
#endif
