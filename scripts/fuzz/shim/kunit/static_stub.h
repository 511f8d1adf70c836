/* SPDX-License-Identifier: GPL-2.0 */
/* Host shim: no KUnit, no stubs. */
#define KUNIT_STATIC_STUB_REDIRECT(...) do { } while (0)
