"""The platforms of the default programme: Alibaba Cloud's and SenseTime's."""

from django.db import migrations

PLATFORMS = [
    (
        "alibaba_cloud",
        "Alibaba Cloud machine-learning platform",
        "阿里雲機器學習平台",
        "Alibaba Cloud",
        "Model training and deployment on Alibaba Cloud (Platform for AI).",
        "在阿里雲上訓練及部署模型（人工智能平台 PAI）。",
    ),
    (
        "sensetime",
        "SenseTime deep-learning platform",
        "商湯深度學習平台",
        "SenseTime",
        "SenseTime's deep-learning training platform and model services.",
        "商湯的深度學習訓練平台及模型服務。",
    ),
]


def seed(apps, schema_editor):
    Platform = apps.get_model("platforms", "Platform")
    for position, (slug, name, name_zh, provider, text, text_zh) in enumerate(PLATFORMS, start=1):
        Platform.objects.get_or_create(
            slug=slug,
            defaults={
                "name": name,
                "name_zh_hant": name_zh,
                "provider": provider,
                "description": text,
                "description_zh_hant": text_zh,
                "position": position,
            },
        )


class Migration(migrations.Migration):
    dependencies = [("platforms", "0001_initial")]

    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
