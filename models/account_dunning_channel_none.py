from odoo import models


class AccountDunningChannelNone(models.AbstractModel):
    """No communication: the letter only records that the level was reached."""

    _name = "account.dunning.channel.none"
    _inherit = "account.dunning.channel"
    _description = "Dunning: no communication"

    def _send_letter(self, letter):
        return True
