/* SPDX-License-Identifier: GPL-2.0 */
/*
 * ktplan: the kalloc_track plan compiler. Shared declarations of the
 * lexer, the parser, semantic analysis, the IR, its verification passes
 * and the backends.
 */
#ifndef KTPLAN_H
#define KTPLAN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

/* From tools/include: u64, __printf(), ARRAY_SIZE(), BIT_ULL(). */
#include <linux/bits.h>
#include <linux/compiler.h>
#include <linux/kernel.h>
#include <linux/types.h>

/* Where a token or node starts in its file; lines and columns from 1. */
struct loc {
	unsigned int line;
	unsigned int col;	/* as gcc counts: tabs to the next multiple of 8 */
	unsigned int off;	/* bytes from the start of the line */
};

/* The source: its name, its bytes, and where each line starts. */
struct source {
	const char *name;
	const char *text;
	size_t len;
	size_t *line_start;
	unsigned int lines;
};

/* One diagnostic, formatted, waiting to be printed in source order. */
struct diag_msg {
	struct loc key;		/* of its error: a note follows its error */
	size_t seq;
	bool error;
	char *text;
};

/*
 * Diagnostics, as gcc prints them. The passes find errors in their own
 * order; diag_flush() prints them sorted by position, at most max_errors
 * of them, each error with its notes.
 */
struct diag {
	const struct source *src;
	FILE *out;
	unsigned int errors;
	unsigned int max_errors;	/* 0: no cap */
	struct diag_msg *msgs;
	size_t n, cap;
	struct loc key;			/* of the last error */
};

void diag_flush(struct diag *d);

__printf(3, 4) void diag_error(struct diag *d, struct loc at,
			       const char *fmt, ...);
__printf(3, 4) void diag_note(struct diag *d, struct loc at,
			      const char *fmt, ...);

/* Lexer */
enum tok_kind {
	TOK_EOF,
	TOK_IDENT,
	TOK_NUMBER,
	TOK_LBRACE,
	TOK_RBRACE,
	TOK_LBRACKET,
	TOK_RBRACKET,
	TOK_LPAREN,
	TOK_RPAREN,
	TOK_COLON,
	TOK_SEMI,
	TOK_EQUALS,
	TOK_PIPE,
	TOK_PLUS,
	TOK_STAR,
	TOK_ERROR,		/* reported by the lexer already */
};

struct token {
	enum tok_kind kind;
	struct loc at;
	const char *start;	/* into the source */
	size_t len;
	u64 value;		/* TOK_NUMBER, units applied */
	bool overflow;		/* TOK_NUMBER too large for 64 bits */
};

struct lexer {
	const struct source *src;
	struct diag *diag;
	size_t pos;
	unsigned int line;
	unsigned int col;	/* display column of @pos */
	size_t line_pos;	/* offset of the current line's start */
};

void lexer_init(struct lexer *lx, const struct source *src, struct diag *d);
void lexer_next(struct lexer *lx, struct token *tok);
const char *tok_name(enum tok_kind kind);

/* AST */
enum expr_kind { EXPR_NUM, EXPR_ADD, EXPR_MUL };

struct expr {
	enum expr_kind kind;
	struct loc at;
	u64 value;		/* EXPR_NUM */
	bool overflow;		/* EXPR_NUM that did not fit */
	struct expr *lhs, *rhs;
};

struct gfp_term {
	struct loc at;
	char *name;
	struct gfp_term *next;
};

struct entry {
	struct loc at;
	char *name;
	struct expr *count;	/* NULL unless an array: name[count] */
	struct expr *size;	/* of one element for an array */
	struct gfp_term *gfp;
	struct entry *next;
};

struct setting {
	struct loc at;
	char *key;		/* "limit" or "budget" */
	struct expr *value;
	struct setting *next;
};

struct plan {
	struct loc at;
	char *name;
	struct entry *entries;
	struct setting *settings;
	unsigned int dropped;	/* entries lost to syntax errors */
	struct plan *next;
};

struct ast {
	struct plan *plans;
};

int parse(const struct source *src, struct diag *d, struct ast *ast);
void ast_free(struct ast *ast);

/* IR: one instruction per allocation, sizes evaluated and checked. */
struct ir_alloc {
	struct loc at;
	const char *name;	/* borrowed from the AST */
	u64 size;		/* bytes in all */
	u64 count;		/* elements, 1 for a scalar */
	u64 elem;		/* bytes per element */
	u64 gfp;		/* mask of the GFP names, GFPB_* */
	unsigned int gfp_types;	/* GFP_* types among the names */
	bool gfp_unknown;	/* a name was not known: reported */
	bool bad_size;		/* the size did not evaluate: reported */
	char *gfp_text;		/* the names, joined with " | " */
};

struct ir_plan {
	struct loc at;
	const char *name;
	u64 limit;		/* 0: none */
	u64 budget;	/* 0: none */
	struct loc limit_at, budget_at;
	struct ir_alloc *allocs;
	size_t n;
	unsigned int dropped;
	u64 total;
};

struct ir {
	struct ir_plan *plans;
	size_t n;
};

/*
 * One bit per GFP modifier the language knows, for the checks only: the
 * C it emits uses the kernel's names, never these values.
 */
#define GFPB_DMA		BIT_ULL(0)
#define GFPB_HIGHMEM		BIT_ULL(1)
#define GFPB_DMA32		BIT_ULL(2)
#define GFPB_MOVABLE		BIT_ULL(3)
#define GFPB_RECLAIMABLE	BIT_ULL(4)
#define GFPB_HIGH		BIT_ULL(5)
#define GFPB_IO			BIT_ULL(6)
#define GFPB_FS			BIT_ULL(7)
#define GFPB_ZERO		BIT_ULL(8)
#define GFPB_DIRECT_RECLAIM	BIT_ULL(10)
#define GFPB_KSWAPD_RECLAIM	BIT_ULL(11)
#define GFPB_WRITE		BIT_ULL(12)
#define GFPB_NOWARN		BIT_ULL(13)
#define GFPB_RETRY_MAYFAIL	BIT_ULL(14)
#define GFPB_NOFAIL		BIT_ULL(15)
#define GFPB_NORETRY		BIT_ULL(16)
#define GFPB_MEMALLOC		BIT_ULL(17)
#define GFPB_COMP		BIT_ULL(18)
#define GFPB_NOMEMALLOC		BIT_ULL(19)
#define GFPB_HARDWALL		BIT_ULL(20)
#define GFPB_THISNODE		BIT_ULL(21)
#define GFPB_ACCOUNT		BIT_ULL(22)
#define GFPB_ZEROTAGS		BIT_ULL(23)
#define GFPB_NOLOCKDEP		BIT_ULL(27)
#define GFPB_RECLAIM		(GFPB_DIRECT_RECLAIM | GFPB_KSWAPD_RECLAIM)

/* The largest kmalloc() on the kernels we build for (x86_64: 4 MiB). */
#define KTPLAN_KMALLOC_MAX	(4ULL << 20)

int lower(const struct ast *ast, struct diag *d, struct ir *ir);
int verify(const struct ir *ir, struct diag *d, u64 kmalloc_max);
void ir_free(struct ir *ir);

/* Backends */
enum emit_kind { EMIT_HEADER, EMIT_MODULE, EMIT_PARAMS, EMIT_IR };

int emit(const struct ir *ir, enum emit_kind kind, const char *plan,
	 const char *input, struct diag *d, FILE *out);

void source_init(struct source *src, const char *name, const char *text,
		 size_t len);
int ktplan_compile(const struct source *src, enum emit_kind kind,
		   const char *plan, u64 kmalloc_max,
		   unsigned int max_errors, FILE *err, FILE *out);

/* Allocation that exits with status 2 when memory runs out. */
void *xmalloc(size_t n);
void *xcalloc(size_t n, size_t size);
char *xstrndup(const char *s, size_t n);

#endif /* KTPLAN_H */
