"""The .rls files of installed apps: the contexts they declare and the
permissions their grants check.

The runtime needs to know, without running the compiler, which settings
each `context NAME TYPE = 'x.y';` statement names, and which Django
permissions `grant` rules check (it hands Django's decisions for them to
the database).  A small scanner reads them: it skips comments (``--`` and
nested ``/* */``) and literals, so a commented-out statement is not picked
up.  A permission it got wrong costs only speed: the policies ask the
database's rlsc.has_perm about any permission the runtime did not decide.
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


# Unquoted words fold to lower case in ASCII only, as the compiler's lexer
# folds them (and PostgreSQL's): `model Ärger` is the model 'Ärger'.
_ASCII_LOWER = str.maketrans('ABCDEFGHIJKLMNOPQRSTUVWXYZ', 'abcdefghijklmnopqrstuvwxyz')

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
            value = value.translate(_ASCII_LOWER)
        yield kind, value


_STATEMENT_END = (('other', ';'), ('other', '{'), ('other', '}'))


def _statement_starts(toks):
    """(index, keyword) of every statement: a word that starts the file or
    follows ';', '{' or '}'."""
    for i, (kind, value) in enumerate(toks):
        if kind == 'word' and (i == 0 or toks[i - 1] in _STATEMENT_END):
            yield i, value


def contexts_in(text):
    """{name: setting} for every `context` statement of one file."""
    toks = list(_tokens(text))
    found = {}
    for i, value in _statement_starts(toks):
        if value != 'context':
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


_MODEL_PERMS = ('view', 'add', 'change', 'delete')


def perms_in(text):
    """{'app_label.codename'} that the `grant` statements of one file check,
    named as the compiler names them (lang/ast.c, ast_grant_perm): `view`
    in `model Invoice { ... }` of `app billing;` is billing.view_invoice
    (the model name lowered in ASCII, as the compiler does; the file's app
    wherever its `app` statement stands); a quoted 'app.codename' is
    itself."""
    toks = list(_tokens(text))
    starts = list(_statement_starts(toks))
    app = next((toks[i + 1][1] for i, value in starts
                if value == 'app' and i + 1 < len(toks) and toks[i + 1][0] in ('word', 'quoted')),
               None)
    model, found = None, set()
    for i, value in starts:
        nxt = toks[i + 1] if i + 1 < len(toks) else ('other', '')
        if value == 'model' and nxt[0] in ('word', 'quoted'):
            model = nxt[1].translate(_ASCII_LOWER)
        elif value == 'table':
            model = None
        elif value == 'grant':
            prev = None
            for kind, perm in toks[i + 1:]:
                if (kind, perm) == ('other', ';') or (kind == 'word' and perm in ('to', 'using')):
                    break
                if kind == 'string' and '.' in perm:
                    found.add(perm)
                elif (kind in ('word', 'quoted') and perm in _MODEL_PERMS
                      and prev != ('word', 'for') and app and model):
                    found.add(f'{app}.{perm}_{model}')
                prev = (kind, perm)
    return found


def _installed_rls_files():
    """(path, text) of every .rls file of the installed apps."""
    for app_config in apps.get_app_configs():
        for path in app_rls_files(app_config):
            with open(path, encoding='utf-8') as f:
                yield path, f.read()


@lru_cache(maxsize=None)
def _installed_rls_texts():
    """The texts of the installed apps' .rls files, read once for the
    declarations the runtime caches (contexts and permissions)."""
    return tuple(text for _, text in _installed_rls_files())


def context_declarations():
    """{context name: {setting: [paths]}} over the installed apps' files,
    read afresh (for the system check that finds one name given two
    settings)."""
    found = {}
    for path, text in _installed_rls_files():
        for name, setting in contexts_in(text).items():
            found.setdefault(name, {}).setdefault(setting, []).append(path)
    return found


@lru_cache(maxsize=None)
def declared_perms():
    """The permissions the grants of all installed apps' .rls files check,
    sorted."""
    found = set()
    for text in _installed_rls_texts():
        found |= perms_in(text)
    return tuple(sorted(found))


@lru_cache(maxsize=None)
def declared_contexts():
    """{context name: setting} over the .rls files of all installed apps."""
    found = {}
    for text in _installed_rls_texts():
        found.update(contexts_in(text))
    return found
