"""Two creates of one identity at the same time get the API's refusal, as one
at a time does - never the unique index's HTML 500 (found by concurrent_runs)."""

import time
from concurrent.futures import ThreadPoolExecutor

import requests

from tests.emulators.ipdr import TOKEN, IpdrEmulator
from tests.emulators.onu import OnuEmulator
from tests.emulators.simpler import SimplerEmulator
from tests.emulators.userside import UsersideEmulator


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


def test_userside_edits_giving_one_login_to_several_customers_at_once(serve):
    # UserSide's create is an add, then an edit that gives the login: two runs
    # creating one customer edit two new customers to one login at the same time.
    running = serve(UsersideEmulator)
    slowed(running.emulator.store, "one")
    session = requests.Session()

    def call(action, **params):
        answer = session.post(running.url + "api.php", timeout=10, params=dict(
            key="userside-test-key", cat="customer", action=action), data=params)
        return answer.status_code, answer.json()

    added = [call("add", fio="Race Twin")[1]["Id"] for _copy in range(6)]
    with ThreadPoolExecutor(max_workers=len(added)) as pool:
        answers = list(pool.map(lambda customer: call("edit", id=customer, login="race-twin"),
                                added))
    assert sorted(status for status, _body in answers) == [200] + [400] * 5, answers
    assert {body["ErrorText"] for status, body in answers if status == 400} == {
        "Login is already in use by another customer"}
    assert len(running.emulator.store.query(
        "SELECT id FROM customers WHERE login = 'race-twin'")) == 1


def onu_writer(running):
    """``write(endpoint, body)`` -> (status, JSON) with an admin's token, as one session."""
    session = requests.Session()
    token = session.post(running.url + "api_login.php", timeout=10,
                         json={"username": "admin", "password": "admin123"}).json()["jwt"]

    def write(endpoint, body):
        answer = session.post(running.url + endpoint, json=dict(body, jwt=token), timeout=10)
        return answer.status_code, answer.text

    return write


def test_onu_creates_of_one_serial_at_once(serve):
    running = serve(OnuEmulator, nbf_delay=0)
    slowed(running.emulator, "find_by")
    write = onu_writer(running)

    def create(sn):
        return write("create_customer.php", {"name": "Race", "sn": sn, "service": "3",
                                             "auto": "YES", "state": "YES"})

    answers = at_once(create, ["RACE0000000%d" % n for n in range(4)])
    assert all(status in (201, 503) for status, _text in answers), answers
    assert sorted(text for status, text in answers if status == 503) == [
        '\r\n{"message":"Unable to create customer. DUPLICATE SERIAL NUMBER"}'] * 20
    assert len([status for status, _text in answers if status == 201]) == 4


def test_onu_an_update_giving_an_id_a_serial_that_a_create_takes_meanwhile(serve):
    # The update by id finds nobody with the serial, so it writes the serial on
    # customer 191; a create of that serial at the same time must not slip between.
    running = serve(OnuEmulator, nbf_delay=0, snmp_noise=False)
    slowed(running.emulator, "find_by")
    write = onu_writer(running)

    serials = ["RACE0000010%d" % n for n in range(3)]
    requests_at_once = [request for sn in serials for request in (
        ("update_customer.php", {"id": "191", "sn": sn, "state": "YES"}),
        ("create_customer.php", {"name": "Race", "sn": sn, "auto": "YES", "state": "YES"}))]
    with ThreadPoolExecutor(max_workers=len(requests_at_once)) as pool:
        answers = list(pool.map(lambda request: write(*request), requests_at_once))
    # The update answers 201 whoever came first; the create 201, or DUPLICATE after it.
    assert {answer for answer in answers if answer[0] != 201} <= {
        (503, '\r\n{"message":"Unable to create customer. DUPLICATE SERIAL NUMBER"}')}, answers
