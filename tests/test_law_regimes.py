"""Interest over an amount timeline and the penalty regimes (``law/interest.py`` and
``law/regimes.py``; README, *Penalty regimes* and *Statutory late penalties*). Plain unit tests:
no database.

Expected figures are worked by hand from the law: interest = base x rate x days / 36,500
(rate in percent, 365-day year), rounded half up to the cent at the end.
"""

from datetime import date
from decimal import Decimal

from odoo.tests import BaseCase, tagged

from odoo.addons.account_dunning.law import be_consumer, interest, rates, regimes
from odoo.addons.account_dunning.tests.law_rate_table import rate_table

D = Decimal


def constant_rate(rate):
    return lambda _day: D(rate)


@tagged("post_install", "-at_install")
class TestInterestTimeline(BaseCase):
    def test_no_segment_without_a_day_of_delay(self):
        self.assertEqual(
            interest.interest_segments(D(1000), [], date(2025, 3, 31), date(2025, 3, 31), constant_rate(10)), []
        )
        self.assertEqual(
            interest.interest_segments(D(1000), [], date(2025, 4, 1), date(2025, 3, 31), constant_rate(10)), []
        )

    def test_payment_day_bears_interest(self):
        # Paid in full on 04-05: interest for 04-01..04-05, 5 days, nothing after.
        segments = interest.interest_segments(
            D(1000), [(date(2025, 4, 5), D(1000))], date(2025, 3, 31), date(2025, 4, 30), constant_rate(10)
        )
        self.assertEqual(
            [(s.date_from, s.date_to, s.days) for s in segments], [(date(2025, 4, 1), date(2025, 4, 5), 5)]
        )

    def test_reductions_of_one_day_add_up(self):
        segments = interest.interest_segments(
            D(1000),
            [(date(2025, 4, 10), D(300)), (date(2025, 4, 10), D(300))],
            date(2025, 3, 31),
            date(2025, 4, 20),
            constant_rate(10),
        )
        self.assertEqual([(s.days, s.base) for s in segments], [(10, D(1000)), (10, D(400))])

    def test_reduction_after_the_end_is_ignored(self):
        segments = interest.interest_segments(
            D(1000), [(date(2025, 4, 10), D(1000))], date(2025, 3, 31), date(2025, 4, 10), constant_rate(10)
        )
        self.assertEqual([(s.days, s.base) for s in segments], [(10, D(1000))])

    def test_nothing_due_means_no_segment_and_no_rate_needed(self):
        def no_rate(day):
            raise rates.MissingRateError("ecb_mro", rates.half_year_label(day))

        paid_before = [(date(2025, 1, 5), D(1000))]
        self.assertEqual(
            interest.interest_segments(D(1000), paid_before, date(2025, 1, 10), date(2025, 9, 1), no_rate), []
        )
        overpaid = [(date(2025, 1, 5), D(1200))]
        self.assertEqual(
            interest.interest_segments(D(1000), overpaid, date(2025, 1, 10), date(2025, 9, 1), no_rate), []
        )

    def test_cut_at_every_half_year(self):
        # 06-16..06-30 = 15 days; July to December = 31+31+30+31+30+31 = 184; 01-01..01-10 = 10.
        asked = []

        def rate_of_day(day):
            asked.append(day)
            return D(10)

        segments = interest.interest_segments(D(100), [], date(2024, 6, 15), date(2025, 1, 10), rate_of_day)
        self.assertEqual(
            [(s.date_from, s.date_to, s.days) for s in segments],
            [
                (date(2024, 6, 16), date(2024, 6, 30), 15),
                (date(2024, 7, 1), date(2024, 12, 31), 184),
                (date(2025, 1, 1), date(2025, 1, 10), 10),
            ],
        )
        self.assertEqual(asked, [date(2024, 6, 16), date(2024, 7, 1), date(2025, 1, 1)])

    def test_amounts_are_not_rounded(self):
        # 1,000 x 13.15 x 1 / 36,500 = 0.360273972...
        [segment] = interest.interest_segments(D(1000), [], date(2025, 3, 31), date(2025, 4, 1), constant_rate("13.15"))
        self.assertEqual(segment.amount, D(13150) / D(36500))
        self.assertEqual(interest.total_interest([segment]), segment.amount)
        self.assertEqual(interest.round_money(segment.amount), D("0.36"))
        self.assertEqual(interest.total_interest([]), D(0))

    def test_round_money_half_up(self):
        self.assertEqual(interest.round_money(D("0.005")), D("0.01"))
        self.assertEqual(interest.round_money(D("2.345")), D("2.35"))
        self.assertEqual(interest.round_money(D("2.344999")), D("2.34"))
        self.assertEqual(interest.round_money(D("2.5"), digits=0), D(3))
        self.assertEqual(interest.round_money(D("1.2345"), digits=3), D("1.235"))
        self.assertEqual(interest.round_money(0.125), D("0.13"))


@tagged("post_install", "-at_install")
class RegimeCase(BaseCase):
    regime = None

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.table = rate_table()

    def penalties(self, principal, due_date, on_date, reductions=(), **options):
        return regimes.compute_line_penalties(
            self.regime,
            principal=D(principal),
            reductions=[(day, D(amount)) for day, amount in reductions],
            due_date=due_date,
            on_date=on_date,
            table=self.table,
            **options,
        )

    def assertInterest(self, result, expected):
        self.assertEqual(interest.round_money(result.interest), D(expected))


class TestFrB2B(RegimeCase):
    regime = "fr_b2b"

    def test_contractual_rate_under_the_floor_gives_way_to_the_floor(self):
        # Contractual 14.50 % but 2024 H2 floor = 3 x 4.92 = 14.76 %: 08-01..08-30 = 30 days at 14.76 %
        # 1,000 x 14.76 x 30 / 36,500 = 442,800 / 36,500 = 12.1315... -> 12.13
        result = self.penalties(
            1000, date(2024, 7, 31), date(2024, 9, 30), [(date(2024, 8, 30), 1000)], contractual_rate=D("14.50")
        )
        self.assertEqual([s.rate for s in result.segments], [D("14.76")])
        self.assertInterest(result, "12.13")

    def test_worked_example_1200_due_03_31_paid_06_15(self):
        # 04-01..06-15 = 30 + 31 + 15 = 76 days at 3.15 + 10 = 13.15 % (ECB on 1 Jan 2025);
        # 1,200 x 13.15 x 76 / 36,500 = 1,199,280 / 36,500 = 32.8569... → 32.86; plus EUR 40.
        result = self.penalties(1200, date(2025, 3, 31), date(2025, 6, 30), [(date(2025, 6, 15), 1200)])
        self.assertEqual(
            [(s.date_from, s.date_to, s.days, s.rate) for s in result.segments],
            [(date(2025, 4, 1), date(2025, 6, 15), 76, D("13.15"))],
        )
        self.assertInterest(result, "32.86")
        self.assertTrue(result.late)
        self.assertEqual(result.claimable_from, date(2025, 4, 1))
        self.assertEqual(regimes.fixed_indemnity("fr_b2b"), D(40))

    def test_paid_on_the_due_date_owes_nothing(self):
        result = self.penalties(1200, date(2025, 3, 31), date(2025, 6, 30), [(date(2025, 3, 31), 1200)])
        self.assertFalse(result.late)
        self.assertEqual((result.segments, result.interest), ((), D(0)))

    def test_not_yet_due_owes_nothing(self):
        result = self.penalties(1200, date(2025, 3, 31), date(2025, 3, 31))
        self.assertFalse(result.late)
        self.assertEqual(result.interest, D(0))

    def test_one_day_late(self):
        # 1 day at 13.15 %: 1,000 x 13.15 / 36,500 = 0.3602... → 0.36; plus EUR 40.
        result = self.penalties(1000, date(2025, 3, 31), date(2025, 4, 30), [(date(2025, 4, 1), 1000)])
        self.assertInterest(result, "0.36")
        self.assertTrue(result.late)
        self.assertEqual(regimes.fixed_indemnity("fr_b2b"), D(40))

    def test_2400_due_2023_12_31_paid_2024_01_30(self):
        # 30 days in 2024 H1 at 4.50 + 10 = 14.50 % (the default rate, below the 15.21 % floor of
        # contractual rates and lawful all the same): 2,400 x 14.5 x 30 / 36,500 = 28.6027... → 28.60.
        result = self.penalties(2400, date(2023, 12, 31), date(2024, 1, 30), [(date(2024, 1, 30), 2400)])
        self.assertEqual([(s.days, s.rate) for s in result.segments], [(30, D("14.50"))])
        self.assertInterest(result, "28.60")

    def test_unpaid_runs_to_the_computation_date(self):
        # 04-01..04-30 = 30 days: 1,200 x 13.15 x 30 / 36,500 = 473,400 / 36,500 = 12.969... → 12.97.
        self.assertInterest(self.penalties(1200, date(2025, 3, 31), date(2025, 4, 30)), "12.97")

    def test_partial_payments_mid_period(self):
        # 1,000 due 03-31; 400 paid 04-10, 600 paid 04-30.
        # 04-01..04-10: 10 days on 1,000 = 131,500 / 36,500 = 3.6027...
        # 04-11..04-30: 20 days on 600 = 157,800 / 36,500 = 4.3232...
        # total 289,300 / 36,500 = 7.9260... → 7.93
        result = self.penalties(
            1000, date(2025, 3, 31), date(2025, 5, 31), [(date(2025, 4, 10), 400), (date(2025, 4, 30), 600)]
        )
        self.assertEqual(
            [(s.date_from, s.date_to, s.days, s.base) for s in result.segments],
            [(date(2025, 4, 1), date(2025, 4, 10), 10, D(1000)), (date(2025, 4, 11), date(2025, 4, 30), 20, D(600))],
        )
        self.assertInterest(result, "7.93")

    def test_partial_payment_before_due_date_still_late(self):
        # 400 paid on time, 600 on 04-10: 10 days on 600 = 78,900 / 36,500 = 2.1616... → 2.16.
        # The line is late all the same: the EUR 40 is owed in full.
        result = self.penalties(
            1000, date(2025, 3, 31), date(2025, 4, 30), [(date(2025, 3, 20), 400), (date(2025, 4, 10), 600)]
        )
        self.assertTrue(result.late)
        self.assertInterest(result, "2.16")

    def test_delay_across_1_july(self):
        # 10,000 due 2025-06-20, paid 2025-07-10.
        # 06-21..06-30: 10 days at 3.15 + 10 = 13.15 % → 1,315,000 / 36,500 = 36.027...
        # 07-01..07-10: 10 days at 2.15 + 10 = 12.15 % → 1,215,000 / 36,500 = 33.287...
        # total 2,530,000 / 36,500 = 69.315... → 69.32
        result = self.penalties(10000, date(2025, 6, 20), date(2025, 7, 31), [(date(2025, 7, 10), 10000)])
        self.assertEqual(
            [(s.date_from, s.date_to, s.rate) for s in result.segments],
            [(date(2025, 6, 21), date(2025, 6, 30), D("13.15")), (date(2025, 7, 1), date(2025, 7, 10), D("12.15"))],
        )
        self.assertInterest(result, "69.32")

    def test_leap_year_february_uses_365(self):
        # 3,650 due 2024-01-31, paid 2024-03-01: 29 February days + 1 March day = 30 days at
        # 14.50 %: 3,650 x 14.5 x 30 / 36,500 = 43.50 exactly (a 366-day year would give 43.38).
        result = self.penalties(3650, date(2024, 1, 31), date(2024, 3, 31), [(date(2024, 3, 1), 3650)])
        self.assertEqual(result.segments[0].days, 30)
        self.assertEqual(result.interest, D("43.5"))

    def test_contractual_9_percent_in_2025_h2(self):
        # 9 % ≥ floor 8.28 %: used for every day. 30 days on 1,000: 270,000 / 36,500 = 7.397... → 7.40.
        result = self.penalties(
            1000, date(2025, 7, 31), date(2025, 8, 30), [(date(2025, 8, 30), 1000)], contractual_rate=D(9)
        )
        self.assertEqual({s.rate for s in result.segments}, {D(9)})
        self.assertInterest(result, "7.40")

    def test_installments_one_indemnity_per_invoice(self):
        # Two lines of 1,000 due 03-31 and 04-30, both paid 05-10.
        # 04-01..05-10 = 40 days → 526,000 / 36,500 = 14.410...; 05-01..05-10 = 10 days → 131,500 / 36,500 = 3.602...
        # total 657,500 / 36,500 = 18.013... → 18.01, and a single EUR 40 for the invoice.
        paid = [(date(2025, 5, 10), 1000)]
        lines = [self.penalties(1000, due, date(2025, 5, 31), paid) for due in (date(2025, 3, 31), date(2025, 4, 30))]
        self.assertEqual(interest.round_money(sum(line.interest for line in lines)), D("18.01"))
        late_invoice = any(line.late for line in lines)
        self.assertEqual(regimes.fixed_indemnity("fr_b2b") if late_invoice else D(0), D(40))


class TestFrB2C(RegimeCase):
    regime = "fr_b2c"

    def test_no_indemnity_no_fee_no_interest_without_formal_notice(self):
        result = self.penalties(5000, date(2025, 1, 31), date(2025, 12, 31))
        self.assertTrue(result.late)
        self.assertEqual((result.segments, result.interest, result.claimable_from), ((), D(0), None))
        self.assertEqual(regimes.fixed_indemnity("fr_b2c"), D(0))
        self.assertFalse(regimes.REGIMES["fr_b2c"].allows_fees)

    def test_500_formal_notice_09_01_paid_10_31(self):
        # Nothing up to the notice; 09-02..10-31 = 29 + 31 = 60 days at 2.76 % (2025 H2, other
        # cases): 500 x 2.76 x 60 / 36,500 = 82,800 / 36,500 = 2.2684... → 2.27.
        paid = [(date(2025, 10, 31), 500)]
        notice = date(2025, 9, 1)
        on_notice_day = self.penalties(500, date(2025, 7, 31), notice, paid, formal_notice_date=notice)
        self.assertEqual(on_notice_day.interest, D(0))
        result = self.penalties(500, date(2025, 7, 31), date(2025, 11, 15), paid, formal_notice_date=notice)
        self.assertEqual([(s.date_from, s.days, s.rate) for s in result.segments], [(date(2025, 9, 2), 60, D("2.76"))])
        self.assertInterest(result, "2.27")
        self.assertEqual(result.claimable_from, date(2025, 9, 2))

    def test_individual_creditor_column(self):
        # 500 x 6.65 x 60 / 36,500 = 199,500 / 36,500 = 5.4657... → 5.47.
        result = self.penalties(
            500,
            date(2025, 7, 31),
            date(2025, 11, 15),
            [(date(2025, 10, 31), 500)],
            formal_notice_date=date(2025, 9, 1),
            creditor_individual=True,
        )
        self.assertInterest(result, "5.47")

    def test_legal_rate_changes_on_1_july(self):
        # 06-21..06-30 at 3.71 → 37,100 / 36,500; 07-01..07-10 at 2.76 → 27,600 / 36,500;
        # total 64,700 / 36,500 = 1.7726... → 1.77.
        result = self.penalties(1000, date(2025, 5, 31), date(2025, 7, 10), formal_notice_date=date(2025, 6, 20))
        self.assertEqual([s.rate for s in result.segments], [D("3.71"), D("2.76")])
        self.assertInterest(result, "1.77")

    def test_contractual_rate_is_not_applied(self):
        result = self.penalties(
            500,
            date(2025, 7, 31),
            date(2025, 11, 15),
            [(date(2025, 10, 31), 500)],
            formal_notice_date=date(2025, 9, 1),
            contractual_rate=D(20),
        )
        self.assertInterest(result, "2.27")
        self.assertFalse(regimes.REGIMES["fr_b2c"].accepts_contractual_rate)

    def test_formal_notice_before_the_due_date_has_no_effect(self):
        result = self.penalties(500, date(2025, 7, 31), date(2025, 9, 30), formal_notice_date=date(2025, 7, 31))
        self.assertEqual((result.interest, result.claimable_from), (D(0), None))

    def test_missing_legal_rate_2026_h2_is_loud(self):
        with self.assertRaises(rates.MissingRateError) as caught:
            self.penalties(500, date(2026, 5, 31), date(2026, 7, 15), formal_notice_date=date(2026, 6, 20))
        self.assertEqual((caught.exception.rate_type, caught.exception.period), ("fr_legal_other", "2026 H2"))


class TestBeB2B(RegimeCase):
    regime = "be_b2b"

    def test_published_rate_2024_h2(self):
        # 10-01..10-30 = 30 days at 12.5 %: 1,000 x 12.5 x 30 / 36,500 = 375,000 / 36,500 = 10.2739... → 10.27.
        result = self.penalties(1000, date(2024, 9, 30), date(2024, 10, 31), [(date(2024, 10, 30), 1000)])
        self.assertEqual([(s.days, s.rate) for s in result.segments], [(30, D("12.5"))])
        self.assertInterest(result, "10.27")
        self.assertEqual(regimes.fixed_indemnity("be_b2b"), D(40))

    def test_missing_rate_2026_h2(self):
        with self.assertRaises(rates.MissingRateError) as caught:
            self.penalties(1000, date(2026, 6, 30), date(2026, 7, 5))
        self.assertEqual((caught.exception.rate_type, caught.exception.period), ("be_late_payment", "2026 H2"))


class TestBeB2C(RegimeCase):
    """Terms stipulating interest (Book XIX allows it only then): the maximum clause, or the
    clause's own rate when one is given. Without a clause: test_law_be_consumer.py."""

    regime = "be_b2c"

    def penalties(self, principal, due_date, on_date, reductions=(), **options):
        options.setdefault("consumer_clause", "custom" if "contractual_rate" in options else "legal_maximum")
        return super().penalties(principal, due_date, on_date, reductions, **options)

    def test_reminder_emailed_monday_2025_10_06(self):
        # The 14 days run 10-07..10-20: nothing claimable before 10-21. On 10-21, one day at
        # 10.5 % (2025 H2): 1,000 x 10.5 / 36,500 = 0.2876... → 0.29.
        reminder = date(2025, 10, 6)
        self.assertEqual(reminder.weekday(), 0)
        options = {"free_reminder_date": reminder, "free_reminder_channel": "email"}
        before = self.penalties(1000, date(2025, 9, 30), date(2025, 10, 20), **options)
        self.assertEqual((before.interest, before.claimable_from), (D(0), date(2025, 10, 21)))
        after = self.penalties(1000, date(2025, 9, 30), date(2025, 10, 21), **options)
        self.assertEqual([(s.date_from, s.days) for s in after.segments], [(date(2025, 10, 21), 1)])
        self.assertInterest(after, "0.29")

    def test_reminder_posted_thursday_across_the_weekend(self):
        # Posted Thu 10-09: working days Fri 10-10, Mon 10-13, Tue 10-14 → the 14 days run
        # 10-14..10-27, claimable from 10-28. On 11-06: 4 + 6 = 10 days at 10.5 %:
        # 105,000 / 36,500 = 2.8767... → 2.88.
        reminder = date(2025, 10, 9)
        self.assertEqual(reminder.weekday(), 3)
        options = {"free_reminder_date": reminder, "free_reminder_channel": "letter"}
        before = self.penalties(1000, date(2025, 9, 30), date(2025, 10, 27), **options)
        self.assertEqual((before.interest, before.claimable_from), (D(0), date(2025, 10, 28)))
        self.assertInterest(self.penalties(1000, date(2025, 9, 30), date(2025, 11, 6), **options), "2.88")

    def test_public_holiday_is_not_a_working_day(self):
        # Posted Thu 2025-07-17: Fri 07-18, (Mon 07-21 national holiday), Tue 07-22, Wed 07-23
        # → the 14 days run 07-23..08-05, claimable from 08-06.
        self.assertEqual(be_consumer.claimable_from(date(2025, 7, 17), "letter"), date(2025, 8, 6))

    def test_easter_and_movable_holidays(self):
        easters = {2008: (3, 23), 2019: (4, 21), 2024: (3, 31), 2025: (4, 20), 2026: (4, 5), 2038: (4, 25)}
        for year, (month, day) in easters.items():
            self.assertEqual(be_consumer.easter_sunday(year), date(year, month, day))
        holidays = be_consumer.belgian_public_holidays(2025)
        # Easter Monday, Ascension (Easter + 39), Whit Monday (Easter + 50).
        self.assertTrue({date(2025, 4, 21), date(2025, 5, 29), date(2025, 6, 9)} <= holidays)
        self.assertEqual(len(holidays), 10)

    def test_no_free_reminder_no_interest(self):
        result = self.penalties(1000, date(2025, 1, 31), date(2025, 12, 31))
        self.assertEqual((result.interest, result.claimable_from), (D(0), None))

    def test_reminder_before_the_due_date_is_not_the_free_reminder(self):
        result = self.penalties(
            1000,
            date(2025, 9, 30),
            date(2025, 12, 31),
            free_reminder_date=date(2025, 9, 25),
            free_reminder_channel="email",
        )
        self.assertEqual((result.interest, result.claimable_from), (D(0), None))

    def test_contractual_rate_capped_at_the_b2b_rate(self):
        # 10-21..10-30 = 10 days. At 8 %: 80,000 / 36,500 = 2.1917... → 2.19.
        # 12 % is capped at 10.5 %: 105,000 / 36,500 = 2.8767... → 2.88.
        options = {"free_reminder_date": date(2025, 10, 6), "free_reminder_channel": "email"}
        low = self.penalties(1000, date(2025, 9, 30), date(2025, 10, 30), contractual_rate=D(8), **options)
        self.assertInterest(low, "2.19")
        high = self.penalties(1000, date(2025, 9, 30), date(2025, 10, 30), contractual_rate=D(12), **options)
        self.assertEqual({s.rate for s in high.segments}, {D("10.5")})
        self.assertInterest(high, "2.88")

    def test_damages_caps_of_section_7(self):
        self.assertEqual(regimes.be_consumer_damages(D(100)), D(20))
        self.assertEqual(regimes.be_consumer_damages(D(500)), D(65))  # 30 + 10 % x 350
        self.assertEqual(regimes.be_consumer_damages(D(50000)), D(2000))  # 65 + 5 % x 49,500 = 2,540 → cap

    def test_damages_bracket_edges(self):
        cases = [
            ("150", "20"),
            ("150.01", "30.00"),  # 30 + 0.001, cut to the cent: a ceiling is never rounded up
            ("150.05", "30.00"),  # 30 + 0.005: 30.01 would exceed the ceiling
            ("150.10", "30.01"),  # 30 + 0.01
            ("300", "45"),  # 30 + 15
            ("500", "65"),  # 30 + 35
            ("500.01", "65.00"),  # 65 + 0.0005
            ("500.10", "65.00"),  # 65 + 0.005
            ("1000", "90"),  # 65 + 25
            ("39200", "2000"),  # 65 + 5 % x 38,700 = 65 + 1,935: exactly the cap
            ("39220", "2000"),  # 65 + 1,936 = 2,001 → cap
            ("0", "0"),
        ]
        for balance, expected in cases:
            with self.subTest(balance=balance):
                self.assertEqual(regimes.be_consumer_damages(D(balance)), D(expected))


class TestEuB2B(RegimeCase):
    regime = "eu_b2b"

    def test_ecb_reference_plus_8(self):
        # 09-01..09-30 = 30 days at 2.15 + 8 = 10.15 %: 304,500 / 36,500 = 8.3424... → 8.34; EUR 40.
        result = self.penalties(1000, date(2025, 8, 31), date(2025, 9, 30))
        self.assertEqual({s.rate for s in result.segments}, {D("10.15")})
        self.assertInterest(result, "8.34")
        self.assertEqual(regimes.fixed_indemnity("eu_b2b"), D(40))

    def test_contractual_rate(self):
        # 30 days at 12 %: 360,000 / 36,500 = 9.8630... → 9.86.
        self.assertInterest(self.penalties(1000, date(2025, 8, 31), date(2025, 9, 30), contractual_rate=D(12)), "9.86")


class TestNoRegime(RegimeCase):
    regime = "none"

    def test_nothing(self):
        result = self.penalties(1000, date(2025, 1, 31), date(2025, 12, 31), contractual_rate=D(12))
        self.assertTrue(result.late)
        self.assertEqual((result.segments, result.interest, result.claimable_from), ((), D(0), None))
        self.assertEqual(regimes.fixed_indemnity("none"), D(0))


@tagged("post_install", "-at_install")
class TestCapabilities(BaseCase):
    def test_codes(self):
        self.assertEqual(set(regimes.REGIMES), {"fr_b2b", "fr_b2c", "be_b2b", "be_b2c", "eu_b2b", "fr_public", "none"})
        for code, regime in regimes.REGIMES.items():
            self.assertEqual(regime.code, code)

    def test_consumer_regimes_never_charge_fees_nor_indemnity(self):
        # CPCE L111-8 (France) and Book XIX (Belgium).
        for code in ("fr_b2c", "be_b2c"):
            regime = regimes.REGIMES[code]
            self.assertTrue(regime.consumer)
            self.assertFalse(regime.allows_fees)
            self.assertFalse(regime.has_fixed_indemnity)
            self.assertEqual(regimes.fixed_indemnity(code), D(0))

    def test_business_regimes(self):
        for code in ("fr_b2b", "be_b2b", "eu_b2b"):
            regime = regimes.REGIMES[code]
            self.assertFalse(regime.consumer)
            self.assertTrue(regime.has_fixed_indemnity)
            self.assertEqual(regime.interest_start, "due_date")
            self.assertEqual(regimes.fixed_indemnity(code), D(40))

    def test_interest_starts(self):
        self.assertEqual(regimes.REGIMES["fr_b2c"].interest_start, "formal_notice")
        self.assertEqual(regimes.REGIMES["be_b2c"].interest_start, "after_free_reminder")
        self.assertIsNone(regimes.REGIMES["none"].interest_start)
        self.assertTrue(regimes.REGIMES["be_b2c"].accepts_contractual_rate)
