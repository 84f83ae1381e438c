# Every survey link already given out becomes a customer link with the same token, so the customer's
# address /s/<token>/ keeps working: same customer, same expiry, given out when the survey was sent by
# whoever sent it; a link answered online is marked used, with the name the customer signed. Links of
# drafts were never given out: they are made when the survey is sent.

import secrets
from datetime import datetime, time, timedelta

from django.db import migrations
from django.utils import timezone


def _fields(model) -> set[str]:
    return {f.name for f in model._meta.get_fields()}


def _expiry(recipient):
    """The expiry the link had; a sent survey always had one (its answer-by day), this is only a guard."""
    if recipient.expires_at is not None:
        return recipient.expires_at
    if recipient.campaign.response_deadline is not None:
        end = datetime.combine(recipient.campaign.response_deadline + timedelta(days=1), time.min)
        return timezone.make_aware(end, timezone.get_default_timezone())
    return recipient.sent_at + timedelta(days=90)


def tokens_to_links(apps, schema_editor):
    Recipient = apps.get_model("satisfaction", "Recipient")
    if "token" not in _fields(Recipient):
        return  # run again on today's models (the test suite restores data-migration rows): nothing to move
    CustomerLink = apps.get_model("links", "CustomerLink")
    ContentType = apps.get_model("contenttypes", "ContentType")
    SignOff = apps.get_model("workflow", "SignOff")
    Response = apps.get_model("satisfaction", "Response")
    recipient_type = ContentType.objects.get_or_create(app_label="satisfaction", model="recipient")[0]
    campaign_type = ContentType.objects.get_or_create(app_label="satisfaction", model="campaign")[0]
    senders = {}
    pending = (
        Recipient.objects.filter(sent_at__isnull=False, link__isnull=True)
        .exclude(token__isnull=True)
        .exclude(token="")
        .select_related("campaign", "customer")
        .order_by("pk")
    )
    for recipient in pending:
        campaign = recipient.campaign
        if campaign.pk not in senders:
            sent = (
                SignOff.objects.filter(content_type=campaign_type, object_id=campaign.pk, transition="send")
                .order_by("-signed_at")
                .values_list("user_id", flat=True)
                .first()
            )
            senders[campaign.pk] = sent or campaign.created_by_id
        response = Response.objects.filter(recipient=recipient).first()
        online = response is not None and response.source == "online"
        link = CustomerLink.objects.create(
            token=recipient.token,
            purpose="survey",
            customer_id=recipient.customer_id,
            language=recipient.customer.language or "zh-hans",
            target_type=recipient_type,
            target_id=recipient.pk,
            created_by_id=senders[campaign.pk],
            created_at=recipient.sent_at,
            expires_at=_expiry(recipient),
            used_at=response.submitted_at if online else None,
            answered_name=response.signed_name if online else "",
        )
        recipient.link = link
        recipient.save(update_fields=["link"])


def links_to_tokens(apps, schema_editor):
    Recipient = apps.get_model("satisfaction", "Recipient")
    if "token" not in _fields(Recipient):
        return
    CustomerLink = apps.get_model("links", "CustomerLink")
    for recipient in Recipient.objects.select_related("link").order_by("pk"):
        if recipient.link_id:
            recipient.token = recipient.link.token
            recipient.expires_at = recipient.link.expires_at
        else:
            recipient.token = secrets.token_urlsafe(32)
        recipient.link = None
        recipient.save(update_fields=["token", "expires_at", "link"])
    CustomerLink.objects.filter(purpose="survey").delete()


class Migration(migrations.Migration):
    dependencies = [
        ("satisfaction", "0005_recipient_link"),
        ("workflow", "0002_task_transitions"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [migrations.RunPython(tokens_to_links, links_to_tokens)]
