from datetime import date

from odoo.tests import BaseCase, tagged

from odoo.addons.account_dunning.engine.decision import (
    CandidateLine,
    LevelStep,
    customer_letters,
    next_level,
)

EUR, USD = 1, 2
TODAY = date(2025, 3, 3)

# A policy as shipped: courtesy 5 days before the due date, then 7, 20 and 45 days after.
COURTESY = LevelStep(10, -5, min_gap_days=7)
FIRST = LevelStep(11, 7, min_gap_days=7)
SECOND = LevelStep(12, 20, min_gap_days=7)
NOTICE = LevelStep(13, 45, min_gap_days=7)
LADDER = [COURTESY, FIRST, SECOND, NOTICE]


def line(line_id, due, amount=100.0, currency=EUR, reached=None):
    return CandidateLine(
        id=line_id,
        currency_id=currency,
        date_maturity=due,
        amount_residual=amount,
        reached_delay=reached,
        move_id=line_id,
        amount_residual_currency=amount,
    )


@tagged("post_install", "-at_install")
class TestNextLevel(BaseCase):
    """Which level a receivable line calls for today, from plain values."""

    def test_each_level_on_its_day_not_before(self):
        self.assertIsNone(next_level(LADDER, -6, None, False), "6 days before the due date: nothing yet")
        self.assertIs(next_level(LADDER, -5, None, False), COURTESY, "5 days before: the courtesy reminder")
        self.assertIsNone(next_level(LADDER, 6, -5, False), "6 days late, courtesy received: nothing yet")
        self.assertIs(next_level(LADDER, 7, -5, False), FIRST)
        self.assertIs(next_level(LADDER, 20, 7, False), SECOND)
        self.assertIs(next_level(LADDER, 45, 20, False), NOTICE)

    def test_a_level_is_never_given_twice_nor_backwards(self):
        self.assertIsNone(next_level(LADDER, 10, 7, False), "first reminder received, second not due")
        self.assertIsNone(next_level(LADDER, 100, 45, False), "the last level received: the ladder ends")
        self.assertIsNone(next_level(LADDER, 8, 20, True), "a line that reached 20 never goes back to 7")

    def test_one_level_at_a_time_unless_the_policy_skips(self):
        # 50 days late, never reminded: without skipping only the first reminder (7) is given,
        # with skipping the furthest level whose day has come (45).
        self.assertIs(next_level(LADDER, 50, None, False), FIRST)
        self.assertIs(next_level(LADDER, 50, None, True), NOTICE)
        # 25 days late after the first reminder: the second (20), skipping or not.
        self.assertIs(next_level(LADDER, 25, 7, False), SECOND)
        self.assertIs(next_level(LADDER, 25, 7, True), SECOND)

    def test_courtesy_is_only_before_the_due_date(self):
        # Due today (0 days late) and never reminded: the courtesy level is pointless now, and
        # the first reminder is 7 days away.
        self.assertIsNone(next_level(LADDER, 0, None, False))
        self.assertIsNone(next_level(LADDER, 0, None, True))
        # 3 days before the due date, with skipping: the courtesy level, never a late one.
        self.assertIs(next_level(LADDER, -3, None, True), COURTESY)
        self.assertIsNone(next_level(LADDER, -3, -5, True), "courtesy received: nothing more before the due date")

    def test_no_levels(self):
        self.assertIsNone(next_level([], 30, None, True))


@tagged("post_install", "-at_install")
class TestCustomerLetters(BaseCase):
    """Which letters a customer gets today: one per currency, at the highest level, respecting
    the minimum gap and the minimum amount."""

    def decide(self, lines, levels=None, allow_skip=False, last=None, rounding=0.01):
        return customer_letters(
            lines, levels or LADDER, TODAY, allow_skip=allow_skip, last_letter_date=last, rounding=rounding
        )

    def test_one_letter_per_currency_each_line_at_its_own_level(self):
        # Due 2025-02-11 (20 days late on 3 March, first reminder received), 2025-02-24 (7 days
        # late), 2025-01-31 in dollars (31 days late, never reminded), 2025-03-01 (2 days late).
        lines = [
            line(1, date(2025, 2, 11), reached=7),
            line(2, date(2025, 2, 24)),
            line(3, date(2025, 1, 31), currency=USD),
            line(4, date(2025, 3, 1)),
        ]
        result = self.decide(lines)
        self.assertEqual([letter.currency_id for letter in result.letters], [EUR, USD])
        euro, dollar = result.letters
        self.assertEqual([(item.id, level) for item, level in euro.items], [(1, SECOND), (2, FIRST)])
        self.assertIs(euro.level, SECOND, "the letter speaks at the highest level of its lines")
        self.assertEqual([(item.id, level) for item, level in dollar.items], [(3, FIRST)])
        self.assertIs(dollar.level, FIRST)
        self.assertEqual(result.skipped, {"not_due": 1, "gap": 0, "min_amount": 0}, "line 4: 2 days late")

    def test_minimum_gap_since_the_last_letter(self):
        lines = [line(1, date(2025, 2, 24)), line(2, date(2025, 2, 20), currency=USD)]  # 7 and 11 days late
        # Last letter on 24 February: 7 days ago, the gap of 7 is respected.
        self.assertEqual(len(self.decide(lines, last=date(2025, 2, 24)).letters), 2)
        # On 25 February: 6 days ago, too recent: no letter at all, both lines counted.
        result = self.decide(lines, last=date(2025, 2, 25))
        self.assertEqual(result.letters, [])
        self.assertEqual(result.skipped["gap"], 2)

    def test_the_gap_is_the_highest_levels(self):
        # The second reminder's gap is 14 days: a letter 10 days ago holds it back, although
        # the first reminder's gap (7) alone would allow a letter.
        levels = [FIRST, LevelStep(12, 20, min_gap_days=14)]
        lines = [line(1, date(2025, 2, 11), reached=7), line(2, date(2025, 2, 24))]  # 20 and 7 days late
        result = self.decide(lines, levels=levels, last=date(2025, 2, 21))
        self.assertEqual((result.letters, result.skipped["gap"]), ([], 2))

    def test_minimum_amount_per_currency_at_the_currency_precision(self):
        levels = [LevelStep(11, 7, min_gap_days=1, min_amount=50.0)]
        due = date(2025, 2, 24)  # 7 days late
        # 30 + 19.995 = 49.995, which rounds half-up to 50.00: not under the minimum.
        self.assertEqual(len(self.decide([line(1, due, 30.0), line(2, due, 19.995)], levels=levels).letters), 1)
        # 30 + 19.99 = 49.99 < 50.00: no letter, both lines counted.
        result = self.decide([line(1, due, 30.0), line(2, due, 19.99)], levels=levels)
        self.assertEqual((result.letters, result.skipped["min_amount"]), ([], 2))
        # Each currency on its own: 60 in euros goes, 10 in dollars (company currency 10) does not.
        result = self.decide([line(1, due, 60.0), line(2, due, 10.0, currency=USD)], levels=levels)
        self.assertEqual([letter.currency_id for letter in result.letters], [EUR])
        self.assertEqual(result.skipped["min_amount"], 1)

    def test_nothing_due(self):
        result = self.decide([line(1, date(2025, 3, 20))])  # due in 17 days: before any level
        self.assertEqual((result.letters, result.skipped["not_due"]), ([], 1))
