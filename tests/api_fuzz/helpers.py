"""The error envelope every 4xx/5xx must use."""
import json


def assert_envelope(response, status, code=None):
    """The response has `status` and the body {"error": {"code", "message", "details"}}; returns error."""
    body = response.content if hasattr(response, "content") else response.body
    assert response.status_code == status, (response.status_code, body[:500])
    assert response["Content-Type"].startswith("application/json"), response["Content-Type"]
    data = json.loads(body)
    assert set(data) == {"error"}, data
    error = data["error"]
    assert set(error) == {"code", "message", "details"}, error
    assert isinstance(error["code"], str) and error["code"], error
    assert isinstance(error["message"], str) and error["message"], error
    assert "ErrorDetail(" not in error["message"] and not error["message"].startswith("{"), error["message"]
    if code is not None:
        assert error["code"] == code, error
    return error
