"""The project's user model.

A custom user model from the first migration, as Django recommends: UUID
keys, and AbstractUser's groups, user_permissions, is_active and
is_superuser, which Django's ModelBackend reads for user.has_perm() and
which rlsc.has_perm() reads for the `grant` rules of the other apps.
Users are not tenant data (a user may belong to several organizations),
so this app has no policies.
"""
import uuid

from django.contrib.auth.models import AbstractUser
from django.db import models


class User(AbstractUser):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
