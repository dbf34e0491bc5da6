import io
import socket
import threading
from contextlib import contextmanager
from unittest.mock import patch

from odoo.exceptions import AccessError, UserError
from odoo.tests import tagged
from odoo.tools.pdf import PdfReader

from .common import DunningCommon


@contextmanager
def refusing_smtp_server():
    """A real SMTP peer on loopback that refuses every session with a 554 greeting."""
    server = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    server.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    server.bind(("127.0.0.1", 0))
    server.listen(5)
    server.settimeout(0.2)
    stop = threading.Event()

    def serve():
        while not stop.is_set():
            try:
                connection, _address = server.accept()
            except TimeoutError:
                continue
            with connection:
                connection.sendall(b"554 5.7.1 Relaying refused by test server\r\n")

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    try:
        yield server.getsockname()[1]
    finally:
        stop.set()
        thread.join(2)
        server.close()


@tagged("post_install", "-at_install")
class TestDunningLetter(DunningCommon):
    """What the customer receives, and what happens when sending goes wrong."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.invoice_a = cls.invoice(cls.professional, 1200.0, "2025-01-01")  # due 2025-01-31

    def _first_reminder(self, partner=None, send=False):
        self.dun("2025-02-07", send=send)
        return self.letters(partner or self.professional)

    def test_email_goes_to_the_invoicing_address_with_the_letter_attached(self):
        accounts = self.env["res.partner"].create(
            {
                "name": "Comptabilité",
                "type": "invoice",
                "parent_id": self.professional.id,
                "email": "factures@example.com",
            }
        )
        letter = self._first_reminder()
        self.assertEqual(letter.recipient_id, accounts)
        letter.action_send()
        self.assertEqual(letter.state, "sent")
        message = letter.mail_message_id
        self.assertIn(accounts, message.partner_ids)
        self.assertIn(self.levels[1].name, message.subject)
        self.assertIn(self.invoice_a.name, message.body)
        self.assertEqual(message.attachment_ids, letter.pdf_attachment_id)
        # The customer's and the invoice's histories tell the same story.
        self.assertIn(letter.name, self.professional.message_ids[0].body)
        self.assertIn(self.levels[1].name, self.invoice_a.message_ids[0].body)

    def test_email_in_french_for_a_french_speaking_customer(self):
        self.professional.lang = "fr_FR"
        letter = self._first_reminder()
        letter.action_send()
        message = letter.mail_message_id
        self.assertIn("Premier rappel", message.subject)
        self.assertIn("Sauf erreur de notre part", message.body)
        self.assertIn("Total dû", message.body)
        english = self.consumer
        self.invoice(english, 80.0, "2025-01-01")
        self.dun("2025-02-08")
        self.assertIn("First reminder", self.letters(english).mail_message_id.subject)

    def test_letter_pdf_renders_with_its_figures(self):
        letter = self._first_reminder()
        report = self.env.ref("account_dunning.action_report_dunning_letter")
        # No test web server runs here: point wkhtmltopdf's asset requests at a closed port, so
        # the PDF is the same whether or not something else listens on the usual one.
        self.env["ir.config_parameter"].sudo().set_param("report.url", "http://127.0.0.1:9")
        with self.allow_pdf_render():
            content, report_format = report.with_context(force_report_rendering=True)._render_qweb_pdf(
                report, letter.ids
            )
        self.assertEqual(report_format, "pdf")
        self.assertTrue(content.startswith(b"%PDF"))
        # Words come out of the PDF separated by tabs and line breaks: compare on single spaces.
        text = " ".join(" ".join(page.extract_text() for page in PdfReader(io.BytesIO(content)).pages).split())
        self.assertIn("First reminder", text)
        self.assertIn(self.invoice_a.name, text)
        self.assertIn("1,200.00", text)
        self.assertIn("How to pay", text)

    def test_formal_notice_says_what_it_is(self):
        self.policy_pro.allow_level_skip = True
        self.dun("2025-03-17", send=False)
        letter = self.letters(self.professional)
        self.assertTrue(letter.is_formal_notice)
        html = self.env["ir.actions.report"]._render_qweb_html("account_dunning.report_dunning_letter", letter.ids)[0]
        self.assertIn(b"formal notice to pay", html)
        self.assertIn(b"We therefore formally demand that you pay the total claimed by", html)

    def test_customer_without_email_fails_and_can_be_retried(self):
        self.professional.email = False
        letter = self._first_reminder()
        letter.action_send()
        self.assertEqual(letter.state, "failed")
        self.assertIn("no e-mail address", letter.failure_reason)
        self.assertFalse(self.invoice_a.line_ids.dunning_level_id, "a failed letter records no level on the line")
        self.professional.email = "compta@boulangerie.example.com"
        letter.action_retry()
        self.assertEqual(letter.state, "sent")

    def test_one_failure_does_not_stop_the_others(self):
        self.consumer.email = False
        self.invoice(self.consumer, 90.0, "2025-01-01")
        run = self.dun("2025-02-07")
        self.assertEqual(self.letters(self.consumer).state, "failed")
        self.assertEqual(self.letters(self.professional).state, "sent")
        self.assertEqual((run.letters_sent, run.letters_failed), (1, 1))

    def test_mail_server_refusal_marks_the_letter_failed(self):
        letter = self._first_reminder()
        letter.action_send()
        self.assertEqual(letter.state, "sent")
        mails = self.env["mail.mail"].sudo().search([("mail_message_id", "=", letter.mail_message_id.id)])
        self.assertTrue(mails, "the e-mail waits in the mail queue")
        with refusing_smtp_server() as port:
            self.env["ir.mail_server"].sudo().create(
                {"name": "Refusing relay", "smtp_host": "127.0.0.1", "smtp_port": port, "smtp_encryption": "none"}
            )
            # Tests never talk to SMTP unless told to: let the real client reach our refusing peer.
            with patch.object(type(self.env["ir.mail_server"]), "_disable_send", return_value=False):
                mails.send(raise_exception=False)
        self.assertEqual(mails.state, "exception")
        self.assertEqual(letter.state, "failed")
        self.assertTrue(letter.failure_reason)
        letter.action_retry()
        self.assertEqual(letter.state, "sent")
        self.assertNotEqual(letter.mail_message_id.id, mails.mail_message_id.id, "a new e-mail is queued")

    def test_a_collector_reviews_and_sends(self):
        letter = self._first_reminder()
        collector = self.make_user("sandra")
        letter.with_user(collector).action_send()
        self.assertEqual(letter.state, "sent")
        self.assertEqual(self.invoice_a.line_ids.filtered("dunning_level_id").dunning_level_id, self.levels[1])
        with self.assertRaises(AccessError):
            self.env["account.dunning.run"].with_user(collector).create({"company_id": self.company.id})

    def test_sending_twice_is_refused(self):
        letter = self._first_reminder()
        letter.action_send()
        with self.assertRefused(UserError, "only draft, to-send or failed letters can be sent"):
            letter.action_send()

    def test_sent_letter_cannot_be_deleted(self):
        letter = self._first_reminder()
        letter.action_send()
        with self.assertRaises(UserError):
            letter.unlink()

    def test_phone_level_creates_a_call_for_the_collector(self):
        collector = self.env["res.users"].create({"name": "Paul Phone", "login": "paul", "email": "paul@example.com"})
        self.professional.dunning_responsible_id = collector
        self.levels[1].write({"channel": "phone"})
        letter = self._first_reminder()
        letter.action_send()
        activity = letter.activity_ids
        self.assertEqual(activity.activity_type_id, self.env.ref("mail.mail_activity_data_call"))
        self.assertEqual(activity.user_id, collector)
        self.assertIn(self.invoice_a.name, activity.note)
        # The 1,200.00 invoice due 01-31 is the one line, in en_US with its currency (the
        # no-break space before the euro sign is &nbsp; in the HTML note).
        self.assertIn(f"{self.invoice_a.name} due 01/31/2025: 1,200.00&nbsp;€", activity.note)
        # The first reminder adds no penalty: 1,200.00 is the whole net amount.
        self.assertEqual(activity.summary, "Call Boulangerie Test SARL: 1,200.00\N{NO-BREAK SPACE}€ overdue")

    def test_changing_a_letters_channel_leaves_its_level_alone(self):
        letter = self._first_reminder()
        self.assertEqual(letter.channel, "email")
        letter.channel = "letter"
        self.assertEqual(letter.channel, "letter")
        self.assertEqual(self.levels[1].channel, "email", "the other customers' letters keep the level's channel")

    def test_printed_letters_are_queued_then_printed_in_one_file(self):
        self.levels[1].write({"channel": "letter"})
        other = self.professional.copy({"name": "Second SARL"})
        self.invoice(other, 400.0, "2025-01-01")
        self.dun("2025-02-07")
        letters = self.letters(self.professional) | self.letters(other)
        self.assertEqual(letters.mapped("state"), ["sent", "sent"])
        self.assertTrue(all(letters.mapped("pdf_attachment_id")))
        self.assertFalse(any(letters.mapped("is_printed")))
        self.company.external_report_layout_id = self.env.ref("web.external_layout_standard")
        action = letters.action_print_letters()
        self.assertEqual(action["type"], "ir.actions.report")
        self.assertEqual(action["report_name"], "account_dunning.report_dunning_letter")
        self.assertEqual(sorted(action["context"]["active_ids"]), sorted(letters.ids))
        self.assertTrue(all(letters.mapped("is_printed")))

    def test_statement_of_account_ages_open_items(self):
        self.invoice(self.professional, 100.0, "2025-03-01")  # due 03-31: not due on 03-20
        self.invoice(self.professional, 200.0, "2024-11-01")  # due 12-01: 109 days late
        statement = self.professional._dunning_statement(
            self.company, self.invoice_a.invoice_date.replace(month=3, day=20)
        )
        buckets = statement[0]["buckets"]
        # invoice_a (1,200, due 01-31) is 48 days late on 03-20.
        self.assertEqual(buckets, {"not_due": 100.0, "1_30": 0.0, "31_60": 1200.0, "61_90": 0.0, "over_90": 200.0})
        self.assertEqual(statement[0]["total"], 1500.0)
        html = self.env["ir.actions.report"]._render_qweb_html(
            "account_dunning.report_dunning_statement", self.professional.ids
        )[0]
        self.assertIn(b"Statement of account", html)
        self.assertIn(self.invoice_a.name.encode(), html)
