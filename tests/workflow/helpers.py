from nhcs.workflow import services
from tests.flowtest.models import Memo


def new_memo(user, **data) -> Memo:
    data.setdefault("title", "Price list 2027")
    data.setdefault("body", "New prices from January.")
    return services.record_create(model=Memo, user=user, data=data)


def advance(memo, *steps):
    """Take transitions in order: advance(memo, ("submit", user), ("review", head))."""
    for name, user, *rest in steps:
        memo = services.transition_record(record=memo, name=name, user=user, comment=rest[0] if rest else "ok")
    return memo
