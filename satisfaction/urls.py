from django.urls import path

from . import views

app_name = "satisfaction"
urlpatterns = [
    path("surveys/", views.campaign_list, name="campaign_list"),
    path("surveys/new/", views.campaign_create, name="campaign_create"),
    path("surveys/<int:pk>/", views.CampaignDetail.as_view(), name="campaign_detail"),
    path("surveys/<int:pk>/edit/", views.CampaignEdit.as_view(), name="campaign_edit"),
    path("surveys/<int:pk>/questionnaire/", views.questionnaire_edit, name="questionnaire_edit"),
    path("surveys/<int:pk>/sample/", views.sample_edit, name="sample_edit"),
    path("surveys/<int:pk>/follow-up/", views.follow_up, name="follow_up"),
    path("surveys/<int:pk>/statistics/", views.statistics, name="statistics"),
    path("surveys/<int:pk>/answers/<int:recipient_pk>/", views.response_detail, name="response_detail"),
    path("surveys/<int:pk>/answers/<int:recipient_pk>/enter/", views.answer_enter, name="answer_enter"),
    path("surveys/improvements/", views.improvement_list, name="improvement_list"),
    path("surveys/improvements/<int:pk>/", views.ImprovementDetail.as_view(), name="improvement_detail"),
    path("surveys/improvements/<int:pk>/edit/", views.ImprovementEdit.as_view(), name="improvement_edit"),
    path("s/<str:token>/", views.public_answer, name="public_answer"),
    path("s-thanks/", views.public_thanks, name="public_thanks"),
]
