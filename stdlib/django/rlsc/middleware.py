"""Runs every request in a transaction with its policy contexts set.

Resolvers come from settings::

    RLSC_CONTEXT_RESOLVERS = {
        'user': 'rlsc.resolvers.user_pk',          # the default
        'tenant': 'myproject.tenancy.tenant_of',   # request -> value or None
    }
    RLSC_DATABASE = 'default'      # the request's transaction
    RLSC_DATABASES = [...]         # also set there, on first use (contexts.py)

Every context an installed app declares is set for the request: to the
resolver's value, or to '' (which the policies read as NULL) when the
resolver returns None or there is none, so an anonymous request sees no
protected row, whatever a session-level set_config left on the (pooled)
server connection.  The values are transaction-local (set_config(...,
true)), so they vanish when the request's transaction ends, committed or
rolled back, and the next request on the same pooled connection starts
clean.

The resolvers run inside the request's transaction, in this order, so that
a resolver may read protected tables (a membership table whose policy
depends on $user):

1. every declared context is set to '' (no value from before the request
   is seen, not even by the resolvers);
2. the resolver of the context named `user` runs, and its value is set;
3. Django decides the permissions the .rls files grant for request.user
   (every authentication backend, with $user set), when $user is
   request.user (see contexts.perm_assignments);
4. the other resolvers run, in the order of the setting, with $user set
   (and the others unset); then their values and the permission decisions
   are set, in one statement.

When the request's transaction is a savepoint in a transaction around it
(a Django TestCase runs each test in one), the values found before the
request are put back when the request ends, so nothing outlives the
request there either: a released savepoint keeps set_config(..., true)
values; one rolled back reverts them itself.

The transaction rolls back when the request fails, whatever
ATOMIC_REQUESTS says: when the view raises (Django turns the exception into
a response, such as the 500 page or a 404 for Http404, inside this
middleware; unless a middleware listed after this one handles it in
process_exception), and whenever the response's status is 5xx (which
covers the 500 page made of an exception of a middleware listed after this
one).  Put this middleware after AuthenticationMiddleware, so request.user
is known.
"""
from django.conf import settings
from django.db import DEFAULT_DB_ALIAS, connections, transaction
from django.utils.module_loading import import_string

from .contexts import (USER, _apply, _assignments, _outer_transaction, _Saved, _text, fanout,
                       perm_assignments, runtime_settings)

DEFAULT_RESOLVERS = {'user': 'rlsc.resolvers.user_pk'}

# Set on the request when its view raised (process_exception).
_FAILED = '_rlsc_view_raised'


def _resolvers():
    paths = getattr(settings, 'RLSC_CONTEXT_RESOLVERS', DEFAULT_RESOLVERS)
    return {name: import_string(path) if isinstance(path, str) else path
            for name, path in paths.items()}


class RlscMiddleware:
    """RLSC_DATABASE is the alias of the request's transaction; the contexts
    are set on every alias of RLSC_DATABASES as well, lazily (see
    rlsc.contexts: an alias the request does not query is not touched)."""

    def __init__(self, get_response):
        self.get_response = get_response
        resolvers = _resolvers()
        # `user` first, then the others in the order of the setting
        self.phases = [{n: r for n, r in resolvers.items() if n == USER},
                       {n: r for n, r in resolvers.items() if n != USER}]
        self.using = getattr(settings, 'RLSC_DATABASE', DEFAULT_DB_ALIAS)

    def __call__(self, request):
        # One DatabaseWrapper for the whole request: the values are read,
        # set and put back on the same connection.
        conn = connections[self.using]
        outer = _outer_transaction(conn)
        with transaction.atomic(using=self.using), fanout(self.using) as others:
            saved = _Saved(conn, runtime_settings()) if outer else None
            # step 1 (every context unset), here and on the other aliases
            # (RLSC_DATABASES), which get each step as soon as it is made
            unset = _assignments({}, every=True)
            _apply(conn, unset)
            others.set(unset, skip=self.using)
            perms = {}
            for resolvers in self.phases:
                values = {}
                for name, resolve in resolvers.items():
                    value = resolve(request)
                    if value is not None:
                        values[name] = value
                assignments = _assignments(values)
                if USER in resolvers:
                    # $user is set before the backends decide: they may
                    # read tables whose policies depend on it
                    _apply(conn, assignments)
                    others.set(assignments, skip=self.using)
                    perms = self._perms(request, values.get(USER))
                else:
                    _apply(conn, {**assignments, **perms})
                    others.set({**assignments, **perms}, skip=self.using)
            response = self.get_response(request)
            if getattr(request, _FAILED, False) or response.status_code >= 500:
                # Django has turned an exception into this response, or the
                # view answers with a server error: none of its writes stay.
                # (Rolling back the savepoint also reverts the settings.)
                transaction.set_rollback(True, using=self.using)
            elif saved is not None:
                saved.restore()
        return response

    @staticmethod
    def _perms(request, user_value):
        """Django's permission decisions for request.user, when it is the
        request's $user (anonymous included: '' then); else none (the
        policies ask rlsc.has_perm)."""
        user = getattr(request, 'user', None)
        if user is None or _text(user) != _text(user_value):
            return {}
        return perm_assignments(user)

    def process_exception(self, request, exception):
        """The view raised: mark the request; the response is left to the
        other middlewares and Django's handlers."""
        setattr(request, _FAILED, True)
        return None
