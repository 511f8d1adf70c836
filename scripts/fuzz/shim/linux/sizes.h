/* SPDX-License-Identifier: GPL-2.0 */
#define SZ_1M	0x00100000
