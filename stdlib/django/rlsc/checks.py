"""System checks: database roles that silently switch row-level security off.

PostgreSQL skips every policy for superusers and roles with BYPASSRLS, and
for a table's owner unless the table has FORCE ROW LEVEL SECURITY.  These
run with `manage.py check --database default` and before `migrate`.  And,
without a database, contexts the .rls files of two apps declare with two
settings: the runtime sets one of them, so the other app's policies would
read theirs unset and admit nothing.
"""
from django.core import checks
from django.db import connections

from .rlsfiles import context_declarations


@checks.register()
def check_context_settings(app_configs=None, **kwargs):
    problems = []
    for name, settings in sorted(context_declarations().items()):
        if len(settings) < 2:
            continue
        where = '; '.join(f"'{s}' in {', '.join(paths)}" for s, paths in sorted(settings.items()))
        problems.append(checks.Error(
            f"context '{name}' is declared with {len(settings)} settings: {where}",
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
