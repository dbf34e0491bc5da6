from datetime import date
from unittest.mock import patch

from odoo.exceptions import UserError
from odoo.fields import Command
from odoo.tests import freeze_time, tagged

from .common import DunningCommon


@tagged("post_install", "-at_install")
class TestOpenReceivable(DunningCommon):
    """One definition of a debt: the run, the board, plans and hand-offs see the same lines."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.agency = cls.env["res.partner"].create(
            {"name": "Recouvrement Express", "is_company": True, "is_collection_agency": True}
        )

    def _opening_balance(self, partner, amount, due, ref):
        """A migrated opening balance: a posted journal entry debiting the customer's receivable."""
        receivable = partner.with_company(self.company).property_account_receivable_id
        entry = self.env["account.move"].create(
            {
                "move_type": "entry",
                "date": "2025-01-01",
                "ref": ref,
                "journal_id": self.company_data["default_journal_misc"].id,
                "line_ids": [
                    Command.create(
                        {
                            "account_id": receivable.id,
                            "partner_id": partner.id,
                            "name": f"Opening balance {ref}",
                            "debit": amount,
                            "date_maturity": due,
                        }
                    ),
                    Command.create({"account_id": self.company_data["default_account_revenue"].id, "credit": amount}),
                ],
            }
        )
        entry.action_post()
        return entry

    def _paid_without_entry(self, invoice, state):
        """Paid by a payment without journal entry (no outstanding account): the invoice says
        ``paid`` (Community) or ``in_payment`` (the accounting app's hook) while its receivable
        line stays unreconciled."""
        method_line = self.company_data["default_journal_bank"].inbound_payment_method_line_ids[:1]
        method_line.payment_account_id = False
        Move = type(self.env["account.move"])
        with patch.object(Move, "_get_invoice_in_payment_state", lambda move: state):
            self._register_payment(invoice, payment_method_line_id=method_line.id, payment_date="2025-02-10")
            self.env.flush_all()  # the state is computed while the hook answers
        self.assertEqual(invoice.payment_state, state)
        self.assertFalse(invoice.line_ids.filtered(lambda line: line.account_type == "asset_receivable").reconciled)

    def test_run_board_plan_and_hand_off_agree_on_what_is_owed(self):
        normal = self.invoice(self.professional, 1000.0, "2025-01-01")  # due 01-31
        paying = self.invoice(self.professional, 300.0, "2025-01-01")  # due 01-31
        blocked = self.invoice(self.professional, 200.0, "2025-01-01")  # due 01-31
        entry = self._opening_balance(self.professional, 450.0, "2025-01-15", "OLD-2024-0042")
        self._paid_without_entry(paying, "in_payment")
        blocked.action_toggle_block_payment()
        self.assertEqual(blocked.payment_state, "blocked")
        owed_lines = (normal | entry).line_ids.filtered(lambda line: line.account_type == "asset_receivable")

        on = date(2025, 3, 1)
        Receivable = self.env["account.dunning.receivable"]
        candidates = Receivable._candidate_lines(self.company, on, [self.professional.id])
        self.assertEqual({row["id"] for row in candidates}, set(owed_lines.ids), "the run's candidates")
        # The ORM form of the same definition (cases, plans, customers, insolvency), under its one name.
        owed = self.env["account.move.line"].search(
            [*Receivable._owed_domain(self.company), ("partner_id", "=", self.professional.id)]
        )
        self.assertEqual(owed, owed_lines, "the owed domain")
        self.assertFalse(
            hasattr(self.env["account.move.line"], "_dunning_owed_domain"),
            "one name for the owed domain: account.dunning.receivable._owed_domain",
        )

        run = self.dun(on, send=False)
        case = self.case_of()
        # Owed and overdue on 03-01: the invoice 1000 (due 01-31) + the opening balance 450
        # (due 01-15) = 1450, two documents, the oldest 45 days late (01-15 -> 03-01). The
        # invoice in payment (300) and the blocked one (200) are not owed.
        self.assertRecordValues(
            case,
            [{"amount_overdue": 1450.0, "amount_due": 1450.0, "late_invoice_count": 2, "oldest_days_late": 45}],
        )
        letter = run.letter_ids.filtered(lambda letter: letter.partner_id == self.professional)
        self.assertEqual(letter.line_ids.move_line_id, owed_lines, "the letter reminds both debts")

        with freeze_time(on):
            plan_action = case.action_propose_plan()
        plan = self.env["account.dunning.installment.plan"].browse(plan_action["res_id"])
        self.assertEqual(plan.move_line_ids, owed_lines, "the plan's lines")
        self.assertEqual(plan.amount_covered, 1450.0)
        plan.unlink()
        with freeze_time(on):
            # Proposed from the invoices list: the invoice in payment and the blocked one owe nothing.
            with self.assertRefused(UserError, "nothing left to pay"):
                (paying | blocked).action_propose_installment_plan()
            plan_action = (normal | paying | blocked).action_propose_installment_plan()
        plan = self.env["account.dunning.installment.plan"].browse(plan_action["res_id"])
        self.assertEqual(
            plan.move_line_ids, normal.line_ids.filtered(lambda line: line.account_type == "asset_receivable")
        )
        plan.unlink()

        with freeze_time(on):
            handoff_action = case.action_propose_handoff()
        handoff = self.env["account.dunning.handoff"].browse(handoff_action["res_id"])
        self.assertEqual(handoff.line_ids.move_line_id, owed_lines, "the hand-off's lines")
        # The agency knows the opening balance by its reference and the entry's date.
        self.assertEqual(
            sorted((row["invoice_number"], row["invoice_date"]) for row in handoff._export_rows()),
            sorted([(normal.name, "2025-01-01"), ("OLD-2024-0042", "2025-01-01")]),
        )

        # The forecast expects the same lines, and the case's invoice list shows their documents.
        forecast = self.env["account.dunning.forecast"].search([("partner_id", "=", self.professional.id)])
        self.assertEqual(forecast.move_line_id, owed_lines)
        moves = self.env["account.move"].search(case.action_open_invoices()["domain"])
        self.assertEqual(moves, normal | entry)

    def test_letter_shows_a_journal_entry_by_its_reference(self):
        self._opening_balance(self.professional, 450.0, "2025-01-15", "OLD-2024-0042")
        run = self.dun(date(2025, 3, 1), send=False)
        letter = run.letter_ids.filtered(lambda letter: letter.partner_id == self.professional)
        html = (
            self.env["ir.actions.report"]
            ._render_qweb_html("account_dunning.report_dunning_letter", letter.ids)[0]
            .decode()
        )
        self.assertIn("OLD-2024-0042", html)
        self.assertIn("450.00", html)
        statement = (
            self.env["ir.actions.report"]
            ._render_qweb_html("account_dunning.report_dunning_statement", self.professional.ids)[0]
            .decode()
        )
        self.assertIn("OLD-2024-0042", statement)
