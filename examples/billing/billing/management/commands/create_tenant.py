"""`manage.py create_tenant NAME USERNAME...`: a new customer and its users.

billing_customer is protected like every other table (`tenant id;`): a row
can only be written while $tenant is its id.  So the new id is taken from
the table's sequence first and the row is inserted with that tenant set.
The users are created (password = username unless --password) and put in
the group `billing`, which holds the invoice permissions that the `grant`
rules of policies.rls check.
"""
from django.contrib.auth.models import Group, Permission, User
from django.core.management.base import BaseCommand, CommandError
from django.db import connection, transaction

import rlsc

from ...models import Customer, Membership


def billing_group():
    group, _ = Group.objects.get_or_create(name='billing')
    group.permissions.add(*Permission.objects.filter(
        content_type__app_label='billing', codename__endswith='_invoice'))
    return group


class Command(BaseCommand):
    help = 'Creates a customer (tenant) and its users.'

    def add_arguments(self, parser):
        parser.add_argument('name')
        parser.add_argument('usernames', nargs='+', metavar='username')
        parser.add_argument('--password', help='the password of the users (default: the username)')

    def handle(self, name, usernames, password=None, **options):
        with transaction.atomic():
            with connection.cursor() as cur:
                cur.execute("SELECT nextval(pg_get_serial_sequence('billing_customer', 'id'))")
                (tenant,) = cur.fetchone()
            with rlsc.context(tenant=tenant):
                customer = Customer.objects.create(id=tenant, name=name)
            group = billing_group()
            for username in usernames:
                if User.objects.filter(username=username).exists():
                    raise CommandError(f'user {username} exists already')
                user = User.objects.create_user(username, password=password or username)
                user.groups.add(group)
                Membership.objects.create(user=user, customer=customer)
        self.stdout.write(f'customer {customer.pk} {name}: {", ".join(usernames)}')
