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
    # Issue 13, item 2: a clause the invoices could not fill in.
    (
        "an unknown placeholder in the invoice clause",
        "_clause_with_unknown_placeholder",
        ValidationError,
        "uses {taux}, which is not a placeholder of the clause. Allowed placeholders: {rate}, {indemnity}, "
        "{due_date}, {discount}",
        "utilise {taux}, qui n'est pas un paramètre de la clause. Paramètres possibles : {rate}, {indemnity}, "
        "{due_date}, {discount}",
    ),
    (
        "an unclosed brace in the invoice clause",
        "_clause_with_unclosed_brace",
        ValidationError,
        "has a brace that opens or closes nothing",
        "contient une accolade qui n'ouvre ou ne ferme rien",
    ),
    # Issue 13, item 12: what a manager could type and the addon accepted.
    (
        "a penalty invoice up to a future date",
        "_penalty_invoice_up_to_2099",
        UserError,
        "Penalties can be invoiced up to today at the latest (04/15/2025)",
        "Les pénalités ne peuvent être facturées que jusqu'à aujourd'hui (15/04/2025)",
    ),
    (
        "a promise to pay beyond the policy's horizon, from the call wizard",
        "_promise_for_2099_from_a_call",
        UserError,
        "A promise to pay may be at most 60 days ahead (until 04/21/2025)",
        "Une promesse de paiement peut porter au plus sur 60 jours (jusqu'au 21/04/2025)",
    ),
    (
        "a promise to pay beyond the horizon, written directly",
        "_promise_for_2099_written_on_the_case",
        ValidationError,
        "A promise to pay may be at most 60 days ahead",
        "Une promesse de paiement peut porter au plus sur 60 jours",
    ),
    (
        "a run dated tomorrow",
        "_run_dated_tomorrow",
        UserError,
        "The run of 02/21/2025 cannot be run before that day",
        "Le traitement du 21/02/2025 ne peut pas être lancé avant ce jour",
    ),
    (
        "a negative grace after a promise",
        "_negative_promise_grace",
        ValidationError,
        "The grace after a promise to pay is between 0 and 30 days",
        "Le délai de grâce après une promesse de paiement est compris entre 0 et 30 jours",
    ),
    (
        "a promise horizon of ten years",
        "_promise_horizon_of_ten_years",
        ValidationError,
        "Promises to pay may be recorded from 1 to 365 days ahead",
        "Les promesses de paiement peuvent porter de 1 à 365 jours",
    ),
    (
        "a reference rate of -1 %",
        "_rate_of_minus_one",
        ValidationError,
        "A reference rate of -1.0 % is not plausible",
        "Un taux de référence de -1.0 % n'est pas plausible",
    ),
    (
        "a reference rate of 500 %",
        "_rate_of_five_hundred",
        ValidationError,
        "is between 0 % and 50 %",
        "est compris entre 0 % et 50 %",
    ),
    (
        "a French legal rate dated 17 March",
        "_fr_legal_rate_on_17_march",
        ValidationError,
        "is published per half-year: it takes effect on 1 January or 1 July",
        "est publié par semestre : il prend effet le 1er janvier ou le 1er juillet",
    ),
    (
        "a Belgian late-payment rate dated 17 March",
        "_be_rate_on_17_march",
        ValidationError,
        "is published per half-year",
        "est publié par semestre",
    ),
    (
        "an agency commission of 150 %",
        "_agency_commission_150",
        ValidationError,
        "between 0 and 100",
        "entre 0 et 100",
    ),
    (
        "an agency commission of -10 %",
        "_agency_commission_minus_10",
        ValidationError,
        "between 0 and 100",
        "entre 0 et 100",
    ),
    (
        "a hand-off commission of 150 %",
        "_hand_off_commission_150",
        ValidationError,
        "between 0 and 100",
        "entre 0 et 100",
    ),
    (
        "a plan of 100,000 installments",
        "_plan_of_100000_installments",
        UserError,
        "over 24 months, a dunning manager must allow it",
        "au-delà de 24 mois, il doit être autorisé par un responsable des relances",
    ),
    (
        "a plan of 100,000 installments a manager allows",
        "_long_plan_of_100000_installments",
        UserError,
        "no plan may run over 120 months",
        "aucun échéancier ne peut dépasser 120 mois",
    ),
    (
        "a plan tolerance of 10,000 days",
        "_plan_tolerance_of_10000_days",
        ValidationError,
        "The tolerance is at most 90 days",
        "La tolérance est d'au plus 90 jours",
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

    # ------------------------------------------------------------------
    # Issue 13, items 2 and 12
    # ------------------------------------------------------------------

    def _company_clauses(self, env):
        company = self.company.with_env(env)
        return lambda: (
            company.with_context(lang="en_US").dunning_clause_professional,
            company.with_context(lang="fr_FR").dunning_clause_professional,
        )

    def _clause_with_unknown_placeholder(self, env):
        # What Save does on the settings page: create the settings with the values typed.
        return (
            lambda: (
                env["res.config.settings"]
                .create({"dunning_clause_professional": "Pénalités au taux de {taux} ; indemnité de {indemnity}."})
                .execute()
            ),
            self._company_clauses(env),
        )

    def _clause_with_unclosed_brace(self, env):
        company = self.company.with_env(env)

        def operation():
            company.dunning_clause_professional = "Pénalités au taux de {rate ; indemnité de {indemnity}."

        return operation, self._company_clauses(env)

    def _penalty_invoice_up_to_2099(self, env):
        invoice = self.invoice(self.professional, 1200.0, "2025-01-01")  # due 01-31, late
        wizard = env["account.dunning.penalty.invoice"].create(
            {"move_ids": [Command.set(invoice.ids)], "date": "2099-01-01"}
        )

        def operation():
            with freeze_time("2025-04-15"):
                wizard._create_penalty_invoices()

        return operation, lambda: (
            env["account.move"].search_count([]),
            env["account.dunning.penalty"].search_count([]),
        )

    def _late_case(self, env):
        self.invoice(self.professional, 1000.0, "2025-01-01")
        self.dun("2025-02-07")
        return self.case_of().with_env(env)

    @staticmethod
    def _promise_state(case):
        return lambda: (case.promise_date, case.promise_pause_until, case.promise_state, case.stage_id)

    def _run_dated_tomorrow(self, env):
        self.invoice(self.professional, 1200.0, "2025-01-01")  # due 01-31: late on both days
        run = env["account.dunning.run"].create({"company_id": self.company.id, "date": "2025-02-21"})

        def operation():
            with freeze_time("2025-02-20"):
                run.action_run()

        return operation, lambda: (run.state, env["account.dunning.letter"].search_count([]))

    def _promise_for_2099_from_a_call(self, env):
        case = self._late_case(env)
        wizard = (
            env["account.dunning.call"]
            .with_context(**case.action_record_promise()["context"])
            .create({"promise_date": "2099-01-01", "promise_amount": 1000.0})
        )

        def operation():
            # 2025-02-20 + 60 days = 2025-04-21
            with freeze_time("2025-02-20"):
                wizard.action_log()

        return operation, self._promise_state(case)

    def _promise_for_2099_written_on_the_case(self, env):
        case = self._late_case(env)

        def operation():
            with freeze_time("2025-02-20"):
                case.write({"promise_date": "2099-01-01", "promise_pause_until": "2099-01-03"})

        return operation, self._promise_state(case)

    def _negative_promise_grace(self, env):
        policy = self.policy_pro.with_env(env)

        def operation():
            policy.promise_grace_days = -10

        return operation, lambda: policy.promise_grace_days

    def _promise_horizon_of_ten_years(self, env):
        policy = self.policy_pro.with_env(env)

        def operation():
            policy.promise_horizon_days = 3650

        return operation, lambda: policy.promise_horizon_days

    def _rates(self, env):
        Rate = env["account.dunning.rate"]
        return lambda: sorted(Rate.search([]).mapped(lambda rate: (rate.rate_type, str(rate.date_from), rate.rate)))

    def _rate_of_minus_one(self, env):
        return (
            lambda: env["account.dunning.rate"].create({"rate_type": "ecb_mro", "date_from": "2026-03-18", "rate": -1}),
            self._rates(env),
        )

    def _rate_of_five_hundred(self, env):
        return (
            lambda: env["account.dunning.rate"].create(
                {"rate_type": "fr_legal_other", "date_from": "2027-01-01", "rate": 500}
            ),
            self._rates(env),
        )

    def _fr_legal_rate_on_17_march(self, env):
        return (
            lambda: env["account.dunning.rate"].create(
                {"rate_type": "fr_legal_other", "date_from": "2026-03-17", "rate": 2.5}
            ),
            self._rates(env),
        )

    def _be_rate_on_17_march(self, env):
        return (
            lambda: env["account.dunning.rate"].create(
                {"rate_type": "be_late_payment", "date_from": "2026-03-17", "rate": 10.5}
            ),
            self._rates(env),
        )

    def _agency(self, env):
        return env["res.partner"].create(
            {"name": "Agence", "is_company": True, "is_collection_agency": True, "collection_commission_rate": 12}
        )

    def _agency_commission_150(self, env):
        agency = self._agency(env)

        def operation():
            agency.collection_commission_rate = 150

        return operation, lambda: agency.collection_commission_rate

    def _agency_commission_minus_10(self, env):
        agency = self._agency(env)

        def operation():
            agency.collection_commission_rate = -10

        return operation, lambda: agency.collection_commission_rate

    def _hand_off_commission_150(self, env):
        handoff, _invoice, _line = self._confirmed_hand_off(env)

        def operation():
            handoff.commission_rate = 150

        return operation, lambda: (handoff.commission_rate, handoff.state)

    def _plan_of_100000_installments(self, env):
        plan = self._proposed_plan(env)
        plan.installment_count = 100000

        def operation():
            with freeze_time("2025-02-20"):
                plan.action_compute_schedule()

        return operation, lambda: (plan.installment_count, plan.line_ids.mapped("amount"))

    def _long_plan_of_100000_installments(self, env):
        plan = self._proposed_plan(env)
        plan.write({"installment_count": 100000, "allow_long_plan": True})

        def operation():
            with freeze_time("2025-02-20"):
                plan.action_compute_schedule()

        return operation, lambda: (plan.installment_count, plan.line_ids.mapped("amount"))

    def _plan_tolerance_of_10000_days(self, env):
        plan = self._proposed_plan(env)

        def operation():
            plan.tolerance_days = 10000

        return operation, lambda: plan.tolerance_days
