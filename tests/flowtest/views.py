from django import forms
from django.contrib.auth.decorators import login_required

from nhcs.sheets.export import export_list, export_record
from nhcs.workflow.views import RecordDetailView, RecordEditView, get_record_for, readable_list

from .filters import MemoFilter
from .models import Memo, MemoAck
from .sheets import MEMO_LIST, MEMO_RECORD


class MemoForm(forms.ModelForm):
    class Meta:
        model = Memo
        fields = ["title", "body", "price_changed", "category", "effective_on"]


class MemoDetail(RecordDetailView):
    model = Memo
    template_name = "flowtest/memo_detail.html"

    def get_context_data(self, record, **kwargs):
        from nhcs.workflow.selectors import amendments_for

        return {"amended": amendments_for(record=record), **kwargs}


class AckDetail(RecordDetailView):
    model = MemoAck
    template_name = "flowtest/ack_detail.html"


class MemoEdit(RecordEditView):
    model = Memo
    form_class = MemoForm


@login_required
def memo_export(request, pk, fmt):
    memo = get_record_for(request, Memo, pk)
    return export_record(request=request, sheet=MEMO_RECORD, record=memo, fmt=fmt)


@login_required
def memo_list_export(request, fmt):
    queryset = readable_list(request, Memo.objects.select_related("created_by").order_by("number"))
    return export_list(
        request=request, sheet=MEMO_LIST, queryset=queryset, fmt=fmt, filename="memos", filterset_class=MemoFilter
    )
