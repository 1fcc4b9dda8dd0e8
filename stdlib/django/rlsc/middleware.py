"""Runs every request in a transaction with its policy contexts set.

Resolvers come from settings::

    RLSC_CONTEXT_RESOLVERS = {
        'user': 'rlsc.resolvers.user_pk',          # the default
        'tenant': 'myproject.tenancy.tenant_of',   # request -> value or None
    }
    RLSC_DATABASE = 'default'

Every context an installed app declares is set for the request: to the
resolver's value, or to '' (which the policies read as NULL) when the
resolver returns None or there is none, so an anonymous request sees no
protected row, whatever a session-level set_config left on the (pooled)
server connection.  The values are transaction-local (set_config(...,
true)), so they vanish when the request's transaction ends, committed or
rolled back, and the next request on the same pooled connection starts
clean.

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

from .contexts import _scope, set_all_contexts

DEFAULT_RESOLVERS = {'user': 'rlsc.resolvers.user_pk'}

# Set on the request when its view raised (process_exception).
_FAILED = '_rlsc_view_raised'


def _resolvers():
    paths = getattr(settings, 'RLSC_CONTEXT_RESOLVERS', DEFAULT_RESOLVERS)
    return {name: import_string(path) if isinstance(path, str) else path
            for name, path in paths.items()}


class RlscMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response
        self.resolvers = _resolvers()
        self.using = getattr(settings, 'RLSC_DATABASE', DEFAULT_DB_ALIAS)

    def __call__(self, request):
        values = {}
        for name, resolve in self.resolvers.items():
            value = resolve(request)
            if value is not None:
                values[name] = value
        with transaction.atomic(using=self.using):
            set_all_contexts(values, self.using)
            with _scope(connections[self.using]):
                response = self.get_response(request)
            if getattr(request, _FAILED, False) or response.status_code >= 500:
                # Django has turned an exception into this response, or the
                # view answers with a server error: none of its writes stay.
                transaction.set_rollback(True, using=self.using)
        return response

    def process_exception(self, request, exception):
        """The view raised: mark the request; the response is left to the
        other middlewares and Django's handlers."""
        setattr(request, _FAILED, True)
        return None
