from psycopg2.errors import CheckViolation, UniqueViolation

from odoo.exceptions import UserError, ValidationError
from odoo.fields import Command
from odoo.tests import tagged
from odoo.tools import mute_logger

from .common import DunningCommon


@tagged("post_install", "-at_install")
class TestDunningPolicy(DunningCommon):
    """Bad configuration is refused with a clear message and changes nothing."""

    def _policy(self, levels, **vals):
        return self.env["account.dunning.policy"].create(
            {"name": "Custom", "level_ids": [Command.create(level) for level in levels], **vals}
        )

    def test_levels_need_distinct_sequences(self):
        with self.assertRefused(ValidationError, "same sequence"):
            self._policy(
                [{"name": "A", "sequence": 1, "delay_days": 5}, {"name": "B", "sequence": 1, "delay_days": 10}]
            )

    def test_levels_need_increasing_delays(self):
        with self.assertRefused(ValidationError, "strictly increasing delays"):
            self._policy(
                [{"name": "A", "sequence": 1, "delay_days": 10}, {"name": "B", "sequence": 2, "delay_days": 10}]
            )
        with self.assertRefused(ValidationError, "strictly increasing delays"):
            self.levels[2].delay_days = 3  # would come before the first reminder (7)
        self.env.invalidate_all()
        self.assertEqual(self.levels[2].delay_days, 20, "nothing changed")

    @mute_logger("odoo.sql_db")
    def test_courtesy_reminder_at_most_30_days_before(self):
        with self.assertRaises(CheckViolation), self.env.cr.savepoint():
            self._policy([{"name": "Too early", "sequence": 1, "delay_days": -31}])
        policy = self._policy([{"name": "Courtesy", "sequence": 1, "delay_days": -30}])
        self.assertEqual(policy.level_ids.delay_days, -30)

    def test_consumer_policy_cannot_use_a_professional_regime(self):
        with self.assertRefused(ValidationError, "is for consumers"):
            self.policy_consumer.penalty_regime = "fr_b2b"
        self.env.invalidate_all()
        self.assertEqual(self.policy_consumer.penalty_regime, "fr_b2c")

    def test_policy_without_level_cannot_be_used(self):
        empty = self.env["account.dunning.policy"].create({"name": "Empty"})
        with self.assertRefused(ValidationError, "has no level"):
            self.company.dunning_policy_professional_id = empty
        with self.assertRefused(ValidationError, "has no level"):
            self.professional.dunning_policy_id = empty
        self.env.invalidate_all()
        self.assertEqual(self.company.dunning_policy_professional_id, self.policy_pro)

    def test_partner_policy_override_is_used(self):
        special = self._policy([{"name": "Only call", "sequence": 1, "delay_days": 3, "channel": "phone"}])
        self.professional.dunning_policy_id = special
        self.invoice(self.professional, 100.0, "2025-01-01")
        self.dun("2025-02-04")
        self.assertEqual(self.letters(self.professional).level_id, special.level_ids)

    def test_customer_kind_follows_the_company_flag_and_can_be_overridden(self):
        self.assertEqual(self.professional.dunning_customer_kind, "professional")
        self.assertEqual(self.consumer.dunning_customer_kind, "consumer")
        contact = self.env["res.partner"].create({"name": "Contact", "parent_id": self.professional.id})
        self.assertEqual(contact.dunning_customer_kind, "professional", "a contact follows its company")
        self.consumer.dunning_customer_kind = "professional"  # a sole trader
        self.assertEqual(self.consumer._dunning_policy(self.company), self.policy_pro)

    def test_block_and_dispute_need_a_reason(self):
        with self.assertRefused(ValidationError, "Say why reminders"):
            self.professional.dunning_blocked = True
        invoice = self.invoice(self.professional, 100.0, "2025-01-01")
        with self.assertRefused(ValidationError, "Say why invoice"):
            invoice.dunning_excluded = True

    def test_level_used_by_letters_cannot_be_deleted(self):
        self.invoice(self.professional, 100.0, "2025-01-01")
        self.dun("2025-02-07")
        with self.assertRefused(UserError, "has been used in letters"):
            self.levels[1].unlink()
        self.assertTrue(self.levels[1].exists())

    def test_a_policy_in_use_cannot_be_archived(self):
        with self.assertRefused(ValidationError, "is a default policy"):
            self.policy_pro.active = False
        special = self._policy([{"name": "Call", "sequence": 1, "delay_days": 3}])
        self.professional.dunning_policy_id = special
        with self.assertRefused(ValidationError, "Customers use policy"):
            special.active = False
        self.professional.dunning_policy_id = False
        special.active = False
        self.assertFalse(special.active)

    @mute_logger("odoo.sql_db")
    def test_two_values_of_a_rate_on_one_date_are_refused(self):
        Rate = self.env["account.dunning.rate"]
        existing = Rate.search([("rate_type", "=", "ecb_mro")], limit=1)
        with self.assertRaises(UniqueViolation), self.env.cr.savepoint():
            Rate.create({"rate_type": "ecb_mro", "date_from": existing.date_from, "rate": 9.99})
        self.assertEqual(Rate.search_count([("rate_type", "=", "ecb_mro"), ("date_from", "=", existing.date_from)]), 1)
