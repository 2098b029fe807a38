"""GIN index on the skill arrays, PostgreSQL only (SQLite stores them as JSON text)."""

from django.db import migrations


def create(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(
            "CREATE INDEX IF NOT EXISTS match_profile_skills_gin "
            "ON matching_matchprofile USING gin (skills)"
        )


def drop(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("DROP INDEX IF EXISTS match_profile_skills_gin")


class Migration(migrations.Migration):
    dependencies = [("matching", "0001_initial")]

    operations = [migrations.RunPython(create, drop)]
