from odoo import fields, models
from odoo.tools import SQL


class AccountDunningForecast(models.Model):
    """Expected cash-in: every open customer receivable on the day it is likely to be paid.

    Each line is expected on its due date shifted by its customer's average days late of the
    last twelve months (amount-weighted, rounded to whole days; 0 for a customer with no
    payment history, see analytics/behaviour.py). A line whose expected date has already
    passed (overdue beyond the customer's habit) is expected today: money not yet received
    cannot arrive in the past, and the collector's job is to make it arrive now. Amounts are
    the open amounts in company currency; grouping by week gives the weekly forecast.
    """

    _name = "account.dunning.forecast"
    _description = "Expected Cash-in"
    _auto = False
    _order = "expected_date, partner_id"

    move_line_id = fields.Many2one("account.move.line", string="Installment", readonly=True)
    move_id = fields.Many2one("account.move", string="Invoice", readonly=True)
    partner_id = fields.Many2one("res.partner", string="Customer", readonly=True)
    user_id = fields.Many2one("res.users", string="Salesperson", readonly=True)
    company_id = fields.Many2one("res.company", readonly=True)
    currency_id = fields.Many2one("res.currency", string="Company currency", readonly=True)
    date_maturity = fields.Date(string="Due date", readonly=True)
    delay_days = fields.Integer(string="Customer's usual delay (days)", readonly=True, aggregator="max")
    expected_date = fields.Date(string="Expected on", readonly=True)
    overdue = fields.Boolean(readonly=True)
    amount = fields.Monetary(string="Expected amount", readonly=True)

    @property
    def _table_query(self):
        today = fields.Date.context_today(self)
        paid = self.env["res.partner"]._dunning_paid_lines_query(today)
        return SQL(
            """WITH paid AS (%(paid)s),
                    delays AS (
                    SELECT partner_id, company_id,
                           ROUND(SUM(amount * GREATEST(paid_date - date_maturity, 0)) / NULLIF(SUM(amount), 0))::int
                               AS delay_days
                      FROM paid
                     GROUP BY partner_id, company_id)
               SELECT aml.id, aml.id AS move_line_id, aml.move_id, aml.partner_id, move.invoice_user_id AS user_id,
                      aml.company_id, company.currency_id, aml.date_maturity,
                      COALESCE(delays.delay_days, 0) AS delay_days,
                      GREATEST(aml.date_maturity + COALESCE(delays.delay_days, 0), %(today)s) AS expected_date,
                      aml.date_maturity < %(today)s AS overdue,
                      aml.amount_residual AS amount
                 FROM account_move_line aml
                 JOIN account_move move ON move.id = aml.move_id
                 JOIN account_account account ON account.id = aml.account_id
                 JOIN res_company company ON company.id = aml.company_id
                 LEFT JOIN delays ON delays.partner_id = aml.partner_id AND delays.company_id = aml.company_id
                WHERE %(open)s""",
            # What is expected is what customers owe: the one definition of an open receivable.
            open=SQL(" AND ").join(self.env["account.dunning.receivable"]._open_sql_conditions()),
            paid=paid,
            today=today,
        )
