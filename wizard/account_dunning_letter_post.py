from odoo import api, fields, models


class AccountDunningLetterPost(models.TransientModel):
    """*Mark as posted*: the day printed letters were put in the post."""

    _name = "account.dunning.letter.post"
    _description = "Dunning: mark printed letters as posted"

    letter_ids = fields.Many2many("account.dunning.letter", string="Letters", required=True)
    posted_date = fields.Date(string="Posted on", required=True, default=fields.Date.context_today)

    @api.model
    def default_get(self, fields_list):
        values = super().default_get(fields_list)
        if "letter_ids" in fields_list and self.env.context.get("active_model") == "account.dunning.letter":
            values["letter_ids"] = [fields.Command.set(self.env.context.get("active_ids", []))]
        return values

    def action_confirm(self):
        self.ensure_one()
        self.letter_ids._mark_posted(self.posted_date)
        return {"type": "ir.actions.act_window_close"}
