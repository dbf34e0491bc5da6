from odoo import api, fields, models
from odoo.exceptions import ValidationError

from ..law.rates import RateTable

# Bounds a reference rate must stay within (percent per year). None of these series has ever
# been negative (the ECB main refinancing rate stayed at 0.00 % from 2016 to 2022 while its
# deposit rate was below zero) nor above 13 % since 2000: outside 0-50 % a value is a typo.
RATE_MIN = 0.0
RATE_MAX = 50.0
# Series published for a half-year, in force from 1 January or 1 July (legal-reference.md 3).
HALF_YEARLY_RATE_TYPES = ("fr_legal_individual", "fr_legal_other", "be_late_payment")
# Series published per calendar year, in force from 1 January (law of 5 May 1865, art. 2).
YEARLY_RATE_TYPES = ("be_legal",)

RATE_TYPES = [
    ("ecb_mro", "ECB main refinancing rate"),
    ("fr_legal_individual", "French legal rate - creditor is an individual"),
    ("fr_legal_other", "French legal rate - other cases"),
    ("be_late_payment", "Belgian late-payment rate (B2B)"),
    ("be_legal", "Belgian legal interest rate (yearly)"),
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

    @api.constrains("rate_type", "date_from", "rate")
    def _check_rate(self):
        labels = dict(self._fields["rate_type"]._description_selection(self.env))
        for rate in self:
            if not RATE_MIN <= rate.rate <= RATE_MAX:
                raise ValidationError(
                    self.env._(
                        "A reference rate of %(rate)s %% is not plausible: %(type)s is between %(min)s %% and "
                        "%(max)s %%. Check the figure (a percentage, e.g. 3.15 for 3.15 %%).",
                        rate=rate.rate,
                        type=labels.get(rate.rate_type, rate.rate_type),
                        min=int(RATE_MIN),
                        max=int(RATE_MAX),
                    )
                )
            if rate.rate_type in HALF_YEARLY_RATE_TYPES and (rate.date_from.day, rate.date_from.month) not in (
                (1, 1),
                (1, 7),
            ):
                raise ValidationError(
                    self.env._(
                        "%(type)s is published per half-year: it takes effect on 1 January or 1 July, not on %(date)s.",
                        type=labels.get(rate.rate_type, rate.rate_type),
                        date=rate.date_from,
                    )
                )
            if rate.rate_type in YEARLY_RATE_TYPES and (rate.date_from.day, rate.date_from.month) != (1, 1):
                raise ValidationError(
                    self.env._(
                        "%(type)s is published per calendar year: it takes effect on 1 January, not on %(date)s.",
                        type=labels.get(rate.rate_type, rate.rate_type),
                        date=rate.date_from,
                    )
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
