from datetime import date

from odoo.tests import BaseCase, tagged

from odoo.addons.account_dunning.analytics.behaviour import (
    PaidLine,
    Thresholds,
    assess_risk,
    average_days_late,
    behaviour,
    late_share,
    trend,
)


@tagged("post_install", "-at_install")
class TestPaymentBehaviour(BaseCase):
    """Payment behaviour arithmetic on a known history, without the database."""

    ON = date(2025, 6, 30)  # history: paid after 2024-06-30 and up to 2025-06-30; recent: after 2025-03-30
    HISTORY = [
        PaidLine(1000.0, date(2024, 9, 1), date(2024, 9, 11)),  # 10 days late, earlier
        PaidLine(3000.0, date(2024, 11, 30), date(2024, 11, 30)),  # on time, earlier
        PaidLine(2000.0, date(2025, 4, 1), date(2025, 5, 1)),  # 30 days late, recent
        PaidLine(500.0, date(2025, 6, 10), date(2025, 6, 5)),  # 5 days early: 0, recent
        PaidLine(800.0, date(2024, 5, 1), date(2024, 6, 30)),  # paid 12 months ago to the day: outside
    ]

    def test_known_history(self):
        result = behaviour(self.HISTORY, self.ON)
        self.assertEqual(result.paid_count, 4)
        # (1000 x 10 + 3000 x 0 + 2000 x 30 + 500 x 0) / (1000 + 3000 + 2000 + 500) = 70000 / 6500
        self.assertAlmostEqual(result.avg_days_late, 70000 / 6500)
        self.assertAlmostEqual(result.late_share, 50.0)  # 2 of 4 lines late
        self.assertAlmostEqual(result.recent_days_late, 24.0)  # 2000 x 30 / 2500
        self.assertAlmostEqual(result.earlier_days_late, 2.5)  # 1000 x 10 / 4000
        self.assertEqual(result.trend, "worsening")  # 24 > 2.5 + 5

    def test_early_payment_does_not_offset_a_late_one(self):
        lines = [
            PaidLine(100.0, date(2025, 1, 31), date(2025, 1, 1)),  # 30 days early
            PaidLine(100.0, date(2025, 1, 31), date(2025, 3, 2)),  # 30 days late
        ]
        self.assertEqual(average_days_late(lines), 15.0)  # (0 + 30) / 2, not (-30 + 30) / 2
        self.assertEqual(late_share(lines), 50.0)

    def test_no_history(self):
        result = behaviour([], self.ON)
        self.assertEqual((result.paid_count, result.avg_days_late, result.late_share), (0, 0.0, 0.0))
        self.assertIsNone(result.trend)
        only_recent = behaviour([self.HISTORY[2]], self.ON)
        self.assertIsNone(only_recent.trend, "no payment in the nine earlier months: no trend")

    def test_trend_threshold(self):
        self.assertEqual(trend(8.0, 3.0), "stable")  # exactly 5 days worse is still stable
        self.assertEqual(trend(8.5, 3.0), "worsening")
        self.assertEqual(trend(3.0, 8.0), "stable")
        self.assertEqual(trend(2.5, 8.0), "improving")
        self.assertIsNone(trend(None, 8.0))

    def test_risk_levels(self):
        limits = Thresholds(avg_days_late=15, late_share=50, overdue_days=60)
        self.assertEqual(assess_risk(15.0, 50.0, 60, limits).level, "low", "at the thresholds is not above")
        medium = assess_risk(10.0, 50.0, 61, limits)
        self.assertEqual((medium.level, medium.reasons), ("medium", (("overdue_days", 61, 60),)))
        high = assess_risk(16.0, 60.0, 0, limits)
        self.assertEqual(high.level, "high")
        self.assertEqual([name for name, _value, _limit in high.reasons], ["avg_days_late", "late_share"])
        self.assertEqual(assess_risk(16.0, 60.0, 90, limits).level, "high", "three reasons stay high")

    def test_threshold_zero_is_not_used(self):
        off = Thresholds(avg_days_late=0, late_share=0, overdue_days=0)
        self.assertEqual(assess_risk(200.0, 100.0, 365, off).level, "low")
