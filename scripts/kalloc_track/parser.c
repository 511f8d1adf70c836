// SPDX-License-Identifier: GPL-2.0
/*
 * ktplan parser: recursive descent over the grammar in
 * Documentation/core-api/kalloc_track.rst, building the AST. After a
 * syntax error it skips to the end of the statement (';') or of the plan
 * ('}'), so that every error of a file is reported in one run.
 */
#include <stdlib.h>
#include <string.h>

#include "ktplan.h"

/*
 * Parentheses nested deeper than this are refused, not recursed into;
 * and so are more operators than this in one statement, so that the
 * trees that the later passes walk recursively stay shallow.
 */
#define MAX_DEPTH	64
#define MAX_TERMS	256

struct parser {
	struct lexer lx;
	struct diag *diag;
	struct token cur;
	struct loc prev_end;	/* just after the token before cur */
	unsigned int terms;	/* operators in this statement */
	bool panic;		/* an error in this statement was reported */
};

static void next(struct parser *p)
{
	p->prev_end = p->cur.at;
	p->prev_end.col += p->cur.len;
	do {
		lexer_next(&p->lx, &p->cur);
	} while (p->cur.kind == TOK_ERROR);
}

static bool is_word(const struct token *t, const char *w)
{
	return t->kind == TOK_IDENT && t->len == strlen(w) &&
	       !memcmp(t->start, w, t->len);
}

/* Report "expected X" once per statement. */
static void report_expected(struct parser *p, const char *what)
{
	if (p->panic)
		return;
	p->panic = true;
	if (p->cur.kind == TOK_EOF)
		diag_error(p->diag, p->cur.at, "expected %s before end of file",
			   what);
	else
		diag_error(p->diag, p->cur.at, "expected %s before '%.*s'",
			   what, (int)(p->cur.len > 40 ? 40 : p->cur.len),
			   p->cur.start);
}

static bool accept(struct parser *p, enum tok_kind kind)
{
	if (p->cur.kind != kind)
		return false;
	next(p);
	return true;
}

static bool expect(struct parser *p, enum tok_kind kind)
{
	if (accept(p, kind))
		return true;
	if (kind == TOK_SEMI && !p->panic && p->prev_end.line &&
	    p->prev_end.line != p->cur.at.line) {
		/* As gcc does: a missing ';' belongs to the line before. */
		p->panic = true;
		diag_error(p->diag, p->prev_end, "expected ';' at end of entry");
		return false;
	}
	report_expected(p, tok_name(kind));
	return false;
}

static char *tok_text(const struct token *t)
{
	return xstrndup(t->start, t->len);
}

static void expr_free(struct expr *e)
{
	if (!e)
		return;
	expr_free(e->lhs);
	expr_free(e->rhs);
	free(e);
}

static struct expr *parse_expr(struct parser *p, unsigned int depth);

static struct expr *parse_factor(struct parser *p, unsigned int depth)
{
	struct expr *e;

	if (p->cur.kind == TOK_NUMBER) {
		e = xcalloc(1, sizeof(*e));
		e->kind = EXPR_NUM;
		e->at = p->cur.at;
		e->value = p->cur.value;
		e->overflow = p->cur.overflow;
		next(p);
		return e;
	}
	if (p->cur.kind == TOK_LPAREN) {
		if (depth >= MAX_DEPTH) {
			if (!p->panic)
				diag_error(p->diag, p->cur.at,
					   "expression nested more than %d deep",
					   MAX_DEPTH);
			p->panic = true;
			return NULL;
		}
		next(p);
		e = parse_expr(p, depth + 1);
		if (!e)
			return NULL;
		if (!expect(p, TOK_RPAREN)) {
			expr_free(e);
			return NULL;
		}
		return e;
	}
	report_expected(p, "a size");
	return NULL;
}

static struct expr *binary(enum expr_kind kind, struct loc at,
			   struct expr *lhs, struct expr *rhs)
{
	struct expr *e = xcalloc(1, sizeof(*e));

	e->kind = kind;
	e->at = at;
	e->lhs = lhs;
	e->rhs = rhs;
	return e;
}

static bool too_many_terms(struct parser *p)
{
	if (++p->terms <= MAX_TERMS)
		return false;
	if (!p->panic)
		diag_error(p->diag, p->cur.at,
			   "more than %d operators in one statement", MAX_TERMS);
	p->panic = true;
	return true;
}

/*
 * A chain of one operator's operands, left to right: '+' of terms at
 * @level 0, '*' of factors at @level 1.
 */
static struct expr *parse_chain(struct parser *p, unsigned int depth,
				unsigned int level)
{
	static const struct {
		enum tok_kind tok;
		enum expr_kind kind;
	} ops[] = { { TOK_PLUS, EXPR_ADD }, { TOK_STAR, EXPR_MUL } };
	struct expr *e, *rhs;
	struct loc at;

	e = level ? parse_factor(p, depth) : parse_chain(p, depth, 1);
	while (e && p->cur.kind == ops[level].tok) {
		at = p->cur.at;
		if (too_many_terms(p)) {
			expr_free(e);
			return NULL;
		}
		next(p);
		rhs = level ? parse_factor(p, depth) : parse_chain(p, depth, 1);
		if (!rhs) {
			expr_free(e);
			return NULL;
		}
		e = binary(ops[level].kind, at, e, rhs);
	}
	return e;
}

static struct expr *parse_expr(struct parser *p, unsigned int depth)
{
	return parse_chain(p, depth, 0);
}

static void gfp_free(struct gfp_term *g)
{
	struct gfp_term *n;

	for (; g; g = n) {
		n = g->next;
		free(g->name);
		free(g);
	}
}

/* GFP flags: NAME { '|' NAME }. */
static struct gfp_term *parse_gfp(struct parser *p)
{
	struct gfp_term *head = NULL, **tail = &head, *g;

	do {
		if (p->cur.kind != TOK_IDENT) {
			report_expected(p, "GFP flags");
			gfp_free(head);
			return NULL;
		}
		g = xcalloc(1, sizeof(*g));
		g->at = p->cur.at;
		g->name = tok_text(&p->cur);
		*tail = g;
		tail = &g->next;
		next(p);
	} while (accept(p, TOK_PIPE));
	return head;
}

/* Skip to the end of a bad statement: past ';', or up to '}' or EOF. */
static void recover(struct parser *p)
{
	while (p->cur.kind != TOK_EOF && p->cur.kind != TOK_RBRACE) {
		if (accept(p, TOK_SEMI))
			break;
		next(p);
	}
	p->panic = false;
}

static void entry_free(struct entry *e)
{
	expr_free(e->count);
	expr_free(e->size);
	gfp_free(e->gfp);
	free(e->name);
	free(e);
}

/* setting: ("limit" | "budget") '=' expr ';', after the key @word */
static struct setting *parse_setting(struct parser *p,
				     const struct token *word)
{
	struct setting *s = xcalloc(1, sizeof(*s));

	p->terms = 0;
	s->at = word->at;
	s->key = tok_text(word);
	next(p);		/* '=' */
	s->value = parse_expr(p, 0);
	if (!s->value || !expect(p, TOK_SEMI)) {
		expr_free(s->value);
		free(s->key);
		free(s);
		return NULL;
	}
	return s;
}

/* entry: NAME [ '[' expr ']' ] ':' expr gfp ';', after NAME @word */
static struct entry *parse_entry(struct parser *p, const struct token *word)
{
	struct entry *e = xcalloc(1, sizeof(*e));

	p->terms = 0;
	e->at = word->at;
	e->name = tok_text(word);
	if (accept(p, TOK_LBRACKET)) {
		e->count = parse_expr(p, 0);
		if (!e->count || !expect(p, TOK_RBRACKET))
			goto bad;
	}
	if (!expect(p, TOK_COLON))
		goto bad;
	e->size = parse_expr(p, 0);
	if (!e->size)
		goto bad;
	e->gfp = parse_gfp(p);
	if (!e->gfp || !expect(p, TOK_SEMI))
		goto bad;
	return e;
bad:
	entry_free(e);
	return NULL;
}

static void plan_free(struct plan *pl)
{
	struct entry *e, *en;
	struct setting *s, *sn;

	for (e = pl->entries; e; e = en) {
		en = e->next;
		entry_free(e);
	}
	for (s = pl->settings; s; s = sn) {
		sn = s->next;
		expr_free(s->value);
		free(s->key);
		free(s);
	}
	free(pl->name);
	free(pl);
}

/* plan: "plan" NAME '{' { setting | entry } '}' */
static struct plan *parse_plan(struct parser *p)
{
	struct plan *pl = xcalloc(1, sizeof(*pl));
	struct entry **etail = &pl->entries, *e;
	struct setting **stail = &pl->settings, *s;
	struct token word;

	pl->at = p->cur.at;
	next(p);		/* "plan" */
	if (p->cur.kind != TOK_IDENT) {
		report_expected(p, "a plan name");
		pl->name = xstrndup("", 0);
	} else {
		pl->name = tok_text(&p->cur);
		next(p);
	}
	if (!expect(p, TOK_LBRACE)) {
		/* Without its '{', the plan's body cannot be told apart. */
		plan_free(pl);
		return NULL;
	}
	while (p->cur.kind != TOK_RBRACE && p->cur.kind != TOK_EOF) {
		if (p->cur.kind != TOK_IDENT) {
			report_expected(p, "an entry name, 'limit' or 'budget'");
			pl->dropped++;
			recover(p);
			continue;
		}
		if (is_word(&p->cur, "plan")) {
			/* A missing '}': let the next plan start here. */
			report_expected(p, "'}'");
			p->panic = false;
			return pl;
		}
		/* The name, then one token of lookahead: '=' is a setting. */
		word = p->cur;
		next(p);
		if (p->cur.kind == TOK_EQUALS &&
		    (is_word(&word, "limit") || is_word(&word, "budget"))) {
			s = parse_setting(p, &word);
			if (s) {
				*stail = s;
				stail = &s->next;
			} else {
				recover(p);
			}
			continue;
		}
		if (p->cur.kind == TOK_EQUALS) {
			diag_error(p->diag, word.at,
				   "unknown setting '%.*s'; settings are 'limit' and 'budget'",
				   (int)(word.len > 40 ? 40 : word.len), word.start);
			p->panic = true;
			recover(p);
			continue;
		}
		e = parse_entry(p, &word);
		if (e) {
			*etail = e;
			etail = &e->next;
		} else {
			pl->dropped++;
			recover(p);
		}
	}
	if (!expect(p, TOK_RBRACE))
		p->panic = false;
	return pl;
}

int parse(const struct source *src, struct diag *d, struct ast *ast)
{
	struct plan **tail = &ast->plans, *pl;
	struct parser p = { .diag = d };
	unsigned int before = d->errors;

	ast->plans = NULL;
	lexer_init(&p.lx, src, d);
	next(&p);
	while (p.cur.kind != TOK_EOF) {
		if (!is_word(&p.cur, "plan")) {
			report_expected(&p, "'plan'");
			/* Skip to the next plan. */
			while (p.cur.kind != TOK_EOF && !is_word(&p.cur, "plan"))
				next(&p);
			p.panic = false;
			continue;
		}
		pl = parse_plan(&p);
		if (pl) {
			*tail = pl;
			tail = &pl->next;
		} else {
			while (p.cur.kind != TOK_EOF && !is_word(&p.cur, "plan"))
				next(&p);
			p.panic = false;
		}
	}
	return d->errors == before ? 0 : -1;
}

void ast_free(struct ast *ast)
{
	struct plan *pl, *n;

	for (pl = ast->plans; pl; pl = n) {
		n = pl->next;
		plan_free(pl);
	}
	ast->plans = NULL;
}
