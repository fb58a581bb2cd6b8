# ruff: noqa: E501 - bilingual anchor texts read best one pair a line.
"""The default rubric: the five criteria of the HKAI Lab's selection, with anchored scales.

Plain data, used by the data migration that seeds existing programmes and by
`services.rubric_ensure` for programmes created later. Weights are relative; the screens
show them as shares of their sum.
"""

# (key, label, label_zh_hant, description, description_zh_hant, weight,
#  [(anchor en, anchor zh-Hant) for points 1..5])
DEFAULT_RUBRIC = [
    (
        "team",
        "Team",
        "團隊",
        "Can these founders build and sell this? Skills, commitment, technical depth of the team.",
        "創辦人能否做出並賣出這產品？技能、投入程度、團隊的技術深度。",
        "1.00",
        [
            (
                "Key skills missing; part-time or unclear commitment.",
                "缺乏關鍵技能；兼職或投入不明確。",
            ),
            (
                "Some relevant skills; large gaps in technology or business.",
                "具部分相關技能；技術或業務有明顯缺口。",
            ),
            ("Competent, committed team with a few gaps.", "團隊稱職投入，仍有少許缺口。"),
            (
                "Strong, complementary team with a record of delivery.",
                "團隊實力強、互補，有交付往績。",
            ),
            (
                "Exceptional team: proven builders with deep domain knowledge.",
                "出色團隊：經驗證的創業者，具深厚行業知識。",
            ),
        ],
    ),
    (
        "technology",
        "Technology and AI depth",
        "技術與人工智能深度",
        "Is AI central to the product, and is the technical approach sound and defensible?",
        "人工智能是否為產品核心？技術方案是否穩健並具競爭壁壘？",
        "1.00",
        [
            (
                "AI is decorative or the approach is not credible.",
                "人工智能只屬點綴，或方案不可信。",
            ),
            (
                "Off-the-shelf AI with little of the team's own work.",
                "主要使用現成人工智能，團隊自身貢獻少。",
            ),
            ("Sound use of AI with some original work.", "人工智能運用合理，具一定原創成分。"),
            (
                "Substantial original AI work with evidence it performs.",
                "大量原創人工智能工作，並有成效證據。",
            ),
            (
                "State-of-the-art, hard to copy, with strong results.",
                "達業界前沿，難以複製，成果突出。",
            ),
        ],
    ),
    (
        "market",
        "Market",
        "市場",
        "Is there a real, reachable market with customers who will pay?",
        "是否存在真實、可觸及並願意付費的市場？",
        "1.00",
        [
            ("No clear customer or need.", "沒有明確客戶或需求。"),
            (
                "A need exists but the market is small or hard to reach.",
                "需求存在，但市場細小或難以觸及。",
            ),
            ("A credible market and a plausible way to reach it.", "市場可信，觸及途徑合理。"),
            (
                "A large market with early traction (pilots, paying users).",
                "市場龐大，並已有初步成績（試點、付費用戶）。",
            ),
            ("A large, growing market with strong traction.", "市場龐大且增長，成績顯著。"),
        ],
    ),
    (
        "fit",
        "Fit with the Lab's resources",
        "與實驗室資源的配合",
        "Will the Lab's GPU compute, cloud credits, platforms and advisors make a difference?",
        "實驗室的GPU算力、雲端額度、平台及顧問能否帶來實質幫助？",
        "1.00",
        [
            ("The Lab's resources would hardly be used.", "幾乎不會使用實驗室資源。"),
            (
                "Some use of the resources; little difference to the outcome.",
                "會使用部分資源，但影響有限。",
            ),
            ("Good use of several resources.", "能善用多項資源。"),
            ("The resources clearly speed up the startup.", "資源明顯加快初創發展。"),
            (
                "An ideal fit: the programme is decisive for the startup.",
                "非常契合：計劃對初創起關鍵作用。",
            ),
        ],
    ),
    (
        "impact_hk",
        "Impact in Hong Kong",
        "對香港的影響",
        "Jobs, industries served, and benefit to Hong Kong's innovation ecosystem.",
        "就業、服務的行業，以及對香港創新生態的貢獻。",
        "1.00",
        [
            ("No particular benefit to Hong Kong.", "對香港沒有特別貢獻。"),
            ("Minor local benefit.", "對本地略有貢獻。"),
            (
                "Clear benefit to a Hong Kong industry or community.",
                "對香港某行業或社群有明確貢獻。",
            ),
            (
                "Significant: local jobs and adoption in key industries.",
                "貢獻顯著：創造本地就業並應用於重點行業。",
            ),
            (
                "Could shape a Hong Kong industry or become a regional leader.",
                "有望塑造香港某行業或成為區域領導者。",
            ),
        ],
    ),
]
