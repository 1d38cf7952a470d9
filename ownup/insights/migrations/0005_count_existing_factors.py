from django.db import migrations


def count_existing_factors(apps, schema_editor):
    # The counts by category are new: count the mistakes again when some already have factors.
    if not apps.get_model("understanding", "ContributingFactor").objects.exists():
        return
    from ownup.insights.totals import rebuild

    rebuild()


class Migration(migrations.Migration):
    # A migration of its own, as 0003: counting needs the indexes the one before makes.
    dependencies = [
        ("insights", "0004_counts_by_factor_category"),
        ("understanding", "0002_default_vocabulary"),
    ]

    operations = [
        migrations.RunPython(count_existing_factors, migrations.RunPython.noop, elidable=True),
    ]
