"""dev.py's helpers: what it decides before it starts anything (no processes are started here)."""

import importlib.util
import os
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def dev():
    spec = importlib.util.spec_from_file_location("dev_launcher", ROOT / "dev.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_it_hashes_the_requirements_a_file_pulls_in(dev, tmp_path):
    (tmp_path / "requirements.txt").write_text("Django==5.2\n")
    (tmp_path / "requirements-dev.txt").write_text("-r requirements.txt\npytest==9\n")
    assert [p.name for p in dev.requirement_files(tmp_path / "requirements-dev.txt")] == [
        "requirements-dev.txt", "requirements.txt"]
    before = dev.requirements_hash(tmp_path / "requirements-dev.txt")
    (tmp_path / "requirements.txt").write_text("Django==5.3\n")
    assert dev.requirements_hash(tmp_path / "requirements-dev.txt") != before


@pytest.mark.parametrize(("args", "given"), [
    ([], False), (["-k", "login"], False), (["-n", "4"], True), (["-n4"], True), (["-nauto"], True),
    (["--numprocesses=3"], True), (["--numprocesses", "3"], True), (["-p", "no:xdist"], True),
    (["tests/dev", "-x"], False),
])
def test_it_adds_a_worker_count_only_when_none_is_given(dev, args, given):
    assert dev.has_worker_count(args) is given


def test_it_runs_at_least_two_pytest_workers(dev):
    assert dev.cpu_count() >= 2


def test_it_reads_the_socket_folder_of_a_running_postmaster(dev, tmp_path):
    (tmp_path / "postmaster.pid").write_text(
        f"{os.getpid()}\n{tmp_path}\n1700000000\n5432\n{tmp_path}/sock\n\n  1 2\nready   \n")
    assert dev.running_postmaster(tmp_path) == tmp_path / "sock"


def test_it_ignores_a_postmaster_pid_file_left_by_a_dead_server(dev, tmp_path):
    (tmp_path / "postmaster.pid").write_text(f"{2**22 + 12345}\n{tmp_path}\n1\n5432\n{tmp_path}\n\n1 2\nready\n")
    assert dev.running_postmaster(tmp_path) is None
    assert dev.running_postmaster(tmp_path / "missing") is None


def test_it_names_both_ways_out_when_no_postgresql_can_be_started(dev, monkeypatch, capsys):
    def unavailable(self):
        raise LookupError("not here")

    monkeypatch.setattr(dev.PgServerPostgres, "__init__", unavailable)
    monkeypatch.setattr(dev.SystemPostgres, "__init__", unavailable)
    monkeypatch.delenv("SCRIBETREE_EMBEDDED_PG", raising=False)
    with pytest.raises(SystemExit):
        dev.EmbeddedPostgres._choose()
    message = capsys.readouterr().err
    assert "install PostgreSQL" in message
    assert "DATABASE_URL=" in message


def test_it_forgets_users_of_the_embedded_database_that_died(dev, tmp_path, monkeypatch):
    monkeypatch.setattr(dev, "DATA", tmp_path)
    embedded = dev.EmbeddedPostgres()
    embedded._write_users({os.getpid(), 2**22 + 12345})
    assert embedded._users() == {os.getpid()}
