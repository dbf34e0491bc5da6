from odoo import api, fields, models
from odoo.exceptions import UserError
from odoo.tools.misc import formatLang

from ..law import recovery
from .penalty_tools import PenaltyClaim, to_decimal
from .record_lock import internal, is_internal


class AccountDunningHandoffLine(models.Model):
    _name = "account.dunning.handoff.line"
    _description = "Receivable handed to an agency"
    _order = "handoff_id, date_maturity, id"
    _check_company_auto = True

    handoff_id = fields.Many2one("account.dunning.handoff", required=True, index=True, ondelete="cascade")
    company_id = fields.Many2one(related="handoff_id.company_id", store=True, index=True)
    company_currency_id = fields.Many2one(related="company_id.currency_id", string="Company currency")
    move_line_id = fields.Many2one(
        "account.move.line", string="Receivable", required=True, index=True, ondelete="restrict", check_company=True
    )
    move_id = fields.Many2one(related="move_line_id.move_id", store=True, string="Invoice")
    currency_id = fields.Many2one(related="move_line_id.currency_id", store=True, string="Invoice currency")
    date_maturity = fields.Date(related="move_line_id.date_maturity", store=True, string="Due date")
    principal = fields.Monetary(readonly=True, help="What the line owed on the hand-off date.")
    interest = fields.Monetary(readonly=True, help="Late-payment interest owed on the hand-off date, not yet invoiced.")
    indemnity = fields.Monetary(readonly=True, help="Recovery indemnity of the invoice (once per invoice).")
    interest_date_from = fields.Date(string="Interest from", readonly=True, help="First day of the interest claimed.")
    interest_date_to = fields.Date(
        string="Interest to", readonly=True, help="Last day of the interest claimed (the hand-off date)."
    )
    total = fields.Monetary(compute="_compute_total", store=True)
    total_company = fields.Monetary(
        readonly=True, currency_field="company_currency_id", string="Total (company currency)"
    )
    to_record = fields.Monetary(
        string="Recovered, to record",
        help="What the agency reports it recovered on this line. It pays the principal first, then the interest, "
        "then the indemnity.",
    )
    recovered = fields.Monetary(readonly=True)
    recovered_principal = fields.Monetary(
        string="Principal recovered", readonly=True, help="Recovered and paid against the receivable."
    )
    recovered_interest = fields.Monetary(
        string="Interest recovered", readonly=True, help="Recovered and invoiced as late-payment interest."
    )
    recovered_indemnity = fields.Monetary(
        string="Indemnity recovered", readonly=True, help="Recovered and invoiced as recovery indemnity."
    )
    recovered_company = fields.Monetary(readonly=True, currency_field="company_currency_id")
    written_off = fields.Monetary(
        readonly=True, string="Written off (invoice currency)", help="Principal booked as a loss."
    )
    written_off_company = fields.Monetary(readonly=True, currency_field="company_currency_id", string="Written off")
    penalties_unrecovered = fields.Monetary(
        readonly=True,
        string="Penalties not recovered",
        help="Interest and indemnity the agency did not recover when the hand-off closed. They were never booked "
        "(penalties are booked only as they are recovered), so they are no loss either.",
    )
    penalties_unrecovered_company = fields.Monetary(
        readonly=True, currency_field="company_currency_id", string="Penalties not recovered (company currency)"
    )
    outstanding = fields.Monetary(
        compute="_compute_outstanding", help="Still open: the receivable's balance and the penalties still claimed."
    )
    outstanding_company = fields.Monetary(
        compute="_compute_outstanding", currency_field="company_currency_id", string="Outstanding (company currency)"
    )

    _move_line_handoff_uniq = models.UniqueIndex(
        "(handoff_id, move_line_id)", "A receivable appears once in a hand-off."
    )

    @api.model_create_multi
    def create(self, vals_list):
        lines = super().create(vals_list)
        lines._check_handoff_is_draft()
        return lines

    @api.ondelete(at_uninstall=False)
    def _unlink_except_handed_over(self):
        self._check_handoff_is_draft()

    def write(self, vals):
        # Once the agency has the receivables, their frozen amounts and what was booked only
        # change through the hand-off's methods (record recoveries, write off, close). What
        # the agency reports recovered (``to_record``) is typed in while it works on them.
        if not is_internal(self):
            if "to_record" in vals:
                self.handoff_id._check_recovery_entry()
            if set(vals) - {"to_record"}:
                handoffs = self.handoff_id
                if vals.get("handoff_id"):
                    handoffs |= self.env["account.dunning.handoff"].browse(vals["handoff_id"])
                self._check_lines_frozen(handoffs)
        return super().write(vals)

    @api.model
    def _check_lines_frozen(self, handoffs):
        handed = handoffs.filtered(lambda handoff: handoff.state != "draft")
        if handed:
            raise UserError(
                self.env._(
                    "The receivables of %(handoff)s were handed to the agency: their amounts are frozen and what was "
                    "recovered is booked by Record recoveries, Write off and Close.",
                    handoff=handed[0].name,
                )
            )

    def _check_handoff_is_draft(self):
        """The receivables of a hand-off are fixed once the agency has them (amounts frozen,
        lines flagged, export made): cancel the hand-off and make another instead."""
        handed = self.handoff_id.filtered(lambda handoff: handoff.state != "draft")
        if handed:
            raise UserError(
                self.env._(
                    "The receivables of %(handoff)s were handed to the agency: they can no longer be added or removed.",
                    handoff=handed[0].name,
                )
            )

    @api.depends("principal", "interest", "indemnity")
    def _compute_total(self):
        for line in self:
            # A line just added in the form has no receivable, so no currency, yet.
            total = line.principal + line.interest + line.indemnity
            line.total = line.currency_id.round(total) if line.currency_id else total

    @api.depends(
        "handoff_id.state",
        "move_line_id.amount_residual",
        "move_line_id.amount_residual_currency",
        "interest",
        "indemnity",
        "recovered_interest",
        "recovered_indemnity",
    )
    def _compute_outstanding(self):
        for line in self:
            if line.handoff_id.state not in ("sent", "in_progress"):
                line.outstanding = line.outstanding_company = 0.0
                continue
            penalties = line._penalties_still_claimed()
            line.outstanding = line.currency_id.round(line.move_line_id.amount_residual_currency + penalties)
            line.outstanding_company = line.company_currency_id.round(
                line.move_line_id.amount_residual + line._to_company_currency(penalties)
            )

    def _penalties_still_claimed(self):
        self.ensure_one()
        return self.currency_id.round(
            self.interest + self.indemnity - self.recovered_interest - self.recovered_indemnity
        )

    def _to_company_currency(self, amount):
        """A claimed amount in company currency, at the hand-off date's rate (as the total)."""
        self.ensure_one()
        return self.currency_id._convert(amount, self.company_currency_id, self.company_id, self.handoff_id.date)

    def _freeze_amounts(self, on_date):
        """Principal, interest and indemnity of each line on the hand-off date (penalty law)."""
        results = self.move_id._compute_late_penalties(on_date)
        by_line = {line.id: penalty for result in results.values() for line, penalty in result.lines}
        indemnity_done = set()
        for line in self:
            result = results.get(line.move_id.id)
            if result and result.error:
                raise UserError(line.move_id._dunning_rate_error_message(result.error))
            penalty = by_line.get(line.move_line_id.id)
            indemnity = 0.0
            if result and line.move_id.id not in indemnity_done:
                indemnity = result.indemnity
                indemnity_done.add(line.move_id.id)
            principal = line.move_line_id.amount_residual_currency
            interest = penalty.interest if penalty else 0.0
            segments = penalty.segments if penalty and interest else []
            total = line.currency_id.round(principal + interest + indemnity)
            line.write(
                {
                    "principal": principal,
                    "interest": interest,
                    "indemnity": indemnity,
                    "interest_date_from": min((segment.date_from for segment in segments), default=False),
                    "interest_date_to": max((segment.date_to for segment in segments), default=False),
                    "total_company": line.currency_id._convert(
                        total, line.company_currency_id, line.company_id, on_date
                    ),
                }
            )

    # ------------------------------------------------------------------
    # Recoveries: every euro the agency reports is booked
    # ------------------------------------------------------------------

    def _allocate_recoveries(self):
        """Split each line's ``to_record`` over what it still claims, principal first (see
        ``law/recovery.py`` for why). Books nothing: one line reporting a negative amount or
        more than it still claims refuses the whole recording. ``{line: Allocation}``."""
        allocations = {}
        for line in self:
            currency = line.currency_id
            amount = to_decimal(line.to_record, currency)
            principal = to_decimal(
                0.0 if line.move_line_id.reconciled else line.move_line_id.amount_residual_currency, currency
            )
            interest = to_decimal(line.interest - line.recovered_interest, currency)
            indemnity = to_decimal(line.indemnity - line.recovered_indemnity, currency)
            if amount < 0:
                raise UserError(
                    self.env._(
                        "%(invoice)s: a recovered amount cannot be negative. To undo a recovery, unreconcile or "
                        "reverse its payment.",
                        invoice=line.move_id.name,
                    )
                )
            try:
                allocations[line] = recovery.allocate_recovery(
                    amount, principal, max(interest, recovery.ZERO), max(indemnity, recovery.ZERO)
                )
            except recovery.ExcessRecovery as excess:
                raise UserError(
                    self.env._(
                        "%(invoice)s: the agency reports %(amount)s recovered, but only %(claimed)s is still claimed "
                        "(principal %(principal)s, interest %(interest)s, indemnity %(indemnity)s). Check the "
                        "agency's statement: a sum the claim does not explain cannot be booked.",
                        invoice=line.move_id.name,
                        amount=formatLang(self.env, float(excess.amount), currency_obj=currency),
                        claimed=formatLang(self.env, float(excess.claimed), currency_obj=currency),
                        principal=formatLang(self.env, float(principal), currency_obj=currency),
                        interest=formatLang(self.env, float(interest), currency_obj=currency),
                        indemnity=formatLang(self.env, float(indemnity), currency_obj=currency),
                    )
                ) from None
        return allocations

    def _book_recoveries(self, allocations, on_date):
        """Book what the agency recovered on these lines (of one hand-off): the principal as a
        customer payment reconciled with each receivable; the interest and indemnity parts on
        a penalty invoice of their own (the penalty invoice machinery: its periods keep those
        days from being invoiced again), paid at once by a customer payment. Returns the
        payments."""
        handoff = self.handoff_id
        handoff.ensure_one()
        note = self.env._("recovered by %(agency)s", agency=handoff.agency_id.name)
        communication = self.env._("Recovered by %(agency)s", agency=handoff.agency_id.name)
        payments = self.env["account.payment"]
        claims = [
            line._penalty_claim(allocation, note) for line, allocation in allocations.items() if allocation.penalties
        ]
        if claims:
            wizard = self.env["account.dunning.penalty.invoice"].create(
                {"company_id": handoff.company_id.id, "date": on_date, "post": True}
            )
            wizard._penalty_accounts()  # refuses before anything is booked when they are not set
        for line, allocation in allocations.items():
            if allocation.principal:
                payments |= line._pay(line.move_line_id, float(allocation.principal), on_date, communication)
        if claims:
            invoices = wizard._make_penalty_invoices(claims)
            invoices.action_post()
            for invoice in invoices:
                receivable = invoice.line_ids.filtered(lambda aml: aml.account_type == "asset_receivable")
                payments |= self._pay(receivable, invoice.amount_total, on_date, communication)
        for line, allocation in allocations.items():
            amount = float(allocation.principal + allocation.penalties)
            internal(line).write(
                {
                    "recovered": line.recovered + amount,
                    "recovered_principal": line.recovered_principal + float(allocation.principal),
                    "recovered_interest": line.recovered_interest + float(allocation.interest),
                    "recovered_indemnity": line.recovered_indemnity + float(allocation.indemnity),
                    # What the payments book in company currency (their rate is the day's).
                    "recovered_company": line.recovered_company
                    + sum(
                        line.currency_id._convert(float(part), line.company_currency_id, line.company_id, on_date)
                        for part in (allocation.principal, allocation.penalties)
                    ),
                    "to_record": 0.0,
                }
            )
        return payments

    def _penalty_claim(self, allocation, note):
        """The penalty invoice lines and period for the penalties recovered on this line. The
        first interest recovered carries the days the hand-off claimed; a later part of the
        same interest covers no new day."""
        self.ensure_one()
        new_days = bool(allocation.interest and self.interest_date_from and not self.recovered_interest)
        span = (self.interest_date_from, self.interest_date_to) if self.interest_date_from else None
        return PenaltyClaim(
            self.move_id,
            float(allocation.interest),
            float(allocation.indemnity),
            span if allocation.interest else None,
            [
                {
                    "move_line_id": self.move_line_id.id,
                    "date_from": self.interest_date_from if new_days else False,
                    "date_to": self.interest_date_to or self.handoff_id.date,
                    "interest_amount": float(allocation.interest),
                    "indemnity_amount": float(allocation.indemnity),
                    "handoff_line_id": self.id,
                }
            ],
            note,
        )

    def _pay(self, receivables, amount, on_date, communication):
        """A customer payment of ``amount`` (in the receivables' currency) reconciled with
        ``receivables``."""
        return (
            self.env["account.payment.register"]
            .with_context(active_model="account.move.line", active_ids=receivables.ids)
            .create(
                {
                    "amount": amount,
                    "payment_date": on_date,
                    "currency_id": receivables.currency_id.id,
                    "communication": communication,
                }
            )
            ._create_payments()
        )
