"""The development demo: demo data, its secrets file, and the `taito demo` story told over HTTP.

The seeding is a flow like any other (:mod:`api.flows.demo_seeding`).

Development only; nothing in the runtime service paths imports it except ``taito dev``.
"""
