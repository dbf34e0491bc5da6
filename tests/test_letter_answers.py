import re
from datetime import timedelta

from odoo import fields
from odoo.tests import HttpCase, tagged

from .common import DunningCommon


@tagged("post_install", "-at_install")
class TestLetterAnswers(DunningCommon, HttpCase):
    """From the letter's page, without calling: I have paid, I dispute this invoice, I
    promise to pay on; bad input gets a clear message and changes nothing."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.today = fields.Date.today()
        cls.policy_pro.allow_level_skip = True
        cls.policy_consumer.allow_level_skip = True
        cls.invoice_pro = cls.invoice(cls.professional, 800.0, cls.today - timedelta(days=70))
        cls.invoice_consumer = cls.invoice(cls.consumer, 300.0, cls.today - timedelta(days=70))
        run = cls.env["account.dunning.run"]._get_or_create(cls.company, cls.today)
        run.send_letters = False
        run._run_now()
        Letter = cls.env["account.dunning.letter"]
        cls.letter = Letter.search([("partner_id", "=", cls.professional.id)])
        cls.other_letter = Letter.search([("partner_id", "=", cls.consumer.id)])

    def post(self, answer, letter=None, token=None, **data):
        """Open the page as the customer would, then send the form with its CSRF token."""
        letter = letter or self.letter
        page = self.url_open(letter.get_portal_url())
        self.assertEqual(page.status_code, 200)
        csrf = re.search(r'name="csrf_token" value="([^"]+)"', page.text).group(1)
        data = {"csrf_token": csrf, "access_token": token or letter._portal_ensure_token(), **data}
        return self.url_open(f"/my/dunning/letter/{self.letter.id}/{answer}", data=data, allow_redirects=False)

    def counts(self):
        case = self.case_of()
        return (
            len(self.letter.message_ids),
            len(case.message_ids),
            len(case.activity_ids),
            case.promise_pause_until,
            case.promise_date,
            self.invoice_pro.dunning_excluded,
        )

    def test_i_have_paid(self):
        response = self.post("paid", paid_on=fields.Date.to_string(self.today))
        self.assertEqual(response.status_code, 303)
        self.assertIn("answer=paid", response.headers["Location"])
        case = self.case_of()
        self.assertIn("The customer says they paid on", self.letter.message_ids[0].body)
        self.assertIn("The customer says they paid on", case.message_ids[0].body)
        self.assertIn("Check a payment declared by", case.activity_ids[-1].summary)
        # The policy's grace after a promise (2 days by default) pauses the reminders.
        self.assertEqual(case.promise_pause_until, self.today + timedelta(days=2))
        page = self.url_open(response.headers["Location"]).text
        self.assertIn("we will check your payment", page)

    def test_i_have_paid_refuses_a_future_or_missing_date(self):
        before = self.counts()
        for paid_on in (fields.Date.to_string(self.today + timedelta(days=1)), "", "not-a-date"):
            response = self.post("paid", paid_on=paid_on)
            self.assertEqual(response.status_code, 400)
            self.assertTrue(
                "cannot be in the future" in response.text or "give the date of your payment" in response.text,
                paid_on,
            )
        self.assertEqual(self.counts(), before)

    def test_i_dispute_this_invoice(self):
        before = self.counts()
        response = self.post("dispute", invoice_id=str(self.invoice_pro.id), reason="   ")
        self.assertEqual(response.status_code, 400)
        self.assertIn("why you dispute this invoice", response.text)
        response = self.post("dispute", invoice_id=str(self.invoice_consumer.id), reason="Not ours")
        self.assertEqual(response.status_code, 400)
        self.assertIn("Choose one of the invoices of this letter", response.text)
        self.assertEqual(self.counts(), before)
        self.assertFalse(self.invoice_consumer.dunning_excluded)

        response = self.post("dispute", invoice_id=str(self.invoice_pro.id), reason="Goods returned on delivery")
        self.assertEqual(response.status_code, 303)
        self.assertTrue(self.invoice_pro.dunning_excluded)
        self.assertEqual(self.invoice_pro.dunning_exclusion_reason, "Goods returned on delivery")
        case = self.case_of()
        self.assertEqual(case.late_cause_id, self.env.ref("account_dunning.late_cause_dispute"))
        self.assertIn("Goods returned on delivery", self.letter.message_ids[0].body)
        self.assertIn("Dispute on", case.activity_ids[-1].summary)

    def test_i_promise_to_pay_on(self):
        before = self.counts()
        # Yesterday, and one day past the policy's 60-day horizon: refused.
        for day, reason in (
            (self.today - timedelta(days=1), "today or a later date"),
            (self.today + timedelta(days=61), "at most 60 days ahead"),
        ):
            response = self.post("promise", promise_on=fields.Date.to_string(day))
            self.assertEqual(response.status_code, 400)
            self.assertIn(reason, response.text)
        self.assertEqual(self.counts(), before)

        promised = self.today + timedelta(days=10)
        response = self.post("promise", promise_on=fields.Date.to_string(promised))
        self.assertEqual(response.status_code, 303)
        case = self.case_of()
        # As a collector's promise: the date, what is due (800), the pause = date + 2 days' grace.
        self.assertEqual(case.promise_date, promised)
        self.assertEqual(case.promise_amount, 800.0)
        self.assertEqual(case.promise_state, "pending")
        self.assertEqual(case.promise_pause_until, promised + timedelta(days=2))
        self.assertEqual(case.stage_id.code, "promise")
        self.assertIn("promises to pay", self.letter.message_ids[0].body)
        # The 800.00 due, in en_US with the euro sign after a no-break space (&nbsp; in HTML),
        # not the raw float 800.0.
        self.assertIn("promises to pay 800.00&nbsp;€ on", self.letter.message_ids[0].body)

    def test_token_of_another_customer_is_refused(self):
        before = self.counts()
        page = self.url_open(self.other_letter.get_portal_url())
        csrf = re.search(r'name="csrf_token" value="([^"]+)"', page.text).group(1)
        response = self.url_open(
            f"/my/dunning/letter/{self.letter.id}/paid",
            data={
                "csrf_token": csrf,
                "access_token": self.other_letter._portal_ensure_token(),
                "paid_on": fields.Date.to_string(self.today),
            },
            allow_redirects=False,
        )
        self.assertIn(response.status_code, (302, 303))
        self.assertTrue(response.headers["Location"].endswith("/my"))
        self.assertEqual(self.counts(), before)

    def test_a_french_customer_reads_the_page_and_the_refusals_in_french(self):
        self.env["res.lang"]._activate_lang("fr_FR")
        self.professional.lang = "fr_FR"
        page = self.url_open(self.letter.get_portal_url()).text
        self.assertIn("Je conteste une facture", page)
        response = self.post("dispute", invoice_id=str(self.invoice_pro.id), reason="")
        self.assertEqual(response.status_code, 400)
        self.assertIn("Veuillez nous indiquer pourquoi vous contestez cette facture.", response.text)
        self.assertFalse(self.invoice_pro.dunning_excluded)
