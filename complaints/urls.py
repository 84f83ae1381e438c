from django.urls import path

from . import views

# "sheetfmt" (xlsx|pdf) is registered by nhcs.sheets. Mounted at the root: /complaints/, /feedback/
# (after-sales feedback) and /advisories/ (advisory notices), all named "complaints:…".
app_name = "complaints"
urlpatterns = [
    path("complaints/", views.complaint_list, name="complaint_list"),
    path("complaints/new/", views.complaint_create, name="complaint_create"),
    path("complaints/export.<sheetfmt:fmt>", views.complaint_log_export, name="complaint_log_export"),
    path("complaints/analysis/", views.analysis, name="analysis"),
    path("complaints/analysis.pdf", views.analysis_pdf, name="analysis_pdf"),
    path("complaints/<int:pk>/", views.ComplaintDetail.as_view(), name="complaint_detail"),
    path("complaints/<int:pk>/edit/", views.complaint_edit, name="complaint_edit"),
    path("complaints/<int:pk>/actions/", views.action_raise, name="action_raise"),
    path("complaints/<int:pk>/costs/", views.cost_add, name="cost_add"),
    path("complaints/<int:pk>/costs/<int:cost_pk>/remove/", views.cost_remove, name="cost_remove"),
    path("complaints/<int:pk>/repeats/", views.link_add, name="link_add"),
    path("complaints/<int:pk>/repeats/<int:link_pk>/remove/", views.link_remove, name="link_remove"),
    path("complaints/<int:pk>/sheet.<sheetfmt:fmt>", views.complaint_sheet, name="complaint_sheet"),
    path("complaints/<int:pk>/8d.pdf", views.report_8d, name="report_8d"),
    path("complaints/<int:pk>/reply-letter.pdf", views.reply_letter, name="reply_letter"),
    # After-sales feedback (4.5).
    path("feedback/", views.feedback_list, name="feedback_list"),
    path("feedback/new/", views.feedback_create, name="feedback_create"),
    path("feedback/export.<sheetfmt:fmt>", views.feedback_log_export, name="feedback_log_export"),
    path("feedback/<int:pk>/", views.FeedbackDetail.as_view(), name="feedback_detail"),
    path("feedback/<int:pk>/edit/", views.FeedbackEdit.as_view(), name="feedback_edit"),
    path("feedback/<int:pk>/complaint/", views.feedback_to_complaint, name="feedback_to_complaint"),
    path("feedback/<int:pk>/actions/", views.feedback_action_raise, name="feedback_action_raise"),
    # Advisory notices (4.5) and each customer's acknowledgement.
    path("advisories/", views.advisory_list, name="advisory_list"),
    path("advisories/new/", views.advisory_create, name="advisory_create"),
    path("advisories/<int:pk>/", views.AdvisoryDetail.as_view(), name="advisory_detail"),
    path("advisories/<int:pk>/edit/", views.AdvisoryEdit.as_view(), name="advisory_edit"),
    path("advisories/<int:pk>/sheet.<sheetfmt:fmt>", views.advisory_sheet, name="advisory_sheet"),
    path("advisories/<int:pk>/letter.pdf", views.advisory_letter, name="advisory_letter"),
    path("advisories/<int:pk>/remind/", views.advisory_remind, name="advisory_remind"),
    path("advisories/acknowledgements/<int:pk>/", views.AdvisoryAckDetail.as_view(), name="advisory_ack_detail"),
    path("advisories/acknowledgements/<int:pk>/letter.pdf", views.advisory_ack_letter, name="advisory_ack_letter"),
]
