from django import forms
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied

from nhcs.sheets.export import export_list, export_record
from nhcs.workflow.views import RecordDetailView, RecordEditView, get_record_for

from .filters import MemoFilter
from .models import Memo
from .sheets import MEMO_LIST, MEMO_RECORD


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


@login_required
def memo_export(request, pk, fmt):
    memo = get_record_for(request, Memo, pk)
    return export_record(request=request, sheet=MEMO_RECORD, record=memo, fmt=fmt)


@login_required
def memo_list_export(request, fmt):
    # The memo flow has no viewers: every member of staff sees every memo.
    if not (request.user.is_superuser or request.user.department_id):
        raise PermissionDenied
    queryset = Memo.objects.select_related("created_by").order_by("number")
    return export_list(
        request=request, sheet=MEMO_LIST, queryset=queryset, fmt=fmt, filename="memos", filterset_class=MemoFilter
    )
