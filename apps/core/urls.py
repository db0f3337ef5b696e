from django.urls import path

from . import admin_screens as views

urlpatterns = [
    path("administration/company/", views.CompanySettingsView.as_view(), name="company-settings"),
    path("administration/audit/", views.AuditEventListView.as_view(), name="audit-list"),
    path("administration/users/lookup/", views.UserLookupView.as_view(), name="user-lookup"),
    path("administration/jobs/", views.JobListView.as_view(), name="job-list"),
    path("administration/trash/", views.TrashView.as_view(), name="trash"),
    path("ledger/books-check/", views.BooksCheckView.as_view(), name="books-check"),
]
