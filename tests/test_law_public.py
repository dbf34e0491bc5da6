"""French public buyers (Code de la commande publique; README, *French public buyers*): the law in
plain Python, then through invoices, policies, plans and the invoice clause (issue 16 item 2).

Figures are worked by hand: interest = base x rate x days / 36,500, rounded half up to the cent.
"""

from datetime import date
from decimal import Decimal

from odoo.exceptions import ValidationError
from odoo.tests import BaseCase, freeze_time, tagged

from odoo.addons.account_dunning.law import interest, regimes

from .common import DunningCommon
from .law_rate_table import rate_table

D = Decimal


def public_interest(principal, due, on, reductions=(), **extra):
    return regimes.compute_line_penalties(
        "fr_public",
        principal=D(principal),
        reductions=list(reductions),
        due_date=due,
        on_date=on,
        table=rate_table(),
        **extra,
    )


@tagged("post_install", "-at_install")
class TestPublicBuyerLaw(BaseCase):
    def test_worked_example_of_the_issue(self):
        # 12,000 incl. VAT, deadline 2025-06-19, paid 2025-08-04. Interest from 2025-06-20 (2025 H1):
        # ECB in force on 2025-01-01 = 3.15 (decision of 2024-12-18) + 8 = 11.15 %.
        # Days: 06-20..06-30 = 11, July = 31, 08-01..08-04 = 4 -> 46.
        # 12,000 x 11.15 x 46 / 36,500 = 6,154,800 / 36,500 = 168.6246... -> 168.62
        result = public_interest(12000, date(2025, 6, 19), date(2025, 8, 4), [(date(2025, 8, 4), D(12000))])
        self.assertEqual(sum(segment.days for segment in result.segments), 46)
        self.assertEqual(interest.round_money(result.interest), D("168.62"))
        self.assertEqual(regimes.fixed_indemnity("fr_public"), D(40))

    def test_one_rate_for_the_whole_delay(self):
        # The same delay under fr_b2b is split at 1 July (13.15 % then 12.15 %); a public buyer's
        # is not: 11.15 % on every day, 1 July included.
        result = public_interest(12000, date(2025, 6, 19), date(2025, 8, 4))
        self.assertEqual({segment.rate for segment in result.segments}, {D("11.15")})
        b2b = regimes.compute_line_penalties(
            "fr_b2b",
            principal=D(12000),
            reductions=[],
            due_date=date(2025, 6, 19),
            on_date=date(2025, 8, 4),
            table=rate_table(),
        )
        self.assertEqual([segment.rate for segment in b2b.segments], [D("13.15"), D("12.15")])

    def test_rate_fixed_by_the_half_year_interest_started(self):
        # Deadline 2024-12-19: interest from 2024-12-20 (2024 H2), ECB on 2024-07-01 = 4.25 (2024-06-12)
        # + 8 = 12.25 % for the whole delay, also the days of 2025 (when the ECB was 3.15 on 1 January).
        # Paid 2025-01-17: 12-20..12-31 = 12 days, 01-01..01-17 = 17 days -> 29 days.
        # 1,000 x 12.25 x 29 / 36,500 = 355,250 / 36,500 = 9.7328... -> 9.73
        result = public_interest(1000, date(2024, 12, 19), date(2025, 1, 31), [(date(2025, 1, 17), D(1000))])
        self.assertEqual({segment.rate for segment in result.segments}, {D("12.25")})
        self.assertEqual(interest.round_money(result.interest), D("9.73"))
        # Interest starting on 1 July takes the rate of the second half-year: ECB 2.15 + 8 = 10.15 %.
        # Deadline 2025-06-30, 10 days late: 1,000 x 10.15 x 10 / 36,500 = 2.7808... -> 2.78
        result = public_interest(1000, date(2025, 6, 30), date(2025, 7, 10))
        self.assertEqual(interest.round_money(result.interest), D("2.78"))

    def test_no_contractual_rate_and_nothing_when_paid_on_time(self):
        # L2192-14: a clause cannot lower (nor raise) the statutory rate.
        agreed = public_interest(12000, date(2025, 6, 19), date(2025, 8, 4), contractual_rate=D(3))
        self.assertEqual({segment.rate for segment in agreed.segments}, {D("11.15")})
        on_time = public_interest(12000, date(2025, 6, 19), date(2025, 8, 4), [(date(2025, 6, 19), D(12000))])
        self.assertEqual((on_time.interest, on_time.late), (D(0), False))


@tagged("post_install", "-at_install")
class TestPublicBuyerInvoices(DunningCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.hospital = cls.env["res.partner"].create(
            {
                "name": "Centre hospitalier de Test",
                "is_company": True,
                "dunning_customer_kind": "public",
                "lang": "en_US",
            }
        )
        cls.policy_public = cls.company.dunning_policy_public_id

    def _penalties(self, invoice, on):
        with freeze_time(on):
            invoice.invalidate_recordset(["late_interest_amount", "late_indemnity_amount", "late_penalty_error"])
            return invoice.late_interest_amount, invoice.late_indemnity_amount

    def test_a_french_company_has_a_public_policy(self):
        self.assertEqual(self.policy_public.customer_kind, "public")
        self.assertEqual(self.policy_public.penalty_regime, "fr_public")
        self.assertEqual(self.hospital._dunning_policy(self.company), self.policy_public)
        belgian = self.env["res.company"].create({"name": "BE Co", "country_id": self.env.ref("base.be").id})
        self.assertEqual(belgian.dunning_policy_public_id.penalty_regime, "be_b2b")

    def test_worked_example_through_an_invoice(self):
        # Invoice of 2025-05-20, 30 days: deadline 2025-06-19; paid 2025-08-04 -> 168.62 + 40 (see above).
        invoice = self.invoice(self.hospital, 12000.0, "2025-05-20")
        self.assertEqual(str(invoice.invoice_date_due), "2025-06-19")
        self.pay(invoice, 12000.0, "2025-08-04")
        self.assertEqual(self._penalties(invoice, "2025-09-01"), (168.62, 40.0))

    def test_policy_takes_no_contractual_rate_and_fits_public_buyers_only(self):
        with self.assertRefused(ValidationError, "R2192-31"):
            self.policy_public.contractual_rate = 12.0
        with self.assertRefused(ValidationError, "public buyers only"):
            self.policy_pro.penalty_regime = "fr_public"
        self.assertEqual(self.policy_pro.penalty_regime, "fr_b2b")

    def test_a_plan_keeps_the_penalties(self):
        self.invoice(self.hospital, 1000.0, "2025-01-01")  # due 01-31
        with freeze_time("2025-02-20"):
            action = self.hospital.action_propose_installment_plan()
        plan = self.env["account.dunning.installment.plan"].browse(action["res_id"])
        self.assertEqual(plan.penalty_mode, "run", "proposed with the penalties running")
        with freeze_time("2025-02-20"):
            plan.write({"installment_count": 2, "first_date": "2025-03-01", "penalty_mode": "waive"})
            plan.action_compute_schedule()
            with self.assertRefused(ValidationError, "L2192-14"):
                plan.action_confirm()
            self.assertEqual(plan.state, "draft")
            plan.penalty_mode = "freeze"
            with self.assertRefused(ValidationError, "cannot be waived or frozen"):
                plan.action_confirm()
            plan.penalty_mode = "run"
            plan.action_confirm()
        self.assertEqual(plan.state, "active")

    def test_invoice_clause_states_the_public_rate(self):
        # Due 2025-06-19: interest would start 2025-06-20, 2025 H1 -> 3.15 + 8 = 11.15 %.
        invoice = self.invoice(self.hospital, 12000.0, "2025-05-20")
        text = " ".join(invoice._dunning_statutory_clause().replace("\xa0", " ").replace("\u202f", " ").split())
        self.assertIn("at the ECB main refinancing rate + 8 points, i.e. 11.15 %", text)
        self.assertIn("article R2192-31", text)
        self.assertIn("fixed recovery indemnity of 40.00 €", text)
        self.assertIn("No discount for early payment.", text)
