"""The Kontrakt's methods come from the organisation's list, with other methods in free text.

Before, the methods were free text. A text that names only methods of the organisation's list
(one per line, or separated by commas or semicolons) becomes that choice; any other text stays,
word for word, as the other methods. Nothing is lost either way."""

import re
from typing import Any

from django.db import migrations

import lotse.lib.crypto

SEPARATORS = re.compile(r"[\n,;]")


def split_methods(apps: Any, schema_editor: Any) -> None:
    Agreement = apps.get_model("support", "Agreement")
    Method = apps.get_model("support", "Method")
    names: dict[int, dict[str, str]] = {}
    # In the list's order, as the Kontrakt form saves them.
    for organisation_id, name in Method.objects.order_by("name").values_list(
        "organisation_id", "name"
    ):
        names.setdefault(organisation_id, {})[name.casefold()] = name
    for agreement in Agreement.objects.select_related("request").iterator():
        text = (agreement.methods or "").strip()
        listed = names.get(agreement.request.organisation_id, {})
        parts = [part.strip() for part in SEPARATORS.split(text) if part.strip()]
        if parts and all(part.casefold() in listed for part in parts):
            wanted = {part.casefold() for part in parts}
            chosen = [name for key, name in listed.items() if key in wanted]
            agreement.methods, agreement.other_methods = "\n".join(chosen), ""
        else:
            agreement.methods, agreement.other_methods = "", text
        agreement.save(update_fields=["methods", "other_methods"])


class Migration(migrations.Migration):
    dependencies = [
        ("support", "0007_handled_uids"),
    ]

    operations = [
        # The column without a database default: an encrypted value is sealed per row by
        # save(), which the data step below does for every existing Kontrakt version.
        migrations.SeparateDatabaseAndState(
            database_operations=[
                migrations.AddField(
                    model_name="agreement",
                    name="other_methods",
                    field=lotse.lib.crypto.EncryptedTextField(blank=True, null=True),
                ),
            ],
            state_operations=[
                migrations.AddField(
                    model_name="agreement",
                    name="other_methods",
                    field=lotse.lib.crypto.EncryptedTextField(
                        blank=True, default="", null=True, verbose_name="other methods"
                    ),
                ),
            ],
        ),
        migrations.RunPython(split_methods, migrations.RunPython.noop),
    ]
