import io
from datetime import date

from odoo.exceptions import UserError, ValidationError
from odoo.fields import Command
from odoo.tests import freeze_time, tagged
from odoo.tools.pdf import PdfReader

from .common import DunningCommon, french_chart_installed


@tagged("post_install", "-at_install")
class TestLatePenalties(DunningCommon):
    """The law of ``law/`` (README, *Statutory late penalties*) through the ORM: what an invoice
    owes, invoicing it once, the clause."""

    def _terms_line(self, invoice):
        return invoice.line_ids.filtered(lambda line: line.display_type == "payment_term")

    def _penalties(self, invoice, on):
        with freeze_time(on):
            invoice.invalidate_recordset(["late_interest_amount", "late_indemnity_amount", "late_penalty_error"])
            return invoice.late_interest_amount, invoice.late_indemnity_amount

    def test_fr_b2b_reference_example(self):
        # 1,200 incl. VAT due 2025-03-31, paid 2025-06-15: 76 days at 3.15 + 10 = 13.15 %
        # 1,200 x 0.1315 x 76 / 365 = 32.857... -> 32.86, plus the 40 indemnity.
        invoice = self.invoice(self.professional, 1200.0, "2025-03-01")
        self.assertEqual(str(invoice.invoice_date_due), "2025-03-31")
        self.pay(invoice, 1200.0, "2025-06-15")
        self.assertEqual(self._penalties(invoice, "2025-07-01"), (32.86, 40.0))
        # Paid: the interest of the delay stays claimable, it does not grow any more.
        self.assertEqual(self._penalties(invoice, "2025-12-01"), (32.86, 40.0))
        details = invoice.late_penalty_details
        self.assertIn("13.15 %", details)
        self.assertIn("76", details)

    def test_paid_on_the_due_date_owes_nothing(self):
        invoice = self.invoice(self.professional, 1200.0, "2025-03-01")
        self.pay(invoice, 1200.0, "2025-03-31")
        self.assertEqual(self._penalties(invoice, "2025-07-01"), (0.0, 0.0))

    def test_one_day_late(self):
        # 1,000 x 0.1315 x 1 / 365 = 0.3603 -> 0.36
        invoice = self.invoice(self.professional, 1000.0, "2025-03-01")
        self.pay(invoice, 1000.0, "2025-04-01")
        self.assertEqual(self._penalties(invoice, "2025-04-10"), (0.36, 40.0))

    def test_partial_payment_counts_from_the_next_day(self):
        # 1,000 due 03-31; 600 paid 04-30: 30 days on 1,000 then 31 days (05-01..05-31) on 400.
        # 1000 x .1315 x 30/365 = 10.8082; 400 x .1315 x 31/365 = 4.4674; total 15.2756 -> 15.28
        invoice = self.invoice(self.professional, 1000.0, "2025-03-01")
        self.pay(invoice, 600.0, "2025-04-30")
        self.assertEqual(self._penalties(invoice, "2025-05-31"), (15.28, 40.0))

    def test_delay_across_1_july_uses_each_half_year_rate(self):
        # Due 2025-06-20, unpaid on 07-10: 10 days at 13.15 % (2025 H1), 10 days at 12.15 % (ECB 2.15 on 1 July)
        # 1000 x (.1315 x 10 + .1215 x 10) / 365 = 6.9315 -> 6.93
        invoice = self.invoice(self.professional, 1000.0, "2025-05-21")
        self.assertEqual(str(invoice.invoice_date_due), "2025-06-20")
        self.assertEqual(self._penalties(invoice, "2025-07-10"), (6.93, 40.0))

    def test_credit_note_partially_offsetting(self):
        invoice = self.invoice(self.professional, 1000.0, "2025-03-01")
        refund = self._create_invoice_one_line(
            move_type="out_refund",
            price_unit=250.0,
            partner_id=self.professional,
            invoice_date="2025-04-15",
            post=True,
            tax_ids=[],
        )
        (
            self._terms_line(invoice) | refund.line_ids.filtered(lambda line: line.account_type == "asset_receivable")
        ).reconcile()
        # 15 days (04-01..04-15) on 1,000, then 15 days (04-16..04-30) on 750:
        # (1000 x 15 + 750 x 15) x .1315 / 365 = 9.4589 -> 9.46
        self.assertEqual(self._penalties(invoice, "2025-04-30"), (9.46, 40.0))

    def test_indemnity_in_the_invoice_currency(self):
        usd = self.setup_other_currency("USD")  # 1 EUR = 2 USD in the test rates
        invoice = self.invoice(self.professional, 1000.0, "2025-03-01", currency=usd)
        interest, indemnity = self._penalties(invoice, "2025-04-10")
        self.assertEqual(indemnity, 80.0, "EUR 40 converted to USD")
        self.assertEqual(interest, 3.60, "1,000 USD x 13.15 % x 10 / 365 = 3.6027")

    def test_fr_b2c_no_indemnity_and_interest_only_after_formal_notice(self):
        # 500 due 2025-08-01, formal notice 2025-09-01, paid 2025-10-31: 60 days at 2.76 %
        # 500 x .0276 x 60 / 365 = 2.2685 -> 2.27
        invoice = self.invoice(self.consumer, 500.0, "2025-07-02")
        self.assertEqual(self._penalties(invoice, "2025-08-31"), (0.0, 0.0), "nothing before a formal notice")
        self._terms_line(invoice).dunning_formal_notice_date = "2025-09-01"
        self.pay(invoice, 500.0, "2025-10-31")
        self.assertEqual(self._penalties(invoice, "2025-11-15"), (2.27, 0.0))

    def test_formal_notice_level_sets_the_date_that_starts_consumer_interest(self):
        invoice = self.invoice(self.consumer, 500.0, "2025-07-02")  # due 08-01
        self.policy_consumer.allow_level_skip = True
        self.dun("2025-09-15")  # 45 days late: formal notice
        letter = self.letters(self.consumer)
        self.assertTrue(letter.is_formal_notice)
        with freeze_time("2025-09-16"):
            letter.action_send()
            # A printed formal notice puts the customer on notice once posted (here the same day).
            letter._mark_posted(date(2025, 9, 16))
        self.assertEqual(str(self._terms_line(invoice).dunning_formal_notice_date), "2025-09-16")

    def test_be_b2c_runs_after_the_free_reminder_period(self):
        # Terms stipulating the maximum Book XIX allows (without them: test_law_be_consumer.py).
        self.policy_consumer.write({"penalty_regime": "be_b2c", "consumer_clause": "legal_maximum"})
        invoice = self.invoice(self.consumer, 200.0, "2025-08-31")  # due 2025-09-30
        for day in ("2025-09-25", "2025-10-07"):
            # A courtesy reminder before the due date puts nobody in default; the first reminder,
            # e-mailed on 10-07, gives 14 days from 10-08: claimable from 10-22.
            with freeze_time(day):
                self.dun(day)
        self.assertEqual(self.letters(self.consumer).mapped("state"), ["sent", "sent"])
        self.assertEqual(self._penalties(invoice, "2025-10-21"), (0.0, 0.0))
        # 10-22..10-31 = 10 days at 10.5 % (BE 2025 H2): 200 x .105 x 10 / 365 = 0.5753 -> 0.58
        # damages on a balance of 200: 30 + 10 % x (200 - 150) = 35
        self.assertEqual(self._penalties(invoice, "2025-10-31"), (0.58, 35.0))

    def test_missing_half_year_rate_is_never_zero(self):
        # French legal rate of 2026 H2 is not in the data: a consumer's interest cannot be computed.
        invoice = self.invoice(self.consumer, 500.0, "2026-05-02")
        self._terms_line(invoice).dunning_formal_notice_date = "2026-06-15"
        with freeze_time("2026-08-10"):
            invoice.invalidate_recordset(["late_penalty_error"])
            self.assertIn("2026 H2", invoice.late_penalty_error)
            wizard = self.env["account.dunning.penalty.invoice"].create({"move_ids": [Command.set(invoice.ids)]})
            with self.assertRefused(UserError, "2026 H2"):
                wizard.action_create_invoices()

    def test_missing_rate_in_the_run_makes_one_activity_and_no_crash(self):
        self.policy_pro.write({"penalty_regime": "be_b2b", "allow_level_skip": True})
        self.invoice(self.professional, 1000.0, "2026-05-16")  # due 06-15
        other = self.professional.copy({"name": "Autre SARL"})
        self.invoice(other, 700.0, "2026-05-16")
        run = self.dun("2026-07-05")  # 20 days late: the level states penalties; BE 2026 H2 is unknown
        letters = self.letters(self.professional) | self.letters(other)
        self.assertEqual(len(letters), 2)
        self.assertEqual(set(letters.mapped("state")), {"failed"}, "never sent with penalties it cannot compute")
        self.assertIn("2026 H2", letters[0].failure_reason)
        activities = run.activity_ids
        self.assertEqual(len(activities), 1, "one activity, not one per letter")
        self.assertIn("2026 H2", activities.summary)

    def test_penalty_invoice_then_only_new_days(self):
        invoice = self.invoice(self.professional, 1200.0, "2025-03-01")  # due 03-31
        wizard = self.env["account.dunning.penalty.invoice"].create(
            {"move_ids": [Command.set(invoice.ids)], "date": "2025-05-01", "post": True}
        )
        first = wizard._create_penalty_invoices()
        first.action_post()
        # 04-01..05-01 = 31 days: 1200 x .1315 x 31 / 365 = 13.4022 -> 13.40, plus 40
        self.assertEqual(first.amount_total, 53.40)
        self.assertFalse(first.invoice_line_ids.tax_ids, "penalties are outside the scope of VAT")
        interest, indemnity, _journal = self.company._dunning_penalty_accounts()
        self.assertEqual(first.invoice_line_ids.account_id, interest | indemnity, "the company's penalty accounts")
        if french_chart_installed(self.env):
            self.assertEqual(
                sorted(first.invoice_line_ids.account_id.mapped("code")), ["758000", "763100"], "French chart accounts"
            )
        self.assertIn(invoice.name, first.invoice_line_ids[0].name)
        self.assertTrue(first.is_dunning_penalty)
        self.assertEqual(self._penalties(invoice, "2025-05-01"), (0.0, 0.0), "nothing left to claim that day")

        wizard = self.env["account.dunning.penalty.invoice"].create(
            {"move_ids": [Command.set(invoice.ids)], "date": "2025-06-01"}
        )
        second = wizard._create_penalty_invoices()
        # 05-02..06-01 = 31 days again, no second indemnity
        self.assertEqual(second.amount_total, 13.40)
        self.assertEqual(len(second.invoice_line_ids), 1)

        with self.assertRefused(UserError, "nothing to invoice"):
            self.env["account.dunning.penalty.invoice"].create(
                {"move_ids": [Command.set(invoice.ids)], "date": "2025-06-01"}
            )._create_penalty_invoices()

    def test_cancelling_a_penalty_invoice_releases_its_days(self):
        invoice = self.invoice(self.professional, 1200.0, "2025-03-01")
        penalty = (
            self.env["account.dunning.penalty.invoice"]
            .create({"move_ids": [Command.set(invoice.ids)], "date": "2025-05-01"})
            ._create_penalty_invoices()
        )
        self.assertEqual(self._penalties(invoice, "2025-05-01"), (0.0, 0.0))
        penalty.button_cancel()
        self.assertEqual(self._penalties(invoice, "2025-05-01"), (13.40, 40.0))

    def test_letter_states_penalties_when_its_level_says_so(self):
        invoice = self.invoice(self.professional, 1200.0, "2025-03-01")  # due 03-31
        self.policy_pro.allow_level_skip = True
        self.dun("2025-04-20")  # 20 days late: the second reminder states penalties
        letter = self.letters(self.professional)
        self.assertTrue(letter.apply_penalties)
        # 1200 x .1315 x 20 / 365 = 8.6466 -> 8.65
        self.assertRecordValues(letter.line_ids, [{"interest_amount": 8.65, "indemnity_amount": 40.0}])
        self.assertEqual(letter.line_ids.move_id, invoice)

    def test_a_level_can_invoice_penalties_when_sent(self):
        invoice = self.invoice(self.professional, 1200.0, "2025-03-01")
        self.levels[2].invoice_penalties = True
        self.policy_pro.allow_level_skip = True
        self.dun("2025-04-20")
        penalty_invoices = invoice.dunning_penalty_ids.penalty_move_id
        self.assertEqual(penalty_invoices.state, "posted")
        self.assertEqual(penalty_invoices.amount_total, 48.65)

    def test_contractual_rate_floor(self):
        with freeze_time("2024-10-01"):
            with self.assertRefused(ValidationError, "2024 H2"):
                self.policy_pro.contractual_rate = 14.50  # floor 3 x 4.92 = 14.76
        with freeze_time("2025-10-01"):
            self.policy_pro.contractual_rate = 9.0  # floor 3 x 2.76 = 8.28
            self.assertEqual(self.policy_pro.contractual_rate, 9.0)
            # 1000 due 2025-07-31, 10 days in August at 9 %: 1000 x .09 x 10 / 365 = 2.4658 -> 2.47
            invoice = self.invoice(self.professional, 1000.0, "2025-07-01")
        self.assertEqual(self._penalties(invoice, "2025-08-10"), (2.47, 40.0))
        with self.assertRefused(ValidationError, "legal rate only"):
            self.policy_consumer.contractual_rate = 5.0

    def test_invoice_prints_the_clause_that_fits_the_customer(self):
        pro = self.invoice(self.professional, 1200.0, "2025-03-01")
        consumer = self.invoice(self.consumer, 100.0, "2025-03-01")
        html = self.env["ir.actions.report"]._render_qweb_html("account.report_invoice", (pro | consumer).ids)[0]
        html = html.decode()
        pro_part, consumer_part = html.split(consumer.name, 1)[0], html.split(consumer.name, 1)[1]
        self.assertIn("L441-10", pro_part)
        self.assertIn("13.15 %", pro_part, "ECB 3.15 on 1 January 2025 + 10 points")
        self.assertIn("€ 40.00", pro_part.replace("\xa0", " ").replace("40.00 €", "€ 40.00"))
        self.assertIn("legal rate may be claimed after a formal notice", consumer_part)
        self.assertNotIn("indemnity", consumer_part)
        self.assertNotIn("13.15", consumer_part)

    def test_invoice_pdf_carries_the_clause(self):
        invoice = self.invoice(self.professional, 1200.0, "2025-03-01")
        report = self.env.ref("account.account_invoices")
        # No test web server runs here: wkhtmltopdf's asset requests go to a closed port.
        self.env["ir.config_parameter"].sudo().set_param("report.url", "http://127.0.0.1:9")
        with self.allow_pdf_render():
            content, report_format = report.with_context(force_report_rendering=True)._render_qweb_pdf(
                report, invoice.ids
            )
        self.assertEqual(report_format, "pdf")
        text = " ".join(" ".join(page.extract_text() for page in PdfReader(io.BytesIO(content)).pages).split())
        self.assertIn("L441-10", text)
        self.assertIn("13.15 %", text)
        self.assertIn("recovery indemnity", text)

    def test_company_clause_text_is_used_and_translatable(self):
        # {rate} states the basis and the figure of the half-year (issue 16 item 6), in the
        # invoice's language: 13,15 % in French.
        self.company.dunning_clause_professional = "Penalties at {rate}; indemnity {indemnity}."
        self.company.update_field_translations(
            "dunning_clause_professional", {"fr_FR": "Pénalités au {rate} ; indemnité de {indemnity}."}
        )
        invoice = self.invoice(self.professional, 100.0, "2025-03-01")
        text = invoice.with_context(lang="fr_FR")._dunning_statutory_clause()
        self.assertTrue(
            text.startswith(
                "Pénalités au taux de refinancement de la BCE majoré de 10 points, soit 13,15 % pour le premier "
                "semestre 2025 ; indemnité de 40,00\xa0€."
            ),
            text,
        )
        text = invoice.with_context(lang="en_US")._dunning_statutory_clause()
        self.assertTrue(text.startswith("Penalties at the ECB main refinancing rate + 10 points, i.e. 13.15 %"), text)
