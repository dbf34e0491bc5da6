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
# Even a manager cannot agree a plan over ten years: past that it is a write-off in disguise
# (and the dates would soon run past what a calendar can hold).
MAX_MONTHS_EVER = 120
FREQUENCIES = ("weekly", "biweekly", "monthly", "quarterly")
# One step between installments: (days, months).
STEPS = {"weekly": (7, 0), "biweekly": (14, 0), "monthly": (0, 1), "quarterly": (0, 3)}


class ScheduleError(ValueError):
    """The schedule asked for cannot be built (the message says why, in English)."""


class PlanTooLong(ScheduleError):
    """The plan would run over ``months`` months from its start, more than ``limit``."""

    def __init__(self, months, limit):
        self.months = months
        self.limit = limit
        super().__init__(f"The plan runs over {months} months, more than {limit}.")


def installment_dates(first_date, count, frequency, max_months=None, start=None):
    """``count`` dates every ``frequency`` from ``first_date``. With ``max_months``, a plan
    running longer than that from ``start`` (default: the first date) raises
    :class:`PlanTooLong`, judged before any date is computed: 100,000 monthly installments
    are refused, not carried past the year 9999."""
    if count < 1:
        raise ScheduleError("A plan needs at least one installment.")
    if frequency not in STEPS:
        raise ScheduleError(f"Unknown frequency: {frequency}")
    days, months = STEPS[frequency]
    start = start or first_date
    if max_months is not None:
        # An upper estimate (30-day months) first; the exact span is checked on the dates.
        rough = int(max((first_date - start).days, 0) / 30 + (count - 1) * (days / 30 + months))
        if rough > max_months + 2:
            raise PlanTooLong(rough, max_months)
    try:
        if days:
            dates = [first_date + timedelta(days=days * index) for index in range(count)]
        else:
            # From the first date each time, so that a short month does not shift the later ones.
            dates = [first_date + relativedelta(months=months * index) for index in range(count)]
    except (OverflowError, ValueError) as error:  # past the year 9999
        raise PlanTooLong(MAX_MONTHS_EVER + 1, max_months or MAX_MONTHS_EVER) from error
    if max_months is not None:
        check_span(start, dates, max_months)
    return dates


def check_span(start, dates, max_months):
    """Raise :class:`PlanTooLong` when the last of ``dates`` is over ``max_months`` from ``start``."""
    months = span_in_months(start, max(dates))
    if months > max_months:
        raise PlanTooLong(months, max_months)


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
    total,
    count,
    first_date,
    frequency="monthly",
    digits=2,
    down_payment=0,
    down_payment_date=None,
    dates=None,
    max_months=None,
    start=None,
):
    """``[(date, amount)]``: an optional down payment first, then the installments (on the
    explicit ``dates`` when given, else every ``frequency`` from ``first_date``). With
    ``max_months``, a plan running longer from ``start`` raises :class:`PlanTooLong`."""
    total = Decimal(str(total))
    down_payment = Decimal(str(down_payment or 0))
    if down_payment < 0 or down_payment >= total:
        raise ScheduleError("The down payment must be positive and less than the total.")
    if dates:
        dates = sorted(dates)
        count = len(dates)
        if max_months is not None:
            check_span(start or dates[0], dates, max_months)
    else:
        dates = installment_dates(first_date, count, frequency, max_months=max_months, start=start)
    schedule = []
    if down_payment:
        schedule.append((down_payment_date or dates[0], down_payment))
    schedule += list(zip(dates, split_amount(total - down_payment, count, digits), strict=True))
    return schedule


def span_in_months(start, end):
    """Whole months from ``start`` to ``end``, counting a started month."""
    delta = relativedelta(end, start)
    return delta.years * 12 + delta.months + (1 if delta.days else 0)
