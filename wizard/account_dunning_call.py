from odoo import fields, models
from odoo.exceptions import UserError


class AccountDunningCall(models.TransientModel):
    """Log a call from the board: its outcome, a note, the next action, and a promise."""

    _name = "account.dunning.call"
    _description = "Log a collection call"

    case_id = fields.Many2one("account.dunning.case", required=True, ondelete="cascade")
    currency_id = fields.Many2one(related="case_id.currency_id")
    outcome = fields.Selection(
        [
            ("reached", "Reached, will pay"),
            ("promise", "Promise to pay"),
            ("dispute", "Disputes the invoice"),
            ("no_answer", "No answer"),
            ("wrong_number", "Wrong number"),
        ],
        required=True,
        default="reached",
    )
    note = fields.Text()
    next_action_date = fields.Date(string="Next action on")
    next_action = fields.Char(string="Next action")
    promise_date = fields.Date(string="Promised for")
    promise_amount = fields.Monetary(string="Promised amount")

    def action_log(self):
        self.ensure_one()
        case = self.case_id
        label = dict(self._fields["outcome"]._description_selection(self.env))[self.outcome]
        if self.outcome == "promise":
            if not self.promise_date or not self.promise_amount:
                raise UserError(self.env._("Say when and how much the customer promised to pay."))
            case._record_promise(self.promise_date, self.promise_amount, self.note)
        case._log_call(label, self.note, self.next_action_date, self.next_action)
        if self.outcome == "dispute":
            case.late_cause_id = self.env.ref("account_dunning.late_cause_dispute", raise_if_not_found=False)
        return {"type": "ir.actions.act_window_close"}
