from django import forms

from nhcs.workflow.views import RecordDetailView, RecordEditView

from .models import Memo


class MemoForm(forms.ModelForm):
    class Meta:
        model = Memo
        fields = ["title", "body", "price_changed"]


class MemoDetail(RecordDetailView):
    model = Memo
    template_name = "flowtest/memo_detail.html"


class MemoEdit(RecordEditView):
    model = Memo
    form_class = MemoForm
