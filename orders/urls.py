from django.urls import path

from . import views

app_name = "orders"
urlpatterns = [
    path("", views.order_list, name="order_list"),
    path("new/", views.order_create, name="order_create"),
    path("<int:pk>/", views.OrderDetail.as_view(), name="order_detail"),
    path("<int:pk>/edit/", views.OrderEdit.as_view(), name="order_edit"),
    path("<int:pk>/lines/", views.order_lines_edit, name="order_lines"),
    path("<int:pk>/bom/", views.order_bom_edit, name="order_bom"),
    path("<int:pk>/lead-times/", views.order_lead_times, name="order_lead_times"),
    path("<int:pk>/clarifications/", views.clarification_add, name="clarification_add"),
    path("<int:pk>/clarifications/<int:cpk>/answer/", views.clarification_answer, name="clarification_answer"),
    path("<int:pk>/certified-data-letter.pdf", views.discrepancy_letter, name="discrepancy_letter"),
    path("<int:pk>/certified-data-report-sent/", views.discrepancy_sent, name="discrepancy_sent"),
    path("sheets/demand-plan.<sheetfmt:fmt>", views.demand_plan_export, name="demand_plan_export"),
    path("sheets/review-detail.<sheetfmt:fmt>", views.review_export, name="review_export"),
    path("<int:pk>/review-sheet.<sheetfmt:fmt>", views.order_review_sheet, name="order_review_sheet"),
    path("shipments/", views.shipments, name="shipments"),
    path("shipments/log/", views.shipment_log, name="shipment_log"),
    path("shipments/log.<sheetfmt:fmt>", views.shipment_log_export, name="shipment_log_export"),
    path("shipments/import/", views.shipment_import, name="shipment_import"),
    path("shipments/<int:pk>/reverse/", views.shipment_reverse, name="shipment_reverse"),
]
