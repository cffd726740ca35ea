"""The data directory and its `citytwin.toml` (DESIGN.md, Conventions: one directory, no state elsewhere).

Layout::

    <data>/citytwin.toml      configuration (this module)
    <data>/quarantine.duckdb  refused input with its reason (citytwin.ingest)
    <data>/keys/log.key       the log's Ed25519 private key (signed-note text, mode 0600)
    <data>/keys/log.vkey      its verifier key, to give to anyone who checks proofs
    <data>/log/               the C2SP tlog-tiles log
    <data>/twin.duckdb        the store

A directory that `Twin.init` creates is mode 0700; the configuration, the store, the quarantine and
the private keys are 0600 (`keep_private`).
"""

from __future__ import annotations

import os
import tomllib
from dataclasses import dataclass
from pathlib import Path

from citytwin.errors import BadInputError, NotFoundError

__all__ = ["CONFIG_NAME", "PRIVATE_MODE", "Config", "keep_private", "write_config"]

CONFIG_NAME = "citytwin.toml"
PRIVATE_MODE = 0o600
DEFAULT_ORIGIN = "citytwin.local/district"


@dataclass(frozen=True)
class Config:
    """What `citytwin.toml` says, with paths resolved against the data directory."""

    data_dir: Path
    origin: str
    district: str
    raw: dict

    @property
    def private_key_path(self) -> Path:
        return self.data_dir / "keys" / "log.key"

    @property
    def verifier_key_path(self) -> Path:
        return self.data_dir / "keys" / "log.vkey"

    @property
    def log_dir(self) -> Path:
        return self.data_dir / "log"

    @property
    def store_path(self) -> Path:
        return self.data_dir / "twin.duckdb"

    @classmethod
    def load(cls, data_dir: Path) -> Config:
        """Read `<data_dir>/citytwin.toml`; `NotFoundError` with the fix if it is not there."""
        path = Path(data_dir) / CONFIG_NAME
        if not path.exists():
            raise NotFoundError(
                f"{data_dir} is not a citytwin data directory (no {CONFIG_NAME}); "
                f"create one with: citytwin --data-dir {data_dir} init"
            )
        try:
            raw = tomllib.loads(path.read_text(encoding="utf-8"))
        except tomllib.TOMLDecodeError as e:
            raise BadInputError(f"{path} is not valid TOML: {e}") from e
        log = raw.get("log", {})
        origin = log.get("origin")
        if not isinstance(origin, str) or not origin:
            raise BadInputError(f"{path}: [log] origin must be a non-empty string, got {origin!r}")
        return cls(Path(data_dir), origin, str(raw.get("district", {}).get("name", "")), raw)


def write_config(data_dir: Path, origin: str, district: str) -> Path:
    """Write a fresh `citytwin.toml`; refuses to overwrite an existing one."""
    path = Path(data_dir) / CONFIG_NAME
    if path.exists():
        raise BadInputError(f"{path} exists already: refusing to overwrite a data directory")
    if "\n" in origin or not origin.strip() or '"' in origin:
        raise BadInputError(f"log origin {origin!r} must be one line of text without quotes")
    text = (
        "# citytwin data directory configuration\n"
        "[district]\n"
        f'name = "{district}"\n\n'
        "[log]\n"
        "# The log's origin line (C2SP tlog-checkpoint): unique per log, e.g. a domain and path.\n"
        f'origin = "{origin}"\n'
        "# How many of the witnesses below must cosign a checkpoint before it is published:\n"
        "# quorum = 1\n\n"
        "# Witnesses that cosign the log's checkpoints (C2SP tlog-witness):\n"
        "# [[log.witness]]\n"
        '# name = "witness.sanhe.example"\n'
        '# url = "http://127.0.0.1:7380"\n'
        '# vkey = "witness.sanhe.example+1234abcd+..."\n'
    )
    path.write_text(text, encoding="utf-8")
    keep_private(path)
    return path


def keep_private(path: Path) -> None:
    """Make a file of the data directory readable and writable by its owner only (0600), as the
    keys are: the store, the quarantine and the configuration may hold what a county has not published."""
    os.chmod(path, PRIVATE_MODE)
