"""The billing app of a multi-tenant SaaS.

A Customer is the tenant.  Every protected row names its customer, and
policies.rls (beside this file) lets a request see and write only the rows
of its own customer.  Membership (which user works for which customer) is
not protected: the middleware reads it to find the tenant of a request.
"""
from django.conf import settings
from django.db import models


class Customer(models.Model):
    name = models.CharField(max_length=100, unique=True)

    def __str__(self):
        return self.name


class Membership(models.Model):
    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE,
                                related_name='membership')
    customer = models.ForeignKey(Customer, on_delete=models.CASCADE,
                                 related_name='memberships')

    def __str__(self):
        return f'{self.user} @ {self.customer}'


class Invoice(models.Model):
    DRAFT, SENT, PAID = 'draft', 'sent', 'paid'
    STATUSES = [(DRAFT, 'Draft'), (SENT, 'Sent'), (PAID, 'Paid')]

    customer = models.ForeignKey(Customer, on_delete=models.CASCADE, related_name='invoices')
    number = models.CharField(max_length=30)
    status = models.CharField(max_length=10, choices=STATUSES, default=DRAFT)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT,
                                   related_name='+')
    total = models.DecimalField(max_digits=12, decimal_places=2, default=0)

    class Meta:
        unique_together = [('customer', 'number')]

    def __str__(self):
        return self.number


class LineItem(models.Model):
    customer = models.ForeignKey(Customer, on_delete=models.CASCADE, related_name='+')
    invoice = models.ForeignKey(Invoice, on_delete=models.CASCADE, related_name='lines')
    description = models.CharField(max_length=200)
    amount = models.DecimalField(max_digits=12, decimal_places=2)


class AuditLog(models.Model):
    customer = models.ForeignKey(Customer, on_delete=models.CASCADE, related_name='+')
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT,
                              related_name='+')
    action = models.CharField(max_length=200)
    at = models.DateTimeField(auto_now_add=True)

    class Meta:
        db_table = 'billing_audit_log'
