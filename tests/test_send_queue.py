"""The sending queue (issue 15 item 2): the run queues its letters and commits, a scheduled
action sends them in batches, each in its own transaction, re-checking the lines, and a
worker killed in the middle leaves nothing sent twice."""

import io
from datetime import date
from unittest.mock import patch

from odoo.tests import freeze_time, tagged
from odoo.tools import mute_logger
from odoo.tools.pdf import PdfFileReader, PdfFileWriter

from .common import AcrossProcessesCommon, DunningCommon

RUN_DAY = "2025-02-07"


class WorkerKilled(Exception):
    """Stands for the death of the process in the middle of a batch."""


def killing_email_sender(env, calls, kill_on):
    """The e-mail channel's ``_send``, dying on the calls numbered in ``kill_on`` after the
    e-mails are queued and before the letters are marked sent."""
    channel_class = type(env["account.dunning.channel.email"])
    original = channel_class._send

    def send(channel, letters):
        calls.append(letters.ids)
        sent = original(channel, letters)
        if len(calls) in kill_on:
            raise WorkerKilled("killed between queuing the e-mails and marking the letters sent")
        return sent

    return patch.object(channel_class, "_send", send)


@tagged("post_install", "-at_install")
class TestSendQueue(DunningCommon):
    """In registry test mode the scheduled actions' commits are savepoints of the test
    transaction and their rollbacks return to the last one, as PostgreSQL drops the open
    transaction of a process that dies."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.env["ir.config_parameter"].sudo().set_param("account_dunning.send_batch_size", 2)
        # Three customers, an invoice each due 2025-01-31: 7 days late on 2025-02-07, the day
        # of the first reminder (an automatic e-mail): three letters, batches of 2 -> [2, 1].
        cls.customers = cls.env["res.partner"].create(
            [
                {"name": f"Queue customer {index}", "is_company": True, "email": f"q{index}@example.com"}
                for index in range(3)
            ]
        )
        cls.invoices = [
            cls.invoice(customer, 100.0 * (index + 1), "2025-01-01") for index, customer in enumerate(cls.customers)
        ]
        cls.run_cron = cls.env.ref("account_dunning.ir_cron_dunning_run")
        cls.send_cron = cls.env.ref("account_dunning.ir_cron_dunning_send")

    def setUp(self):
        super().setUp()
        # The scheduled action sends by itself (queue_job's path: TestSendQueueJobs).
        queue_class = type(self.env["account.dunning.send.queue"])
        self.startPatcher(patch.object(queue_class, "_use_job_queue", return_value=False))

    def _trigger(self, cron):
        with freeze_time(RUN_DAY), self.enter_registry_test_mode():
            return cron.method_direct_trigger()

    def _letters(self):
        return self.env["account.dunning.letter"].search([("partner_id", "in", self.customers.ids)], order="id")

    def _emails_per_letter(self, letters):
        """How many e-mails (messages of type comment, and mail.mail) each letter has."""
        messages = self.env["mail.message"].search(
            [("model", "=", "account.dunning.letter"), ("res_id", "in", letters.ids), ("message_type", "=", "comment")]
        )
        mails = self.env["mail.mail"].sudo().search([("mail_message_id", "in", messages.ids)])
        return [
            (
                len(messages.filtered(lambda message, letter=letter: message.res_id == letter.id)),
                len(mails.filtered(lambda mail, letter=letter: mail.mail_message_id.res_id == letter.id)),
            )
            for letter in letters
        ]

    def test_the_run_queues_and_the_scheduled_action_sends(self):
        triggers_before = self.env["ir.cron.trigger"].search_count([("cron_id", "=", self.send_cron.id)])
        self.assertIs(self._trigger(self.run_cron), True)
        letters = self._letters()
        run = letters.run_id
        self.assertEqual(len(letters), 3)
        self.assertEqual(set(letters.mapped("state")), {"to_send"}, "the run sends nothing itself")
        self.assertTrue(all(letters.mapped("send_queued")))
        self.assertEqual(self._emails_per_letter(letters), [(0, 0)] * 3)
        self.assertEqual((run.letters_sent, run.letters_failed, run.letters_queued), (0, 0, 3))
        self.assertGreater(
            self.env["ir.cron.trigger"].search_count([("cron_id", "=", self.send_cron.id)]),
            triggers_before,
            "the run has the queue sent soon",
        )

        self.assertIs(self._trigger(self.send_cron), True)
        self.assertEqual(set(letters.mapped("state")), {"sent"})
        self.assertEqual(self._emails_per_letter(letters), [(1, 1)] * 3, "one e-mail per letter")
        self.assertEqual(letters.mapped("mail_message_id.res_id"), letters.ids)
        run.invalidate_recordset()
        self.assertEqual((run.letters_sent, run.letters_failed, run.letters_queued), (3, 0, 0))
        # Sent on the run's day: the lines record it.
        self.assertEqual(set(letters.line_ids.move_line_id.mapped("dunning_last_date")), {date.fromisoformat(RUN_DAY)})

    def test_a_letter_of_a_customer_who_paid_meanwhile_is_not_sent(self):
        self._trigger(self.run_cron)
        letters = self._letters()
        # The second customer pays the whole invoice after the run, before the queue sends.
        self.pay(self.invoices[1], 200.0, RUN_DAY)
        self._trigger(self.send_cron)
        self.assertEqual(letters.mapped("state"), ["sent", "cancelled", "sent"])
        self.assertEqual(self._emails_per_letter(letters)[1], (0, 0), "no e-mail for what is paid")
        run = letters.run_id
        run.invalidate_recordset()
        self.assertEqual((run.letters_sent, run.letters_failed, run.letters_queued), (2, 0, 0))

    def test_a_failed_letter_is_counted_and_the_others_go(self):
        self._trigger(self.run_cron)
        letters = self._letters()
        self.customers[0].email = False
        self._trigger(self.send_cron)
        self.assertEqual(letters.mapped("state"), ["failed", "sent", "sent"])
        run = letters.run_id
        run.invalidate_recordset()
        self.assertEqual((run.letters_sent, run.letters_failed, run.letters_queued), (2, 1, 0))

    @mute_logger("odoo.addons.base.models.ir_cron")
    def test_killed_between_the_email_and_the_sent_mark_sends_nothing_twice(self):
        self._trigger(self.run_cron)
        letters = self._letters()
        calls = []
        # The first batch (2 letters) goes and is committed; the worker dies in the second,
        # after its e-mail was queued, twice (the scheduled action retries once by itself).
        with killing_email_sender(self.env, calls, kill_on={2, 3}):
            self.assertIsNot(self._trigger(self.send_cron), True)
        self.assertEqual(calls, [letters[:2].ids, letters[2:].ids, letters[2:].ids])
        self.env.invalidate_all()
        self.assertEqual(letters.mapped("state"), ["sent", "sent", "to_send"])
        self.assertEqual(
            self._emails_per_letter(letters), [(1, 1), (1, 1), (0, 0)], "the dead batch's e-mail died with it"
        )
        self.assertFalse(letters[2].pdf_attachment_id)

        self.assertIs(self._trigger(self.send_cron), True)
        self.assertEqual(letters.mapped("state"), ["sent"] * 3)
        self.assertEqual(self._emails_per_letter(letters), [(1, 1)] * 3, "each letter's e-mail exactly once")

    def test_a_batch_is_rendered_in_one_pdf_call_and_split_per_letter(self):
        self.dun(RUN_DAY, send=False)
        letters = self._letters()
        Report = type(self.env["ir.actions.report"])
        original = Report._run_wkhtmltopdf
        calls = []

        def run_wkhtmltopdf(report, bodies, *args, **kwargs):
            # One call for all the letters. A wkhtmltopdf without patched Qt (as on some test
            # machines) cannot render several documents: each body is rendered alone and the
            # pages joined, which is what the patched build returns for one-page letters.
            calls.append(len(bodies))
            writer = PdfFileWriter()
            for body in bodies:
                for page in PdfFileReader(io.BytesIO(original(report, [body], *args, **kwargs))).pages:
                    writer.add_page(page)
            stream = io.BytesIO()
            writer.write(stream)
            return stream.getvalue()

        # Real PDFs (tests render HTML unless told otherwise).
        channel_class = type(self.env["account.dunning.channel.email"])
        with (
            patch.object(Report, "_run_wkhtmltopdf", run_wkhtmltopdf),
            patch.object(channel_class, "_can_render_many", return_value=True),
        ):
            letters.with_context(force_report_rendering=True).action_send()
        self.assertEqual(letters.mapped("state"), ["sent"] * 3)
        self.assertEqual(calls, [3], "one wkhtmltopdf call for the three letters")
        for letter in letters:
            pdf = letter.pdf_attachment_id
            self.assertEqual((pdf.mimetype, pdf.res_id), ("application/pdf", letter.id))
            text = "".join(page.extract_text() for page in PdfFileReader(io.BytesIO(pdf.raw)).pages)
            self.assertIn(letter.name, text, "each letter's own pages")
            for other in letters - letter:
                self.assertNotIn(other.name, text)
            self.assertEqual(letter.mail_message_id.attachment_ids, pdf)
            self.assertEqual(letter.mail_message_id.partner_ids, letter.partner_id)
            self.assertEqual(letter.mail_message_id.message_type, "comment")

    def test_sending_costs_queries_per_batch_not_per_letter(self):
        # Three more customers late like the others: 2 letters, then 4 in one batch.
        more = self.env["res.partner"].create(
            [
                {"name": f"More customer {index}", "is_company": True, "email": f"m{index}@example.com"}
                for index in range(3)
            ]
        )
        for customer in more:
            self.invoice(customer, 50.0, "2025-01-01")
        self.dun(RUN_DAY, send=False)
        letters = self.env["account.dunning.letter"].search([("partner_id", "in", (self.customers | more).ids)])
        self.assertEqual(len(letters), 6)
        Queue = self.env["account.dunning.send.queue"]
        self.env.flush_all()
        self.env.invalidate_all()
        before = self.env.cr.sql_log_count
        Queue._send_letters(letters[:2])
        self.env.flush_all()
        two = self.env.cr.sql_log_count - before
        self.env.invalidate_all()
        before = self.env.cr.sql_log_count
        Queue._send_letters(letters[2:])
        self.env.flush_all()
        four = self.env.cr.sql_log_count - before
        self.assertEqual(set(letters.mapped("state")), {"sent"})
        # Two more letters may cost a few queries each (their PDF alone in test mode, their
        # letter's own row), not the ~20 per letter of a write per journal item.
        self.assertLessEqual(four - two, 2 * 8, f"2 letters: {two} queries, 4 letters: {four}")

    def test_run_now_sends_in_its_own_transaction(self):
        run = self.dun(RUN_DAY)
        letters = self._letters()
        self.assertEqual(letters.mapped("state"), ["sent"] * 3)
        self.assertEqual((run.letters_sent, run.letters_failed, run.letters_queued), (3, 0, 0))

    def test_letters_waiting_for_review_are_not_queued(self):
        self.company.dunning_auto_send = False
        self._trigger(self.run_cron)
        self._trigger(self.send_cron)
        letters = self._letters()
        self.assertEqual(letters.mapped("state"), ["to_send"] * 3)
        self.assertFalse(any(letters.mapped("send_queued")))


@tagged("post_install", "-at_install")
class TestSendQueueJobs(DunningCommon):
    """With OCA's queue_job installed (tools/test installs it, requirements-test.txt), the
    scheduled action enqueues one job per batch on channel ``root.dunning``; without it, it
    sends by itself (TestSendQueue)."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.env["ir.config_parameter"].sudo().set_param("account_dunning.send_batch_size", 2)
        cls.customers = cls.env["res.partner"].create(
            [
                {"name": f"Job customer {index}", "is_company": True, "email": f"j{index}@example.com"}
                for index in range(3)
            ]
        )
        for customer in cls.customers:
            cls.invoice(customer, 100.0, "2025-01-01")

    def test_the_job_queue_is_used_when_installed_only(self):
        Queue = self.env["account.dunning.send.queue"]
        self.assertIn("queue.job", self.env, "tools/test installs queue_job (requirements-test.txt)")
        self.assertTrue(Queue._use_job_queue())
        # What an installation without queue_job sees: no model, so the scheduled action sends.
        with patch.object(type(self.env), "__contains__", lambda env, name: name != "queue.job"):
            self.assertFalse(Queue._use_job_queue())

    def test_batches_are_jobs_on_their_channel_each_letter_once(self):
        from odoo.addons.queue_job.job import Job  # optional module, installed for tests

        self.dun(RUN_DAY, send=False)
        letters = self.env["account.dunning.letter"].search([("partner_id", "in", self.customers.ids)], order="id")
        letters.send_queued = True
        Queue = self.env["account.dunning.send.queue"]
        Queue._cron_send()
        Queue._cron_send()  # a second tick before the jobs ran adds none
        jobs = self.env["queue.job"].sudo().search([("method_name", "=", "_job_send_batch")])
        # 3 letters in batches of 2: 2 jobs.
        self.assertEqual(len(jobs), 2)
        self.assertEqual(set(jobs.mapped("channel")), {"root.dunning"})
        self.assertEqual(letters.mapped("state"), ["to_send"] * 3, "enqueuing sends nothing")
        for job in jobs:
            Job.load(self.env, job.uuid).perform()
        self.assertEqual(letters.mapped("state"), ["sent"] * 3)
        messages = self.env["mail.message"].search([("model", "=", letters._name), ("res_id", "in", letters.ids)])
        self.assertEqual(
            sorted(messages.filtered("partner_ids").mapped("res_id")), letters.ids, "one e-mail per letter"
        )
        # A job run again (a retry) finds nothing left: nothing is sent twice.
        self.assertEqual(Job.load(self.env, jobs[0].uuid).perform(), 0)


@tagged("post_install", "-at_install")
class TestSendQueueAcrossProcesses(AcrossProcessesCommon):
    """Each "process" is a real, separate database connection (``AcrossProcessesCommon``):
    ``setUp`` commits five customers with one invoice each in the main company, sending in
    batches of two, and the run that queued their letters; the cleanup deletes all of it."""

    RUN_DATE = date(2024, 6, 20)
    # Due 2024-06-10: on 2024-06-20, 10 days late, past the first reminder (7 days).
    INVOICE_DATE, DUE_DATE = "2024-05-10", "2024-06-10"
    CUSTOMER_NAME = "Queue process customer"
    PARAMETERS = {"account_dunning.send_batch_size": 2}

    def setUp(self):
        super().setUp()
        # The run queues the five letters and commits (as the daily scheduled action does).
        self.assertIs(self.process()["account.dunning.run"].browse(self.run_id)._execute(commit=True), True)
        self.assertEqual(self.committed(), {"to_send": 5})

    def _prepare_company(self, env, company):
        self.auto_send_before = company.dunning_auto_send
        company.dunning_auto_send = True
        self.triggers_before = env["ir.cron.trigger"].search([]).ids

    def _restore_company(self, env, company):
        env["ir.cron.trigger"].search([("id", "not in", self.triggers_before)]).unlink()
        company.dunning_auto_send = self.auto_send_before

    def committed(self, emails=False):
        """What any process sees now: the letters per state (and with ``emails``, the number
        of e-mails of each letter, in customer order)."""
        with self.committed_env() as env:
            letters = env["account.dunning.letter"].search([("partner_id", "in", self.customer_ids)], order="id")
            states = {}
            for letter in letters:
                states[letter.state] = states.get(letter.state, 0) + 1
            if not emails:
                return states
            messages = env["mail.message"].search(
                [("model", "=", letters._name), ("res_id", "in", letters.ids), ("message_type", "=", "comment")]
            )
            mails = env["mail.mail"].search([("mail_message_id", "in", messages.ids)])
            return states, [
                len(mails.filtered(lambda mail, letter=letter: mail.mail_message_id.res_id == letter.id))
                for letter in letters
            ]

    @mute_logger("odoo.addons.account_dunning.models.account_dunning_channel")
    def test_process_killed_after_queuing_emails_sends_nothing_twice(self):
        """Process 1 commits a batch of two, then dies in the second after its e-mails were
        queued and before its letters were marked sent (its connection is rolled back and
        closed, as PostgreSQL does when a process dies); process 2 sends the rest."""
        first = self.process()
        calls = []
        with killing_email_sender(first, calls, kill_on={2}), self.assertRaises(WorkerKilled):
            first["account.dunning.send.queue"]._drain(commit=True)
        first.cr.rollback()
        first.cr.close()
        self.assertEqual(self.committed(emails=True), ({"sent": 2, "to_send": 3}, [1, 1, 0, 0, 0]))

        second = self.process()
        self.assertIs(second["account.dunning.send.queue"]._drain(commit=True), True)
        self.assertEqual(self.committed(emails=True), ({"sent": 5}, [1] * 5), "each letter's e-mail exactly once")

    def test_two_processes_share_the_queue_each_letter_once(self):
        """Process 1 takes a batch and holds it (its transaction is open); process 2 skips it,
        sends everything else and commits; then process 1 sends its batch."""
        first, second = self.process(), self.process()
        held = first["account.dunning.send.queue"]._claim(2)
        self.assertEqual(len(held), 2)
        self.assertIs(second["account.dunning.send.queue"]._drain(commit=True), True)
        self.assertEqual(self.committed(), {"sent": 3, "to_send": 2}, "process 2 left process 1's batch alone")
        first["account.dunning.send.queue"]._send_letters(held)
        first.cr.commit()
        self.assertEqual(self.committed(emails=True), ({"sent": 5}, [1] * 5))
        # Nothing is left for anyone.
        third = self.process()
        self.assertEqual(third["account.dunning.send.queue"]._count(), 0)

    def test_a_process_whose_snapshot_is_older_than_another_ones_commit_claims_again(self):
        """Process 1 read the queue (its snapshot) before process 2 sent letters and committed:
        its claim meets letters changed since its snapshot, so it starts a new transaction and
        takes what is left, sending each letter once."""
        first, second = self.process(), self.process()
        self.assertEqual(first["account.dunning.send.queue"]._count(), 5)  # the snapshot
        second_queue = second["account.dunning.send.queue"]
        second_queue._send_letters(second_queue._claim(2))
        second.cr.commit()
        with mute_logger("odoo.sql_db"):
            self.assertIs(first["account.dunning.send.queue"]._drain(commit=True), True)
        self.assertEqual(self.committed(emails=True), ({"sent": 5}, [1] * 5))
