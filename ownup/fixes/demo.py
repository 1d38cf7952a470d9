"""The real fix of the demo mistakes that reached Fixed: actions with owners, dates, evidence."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.contrib.auth.models import User
from django.utils import timezone

from ownup.fixes.models import Action, Kind, Status, Strength
from ownup.reporting.models import Mistake

# mistake key: (title, kind, strength, owner, days after the report due, done (evidence), verifier)
ACTIONS: dict[str, list[tuple[str, Kind, Strength, str, int, str, str]]] = {
    "deadline": [
        (
            "File the Q3 data-protection report and get the regulator's receipt",
            Kind.CORRECTIVE,
            Strength.MEDIUM,
            "dee",
            1,
            "Receipt DPA-2026-0931 from the regulator's portal, filed in Compliance/2026/Q3",
            "eli",
        ),
        (
            "Put every regulatory deadline in the shared compliance calendar, "
            "with two owners and an alert 14 days ahead",
            Kind.PREVENTIVE,
            Strength.STRONG,
            "eli",
            7,
            "https://calendar.demo.example/compliance: 23 deadlines, each with two owners",
            "dee",
        ),
        (
            "Add the regulator's reports to the quarter-end checklist",
            Kind.PREVENTIVE,
            Strength.MEDIUM,
            "dee",
            10,
            "Quarter-end checklist v7, step 12",
            "",
        ),
    ],
    "near-miss": [
        (
            "Show the account number and postcode on the refund confirmation screen",
            Kind.CORRECTIVE,
            Strength.STRONG,
            "bo",
            3,
            "https://git.demo.example/billing/pull/482 (released in 4.18)",
            "ada",
        ),
        (
            "Refuse a refund to a name shared by two accounts until the account is chosen "
            "by number",
            Kind.PREVENTIVE,
            Strength.STRONG,
            "bo",
            8,
            "https://git.demo.example/billing/pull/491, with a test for same-name accounts",
            "ada",
        ),
    ],
    "old-prices": [
        (
            "Send credit notes to the 38 customers billed at the old prices",
            Kind.CORRECTIVE,
            Strength.MEDIUM,
            "bo",
            2,
            "38 credit notes, batch CN-2026-07 in the billing console",
            "ada",
        ),
        (
            "Stop the invoice run when the price-list import did not finish",
            Kind.PREVENTIVE,
            Strength.STRONG,
            "bo",
            9,
            "https://git.demo.example/billing/pull/455 (the run refuses a stale price list)",
            "ada",
        ),
    ],
    "vat-rate": [
        (
            "Keep the VAT rates in one table shared by the test and live systems",
            Kind.PREVENTIVE,
            Strength.STRONG,
            "cy",
            12,
            "https://git.demo.example/billing/pull/391",
            "",
        ),
        (
            "Check the rates against the tax office's list with a test before each month's run",
            Kind.PREVENTIVE,
            Strength.STRONG,
            "cy",
            15,
            "The monthly run's checklist, step 3, and its test in the billing repository",
            "",
        ),
    ],
}


def load(mistakes: dict[str, Mistake]) -> None:
    for key, actions in ACTIONS.items():
        mistake = mistakes[key]
        reported = mistake.reported_at
        for title, kind, strength, owner, due_days, evidence, verifier in actions:
            done_at = reported + timedelta(days=due_days, hours=-5)
            verified_by = User.objects.filter(username=verifier).first() if verifier else None
            Action.objects.create(
                mistake=mistake,
                title=title,
                kind=kind,
                strength=strength,
                owner=_person(owner),
                due_date=timezone.localdate(reported + timedelta(days=due_days)),
                status=Status.DONE,
                tracker_url=f"https://tracker.demo.example/{key.upper()}-{len(title)}",
                evidence=evidence,
                done_at=done_at,
                verified_by=verified_by,
                verified_at=done_at + timedelta(hours=20) if verified_by else None,
                verification_note="Checked the evidence against the action." if verifier else "",
                created_by=_person(owner),
                created_at=reported + timedelta(hours=6),
            )


def _person(username: str) -> Any:
    return User.objects.get(username=username)
