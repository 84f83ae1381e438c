"""The customer register in the API (/api/v1/customers/): the page's filters, form and service."""

from django.http import Http404
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext_lazy
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework.response import Response
from rest_framework.views import APIView

from nhcs.api.registry import Resource, register
from nhcs.api.views import RecordSerializer, error_responses, get_for, record_action
from nhcs.workflow.exceptions import NotAllowed

from . import selectors, services
from .filters import CustomerFilter
from .forms import CertificateForm, ContactForm, CustomerForm
from .models import Customer, CustomerCertificate, CustomerContact


def _readable(request):
    if not services.can_view_customers(request.user):
        raise Http404
    return selectors.customers_list_qs().prefetch_related("contacts", "certificates")


def _save(request, form, customer=None):
    data = {name: form.cleaned_data[name] for name in form.fields}
    return services.customer_save(user=request.user, data=data, customer=customer)


def _update(request, customer, form):
    if not services.can_manage_customers(request.user):
        raise NotAllowed()
    return _save(request, form, Customer.objects.get(pk=customer.pk))


class ContactSerializer(RecordSerializer):
    class Meta:
        model = CustomerContact
        fields = ["id", *ContactForm.Meta.fields]
        read_only_fields = fields


class CertificateSerializer(RecordSerializer):
    class Meta:
        model = CustomerCertificate
        fields = ["id", *CertificateForm.Meta.fields]
        read_only_fields = fields


CUSTOMERS = register(
    Resource(
        name="customers",
        model=Customer,
        fields=[*CustomerForm.Meta.fields],
        queryset=_readable,
        filterset=CustomerFilter,
        ordering=("code",),
        create_form=CustomerForm,
        create=_save,
        can_create=services.can_manage_customers,
        update_form=CustomerForm,
        update=_update,
        serializer_fields={
            "contacts": lambda: ContactSerializer(many=True, read_only=True),
            "certificates": lambda: CertificateSerializer(many=True, read_only=True),
        },
        tag="customers",
    )
)
CUSTOMERS.extra = [
    (
        "customers/<int:pk>/contacts/",
        record_action(
            CUSTOMERS,
            name="contact",
            form_class=ContactForm,
            may=lambda user, _customer: services.can_manage_customers(user),
            call=lambda request, customer, data: services.contact_add(user=request.user, customer=customer, data=data),
            out=ContactSerializer,
        ),
        "customers-contacts",
    ),
    (
        "customers/<int:pk>/certificates/",
        record_action(
            CUSTOMERS,
            name="certificate",
            form_class=CertificateForm,
            may=lambda user, _customer: services.can_manage_customers(user),
            call=lambda request, customer, data: services.certificate_add(
                user=request.user, customer=customer, data=data
            ),
            out=CertificateSerializer,
        ),
        "customers-certificates",
    ),
]


def _remover(model, delete, label):
    """DELETE of a contact or a certified data row of a customer, as the customer's page removes it."""

    class Remove(APIView):
        @extend_schema(
            tags=["customers"],
            responses={204: OpenApiResponse(description=label), **error_responses(403, 404)},
        )
        def delete(self, request, pk: int, row: int):
            customer = get_for(CUSTOMERS, request, pk)
            if not services.can_manage_customers(request.user):
                raise NotAllowed()
            delete(request.user, get_object_or_404(model, pk=row, customer=customer))
            return Response(status=204)

    return type(f"{model.__name__}Remove", (Remove,), {}).as_view()


CUSTOMERS.extra += [
    (
        "customers/<int:pk>/contacts/<int:row>/",
        _remover(
            CustomerContact,
            lambda user, c: services.contact_delete(user=user, contact=c),
            gettext_lazy("Contact removed."),
        ),
        "customers-contact-remove",
    ),
    (
        "customers/<int:pk>/certificates/<int:row>/",
        _remover(
            CustomerCertificate,
            lambda user, c: services.certificate_delete(user=user, certificate=c),
            gettext_lazy("Certified data removed."),
        ),
        "customers-certificate-remove",
    ),
]
