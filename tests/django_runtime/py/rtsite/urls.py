from django.urls import include, path

from . import views

urlpatterns = [
    path('', include('billing.urls')),
    path('rt/ctx', views.ctx),
    path('rt/boom', views.boom),
    path('rt/dberror', views.dberror),
    path('rt/write', views.write),
    path('rt/poison', views.poison),
    path('rt/rows', views.rows),
    path('rt/nested', views.nested),
]
