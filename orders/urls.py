from django.urls import include, path

from . import views

# Mounted at the root (nhcs/urls.py): the orders under /orders/, their change notices under /changes/ and
# their delay notices under /delays/, all named "orders:…". The customer's confirmation of a delay notice
# is /c/<token>/ (a purpose of nhcs.links, registered in apps.py).
app_name = "orders"

order_patterns = [
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

change_patterns = [
    path("", views.change_list, name="change_list"),
    path("export.<sheetfmt:fmt>", views.change_list_export, name="change_list_export"),
    path("new/<int:order_pk>/", views.change_create, name="change_create"),
    path("<int:pk>/", views.ChangeDetail.as_view(), name="change_detail"),
    path("<int:pk>/edit/", views.change_edit, name="change_edit"),
    path("<int:pk>/sheet.<sheetfmt:fmt>", views.change_sheet, name="change_sheet"),
    path("acknowledgements/<int:pk>/", views.ChangeAckDetail.as_view(), name="change_ack_detail"),
]

delay_patterns = [
    path("", views.delay_list, name="delay_list"),
    path("export.<sheetfmt:fmt>", views.delay_list_export, name="delay_list_export"),
    path("new/", views.delay_create, name="delay_create"),
    path("<int:pk>/", views.DelayDetail.as_view(), name="delay_detail"),
    path("<int:pk>/edit/", views.delay_edit, name="delay_edit"),
    path("<int:pk>/sheet.<sheetfmt:fmt>", views.delay_sheet, name="delay_sheet"),
    path("<int:pk>/customer-link/", views.delay_link, name="delay_link"),
]

urlpatterns = [
    path("orders/", include(order_patterns)),
    path("changes/", include(change_patterns)),
    path("delays/", include(delay_patterns)),
]
