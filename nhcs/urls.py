from django.conf import settings
from django.contrib import admin
from django.urls import include, path

from nhcs.accounts import views as accounts_views
from nhcs.api import tokens as api_tokens
from nhcs.api.urls import schema_urlpatterns as api_schema_urlpatterns
from nhcs.core import views as core_views
from nhcs.customers.urls import legacy_urlpatterns as customers_legacy_urlpatterns
from nhcs.dashboard import views as dashboard_views

urlpatterns = [
    path("", dashboard_views.home, name="home"),
    path("", include("nhcs.dashboard.urls")),
    path("accounts/password_reset/", accounts_views.PasswordResetView.as_view(), name="password_reset"),
    path("accounts/profile/", api_tokens.profile, name="profile"),
    path("accounts/", include("django.contrib.auth.urls")),
    path("api/v1/", include("nhcs.api.urls")),
    path("api/", include(api_schema_urlpatterns)),
    path("i18n/", include("django.conf.urls.i18n")),
    path("admin/", admin.site.urls),
    path("favicon.ico", core_views.favicon),
    path("", include("nhcs.workflow.urls")),
    path("customers/", include("nhcs.customers.urls")),
    path("orders/customers/", include(customers_legacy_urlpatterns)),
    # /orders/, /changes/ (change notices) and /delays/ (delay notices), named "orders:…".
    path("", include("orders.urls")),
    # /complaints/, /feedback/ (after-sales feedback) and /advisories/ (advisory notices), "complaints:…".
    path("", include("complaints.urls")),
    path("actions/", include("nhcs.capa.urls")),
    path("property/", include("customer_property.urls")),
    path("exports/", include("nhcs.sheets.urls")),
    path("", include("satisfaction.urls")),
    path("", include("nhcs.links.urls")),
]

handler403 = "nhcs.core.views.error_403"
handler404 = "nhcs.core.views.error_404"
handler500 = "nhcs.core.views.error_500"

admin.site.site_header = "NHCS"
admin.site.site_title = "NHCS"

if settings.DEBUG:
    urlpatterns += [
        path("__errors__/500/", core_views.error_500),
    ]
