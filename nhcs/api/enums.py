"""Choice sets that forms narrow down from a shared one, named once for the OpenAPI schema
(SPECTACULAR_SETTINGS["ENUM_NAME_OVERRIDES"]): the opinion of a review step (no "done") and the written
ways to notify a customer (no phone)."""

from nhcs.customers.choices import Channel
from nhcs.workflow.choices import StepOutcome


def opinion_outcomes():
    return [c for c in StepOutcome.choices if c[0] != StepOutcome.DONE]


def written_channels():
    return [c for c in Channel.choices if c[0] != Channel.PHONE]
