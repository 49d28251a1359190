"""The development demo: demo data, its seeding, and the `taito demo` story told over HTTP.

Development only; nothing in the runtime service paths imports it except ``taito dev``.
"""
