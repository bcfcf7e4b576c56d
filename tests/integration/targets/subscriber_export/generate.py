"""The backends an ISP adopting the collection has, and what the export must make of them.

    python generate.py FOLDER COUNT

FOLDER/seed.json     subscribers the setup converges (the role writes their records
                     to every backend): COUNT related ones, and the planted records
                     that no subscriber, or two, match by the export's default rules
FOLDER/planted.json  [section, key, problem] of every planted record: what the
                     review file must name besides what the emulators' own seed
                     data gives

Related subscribers are on every backend under their id, as the join rules
read them: the CRM's uniqueid, SIMPLer's invoicingid, the IPDR UserID, the
UserSide agreement number (export_join; the login is the id too); their ONU
is found as the serial number of their SIMPLer equipment, whose description
names their invoicing id. seed.yml makes some records with the entity modules
directly, not in the shape the fan-out gives them (see JOINED_DIRECTLY). Some are suspended,
some organisations, some have a backend that holds a fact its own way (an
IPDR name, a UserSide mobile number) or not at all (no e-mail in the IPDR).
Files are JSON, which is YAML.
"""

import json
import os
import sys


def related(n):
    sid = "EX-%05d" % n
    serial = "EXSN%08X" % n
    record = {
        "id": sid,
        "name": {"first": "Export", "last": "Tester%d" % n},
        "contact": {"mobile": "+35987%07d" % n, "email": "ex%05d@example.net" % n},
        "address": {"street": "%d Export Street" % n, "city": "Plovdiv",
                    "region": "Plovdiv", "postcode": "4000", "country": "Bulgaria"},
        "onu": {"sn": serial, "service": "HGU"},
        "crm": {"resellerid": 3},
        "billing": {"customerstatus": "installed", "equipment": [
            {"nickname": "cpe_ex_%05d" % n, "serialnumber": serial, "description": sid,
             "type": "nanostationsm", "status": "use"}]},
        "ipdr": {},
        "erp": {"house_id": 94, "tariff": 1, "agreement_number": sid},
    }
    if n % 10 == 3:
        record["state"] = "suspended"
    if n % 10 == 4:
        del record["name"]
        record["organisation"] = "Export Works %d Ltd" % n
    if n % 10 == 5:
        record["ipdr"]["name"] = "Tester%d E." % n  # the IPDR's own spelling
        record["erp"]["mobile_phone"] = "0887%06d" % n
    if n % 10 == 6:
        record["contact"]["phone"] = "+35932%06d" % n
    if n % 10 == 7:
        record["ipdr"]["email"] = ""  # the IPDR store has no e-mail for them
    return record


def planted():
    """Records the export cannot join: (subscriber to converge, [(section, key, problem)])."""
    out = []
    # On billing and the IPDR store, not in the CRM: no subscriber has that id.
    for k in (1, 2):
        sid = "EXU-%02d" % k
        out.append(({"id": sid, "organisation": "Unmatched %d" % k,
                     "contact": {"email": "exu%02d@example.net" % k},
                     "billing": {"customerstatus": "installed"}, "ipdr": {}},
                    [("billing", sid, "unmatched"), ("ipdr", sid, "unmatched")]))
    # An ONU no equipment names.
    out.append(({"id": "EXU-03", "name": {"first": "Spare", "last": "Onu"},
                 "onu": {"sn": "EXUN00000003", "service": "HGU"}},
                [("onu", "EXUN00000003", "unmatched")]))
    # Two subscribers whose equipment carries the same serial: the ONU matches both.
    shared = "EXAM00000001"
    for k in (1, 2):
        sid = "EXA-%02d" % k
        out.append((dict(_customer(sid), onu=None if k == 2 else {"sn": shared, "service": "HGU"},
                         billing={"customerstatus": "installed", "equipment": [
                             {"nickname": "cpe_exa_%02d" % k, "serialnumber": shared,
                              "description": sid, "type": "nanostationsm", "status": "use"}]}),
                    [("onu", shared, "ambiguous")] if k == 1 else []))
    # One subscriber with two pieces of equipment, each the serial of an ONU:
    # two ONU records match it.
    sid = "EXA-03"
    serials = ["EXAM00000031", "EXAM00000032"]
    out.append((dict(_customer(sid), billing={"customerstatus": "installed", "equipment": [
        {"nickname": "cpe_exa_03_%d" % i, "serialnumber": serial, "description": sid,
         "type": "nanostationsm", "status": "use"} for i, serial in enumerate(serials)]}),
        [("onu", serial, "ambiguous") for serial in serials]))
    for serial in serials:
        out.append(({"id": "EXO-" + serial, "name": {"first": "Two", "last": "Onus"},
                     "onu": {"sn": serial, "service": "HGU"}}, []))
    out.extend(JOINED_DIRECTLY)
    return [(dict({k: v for k, v in s.items() if v is not None}), p) for s, p in out]


# Subscribers whose UserSide customer (and ONU) seed.yml creates with the entity
# modules, as staff typed them: EXJ-01's UserSide customer has no login (joined
# by its agreement number, the fan-out would create a second one named EXJ-01:
# a conflict); EXJ-02's has the login in another case, and its ONU a lower-case
# serial that its equipment holds upper-case (both joined, ignoring case as the
# backends compare them, and written as the backends hold them).
JOINED_DIRECTLY = [
    ({"id": "EXJ-%02d" % k, "name": {"first": "Join", "last": "Direct%d" % k},
      "contact": {"mobile": "+35988800%04d" % k, "email": "exj%02d@example.net" % k},
      "address": {"street": "%d Join St" % k, "city": "Ruse", "region": "Ruse",
                  "postcode": "7000", "country": "Bulgaria"},
      "crm": {"resellerid": 3}, "ipdr": {},
      "billing": {"customerstatus": "installed", "equipment": [
          {"nickname": "cpe_exj_%02d" % k, "serialnumber": "EXJN%08d" % k,
           "description": "EXJ-%02d" % k, "type": "nanostationsm", "status": "use"}]}},
     [("erp", "None", "conflict")] if k == 1 else [])
    for k in (1, 2)]


def _customer(sid):
    return {"id": sid, "name": {"first": "Ambiguous", "last": sid},
            "contact": {"mobile": "+359870000%s" % sid[-2:], "email": sid.lower() + "@example.net"},
            "address": {"street": "1 Twin St", "city": "Ruse", "region": "Ruse",
                        "postcode": "7000", "country": "Bulgaria"},
            "crm": {"resellerid": 3}}


def main(folder, count):
    subscribers = [related(n) for n in range(1, count + 1)]
    plants = planted()
    with open(os.path.join(folder, "seed.json"), "w") as handle:
        json.dump(subscribers + [s for s, _p in plants], handle, indent=1)
    with open(os.path.join(folder, "planted.json"), "w") as handle:
        json.dump(sorted(list(p) for _s, ps in plants for p in ps), handle, indent=1)


if __name__ == "__main__":
    main(sys.argv[1], int(sys.argv[2]))
