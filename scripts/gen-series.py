#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Generate the kalloc_track patch series from the files in this repo.

Each series/NNNN-*.msg file describes one patch: a header of
"Files:", "Lines:" and "Edits:" lines, a line "---", then the commit
message. Files are copied whole from this repo; edits are the
generator's own changes to existing kernel files (see EDITS below),
applied to the content left by the previous patch. "Lines: PATH REGEX"
gives a later patch the lines of an earlier patch's file that match
REGEX (a Makefile's "obj-y += new.o" for the file that patch adds):
the earlier patches get the file without them, and this one adds them.
The repo holds each file as the whole series leaves it. Commits are built with git plumbing
on a temporary index against the pristine base, with a fixed identity
and date, then exported with git format-patch --cover-letter, so that
the output is byte-identical for the same sources.
"""
import os
import re
import subprocess
import sys
import tempfile

TOP = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
SERIES = os.path.join(TOP, 'series')
# Paths in this repo that mirror kernel paths; every file under them must
# belong to exactly one patch.
# One project identity and a fixed date: the same sources give the same
# commits, hence byte-identical patches.
IDENTITY = {
    'GIT_AUTHOR_NAME': 'kalloc_track developers',
    'GIT_AUTHOR_EMAIL': 'kalloc-track@lists.infradead.invalid',
    'GIT_AUTHOR_DATE': '2026-11-22T00:00:00+0000',
}
IDENTITY.update({k.replace('AUTHOR', 'COMMITTER'): v
                 for k, v in IDENTITY.items()})
KERNEL_PATHS = ('include/', 'lib/', 'Documentation/', 'samples/',
                'scripts/coccinelle/', 'scripts/kalloc_track/')


def die(msg):
    sys.stderr.write('gen-series: %s\n' % msg)
    sys.exit(1)


def insert_line(anchor, text, before=False):
    """An edit that inserts text after (or before) the unique line anchor."""
    def edit(path, content, present):
        lines = content.split('\n')
        hits = [i for i, l in enumerate(lines) if l == anchor]
        if len(hits) != 1:
            die('%s: anchor %r found %d times' % (path, anchor, len(hits)))
        i = hits[0] if before else hits[0] + 1
        lines[i:i] = text.split('\n')
        return '\n'.join(lines)
    return edit


def maintainers(path, content, present):
    """Put MAINTAINERS.snippet at its sorted place, or refresh it there.

    Only the F: lines whose files exist at this point of the series are
    kept (get_maintainer.pl --self-test), so each patch that adds files
    also adds their F: line, and checkpatch sees MAINTAINERS updated.
    """
    with open(os.path.join(TOP, 'MAINTAINERS.snippet')) as f:
        entry = f.read().strip('\n').split('\n')
    name = entry[0]
    entry = [l for l in entry if not l.startswith('F:\t') or
             present(l[3:])]
    lines = content.split('\n')
    if name in lines:
        i = lines.index(name)
        j = lines.index('', i)
        lines[i:j] = entry
        return '\n'.join(lines)
    # Section titles are the lines that follow a blank line and precede
    # a field line, from the first section up to THE REST.
    first = lines.index('3C59X NETWORK DRIVER')
    end = lines.index('THE REST')
    titles = [i for i in range(first, end)
              if lines[i - 1] == '' and lines[i] and
              re.match(r'^[A-Z]:\t', lines[i + 1])]
    # MAINTAINERS is sorted only in stretches: take the place whose
    # neighbours are in order around us and share the longest prefix
    # with our title, so that "ARM/X" < name < "Y" far away loses to
    # the K-section where we belong.
    best, score = None, -1
    for k in range(1, len(titles)):
        prev, nxt = lines[titles[k - 1]], lines[titles[k]]
        if not prev < name < nxt:
            continue
        n = len(os.path.commonprefix([prev, name])) + \
            len(os.path.commonprefix([name, nxt]))
        if n > score:
            best, score = titles[k], n
    if best is not None:
        lines[best:best] = entry + ['']
        return '\n'.join(lines)
    die('no place for the MAINTAINERS entry')


EDITS = {
    'lib/Kconfig': {
        'core': insert_line('config SBITMAP',
                            'source "lib/kalloc_track/Kconfig"\n',
                            before=True),
    },
    'lib/Makefile': {
        'core': insert_line('obj-$(CONFIG_REF_TRACKER) += ref_tracker.o',
                            'obj-$(CONFIG_KALLOC_TRACK) += kalloc_track/'),
    },
    # As lib/crypto/tests/Kconfig: the suites' option sits among the
    # other KUnit tests; lib/kalloc_track/Makefile enters tests/.
    'lib/Kconfig.debug': {
        'tests': insert_line('config LIST_KUNIT_TEST',
                             'source "lib/kalloc_track/tests/Kconfig"\n',
                             before=True),
    },
    'Documentation/core-api/index.rst': {
        'docs': insert_line('   idr', '   kalloc_track'),
    },
    'samples/Kconfig': {
        'sample': insert_line('config SAMPLE_KDB',
                              'source "samples/kalloc_track/Kconfig"\n',
                              before=True),
        'bench': insert_line('config SAMPLE_KDB',
                             'source "samples/kalloc_track_bench/Kconfig"\n',
                             before=True),
    },
    'samples/Makefile': {
        'sample': insert_line(
            'obj-$(CONFIG_SAMPLE_KDB)\t\t+= kdb/',
            'obj-$(CONFIG_SAMPLE_KALLOC_TRACK)\t+= kalloc_track/\n'
            'obj-$(CONFIG_SAMPLE_KALLOC_TRACK_KUNIT_TEST) += kalloc_track/',
            before=True),
        'bench': insert_line(
            'obj-$(CONFIG_SAMPLE_KDB)\t\t+= kdb/',
            'obj-$(CONFIG_SAMPLE_KALLOC_TRACK_BENCH) += kalloc_track_bench/',
            before=True),
    },
    # ktplan is built like genksyms, when something selects it.
    'scripts/Makefile': {
        'compiler': lambda p, c, present: insert_line(
            'subdir-\t+= basic dtc gdb kconfig mod',
            'subdir-\t+= kalloc_track')(p, insert_line(
                'subdir-$(CONFIG_GENDWARFKSYMS) += gendwarfksyms',
                'subdir-$(CONFIG_KALLOC_TRACK_PLAN_COMPILER) += kalloc_track')(
                    p, c, present), present),
    },
    'MAINTAINERS': {
        'maintainers': maintainers,
    },
}


def parse_msg(path):
    with open(path) as f:
        text = f.read()
    head, sep, msg = text.partition('\n---\n')
    if not sep:
        die('%s: no "---" line between header and message' % path)
    files, edits, lines = [], [], []
    for line in head.split('\n'):
        key, _, val = line.partition(':')
        if key == 'Files':
            files += val.split()
        elif key == 'Edits':
            edits += val.split()
        elif key == 'Lines':
            f, _, regex = val.strip().partition(' ')
            if not regex:
                die('%s: "Lines:" needs a path and a regex' % path)
            lines.append((f, re.compile(regex)))
        elif line.strip() and not line.startswith('#'):
            die('%s: unknown header line %r' % (path, line))
    return files, edits, lines, msg.strip('\n') + '\n'


class Git:
    def __init__(self, tree, index):
        self.tree = tree
        self.env = dict(os.environ, GIT_INDEX_FILE=index,
                        GIT_CONFIG_GLOBAL='/dev/null',
                        GIT_CONFIG_NOSYSTEM='1', **IDENTITY)

    def __call__(self, *args, data=None):
        r = subprocess.run(('git', '-C', self.tree, '-c', 'core.abbrev=12',
                            '-c', 'diff.algorithm=myers') + args,
                           input=data, env=self.env, capture_output=True)
        if r.returncode:
            die('git %s: %s' % (' '.join(args), r.stderr.decode()))
        return r.stdout

    def blob(self, data):
        return self('hash-object', '-w', '--stdin', data=data).decode().strip()

    def put(self, path, data):
        self('update-index', '--add', '--cacheinfo',
             '100644,%s,%s' % (self.blob(data), path))


def repo_files():
    out = subprocess.run(('git', '-C', TOP, 'ls-files', '-co',
                          '--exclude-standard'), capture_output=True,
                         check=True).stdout.decode().split('\n')
    return {f for f in out if f.startswith(KERNEL_PATHS) and
            os.path.isfile(os.path.join(TOP, f))}


def main():
    if len(sys.argv) != 3:
        die('usage: gen-series.py KERNEL_TREE OUTDIR')
    tree, outdir = sys.argv[1], os.path.abspath(sys.argv[2])
    msgs = sorted(f for f in os.listdir(SERIES) if f.endswith('.msg'))
    patches = [(m,) + parse_msg(os.path.join(SERIES, m)) for m in msgs]

    claimed = {}
    for m, files, _, lines, _ in patches:
        for f in files:
            if f in claimed:
                die('%s is in %s and in %s' % (f, claimed[f], m))
            if not os.path.isfile(os.path.join(TOP, f)):
                die('%s: %s does not exist' % (m, f))
            claimed[f] = m
        for f, regex in lines:
            if f not in claimed:
                die('%s: Lines: of %s, which no earlier patch adds' % (m, f))
            with open(os.path.join(TOP, f)) as fh:
                if not any(regex.search(l) for l in fh.read().split('\n')):
                    die('%s: no line of %s matches %r' % (m, f,
                                                          regex.pattern))

    def content(f, k):
        """File f as patch k leaves it: without later patches' lines."""
        with open(os.path.join(TOP, f), 'rb') as fh:
            data = fh.read()
        later = [r for _, _, _, ls, _ in patches[k + 1:]
                 for p, r in ls if p == f]
        if not later:
            return data
        return '\n'.join(l for l in data.decode().split('\n')
                         if not any(r.search(l) for r in later)).encode()
    orphans = repo_files() - set(claimed)
    if orphans:
        die('files in no patch: %s' % ' '.join(sorted(orphans)))

    with tempfile.TemporaryDirectory() as tmp:
        git = Git(tree, os.path.join(tmp, 'index'))
        base = git('rev-parse', 'refs/tags/kalloc-track-base^{commit}')
        base = base.decode().strip()
        git('read-tree', base)
        head = base
        added = set()

        def present(pattern):
            if pattern.endswith('/'):
                return any(f.startswith(pattern) for f in added)
            return pattern in added

        for k, (m, files, edits, lines, msg) in enumerate(patches):
            added.update(files)
            for f in files + sorted({f for f, _ in lines}):
                git.put(f, content(f, k))
            for e in edits:
                done = [p for p, ed in EDITS.items() if e in ed]
                if not done:
                    die('%s: unknown edit %r' % (m, e))
                for p in done:
                    old = git('cat-file', 'blob', ':' + p).decode()
                    git.put(p, EDITS[p][e](p, old, present).encode())
            t = git('write-tree').decode().strip()
            head = git('commit-tree', t, '-p', head,
                       data=msg.encode()).decode().strip()

        with open(os.path.join(SERIES, 'cover-letter')) as f:
            subject, _, blurb = f.read().partition('\n')
        os.makedirs(outdir, exist_ok=True)
        for f in os.listdir(outdir):
            if f.endswith(('.patch', '.txt')):
                os.unlink(os.path.join(outdir, f))
        # The base is a local import of a release tarball; its commit id
        # exists nowhere else, so the cover letter names the release in
        # prose instead of a base-commit: line.
        release = git('log', '-1', '--format=%s', base).decode().strip()
        rel = re.match(r'^Linux (\S+) \((.*)\)$', release)
        if not rel:
            die('base commit subject %r is not "Linux X (...)"' % release)
        if '@BASE@' not in blurb:
            die('series/cover-letter does not say @BASE@')
        blurb = blurb.replace('@BASE@', 'v%s (%s)' % rel.groups())
        git('format-patch', '-q', '--cover-letter',
            '--no-signature', '--no-thread', '--stat=80,60',
            '-o', outdir, base + '..' + head)
        # The cover letter is not a .patch, so that "git am patches/*.patch"
        # applies the series without stopping at an empty patch.
        cover = os.path.join(outdir, '0000-cover-letter.txt')
        os.rename(os.path.join(outdir, '0000-cover-letter.patch'), cover)
        with open(cover) as f:
            text = f.read()
        text = text.replace('*** SUBJECT HERE ***', subject.strip())
        text = text.replace('*** BLURB HERE ***', blurb.strip('\n'))
        with open(cover, 'w') as f:
            f.write(text)


if __name__ == '__main__':
    main()
