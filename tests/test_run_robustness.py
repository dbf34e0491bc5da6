"""Robustness of the daily run (issue #8).

- The set-based selection (one query per batch of customers) makes the same letters, at the
  same levels, as a deliberately naive reference written here from the rules of the README,
  line by line, on random small books replayed over several run dates.
- A run killed in the middle of a batch is finished by the next one: every letter exists
  exactly once, as after an uninterrupted run.
- Two processes never work on the same run at once, and two letters for the same customer,
  currency and day cannot both exist.
"""

from collections import Counter, defaultdict
from concurrent.futures import ThreadPoolExecutor
from contextlib import closing
from datetime import date, timedelta
from unittest.mock import patch

import psycopg2.errors
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from odoo.exceptions import UserError
from odoo.fields import Command
from odoo.tests import freeze_time, tagged
from odoo.tools import float_compare, mute_logger

from .common import AcrossProcessesCommon, DunningCommon

FIRST_RUN = date(2025, 3, 3)

# ----------------------------------------------------------------------
# The reference: the rules of the README, one line at a time, in plain Python
# ----------------------------------------------------------------------


class RefLevel:
    """A level as the reference sees it: plain values, no record."""

    def __init__(self, level_id, delay, min_amount=0.0, min_gap=0):
        self.id = level_id
        self.delay = delay
        self.min_amount = min_amount
        self.min_gap = min_gap


def reference_level_for_line(levels, days_late, reached_delay, allow_skip):
    """The level one receivable line calls for today, from the rules alone:

    - levels are climbed in order of their delay; a line never goes back nor receives a level
      it (or a higher one) already received;
    - a courtesy level (negative delay) is only for a line not yet due: once the line is late
      it is pointless, and skipped;
    - without skipping, only the very next level of the ladder can be given, on or after its
      day; with skipping, the highest level whose day has come.
    """
    ladder = sorted(levels, key=lambda level: level.delay)
    if reached_delay is not None:
        ladder = [level for level in ladder if level.delay > reached_delay]
    if days_late >= 0:
        ladder = [level for level in ladder if level.delay >= 0]
    if not ladder:
        return None
    if allow_skip:
        arrived = [level for level in ladder if level.delay <= days_late]
        return arrived[-1] if arrived else None
    return ladder[0] if ladder[0].delay <= days_late else None


class ReferenceDunning:
    """Remembers what the reference sent (levels reached per line, last letter per customer)
    from one run date to the next, as the database does for the real run."""

    def __init__(self, company_gap):
        self.company_gap = company_gap
        self.reached = {}  # line id -> delay of the highest level received
        self.last_letter = {}  # customer id -> date of the last letter
        self.seen = Counter()  # which rules decided something, over all the runs

    def run(self, day, lines, policies):
        """``lines``: the book on ``day``, one dict per receivable line (id, partner, due,
        residual, disputed, blocked); ``policies``: customer id -> (levels, allow_skip).
        Returns ``{customer id: (letter level id, {line id: level id})}``."""
        by_customer = defaultdict(list)
        for line in lines:
            # Paid lines, disputed invoices and blocked customers are never reminded.
            if line["residual"] <= 0 or line["disputed"] or line["blocked"]:
                self.seen["paid" if line["residual"] <= 0 else "disputed" if line["disputed"] else "blocked"] += 1
                continue
            by_customer[line["partner"]].append(line)
        letters = {}
        for customer, customer_lines in by_customer.items():
            levels, allow_skip = policies[customer]
            given_levels = {}
            for line in customer_lines:
                days_late = (day - line["due"]).days
                level = reference_level_for_line(levels, days_late, self.reached.get(line["id"]), allow_skip)
                if level is not None:
                    given_levels[line["id"]] = level
                    reached = self.reached.get(line["id"], -1)
                    passed_over = [lv for lv in levels if max(reached, -1) < lv.delay < level.delay]
                    self.seen["courtesy" if level.delay < 0 else "skip" if passed_over else "next level"] += 1
            if not given_levels:
                continue
            # The letter speaks at the highest level of its lines.
            letter_level = max(given_levels.values(), key=lambda level: level.delay)
            # Never two letters on one day, and the level's (or the company's) minimum gap.
            gap = max(letter_level.min_gap or self.company_gap, 1)
            last = self.last_letter.get(customer)
            if last is not None and (day - last).days < gap:
                self.seen["gap"] += 1
                continue
            total = sum(line["residual"] for line in customer_lines if line["id"] in given_levels)
            if float_compare(total, letter_level.min_amount, precision_digits=2) < 0:
                self.seen["min amount"] += 1
                continue
            letters[customer] = (letter_level.id, {line_id: level.id for line_id, level in given_levels.items()})
            self.last_letter[customer] = day
            self.seen["letter"] += 1
            for line_id, level in given_levels.items():
                self.reached[line_id] = level.delay
        return letters


# A random small book: a few customers, each on one of two policies, with a few invoices
# (some on two installments), paid in full or in part before some run, disputed or blocked
# for a while; then runs on successive dates.
RUN_COUNT = 4
run_index = st.integers(0, RUN_COUNT - 1)
invoice_strategy = st.fixed_dictionaries(
    {
        "day": st.integers(-60, 35),  # invoice date, relative to the first run
        "split": st.booleans(),  # two installments: half at once, half 20 days later
        "amount": st.integers(20, 400),
        "payment": st.sampled_from([None, None, "partial", "full"]),
        "paid_before_run": run_index,
        "disputed_runs": st.one_of(st.none(), st.tuples(run_index, run_index)),
    }
)
customer_strategy = st.fixed_dictionaries(
    {
        "policy": st.sampled_from(["step", "skip"]),
        "blocked_runs": st.one_of(st.none(), st.none(), st.tuples(run_index, run_index)),
        "invoices": st.lists(invoice_strategy, min_size=1, max_size=3),
    }
)
book_strategy = st.fixed_dictionaries(
    {
        "customers": st.lists(customer_strategy, min_size=1, max_size=4),
        "gaps": st.lists(st.integers(1, 20), min_size=RUN_COUNT - 1, max_size=RUN_COUNT - 1),
    }
)


def active_at(window, run):
    """``window`` (first, last) run indexes, in any order, during which a flag is set."""
    return window is not None and min(window) <= run <= max(window)


@tagged("post_install", "-at_install")
class TestRunMatchesReference(DunningCommon):
    """The run's selection, compared after each run with the naive reference above."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.company.dunning_min_gap_days = 4
        # Small batches: a book of four customers spans two or more batches.
        cls.env["ir.config_parameter"].sudo().set_param("account_dunning.batch_size", 2)
        cls.policies = {
            "step": cls._policy("Step by step", False, [(-5, 0, 0), (5, 0, 0), (15, 100, 0), (30, 0, 10)]),
            "skip": cls._policy("Skipping", True, [(-3, 0, 0), (10, 0, 0), (20, 150, 0), (40, 0, 12)]),
        }
        cls.terms_now = cls.env["account.payment.term"].create(
            {"name": "Immediate", "line_ids": [Command.create({"value": "percent", "value_amount": 100})]}
        )
        cls.terms_split = cls.env["account.payment.term"].create(
            {
                "name": "Half now, half at 20 days",
                "line_ids": [
                    Command.create({"value": "percent", "value_amount": 50}),
                    Command.create({"value": "percent", "value_amount": 50, "nb_days": 20}),
                ],
            }
        )

    @classmethod
    def _policy(cls, name, allow_skip, levels):
        """A policy whose levels are (delay, minimum amount, minimum gap)."""
        return cls.env["account.dunning.policy"].create(
            {
                "name": name,
                "company_id": cls.company.id,
                "allow_level_skip": allow_skip,
                "level_ids": [
                    Command.create(
                        {
                            "sequence": index,
                            "name": f"{name} {delay}",
                            "delay_days": delay,
                            "channel": "none",
                            "min_amount": min_amount,
                            "min_gap_days": min_gap,
                        }
                    )
                    for index, (delay, min_amount, min_gap) in enumerate(levels)
                ],
            }
        )

    @staticmethod
    def _reference_levels(policy):
        return (
            [RefLevel(lv.id, lv.delay_days, lv.min_amount, lv.min_gap_days) for lv in policy.level_ids],
            policy.allow_level_skip,
        )

    def _build_book(self, book):
        """Customers and posted invoices; returns the customers and the invoices with their plan."""
        customers = self.env["res.partner"].create(
            [{"name": f"Reference customer {index}", "is_company": True} for index in range(len(book["customers"]))]
        )
        invoices = []
        for customer, spec in zip(customers, book["customers"], strict=True):
            customer.with_company(self.company).dunning_policy_id = self.policies[spec["policy"]]
            for invoice_spec in spec["invoices"]:
                invoice = self.invoice(
                    customer,
                    float(invoice_spec["amount"]),
                    FIRST_RUN + timedelta(days=invoice_spec["day"]),
                    terms=self.terms_split if invoice_spec["split"] else self.terms_now,
                )
                invoices.append((invoice, invoice_spec))
        return customers, invoices

    def _apply_events(self, run, day, customers, book, invoices):
        """What happens before run number ``run``: payments, disputes opened or closed,
        customers blocked or unblocked."""
        for invoice, spec in invoices:
            if spec["payment"] and spec["paid_before_run"] == run and invoice.amount_residual:
                amount = invoice.amount_residual
                if spec["payment"] == "partial":
                    amount = self.eur.round(invoice.amount_total * 0.4)
                self.pay(invoice, amount, day - timedelta(days=1))
            disputed = active_at(spec["disputed_runs"], run)
            if invoice.dunning_excluded != disputed:
                invoice.write({"dunning_excluded": disputed, "dunning_exclusion_reason": "Random dispute"})
        for customer, spec in zip(customers, book["customers"], strict=True):
            blocked = active_at(spec["blocked_runs"], run)
            if customer.dunning_blocked != blocked:
                customer.write({"dunning_blocked": blocked, "dunning_block_reason": "Random block"})

    def _book_lines(self, invoices):
        """The book as plain data: what the reference reads (no rule, only facts)."""
        lines = []
        for invoice, _spec in invoices:
            for line in invoice.line_ids.filtered(lambda aml: aml.display_type == "payment_term"):
                lines.append(
                    {
                        "id": line.id,
                        "partner": invoice.partner_id.id,
                        "due": line.date_maturity,
                        "residual": line.amount_residual,
                        "disputed": invoice.dunning_excluded,
                        "blocked": invoice.partner_id.dunning_blocked,
                    }
                )
        return lines

    @staticmethod
    def _made_by(run):
        letters = run.letter_ids
        return {
            letter.partner_id.id: (
                letter.level_id.id,
                {letter_line.move_line_id.id: letter_line.level_id.id for letter_line in letter.line_ids},
            )
            for letter in letters
        }, len(letters)

    def test_same_letters_as_the_reference(self):
        seen = Counter()

        @settings(
            max_examples=15,
            deadline=None,
            derandomize=True,
            database=None,
            suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
        )
        @given(book=book_strategy)
        def compare(book):
            # Each book is rolled back at the end: every example starts from the class's data.
            with closing(self.env.cr.savepoint()):
                customers, invoices = self._build_book(book)
                policies = {
                    customer.id: self._reference_levels(self.policies[spec["policy"]])
                    for customer, spec in zip(customers, book["customers"], strict=True)
                }
                reference = ReferenceDunning(company_gap=4)
                day = FIRST_RUN
                for run_number in range(RUN_COUNT):
                    if run_number:
                        day += timedelta(days=book["gaps"][run_number - 1])
                    self._apply_events(run_number, day, customers, book, invoices)
                    expected = reference.run(day, self._book_lines(invoices), policies)
                    made, letter_count = self._made_by(self.dun(day, send=False))
                    self.assertEqual(letter_count, len(made), f"one letter per customer on {day}")
                    self.assertEqual(made, expected, f"run {run_number} on {day} of book {book}")
            seen.update(reference.seen)

        compare()
        # The random books did put every rule to work (otherwise the comparison proves little).
        for rule in ("letter", "courtesy", "next level", "skip", "gap", "min amount", "paid", "disputed", "blocked"):
            self.assertTrue(seen[rule], f"no book exercised '{rule}': {dict(seen)}")


# ----------------------------------------------------------------------
# Kill and resume, through the scheduled action
# ----------------------------------------------------------------------


class WorkerKilled(Exception):
    """Stands for the death of the process in the middle of a batch."""


@tagged("post_install", "-at_install")
class TestCronSurvivesACrash(DunningCommon):
    """The scheduled action commits after each batch of customers. These tests kill it in the
    middle of a batch and run it again.

    Savepoint-based, and faithful for this reason: in registry test mode the cron's cursor is
    a test cursor over the test transaction whose ``commit`` releases a savepoint and whose
    ``rollback`` returns to the last one. The run's ``_commit_progress`` after each batch is
    therefore a real boundary: the exception raised inside the third batch makes the cron
    roll its cursor back, exactly as PostgreSQL drops the open transaction of a process that
    dies, while the batches committed before stay. The fault is injected by patching our own
    ``_process_partners`` (it makes the batch's letters, then the process dies before the
    commit)."""

    RUN_DAY = "2025-02-07"

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        # Letters only: sending is another subject (and a failed e-mail is not a crash).
        cls.company.dunning_auto_send = False
        cls.env["ir.config_parameter"].sudo().set_param("account_dunning.batch_size", 2)
        # Five customers, each with one invoice due 2025-01-31: on 2025-02-07 each is 7 days
        # late, the day of the first reminder (7 days); batches of 2 -> [2, 2, 1].
        cls.customers = cls.env["res.partner"].create(
            [{"name": f"Crash customer {index}", "is_company": True} for index in range(5)]
        )
        cls.amounts = [100.0, 200.0, 300.0, 400.0, 500.0]
        for customer, amount in zip(cls.customers, cls.amounts, strict=True):
            cls.invoice(customer, amount, "2025-01-01")
        cls.cron = cls.env.ref("account_dunning.ir_cron_dunning_run")

    def _trigger_cron(self):
        with freeze_time(self.RUN_DAY), self.enter_registry_test_mode():
            return self.cron.method_direct_trigger()

    def _letters(self):
        return self.env["account.dunning.letter"].search([("partner_id", "in", self.customers.ids)])

    def _result(self):
        """What the run leaves: (customer, receivable line, level, amount) per letter line."""
        return sorted(
            (line.letter_id.partner_id.id, line.move_line_id.id, line.level_id.id, line.amount_due)
            for line in self._letters().line_ids
        )

    def _crashing_process_partners(self, calls, crash_on):
        """Our ``_process_partners``, dying after making its letters on the calls numbered in
        ``crash_on`` (1 = first batch); ``calls`` records the customers of every call."""
        original = type(self.env["account.dunning.run"])._process_partners

        def process_partners(run, partner_ids):
            calls.append(list(partner_ids))
            letters = original(run, partner_ids)
            if len(calls) in crash_on:
                raise WorkerKilled("killed before the batch was committed")
            return letters

        return patch.object(type(self.env["account.dunning.run"]), "_process_partners", process_partners)

    def test_killed_cron_is_finished_by_the_next_one(self):
        # Reference: the same book run without interruption (rolled back afterwards).
        with closing(self.env.cr.savepoint()):
            self.assertIs(self._trigger_cron(), True)
            uninterrupted = self._result()
        self.env.invalidate_all(flush=False)
        # By hand: one letter per customer at the first reminder, for the whole invoice.
        first_reminder = self.levels[1]
        self.assertEqual(first_reminder.delay_days, 7)
        self.assertEqual(
            [(partner, level, amount) for partner, _line, level, amount in uninterrupted],
            [
                (customer.id, first_reminder.id, amount)
                for customer, amount in zip(self.customers, self.amounts, strict=True)
            ],
        )

        calls = []
        with self._crashing_process_partners(calls, crash_on={3, 4}):
            result = self._trigger_cron()
        self.assertIsNot(result, True, "the crash is reported by the scheduled action")
        # The cron retried once by itself (it had progressed) and died again on the same batch.
        ordered = self.customers.sorted("id").ids
        self.assertEqual(calls, [ordered[0:2], ordered[2:4], ordered[4:5], ordered[4:5]])
        run = self.env["account.dunning.run"].search([("company_id", "=", self.company.id)])
        self.assertRecordValues(
            run, [{"state": "running", "partner_cursor": ordered[3], "letters_created": 4, "lines_examined": 4}]
        )
        self.assertEqual(sorted(self._letters().partner_id.ids), ordered[0:4], "the two committed batches stay")

        self.assertIs(self._trigger_cron(), True)
        self.assertEqual(self._result(), uninterrupted, "exactly the letters of an uninterrupted run")
        self.assertEqual(len(self._letters()), 5, "every letter exactly once")
        self.assertRecordValues(run, [{"state": "done", "letters_created": 5, "lines_examined": 5}])

    def test_run_now_hands_the_run_to_the_background(self):
        run = self.env["account.dunning.run"].create({"company_id": self.company.id, "date": self.RUN_DAY})
        queue = self.env.ref("account_dunning.ir_cron_dunning_run_queued")
        triggers = self.env["ir.cron.trigger"].search_count([("cron_id", "=", queue.id)])
        self.assertIs(run.action_run(), True)
        # The user's request only queued it: nothing made yet, the background action is called.
        self.assertEqual(run.state, "queued")
        self.assertFalse(self._letters())
        self.assertEqual(self.env["ir.cron.trigger"].search_count([("cron_id", "=", queue.id)]), triggers + 1)
        with freeze_time(self.RUN_DAY), self.enter_registry_test_mode():
            self.assertIs(queue.method_direct_trigger(), True)
        self.env.invalidate_all(flush=False)
        # By hand: five customers 7 days late, one first reminder each, in batches [2, 2, 1].
        self.assertRecordValues(
            run,
            [{"state": "done", "letters_created": 5, "partners_done": 5, "partners_total": 5, "progress": 100.0}],
        )
        self.assertEqual(sorted(self._letters().partner_id.ids), self.customers.sorted("id").ids)
        # Pressed again while queued or running, it queues nothing twice; done, it runs again
        # (and finds nothing new).
        run.action_run()
        self.assertEqual(run.state, "queued")
        self.assertEqual(run.partners_done, 0)
        with freeze_time(self.RUN_DAY), self.enter_registry_test_mode():
            queue.method_direct_trigger()
        self.env.invalidate_all(flush=False)
        self.assertEqual(run.state, "done")
        self.assertEqual(len(self._letters()), 5, "no letter twice")

    def test_cron_retries_a_batch_that_crashed_once(self):
        calls = []
        with self._crashing_process_partners(calls, crash_on={3}):
            result = self._trigger_cron()
        self.assertIsNot(result, True, "the crash is reported by the scheduled action")
        # Odoo's scheduler runs the action again at once when it had committed progress: the
        # committed batches are not redone, the crashed one is, and the run completes.
        ordered = self.customers.sorted("id").ids
        self.assertEqual(calls, [ordered[0:2], ordered[2:4], ordered[4:5], ordered[4:5]])
        letters = self._letters()
        self.assertEqual(sorted(letters.partner_id.ids), ordered, "one letter per customer, none twice")
        self.assertEqual(len(letters), 5)
        self.assertRecordValues(letters.run_id, [{"state": "done", "letters_created": 5, "lines_examined": 5}])


# ----------------------------------------------------------------------
# Separate processes: real connections on committed data
# ----------------------------------------------------------------------


@tagged("post_install", "-at_install")
class TestRunAcrossProcesses(AcrossProcessesCommon):
    """Each "process" here is a real, separate database connection (``AcrossProcessesCommon``):
    ``setUp`` commits five customers with one invoice each in the main company and a run that
    does not send, in batches of two customers; the cleanup deletes all of it (letters, runs,
    cases, invoices, customers, setting)."""

    RUN_DATE = date(2024, 6, 10)
    # Five invoices dated 2024-05-01, due 2024-05-31: on 2024-06-10, 10 days late.
    INVOICE_DATE, DUE_DATE = "2024-05-01", "2024-05-31"
    CUSTOMER_NAME = "Concurrent customer"
    PARAMETERS = {"account_dunning.batch_size": 2}
    RUN_VALUES = {"send_letters": False}

    def _prepare_company(self, env, company):
        self.first_reminder_id = (
            company.dunning_policy_professional_id._sorted_levels().filtered(lambda level: level.delay_days >= 0)[:1].id
        )

    def process(self):
        """A new process (its own connection, its own transaction), working on the run."""
        return super().process()["account.dunning.run"].browse(self.run_id)

    def committed(self):
        """What any process sees now: (customer, line, level) of the run's letter lines, and
        the run's figures."""
        with self.committed_env() as env:
            letters = env["account.dunning.letter"].search([("partner_id", "in", self.customer_ids)])
            run = env["account.dunning.run"].browse(self.run_id)
            return {
                "letters": len(letters),
                "lines": sorted(
                    (line.letter_id.partner_id.id, line.move_line_id.id, line.level_id.id) for line in letters.line_ids
                ),
                "run": (run.state, run.partner_cursor, run.letters_created),
            }

    def expected_lines(self):
        """By hand: each customer 10 days late, one letter at the first reminder (7 days)."""
        with self.committed_env() as env:
            terms = (
                env["account.move"]
                .browse(self.invoice_ids)
                .line_ids.filtered(lambda line: line.display_type == "payment_term")
            )
            return sorted((line.partner_id.id, line.id, self.first_reminder_id) for line in terms)

    def test_killed_process_is_finished_by_the_next(self):
        """Process 1 commits two batches, dies inside the third (its connection is rolled back
        and closed, as PostgreSQL does when a process dies); process 2 finishes the run."""
        first = self.process()
        calls = []
        original = type(first)._process_partners

        def dies_in_third_batch(run, partner_ids):
            calls.append(list(partner_ids))
            letters = original(run, partner_ids)
            if len(calls) == 3:
                raise WorkerKilled("killed before the batch was committed")
            return letters

        with patch.object(type(first), "_process_partners", dies_in_third_batch), self.assertRaises(WorkerKilled):
            first._execute(commit=True)
        first.env.cr.rollback()
        first.env.cr.close()

        ordered = sorted(self.customer_ids)
        state = self.committed()
        self.assertEqual(state["letters"], 4, "two batches of two were committed")
        self.assertEqual(state["run"], ("running", ordered[3], 4))

        second = self.process()
        self.assertIs(second._execute(commit=True), True)
        state = self.committed()
        self.assertEqual(state["lines"], self.expected_lines(), "every letter, exactly once")
        self.assertEqual(state["letters"], 5)
        self.assertEqual(state["run"], ("done", ordered[4], 5))

    def test_second_process_stops_while_the_first_holds_the_run(self):
        first, second = self.process(), self.process()
        # Process 1 runs in one transaction (like 'Run now'): it holds the run until it commits.
        self.assertIs(first._execute(commit=False), True)
        with self.assertRaises(UserError) as refused:
            second._execute(commit=True)
        self.assertIn("already in progress", str(refused.exception))
        second.env.flush_all()
        self.assertFalse(
            second.env["account.dunning.letter"].search_count([("partner_id", "in", self.customer_ids)]),
            "the refused process made no letter",
        )
        second.env.cr.rollback()
        first.env.cr.commit()
        self.assertEqual(self.committed()["lines"], self.expected_lines())

        # Once process 1 has committed, process 2 runs again (a new transaction): nothing new.
        self.assertIs(second._execute(commit=True), True)
        state = self.committed()
        self.assertEqual(state["lines"], self.expected_lines(), "no letter twice")
        self.assertEqual(state["letters"], 5)
        self.assertEqual(state["run"][0], "done")

    def test_a_worker_goes_on_with_the_next_run_while_another_holds_one(self):
        """Two scheduler workers at once (``--workers``, or several machines on one database):
        the second skips the run the first holds and finishes the next run of its list (another
        company's, or another day's, as here) instead of waiting or failing; the first then
        finishes its own. Nothing is done twice."""
        with self.committed_env() as env:
            # A day with nothing to remind: the book's invoices fall due on 2024-05-31.
            other_id = (
                env["account.dunning.run"]
                .create({"company_id": self.company_id, "date": date(2024, 3, 1), "send_letters": False})
                .id
            )
        self.addCleanup(self._delete_run, other_id)
        first, second = self.process(), self.process()
        # Worker 1 works on the book's run in one transaction: it holds the run until it commits.
        self.assertIs(first._execute(commit=False), True)
        Run = second.env["account.dunning.run"]
        # Worker 2 gets both runs: no error (a held run is not a failure), no wait for the lock.
        self.assertIs(Run._finish_runs(Run.browse([self.run_id, other_id])), True)
        with self.committed_env() as env:
            self.assertEqual(env["account.dunning.run"].browse(other_id).state, "done", "worker 2 went on")
        self.assertEqual(self.committed()["letters"], 0, "worker 2 made no letter of the held run")
        self.assertEqual(self.committed()["run"][0], "draft", "the held run is worker 1's")
        first.env.cr.commit()
        state = self.committed()
        self.assertEqual(state["lines"], self.expected_lines(), "every letter once, by worker 1")
        self.assertEqual(state["run"][0], "done")

    def _delete_run(self, run_id):
        self._close_connections()
        with self.committed_env() as env:
            env["account.dunning.run"].browse(run_id).unlink()

    def test_second_process_stops_while_the_first_is_between_batches(self):
        """Process 1 runs the scheduled way (a commit after each batch); in the middle of its
        second batch, process 2 tries the same run: refused, nothing made, process 1 goes on."""
        first, second = self.process(), self.process()
        original = type(first)._process_partners
        attempts = []

        def second_process_tries_during_batch_two(run, partner_ids):
            if run.env.cr is first.env.cr and len(attempts) == 0 and run.partner_cursor:
                try:
                    second._execute(commit=True)
                    attempts.append("ran")
                except UserError as error:
                    attempts.append(str(error))
            return original(run, partner_ids)

        with patch.object(type(first), "_process_partners", second_process_tries_during_batch_two):
            self.assertIs(first._execute(commit=True), True)
        self.assertEqual(len(attempts), 1)
        self.assertIn("already in progress", attempts[0])
        # Process 2's transaction began after batch one was committed: once process 1 has
        # finished, it is stale, and process 2 says so instead of working from it.
        with self.assertRaises(UserError) as refused:
            second._execute(commit=True)
        self.assertIn("changed by another process", str(refused.exception))
        second.env.cr.rollback()
        self.assertIs(second._execute(commit=True), True, "a new transaction runs it (and finds nothing new)")
        state = self.committed()
        self.assertEqual(state["lines"], self.expected_lines(), "every letter once, all made by process 1")
        self.assertEqual(state["letters"], 5)
        self.assertEqual(state["run"][0], "done")

    def test_process_that_read_the_run_before_another_finished_it_stops_cleanly(self):
        """Process 2 started its transaction (and read the run) before process 1 ran and
        committed the whole run: its snapshot is stale, so it must stop with the same clear
        message, not with a database error, and make nothing."""
        first, second = self.process(), self.process()
        self.assertEqual(second.state, "draft")
        self.assertIs(first._execute(commit=False), True)
        first.env.cr.commit()
        with self.assertRaises(UserError) as refused:
            second._execute(commit=True)
        self.assertIn("changed by another process", str(refused.exception))
        second.env.cr.rollback()
        state = self.committed()
        self.assertEqual(state["lines"], self.expected_lines())
        self.assertEqual(state["letters"], 5)

    def test_run_refreshes_the_cases_around_the_one_a_collector_holds(self):
        """A collector saves a case (her transaction holds its row) while the run refreshes
        the cases: the run neither waits nor fails; that case is refreshed the next time."""
        first = self.process()
        self.assertIs(first._execute(commit=True), True)
        Case = first.env["account.dunning.case"]
        cases = Case.search([("partner_id", "in", self.customer_ids)], order="id")
        self.assertEqual(len(cases), 5)
        # By hand: each customer owes 100.00, 10 days late (due 2024-05-31, run 2024-06-10).
        self.assertEqual(cases.mapped("amount_overdue"), [100.0] * 5)
        self.assertEqual(cases.mapped("oldest_days_late"), [10] * 5)
        # Stale figures on two cases (as if payments had been undone since the last refresh).
        stale, held = cases[0], cases[1]
        (stale | held).write({"amount_overdue": 0.0, "oldest_days_late": 0})
        first.env.cr.commit()

        collector = self.process()
        collector.env["account.dunning.case"].browse(held.id).write({"next_action": "Call back on Monday"})
        collector.env.flush_all()  # the row is locked until the collector's transaction ends

        # The second process's connection is opened here: under Odoo's runner the main thread
        # holds the registry lock while tests run, so a thread building its environment (which
        # looks the registry up) would wait for it for good.
        second = self.process()

        def run_again():
            # Never wait on the collector for good: a lock wait would fail, not hang.
            second.env.cr.execute("SET lock_timeout = '20s'")
            try:
                return second._execute(commit=True)
            finally:
                second.env.cr.execute("RESET lock_timeout")

        try:
            with ThreadPoolExecutor(max_workers=1) as executor:
                self.assertIs(executor.submit(run_again).result(timeout=60), True)
        finally:
            collector.env.cr.commit()

        def figures():
            with self.committed_env() as env:
                rows = env["account.dunning.case"].browse(cases.ids)
                return {case.id: (case.amount_overdue, case.oldest_days_late, case.next_action) for case in rows}

        state = figures()
        self.assertEqual(self.committed()["run"][0], "done")
        self.assertEqual(state[stale.id], (100.0, 10, False), "the free case was refreshed")
        self.assertEqual(state[held.id], (0.0, 0, "Call back on Monday"), "the held one kept its figures")
        # The next refresh (the next run) catches up, and the collector's note stays.
        third = self.process()
        third.env["account.dunning.case"]._sync(third.company_id, self.RUN_DATE, commit=True)
        third.env.cr.commit()
        self.assertEqual(figures()[held.id], (100.0, 10, "Call back on Monday"))

    def test_two_letters_for_one_customer_and_day_cannot_both_exist(self):
        """Two processes racing to write the same letter (customer, company, currency, day):
        the second insert waits for the first transaction, then is refused by the index."""
        first, second = self.process(), self.process()
        vals = {
            "partner_id": self.customer_ids[0],
            "company_id": self.company_id,
            "date": self.RUN_DATE,
            "level_id": self.first_reminder_id,
            "state": "to_send",
        }
        first.env["account.dunning.letter"].create(vals)
        first.env.flush_all()

        def insert_in_second_process():
            # Never wait forever on the first process, whatever happens to it.
            second.env.cr.execute("SET LOCAL lock_timeout = '30s'")
            try:
                second.env["account.dunning.letter"].create(vals)
                second.env.flush_all()
            except psycopg2.errors.UniqueViolation:
                return "refused"
            return "created"

        with ThreadPoolExecutor(max_workers=1) as executor, mute_logger("odoo.sql_db"):
            outcome = executor.submit(insert_in_second_process)
            first.env.cr.commit()
            self.assertEqual(outcome.result(timeout=30), "refused")
        second.env.cr.rollback()
        self.assertEqual(self.committed()["letters"], 1)

        # A cancelled letter does not count: the customer can get a new one that day.
        letter = first.env["account.dunning.letter"].search([("partner_id", "=", self.customer_ids[0])])
        letter.action_cancel()
        letter.flush_recordset()
        first.env["account.dunning.letter"].create(vals)
        first.env.cr.commit()
        self.assertEqual(self.committed()["letters"], 2)


@tagged("post_install", "-at_install")
class TestCronAcrossCompanies(DunningCommon):
    """The scheduled action runs every company in turn, committing after each batch (real
    commits of registry test mode, as in ``TestCronSurvivesACrash``). A company whose run
    stops half-way, out of time or crashed, is finished: never marked done by the progress
    of the company after it, never left ``running``."""

    RUN_DAY = "2025-02-07"

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.other_company = cls.setup_other_company(name="Société B")["company"]
        cls.env.user.company_ids |= cls.other_company
        companies = cls.company | cls.other_company
        companies.dunning_auto_send = False
        cls.env["ir.config_parameter"].sudo().set_param("account_dunning.batch_size", 2)
        # The cron goes through the companies in their usual order: "first" is run before "second".
        ordered = cls.env["res.company"].search([("id", "in", companies.ids)])
        cls.first, cls.second = ordered[0], ordered[1]
        # Each invoice dated 2025-01-01, due 2025-01-31: on 2025-02-07, 7 days late, the day of
        # the first reminder. The first company: 5 customers, batches [2, 2, 1]; the second: 3.
        cls.customers = {}
        for company, count in ((cls.first, 5), (cls.second, 3)):
            customers = cls.env["res.partner"].create(
                [{"name": f"{company.name} customer {index}", "is_company": True} for index in range(count)]
            )
            env = cls.env(context=dict(cls.env.context, allowed_company_ids=company.ids))
            for customer in customers:
                cls.invoice(customer.with_env(env), 100.0, "2025-01-01", company=company)
            cls.customers[company] = customers
        cls.cron = cls.env.ref("account_dunning.ir_cron_dunning_run")

    def _trigger_cron(self, day=None):
        with freeze_time(day or self.RUN_DAY), self.enter_registry_test_mode():
            result = self.cron.method_direct_trigger()
        self.env.invalidate_all(flush=False)
        return result

    def _run(self, company, day=None, env=None):
        return (env or self.env)["account.dunning.run"].search(
            [("company_id", "=", company.id), ("date", "=", day or self.RUN_DAY)]
        )

    def _letters_by_customer(self, company):
        letters = self.env["account.dunning.letter"].search([("partner_id", "in", self.customers[company].ids)])
        return Counter(letters.mapped("partner_id.id")), letters

    def _assert_every_letter_once(self):
        # By hand: one first reminder per customer, 5 + 3 letters, dated the run day.
        for company in (self.first, self.second):
            counts, letters = self._letters_by_customer(company)
            self.assertEqual(counts, Counter(self.customers[company].ids), f"{company.name}: each customer once")
            self.assertEqual(set(letters.mapped("date")), {date(2025, 2, 7)})
            self.assertEqual(letters.level_id, self.first_level(company))
            self.assertRecordValues(
                self._run(company),
                [{"state": "done", "letters_created": len(self.customers[company]), "lines_examined": len(letters)}],
            )

    def first_level(self, company):
        policy = company.dunning_policy_professional_id
        return policy._sorted_levels().filtered(lambda level: level.delay_days >= 0)[:1]

    def test_company_out_of_time_is_not_marked_done_by_the_next(self):
        """The first company's run uses up the cron's time after its first batch: the second
        company's run finishing must not tell the scheduler that everything is done."""
        original = type(self.env["ir.cron"])._commit_progress
        timeouts = []

        def commit_progress(cron, processed=0, **kwargs):
            left = original(cron, processed, **kwargs)
            run = self._run(self.first, env=cron.env)
            if not timeouts and run.state == "running" and run.partner_cursor:
                timeouts.append(run.partner_cursor)
                return 0  # out of time right after the first company's first batch
            return left

        with patch.object(type(self.env["ir.cron"]), "_commit_progress", commit_progress):
            self.assertIs(self._trigger_cron(), True)
        self.assertEqual(timeouts, [self.customers[self.first].sorted("id").ids[1]], "stopped after one batch")
        # The scheduler went on at once (progress remained) and finished both companies.
        self._assert_every_letter_once()

    def test_crash_in_first_company_batch_two_leaves_it_resumed_by_the_next_call(self):
        original = type(self.env["account.dunning.run"])._process_partners
        calls = defaultdict(list)

        def process_partners(run, partner_ids):
            company_calls = calls[run.company_id]
            company_calls.append(list(partner_ids))
            letters = original(run, partner_ids)
            # The first company's second batch dies twice: its first try and the scheduler's
            # immediate retry; the next day it goes through.
            if run.company_id == self.first and len(company_calls) in (2, 3):
                raise WorkerKilled("killed before the batch was committed")
            return letters

        first_ids = self.customers[self.first].sorted("id").ids
        with patch.object(type(self.env["account.dunning.run"]), "_process_partners", process_partners):
            self.assertIsNot(self._trigger_cron(), True, "the crash is reported by the scheduled action")
            self.assertEqual(calls[self.first], [first_ids[0:2], first_ids[2:4], first_ids[2:4]])
            self.assertRecordValues(
                self._run(self.first), [{"state": "running", "partner_cursor": first_ids[1], "letters_created": 2}]
            )
            counts, _letters = self._letters_by_customer(self.first)
            self.assertEqual(sorted(counts), first_ids[0:2], "the committed batch stays")
            # The crash did not keep the company after it from its run.
            counts, _letters = self._letters_by_customer(self.second)
            self.assertEqual(counts, Counter(self.customers[self.second].ids))
            self.assertEqual(self._run(self.second).state, "done")

            # The next call, the next morning: yesterday's run is finished first, from its
            # cursor (with its own date), and today's run finds nothing new (same level).
            self.assertIs(self._trigger_cron("2025-02-08"), True)
        self.assertEqual(calls[self.first][3:5], [first_ids[2:4], first_ids[4:5]], "resumed where it stopped")
        self._assert_every_letter_once()
        self.assertEqual(self._run(self.first, "2025-02-08").letters_created, 0)
