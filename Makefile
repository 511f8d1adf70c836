# kalloc_track: the repo mirrors kernel paths; the kernel tree lives in a
# cache (scripts/common.sh) and patches/ is generated from the sources.
# See README.md.
SHELL := /bin/bash
S := scripts

.PHONY: all tree patches series-check kunit lint cocci sanitize bisect demo \
	bench fuzz ktplan-tests check check-full

all: check

tree:
	$(S)/prepare-tree.sh

patches: tree
	$(S)/gen-series.sh

series-check: tree
	$(S)/series-check.sh

kunit: series-check
	$(S)/kunit.sh

lint: series-check
	$(S)/lint.sh

cocci: series-check
	$(S)/cocci.sh

sanitize: series-check
	$(S)/sanitize.sh

bisect: series-check
	$(S)/bisect.sh

demo: series-check
	$(S)/demo.sh

# kalloc_track against kmalloc, devres, KUnit resources and ref_tracker:
# UML (stacks off, on, library configured out) and x86_64 QEMU -smp 2.
# Prints tables; make check runs a smoke run within make kunit.
bench: series-check
	$(S)/bench.sh

# The plan compiler on the host: golden files of every backend and
# diagnostic, built with warnings as errors, run under ASan and UBSan.
ktplan-tests: tree
	$(S)/ktplan-tests.sh

# Fuzz the input parsers (libFuzzer, ASan, UBSan) for KT_FUZZ_SECONDS
# (default 60) each, after replaying their seed corpora.
fuzz: tree
	$(S)/fuzz.sh

check: tree
	$(S)/check.sh

# check, plus the arm64 QEMU run (about 5 minutes more, cold)
check-full: tree
	KT_SANITIZE_RUNS="uml x86 kcsan arm64" $(S)/check.sh
