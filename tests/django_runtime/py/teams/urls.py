from django.urls import path

from . import views

urlpatterns = [
    path('teams/projects', views.projects),
    path('teams/stream', views.stream),
    path('teams/boom', views.boom),
    path('teams/status', views.status),
    path('teams/aborted', views.aborted),
    path('teams/nested', views.nested),
]
