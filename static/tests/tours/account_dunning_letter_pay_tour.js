/**
 * The customer opens the secure link of a letter listing two invoices (1,000 and 250,
 * tests/test_letter_portal.py makes them), without login, pays the first one with the demo
 * provider, and comes back to the letter: that invoice is marked paid, one is left to pay.
 */
import {registry} from "@web/core/registry";

const rows = ".o_dunning_portal_invoices tbody tr";

registry.category("web_tour.tours").add("account_dunning_letter_pay_tour", {
    steps: () => [
        {
            content: "Two invoices to pay, a button for the total",
            trigger: `${rows}:nth-child(2) .o_dunning_pay_invoice`,
        },
        {
            content: "Pay the first invoice",
            trigger: `${rows}:first-child .o_dunning_pay_invoice`,
            run: "click",
            expectUnloadPage: true,
        },
        {
            content: "The payment form asks for 1,000.00",
            trigger: "#o_dunning_payment:contains('1,000.00') #o_payment_form",
        },
        {
            content: "Choose the demo payment method",
            trigger: "#o_payment_form input[name='o_payment_radio']",
            run: "click",
        },
        {
            content: "Type test card details",
            trigger: "#customer_input",
            run: "edit 4242424242424242",
        },
        {
            content: "Pay",
            trigger: "button[name='o_payment_submit_button']:enabled",
            run: "click",
            expectUnloadPage: true,
        },
        {
            content: "Back on the letter: the first invoice is paid",
            trigger: `${rows}:first-child .o_dunning_paid`,
            timeout: 30000,
        },
        {
            content: "The second is still to pay, alone (no button for the total)",
            trigger: `.o_dunning_letter_portal:not(:has(.o_dunning_pay_all)) ${rows}:nth-child(2) .o_dunning_pay_invoice`,
        },
    ],
});
