"""Settings of the rlsc billing example.

Everything that differs between machines comes from the environment:

    PGHOST PGPORT PGDATABASE PGUSER PGPASSWORD   the database (libpq's names)
    DJANGO_SECRET_KEY, DJANGO_DEBUG              the usual
    RLSC                                         the rlsc compiler, for makemigrations

Connect as an ordinary role that owns the tables (not a superuser, not
BYPASSRLS): PostgreSQL applies no policy to superusers.  `manage.py check
--database default` warns when it does.  The role creates the roles the
policies name, so it needs CREATEROLE (or create them beforehand).
"""
import os

BASE_DIR = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))

SECRET_KEY = os.environ.get('DJANGO_SECRET_KEY', 'rlsc-billing-example-not-secret')
DEBUG = os.environ.get('DJANGO_DEBUG', '') == '1'
ALLOWED_HOSTS = ['localhost', '127.0.0.1', 'testserver']

INSTALLED_APPS = [
    'django.contrib.auth',
    'django.contrib.contenttypes',
    'django.contrib.sessions',
    'rlsc',
    'billing',
]

MIDDLEWARE = [
    'django.middleware.security.SecurityMiddleware',
    'django.contrib.sessions.middleware.SessionMiddleware',
    'django.middleware.common.CommonMiddleware',
    'django.middleware.csrf.CsrfViewMiddleware',
    'django.contrib.auth.middleware.AuthenticationMiddleware',
    # after authentication: every request runs in a transaction with
    # $user and $tenant set from the resolvers below
    'rlsc.middleware.RlscMiddleware',
]

ROOT_URLCONF = 'billing_site.urls'
WSGI_APPLICATION = 'billing_site.wsgi.application'

DATABASES = {
    'default': {
        'ENGINE': 'django.db.backends.postgresql',
        'NAME': os.environ.get('PGDATABASE', 'billing'),
        'USER': os.environ.get('PGUSER', ''),
        'PASSWORD': os.environ.get('PGPASSWORD', ''),
        'HOST': os.environ.get('PGHOST', ''),
        'PORT': os.environ.get('PGPORT', ''),
        # persistent connections: the policy contexts are transaction-local,
        # so nothing carries over from one request to the next
        'CONN_MAX_AGE': int(os.environ.get('DJANGO_CONN_MAX_AGE', '60')),
    },
}

# The policy contexts of billing/policies.rls and where their values come
# from: request -> value, or None to leave the context unset (no rows).
RLSC_CONTEXT_RESOLVERS = {
    'user': 'rlsc.resolvers.user_pk',
    'tenant': 'billing.tenancy.tenant_of',
}

DEFAULT_AUTO_FIELD = 'django.db.models.BigAutoField'
USE_TZ = True
TIME_ZONE = 'UTC'
LANGUAGE_CODE = 'en-us'
