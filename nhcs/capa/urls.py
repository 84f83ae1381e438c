from django.urls import path

from . import views

# "sheetfmt" (xlsx|pdf) is registered by nhcs.sheets.
app_name = "capa"
urlpatterns = [
    path("", views.action_list, name="action_list"),
    path("export.<sheetfmt:fmt>", views.action_list_export, name="action_list_export"),
    path("<int:pk>/", views.ActionDetail.as_view(), name="action_detail"),
    path("<int:pk>/edit/", views.ActionEdit.as_view(), name="action_edit"),
    path("<int:pk>/sheet.<sheetfmt:fmt>", views.action_sheet, name="action_sheet"),
]
