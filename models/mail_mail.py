from odoo import models


class MailMail(models.Model):
    _inherit = "mail.mail"

    def _postprocess_sent_message(self, success_pids, success_emails, failure_reason=False, failure_type=None):
        # A reminder whose e-mail the server refused must show it: the letter goes to
        # 'failed' with the reason, and can be retried.
        if failure_type:
            letters = (
                self.env["account.dunning.letter"]
                .sudo()
                .search([("mail_message_id", "in", self.mail_message_id.ids), ("state", "=", "sent")])
            )
            letters._mark_failed(failure_reason or failure_type)
        return super()._postprocess_sent_message(
            success_pids, success_emails, failure_reason=failure_reason, failure_type=failure_type
        )
