from django.db import migrations, models


class Migration(migrations.Migration):
    """Token scopes. Tokens made before scopes existed could do everything their owner can,
    so they become read and write (the tokens page offers read only first for new ones)."""

    dependencies = [("accounts", "0001_initial")]

    operations = [
        migrations.AddField(
            model_name="apitoken",
            name="scopes",
            field=models.CharField(
                choices=[("read", "Read only"), ("read write", "Read and write")],
                default="read write",
                max_length=32,
                verbose_name="scopes",
            ),
        ),
    ]
