"""Default context resolvers: request -> value, or None to leave unset."""


def user_pk(request):
    """The authenticated user's primary key; None for anonymous requests."""
    user = getattr(request, 'user', None)
    if user is None or not user.is_authenticated:
        return None
    return user.pk
