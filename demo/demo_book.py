"""The demo book: a French company's receivables after six months, and a collections desk's
three months of work on them (reminders, promises, plans, a collection agency, penalties).

Not part of the addon's registry (the addon's ``__init__`` never imports it): ``tools/demo``
runs ``populate`` through ``odoo shell``, and the demo-book tests call it in their own
transaction. Installing the addon's demo data never runs it.
"""

import random
from datetime import datetime, time, timedelta

from odoo import fields
from odoo.fields import Command
from odoo.tools import SQL

from odoo.addons.account_dunning.law.rates import half_year_label, half_year_start, next_half_year_start

PROFESSIONALS = [
    "Boulangerie Martin SARL",
    "Atelier Dubois",
    "Garage Lefèvre",
    "Imprimerie Moreau",
    "Cabinet Laurent",
    "Menuiserie Simon",
    "Transports Michel",
    "Hôtel du Port",
    "Pharmacie Garnier",
    "Librairie Faure",
    "Brasserie Roux",
    "Fromagerie Blanc",
    "Plomberie Guerin",
    "Architectes Muller & Fils",
    "Clinique Vétérinaire Henry",
    "Électricité Rousseau",
    "Domaine Viticole Perrin",
    "Agence Web Fontaine",
    "Studio Photo Chevalier",
    "Boucherie Robin",
    "Bruxelles Consulting SPRL",
    "Liège Logistique SA",
]
# How far back the demo's invoices go (days before today).
INVOICE_HISTORY_DAYS = 182
CONSUMERS = [
    "Camille Bernard",
    "Lucas Petit",
    "Léa Richard",
    "Hugo Durand",
    "Chloé Lefebvre",
    "Louis Mercier",
    "Emma Bonnet",
    "Jules Lambert",
    "Manon Girard",
    "Nathan André",
    "Inès Morel",
    "Théo Fournier",
    "Sarah Chevallier",
    "Arthur Gauthier",
]


def populate(env, invoice_count=260, seed=19, move_admin=False):
    """Build the demo book in a new company and return it: customers (professionals and
    consumers), six months of invoices (some on installments), payments (full and partial),
    disputes, then the dunning process replayed week after week up to today, with what a
    collections desk does along the way. ``move_admin`` makes the demo company the admin's
    current one: only the explicit demo command (tools/demo) asks for it."""
    rng = random.Random(seed)
    company = _company(env(su=True))
    # The admin user may have been deleted: the demo then works as the current user.
    admin = env.ref("base.user_admin", raise_if_not_found=False) or env.user
    admin_vals = {"company_ids": [Command.link(company.id)]}
    if move_admin:
        admin_vals["company_id"] = company.id
    admin.write(admin_vals)
    # The desk's work is done as the admin (a dunning manager), in the demo company.
    env = env(user=admin, su=False, context=dict(env.context, allowed_company_ids=[company.id]))
    company = company.with_env(env)
    # The company's own account, checked and trusted by the admin (invoices carry it; Odoo lets
    # a user trust it, not the superuser a script runs as).
    env["res.partner.bank"].create(
        {
            "acc_number": "FR76 3000 4000 0312 3456 7890 143",
            "partner_id": company.partner_id.id,
            "allow_out_payment": True,
        }
    )
    today = fields.Date.context_today(company)
    _assume_ecb_rate_unchanged(env, today)
    partners = _partners(env, rng)
    terms = _payment_terms(env, company)
    products = _products(env, company)
    # The Belgian consumer's story brings the last invoice.
    invoices = _invoices(env, rng, company, partners, terms, products, invoice_count - 1, today)
    _refresh_planner_statistics(env)
    _payments(env, rng, invoices, today)
    _refresh_planner_statistics(env)
    disputed = invoices.filtered(lambda move: move.payment_state == "not_paid")[:6]
    disputed.write(
        {
            "dunning_excluded": True,
            "dunning_exclusion_reason": env._("Customer disputes the quantities delivered"),
        }
    )
    partners[3].write(
        {
            "dunning_blocked": True,
            "dunning_block_reason": env._("Ongoing dispute handled by the sales manager"),
        }
    )
    belgian = _story_belgian_consumer(env, company, terms, products, today)
    _dunning_history(env, company, today, taken=set(belgian.ids))
    return company


def _assume_ecb_rate_unchanged(env, today):
    """The demo database has no internet: the daily fetch cannot confirm the ECB rate in force on
    the first day of the half-years the demo's penalties run through, and without it they cannot
    be computed. For each such half-year not confirmed yet, the demo enters the last known
    decision as in force on its first day, with a note saying it is the demo's assumption."""
    Rate = env["account.dunning.rate"].sudo()
    latest = Rate.search([("rate_type", "=", "ecb_mro")], order="date_from desc", limit=1)
    if not latest:
        return
    confirmed_through = Rate._ecb_known_through()
    start = half_year_start(today - timedelta(days=INVOICE_HISTORY_DAYS))
    while start <= today:
        if start > confirmed_through:
            Rate.create(
                {
                    "rate_type": "ecb_mro",
                    "date_from": start,
                    "rate": latest.rate,
                    "note": f"Demo assumption for {half_year_label(start)}: the ECB rate is taken as unchanged since "
                    f"{latest.date_from} (the demo database does not fetch the ECB's data). Replace it with the "
                    "published figure.",
                }
            )
        start = next_half_year_start(start)


def _company(env):
    """A French company with the French chart when the localisation is installed (the
    generic chart otherwise)."""
    name = "Atelier Lumière SARL (dunning demo)"
    # A database that already holds a demo book (built again, or by an older version at
    # install) gets a second one beside it.
    taken = set(
        env["res.company"].with_context(active_test=False).search([("name", "=like", f"{name}%")]).mapped("name")
    )
    number = 2
    unique = name
    while unique in taken:
        unique, number = f"{name} {number}", number + 1
    company = env["res.company"].create(
        {
            "name": unique,
            "country_id": env.ref("base.fr").id,
            "street": "12 rue des Tanneurs",
            "zip": "69002",
            "city": "Lyon",
            "email": "compta@atelier-lumiere.example.com",
            "currency_id": env.ref("base.EUR").id,
            "external_report_layout_id": env.ref("web.external_layout_standard").id,
        }
    )
    env["ir.model.data"]._update_xmlids(
        [{"xml_id": "account_dunning.demo_company", "record": company, "noupdate": True}]
    )
    chart = env["account.chart.template"]
    template = chart._guess_chart_template(company.country_id)
    # try_loading would install a missing localisation module (not allowed inside a test, and
    # not this book's business): without l10n_fr_account the company takes the generic chart.
    module = chart._get_chart_template_mapping()[template]["module"]
    if env["ir.module.module"]._get(module).state != "installed":
        template = "generic_coa"
    chart.try_loading(template, company)
    if template == "generic_coa":
        name_generic_chart_accounts(env, company)
    return company


def name_generic_chart_accounts(env, company):
    """The generic chart has none of the French accounts the addon falls back on (763100,
    758000, 622600, 654100): name one of each kind in the settings, as an accountant would."""
    Account = env["account.account"].with_company(company)
    domain = Account._check_company_domain(company)

    def first(account_type):
        return Account.search([*domain, ("account_type", "=", account_type)], order="code", limit=1).id

    income, expense = first("income"), first("expense")
    company.write(
        {
            "dunning_interest_account_id": income,
            "dunning_indemnity_account_id": income,
            "dunning_commission_account_id": expense,
            "dunning_write_off_account_id": expense,
        }
    )


def _partners(env, rng):
    country_fr = env.ref("base.fr")
    country_be = env.ref("base.be")
    langs = {code for code, _name in env["res.lang"].get_installed()}
    lang_fr = "fr_FR" if "fr_FR" in langs else False
    vals = []
    for index, name in enumerate(PROFESSIONALS):
        belgian = name.startswith(("Bruxelles", "Liège"))
        slug = "".join(ch for ch in name.lower() if ch.isalnum())[:18]
        vals.append(
            {
                "name": name,
                "is_company": True,
                "email": f"compta@{slug}.example.com",
                "phone": f"+33 1 40 00 {index:02d} {rng.randint(10, 99)}",
                "street": f"{rng.randint(1, 120)} rue de la République",
                "city": "Bruxelles" if belgian else rng.choice(["Lyon", "Paris", "Nantes", "Lille", "Bordeaux"]),
                "zip": "1000" if belgian else f"{rng.randint(10, 95)}000",
                "country_id": (country_be if belgian else country_fr).id,
                "lang": lang_fr or env.lang,
                "customer_rank": 1,
            }
        )
    for index, name in enumerate(CONSUMERS):
        slug = name.lower().replace(" ", ".").replace("é", "e").replace("è", "e").replace("ï", "i")
        vals.append(
            {
                "name": name,
                "is_company": False,
                "email": f"{slug}@example.com",
                "phone": f"+33 6 12 34 {index:02d} {rng.randint(10, 99)}",
                "street": f"{rng.randint(1, 80)} avenue Victor Hugo",
                "city": rng.choice(["Toulouse", "Rennes", "Nice", "Strasbourg"]),
                "zip": f"{rng.randint(10, 95)}100",
                "country_id": country_fr.id,
                # A few consumers read English: their letters come in English.
                "lang": (lang_fr or env.lang) if index % 4 else "en_US",
                "customer_rank": 1,
            }
        )
    partners = env["res.partner"].create(vals)
    # Invoices of two companies go to their accounts department, not to the company itself.
    env["res.partner"].create(
        [
            {
                "name": "Service comptabilité",
                "type": "invoice",
                "parent_id": partners[i].id,
                "email": f"factures{i}@example.com",
                "lang": partners[i].lang,
            }
            for i in (0, 5)
        ]
    )
    return partners


def _payment_terms(env, company):
    Term = env["account.payment.term"]
    return Term.create(
        [
            {
                "name": "30 days (demo)",
                "company_id": company.id,
                "line_ids": [Command.create({"value": "percent", "value_amount": 100, "nb_days": 30})],
            },
            {
                "name": "45 days end of month (demo)",
                "company_id": company.id,
                "line_ids": [
                    Command.create(
                        {
                            "value": "percent",
                            "value_amount": 100,
                            "nb_days": 45,
                            "delay_type": "days_after_end_of_month",
                        }
                    )
                ],
            },
            {
                "name": "3 installments: 30/60/90 days (demo)",
                "company_id": company.id,
                "line_ids": [
                    Command.create({"value": "percent", "value_amount": 34, "nb_days": 30}),
                    Command.create({"value": "percent", "value_amount": 33, "nb_days": 60}),
                    Command.create({"value": "percent", "value_amount": 33, "nb_days": 90}),
                ],
            },
        ]
    )


def _products(env, company):
    tax = company.account_sale_tax_id
    return env["product.product"].create(
        [
            {
                "name": "Consulting day (demo)",
                "type": "service",
                "list_price": 850.0,
                "taxes_id": [Command.set(tax.ids)],
            },
            {
                "name": "Maintenance contract (demo)",
                "type": "service",
                "list_price": 120.0,
                "taxes_id": [Command.set(tax.ids)],
            },
            {
                "name": "Spare parts kit (demo)",
                "type": "consu",
                "list_price": 65.0,
                "taxes_id": [Command.set(tax.ids)],
            },
        ]
    )


def _invoices(env, rng, company, partners, terms, products, count, today):
    vals = []
    for _index in range(count):
        partner = rng.choice(partners)
        invoice_date = today - timedelta(days=rng.randint(1, INVOICE_HISTORY_DAYS))
        term = terms[2] if partner.is_company and rng.random() < 0.15 else rng.choice(terms[:2])
        vals.append(
            {
                "move_type": "out_invoice",
                "company_id": company.id,
                "partner_id": partner.id,
                "invoice_date": invoice_date,
                "invoice_payment_term_id": term.id,
                "invoice_line_ids": [
                    Command.create(
                        {"product_id": product.id, "quantity": rng.randint(1, 6), "price_unit": product.list_price}
                    )
                    for product in rng.sample(list(products), rng.randint(1, 2))
                ],
            }
        )
    invoices = env["account.move"].create(vals)
    invoices.action_post()
    return invoices


def _refresh_planner_statistics(env):
    """Let PostgreSQL see the rows just written. On a fresh database (a bare one in CI, a new
    demo) the accounting tables had no rows when last analysed: the planner then joins the
    payments' reconciliations by nested scans and each payment costs seconds. ANALYZE counts
    the rows of the current transaction too, so this works inside a test as well."""
    env.flush_all()
    env.cr.execute(
        "ANALYZE account_move, account_move_line, account_partial_reconcile, account_payment, account_full_reconcile"
    )


def _payments(env, rng, invoices, today):
    for invoice in invoices.sorted("invoice_date"):
        draw = rng.random()
        if draw < 0.45:
            amount = invoice.amount_residual
        elif draw < 0.60:
            amount = invoice.currency_id.round(invoice.amount_residual * rng.choice([0.3, 0.5]))
        else:
            continue
        pay_date = min(invoice.invoice_date + timedelta(days=rng.randint(10, 75)), today)
        env["account.payment.register"].with_context(active_model="account.move", active_ids=invoice.ids).create(
            {"amount": amount, "payment_date": pay_date}
        )._create_payments()


def _pay(env, invoices, on_date, amount=None):
    """The customer pays (``amount``, else everything these invoices still owe), through the
    payment register as an accountant would."""
    vals = {"payment_date": on_date, "group_payment": True}
    if amount is not None:
        vals["amount"] = amount
    register = env["account.payment.register"].with_context(active_model="account.move", active_ids=invoices.ids)
    return register.create(vals)._create_payments()


def _mark_sent_in_the_past(letters, day):
    """Record the past weeks' letters as sent without e-mailing the made-up demo addresses,
    then let them move the customers along as sending them on ``day`` would have.

    A sent letter's state changes only through the letter's own path (``_dunning_mark_sent``);
    this is the one place that records it for the demo. That path stamps the letters as sent
    now: they were sent on ``day`` (the Belgian consumer's 14 days run from it), and no screen
    can back-date a sent letter, so this is SQL, on the sending time only (09:00 UTC)."""
    letters._dunning_mark_sent()
    letters.flush_recordset(["sent_date"])
    letters.env.cr.execute(
        SQL(
            "UPDATE account_dunning_letter SET sent_date = %s WHERE id = ANY(%s)",
            datetime.combine(day, time(9, 0)),
            letters.ids,
        )
    )
    letters.invalidate_recordset(["sent_date"])
    letters.with_context(dunning_send_date=day)._after_send()


def _overdue_domain(company, partners, on_date):
    """The receivables of these customers overdue on ``on_date`` that no plan or agency holds."""
    return [
        ("company_id", "=", company.id),
        ("partner_id", "in", partners.ids),
        ("account_type", "=", "asset_receivable"),
        ("parent_state", "=", "posted"),
        ("reconciled", "=", False),
        ("amount_residual", ">", 0),
        ("date_maturity", "<", on_date),
        ("move_id.dunning_excluded", "=", False),
        ("dunning_plan_id", "=", False),
        ("dunning_handoff_id", "=", False),
    ]


def _overdue_lines(env, company, partner, on_date):
    return env["account.move.line"].search(_overdue_domain(company, partner, on_date))


def _pick_cases(env, company, on_date, taken, count, professional=None, quiet_until=None):
    """``count`` open cases of customers not yet in a story, most overdue first.
    ``quiet_until``: only customers with nothing else falling due up to that date, so that
    what they pay afterwards is read against what was overdue then."""
    cases = env["account.dunning.case"].search(
        [
            ("company_id", "=", company.id),
            ("stage_id.is_resolved", "=", False),
            ("amount_overdue", ">", 0),
            ("partner_id", "not in", list(taken)),
            ("partner_id.dunning_blocked", "=", False),
        ],
        order="amount_overdue desc, id",
    )
    if professional is not None:
        cases = cases.filtered(lambda case: case.partner_id.is_company == professional)
    if quiet_until:
        upcoming = env["account.move.line"]._read_group(
            [
                ("company_id", "=", company.id),
                ("partner_id", "in", cases.partner_id.ids),
                ("account_type", "=", "asset_receivable"),
                ("reconciled", "=", False),
                ("date_maturity", ">=", on_date),
                ("date_maturity", "<=", quiet_until),
            ],
            ["partner_id"],
        )
        busy = {partner.id for (partner,) in upcoming}
        cases = cases.filtered(lambda case: case.partner_id.id not in busy)
    with_overdue = {
        partner.id
        for (partner,) in env["account.move.line"]._read_group(
            _overdue_domain(company, cases.partner_id, on_date), ["partner_id"]
        )
    }
    cases = cases.filtered(lambda case: case.partner_id.id in with_overdue)[:count]
    taken.update(cases.partner_id.ids)
    return cases


def _dunning_history(env, company, today, taken=None):
    """Replay the daily run every week over the last three months, then today, with the
    desk's work in between: penalties invoiced and paid, a hand-off to the agency (partial
    recovery, then write-off), another one still at the agency, promises kept and broken,
    plans active, completed and broken, a dispute, letters the customers answered from their
    pay page, and today's letters in every state. ``taken``: customers kept out of the desk's
    stories (they have their own)."""
    Run = env["account.dunning.run"]
    Letter = env["account.dunning.letter"]
    taken = set(taken or ())
    day = today - timedelta(days=91)
    handoff = env["account.dunning.handoff"]
    while day < today:
        # The past is recorded as sent without e-mailing the made-up demo addresses.
        run = Run._get_or_create(company, day)
        run.write({"send_letters": False})
        run._run_now()
        _mark_sent_in_the_past(Letter.search([("company_id", "=", company.id), ("state", "=", "to_send")]), day)
        weeks_left = (today - day).days // 7
        if weeks_left == 10:
            handoff = _story_handoff(env, company, day, taken)
        elif weeks_left == 8:
            _story_penalties(env, company, day, taken)
        elif weeks_left == 6 and handoff:
            _story_recovery(handoff, day)
        elif weeks_left == 5:
            _story_past_promises(env, company, day, today, taken)
        elif weeks_left == 3 and handoff:
            handoff.action_book_commission(on_date=day)
            handoff.action_write_off(on_date=day)
        elif weeks_left == 1:
            _story_handoff(env, company, day, taken)
        day += timedelta(days=7)
    _story_today(env, company, today, taken)
    _story_portal_answers(env, company, today, taken)
    # Today's run leaves its letters for the collectors to review and send.
    run = Run._get_or_create(company, today)
    run.write({"send_letters": False})
    run._run_now()
    _story_letters(env, company, today)


def _story_belgian_consumer(env, company, terms, products, today):
    """A consumer living in Brussels, under a Belgian consumer policy (Book XIX of the Code of
    Economic Law: a French seller's terms cannot deprive a consumer of the protection of the law
    of the country where they live). Their invoice fell due 16 days ago: the weekly runs sent
    the courtesy reminder before the due date, then the free first reminder a week ago, which
    gives them 14 days from the next day; no interest nor damages before that period is over.
    Returns the customer."""
    policy = company.dunning_policy_consumer_id.copy(
        {
            "name": env._("Belgian consumers (demo)"),
            "penalty_regime": "be_b2c",
            # The general terms stipulate what Book XIX allows at most (without a clause the
            # consumer would owe no damages at all).
            "consumer_clause": "legal_maximum",
        }
    )
    langs = {code for code, _name in env["res.lang"].get_installed()}
    # Named in every installed language, like the shipped policies.
    policy.update_field_translations(
        "name", {lang: env(context=dict(env.context, lang=lang))._("Belgian consumers (demo)") for lang in langs}
    )
    partner = env["res.partner"].create(
        {
            "name": "Sophie Peeters",
            "is_company": False,
            "email": "sophie.peeters@example.com",
            "phone": "+32 470 12 34 56",
            "street": "Rue du Bailli 27",
            "city": "Ixelles",
            "zip": "1050",
            "country_id": env.ref("base.be").id,
            "lang": "fr_FR" if "fr_FR" in langs else env.lang,
            "customer_rank": 1,
            "dunning_policy_id": policy.id,
        }
    )
    # "30 days": due 16 days ago. The weekly runs (every 7 days back from today) send the
    # courtesy reminder 21 days ago (5 days before the due date), then the first reminder 7
    # days ago (9 days late, past the level's 7).
    invoice = env["account.move"].create(
        {
            "move_type": "out_invoice",
            "company_id": company.id,
            "partner_id": partner.id,
            "invoice_date": today - timedelta(days=46),
            "invoice_payment_term_id": terms[0].id,
            "invoice_line_ids": [
                Command.create({"product_id": products[1].id, "quantity": 3, "price_unit": products[1].list_price})
            ],
        }
    )
    invoice.action_post()
    return partner


def _story_portal_answers(env, company, today, taken):
    """Three customers answered a letter sent to them from its pay page: one says they have
    paid (two days ago), one disputes an invoice, one promises to pay in a fortnight. The
    answers go through the letter's own methods, those the pay page's controller calls
    (controllers/letter_portal.py), on the letter as the page sees it (sudo)."""
    letters = env["account.dunning.letter"].search(
        [
            ("company_id", "=", company.id),
            ("state", "=", "sent"),
            ("partner_id", "not in", list(taken)),
            ("partner_id.dunning_blocked", "=", False),
        ],
        order="date desc, id desc",
    )
    answered = env["account.dunning.letter"]
    for letter in letters.sudo():
        if len(answered) == 3:
            break
        if letter.partner_id.id in taken or not letter._portal_open_invoices() or not letter._portal_case():
            continue
        taken.add(letter.partner_id.id)
        answered |= letter
    if len(answered) < 3:
        return answered
    paid, disputed, promised = answered
    paid._portal_declare_paid(fields.Date.to_string(today - timedelta(days=2)))
    invoice = disputed._portal_open_invoices()[:1]
    disputed._portal_dispute(str(invoice.id), env._("We returned two of the parts: they did not fit."))
    promised._portal_promise(fields.Date.to_string(today + timedelta(days=14)))
    return answered


def _story_handoff(env, company, day, taken):
    """A customer long overdue is handed to the collection agency on ``day``."""
    agency = env["res.partner"].search([("is_collection_agency", "=", True)], limit=1)
    if not agency:
        agency = env["res.partner"].create(
            {
                "name": "Recouvrement Rhône-Alpes (demo)",
                "is_company": True,
                "is_collection_agency": True,
                "collection_commission_rate": 15.0,
                "email": "mandats@recouvrement-ra.example.com",
            }
        )
    # A business customer: agencies mostly collect between professionals, and the French legal
    # rate a consumer's claim needs may not be published yet for the current half-year.
    case = _pick_cases(env, company, day, taken, 1, professional=True)
    if not case:
        return env["account.dunning.handoff"]
    lines = _overdue_lines(env, company, case.partner_id, day)
    handoff = env["account.dunning.handoff"].create(
        {
            "partner_id": case.partner_id.id,
            "company_id": company.id,
            "agency_id": agency.id,
            "commission_rate": agency.collection_commission_rate,
            "date": day,
            "line_ids": [Command.create({"move_line_id": line.id}) for line in lines],
        }
    )
    handoff.action_confirm()
    case.late_cause_id = env.ref("account_dunning.late_cause_cash")
    return handoff


def _story_recovery(handoff, day):
    """The agency's statement: part of the first receivable recovered."""
    line = handoff.line_ids.sorted("id")[:1]
    line.to_record = line.currency_id.round(line.principal * 0.4)
    handoff.action_record_recoveries(on_date=day)


def _story_penalties(env, company, day, taken):
    """Late-payment penalties invoiced to a professional customer on ``day`` (the statutory
    indemnity and interest), paid ten days later."""
    case = _pick_cases(env, company, day, taken, 1, professional=True)
    if not case:
        return
    late = _overdue_lines(env, company, case.partner_id, day).move_id
    wizard = env["account.dunning.penalty.invoice"].create(
        {"company_id": company.id, "move_ids": [Command.set(late.ids)], "date": day, "post": True}
    )
    penalty_invoices = wizard._create_penalty_invoices()
    penalty_invoices.action_post()
    _pay(env, penalty_invoices, day + timedelta(days=10))


def _story_past_promises(env, company, day, today, taken):
    """Two customers promised on ``day`` to pay within a week: one kept the promise, the
    other did not. The weekly runs that follow settle them."""
    # The one who keeps it has nothing else falling due before the promise is settled (the run
    # a week after the promised date): what is paid is read against what was overdue then.
    promise_date = day + timedelta(days=7)
    cases = _pick_cases(env, company, day, taken, 1, quiet_until=promise_date + timedelta(days=7))
    cases |= _pick_cases(env, company, day, taken, 1)
    for index, case in enumerate(cases):
        lines = _overdue_lines(env, company, case.partner_id, day)
        # The first customer promises what the reminded invoices owe, and pays them.
        amount = min(sum(lines.mapped("amount_residual")), case.amount_overdue) if index == 0 else case.amount_overdue
        case._record_promise(today, case.currency_id.round(amount))
        grace = case.partner_id._dunning_policy(company).promise_grace_days or 0
        # Recording a promise refuses a date in the past, by design (a collector records it on
        # the day of the call): the demo records it today, then dates it back to the call of
        # ``day``. Nothing in the interface can back-date a promise, so this is SQL, on the
        # promise's own dates only.
        case.flush_recordset()
        env.cr.execute(
            SQL(
                "UPDATE account_dunning_case SET promise_date = %s, promise_pause_until = %s WHERE id = %s",
                promise_date,
                promise_date + timedelta(days=grace),
                case.id,
            )
        )
        case.invalidate_recordset(["promise_date", "promise_pause_until"])
        if index == 0:
            _pay(env, lines.move_id, promise_date - timedelta(days=1))
    return cases


def _story_today(env, company, today, taken):
    """Today's desk: a promise pending, plans active, completed and broken, a dispute."""
    Case = env["account.dunning.case"]
    Plan = env["account.dunning.installment.plan"]
    pending = _pick_cases(env, company, today, taken, 1)
    if pending:
        pending._record_promise(today + timedelta(days=10), pending.currency_id.round(pending.amount_overdue / 2))
        pending.late_cause_id = env.ref("account_dunning.late_cause_process")
    plans = Plan
    for case in _pick_cases(env, company, today, taken, 3):
        action = case.partner_id.with_company(company).action_propose_installment_plan()
        plan = Plan.browse(action["res_id"])
        plan.action_compute_schedule()
        plan.action_confirm()
        plans |= plan
    if len(plans) == 3:
        active, completed, broken = plans
        # The customer settled everything early: the daily follow-up completes the plan.
        _pay(env, completed.move_line_ids.move_id, today)
        # A plan is confirmed with installments today or later, by design: the demo confirms
        # it today, then moves its dates back as if agreed six weeks ago, so that the daily
        # follow-up finds the first installment unpaid past the tolerance and breaks it. No
        # screen can back-date a confirmed plan, so this is SQL, on the plan's dates only.
        env.flush_all()
        env.cr.execute(
            SQL(
                "UPDATE account_dunning_installment_plan_line SET date_due = date_due - 42 WHERE plan_id = %s",
                broken.id,
            )
        )
        env.cr.execute(
            SQL(
                "UPDATE account_dunning_installment_plan SET date_confirmed = %s, first_date = first_date - 42 "
                "WHERE id = %s",
                today - timedelta(days=42),
                broken.id,
            )
        )
        env.invalidate_all()
        broken_case = Case._for_partners(broken.partner_id, company)
        broken_case.late_cause_id = env.ref("account_dunning.late_cause_cash")
        active.note = env._("Agreed on the phone with the customer's accountant.")
    Plan._cron_follow_plans()
    disputed = _pick_cases(env, company, today, taken, 1)
    if disputed:
        invoice = _overdue_lines(env, company, disputed.partner_id, today).move_id.sorted("invoice_date_due")[:1]
        invoice.write(
            {
                "dunning_excluded": True,
                "dunning_exclusion_reason": env._("Customer says the goods arrived damaged; claim under review"),
            }
        )
        disputed.write(
            {
                "late_cause_id": env.ref("account_dunning.late_cause_dispute").id,
                "next_action": env._("Check the delivery report with the warehouse"),
                "next_action_date": today + timedelta(days=3),
            }
        )
    _tag(env, pending, "account_dunning.demo_case_tag_strategic")
    _tag(env, disputed, "account_dunning.demo_case_tag_litigation")


def _tag(env, cases, xmlid):
    """The demo data's case tags, when it was loaded."""
    tag = env.ref(xmlid, raise_if_not_found=False)
    if tag and cases:
        cases.tag_ids = [Command.link(tag.id)]


def _story_letters(env, company, today):
    """Of today's letters, the collectors cancelled one, one bounced, one is back to review."""
    letters = env["account.dunning.letter"].search(
        [("company_id", "=", company.id), ("state", "=", "to_send")], order="id"
    )
    if len(letters) < 4:
        return
    cancelled, bounced, reviewed = letters[:3]
    cancelled.action_cancel()
    bounced._mark_failed(env._("The customer's mail server refused the message (mailbox full)."))
    reviewed.action_cancel()
    reviewed.action_reset_to_draft()
