"""A customer's payment behaviour over the last twelve months, and the risk it suggests.

What is measured (the module's choices):

- The unit is the receivable line, as for dunning: an invoice on three installments counts
  three times, each against its own due date.
- A line counts once it is fully settled, on its *pay date*: the latest date of its
  reconciliations with payments (the ``max_date`` of the partial reconciliations, i.e. the
  day both the invoice and the payment existed). Credit notes are not payments: a line
  settled only by credit notes is left out, and credit notes never give a line its date.
- The history is the lines whose pay date falls in the twelve months up to the day of the
  analysis, ``(on_date - 12 months, on_date]``.
- Days late = pay date - due date, counted as 0 when paid on time or early: paying one
  invoice early does not make up for paying another one late.
- The average days late is weighted by amount (company currency): 30 days late on 10,000
  weighs more than 30 days late on 100, which is what matters for cash.
- The share paid late is the share of lines (not of amounts) paid after their due date: how
  often the customer is late, next to how late it costs.
- The trend compares the average days late of the last three months with that of the nine
  months before. A difference of more than ``TREND_THRESHOLD_DAYS`` either way is
  *improving* or *worsening*; within it, *stable*. With no payment in one of the two
  periods there is no trend.

The risk adds what is overdue now (the oldest overdue line's days late): each threshold
crossed is one reason; one reason makes the customer *medium* risk, two or more *high*.
A threshold of 0 is not used.
"""

from dataclasses import dataclass
from datetime import date

from dateutil.relativedelta import relativedelta

HISTORY_MONTHS = 12
RECENT_MONTHS = 3
TREND_THRESHOLD_DAYS = 5.0

TRENDS = ("improving", "stable", "worsening")
RISKS = ("low", "medium", "high")


@dataclass(frozen=True)
class PaidLine:
    """One settled receivable line: amount in company currency, due date, pay date."""

    amount: float
    due_date: date
    paid_date: date

    @property
    def days_late(self):
        return max((self.paid_date - self.due_date).days, 0)


@dataclass(frozen=True)
class Behaviour:
    paid_count: int
    avg_days_late: float
    late_share: float  # percent of the lines paid late, 0 to 100
    recent_days_late: float | None
    earlier_days_late: float | None
    trend: str | None


@dataclass(frozen=True)
class Thresholds:
    """The company's risk thresholds; 0 means not used."""

    avg_days_late: float = 0.0
    late_share: float = 0.0  # percent
    overdue_days: int = 0


@dataclass(frozen=True)
class Risk:
    level: str
    reasons: tuple  # ("avg_days_late" | "late_share" | "overdue_days", value, threshold)


def history_start(on_date):
    """The excluded lower bound of the history: pay dates after it and up to on_date count."""
    return on_date - relativedelta(months=HISTORY_MONTHS)


def recent_start(on_date):
    return on_date - relativedelta(months=RECENT_MONTHS)


def average_days_late(lines):
    """Amount-weighted average days late of settled lines; 0 when there is none."""
    total = sum(line.amount for line in lines)
    if total <= 0:
        return 0.0
    return sum(line.amount * line.days_late for line in lines) / total


def late_share(lines):
    """Percent of the lines paid after their due date."""
    if not lines:
        return 0.0
    return 100.0 * sum(1 for line in lines if line.days_late > 0) / len(lines)


def trend(recent, earlier, threshold=TREND_THRESHOLD_DAYS):
    """Compare two average days late; None when either period had no payment."""
    if recent is None or earlier is None:
        return None
    if recent > earlier + threshold:
        return "worsening"
    if recent < earlier - threshold:
        return "improving"
    return "stable"


def behaviour(lines, on_date):
    """The payment behaviour of one customer from its settled lines, on a date. Lines paid
    outside the twelve months up to on_date are ignored."""
    start, middle = history_start(on_date), recent_start(on_date)
    history = [line for line in lines if start < line.paid_date <= on_date]
    recent = [line for line in history if line.paid_date > middle]
    earlier = [line for line in history if line.paid_date <= middle]
    recent_avg = average_days_late(recent) if recent else None
    earlier_avg = average_days_late(earlier) if earlier else None
    return Behaviour(
        paid_count=len(history),
        avg_days_late=average_days_late(history),
        late_share=late_share(history),
        recent_days_late=recent_avg,
        earlier_days_late=earlier_avg,
        trend=trend(recent_avg, earlier_avg),
    )


def assess_risk(avg_days_late, share_late, overdue_days, thresholds):
    """Risk level and the reasons for it: every threshold crossed (strictly above) is one."""
    checks = (
        ("avg_days_late", avg_days_late, thresholds.avg_days_late),
        ("late_share", share_late, thresholds.late_share),
        ("overdue_days", overdue_days, thresholds.overdue_days),
    )
    reasons = tuple((name, value, limit) for name, value, limit in checks if limit and value > limit)
    level = RISKS[min(len(reasons), 2)]
    return Risk(level, reasons)
