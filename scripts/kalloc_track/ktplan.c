// SPDX-License-Identifier: GPL-2.0
/*
 * ktplan - compile kalloc_track allocation plans
 *
 *   ktplan [--emit=header|module|params|ir] [--plan=NAME] [-o FILE]
 *          [--max-errors=N] [--kmalloc-max=BYTES] PLANFILE
 *
 * Reads a plan file (the language is in
 * Documentation/core-api/kalloc_track.rst), checks it, and writes one of
 * its backends' outputs. Diagnostics go to stderr as gcc prints them.
 * Exit status: 0 on success, 1 if the plan has errors, 2 for a usage or
 * I/O error. Nothing is written to -o FILE unless the plan is good.
 */
#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "ktplan.h"

/* Largest plan file read: far beyond any real plan, bounded for fuzzers. */
#define KTPLAN_MAX_INPUT	(64UL << 20)
/* Columns of a source line shown around an error. */
#define SHOW_COLS	100

void *xmalloc(size_t n)
{
	void *p = malloc(n ? n : 1);

	if (!p) {
		fputs("ktplan: out of memory\n", stderr);
		exit(2);
	}
	return p;
}

void *xcalloc(size_t n, size_t size)
{
	void *p = calloc(n ? n : 1, size ? size : 1);

	if (!p) {
		fputs("ktplan: out of memory\n", stderr);
		exit(2);
	}
	return p;
}

char *xstrndup(const char *s, size_t n)
{
	char *p = xmalloc(n + 1);

	memcpy(p, s, n);
	p[n] = '\0';
	return p;
}

/* The source line of @at, and a caret under its column. */
static void show_line(const struct diag *d, struct loc at)
{
	const struct source *src = d->src;
	size_t start, end, from, i, col;
	const char *text;

	if (!at.line || at.line > src->lines)
		return;
	start = src->line_start[at.line - 1];
	end = at.line < src->lines ? src->line_start[at.line] - 1 : src->len;
	if (end > start && src->text[end - 1] == '\r')
		end--;
	text = src->text;
	col = at.off;
	/* A window of a long line, around the column. */
	from = start;
	if (col > SHOW_COLS / 2 && end - start > SHOW_COLS)
		from = start + col - SHOW_COLS / 2;
	if (from > start)
		fputs(" ...", d->out);
	else
		fputc(' ', d->out);
	for (i = from; i < end && i < from + SHOW_COLS; i++) {
		unsigned char c = text[i];

		fputc(c == '\t' || (c >= 0x20 && c < 0x7f) ? c : '?', d->out);
	}
	if (i < end)
		fputs("...", d->out);
	fputc('\n', d->out);
	fputs(from > start ? " ..." : " ", d->out);
	for (i = from; i < start + col && i < end; i++)
		fputc(text[i] == '\t' ? '\t' : ' ', d->out);
	fputs("^\n", d->out);
}

/* Format one diagnostic and keep it for diag_flush(). */
static __printf(4, 0) void diag_v(struct diag *d, const char *kind,
				  struct loc at, const char *fmt, va_list ap)
{
	struct diag_msg *m;
	FILE *saved = d->out;
	size_t len = 0;
	char *text = NULL;

	d->out = open_memstream(&text, &len);
	if (!d->out) {
		fputs("ktplan: out of memory\n", stderr);
		exit(2);
	}
	if (at.line)
		fprintf(d->out, "%s:%u:%u: %s: ", d->src->name, at.line, at.col,
			kind);
	else
		fprintf(d->out, "%s: %s: ", d->src->name, kind);
	vfprintf(d->out, fmt, ap);
	fputc('\n', d->out);
	show_line(d, at);
	fclose(d->out);
	d->out = saved;
	if (d->n == d->cap) {
		d->cap = d->cap ? d->cap * 2 : 16;
		d->msgs = realloc(d->msgs, d->cap * sizeof(*d->msgs));
		if (!d->msgs) {
			fputs("ktplan: out of memory\n", stderr);
			exit(2);
		}
	}
	m = &d->msgs[d->n];
	m->key = d->key;
	m->seq = d->n++;
	m->error = !strcmp(kind, "error");
	m->text = text;
}

void diag_error(struct diag *d, struct loc at, const char *fmt, ...)
{
	va_list ap;

	/*
	 * Past the cap, errors are only counted: junk input can have one
	 * on every byte. Those kept are the first found, shown sorted.
	 */
	if (d->max_errors && d->errors++ >= d->max_errors)
		return;
	if (!d->max_errors)
		d->errors++;
	/* File-level errors (line 0) sort after the rest. */
	d->key = at.line ? at : (struct loc){ UINT_MAX, 0, 0 };
	va_start(ap, fmt);
	diag_v(d, "error", at, fmt, ap);
	va_end(ap);
}

void diag_note(struct diag *d, struct loc at, const char *fmt, ...)
{
	va_list ap;

	if (d->max_errors && d->errors > d->max_errors)
		return;
	va_start(ap, fmt);
	diag_v(d, "note", at, fmt, ap);
	va_end(ap);
}

static int msg_cmp(const void *a, const void *b)
{
	const struct diag_msg *x = a, *y = b;

	if (x->key.line != y->key.line)
		return x->key.line < y->key.line ? -1 : 1;
	if (x->key.col != y->key.col)
		return x->key.col < y->key.col ? -1 : 1;
	return x->seq < y->seq ? -1 : x->seq > y->seq;
}

void diag_flush(struct diag *d)
{
	size_t i;

	if (d->n)
		qsort(d->msgs, d->n, sizeof(*d->msgs), msg_cmp);
	for (i = 0; i < d->n; i++) {
		fputs(d->msgs[i].text, d->out);
		free(d->msgs[i].text);
	}
	if (d->max_errors && d->errors > d->max_errors)
		fprintf(d->out, "%s: note: %u more errors not shown (--max-errors=%u)\n",
			d->src->name, d->errors - d->max_errors, d->max_errors);
	free(d->msgs);
	d->msgs = NULL;
	d->n = 0;
	d->cap = 0;
}

/* @text of @len bytes as a source; it keeps pointing into @text. */
void source_init(struct source *src, const char *name, const char *text,
		 size_t len)
{
	size_t i, line;

	src->name = name;
	src->text = text;
	src->len = len;
	src->lines = 1;
	for (i = 0; i < len; i++)
		src->lines += text[i] == '\n';
	src->line_start = xcalloc(src->lines, sizeof(*src->line_start));
	for (i = 0, line = 1; i < len; i++)
		if (text[i] == '\n')
			src->line_start[line++] = i + 1;
}

/* Read @path whole; NUL bytes are kept (and reported by the lexer). */
static int read_source(const char *path, struct source *src)
{
	FILE *f = strcmp(path, "-") ? fopen(path, "rb") : stdin;
	size_t cap = 4096, n = 0, got;
	char *buf;

	if (!f) {
		fprintf(stderr, "ktplan: %s: %s\n", path, strerror(errno));
		return -1;
	}
	buf = xmalloc(cap);
	while ((got = fread(buf + n, 1, cap - n, f)) > 0) {
		n += got;
		if (n > KTPLAN_MAX_INPUT) {
			fprintf(stderr, "ktplan: %s: larger than %lu bytes\n",
				path, KTPLAN_MAX_INPUT);
			goto fail;
		}
		if (n == cap) {
			char *big;

			cap *= 2;
			big = realloc(buf, cap);
			if (!big) {
				fputs("ktplan: out of memory\n", stderr);
				goto fail;
			}
			buf = big;
		}
	}
	if (ferror(f)) {
		fprintf(stderr, "ktplan: %s: read error\n", path);
		goto fail;
	}
	if (f != stdin)
		fclose(f);
	source_init(src, path, buf, n);
	return 0;
fail:
	if (f != stdin)
		fclose(f);
	free(buf);
	return -1;
}

/*
 * Compile @src into @out. Return: 0, 1 on plan errors. The library entry
 * point of the fuzz target, too.
 */
int ktplan_compile(const struct source *src, enum emit_kind kind,
		   const char *plan, u64 kmalloc_max,
		   unsigned int max_errors, FILE *err, FILE *out)
{
	struct diag d = { .src = src, .out = err, .max_errors = max_errors };
	struct ast ast = { 0 };
	struct ir ir = { 0 };
	int ret = 1;

	parse(src, &d, &ast);
	/* Semantic errors are worth reporting after syntax errors too. */
	lower(&ast, &d, &ir);
	/* So are verification errors: entries already reported are skipped. */
	verify(&ir, &d, kmalloc_max);
	if (!d.errors && !emit(&ir, kind, plan, src->name, &d, out))
		ret = 0;
	diag_flush(&d);
	if (d.errors)
		fprintf(err, "%s: %u error%s\n", src->name, d.errors,
			d.errors == 1 ? "" : "s");
	ir_free(&ir);
	ast_free(&ast);
	return ret;
}

static int print_usage(void)
{
	fputs("usage: ktplan [--emit=header|module|params|ir] [--plan=NAME] [-o FILE]\n"
	      "              [--max-errors=N] [--kmalloc-max=BYTES] PLANFILE\n",
	      stderr);
	return 2;
}

/* A number, with an optional unit K, M or G, as in plan files. */
static bool parse_u64(const char *s, u64 *v)
{
	unsigned int shift = 0;
	char *end;

	errno = 0;
	*v = strtoull(s, &end, 0);
	if (*end == 'K')
		shift = 10;
	else if (*end == 'M')
		shift = 20;
	else if (*end == 'G')
		shift = 30;
	if (shift) {
		if (*v > UINT64_MAX >> shift)
			return false;
		*v <<= shift;
		end++;
	}
	return *s && !*end && !errno && *s != '-';
}

/*
 * Write @len bytes of @text to @path, or to stdout if @path is NULL. A
 * file is written under a temporary name in its directory and renamed,
 * so that a failed write leaves no half file and removes nothing else.
 * Return: 0, or 2 after a message.
 */
static int write_output(const char *path, const char *text, size_t len)
{
	bool bad;
	char *tmp;
	FILE *f;
	int fd;

	if (!path) {
		if (fwrite(text, 1, len, stdout) != len || fflush(stdout) ||
		    ferror(stdout)) {
			fprintf(stderr, "ktplan: stdout: %s\n", strerror(errno));
			return 2;
		}
		return 0;
	}
	tmp = xmalloc(strlen(path) + 8);
	sprintf(tmp, "%s.XXXXXX", path);
	fd = mkstemp(tmp);
	if (fd < 0)
		goto fail;
	f = fdopen(fd, "w");
	if (!f) {
		close(fd);
		goto fail_unlink;
	}
	bad = fwrite(text, 1, len, f) != len;
	bad |= fclose(f) != 0;
	if (bad || chmod(tmp, 0644) || rename(tmp, path))
		goto fail_unlink;
	free(tmp);
	return 0;
fail_unlink:
	unlink(tmp);
fail:
	fprintf(stderr, "ktplan: %s: %s\n", path, strerror(errno));
	free(tmp);
	return 2;
}

#ifndef KTPLAN_FUZZ
int main(int argc, char **argv)
{
	static const char *const kinds[] = {
		[EMIT_HEADER] = "header", [EMIT_MODULE] = "module",
		[EMIT_PARAMS] = "params", [EMIT_IR] = "ir",
	};
	const char *input = NULL, *output = NULL, *plan = NULL;
	u64 kmalloc_max = KTPLAN_KMALLOC_MAX, v;
	enum emit_kind kind = EMIT_IR;
	unsigned int max_errors = 100;
	struct source src = { 0 };
	char *text = NULL;
	size_t len = 0;
	FILE *mem;
	int i, ret;
	size_t k;

	for (i = 1; i < argc; i++) {
		const char *a = argv[i];

		if (!strncmp(a, "--emit=", 7)) {
			for (k = 0; k < ARRAY_SIZE(kinds); k++)
				if (!strcmp(a + 7, kinds[k]))
					break;
			if (k == ARRAY_SIZE(kinds))
				return print_usage();
			kind = k;
		} else if (!strncmp(a, "--plan=", 7)) {
			plan = a + 7;
		} else if (!strcmp(a, "-o") && i + 1 < argc) {
			output = argv[++i];
		} else if (!strncmp(a, "--max-errors=", 13)) {
			if (!parse_u64(a + 13, &v) || v > UINT_MAX)
				return print_usage();
			max_errors = v;
		} else if (!strncmp(a, "--kmalloc-max=", 14)) {
			if (!parse_u64(a + 14, &v) || !v)
				return print_usage();
			kmalloc_max = v;
		} else if (a[0] == '-' && a[1]) {
			return print_usage();
		} else if (!input) {
			input = a;
		} else {
			return print_usage();
		}
	}
	if (!input)
		return print_usage();
	if (read_source(input, &src))
		return 2;
	mem = open_memstream(&text, &len);
	if (!mem) {
		perror("ktplan");
		return 2;
	}
	ret = ktplan_compile(&src, kind, plan, kmalloc_max, max_errors, stderr,
			     mem);
	fclose(mem);
	if (!ret)
		ret = write_output(output, text, len);
	free(text);
	free(src.line_start);
	free((char *)src.text);
	return ret;
}
#endif
