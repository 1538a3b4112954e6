"""The forms of the support process, one module per domain; they validate input, services decide."""
