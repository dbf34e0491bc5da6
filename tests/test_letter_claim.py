from odoo.tests import tagged

from .common import DunningCommon


@tagged("post_install", "-at_install")
class TestLetterClaim(DunningCommon):
    """The letter and e-mail state the claim: principal, interest with its basis, indemnity
    (never for a consumer), totals; the formal notice reads like one."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.invoice_pro = cls.invoice(cls.professional, 1200.0, "2025-01-01")  # due 2025-01-31
        cls.invoice_consumer = cls.invoice(cls.consumer, 500.0, "2025-01-01")
        cls.policy_pro.allow_level_skip = True
        cls.policy_consumer.allow_level_skip = True

    def html_of(self, letter):
        html = self.env["ir.actions.report"]._render_qweb_html("account_dunning.report_dunning_letter", letter.ids)[0]
        return " ".join(html.decode().replace("\xa0", " ").split())

    def test_formal_notice_to_a_french_professional_states_the_penalties(self):
        self.dun("2025-03-17", send=False)
        letter = self.letters(self.professional)
        self.assertTrue(letter.is_formal_notice)
        html = self.html_of(letter)
        # Due 2025-01-31, letter 2025-03-17: 45 late days (1 Feb to 17 Mar), all in 2025 H1 at
        # ECB 3.15 % (in force on 1 January 2025) + 10 = 13.15 %:
        # 1,200 x 0.1315 x 45 / 365 = 19.4548 -> 19.45; indemnity 40 (D441-5);
        # total 1,200 + 19.45 + 40 = 1,259.45.
        for figure in ("1,200.00", "19.45", "40.00", "59.45", "1,259.45"):
            self.assertIn(figure, html)
        self.assertIn("ECB main refinancing rate + 10 points, i.e. 13.15 % for the first half of 2025", html)
        self.assertIn("L441-10", html)
        self.assertIn("D441-5", html)
        self.assertIn("Registered letter with acknowledgement of receipt", html)
        self.assertIn("Dear Sir or Madam,", html)
        # One deadline, as a date: 2025-03-17 + 8 days.
        self.assertIn("by 03/25/2025", html)
        self.assertNotIn("within 8 days", html)
        self.assertIn(self.company.name, html)

    def test_consumer_formal_notice_has_no_indemnity_and_names_the_civil_code(self):
        self.dun("2025-03-17", send=False)
        letter = self.letters(self.consumer)
        self.assertTrue(letter.is_formal_notice)
        html = self.html_of(letter)
        self.assertNotIn("Indemnit", html)
        self.assertNotIn("40.00", html)
        self.assertIn("1231-6", html)
        self.assertIn("1344-1", html)
        self.assertIn("from the date of this letter", html)
        # Interest runs only from the notice itself: nothing yet on its date, so no penalty rows;
        # the claim is the principal.
        self.assertNotIn("Late-payment interest", html)
        self.assertIn("500.00", html)
        self.assertEqual(letter._letter_claim()["total"], 500.0)
        self.assertNotIn("collection agency", html)

    def test_first_reminder_stays_light(self):
        self.dun("2025-02-07", send=False)
        letter = self.letters(self.professional)
        self.assertFalse(letter.apply_penalties)
        html = self.html_of(letter)
        self.assertNotIn("Late-payment interest", html)
        self.assertNotIn("Registered letter", html)
        self.assertIn("1,200.00", html)

    def test_penalty_email_says_what_the_letter_says(self):
        self.dun("2025-02-20", send=True)
        letter = self.letters(self.professional)
        self.assertEqual(letter.level_id.name, "Second reminder")
        self.assertEqual(letter.state, "sent")
        body = " ".join(letter.mail_message_id.body.replace("\xa0", " ").split())
        # 20 late days (1 to 20 Feb) at 13.15 %: 1,200 x 0.1315 x 20 / 365 = 8.6466 -> 8.65;
        # + 40 indemnity; total 1,248.65.
        for figure in ("8.65", "40.00", "48.65", "1,248.65"):
            self.assertIn(figure, body)
        self.assertIn("ECB main refinancing rate + 10 points", body)
        self.assertIn("Please pay by", body)

    def test_french_customer_reads_madame_monsieur(self):
        self.env["res.lang"]._activate_lang("fr_FR")
        self.professional.lang = "fr_FR"
        self.dun("2025-03-17", send=False)
        letter = self.letters(self.professional)
        html = self.html_of(letter)
        self.assertIn("Madame, Monsieur,", html)
        self.assertIn("Lettre recommandée avec accusé de réception", html)
        self.assertIn("19,45", html)

    def test_courtesy_reminder_asks_for_payment_by_the_due_date(self):
        # Courtesy reminder 5 days before the due date (2025-01-31): 2025-01-26 + 8 days would be
        # 2025-02-03, after the due date; the letter keeps the later of the two dates.
        self.dun("2025-01-26", send=False)
        letter = self.letters(self.professional)
        self.assertEqual(letter.level_id.name, "Courtesy reminder")
        self.assertEqual(str(letter.payment_deadline), "2025-02-03")
        letter.level_id.payment_delay_days = 2
        letter.invalidate_recordset(["payment_deadline"])
        # 2025-01-26 + 2 = 2025-01-28, before the due date: the due date 2025-01-31 is asked.
        self.assertEqual(str(letter.payment_deadline), "2025-01-31")

    def test_salutation_is_editable_per_level(self):
        self.dun("2025-03-17", send=False)
        letter = self.letters(self.professional)
        letter.level_id.letter_salutation = "Dear Mr Dupont,"
        self.assertIn("Dear Mr Dupont,", self.html_of(letter))

    def test_belgian_variant_names_the_belgian_law(self):
        self.policy_pro.penalty_regime = "be_b2b"
        self.policy_consumer.penalty_regime = "be_b2c"
        self.dun("2025-03-17", send=False)
        html = self.html_of(self.letters(self.professional))
        self.assertIn("law of 2 August 2002", html)
        # 45 late days in 2025 H1 at the published Belgian rate 11.5 %:
        # 1,200 x 0.115 x 45 / 365 = 17.0137 -> 17.01; + 40 indemnity.
        self.assertIn("the Belgian statutory late-payment rate, i.e. 11.50 % for the first half of 2025", html)
        self.assertIn("17.01", html)
        self.assertIn("40.00", html)
        consumer_html = self.html_of(self.letters(self.consumer))
        self.assertIn("Book XIX of the Code of Economic Law", consumer_html)
        self.assertNotIn("Indemnit", consumer_html)

    def test_french_customer_gets_the_email_in_french(self):
        self.env["res.lang"]._activate_lang("fr_FR")
        self.professional.lang = "fr_FR"
        self.dun("2025-02-20", send=True)
        letter = self.letters(self.professional)
        body = " ".join(letter.mail_message_id.body.replace("&nbsp;", " ").replace("\xa0", " ").split())
        self.assertIn("Madame, Monsieur,", body)
        # The same figures as in English (8.65 interest, 40.00 indemnity), French formatting.
        self.assertIn("8,65", body)
        self.assertIn("248,65", body)  # 1 248,65, whatever the thousands separator
        self.assertIn("Merci de régler au plus tard le", body)
        self.assertIn("taux de refinancement de la BCE majoré de 10 points", body)
