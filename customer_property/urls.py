from django.urls import path

from . import views

app_name = "customer_property"
urlpatterns = [
    path("", views.item_list, name="item_list"),
    path("new/", views.item_create, name="item_create"),
    path("register.<sheetfmt:fmt>", views.register_export, name="register_export"),
    path("labels.pdf", views.labels_export, name="labels_export"),
    path("<int:pk>/", views.ItemDetail.as_view(), name="item_detail"),
    path("<int:pk>/scan/", views.ItemScan.as_view(), name="item_scan"),
    path("<int:pk>/edit/", views.ItemEdit.as_view(), name="item_edit"),
    path("<int:pk>/movements/", views.movement_post, name="movement_post"),
    path("<int:pk>/card.<sheetfmt:fmt>", views.item_card, name="item_card"),
    path("<int:pk>/label.pdf", views.item_label, name="item_label"),
    path("<int:pk>/notice.pdf", views.notice_letter, name="notice_letter"),
    path("<int:pk>/incidents/new/", views.incident_create, name="incident_create"),
    path("incidents/<int:pk>/", views.IncidentDetail.as_view(), name="incident_detail"),
    path("incidents/<int:pk>/edit/", views.IncidentEdit.as_view(), name="incident_edit"),
    path("incidents/<int:pk>/notice.pdf", views.incident_letter, name="incident_letter"),
    path("incidents/<int:pk>/actions/", views.incident_action, name="incident_action"),
    path("counts/", views.count_list, name="count_list"),
    path("counts/<int:pk>/", views.CountDetail.as_view(), name="count_detail"),
    path("counts/<int:pk>/counted/", views.count_enter, name="count_enter"),
    path("counts/<int:pk>/sheet.<sheetfmt:fmt>", views.count_sheet, name="count_sheet"),
]
