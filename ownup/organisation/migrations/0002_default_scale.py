from django.db import migrations

DEFAULT_SCALE = [
    # name, rank, minutes to contain, tell managers at once, description
    ("critical", 1, 15, True, "Harm is happening now to many people, or to anyone's safety."),
    ("high", 2, 60, True, "Harm to customers or money is happening or close."),
    ("medium", 3, 240, False, "Some harm is possible; it needs attention today."),
    ("low", 4, 1440, False, "Little or no harm; worth fixing and learning from."),
]


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
