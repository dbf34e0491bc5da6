from odoo import api, fields, models

from .record_lock import is_internal

# What the system still records on the installments of a confirmed plan: whether the customer
# was reminded before one. The paid amounts and states are computed from the payments.
# Dates and amounts change only through the plan's Reschedule action, which logs them.
WRITABLE_WHEN_CONFIRMED = frozenset({"reminded"})


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

    @api.model_create_multi
    def create(self, vals_list):
        lines = super().create(vals_list)
        if not is_internal(self):
            lines.plan_id._check_installments_editable()
        return lines

    def write(self, vals):
        if not is_internal(self) and set(vals) - WRITABLE_WHEN_CONFIRMED:
            self.plan_id._check_installments_editable()
            if "plan_id" in vals:
                self.env["account.dunning.installment.plan"].browse(vals["plan_id"])._check_installments_editable()
        return super().write(vals)

    @api.ondelete(at_uninstall=False)
    def _unlink_except_confirmed(self):
        self.plan_id._check_installments_editable()

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
        computing = set(self._ids)
        for plan in self.plan_id:
            paid = max(sum(plan.line_ids.mapped("amount")) - plan.amount_covered, 0.0)
            for line in plan.line_ids.sorted(lambda line: (line.date_due, line.sequence, line.id)):
                amount_paid = plan.currency_id.round(min(line.amount, paid))
                paid -= amount_paid
                if line.id not in computing:
                    # A sibling outside this computation: assigning it would be a write.
                    continue
                line.amount_paid = amount_paid
                if not plan.currency_id.compare_amounts(amount_paid, line.amount):
                    line.state = "paid"
                elif line.date_due < today:
                    line.state = "late"
                elif amount_paid:
                    line.state = "partial"
                else:
                    line.state = "due"
        for line in self.filtered(lambda line: not line.plan_id):
            line.amount_paid = 0.0
            line.state = "due"
