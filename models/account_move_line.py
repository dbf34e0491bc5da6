import logging
from collections import defaultdict
from datetime import datetime, time
from decimal import Decimal

from odoo import api, fields, models
from odoo.tools import SQL, float_round

from ..law import insolvency, regimes
from ..law.rates import MissingRateError
from .penalty_tools import LinePenalty, clip_segments, money_to_decimal, to_decimal

_logger = logging.getLogger(__name__)


class AccountMoveLine(models.Model):
    _inherit = "account.move.line"

    # The unit of dunning is the receivable line: each installment is reminded on its own.
    dunning_level_id = fields.Many2one(
        "account.dunning.level", string="Last dunning level", readonly=True, copy=False, index="btree_not_null"
    )
    dunning_last_date = fields.Date(string="Last reminded on", readonly=True, copy=False)
    dunning_formal_notice_date = fields.Date(string="Formal notice on", readonly=True, copy=False)
    dunning_letter_line_ids = fields.One2many("account.dunning.letter.line", "move_line_id", readonly=True)
    dunning_plan_id = fields.Many2one(
        "account.dunning.installment.plan",
        string="Installment plan",
        readonly=True,
        copy=False,
        index="btree_not_null",
        help="While an installment plan covers this line, it is not reminded.",
    )
    dunning_handoff_id = fields.Many2one(
        "account.dunning.handoff",
        string="Collection hand-off",
        readonly=True,
        copy=False,
        index="btree_not_null",
        help="Handed to a collection agency: never reminded internally again.",
    )

    def _dunning_document_label(self):
        """How the customer knows the document of this line: the invoice number, or for a
        journal entry (an opening balance migrated from another system) its reference."""
        self.ensure_one()
        move = self.move_id
        if move.move_type == "entry":
            return move.ref or self.name or move.name
        return move.name

    def _dunning_document_date(self):
        """The invoice date, or a journal entry's accounting date."""
        self.ensure_one()
        return self.move_id.invoice_date or self.move_id.date

    def _dunning_still_due(self):
        """The lines of ``self`` that can still be reminded right now (``account.dunning.receivable``)."""
        return self.env["account.dunning.receivable"]._still_due(self)

    def _dunning_refresh_cases(self):
        """The board follows payments as they are matched, not only at the next daily run:
        the customers' cases get their new totals, and resolve when nothing is overdue.

        Called inside every reconciliation, so it stays cheap (only the customers of these
        lines who have a case, a few queries per company) and it can never make a payment
        fail: the totals are a convenience the next daily run recomputes, the payment is the
        accountant's record. The refresh runs in a savepoint; an error is logged and undone."""
        receivables = self.filtered(lambda line: line.account_type == "asset_receivable" and line.partner_id)
        if not receivables:
            return
        today = fields.Date.context_today(self)
        Case = self.env["account.dunning.case"].sudo()
        for company, lines in receivables.grouped("company_id").items():
            partners = lines.partner_id.commercial_partner_id
            if not Case.search_count([("partner_id", "in", partners.ids), ("company_id", "=", company.id)], limit=1):
                continue
            try:
                with self.env.cr.savepoint():
                    Case._sync(company, today, partners)
            except Exception:
                _logger.exception(
                    "Dunning: the collection cases of partners %s (company %s) were not refreshed after a "
                    "reconciliation; the next daily run will.",
                    partners.ids,
                    company.id,
                )

    # ------------------------------------------------------------------
    # Late-payment penalties
    # ------------------------------------------------------------------

    def _dunning_insolvency_caught(self):
        """The lines of ``self`` born before their customer's insolvency judgment: no reminder,
        plan or hand-off for them, and no interest after the judgment (:mod:`..law.insolvency`)."""
        return self.filtered(
            lambda line: insolvency.born_before(
                line.move_id.invoice_date or line.move_id.date,
                line.partner_id.commercial_partner_id.sudo().dunning_insolvency_date,
            )
        )

    def _dunning_penalty_inputs(self):
        """Everything the penalty law needs for these receivable lines, read in a few queries:
        partial payments, invoiced periods, first free reminder, policy."""
        partials = self.env["account.partial.reconcile"].search_fetch(
            [("debit_move_id", "in", self.ids)], ["debit_move_id", "max_date", "debit_amount_currency"]
        )
        reductions = defaultdict(list)
        # A reduction is dated by the later of the two entries it matches: a payment by its
        # accounting date, a credit note by its own date (law/interest.py says why).
        for partial in partials:
            reductions[partial.debit_move_id.id].append((partial.max_date, partial.debit_amount_currency))
        invoiced_to = {
            line.id: date_to
            for line, date_to in self.env["account.dunning.penalty"]._read_group(
                [("move_line_id", "in", self.ids), ("active_period", "=", True)], ["move_line_id"], ["date_to:max"]
            )
        }
        reminders = {}
        sent_lines = self.env["account.dunning.letter.line"].search_fetch(
            [("move_line_id", "in", self.ids), ("letter_id.state", "=", "sent")], ["move_line_id", "letter_id"]
        )
        for letter_line in sent_lines:
            letter = letter_line.letter_id
            known = reminders.get(letter_line.move_line_id.id)
            # A printed letter is a reminder once posted (not while it waits to be printed), from
            # the day it was posted.
            if letter.channel == "letter":
                sent = datetime.combine(letter.posted_date, time.min) if letter.posted_date else None
            else:
                sent = letter.sent_date
            # A courtesy reminder before the due date puts nobody in default: the first reminder
            # that counts is the first one sent after it.
            if not sent or sent.date() <= letter_line.move_line_id.date_maturity:
                continue
            if not known or sent < known[0]:
                reminders[letter_line.move_line_id.id] = (sent, letter.channel)
        return reductions, invoiced_to, reminders

    def _dunning_penalties(self, on_date):
        """Interest each receivable line owes on ``on_date`` and not yet invoiced, per the law
        of its customer's policy. Returns ``{line_id: LinePenalty}``; a missing reference
        rate is reported in ``error`` (never computed as zero)."""
        if not self:
            return {}
        return self._dunning_penalties_of_rows(self._dunning_penalty_rows(SQL("aml.id = ANY(%s)", self.ids)), on_date)

    @api.model
    def _dunning_penalty_rows(self, condition):
        """What the law needs of the lines meeting the SQL ``condition`` (on aliases aml, move,
        partner), as plain rows in the order ``_dunning_penalties_of_rows`` reads them, each
        ending with the line's move id: at 100,000 lines, reading fields through the ORM cost
        more than the law itself."""
        self.flush_model(
            [
                "partner_id",
                "company_id",
                "currency_id",
                "amount_currency",
                "date_maturity",
                "dunning_formal_notice_date",
                "dunning_plan_id",
                "display_type",
                "account_id",
            ]
        )
        self.env["account.dunning.installment.plan"].flush_model(["state", "penalty_mode"])
        self.env["account.move"].flush_model(["invoice_date", "date"])
        self.env["res.partner"].flush_model(["dunning_insolvency_date"])
        return self.env.execute_query(
            SQL(
                """SELECT aml.id, aml.partner_id, aml.company_id, aml.currency_id, aml.amount_currency,
                          aml.date_maturity, aml.dunning_formal_notice_date,
                          COALESCE(plan.state = 'active' AND plan.penalty_mode IN ('waive', 'freeze'), FALSE),
                          COALESCE(move.invoice_date, move.date), partner.dunning_insolvency_date, aml.move_id
                     FROM account_move_line aml
                     JOIN account_move move ON move.id = aml.move_id
                LEFT JOIN res_partner partner ON partner.id = aml.partner_id
                LEFT JOIN account_dunning_installment_plan plan ON plan.id = aml.dunning_plan_id
                    WHERE %s""",
                condition,
            )
        )

    @api.model
    def _dunning_penalties_of_rows(self, rows, on_date, policies=None):
        """``_dunning_penalties`` of lines given as plain rows: ``(id, partner id, company id,
        currency id, amount in currency, due date, formal notice date, kept by a plan, date the
        debt was born, insolvency judgment date, ...)``, as ``_dunning_penalty_rows`` reads them (the
        daily run reads the same columns with its candidates). ``policies``: ``{(partner id,
        company id): policy}`` already known (the others are looked up, once per company).
        Returns ``{line_id: LinePenalty}``."""
        if not rows:
            return {}
        table = self.env["account.dunning.rate"]._rate_table()
        lines = self.browse([row[0] for row in rows])
        reductions, invoiced_to, reminders = lines._dunning_penalty_inputs()
        policies = dict(policies or {})
        partners_by_company = defaultdict(set)
        for _line_id, partner_id, company_id, *_rest in rows:
            if (partner_id, company_id) not in policies:
                partners_by_company[company_id].add(partner_id)
        for company_id, partner_ids in partners_by_company.items():
            company = self.env["res.company"].browse(company_id)
            for partner_id, policy in self.env["res.partner"].browse(partner_ids)._dunning_policies(company).items():
                policies[partner_id, company_id] = policy
        terms = {}  # (partner, company): (regime, contractual rate, Belgian consumer clause)
        for _line_id, partner_id, company_id, *_rest in rows:
            if (partner_id, company_id) not in terms:
                policy = policies[partner_id, company_id]
                terms[partner_id, company_id] = (
                    policy.penalty_regime or "none",
                    to_decimal(policy.contractual_rate) if policy.contractual_rate else None,
                    policy.consumer_clause or "none",
                )
        currencies = {
            currency.id: (currency.rounding, currency.decimal_places)
            for currency in self.env["res.currency"].browse({row[3] for row in rows})
        }
        results = {}
        for line_id, partner_id, company_id, currency_id, principal, due, notice, frozen, born, judgment, *_ in rows:
            regime, contractual_rate, consumer_clause = terms[partner_id, company_id]
            if frozen:
                # Kept plan: no penalty accrues (frozen ones were invoiced at confirmation).
                results[line_id] = LinePenalty(regime, 0.0, [], False, None, None)
                continue
            rounding, decimal_places = currencies[currency_id]
            reminder_sent, reminder_channel = reminders.get(line_id, (None, None))
            try:
                result = regimes.compute_line_penalties(
                    regime,
                    principal=money_to_decimal(principal, decimal_places),
                    reductions=[
                        (paid_on, money_to_decimal(amount, decimal_places))
                        for paid_on, amount in reductions.get(line_id, [])
                    ],
                    due_date=due,
                    # L622-28: the opening judgment stops the interest of the debts born before it.
                    on_date=insolvency.interest_end(on_date, born, judgment),
                    table=table,
                    contractual_rate=contractual_rate,
                    formal_notice_date=notice,
                    free_reminder_date=reminder_sent.date() if reminder_sent else None,
                    free_reminder_channel=reminder_channel,
                    consumer_clause=consumer_clause,
                )
            except MissingRateError as error:
                results[line_id] = LinePenalty(regime, 0.0, [], False, None, error)
                continue
            segments = clip_segments(result.segments, invoiced_to.get(line_id))
            interest = float_round(
                float(sum((segment.amount for segment in segments), Decimal(0))), precision_rounding=rounding
            )
            results[line_id] = LinePenalty(regime, interest, segments, result.late, result.claimable_from, None)
        return results
