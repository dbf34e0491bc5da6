import unittest
from datetime import date
from decimal import Decimal as D

from odoo.addons.account_dunning.law.schedule import (
    ScheduleError,
    build_schedule,
    installment_dates,
    span_in_months,
    split_amount,
)


class TestSchedule(unittest.TestCase):
    """Schedule arithmetic: amounts in the currency's precision, dates that respect month ends."""

    def test_remainder_goes_to_the_last_installment(self):
        # 1,000 / 3 = 333.33 twice, and 1,000 - 666.66 = 333.34 last
        self.assertEqual(split_amount(1000, 3), [D("333.33"), D("333.33"), D("333.34")])
        self.assertEqual(sum(split_amount("100.01", 7)), D("100.01"))
        # A currency without cents: 100 / 3 = 33, 33, 34
        self.assertEqual(split_amount(100, 3, digits=0), [D(33), D(33), D(34)])

    def test_one_installment(self):
        self.assertEqual(build_schedule(250, 1, date(2025, 5, 10)), [(date(2025, 5, 10), D("250.00"))])

    def test_month_ends(self):
        # 31 January + 1 month = 28 February; + 2 months = 31 March (not 28 March)
        self.assertEqual(
            installment_dates(date(2025, 1, 31), 3, "monthly"),
            [date(2025, 1, 31), date(2025, 2, 28), date(2025, 3, 31)],
        )

    def test_leap_year(self):
        self.assertEqual(installment_dates(date(2024, 1, 31), 2, "monthly"), [date(2024, 1, 31), date(2024, 2, 29)])
        self.assertEqual(installment_dates(date(2024, 2, 29), 2, "quarterly"), [date(2024, 2, 29), date(2024, 5, 29)])

    def test_weekly(self):
        self.assertEqual(installment_dates(date(2025, 12, 29), 2, "weekly"), [date(2025, 12, 29), date(2026, 1, 5)])

    def test_down_payment_then_installments(self):
        schedule = build_schedule(1000, 2, date(2025, 6, 1), down_payment=100, down_payment_date=date(2025, 5, 15))
        # 100 down, then 900 / 2 = 450 twice
        self.assertEqual(
            schedule, [(date(2025, 5, 15), D(100)), (date(2025, 6, 1), D("450.00")), (date(2025, 7, 1), D("450.00"))]
        )
        self.assertEqual(sum(amount for _day, amount in schedule), D(1000))

    def test_explicit_dates(self):
        schedule = build_schedule(90, 0, None, dates=[date(2025, 9, 1), date(2025, 7, 14), date(2025, 8, 3)])
        self.assertEqual([day for day, _amount in schedule], [date(2025, 7, 14), date(2025, 8, 3), date(2025, 9, 1)])
        self.assertEqual([amount for _day, amount in schedule], [D("30.00")] * 3)

    def test_bad_input(self):
        with self.assertRaises(ScheduleError):
            split_amount(100, 0)
        with self.assertRaises(ScheduleError):
            split_amount(0, 3)
        with self.assertRaises(ScheduleError):
            build_schedule(100, 2, date(2025, 1, 1), down_payment=100)

    def test_span_counts_a_started_month(self):
        self.assertEqual(span_in_months(date(2025, 1, 15), date(2027, 1, 15)), 24)
        self.assertEqual(span_in_months(date(2025, 1, 15), date(2027, 1, 16)), 25)
