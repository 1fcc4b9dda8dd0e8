"""perms.sh: `grant` decides exactly as Django's user.has_perm(), on both
paths: the decisions the runtime hands to the database (every
authentication backend) and the database's own rlsc.has_perm (ModelBackend,
for sessions without the runtime).  Differential: every user x permission,
compared with has_perm() of a freshly loaded user, by doing what the
permission allows under the policies.

Run by tests/django_runtime/perms.sh (lib.sh) with rtsite.perms: billing,
ledger and gate (py/gate: Doc under view/add/change/delete, Note under the
custom gate.publish_doc, Memo under codenames that need quoting, Pass for
PassBackend), and gate.backends.GateBackend after ModelBackend.  Then: the
decisions are made as $user (PassBackend reads rows only their holder
sees), a session-level rlsc.perms never counts in a scope, and quoting.
"""
import glob
import os
import re
import subprocess
import tempfile
from unittest import mock

from rt_common import Tap, admin_connection, make_tenants, manage, read, setup_django

tap = Tap()

proc = manage('makemigrations')
tap.ok(proc.returncode == 0, 'makemigrations (gate and ledger)', proc.output)
proc = manage('migrate', '--no-input')
tap.ok(proc.returncode == 0, 'migrate', proc.output)
with admin_connection() as admin:
    # counts calls of plpgsql functions, per transaction
    admin.cursor().execute("ALTER DATABASE billing SET track_functions = 'pl'")

setup_django()
from django.contrib.auth.backends import ModelBackend  # noqa: E402
from django.contrib.auth.models import AnonymousUser, Group, Permission, User  # noqa: E402
from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import override_settings  # noqa: E402

import rlsc  # noqa: E402
from billing.models import Membership  # noqa: E402
from gate.models import CRAFTED_CODENAME, LONG_CODENAME, Doc, Memo, Note, Pass  # noqa: E402
from gate.probes import PERMS, _try, probe, probe_all  # noqa: E402
from rlsc.rlsfiles import declared_perms, perms_in  # noqa: E402

# ------------------------------------------------------------ the scanner

# The runtime decides the permissions its scanner finds in the .rls files;
# the policies ask about the ones the compiler names.  They must agree.
tap.eq(set(declared_perms()),
       {'billing.view_invoice', 'billing.add_invoice', 'billing.delete_invoice',
        'ledger.view_entry', 'ledger.add_entry', *PERMS,
        'gate.' + CRAFTED_CODENAME, 'gate.' + LONG_CODENAME},
       'the runtime finds every permission the installed apps grant')
golden = os.path.join(os.environ['SRCDIR'], 'tests', 'golden', 'ok')
files = sorted(glob.glob(os.path.join(golden, '*.rls')))
bad = []
for path in files:
    sql = path[:-4] + '.sql'
    if not os.path.exists(sql):
        continue
    compiled = set(re.findall(r"'\+((?:[^']|'')*)' = ANY", read(sql)))
    compiled = {c.replace("''", "'") for c in compiled}
    text = read(path)
    args = text.split('\n')[0].split()[2:] if text.startswith('-- args:') else []
    others = [a for a in args if a.endswith('.rls') and not a.endswith('catalog.rls')]
    if others:   # a golden case that compiles other files
        text = ''.join(read(os.path.join(os.environ['SRCDIR'], a)) for a in others)
    if perms_in(text) != compiled:
        bad.append((os.path.basename(path), sorted(perms_in(text)), sorted(compiled)))
tap.ok(not bad and len(files) > 40,
       f'the scanner finds the permissions the compiler checks, in {len(files)} golden files',
       *bad)
# Spellings the golden files do not have (each used to be missed by the
# scanner: a quoted permission word, a non-ASCII model name, which only
# ASCII letters fold in, and `app` after the blocks).
head = "context user integer = 'app.user_id';\n"
spellings = {
    'quoted': ('app a; model M { grant "view", "add"; }', {'a.view_m', 'a.add_m'}),
    'non-ASCII': ('app a; model Ärger { grant view; } model "Ölung" { grant add; }',
                  {'a.view_Ärger', 'a.add_Ölung'}),
    'app last': ('model M { grant delete; }\napp a;', {'a.delete_m'}),
}
bad = []
for label, (text, want) in spellings.items():
    path = os.path.join(tempfile.mkdtemp(), 'spelling.rls')
    with open(path, 'w', encoding='utf-8') as f:
        f.write(head + text)
    sql = subprocess.run([os.environ['RLSC'], 'sql', path], capture_output=True, text=True)
    compiled = set(re.findall(r"'\+((?:[^']|'')*)' = ANY", sql.stdout))
    if sql.returncode or compiled != want or perms_in(head + text) != want:
        bad.append((label, sorted(perms_in(head + text)), sorted(compiled), sql.stderr))
tap.ok(not bad, 'the scanner and the compiler agree on quoted, non-ASCII and late spellings',
       *bad)

# ------------------------------------------------------------ users

tenants, _ = make_tenants(tap)
A = tenants['acme']


def perm(name):
    app, codename = name.split('.', 1)
    return Permission.objects.get(content_type__app_label=app, codename=codename)


def member(username, active=True, superuser=False, perms=(), groups=()):
    u = User.objects.create_user(username, password=username, is_active=active,
                                 is_superuser=superuser)
    u.user_permissions.add(*[perm(p) for p in perms])
    u.groups.add(*groups)
    Membership.objects.create(user=u, customer_id=A)
    return u


docs = Group.objects.create(name='docs')
docs.permissions.add(perm('gate.add_doc'), perm('gate.delete_doc'), perm('gate.publish_doc'))
people = {
    'dora': member('dora', perms=['gate.view_doc', 'gate.change_doc']),   # directly
    'gail': member('gail', groups=[docs]),                                # through a group
    'both': member('both', perms=['gate.view_doc'], groups=[docs]),
    'ivan': member('ivan', active=False, perms=['gate.view_doc', 'gate.add_doc']),
    'igor': member('igor', active=False, groups=[docs]),
    'sue': member('sue', superuser=True),
    'sid': member('sid', active=False, superuser=True),
    'pat': member('pat', perms=['gate.publish_doc']),                    # custom permission
    'nina': member('nina'),
    'grace': member('grace'),                                  # GateBackend only
}
with rlsc.context(tenant=A, user=people['sue']):
    Doc.objects.create(tenant_id=A, title='probe')
    Note.objects.create(tenant_id=A, text='probe')
with rlsc.context(tenant=A, user=people['sue']):
    tap.eq((Doc.objects.count(), Note.objects.count()), (1, 1),
           "acme's probe rows exist (the superuser sue sees them)")


def fresh(u):
    """The user as a request would load it: no permission cache."""
    return User.objects.get(pk=u.pk) if u.pk else u


def xact_has_perm_calls():
    with connection.cursor() as cur:
        cur.execute("SELECT coalesce(pg_stat_get_xact_function_calls("
                    "'rlsc.has_perm(text, text, text)'::regprocedure), 0)")
        return cur.fetchone()[0]


def settings_now():
    with connection.cursor() as cur:
        cur.execute("SELECT current_setting('rlsc.perms_user', true), "
                    "current_setting('rlsc.perms', true)")
        return cur.fetchone()


def differential(label, subjects, user_value, expected, runtime):
    """For each subject and permission: what the policies allow under
    rlsc.context(tenant=acme, user=user_value(subject)) equals
    expected(subject, perm); runtime says whether the runtime's decisions
    must be in place (and rlsc.has_perm never called) or absent."""
    wrong, path_wrong, checked = [], [], 0
    for name, subject in subjects.items():
        connection.close()   # track_functions of the database applies to new sessions
        with rlsc.context(tenant=A, user=user_value(subject)):
            got = {p: probe(p) for p in PERMS}
            perms_user, decided = settings_now()
            calls = xact_has_perm_calls()
        want = {p: expected(subject, p) for p in PERMS}
        checked += len(PERMS)
        if got != want:
            wrong.append(f'{name}: policies {got}, has_perm {want}')
        if runtime and (decided in ('', None) or calls != 0):
            path_wrong.append(f'{name}: rlsc.perms {decided!r}, rlsc.has_perm calls {calls}')
        if not runtime and (decided not in ('', None) or perms_user not in ('', None)):
            path_wrong.append(f'{name}: rlsc.perms {decided!r} for {perms_user!r}')
    tap.ok(not wrong, f'{label}: the policies decide as user.has_perm() '
           f'({len(subjects)} users x {len(PERMS)} permissions, {checked} checks)', *wrong)
    tap.ok(not path_wrong, f'{label}: ' + (
        "through the runtime's decisions; rlsc.has_perm is never called" if runtime
        else 'through rlsc.has_perm; no decision handed over'), *path_wrong)


everyone = dict(people, anonymous=AnonymousUser())
users_only = people
model_backend = ['django.contrib.auth.backends.ModelBackend']
with_gate = model_backend + ['gate.backends.GateBackend']


def django_has_perm(u, p):
    return fresh(u).has_perm(p)


def model_backend_has_perm(u, p):
    """Django's decision with ModelBackend alone (User.has_perm's superuser
    shortcut included), what rlsc.has_perm reproduces."""
    u = fresh(u)
    return u.is_active and (u.is_superuser or ModelBackend().has_perm(u, p))


# 1. the database path: ModelBackend only, so has_perm() is ModelBackend's
with override_settings(AUTHENTICATION_BACKENDS=model_backend, RLSC_PERMISSIONS='database'):
    differential('database path (RLSC_PERMISSIONS = database)', users_only, fresh,
                 django_has_perm, runtime=False)
with override_settings(AUTHENTICATION_BACKENDS=model_backend):
    # a bare key carries no decisions: the database decides
    differential('database path (a bare key in rlsc.context)', users_only,
                 lambda u: u.pk, django_has_perm, runtime=False)

# 2. the runtime's decisions, ModelBackend only
with override_settings(AUTHENTICATION_BACKENDS=model_backend):
    differential('runtime path, ModelBackend', everyone, fresh, django_has_perm, runtime=True)

# 3. the runtime's decisions with a custom backend: its grants reach the
# database (grace, the inactive ivan, anonymous), which the database path
# cannot see
with override_settings(AUTHENTICATION_BACKENDS=with_gate):
    differential('runtime path, ModelBackend + GateBackend', everyone, fresh, django_has_perm,
                 runtime=True)
    tap.ok(fresh(people['grace']).has_perm('gate.view_doc')
           and AnonymousUser().has_perm('gate.view_doc')
           and fresh(people['ivan']).has_perm('gate.view_doc'),
           'GateBackend grants what no table holds (the test means something)')
    differential('database path with GateBackend configured: ModelBackend\'s decisions',
                 users_only, lambda u: u.pk, model_backend_has_perm, runtime=False)

# ------------------------------------------------------------ the middleware


def client(user):
    c = Client(raise_request_exception=True)
    c.force_login(user)
    return c


def over_http(c):
    return c.get('/rt/perms').json()


with override_settings(AUTHENTICATION_BACKENDS=with_gate):
    wrong = []
    for name in ('dora', 'gail', 'both', 'sue', 'pat', 'nina', 'grace'):
        u = people[name]
        got = over_http(client(u))
        want = {p: fresh(u).has_perm(p) for p in PERMS}
        if got['can'] != want or got['perms_user'] != str(u.pk):
            wrong.append(f'{name}: {got}, has_perm {want}')
    tap.ok(not wrong, 'requests through the middleware: each user can do what '
           'user.has_perm() says, with the decisions bound to their key', *wrong)
    got = over_http(client(people['grace']))
    tap.ok(got['can']['gate.view_doc'] and got['can']['gate.publish_doc']
           and '+gate.view_doc' in got['perms'],
           "a custom backend's grant reaches the database through a request (grace)", got)

    dora = people['dora']
    c = client(dora)
    tap.ok(over_http(c)['can']['gate.view_doc'], 'dora views documents')
    dora.user_permissions.remove(perm('gate.view_doc'))
    tap.ok(not over_http(c)['can']['gate.view_doc'],
           'revoked: her next request cannot', over_http(c))
    dora.groups.add(Group.objects.get(name='docs'))
    docs.permissions.add(perm('gate.view_doc'))
    got = over_http(c)
    tap.ok(got['can']['gate.view_doc'] and got['can']['gate.add_doc'],
           'granted through a group: her next request can', got)
    docs.permissions.remove(perm('gate.view_doc'))
    got = Client().get('/rt/perms').json()   # a logged-out request: anonymous
    tap.ok(not any(got['can'].values()), 'an anonymous request (no tenant) can do nothing', got)

    with override_settings(RLSC_PERMISSIONS='database'):
        got = over_http(client(people['grace']))
        tap.ok(not got['can']['gate.view_doc'] and got['perms'] == '',
               "RLSC_PERMISSIONS = 'database': no decision handed over, the database "
               "decides as ModelBackend (grace cannot)", got)
        got = over_http(client(people['both']))
        tap.eq(got['can'], {p: fresh(people['both']).has_perm(p) for p in PERMS},
               "... and decides ModelBackend's permissions right (both)")

# ------------------------------------------------------------ binding

# Decisions count only for the user they were made for.
with override_settings(AUTHENTICATION_BACKENDS=with_gate):
    with rlsc.context(tenant=A, user=fresh(people['sue'])):
        with rlsc.context(user=people['nina'].pk):
            tap.eq(probe_all(), {p: False for p in PERMS},
                   "a nested block with a bare key: no decision of the outer user counts")
            tap.eq(settings_now(), ('', ''), '... the decisions are unset inside it')
        tap.ok(all(probe_all().values()), "the outer superuser's decisions are back after it")
        with connection.cursor() as cur:
            cur.execute("SELECT set_config('app.user_id', %s, true)", [str(people['nina'].pk)])
        tap.eq(probe_all(), {p: False for p in PERMS},
               "$user changed behind the runtime's back: the superuser's decisions do not "
               "count for nina")

# ------------------------------------------------------------ decided as $user

# The decisions are made with $user already the user they are for: a
# backend may read tables whose policies depend on it (PassBackend reads
# gate_pass, whose rows only their holder sees).
pass_backends = model_backend + ['gate.backends.PassBackend']
nina, grace = people['nina'], people['grace']
with rlsc.context(user=nina.pk):   # (INSERT ... RETURNING: only she sees it)
    Pass.objects.create(holder_id=nina.pk, perm='gate.publish_doc')


def as_themselves(u, p):
    """Django's decision for u while $user is u (no decision handed over)."""
    with rlsc.context(user=u.pk):
        return fresh(u).has_perm(p)


with override_settings(AUTHENTICATION_BACKENDS=pass_backends):
    tap.ok(as_themselves(nina, 'gate.publish_doc') and not as_themselves(grace, 'gate.publish_doc'),
           'PassBackend: nina holds a pass for gate.publish_doc, grace none '
           '(each decided as $user)')
    tap.eq((over_http(client(nina))['can']['gate.publish_doc'],
            over_http(client(grace))['can']['gate.publish_doc']), (True, False),
           'requests: the middleware decides with $user set (nina can, grace cannot)')
    connection.close()
    with rlsc.context(tenant=A, user=fresh(nina)):
        tap.ok(probe('gate.publish_doc'),
               'an outermost rlsc.context decides with its $user set (nina can)', settings_now())
    with rlsc.context(tenant=A, user=fresh(nina)):
        with rlsc.context(user=fresh(grace)):
            tap.ok(not probe('gate.publish_doc'),
                   "a nested rlsc.context(user=grace) in nina's block: grace's decisions are "
                   "not made with nina's rows", settings_now())
        tap.ok(probe('gate.publish_doc'), "... and nina's are back after it")
        rlsc.set_contexts({'user': fresh(grace)})
        tap.ok(not probe('gate.publish_doc'),
               "rlsc.set_contexts(user=grace) in nina's block: grace's decisions are not made "
               "with nina's rows", settings_now())
    with rlsc.context(tenant=A, user=fresh(grace)):
        with rlsc.context(user=fresh(nina)):
            tap.ok(probe('gate.publish_doc'),
                   "a nested rlsc.context(user=nina) in grace's block: nina's decisions are made "
                   "with her rows", settings_now())

# ------------------------------------------------------------ leftovers

# A session-level rlsc.perms (a buggy library, hostile code before a
# pooler) is never read inside a scope, whatever the runtime hands over.


def leave(perms, user):
    """set_config(..., false) outside any transaction: it stays on the
    server connection."""
    with connection.cursor() as cur:
        cur.execute("SELECT set_config('rlsc.perms', %s, false), "
                    "set_config('rlsc.perms_user', %s, false)", [perms, user])


left = '{' + ','.join('+' + p for p in PERMS) + '}'
nothing = {p: False for p in PERMS}
for label, mode, scanned in (("RLSC_PERMISSIONS = 'database'", 'database', None),
                             ('a scanner that found no grant', 'django', ())):
    with override_settings(AUTHENTICATION_BACKENDS=model_backend, RLSC_PERMISSIONS=mode), \
            mock.patch('rlsc.contexts.declared_perms',
                       (lambda: scanned) if scanned is not None else declared_perms):
        c = client(nina)
        leave(left, str(nina.pk))
        got = over_http(c)
        tap.eq(got['can'], nothing, f'{label}: a session-level rlsc.perms for nina does not '
               'count in her request')
        leave(left, str(nina.pk))
        with rlsc.context(tenant=A, user=fresh(nina)):
            tap.eq(probe_all(), nothing, f'{label}: ... nor in her outermost rlsc.context')
        leave('', '')

# ------------------------------------------------------------ quoting

# Codenames with '"', '\', ',', '{', '}', spaces, quotes and non-ASCII
# letters, 95 characters long: the runtime's array and the compiler's
# literal name the same permission, and one cannot bring in another.
crafted, long_ = 'gate.' + CRAFTED_CODENAME, 'gate.' + LONG_CODENAME
people['mia'] = member('mia', perms=[crafted])
people['leo'] = member('leo', perms=[long_])
with rlsc.context(tenant=A, user=people['sue']):
    Memo.objects.create(tenant_id=A, text='probe')


def memo_probes():
    tenant = "(SELECT NULLIF(current_setting('app.tenant_id', true), '')::bigint)"
    return (bool(_try("SELECT id FROM gate_memo WHERE text = 'probe'")),
            bool(_try(f"INSERT INTO gate_memo (tenant_id, text) VALUES ({tenant}, 'new')")),
            probe('gate.publish_doc'))


with override_settings(AUTHENTICATION_BACKENDS=model_backend):
    for name in ('mia', 'leo', 'sue', 'nina'):
        u = fresh(people[name])
        want = (u.has_perm(crafted), u.has_perm(long_), u.has_perm('gate.publish_doc'))
        for path, value in (('runtime', u), ('database', u.pk)):
            connection.close()   # the pending counts of rlsc.has_perm calls start at 0
            with rlsc.context(tenant=A, user=value):
                got = memo_probes()
                calls = xact_has_perm_calls()
                with connection.cursor() as cur:
                    cur.execute("SELECT CAST(NULLIF(current_setting('rlsc.perms'), '') AS text[])")
                    array = cur.fetchone()[0]
            tap.eq(got, want, f'quoting, {name}, {path} path: read, add memos, read notes as '
                   'has_perm() says')
            if path == 'runtime':
                tap.ok(calls == 0 and array == [('+' if u.has_perm(p) else '-') + p
                                                for p in declared_perms()],
                       f"quoting, {name}: rlsc.perms reads back as Django's decisions, "
                       'rlsc.has_perm not called', f'calls {calls}', array)

# ------------------------------------------------------------ two settings for one context

from django.core import checks as dj_checks  # noqa: E402

tap.ok(not [m for m in dj_checks.run_checks() if m.id == 'rlsc.E001'],
       'check: no rlsc.E001 while every app declares `user` alike')
extra = os.path.join('gate', 'other.rls')
with open(extra, 'w', encoding='utf-8') as f:
    f.write("app gate;\ncontext user integer = 'app.other_user_id';\n")
try:
    found = [m for m in dj_checks.run_checks() if m.id == 'rlsc.E001']
    tap.ok(len(found) == 1 and "'app.other_user_id'" in found[0].msg
           and "'app.user_id'" in found[0].msg,
           "check: rlsc.E001 when a file declares `user` with another setting "
           "(the runtime would set only one)", [m.msg for m in found])
finally:
    os.remove(extra)

tap.done()
