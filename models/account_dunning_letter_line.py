from odoo import api, fields, models
from odoo.exceptions import UserError


class AccountDunningLetterLine(models.Model):
    _name = "account.dunning.letter.line"
    _description = "Dunning Letter Line"
    _order = "letter_id, date_maturity, id"
    _check_company_auto = True

    letter_id = fields.Many2one("account.dunning.letter", required=True, index=True, ondelete="cascade")
    company_id = fields.Many2one(related="letter_id.company_id", store=True, index=True, precompute=True)
    currency_id = fields.Many2one(related="letter_id.currency_id", store=True, precompute=True)
    move_line_id = fields.Many2one(
        "account.move.line",
        string="Receivable line",
        required=True,
        index=True,
        ondelete="restrict",
        check_company=True,
    )
    move_id = fields.Many2one(related="move_line_id.move_id", store=True, index=True, string="Invoice")
    invoice_date = fields.Date(related="move_id.invoice_date")
    payment_reference = fields.Char(related="move_id.payment_reference")
    level_id = fields.Many2one("account.dunning.level", required=True, index=True, ondelete="restrict")
    date_maturity = fields.Date(string="Due date", required=True)
    amount_due = fields.Monetary(
        string="Amount due",
        currency_field="currency_id",
        help="What was still due on this line when the letter was made or sent.",
    )
    interest_amount = fields.Monetary(
        string="Interest",
        currency_field="currency_id",
        help="Late-payment interest on the letter's date, not yet invoiced.",
    )
    indemnity_amount = fields.Monetary(
        string="Indemnity", currency_field="currency_id", help="Recovery indemnity of the invoice (once per invoice)."
    )
    days_late = fields.Integer(compute="_compute_days_late", help="Days past the due date on the letter's date.")

    @api.ondelete(at_uninstall=False)
    def _unlink_except_sent(self):
        if any(line.letter_id.state == "sent" for line in self):
            raise UserError(self.env._("A sent letter is part of the customer's history: its lines cannot be removed."))

    @api.model_create_multi
    def create(self, vals_list):
        lines = super().create(vals_list)
        lines.letter_id._check_lines_editable()
        return lines

    def write(self, vals):
        # Checked before and after: a line can neither leave a sent letter nor join one.
        self.letter_id._check_lines_editable()
        result = super().write(vals)
        if "letter_id" in vals:
            self.letter_id._check_lines_editable()
        return result

    @api.depends("date_maturity", "letter_id.date")
    def _compute_days_late(self):
        for line in self:
            line.days_late = (line.letter_id.date - line.date_maturity).days if line.letter_id.date else 0
