from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse

from .export import pdf_response
from .survey import survey_form_pdf


@login_required
def survey_form_blank(request: HttpRequest) -> HttpResponse:
    """The blank survey form (annex table 1), for printing, posting or faxing to any customer."""
    return pdf_response(survey_form_pdf(request=request), "顾客满意度调查表-survey-form")
