"""Insolvency proceedings of a customer (Code de commerce Book VI, ``law/insolvency.py``,
issue 16 item 3): the deadlines in plain Python, then no reminder, plan or hand-off for the debts
born before the judgment, interest stopped at the judgment, the case's stage, the declaration of
claim and the activity before its deadline.

Figures are worked by hand: interest = base x rate x days / 36,500, rounded half up to the cent.
"""

from datetime import date
from html import unescape

from odoo.exceptions import UserError, ValidationError
from odoo.fields import Command
from odoo.tests import BaseCase, freeze_time, tagged

from odoo.addons.account_dunning.law import insolvency

from .common import DunningCommon


@tagged("post_install", "-at_install")
class TestInsolvencyLaw(BaseCase):
    def test_deadline_in_months(self):
        # CPC 641: same day of the month, or the last day when the month is shorter.
        self.assertEqual(insolvency.add_months(date(2025, 3, 10), 2), date(2025, 5, 10))
        self.assertEqual(insolvency.add_months(date(2025, 12, 31), 2), date(2026, 2, 28))
        self.assertEqual(insolvency.add_months(date(2023, 12, 31), 2), date(2024, 2, 29))
        self.assertEqual(insolvency.add_months(date(2025, 11, 15), 4), date(2026, 3, 15))
        # R622-24: 2 months from the BODACC publication, 4 for a creditor outside France.
        self.assertEqual(insolvency.declaration_deadline(date(2025, 5, 20)), date(2025, 7, 20))
        self.assertEqual(insolvency.declaration_deadline(date(2025, 5, 20), creditor_abroad=True), date(2025, 9, 20))
        self.assertIsNone(insolvency.declaration_deadline(None))

    def test_creditor_outside_metropolitan_france(self):
        # R622-24: +2 months for a creditor not in metropolitan France. Odoo gives the overseas
        # departments (Réunion RE) and Monaco (MC) codes of their own; no country counts as France.
        self.assertFalse(insolvency.outside_metropolitan_france("FR"))
        self.assertFalse(insolvency.outside_metropolitan_france(False))
        self.assertFalse(insolvency.outside_metropolitan_france(None))
        for code in ("BE", "RE", "MC"):
            self.assertTrue(insolvency.outside_metropolitan_france(code), code)

    def test_debts_born_before_the_judgment(self):
        judgment = date(2025, 5, 15)
        self.assertTrue(insolvency.born_before(date(2025, 5, 14), judgment))
        self.assertFalse(insolvency.born_before(date(2025, 5, 15), judgment), "born on the judgment day: after it")
        self.assertFalse(insolvency.born_before(date(2025, 5, 14), None))
        self.assertEqual(insolvency.interest_end(date(2025, 7, 10), date(2025, 3, 1), judgment), judgment)
        self.assertEqual(insolvency.interest_end(date(2025, 7, 10), date(2025, 6, 1), judgment), date(2025, 7, 10))
        self.assertEqual(insolvency.interest_end(date(2025, 7, 10), date(2025, 3, 1), None), date(2025, 7, 10))


@tagged("post_install", "-at_install")
class TestInsolvencyProceedings(DunningCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.representative = cls.env["res.partner"].create(
            {"name": "SELARL Mandataires Associés", "is_company": True, "lang": "en_US"}
        )
        cls.before = cls.invoice(cls.professional, 1000.0, "2025-03-01")  # due 2025-03-31
        cls.after = cls.invoice(cls.professional, 500.0, "2025-06-01")  # due 2025-07-01
        cls.professional.write(
            {
                "dunning_insolvency_date": "2025-05-15",
                "dunning_insolvency_kind": "receivership",
                "dunning_insolvency_court": "Tribunal de commerce de Lyon",
                "dunning_insolvency_representative_id": cls.representative.id,
            }
        )

    def _penalties(self, invoice, on):
        with freeze_time(on):
            invoice.invalidate_recordset(["late_interest_amount", "late_indemnity_amount"])
            return invoice.late_interest_amount, invoice.late_indemnity_amount

    def test_interest_stops_at_the_judgment(self):
        # Invoice due 2025-03-31, judgment 2025-05-15: 04-01..05-15 = 30 + 15 = 45 days at 13.15 % (2025 H1):
        # 1,000 x 13.15 x 45 / 36,500 = 591,750 / 36,500 = 16.2123... -> 16.21, whenever it is computed.
        self.assertEqual(self._penalties(self.before, "2025-07-10"), (16.21, 40.0))
        self.assertEqual(self._penalties(self.before, "2025-12-31"), (16.21, 40.0))
        # Born after the judgment: interest runs as usual. Due 07-01, on 07-10: 9 days at 12.15 % (2025 H2):
        # 500 x 12.15 x 9 / 36,500 = 54,675 / 36,500 = 1.4979... -> 1.50
        self.assertEqual(self._penalties(self.after, "2025-07-10"), (1.50, 40.0))

    def test_only_debts_born_after_the_judgment_are_reminded(self):
        run = self.dun("2025-07-10")  # the first invoice is 101 days late, the second 9 days
        self.assertEqual(run.skipped_insolvency, 1)
        letters = self.letters(self.professional)
        self.assertEqual(letters.line_ids.move_id, self.after)
        self.assertEqual(self.case_of().stage_code, "insolvency")

    def test_no_plan_nor_hand_off_for_a_debt_born_before(self):
        with freeze_time("2025-07-10"):
            action = self.professional.action_propose_installment_plan()
        plan = self.env["account.dunning.installment.plan"].browse(action["res_id"])
        self.assertEqual(plan.move_line_ids.move_id, self.after, "the proposal leaves the frozen debt out")
        with freeze_time("2025-07-10"):
            action = self.before.action_propose_installment_plan()
            forced = self.env["account.dunning.installment.plan"].browse(action["res_id"])
            forced.write({"installment_count": 2, "first_date": "2025-08-01"})
            forced.action_compute_schedule()
            with self.assertRefused(ValidationError, "L622-7"):
                forced.action_confirm()
        self.assertEqual(forced.state, "draft")
        agency = self.env["res.partner"].create(
            {"name": "Recouvrement Express", "is_company": True, "is_collection_agency": True}
        )
        line = self.before.line_ids.filtered(lambda line: line.account_type == "asset_receivable")
        handoff = self.env["account.dunning.handoff"].create(
            {
                "partner_id": self.professional.id,
                "agency_id": agency.id,
                "date": "2025-07-10",
                "line_ids": [Command.create({"move_line_id": line.id})],
            }
        )
        with freeze_time("2025-07-10"), self.assertRefused(UserError, "L622-21"):
            handoff.action_confirm()
        self.assertFalse(line.dunning_handoff_id)

    def test_declaration_of_claim(self):
        html = self.env["ir.actions.report"]._render_qweb_html(
            "account_dunning.report_dunning_claim_declaration", self.professional.ids
        )[0]
        text = " ".join(unescape(html.decode()).replace("\xa0", " ").replace("\u202f", " ").split())
        self.assertIn("Declaration of claim", text)
        self.assertIn(self.before.name, text)
        self.assertNotIn(self.after.name, text, "a debt born after the judgment is not declared")
        self.assertIn("Tribunal de commerce de Lyon", text)
        self.assertIn("SELARL Mandataires Associés", text)
        # Principal 1,000.00, interest to the judgment 16.21 (see above), indemnity 40.00: 1,056.21.
        for figure in ("1,000.00", "16.21", "40.00", "1,056.21"):
            self.assertIn(figure, text)
        self.assertIn("A copy of each invoice listed above.", text)

    def test_activity_before_the_declaration_deadline(self):
        with freeze_time("2025-05-25"):
            self.professional.dunning_insolvency_publication_date = "2025-05-20"
        # 2 months from 05-20: 07-20; the activity is due 7 days earlier, 07-13.
        self.assertEqual(str(self.professional.dunning_claim_deadline), "2025-07-20")
        activity = self.professional.activity_ids.filtered(lambda activity: "Declare the claims" in activity.summary)
        self.assertEqual(len(activity), 1)
        self.assertEqual(str(activity.date_deadline), "2025-07-13")
        # Correcting the publication date does not make a second one: it moves the first one with
        # the deadline (2 months from 05-21: 07-21, due 7 days earlier, 07-14).
        with freeze_time("2025-05-26"):
            self.professional.dunning_insolvency_publication_date = "2025-05-21"
        activity = self.professional.activity_ids.filtered(lambda a: "Declare the claims" in a.summary)
        self.assertEqual(len(activity), 1)
        self.assertEqual(str(activity.date_deadline), "2025-07-14")
        self.assertIn("07/21/2025", str(activity.note))

    def _deadline_and_activity(self, country):
        self.company.country_id = country
        self.assertEqual(self.env.company, self.company)
        with freeze_time("2025-05-25"):
            self.professional.dunning_insolvency_publication_date = "2025-05-20"
        activity = self.professional.activity_ids.filtered(lambda activity: "Declare the claims" in activity.summary)
        return str(self.professional.dunning_claim_deadline), str(activity.date_deadline)

    def test_deadline_of_a_company_without_country(self):
        # Unknown country: counted as in France, the earlier date. Publication 05-20 + 2 months = 07-20
        # (4 months would be 09-20, after the law's date if the company is French); activity 7 days earlier.
        self.assertEqual(self._deadline_and_activity(False), ("2025-07-20", "2025-07-13"))

    def test_deadline_of_a_company_in_belgium(self):
        # Outside metropolitan France: 2 + 2 months from 05-20 = 09-20; activity 7 days earlier, 09-13.
        self.assertEqual(self._deadline_and_activity(self.env.ref("base.be")), ("2025-09-20", "2025-09-13"))

    def test_a_user_without_accounting_rights_still_creates_contacts(self):
        groups = self.env.ref("base.group_user") | self.env.ref("base.group_partner_manager")
        seller = self.env["res.users"].create(
            {"name": "Seller", "login": "seller-insolvency", "group_ids": [Command.set(groups.ids)]}
        )
        contact = self.env["res.partner"].with_user(seller).create({"name": "Nouveau client"})
        self.assertFalse(contact.sudo().dunning_insolvency_date)

    def test_bad_dates_are_refused(self):
        with self.assertRefused(ValidationError, "after it is given"):
            self.professional.dunning_insolvency_publication_date = "2025-05-01"
        other = self.env["res.partner"].create({"name": "Autre SAS", "is_company": True})
        with self.assertRefused(ValidationError, "safeguard, receivership or liquidation"):
            other.dunning_insolvency_date = "2025-05-01"
        self.assertFalse(other.dunning_insolvency_date)
