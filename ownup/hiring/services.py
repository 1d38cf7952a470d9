"""Who may see the hiring kit, and the scorecards it keeps."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib.auth.models import AnonymousUser, User
from django.db.models import QuerySet

from ownup.hiring.models import HIRING_TEAM, Question, Scorecard
from ownup.monitoring.models import Lesson
from ownup.reporting.models import Confidentiality, Mistake
from ownup.reporting.services import InvalidInput, NotFound

LESSON_QUESTIONS = 3


def on_hiring_team(user: User | AnonymousUser) -> bool:
    return user.is_authenticated and user.groups.filter(name=HIRING_TEAM).exists()


def require_hiring_team(user: User | AnonymousUser) -> None:
    # Outsiders learn nothing, not even that a kit exists: the same answer as a missing page.
    if not on_hiring_team(user):
        raise NotFound("no such page")


def questions() -> QuerySet[Question]:
    return Question.objects.filter(active=True)


def questions_from_lessons(user: User | AnonymousUser) -> list[str]:
    """Questions made of the organisation's latest lessons, to ask what a candidate learned alike.

    Only the lessons of open mistakes: a guide is read out to people from outside. Lessons are
    kept without the names of people, so none reaches a candidate.
    """
    open_ones = Mistake.objects.visible_to(user).filter(confidentiality=Confidentiality.OPEN)
    lessons = Lesson.objects.filter(mistake__in=open_ones).order_by("-written_at", "-pk")
    return [
        f"One of our teams learned: \u201c{lesson.learned.strip()}\u201d Tell us about a mistake "
        "of yours that taught you something like it: what happened, your part in it, and what "
        "you do differently since."
        for lesson in lessons[:LESSON_QUESTIONS]
    ]


def scorecards(user: User | AnonymousUser) -> QuerySet[Scorecard]:
    require_hiring_team(user)
    return Scorecard.objects.select_related("interviewer")


def get_scorecard(user: User | AnonymousUser, scorecard_id: int) -> Scorecard:
    try:
        return scorecards(user).get(pk=scorecard_id)
    except Scorecard.DoesNotExist:
        raise NotFound(f"no scorecard #{scorecard_id}") from None


class ScorecardForm(forms.ModelForm):
    class Meta:
        model = Scorecard
        fields = ["candidate", "role", "interviewed_on", "candour", "evidence", "recommendation"]
        widgets = {
            "interviewed_on": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
            "evidence": forms.Textarea(attrs={"rows": 5}),
        }


def record_scorecard(user: User, data: dict[str, Any]) -> Scorecard:
    require_hiring_team(user)
    form = ScorecardForm(data=data)
    if not form.is_valid():
        raise InvalidInput({k: [str(m) for m in v] for k, v in form.errors.items()})
    scorecard = form.save(commit=False)
    scorecard.interviewer = user
    scorecard.save()
    return scorecard
