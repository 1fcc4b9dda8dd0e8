"""Default context resolvers: request -> value, or None to leave unset.

RlscMiddleware runs the resolvers inside the request's transaction, with
every declared context unset at first: the resolver of `user` first, and
its value is set; then the others, which may read tables whose policies
depend on $user (a membership table, say).
"""


def user_pk(request):
    """The authenticated user's primary key; None for anonymous requests."""
    user = getattr(request, 'user', None)
    if user is None or not user.is_authenticated:
        return None
    return user.pk
