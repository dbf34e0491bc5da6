import logging

from odoo import api, models
from odoo.exceptions import UserError

_logger = logging.getLogger(__name__)


class AccountDunningChannel(models.AbstractModel):
    """How a letter reaches its customer: one model per channel, named
    ``account.dunning.channel.<channel>`` after the value of the letter's ``channel``
    selection, each inheriting this one.

    To add a channel (an SMS, a registered e-mail service), an addon adds its value to the
    ``channel`` selection of ``account.dunning.level`` and ``account.dunning.letter``
    (``selection_add``, with ``ondelete``) and defines ``account.dunning.channel.<value>``
    with ``_send_letter`` (one letter at a time) or ``_send`` (a batch at once).
    """

    _name = "account.dunning.channel"
    _description = "Dunning: sending channel"

    @api.model
    def _of(self, channel):
        """The sender of ``channel``; this base model (which refuses every letter) when no
        model is defined for it."""
        name = f"account.dunning.channel.{channel}"
        return self.env[name] if name in self.env else self.env["account.dunning.channel"]

    def _send(self, letters):
        """Send ``letters`` (all of this channel, re-checked and ready) and return those that
        went out; the caller marks them sent.

        A letter that cannot go is marked failed with the reason and the others go on: each
        letter is sent in a savepoint, so nothing half-made (PDF, e-mail, activity) stays of
        a failed one. A channel that sends many letters at once overrides this method and
        keeps that promise."""
        sent = letters.browse()
        for letter in letters:
            try:
                with self.env.cr.savepoint():
                    self._send_letter(letter)
                sent |= letter
            except Exception as error:  # noqa: BLE001 - any failure must be recorded, not lost
                _logger.warning("Dunning letter %s could not be sent: %s", letter.id, error)
                letter._mark_failed(str(error))
        return sent

    def _send_letter(self, letter):
        """Send one letter; raise (a ``UserError`` saying why) when it cannot go."""
        raise UserError(
            self.env._(
                "Letters of the channel '%(channel)s' cannot be sent: no sender is installed for it.",
                channel=letter.channel,
            )
        )

    def _render_pdf(self, letter):
        """The letter's PDF (its level's report), attached to the letter."""
        report = letter.level_id.report_id or self.env.ref("account_dunning.action_report_dunning_letter")
        content, report_format = self.env["ir.actions.report"]._render_qweb_pdf(report, letter.ids)
        extension = "pdf" if report_format == "pdf" else "html"
        attachment = self.env["ir.attachment"].create(
            {
                "name": f"{self.env._('Reminder')} {letter.name.replace('/', '-')}.{extension}",
                "raw": content,
                "res_model": letter._name,
                "res_id": letter.id,
                "mimetype": "application/pdf" if report_format == "pdf" else "text/html",
            }
        )
        letter.pdf_attachment_id = attachment
        return attachment
