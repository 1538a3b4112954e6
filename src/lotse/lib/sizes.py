"""File sizes as people read them: megabytes of 1024 × 1024 bytes (what the limits are set in
and what file managers show as "MB"), with the active language's decimal separator."""

from django.utils import formats

MEGABYTE = 1024 * 1024


def megabytes(size: int) -> str:
    """The size in MB with at most one decimal, none when it is whole: "10", "10,5" in German."""
    rounded = round(size / MEGABYTE, 1)
    decimals = 0 if rounded == int(rounded) else 1
    return formats.number_format(rounded, decimal_pos=decimals, use_l10n=True)
