"""The table of late customer invoices of the management report (Code de commerce D441-6 I,
1°; issue 16 item 5): bands and shares in plain Python, then the table of a closing date
through invoices and payments, and its export in the official layout."""

import io
from decimal import Decimal

import openpyxl

from odoo.tests import BaseCase, tagged

from odoo.addons.account_dunning.law import late_invoice_table as table_lib

from .common import DunningCommon

D = Decimal


@tagged("post_install", "-at_install")
class TestLateInvoiceTableLaw(BaseCase):
    def test_bands(self):
        cases = {-5: "0", 0: "0", 1: "1_30", 30: "1_30", 31: "31_60", 60: "31_60", 61: "61_90", 90: "61_90", 91: "91"}
        for days, band in cases.items():
            with self.subTest(days=days):
                self.assertEqual(table_lib.band_of(days), band)

    def test_summary(self):
        installments = [
            (1, 10, 1200, False),
            (2, 45, 600, False),  # invoice 2 has an installment in two bands
            (2, 95, 400, False),
            (3, 0, 300, False),  # not due yet: the indicative column only
            (4, 20, 240, True),  # disputed: part B
        ]
        summary = table_lib.summarize(installments, 100000)
        # Shares of a turnover of 100,000: 1,200 -> 1.20 %, 600 -> 0.60 %, 400 -> 0.40 %, 300 -> 0.30 %.
        self.assertEqual(summary["1_30"], (1, D("1200.00"), D("1.20")))
        self.assertEqual(summary["31_60"], (1, D("600.00"), D("0.60")))
        self.assertEqual(summary["61_90"], (0, D("0.00"), D("0.00")))
        self.assertEqual(summary["91"], (1, D("400.00"), D("0.40")))
        self.assertEqual(summary["0"], (1, D("300.00"), D("0.30")))
        # Late in total: invoices 1 and 2 (counted once), 1,200 + 600 + 400 = 2,200 -> 2.20 %.
        self.assertEqual(summary["late"], (2, D("2200.00"), D("2.20")))
        self.assertEqual(summary["excluded"], (1, D("240.00"), None))
        self.assertIsNone(table_lib.summarize(installments, 0)["late"][2], "no turnover, no share")


@tagged("post_install", "-at_install")
class TestLateInvoiceTable(DunningCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.a = cls.invoice(cls.professional, 1200.0, "2025-11-01")  # due 12-01: 30 days late on 12-31
        cls.b = cls.invoice(cls.professional, 600.0, "2025-10-01")  # due 10-31: 61 days late
        cls.c = cls.invoice(cls.professional, 300.0, "2025-12-20")  # due 2026-01-19: not due
        cls.d = cls.invoice(cls.professional, 500.0, "2025-09-01")  # due 10-01, disputed
        cls.d.write({"dunning_excluded": True, "dunning_exclusion_reason": "Goods returned"})
        cls.pay(cls.b, 200.0, "2025-12-15")  # 400 left on the closing date
        cls.pay(cls.a, 1200.0, "2026-01-10")  # after the closing date: still unpaid on it

    def _table(self):
        table = self.env["account.dunning.late.invoice.table"].create(
            {"company_id": self.company.id, "date_from": "2025-01-01", "date_to": "2025-12-31"}
        )
        table.action_compute()
        return table

    def test_table_of_a_closing_date(self):
        table = self._table()
        # Turnover excl. VAT of 2025: 1,200 + 600 + 300 + 500 = 2,600 (no tax on these invoices).
        self.assertEqual(table.turnover, 2600.0)
        lines = {line.move_id: (line.band, line.amount, line.disputed) for line in table.line_ids}
        self.assertEqual(
            lines,
            {
                self.a: ("1_30", 1200.0, False),
                self.b: ("61_90", 400.0, False),
                self.c: ("0", 300.0, False),
                self.d: ("91", 500.0, True),
            },
        )
        summary = table._summary()
        # 1,200 / 2,600 = 46.15 %; 400 / 2,600 = 15.38 %; together 1,600 / 2,600 = 61.54 %.
        self.assertEqual(summary["1_30"], (1, Decimal("1200.00"), Decimal("46.15")))
        self.assertEqual(summary["61_90"], (1, Decimal("400.00"), Decimal("15.38")))
        self.assertEqual(summary["late"], (2, Decimal("1600.00"), Decimal("61.54")))
        self.assertEqual(summary["excluded"], (1, Decimal("500.00"), None))
        action = table.action_open_lines()
        self.assertEqual(action["res_model"], "account.dunning.late.invoice.table.line")
        self.assertEqual(self.env[action["res_model"]].search_count(action["domain"]), 4)

    def test_export_in_the_official_layout(self):
        table = self._table()
        action = table.action_export_xlsx()
        self.assertIn(f"/web/content/{table.export_id.id}", action["url"])
        sheet = openpyxl.load_workbook(io.BytesIO(table.export_id.raw)).active
        values = [list(row) for row in sheet.iter_rows(values_only=True)]
        self.assertIn("Factures émises non réglées", values[0][0])
        self.assertEqual(
            list(values[1][1:7]),
            [
                "0 jour (indicatif)",
                "1 à 30 jours",
                "31 à 60 jours",
                "61 à 90 jours",
                "91 jours et plus",
                "Total (1 jour et plus)",
            ],
        )
        self.assertEqual(values[3][0], "Nombre de factures concernées")
        self.assertEqual(list(values[3][1:7]), [1, 1, 0, 1, 0, 2])
        self.assertEqual(list(values[4][1:7]), [300.0, 1200.0, 0.0, 400.0, 0.0, 1600.0])
        # 300 / 2,600 = 11.54 %.
        self.assertEqual(list(values[5][1:7]), [11.54, 46.15, 0.0, 15.38, 0.0, 61.54])
        self.assertEqual((values[7][0], values[7][1]), ("Nombre des factures exclues", 1))
        self.assertEqual((values[8][0], values[8][1]), ("Montant total des factures exclues (TTC)", 500.0))
