"""Reference rates by half-year (``law/rates.py``; README, *Statutory late penalties* and
*Reference rates as data*). Plain unit tests: no database. Every expected figure comes from
the published rates and hand arithmetic."""

from datetime import date
from decimal import Decimal

from odoo.tests import BaseCase, tagged

from odoo.addons.account_dunning.law import interest, rates, regimes
from odoo.addons.account_dunning.tests.law_rate_table import rate_entries, rate_table

D = Decimal


@tagged("post_install", "-at_install")
class TestHalfYears(BaseCase):
    def test_boundaries(self):
        self.assertEqual(rates.half_year_start(date(2025, 6, 30)), date(2025, 1, 1))
        self.assertEqual(rates.half_year_start(date(2025, 7, 1)), date(2025, 7, 1))
        self.assertEqual(rates.half_year_end(date(2025, 1, 1)), date(2025, 6, 30))
        self.assertEqual(rates.half_year_end(date(2025, 12, 31)), date(2025, 12, 31))
        self.assertEqual(rates.next_half_year_start(date(2025, 12, 31)), date(2026, 1, 1))

    def test_labels(self):
        self.assertEqual(rates.half_year_label(date(2025, 3, 31)), "2025 H1")
        self.assertEqual(rates.half_year_label(date(2026, 7, 1)), "2026 H2")
        self.assertEqual(rates.parse_half_year("2024 H2"), date(2024, 7, 1))
        with self.assertRaises(ValueError):
            rates.parse_half_year("2024 Q3")


@tagged("post_install", "-at_install")
class TestRateTable(BaseCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.table = rate_table()

    def test_ecb_rate_by_effective_date(self):
        self.assertEqual(self.table.ecb_rate_on(date(2022, 7, 26)), D("0.00"))
        self.assertEqual(self.table.ecb_rate_on(date(2022, 7, 27)), D("0.50"))
        self.assertEqual(self.table.ecb_rate_on(date(2025, 6, 11)), D("2.15"))
        with self.assertRaises(rates.MissingRateError) as caught:
            self.table.ecb_rate_on(date(2016, 3, 15))
        self.assertEqual((caught.exception.rate_type, caught.exception.period), ("ecb_mro", "2016 H1"))

    def test_ecb_reference_rate_is_the_one_of_1_january_or_1_july(self):
        # The hike of 2022-07-27 (0.50) came after 1 July: 2022 H2 keeps 0.00; 2023 H1
        # takes the rate in force on 1 January 2023, 2.50 (decision of 2022-12-21).
        self.assertEqual(self.table.ecb_reference_rate(date(2022, 12, 31)), D("0.00"))
        self.assertEqual(self.table.ecb_reference_rate(date(2023, 6, 30)), D("2.50"))

    def test_fr_default_rate_2022_07_15(self):
        # Reference case: ECB on 1 July 2022 = 0.00 (since 2016-03-16) → 0.00 + 10 = 10.00 %.
        self.assertEqual(self.table.fr_b2b_default_rate(date(2022, 7, 15)), D("10.00"))

    def test_fr_default_rate_2023_07_10(self):
        # Reference case: ECB on 1 July 2023 = 4.00 (since 2023-06-21) → 14.00 %.
        self.assertEqual(self.table.fr_b2b_default_rate(date(2023, 7, 10)), D("14.00"))

    def test_fr_default_rates_2024_and_2025(self):
        # 1 Jan 2024: 4.50 (2023-09-20); 1 Jul 2024: 4.25 (2024-06-12);
        # 1 Jan 2025: 3.15 (2024-12-18); 1 Jul 2025: 2.15 (2025-06-11). Each + 10.
        self.assertEqual(self.table.fr_b2b_default_rate(date(2024, 2, 29)), D("14.50"))
        self.assertEqual(self.table.fr_b2b_default_rate(date(2024, 12, 31)), D("14.25"))
        self.assertEqual(self.table.fr_b2b_default_rate(date(2025, 6, 15)), D("13.15"))
        self.assertEqual(self.table.fr_b2b_default_rate(date(2025, 7, 1)), D("12.15"))

    def test_eu_default_rate_is_ecb_reference_plus_8(self):
        # 2025 H2: 2.15 + 8 = 10.15; 2023 H1: 2.50 + 8 = 10.50.
        self.assertEqual(self.table.eu_b2b_default_rate(date(2025, 9, 1)), D("10.15"))
        self.assertEqual(self.table.eu_b2b_default_rate(date(2023, 1, 1)), D("10.50"))

    def test_fr_legal_rate_columns(self):
        self.assertEqual(self.table.fr_legal_rate(date(2025, 9, 1)), D("2.76"))
        self.assertEqual(self.table.fr_legal_rate(date(2025, 9, 1), creditor_individual=True), D("6.65"))
        self.assertEqual(self.table.fr_legal_rate(date(2024, 1, 1)), D("5.07"))

    def test_be_rate_2024_h2(self):
        # Reference case: BE B2B rate for 2024 H2 = 12.5 %.
        self.assertEqual(self.table.be_late_payment_rate(date(2024, 10, 15)), D("12.5"))
        self.assertEqual(self.table.be_late_payment_rate(date(2019, 1, 1)), D("8.0"))
        self.assertEqual(self.table.be_late_payment_rate(date(2023, 7, 1)), D("12.0"))

    def test_missing_fr_legal_rate_2026_h2_is_never_replaced_by_2026_h1(self):
        for creditor_individual in (False, True):
            with self.assertRaises(rates.MissingRateError) as caught:
                self.table.fr_legal_rate(date(2026, 7, 1), creditor_individual=creditor_individual)
            self.assertEqual(caught.exception.period, "2026 H2")
        self.assertEqual(caught.exception.rate_type, "fr_legal_individual")
        self.assertIn("2026 H2", str(caught.exception))
        with self.assertRaises(rates.MissingRateError) as caught:
            self.table.fr_contractual_floor(date(2026, 12, 31))
        self.assertEqual((caught.exception.rate_type, caught.exception.period), ("fr_legal_other", "2026 H2"))
        self.assertEqual(str(caught.exception), "No French legal interest rate (other cases) is known for 2026 H2.")

    def test_missing_be_rate_2026_h2(self):
        with self.assertRaises(rates.MissingRateError) as caught:
            self.table.be_late_payment_rate(date(2026, 8, 1))
        self.assertEqual((caught.exception.rate_type, caught.exception.period), ("be_late_payment", "2026 H2"))

    def test_half_year_rate_must_be_dated_on_its_first_day(self):
        table = rates.RateTable([("fr_legal_other", date(2026, 7, 2), "2.50")])
        with self.assertRaises(rates.MissingRateError):
            table.fr_legal_rate(date(2026, 9, 1))

    def test_rates_become_decimals(self):
        table = rates.RateTable(
            [("ecb_mro", date(2025, 1, 1), 2.15), ("ecb_mro", date(2025, 7, 1), 2)],
            ecb_confirmed_through=date(2025, 8, 1),
        )
        self.assertEqual(table.ecb_rate_on(date(2025, 3, 1)), D("2.15"))
        self.assertIsInstance(table.ecb_rate_on(date(2025, 8, 1)), Decimal)
        # 2.15 + 10 without binary noise: the float went through its repr.
        self.assertEqual(table.fr_b2b_default_rate(date(2025, 3, 1)), D("12.15"))


@tagged("post_install", "-at_install")
class TestEcbRateConfirmed(BaseCase):
    """Issue 16 item 4: the ECB rate is carried into a half-year only once the rate in force on
    its first day is known (an entry dated on or after it, or a fetch that covered it)."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        # The shipped history alone: its latest ECB entry is the decision of 2025-06-11, nothing
        # says what was in force on 2025-07-01.
        cls.unconfirmed = rates.RateTable(rate_entries())
        cls.fetched = rates.RateTable(rate_entries(), ecb_confirmed_through=date(2025, 7, 1))
        cls.entered = rates.RateTable([*rate_entries(), ("ecb_mro", date(2025, 7, 1), "2.15")])

    def penalties(self, regime, table, due, on, principal="1200", **extra):
        return regimes.compute_line_penalties(
            regime, principal=D(principal), reductions=[], due_date=due, on_date=on, table=table, **extra
        )

    def test_confirmed_through_the_latest_entry_or_a_later_day(self):
        self.assertEqual(self.unconfirmed.ecb_confirmed_through, date(2025, 6, 11))
        self.assertEqual(self.fetched.ecb_confirmed_through, date(2025, 7, 1))
        self.assertEqual(self.entered.ecb_confirmed_through, date(2025, 7, 1))
        # A fetch that covered an earlier day than the latest entry takes nothing away.
        self.assertEqual(
            rates.RateTable(rate_entries(), ecb_confirmed_through=date(2024, 1, 1)).ecb_confirmed_through,
            date(2025, 6, 11),
        )
        self.assertEqual(rates.RateTable([]).ecb_confirmed_through, date.min)

    def test_no_rate_beyond_the_day_it_is_confirmed_through(self):
        self.assertEqual(self.unconfirmed.ecb_rate_on(date(2025, 6, 11)), D("2.15"))
        with self.assertRaises(rates.MissingRateError) as caught:
            self.unconfirmed.ecb_rate_on(date(2025, 6, 12))
        self.assertEqual((caught.exception.rate_type, caught.exception.period), ("ecb_mro", "2025 H1"))

    def test_a_half_year_whose_first_day_is_not_confirmed_has_no_rate(self):
        # 2025 H1 takes the rate of 2025-01-01 (3.15, decision of 2024-12-18): 3.15 + 10 = 13.15.
        self.assertEqual(self.unconfirmed.fr_b2b_default_rate(date(2025, 6, 30)), D("13.15"))
        for rate_of in (
            self.unconfirmed.ecb_reference_rate,
            self.unconfirmed.fr_b2b_default_rate,
            self.unconfirmed.eu_b2b_default_rate,
            self.unconfirmed.fr_public_rate,
        ):
            with self.subTest(rate_of=rate_of.__name__), self.assertRaises(rates.MissingRateError) as caught:
                rate_of(date(2025, 12, 31))
            self.assertEqual((caught.exception.rate_type, caught.exception.period), ("ecb_mro", "2025 H2"))
            self.assertEqual(str(caught.exception), "No ECB main refinancing rate is known for 2025 H2.")

    def test_a_fetch_or_an_entry_dated_the_first_day_confirms_it(self):
        # 2025 H2: ECB in force on 2025-07-01 = 2.15 (decision of 2025-06-11): 12.15 (+10), 10.15 (+8).
        for table in (self.fetched, self.entered):
            self.assertEqual(table.fr_b2b_default_rate(date(2025, 12, 31)), D("12.15"))
            self.assertEqual(table.eu_b2b_default_rate(date(2025, 7, 1)), D("10.15"))
            self.assertEqual(table.fr_public_rate(date(2025, 7, 1)), D("10.15"))

    def test_french_b2b_interest_across_an_unconfirmed_1_july(self):
        due, on = date(2025, 6, 15), date(2025, 7, 10)
        # The days of 2025 H1 need no rate of 2025 H2: 06-16..06-30 = 15 days at 13.15 %:
        # 1,200 x 13.15 x 15 / 36,500 = 236,700 / 36,500 = 6.4849... -> 6.48
        result = self.penalties("fr_b2b", self.unconfirmed, due, date(2025, 6, 30))
        self.assertEqual(interest.round_money(result.interest), D("6.48"))
        for regime in ("fr_b2b", "eu_b2b"):
            with self.subTest(regime=regime), self.assertRaises(rates.MissingRateError) as caught:
                self.penalties(regime, self.unconfirmed, due, on)
            self.assertEqual(caught.exception.period, "2025 H2")
        # Confirmed: + 07-01..07-10 = 10 days at 12.15 %: 1,200 x 12.15 x 10 / 36,500 = 145,800 / 36,500
        # = 3.9945...; 6.4849... + 3.9945... = 10.4794... -> 10.48
        for table in (self.fetched, self.entered):
            self.assertEqual(interest.round_money(self.penalties("fr_b2b", table, due, on).interest), D("10.48"))

    def test_public_buyer_rate_is_fixed_by_the_half_year_interest_started_in(self):
        # R2192-31: interest from 2025-06-20 (2025 H1) takes 3.15 + 8 = 11.15 % for the whole delay,
        # days of 2025 H2 included: no rate of 2025 H2 is needed. 06-20..08-04 = 11 + 31 + 4 = 46 days:
        # 12,000 x 11.15 x 46 / 36,500 = 6,154,800 / 36,500 = 168.6246... -> 168.62
        result = self.penalties("fr_public", self.unconfirmed, date(2025, 6, 19), date(2025, 8, 4), "12000")
        self.assertEqual(interest.round_money(result.interest), D("168.62"))
        # Interest starting on 2025-07-01 needs the rate of that day.
        with self.assertRaises(rates.MissingRateError) as caught:
            self.penalties("fr_public", self.unconfirmed, date(2025, 6, 30), date(2025, 7, 10))
        self.assertEqual(caught.exception.period, "2025 H2")

    def test_rates_not_based_on_the_ecb_are_not_held(self):
        due, on = date(2025, 6, 30), date(2025, 7, 30)
        # French contractual 9 % in 2025 H2: floor 3 x 2.76 = 8.28, so 9 % applies; 07-01..07-30 = 30 days:
        # 1,000 x 9 x 30 / 36,500 = 270,000 / 36,500 = 7.3972... -> 7.40
        result = self.penalties("fr_b2b", self.unconfirmed, due, on, "1000", contractual_rate=D(9))
        self.assertEqual(interest.round_money(result.interest), D("7.40"))
        # Belgian published rate 2025 H2 = 10.5 %: 1,000 x 10.5 x 30 / 36,500 = 315,000 / 36,500 = 8.6301... -> 8.63
        result = self.penalties("be_b2b", self.unconfirmed, due, on, "1000")
        self.assertEqual(interest.round_money(result.interest), D("8.63"))


@tagged("post_install", "-at_install")
class TestFrContractualFloor(BaseCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.table = rate_table()

    def test_floor_is_three_times_the_legal_rate_other_cases(self):
        # 2024 H1: 3 x 5.07 = 15.21; 2024 H2: 3 x 4.92 = 14.76; 2025 H2: 3 x 2.76 = 8.28.
        self.assertEqual(self.table.fr_contractual_floor(date(2024, 3, 1)), D("15.21"))
        self.assertEqual(self.table.fr_contractual_floor(date(2024, 9, 1)), D("14.76"))
        self.assertEqual(self.table.fr_contractual_floor(date(2025, 9, 1)), D("8.28"))

    def test_14_50_refused_in_2024_h2(self):
        # Reference case: 14.50 < 14.76.
        violations = rates.check_fr_contractual_rate(D("14.50"), [date(2024, 9, 1)], self.table)
        self.assertEqual(violations, [("2024 H2", D("14.76"))])

    def test_9_accepted_in_2025_h2(self):
        # Reference case: 9 ≥ 8.28.
        self.assertEqual(rates.check_fr_contractual_rate(D("9"), [date(2025, 7, 1)], self.table), [])

    def test_2024_floor_above_the_default_rate(self):
        # Floors 15.21 (H1) and 14.76 (H2) are above the default rates 14.50 and 14.25: a
        # contractual rate equal to the default rate is unlawful, the default rate itself is not.
        h1, h2 = date(2024, 1, 1), date(2024, 7, 1)
        self.assertGreater(self.table.fr_contractual_floor(h1), self.table.fr_b2b_default_rate(h1))
        self.assertGreater(self.table.fr_contractual_floor(h2), self.table.fr_b2b_default_rate(h2))
        self.assertEqual(self.table.fr_b2b_default_rate(h1), D("14.50"))
        self.assertEqual(self.table.fr_b2b_default_rate(h2), D("14.25"))
        self.assertEqual(
            rates.check_fr_contractual_rate(D("14.50"), [h1, h2], self.table),
            [("2024 H1", D("15.21")), ("2024 H2", D("14.76"))],
        )
        # 15 % passes 2024 H2 (≥ 14.76) but not 2024 H1 (< 15.21).
        self.assertEqual(
            rates.check_fr_contractual_rate("15", ["2024 H2", "2024 H1"], self.table), [("2024 H1", D("15.21"))]
        )

    def test_rate_equal_to_the_floor_is_lawful(self):
        self.assertEqual(rates.check_fr_contractual_rate(D("15.21"), ["2024 H1"], self.table), [])

    def test_each_half_year_is_checked_once(self):
        days = [date(2024, 7, 1), date(2024, 8, 15), date(2024, 12, 31)]
        self.assertEqual(rates.check_fr_contractual_rate(D("10"), days, self.table), [("2024 H2", D("14.76"))])

    def test_unknown_half_year_cannot_be_declared_lawful(self):
        with self.assertRaises(rates.MissingRateError) as caught:
            rates.check_fr_contractual_rate(D("20"), [date(2026, 3, 1), date(2026, 9, 1)], self.table)
        self.assertEqual(caught.exception.period, "2026 H2")
