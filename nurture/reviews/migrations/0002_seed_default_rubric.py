"""Give every existing programme the default rubric (five criteria with anchored scales)."""

from decimal import Decimal

from django.db import migrations

from nurture.reviews.defaults import DEFAULT_RUBRIC


def seed(apps, schema_editor):
    Programme = apps.get_model("programmes", "Programme")
    Criterion = apps.get_model("reviews", "Criterion")
    ScaleAnchor = apps.get_model("reviews", "ScaleAnchor")
    for programme in Programme.objects.all():
        if Criterion.objects.filter(programme=programme).exists():
            continue
        for position, (key, label, label_zh, desc, desc_zh, weight, anchors) in enumerate(
            DEFAULT_RUBRIC, start=1
        ):
            criterion = Criterion.objects.create(
                programme=programme,
                key=key,
                label=label,
                label_zh_hant=label_zh,
                description=desc,
                description_zh_hant=desc_zh,
                weight=Decimal(weight),
                position=position,
            )
            for point, (text, text_zh) in enumerate(anchors, start=1):
                ScaleAnchor.objects.create(
                    criterion=criterion, point=point, text=text, text_zh_hant=text_zh
                )


class Migration(migrations.Migration):
    dependencies = [
        ("reviews", "0001_initial"),
        ("programmes", "0002_seed_default_programme"),
    ]

    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
