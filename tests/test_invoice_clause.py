"""The late-payment clause on invoices: every reader of an invoice can print it, a company's
text never breaks printing, and the clause states what L441-9 asks in the invoice's language
(issue 13 items 1-2, issue 16 item 6)."""

from html import unescape

from odoo.exceptions import AccessError, ValidationError
from odoo.fields import Command
from odoo.tests import HttpCase, freeze_time, tagged
from odoo.tools import SQL, mute_logger

from odoo.addons.account_dunning.law import clause as clause_lib

from .common import DunningCommon


def plain(html):
    """Report HTML as one line of text: tags kept, entities decoded, no-break and thin spaces as spaces."""
    text = unescape(html.decode() if isinstance(html, bytes) else html)
    return " ".join(text.replace("\xa0", " ").replace("\u202f", " ").split())


@tagged("post_install", "-at_install")
class TestClauseText(DunningCommon):
    """Plain-Python checks of the placeholder rules."""

    def test_placeholders(self):
        clause_lib.check_clause("At {rate}, {indemnity}, due {due_date}. {discount} Braces: {{x}}")
        with self.assertRaises(clause_lib.ClauseError) as caught:
            clause_lib.check_clause("au taux de {taux} et {rate:>9} et {rate!r} et {rate.real} et {}")
        self.assertEqual(caught.exception.unknown, ("{taux}", "{rate:>9}", "{rate!r}", "{rate.real}", "{}"))
        for malformed in ("au taux de {rate", "au taux de rate}", "{rate}}"):
            with self.assertRaises(clause_lib.ClauseError) as caught:
                clause_lib.check_clause(malformed)
            self.assertTrue(caught.exception.malformed, malformed)
        values = {"rate": "13.15 %", "indemnity": "EUR 40.00", "due_date": "03/31/2025", "discount": ""}
        self.assertEqual(
            clause_lib.fill_clause("Due {due_date}. {discount} At {rate} {{sic}}.", values),
            "Due 03/31/2025. At 13.15 % {sic}.",
        )
        # Never str.format: a value is not a template.
        self.assertEqual(clause_lib.fill_clause("{rate}", {"rate": "{indemnity}"}), "{indemnity}")


@tagged("post_install", "-at_install")
class TestInvoiceClause(DunningCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.professional_fr = cls.env["res.partner"].create(
            {"name": "Menuiserie Dupont SAS", "is_company": True, "lang": "fr_FR"}
        )
        cls.professional.lang = "en_US"

    def _html(self, invoices, user=None):
        Report = self.env["ir.actions.report"]
        if user:
            Report = Report.with_user(user)
        return plain(Report._render_qweb_html("account.report_invoice", invoices.ids)[0])

    # ------------------------------------------------------------------
    # Item 1: every reader of the invoice prints it
    # ------------------------------------------------------------------

    def test_an_auditor_prints_the_invoice_with_its_clause(self):
        invoice = self.invoice(self.professional, 1200.0, "2025-03-01")  # due 03-31
        auditor = self.env["res.users"].create(
            {
                "name": "Audrey Auditor",
                "login": "audrey",
                "company_id": self.company.id,
                "company_ids": [Command.set(self.company.ids)],
                "group_ids": [Command.set([self.env.ref("account.group_account_readonly").id])],
            }
        )
        self.assertFalse(auditor.has_group("account.group_account_invoice"))
        with self.assertRaises(AccessError):  # what the clause needs is not hers to read
            self.professional.with_user(auditor).dunning_policy_id  # noqa: B018
        # The real report action, as the print button calls it (HTML in test mode).
        content, _format = (
            self.env["ir.actions.report"].with_user(auditor)._render_qweb_pdf("account.account_invoices", invoice.ids)
        )
        text = plain(content)
        self.assertIn(invoice.name, text)
        # The day after the due date (2025-04-01) is in 2025 H1: ECB 3.15 % on 1 January + 10 = 13.15 %.
        self.assertIn("the ECB main refinancing rate + 10 points, i.e. 13.15 % for the first half of 2025", text)
        self.assertIn("L441-10", text)

    # ------------------------------------------------------------------
    # Item 2: a company's text never breaks printing
    # ------------------------------------------------------------------

    def test_unknown_placeholder_is_refused_on_save_in_every_language(self):
        company = self.company
        with self.assertRaises(ValidationError) as caught:
            company.dunning_clause_professional = "Pénalités au taux de {taux}."
        self.assertIn("{taux}", str(caught.exception))
        self.assertIn("{rate}, {indemnity}, {due_date}, {discount}", str(caught.exception))
        # Through the settings page (Save creates the settings with the values typed), in French.
        with self.assertRaises(ValidationError) as caught:
            self.env["res.config.settings"].with_context(lang="fr_FR").create(
                {"dunning_clause_professional": "Pénalités au taux de {taux}."}
            ).execute()
        self.assertIn("{taux}", str(caught.exception))
        self.assertIn("n'est pas un paramètre de la clause", str(caught.exception))
        # A good English text, then a bad French translation (the translation dialog).
        company.dunning_clause_professional = "Penalties at {rate}; indemnity {indemnity}."
        with self.assertRaises(ValidationError) as caught:
            company.update_field_translations("dunning_clause_professional", {"fr_FR": "Pénalités au {taux}."})
        self.assertIn("(French", str(caught.exception))
        with self.assertRaises(ValidationError):
            company.with_context(lang="fr_FR").dunning_clause_professional = "Pénalités au {rate"
        self.assertEqual(
            company.with_context(lang="fr_FR").dunning_clause_professional,
            "Penalties at {rate}; indemnity {indemnity}.",
            "nothing changed: French still falls back to the English text",
        )

    def test_a_bad_text_already_stored_prints_the_statutory_clause(self):
        invoice = self.invoice(self.professional, 1200.0, "2025-03-01")
        # Written past the checks (SQL, an older version): printing must not fail.
        self.env.cr.execute(
            SQL(
                "UPDATE res_company SET dunning_clause_professional = %s WHERE id = %s",
                '{"en_US": "Penalties at {taux} from {due_date"}',
                self.company.id,
            )
        )
        self.company.invalidate_recordset(["dunning_clause_professional"])
        with self.assertLogs("odoo.addons.account_dunning.models.account_move", "WARNING") as logs:
            text = self._html(invoice)
        self.assertIn("Invalid late-payment clause", logs.output[0])
        self.assertNotIn("{taux}", text)
        self.assertIn("Any late payment makes late-payment penalties due", text, "the statutory text instead")
        self.assertIn("13.15 %", text)

    # ------------------------------------------------------------------
    # Issue 16 item 6: what the clause says, in the invoice's language
    # ------------------------------------------------------------------

    def test_clause_in_english_and_french(self):
        english = self.invoice(self.professional, 1200.0, "2025-03-01")  # due 2025-03-31
        french = self.invoice(self.professional_fr, 1200.0, "2025-03-01")
        text = self._html(english)
        self.assertIn("Payment due on 03/31/2025. No discount for early payment.", text)
        self.assertIn("at the ECB main refinancing rate + 10 points, i.e. 13.15 % for the first half of 2025", text)
        self.assertIn("fixed recovery indemnity of 40.00 €", text)
        self.assertIn(
            "If the recovery costs incurred exceed this indemnity, additional compensation may be claimed on proof "
            "(French Commercial Code, article L441-10 II).",
            text,
        )
        text = self._html(french)
        self.assertIn("Paiement à effectuer le 31/03/2025. Pas d'escompte pour paiement anticipé.", text)
        self.assertIn(
            "au taux de refinancement de la BCE majoré de 10 points, soit 13,15 % pour le premier semestre 2025", text
        )
        self.assertIn("indemnité forfaitaire pour frais de recouvrement de 40,00 €", text)
        self.assertIn("sur justification (Code de commerce, article L441-10 II)", text)
        self.assertNotIn("13.15", text)

    def test_second_half_year_rate_and_missing_rate(self):
        # Due 2025-07-31: the day after is in 2025 H2, ECB 2.15 % on 1 July + 10 = 12.15 %.
        invoice = self.invoice(self.professional_fr, 1000.0, "2025-07-01")
        self.assertIn("soit 12,15 % pour le second semestre 2025", self._html(invoice))
        # Belgian rate of 2026 H2 not published yet: the basis alone, no invented figure.
        self.policy_pro.penalty_regime = "be_b2b"
        late = self.invoice(self.professional, 1000.0, "2026-07-01")
        text = self._html(late)
        self.assertIn("at the Belgian statutory late-payment rate (law of 2 August 2002)", text)
        self.assertNotIn("i.e.", text)

    def test_no_figure_for_a_half_year_whose_ecb_rate_is_not_confirmed(self):
        # Due 2026-07-31: the day after is in 2026 H2, whose ECB rate on 1 July neither the data
        # (confirmed through 2026-01-01) nor a fetch confirms: the basis alone, no carried figure.
        invoice = self.invoice(self.professional_fr, 1000.0, "2026-07-01")
        text = self._html(invoice)
        self.assertIn("au taux de refinancement de la BCE majoré de 10 points, à compter du", text)
        self.assertNotIn("10 points, soit", text)
        # An entry dated 1 July confirms it: 2.15 + 10 = 12.15 %.
        self.env["account.dunning.rate"].create({"rate_type": "ecb_mro", "date_from": "2026-07-01", "rate": 2.15})
        self.assertIn("soit 12,15 % pour le second semestre 2026", self._html(invoice))

    def test_contractual_rate_is_written_as_such(self):
        with freeze_time("2025-10-01"):
            self.policy_pro.contractual_rate = 12.5  # floor 3 x 2.76 = 8.28
            invoice = self.invoice(self.professional_fr, 1000.0, "2025-09-01")
        self.assertIn("au taux contractuel de 12,50 % l'an", self._html(invoice))

    def test_early_payment_discount_is_stated(self):
        terms = self.env["account.payment.term"].create(
            {
                "name": "30 days, 2 % within 10 days",
                "early_discount": True,
                "discount_percentage": 2.0,
                "discount_days": 10,
                "line_ids": [Command.create({"value": "percent", "value_amount": 100, "nb_days": 30})],
            }
        )
        english = self.invoice(self.professional, 1000.0, "2025-03-01", terms=terms)
        french = self.invoice(self.professional_fr, 1000.0, "2025-03-01", terms=terms)
        # 2 % of 1,000.00 (no tax) = 20.00: 980.00 if paid by 2025-03-01 + 10 days = 2025-03-11.
        text = self._html(english)
        self.assertIn("Early payment discount: 2 % if paid by 03/11/2025 (980.00 € instead of 1,000.00 €).", text)
        self.assertNotIn("No discount", text)
        text = self._html(french)
        self.assertIn(
            "Escompte pour paiement anticipé : 2 % en cas de paiement au plus tard le 11/03/2025 "
            "(980,00 € au lieu de 1 000,00 €).",
            text,
        )
        self.assertNotIn("Pas d'escompte", text)

    def test_one_due_date_per_installment(self):
        terms = self.env["account.payment.term"].create(
            {
                "name": "Half at 30, half at 60 days",
                "line_ids": [
                    Command.create({"value": "percent", "value_amount": 50, "nb_days": 30}),
                    Command.create({"value": "percent", "value_amount": 50, "nb_days": 60}),
                ],
            }
        )
        # 1,000 from 2025-03-01: 500 on 03-31 and 500 on 04-30.
        english = self.invoice(self.professional, 1000.0, "2025-03-01", terms=terms)
        french = self.invoice(self.professional_fr, 1000.0, "2025-03-01", terms=terms)
        self.assertIn("Payment due on 03/31/2025 (500.00 €) and 04/30/2025 (500.00 €).", self._html(english))
        self.assertIn("Paiement à effectuer le 31/03/2025 (500,00 €) et 30/04/2025 (500,00 €).", self._html(french))

    def test_higher_costs_mention_is_a_setting(self):
        invoice = self.invoice(self.professional, 1000.0, "2025-03-01")
        self.assertTrue(self.company.dunning_clause_higher_costs, "on by default")
        self.assertIn("additional compensation may be claimed on proof", self._html(invoice))
        self.company.dunning_clause_higher_costs = False
        self.assertNotIn("additional compensation", self._html(invoice))
        # Consumers are never told of an indemnity.
        self.company.dunning_clause_higher_costs = True
        consumer = self.invoice(self.consumer, 100.0, "2025-03-01")
        text = self._html(consumer)
        self.assertNotIn("additional compensation", text)
        self.assertNotIn("No discount", text)

    def test_company_text_without_discount_gets_it_appended(self):
        self.company.dunning_clause_professional = "Penalties at {rate}; indemnity {indemnity}."
        text = plain(self.invoice(self.professional, 100.0, "2025-03-01")._dunning_statutory_clause())
        self.assertTrue(
            text.startswith(
                "Penalties at the ECB main refinancing rate + 10 points, i.e. 13.15 % for the first half of 2025; "
                "indemnity 40.00 €. No discount for early payment."
            ),
            text,
        )


@tagged("post_install", "-at_install")
class TestPortalInvoiceClause(DunningCommon, HttpCase):
    def test_a_portal_customer_downloads_the_invoice_with_its_clause(self):
        customer = self.env["res.partner"].create(
            {"name": "Claire Comptable", "parent_id": self.professional.id, "email": "claire@boulangerie.example.com"}
        )
        self.env["res.users"].create(
            {
                "name": "Claire Comptable",
                "login": "claire",
                "password": "claire-portal-2025",
                "partner_id": customer.id,
                "group_ids": [Command.set([self.env.ref("base.group_portal").id])],
            }
        )
        invoice = self.invoice(self.professional, 1200.0, "2025-03-01")
        self.authenticate("claire", "claire-portal-2025")
        with mute_logger("odoo.addons.base.models.ir_actions_report"):
            response = self.url_open(f"/my/invoices/{invoice.id}?report_type=html")
        self.assertEqual(response.status_code, 200)
        text = plain(response.text)
        self.assertIn(invoice.name, text)
        self.assertIn("13.15 % for the first half of 2025", text)
        self.assertIn("L441-10", text)
