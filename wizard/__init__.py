from . import (
    account_dunning_call,
    account_dunning_installment_reschedule,
    account_dunning_installment_reschedule_line,
    account_dunning_letter_post,
    account_dunning_penalty_invoice,
)
