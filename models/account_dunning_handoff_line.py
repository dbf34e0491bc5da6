from odoo import api, fields, models
from odoo.exceptions import UserError


class AccountDunningHandoffLine(models.Model):
    _name = "account.dunning.handoff.line"
    _description = "Receivable handed to an agency"
    _order = "handoff_id, date_maturity, id"
    _check_company_auto = True

    handoff_id = fields.Many2one("account.dunning.handoff", required=True, index=True, ondelete="cascade")
    company_id = fields.Many2one(related="handoff_id.company_id", store=True, index=True)
    company_currency_id = fields.Many2one(related="company_id.currency_id", string="Company currency")
    move_line_id = fields.Many2one(
        "account.move.line", string="Receivable", required=True, index=True, ondelete="restrict", check_company=True
    )
    move_id = fields.Many2one(related="move_line_id.move_id", store=True, string="Invoice")
    currency_id = fields.Many2one(related="move_line_id.currency_id", store=True, string="Invoice currency")
    date_maturity = fields.Date(related="move_line_id.date_maturity", store=True, string="Due date")
    principal = fields.Monetary(readonly=True, help="What the line owed on the hand-off date.")
    interest = fields.Monetary(readonly=True, help="Late-payment interest owed on the hand-off date, not yet invoiced.")
    indemnity = fields.Monetary(readonly=True, help="Recovery indemnity of the invoice (once per invoice).")
    total = fields.Monetary(compute="_compute_total", store=True)
    total_company = fields.Monetary(
        readonly=True, currency_field="company_currency_id", string="Total (company currency)"
    )
    to_record = fields.Monetary(
        string="Recovered, to record", help="What the agency reports it recovered on this line."
    )
    recovered = fields.Monetary(readonly=True, string="Recovered")
    recovered_company = fields.Monetary(readonly=True, currency_field="company_currency_id")
    written_off_company = fields.Monetary(readonly=True, currency_field="company_currency_id", string="Written off")

    _move_line_handoff_uniq = models.UniqueIndex(
        "(handoff_id, move_line_id)", "A receivable appears once in a hand-off."
    )

    @api.model_create_multi
    def create(self, vals_list):
        lines = super().create(vals_list)
        lines._check_handoff_is_draft()
        return lines

    @api.ondelete(at_uninstall=False)
    def _unlink_except_handed_over(self):
        self._check_handoff_is_draft()

    def _check_handoff_is_draft(self):
        """The receivables of a hand-off are fixed once the agency has them (amounts frozen,
        lines flagged, export made): cancel the hand-off and make another instead."""
        handed = self.handoff_id.filtered(lambda handoff: handoff.state != "draft")
        if handed:
            raise UserError(
                self.env._(
                    "The receivables of %(handoff)s were handed to the agency: they can no longer be added or removed.",
                    handoff=handed[0].name,
                )
            )

    @api.depends("principal", "interest", "indemnity")
    def _compute_total(self):
        for line in self:
            line.total = line.currency_id.round(line.principal + line.interest + line.indemnity)

    def _freeze_amounts(self, on_date):
        """Principal, interest and indemnity of each line on the hand-off date (penalty law)."""
        results = self.move_id._compute_late_penalties(on_date)
        by_line = {line.id: penalty for result in results.values() for line, penalty in result.lines}
        indemnity_done = set()
        for line in self:
            result = results.get(line.move_id.id)
            if result and result.error:
                raise UserError(line.move_id._dunning_rate_error_message(result.error))
            penalty = by_line.get(line.move_line_id.id)
            indemnity = 0.0
            if result and line.move_id.id not in indemnity_done:
                indemnity = result.indemnity
                indemnity_done.add(line.move_id.id)
            principal = line.move_line_id.amount_residual_currency
            interest = penalty.interest if penalty else 0.0
            total = line.currency_id.round(principal + interest + indemnity)
            line.write(
                {
                    "principal": principal,
                    "interest": interest,
                    "indemnity": indemnity,
                    "total_company": line.currency_id._convert(
                        total, line.company_currency_id, line.company_id, on_date
                    ),
                }
            )

    def _register_recovery(self, on_date):
        """A customer payment for what the agency recovered on this line, reconciled with it."""
        self.ensure_one()
        amount = self.currency_id.round(self.to_record)
        if amount <= 0:
            return
        if self.move_line_id.reconciled:
            raise UserError(self.env._("%(invoice)s is already paid.", invoice=self.move_id.name))
        principal_part = min(amount, self.move_line_id.amount_residual_currency)
        self.env["account.payment.register"].with_context(
            active_model="account.move.line", active_ids=self.move_line_id.ids
        ).create(
            {
                "amount": principal_part,
                "payment_date": on_date,
                "currency_id": self.currency_id.id,
                "communication": self.env._("Recovered by %(agency)s", agency=self.handoff_id.agency_id.name),
            }
        )._create_payments()
        self.write(
            {
                "recovered": self.recovered + amount,
                "recovered_company": self.recovered_company
                + self.currency_id._convert(amount, self.company_currency_id, self.company_id, on_date),
                "to_record": 0.0,
            }
        )
