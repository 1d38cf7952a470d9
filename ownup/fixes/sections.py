"""The Fixed part of a mistake's page: its actions, their verification and the strength check."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest

from ownup.fixes import services
from ownup.fixes.forms import ActionForm, DoneForm
from ownup.fixes.models import FixPolicy
from ownup.reporting.models import Mistake, Stage
from ownup.reporting.sections import Section, register


def context(request: HttpRequest, mistake: Mistake) -> dict[str, Any]:
    actions = list(services.actions_of(mistake))
    return {
        "actions": actions,
        "strength_warning": services.strength_warning(mistake),
        "needs": services.fix_needs(mistake),
        "moved_on": mistake.has_reached(Stage.FIXED),
        "policy": FixPolicy.current(),
        "form": ActionForm(
            initial={"owner": mistake.owner.get_username() if mistake.owner else None}
        ),
        "done_form": DoneForm(),
        "user_id": request.user.pk,
    }


register(
    Section(
        key="fixes",
        title="The real fix",
        stage=Stage.FIXED,
        template="fixes/section.html",
        context=context,
    )
)
