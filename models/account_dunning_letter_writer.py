from collections import defaultdict
from datetime import date

from odoo import api, models
from odoo.tools import SQL

from .account_move import InvoiceFacts

INVOICE_TYPES = ("out_invoice", "out_receipt")


class AccountDunningLetterWriter(models.AbstractModel):
    """How the daily run writes its letters: a batch's letters and lines in two INSERTs,
    every stored field computed here from the same helpers the ORM computes use."""

    _name = "account.dunning.letter.writer"
    _description = "Dunning: letter writer of the daily run"

    @api.model
    def _letter_values(self, partner, planned_letters):
        """The letters decided for one customer (``engine.decision.PlannedLetter``) as
        ``(create values, [(candidate line, level step)])``: currency, level, whether it is
        sent without review, and the addressee and collector of the customer."""
        if not planned_letters:
            return []
        Level = self.env["account.dunning.level"]
        partner_values = self.env["account.dunning.letter"]._partner_values(partner)
        return [
            (
                {
                    "partner_id": partner.id,
                    "currency_id": planned.currency_id,
                    "level_id": planned.level.id,
                    "auto_send": Level.browse(planned.level.id).auto_send,
                    **partner_values,
                },
                list(planned.items),
            )
            for planned in planned_letters
        ]

    @api.model
    def _create_letters(self, run, letters_to_make, candidate_rows, policies=None):
        """Create the letters of one batch of ``run`` from ``(letter values, [(candidate line,
        level step)])``, as ``_letter_values`` returns them. ``candidate_rows``: ``{line id:
        row}`` as ``account.dunning.receivable._candidate_lines`` read them; ``policies``:
        ``{partner id: policy}`` of the batch's customers, if known. Returns the letters.

        Letters and lines are written with two INSERTs: through the ORM, the per-record work
        of ``create`` was nearly all of the run's time. Every stored field is computed here,
        from the same helpers the ORM computes use (a test compares both), credits and
        penalties for the whole batch at once. Letters are made as with ``mail_create_nolog``
        and ``mail_create_nosubscribe``: no creation message, no followers.
        """
        Letter = self.env["account.dunning.letter"]
        if not letters_to_make:
            return Letter
        company = run.company_id
        Level = self.env["account.dunning.level"]
        credits = Letter._unapplied_credits(
            list({vals["partner_id"] for vals, _items in letters_to_make}), [company.id]
        )
        results = self._stated_penalties(
            company,
            run.date,
            [
                candidate_rows[line.id]
                for vals, items in letters_to_make
                if Level.browse(vals["level_id"]).apply_penalties
                for line, _level in items
            ],
            policies or {},
        )
        by_line = Letter._penalties_by_line(results)
        letter_ids = [
            row[0]
            for row in self.env.execute_query(
                SQL(
                    "SELECT nextval('account_dunning_letter_id_seq') FROM generate_series(1, %s)",
                    len(letters_to_make),
                )
            )
        ]
        fees = Letter._reminder_fees(
            company,
            [
                (
                    vals["partner_id"],
                    Level.browse(vals["level_id"]),
                    self.env["res.currency"].browse(vals["currency_id"]),
                    run.date,
                )
                for vals, _items in letters_to_make
            ],
        )
        Move = self.env["account.move"]
        errors, letter_rows, line_rows = [], [], []
        for letter_id, (vals, items), fee in zip(letter_ids, letters_to_make, fees, strict=True):
            currency = self.env["res.currency"].browse(vals["currency_id"])
            level = Level.browse(vals["level_id"])
            if level.apply_penalties:
                penalties, letter_errors = Letter._line_penalties(
                    results, by_line, [(line.id, line.move_id) for line, _level in items]
                )
            else:
                penalties, letter_errors = [(0.0, 0.0)] * len(items), []
            errors += letter_errors
            amounts_of_lines = [
                (line.amount_residual_currency, currency.round(interest), currency.round(indemnity))
                for (line, _level), (interest, indemnity) in zip(items, penalties, strict=True)
            ]
            credit = currency.round(credits.get((vals["partner_id"], company.id, currency.id), 0.0))
            amounts = Letter._amount_values(
                currency,
                len(amounts_of_lines),
                *(sum(column) for column in zip(*amounts_of_lines, strict=True)),
                credit,
            )
            letter_rows.append(
                (
                    letter_id,
                    vals["partner_id"],
                    vals["recipient_id"],
                    vals["user_id"] or None,
                    currency.id,
                    level.id,
                    level.policy_id.id,
                    level.channel,
                    vals["auto_send"],
                    amounts["line_count"],
                    amounts["amount_due"],
                    credit,
                    amounts["amount_net"],
                    amounts["interest_amount"],
                    amounts["indemnity_amount"],
                    currency.round(fee),
                    Move._dunning_rate_error_message(letter_errors[-1]) if letter_errors else None,
                )
            )
            line_rows += [
                (letter_id, currency.id, line.id, line.move_id, line_level.id, line.date_maturity, *line_amounts)
                for (line, line_level), line_amounts in zip(items, amounts_of_lines, strict=True)
            ]
        now = self.env.cr.now()
        self.env.execute_query(
            SQL(
                """INSERT INTO account_dunning_letter
                          (id, partner_id, recipient_id, user_id, currency_id, level_id, policy_id, channel,
                           auto_send, line_count, amount_due, credit_amount, amount_net, interest_amount,
                           indemnity_amount, fee_amount, penalty_error,
                           company_id, date, run_id, state, create_uid, write_uid, create_date, write_date,
                           access_token)
                   SELECT letter.*, %s, %s, %s, 'to_send', %s, %s, %s, %s, gen_random_uuid()::varchar
                     FROM unnest(%s::int[], %s::int[], %s::int[], %s::int[], %s::int[], %s::int[], %s::int[],
                                 %s::varchar[], %s::bool[], %s::int[], %s::numeric[], %s::numeric[],
                                 %s::numeric[], %s::numeric[], %s::numeric[], %s::numeric[],
                                 %s::varchar[]) AS letter""",
                company.id,
                run.date,
                run.id,
                self.env.uid,
                self.env.uid,
                now,
                now,
                *(list(column) for column in zip(*letter_rows, strict=True)),
            )
        )
        self.env.execute_query(
            SQL(
                """INSERT INTO account_dunning_letter_line
                          (letter_id, currency_id, move_line_id, move_id, level_id, date_maturity,
                           amount_due, interest_amount, indemnity_amount,
                           company_id, create_uid, write_uid, create_date, write_date)
                   SELECT line.*, %s, %s, %s, %s, %s
                     FROM unnest(%s::int[], %s::int[], %s::int[], %s::int[], %s::int[], %s::date[],
                                 %s::numeric[], %s::numeric[], %s::numeric[]) AS line""",
                company.id,
                self.env.uid,
                self.env.uid,
                now,
                now,
                *(list(column) for column in zip(*line_rows, strict=True)),
            )
        )
        # What the ORM may hold about these customers' and this run's letters is now stale.
        self.env["res.partner"].invalidate_model(["dunning_letter_ids"])
        run.invalidate_recordset(["letter_ids"])
        for error in errors:
            run._notify_missing_rate(error)
        return Letter.browse(letter_ids)

    @api.model
    def _stated_penalties(self, company, on_date, stated_rows, policies):
        """``account.move._compute_late_penalties(on_date)`` of the invoices of ``stated_rows``
        (the candidate rows of the lines the batch's letters state with penalties), computed
        from those rows by the same law, without reading them again nor through the ORM. The
        indemnity is owed once per late invoice, and an invoice is late when any of its
        installments is: the installments no letter states (paid ones, those at a level
        without penalties) are read in one query. ``policies``: ``{partner id: policy}``
        already known in ``company``. Returns ``{move id: MovePenalty}``."""
        invoice_rows = {
            row["move_id"]: row
            for row in stated_rows
            if row["move_type"] in INVOICE_TYPES and not row["is_dunning_penalty"]
        }
        if not invoice_rows:
            return {}
        MoveLine = self.env["account.move.line"]
        # (line id, move id, due date, penalty row) of every installment of these invoices.
        terms = [
            (
                row["id"],
                row["move_id"],
                row["date_maturity"],
                (
                    row["id"],
                    row["partner_id"],
                    row["company_id"],
                    row["currency_id"],
                    row["amount_currency"],
                    row["date_maturity"],
                    row["dunning_formal_notice_date"],
                    row["penalty_frozen"],
                    row["born"],
                    row["insolvency_date"],
                ),
            )
            for row in stated_rows
            if row["move_id"] in invoice_rows and row["display_type"] == "payment_term"
        ]
        terms += [
            (row[0], row[-1], row[5], row)
            for row in MoveLine._dunning_penalty_rows(
                SQL(
                    """aml.move_id = ANY(%s) AND aml.display_type = 'payment_term' AND aml.id != ALL(%s)
                       AND EXISTS (SELECT 1 FROM account_account account
                                    WHERE account.id = aml.account_id AND account.account_type = 'asset_receivable')""",
                    list(invoice_rows),
                    [line_id for line_id, *_rest in terms],
                )
            )
        ]
        by_line = MoveLine._dunning_penalties_of_rows(
            [row for *_keys, row in terms],
            on_date,
            {(partner_id, company.id): policy for partner_id, policy in policies.items()},
        )
        # In the order of _compute_late_penalties: by due date (none last), then id (the first
        # installment gives the invoice's regime).
        terms_by_move = defaultdict(list)
        for line_id, move_id, _due, _row in sorted(
            terms, key=lambda term: (term[1], term[2] is None, term[2] or date.min, term[0])
        ):
            terms_by_move[move_id].append(MoveLine.browse(line_id))
        Currency, Company = self.env["res.currency"], self.env["res.company"]
        return self.env["account.move"]._dunning_move_penalties(
            [
                InvoiceFacts(
                    move_id,
                    Currency.browse(row["move_currency_id"]),
                    Company.browse(row["company_id"]),
                    row["move_amount_residual"],
                    row["commercial_partner_id"],
                )
                for move_id, row in invoice_rows.items()
            ],
            terms_by_move,
            by_line,
            on_date,
            policies,
        )
