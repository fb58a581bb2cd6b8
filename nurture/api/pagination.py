"""Page-number pagination with a bounded page number.

Ninja's own accepts any page, and (page - 1) × page size becomes the OFFSET of the query: past
the database's integer range that query fails, with a 500 (SQLite: "datatype mismatch";
PostgreSQL: "bigint out of range"). A million pages of at most 100 rows is far beyond any
list here; a larger page number is refused with 422 like any other invalid parameter.
"""

from ninja import Field, Schema, pagination

MAX_PAGE = 1_000_000


class PageNumberPagination(pagination.PageNumberPagination):
    class Input(Schema):
        page: int = Field(1, ge=1, le=MAX_PAGE)
        page_size: int | None = Field(None, ge=1)
