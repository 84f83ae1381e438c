from datetime import timedelta
from decimal import Decimal

import pytest
from django.core import mail
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone, translation

from nhcs.capa.choices import Trigger
from nhcs.capa.models import CorrectiveAction
from nhcs.customers.models import Customer
from nhcs.links.exceptions import LinkClosed, LinkExpired, LinkUsed, LinkWrong
from nhcs.links.models import CustomerLink
from nhcs.workflow import services as wf
from nhcs.workflow.exceptions import Blocked, NotAllowed
from satisfaction import selectors, services
from satisfaction.choices import AnswerSource, Band, CampaignState
from satisfaction.models import Answer, Campaign, FollowUp, Recipient, Response

from .conftest import ticks_for

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def test_new_campaign_copies_the_default_questionnaire(demo, new_campaign):
    campaign = new_campaign()
    aspects = list(campaign.aspects.select_related("responsible_department"))
    assert [a.key for a in aspects] == [
        "quality",
        "delivery",
        "price",
        "attitude",
        "technical",
        "complaints",
        "communication",
        "packaging",
    ]
    assert {a.key: a.responsible_department.code for a in aspects} == {
        "quality": "QA",
        "delivery": "PLAN",
        "price": "SALES",
        "attitude": "SALES",
        "technical": "ENG",
        "complaints": "QA",
        "communication": "SALES",
        "packaging": "WH",
    }
    assert all(a.weight == 1 for a in aspects)
    assert [(t.label_zh, t.points) for t in campaign.ticks.all()] == [
        ("很满意", 100),
        ("比较满意", 85),
        ("满意", 70),
        ("不太满意", 50),
        ("很不满意", 20),
    ]
    assert campaign.state == CampaignState.DRAFT and campaign.number.startswith("MY-")


def test_only_sales_creates_campaigns(demo):
    with pytest.raises(NotAllowed):
        services.campaign_create(user=demo["qa"], title="x", period="2026")


def test_sample_draw_is_reproducible_from_the_seed(demo, new_campaign):
    for i in range(20):
        Customer.objects.create(code=f"X{i:03}", name_zh=f"客户{i}", is_key_account=(i % 7 == 0))
    campaign = new_campaign()
    services.sample_draw(campaign=campaign, user=demo["sales"], share=30, seed=12345)
    first = sorted(campaign.recipients.values_list("customer__code", flat=True))
    campaign.refresh_from_db()
    assert campaign.sample_seed == 12345 and campaign.sample_share == 30
    services.sample_draw(campaign=campaign, user=demo["sales"], share=30, seed=12345)
    assert sorted(campaign.recipients.values_list("customer__code", flat=True)) == first
    keys = set(Customer.objects.filter(is_key_account=True, is_active=True).values_list("code", flat=True))
    assert keys <= set(first)
    others = Customer.objects.filter(is_key_account=False, is_active=True).count()
    assert len(first) == len(keys) + round(others * 0.3)
    # a new draw without a seed stores the seed it used
    services.sample_draw(campaign=campaign, user=demo["sales"], share=30)
    campaign.refresh_from_db()
    assert campaign.sample_seed is not None


def test_send_mails_links_and_arms_tokens(demo, new_campaign, django_capture_on_commit_callbacks, run_jobs):
    campaign = new_campaign()
    with django_capture_on_commit_callbacks(execute=True):
        campaign = wf.transition_record(record=campaign, name="send", user=demo["sales"], comment="")
    run_jobs()
    assert campaign.state == CampaignState.SENT
    campaign.refresh_from_db()
    assert campaign.sent_on == timezone.localdate()
    assert not campaign.recipients.filter(sent_at=None).exists()
    email_recipients = list(campaign.recipients.filter(channel="email").select_related("customer"))
    survey_mails = [m for m in mail.outbox if "/s/" in m.body]
    assert len(survey_mails) == len(email_recipients) == 2
    for r in email_recipients:
        assert any(r.token in m.body and m.to == [r.customer.email] for m in survey_mails)
    assert all(len(r.token) >= 40 for r in campaign.recipients.all())


def test_send_needs_a_sample_and_a_deadline(demo):
    campaign = services.campaign_create(user=demo["sales"], title="t", period="2026")
    with translation.override("zh-hans"):
        with pytest.raises(Blocked) as info:
            wf.transition_record(record=campaign, name="send", user=demo["sales"])
        assert info.value.messages() == ["请先填写：回复截止日期。", "请先选定客户样本。"]


def test_send_needs_an_address_for_each_email_link(demo, new_campaign):
    campaign = new_campaign()
    Customer.objects.filter(code="C001").update(email="")
    with pytest.raises(Blocked) as info:
        wf.transition_record(record=campaign, name="send", user=demo["sales"])
    assert "C001" in " ".join(info.value.messages())
    services.recipient_set_channel(
        recipient=campaign.recipients.get(customer__code="C001"), user=demo["sales"], channel="phone"
    )
    assert (
        wf.transition_record(record=Campaign.objects.get(pk=campaign.pk), name="send", user=demo["sales"]).state
        == CampaignState.SENT
    )


def test_online_answer_scores_bands_and_raises_improvements(demo, sent_campaign, answer_online):
    campaign = sent_campaign()
    r = campaign.recipients.get(customer__code="C002")
    # quality 很满意 100, delivery 不太满意 50, the rest 满意 70 → (100 + 50 + 6*70) / 8 = 71.25 → 71.3
    response = answer_online(r, [0, 3, 2, 2, 2, 2, 2, 2], signed_name="李主管", comments="交期要改进")
    assert response.total == Decimal("71.3") and response.band == Band.SATISFIED
    assert response.source == AnswerSource.ONLINE and response.signed_name == "李主管"
    items = list(CorrectiveAction.objects.for_source(response).select_related("owner_department"))
    assert [(i.trigger, i.topic.key, i.owner_department.code, i.score) for i in items] == [
        (Trigger.LOW_ASPECT, "delivery", "PLAN", Decimal("50.0"))
    ]
    assert items[0].state == "open" and items[0].source == response and items[0].customer_feedback_required
    assert items[0].source_number == f"{campaign.number}-C002" and items[0].source_kind == "survey_answer"


def test_low_total_goes_to_sales_head(demo, sent_campaign, answer_online):
    campaign = sent_campaign()
    r = campaign.recipients.get(customer__code="C004")
    response = answer_online(r, 3)  # all 不太满意 → 50.0
    assert response.total == Decimal("50.0") and response.band == Band.NOT_VERY_SATISFIED
    items = CorrectiveAction.objects.for_source(response)
    low = items.get(trigger=Trigger.LOW_TOTAL)
    assert low.owner_department.code == "SALES" and low.score == Decimal("50.0") and low.topic is None
    assert items.filter(trigger=Trigger.LOW_ASPECT).count() == 8
    # the task of "set measures" waits for the head of the responsible department
    task = low.tasks.get(status="open")
    assert task.department.code == "SALES" and task.position == "head"


def test_a_satisfied_answer_raises_nothing(demo, sent_campaign, answer_online):
    campaign = sent_campaign()
    response = answer_online(campaign.recipients.get(customer__code="C001"), 2)  # all 满意 → 70.0
    assert response.total == Decimal("70.0")
    assert not CorrectiveAction.objects.for_source(response).exists()


def test_weights_and_points_are_per_campaign(demo, new_campaign, answer_online):
    campaign = new_campaign()
    rows = [
        {
            "id": a.pk,
            "label_zh": a.label_zh,
            "label_en": a.label_en,
            "weight": Decimal(3) if a.key == "quality" else Decimal(1),
            "responsible_department": a.responsible_department,
            "delete": False,
        }
        for a in campaign.aspects.all()
    ]
    services.questionnaire_update(
        campaign=campaign,
        user=demo["sales"],
        aspects=rows,
        tick_points={
            "very_satisfied": 100,
            "fairly_satisfied": 90,
            "satisfied": 75,
            "not_very_satisfied": 40,
            "very_dissatisfied": 0,
        },
    )
    campaign = wf.transition_record(record=Campaign.objects.get(pk=campaign.pk), name="send", user=demo["sales"])
    r = campaign.recipients.get(customer__code="C001")
    # quality 不太满意 40 (weight 3), others 很满意 100: (120 + 700) / 10 = 82.0
    response = answer_online(r, [3, 0, 0, 0, 0, 0, 0, 0])
    assert response.total == Decimal("82.0") and response.band == Band.FAIRLY_SATISFIED
    assert Answer.objects.get(response=response, aspect__key="quality").points == 40


def test_questionnaire_rules(demo, new_campaign):
    campaign = new_campaign()
    rows = [
        {
            "id": a.pk,
            "label_zh": a.label_zh,
            "label_en": a.label_en,
            "weight": Decimal(1),
            "responsible_department": a.responsible_department,
            "delete": False,
        }
        for a in campaign.aspects.all()
    ]
    with pytest.raises(Blocked):
        services.questionnaire_update(
            campaign=campaign,
            user=demo["sales"],
            aspects=rows,
            tick_points={
                "very_satisfied": 100,
                "fairly_satisfied": 100,
                "satisfied": 70,
                "not_very_satisfied": 50,
                "very_dissatisfied": 20,
            },
        )
    zero = [{**r, "weight": Decimal(0)} for r in rows]
    with pytest.raises(Blocked):
        services.questionnaire_update(
            campaign=campaign,
            user=demo["sales"],
            aspects=zero,
            tick_points={
                "very_satisfied": 100,
                "fairly_satisfied": 85,
                "satisfied": 70,
                "not_very_satisfied": 50,
                "very_dissatisfied": 20,
            },
        )
    # a ninth aspect, and one removed
    rows[-1]["delete"] = True
    rows.append(
        {
            "id": None,
            "label_zh": "文件资料",
            "label_en": "Documents",
            "weight": Decimal(2),
            "responsible_department": rows[0]["responsible_department"],
            "delete": False,
        }
    )
    services.questionnaire_update(
        campaign=campaign,
        user=demo["sales"],
        aspects=rows,
        tick_points={
            "very_satisfied": 100,
            "fairly_satisfied": 85,
            "satisfied": 70,
            "not_very_satisfied": 50,
            "very_dissatisfied": 20,
        },
    )
    labels = list(campaign.aspects.values_list("label_zh", flat=True))
    assert "包装" not in labels and labels[-1] == "文件资料" and len(labels) == 8


def test_token_problems_store_nothing(demo, sent_campaign, answer_online, new_campaign):
    campaign = sent_campaign()
    r = campaign.recipients.get(customer__code="C001")
    with pytest.raises(LinkWrong):
        services.answer_submit_online(token="wrong-token", ticks_by_aspect=ticks_for(campaign, 0))
    answer_online(r, 0)
    with pytest.raises(LinkUsed):
        answer_online(r, 4)
    assert Response.objects.filter(recipient=r).count() == 1
    r2 = campaign.recipients.get(customer__code="C002")
    CustomerLink.objects.filter(pk=r2.link_id).update(expires_at=timezone.now() - timedelta(seconds=1))
    with pytest.raises(LinkExpired):
        answer_online(Recipient.objects.get(pk=r2.pk), 0)
    assert not Response.objects.filter(recipient=r2).exists()
    # a draft's customers have no link before the survey is sent
    draft = new_campaign(title="draft")
    assert draft.recipients.filter(link__isnull=False).count() == 0
    with pytest.raises(LinkWrong):
        answer_online(draft.recipients.first(), 0)


def test_incomplete_answer_is_refused_whole(demo, sent_campaign):
    campaign = sent_campaign()
    r = campaign.recipients.get(customer__code="C001")
    partial = dict(list(ticks_for(campaign, 0).items())[:5])
    with translation.override("zh-hans"):
        with pytest.raises(Blocked) as refused:
            services.answer_submit_online(token=r.token, ticks_by_aspect=partial)
        assert refused.value.messages() == ["请在每行对应栏内打“√”。未填写：投诉处理、沟通与响应、包装。"]
    assert not Response.objects.filter(recipient=r).exists()


def test_staff_entry_needs_the_scan_and_attaches_it(demo, sent_campaign):
    campaign = sent_campaign()
    r = campaign.recipients.get(customer__code="C002")
    with pytest.raises(Blocked):
        services.answer_enter(
            recipient=r,
            user=demo["sales"],
            ticks_by_aspect=ticks_for(campaign, 1),
            source=AnswerSource.FAX,
            received_on=timezone.localdate(),
        )
    with pytest.raises(Blocked):
        services.answer_enter(
            recipient=r,
            user=demo["sales"],
            ticks_by_aspect=ticks_for(campaign, 1),
            source=AnswerSource.PHONE,
            received_on=timezone.localdate(),
        )
    with pytest.raises(NotAllowed):
        services.answer_enter(
            recipient=r,
            user=demo["qa"],
            ticks_by_aspect=ticks_for(campaign, 1),
            source=AnswerSource.PHONE,
            respondent="x",
            received_on=timezone.localdate(),
        )
    scan = SimpleUploadedFile("fax.pdf", PDF, content_type="application/pdf")
    response = services.answer_enter(
        recipient=r,
        user=demo["sales"],
        ticks_by_aspect=ticks_for(campaign, 1),
        source=AnswerSource.FAX,
        received_on=timezone.localdate(),
        scan=scan,
        signed_name="李主管",
    )
    assert response.total == Decimal("85.0") and response.entered_by == demo["sales"]
    from nhcs.workflow.models import Attachment

    assert Attachment.objects.for_record(response).get().kind == "scan"


def test_follow_up_of_non_respondents(demo, sent_campaign, answer_online, django_capture_on_commit_callbacks, run_jobs):
    campaign = sent_campaign()
    answer_online(campaign.recipients.get(customer__code="C001"), 0)
    pending = selectors.non_respondents(campaign)
    assert [p.customer.code for p in pending] == ["C002", "C003", "C004"]
    assert all(p.days_waiting == 0 for p in pending)
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        n = services.reminders_send(campaign=campaign, user=demo["sales"])
    run_jobs()
    assert n == 2 and len(mail.outbox) == 2  # C003 and C004 have e-mail addresses
    c002 = campaign.recipients.get(customer__code="C002")
    with pytest.raises(Blocked):
        services.follow_up_log(recipient=c002, user=demo["sales"], kind="phone", note="")
    services.follow_up_log(recipient=c002, user=demo["sales"], kind="phone", note="李主管答应本周传真回来")
    assert FollowUp.objects.filter(recipient=c002, kind="phone").count() == 1
    with pytest.raises(Blocked):
        services.follow_up_log(
            recipient=campaign.recipients.get(customer__code="C001"), user=demo["sales"], kind="phone", note="x"
        )


def test_campaign_flow_to_analysed(demo, sent_campaign, answer_online):
    campaign = sent_campaign()
    with pytest.raises(Blocked):
        wf.transition_record(record=campaign, name="close", user=demo["sales"])
    answer_online(campaign.recipients.first(), 1)
    campaign = wf.transition_record(record=campaign, name="start_follow_up", user=demo["sales"])
    campaign = wf.transition_record(record=campaign, name="close", user=demo["sales"])
    with pytest.raises(NotAllowed):
        wf.transition_record(record=campaign, name="analyse", user=demo["sales"])
    campaign = wf.transition_record(record=campaign, name="analyse", user=demo["sales_head"], comment="ok")
    assert campaign.state == CampaignState.ANALYSED
    with pytest.raises(LinkClosed):
        answer_online(campaign.recipients.filter(response__isnull=True).first(), 0)


def test_improvement_item_flow(demo, sent_campaign, answer_online):
    """An aspect below 'satisfied' raises a corrective action that runs NH-QP14 4.7.4–4.7.5: measures set by
    the owner department's head, distributed, the customer told, carried out, verified, closed."""
    from nhcs.accounts.models import Department
    from nhcs.workflow.choices import AttachmentKind
    from nhcs.workflow.models import SignOff, Task

    campaign = sent_campaign()
    response = answer_online(campaign.recipients.get(customer__code="C002"), [2, 2, 2, 2, 2, 2, 2, 4])
    item = CorrectiveAction.objects.for_source(response).get()
    assert item.topic.key == "packaging" and item.owner_department.code == "WH"
    # The warehouse has no head among the demo users: the task is not orphaned, it goes up to the
    # deputy GM in charge of the warehouse.
    assert {t.assignee for t in Task.objects.for_record(item).open()} == {demo["vgm"]}
    # The head of Sales moves it to Quality (editable while open).
    due_on = timezone.localdate() + timedelta(days=14)
    item = wf.record_update(
        record=item,
        user=demo["sales_head"],
        changes={
            "owner_department": Department.objects.get(code="QA"),
            "analysis": "纸箱强度不足",
            "measures": "改用五层瓦楞纸箱",
            "due_on": due_on,
            "check_on": due_on + timedelta(days=30),
        },
        reason="",
    )
    assert {(t.department.code, t.position) for t in Task.objects.for_record(item).open()} == {("QA", "head")}
    with pytest.raises(NotAllowed):
        wf.transition_record(record=item, name="set_measures", user=demo["planning_head"])
    item = wf.transition_record(record=item, name="set_measures", user=demo["qa_head"])
    # Signed measures change only by taking the item back: an edit reopens it into a new round.
    item = wf.record_update(
        record=item, user=demo["qa_head"], changes={"measures": "改用五层瓦楞纸箱并加护角"}, reason="补充护角"
    )
    assert item.state == "open" and SignOff.objects.for_record(item).last().transition == "revise"
    item = wf.transition_record(record=item, name="set_measures", user=demo["qa_head"])
    # The departments are captured with the distribution, not typed into an edit.
    with pytest.raises(Blocked):
        wf.transition_record(record=item, name="distribute", user=demo["qa_head"])
    departments = list(Department.objects.filter(code__in=["WH", "MFG"]))
    item = wf.transition_record(
        record=item, name="distribute", user=demo["qa_head"], data={"departments": [d.pk for d in departments]}
    )
    assert set(item.distributed_to.all()) == set(departments)
    signoff = SignOff.objects.for_record(item).get(transition="distribute")
    assert sorted(signoff.data["departments"]) == sorted(d.pk for d in departments)
    # A survey answer is a customer's opinion: Sales tells the customer before the measures are carried out.
    with pytest.raises(NotAllowed):
        wf.transition_record(record=item, name="implement", user=demo["qa"])
    with pytest.raises(Blocked):
        wf.transition_record(record=item, name="inform_customer", user=demo["sales"])
    item = wf.transition_record(
        record=item,
        name="inform_customer",
        user=demo["sales"],
        data={"informed_on": "2026-11-20", "channel": "phone", "feedback": "11月20日电话告知李主管"},
    )
    assert item.customer_feedback == "11月20日电话告知李主管"
    informed = SignOff.objects.for_record(item).get(transition="inform_customer")
    assert (informed.data["informed_on"], informed.data["channel"]) == ("2026-11-20", "phone")
    # Carried out by the owner department, with the evidence.
    with pytest.raises(Blocked):
        wf.transition_record(record=item, name="implement", user=demo["qa_head"])
    evidence = SimpleUploadedFile("evidence.pdf", PDF, content_type="application/pdf")
    item = wf.transition_record(
        record=item, name="implement", user=demo["qa_head"], attachments=[(evidence, AttachmentKind.EVIDENCE, "")]
    )
    # Quality verifies; not whoever last changed the measures.
    with pytest.raises(NotAllowed):
        wf.transition_record(record=item, name="verify", user=demo["qa_head"], data={"effectiveness": "ok"})
    with pytest.raises(Blocked):
        wf.transition_record(record=item, name="verify", user=demo["qa"], data={"checked_on": "", "effectiveness": ""})
    item = wf.transition_record(
        record=item,
        name="verify",
        user=demo["qa"],
        data={"checked_on": timezone.localdate().isoformat(), "effectiveness": "连续三批无破损，有效"},
    )
    assert item.effectiveness == "连续三批无破损，有效" and item.verified_on == timezone.localdate()
    item = wf.transition_record(record=item, name="close", user=demo["sales_head"])
    assert item.state == "closed"
