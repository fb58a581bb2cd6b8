"""The first published versions of the collection statement and the marketing consent text."""

from django.db import migrations

COLLECTION_EN = """Purpose. The Hong Kong AI & Data Laboratory (HKAI Lab) collects the personal data in this form to create your account, to assess your startup's application to its accelerator programme, to run the programme if your startup is admitted (benefits, mentoring, events, progress reports), to contact you about your application, and to compile anonymous statistics.

Obligatory and optional. Fields marked with * are obligatory: without them the Lab cannot assess the application. Other fields are optional.

Who may see it. Lab staff who run the programme; the members of the advisory board assigned to review your application (never a member with a declared or detected conflict of interest); for admitted startups, the Lab's finance staff and, only for the purpose of the programme's benefits, its founding partners (Alibaba, SenseTime and HKSTP). The Lab does not sell personal data, and does not use it for direct marketing unless you consent separately.

Your rights. Under the Personal Data (Privacy) Ordinance (Cap. 486) you may ask for access to and correction of your personal data. Send requests to the Lab's Data Protection Officer at privacy@hkai-lab.example (a fictional address in this installation) or from your profile page.

Retention. Data of applications that are not admitted is anonymised 24 months after the decision; other data is kept for as long as the programme and the law require."""

COLLECTION_ZH = """目的：香港人工智能與數據實驗室（HKAI Lab）收集本表格中的個人資料，用於建立您的帳戶、評審您的初創公司對加速計劃的申請、在獲錄取後營運計劃（福利、導師指導、活動及進度報告）、就申請與您聯絡，以及編製不具名統計數字。

必須及自願提供：標有 * 的欄位必須填寫，否則實驗室無法評審申請；其他欄位可自願提供。

可查閱資料的人士：營運計劃的實驗室職員；獲指派評審您申請的顧問委員會成員（已申報或被偵測到有利益衝突的成員除外）；如獲錄取，實驗室的財務職員，以及僅為提供計劃福利而需要的創辦夥伴（阿里巴巴、商湯科技及香港科技園公司）。實驗室不會出售個人資料，除非您另行同意，亦不會將其用於直接促銷。

您的權利：根據《個人資料（私隱）條例》（第 486 章），您有權要求查閱及改正您的個人資料。請把要求寄往實驗室的保障資料主任 privacy@hkai-lab.example（本安裝中為虛構地址），或在您的個人資料頁面提出。

保留期限：未獲錄取申請的資料會在決定後 24 個月內匿名化；其他資料按計劃及法律要求的期限保留。"""

MARKETING_EN = """With your consent, the HKAI Lab will use your name and e-mail address to send you news of its workshops, seminars, demo days and future programmes. This is direct marketing under Part 6A of the Personal Data (Privacy) Ordinance. Consent is optional and does not affect your application. You can withdraw it at any time, free of charge, from your profile page or through the link in any such e-mail; it takes effect at once."""

MARKETING_ZH = """在您同意下，HKAI Lab 會使用您的姓名及電郵地址，向您發送工作坊、研討會、示範日及日後計劃的消息。根據《個人資料（私隱）條例》第 6A 部，此屬直接促銷。同意與否屬自願，不會影響您的申請。您可隨時在個人資料頁面或透過此類電郵中的連結免費撤回同意，撤回即時生效。"""


def seed(apps, schema_editor):
    PrivacyNotice = apps.get_model("privacy", "PrivacyNotice")
    PrivacyNotice.objects.get_or_create(
        kind="collection",
        version="2026-11",
        defaults={
            "title_en": "Personal information collection statement",
            "title_zh_hant": "收集個人資料聲明",
            "body_en": COLLECTION_EN,
            "body_zh_hant": COLLECTION_ZH,
        },
    )
    PrivacyNotice.objects.get_or_create(
        kind="marketing",
        version="2026-11",
        defaults={
            "title_en": "Consent to news of events and programmes",
            "title_zh_hant": "同意接收活動及計劃消息",
            "body_en": MARKETING_EN,
            "body_zh_hant": MARKETING_ZH,
        },
    )


class Migration(migrations.Migration):
    dependencies = [("privacy", "0001_initial")]
    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
