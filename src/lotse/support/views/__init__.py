"""The pages of the support process, one module per domain; `base` holds the steps they share."""
