from django.urls import path

from . import views

# "sheetfmt" (xlsx|pdf) is registered by nhcs.sheets.
app_name = "satisfaction"
urlpatterns = [
    path("surveys/", views.campaign_list, name="campaign_list"),
    path("surveys/export.<sheetfmt:fmt>", views.campaign_list_export, name="campaign_list_export"),
    path("surveys/new/", views.campaign_create, name="campaign_create"),
    path("surveys/<int:pk>/", views.CampaignDetail.as_view(), name="campaign_detail"),
    path("surveys/<int:pk>/edit/", views.CampaignEdit.as_view(), name="campaign_edit"),
    path("surveys/<int:pk>/questionnaire/", views.questionnaire_edit, name="questionnaire_edit"),
    path("surveys/<int:pk>/sample/", views.sample_edit, name="sample_edit"),
    path("surveys/<int:pk>/follow-up/", views.follow_up, name="follow_up"),
    path("surveys/<int:pk>/statistics/", views.statistics, name="statistics"),
    path("surveys/<int:pk>/answers/<int:recipient_pk>/", views.response_detail, name="response_detail"),
    path("surveys/<int:pk>/answers/<int:recipient_pk>/enter/", views.answer_enter, name="answer_enter"),
    path("surveys/<int:pk>/statistics.<sheetfmt:fmt>", views.statistics_export, name="statistics_export"),
    path("surveys/<int:pk>/form.<sheetfmt:fmt>", views.form_export, name="form_export"),
    path("surveys/<int:pk>/letters.pdf", views.letters_export, name="letters_export"),
    path(
        "surveys/<int:pk>/answers/<int:recipient_pk>/form.<sheetfmt:fmt>", views.response_export, name="response_export"
    ),
    # Improvement items became corrective actions (nhcs.capa, /actions/): the old addresses lead there.
    path("surveys/improvements/", views.improvement_list, name="improvement_list"),
    path("surveys/improvements/export.<sheetfmt:fmt>", views.improvement_list_export, name="improvement_list_export"),
    path("surveys/improvements/<int:pk>/", views.improvement_redirect, name="improvement_detail"),
    path("surveys/improvements/<int:pk>/edit/", views.improvement_redirect, {"edit": True}, name="improvement_edit"),
    # The customer's page /s/<token>/ is mounted by nhcs.links (purpose "survey", see apps.py).
    path("s-thanks/", views.public_thanks, name="public_thanks"),
    # The blank form kept its address from when it was served by nhcs.sheets.
    path("sheets/survey-form/blank.pdf", views.survey_form_blank, name="survey_form_blank"),
]
