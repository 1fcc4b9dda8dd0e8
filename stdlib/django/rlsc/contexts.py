"""Setting the policy contexts of the current transaction.

Every value is set with ``set_config(setting, value, true)``: it lasts
until the end of the transaction and is gone afterwards, so nothing is left
on a pooled connection (also under transaction-pooling poolers such as
PgBouncer).  A context that is not set reads as NULL in the policies, which
admits no row: unset means fail closed.

With the `user` context go Django's decisions for the permissions the
.rls files grant (RLSC_PERMISSIONS = 'django', the default): for a user
object, ``user.has_perm()`` of each, through every authentication backend,
as '+app.codename' or '-app.codename' in ``rlsc.perms`` and the user's key
in ``rlsc.perms_user``; the policies use them while that user is $user and
ask the database's rlsc.has_perm (ModelBackend's rules) otherwise.  A bare
key, or RLSC_PERMISSIONS = 'database', leaves them unset.  They are decided
once the contexts they go with are set, that user already $user: a backend
may read tables whose policies depend on it.

A *scope* is a request of RlscMiddleware or an ``rlsc.context`` block.  The
outermost scope on a connection sets every context that an installed app
declares: the ones it is given to their value, all others to ``''`` (which
the policies read as NULL); and the permission decisions, also when the
runtime hands over none (RLSC_PERMISSIONS = 'database', no grant found).
So a session-level value (``set_config(..., false)`` by a buggy view, a raw
cursor or another library, which outlives the transaction on the server
connection and, behind a pooler, reaches other clients) is never read
inside a scope.  A nested ``rlsc.context``
sets only the contexts it names and inherits the others from its scope.

A scope opened inside a transaction (a Django TestCase runs each test in
one; a request of the test Client is a savepoint in it) restores, when it
ends, the values it found: a released savepoint keeps set_config(...,
true) values, so without that they would outlive the scope.  A scope that
rolls back needs nothing: PostgreSQL restores settings on ROLLBACK TO
SAVEPOINT, as on ROLLBACK.
"""
import threading
from contextlib import ContextDecorator, contextmanager

from django.conf import settings as django_settings
from django.core.exceptions import ImproperlyConfigured
from django.db import DEFAULT_DB_ALIAS, connections, transaction

from .rlsfiles import declared_contexts, declared_perms

# The runtime's own settings (lang/lower.c reads them; no context may use
# a name under 'rlsc.'): the permission decisions and whose they are.
PERMS = 'rlsc.perms'
PERMS_USER = 'rlsc.perms_user'

# The context whose value the decisions are bound to.
USER = 'user'

# The number of scopes open on a DatabaseWrapper.  Django gives each thread
# (and each async context) its own DatabaseWrapper, so this is per
# connection and per thread.
_DEPTH = '_rlsc_scope_depth'


def _setting(name):
    settings = declared_contexts()
    if name not in settings:
        known = ', '.join(sorted(settings)) or 'none'
        raise KeyError(f"rlsc: no .rls file declares context '{name}' (declared: {known})")
    return settings[name]


def _text(value):
    """The text a policy casts back: '' for None (and for a model instance
    without a key, such as AnonymousUser), which reads as NULL."""
    value = getattr(value, 'pk', value)
    if value is None:
        return ''
    if isinstance(value, bool):
        return 'true' if value else 'false'
    return str(value)


def _decide_perms():
    mode = getattr(django_settings, 'RLSC_PERMISSIONS', 'django')
    if mode not in ('django', 'database'):
        raise ImproperlyConfigured(
            f"RLSC_PERMISSIONS must be 'django' or 'database', not {mode!r}")
    return mode == 'django' and bool(declared_perms())


def _array(items):
    """A PostgreSQL text[] literal: every element double-quoted."""
    return '{' + ','.join(
        '"' + i.replace('\\', '\\\\').replace('"', '\\"') + '"' for i in items) + '}'


def perm_assignments(user):
    """{setting: text} of the permission decisions for the value of the
    `user` context: for an object with has_perm() (a user, AnonymousUser)
    Django's decision for each permission the .rls files grant, bound to
    its key; for anything else (a bare key, None) unset, so that
    rlsc.has_perm decides.  {} when nothing is granted anywhere."""
    if not _decide_perms():
        return {}
    if not callable(getattr(user, 'has_perm', None)):
        return {PERMS: '', PERMS_USER: ''}
    decisions = [('+' if user.has_perm(p) else '-') + p for p in declared_perms()]
    return {PERMS: _array(decisions), PERMS_USER: _text(user)}


def runtime_settings():
    """Every setting an outermost scope sets: the declared contexts' and the
    permission decisions'.  The decisions' too when the runtime hands over
    none (RLSC_PERMISSIONS = 'database', no grant found by the scanner): the
    policies read them all the same, and a session-level value left on the
    server connection must not count."""
    _decide_perms()   # RLSC_PERMISSIONS is checked in every scope
    return list(declared_contexts().values()) + [PERMS, PERMS_USER]


def _assignments(values, every=False):
    """{setting: text} for values ({context name: value}); with every, also
    '' for each runtime setting not among them.  Two names for one setting
    give one assignment, the named value winning over the ''.  With the
    user context go its permission decisions, unset here: _set decides them
    once these values are in place."""
    out = {_setting(name): _text(value) for name, value in values.items()}
    if USER in values:
        out.update({PERMS: '', PERMS_USER: ''})
    if every:
        for setting in runtime_settings():
            out.setdefault(setting, '')
    return out


def _set(conn, values, assignments):
    """Applies assignments (_assignments(values, ...)), then Django's
    decisions for the user among values: made with that user already $user
    and the other values set, as the middleware makes them, because an
    authentication backend may read tables whose policies depend on them.
    Decided before, under the $user of an outer scope (or none), they would
    be another user's view bound to this user's key."""
    _apply(conn, assignments)
    user = values.get(USER)
    if USER in values and callable(getattr(user, 'has_perm', None)):
        _apply(conn, perm_assignments(user))


def _apply(conn, assignments):
    if not assignments:
        return
    with conn.cursor() as cur:
        cur.execute(
            'SELECT ' + ', '.join(['pg_catalog.set_config(%s, %s, true)'] * len(assignments)),
            [x for pair in assignments.items() for x in pair])


def _read(conn, settings):
    """{setting: current text ('' when unset)}."""
    if not settings:
        return {}
    with conn.cursor() as cur:
        cur.execute('SELECT ' + ', '.join(
            ["COALESCE(pg_catalog.current_setting(%s, true), '')"] * len(settings)),
            list(settings))
        return dict(zip(settings, cur.fetchone()))


def _aborted(conn):
    """Whether the server transaction is in error (a failed statement that
    nothing rolled back): it accepts only ROLLBACK until then."""
    info = getattr(conn.connection, 'info', None)
    status = getattr(info, 'transaction_status', None)
    return status is not None and int(status) == 3   # PQTRANS_INERROR (psycopg2, psycopg 3)


class _Saved:
    """The values of settings when a scope opened, to be put back when it
    ends with its savepoint released.  Taken and put back on the same
    DatabaseWrapper and the same server session."""

    def __init__(self, conn, settings):
        self.conn = conn
        self.values = _read(conn, settings)
        self.session = conn.connection

    def restore(self):
        """Puts the values back, unless the transaction will roll back to
        before the scope anyway (which restores them, and where a query
        would fail): set_rollback(True), a closed connection, or a server
        transaction in error (committing the savepoint fails and Django
        rolls it back)."""
        conn = self.conn
        if (not self.values or conn.needs_rollback or conn.closed_in_transaction
                or conn.connection is not self.session or _aborted(conn)):
            return
        _apply(conn, self.values)


def _in_scope(conn):
    """Whether a scope is open on this connection (in this thread)."""
    return conn.in_atomic_block and getattr(conn, _DEPTH, 0) > 0


@contextmanager
def _scope(conn):
    setattr(conn, _DEPTH, getattr(conn, _DEPTH, 0) + 1)
    try:
        yield
    finally:
        setattr(conn, _DEPTH, getattr(conn, _DEPTH, 1) - 1)


def _check_atomic(conn):
    if not conn.in_atomic_block:
        raise RuntimeError('rlsc: policy contexts need a transaction (transaction.atomic)')


def set_contexts(values, using=DEFAULT_DB_ALIAS):
    """Sets contexts for the current transaction (one must be open).  Only
    the contexts named; the others keep their current value."""
    conn = connections[using]
    _check_atomic(conn)
    _set(conn, values, _assignments(values))


def set_all_contexts(values, using=DEFAULT_DB_ALIAS):
    """Sets every declared context for the current transaction (one must be
    open): the named ones to their value, the others to '' (unset)."""
    conn = connections[using]
    _check_atomic(conn)
    _set(conn, values, _assignments(values, every=True))


def _outer_transaction(conn):
    """Whether a transaction is open that outlives an atomic block entered
    now (which is then a savepoint): values set in the block must be put
    back at its end.  Otherwise the block's transaction ends with it, and
    its settings with it."""
    return conn.in_atomic_block or not conn.get_autocommit()


def current_contexts(names, using=DEFAULT_DB_ALIAS):
    """The current text of each context ('' when unset)."""
    current = _read(connections[using], [_setting(n) for n in names])
    return {n: current[_setting(n)] for n in names}


class context(ContextDecorator):
    """Runs code with policy contexts set, in a transaction.

        with rlsc.context(tenant=acme.pk, user=request.user):
            Invoice.objects.all()

        @rlsc.context(tenant=1)
        def nightly_job(): ...

    The outermost block on a connection (no enclosing rlsc.context or
    request of RlscMiddleware) sets every declared context, the ones not
    named to unset.  Nested: an inner block sets the contexts it names,
    inherits the others, and the outer values are back when it exits, also
    when it raises.  A block inside a transaction it does not open (a
    Django TestCase, a plain transaction.atomic) likewise puts back the
    values it found.  For code outside requests: shells, management
    commands, task queues, tests.
    """

    def __init__(self, using=DEFAULT_DB_ALIAS, **values):
        self.using = using
        self.values = values
        self._local = threading.local()

    @property
    def _stack(self):
        # Per thread: one instance (`ctx = rlsc.context(...)` at module
        # level) may be entered by several threads at once, and each must
        # get back its own outer values.
        try:
            return self._local.stack
        except AttributeError:
            self._local.stack = []
            return self._local.stack

    def _recreate_cm(self):
        # Each decorated call gets its own state (recursion, threads).
        return type(self)(using=self.using, **self.values)

    def __enter__(self):
        conn = connections[self.using]
        outer = _outer_transaction(conn)
        assignments = _assignments(self.values, every=not _in_scope(conn))
        atomic = transaction.atomic(using=self.using)
        atomic.__enter__()
        scope = _scope(conn)
        try:
            saved = _Saved(conn, list(assignments)) if outer else None
            _set(conn, self.values, assignments)
            scope.__enter__()
        except BaseException as exc:
            atomic.__exit__(type(exc), exc, exc.__traceback__)
            raise
        self._stack.append((atomic, scope, saved))
        return self

    def __exit__(self, exc_type, exc, tb):
        atomic, scope, saved = self._stack.pop()
        scope.__exit__(None, None, None)
        if saved is not None and exc_type is None:
            # A released savepoint keeps the inner settings: restore the
            # outer ones.  (A rolled-back savepoint reverts them itself,
            # also after transaction.set_rollback(True) in the block.)
            try:
                saved.restore()
            except BaseException as err:
                atomic.__exit__(type(err), err, err.__traceback__)
                raise
        return atomic.__exit__(exc_type, exc, tb)
