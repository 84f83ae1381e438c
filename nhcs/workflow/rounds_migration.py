"""Put existing sign-offs and tasks into rounds (used by each area's data migration, and by tests).

Before rounds were data, a return or a reopening to the first state started a new round of signatures
only by convention. This walks each record's sign-offs in time order: a transition back to the flow's
first state ends the round it belongs to (superseded) and opens the next; a record in a final state
has its last round completed. Tasks join the round during which they were opened.
"""

from __future__ import annotations


def assign_rounds(apps, app_label: str, model_name: str, *, initial: str, final_states: tuple[str, ...]) -> int:
    """Create the rounds of every record of one model; returns the number of rounds created."""
    model = apps.get_model(app_label, model_name)
    ContentType = apps.get_model("contenttypes", "ContentType")
    Round = apps.get_model("workflow", "Round")
    SignOff = apps.get_model("workflow", "SignOff")
    Task = apps.get_model("workflow", "Task")
    ct, _created = ContentType.objects.get_or_create(app_label=app_label, model=model_name.lower())
    created = 0
    for record in model.objects.order_by("pk").iterator():
        if Round.objects.filter(content_type=ct, object_id=record.pk).exists():
            continue
        signoffs = list(SignOff.objects.filter(content_type=ct, object_id=record.pk).order_by("signed_at", "pk"))
        rounds = [
            Round.objects.create(
                content_type=ct,
                object_id=record.pk,
                number=1,
                status="open",
                started_at=record.created_at,
                started_by_id=record.created_by_id,
            )
        ]
        created += 1
        assignment: dict[int, int] = {}
        for s in signoffs:
            current = rounds[-1]
            assignment[s.pk] = current.pk
            breaks = not s.step and s.to_state == initial and s.from_state != initial
            if breaks:
                current.status = "superseded"
                current.ended_at = s.signed_at
                current.ended_by_transition = s.transition
                current.save()
                rounds.append(
                    Round.objects.create(
                        content_type=ct,
                        object_id=record.pk,
                        number=current.number + 1,
                        status="open",
                        started_at=s.signed_at,
                        started_by_id=s.user_id,
                    )
                )
                created += 1
        if record.state in final_states and signoffs:
            last = rounds[-1]
            last.status = "completed"
            last.ended_at = signoffs[-1].signed_at
            last.ended_by_transition = signoffs[-1].transition
            last.save()
        for signoff_pk, round_pk in assignment.items():
            SignOff._base_manager.filter(pk=signoff_pk).update(round_id=round_pk)
        starts = [(r.started_at, r.pk) for r in rounds]
        for task in Task.objects.filter(content_type=ct, object_id=record.pk, round=None):
            round_pk = starts[0][1]
            for started_at, pk in starts:
                if task.created_at >= started_at:
                    round_pk = pk
            Task.objects.filter(pk=task.pk).update(round_id=round_pk)
    return created
