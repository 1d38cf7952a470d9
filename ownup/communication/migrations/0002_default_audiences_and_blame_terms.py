from django.db import migrations

from ownup.communication.defaults import AUDIENCES, BLAME_TERMS


def seed(apps, schema_editor):
    Audience = apps.get_model("communication", "Audience")
    BlameTerm = apps.get_model("communication", "BlameTerm")
    for key, name, description, position, proposes, subject, body in AUDIENCES:
        Audience.objects.get_or_create(
            key=key,
            defaults={
                "name": name,
                "description": description,
                "position": position,
                "proposes": proposes,
                "subject_template": subject,
                "body_template": body.strip() + "\n",
            },
        )
    for phrase, suggestion in BLAME_TERMS:
        BlameTerm.objects.get_or_create(phrase=phrase, defaults={"suggestion": suggestion})


class Migration(migrations.Migration):
    dependencies = [("communication", "0001_initial")]
    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
