"""The ECB main refinancing operations rate from the ECB's public data API.

Series ``FM.D.U2.EUR.4F.KR.MRR_FR.LEV`` (daily, percent per year), asked as CSV
(``format=csvdata``): a header line naming the columns, then one observation per line, among
them ``TIME_PERIOD`` (the day, ISO) and ``OBS_VALUE`` (the rate in force that day).

Only the days the rate changes matter to the law (a decision takes effect on a day and stays
in force until the next one), so the observations are reduced to those changes. An answer
that is not such a CSV raises :class:`EcbFormatError`: the caller writes nothing.
"""

import csv
import io
from datetime import date
from decimal import Decimal, InvalidOperation

SERIES = "FM.D.U2.EUR.4F.KR.MRR_FR.LEV"
API_URL = "https://data-api.ecb.europa.eu/service/data/FM/D.U2.EUR.4F.KR.MRR_FR.LEV"


class EcbFormatError(ValueError):
    """The answer is not the CSV of the series (``reason`` says what is wrong)."""


def parse_observations(text):
    """``[(day, rate)]`` in date order from the CSV ``text``."""
    if not text or not text.strip():
        raise EcbFormatError("empty answer")
    reader = csv.DictReader(io.StringIO(text.lstrip("\ufeff")))
    if not reader.fieldnames or "TIME_PERIOD" not in reader.fieldnames or "OBS_VALUE" not in reader.fieldnames:
        raise EcbFormatError("no TIME_PERIOD / OBS_VALUE columns")
    observations = {}
    for row in reader:
        try:
            day = date.fromisoformat((row["TIME_PERIOD"] or "").strip())
            rate = Decimal((row["OBS_VALUE"] or "").strip())
        except (ValueError, InvalidOperation) as error:
            raise EcbFormatError(
                f"unreadable observation {row.get('TIME_PERIOD')!r}: {row.get('OBS_VALUE')!r}"
            ) from error
        if not rate.is_finite() or not Decimal(0) <= rate <= Decimal(50):
            raise EcbFormatError(f"implausible rate {rate} on {day}")
        observations[day] = rate
    if not observations:
        raise EcbFormatError("no observation")
    return sorted(observations.items())


def new_decisions(observations, known):
    """The rate changes in ``observations`` that ``known`` (``{effective day: rate}``, the
    decisions already recorded) does not have: ``[(day, rate)]`` where the rate differs from the
    one in force the day before, by the known decisions and the earlier observations."""
    changes = []
    known_days = sorted(known)
    previous = None
    for day, rate in observations:
        if previous is None:
            before = [known[d] for d in known_days if d < day]
            previous = before[-1] if before else None
        if rate != previous and known.get(day) != rate:
            changes.append((day, rate))
        previous = rate
    return changes
