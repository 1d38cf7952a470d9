from django.db import migrations

# key, name, description, weight, lower is better
DEFAULT_CRITERIA = [
    ("effort", "Effort", "How much work it takes to put in place.", 2, True),
    ("risk", "Risk", "How likely it is to break something else.", 3, True),
    ("time", "Time", "How long until it is in place.", 2, True),
    ("cost", "Cost", "What it costs, once and to keep.", 1, True),
    (
        "customer_impact",
        "Customer impact",
        "How much it protects customers from this mistake happening again.",
        3,
        False,
    ),
    ("reversibility", "Reversibility", "How easily it can be undone if it goes wrong.", 1, False),
]


def add_defaults(apps, schema_editor):
    Criterion = apps.get_model("decisions", "Criterion")
    for position, (key, name, description, weight, lower) in enumerate(DEFAULT_CRITERIA):
        Criterion.objects.get_or_create(
            key=key,
            defaults={
                "name": name,
                "description": description,
                "weight": weight,
                "lower_is_better": lower,
                "position": position,
            },
        )


class Migration(migrations.Migration):
    dependencies = [("decisions", "0001_initial")]

    operations = [migrations.RunPython(add_defaults, migrations.RunPython.noop)]
