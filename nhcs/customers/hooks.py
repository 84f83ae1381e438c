"""What the areas add to the customer pages, without the register knowing the areas.

An area's AppConfig may define

    customer_counts(self, customer_ids: list[int]) -> list[CustomerCount]
        one column of the customer list per entry (e.g. the number of orders), counted for the customers
        of the page in one query;
    customer_sections(self, customer, user) -> list[CustomerSection]
        blocks of the customer's page (e.g. recent orders), each a template and its context (the
        template reads it as `data`).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.apps import apps
from django.utils.functional import Promise


@dataclass(frozen=True)
class CustomerCount:
    key: str
    label: str | Promise
    counts: dict[int, int]


@dataclass(frozen=True)
class CustomerSection:
    key: str
    title: str | Promise
    template_name: str
    context: dict[str, Any] = field(default_factory=dict)


def _hooks(name: str) -> list:
    return [getattr(config, name) for config in apps.get_app_configs() if hasattr(config, name)]


def customer_counts(customer_ids: list[int]) -> list[CustomerCount]:
    counts: list[CustomerCount] = []
    for hook in _hooks("customer_counts"):
        counts.extend(hook(customer_ids))
    return counts


def customer_sections(customer, user) -> list[CustomerSection]:
    sections: list[CustomerSection] = []
    for hook in _hooks("customer_sections"):
        sections.extend(hook(customer, user))
    return sections
