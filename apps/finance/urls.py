from django.urls import path

from . import views

urlpatterns = [
    path("currencies/", views.CurrencyListView.as_view(), name="currency-list"),
    path("currencies/new/", views.CurrencyCreateView.as_view(), name="currency-create"),
    path("currencies/<str:pk>/", views.CurrencyUpdateView.as_view(), name="currency-update"),
    path("rates/", views.ExchangeRateListView.as_view(), name="exchangerate-list"),
    path("rates/new/", views.ExchangeRateCreateView.as_view(), name="exchangerate-create"),
    path("rates/<int:pk>/", views.ExchangeRateUpdateView.as_view(), name="exchangerate-update"),
    path("taxes/", views.TaxRateListView.as_view(), name="taxrate-list"),
    path("taxes/new/", views.TaxRateCreateView.as_view(), name="taxrate-create"),
    path("taxes/<int:pk>/", views.TaxRateUpdateView.as_view(), name="taxrate-update"),
    path("taxes/<int:pk>/delete/", views.TaxRateDeleteView.as_view(), name="taxrate-delete"),
]
