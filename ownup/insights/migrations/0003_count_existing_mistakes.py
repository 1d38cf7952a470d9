from django.db import migrations


def count_existing_mistakes(apps, schema_editor):
    # The totals are derived from the mistakes: count the ones already there. Skipped when there
    # are none, so a later schema never has to run today's counting on an empty database.
    if not apps.get_model("reporting", "Mistake").objects.exists():
        return
    from ownup.insights.totals import rebuild

    rebuild()


class Migration(migrations.Migration):
    # A migration of its own: the tables' indexes are made at the end of the one that creates
    # them, and counting a million mistakes needs them.
    dependencies = [
        ("insights", "0002_day_totals"),
        # The verified-effective condition the monitoring app provides reads its closures.
        ("monitoring", "0001_initial"),
    ]

    operations = [
        migrations.RunPython(count_existing_mistakes, migrations.RunPython.noop, elidable=True),
    ]
