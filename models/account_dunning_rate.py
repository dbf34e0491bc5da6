import logging
from datetime import date, timedelta

import requests

from odoo import api, fields, models
from odoo.exceptions import ValidationError

from ..law import ecb
from ..law.rates import RateTable, half_year_label, half_year_start, next_half_year_start
from .penalty_tools import to_decimal

_logger = logging.getLogger(__name__)

# Bounds a reference rate must stay within (percent per year). None of these series has ever
# been negative (the ECB main refinancing rate stayed at 0.00 % from 2016 to 2022 while its
# deposit rate was below zero) nor above 13 % since 2000: outside 0-50 % a value is a typo.
RATE_MIN = 0.0
RATE_MAX = 50.0
# Series published for a half-year, in force from 1 January or 1 July (legal-reference.md 3).
HALF_YEARLY_RATE_TYPES = ("fr_legal_individual", "fr_legal_other", "be_late_payment")
# Series published per calendar year, in force from 1 January (law of 5 May 1865, art. 2).
YEARLY_RATE_TYPES = ("be_legal",)

# The ECB's data API (series FM.D.U2.EUR.4F.KR.MRR_FR.LEV): where, how long to wait, and how far
# back to ask (a month before the latest known decision, so that a late correction is seen).
ECB_URL_PARAM = "account_dunning.ecb_url"
ECB_TIMEOUT_PARAM = "account_dunning.ecb_timeout"
ECB_KNOWN_THROUGH_PARAM = "account_dunning.ecb_known_through"
ECB_TIMEOUT = 20
ECB_OVERLAP_DAYS = 31
ECB_HISTORY_START = date(2016, 1, 1)
# Dunning managers are warned this many days before a half-year (a year) whose rate is missing.
WARNING_DAYS = 15

RATE_TYPES = [
    ("ecb_mro", "ECB main refinancing rate"),
    ("fr_legal_individual", "French legal rate - creditor is an individual"),
    ("fr_legal_other", "French legal rate - other cases"),
    ("be_late_payment", "Belgian late-payment rate (B2B)"),
    ("be_legal", "Belgian legal interest rate (yearly)"),
]


class AccountDunningRate(models.Model):
    _name = "account.dunning.rate"
    _inherit = ["mail.thread", "mail.activity.mixin"]
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
        """All reference rates as the penalty engine's table (one query), the ECB rate confirmed
        through its latest entry or the last day a fetch covered: beyond it, the ECB-based rates
        raise ``MissingRateError`` (no figure is carried into a half-year silently)."""
        rows = self.sudo().search_fetch([], ["rate_type", "date_from", "rate"])
        return RateTable(
            ((row.rate_type, row.date_from, row.rate) for row in rows),
            ecb_confirmed_through=self._ecb_fetched_through(),
        )

    # ------------------------------------------------------------------
    # Keeping the rates current
    # ------------------------------------------------------------------

    @api.model
    def _cron_keep_rates_current(self):
        """Daily: fetch the ECB rate, then warn about the French and Belgian rates still missing."""
        self._fetch_ecb_rates()
        self._warn_missing_rates()

    @api.model
    def _fetch_ecb_rates(self):
        """Record the ECB main refinancing rate decisions the ECB's data API knows and the table
        does not. Any failure (no answer in time, an error status, an answer that is not the
        series' CSV) is logged and nothing is written. Returns the number of new values."""
        params = self.env["ir.config_parameter"].sudo()
        url = params.get_param(ECB_URL_PARAM) or ecb.API_URL
        timeout = float(params.get_param(ECB_TIMEOUT_PARAM) or ECB_TIMEOUT)
        known = {
            rate.date_from: to_decimal(rate.rate)
            for rate in self.sudo().search_fetch([("rate_type", "=", "ecb_mro")], ["date_from", "rate"])
        }
        start = max(known) - timedelta(days=ECB_OVERLAP_DAYS) if known else ECB_HISTORY_START
        try:
            response = requests.get(
                url, params={"format": "csvdata", "startPeriod": start.isoformat()}, timeout=timeout
            )
            response.raise_for_status()
            observations = ecb.parse_observations(response.text)
        except requests.RequestException as error:
            _logger.warning("ECB rate fetch from %s failed (%s): no rate written.", url, error)
            return 0
        except ecb.EcbFormatError as error:
            _logger.warning(
                "ECB rate fetch from %s: the answer is not the expected CSV (%s): no rate written.", url, error
            )
            return 0
        decisions = ecb.new_decisions(observations, known)
        today = fields.Date.context_today(self)
        last_observed = observations[-1][0]
        if last_observed > self._ecb_known_through():
            # The rate in force on every day up to the last observation is now confirmed.
            params.set_param(ECB_KNOWN_THROUGH_PARAM, last_observed.isoformat())
        self.sudo().create(
            [
                {
                    "rate_type": "ecb_mro",
                    "date_from": day,
                    "rate": float(rate),
                    "note": f"ECB data API, series {ecb.SERIES}, fetched on {today}",
                }
                for day, rate in decisions
            ]
        )
        _logger.info("ECB rate fetch: %s new value(s), observations up to %s.", len(decisions), observations[-1][0])
        return len(decisions)

    @api.model_create_multi
    def create(self, vals_list):
        rates = super().create(vals_list)
        # A rate entered (or fetched) may be the one letters were held for.
        self.env["account.dunning.letter"]._release_held_letters()
        return rates

    def write(self, vals):
        result = super().write(vals)
        self.env["account.dunning.letter"]._release_held_letters()
        return result

    @api.model
    def _ecb_known_through(self):
        """The last day the ECB series is known: its latest entry (a decision, or an entry
        confirming the rate on the first day of a half-year) or the last day a fetch covered."""
        latest = self.sudo().search_fetch(
            [("rate_type", "=", "ecb_mro")], ["date_from"], order="date_from desc", limit=1
        )
        days = [day for day in (latest.date_from, self._ecb_fetched_through()) if day]
        return max(days, default=date.min)

    @api.model
    def _ecb_fetched_through(self):
        """The last day a fetch of the ECB's data covered, or None."""
        fetched = self.env["ir.config_parameter"].sudo().get_param(ECB_KNOWN_THROUGH_PARAM)
        return fields.Date.to_date(fetched) if fetched else None

    @api.model
    def _unconfirmed_ecb_half_year(self, today=None):
        """The label of the current half-year when the ECB rate in force on its first day is
        not confirmed (no fetch covered that day, no entry dated on or after it): the penalties
        based on it cannot be computed for that half-year, and the dunning managers are told."""
        start = half_year_start(today or fields.Date.context_today(self))
        return half_year_label(start) if start > self._ecb_known_through() else None

    @api.model
    def _missing_rates(self, today=None):
        """``[(rate type, period label)]`` of the French and Belgian rates the law will need and
        nobody entered: the current half-year's (year's) and, from 15 days before the next
        half-year (year), the next one's."""
        today = today or fields.Date.context_today(self)
        wanted = []
        starts = [half_year_start(today)]
        if (next_half_year_start(today) - today).days <= WARNING_DAYS:
            starts.append(next_half_year_start(today))
        wanted += [
            (rate_type, start, half_year_label(start)) for start in starts for rate_type in HALF_YEARLY_RATE_TYPES
        ]
        years = [date(today.year, 1, 1)]
        if (date(today.year + 1, 1, 1) - today).days <= WARNING_DAYS:
            years.append(date(today.year + 1, 1, 1))
        wanted += [(rate_type, start, str(start.year)) for start in years for rate_type in YEARLY_RATE_TYPES]
        existing = {
            (rate.rate_type, rate.date_from)
            for rate in self.sudo().search_fetch(
                [("rate_type", "in", [item[0] for item in wanted]), ("date_from", "in", [item[1] for item in wanted])],
                ["rate_type", "date_from"],
            )
        }
        missing = [(rate_type, label) for rate_type, start, label in wanted if (rate_type, start) not in existing]
        unconfirmed = self._unconfirmed_ecb_half_year(today)
        return ([("ecb_mro", unconfirmed)] if unconfirmed else []) + missing

    @api.model
    def get_missing_rate_warnings(self):
        """The sentences of the banner on the rates list, in the user's language."""
        labels = dict(self._fields["rate_type"]._description_selection(self.env))
        return [
            self.env._(
                "The ECB main refinancing rate in force on the first day of %(period)s is not confirmed: penalties "
                "based on it cannot be computed for %(period)s (letters stating them wait, penalty invoices are "
                "refused) until the daily fetch, or an entry dated that day, confirms it.",
                period=period,
            )
            if rate_type == "ecb_mro"
            else self.env._(
                "%(rate)s for %(period)s is missing: add it as soon as it is published.",
                rate=labels[rate_type],
                period=period,
            )
            for rate_type, period in self._missing_rates()
        ]

    @api.model
    def _warn_missing_rates(self):
        """One activity per missing rate for a dunning manager, on the latest value of its series."""
        manager = self.env.company._dunning_fallback_user()
        labels = dict(self._fields["rate_type"]._description_selection(self.env))
        for rate_type, period in self._missing_rates():
            if rate_type == "ecb_mro":
                # Fetched daily: the rate is not missing, its first day is not confirmed yet (the
                # same words as the run's to-do when it holds a letter for it).
                summary = self.env._(
                    "Confirm the ECB main refinancing rate in force on the first day of %(period)s", period=period
                )
            else:
                summary = self.env._(
                    "Add the reference rate '%(rate)s' for %(period)s", rate=labels[rate_type], period=period
                )
            if self.env["mail.activity"].search_count(
                [("res_model", "=", self._name), ("summary", "=", summary), ("date_done", "=", False)], limit=1
            ):
                continue
            latest = self.sudo().search([("rate_type", "=", rate_type)], order="date_from desc", limit=1)
            if latest:
                latest.activity_schedule(
                    "mail.mail_activity_data_todo",
                    summary=summary,
                    note=self.env._(
                        "Without it, penalties of the days concerned cannot be computed: Invoicing > Configuration > "
                        "Dunning > Reference rates."
                    ),
                    user_id=manager.id,
                )
