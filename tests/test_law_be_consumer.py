"""Belgian consumers under Book XIX of the Code of Economic Law (``law/be_consumer.py``; README,
*Belgian consumers*; issue 16 item 1): interest and damages only as the terms stipulate them,
the Belgian legal interest rate without a clause, the caps with one, and the reminder fees of
recurring contracts.

Figures are worked by hand: interest = base x rate x days / 36,500, rounded half up to the cent.
"""

from datetime import date
from decimal import Decimal

from odoo.exceptions import ValidationError
from odoo.tests import BaseCase, freeze_time, tagged

from odoo.addons.account_dunning.law import be_consumer, interest, rates, regimes

from .common import DunningCommon
from .law_rate_table import BE_LEGAL, rate_table

D = Decimal
EMAILED = {"free_reminder_date": date(2025, 10, 6), "free_reminder_channel": "email"}  # Monday


def be_interest(principal, due, on, **options):
    return regimes.compute_line_penalties(
        "be_b2c", principal=D(principal), reductions=[], due_date=due, on_date=on, table=rate_table(), **options
    )


@tagged("post_install", "-at_install")
class TestBelgianConsumerLaw(BaseCase):
    def test_without_a_clause_the_legal_rate_only(self):
        # Due 2025-09-30, reminder e-mailed 2025-10-06: 14 days 10-07..10-20, claimable from 10-21.
        # On 10-31: 10-21..10-31 = 11 days at the legal rate of 2025, 4.50 % (not the B2B 10.5 %):
        # 1,000 x 4.5 x 11 / 36,500 = 49,500 / 36,500 = 1.3561... -> 1.36
        result = be_interest(1000, date(2025, 9, 30), date(2025, 10, 31), **EMAILED)
        self.assertEqual({segment.rate for segment in result.segments}, {D("4.50")})
        self.assertEqual(interest.round_money(result.interest), D("1.36"))
        # The default of the law function is the safe one: no clause.
        explicit = be_interest(1000, date(2025, 9, 30), date(2025, 10, 31), consumer_clause="none", **EMAILED)
        self.assertEqual(explicit.interest, result.interest)

    def test_clause_at_the_maximum_and_clause_of_its_own(self):
        # Same 11 days. Maximum clause: the B2B rate of 2025 H2, 10.5 %:
        # 1,000 x 10.5 x 11 / 36,500 = 115,500 / 36,500 = 3.1643... -> 3.16
        maximum = be_interest(1000, date(2025, 9, 30), date(2025, 10, 31), consumer_clause="legal_maximum", **EMAILED)
        self.assertEqual(interest.round_money(maximum.interest), D("3.16"))
        # Own rate of 8 %: 1,000 x 8 x 11 / 36,500 = 88,000 / 36,500 = 2.4109... -> 2.41
        own = be_interest(
            1000, date(2025, 9, 30), date(2025, 10, 31), consumer_clause="custom", contractual_rate=D(8), **EMAILED
        )
        self.assertEqual(interest.round_money(own.interest), D("2.41"))
        # Own rate of 12 %: capped at 10.5 % -> 3.16 as above.
        high = be_interest(
            1000, date(2025, 9, 30), date(2025, 10, 31), consumer_clause="custom", contractual_rate=D(12), **EMAILED
        )
        self.assertEqual(interest.round_money(high.interest), D("3.16"))
        # A clause of its own with no rate stipulates no interest beyond the legal rate -> 1.36.
        no_rate = be_interest(1000, date(2025, 9, 30), date(2025, 10, 31), consumer_clause="custom", **EMAILED)
        self.assertEqual(interest.round_money(no_rate.interest), D("1.36"))
        # Without a clause a contractual rate is not agreed: the legal rate -> 1.36.
        ignored = be_interest(1000, date(2025, 9, 30), date(2025, 10, 31), contractual_rate=D(8), **EMAILED)
        self.assertEqual(interest.round_money(ignored.interest), D("1.36"))

    def test_legal_rate_changes_on_1_january(self):
        # Due 2024-11-30, reminder e-mailed Friday 2024-12-06: 14 days 12-07..12-20, claimable 12-21.
        # On 2025-01-05: 12-21..12-31 = 11 days at 5.75 % (2024), 01-01..01-05 = 5 days at 4.50 % (2025):
        # 1,000 x (5.75 x 11 + 4.5 x 5) / 36,500 = 85,750 / 36,500 = 2.3493... -> 2.35
        result = be_interest(
            1000,
            date(2024, 11, 30),
            date(2025, 1, 5),
            free_reminder_date=date(2024, 12, 6),
            free_reminder_channel="email",
        )
        self.assertEqual([(s.days, s.rate) for s in result.segments], [(11, D("5.75")), (5, D("4.50"))])
        self.assertEqual(interest.round_money(result.interest), D("2.35"))

    def test_legal_rate_2021_and_2022(self):
        # 2021 stayed at 1.75 % (December 2020 EURIBOR just above -0.50 rounds up to -0.25), 2022 is 1.50 %.
        # Due 2021-11-30, reminder e-mailed Monday 2021-12-06: 14 days 12-07..12-20, claimable 12-21.
        # On 2022-01-10: 12-21..12-31 = 11 days at 1.75 %, 01-01..01-10 = 10 days at 1.50 %:
        # 1,000 x (1.75 x 11 + 1.5 x 10) / 36,500 = 34,250 / 36,500 = 0.9383... -> 0.94
        result = be_interest(
            1000,
            date(2021, 11, 30),
            date(2022, 1, 10),
            free_reminder_date=date(2021, 12, 6),
            free_reminder_channel="email",
        )
        self.assertEqual([(s.days, s.rate) for s in result.segments], [(11, D("1.75")), (10, D("1.50"))])
        self.assertEqual(interest.round_money(result.interest), D("0.94"))

    def test_legal_rate_2026(self):
        # Due 2026-01-31, reminder e-mailed Monday 2026-02-02: 14 days 02-03..02-16, claimable 02-17.
        # On 2026-03-31: 02-17..02-28 = 12 days + 31 in March = 43 days at 4.50 %:
        # 1,000 x 4.5 x 43 / 36,500 = 193,500 / 36,500 = 5.3013... -> 5.30
        result = be_interest(
            1000,
            date(2026, 1, 31),
            date(2026, 3, 31),
            free_reminder_date=date(2026, 2, 2),
            free_reminder_channel="email",
        )
        self.assertEqual([(s.days, s.rate) for s in result.segments], [(43, D("4.50"))])
        self.assertEqual(interest.round_money(result.interest), D("5.30"))

    def test_missing_legal_rate_is_named(self):
        # 2027 is not published yet: never replaced by 2026's figure.
        with self.assertRaises(rates.MissingRateError) as caught:
            be_interest(
                1000,
                date(2027, 1, 31),
                date(2027, 3, 31),
                free_reminder_date=date(2027, 2, 2),
                free_reminder_channel="email",
            )
        self.assertEqual((caught.exception.rate_type, caught.exception.period), ("be_legal", "2027"))

    def test_damages_follow_the_clause(self):
        # No clause: no damages at all.
        self.assertEqual(be_consumer.clause_damages(D(500), "none"), D(0))
        # Maximum: the scale, 30 + 10 % x (500 - 150) = 65.
        self.assertEqual(be_consumer.clause_damages(D(500), "legal_maximum"), D(65))
        # Own: 15 + 5 % x 200 = 25, under the cap of 30 + 10 % x 50 = 35 -> 25.
        self.assertEqual(be_consumer.clause_damages(D(200), "custom", D(15), D(5)), D(25))
        # Own: 50 on a balance of 100, above the cap of 20 -> 20.
        self.assertEqual(be_consumer.clause_damages(D(100), "custom", D(50), D(0)), D(20))
        # Own: 10 % of 60,000 = 6,000 -> the 2,000 ceiling.
        self.assertEqual(be_consumer.clause_damages(D(60000), "custom", D(0), D(10)), D(2000))

    def test_reminder_fees_of_recurring_contracts(self):
        # Three free reminders a calendar year, then at most 7.50 + postage: 10 asked, 1.20 postage -> 8.70.
        fees = [be_consumer.reminder_fee(D(10), D("1.20"), before, recurring=True) for before in range(5)]
        self.assertEqual(fees, [D(0), D(0), D(0), D("8.70"), D("8.70")])
        # 5 asked is under the cap: 5 + 1.20 = 6.20.
        self.assertEqual(be_consumer.reminder_fee(D(5), D("1.20"), 3, recurring=True), D("6.20"))
        # Not a recurring contract: never a fee (the damages cover the recovery costs).
        self.assertEqual(be_consumer.reminder_fee(D(10), D("1.20"), 7, recurring=False), D(0))


@tagged("post_install", "-at_install")
class TestBelgianConsumerInvoices(DunningCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.policy_consumer.penalty_regime = "be_b2c"

    def _penalties(self, invoice, on):
        with freeze_time(on):
            invoice.invalidate_recordset(["late_interest_amount", "late_indemnity_amount", "late_penalty_error"])
            return invoice.late_interest_amount, invoice.late_indemnity_amount

    def _reminded(self):
        invoice = self.invoice(self.consumer, 200.0, "2025-08-31")  # due 2025-09-30
        for day in ("2025-09-25", "2025-10-07"):
            # Courtesy reminder, then the free reminder e-mailed 10-07: claimable from 10-22.
            with freeze_time(day):
                self.dun(day)
        return invoice

    def test_no_clause_no_damages_and_the_legal_rate(self):
        invoice = self._reminded()
        # 10-22..10-31 = 10 days at 4.50 %: 200 x 4.5 x 10 / 36,500 = 9,000 / 36,500 = 0.2466 -> 0.25; no damages.
        self.assertEqual(self._penalties(invoice, "2025-10-31"), (0.25, 0.0))

    def test_shipped_legal_rates_are_the_published_ones(self):
        # The data file's yearly rates from 2019 are those checked against the publications (law_rate_table).
        shipped = self.env["account.dunning.rate"].search(
            [("rate_type", "=", "be_legal"), ("date_from", ">=", "2019-01-01")]
        )
        self.assertEqual(
            sorted((rate.date_from.year, D(str(rate.rate)).quantize(D("0.01"))) for rate in shipped),
            [(year, D(rate)) for year, rate in BE_LEGAL],
        )

    def test_legal_rate_of_2026_through_an_invoice(self):
        invoice = self.invoice(self.consumer, 200.0, "2025-12-31")  # due 2026-01-30
        for day in ("2026-01-25", "2026-02-06"):
            # Courtesy reminder, then the free reminder e-mailed 02-06: 14 days 02-07..02-20, claimable 02-21.
            with freeze_time(day):
                self.dun(day)
        # 02-21..02-28 = 8 days + 31 in March = 39 days at the shipped 4.50 % of 2026:
        # 200 x 4.5 x 39 / 36,500 = 35,100 / 36,500 = 0.9616 -> 0.96; no clause, no damages.
        self.assertEqual(self._penalties(invoice, "2026-03-31"), (0.96, 0.0))

    def test_clause_of_its_own(self):
        self.policy_consumer.write(
            {"consumer_clause": "custom", "contractual_rate": 6.0, "consumer_damages_fixed": 10.0}
        )
        invoice = self._reminded()
        # 10 days at 6 %: 200 x 6 x 10 / 36,500 = 12,000 / 36,500 = 0.3288 -> 0.33;
        # damages: the clause's 10, under the cap of 30 + 10 % x 50 = 35.
        self.assertEqual(self._penalties(invoice, "2025-10-31"), (0.33, 10.0))

    def test_policy_refuses_a_rate_without_a_clause_and_bad_damages(self):
        with self.assertRefused(ValidationError, "only if your terms stipulate it"):
            self.policy_consumer.contractual_rate = 6.0
        with self.assertRefused(ValidationError, "between 0 and 100"):
            self.policy_consumer.write({"consumer_clause": "custom", "consumer_damages_percent": 120.0})

    def _letters_with_fees(self, partner, recurring):
        self.policy_consumer.recurring_contract = recurring
        for policy in (self.policy_consumer, self.policy_pro):
            policy.level_ids.write({"fee_amount": 10.0, "fee_postage": 1.20})
        self.invoice(partner, 300.0, "2025-01-01")  # due 2025-01-31
        # The levels at -5, 7, 20 and 45 days: 01-26, 02-07, 02-20, 03-17.
        for day in ("2025-01-26", "2025-02-07", "2025-02-20", "2025-03-17"):
            with freeze_time(day):
                self.dun(day)
        return self.letters(partner).mapped("fee_amount")

    def test_recurring_contract_fee_from_the_fourth_reminder(self):
        # Three free reminders in 2025, the fourth carries 7.50 (cap) + 1.20 postage = 8.70.
        self.assertEqual(self._letters_with_fees(self.consumer, recurring=True), [0.0, 0.0, 0.0, 8.70])

    def test_fourth_reminder_carries_postage_only_by_post(self):
        # 10 asked, 1.20 postage; the fourth reminder of 2025 may carry at most 7.50 + postage.
        # E-mailed, no postage was spent: 7.50. Posted: 7.50 + 1.20 = 8.70.
        fourth = self.policy_consumer.level_ids.filtered(lambda level: level.delay_days == 45)
        fourth.channel = "email"
        self.assertEqual(self._letters_with_fees(self.consumer, recurring=True), [0.0, 0.0, 0.0, 7.50])
        self.assertEqual(self.letters(self.consumer).mapped("channel"), ["email"] * 4)
        fourth.channel = "letter"
        posted = self.env["res.partner"].create({"name": "Luc Peeters", "email": "luc@example.com"})
        self.assertEqual(self._letters_with_fees(posted, recurring=True), [0.0, 0.0, 0.0, 8.70])
        self.assertEqual(self.letters(posted).mapped("channel"), ["email"] * 3 + ["letter"])

    def test_no_fee_outside_recurring_contracts_nor_to_french_consumers(self):
        self.assertEqual(self._letters_with_fees(self.consumer, recurring=False), [0.0] * 4)
        self.policy_consumer.penalty_regime = "fr_b2c"
        other = self.env["res.partner"].create({"name": "Paul Durand", "email": "paul@example.com"})
        self.assertEqual(self._letters_with_fees(other, recurring=True), [0.0] * 4)

    def test_professionals_pay_the_level_fee(self):
        # The fee on every letter, the postage on the posted one only: three e-mails at 10, then the
        # formal notice by post at 10 + 1.20 = 11.20.
        self.assertEqual(self._letters_with_fees(self.professional, recurring=False), [10.0, 10.0, 10.0, 11.20])
