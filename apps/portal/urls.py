from django.urls import path

from . import views

urlpatterns = [
    path("", views.PortalHomeView.as_view(), name="portal-home"),
]
