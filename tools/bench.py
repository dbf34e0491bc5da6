"""Benchmark of account_dunning, run inside `odoo shell` by tools/bench.

Fills the database with a receivables book (BENCH_CUSTOMERS customers, BENCH_INVOICES
invoices over the last 12 months, some on installments, a share paid or partly paid, some
disputed: tools/bench_book.py) unless it is already there, checks it and commits it, then
measures the daily run (letters created, not sent), the penalties
of every open line, the board's first page and the statement PDF of the largest customer:
wall time, SQL queries, process peak memory (RSS), rows. Results go to BENCH_RESULTS (JSON).
"""
# ruff: noqa: F821 - `env` is given by odoo shell

import json
import os
import resource
import sys
import time
from datetime import date

from odoo import fields

sys.path.insert(0, os.environ["BENCH_TOOLS"])
import bench_book  # tools/bench_book.py, found through BENCH_TOOLS

CUSTOMERS = int(os.environ.get("BENCH_CUSTOMERS", "2000"))
INVOICES = int(os.environ.get("BENCH_INVOICES", "10000"))
RESULTS = os.environ["BENCH_RESULTS"]
# BENCH_STEPS=penalties,statement measures only those steps (default: all five). Two more
# on demand: "run-skip" (the daily run with level skipping allowed, so that most letters
# state penalties) and "oca" (OCA's account_credit_control run on the same book, when
# tools/bench could install it).
STEPS = os.environ.get("BENCH_STEPS", "run,penalties,board,statement,send").split(",")
# The send step: BENCH_SEND letters sent through the queue in batches, BENCH_SEND_ALONE sent
# one at a time, for e-mail and printed letters (all rolled back afterwards).
SEND = int(os.environ.get("BENCH_SEND", "200"))
SEND_ALONE = int(os.environ.get("BENCH_SEND_ALONE", "10"))


def measure(label, rows_of, func):
    env.invalidate_all()
    env.cr.flush()
    queries = env.cr.sql_log_count
    # Memory is the process's peak resident size so far (tracing Python allocations with
    # tracemalloc slowed the steps 2-3 times, so it would have falsified the wall times).
    started = time.perf_counter()
    result = func()
    env.flush_all()
    wall = time.perf_counter() - started
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024
    row = {
        "step": label,
        "wall_s": round(wall, 3),
        "queries": env.cr.sql_log_count - queries,
        "peak_rss_mib": round(peak / 2**20, 1),
        "rows": rows_of(result),
    }
    print(
        f"{label:<34} {row['wall_s']:>9.3f} s {row['queries']:>8} queries "
        f"{row['peak_rss_mib']:>8.1f} MiB {row['rows']:>9} rows"
    )
    return row


company = env.company
existing = env["account.move"].search_count([("move_type", "=", "out_invoice"), ("company_id", "=", company.id)])
book = None
if existing < INVOICES:
    if existing:
        raise SystemExit(f"{env.cr.dbname} holds {existing} invoices, fewer than {INVOICES}: drop it and run again.")
    book = bench_book.build_book(env, CUSTOMERS, INVOICES)
    print(
        f"book built in {book['seconds']:.1f} s: {book['paid']} paid, {book['partial']} partly paid, "
        f"{book['open']} open, {book['disputed']} disputed, {book['installments']} on installments, "
        f"{book['foreign']} in USD/CHF"
    )
    checks = bench_book.check_book(env, book)
    print(f"book checked in {checks['seconds']:.1f} s: {checks}")
    env.cr.commit()

today = fields.Date.context_today(env["res.partner"])
open_lines = env["account.move.line"].search_count(
    [
        ("company_id", "=", company.id),
        ("account_type", "=", "asset_receivable"),
        ("reconciled", "=", False),
        ("parent_state", "=", "posted"),
        ("amount_residual_currency", ">", 0),
    ]
)
results = {
    "date": str(date.today()),
    "book": book
    and {
        "generation_s": book["seconds"],
        "check_s": checks["seconds"],
        **{key: book[key] for key in ("paid", "partial", "open", "disputed", "installments", "foreign")},
    },
    "customers": CUSTOMERS,
    "invoices": INVOICES,
    "open_lines": open_lines,
    "steps": [],
}
if "run" in STEPS:
    Run = env["account.dunning.run"]
    # A fresh run each time: remove what an earlier benchmark made today (its letters were
    # never sent: the send step rolls back), so every measure starts from the same book.
    previous = Run.search([("company_id", "=", company.id), ("date", "=", today)])
    env["account.dunning.letter"].search([("run_id", "in", previous.ids)]).unlink()
    previous.unlink()
    env.cr.commit()
    run = Run.create({"company_id": company.id, "date": today, "send_letters": False})
    results["steps"].append(
        measure("daily run (letters created)", lambda r: r.lines_examined, lambda: (run._execute(), run)[1])
    )
    env.cr.commit()
if "run-skip" in STEPS:
    # The same run as if every policy let a line jump to the furthest level due: most letters
    # then state penalties (the first run of the book otherwise reaches the first levels
    # only, which state none). Measured, then rolled back.
    Run = env["account.dunning.run"]
    env.cr.execute("SAVEPOINT bench_run_skip")
    previous = Run.search([("company_id", "=", company.id), ("date", "=", today)])
    env["account.dunning.letter"].search([("run_id", "in", previous.ids)]).unlink()
    previous.unlink()
    env["account.dunning.policy"].search([("company_id", "in", (company.id, False))]).allow_level_skip = True
    run = Run.create({"company_id": company.id, "date": today, "send_letters": False})
    env.flush_all()
    row = measure("daily run, levels skipped", lambda r: r.lines_examined, lambda: (run._execute(), run)[1])
    stated = env["account.dunning.letter.line"].search_count([("letter_id.run_id", "=", run.id)])
    with_penalties = env["account.dunning.letter"].search_count(
        [("run_id", "=", run.id), ("level_id.apply_penalties", "=", True)]
    )
    print(f"  {run.letters_created} letters ({with_penalties} stating penalties), {stated} letter lines")
    row.update(letters=run.letters_created, letters_with_penalties=with_penalties, letter_lines=stated)
    results["steps"].append(row)
    env.cr.execute("ROLLBACK TO SAVEPOINT bench_run_skip")
    env.invalidate_all()
if "oca" in STEPS:
    if "credit.control.run" not in env:
        print("oca: account_credit_control is not installed (pip install odoo-addon-account-credit-control): skipped")
    else:
        # OCA's credit control run on the same book: one policy whose levels follow the
        # addon's default professional policy (7, 20, 45 and 60 days after the due date; OCA
        # has no courtesy level before it), on the company's receivable accounts, set as the
        # company's policy. Measured, then rolled back (nothing of it stays in the book).
        env.cr.execute("SAVEPOINT bench_oca")
        template = env.ref("account_credit_control.email_template_credit_control_base")
        receivable = env["account.account"].search(
            [("company_ids", "in", company.id), ("account_type", "=", "asset_receivable")]
        )
        policy = env["credit.control.policy"].create(
            {
                "name": "Benchmark policy",
                "company_id": company.id,
                "account_ids": [(6, 0, receivable.ids)],
                "level_ids": [
                    (
                        0,
                        0,
                        {
                            "name": f"{delay} days",
                            "level": number,
                            "computation_mode": "net_days",
                            "delay_days": delay,
                            "email_template_id": template.id,
                            "channel": channel,
                            "custom_text": "Please pay.",
                            "custom_mail_text": "<p>Please pay.</p>",
                        },
                    )
                    for number, (delay, channel) in enumerate(
                        ((7, "email"), (20, "email"), (45, "letter"), (60, "phone")), start=1
                    )
                ],
            }
        )
        company.credit_policy_id = policy
        oca_run = env["credit.control.run"].create(
            {"date": today, "company_id": company.id, "policy_ids": [(6, 0, policy.ids)]}
        )
        env.flush_all()
        row = measure(
            "OCA credit control run",
            lambda r: len(oca_run.line_ids),
            oca_run.generate_credit_lines,
        )
        row["note"] = "rows: credit control lines generated (one per receivable line reminded)"
        results["steps"].append(row)
        env.cr.execute("ROLLBACK TO SAVEPOINT bench_oca")
        env.invalidate_all()
invoices = env["account.move"].search(
    [
        ("company_id", "=", company.id),
        ("move_type", "=", "out_invoice"),
        ("state", "=", "posted"),
        ("payment_state", "in", ("not_paid", "partial")),
    ]
)
if "penalties" in STEPS:
    results["steps"].append(
        measure(
            "penalties of all open lines",
            lambda r: sum(len(v.lines) for v in r.values()),
            lambda: invoices._compute_late_penalties(today),
        )
    )
Case = env["account.dunning.case"].with_context(read_group_expand=True)
domain = [("company_id", "=", company.id), ("stage_id.is_resolved", "=", False)]


def board():
    groups = Case.web_read_group(domain, ["stage_id"], ["amount_overdue:sum"])
    records = Case.web_search_read(
        domain,
        {
            "partner_id": {"fields": {"display_name": {}}},
            "amount_overdue": {},
            "oldest_days_late": {},
            "next_action_date": {},
            "user_id": {"fields": {"display_name": {}}},
            "priority": {},
            "urgency": {},
            "activity_ids": {},
        },
        limit=40,
    )
    return groups, records


if "board" in STEPS:
    results["steps"].append(measure("board first page", lambda r: r[1]["length"], board))
largest = env["account.move.line"]._read_group(
    [
        ("company_id", "=", company.id),
        ("account_type", "=", "asset_receivable"),
        ("reconciled", "=", False),
        ("parent_state", "=", "posted"),
    ],
    ["partner_id"],
    ["__count"],
    order="__count desc",
    limit=1,
)[0][0]
if "statement" in STEPS:
    results["steps"].append(
        measure(
            "statement PDF, largest customer",
            lambda r: len(r[0]),
            lambda: env["ir.actions.report"]._render_qweb_pdf(
                "account_dunning.action_report_dunning_statement", largest.ids
            ),
        )
    )


def send_step(channel):
    """Send letters of the day's run on ``channel``: SEND through the queue (batches of the
    queue's size), then SEND_ALONE one at a time with action_send; per letter figures. All
    of it is rolled back (the letters stay to send)."""
    Letter = env["account.dunning.letter"]
    Queue = env["account.dunning.send.queue"]
    run = env["account.dunning.run"].search([("company_id", "=", company.id), ("date", "=", today)], limit=1)
    letters = Letter.search([("run_id", "=", run.id), ("state", "=", "to_send")], order="id")
    letters = letters.filtered(lambda letter: (letter.recipient_id or letter.partner_id).email)
    batched, alone = letters[:SEND], letters[SEND : SEND + SEND_ALONE]
    # The channel's letter-by-letter path (what every letter took before batches), for
    # comparison: SEND_ALONE letters through the queue with _send_batch switched off.
    old_path = letters[SEND + SEND_ALONE : SEND + 2 * SEND_ALONE]
    if len(batched) < SEND or len(old_path) < SEND_ALONE:
        print(f"send ({channel}): only {len(letters)} letters to send with an e-mail address, skipped")
        return
    env.flush_all()
    env.cr.execute("SAVEPOINT bench_send")
    letters.write({"channel": channel})

    def send_batched():
        for start in range(0, len(batched), Queue._batch_size()):
            Queue._send_letters(batched[start : start + Queue._batch_size()])
        return batched

    def send_alone():
        for letter in alone:
            letter.with_context(dunning_send_date=today, mail_notify_force_send=False).action_send()
        return alone

    def send_old_path():
        channel_class = type(env[f"account.dunning.channel.{channel}"])
        original = channel_class._send_batch
        channel_class._send_batch = lambda self, letters: self._send_one_by_one(letters)
        try:
            Queue._send_letters(old_path)
        finally:
            channel_class._send_batch = original
        return old_path

    rows = [
        measure(f"send {SEND} {channel} letters, batched", len, send_batched),
        measure(f"send {SEND_ALONE} {channel} letters, alone", len, send_alone),
        measure(f"send {SEND_ALONE} {channel} letters, one by one", len, send_old_path),
    ]
    states = dict.fromkeys(("sent", "failed", "cancelled", "to_send"), 0)
    for letter in batched | alone | old_path:
        states[letter.state] += 1
    env.cr.execute("ROLLBACK TO SAVEPOINT bench_send")
    env.invalidate_all()
    per_batched = rows[0]["wall_s"] / SEND, rows[0]["queries"] / SEND
    per_alone = rows[1]["wall_s"] / SEND_ALONE, rows[1]["queries"] / SEND_ALONE
    per_old = rows[2]["wall_s"] / SEND_ALONE, rows[2]["queries"] / SEND_ALONE
    print(
        f"  per letter: batched {per_batched[0]:.3f} s / {per_batched[1]:.1f} queries, "
        f"alone {per_alone[0]:.3f} s / {per_alone[1]:.1f} queries, "
        f"one by one {per_old[0]:.3f} s / {per_old[1]:.1f} queries: a batched letter costs "
        f"{per_batched[0] / per_alone[0]:.2f} of one alone; states {states}"
    )
    for row in rows:
        row["per_letter_s"] = round(row["wall_s"] / row["rows"], 4)
        row["per_letter_queries"] = round(row["queries"] / row["rows"], 1)
        row["states"] = states
    results["steps"] += rows


if "send" in STEPS:
    if os.environ.get("BENCH_REPORT_URL"):
        env["ir.config_parameter"].set_param("report.url", os.environ["BENCH_REPORT_URL"])
    for channel in ("email", "letter"):
        send_step(channel)
with open(RESULTS, "w") as handle:
    json.dump(results, handle, indent=2)
print(f"results written to {RESULTS}")
