"""The REST API's router, auth routes and docs (DESIGN.md §12; docs/api.md).

Each app's `api.py` holds its serializers and viewsets; they are registered here, one
line each, so later apps (invoicing, payments, reports) plug in the same way.
"""

from django.urls import include, path, re_path
from drf_spectacular.views import SpectacularAPIView, SpectacularRedocView, SpectacularSwaggerView
from rest_framework.routers import DefaultRouter

from apps.accounts import api as accounts
from apps.catalog import api as catalog
from apps.core.api import audit, problems
from apps.credit import api as credit
from apps.customers import api as customers
from apps.inventory import api as inventory
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
# Later: invoices, credit notes, payments, bank statements, report runs (their apps' api.py).

auth_urls = [
    path("login/", accounts.LoginView.as_view(), name="api-login"),
    path("refresh/", accounts.RefreshView.as_view(), name="api-refresh"),
    path("logout/", accounts.LogoutView.as_view(), name="api-logout"),
    path("me/", accounts.MeView.as_view(), name="api-me"),
]

docs = {"url_name": "api-schema"}
urlpatterns = [
    path("api/v1/auth/", include(auth_urls)),
    path("api/v1/", include(router.urls)),
    path("api/schema/", SpectacularAPIView.as_view(), name="api-schema"),
    path("api/docs/", SpectacularSwaggerView.as_view(**docs), name="api-docs"),
    path("api/redoc/", SpectacularRedocView.as_view(**docs), name="api-redoc"),
    path("swagger/", SpectacularSwaggerView.as_view(**docs), name="swagger"),
    path("redoc/", SpectacularRedocView.as_view(**docs), name="redoc"),
    re_path(r"^api/", problems.not_found),
]
