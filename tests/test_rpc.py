"""Tests of lecture 6's RPC programs: the XML-RPC key-value server, the XML
on the wire, the JSON RPC layer, pickle's danger, multiprocessing.connection.

Every server runs for real on 127.0.0.1 at an ephemeral port.
"""

import datetime
import http.client
import json
import pickle
import socket
import xmlrpc.client

import pytest

from tests.support import (
    SOCKET_TIMEOUT,
    ServerThread,
    connect,
    in_thread,
    load_example,
    recv_until_eof,
    reset_connection,
    run_example,
    run_script,
)
from tests.net import serving_forever as serving

kv_server = load_example("rpc", "kv_server")
wire = load_example("rpc", "wire")
jsonrpc = load_example("rpc", "jsonrpc")
pickle_danger = load_example("rpc", "pickle_danger")
mpc_server = load_example("rpc", "mpc_server")


# XML-RPC: the key-value server ---------------------------------------------

@pytest.fixture
def kv():
    """A ServerProxy to a fresh kv server (its transport records requests)."""
    with kv_server.make_server() as server, serving(server) as (host, port):
        recorder = wire.RecordingTransport()
        with xmlrpc.client.ServerProxy(f"http://{host}:{port}", transport=recorder) as proxy:
            proxy.recorder = recorder
            proxy.address = (host, port)
            yield proxy


class TestKeyValueServer:
    def test_set_get_exists_keys_delete_round_trip(self, kv):
        assert kv.set("colour", "blue") is True
        assert kv.set("answer", 42) is True
        assert kv.get("colour") == "blue"
        assert kv.get("answer") == 42
        assert kv.exists("colour") and not kv.exists("size")
        assert kv.keys() == ["answer", "colour"]
        assert kv.delete("colour") is True
        assert kv.keys() == ["answer"]

    def test_structured_values_cross_as_lists_and_dicts(self, kv):
        kv.set("point", {"x": 1.5, "tags": ["a", "b"], "ok": True})
        kv.set("pair", (1, 2))
        assert kv.get("point") == {"x": 1.5, "tags": ["a", "b"], "ok": True}
        assert kv.get("pair") == [1, 2]  # a tuple comes back a list

    @pytest.mark.parametrize("call", ["get", "delete"])
    def test_missing_key_is_a_fault_404(self, kv, call):
        with pytest.raises(xmlrpc.client.Fault) as fault:
            getattr(kv, call)("nothing")
        assert fault.value.faultCode == 404
        assert fault.value.faultString == "no such key: 'nothing'"

    @pytest.mark.parametrize("key", [5, "", "k" * 201])
    def test_a_key_that_is_not_a_short_string_is_a_fault_400(self, kv, key):
        with pytest.raises(xmlrpc.client.Fault) as fault:
            kv.set(key, "v")
        assert fault.value.faultCode == 400

    def test_unknown_method_and_private_methods_are_faults(self, kv):
        for name in ("nosuch", "_data", "_KeyValueStore__x"):
            with pytest.raises(xmlrpc.client.Fault, match="is not supported"):
                getattr(kv, name)()

    def test_wrong_number_of_arguments_is_a_fault_and_the_server_goes_on(self, kv):
        with pytest.raises(xmlrpc.client.Fault, match="TypeError"):
            kv.get("a", "b")
        assert kv.set("still", "here") is True

    def test_introspection_lists_the_published_methods(self, kv):
        assert {"get", "set", "delete", "exists", "keys"} <= set(kv.system.listMethods())

    def test_none_big_ints_and_int_dict_keys_do_not_cross(self, kv):
        with pytest.raises(TypeError, match="allow_none"):
            kv.set("nothing", None)
        with pytest.raises(OverflowError):
            kv.set("big", 2**31)
        with pytest.raises(TypeError, match="dictionary key must be string"):
            kv.set("d", {1: "one"})
        assert kv.keys() == []  # none of them reached the server

    def test_a_datetime_comes_back_as_an_xmlrpc_datetime(self, kv):
        when = datetime.datetime(2026, 12, 2, 18, 30)
        kv.set("when", when)
        back = kv.get("when")
        assert isinstance(back, xmlrpc.client.DateTime)
        assert back.value == "20261202T18:30:00"

    def test_the_recorded_request_is_the_xml_of_the_call(self, kv):
        kv.set("colour", "blue")
        sent = kv.recorder.sent[-1]
        assert sent == xmlrpc.client.dumps(("colour", "blue"), "set").encode()
        assert b"<methodName>set</methodName>" in sent
        assert xmlrpc.client.loads(sent) == (("colour", "blue"), "set")


def post(address, body: bytes, headers: dict | None = None) -> tuple[int, bytes]:
    connection = http.client.HTTPConnection(*address, timeout=SOCKET_TIMEOUT)
    try:
        connection.request("POST", "/RPC2", body=body, headers=headers or {})
        response = connection.getresponse()
        return response.status, response.read()
    finally:
        connection.close()


class TestKeyValueServerBadInput:
    def test_malformed_xml_gets_a_fault_and_the_server_goes_on(self, kv):
        status, body = post(kv.address, b"<methodCall><methodName>get")
        assert status == 200
        with pytest.raises(xmlrpc.client.Fault):
            xmlrpc.client.loads(body)
        assert kv.set("after", 1) is True

    def test_not_xml_at_all_gets_a_fault(self, kv):
        status, body = post(kv.address, b"\x00\xff hello")
        assert status == 200
        with pytest.raises(xmlrpc.client.Fault):
            xmlrpc.client.loads(body)

    def test_oversized_request_is_refused_with_413_unread(self, kv):
        big = xmlrpc.client.dumps(("k", "x" * (kv_server.MAX_REQUEST + 1)), "set")
        with pytest.raises(xmlrpc.client.ProtocolError) as error:
            kv.set("k", "x" * (kv_server.MAX_REQUEST + 1))
        assert error.value.errcode == 413
        status, _ = post(kv.address, big.encode())
        assert status == 413
        assert kv.keys() == []

    def test_request_without_content_length_is_refused_with_411(self, kv):
        with connect(kv.address) as client:
            client.sendall(b"POST /RPC2 HTTP/1.0\r\n\r\n<methodCall/>")
            reply = recv_until_eof(client)
        assert reply.startswith(b"HTTP/1.0 411")

    def test_truncated_body_gets_a_fault_and_nothing_is_stored(self, kv):
        body = xmlrpc.client.dumps(("k", "v"), "set").encode()
        with connect(kv.address) as client:
            client.sendall(b"POST /RPC2 HTTP/1.0\r\nContent-Length: %d\r\n\r\n" % len(body))
            client.sendall(body[: len(body) // 2])
            client.shutdown(socket.SHUT_WR)  # the rest never comes
            reply = recv_until_eof(client)
        assert reply.startswith(b"HTTP/1.0 200")
        assert b"<fault>" in reply
        assert kv.keys() == []

    def test_client_that_resets_mid_request_does_not_stop_the_server(self, kv):
        with connect(kv.address) as client:
            client.sendall(b"POST /RPC2 HTTP/1.0\r\nContent-Length: 500\r\n\r\n<met")
            reset_connection(client)
        assert kv.set("after", "reset") is True

    def test_kv_script_serves_a_proxy_and_explains_itself(self):
        with run_example("rpc", "kv_server") as (_, host, port):
            with xmlrpc.client.ServerProxy(f"http://{host}:{port}") as proxy:
                proxy.set("k", "v")
                assert proxy.get("k") == "v"
        assert host == "127.0.0.1"
        assert "usage:" in run_script("rpc", "kv_server", "--help").stdout


# A small RPC layer of our own: JSON lines ------------------------------------

@pytest.fixture
def json_server():
    with jsonrpc.make_server() as server, serving(server) as address:
        yield address


def exchange(address, data: bytes) -> bytes:
    """Send data, close our side, return everything the server says."""
    with connect(address) as client:
        client.sendall(data)
        client.shutdown(socket.SHUT_WR)
        return recv_until_eof(client)


class TestJsonRpc:
    def test_registry_handle_calls_a_published_function(self):
        reply = jsonrpc.demo.handle(b'{"id": 7, "method": "add", "params": [2, 3]}')
        assert json.loads(reply) == {"id": 7, "result": 5}

    def test_registry_publishes_only_decorated_functions(self):
        registry = jsonrpc.Registry()

        @registry.function
        def hello(name):
            return f"hello {name}"

        assert registry.functions == {"hello": hello}
        reply = json.loads(registry.handle(b'{"id": 1, "method": "__class__"}'))
        assert reply == {"id": 1, "error": "no such method: '__class__'"}

    @pytest.mark.parametrize("line", [
        b"not json", b"[1, 2]", b'{"params": []}', b'{"method": "add", "params": 5}',
        b"\xff\xfe",
    ], ids=["not json", "not an object", "no method", "params not a list", "not utf-8"])
    def test_malformed_requests_get_an_error_reply(self, line):
        reply = json.loads(jsonrpc.demo.handle(line))
        assert reply["id"] is None
        assert reply["error"].startswith("malformed request")

    def test_an_exception_in_the_function_is_an_error_reply(self):
        reply = json.loads(jsonrpc.demo.handle(b'{"id": 2, "method": "divide", "params": [1, 0]}'))
        assert reply == {"id": 2, "error": "ZeroDivisionError: division by zero"}

    def test_proxy_calls_remote_functions_by_attribute(self, json_server):
        with jsonrpc.connect(*json_server) as proxy:
            assert proxy.add(2, 3) == 5
            assert proxy.upper("rpc") == "RPC"
            with pytest.raises(jsonrpc.RemoteError, match="ZeroDivisionError"):
                proxy.divide(1, 0)
            assert proxy.add("a", "b") == "ab"  # the connection goes on

    def test_malformed_line_gets_an_error_and_the_connection_stays(self, json_server):
        good = b'{"id": 1, "method": "add", "params": [1, 1]}\n'
        reply = exchange(json_server, b"{oops\n" + good)
        first, second = reply.splitlines()
        assert json.loads(first)["error"].startswith("malformed request")
        assert json.loads(second) == {"id": 1, "result": 2}

    def test_oversized_line_gets_an_error_then_the_server_hangs_up(self, json_server):
        reply = exchange(json_server, b"x" * (jsonrpc.MAX_LINE + 10) + b"\n")
        assert json.loads(reply) == {"id": None, "error": "request too long"}
        with jsonrpc.connect(*json_server) as proxy:
            assert proxy.add(1, 2) == 3

    def test_truncated_request_gets_no_reply_and_runs_nothing(self, json_server):
        assert exchange(json_server, b'{"id": 1, "method": "add", "params": [1,') == b""

    def test_reset_connection_does_not_stop_the_server(self, json_server):
        client = connect(json_server)
        client.sendall(b'{"id": 1, "method": "add"')
        reset_connection(client)
        with jsonrpc.connect(*json_server) as proxy:
            assert proxy.add(2, 2) == 4

    def test_proxy_reports_a_server_that_hangs_up(self):
        def hang_up(server):
            conn, _ = server.accept()
            conn.recv(1024)
            conn.close()

        with ServerThread(hang_up, jsonrpc.socket.create_server(("127.0.0.1", 0))) as server:
            with jsonrpc.connect(*server.address) as proxy:
                with pytest.raises(ConnectionError):
                    proxy.add(1, 2)

    def test_json_rpc_script_serves_and_explains_itself(self):
        with run_example("rpc", "jsonrpc") as (_, host, port):
            with jsonrpc.connect(host, port) as proxy:
                assert proxy.upper("hi") == "HI"
        assert "usage:" in run_script("rpc", "jsonrpc", "--help").stdout


# Pickle: what loads() runs -----------------------------------------------------

class TestPickleDanger:
    def test_unpickling_calls_what_reduce_names(self, capsys):
        pickle.loads(pickle.dumps(pickle_danger.Harmless()))
        assert capsys.readouterr().out == "this ran inside pickle.loads\n"

    def test_the_dangerous_pickle_names_os_system(self):
        data = pickle.dumps(pickle_danger.Dangerous())
        assert b"system" in data and b"echo you have been owned" in data

    def test_allow_list_refuses_the_dangerous_pickle_before_running_it(self, capsys):
        for obj, name in [(pickle_danger.Dangerous(), "posix.system"),
                          (pickle_danger.Harmless(), "builtins.print")]:
            with pytest.raises(pickle.UnpicklingError, match=f"forbidden: {name}"):
                pickle_danger.allow_list_loads(pickle.dumps(obj))
        assert capsys.readouterr().out == ""  # print was never called

    def test_allow_list_lets_plain_data_through(self):
        data = {"a": [1, 2.5, "x"], "b": {3, 4}, "c": complex(1, 2)}
        assert pickle_danger.allow_list_loads(pickle.dumps(data)) == data

    def test_script_disassembles_without_running(self):
        result = run_script("rpc", "pickle_danger")
        assert result.returncode == 0
        assert "STACK_GLOBAL" in result.stdout and "'system'" in result.stdout
        assert "you have been owned" not in result.stdout.splitlines()  # not run


# multiprocessing.connection -----------------------------------------------------

KEY = b"correct horse battery staple"


@pytest.fixture
def mpc_address():
    listener = mpc_server.make_listener("127.0.0.1", 0, KEY)
    with listener:
        with in_thread(mpc_server.serve, listener, 3):
            yield listener.address


class TestMultiprocessingConnection:
    def test_answer_runs_known_operations_only(self):
        assert mpc_server.answer(("add", 2, 3)) == ("ok", 5)
        assert mpc_server.answer(("upper", "x")) == ("ok", "X")
        assert mpc_server.answer(("rm", "-rf")) == ("error", "unknown operation 'rm'")
        assert mpc_server.answer("add") == ("error", "a request is a tuple (operation, *arguments)")
        assert mpc_server.answer(("add", 1))[0] == "error"

    def test_client_in_another_interpreter_calls_the_server(self, mpc_address):
        host, port = mpc_address
        env_key = {"MPC_AUTHKEY": KEY.decode()}
        results = [run_script_env("client", str(port), "add", "2", "3", env=env_key),
                   run_script_env("client", str(port), "upper", "hello", env=env_key)]
        mpc_server.call(mpc_address, KEY, "add", 1, 1)  # the third client
        assert [r.stdout for r in results] == ["5\n", "HELLO\n"]

    def test_wrong_authkey_is_refused_and_the_server_goes_on(self, mpc_address):
        from multiprocessing import AuthenticationError

        with pytest.raises(AuthenticationError):
            mpc_server.call(mpc_address, b"wrong key", "add", 1, 2)
        assert mpc_server.call(mpc_address, KEY, "add", 1, 2) == 3
        assert mpc_server.call(mpc_address, KEY, "add", 2, 2) == 4

    def test_garbage_truncated_and_reset_clients_do_not_stop_the_server(self):
        with mpc_server.make_listener("127.0.0.1", 0, KEY) as listener:
            with in_thread(mpc_server.serve, listener, 4):
                for garbage in (b"\xff" * 64, b"\x00\x00"):
                    with connect(listener.address) as client:
                        try:
                            client.sendall(garbage)
                            client.shutdown(socket.SHUT_WR)
                            recv_until_eof(client)
                        except OSError:
                            pass  # dropped, perhaps with a reset: fine
                client = connect(listener.address)
                reset_connection(client)
                assert mpc_server.call(listener.address, KEY, "add", 5, 5) == 10

    def test_listener_refuses_to_serve_without_a_key(self):
        with pytest.raises(ValueError, match="authkey"):
            mpc_server.make_listener("127.0.0.1", 0, b"")

    def test_script_serves_with_the_key_from_the_environment(self, monkeypatch):
        monkeypatch.setenv("MPC_AUTHKEY", KEY.decode())
        with run_example("rpc", "mpc_server") as (_, host, port):
            assert mpc_server.call((host, port), KEY, "upper", "script") == "SCRIPT"
        assert host == "127.0.0.1"
        assert "usage:" in run_script("rpc", "mpc_server", "--help").stdout

    def test_script_needs_a_key_in_the_environment(self):
        result = run_script_env("--port", "0", env={"MPC_AUTHKEY": ""})
        assert result.returncode == 2
        assert "MPC_AUTHKEY" in result.stderr


def run_script_env(*args: str, env: dict[str, str]):
    import os
    import subprocess

    from tests.support import ROOT, example_path, script_env

    return subprocess.run(
        [mpc_server.sys.executable, str(example_path("rpc", "mpc_server")), *args],
        capture_output=True, text=True, timeout=30, cwd=ROOT,
        env={**script_env(), **env} if env else dict(os.environ),
    )
