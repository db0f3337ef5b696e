"""Every change of a user, of a user's roles or of a role moves the reference stamp
(apps.core.reference): a filter bar's list of staff is kept per process meanwhile."""

from django.db import migrations

from apps.core.reference import stamp_trigger


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0003_api_tokens"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("core", "0007_reference_stamp"),
    ]

    operations = [
        stamp_trigger("accounts_user"),
        stamp_trigger("accounts_user_groups"),
        stamp_trigger("auth_group"),
    ]
