import logging
import time
from collections import defaultdict

import psycopg2.errors
import psycopg2.extensions
from markupsafe import Markup

from odoo import api, fields, models
from odoo.exceptions import UserError
from odoo.tools import SQL
from odoo.tools.misc import format_date

from ..engine import decision

_logger = logging.getLogger(__name__)

# Tries of a run whose batch met a concurrent change (each from its last committed batch).
CONCURRENCY_ATTEMPTS = 3

SKIP_REASONS = (
    "disputed",
    "blocked",
    "plan",
    "handoff",
    "promise",
    "insolvency",
    "no_policy",
    "gap",
    "min_amount",
    "not_due",
)


class AccountDunningRun(models.Model):
    _name = "account.dunning.run"
    _description = "Dunning Run"
    _inherit = ["mail.thread", "mail.activity.mixin"]
    _order = "date desc, id desc"
    _check_company_auto = True

    name = fields.Char(compute="_compute_name")
    company_id = fields.Many2one("res.company", required=True, index=True, default=lambda self: self.env.company)
    date = fields.Date(
        required=True,
        default=fields.Date.context_today,
        help="The day the run takes as 'today': what is due, and the date of its letters.",
    )
    state = fields.Selection(
        [("draft", "Draft"), ("queued", "Queued"), ("running", "In progress"), ("done", "Done")],
        default="draft",
        required=True,
    )
    send_letters = fields.Boolean(
        default=True,
        help="Send the letters of levels marked 'Send automatically' (if the company allows it). "
        "Otherwise every letter waits in 'To send'.",
    )
    company_auto_send = fields.Boolean(related="company_id.dunning_auto_send", string="Company sends automatically")
    user_id = fields.Many2one("res.users", string="Started by", default=lambda self: self.env.user, readonly=True)
    started_at = fields.Datetime(readonly=True)
    ended_at = fields.Datetime(readonly=True)
    duration = fields.Float(string="Duration (s)", readonly=True, digits=(16, 2))
    partner_cursor = fields.Integer(readonly=True, help="Last customer id processed (resumes an interrupted run).")
    partners_total = fields.Integer(string="Customers to go through", readonly=True)
    partners_done = fields.Integer(string="Customers done", readonly=True)
    progress = fields.Float(compute="_compute_progress", help="Share of the customers gone through (percent).")
    lines_examined = fields.Integer(readonly=True)
    letters_created = fields.Integer(readonly=True)
    # The sending queue's progress, read from the letters (the queue's workers never write
    # the run: several of them send its letters at once).
    letters_sent = fields.Integer(compute="_compute_send_progress")
    letters_failed = fields.Integer(compute="_compute_send_progress")
    letters_queued = fields.Integer(string="Letters left to send", compute="_compute_send_progress")
    skipped_disputed = fields.Integer(string="Skipped: disputed invoice", readonly=True)
    skipped_blocked = fields.Integer(string="Skipped: blocked customer", readonly=True)
    skipped_plan = fields.Integer(string="Skipped: in an installment plan", readonly=True)
    skipped_handoff = fields.Integer(string="Skipped: handed to an agency", readonly=True)
    skipped_promise = fields.Integer(string="Skipped: promise to pay", readonly=True)
    skipped_insolvency = fields.Integer(string="Skipped: insolvency proceedings", readonly=True)
    skipped_no_policy = fields.Integer(string="Skipped: no usable policy", readonly=True)
    skipped_gap = fields.Integer(string="Skipped: contacted recently", readonly=True)
    skipped_min_amount = fields.Integer(string="Skipped: under the minimum", readonly=True)
    skipped_not_due = fields.Integer(string="Lines with no new level due", readonly=True)
    letter_ids = fields.One2many("account.dunning.letter", "run_id", string="Letters")
    letter_count = fields.Integer(compute="_compute_letter_count")

    _company_date_uniq = models.UniqueIndex(
        "(company_id, date)", "There is already a dunning run for this company and date: open it and run it again."
    )

    @api.depends("company_id", "date")
    def _compute_name(self):
        for run in self:
            run.name = f"{run.company_id.name or ''} - {run.date or ''}"

    @api.depends("partners_total", "partners_done", "state")
    def _compute_progress(self):
        for run in self:
            if run.state == "done":
                run.progress = 100.0
            elif run.partners_total:
                run.progress = min(100.0, 100.0 * run.partners_done / run.partners_total)
            else:
                run.progress = 0.0

    def _compute_send_progress(self):
        rows = self.env["account.dunning.letter"]._read_group(
            [("run_id", "in", self.ids), ("state", "in", ("sent", "failed", "to_send"))],
            ["run_id", "state", "send_queued"],
            ["__count"],
        )
        counts = {(run.id, state, queued): count for run, state, queued, count in rows}
        for run in self:
            run.letters_sent = counts.get((run.id, "sent", True), 0)
            run.letters_failed = counts.get((run.id, "failed", True), 0)
            run.letters_queued = counts.get((run.id, "to_send", True), 0)

    def _compute_letter_count(self):
        counts = dict(
            self.env["account.dunning.letter"]._read_group([("run_id", "in", self.ids)], ["run_id"], ["__count"])
        )
        for run in self:
            run.letter_count = counts.get(run, 0)

    # ------------------------------------------------------------------
    # Entry points
    # ------------------------------------------------------------------

    @api.model
    def _cron_run(self):
        """Daily: for every company, remind what is due today, and finish every run left
        unfinished (queued by *Run now*, or interrupted). Commits after each batch, so a killed
        run resumes where it stopped; letters are never duplicated."""
        today = fields.Date.context_today(self)
        runs = self._unfinished_runs()
        # Every company is dunned, each in its own run.
        for company in self.env["res.company"].search([]):  # pylint: disable=no-search-all
            run = self._get_or_create(company, today)
            if run.state != "done":
                runs |= run
        return self._finish_runs(runs)

    @api.model
    def _cron_run_queued(self):
        """As soon as triggered (*Run now*), and hourly: finish the queued and interrupted runs,
        without starting the day's runs of the other companies."""
        return self._finish_runs(self._unfinished_runs())

    @api.model
    def _unfinished_runs(self):
        """Runs queued by *Run now* or stopped half-way (a crash, the cron's time limit), of
        any day: the oldest first, so a run interrupted yesterday is not left behind."""
        return self.search([("state", "in", ("queued", "running"))], order="date, id")

    @api.model
    def _finish_runs(self, runs):
        """Run each of ``runs`` to its end, committing after every batch.

        The scheduler is told what remains over *all* the runs, not only the current one:
        a run that stops half-way (out of time, or crashed) keeps the action scheduled at
        once until it is done, instead of being forgotten when the next company's run
        reports that it has nothing left. A crash in one company's run does not stop the
        others; it is raised at the end, so the scheduler logs it and retries."""
        unfinished = set(runs.ids)
        failure = None
        for run in runs:
            others = len(unfinished - {run.id})
            try:
                finished = run.with_company(run.company_id).with_context(dunning_runs_after=others)._execute_retrying()
            except UserError as error:
                # Another worker holds this run (it will finish it), or it changed meanwhile.
                _logger.info("Dunning run skipped: %s", error)
                self.env.cr.rollback()
                continue
            except Exception as error:
                # Back to the last committed batch, as if the process had died there; the
                # other companies still get their run.
                _logger.exception("Dunning run %s of %s failed", run.date, run.company_id.name)
                self.env.cr.rollback()
                failure = failure or error
                continue
            if finished:
                unfinished.discard(run.id)
            else:
                # Out of time: what remains (this run and the next ones) was reported.
                break
        if failure is not None:
            raise failure
        return True

    def _execute_retrying(self):
        """``_execute(commit=True)``, started again from the last committed batch when a batch
        met a user's concurrent change (a serialization failure or a deadlock): a batch is a
        short transaction, so trying it again in a new one nearly always goes through."""
        for attempt in range(1, CONCURRENCY_ATTEMPTS + 1):
            try:
                return self._execute(commit=True)
            except psycopg2.extensions.TransactionRollbackError as error:
                if attempt == CONCURRENCY_ATTEMPTS:
                    raise
                _logger.info("Dunning run %s: concurrent change (%s), trying the batch again", self.id, error.pgcode)
                self.env.cr.rollback()
        return False

    @api.model
    def _get_or_create(self, company, date):
        run = self.search([("company_id", "=", company.id), ("date", "=", date)], limit=1)
        return run or self.create({"company_id": company.id, "date": date})

    def action_run(self):
        """'Run now': hand the run to the background (the scheduled action, triggered at once)
        instead of holding the user's request for the whole book; the form shows its progress."""
        # Dunning managers only: refuse before anything is queued.
        self.check_access("write")
        self._check_date_has_come()
        for run in self:
            if run.state in ("queued", "running"):
                continue
            run._lock()
            # Run again (e.g. invoices posted after the morning run): only what is new is
            # reminded, letters already made that day are not made twice.
            run.write({"state": "queued", "partner_cursor": 0, "partners_done": 0, "partners_total": 0})
        self.env.ref("account_dunning.ir_cron_dunning_run_queued").sudo()._trigger()
        return True

    def action_refresh(self):
        """The form's refresh button: the run goes on in the background."""
        return True

    def _run_now(self):
        """Run (or finish) these runs in the current transaction, without committing: the demo
        data and tests, which need the letters at once. Users go through ``action_run``."""
        self.check_access("write")
        self._check_date_has_come()
        for run in self:
            run.with_company(run.company_id)._execute(commit=False)
        return True

    def action_open_letters(self):
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id("account_dunning.action_account_dunning_letter")
        action["domain"] = [("run_id", "=", self.id)]
        action["context"] = {}
        return action

    # ------------------------------------------------------------------
    # The run
    # ------------------------------------------------------------------

    def _skip_reasons(self):
        """Every reason a line is left out, each counted in a ``skipped_<reason>`` field.
        Features adding an exclusion reason add its field."""
        return SKIP_REASONS

    def _batch_size(self):
        return int(self.env["ir.config_parameter"].sudo().get_param("account_dunning.batch_size", 500))

    def _lock(self):
        """Only one process works on a run at a time: a second one (another cron worker, a
        user's 'Run now') stops with a clear message instead of duplicating letters."""
        try:
            with self.env.cr.savepoint(flush=False):
                self.env.cr.execute(
                    SQL("SELECT id FROM account_dunning_run WHERE id = %s FOR UPDATE SKIP LOCKED", self.id),
                    log_exceptions=False,
                )
                locked = self.env.cr.fetchone()
        except psycopg2.errors.SerializationFailure:
            # This transaction saw the run before another process changed it (ran it, finished
            # it): going on from that old snapshot would overwrite what the other one did.
            raise UserError(
                self.env._(
                    "The dunning run of %(company)s for %(date)s was changed by another process in the "
                    "meantime: open it again and run it.",
                    company=self.company_id.name,
                    date=self.date,
                )
            ) from None
        if not locked:
            raise UserError(
                self.env._(
                    "The dunning run of %(company)s for %(date)s is already in progress.",
                    company=self.company_id.name,
                    date=self.date,
                )
            )

    def _sync_cases(self, commit, behaviour=True):
        self.env["account.dunning.case"]._sync(self.company_id, self.date, behaviour=behaviour, commit=commit)
        if commit:
            # The cases were refreshed in transactions of their own: hold the run again.
            self._lock()

    def _check_date_has_come(self):
        """A run takes its date as 'today': run ahead of time, it would remind debts not yet
        late and date letters in the future (replaying past days is allowed: the demo does)."""
        today = fields.Date.context_today(self)
        ahead = self.filtered(lambda run: run.date > today)
        if ahead:
            raise UserError(
                self.env._(
                    "The run of %(date)s cannot be run before that day: it would remind what is not yet late "
                    "and date its letters ahead.",
                    date=format_date(self.env, ahead[0].date),
                )
            )

    def _execute(self, commit=False):
        self.ensure_one()
        self._check_date_has_come()
        if not self.env.company.dunning_policy_professional_id and not self.env.company.dunning_policy_consumer_id:
            self.company_id._dunning_ensure_default_policies()
        self._lock()
        if self.state == "done":
            # Run again (e.g. invoices posted after the morning run): letters already made
            # today are not made twice, only what is new is reminded.
            self.write({"state": "running", "partner_cursor": 0, "partners_done": 0})
        if self.state in ("draft", "queued"):
            self.write({"state": "running", "started_at": self.started_at or fields.Datetime.now()})
            # Every late customer has a case before letters move it along the board (their
            # payment behaviour is refreshed once, at the end).
            self._sync_cases(commit, behaviour=False)
        # The customers to go through, read once (the cursor skips those already done when
        # an interrupted run resumes); batches are slices of it.
        pending = self.env["account.dunning.receivable"]._candidate_partner_ids(
            self.company_id, self.date, self.partner_cursor
        )
        self.partners_total = self.partners_done + len(pending)
        batch_size = self._batch_size()
        while True:
            started = time.monotonic()
            partner_ids, pending = pending[:batch_size], pending[batch_size:]
            if partner_ids:
                letters = self._process_partners(partner_ids)
                if self.send_letters and self.company_id.dunning_auto_send:
                    self._queue_letters(letters.filtered("auto_send"), commit)
                self.partner_cursor = partner_ids[-1]
                self.partners_done += len(partner_ids)
            else:
                # Cases follow the book: opened, resolved, totals refreshed, promises settled.
                self._sync_cases(commit)
                self.write({"state": "done", "ended_at": fields.Datetime.now()})
            self.duration += time.monotonic() - started
            if not commit:
                if not partner_ids:
                    return True
                continue
            # What remains counts the runs still to do after this one (``_finish_runs``).
            # (a batch done also leaves the closing refresh of the cases to do).
            remaining = len(pending) + bool(partner_ids) + self.env.context.get("dunning_runs_after", 0)
            time_left = self.env["ir.cron"]._commit_progress(len(partner_ids), remaining=remaining)
            if not partner_ids:
                return True
            if not time_left:
                return False
            self._lock()

    def _queue_letters(self, letters, commit):
        """Sending is the queue's work (``account.dunning.send.queue``), in transactions of its
        own: the scheduled run queues its letters and has the queue sent soon; 'Run now' sends
        them in its own transaction, batch by batch."""
        letters.send_queued = True
        Queue = self.env["account.dunning.send.queue"]
        if commit:
            Queue._trigger()
        else:
            Queue._drain(run=self, commit=False)

    def _notify_missing_rate(self, error):
        """One activity for the dunning managers, not one per letter, and no crash."""
        if error.rate_type == "ecb_mro":
            # The ECB series is fetched daily: what is missing is the confirmation of the rate in
            # force on the half-year's first day, not a figure nobody typed.
            summary = self.env._(
                "Confirm the ECB main refinancing rate in force on the first day of %(period)s", period=error.period
            )
        else:
            summary = self.env._(
                "Add the reference rate '%(rate)s' for %(period)s",
                rate=dict(self.env["account.dunning.rate"]._fields["rate_type"]._description_selection(self.env)).get(
                    error.rate_type, error.rate_type
                ),
                period=error.period,
            )
        # One open to-do per company, whatever the language of the run that found it: keyed by
        # company (its runs) and activity type, never by the translated summary (company A's
        # to-do hid company B's). A second missing rate is added to the open to-do's note.
        todo = self.env.ref("mail.mail_activity_data_todo")
        open_todos = (
            self.env["mail.activity"]
            .sudo()
            .search(
                [
                    ("res_model", "=", self._name),
                    ("activity_type_id", "=", todo.id),
                    ("automated", "=", True),
                    ("date_done", "=", False),
                ]
            )
        )
        runs = self.sudo().browse(open_todos.mapped("res_id")).exists()
        same_company = set(runs.filtered(lambda run: run.company_id == self.company_id).ids)
        existing = open_todos.filtered(lambda activity: activity.res_id in same_company)[:1]
        if existing:
            if summary not in (existing.summary or "") and summary not in str(existing.note or ""):
                existing.note = Markup("%s<p>%s</p>") % (existing.note or "", summary)
            return
        manager = self.company_id._dunning_fallback_user()
        self.activity_schedule(
            "mail.mail_activity_data_todo",
            summary=summary,
            note=self.env._(
                "Letters stating penalties wait until the rate is known: Invoicing > Configuration > Dunning > "
                "Reference rates. The letters held for it go back to the sending queue once it is known."
            ),
            user_id=manager.id,
        )

    def _last_letter_dates(self, partner_ids):
        rows = self.env["account.dunning.letter"]._read_group(
            [("partner_id", "in", partner_ids), ("company_id", "=", self.company_id.id), ("state", "!=", "cancelled")],
            ["partner_id"],
            ["date:max"],
        )
        return {partner.id: last_date for partner, last_date in rows}

    def _process_partners(self, partner_ids):
        """Decide and create the letters of one batch of customers. Returns the letters.

        Who is a candidate: ``account.dunning.receivable``; which level comes next and which
        letters a customer gets: ``engine.decision``; how letters are written:
        ``account.dunning.letter.writer``."""
        company = self.company_id
        rows = self.env["account.dunning.receivable"]._candidate_lines(company, self.date, partner_ids)
        partners = self.env["res.partner"].browse(partner_ids).with_company(company)
        last_dates = self._last_letter_dates(partner_ids)
        counts = dict.fromkeys(self._skip_reasons(), 0)
        lines_by_partner = defaultdict(list)
        for row in rows:
            if row["excluded_by"]:
                counts[row["excluded_by"]] += 1
            else:
                lines_by_partner[row["partner_id"]].append(
                    decision.CandidateLine(
                        id=row["id"],
                        currency_id=row["currency_id"],
                        date_maturity=row["date_maturity"],
                        amount_residual=row["amount_residual"],
                        reached_delay=row["reached_delay"],
                        move_id=row["move_id"],
                        amount_residual_currency=row["amount_residual_currency"],
                    )
                )

        Writer = self.env["account.dunning.letter.writer"]
        steps_by_policy = {}
        letters_to_make = []
        policies = partners._dunning_policies(company)
        for partner in partners:
            lines = lines_by_partner.get(partner.id)
            if not lines:
                continue
            policy = policies[partner.id]
            if policy not in steps_by_policy:
                steps_by_policy[policy] = policy._level_steps() if policy else []
            if not steps_by_policy[policy]:
                counts["no_policy"] += len(lines)
                continue
            decided = decision.customer_letters(
                lines,
                steps_by_policy[policy],
                self.date,
                allow_skip=policy.allow_level_skip,
                last_letter_date=last_dates.get(partner.id),
                rounding=company.currency_id.rounding,
            )
            for reason, count in decided.skipped.items():
                counts[reason] += count
            letters_to_make += Writer._letter_values(partner, decided.letters)
        letters = Writer._create_letters(self, letters_to_make, {row["id"]: row for row in rows}, policies)
        self.write(
            {
                "lines_examined": self.lines_examined + len(rows),
                "letters_created": self.letters_created + len(letters),
                **{f"skipped_{reason}": self[f"skipped_{reason}"] + counts[reason] for reason in self._skip_reasons()},
            }
        )
        return letters
