"""Green project registry and green bonds: signed versions, allocation limits, a proven impact report."""

import copy
import json

import pytest

from citytwin.carbon import mrv
from citytwin.errors import BadInputError, NotFoundError, VerificationError
from citytwin.finance import bonds, projects
from citytwin.twin import Twin

OWNER, OTHER, BANK = "tongzhou-invest", "someone-else", "bj-green-bank"
SITE = {"type": "Point", "coordinates": [116.6564, 39.9097]}


@pytest.fixture(scope="module")
def twin(tmp_path_factory):
    data = tmp_path_factory.mktemp("projects") / "data"
    with Twin.init(data, origin="test.citytwin/projects") as t:
        for name in (OWNER, OTHER, BANK):
            mrv.create_principal(data, name)
        projects.register(t, OWNER, "pv-roofs", name_zh="城市副中心屋顶光伏", name_en="Sub-center rooftop PV",
                          jurisdiction="110112", location=SITE, activity="solar_power", attributes={"capacity_mw": 20},
                          investment_cny=80e6, expected_impact={"renewable_mwh": 22000, "co2e_avoided_t": 12000})
        projects.register(t, OWNER, "nzeb-school", name_zh="近零能耗学校", name_en="Nearly-zero-energy school",
                          jurisdiction="110112", location=SITE, activity="ultra_low_energy_building",
                          attributes={"energy_standard": "nearly-zero"}, investment_cny=40e6,
                          expected_impact={"green_building_m2": 30000, "co2e_avoided_t": 900})
        yield t


def test_project_versions_are_signed_and_owned(twin):
    projects.update(twin, OWNER, "pv-roofs", status="operating", reported_impact={"renewable_mwh": 21000})
    versions = projects.history(twin, "pv-roofs")
    assert [v["status"] for v in versions] == ["proposed", "operating"]
    assert versions[1]["reported_impact"] == {"renewable_mwh": 21000}
    assert versions[0]["classification"]["category"]["code"] == "4"
    assert versions[1]["log_index"] > versions[0]["log_index"]
    with pytest.raises(BadInputError, match="owned by 'tongzhou-invest'; 'someone-else' may not change it"):
        projects.update(twin, OTHER, "pv-roofs", status="closed")
    with pytest.raises(BadInputError, match="status 'done': expected one of"):
        projects.update(twin, OWNER, "pv-roofs", status="done")
    with pytest.raises(BadInputError, match="green_building_star is 1, expected ≥ 2"):
        projects.register(twin, OWNER, "grey", name_zh="灰", name_en="grey", jurisdiction="110112", location=SITE,
                          activity="green_building", attributes={"green_building_star": 1}, investment_cny=1e6)
    with pytest.raises(NotFoundError, match="no green project 'nothing'"):
        projects.project(twin, "nothing")


def test_bond_allocation_and_proven_impact_report(twin):
    bond = bonds.issue(twin, BANK, "tz-gb-2024", name="Tongzhou green bond 2024", amount_cny=120e6,
                       issued_on="2024-06-01")
    assert bond["edition"] == "2021"  # issued before the 2025 catalogue took effect
    bonds.allocate(twin, BANK, "tz-gb-2024", "pv-roofs", 60e6)
    bonds.allocate(twin, BANK, "tz-gb-2024", "nzeb-school", 20e6)
    with pytest.raises(BadInputError, match="brings bond 'tz-gb-2024' to 121000000.0 CNY: at most its 120000000.0"):
        bonds.allocate(twin, BANK, "tz-gb-2024", "nzeb-school", 41e6)
    with pytest.raises(BadInputError, match="at most its investment 40000000.0 CNY"):
        bonds.allocate(twin, BANK, "tz-gb-2024", "nzeb-school", 20.5e6)
    with pytest.raises(BadInputError, match="'someone-else' may not allocate it"):
        bonds.allocate(twin, OTHER, "tz-gb-2024", "pv-roofs", 1e6)

    report = bonds.impact_report(twin, "tz-gb-2024")
    assert (report["allocated_cny"], report["unallocated_cny"]) == (80e6, 40e6)
    pv, school = report["allocations"]
    assert (pv["impact_basis"], pv["share"]) == ("reported", 0.75)
    assert pv["impact"] == {"renewable_mwh": pytest.approx(15750)}  # 60/80 of the reported 21,000 MWh
    assert school["impact"] == {"co2e_avoided_t": pytest.approx(450), "green_building_m2": pytest.approx(15000)}
    assert pv["category"]["zh"] == "清洁能源产业"

    bundle = json.loads(json.dumps(bonds.prove_report(twin, "tz-gb-2024")))
    vkey = twin.verifier.text
    assert bonds.verify_report(bundle, vkey)["impact_totals"] == pytest.approx(bundle["report"]["impact_totals"])
    inflated = copy.deepcopy(bundle)
    inflated["report"]["impact_totals"]["co2e_avoided_t"] = 4500.0
    with pytest.raises(VerificationError, match="differ from those recomputed"):
        bonds.verify_report(inflated, vkey)
    dropped = dict(bundle, proofs=[p for i, p in enumerate(bundle["proofs"]) if i != 1])
    with pytest.raises(VerificationError, match="without gaps"):
        bonds.verify_report(dropped, vkey)


def test_a_key_merely_named_after_the_owner_cannot_change_a_project(tmp_path):
    from citytwin.twin.signed import commit_signed, principal_dir

    data = tmp_path / "data"
    with Twin.init(data, origin="test.citytwin/projects-keys") as t:
        mrv.create_principal(data, OWNER)
        projects.register(t, OWNER, "pv", name_zh="光伏", name_en="PV", jurisdiction="110112", location=SITE,
                          activity="solar_power", attributes={"capacity_mw": 20}, investment_cny=80e6,
                          expected_impact={"co2e_avoided_t": 12000})
    for suffix in ("key", "vkey"):
        (principal_dir(data) / f"{OWNER}.{suffix}").unlink()
    mrv.create_principal(data, OWNER)  # the same name, another key
    with Twin.open(data) as t:
        with pytest.raises(BadInputError, match="is not the owner's key that signed the first version"):
            projects.update(t, OWNER, "pv", status="operating")
        record = {**projects.history(t, "pv")[0], "status": "operating"}
        for field in ("version", "log_index"):
            record.pop(field)
        commit_signed(t, "urn:ngsi-ld:GreenProject:pv", "GreenProject", OWNER, b"citytwin.finance.project/v1\n",
                      record, jurisdiction="110112", location=SITE)
        with pytest.raises(VerificationError, match="version 2: signed with .*not the owner's key"):
            projects.history(t, "pv")


def test_an_allocation_signed_by_a_key_merely_named_after_the_issuer_is_refused_and_named(tmp_path):
    from citytwin.twin.signed import commit_signed, principal_dir

    data = tmp_path / "data"
    with Twin.init(data, origin="test.citytwin/bonds-keys") as t:
        for name in (OWNER, BANK):
            mrv.create_principal(data, name)
        projects.register(t, OWNER, "pv", name_zh="光伏", name_en="PV", jurisdiction="110112", location=SITE,
                          activity="solar_power", attributes={"capacity_mw": 20}, investment_cny=80e6,
                          expected_impact={"co2e_avoided_t": 12000})
        bonds.issue(t, BANK, "gb", name="green bond", amount_cny=50e6, issued_on="2024-06-01")
        first = bonds.allocate(t, BANK, "gb", "pv", 10e6)
        bundle = bonds.prove_report(t, "gb")
    for suffix in ("key", "vkey"):
        (principal_dir(data) / f"{BANK}.{suffix}").unlink()
    mrv.create_principal(data, BANK)  # the same name, another key
    forged_id = "urn:ngsi-ld:BondAllocation:gb-2"
    with Twin.open(data) as t:
        with pytest.raises(BadInputError, match="is not the owner's key that signed the first version"):
            bonds.allocate(t, BANK, "gb", "pv", 30e6)
        forged = commit_signed(t, forged_id, bonds.ALLOCATION_TYPE, BANK, b"citytwin.finance.allocation/v1\n",
                               {**first, "amount_cny": 30e6}, jurisdiction="110112")
        with pytest.raises(VerificationError, match=f"{forged_id}: signed with .*not the owner's key"):
            bonds.impact_report(t, "gb")
        with_forgery = dict(bundle, proofs=[*bundle["proofs"], t.log.prove(forged.log_index)])
        with pytest.raises(VerificationError, match=f"{forged_id}: signed with .*not the owner's key"):
            bonds.verify_report(with_forgery, t.verifier.text)
        assert bonds.verify_report(bundle, t.verifier.text)["allocated_cny"] == 10e6
