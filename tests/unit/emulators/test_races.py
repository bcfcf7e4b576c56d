"""Two creates of one identity at the same time get the API's refusal, as one
at a time does - never the unique index's HTML 500 (found by concurrent_runs)."""

import time
from concurrent.futures import ThreadPoolExecutor

import requests

from tests.emulators.ipdr import TOKEN, IpdrEmulator
from tests.emulators.simpler import SimplerEmulator


def slowed(emulator, check):
    """The emulator's check ``check`` takes a moment, as a busy server's may: another
    request's create of the same identity could slip in between check and write."""
    original = getattr(emulator, check)

    def slow(*args, **kwargs):
        found = original(*args, **kwargs)
        time.sleep(0.02)
        return found

    setattr(emulator, check, slow)


def at_once(send, identities, copies=6):
    """``send(identity)`` ``copies`` times at once for each identity; the answers."""
    with ThreadPoolExecutor(max_workers=copies) as pool:
        return [answer for identity in identities
                for answer in pool.map(send, [identity] * copies)]


def test_ipdr_creates_of_one_userid_at_once(serve):
    running = serve(IpdrEmulator)
    slowed(running.emulator, "find")
    session = requests.Session()

    def create(user_id):
        answer = session.post(running.root + "/api/ipdrcustomers", timeout=10, json={
            "api_token": TOKEN, "username": "user", "contextname": "default",
            "UserID": user_id, "Name": "Race"})
        return answer.status_code, answer.json()

    answers = at_once(create, ["race-%d" % n for n in range(4)])
    assert all(status != 500 for status, _body in answers)
    refused = [body for _status, body in answers if body.get("message")]
    assert len(answers) - len(refused) == 4  # one create of each
    assert {body["message"] for body in refused} == {"UserID has already been taken"}


def test_simpler_adds_of_one_equipment_nickname_at_once(serve):
    running = serve(SimplerEmulator)
    slowed(running.emulator.api, "equipment_error")
    session = requests.Session()

    def add(nickname):
        answer = session.post(running.root + "/restapi/API/addEquipment", timeout=10, json={
            "api_username": "username", "api_password": "password", "operator": "operator",
            "nickname": nickname, "type": "nanostationsm"})
        return answer.status_code, answer.json()["result"] if answer.status_code == 200 else None

    answers = at_once(add, ["race_%d" % n for n in range(4)])
    assert all(status == 200 for status, _result in answers)
    added = [result for _status, result in answers if result.startswith("OK")]
    assert len(added) == 4
    assert all("already exists" in result for _status, result in answers
               if not result.startswith("OK"))
