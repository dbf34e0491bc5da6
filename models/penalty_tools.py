"""Glue between Odoo's float amounts and the penalty law's Decimal engine."""

from dataclasses import dataclass
from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal

from ..law.interest import Segment


def money_to_decimal(amount, decimal_places):
    """A float amount read from the database as the exact Decimal of the currency's decimal
    places (cheaper than the currency's rounding for 100,000 lines)."""
    return Decimal(str(amount)).quantize(Decimal(1).scaleb(-decimal_places), rounding=ROUND_HALF_UP)


def to_decimal(amount, currency=None):
    """A float amount as the Decimal the law computes with (rounded to the currency first, so
    binary noise never reaches the law)."""
    if currency is not None:
        amount = currency.round(amount)
    return Decimal(repr(amount))


def clip_segments(segments, invoiced_to):
    """The part of each interest segment after ``invoiced_to`` (days already invoiced are
    never claimed twice). Interest is linear in days within a segment."""
    if not invoiced_to:
        return list(segments)
    clipped = []
    for segment in segments:
        if segment.date_to <= invoiced_to:
            continue
        if segment.date_from > invoiced_to:
            clipped.append(segment)
            continue
        start = invoiced_to + timedelta(days=1)
        days = (segment.date_to - start).days + 1
        amount = segment.base * segment.rate / Decimal(100) * days / Decimal(365)
        clipped.append(Segment(start, segment.date_to, days, segment.base, segment.rate, amount))
    return clipped


@dataclass(frozen=True)
class LinePenalty:
    """What one receivable line owes in interest on a date, not yet invoiced."""

    regime: str
    interest: float
    segments: list
    late: bool
    claimable_from: date | None
    error: Exception | None


@dataclass(frozen=True)
class PenaltyClaim:
    """What a penalty invoice bills for one late invoice: an interest line (``span``: the
    first and last day of interest it states, if any) and an indemnity line, and the
    ``account.dunning.penalty`` values (without the penalty invoice) of the periods it
    covers. ``note`` is added to the lines' labels (e.g. who recovered the money)."""

    move: object
    interest: float
    indemnity: float
    span: tuple | None
    periods: list
    note: str = ""
