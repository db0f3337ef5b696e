from django.urls import path

from . import views

urlpatterns = [
    path("", views.ReportRunListView.as_view(), name="report-list"),
    path("new/", views.ReportCreateView.as_view(), name="report-create"),
    path("runs/<int:pk>/", views.ReportRunDetailView.as_view(), name="reportrun-detail"),
    path(
        "runs/<int:pk>/download.<str:fmt>",
        views.ReportFileView.as_view(),
        name="reportrun-file",
    ),
]
