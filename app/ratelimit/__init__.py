"""Rate limits: a quota per token and per anonymous client address, counted before
anything else answers, exactly across the worker processes of a host (and across
hosts through Redis when one is configured)."""
