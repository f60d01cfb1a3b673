"""Writing-process figures move from columns of Revision to their own narrow table (ProcessEvent).

The retention pass deletes them after their own period; clearing columns in place rewrote each wide
revision row and ran at a quarter of the speed. Existing figures are copied before the columns go.
Revision.submission loses its own index: unique(submission, number) already serves it.
"""

import django.db.models.deletion
from django.db import migrations, models

COPY = """
INSERT INTO coursework_processevent (revision_id, created_at, active_seconds, typed_chars, pasted_chars, paste_sizes)
SELECT id, created_at, active_seconds, typed_chars, pasted_chars, paste_sizes FROM coursework_revision
WHERE active_seconds > 0 OR typed_chars > 0 OR pasted_chars > 0 OR paste_sizes <> '[]'::jsonb
ORDER BY id
"""
COPY_BACK = """
UPDATE coursework_revision r SET active_seconds = p.active_seconds, typed_chars = p.typed_chars,
    pasted_chars = p.pasted_chars, paste_sizes = p.paste_sizes
FROM coursework_processevent p WHERE p.revision_id = r.id
"""


class Migration(migrations.Migration):

    dependencies = [
        ("coursework", "0002_submitted_revision_restrict"),
    ]

    operations = [
        migrations.CreateModel(
            name="ProcessEvent",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("created_at", models.DateTimeField()),
                ("active_seconds", models.PositiveIntegerField(default=0)),
                ("typed_chars", models.PositiveIntegerField(default=0)),
                ("pasted_chars", models.PositiveIntegerField(default=0)),
                ("paste_sizes", models.JSONField(blank=True, default=list)),
                ("revision", models.OneToOneField(on_delete=django.db.models.deletion.CASCADE,
                                                  related_name="process", to="coursework.revision")),
            ],
        ),
        migrations.RunSQL(COPY, reverse_sql=COPY_BACK),
        migrations.RemoveField(model_name="revision", name="active_seconds"),
        migrations.RemoveField(model_name="revision", name="paste_sizes"),
        migrations.RemoveField(model_name="revision", name="pasted_chars"),
        migrations.RemoveField(model_name="revision", name="typed_chars"),
        migrations.AlterField(
            model_name="revision",
            name="submission",
            field=models.ForeignKey(db_index=False, on_delete=django.db.models.deletion.CASCADE,
                                    related_name="revisions", to="coursework.submission"),
        ),
    ]
