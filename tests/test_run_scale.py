from odoo.tests import tagged

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
        # 8 times the customers and lines, the same batch: the same queries, give or take a few.
        self.assertLess(large, small + 15, f"{small} queries for 5 customers, {large} for 40")

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
