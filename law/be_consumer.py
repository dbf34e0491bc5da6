"""Belgian consumer debts: Code of Economic Law, Book XIX (in force since 1 December 2023).

- The first reminder is free and gives the consumer at least 14 calendar days to pay,
  counted from the day after it was sent by e-mail, or from the third working day after it
  was posted. Interest and damages can only be claimed once that period is over.
- Interest may not exceed the B2B late-payment rate (law of 2 August 2002).
- Flat damages are capped by brackets of the balance due: EUR 20 up to EUR 150; EUR 30
  + 10 % of the part above 150 up to EUR 500; EUR 65 + 5 % of the part above 500, at most
  EUR 2,000.

Working days are Monday to Friday without the ten Belgian public holidays (law of
4 January 1974): Saturdays and holidays are left out so that the consumer's period never
starts earlier than the law allows.
"""

from datetime import date, timedelta
from decimal import ROUND_DOWN, Decimal

from .rates import as_decimal

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


def consumer_rate(published_rate, contractual_rate=None):
    """The agreed rate, never above the B2B rate; the B2B rate when none was agreed."""
    if contractual_rate is None:
        return published_rate
    return min(as_decimal(contractual_rate), published_rate)


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
