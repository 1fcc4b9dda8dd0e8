"""System checks: database roles that silently switch row-level security
off, and policies in the database that differ from the .rls files.

PostgreSQL skips every policy for superusers and roles with BYPASSRLS, and
for a table's owner unless the table has FORCE ROW LEVEL SECURITY.  A
policy changed by hand, or a policy migration not written or not applied,
leaves the database enforcing something other than the .rls files say:
`rlsc check --db` finds that (drift).  These run with `manage.py check
--database default`, before `migrate` and in the test runner.  And,
without a database, contexts the .rls files of two apps declare with two
settings: the runtime sets one of them, so the other app's policies would
read theirs unset and admit nothing.
"""
import os
import re
import subprocess
import sys
import tempfile

from django.apps import apps
from django.conf import settings
from django.core import checks
from django.core.management import CommandError, call_command
from django.db import DatabaseError, connections

from .binary import find_rlsc
from .rlsfiles import app_rls_files, context_declarations


@checks.register()
def check_context_settings(app_configs=None, **kwargs):
    problems = []
    for name, names in sorted(context_declarations().items()):
        if len(names) < 2:
            continue
        where = '; '.join(f"'{s}' in {', '.join(paths)}" for s, paths in sorted(names.items()))
        problems.append(checks.Error(
            f"context '{name}' is declared with {len(names)} settings: {where}",
            hint='The runtime sets one setting per context name: declare it alike in every '
                 '.rls file (or give the contexts different names).',
            id='rlsc.E001'))
    return problems


@checks.register(checks.Tags.database)
def check_rls_roles(app_configs=None, databases=None, **kwargs):
    problems = []
    for alias in databases or []:
        conn = connections[alias]
        if conn.vendor != 'postgresql':
            continue
        with conn.cursor() as cur:
            cur.execute('SELECT rolname, rolsuper, rolbypassrls FROM pg_catalog.pg_roles '
                        'WHERE rolname = current_user')
            row = cur.fetchone()
            if row is None:
                continue
            role, is_super, bypass = row
            if is_super:
                problems.append(checks.Warning(
                    f"database '{alias}' connects as superuser {role}: "
                    "PostgreSQL applies no row-level security policy to it",
                    hint='Connect as an ordinary role that owns the tables.',
                    id='rlsc.W001'))
            elif bypass:
                problems.append(checks.Warning(
                    f"database '{alias}' connects as {role}, which has BYPASSRLS: "
                    "PostgreSQL applies no row-level security policy to it",
                    hint=f'ALTER ROLE {role} NOBYPASSRLS;', id='rlsc.W002'))
            cur.execute(
                "SELECT c.oid::pg_catalog.regclass::text FROM pg_catalog.pg_class c "
                "WHERE c.relrowsecurity AND NOT c.relforcerowsecurity "
                "AND pg_catalog.pg_has_role(c.relowner, 'USAGE') ORDER BY 1")
            for (table,) in cur.fetchall():
                problems.append(checks.Warning(
                    f"database '{alias}': {role} owns {table}, which has row-level "
                    "security without FORCE: its policies do not apply to the owner",
                    hint=f'ALTER TABLE {table} FORCE ROW LEVEL SECURITY; '
                         '(drop `no force;` from the .rls block)',
                    id='rlsc.W003'))
    return problems


# ------------------------------------------------------------------ drift
#
# `rlsc check --catalog CATALOG --db CONNINFO FILES...` compiles every
# installed app's .rls files against the models' catalog (rlsc_catalog) and
# compares the compiled policies with the database's (missing or extra policies, a changed USING,
# RLS or FORCE off, ...).  It prints diagnostics only, on stderr; exit 0 no
# error, 1 errors or drift, 2 it could not compare.

# How long rlsc may take (it connects, compiles, compares in a rolled-back
# transaction): a hung server must not hang `manage.py check` for ever.
DRIFT_TIMEOUT = 300

# The connection parameters libpq understands (PostgreSQL 17's list); other
# OPTIONS keys are Django's or psycopg's (cursor_factory, isolation_level,
# assume_role, ...) and would make libpq refuse the conninfo.
LIBPQ_KEYWORDS = frozenset('''
    host hostaddr port dbname user password passfile require_auth channel_binding
    connect_timeout client_encoding options application_name fallback_application_name
    keepalives keepalives_idle keepalives_interval keepalives_count tcp_user_timeout
    replication gssencmode sslmode sslnegotiation requiressl sslcompression sslcert
    sslkey sslpassword sslcertmode sslrootcert sslcrl sslcrldir sslsni requirepeer
    ssl_min_protocol_version ssl_max_protocol_version krbsrvname gsslib gssdelegation
    service target_session_attrs load_balance_hosts
'''.split())

# `PATH:LINE:COL: SEVERITY: MESSAGE`; the path is the shortest prefix
# followed by that, so a path with a colon in it still parses.
_PLACED = re.compile(r'^(?P<path>.+?):(?P<line>\d+):(?P<col>\d+): '
                     r'(?P<severity>error|warning|note): (?P<message>.*)$')
_SUMMARY = re.compile(r'^rlsc: \d+ errors?( and \d+ warnings?)?$')


def conninfo(params):
    """(libpq conninfo, password) of Django's connection parameters
    (`get_connection_params()`): every libpq parameter as key='value' with
    backslash and quote escaped, except the password, which is returned
    apart: it goes to the child's environment (PGPASSWORD), never on a
    command line that `ps` shows."""
    params = dict(params)
    if 'database' in params:            # psycopg2's alias, Django 3.2 uses it
        params.setdefault('dbname', params.pop('database'))
    password = params.pop('password', None)
    parts = []
    for key in sorted(params):
        value = params[key]
        if key not in LIBPQ_KEYWORDS or value is None or value == '':
            continue
        value = str(value).replace('\\', '\\\\').replace("'", "\\'")
        parts.append(f"{key}='{value}'")
    return ' '.join(parts), (str(password) if password else None)


class Diagnostic:
    """One diagnostic of rlsc: severity 'error', 'warning' or 'failure' (a
    line `rlsc: MESSAGE`), its place (None for `rlsc: error: ...`), and the
    lines that follow it (source line, caret, notes)."""

    def __init__(self, severity, message, place=None):
        self.severity, self.message, self.place, self.more = severity, message, place, []


def parse_diagnostics(stderr, display=lambda path: path):
    """The diagnostics of rlsc's stderr, in order; display(path) gives the
    path as the message shows it.  Notes and free lines (source, caret) go
    with the diagnostic before them; the summary `rlsc: N errors` is left
    out."""
    found = []
    for line in stderr.splitlines():
        m = _PLACED.match(line)
        if m and m['severity'] != 'note':
            place = f"{display(m['path'])}:{m['line']}:{m['col']}"
            found.append(Diagnostic(m['severity'], m['message'], place))
        elif m:
            note = f"{display(m['path'])}:{m['line']}:{m['col']}: note: {m['message']}"
            if found:
                found[-1].more.append(note)
        elif line.startswith('rlsc: error: '):
            found.append(Diagnostic('error', line[len('rlsc: error: '):]))
        elif _SUMMARY.match(line):
            continue
        elif line.startswith('rlsc: '):
            found.append(Diagnostic('failure', line[len('rlsc: '):]))
        elif found and line.strip():
            found[-1].more.append(line)
    return found


def _covered_by_role_checks(diag):
    """rlsc's errors about the connecting role itself: a superuser, BYPASSRLS
    (without a place), the owner of a table whose FORCE is off as the files
    say (at the table).  W001-W003 report them, from the same connection.
    FORCE off against the files is drift and stays, though its message
    mentions the connecting role too."""
    return diag.message.startswith('the connecting role ')


def _display_path(path):
    """path relative to BASE_DIR when it lies under it (shorter, and what a
    developer opens from the project), else as given."""
    base = getattr(settings, 'BASE_DIR', None)
    if base:
        base = os.path.abspath(str(base))
        if os.path.abspath(path).startswith(base + os.sep):
            return os.path.relpath(os.path.abspath(path), base)
    return path


def _in_migrate():
    """Whether the check runs inside `migrate`, which runs the database
    checks first: drift must not stop the migration (a backward one, or the
    one that repairs it), and the database is meant to change."""
    from django.core.management.commands.migrate import Command as Migrate
    frame = sys._getframe(1)
    while frame is not None:
        if isinstance(frame.f_locals.get('self'), Migrate):
            return True
        frame = frame.f_back
    return False


def _unapplied(conn):
    """Whether the alias has migrations to apply: then the database is meant
    to differ from the files.  A role that may not read django_migrations
    (not the one that migrates) cannot tell: it is compared."""
    from django.db.migrations.executor import MigrationExecutor
    try:
        executor = MigrationExecutor(conn)     # reads the history already
        return bool(executor.migration_plan(executor.loader.graph.leaf_nodes()))
    except DatabaseError:
        return False


_DRIFT_HINT = ('The database differs from the .rls files: write and apply the policy '
               'migration (manage.py makemigrations, migrate), or undo the change made '
               'by hand.  Set RLSC_CHECK_DRIFT = False to skip this check.')
_FAILURE_HINT = ('rlsc check --db could not compare the .rls files with the database (it '
                 'needs a writable primary and the TEMP privilege: it compares in temporary '
                 'tables, rolled back).  Set RLSC_CHECK_DRIFT = False to skip this check.')


def _run_rlsc(rlsc, alias, conn, files):
    """The check messages of one `rlsc check --catalog --db` run on alias:
    compiled against the models' catalog (rlsc_catalog: the database cannot
    say which table a model with its own db_table names), compared with
    the database."""
    info, password = conninfo(conn.get_connection_params())
    env = dict(os.environ)
    if password:
        env['PGPASSWORD'] = password
    try:
        with tempfile.TemporaryDirectory(prefix='rlsc-drift-') as tmp:
            catalog = os.path.join(tmp, 'catalog.rls')
            try:
                call_command('rlsc_catalog', output=catalog, database=alias)
            except CommandError as e:
                return [checks.Error(f"database '{alias}': drift not checked: {e}",
                                     hint=_FAILURE_HINT, id='rlsc.E003')]
            proc = subprocess.run([rlsc, 'check', '--catalog', catalog, '--db', info, *files],
                                  env=env, stdin=subprocess.DEVNULL, capture_output=True,
                                  text=True, errors='replace', timeout=DRIFT_TIMEOUT)
    except OSError as e:
        return [checks.Warning(
            f"database '{alias}': drift not checked: cannot run the rlsc compiler {rlsc}: "
            f"{e.strerror or e}",
            hint='Install rlsc, or set RLSC_BINARY in settings (or RLSC in the environment).',
            id='rlsc.W004')]
    except subprocess.TimeoutExpired:
        return [checks.Error(
            f"database '{alias}': drift not checked: rlsc check --db did not finish in "
            f"{DRIFT_TIMEOUT} seconds", hint=_FAILURE_HINT, id='rlsc.E003')]
    diags = parse_diagnostics(proc.stderr, _display_path)
    if proc.returncode == 0:
        return []   # warnings only: compile warnings, makemigrations prints them
    if proc.returncode == 1 and any(d.severity == 'error' for d in diags):
        problems = []
        for d in diags:
            if d.severity != 'error' or _covered_by_role_checks(d):
                continue
            head = f'{d.place}: {d.message}' if d.place else d.message
            problems.append(checks.Error(
                '\n'.join([f"database '{alias}': {head}", *d.more]),
                hint=_DRIFT_HINT, id='rlsc.E002'))
        return problems
    # exit 2, a crash, or output this parser does not know: rlsc's words
    said = [d.message for d in diags if d.severity in ('failure', 'error')]
    if not said:
        said = [line for line in proc.stderr.splitlines() if line.strip()][-3:]
    return [checks.Error(
        f"database '{alias}': drift not checked: rlsc check --db exited with status "
        f"{proc.returncode}: " + ('; '.join(said) or 'no message'),
        hint=_FAILURE_HINT, id='rlsc.E003')]


@checks.register(checks.Tags.database)
def check_policy_drift(app_configs=None, databases=None, **kwargs):
    """The policies in each PostgreSQL database against every installed
    app's .rls files (all of them, whatever app_configs says: a table with
    policies no given file declares counts as drift)."""
    if not getattr(settings, 'RLSC_CHECK_DRIFT', True):
        return []
    files = [path for config in apps.get_app_configs() for path in app_rls_files(config)]
    aliases = [a for a in databases or [] if connections[a].vendor == 'postgresql']
    if not files or not aliases or _in_migrate():
        return []
    rlsc = find_rlsc()
    if not rlsc:
        return [checks.Warning(
            f"drift not checked on {', '.join(repr(a) for a in aliases)}: "
            "the rlsc compiler was not found",
            hint='Install rlsc, or set RLSC_BINARY in settings (or RLSC in the environment).',
            id='rlsc.W004')]
    problems = []
    for alias in aliases:
        conn = connections[alias]
        if not _unapplied(conn):
            problems += _run_rlsc(rlsc, alias, conn, files)
    return problems
