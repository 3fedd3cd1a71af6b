"""The 25 provinces, the positions of Instruction 996 A.1 and the portal's roles always exist."""

from django.db import migrations

from ministry.reference import load_reference_data


def load(apps, schema_editor):
    load_reference_data(apps.get_model("ministry", "Province"), apps.get_model("ministry", "Position"),
                        apps.get_model("auth", "Group"))


class Migration(migrations.Migration):
    dependencies = [("ministry", "0001_initial"), ("auth", "0012_alter_user_first_name_max_length")]
    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
