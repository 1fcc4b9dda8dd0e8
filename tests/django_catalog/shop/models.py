"""Models of the rlsc Django test project.

They exercise what `manage.py rlsc_catalog` has to get right without a
database: every kind of primary key and foreign key, custom table and
column names, the field types Django maps to PostgreSQL types, nullability,
and the tables that are no model of their own (many-to-many) or that are no
table at all (abstract, proxy, unmanaged).
"""
import uuid

from django.conf import settings
from django.contrib.postgres.fields import (
    ArrayField, CICharField, DateTimeRangeField, HStoreField, IntegerRangeField,
)
from django.db import models


class Stamped(models.Model):
    """Abstract: no table; its fields belong to the subclasses' tables."""
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        abstract = True


class Customer(Stamped):
    # BigAutoField primary key: the app's default_auto_field
    name = models.CharField(max_length=100)
    phone = models.CharField(max_length=32, blank=True)      # added by 0002
    email = models.EmailField(unique=True)                      # varchar(254)
    remarks = models.TextField(blank=True)                      # renamed by 0002
    is_active = models.BooleanField(default=True)
    joined_on = models.DateField()
    last_seen = models.DateTimeField(null=True, blank=True)
    user = models.OneToOneField(settings.AUTH_USER_MODEL, null=True, blank=True,
                                on_delete=models.SET_NULL)     # integer
    referrals = models.ManyToManyField('self', blank=True)     # symmetrical, own table
    handle = CICharField(max_length=40, null=True, blank=True)  # citext
    attributes = HStoreField(default=dict, blank=True)


class Tag(models.Model):
    id = models.AutoField(primary_key=True)                   # integer
    label = models.SlugField(max_length=50, unique=True)
    priority = models.SmallIntegerField(default=0)
    weight = models.PositiveSmallIntegerField(default=1)


class Order(models.Model):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    customer = models.ForeignKey(Customer, on_delete=models.CASCADE,
                                 related_name='orders')         # bigint
    status = models.CharField(max_length=20, default='draft')
    total = models.DecimalField(max_digits=10, decimal_places=2)
    placed_at = models.DateTimeField(auto_now_add=True)
    ship_by = models.DateField(null=True, blank=True)
    ship_window = models.TimeField(null=True, blank=True)
    processing_time = models.DurationField(null=True, blank=True)
    metadata = models.JSONField(default=dict, blank=True)
    client_ip = models.GenericIPAddressField(null=True, blank=True)
    quantity = models.PositiveIntegerField(default=1)
    big_quantity = models.PositiveBigIntegerField(default=0)
    external_ref = models.BigIntegerField(null=True, blank=True)
    weight = models.FloatField(null=True, blank=True)
    signature = models.BinaryField(null=True, blank=True)
    labels = ArrayField(models.CharField(max_length=30), default=list, blank=True)
    scores = ArrayField(models.IntegerField(), size=3, null=True, blank=True)
    grid = ArrayField(ArrayField(models.SmallIntegerField()), null=True, blank=True)
    prices = ArrayField(models.DecimalField(max_digits=5, decimal_places=2), null=True,
                        blank=True)
    milestones = ArrayField(models.DateTimeField(), null=True, blank=True)
    amounts = IntegerRangeField(null=True, blank=True)
    valid_during = DateTimeRangeField(null=True, blank=True)
    tags = models.ManyToManyField(Tag, blank=True, related_name='orders')
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                   on_delete=models.SET_NULL, db_column='CreatedBy')
    model = models.CharField(max_length=10, blank=True)        # an .rls keyword
    note = models.CharField(
        max_length=80, blank=True,
        db_column='a_column_name_far_longer_than_the_sixty_three_bytes_postgresql_keeps')

    class Meta:
        db_table = 'shop_custom_orders'


class OrderLine(models.Model):
    id = models.BigAutoField(primary_key=True)
    order = models.ForeignKey(Order, on_delete=models.CASCADE,
                              related_name='lines')             # uuid
    tag = models.ForeignKey(Tag, null=True, blank=True,
                            on_delete=models.SET_NULL)          # integer
    sku = models.CharField(max_length=40, db_column='item_sku')
    unit_price = models.DecimalField(max_digits=12, decimal_places=4)
    count = models.IntegerField()


class Invoice(Stamped):
    order = models.OneToOneField(Order, primary_key=True,
                                 on_delete=models.CASCADE)      # uuid primary key
    number = models.CharField(max_length=32, unique=True)
    issued_on = models.DateField()
    paid = models.BooleanField(null=True)
    url = models.URLField(blank=True)


class PriorityOrder(Order):
    """Multi-table inheritance: its table has order_ptr_id (uuid) as key."""
    level = models.SmallIntegerField(default=1)


class OrderProxy(Order):
    """Proxy: no table."""
    class Meta:
        proxy = True


class LegacyReport(models.Model):
    """Unmanaged: Django creates no table, so the catalog has none."""
    title = models.TextField()

    class Meta:
        managed = False
        db_table = 'legacy_report'
