"""evolve.sh: policies.rls changes over time.

Reformatting produces no migration; an edit produces a migration with only
the change (ALTER where possible, dropped rules dropped, a table without
rules loses RLS, a new role is created), `makemigrations --check` fails on
the drift and passes afterwards, behaviour follows `migrate`, migrating back
restores the database exactly; a model change and a policy change together
give two migrations in order; `migrate billing 0001` / `zero` removes
everything billing's policies created while the other app's policies keep
working, and with both apps at zero nothing of rlsc is left.

Run by tests/django_runtime/evolve.sh (lib.sh) in a copy of examples/billing.
"""
import importlib.util
import os
import re
import subprocess
import tempfile

from rt_common import (Tap, admin_connection, make_invoices, make_tenants, manage, read, write,
                       setup_django, snapshot)

tap = Tap()
RLSC = os.environ['RLSC']
MIGRATIONS = os.path.join('billing', 'migrations')
POLICIES = os.path.join('billing', 'policies.rls')
MODELS = os.path.join('billing', 'models.py')


def listing():
    return sorted(os.listdir(MIGRATIONS))


def new_files(before):
    return sorted(set(listing()) - set(before))


def replace(text, old, new):
    assert old in text, old
    return text.replace(old, new)


def migration_module(name):
    spec = importlib.util.spec_from_file_location('m_' + name, os.path.join(MIGRATIONS, name))
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def summary(name):
    """The `# What changes:` lines of a policy migration."""
    text = read(os.path.join(MIGRATIONS, name))
    block = text.split('# What changes:\n', 1)[1].split('\n\n', 1)[0]
    return [line[len('#   '):] for line in block.splitlines()]


def matches(lines, patterns):
    """Every line matches one pattern and every pattern one line (in any
    order: the order of the changes is the emitter's business)."""
    left = list(patterns)
    for line in lines:
        hit = next((p for p in left if re.fullmatch(p, line)), None)
        if hit is None:
            return False
        left.remove(hit)
    return not left


admin = admin_connection()
acur = admin.cursor()


def state():
    return snapshot(acur)


def migrate(*args, desc=None):
    proc = manage('migrate', '--no-input', *args)
    tap.ok(proc.returncode == 0, desc or 'migrate ' + ' '.join(args), proc.output)
    return proc


# ------------------------------------------------------------ the starting point

proc = manage('makemigrations')
tap.ok(proc.returncode == 0 and "No changes detected in app 'billing'" in proc.stdout,
       'makemigrations: the committed billing migrations are current; ledger gets its own',
       proc.output)
acur.execute('CREATE ROLE finance LOGIN')        # becomes an auditor later
for app in ('contenttypes', 'auth', 'sessions'):
    manage('migrate', '--no-input', app, check=True)
S0 = state()
migrate('ledger')
migrate('billing', '0001_initial')
S1 = state()
migrate('billing', desc='migrate billing (0002_rlsc_policies)')
S2 = state()
tap.ok(S1 != S2 and 'billing_invoice' in S2 and 'role support created by rlsc' in S2,
       'the policy migration changed the database', S2)

setup_django()
from django.db import connection, transaction  # noqa: E402

import rlsc  # noqa: E402
from billing.models import AuditLog, Invoice, LineItem  # noqa: E402
from ledger.models import Entry  # noqa: E402

tenants, users = make_tenants(tap)
A, B = tenants['acme'], tenants['globex']
alice, bob = users['alice'], users['bob']
make_invoices(A, alice, 2, 'A')
make_invoices(B, bob, 2, 'B')
with rlsc.context(tenant=A, user=alice):
    sent = Invoice.objects.create(customer_id=A, number='A-sent', created_by=alice)
    sent.status = 'sent'
    sent.save()
    Entry.objects.create(tenant_id=A, owner=alice, text='acme')
with rlsc.context(tenant=B, user=bob):
    Entry.objects.create(tenant_id=B, owner=bob, text='globex')
acur.execute('GRANT auditor TO finance; GRANT SELECT ON billing_invoice TO finance')


def finance_invoices(tenant):
    """Invoices the auditor member `finance` reads with $tenant set (no user:
    only `allow select to auditor` lets it read)."""
    import psycopg2
    conn = psycopg2.connect(host=os.environ['PGHOST'], port=os.environ['PGPORT'],
                            user='finance', dbname='billing')
    try:
        with conn, conn.cursor() as cur:
            cur.execute("SELECT set_config('app.tenant_id', %s, true)", [str(tenant)])
            cur.execute('SELECT count(*) FROM billing_invoice')
            return cur.fetchone()[0]
    finally:
        conn.close()


def try_delete_sent():
    """alice deletes her sent invoice (no line items); rolled back.  Rows deleted."""
    with rlsc.context(tenant=A, user=alice):
        n = Invoice.objects.filter(pk=sent.pk).delete()[0]
        transaction.set_rollback(True)
    return n


def audit_customers():
    with rlsc.context(tenant=A, user=alice):
        return set(AuditLog.objects.values_list('customer_id', flat=True))


tap.eq((try_delete_sent(), audit_customers(), finance_invoices(A)), (0, {A}, 3),
       'before the edit: a sent invoice cannot be deleted, the audit log is isolated, '
       'an auditor reads the tenant\'s invoices')

# ------------------------------------------------------------ reformatting

original = read(POLICIES)
before = listing()
write(POLICIES, read(os.path.join('rtdata', 'billing_reformatted.rls')))
proc = manage('makemigrations')
tap.ok(proc.returncode == 0 and "No changes detected in app 'billing'" in proc.stdout,
       'reformatted, reordered, re-commented policies.rls: "No changes detected", exit 0',
       proc.output)
tap.eq(listing(), before, '... and no migration written')
proc = manage('makemigrations', '--check')
tap.ok(proc.returncode == 0, 'makemigrations --check passes on the reformatted file', proc.output)

# ------------------------------------------------------------ an edit

edited = original
edited = replace(edited, 'role support bypass;       -- support engineers see every tenant\n',
                 'role support bypass;       -- support engineers see every tenant\n'
                 'role clerk;               -- may fix anything not yet paid\n')
edited = replace(edited, "deny delete using (status in ('sent', 'paid'));",
                 "deny delete using (status = 'paid');\n"
                 "    allow update to clerk using (status <> 'paid');")
edited = replace(edited, '    grant view, add, delete;\n    allow select to auditor;\n',
                 '    grant view, add, delete;\n')
edited = edited[:edited.index('-- db_table')]       # AuditLog loses all its rules
write(POLICIES, edited)

proc = manage('makemigrations', '--check')
tap.ok(proc.returncode == 1, 'edited: makemigrations --check exits 1', proc.output)
tap.ok("Policy changes for app 'billing'" in proc.stdout
       and 'billing_invoice: drop policy allow_select_to_auditor' in proc.stdout
       and 'role clerk: create' in proc.stdout,
       '... and lists what differs', proc.output)
tap.eq(listing(), before, '... writing nothing')
proc = manage('makemigrations', '--dry-run')
tap.ok(proc.returncode == 0 and 'UP_SQL = [' in proc.stdout and 'DOWN_SQL = [' in proc.stdout,
       'makemigrations --dry-run prints the migration', proc.output)
tap.eq(listing(), before, '... writing nothing')

proc = manage('makemigrations', '--name', 'tighten')
tap.ok(proc.returncode == 0, 'makemigrations --name tighten', proc.output)
tap.eq(new_files(before), ['0003_tighten_policies.py'],
       'exactly one new file: 0003_tighten_policies.py (no model migration)')
NAME3 = '0003_tighten_policies.py'
H = '[0-9a-f]{8}'
expected = [
    'role clerk: create if missing',
    'billing_audit_log: drop policy tenant',
    'billing_audit_log: drop policy bypass',
    'billing_audit_log: drop policy allow_select',
    f'billing_audit_log: drop policy allow_insert_{H}',
    'billing_audit_log: row level security (off|flags restored).*',
    'billing_invoice: drop policy allow_select_to_auditor',
    f'billing_invoice: rename policy deny_delete_{H} to deny_delete_{H}',
    f'billing_invoice: alter policy deny_delete_{H}',
    f'billing_invoice: create policy allow_update_to_clerk_{H}',
]
got = summary(NAME3)
tap.ok(matches(got, expected), 'the migration holds only the change', *got)
m3 = migration_module(NAME3)
up3 = ''.join(m3.UP_SQL)  # a list of statements, run unsplit
tap.ok('ALTER POLICY' in up3 and 'CREATE POLICY "deny_delete' not in up3
       and 'DROP POLICY IF EXISTS "deny_delete' not in up3,
       'the edited deny rule is altered (ALTER POLICY), not dropped and created', up3)
tap.ok('billing_customer' not in up3 and 'has_perm' not in up3
       and 'CREATE POLICY "tenant"' not in up3,
       'untouched tables, helpers and policies are not in it', up3)
tap.eq(m3.Migration.dependencies[0], ('billing', '0002_rlsc_policies'),
       "it depends on the app's latest migration")
tap.ok(('auth', '__first__') in m3.Migration.dependencies,
       'and on auth (the grants read auth_*)', m3.Migration.dependencies)
ops = m3.Migration.operations
tap.ok(len(ops) == 1 and ops[0].sql == m3.UP_SQL and ops[0].reverse_sql == m3.DOWN_SQL,
       'one RunSQL(UP_SQL, DOWN_SQL)', ops)
proc = manage('makemigrations', '--check')
tap.ok(proc.returncode == 0, 'makemigrations --check passes again', proc.output)
proc = subprocess.run([RLSC, 'django', '--check', '--migrations', MIGRATIONS, POLICIES],
                      capture_output=True, text=True)
# Without a catalog the tables are the same (public.t is t), so nothing is
# dropped or created; only `x in (select ...)` is kept as written, since
# without column types rlsc cannot prove the = ANY (ARRAY(...)) form safe.
changes = [l.strip() for l in proc.stdout.splitlines() if l.strip().startswith('- ')]
tap.ok(proc.returncode == 1 and changes
       and all(': alter policy allow_' in l and l.startswith('- billing_lineitem') for l in changes),
       'rlsc django --check without a catalog: same tables and policies; only the '
       'membership rewrite differs', proc.stdout + proc.stderr)

tap.eq((try_delete_sent(), audit_customers(), finance_invoices(A)), (0, {A}, 3),
       'not migrated yet: behaviour unchanged')
migrate('billing', desc='migrate billing (0003_tighten_policies)')
tap.eq((try_delete_sent(), audit_customers(), finance_invoices(A)), (1, {A, B}, 0),
       'migrated: the sent invoice can be deleted, billing_audit_log is no longer '
       'protected, the auditor reads no invoice')
S3 = state()
tap.ok('table billing_audit_log rls=False force=False' in S3
       and 'role clerk created by rlsc' in S3, 'RLS off on billing_audit_log; role clerk created',
       S3)
with rlsc.context(tenant=A, user=alice):
    tap.eq(set(Invoice.objects.values_list('customer_id', flat=True)), {A},
           'invoices stay isolated')

migrate('billing', '0002_rlsc_policies', desc='migrate billing 0002 (reverse of 0003)')
tap.same_text(state(), S2, 'the database is exactly as before 0003 (clerk dropped, RLS back)')
tap.eq((try_delete_sent(), audit_customers(), finance_invoices(A)), (0, {A}, 3),
       'and behaves as before')
migrate('billing', desc='migrate billing (0003 again)')
tap.same_text(state(), S3, '0003 again: the same state as the first time')

# ------------------------------------------------------------ model and policy change together

models_before, policies_before = read(MODELS), read(POLICIES)
write(MODELS, replace(models_before,
                      '    total = models.DecimalField(max_digits=12, decimal_places=2, default=0)\n',
                      '    total = models.DecimalField(max_digits=12, decimal_places=2, default=0)\n'
                      '    approved = models.BooleanField(default=False)\n'))
write(POLICIES, replace(policies_before, "allow update to clerk using (status <> 'paid');",
                        "allow update to clerk using (status <> 'paid' and not approved);"))
before = listing()
proc = manage('makemigrations')
added = new_files(before)
tap.ok(proc.returncode == 0 and len(added) == 2 and added[0].startswith('0004_')
       and added[1] == '0005_rlsc_policies.py',
       'a new field used by a new condition: Django writes 0004, rlsc 0005', proc.output, added)
if len(added) == 2:
    m5 = migration_module(added[1])
    tap.eq(m5.Migration.dependencies[0], ('billing', added[0][:-3]),
           "0005 depends on 0004, the app's latest migration")
    tap.ok(matches(summary(added[1]),
                   [f'billing_invoice: rename policy allow_update_to_clerk_{H} '
                    f'to allow_update_to_clerk_{H}',
                    f'billing_invoice: alter policy allow_update_to_clerk_{H}']),
           'the policy migration alters one policy', *summary(added[1]))
    migrate('billing', desc='migrate billing (0004, 0005)')
    acur.execute("SELECT qual FROM pg_policies WHERE tablename = 'billing_invoice' "
                 "AND policyname LIKE 'allow_update_to_clerk%'")
    tap.ok('approved' in acur.fetchone()[0], 'the policy reads the new column')
    migrate('billing', '0003_tighten_policies', desc='migrate billing 0003')
    tap.same_text(state(), S3, 'back at 0003: exactly the state of 0003')
    for name in added:
        os.remove(os.path.join(MIGRATIONS, name))
write(MODELS, models_before)
write(POLICIES, policies_before)
proc = manage('makemigrations', '--check')
tap.ok(proc.returncode == 0, 'models and policies restored: makemigrations --check passes',
       proc.output)

# ------------------------------------------------------------ the command line

with tempfile.TemporaryDirectory() as tmp:
    catalog = os.path.join(tmp, 'catalog.rls')
    manage('rlsc_catalog', '--output', catalog, check=True)
    write(POLICIES, original)             # drift against 0003
    before = listing()
    base = [RLSC, 'django', '--catalog', catalog, '--migrations', MIGRATIONS]
    proc = subprocess.run(base + ['--check', POLICIES], capture_output=True, text=True)
    tap.ok(proc.returncode == 1 and '0004_rlsc_policies.py would be written' in proc.stdout,
           'rlsc django --check: exit 1, names the file it would write',
           proc.stdout + proc.stderr)
    proc = subprocess.run(base + ['--dry-run', '--name', 'undo', POLICIES], capture_output=True,
                          text=True)
    tap.ok(proc.returncode == 0 and 'class Migration(migrations.Migration)' in proc.stdout,
           'rlsc django --dry-run --name: prints the migration', proc.stderr)
    proc = subprocess.run(base + ['--name', 'x' * 240, POLICIES], capture_output=True, text=True)
    tap.ok(proc.returncode == 2, 'a file that cannot be written: exit 2',
           proc.stdout + proc.stderr)
    tap.eq(listing(), before, 'nothing written by --check, --dry-run or the failed write '
           '(no temporary file left)')
    write(POLICIES, edited)

# ------------------------------------------------------------ migrating the policies away


def ledger_works(desc):
    with rlsc.context(tenant=A, user=alice):
        mine = set(Entry.objects.values_list('tenant_id', flat=True))
        try:
            with transaction.atomic():
                Entry.objects.create(tenant_id=B, owner=alice, text='evil')
            rejected = False
        except Exception:  # noqa: BLE001
            rejected = True
    outside = Entry.objects.count()
    tap.eq((mine, rejected, outside), ({A}, True, 0), desc)


ledger_works('ledger: isolated before billing is migrated back')
migrate('billing', '0001_initial', desc='migrate billing 0001_initial (all policy migrations '
                                         'reversed)')
tap.same_text(state(), S1, 'exactly the state before 0002: every billing policy, RLS flag and '
              'role (support, clerk) gone; the helper and the role auditor stay for ledger')
ledger_works('ledger: still isolated (its policies call rlsc.has_perm)')
migrate('billing', 'zero')
acur.execute("SELECT count(*) FROM pg_class WHERE relname LIKE 'billing%'")
tap.eq(acur.fetchone()[0], 0, 'migrate billing zero: the billing tables are gone')
ledger_works('ledger: still isolated after billing zero')
migrate('ledger', 'zero')
S = state()
tap.same_text(S, S0, 'both apps at zero: exactly the database before them (no policy, no '
              'rlsc role, no rlsc.has_perm, no schema rlsc)')
tap.ok('created by rlsc' not in S and 'has_perm' not in S and 'schema rlsc' not in S,
       'nothing of rlsc is left', S)
migrate(desc='migrate: everything again')
tap.same_text(state(), S3, 'the same state as before')

connection.close()
tap.done()
