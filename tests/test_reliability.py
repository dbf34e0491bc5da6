from datetime import date
from unittest.mock import patch

from odoo.exceptions import UserError
from odoo.tests import freeze_time, tagged

from ..law.rates import MissingRateError
from .common import DunningCommon


@tagged("post_install", "-at_install")
class TestReliability(DunningCommon):
    """Small defects found by reading (issue 13 item 9), each pinned by a test."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.company_b = cls.setup_other_company(name="Société B")["company"]
        cls.env.user.company_ids |= cls.company_b

    def _missing_rate_todos(self, company):
        runs = self.env["account.dunning.run"].search([("company_id", "=", company.id)])
        return self.env["mail.activity"].search(
            [("res_model", "=", "account.dunning.run"), ("res_id", "in", runs.ids), ("date_done", "=", False)]
        )

    def test_missing_rate_todo_per_company_not_per_translated_summary(self):
        Run = self.env["account.dunning.run"]
        error = MissingRateError("be_late_payment", "2026 H2")
        run_a = Run._get_or_create(self.company, date(2026, 7, 5))
        run_b = Run._get_or_create(self.company_b, date(2026, 7, 5))
        run_a._notify_missing_rate(error)
        # Company B's managers need their own to-do: company A's must not hide it.
        run_b._notify_missing_rate(error)
        self.assertEqual(len(self._missing_rate_todos(self.company)), 1)
        self.assertEqual(len(self._missing_rate_todos(self.company_b)), 1)
        # The next day's run of A, in French this time, finds A's to-do still open: no second one.
        Run._get_or_create(self.company, date(2026, 7, 6)).with_context(lang="fr_FR")._notify_missing_rate(error)
        self.assertEqual(len(self._missing_rate_todos(self.company)), 1)
        # Another missing rate of the same company joins the open to-do's note.
        run_a._notify_missing_rate(MissingRateError("ecb_mro", "2026 H2"))
        todo = self._missing_rate_todos(self.company)
        self.assertEqual(len(todo), 1)
        self.assertIn("ECB", str(todo.note) + todo.summary)

    def test_a_failing_board_refresh_never_fails_a_payment(self):
        invoice = self.invoice(self.professional, 1000.0, "2025-01-01")  # due 01-31
        self.dun(date(2025, 2, 20))
        case = self.case_of()
        self.assertEqual(case.amount_overdue, 1000.0)

        def broken_sync(*args, **kwargs):
            # Writes something first, so the test also proves the failed refresh is undone.
            case.sudo().write({"next_action": "written by the failed refresh"})
            raise RuntimeError("boom")

        with (
            freeze_time("2025-02-21"),
            patch.object(type(self.env["account.dunning.case"]), "_sync", broken_sync),
            self.assertLogs("odoo.addons.account_dunning.models.account_move_line", level="ERROR") as logs,
        ):
            self.pay(invoice, 1000.0, "2025-02-21")
        receivable = invoice.line_ids.filtered(lambda line: line.account_type == "asset_receivable")
        self.assertTrue(receivable.reconciled, "the payment is matched with the invoice")
        self.assertIn(invoice.payment_state, ("paid", "in_payment"))
        self.assertIn("were not refreshed", logs.output[0])
        case.invalidate_recordset()
        self.assertNotEqual(case.next_action, "written by the failed refresh", "the failed refresh is rolled back")
        self.assertEqual(case.amount_overdue, 1000.0, "the totals wait for the next run")
        self.dun(date(2025, 2, 22))
        self.assertEqual(case.amount_overdue, 0.0, "the next run catches up")

    def _forget_admin(self):
        """The administrator deleted: ``base.user_admin`` no longer resolves."""
        self.env["ir.model.data"].sudo().search([("module", "=", "base"), ("name", "=", "user_admin")]).unlink()
        self.assertFalse(self.env.ref("base.user_admin", raise_if_not_found=False))

    def test_broken_promise_and_missing_rate_without_administrator(self):
        self._forget_admin()
        self.invoice(self.professional, 1000.0, "2025-01-01")  # due 01-31
        self.dun("2025-02-07")
        case = self.case_of()
        self.assertFalse(case.user_id, "nobody is responsible: the fallback decides")
        with freeze_time("2025-02-10"):
            case._record_promise(date(2025, 2, 20), 1000.0)
        self.dun("2025-02-28")  # promise + grace over, nothing received: broken
        self.assertEqual(case.promise_state, "broken")
        assignee = case.activity_ids.user_id
        self.assertEqual(len(assignee), 1)
        self.assertTrue(assignee.active)
        self.assertTrue(assignee.has_group("account_dunning.group_dunning_manager"))
        self.assertIn(self.company, assignee.company_ids)

        run = self.env["account.dunning.run"]._get_or_create(self.company, date(2026, 7, 5))
        run._notify_missing_rate(MissingRateError("be_late_payment", "2026 H2"))
        self.assertEqual(run.activity_ids.user_id, assignee)

    def test_fallback_without_manager_nor_administrator_is_the_current_user(self):
        company_c = self.env["res.company"].create({"name": "Société C"})
        self._forget_admin()
        for user in self.env["res.users"].sudo().search([("company_ids", "in", company_c.ids)]):
            user.company_ids -= company_c
        managers = self.env.ref("account_dunning.group_dunning_manager").sudo().all_user_ids
        self.assertFalse(managers.filtered(lambda user: company_c in user.company_ids))
        # No dunning manager works for company C, and the administrator is gone.
        self.assertEqual(company_c._dunning_fallback_user(), self.env.user)

    def test_belgian_consumer_damages_brackets_are_in_euros(self):
        usd = self.setup_other_currency("USD", rates=[("1900-01-01", 2.0)])  # 1 EUR = 2 USD
        # Book XIX allows damages only as the terms stipulate: these terms claim the maximum.
        self.policy_consumer.write({"penalty_regime": "be_b2c", "consumer_clause": "legal_maximum"})
        invoice = self.invoice(self.consumer, 400.0, "2025-08-31", currency=usd)  # due 2025-09-30
        for day in ("2025-09-25", "2025-10-07"):
            # Courtesy reminder, then the free first reminder e-mailed 10-07: claimable from 10-22.
            with freeze_time(day):
                self.dun(day)
        with freeze_time("2025-10-31"):
            invoice.invalidate_recordset(["late_interest_amount", "late_indemnity_amount"])
            # A balance of USD 400 is EUR 200: damages 30 + 10 % x (200 - 150) = EUR 35 = USD 70.
            # (Read as euros, 400 would give 30 + 10 % x 250 = 55.)
            # Interest 10-22..10-31 = 10 days at 10.5 %: 400 x .105 x 10 / 365 = 1.1507 -> 1.15.
            self.assertEqual((invoice.late_interest_amount, invoice.late_indemnity_amount), (1.15, 70.0))

    def _terms_line(self, invoice):
        return invoice.line_ids.filtered(lambda line: line.display_type == "payment_term")

    def test_printed_reminder_counts_once_marked_posted(self):
        # Book XIX allows damages only as the terms stipulate: these terms claim the maximum.
        self.policy_consumer.write({"penalty_regime": "be_b2c", "consumer_clause": "legal_maximum"})
        self.policy_consumer.level_ids.write({"channel": "letter"})
        invoice = self.invoice(self.consumer, 200.0, "2025-08-31")  # due 2025-09-30
        for day in ("2025-09-25", "2025-10-07"):
            with freeze_time(day):
                self.dun(day)
        letter = self.letters(self.consumer)[-1]
        self.assertEqual((letter.channel, letter.state), ("letter", "sent"))
        self.assertFalse(letter.posted_date, "sent means queued for printing")
        with freeze_time("2025-10-31"):
            invoice.invalidate_recordset(["late_interest_amount", "late_indemnity_amount"])
            # Still waiting in the printing queue: the consumer's 14 days have not started.
            self.assertEqual((invoice.late_interest_amount, invoice.late_indemnity_amount), (0.0, 0.0))
        with freeze_time("2025-10-09"):
            wizard = (
                self.env["account.dunning.letter.post"]
                .with_context(active_model="account.dunning.letter", active_ids=letter.ids)
                .create({})
            )
            self.assertEqual(wizard.letter_ids, letter)
            self.assertEqual(str(wizard.posted_date), "2025-10-09")
            wizard.action_confirm()
        self.assertEqual(str(letter.posted_date), "2025-10-09")
        with freeze_time("2025-11-06"):
            invoice.invalidate_recordset(["late_interest_amount", "late_indemnity_amount"])
            # Posted Thursday 10-09: presumed received the third working day after, Tuesday 10-14
            # (10-10, 10-13, 10-14); 14 days from then: claimable from 10-28.
            # 10-28..11-06 = 10 days at 10.5 %: 200 x .105 x 10 / 365 = 0.5753 -> 0.58;
            # damages on 200: 30 + 10 % x (200 - 150) = 35.
            self.assertEqual((invoice.late_interest_amount, invoice.late_indemnity_amount), (0.58, 35.0))
        with self.assertRefused(UserError, "not yet marked posted"):
            letter._mark_posted(date(2025, 10, 10))

    def test_printed_formal_notice_starts_on_the_posting_day(self):
        invoice = self.invoice(self.consumer, 500.0, "2025-07-02")  # due 08-01
        self.policy_consumer.allow_level_skip = True
        self.dun("2025-09-15")  # 45 days late: the formal notice, a printed letter
        letter = self.letters(self.consumer)
        self.assertEqual((letter.channel, letter.is_formal_notice), ("letter", True))
        with freeze_time("2025-09-16"):
            letter.action_send()
        self.assertFalse(self._terms_line(invoice).dunning_formal_notice_date, "queued, not yet posted")
        with freeze_time("2025-09-20"):
            with self.assertRefused(UserError, "between its sending"):
                letter._mark_posted(date(2025, 9, 21))  # tomorrow
            with self.assertRefused(UserError, "between its sending"):
                letter._mark_posted(date(2025, 9, 15))  # before it was sent
            self.assertFalse(letter.posted_date, "a refusal changes nothing")
            letter._mark_posted(date(2025, 9, 18))
        self.assertEqual(str(self._terms_line(invoice).dunning_formal_notice_date), "2025-09-18")

    def _refresh_queries(self, invoices):
        lines = invoices.line_ids.filtered(lambda line: line.account_type == "asset_receivable")
        self.env.flush_all()
        self.env.invalidate_all()
        before = self.env.cr.sql_log_count
        with freeze_time("2025-02-21"):
            lines._dunning_refresh_cases()
            self.env.flush_all()
        return self.env.cr.sql_log_count - before

    def test_board_refresh_after_a_reconciliation_does_not_grow_with_customers(self):
        customers = self.env["res.partner"].create([{"name": f"Client {n}", "is_company": True} for n in range(10)])
        invoices = self.env["account.move"]
        for customer in customers:
            invoices |= self.invoice(customer, 100.0, "2025-01-01")  # due 01-31
        self.dun(date(2025, 2, 20), send=False)
        self.assertEqual(len(self.env["account.dunning.case"].search([("partner_id", "in", customers.ids)])), 10)
        small = self._refresh_queries(invoices[:2])
        large = self._refresh_queries(invoices)
        # Five times the customers, one set of queries: the same count, give or take a few.
        self.assertLess(large, small + 5, f"{small} queries for 2 customers, {large} for 10")
