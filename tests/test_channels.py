from odoo.tests import tagged
from odoo.tools import SQL, mute_logger

from .common import DunningCommon


@tagged("post_install", "-at_install")
class TestChannels(DunningCommon):
    """Each channel sends through its own model (``account.dunning.channel.<channel>``), chosen
    by the letter's channel: what an addon adding a channel relies on."""

    def test_every_channel_has_its_sender(self):
        Channel = self.env["account.dunning.channel"]
        for model in ("account.dunning.level", "account.dunning.letter"):
            values = [value for value, _label in self.env[model]._fields["channel"].selection]
            self.assertEqual(values, ["email", "letter", "phone", "none"], model)
            for value in values:
                self.assertEqual(Channel._of(value)._name, f"account.dunning.channel.{value}")

    @mute_logger("odoo.addons.account_dunning.models.account_dunning_channel")
    def test_a_channel_without_sender_fails_its_letters_only(self):
        # Two customers 7 days late on 2025-02-07: two e-mail letters. One of them is moved to
        # a channel an addon declared without defining its sender (written in SQL: the ORM
        # refuses a value outside the selection).
        self.invoice(self.professional, 300.0, "2025-01-01")
        self.invoice(self.consumer, 90.0, "2025-01-01")
        self.dun("2025-02-07", send=False)
        orphan, letter = self.letters(self.professional), self.letters(self.consumer)
        self.env.flush_all()
        self.env.cr.execute(SQL("UPDATE account_dunning_letter SET channel = 'sms' WHERE id = %s", orphan.id))
        self.env.invalidate_all()

        (orphan | letter).action_send()

        self.assertEqual(orphan.state, "failed")
        self.assertEqual(
            orphan.failure_reason, "Letters of the channel 'sms' cannot be sent: no sender is installed for it."
        )
        self.assertEqual(letter.state, "sent", "the other letter went out")
        self.assertTrue(letter.mail_message_id)
