"""Take the README's screenshots from the demo database, as a user sees it: the collections
board, a formal notice (its PDF, first page), the customer's pay page (opened from the
letter's secure link, not logged in) and the aged receivables.

Usage (through tools/screenshots, which serves the demo): python3 tools/screenshots.py URL DB OUT_DIR
Needs the `playwright` package (pip) and a Chromium executable (Debian's chromium).
"""

import json
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

from playwright.sync_api import sync_playwright

VIEWPORT = {"width": 1440, "height": 900}
# The machines' network is closed: no background calls home from Chromium.
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


def chromium_path():
    for candidate in (os.environ.get("ODOO_BROWSER_BIN"), "chromium", "chromium-browser", "google-chrome"):
        if candidate and shutil.which(candidate):
            return shutil.which(candidate)
    sys.exit("account_dunning: no Chromium found: install Debian's chromium or set ODOO_BROWSER_BIN.")


def call(page, base, model, method, args, kwargs=None):
    """A JSON-RPC call with the logged-in session of ``page``."""
    response = page.request.post(
        f"{base}/web/dataset/call_kw/{model}/{method}",
        data=json.dumps(
            {
                "jsonrpc": "2.0",
                "method": "call",
                "params": {"model": model, "method": method, "args": args, "kwargs": kwargs or {}},
            }
        ),
        headers={"Content-Type": "application/json"},
    )
    body = response.json()
    if "error" in body:
        raise RuntimeError(body["error"]["data"]["message"])
    return body["result"]


def main():
    base, db, out_dir = sys.argv[1], sys.argv[2], Path(sys.argv[3])
    out_dir.mkdir(parents=True, exist_ok=True)
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=chromium_path(), args=CHROMIUM_ARGS)
        user = browser.new_context(viewport=VIEWPORT, locale="en-US")
        page = user.new_page()
        page.goto(f"{base}/web/login?db={db}")
        page.fill("input[name=login]", "admin")
        page.fill("input[name=password]", "admin")
        page.click("button[type=submit]")
        page.wait_for_selector(".o_main_navbar")

        # The board: one card per late customer, in the column of where the case stands.
        page.goto(f"{base}/odoo/action-account_dunning.action_account_dunning_case")
        page.wait_for_selector(".o_kanban_record")
        page.wait_for_timeout(1500)
        page.screenshot(path=out_dir / "board.png")

        # Analytics: the aged receivables by bucket, as a graph.
        page.goto(f"{base}/odoo/action-account_dunning.action_account_dunning_aging")
        page.wait_for_selector(".o_pivot")
        page.click("button.o_graph")
        page.wait_for_selector(".o_graph_renderer canvas")
        page.wait_for_timeout(1500)
        page.screenshot(path=out_dir / "analytics.png")

        # A formal notice as the customer receives it: the PDF's first page.
        [notice] = call(
            page,
            base,
            "account.dunning.letter",
            "search_read",
            # The latest formal notice whose items are all still unpaid: the page then has
            # something to pay.
            [
                [
                    ("is_formal_notice", "=", True),
                    ("state", "=", "sent"),
                    ("line_ids.move_line_id.reconciled", "=", False),
                    ("line_ids.move_line_id.amount_residual", ">", 0),
                ]
            ],
            {"fields": ["id", "partner_id"], "limit": 1, "order": "date desc, amount_due desc"},
        )
        pdf = page.request.get(f"{base}/report/pdf/account_dunning.report_dunning_letter/{notice['id']}")
        with tempfile.TemporaryDirectory() as folder:
            pdf_path = Path(folder) / "letter.pdf"
            pdf_path.write_bytes(pdf.body())
            subprocess.run(
                ["pdftoppm", "-png", "-r", "70", "-f", "1", "-l", "1", "-singlefile", pdf_path, out_dir / "letter"],
                check=True,
            )

        # The pay page, opened from the letter's secure link by a visitor who is not logged in.
        link = call(page, base, "account.dunning.letter", "get_portal_url", [[notice["id"]]])
        visitor = browser.new_context(viewport=VIEWPORT, locale="en-US")
        pay_page = visitor.new_page()
        pay_page.goto(f"{base}{link}")
        pay_page.wait_for_load_state("networkidle")
        pay_page.screenshot(path=out_dir / "pay_page.png", full_page=True)
        browser.close()
    for name in ("board", "analytics", "letter", "pay_page"):
        print(f"account_dunning: wrote {out_dir / name}.png")


if __name__ == "__main__":
    main()
