"""A verification question answered on the web (issue 15): the address in the person's SMS carries a token of
their own, so a shared smartphone needs no log-in and each person answers once, for themselves. The same
rule as SMS and USSD: the first answer counts, a later one is refused (`actions.do_record_verification_answer`)."""

from __future__ import annotations

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import translation
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from sauti.core.responses import form_errors
from sauti.dialogues.actions import DialogueError, do_record_verification_answer, survey_for_token
from sauti.dialogues.forms import VerificationAnswerForm
from sauti.dialogues.models import VerificationAnswer


@require_http_methods(["GET", "POST"])
def verify_answer(request: HttpRequest, token: str) -> HttpResponse:
    link = survey_for_token(token[:64])
    if link is None:
        raise Http404
    survey, contact = link.survey, link.contact
    lang = (translation.get_language() or contact.language or "sw")[:2]
    question = survey.question_sw if lang == "sw" else survey.question_en
    done = VerificationAnswer.objects.filter(survey=survey, contact=contact).first()
    context = {"question": question, "commitment": survey.commitment, "done": done, "token": token}
    if request.method != "POST" or done is not None:
        context["form"] = VerificationAnswerForm()
        return render(request, "dialogues/verify_answer.html", context)
    form = VerificationAnswerForm(request.POST)
    context["form"] = form
    if not form.is_valid():
        context["error"] = form_errors(form)
        return render(request, "dialogues/verify_answer.html", context, status=400)
    try:
        row = do_record_verification_answer(
            survey, contact, form.cleaned_data["answer"], VerificationAnswer.Channel.WEB
        )
    except DialogueError as exc:
        context["error"] = str(exc)
        return render(request, "dialogues/verify_answer.html", context, status=400)
    if row is None:
        context["error"] = _("Your answer was already recorded. Thank you.")
        return render(request, "dialogues/verify_answer.html", context, status=409)
    context["done"], context["thanks"] = row, True
    return render(request, "dialogues/verify_answer.html", context)
