"""Settings of the rlsc tracker example.

Everything that differs between machines comes from the environment:

    PGHOST PGPORT PGDATABASE PGUSER PGPASSWORD   the database (libpq's names)
    DJANGO_SECRET_KEY, DJANGO_DEBUG              the usual
    RLSC                                         the rlsc compiler, for makemigrations

Connect as an ordinary role that owns the tables (not a superuser, not
BYPASSRLS): PostgreSQL applies no policy to superusers.  `manage.py check
--database default` warns when it does.  The role creates the role the
policies name (tracker_support), so it needs CREATEROLE (or create that
role beforehand).
"""
import os

BASE_DIR = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))

SECRET_KEY = os.environ.get('DJANGO_SECRET_KEY', 'rlsc-tracker-example-not-secret')
DEBUG = os.environ.get('DJANGO_DEBUG', '') == '1'
ALLOWED_HOSTS = ['localhost', '127.0.0.1', 'testserver']

INSTALLED_APPS = [
    'django.contrib.admin',
    'django.contrib.auth',
    'django.contrib.contenttypes',
    'django.contrib.sessions',
    'django.contrib.messages',
    'django.contrib.staticfiles',
    'rlsc',
    'accounts',
    'orgs',
    'projects',
]

# The custom user model: UUID keys, Django's groups and permissions
# (AbstractUser).  `grant` reads its tables, accounts_user_groups and
# accounts_user_user_permissions, not auth_user.
AUTH_USER_MODEL = 'accounts.User'

MIDDLEWARE = [
    'django.middleware.security.SecurityMiddleware',
    'django.contrib.sessions.middleware.SessionMiddleware',
    'django.middleware.common.CommonMiddleware',
    'django.middleware.csrf.CsrfViewMiddleware',
    'django.contrib.auth.middleware.AuthenticationMiddleware',
    'django.contrib.messages.middleware.MessageMiddleware',
    # after authentication: every request runs in one transaction with
    # $user and $tenant set from the resolvers below
    'rlsc.middleware.RlscMiddleware',
]

ROOT_URLCONF = 'tracker_site.urls'
WSGI_APPLICATION = 'tracker_site.wsgi.application'

TEMPLATES = [
    {
        'BACKEND': 'django.template.backends.django.DjangoTemplates',
        'DIRS': [],
        'APP_DIRS': True,
        'OPTIONS': {
            'context_processors': [
                'django.template.context_processors.debug',
                'django.template.context_processors.request',
                'django.contrib.auth.context_processors.auth',
                'django.contrib.messages.context_processors.messages',
            ],
        },
    },
]

DATABASES = {
    'default': {
        'ENGINE': 'django.db.backends.postgresql',
        'NAME': os.environ.get('PGDATABASE', 'tracker'),
        'USER': os.environ.get('PGUSER', ''),
        'PASSWORD': os.environ.get('PGPASSWORD', ''),
        'HOST': os.environ.get('PGHOST', ''),
        'PORT': os.environ.get('PGPORT', ''),
        # persistent connections: the policy contexts are transaction-local,
        # so nothing carries over from one request to the next
        'CONN_MAX_AGE': int(os.environ.get('DJANGO_CONN_MAX_AGE', '60')),
    },
}

# The policy contexts of orgs/policies.rls and projects/policies.rls and
# where their values come from: request -> value, or None to leave the
# context unset (no rows).  The middleware resolves `user` first and sets
# it, then runs the tenant resolver, which reads the protected
# orgs_membership table as that user.
RLSC_CONTEXT_RESOLVERS = {
    'user': 'rlsc.resolvers.user_pk',
    'tenant': 'orgs.tenancy.organization_of',
}

DEFAULT_AUTO_FIELD = 'django.db.models.BigAutoField'
USE_TZ = True
TIME_ZONE = 'UTC'
LANGUAGE_CODE = 'en-us'
STATIC_URL = '/static/'
