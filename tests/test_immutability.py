from odoo.exceptions import UserError
from odoo.fields import Command
from odoo.tests import Form, freeze_time, tagged

from odoo.addons.account_dunning.models.record_lock import CONTEXT_KEY

from .common import DunningCommon
from .test_handoff import HandoffCommon

STATE_REFUSED = "changes only through its actions"
CONTENT_REFUSED = "it records what the customer received"
LINES_REFUSED = "its lines record what the customer received"
INSTALLMENTS_REFUSED = "Change their dates or amounts with Reschedule"
HANDOFF_REFUSED = "their amounts are frozen"


class RolesMixin:
    """The same refusal for a collector, a dunning manager and the superuser."""

    def roles(self, record):
        return {
            "collector": record.with_user(self.collector),
            "manager": record.with_user(self.manager),
            "sudo": record.sudo(),
        }


@tagged("post_install", "-at_install")
class TestSentLetterStaysAsSent(RolesMixin, DunningCommon):
    """A sent letter is what the customer received: like a posted entry, nothing rewrites it."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.late = cls.invoice(cls.professional, 1200.0, "2025-01-01")  # due 2025-01-31
        cls.collector = cls.make_user(cls, "imm_collector")
        cls.manager = cls.make_user(cls, "imm_manager", group="manager")

    def _sent_letter(self):
        self.dun("2025-02-07")
        letter = self.letters(self.professional)
        self.assertEqual(letter.state, "sent")
        return letter

    def test_the_state_of_a_letter_moves_only_through_its_actions(self):
        letter = self._sent_letter()
        for role, as_role in self.roles(letter).items():
            for state in ("draft", "cancelled", "failed", "to_send"):
                with self.subTest(role=role, state=state), self.assertRefused(UserError, STATE_REFUSED):
                    as_role.write({"state": state})
        self.assertEqual(letter.state, "sent")
        # A draft, too, is not pushed to 'sent' by hand: only sending does that.
        draft = self.env["account.dunning.letter"].create(
            {"partner_id": self.consumer.id, "level_id": self.levels[1].id, "date": "2025-02-07"}
        )
        with self.assertRefused(UserError, STATE_REFUSED):
            draft.with_user(self.manager).write({"state": "sent"})
        with self.assertRefused(UserError, "created as a draft or ready to send"):
            self.env["account.dunning.letter"].sudo().create(
                {"partner_id": self.consumer.id, "level_id": self.levels[1].id, "date": "2025-02-08", "state": "sent"}
            )
        self.assertEqual(draft.state, "draft")

    def test_a_forged_context_does_not_unlock_a_letter(self):
        """The key the methods use is a Python object: a context sent over RPC (JSON) cannot hold it."""
        letter = self._sent_letter()
        for forged in (True, 1, "1", "internal"):
            with self.subTest(forged=forged), self.assertRefused(UserError, STATE_REFUSED):
                letter.sudo().with_context(**{CONTEXT_KEY: forged}).write({"state": "draft"})
        self.assertEqual(letter.state, "sent")

    def test_the_content_of_a_sent_letter_cannot_change(self):
        letter = self._sent_letter()
        content = ["date", "level_id", "partner_id", "recipient_id", "amount_due", "credit_amount", "pdf_attachment_id"]
        before = letter.read(content)
        other_address = self.env["res.partner"].create(
            {"name": "Elsewhere", "parent_id": self.professional.id, "type": "invoice"}
        )
        changes = [
            {"date": "2025-02-01"},
            {"level_id": self.levels[2].id},
            {"partner_id": self.consumer.id},
            {"recipient_id": other_address.id},
            {"credit_amount": 100.0},
            {"amount_due": 1.0},
            {"pdf_attachment_id": False},
            {"channel": "letter"},
            {"line_ids": [Command.update(letter.line_ids.id, {"amount_due": 1.0})]},
            {"line_ids": [Command.clear()]},
        ]
        for role, as_role in self.roles(letter).items():
            for vals in changes:
                with self.subTest(role=role, vals=vals), self.assertRefused(UserError, CONTENT_REFUSED):
                    as_role.write(vals)
        self.assertEqual(letter.read(content), before)
        self.assertEqual(letter.line_ids.amount_due, 1200.0)

    def test_the_lines_of_a_sent_letter_cannot_change(self):
        letter = self._sent_letter()
        line = letter.line_ids
        other = self.invoice(self.professional, 300.0, "2025-01-02").line_ids.filtered(
            lambda aml: aml.account_type == "asset_receivable"
        )
        for role, as_role in self.roles(line).items():
            for vals in ({"amount_due": 1.0}, {"interest_amount": 99.0}, {"date_maturity": "2025-02-06"}):
                with self.subTest(role=role, vals=vals), self.assertRefused(UserError, LINES_REFUSED):
                    as_role.write(vals)
            with self.subTest(role=role, op="create"), self.assertRefused(UserError, LINES_REFUSED):
                as_role.create(
                    {
                        "letter_id": letter.id,
                        "move_line_id": other.id,
                        "level_id": self.levels[1].id,
                        "date_maturity": other.date_maturity,
                        "amount_due": 300.0,
                    }
                )
            with self.subTest(role=role, op="unlink"), self.assertRefused(UserError, "its lines cannot be removed"):
                as_role.unlink()
        # A line of a draft letter cannot be moved into a sent one either.
        draft = self.env["account.dunning.letter"].create(
            {
                "partner_id": self.consumer.id,
                "level_id": self.levels[1].id,
                "date": "2025-02-09",
                "line_ids": [
                    Command.create(
                        {
                            "move_line_id": other.id,
                            "level_id": self.levels[1].id,
                            "date_maturity": other.date_maturity,
                            "amount_due": 300.0,
                        }
                    )
                ],
            }
        )
        with self.assertRefused(UserError, LINES_REFUSED):
            draft.line_ids.with_user(self.manager).write({"letter_id": letter.id})
        self.assertEqual(line.amount_due, 1200.0)
        self.assertEqual(letter.line_ids, line)

    def test_a_sent_letter_cannot_be_reset_then_deleted(self):
        """The way round the delete guard (reset to draft, then delete) is closed for every role."""
        letter = self._sent_letter()
        for role, as_role in self.roles(letter).items():
            with self.subTest(role=role), self.assertRefused(UserError, STATE_REFUSED):
                as_role.write({"state": "draft"})
            as_role.action_reset_to_draft()  # only for cancelled or failed letters: nothing happens
            self.assertEqual(letter.state, "sent")
        for as_role in (letter.with_user(self.manager), letter.sudo()):
            with self.assertRefused(UserError, "cannot be deleted"):
                as_role.unlink()
        self.assertTrue(letter.exists())
        self.assertEqual(letter.state, "sent")

    def test_what_may_follow_a_sent_letter(self):
        """The chatter, activities, the collector following up and the printing mark stay
        open; a bounced e-mail still turns the letter 'failed' (through its method)."""
        letter = self._sent_letter()
        as_collector = letter.with_user(self.collector)
        as_collector.message_post(body="Customer called back: pays Friday.")
        as_collector.activity_schedule("mail.mail_activity_data_todo", summary="Check payment")
        as_collector.write({"user_id": self.collector.id})
        letter.with_user(self.manager).write({"is_printed": True})
        self.assertEqual(letter.user_id, self.collector)
        self.assertTrue(letter.is_printed)
        self.assertEqual(letter.activity_ids.summary, "Check payment")
        self.assertEqual(letter.state, "sent")
        with self.assertRefused(UserError, STATE_REFUSED):
            letter.write({"state": "failed", "failure_reason": "typed by hand"})
        # What a mail server's refusal does (mail.mail._postprocess_sent_message).
        letter.sudo()._mark_failed("550 mailbox unknown")
        self.assertEqual((letter.state, letter.failure_reason), ("failed", "550 mailbox unknown"))
        letter.with_user(self.collector).action_reset_to_draft()
        self.assertEqual(letter.state, "draft")

    def test_drafts_are_reviewed_confirmed_cancelled_and_sent(self):
        """Before sending, a letter is a draft to review: edited, confirmed, cancelled, sent."""
        second = self.professional.copy({"name": "Second SARL"})
        self.invoice(second, 500.0, "2025-01-01")
        self.dun("2025-02-07", send=False)
        letter = self.letters(self.professional)
        other = self.letters(second)
        self.assertEqual((letter.state, other.state), ("to_send", "to_send"))
        # Review: the collector corrects a line and the channel of a letter still to send.
        letter.line_ids.with_user(self.collector).write({"amount_due": 1100.0})
        letter.with_user(self.collector).write({"channel": "email"})
        self.assertEqual(letter.amount_due, 1100.0)
        with self.assertRefused(UserError, STATE_REFUSED):
            other.with_user(self.collector).write({"state": "cancelled"})
        other.with_user(self.collector).action_cancel()
        self.assertEqual(other.state, "cancelled")
        other.with_user(self.collector).action_reset_to_draft()
        other.with_user(self.collector).action_confirm()
        self.assertEqual(other.state, "to_send")
        (letter | other).with_user(self.collector).action_send()
        # Sending re-checks every line: what is still due (1,200.00) replaces the edit.
        self.assertEqual((letter | other).mapped("state"), ["sent", "sent"])
        self.assertEqual(letter.amount_due, 1200.0)
        self.assertTrue(letter.pdf_attachment_id)
        with self.assertRefused(UserError, CONTENT_REFUSED):
            letter.with_user(self.collector).write({"channel": "letter"})

    def test_penalties_are_invoiced_from_a_sent_letter(self):
        """The penalty wizard opened on a sent letter invoices its penalties; the letter stays as sent."""
        letter = self._sent_letter()
        before = (letter.amount_due, letter.interest_amount, letter.line_ids.amount_due)
        with freeze_time("2025-03-02"):
            wizard = (
                self.env["account.dunning.penalty.invoice"]
                .with_user(self.manager)
                .with_context(active_model="account.dunning.letter", active_ids=letter.ids)
                .create({"date": "2025-03-02", "post": True})
            )
            self.assertEqual(wizard.move_ids, self.late)
            action = wizard.action_create_invoices()
        invoice = self.env["account.move"].browse(action["res_id"])
        # 02-01..03-02 = 30 days at 13.15 %: 1200 x .1315 x 30 / 365 = 12.9699 -> 12.97, plus the 40.00 indemnity
        self.assertEqual(invoice.amount_total, 52.97)
        self.assertEqual(invoice.state, "posted")
        self.assertEqual((letter.amount_due, letter.interest_amount, letter.line_ids.amount_due), before)
        with self.assertRefused(UserError, CONTENT_REFUSED):
            letter.with_user(self.manager).write({"indemnity_amount": 40.0})


class PlanCommon(RolesMixin, DunningCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.first = cls.invoice(cls.professional, 600.0, "2025-01-01")  # due 01-31
        cls.second = cls.invoice(cls.professional, 300.0, "2025-01-05")  # due 02-04
        cls.collector = cls.make_user(cls, "imm_plan_collector")
        cls.manager = cls.make_user(cls, "imm_plan_manager", group="manager")

    def _active_plan(self):
        """900.00 in three installments of 300.00 on 03-01, 04-01, 05-01, confirmed 02-20."""
        with freeze_time("2025-02-20"):
            action = self.professional.action_propose_installment_plan()
            plan = self.env["account.dunning.installment.plan"].browse(action["res_id"])
            plan.write({"installment_count": 3, "first_date": "2025-03-01"})
            plan.action_compute_schedule()
            plan.action_confirm()
        self.assertEqual(plan.state, "active")
        return plan

    def schedule(self, plan):
        plan.line_ids.invalidate_recordset()
        return [(str(line.date_due), line.amount) for line in plan.line_ids]


@tagged("post_install", "-at_install")
class TestConfirmedPlanInstallments(PlanCommon):
    """A confirmed plan's installments are what the customer agreed to: changed only by
    Reschedule, which logs old and new."""

    AGREED = [("2025-03-01", 300.0), ("2025-04-01", 300.0), ("2025-05-01", 300.0)]

    def test_installments_of_a_confirmed_plan_cannot_be_edited(self):
        plan = self._active_plan()
        line = plan.line_ids[1]
        for role, as_role in self.roles(line).items():
            for vals in ({"amount": 100.0}, {"date_due": "2025-06-01"}, {"is_down_payment": True}):
                with self.subTest(role=role, vals=vals), self.assertRefused(UserError, INSTALLMENTS_REFUSED):
                    as_role.write(vals)
            with self.subTest(role=role, op="create"), self.assertRefused(UserError, INSTALLMENTS_REFUSED):
                as_role.create({"plan_id": plan.id, "date_due": "2025-06-01", "amount": 10.0})
            with self.subTest(role=role, op="unlink"), self.assertRefused(UserError, INSTALLMENTS_REFUSED):
                as_role.unlink()
        with self.assertRefused(UserError, INSTALLMENTS_REFUSED):
            plan.with_user(self.collector).write({"line_ids": [Command.update(line.id, {"amount": 1.0})]})
        self.assertEqual(self.schedule(plan), self.AGREED)

    def test_the_terms_of_a_confirmed_plan_cannot_change(self):
        plan = self._active_plan()
        covered = plan.move_line_ids
        other = self.invoice(self.professional, 50.0, "2025-01-02").line_ids.filtered(
            lambda aml: aml.account_type == "asset_receivable"
        )
        changes = [
            {"move_line_ids": [Command.link(other.id)]},
            {"move_line_ids": [Command.unlink(covered[0].id)]},
            {"tolerance_days": 60},
            {"penalty_mode": "run"},
            {"installment_count": 12},
            {"partner_id": self.consumer.id},
        ]
        for role, as_role in self.roles(plan).items():
            for vals in changes:
                with self.subTest(role=role, vals=vals), self.assertRefused(UserError, "what the customer agreed to"):
                    as_role.write(vals)
        self.assertEqual(plan.move_line_ids, covered)
        self.assertEqual((plan.tolerance_days, plan.penalty_mode, plan.partner_id), (7, "waive", self.professional))
        # The follow-up stays the collector's: who, when to remind, notes.
        plan.with_user(self.collector).write(
            {"user_id": self.collector.id, "reminder_days": 5, "note": "<p>Calls on Mondays</p>"}
        )
        self.assertEqual((plan.user_id, plan.reminder_days), (self.collector, 5))

    def test_reschedule_changes_dates_and_amounts_and_logs_them(self):
        plan = self._active_plan()
        messages = plan.message_ids
        with freeze_time("2025-03-10"):
            action = plan.with_user(self.collector).action_reschedule()
            wizard_form = Form(
                self.env[action["res_model"]].with_user(self.collector).with_context(**action["context"])
            )
            with wizard_form.line_ids.edit(1) as row:
                row.date_due = "2025-04-15"
                row.amount = 200.0
            with wizard_form.line_ids.edit(2) as row:
                row.amount = 400.0
            wizard_form.save().action_apply()
        # 300 + 200 + 400 = 900: the customer still owes the total agreed.
        self.assertEqual(self.schedule(plan), [("2025-03-01", 300.0), ("2025-04-15", 200.0), ("2025-05-01", 400.0)])
        log = plan.message_ids - messages
        self.assertEqual(len(log), 1)
        body = log.body
        self.assertRegex(body, r"Installment of 2025-04-01, [^:]*300\.00[^:]*: now 2025-04-15, [^<]*200\.00")
        self.assertRegex(body, r"Installment of 2025-05-01, [^:]*300\.00[^:]*: now 2025-05-01, [^<]*400\.00")
        self.assertNotIn("2025-03-01", body, "an installment left as it was is not logged")

    def test_reschedule_refusals_change_nothing(self):
        plan = self._active_plan()
        first, second, third = plan.line_ids
        self.pay(self.first, 300.0, "2025-03-01")  # pays the first installment
        refusals = [
            ({second: {"amount": 250.0}}, "would add up to"),
            ({second: {"date_due": "2025-03-05"}}, "dated in the past"),
            ({first: {"date_due": "2025-06-01"}}, "is paid: it stays as it is"),
            ({second: {"amount": -100.0}, third: {"amount": 700.0}}, "positive amount"),
            ({third: {"date_due": "2027-05-01"}}, "over 24 months, a dunning manager must allow it"),
            ({second: {"date_due": second.date_due}}, "Nothing to reschedule"),
        ]
        messages = plan.message_ids
        with freeze_time("2025-03-10"):
            for changes, reason in refusals:
                with self.subTest(reason=reason), self.assertRefused(UserError, reason):
                    plan.with_user(self.collector)._amend_installments(changes)
            other = self._other_plan()
            with self.assertRefused(UserError, "Only the installments of"):
                plan._amend_installments({other.line_ids[0]: {"amount": 1.0}})
        self.assertEqual(self.schedule(plan), self.AGREED)
        self.assertEqual(plan.message_ids, messages)
        draft = self.env["account.dunning.installment.plan"].create(
            {"partner_id": self.consumer.id, "line_ids": [Command.create({"date_due": "2025-04-01", "amount": 5.0})]}
        )
        with self.assertRefused(UserError, "Only an active plan can be rescheduled"):
            draft.action_reschedule()

    def _other_plan(self):
        return self.env["account.dunning.installment.plan"].create(
            {"partner_id": self.consumer.id, "line_ids": [Command.create({"date_due": "2025-04-01", "amount": 5.0})]}
        )

    def test_payments_and_reminders_are_still_tracked(self):
        """Payments fill the installments and the daily follow-up marks the reminders sent,
        while the agreed amounts stay locked."""
        plan = self._active_plan()
        self.pay(self.first, 450.0, "2025-03-01")
        with freeze_time("2025-03-29"):
            plan.invalidate_recordset()
            plan.line_ids.invalidate_recordset()
            plan._follow()  # 04-01 is 3 days away: the customer is reminded of the second installment
            self.assertEqual(plan.line_ids.mapped("amount_paid"), [300.0, 150.0, 0.0])
            self.assertEqual(plan.line_ids.mapped("reminded"), [False, True, False])
            with self.assertRefused(UserError, INSTALLMENTS_REFUSED):
                plan.line_ids[1].write({"amount": 150.0})
        self.pay(self.first, 150.0, "2025-04-01")
        self.pay(self.second, 300.0, "2025-04-01")
        with freeze_time("2025-04-02"):
            plan._follow()
        self.assertEqual(plan.state, "completed")
        self.assertEqual(self.schedule(plan), self.AGREED)


@tagged("post_install", "-at_install")
class TestConfirmedHandoffLines(RolesMixin, HandoffCommon):
    """The receivables handed to an agency keep the amounts it received; recoveries go
    through Record recoveries, Write off and Close."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.collector = cls.make_user(cls, "imm_handoff_collector")
        cls.manager = cls.make_user(cls, "imm_handoff_manager", group="manager")

    def test_lines_of_a_confirmed_hand_off_cannot_be_edited(self):
        handoff = self._handoff()
        line = handoff.line_ids
        frozen = line.read(["principal", "interest", "indemnity", "total", "recovered", "move_line_id"])
        other = self.invoice(self.professional, 50.0, "2025-03-01").line_ids.filtered(
            lambda aml: aml.account_type == "asset_receivable"
        )
        changes = [
            {"principal": 1.0},
            {"interest": 0.0},
            {"indemnity": 0.0},
            {"recovered": 1265.94},
            {"written_off": 1200.0},
            {"move_line_id": other.id},
        ]
        for role, as_role in self.roles(line).items():
            for vals in changes:
                with self.subTest(role=role, vals=vals), self.assertRefused(UserError, HANDOFF_REFUSED):
                    as_role.write(vals)
        self.assertEqual(line.read(list(frozen[0])), frozen)

    def test_recoveries_go_through_the_hand_off(self):
        handoff = self._handoff()
        line = handoff.line_ids
        line.with_user(self.manager).write({"to_record": 400.0})
        with self.assertRefused(UserError, HANDOFF_REFUSED):
            line.with_user(self.manager).write({"to_record": 400.0, "recovered": 400.0})
        handoff.with_user(self.manager).action_record_recoveries(on_date="2025-07-01")
        self.assertRecordValues(line, [{"recovered": 400.0, "recovered_principal": 400.0, "to_record": 0.0}])
        handoff.with_user(self.manager).action_write_off(on_date="2025-09-01")
        # 1,200.00 handed over, 400.00 recovered: 800.00 of principal written off.
        self.assertRecordValues(line, [{"written_off": 800.0, "principal": 1200.0}])
        self.assertEqual(handoff.state, "closed")
        with self.assertRefused(UserError, "recoveries are entered while the agency works on the receivables"):
            line.with_user(self.manager).write({"to_record": 10.0})
        with self.assertRefused(UserError, HANDOFF_REFUSED):
            line.sudo().write({"written_off": 0.0})
        self.assertEqual(line.written_off, 800.0)


@tagged("post_install", "-at_install")
class TestRefusalsInFrench(PlanCommon):
    """Each refusal reads in the user's language."""

    def test_refusals_are_translated(self):
        self.dun("2025-02-07")
        letter = self.letters(self.professional).with_context(lang="fr_FR")
        self.assertEqual(letter.state, "sent")
        with self.assertRefused(UserError, "L'état d'une lettre ne change que par ses actions"):
            letter.write({"state": "draft"})
        with self.assertRefused(UserError, "elle atteste ce que le client a reçu"):
            letter.write({"date": "2025-02-01"})
        with self.assertRefused(UserError, "ses lignes attestent ce que le client a reçu"):
            letter.line_ids[:1].write({"amount_due": 1.0})
        plan = self._active_plan().with_context(lang="fr_FR")
        with self.assertRefused(UserError, "Modifiez leurs dates ou montants avec Rééchelonner"):
            plan.line_ids[0].write({"amount": 1.0})
        with freeze_time("2025-03-10"), self.assertRefused(UserError, "Rien à rééchelonner"):
            plan._amend_installments({plan.line_ids[0]: {"amount": 300.0}})
