"""Every bad input the issue lists is refused with a clear message, in the user's language, and
leaves the database as it was.

Table-driven: each case builds its data, names the operation that must be refused and a snapshot
of what must not change; the runner plays it in English and in French, each in its own
savepoint. Refusals by a database constraint (a level too early, two values of a rate on one
date) are checked through the message Odoo shows the user for that constraint
(``_sql_error_to_message``, the text of the constraint, translated).
"""

from contextlib import closing

from psycopg2 import IntegrityError

from odoo.exceptions import UserError, ValidationError
from odoo.fields import Command
from odoo.tests import freeze_time, tagged
from odoo.tools import mute_logger

from .common import DunningCommon

# (what the issue lists, the case's builder, the exception, English words, French words)
CASES = [
    (
        "levels with one sequence",
        "_levels_sharing_a_sequence",
        ValidationError,
        "have the same sequence",
        "ont la même séquence",
    ),
    (
        "levels out of order",
        "_level_moved_before_the_previous",
        ValidationError,
        "strictly increasing delays",
        "délais strictement croissants",
    ),
    (
        "a level due 31 days before the due date",
        "_level_before_the_courtesy_window",
        IntegrityError,
        "cannot be due more than 30 days before the due date",
        "plus de 30 jours avant la date d'échéance",
    ),
    (
        "a consumer policy with the fixed indemnity",
        "_consumer_policy_with_professional_regime",
        ValidationError,
        "is for consumers",
        "est destiné aux particuliers",
    ),
    (
        "a consumer policy with a contractual rate",
        "_consumer_policy_with_contractual_rate",
        ValidationError,
        "legal rate only",
        "que des intérêts au taux légal",
    ),
    (
        "a contractual rate under the floor",
        "_contractual_rate_under_the_floor",
        ValidationError,
        "under the legal floor of 14.76 % for 2024 H2",
        "inférieur au plancher légal de 14.76 % pour 2024 H2",
    ),
    (
        "two values of a rate on one date",
        "_rate_twice_on_one_date",
        IntegrityError,
        "There is already a value for this rate on this date.",
        "Une valeur existe déjà pour ce taux à cette date.",
    ),
    (
        "a plan whose installments do not add up",
        "_plan_not_adding_up",
        ValidationError,
        "they must be equal",
        "les deux montants doivent être égaux",
    ),
    ("a plan in the past", "_plan_in_the_past", ValidationError, "dated in the past", "datée dans le passé"),
    (
        "a hand-off of a line already handed off",
        "_second_hand_off",
        UserError,
        "is already handed to an agency",
        "a déjà été transmise à une société de recouvrement",
    ),
    (
        "a write-off of a paid line",
        "_write_off_of_paid_lines",
        UserError,
        "Nothing is left to write off",
        "plus rien à passer en perte",
    ),
    (
        "a letter sent twice",
        "_letter_sent_twice",
        UserError,
        "only draft, to-send or failed letters can be sent",
        "seules les lettres en brouillon",
    ),
    (
        "a penalty invoice for zero",
        "_penalty_invoice_for_nothing",
        UserError,
        "There is nothing to invoice",
        "Il n'y a rien à facturer",
    ),
    (
        "deleting a level that letters use",
        "_delete_a_used_level",
        UserError,
        "has been used in letters and cannot be deleted",
        "a été utilisé dans des lettres",
    ),
    (
        "deleting a policy whose levels letters use",
        "_delete_a_used_policy",
        UserError,
        "has been used in letters and cannot be deleted",
        "a été utilisé dans des lettres",
    ),
    (
        "archiving a policy customers use",
        "_archive_a_policy_customers_use",
        ValidationError,
        "Customers use policy",
        "Des clients utilisent le scénario",
    ),
    (
        "archiving a default policy",
        "_archive_a_default_policy",
        ValidationError,
        "is a default policy",
        "est un scénario par défaut",
    ),
]


@tagged("post_install", "-at_install")
class TestBadInput(DunningCommon):
    def test_bad_input_is_refused_clearly_and_changes_nothing(self):
        for label, builder, exception, english, french in CASES:
            for lang, words in (("en_US", english), ("fr_FR", french)):
                with self.subTest(case=label, lang=lang), closing(self.env.cr.savepoint()):
                    env = self.env(context=dict(self.env.context, lang=lang))
                    operation, snapshot = getattr(self, builder)(env)
                    env.flush_all()
                    before = snapshot()
                    with mute_logger("odoo.sql_db"), self.assertRaises(exception) as caught, env.cr.savepoint():
                        operation()
                    env.invalidate_all()
                    self.assertIn(words, self._user_message(env, caught.exception))
                    self.assertEqual(snapshot(), before, f"{label}: nothing changed")
                self.env.invalidate_all()

    @staticmethod
    def _user_message(env, error):
        """What the user reads: the exception's text, or for a database constraint the message
        Odoo gives for it (the constraint's translated text)."""
        if not isinstance(error, IntegrityError):
            return str(error)
        model = next(
            (env[name] for name, cls in env.registry.items() if cls._table == error.diag.table_name), env["base"]
        )
        return model._sql_error_to_message(error)

    # ------------------------------------------------------------------
    # Policies, levels, rates
    # ------------------------------------------------------------------

    def _custom_policies(self, env):
        return lambda: env["account.dunning.policy"].with_context(active_test=False).search_count([])

    def _levels_sharing_a_sequence(self, env):
        levels = [{"name": "A", "sequence": 1, "delay_days": 5}, {"name": "B", "sequence": 1, "delay_days": 10}]
        return (
            lambda: env["account.dunning.policy"].create(
                {"name": "Custom", "level_ids": [Command.create(level) for level in levels]}
            ),
            self._custom_policies(env),
        )

    def _level_moved_before_the_previous(self, env):
        levels = self.levels.with_env(env)

        def operation():
            levels[2].delay_days = 3  # the second reminder (20) would come before the first (7)

        return operation, lambda: levels.mapped("delay_days")

    def _level_before_the_courtesy_window(self, env):
        policy = self.policy_pro.with_env(env)
        return (
            lambda: env["account.dunning.level"].create(
                {"policy_id": policy.id, "name": "Too early", "sequence": 5, "delay_days": -31}
            ),
            lambda: policy.level_ids.ids,
        )

    def _consumer_policy_with_professional_regime(self, env):
        policy = self.policy_consumer.with_env(env)

        def operation():
            policy.penalty_regime = "fr_b2b"  # the EUR 40 indemnity and the B2B rate

        return operation, lambda: (policy.penalty_regime, policy.contractual_rate)

    def _consumer_policy_with_contractual_rate(self, env):
        policy = self.policy_consumer.with_env(env)

        def operation():
            policy.contractual_rate = 5.0

        return operation, lambda: (policy.penalty_regime, policy.contractual_rate)

    def _contractual_rate_under_the_floor(self, env):
        policy = self.policy_pro.with_env(env)

        def operation():
            # 2024 H2: the French legal rate (other cases) is 4.92 %, so the floor is 3 x 4.92 = 14.76 %
            with freeze_time("2024-10-01"):
                policy.contractual_rate = 14.50

        return operation, lambda: policy.contractual_rate

    def _rate_twice_on_one_date(self, env):
        Rate = env["account.dunning.rate"]
        existing = Rate.search([("rate_type", "=", "ecb_mro")], limit=1)
        return (
            lambda: Rate.create({"rate_type": "ecb_mro", "date_from": existing.date_from, "rate": 9.99}),
            lambda: Rate.search([("rate_type", "=", "ecb_mro"), ("date_from", "=", existing.date_from)]).mapped("rate"),
        )

    def _archive_a_policy_customers_use(self, env):
        policy = env["account.dunning.policy"].create(
            {"name": "Call only", "level_ids": [Command.create({"name": "Call", "sequence": 1, "delay_days": 3})]}
        )
        self.professional.with_env(env).dunning_policy_id = policy

        def operation():
            policy.active = False

        return operation, lambda: (policy.active, self.professional.with_env(env).dunning_policy_id)

    def _archive_a_default_policy(self, env):
        policy = self.policy_pro.with_env(env)

        def operation():
            policy.active = False

        return operation, lambda: (policy.active, self.company.with_env(env).dunning_policy_professional_id)

    def _delete_a_used_level(self, env):
        self.invoice(self.professional, 100.0, "2025-01-01")
        self.dun("2025-02-07")  # the first reminder, sent
        level = self.levels[1].with_env(env)
        return level.unlink, lambda: (
            level.exists(),
            env["account.dunning.letter.line"].search_count([("level_id", "=", level.id)]),
        )

    def _delete_a_used_policy(self, env):
        policy = env["account.dunning.policy"].create(
            {"name": "Call only", "level_ids": [Command.create({"name": "Call", "sequence": 1, "delay_days": 3})]}
        )
        self.professional.with_env(env).dunning_policy_id = policy
        self.invoice(self.professional, 100.0, "2025-01-01")
        self.dun("2025-02-07")  # 7 days late: the policy's only level
        self.professional.with_env(env).dunning_policy_id = False
        return policy.unlink, lambda: (
            policy.exists(),
            policy.level_ids.ids,
            env["account.dunning.letter"].search_count([("partner_id", "=", self.professional.id)]),
        )

    # ------------------------------------------------------------------
    # Plans
    # ------------------------------------------------------------------

    def _proposed_plan(self, env):
        self.invoice(self.professional, 600.0, "2025-01-01")  # due 01-31
        self.invoice(self.professional, 300.0, "2025-01-05")  # due 02-04
        with freeze_time("2025-02-20"):
            action = self.professional.with_env(env).action_propose_installment_plan()
            plan = env["account.dunning.installment.plan"].browse(action["res_id"])
            plan.write({"installment_count": 3, "first_date": "2025-03-01"})
            plan.action_compute_schedule()
        return plan

    @staticmethod
    def _plan_state(plan):
        return lambda: (plan.state, plan.line_ids.mapped("amount"), plan.move_line_ids.mapped("dunning_plan_id"))

    def _plan_not_adding_up(self, env):
        plan = self._proposed_plan(env)
        plan.line_ids[0].amount = 250.0  # 250 + 300 + 300 = 850 for 900 owed

        def operation():
            with freeze_time("2025-02-20"):
                plan.action_confirm()

        return operation, self._plan_state(plan)

    def _plan_in_the_past(self, env):
        plan = self._proposed_plan(env)

        def operation():
            with freeze_time("2025-03-15"):  # the first installment (03-01) is behind us
                plan.action_confirm()

        return operation, self._plan_state(plan)

    # ------------------------------------------------------------------
    # Hand-offs
    # ------------------------------------------------------------------

    def _confirmed_hand_off(self, env):
        agency = env["res.partner"].create({"name": "Agence", "is_company": True, "is_collection_agency": True})
        invoice = self.invoice(self.professional, 1200.0, "2025-03-01")
        line = invoice.line_ids.filtered(lambda aml: aml.account_type == "asset_receivable").with_env(env)
        handoff = env["account.dunning.handoff"].create(
            {
                "partner_id": self.professional.id,
                "agency_id": agency.id,
                "date": "2025-05-30",
                "line_ids": [Command.create({"move_line_id": line.id})],
            }
        )
        with freeze_time("2025-05-30"):
            handoff.action_confirm()
        return handoff, invoice, line

    def _second_hand_off(self, env):
        handoff, _invoice, line = self._confirmed_hand_off(env)
        Handoff = env["account.dunning.handoff"]

        def operation():
            Handoff.create(
                {
                    "partner_id": self.professional.id,
                    "agency_id": handoff.agency_id.id,
                    "line_ids": [Command.create({"move_line_id": line.id})],
                }
            ).action_confirm()

        return operation, lambda: (Handoff.search_count([]), line.dunning_handoff_id, handoff.state)

    def _write_off_of_paid_lines(self, env):
        handoff, invoice, _line = self._confirmed_hand_off(env)
        self.pay(invoice, 1200.0, "2025-06-10")  # the customer paid the company directly
        Move = env["account.move"]

        def operation():
            handoff.action_write_off(on_date="2025-06-15")

        return operation, lambda: (handoff.state, handoff.write_off_move_id, Move.search_count([]))

    # ------------------------------------------------------------------
    # Letters and penalties
    # ------------------------------------------------------------------

    def _letter_sent_twice(self, env):
        self.invoice(self.professional, 1200.0, "2025-01-01")
        self.dun("2025-02-07", send=False)
        letter = self.letters(self.professional).with_env(env)
        letter.action_send()
        env.flush_all()
        return letter.action_send, lambda: (
            letter.state,
            letter.sent_date,
            len(letter.message_ids),
            env["mail.mail"].sudo().search_count([]),
        )

    def _penalty_invoice_for_nothing(self, env):
        invoice = self.invoice(self.professional, 1200.0, "2025-03-01")  # due 03-31: not late on 03-15
        wizard = env["account.dunning.penalty.invoice"].create(
            {"move_ids": [Command.set(invoice.ids)], "date": "2025-03-15"}
        )
        return wizard._create_penalty_invoices, lambda: (
            env["account.move"].search_count([]),
            env["account.dunning.penalty"].search_count([]),
        )
