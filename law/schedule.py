"""Installment schedules (échéanciers).

Amicable plans are free-form but must be in writing; a court may grant at most 24 months
of grace (Code civil 1343-5), which is why a plan longer than 24 months needs a manager.
Amounts are split in the currency's precision with the remainder on the last installment;
monthly dates keep the first date's day, falling back to the month's last day (31 January
+ 1 month = end of February, + 2 months = 31 March).
"""

from datetime import timedelta
from decimal import ROUND_DOWN, Decimal

from dateutil.relativedelta import relativedelta

MAX_MONTHS_WITHOUT_MANAGER = 24
FREQUENCIES = ("weekly", "biweekly", "monthly", "quarterly")


class ScheduleError(ValueError):
    """The schedule asked for cannot be built (the message says why, in English)."""


def installment_dates(first_date, count, frequency):
    if count < 1:
        raise ScheduleError("A plan needs at least one installment.")
    if frequency == "weekly":
        return [first_date + timedelta(weeks=index) for index in range(count)]
    if frequency == "biweekly":
        return [first_date + timedelta(weeks=2 * index) for index in range(count)]
    months = {"monthly": 1, "quarterly": 3}.get(frequency)
    if months is None:
        raise ScheduleError(f"Unknown frequency: {frequency}")
    # From the first date each time, so that a short month does not shift the later ones.
    return [first_date + relativedelta(months=months * index) for index in range(count)]


def split_amount(total, count, digits=2):
    """``count`` amounts of the same value in the currency's precision, the remainder on the
    last one, summing exactly to ``total``."""
    total = Decimal(str(total))
    if count < 1:
        raise ScheduleError("A plan needs at least one installment.")
    if total <= 0:
        raise ScheduleError("There is nothing to schedule.")
    quantum = Decimal(1).scaleb(-digits)
    share = (total / count).quantize(quantum, rounding=ROUND_DOWN)
    amounts = [share] * count
    amounts[-1] = total - share * (count - 1)
    return amounts


def build_schedule(
    total, count, first_date, frequency="monthly", digits=2, down_payment=0, down_payment_date=None, dates=None
):
    """``[(date, amount)]``: an optional down payment first, then the installments (on the
    explicit ``dates`` when given, else every ``frequency`` from ``first_date``)."""
    total = Decimal(str(total))
    down_payment = Decimal(str(down_payment or 0))
    if down_payment < 0 or down_payment >= total:
        raise ScheduleError("The down payment must be positive and less than the total.")
    if dates:
        dates = sorted(dates)
        count = len(dates)
    else:
        dates = installment_dates(first_date, count, frequency)
    schedule = []
    if down_payment:
        schedule.append((down_payment_date or dates[0], down_payment))
    schedule += list(zip(dates, split_amount(total - down_payment, count, digits), strict=True))
    return schedule


def span_in_months(start, end):
    """Whole months from ``start`` to ``end``, counting a started month."""
    delta = relativedelta(end, start)
    return delta.years * 12 + delta.months + (1 if delta.days else 0)
