#!/usr/bin/env python3
"""The demo's helpers around camswap (tests/demo/run.sh): the technician's swaps through the
mock site's control endpoint, the cameras of a wave, and the summary at the end. Everything is
read from camswap's own JSON files (plan.json, status, verify, handoff); standard library only.

    site.py swap PLAN WAVE CONTROL ASSIGN   swap the wave's cameras, append OLD_ID=URL lines
    site.py waves PLAN                      the waves with cameras: number (from 1) and name
    site.py wave PLAN WAVE                  the wave's camera ids, one a line
    site.py summary DIR                     what changed, from the files in DIR
"""

import csv
import ipaddress
import json
import sys
import urllib.parse
import urllib.request

# The approved models of tests/demo/stock.toml and the mock persona that plays each: the unit
# the technician takes out of the box.
PERSONA = {
    "P3265-LVE": "axis-p3265-lve",
    "Q6135-LE": "axis-q6135-le",
    "FLEXIDOME IP 5100i IR": "bosch-flexidome-5100i",
    "XNV-6080R": "hanwha-xnv-6080r",
    "WV-X6533LN": "ipro-wv-x6533ln",
}

# A new unit boots on the old camera's address + 100 (127.0.52.7 -> 127.0.52.107), as a
# factory-default camera comes up on an address of its own; apply moves it onto the old one.
BOOT_OFFSET = 100
PORT = 8080


def load(path):
    with open(path, encoding="utf-8") as f:
        return json.load(f)


def wave_index(plan, wave):
    """A wave by number (from 1) or name, as `camswap apply --wave` takes it."""
    waves = plan["waves"]
    if wave.isdigit() and 1 <= int(wave) <= len(waves):
        return int(wave) - 1
    for i, w in enumerate(waves):
        if w["name"] == wave:
            return i
    sys.exit(f"site.py: the plan has no wave {wave!r} (waves: {[w['name'] for w in waves]})")


def wave_cameras(plan, wave):
    ids = set(plan["waves"][wave_index(plan, wave)]["cameras"])
    return [c for c in plan["cameras"] if c["old"]["id"] in ids and c.get("replacement")]


def boot_address(old):
    return str(ipaddress.IPv4Address(old) + BOOT_OFFSET)


def cmd_swap(plan_path, wave, control, assign_path):
    plan = load(plan_path)
    lines = []
    for c in wave_cameras(plan, wave):
        old = c["old"]["address"]
        model = c["replacement"]["model"]
        persona = PERSONA.get(model)
        if persona is None:
            sys.exit(f"site.py: the plan chose {model}, which the demo site has no unit of")
        at = boot_address(old)
        query = urllib.parse.urlencode({"address": old, "persona": persona, "at": at})
        req = urllib.request.Request(f"http://{control}/swap?{query}", method="POST")
        with urllib.request.urlopen(req, timeout=10) as r:
            answer = json.load(r)
        print(f"  {old}: {c['old'].get('model')} out, {model} in (boots on {answer['xaddr']})")
        lines.append(f"{c['old']['id']}=http://{at}:{PORT}/onvif/device_service\n")
    with open(assign_path, "a", encoding="utf-8") as f:
        f.writelines(lines)


def cmd_waves(plan_path):
    for i, w in enumerate(load(plan_path)["waves"]):
        if w["cameras"]:
            print(i + 1, w["name"])


def cmd_wave(plan_path, wave):
    for c in wave_cameras(load(plan_path), wave):
        print(c["old"]["id"])


def cmd_summary(d):
    devices = load(f"{d}/devices.json")["devices"]
    audit = load(f"{d}/audit.json")["summary"]
    plan = load(f"{d}/plan.json")
    status = load(f"{d}/status.json")["cameras"]
    verify = load(f"{d}/verify.json")["cameras"]
    handoff = load(f"{d}/handoff.json")["cameras"]
    with open(f"{d}/handoff.csv", newline="", encoding="utf-8") as f:
        csv_rows = list(csv.DictReader(f))

    replaced = [c for c in plan["cameras"] if c.get("replacement")]
    recorders = [c for c in plan["cameras"] if c.get("recorder")]
    unmatched = [c for c in plan["cameras"] if c.get("no_suitable_model") or c.get("out_of_stock")]
    flagged = len(plan["cameras"])
    print(f"cameras found: {len(devices)}")
    print(
        f"flagged: {flagged} (covered {audit['covered']}, white label {audit['white_label']}, "
        f"review {audit['review']}, unknown {audit['unknown']}); clear: {audit['clear']}"
    )
    print(f"replaced: {len(replaced)}")
    done = {s["camera"] for s in status if s["state"] == "done"}
    for w in plan["waves"]:
        if not w["cameras"]:
            continue
        n_done = sum(1 for i in w["cameras"] if i in done)
        print(f"  wave {w['name']}: {n_done} of {len(w['cameras'])} replaced")
    for c in recorders:
        r = c["recorder"]
        print(
            f"out of scope: {c['old'].get('model')} at {c['old'].get('address')} is a recorder "
            f"({r['kind']}, {len(r['channels'])} channels): replace the recorder, not matched to a camera"
        )
    for c in unmatched:
        if c.get("recorder"):
            continue
        why = (c.get("no_suitable_model") or {}).get("unmet") or ["out of stock"]
        print(f"not replaced: {c['old'].get('model')} at {c['old'].get('address')}: {why[0]}")
    presets = sum(1 for h in handoff for p in h["presets"] if p.get("new"))
    recording = sum(
        1
        for c in replaced
        if c["old"]["id"] in done and any(s["kind"] == "create_recording_job" for s in c["steps"])
    )
    print(f"presets carried: {presets}")
    print(f"edge recording carried: {recording} cameras")
    dhcp = sum(
        1
        for c in replaced
        if c["old"]["id"] in done
        and any(s["kind"] == "set_network" and s.get("dhcp") for s in c["steps"])
    )
    print(
        f"addresses: {len(done) - dhcp} new cameras took the old camera's address, "
        f"{dhcp} moved to DHCP (the leased address is in the handoff)"
    )
    same = sum(1 for v in verify if v["status"] == "match")
    print(f"verified: {same} of {len(verify)} match the plan")
    print(f"handoff rows: {len(csv_rows)} (handoff.csv), {len(handoff)} (handoff.json)")


def main(argv):
    usage = __doc__.strip().splitlines()
    if len(argv) < 2:
        sys.exit("\n".join(usage))
    cmd, args = argv[1], argv[2:]
    if cmd == "swap" and len(args) == 4:
        cmd_swap(*args)
    elif cmd == "waves" and len(args) == 1:
        cmd_waves(*args)
    elif cmd == "wave" and len(args) == 2:
        cmd_wave(*args)
    elif cmd == "summary" and len(args) == 1:
        cmd_summary(*args)
    else:
        sys.exit("\n".join(usage))


if __name__ == "__main__":
    main(sys.argv)
