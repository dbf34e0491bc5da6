from odoo import api, fields, models
from odoo.exceptions import ValidationError


class AccountMove(models.Model):
    _inherit = "account.move"

    dunning_excluded = fields.Boolean(
        string="Disputed",
        copy=False,
        tracking=True,
        help="A disputed invoice is never reminded until the dispute is cleared.",
    )
    dunning_exclusion_reason = fields.Char(string="Dispute reason", copy=False, tracking=True)
    dunning_level_id = fields.Many2one(
        "account.dunning.level",
        string="Dunning level",
        compute="_compute_dunning_state",
        store=True,
        help="The highest level sent for this invoice's receivable lines.",
    )
    dunning_last_date = fields.Date(string="Last reminded on", compute="_compute_dunning_state", store=True)
    dunning_formal_notice_date = fields.Date(string="Formal notice on", compute="_compute_dunning_state", store=True)

    @api.depends("line_ids.dunning_level_id", "line_ids.dunning_last_date", "line_ids.dunning_formal_notice_date")
    def _compute_dunning_state(self):
        for move in self:
            terms = move.line_ids.filtered("dunning_level_id")
            last = terms.sorted(lambda line: (line.dunning_level_id.delay_days, line.dunning_last_date))[-1:]
            move.dunning_level_id = last.dunning_level_id
            move.dunning_last_date = max(terms.mapped("dunning_last_date"), default=False)
            move.dunning_formal_notice_date = min(
                [date for date in terms.mapped("dunning_formal_notice_date") if date], default=False
            )

    @api.constrains("dunning_excluded", "dunning_exclusion_reason")
    def _check_dunning_exclusion_reason(self):
        for move in self:
            if move.dunning_excluded and not (move.dunning_exclusion_reason or "").strip():
                raise ValidationError(self.env._("Say why invoice %(invoice)s is disputed.", invoice=move.display_name))
