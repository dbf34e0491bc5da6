from odoo import fields, models
from odoo.tools import SQL

BUCKETS = [
    ("not_due", "Not due"),
    ("1_30", "1-30 days"),
    ("31_60", "31-60 days"),
    ("61_90", "61-90 days"),
    ("over_90", "Over 90 days"),
]


class AccountDunningAging(models.Model):
    """Aged receivables: every open customer receivable line with its aging bucket today,
    for pivot and graph analysis by customer, salesperson, country or company."""

    _name = "account.dunning.aging"
    _description = "Aged Receivables"
    _auto = False
    _order = "days_late desc"

    move_line_id = fields.Many2one("account.move.line", readonly=True)
    move_id = fields.Many2one("account.move", string="Invoice", readonly=True)
    partner_id = fields.Many2one("res.partner", string="Customer", readonly=True)
    user_id = fields.Many2one("res.users", string="Salesperson", readonly=True)
    country_id = fields.Many2one("res.country", readonly=True)
    company_id = fields.Many2one("res.company", readonly=True)
    currency_id = fields.Many2one("res.currency", string="Company currency", readonly=True)
    date_maturity = fields.Date(string="Due date", readonly=True)
    days_late = fields.Integer(readonly=True, aggregator="max")
    bucket = fields.Selection(BUCKETS, readonly=True)
    amount = fields.Monetary(string="Open amount", readonly=True)

    @property
    def _table_query(self):
        # Aging is relative to today: a query, not a stored view that would go stale.
        return SQL(
            """SELECT aml.id, aml.id AS move_line_id, aml.move_id, aml.partner_id, move.invoice_user_id AS user_id,
                      partner.country_id, aml.company_id, company.currency_id, aml.date_maturity,
                      GREATEST(CURRENT_DATE - aml.date_maturity, 0) AS days_late,
                      CASE WHEN aml.date_maturity >= CURRENT_DATE THEN 'not_due'
                           WHEN CURRENT_DATE - aml.date_maturity <= 30 THEN '1_30'
                           WHEN CURRENT_DATE - aml.date_maturity <= 60 THEN '31_60'
                           WHEN CURRENT_DATE - aml.date_maturity <= 90 THEN '61_90'
                           ELSE 'over_90' END AS bucket,
                      aml.amount_residual AS amount
                 FROM account_move_line aml
                 JOIN account_move move ON move.id = aml.move_id
                 JOIN account_account account ON account.id = aml.account_id
                 JOIN res_partner partner ON partner.id = aml.partner_id
                 JOIN res_company company ON company.id = aml.company_id
                WHERE aml.parent_state = 'posted' AND account.account_type = 'asset_receivable'
                  AND NOT aml.reconciled AND aml.amount_residual != 0 AND aml.date_maturity IS NOT NULL"""
        )
