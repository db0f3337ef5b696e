from django.urls import path

from . import views

urlpatterns = [
    path("orders/", views.OrderListView.as_view(), name="order-list"),
    path("orders/new/", views.OrderCreateView.as_view(), name="order-create"),
    path("orders/<int:pk>/", views.OrderDetailView.as_view(), name="order-detail"),
    path("orders/<int:pk>/edit/", views.OrderEntryView.as_view(), name="order-update"),
    path("orders/<int:pk>/lines/", views.OrderLineAddView.as_view(), name="order-line-add"),
    path(
        "orders/<int:pk>/lines/<int:line_pk>/",
        views.OrderLineView.as_view(),
        name="order-line-update",
    ),
    path(
        "orders/<int:pk>/lines/<int:line_pk>/remove/",
        views.OrderLineDeleteView.as_view(),
        name="order-line-delete",
    ),
    path("orders/<int:pk>/coupon/", views.OrderCouponView.as_view(), name="order-coupon"),
    path(
        "orders/<int:pk>/products/", views.ProductLookupView.as_view(), name="order-product-lookup"
    ),
    path("orders/<int:pk>/confirm/", views.OrderConfirmView.as_view(), name="order-confirm"),
    path("orders/<int:pk>/fulfil/", views.OrderFulfilView.as_view(), name="order-fulfil"),
    path("orders/<int:pk>/cancel/", views.OrderCancelView.as_view(), name="order-cancel"),
    path("orders/<int:pk>/return/", views.ReturnCreateView.as_view(), name="return-create"),
    path("returns/", views.ReturnListView.as_view(), name="return-list"),
    path("returns/<int:pk>/", views.ReturnDetailView.as_view(), name="return-detail"),
    path("coupons/", views.CouponListView.as_view(), name="coupon-list"),
    path("coupons/new/", views.CouponCreateView.as_view(), name="coupon-create"),
    path("coupons/<int:pk>/", views.CouponUpdateView.as_view(), name="coupon-update"),
]
