from datetime import date

from odoo.exceptions import AccessError, UserError
from odoo.fields import Command
from odoo.tests import freeze_time, tagged

from .common import DunningCommon

# Every company-bound model of the addon, with a field a user of the company may change.
# (Stages, late causes and reference rates are shared by all companies: they have no company.)
COMPANY_MODELS = {
    "account.dunning.policy": {"promise_grace_days": 5},
    "account.dunning.level": {"min_gap_days": 3},
    "account.dunning.run": {"send_letters": True},
    "account.dunning.letter": {"date": "2025-02-08"},
    "account.dunning.letter.line": {"amount_due": 1.0},
    "account.dunning.penalty": {"date_to": "2025-04-30"},
    "account.dunning.installment.plan": {"tolerance_days": 10},
    "account.dunning.installment.plan.line": {"amount": 100.0},
    "account.dunning.handoff": {"commission_rate": 12.0},
    "account.dunning.handoff.line": {"to_record": 10.0},
    "account.dunning.case": {"next_action": "Call on Monday"},
    "account.dunning.aging": None,  # a report: read only
}


@tagged("post_install", "-at_install")
class TestMultiCompany(DunningCommon):
    """Two companies dun the same customer: neither sees nor changes the other's records,
    and a user of both sees both only when both are selected."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.company_a = cls.company
        cls.company_b = cls.setup_other_company(name="Société B")["company"]
        cls.env.user.company_ids |= cls.company_b
        cls.agency = cls.env["res.partner"].create(
            {"name": "Recouvrement Express", "is_company": True, "is_collection_agency": True}
        )
        for company in cls.company_a | cls.company_b:
            cls._company_records(company)
        cls.user_a = cls._manager("manager_a", cls.company_a)
        cls.user_b = cls._manager("manager_b", cls.company_b)
        cls.user_both = cls._manager("manager_ab", cls.company_a | cls.company_b)

    @classmethod
    def _company_records(cls, company):
        """The same customer, in ``company``: letters and a case from a run, a proposed plan, a
        draft hand-off and invoiced penalties."""
        env = cls.env(context=dict(cls.env.context, allowed_company_ids=company.ids))
        partner = cls.professional.with_env(env)
        cls.invoice(partner, 1000.0, "2025-01-01", company=company)  # due 2025-01-31
        handed = cls.invoice(partner, 300.0, "2025-01-01", company=company)
        run = env["account.dunning.run"]._get_or_create(company, date(2025, 2, 7))
        run.send_letters = False
        run._run_now()
        with freeze_time("2025-02-20"):
            partner.action_propose_installment_plan()
        env["account.dunning.handoff"].create(
            {
                "partner_id": partner.id,
                "company_id": company.id,
                "agency_id": cls.agency.id,
                "line_ids": [Command.create({"move_line_id": cls._receivable(handed).id})],
            }
        )
        penalized = cls.invoice(partner, 1200.0, "2025-03-01", company=company)  # due 2025-03-31
        env["account.dunning.penalty.invoice"].create(
            {"company_id": company.id, "move_ids": [Command.set(penalized.ids)], "date": "2025-05-01"}
        )._create_penalty_invoices()

    @classmethod
    def _receivable(cls, move):
        return move.line_ids.filtered(lambda line: line.account_type == "asset_receivable")

    @classmethod
    def _manager(cls, login, companies):
        return cls.env["res.users"].create(
            {
                "name": login.title(),
                "login": login,
                "email": f"{login}@example.com",
                "company_id": companies[0].id,
                "company_ids": [Command.set(companies.ids)],
                "group_ids": [Command.set(cls.env.ref("account_dunning.group_dunning_manager").ids)],
            }
        )

    def _records(self, model, company):
        records = self.env[model].sudo().search([("company_id", "=", company.id)])
        self.assertTrue(records, f"{model}: the fixture has records in {company.name}")
        return records

    def test_records_of_the_other_company_are_invisible_and_unwritable(self):
        for model, vals in COMPANY_MODELS.items():
            with self.subTest(model=model):
                theirs = self._records(model, self.company_b)
                mine = self._records(model, self.company_a)
                Model = self.env[model].with_user(self.user_a)
                self.assertEqual(Model.search([("id", "in", (theirs | mine).ids)]), mine.with_user(self.user_a))
                with self.assertRaises(AccessError):
                    theirs.with_user(self.user_a).read(["company_id"])
                if vals is None:
                    continue
                with self.assertRaises(AccessError):
                    theirs[:1].with_user(self.user_a).write(vals)
                # The same change in one's own company goes through: the company is what refuses.
                theirs[:1].with_user(self.user_b).write(vals)
                field, value = next(iter(vals.items()))
                self.assertEqual(str(theirs[:1][field]), str(value))

    def test_nothing_is_created_in_the_other_company(self):
        level_b = self.company_b.dunning_policy_professional_id.level_ids[:1]
        lines_b = self._records("account.dunning.letter.line", self.company_b)[:1].move_line_id
        attempts = {
            "account.dunning.letter": {
                "partner_id": self.professional.id,
                "company_id": self.company_b.id,
                "level_id": level_b.id,
                "date": "2025-03-03",
            },
            "account.dunning.run": {"company_id": self.company_b.id, "date": "2025-03-03"},
            "account.dunning.policy": {"name": "Sneaky", "company_id": self.company_b.id},
            "account.dunning.installment.plan": {"partner_id": self.professional.id, "company_id": self.company_b.id},
            "account.dunning.handoff": {
                "partner_id": self.professional.id,
                "company_id": self.company_b.id,
                "agency_id": self.agency.id,
                "line_ids": [Command.create({"move_line_id": lines_b.id})],
            },
        }
        for model, vals in attempts.items():
            with self.subTest(model=model):
                count = self.env[model].sudo().search_count([("company_id", "=", self.company_b.id)])
                with self.assertRaises(AccessError):
                    self.env[model].with_user(self.user_a).create(vals)
                self.assertEqual(self.env[model].sudo().search_count([("company_id", "=", self.company_b.id)]), count)

    def test_buttons_do_not_reach_the_other_company(self):
        case_b = self._records("account.dunning.case", self.company_b)
        letter_b = self._records("account.dunning.letter", self.company_b)
        invoice_b = self._records("account.dunning.letter.line", self.company_b).move_id
        handoff_b = self._records("account.dunning.handoff", self.company_b)
        plan_b = self._records("account.dunning.installment.plan", self.company_b)
        run_b = self._records("account.dunning.run", self.company_b)
        letters_b = self.env["account.dunning.letter"].sudo().search_count([("company_id", "=", self.company_b.id)])
        penalties_b = self.env["account.dunning.penalty"].sudo().search_count([("company_id", "=", self.company_b.id)])
        user = self.user_a
        attempts = {
            "run": lambda: run_b.with_user(user).action_run(),
            "send": lambda: letter_b.with_user(user).action_send(),
            "next letter": lambda: case_b.with_user(user).action_send_next_letter(),
            "log a call": lambda: (
                self.env["account.dunning.call"]
                .with_user(user)
                .create({"case_id": case_b.id, "outcome": "no_answer", "next_action": "Call back"})
                .action_log()
            ),
            "invoice penalties": lambda: (
                self.env["account.dunning.penalty.invoice"]
                .with_user(user)
                .create({"move_ids": [Command.set(invoice_b.ids)], "date": "2025-06-01"})
                .action_create_invoices()
            ),
            "confirm plan": lambda: plan_b.with_user(user).action_confirm(),
            "confirm hand-off": lambda: handoff_b.with_user(user).action_confirm(),
        }
        for name, attempt in attempts.items():
            with self.subTest(button=name), freeze_time("2025-02-27"), self.assertRaises(AccessError):
                attempt()
        self.assertEqual(letter_b.state, "to_send")
        self.assertFalse(case_b.next_action)
        self.assertEqual((plan_b.state, handoff_b.state, run_b.state), ("draft", "draft", "done"))
        self.assertEqual(
            self.env["account.dunning.letter"].sudo().search_count([("company_id", "=", self.company_b.id)]), letters_b
        )
        self.assertEqual(
            self.env["account.dunning.penalty"].sudo().search_count([("company_id", "=", self.company_b.id)]),
            penalties_b,
        )

    def test_records_of_two_companies_are_not_mixed(self):
        """Even for a user of both: a letter of A cannot use B's level, a hand-off of A cannot
        hold B's receivable."""
        env = self.env(user=self.user_both, context={"allowed_company_ids": (self.company_a | self.company_b).ids})
        level_b = self.company_b.dunning_policy_professional_id.level_ids[:1]
        line_b = self._records("account.dunning.letter.line", self.company_b)[:1].move_line_id
        with self.assertRaises(UserError):
            env["account.dunning.letter"].create(
                {
                    "partner_id": self.professional.id,
                    "company_id": self.company_a.id,
                    "level_id": level_b.id,
                    "date": "2025-03-03",
                }
            )
        with self.assertRaises(UserError):
            env["account.dunning.handoff"].create(
                {
                    "partner_id": self.professional.id,
                    "company_id": self.company_a.id,
                    "agency_id": self.agency.id,
                    "line_ids": [Command.create({"move_line_id": line_b.id})],
                }
            )

    def test_the_run_of_one_company_leaves_the_other_alone(self):
        customer = self.env["res.partner"].create({"name": "Deux Sociétés SARL", "is_company": True})
        mine = self.invoice(customer, 400.0, "2025-01-10")  # due 2025-02-09
        theirs = self.invoice(customer, 600.0, "2025-01-10", company=self.company_b)
        letters_b = self._records("account.dunning.letter", self.company_b)
        cases_b = self._records("account.dunning.case", self.company_b)
        run = (
            self.env["account.dunning.run"].with_user(self.user_both)._get_or_create(self.company_a, date(2025, 2, 20))
        )
        run.send_letters = False
        run._run_now()  # 11 days late: the first reminder
        self.assertEqual(run.company_id, self.company_a)
        letters = self.letters(customer)
        self.assertEqual(letters.company_id, self.company_a)
        self.assertEqual(letters.line_ids.move_id, mine, "only company A's invoice is reminded")
        self.assertFalse(self._receivable(theirs).dunning_letter_line_ids, "company B's line is untouched")
        self.assertEqual(self._records("account.dunning.letter", self.company_b), letters_b, "no letter for B")
        self.assertEqual(self._records("account.dunning.case", self.company_b), cases_b, "no case opened in B")
        self.assertEqual(
            self.env["account.dunning.case"].search([("partner_id", "=", customer.id)]).company_id, self.company_a
        )

    def test_a_user_of_both_companies_sees_what_is_selected(self):
        for model in COMPANY_MODELS:
            with self.subTest(model=model):
                mine = self._records(model, self.company_a)
                theirs = self._records(model, self.company_b)
                Model = self.env[model].with_user(self.user_both)
                domain = [("id", "in", (mine | theirs).ids)]
                only_a = Model.with_context(allowed_company_ids=self.company_a.ids).search(domain)
                only_b = Model.with_context(allowed_company_ids=self.company_b.ids).search(domain)
                both = Model.with_context(allowed_company_ids=(self.company_a | self.company_b).ids).search(domain)
                self.assertEqual(set(only_a.ids), set(mine.ids))
                self.assertEqual(set(only_b.ids), set(theirs.ids))
                self.assertEqual(set(both.ids), set((mine | theirs).ids))
