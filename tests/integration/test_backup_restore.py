"""The restore drill: deploy/local/backup.sh backs up a cluster, which is destroyed and restored.

It runs on a scratch cluster of its own (initdb into a folder under .run, a free port), never
on the user's or the test stack's: the script is pointed at it through its BACKUP_PG_* settings,
and the cluster archives its WAL with the very settings postgres.sh gives the stack's.
"""

from __future__ import annotations

import asyncio
import json
import os
import pwd
import shutil
import socket
import subprocess
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

import asyncpg
import pytest

from tests.conftest import ROOT, RUN

pytestmark = pytest.mark.integration

PG_BIN = Path(os.environ.get("PG_BIN", "/usr/lib/postgresql/15/bin"))
BACKUP_SH = ROOT / "deploy" / "local" / "backup.sh"
# initdb and postgres refuse to run as root.
AS_PG = ["runuser", "-u", "postgres", "--"] if os.geteuid() == 0 else []


@dataclass(frozen=True)
class Cluster:
    folder: Path
    port: int
    password: str

    @property
    def data(self) -> Path:
        return self.folder / "data"

    @property
    def env(self) -> dict[str, str]:
        return {
            **os.environ,
            "BACKUP_PG_DATA": str(self.data),
            "BACKUP_PG_PORT": str(self.port),
            "BACKUP_PASSWORD_FILE": str(self.folder / "password"),
            "BACKUP_DIR": str(self.folder / "backups"),
            "RESTORE_LOG": str(self.folder / "restore.log"),
            "BACKUP_GZIP_LEVEL": "1",
        }

    def script(self, *args: str, **extra: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [str(BACKUP_SH), *args],
            env={**self.env, **extra},
            capture_output=True,
            text=True,
            timeout=120,
            check=False,
        )

    def pg_ctl(self, *args: str) -> None:
        log = str(self.folder / "postgres.log")
        command = [*AS_PG, str(PG_BIN / "pg_ctl"), "-D", str(self.data), "-l", log, "-s", *args]
        subprocess.run(command, cwd="/", check=True, timeout=60)

    def running(self) -> bool:
        command = [*AS_PG, str(PG_BIN / "pg_ctl"), "-D", str(self.data), "status"]
        return subprocess.run(command, cwd="/", capture_output=True, check=False).returncode == 0

    async def connect(self, database: str = "postgres") -> asyncpg.Connection:
        return await asyncpg.connect(
            host="127.0.0.1",
            port=self.port,
            user="postgres",
            password=self.password,
            database=database,
        )


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


def owned_by_postgres(path: Path) -> None:
    if AS_PG:
        user = pwd.getpwnam("postgres")
        os.chown(path, user.pw_uid, user.pw_gid)


@pytest.fixture
def cluster() -> Iterator[Cluster]:
    """A fresh cluster that archives its WAL into its own backups folder, deleted afterwards."""
    folder = RUN.resolve() / f"backup-drill-{uuid.uuid4().hex[:8]}"
    folder.mkdir(parents=True)
    owned_by_postgres(folder)
    made = Cluster(folder, free_port(), uuid.uuid4().hex)
    (folder / "password").write_text(made.password)
    owned_by_postgres(folder / "password")
    try:
        subprocess.run(
            [
                *AS_PG,
                str(PG_BIN / "initdb"),
                "-D",
                str(made.data),
                "-U",
                "postgres",
                f"--pwfile={folder / 'password'}",
                "--auth=scram-sha-256",
                "-E",
                "UTF8",
                "--locale=C.UTF-8",
            ],
            cwd="/",
            check=True,
            capture_output=True,
            timeout=60,
        )
        archiving = made.script("archive-settings")
        assert archiving.returncode == 0, archiving.stderr
        with (made.data / "postgresql.conf").open("a") as conf:
            conf.write(
                f"port = {made.port}\nlisten_addresses = '127.0.0.1'\n"
                "unix_socket_directories = ''\nshared_buffers = 32MB\nmax_connections = 20\n"
                "fsync = off\n" + archiving.stdout
            )
        made.pg_ctl("-w", "start")
        yield made
    finally:
        if made.data.exists() and made.running():
            made.pg_ctl("-m", "immediate", "-w", "stop")
        shutil.rmtree(folder)


async def make_records(cluster: Cluster) -> dict[str, list[tuple[int, str]]]:
    """Two databases, as the services have theirs, with rows enough to span several pages."""
    conn = await cluster.connect()
    for name in ("ward", "theatre"):
        await conn.execute(f"CREATE DATABASE {name}")
    await conn.close()
    for name in ("ward", "theatre"):
        conn = await cluster.connect(name)
        await conn.execute("CREATE TABLE record (id int PRIMARY KEY, note text NOT NULL)")
        await conn.execute(
            "INSERT INTO record SELECT i, md5(i::text) FROM generate_series(1, 2000) AS i"
        )
        await conn.close()
    return await read_records(cluster)


async def read_records(cluster: Cluster) -> dict[str, list[tuple[int, str]]]:
    records = {}
    for name in ("ward", "theatre"):
        conn = await cluster.connect(name)
        rows = await conn.fetch("SELECT id, note FROM record ORDER BY id")
        records[name] = [(row["id"], row["note"]) for row in rows]
        await conn.close()
    return records


async def write(cluster: Cluster, row_id: int) -> str:
    """Writes one row; answers the server's clock just after it committed."""
    conn = await cluster.connect("ward")
    await conn.execute("INSERT INTO record VALUES ($1, 'after the backup')", row_id)
    now: str = await conn.fetchval("SELECT clock_timestamp()::text")
    await conn.close()
    return now


async def archive_current_segment(cluster: Cluster) -> None:
    """What archive_timeout does within five minutes: the segment in use is switched out and
    archived, so a cluster lost with its disk loses none of the rows written so far."""
    conn = await cluster.connect()
    segment = await conn.fetchval("SELECT pg_walfile_name(pg_switch_wal())")
    await conn.close()
    archived = cluster.folder / "backups" / "wal" / segment
    for _ in range(600):
        if archived.exists():
            return
        await asyncio.sleep(0.05)
    raise AssertionError(f"{segment} was not archived within 30 s")


def destroy(cluster: Cluster) -> None:
    cluster.pg_ctl("-m", "immediate", "-w", "stop")
    shutil.rmtree(cluster.data)


async def test_a_cluster_restores_every_row_after_loss_and_any_point_in_time_between_writes(
    cluster: Cluster,
) -> None:
    before = await make_records(cluster)
    made = cluster.script("backup")
    assert made.returncode == 0, made.stderr
    (name,) = [p.name for p in (cluster.folder / "backups").glob("2*Z")]
    assert name in cluster.script("list").stdout
    manifest = json.loads((cluster.folder / "backups" / name / "manifest.json").read_text())
    assert manifest["point_in_time_recovery"], made.stderr
    assert set(manifest["databases"]) >= {"ward", "theatre"}

    between = await write(cluster, 10_001)  # row A, and the moment after it
    await write(cluster, 10_002)  # row B
    await archive_current_segment(cluster)

    refused = cluster.script("restore", name)
    assert refused.returncode != 0
    assert "make down" in refused.stderr

    destroy(cluster)
    restored = cluster.script("restore", name)
    assert restored.returncode == 0, restored.stderr + restored.stdout
    cluster.pg_ctl("-w", "start")
    after = await read_records(cluster)
    assert after["theatre"] == before["theatre"]
    assert after["ward"][: len(before["ward"])] == before["ward"]
    assert [row_id for row_id, _ in after["ward"][len(before["ward"]) :]] == [10_001, 10_002]

    # Row C, then a crash: C is only in the cluster's own pg_wal (a clean stop would have
    # archived its segment). A restore over the crashed cluster replays it from the data it
    # moves aside.
    await write(cluster, 10_003)
    cluster.pg_ctl("-m", "immediate", "-w", "stop")
    over_it = cluster.script("restore", name)
    assert over_it.returncode == 0, over_it.stderr + over_it.stdout
    (aside,) = cluster.folder.glob("data.before-restore-*")
    assert (aside / "PG_VERSION").exists(), "the replaced data was deleted"
    cluster.pg_ctl("-w", "start")
    replayed = await read_records(cluster)
    assert [row_id for row_id, _ in replayed["ward"][len(before["ward"]) :]] == [
        10_001,
        10_002,
        10_003,
    ]

    cluster.pg_ctl("-m", "fast", "-w", "stop")
    to_the_point = cluster.script("restore", "latest", RESTORE_TARGET_TIME=between)
    assert to_the_point.returncode == 0, to_the_point.stderr + to_the_point.stdout
    cluster.pg_ctl("-w", "start")
    at_the_point = await read_records(cluster)
    assert at_the_point["theatre"] == before["theatre"]
    assert [row_id for row_id, _ in at_the_point["ward"][len(before["ward"]) :]] == [10_001]


def make_backup_folder(backups: Path, age: timedelta, start_wal: str) -> str:
    name = (datetime.now(UTC) - age).strftime("%Y%m%dT%H%M%SZ")
    (backups / name).mkdir()
    (backups / name / "manifest.json").write_text(json.dumps({"start_wal_file": start_wal}))
    return name


def segment(number: int) -> str:
    return f"00000001000000000000{number:04X}"


def test_prune_keeps_the_newest_backups_and_only_the_wal_they_need():
    backups = RUN.resolve() / f"backup-prune-{uuid.uuid4().hex[:8]}"
    wal = backups / "wal"
    wal.mkdir(parents=True)
    owned_by_postgres(backups)
    owned_by_postgres(wal)
    try:
        ages = [timedelta(days=d) for d in (10, 8, 2, 1)] + [timedelta(minutes=5)]
        names = [make_backup_folder(backups, age, segment(2 * i + 1)) for i, age in enumerate(ages)]
        (backups / f"{names[-1]}x.partial").mkdir()  # what a failed backup left
        for number in range(1, 12):
            (wal / segment(number)).write_bytes(b"")
        (wal / "00000002.history").write_text("1\t0/9000000\tno recovery target specified\n")
        env = {**os.environ, "BACKUP_DIR": str(backups)}

        def prune(**settings: str) -> list[str]:
            done = subprocess.run(
                [str(BACKUP_SH), "prune"], env={**env, **settings}, capture_output=True, text=True
            )
            assert done.returncode == 0, done.stderr
            return sorted(p.name for p in backups.iterdir() if p.name not in {"wal", ".lock"})

        assert prune(BACKUP_KEEP_DAYS="7") == names[2:]
        assert {p.name for p in wal.iterdir()} == {
            "00000002.history",
            *(segment(n) for n in range(5, 12)),
        }
        assert prune(BACKUP_KEEP_DAYS="7", BACKUP_KEEP_COUNT="2") == names[3:]
        assert prune(BACKUP_KEEP_DAYS="0") == names[4:]  # the newest is never pruned
        assert {p.name for p in wal.iterdir()} == {
            "00000002.history",
            *(segment(n) for n in range(9, 12)),
        }
    finally:
        shutil.rmtree(backups)
