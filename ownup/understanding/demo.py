"""The demo's catalogue, and what the demo mistakes touched and why they happened."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.models import User
from django.utils import timezone

from ownup.reporting.models import Mistake
from ownup.understanding import services, transfer

CATALOGUE = """
kinds:
  - name: regulator
    description: An authority the organisation reports to.
relation_types:
  - name: has contact
    flows: forward
    description: A customer's or vendor's contact person hears of what reaches them.
entities:
  - {key: acme, name: Acme Ltd, kind: customer, owners: [bo],
     description: "Largest account: 40 sites, invoiced monthly."}
  - {key: northwind, name: Northwind Traders, kind: customer, owners: [cy]}
  - {key: globex, name: Globex Corporation, kind: customer, owners: [bo]}
  - {key: acme-ap, name: Jo Park (Acme accounts payable), kind: person}
  - {key: invoicing, name: Invoicing system, kind: system, owners: [bo],
     description: "Creates and sends the invoices from the price list and the contracts."}
  - {key: crm, name: CRM, kind: system, owners: [ada]}
  - {key: checkout, name: Web checkout, kind: system, owners: [eli]}
  - {key: payment-gateway, name: Payment gateway integration, kind: system, owners: [eli]}
  - {key: deploy-config, name: Production configuration, kind: system, owners: [dee]}
  - {key: subscriptions, name: Subscription plans, kind: product, owners: [ada]}
  - {key: webshop, name: Online shop, kind: product, owners: [eli]}
  - {key: price-list-2026, name: Price list 2026, kind: document, owners: [ada]}
  - {key: dp-report, name: Quarterly data-protection report, kind: document, owners: [dee]}
  - {key: refund-procedure, name: Refund procedure, kind: document, owners: [cy]}
  - {key: billing-run, name: Monthly invoice run, kind: process, owners: [bo]}
  - {key: release-process, name: Release process, kind: process, owners: [eli]}
  - {key: refunds, name: Refund handling, kind: process, owners: [cy]}
  - {key: compliance-calendar, name: Compliance calendar, kind: process, owners: [dee]}
  - {key: team-billing, name: Billing team, kind: team, owners: [ada]}
  - {key: team-platform, name: Platform team, kind: team, owners: [dee]}
  - {key: payflow, name: PayFlow (payment provider), kind: vendor, owners: [eli]}
  - {key: dpa, name: Data Protection Authority, kind: regulator, owners: [dee]}
relations:
  - {from: billing-run, type: depends on, to: invoicing}
  - {from: billing-run, type: uses, to: price-list-2026}
  - {from: invoicing, type: uses, to: price-list-2026}
  - {from: invoicing, type: serves, to: acme}
  - {from: invoicing, type: serves, to: northwind}
  - {from: invoicing, type: serves, to: globex}
  - {from: invoicing, type: feeds, to: crm}
  - {from: invoicing, type: owned by, to: team-billing}
  - {from: billing-run, type: owned by, to: team-billing}
  - {from: subscriptions, type: depends on, to: billing-run}
  - {from: acme, type: has contact, to: acme-ap}
  - {from: crm, type: feeds, to: invoicing}
  - {from: checkout, type: depends on, to: payment-gateway}
  - {from: payment-gateway, type: depends on, to: deploy-config}
  - {from: payflow, type: supplies, to: payment-gateway}
  - {from: release-process, type: uses, to: deploy-config}
  - {from: checkout, type: part of, to: webshop}
  - {from: webshop, type: serves, to: northwind}
  - {from: webshop, type: serves, to: globex}
  - {from: checkout, type: owned by, to: team-platform}
  - {from: payment-gateway, type: owned by, to: team-platform}
  - {from: dp-report, type: depends on, to: compliance-calendar}
  - {from: dp-report, type: serves, to: dpa}
  - {from: dp-report, type: owned by, to: team-platform}
  - {from: refunds, type: uses, to: refund-procedure}
  - {from: refunds, type: depends on, to: crm}
  - {from: refunds, type: serves, to: acme}
  - {from: refunds, type: serves, to: northwind}
  - {from: crm, type: owned by, to: team-billing}
"""

# What each demo mistake touched, decided, and found; only stories that got this far.
STORIES: dict[str, dict[str, Any]] = {
    "invoices": {
        "reached": 1,
        "touch": [("invoicing", "Picked the 2025 price list for the March run")],
    },
    "deploy": {
        "reached": 2,
        "touch": [
            ("deploy-config", "Shipped without the new payment keys"),
            ("checkout", "Every payment failed for 25 minutes; 312 carts abandoned"),
        ],
        "accept": [("payment-gateway", "Could not authenticate with PayFlow"), ("@eli", "")],
        "dismiss": ["release-process"],
        "problem": {
            "what": "Checkout rejected every card payment.",
            "where": "Web checkout, all countries; the shop and the apps.",
            "when": "Friday 16:05 to 16:30, right after the 16:00 release.",
            "how_much": "312 abandoned carts, about 14 000 EUR of orders; 41 support tickets.",
            "is_not": "Not a PayFlow outage: their status page and other merchants were fine.",
            "why_it_happened": "The payment keys were rotated in staging, not in production.",
            "why_not_caught": "The release checks start the app but never make a payment.",
            "escape_point": "release smoke test",
        },
        "elsewhere": [("Shipping-rates integration: its keys are set the same way", "")],
        "factors": [
            ("process", "Key rotation is a manual step on a wiki page, easy to half-do."),
            ("tools", "The configuration check does not know which secrets must exist."),
            ("environment", "A Friday-afternoon release under pressure to ship the sale."),
            ("communication", "The rotation in staging was not announced to the releaser."),
        ],
        "whys": [
            "Checkout could not authenticate with the payment provider.",
            "Production had no entry for the new payment keys.",
            "The keys were rotated in staging only.",
            "Rotating keys is a manual, undocumented two-environment step.",
            "Nobody owns secret rotation as a process.",
        ],
        "culture": ("dee", "human_error", "A slip in a manual step the process made easy to miss."),
    },
    "deadline": {
        "reached": 4,
        "touch": [
            ("dp-report", "Filed two days after the deadline"),
            ("dpa", "Received the report late; sent a reminder letter"),
            ("compliance-calendar", "The deadline lived in one person's calendar"),
        ],
        "accept": [("@dee", "")],
        "problem": {
            "what": "The quarterly data-protection report was filed two days late.",
            "where": "Compliance reporting, platform team.",
            "when": "Due 15 January, filed 17 January.",
            "how_much": "One report; no fine, one reminder letter from the authority.",
            "is_not": "Not a content problem: the report itself was complete and correct.",
            "why_it_happened": "The reminder was in the personal calendar of someone on leave.",
            "why_not_caught": "Nobody else tracked the date; no shared calendar, no back-up.",
            "escape_point": "compliance calendar",
        },
        "elsewhere": [("Annual accessibility statement: same one-person reminder", "")],
        "factors": [
            ("people", "The report's only owner was on two weeks of leave."),
            ("process", "Regulatory deadlines had no shared calendar and no deputy."),
        ],
        "whys": [
            "Nobody started the report in time.",
            "The only reminder was in the owner's personal calendar.",
            "Deadlines were never moved to a shared place when the team grew.",
        ],
    },
    "near-miss": {
        "reached": 7,
        "touch": [
            ("refunds", "A refund was about to go to the wrong account"),
            ("crm", "Two accounts named 'Acme' with no visible account number"),
        ],
        "accept": [("acme", "Almost refunded instead of the other 'Acme' account")],
        "problem": {
            "what": "A refund was almost sent to the wrong customer.",
            "where": "Refund handling, in the CRM's refund screen.",
            "when": "Caught on the confirmation screen before sending.",
            "how_much": "One refund of 1 250 EUR; nothing was paid out.",
            "is_not": "Not a payment error: the amount and the reason were right.",
            "why_it_happened": "Search picked the first of two accounts with the same name.",
            "why_not_caught": "It was caught: the confirmation screen shows the address.",
            "escape_point": "",
        },
        "factors": [("tools", "CRM search shows names only, not account numbers.")],
        "whys": [
            "The wrong account was selected.",
            "Two accounts have the same name and the list does not tell them apart.",
        ],
    },
}


def load(mistakes: dict[str, Mistake]) -> None:
    people = {u.username: u for u in User.objects.all()}
    transfer.import_catalog(CATALOGUE, "yaml")
    for key, story in STORIES.items():
        mistake = mistakes.get(key)
        if mistake is None:
            continue
        actor = mistake.reporter or people["ada"]
        started = timezone.now()
        for entity, impact in story["touch"]:
            services.add_touch_point(mistake, entity, impact, actor=actor)
        for ref, impact in story.get("accept", []):
            services.decide(mistake, ref, "accepted", actor=actor, impact=impact)
        for ref in story.get("dismiss", []):
            services.decide(mistake, ref, "dismissed", actor=actor)
        if "problem" in story:
            services.save_analysis(mistake, story["problem"], actor=actor)
        for place, entity in story.get("elsewhere", []):
            services.add_other_place(mistake, {"place": place, "entity": entity}, actor=actor)
        for category, text in story.get("factors", []):
            services.add_factor(mistake, category, text, actor=actor)
        for answer in story.get("whys", []):
            services.add_why(mistake, answer, actor=actor)
        if "culture" in story:
            manager, classification, note = story["culture"]
            services.classify(
                mistake,
                {"classification": classification, "note": note},
                actor=people[manager],
            )
        # Told as the stage happened: between the report and the move to Understood.
        span = timezone.now() - mistake.reported_at
        when = mistake.reported_at + span * min(1.5 / (story["reached"] + 1), 0.8)
        mistake.timeline.filter(recorded_at__gte=started).update(at=when, recorded_at=when)
