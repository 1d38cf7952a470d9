from django.db import migrations

KINDS = [
    ("customer", "Someone the organisation serves."),
    ("system", "Software or a machine the work runs on."),
    ("product", "What the organisation sells or provides."),
    ("document", "A file, policy, price list or contract."),
    ("process", "A way of working, a routine, a run."),
    ("team", "A group of people."),
    ("vendor", "A supplier the organisation depends on."),
    ("person", "Someone outside the organisation's users, like a contact."),
]

# name, which way a mistake's impact travels, description
RELATION_TYPES = [
    ("depends on", "backward", "A mistake in the target reaches the source."),
    ("uses", "backward", "A mistake in what is used reaches its user."),
    ("serves", "forward", "A mistake in the source reaches whom it serves."),
    ("supplies", "forward", "A mistake of the supplier reaches what it supplies."),
    ("feeds", "forward", "Data or work flows from the source to the target."),
    ("part of", "forward", "A mistake in a part reaches the whole."),
    ("owned by", "forward", "A mistake in the source concerns its owner."),
]

FACTOR_CATEGORIES = [
    ("people", "Skills, fatigue, workload, staffing."),
    ("process", "Steps, checks, handovers, procedures."),
    ("tools", "Software, equipment, their design and defaults."),
    ("environment", "Time pressure, interruptions, place, conditions."),
    ("communication", "What was said, written, missed or misunderstood."),
    ("external", "Suppliers, customers, regulators, events outside."),
]


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
