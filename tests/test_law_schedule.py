from datetime import date
from decimal import Decimal as D

from odoo.tests import BaseCase, tagged

from odoo.addons.account_dunning.law.schedule import (
    PlanTooLong,
    ScheduleError,
    build_schedule,
    installment_dates,
    span_in_months,
    split_amount,
)


@tagged("post_install", "-at_install")
class TestSchedule(BaseCase):
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

    def test_a_plan_too_long_is_refused_before_any_date_is_computed(self):
        start = date(2025, 2, 20)
        # 100,000 monthly installments would reach the year 10333: refused at once, with the
        # span estimated as 99,999 months (one month between each of them).
        with self.assertRaises(PlanTooLong) as caught:
            installment_dates(date(2025, 3, 1), 100_000, "monthly", max_months=24, start=start)
        self.assertEqual((caught.exception.months, caught.exception.limit), (99_999, 24))
        with self.assertRaises(PlanTooLong):
            build_schedule(1000, 10**9, date(2025, 3, 1), frequency="weekly", max_months=120, start=start)
        # At the limit, exactly: 24 monthly installments from 2025-03-01 end on 2027-02-01, 23 months and
        # 12 days after 2025-02-20 = 24 started months; a 25th (2027-03-01) makes 25.
        self.assertEqual(len(installment_dates(date(2025, 3, 1), 24, "monthly", max_months=24, start=start)), 24)
        with self.assertRaises(PlanTooLong) as caught:
            installment_dates(date(2025, 3, 1), 25, "monthly", max_months=24, start=start)
        self.assertEqual(caught.exception.months, 25)
        # Explicit dates are judged the same way.
        with self.assertRaises(PlanTooLong):
            build_schedule(90, 0, None, dates=[date(2025, 3, 1), date(2030, 3, 1)], max_months=24, start=start)
        # Without a limit, running past the calendar is still a clear refusal, not a raw ValueError.
        with self.assertRaises(PlanTooLong):
            installment_dates(date(9999, 6, 1), 12, "monthly")
