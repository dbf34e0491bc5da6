import subprocess
import tempfile
from pathlib import Path

from odoo.tests import tagged

from .common import DunningCommon

# A valid French IBAN (public example) and a Belgian structured communication whose check
# digits are worked out by hand: 1234567890 mod 97 = 2 (97 x 12727504 = 1234567888) -> "02".
IBAN = "FR1420041010050500013M02606"
BE_REFERENCE = "+++123/4567/89002+++"


@tagged("post_install", "-at_install")
class TestLetterQr(DunningCommon):
    """The letter carries a SEPA credit-transfer QR code that a banking app reads as the
    company's IBAN, the amount and a reference the company can match."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.invoice_a = cls.invoice(cls.professional, 1200.0, "2025-01-01")  # due 2025-01-31

    def add_iban(self):
        return self.env["res.partner.bank"].create(
            {"acc_number": IBAN, "partner_id": self.company.partner_id.id, "allow_out_payment": True}
        )

    def decode_pdf_qr(self, letter):
        """Render the letter PDF with wkhtmltopdf, the first page to PNG (pdftoppm), and read
        the QR codes on it as a banking app would (zbarimg)."""
        report = self.env.ref("account_dunning.action_report_dunning_letter")
        self.env["ir.config_parameter"].sudo().set_param("report.url", "http://127.0.0.1:9")
        with self.allow_pdf_render():
            content, report_format = report.with_context(force_report_rendering=True)._render_qweb_pdf(
                report, letter.ids
            )
        self.assertEqual(report_format, "pdf")
        with tempfile.TemporaryDirectory() as folder:
            pdf = Path(folder, "letter.pdf")
            pdf.write_bytes(content)
            subprocess.run(
                ["pdftoppm", "-r", "200", "-png", "-f", "1", "-l", "1", pdf, Path(folder, "page")], check=True
            )
            page = next(Path(folder).glob("page*.png"))
            result = subprocess.run(["zbarimg", "--raw", "-q", page], capture_output=True, text=True, check=False)
        # zbarimg exits 4 when it finds no code: the output is empty then.
        return result.stdout

    def test_qr_decodes_to_iban_amount_and_reference(self):
        self.add_iban()
        self.dun("2025-02-07", send=False)
        letter = self.letters(self.professional)
        payload = self.decode_pdf_qr(letter).strip("\n").split("\n")
        # EPC069-12 lines: service tag, version, charset, SCT, BIC, beneficiary, IBAN, amount,
        # purpose, structured reference, unstructured reference.
        self.assertEqual(payload[:4], ["BCD", "002", "1", "SCT"])
        self.assertEqual(payload[5], self.company.partner_id.name)
        self.assertEqual(payload[6], IBAN)
        self.assertEqual(payload[7], "EUR1200.0")
        self.assertEqual(payload[10], self.invoice_a.payment_reference or self.invoice_a.name)

    def test_belgian_structured_communication_goes_in_the_structured_field(self):
        self.add_iban()
        self.invoice_a.payment_reference = BE_REFERENCE
        self.dun("2025-02-07", send=False)
        letter = self.letters(self.professional)
        bank, values = letter._letter_qr_values()
        payload = bank._get_qr_vals(
            "sct_qr",
            values["amount"],
            values["currency"],
            values["debtor_partner"],
            values["free_communication"],
            values["structured_communication"],
        )
        self.assertEqual(payload[9], "123456789002")
        self.assertEqual(payload[10], "")
        html = self.env["ir.actions.report"]._render_qweb_html("account_dunning.report_dunning_letter", letter.ids)[0]
        self.assertIn(BE_REFERENCE.encode(), html)

    def test_no_iban_no_qr_and_the_letter_says_how_to_pay(self):
        self.dun("2025-02-07", send=False)
        letter = self.letters(self.professional)
        self.assertFalse(letter._letter_qr_values())
        html = self.env["ir.actions.report"]._render_qweb_html("account_dunning.report_dunning_letter", letter.ids)[0]
        self.assertNotIn(b"SEPA QR code", html)
        self.assertIn(b"Please quote the payment reference of each invoice", html)
        self.assertIn(letter.get_portal_url().encode(), html.replace(b"&amp;", b"&"))
