from datetime import timedelta

from odoo import fields
from odoo.tests import HttpCase, JsonRpcException, new_test_user, tagged

from .common import DunningCommon


@tagged("post_install", "-at_install")
class TestLetterPortal(DunningCommon, HttpCase):
    """The customer opens the letter's secure link without login, sees what is still due,
    and pays one invoice through Odoo's online payment (the demo provider)."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        # The server works on the real today: invoices dated relative to it.
        cls.today = fields.Date.today()
        cls.policy_pro.allow_level_skip = True
        # Due 40 and 30 days ago.
        cls.invoice_old = cls.invoice(cls.professional, 1000.0, cls.today - timedelta(days=70))
        cls.invoice_new = cls.invoice(cls.professional, 250.0, cls.today - timedelta(days=60))
        run = cls.env["account.dunning.run"]._get_or_create(cls.company, cls.today)
        run.send_letters = False
        run._run_now()
        cls.letter = cls.env["account.dunning.letter"].search([("partner_id", "=", cls.professional.id)])
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
