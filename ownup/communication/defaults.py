"""The audiences and the blame-language list an organisation starts with (then edits)."""

# ruff: noqa: E501

from typing import Any

SUBJECT = "{{ organisation.name }}: {{ mistake.title }}"

CLOSING = """
{% if lead %}{{ lead_name }} leads our communication about this. Reply to this message with any question.{% else %}Reply to this message with any question.{% endif %}

{{ organisation.name }}"""

WHAT_WE_DID = """What we did
{% for action in done_actions %}- {{ action.title }}
{% empty %}{% if contained %}{{ contained }}{% else %}[What was done to stop the harm and put it right.]{% endif %}
{% endfor %}
What we do next
{% for action in next_actions %}- {{ action.title }} (by {{ action.due_date|date:"j F Y" }})
{% empty %}[What we will do so it does not happen again.]
{% endfor %}"""

WHY = """Why it happened
{% if why %}{{ why }}{% else %}[Why it happened, in plain words: the conditions, not a person.]{% endif %}
"""

CUSTOMERS = (
    """Dear customer,

We made a mistake that affected you, and we are sorry. Here is a direct and true account of what happened and what we are doing about it.

What happened
{{ what_happened }}

"""
    + WHY
    + "\n"
    + WHAT_WE_DID
    + """
We will write to you again with the results once we have checked that the fix holds.
"""
    + CLOSING
)

TEAM = (
    """Hello everyone,

Here is where we are with #{{ mistake.pk }} "{{ mistake.title }}".

What happened
{{ what_happened }}

"""
    + WHY
    + "\n"
    + WHAT_WE_DID
    + """
Thank you to everyone who reported, contained and fixed it: early, open reports are how we learn.
"""
    + CLOSING
)

LEADERSHIP = (
    """Summary of #{{ mistake.pk }}: {{ mistake.title }}

Severity: {{ mistake.severity }}{% if mistake.harm %} · {{ mistake.get_harm_display }}{% endif %}
Reported: {{ mistake.reported_at|date:"j F Y H:i" }}{% if mistake.team %} · Team: {{ mistake.team }}{% endif %}

What happened
{{ what_happened }}

"""
    + WHY
    + "\n"
    + WHAT_WE_DID
    + """
Where we need your support: [time, budget or decisions the actions depend on].
"""
    + CLOSING
)

REGULATOR = """To whom it may concern,

{{ organisation.name }} reports the following incident.

Description
{{ what_happened }}

Date and time it occurred: {% if mistake.occurred_at %}{{ mistake.occurred_at|date:"j F Y H:i e" }}{% else %}[date and time]{% endif %}
Date and time it was discovered: {% if mistake.noticed_at %}{{ mistake.noticed_at|date:"j F Y H:i e" }}{% else %}[date and time]{% endif %}
Who and what was affected: [the people, the data, how many]

Cause
{% if why %}{{ why }}{% else %}[The cause, as established so far.]{% endif %}

Measures taken
{% for action in done_actions %}- {{ action.title }}
{% empty %}{% if contained %}{{ contained }}{% else %}[The measures taken to contain it and put it right.]{% endif %}
{% endfor %}
Measures planned
{% for action in next_actions %}- {{ action.title }} (by {{ action.due_date|date:"j F Y" }})
{% empty %}[The measures planned to prevent it happening again.]
{% endfor %}
Contact: {% if lead %}{{ lead_name }}, {{ lead.email }}{% else %}[name, role and email]{% endif %}

{{ organisation.name }}"""

CUSTOMERS_RESULTS = (
    """Dear customer,

{% if first_told %}On {{ first_told|date:"j F Y" }} we{% else %}We{% endif %} wrote to you about a mistake we made: {{ mistake.title }}. We promised to write again once we had checked that our fix holds. Here are the results.

What we found
{% if why %}{{ why }}{% else %}[Why it happened, in plain words: the conditions, not a person.]{% endif %}

What we changed
{% for action in done_actions %}- {{ action.title }}
{% empty %}[What we changed so that it does not happen again.]
{% endfor %}
Whether it works
{% for result in results %}- {{ result }}
{% empty %}[How we checked that the fix holds, for how long, and what we saw.]
{% endfor %}
Thank you for your patience. We are sorry again for the trouble it caused you.
"""
    + CLOSING
)

AUDIENCES = [
    # key, name, description, position, proposes, subject, body
    (
        "customers",
        "Affected customers",
        "A direct, true account and an apology first.",
        10,
        "nobody",
        "We made a mistake, and we are sorry: {{ mistake.title }}",
        CUSTOMERS,
    ),
    (
        "team",
        "The team",
        "Everyone who worked on it or needs to know.",
        20,
        "involved",
        SUBJECT,
        TEAM,
    ),
    (
        "leadership",
        "Leadership",
        "A short summary and what the fix needs.",
        30,
        "managers",
        "Summary: {{ mistake.title }}",
        LEADERSHIP,
    ),
    (
        "regulator",
        "A regulator",
        "A formal notification with dates and measures.",
        40,
        "nobody",
        "Incident notification from {{ organisation.name }}: {{ mistake.title }}",
        REGULATOR,
    ),
]

# Written follow-ups: key, name, description, position, proposes, subject, body, and the key of
# the audience followed up (whose recipients are proposed again).
FOLLOW_UPS = [
    (
        "customers-results",
        "Affected customers: the results",
        "The written follow-up: what we found, what we changed, whether it holds.",
        15,
        "nobody",
        "What we found and changed: {{ mistake.title }}",
        CUSTOMERS_RESULTS,
        "customers",
    ),
]


def seed_audiences(audience_model: Any, *, follow_ups_only: bool = False) -> None:
    """Create the default audiences that are missing (by key), in a migration or at first use."""
    plain = [(*entry, None) for entry in AUDIENCES] if not follow_ups_only else []
    for key, name, description, position, proposes, subject, body, follows in plain + FOLLOW_UPS:
        followed = audience_model.objects.filter(key=follows).first() if follows else None
        if follows and followed is None:
            continue  # an organisation that removed the first message has nothing to follow up
        audience_model.objects.get_or_create(
            key=key,
            defaults={
                "name": name,
                "description": description,
                "position": position,
                "proposes": proposes,
                "subject_template": subject,
                "body_template": body.strip() + "\n",
                "follows_up": followed,
            },
        )


BLAME_TERMS = [
    (
        "failed to",
        "Say what happened, not who failed: 'the check did not run' instead of "
        "'Sam failed to run the check'.",
    ),
    (
        "careless",
        "Name the condition that made the slip easy: 'the two accounts look alike on the screen'.",
    ),
    ("carelessness", "Name the condition that made the slip easy, not a trait of a person."),
    ("should have known", "Say what information was missing, late or hard to find at the time."),
    (
        "should have",
        "Describe what would have helped (a check, a warning, more time), not what a "
        "person should have done.",
    ),
    ("negligent", "Describe the actions and the conditions; leave judgement to the facts."),
    ("negligence", "Describe the actions and the conditions; leave judgement to the facts."),
    ("sloppy", "Say which step was skipped and what made skipping it easy."),
    ("lazy", "Say which step was skipped and what made skipping it easy."),
    ("incompetent", "Say which knowledge or support was missing."),
    ("stupid", "Describe what happened in neutral words."),
    (
        "human error",
        "Human error is where the search for causes starts: say what made the error "
        "easy to make and hard to catch.",
    ),
    ("fault", "Ask what in the system allowed it, not whose fault it is."),
    ("to blame", "Ask what in the system allowed it, not who is to blame."),
    ("blame", "Ask what in the system allowed it, not who is to blame."),
    ("forgot to", "Say what reminder, checklist or default was missing."),
    ("didn't bother", "Say what made the step feel optional or hard to do."),
    ("did not bother", "Say what made the step feel optional or hard to do."),
    ("ignored", "Say whether the warning was visible, clear and believable at the time."),
    ("dropped the ball", "Say which hand-over or step was missing."),
    ("screwed up", "Describe what happened in neutral words."),
    (
        "more careful",
        "Asking for more care is a weak fix: say what would make the right thing easy.",
    ),
]
