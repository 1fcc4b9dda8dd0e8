"""rlsc: row-level-security policies from .rls files, for Django.

    INSTALLED_APPS += ['rlsc']
    MIDDLEWARE += ['rlsc.middleware.RlscMiddleware']   # after authentication

    from rlsc import context
    with context(tenant=1, user=7): ...

A request or block sets the contexts on every alias of RLSC_DATABASES it
queries (read replicas behind a router), with set_config(..., true), or
with SET LOCAL when RLSC_TARGET = 'citus' (rlsc/contexts.py).
"""

def __getattr__(name):
    # Lazy, so importing rlsc does not need configured settings.
    if name in ('context', 'set_contexts', 'current_contexts'):
        from . import contexts
        return getattr(contexts, name)
    raise AttributeError(name)
