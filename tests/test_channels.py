from contextlib import contextmanager

from odoo import fields, models
from odoo.orm.model_classes import add_to_registry
from odoo.tests import tagged
from odoo.tools import SQL, mute_logger

from .common import DunningCommon

CHANNEL_MODELS = ("account.dunning.level", "account.dunning.letter", "account.dunning.channel")
SMS_SENDER = "account.dunning.channel.sms"


@contextmanager
def sms_channel_installed(env):
    """What a small addon adding an SMS channel declares, registered in memory for the test only
    (as Odoo's own ORM tests register test models): the ``sms`` value on the level's and the
    letter's ``channel`` and its sender ``account.dunning.channel.sms``, whose ``_send_batch``
    records each batch it is given. Nothing is written to the database (no ``ir.model`` row, no
    selection row: the models are set up, not initialised), ``_module = None`` keeps the
    definitions out of every later registry load, and the registry is restored on exit.
    Yields the list of batches sent (letter ids per call)."""
    registry = env.registry
    batches = []

    class SmsLevel(models.Model):
        _module = None
        _name = "account.dunning.level"
        _inherit = ["account.dunning.level"]

        channel = fields.Selection(selection_add=[("sms", "SMS")], ondelete={"sms": "set default"})

    class SmsLetter(models.Model):
        _module = None
        _name = "account.dunning.letter"
        _inherit = ["account.dunning.letter"]

        channel = fields.Selection(selection_add=[("sms", "SMS")], ondelete={"sms": "set null"})

    class SmsSender(models.AbstractModel):
        _module = None
        _name = SMS_SENDER
        _inherit = ["account.dunning.channel"]
        _description = "Dunning: sending by SMS (test)"

        def _send_batch(self, letters):
            batches.append(letters.ids)
            return letters

    extended = [registry[name] for name in CHANNEL_MODELS[:2]]
    saved_bases = [model_class._base_classes__ for model_class in extended]
    for definition in (SmsLevel, SmsLetter, SmsSender):
        add_to_registry(registry, definition)
    registry._setup_models__(env.cr, [*CHANNEL_MODELS, SMS_SENDER])
    try:
        yield batches
    finally:
        env.flush_all()
        for model_class, bases in zip(extended, saved_bases, strict=True):
            model_class._base_classes__ = bases
        del registry[SMS_SENDER]
        registry._setup_models__(env.cr, list(CHANNEL_MODELS))


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


@tagged("post_install", "-at_install")
class TestChannelOfAnotherAddon(DunningCommon):
    """An addon adds a channel with a selection value and one sender model (issue 15 item 5): a
    level using it sends through it, one call per batch, and its letters are marked sent."""

    def _channel_values(self):
        return {
            model: [value for value, _label in self.env[model]._fields["channel"].selection]
            for model in CHANNEL_MODELS[:2]
        }

    def test_a_level_on_an_added_channel_sends_through_it(self):
        other = self.env["res.partner"].create({"name": "Garage Test SAS", "is_company": True, "phone": "+33 1 23"})
        first = self.invoice(self.professional, 300.0, "2025-01-01")  # due 2025-01-31
        self.invoice(other, 120.0, "2025-01-01")
        with sms_channel_installed(self.env) as batches:
            self.assertEqual(self.env["account.dunning.channel"]._of("sms")._name, SMS_SENDER)
            # The first reminder (7 days after the due date) goes by SMS.
            level = self.policy_pro.level_ids.filtered(lambda level: level.delay_days == 7)
            level.channel = "sms"
            self.dun("2025-02-07")
            letters = self.letters(self.professional) | self.letters(other)
            self.assertEqual(letters.mapped("channel"), ["sms", "sms"])
            self.assertEqual(letters.mapped("state"), ["sent", "sent"])
            # One batch of the queue, one call of the sender for both letters, none by e-mail.
            self.assertEqual([sorted(batch) for batch in batches], [sorted(letters.ids)])
            self.assertFalse(letters.mail_message_id)
            self.assertEqual(first.dunning_level_id, level, "the invoice records the level reached")
            # Before the addon goes away (the test's rollback would undo it anyway).
            level.channel = "email"
        self.assertEqual(len(batches), 1)

    def test_the_added_channel_leaves_nothing_behind(self):
        before = self._channel_values()
        with sms_channel_installed(self.env):
            during = self._channel_values()
        self.assertEqual(
            {model: values[-1] for model, values in during.items()}, dict.fromkeys(CHANNEL_MODELS[:2], "sms")
        )
        self.assertEqual(self._channel_values(), before)
        self.assertNotIn(SMS_SENDER, self.env)
        self.assertEqual(self.env["account.dunning.channel"]._of("sms")._name, "account.dunning.channel")
        self.assertFalse(self.env["ir.model"].search([("model", "=", SMS_SENDER)]))
        self.assertFalse(
            self.env["ir.model.fields.selection"].search(
                [("field_id.model", "in", list(CHANNEL_MODELS[:2])), ("value", "=", "sms")]
            )
        )
