"""`manage.py test teams`: an rlsc project tested the way Django projects are
(testcase.sh runs it against a real PostgreSQL server, as the ordinary role
billing_owner).

A TestCase runs each test in one transaction, so every request of the test
Client is a savepoint in it.  The contexts of a request (set_config(...,
true)) would outlive it there; the middleware and rlsc.context restore the
values they found, so a TestCase sees what production sees, where each
request is a transaction of its own (the TransactionTestCase below).

The tenant resolver of the settings (teams.tenancy.team_of) reads the
protected membership table: it finds the user's team only because the
middleware sets `user` before it runs the other resolvers.
"""
from django.contrib.auth.models import User
from django.db import DatabaseError, connection, transaction
from django.test import Client, TestCase, TransactionTestCase
from django.test.utils import override_settings

import rlsc
from rlsc.resolvers import user_pk

from .models import Membership, Project, Team

BY_NAME = {'user': 'rlsc.resolvers.user_pk', 'tenant': 'teams.tenancy.team_by_name'}
BY_POLICY = {'user': 'rlsc.resolvers.user_pk', 'tenant': 'teams.tenancy.team_by_policy'}
UNSET = {'tenant': '', 'user': ''}


def contexts():
    """The contexts as the database sees them now ('' when unset)."""
    return rlsc.current_contexts(['tenant', 'user'])


def visible():
    """The projects the test itself sees, through the ORM and raw SQL."""
    with connection.cursor() as cur:
        cur.execute('SELECT name FROM teams_project ORDER BY name')
        raw = [r[0] for r in cur.fetchall()]
    orm = sorted(Project.objects.values_list('name', flat=True))
    assert raw == orm, (raw, orm)
    return orm


def client_for(user=None, raise_request_exception=False):
    """A test Client (a new one loads the middleware, and so the resolvers,
    of the settings in effect), logged in as user."""
    c = Client(raise_request_exception=raise_request_exception)
    if user is not None:
        c.force_login(user)
    return c


def make_data(case):
    """Teams acme and globex; alice in acme, eve in globex; one project each.
    Memberships are written with $user set (the policy's check), projects
    with $tenant set."""
    case.acme = Team.objects.create(name='acme')
    case.globex = Team.objects.create(name='globex')
    case.alice = User.objects.create_user('alice')
    case.eve = User.objects.create_user('eve')
    for user, team in ((case.alice, case.acme), (case.eve, case.globex)):
        with rlsc.context(user=user):
            Membership.objects.create(user=user, team=team)
        with rlsc.context(tenant=team):
            Project.objects.create(team=team, name=f'{team.name} plan')


def state(team, user, projects):
    return {'contexts': {'tenant': str(team.pk) if team else '',
                         'user': str(user.pk) if user else ''},
            'projects': projects}


class RoleTest(TestCase):
    def test_ordinary_role(self):
        """tests connect as an ordinary role: no superuser, no BYPASSRLS; it owns the tables, which have FORCE"""
        with connection.cursor() as cur:
            cur.execute('SELECT current_database(), rolsuper, rolbypassrls FROM pg_roles '
                        'WHERE rolname = current_user')
            self.assertEqual(cur.fetchone(), ('test_billing', False, False))
            cur.execute("SELECT relname, pg_get_userbyid(relowner) = current_user, "
                        "relrowsecurity, relforcerowsecurity FROM pg_class "
                        "WHERE relname IN ('teams_project', 'teams_membership') ORDER BY 1")
            self.assertEqual(cur.fetchall(), [('teams_membership', True, True, True),
                                              ('teams_project', True, True, True)])


class RequestsInOneTransaction(TestCase):
    """Requests of the test Client inside TestCase's transaction."""

    @classmethod
    def setUpTestData(cls):
        make_data(cls)

    def test_starts_unset(self):
        """a test starts with every context unset and sees no protected row"""
        self.assertEqual((contexts(), visible()), (UNSET, []))

    @override_settings(RLSC_CONTEXT_RESOLVERS=BY_NAME)
    def test_alice_then_eve(self):
        """alice's request, then eve's and an anonymous one: each sees its own team's rows only, the test none"""
        r = client_for(self.alice).get('/teams/projects').json()
        self.assertEqual(r, state(self.acme, self.alice, ['acme plan']))
        self.assertEqual(contexts(), UNSET, "after alice's request the test's contexts are back")
        self.assertEqual(visible(), [], "after alice's request the test sees none of her rows")
        r = client_for(self.eve).get('/teams/projects').json()
        self.assertEqual(r, state(self.globex, self.eve, ['globex plan']))
        self.assertEqual((contexts(), visible()), (UNSET, []))
        r = client_for().get('/teams/projects').json()
        self.assertEqual(r, state(None, None, []))
        self.assertEqual((contexts(), visible()), (UNSET, []))

    @override_settings(RLSC_CONTEXT_RESOLVERS=BY_POLICY)
    def test_alice_then_eve_resolver_reads_policy(self):
        """issue 8.2: after alice's request, eve's request (a resolver that lets the policy filter the memberships) does not get alice's team"""
        alice = client_for(self.alice).get('/teams/projects').json()
        eve = client_for(self.eve).get('/teams/projects').json()
        anon = client_for().get('/teams/projects').json()
        self.assertEqual(eve, state(self.globex, self.eve, ['globex plan']),
                         "eve's request resolves eve's team and sees none of alice's rows")
        self.assertEqual(anon, state(None, None, []), 'an anonymous request sees nothing')
        self.assertEqual(alice, state(self.acme, self.alice, ['acme plan']))

    @override_settings(RLSC_CONTEXT_RESOLVERS=BY_NAME)
    def test_streaming_response(self):
        """a streaming response is iterated with the test's contexts, as in production with none: eve's stream shows nothing"""
        r = client_for(self.eve).get('/teams/stream')
        self.assertEqual(b''.join(r.streaming_content), b'')
        with rlsc.context(tenant=self.acme, user=self.alice):
            r = client_for(self.eve).get('/teams/stream')
            self.assertEqual(b''.join(r.streaming_content), b'acme plan\n',
                             "iterated inside the test's rlsc.context: the test's rows")

    @override_settings(RLSC_CONTEXT_RESOLVERS=BY_NAME)
    def test_failed_requests(self):
        """after a request that raised, answered 500, or swallowed a database error, and after one that succeeded, the test's values are back"""
        alice = client_for(self.alice)
        with rlsc.context(tenant=self.globex, user=self.eve):
            before = contexts()
            self.assertEqual(before, {'tenant': str(self.globex.pk), 'user': str(self.eve.pk)})
            for path, params, status in (('/teams/boom', {}, 500),
                                         ('/teams/status', {'status': 500}, 500),
                                         ('/teams/status', {'status': 503}, 503),
                                         ('/teams/aborted', {}, 500),
                                         ('/teams/status', {'status': 200}, 200),
                                         ('/teams/projects', {}, 200)):
                r = alice.get(path, params)
                self.assertEqual(r.status_code, status, path)
                self.assertEqual((contexts(), visible()), (before, ['globex plan']),
                                 f'after {path} {params}: the values before it')
            with self.assertRaises(RuntimeError):
                client_for(self.alice, raise_request_exception=True).get('/teams/boom')
            self.assertEqual((contexts(), visible()), (before, ['globex plan']),
                             'after the Client re-raised the exception of the view')
        self.assertEqual((contexts(), visible()), (UNSET, []))
        r = alice.get('/teams/boom')
        self.assertEqual((r.status_code, contexts(), visible()), (500, UNSET, []),
                         'a failed request outside any block: unset after it')
        r = alice.get('/teams/projects')
        self.assertEqual((r.status_code, contexts(), visible()), (200, UNSET, []),
                         'a request outside any block: unset after it')

    def test_context_blocks(self):
        """rlsc.context blocks in a test: each restores the outer values, also after an exception, a rejected write or a swallowed error"""
        with rlsc.context(tenant=self.acme, user=self.alice):
            outer = {'tenant': str(self.acme.pk), 'user': str(self.alice.pk)}
            self.assertEqual((contexts(), visible()), (outer, ['acme plan']))
            with rlsc.context(tenant=self.globex):
                self.assertEqual((contexts(), visible()),
                                 ({'tenant': str(self.globex.pk), 'user': str(self.alice.pk)},
                                  ['globex plan']))
            self.assertEqual((contexts(), visible()), (outer, ['acme plan']))
            with self.assertRaises(ValueError):
                with rlsc.context(tenant=self.globex, user=self.eve):
                    raise ValueError('inner failure')
            self.assertEqual((contexts(), visible()), (outer, ['acme plan']))
            with self.assertRaises(DatabaseError):
                with rlsc.context(tenant=self.globex):
                    Project.objects.create(team=self.acme, name='evil')
            self.assertEqual((contexts(), visible()), (outer, ['acme plan']))
            # an error swallowed in the block: leaving it fails as leaving
            # transaction.atomic does (the savepoint cannot be released),
            # and rolling back the savepoint restores the values
            with self.assertRaises(DatabaseError):
                with rlsc.context(tenant=self.globex):
                    try:
                        with connection.cursor() as cur:
                            cur.execute('SELECT 1 / 0')
                    except DatabaseError:
                        pass
            self.assertEqual((contexts(), visible()), (outer, ['acme plan']))
        self.assertEqual((contexts(), visible()), (UNSET, []))
        with rlsc.context():
            self.assertEqual((contexts(), visible()), (UNSET, []))
        with transaction.atomic():
            with rlsc.context(tenant=self.acme):
                self.assertEqual(visible(), ['acme plan'])
            self.assertEqual((contexts(), visible()), (UNSET, []),
                             'inside a transaction.atomic of the test, after the block')

    @override_settings(RLSC_CONTEXT_RESOLVERS=BY_NAME)
    def test_nested_scopes(self):
        """a request inside a test's rlsc.context, a block inside that request: each scope gets its outer values back"""
        with rlsc.context(tenant=self.globex, user=self.eve):
            r = client_for(self.alice).get('/teams/nested', {'tenant': self.globex.pk}).json()
            self.assertEqual(r, {
                'inside': state(self.globex, self.alice, ['globex plan']),
                'after': state(self.acme, self.alice, ['acme plan'])})
            self.assertEqual(contexts(), {'tenant': str(self.globex.pk), 'user': str(self.eve.pk)},
                             "the test's block has its values back after the request")
        self.assertEqual((contexts(), visible()), (UNSET, []))


class Resolvers(TestCase):
    """Issue 8.7: resolvers that read protected rows."""

    @classmethod
    def setUpTestData(cls):
        make_data(cls)

    def test_resolver_reads_protected_membership(self):
        """the tenant resolver of the settings reads the protected membership table: alice gets acme, eve globex"""
        r = client_for(self.alice).get('/teams/projects').json()
        self.assertEqual(r, state(self.acme, self.alice, ['acme plan']))
        r = client_for(self.eve).get('/teams/projects').json()
        self.assertEqual(r, state(self.globex, self.eve, ['globex plan']))
        r = client_for().get('/teams/projects').json()
        self.assertEqual(r, state(None, None, []))

    def test_order(self):
        """`user` is resolved first with every context unset; the others run with $user set, whatever the order of the setting"""
        seen = []

        def user(request):
            seen.append(('user', contexts()))
            return user_pk(request)

        def tenant(request):
            seen.append(('tenant', contexts()))
            from .tenancy import team_of
            return team_of(request)

        with override_settings(RLSC_CONTEXT_RESOLVERS={'tenant': tenant, 'user': user}):
            # values around the request that the resolvers must not see
            with rlsc.context(tenant=self.globex, user=self.eve):
                r = client_for(self.alice).get('/teams/projects').json()
        self.assertEqual(seen, [('user', UNSET),
                                ('tenant', {'tenant': '', 'user': str(self.alice.pk)})])
        self.assertEqual(r, state(self.acme, self.alice, ['acme plan']))


class RequestsInTheirOwnTransactions(TransactionTestCase):
    """As in production: no transaction around the requests."""

    def setUp(self):
        make_data(self)

    def test_requests(self):
        """each request is its own transaction: alice acme (resolver on the protected table), eve globex, nothing outside"""
        self.assertFalse(connection.in_atomic_block)
        r = client_for(self.alice).get('/teams/projects').json()
        self.assertEqual(r, state(self.acme, self.alice, ['acme plan']))
        self.assertEqual((connection.in_atomic_block, contexts(), visible()), (False, UNSET, []))
        r = client_for(self.eve).get('/teams/projects').json()
        self.assertEqual(r, state(self.globex, self.eve, ['globex plan']))
        r = client_for(self.alice).get('/teams/boom')
        self.assertEqual((r.status_code, contexts(), visible()), (500, UNSET, []))
        r = client_for(self.eve).get('/teams/stream')
        self.assertEqual(b''.join(r.streaming_content), b'',
                         'a streaming response is iterated after the transaction: nothing')
        # PostgreSQL answers COMMIT of a failed transaction with a rollback,
        # not an error (in a TestCase, releasing the savepoint fails: 500)
        r = client_for(self.alice).get('/teams/aborted')
        self.assertEqual((r.status_code, contexts(), visible()), (200, UNSET, []))
