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
from decimal import ROUND_HALF_UP, Decimal
from typing import NamedTuple

from odoo import fields
from odoo.fields import Command
from odoo.tools import SQL

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


CENT = Decimal("0.01")


def _round(amount):
    """``currency.round`` for the book's currencies (all by the cent: checked in _reference_data),
    half away from zero like ``float_round``, without the ORM's per-call cost."""
    return float(Decimal(repr(amount)).quantize(CENT, ROUND_HALF_UP))


def _money(amount):
    return str(Decimal(repr(amount)).quantize(CENT, ROUND_HALF_UP))


class _Customer(NamedTuple):
    """What an invoice needs of its customer, read once from the ORM."""

    id: int
    display_name: str
    user_id: int | None
    position_id: int | None
    income_id: int


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
    for currency in currencies.values():
        if currency.rounding != 0.01:
            raise BookError(f"The generator rounds by the cent, {currency.name} rounds by {currency.rounding}.")
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
                    SQL(
                        "SELECT COALESCE(MAX(sequence_number), 0) FROM account_move"
                        " WHERE journal_id = %s AND sequence_prefix = %s",
                        self.journal.id,
                        prefix,
                    )
                )
                self.next_number[prefix] = self.env.cr.fetchone()[0] + 1
        prefix, width = self.formats[key]
        number = self.next_number[prefix]
        self.next_number[prefix] += 1
        return f"{prefix}{number:0{width}d}", prefix, number


def _reserve_ids(cr, table, count):
    cr.execute(SQL("SELECT nextval(%s::regclass) FROM generate_series(1, %s)", f"{table}_id_seq", count))
    return [row[0] for row in cr.fetchall()]


def _copy(cr, table, columns, rows):
    started = time.perf_counter()
    buffer = io.StringIO()
    csv.writer(buffer).writerows(rows)
    buffer.seek(0)
    query = SQL(
        "COPY %s (%s) FROM STDIN WITH (FORMAT csv)",
        SQL.identifier(table),
        SQL(", ").join(SQL.identifier(column) for column in columns),
    )
    cr._obj.copy_expert(query.code, buffer)
    log(f"{len(rows)} rows copied into {table} in {time.perf_counter() - started:.1f} s")


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


def _partial_payment(rng, rate, total_cur, installments):
    """A payment of 20-80 % of the invoice, on the first installments first; the installment it
    stops in keeps an open residual in both currencies."""
    for _attempt in range(20):
        pay_cur = _round(total_cur * rng.uniform(0.2, 0.8))
        pay_eur = _round(pay_cur / rate)
        takes, left_cur, left_eur = [], pay_cur, pay_eur
        for installment in installments:
            if left_cur >= installment["cur"]:
                takes.append((installment["cur"], installment["eur"]))
                left_cur, left_eur = (
                    _round(left_cur - installment["cur"]),
                    _round(left_eur - installment["eur"]),
                )
                continue
            if left_cur > 0:
                takes.append((left_cur, left_eur))
            break
        if all(
            take_eur == inst["eur"]
            if take_cur == inst["cur"]
            else 0 < take_eur < inst["eur"] and 0 < take_cur < inst["cur"]
            for (take_cur, take_eur), inst in zip(takes, installments, strict=False)
        ):
            return pay_cur, pay_eur, takes
    raise BookError("No partial payment could be split over the installments.")


class _BookWriter:
    """Rows of the book's tables, computed the way Odoo computes them, then written by COPY."""

    def __init__(self, env, rng, today, refs, invoices):
        self.env, self.rng, self.today = env, rng, today
        self.company = env.company
        self.eur = self.company.currency_id
        self.product, self.terms = refs["product"], refs["terms"]
        journals = env["account.journal"].search(env["account.journal"]._check_company_domain(self.company))
        self.sale = journals.filtered(lambda journal: journal.type == "sale")[:1]
        self.bank = journals.filtered(lambda journal: journal.type == "bank")[:1]
        self.method_line = self.bank.inbound_payment_method_line_ids[:1]
        draft_payment = env["account.payment"].new(
            {"journal_id": self.bank.id, "payment_type": "inbound", "partner_type": "customer"}
        )
        self.outstanding = draft_payment._get_outstanding_account("inbound")
        self.receivable = refs["partners"][0].property_account_receivable_id
        if not self.receivable.reconcile or not self.outstanding.reconcile:
            raise BookError("The receivable and outstanding receipts accounts must be reconcilable.")
        self.rate_of = {
            currency.id: currency._get_conversion_rate(self.eur, currency, self.company, today)
            for currency in refs["currencies"].values()
        }
        self.positions = {}
        self.inv_seq = _Sequence(env, self.sale, "out_invoice")
        self.pay_seq = _Sequence(env, self.bank, "entry", is_payment=True)
        cr = env.cr
        # ids reserved from the tables' sequences: enough for every case, the unused ones are skipped
        self.ids = {
            "move": iter(_reserve_ids(cr, "account_move", invoices * 2)),
            "line": iter(_reserve_ids(cr, "account_move_line", invoices * 6)),
            "payment": iter(_reserve_ids(cr, "account_payment", invoices)),
            "partial": iter(_reserve_ids(cr, "account_partial_reconcile", invoices * 3)),
            "full": iter(_reserve_ids(cr, "account_full_reconcile", invoices)),
        }
        self.moves, self.lines, self.payments, self.partials, self.fulls, self.links = [], [], [], [], [], []
        self.invoice_ids = []
        self.stats = defaultdict(int)
        uid, now = env.uid, fields.Datetime.now()
        self.stamp = (uid, now, uid, now)
        stamp = {"create_uid": uid, "create_date": now, "write_uid": uid, "write_date": now}
        self.move_defaults = {
            "company_id": self.company.id, "state": "posted", "auto_post": "no", "amount_tax": "0.00",
            "amount_tax_signed": "0.00", "checked": True, "posted_before": True, "made_sequence_gap": False, **stamp,
        }  # fmt: skip
        self.line_defaults = {
            "company_id": self.company.id, "company_currency_id": self.eur.id, "parent_state": "posted",
            "is_storno": False, "no_followup": False, "deductible_amount": 100, "discount": "0.00", **stamp,
        }  # fmt: skip

    def _next(self, kind):
        return next(self.ids[kind])

    def _position_of(self, invoiced):
        """Fiscal position and income account of an invoice, as the ORM picks them."""
        key = (invoiced.country_id.id, invoiced.is_company, bool(invoiced.vat))
        if key not in self.positions:
            Position = self.env["account.fiscal.position"].with_company(self.company)
            position = Position._get_fiscal_position(invoiced, delivery=invoiced)
            income = self.product.product_tmpl_id.get_product_accounts(position)["income"]
            self.positions[key] = (position.id or None, income.id)
        return self.positions[key]

    def _installments(self, name, invoice_date, currency, total_cur, total_eur, plan):
        """Percentages rounded, the last installment takes the balance (account.payment.term)."""
        installments = []
        rest_cur, rest_eur = total_cur, total_eur
        for position, (percent, days) in enumerate(plan):
            if position == len(plan) - 1:
                part_cur, part_eur = _round(rest_cur), _round(rest_eur)
            else:
                part_cur, part_eur = _round(total_cur * percent / 100), _round(total_eur * percent / 100)
            rest_cur, rest_eur = rest_cur - part_cur, rest_eur - part_eur
            installments.append(
                {
                    "id": self._next("line"),
                    "due": invoice_date + timedelta(days=days),
                    "cur": part_cur,
                    "eur": part_eur,
                    "label": name if len(plan) == 1 else f"{name} installment #{position + 1}",
                }
            )
        return installments

    def add_invoice(self, invoice_date, partner, invoiced, currency, consumer):
        rng, eur = self.rng, self.eur
        term_index = rng.choices(range(len(TERMS)), [share for _name, share, _lines in TERMS])[0]
        mu, sigma = (4.8, 0.8) if consumer else (6.3, 1.1)
        total_cur = _round(min(max(rng.lognormvariate(mu, sigma), 15.0), 60000.0))
        total_eur = _round(total_cur / self.rate_of[currency.id])
        name, prefix, number = self.inv_seq.name(invoice_date)
        move_id = self._next("move")
        installments = self._installments(name, invoice_date, currency, total_cur, total_eur, TERMS[term_index][2])

        draw = rng.random()
        status = "paid" if draw < SHARE_PAID else "partial" if draw < SHARE_PAID + SHARE_PARTLY_PAID else "open"
        disputed = status != "paid" and rng.random() < SHARE_DISPUTED / (1 - SHARE_PAID)
        payment = self._payment(status, name, invoice_date, partner, currency, total_cur, total_eur, installments)
        self._reconcile(move_id, invoice_date, currency, installments, payment, disputed)
        residual_cur = _round(sum(installment["res_cur"] for installment in installments))
        residual_eur = _round(sum(installment["res_eur"] for installment in installments))
        self.moves.append(
            {
                **self.move_defaults,
                "id": move_id,
                "name": name,
                "sequence_prefix": prefix,
                "sequence_number": number,
                "journal_id": self.sale.id,
                "move_type": "out_invoice",
                "date": invoice_date,
                "invoice_date": invoice_date,
                "invoice_date_due": max(installment["due"] for installment in installments),
                "partner_id": invoiced.id,
                "commercial_partner_id": partner.id,
                "partner_shipping_id": invoiced.id,
                "invoice_partner_display_name": invoiced.display_name,
                "fiscal_position_id": invoiced.position_id,
                "invoice_payment_term_id": self.terms[term_index].id,
                "currency_id": currency.id,
                "invoice_user_id": partner.user_id,
                "payment_reference": name,
                "payment_state": {"paid": "paid", "partial": "partial"}.get(status, "not_paid"),
                "invoice_currency_rate": self.rate_of[currency.id],
                "amount_untaxed": _money(total_cur),
                "amount_total": _money(total_cur),
                "amount_residual": _money(residual_cur),
                "amount_untaxed_signed": _money(total_eur),
                "amount_untaxed_in_currency_signed": _money(total_cur),
                "amount_total_signed": _money(total_eur),
                "amount_total_in_currency_signed": _money(total_cur),
                "amount_residual_signed": _money(residual_eur),
                "always_tax_exigible": False,
                "is_manually_modified": True,
                "dunning_excluded": disputed or None,
                "dunning_exclusion_reason": "Disputed by the customer (bench)" if disputed else None,
            }
        )
        self._invoice_lines(move_id, name, invoice_date, partner, invoiced, currency, total_cur, total_eur)
        self._term_lines(move_id, name, invoice_date, partner, currency, installments)
        if payment:
            self._payment_rows(payment, name, partner, currency, status)
        self.stats[status] += 1
        self.stats["disputed"] += disputed
        self.stats["installments"] += len(installments) > 1
        self.stats["foreign"] += currency != eur
        self.invoice_ids.append(move_id)

    def _payment(self, status, name, invoice_date, partner, currency, total_cur, total_eur, installments):
        """The payment of a paid or partly paid invoice and what it settles of each installment."""
        if status == "open":
            for installment in installments:
                installment["take"] = (0.0, 0.0)
            return None
        if status == "paid":
            pay_cur, pay_eur = total_cur, total_eur
            takes = [(installment["cur"], installment["eur"]) for installment in installments]
            due = installments[-1]["due"]
        else:
            rate = self.rate_of[currency.id]
            pay_cur, pay_eur, takes = _partial_payment(self.rng, rate, total_cur, installments)
            due = installments[0]["due"]
        takes += [(0.0, 0.0)] * (len(installments) - len(takes))
        for installment, take in zip(installments, takes, strict=True):
            installment["take"] = take
        payment = {
            "id": self._next("payment"),
            "move_id": self._next("move"),
            "date": _payment_date(self.rng, invoice_date, due, self.today),
            "cur": pay_cur,
            "eur": pay_eur,
            "liquidity_id": self._next("line"),
            "counterpart_id": self._next("line"),
            "full_id": self._next("full") if status == "paid" else None,
        }
        payment["name"], payment["prefix"], payment["number"] = self.pay_seq.name(payment["date"])
        return payment

    def _reconcile(self, move_id, invoice_date, currency, installments, payment, disputed):
        """Partial reconciliations, residuals and the matching number as account.partial.reconcile
        leaves them (a full reconciliation once everything is settled)."""
        part_rows = []
        for installment in installments:
            take_cur, take_eur = installment["take"]
            installment["res_cur"] = _round(installment["cur"] - take_cur)
            installment["res_eur"] = _round(installment["eur"] - take_eur)
            if take_cur:
                part_rows.append(
                    (self._next("partial"), installment["id"], payment["counterpart_id"], payment["full_id"],
                     currency.id, currency.id, self.company.id, max(invoice_date, payment["date"]),
                     _money(take_eur), _money(take_cur), _money(take_cur), *self.stamp)
                )  # fmt: skip
            if installment["res_cur"] > 0:
                self.stats["open_lines"] += 1
                self.stats["overdue_open_lines"] += not disputed and installment["due"] < self.today
        if payment:
            payment["matching"] = str(payment["full_id"]) if payment["full_id"] else f"P{part_rows[0][0]}"
            for installment in installments:
                if installment["take"][0]:
                    installment["matching"], installment["full_id"] = payment["matching"], payment["full_id"]
            self.partials.extend(part_rows)
            self.links.append((move_id, payment["id"]))
            if payment["full_id"]:
                self.fulls.append((payment["full_id"], *self.stamp))

    def _invoice_lines(self, move_id, name, invoice_date, partner, invoiced, currency, total_cur, total_eur):
        self.lines.append(
            {
                **self.line_defaults,
                "id": self._next("line"),
                "move_id": move_id,
                "journal_id": self.sale.id,
                "sequence": 100,
                "account_id": invoiced.income_id,
                "currency_id": currency.id,
                "partner_id": partner.id,
                "product_id": self.product.id,
                "product_uom_id": self.product.uom_id.id,
                "move_name": name,
                "name": self.product.name,
                "display_type": "product",
                "date": invoice_date,
                "invoice_date": invoice_date,
                "debit": "0.00",
                "credit": _money(total_eur),
                "balance": _money(-total_eur),
                "amount_currency": _money(-total_cur),
                "amount_residual": "0.00",
                "amount_residual_currency": "0.00",
                "quantity": "1.00",
                "price_unit": total_cur,
                "price_subtotal": _money(total_cur),
                "price_total": _money(total_cur),
                "reconciled": False,
            }
        )

    def _term_lines(self, move_id, name, invoice_date, partner, currency, installments):
        for installment in installments:
            settled = bool(installment["take"][0])
            self.lines.append(
                {
                    **self.line_defaults,
                    "id": installment["id"],
                    "move_id": move_id,
                    "journal_id": self.sale.id,
                    "sequence": 12000,
                    "account_id": self.receivable.id,
                    "currency_id": currency.id,
                    "partner_id": partner.id,
                    "full_reconcile_id": installment.get("full_id"),
                    "move_name": name,
                    "name": installment["label"],
                    "matching_number": installment.get("matching") if settled else None,
                    "display_type": "payment_term",
                    "date": invoice_date,
                    "invoice_date": invoice_date,
                    "date_maturity": installment["due"],
                    "debit": _money(installment["eur"]),
                    "credit": "0.00",
                    "balance": _money(installment["eur"]),
                    "amount_currency": _money(installment["cur"]),
                    "amount_residual": _money(installment["res_eur"]),
                    "amount_residual_currency": _money(installment["res_cur"]),
                    "quantity": "0.00",
                    "price_unit": 0.0,
                    "price_subtotal": "0.00",
                    "price_total": "0.00",
                    "discount_amount_currency": "0.00",
                    "discount_balance": "0.00",
                    "reconciled": not installment["res_cur"] and not installment["res_eur"],
                }
            )

    def _payment_rows(self, payment, name, partner, currency, status):
        pay_name, pay_date = payment["name"], payment["date"]
        self.moves.append(
            {
                **self.move_defaults,
                "id": payment["move_id"],
                "name": pay_name,
                "sequence_prefix": payment["prefix"],
                "sequence_number": payment["number"],
                "journal_id": self.bank.id,
                "move_type": "entry",
                "date": pay_date,
                "invoice_date_due": pay_date,
                "partner_id": partner.id,
                "commercial_partner_id": partner.id,
                "invoice_partner_display_name": partner.display_name,
                "fiscal_position_id": partner.position_id,
                "currency_id": currency.id,
                "ref": name,
                "payment_state": "not_paid",
                "invoice_currency_rate": 0.0,
                "amount_untaxed": "0.00",
                "amount_total": _money(payment["cur"]),
                "amount_residual": "0.00",
                "amount_untaxed_signed": "0.00",
                "amount_untaxed_in_currency_signed": "0.00",
                "amount_total_signed": _money(payment["eur"]),
                "amount_total_in_currency_signed": _money(payment["cur"]),
                "amount_residual_signed": "0.00",
                "always_tax_exigible": True,
                "is_manually_modified": False,
            }
        )
        common = {
            **self.line_defaults,
            "move_id": payment["move_id"],
            "journal_id": self.bank.id,
            "sequence": 100,
            "currency_id": currency.id,
            "partner_id": partner.id,
            "payment_id": payment["id"],
            "move_name": pay_name,
            "ref": name,
            "name": f"{self.method_line.name}: {name}",
            "display_type": "product",
            "date": pay_date,
            "date_maturity": pay_date,
            "quantity": "1.00",
            "price_unit": 0.0,
        }
        amount_cur, amount_eur = _money(payment["cur"]), _money(payment["eur"])
        self.lines.append(
            {
                **common,
                "id": payment["liquidity_id"],
                "account_id": self.outstanding.id,
                "debit": amount_eur,
                "credit": "0.00",
                "balance": amount_eur,
                "amount_currency": amount_cur,
                "amount_residual": amount_eur,
                "amount_residual_currency": amount_cur,
                "price_subtotal": amount_cur,
                "price_total": amount_cur,
                "reconciled": False,
            }
        )
        self.lines.append(
            {
                **common,
                "id": payment["counterpart_id"],
                "account_id": self.receivable.id,
                "full_reconcile_id": payment["full_id"],
                "matching_number": payment["matching"],
                "debit": "0.00",
                "credit": amount_eur,
                "balance": f"-{amount_eur}",
                "amount_currency": f"-{amount_cur}",
                "amount_residual": "0.00",
                "amount_residual_currency": "0.00",
                "price_subtotal": f"-{amount_cur}",
                "price_total": f"-{amount_cur}",
                "reconciled": True,
            }
        )
        method = self.method_line
        self.payments.append(
            (payment["id"], payment["move_id"], self.bank.id, self.company.id, method.id,
             method.payment_method_id.id, currency.id, partner.id, self.outstanding.id, self.receivable.id, pay_name,
             "paid" if status == "paid" else "in_process", "inbound", "customer", name, pay_date, amount_cur,
             amount_eur, True, False, *self.stamp)
        )  # fmt: skip

    def write(self):
        """COPY the rows; a payment's entry and the payment point to each other, so the entry's
        link is set once both exist."""
        cr = self.env.cr
        _copy(cr, "account_full_reconcile", ["id", "create_uid", "create_date", "write_uid", "write_date"], self.fulls)
        _copy(cr, "account_move", MOVE_COLUMNS, [[move.get(column) for column in MOVE_COLUMNS] for move in self.moves])
        _copy(cr, "account_payment", PAYMENT_COLUMNS, self.payments)
        cr.execute(
            """UPDATE account_move move SET origin_payment_id = payment.id
                 FROM account_payment payment
                WHERE payment.move_id = move.id AND payment.id = ANY(%s)""",
            ([row[0] for row in self.payments],),
        )
        _copy(
            cr,
            "account_move_line",
            LINE_COLUMNS,
            [[line.get(column) for column in LINE_COLUMNS] for line in self.lines],
        )
        _copy(cr, "account_partial_reconcile", PARTIAL_COLUMNS, self.partials)
        _copy(cr, "account_move__account_payment", ["invoice_id", "payment_id"], self.links)
        # Posting an invoice ranks its customer (res.partner._increase_rank).
        cr.execute(
            """UPDATE res_partner partner SET customer_rank = counted.invoices
                 FROM (SELECT partner_id, COUNT(*) AS invoices FROM account_move
                        WHERE id = ANY(%s) GROUP BY partner_id) counted
                WHERE counted.partner_id = partner.id""",
            (self.invoice_ids,),
        )
        cr.execute("ANALYZE account_move, account_move_line, account_partial_reconcile, account_payment")
        self.env.invalidate_all()


def build_book(env, customers, invoices, seed=8):
    """Create the book in the current transaction (not committed); return what the checks need."""
    started = time.perf_counter()
    rng = random.Random(seed)
    today = fields.Date.context_today(env["res.partner"])
    currencies, terms, product, users = _reference_data(env, env.company, today)
    partners, profiles, contacts = _customers(env, rng, customers, users)
    env.flush_all()
    log(f"reference data and {len(partners)} customers through the ORM in {time.perf_counter() - started:.1f} s")
    refs = {"currencies": currencies, "terms": terms, "product": product, "partners": partners}
    writer = _BookWriter(env, rng, today, refs, invoices)
    # Draw the invoices, then number them in date order like a real journal.
    chosen = rng.choices(range(len(partners)), [profile[2] for profile in profiles], k=invoices)
    drawn = sorted(
        (today - timedelta(days=rng.randint(0, 365)), index, customer) for index, customer in enumerate(chosen)
    )

    def customer(record):
        return _Customer(record.id, record.display_name, record.user_id.id or None, *writer._position_of(record))

    customers_ = [customer(partner) for partner in partners]
    contacts_ = {partner_id: customer(contact) for partner_id, contact in contacts.items()}
    for invoice_date, _index, index in drawn:
        partner = customers_[index]
        currency_code, consumer, _weight = profiles[index]
        invoiced = (contacts_.get(partner.id) if rng.random() < 0.5 else None) or partner
        writer.add_invoice(invoice_date, partner, invoiced, currencies[currency_code], consumer)
    log(f"{invoices} invoices computed in {time.perf_counter() - started:.1f} s")
    writer.write()
    log(
        f"written: {len(writer.moves)} moves, {len(writer.lines)} lines, {len(writer.payments)} payments, "
        f"{len(writer.partials)} partial and {len(writer.fulls)} full reconciliations "
        f"in {time.perf_counter() - started:.1f} s"
    )
    return {
        **writer.stats,
        "seconds": round(time.perf_counter() - started, 1),
        "first_move_id": min(move["id"] for move in writer.moves),
        "invoice_ids": writer.invoice_ids,
        "inv_next": dict(writer.inv_seq.next_number),
        "pay_next": dict(writer.pay_seq.next_number),
    }


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


def _check_balanced(env, stats):
    """Every entry balanced, debit and credit agree with the balance, one currency per entry."""
    cr, first = env.cr, stats["first_move_id"]
    cr.execute(
        SQL(
            """SELECT move_id FROM account_move_line WHERE move_id >= %s GROUP BY move_id
               HAVING SUM(balance) <> 0 OR SUM(amount_currency) <> 0 OR COUNT(DISTINCT currency_id) > 1
                   OR BOOL_OR(debit - credit <> balance OR debit < 0 OR credit < 0) LIMIT 5""",
            first,
        )
    )
    if unbalanced := [row[0] for row in cr.fetchall()]:
        raise BookError(f"Unbalanced entries: {unbalanced}")
    cr.execute(SQL("SELECT COUNT(DISTINCT move_id) FROM account_move_line WHERE move_id >= %s", first))
    return cr.fetchone()[0]


def _check_sample(env, invoices):
    """The ORM's own computations on a sample of invoices and their payments agree with what
    was written: residuals, totals, payment states, term split, conversion, matching numbers."""
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
    written = {line.id: line.matching_number for line in lines}

    def renumber():
        env["account.partial.reconcile"]._update_matching_number(lines)
        return {line.id: line.matching_number for line in lines}

    errors += [
        f"line {key}: matching {written[key]!r}, ORM {value!r}"
        for key, value in _rolled_back(env, renumber).items()
        if written[key] != value
    ]
    lines._constrains_matching_number()
    if errors:
        raise BookError("The ORM disagrees with the generated book:\n" + "\n".join(errors[:30]))
    return {"invoices": len(invoices), "payments": len(payments), "lines": len(lines)}


def _check_open_lines(env, stats, today):
    """Open receivables, and those overdue and not disputed, as the generator counted them."""
    owed = [
        ("company_id", "=", env.company.id),
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
    return open_lines, overdue


def _check_orm_actions(env, stats, today):
    """The ORM still works on the book: a payment registered on a partly paid invoice (foreign
    currency if any) pays it, and a new invoice posts; both take the journals' next numbers."""
    partly_paid = [("id", "in", stats["invoice_ids"]), ("payment_state", "=", "partial")]
    target = env["account.move"].search(
        [*partly_paid, ("currency_id", "!=", env.company.currency_id.id)], order="id desc", limit=1
    ) or env["account.move"].search(partly_paid, order="id desc", limit=1)

    def pay_and_invoice():
        wizard = env["account.payment.register"].with_context(active_model="account.move", active_ids=target.ids)
        # by default the wizard proposes the installments due only: pay everything that is left
        payment = wizard.create(
            {"payment_date": today, "amount": target.amount_residual, "currency_id": target.currency_id.id}
        )._create_payments()
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
    return f"paid {target.name} by {payment_name}; posted {invoice_name}"


def check_book(env, stats, sample_size=200, seed=8):
    """Abort (BookError) unless the generated book is consistent; return what was checked."""
    started = time.perf_counter()
    rng = random.Random(seed)
    today = fields.Date.context_today(env["res.partner"])
    pool = stats["invoice_ids"]
    sample = env["account.move"].browse(sorted(rng.sample(pool, min(sample_size, len(pool)))))
    report = {
        "entries_balanced": _check_balanced(env, stats),
        "sample": _check_sample(env, sample),
    }
    report["open_lines"], report["overdue_candidates"] = _check_open_lines(env, stats, today)
    report["orm_actions"] = _check_orm_actions(env, stats, today)
    report["seconds"] = round(time.perf_counter() - started, 1)
    return report
