"""Satisfaction surveys at volume (manage.py seed_volume, see nhcs/core/volume.py): ten yearly surveys with
500 answers each at scale 1 (every aspect ticked), the last one still collecting."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

from django.utils import timezone

from nhcs.accounts.models import Department

from . import scoring
from .choices import AnswerSource, Band, CampaignState, Channel
from .defaults import DEFAULT_ASPECTS, DEFAULT_TICKS, GREETING_EN, GREETING_ZH
from .models import Answer, Aspect, Campaign, Recipient, Response, Tick
from .services import ASPECT_DEPARTMENTS


def seed(volume) -> None:
    rng = volume.rng
    sales = volume.user("SALES")
    this_year = timezone.localtime(volume.now).year
    departments = dict(Department.objects.values_list("code", "pk"))
    rows, states = [], []
    for k in range(10):
        year = this_year - 10 + k
        at = timezone.make_aware(timezone.datetime(year, 10, 10, 9, 0)) if k < 9 else volume.now - timedelta(days=20)
        rows.append(
            {
                "title": f"{year} 年度顾客满意度调查（批量）",
                "period": str(year),
                "greeting_zh": GREETING_ZH,
                "greeting_en": GREETING_EN,
                "sent_on": (at + timedelta(days=1)).date(),
                "response_deadline": (at + timedelta(days=40)).date(),
                "created_by_id": sales,
                "created_at": at,
            }
        )
        states.append(CampaignState.ANALYSED if k < 9 else CampaignState.COLLECTING)
    rows = volume.records(Campaign, rows, states=states, title=lambda r: f"{r['title']} ({r['period']})")
    aspects, ticks = [], []
    for row in rows:
        for i, (key, zh, en) in enumerate(DEFAULT_ASPECTS):
            aspects.append(
                {
                    "campaign_id": row["id"],
                    "key": key,
                    "label_zh": zh,
                    "label_en": en,
                    "weight": Decimal(1),
                    "responsible_department_id": departments[ASPECT_DEPARTMENTS[key]],
                    "order": i,
                }
            )
        for i, (key, zh, en, points) in enumerate(DEFAULT_TICKS):
            ticks.append(
                {"campaign_id": row["id"], "key": key, "label_zh": zh, "label_en": en, "points": points, "order": i}
            )
    volume.insert(Aspect, aspects)
    volume.insert(Tick, ticks)
    customers = volume.customer_ids
    per_campaign = min(volume.n(500), len(customers))
    recipients, responses, answers = [], [], []
    satisfied = next(points for key, _zh, _en, points in DEFAULT_TICKS if key == Band.SATISFIED)
    for row in rows:
        for customer in rng.sample(customers, per_campaign):
            recipients.append(
                {
                    "campaign_id": row["id"],
                    "customer_id": customer,
                    "channel": Channel.EMAIL,
                    "sent_at": row["created_at"] + timedelta(days=1),
                }
            )
    volume.insert(Recipient, recipients)
    by_campaign = {r["id"]: r for r in rows}
    for recipient in recipients:
        campaign = by_campaign[recipient["campaign_id"]]
        if campaign["state"] == CampaignState.COLLECTING and rng.random() < 0.4:
            continue  # not answered yet
        mine_aspects = [a for a in aspects if a["campaign_id"] == campaign["id"]]
        mine_ticks = [t for t in ticks if t["campaign_id"] == campaign["id"]]
        chosen = [rng.choices(mine_ticks, [3, 4, 2, 1, 0.3])[0] for _a in mine_aspects]
        total = scoring.weighted_total((Decimal(1), t["points"]) for t in chosen)
        response = {
            "recipient_id": recipient["id"],
            "source": rng.choice((AnswerSource.ONLINE, AnswerSource.ONLINE, AnswerSource.PHONE)),
            "received_on": (recipient["sent_at"] + timedelta(days=rng.randint(1, 30))).date(),
            "submitted_at": recipient["sent_at"] + timedelta(days=rng.randint(1, 30)),
            "total": total,
            "band": scoring.band_for(total),
            "comments": "" if rng.random() < 0.7 else "希望交期更稳定。",
            "_answers": list(zip(mine_aspects, chosen, strict=True)),
        }
        responses.append(response)
    volume.insert(Response, responses)
    for response in responses:
        for aspect, tick in response.pop("_answers"):
            answers.append(
                {
                    "response_id": response["id"],
                    "aspect_id": aspect["id"],
                    "tick_id": tick["id"],
                    "points": tick["points"],
                    "below_satisfied": tick["points"] < satisfied,
                }
            )
    for i in range(0, len(answers), 20000):
        volume.insert(Answer, answers[i : i + 20000])
    volume.log(f"surveys: {len(rows)}, {len(responses):,} answers ({len(answers):,} ticks)")
