"""Survey pages: thin views that parse, call a service and render."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse, HttpResponseRedirect, QueryDict
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import translation
from django.utils.html import format_html_join
from django.utils.translation import gettext as _

from nhcs.capa.selectors import actions_for_source
from nhcs.core.once import once
from nhcs.links.selectors import written_answer
from nhcs.workflow import selectors as wf_selectors
from nhcs.workflow import services as wf
from nhcs.workflow.exceptions import WorkflowError
from nhcs.workflow.views import RecordDetailView, RecordEditView, form_action, get_record_for, readable_list

from . import scoring, selectors, services, sheets
from .choices import CampaignState
from .filters import CampaignFilter
from .forms import (
    AspectFormSet,
    CampaignCreateForm,
    CampaignForm,
    ChannelForm,
    FollowUpForm,
    PublicAnswerForm,
    SampleChooseForm,
    SampleDrawForm,
    StaffAnswerForm,
    TickPointsForm,
)
from .models import Campaign, Recipient, Response

# Customers per page of the statistics page's table (the sheets list every customer).
STATISTICS_PAGE = 50
# Customers per page of the survey page's sample table (the counts above it cover every customer).
RECIPIENT_PAGE = 50


def _check_sales(user) -> None:
    if not services.is_sales(user):
        raise PermissionDenied


def _int(value) -> int:
    """A posted id; 0 (never a real one) when it is not one."""
    value = (value or "").strip()
    return int(value) if value.isdigit() else 0


# --- campaigns ------------------------------------------------------------------------------------


@login_required
def campaign_list(request):
    campaigns = readable_list(request, selectors.campaign_list(counts=False))
    filterset = CampaignFilter(request.GET or None, queryset=campaigns)
    campaigns = filterset.qs if filterset.is_bound and filterset.is_valid() else campaigns
    figures = selectors.campaign_figures()
    campaigns = selectors.with_counts(campaigns, figures)
    return render(
        request,
        "satisfaction/campaign_list.html",
        {
            "filter": filterset,
            "campaigns": campaigns,
            "warning": selectors.no_recent_survey_warning(),
            "can_create": services.is_sales(request.user),
            "trend": selectors.trend_from(figures),
        },
    )


@login_required
def campaign_create(request):
    _check_sales(request.user)
    form = CampaignCreateForm(request.POST or None)

    def page(status):
        return render(request, "satisfaction/campaign_form.html", {"form": form}, status=status)

    if request.method != "POST":
        return page(200)
    return form_action(
        request,
        form=form,
        call=once(request, lambda data: services.campaign_create(user=request.user, **data)),
        success=lambda c: _("Survey %(number)s created with the default questionnaire.") % {"number": c.number},
        then=lambda c: c.get_absolute_url(),
        again=page,
    )


def _recipient_state_labels() -> list[tuple[str, str]]:
    return [("answered", _("Answered")), ("waiting", _("Waiting")), ("not_sent", _("Not sent"))]


class CampaignDetail(RecordDetailView):
    model = Campaign
    template_name = "satisfaction/campaign_detail.html"

    def get_context_data(self, record, **kwargs):
        # The counts cover the whole sample; the table a page of it, narrowed by answer state and customer.
        answer = self.request.GET.get("answer", "")
        answer = answer if answer in selectors.RECIPIENT_STATES else ""
        q = self.request.GET.get("q", "").strip()[:100]
        counts = selectors.recipient_counts(record)
        paginator = Paginator(selectors.recipients_of(record, answer=answer, q=q), RECIPIENT_PAGE)
        if not q:  # the counts already say how many rows there are
            paginator.count = counts[answer or "total"]
        page = paginator.get_page(self.request.GET.get("page"))
        page.object_list = selectors.with_mails(page.object_list)
        query = QueryDict(mutable=True)
        query.update({k: v for k, v in (("answer", answer), ("q", q)) if v})
        is_sales = services.is_sales(self.request.user)
        return {
            "aspects": selectors.aspects_for(record),
            "ticks": list(record.ticks.all()),
            "recipient_counts": counts,
            "recipient_states": [(key, label, counts[key]) for key, label in _recipient_state_labels()],
            "page": page,
            "answer": answer,
            "q": q,
            "query": query.urlencode(),
            "is_sales": is_sales,
            "can_enter": is_sales and record.is_open_for_answers,
            "band_legend": [(scoring.band_label(b), rule) for b, rule in scoring.BAND_LEGEND],
        }


class CampaignEdit(RecordEditView):
    model = Campaign
    form_class = CampaignForm


def _draft_campaign_for_sales(request, pk) -> Campaign:
    campaign = get_record_for(request, Campaign, pk)
    _check_sales(request.user)
    return campaign


@login_required
def questionnaire_edit(request, pk: int):
    campaign = _draft_campaign_for_sales(request, pk)
    aspects = selectors.aspects_for(campaign)
    ticks = list(campaign.ticks.all())
    initial = [
        {
            "id": a.pk,
            "label_zh": a.label_zh,
            "label_en": a.label_en,
            "weight": a.weight,
            "responsible_department": a.responsible_department,
        }
        for a in aspects
    ]
    if request.method != "POST" and campaign.state != CampaignState.DRAFT:
        messages.info(request, _("The questionnaire can only be changed while the survey is a draft."))
        return redirect(campaign.get_absolute_url())
    data = request.POST if request.method == "POST" else None
    formset = AspectFormSet(data, initial=initial, prefix="aspects")
    tick_form = TickPointsForm(data, ticks=ticks)

    def page(status):
        context = {"campaign": campaign, "formset": formset, "tick_form": tick_form}
        return render(request, "satisfaction/questionnaire_form.html", context, status=status)

    if request.method != "POST":
        return page(200)
    if not formset.is_valid():
        tick_form.is_valid()
        messages.error(request, _("Please correct the errors below."))
        return page(400)
    rows = [f.cleaned_data for f in formset.forms if f.cleaned_data and (f.has_changed() or f.cleaned_data.get("id"))]
    return form_action(
        request,
        form=tick_form,
        call=lambda points: services.questionnaire_update(
            campaign=campaign, user=request.user, aspects=rows, tick_points=points
        ),
        success=_("Questionnaire saved."),
        then=campaign.get_absolute_url(),
        again=page,
    )


@login_required
def sample_edit(request, pk: int):
    campaign = _draft_campaign_for_sales(request, pk)
    recipients = selectors.recipients_for(campaign)
    draw_form = SampleDrawForm(initial={"share": campaign.sample_share or 30})
    choose_form = SampleChooseForm(initial={"customers": [r.customer_id for r in recipients]})

    def page(status):
        context = {
            "campaign": campaign,
            "recipients": recipients,
            "draw_form": draw_form,
            "choose_form": choose_form,
            "channel_choices": ChannelForm.base_fields["channel"].choices,
        }
        return render(request, "satisfaction/sample_form.html", context, status=status)

    if request.method != "POST":
        return page(200)
    here = reverse("satisfaction:sample_edit", args=[campaign.pk])
    action = request.POST.get("_action")
    if action == "draw":
        draw_form = SampleDrawForm(request.POST)
        return form_action(
            request,
            form=draw_form,
            call=lambda data: services.sample_draw(campaign=campaign, user=request.user, **data),
            success=_("Sample drawn."),
            then=here,
            again=page,
        )
    if action == "choose":
        choose_form = SampleChooseForm(request.POST)
        return form_action(
            request,
            form=choose_form,
            call=lambda data: services.sample_choose(campaign=campaign, user=request.user, customers=data["customers"]),
            success=_("Sample saved."),
            then=here,
            again=page,
        )
    if action == "channel":
        recipient = get_object_or_404(Recipient, pk=_int(request.POST.get("recipient")), campaign=campaign)
        return form_action(
            request,
            form=ChannelForm(request.POST),
            call=lambda data: services.recipient_set_channel(
                recipient=recipient, user=request.user, channel=data["channel"]
            ),
            success=_("Channel saved."),
            then=here,
            again=page,
        )
    messages.error(request, _("Unknown action."))
    return page(400)


@login_required
def follow_up(request, pk: int):
    campaign = get_record_for(request, Campaign, pk)
    can_act = services.is_sales(request.user) and campaign.is_open_for_answers
    form = FollowUpForm(request.POST if request.method == "POST" else None)
    bound_for = None

    def page(status):
        context = {
            "campaign": campaign,
            "rows": selectors.non_respondents(campaign),
            "can_act": can_act,
            "form": form if bound_for else FollowUpForm(),
            "bound_for": bound_for,
            "empty_form": FollowUpForm(),
        }
        return render(request, "satisfaction/follow_up.html", context, status=status)

    if request.method != "POST":
        return page(200)
    _check_sales(request.user)
    here = reverse("satisfaction:follow_up", args=[campaign.pk])
    action = request.POST.get("_action")
    if action == "remind_all":
        return form_action(
            request,
            form=None,
            call=lambda _data: services.reminders_send(campaign=campaign, user=request.user),
            success=lambda n: _("%(n)s reminder e-mails queued; they are sent in the background.") % {"n": n},
            then=here,
            again=page,
        )
    recipient = get_object_or_404(Recipient, pk=_int(request.POST.get("recipient")), campaign=campaign)
    if action == "remind":
        return form_action(
            request,
            form=None,
            call=lambda _data: services.follow_up_log(recipient=recipient, user=request.user, kind="reminder_email"),
            success=_("Reminder to %(customer)s queued; it is sent in the background.")
            % {"customer": recipient.customer},
            then=here,
            again=page,
        )
    bound_for = recipient.pk
    return form_action(
        request,
        form=form,
        call=lambda data: services.follow_up_log(recipient=recipient, user=request.user, **data),
        success=_("Follow-up logged."),
        then=here,
        again=page,
    )


@login_required
def answer_enter(request, pk: int, recipient_pk: int):
    campaign = get_record_for(request, Campaign, pk)
    _check_sales(request.user)
    recipient = get_object_or_404(Recipient.objects.select_related("customer"), pk=recipient_pk, campaign=campaign)
    if Response.objects.filter(recipient=recipient).exists():
        messages.info(request, _("This customer's answer is already recorded."))
        return redirect("satisfaction:response_detail", pk=campaign.pk, recipient_pk=recipient.pk)
    aspects = selectors.aspects_for(campaign)
    ticks = list(campaign.ticks.all())
    form = StaffAnswerForm(
        request.POST or None,
        request.FILES or None,
        aspects=aspects,
        ticks=ticks,
        initial={"source": recipient.channel if recipient.channel != "email" else "email"},
    )

    def page(status):
        context = {"campaign": campaign, "recipient": recipient, "form": form, "ticks": ticks}
        return render(request, "satisfaction/answer_enter.html", context, status=status)

    if request.method != "POST":
        if not campaign.is_open_for_answers:
            messages.info(request, _("Answers are entered while the survey is sent or collecting."))
            return redirect(campaign.get_absolute_url())
        return page(200)
    return form_action(
        request,
        form=form,
        call=once(
            request,
            lambda data: services.answer_enter(
                recipient=recipient,
                user=request.user,
                ticks_by_aspect=form.ticks_by_aspect(),
                source=data["source"],
                received_on=data["received_on"],
                signed_name=data["signed_name"],
                respondent=data["respondent"],
                comments=data["comments"],
                scan=data.get("scan"),
            ),
        ),
        success=_("Answer of %(customer)s recorded.") % {"customer": recipient.customer},
        then=reverse("satisfaction:response_detail", args=[campaign.pk, recipient.pk]),
        again=page,
        files_may_be_saved=True,
    )


@login_required
def response_detail(request, pk: int, recipient_pk: int):
    campaign = get_record_for(request, Campaign, pk)
    response = get_object_or_404(
        Response.objects.select_related(
            "recipient__customer", "recipient__link__created_by", "recipient__link__customer", "entered_by"
        ).prefetch_related("answers__tick", "answers__aspect"),
        recipient_id=recipient_pk,
        recipient__campaign=campaign,
    )
    return render(
        request,
        "satisfaction/response_detail.html",
        {
            "campaign": campaign,
            "response": response,
            "ticks": list(campaign.ticks.all()),
            "attachments": wf_selectors.attachments_for(record=response),
            "band_label": scoring.band_label(response.band),
            "written_answer": written_answer(response.recipient.link) if response.recipient.link else None,
            "actions": actions_for_source(response),
        },
    )


@login_required
def statistics(request, pk: int):
    campaign = get_record_for(request, Campaign, pk)
    stats = selectors.campaign_statistics(campaign)
    # The figures cover every answer; the table per customer shows a page of them (the sheets all).
    paginator = Paginator(selectors.response_rows_of(campaign), STATISTICS_PAGE)
    paginator.count = stats.response_count  # counted with the figures
    page = paginator.get_page(request.GET.get("page"))
    page.object_list = selectors.with_points(page.object_list)
    # The table's cells written here, not one by one through the template (a page is 50 customers × every
    # aspect): each row's points (below "satisfied" in red) and the link to the answer.
    answers_url = reverse("satisfaction:response_detail", args=[campaign.pk, 0]).removesuffix("0/")
    for r in page.object_list:
        r.url = f"{answers_url}{r.recipient_id}/"
        r.point_cells = format_html_join(
            "",
            '<td class="text-end{}">{}</td>',
            ((" text-danger fw-semibold" if below else "", points) for points, below in r.points),
        )
    return render(
        request,
        "satisfaction/statistics.html",
        {
            "campaign": campaign,
            "stats": stats,
            "page": page,
            "band_legend": [(scoring.band_label(b), rule) for b, rule in scoring.BAND_LEGEND],
            "chart_data": _chart_data(stats),
        },
    )


def _chart_data(stats) -> dict:
    return {
        "aspects": {
            "labels": [str(s.aspect) for s in stats.aspects],
            "means": [float(s.mean) if s.mean is not None else None for s in stats.aspects],
            "previous": [float(s.previous_mean) if s.previous_mean is not None else None for s in stats.aspects],
        },
        "bands": {
            "labels": [label for _b, label, _n, _s in stats.bands],
            "counts": [n for _b, _l, n, _s in stats.bands],
        },
        "trend": {"labels": [str(y) for y, _m, _n in stats.trend], "means": [float(m) for _y, m, _n in stats.trend]},
        "labels": {
            "mean": _("Mean"),
            "previous": _("Previous survey"),
            "answers": _("Answers"),
            "trend": _("Mean total"),
        },
    }


# --- improvement items, now corrective actions (nhcs.capa): the old addresses lead there --------------


def _actions_url(request, url: str) -> str:
    """The corrective actions raised by survey answers, with the old list's filters."""
    query = QueryDict(mutable=True)
    query["source_kind"] = services.SURVEY_ANSWER_SOURCE
    if request.GET.get("state"):
        query["state"] = request.GET["state"]
    if request.GET.get("responsible_department"):
        query["owner_department"] = request.GET["responsible_department"]
    campaign_pk = request.GET.get("campaign") or ""
    if campaign_pk.isdigit():
        number = Campaign.objects.filter(pk=campaign_pk).values_list("number", flat=True).first()
        if number:
            query["source"] = number
    return f"{url}?{query.urlencode()}"


@login_required
def improvement_list(request):
    """/surveys/improvements/ → /actions/ (the survey answers' actions, same filters), for good."""
    return redirect(_actions_url(request, reverse("capa:action_list")), permanent=True)


@login_required
def improvement_list_export(request, fmt: str):
    return redirect(_actions_url(request, reverse("capa:action_list_export", args=[fmt])), permanent=True)


@login_required
def improvement_redirect(request, pk: int, edit: bool = False):
    """/surveys/improvements/<id>/ → the corrective action the improvement item became, for good."""
    from nhcs.capa.selectors import moved_improvement_item

    action = moved_improvement_item(pk)
    if action is None or not wf.can_read_record(user=request.user, record=action):
        raise Http404  # a reader of the action only: the address names it
    url = reverse("capa:action_edit", args=[action.pk]) if edit else action.get_absolute_url()
    return redirect(url, permanent=True)


# --- the customer's page ------------------------------------------------------------------------


def public_answer(request, *, link):
    """The customer's form behind their survey link (/s/<token>/, mounted by nhcs.links, which checks
    the link and answers wrong, expired and used links): no login; one submission."""
    from nhcs.links.http import answer_meta
    from nhcs.links.views import page_language
    from nhcs.sheets.models import CompanySettings

    from .defaults import ONLINE_GREETING

    recipient = services.recipient_for_link(link)
    language = page_language(request, link)
    with translation.override(language):
        campaign = recipient.campaign
        aspects = selectors.aspects_for(campaign)
        ticks = list(campaign.ticks.all())
        form = PublicAnswerForm(request.POST or None, aspects=aspects, ticks=ticks, language=language)
        status = 200
        error_text = None
        if request.method == "POST":
            if form.is_valid():
                try:
                    services.answer_submit_online(
                        token=link.token,
                        ticks_by_aspect=form.ticks_by_aspect(),
                        signed_name=form.cleaned_data["signed_name"],
                        comments=form.cleaned_data["comments"],
                        **answer_meta(request),
                    )
                except WorkflowError as error:
                    error_text = error.message
                else:
                    return HttpResponseRedirect(reverse("satisfaction:public_thanks") + f"?lang={language}")
            status = 400
        return render(
            request,
            "satisfaction/public_answer.html",
            {
                "recipient": recipient,
                "campaign": campaign,
                "form": form,
                "ticks": ticks,
                "language": language,
                "greeting": ONLINE_GREETING,
                "company": CompanySettings.load(),
                "error_text": error_text,
                "customer_name": recipient.customer.name_zh
                if language.startswith("zh")
                else (recipient.customer.name_en or recipient.customer.name_zh),
            },
            status=status,
        )


def public_thanks(request):
    from nhcs.sheets.models import CompanySettings

    language = request.GET.get("lang")
    if language not in ("zh-hans", "en"):
        language = translation.get_language()
    with translation.override(language):
        return render(
            request, "satisfaction/public_thanks.html", {"language": language, "company": CompanySettings.load()}
        )


# --- record sheets (Excel and PDF) ------------------------------------------------------------------


def _xlsx(data: bytes, filename: str):
    from nhcs.sheets.export import XLSX_MIME, _disposition

    response = HttpResponse(data, content_type=XLSX_MIME)
    response["Content-Disposition"] = _disposition(filename, "xlsx")
    return response


@login_required
def campaign_list_export(request, fmt: str):
    """The surveys as listed (with the list's filters), .xlsx or .pdf."""
    from nhcs.sheets.export import export_list

    return export_list(
        request=request,
        sheet=sheets.CAMPAIGN_LIST,
        queryset=readable_list(request, selectors.campaign_list()),
        fmt=fmt,
        filename="顾客满意度调查一览表",
        filterset_class=CampaignFilter,
    )


@login_required
def statistics_export(request, pk: int, fmt: str):
    """顾客满意度调查统计表 as .xlsx or .pdf, for whoever may see the survey."""
    from nhcs.sheets.export import export_record

    campaign = get_record_for(request, Campaign, pk)
    stats = selectors.campaign_statistics(campaign)
    return export_record(
        request=request,
        sheet=sheets.STATISTICS_SHEET,
        record=campaign,
        fmt=fmt,
        context=sheets.statistics_context(stats),
        filename=f"{campaign.number}-顾客满意度调查统计表",
    )


@login_required
def survey_form_blank(request):
    """The blank survey form (annex table 1), for printing, posting or faxing to any customer."""
    from nhcs.sheets.export import pdf_response

    from .survey_form import survey_form_pdf

    return pdf_response(survey_form_pdf(request=request), "顾客满意度调查表-survey-form")


@login_required
def form_export(request, pk: int, fmt: str):
    """The survey's own blank form (its questionnaire and greeting), to print or fax."""
    from nhcs.sheets.export import pdf_response

    campaign = get_record_for(request, Campaign, pk)
    filename = f"{campaign.number}-顾客满意度调查表"
    if fmt == "xlsx":
        return _xlsx(sheets.survey_form_xlsx_bytes(campaign=campaign), filename)
    return pdf_response(sheets.survey_form_pdf_bytes(request=request, campaign=campaign), filename)


@login_required
def letters_export(request, pk: int):
    """The forms addressed to every customer surveyed by letter or fax, in one PDF to print."""
    from nhcs.sheets.export import pdf_response

    campaign = get_record_for(request, Campaign, pk)
    recipients = sheets.printed_recipients(campaign)
    if not recipients:
        messages.info(request, _("No customer of the sample is surveyed by letter or fax."))
        return redirect(campaign.get_absolute_url())
    data = sheets.letters_pdf_bytes(request=request, campaign=campaign, recipients=recipients)
    return pdf_response(data, f"{campaign.number}-顾客满意度调查表-letters")


@login_required
def response_export(request, pk: int, recipient_pk: int, fmt: str):
    """The filled form of one customer (the same form as the blank one, ticked)."""
    from nhcs.sheets.export import pdf_response

    campaign = get_record_for(request, Campaign, pk)
    response = get_object_or_404(
        Response.objects.select_related(
            "recipient__customer", "recipient__link__created_by", "recipient__link__customer"
        ).prefetch_related("answers__tick", "answers__aspect"),
        recipient_id=recipient_pk,
        recipient__campaign=campaign,
    )
    filename = f"{campaign.number}-{response.recipient.customer.code}-顾客满意度调查表"
    kwargs = {"campaign": campaign, "recipient": response.recipient, "response": response}
    if fmt == "xlsx":
        return _xlsx(sheets.survey_form_xlsx_bytes(**kwargs), filename)
    return pdf_response(sheets.survey_form_pdf_bytes(request=request, **kwargs), filename)
