"""Several workers draining the sending queue, run inside `odoo shell` by tools/bench-workers.

BENCH_WORKER_MODE says what this process does:
- ``queue``: put BENCH_WORKER_LETTERS letters of the latest run (to send, with an e-mail
  address) in the sending queue, batches of BENCH_WORKER_BATCH (default 5), and commit;
  writes their ids to BENCH_WORKER_IDS.
- ``drain``: send the queue (``account.dunning.send.queue._drain``, committing each batch)
  and print how many letters this process sent and how long it took.
- ``check``: each letter of BENCH_WORKER_IDS sent exactly once (one e-mail each).
"""
# ruff: noqa: F821 - `env` is given by odoo shell

import json
import os
import time

MODE = os.environ["BENCH_WORKER_MODE"]
IDS_FILE = os.environ["BENCH_WORKER_IDS"]
Letter = env["account.dunning.letter"]
Queue = env["account.dunning.send.queue"]

if MODE == "queue":
    count = int(os.environ.get("BENCH_WORKER_LETTERS", "200"))
    run = env["account.dunning.run"].search([("company_id", "=", env.company.id)], order="date desc", limit=1)
    letters = Letter.search([("run_id", "=", run.id), ("state", "=", "to_send"), ("send_queued", "=", False)])
    letters = letters.filtered(lambda letter: (letter.recipient_id or letter.partner_id).email)[:count]
    letters.write({"send_queued": True, "channel": "email"})
    # Batches small enough for every worker to get some.
    batch = os.environ.get("BENCH_WORKER_BATCH", "5")
    env["ir.config_parameter"].set_param("account_dunning.send_batch_size", batch)
    env.cr.commit()
    with open(IDS_FILE, "w") as handle:
        json.dump(letters.ids, handle)
    print(f"queued {len(letters)} letters of the run of {run.date}")
elif MODE == "drain":
    sent = []
    original = type(Queue)._send_letters

    def counting(queue, letters):
        sent.extend(letters.ids)
        return original(queue, letters)

    type(Queue)._send_letters = counting
    started = time.perf_counter()
    Queue._drain(commit=True)
    wall = time.perf_counter() - started
    print(f"worker {os.getpid()}: {len(sent)} letters in {wall:.2f} s")
elif MODE == "check":
    with open(IDS_FILE) as handle:
        ids = json.load(handle)
    letters = Letter.browse(ids)
    states = {}
    for letter in letters:
        states[letter.state] = states.get(letter.state, 0) + 1
    mails = env["mail.mail"].search([("model", "=", Letter._name), ("res_id", "in", ids)])
    per_letter = {}
    for mail in mails:
        per_letter[mail.res_id] = per_letter.get(mail.res_id, 0) + 1
    twice = [letter_id for letter_id, count in per_letter.items() if count > 1]
    print(f"check: {len(ids)} letters, states {states}, e-mails {len(mails)}, letters with two e-mails: {len(twice)}")
