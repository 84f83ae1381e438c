from django.urls import include, path

from nhcs.urls import handler403, handler404, handler500, urlpatterns as base_patterns  # noqa: F401

urlpatterns = [*base_patterns, path("flowtest/", include("tests.flowtest.urls"))]
