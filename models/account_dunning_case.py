import logging
from collections import defaultdict
from datetime import timedelta

import psycopg2.errors
import psycopg2.extensions
from markupsafe import Markup

from odoo import api, fields, models
from odoo.exceptions import UserError, ValidationError
from odoo.fields import Command
from odoo.tools import SQL, float_compare, float_round, split_every
from odoo.tools.misc import format_amount, format_date

from .account_dunning_policy import PROMISE_HORIZON_DEFAULT
from .account_dunning_receivable import DUNNING_LINES_FROM
from .res_partner import DUNNING_RISKS, PAYMENT_TRENDS

_logger = logging.getLogger(__name__)

TOTAL_COLUMNS = ("amount_overdue", "amount_due", "oldest_days_late", "late_invoice_count", "urgency")
BEHAVIOUR_COLUMNS = (
    "paid_count",
    "avg_days_late",
    "late_share",
    "payment_trend",
    "dunning_risk",
    "dunning_risk_reason",
)
# A row another transaction changed or holds: the case is refreshed next time.
TRANSIENT_ERRORS = (psycopg2.extensions.TransactionRollbackError, psycopg2.errors.LockNotAvailable)

URGENCY = [("normal", "Under 30 days"), ("warning", "30 to 60 days"), ("danger", "Over 60 days")]


def urgency_of(days_late):
    if days_late > 60:
        return "danger"
    return "warning" if days_late >= 30 else "normal"


class AccountDunningCase(models.Model):
    """The collections file of one customer in one company: what the board shows."""

    _name = "account.dunning.case"
    _description = "Collection Case"
    _inherit = ["mail.thread", "mail.activity.mixin"]
    _order = "priority desc, oldest_days_late desc, id"
    _check_company_auto = True
    _rec_name = "partner_id"

    partner_id = fields.Many2one("res.partner", string="Customer", required=True, index=True, readonly=True)
    company_id = fields.Many2one("res.company", required=True, index=True, readonly=True)
    currency_id = fields.Many2one(related="company_id.currency_id")
    stage_id = fields.Many2one(
        "account.dunning.stage",
        index=True,
        tracking=True,
        group_expand="_read_group_stage_ids",
        default=lambda self: self.env.ref("account_dunning.stage_to_remind", raise_if_not_found=False),
    )
    stage_code = fields.Selection(related="stage_id.code")
    user_id = fields.Many2one("res.users", string="Collector", tracking=True, index=True)
    priority = fields.Selection([("0", "Normal"), ("1", "High"), ("2", "Very high"), ("3", "Urgent")], default="0")
    color = fields.Integer()
    late_cause_id = fields.Many2one("account.dunning.late.cause", string="Late cause", tracking=True)
    next_action_date = fields.Date(tracking=True)
    next_action = fields.Char(string="Next action")
    promise_date = fields.Date(string="Promised for", tracking=True, readonly=True)
    promise_amount = fields.Monetary(string="Promised amount", readonly=True)
    promise_base = fields.Monetary(readonly=True, help="What was overdue when the promise was made.")
    promise_pause_until = fields.Date(
        readonly=True, help="Reminders pause until this date (promise + the policy's grace)."
    )
    promise_state = fields.Selection(
        [("pending", "Pending"), ("kept", "Kept"), ("broken", "Broken")], readonly=True, tracking=True
    )
    amount_overdue = fields.Monetary(string="Overdue", readonly=True, aggregator="sum")
    amount_due = fields.Monetary(string="Total due", readonly=True, aggregator="sum")
    oldest_days_late = fields.Integer(string="Days late", readonly=True, aggregator="max")
    late_invoice_count = fields.Integer(string="Late invoices", readonly=True)
    urgency = fields.Selection(URGENCY, readonly=True, default="normal")
    last_letter_id = fields.Many2one("account.dunning.letter", compute="_compute_last_letter", string="Last letter")
    last_level_id = fields.Many2one("account.dunning.level", compute="_compute_last_letter", string="Last level")
    penalties_to_date = fields.Monetary(compute="_compute_penalties_to_date", string="Penalties to date")
    penalties_warning = fields.Char(
        compute="_compute_penalties_to_date",
        string="Penalties incomplete",
        help="Why some penalties are not counted in the penalties to date (a reference rate is missing).",
    )
    dunning_blocked = fields.Boolean(related="partner_id.dunning_blocked", readonly=False)
    dunning_block_reason = fields.Char(related="partner_id.dunning_block_reason", readonly=False)
    phone = fields.Char(related="partner_id.phone")
    email = fields.Char(related="partner_id.email")
    country_id = fields.Many2one(related="partner_id.country_id", store=True)
    active = fields.Boolean(default=True)
    tag_ids = fields.Many2many("account.dunning.case.tag", string="Tags")

    # Payment behaviour of the last twelve months and the risk it suggests, refreshed with the
    # totals by the daily run (analytics/behaviour.py says how each figure is measured).
    paid_count = fields.Integer(string="Installments paid (12 months)", readonly=True)
    avg_days_late = fields.Float(
        string="Average days late",
        digits=(16, 1),
        readonly=True,
        aggregator="avg",
        help="Of what the customer paid in the last twelve months, weighted by amount; early payments count as 0.",
    )
    late_share = fields.Float(
        string="Paid late (%)",
        digits=(16, 1),
        readonly=True,
        aggregator="avg",
        help="Share of the installments paid in the last twelve months that were paid after their due date.",
    )
    payment_trend = fields.Selection(
        PAYMENT_TRENDS,
        string="Trend",
        readonly=True,
        help="Average days late of the last three months against the nine months before (5 days either way).",
    )
    dunning_risk = fields.Selection(DUNNING_RISKS, string="Credit risk", readonly=True, default="low", index=True)
    dunning_risk_reason = fields.Char(string="Why at risk", readonly=True)

    _partner_company_uniq = models.UniqueIndex(
        "(partner_id, company_id)", "A customer has one collections file per company."
    )

    def write(self, vals):
        # Blocking reminders from the case sets the customer's flag and its reason together:
        # written one after the other (as related fields are), the flag would be refused
        # for lack of a reason.
        partner_vals = {key: vals[key] for key in ("dunning_blocked", "dunning_block_reason") if key in vals}
        if partner_vals:
            self.check_access("write")
            self.partner_id.write(partner_vals)
            vals = {key: value for key, value in vals.items() if key not in partner_vals}
        return super().write(vals) if vals else True

    @api.model
    def _read_group_stage_ids(self, stages, domain):
        # A handful of stages, all shown as columns of the board.
        return self.env["account.dunning.stage"].search([])  # pylint: disable=no-search-all

    def _compute_last_letter(self):
        rows = self.env["account.dunning.letter"]._read_group(
            [
                ("partner_id", "in", self.partner_id.ids),
                ("company_id", "in", self.company_id.ids),
                ("state", "=", "sent"),
            ],
            ["partner_id", "company_id"],
            ["id:max"],
        )
        last = {(partner.id, company.id): letter_id for partner, company, letter_id in rows}
        Letter = self.env["account.dunning.letter"]
        for case in self:
            letter = Letter.browse(last.get((case.partner_id.id, case.company_id.id)))
            case.last_letter_id = letter
            case.last_level_id = letter.level_id

    def _compute_penalties_to_date(self):
        """Interest and indemnities claimable today on the open invoices of every case, in the
        case's currency: one search and one penalty computation for all the cases."""
        invoices = self.env["account.move"].search(
            [
                ("commercial_partner_id", "in", self.partner_id.ids),
                ("company_id", "in", self.company_id.ids),
                ("move_type", "in", ("out_invoice", "out_receipt")),
                ("state", "=", "posted"),
                ("payment_state", "in", ("not_paid", "partial")),
            ]
        )
        results = invoices._compute_late_penalties()
        totals = defaultdict(float)
        # A line whose rate is missing adds nothing to the total: the case says so instead of
        # showing a figure that looks complete.
        warnings = {}
        for invoice in invoices:
            result = results.get(invoice.id)
            if result and result.error:
                warnings.setdefault(
                    (invoice.commercial_partner_id.id, invoice.company_id.id),
                    invoice._dunning_rate_error_message(result.error),
                )
            if result:
                company = invoice.company_id
                totals[invoice.commercial_partner_id.id, company.id] += invoice.currency_id._convert(
                    result.interest + result.indemnity, company.currency_id, company
                )
        for case in self:
            key = case.partner_id.id, case.company_id.id
            case.penalties_to_date = case.currency_id.round(totals[key])
            case.penalties_warning = warnings.get(key, False)

    # ------------------------------------------------------------------
    # Opening, resolving, totals: in sets, by the daily run
    # ------------------------------------------------------------------

    @api.model
    def _sync(self, company, on_date, partners=None, behaviour=True, commit=False):
        """Open a case for every customer with overdue receivables, resolve those with none,
        reopen a resolved one when the customer is late again, refresh every total, and
        settle promises whose date has passed. A handful of queries per batch of cases.
        ``partners`` limits it to some customers (after their payments, for instance);
        ``behaviour=False`` leaves the 12-month payment behaviour for a later call.

        The board stays usable meanwhile: cases are refreshed in batches, in id order (one
        lock order for every process), each batch locking only the cases that are free
        (``SKIP LOCKED``) and writing only those whose figures changed. A case a user holds
        keeps its figures until the next refresh, and never fails the caller. With
        ``commit`` (the scheduled run), each batch is its own short transaction."""
        partner_ids = partners.commercial_partner_id.ids if partners is not None else None
        self._open_cases(company, on_date, partner_ids)
        case_domain = [("company_id", "=", company.id)]
        if partner_ids is not None:
            case_domain.append(("partner_id", "in", partner_ids))
        cases = self.with_context(active_test=False).search(case_domain, order="id")
        skipped = self.browse()
        for batch_ids in split_every(self.env["account.dunning.run"]._batch_size(), cases.ids):
            batch = self.browse(batch_ids)
            if commit:
                # A fresh snapshot for each batch: what collectors saved since is seen, not
                # overwritten (nor a serialization failure). Only the scheduled run asks for it
                # (commit=True), between batches it can resume from.
                self.env.cr.commit()  # pylint: disable=invalid-commit
            skipped |= batch._sync_batch(company, on_date, behaviour, retry=commit)
        if skipped:
            _logger.info("Collection cases %s are being edited: their figures are refreshed next time.", skipped.ids)
        return cases

    @api.model
    def _open_cases(self, company, on_date, partner_ids=None):
        """A case for every customer of ``company`` with overdue receivables and none yet."""
        domain = [*self.env["account.dunning.receivable"]._owed_domain(company), ("date_maturity", "<", on_date)]
        if partner_ids is not None:
            domain.append(("partner_id", "in", partner_ids))
        late = {partner.id for [partner] in self.env["account.move.line"]._read_group(domain, ["partner_id"])}
        existing = self.with_context(active_test=False).search(
            [("company_id", "=", company.id), ("partner_id", "in", list(late))]
        )
        new_partners = self.env["res.partner"].browse(sorted(late - set(existing.partner_id.ids)))
        if not new_partners:
            return self.browse()
        to_remind = self._stages()["to_remind"]
        # Thousands of cases may open in one run: no "assigned to you" e-mail per case (the
        # board is where collectors look), and followers added per collector, not per case.
        created = self.with_context(tracking_disable=True).create(
            [
                {
                    "partner_id": partner.id,
                    "company_id": company.id,
                    "stage_id": to_remind.id,
                    "user_id": (partner.dunning_responsible_id or partner.user_id).id,
                }
                for partner in new_partners
            ]
        )
        for collector, assigned in created.grouped("user_id").items():
            if collector:
                self.env["mail.followers"]._insert_followers(
                    self._name, assigned.ids, collector.partner_id.ids, check_existing=False
                )
        return created

    def _sync_batch(self, company, on_date, behaviour, retry=False):
        """Refresh these cases (one batch of one company). Returns the cases left as they were
        because a user holds them (or saved them meanwhile)."""
        for attempt in range(2 if retry else 1):
            try:
                with self.env.cr.savepoint():
                    return self - self._sync_locked(company, on_date, behaviour)
            except TRANSIENT_ERRORS:
                self.env.invalidate_all(flush=False)
                if attempt or not retry:
                    return self
                # Retried once, in a new transaction (so a new snapshot).
                self.env.cr.rollback()
        return self

    def _sync_locked(self, company, on_date, behaviour):
        """Lock the free cases among these (id order, ``SKIP LOCKED``), then refresh them:
        stage, totals, behaviour (only what changed) and promises. Returns the locked cases."""
        self.flush_recordset()
        rows = self.env.execute_query_dict(
            SQL(
                """SELECT id, partner_id, %s FROM account_dunning_case WHERE id IN %s
                ORDER BY id FOR NO KEY UPDATE SKIP LOCKED""",
                SQL(", ").join(SQL.identifier(column) for column in (*TOTAL_COLUMNS, *BEHAVIOUR_COLUMNS)),
                tuple(self.ids),
            )
        )
        cases = self.browse([row["id"] for row in rows]).with_context(active_test=False)
        if not cases:
            return cases
        # What the database holds now, not what this transaction read earlier.
        cases.invalidate_recordset()
        current = {row["id"]: row for row in rows}
        partner_ids = [row["partner_id"] for row in rows]
        due, overdue = self._owed_totals(company, on_date, partner_ids)
        stages = self._stages()
        reopened = cases.filtered(lambda case: case.partner_id.id in overdue and case.stage_id.is_resolved)
        resolved = cases.filtered(lambda case: case.partner_id.id not in overdue and not case.stage_id.is_resolved)
        if reopened:
            reopened.write({"stage_id": stages["to_remind"].id, "active": True})
            reopened._message_log_batch(
                bodies=dict.fromkeys(reopened.ids, self.env._("Reopened: the customer is late again."))
            )
        if resolved:
            # A customer who paid everything overdue before the promised date kept the promise:
            # settled now, a promise left pending without its pause could never be settled.
            kept = resolved.filtered(lambda case: case.promise_state == "pending")
            resolved.write({"stage_id": stages["resolved"].id, "promise_pause_until": False})
            if kept:
                kept.write({"promise_state": "kept"})
                kept._message_log_batch(bodies=dict.fromkeys(kept.ids, self.env._("Promise kept.")))
            resolved._message_log_batch(
                bodies=dict.fromkeys(resolved.ids, self.env._("Resolved: nothing is overdue any more."))
            )
        # The judgments of the customers still late, read at once (not customer by customer).
        insolvent_partners = {
            partner.id
            for partner in self.env["res.partner"].sudo().with_context(active_test=False).browse(list(overdue))
            if partner.dunning_insolvency_date
        }
        insolvent = cases.filtered(
            lambda case: case.partner_id.id in insolvent_partners and case.stage_code != "insolvency"
        )
        if insolvent and "insolvency" in stages:
            # Book VI of the Code de commerce: the case follows the proceedings, not the reminders.
            insolvent.write({"stage_id": stages["insolvency"].id})
        currency = company.currency_id
        totals = {}
        for case in cases:
            amount, oldest, count = overdue.get(case.partner_id.id, (0.0, None, 0))
            days = (on_date - oldest).days if oldest else 0
            totals[case.id] = (
                currency.round(amount),
                currency.round(due.get(case.partner_id.id, 0.0)),
                days,
                count,
                urgency_of(days),
            )
        cases._write_changed(TOTAL_COLUMNS, totals, current, currency)
        if behaviour:
            cases._refresh_payment_behaviour(company, on_date, current)
        cases._settle_promises(on_date)
        return cases

    @api.model
    def _owed_totals(self, company, on_date, partner_ids):
        """What these customers owe ``company`` (the open receivables of
        ``account.dunning.receivable``), in one query: ``({partner id: amount due},
        {partner id: (amount overdue, oldest due date, late invoices)})``, the second only for
        the customers with something overdue on ``on_date``."""
        Receivable = self.env["account.dunning.receivable"]
        Receivable._flush()
        rows = self.env.execute_query(
            SQL(
                """SELECT aml.partner_id, SUM(aml.amount_residual),
                          SUM(aml.amount_residual) FILTER (WHERE aml.date_maturity < %s),
                          MIN(aml.date_maturity) FILTER (WHERE aml.date_maturity < %s),
                          COUNT(DISTINCT aml.move_id) FILTER (WHERE aml.date_maturity < %s)
                     FROM %s
                    WHERE %s
                 GROUP BY aml.partner_id""",
                on_date,
                on_date,
                on_date,
                DUNNING_LINES_FROM,
                SQL(" AND ").join(
                    [
                        SQL("aml.company_id = %s", company.id),
                        SQL("aml.partner_id = ANY(%s)", list(partner_ids)),
                        *Receivable._open_sql_conditions(),
                    ]
                ),
            )
        )
        due = {partner_id: amount for partner_id, amount, _late, _oldest, _count in rows}
        overdue = {partner_id: (late, oldest, count) for partner_id, _amount, late, oldest, count in rows if count}
        return due, overdue

    def _write_changed(self, columns, values, current, currency):
        """Write ``values`` (``{case id: tuple in columns order}``) of the cases whose stored
        figures (``current``, as read under lock) differ, in one UPDATE."""
        monetary = {name for name in columns if self._fields[name].type == "monetary"}

        def differs(column, old, new):
            if column in monetary:
                return currency.compare_amounts(old or 0.0, new or 0.0) != 0
            if isinstance(new, float):
                return float_compare(old or 0.0, new, precision_digits=1) != 0
            return (old or None) != (new or None)

        rows = [
            (case_id, *row)
            for case_id, row in values.items()
            if any(differs(column, current[case_id][column], new) for column, new in zip(columns, row, strict=True))
        ]
        self._write_rows(list(columns), rows)
        return len(rows)

    def _refresh_payment_behaviour(self, company, on_date, current=None):
        """Payment behaviour and risk of these cases of one company: one query for the
        history, one UPDATE for the cases whose figures changed."""
        if not self:
            return
        behaviours = self.partner_id._dunning_payment_behaviour(company, on_date)
        values = {}
        for case in self:
            figures = behaviours.get(case.partner_id.id)
            if figures is None:
                figures = self.env["res.partner"]._dunning_no_behaviour(on_date)
            risk = company._dunning_assess_risk(figures, case.oldest_days_late)
            values[case.id] = (
                figures.paid_count,
                # The raw UPDATE skips the fields' rounding: one decimal, as displayed.
                float_round(figures.avg_days_late, 1),
                float_round(figures.late_share, 1),
                figures.trend,
                risk.level,
                company._dunning_risk_text(risk) or None,
            )
        if current is None:
            current = {
                row["id"]: row
                for row in self.env.execute_query_dict(
                    SQL(
                        "SELECT id, %s FROM account_dunning_case WHERE id IN %s",
                        SQL(", ").join(SQL.identifier(column) for column in BEHAVIOUR_COLUMNS),
                        tuple(self.ids),
                    )
                )
            }
        self._write_changed(BEHAVIOUR_COLUMNS, values, current, company.currency_id)

    def _write_rows(self, columns, rows):
        """Write plain stored ``columns`` of these cases in one UPDATE, from ``rows`` of
        (case id, value per column): the run refreshes thousands of cases at once."""
        if not rows:
            return
        self.flush_model(columns)
        self.env.cr.execute(
            SQL(
                "UPDATE account_dunning_case AS c SET %s FROM (VALUES %s) AS v(id, %s) WHERE c.id = v.id",
                SQL(", ").join(SQL("%s = v.%s", SQL.identifier(column), SQL.identifier(column)) for column in columns),
                SQL(", ").join(SQL("(%s)", SQL(", ").join(SQL("%s", value) for value in row)) for row in rows),
                SQL(", ").join(SQL.identifier(column) for column in columns),
            )
        )
        self.invalidate_recordset(columns)

    @api.model
    def _stages(self):
        return {stage.code: stage for stage in self.env["account.dunning.stage"].search([("code", "!=", False)])}

    @api.model
    def _for_partners(self, partners, company):
        return self.search([("partner_id", "in", partners.commercial_partner_id.ids), ("company_id", "=", company.id)])

    @api.model
    def _on_event(self, partners, company, code, only_from=None):
        """Move the cases of these customers to the stage of an event (letter sent, promise,
        plan, hand-off...), unless they are in a stage the event must not override."""
        stage = self._stages().get(code)
        cases = self._for_partners(partners, company)
        if only_from is not None:
            cases = cases.filtered(lambda case: case.stage_code in only_from)
        if stage and cases:
            cases.write({"stage_id": stage.id})
        return cases

    # ------------------------------------------------------------------
    # Promises to pay
    # ------------------------------------------------------------------

    @api.constrains("promise_date", "promise_pause_until")
    def _check_promise_horizon(self):
        """Whatever writes a promise (the call wizard, an import, a script), reminders never
        pause beyond the policy's horizon and grace."""
        today = fields.Date.context_today(self)
        for case in self.filtered("promise_pause_until"):
            policy = case.partner_id._dunning_policy(case.company_id)
            horizon = policy.promise_horizon_days or PROMISE_HORIZON_DEFAULT
            limit = today + timedelta(days=horizon + max(policy.promise_grace_days, 0))
            if case.promise_pause_until > limit or (case.promise_date and case.promise_date > limit):
                raise ValidationError(
                    self.env._(
                        "A promise to pay may be at most %(days)s days ahead (until %(limit)s): reminders would "
                        "pause too long. For a later date, propose an installment plan.",
                        days=horizon,
                        limit=format_date(self.env, today + timedelta(days=horizon)),
                    )
                )

    def _record_promise(self, promise_date, amount, note=False):
        self.ensure_one()
        if amount <= 0:
            raise UserError(self.env._("A promise needs an amount."))
        today = fields.Date.context_today(self)
        if promise_date < today:
            raise UserError(self.env._("A promise to pay is for today or a later date."))
        policy = self.partner_id._dunning_policy(self.company_id)
        horizon = policy.promise_horizon_days or PROMISE_HORIZON_DEFAULT
        if promise_date > today + timedelta(days=horizon):
            raise UserError(
                self.env._(
                    "A promise to pay may be at most %(days)s days ahead (until %(limit)s): reminders would pause "
                    "too long. For a later date, propose an installment plan.",
                    days=horizon,
                    limit=format_date(self.env, today + timedelta(days=horizon)),
                )
            )
        self.write(
            {
                "promise_date": promise_date,
                "promise_amount": amount,
                "promise_base": self.amount_overdue,
                "promise_pause_until": promise_date + timedelta(days=policy.promise_grace_days or 0),
                "promise_state": "pending",
                "stage_id": self._stages()["promise"].id,
            }
        )
        self.message_post(
            body=self.env._(
                "Promise to pay %(amount)s by %(date)s.%(note)s",
                amount=format_amount(self.env, amount, self.currency_id),
                date=format_date(self.env, promise_date),
                note=f" {note}" if note else "",
            )
        )

    def _settle_promises(self, on_date):
        """A promise whose pause is over is kept (the amount came in) or broken."""
        for case in self.filtered(lambda case: case.promise_state == "pending" and case.promise_pause_until < on_date):
            received = case.promise_base - case.amount_overdue
            if case.currency_id.compare_amounts(received, case.promise_amount) >= 0:
                case.write({"promise_state": "kept", "promise_pause_until": False})
                case.message_post(body=self.env._("Promise kept."))
                continue
            case.write(
                {"promise_state": "broken", "promise_pause_until": False, "stage_id": self._stages()["reminded"].id}
            )
            # Written for the collector who will call, in their language.
            user = case.user_id or case.company_id._dunning_fallback_user()
            env = self.with_context(lang=user.lang or self.env.lang).env
            case.activity_schedule(
                "mail.mail_activity_data_call",
                summary=env._("Broken promise: %(partner)s", partner=case.partner_id.name),
                note=env._(
                    "%(amount)s was promised for %(date)s and has not been received. Reminders resume.",
                    amount=format_amount(env, case.promise_amount, case.currency_id),
                    date=format_date(env, case.promise_date),
                ),
                user_id=user.id,
            )

    # ------------------------------------------------------------------
    # Quick actions of the board
    # ------------------------------------------------------------------

    def action_send_next_letter(self):
        """Make (without sending) the letter due today for this customer, and open it."""
        self.ensure_one()
        # Whoever may make letters and work this case may do it (collectors); the day's run
        # only records the letter, and collectors neither start nor change runs.
        self.check_access("write")
        self.env["account.dunning.letter"].check_access("create")
        run = self.env["account.dunning.run"].sudo()._get_or_create(self.company_id, fields.Date.context_today(self))
        letters = run.with_company(self.company_id)._process_partners([self.partner_id.id]).sudo(False)
        if not letters:
            raise UserError(
                self.env._(
                    "No new letter is due today for %(partner)s (level already sent, gap or nothing late).",
                    partner=self.partner_id.name,
                )
            )
        return {
            "type": "ir.actions.act_window",
            "res_model": "account.dunning.letter",
            "res_id": letters[0].id,
            "views": [(False, "form")],
        }

    def action_log_call(self):
        self.ensure_one()
        return {
            "type": "ir.actions.act_window",
            "name": self.env._("Log a call"),
            "res_model": "account.dunning.call",
            "views": [(False, "form")],
            "target": "new",
            "context": {"default_case_id": self.id},
        }

    def action_record_promise(self):
        action = self.action_log_call()
        action["name"] = self.env._("Record a promise to pay")
        action["context"]["default_outcome"] = "promise"
        return action

    def action_propose_plan(self):
        self.ensure_one()
        return self.partner_id.with_company(self.company_id).action_propose_installment_plan()

    def action_propose_handoff(self):
        self.ensure_one()
        lines = self.env["account.dunning.installment.plan"]._overdue_lines(self.partner_id, self.company_id)
        lines = lines.filtered(lambda line: not line.dunning_handoff_id)
        if not lines:
            raise UserError(self.env._("Nothing overdue is left to hand over."))
        agency = self.env["res.partner"].search([("is_collection_agency", "=", True)], limit=1)
        if not agency:
            raise UserError(self.env._("Flag a partner as collection agency first (Invoicing tab of the partner)."))
        handoff = self.env["account.dunning.handoff"].create(
            {
                "partner_id": self.partner_id.id,
                "company_id": self.company_id.id,
                "agency_id": agency.id,
                "commission_rate": agency.collection_commission_rate,
                "line_ids": [Command.create({"move_line_id": line.id}) for line in lines],
            }
        )
        return {
            "type": "ir.actions.act_window",
            "res_model": handoff._name,
            "res_id": handoff.id,
            "views": [(False, "form")],
        }

    def action_print_statement(self):
        self.ensure_one()
        return self.env.ref("account_dunning.action_report_dunning_statement").report_action(self.partner_id)

    def action_open_invoices(self):
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id("account.action_move_out_invoice_type")
        # The invoices and journal entries behind the case's totals (the one definition of a debt).
        owed = self.env["account.move.line"].search(
            [
                *self.env["account.dunning.receivable"]._owed_domain(self.company_id),
                ("partner_id", "=", self.partner_id.id),
            ]
        )
        action["domain"] = [("id", "in", owed.move_id.ids)]
        action["context"] = {}
        return action

    def action_open_letters(self):
        self.ensure_one()
        return self.partner_id.action_open_dunning_letters()

    def _log_call(self, outcome_label, note, next_action_date=False, next_action=False):
        self.ensure_one()
        body = Markup("<strong>%s</strong>") % self.env._("Call: %(outcome)s", outcome=outcome_label)
        if note:
            body += Markup("<br/>") + note
        self.message_post(body=body, message_type="comment", subtype_xmlid="mail.mt_note")
        self.activity_feedback(["mail.mail_activity_data_call"], feedback=outcome_label)
        self.write({"next_action_date": next_action_date, "next_action": next_action})
