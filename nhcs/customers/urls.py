from django.urls import path

from . import views

# "sheetfmt" (xlsx|pdf) is registered by nhcs.sheets.
app_name = "customers"
urlpatterns = [
    path("", views.customer_list, name="customer_list"),
    path("export.<sheetfmt:fmt>", views.customer_list_export, name="customer_list_export"),
    path("new/", views.customer_edit, name="customer_create"),
    path("import/", views.customer_import, name="customer_import"),
    path("<str:code>/", views.customer_detail, name="customer_detail"),
    path("<str:code>/edit/", views.customer_edit, name="customer_edit"),
]

# Mounted at /orders/customers/ (where the register used to be): permanent redirects to the new pages.
legacy_urlpatterns = [
    path("", views.legacy_redirect, {"url_name": "customers:customer_list"}),
    path("new/", views.legacy_redirect, {"url_name": "customers:customer_create"}),
    path("import/", views.legacy_redirect, {"url_name": "customers:customer_import"}),
    path("<int:pk>/", views.legacy_customer_redirect, {"url_name": "customers:customer_detail"}),
    path("<int:pk>/edit/", views.legacy_customer_redirect, {"url_name": "customers:customer_edit"}),
]
