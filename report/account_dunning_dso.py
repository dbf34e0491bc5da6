from odoo import fields, models
from odoo.tools import SQL


class AccountDunningDso(models.Model):
    """Days sales outstanding of each company, month by month.

    DSO = receivables at the end of the month / credit sales of the three calendar months
    ending with it x the number of days of those three months. Receivables are the balance
    of the receivable accounts (open invoices less unapplied payments and credit notes);
    credit sales are what customer invoices put on them, less credit notes, taxes included
    (the receivables include them too). Three months rather than one so that a single
    strong or weak month does not swing the figure. The current month runs to today (the user's today).
    """

    _name = "account.dunning.dso"
    _description = "Days Sales Outstanding"
    _auto = False
    _order = "month desc, company_id"

    month = fields.Date(string="First day", readonly=True)
    period = fields.Char(string="Month", readonly=True)
    date_end = fields.Date(string="Measured on", readonly=True)
    company_id = fields.Many2one("res.company", readonly=True)
    currency_id = fields.Many2one("res.currency", string="Company currency", readonly=True)
    receivables = fields.Monetary(string="Receivables at month end", readonly=True, aggregator="sum")
    sales = fields.Monetary(string="Credit sales (3 months)", readonly=True, aggregator="sum")
    sales_month = fields.Monetary(string="Credit sales of the month", readonly=True, aggregator="sum")
    days = fields.Integer(string="Days of the 3 months", readonly=True, aggregator="max")
    dso = fields.Float(string="DSO (days)", digits=(16, 1), readonly=True, aggregator="avg")

    @property
    def _table_query(self):
        # Monthly movements of the receivable accounts, every month from a company's first
        # entry to today (generate_series: no month missing, so the window functions can
        # count rows), then the running balance and the sales of the last three rows.
        return SQL(
            """WITH lines AS (
                    SELECT aml.company_id, date_trunc('month', aml.date)::date AS month, aml.balance,
                           move.move_type IN ('out_invoice', 'out_refund', 'out_receipt') AS is_sale
                      FROM account_move_line aml
                      JOIN account_move move ON move.id = aml.move_id
                      JOIN account_account account ON account.id = aml.account_id
                     WHERE aml.parent_state = 'posted' AND account.account_type = 'asset_receivable'
                       AND aml.date <= %(today)s
               ), monthly AS (
                    SELECT company_id, month, SUM(balance) AS movement,
                           COALESCE(SUM(balance) FILTER (WHERE is_sale), 0) AS sales
                      FROM lines
                     GROUP BY company_id, month
               ), months AS (
                    SELECT first.company_id, series.month::date AS month
                      FROM (SELECT company_id, MIN(month) AS first_month FROM monthly GROUP BY company_id) first
                      CROSS JOIN LATERAL generate_series(
                               first.first_month::timestamp,
                               date_trunc('month', %(today)s::timestamp),
                               interval '1 month'
                           ) AS series(month)
               ), running AS (
                    SELECT months.company_id, months.month,
                           LEAST((months.month + interval '1 month - 1 day')::date, %(today)s) AS date_end,
                           SUM(COALESCE(monthly.movement, 0)) OVER company_months AS receivables,
                           COALESCE(monthly.sales, 0) AS sales_month,
                           SUM(COALESCE(monthly.sales, 0))
                               OVER (company_months ROWS BETWEEN 2 PRECEDING AND CURRENT ROW) AS sales
                      FROM months
                      LEFT JOIN monthly ON monthly.company_id = months.company_id AND monthly.month = months.month
                    WINDOW company_months AS (PARTITION BY months.company_id ORDER BY months.month)
               )
               SELECT ROW_NUMBER() OVER (ORDER BY running.company_id, running.month) AS id,
                      running.company_id, company.currency_id, running.month,
                      to_char(running.month, 'YYYY-MM') AS period, running.date_end,
                      running.receivables, running.sales, running.sales_month,
                      running.date_end - (running.month - interval '2 months')::date + 1 AS days,
                      CASE WHEN running.sales > 0
                           THEN running.receivables / running.sales
                                * (running.date_end - (running.month - interval '2 months')::date + 1)
                      END AS dso
                 FROM running
                 JOIN res_company company ON company.id = running.company_id""",
            today=fields.Date.context_today(self),
        )
