"""The published reference rates (README, *Reference rates as data*; the series of
``law/rates.py``), as a RateTable for the law tests.

Test data only: the shipped history is Odoo data an accountant extends.
"""

from datetime import date

from odoo.addons.account_dunning.law.rates import RateTable

# ECB main refinancing operations rate, by the day a decision took effect.
ECB_MRO = [
    ("2016-03-16", "0.00"),
    ("2022-07-27", "0.50"),
    ("2022-09-14", "1.25"),
    ("2022-11-02", "2.00"),
    ("2022-12-21", "2.50"),
    ("2023-02-08", "3.00"),
    ("2023-03-22", "3.50"),
    ("2023-05-10", "3.75"),
    ("2023-06-21", "4.00"),
    ("2023-08-02", "4.25"),
    ("2023-09-20", "4.50"),
    ("2024-06-12", "4.25"),
    ("2024-09-18", "3.65"),
    ("2024-10-23", "3.40"),
    ("2024-12-18", "3.15"),
    ("2025-02-05", "2.90"),
    ("2025-03-12", "2.65"),
    ("2025-04-23", "2.40"),
    ("2025-06-11", "2.15"),
]

# French legal interest rate per half-year: (half-year, creditor is an individual, other cases).
# 2026 H2 is deliberately absent: it is not published yet.
FR_LEGAL = [
    ("2020 H1", "3.15", "0.87"),
    ("2020 H2", "3.11", "0.84"),
    ("2021 H1", "3.14", "0.79"),
    ("2021 H2", "3.12", "0.76"),
    ("2022 H1", "3.13", "0.76"),
    ("2022 H2", "3.15", "0.77"),
    ("2023 H1", "4.47", "2.06"),
    ("2023 H2", "6.82", "4.22"),
    ("2024 H1", "8.01", "5.07"),
    ("2024 H2", "8.16", "4.92"),
    ("2025 H1", "7.21", "3.71"),
    ("2025 H2", "6.65", "2.76"),
    ("2026 H1", "6.67", "2.62"),
]

# Belgian B2B late-payment rate per half-year: 8.0 from 2019 H1 to 2022 H2, then as published.
BE_LATE_PAYMENT = [(f"{year} H{half}", "8.0") for year in range(2019, 2023) for half in (1, 2)] + [
    ("2023 H1", "10.5"),
    ("2023 H2", "12.0"),
    ("2024 H1", "12.5"),
    ("2024 H2", "12.5"),
    ("2025 H1", "11.5"),
    ("2025 H2", "10.5"),
    ("2026 H1", "10.5"),
]


# Belgian legal interest rate per calendar year (law of 5 May 1865, art. 2 § 1: December average
# of the one-year EURIBOR rounded up to the quarter point, + 2 points), each year checked against a
# publication quoting the SPF Finances' notice. 2027 is absent: not published yet.
BE_LEGAL = [
    (2019, "2.00"),  # Moniteur belge 14 January 2019 (lexalert.be, schoups.com tables)
    (2020, "1.75"),  # Moniteur belge 27 January 2020 (financien.belgium.be, lexalert.be)
    # Unchanged: communicated 12 February 2021 (cairnlegal.be, bofimas.be). December 2020 EURIBOR
    # 1Y ~ -0.497 %, just above -0.50: rounded up to -0.25, + 2 = 1.75 (not 1.50).
    (2021, "1.75"),
    (2022, "1.50"),  # immospector.kluwer.be table of 31 January 2023; vjn-legal.be ("1.50 % in 2022")
    (2023, "5.25"),  # immospector.kluwer.be, 31 January 2023
    (2024, "5.75"),  # Moniteur belge 23 February 2024 (vjn-legal.be)
    (2025, "4.50"),  # Schoups via leuropeinfo.eu; lawbase.be table of December 2025
    (2026, "4.50"),  # Moniteur belge, unchanged from 2025 (embuild.be, "taux d'intérêt applicable en 2026")
]


def half_year_first_day(label):
    year, half = label.split()
    return date(int(year), 1 if half == "H1" else 7, 1)


def rate_entries():
    entries = [("ecb_mro", date.fromisoformat(day), rate) for day, rate in ECB_MRO]
    for label, individual, other in FR_LEGAL:
        entries.append(("fr_legal_individual", half_year_first_day(label), individual))
        entries.append(("fr_legal_other", half_year_first_day(label), other))
    entries.extend(("be_late_payment", half_year_first_day(label), rate) for label, rate in BE_LATE_PAYMENT)
    entries.extend(("be_legal", date(year, 1, 1), rate) for year, rate in BE_LEGAL)
    return entries


# legal-reference.md section 3: the rate of 2025-06-11 is "unchanged through at least 2026-02",
# so the ECB rate is confirmed for 2026 H1 (its first day included) and not for 2026 H2.
ECB_CONFIRMED_THROUGH = date(2026, 2, 28)


def rate_table():
    return RateTable(rate_entries(), ecb_confirmed_through=ECB_CONFIRMED_THROUGH)
