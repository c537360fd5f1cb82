"""Dependencies of the auth routes: the signing authority, and who is calling."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request
from servicekit.auth import Principal, require_roles
from servicekit.deps import RuntimeDep

from auth_service.keyring import Keyring
from auth_service.sessions import Authority
from auth_service.settings import AuthSettings


def get_authority(request: Request, runtime: RuntimeDep[AuthSettings]) -> Authority:
    # One keyring per process: it caches the unsealed signing keys.
    state = request.app.state
    if getattr(state, "authority", None) is None:
        settings = runtime.settings
        state.authority = Authority(runtime, settings, Keyring(runtime.sessions, settings))
    authority: Authority = state.authority
    return authority


def get_settings(runtime: RuntimeDep[AuthSettings]) -> AuthSettings:
    return runtime.settings


AuthorityDep = Annotated[Authority, Depends(get_authority)]
SettingsDep = Annotated[AuthSettings, Depends(get_settings)]
AdminDep = Annotated[Principal, Depends(require_roles("admin"))]
