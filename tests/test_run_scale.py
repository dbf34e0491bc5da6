from odoo.fields import Command
from odoo.tests import freeze_time, tagged

from .common import DunningCommon


@tagged("post_install", "-at_install")
class TestRunWorksInSets(DunningCommon):
    """The run's cost in queries grows with its batches, not with customers or lines.
    (Timings belong to the benchmark; this only counts queries.)"""

    def _book(self, count, invoice_date):
        partners = self.env["res.partner"].create(
            [
                {"name": f"Customer {invoice_date} {index}", "is_company": True, "email": f"c{index}@example.com"}
                for index in range(count)
            ]
        )
        for partner in partners:
            self.invoice(partner, 100.0, invoice_date)
            self.invoice(partner, 50.0, invoice_date)
        return partners

    def _queries_of_run(self, day):
        self.env.flush_all()
        self.env.invalidate_all()
        before = self.env.cr.sql_log_count
        run = self.dun(day, send=False)
        self.env.flush_all()
        return self.env.cr.sql_log_count - before, run

    def test_query_count_does_not_grow_with_customers(self):
        self._book(5, "2025-01-01")
        small, small_run = self._queries_of_run("2025-02-07")
        self.assertEqual(small_run.letters_created, 5)
        self._book(40, "2025-03-01")
        large, large_run = self._queries_of_run("2025-04-07")
        # The 40 new customers get their first reminder, the first 5 their second one.
        self.assertEqual(large_run.letters_created, 45)
        self.assertEqual(large_run.lines_examined, 90)
        # 8 times the customers and lines, the same batch: no more queries (the first run
        # costs a few more: it sets up what the next ones find). Counted on 2026-12-02: 85 and
        # 65 (87 and 72 before the run computed penalties from its candidate rows and read a
        # batch's case totals in one query).
        self.assertLessEqual(large, small, f"{small} queries for 5 customers, {large} for 40")
        self.assertLessEqual(large, 68, f"{large} queries for a run of 40 customers")

    def test_letters_written_in_bulk_are_what_the_orm_computes(self):
        """The run writes letters and lines with plain INSERTs: every stored field must hold
        what the ORM itself would compute, and the rest what the run decided."""
        salesperson = self.make_user("seller", group="collector")
        self.professional.user_id = salesperson
        billing = self.env["res.partner"].create(
            {"name": "Service comptable", "type": "invoice", "parent_id": self.professional.id}
        )
        first = self.invoice(self.professional, 1000.0, "2025-01-01")  # due 31 January
        second = self.invoice(self.professional, 500.0, "2025-01-10")  # due 9 February
        self._create_invoice_one_line(
            move_type="out_refund",
            price_unit=150.0,
            partner_id=self.professional,
            invoice_date="2025-01-20",
            post=True,
            tax_ids=[],
        )
        self.dun("2025-02-07", send=False)
        run = self.dun("2025-02-20", send=False)
        letter = run.letter_ids
        self.assertEqual(len(letter), 1)
        # 20 days late: the first level stating penalties; the second invoice, 11 days late,
        # rides along in the same letter. 1000 + 500 due, 150 of credit: 1350 net; the
        # €40 recovery indemnity once per invoice (art. D441-5): 80.
        self.assertRecordValues(
            letter,
            [
                {
                    "partner_id": self.professional.id,
                    "recipient_id": billing.id,
                    "user_id": salesperson.id,
                    "company_id": self.company.id,
                    "currency_id": self.eur.id,
                    "date": run.date,
                    "state": "to_send",
                    "level_id": self.levels[2].id,
                    "policy_id": self.policy_pro.id,
                    "channel": self.levels[2].channel,
                    "line_count": 2,
                    "amount_due": 1500.0,
                    "credit_amount": 150.0,
                    "amount_net": 1350.0,
                    "indemnity_amount": 80.0,
                    "penalty_error": False,
                }
            ],
        )
        # Interest worked by hand (French B2B: the ECB rate in force on 1 January 2025, 3.15 %,
        # + 10 points = 13.15 %; simple interest, 365 days; the credit note is open, not
        # matched, so each invoice keeps its full base):
        # first, due 31 January, 20 days late on 20 February: 1000 x 13.15 % x 20 / 365 = 7.2055 -> 7.21
        # second, due 9 February, 11 days late: 500 x 13.15 % x 11 / 365 = 1.9815 -> 1.98
        lines = letter.line_ids.sorted("date_maturity")
        self.assertRecordValues(
            lines,
            [
                {
                    "move_id": first.id,
                    "level_id": self.levels[2].id,
                    "amount_due": 1000.0,
                    "interest_amount": 7.21,
                    "indemnity_amount": 40.0,
                    "company_id": self.company.id,
                    "currency_id": self.eur.id,
                },
                {
                    "move_id": second.id,
                    "level_id": self.levels[1].id,
                    "amount_due": 500.0,
                    "interest_amount": 1.98,
                    "indemnity_amount": 40.0,
                    "company_id": self.company.id,
                    "currency_id": self.eur.id,
                },
            ],
        )
        self.assertGreater(lines[0].interest_amount, lines[1].interest_amount)
        self.assertEqual(letter.interest_amount, self.eur.round(sum(lines.mapped("interest_amount"))))

        # And the ORM, asked to compute every stored computed field again, agrees.
        def stored(records):
            names = [name for name, field in records._fields.items() if field.store and field.compute]
            records.invalidate_recordset()
            return names, records.read(names)

        for records in (letter, lines):
            names, written = stored(records)
            for name in names:
                self.env.add_to_compute(records._fields[name], records)
            records.flush_recordset()
            self.assertEqual(stored(records)[1], written, f"{records._name}: {names}")

    def test_penalties_stated_by_the_run_are_those_of_the_invoices(self):
        """The run computes the penalties of the lines its letters state from the rows it read
        with its candidates, never through the ORM: they must be exactly what
        ``account.move._compute_late_penalties`` gives (the reference the invoice form, the
        penalty invoice and the sending use), on a book mixing partial payments, a credit
        note, installments, a foreign currency, a Belgian customer and a Belgian consumer."""
        usd = self.setup_other_currency("USD")  # 1 EUR = 2 USD
        thirds = self.env["account.payment.term"].create(
            {
                "name": "34/33/33 at 30/60/90 days",
                "line_ids": [
                    Command.create({"value": "percent", "value_amount": 34, "nb_days": 30}),
                    Command.create({"value": "percent", "value_amount": 33, "nb_days": 60}),
                    Command.create({"value": "percent", "value_amount": 33, "nb_days": 90}),
                ],
            }
        )
        belgian_policy = self.policy_pro.copy({"name": "Belgian professionals", "penalty_regime": "be_b2b"})
        belgian = self.env["res.partner"].create(
            {"name": "Brasserie Test SRL", "is_company": True, "email": "compta@brasserie.example.com"}
        )
        belgian.with_company(self.company).dunning_policy_id = belgian_policy
        self.policy_consumer.write({"penalty_regime": "be_b2c", "consumer_clause": "legal_maximum"})
        (self.policy_pro | self.policy_consumer | belgian_policy).allow_level_skip = True
        # Everything dated 1 January 2025: due 31 January (30 days), or 31 January, 2 March
        # and 1 April (thirds).
        partly = self.invoice(self.professional, 1000.0, "2025-01-01")
        self.pay(partly, 400.0, "2025-02-10")
        credited = self.invoice(self.professional, 800.0, "2025-01-01")
        refund = self._create_invoice_one_line(
            move_type="out_refund",
            price_unit=200.0,
            partner_id=self.professional,
            invoice_date="2025-02-15",
            post=True,
            tax_ids=[],
        )
        (credited | refund).line_ids.filtered(lambda line: line.account_type == "asset_receivable").reconcile()
        installments = self.invoice(self.professional, 900.0, "2025-01-01", terms=thirds)
        self.pay(installments, 306.0, "2025-02-05")  # the first third, 5 days late
        in_dollars = self.invoice(self.professional, 500.0, "2025-01-01", currency=usd)
        brasserie = self.invoice(belgian, 700.0, "2025-01-01")
        household = self.invoice(self.consumer, 600.0, "2025-01-01", terms=thirds)
        # The Belgian consumer's free reminder (its first third, sent on 7 February), paid
        # after it: its damages become claimable on the invoice's later thirds, which no
        # reminder of their own reached.
        with freeze_time("2025-02-07"):
            self.dun("2025-02-07")
        self.pay(household, 204.0, "2025-02-20")
        run = self.dun("2025-04-16", send=False)

        letters = run.letter_ids.filtered("apply_penalties")
        stated = letters.line_ids
        self.assertEqual(
            set(stated.move_id.ids),
            {partly.id, credited.id, installments.id, in_dollars.id, brasserie.id, household.id},
        )
        results = stated.move_id._compute_late_penalties(run.date)
        for letter in letters:
            invoiced_once = set()
            for line in letter.line_ids:
                result = results[line.move_id.id]
                interest = {aml.id: penalty.interest for aml, penalty in result.lines}[line.move_line_id.id]
                indemnity = 0.0 if line.move_id in invoiced_once else result.indemnity
                invoiced_once.add(line.move_id)
                self.assertEqual(
                    (line.interest_amount, line.indemnity_amount),
                    (line.currency_id.round(interest), line.currency_id.round(indemnity)),
                    f"{line.move_id.name}, due {line.date_maturity}",
                )
            self.assertFalse(letter.penalty_error)
        # The book says something: an invoice counts installments no letter states (its first
        # third, paid late), the professional is reminded in two currencies, every law gives
        # figures.
        self.assertEqual(len(results[installments.id].lines), 3)
        self.assertEqual(len(stated.filtered(lambda line: line.move_id == installments)), 2)
        self.assertEqual(
            letters.filtered(lambda letter: letter.partner_id == self.professional).currency_id, self.eur | usd
        )
        # The Belgian customer, 75 days late on 16 April at the Belgian rate of 2025 H1, 11.5 %:
        # 700 x 11.5 % x 75 / 365 = 16.5411 -> 16.54, and the EUR 40 indemnity.
        self.assertRecordValues(
            stated.filtered(lambda line: line.move_id == brasserie),
            [{"interest_amount": 16.54, "indemnity_amount": 40.0}],
        )
        # The Belgian consumer: its two open thirds (due 2 March and 1 April) got no free
        # reminder, so no interest; the damages of the legal scale on the 396 still owed:
        # 30 + 10 % x (396 - 150) = 54.60, stated once, on the first of its lines.
        self.assertRecordValues(
            stated.filtered(lambda line: line.move_id == household).sorted("date_maturity"),
            [{"interest_amount": 0.0, "indemnity_amount": 54.60}, {"interest_amount": 0.0, "indemnity_amount": 0.0}],
        )
