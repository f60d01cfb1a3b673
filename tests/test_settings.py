import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.exceptions import ImproperlyConfigured

from scribetree.env import env_bool, env_int, env_secret

ROOT = Path(__file__).resolve().parent.parent


def test_it_fails_loudly_on_a_bad_boolean(monkeypatch):
    monkeypatch.setenv("SOME_FLAG", "perhaps")
    with pytest.raises(ImproperlyConfigured, match="SOME_FLAG"):
        env_bool("SOME_FLAG")


def test_it_fails_loudly_on_a_bad_number(monkeypatch):
    monkeypatch.setenv("SOME_NUMBER", "12x")
    with pytest.raises(ImproperlyConfigured, match="SOME_NUMBER"):
        env_int("SOME_NUMBER", 3)


def test_it_reads_a_secret_from_a_file(monkeypatch, tmp_path):
    secret = tmp_path / "secret"
    secret.write_text("s3cret-value\n")
    monkeypatch.setenv("API_TOKEN_FILE", str(secret))
    assert env_secret("API_TOKEN") == "s3cret-value"


def test_it_requires_a_secret_key_in_production():
    env = {k: v for k, v in os.environ.items() if k not in {"SECRET_KEY", "DEBUG", "SCRIBETREE_TESTING"}}
    env.update(DATABASE_URL="postgres://nobody@127.0.0.1:1/none", SCRIBETREE_TESTING="0")
    result = subprocess.run([sys.executable, "manage.py", "check"], cwd=ROOT, env=env, capture_output=True,
                            text=True, timeout=120)
    assert result.returncode != 0
    assert "SECRET_KEY is required" in result.stderr


def test_it_passes_the_deployment_checklist_with_production_settings():
    env = {k: v for k, v in os.environ.items() if k not in {"DEBUG", "SCRIBETREE_TESTING"}}
    env.update(SECRET_KEY="x" * 20 + "-production-like-secret-key-for-the-check-0123456789",
               SCRIBETREE_TESTING="0", ALLOWED_HOSTS="scribetree.example,.scribetree.example",
               SECURE_HSTS_PRELOAD="true")
    env.setdefault("DATABASE_URL", "postgres://nobody@127.0.0.1:1/none")
    result = subprocess.run([sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"], cwd=ROOT,
                            env=env, capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stdout + result.stderr
