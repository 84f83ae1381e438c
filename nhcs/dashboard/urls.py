from django.urls import path

from . import views

# "sheetfmt" (xlsx|pdf) is registered by nhcs.sheets.
app_name = "dashboard"
urlpatterns = [
    path("dashboard/report.<sheetfmt:fmt>", views.report, name="report"),
    path("customers/<str:code>/dossier.pdf", views.dossier_pdf, name="dossier_pdf"),
]
