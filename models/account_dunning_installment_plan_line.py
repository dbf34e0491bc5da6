from odoo import api, fields, models


class AccountDunningInstallmentPlanLine(models.Model):
    _name = "account.dunning.installment.plan.line"
    _description = "Installment"
    _order = "plan_id, date_due, sequence, id"

    plan_id = fields.Many2one("account.dunning.installment.plan", required=True, index=True, ondelete="cascade")
    company_id = fields.Many2one(related="plan_id.company_id", store=True, index=True)
    currency_id = fields.Many2one(related="plan_id.currency_id")
    sequence = fields.Integer(default=10)
    is_down_payment = fields.Boolean(string="Down payment")
    date_due = fields.Date(string="Due on", required=True)
    amount = fields.Monetary(required=True)
    amount_paid = fields.Monetary(compute="_compute_payment", string="Paid")
    state = fields.Selection(
        [("due", "To come"), ("partial", "Partly paid"), ("paid", "Paid"), ("late", "Late")],
        compute="_compute_payment",
    )
    reminded = fields.Boolean(readonly=True, copy=False, help="The customer was reminded before this installment.")

    @api.depends(
        "amount",
        "date_due",
        "plan_id.line_ids.amount",
        "plan_id.line_ids.date_due",
        "plan_id.move_line_ids.amount_residual_currency",
    )
    @api.depends_context("date")
    def _compute_payment(self):
        """What was paid on the covered invoices fills the installments in due order."""
        today = fields.Date.context_today(self)
        for plan in self.plan_id:
            paid = max(sum(plan.line_ids.mapped("amount")) - plan.amount_covered, 0.0)
            for line in plan.line_ids.sorted(lambda line: (line.date_due, line.sequence, line.id)):
                line.amount_paid = plan.currency_id.round(min(line.amount, paid))
                paid -= line.amount_paid
                if not plan.currency_id.compare_amounts(line.amount_paid, line.amount):
                    line.state = "paid"
                elif line.date_due < today:
                    line.state = "late"
                elif line.amount_paid:
                    line.state = "partial"
                else:
                    line.state = "due"
        for line in self.filtered(lambda line: not line.plan_id):
            line.amount_paid = 0.0
            line.state = "due"
