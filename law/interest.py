"""Simple interest over an amount timeline (Code de commerce L441-10 II and D441-5,
Code civil 1231-6, Belgian law of 2 August 2002 art. 5, Directive 2011/7/EU art. 3).

The base is the amount due VAT included, lowered by dated reductions (partial payments,
credit notes). Interest accrues day by day from the day after the start date up to and
including the end date (the day of payment, or the computation date while unpaid). A
payment received on day P still bears interest on day P: the base drops from P+1.

Periods are cut at every change of base and at every 1 January / 1 July, where the
reference rates change. Each day weighs 1/365 of the yearly rate, in leap years too: the
module's documented choice (the usual French practice; the law names no divisor).

Amounts are Decimal and never rounded here: the caller rounds the total once, to its
currency, so that rounding errors of many short segments do not add up.

Three readings the texts leave open, chosen here and documented in the README:

- A partial payment reduces the principal. Code civil 1343-1 imputes a payment first to the
  interest when the debtor says nothing; that rule protects the creditor, who may waive it,
  and imputing to the principal only ever favours the debtor, so no debtor can contest it.
  The interest is claimed apart (a penalty invoice), never deducted from the payments.
- A credit note reduces the base from its own date (the day after it), not from the
  invoice's: until it was issued the whole invoice was due.
- A payment is dated by its accounting date (the later entry of the reconciliation, as the
  caller passes it), not by a bank value date nor by the day it was matched.
"""

from dataclasses import dataclass
from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal

from .rates import as_decimal, next_half_year_start

DAYS_IN_YEAR = Decimal(365)
ONE_DAY = timedelta(days=1)


@dataclass(frozen=True)
class Segment:
    """Consecutive days with one base and one rate; ``date_to`` is included and ``amount``
    is not rounded."""

    date_from: date
    date_to: date
    days: int
    base: Decimal
    rate: Decimal
    amount: Decimal


def segment_amount(base, rate, days):
    """``base * rate % * days / 365``, unrounded."""
    return as_decimal(base) * as_decimal(rate) * days / (100 * DAYS_IN_YEAR)


def _cuts(first, end, reductions):
    """First days of the pieces of [first, end]: the base changes, the half-years begin."""
    cuts = {first}
    cuts.update(paid_on + ONE_DAY for paid_on, _amount in reductions if first < paid_on + ONE_DAY <= end)
    day = next_half_year_start(first)
    while day <= end:
        cuts.add(day)
        day = next_half_year_start(day)
    return sorted(cuts)


def interest_segments(principal, reductions, start, end, rate_of_day):
    """Interest on ``principal`` from the day after ``start`` to ``end`` included.

    ``reductions`` are ``(date, amount)`` pairs; ``rate_of_day(day)`` gives the yearly rate
    in percent and is asked once per segment, for its first day (segments never straddle a
    half-year, so a rate set per half-year is the same for all their days). Days on which
    nothing is due yield no segment, and the rate is not asked for them.
    """
    first = start + ONE_DAY
    if first > end:
        return []
    principal = as_decimal(principal)
    reductions = [(paid_on, as_decimal(amount)) for paid_on, amount in reductions]
    cuts = _cuts(first, end, reductions)
    segments = []
    for index, date_from in enumerate(cuts):
        date_to = cuts[index + 1] - ONE_DAY if index + 1 < len(cuts) else end
        base = principal - sum((amount for paid_on, amount in reductions if paid_on < date_from), Decimal(0))
        if base <= 0:
            continue
        rate = as_decimal(rate_of_day(date_from))
        days = (date_to - date_from).days + 1
        segments.append(Segment(date_from, date_to, days, base, rate, segment_amount(base, rate, days)))
    return segments


def total_interest(segments):
    """Unrounded sum of the segments' amounts."""
    return sum((segment.amount for segment in segments), Decimal(0))


def round_money(amount, digits=2):
    """``amount`` rounded half up to ``digits`` decimal places."""
    return as_decimal(amount).quantize(Decimal(1).scaleb(-digits), rounding=ROUND_HALF_UP)
