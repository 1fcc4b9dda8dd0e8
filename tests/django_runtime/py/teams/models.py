"""testcase.sh's app: teams (the tenants), who belongs to which team, and
the teams' projects.  Unlike billing's, the membership table is protected
(a user sees only their own memberships), so the tenant resolver can read it
only once $user is set."""
from django.conf import settings
from django.db import models


class Team(models.Model):
    name = models.CharField(max_length=50, unique=True)


class Membership(models.Model):
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE,
                             related_name='+')
    team = models.ForeignKey(Team, on_delete=models.CASCADE, related_name='+')


class Project(models.Model):
    team = models.ForeignKey(Team, on_delete=models.CASCADE, related_name='+')
    name = models.CharField(max_length=50)
