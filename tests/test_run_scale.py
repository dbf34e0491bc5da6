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
