import logging

import psycopg2.errors

from odoo import api, models
from odoo.tools import SQL

_logger = logging.getLogger(__name__)

# How many letters a worker takes at a time: one transaction, one commit.
DEFAULT_SEND_BATCH_SIZE = 100
# Conflicts with another worker tolerated in a row before a worker leaves the rest to others.
MAX_CLAIM_CONFLICTS = 5


class AccountDunningSendQueue(models.AbstractModel):
    """The sending queue, apart from the run: the run decides, writes its letters ``to_send``
    with ``send_queued`` and commits; this queue sends them, in batches, each batch in its
    own transaction.

    - **Exactly once.** A worker takes a batch with ``FOR UPDATE SKIP LOCKED`` (another worker
      takes other letters), sends it through ``account.dunning.letter.action_send`` (which
      re-checks every line just before sending) and commits: the letter's state, its e-mail
      (a ``mail.mail`` in Odoo's outgoing queue), its PDF and its side effects are written in
      the same transaction. A worker killed in the middle loses all of them together, so the
      letter is still ``to_send`` and the next worker sends it, once.
    - **Several workers.** Any number of cron workers (``--workers``, ``--max-cron-threads``)
      or machines sharing the database may drain the queue at once.
    - **queue_job.** When OCA's ``queue_job`` is installed, the scheduled action enqueues the
      batches as jobs on the channel ``root.dunning`` instead of sending them itself, so an
      installation spreads them over its job runners.
    """

    _name = "account.dunning.send.queue"
    _description = "Dunning: sending queue"

    @api.model
    def _batch_size(self):
        param = self.env["ir.config_parameter"].sudo().get_param("account_dunning.send_batch_size")
        return int(param or DEFAULT_SEND_BATCH_SIZE)

    @api.model
    def _queue_sql(self, run=None):
        condition = SQL("state = 'to_send' AND send_queued")
        if run:
            condition = SQL("%s AND run_id = %s", condition, run.id)
        return condition

    @api.model
    def _count(self, run=None):
        """How many letters wait in the queue (of ``run``, or all)."""
        self.env["account.dunning.letter"].flush_model(["state", "send_queued", "run_id"])
        return self.env.execute_query(
            SQL("SELECT count(*) FROM account_dunning_letter WHERE %s", self._queue_sql(run))
        )[0][0]

    @api.model
    def _claim(self, limit, run=None):
        """Lock and return up to ``limit`` queued letters no other worker holds, oldest first.
        Returns ``None`` when this transaction's snapshot is older than another worker's
        commit on one of them (PostgreSQL refuses the lock): the caller starts a new
        transaction and claims again."""
        Letter = self.env["account.dunning.letter"]
        Letter.flush_model(["state", "send_queued", "run_id"])
        try:
            with self.env.cr.savepoint(flush=False):
                rows = self.env.execute_query(
                    SQL(
                        """SELECT id FROM account_dunning_letter
                            WHERE %s
                            ORDER BY id
                            LIMIT %s
                              FOR UPDATE SKIP LOCKED""",
                        self._queue_sql(run),
                        limit,
                    )
                )
        except psycopg2.errors.SerializationFailure:
            return None
        return Letter.browse([row[0] for row in rows])

    @api.model
    def _send_letters(self, letters):
        """Send claimed ``letters``: per company and day, on the day of their run (which may
        replay a past day), through ``action_send``. E-mails go to Odoo's outgoing queue
        (sent by its own scheduled action after this transaction commits), never by SMTP
        inside it."""
        # A letter another transaction sent or cancelled since it was queued stays as it is.
        letters = letters.filtered(lambda letter: letter.state == "to_send")
        for (company, day), group in letters.grouped(lambda letter: (letter.company_id, letter.date)).items():
            group.with_company(company).with_context(dunning_send_date=day, mail_notify_force_send=False).action_send()
        if letters.filtered(lambda letter: letter.channel == "email" and letter.state == "sent"):
            mail_cron = self.env.ref("mail.ir_cron_mail_scheduler_action", raise_if_not_found=False)
            if mail_cron:
                mail_cron.sudo()._trigger()
        return letters

    @api.model
    def _drain(self, run=None, commit=True):
        """Send the queue (of ``run``, or all of it) batch by batch. With ``commit``, each
        batch is committed (through ``ir.cron._commit_progress``: inside the scheduled action
        it also reports progress and stops when the action's time is up). Returns True when
        the queue is empty, False when time ran out or other workers hold what is left."""
        batch_size = self._batch_size()
        conflicts = 0
        while True:
            letters = self._claim(batch_size, run)
            if letters is None:
                conflicts += 1
                if not commit or conflicts > MAX_CLAIM_CONFLICTS:
                    return False
                # A fresh transaction sees what the other worker committed.
                self.env.cr.rollback()
                continue
            conflicts = 0
            if not letters:
                return True
            self._send_letters(letters)
            if not commit:
                continue
            time_left = self.env["ir.cron"]._commit_progress(len(letters), remaining=self._count(run))
            if not time_left:
                return False

    # ------------------------------------------------------------------
    # Entry points
    # ------------------------------------------------------------------

    @api.model
    def _cron_send(self):
        """The scheduled action: send the queue, or enqueue it as jobs when queue_job is
        installed."""
        if self._use_job_queue():
            self._enqueue_jobs()
            return True
        return self._drain(commit=True)

    @api.model
    def _trigger(self):
        """Have the queue sent soon (after the current transaction commits)."""
        self.env.ref("account_dunning.ir_cron_dunning_send").sudo()._trigger()

    # ------------------------------------------------------------------
    # OCA queue_job (optional)
    # ------------------------------------------------------------------

    @api.model
    def _use_job_queue(self):
        return "queue.job" in self.env and hasattr(self, "with_delay")

    @api.model
    def _enqueue_jobs(self):
        """One job per batch of what waits, on channel ``root.dunning``. A job takes whatever
        batch no one holds when it runs (not fixed letters), so a job enqueued twice or run
        late never sends a letter twice; the identity key keeps at most one pending job per
        slot."""
        count = self._count()
        batch_size = self._batch_size()
        slots = -(-count // batch_size)
        if slots:
            self._ensure_job_channel()
        for slot in range(slots):
            self.with_delay(
                channel="root.dunning",
                identity_key=f"account_dunning_send_queue_slot_{slot}",
                description=self.env._("Send a batch of dunning letters"),
            )._job_send_batch()
        return slots

    @api.model
    def _ensure_job_channel(self):
        """The channel ``root.dunning`` (its capacity is the installation's to set)."""
        Channel = self.env["queue.job.channel"].sudo()
        if not Channel.search_count([("complete_name", "=", "root.dunning")], limit=1):
            root = Channel.search([("complete_name", "=", "root")], limit=1)
            Channel.create({"name": "dunning", "parent_id": root.id})

    @api.model
    def _job_send_batch(self):
        """A queue_job job: send one batch (the job runner commits it)."""
        letters = self._claim(self._batch_size())
        if letters is None:
            # Another worker committed on these letters since this job's transaction began:
            # let queue_job retry the job in a new transaction.
            from odoo.addons.queue_job.exception import RetryableJobError

            raise RetryableJobError("Letters taken by another worker meanwhile", seconds=1, ignore_retry=True)
        self._send_letters(letters)
        return len(letters)
