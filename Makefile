# kalloc_track: the repo mirrors kernel paths; the kernel tree lives in a
# cache (scripts/common.sh) and patches/ is generated from the sources.
# See README.md.
SHELL := /bin/bash
S := scripts

.PHONY: all tree patches series-check kunit lint demo check

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

demo: series-check
	$(S)/demo.sh

check: tree
	$(S)/check.sh
