// SPDX-License-Identifier: GPL-2.0
/*
 * ktplan lexer: identifiers, numbers with size units, punctuation;
 * comments are '#' or '//' to the end of the line, or C's block
 * comments. Any other byte is an error, reported once per run of bad
 * bytes, and lexing goes on after it.
 */
#include <ctype.h>
#include <string.h>

#include "ktplan.h"

void lexer_init(struct lexer *lx, const struct source *src, struct diag *d)
{
	memset(lx, 0, sizeof(*lx));
	lx->src = src;
	lx->diag = d;
	lx->line = 1;
	lx->col = 1;
}

static struct loc lexer_loc(const struct lexer *lx)
{
	return (struct loc){ lx->line, lx->col,
			     (unsigned int)(lx->pos - lx->line_pos) };
}

static int peek(const struct lexer *lx, size_t ahead)
{
	size_t i = lx->pos + ahead;

	return i < lx->src->len ? (unsigned char)lx->src->text[i] : -1;
}

/*
 * Columns as gcc counts them: a tab to the next stop of 8, a UTF-8
 * character as one.
 */
static void advance(struct lexer *lx)
{
	unsigned char c = lx->src->text[lx->pos];

	if (c == '\n') {
		lx->line++;
		lx->line_pos = lx->pos + 1;
		lx->col = 1;
	} else if (c == '\t') {
		lx->col = (lx->col - 1) / 8 * 8 + 9;
	} else if ((c & 0xc0) != 0x80) {
		lx->col++;
	}
	lx->pos++;
}

/* Skip blanks and comments; an unterminated block comment is an error. */
static void skip_space(struct lexer *lx)
{
	for (;;) {
		int c = peek(lx, 0);

		if (c == ' ' || c == '\t' || c == '\n' || c == '\r' ||
		    c == '\f' || c == '\v') {
			advance(lx);
		} else if (c == '#' || (c == '/' && peek(lx, 1) == '/')) {
			while (peek(lx, 0) != -1 && peek(lx, 0) != '\n')
				advance(lx);
		} else if (c == '/' && peek(lx, 1) == '*') {
			struct loc at = lexer_loc(lx);

			advance(lx);
			advance(lx);
			while (peek(lx, 0) != -1 &&
			       !(peek(lx, 0) == '*' && peek(lx, 1) == '/'))
				advance(lx);
			if (peek(lx, 0) == -1) {
				diag_error(lx->diag, at, "unterminated comment");
				return;
			}
			advance(lx);
			advance(lx);
		} else {
			return;
		}
	}
}

static bool is_ident_start(int c)
{
	return c == '_' || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

static bool is_ident(int c)
{
	return is_ident_start(c) || (c >= '0' && c <= '9');
}

/* A number: decimal or 0x hex, then an optional unit K, M or G (x1024). */
static void lex_number(struct lexer *lx, struct token *tok)
{
	u64 v = 0, unit = 1;
	bool hex = false, overflow = false;
	int c, digit;

	if (peek(lx, 0) == '0' && (peek(lx, 1) == 'x' || peek(lx, 1) == 'X') &&
	    isxdigit(peek(lx, 2))) {
		hex = true;
		advance(lx);
		advance(lx);
	}
	for (;;) {
		c = peek(lx, 0);
		if (c >= '0' && c <= '9')
			digit = c - '0';
		else if (hex && c >= 'a' && c <= 'f')
			digit = c - 'a' + 10;
		else if (hex && c >= 'A' && c <= 'F')
			digit = c - 'A' + 10;
		else
			break;
		if (v > (UINT64_MAX - digit) / (hex ? 16 : 10))
			overflow = true;
		else
			v = v * (hex ? 16 : 10) + digit;
		advance(lx);
	}
	c = peek(lx, 0);
	if (c == 'K' || c == 'k')
		unit = 1ULL << 10;
	else if (c == 'M' || c == 'm')
		unit = 1ULL << 20;
	else if (c == 'G' || c == 'g')
		unit = 1ULL << 30;
	if (unit != 1) {
		advance(lx);
		/* "4KiB" and "4KB" read as 4K too. */
		if (peek(lx, 0) == 'i' && peek(lx, 1) == 'B') {
			advance(lx);
			advance(lx);
		} else if (peek(lx, 0) == 'B') {
			advance(lx);
		}
	}
	if (v > UINT64_MAX / unit)
		overflow = true;
	else
		v *= unit;
	tok->kind = TOK_NUMBER;
	tok->value = v;
	tok->overflow = overflow;
	if (is_ident(peek(lx, 0))) {
		struct loc at = lexer_loc(lx);

		while (is_ident(peek(lx, 0)))
			advance(lx);
		/* Still a number, so that the parse goes on without noise. */
		diag_error(lx->diag, at,
			   "invalid suffix on number; units are K, M and G");
	}
}

void lexer_next(struct lexer *lx, struct token *tok)
{
	static const struct {
		char c;
		enum tok_kind kind;
	} punct[] = {
		{ '{', TOK_LBRACE }, { '}', TOK_RBRACE },
		{ '[', TOK_LBRACKET }, { ']', TOK_RBRACKET },
		{ '(', TOK_LPAREN }, { ')', TOK_RPAREN },
		{ ':', TOK_COLON }, { ';', TOK_SEMI }, { '=', TOK_EQUALS },
		{ '|', TOK_PIPE }, { '+', TOK_PLUS }, { '*', TOK_STAR },
	};
	size_t i;
	int c;

	skip_space(lx);
	memset(tok, 0, sizeof(*tok));
	tok->at = lexer_loc(lx);
	tok->start = lx->src->text + lx->pos;
	c = peek(lx, 0);
	if (c == -1) {
		tok->kind = TOK_EOF;
		return;
	}
	if (is_ident_start(c)) {
		while (is_ident(peek(lx, 0)))
			advance(lx);
		tok->kind = TOK_IDENT;
	} else if (c >= '0' && c <= '9') {
		lex_number(lx, tok);
	} else {
		for (i = 0; i < ARRAY_SIZE(punct); i++) {
			if (punct[i].c == c) {
				advance(lx);
				tok->kind = punct[i].kind;
				tok->len = 1;
				return;
			}
		}
		/* One error for a run of stray bytes, not one per byte. */
		if (c >= 0x20 && c < 0x7f)
			diag_error(lx->diag, tok->at, "stray '%c' in plan", c);
		else
			diag_error(lx->diag, tok->at, "stray byte 0x%02x in plan",
				   c);
		do {
			advance(lx);
			c = peek(lx, 0);
		} while (c != -1 && !isspace(c) && !is_ident(c) &&
			 (!c || !strchr("{}[]():;=|+*#/", c)));
		tok->kind = TOK_ERROR;
	}
	tok->len = (size_t)(lx->src->text + lx->pos - tok->start);
}

const char *tok_name(enum tok_kind kind)
{
	switch (kind) {
	case TOK_EOF:		return "end of file";
	case TOK_IDENT:		return "name";
	case TOK_NUMBER:	return "number";
	case TOK_LBRACE:	return "'{'";
	case TOK_RBRACE:	return "'}'";
	case TOK_LBRACKET:	return "'['";
	case TOK_RBRACKET:	return "']'";
	case TOK_LPAREN:	return "'('";
	case TOK_RPAREN:	return "')'";
	case TOK_COLON:		return "':'";
	case TOK_SEMI:		return "';'";
	case TOK_EQUALS:	return "'='";
	case TOK_PIPE:		return "'|'";
	case TOK_PLUS:		return "'+'";
	case TOK_STAR:		return "'*'";
	case TOK_ERROR:		return "invalid token";
	}
	return "token";
}
