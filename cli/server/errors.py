"""Errors as the real Windmill server sends them: `text/plain`, `<Kind>: <message>`."""

from __future__ import annotations


class ApiError(Exception):
    """An HTTP error answer; `text` is the whole body."""

    def __init__(self, status: int, text: str) -> None:
        super().__init__(text)
        self.status = status
        self.text = text


def bad_request(message: str) -> ApiError:
    return ApiError(400, f"Bad request: {message}")


def not_found(message: str) -> ApiError:
    return ApiError(404, f"Not found: {message}")


def not_authorized(message: str) -> ApiError:
    return ApiError(401, f"Not authorized: {message}")
