"""Settings of lifecycle.sh: the billing example's database and middleware,
with two apps of their own whose models and policies the test changes step
by step (forum: renames, a model replaced, a hand-written DeleteModel, a
squash; wiki: its .rls file removed)."""
from billing_site.settings import *  # noqa: F401,F403

INSTALLED_APPS = [
    'django.contrib.auth',
    'django.contrib.contenttypes',
    'django.contrib.sessions',
    'rlsc',
    'forum',
    'wiki',
]
ROOT_URLCONF = 'lcsite.urls'
RLSC_CONTEXT_RESOLVERS = {'user': 'rlsc.resolvers.user_pk'}
