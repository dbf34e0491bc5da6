from odoo import models


class AccountDunningChannelLetter(models.AbstractModel):
    """Printed letter: the PDF is made and the letter waits to be printed and posted
    (*Print letters to post* merges them into one file)."""

    _name = "account.dunning.channel.letter"
    _inherit = "account.dunning.channel"
    _description = "Dunning: sending by printed letter"

    def _send_batch(self, letters):
        """Many letters at once: their PDFs in one rendering, one note each in one go."""
        pdfs = self._render_pdfs(letters)
        for letter in letters:
            letter.write({"pdf_attachment_id": pdfs[letter.id].id, "is_printed": False})
        letters._message_log_batch(
            bodies=dict.fromkeys(letters.ids, self.env._("Letter ready to be printed and posted."))
        )
        return letters

    def _send_letter(self, letter):
        attachment = self._render_pdf(letter)
        letter.message_post(
            body=self.env._("Letter ready to be printed and posted."),
            attachment_ids=attachment.ids,
        )
        letter.is_printed = False
