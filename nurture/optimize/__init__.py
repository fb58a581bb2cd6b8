"""The optimisation core: plain arrays and dataclasses in, plain results out.

Pure Python with NumPy, SciPy, OR-Tools and scikit-learn; nothing here imports Django, so every
module is testable and benchmarkable without a database. The Django services translate
between models and these functions.

- `affinity`: how well each reviewer suits each application (text, sectors, bids), with reasons.
- `assignment`: reviewers to applications by min-cost flow, a fairness mode, an LP bound, and
  explanations when no assignment exists.
- `calibration`: reviewer leniency and scale from the review graph, calibrated merit, disagreement.
- `selection`: the cohort as an exact integer programme, explanations, bootstrap robustness.
"""
