#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Regenerate patches/ from the sources (see gen-series.py).
set -eu
. "$(dirname "$0")/common.sh"
python3 "$KT_TOP/scripts/gen-series.py" "$KT_TREE" "$KT_TOP/patches"
echo "patches/: $(ls "$KT_TOP"/patches | wc -l) files"
