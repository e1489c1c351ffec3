"""Shared plumbing for the GitlabSts test servers (Python 3.11 standard library only).

Every fixture server:
  * binds 127.0.0.1 only;
  * exits when its standard input reaches end-of-file (the PowerShell side holds the write end of
    that pipe, so the server dies with its parent, even on a crash or kill -9 of the parent);
  * exits after --max-lifetime seconds whatever happens (default 1800 s);
  * optionally exits after --idle-timeout seconds without a request (0 = never);
  * writes its log (including tracebacks) to --log-file instead of the console;
  * writes the port it listens on to --ready-file once the socket accepts connections;
  * deletes --cleanup-dir when the watchdog ends it (a crash leaves the folder and its log behind).
"""
import argparse
import os
import shutil
import sys
import threading
import time

_last_activity = time.monotonic()


def add_common_args(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--port", type=int, default=0, help="port to bind on 127.0.0.1 (0 = any free port)")
    parser.add_argument("--ready-file", default=None, help="file that receives the bound port once listening")
    parser.add_argument("--log-file", default=None, help="file that receives stdout/stderr of the server")
    parser.add_argument("--max-lifetime", type=float, default=1800.0, help="seconds before exiting regardless")
    parser.add_argument("--idle-timeout", type=float, default=0.0, help="seconds without a request before exiting (0 = never)")
    parser.add_argument("--no-stdin-watch", action="store_true", help="do not exit when stdin closes")
    parser.add_argument("--cleanup-dir", default=None,
                        help="folder (ready file, log, keys) to delete when the watchdog ends the server")


def redirect_output(log_file: str | None) -> None:
    """Send fd 1 and fd 2 to the log file so nothing reaches (or blocks on) the parent's console."""
    if not log_file:
        return
    fd = os.open(log_file, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600)
    sys.stdout.flush()
    sys.stderr.flush()
    os.dup2(fd, 1)
    os.dup2(fd, 2)
    os.close(fd)
    sys.stdout = os.fdopen(1, "w", buffering=1, closefd=False)
    sys.stderr = os.fdopen(2, "w", buffering=1, closefd=False)


def log(msg: str) -> None:
    try:
        sys.stderr.write(time.strftime("%H:%M:%S ") + msg + "\n")
        sys.stderr.flush()
    except Exception:
        pass


def touch() -> None:
    """Record activity (resets the idle timer)."""
    global _last_activity
    _last_activity = time.monotonic()


_cleanup_dir = None


def _exit(reason: str) -> None:
    log(f"exiting: {reason}")
    if _cleanup_dir:
        shutil.rmtree(_cleanup_dir, ignore_errors=True)
    os._exit(0)


def start_watchdogs(args: argparse.Namespace) -> None:
    global _cleanup_dir
    _cleanup_dir = args.cleanup_dir
    if not args.no_stdin_watch:
        def watch_stdin() -> None:
            try:
                stream = sys.stdin.buffer if sys.stdin else None
                if stream is None:
                    return
                while True:
                    chunk = stream.read(1)
                    if not chunk:
                        break
            except Exception:
                pass
            _exit("stdin closed (parent gone or Stop requested)")

        threading.Thread(target=watch_stdin, name="stdin-watch", daemon=True).start()

    def watch_time() -> None:
        start = time.monotonic()
        while True:
            time.sleep(0.5)
            now = time.monotonic()
            if args.max_lifetime and now - start > args.max_lifetime:
                _exit(f"max lifetime {args.max_lifetime}s reached")
            if args.idle_timeout and now - _last_activity > args.idle_timeout:
                _exit(f"idle for {args.idle_timeout}s")

    threading.Thread(target=watch_time, name="lifetime-watch", daemon=True).start()


def write_ready(ready_file: str | None, port: int) -> None:
    if not ready_file:
        print(f"LISTENING {port}", flush=True)
        return
    tmp = ready_file + ".tmp"
    with open(tmp, "w", encoding="ascii") as f:
        f.write(str(port))
    os.replace(tmp, ready_file)
