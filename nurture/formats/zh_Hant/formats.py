# Dates as written in Hong Kong Chinese: 2026年10月24日, 2026年10月24日 18:00.
DATE_FORMAT = "Y年n月j日"
DATETIME_FORMAT = "Y年n月j日 H:i"
SHORT_DATETIME_FORMAT = "n月j日 H:i"
