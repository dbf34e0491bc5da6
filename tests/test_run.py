from datetime import date

from odoo import fields
from odoo.fields import Command
from odoo.tests import freeze_time, tagged

from .common import DunningCommon


@tagged("post_install", "-at_install")
class TestDunningRun(DunningCommon):
    """The daily run: the right level, on the right day, once, to the right customers."""

    def test_courtesy_reminder_on_its_day_not_before(self):
        invoice = self.invoice(self.professional, 1000.0, "2025-01-01")  # due 2025-01-31
        self.dun("2025-01-25")
        self.assertFalse(self.letters(self.professional), "6 days before the due date is too early")
        run = self.dun("2025-01-26")
        letter = self.letters(self.professional)
        self.assertRecordValues(letter, [{"level_id": self.levels[0].id, "state": "sent", "amount_due": 1000.0}])
        self.assertEqual(self.levels[0].delay_days, -5)
        self.assertEqual(letter.line_ids.move_id, invoice)
        self.assertEqual(run.letters_created, 1)
        self.assertEqual(run.letters_sent, 1)

    def test_levels_escalate_over_weeks(self):
        invoice = self.invoice(self.professional, 1000.0, "2025-01-01")  # due 2025-01-31
        term_line = invoice.line_ids.filtered(lambda line: line.display_type == "payment_term")
        for day in ("2025-01-26", "2025-02-07", "2025-02-20", "2025-03-17", "2025-04-01"):
            self.dun(day)
        letters = self.letters(self.professional)
        self.assertEqual(
            [letter.level_id.delay_days for letter in letters], [-5, 7, 20, 45, 60], "one letter per level, in order"
        )
        # Levels that need a review wait for a collector; the formal notice is a printed letter.
        self.assertEqual(letters.mapped("state"), ["sent", "sent", "sent", "to_send", "to_send"])
        self.assertEqual(letters[3].channel, "letter")
        self.assertTrue(letters[3].is_formal_notice)
        self.assertEqual(term_line.dunning_level_id, self.levels[2], "the line records the last level *sent*")
        self.assertEqual(str(invoice.dunning_last_date), "2025-02-20")
        # Sent the day after its run (fixed dates: what it states is computed on the day it is sent).
        with freeze_time("2025-03-18"):
            letters[3].action_send()
            # A printed formal notice puts the customer on notice once posted, not when queued.
            self.assertFalse(term_line.dunning_formal_notice_date)
            posted_on = fields.Date.context_today(letters[3])
            letters[3]._mark_posted(posted_on)
        self.assertEqual(term_line.dunning_formal_notice_date, posted_on)
        self.assertTrue(letters[3].pdf_attachment_id, "a printed letter keeps its document")
        # Nothing more to send after the last level, however late the invoice gets.
        self.dun("2025-06-01")
        self.assertEqual(len(self.letters(self.professional)), 5)

    def test_a_line_does_not_skip_levels_unless_the_policy_says_so(self):
        self.invoice(self.professional, 500.0, "2025-01-01")
        self.dun("2025-03-20")  # 48 days late: several levels are due at once
        self.assertEqual(self.letters(self.professional).level_id, self.levels[1], "first reminder first")

        other = self.professional.copy({"name": "Other SARL"})
        self.policy_pro.allow_level_skip = True
        self.invoice(other, 500.0, "2025-01-01")
        self.dun("2025-03-21")
        self.assertEqual(self.letters(other).level_id, self.levels[3], "highest level due when skipping is allowed")

    def test_installments_are_dunned_separately(self):
        terms = self.env["account.payment.term"].create(
            {
                "name": "Half at 30, half at 60 days",
                "line_ids": [
                    Command.create({"value": "percent", "value_amount": 50, "nb_days": 30}),
                    Command.create({"value": "percent", "value_amount": 50, "nb_days": 60}),
                ],
            }
        )
        invoice = self.invoice(self.professional, 1000.0, "2025-01-01", terms=terms)
        first, second = invoice.line_ids.filtered(lambda line: line.display_type == "payment_term").sorted(
            "date_maturity"
        )
        self.assertEqual((str(first.date_maturity), str(second.date_maturity)), ("2025-01-31", "2025-03-02"))

        self.dun("2025-02-07")
        letter = self.letters(self.professional)
        self.assertEqual(letter.line_ids.move_line_id, first, "the second installment is not due yet")
        self.assertEqual(letter.amount_due, 500.0)

        self.dun("2025-02-25")  # installment 1 is 25 days late, installment 2 due in 5 days
        letter = self.letters(
            self.professional, date=self.env["account.dunning.letter"]._fields["date"].to_date("2025-02-25")
        )
        levels = {line.move_line_id: line.level_id for line in letter.line_ids}
        self.assertEqual(levels, {first: self.levels[2], second: self.levels[0]})
        self.assertEqual(letter.level_id, self.levels[2], "the letter takes the highest level of its lines")

        self.dun("2025-03-09")
        letter = self.letters(self.professional)[-1]
        self.assertEqual(letter.line_ids.move_line_id, second)
        self.assertEqual(letter.line_ids.level_id, self.levels[1])

    def test_partial_payment_reduces_the_amount_shown(self):
        invoice = self.invoice(self.professional, 1000.0, "2025-01-01")
        self.pay(invoice, 400.0, "2025-02-01")
        self.dun("2025-02-07")
        letter = self.letters(self.professional)
        self.assertEqual(letter.amount_due, 600.0)
        self.assertEqual(letter.line_ids.amount_due, 600.0)

    def test_unapplied_credit_is_stated_and_reduces_the_net(self):
        self.invoice(self.professional, 1000.0, "2025-01-01")
        refund = self._create_invoice_one_line(
            move_type="out_refund",
            price_unit=150.0,
            partner_id=self.professional,
            invoice_date="2025-01-20",
            post=True,
            tax_ids=[],
        )
        self.assertEqual(refund.amount_residual, 150.0)
        self.dun("2025-02-07")
        letter = self.letters(self.professional)
        self.assertRecordValues(letter, [{"amount_due": 1000.0, "credit_amount": 150.0, "amount_net": 850.0}])

    def test_payment_before_sending_cancels_the_letter(self):
        invoice = self.invoice(self.professional, 1000.0, "2025-01-01")
        self.dun("2025-02-07", send=False)
        letter = self.letters(self.professional)
        self.assertEqual(letter.state, "to_send")
        self.pay(invoice, 1000.0, "2025-02-08")
        letter.action_send()
        self.assertEqual(letter.state, "cancelled", "nothing left to remind: never sent")
        self.assertFalse(letter.line_ids)

    def test_payment_before_sending_trims_the_letter(self):
        paid = self.invoice(self.professional, 1000.0, "2025-01-01")
        unpaid = self.invoice(self.professional, 300.0, "2025-01-02")
        self.dun("2025-02-08", send=False)
        letter = self.letters(self.professional)
        self.assertEqual(letter.line_ids.move_id, paid | unpaid)
        self.pay(paid, 1000.0, "2025-02-09")
        letter.action_send()
        self.assertEqual(letter.state, "sent")
        self.assertEqual(letter.line_ids.move_id, unpaid)
        self.assertEqual(letter.amount_due, 300.0)

    def test_disputed_invoice_and_blocked_customer_get_nothing(self):
        disputed = self.invoice(self.professional, 1000.0, "2025-01-01")
        disputed.write({"dunning_excluded": True, "dunning_exclusion_reason": "Wrong quantities"})
        blocked = self.consumer
        blocked.write({"dunning_blocked": True, "dunning_block_reason": "Dispute with the sales manager"})
        self.invoice(blocked, 200.0, "2025-01-01")
        run = self.dun("2025-02-07")
        self.assertFalse(self.letters(self.professional) | self.letters(blocked))
        self.assertEqual((run.skipped_disputed, run.skipped_blocked), (1, 1))

    def test_two_runs_on_one_day_make_one_letter(self):
        self.invoice(self.professional, 1000.0, "2025-01-01")
        run = self.dun("2025-02-07")
        again = self.dun("2025-02-07")
        self.assertEqual(run, again, "one run record per company and day")
        self.assertEqual(len(self.letters(self.professional)), 1)
        self.assertEqual(run.letters_created, 1)

    def test_cron_twice_on_one_day_makes_one_letter(self):
        self.invoice(self.professional, 1000.0, "2025-01-01")
        cron = self.env.ref("account_dunning.ir_cron_dunning_run")
        for _attempt in range(2):
            with freeze_time("2025-02-07"), self.enter_registry_test_mode():
                self.assertIs(cron.method_direct_trigger(), True)
        letters = self.letters(self.professional)
        self.assertEqual(len(letters), 1)
        self.assertEqual(letters.level_id, self.levels[1])
        self.assertEqual(letters.run_id.state, "done")

    def test_minimum_gap_between_letters(self):
        self.company.dunning_min_gap_days = 10
        self.invoice(self.professional, 1000.0, "2025-01-01")  # due 01-31
        self.dun("2025-02-07")
        second = self.invoice(self.professional, 500.0, "2025-01-06")  # due 02-05
        run = self.dun("2025-02-12")
        self.assertEqual(len(self.letters(self.professional)), 1, "5 days after the last letter: too soon")
        self.assertEqual(run.skipped_gap, 1)
        self.dun("2025-02-17")
        last = self.letters(self.professional)[-1]
        self.assertEqual(last.line_ids.move_id, second)

    def test_one_letter_per_currency(self):
        usd = self.setup_other_currency("USD")
        self.invoice(self.professional, 1000.0, "2025-01-01")
        self.invoice(self.professional, 700.0, "2025-01-01", currency=usd)
        self.dun("2025-02-07")
        letters = self.letters(self.professional)
        self.assertEqual(sorted(letters.currency_id.mapped("name")), ["EUR", "USD"])
        self.assertEqual(letters.filtered(lambda letter: letter.currency_id == usd).amount_due, 700.0)

    def test_companies_are_dunned_apart(self):
        other = self.setup_other_company(name="Other company")["company"]
        self.env.user.company_ids |= other
        mine = self.invoice(self.professional, 1000.0, "2025-01-01")
        theirs = self.invoice(self.professional, 800.0, "2025-01-01", company=other)
        self.dun("2025-02-07")
        letters = self.letters(self.professional)
        self.assertEqual(letters.line_ids.move_id, mine)
        self.assertFalse(theirs.line_ids.dunning_letter_line_ids, "the other company's line is untouched")
        self.assertEqual(letters.company_id, self.company)

    def test_minimum_amount_of_a_level(self):
        self.levels[1].min_amount = 50.0
        self.invoice(self.professional, 30.0, "2025-01-01")
        run = self.dun("2025-02-07")
        self.assertFalse(self.letters(self.professional))
        self.assertEqual(run.skipped_min_amount, 1)

    def test_consumer_gets_the_consumer_policy(self):
        self.invoice(self.consumer, 200.0, "2025-01-01")
        self.dun("2025-02-07")
        letter = self.letters(self.consumer)
        self.assertEqual(letter.policy_id, self.policy_consumer)
        self.assertEqual(self.policy_consumer.penalty_regime, "fr_b2c")


@tagged("post_install", "-at_install")
class TestCaseRefreshWritesOnlyChanges(DunningCommon):
    """The run refreshes the board's figures by writing only the cases whose figures changed:
    a case a collector is working on is not rewritten (nor locked) for nothing. Every UPDATE
    gives a row a new physical version (``ctid``), even within one transaction, so an
    unchanged ``ctid`` proves the row was not written."""

    def _ctids(self, cases):
        self.env.flush_all()
        self.env.cr.execute("SELECT id, ctid::text FROM account_dunning_case WHERE id IN %s", [tuple(cases.ids)])
        return dict(self.env.cr.fetchall())

    def test_refresh_writes_only_the_cases_whose_figures_change(self):
        customers = self.env["res.partner"].create(
            [{"name": f"Refresh customer {index}", "is_company": True} for index in range(3)]
        )
        for customer in customers:
            self.invoice(customer, 100.0, "2025-01-01")  # due 2025-01-31
        self.dun("2025-02-07", send=False)
        Case = self.env["account.dunning.case"]
        cases = Case.search([("partner_id", "in", customers.ids)], order="partner_id")
        # By hand: 100.00 each, 7 days late (31 January to 7 February).
        self.assertEqual(cases.mapped("amount_overdue"), [100.0] * 3)
        self.assertEqual(cases.mapped("oldest_days_late"), [7] * 3)

        before = self._ctids(cases)
        Case._sync(self.company, date(2025, 2, 7))
        self.assertEqual(self._ctids(cases), before, "nothing changed: no case written")

        # One case's stored figures go stale (as when a payment is undone outside the ORM).
        self.env.cr.execute("UPDATE account_dunning_case SET amount_overdue = 0 WHERE id = %s", [cases[1].id])
        self.env.invalidate_all()
        before = self._ctids(cases)
        Case._sync(self.company, date(2025, 2, 7))
        after = self._ctids(cases)
        self.assertEqual(cases[1].amount_overdue, 100.0, "the stale case is refreshed")
        self.assertNotEqual(after[cases[1].id], before[cases[1].id])
        self.assertEqual(
            [after[case.id] for case in cases[0] | cases[2]],
            [before[case.id] for case in cases[0] | cases[2]],
            "the others are left alone",
        )

        # A day later every case is one day later: all three rows change, to 8 days.
        Case._sync(self.company, date(2025, 2, 8))
        self.assertEqual(cases.mapped("oldest_days_late"), [8] * 3)
