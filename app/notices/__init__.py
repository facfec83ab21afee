"""Deadlines that enforce themselves: sweeps over obligations, notices, e-mail, calendar feeds."""
