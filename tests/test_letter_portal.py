from datetime import timedelta

from odoo import Command, fields
from odoo.tests import HttpCase, JsonRpcException, new_test_user, tagged

from .common import DunningCommon, confirm_ecb_rate_as_the_daily_fetch


@tagged("post_install", "-at_install")
class TestLetterPortal(DunningCommon, HttpCase):
    """The customer opens the letter's secure link without login, sees what is still due,
    and pays one invoice through Odoo's online payment (the demo provider)."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        # The server works on the real today: invoices dated relative to it, and the ECB rate
        # confirmed up to it as the daily fetch would (the letters state penalties).
        cls.today = fields.Date.today()
        confirm_ecb_rate_as_the_daily_fetch(cls.env, cls.today)
        cls.policy_pro.allow_level_skip = True
        # Due 40 and 30 days ago.
        cls.invoice_old = cls.invoice(cls.professional, 1000.0, cls.today - timedelta(days=70))
        cls.invoice_new = cls.invoice(cls.professional, 250.0, cls.today - timedelta(days=60))
        # A French customer whose invoice is paid in two installments: 30 % at 30 days, 70 % at
        # 90 days. 390.00 dated 70 days ago: 117.00 due 40 days ago (on the letter), 273.00
        # due in 20 days (not asked for). And 200.00 due 40 days ago, 50.00 of it paid after
        # the letter: 150.00 still due on it.
        cls.env["res.lang"]._activate_lang("fr_FR")
        cls.split_customer = cls.env["res.partner"].create(
            {"name": "Atelier Lumière SARL", "is_company": True, "lang": "fr_FR", "email": "compta@lumiere.example.com"}
        )
        cls.terms_split = cls.env["account.payment.term"].create(
            {
                "name": "30 % at 30 days, 70 % at 90 days",
                "line_ids": [
                    Command.create({"value": "percent", "value_amount": 30, "nb_days": 30}),
                    Command.create({"value": "percent", "value_amount": 70, "nb_days": 90}),
                ],
            }
        )
        cls.invoice_split = cls.invoice(
            cls.split_customer, 390.0, cls.today - timedelta(days=70), terms=cls.terms_split
        )
        cls.invoice_plain = cls.invoice(cls.split_customer, 200.0, cls.today - timedelta(days=70))
        run = cls.env["account.dunning.run"]._get_or_create(cls.company, cls.today)
        run.send_letters = False
        run._run_now()
        cls.letter = cls.env["account.dunning.letter"].search([("partner_id", "=", cls.professional.id)])
        cls.split_letter = cls.env["account.dunning.letter"].search([("partner_id", "=", cls.split_customer.id)])
        cls.provider = (
            cls.env["payment.provider"]
            .sudo()
            .search([("code", "=", "demo"), ("company_id", "=", cls.company.id)], limit=1)
        )
        cls.provider.write({"state": "test", "is_published": True})
        cls.env["payment.provider"].sudo().search(
            [("company_id", "=", cls.company.id), ("id", "!=", cls.provider.id)]
        ).write({"state": "disabled"})

    def test_link_opens_the_letter_without_login(self):
        self.assertEqual(len(self.letter), 1)
        url = self.letter.get_portal_url()
        self.assertTrue(url.startswith(f"/my/dunning/letter/{self.letter.id}?access_token="))
        response = self.url_open(url)
        self.assertEqual(response.status_code, 200)
        page = response.text
        self.assertIn(self.invoice_old.name, page)
        self.assertIn(self.invoice_new.name, page)
        self.assertIn("Pay now", page)
        self.assertIn("Pay the total now", page)
        # 1,000 + 250 still due.
        self.assertIn("1,250.00", page.replace("\xa0", " "))
        pdf = self.url_open(self.letter.get_portal_url(report_type="pdf"))
        self.assertEqual(pdf.status_code, 200)

    def test_tampered_or_missing_token_is_refused(self):
        for token in ("wrong-token", self.letter._portal_ensure_token()[:-1] + "x", ""):
            response = self.url_open(f"/my/dunning/letter/{self.letter.id}?access_token={token}", allow_redirects=False)
            self.assertIn(response.status_code, (302, 303), token)
            self.assertNotIn(self.invoice_old.name, response.text)
            self.assertTrue(response.headers["Location"].endswith("/my"), response.headers["Location"])
        with self.assertRaises(JsonRpcException):
            self.make_jsonrpc_request(
                f"/my/dunning/letter/{self.letter.id}/transaction",
                {"access_token": "wrong-token", "provider_id": self.provider.id, "flow": "direct"},
            )
        self.assertFalse(self.env["payment.transaction"].sudo().search([("invoice_ids", "in", self.invoice_old.ids)]))

    def test_pay_one_invoice_with_the_demo_provider(self):
        self.assertTrue(self.provider, "payment_demo must be installed in the test database (tools/test does it)")
        case = self.case_of()
        self.assertEqual(case.amount_overdue, 1250.0)
        token = self.letter._portal_ensure_token()
        page = self.url_open(f"{self.letter.get_portal_url()}&pay=1&invoice_id={self.invoice_old.id}")
        self.assertEqual(page.status_code, 200)
        self.assertIn("o_payment_form", page.text)
        method = self.provider.payment_method_ids.filtered("active")[:1]
        processing = self.make_jsonrpc_request(
            f"/my/dunning/letter/{self.letter.id}/transaction/{self.invoice_old.id}",
            {
                "access_token": token,
                "provider_id": self.provider.id,
                "payment_method_id": method.id,
                "token_id": None,
                # A browser asking for less than what is due gets a transaction for what is due.
                "amount": 1.0,
                "flow": "direct",
                "tokenization_requested": False,
                "landing_route": self.letter.get_portal_url(),
                "is_validation": False,
            },
        )
        transaction = self.env["payment.transaction"].sudo().search([("reference", "=", processing["reference"])])
        self.assertEqual(transaction.invoice_ids, self.invoice_old)
        self.assertEqual(transaction.amount, 1000.0)
        self.make_jsonrpc_request(
            "/payment/demo/simulate_payment",
            {"reference": transaction.reference, "payment_details": "4242", "simulated_state": "done"},
        )
        transaction._post_process()
        self.assertEqual(transaction.state, "done")
        self.assertFalse(self.invoice_old.amount_residual)
        self.assertIn(self.invoice_old.payment_state, ("paid", "in_payment"))
        # The board follows the reconciliation at once: only the 250 invoice is overdue now.
        self.assertEqual(case.amount_overdue, 250.0)
        page = self.url_open(self.letter.get_portal_url()).text.replace("\xa0", " ")
        self.assertIn("o_dunning_paid", page)
        # One invoice left to pay: no "total" button, one "Pay now".
        self.assertNotIn("Pay the total now", page)
        self.assertEqual(page.count("o_dunning_pay_invoice"), 1)
        self.assertEqual(self.letter._portal_open_invoices(), self.invoice_new)

    def test_my_portal_lists_the_customers_open_letters(self):
        self.letter.action_send()
        self.assertEqual(self.letter.state, "sent")
        other = self.invoice(self.consumer, 90.0, self.today - timedelta(days=70))
        self.assertTrue(other)
        contact = self.env["res.partner"].create({"name": "Paul Boulanger", "parent_id": self.professional.id})
        new_test_user(self.env, "paul", groups="base.group_portal", partner_id=contact.id)
        self.authenticate("paul", "paul")
        page = self.url_open("/my/dunning/letters").text.replace("\xa0", " ")
        self.assertIn(self.letter.name, page)
        self.assertIn("1,250.00", page)
        self.assertNotIn("Jeanne", page)
        # The logged-in customer opens the letter without the token, by the record rules.
        response = self.url_open(f"/my/dunning/letter/{self.letter.id}")
        self.assertEqual(response.status_code, 200)
        self.assertIn(self.invoice_old.name, response.text)
        counters = self.make_jsonrpc_request("/my/counters", {"counters": ["dunning_letter_count"]})
        self.assertEqual(counters["dunning_letter_count"], 1)

    def test_tour_customer_pays_one_invoice_from_the_link(self):
        """In a real browser, anonymously: the link, Pay now, the demo provider, back on the
        letter (static/tests/tours/account_dunning_letter_pay_tour.js)."""
        case = self.case_of()
        self.assertEqual(case.amount_overdue, 1250.0)
        self.start_tour(self.letter.get_portal_url(), "account_dunning_letter_pay_tour")
        self.env.invalidate_all()
        transaction = self.env["payment.transaction"].sudo().search([("invoice_ids", "in", self.invoice_old.ids)])
        self.assertEqual(transaction.state, "done")
        self.assertEqual(transaction.amount, 1000.0)
        self.assertFalse(self.invoice_old.amount_residual)
        self.assertEqual(self.invoice_new.amount_residual, 250.0)
        # The board followed the reconciliation: 1,250 - 1,000 = 250 overdue.
        self.assertEqual(case.amount_overdue, 250.0)

    def test_every_letter_has_its_link_from_the_start(self):
        # Made by the run's bulk writer (setUpClass) and by the ORM: both have a token at once.
        self.assertTrue(self.letter.access_token)
        copy = self.letter.copy({"date": self.today + timedelta(days=1)})
        self.assertTrue(copy.access_token)
        self.assertNotEqual(copy.access_token, self.letter.access_token)

    def _pay_with_demo(self, letter, invoice=None):
        """Pay one invoice of ``letter`` (or the total) from its page with the demo provider;
        the transaction."""
        method = self.provider.payment_method_ids.filtered("active")[:1]
        route = f"/my/dunning/letter/{letter.id}/transaction"
        processing = self.make_jsonrpc_request(
            f"{route}/{invoice.id}" if invoice else route,
            {
                "access_token": letter._portal_ensure_token(),
                "provider_id": self.provider.id,
                "payment_method_id": method.id,
                "token_id": None,
                # The browser's amount is ignored: the server sets it.
                "amount": 9999.0,
                "flow": "direct",
                "tokenization_requested": False,
                "landing_route": letter.get_portal_url(),
                "is_validation": False,
            },
        )
        transaction = self.env["payment.transaction"].sudo().search([("reference", "=", processing["reference"])])
        self.make_jsonrpc_request(
            "/payment/demo/simulate_payment",
            {"reference": transaction.reference, "payment_details": "4242", "simulated_state": "done"},
        )
        transaction._post_process()
        return transaction

    def test_page_lists_the_letters_installments_due_now(self):
        self.assertEqual(len(self.split_letter), 1)
        # The letter lists the first installment (117.00) and the plain invoice (200.00), not
        # the second installment due in 20 days.
        self.assertEqual(
            sorted(self.split_letter.line_ids.mapped("amount_due")), [117.0, 200.0], self.split_letter.line_ids
        )
        self.pay(self.invoice_plain, 50.0, self.today)
        page = self.url_open(self.split_letter.get_portal_url()).text.replace("\xa0", " ")
        # Due now: 117.00 + (200.00 - 50.00) = 267.00, never the invoice's whole 390.00.
        self.assertIn("117,00", page)
        self.assertIn("150,00", page)
        self.assertIn("267,00", page)
        self.assertNotIn("390,00", page)
        # The note on the other installment: 390.00 * 70 % = 273.00, due in 20 days.
        self.assertEqual(page.count("o_dunning_other_installments"), 1)
        self.assertIn("273,00", page)
        self.assertEqual(self.split_letter._portal_amount_open(), 267.0)
        self.assertEqual(self.split_letter._portal_amount_open(self.invoice_split), 117.0)
        # The payment form of one invoice asks for that invoice's lines on the letter.
        page = self.url_open(
            f"{self.split_letter.get_portal_url()}&pay=1&invoice_id={self.invoice_split.id}"
        ).text.replace("\xa0", " ")
        self.assertIn("o_payment_form", page)
        payment = page[page.index('id="o_dunning_payment"') :]
        self.assertIn("117,00", payment[:1000])

    def test_pay_now_pays_the_letters_installments_of_the_invoice(self):
        transaction = self._pay_with_demo(self.split_letter, self.invoice_split)
        self.assertEqual(transaction.state, "done")
        # The first installment (117.00), not the invoice's 390.00 nor the browser's 9,999.00.
        self.assertEqual(transaction.amount, 117.0)
        self.assertEqual(transaction.invoice_ids, self.invoice_split)
        # 390.00 - 117.00 = 273.00 left: the second installment, not yet due.
        self.assertEqual(self.invoice_split.amount_residual, 273.0)
        self.assertTrue(
            self.split_letter.line_ids.filtered(lambda line: line.move_id == self.invoice_split).move_line_id.reconciled
        )
        self.assertEqual(self.split_letter._portal_open_invoices(), self.invoice_plain)
        page = self.url_open(self.split_letter.get_portal_url()).text
        self.assertEqual(page.count("o_dunning_paid"), 1)
        self.assertEqual(page.count("o_dunning_pay_invoice"), 1)

    def test_page_title_in_the_customers_language(self):
        level = self.split_letter.level_id
        english = level.with_context(lang="en_US").name
        level.with_context(lang="fr_FR").name = "Niveau en français"
        page = self.url_open(self.split_letter.get_portal_url()).text
        title = page[page.index("<h3>") : page.index("</h3>")]
        self.assertIn("Niveau en français", title)
        self.assertNotIn(english, title)

    def test_public_page_shows_the_letters_company(self):
        default_company = self.env.ref("base.main_company")
        self.assertNotEqual(self.letter.company_id, default_company)
        page = self.url_open(self.letter.get_portal_url()).text
        # With the closing quote: company 1's URL is a prefix of company 107's.
        self.assertIn(f'/logo.png?company={self.company.id}"', page)
        self.assertNotIn(f'/logo.png?company={default_company.id}"', page)
        self.assertIn("o_footer_copyright_name", page)
        footer = page[page.index("o_footer_copyright_name") :]
        self.assertIn(self.company.name, footer[:400])
        self.assertNotIn(default_company.name, footer[:400])

    def test_pay_the_total_pays_what_the_letter_lists(self):
        self.pay(self.invoice_plain, 50.0, self.today)
        transaction = self._pay_with_demo(self.split_letter)
        self.assertEqual(transaction.state, "done")
        # 117.00 (first installment) + 150.00 (200.00 - 50.00) = 267.00.
        self.assertEqual(transaction.amount, 267.0)
        self.assertEqual(transaction.invoice_ids, self.invoice_split | self.invoice_plain)
        self.assertFalse(self.invoice_plain.amount_residual)
        # Only the second installment is left: 390.00 * 70 % = 273.00.
        self.assertEqual(self.invoice_split.amount_residual, 273.0)
        self.assertFalse(self.split_letter._portal_open_invoices())
        page = self.url_open(self.split_letter.get_portal_url()).text
        self.assertIn("o_dunning_all_paid", page)
