"""The mistake page's Monitoring and Lesson sections."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from django.utils import timezone

from ownup.monitoring import charts, services
from ownup.monitoring.forms import CheckForm, LessonForm
from ownup.monitoring.models import CheckKind, Closure, Lesson, MonitoringPolicy
from ownup.reporting.models import Mistake, Stage
from ownup.reporting.sections import Section, register


def monitoring_context(request: HttpRequest, mistake: Mistake) -> dict[str, Any]:
    now = timezone.now()
    evaluation = services.evaluate(mistake, now)
    rows = []
    for check, verdict in evaluation.verdicts:
        runs = services.runs_for_chart(check)
        rows.append(
            {
                "check": check,
                "verdict": verdict,
                "chart": charts.sparkline(runs, check.name),
                "last": runs[-1] if runs else None,
            }
        )
    lesson = Lesson.objects.filter(mistake=mistake).first()
    return {
        "rows": rows,
        "evaluation": evaluation,
        "can_add": mistake.stage_enum in services.STAGES_FOR_CHECKS,
        "is_admin": getattr(request.user, "is_superuser", False),
        "kinds": CheckKind,
        "form": CheckForm(initial={"kind": CheckKind.HTTP, "expected_status": 200}),
        "lesson_form": LessonForm(
            initial={"learned": lesson.learned, "advice": lesson.advice} if lesson else None
        ),
        "lesson": lesson,
        "waiting": services.waiting_checkins(request.user, mistake),
        "policy": MonitoringPolicy.current(),
        "can_close": mistake.stage != Stage.CLOSED and mistake.has_reached(Stage.FIXED),
    }


def lesson_context(request: HttpRequest, mistake: Mistake) -> dict[str, Any]:
    return {
        "lesson": Lesson.objects.filter(mistake=mistake).first(),
        "closure": Closure.objects.filter(mistake=mistake).first(),
        "closed": mistake.stage == Stage.CLOSED,
    }


register(
    Section(
        key="monitoring",
        title="Monitoring: does the fix hold?",
        stage=Stage.MONITORING,
        template="monitoring/section.html",
        context=monitoring_context,
    )
)
register(
    Section(
        key="lesson",
        title="Lesson",
        stage=Stage.CLOSED,
        template="monitoring/lesson_section.html",
        context=lesson_context,
    )
)
