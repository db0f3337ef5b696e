from django.conf import settings
from django.contrib import admin
from django.templatetags.static import static
from django.urls import include, path
from django.views.generic import RedirectView

from apps.core.media import media_serve
from apps.core.views import healthz
from apps.reports.views import DashboardView

urlpatterns = [
    path("", DashboardView.as_view(), name="dashboard"),
    path("healthz", healthz, name="healthz"),
    path(  # browsers ask for /favicon.ico on pages without a <link rel="icon"> (PDFs, JSON)
        "favicon.ico",
        RedirectView.as_view(url=static("favicon.svg"), permanent=True),
        name="favicon",
    ),
    path("accounts/", include("apps.accounts.urls")),
    path("", include("apps.core.urls")),
    path("finance/", include("apps.finance.urls")),
    path("catalog/", include("apps.catalog.urls")),
    path("inventory/", include("apps.inventory.urls")),
    path("customers/", include("apps.customers.urls")),
    path("sales/", include("apps.sales.urls")),
    path("ledger/", include("apps.ledger.urls")),
    path("credit/", include("apps.credit.urls")),
    path("payments/bank/", include("apps.invoicing.urls_bank")),
    path("", include("apps.invoicing.urls")),  # /invoices/ and /payments/
    path("reports/", include("apps.reports.urls")),
    path("portal/", include("apps.portal.urls")),
    path("admin/", admin.site.urls),
    path("", include("backoffice.api")),  # /api/v1/, /api/schema/, /api/docs/, /swagger/, ...
    # Uploaded media, each read checked (apps.core.media; X-Accel-Redirect in production).
    path(f"{settings.MEDIA_URL.strip('/')}/<path:path>", media_serve, name="media"),
]

handler403 = "apps.core.views.permission_denied"
handler500 = "apps.core.middleware.server_error"
