"""Shared helpers of the django_runtime Python drivers.

The drivers run in the copy of the example project that lib.sh made
($PROJECT, the current directory), with DJANGO_SETTINGS_MODULE=rtsite.settings
and the database of the throwaway server in the PG* variables (connecting
as the ordinary role billing_owner).  They print unnumbered TAP lines;
lib.sh numbers them.  The last line is `# done`.
"""
import difflib
import os
import subprocess
import sys
import traceback

PY = os.environ.get('PY') or sys.executable
PROJECT = os.environ.get('PROJECT') or os.getcwd()


class Tap:
    def __init__(self):
        self.failures = 0

    def ok(self, cond, desc, *diag, todo=None):
        """todo: a known defect (TAP TODO: an expected failure; when it is
        fixed the test passes unexpectedly and the marker must go)."""
        print(('ok - ' if cond else 'not ok - ') + desc + (f' # TODO {todo}' if todo else ''))
        if not cond and not todo:
            self.failures += 1
        if not cond:
            for d in diag:
                self.diag(d)
        return cond

    def diag(self, text):
        for line in str(text).splitlines() or ['']:
            print('#   ' + line)

    def note(self, text):
        for line in str(text).splitlines():
            print('# ' + line)

    def eq(self, got, want, desc):
        return self.ok(got == want, desc, f'got:  {got!r}', f'want: {want!r}')

    def raises(self, fn, desc, match=None):
        """ok when fn() raises a database error (whose text contains match)."""
        from django.db import DatabaseError
        try:
            fn()
        except DatabaseError as e:
            return self.ok(match is None or match in str(e), desc, f'raised: {e}')
        except Exception as e:  # noqa: BLE001
            return self.ok(False, desc, 'raised a non-database error:',
                           traceback.format_exc())
        return self.ok(False, desc, 'no error was raised')

    def same_text(self, got, want, desc):
        diff = ''.join(difflib.unified_diff(want.splitlines(True), got.splitlines(True),
                                            'expected', 'got'))
        return self.ok(got == want, desc, diff)

    def done(self):
        print('# done')
        sys.stdout.flush()


def read(path):
    with open(path, encoding='utf-8') as f:
        return f.read()


def write(path, text):
    with open(path, 'w', encoding='utf-8') as f:
        f.write(text)


def manage(*args, check=False, env=None):
    """Runs manage.py of the project as a separate process (as a user would);
    env: variables to change (PGUSER=...)."""
    full_env = dict(os.environ, **(env or {}))
    proc = subprocess.run([PY, os.path.join(PROJECT, 'manage.py'), *args], cwd=PROJECT,
                          capture_output=True, text=True, env=full_env)
    proc.output = proc.stdout + proc.stderr
    if check and proc.returncode != 0:
        raise RuntimeError(f'manage.py {" ".join(args)} failed ({proc.returncode}):\n'
                           + proc.output)
    return proc


def admin_connection(dbname='billing'):
    """psycopg2 connection as the superuser postgres (autocommit): for
    inspecting the catalogs and setting up roles, never for policy checks."""
    import psycopg2
    conn = psycopg2.connect(host=os.environ['PGHOST'], port=os.environ['PGPORT'],
                            user='postgres', dbname=dbname)
    conn.autocommit = True
    return conn


def snapshot(cur):
    """Everything rlsc migrations create or change, as sorted text: policies
    (with their SQL and comments), the RLS flags of the tables, roles (with
    comments), functions and schemas (with comments) that are not
    PostgreSQL's own."""
    out = []
    cur.execute("""SELECT p.schemaname, p.tablename, p.policyname, p.permissive, p.roles::text,
                          p.cmd, coalesce(p.qual, '-'), coalesce(p.with_check, '-'),
                          coalesce(obj_description(pol.oid, 'pg_policy'), '-')
                   FROM pg_policies p
                   JOIN pg_policy pol ON pol.polname = p.policyname
                    AND pol.polrelid = format('%I.%I', p.schemaname, p.tablename)::regclass
                   ORDER BY 1, 2, 3""")
    out += ['policy ' + ' | '.join(map(str, r)) for r in cur.fetchall()]
    cur.execute("""SELECT c.oid::regclass::text, c.relrowsecurity, c.relforcerowsecurity
                   FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
                   WHERE c.relkind IN ('r', 'p') AND n.nspname NOT IN ('pg_catalog', 'information_schema')
                     AND n.nspname NOT LIKE 'pg_toast%' ORDER BY 1""")
    out += ['table %s rls=%s force=%s' % r for r in cur.fetchall()]
    cur.execute("""SELECT rolname, coalesce(shobj_description(oid, 'pg_authid'), '')
                   FROM pg_roles WHERE rolname !~ '^pg_' ORDER BY 1""")
    out += ['role %s %s' % r for r in cur.fetchall()]
    cur.execute("""SELECT p.oid::regprocedure::text, p.prosecdef, p.provolatile
                   FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace
                   WHERE n.nspname NOT IN ('pg_catalog', 'information_schema') ORDER BY 1""")
    out += ['function %s secdef=%s volatile=%s' % r for r in cur.fetchall()]
    cur.execute("""SELECT nspname, coalesce(obj_description(oid, 'pg_namespace'), '')
                   FROM pg_namespace WHERE nspname !~ '^pg_'
                   AND nspname <> 'information_schema' ORDER BY 1""")
    out += ['schema %s %s' % r for r in cur.fetchall()]
    return '\n'.join(out) + '\n'


def setup_django():
    import django
    django.setup()


def make_tenants(tap):
    """Customers acme (users alice, amy) and globex (bob), plus intern (acme,
    without the `billing` group).  Returns {name: id} and {username: user}."""
    for args in (['acme', 'alice', 'amy'], ['globex', 'bob']):
        proc = manage('create_tenant', *args)
        tap.ok(proc.returncode == 0, f'manage.py create_tenant {" ".join(args)}', proc.output)
    from django.contrib.auth.models import Group, Permission, User
    from billing.models import Membership
    group = Group.objects.get(name='billing')
    group.permissions.add(*Permission.objects.filter(content_type__app_label='ledger'))
    users = {u.username: u for u in User.objects.all()}
    tenants = {m.user.username: m.customer_id
               for m in Membership.objects.select_related('user')}
    intern = User.objects.create_user('intern', password='intern')
    Membership.objects.create(user=intern, customer_id=tenants['alice'])
    users['intern'] = intern
    tenants['intern'] = tenants['alice']
    return {'acme': tenants['alice'], 'globex': tenants['bob']}, users


def make_invoices(tenant, user, n, prefix, status='draft'):
    """n invoices of tenant by user, each with one line item and one audit
    log entry, written under their own context (status 'paid' is not
    reachable this way: the update rule's check allows draft and sent)."""
    import rlsc
    from billing.models import AuditLog, Invoice, LineItem
    made = []
    with rlsc.context(tenant=tenant, user=user):
        for i in range(n):
            inv = Invoice.objects.create(customer_id=tenant, number=f'{prefix}-{i + 1}',
                                         created_by=user, total=10 * (i + 1))
            # lines can be added to drafts only; the creator may then send it
            LineItem.objects.create(customer_id=tenant, invoice=inv, description='work',
                                    amount=inv.total)
            if status != inv.status:
                inv.status = status
                inv.save(update_fields=['status'])
            AuditLog.objects.create(customer_id=tenant, actor=user,
                                    action=f'created {inv.number}')
            made.append(inv)
    return made
