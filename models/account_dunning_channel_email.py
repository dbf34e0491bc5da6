from odoo import models
from odoo.exceptions import UserError
from odoo.fields import Command


class AccountDunningChannelEmail(models.AbstractModel):
    """E-mail: the level's template in the customer's language, to the invoicing address,
    with the letter PDF (and the invoices, if the level says so), logged on the letter."""

    _name = "account.dunning.channel.email"
    _inherit = "account.dunning.channel"
    _description = "Dunning: sending by e-mail"

    def _no_email_error(self, letter):
        recipient = letter.recipient_id or letter.partner_id
        if recipient.email:
            return False
        return self.env._(
            "%(partner)s has no e-mail address: add one or use another channel.", partner=recipient.display_name
        )

    def _send_batch(self, letters):
        """Many letters at once: their PDFs in one rendering, their e-mails rendered from the
        template for all of them and created in one ``create`` (each is also the letter's
        chatter entry, with no follower work), for Odoo's outgoing mail queue."""
        no_email = letters.browse()
        for letter in letters:
            if reason := self._no_email_error(letter):
                letter._mark_failed(reason)
                no_email |= letter
        # Attached invoices are rendered with each letter (a level option, seldom used).
        with_invoices = (letters - no_email).filtered(lambda letter: letter.level_id.attach_invoices)
        sent = self._send_one_by_one(with_invoices)
        batch = letters - no_email - with_invoices
        if not batch:
            return sent
        pdfs = self._render_pdfs(batch)
        messages = self._create_emails(batch, pdfs)
        for letter in batch:
            letter.write({"pdf_attachment_id": pdfs[letter.id].id, "mail_message_id": messages[letter.id].id})
        return sent | batch

    def _template(self, letter):
        return letter.level_id.mail_template_id or self.env.ref("account_dunning.mail_template_dunning_letter")

    def _create_emails(self, letters, pdfs):
        """The e-mail of each letter, its PDF attached, queued in Odoo's outgoing mail queue:
        per template, the mail composer's mass-mail values (rendered in each recipient's
        language, in the template's layout) for all the letters, then one ``create`` of the
        e-mails and one of their notifications. Returns ``{letter id: mail.message}``."""
        messages = {}
        for template, group in letters.grouped(self._template).items():
            composer = (
                self.env["mail.compose.message"]
                .with_context(
                    default_composition_mode="mass_mail",
                    default_model=group._name,
                    default_res_ids=group.ids,
                    default_template_id=template.id,
                )
                .create({"auto_delete": False})
            )
            values_by_letter = composer._manage_mail_values(composer._prepare_mail_values(group.ids))
            comment = self.env["ir.model.data"]._xmlid_to_res_id("mail.mt_comment")
            for letter_id, values in values_by_letter.items():
                # On the letter's history, a message sent to the customer, as a posted one.
                values.update(message_type="comment", subtype_id=comment)
                values["attachment_ids"] = [*values.get("attachment_ids", []), Command.link(pdfs[letter_id].id)]
                # The recipients show on the letter's history as on a posted message.
                values["partner_ids"] = list(values.get("recipient_ids", []))
            mails = self.env["mail.mail"].sudo().create(list(values_by_letter.values()))
            self.env["mail.notification"].sudo().create(composer._generate_mail_notification_values(mails))
            messages.update({mail.res_id: mail.mail_message_id for mail in mails})
        return messages

    def _send_letter(self, letter):
        if reason := self._no_email_error(letter):
            raise UserError(reason)
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
