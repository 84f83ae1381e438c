from django.urls import path

from . import views

app_name = "flowtest"
urlpatterns = [
    path("memos/<int:pk>/", views.MemoDetail.as_view(), name="memo_detail"),
    path("memos/<int:pk>/edit/", views.MemoEdit.as_view(), name="memo_edit"),
]
