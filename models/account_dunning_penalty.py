from odoo import api, fields, models


class AccountDunningPenalty(models.Model):
    """A period of late-payment penalties already invoiced for one receivable line.

    Interest is never invoiced twice for the same days: the next penalty invoice starts the
    day after the last period still standing. Cancelling or reversing the penalty invoice
    releases its periods.
    """

    _name = "account.dunning.penalty"
    _description = "Invoiced Late-payment Penalty"
    _order = "date_to desc, id desc"
    _check_company_auto = True

    move_line_id = fields.Many2one(
        "account.move.line", string="Receivable line", required=True, index=True, ondelete="cascade", check_company=True
    )
    move_id = fields.Many2one(related="move_line_id.move_id", store=True, index=True, string="Late invoice")
    penalty_move_id = fields.Many2one(
        "account.move", string="Penalty invoice", required=True, index=True, ondelete="cascade", check_company=True
    )
    company_id = fields.Many2one(related="move_line_id.company_id", store=True, index=True, precompute=True)
    currency_id = fields.Many2one(related="move_line_id.currency_id", store=True, precompute=True)
    date_from = fields.Date(help="First day of interest covered (empty for the indemnity alone).")
    date_to = fields.Date(required=True, help="Last day of interest covered.")
    interest_amount = fields.Monetary(currency_field="currency_id")
    indemnity_amount = fields.Monetary(currency_field="currency_id")
    active_period = fields.Boolean(
        compute="_compute_active_period",
        store=True,
        help="The penalty invoice stands: neither cancelled nor reversed.",
    )

    @api.depends("penalty_move_id.state", "penalty_move_id.payment_state")
    def _compute_active_period(self):
        for penalty in self:
            move = penalty.penalty_move_id
            penalty.active_period = move.state != "cancel" and move.payment_state != "reversed"
