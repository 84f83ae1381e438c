from django.urls import path

from . import views

app_name = "sheets"

urlpatterns = [
    path("<str:token>/", views.export_status, name="export_status"),
    path("<str:token>/file/", views.export_download, name="export_download"),
]
