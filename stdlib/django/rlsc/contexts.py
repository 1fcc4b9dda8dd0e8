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

Every database alias (read replicas): a scope sets the contexts on its
own alias (`using`, RlscMiddleware's RLSC_DATABASE) at once, and on every
other alias of RLSC_DATABASES (default: every alias whose backend is
PostgreSQL) lazily, through an execute wrapper (_Fanout): nothing happens
on an alias the scope never queries, not even a connection.  The first
query on such an alias within the scope, when the connection is in
autocommit, opens a transaction (transaction.atomic) there that lasts
until the scope ends, and sets the scope's values in it before the query
runs; the later queries of the scope run in it.  (In autocommit each
statement is a transaction of its own and set_config(..., true) would
last one statement; a multi-statement prefix cannot wrap every query,
e.g. the DECLARE of a server-side cursor.)  A query on an alias that is
already inside a transaction the scope did not open (a transaction.atomic
of the caller, a TestCase's) gets the values set in that transaction
before it runs, each time, and the values found are put back when the
scope ends.  Nested scopes change the values on every alias touched.  The
transaction opened on an alias commits when the scope succeeds and rolls
back when it fails (not atomically with the scope's own: as with any two
Django databases).

RLSC_TARGET = 'citus' sets the values with SET LOCAL (Citus passes
transaction-local settings on to the workers only so, with
citus.propagate_set_commands = 'local', which it sets too) instead of
set_config(..., true); same values, same lifetime.
"""
import functools
import threading
from contextlib import ContextDecorator, contextmanager

from django.conf import settings as django_settings
from django.core.exceptions import ImproperlyConfigured
from django.db import DEFAULT_DB_ALIAS, connections, transaction
from django.db.transaction import TransactionManagementError

from .rlsfiles import declared_contexts, declared_perms

# The runtime's own settings (lang/lower.c reads them; no context may use
# a name under 'rlsc.'): the permission decisions and whose they are.
PERMS = 'rlsc.perms'
PERMS_USER = 'rlsc.perms_user'

# The context whose value the decisions are bound to.
USER = 'user'

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
    be another user's view bound to this user's key.  Returns the
    decisions' assignments ({} when none), for the other aliases."""
    _apply(conn, assignments)
    user = values.get(USER)
    if USER in values and callable(getattr(user, 'has_perm', None)):
        perms = perm_assignments(user)
        _apply(conn, perms)
        return perms
    return {}


TARGETS = ('postgresql', 'citus')


def target():
    """RLSC_TARGET: 'postgresql' (the default) or 'citus'."""
    name = getattr(django_settings, 'RLSC_TARGET', None) or 'postgresql'
    if name not in TARGETS:
        raise ImproperlyConfigured(
            f"RLSC_TARGET must be one of {', '.join(map(repr, TARGETS))}, not {name!r}")
    return name


def sql_name(setting):
    """A setting's name for SET: each dotted part a quoted identifier."""
    return '.'.join('"' + part.replace('"', '""') + '"' for part in setting.split('.'))


def sql_literal(text):
    """A string literal that means text whatever standard_conforming_strings
    says: E'...' with backslash and quote escaped.  (SET takes no
    parameter.)  The client encoding is UTF-8 (Django's), in which no byte
    of a multibyte character is a quote or a backslash."""
    if '\0' in text:
        raise ValueError('rlsc: a context value cannot contain a NUL character')
    return "E'" + text.replace('\\', '\\\\').replace("'", "''") + "'"


def set_local_sql(assignments):
    """The SET LOCAL statements (one string) that make assignments."""
    return '; '.join(["SET LOCAL citus.propagate_set_commands = 'local'"] + [
        f'SET LOCAL {sql_name(setting)} = {sql_literal(text)}'
        for setting, text in assignments.items()])


def _apply(conn, assignments):
    if not assignments:
        return
    with conn.cursor() as cur:
        if target() == 'citus':
            # no parameters: psycopg2 leaves the text as it is
            cur.execute(set_local_sql(assignments))
        else:
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
    """Whether a scope is open in this thread (on any alias): a scope opened
    now is nested and inherits the values it does not name."""
    return _fanout() is not None


def _check_atomic(conn):
    if not conn.in_atomic_block:
        raise RuntimeError('rlsc: policy contexts need a transaction (transaction.atomic)')


def set_contexts(values, using=DEFAULT_DB_ALIAS):
    """Sets contexts for the current transaction (one must be open).  Only
    the contexts named; the others keep their current value.  Inside a
    scope, also on the other aliases the scope touches, until the scope (or
    the nested one it is called in) ends."""
    _set_everywhere(values, using, every=False)


def set_all_contexts(values, using=DEFAULT_DB_ALIAS):
    """Sets every declared context for the current transaction (one must be
    open): the named ones to their value, the others to '' (unset); inside
    a scope, on its other aliases too (see set_contexts)."""
    _set_everywhere(values, using, every=True)


def _set_everywhere(values, using, every):
    conn = connections[using]
    _check_atomic(conn)
    assignments = _assignments(values, every=every)
    fan = _fanout()
    if fan is not None:
        fan.set(assignments, skip=using)
    perms = _set(conn, values, assignments)
    if fan is not None:
        fan.set(perms, skip=using)


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


def databases():
    """RLSC_DATABASES: the aliases a scope sets the contexts on, besides its
    own; by default every alias whose backend is PostgreSQL."""
    aliases = getattr(django_settings, 'RLSC_DATABASES', None)
    if aliases is None:
        return [a for a in django_settings.DATABASES if connections[a].vendor == 'postgresql']
    if isinstance(aliases, str) or not all(isinstance(a, str) for a in aliases):
        raise ImproperlyConfigured('RLSC_DATABASES must be a list of database aliases')
    unknown = [a for a in aliases if a not in django_settings.DATABASES]
    if unknown:
        raise ImproperlyConfigured(
            f"RLSC_DATABASES names {', '.join(map(repr, unknown))}, not in DATABASES")
    return list(aliases)


_local = threading.local()     # like django.db.connections: per thread


def _fanout():
    """The _Fanout of the outermost scope open in this thread, or None."""
    return getattr(_local, 'fanout', None)


class _Entry:
    """An alias the scope has queried: its DatabaseWrapper, the atomic block
    the scope opened there (None: the alias was in a transaction of its
    own), and the values found when the scope first set any (None: nothing
    to put back)."""

    def __init__(self, conn, atomic, saved):
        self.conn = conn
        self.atomic = atomic
        self.saved = saved


class _Fanout:
    """The contexts of the outermost scope of a thread on its other aliases
    (RLSC_DATABASES without the scope's own), set on the first query on
    each: an execute wrapper on each alias's connection, for the scope.
    layers: the values in effect ({setting: text}, every runtime setting),
    one per nested scope."""

    def __init__(self, primary):
        self.primary = primary
        self.layers = [{}]
        self.entries = {}
        self.hooks = []
        self.busy = 0          # > 0 while the fanout queries itself

    def install(self):
        # connections[alias] makes the DatabaseWrapper, not a connection
        for alias in databases():
            if alias != self.primary:
                conn = connections[alias]
                hook = functools.partial(self._hook, alias)
                conn.execute_wrappers.append(hook)
                self.hooks.append((conn, hook))
        _local.fanout = self

    def _hook(self, alias, execute, sql, params, many, context):
        if not self.busy and _fanout() is self:
            self._prepare(alias, context['connection'])
        return execute(sql, params, many, context)

    @contextmanager
    def _own(self):
        self.busy += 1
        try:
            yield
        finally:
            self.busy -= 1

    def _prepare(self, alias, conn):
        """Before a query on alias: the scope's values in its transaction."""
        entry = self.entries.get(alias)
        if entry is not None and entry.atomic is not None:
            if conn.in_atomic_block:
                return            # the transaction opened below, values set
            raise TransactionManagementError(
                f"rlsc: the transaction opened on database '{alias}' for the policy "
                f"contexts ended inside the scope")
        if conn.needs_rollback or _aborted(conn):
            return                # the query fails anyway; set_config would too
        values = self.layers[-1]
        with self._own():
            if not conn.in_atomic_block and conn.get_autocommit():
                # autocommit: one transaction for the rest of the scope,
                # the values set once, before this query
                atomic = transaction.atomic(using=alias)
                atomic.__enter__()
                try:
                    _apply(conn, values)
                except BaseException as exc:
                    atomic.__exit__(type(exc), exc, exc.__traceback__)
                    raise
                self.entries[alias] = _Entry(conn, atomic, entry and entry.saved)
            else:
                # a transaction the scope did not open, which may end
                # before the scope: the values before every query
                if entry is None:
                    entry = self.entries[alias] = _Entry(conn, None, _Saved(conn, list(values)))
                _apply(conn, values)

    def _targets(self, skip):
        """The connections that hold the scope's values until they change:
        the scope's own alias and the transactions it opened."""
        out = [] if skip == self.primary else [connections[self.primary]]
        out += [e.conn for a, e in self.entries.items() if e.atomic is not None and a != skip]
        return [c for c in out
                if c.in_atomic_block and not c.needs_rollback and not _aborted(c)]

    def set(self, assignments, skip=None):
        """New values in the current layer, applied at once where they are
        held (skip: the alias the caller sets itself)."""
        if not assignments:
            return
        self.layers[-1] = {**self.layers[-1], **assignments}
        with self._own():
            for conn in self._targets(skip):
                _apply(conn, assignments)

    def push(self):
        self.layers.append(dict(self.layers[-1]))

    def pop(self, skip=None):
        """A nested scope ends: the outer values back where they are held
        (the nested scope's own alias restores itself or rolls back)."""
        inner = self.layers.pop()
        back = {k: v for k, v in self.layers[-1].items() if inner.get(k) != v}
        if back:
            with self._own():
                for conn in self._targets(skip):
                    _apply(conn, back)

    def close(self, failed):
        """The outermost scope ends: each transaction it opened commits (or
        rolls back when the scope failed), values it set in others' are put
        back, the wrappers go.  The first error is raised after all that."""
        error = None
        with self._own():
            for alias, entry in reversed(list(self.entries.items())):
                conn = entry.conn
                try:
                    if entry.atomic is not None:
                        if failed and conn.in_atomic_block:
                            transaction.set_rollback(True, using=alias)
                        entry.atomic.__exit__(None, None, None)
                    elif entry.saved is not None and (
                            conn.in_atomic_block
                            or (conn.connection is not None and not conn.get_autocommit())):
                        entry.saved.restore()
                except BaseException as exc:   # noqa: BLE001  raised below
                    error = error or exc
        for conn, hook in self.hooks:
            try:
                conn.execute_wrappers.remove(hook)
            except ValueError:
                pass
        self.hooks = []
        _local.fanout = None
        if error is not None:
            raise error


@contextmanager
def fanout(using, values=None):
    """The other aliases of a scope on `using` (its own is the caller's):
    yields the _Fanout of this thread, made for an outermost scope (and
    closed when it ends), or the outer one's with a new layer."""
    fan = _fanout()
    outermost = fan is None
    if outermost:
        fan = _Fanout(using)
        fan.install()
    else:
        fan.push()
    failed = True
    try:
        yield fan
        conn = connections[using]
        failed = conn.needs_rollback or _aborted(conn)
    finally:
        if outermost:
            fan.close(failed)
        else:
            fan.pop(skip=using)


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
        fan = fanout(self.using)
        try:
            saved = _Saved(conn, list(assignments)) if outer else None
            others = fan.__enter__()
            try:
                # the other aliases first: the decisions may read them
                others.set(assignments, skip=self.using)
                others.set(_set(conn, self.values, assignments), skip=self.using)
            except BaseException as exc:
                fan.__exit__(type(exc), exc, exc.__traceback__)
                raise
        except BaseException as exc:
            atomic.__exit__(type(exc), exc, exc.__traceback__)
            raise
        self._stack.append((atomic, fan, saved))
        return self

    def __exit__(self, exc_type, exc, tb):
        atomic, fan, saved = self._stack.pop()
        error = None
        if saved is not None and exc_type is None:
            # A released savepoint keeps the inner settings: restore the
            # outer ones.  (A rolled-back savepoint reverts them itself,
            # also after transaction.set_rollback(True) in the block.)
            try:
                saved.restore()
            except BaseException as err:   # noqa: BLE001  raised below
                error = err
        try:
            if error is not None:
                fan.__exit__(type(error), error, error.__traceback__)
            else:
                fan.__exit__(exc_type, exc, tb)
        except BaseException as err:   # noqa: BLE001  raised below
            error = error or err
        if error is not None:
            atomic.__exit__(type(error), error, error.__traceback__)
            raise error
        return atomic.__exit__(exc_type, exc, tb)
