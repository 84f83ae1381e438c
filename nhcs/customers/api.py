"""The customer register in the API (/api/v1/customers/): the page's filters, form and service."""

from django.http import Http404

from nhcs.api.registry import Resource, register

from . import selectors, services
from .filters import CustomerFilter
from .forms import CustomerForm
from .models import Customer


def _readable(request):
    if not services.can_view_customers(request.user):
        raise Http404
    return selectors.customers_list_qs()


def _save(request, form, customer=None):
    data = {name: form.cleaned_data[name] for name in form.fields}
    return services.customer_save(user=request.user, data=data, customer=customer)


def _update(request, customer, form):
    if not services.can_manage_customers(request.user):
        from nhcs.workflow.exceptions import NotAllowed

        raise NotAllowed()
    return _save(request, form, Customer.objects.get(pk=customer.pk))


register(
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
        tag="customers",
    )
)
