from django.urls import path

from . import views

app_name = "sheets"
urlpatterns = [
    path("survey-form/blank.pdf", views.survey_form_blank, name="survey_form_blank"),
]
