"""A person's own API tokens, on a page: thin adapters over the organisation services."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.auth.models import User
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from ownup.organisation import services
from ownup.organisation.models import ApiToken

NAME_MAX_LENGTH = ApiToken._meta.get_field("name").max_length or 100


@never_cache  # the page that shows a new token's secret is kept by no cache
@login_required
def tokens(request: HttpRequest) -> HttpResponse:
    person = request.user
    assert isinstance(person, User)  # login_required
    created = ""
    problem = ""
    if request.method == "POST":
        name = " ".join(request.POST.get("name", "").split())
        if len(name) > NAME_MAX_LENGTH:
            problem = f"Keep the name under {NAME_MAX_LENGTH} characters."
        else:
            _, created = services.issue_token_for(person, person, name)
    own = services.tokens_seen_by(person).filter(user=person)
    return render(
        request,
        "organisation/tokens.html",
        {"tokens": own, "created": created, "problem": problem},
    )


@login_required
@require_POST
def revoke(request: HttpRequest, token_id: int) -> HttpResponse:
    person = request.user
    assert isinstance(person, User)
    if not services.tokens_seen_by(person).filter(pk=token_id, user=person).exists():
        messages.error(request, "Not revoked: you have no such token.")
    else:
        services.revoke_token(person, token_id)
        messages.success(request, "Revoked: that token no longer opens the API.")
    return redirect("organisation:tokens")
