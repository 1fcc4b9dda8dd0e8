"""The .rls files of installed apps, and the contexts they declare.

The runtime needs to know, without running the compiler, which settings
each `context NAME TYPE = 'x.y';` statement names.  A small scanner reads
them: it skips comments (``--`` and nested ``/* */``) and literals, so a
commented-out declaration is not picked up.
"""
import os
import re
from functools import lru_cache

from django.apps import apps


def app_rls_files(app_config):
    """The .rls files of an app, sorted: policies live beside the models."""
    try:
        names = os.listdir(app_config.path)
    except OSError:
        return []
    return sorted(os.path.join(app_config.path, n) for n in names if n.endswith('.rls'))


_TOKEN = re.compile(r"""
    (?P<space>\s+)
  | (?P<line>--[^\n]*)
  | (?P<string>'(?:[^']|'')*')
  | (?P<quoted>"(?:[^"]|"")*")
  | (?P<word>[A-Za-z_\x80-\uffff][A-Za-z0-9_$\x80-\uffff]*)
  | (?P<other>.)
""", re.VERBOSE | re.DOTALL)


def _tokens(text):
    """Words, strings and punctuation, with comments removed."""
    i, depth = 0, 0
    while i < len(text):
        if text.startswith('/*', i):
            depth += 1
            i += 2
            continue
        if depth:
            if text.startswith('*/', i):
                depth -= 1
                i += 2
            else:
                i += 1
            continue
        m = _TOKEN.match(text, i)
        i = m.end()
        kind = m.lastgroup
        if kind in ('space', 'line'):
            continue
        value = m.group()
        if kind == 'string':
            value = value[1:-1].replace("''", "'")
        elif kind == 'quoted':
            value = value[1:-1].replace('""', '"')
        elif kind == 'word':
            value = value.lower()
        yield kind, value


def contexts_in(text):
    """{name: setting} for every `context` statement of one file."""
    toks = list(_tokens(text))
    found = {}
    for i, (kind, value) in enumerate(toks):
        # a statement starts the file or follows ';', '{' or '}'
        if kind != 'word' or value != 'context':
            continue
        if i and toks[i - 1][1] not in (';', '{', '}'):
            continue
        if i + 1 >= len(toks) or toks[i + 1][0] not in ('word', 'quoted'):
            continue
        for j in range(i + 2, len(toks)):
            if toks[j][1] == ';':
                break
            if toks[j] == ('other', '=') and j + 1 < len(toks) and toks[j + 1][0] == 'string':
                found[toks[i + 1][1]] = toks[j + 1][1]
                break
    return found


@lru_cache(maxsize=None)
def declared_contexts():
    """{context name: setting} over the .rls files of all installed apps."""
    found = {}
    for app_config in apps.get_app_configs():
        for path in app_rls_files(app_config):
            with open(path, encoding='utf-8') as f:
                found.update(contexts_in(f.read()))
    return found
