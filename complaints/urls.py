from django.urls import path

from . import views

# "sheetfmt" (xlsx|pdf) is registered by nhcs.sheets.
app_name = "complaints"
urlpatterns = [
    path("", views.complaint_list, name="complaint_list"),
    path("new/", views.complaint_create, name="complaint_create"),
    path("export.<sheetfmt:fmt>", views.complaint_log_export, name="complaint_log_export"),
    path("analysis/", views.analysis, name="analysis"),
    path("analysis.pdf", views.analysis_pdf, name="analysis_pdf"),
    path("<int:pk>/", views.ComplaintDetail.as_view(), name="complaint_detail"),
    path("<int:pk>/edit/", views.complaint_edit, name="complaint_edit"),
    path("<int:pk>/actions/", views.action_raise, name="action_raise"),
    path("<int:pk>/costs/", views.cost_add, name="cost_add"),
    path("<int:pk>/costs/<int:cost_pk>/remove/", views.cost_remove, name="cost_remove"),
    path("<int:pk>/repeats/", views.link_add, name="link_add"),
    path("<int:pk>/repeats/<int:link_pk>/remove/", views.link_remove, name="link_remove"),
    path("<int:pk>/sheet.<sheetfmt:fmt>", views.complaint_sheet, name="complaint_sheet"),
    path("<int:pk>/8d.pdf", views.report_8d, name="report_8d"),
    path("<int:pk>/reply-letter.pdf", views.reply_letter, name="reply_letter"),
]
