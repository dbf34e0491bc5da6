from datetime import timedelta

from odoo import api, fields, models
from odoo.tools import SQL

from .account_dunning_level import COURTESY_WINDOW_DAYS

# The receivable lines the dunning queries read, with the aliases their conditions use.
DUNNING_LINES_FROM = SQL(
    """account_move_line aml
       JOIN account_move move ON move.id = aml.move_id
       JOIN account_account account ON account.id = aml.account_id
       JOIN res_partner partner ON partner.id = aml.partner_id"""
)


# What a debt is, written once: an open receivable line a customer owes. Both the ORM domain
# (cases, plans, hand-offs, the board) and the run's SQL are derived from these leaves, so the
# board, the run, plans and hand-offs agree on every customer's overdue total.
# - invoices and receipts, and the receivable lines of posted journal entries with a partner
#   (opening balances migrated from another system are debts too, as Odoo's follow-up says);
# - a line needs a due date to be late;
# - Community marks an invoice paid (``in_payment``/``paid``) by a payment without entry while
#   its lines stay open, and ``blocked`` is Odoo's own "do not chase" flag: none is owed.
OPEN_MOVE_TYPES = ("out_invoice", "out_receipt", "entry")
SETTLED_PAYMENT_STATES = ("paid", "in_payment", "reversed", "blocked")
OPEN_RECEIVABLE = (
    ("parent_state", "=", "posted"),
    ("account_id.account_type", "=", "asset_receivable"),
    ("partner_id", "!=", False),
    ("reconciled", "!=", True),
    ("amount_residual_currency", ">", 0),
    ("date_maturity", "!=", False),
    ("move_id.move_type", "in", OPEN_MOVE_TYPES),
    ("move_id.payment_state", "not in", SETTLED_PAYMENT_STATES),
)

# The SQL alias of each table a leaf may reach (``DUNNING_LINES_FROM``).
_ALIASES = {"": "aml", "move_id": "move", "account_id": "account"}


def _leaf_to_sql(leaf):
    """The SQL condition of one ``OPEN_RECEIVABLE`` leaf, with the ORM's meaning of NULL: a
    NULL column differs from any value and is in no list."""
    path, operator, value = leaf
    relation, _dot, column = path.rpartition(".")
    sql_column = SQL.identifier(_ALIASES[relation], column)
    if value is False and operator == "!=":
        return SQL("%s IS NOT NULL", sql_column)
    if operator == "!=":
        return SQL("%s IS DISTINCT FROM %s", sql_column, value)
    if operator == "in":
        return SQL("%s IN %s", sql_column, tuple(value))
    if operator == "not in":
        return SQL("(%s IS NULL OR %s NOT IN %s)", sql_column, sql_column, tuple(value))
    if operator in ("=", ">", "<", ">=", "<="):
        return SQL(f"%s {operator} %s", sql_column, value)
    raise ValueError(f"Unsupported operator in OPEN_RECEIVABLE: {operator}")


class AccountDunningReceivable(models.AbstractModel):
    """What a customer owes, and which of it may be reminded: the one definition of an open
    receivable line, in SQL (the run) and as an ORM domain (cases, plans, customers), the
    reasons a line is left out, and the candidates of a run."""

    _name = "account.dunning.receivable"
    _description = "Dunning: open customer receivables"

    @api.model
    def _open_sql_conditions(self):
        """An open customer receivable installment (aliases aml, move, account), derived from
        ``OPEN_RECEIVABLE``."""
        return [_leaf_to_sql(leaf) for leaf in OPEN_RECEIVABLE]

    @api.model
    def _owed_domain(self, company):
        """The ORM form of the open receivable lines customers still owe a company, derived
        from ``OPEN_RECEIVABLE``."""
        return [("company_id", "=", company.id), *OPEN_RECEIVABLE]

    @api.model
    def _sql_exclusions(self, on_date=None):
        """Why an open receivable line must not be reminded: ``[(reason, condition)]`` where the
        SQL condition (on aliases aml, move, partner) is true when the line is excluded.

        The hook for what freezes dunning on a line (installment plans, agency hand-offs,
        promises to pay): a feature adds its reason here, and a ``skipped_<reason>`` counter
        on the run (``account.dunning.run._skip_reasons``).
        """
        return [
            ("disputed", SQL("COALESCE(move.dunning_excluded, FALSE)")),
            ("blocked", SQL("COALESCE(partner.dunning_blocked, FALSE)")),
            ("plan", SQL("aml.dunning_plan_id IS NOT NULL")),
            ("handoff", SQL("aml.dunning_handoff_id IS NOT NULL")),
            # L622-7 / L622-21: no collection of a debt born before the opening judgment.
            (
                "insolvency",
                SQL(
                    """partner.dunning_insolvency_date IS NOT NULL
                       AND COALESCE(move.invoice_date, move.date) < partner.dunning_insolvency_date"""
                ),
            ),
            (
                "promise",
                SQL(
                    """EXISTS (SELECT 1 FROM account_dunning_case promised
                                WHERE promised.partner_id = aml.partner_id AND promised.company_id = aml.company_id
                                  AND promised.promise_pause_until >= %s)""",
                    on_date or fields.Date.context_today(self),
                ),
            ),
        ]

    @api.model
    def _flush(self):
        """Raw SQL reads what is in the database: write pending ORM changes first."""
        for model in (
            "account.move.line",
            "account.move",
            "res.partner",
            "account.dunning.letter",
            "account.dunning.letter.line",
            "account.dunning.level",
            "account.dunning.case",  # promises to pay (the promise exclusion)
            "account.dunning.installment.plan",  # a kept plan stops the interest
        ):
            self.env[model].flush_model()

    @api.model
    def _still_due(self, lines):
        """The receivable ``lines`` (``account.move.line``) that can still be reminded right now
        (re-checked just before a letter is sent: a payment registered in between removes the
        line)."""
        if not lines:
            return lines
        self._flush()
        conditions = [
            SQL("aml.id IN %s", tuple(lines.ids)),
            *self._open_sql_conditions(),
            *(SQL("NOT (%s)", condition) for _reason, condition in self._sql_exclusions()),
        ]
        rows = self.env.execute_query(
            SQL(
                """SELECT aml.id
                     FROM %s
                    WHERE %s""",
                DUNNING_LINES_FROM,
                SQL(" AND ").join(conditions),
            )
        )
        return lines.browse([row[0] for row in rows])

    # ------------------------------------------------------------------
    # The candidates of a run
    # ------------------------------------------------------------------

    @api.model
    def _candidate_sql(self, company, on_date):
        """Receivable lines of ``company`` that may call for a letter on ``on_date``: open, and
        due by then or within the courtesy window."""
        horizon = on_date + timedelta(days=COURTESY_WINDOW_DAYS)
        return SQL(" AND ").join(
            [
                SQL("aml.company_id = %s", company.id),
                SQL("aml.date_maturity <= %s", horizon),
                *self._open_sql_conditions(),
            ]
        )

    @api.model
    def _candidate_partner_ids(self, company, on_date, after_partner_id=0):
        """The customers with candidate lines whose id is above ``after_partner_id``, in order:
        one query per run (an interrupted run resumes after its cursor)."""
        self._flush()
        rows = self.env.execute_query(
            SQL(
                """SELECT DISTINCT aml.partner_id
                     FROM %s
                    WHERE %s AND aml.partner_id > %s
                 ORDER BY aml.partner_id""",
                DUNNING_LINES_FROM,
                self._candidate_sql(company, on_date),
                after_partner_id,
            )
        )
        return [row[0] for row in rows]

    @api.model
    def _candidate_lines(self, company, on_date, partner_ids):
        """One query: every candidate line of these customers, as dicts (id, move_id,
        partner_id, currency_id, date_maturity, amount_residual, amount_residual_currency),
        with ``reached_delay``, the delay of the furthest level it already received (in a
        letter not cancelled: a draft or failed letter counts, so a re-run never makes a second
        letter for it), and ``excluded_by``, the first exclusion reason that applies, if any.

        Each row also holds what the penalty law needs of the line and of its invoice (read
        here once, so the run's letters state penalties without reading a line again):
        company_id, amount_currency, display_type, dunning_formal_notice_date,
        ``penalty_frozen`` (a kept plan stops its interest), ``born`` (the debt's date),
        ``insolvency_date`` (its customer's judgment), and of the invoice move_type,
        is_dunning_penalty, ``move_currency_id``, ``move_amount_residual`` and
        ``commercial_partner_id``."""
        self._flush()
        excluded_by = SQL(", ").join(
            SQL("CASE WHEN %s THEN %s END", condition, reason) for reason, condition in self._sql_exclusions(on_date)
        )
        return self.env.execute_query_dict(
            SQL(
                """SELECT aml.id, aml.move_id, aml.partner_id, aml.currency_id, aml.date_maturity,
                          aml.amount_residual, aml.amount_residual_currency,
                          reached.delay_days AS reached_delay,
                          COALESCE(%s) AS excluded_by,
                          aml.company_id, aml.amount_currency, aml.display_type, aml.dunning_formal_notice_date,
                          COALESCE(plan.state = 'active' AND plan.penalty_mode IN ('waive', 'freeze'), FALSE)
                              AS penalty_frozen,
                          COALESCE(move.invoice_date, move.date) AS born,
                          partner.dunning_insolvency_date AS insolvency_date,
                          move.move_type, COALESCE(move.is_dunning_penalty, FALSE) AS is_dunning_penalty,
                          move.currency_id AS move_currency_id, move.amount_residual AS move_amount_residual,
                          move.commercial_partner_id
                     FROM %s
                LEFT JOIN account_dunning_installment_plan plan ON plan.id = aml.dunning_plan_id
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
                self._candidate_sql(company, on_date),
                partner_ids,
            )
        )
