"""Probes under arbitrary methods, query strings and bodies: 200 for GET/HEAD, otherwise a 405 envelope."""
import pytest
from hypothesis import HealthCheck, given
from hypothesis import settings as hsettings
from hypothesis import strategies as st

from tests.api_fuzz.helpers import assert_envelope

pytestmark = pytest.mark.django_db

METHODS = ["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS", "TRACE"]


@hsettings(max_examples=60, derandomize=True, database=None, deadline=None,
           suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(path=st.sampled_from(["/healthz", "/readyz"]), method=st.sampled_from(METHODS),
       query=st.text(max_size=20), body=st.binary(max_size=50))
def test_probes_answer_or_405_in_envelope(client, path, method, query, body):
    response = client.generic(method, path, body, content_type="application/json", QUERY_STRING=query)
    if method in ("GET", "HEAD"):
        assert response.status_code == 200, response.content
        if method == "GET":
            assert response.json()["status"] in ("ok", "ready")
    else:
        assert_envelope(response, 405, "method_not_allowed")
