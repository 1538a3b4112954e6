"""Every read a page of the support process needs, filtered by what the person may see, one
module per domain; `base` holds what they share (confidential columns only for readable rows,
active releases)."""
