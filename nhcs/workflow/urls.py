from django.urls import path

from . import views

app_name = "workflow"

urlpatterns = [
    path("tasks/", views.my_tasks, name="my_tasks"),
    path("attachments/<int:pk>/", views.attachment_download, name="attachment_download"),
    path("deputies/", views.delegation_list, name="delegation_list"),
    path("deputies/<int:pk>/end/", views.delegation_end, name="delegation_end"),
]
