from datetime import date, timedelta

from psycopg2 import IntegrityError

from odoo import fields
from odoo.exceptions import AccessError
from odoo.fields import Command
from odoo.tests import Form, freeze_time, tagged
from odoo.tools import mute_logger

from odoo.addons.account.tests.common import AccountTestInvoicingCommon
from odoo.addons.account_dunning.demo import demo_book

from .common import DunningCommon


@tagged("post_install", "-at_install")
class TestAnalytics(DunningCommon):
    """Payment behaviour, credit risk, DSO, expected cash-in and case tags on known books."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.terms_30_60 = cls.env["account.payment.term"].create(
            {
                "name": "Half at 30, half at 60 days",
                "line_ids": [
                    Command.create({"value": "percent", "value_amount": 50, "nb_days": 30}),
                    Command.create({"value": "percent", "value_amount": 50, "nb_days": 60}),
                ],
            }
        )

    def _known_history(self):
        """The professional's book, analysed on 2025-06-30 (history: paid after 2024-06-30;
        the last three months: paid after 2025-03-30)."""
        self.pay(self.invoice(self.professional, 1000.0, "2024-08-02"), 1000.0, "2024-09-11")  # due 09-01: 10 late
        # Two installments of 1500, due 2024-10-31 and 2024-11-30, both paid on 2024-11-30: 30 and 0 days late.
        self.pay(self.invoice(self.professional, 3000.0, "2024-10-01", terms=self.terms_30_60), 3000.0, "2024-11-30")
        self.pay(self.invoice(self.professional, 2000.0, "2025-03-02"), 2000.0, "2025-05-01")  # due 04-01: 30 late
        self.pay(self.invoice(self.professional, 500.0, "2025-05-11"), 500.0, "2025-06-05")  # due 06-10: early, 0
        # Paid on 2024-06-30, twelve months before the analysis to the day: outside the history.
        self.pay(self.invoice(self.professional, 800.0, "2024-04-01"), 800.0, "2024-06-30")
        # Settled by a credit note, not by a payment: not part of the behaviour.
        credited = self.invoice(self.professional, 400.0, "2025-01-02")
        credited._reverse_moves([{"invoice_date": "2025-04-15", "date": "2025-04-15"}], cancel=True)
        self.assertEqual(credited.payment_state, "reversed")
        # Still open: due 2025-03-31, 91 days overdue on 2025-06-30.
        self.invoice(self.professional, 700.0, "2025-03-01")

    # ------------------------------------------------------------------
    # Payment behaviour and risk
    # ------------------------------------------------------------------

    def test_payment_behaviour_of_a_known_history(self):
        self._known_history()
        with freeze_time("2025-06-30"):
            partner = self.professional.with_company(self.company)
            partner.invalidate_recordset()
            # Lines: 1000 x 10, 1500 x 30, 1500 x 0 (earlier); 2000 x 30, 500 x 0 (recent).
            # Average: (10000 + 45000 + 0 + 60000 + 0) / 6500 = 17.69 days
            self.assertEqual(partner.dunning_paid_count, 5)
            self.assertEqual(partner.dunning_avg_days_late, 17.7)  # 115000 / 6500 = 17.69, to one decimal
            self.assertAlmostEqual(partner.dunning_late_share, 60.0)  # 3 late lines of 5
            # Last three months: 60000 / 2500 = 24; nine before: 55000 / 4000 = 13.75; 24 > 13.75 + 5
            self.assertEqual(partner.dunning_payment_trend, "worsening")
            self.assertEqual(partner.dunning_overdue_days, 91)
            # Default thresholds 15 days, 50 %, 60 days: all three crossed.
            self.assertEqual(partner.dunning_risk, "high")
            self.assertEqual(
                partner.dunning_risk_reason,
                "pays 17.7 days late on average (threshold 15); 60% of installments paid late (threshold 50%); "
                "overdue for 91 days (threshold 60)",
            )
            # A contact of the customer shows the company's behaviour.
            contact = self.env["res.partner"].create({"name": "Paul (accounts)", "parent_id": self.professional.id})
            self.assertEqual(contact.with_company(self.company).dunning_paid_count, 5)

    def test_case_carries_behaviour_and_follows_thresholds(self):
        self._known_history()
        self.dun("2025-06-30", send=False)
        case = self.case_of()
        self.assertRecordValues(
            case,
            [
                {
                    "paid_count": 5,
                    "late_share": 60.0,
                    "payment_trend": "worsening",
                    "oldest_days_late": 91,
                    "dunning_risk": "high",
                }
            ],
        )
        self.assertEqual(case.avg_days_late, 17.7)  # 115000 / 6500 = 17.69, stored to one decimal
        board = self.env["account.dunning.case"].search([("company_id", "=", self.company.id)])
        at_risk = board.filtered_domain([("dunning_risk", "in", ("medium", "high"))])  # the "At risk" filter
        self.assertEqual(at_risk, case)
        with freeze_time("2025-06-30"):
            # 17.7 is under 20: two reasons left (60 % > 50 %, 91 > 60 days), still high
            self.company.dunning_risk_avg_days_late = 20
            self.assertEqual(case.dunning_risk, "high")
            self.company.dunning_risk_late_share = 0  # switched off: one reason left
            self.assertEqual(
                (case.dunning_risk, case.dunning_risk_reason), ("medium", "overdue for 91 days (threshold 60)")
            )
            self.company.dunning_risk_overdue_days = 100  # 91 is not above 100
            self.assertEqual((case.dunning_risk, case.dunning_risk_reason), ("low", False))

    def test_customer_without_history_is_not_at_risk(self):
        self.invoice(self.consumer, 250.0, "2025-05-01")  # due 05-31, 30 days late on 06-30
        self.dun("2025-06-30", send=False)
        case = self.case_of(self.consumer)
        self.assertRecordValues(
            case,
            [{"paid_count": 0, "avg_days_late": 0.0, "late_share": 0.0, "payment_trend": False, "dunning_risk": "low"}],
        )

    def test_new_customer_form(self):
        # The customer form computes the behaviour of a partner not saved yet: nothing to read, low risk.
        with Form(self.env["res.partner"]) as form:
            form.name = "Nouveau Client SAS"
            self.assertEqual((form.dunning_paid_count, form.dunning_risk), (0, "low"))
        self.assertEqual(form.record.dunning_risk, "low")

    def test_risk_thresholds_are_validated(self):
        with self.assertRaises(IntegrityError), mute_logger("odoo.sql_db"):
            self.company.dunning_risk_late_share = 120.0
            self.company.flush_recordset()

    # ------------------------------------------------------------------
    # Days sales outstanding
    # ------------------------------------------------------------------

    def test_dso_per_month(self):
        january = self.invoice(self.professional, 1200.0, "2025-01-15")
        self.invoice(self.professional, 600.0, "2025-02-10")
        self.invoice(self.consumer, 900.0, "2025-03-05")
        self._create_invoice_one_line(
            move_type="out_refund",
            price_unit=300.0,
            partner_id=self.consumer,
            invoice_date="2025-03-20",
            tax_ids=[],
            post=True,
        )
        self.pay(january, 1200.0, "2025-02-14")
        self.env.flush_all()
        rows = {
            row.month: row
            for row in self.env["account.dunning.dso"].search(
                [("company_id", "=", self.company.id), ("month", "<=", "2025-04-01")]
            )
        }
        self.assertEqual(sorted(rows), [date(2025, month, 1) for month in (1, 2, 3, 4)], "from the first entry on")
        # February: receivables 1200 + 600 - 1200 = 600; sales of Dec-Feb (nothing before January)
        # 1200 + 600 = 1800; 31 + 31 + 28 = 90 days; DSO = 600 / 1800 x 90 = 30
        self.assertRecordValues(
            rows[date(2025, 2, 1)], [{"receivables": 600.0, "sales": 1800.0, "days": 90, "dso": 30.0}]
        )
        # March: receivables 600 + 900 - 300 = 1200; sales of Jan-Mar 1200 + 600 + 900 - 300 = 2400;
        # 31 + 28 + 31 = 90 days; DSO = 1200 / 2400 x 90 = 45
        self.assertRecordValues(
            rows[date(2025, 3, 1)],
            [{"receivables": 1200.0, "sales": 2400.0, "sales_month": 600.0, "days": 90, "dso": 45.0}],
        )
        # April, without any entry: receivables 1200; sales of Feb-Apr 600 + 600 + 0 = 1200;
        # 28 + 31 + 30 = 89 days; DSO = 1200 / 1200 x 89 = 89
        self.assertRecordValues(
            rows[date(2025, 4, 1)], [{"receivables": 1200.0, "sales": 1200.0, "days": 89, "dso": 89.0}]
        )

    # ------------------------------------------------------------------
    # Expected cash-in
    # ------------------------------------------------------------------

    def test_forecast_shifts_due_dates_by_the_customers_delay(self):
        today = fields.Date.context_today(self.env.user)
        # History: 1000 paid 12 days late, 1000 paid 4 days late: (12000 + 4000) / 2000 = 8 days.
        first = self.invoice(self.professional, 1000.0, today - timedelta(days=100))  # due today - 70
        self.pay(first, 1000.0, today - timedelta(days=58))
        second = self.invoice(self.professional, 1000.0, today - timedelta(days=90))  # due today - 60
        self.pay(second, 1000.0, today - timedelta(days=56))
        coming = self.invoice(self.professional, 400.0, today - timedelta(days=20))  # due today + 10
        late = self.invoice(self.professional, 300.0, today - timedelta(days=50))  # due today - 20
        newcomer = self.invoice(self.consumer, 200.0, today - timedelta(days=25))  # due today + 5, no history
        self.env.flush_all()
        Forecast = self.env["account.dunning.forecast"]
        rows = {
            row.move_id: row
            for row in Forecast.search([("company_id", "=", self.company.id)])
            if row.move_id in coming | late | newcomer
        }
        self.assertEqual(len(rows), 3, "paid invoices are not expected any more")
        self.assertRecordValues(
            rows[coming], [{"delay_days": 8, "expected_date": today + timedelta(days=18), "amount": 400.0}]
        )
        # Due 20 days ago, 8 days of habit: expected 12 days ago, which has passed: today.
        self.assertRecordValues(rows[late], [{"delay_days": 8, "expected_date": today, "overdue": True}])
        self.assertRecordValues(rows[newcomer], [{"delay_days": 0, "expected_date": today + timedelta(days=5)}])
        self.assertEqual(self.professional.with_company(self.company).dunning_avg_days_late, 8.0)
        # The weekly graph: 400 falls in the week of today + 18.
        weeks = Forecast._read_group(
            [("company_id", "=", self.company.id), ("move_id", "=", coming.id)], ["expected_date:week"], ["amount:sum"]
        )
        ((week_start, amount),) = weeks
        self.assertTrue(week_start <= today + timedelta(days=18) < week_start + timedelta(days=7))
        self.assertEqual(amount, 400.0)

    # ------------------------------------------------------------------
    # Late causes, tags, access
    # ------------------------------------------------------------------

    def test_late_causes_analysis(self):
        self.invoice(self.professional, 1000.0, "2025-01-01")
        self.invoice(self.consumer, 250.0, "2025-01-01")
        self.dun("2025-02-07", send=False)
        dispute = self.env.ref("account_dunning.late_cause_dispute")
        self.case_of().late_cause_id = dispute
        action = self.env["ir.actions.act_window"]._for_xml_id("account_dunning.action_account_dunning_case_late_cause")
        self.assertEqual(action["view_mode"].split(",")[0], "graph")
        by_cause = dict(
            self.env["account.dunning.case"]._read_group(
                [("company_id", "=", self.company.id)], ["late_cause_id"], ["amount_overdue:sum"]
            )
        )
        self.assertEqual(by_cause, {dispute: 1000.0, self.env["account.dunning.late.cause"]: 250.0})

    def test_case_tags(self):
        self.invoice(self.professional, 1000.0, "2025-01-01")
        self.dun("2025-02-07", send=False)
        case = self.case_of()
        collector = self.make_user("tagger")
        key_account = self.env["account.dunning.case.tag"].with_user(collector).create({"name": "Key account"})
        case.with_user(collector).tag_ids = [Command.link(key_account.id)]
        self.assertEqual(case.tag_ids, key_account)
        self.assertEqual(self.env["account.dunning.case"].search([("tag_ids", "in", key_account.ids)]), case)
        with self.assertRaises(IntegrityError), mute_logger("odoo.sql_db"):
            self.env["account.dunning.case.tag"].create({"name": "Key account"})
            self.env.flush_all()

    def test_reports_are_for_collectors(self):
        collector = self.make_user("carla")
        invoicing = self.env["res.users"].create(
            {
                "name": "Ines Invoicing",
                "login": "ines",
                "company_id": self.company.id,
                "company_ids": [Command.set(self.company.ids)],
                "group_ids": [Command.set(self.env.ref("account.group_account_invoice").ids)],
            }
        )
        self.invoice(self.professional, 1000.0, "2025-01-01")
        self.env.flush_all()
        for model in ("account.dunning.dso", "account.dunning.forecast"):
            self.assertTrue(self.env[model].with_user(collector).search([]), f"{model}: a collector reads it")
            with self.assertRaises(AccessError):
                self.env[model].with_user(invoicing).search([])
        self.assertFalse(self.env["account.dunning.case.tag"].with_user(invoicing).has_access("create"))
        # The Analysis menus: shown to collectors, not to invoicing users.
        analysis = [
            self.env.ref(f"account_dunning.{xmlid}").id
            for xmlid in (
                "menu_collections_forecast",
                "menu_collections_dso",
                "menu_collections_late_causes",
                "menu_account_dunning_reporting_dso",
            )
        ]

        def reachable(user):
            """The menus of ``analysis`` the user sees, with every menu above them."""
            visible = self.env["ir.ui.menu"].with_user(user)._visible_menu_ids()
            shown = set()
            for menu in self.env["ir.ui.menu"].browse(analysis):
                ancestor, chain = menu, {menu.id}
                while ancestor.parent_id:
                    ancestor = ancestor.parent_id
                    chain.add(ancestor.id)
                if chain <= visible:
                    shown.add(menu.id)
            return shown

        self.assertEqual(reachable(collector), set(analysis))
        self.assertFalse(reachable(invoicing))
        # The board's views carry the risk and the tags for a collector.
        views = self.env["account.dunning.case"].with_user(collector).get_views([(False, "kanban"), (False, "form")])
        for view_type in ("kanban", "form"):
            arch = views["views"][view_type]["arch"]
            self.assertIn('name="dunning_risk"', arch)
            self.assertIn('name="tag_ids"', arch)
            self.assertIn("Ask for a deposit" if view_type == "kanban" else "ask for a deposit", arch)


@tagged("post_install", "-at_install")
class TestDemoAnalytics(AccountTestInvoicingCommon):
    """The demo book (built here, smaller, as tools/demo builds it) gives every analysis content."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.demo_company = demo_book.populate(cls.env, invoice_count=150)

    def test_demo_book_feeds_the_analyses(self):
        company = self.demo_company
        domain = [("company_id", "=", company.id)]
        forecast = self.env["account.dunning.forecast"].sudo().search(domain)
        self.assertGreaterEqual(len(forecast), 50)
        self.assertTrue(forecast.filtered(lambda row: row.delay_days > 0), "customers with a payment history")
        dso = self.env["account.dunning.dso"].sudo().search(domain)
        self.assertGreaterEqual(len(dso), 6, "six months of invoices")
        self.assertTrue(all(row.dso > 0 for row in dso))
        cases = self.env["account.dunning.case"].sudo().search(domain)
        self.assertTrue(cases.filtered(lambda case: case.paid_count > 0 and case.avg_days_late > 0))
        self.assertTrue(cases.filtered(lambda case: case.dunning_risk != "low"))
        customers = cases.partner_id.with_company(company).sudo()
        self.assertTrue(customers.filtered(lambda partner: partner.dunning_late_share > 0))
