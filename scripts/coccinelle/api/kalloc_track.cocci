// SPDX-License-Identifier: GPL-2.0-only
/// Find misuse of memory from kalloc_track_add() and its variants:
/// freeing it with kfree(), kvfree() or kfree_sensitive() instead of
/// kalloc_track_release(), using the pointer after kalloc_track_release()
/// (which sets it to NULL), and using the result of an add before
/// checking it for NULL.
///
// Confidence: High
// Comments:
// Options: --no-includes --include-headers

virtual context
virtual org
virtual report

// sizeof() does not dereference its operand.
@sz@
expression E;
position ok;
@@

sizeof(<+... E@ok ...+>)

//----------------------------------------------------------
//  kfree() of tracked memory
//----------------------------------------------------------

@kfree_tracked depends on org || report@
expression E, E1;
identifier add = {kalloc_track_add, kalloc_track_add_zeroed,
		  kalloc_track_add_array};
identifier free = {kfree, kvfree, kfree_sensitive};
position a, f;
@@

E = add@a(...)
... when != E = E1
free@f(E)

//----------------------------------------------------------
//  use after kalloc_track_release()
//----------------------------------------------------------

@use_after depends on org || report@
expression T, T1, E, E1;
identifier fld;
position r, u != sz.ok;
@@

kalloc_track_release@r(T, &E);
... when != E = E1
    when != kalloc_track_release(T1, &E)
(
E@u->fld
|
 *E@u
|
E@u[...]
|
\(memset\|memcpy\|memmove\|strscpy\|kfree\|kvfree\)(E@u, ...)
)

//----------------------------------------------------------
//  add result used without a NULL check
//----------------------------------------------------------

@unchecked depends on org || report@
expression E, E1;
identifier add = {kalloc_track_add, kalloc_track_add_zeroed,
		  kalloc_track_add_array};
identifier fld;
position a, u != sz.ok;
@@

E = add@a(...);
... when != E == NULL
    when != E != NULL
    when != KUNIT_ASSERT_NOT_NULL(...)
    when != KUNIT_ASSERT_NOT_ERR_OR_NULL(...)
    when != E = E1
(
E@u->fld
|
 *E@u
|
E@u[...]
|
\(memset\|memcpy\|memmove\|strscpy\)(E@u, ...)
)

//----------------------------------------------------------
//  context mode: the same three, marked
//----------------------------------------------------------

@depends on context@
expression E, E1;
identifier add = {kalloc_track_add, kalloc_track_add_zeroed,
		  kalloc_track_add_array};
identifier free = {kfree, kvfree, kfree_sensitive};
@@

E = add(...)
... when != E = E1
* free(E)

@depends on context@
expression T, T1, E, E1;
identifier fld;
position u != sz.ok;
@@

kalloc_track_release(T, &E);
... when != E = E1
    when != kalloc_track_release(T1, &E)
(
* E@u->fld
|
* *E@u
|
* E@u[...]
)

@depends on context@
expression E, E1;
identifier add = {kalloc_track_add, kalloc_track_add_zeroed,
		  kalloc_track_add_array};
identifier fld;
position u != sz.ok;
@@

E = add(...);
... when != E == NULL
    when != E != NULL
    when != KUNIT_ASSERT_NOT_NULL(...)
    when != KUNIT_ASSERT_NOT_ERR_OR_NULL(...)
    when != E = E1
(
* E@u->fld
|
* *E@u
|
* E@u[...]
)

//----------------------------------------------------------

@script:python depends on org@
a << kfree_tracked.a;
f << kfree_tracked.f;
@@

coccilib.org.print_todo(f[0], "kfree of memory from kalloc_track_add(); use kalloc_track_release()")
coccilib.org.print_link(a[0], "")

@script:python depends on org@
r << use_after.r;
u << use_after.u;
@@

coccilib.org.print_todo(u[0], "use of a pointer after kalloc_track_release(), which set it to NULL")
coccilib.org.print_link(r[0], "")

@script:python depends on org@
a << unchecked.a;
u << unchecked.u;
@@

coccilib.org.print_todo(u[0], "kalloc_track_add() result used without a NULL check")
coccilib.org.print_link(a[0], "")

@script:python depends on report@
a << kfree_tracked.a;
f << kfree_tracked.f;
@@

msg = "ERROR: kfree of memory from kalloc_track_add() on line %s; use kalloc_track_release()" % (a[0].line)
coccilib.report.print_report(f[0], msg)

@script:python depends on report@
r << use_after.r;
u << use_after.u;
@@

msg = "ERROR: pointer used after kalloc_track_release() on line %s set it to NULL" % (r[0].line)
coccilib.report.print_report(u[0], msg)

@script:python depends on report@
a << unchecked.a;
u << unchecked.u;
@@

msg = "WARNING: kalloc_track_add() result on line %s used without a NULL check" % (a[0].line)
coccilib.report.print_report(u[0], msg)
