#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Count KUnit results from kunit.py --json files.

Usage: kunit-summary.py [--final] RESULTS...
Each RESULT is "LABEL=FILE.json". Prints one line per run and, with
--final, a last line "N passed, N failed". Cases are the leaves of the
JSON tree (a parameterised case counts once per parameter); a skipped
case counts as neither. A run whose file is missing, unreadable or holds
no kalloc_track case counts as one failure, so that a crash before the
suites ran can never read as green. Exits 1 if anything failed.
"""
import json
import sys


def leaves(group, path=()):
    name = group.get('name', '')
    for sub in group.get('sub_groups', []):
        yield from leaves(sub, path + (sub.get('name', ''),))
    for case in group.get('test_cases', []):
        yield path + (case['name'],), case['status']


def main(argv):
    final = '--final' in argv
    runs = [a for a in argv if a != '--final']
    total_pass = total_fail = 0
    for run in runs:
        label, _, path = run.partition('=')
        try:
            with open(path) as f:
                tree = json.load(f)
            results = [(p, s) for p, s in leaves(tree)
                       if p and p[0].startswith('kalloc_track')]
        except (OSError, ValueError) as e:
            print('%s: no results (%s)' % (label, e))
            total_fail += 1
            continue
        if not results:
            print('%s: no kalloc_track cases ran' % label)
            total_fail += 1
            continue
        npass = sum(1 for _, s in results if s == 'PASS')
        nskip = sum(1 for _, s in results if s == 'SKIP')
        bad = [('.'.join(p), s) for p, s in results
               if s not in ('PASS', 'SKIP')]
        suites = len({p[0] for p, _ in results})
        print('%s: %d suites, %d passed, %d failed, %d skipped' %
              (label, suites, npass, len(bad), nskip))
        for name, status in bad:
            print('  %s %s' % (status, name))
        total_pass += npass
        total_fail += len(bad)
    if final:
        print('%d passed, %d failed' % (total_pass, total_fail))
    return 1 if total_fail else 0


if __name__ == '__main__':
    sys.exit(main(sys.argv[1:]))
