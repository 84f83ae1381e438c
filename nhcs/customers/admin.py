from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from .models import Customer, CustomerCertificate, CustomerContact


class ContactInline(admin.TabularInline):
    model = CustomerContact
    extra = 0


class CertificateInline(admin.TabularInline):
    model = CustomerCertificate
    extra = 0


@admin.register(Customer)
class CustomerAdmin(SimpleHistoryAdmin):
    list_display = ["code", "name_zh", "name_en", "preferred_channel", "is_key_account", "is_active"]
    list_filter = ["is_key_account", "preferred_channel", "is_active"]
    search_fields = ["code", "name_zh", "name_en"]
    inlines = [ContactInline, CertificateInline]
