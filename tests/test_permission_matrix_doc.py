"""docs/permissions.md is the role-permission matrix that the authorization tests enforce."""

from tests import permission_matrix_doc
from tests import test_authorization as web
from tests.api import test_permissions as api


def test_the_permission_document_matches_the_matrices():
    rendered = permission_matrix_doc.render()
    current = permission_matrix_doc.DOC.read_text(encoding="utf-8")

    assert current == rendered, (
        "docs/permissions.md and the matrices in tests/authz/ and tests/api/ disagree: "
        "run `python -m tests.permission_matrix_doc` and commit the result."
    )


def test_the_document_names_every_url_and_operation_of_the_matrices():
    current = permission_matrix_doc.DOC.read_text(encoding="utf-8")

    assert [name for name in web.MATRIX if f"`{name}`" not in current] == []
    assert [label for label in api.ENDPOINTS if f"| {label} |" not in current] == []


def test_every_role_is_a_column():
    assert list(permission_matrix_doc.WEB_ROLES) == list(web.ROLES)
    assert sorted(permission_matrix_doc.API_ROLES) == sorted(api.ROLES)
