import psycopg2.errors

from odoo import api, fields, models
from odoo.exceptions import UserError
from odoo.tools import SQL


class AccountDunningPenalty(models.Model):
    """A period of late-payment penalties already invoiced for one receivable line.

    Interest is never invoiced twice for the same days: the next penalty invoice starts the
    day after the last period still standing. Cancelling or reversing the penalty invoice
    releases its periods.

    The database itself guarantees it, whoever invoices (the penalty wizard, a level that
    invoices penalties when its letter is sent, a hand-off recording what an agency
    recovered) and however many do it at once: the periods of a line that stand cannot
    overlap (an exclusion constraint, which needs PostgreSQL's ``btree_gist`` extension), and
    an invoice's recovery indemnity stands once. Whoever invoices first locks the receivable
    lines (:meth:`_lock_receivables`), so a second attempt at the same moment is refused at
    once instead of waiting.
    """

    _name = "account.dunning.penalty"
    _description = "Invoiced Late-payment Penalty"
    _order = "date_to desc, id desc"
    _check_company_auto = True

    move_line_id = fields.Many2one(
        "account.move.line", string="Receivable line", required=True, index=True, ondelete="cascade", check_company=True
    )
    move_id = fields.Many2one(related="move_line_id.move_id", store=True, index=True, string="Late invoice")
    penalty_move_id = fields.Many2one(
        "account.move", string="Penalty invoice", required=True, index=True, ondelete="cascade", check_company=True
    )
    company_id = fields.Many2one(related="move_line_id.company_id", store=True, index=True, precompute=True)
    currency_id = fields.Many2one(related="move_line_id.currency_id", store=True, precompute=True)
    date_from = fields.Date(
        help="First day of interest covered; empty when the invoice covers no new day (the indemnity alone, or the "
        "rest of a period's interest an agency recovered in several payments)."
    )
    date_to = fields.Date(required=True, help="Last day of interest covered.")
    interest_amount = fields.Monetary(currency_field="currency_id")
    indemnity_amount = fields.Monetary(currency_field="currency_id")
    handoff_line_id = fields.Many2one(
        "account.dunning.handoff.line",
        string="Recovered through",
        readonly=True,
        index="btree_not_null",
        ondelete="restrict",
        help="The hand-off line whose agency recovered these penalties.",
    )
    active_period = fields.Boolean(
        compute="_compute_active_period",
        store=True,
        precompute=True,
        help="The penalty invoice stands: neither cancelled nor reversed.",
    )

    _days_invoiced_once = models.Constraint(
        "EXCLUDE USING gist (move_line_id WITH =, daterange(date_from, date_to, '[]') WITH &&) "
        "WHERE (active_period AND date_from IS NOT NULL)",
        "These days of late-payment interest are already invoiced on a penalty invoice that stands: cancel or "
        "reverse it first.",
    )
    # An agency may recover the indemnity in several payments (one hand-off line): only
    # those parts may stand side by side.
    _indemnity_invoiced_once = models.UniqueIndex(
        "(move_id) WHERE active_period AND indemnity_amount <> 0 AND handoff_line_id IS NULL",
        "The recovery indemnity of this invoice is already invoiced on a penalty invoice that stands.",
    )

    @api.depends("penalty_move_id.state", "penalty_move_id.payment_state")
    def _compute_active_period(self):
        for penalty in self:
            move = penalty.penalty_move_id
            penalty.active_period = move.state != "cancel" and move.payment_state != "reversed"

    def _auto_init(self):
        # The exclusion constraint compares the line with '=' in a GiST index: btree_gist
        # (a trusted extension since PostgreSQL 13: the database owner may create it). Made
        # here, before the table's constraints, on install and on every update.
        self.env.cr.execute("CREATE EXTENSION IF NOT EXISTS btree_gist")
        return super()._auto_init()

    @api.model
    def _invoiced_once_constraint_names(self):
        """The database names of the two guarantees above (the model's only table objects)."""
        return set(self._table_objects)

    @api.model
    def _lock_receivables(self, moves):
        """Lock the receivable lines of ``moves`` until the end of the transaction, or refuse
        at once (NOWAIT) when another transaction holds them: someone is invoicing their
        penalties, recording what an agency recovered or matching a payment on them right
        now. Locked in id order, so two invoicings of overlapping sets never deadlock."""
        if not moves:
            return
        query = SQL(
            """SELECT id FROM account_move_line
                WHERE move_id = ANY(%s) AND display_type = 'payment_term'
             ORDER BY id
                  FOR NO KEY UPDATE NOWAIT""",
            list(moves.ids),
        )
        try:
            with self.env.cr.savepoint(flush=False):
                self.env.cr.execute(query, log_exceptions=False)
        except (psycopg2.errors.LockNotAvailable, psycopg2.errors.SerializationFailure):
            # Serialization failure: another transaction changed the lines since this one
            # began; working from what it read would be working from the past.
            raise UserError(
                self.env._(
                    "Someone else is invoicing the penalties of %(invoices)s, or recording a payment on it, at this "
                    "very moment. Nothing was invoiced: try again in a moment (only the days not invoiced by then "
                    "will be).",
                    invoices=", ".join(moves[:3].mapped("name")) + ("…" if len(moves) > 3 else ""),
                )
            ) from None
