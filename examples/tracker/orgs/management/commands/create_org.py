"""`manage.py create_org NAME [--manager USER]... [--member USER]...`: a new
organization (tenant) and its members.

Both tables are protected (orgs/policies.rls).  The organization is
inserted with $tenant set to its new id; adding members is the Django
permission orgs.add_membership, so the memberships are written in the name
of a superuser (`--as`, default: the only active superuser; create one
with `createsuperuser`).  Missing users are created (password = username
unless --password).  Managers are put in the group `managers`, created here
with the permissions the `grant` rules of projects/policies.rls check.
"""
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group, Permission
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

import rlsc

from ...models import Membership, Organization

# app label -> codenames of the group `managers`: everything on projects
# and tasks but deleting projects; reading and writing comments.
MANAGERS = {
    'projects': ['view_project', 'add_project', 'change_project', 'close_project',
                 'view_task', 'add_task', 'change_task', 'delete_task',
                 'view_comment', 'add_comment', 'change_comment'],
    'orgs': ['view_organization', 'view_membership'],
}


def permissions(spec):
    """Permission objects for {app label: [codename, ...]}."""
    found = []
    for app_label, codenames in spec.items():
        perms = list(Permission.objects.filter(content_type__app_label=app_label,
                                               codename__in=codenames))
        missing = set(codenames) - {p.codename for p in perms}
        if missing:
            raise CommandError(f'unknown permissions {app_label}.{sorted(missing)} '
                               '(run migrate first)')
        found += perms
    return found


def managers_group():
    group, _ = Group.objects.get_or_create(name='managers')
    group.permissions.add(*permissions(MANAGERS))
    return group


class Command(BaseCommand):
    help = 'Creates an organization (tenant) and its members.'

    def add_arguments(self, parser):
        parser.add_argument('name')
        parser.add_argument('--manager', action='append', default=[], metavar='USERNAME',
                            help='a member in the group managers (repeatable)')
        parser.add_argument('--member', action='append', default=[], metavar='USERNAME',
                            help='a member without permissions (repeatable)')
        parser.add_argument('--password', help='the password of new users (default: the username)')
        parser.add_argument('--as', dest='actor', metavar='SUPERUSER',
                            help='the superuser in whose name members are added')

    def actor(self, username):
        User = get_user_model()
        superusers = User.objects.filter(is_superuser=True, is_active=True)
        if username:
            superusers = superusers.filter(username=username)
        superusers = list(superusers[:2])
        if len(superusers) != 1:
            raise CommandError('name the superuser who adds the members: --as USERNAME'
                               if superusers else 'no such active superuser (createsuperuser)')
        return superusers[0]

    def handle(self, name, manager, member, password=None, actor=None, **options):
        User = get_user_model()
        with transaction.atomic():
            actor = self.actor(actor)
            group = managers_group()
            organization = Organization(name=name)
            with rlsc.context(tenant=organization.id, user=actor):
                organization.save()
                for username in manager + member:
                    user = User.objects.filter(username=username).first()
                    if user is None:
                        user = User.objects.create_user(username,
                                                         password=password or username)
                    if username in manager:
                        user.groups.add(group)
                    Membership.objects.create(user=user, organization=organization)
        self.stdout.write(f'organization {organization.pk} {name}: '
                          f'{", ".join(manager + member)}')
