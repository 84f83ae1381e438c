# The survey's token and expiry now live on its customer link (nhcs.links).

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [("satisfaction", "0006_survey_tokens_to_links")]

    operations = [
        migrations.RemoveField(model_name="recipient", name="expires_at"),
        migrations.RemoveField(model_name="recipient", name="token"),
    ]
