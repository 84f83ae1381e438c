"""/api/v1/ (the areas' resources, from their api.py), /api/schema/ (OpenAPI 3) and /api/docs/."""

from django.urls import path
from django.utils.module_loading import autodiscover_modules
from drf_spectacular.views import SpectacularAPIView

from . import views
from .registry import RESOURCES

autodiscover_modules("api")

app_name = "api"
urlpatterns = [url for resource in RESOURCES for url in views.resource_urls(resource)]

# Mounted beside /api/v1/ (nhcs/urls.py), outside the "api" namespace.
schema_urlpatterns = [
    path("schema/", SpectacularAPIView.as_view(), name="api-schema"),
    path("docs/", views.docs, name="api-docs"),
]
