from odoo import fields, models


class AccountDunningInstallmentRescheduleLine(models.TransientModel):
    _name = "account.dunning.installment.reschedule.line"
    _description = "Reschedule an installment plan: one installment"

    wizard_id = fields.Many2one("account.dunning.installment.reschedule", required=True, ondelete="cascade")
    installment_id = fields.Many2one("account.dunning.installment.plan.line", required=True, readonly=True)
    currency_id = fields.Many2one(related="installment_id.currency_id")
    state = fields.Selection(related="installment_id.state", string="Status")
    amount_paid = fields.Monetary(related="installment_id.amount_paid")
    date_due = fields.Date(string="Due on", required=True)
    amount = fields.Monetary(required=True)
