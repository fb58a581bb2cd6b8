"""The default programme's tranches: 40% on joining, 30% at month 3 with its milestone, 30% at
month 6."""

from decimal import Decimal

from django.db import migrations

TRANCHES = [
    # (percent, months after start, label, label_zh_hant, milestone, milestone_zh_hant)
    (
        Decimal("40"),
        0,
        "On joining",
        "加入時",
        "The startup has confirmed its place and signed the funding agreement.",
        "初創企業已確認名額並簽署資助協議。",
    ),
    (
        Decimal("30"),
        3,
        "Month 3",
        "第 3 個月",
        "A working prototype shown to the advisory board, with the first users' feedback.",
        "向顧問委員會展示可運作的原型，並附首批用戶的意見。",
    ),
    (
        Decimal("30"),
        6,
        "Month 6",
        "第 6 個月",
        "The programme completed: demo day pitch and the final progress report.",
        "完成計劃：示範日路演及最終進度報告。",
    ),
]


def seed(apps, schema_editor):
    Programme = apps.get_model("programmes", "Programme")
    TrancheRule = apps.get_model("funding", "TrancheRule")
    programme = Programme.objects.filter(slug="hkai-lab-accelerator").first()
    if programme is None or TrancheRule.objects.filter(programme=programme).exists():
        return
    for position, (percent, months, label, label_zh, milestone, milestone_zh) in enumerate(
        TRANCHES, start=1
    ):
        TrancheRule.objects.create(
            programme=programme,
            position=position,
            percent=percent,
            months_after_start=months,
            label=label,
            label_zh_hant=label_zh,
            milestone=milestone,
            milestone_zh_hant=milestone_zh,
        )


class Migration(migrations.Migration):
    dependencies = [
        ("funding", "0001_initial"),
        ("programmes", "0002_seed_default_programme"),
    ]

    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
