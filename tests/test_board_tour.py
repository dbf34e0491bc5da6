from datetime import timedelta

from odoo import fields
from odoo.fields import Command
from odoo.tests import HttpCase, new_test_user, tagged

from .common import DunningCommon


@tagged("post_install", "-at_install")
class TestBoardTour(DunningCommon, HttpCase):
    """A collector works the collections board in a real browser (headless Chromium): the
    tour static/tests/tours/account_dunning_board_tour.js, then what the server recorded."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        # The browser works on the real today: the invoices are dated relative to it.
        cls.today = fields.Date.today()
        cls.collector = new_test_user(
            cls.env,
            "colette",
            groups="account_dunning.group_dunning_collector",
            name="Colette Collector",
            company_id=cls.company.id,
            company_ids=[Command.set(cls.company.ids)],
            lang="en_US",
            tz="UTC",
        )
        Partner = cls.env["res.partner"]
        cls.boulangerie = Partner.create({"name": "Boulangerie Tour SARL", "is_company": True})
        cls.cafe = Partner.create({"name": "Café des Arts SAS", "is_company": True})
        cls.garage = Partner.create({"name": "Garage Martin SARL", "is_company": True})
        # 30-day terms: invoiced 70, 40 and 100 days ago, due 40, 10 and 70 days ago.
        cls.invoice(cls.boulangerie, 1000.0, cls.today - timedelta(days=70))
        cls.invoice(cls.cafe, 250.0, cls.today - timedelta(days=40))
        cls.invoice(cls.garage, 600.0, cls.today - timedelta(days=100))
        Case = cls.env["account.dunning.case"]
        Case._sync(cls.company, cls.today)
        cls.stages = Case._stages()
        cls.boulangerie_case, cls.cafe_case, cls.garage_case = (
            Case._for_partners(partner, cls.company) for partner in (cls.boulangerie, cls.cafe, cls.garage)
        )
        (cls.boulangerie_case | cls.cafe_case | cls.garage_case).user_id = cls.collector
        cls.garage_case.stage_id = cls.stages["reminded"]
        cls.boulangerie_case.activity_schedule(
            "mail.mail_activity_data_call",
            date_deadline=cls.today,
            summary="Call about the overdue invoice",
            user_id=cls.collector.id,
        )

    def test_collector_drags_a_card_and_logs_a_call(self):
        # The data the tour's figures come from: two cases to remind, one reminded.
        self.assertRecordValues(
            self.boulangerie_case | self.cafe_case | self.garage_case,
            [
                {"stage_id": self.stages["to_remind"].id, "amount_overdue": 1000.0, "oldest_days_late": 40},
                {"stage_id": self.stages["to_remind"].id, "amount_overdue": 250.0, "oldest_days_late": 10},
                {"stage_id": self.stages["reminded"].id, "amount_overdue": 600.0, "oldest_days_late": 70},
            ],
        )

        self.start_tour("/odoo", "account_dunning_board_tour", login="colette")

        self.env.invalidate_all()
        # The drag: Café des Arts moved to Reminded, by the collector, and the chatter says so.
        self.assertEqual(self.cafe_case.stage_id, self.stages["reminded"])
        stage_change = self.cafe_case.message_ids.tracking_value_ids.filtered(
            lambda tracking: tracking.field_id.name == "stage_id"
        )
        self.assertEqual(stage_change.old_value_char, "To remind")
        self.assertEqual(stage_change.new_value_char, "Reminded")
        self.assertEqual(stage_change.mail_message_id.author_id, self.collector.partner_id)
        self.assertEqual(self.garage_case.stage_id, self.stages["reminded"], "the other cards did not move")
        self.assertEqual(self.boulangerie_case.stage_id, self.stages["to_remind"])

        # The call: its outcome and note in the chatter, the next action on the case, and the
        # planned call activity done.
        call = self.boulangerie_case.message_ids.filtered(lambda message: "Call: No answer" in message.body)
        self.assertEqual(len(call), 1)
        self.assertIn("Voicemail, left a message for the accountant", call.body)
        self.assertEqual(call.author_id, self.collector.partner_id)
        self.assertEqual(self.boulangerie_case.next_action_date, self.today + timedelta(days=7))
        self.assertEqual(self.boulangerie_case.next_action, "Send the statement")
        self.assertFalse(self.boulangerie_case.activity_ids)
        done = self.boulangerie_case.message_ids.filtered(
            lambda message: message.mail_activity_type_id == self.env.ref("mail.mail_activity_data_call")
        )
        self.assertEqual(len(done), 1, "the planned call is marked done")
