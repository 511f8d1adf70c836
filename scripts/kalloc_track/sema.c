// SPDX-License-Identifier: GPL-2.0
/*
 * ktplan semantic analysis and IR: names resolved and checked for
 * uniqueness, sizes evaluated with overflow checks, GFP names turned
 * into flags; then the verification passes over the IR, each its own
 * function: sizes, limits and budget, GFP flags.
 */
#include <stdlib.h>
#include <string.h>

#include "ktplan.h"

/* Longest entry name: KALLOC_TRACK_NAME_MAX in include/linux/kalloc_track.h. */
#define NAME_MAX_LEN	64

static const struct gfp_name {
	const char *name;
	u64 bits;
	bool base;		/* a GFP_* type, not a modifier */
} gfp_names[] = {
	{ "GFP_KERNEL", GFPB_RECLAIM | GFPB_IO | GFPB_FS, true },
	{ "GFP_KERNEL_ACCOUNT", GFPB_RECLAIM | GFPB_IO | GFPB_FS | GFPB_ACCOUNT, true },
	{ "GFP_ATOMIC", GFPB_HIGH | GFPB_KSWAPD_RECLAIM, true },
	{ "GFP_NOWAIT", GFPB_KSWAPD_RECLAIM | GFPB_NOWARN, true },
	{ "GFP_NOIO", GFPB_RECLAIM, true },
	{ "GFP_NOFS", GFPB_RECLAIM | GFPB_IO, true },
	{ "GFP_USER", GFPB_RECLAIM | GFPB_IO | GFPB_FS | GFPB_HARDWALL, true },
	{ "GFP_DMA", GFPB_DMA, false },
	{ "GFP_DMA32", GFPB_DMA32, false },
	{ "GFP_HIGHUSER", GFPB_RECLAIM | GFPB_IO | GFPB_FS | GFPB_HARDWALL |
			  GFPB_HIGHMEM, true },
	{ "__GFP_DMA", GFPB_DMA, false },
	{ "__GFP_DMA32", GFPB_DMA32, false },
	{ "__GFP_HIGHMEM", GFPB_HIGHMEM, false },
	{ "__GFP_RECLAIMABLE", GFPB_RECLAIMABLE, false },
	{ "__GFP_HIGH", GFPB_HIGH, false },
	{ "__GFP_IO", GFPB_IO, false },
	{ "__GFP_FS", GFPB_FS, false },
	{ "__GFP_ZERO", GFPB_ZERO, false },
	{ "__GFP_DIRECT_RECLAIM", GFPB_DIRECT_RECLAIM, false },
	{ "__GFP_KSWAPD_RECLAIM", GFPB_KSWAPD_RECLAIM, false },
	{ "__GFP_RECLAIM", GFPB_RECLAIM, false },
	{ "__GFP_NOWARN", GFPB_NOWARN, false },
	{ "__GFP_RETRY_MAYFAIL", GFPB_RETRY_MAYFAIL, false },
	{ "__GFP_NOFAIL", GFPB_NOFAIL, false },
	{ "__GFP_NORETRY", GFPB_NORETRY, false },
	{ "__GFP_MEMALLOC", GFPB_MEMALLOC, false },
	{ "__GFP_NOMEMALLOC", GFPB_NOMEMALLOC, false },
	{ "__GFP_HARDWALL", GFPB_HARDWALL, false },
	{ "__GFP_THISNODE", GFPB_THISNODE, false },
	{ "__GFP_ACCOUNT", GFPB_ACCOUNT, false },
	{ "__GFP_NOLOCKDEP", GFPB_NOLOCKDEP, false },
};

/*
 * C keywords (C11, C23, GNU) and lower-case macros of the kernel's that a
 * member or a plan cannot be named after. Names in capitals, which the
 * kernel uses for macros (PAGE_SIZE, GFP_KERNEL), and names starting
 * with "__", which are reserved, are refused as a whole.
 */
static const char *const reserved[] = {
	"auto", "break", "case", "char", "const", "continue", "default",
	"do", "double", "else", "enum", "extern", "float", "for", "goto",
	"if", "inline", "int", "long", "register", "restrict", "return",
	"short", "signed", "sizeof", "static", "struct", "switch",
	"typedef", "typeof", "union", "unsigned", "void", "volatile",
	"while", "bool", "true", "false", "asm", "_Bool", "_Static_assert",
	"static_assert", "alignof", "alignas", "NULL", "_Alignas",
	"_Alignof", "_Atomic", "_Complex", "_Generic", "_Imaginary",
	"_Noreturn", "_Thread_local", "_BitInt", "constexpr", "nullptr",
	"thread_local", "typeof_unqual", "noreturn", "current", "jiffies",
	"likely", "unlikely", "min", "max", "offsetof", "container_of",
	"module", "errno",
};

static const struct gfp_name *gfp_lookup(const char *name)
{
	size_t i;

	for (i = 0; i < ARRAY_SIZE(gfp_names); i++)
		if (!strcmp(gfp_names[i].name, name))
			return &gfp_names[i];
	return NULL;
}

static bool is_reserved(const char *name)
{
	size_t i;

	for (i = 0; i < ARRAY_SIZE(reserved); i++)
		if (!strcmp(reserved[i], name))
			return true;
	return false;
}

/* Evaluate @e; false (and one error) if it overflows 64 bits. */
static bool eval(const struct expr *e, struct diag *d, u64 *out)
{
	u64 a, b;

	switch (e->kind) {
	case EXPR_NUM:
		if (e->overflow) {
			diag_error(d, e->at, "number does not fit in 64 bits");
			return false;
		}
		*out = e->value;
		return true;
	case EXPR_ADD:
	case EXPR_MUL:
		if (!eval(e->lhs, d, &a) || !eval(e->rhs, d, &b))
			return false;
		if (e->kind == EXPR_ADD ?
		    __builtin_add_overflow(a, b, out) :
		    __builtin_mul_overflow(a, b, out)) {
			diag_error(d, e->at, "size overflows 64 bits");
			return false;
		}
		return true;
	}
	return false;
}

/* A hash set of names, for duplicate checks in O(1) per name. */
struct name_set {
	const char **name;
	struct loc *at;
	size_t cap, n;
};

static u64 hash_str(const char *s)
{
	u64 h = 1469598103934665603ULL;

	while (*s)
		h = (h ^ (unsigned char)*s++) * 1099511628211ULL;
	return h;
}

/* Add @name; if it is there already, return where it was first seen. */
static const struct loc *name_set_add(struct name_set *set, const char *name,
				      struct loc at)
{
	size_t i, k;

	if (set->n * 2 >= set->cap) {
		struct name_set big = { .cap = set->cap ? set->cap * 2 : 64 };

		big.name = xcalloc(big.cap, sizeof(*big.name));
		big.at = xcalloc(big.cap, sizeof(*big.at));
		for (k = 0; k < set->cap; k++)
			if (set->name[k])
				name_set_add(&big, set->name[k], set->at[k]);
		free(set->name);
		free(set->at);
		*set = big;
	}
	for (i = hash_str(name) & (set->cap - 1); set->name[i];
	     i = (i + 1) & (set->cap - 1))
		if (!strcmp(set->name[i], name))
			return &set->at[i];
	set->name[i] = name;
	set->at[i] = at;
	set->n++;
	return NULL;
}

static void name_set_free(struct name_set *set)
{
	free(set->name);
	free(set->at);
}

static bool all_capitals(const char *name)
{
	bool letter = false;

	for (; *name; name++) {
		if (*name >= 'a' && *name <= 'z')
			return false;
		letter |= *name >= 'A' && *name <= 'Z';
	}
	return letter;
}

static bool check_name(const char *name, struct loc at, const char *what,
		       struct diag *d)
{
	if (!*name)
		return false;
	if (!strncmp(name, "__", 2) || all_capitals(name) ||
	    !strncmp(name, "kalloc_track", 12)) {
		diag_error(d, at,
			   "'%s' cannot name %s %s: names in capitals or starting with \"__\" or \"kalloc_track\" are the kernel's",
			   name, what[0] == 'e' ? "an" : "a", what);
		return false;
	}
	if (strlen(name) > NAME_MAX_LEN) {
		diag_error(d, at, "%s name longer than %d characters", what,
			   NAME_MAX_LEN);
		return false;
	}
	if (is_reserved(name)) {
		diag_error(d, at, "'%s' is a C keyword or a kernel macro and cannot name %s %s",
			   name, what[0] == 'e' ? "an" : "a", what);
		return false;
	}
	return true;
}

static void lower_gfp(const struct entry *e, struct diag *d,
		      struct ir_alloc *a)
{
	const struct gfp_term *g;
	const struct gfp_name *gn;
	size_t len = 1;
	char *text;

	for (g = e->gfp; g; g = g->next)
		len += strlen(g->name) + 3;
	text = xmalloc(len);
	text[0] = '\0';
	for (g = e->gfp; g; g = g->next) {
		gn = gfp_lookup(g->name);
		if (!gn) {
			diag_error(d, g->at, "unknown GFP flag '%s'", g->name);
			a->gfp_unknown = true;
		} else {
			a->gfp |= gn->bits;
			a->gfp_types += gn->base;
		}
		if (g != e->gfp)
			strcat(text, " | ");
		strcat(text, g->name);
	}
	a->gfp_text = text;
}

static void lower_plan(const struct plan *pl, struct diag *d,
		       struct ir_plan *ip)
{
	struct name_set names = { 0 };
	const struct setting *s;
	const struct entry *e;
	const struct loc *first;
	bool have_limit = false, have_budget = false;
	u64 v;
	size_t n = 0;

	ip->at = pl->at;
	ip->name = pl->name;
	ip->dropped = pl->dropped;
	check_name(pl->name, pl->at, "plan", d);
	for (s = pl->settings; s; s = s->next) {
		bool *have = !strcmp(s->key, "limit") ? &have_limit : &have_budget;

		struct loc *first_at = !strcmp(s->key, "limit") ?
				       &ip->limit_at : &ip->budget_at;

		if (*have) {
			diag_error(d, s->at, "'%s' set twice in plan '%s'",
				   s->key, pl->name);
			diag_note(d, *first_at, "first set here");
			continue;
		}
		*have = true;
		*first_at = s->at;
		if (!eval(s->value, d, &v))
			continue;
		/* A 32-bit kernel's size_t must hold it. */
		if (v > UINT32_MAX) {
			diag_error(d, s->at,
				   "%s of plan '%s' (%llu) does not fit in 32 bits",
				   s->key, pl->name, (unsigned long long)v);
			continue;
		}
		if (!strcmp(s->key, "limit")) {
			ip->limit = v;
			ip->limit_at = s->at;
		} else {
			ip->budget = v;
			ip->budget_at = s->at;
		}
	}
	for (e = pl->entries; e; e = e->next)
		n++;
	ip->allocs = xcalloc(n ? n : 1, sizeof(*ip->allocs));
	for (e = pl->entries; e; e = e->next) {
		struct ir_alloc *a = &ip->allocs[ip->n++];

		a->at = e->at;
		a->name = e->name;
		a->count = 1;
		check_name(e->name, e->at, "entry", d);
		first = name_set_add(&names, e->name, e->at);
		if (first) {
			diag_error(d, e->at, "duplicate entry '%s' in plan '%s'",
				   e->name, pl->name);
			diag_note(d, *first, "'%s' first defined here", e->name);
		}
		lower_gfp(e, d, a);
		a->bad_size = true;
		if (!eval(e->size, d, &a->elem))
			continue;
		if (e->count && !eval(e->count, d, &a->count))
			continue;
		a->bad_size = false;
		if (__builtin_mul_overflow(a->count, a->elem, &a->size)) {
			diag_error(d, e->at,
				   "'%s': %llu elements of %llu bytes overflow 64 bits",
				   e->name, (unsigned long long)a->count,
				   (unsigned long long)a->elem);
			a->bad_size = true;
		}
	}
	name_set_free(&names);
}

int lower(const struct ast *ast, struct diag *d, struct ir *ir)
{
	struct name_set plans = { 0 };
	unsigned int before = d->errors;
	const struct loc *first;
	const struct plan *pl;
	size_t n = 0, n_upper = 0;
	char **upper_names;

	for (pl = ast->plans; pl; pl = pl->next)
		n++;
	ir->plans = xcalloc(n ? n : 1, sizeof(*ir->plans));
	upper_names = xcalloc(n ? n : 1, sizeof(*upper_names));
	ir->n = 0;
	for (pl = ast->plans; pl; pl = pl->next) {
		if (*pl->name) {
			/* In capitals, as the header's macros name them. */
			char *upper = xstrndup(pl->name, strlen(pl->name));
			char *c;

			for (c = upper; *c; c++)
				if (*c >= 'a' && *c <= 'z')
					*c -= 'a' - 'A';
			first = name_set_add(&plans, upper, pl->at);
			if (first) {
				diag_error(d, pl->at,
					   "redefinition of plan '%s' (names differ only in case, or not at all)",
					   pl->name);
				diag_note(d, *first, "first defined here");
				free(upper);
			} else {
				upper_names[n_upper++] = upper;
			}
		}
		lower_plan(pl, d, &ir->plans[ir->n++]);
	}
	while (n_upper)
		free(upper_names[--n_upper]);
	free(upper_names);
	name_set_free(&plans);
	if (!ast->plans && d->errors == before)
		diag_error(d, (struct loc){ 0 }, "no plan in the file");
	return d->errors == before ? 0 : -1;
}

/* Pass 1: every entry has a size, and kmalloc() can give it. */
static void verify_sizes(const struct ir_plan *ip, struct diag *d,
			 u64 kmalloc_max)
{
	size_t i;

	if (!ip->n && !ip->dropped)
		diag_error(d, ip->at, "plan '%s' has no entries", ip->name);
	for (i = 0; i < ip->n; i++) {
		const struct ir_alloc *a = &ip->allocs[i];

		if (a->bad_size)
			continue;
		if (!a->count)
			diag_error(d, a->at, "'%s' is an array of 0 elements",
				   a->name);
		else if (!a->elem)
			diag_error(d, a->at, "size of '%s' is 0", a->name);
		else if (a->size > kmalloc_max)
			diag_error(d, a->at,
				   "size of '%s' (%llu bytes) is over KMALLOC_MAX_SIZE (%llu)",
				   a->name, (unsigned long long)a->size,
				   (unsigned long long)kmalloc_max);
	}
}

/* Pass 2: the plan's own limit on one entry, and its budget in all. */
static void verify_limits(const struct ir_plan *ip, struct diag *d,
			  u64 kmalloc_max, u64 *total)
{
	bool overflow = false;
	size_t i;

	*total = 0;
	if (ip->limit > kmalloc_max)
		diag_error(d, ip->limit_at,
			   "limit of plan '%s' (%llu) is over KMALLOC_MAX_SIZE (%llu)",
			   ip->name, (unsigned long long)ip->limit,
			   (unsigned long long)kmalloc_max);
	for (i = 0; i < ip->n; i++) {
		const struct ir_alloc *a = &ip->allocs[i];

		if (a->bad_size)
			continue;
		if (ip->limit && a->size > ip->limit) {
			diag_error(d, a->at,
				   "size of '%s' (%llu bytes) is over the plan's limit (%llu)",
				   a->name, (unsigned long long)a->size,
				   (unsigned long long)ip->limit);
			diag_note(d, ip->limit_at, "limit set here");
		}
		if (__builtin_add_overflow(*total, a->size, total))
			overflow = true;
	}
	if (ip->budget && (overflow || *total > ip->budget)) {
		diag_error(d, ip->budget_at,
			   "entries of plan '%s' need %s%llu bytes, over its budget of %llu",
			   ip->name, overflow ? "more than " : "",
			   (unsigned long long)(overflow ? UINT64_MAX : *total),
			   (unsigned long long)ip->budget);
	}
}

/* Pass 3: GFP flags slab accepts, and that make sense together. */
static void verify_gfp(const struct ir_plan *ip, struct diag *d)
{
	size_t i;

	for (i = 0; i < ip->n; i++) {
		const struct ir_alloc *a = &ip->allocs[i];
		unsigned int bases = a->gfp_types;
		u64 g = a->gfp;

		if (a->gfp_unknown)
			continue;
		if (g & (GFPB_HIGHMEM | GFPB_DMA32))
			diag_error(d, a->at,
				   "GFP flags of '%s' (%s) ask for highmem or DMA32, which slab rejects",
				   a->name, a->gfp_text);
		if (!bases)
			diag_error(d, a->at,
				   "GFP flags of '%s' (%s) have no GFP_* type such as GFP_KERNEL or GFP_ATOMIC",
				   a->name, a->gfp_text);
		else if (bases > 1)
			diag_error(d, a->at,
				   "GFP flags of '%s' (%s) combine %u GFP_* types; use one",
				   a->name, a->gfp_text, bases);
		if ((g & GFPB_NOFAIL) && !(g & GFPB_DIRECT_RECLAIM))
			diag_error(d, a->at,
				   "'%s': __GFP_NOFAIL needs a type that may sleep, such as GFP_KERNEL",
				   a->name);
		if ((g & GFPB_NOFAIL) && (g & (GFPB_NORETRY | GFPB_RETRY_MAYFAIL)))
			diag_error(d, a->at,
				   "'%s': __GFP_NOFAIL contradicts __GFP_NORETRY and __GFP_RETRY_MAYFAIL",
				   a->name);
		if ((g & GFPB_MEMALLOC) && (g & GFPB_NOMEMALLOC))
			diag_error(d, a->at,
				   "'%s': __GFP_MEMALLOC contradicts __GFP_NOMEMALLOC",
				   a->name);
	}
}

int verify(const struct ir *ir, struct diag *d, u64 kmalloc_max)
{
	unsigned int before = d->errors;
	size_t i;

	for (i = 0; i < ir->n; i++) {
		struct ir_plan *ip = &ir->plans[i];

		verify_sizes(ip, d, kmalloc_max);
		verify_limits(ip, d, kmalloc_max, &ip->total);
		verify_gfp(ip, d);
	}
	return d->errors == before ? 0 : -1;
}

void ir_free(struct ir *ir)
{
	size_t i, j;

	for (i = 0; i < ir->n; i++) {
		for (j = 0; j < ir->plans[i].n; j++)
			free(ir->plans[i].allocs[j].gfp_text);
		free(ir->plans[i].allocs);
	}
	free(ir->plans);
	ir->plans = NULL;
	ir->n = 0;
}
