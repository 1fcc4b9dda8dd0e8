"""Runs every request in a transaction with its policy contexts set.

Resolvers come from settings::

    RLSC_CONTEXT_RESOLVERS = {
        'user': 'rlsc.resolvers.user_pk',          # the default
        'tenant': 'myproject.tenancy.tenant_of',   # request -> value or None
    }
    RLSC_DATABASE = 'default'

A resolver that returns None leaves its context unset, which the policies
read as NULL: an anonymous request sees no protected row.  The values are
transaction-local (set_config(..., true)), so they vanish when the request's
transaction ends, committed or rolled back, and the next request on the
same pooled connection starts clean.  Put this middleware after
AuthenticationMiddleware, so request.user is known.
"""
from django.conf import settings
from django.db import DEFAULT_DB_ALIAS, transaction
from django.utils.module_loading import import_string

from .contexts import set_contexts

DEFAULT_RESOLVERS = {'user': 'rlsc.resolvers.user_pk'}


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
            set_contexts(values, self.using)
            return self.get_response(request)
