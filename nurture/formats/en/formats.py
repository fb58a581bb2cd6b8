# Dates as the Lab writes them in English: 24 Oct 2026, 24 Oct 2026, 18:00.
DATE_FORMAT = "j M Y"
DATETIME_FORMAT = "j M Y, H:i"
SHORT_DATETIME_FORMAT = "j M H:i"
