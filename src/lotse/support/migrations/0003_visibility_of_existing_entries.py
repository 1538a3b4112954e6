"""Give the notes, meeting records and attachments written before visibility levels a level.

Notes the coordination writes, or writes to others (receipt message, clarification, proposal
note, forwarding reason), and what the school sent to the site (mail answers) and a declining
supporter's reason to the coordination, become "coordination": those were always read by the
coordination. Everything else with a note becomes "participants", the narrower level: the author
still reads it, the school may widen it. Mail attachments were sent to the site: "coordination".
"""

from django.db import migrations

TO_THE_COORDINATION = {
    "acknowledged",
    "clarified",
    "proposed",
    "proposal_declined",
    "forwarded",
    "mail_received",
}


def forwards(apps, schema_editor):
    TimelineEvent = apps.get_model("support", "TimelineEvent")
    Attachment = apps.get_model("support", "Attachment")
    # Only an opened note tells whether an event has one: the ciphertext of "" is not empty.
    for event in TimelineEvent.objects.only("pk", "kind", "row_key", "note").iterator():
        if not event.note:
            continue
        level = "coordination" if event.kind in TO_THE_COORDINATION else "participants"
        TimelineEvent.objects.filter(pk=event.pk).update(visibility=level)
    Attachment.objects.filter(mail__isnull=False).update(visibility="coordination")


class Migration(migrations.Migration):
    dependencies = [("support", "0002_visibility")]

    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
