"""Signed projects and progress reports on the log; a report altered after commit is caught."""

import base64
import json
import shutil

import pytest
from typer.testing import CliRunner

from citytwin.carbon.mrv import create_principal
from citytwin.cli import app
from citytwin.errors import BadInputError, NotFoundError, VerificationError
from citytwin.projects import registry
from citytwin.projects.load import load_reference, milestones_of
from citytwin.twin import Twin

runner = CliRunner()
REPORT = "urn:ngsi-ld:ProjectProgressReport:scp-08.2025-Q3"


def _run(data, *args, code=0):
    result = runner.invoke(app, ["--data-dir", str(data), *args])
    assert result.exit_code == code, result.output
    return result.output


@pytest.fixture(scope="module")
def pristine(tmp_path_factory):
    data = tmp_path_factory.mktemp("projects") / "data"
    with Twin.init(data, origin="test.citytwin/projects") as twin:
        create_principal(data, "office")
        create_principal(data, "contractor")
        load_reference(twin, "office")
        registry.report(twin, "office", "scp-08", "2025-Q3", progress_pct=80, spent_yi=12.5,
                        milestones_reached=["主体结构完工"], note="example report")
    return data


@pytest.fixture
def data(pristine, tmp_path):
    copy = tmp_path / "data"
    shutil.copytree(pristine, copy)
    return copy


def test_reference_projects_and_a_signed_report(data):
    with Twin.open(data) as twin:
        every = registry.projects(twin)
        assert len(every) == 41 and every[0]["project_id"] == "scp-01"
        line6 = registry.project(twin, "scp-08")
        assert line6["name_zh"] == "北京轨道交通6号线南延(二期)" and line6["category"] == "transport"
        assert line6["budget_yi"] is None and line6["jurisdiction"] == "110112"
        assert line6["milestones"] == [{"date": "2022", "text_zh": "开工建设"},
                                       {"date": "2025-05", "text_zh": "计划2025年底具备通车条件"}]
        beijing_wide = {p["name_zh"] for p in registry.projects(twin, jurisdiction="110000")}
        assert beijing_wide == {"城际铁路联络线一期", "国道109新线高速"}  # the rows the data marks Beijing-wide
        assert len(registry.projects(twin, category="health")) == 6  # 疾控, 儿研所, 安贞, 友谊, 胸科, 中西医
        (report,) = registry.reports(twin, "scp-08")
        assert report["progress_pct"] == 80.0 and report["project_log_index"] == line6["log_index"]
        assert registry.verify(twin)["records_checked"] == 42
        assert load_reference(twin, "office").already_there == 41


def test_reports_are_signed_by_the_owner_once_per_period(data):
    with Twin.open(data) as twin:
        with pytest.raises(BadInputError, match=r"owned by 'office'; 'contractor' may not report"):
            registry.report(twin, "contractor", "scp-08", "2025-Q4", progress_pct=90)
        with pytest.raises(BadInputError, match=r"already has a report for 2025-Q3"):
            registry.report(twin, "office", "scp-08", "2025-Q3", progress_pct=85)
        with pytest.raises(BadInputError, match=r"progress_pct 120: expected a percentage"):
            registry.report(twin, "office", "scp-08", "2025-Q4", progress_pct=120)
        with pytest.raises(BadInputError, match=r"period '2025-13'"):
            registry.report(twin, "office", "scp-08", "2025-13", progress_pct=90)
        with pytest.raises(NotFoundError, match=r"no investment project 'nope'"):
            registry.report(twin, "office", "nope", "2025", progress_pct=90)
        with pytest.raises(BadInputError, match=r"category 'roads'"):
            registry.register(twin, "office", "x1", name_zh="x", jurisdiction="110112", category="roads")
    with pytest.raises(BadInputError, match=r"status '开工建设': expected 'YYYY\[-MM\]: text'"):
        milestones_of("开工建设")


def test_citytwin_verify_catches_a_report_altered_in_the_store(data):
    assert json.loads(_run(data, "verify", "--json"))["ok"] is True
    with Twin.open(data) as twin:
        twin.store.db.execute("UPDATE entities SET properties = replace(properties, '\"progress_pct\":80.0', "
                              "'\"progress_pct\":95.0') WHERE entity_id = ?", [REPORT])
        with pytest.raises(VerificationError, match=r"by 'office' does not verify"):
            registry.reports(twin, "scp-08")
    out = " ".join(_run(data, "verify", code=1).split())
    assert f"altered row at log index 41: {REPORT}" in out
    out = " ".join(_run(data, "projects", "verify", code=1).split())
    assert REPORT in out and "does not verify" in out


def test_projects_verify_catches_a_report_altered_in_the_log(data):
    assert json.loads(_run(data, "projects", "verify", "--json"))["records_checked"] == 42
    changed = 0
    for bundle in (data / "log" / "tile" / "entries").rglob("*"):
        if bundle.is_file() and b'"progress_pct":80,' in bundle.read_bytes():
            bundle.chmod(0o644)
            bundle.write_bytes(bundle.read_bytes().replace(b'"progress_pct":80,', b'"progress_pct":95,'))
            changed += 1
    assert changed
    # the log checks each entry bundle against its hash tile when it reads it: the altered bundle
    # is refused before any record is decoded, naming the tile that holds the report
    for command in (("projects", "verify"), ("verify",)):
        out = " ".join(_run(data, *command, code=1).split())
        assert "tile/entries/000.p/42 does not hash to tile/0/000.p/42" in out


def test_projects_cli_end_to_end(tmp_path):
    data = tmp_path / "data"
    Twin.init(data, origin="test.citytwin/projects-cli").close()
    create_principal(data, "office")
    _run(data, "projects", "load", "--principal", "office")
    _run(data, "projects", "add", "tz-2026-01", "--principal", "office", "--name-zh", "示例道路工程",
         "--jurisdiction", "110112", "--category", "transport", "--budget", "3.2", "--milestone", "2026-12=主体完工")
    _run(data, "projects", "report", "tz-2026-01", "--principal", "office", "--period", "2026-H1",
         "--progress", "40", "--spent", "1.1", "--note", "路基完成")
    shown = json.loads(_run(data, "projects", "show", "tz-2026-01", "--json"))
    assert shown["budget_yi"] == 3.2 and shown["reports"][0]["spent_yi"] == 1.1
    listed = json.loads(_run(data, "projects", "ls", "--category", "transport", "--json"))
    # the 13 named transport projects of the reference data and this one
    assert "tz-2026-01" in {p["project_id"] for p in listed} and len(listed) == 14
    assert "投资项目 (42)" in _run(data, "projects", "ls")
    totals = json.loads(_run(data, "projects", "totals", "--json"))
    assert totals["target_yi"] == 1000.0 and len(totals["totals"]) == 6
    assert json.loads(_run(data, "projects", "verify", "--json"))["ok"] is True
    out = _run(data, "projects", "add", "tz-2026-01", "--principal", "office", "--name-zh", "x",
               "--jurisdiction", "110112", "--category", "transport", code=2)
    assert "already exists" in out


def test_a_key_merely_named_after_the_owner_can_neither_report_nor_pass_verify(data):
    from citytwin.twin.signed import commit_signed, principal_dir

    with Twin.open(data) as twin:
        owner_key = registry.project(twin, "scp-08")["owner_key"]
    for suffix in ("key", "vkey"):  # someone replaces the office's key with one of their own, same name
        (principal_dir(data) / f"office.{suffix}").unlink()
    create_principal(data, "office")
    with Twin.open(data) as twin:
        with pytest.raises(BadInputError, match="is not the owner's key that signed the first version"):
            registry.report(twin, "office", "scp-08", "2025-Q4", progress_pct=90)
        # committed around the check, the forgery is named by verify
        forged = {"project_id": "scp-08", "period": "2025-Q4", "progress_pct": 100.0, "spent_yi": None,
                  "milestones_reached": [], "note": "forged", "owner": "office",
                  "project_log_index": registry.project(twin, "scp-08")["log_index"]}
        commit_signed(twin, "urn:ngsi-ld:ProjectProgressReport:scp-08.2025-Q4", registry.REPORT_TYPE, "office",
                      b"citytwin.projects.report/v1\n", forged, jurisdiction="110112")
        with pytest.raises(VerificationError, match=r"scp-08\.2025-Q4 version 1 .*not the owner's key") as failure:
            registry.verify(twin)
        assert owner_key in str(failure.value) and "scp-08.2025-Q3" not in str(failure.value)


def test_a_forged_project_version_committed_around_the_api_fails_projects_verify(data):
    from citytwin.ledger.note import Signer, generate_key
    from citytwin.twin import Entity
    from citytwin.twin.canonical import canonicalize

    project_id = "urn:ngsi-ld:InvestmentProject:scp-08"
    with Twin.open(data) as twin:
        current = twin.entity(project_id)
        record = {**current.properties["record"], "budget_yi": 999.0}
        signer = Signer.from_text(generate_key("office")[0])  # a key of the owner's name, not the owner's key
        signature = base64.b64encode(signer.signature(b"citytwin.projects.project/v1\n" + canonicalize(record)))
        forged = Entity(id=project_id, type=registry.PROJECT_TYPE, jurisdiction=current.jurisdiction,
                        properties={"record": record, "signer": "office", "signer_key": signer.verifier_text,
                                    "signature": signature.decode()})
        assert twin.commit([forged]).accepted == 1
        with pytest.raises(VerificationError, match="not the owner's key"):
            registry.project(twin, "scp-08")
        with pytest.raises(VerificationError, match=f"{project_id}: signed with .*not the owner's key"):
            registry.projects(twin)
        assert registry.reports(twin, "scp-08")[0]["id"] == REPORT  # signed with the owner's key
    out = _run(data, "projects", "verify", code=1)
    assert f"{project_id} version 2" in out and "not the owner's key" in out
    assert "version 1" not in out and REPORT not in out  # only the forgery is named


def test_the_reference_load_stores_all_projects_or_none(tmp_path, monkeypatch):
    from citytwin.projects import load

    frame = load.named_projects()
    frame.loc[frame.index[-1], "status_or_target"] = "no date here"  # the 41st row cannot be read
    data = tmp_path / "data"
    with Twin.init(data, origin="test.citytwin/projects-load") as twin:
        create_principal(data, "office")
        before = twin.log.size
        monkeypatch.setattr(load, "named_projects", lambda: frame)
        with pytest.raises(BadInputError, match="no date here"):
            load_reference(twin, "office")
        assert twin.log.size == before and registry.projects(twin) == []  # the first 40 were not stored
        monkeypatch.undo()
        assert load_reference(twin, "office").registered == 41 and twin.log.size == before + 41
        assert load_reference(twin, "office") == load.LoadReport(0, 41) and twin.log.size == before + 41
