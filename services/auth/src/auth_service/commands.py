"""The auth service's own commands: rotating the signing keys, and creating the first admin."""

from __future__ import annotations

import argparse
import getpass
import os
import sys

from servicekit import audit
from servicekit.cli import Command
from servicekit.service import Runtime

from auth_service.accounts import ensure_acceptable_password, find_by_email, register_user
from auth_service.keyring import rotate
from auth_service.settings import AuthSettings

PASSWORD_VARIABLE = "AUTH_FIRST_ADMIN_PASSWORD"  # noqa: S105 - the name of a variable


async def rotate_keys(runtime: Runtime[AuthSettings], args: argparse.Namespace) -> None:
    settings = runtime.settings
    async with runtime.unit_of_work() as uow:
        new = await rotate(
            uow,
            settings,
            actor=audit.service_actor("auth"),
            publish_ahead_seconds=args.publish_ahead_seconds,
        )
    print(f"new signing key {new.kid} signs from {new.activates_at.isoformat()}")


async def create_admin(runtime: Runtime, args: argparse.Namespace) -> None:
    # Never from argv: a command line is visible to every user of the machine.
    password = os.environ.get(PASSWORD_VARIABLE) or getpass.getpass("Password: ")
    try:
        ensure_acceptable_password(password, args.email)
    except Exception as refused:  # a Problem, said on the terminal
        sys.exit(str(refused))
    async with runtime.unit_of_work() as uow:
        if await find_by_email(uow.session, args.email) is not None:
            sys.exit(f"a user with the email {args.email} exists already")
        user_id = await register_user(
            uow,
            email=args.email,
            display_name=args.display_name,
            roles=["admin"],
            password=password,
        )
        await uow.commit()
    print(f"administrator {args.email} created with id {user_id}")


def _rotation_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--publish-ahead-seconds",
        type=float,
        default=None,
        help="how long the new key is published before it signs (default: the setting)",
    )


def _admin_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--email", required=True)
    parser.add_argument("--display-name", required=True)


COMMANDS: dict[str, Command[AuthSettings]] = {
    "rotate-keys": Command(
        "make a new signing key; the current one retires", rotate_keys, _rotation_arguments
    ),
    "create-admin": Command(
        f"create an administrator (password from ${PASSWORD_VARIABLE} or a prompt)",
        create_admin,
        _admin_arguments,
    ),
}
