from datetime import timedelta

from odoo import fields
from odoo.tests import freeze_time, tagged

from .common import DunningCommon


@tagged("post_install", "-at_install")
class TestCollectionCase(DunningCommon):
    """The board: cases open and resolve by themselves, follow events, and pause for promises."""

    def _stage(self, code):
        return self.env["account.dunning.case"]._stages()[code]

    def test_case_opens_resolves_and_reopens(self):
        invoice = self.invoice(self.professional, 1000.0, "2025-01-01")  # due 01-31
        self.dun("2025-01-20")
        self.assertFalse(self.case_of(), "nothing overdue yet: no case")
        self.dun("2025-02-07")
        case = self.case_of()
        self.assertEqual(case.stage_id, self._stage("reminded"), "the first reminder moved it on")
        self.assertRecordValues(
            case,
            [
                {
                    "amount_overdue": 1000.0,
                    "amount_due": 1000.0,
                    "oldest_days_late": 7,
                    "late_invoice_count": 1,
                    "urgency": "normal",
                }
            ],
        )
        self.pay(invoice, 1000.0, "2025-02-10")
        self.dun("2025-02-11")
        self.assertEqual(case.stage_id, self._stage("resolved"))
        self.assertEqual(case.amount_overdue, 0.0)
        self.invoice(self.professional, 500.0, "2025-02-01")  # due 03-03
        self.dun("2025-04-15")
        self.assertEqual(case.stage_id, self._stage("reminded"), "late again: the same case reopens")
        self.assertEqual(len(self.case_of()), 1)
        self.assertEqual((case.oldest_days_late, case.urgency), (43, "warning"))

    def test_new_cases_are_followed_by_their_collector_without_an_email_each(self):
        collector = self.make_user("colin", group="collector")
        collector.email = "colin@example.com"
        self.professional.dunning_responsible_id = collector
        self.invoice(self.professional, 1000.0, "2025-01-01")
        mails_before = self.env["mail.mail"].search_count([("recipient_ids", "in", collector.partner_id.ids)])
        self.dun("2025-02-07", send=False)
        case = self.case_of()
        self.assertEqual(case.user_id, collector)
        self.assertIn(collector.partner_id, case.message_partner_ids, "the collector follows the case")
        self.assertEqual(
            self.env["mail.mail"].search_count([("recipient_ids", "in", collector.partner_id.ids)]),
            mails_before,
            "no 'assigned to you' e-mail for each case a run opens",
        )

    def test_payments_update_the_board_at_once(self):
        first = self.invoice(self.professional, 1000.0, "2025-01-01")  # due 01-31
        second = self.invoice(self.professional, 400.0, "2025-01-15")  # due 02-14
        self.dun("2025-02-20")
        case = self.case_of()
        self.assertEqual((case.amount_overdue, case.late_invoice_count), (1400.0, 2))
        with freeze_time("2025-02-21"):
            self.pay(first, 300.0, "2025-02-21")
        # No run in between: 1400 - 300 = 1100 overdue, still two invoices, the oldest 21 days.
        self.assertRecordValues(
            case, [{"amount_overdue": 1100.0, "amount_due": 1100.0, "late_invoice_count": 2, "oldest_days_late": 21}]
        )
        with freeze_time("2025-02-22"):
            self.pay(first, 700.0, "2025-02-22")
            self.pay(second, 400.0, "2025-02-22")
        self.assertEqual(case.amount_overdue, 0.0)
        self.assertEqual(case.stage_id, self._stage("resolved"), "everything paid: resolved without waiting")
        with freeze_time("2025-02-23"):
            second.line_ids.remove_move_reconcile()
        self.assertEqual(case.stage_id, self._stage("to_remind"), "the payment undone: the case reopens")
        self.assertEqual(case.amount_overdue, 400.0)

    def test_penalties_to_date_of_several_cases_at_once(self):
        first = self.invoice(self.professional, 1000.0, "2025-01-01")  # due 01-31
        second = self.invoice(self.professional, 500.0, "2025-01-10")  # due 02-09
        private = self.invoice(self.consumer, 300.0, "2025-01-01")
        self.dun("2025-03-01", send=False)
        cases = self.case_of() | self.case_of(self.consumer)
        with freeze_time("2025-03-01"):
            cases.invalidate_recordset(["penalties_to_date"])
            professional, consumer = cases.mapped("penalties_to_date")
            per_invoice = [(move.late_interest_amount, move.late_indemnity_amount) for move in first | second]
        # Worked by hand (French B2B: ECB 3.15 % on 1 January 2025 + 10 points = 13.15 %, 365 days):
        # first, due 31 January, 29 days late on 1 March: 1000 x 13.15 % x 29 / 365 = 10.4479 -> 10.45
        # second, due 9 February, 20 days late: 500 x 13.15 % x 20 / 365 = 3.6027 -> 3.60
        # plus the EUR 40 indemnity of each invoice: 10.45 + 3.60 + 80 = 94.05.
        self.assertEqual(per_invoice, [(10.45, 40.0), (3.60, 40.0)])
        self.assertAlmostEqual(professional, 94.05, places=2)
        # A French consumer owes no indemnity, and interest only from a formal notice (Code
        # civil 1231-6), which this run has not sent: nothing yet.
        self.assertEqual(private.late_indemnity_amount, 0.0)
        self.assertAlmostEqual(consumer, 0.0, places=2)

    def test_stage_follows_formal_notice_plan_and_hand_off(self):
        self.policy_pro.allow_level_skip = True
        self.invoice(self.professional, 1000.0, "2025-01-01")
        self.dun("2025-03-17", send=False)  # 45 days: formal notice, waiting for review
        case = self.case_of()
        self.assertEqual(case.stage_id, self._stage("to_remind"))
        with freeze_time("2025-03-17"):
            self.letters(self.professional).action_send()
        self.assertEqual(case.stage_id, self._stage("formal_notice"))
        with freeze_time("2025-03-18"):
            plan = self.env["account.dunning.installment.plan"].browse(case.action_propose_plan()["res_id"])
            plan.write({"first_date": "2025-04-01"})
            plan.action_compute_schedule()
            plan.action_confirm()
        self.assertEqual(case.stage_id, self._stage("plan"))
        plan.action_cancel()
        self.env["res.partner"].create({"name": "Agence Recouvre", "is_collection_agency": True})
        with freeze_time("2025-03-20"):
            handoff = self.env["account.dunning.handoff"].browse(case.action_propose_handoff()["res_id"])
            handoff.action_confirm()
        self.assertEqual(case.stage_id, self._stage("agency"))

    def test_promise_pauses_reminders_then_a_broken_one_resumes_them(self):
        self.invoice(self.professional, 1000.0, "2025-01-01")
        self.dun("2025-02-07")
        case = self.case_of()
        wizard = (
            self.env["account.dunning.call"]
            .with_context(**case.action_record_promise()["context"])
            .create(
                {
                    "promise_date": "2025-02-25",
                    "promise_amount": 1000.0,
                    "note": "Will pay after their own customer pays",
                }
            )
        )
        with freeze_time("2025-02-10"):
            wizard.action_log()
        self.assertEqual(case.stage_id, self._stage("promise"))
        self.assertEqual(str(case.promise_pause_until), "2025-02-27", "promised date + 2 days of grace")
        run = self.dun("2025-02-20")  # the second reminder would be due: paused
        self.assertEqual(len(self.letters(self.professional)), 1)
        self.assertEqual(run.skipped_promise, 1)
        self.dun("2025-02-28")  # pause over, nothing received: broken
        self.assertEqual(case.promise_state, "broken")
        self.assertEqual(case.activity_ids.activity_type_id, self.env.ref("mail.mail_activity_data_call"))
        self.dun("2025-03-01")
        self.assertEqual(self.letters(self.professional)[-1].level_id, self.levels[2], "reminders resume")

    def _break_a_promise_of_6000(self, responsible):
        """A promise of the whole 6,000.00 overdue, for 2025-02-20, that nothing pays."""
        self.invoice(self.professional, 6000.0, "2025-01-01")  # due 01-31
        self.dun("2025-02-07")
        case = self.case_of()
        case.user_id = responsible
        with freeze_time("2025-02-10"):
            case._record_promise(fields.Date.to_date("2025-02-20"), 6000.0)
        self.dun("2025-02-28")  # the pause (02-20 + 2 days of grace) is over, nothing received
        self.assertEqual(case.promise_state, "broken")
        return case

    def test_promise_messages_state_the_amount_in_the_currency(self):
        case = self._break_a_promise_of_6000(self.env.user)
        self.assertEqual(self.env.user.lang, "en_US")
        # en_US: "," groups thousands, "." before the cents, the euro sign after a no-break
        # space (&nbsp; in the HTML bodies); dates as month/day/year.
        promised = case.message_ids.filtered(lambda message: "Promise to pay" in (message.body or ""))
        self.assertEqual(len(promised), 1)
        self.assertIn("Promise to pay 6,000.00&nbsp;€ by 02/20/2025.", promised.body)
        activity = case.activity_ids
        self.assertEqual(activity.user_id, self.env.user)
        self.assertIn("6,000.00&nbsp;€ was promised for 02/20/2025 and has not been received", activity.note)
        self.assertNotIn("6000.0", activity.note)

    def test_broken_promise_is_told_in_the_collectors_language(self):
        collector = self.make_user("colette")
        collector.lang = "fr_FR"
        case = self._break_a_promise_of_6000(collector)
        # fr_FR: a no-break space groups thousands, "," before the cents, the euro sign after
        # a no-break space (&nbsp; in the HTML note); dates as day/month/year.
        activity = case.activity_ids
        self.assertEqual(activity.user_id, collector)
        self.assertIn("Le paiement de 6&nbsp;000,00&nbsp;€ promis pour le 20/02/2025", activity.note)

    def test_kept_promise(self):
        invoice = self.invoice(self.professional, 1000.0, "2025-01-01")
        self.dun("2025-02-07")
        case = self.case_of()
        with freeze_time("2025-02-10"):
            case._record_promise(self.env.cr.now().date().replace(year=2025, month=2, day=20), 400.0)
        self.pay(invoice, 400.0, "2025-02-19")
        self.dun("2025-02-23")
        self.assertEqual(case.promise_state, "kept")

    def test_promise_kept_by_paying_everything_before_the_date(self):
        invoice = self.invoice(self.professional, 1000.0, "2025-01-01")
        self.dun("2025-02-07")
        case = self.case_of()
        with freeze_time("2025-02-10"):
            case._record_promise(self.env.cr.now().date().replace(year=2025, month=2, day=20), 400.0)
        # Paid in full before the promised date: nothing is overdue, the case is resolved and
        # the promise (400 of the 1000 overdue) is kept, not left pending without its pause.
        self.pay(invoice, 1000.0, "2025-02-15")
        self.dun("2025-02-16")
        self.assertEqual(case.stage_id, self._stage("resolved"))
        self.assertEqual(case.promise_state, "kept")
        self.assertFalse(case.promise_pause_until)
        # Late again: the case reopens and the old promise does not get in the way.
        self.invoice(self.professional, 300.0, "2025-02-01")  # due 2025-03-03
        self.dun("2025-03-10")
        self.assertNotEqual(case.stage_id, self._stage("resolved"))
        self.assertEqual(case.amount_overdue, 300.0)
        self.assertEqual(case.promise_state, "kept")

    def test_logging_a_call_from_the_card(self):
        self.invoice(self.professional, 1000.0, "2025-01-01")
        self.dun("2025-02-07")
        case = self.case_of()
        self.env["account.dunning.call"].create(
            {
                "case_id": case.id,
                "outcome": "dispute",
                "note": "Says the delivery was incomplete",
                "next_action_date": "2025-02-14",
                "next_action": "Check the delivery note",
            }
        ).action_log()
        self.assertIn("Disputes the invoice", case.message_ids[0].body)
        self.assertIn("delivery was incomplete", case.message_ids[0].body)
        self.assertEqual(str(case.next_action_date), "2025-02-14")
        self.assertEqual(case.late_cause_id, self.env.ref("account_dunning.late_cause_dispute"))

    def test_board_column_totals(self):
        self.invoice(self.professional, 1000.0, "2025-01-01")
        self.invoice(self.consumer, 250.0, "2025-01-01")
        self.dun("2025-02-07")
        groups = self.env["account.dunning.case"]._read_group(
            [("company_id", "=", self.company.id)], ["stage_id"], ["amount_overdue:sum", "__count"]
        )
        totals = {stage.code: (amount, count) for stage, amount, count in groups}
        self.assertEqual(totals["reminded"], (1250.0, 2))
        # Every stage is a column, even empty ones (the kanban asks with read_group_expand).
        board = (
            self.env["account.dunning.case"]
            .with_context(read_group_expand=True)
            .web_read_group([("company_id", "=", self.company.id)], ["stage_id"], ["amount_overdue:sum"])
        )
        self.assertEqual(len(board["groups"]), len(self.env["account.dunning.stage"].search([])))

    def test_collectors_see_their_companies_only(self):
        self.invoice(self.professional, 1000.0, "2025-01-01")
        self.dun("2025-02-07")
        other = self.setup_other_company(name="Autre Société")["company"]
        collector = self.make_user("odile", company=other)
        self.assertFalse(
            self.env["account.dunning.case"]
            .with_user(collector)
            .search([])
            .filtered(lambda case: case.company_id == self.company)
        )
        mine = self.make_user("marc")
        case = self.case_of().with_user(mine)
        case.next_action = "Call on Monday"
        self.assertEqual(case.next_action, "Call on Monday")

    def test_aged_receivables_by_bucket(self):
        # The analysis ages against the database's today: dates relative to it.
        today = fields.Date.today()
        self.invoice(self.professional, 100.0, today - timedelta(days=20))  # due in 10 days: not due
        self.invoice(self.professional, 200.0, today - timedelta(days=45))  # 15 days late
        self.invoice(self.professional, 300.0, today - timedelta(days=100))  # 70 days late
        self.invoice(self.consumer, 400.0, today - timedelta(days=140))  # 110 days late
        self.env.flush_all()
        rows = self.env["account.dunning.aging"]._read_group(
            [("company_id", "=", self.company.id)], ["bucket"], ["amount:sum"]
        )
        self.assertEqual(dict(rows), {"not_due": 100.0, "1_30": 200.0, "61_90": 300.0, "over_90": 400.0})
        by_customer = dict(
            self.env["account.dunning.aging"]._read_group(
                [("company_id", "=", self.company.id)], ["partner_id"], ["amount:sum"]
            )
        )
        self.assertEqual(by_customer[self.professional], 600.0)
