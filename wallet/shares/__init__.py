"""The shares a person makes: rules, creation, records (list, withdraw), opening by link.

- :mod:`wallet.shares.rules`: what a share must meet before anything is built;
- :mod:`wallet.shares.creation`: preview and create a share;
- :mod:`wallet.shares.records`: list, read and withdraw shares;
- :mod:`wallet.shares.viewing`: find a share by its link, present it afresh for each view, count
  its views.
"""
