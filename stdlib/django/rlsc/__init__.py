"""rlsc: row-level-security policies from .rls files, for Django.

    INSTALLED_APPS += ['rlsc']
    MIDDLEWARE += ['rlsc.middleware.RlscMiddleware']   # after authentication

    from rlsc import context
    with context(tenant=1, user=7): ...
"""

def __getattr__(name):
    # Lazy, so importing rlsc does not need configured settings.
    if name in ('context', 'set_contexts', 'current_contexts'):
        from . import contexts
        return getattr(contexts, name)
    raise AttributeError(name)
