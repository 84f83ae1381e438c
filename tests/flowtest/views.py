from django import forms
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import get_object_or_404, render
from django.utils import translation

from nhcs.links.http import answer_meta
from nhcs.links.sheets import written_answer_pdf
from nhcs.links.views import page_language
from nhcs.sheets.export import export_list, export_record, pdf_response
from nhcs.workflow.exceptions import Blocked
from nhcs.workflow.views import RecordDetailView, RecordEditView, get_record_for, readable_list

from . import services
from .filters import MemoFilter
from .models import DateConfirmation, Memo, MemoAck
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


# --- a date confirmed by the customer through a link (/tc/<token>/, mounted by nhcs.links) -----------


def confirm_date(request, *, link):
    """The customer's page: the proposed date and a box for their name; no login."""
    confirmation = DateConfirmation.objects.get(link=link)
    language = page_language(request, link)
    with translation.override(language):
        name = request.POST.get("name", "")
        error = ""
        status = 200
        if request.method == "POST":
            try:
                services.date_confirm(token=link.token, name=name, **answer_meta(request))
            except Blocked as refused:
                error, status = refused.message, 400
            else:
                return render(
                    request, "flowtest/date_confirmed.html", {"confirmation": confirmation, "language": language}
                )
        context = {"confirmation": confirmation, "language": language, "name": name, "error": error}
        return render(request, "flowtest/confirm_date.html", context, status=status)


@login_required
def confirmation_answer_pdf(request, pk):
    """The customer's written answer, printed for the file (staff only)."""
    if not (request.user.is_superuser or request.user.department_id):
        raise Http404
    confirmation = get_object_or_404(DateConfirmation.objects.select_related("link__created_by"), pk=pk)
    if confirmation.link is None or confirmation.link.used_at is None:
        raise Http404
    data = written_answer_pdf(
        link=confirmation.link,
        form_key="date_confirmation",
        request=request,
        heading=confirmation.subject,
        lines=[("Confirmed date", confirmation.confirmed_date.isoformat())],
    )
    return pdf_response(data, f"date-confirmation-{confirmation.pk}")
