from django.conf import settings
from django.db import migrations, models

# The index of a mistake's owner alone: "owned_newest_first" (owner, then report time) begins
# with the owner and serves the same look-ups, so each write of a mistake keeps one index less.
# Dropped by its name rather than by altering the field, which SQLite would do by copying the
# whole table.
OWNER_INDEX = "reporting_mistake_owner_id_a8839140"


class Migration(migrations.Migration):
    dependencies = [
        ("reporting", "0004_used_slack_links"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.AlterField(
                    model_name="mistake",
                    name="owner",
                    field=models.ForeignKey(
                        blank=True,
                        db_index=False,
                        null=True,
                        on_delete=models.deletion.SET_NULL,
                        related_name="owned_mistakes",
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
            ],
            database_operations=[
                migrations.RunSQL(
                    f'DROP INDEX IF EXISTS "{OWNER_INDEX}"',
                    reverse_sql=f'CREATE INDEX "{OWNER_INDEX}" ON "reporting_mistake" ("owner_id")',
                ),
            ],
        ),
    ]
