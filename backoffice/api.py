"""The REST API's router, auth routes and docs (DESIGN.md §12; docs/api.md).

Each app's `api.py` holds its serializers and viewsets; they are registered here, one
line each, so later apps (invoicing, payments, reports) plug in the same way.
"""

from django.urls import include, path, re_path
from drf_spectacular.views import (
    SpectacularAPIView,
    SpectacularRedocView,
    SpectacularSwaggerSplitView,
)
from rest_framework.routers import DefaultRouter

from apps.accounts import api as accounts
from apps.catalog import api as catalog
from apps.core.api import audit, problems
from apps.credit import api as credit
from apps.customers import api as customers
from apps.inventory import api as inventory
from apps.invoicing import api as invoicing
from apps.ledger import api as ledger
from apps.reports import api as reports
from apps.sales import api as sales


class Router(DefaultRouter):
    include_root_view = False


router = Router()
router.register("users", accounts.UserViewSet, basename="api-user")
router.register("auth/tokens", accounts.APITokenViewSet, basename="api-token")
router.register("categories", catalog.CategoryViewSet, basename="api-category")
# before products/: "stock-changes" is not a product id
router.register("products/stock-changes", inventory.StockChangeViewSet, "api-stock-change")
router.register("products", catalog.ProductViewSet, basename="api-product")
router.register("price-history", catalog.PriceHistoryViewSet, basename="api-price-record")
router.register("stores", inventory.StoreViewSet, basename="api-store")
router.register("inventory", inventory.StockLevelViewSet, basename="api-stock-level")
router.register("low-stock", inventory.LowStockViewSet, basename="api-low-stock")
router.register("movements", inventory.MovementViewSet, basename="api-movement")
router.register("customers", customers.CustomerViewSet, basename="api-customer")
router.register("orders", sales.OrderViewSet, basename="api-order")
router.register("returns", sales.ReturnViewSet, basename="api-return")
router.register("coupons", sales.CouponViewSet, basename="api-coupon")
router.register("sellers", credit.SellerViewSet, basename="api-seller")
router.register("credit-requests", credit.CreditRequestViewSet, basename="api-credit-request")
router.register("charges", credit.ChargeViewSet, basename="api-charge")
router.register("transactions", credit.TransactionLogViewSet, basename="api-transaction")
router.register("ledger/accounts", ledger.AccountViewSet, basename="api-account")
router.register("ledger/entries", ledger.JournalEntryViewSet, basename="api-journal-entry")
router.register("ledger/lines", ledger.JournalLineViewSet, basename="api-journal-line")
router.register("ledger/trial-balance", ledger.TrialBalanceViewSet, basename="api-trial-balance")
router.register("audit-log", audit.AuditEventViewSet, basename="api-audit-event")
router.register("dashboard", reports.DashboardViewSet, basename="api-dashboard")
router.register("reports/types", reports.ReportTypeViewSet, basename="api-report-type")
router.register("reports/runs", reports.ReportRunViewSet, basename="api-report-run")
router.register("invoices", invoicing.InvoiceViewSet, basename="api-invoice")
router.register("credit-notes", invoicing.CreditNoteViewSet, basename="api-credit-note")
router.register("receivables", invoicing.ReceivableViewSet, basename="api-receivable")
router.register("payments", invoicing.PaymentViewSet, basename="api-payment")
router.register("bank/accounts", invoicing.BankAccountViewSet, basename="api-bank-account")
router.register("bank/statements", invoicing.BankStatementViewSet, "api-bank-statement")
router.register("bank/lines", invoicing.BankLineViewSet, basename="api-bank-line")
router.register("bank/matches", invoicing.BankMatchViewSet, basename="api-bank-match")
router.register("dunning/levels", invoicing.DunningLevelViewSet, "api-dunning-level")
router.register("dunning/reminders", invoicing.ReminderViewSet, basename="api-reminder")
router.register("dunning", invoicing.DunningViewSet, basename="api-dunning")
router.register("recurring-invoices", invoicing.RecurringViewSet, basename="api-recurring")

auth_urls = [
    path("login/", accounts.LoginView.as_view(), name="api-login"),
    path("refresh/", accounts.RefreshView.as_view(), name="api-refresh"),
    path("logout/", accounts.LogoutView.as_view(), name="api-logout"),
    path("me/", accounts.MeView.as_view(), name="api-me"),
]

# The docs pages under the Content-Security-Policy (apps/core/csp.py): Swagger UI's start-up
# script is served as a file (the split view), but both viewers style themselves inline and
# ReDoc parses the schema in a blob: web worker, so these four pages (and only they) allow
# inline styles and blob: workers. Still no inline script and nothing from another origin.
DOCS_POLICY = (
    "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; "
    "img-src 'self' data:; font-src 'self' data:; connect-src 'self'; "
    "worker-src 'self' blob:; object-src 'none'; base-uri 'self'; frame-ancestors 'none'"
)


def docs_page(view):
    def page(request, *args, **kwargs):
        response = view(request, *args, **kwargs)
        response["Content-Security-Policy"] = DOCS_POLICY
        return response

    return page


docs = {"url_name": "api-schema"}
swagger = docs_page(SpectacularSwaggerSplitView.as_view(**docs))
redoc = docs_page(SpectacularRedocView.as_view(**docs))
urlpatterns = [
    path("api/v1/auth/", include(auth_urls)),
    path("api/v1/", include(router.urls)),
    path("api/schema/", SpectacularAPIView.as_view(), name="api-schema"),
    path("api/docs/", swagger, name="api-docs"),
    path("api/redoc/", redoc, name="api-redoc"),
    path("swagger/", swagger, name="swagger"),
    path("redoc/", redoc, name="redoc"),
    re_path(r"^api/", problems.not_found),
]
