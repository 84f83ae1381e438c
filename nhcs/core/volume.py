"""Volume data for benchmarks (`manage.py seed_volume --scale N`).

Each area adds its records through `seed_volume(volume)` on its AppConfig (usually importing its own
`volume.py`); this module gives them the bulk writer and the workflow bookkeeping the engine would have
written: record numbers gap-free per year, one approval round per record, a sign-off per transition of a
path through the flow, the review steps done on the way, the open tasks of the state the record rests in,
and its history rows (created, and the last transition).

Rows are written as dicts of column values with ids assigned here (PostgreSQL: COPY; other databases:
bulk_create), in batches, so that ten years of records load in minutes.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import random
from collections import deque
from collections.abc import Callable, Iterable
from datetime import datetime, timedelta
from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.core.management.color import no_style
from django.db import connection, models
from django.utils import timezone

from nhcs.accounts.choices import Position
from nhcs.workflow.choices import RoundStatus, StepOutcome, TaskKind, TaskStatus
from nhcs.workflow.display import CREATED, transition_reason
from nhcs.workflow.flow import Directory, StepsDone
from nhcs.workflow.models import (
    HASH_KIND,
    NumberPattern,
    NumberSequence,
    Round,
    SignOff,
    Task,
    WorkflowRecord,
    _json_default,
    signature_key,
)
from nhcs.workflow.numbering import format_number

BATCH = 5000


class Volume:
    """What an area's seed reads and writes through: the scale, a seeded random generator, the people
    and customers, and the bulk writer."""

    def __init__(self, *, scale: float, stdout=None, seed: int = 18, now: datetime | None = None) -> None:
        from nhcs.accounts.models import User

        self.scale = scale
        self.rng = random.Random(seed)
        self.stdout = stdout
        self.now = now or timezone.now()
        self.start = self.now - timedelta(days=3650)  # ten years of records
        self._next_ids: dict[type, int] = {}
        self.users_by_role: dict[tuple[str | None, str], list[int]] = {}
        self.users: dict[int, dict[str, Any]] = {}
        for u in User.objects.filter(is_active=True).values(
            "pk", "department__code", "department__name_zh", "position", "username"
        ):
            self.users[u["pk"]] = u
            self.users_by_role.setdefault((u["department__code"], u["position"]), []).append(u["pk"])
            self.users_by_role.setdefault((u["department__code"], ""), []).append(u["pk"])
            self.users_by_role.setdefault((None, u["position"]), []).append(u["pk"])
        self.customer_ids: list[int] = []
        self.directory = Directory()
        self.counts: dict[str, int] = {}

    # --- sizes and picks ---------------------------------------------------------------------------

    def n(self, at_scale_one: int, minimum: int = 1) -> int:
        return max(minimum, round(at_scale_one * self.scale))

    def user(self, department: str | None, position: str = "") -> int:
        ids = (
            self.users_by_role.get((department, position))
            or self.users_by_role.get((department, ""))
            or self.users_by_role.get((None, Position.GM))
            or list(self.users)
        )
        return ids[0] if len(ids) == 1 else self.rng.choice(ids)

    def spread(self, count: int) -> list[datetime]:
        """`count` moments over the ten years, oldest first (a little more each year: the company grows)."""
        span = (self.now - self.start).total_seconds() - 86400
        moments = sorted(self.start + timedelta(seconds=span * (self.rng.random() ** 0.8)) for _ in range(count))
        return moments

    def log(self, message: str) -> None:
        if self.stdout is not None:
            self.stdout.write(message)

    # --- the bulk writer -----------------------------------------------------------------------------

    def new_ids(self, model: type[models.Model], count: int) -> list[int]:
        if model not in self._next_ids:
            top = model._base_manager.aggregate(m=models.Max("pk"))["m"] or 0
            self._next_ids[model] = top + 1
        first = self._next_ids[model]
        self._next_ids[model] = first + count
        return list(range(first, first + count))

    def insert(self, model: type[models.Model], rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
        """Write rows (dicts by attname; "id" assigned when missing), in batches. Returns the rows."""
        if not rows:
            return rows
        pk = model._meta.pk.attname
        missing = [r for r in rows if pk not in r]
        for row, new_id in zip(missing, self.new_ids(model, len(missing)), strict=True):
            row[pk] = new_id
        fields = [f for f in model._meta.concrete_fields]
        for f in fields:  # defaults for what the rows leave out
            if f.attname == pk or all(f.attname in r for r in rows):
                continue
            default = f.get_default() if f.has_default() else None
            if default is None and not f.null and isinstance(f, (models.CharField, models.TextField)):
                default = ""
            for row in rows:
                row.setdefault(f.attname, default() if callable(default) else default)
        if connection.vendor == "postgresql":
            self._copy(model, fields, rows)
        else:
            names = [f.attname for f in fields]
            for i in range(0, len(rows), BATCH):
                objs = [model(**{n: r[n] for n in names}) for r in rows[i : i + BATCH]]
                model._base_manager.bulk_create(objs, batch_size=500)
        self.counts[model._meta.label] = self.counts.get(model._meta.label, 0) + len(rows)
        return rows

    def _copy(self, model, fields, rows) -> None:
        columns = ", ".join(connection.ops.quote_name(f.column) for f in fields)
        table = connection.ops.quote_name(model._meta.db_table)
        preps = []
        for f in fields:
            if isinstance(f, models.JSONField):
                preps.append(lambda v, f=f: None if v is None else json.dumps(v, default=_json_default))
            else:
                preps.append(None)
        with connection.cursor() as cursor:
            with cursor.cursor.copy(f"COPY {table} ({columns}) FROM STDIN") as copy:
                for row in rows:
                    copy.write_row(
                        [
                            (prep(row[f.attname]) if prep else row[f.attname])
                            for f, prep in zip(fields, preps, strict=True)
                        ]
                    )

    def reset_sequences(self) -> None:
        sql = connection.ops.sequence_reset_sql(no_style(), list(self._next_ids))
        with connection.cursor() as cursor:
            for statement in sql:
                cursor.execute(statement)

    # --- workflow records ----------------------------------------------------------------------------

    def numbers(self, model: type[WorkflowRecord], moments: list[datetime]) -> list[str]:
        """Gap-free numbers per year, continuing each year's sequence; the sequences are moved on."""
        flow = model.flow
        pattern = NumberPattern.objects.filter(key=flow.key).values_list("pattern", flat=True).first()
        pattern = pattern or flow.number_pattern
        last = dict(NumberSequence.objects.filter(key=flow.key).values_list("year", "last"))
        out = []
        for moment in moments:
            local = timezone.localtime(moment)
            seq = last.get(local.year, 0) + 1
            last[local.year] = seq
            out.append(format_number(pattern, year=local.year, month=local.month, seq=seq))
        for year, value in last.items():
            NumberSequence.objects.update_or_create(key=flow.key, year=year, defaults={"last": value})
        return out

    def records(
        self,
        model: type[WorkflowRecord],
        rows: list[dict[str, Any]],
        *,
        states: list[str],
        content: Callable[[dict[str, Any]], dict[str, Any]] | None = None,
        title: Callable[[dict[str, Any]], str] | None = None,
        task_key: Callable[[dict[str, Any]], Any] | None = None,
    ) -> list[dict[str, Any]]:
        """Write workflow records (rows with their data, `created_at` and `created_by_id`) in the given
        states, with what the engine writes along a path to that state: round, sign-offs, review steps,
        open tasks and history. `content(row)` returns the record's data as signed (its
        `content_for_hash()`), when it has more than its own fields."""
        flow = model.flow
        moments = [r["created_at"] for r in rows]
        numbers = self.numbers(model, moments)
        paths = {state: self.path(flow, state) for state in set(states)}
        for row, number, state in zip(rows, numbers, states, strict=True):
            path = paths[state]
            row["number"] = number
            row["state"] = state
            row.setdefault("changed_by_id", row["created_by_id"])
            # A transition every day or so after creation; the last one set the state.
            last = row["created_at"] + timedelta(hours=len(path) * 20 * (0.5 + self.rng.random()))
            last = min(last, self.now - timedelta(minutes=5))
            row["state_changed_at"] = last if path else row["created_at"]
            row["changed_at"] = row["state_changed_at"]
            row.setdefault("version", 1 + len(path))
        self.insert(model, rows)
        ct = ContentType.objects.get_for_model(model)
        key = signature_key()
        round_rows, signoff_rows, task_rows = [], [], []
        round_ids = self.new_ids(Round, len(rows))
        templates: dict[tuple, list[dict]] = {}
        prefix = self.url_prefix(model)
        for row, round_id in zip(rows, round_ids, strict=True):
            state = row["state"]
            path = paths[state]
            final = state in flow.final_states
            row["_title"] = (title(row) if title else "")[:200]
            row["_url"] = f"{prefix}{row['id']}/"
            round_rows.append(
                {
                    "id": round_id,
                    "content_type_id": ct.pk,
                    "object_id": row["id"],
                    "number": 1,
                    "status": RoundStatus.COMPLETED if final else RoundStatus.OPEN,
                    "started_at": row["created_at"],
                    "started_by_id": row["created_by_id"],
                    "ended_at": row["state_changed_at"] if final else None,
                    "ended_by_transition": path[-1].name if final and path else "",
                }
            )
            data = content(row) if content else self.own_content(model, row)
            payload = json.dumps(data, sort_keys=True, default=_json_default, ensure_ascii=False)
            digest = hmac.new(key, payload.encode("utf-8"), hashlib.sha256).hexdigest()
            when = row["created_at"]
            step = (row["state_changed_at"] - row["created_at"]) / max(1, len(path))
            for t in path:
                when = when + step
                if any(isinstance(r, StepsDone) for r in t.requires):
                    for s in flow.steps:
                        task_rows.append(
                            self._task(ct, row, round_id, flow, TaskKind.STEP, step=s.key, role=s.who, at=when)
                            | {
                                "status": TaskStatus.DONE,
                                "completed_at": when,
                                "outcome": StepOutcome.ACCEPT,
                                "excludes_creator_and_editor": s.separation_of_duties,
                            }
                        )
                signer = self.signer(t.who, row)
                signoff_rows.append(
                    {
                        "content_type_id": ct.pk,
                        "object_id": row["id"],
                        "round_id": round_id,
                        "transition": t.name,
                        "step": "",
                        "action": t.action,
                        "outcome": "",
                        "from_state": t.sources[0] if len(t.sources) == 1 else "",
                        "to_state": t.target,
                        "user_id": signer,
                        "on_behalf_of_id": None,
                        "department_name": self.users[signer]["department__name_zh"] or "",
                        "department_code": self.users[signer]["department__code"] or "",
                        "position": self.users[signer]["position"],
                        "comment": "",
                        "data": {},
                        "signed_at": when,
                        "content_hash": digest,
                        "hash_kind": HASH_KIND,
                    }
                )
                row["changed_by_id"] = signer
            if not final:
                tkey = (state, task_key(row) if task_key else None)
                if tkey not in templates:
                    templates[tkey] = self.open_task_templates(model, row)
                at = row["state_changed_at"]
                for template in templates[tkey]:
                    task = self._task(ct, row, round_id, flow, template["kind"], at=at) | template
                    due = template["_due"]
                    if template["kind"] == TaskKind.STATE:
                        task["due_at"] = at + timedelta(days=due.days or 0) if due and due.days is not None else None
                    task_rows.append(task)
        for model_, batch in ((Round, round_rows), (SignOff, signoff_rows), (Task, task_rows)):
            for i in range(0, len(batch), BATCH * 4):
                self.insert(model_, batch[i : i + BATCH * 4])
        self.history(model, rows, paths)
        return rows

    def own_content(self, model, row) -> dict[str, Any]:
        data = {}
        for f in model._meta.concrete_fields:
            if f.name in model.BOOKKEEPING_FIELDS:
                continue
            data[f.attname] = row.get(f.attname)
        return data

    def signer(self, roles: Iterable, row) -> int:
        for role in roles:
            if role.user_field:
                value = row.get(f"{role.user_field}_id")
                if value:
                    return value
            department = role.department
            if department == "@creator":
                return row["created_by_id"]
            if role.department_field:
                department = None
            return self.user(department, role.position or "")
        return self.user(None, Position.GM)

    def _task(self, ct, row, round_id, flow, kind, *, step="", role=None, at) -> dict[str, Any]:
        task = {
            "content_type_id": ct.pk,
            "object_id": row["id"],
            "round_id": round_id,
            "flow_key": flow.key,
            "record_number": row["number"],
            "record_title": row.get("_title", ""),
            "record_url": row.get("_url", ""),
            "kind": kind,
            "state": row["state"] if kind == TaskKind.STATE else "",
            "step": step,
            "transitions": "",
            "record_created_by_id": row["created_by_id"],
            "record_changed_by_id": row["changed_by_id"],
            "status": TaskStatus.OPEN,
            "created_at": at,
            "due_at": None,
            "completed_at": None,
            "completed_by_id": None,
            "outcome": "",
            "comment": "",
            "reminded_on": None,
            "department_id": None,
            "position": "",
            "assignee_id": None,
        }
        if role is not None:
            try:
                actors = self.directory.settle(role.candidates(None, self.directory) or [], None, None)
            except (AttributeError, TypeError):
                actors = []
            if actors:
                dept, position, user_id = actors[0]
                task["department_id"] = self.directory.department_pk(dept) if dept else None
                task["position"] = position or ""
                task["assignee_id"] = user_id
            task["completed_by_id"] = self.signer([role], row)
        if kind != TaskKind.STATE and kind != TaskKind.STEP:
            return task
        due_days = 3
        task["due_at"] = at + timedelta(days=due_days)
        return task

    def open_task_templates(self, model, row) -> list[dict[str, Any]]:
        """The state tasks the engine opens in this state (tasks_refresh, its conditions aside), read once
        per state from one record of it; plus the open review steps when the state waits for them."""
        flow = model.flow
        record = model(**{k: v for k, v in row.items() if k in {f.attname for f in model._meta.concrete_fields}})
        wanted: dict[tuple, list[str]] = {}
        steps_pending = False
        for t in flow.transitions_from(row["state"]):
            if any(isinstance(r, StepsDone) for r in t.requires):
                steps_pending = True
            if t.optional:
                continue
            for role in t.who:
                try:
                    actors = role.resolve(record, self.directory)
                except Exception:  # a role read from data the volume record lacks: its department's head
                    actors = [(role.department, role.position or Position.HEAD, None)]
                for actor in actors:
                    names = wanted.setdefault((*actor, t.enforces_separation), [])
                    if t.name not in names:
                        names.append(t.name)
        due = flow.due_for(row["state"])
        templates = []
        for (dept, position, user_id, separation), names in wanted.items():
            templates.append(
                {
                    "kind": TaskKind.STATE,
                    "transitions": ",".join(names),
                    "department_id": self.directory.department_pk(dept) if dept else None,
                    "position": position or "",
                    "assignee_id": user_id,
                    "excludes_creator_and_editor": separation,
                    "_due": due,
                }
            )
        if steps_pending:
            for s in flow.steps:
                actors = s.who.resolve(record, self.directory)
                for dept, position, user_id in actors[:1]:
                    templates.append(
                        {
                            "kind": TaskKind.STEP,
                            "step": s.key,
                            "department_id": self.directory.department_pk(dept) if dept else None,
                            "position": position or "",
                            "assignee_id": user_id,
                            "excludes_creator_and_editor": s.separation_of_duties,
                            "_due": None,
                        }
                    )
        return templates

    @staticmethod
    def url_prefix(model) -> str:
        """The record page's address without the id ("/orders/"), when it ends in "<id>/"."""
        url = model(pk=987654321).get_absolute_url()
        return url.split("987654321")[0] if url.endswith("987654321/") else ""

    @staticmethod
    def path(flow, target: str) -> list:
        """The shortest run of transitions from the first state to `target`: required ones first,
        optional ones (cancel) only when the state cannot be reached otherwise."""
        for allow_optional in (False, True):
            seen = {flow.initial: []}
            queue = deque([flow.initial])
            while queue:
                state = queue.popleft()
                if state == target:
                    return seen[state]
                for t in flow.transitions_from(state):
                    if (t.optional and not allow_optional) or t.target in seen:
                        continue
                    seen[t.target] = [*seen[state], t]
                    queue.append(t.target)
        return []

    def history(self, model, rows, paths) -> None:
        """The record's history: created (in the first state), and the last transition (as it is now)."""
        historical = model.history.model
        names = {f.attname for f in historical._meta.concrete_fields}
        own = [a for a in names if not a.startswith("history_")]
        out = []
        for row in rows:
            base = {a: row.get(a) for a in own}
            first = dict(base)
            first.update(
                {
                    "state": model.flow.initial,
                    "history_date": row["created_at"],
                    "history_change_reason": CREATED,
                    "history_type": "+",
                    "history_user_id": row["created_by_id"],
                }
            )
            if "changed_by_id" in first:
                first["changed_by_id"] = row["created_by_id"]
            out.append(first)
            path = paths[row["state"]]
            if path:
                last = dict(base)
                last.update(
                    {
                        "history_date": row["state_changed_at"],
                        "history_change_reason": transition_reason(path[-1].name),
                        "history_type": "~",
                        "history_user_id": row["changed_by_id"],
                    }
                )
                out.append(last)
        for i in range(0, len(out), BATCH * 4):
            self.insert(historical, out[i : i + BATCH * 4])

    def child_history(self, model, rows) -> None:
        """Created history rows of child rows (order lines, actions): who and when from `_by`, `_at`."""
        historical = model.history.model
        names = {f.attname for f in historical._meta.concrete_fields}
        own = [a for a in names if not a.startswith("history_")]
        out = []
        for row in rows:
            item = {a: row.get(a) for a in own}
            item.update(
                {
                    "history_date": row.pop("_at"),
                    "history_change_reason": None,
                    "history_type": "+",
                    "history_user_id": row.pop("_by"),
                }
            )
            out.append(item)
        for i in range(0, len(out), BATCH * 4):
            self.insert(historical, out[i : i + BATCH * 4])
