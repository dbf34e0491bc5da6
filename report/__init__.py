from . import account_dunning_statement
