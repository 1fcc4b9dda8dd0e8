"""Setting the policy contexts of the current transaction.

Every value is set with ``set_config(setting, value, true)``: it lasts
until the end of the transaction and is gone afterwards, so nothing is left
on a pooled connection (also under transaction-pooling poolers such as
PgBouncer).  A context that is not set reads as NULL in the policies, which
admits no row: unset means fail closed.
"""
import threading
from contextlib import ContextDecorator

from django.db import DEFAULT_DB_ALIAS, connections, transaction

from .rlsfiles import declared_contexts


def _setting(name):
    settings = declared_contexts()
    if name not in settings:
        known = ', '.join(sorted(settings)) or 'none'
        raise KeyError(f"rlsc: no .rls file declares context '{name}' (declared: {known})")
    return settings[name]


def _text(value):
    """The text a policy casts back: '' for None, which reads as NULL."""
    if value is None:
        return ''
    if isinstance(value, bool):
        return 'true' if value else 'false'
    return str(getattr(value, 'pk', value))


def set_contexts(values, using=DEFAULT_DB_ALIAS):
    """Sets contexts for the current transaction (one must be open)."""
    conn = connections[using]
    if not conn.in_atomic_block:
        raise RuntimeError('rlsc: policy contexts need a transaction (transaction.atomic)')
    if not values:
        return
    with conn.cursor() as cur:
        names = list(values)
        cur.execute(
            'SELECT ' + ', '.join(['pg_catalog.set_config(%s, %s, true)'] * len(names)),
            [x for n in names for x in (_setting(n), _text(values[n]))])


def current_contexts(names, using=DEFAULT_DB_ALIAS):
    """The current text of each context ('' when unset)."""
    if not names:
        return {}
    with connections[using].cursor() as cur:
        cur.execute('SELECT ' + ', '.join(
            ["COALESCE(pg_catalog.current_setting(%s, true), '')"] * len(names)),
            [_setting(n) for n in names])
        return dict(zip(names, cur.fetchone()))


class context(ContextDecorator):
    """Runs code with policy contexts set, in a transaction.

        with rlsc.context(tenant=acme.pk, user=request.user):
            Invoice.objects.all()

        @rlsc.context(tenant=1)
        def nightly_job(): ...

    Nestable: an inner block sees its own values and the outer values are
    back when it exits, also when it raises.  For code outside requests:
    shells, management commands, task queues.
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
        atomic = transaction.atomic(using=self.using)
        atomic.__enter__()
        try:
            saved = current_contexts(list(self.values), self.using)
            set_contexts(self.values, self.using)
        except BaseException as exc:
            atomic.__exit__(type(exc), exc, exc.__traceback__)
            raise
        self._stack.append((atomic, saved))
        return self

    def __exit__(self, exc_type, exc, tb):
        atomic, saved = self._stack.pop()
        if exc_type is None and not connections[self.using].needs_rollback:
            # A released savepoint keeps the inner settings: restore the
            # outer ones.  (A rolled-back savepoint reverts them itself,
            # also after transaction.set_rollback(True) in the block.)
            try:
                set_contexts(saved, self.using)
            except BaseException as err:
                atomic.__exit__(type(err), err, err.__traceback__)
                raise
        return atomic.__exit__(exc_type, exc, tb)
