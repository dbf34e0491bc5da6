import logging
import time
from collections import defaultdict
from datetime import timedelta

import psycopg2.errors

from odoo import api, fields, models
from odoo.exceptions import UserError
from odoo.tools import SQL

from .account_dunning_level import COURTESY_WINDOW_DAYS
from .account_move_line import DUNNING_LINES_FROM

_logger = logging.getLogger(__name__)

SKIP_REASONS = ("disputed", "blocked", "plan", "handoff", "promise", "no_policy", "gap", "min_amount", "not_due")


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
        [("draft", "Draft"), ("running", "In progress"), ("done", "Done")], default="draft", required=True
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
    lines_examined = fields.Integer(readonly=True)
    letters_created = fields.Integer(readonly=True)
    letters_sent = fields.Integer(readonly=True)
    letters_failed = fields.Integer(readonly=True)
    skipped_disputed = fields.Integer(string="Skipped: disputed invoice", readonly=True)
    skipped_blocked = fields.Integer(string="Skipped: blocked customer", readonly=True)
    skipped_plan = fields.Integer(string="Skipped: in an installment plan", readonly=True)
    skipped_handoff = fields.Integer(string="Skipped: handed to an agency", readonly=True)
    skipped_promise = fields.Integer(string="Skipped: promise to pay", readonly=True)
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
        """Daily: for every company, remind what is due today. Commits after each batch, so a
        killed run resumes where it stopped; letters are never duplicated."""
        today = fields.Date.context_today(self)
        for company in self.env["res.company"].search([]):
            run = self._get_or_create(company, today)
            if run.state == "done":
                continue
            try:
                run.with_company(company)._execute(commit=True)
            except UserError as error:
                # Another worker holds this run: it will finish it.
                _logger.info("Dunning run skipped: %s", error)
        return True

    @api.model
    def _get_or_create(self, company, date):
        run = self.search([("company_id", "=", company.id), ("date", "=", date)], limit=1)
        return run or self.create({"company_id": company.id, "date": date})

    def action_run(self):
        """'Run now': run (or finish) the dunning process for this company and date."""
        # Dunning managers only: refuse before any letter is made, not halfway.
        self.check_access("write")
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

    def _execute(self, commit=False):
        self.ensure_one()
        if not self.env.company.dunning_policy_professional_id and not self.env.company.dunning_policy_consumer_id:
            self.company_id._dunning_ensure_default_policies()
        self._lock()
        if self.state == "done":
            # Run again (e.g. invoices posted after the morning run): letters already made
            # today are not made twice, only what is new is reminded.
            self.write({"state": "running", "partner_cursor": 0})
        if self.state == "draft":
            self.write({"state": "running", "started_at": fields.Datetime.now()})
            # Every late customer has a case before letters move it along the board (their
            # payment behaviour is refreshed once, at the end).
            self.env["account.dunning.case"]._sync(self.company_id, self.date, behaviour=False)
        # The customers to go through, read once (the cursor skips those already done when
        # an interrupted run resumes); batches are slices of it.
        pending = self._pending_partner_ids()
        batch_size = self._batch_size()
        while True:
            started = time.monotonic()
            partner_ids, pending = pending[:batch_size], pending[batch_size:]
            if partner_ids:
                letters = self._process_partners(partner_ids)
                if self.send_letters and self.company_id.dunning_auto_send:
                    to_send = letters.filtered("auto_send")
                    to_send.with_context(dunning_send_date=self.date).action_send()
                    self.letters_sent += len(to_send.filtered(lambda letter: letter.state == "sent"))
                    self.letters_failed += len(to_send.filtered(lambda letter: letter.state == "failed"))
                self.partner_cursor = partner_ids[-1]
            else:
                # Cases follow the book: opened, resolved, totals refreshed, promises settled.
                self.env["account.dunning.case"]._sync(self.company_id, self.date)
                self.write({"state": "done", "ended_at": fields.Datetime.now()})
            self.duration += time.monotonic() - started
            if not commit:
                if not partner_ids:
                    return True
                continue
            time_left = self.env["ir.cron"]._commit_progress(len(partner_ids), remaining=len(pending))
            if not partner_ids:
                return True
            if not time_left:
                return False
            self._lock()

    def _notify_missing_rate(self, error):
        """One activity for the dunning managers, not one per letter, and no crash."""
        summary = self.env._(
            "Add the reference rate '%(rate)s' for %(period)s",
            rate=dict(self.env["account.dunning.rate"]._fields["rate_type"]._description_selection(self.env)).get(
                error.rate_type, error.rate_type
            ),
            period=error.period,
        )
        existing = self.env["mail.activity"].search_count(
            [("res_model", "=", self._name), ("summary", "=", summary), ("date_done", "=", False)], limit=1
        )
        if existing:
            return
        manager = (
            self.env.ref("account_dunning.group_dunning_manager")
            .user_ids.filtered(lambda user: self.company_id in user.company_ids and not user._is_superuser())
            .sorted("id")[:1]
        ) or self.env.ref("base.user_admin")
        self.activity_schedule(
            "mail.mail_activity_data_todo",
            summary=summary,
            note=self.env._(
                "Letters stating penalties wait until the rate is known: Invoicing > Configuration > Dunning > "
                "Reference rates."
            ),
            user_id=manager.id,
        )

    def _candidate_sql(self):
        """Receivable lines of the company that may call for a letter on the run's date."""
        aml = self.env["account.move.line"]
        horizon = self.date + timedelta(days=COURTESY_WINDOW_DAYS)
        return SQL(" AND ").join(
            [
                SQL("aml.company_id = %s", self.company_id.id),
                SQL("aml.date_maturity <= %s", horizon),
                *aml._dunning_open_sql_conditions(),
            ]
        )

    def _pending_partner_ids(self):
        """The customers with candidate lines after the cursor, in order: one query per run."""
        self.env["account.move.line"]._dunning_flush()
        rows = self.env.execute_query(
            SQL(
                """SELECT DISTINCT aml.partner_id
                     FROM %s
                    WHERE %s AND aml.partner_id > %s
                 ORDER BY aml.partner_id""",
                DUNNING_LINES_FROM,
                self._candidate_sql(),
                self.partner_cursor,
            )
        )
        return [row[0] for row in rows]

    def _fetch_candidate_lines(self, partner_ids):
        """One query: every candidate line of these customers with the furthest level it
        already received (in a letter not cancelled: a draft or failed letter counts, so a
        re-run never makes a second letter for it)."""
        self.env["account.move.line"]._dunning_flush()
        exclusions = self.env["account.move.line"]._dunning_sql_exclusions(self.date)
        excluded_by = SQL(", ").join(
            SQL("CASE WHEN %s THEN %s END", condition, reason) for reason, condition in exclusions
        )
        return self.env.execute_query_dict(
            SQL(
                """SELECT aml.id, aml.move_id, aml.partner_id, aml.currency_id, aml.date_maturity,
                          aml.amount_residual, aml.amount_residual_currency,
                          reached.delay_days AS reached_delay,
                          COALESCE(%s) AS excluded_by
                     FROM %s
                LEFT JOIN (
                           -- Levels reached by the batch's lines, aggregated once for the batch (a
                           -- lateral subquery per line let the planner rescan all letters each time).
                           SELECT letter_line.move_line_id, MAX(level.delay_days) AS delay_days
                             FROM account_move_line batch_line
                             JOIN account_dunning_letter_line letter_line ON letter_line.move_line_id = batch_line.id
                             JOIN account_dunning_letter letter ON letter.id = letter_line.letter_id
                             JOIN account_dunning_level level ON level.id = letter_line.level_id
                            WHERE batch_line.partner_id = ANY(%s) AND letter.state != 'cancelled'
                         GROUP BY letter_line.move_line_id
                          ) reached ON reached.move_line_id = aml.id
                    WHERE %s AND aml.partner_id = ANY(%s)
                 ORDER BY aml.partner_id, aml.date_maturity, aml.id""",
                excluded_by,
                DUNNING_LINES_FROM,
                partner_ids,
                self._candidate_sql(),
                partner_ids,
            )
        )

    def _last_letter_dates(self, partner_ids):
        rows = self.env["account.dunning.letter"]._read_group(
            [("partner_id", "in", partner_ids), ("company_id", "=", self.company_id.id), ("state", "!=", "cancelled")],
            ["partner_id"],
            ["date:max"],
        )
        return {partner.id: last_date for partner, last_date in rows}

    @staticmethod
    def _next_level(levels, days_late, reached_delay, allow_skip):
        """The level a line should receive today, or None.

        ``levels`` are sorted by delay. A line never goes backwards nor gets a level twice;
        it moves one level at a time unless the policy allows skipping; a courtesy level
        (before the due date) is pointless once the line is late.
        """
        pending = [
            level
            for level in levels
            if (reached_delay is None or level.delay_days > reached_delay) and (level.delay_days < 0) == (days_late < 0)
        ]
        due = [level for level in pending if level.delay_days <= days_late]
        if not due:
            return None
        return due[-1] if allow_skip else pending[0] if pending[0] in due else None

    def _process_partners(self, partner_ids):
        """Decide and create the letters of one batch of customers. Returns the letters."""
        company = self.company_id
        rows = self._fetch_candidate_lines(partner_ids)
        partners = self.env["res.partner"].browse(partner_ids).with_company(company)
        last_dates = self._last_letter_dates(partner_ids)
        lines_by_partner = defaultdict(list)
        for row in rows:
            lines_by_partner[row["partner_id"]].append(row)

        counts = dict.fromkeys(self._skip_reasons(), 0)
        levels_by_policy = {}
        letters_to_make = []
        policies = partners._dunning_policies(company)
        for partner in partners:
            partner_rows = []
            for row in lines_by_partner.get(partner.id, []):
                if row["excluded_by"]:
                    counts[row["excluded_by"]] += 1
                else:
                    partner_rows.append(row)
            if not partner_rows:
                continue
            policy = policies[partner.id]
            if policy not in levels_by_policy:
                levels_by_policy[policy] = policy._sorted_levels() if policy else []
            if not levels_by_policy[policy]:
                counts["no_policy"] += len(partner_rows)
                continue
            letters_to_make += self._partner_letter_vals(
                partner, partner_rows, policy, levels_by_policy[policy], last_dates.get(partner.id), counts
            )
        letters = self._create_letters(letters_to_make)
        self.write(
            {
                "lines_examined": self.lines_examined + len(rows),
                "letters_created": self.letters_created + len(letters),
                **{f"skipped_{reason}": self[f"skipped_{reason}"] + counts[reason] for reason in self._skip_reasons()},
            }
        )
        return letters

    def _create_letters(self, letters_to_make):
        """Create the batch's letters from ``(letter values, [(candidate row, level)])``.

        Letters and lines are written with two INSERTs: through the ORM, the per-record work
        of ``create`` was nearly all of the run's time. Every stored field is computed here,
        from the same helpers the ORM computes use (a test compares both), credits and
        penalties for the whole batch at once. Letters are made as with ``mail_create_nolog``
        and ``mail_create_nosubscribe``: no creation message, no followers.
        """
        Letter = self.env["account.dunning.letter"]
        if not letters_to_make:
            return Letter
        company = self.company_id
        Level = self.env["account.dunning.level"]
        credits = Letter._unapplied_credits(
            list({vals["partner_id"] for vals, _items in letters_to_make}), [company.id]
        )
        penalty_moves = self.env["account.move"].browse(
            {
                row["move_id"]
                for vals, items in letters_to_make
                if Level.browse(vals["level_id"]).apply_penalties
                for row, _level in items
            }
        )
        results = penalty_moves._compute_late_penalties(self.date) if penalty_moves else {}
        by_line = Letter._penalties_by_line(results)
        letter_ids = [
            row[0]
            for row in self.env.execute_query(
                SQL(
                    "SELECT nextval('account_dunning_letter_id_seq') FROM generate_series(1, %s)",
                    len(letters_to_make),
                )
            )
        ]
        errors, letter_rows, line_rows = [], [], []
        for letter_id, (vals, items) in zip(letter_ids, letters_to_make, strict=True):
            currency = self.env["res.currency"].browse(vals["currency_id"])
            level = Level.browse(vals["level_id"])
            if level.apply_penalties:
                penalties, letter_errors = Letter._line_penalties(
                    results, by_line, [(row["id"], row["move_id"]) for row, _level in items]
                )
            else:
                penalties, letter_errors = [(0.0, 0.0)] * len(items), []
            errors += letter_errors
            lines = [
                (row["amount_residual_currency"], currency.round(interest), currency.round(indemnity))
                for (row, _level), (interest, indemnity) in zip(items, penalties, strict=True)
            ]
            credit = currency.round(credits.get((vals["partner_id"], company.id, currency.id), 0.0))
            amounts = Letter._amount_values(
                currency, len(lines), *(sum(column) for column in zip(*lines, strict=True)), credit
            )
            letter_rows.append(
                (
                    letter_id,
                    vals["partner_id"],
                    vals["recipient_id"],
                    vals["user_id"] or None,
                    currency.id,
                    level.id,
                    level.policy_id.id,
                    level.channel,
                    vals["auto_send"],
                    amounts["line_count"],
                    amounts["amount_due"],
                    credit,
                    amounts["amount_net"],
                    amounts["interest_amount"],
                    amounts["indemnity_amount"],
                    penalty_moves._dunning_rate_error_message(letter_errors[-1]) if letter_errors else None,
                )
            )
            line_rows += [
                (letter_id, currency.id, row["id"], row["move_id"], line_level.id, row["date_maturity"], *line)
                for (row, line_level), line in zip(items, lines, strict=True)
            ]
        now = self.env.cr.now()
        self.env.execute_query(
            SQL(
                """INSERT INTO account_dunning_letter
                          (id, partner_id, recipient_id, user_id, currency_id, level_id, policy_id, channel,
                           auto_send, line_count, amount_due, credit_amount, amount_net, interest_amount,
                           indemnity_amount, penalty_error,
                           company_id, date, run_id, state, create_uid, write_uid, create_date, write_date)
                   SELECT letter.*, %s, %s, %s, 'to_send', %s, %s, %s, %s
                     FROM unnest(%s::int[], %s::int[], %s::int[], %s::int[], %s::int[], %s::int[], %s::int[],
                                 %s::varchar[], %s::bool[], %s::int[], %s::numeric[], %s::numeric[],
                                 %s::numeric[], %s::numeric[], %s::numeric[], %s::varchar[]) AS letter""",
                company.id,
                self.date,
                self.id,
                self.env.uid,
                self.env.uid,
                now,
                now,
                *(list(column) for column in zip(*letter_rows, strict=True)),
            )
        )
        self.env.execute_query(
            SQL(
                """INSERT INTO account_dunning_letter_line
                          (letter_id, currency_id, move_line_id, move_id, level_id, date_maturity,
                           amount_due, interest_amount, indemnity_amount,
                           company_id, create_uid, write_uid, create_date, write_date)
                   SELECT line.*, %s, %s, %s, %s, %s
                     FROM unnest(%s::int[], %s::int[], %s::int[], %s::int[], %s::int[], %s::date[],
                                 %s::numeric[], %s::numeric[], %s::numeric[]) AS line""",
                company.id,
                self.env.uid,
                self.env.uid,
                now,
                now,
                *(list(column) for column in zip(*line_rows, strict=True)),
            )
        )
        # What the ORM may hold about these customers' and this run's letters is now stale.
        self.env["res.partner"].invalidate_model(["dunning_letter_ids"])
        self.invalidate_recordset(["letter_ids"])
        for error in errors:
            self._notify_missing_rate(error)
        return Letter.browse(letter_ids)

    def _partner_letter_vals(self, partner, rows, policy, levels, last_date, counts):
        """The letters (one per currency) a customer gets today, as (create values, [(candidate
        row, level)]); ``counts`` collects why lines were left out."""
        by_currency = defaultdict(list)
        for row in rows:
            days_late = (self.date - row["date_maturity"]).days
            level = self._next_level(levels, days_late, row["reached_delay"], policy.allow_level_skip)
            if level is None:
                counts["not_due"] += 1
            else:
                by_currency[row["currency_id"]].append((row, level))
        if not by_currency:
            return []
        letter_level = max(
            (level for items in by_currency.values() for _row, level in items), key=lambda lv: lv.delay_days
        )
        if last_date and (self.date - last_date).days < letter_level._effective_min_gap():
            counts["gap"] += sum(len(items) for items in by_currency.values())
            return []
        company_currency = self.company_id.currency_id
        partner_values = self.env["account.dunning.letter"]._partner_values(partner)
        vals_list = []
        for currency_id, items in by_currency.items():
            level = max((lv for _row, lv in items), key=lambda lv: lv.delay_days)
            total_company = sum(row["amount_residual"] for row, _lv in items)
            if company_currency.compare_amounts(total_company, level.min_amount) < 0:
                counts["min_amount"] += len(items)
                continue
            vals_list.append(
                (
                    {
                        "partner_id": partner.id,
                        "currency_id": currency_id,
                        "level_id": level.id,
                        "auto_send": level.auto_send,
                        **partner_values,
                    },
                    items,
                )
            )
        return vals_list
