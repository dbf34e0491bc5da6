from . import account_dunning_aging, account_dunning_statement
