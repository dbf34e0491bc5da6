"""Random small books lived through weeks of daily runs: the run's promises hold after every run.

Hypothesis draws a book (2-3 customers, invoices on 30 days or 3 installments) and a story (days
passing, with payments, credit notes, disputes, blocks, a plan, a hand-off, a promise, penalty
invoices, letters sent by hand). Each example lives in its own savepoint, rolled back before the
next one: ``setUp`` runs once per test method, not once per example.
"""

from collections import Counter, defaultdict
from contextlib import closing
from datetime import date, timedelta
from itertools import pairwise

from hypothesis import HealthCheck, Phase, example, given, settings
from hypothesis import strategies as st

from odoo.exceptions import UserError, ValidationError
from odoo.fields import Command
from odoo.tests import freeze_time, tagged

from .common import DunningCommon

START = date(2025, 1, 1)
ACTIONS = (
    None,
    "pay",
    "credit",
    "dispute",
    "block",
    "plan",
    "handoff",
    "promise",
    "penalty_invoice",
    "cancel_penalty",
    "send_pending",
)

invoice_spec = st.tuples(
    st.sampled_from(("30", "3x")),  # payment terms
    st.integers(0, 30),  # invoice date: days after 2025-01-01
    st.integers(2, 30).map(lambda hundreds: hundreds * 100.0),  # amount incl. VAT
)
customer_spec = st.tuples(st.booleans(), st.lists(invoice_spec, min_size=1, max_size=2))  # (consumer?, invoices)
step_spec = st.tuples(
    st.integers(3, 21),  # days since the previous run
    st.sampled_from(ACTIONS),
    st.integers(0, 5),  # which invoice or customer the action is about
    st.sampled_from((0.3, 0.5, 1.0)),  # share of what is due that a payment or credit note covers
    st.booleans(),  # the run sends the letters of automatic levels
)
book_spec = st.fixed_dictionaries(
    {
        "customers": st.lists(customer_spec, min_size=2, max_size=3),
        "steps": st.lists(step_spec, min_size=3, max_size=6),
        "skip_levels": st.booleans(),
        "level_invoices_penalties": st.booleans(),
    }
)

# One story that meets every feature, tried first whatever Hypothesis draws.
EVERYTHING = {
    "customers": [
        (False, [("30", 0, 1200.0), ("3x", 5, 900.0)]),
        (True, [("30", 3, 400.0)]),
        (False, [("3x", 10, 3000.0), ("30", 12, 600.0)]),
    ],
    "steps": [
        (12, "send_pending", 0, 1.0, True),  # 01-28: courtesy reminders
        (14, "pay", 1, 0.3, True),  # 02-11: first reminders; part of an installment invoice paid
        (10, "credit", 0, 0.5, False),  # 02-21: a credit note on the first invoice, letters wait
        (7, "send_pending", 0, 1.0, True),  # 02-28: a collector sends what waits
        (6, "dispute", 3, 1.0, True),  # 03-06
        (5, "promise", 0, 1.0, True),  # 03-11
        (9, "penalty_invoice", 0, 1.0, True),  # 03-20
        (7, "plan", 2, 1.0, True),  # 03-27
        (8, "block", 1, 1.0, True),  # 04-04
        (10, "handoff", 0, 1.0, True),  # 04-14
        (12, "cancel_penalty", 0, 1.0, False),  # 04-26
        (21, "penalty_invoice", 4, 1.0, True),  # 05-17
        (20, "send_pending", 0, 1.0, True),  # 06-06
    ],
    "skip_levels": False,
    "level_invoices_penalties": True,
}


@tagged("post_install", "-at_install")
class TestDunningProperties(DunningCommon):
    """Whatever the book and whatever happens to it, the run never reminds what it must not,
    never repeats or lowers a level, and penalties only grow and are invoiced once."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.terms_3x = cls.env["account.payment.term"].create(
            {
                "name": "Three installments",
                "line_ids": [
                    Command.create({"value": "percent", "value_amount": 33.33, "nb_days": 30}),
                    Command.create({"value": "percent", "value_amount": 33.33, "nb_days": 60}),
                    Command.create({"value": "percent", "value_amount": 33.34, "nb_days": 90}),
                ],
            }
        )
        cls.agency = cls.env["res.partner"].create(
            {"name": "Agence Recouvre", "is_company": True, "is_collection_agency": True}
        )

    def test_run_promises_hold_on_random_books(self):
        # What each story action did, over every example: an action refused in every story
        # (its UserError swallowed so the story goes on) would prove nothing about it.
        self.outcomes = Counter()
        self._live_random_books()
        for action in ACTIONS[1:]:
            self.assertTrue(
                self.outcomes[action, "done"],
                f"no story could {action} (refused {self.outcomes[action, 'refused']} times)",
            )
        # The refusals are the stories' business rules, not the rule: most actions go through.
        done = sum(count for (_action, outcome), count in self.outcomes.items() if outcome == "done")
        refused = sum(count for (_action, outcome), count in self.outcomes.items() if outcome == "refused")
        self.assertGreater(done, refused, f"{done} actions done, {refused} refused: {dict(self.outcomes)}")

    @settings(
        max_examples=10,
        deadline=None,
        derandomize=True,
        database=None,
        phases=(Phase.explicit, Phase.generate),
        suppress_health_check=(HealthCheck.too_slow, HealthCheck.data_too_large, HealthCheck.differing_executors),
    )
    @example(EVERYTHING)
    # Found by Hypothesis: a first reminder left waiting is sent by hand after the second
    # reminder of the same installment went out; the line must keep the second level.
    @example(
        {
            "customers": [
                (True, [("30", 9, 1600.0), ("3x", 29, 1800.0)]),
                (False, [("3x", 16, 1800.0)]),
                (True, [("3x", 15, 1900.0)]),
            ],
            "steps": [
                (14, "dispute", 3, 0.5, True),
                (13, "send_pending", 2, 0.3, False),
                (19, "plan", 2, 0.5, False),
                (18, "credit", 4, 0.5, True),
                (7, "send_pending", 2, 0.5, False),
                (12, "promise", 0, 1.0, True),
            ],
            "skip_levels": False,
            "level_invoices_penalties": False,
        }
    )
    @given(book_spec)
    def _live_random_books(self, book):
        with closing(self.env.cr.savepoint()):
            self._live(book)
        self.env.invalidate_all()

    # ------------------------------------------------------------------
    # The story
    # ------------------------------------------------------------------

    def _live(self, book):
        self.policy_pro.allow_level_skip = book["skip_levels"]
        self.policy_consumer.allow_level_skip = book["skip_levels"]
        # The second reminder of professionals invoices its penalties when sent.
        self.levels[2].invoice_penalties = book["level_invoices_penalties"]
        customers, invoices = self.env["res.partner"], self.env["account.move"]
        for index, (consumer, specs) in enumerate(book["customers"]):
            partner = self.env["res.partner"].create(
                {"name": f"Client {index}", "is_company": not consumer, "email": f"client{index}@example.com"}
            )
            customers |= partner
            for terms, offset, amount in specs:
                invoices |= self.invoice(
                    partner,
                    amount,
                    START + timedelta(days=offset),
                    terms=self.terms_3x if terms == "3x" else self.terms_30,
                )
        self.customers, self.invoices = customers, invoices
        self.last_level_delay = {}  # receivable line id -> delay of the last level it received
        self.accrued = {}  # receivable line id -> interest invoiced + interest still to invoice
        self.waived = self.env["account.move.line"]  # lines a plan ever covered: their interest may vanish
        day = START + timedelta(days=16)
        for gap, action, target, share, send in book["steps"]:
            day += timedelta(days=gap)
            with freeze_time(day):
                sent_before = self._sent_letters()
                if action:
                    with self.env.cr.savepoint() as savepoint:
                        try:
                            did = getattr(self, f"_do_{action}")(day, target, share)
                        except (UserError, ValidationError):
                            # Refused (nothing overdue, nothing to invoice...): the story goes on unchanged.
                            savepoint.rollback()
                            self.outcomes[action, "refused"] += 1
                        else:
                            # False: nothing to do it on (nothing owed, no letter waiting...).
                            self.outcomes[action, "nothing" if did is False else "done"] += 1
                self._check_letters(self._sent_letters() - sent_before, day)
                sent_before = self._sent_letters()
                run = self.dun(day, send=send)
                self._check_letters(run.letter_ids.filtered(lambda letter: letter.state != "cancelled"), day)
                self._check_letters(self._sent_letters() - sent_before, day)
                self._check_history()
                self._check_penalties(day)

    def _invoice_at(self, target):
        return self.invoices[target % len(self.invoices)]

    def _customer_at(self, target):
        return self.customers[target % len(self.customers)]

    def _do_pay(self, day, target, share):
        invoice = self._invoice_at(target)
        if invoice.currency_id.is_zero(invoice.amount_residual):
            return False
        self.pay(invoice, invoice.currency_id.round(invoice.amount_residual * share), day)

    def _do_credit(self, day, target, share):
        invoice = self._invoice_at(target)
        if invoice.currency_id.is_zero(invoice.amount_residual):
            return False
        refund = self._create_invoice_one_line(
            move_type="out_refund",
            price_unit=invoice.currency_id.round(invoice.amount_residual * share),
            partner_id=invoice.partner_id,
            invoice_date=day,
            post=True,
            tax_ids=[],
        )
        open_lines = invoice.line_ids.filtered(lambda line: line.display_type == "payment_term" and not line.reconciled)
        (open_lines | refund.line_ids.filtered(lambda line: line.account_type == "asset_receivable")).reconcile()

    def _do_dispute(self, day, target, share):
        self._invoice_at(target).write({"dunning_excluded": True, "dunning_exclusion_reason": "Goods returned"})

    def _do_block(self, day, target, share):
        self._customer_at(target).write({"dunning_blocked": True, "dunning_block_reason": "Litigation"})

    def _do_plan(self, day, target, share):
        partner = self._customer_at(target)
        action = partner.action_propose_installment_plan()
        plan = self.env["account.dunning.installment.plan"].browse(action["res_id"])
        plan.write({"first_date": day + timedelta(days=7)})
        plan.action_compute_schedule()
        plan.action_confirm()
        self.waived |= plan.move_line_ids

    def _do_handoff(self, day, target, share):
        partner = self._customer_at(target)
        lines = self.env["account.move.line"].search(
            [
                *self.env["account.dunning.receivable"]._owed_domain(self.company),
                ("partner_id", "=", partner.id),
                ("date_maturity", "<", day),
                ("dunning_handoff_id", "=", False),
            ]
        )
        if not lines:
            return False
        handoff = self.env["account.dunning.handoff"].create(
            {
                "partner_id": partner.id,
                "agency_id": self.agency.id,
                "line_ids": [Command.create({"move_line_id": line.id}) for line in lines],
            }
        )
        handoff.action_confirm()

    def _do_promise(self, day, target, share):
        case = self.env["account.dunning.case"]._for_partners(self._customer_at(target), self.company)
        if not case or case.amount_overdue <= 0:
            return False
        case._record_promise(day + timedelta(days=5), case.currency_id.round(case.amount_overdue * share))
        return True

    def _do_penalty_invoice(self, day, target, share):
        wizard = self.env["account.dunning.penalty.invoice"].create(
            {"move_ids": [Command.set(self._invoice_at(target).ids)], "date": day}
        )
        wizard._create_penalty_invoices().action_post()

    def _do_cancel_penalty(self, day, target, share):
        penalty = self.env["account.move"].search(
            [("is_dunning_penalty", "=", True), ("state", "=", "posted"), ("partner_id", "in", self.customers.ids)],
            order="id desc",
            limit=1,
        )
        if not penalty or penalty.amount_residual < penalty.amount_total:
            return False
        penalty.button_draft()
        penalty.button_cancel()
        return True

    def _do_send_pending(self, day, target, share):
        pending = self._letters().filtered(lambda letter: letter.state == "to_send")
        if not pending:
            return False
        pending.action_send()
        return True

    # ------------------------------------------------------------------
    # The invariants
    # ------------------------------------------------------------------

    def _letters(self):
        return self.env["account.dunning.letter"].search(
            [("partner_id", "in", self.customers.ids), ("state", "!=", "cancelled")], order="date, id"
        )

    def _sent_letters(self):
        return self._letters().filtered(lambda letter: letter.state == "sent")

    def _check_letters(self, letters, day):
        """A letter made or sent today lists no line that is paid, disputed, blocked, in a plan,
        handed off or under a promise today."""
        promised = (
            self.env["account.dunning.case"]
            .search([("partner_id", "in", self.customers.ids), ("promise_pause_until", ">=", day)])
            .partner_id
        )
        for letter in letters:
            for line in letter.line_ids:
                aml = line.move_line_id
                why = f"{letter.display_name} ({letter.state}) on {day} lists {aml.move_id.name}"
                paid = aml.reconciled or aml.currency_id.is_zero(aml.amount_residual_currency)
                self.assertFalse(paid or aml.move_id.payment_state in ("paid", "in_payment"), f"{why}: paid")
                self.assertFalse(aml.move_id.dunning_excluded, f"{why}: disputed")
                self.assertFalse(aml.partner_id.commercial_partner_id.dunning_blocked, f"{why}: blocked")
                self.assertFalse(aml.dunning_plan_id, f"{why}: in a plan")
                self.assertFalse(aml.dunning_handoff_id, f"{why}: handed off")
                self.assertNotIn(aml.partner_id.commercial_partner_id, promised, f"{why}: promised")

    def _check_history(self):
        """No line gets a level twice, and levels only go up, in letters and on the line."""
        letter_lines = self._letters().line_ids
        pairs = Counter((line.move_line_id.id, line.level_id.id) for line in letter_lines)
        self.assertFalse([pair for pair, count in pairs.items() if count > 1], "a level reached a line twice")
        by_line = defaultdict(list)
        for line in letter_lines.sorted(lambda line: (line.letter_id.date, line.letter_id.id)):
            by_line[line.move_line_id].append(line.level_id.delay_days)
        for aml, delays in by_line.items():
            self.assertEqual(delays, sorted(set(delays)), f"{aml.move_id.name}: levels went backwards")
        for aml in self.env["account.move.line"].search([("partner_id", "in", self.customers.ids)]):
            if not aml.dunning_level_id:
                self.assertNotIn(aml.id, self.last_level_delay, f"{aml.move_id.name} lost its level")
                continue
            delay = aml.dunning_level_id.delay_days
            self.assertGreaterEqual(delay, self.last_level_delay.get(aml.id, delay), f"{aml.move_id.name} went back")
            self.last_level_delay[aml.id] = delay

    def _check_penalties(self, day):
        """Interest is never negative; what a line has accrued (invoiced or not) never shrinks,
        unless a plan waived it; the periods invoiced for a line never overlap."""
        invoices = self.env["account.move"].search(
            [("partner_id", "in", self.customers.ids), ("move_type", "=", "out_invoice"), ("state", "=", "posted")]
        )
        results = invoices._compute_late_penalties(day)
        periods = self.env["account.dunning.penalty"].search(
            [("move_line_id.partner_id", "in", self.customers.ids), ("active_period", "=", True)]
        )
        invoiced = defaultdict(float)
        for period in periods:
            invoiced[period.move_line_id.id] += period.interest_amount
        # Each invoiced period was rounded on its own (and a cancelled one re-rounded with what
        # follows): a cent per period ever invoiced at most.
        roundings = Counter(
            period.move_line_id.id
            for period in self.env["account.dunning.penalty"].search(
                [("move_line_id.partner_id", "in", self.customers.ids)]
            )
        )
        for result in results.values():
            self.assertFalse(result.error, "the 2025 rates are all known")
            self.assertGreaterEqual(result.indemnity, 0.0)
            for aml, penalty in result.lines:
                self.assertGreaterEqual(penalty.interest, 0.0, f"negative interest on {aml.move_id.name}")
                if aml in self.waived:
                    if aml.dunning_plan_id.state == "active":
                        self.assertEqual(penalty.interest, 0.0, "a kept plan waives the interest")
                    continue
                accrued = aml.currency_id.round(penalty.interest + invoiced[aml.id])
                tolerance = 0.01 * roundings[aml.id]
                self.assertGreaterEqual(
                    accrued + tolerance,
                    self.accrued.get(aml.id, 0.0),
                    f"interest of {aml.move_id.name} went down on {day}",
                )
                self.accrued[aml.id] = accrued
        for aml, line_periods in periods.filtered("date_from").grouped("move_line_id").items():
            spans = sorted((period.date_from, period.date_to) for period in line_periods)
            for (_start, end), (start, _end) in pairwise(spans):
                self.assertGreater(start, end, f"penalty periods of {aml.move_id.name} overlap")
