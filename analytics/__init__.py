"""Collections analytics as plain Python: how a customer pays (days late, share paid late,
trend) and what that says about the risk of selling to them on credit. Standard library
and dateutil only: the models read the database and call these functions."""

from . import behaviour
