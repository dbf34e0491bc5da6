"""Belgian consumer debts: Code of Economic Law, Book XIX (in force since 1 December 2023).

- The first reminder is free and gives the consumer at least 14 calendar days to pay,
  counted from the day after it was sent by e-mail, or from the third working day after it
  was posted. Interest and damages can only be claimed once that period is over.
- Interest and damages are owed only as the contract stipulates them (art. XIX.4). The
  policy says what its general terms stipulate (``clause``):

  - ``none``: no clause. No damages, and interest at the Belgian legal interest rate only
    (law of 5 May 1865, art. 2: one rate per calendar year, published by the Treasury in the
    Moniteur belge each January), never the B2B rate;
  - ``legal_maximum``: the terms stipulate what Book XIX allows at most: interest at the B2B
    late-payment rate (law of 2 August 2002) and the damages scale below;
  - ``custom``: the terms state their own rate and damages (a fixed amount and / or a
    percentage of the balance): the lower of the clause and the caps applies, day by day for
    the rate and per claim for the damages. A clause with no rate stipulates no interest
    beyond the legal rate.
- Flat damages are capped by brackets of the balance due: EUR 20 up to EUR 150; EUR 30
  + 10 % of the part above 150 up to EUR 500; EUR 65 + 5 % of the part above 500, at most
  EUR 2,000.
- Recurring contracts (art. XIX.4 §2): the first three reminders of a calendar year are
  free; from the fourth, a fee of at most EUR 7.50 plus the postage may be charged per
  reminder. For other contracts no reminder fee is charged on top of the damages (they are
  meant to cover the recovery costs).

Working days are Monday to Friday without the ten Belgian public holidays (law of
4 January 1974): Saturdays and holidays are left out so that the consumer's period never
starts earlier than the law allows.
"""

from datetime import date, timedelta
from decimal import ROUND_DOWN, Decimal

from .rates import as_decimal

CLAUSE_NONE = "none"
CLAUSE_LEGAL_MAXIMUM = "legal_maximum"
CLAUSE_CUSTOM = "custom"
CLAUSES = (CLAUSE_NONE, CLAUSE_LEGAL_MAXIMUM, CLAUSE_CUSTOM)

FREE_REMINDERS_PER_YEAR = 3
MAX_REMINDER_FEE = Decimal("7.50")

PAYMENT_PERIOD_DAYS = 14
POSTAL_DELAY_WORKING_DAYS = 3
POSTAL_CHANNELS = ("letter", "post")

DAMAGES_BRACKETS = (
    # (balance above, fixed part, share of the part above)
    (Decimal(500), Decimal(65), Decimal("0.05")),
    (Decimal(150), Decimal(30), Decimal("0.10")),
    (Decimal(0), Decimal(20), Decimal(0)),
)
DAMAGES_CAP = Decimal(2000)
CENT = Decimal("0.01")


def easter_sunday(year):
    """Gregorian Easter Sunday (the Meeus/Jones/Butcher computus)."""
    golden = year % 19
    century, year_in_century = divmod(year, 100)
    leap_centuries, century_rest = divmod(century, 4)
    moon_correction = (century + 8) // 25
    solar_correction = (century - moon_correction + 1) // 3
    epact = (19 * golden + century - leap_centuries - solar_correction + 15) % 30
    leap_years, year_rest = divmod(year_in_century, 4)
    weekday_shift = (32 + 2 * century_rest + 2 * leap_years - epact - year_rest) % 7
    late_correction = (golden + 11 * epact + 22 * weekday_shift) // 451
    month, day = divmod(epact + weekday_shift - 7 * late_correction + 114, 31)
    return date(year, month, day + 1)


def belgian_public_holidays(year):
    easter = easter_sunday(year)
    movable = {easter + timedelta(days=offset) for offset in (1, 39, 50)}  # Easter Monday, Ascension, Whit Monday
    fixed = {date(year, month, day) for month, day in ((1, 1), (5, 1), (7, 21), (8, 15), (11, 1), (11, 11), (12, 25))}
    return movable | fixed


def is_working_day(day):
    return day.weekday() < 5 and day not in belgian_public_holidays(day.year)


def nth_working_day_after(day, count):
    while count:
        day += timedelta(days=1)
        if is_working_day(day):
            count -= 1
    return day


def payment_period_start(reminder_date, channel):
    """First day of the consumer's 14 days: a posted letter is presumed to arrive on the
    third working day after posting, an e-mail the next day."""
    if channel in POSTAL_CHANNELS:
        return nth_working_day_after(reminder_date, POSTAL_DELAY_WORKING_DAYS)
    return reminder_date + timedelta(days=1)


def claimable_from(reminder_date, channel):
    """First day on which interest and damages may be claimed after the free reminder."""
    return payment_period_start(reminder_date, channel) + timedelta(days=PAYMENT_PERIOD_DAYS)


def consumer_rate(b2b_rate, legal_rate, clause=CLAUSE_NONE, contractual_rate=None):
    """The yearly rate a Belgian consumer owes for a day: the legal rate without a clause (or
    with a clause that states no rate), the B2B rate when the terms stipulate the maximum, the
    agreed rate capped at the B2B rate otherwise. ``b2b_rate`` and ``legal_rate`` are callables
    so that a rate the clause does not need is never asked (nor reported missing)."""
    if clause == CLAUSE_LEGAL_MAXIMUM:
        return b2b_rate()
    if clause == CLAUSE_CUSTOM and contractual_rate is not None:
        return min(as_decimal(contractual_rate), b2b_rate())
    return legal_rate()


def clause_damages(balance, clause=CLAUSE_NONE, fixed=0, percent=0):
    """The damages a Belgian consumer owes on ``balance`` under ``clause``: none without a
    clause, the scale with the maximum clause, the clause's own figure (``fixed`` euros +
    ``percent`` of the balance) capped by the scale otherwise. Cut down to the cent."""
    if clause == CLAUSE_LEGAL_MAXIMUM:
        return damages(balance)
    if clause != CLAUSE_CUSTOM:
        return Decimal(0)
    balance = as_decimal(balance)
    if balance <= 0:
        return Decimal(0)
    agreed = as_decimal(fixed) + balance * as_decimal(percent) / 100
    return min(agreed, damages(balance)).quantize(CENT, rounding=ROUND_DOWN)


def reminder_fee(level_fee, postage, reminders_before, recurring):
    """The fee one reminder may carry: only under a recurring contract, from the fourth
    reminder of the calendar year (``reminders_before`` counts the year's earlier ones), at
    most EUR 7.50 plus the postage."""
    if not recurring or reminders_before < FREE_REMINDERS_PER_YEAR:
        return Decimal(0)
    return min(as_decimal(level_fee), MAX_REMINDER_FEE) + as_decimal(postage)


def damages(balance):
    """Maximum flat damages for ``balance`` due, in euros. Cut down to the cent, never
    rounded up: the figure is a ceiling."""
    balance = as_decimal(balance)
    if balance <= 0:
        return Decimal(0)
    for above, fixed, share in DAMAGES_BRACKETS:
        if balance > above:
            amount = min(fixed + (balance - above) * share, DAMAGES_CAP)
            return amount.quantize(CENT, rounding=ROUND_DOWN)
    return Decimal(0)
