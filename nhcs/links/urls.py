"""One page per registered link purpose (nhcs.links.registry): /<prefix>/<token>/, named links:<code>."""

from django.urls import path

from . import registry, views

app_name = "links"
urlpatterns = [
    path(f"{p.url_prefix}/<str:token>/", views.link_page, {"purpose": p.code}, name=p.code) for p in registry.purposes()
]
