from nurture.core.mail import render_bilingual

CONTEXT = {
    "startup_name": "Harbour Ledger",
    "cohort_name": "2031 Spring",
    "submitted_at": "2031-01-02 10:00",
    "closes_at": "2031-01-31 18:00",
    "link": "https://nurture.example/applications/1/",
}


def test_an_email_carries_english_and_traditional_chinese():
    subject, body = render_bilingual("applications/email/received", CONTEXT)
    english, chinese = subject.split(" | ")
    assert english == "Application received: Harbour Ledger, 2031 Spring"
    assert "Harbour Ledger" in chinese and chinese != english
    first, second = body.split("—" * 24)
    assert "received Harbour Ledger's application" in first
    assert any("\u4e00" <= ch <= "\u9fff" for ch in second)
    assert CONTEXT["link"] in first and CONTEXT["link"] in second


def test_the_deadline_reminder_is_bilingual_too():
    subject, body = render_bilingual("applications/email/deadline_reminder", CONTEXT)
    assert subject.startswith("Reminder: the 2031 Spring call closes on 2031-01-31 18:00 | ")
    assert any("\u4e00" <= ch <= "\u9fff" for ch in body)


def test_a_value_may_differ_between_the_two_halves():
    context = {**CONTEXT, "cohort_name": {"en": "2031 Spring", "zh-hant": "2031 春季期"}}
    subject, body = render_bilingual("applications/email/received", context)
    english, chinese = subject.split(" | ")
    assert "2031 Spring" in english and "2031 Spring" not in chinese
    assert "2031 春季期" in chinese
