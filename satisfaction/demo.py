"""Demo data: last year's survey, answered, closed and signed, so statistics and trend have figures."""

from __future__ import annotations

from datetime import date, timedelta

from django.db import transaction
from django.utils import timezone

from nhcs.accounts.models import User
from nhcs.customers.models import Customer
from nhcs.workflow import services as wf

from . import services
from .choices import AnswerSource
from .models import Campaign

DEMO_TITLE = "2025 年度顾客满意度调查"
EARLIER_TITLE = "2024 年度顾客满意度调查"

# customer code → tick index per aspect (0 = 很满意 … 4 = 很不满意), comment
DEMO_ANSWERS = {
    "C001": ([0, 1, 2, 0, 1, 1, 0, 1], "交货及时，希望价格更有竞争力。"),
    "C002": ([2, 3, 3, 2, 2, 3, 2, 4], "包装破损两次，交期经常延误。"),
    "C003": ([1, 1, 2, 1, 0, 1, 1, 1], "Good technical support."),
    "C004": ([3, 3, 4, 3, 2, 3, 3, 2], "Delivery and price need attention."),
}
EARLIER_ANSWERS = {
    "C001": ([1, 1, 2, 1, 1, 2, 1, 1], ""),
    "C002": ([2, 2, 3, 2, 2, 2, 2, 3], "交期不稳定。"),
    "C003": ([1, 2, 2, 1, 1, 1, 2, 1], "Please shorten lead times."),
}


@transaction.atomic
def seed(*, stdout) -> None:
    """Two past surveys (2024, 2025), answered, closed and signed; idempotent."""
    if Campaign.objects.filter(title=DEMO_TITLE).exists():
        return
    sales = User.objects.filter(username="sales").first()
    head = User.objects.filter(username="sales_head").first()
    if sales is None or head is None or Customer.objects.filter(code__in=DEMO_ANSWERS).count() < len(DEMO_ANSWERS):
        return
    year = timezone.localdate().year
    for title, period, answers, sent in [
        (EARLIER_TITLE, str(year - 2), EARLIER_ANSWERS, date(year - 2, 10, 20)),
        (DEMO_TITLE, str(year - 1), DEMO_ANSWERS, date(year - 1, 10, 15)),
    ]:
        campaign = _past_campaign(sales=sales, head=head, title=title, period=period, answers=answers, sent=sent)
        stdout.write(f"Satisfaction survey {campaign.number} (demo, {period}) created.")
        if title == EARLIER_TITLE:
            _earlier_actions(campaign)


def _past_campaign(*, sales, head, title, period, answers, sent) -> Campaign:
    campaign = services.campaign_create(
        user=sales, title=title, period=period, response_deadline=timezone.localdate() + timedelta(days=30)
    )
    services.sample_choose(campaign=campaign, user=sales, customers=Customer.objects.filter(code__in=answers))
    campaign = wf.transition_record(
        record=campaign, name="send", user=sales, comment="邮件链接已发，信件和传真已寄出。"
    )
    aspects = list(campaign.aspects.all())
    ticks = list(campaign.ticks.all())
    for recipient in campaign.recipients.select_related("customer"):
        indexes, comment = answers[recipient.customer.code]
        choice = {a.pk: ticks[i].pk for a, i in zip(aspects, indexes)}
        services.answer_enter(
            recipient=recipient,
            user=sales,
            ticks_by_aspect=choice,
            source=AnswerSource.PHONE,
            received_on=timezone.localdate(),
            respondent=recipient.customer.contact_name or "—",
            comments=comment,
            signed_name=recipient.customer.contact_name,
        )
    campaign = wf.transition_record(record=campaign, name="close", user=sales, comment="")
    campaign = wf.transition_record(record=campaign, name="analyse", user=head, comment="统计表已审核。")
    # Dated in the past: the demo then also shows the "no survey in 12 months" warning.
    Campaign.objects.filter(pk=campaign.pk).update(sent_on=sent, response_deadline=sent + timedelta(days=30))
    campaign.refresh_from_db()
    return campaign


def _earlier_actions(campaign) -> None:
    """The corrective actions the earlier survey raised: one went the whole way (measures, distribution,
    the customer told, carried out with evidence, verified, closed), one waits for Sales to tell the
    customer (NH-QP14 4.7.4–4.7.5)."""
    from django.core.files.uploadedfile import SimpleUploadedFile

    from nhcs.accounts.models import Department
    from nhcs.capa.models import CorrectiveAction
    from nhcs.workflow.choices import AttachmentKind

    users = {u.username: u for u in User.objects.filter(username__in=["sales", "sales_head", "qa", "vgm"])}
    if len(users) < 4:
        return
    today = timezone.localdate()
    owner_heads = {"SALES": users["sales_head"], "WH": users["vgm"]}  # the warehouse has no head: its deputy GM
    plans = {
        "price": ("报价未及时更新原材料降价", "每季度复核报价并书面通知客户", "SALES"),
        "packaging": ("纸箱强度不足，运输途中破损", "改用五层瓦楞纸箱并加护角", "WH"),
    }
    actions = CorrectiveAction.objects.filter(
        source_kind="survey_answer", source_number__startswith=f"{campaign.number}-"
    )
    for action in actions.order_by("pk"):
        key = getattr(action.topic, "key", "")
        if key not in plans:
            continue
        analysis, measures, owner = plans[key]
        head = owner_heads[owner]
        action = wf.record_update(
            record=action,
            user=users["sales_head"],
            changes={
                "analysis": analysis,
                "measures": measures,
                "due_on": today + timedelta(days=14),
                "check_on": today + timedelta(days=60),
            },
        )
        action = wf.transition_record(record=action, name="set_measures", user=head, comment="")
        departments = [pk for pk in Department.objects.filter(code__in=[owner, "QA"]).values_list("pk", flat=True)]
        action = wf.transition_record(record=action, name="distribute", user=head, data={"departments": departments})
        if key != "price":
            continue
        action = wf.transition_record(
            record=action,
            name="inform_customer",
            user=users["sales"],
            data={"informed_on": today.isoformat(), "channel": "email", "feedback": "已邮件告知客户新的报价复核安排。"},
        )
        note = SimpleUploadedFile("报价复核记录.txt", "报价复核记录：已按新的原材料价格调整报价。".encode())
        action = wf.transition_record(
            record=action, name="implement", user=users["sales"], attachments=[(note, AttachmentKind.EVIDENCE, "")]
        )
        action = wf.transition_record(
            record=action,
            name="verify",
            user=users["qa"],
            data={"checked_on": today.isoformat(), "effectiveness": "下一年度调查中价格一项已达“满意”。"},
        )
        wf.transition_record(record=action, name="close", user=users["sales_head"], comment="")
