"""API endpoint rows for tests/api/test_permissions.py, one module per area.

Each module defines ENDPOINTS, a dict of label -> (call(api, world), expected status per
role), using the role groups of tests/api/test_permissions.py or its own, and may define
prepare(world) to add what its rows need to the world dict. Every operation of the OpenAPI
document must be called by some row.
"""
