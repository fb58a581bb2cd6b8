"""The default tranches, given to a programme that has none when its first schedule is drawn.

The same as the data migration seeds for the HKAI Lab programme (a migration keeps its own
frozen copy).
"""

from decimal import Decimal

from django.utils.translation import gettext_noop

DEFAULT_TRANCHES = [
    # (percent, months after start, label, label_zh_hant, milestone, milestone_zh_hant)
    (
        Decimal("40"),
        0,
        gettext_noop("On joining"),
        "加入時",
        "The startup has confirmed its place and signed the funding agreement.",
        "初創企業已確認名額並簽署資助協議。",
    ),
    (
        Decimal("30"),
        3,
        gettext_noop("Month 3"),
        "第 3 個月",
        "A working prototype shown to the advisory board, with the first users' feedback.",
        "向顧問委員會展示可運作的原型，並附首批用戶的意見。",
    ),
    (
        Decimal("30"),
        6,
        gettext_noop("Month 6"),
        "第 6 個月",
        "The programme completed: demo day pitch and the final progress report.",
        "完成計劃：示範日路演及最終進度報告。",
    ),
]
