"""Reference rates by half-year.

- France, Code de commerce L441-10 II: the default late-payment rate is the ECB main
  refinancing rate in force on 1 January (first half-year) or 1 July (second half-year)
  plus 10 points; a contractual rate may not be lower than three times the legal interest
  rate of the half-year.
- France, Code monétaire et financier L313-2: the legal interest rate is published per
  half-year in two columns, creditor is a private individual / all other cases.
- Belgium, law of 2 August 2002 (art. 5): the B2B late-payment rate is published per
  half-year.
- Belgium, law of 5 May 1865 (art. 2): the legal interest rate in civil matters (and for
  consumers) is set per calendar year: the December average of the one-year EURIBOR, rounded
  up to the quarter point, plus 2 points, published in the Moniteur belge in January.
- Directive 2011/7/EU (art. 2 and 3): ECB reference rate + at least 8 points.
- France, public buyers, Code de la commande publique R2192-31: the ECB main refinancing
  rate in force on the first day of the half-year in which interest started to run, plus 8
  points, for the whole delay.

The ECB rate is kept by effective date and stays in force until the next decision, but only
as far as the series is known: a table is *confirmed through* its latest ECB entry, or a later
day a fetch of the ECB's data covered (``account.dunning.rate``). Beyond that day a decision
may have taken effect that nobody recorded, so asking for the rate raises
:class:`MissingRateError` naming the half-year: the rate of a half-year is never carried over
from the previous one silently. The French and Belgian rates are published for one half-year:
a value is never carried over to the next half-year, a missing one raises
:class:`MissingRateError` naming it.
"""

from bisect import bisect_right
from collections import defaultdict
from datetime import date, timedelta
from decimal import Decimal

ECB = "ecb_mro"
FR_LEGAL_INDIVIDUAL = "fr_legal_individual"
FR_LEGAL_OTHER = "fr_legal_other"
BE_LATE_PAYMENT = "be_late_payment"
BE_LEGAL = "be_legal"

RATE_LABELS = {
    ECB: "ECB main refinancing rate",
    FR_LEGAL_INDIVIDUAL: "French legal interest rate (creditor is an individual)",
    FR_LEGAL_OTHER: "French legal interest rate (other cases)",
    BE_LATE_PAYMENT: "Belgian late-payment rate",
    BE_LEGAL: "Belgian legal interest rate",
}

# Points added to the ECB reference rate: L441-10 II (France), art. 2(6) of 2011/7/EU.
FR_B2B_MARGIN = 10
EU_B2B_MARGIN = 8
FR_PUBLIC_MARGIN = 8  # R2192-31
# L441-10 II: "ne peut être inférieur à trois fois le taux d'intérêt légal".
FR_FLOOR_FACTOR = 3


class MissingRateError(Exception):
    """A reference rate a computation needs is not in the table."""

    def __init__(self, rate_type, period):
        self.rate_type = rate_type
        self.period = period
        super().__init__(rate_type, period)

    def __str__(self):
        return f"No {RATE_LABELS.get(self.rate_type, self.rate_type)} is known for {self.period}."


def as_decimal(value):
    """A Decimal from a Decimal, int, str or float (a float through its shortest repr)."""
    return value if isinstance(value, Decimal) else Decimal(str(value))


def half_year_start(day):
    return date(day.year, 1 if day.month <= 6 else 7, 1)


def half_year_end(day):
    return date(day.year, 6, 30) if day.month <= 6 else date(day.year, 12, 31)


def next_half_year_start(day):
    return half_year_end(day) + timedelta(days=1)


def half_year_label(day):
    return f"{day.year} H{1 if day.month <= 6 else 2}"


def parse_half_year(label):
    """First day of a half-year given as ``"2024 H2"``."""
    year, half = label.split()
    if half not in ("H1", "H2"):
        raise ValueError(f"Not a half-year: {label!r}")
    return date(int(year), 1 if half == "H1" else 7, 1)


class RateTable:
    """Reference rates in percent per year, by rate type and date they take effect.

    ``ecb_confirmed_through``: the last day on which the ECB rate in force is known (the last
    day a fetch of the ECB's data covered). The table is confirmed through that day or its
    latest ECB entry, whichever is later: an entry dated a half-year's first day confirms the
    rate of that day. An entry vouches for the series up to its date (the series is a list of
    decisions, entered in order): an accountant without the daily fetch who records a decision
    of September has also recorded those of June, or the rate of 1 July would be wrong."""

    def __init__(self, entries, ecb_confirmed_through=None):
        series = defaultdict(dict)
        for rate_type, date_from, rate in entries:
            series[rate_type][date_from] = as_decimal(rate)
        self._series = dict(series)
        self._dates = {rate_type: sorted(values) for rate_type, values in series.items()}
        known = [day for day in (ecb_confirmed_through, *self._dates.get(ECB, [])[-1:]) if day]
        self.ecb_confirmed_through = max(known, default=date.min)

    def in_force(self, rate_type, day):
        """The latest value that took effect on or before ``day``. For the ECB rate, only up to
        the day the series is confirmed through: after it, a decision nobody recorded may have
        taken effect."""
        dates = self._dates.get(rate_type, [])
        index = bisect_right(dates, day)
        if not index or (rate_type == ECB and day > self.ecb_confirmed_through):
            raise MissingRateError(rate_type, half_year_label(day))
        return self._series[rate_type][dates[index - 1]]

    def of_half_year(self, rate_type, day):
        """The value published for ``day``'s half-year, dated its first day, and no other."""
        try:
            return self._series[rate_type][half_year_start(day)]
        except KeyError:
            raise MissingRateError(rate_type, half_year_label(day)) from None

    def ecb_rate_on(self, day):
        return self.in_force(ECB, day)

    def ecb_reference_rate(self, day):
        """The ECB rate in force on 1 January / 1 July of ``day``'s half-year: a decision
        taking effect later in the half-year only counts from the next one. Raises
        :class:`MissingRateError` for the half-year while the rate on its first day is not
        confirmed."""
        return self.in_force(ECB, half_year_start(day))

    def fr_legal_rate(self, day, creditor_individual=False):
        return self.of_half_year(FR_LEGAL_INDIVIDUAL if creditor_individual else FR_LEGAL_OTHER, day)

    def of_year(self, rate_type, day):
        """The value published for ``day``'s calendar year, dated 1 January, and no other."""
        try:
            return self._series[rate_type][date(day.year, 1, 1)]
        except KeyError:
            raise MissingRateError(rate_type, str(day.year)) from None

    def be_legal_rate(self, day):
        return self.of_year(BE_LEGAL, day)

    def be_late_payment_rate(self, day):
        return self.of_half_year(BE_LATE_PAYMENT, day)

    def fr_b2b_default_rate(self, day):
        return self.ecb_reference_rate(day) + FR_B2B_MARGIN

    def eu_b2b_default_rate(self, day):
        return self.ecb_reference_rate(day) + EU_B2B_MARGIN

    def fr_public_rate(self, interest_start):
        """R2192-31: the rate of a public buyer's whole delay, fixed by the half-year of the
        first day of interest (``interest_start``), never split at 1 January / 1 July."""
        return self.ecb_reference_rate(interest_start) + FR_PUBLIC_MARGIN

    def fr_contractual_floor(self, day):
        # The floor uses the "other cases" column: the creditor is a business.
        return FR_FLOOR_FACTOR * self.fr_legal_rate(day)


def check_fr_contractual_rate(rate, days_or_half_years, table):
    """The half-years in which a French B2B contractual rate is under the legal floor, as
    ``[(label, floor)]`` in date order; empty when the rate is lawful for all of them.

    ``days_or_half_years`` holds dates or labels like ``"2024 H2"``. A half-year whose legal
    rate is unknown raises :class:`MissingRateError`: it cannot be declared lawful. Only a
    contractual rate is checked: the default rate (ECB + 10) is lawful even when under it.
    """
    rate = as_decimal(rate)
    starts = {parse_half_year(item) if isinstance(item, str) else half_year_start(item) for item in days_or_half_years}
    violations = []
    for start in sorted(starts):
        floor = table.fr_contractual_floor(start)
        if rate < floor:
            violations.append((half_year_label(start), floor))
    return violations
