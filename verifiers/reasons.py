"""Plain-language reasons for failed checks, in Finnish, Swedish and English.

A reason is chosen by the failure's stable ``code`` (the core's error codes and the verifier's
own); a code without a text of its own falls back to the text of its check. ``{claim}`` is the
claim's label in the same language, never its value.
"""

from typing import Final

from verifiers.language import Language

_BY_CHECK: Final[dict[str, tuple[str, str, str]]] = {
    "format": (
        "Tunnistetta tai esitystä ei voitu lukea: se ei ole kelvollinen SD-JWT VC.",
        "Intyget eller presentationen kunde inte läsas: det är inte ett giltigt SD-JWT VC.",
        "The credential or presentation could not be read: it is not a well-formed SD-JWT VC.",
    ),
    "signature": (
        "Myöntäjän allekirjoitus ei täsmää tai näytetyt tiedot eivät vastaa allekirjoitettuja.",
        "Utfärdarens signatur stämmer inte, eller de visade uppgifterna motsvarar inte det som "
        "signerats.",
        "The issuer's signature does not verify, or the disclosed claims are not what the issuer "
        "signed.",
    ),
    "issuer_trusted": (
        "Myöntäjä ei ole luotettu tämän tunnistetyypin myöntäjäksi.",
        "Utfärdaren är inte betrodd för den här typen av intyg.",
        "The issuer is not trusted for this type of credential.",
    ),
    "validity_period": (
        "Tunniste ei ole voimassa nyt.",
        "Intyget är inte giltigt nu.",
        "The credential is not valid at this time.",
    ),
    "status": (
        "Tunnisteen tilaa ei voitu varmistaa.",
        "Intygets status kunde inte bekräftas.",
        "The credential's status could not be confirmed.",
    ),
    "kb_signature": (
        "Esitystä ei ole allekirjoitettu avaimella, jolle tunniste on myönnetty.",
        "Presentationen är inte signerad med den nyckel som intyget utfärdades till.",
        "The presentation is not signed by the key the credential was issued to.",
    ),
    "kb_audience": (
        "Esitys on tehty toiselle vastaanottajalle.",
        "Presentationen gjordes för en annan mottagare.",
        "The presentation was made for another verifier.",
    ),
    "kb_nonce": (
        "Esitys ei vastaa tähän pyyntöön (väärä kertakäyttökoodi).",
        "Presentationen svarar inte på den här begäran (fel engångskod).",
        "The presentation does not answer this request (its nonce is not ours).",
    ),
    "kb_freshness": (
        "Esitys on liian vanha tai päivätty tulevaisuuteen.",
        "Presentationen är för gammal eller daterad i framtiden.",
        "The presentation is too old or dated in the future.",
    ),
    "kb_sd_hash": (
        "Esityksen tietoja on muutettu haltijan allekirjoituksen jälkeen.",
        "Presentationens uppgifter har ändrats efter att innehavaren signerade den.",
        "The presentation was changed after its holder signed it.",
    ),
    "holder_binding": (
        "Tunniste on myönnetty eri avaimelle kuin tämän lompakon.",
        "Intyget har utfärdats till en annan nyckel än den här plånbokens.",
        "The credential was issued to another key than this wallet's.",
    ),
    "schema": (
        "Näytetyt tiedot eivät vastaa tunnistetyyppiä.",
        "De visade uppgifterna motsvarar inte intygstypen.",
        "The disclosed claims do not fit the credential type.",
    ),
    "request_satisfied": (
        "Esitykset eivät sisällä pyydettyä.",
        "Presentationerna innehåller inte det som begärdes.",
        "The presentations do not provide what was requested.",
    ),
}

_BY_CODE: Final[dict[str, tuple[str, str, str]]] = {
    "not_checked": (
        "Ei tarkistettu, koska aiempi tarkistus epäonnistui.",
        "Inte kontrollerat, eftersom en tidigare kontroll misslyckades.",
        "Not checked, because an earlier check failed.",
    ),
    "issuer_unknown": (
        "Myöntäjä on tuntematon: se ei ole luotettujen myöntäjien rekisterissä.",
        "Utfärdaren är okänd: den finns inte i registret över betrodda utfärdare.",
        "The issuer is unknown: it is not in the trust registry.",
    ),
    "issuer_not_trusted_for_type": (
        "Myöntäjä tunnetaan, mutta sitä ei ole hyväksytty myöntämään tämän tyyppisiä tunnisteita.",
        "Utfärdaren är känd men inte godkänd att utfärda den här typen av intyg.",
        "The issuer is known, but not trusted to issue this type of credential.",
    ),
    "credential_expired": (
        "Tunnisteen voimassaolo on päättynyt.",
        "Intygets giltighetstid har gått ut.",
        "The credential has expired.",
    ),
    "credential_not_yet_valid": (
        "Tunniste ei ole vielä voimassa.",
        "Intyget är inte giltigt ännu.",
        "The credential is not valid yet.",
    ),
    "iat_in_future": (
        "Tunnisteen myöntämisaika on tulevaisuudessa.",
        "Intygets utfärdandetid ligger i framtiden.",
        "The credential claims to be issued in the future.",
    ),
    "credential_revoked": (
        "Myöntäjä on peruuttanut tämän tunnisteen.",
        "Utfärdaren har återkallat intyget.",
        "The issuer has revoked this credential.",
    ),
    "credential_suspended": (
        "Myöntäjä on keskeyttänyt tämän tunnisteen voimassaolon.",
        "Utfärdaren har tillfälligt spärrat intyget.",
        "The issuer has suspended this credential.",
    ),
    "status_unavailable": (
        "Myöntäjän tilalistaa ei saatu haettua, joten peruutusta ei voida sulkea pois.",
        "Utfärdarens statuslista kunde inte hämtas, så en återkallelse kan inte uteslutas.",
        "The issuer's status list could not be fetched, so revocation cannot be ruled out.",
    ),
    "status_list_invalid": (
        "Myöntäjän tilalista ei ole kelvollinen, joten peruutusta ei voida sulkea pois.",
        "Utfärdarens statuslista är inte giltig, så en återkallelse kan inte uteslutas.",
        "The issuer's status list is not valid, so revocation cannot be ruled out.",
    ),
    "issuer_key_unresolved": (
        "Allekirjoitukseen sopivaa myöntäjän luotettua avainta ei löytynyt.",
        "Ingen betrodd nyckel hos utfärdaren passar till signaturen.",
        "No trusted key of the issuer matches the signature.",
    ),
    "signature_invalid": (
        "Myöntäjän allekirjoitus ei täsmää: tunnistetta on muutettu tai se on väärennetty.",
        "Utfärdarens signatur stämmer inte: intyget har ändrats eller förfalskats.",
        "The issuer's signature does not verify: the credential was altered or forged.",
    ),
    "disclosure_unreferenced": (
        "Näytetty tieto ei kuulu myöntäjän allekirjoittamiin tietoihin.",
        "En visad uppgift ingår inte i det som utfärdaren signerat.",
        "A disclosed claim is not one the issuer signed.",
    ),
    "key_binding_required": (
        "Esityksessä ei ole todistetta siitä, että se tulee tunnisteen haltijalta.",
        "Presentationen saknar bevis på att den kommer från intygets innehavare.",
        "The presentation has no proof that it comes from the credential's holder.",
    ),
    "kb_expired": (
        "Esitys on vanhempi kuin sallitaan.",
        "Presentationen är äldre än tillåtet.",
        "The presentation is older than allowed.",
    ),
    "kb_iat_invalid": (
        "Esityksen aikaleima puuttuu tai on tulevaisuudessa.",
        "Presentationens tidsstämpel saknas eller ligger i framtiden.",
        "The presentation's time is missing or in the future.",
    ),
    "request_credential_missing": (
        "Pyydettyä tunnistetta ei esitetty.",
        "Ett begärt intyg presenterades inte.",
        "A requested credential was not presented.",
    ),
    "request_type_mismatch": (
        "Esitetty tunniste ei ole pyydettyä tyyppiä.",
        "Ett presenterat intyg är inte av begärd typ.",
        "A presented credential is not of a requested type.",
    ),
    "request_claim_missing": (
        "Vaadittua tietoa ei näytetty: {claim}.",
        "En obligatorisk uppgift visades inte: {claim}.",
        "A required claim was not disclosed: {claim}.",
    ),
    "request_value_not_allowed": (
        "Näytetty tieto ei täytä pyydettyä ehtoa: {claim}.",
        "En visad uppgift uppfyller inte det begärda villkoret: {claim}.",
        "A disclosed claim does not meet the requested condition: {claim}.",
    ),
    "request_too_many": (
        "Tunnisteita esitettiin enemmän kuin pyydettiin.",
        "Fler intyg presenterades än vad som begärdes.",
        "More credentials were presented than requested.",
    ),
    "request_unexpected_answer": (
        "Esitys ei vastaa mihinkään tämän pyynnön kohtaan.",
        "En presentation svarar inte på någon del av begäran.",
        "A presentation answers nothing this request asked for.",
    ),
    "format_not_accepted": (
        "Tätä tunniste- tai esitysmuotoa ei hyväksytä tässä: esimerkiksi pelkkä vc+jwt ei "
        "todista, kuka sen esittää.",
        "Det här formatet godtas inte här: till exempel bevisar ett ensamt vc+jwt inte vem som "
        "visar det.",
        "This format is not accepted here: a bare vc+jwt, for example, does not prove who "
        "presents it.",
    ),
    "status_not_checked_offline": (
        "Tilaa ei tarkistettu: tarkistus tehtiin ilman verkkoyhteyttä.",
        "Statusen kontrollerades inte: kontrollen gjordes utan nätverk.",
        "The status was not checked: the verification ran offline.",
    ),
    "schema_violation": (
        "Tieto ei vastaa tunnistetyyppiä: {claim}.",
        "En uppgift motsvarar inte intygstypen: {claim}.",
        "A claim does not fit the credential type: {claim}.",
    ),
}

_INDEX: Final[dict[Language, int]] = {"fi": 0, "sv": 1, "en": 2}


def reason_for(check: str, code: str, language: Language, *, claim: str | None = None) -> str:
    """The plain-language reason a check failed with ``code``, in ``language``."""
    texts = _BY_CODE.get(code) or _BY_CHECK.get(check) or _BY_CHECK["format"]
    text = texts[_INDEX[language]]
    return text.replace("{claim}", claim if claim is not None else "?")


def known_codes() -> frozenset[str]:
    """Every code with a text of its own (for tests)."""
    return frozenset(_BY_CODE)
