import logging

from odoo import api, models
from odoo.exceptions import UserError

from odoo.addons.base.models.ir_actions_report import _wkhtml

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

        A channel that can send many letters at once (one PDF rendering, one ``create`` of
        their e-mails) does it in ``_send_batch``. When that fails, each letter is sent alone
        in a savepoint: a letter that cannot go is marked failed with the reason, nothing
        half-made (PDF, e-mail, activity) stays of it, and the others go on."""
        if not letters:
            return letters
        try:
            with self.env.cr.savepoint():
                return self._send_batch(letters)
        except Exception as error:  # noqa: BLE001 - a letter of the batch is at fault: find which
            _logger.info("Dunning letters sent one by one (the batch failed: %s)", error)
        return self._send_one_by_one(letters)

    def _send_batch(self, letters):
        """Send ``letters`` all at once and return those that went out, or raise (then each is
        sent alone by ``_send_letter``). By default, letter by letter."""
        return self._send_one_by_one(letters)

    def _send_one_by_one(self, letters):
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

    @api.model
    def _letter_report(self, letter):
        return letter.level_id.report_id or self.env.ref("account_dunning.action_report_dunning_letter")

    def _attachment_values(self, letter, content, report_format):
        extension = "pdf" if report_format == "pdf" else "html"
        return {
            "name": f"{self.env._('Reminder')} {letter.name.replace('/', '-')}.{extension}",
            "raw": content,
            "res_model": letter._name,
            "res_id": letter.id,
            "mimetype": "application/pdf" if report_format == "pdf" else "text/html",
        }

    def _render_pdfs(self, letters):
        """The PDF of each letter, attached to it: one wkhtmltopdf call per report for all the
        letters (Odoo splits the document per record), attachments made in one ``create``.
        Returns ``{letter id: attachment}``; raises when a letter cannot be rendered."""
        Report = self.env["ir.actions.report"]
        values = []
        for report, group in letters.grouped(self._letter_report).items():
            streams, report_format = {}, None
            if len(group) == 1 or self._can_render_many():
                streams, report_format = Report._pre_render_qweb_pdf(report, group.ids)
            if report_format != "pdf" or set(streams) != set(group.ids):
                # Test mode renders HTML (one document for all), a report Odoo cannot split
                # comes back whole, and a wkhtmltopdf without patched Qt cannot render several
                # documents at once: such letters are rendered one at a time.
                for letter in group:
                    content, one_format = Report._render_qweb_pdf(report, letter.ids)
                    values.append(self._attachment_values(letter, content, one_format))
                continue
            for letter in group:
                stream = streams[letter.id]["stream"]
                values.append(self._attachment_values(letter, stream.getvalue(), "pdf"))
                stream.close()
        attachments = self.env["ir.attachment"].create(values)
        return {attachment.res_id: attachment for attachment in attachments}

    @api.model
    def _can_render_many(self):
        """Whether wkhtmltopdf renders several documents in one call: only its build with
        patched Qt does (Odoo refuses otherwise)."""
        return _wkhtml().is_patched_qt

    def _render_pdf(self, letter):
        """The letter's PDF (its level's report), attached to the letter."""
        content, report_format = self.env["ir.actions.report"]._render_qweb_pdf(self._letter_report(letter), letter.ids)
        attachment = self.env["ir.attachment"].create(self._attachment_values(letter, content, report_format))
        letter.pdf_attachment_id = attachment
        return attachment
