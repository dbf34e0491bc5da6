import csv
import io

import openpyxl

from odoo.fields import Command
from odoo.tests import freeze_time, tagged

from .common import DunningCommon

# Personal data seeded on the customer that no letter, e-mail or agency export may carry.
PRIVATE = {
    "comment": "Internal note: the owner is going through a divorce",
    "website": "https://private-blog.example.com",
    "ref": "CUST-SECRET-42",
}
BANK_ACCOUNT = "FR7630006000011234567890189"
OTHER_CONTACT = {"name": "Paul Private", "email": "paul.private@example.com", "phone": "+33 6 11 22 33 44"}


@tagged("post_install", "-at_install")
class TestDataProtection(DunningCommon):
    """Data minimisation: what leaves the company about a customer is what the purpose needs."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.professional.write(
            {
                **PRIVATE,
                "vat": "FR23334175221",
                "phone": "+33 1 99 88 77 66",
                "street": "1 rue du Pain",
                "zip": "75001",
                "city": "Paris",
                "country_id": cls.env.ref("base.fr").id,
                "bank_ids": [Command.create({"acc_number": BANK_ACCOUNT})],
                "child_ids": [Command.create({**OTHER_CONTACT, "type": "contact"})],
            }
        )
        cls.late = cls.invoice(cls.professional, 1200.0, "2025-01-01")  # due 01-31

    def _assert_nothing_private(self, text, where):
        forbidden = [*PRIVATE.values(), BANK_ACCOUNT, *OTHER_CONTACT.values()]
        for value in forbidden:
            self.assertNotIn(value, text, f"{where} must not carry {value!r}")

    def test_hand_off_export_holds_exactly_the_allowed_columns(self):
        agency = self.env["res.partner"].create({"name": "Agence", "is_company": True, "is_collection_agency": True})
        handoff = self.env["account.dunning.handoff"].create(
            {
                "partner_id": self.professional.id,
                "agency_id": agency.id,
                "date": "2025-04-30",
                "line_ids": [
                    Command.create({"move_line_id": line.id})
                    for line in self.late.line_ids.filtered(lambda line: line.account_type == "asset_receivable")
                ],
            }
        )
        with freeze_time("2025-04-30"):
            handoff.action_confirm()
        # Written out here, not imported: adding a column must be a decision this test sees.
        allowed = [
            "debtor_name",
            "debtor_vat",
            "debtor_street",
            "debtor_zip",
            "debtor_city",
            "debtor_country",
            "debtor_email",
            "debtor_phone",
            "invoice_number",
            "invoice_date",
            "due_date",
            "currency",
            "principal",
            "interest",
            "indemnity",
            "total",
            "total_company_currency",
            "company_currency",
        ]
        text = handoff.export_csv_id.raw.decode()
        rows = list(csv.reader(io.StringIO(text)))
        self.assertEqual(rows[0], allowed)
        self.assertEqual(len(rows), 2, "one row per receivable handed over")
        record = dict(zip(allowed, rows[1], strict=True))
        self.assertEqual(
            {key: record[key] for key in ("debtor_name", "debtor_email", "debtor_phone", "debtor_city")},
            {
                "debtor_name": "Boulangerie Test SARL",
                "debtor_email": "compta@boulangerie.example.com",
                "debtor_phone": "+33 1 99 88 77 66",
                "debtor_city": "Paris",
            },
        )
        self._assert_nothing_private(text, "the CSV export")
        sheet = openpyxl.load_workbook(io.BytesIO(handoff.export_xlsx_id.raw)).active
        cells = [[cell.value for cell in row] for row in sheet.iter_rows()]
        self.assertEqual(cells[0], allowed)
        self.assertEqual(len(cells), 2)
        self._assert_nothing_private(" ".join(str(value) for row in cells for value in row), "the XLSX export")

    def test_letter_and_email_show_only_name_and_invoicing_address(self):
        self.dun("2025-02-07")  # the first reminder, e-mailed
        letter = self.letters(self.professional)
        self.assertEqual(letter.state, "sent")
        html = (
            self.env["ir.actions.report"]
            ._render_qweb_html("account_dunning.report_dunning_letter", letter.ids)[0]
            .decode()
        )
        self.assertIn("Boulangerie Test SARL", html)
        self.assertIn("1 rue du Pain", html)
        self.assertIn(self.late.name, html)
        self._assert_nothing_private(html, "the letter")
        for value in ("+33 1 99 88 77 66", "FR23334175221", "compta@boulangerie.example.com"):
            self.assertNotIn(value, html, f"the letter needs no {value!r}: name and address are enough")
        body = letter.mail_message_id.body
        self.assertIn(self.late.name, body)
        self._assert_nothing_private(body, "the e-mail")
        for value in ("+33 1 99 88 77 66", "FR23334175221", "1 rue du Pain"):
            self.assertNotIn(value, body, f"the e-mail needs no {value!r}")
        self.assertEqual(letter.mail_message_id.partner_ids, self.professional, "sent to the customer, no one else")
        self.assertEqual(letter.mail_message_id.attachment_ids, letter.pdf_attachment_id, "the letter alone")
