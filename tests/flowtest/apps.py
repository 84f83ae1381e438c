from django.apps import AppConfig


class FlowTestConfig(AppConfig):
    """A small flow used only by the tests of the shared workflow engine."""

    name = "tests.flowtest"
    label = "flowtest"
