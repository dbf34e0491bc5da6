from odoo import models
from odoo.exceptions import UserError
from odoo.fields import Command


class AccountDunningChannelEmail(models.AbstractModel):
    """E-mail: the level's template in the customer's language, to the invoicing address,
    with the letter PDF (and the invoices, if the level says so), logged on the letter."""

    _name = "account.dunning.channel.email"
    _inherit = "account.dunning.channel"
    _description = "Dunning: sending by e-mail"

    def _send_letter(self, letter):
        recipient = letter.recipient_id or letter.partner_id
        if not recipient.email:
            raise UserError(
                self.env._(
                    "%(partner)s has no e-mail address: add one or use another channel.", partner=recipient.display_name
                )
            )
        attachments = self._render_pdf(letter)
        if letter.level_id.attach_invoices:
            for invoice in letter.line_ids.move_id:
                content, report_format = self.env["ir.actions.report"]._render_qweb_pdf(
                    "account.account_invoices", invoice.ids
                )
                attachments |= self.env["ir.attachment"].create(
                    {
                        "name": f"{invoice._get_report_base_filename()}.{'pdf' if report_format == 'pdf' else 'html'}",
                        "raw": content,
                        "res_model": letter._name,
                        "res_id": letter.id,
                    }
                )
        template = letter.level_id.mail_template_id or self.env.ref("account_dunning.mail_template_dunning_letter")
        messages = letter.message_post_with_source(
            template,
            message_type="comment",
            subtype_xmlid="mail.mt_comment",
            attachment_ids=[Command.set(attachments.ids)],
        )
        letter.mail_message_id = messages[:1]
