"""Rates kept current (issue 16 item 4): the ECB rate fetched from the ECB's data API, tested
against a local HTTP server answering recorded responses (the test machines have no internet),
and the warnings about French and Belgian rates still missing before a half-year starts."""

import threading
import time
from datetime import date
from decimal import Decimal
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from odoo.exceptions import UserError
from odoo.fields import Command
from odoo.tests import BaseCase, freeze_time, tagged

from odoo.addons.account_dunning.law import ecb

from .common import DunningCommon

HEADER = (
    "KEY,FREQ,REF_AREA,CURRENCY,PROVIDER_FM,INSTRUMENT_FM,PROVIDER_FM_ID,DATA_TYPE_FM,TIME_PERIOD,OBS_VALUE,"
    "OBS_STATUS,TITLE\r\n"
)


def row(day, value):
    return f"FM.D.U2.EUR.4F.KR.MRR_FR.LEV,D,U2,EUR,4F,KR,MRR_FR,LEV,{day},{value},A,Main refinancing operations\r\n"


# The format of the ECB's answer (format=csvdata), around the decision of 11 June 2025 (2.40 -> 2.15).
RECORDED = HEADER + row("2025-06-10", "2.4") + row("2025-06-11", "2.15") + row("2025-06-12", "2.15")
ANSWERS = {
    "/ecb": (200, RECORDED),
    "/html": (200, "<html><body>Service unavailable</body></html>"),
    "/garbled": (200, HEADER + row("2025-06-10", "two point four")),
    "/error": (503, "Service unavailable"),
    # Test data in the same format: the rate on the first days of 2026 H2 (a figure for the test only).
    "/h2": (200, HEADER + row("2026-06-30", "2.15") + row("2026-07-01", "2.15") + row("2026-07-02", "2.15")),
}


class RecordedEcb(BaseHTTPRequestHandler):
    def do_GET(self):
        path = self.path.split("?")[0]
        if path == "/slow":
            # Odoo's test framework raises every timeout under 10 s to 10 s: answer after it.
            time.sleep(10.5)
        status, body = ANSWERS.get(path, (200, RECORDED))
        self.send_response(status)
        self.send_header("Content-Type", "text/csv")
        self.end_headers()
        self.wfile.write(body.encode())

    def log_message(self, *args):
        pass


@tagged("post_install", "-at_install")
class TestEcbParsing(BaseCase):
    def test_decisions_from_the_observations(self):
        observations = ecb.parse_observations(RECORDED)
        self.assertEqual(observations[1], (date(2025, 6, 11), Decimal("2.15")))
        # Known up to the decision of 23 April (2.40): the 11 June one is new, the daily repeats are not.
        known = {date(2025, 4, 23): Decimal("2.40")}
        self.assertEqual(ecb.new_decisions(observations, known), [(date(2025, 6, 11), Decimal("2.15"))])
        known[date(2025, 6, 11)] = Decimal("2.15")
        self.assertEqual(ecb.new_decisions(observations, known), [])

    def test_malformed_answers(self):
        for text in (
            "",
            "<html></html>",
            HEADER + row("2025-06-10", "x"),
            HEADER + row("2025-13-01", "2.0"),
            HEADER + row("2025-06-10", "250"),
        ):
            with self.subTest(text=text[-30:]), self.assertRaises(ecb.EcbFormatError):
                ecb.parse_observations(text)


@tagged("post_install", "-at_install")
class TestRatesKeptCurrent(DunningCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.server = ThreadingHTTPServer(("127.0.0.1", 0), RecordedEcb)
        cls.thread = threading.Thread(target=cls.server.serve_forever, daemon=True)
        cls.thread.start()
        cls.addClassCleanup(cls.server.server_close)
        cls.addClassCleanup(cls.server.shutdown)
        cls.Rate = cls.env["account.dunning.rate"]
        cls.env["ir.config_parameter"].sudo().set_param("account_dunning.ecb_timeout", "0.5")

    def _fetch(self, path):
        port = self.server.server_address[1]
        self.env["ir.config_parameter"].sudo().set_param("account_dunning.ecb_url", f"http://127.0.0.1:{port}{path}")
        return self.Rate._fetch_ecb_rates()

    def _ecb_rates(self):
        return {(str(rate.date_from), rate.rate) for rate in self.Rate.search([("rate_type", "=", "ecb_mro")])}

    def test_a_new_value_is_recorded(self):
        self.Rate.search([("rate_type", "=", "ecb_mro"), ("date_from", "=", "2025-06-11")]).unlink()
        before = self._ecb_rates()
        self.assertEqual(self._fetch("/ecb"), 1)
        self.assertEqual(self._ecb_rates() - before, {("2025-06-11", 2.15)})
        new = self.Rate.search([("rate_type", "=", "ecb_mro"), ("date_from", "=", "2025-06-11")])
        self.assertIn("FM.D.U2.EUR.4F.KR.MRR_FR.LEV", new.note)

    def test_no_change_writes_nothing(self):
        before = self._ecb_rates()
        self.assertEqual(self._fetch("/ecb"), 0)
        self.assertEqual(self._ecb_rates(), before)

    def test_malformed_answer_writes_nothing(self):
        self.Rate.search([("rate_type", "=", "ecb_mro"), ("date_from", "=", "2025-06-11")]).unlink()
        before = self._ecb_rates()
        for path in ("/html", "/garbled", "/error"):
            with (
                self.subTest(path=path),
                self.assertLogs("odoo.addons.account_dunning.models.account_dunning_rate", "WARNING") as logs,
            ):
                self.assertEqual(self._fetch(path), 0)
            self.assertIn("no rate written", logs.output[0])
        self.assertEqual(self._ecb_rates(), before)

    def test_timeout_writes_nothing(self):
        self.Rate.search([("rate_type", "=", "ecb_mro"), ("date_from", "=", "2025-06-11")]).unlink()
        before = self._ecb_rates()
        with self.assertLogs("odoo.addons.account_dunning.models.account_dunning_rate", "WARNING") as logs:
            self.assertEqual(self._fetch("/slow"), 0)
        self.assertIn("failed", logs.output[0])
        self.assertIn("no rate written", logs.output[0])
        self.assertEqual(self._ecb_rates(), before)

    def test_an_unconfirmed_ecb_rate_is_never_silent(self):
        # The data confirms the ECB rate on 2026-01-01, not on 2026-07-01.
        with freeze_time("2026-07-10"):
            self.assertIn(("ecb_mro", "2026 H2"), self.Rate._missing_rates())
            banner = self.Rate.get_missing_rate_warnings()
            self.assertTrue(any("not confirmed" in line and "2026 H2" in line for line in banner))
            self.Rate._warn_missing_rates()
            ecb_todo = self.env["mail.activity"].search(
                [("res_model", "=", "account.dunning.rate"), ("summary", "ilike", "ECB")]
            )
            # Fetched daily: the manager is asked to confirm it (as the run asks), not to add it.
            self.assertEqual(
                ecb_todo.summary, "Confirm the ECB main refinancing rate in force on the first day of 2026 H2"
            )
            self.assertEqual(self._fetch("/h2"), 0, "no new decision, but 2026-07-01 is now covered")
            self.assertNotIn(("ecb_mro", "2026 H2"), self.Rate._missing_rates())

    def _professional_late_on_2026_06_15(self):
        # The French company's professional policy: fr_b2b, the ECB rate + 10 points.
        self.assertEqual(self.policy_pro.penalty_regime, "fr_b2b")
        self.policy_pro.allow_level_skip = True
        return self.invoice(self.professional, 1000.0, "2026-05-16")  # due 2026-06-15

    def test_an_unconfirmed_half_year_holds_the_penalties_until_a_fetch_confirms_it(self):
        # The data confirms the ECB rate on 2026-01-01, not on 2026-07-01, and nothing was fetched.
        invoice = self._professional_late_on_2026_06_15()
        run = self.dun("2026-07-05")  # 20 days late: the level states penalties
        letter = self.letters(self.professional)
        self.assertEqual(letter.state, "failed", "never sent with the rate of 2026 H1 carried into 2026 H2")
        self.assertIn("ECB main refinancing rate in force on the first day of 2026 H2 is not", letter.failure_reason)
        self.assertFalse(letter.line_ids.filtered("interest_amount"))
        self.assertEqual(len(run.activity_ids), 1)
        self.assertEqual(
            run.activity_ids.summary, "Confirm the ECB main refinancing rate in force on the first day of 2026 H2"
        )
        self.assertIn("go back to the sending queue once it is known", str(run.activity_ids.note))
        with freeze_time("2026-07-05"):
            invoice.invalidate_recordset(["late_interest_amount", "late_penalty_error"])
            self.assertIn("2026 H2", invoice.late_penalty_error)
            self.assertEqual(invoice.late_interest_amount, 0.0)
            wizard = self.env["account.dunning.penalty.invoice"].create(
                {"move_ids": [Command.set(invoice.ids)], "date": "2026-07-05"}
            )
            with self.assertRefused(UserError, "first day of 2026 H2 is not confirmed"):
                wizard.action_create_invoices()
        self.assertFalse(self.env["account.dunning.penalty"].search([("move_id", "=", invoice.id)]))
        # The next day's fetch covers 2026-07-01 (unchanged at 2.15 %): the held letter goes back to
        # the sending queue by itself (no manager's Retry), and out with its figures as of the day
        # the queue sends it.
        with freeze_time("2026-07-06"):
            self.assertEqual(self._fetch("/h2"), 0)
            self.assertRecordValues(letter, [{"state": "to_send", "failure_reason": False}])
            self.env["account.dunning.send.queue"]._drain(commit=False)
        self.assertEqual(letter.state, "sent")
        # To the letter's date (the queue sends a letter on its run's day): 06-16..06-30 = 15 days at
        # 2026 H1's 2.15 + 10 = 12.15 %, 07-01..07-05 = 5 days at 2026 H2's 2.15 + 10 = 12.15 %:
        # 1,000 x 12.15 x 20 / 36,500 = 243,000 / 36,500 = 6.657... -> 6.66, plus 40.
        self.assertEqual(sum(letter.line_ids.mapped("interest_amount")), 6.66)
        self.assertEqual(sum(letter.line_ids.mapped("indemnity_amount")), 40.0)

    def test_the_case_says_its_penalties_are_incomplete(self):
        invoice = self._professional_late_on_2026_06_15()
        case = self.env["account.dunning.case"].create(
            {"partner_id": self.professional.id, "company_id": self.company.id}
        )
        with freeze_time("2026-07-05"):
            # The interest cannot be computed (its days reach into 2026 H2): nothing of this invoice
            # is counted (not even its indemnity: a penalty in error is held whole, as the run holds
            # the letter), and the case says why instead of showing 0.00 as if nothing were owed.
            self.assertEqual(case.penalties_to_date, 0.0)
            self.assertEqual((invoice.late_interest_amount, invoice.late_indemnity_amount), (0.0, 0.0))
            self.assertIn("first day of 2026 H2 is not confirmed", case.penalties_warning)
        # Once an accountant enters the rate in force on 2026-07-01 (a figure for the test only):
        # 15 days at 12.15 % + 5 days at 12.40 % = 4.9931... + 1.6986... = 6.69 (worked out in
        # test_an_entry_dated_the_first_day_confirms_the_half_year) plus the 40.00 indemnity.
        self.Rate.create({"rate_type": "ecb_mro", "date_from": "2026-07-01", "rate": 2.40, "note": "ECB"})
        case.invalidate_recordset(["penalties_to_date", "penalties_warning"])
        with freeze_time("2026-07-05"):
            self.assertEqual(case.penalties_to_date, 46.69)
            self.assertFalse(case.penalties_warning)

    def test_a_rate_entered_by_hand_releases_the_letters_the_queue_held(self):
        self._professional_late_on_2026_06_15()
        other = self.professional.copy({"name": "Second professional"})
        self.invoice(other, 500.0, "2026-05-16")  # due 2026-06-15 too
        self.dun("2026-07-05")
        held, by_hand = self.letters(self.professional), self.letters(other)
        self.assertEqual((held.state, by_hand.state), ("failed", "failed"))
        # Stands for a letter a collector sent herself (never put in the queue): hers to retry.
        by_hand.send_queued = False
        # A figure for the test only: 2.40 % in force on 2026-07-01, entered by an accountant.
        self.Rate.create({"rate_type": "ecb_mro", "date_from": "2026-07-01", "rate": 2.40, "note": "ECB"})
        self.assertRecordValues(held, [{"state": "to_send", "failure_reason": False, "penalty_error": False}])
        self.assertIn("back in the queue", held.message_ids[0].body)
        self.assertEqual(by_hand.state, "failed")
        with freeze_time("2026-07-05"):
            self.env["account.dunning.send.queue"]._drain(commit=False)
        self.assertEqual(held.state, "sent")
        # 15 days at 12.15 % + 5 days at 12.40 % = 4.9931... + 1.6986... = 6.69 (worked out in
        # test_an_entry_dated_the_first_day_confirms_the_half_year).
        self.assertEqual(sum(held.line_ids.mapped("interest_amount")), 6.69)

    def test_an_entry_dated_the_first_day_confirms_the_half_year(self):
        self._professional_late_on_2026_06_15()
        # A figure for the test only: 2.40 % in force on 2026-07-01, entered by an accountant.
        self.Rate.create({"rate_type": "ecb_mro", "date_from": "2026-07-01", "rate": 2.40, "note": "ECB"})
        self.assertNotIn(("ecb_mro", "2026 H2"), self.Rate._missing_rates(date(2026, 7, 5)))
        run = self.dun("2026-07-05")
        letter = self.letters(self.professional)
        self.assertEqual(letter.state, "sent")
        self.assertFalse(run.activity_ids)
        # 15 days at 12.15 % (2026 H1): 1,000 x 12.15 x 15 / 36,500 = 182,250 / 36,500 = 4.9931...
        # 5 days at 2.40 + 10 = 12.40 % (2026 H2): 1,000 x 12.40 x 5 / 36,500 = 62,000 / 36,500 = 1.6986...
        # 4.9931... + 1.6986... = 6.6917... -> 6.69
        self.assertEqual(sum(letter.line_ids.mapped("interest_amount")), 6.69)

    def test_warnings_from_15_days_before_a_half_year(self):
        # The Belgian legal interest rate of 2026 (yearly) is shipped: it is not among the missing rates.
        # 2026-06-15: 16 days before 2026 H2, whose French and Belgian rates are not known: no warning yet.
        with freeze_time("2026-06-15"):
            self.assertEqual(self.Rate._missing_rates(), [])
        # 2026-06-16: 15 days before: the three half-yearly rates of 2026 H2.
        with freeze_time("2026-06-16"):
            self.assertEqual(
                set(self.Rate._missing_rates()),
                {("fr_legal_individual", "2026 H2"), ("fr_legal_other", "2026 H2"), ("be_late_payment", "2026 H2")},
            )
            banner = self.Rate.get_missing_rate_warnings()
            self.Rate._warn_missing_rates()
            self.Rate._warn_missing_rates()  # the next day's run adds nothing
        self.assertEqual(len(banner), 3)
        self.assertTrue(any("2026 H2" in line and "Belgian late-payment rate" in line for line in banner))
        activities = self.env["mail.activity"].search([("res_model", "=", "account.dunning.rate")])
        self.assertEqual(len(activities), 3)
        self.assertTrue(all("2026 H2" in activity.summary for activity in activities))
        # Once entered, the warning is gone.
        self.Rate.create({"rate_type": "fr_legal_other", "date_from": "2026-07-01", "rate": 2.5})
        with freeze_time("2026-06-16"):
            self.assertNotIn(("fr_legal_other", "2026 H2"), self.Rate._missing_rates())
