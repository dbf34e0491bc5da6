"""Penalties are invoiced once, even when two connections try at the same moment (issue 13,
item 10).

Each "process" is a real, separate database connection (``common.SeparateProcessesCommon``:
``registry.cursor()`` outside registry test mode), so locks, snapshots and commits are
PostgreSQL's own. ``setUp`` commits a late invoice in the database's main company and the
cleanup deletes everything the test committed.
"""

import time
from concurrent.futures import ThreadPoolExecutor
from datetime import date

import psycopg2.errors

from odoo.exceptions import UserError
from odoo.fields import Command
from odoo.tests import tagged
from odoo.tools import mute_logger

from .common import SeparateProcessesCommon

# 1,200.00 due 2024-03-31, penalties up to 2024-05-01: 04-01..05-01 = 31 days at the 2024 H1
# French B2B rate, ECB 4.50 + 10 = 14.50 %: 1200 x .145 x 31 / 365 = 14.7781 -> 14.78,
# plus the 40.00 indemnity.
PENALTY_DATE = date(2024, 5, 1)
PENALTY_TOTAL = 54.78


@tagged("post_install", "-at_install")
class TestPenaltiesInvoicedOnceAcrossConnections(SeparateProcessesCommon):
    def setUp(self):
        super().setUp()
        self.customer_id = self.invoice_id = self.policy_id = None
        self.previous_accounts = (False, False)
        self.eur_was_active = True
        # Cleanups run last first: EUR is put back as it was once the EUR invoice is gone.
        self.addCleanup(self._restore_eur)
        self.addCleanup(self._delete_committed_data)
        with self.committed_env() as superuser_env:
            # A bare database (tools/check-install) has EUR inactive: an invoice in EUR needs it.
            eur = superuser_env.ref("base.EUR")
            self.eur_was_active = eur.active
            eur.active = True
            company = superuser_env.ref("base.main_company")
            env = superuser_env(context={"allowed_company_ids": company.ids})
            self.company_id = company.id
            # The main company has Odoo's generic chart: its first income account takes the
            # penalties (restored by the cleanup).
            self.previous_accounts = (company.dunning_interest_account_id.id, company.dunning_indemnity_account_id.id)
            income = env["account.account"].search(
                [*env["account.account"]._check_company_domain(company), ("account_type", "=", "income")], limit=1
            )
            company.write({"dunning_interest_account_id": income.id, "dunning_indemnity_account_id": income.id})
            self.assertTrue(all(company._dunning_penalty_accounts()))
            # A policy of its own whose only level invoices the penalties when its letter is
            # sent, through no channel (nothing rendered, nothing e-mailed).
            policy = env["account.dunning.policy"].create(
                {
                    "name": "Concurrent penalties",
                    "company_id": company.id,
                    "penalty_regime": "fr_b2b",
                    "level_ids": [
                        Command.create(
                            {
                                "sequence": 1,
                                "name": "Invoice the penalties",
                                "delay_days": 30,
                                "channel": "none",
                                "apply_penalties": True,
                                "invoice_penalties": True,
                            }
                        )
                    ],
                }
            )
            customer = env["res.partner"].create(
                {"name": "Concurrent debtor SARL", "is_company": True, "dunning_policy_id": policy.id}
            )
            invoice = env["account.move"].create(
                {
                    "move_type": "out_invoice",
                    "partner_id": customer.id,
                    # The main company keeps its books in USD: the invoice is in EUR, so the
                    # indemnity is the statutory EUR 40 itself.
                    "currency_id": env.ref("base.EUR").id,
                    "invoice_date": "2024-03-01",
                    "invoice_date_due": "2024-03-31",
                    "invoice_line_ids": [
                        Command.create({"name": "Service", "quantity": 1, "price_unit": 1200.0, "tax_ids": []})
                    ],
                }
            )
            invoice.action_post()
            self.company_id, self.customer_id, self.invoice_id, self.policy_id = (
                company.id,
                customer.id,
                invoice.id,
                policy.id,
            )
            self.level_id = policy.level_ids.id

    def _restore_eur(self):
        if not self.eur_was_active:
            with self.committed_env() as env:
                env.ref("base.EUR").active = False

    def _delete_committed_data(self):
        self._close_connections()
        if not self.customer_id:
            return
        with self.committed_env() as env:
            interest, indemnity = self.previous_accounts
            env["res.company"].browse(self.company_id).write(
                {"dunning_interest_account_id": interest, "dunning_indemnity_account_id": indemnity}
            )
            penalties = env["account.move"].search(
                [("partner_id", "=", self.customer_id), ("is_dunning_penalty", "=", True)]
            )
            penalties.filtered(lambda move: move.state != "draft").button_draft()
            penalties.with_context(force_delete=True).unlink()
            # A sent letter is kept for good by the ORM: this test's own go the SQL way.
            env.cr.execute("DELETE FROM account_dunning_letter WHERE partner_id = %s", [self.customer_id])
            env["account.dunning.case"].with_context(active_test=False).search(
                [("partner_id", "=", self.customer_id)]
            ).unlink()
            invoice = env["account.move"].browse(self.invoice_id).exists()
            if invoice:
                invoice.button_draft()
                invoice.with_context(force_delete=True).unlink()
            env["res.partner"].browse(self.customer_id).unlink()
            env["account.dunning.policy"].browse(self.policy_id).unlink()

    def invoice_penalties(self, env):
        """What the wizard's button does, without committing."""
        wizard = env["account.dunning.penalty.invoice"].create(
            {"company_id": self.company_id, "move_ids": [Command.set([self.invoice_id])], "date": PENALTY_DATE}
        )
        invoices = wizard._create_penalty_invoices()
        env.flush_all()
        return invoices

    def letter(self, env):
        """A letter of the level that invoices penalties, ready to be sent."""
        receivable = (
            env["account.move"]
            .browse(self.invoice_id)
            .line_ids.filtered(lambda line: line.account_type == "asset_receivable")
        )
        return env["account.dunning.letter"].create(
            {
                "partner_id": self.customer_id,
                "company_id": self.company_id,
                "date": PENALTY_DATE,
                "level_id": self.level_id,
                "state": "to_send",
                "line_ids": [
                    Command.create(
                        {
                            "move_line_id": receivable.id,
                            "level_id": self.level_id,
                            "date_maturity": receivable.date_maturity,
                            "amount_due": receivable.amount_residual_currency,
                        }
                    )
                ],
            }
        )

    def committed_penalty_invoices(self):
        """The penalty invoices of the late invoice any process sees now: (total, periods)."""
        with self.committed_env() as env:
            periods = env["account.dunning.penalty"].search([("move_id", "=", self.invoice_id)])
            return [
                (
                    invoice.amount_total,
                    [
                        (period.date_from, period.date_to)
                        for period in periods.filtered(
                            lambda period, invoice=invoice: period.penalty_move_id == invoice
                        )
                    ],
                )
                for invoice in periods.penalty_move_id.sorted("id")
            ]

    def assert_invoiced_once(self):
        self.assertEqual(
            self.committed_penalty_invoices(),
            [(PENALTY_TOTAL, [(date(2024, 4, 1), PENALTY_DATE)])],
            "exactly one penalty invoice, for the days 04-01..05-01",
        )

    def test_second_wizard_at_the_same_moment_is_refused(self):
        first, second = self.process(), self.process()
        self.invoice_penalties(first)  # holds its transaction open
        with self.assertRaises(UserError) as refused:
            self.invoice_penalties(second)
        self.assertIn("Someone else is invoicing the penalties of", str(refused.exception))
        self.assertIn("Nothing was invoiced", str(refused.exception))
        self.assertFalse(
            second["account.move"].search_count(
                [("partner_id", "=", self.customer_id), ("is_dunning_penalty", "=", True)]
            ),
            "the refused process made no invoice",
        )
        second.cr.rollback()
        first.cr.commit()
        self.assert_invoiced_once()
        # Later (a new transaction), the same invoicing finds nothing more for those days.
        with self.assertRaises(UserError) as refused:
            self.invoice_penalties(second)
        self.assertIn("There is nothing to invoice", str(refused.exception))
        second.cr.rollback()
        self.assert_invoiced_once()

    def test_second_wizard_working_from_before_the_first_commit_is_refused_by_the_database(self):
        """The second process read the invoice before the first committed (its snapshot is
        older): the lock is free by then, but the database refuses the overlapping days."""
        first, second = self.process(), self.process()
        self.assertFalse(second["account.dunning.penalty"].search_count([("move_id", "=", self.invoice_id)]))
        self.invoice_penalties(first)
        first.cr.commit()
        with self.assertRaises(UserError) as refused, mute_logger("odoo.sql_db"):
            self.invoice_penalties(second)
        self.assertIn("were invoiced by someone else meanwhile", str(refused.exception))
        self.assertIn("Nothing was invoiced", str(refused.exception))
        second.cr.rollback()
        self.assert_invoiced_once()

    def test_letter_sent_while_a_manager_invoices_leaves_the_penalties_to_the_manager(self):
        """A level invoices penalties as its letter is sent, while a manager's wizard on the
        same invoice holds its transaction open: the letter waits for the manager's
        transaction, is sent, and says why it invoiced nothing."""
        setup = self.process()
        letter_id = self.letter(setup).id
        setup.cr.commit()
        manager, sender = self.process(), self.process()
        # The sender's transaction starts (and reads) before the manager commits.
        letter = sender["account.dunning.letter"].browse(letter_id).with_context(dunning_send_date=PENALTY_DATE)
        self.assertEqual(letter.state, "to_send")
        self.invoice_penalties(manager)

        def send():
            # Never wait forever on the manager's transaction, whatever happens to it.
            sender.cr.execute("SET LOCAL lock_timeout = '30s'")
            letter.action_send()
            sender.flush_all()
            return letter.state

        with ThreadPoolExecutor(max_workers=1) as executor, mute_logger("odoo.sql_db"):
            sending = executor.submit(send)
            self._wait_until_blocked(sender.cr)
            manager.cr.commit()
            self.assertEqual(sending.result(timeout=60), "sent")
        sender.cr.commit()
        self.assert_invoiced_once()
        notes = sender["account.dunning.letter"].browse(letter_id).message_ids.mapped("body")
        self.assertTrue(
            any("Penalties not invoiced" in note and "by someone else meanwhile" in note for note in notes), notes
        )

    def test_manager_while_a_letter_invoices_is_refused(self):
        setup = self.process()
        letter_id = self.letter(setup).id
        setup.cr.commit()
        sender, manager = self.process(), self.process()
        sender["account.dunning.letter"].browse(letter_id).with_context(dunning_send_date=PENALTY_DATE).action_send()
        sender.flush_all()  # the letter's penalty invoice is made, its transaction still open
        with self.assertRaises(UserError) as refused:
            self.invoice_penalties(manager)
        self.assertIn("Someone else is invoicing the penalties of", str(refused.exception))
        manager.cr.rollback()
        sender.cr.commit()
        self.assert_invoiced_once()

    def test_database_refuses_overlapping_days_and_a_second_indemnity(self):
        """The guarantees hold whoever writes: the periods themselves, written directly."""
        env = self.process()
        invoices = self.invoice_penalties(env)
        receivable = env["account.dunning.penalty"].search([("move_id", "=", self.invoice_id)]).move_line_id
        Penalty = env["account.dunning.penalty"]
        for vals, constraint in (
            # 04-20..05-10 overlaps 04-01..05-01
            ({"date_from": "2024-04-20", "date_to": "2024-05-10"}, "account_dunning_penalty_days_invoiced_once"),
            # no day, but the indemnity again
            ({"date_from": False, "date_to": "2024-05-10", "indemnity_amount": 40.0}, "indemnity_invoiced_once"),
        ):
            with self.subTest(vals=vals), mute_logger("odoo.sql_db"):
                with self.assertRaises(psycopg2.IntegrityError) as refused, env.cr.savepoint():
                    Penalty.create({"move_line_id": receivable.id, "penalty_move_id": invoices.id, **vals})
                    env.flush_all()
                self.assertIn(constraint, refused.exception.diag.constraint_name)
        # The next days, and periods of a cancelled penalty invoice, are fine.
        Penalty.create(
            {
                "move_line_id": receivable.id,
                "penalty_move_id": invoices.id,
                "date_from": "2024-05-02",
                "date_to": "2024-05-10",
            }
        )
        invoices.button_cancel()
        env.flush_all()
        self.assertEqual(self.invoice_penalties(env).amount_total, PENALTY_TOTAL, "cancelling released the days")
        env.cr.rollback()

    def _wait_until_blocked(self, cr, timeout=30):
        """Until the connection ``cr`` waits for a lock another transaction holds."""
        pid = cr._cnx.info.backend_pid
        deadline = time.monotonic() + timeout
        with self.registry.cursor() as watcher:
            while time.monotonic() < deadline:
                watcher.execute("SELECT wait_event_type FROM pg_stat_activity WHERE pid = %s", [pid])
                if watcher.fetchone()[0] == "Lock":
                    return
                watcher.rollback()
                time.sleep(0.05)
        self.fail("the second connection never waited for the first one's lock")
