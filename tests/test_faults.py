from odoo.fields import Command
from odoo.tests import tagged
from odoo.tools import mute_logger

from .common import DunningCommon


@tagged("post_install", "-at_install")
class TestDunningFaults(DunningCommon):
    """A fault on one letter is recorded on that letter; the others go out."""

    def _broken_report(self):
        """A letter report whose template really fails when rendered (it reads a field letters
        do not have), as a customised report with a mistake would."""
        self.env["ir.ui.view"].create(
            {
                "name": "Broken reminder",
                "type": "qweb",
                "key": "account_dunning.test_broken_letter",
                "arch": '<t t-name="account_dunning.test_broken_letter">'
                '<t t-foreach="docs" t-as="o"><p t-out="o.no_such_field"/></t></t>',
            }
        )
        return self.env["ir.actions.report"].create(
            {
                "name": "Broken reminder",
                "model": "account.dunning.letter",
                "report_type": "qweb-pdf",
                "report_name": "account_dunning.test_broken_letter",
            }
        )

    @mute_logger("odoo.addons.account_dunning.models.account_dunning_channel")
    def test_pdf_failure_on_one_letter_leaves_the_others_sent(self):
        # Three customers late on 2025-02-07; the middle one's policy uses the broken report.
        first = self.env["res.partner"].create({"name": "A SARL", "is_company": True, "email": "a@example.com"})
        broken = self.env["res.partner"].create({"name": "B SARL", "is_company": True, "email": "b@example.com"})
        last = self.env["res.partner"].create({"name": "C SARL", "is_company": True, "email": "c@example.com"})
        special = self.env["account.dunning.policy"].create(
            {
                "name": "Custom letter",
                "penalty_regime": "fr_b2b",
                "level_ids": [
                    Command.create(
                        {"name": "Reminder", "sequence": 1, "delay_days": 7, "report_id": self._broken_report().id}
                    )
                ],
            }
        )
        broken.dunning_policy_id = special
        invoices = {partner: self.invoice(partner, 500.0, "2025-01-01") for partner in (first, broken, last)}
        run = self.dun("2025-02-07")  # 7 days late: every customer gets a letter, sent together

        failed = self.letters(broken)
        self.assertEqual(failed.state, "failed")
        self.assertIn("no_such_field", failed.failure_reason, "the reason is recorded on the letter")
        self.assertIn("Sending failed", failed.message_ids[0].body, "and in its history")
        self.assertFalse(failed.pdf_attachment_id, "nothing half-made is kept")
        self.assertFalse(failed.mail_message_id, "no e-mail left")
        self.assertFalse(
            invoices[broken].line_ids.filtered("dunning_level_id"), "the line did not receive the level it missed"
        )
        for partner in (first, last):
            letter = self.letters(partner)
            self.assertEqual(letter.state, "sent", f"{partner.name} got its letter")
            self.assertTrue(letter.pdf_attachment_id)
            self.assertEqual(letter.mail_message_id.attachment_ids, letter.pdf_attachment_id)
        self.assertEqual((run.letters_sent, run.letters_failed), (2, 1))

        # Once the report is fixed, the failed letter is retried and goes out.
        special.level_ids.report_id = self.env.ref("account_dunning.action_report_dunning_letter")
        failed.action_retry()
        self.assertEqual(failed.state, "sent")
        self.assertFalse(failed.failure_reason)
