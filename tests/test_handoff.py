import csv
import io
from collections import defaultdict
from datetime import date
from decimal import Decimal

import openpyxl

from odoo.exceptions import UserError
from odoo.fields import Command
from odoo.tests import Form, freeze_time, tagged

from odoo.addons.account_dunning.law import recovery
from odoo.addons.account_dunning.models.account_dunning_handoff import EXPORT_COLUMNS

from .common import DunningCommon, french_chart_installed

# The accounts of the French chart that the hand-off's entries use, by role.
FRENCH_CODES = {
    "receivable": "411100",
    "payable": "401100",
    "interest": "763100",
    "indemnity": "758000",
    "commission": "622600",
    "loss": "654100",
}


class HandoffCommon(DunningCommon):
    """A professional owing 1,200.00 due 2025-03-31 and an agency taking 10 %."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.agency = cls.env["res.partner"].create(
            {
                "name": "Recouvrement Express",
                "is_company": True,
                "is_collection_agency": True,
                "collection_commission_rate": 10.0,
            }
        )
        cls.professional.write(
            {
                "comment": "Internal note: owner is a friend of our CEO",
                "vat": "FR23334175221",
                "street": "1 rue du Pain",
                "zip": "75001",
                "city": "Paris",
            }
        )
        cls.late = cls.invoice(cls.professional, 1200.0, "2025-03-01")  # due 03-31

    def _handoff(self, invoices=None, on="2025-05-30"):
        invoices = invoices or self.late
        lines = invoices.line_ids.filtered(lambda line: line.account_type == "asset_receivable")
        handoff = self.env["account.dunning.handoff"].create(
            {
                "partner_id": self.professional.id,
                "agency_id": self.agency.id,
                "commission_rate": 10.0,
                "date": on,
                "line_ids": [Command.create({"move_line_id": line.id}) for line in lines],
            }
        )
        with freeze_time(on):
            handoff.action_confirm()
        return handoff

    def _accounts(self):
        """The accounts the hand-off's entries use, by their role: the customer's receivable
        (its property account), the agency's payable, and the company's penalty (interest,
        indemnity) and hand-off (commission, loss) accounts. The French chart names them
        763100, 758000, 622600 and 654100; a bare database (generic chart) names them in the
        settings, where one account may play two roles."""
        company = self.company
        interest, indemnity, _sales = company._dunning_penalty_accounts()
        commission, loss, _misc = company._dunning_handoff_accounts()
        roles = {
            "receivable": self.professional.with_company(company).property_account_receivable_id,
            "payable": self.agency.with_company(company).property_account_payable_id,
            "interest": interest,
            "indemnity": indemnity,
            "commission": commission,
            "loss": loss,
        }
        for role, account in roles.items():
            self.assertEqual(len(account), 1, f"one {role} account")
        self.assertEqual(roles["receivable"].account_type, "asset_receivable")
        self.assertEqual(roles["payable"].account_type, "liability_payable")
        self.assertEqual(roles["receivable"], self.company_data["default_account_receivable"])
        return roles


@tagged("post_install", "-at_install")
class TestCollectionHandoff(HandoffCommon):
    """One guarded action with a full trail: freeze, stop reminders, export, recover, write off."""

    def test_confirmation_freezes_amounts_and_stops_reminders(self):
        handoff = self._handoff()
        # 04-01..05-30 = 60 days at 13.15 %: 1200 x .1315 x 60 / 365 = 25.9397 -> 25.94, plus 40
        self.assertRecordValues(
            handoff.line_ids, [{"principal": 1200.0, "interest": 25.94, "indemnity": 40.0, "total": 1265.94}]
        )
        self.assertEqual(handoff.state, "sent")
        run = self.dun("2025-06-10")
        self.assertFalse(self.letters(self.professional))
        self.assertEqual(run.skipped_handoff, 1)

    def test_export_holds_only_what_collection_needs(self):
        handoff = self._handoff()
        text = handoff.export_csv_id.raw.decode()
        rows = list(csv.DictReader(io.StringIO(text)))
        self.assertEqual(tuple(rows[0].keys()), EXPORT_COLUMNS)
        self.assertEqual(
            {
                key: rows[0][key]
                for key in (
                    "debtor_name",
                    "debtor_vat",
                    "invoice_number",
                    "principal",
                    "interest",
                    "indemnity",
                    "total",
                    "currency",
                )
            },
            {
                "debtor_name": "Boulangerie Test SARL",
                "debtor_vat": "FR23334175221",
                "invoice_number": self.late.name,
                "principal": "1200.0",
                "interest": "25.94",
                "indemnity": "40.0",
                "total": "1265.94",
                "currency": "EUR",
            },
        )
        self.assertNotIn("friend of our CEO", text, "nothing else of the customer record leaves the company")
        self.assertIn(handoff.export_xlsx_id, handoff.message_ids.attachment_ids, "the agency reads XLSX")
        self.assertNotIn(handoff.export_csv_id, handoff.message_ids.attachment_ids)
        sheet = openpyxl.load_workbook(io.BytesIO(handoff.export_xlsx_id.raw)).active
        self.assertEqual(tuple(cell.value for cell in sheet[1]), EXPORT_COLUMNS)
        self.assertEqual(sheet.cell(row=2, column=EXPORT_COLUMNS.index("total") + 1).value, 1265.94)

    def test_foreign_currency_invoice_is_exported_in_its_currency(self):
        usd = self.setup_other_currency("USD")  # 1 EUR = 2 USD
        invoice = self.invoice(self.professional, 1000.0, "2025-03-01", currency=usd)
        handoff = self._handoff(invoice)
        row = next(csv.DictReader(io.StringIO(handoff.export_csv_id.raw.decode())))
        # 1000 USD x .1315 x 60 / 365 = 21.6164 -> 21.62; indemnity 40 EUR = 80 USD; total 1,101.62 USD = 550.81 EUR
        self.assertEqual((row["currency"], row["total"]), ("USD", "1101.62"))
        self.assertEqual((row["company_currency"], row["total_company_currency"]), ("EUR", "550.81"))

    def test_partial_recovery_then_write_off_leaves_nothing_open(self):
        handoff = self._handoff()
        handoff.line_ids.to_record = 400.0
        handoff.action_record_recoveries(on_date="2025-07-01")
        self.assertEqual(self.late.amount_residual, 800.0)
        self.assertEqual(handoff.amount_recovered, 400.0)
        handoff.action_write_off(on_date="2025-09-01")
        self.assertEqual(self.late.amount_residual, 0.0)
        self.assertTrue(self.late.line_ids.filtered(lambda line: line.account_type == "asset_receivable").reconciled)
        entry = handoff.write_off_move_id
        self.assertEqual(entry.state, "posted")
        self.assertEqual(sum(entry.line_ids.mapped("debit")), sum(entry.line_ids.mapped("credit")))
        accounts = self._accounts()
        # The loss entry: 800 debited to the loss account, credited to the customer's receivable.
        loss = entry.line_ids.filtered(lambda line: line.account_id == accounts["loss"])
        self.assertEqual(loss.debit, 800.0)
        settled = entry.line_ids.filtered(lambda line: line.account_id == accounts["receivable"])
        self.assertEqual((settled.credit, settled.partner_id), (800.0, self.professional))
        if french_chart_installed(self.env):
            self.assertEqual(
                (loss.account_id.code, settled.account_id.code), (FRENCH_CODES["loss"], FRENCH_CODES["receivable"])
            )
        self.assertEqual(handoff.state, "closed")
        self.assertEqual(handoff.outcome, "partial")
        # Written off is the loss entry; the penalties (25.94 + 40) were never booked, so they
        # are no loss: they are the penalties not recovered.
        self.assertEqual(handoff.amount_written_off, 800.0, "what the loss entry books")
        self.assertEqual(handoff.amount_penalties_unrecovered, 65.94)

    def test_commission_is_booked_once(self):
        handoff = self._handoff()
        handoff.line_ids.to_record = 400.0
        handoff.action_record_recoveries(on_date="2025-07-01")
        handoff.action_book_commission(on_date="2025-07-02")
        entry = handoff.commission_move_id
        accounts = self._accounts()
        expense = entry.line_ids.filtered(lambda line: line.account_id == accounts["commission"])
        self.assertEqual(expense.debit, 40.0, "10 % of 400")
        self.assertEqual(expense.partner_id, self.agency)
        owed = entry.line_ids.filtered(lambda line: line.account_id == accounts["payable"])
        self.assertEqual((owed.credit, owed.partner_id), (40.0, self.agency), "owed to the agency")
        if french_chart_installed(self.env):
            self.assertEqual(
                (expense.account_id.code, owed.account_id.code), (FRENCH_CODES["commission"], FRENCH_CODES["payable"])
            )
        with self.assertRefused(UserError, "already booked"):
            handoff.action_book_commission()

    def test_collectors_cannot_confirm_or_write_off(self):
        collector = self.make_user("cora")
        lines = self.late.line_ids.filtered(lambda line: line.account_type == "asset_receivable")
        draft = (
            self.env["account.dunning.handoff"]
            .with_user(collector)
            .create(
                {
                    "partner_id": self.professional.id,
                    "agency_id": self.agency.id,
                    "date": "2025-05-30",
                    "line_ids": [Command.create({"move_line_id": lines.id})],
                }
            )
        )
        with self.assertRefused(UserError, "Only a dunning manager"):
            draft.action_confirm()
        with freeze_time("2025-05-30"):
            draft.sudo(False).with_user(self.env.user).action_confirm()
        with self.assertRefused(UserError, "Only a dunning manager"):
            draft.with_user(collector).action_write_off()

    def test_cancelling_releases_the_lines(self):
        handoff = self._handoff()
        handoff.action_cancel()
        self.assertFalse(self.late.line_ids.dunning_handoff_id)
        self.dun("2025-06-10")
        self.assertTrue(self.letters(self.professional))

    def test_bad_hand_offs_are_refused(self):
        self._handoff()
        with self.assertRefused(UserError, "already handed"):
            self._handoff()
        paid = self.invoice(self.professional, 100.0, "2025-03-01")
        self.pay(paid, 100.0, "2025-04-01")
        with self.assertRefused(UserError, "paid receivable"):
            self._handoff(paid)

    def test_hand_off_cancels_an_active_plan(self):
        with freeze_time("2025-05-20"):
            action = self.professional.action_propose_installment_plan()
            plan = self.env["account.dunning.installment.plan"].browse(action["res_id"])
            plan.action_confirm()
        self._handoff()
        self.assertEqual(plan.state, "cancelled")

    def test_mandate_states_the_breakdown(self):
        handoff = self._handoff()
        html = self.env["ir.actions.report"]._render_qweb_html("account_dunning.report_dunning_handoff", handoff.ids)[0]
        self.assertIn(b"Collection mandate", html)
        self.assertIn(self.late.name.encode(), html)
        for figure in (b"1,200.00", b"25.94", b"40.00", b"1,265.94"):
            self.assertIn(figure, html)
        self.assertIn(b"may not claim from the debtor any cost", html)

    def test_other_companies_do_not_see_hand_offs(self):
        handoff = self._handoff()
        other = self.setup_other_company(name="Autre SA")["company"]
        user = self.make_user("elsewhere2", "manager", company=other)
        self.assertFalse(self.env["account.dunning.handoff"].with_user(user).search([("id", "=", handoff.id)]))


@tagged("post_install", "-at_install")
class TestHandoffMoney(HandoffCommon):
    """Every euro the agency reports is booked, and the hand-off's figures are the entries'.

    The claim of every test: 1,200.00 due 2025-03-31, handed over on 2025-05-30 with
    04-01..05-30 = 60 days of interest at 13.15 %: 1200 x .1315 x 60 / 365 = 25.9397 -> 25.94,
    plus the 40.00 indemnity: 1,265.94 in all. A recovery pays the principal first, then the
    interest, then the indemnity (law/recovery.py). Commission 10 %."""

    def _entries(self, handoff):
        """Every journal entry the hand-off booked after its confirmation."""
        return (
            handoff.payment_ids.move_id
            | handoff.penalty_invoice_ids
            | handoff.commission_move_ids
            | handoff.write_off_move_id
        )

    def _balances(self, handoff, key):
        """Net balance per account over the hand-off's entries (debit positive), by ``key``
        of the account."""
        balances = defaultdict(float)
        for line in self._entries(handoff).line_ids:
            balances[key(line.account_id)] += line.balance
        return {name: self.eur.round(balance) for name, balance in balances.items() if not self.eur.is_zero(balance)}

    def _assert_balances(self, handoff, **by_role):
        """The hand-off's entries leave ``by_role`` on the accounts of these roles (``cash``
        and those of ``_accounts``), summed per account: on the generic chart one account
        plays several roles (interest and indemnity, commission and loss). Where the French
        chart is installed, each role is also its own French account."""
        accounts = {**self._accounts(), "cash": self._cash_account(handoff)}
        expected = defaultdict(float)
        for role, amount in by_role.items():
            expected[accounts[role].display_name] += amount
        self.assertEqual(
            self._balances(handoff, lambda account: account.display_name),
            {name: self.eur.round(balance) for name, balance in expected.items() if not self.eur.is_zero(balance)},
        )
        if french_chart_installed(self.env):
            codes = {**FRENCH_CODES, "cash": accounts["cash"].code}
            self.assertEqual(
                self._balances(handoff, lambda account: account.code),
                {codes[role]: amount for role, amount in by_role.items()},
            )

    def _cash_account(self, handoff):
        """Where the recovery payments put the money (the bank journal's receipts account)."""
        account = handoff.payment_ids.outstanding_account_id
        self.assertEqual(len(account), 1)
        self.assertEqual(account.account_type, "asset_current")
        return account

    def _receivable(self, invoice=None):
        return (invoice or self.late).line_ids.filtered(lambda line: line.account_type == "asset_receivable")

    def _record(self, handoff, amount, on):
        handoff.line_ids.to_record = amount
        handoff.action_record_recoveries(on_date=on)

    def _assert_reconciled_totals(self, handoff):
        """In one currency: handed over = recovered + written off + penalties not recovered +
        outstanding."""
        self.assertAlmostEqual(
            handoff.amount_total,
            handoff.amount_recovered
            + handoff.amount_written_off
            + handoff.amount_penalties_unrecovered
            + handoff.amount_outstanding,
            places=2,
        )

    def test_recovery_above_the_principal_books_the_penalties(self):
        handoff = self._handoff()
        self._record(handoff, 1250.0, "2025-07-01")
        # 1,250 = 1,200 principal + 25.94 interest + 24.06 of the indemnity
        self.assertRecordValues(
            handoff.line_ids,
            [
                {
                    "recovered": 1250.0,
                    "recovered_principal": 1200.0,
                    "recovered_interest": 25.94,
                    "recovered_indemnity": 24.06,
                    "recovered_company": 1250.0,
                }
            ],
        )
        self.assertTrue(self._receivable().reconciled, "the principal is paid")
        penalty = handoff.penalty_invoice_ids
        self.assertEqual(len(penalty), 1)
        self.assertTrue(penalty.is_dunning_penalty)
        self.assertEqual(penalty.state, "posted")
        self.assertEqual(penalty.partner_id, self.professional)
        self.assertEqual(penalty.amount_total, 50.0, "25.94 + 24.06, no tax")
        self.assertEqual(penalty.amount_residual, 0.0, "paid by the agency's money at once")
        self.assertIn("recovered by Recouvrement Express", penalty.invoice_line_ids[0].name)
        self.assertIn("from 2025-04-01 to 2025-05-30", penalty.invoice_line_ids[0].name)
        handoff.action_book_commission(on_date="2025-07-02")
        accounts = self._accounts()
        self.assertRecordValues(
            penalty.invoice_line_ids.sorted("price_subtotal"),
            [
                {"account_id": accounts["indemnity"].id, "price_subtotal": 24.06},
                {"account_id": accounts["interest"].id, "price_subtotal": 25.94},
            ],
        )
        # Payments: 1,200 + 50 received, credited to the receivable; the penalty invoice: 50
        # debited to the receivable, 25.94 to interest income and 24.06 to the indemnity;
        # commission 10 % x 1,250 = 125 to the commission expense, owed to the agency.
        self._assert_balances(
            handoff,
            cash=1250.0,
            receivable=-1200.0,
            interest=-25.94,
            indemnity=-24.06,
            commission=125.0,
            payable=-125.0,
        )
        self.assertEqual((handoff.amount_recovered, handoff.amount_commission), (1250.0, 125.0))
        # Still claimed: 40 - 24.06 = 15.94 of the indemnity
        self.assertEqual(handoff.amount_outstanding, 15.94)
        self._assert_reconciled_totals(handoff)

        handoff.action_close()
        self.assertEqual(handoff.outcome, "full", "the receivable is paid in full")
        self.assertEqual(
            (handoff.amount_written_off, handoff.amount_penalties_unrecovered, handoff.amount_outstanding),
            (0.0, 15.94, 0.0),
        )
        self._assert_reconciled_totals(handoff)
        self.assertFalse(handoff.write_off_move_id)

        # The days the agency recovered are invoiced: on 08-01 only the days after the hand-off
        # up to the payment remain, 05-31..06-30 at 13.15 % and 07-01 at 12.15 % (2025 H2):
        # 1200 x (.1315 x 31 + .1215 x 1) / 365 = 13.8016 -> 13.80; the indemnity is invoiced.
        with freeze_time("2025-08-01"):
            self.late.invalidate_recordset(["late_interest_amount", "late_indemnity_amount"])
            self.assertEqual((self.late.late_interest_amount, self.late.late_indemnity_amount), (13.80, 0.0))
        self.assertRecordValues(
            self.late.dunning_penalty_ids,
            [
                {
                    "penalty_move_id": penalty.id,
                    "date_from": date(2025, 4, 1),
                    "date_to": date(2025, 5, 30),
                    "interest_amount": 25.94,
                    "indemnity_amount": 24.06,
                    "handoff_line_id": handoff.line_ids.id,
                    "active_period": True,
                }
            ],
        )

    def test_recovery_of_exactly_the_principal(self):
        handoff = self._handoff()
        self._record(handoff, 1200.0, "2025-07-01")
        self.assertFalse(handoff.penalty_invoice_ids, "no penalty was recovered: nothing to invoice")
        self.assertFalse(self.late.dunning_penalty_ids)
        self.assertTrue(self._receivable().reconciled)
        handoff.action_book_commission(on_date="2025-07-02")
        # 10 % x 1,200 = 120
        self._assert_balances(handoff, cash=1200.0, receivable=-1200.0, commission=120.0, payable=-120.0)
        self.assertEqual(handoff.amount_outstanding, 65.94, "the penalties are still claimed")
        handoff.action_close()
        self.assertEqual(handoff.outcome, "full")
        self.assertEqual(
            (handoff.amount_recovered, handoff.amount_written_off, handoff.amount_penalties_unrecovered),
            (1200.0, 0.0, 65.94),
        )
        self.assertEqual(handoff.amount_outstanding, 0.0)
        self._assert_reconciled_totals(handoff)

    def test_less_than_the_principal_then_write_off(self):
        handoff = self._handoff()
        self._record(handoff, 400.0, "2025-07-01")
        self.assertEqual(self.late.amount_residual, 800.0)
        handoff.action_book_commission(on_date="2025-07-02")
        handoff.action_write_off(on_date="2025-09-01")
        # 400 received; the loss entry books the 800 left of the principal to the loss account
        # and settles the receivable; commission 10 % x 400 = 40.
        self._assert_balances(handoff, cash=400.0, receivable=-1200.0, loss=800.0, commission=40.0, payable=-40.0)
        loss_account = self._accounts()["loss"]
        loss = handoff.write_off_move_id.line_ids.filtered(lambda line: line.account_id == loss_account)
        self.assertEqual(handoff.amount_written_off, loss.balance, "written off is the loss entry")
        self.assertEqual(handoff.amount_written_off, 800.0)
        self.assertEqual(handoff.line_ids.written_off, 800.0)
        self.assertEqual((handoff.amount_recovered, handoff.amount_commission), (400.0, 40.0))
        self.assertEqual(handoff.amount_penalties_unrecovered, 65.94)
        self.assertEqual(handoff.amount_outstanding, 0.0)
        self._assert_reconciled_totals(handoff)
        self.assertTrue(self._receivable().reconciled, "nothing left open on the receivable")
        self.assertEqual(self.late.amount_residual, 0.0)
        self.assertFalse(handoff.penalty_invoice_ids)
        self.assertEqual((handoff.state, handoff.outcome), ("closed", "partial"))

    def test_penalties_recovered_in_two_statements_and_the_commission_follows(self):
        handoff = self._handoff()
        # First statement: 1,210 = 1,200 principal + 10 of interest.
        self._record(handoff, 1210.0, "2025-07-01")
        handoff.action_book_commission(on_date="2025-07-02")
        self.assertEqual(handoff.amount_commission, 121.0, "10 % x 1,210")
        self.assertFalse(handoff.commission_to_book)
        with self.assertRefused(UserError, "already booked"):
            handoff.action_book_commission()
        # Second statement: 55.94 = the 15.94 left of the interest + the 40 indemnity.
        self._record(handoff, 55.94, "2025-08-01")
        first, second = handoff.penalty_invoice_ids.sorted("id")
        self.assertEqual((first.amount_total, second.amount_total), (10.0, 55.94))
        periods = self.late.dunning_penalty_ids.sorted("id")
        self.assertEqual(
            [(period.date_from, period.interest_amount, period.indemnity_amount) for period in periods],
            [(date(2025, 4, 1), 10.0, 0.0), (False, 15.94, 40.0)],
            "the second part of the same interest covers no new day",
        )
        self.assertTrue(handoff.commission_to_book)
        handoff.action_book_commission(on_date="2025-08-02")
        # 10 % x 1,265.94 = 126.594 -> 126.59 in all, 121 already booked: 5.59 now
        accounts = self._accounts()
        expense = handoff.commission_move_id.line_ids.filtered(lambda line: line.account_id == accounts["commission"])
        self.assertEqual(expense.debit, 5.59)
        self.assertEqual(handoff.amount_commission, 126.59)
        self._assert_balances(
            handoff,
            cash=1265.94,
            receivable=-1200.0,
            interest=-25.94,
            indemnity=-40.0,
            commission=126.59,
            payable=-126.59,
        )
        handoff.action_close()
        self.assertEqual(
            (handoff.amount_recovered, handoff.amount_penalties_unrecovered, handoff.amount_outstanding),
            (1265.94, 0.0, 0.0),
        )

    def test_recovery_above_the_claim_is_refused_and_books_nothing(self):
        handoff = self._handoff()
        handoff.line_ids.to_record = 1300.0
        with self.assertRefused(UserError, "only 1,265.94") as refused:
            handoff.action_record_recoveries(on_date="2025-07-01")
        self.assertIn("1,300.00", str(refused.exception))
        self.assertIn("cannot be booked", str(refused.exception))
        with self.assertRefused(UserError, "restent réclamés"):
            handoff.with_context(lang="fr_FR").action_record_recoveries(on_date="2025-07-01")
        self.assertEqual(self.late.amount_residual, 1200.0)
        self.assertFalse(handoff.payment_ids)
        self.assertEqual(handoff.amount_recovered, 0.0)
        # After 1,200 of principal, 65.94 is all that is still claimed.
        self._record(handoff, 1200.0, "2025-07-01")
        handoff.line_ids.to_record = 65.95
        with self.assertRefused(UserError, "only 65.94"):
            handoff.action_record_recoveries(on_date="2025-07-15")
        handoff.line_ids.to_record = -5.0
        with self.assertRefused(UserError, "cannot be negative"):
            handoff.action_record_recoveries(on_date="2025-07-15")
        self.assertEqual(handoff.amount_recovered, 1200.0)

    def test_the_wizard_leaves_the_agency_its_penalties(self):
        self._handoff()
        wizard = self.env["account.dunning.penalty.invoice"].create(
            {"move_ids": [Command.set(self.late.ids)], "date": "2025-06-15"}
        )
        with self.assertRefused(UserError, "collection agency's mandate"):
            wizard._create_penalty_invoices()
        self.assertFalse(self.late.dunning_penalty_ids)

    def test_form_of_a_new_hand_off_computes_its_figures(self):
        """The form computes the hand-off's figures before anything is saved (new lines)."""
        with Form(self.env["account.dunning.handoff"]) as form:
            form.partner_id = self.professional
            form.agency_id = self.agency
            with form.line_ids.new() as line:
                line.move_line_id = self._receivable()
            self.assertFalse(form.penalty_invoice_ids)
            self.assertEqual(form.amount_outstanding, 0.0, "nothing is claimed before the confirmation")
        handoff = form.record
        handoff.date = "2025-05-30"
        with freeze_time("2025-05-30"):
            handoff.action_confirm()
        self.assertEqual(handoff.amount_outstanding, 1265.94, "1,200 on the receivable + 65.94 of penalties")

    def test_recovery_allocation_order(self):
        """law/recovery.py directly: principal, then interest, then indemnity."""
        allocate = recovery.allocate_recovery
        claim = (Decimal("1200.00"), Decimal("25.94"), Decimal("40.00"))
        self.assertEqual(
            allocate(Decimal("400.00"), *claim),
            recovery.Allocation(Decimal("400.00"), Decimal(0), Decimal(0)),
        )
        # 1,250 - 1,200 = 50: 25.94 interest, 24.06 indemnity
        self.assertEqual(
            allocate(Decimal("1250.00"), *claim),
            recovery.Allocation(Decimal("1200.00"), Decimal("25.94"), Decimal("24.06")),
        )
        self.assertEqual(allocate(Decimal("1265.94"), *claim).penalties, Decimal("65.94"))
        with self.assertRaises(recovery.ExcessRecovery) as excess:
            allocate(Decimal("1265.95"), *claim)
        self.assertEqual(excess.exception.claimed, Decimal("1265.94"))
        with self.assertRaises(ValueError):
            allocate(Decimal("-1"), *claim)
