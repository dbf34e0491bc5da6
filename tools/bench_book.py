"""Receivables book generator of the benchmark (loaded by tools/bench.py inside `odoo shell`).

The few reference records go through the ORM: languages, currencies and their rate, payment
terms, a product, salespeople and the customers (batch ``create``). The bulk - posted invoices,
their payments, the reconciliations - is computed here in Python the way Odoo computes it
(payment term split, currency conversion, residual amounts, matching numbers, payment states)
and written with PostgreSQL ``COPY``: the ORM spends about 50 ms per invoice posting and
reconciling, which is hours for 100,000 invoices.

``check_book`` then proves the data is what the ORM would have made: balanced entries,
the ORM's own computations re-run on a random sample agree with what was written, the
open receivables match the generator's own count, and an invoice posted and a payment
registered through the ORM afterwards work and take the next numbers.
"""

import csv
import io
import random
import re
import time
from collections import defaultdict
from datetime import timedelta

from odoo import fields
from odoo.fields import Command

SHARE_PAID = 0.45
SHARE_PARTLY_PAID = 0.08
SHARE_DISPUTED = 0.02
SHARE_CONSUMERS = 0.20
RATES = {"USD": 1.0842, "CHF": 0.9391}  # units of the currency for one euro

# (country, share of the companies, currency, languages with weights, cities (zip, city))
COUNTRIES = [
    (
        "FR",
        0.72,
        "EUR",
        [("fr_FR", 95), ("en_US", 5)],
        [("75011", "Paris"), ("69003", "Lyon"), ("13006", "Marseille"), ("31000", "Toulouse"), ("59000", "Lille")],
    ),
    (
        "BE",
        0.18,
        "EUR",
        [("fr_FR", 50), ("nl_BE", 45), ("en_US", 5)],
        [("1000", "Bruxelles"), ("2000", "Antwerpen"), ("4000", "Liège"), ("9000", "Gent")],
    ),
    ("CH", 0.05, "CHF", [("fr_FR", 60), ("en_US", 40)], [("1201", "Genève"), ("1003", "Lausanne")]),
    ("US", 0.05, "USD", [("en_US", 100)], [("10001", "New York"), ("60601", "Chicago")]),
]
COMPANY_WORDS = ["Atelier", "Garage", "Boulangerie", "Studio", "Transports", "Imprimerie", "Cabinet", "Menuiserie"]
SURNAMES = ["Martin", "Bernard", "Dubois", "Peeters", "Janssens", "Lefebvre", "Moreau", "Maes", "Fontaine", "Girard"]
FIRST_NAMES = ["Camille", "Lucas", "Emma", "Louis", "Léa", "Noah", "Chloé", "Arthur", "Manon", "Jules"]
LEGAL_FORMS = {"FR": ["SARL", "SAS", "EURL"], "BE": ["SRL", "SA"], "CH": ["Sàrl", "SA"], "US": ["Inc.", "LLC"]}
# (name, share of the invoices, [(percent, days after the invoice date)])
TERMS = [
    ("Bench 30 days", 0.55, [(100, 30)]),
    ("Bench 60 days", 0.20, [(100, 60)]),
    ("Bench immediate", 0.10, [(100, 0)]),
    ("Bench 3 installments", 0.15, [(34, 30), (33, 60), (33, 90)]),
]


class BookError(Exception):
    """The generated book is not what the ORM would have made: stop the benchmark."""


def log(message):
    print(f"  [book] {message}", flush=True)


# ----------------------------------------------------------------------
# Reference data through the ORM
# ----------------------------------------------------------------------


def _reference_data(env, company, today):
    env["res.lang"]._activate_lang("nl_BE")
    currencies = {"EUR": company.currency_id}
    for code, rate in RATES.items():
        currency = env.ref(f"base.{code}")
        currency.active = True
        if not env["res.currency.rate"].search_count([("currency_id", "=", currency.id)]):
            env["res.currency.rate"].create(
                {
                    "currency_id": currency.id,
                    "company_id": company.id,
                    "name": today - timedelta(days=400),
                    "rate": rate,
                }
            )
        currencies[code] = currency
    terms = env["account.payment.term"].create(
        [
            {
                "name": name,
                "line_ids": [
                    Command.create({"value": "percent", "value_amount": percent, "nb_days": days})
                    for percent, days in lines
                ],
            }
            for name, _share, lines in TERMS
        ]
    )
    product = env["product.product"].create(
        {"name": "Consulting services", "type": "service", "taxes_id": [Command.clear()]}
    )
    invoicing = env.ref("account.group_account_invoice")
    users = env["res.users"]
    for index in range(1, 5):
        login = f"bench.sales{index}@example.com"
        user = users.search([("login", "=", login)])
        users |= user or users.with_context(no_reset_password=True).create(
            {"name": f"Salesperson {index}", "login": login, "email": login, "group_ids": [Command.set(invoicing.ids)]}
        )
    return currencies, terms, product, users


def _vat(country, index):
    if country == "FR":
        siren = f"{300000000 + index * 7:09d}"[:8]
        siren += str((10 - _luhn_sum(siren + "0")) % 10)
        return f"FR{(12 + 3 * (int(siren) % 97)) % 97:02d}{siren}"
    if country == "BE":
        body = f"0{4000000 + index:07d}"
        return f"BE{body}{97 - int(body) % 97:02d}"
    return False


def _luhn_sum(digits):
    total = 0
    for position, digit in enumerate(reversed(digits)):
        value = int(digit) * (2 if position % 2 else 1)
        total += value - 9 if value > 9 else value
    return total


def _weighted(rng, choices):
    return rng.choices([value for value, _weight in choices], [weight for _value, weight in choices])[0]


def _customers(env, rng, count, users):
    """Companies (some with an invoicing contact) and consumers, in batches of ORM creates."""
    country_ids = {code: env.ref(f"base.{code.lower()}").id for code, *_rest in COUNTRIES}
    vals_list, profiles = [], []
    for index in range(count):
        consumer = rng.random() < SHARE_CONSUMERS
        if consumer:
            code = "FR" if rng.random() < 0.75 else "BE"
        else:
            code = rng.choices([c[0] for c in COUNTRIES], [c[1] for c in COUNTRIES])[0]
        _code, _share, currency, langs, cities = next(c for c in COUNTRIES if c[0] == code)
        zip_code, city = rng.choice(cities)
        surname = rng.choice(SURNAMES)
        if consumer:
            name = f"{rng.choice(FIRST_NAMES)} {surname}"
        else:
            name = f"{rng.choice(COMPANY_WORDS)} {surname} {rng.choice(LEGAL_FORMS[code])}"
        vals_list.append(
            {
                "name": name,
                "is_company": not consumer,
                "ref": f"C{index:06d}",
                "email": f"billing{index}@example.com",
                "lang": _weighted(rng, langs),
                "country_id": country_ids[code],
                "street": f"{rng.randint(1, 200)} {rng.choice(['rue de la Gare', 'Grand-Rue', 'Main Street'])}",
                "zip": zip_code,
                "city": city,
                "vat": False if consumer else _vat(code, index),
                "user_id": rng.choice(users).id,
            }
        )
        # A few large customers, many small ones; consumers buy less often.
        profiles.append((currency, consumer, rng.lognormvariate(0, 1) * (0.3 if consumer else 1)))
    Partner = env["res.partner"].with_context(
        tracking_disable=True, mail_create_nolog=True, mail_create_nosubscribe=True, mail_notrack=True
    )
    partners = Partner.browse()
    for start in range(0, count, 2000):
        partners |= Partner.create(vals_list[start : start + 2000])
        log(f"{len(partners)} customers")
    contacts = {}
    companies = [partner for partner in partners if partner.is_company and rng.random() < 0.1]
    children = Partner.create(
        [
            {
                "name": "Accounts payable",
                "type": "invoice",
                "parent_id": company.id,
                "email": f"ap{company.id}@example.com",
                **{fname: company[fname] for fname in ("street", "zip", "city")},
                "country_id": company.country_id.id,
            }
            for company in companies
        ]
    )
    for parent, child in zip(companies, children, strict=True):
        contacts[parent.id] = child
    return partners, profiles, contacts


# ----------------------------------------------------------------------
# The book, computed in Python and written with COPY
# ----------------------------------------------------------------------


class _Sequence:
    """Move names in the journal's own format (``_get_starting_sequence``), numbered in date
    order after the last number already used with the same prefix."""

    def __init__(self, env, journal, move_type, is_payment=False):
        self.env, self.journal, self.move_type, self.is_payment = env, journal, move_type, is_payment
        self.formats, self.next_number = {}, {}

    def name(self, on_date):
        key = (on_date.year, on_date.month)
        if key not in self.formats:
            Move = self.env["account.move"].with_context(is_payment=self.is_payment)
            draft = Move.new({"move_type": self.move_type, "journal_id": self.journal.id, "date": on_date})
            prefix, digits = re.match(r"^(.*?)(\d+)$", draft._get_starting_sequence()).groups()
            self.formats[key] = (prefix, len(digits))
            if prefix not in self.next_number:
                self.env.cr.execute(
                    "SELECT COALESCE(MAX(sequence_number), 0) FROM account_move WHERE journal_id = %s AND sequence_prefix = %s",
                    (self.journal.id, prefix),
                )
                self.next_number[prefix] = self.env.cr.fetchone()[0] + 1
        prefix, width = self.formats[key]
        number = self.next_number[prefix]
        self.next_number[prefix] += 1
        return f"{prefix}{number:0{width}d}", prefix, number


def _reserve_ids(cr, table, count):
    cr.execute(f"SELECT nextval('{table}_id_seq') FROM generate_series(1, %s)", (count,))  # noqa: S608
    return [row[0] for row in cr.fetchall()]


def _copy(cr, table, columns, rows):
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerows(rows)
    buffer.seek(0)
    cr._obj.copy_expert(f"COPY {table} ({', '.join(columns)}) FROM STDIN WITH (FORMAT csv)", buffer)


MOVE_COLUMNS = [
    "id", "name", "sequence_prefix", "sequence_number", "journal_id", "company_id", "state", "move_type",
    "auto_post", "date", "invoice_date", "invoice_date_due", "partner_id", "commercial_partner_id",
    "partner_shipping_id", "invoice_partner_display_name", "fiscal_position_id", "invoice_payment_term_id",
    "currency_id", "invoice_user_id", "payment_reference", "ref", "payment_state", "invoice_currency_rate",
    "amount_untaxed", "amount_tax", "amount_total", "amount_residual", "amount_untaxed_signed",
    "amount_untaxed_in_currency_signed", "amount_tax_signed", "amount_total_signed",
    "amount_total_in_currency_signed", "amount_residual_signed", "always_tax_exigible", "checked",
    "posted_before", "made_sequence_gap", "is_manually_modified", "dunning_excluded", "dunning_exclusion_reason",
    "create_uid", "create_date", "write_uid", "write_date",
]  # fmt: skip
LINE_COLUMNS = [
    "id", "move_id", "journal_id", "company_id", "company_currency_id", "sequence", "account_id", "currency_id",
    "partner_id", "payment_id", "full_reconcile_id", "product_id", "product_uom_id", "move_name", "parent_state",
    "ref", "name", "matching_number", "display_type", "date", "invoice_date", "date_maturity", "debit", "credit",
    "balance", "amount_currency", "amount_residual", "amount_residual_currency", "quantity", "price_unit",
    "price_subtotal", "price_total", "discount", "discount_amount_currency", "discount_balance", "is_storno",
    "reconciled", "no_followup", "deductible_amount", "create_uid", "create_date", "write_uid", "write_date",
]  # fmt: skip
PAYMENT_COLUMNS = [
    "id", "move_id", "journal_id", "company_id", "payment_method_line_id", "payment_method_id", "currency_id",
    "partner_id", "outstanding_account_id", "destination_account_id", "name", "state", "payment_type",
    "partner_type", "memo", "date", "amount", "amount_company_currency_signed", "is_reconciled", "is_matched",
    "create_uid", "create_date", "write_uid", "write_date",
]  # fmt: skip
PARTIAL_COLUMNS = [
    "id", "debit_move_id", "credit_move_id", "full_reconcile_id", "debit_currency_id", "credit_currency_id",
    "company_id", "max_date", "amount", "debit_amount_currency", "credit_amount_currency",
    "create_uid", "create_date", "write_uid", "write_date",
]  # fmt: skip


def _payment_date(rng, invoice_date, due, today):
    kind = rng.random()
    delay = rng.randint(-15, 0) if kind < 0.6 else rng.randint(1, 45) if kind < 0.9 else rng.randint(46, 150)
    paid = max(invoice_date, due + timedelta(days=delay))
    if paid > today:
        paid = invoice_date + timedelta(days=rng.randint(0, (today - invoice_date).days))
    return paid


def _partial_payment(rng, currency, eur, rate, total_cur, installments):
    """A payment of 20-80 % of the invoice, on the first installments first; the installment it
    stops in keeps an open residual in both currencies."""
    for _attempt in range(20):
        pay_cur = currency.round(total_cur * rng.uniform(0.2, 0.8))
        pay_eur = eur.round(pay_cur / rate)
        takes, left_cur, left_eur = [], pay_cur, pay_eur
        for installment in installments:
            if currency.compare_amounts(left_cur, installment["cur"]) >= 0:
                takes.append((installment["cur"], installment["eur"]))
                left_cur, left_eur = (
                    currency.round(left_cur - installment["cur"]),
                    eur.round(left_eur - installment["eur"]),
                )
                continue
            if currency.compare_amounts(left_cur, 0) > 0:
                takes.append((left_cur, left_eur))
            break
        if all(
            take_eur == inst["eur"]
            if take_cur == inst["cur"]
            else 0 < eur.round(take_eur) < inst["eur"] and 0 < take_cur < inst["cur"]
            for (take_cur, take_eur), inst in zip(takes, installments, strict=False)
        ):
            return pay_cur, pay_eur, takes
    raise BookError("No partial payment could be split over the installments.")


def build_book(env, customers, invoices, seed=8):
    """Create the book in the current transaction (not committed); return what the checks need."""
    started = time.perf_counter()
    cr, company = env.cr, env.company
    rng = random.Random(seed)
    today = fields.Date.context_today(env["res.partner"])
    currencies, terms, product, users = _reference_data(env, company, today)
    partners, profiles, contacts = _customers(env, rng, customers, users)
    log(f"reference data and {len(partners)} customers through the ORM in {time.perf_counter() - started:.1f} s")

    eur = company.currency_id
    sale = env["account.journal"].search(
        [*env["account.journal"]._check_company_domain(company), ("type", "=", "sale")], limit=1
    )
    bank = env["account.journal"].search(
        [*env["account.journal"]._check_company_domain(company), ("type", "=", "bank")], limit=1
    )
    method_line = bank.inbound_payment_method_line_ids[:1]
    draft_payment = env["account.payment"].new(
        {"journal_id": bank.id, "payment_type": "inbound", "partner_type": "customer", "partner_id": partners[0].id}
    )
    outstanding = draft_payment._get_outstanding_account("inbound")
    receivable = partners[0].property_account_receivable_id
    if not receivable.reconcile or not outstanding.reconcile:
        raise BookError("The receivable and outstanding receipts accounts must be reconcilable.")
    Position = env["account.fiscal.position"].with_company(company)
    positions = {}  # what the invoice's fiscal position and income account depend on -> their ids

    def position_of(invoiced):
        key = (invoiced.country_id.id, invoiced.is_company, bool(invoiced.vat))
        if key not in positions:
            position = Position._get_fiscal_position(invoiced, delivery=invoiced)
            income = product.product_tmpl_id.get_product_accounts(position)["income"]
            positions[key] = (position.id or None, income.id)
        return positions[key]

    rate_of = {
        currency.id: currency._get_conversion_rate(eur, currency, company, today) for currency in currencies.values()
    }
    term_shares = [share for _name, share, _lines in TERMS]
    term_lines = [lines for _name, _share, lines in TERMS]
    weights = [profile[2] for profile in profiles]
    uid, now = env.uid, fields.Datetime.now()
    stamp = (uid, now, uid, now)

    # Draw the invoices, then number them in date order like a real journal.
    chosen = rng.choices(range(len(partners)), weights, k=invoices)
    drawn = [(today - timedelta(days=rng.randint(0, 365)), index, customer) for index, customer in enumerate(chosen)]
    drawn.sort()
    inv_seq = _Sequence(env, sale, "out_invoice")
    pay_seq = _Sequence(env, bank, "entry", is_payment=True)
    move_ids = iter(_reserve_ids(cr, "account_move", invoices * 2))
    # a payment per paid invoice at most: reserve generously, the unused ids are just skipped
    line_ids = iter(_reserve_ids(cr, "account_move_line", invoices * 6))
    payment_ids = iter(_reserve_ids(cr, "account_payment", invoices))
    partial_ids = iter(_reserve_ids(cr, "account_partial_reconcile", invoices * 3))
    full_ids = iter(_reserve_ids(cr, "account_full_reconcile", invoices))
    moves, lines, payments, partials, fulls, links = [], [], [], [], [], []
    stats = defaultdict(int)
    sample_pool = []

    def money(currency, amount):
        return f"{currency.round(amount):.{currency.decimal_places}f}"

    invoice_defaults = {
        "journal_id": sale.id, "company_id": company.id, "state": "posted", "move_type": "out_invoice",
        "auto_post": "no", "amount_tax": "0.00", "amount_tax_signed": "0.00", "always_tax_exigible": False,
        "checked": True, "posted_before": True, "made_sequence_gap": False, "is_manually_modified": True,
        "create_uid": uid, "create_date": now, "write_uid": uid, "write_date": now,
    }  # fmt: skip
    line_defaults = {
        "company_id": company.id, "company_currency_id": eur.id, "parent_state": "posted", "is_storno": False,
        "no_followup": False, "deductible_amount": 100, "discount": "0.00",
        "create_uid": uid, "create_date": now, "write_uid": uid, "write_date": now,
    }  # fmt: skip

    for invoice_date, _index, customer in drawn:
        partner = partners[customer]
        currency_code, consumer, _weight = profiles[customer]
        currency = currencies[currency_code]
        rate = rate_of[currency.id]
        invoiced = (contacts.get(partner.id) if rng.random() < 0.5 else None) or partner
        position_id, income_id = position_of(invoiced)
        term_index = rng.choices(range(len(TERMS)), term_shares)[0]
        mu, sigma = (4.8, 0.8) if consumer else (6.3, 1.1)
        total_cur = currency.round(min(max(rng.lognormvariate(mu, sigma), 15.0), 60000.0))
        total_eur = eur.round(total_cur / rate)
        name, prefix, number = inv_seq.name(invoice_date)
        move_id = next(move_ids)

        # Installments: percentages rounded, the last one takes the balance (account.payment.term).
        installments = []
        rest_cur, rest_eur = total_cur, total_eur
        plan = term_lines[term_index]
        for position, (percent, days) in enumerate(plan):
            if position == len(plan) - 1:
                part_cur, part_eur = currency.round(rest_cur), eur.round(rest_eur)
            else:
                part_cur, part_eur = currency.round(total_cur * percent / 100), eur.round(total_eur * percent / 100)
            rest_cur, rest_eur = rest_cur - part_cur, rest_eur - part_eur
            installments.append(
                {
                    "id": next(line_ids),
                    "due": invoice_date + timedelta(days=days),
                    "cur": part_cur,
                    "eur": part_eur,
                    "label": name if len(plan) == 1 else f"{name} installment #{position + 1}",
                }
            )

        # Payment: full, partial (first installments first) or none.
        draw = rng.random()
        status = "paid" if draw < SHARE_PAID else "partial" if draw < SHARE_PAID + SHARE_PARTLY_PAID else "open"
        disputed = status != "paid" and rng.random() < SHARE_DISPUTED / (1 - SHARE_PAID)
        payment = None
        if status == "paid":
            pay_cur, pay_eur = total_cur, total_eur
            takes = [(installment["cur"], installment["eur"]) for installment in installments]
        elif status == "partial":
            pay_cur, pay_eur, takes = _partial_payment(rng, currency, eur, rate, total_cur, installments)
        if status != "open":
            payment = {
                "id": next(payment_ids),
                "move_id": next(move_ids),
                "date": _payment_date(rng, invoice_date, installments[-1 if status == "paid" else 0]["due"], today),
                "cur": pay_cur,
                "eur": pay_eur,
                "liquidity_id": next(line_ids),
                "counterpart_id": next(line_ids),
            }
            payment["name"], payment["prefix"], payment["number"] = pay_seq.name(payment["date"])
        else:
            takes = []
        takes += [(0.0, 0.0)] * (len(installments) - len(takes))

        # Residuals, reconciliation and matching numbers as account.partial.reconcile leaves them.
        full_id = next(full_ids) if status == "paid" else None
        part_rows = []
        for installment, (take_cur, take_eur) in zip(installments, takes, strict=True):
            installment["res_cur"] = currency.round(installment["cur"] - take_cur)
            installment["res_eur"] = eur.round(installment["eur"] - take_eur)
            installment["paid"] = bool(take_cur)
            if take_cur:
                part_rows.append(
                    (next(partial_ids), installment["id"], payment["counterpart_id"], full_id, currency.id,
                     currency.id, company.id, max(invoice_date, payment["date"]), money(eur, take_eur),
                     money(currency, take_cur), money(currency, take_cur), *stamp)
                )  # fmt: skip
            if installment["res_cur"] > 0:
                stats["open_lines"] += 1
                if not disputed and installment["due"] < today:
                    stats["overdue_open_lines"] += 1
        matching = str(full_id) if full_id else f"P{part_rows[0][0]}" if part_rows else None
        residual_cur = currency.round(sum(installment["res_cur"] for installment in installments))
        residual_eur = eur.round(sum(installment["res_eur"] for installment in installments))
        moves.append(
            {
                **invoice_defaults,
                "id": move_id,
                "name": name,
                "sequence_prefix": prefix,
                "sequence_number": number,
                "date": invoice_date,
                "invoice_date": invoice_date,
                "invoice_date_due": max(installment["due"] for installment in installments),
                "partner_id": invoiced.id,
                "commercial_partner_id": partner.id,
                "partner_shipping_id": invoiced.id,
                "invoice_partner_display_name": invoiced.display_name,
                "fiscal_position_id": position_id,
                "invoice_payment_term_id": terms[term_index].id,
                "currency_id": currency.id,
                "invoice_user_id": partner.user_id.id,
                "payment_reference": name,
                "payment_state": {"paid": "paid", "partial": "partial"}.get(status, "not_paid"),
                "invoice_currency_rate": rate,
                "amount_untaxed": money(currency, total_cur),
                "amount_total": money(currency, total_cur),
                "amount_residual": money(currency, residual_cur),
                "amount_untaxed_signed": money(eur, total_eur),
                "amount_untaxed_in_currency_signed": money(currency, total_cur),
                "amount_total_signed": money(eur, total_eur),
                "amount_total_in_currency_signed": money(currency, total_cur),
                "amount_residual_signed": money(eur, residual_eur),
                "dunning_excluded": disputed or None,
                "dunning_exclusion_reason": "Disputed by the customer (bench)" if disputed else None,
            }
        )
        invoice_line = {
            **line_defaults,
            "move_id": move_id,
            "journal_id": sale.id,
            "currency_id": currency.id,
            "partner_id": partner.id,
            "move_name": name,
            "date": invoice_date,
            "invoice_date": invoice_date,
        }
        lines.append(
            {
                **invoice_line,
                "id": next(line_ids),
                "sequence": 100,
                "account_id": income_id,
                "product_id": product.id,
                "product_uom_id": product.uom_id.id,
                "name": product.name,
                "display_type": "product",
                "debit": "0.00",
                "credit": money(eur, total_eur),
                "balance": money(eur, -total_eur),
                "amount_currency": money(currency, -total_cur),
                "amount_residual": "0.00",
                "amount_residual_currency": "0.00",
                "quantity": "1.00",
                "price_unit": total_cur,
                "price_subtotal": money(currency, total_cur),
                "price_total": money(currency, total_cur),
                "reconciled": False,
            }
        )
        for installment in installments:
            lines.append(
                {
                    **invoice_line,
                    "id": installment["id"],
                    "sequence": 12000,
                    "account_id": receivable.id,
                    "full_reconcile_id": full_id,
                    "name": installment["label"],
                    "matching_number": matching if installment["paid"] else None,
                    "display_type": "payment_term",
                    "date_maturity": installment["due"],
                    "debit": money(eur, installment["eur"]),
                    "credit": "0.00",
                    "balance": money(eur, installment["eur"]),
                    "amount_currency": money(currency, installment["cur"]),
                    "amount_residual": money(eur, installment["res_eur"]),
                    "amount_residual_currency": money(currency, installment["res_cur"]),
                    "quantity": "0.00",
                    "price_unit": 0.0,
                    "price_subtotal": "0.00",
                    "price_total": "0.00",
                    "discount_amount_currency": "0.00",
                    "discount_balance": "0.00",
                    "reconciled": currency.is_zero(installment["res_cur"]) and eur.is_zero(installment["res_eur"]),
                }
            )
        if payment:
            pay_name, pay_date = payment["name"], payment["date"]
            moves.append(
                {
                    **invoice_defaults,
                    "id": payment["move_id"],
                    "name": pay_name,
                    "sequence_prefix": payment["prefix"],
                    "sequence_number": payment["number"],
                    "journal_id": bank.id,
                    "move_type": "entry",
                    "date": pay_date,
                    "invoice_date_due": pay_date,
                    "partner_id": partner.id,
                    "commercial_partner_id": partner.id,
                    "invoice_partner_display_name": partner.display_name,
                    "fiscal_position_id": position_of(partner)[0],
                    "currency_id": currency.id,
                    "ref": name,
                    "payment_state": "not_paid",
                    "invoice_currency_rate": 0.0,
                    "amount_untaxed": "0.00",
                    "amount_total": money(currency, payment["cur"]),
                    "amount_residual": "0.00",
                    "amount_untaxed_signed": "0.00",
                    "amount_untaxed_in_currency_signed": "0.00",
                    "amount_total_signed": money(eur, payment["eur"]),
                    "amount_total_in_currency_signed": money(currency, payment["cur"]),
                    "amount_residual_signed": "0.00",
                    "always_tax_exigible": True,
                    "is_manually_modified": False,
                }
            )
            payment_line = {
                **line_defaults,
                "move_id": payment["move_id"],
                "journal_id": bank.id,
                "sequence": 100,
                "currency_id": currency.id,
                "partner_id": partner.id,
                "payment_id": payment["id"],
                "move_name": pay_name,
                "ref": name,
                "name": f"{method_line.name}: {name}",
                "display_type": "product",
                "date": pay_date,
                "date_maturity": pay_date,
                "quantity": "1.00",
                "price_unit": 0.0,
            }
            lines.append(
                {
                    **payment_line,
                    "id": payment["liquidity_id"],
                    "account_id": outstanding.id,
                    "debit": money(eur, payment["eur"]),
                    "credit": "0.00",
                    "balance": money(eur, payment["eur"]),
                    "amount_currency": money(currency, payment["cur"]),
                    "amount_residual": money(eur, payment["eur"]),
                    "amount_residual_currency": money(currency, payment["cur"]),
                    "price_subtotal": money(currency, payment["cur"]),
                    "price_total": money(currency, payment["cur"]),
                    "reconciled": False,
                }
            )
            lines.append(
                {
                    **payment_line,
                    "id": payment["counterpart_id"],
                    "account_id": receivable.id,
                    "full_reconcile_id": full_id,
                    "matching_number": matching,
                    "debit": "0.00",
                    "credit": money(eur, payment["eur"]),
                    "balance": money(eur, -payment["eur"]),
                    "amount_currency": money(currency, -payment["cur"]),
                    "amount_residual": "0.00",
                    "amount_residual_currency": "0.00",
                    "price_subtotal": money(currency, -payment["cur"]),
                    "price_total": money(currency, -payment["cur"]),
                    "reconciled": True,
                }
            )
            payments.append(
                (payment["id"], payment["move_id"], bank.id, company.id, method_line.id,
                 method_line.payment_method_id.id, currency.id, partner.id, outstanding.id, receivable.id, pay_name,
                 "paid" if status == "paid" else "in_process", "inbound", "customer", name, pay_date,
                 money(currency, payment["cur"]), money(eur, payment["eur"]), True, False, *stamp)
            )  # fmt: skip
            links.append((move_id, payment["id"]))
            partials.extend(part_rows)
            if full_id:
                fulls.append((full_id, *stamp))
        stats[status] += 1
        stats["disputed"] += disputed
        stats["installments"] += len(installments) > 1
        stats["foreign"] += currency != eur
        sample_pool.append(move_id)
    log(f"{invoices} invoices computed in {time.perf_counter() - started:.1f} s")

    # Payment moves point to their payment and back: the payment's link is set after both exist.
    _copy(cr, "account_full_reconcile", ["id", "create_uid", "create_date", "write_uid", "write_date"], fulls)
    _copy(cr, "account_move", MOVE_COLUMNS, [[move.get(column) for column in MOVE_COLUMNS] for move in moves])
    _copy(cr, "account_payment", PAYMENT_COLUMNS, payments)
    cr.execute(
        """UPDATE account_move move SET origin_payment_id = payment.id
             FROM account_payment payment
            WHERE payment.move_id = move.id AND payment.id = ANY(%s)""",
        ([row[0] for row in payments],),
    )
    _copy(cr, "account_move_line", LINE_COLUMNS, [[line.get(column) for column in LINE_COLUMNS] for line in lines])
    _copy(cr, "account_partial_reconcile", PARTIAL_COLUMNS, partials)
    _copy(cr, "account_move__account_payment", ["invoice_id", "payment_id"], links)
    # Posting an invoice ranks its customer (res.partner._increase_rank).
    cr.execute(
        """UPDATE res_partner partner SET customer_rank = counted.invoices
             FROM (SELECT partner_id, COUNT(*) AS invoices FROM account_move
                    WHERE id = ANY(%s) GROUP BY partner_id) counted
            WHERE counted.partner_id = partner.id""",
        (sample_pool,),
    )
    cr.execute("ANALYZE account_move, account_move_line, account_partial_reconcile, account_payment")
    env.invalidate_all()
    log(
        f"written: {len(moves)} moves, {len(lines)} lines, {len(payments)} payments, {len(partials)} partial "
        f"and {len(fulls)} full reconciliations in {time.perf_counter() - started:.1f} s"
    )
    stats.update(
        seconds=round(time.perf_counter() - started, 1),
        first_move_id=min(move["id"] for move in moves),
        invoice_ids=sample_pool,
        customers=len(partners),
        bank_journal=bank,
        sale_journal=sale,
        inv_next=dict(inv_seq.next_number),
        pay_next=dict(pay_seq.next_number),
    )
    return stats


# ----------------------------------------------------------------------
# Consistency checks
# ----------------------------------------------------------------------


def _rolled_back(env, func):
    """Run ``func`` in a savepoint that is always rolled back: it proves the ORM works on the
    book without changing it."""

    class _Undo(Exception):
        pass

    result = {}
    try:
        with env.cr.savepoint():
            result["value"] = func()
            env.flush_all()
            raise _Undo
    except _Undo:
        pass
    env.invalidate_all()
    return result["value"]


def _compare_recomputed(env, records, fnames):
    """Stored values of ``fnames`` against what the ORM's compute methods give for ``records``."""
    env.invalidate_all()
    stored = {(record.id, fname): record[fname] for record in records for fname in fnames}
    for fname in fnames:
        env.add_to_compute(records._fields[fname], records)
    errors = []
    for record in records:
        for fname in fnames:
            field = records._fields[fname]
            before, after = stored[record.id, fname], record[fname]
            if field.type in ("float", "monetary"):
                same = abs((before or 0.0) - (after or 0.0)) < 0.005
            else:
                same = before == after
            if not same:
                errors.append(f"{record._name}({record.id}).{fname}: stored {before!r}, ORM computes {after!r}")
    env.invalidate_all()
    return errors


def check_book(env, stats, sample_size=200, seed=8):
    """Abort (BookError) unless the generated book is consistent; return what was checked."""
    started = time.perf_counter()
    cr, company = env.cr, env.company
    rng = random.Random(seed)
    today = fields.Date.context_today(env["res.partner"])
    first = stats["first_move_id"]
    report = {}

    # 1. Every entry balanced, debit/credit agree with the balance, one currency per entry.
    cr.execute(
        """SELECT move_id FROM account_move_line WHERE move_id >= %s GROUP BY move_id
           HAVING SUM(balance) <> 0 OR SUM(amount_currency) <> 0 OR COUNT(DISTINCT currency_id) > 1
               OR BOOL_OR(debit - credit <> balance OR debit < 0 OR credit < 0) LIMIT 5""",
        (first,),
    )
    if unbalanced := [row[0] for row in cr.fetchall()]:
        raise BookError(f"Unbalanced entries: {unbalanced}")
    cr.execute("SELECT COUNT(DISTINCT move_id) FROM account_move_line WHERE move_id >= %s", (first,))
    report["entries_balanced"] = cr.fetchone()[0]

    # 2. The ORM's own computations on a sample agree with what was written.
    pool = stats["invoice_ids"]
    invoices = env["account.move"].browse(sorted(rng.sample(pool, min(sample_size, len(pool)))))
    payments = invoices.matched_payment_ids
    moves = invoices | payments.move_id
    lines = moves.line_ids
    errors = _compare_recomputed(env, lines, ["amount_residual", "amount_residual_currency", "reconciled"])
    errors += _compare_recomputed(
        env,
        moves,
        [
            "amount_untaxed", "amount_tax", "amount_total", "amount_residual", "amount_untaxed_signed",
            "amount_untaxed_in_currency_signed", "amount_tax_signed", "amount_total_signed",
            "amount_total_in_currency_signed", "amount_residual_signed", "payment_state",
        ],
    )  # fmt: skip
    errors += _compare_recomputed(env, invoices, ["invoice_currency_rate", "fiscal_position_id"])
    errors += _compare_recomputed(
        env, payments, ["state", "is_reconciled", "is_matched", "amount_company_currency_signed"]
    )
    # the payment term split and due dates the ORM would make
    for invoice in invoices:
        expected = sorted(
            (key["date_maturity"], round(values["balance"], 2), round(values["amount_currency"], 2))
            for key, values in invoice.needed_terms.items()
        )
        written = sorted(
            (line.date_maturity, line.balance, line.amount_currency)
            for line in invoice.line_ids
            if line.display_type == "payment_term"
        )
        if expected != written:
            errors.append(f"{invoice.name}: payment terms {written}, ORM computes {expected}")
        for line in invoice.invoice_line_ids:
            if line.company_currency_id.compare_amounts(line.amount_currency / line.currency_rate, line.balance):
                errors.append(f"{invoice.name}: line balance {line.balance} is not its converted amount")
    # matching numbers as the reconciliation engine numbers them
    written = {line.id: line.matching_number for line in lines}

    def renumber():
        env["account.partial.reconcile"]._update_matching_number(lines)
        return {line.id: line.matching_number for line in lines}

    renumbered = _rolled_back(env, renumber)
    errors += [
        f"line {key}: matching {written[key]!r}, ORM {value!r}"
        for key, value in renumbered.items()
        if written[key] != value
    ]
    lines._constrains_matching_number()
    if errors:
        raise BookError("The ORM disagrees with the generated book:\n" + "\n".join(errors[:30]))
    report["sample"] = {"invoices": len(invoices), "payments": len(payments), "lines": len(lines)}

    # 3. Open receivables as the generator counted them.
    owed = [
        ("company_id", "=", company.id),
        ("parent_state", "=", "posted"),
        ("account_type", "=", "asset_receivable"),
        ("reconciled", "=", False),
        ("amount_residual_currency", ">", 0),
        ("move_id.move_type", "=", "out_invoice"),
    ]
    AML = env["account.move.line"]
    open_lines = AML.search_count(owed)
    overdue = AML.search_count([*owed, ("date_maturity", "<", today), ("move_id.dunning_excluded", "!=", True)])
    if open_lines != stats["open_lines"] or overdue != stats["overdue_open_lines"]:
        raise BookError(
            f"Open lines {open_lines} (expected {stats['open_lines']}), overdue and not disputed "
            f"{overdue} (expected {stats['overdue_open_lines']})."
        )
    report["open_lines"], report["overdue_candidates"] = open_lines, overdue

    # 4. The ORM still works on the book: a payment registered, an invoice posted, next numbers.
    partly_paid = [("id", "in", pool), ("payment_state", "=", "partial")]
    target = env["account.move"].search(
        [*partly_paid, ("currency_id", "!=", company.currency_id.id)], order="id desc", limit=1
    ) or env["account.move"].search(partly_paid, order="id desc", limit=1)

    def pay_and_invoice():
        wizard = env["account.payment.register"].with_context(active_model="account.move", active_ids=target.ids)
        payment = wizard.create({"payment_date": today})._create_payments()
        invoice = env["account.move"].create(
            {
                "move_type": "out_invoice",
                "partner_id": target.commercial_partner_id.id,
                "invoice_date": today,
                "invoice_line_ids": [Command.create({"name": "Follow-up work", "quantity": 1, "price_unit": 250})],
            }
        )
        invoice.action_post()
        return target.payment_state, target.amount_residual, payment.name, invoice.name

    state, residual, payment_name, invoice_name = _rolled_back(env, pay_and_invoice)
    expected_invoice = "{}{:05d}".format(*max(stats["inv_next"].items()))
    expected_payment = "{}{:05d}".format(*max(stats["pay_next"].items()))
    if state != "paid" or residual or (invoice_name, payment_name) != (expected_invoice, expected_payment):
        raise BookError(
            f"ORM after generation: {target.name} is {state} ({residual} left) after its payment {payment_name} "
            f"(expected {expected_payment}); new invoice {invoice_name}, expected {expected_invoice}."
        )
    report["orm_actions"] = f"paid {target.name} by {payment_name}; posted {invoice_name}"
    report["seconds"] = round(time.perf_counter() - started, 1)
    return report
