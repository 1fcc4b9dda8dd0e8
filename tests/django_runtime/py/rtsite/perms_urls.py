from django.urls import path

from gate import views

from .urls import urlpatterns as base

urlpatterns = base + [path('rt/perms', views.perms)]
