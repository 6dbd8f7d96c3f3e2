"""Key scopes, password changes and logouts through both clients, against the real server."""

from __future__ import annotations

import pytest

from audiences import AsyncAudiences, Audiences, AudiencesError
from conftest import DAYS, PASSWORD, new_account
from local_server import LocalServer

NEW_PASSWORD = "amber-Lighthouse-Orchard-77"


def test_a_key_is_held_to_its_scopes(server: LocalServer) -> None:
    account = new_account(server.url)
    with Audiences(url=server.url, token=account.token) as admin:
        reader = admin.keys.create(name="dashboard", scopes=["read"])
        assert reader.scopes == ["read"]
        listed = {info.client_id: info for info in admin.keys.list()}
        assert listed[reader.client_id].scopes == ["read"]
        assert admin.keys.create(name="everything").scopes == ["read", "write", "admin"]
        with pytest.raises(AudiencesError) as unknown:
            admin.keys.create(name="bad", scopes=["delete"])  # type: ignore[list-item]
    assert unknown.value.status == 400
    assert unknown.value.errors == [
        {"field": "scopes[0]", "message": "must be one of read, write, admin"}
    ]
    with Audiences(url=server.url, api_key=reader.api_key) as user:
        assert user.catalog().days == DAYS
        with pytest.raises(AudiencesError) as refused:
            user.webhooks.list()
    assert refused.value.status == 403
    assert refused.value.code == "scope_missing"
    assert "lacks the 'admin' scope" in refused.value.detail


def test_change_password_ends_the_other_sessions(server: LocalServer) -> None:
    account = new_account(server.url)
    with Audiences(url=server.url) as caller, Audiences(url=server.url) as other:
        caller.accounts.login(email=account.email, password=PASSWORD)
        other.accounts.login(email=account.email, password=PASSWORD)
        with pytest.raises(AudiencesError) as wrong:
            caller.accounts.change_password(current_password="nope", new_password=NEW_PASSWORD)
        assert (wrong.value.status, wrong.value.code) == (403, "current_password_wrong")
        changed = caller.accounts.change_password(
            current_password=PASSWORD, new_password=NEW_PASSWORD
        )
        # `other` and the login of new_account.
        assert changed.other_sessions_ended == 2
        with pytest.raises(AudiencesError) as ended:
            other.keys.list()
        assert (ended.value.status, ended.value.code) == (401, "session_ended")
        assert caller.keys.list()
    with Audiences(url=server.url) as fresh:
        fresh.accounts.login(email=account.email, password=NEW_PASSWORD)


async def test_logout_ends_the_token_everywhere(server: LocalServer) -> None:
    account = new_account(server.url)
    async with AsyncAudiences(url=server.url, token=account.token) as client:
        assert client.token == account.token
        await client.accounts.logout()
        assert client.token is None
        # Ending it again (a retry after a lost answer) is no error.
        async with AsyncAudiences(url=server.url, token=account.token) as again:
            await again.accounts.logout()
    with (
        Audiences(url=server.url, token=account.token) as stale,
        pytest.raises(AudiencesError) as ended,
    ):
        stale.keys.list()
    assert (ended.value.status, ended.value.code) == (401, "session_ended")
