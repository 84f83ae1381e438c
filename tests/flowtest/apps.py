from django.apps import AppConfig


class FlowTestConfig(AppConfig):
    """A small flow used only by the tests of the shared workflow engine."""

    name = "tests.flowtest"
    label = "flowtest"

    def ready(self):
        from nhcs.links.registry import LinkPurpose, register

        from .services import DATE_LINK

        # The customer's page /tc/<token>/ in the test URLconf (nhcs.links mounts registered purposes); /c/ is
        # the delay notices' real confirmation (orders).
        register(LinkPurpose(DATE_LINK, "tc", "tests.flowtest.views.confirm_date", "Date confirmation · 日期确认"))
