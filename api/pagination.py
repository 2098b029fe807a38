from rest_framework.pagination import CursorPagination


class IdCursorPagination(CursorPagination):
    """Opaque cursors over ids (newest first): stable while rows are added, no counts."""

    ordering = "-id"
    page_size = 20
    page_size_query_param = "page_size"
    max_page_size = 100
