// SPDX-License-Identifier: GPL-2.0
/*
 * libFuzzer target for the plan compiler (scripts/kalloc_track/): every
 * input goes through the whole pipeline and every backend. Built with
 * ASan and UBSan by scripts/fuzz.sh; any crash, leak, hang or undefined
 * behaviour is a finding. ktplan.c is compiled with KTPLAN_FUZZ, which
 * leaves its main() out.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../kalloc_track/ktplan.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static FILE *null;
	struct source src;
	int kind;

	if (!null)
		null = fopen("/dev/null", "w");
	if (!null)
		abort();
	source_init(&src, "fuzz.ktplan", (const char *)data, size);
	for (kind = EMIT_HEADER; kind <= EMIT_IR; kind++)
		ktplan_compile(&src, kind, NULL, KTPLAN_KMALLOC_MAX, 0, null,
			       null);
	free(src.line_start);
	return 0;
}
