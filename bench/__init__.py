"""Benchmarks: every figure is a ratio against a baseline measured in the same run.

``make bench`` (``python -m bench``) runs four groups and writes ``bench/RESULTS.md``;
``make bench-smoke`` runs them all at tiny sizes, prints, writes nothing and fails only when a
benchmark breaks (never on a timing):

- core (:mod:`bench.core_sd_jwt`, :mod:`bench.core_vc_jose`, :mod:`bench.core_status_list`):
  the credential core against its signature floor (``cryptography`` alone) and against the
  reference SD-JWT implementation (``sd-jwt``) or PyJWT, in interleaved rounds
  (:mod:`bench.timing`);
- HTTP (:mod:`bench.http_bench`): ``taito serve`` on a fresh SQLite or PostgreSQL database
  (:mod:`bench.http_server`), set up through the API (:mod:`bench.http_setup`,
  :mod:`bench.verification_load`) and loaded by wrk (:mod:`bench.wrk`, ``bench/wrk.lua``),
  each endpoint the median of several runs interleaved with ``/healthz`` of the same server;
  the Python generator (:mod:`bench.http_load`) only cross-checks wrk's figures;
- scale (:mod:`bench.scale`): issuance with a million credentials in the register, loaded by
  wrk;
- wallet (:mod:`bench.scale_wallet`): one wallet at 100, 500 and 1,000 credentials (its cap,
  ``wallet.limits.CREDENTIALS_MAX``), read in process cold and warm beside ``/healthz``.

Where a target is missed the run profiles it (pyinstrument in process, py-spy on the server:
:mod:`bench.profiling`, :mod:`bench.server_profile`); both are bench-only tools.
"""
