from django.urls import path

from . import views

urlpatterns = [
    path("stock/", views.StockLevelListView.as_view(), name="stock-list"),
    path("low-stock/", views.LowStockView.as_view(), name="stock-low"),
    path("movements/", views.MovementListView.as_view(), name="movement-list"),
    path("receive/", views.StockReceiveView.as_view(), name="stock-receive"),
    path("remove/", views.StockRemoveView.as_view(), name="stock-remove"),
    path("adjust/", views.StockAdjustView.as_view(), name="stock-adjust"),
    path("transfer/", views.StockTransferView.as_view(), name="stock-transfer"),
    path("import/", views.StockImportView.as_view(), name="stock-import"),
    path("import/<int:pk>/", views.StockImportBatchView.as_view(), name="stock-import-detail"),
    path("stores/", views.StoreListView.as_view(), name="store-list"),
    path("stores/new/", views.StoreCreateView.as_view(), name="store-create"),
    path("stores/<int:pk>/", views.StoreUpdateView.as_view(), name="store-update"),
]
