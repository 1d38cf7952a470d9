from django.db import migrations


def counts_for_addresses(apps, schema_editor):
    # The timeline said who acknowledged, address and all; it now says how many had.
    Recipient = apps.get_model("communication", "Recipient")
    TimelineEntry = apps.get_model("reporting", "TimelineEntry")
    acknowledged = (
        Recipient.objects.filter(channel="email", acknowledged_at__isnull=False)
        .select_related("message")
        .order_by("message_id", "acknowledged_at", "pk")
    )
    read: dict[int, int] = {}
    emailed: dict[int, int] = {}
    for recipient in acknowledged.iterator():
        message = recipient.message
        if message.pk not in emailed:
            emailed[message.pk] = Recipient.objects.filter(message=message, channel="email").count()
        read[message.pk] = read.get(message.pk, 0) + 1
        label = f"{recipient.name} <{recipient.address}>" if recipient.name else recipient.address
        TimelineEntry.objects.filter(
            mistake_id=message.mistake_id,
            kind="event",
            text=f"{label} acknowledged: {message.subject}",
        ).update(
            text=f"Acknowledged by {read[message.pk]} of {emailed[message.pk]} recipients: "
            f"{message.subject}"
        )


class Migration(migrations.Migration):
    dependencies = [
        ("communication", "0004_unread_by_address"),
        ("reporting", "0004_used_slack_links"),
    ]

    operations = [
        migrations.RunPython(counts_for_addresses, migrations.RunPython.noop, elidable=True),
    ]
