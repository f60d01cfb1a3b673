"""Reading a OneRoster 1.1 / 1.2 CSV zip: the manifest, then each file's rows with their line numbers.

Hand-written on the standard library's csv and zipfile: the OneRoster Python packages on PyPI are
REST clients, not CSV readers, and the format is plain CSV with a manifest. Guards against hostile
files: only the known file names are read, the total uncompressed size is capped (zip bombs), and
rows per file are capped.
"""

import csv
import io
import zipfile
from dataclasses import dataclass, field

FILES = ["orgs", "academicSessions", "courses", "classes", "users", "enrollments", "roles"]
MAX_UNCOMPRESSED = 200 * 1024 * 1024
MAX_ROWS = 200_000
REQUIRED_COLUMNS = {
    "orgs": {"sourcedId", "name", "type"},
    "academicSessions": {"sourcedId", "title", "type"},
    "courses": {"sourcedId", "title"},
    "classes": {"sourcedId", "title", "courseSourcedId"},
    "users": {"sourcedId", "enabledUser", "givenName", "familyName", "email"},
    "enrollments": {"sourcedId", "classSourcedId", "userSourcedId", "role"},
    "roles": {"userSourcedId", "role", "roleType"},
}


class RosterFileError(Exception):
    """The zip as a whole cannot be read (not a zip, no manifest, too large)."""


@dataclass
class Row:
    file: str
    line: int
    values: dict

    def get(self, name):
        return (self.values.get(name) or "").strip()

    @property
    def status(self):
        return self.get("status").lower()

    @property
    def sourced_id(self):
        return self.get("sourcedId")


@dataclass
class Roster:
    version: str = ""
    modes: dict = field(default_factory=dict)  # file -> "bulk" | "delta" | "absent"
    rows: dict = field(default_factory=dict)  # file -> [Row]
    errors: list = field(default_factory=list)  # {"file", "line", "message"}

    def error(self, file, line, message):
        self.errors.append({"file": f"{file}.csv" if file != "manifest" else "manifest.csv", "line": line,
                            "message": message})

    @property
    def mode(self):
        modes = {m for m in self.modes.values() if m in {"bulk", "delta"}}
        return modes.pop() if len(modes) == 1 else ("mixed" if modes else "")


def _members(archive):
    by_name = {}
    for info in archive.infolist():
        if info.is_dir():
            continue
        name = info.filename.rsplit("/", 1)[-1]
        if name.endswith(".csv"):
            by_name.setdefault(name[:-4], info)
    return by_name


def _rows(archive, info, name, roster):
    text = archive.read(info).decode("utf-8-sig")
    reader = csv.DictReader(io.StringIO(text, newline=""))
    columns = {c.strip() for c in (reader.fieldnames or [])}
    missing = REQUIRED_COLUMNS.get(name, set()) - columns
    if missing:
        roster.error(name, 1, f"Missing columns: {', '.join(sorted(missing))}.")
        return []
    rows = []
    for raw in reader:
        line = reader.line_num
        if len(rows) >= MAX_ROWS:
            roster.error(name, line, f"More than {MAX_ROWS} rows.")
            break
        rows.append(Row(name, line, {(k or "").strip(): v for k, v in raw.items()}))
    return rows


def read(data):
    """Read the zip's bytes into a Roster; problems with single rows are left to the planner."""
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
    except zipfile.BadZipFile:
        raise RosterFileError("This is not a zip file.") from None
    with archive:
        if sum(info.file_size for info in archive.infolist()) > MAX_UNCOMPRESSED:
            raise RosterFileError("The zip unpacks to more than 200 MB.")
        members = _members(archive)
        if "manifest" not in members:
            raise RosterFileError("The zip has no manifest.csv: is it a OneRoster CSV export?")
        roster = Roster()
        try:
            manifest = _manifest(archive.read(members["manifest"]).decode("utf-8-sig"), roster)
            roster.version = manifest.get("oneroster.version", "")
            if roster.version not in {"1.1", "1.2"}:
                roster.error("manifest", 1, f"OneRoster version {roster.version or '(none)'} is not 1.1 or 1.2.")
            for name in FILES:
                mode = manifest.get(f"file.{name}", "absent").lower()
                roster.modes[name] = mode
                if mode not in {"bulk", "delta", "absent"}:
                    roster.error("manifest", 1, f"file.{name} must be bulk, delta or absent, not {mode!r}.")
                    continue
                if mode == "absent":
                    roster.rows[name] = []
                    continue
                if name not in members:
                    roster.error("manifest", 1, f"The manifest lists {name}.csv but the zip does not contain it.")
                    roster.rows[name] = []
                    continue
                roster.rows[name] = _rows(archive, members[name], name, roster)
        except UnicodeDecodeError:
            raise RosterFileError("The files must be UTF-8 text.") from None
        except csv.Error as exc:
            raise RosterFileError(f"A file is not valid CSV: {exc}") from None
    return roster


def _manifest(text, roster):
    values = {}
    reader = csv.DictReader(io.StringIO(text, newline=""))
    if not {"propertyName", "value"} <= set(reader.fieldnames or []):
        roster.error("manifest", 1, "The manifest needs the columns propertyName and value.")
        return values
    for raw in reader:
        values[(raw.get("propertyName") or "").strip()] = (raw.get("value") or "").strip()
    return values
