from django.db import migrations

from ownup.decisions.models import DEFAULT_CRITERIA


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
