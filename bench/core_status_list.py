"""IETF Token Status List of 1,000,000 entries: encode, compress, sign; look up one index.

The list has 2 bits per entry, as the issuer service publishes (``issuers.status.BITS``), with
1 % of the entries revoked and 0.5 % suspended at random positions (a fixed seed): a realistic
list compresses far less than an all-valid one. Floors: the signature alone, and the signature
plus ``zlib`` at the level Taito uses, which is the irreducible work of publishing a list.
"""

import random
import zlib
from datetime import timedelta

from bench import profiling
from bench.inputs import ISSUER, NOW, bench_key, raw_sign, raw_signature_of, raw_verify
from bench.report import Section, Table, TargetCheck, seconds, times
from bench.timing import Budget, Contender, compare, ratio
from credentials.jws import parse_compact
from credentials.keys import ALGORITHMS
from credentials.status_list import (
    COMPRESSION_LEVEL,
    StatusList,
    StatusReference,
    StatusType,
    resolve_status,
    sign_status_list_token,
    verify_status_list_token,
)

ENTRIES = 1_000_000
PUBLISH_TARGET_SECONDS = 0.5
LIST_URI = "https://taito.bench/status/bench-list"


def _entries(size: int) -> bytes:
    chooser = random.Random(8)
    data = bytearray(size)
    for index in chooser.sample(range(size), size // 100):
        data[index] = StatusType.INVALID
    for index in chooser.sample(range(size), size // 200):
        data[index] = StatusType.SUSPENDED
    return bytes(data)


def run(budget: Budget, *, size: int = ENTRIES, profile_misses: bool) -> Section:
    """Time publishing and reading a ``size``-entry list; check the 0.5 s target at 1M."""
    key = bench_key("ES256")
    entries = _entries(size)
    packed_list = StatusList.from_entries(entries, bits=2)

    def sign(status_list: StatusList) -> str:
        return sign_status_list_token(
            status_list,
            key=key.taito,
            sub=LIST_URI,
            iat=NOW,
            exp=NOW + timedelta(hours=24),
            ttl=300,
            iss=ISSUER,
        )

    def publish() -> str:
        return sign(StatusList.from_entries(entries, bits=2))

    token = publish()
    parsed = parse_compact(token, max_bytes=8 * 1024 * 1024)
    public = key.raw.public_key()
    signature = raw_signature_of(parsed.signature, "ES256")
    probe = next(i for i, value in enumerate(entries) if value == StatusType.INVALID)
    reference = StatusReference(idx=probe, uri=LIST_URI)

    def verify_and_look_up() -> object:
        verified = verify_status_list_token(
            token,
            key=key.taito.public,
            issuer=ISSUER,
            algorithms=ALGORITHMS,
            expected_sub=LIST_URI,
            now=NOW + timedelta(seconds=5),
            clock_tolerance=timedelta(seconds=60),
        )
        return resolve_status(verified, reference)

    if verify_and_look_up() != StatusType.INVALID:
        raise AssertionError("status list: the revoked index does not read as revoked")
    compressed = zlib.compress(packed_list.packed, COMPRESSION_LEVEL)

    publishing = compare(
        (
            Contender("floor", lambda: raw_sign(key.raw, parsed.signing_input)),
            Contender(
                "zlib+sign",
                lambda: (
                    zlib.compress(packed_list.packed, COMPRESSION_LEVEL),
                    raw_sign(key.raw, parsed.signing_input),
                ),
            ),
            Contender("taito publish", publish),
            Contender("taito sign packed", lambda: sign(packed_list)),
        ),
        budget,
    )

    def floor_read() -> bytes:
        raw_verify(public, signature, parsed.signing_input)
        return zlib.decompress(compressed)

    reading = compare(
        (
            Contender("floor", floor_read),
            Contender("taito verify+lookup", verify_and_look_up),
            Contender("taito lookup", lambda: packed_list.get(probe)),
        ),
        budget,
    )

    section = Section(
        f"Core: status list of {size:,} entries (2 bits, 1.5 % set, ES256)",
        ".venv/bin/python -m bench --only core",
    )
    table = Table(
        f"Median time; token {len(token):,} bytes, list {len(packed_list.packed):,} bytes packed, "
        f"{len(compressed):,} compressed",
        ("operation", "Taito", "floor: signature", "floor: zlib + signature", "Taito ÷ zlib floor"),
    )
    table.add(
        "encode (1 byte per entry → 2 bits), compress, sign",
        seconds(publishing["taito publish"].median),
        seconds(publishing["floor"].median),
        seconds(publishing["zlib+sign"].median),
        times(ratio(publishing, "taito publish", "zlib+sign")),
    )
    table.add(
        "compress and sign an already packed list (the service's case)",
        seconds(publishing["taito sign packed"].median),
        seconds(publishing["floor"].median),
        seconds(publishing["zlib+sign"].median),
        times(ratio(publishing, "taito sign packed", "zlib+sign")),
    )
    table.add(
        "verify token, inflate, look up one index (verifier, uncached)",
        seconds(reading["taito verify+lookup"].median),
        "",
        seconds(reading["floor"].median) + " (verify + inflate)",
        times(ratio(reading, "taito verify+lookup", "floor")),
    )
    table.add(
        "look up one index in a decoded list (verifier, cached)",
        seconds(reading["taito lookup"].median),
        "",
        "",
        "",
    )
    section.tables.append(table)
    published = publishing["taito publish"].median
    if size == ENTRIES:
        section.targets.append(
            TargetCheck(
                f"a 1M-entry status list published in < {PUBLISH_TARGET_SECONDS} s",
                seconds(published),
                published < PUBLISH_TARGET_SECONDS,
            )
        )
    zlib_share = ratio(publishing, "zlib+sign", "taito publish")
    section.reading.append(
        f"Publishing is limited by zlib level {COMPRESSION_LEVEL}: compression and the signature "
        f"alone take {zlib_share:.0%} of Taito's time; the rest is packing (big-integer "
        "arithmetic in C), base64url and JSON of the compressed list."
    )
    if profile_misses and published >= PUBLISH_TARGET_SECONDS and size == ENTRIES:
        found = profiling.profile(publish, seconds=3.0, operation=published)
        section.reading.extend(
            found.lines() if found else ["profile not taken (pyinstrument is not installed)"]
        )
    return section
