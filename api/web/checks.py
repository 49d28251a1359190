"""The names of the verification checks, as a person reads them (reasons come from the gate)."""

from typing import Final

from api.web.language import N_, Localizer

CHECK_NAMES: Final[dict[str, str]] = {
    "format": N_("The credential can be read"),
    "signature": N_("The issuer's signature"),
    "issuer_trusted": N_("The issuer is trusted for this type"),
    "validity_period": N_("Valid at this time"),
    "status": N_("Not revoked or suspended"),
    "kb_signature": N_("Presented by the person it was issued to"),
    "kb_audience": N_("Meant for this recipient"),
    "kb_nonce": N_("Made for this share"),
    "kb_freshness": N_("Made recently enough"),
    "kb_sd_hash": N_("Nothing added or removed after sharing"),
    "holder_binding": N_("Bound to this wallet"),
    "schema": N_("The content fits its type"),
    "request_satisfied": N_("Answers what was asked"),
}


def check_names(t: Localizer) -> dict[str, str]:
    """Every check's name in ``t``'s language."""
    return {check: t.gettext(name) for check, name in CHECK_NAMES.items()}
