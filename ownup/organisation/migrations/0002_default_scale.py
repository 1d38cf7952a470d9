from django.db import migrations

from ownup.organisation.models import DEFAULT_SCALE


def create_defaults(apps, schema_editor):
    Severity = apps.get_model("organisation", "Severity")
    Organisation = apps.get_model("organisation", "Organisation")
    Organisation.objects.get_or_create(pk=1)
    if Severity.objects.exists():
        return
    for name, rank, minutes, managers, description in DEFAULT_SCALE:
        Severity.objects.create(
            name=name, rank=rank, target_contain_minutes=minutes, notify_managers=managers,
            description=description,
        )


class Migration(migrations.Migration):
    dependencies = [("organisation", "0001_initial")]
    operations = [migrations.RunPython(create_defaults, migrations.RunPython.noop)]
