from markupsafe import Markup

from odoo import fields, models
from odoo.tools.misc import format_amount, format_date


class AccountDunningChannelPhone(models.AbstractModel):
    """Phone call: a call activity for the customer's collector, listing what is overdue."""

    _name = "account.dunning.channel.phone"
    _inherit = "account.dunning.channel"
    _description = "Dunning: sending by phone call"

    def _send_letter(self, letter):
        lines = Markup().join(
            Markup("<li>%s</li>")
            % self.env._(
                "%(invoice)s due %(due)s: %(amount)s",
                invoice=line.move_id.name,
                due=format_date(self.env, line.date_maturity),
                amount=format_amount(self.env, line.amount_due, line.currency_id),
            )
            for line in letter.line_ids
        )
        letter.activity_schedule(
            "mail.mail_activity_data_call",
            date_deadline=fields.Date.context_today(letter),
            summary=self.env._(
                "Call %(partner)s: %(amount)s overdue",
                partner=letter.partner_id.name,
                amount=format_amount(self.env, letter.amount_net, letter.currency_id),
            ),
            note=Markup("<ul>%s</ul>") % lines,
            user_id=letter._activity_user().id,
        )
