from django.urls import include, path

from nhcs.urls import handler403, handler404, handler500  # noqa: F401
from nhcs.urls import urlpatterns as base_patterns

# Customer links of the test-only date confirmation answer at /tc/<token>/: the purpose is registered in
# tests/flowtest/apps.py and mounted with the others by nhcs.links.urls (part of base_patterns).
urlpatterns = [*base_patterns, path("flowtest/", include("tests.flowtest.urls"))]
