from odoo import api, fields, models

from ..law.rates import RateTable

RATE_TYPES = [
    ("ecb_mro", "ECB main refinancing rate"),
    ("fr_legal_individual", "French legal rate - creditor is an individual"),
    ("fr_legal_other", "French legal rate - other cases"),
    ("be_late_payment", "Belgian late-payment rate (B2B)"),
]


class AccountDunningRate(models.Model):
    _name = "account.dunning.rate"
    _description = "Late-payment Reference Rate"
    _order = "rate_type, date_from desc"

    rate_type = fields.Selection(RATE_TYPES, string="Rate", required=True, index=True)
    date_from = fields.Date(
        string="Valid from",
        required=True,
        help="ECB rate: the day it took effect. French and Belgian rates are published per "
        "half-year: 1 January or 1 July.",
    )
    rate = fields.Float(string="Rate (%)", digits=(16, 4), required=True)
    note = fields.Char(help="Where the figure comes from (official journal, ECB press release...).")

    _type_date_uniq = models.UniqueIndex(
        "(rate_type, date_from)", "There is already a value for this rate on this date."
    )

    @api.depends("rate_type", "date_from", "rate")
    def _compute_display_name(self):
        labels = dict(RATE_TYPES)
        for rate in self:
            rate.display_name = f"{labels.get(rate.rate_type, '')} {rate.date_from or ''}: {rate.rate:g} %"

    @api.model
    def _rate_table(self):
        """All reference rates as the penalty engine's table (one query)."""
        rows = self.sudo().search_fetch([], ["rate_type", "date_from", "rate"])
        return RateTable((row.rate_type, row.date_from, row.rate) for row in rows)
