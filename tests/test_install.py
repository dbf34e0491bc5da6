from odoo.tests import tagged

from odoo.addons.account.tests.common import AccountTestInvoicingCommon

from .common import DunningCommon


@tagged("post_install", "-at_install")
class TestInstall(DunningCommon):
    """What an accountant sees right after installing the addon."""

    def test_french_localisation_is_installed_with_the_addon(self):
        modules = self.env["ir.module.module"].search([("name", "in", ("account_dunning", "l10n_fr_account"))])
        self.assertEqual(set(modules.mapped("state")), {"installed"})
        self.assertEqual(self.company.country_id.code, "FR")
        self.assertEqual(self.company.chart_template, "fr")

    def test_groups_and_access_rules_are_loaded(self):
        collector = self.env.ref("account_dunning.group_dunning_collector")
        manager = self.env.ref("account_dunning.group_dunning_manager")
        self.assertIn(collector, manager.implied_ids)
        self.assertIn(manager, self.env.ref("account.group_account_manager").implied_ids)
        for model in (
            "account.dunning.policy",
            "account.dunning.level",
            "account.dunning.run",
            "account.dunning.letter",
        ):
            accesses = self.env["ir.model.access"].search([("model_id.model", "=", model)])
            self.assertIn(manager, accesses.group_id, f"{model}: managers have access")
            rules = self.env["ir.rule"].search([("model_id.model", "=", model)])
            self.assertTrue(rules.filtered(lambda rule: "company_ids" in rule.domain_force), f"{model}: company rule")

    def test_a_collector_cannot_configure_policies(self):
        collector = self.make_user("colette")
        policy = self.policy_pro.with_user(collector)
        self.assertTrue(policy.has_access("read"))
        self.assertFalse(policy.has_access("write"))
        self.assertFalse(self.env["account.dunning.run"].with_user(collector).has_access("create"))
        self.assertTrue(self.env["account.dunning.letter"].with_user(collector).has_access("create"))

    def test_default_policies_follow_the_country(self):
        def regimes(company):
            return (
                company.dunning_policy_professional_id.penalty_regime,
                company.dunning_policy_consumer_id.penalty_regime,
            )

        self.assertEqual(regimes(self.company), ("fr_b2b", "fr_b2c"))
        belgian = self.env["res.company"].create({"name": "BE Co", "country_id": self.env.ref("base.be").id})
        german = self.env["res.company"].create({"name": "DE Co", "country_id": self.env.ref("base.de").id})
        self.assertEqual(regimes(belgian), ("be_b2b", "be_b2c"))
        self.assertEqual(regimes(german), ("eu_b2b", "none"))
        levels = belgian.dunning_policy_professional_id._sorted_levels()
        self.assertEqual(levels.mapped("delay_days"), [-5, 7, 20, 45, 60])
        self.assertEqual(levels.filtered("is_formal_notice").channel, "letter")

    def test_default_policies_are_translated(self):
        self.assertIn("fr_FR", dict(self.env["res.lang"].get_installed()))
        policy = self.policy_pro.with_context(lang="fr_FR")
        self.assertEqual(policy.name, "Clients professionnels")
        self.assertEqual(policy._sorted_levels()[3].with_context(lang="fr_FR").name, "Mise en demeure")


@tagged("post_install", "-at_install")
class TestDemoData(AccountTestInvoicingCommon):
    """The demo database the README promises: loaded in the main company at install."""

    def test_demo_book_is_loaded(self):
        company = self.env.ref("account_dunning.demo_company")
        self.assertEqual(company.country_id.code, "FR")
        self.assertEqual(company.chart_template, "fr")
        invoices = (
            self.env["account.move"]
            .sudo()
            .search(
                [
                    ("company_id", "=", company.id),
                    ("move_type", "=", "out_invoice"),
                    ("state", "=", "posted"),
                    ("partner_id.email", "=like", "%example.com"),
                ]
            )
        )
        customers = invoices.partner_id
        self.assertGreaterEqual(len(customers), 30)
        self.assertTrue(customers.filtered(lambda p: p.dunning_customer_kind == "consumer"))
        self.assertTrue(customers.filtered(lambda p: p.dunning_customer_kind == "professional"))
        self.assertGreaterEqual(len(invoices), 200)
        states = set(invoices.mapped("payment_state"))
        self.assertTrue({"paid", "partial", "not_paid"} <= states, states)
        multi = invoices.filtered(
            lambda move: len(move.line_ids.filtered(lambda line: line.display_type == "payment_term")) > 1
        )
        self.assertTrue(multi, "some invoices are on installments")
        self.assertTrue(invoices.filtered("dunning_excluded"), "some invoices are disputed")
        letters = self.env["account.dunning.letter"].sudo().search([("company_id", "=", company.id)])
        self.assertTrue(letters.filtered(lambda letter: letter.state == "sent"), "the past weeks were dunned")
        # Disputes were recorded before the dunning history was replayed: never reminded.
        self.assertFalse(letters.line_ids.move_id.filtered("dunning_excluded"))
        blocked = customers.filtered("dunning_blocked")
        self.assertEqual(len(blocked), 1)
        self.assertFalse(letters.filtered(lambda letter: letter.partner_id == blocked))
