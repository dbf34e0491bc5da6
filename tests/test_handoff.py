import csv
import io

import openpyxl

from odoo.exceptions import UserError
from odoo.fields import Command
from odoo.tests import freeze_time, tagged

from odoo.addons.account_dunning.models.account_dunning_handoff import EXPORT_COLUMNS

from .common import DunningCommon


@tagged("post_install", "-at_install")
class TestCollectionHandoff(DunningCommon):
    """One guarded action with a full trail: freeze, stop reminders, export, recover, write off."""

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
        loss = entry.line_ids.filtered(lambda line: line.account_id.code == "654100")
        self.assertEqual(loss.debit, 800.0)
        self.assertEqual(handoff.state, "closed")
        self.assertEqual(handoff.outcome, "partial")
        self.assertEqual(handoff.amount_written_off, 865.94, "the rest of the claim, penalties included, is lost")

    def test_commission_is_booked_once(self):
        handoff = self._handoff()
        handoff.line_ids.to_record = 400.0
        handoff.action_record_recoveries(on_date="2025-07-01")
        handoff.action_book_commission(on_date="2025-07-02")
        entry = handoff.commission_move_id
        expense = entry.line_ids.filtered(lambda line: line.account_id.code == "622600")
        self.assertEqual(expense.debit, 40.0, "10 % of 400")
        self.assertEqual(expense.partner_id, self.agency)
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
                    "line_ids": [Command.create({"move_line_id": lines.id})],
                }
            )
        )
        with self.assertRefused(UserError, "Only a dunning manager"):
            draft.action_confirm()
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
