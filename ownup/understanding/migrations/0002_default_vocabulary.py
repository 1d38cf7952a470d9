from django.db import migrations

from ownup.understanding.models import (
    DEFAULT_FACTOR_CATEGORIES as FACTOR_CATEGORIES,
    DEFAULT_KINDS as KINDS,
    DEFAULT_RELATION_TYPES as RELATION_TYPES,
)


def create_defaults(apps, schema_editor):
    EntityKind = apps.get_model("understanding", "EntityKind")
    RelationType = apps.get_model("understanding", "RelationType")
    FactorCategory = apps.get_model("understanding", "FactorCategory")
    db = schema_editor.connection.alias
    for name, description in KINDS:
        EntityKind.objects.using(db).get_or_create(name=name, defaults={"description": description})
    for name, flows, description in RELATION_TYPES:
        RelationType.objects.using(db).get_or_create(
            name=name, defaults={"flows": flows, "description": description}
        )
    for position, (name, description) in enumerate(FACTOR_CATEGORIES, start=1):
        FactorCategory.objects.using(db).get_or_create(
            name=name, defaults={"description": description, "position": position}
        )


class Migration(migrations.Migration):
    dependencies = [("understanding", "0001_initial")]
    operations = [migrations.RunPython(create_defaults, migrations.RunPython.noop)]
