"""drift.sh: the system check that compares the database's policies with
the installed apps' .rls files (`rlsc check --db`, rlsc.E002/E003/W004).

Run by tests/django_runtime/drift.sh (lib.sh) in a copy of examples/billing
with the app ledger.  The settings are `driftsite` (written here): rtsite's,
plus RLSC_BINARY from $RT_RLSC_BINARY and RLSC_CHECK_DRIFT = False when
$RT_CHECK_DRIFT is `off`.  Drift is made by hand as the superuser and
undone exactly (the snapshot of rt_common before and after).  A fake rlsc
(a shell script printing canned stderr) pins the parsing of its output and
how the connection reaches it.
"""
import importlib
import os
import re
import stat

from rt_common import PROJECT, Tap, admin_connection, manage, read, snapshot, write

tap = Tap()
WORK = os.environ.get('PGWORK') or PROJECT
os.environ['DJANGO_SETTINGS_MODULE'] = 'driftsite'
write(os.path.join(PROJECT, 'driftsite.py'), '''\
"""rt_drift.py's settings: rtsite's, the drift check's settings from the environment."""
import os

from rtsite.settings import *  # noqa: F401,F403

if os.environ.get('RT_RLSC_BINARY'):
    RLSC_BINARY = os.environ['RT_RLSC_BINARY']
if os.environ.get('RT_CHECK_DRIFT') == 'off':
    RLSC_CHECK_DRIFT = False
''')


def check(**env):
    proc = manage('check', '--database', 'default', env=env)
    return proc.returncode, proc.output


# ------------------------------------------------------------ drift by hand


class Site:
    """A project to make drift in: its settings, database, the app whose
    .rls file the drift is made against, the tables."""

    def __init__(self, settings, dbname, app, table, block, rls_off_table):
        self.env = {'DJANGO_SETTINGS_MODULE': settings, 'PGDATABASE': dbname}
        self.dbname, self.app, self.table, self.block = dbname, app, table, block
        self.rls_off_table = rls_off_table
        self.rls = os.path.join(app, 'policies.rls')

    def line_of(self, text):
        """The 1-based line of the app's .rls file that contains text."""
        for n, line in enumerate(read(self.rls).splitlines(), 1):
            if text in line:
                return n
        raise LookupError(text)

    def check(self, **env):
        return check(**self.env, **env)

    def create_sql(self, name):
        """The CREATE POLICY statement of the app's newest policy migration:
        recreating a policy from pg_policies' text would not store the same
        expression (PostgreSQL's deparser adds casts)."""
        mdir = os.path.join(self.app, 'migrations')
        newest = sorted(f[:-3] for f in os.listdir(mdir) if f.endswith('_rlsc_policies.py'))[-1]
        module = importlib.import_module(f'{self.app}.migrations.{newest}')
        head = f'CREATE POLICY "{name}" ON "{self.table}"'
        sql = next(sql for sql in module.UP_SQL if head in sql)
        start = sql.index(head)
        return sql[start:sql.index(';\n', start) + 1]


def run_drift_cases(site, drop, alter):
    """Drift made by hand on site.table as the superuser, each checked and
    undone exactly.  drop, alter: (policy name, text of its rule's line)."""
    admin = admin_connection(site.dbname)
    acur = admin.cursor()
    before = snapshot(acur)

    def comment(name):
        acur.execute("SELECT obj_description(oid, 'pg_policy') FROM pg_policy "
                     "WHERE polname = %s AND polrelid = %s::regclass", (name, site.table))
        return acur.fetchone()[0]

    def recreate(name, saved_comment):
        acur.execute(site.create_sql(name))
        if saved_comment is not None:
            acur.execute(f'COMMENT ON POLICY "{name}" ON {site.table} IS %s', (saved_comment,))

    def drifted(desc, place, *words):
        """check exits non-zero with rlsc.E002 at place (PATH:LINE:) and
        every word in its output."""
        rc, out = site.check()
        tap.ok(rc != 0 and 'rlsc.E002' in out and f'{site.rls}:{place}:' in out
               and all(w.lower() in out.lower() for w in words),
               f'{site.app}: {desc}: rlsc.E002 at {site.rls}:{place} naming '
               f'{", ".join(words)}, exit {rc}', out)
        return out

    def undone(desc):
        tap.same_text(snapshot(acur), before, f'{site.app}: {desc} undone exactly')
        rc, out = site.check()
        tap.ok(rc == 0 and 'rlsc.E' not in out and 'rlsc.W' not in out,
               f'{site.app}: {desc} undone: the check is clean again', out)

    name, rule = drop
    saved = comment(name)
    acur.execute(f'DROP POLICY "{name}" ON {site.table}')
    drifted('a policy dropped', site.line_of(rule), name)
    recreate(name, saved)
    undone('the dropped policy')

    model_line = site.line_of(site.block)
    acur.execute(f'CREATE POLICY "by_hand" ON {site.table} USING (true)')
    drifted('an extra policy', model_line, 'by_hand')
    acur.execute(f'DROP POLICY "by_hand" ON {site.table}')
    undone('the extra policy')

    name, rule = alter
    saved = comment(name)
    acur.execute(f'ALTER POLICY "{name}" ON {site.table} USING (id > 7)')
    drifted('a USING changed', site.line_of(rule), name, 'id > 7')
    acur.execute(f'DROP POLICY "{name}" ON {site.table}')
    recreate(name, saved)
    undone('the changed USING')

    acur.execute(f'ALTER TABLE {site.table} NO FORCE ROW LEVEL SECURITY')
    out = drifted('FORCE off', model_line, site.table, 'force')
    tap.ok('rlsc.W003' in out and not re.search(r'E002\) [^\n]*: the connecting role', out),
           f"{site.app}: FORCE off: also W003 for the owner; no E002 of rlsc's about the "
           "connecting role", out)
    acur.execute(f'ALTER TABLE {site.table} FORCE ROW LEVEL SECURITY')
    undone('FORCE off')

    table, block = site.rls_off_table
    acur.execute(f'ALTER TABLE {table} DISABLE ROW LEVEL SECURITY')
    drifted('RLS off', site.line_of(block), table)
    acur.execute(f'ALTER TABLE {table} ENABLE ROW LEVEL SECURITY')
    undone('RLS off')
    admin.close()


# ledger alone, in a database of its own: rlsc check --db compiles
# against the database's catalog, which knows a model only by its table
# `<app>_<model>`; billing's AuditLog has db_table = 'billing_audit_log'.
write(os.path.join(PROJECT, 'ledgersite.py'), '''\
"""rt_drift.py's settings without billing: the app ledger alone."""
from driftsite import *  # noqa: F401,F403
from driftsite import INSTALLED_APPS

INSTALLED_APPS = [a for a in INSTALLED_APPS if a != 'billing']
ROOT_URLCONF = 'ledgersite'
RLSC_CONTEXT_RESOLVERS = {'user': 'rlsc.resolvers.user_pk'}
urlpatterns = []
''')
ledger = Site('ledgersite', 'ledger_only', 'ledger', 'ledger_entry', 'model Entry',
              ('ledger_entry', 'model Entry'))
setup_admin = admin_connection('postgres')
setup_admin.cursor().execute('CREATE DATABASE ledger_only OWNER billing_owner')
setup_admin.close()
proc = manage('makemigrations', 'ledger')
tap.ok(proc.returncode == 0, 'makemigrations ledger', proc.output)
rc, out = ledger.check()
tap.ok('rlsc.E002' not in out and 'rlsc.W004' not in out,
       'ledger: check --database before migrate: no drift reported (migrations to apply: the '
       'database is meant to differ)', out)
proc = manage('migrate', '--no-input', env=ledger.env)
tap.ok(proc.returncode == 0, 'ledger: migrate (its system checks include the drift check)',
       proc.output)
rc, out = ledger.check()
tap.ok(rc == 0 and 'rlsc.E' not in out and 'rlsc.W' not in out,
       'ledger: check --database after migrate: no rlsc error or warning, exit 0', out)
lcur = admin_connection('ledger_only').cursor()
lcur.execute("SELECT policyname FROM pg_policies WHERE tablename = 'ledger_entry' "
             "AND policyname LIKE 'tenant%'")
tenant_policy = lcur.fetchone()[0]
run_drift_cases(ledger, ('allow_select_to_auditor', 'allow select to auditor'),
                (tenant_policy, 'tenant tenant_id'))

# billing and ledger, the test's project
billing = Site('driftsite', 'billing', 'billing', 'billing_invoice', 'model Invoice',
               ('billing_customer', 'model Customer'))
proc = manage('migrate', '--no-input')
tap.ok(proc.returncode == 0, 'billing: migrate', proc.output)
rc, out = check()
tap.ok(rc == 0 and 'rlsc.E' not in out and 'rlsc.W' not in out,
       'billing: check --database after migrate: no rlsc error or warning, exit 0 '
       "(AuditLog's db_table known from the models' catalog)", out)
run_drift_cases(billing, ('deny_delete_5d9acc2f', 'deny delete'),
                ('allow_update_a3ff3f26', 'allow update'))

# ------------------------------------------------------------ the other outcomes

lcur.execute('CREATE POLICY "by_hand" ON ledger_entry USING (true)')
proc = manage('migrate', '--no-input', env=ledger.env)
tap.ok(proc.returncode == 0 and 'rlsc.E002' not in proc.output,
       'migrate with drift in the database: not stopped by the drift check', proc.output)
rc, out = ledger.check(RT_CHECK_DRIFT='off')
tap.ok(rc == 0 and 'rlsc.E' not in out, 'RLSC_CHECK_DRIFT = False: drift not reported', out)
rc, out = ledger.check(PGUSER='postgres')
tap.ok('rlsc.W001' in out and 'rlsc.E002' in out and 'by_hand' in out
       and 'the connecting role' not in out,
       "as a superuser: W001, drift still reported, rlsc's line about the superuser left out",
       out)
lcur.execute('DROP POLICY "by_hand" ON ledger_entry')
rc, out = ledger.check(PGUSER='postgres')
tap.ok(rc == 0 and 'rlsc.W001' in out and 'rlsc.E' not in out,
       'as a superuser without drift: W001 only, exit 0', out)

lcur.execute('CREATE ROLE outsider LOGIN')
rc, out = ledger.check(PGUSER='outsider')
tap.ok(rc == 0 and 'rlsc.E' not in out and 'Traceback' not in out,
       'a role that may not read django_migrations: compared anyway, clean', out)
lcur.execute('CREATE POLICY "by_hand" ON ledger_entry USING (true)')
rc, out = ledger.check(PGUSER='outsider')
tap.ok(rc != 0 and 'rlsc.E002' in out and 'by_hand' in out,
       'a role that may not read django_migrations: drift reported', out)
lcur.execute('DROP POLICY "by_hand" ON ledger_entry')

nowhere = os.path.join(WORK, 'nowhere', 'rlsc')
rc, out = check(RT_RLSC_BINARY=nowhere)
tap.ok(rc == 0 and 'rlsc.W004' in out and nowhere in out and 'rlsc.E' not in out,
       'RLSC_BINARY pointing nowhere: rlsc.W004 naming it, exit 0', out)
rc, out = check(RLSC='', PATH=os.path.dirname(os.environ.get('PY', '/usr/bin/python3')))
tap.ok(rc == 0 and 'rlsc.W004' in out and 'not found' in out,
       'no RLSC_BINARY, no $RLSC, no rlsc on PATH: rlsc.W004', out)

# Django's own database checks (model indexes) connect before rlsc's and
# raise; the drift check adds nothing to that.
rc, out = check(PGHOST=os.path.join(WORK, 'no-such-socket-dir'))
tap.ok(rc != 0 and 'OperationalError' in out and 'no-such-socket-dir' in out
       and 'rlsc.E' not in out,
       "an unreachable database: check fails with Django's OperationalError, nothing of "
       "rlsc's", out)

# ------------------------------------------------------------ a fake rlsc

fake = os.path.join(WORK, 'fake-rlsc')
write(fake, '''#!/bin/sh
d=$(dirname "$0")
: >"$d/fake.argv"
for a in "$@"; do printf '%s\\n' "$a" >>"$d/fake.argv"; done
printf '%s' "${PGPASSWORD-(unset)}" >"$d/fake.password"
[ "$1 $2" = "check --catalog" ] && cp "$3" "$d/fake.catalog"
cat "$d/fake.stderr" >&2
exit "$(cat "$d/fake.status")"
''')
os.chmod(fake, os.stat(fake).st_mode | stat.S_IXUSR)


def fake_check(status, stderr, **env):
    write(os.path.join(WORK, 'fake.stderr'), stderr)
    write(os.path.join(WORK, 'fake.status'), str(status))
    return check(RLSC=fake, **env)


abs_rls = os.path.join(PROJECT, 'billing', 'policies.rls')
password = "pa ss'w\\rd-7Qz"
rc, out = fake_check(0, '', PGPASSWORD=password)
argv = read(os.path.join(WORK, 'fake.argv')).splitlines()
tap.ok(argv[:2] == ['check', '--catalog'] and argv[3:4] == ['--db'] and abs_rls in argv[5:]
       and os.path.join(PROJECT, 'ledger', 'policies.rls') in argv[5:],
       "rlsc check --catalog CATALOG --db CONNINFO with every installed app's .rls file", argv)
tap.ok(any('model billing.auditlog' in line for line in read(os.path.join(WORK, 'fake.catalog'))
           .splitlines()),
       "the catalog is the models' (rlsc_catalog: AuditLog's db_table)", argv)
info = argv[4] if len(argv) > 4 else ''
tap.ok("dbname='billing'" in info and "user='billing_owner'" in info
       and f"host='{os.environ['PGHOST']}'" in info and f"port='{os.environ['PGPORT']}'" in info,
       "the conninfo has Django's dbname, user, host and port", info)
tap.ok(all('pa ss' not in a and 'rd-7Qz' not in a for a in argv),
       'the password is not on the command line', argv)
tap.eq(read(os.path.join(WORK, 'fake.password')), password,
       'the password reaches rlsc as PGPASSWORD')
tap.ok(rc == 0 and 'rlsc.' not in out, 'exit 0: no message', out)

rc, out = fake_check(0, f'{abs_rls}:9:1: warning: context tenant is never read\n'
                        'context tenant bigint\n^~~~~~~\n')
tap.ok(rc == 0 and 'rlsc.' not in out, 'exit 0 with a compile warning: no message', out)

rc, out = fake_check(1, f'{abs_rls}:28:5: error: policy "x" differs: USING is (id > 7) in the '
                        'database\n    allow update\n    ^~~~~\n'
                        f'{abs_rls}:22:1: note: in model Invoice\n'
                        'rlsc: error: table public.stray has policies that no file declares\n'
                        'rlsc: error: the connecting role billing_owner is a superuser\n'
                        'rlsc: 3 errors\n')
m = re.search(r"rlsc\.E002\) database 'default': billing/policies\.rls:28:5: policy \"x\" differs",
              out)
tap.ok(rc != 0 and m and '    allow update\n    ^~~~~' in out
       and 'billing/policies.rls:22:1: note: in model Invoice' in out and PROJECT not in out,
       'an error: rlsc.E002 with the alias, PATH:LINE:COL relative to BASE_DIR, source, caret, '
       'note', out)
tap.ok("database 'default': table public.stray has policies" in out
       and out.count('rlsc.E002') == 2 and 'the connecting role' not in out
       and 'rlsc: 3 errors' not in out,
       'an error without a place is E002 too; the connecting role and the count are left out',
       out)

rc, out = fake_check(1, 'rlsc: error: the connecting role billing_owner has BYPASSRLS\n'
                        f'{abs_rls}:22:7: error: the connecting role billing_owner owns '
                        '"billing_invoice", whose FORCE ROW LEVEL SECURITY is off\n'
                        '  model Invoice {\n        ^~~~~~~\n'
                        'rlsc: 2 errors\n')
tap.ok(rc == 0 and 'rlsc.E' not in out,
       'only errors about the connecting role (W001-W003 report them): no message, exit 0', out)

rc, out = fake_check(2, 'rlsc: cannot compare: the database is a hot standby\n')
tap.ok(rc != 0 and 'rlsc.E003' in out and 'the database is a hot standby' in out
       and 'rlsc.E002' not in out,
       "exit 2: rlsc.E003 with rlsc's message", out)

rc, out = fake_check(1, 'Segmentation fault\n')
tap.ok(rc != 0 and 'rlsc.E003' in out and 'Segmentation fault' in out,
       'exit 1 without a diagnostic it can read: rlsc.E003 with the output', out)

tap.done()
