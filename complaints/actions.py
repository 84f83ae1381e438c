"""What the complaint's actions capture (declared in complaints/flow.py), saved with their sign-offs and
written onto the complaint: the investigators (4.6.4), the containment, the 5-Why / 6M root cause
(4.6.2), the first reply and the reply to the customer, Quality's verification report and its check of
the effectiveness (4.6.3)."""

from __future__ import annotations

from django import forms
from django.utils import timezone
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _

from nhcs.accounts.models import User
from nhcs.core.widgets import DateInput
from nhcs.workflow.forms import ActionForm

from .choices import AckChannel, ComplaintChannel, SixM

TEXT = {"widget": forms.Textarea(attrs={"rows": 2})}
LINE = {"widget": forms.Textarea(attrs={"rows": 1})}
WHYS = ("why_1", "why_2", "why_3", "why_4", "why_5")
SIX_M_FIELDS = tuple(f"cause_{m.value}" for m in SixM)


def _not_in_future(day):
    if day is not None and day > timezone.localdate():
        raise forms.ValidationError(_("The date cannot be in the future."))
    return day


def _not_before_receipt(form, name: str):
    day = form.cleaned_data.get(name)
    received = getattr(form.record, "received_on", None) if form.record is not None else None
    if day is not None and received is not None and day < received:
        form.add_error(name, _("The date is before the complaint was received (%(date)s).") % {"date": received})


def _text(form, name: str) -> str:
    return (form.cleaned_data.get(name) or "").strip()


class InvestigatorChoiceField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj):
        return f"{obj.signature_name} · {obj.department}" if obj.department_id else obj.signature_name


class AssignForm(ActionForm):
    """4.6.2 / 4.6.4: the owner names the investigators from the departments concerned."""

    investigators = InvestigatorChoiceField(
        label=_("investigators"),
        queryset=User.objects.none(),
        widget=forms.SelectMultiple(attrs={"size": 8}),
        help_text=_("From the departments concerned: R&D, Engineering, Quality, Manufacturing …"),
    )
    instructions = forms.CharField(label=_("instructions to the investigators"), required=False, **TEXT)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["investigators"].queryset = (
            User.objects.filter(is_active=True, department__isnull=False)
            .select_related("department")
            .order_by("department_id", "username")
        )
        if self.record is not None and self.record.pk and not self.is_bound:
            self.initial.setdefault("investigators", [u.pk for u in self.record.investigators.all()])

    def apply(self, record) -> None:
        record.investigators.set(self.cleaned_data["investigators"])


class ContainmentForm(ActionForm):
    """D3: what was done at once to protect the customer (stock sorted, shipments held …)."""

    containment = forms.CharField(
        label=_("containment actions"),
        help_text=_("Suspect stock sorted, shipments held, replacement sent … with quantities."),
        **TEXT,
    )
    contained_on = forms.DateField(label=_("contained on"), widget=DateInput(), initial=timezone.localdate)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.record is not None and not self.is_bound and self.record.containment:
            self.initial.setdefault("containment", self.record.containment)

    def clean_contained_on(self):
        return _not_in_future(self.cleaned_data["contained_on"])

    def clean(self):
        data = super().clean()
        _not_before_receipt(self, "contained_on")
        return data

    def apply(self, record) -> None:
        record.containment = _text(self, "containment")
        record.contained_on = self.cleaned_data["contained_on"]


class InvestigationForm(ActionForm):
    """D4: the root cause, found by asking why up to five times and looking at each of the 6M."""

    why_1 = forms.CharField(label=_("why? (1)"), **LINE)
    why_2 = forms.CharField(label=_("why? (2)"), required=False, **LINE)
    why_3 = forms.CharField(label=_("why? (3)"), required=False, **LINE)
    why_4 = forms.CharField(label=_("why? (4)"), required=False, **LINE)
    why_5 = forms.CharField(label=_("why? (5)"), required=False, **LINE)
    cause_man = forms.CharField(label=format_lazy("6M · {}", SixM.MAN.label), required=False, **LINE)
    cause_machine = forms.CharField(label=format_lazy("6M · {}", SixM.MACHINE.label), required=False, **LINE)
    cause_material = forms.CharField(label=format_lazy("6M · {}", SixM.MATERIAL.label), required=False, **LINE)
    cause_method = forms.CharField(label=format_lazy("6M · {}", SixM.METHOD.label), required=False, **LINE)
    cause_measurement = forms.CharField(label=format_lazy("6M · {}", SixM.MEASUREMENT.label), required=False, **LINE)
    cause_environment = forms.CharField(label=format_lazy("6M · {}", SixM.ENVIRONMENT.label), required=False, **LINE)
    cause_category = forms.ChoiceField(label=_("category of the root cause (6M)"), choices=[("", "—"), *SixM.choices])
    root_cause = forms.CharField(label=_("root cause"), **TEXT)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.record is not None and not self.is_bound:
            # A new round starts from what the last one found.
            for name in (*WHYS, *SIX_M_FIELDS, "cause_category", "root_cause"):
                value = getattr(self.record, name, "")
                if value:
                    self.initial.setdefault(name, value)

    def clean(self):
        data = super().clean()
        for name in (*WHYS, *SIX_M_FIELDS, "root_cause"):
            if name in data:
                data[name] = (data[name] or "").strip()
        answered = [bool(data.get(name)) for name in WHYS]
        last = max((i for i, a in enumerate(answered) if a), default=-1)
        for i in range(last):
            if not answered[i]:
                self.add_error(WHYS[i], _("Answer the whys in order: this one is empty but a later one is not."))
        if data.get("cause_category") and not data.get(f"cause_{data['cause_category']}"):
            self.add_error(
                f"cause_{data['cause_category']}",
                _("The root cause is in this category: say what was found here."),
            )
        return data

    def apply(self, record) -> None:
        from nhcs.capa.choices import ActionState

        from .flow import complaint_actions

        for name in (*WHYS, *SIX_M_FIELDS, "cause_category", "root_cause"):
            setattr(record, name, self.cleaned_data.get(name) or "")
        # Quality's verification falls due when the last action is due (today when none is open).
        days = [a.due_on for a in complaint_actions(record) if a.due_on and a.state != ActionState.CANCELLED]
        record.actions_due_on = max([*days, timezone.localdate()])


class FirstReplyForm(ActionForm):
    """The first reply to the customer, within the first-reply deadline of their service terms."""

    replied_on = forms.DateField(label=_("replied on"), widget=DateInput(), initial=timezone.localdate)
    channel = forms.ChoiceField(label=_("replied by"), choices=ComplaintChannel.choices)
    summary = forms.CharField(
        label=_("what the customer was told"),
        help_text=_("Complaint received, who investigates, the containment so far."),
        **TEXT,
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.record is not None and not self.is_bound:
            self.initial.setdefault("channel", self.record.channel)

    def clean_replied_on(self):
        return _not_in_future(self.cleaned_data["replied_on"])

    def clean(self):
        data = super().clean()
        _not_before_receipt(self, "replied_on")
        return data

    def apply(self, record) -> None:
        from .flow import REPLYING_FIRST

        record.__dict__[REPLYING_FIRST] = True
        record.first_replied_on = self.cleaned_data["replied_on"]
        record.first_reply_channel = self.cleaned_data["channel"]


class VerificationForm(ActionForm):
    """4.6.3: Quality verifies that the actions were carried out (with their evidence), writes the
    verification report for Sales to reply with, and agrees when their effectiveness is checked."""

    verification_report = forms.CharField(
        label=_("verification report"),
        help_text=_("What was verified: each action carried out, the evidence seen."),
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    effectiveness_criterion = forms.CharField(
        label=_("effectiveness criterion"),
        max_length=200,
        help_text=_("e.g. no recurrence in the next three lots delivered."),
    )
    effectiveness_check_on = forms.DateField(
        label=_("effectiveness checked on or after"),
        widget=DateInput(),
        help_text=_("The end of the agreed period."),
    )

    def clean_effectiveness_check_on(self):
        day = self.cleaned_data["effectiveness_check_on"]
        if day < timezone.localdate():
            raise forms.ValidationError(_("The end of the agreed period cannot be in the past."))
        return day

    def apply(self, record) -> None:
        record.verification_report = _text(self, "verification_report")
        record.effectiveness_criterion = _text(self, "effectiveness_criterion")
        record.effectiveness_check_on = self.cleaned_data["effectiveness_check_on"]
        record.verified_on = timezone.localdate()


class ReplyForm(ActionForm):
    """4.6.3: Sales replies to the customer with the verification report; the reply letter is kept with
    the complaint."""

    replied_on = forms.DateField(label=_("replied on"), widget=DateInput(), initial=timezone.localdate)
    channel = forms.ChoiceField(label=_("replied by"), choices=ComplaintChannel.choices)
    summary = forms.CharField(label=_("remarks on the reply"), required=False, **TEXT)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.record is not None and not self.is_bound:
            self.initial.setdefault("channel", self.record.customer.preferred_channel)

    def clean_replied_on(self):
        return _not_in_future(self.cleaned_data["replied_on"])

    def clean(self):
        data = super().clean()
        _not_before_receipt(self, "replied_on")
        return data

    def apply(self, record) -> None:
        record.replied_on = self.cleaned_data["replied_on"]
        record.reply_channel = self.cleaned_data["channel"]
        record.reply_summary = _text(self, "summary")
        if record.first_replied_on is None:
            # No first reply was recorded: this one was the first.
            record.first_replied_on = record.replied_on
            record.first_reply_channel = record.reply_channel


class EffectivenessForm(ActionForm):
    """4.6.3: after the agreed period Quality checks the actions worked and records it."""

    checked_on = forms.DateField(label=_("checked on"), widget=DateInput(), initial=timezone.localdate)
    result = forms.CharField(
        label=_("effectiveness found"),
        help_text=_("e.g. three lots delivered since, no recurrence."),
        **TEXT,
    )

    def clean_checked_on(self):
        return _not_in_future(self.cleaned_data["checked_on"])

    def apply(self, record) -> None:
        record.effectiveness_result = _text(self, "result")
        record.closed_on = timezone.localdate()


class NotEffectiveForm(ActionForm):
    """The problem came back: what was found; the investigators look again in a new round."""

    checked_on = forms.DateField(label=_("checked on"), widget=DateInput(), initial=timezone.localdate)
    findings = forms.CharField(label=_("why the actions were not effective"), **TEXT)

    def clean_checked_on(self):
        return _not_in_future(self.cleaned_data["checked_on"])

    def apply(self, record) -> None:
        # The new investigation needs actions of its own: those raised from now on.
        record.reopened_at = timezone.now()


# --- after-sales feedback and advisory notices (NH-QP14 4.5) ------------------------------------------


class FeedbackCloseForm(ActionForm):
    """What was done about the feedback (thanked, explained, passed on …)."""

    outcome = forms.CharField(label=_("what was done"), **TEXT)

    def apply(self, record) -> None:
        record.outcome = _text(self, "outcome")


SELECTION_SHIPMENTS = "shipments"
SELECTION_CHOSEN = "chosen"


class AdvisorySendForm(ActionForm):
    """The customers the notice goes to: those who received the affected products or lots in the period
    (from the shipments), or those picked by hand. Captured with the sign-off; each gets an
    acknowledgement record and a link."""

    selection = forms.ChoiceField(
        label=_("customers"),
        choices=[
            (SELECTION_SHIPMENTS, _("Those who received the affected products or lots in the period (shipments)")),
            (SELECTION_CHOSEN, _("Those ticked below")),
        ],
        initial=SELECTION_SHIPMENTS,
        widget=forms.RadioSelect,
    )
    customers = forms.ModelMultipleChoiceField(
        label=_("customers chosen"), queryset=None, required=False, widget=forms.CheckboxSelectMultiple
    )

    def __init__(self, *args, **kwargs):
        from nhcs.customers.models import Customer

        super().__init__(*args, **kwargs)
        self.fields["customers"].queryset = Customer.objects.filter(is_active=True).order_by("code")

    def clean(self):
        from nhcs.customers.models import Customer

        from .selectors import advisory_customers_from_shipments

        data = super().clean()
        if data.get("selection") == SELECTION_SHIPMENTS and self.record is not None:
            found = advisory_customers_from_shipments(self.record)
            data["customers"] = list(Customer.objects.filter(pk__in=found).order_by("code"))
            if not found:
                self.add_error(
                    "selection", _("No shipment of the affected products or lots in the period: pick the customers.")
                )
        elif data.get("selection") == SELECTION_CHOSEN and not data.get("customers"):
            self.add_error("customers", _("Tick at least one customer."))
        return data

    def apply(self, record) -> None:
        record.sent_on = timezone.localdate()


class AdvisoryCloseForm(ActionForm):
    """Closing the notice: every customer acknowledged, or Sales recorded why not."""

    def apply(self, record) -> None:
        record.closed_on = timezone.localdate()


class AckRecordForm(ActionForm):
    """Sales records a customer's acknowledgement that came by phone, e-mail, fax, letter or visit (the
    customer's reply attached with the action)."""

    acknowledged_on = forms.DateField(label=_("acknowledged on"), widget=DateInput(), initial=timezone.localdate)
    channel = forms.ChoiceField(
        label=_("acknowledged by way of"),
        choices=[c for c in AckChannel.choices if c[0] != AckChannel.ONLINE],
    )
    acknowledged_by = forms.CharField(label=_("acknowledged by (customer)"), max_length=80)
    reply = forms.CharField(label=_("customer's reply"), required=False, **TEXT)

    def clean_acknowledged_on(self):
        return _not_in_future(self.cleaned_data["acknowledged_on"])

    def apply(self, record) -> None:
        record.acknowledged_on = self.cleaned_data["acknowledged_on"]
        record.channel = self.cleaned_data["channel"]
        record.acknowledged_by = _text(self, "acknowledged_by")
        record.reply = _text(self, "reply")


class AckOnlineForm(ActionForm):
    """The customer's own acknowledgement through the link: the name they typed and their reply."""

    acknowledged_by = forms.CharField(label=_("acknowledged by (customer)"), max_length=80)
    reply = forms.CharField(label=_("customer's reply"), required=False, **TEXT)

    def apply(self, record) -> None:
        record.acknowledged_on = timezone.localdate()
        record.channel = AckChannel.ONLINE
        record.acknowledged_by = _text(self, "acknowledged_by")
        record.reply = _text(self, "reply")


class NoAckForm(ActionForm):
    """Why this customer does not acknowledge (refused, no longer reachable, no longer holds the goods …)."""

    reason = forms.CharField(label=_("why not acknowledged"), **TEXT)

    def apply(self, record) -> None:
        record.reason = _text(self, "reason")
