/**
 * A collector works the collections board (tests/test_board_tour.py makes the data):
 *   To remind: Boulangerie Tour SARL 1,000 € (40 days late, a call planned),
 *              Café des Arts SAS 250 € (10 days late)
 *   Reminded:  Garage Martin SARL 600 € (70 days late)
 * The tour reads the column totals, drags Café des Arts to Reminded, and logs a call on
 * Boulangerie Tour from its card. The Python test then checks what the server recorded.
 */
import {formatDate, toLocaleDateString} from "@web/core/l10n/dates";
import {registry} from "@web/core/registry";
import {stepUtils} from "@web_tour/tour_utils";

const column = (title) => `.o_kanban_group:has(.o_column_title:contains("${title}"))`;
const card = (customer) => `.o_kanban_record:contains("${customer}")`;

registry.category("web_tour.tours").add("account_dunning_board_tour", {
    url: "/odoo",
    steps: () => {
        // The next action the collector plans: a week from today, typed in the user's date
        // format (11/30/2026) and shown on the card as a short date (Nov 30).
        const nextAction = luxon.DateTime.now().plus({days: 7});
        return [
            ...stepUtils.goToAppSteps(
                "account_dunning.menu_collections_root",
                "Open the Collections app"
            ),
            {
                content: "The board opens on the cases, grouped by stage",
                trigger: `.o_kanban_view ${column("To remind")} ${card("Boulangerie Tour SARL")}`,
            },
            {
                // 1,000 + 250 = 1,250 (the column sums the overdue amounts of its cards)
                content: "To remind totals 1,250 €",
                trigger: `${column("To remind")} .o_animated_number:contains("1,250")`,
            },
            {
                content: "Reminded totals 600 €",
                trigger: `${column("Reminded")} .o_animated_number:contains("600")`,
            },
            {
                content:
                    "The progress bar splits To remind by urgency: one under 30 days, one 30 to 60",
                trigger: `${column("To remind")} .o_column_progress:has(.bg-success[aria-valuenow="1"]):has(.bg-warning[aria-valuenow="1"])`,
            },
            {
                content:
                    "Each card shows its overdue amount, days late and late invoices",
                trigger: `${card("Café des Arts SAS")}:contains("250.00"):contains("10 days late"):contains("1 late invoice"):not(:contains("invoices"))`,
            },
            {
                content: "Drag Café des Arts to Reminded",
                trigger: `${column("To remind")} ${card("Café des Arts SAS")}`,
                // Dropped in the middle of the column: the helper's default drops just above
                // the target, which here is the control panel, outside the board.
                async run(helpers) {
                    await helpers.drag_and_drop(column("Reminded"), {
                        position: "center",
                    });
                },
            },
            {
                content: "The card landed in Reminded",
                trigger: `${column("Reminded")} ${card("Café des Arts SAS")}`,
            },
            {
                // 1,250 - 250 = 1,000 left in To remind
                content: "To remind now totals 1,000 €",
                trigger: `${column("To remind")} .o_animated_number:contains("1,000")`,
            },
            {
                // 600 + 250 = 850 in Reminded
                content: "Reminded now totals 850 €",
                trigger: `${column("Reminded")} .o_animated_number:contains("850")`,
            },
            {
                content: "Boulangerie Tour's card shows the call planned for it",
                trigger: `${card("Boulangerie Tour SARL")} .o-mail-ActivityButton i.fa-phone`,
            },
            {
                content: "Open the quick actions of Boulangerie Tour's card",
                trigger: card("Boulangerie Tour SARL"),
                run: `hover && click ${card("Boulangerie Tour SARL")} .o_dropdown_kanban .dropdown-toggle`,
            },
            {
                content: "Log a call",
                trigger:
                    ".o-dropdown--kanban-record-menu .dropdown-item:contains('Log a call')",
                run: "click",
            },
            {
                content: "The call was not answered",
                trigger:
                    ".modal .o_field_widget[name=outcome] input[data-value=no_answer]",
                run: "click",
            },
            {
                content: "Note what happened",
                trigger: ".modal .o_field_widget[name=note] textarea",
                run: "edit Voicemail, left a message for the accountant",
            },
            {
                content: "Plan the next action in a week",
                trigger: ".modal .o_field_widget[name=next_action_date] input",
                run: `edit ${formatDate(nextAction)}`,
            },
            {
                content: "Say what the next action is",
                trigger: ".modal .o_field_widget[name=next_action] input",
                run: "edit Send the statement",
            },
            {
                content: "Log the call",
                trigger: ".modal .modal-footer button[name=action_log]",
                run: "click",
            },
            {
                content: "The dialog closes and the card shows the next action",
                trigger: `body:not(:has(.modal)) ${column("To remind")} ${card("Boulangerie Tour SARL")}:contains("Next: ${toLocaleDateString(nextAction)}"):contains("Send the statement")`,
            },
            {
                content: "The planned call is done: the card has no activity left",
                trigger: `${card("Boulangerie Tour SARL")} .o-mail-ActivityButton i:not(.fa-phone)`,
            },
        ];
    },
});
