from django.urls import include, path

from nhcs.urls import handler403, handler404, handler500  # noqa: F401
from nhcs.urls import urlpatterns as base_patterns

urlpatterns = [*base_patterns, path("flowtest/", include("tests.flowtest.urls"))]
