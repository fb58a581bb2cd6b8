"""The default configuration: the HKAI Lab accelerator's rules, benefit package and sectors."""

from decimal import Decimal

from django.db import migrations

SECTORS = [
    # (slug, English, Traditional Chinese, vertical industry adopting AI)
    ("urban-planning", "Urban planning", "城市規劃", False),
    ("influencer-marketing", "Influencer marketing", "網紅營銷", False),
    ("fintech", "Fintech", "金融科技", False),
    ("property-inspection", "Property inspection", "物業檢測", False),
    ("social-networking", "Social networking", "社交網絡", False),
    ("financial-services", "Financial services", "金融服務", True),
    ("retail", "Retail", "零售", True),
    ("transportation", "Transportation", "運輸", True),
    ("property-management", "Property management", "物業管理", True),
    ("healthcare", "Healthcare", "醫療保健", True),
]

BENEFITS = [
    # (kind, label, label_zh_hant, amount, unit, details)
    (
        "workspace",
        "Free working space in the Lab",
        "實驗室免費工作空間",
        None,
        "DESKS",
        "Desks at the HKAI Lab, Hong Kong Science Park, for the whole programme",
    ),
    (
        "seed_funding",
        "Seed funding",
        "種子基金",
        Decimal("100000"),
        "USD",
        "Alibaba Hong Kong Entrepreneurs Fund; publicly reported as for 6% equity",
    ),
    ("cloud_credits", "Alibaba Cloud credits", "阿里雲雲端額度", Decimal("10000"), "USD", ""),
    (
        "gpu_hours",
        "GPU compute",
        "GPU 運算資源",
        Decimal("2000"),
        "GPU_HOURS",
        "On the Lab's cluster",
    ),
    (
        "platform_access",
        "Deep-learning platform access",
        "深度學習平台使用權",
        None,
        "",
        "Alibaba Cloud and SenseTime deep-learning platforms",
    ),
    (
        "advisory",
        "Advice from the advisory board",
        "顧問委員會指導",
        None,
        "",
        "AI scientists, entrepreneurs and professors",
    ),
]


def seed(apps, schema_editor):
    Programme = apps.get_model("programmes", "Programme")
    BenefitItem = apps.get_model("programmes", "BenefitItem")
    Sector = apps.get_model("programmes", "Sector")
    for slug, name, name_zh, vertical in SECTORS:
        Sector.objects.get_or_create(
            slug=slug, defaults={"name": name, "name_zh_hant": name_zh, "is_vertical": vertical}
        )
    programme, created = Programme.objects.get_or_create(
        slug="hkai-lab-accelerator",
        defaults={
            "name": "HKAI Lab AI startup accelerator",
            "name_zh_hant": "香港人工智能與數據實驗室 AI 初創加速計劃",
            "organisation": "Hong Kong AI & Data Laboratory (HKAI Lab), Hong Kong Science Park",
            "description": (
                "A six-month programme for AI startups, set up by Alibaba, SenseTime and HKSTP. "
                "Two cohorts a year of 6 to 10 startups."
            ),
            "cohorts_per_year": 2,
            "min_startups_per_cohort": 6,
            "max_startups_per_cohort": 10,
            "yearly_cap": 20,
            "length_months": 6,
            "followon_name": "HKSTP Incu-Tech",
            "followon_months": 30,
        },
    )
    if created:
        for position, (kind, label, label_zh, amount, unit, details) in enumerate(BENEFITS):
            BenefitItem.objects.create(
                programme=programme,
                kind=kind,
                label=label,
                label_zh_hant=label_zh,
                amount=amount,
                unit=unit,
                details=details,
                position=position,
            )


class Migration(migrations.Migration):
    dependencies = [("programmes", "0001_initial")]
    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
