#!/usr/bin/env python3
"""The Windows build, run under Wine against Python peers on Linux, as a Windows laptop talks
to devices on its LAN. Every peer is on 127.0.0.1; every wait has a deadline.

    python3 .ci/windows_under_wine.py DIR_WITH_THE_EXE_AND_THE_SHIM [--screenshot PNG]

Wine maps Winsock onto Linux sockets, so Windows' own socket quirks (SIO_UDP_CONNRESET,
SO_EXCLUSIVEADDRUSE, the 64 KiB receive buffer) are covered by unit tests of the calls made;
this script checks what a Windows user runs: the CLI's modes, its output, its exit codes,
Ctrl+C, and the window.
"""

import json
import os
import queue
import re
import shutil
import signal
import socket
import ssl
import subprocess
import sys
import tempfile
import threading
import time
import traceback

DEADLINE = 30.0  # seconds any one wait may take (Wine starts a process in about a second)
EXE_DIR = os.path.abspath(sys.argv[1])
EXE = os.path.join(EXE_DIR, "socket-tester.exe")
SCREENSHOT = sys.argv[sys.argv.index("--screenshot") + 1] if "--screenshot" in sys.argv else None
WORK = tempfile.mkdtemp(prefix="wine-checks-")
with open(os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "Cargo.toml")) as toml:
    VERSION = re.search(r'^version = "(.*)"$', toml.read(), re.MULTILINE).group(1)
ENV = dict(
    os.environ,
    WINEPREFIX=os.environ.get("WINEPREFIX", os.path.join(WORK, "prefix")),
    WINEDEBUG="-all",
    # Wine turns the Linux command line into Windows' UTF-16 in the locale's charset: without
    # a UTF-8 locale, 你好 would arrive as question marks.
    LANG="C.UTF-8",
    LC_ALL="C.UTF-8",
)
ENV.pop("DISPLAY", None)  # the CLI checks run without a display, as from a console


def windows_path(path):
    """Wine's drive Z: is the Linux root."""
    return "Z:" + os.path.abspath(path).replace("/", "\\")


class Run:
    """The exe running under Wine, its stdout read line by line on a thread of its own."""

    def __init__(self, args, stdin=subprocess.DEVNULL, env=None):
        self.process = subprocess.Popen(
            ["wine", EXE, *args],
            stdin=stdin,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            env=env or ENV,
        )
        self.lines = queue.Queue()
        self.seen = []
        self.stderr = b""
        threading.Thread(target=self._read, daemon=True).start()
        threading.Thread(target=self._read_stderr, daemon=True).start()

    def _read(self):
        for raw in self.process.stdout:
            self.lines.put(raw.decode("utf-8", "replace").rstrip("\r\n"))
        self.lines.put(None)

    def _read_stderr(self):
        self.stderr = self.process.stderr.read()

    def next_line(self, deadline=DEADLINE):
        try:
            line = self.lines.get(timeout=deadline)
        except queue.Empty:
            raise AssertionError(f"no output within {deadline} s; so far: {self.seen}")
        if line is not None:
            self.seen.append(line)
        return line

    def wait_for(self, predicate, what):
        """The first line (JSON, when the run prints JSON) that satisfies the predicate."""
        end = time.monotonic() + DEADLINE
        while True:
            line = self.next_line(max(0.1, end - time.monotonic()))
            if line is None:
                raise AssertionError(f"ended before {what}: {self.seen} {self.stderr!r}")
            try:
                value = json.loads(line)
            except ValueError:
                value = line
            if predicate(value):
                return value

    def event(self, name, **fields):
        return self.wait_for(
            lambda v: isinstance(v, dict)
            and v.get("event") == name
            and all(v.get(k) == want for k, want in fields.items()),
            f"a {name} line with {fields}",
        )

    def listening_port(self):
        line = self.event("listening")
        return int(line["local"].rsplit(":", 1)[1])

    def finish(self):
        """Waits for the end; the exit code and every line printed."""
        try:
            code = self.process.wait(timeout=DEADLINE)
        except subprocess.TimeoutExpired:
            self.process.kill()
            raise AssertionError(f"did not end within {DEADLINE} s: {self.seen}")
        while self.next_line() is not None:
            pass
        time.sleep(0.05)  # the stderr thread reads to the end once the process has ended
        return code

    def interrupt(self):
        """Ctrl+C: Wine turns SIGINT into the console's CTRL_C_EVENT."""
        self.process.send_signal(signal.SIGINT)


def run(args, **kwargs):
    run = Run(args, **kwargs)
    code = run.finish()
    return code, run.seen, run.stderr.decode("utf-8", "replace")


def json_lines(lines):
    return [json.loads(line) for line in lines if line.startswith("{")]


def recv_exactly(sock, n):
    data = b""
    while len(data) < n:
        chunk = sock.recv(n - len(data))
        if not chunk:
            break
        data += chunk
    return data


def server(handle, wrap=None):
    """A Python TCP server on loopback whose each connection `handle` serves on a thread."""
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen()

    def accept():
        while True:
            try:
                conn, _ = listener.accept()
            except OSError:
                return
            conn.settimeout(DEADLINE)
            if wrap:
                try:
                    conn = wrap(conn)
                except (OSError, ssl.SSLError):
                    conn.close()
                    continue
            threading.Thread(target=handle, args=(conn,), daemon=True).start()

    threading.Thread(target=accept, daemon=True).start()
    return listener, listener.getsockname()[1]


def echo(conn):
    with conn:
        try:
            while data := conn.recv(65536):
                conn.sendall(data)
        except OSError:
            pass


def closed_port():
    probe = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    probe.bind(("127.0.0.1", 0))
    port = probe.getsockname()[1]
    probe.close()
    return port


CHECKS = []


def check(function):
    CHECKS.append(function)
    return function


@check
def version_and_help():
    code, out, err = run(["--version"])
    assert code == 0 and out and out[0].startswith("socket-tester "), (code, out, err)
    code, out, err = run(["--help"])
    assert code == 0 and any("tcp-client" in line for line in out), (code, out, err)


@check
def tcp_client_speaks_gbk():
    got = queue.Queue()

    def device(conn):
        with conn:
            got.put(recv_exactly(conn, 4))
            conn.sendall("世界".encode("gbk"))
            time.sleep(0.5)

    listener, port = server(device)
    code, out, err = run(
        ["tcp-client", f"127.0.0.1:{port}", "--encoding", "gbk", "--send", "你好", "--json",
         "--wait-ms", "2000"]
    )
    listener.close()
    assert code == 0, (code, out, err)
    assert got.get(timeout=DEADLINE) == "你好".encode("gbk"), "the device got GBK 你好"
    rx = [line for line in json_lines(out) if line["event"] == "rx"]
    assert rx and rx[0]["text"] == "世界" and rx[0]["hex"].upper().replace(" ", "") == "CAC0BDE7", rx


@check
def tcp_server_echoes_gbk_and_ctrl_c_closes_every_connection():
    exe = Run(["tcp-server", "127.0.0.1:0", "--encoding", "gbk", "--echo", "--json"])
    port = exe.listening_port()
    client = socket.create_connection(("127.0.0.1", port), timeout=DEADLINE)
    client.sendall("你好".encode("gbk"))
    assert recv_exactly(client, 4) == "你好".encode("gbk"), "the echo"
    assert exe.event("rx")["text"] == "你好"
    exe.interrupt()
    assert client.recv(1) == b"", "the server closed the connection with FIN"
    # The client stays open, as a device does: the server's own close must wake its reader
    # (on Windows a shutdown alone does not wake a blocked recv).
    code = exe.finish()
    client.close()
    assert code == 130, (code, exe.seen, exe.stderr)
    assert any(json.loads(l).get("event") == "closed" for l in exe.seen if l.startswith("{")), exe.seen


@check
def udp_both_ways_and_a_closed_port_does_not_end_the_session():
    # Every datagram also goes to the closed port first: on Windows, without SIO_UDP_CONNRESET
    # switched off, the next receive would fail with WSAECONNRESET.
    exe = Run(
        ["udp", "--bind", "127.0.0.1:0", "--to", f"127.0.0.1:{closed_port()}", "--echo", "--json"],
        stdin=subprocess.PIPE,
    )
    port = exe.listening_port()
    exe.process.stdin.write(b"to nobody\n")
    exe.process.stdin.flush()
    exe.event("tx")
    time.sleep(0.3)  # room for the port-unreachable answer to arrive first
    peer = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    peer.bind(("127.0.0.1", 0))
    peer.settimeout(DEADLINE)
    for word in ["one", "二", "three"]:
        peer.sendto(word.encode(), ("127.0.0.1", port))
        data, sender = peer.recvfrom(2048)
        assert data == word.encode() and sender[1] == port, (data, sender)
        assert exe.event("rx")["text"] == word
    exe.process.stdin.close()
    code = exe.finish()
    assert code == 0, (code, exe.seen, exe.stderr)


@check
def relay_passes_both_ways():
    listener, target = server(echo)
    exe = Run(["relay", "127.0.0.1:0", f"127.0.0.1:{target}", "--json"])
    port = exe.listening_port()
    with socket.create_connection(("127.0.0.1", port), timeout=DEADLINE) as client:
        client.sendall(b"through the relay")
        assert recv_exactly(client, 17) == b"through the relay"
    exe.event("rx", side="target")
    exe.interrupt()
    code = exe.finish()
    listener.close()
    assert code == 130, (code, exe.seen, exe.stderr)


@check
def ctrl_c_ends_clients_whose_device_stays_open():
    """A device keeps its connection open after the client's FIN: Ctrl+C still ends the run
    (on Windows the reader's blocked recv must be cancelled, a shutdown does not wake it)."""
    cert, key = certificate()
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(cert, key)
    held = []

    def device(conn):
        held.append(conn)  # never closed before the run has ended

    for tls in (False, True):
        wrap = (lambda c: context.wrap_socket(c, server_side=True)) if tls else None
        listener, port = server(device, wrap=wrap)
        extra = ["--tls", "--tls-insecure"] if tls else []
        exe = Run(["tcp-client", f"127.0.0.1:{port}", "--json", *extra], stdin=subprocess.PIPE)
        exe.event("connected")
        exe.interrupt()
        code = exe.finish()
        listener.close()
        assert code == 130, (tls, code, exe.seen, exe.stderr)
        assert any('"closed"' in line for line in exe.seen), (tls, exe.seen)
    for conn in held:
        conn.close()


def certificate(name="cert", subject="/CN=localhost",
                extra=("-addext", "subjectAltName=DNS:localhost")):
    """A certificate made by openssl, self-signed and not a CA (rustls refuses a CA as a
    peer's): a server's for localhost by default; its paths."""
    cert, key = os.path.join(WORK, f"{name}.pem"), os.path.join(WORK, f"{name}.key")
    if not os.path.exists(cert):
        subprocess.run(
            ["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2",
             "-subj", subject, "-keyout", key, "-out", cert, *extra,
             "-addext", "basicConstraints=critical,CA:FALSE"],
            check=True, capture_output=True,
        )
    return cert, key


@check
def tls_client_against_python_ssl():
    cert, key = certificate()
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(cert, key)

    def device(conn):
        with conn:
            data = conn.recv(1024)
            conn.sendall(b"secure " + data)
            time.sleep(0.5)

    listener, port = server(device, wrap=lambda c: context.wrap_socket(c, server_side=True))
    code, out, err = run(
        ["tcp-client", f"127.0.0.1:{port}", "--tls", "--ca", windows_path(cert), "--sni",
         "localhost", "--send", "hi", "--json", "--wait-ms", "2000"]
    )
    listener.close()
    assert code == 0, (code, out, err)
    lines = json_lines(out)
    assert any(line["event"] == "tls" for line in lines), out
    assert any(line["event"] == "rx" and line["text"] == "secure hi" for line in lines), out


@check
def mutual_tls_and_the_python_peer_program():
    """tcp-client --cert/--key to a Python server that asks for a client certificate, and
    --python-peer writing the program that plays the server's side."""
    cert, key = certificate()
    student, student_key = certificate("student", "/CN=student", ())
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(cert, key)
    context.verify_mode = ssl.CERT_REQUIRED
    context.load_verify_locations(student)
    names = []

    def device(conn):
        with conn:
            names.append(dict(field[0] for field in conn.getpeercert()["subject"])["commonName"])
            data = conn.recv(1024)
            conn.sendall(b"hello " + data)
            time.sleep(0.5)

    listener, port = server(device, wrap=lambda c: context.wrap_socket(c, server_side=True))
    program = os.path.join(WORK, "peer.py")
    code, out, err = run(
        ["tcp-client", f"127.0.0.1:{port}", "--tls", "--ca", windows_path(cert), "--sni",
         "localhost", "--cert", windows_path(student), "--key", windows_path(student_key),
         "--send", "student", "--json", "--wait-ms", "2000", "--python-peer",
         windows_path(program)]
    )
    listener.close()
    assert code == 0, (code, out, err)
    assert names == ["student"], names
    assert any(line["event"] == "rx" and line["text"] == "hello student"
               for line in json_lines(out)), out
    with open(program, encoding="utf-8") as file:
        written = file.read()
    assert "accept()" in written and "hello student" in written, written


@check
def tls_server_against_python_ssl():
    exe = Run(["tcp-server", "127.0.0.1:0", "--tls", "--tls-self-signed", "--echo", "--json"])
    port = exe.listening_port()
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    context.check_hostname = False
    context.verify_mode = ssl.CERT_NONE
    with socket.create_connection(("127.0.0.1", port), timeout=DEADLINE) as raw:
        with context.wrap_socket(raw) as client:
            client.sendall("加密 hello".encode())
            assert recv_exactly(client, len("加密 hello".encode())) == "加密 hello".encode()
    exe.event("tls")
    exe.interrupt()
    code = exe.finish()
    assert code == 130, (code, exe.seen, exe.stderr)


@check
def websocket_both_ways_against_python_websockets():
    from websockets.sync.client import connect
    from websockets.sync.server import serve

    exe = Run(["ws-server", "127.0.0.1:0", "--echo", "--json"])
    port = exe.listening_port()
    with connect(f"ws://127.0.0.1:{port}/lab", compression=None, open_timeout=DEADLINE) as ws:
        ws.send("你好")
        assert ws.recv(timeout=DEADLINE) == "你好", "the text echo"
        ws.send(b"\x00\xff")
        assert ws.recv(timeout=DEADLINE) == b"\x00\xff", "the binary echo"
        assert ws.ping(b"p").wait(DEADLINE), "the pong"
    assert exe.event("rx", opcode="text")["text"] == "你好"
    exe.interrupt()
    code = exe.finish()
    assert code == 130, (code, exe.seen, exe.stderr)

    def greet(ws):
        ws.send("welcome")
        ws.recv(timeout=DEADLINE)
        ws.close(4001, "bye")

    with serve(greet, "127.0.0.1", 0, compression=None) as python:
        threading.Thread(target=python.serve_forever, daemon=True).start()
        url = f"ws://127.0.0.1:{python.socket.getsockname()[1]}/"
        code, lines, stderr = run(["ws-client", url, "--send", "hi", "--wait-ms", "5000", "--json"])
        python.shutdown()
    assert code == 0, (code, lines, stderr)
    events = json_lines(lines)
    assert any(e.get("opcode") == "text" and e.get("text") == "welcome" for e in events), events
    assert any(e.get("opcode") == "close" and "4001" in e.get("reason", "") for e in events), events

    # The exe ends by itself: it says goodbye (1000) before its FIN, Python does not see 1006.
    codes = []

    def listen_to_the_end(ws):
        try:
            for _ in ws:
                pass
        finally:
            codes.append(ws.close_code)

    with serve(listen_to_the_end, "127.0.0.1", 0, compression=None) as python:
        threading.Thread(target=python.serve_forever, daemon=True).start()
        url = f"ws://127.0.0.1:{python.socket.getsockname()[1]}/"
        code, lines, stderr = run(["ws-client", url, "--send", "hi", "--wait-ms", "300", "--json"])
        deadline = time.monotonic() + DEADLINE
        while not codes and time.monotonic() < deadline:
            time.sleep(0.05)
        python.shutdown()
    assert code == 0, (code, lines, stderr)
    assert codes == [1000], (codes, lines)
    events = json_lines(lines)
    assert any(e.get("event") == "tx" and e.get("opcode") == "close" for e in events), events


@check
def send_sequence_passes_against_a_device():
    heard = []

    def device(conn):
        with conn, conn.makefile("rb") as lines:
            for line in lines:
                heard.append(line)
                if line.startswith(b"PING"):
                    conn.sendall(b"PONG" + line[4:])

    listener, port = server(device)
    steps = os.path.join(WORK, "sequence.json")
    with open(steps, "w") as file:
        json.dump(
            {"rounds": 2, "steps": [
                {"step": "send", "text": "PING ${seq}\\n", "format": {"escapes": True}},
                {"step": "expect", "kind": "Regex", "pattern": "PONG (\\d+)", "timeout_ms": 5000},
                # What the reply matched goes back in the next send.
                {"step": "send", "text": "ACK ${1}\\n", "format": {"escapes": True}},
            ]},
            file,
        )
    code, out, err = run(
        ["tcp-client", f"127.0.0.1:{port}", "--sequence", windows_path(steps), "--wait-ms", "0",
         "--json"]
    )
    listener.close()
    assert code == 0, (code, out, err)
    assert any(line["event"] == "sequence" for line in json_lines(out)), out
    # The device reads the last line after the exe has ended, maybe.
    wait_until(lambda: b"ACK 3\n" in heard, "the device to read the last ACK")
    assert b"ACK 1\n" in heard, heard


@check
def stress_against_an_echo_server():
    listener, port = server(echo)
    code, out, err = run(
        ["stress", "tcp", f"127.0.0.1:{port}", "--clients", "4", "--count", "200", "--json"]
    )
    listener.close()
    assert code == 0, (code, out, err)
    report = json.loads(out[-1])
    figures = report.get("report", report)
    assert figures["succeeded"] >= 200 and figures["failed"] == 0, report


@check
def exit_codes_for_bad_input_and_a_refused_connection():
    for args in (["tcp-client", "127.0.0.1:70000"],
                 ["tcp-client", "127.0.0.1:9", "--hex", "--send", "zz"],
                 ["udp", "--encoding", "latin-9"]):
        code, out, err = run(args)
        assert code == 2, (args, code, out, err)
        assert "error" in err, (args, err)
    port = closed_port()
    code, out, err = run(["tcp-client", f"127.0.0.1:{port}", "--send", "x"])
    assert code == 1, (code, out, err)
    assert f"connection refused by 127.0.0.1:{port}" in err, err


@check
def a_batch_file_waits_for_the_exe_and_gets_its_exit_code():
    # As in cmd.exe: a console program holds the prompt until it ends, and %ERRORLEVEL% is
    # its exit code (a GUI-subsystem exe would return at once with 0).
    batch = os.path.join(WORK, "check.bat")
    with open(batch, "w", newline="\r\n") as file:
        file.write(f"@echo off\n\"{windows_path(EXE)}\" tcp-client 127.0.0.1:70000\n"
                   "echo errorlevel=%ERRORLEVEL%\n"
                   f"\"{windows_path(EXE)}\" decode utf-8 \"E4 BD A0\"\n"
                   "echo errorlevel=%ERRORLEVEL%\n")
    done = subprocess.run(["wine", "cmd", "/c", windows_path(batch)], env=ENV,
                          capture_output=True, timeout=DEADLINE)
    out = done.stdout.decode("utf-8", "replace").replace("\r", "").splitlines()
    assert "errorlevel=2" in out and out[-1] == "errorlevel=0", (out, done.stderr)
    assert any("你" in line for line in out), out


def resource_types(exe):
    """The type ids at the root of a PE file's resource directory."""
    word = lambda at: int.from_bytes(exe[at:at + 2], "little")
    dword = lambda at: int.from_bytes(exe[at:at + 4], "little")
    pe = dword(0x3C)
    sections, optional = word(pe + 6), word(pe + 20)
    # The resource table's address: data directory 2 of the PE32+ optional header.
    rva = dword(pe + 24 + 112 + 2 * 8)
    for section in range(sections):
        at = pe + 24 + optional + 40 * section
        start, size, raw = dword(at + 12), dword(at + 8), dword(at + 20)
        if start <= rva < start + size:
            root = raw + rva - start
            entries = word(root + 12) + word(root + 14)
            return {dword(root + 16 + 8 * n) for n in range(entries)}
    return set()


@check
def the_exe_carries_its_icon_and_version():
    headers = subprocess.run(["x86_64-w64-mingw32-objdump", "-p", EXE], capture_output=True,
                             text=True, check=True).stdout
    assert "Subsystem\t\t00000003\t(Windows CUI)" in headers, "a console program"
    with open(EXE, "rb") as file:
        data = file.read()
    for text in ["FileDescription", "Socket Tester", "ProductVersion", VERSION]:
        assert text.encode("utf-16-le") in data, f"{text} in the version resource"
    # RT_ICON, RT_GROUP_ICON, RT_VERSION, RT_MANIFEST
    assert {3, 14, 16, 24} <= resource_types(data), resource_types(data)


def visible_windows(env, *query):
    found = subprocess.run(["xdotool", "search", "--onlyvisible", *query],
                           capture_output=True, text=True, env=env)
    return found.stdout.split()


def wait_until(condition, what, deadline=DEADLINE):
    end = time.monotonic() + deadline
    while not condition():
        assert time.monotonic() < end, f"not within {deadline} s: {what}"
        time.sleep(0.3)


@check
def a_double_click_opens_only_the_window():
    """Started as Explorer starts it (`start`: a console made for the exe alone), the window
    draws and no console stays beside it; a CLI mode started the same way keeps its console,
    which shows that the check sees one."""
    if not SCREENSHOT:
        raise Skipped("no --screenshot path given")
    display = ":%d" % (90 + os.getpid() % 50)
    xvfb = subprocess.Popen(["Xvfb", display, "-screen", "0", "1280x800x24", "-nolisten", "tcp"],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    env = dict(ENV, DISPLAY=display)
    # A wineserver started without a display (the checks above) would refuse the window
    # ("no driver could be loaded"): the window gets a server of its own.
    subprocess.run(["wineserver", "-k"], env=env, capture_output=True)
    double_click = ["wine", "cmd", "/c", "start", "", windows_path(EXE)]
    try:
        wait_until(lambda: subprocess.run(["xdotool", "getdisplaygeometry"], env=env,
                                          capture_output=True).returncode == 0, "Xvfb started")
        # No pipes: the exe started would hold them open, and `start` returns at once.
        quiet = dict(stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                     stderr=subprocess.DEVNULL, env=env, timeout=DEADLINE)
        subprocess.run(double_click, **quiet)
        wait_until(lambda: visible_windows(env, "--name", "^Socket Tester$"),
                   "a window titled Socket Tester", 2 * DEADLINE)
        time.sleep(3)  # the first frames, and time for a console to show if one stayed
        assert not visible_windows(env, "--class", "conhost"), "a console beside the window"
        subprocess.run(["import", "-display", display, "-window", "root", SCREENSHOT],
                       check=True, env=env)
        spread = subprocess.run(["convert", SCREENSHOT, "-format", "%[fx:standard_deviation]",
                                 "info:"], capture_output=True, text=True, check=True).stdout
        assert float(spread) > 0.05, f"the screenshot is nearly blank ({spread})"
        subprocess.run(double_click + ["tcp-server", "127.0.0.1:0"], **quiet)
        wait_until(lambda: visible_windows(env, "--class", "conhost"),
                   "the console of a CLI mode started by a double-click")
    finally:
        subprocess.run(["wineserver", "-k"], env=env, capture_output=True)
        xvfb.terminate()
        xvfb.wait()


class Skipped(Exception):
    pass


def main():
    if not os.path.exists(os.path.join(EXE_DIR, "bcryptprimitives.dll")):
        sys.exit(f"error: the test-only bcryptprimitives.dll must sit beside {EXE}")
    # A new prefix takes about 20 s to make: once, before anything is timed.
    subprocess.run(["wine", "cmd", "/c", "exit"], env=ENV, capture_output=True, timeout=300)
    passed = failed = skipped = 0
    for function in CHECKS:
        started = time.monotonic()
        try:
            function()
        except Skipped as why:
            skipped += 1
            print(f"SKIPPED {function.__name__}: {why}", file=sys.stderr)
            continue
        except Exception:
            failed += 1
            print(f"FAIL {function.__name__}\n{traceback.format_exc()}", flush=True)
            continue
        passed += 1
        print(f"ok   {function.__name__} ({time.monotonic() - started:.1f} s)", flush=True)
    subprocess.run(["wineserver", "-k"], env=ENV, capture_output=True)
    shutil.rmtree(WORK, ignore_errors=True)
    print(f"wine: {passed} passed, {failed} failed, {skipped} skipped")
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()
