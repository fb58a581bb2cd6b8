from django.utils.translation import get_language


def pick(en: str, zh_hant: str) -> str:
    """Choose between the English and Traditional Chinese value of a stored bilingual field."""
    return zh_hant if (get_language() or "en").lower().startswith("zh") and zh_hant else en
