from odoo.exceptions import UserError, ValidationError
from odoo.fields import Command
from odoo.tests import freeze_time, tagged

from .common import DunningCommon


@tagged("post_install", "-at_install")
class TestInstallmentPlan(DunningCommon):
    """A plan stops the wrong reminders, tracks each installment, and breaks loudly."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.first = cls.invoice(cls.professional, 600.0, "2025-01-01")  # due 01-31
        cls.second = cls.invoice(cls.professional, 300.0, "2025-01-05")  # due 02-04

    def _plan(self, count=3, first_date="2025-03-01", **vals):
        with freeze_time("2025-02-20"):
            action = self.professional.action_propose_installment_plan()
            plan = self.env["account.dunning.installment.plan"].browse(action["res_id"])
            plan.write({"installment_count": count, "first_date": first_date, **vals})
            plan.action_compute_schedule()
        return plan

    def _confirm(self, plan, on="2025-02-20"):
        with freeze_time(on):
            plan.action_confirm()

    def _follow(self, plan, on):
        with freeze_time(on):
            plan.invalidate_recordset()
            plan.line_ids.invalidate_recordset()
            plan._follow()

    def test_proposal_covers_the_overdue_receivables(self):
        plan = self._plan()
        self.assertEqual(plan.move_line_ids.move_id, self.first | self.second)
        self.assertEqual(plan.amount_covered, 900.0)
        self.assertEqual(plan.line_ids.mapped("amount"), [300.0, 300.0, 300.0])
        self.assertEqual(
            [str(day) for day in plan.line_ids.mapped("date_due")], ["2025-03-01", "2025-04-01", "2025-05-01"]
        )

    def test_dunning_skips_covered_lines_and_resumes_after_a_break(self):
        self.dun("2025-02-07")  # first reminder for the first invoice
        plan = self._plan()
        self._confirm(plan)
        run = self.dun("2025-02-24")
        self.assertEqual(len(self.letters(self.professional)), 1, "nothing reminded while the plan runs")
        self.assertEqual(run.skipped_plan, 2)
        # Nothing paid on 03-01: with 7 days of tolerance the plan holds on 03-08, breaks on 03-09.
        self._follow(plan, "2025-03-08")
        self.assertEqual(plan.state, "active")
        self._follow(plan, "2025-03-09")
        self.assertEqual(plan.state, "broken")
        self.assertEqual(plan.activity_ids.user_id, plan.user_id)
        # The first of three installments of 900 / 3 = 300.00, due 03-01, written in en_US
        # (the no-break space before the euro sign is &nbsp; in the HTML body).
        self.assertIn(
            "the installment of 03/01/2025 (300.00&nbsp;€) is still unpaid after 7 days",
            plan.message_ids[0].body,
        )
        self.assertFalse(plan.move_line_ids.dunning_plan_id, "lines released")
        self.dun("2025-03-10")
        letter = self.letters(self.professional)[-1]
        levels = {line.move_id: line.level_id for line in letter.line_ids}
        self.assertEqual(levels[self.first], self.levels[2], "resumes after the first reminder it had")
        self.assertEqual(levels[self.second], self.levels[1])

    def test_partial_payments_fill_installments_in_due_order(self):
        plan = self._plan()
        self._confirm(plan)
        self.pay(self.first, 450.0, "2025-03-01")
        with freeze_time("2025-03-02"):
            plan.line_ids.invalidate_recordset()
            self.assertEqual(plan.line_ids.mapped("amount_paid"), [300.0, 150.0, 0.0])
            self.assertEqual(plan.line_ids.mapped("state"), ["paid", "partial", "due"])
            self.assertEqual(plan.amount_remaining, 450.0)
            self.assertEqual(plan.next_amount, 150.0)
        with freeze_time("2025-04-02"):
            plan.line_ids.invalidate_recordset()
            self.assertEqual(plan.line_ids.mapped("state"), ["paid", "late", "due"])

    def test_early_full_payment_completes_the_plan(self):
        plan = self._plan()
        self._confirm(plan)
        self.pay(self.first, 600.0, "2025-03-01")
        self.pay(self.second, 300.0, "2025-03-01")
        self._follow(plan, "2025-03-02")
        self.assertEqual(plan.state, "completed")
        self.assertEqual(plan.amount_remaining, 0.0)

    def test_reminder_before_each_installment(self):
        plan = self._plan()
        self._confirm(plan)
        messages = plan.message_ids
        self._follow(plan, "2025-02-25")
        self.assertEqual(plan.message_ids, messages, "4 days before: too early")
        self._follow(plan, "2025-02-26")
        reminder = plan.message_ids - messages
        self.assertEqual(len(reminder), 1)
        self.assertIn("300.00", reminder.body)
        self.assertTrue(plan.line_ids[0].reminded)
        self._follow(plan, "2025-02-27")
        self.assertEqual(len(plan.message_ids - messages), 1, "once per installment")

    def test_cancelling_releases_the_lines(self):
        plan = self._plan()
        self._confirm(plan)
        self.assertEqual(plan.move_line_ids.dunning_plan_id, plan)
        plan.action_cancel()
        self.assertEqual(plan.state, "cancelled")
        self.assertFalse(plan.move_line_ids.dunning_plan_id)
        self.dun("2025-02-24")
        self.assertTrue(self.letters(self.professional))

    def test_waived_penalties_while_kept_apply_in_full_after_a_break(self):
        plan = self._plan()
        self._confirm(plan)
        with freeze_time("2025-03-05"):
            self.first.invalidate_recordset(["late_interest_amount", "late_indemnity_amount"])
            self.assertEqual((self.first.late_interest_amount, self.first.late_indemnity_amount), (0.0, 0.0))
        self._follow(plan, "2025-03-09")
        with freeze_time("2025-03-09"):
            self.first.invalidate_recordset(["late_interest_amount", "late_indemnity_amount"])
            # 02-01..03-09 = 37 days on 600 at 13.15 %: 600 x .1315 x 37 / 365 = 7.998 -> 8.00
            self.assertEqual((self.first.late_interest_amount, self.first.late_indemnity_amount), (8.0, 40.0))

    def test_frozen_penalties_are_invoiced_into_the_plan(self):
        plan = self._plan(penalty_mode="freeze")
        self._confirm(plan)
        penalty = plan.penalty_invoice_id
        # 600 x .1315 x 20 / 365 = 4.3233 and 300 x .1315 x 16 / 365 = 1.7293: 4.32 + 1.73 + 2 x 40
        self.assertEqual(penalty.amount_total, 86.05)
        self.assertEqual(plan.amount_total, 986.05)
        self.assertIn(penalty, plan.move_line_ids.move_id)

    def test_bad_schedules_are_refused(self):
        plan = self._plan()
        plan.line_ids[0].amount = 250.0
        # 250 + 300 + 300 = 850 against the 600 + 300 = 900 covered.
        with self.assertRefused(ValidationError, "must be equal") as refused:
            self._confirm(plan)
        self.assertIn(
            "add up to 850.00\N{NO-BREAK SPACE}€ but the receivables covered owe 900.00\N{NO-BREAK SPACE}€",
            str(refused.exception),
        )
        plan.action_compute_schedule()
        with self.assertRefused(ValidationError, "in the past"):
            self._confirm(plan, on="2025-03-15")
        self.assertEqual(plan.state, "draft")
        with self.assertRefused(UserError, "down payment"):
            plan.write({"down_payment_amount": 900.0})
            plan.action_compute_schedule()

    def test_only_a_manager_exceeds_24_months(self):
        collector = self.make_user("claire")
        plan = self._plan(count=30).with_user(collector)
        # 30 monthly installments from 2025-03-01 end on 2027-08-01: 30 started months from 2025-02-20
        with self.assertRefused(ValidationError, "over 30 months"):
            self._confirm(plan)
        with self.assertRefused(ValidationError, "Only a dunning manager"):
            plan.allow_long_plan = True
        plan.sudo(False).with_user(self.env.user).allow_long_plan = True
        self._confirm(plan)
        self.assertEqual(plan.state, "active")

    def test_agreement_letter_renders_the_schedule(self):
        plan = self._plan()
        html = self.env["ir.actions.report"]._render_qweb_html("account_dunning.report_installment_plan", plan.ids)[0]
        self.assertIn(b"Installment plan agreement", html)
        self.assertIn(self.first.name.encode(), html)
        self.assertIn(b"If an installment is missed", html)
        self.assertEqual(html.count(b"300.00"), 3 + 1, "three installments and the second invoice's amount")

    def test_plans_are_invisible_to_other_companies(self):
        plan = self._plan()
        other = self.setup_other_company(name="Elsewhere SA")["company"]
        user = self.make_user("elsewhere", "manager", company=other)
        self.assertFalse(self.env["account.dunning.installment.plan"].with_user(user).search([("id", "=", plan.id)]))

    def test_portal_customer_sees_own_plan_only(self):
        plan = self._plan()
        self._confirm(plan)
        portal_user = self.env["res.users"].create(
            {
                "name": "Boulangère",
                "login": "boulangere",
                "partner_id": self.env["res.partner"]
                .create({"name": "Boulangère", "parent_id": self.professional.id, "email": "b@example.com"})
                .id,
                "group_ids": [Command.set(self.env.ref("base.group_portal").ids)],
            }
        )
        other = self.env["res.partner"].create({"name": "Stranger SARL", "is_company": True})
        self.invoice(other, 100.0, "2025-01-01")
        with freeze_time("2025-02-20"):
            stranger_plan = self.env["account.dunning.installment.plan"].browse(
                other.action_propose_installment_plan()["res_id"]
            )
            stranger_plan.write({"first_date": "2025-03-01"})
            stranger_plan.action_compute_schedule()
            stranger_plan.action_confirm()
        visible = self.env["account.dunning.installment.plan"].with_user(portal_user).search([])
        self.assertEqual(visible, plan)
        with freeze_time("2025-02-21"):
            html = self.env["ir.qweb"]._render("account_dunning.portal_installment_plan_card", {"plan": plan.sudo()})
        self.assertIn("Next installment", str(html))
        self.assertIn("300.00", str(html))
