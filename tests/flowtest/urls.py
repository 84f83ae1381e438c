from django.urls import path

from . import views

app_name = "flowtest"
urlpatterns = [
    path("memos/<int:pk>/", views.MemoDetail.as_view(), name="memo_detail"),
    path("acks/<int:pk>/", views.AckDetail.as_view(), name="ack_detail"),
    path("memos/<int:pk>/edit/", views.MemoEdit.as_view(), name="memo_edit"),
    path("memos/<int:pk>/sheet.<sheetfmt:fmt>", views.memo_export, name="memo_export"),
    path("memos/export.<sheetfmt:fmt>", views.memo_list_export, name="memo_list_export"),
    path("confirmations/<int:pk>/answer.pdf", views.confirmation_answer_pdf, name="confirmation_answer_pdf"),
]
