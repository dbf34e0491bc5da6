from odoo import api, fields, models
from odoo.fields import Command


class AccountDunningInstallmentReschedule(models.TransientModel):
    """Reschedule an active plan: new dates or amounts for the installments still to pay, the
    total unchanged. The plan's history records each change (``_amend_installments``)."""

    _name = "account.dunning.installment.reschedule"
    _description = "Reschedule an installment plan"

    plan_id = fields.Many2one("account.dunning.installment.plan", required=True, ondelete="cascade")
    currency_id = fields.Many2one(related="plan_id.currency_id")
    line_ids = fields.One2many("account.dunning.installment.reschedule.line", "wizard_id", string="Schedule")

    @api.model
    def default_get(self, fields_list):
        values = super().default_get(fields_list)
        plan = self.env["account.dunning.installment.plan"].browse(values.get("plan_id"))
        if plan and "line_ids" in fields_list:
            values["line_ids"] = [
                Command.create({"installment_id": line.id, "date_due": line.date_due, "amount": line.amount})
                for line in plan.line_ids.sorted(lambda line: (line.date_due, line.sequence, line.id))
            ]
        return values

    def action_apply(self):
        self.ensure_one()
        self.plan_id._amend_installments(
            {line.installment_id: {"date_due": line.date_due, "amount": line.amount} for line in self.line_ids}
        )
        return {"type": "ir.actions.act_window_close"}
